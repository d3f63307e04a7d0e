/*
 * id_test — ids and times (base/id): ids are time-ordered UUIDv7 with the
 * version and variant bits kept, carry the division that made them in
 * their division byte whatever the random bits, differ within one ms, and
 * cover the whole 48-bit range of ms; times print as RFC 3339 UTC.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/id.h"
#include "base/util.h"
#include "state/entity.h"

static void
test_id_new(void **state) {
    uint8_t prev[MN_ID_BYTES], id[MN_ID_BYTES], same[MN_ID_BYTES];
    const uint64_t base = UINT64_C(1700000000000);

    (void)state;
    uint64_t ms = base;
    mn_id_new(ms, 1, prev);
    for (uint64_t i = 1; i <= 2000; i++) {
        /* Increasing ms, by steps of 1 ms up to days, so that every byte
         * of the time prefix changes somewhere. */
        ms += i % 13 == 0 ? UINT64_C(86400000) : (i % 7 == 0 ? 255 : 1);
        mn_id_new(ms, 1, id);
        assert_true(memcmp(prev, id, MN_ID_BYTES) < 0);
        assert_true(mn_id_time_ms(id) == ms);
        assert_int_equal(id[6] >> 4, 7);      /* version 7 */
        assert_int_equal(id[8] & 0xc0, 0x80); /* RFC 4122 variant */
        memcpy(prev, id, MN_ID_BYTES);
    }
    /* Two ids in the same millisecond differ in their random part. */
    mn_id_new(base, 1, id);
    mn_id_new(base, 1, same);
    assert_memory_equal(id, same, 6);
    assert_memory_not_equal(id, same, MN_ID_BYTES);
    /* The whole 48-bit range of milliseconds. */
    mn_id_new((UINT64_C(1) << 48) - 1, 1, id);
    assert_true(mn_id_time_ms(id) == (UINT64_C(1) << 48) - 1);
    mn_id_new(0, 1, id);
    assert_true(mn_id_time_ms(id) == 0);
}

/* Every division 1..255 reads back from its id, whatever the random bits
 * were, and the version and variant bits stay as UUIDv7 wants them. */
static void
test_id_division(void **state) {
    uint8_t id[MN_ID_BYTES];
    (void)state;
    for (uint32_t d = 1; d <= UINT8_MAX; d++) {
        for (int k = 0; k < 8; k++) {
            mn_id_new(UINT64_C(1700000000000) + d, d, id);
            assert_int_equal(mn_id_division(id), d);
            assert_int_equal(id[6] >> 4, 7);
            assert_int_equal(id[8] & 0xc0, 0x80);
            assert_true(mn_id_time_ms(id) == UINT64_C(1700000000000) + d);
        }
    }
    /* The byte the layout names, and nothing else, holds it. */
    mn_id_new(1, 5, id);
    assert_int_equal(id[MN_ID_DIVISION_BYTE], 5);
    id[MN_ID_DIVISION_BYTE] = 7;
    assert_int_equal(mn_id_division(id), 7);
}

/* An origin's division is its low 8 bits: an incarnation above them does
 * not change which division an id belongs to. */
static void
test_origin_division(void **state) {
    uint8_t id[MN_ID_BYTES];
    (void)state;
    assert_int_equal(mn_origin_division(3), 3);
    assert_int_equal(mn_origin_division(3u | 9u << 8), 3);
    assert_int_equal(mn_origin_division(0xffffff05u), 5);
    mn_id_new(1, mn_origin_division(4u | 2u << 8), id);
    assert_int_equal(mn_id_division(id), 4);
}

static void
test_time_format(void **state) {
    static const struct {
        uint64_t ms;
        const char *text;
    } cases[] = {
        {0, "1970-01-01T00:00:00.000Z"},
        {999, "1970-01-01T00:00:00.999Z"},
        {UINT64_C(951782400000), "2000-02-29T00:00:00.000Z"},
        {UINT64_C(1700000000123), "2023-11-14T22:13:20.123Z"},
        {UINT64_C(1795687200000), "2026-11-26T10:00:00.000Z"},
        {UINT64_C(253402300799999), "9999-12-31T23:59:59.999Z"},
    };
    char out[32];

    (void)state;
    for (size_t i = 0; i < MN_ARRAY_LEN(cases); i++) {
        memset(out, 'x', sizeof out);
        mn_time_format(cases[i].ms, out);
        assert_string_equal(out, cases[i].text);
    }
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_new),
        cmocka_unit_test(test_id_division),
        cmocka_unit_test(test_origin_division),
        cmocka_unit_test(test_time_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
