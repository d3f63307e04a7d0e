/*
 * hlc_test — unit tests for hlc.c: monotonicity whatever the wall clock
 * does, the receive rule, the drift bound (measured from the later of the
 * wall clock and our own HLC), the lead over the wall clock, and the
 * edges of the encoding.
 * The clock is pure, so every test drives wall time by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/hlc.h"
#include "mentornet/mentornet.h"

/* A plausible wall time (2024) so tests do not sit at the epoch. */
#define WALL UINT64_C(1700000000000)
/* One more than the counter can hold: enough events to force a carry. */
#define COUNTER_SPAN 0x10000

static void
test_macros(void **state) {
    uint64_t t = MN_HLC_MAKE(WALL, 0x1234);

    (void)state;
    assert_true(MN_HLC_MS(t) == WALL);
    assert_true(MN_HLC_COUNTER(t) == 0x1234);
    assert_true(MN_HLC_MAKE(WALL, 0xffff) + 1 == MN_HLC_MAKE(WALL + 1, 0));
}

static void
test_now_follows_wall(void **state) {
    mn_hlc h;

    (void)state;
    mn_hlc_init(&h, 0);
    assert_true(mn_hlc_now(&h, WALL) == MN_HLC_MAKE(WALL, 0));
    assert_true(mn_hlc_now(&h, WALL) == MN_HLC_MAKE(WALL, 1));
    assert_true(mn_hlc_now(&h, WALL + 5) == MN_HLC_MAKE(WALL + 5, 0));
}

static void
test_now_monotonic_wall_still(void **state) {
    mn_hlc h;
    uint64_t prev;

    (void)state;
    mn_hlc_init(&h, 0);
    prev = mn_hlc_now(&h, WALL);
    for (long i = 0; i < COUNTER_SPAN + 10; i++) {
        uint64_t t = mn_hlc_now(&h, WALL);

        assert_true(t > prev);
        prev = t;
    }
    /* 65536 events used up (WALL, 0..0xffff); the rest spilled over. */
    assert_true(MN_HLC_MS(prev) == WALL + 1);
    assert_true(MN_HLC_COUNTER(prev) == 10);
}

static void
test_now_monotonic_wall_backwards(void **state) {
    mn_hlc h;
    uint64_t first;
    uint64_t prev;

    (void)state;
    mn_hlc_init(&h, 0);
    first = mn_hlc_now(&h, WALL);
    prev = first;
    /* The wall clock jumps back an hour and then stands still. */
    for (long i = 0; i < 2 * COUNTER_SPAN + 3; i++) {
        uint64_t t = mn_hlc_now(&h, WALL - 3600 * 1000);

        assert_true(t > prev);
        prev = t;
    }
    assert_true(prev == first + 2 * COUNTER_SPAN + 3);
    assert_true(MN_HLC_MS(prev) == WALL + 2);
    /* Once wall time passes the logical time again, it takes over. */
    assert_true(mn_hlc_now(&h, WALL + 10) == MN_HLC_MAKE(WALL + 10, 0));
}

static void
test_init_from_persisted(void **state) {
    mn_hlc h;
    uint64_t persisted = MN_HLC_MAKE(WALL, 42);

    (void)state;
    mn_hlc_init(&h, persisted);
    /* The machine rebooted with a clock an hour slow. */
    assert_true(mn_hlc_now(&h, WALL - 3600 * 1000) == persisted + 1);
    mn_hlc_init(&h, MN_HLC_MAKE(WALL, 0xffff));
    assert_true(mn_hlc_now(&h, WALL) == MN_HLC_MAKE(WALL + 1, 0));
}

static void
test_recv_remote_ahead(void **state) {
    mn_hlc h;
    uint64_t remote = MN_HLC_MAKE(WALL + 50, 7);
    uint64_t t;

    (void)state;
    mn_hlc_init(&h, 0);
    mn_hlc_now(&h, WALL);
    assert_int_equal(mn_hlc_recv(&h, remote, WALL, 100), 0);
    t = mn_hlc_now(&h, WALL);
    assert_true(t > remote);
    assert_true(MN_HLC_MS(t) == WALL + 50);
    /* Local wall time catching up does not go back below remote either. */
    assert_true(mn_hlc_now(&h, WALL + 50) > remote);
}

