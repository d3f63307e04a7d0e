/*
 * util_test — unit tests for util.c: the growable buffer, hex, big-endian
 * packing (round trips and that byte order sorts like the numbers),
 * mn_problem_set, mn_mkdir_p and mn_strerror for every error code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "mentornet/mentornet.h"
#include "base/util.h"
#include "unit_helpers.h"

/* ---- mn_buf ----------------------------------------------------------- */

static void
test_buf_init_release(void **state) {
    mn_buf b;
    uint8_t byte = 7;

    (void)state;
    mn_buf_init(&b);
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    mn_buf_append(&b, &byte, 1);
    assert_non_null(b.p);
    mn_buf_release(&b);
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    mn_buf_release(&b); /* twice is harmless */
    assert_null(b.p);
}

/* Appending one byte at a time keeps every byte and grows geometrically:
 * 20,000 appends cause only a handful of reallocations. */
static void
test_buf_append_grows(void **state) {
    enum { N = 20000 };
    mn_buf b;
    size_t growths = 0, last_cap = 0;

    (void)state;
    mn_buf_init(&b);
    for (size_t i = 0; i < N; i++) {
        uint8_t byte = (uint8_t)(i * 31 + 7);
        mn_buf_append(&b, &byte, 1);
        assert_int_equal(b.len, i + 1);
        assert_true(b.cap >= b.len);
        if (b.cap != last_cap) {
            growths++;
            last_cap = b.cap;
        }
    }
    for (size_t i = 0; i < N; i++)
        assert_int_equal(b.p[i], (uint8_t)(i * 31 + 7));
    /* 256 doubling to >= 20000 is 8 steps; linear growth would be
     * thousands. */
    assert_true(growths <= 10);
    mn_buf_release(&b);
}

static void
test_buf_append_large_chunks(void **state) {
    mn_buf b;
    test_rng r = {1};
    static uint8_t chunk[100000];
    static uint8_t expect[300000];

    (void)state;
    mn_buf_init(&b);
    for (size_t k = 0; k < 3; k++) {
        rng_fill(&r, chunk, sizeof chunk);
        memcpy(expect + k * sizeof chunk, chunk, sizeof chunk);
        mn_buf_append(&b, chunk, sizeof chunk);
        assert_int_equal(b.len, (k + 1) * sizeof chunk);
        assert_true(b.cap >= b.len);
    }
    assert_memory_equal(b.p, expect, sizeof expect);
    mn_buf_release(&b);
}

/* After reserve(extra), appending extra bytes does not move the buffer. */
static void
test_buf_reserve(void **state) {
    mn_buf b;
    uint8_t data[1000];

    (void)state;
    memset(data, 0xab, sizeof data);
    mn_buf_init(&b);
    mn_buf_append(&b, "xyz", 3);
    mn_buf_reserve(&b, 5000);
    assert_true(b.cap >= 5003);
    uint8_t *before = b.p;
    size_t cap = b.cap;
    for (int i = 0; i < 5; i++)
        mn_buf_append(&b, data, sizeof data);
    assert_ptr_equal(b.p, before);
    assert_int_equal(b.cap, cap);
    assert_int_equal(b.len, 5003);
    assert_memory_equal(b.p, "xyz", 3);
    assert_memory_equal(b.p + 3, data, sizeof data);
    mn_buf_release(&b);
}

static void
test_buf_reset_keeps_memory(void **state) {
    mn_buf b;

    (void)state;
    mn_buf_init(&b);
    mn_buf_append(&b, "hello", 5);
    uint8_t *p = b.p;
    size_t cap = b.cap;
    mn_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.p, p);
    assert_int_equal(b.cap, cap);
    mn_buf_append(&b, "ab", 2);
    assert_int_equal(b.len, 2);
    assert_memory_equal(b.p, "ab", 2);
    mn_buf_release(&b);
}

/* Appending nothing, even to a buffer that never allocated, is a no-op. */
static void
test_buf_append_empty(void **state) {
    mn_buf b;

    (void)state;
    mn_buf_init(&b);
    mn_buf_append(&b, "", 0);
    assert_int_equal(b.len, 0);
    mn_buf_append(&b, "a", 1);
    mn_buf_append(&b, "", 0);
    assert_int_equal(b.len, 1);
    assert_memory_equal(b.p, "a", 1);
    mn_buf_release(&b);
}

/* ---- allocation helpers ------------------------------------------------ */

