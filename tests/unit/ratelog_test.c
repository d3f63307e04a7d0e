/*
 * ratelog_test — unit tests for ratelog.c with a fake clock: the first
 * occurrence of a (peer, reason) logs, the rest of its interval is counted
 * and summarised once, keys are independent, a full table still counts,
 * and a flood costs a bounded number of lines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/ratelog.h"

#define IVL 10000 /* ms */
#define T0 UINT64_C(5000000)

static void
test_first_logs_rest_counted(void **state) {
    mn_ratelog *rl = mn_ratelog_new(IVL);
    mn_ratelog_summary late, out[4];

    (void)state;
    assert_true(mn_ratelog_hit(rl, 3, 1, T0, &late));
    assert_int_equal(late.count, 0);
    for (int i = 1; i <= 5; i++)
        assert_false(mn_ratelog_hit(rl, 3, 1, T0 + (uint64_t)i * 1000, &late));
    assert_int_equal(mn_ratelog_due(rl, T0 + IVL - 1, out, 4), 0);
    assert_int_equal(mn_ratelog_due(rl, T0 + IVL, out, 4), 1);
    assert_int_equal(out[0].peer, 3);
    assert_int_equal(out[0].reason, 1);
    assert_int_equal(out[0].count, 5);
    assert_int_equal(out[0].window, IVL);
    /* Reported once; the key is forgotten, so the next one logs. */
    assert_int_equal(mn_ratelog_due(rl, T0 + 2 * IVL, out, 4), 0);
    assert_true(mn_ratelog_hit(rl, 3, 1, T0 + 2 * IVL, &late));
    mn_ratelog_destroy(&rl);
    assert_null(rl);
}

static void
test_keys_independent(void **state) {
    mn_ratelog *rl = mn_ratelog_new(IVL);

    (void)state;
    assert_true(mn_ratelog_hit(rl, 1, 0, T0, NULL));
    assert_true(mn_ratelog_hit(rl, 1, 2, T0, NULL));
    assert_true(mn_ratelog_hit(rl, 2, 0, T0, NULL));
    assert_false(mn_ratelog_hit(rl, 1, 0, T0 + 1, NULL));
    assert_false(mn_ratelog_hit(rl, 2, 0, T0 + 1, NULL));
    mn_ratelog_destroy(&rl);
}

static void
test_late_summary_without_due(void **state) {
    mn_ratelog *rl = mn_ratelog_new(IVL);
    mn_ratelog_summary late;

    (void)state;
    assert_true(mn_ratelog_hit(rl, 7, 4, T0, &late));
    assert_false(mn_ratelog_hit(rl, 7, 4, T0 + 1, &late));
    assert_false(mn_ratelog_hit(rl, 7, 4, T0 + 2, &late));
    /* No due() ran: the next hit after the interval reports the two. */
    assert_true(mn_ratelog_hit(rl, 7, 4, T0 + IVL + 5, &late));
    assert_int_equal(late.count, 2);
    assert_int_equal(late.peer, 7);
    assert_int_equal(late.reason, 4);
    /* A quiet interval reports nothing. */
    assert_true(mn_ratelog_hit(rl, 7, 4, T0 + 3 * IVL, &late));
    assert_int_equal(late.count, 0);
    mn_ratelog_destroy(&rl);
}

static void
test_full_table_counts_others(void **state) {
    mn_ratelog *rl = mn_ratelog_new(IVL);
    mn_ratelog_summary out[MN_RATELOG_SLOTS + 1];

    (void)state;
    for (uint64_t p = 0; p < MN_RATELOG_SLOTS; p++)
        assert_true(mn_ratelog_hit(rl, p, 0, T0, NULL));
    /* No room: the first overflow logs, the rest are counted. */
    assert_true(mn_ratelog_hit(rl, 1000, 0, T0, NULL));
    assert_false(mn_ratelog_hit(rl, 1001, 0, T0, NULL));
    assert_false(mn_ratelog_hit(rl, 1002, 3, T0, NULL));
    size_t n = mn_ratelog_due(rl, T0 + IVL, out, MN_RATELOG_SLOTS + 1);
    assert_int_equal(n, 1);
    assert_true(out[0].peer == MN_RATELOG_OTHERS);
    assert_int_equal(out[0].count, 2);
    /* Every slot is free again. */
    assert_true(mn_ratelog_hit(rl, 1001, 0, T0 + IVL, NULL));
    mn_ratelog_destroy(&rl);
}

static void
test_due_keeps_what_does_not_fit(void **state) {
    mn_ratelog *rl = mn_ratelog_new(IVL);
    mn_ratelog_summary out[1];

    (void)state;
    for (uint64_t p = 0; p < 3; p++) {
        assert_true(mn_ratelog_hit(rl, p, 0, T0, NULL));
        assert_false(mn_ratelog_hit(rl, p, 0, T0 + 1, NULL));
    }
    size_t total = 0;
    for (int k = 0; k < 5; k++)
        total += mn_ratelog_due(rl, T0 + IVL, out, 1);
    assert_int_equal(total, 3);
    mn_ratelog_destroy(&rl);
}

/* A flood of 1,000 a second for a minute from one peer: a bounded number
 * of lines, and every occurrence is either logged or in a summary. */
static void
test_flood_is_bounded(void **state) {
    mn_ratelog *rl = mn_ratelog_new(IVL);
    mn_ratelog_summary out[4], late;
    uint64_t lines = 0, logged = 0, summed = 0, n = 60000;

    (void)state;
    for (uint64_t t = 0; t < n; t++) {
        if (mn_ratelog_hit(rl, 9, 1, T0 + t, &late))
            lines++, logged++;
        if (late.count)
            summed += late.count, lines++;
        if (t % 1000 == 0) {
            size_t k = mn_ratelog_due(rl, T0 + t, out, 4);
            for (size_t i = 0; i < k; i++)
                summed += out[i].count, lines++;
        }
    }
    size_t k = mn_ratelog_due(rl, T0 + n + IVL, out, 4);
    for (size_t i = 0; i < k; i++)
        summed += out[i].count, lines++;
    assert_true(lines <= 2 * (n / IVL + 1));
    assert_true(logged + summed == n);
    mn_ratelog_destroy(&rl);
}

static void
test_clock_backwards_starts_afresh(void **state) {
    mn_ratelog *rl = mn_ratelog_new(IVL);

    (void)state;
    assert_true(mn_ratelog_hit(rl, 1, 1, T0, NULL));
    assert_false(mn_ratelog_hit(rl, 1, 1, T0 + 1, NULL));
    assert_true(mn_ratelog_hit(rl, 1, 1, T0 - 1, NULL));
    mn_ratelog_destroy(&rl);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_logs_rest_counted),
        cmocka_unit_test(test_keys_independent),
        cmocka_unit_test(test_late_summary_without_due),
        cmocka_unit_test(test_full_table_counts_others),
        cmocka_unit_test(test_due_keeps_what_does_not_fit),
        cmocka_unit_test(test_flood_is_bounded),
        cmocka_unit_test(test_clock_backwards_starts_afresh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