static void
test_recv_remote_full_counter(void **state) {
    mn_hlc h;
    uint64_t remote = MN_HLC_MAKE(WALL, 0xffff);

    (void)state;
    mn_hlc_init(&h, 0);
    assert_int_equal(mn_hlc_recv(&h, remote, WALL, 0), 0);
    assert_true(mn_hlc_now(&h, WALL) > remote);
    assert_true(MN_HLC_MS(h.last) == WALL + 1);
}

static void
test_recv_remote_behind(void **state) {
    mn_hlc h;
    uint64_t before;

    (void)state;
    mn_hlc_init(&h, 0);
    mn_hlc_now(&h, WALL);
    before = mn_hlc_now(&h, WALL);
    assert_int_equal(mn_hlc_recv(&h, MN_HLC_MAKE(WALL - 1000, 3), WALL, 100),
                     0);
    assert_true(h.last >= before);
    assert_true(mn_hlc_now(&h, WALL) > before);
    /* An old remote on a node whose wall clock went back: still forward. */
    before = h.last;
    assert_int_equal(mn_hlc_recv(&h, 1, WALL - 5000, 100), 0);
    assert_true(h.last > before);
    assert_true(mn_hlc_now(&h, WALL - 5000) > before);
}

static void
test_recv_remote_equal(void **state) {
    mn_hlc h;
    uint64_t t;

    (void)state;
    mn_hlc_init(&h, 0);
    t = mn_hlc_now(&h, WALL);
    assert_int_equal(mn_hlc_recv(&h, t, WALL, 0), 0);
    assert_true(mn_hlc_now(&h, WALL) > t);
}

static void
test_drift_bound(void **state) {
    mn_hlc h;
    mn_hlc saved;
    uint64_t drift = 500;

    (void)state;
    mn_hlc_init(&h, 0);
    mn_hlc_now(&h, WALL);
    saved = h;

    /* One ms past the bound: rejected, clock untouched. */
    assert_int_equal(
        mn_hlc_recv(&h, MN_HLC_MAKE(WALL + drift + 1, 0), WALL, drift),
        MN_EDRIFT);
    assert_true(h.last == saved.last);
    assert_int_equal(mn_hlc_recv(&h, UINT64_MAX, WALL, drift), MN_EDRIFT);
    assert_true(h.last == saved.last);
    assert_true(mn_hlc_now(&h, WALL) == saved.last + 1);

    /* Exactly at the bound, whatever the counter: accepted. */
    saved = h;
    assert_int_equal(
        mn_hlc_recv(&h, MN_HLC_MAKE(WALL + drift, 0xffff), WALL, drift), 0);
    assert_true(h.last > saved.last);
    assert_true(mn_hlc_now(&h, WALL) > MN_HLC_MAKE(WALL + drift, 0xffff));
}

static void
test_drift_zero_and_huge(void **state) {
    mn_hlc h;

    (void)state;
    mn_hlc_init(&h, 0);
    assert_int_equal(mn_hlc_recv(&h, MN_HLC_MAKE(WALL, 9), WALL, 0), 0);
    assert_int_equal(mn_hlc_recv(&h, MN_HLC_MAKE(WALL + 1, 0), WALL, 0),
                     MN_EDRIFT);
    /* A bound so large that wall + bound would wrap must not shrink. */
    assert_int_equal(
        mn_hlc_recv(&h, MN_HLC_MAKE(WALL + 1, 0), WALL, UINT64_MAX), 0);
    assert_true(mn_hlc_now(&h, WALL) > MN_HLC_MAKE(WALL + 1, 0));
}

static void
test_wall_clamped(void **state) {
    mn_hlc h;
    uint64_t t;

    (void)state;
    mn_hlc_init(&h, 0);
    t = mn_hlc_now(&h, UINT64_MAX);
    assert_true(t == MN_HLC_MAKE(MN_HLC_MAX_MS, 0));
    assert_true(mn_hlc_now(&h, UINT64_MAX) == t + 1);
    /* Clamped wall time also applies to the drift check. */
    mn_hlc_init(&h, 0);
    assert_int_equal(
        mn_hlc_recv(&h, MN_HLC_MAKE(MN_HLC_MAX_MS, 0), UINT64_MAX, 0), 0);
}