static void
test_strdup_and_calloc(void **state) {
    const char text[] = "mentor";

    (void)state;
    char *z = mn_strdup(text);
    assert_string_equal(z, text);
    assert_ptr_not_equal(z, text);
    free(z);
    z = mn_strndup("abcdef", 3);
    assert_string_equal(z, "abc");
    free(z);
    uint8_t *p = mn_calloc(100, 3);
    for (size_t i = 0; i < 300; i++)
        assert_int_equal(p[i], 0);
    p = mn_realloc(p, 1000);
    p[999] = 1;
    free(p);
}

/* ---- hex -------------------------------------------------------------- */

static void
test_hex_encode_known(void **state) {
    const uint8_t in[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    char out[2 * sizeof in + 1];

    (void)state;
    memset(out, 'x', sizeof out);
    mn_hex_encode(in, sizeof in, out);
    assert_string_equal(out, "00017f80abff");
    mn_hex_encode(in, 0, out);
    assert_string_equal(out, "");
}

static void
test_hex_round_trip(void **state) {
    test_rng r = {42};
    uint8_t in[64], back[64];
    char text[2 * sizeof in + 1];

    (void)state;
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)rng_below(&r, sizeof in + 1);
        rng_fill(&r, in, n);
        memset(back, 0, sizeof back);
        mn_hex_encode(in, n, text);
        assert_int_equal(strlen(text), 2 * n);
        assert_int_equal(mn_hex_decode(text, 2 * n, back, n), MN_OK);
        assert_memory_equal(back, in, n);
    }
}

static void
test_hex_decode_upper_case(void **state) {
    uint8_t out[3];

    (void)state;
    assert_int_equal(mn_hex_decode("ABcDeF", 6, out, 3), MN_OK);
    assert_int_equal(out[0], 0xab);
    assert_int_equal(out[1], 0xcd);
    assert_int_equal(out[2], 0xef);
}

/* Every character that is not a hex digit, in every position. */
static void
test_hex_decode_bad_chars(void **state) {
    char text[9];
    uint8_t out[4];
    size_t rejected = 0;

    (void)state;
    for (int c = 0; c < 256; c++) {
        bool is_hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                      (c >= 'A' && c <= 'F');
        for (size_t pos = 0; pos < 8; pos++) {
            memcpy(text, "01234567", 9);
            text[pos] = (char)c;
            int rc = mn_hex_decode(text, 8, out, 4);
            assert_int_equal(rc, is_hex ? MN_OK : MN_EINVAL);
            rejected += rc == MN_EINVAL;
        }
    }
    assert_int_equal(rejected, (256 - 22) * 8);
}

static void
test_hex_decode_wrong_length(void **state) {
    uint8_t out[4];

    (void)state;
    assert_int_equal(mn_hex_decode("0123456", 7, out, 4), MN_EINVAL);
    assert_int_equal(mn_hex_decode("012345678", 9, out, 4), MN_EINVAL);
    assert_int_equal(mn_hex_decode("0123456789", 10, out, 4), MN_EINVAL);
    assert_int_equal(mn_hex_decode("012345", 6, out, 4), MN_EINVAL);
    assert_int_equal(mn_hex_decode("", 0, out, 4), MN_EINVAL);
    assert_int_equal(mn_hex_decode("", 0, out, 0), MN_OK);
    assert_int_equal(mn_hex_decode("01234567", 8, out, 4), MN_OK);
}

/* ---- big-endian packing ----------------------------------------------- */

static void
test_be_byte_order(void **state) {
    uint8_t b4[4], b8[8];
    const uint8_t e4[4] = {0x01, 0x02, 0x03, 0x04};
    const uint8_t e8[8] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};

    (void)state;
    mn_put_be32(b4, 0x01020304u);
    assert_memory_equal(b4, e4, 4);
    mn_put_be64(b8, UINT64_C(0x0102030405060708));
    assert_memory_equal(b8, e8, 8);
    assert_int_equal(mn_get_be32(e4), 0x01020304u);
    assert_true(mn_get_be64(e8) == UINT64_C(0x0102030405060708));
}