static void
test_exhausted_clock_saturates(void **state) {
    mn_hlc h;

    (void)state;
    mn_hlc_init(&h, UINT64_MAX);
    /* Never wraps back to 0; documented as the year-10889 limit. */
    assert_true(mn_hlc_now(&h, WALL) == UINT64_MAX);
}

/* Finding: a clock stepped back by an hour quarantined every peer for the
 * whole hour. The bound is measured from our own HLC when it is ahead of
 * the wall clock, so a peer with a correct clock is taken in, and one
 * past the bound from there still is not. */
static void
test_bound_from_own_hlc_after_step_back(void **state) {
    mn_hlc h;
    uint64_t hour = 3600 * 1000, drift = 300000;
    uint64_t wall = WALL - hour; /* stepped back after stamping at WALL */

    (void)state;
    mn_hlc_init(&h, MN_HLC_MAKE(WALL, 7));
    assert_true(mn_hlc_bound_ms(h.last, wall, drift) == WALL + drift);
    assert_int_equal(mn_hlc_recv(&h, MN_HLC_MAKE(WALL + 1000, 0), wall, drift),
                     0);
    assert_true(mn_hlc_now(&h, wall) > MN_HLC_MAKE(WALL + 1000, 0));
    assert_int_equal(
        mn_hlc_recv(&h, MN_HLC_MAKE(WALL + 1000 + drift + 1, 0), wall, drift),
        MN_EDRIFT);
}

/* Finding: node 1 runs 4 min fast and node 2 runs 2 min slow; node 2 had
 * taken in a correct node's change. Node 1's change is 6 min ahead of
 * node 2's wall clock but within the bound from node 2's HLC; once taken
 * in, it moves that HLC, so node 1's next changes are within it too. */
static void
test_bound_slow_node_takes_fast_peer(void **state) {
    mn_hlc h;
    uint64_t min = 60 * 1000, drift = 5 * min;
    uint64_t wall = WALL - 2 * min;

    (void)state;
    /* From the wall clock alone, node 1's change is past the bound. */
    assert_true(WALL + 4 * min > mn_hlc_bound_ms(0, wall, drift));
    mn_hlc_init(&h, 0);
    assert_int_equal(mn_hlc_recv(&h, MN_HLC_MAKE(WALL, 0), wall, drift), 0);
    assert_int_equal(
        mn_hlc_recv(&h, MN_HLC_MAKE(WALL + 4 * min, 0), wall, drift), 0);
    wall += 3 * min; /* three quiet minutes later */
    assert_int_equal(
        mn_hlc_recv(&h, MN_HLC_MAKE(WALL + 7 * min, 0), wall, drift), 0);
}

/* The lead of a timestamp over the wall clock, for the clock alarm. */
static void
test_lead(void **state) {
    uint64_t two_h = 2 * 3600 * 1000;

    (void)state;
    assert_true(mn_hlc_lead_ms(MN_HLC_MAKE(WALL + two_h, 5), WALL) == two_h);
    assert_true(mn_hlc_lead_ms(MN_HLC_MAKE(WALL, 0xffff), WALL) == 0);
    assert_true(mn_hlc_lead_ms(MN_HLC_MAKE(WALL - 1, 0), WALL) == 0);
    assert_true(mn_hlc_lead_ms(0, WALL) == 0);
    /* The bound saturates from an HLC as it does from the wall clock. */
    assert_true(mn_hlc_bound_ms(MN_HLC_MAKE(WALL, 0), 0, UINT64_MAX) ==
                UINT64_MAX);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_macros),
        cmocka_unit_test(test_now_follows_wall),
        cmocka_unit_test(test_now_monotonic_wall_still),
        cmocka_unit_test(test_now_monotonic_wall_backwards),
        cmocka_unit_test(test_init_from_persisted),
        cmocka_unit_test(test_recv_remote_ahead),
        cmocka_unit_test(test_recv_remote_full_counter),
        cmocka_unit_test(test_recv_remote_behind),
        cmocka_unit_test(test_recv_remote_equal),
        cmocka_unit_test(test_drift_bound),
        cmocka_unit_test(test_drift_zero_and_huge),
        cmocka_unit_test(test_wall_clamped),
        cmocka_unit_test(test_exhausted_clock_saturates),
        cmocka_unit_test(test_bound_from_own_hlc_after_step_back),
        cmocka_unit_test(test_bound_slow_node_takes_fast_peer),
        cmocka_unit_test(test_lead),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