static void
test_be_round_trip(void **state) {
    static const uint64_t edges[] = {0,
                                     1,
                                     0xff,
                                     0x100,
                                     0xffff,
                                     0x10000,
                                     0xffffffffu,
                                     UINT64_C(1) << 32,
                                     UINT64_C(0x7fffffffffffffff),
                                     UINT64_C(0x8000000000000000),
                                     UINT64_MAX};
    test_rng r = {7};
    uint8_t b4[4], b8[8];

    (void)state;
    for (size_t i = 0; i < MN_ARRAY_LEN(edges) + 10000; i++) {
        uint64_t v = i < MN_ARRAY_LEN(edges) ? edges[i] : rng_next(&r);
        mn_put_be64(b8, v);
        assert_true(mn_get_be64(b8) == v);
        mn_put_be32(b4, (uint32_t)v);
        assert_int_equal(mn_get_be32(b4), (uint32_t)v);
    }
}

static int
sign_of(int x) {
    return (x > 0) - (x < 0);
}

/* memcmp of the packed bytes orders like the numbers: LMDB keys sort. */
static void
test_be_sort_order(void **state) {
    test_rng r = {99};
    uint8_t a8[8], b8[8], a4[4], b4[4];

    (void)state;
    for (int i = 0; i < 20000; i++) {
        uint64_t a = rng_next(&r), b;
        switch (i % 4) {
        case 0: b = rng_next(&r); break;
        case 1: b = a + 1; break;                         /* neighbours */
        case 2: b = a ^ (UINT64_C(1) << (i % 64)); break; /* one bit */
        default: b = a; break;                            /* equal */
        }
        int want = (a > b) - (a < b);
        mn_put_be64(a8, a);
        mn_put_be64(b8, b);
        assert_int_equal(sign_of(memcmp(a8, b8, 8)), want);
        uint32_t a32 = (uint32_t)a, b32 = (uint32_t)b;
        mn_put_be32(a4, a32);
        mn_put_be32(b4, b32);
        assert_int_equal(sign_of(memcmp(a4, b4, 4)), (a32 > b32) - (a32 < b32));
    }
}

/* ---- mn_problem_set ---------------------------------------------------- */

static void
test_problem_set(void **state) {
    mn_problem p;

    (void)state;
    memset(&p, 0x55, sizeof p);
    assert_int_equal(mn_problem_set(&p, "invalid_field", "email",
                                    "%s: bad (%d)", "email", 42),
                     MN_EINVAL);
    assert_string_equal(p.code, "invalid_field");
    assert_string_equal(p.field, "email");
    assert_string_equal(p.message, "email: bad (42)");

    assert_int_equal(mn_problem_set(&p, "bad_json", NULL, "no field"),
                     MN_EINVAL);
    assert_string_equal(p.code, "bad_json");
    assert_string_equal(p.field, "");
    assert_string_equal(p.message, "no field");
}

static void
test_problem_set_truncates(void **state) {
    mn_problem p;
    char long_field[200], long_msg[1000];

    (void)state;
    memset(long_field, 'f', sizeof long_field - 1);
    long_field[sizeof long_field - 1] = '\0';
    memset(long_msg, 'm', sizeof long_msg - 1);
    long_msg[sizeof long_msg - 1] = '\0';
    mn_problem_set(&p, "invalid_field", long_field, "%s", long_msg);
    assert_int_equal(strlen(p.field), sizeof p.field - 1);
    assert_memory_equal(p.field, long_field, sizeof p.field - 1);
    assert_int_equal(strlen(p.message), sizeof p.message - 1);
    assert_memory_equal(p.message, long_msg, sizeof p.message - 1);
}

/* ---- mn_mkdir_p -------------------------------------------------------- */

static void
assert_is_dir(const char *path, int mode) {
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, mode);
}

static int
setup_tmpdir(void **state) {
    char *root = mn_malloc(PATH_MAX);
    tmpdir_make(root, PATH_MAX, "util");
    *state = root;
    return 0;
}

static int
teardown_tmpdir(void **state) {
    tmpdir_remove(*state);
    free(*state);
    return 0;
}

static void
test_mkdir_p(void **state) {
    const char *root = *state;
    char path[PATH_MAX + 64];
    mode_t old = umask(022);

    snprintf(path, sizeof path, "%s/a/b/c", root);
    assert_int_equal(mn_mkdir_p(path, 0750), MN_OK);
    assert_is_dir(path, 0750);
    snprintf(path, sizeof path, "%s/a/b", root);
    assert_is_dir(path, 0750);
    snprintf(path, sizeof path, "%s/a", root);
    assert_is_dir(path, 0750);

    /* Existing directories are fine, with or without a trailing slash. */
    snprintf(path, sizeof path, "%s/a/b/c", root);
    assert_int_equal(mn_mkdir_p(path, 0700), MN_OK);
    assert_is_dir(path, 0750); /* not re-created, mode unchanged */
    snprintf(path, sizeof path, "%s/a/b/d/", root);
    assert_int_equal(mn_mkdir_p(path, 0700), MN_OK);
    assert_is_dir(path, 0700);

    /* A path through a regular file cannot be created. */
    snprintf(path, sizeof path, "%s/file", root);
    write_file(path, "x", 1, 0600);
    snprintf(path, sizeof path, "%s/file/sub", root);
    assert_int_equal(mn_mkdir_p(path, 0700), MN_EIO);
    snprintf(path, sizeof path, "%s/file/sub/deeper", root);
    assert_int_equal(mn_mkdir_p(path, 0700), MN_EIO);
    umask(old);
}

/* mkdir -p of an existing regular file fails. */
static void
test_mkdir_p_existing_file(void **state) {
    const char *root = *state;
    char path[PATH_MAX + 64];

    snprintf(path, sizeof path, "%s/file", root);
    write_file(path, "x", 1, 0600);
    assert_int_equal(mn_mkdir_p(path, 0700), MN_EIO);
}

static void
test_mkdir_p_bad_paths(void **state) {
    char huge[5000];

    (void)state;
    assert_int_equal(mn_mkdir_p("", 0700), MN_EINVAL);
    memset(huge, 'a', sizeof huge - 1);
    huge[0] = '/';
    huge[sizeof huge - 1] = '\0';
    assert_int_equal(mn_mkdir_p(huge, 0700), MN_EINVAL);
}

/* ---- mn_strerror ------------------------------------------------------- */

static void
test_strerror_every_code(void **state) {
    static const int codes[] = {
        MN_OK,        MN_EINVAL,  MN_ENOMEM,   MN_ENOTFOUND, MN_EEXIST,
        MN_EFULL,     MN_EIO,     MN_ECORRUPT, MN_ECRYPTO,   MN_ETOOBIG,
        MN_EAUTH,     MN_ECONFIG, MN_EDRIFT,   MN_ECONFLICT, MN_EGAP,
        MN_ESHUTDOWN, MN_EAGAIN,  MN_EERASED};
    const char *unknown = mn_strerror(-1000);

    (void)state;
    assert_non_null(unknown);
    /* Codes are a stable contract: 0, -1, ..., -17 with no gaps. */
    for (size_t i = 0; i < MN_ARRAY_LEN(codes); i++)
        assert_int_equal(codes[i], -(int)i);
    for (size_t i = 0; i < MN_ARRAY_LEN(codes); i++) {
        const char *z = mn_strerror(codes[i]);
        assert_non_null(z);
        assert_true(strlen(z) > 0);
        assert_string_not_equal(z, unknown);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(z, mn_strerror(codes[j]));
    }
    /* Anything else is "unknown", never NULL. */
    assert_string_equal(mn_strerror(1), unknown);
    assert_string_equal(mn_strerror(-18), unknown);
    assert_string_equal(mn_strerror(INT_MIN), unknown);
    assert_string_equal(mn_strerror(INT_MAX), unknown);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_init_release),
        cmocka_unit_test(test_buf_append_grows),
        cmocka_unit_test(test_buf_append_large_chunks),
        cmocka_unit_test(test_buf_reserve),
        cmocka_unit_test(test_buf_reset_keeps_memory),
        cmocka_unit_test(test_buf_append_empty),
        cmocka_unit_test(test_strdup_and_calloc),
        cmocka_unit_test(test_hex_encode_known),
        cmocka_unit_test(test_hex_round_trip),
        cmocka_unit_test(test_hex_decode_upper_case),
        cmocka_unit_test(test_hex_decode_bad_chars),
        cmocka_unit_test(test_hex_decode_wrong_length),
        cmocka_unit_test(test_be_byte_order),
        cmocka_unit_test(test_be_round_trip),
        cmocka_unit_test(test_be_sort_order),
        cmocka_unit_test(test_problem_set),
        cmocka_unit_test(test_problem_set_truncates),
        cmocka_unit_test_setup_teardown(test_mkdir_p, setup_tmpdir,
                                        teardown_tmpdir),
        cmocka_unit_test_setup_teardown(test_mkdir_p_existing_file,
                                        setup_tmpdir, teardown_tmpdir),
        cmocka_unit_test(test_mkdir_p_bad_paths),
        cmocka_unit_test(test_strerror_every_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
