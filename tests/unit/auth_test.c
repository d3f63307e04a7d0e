/*
 * auth_test — unit tests for auth.c: the admin token is issued once into
 * <data_dir>/admin.token (mode 0600) and kept across calls; only
 * "Bearer <that token>" is accepted; deleting the file issues a new token
 * and retires the old one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/auth.h"
#include "door/crypto.h"
#include "base/log.h"
#include "mentornet/mentornet.h"
#include "door/store.h"
#include "base/util.h"
#include "unit_helpers.h"

#define TOKEN_HEX 64

struct fixture {
    char dir[256]; /* data_dir */
    char token_path[300];
    mn_store *s;
};

static void
open_store(struct fixture *fx, const char *sub) {
    char db[400], err[512];
    snprintf(db, sizeof db, "%s/%s", fx->dir, sub);
    if (mn_store_open(db, 16 << 20, false, &fx->s, err, sizeof err) != MN_OK)
        fail_msg("open: %s", err);
}

static int
setup(void **state) {
    struct fixture *fx = mn_calloc(1, sizeof *fx);
    tmpdir_make(fx->dir, sizeof fx->dir, "auth");
    snprintf(fx->token_path, sizeof fx->token_path, "%s/admin.token", fx->dir);
    open_store(fx, "db");
    *state = fx;
    return 0;
}

static int
teardown(void **state) {
    struct fixture *fx = *state;
    mn_store_destroy(&fx->s);
    tmpdir_remove(fx->dir);
    free(fx);
    return 0;
}

/* mn_auth_init in its own committed write transaction. */
static void
auth_init(struct fixture *fx, uint8_t hash[MN_HASH_BYTES]) {
    mn_txn *t;
    assert_int_equal(mn_store_begin(fx->s, true, &t), MN_OK);
    assert_int_equal(mn_auth_init(t, fx->dir, hash), MN_OK);
    assert_int_equal(mn_txn_commit(&t), MN_OK);
}

/* The token as the file holds it (without the newline). */
static void
read_token(const struct fixture *fx, char token[TOKEN_HEX + 1]) {
    char text[256];
    size_t n = read_file(fx->token_path, text, sizeof text);
    assert_int_equal(n, TOKEN_HEX + 1);
    assert_int_equal(text[TOKEN_HEX], '\n');
    for (size_t i = 0; i < TOKEN_HEX; i++)
        assert_non_null(strchr("0123456789abcdef", text[i]));
    memcpy(token, text, TOKEN_HEX);
    token[TOKEN_HEX] = '\0';
}

static bool
check(const uint8_t hash[MN_HASH_BYTES], const char *prefix, const char *token,
      const char *suffix) {
    char header[512];
    snprintf(header, sizeof header, "%s%s%s", prefix, token, suffix);
    return mn_auth_check(hash, header);
}

static void
test_issue_once_and_keep(void **state) {
    struct fixture *fx = *state;
    uint8_t hash[MN_HASH_BYTES], again[MN_HASH_BYTES];
    char token[TOKEN_HEX + 1], token2[TOKEN_HEX + 1];
    struct stat st;
    mode_t old = umask(0); /* the file's mode must not rely on the umask */

    auth_init(fx, hash);
    assert_int_equal(stat(fx->token_path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    read_token(fx, token);
    assert_true(check(hash, "Bearer ", token, ""));
    /* The store keeps a hash, never the token itself. */
    uint8_t expect[MN_HASH_BYTES];
    mn_crypto_hash2(token, TOKEN_HEX, NULL, 0, expect);
    assert_memory_equal(hash, expect, MN_HASH_BYTES);

    /* Later starts keep the same token and hash. */
    for (int i = 0; i < 3; i++) {
        auth_init(fx, again);
        assert_memory_equal(again, hash, MN_HASH_BYTES);
        read_token(fx, token2);
        assert_string_equal(token2, token);
    }
    /* Also across a restart of the store. */
    mn_store_destroy(&fx->s);
    open_store(fx, "db");
    auth_init(fx, again);
    assert_memory_equal(again, hash, MN_HASH_BYTES);
    read_token(fx, token2);
    assert_string_equal(token2, token);
    umask(old);
}

static void
test_check_rejects(void **state) {
    struct fixture *fx = *state;
    uint8_t hash[MN_HASH_BYTES];
    char token[TOKEN_HEX + 1], bad[TOKEN_HEX + 1];

    auth_init(fx, hash);
    read_token(fx, token);
    assert_true(check(hash, "Bearer ", token, ""));

    /* Missing or malformed headers. */
    assert_false(mn_auth_check(hash, NULL));
    assert_false(mn_auth_check(hash, ""));
    assert_false(mn_auth_check(hash, "Bearer"));
    assert_false(mn_auth_check(hash, "Bearer "));
    assert_false(check(hash, "", token, ""));
    assert_false(check(hash, "bearer ", token, ""));
    assert_false(check(hash, "BEARER ", token, ""));
    assert_false(check(hash, "Basic ", token, ""));
    assert_false(check(hash, "Bearer  ", token, ""));
    assert_false(check(hash, " Bearer ", token, ""));
    assert_false(check(hash, "Bearer\t", token, ""));
    assert_false(check(hash, "Token ", token, ""));
    /* Wrong lengths. */
    assert_false(check(hash, "Bearer ", token, "0"));
    assert_false(check(hash, "Bearer ", token, " "));
    assert_false(check(hash, "Bearer ", token, "\n"));
    memcpy(bad, token, TOKEN_HEX + 1);
    bad[TOKEN_HEX - 1] = '\0';
    assert_false(check(hash, "Bearer ", bad, ""));
    assert_false(check(hash, "Bearer ", token + 1, ""));
    /* Wrong token: any one character changed, anywhere. */
    for (size_t i = 0; i < TOKEN_HEX; i++) {
        memcpy(bad, token, TOKEN_HEX + 1);
        bad[i] = bad[i] == '0' ? '1' : '0';
        if (check(hash, "Bearer ", bad, ""))
            fail_msg("a token differing at %zu was accepted", i);
    }
    /* A right token against a different hash. */
    uint8_t other[MN_HASH_BYTES];
    memcpy(other, hash, sizeof other);
    other[31] ^= 1;
    assert_false(check(other, "Bearer ", token, ""));
    assert_true(check(hash, "Bearer ", token, ""));
}

static void
test_deleting_file_rotates(void **state) {
    struct fixture *fx = *state;
    uint8_t hash[MN_HASH_BYTES], fresh[MN_HASH_BYTES], again[MN_HASH_BYTES];
    char token[TOKEN_HEX + 1], token2[TOKEN_HEX + 1];
    struct stat st;

    auth_init(fx, hash);
    read_token(fx, token);
    assert_int_equal(unlink(fx->token_path), 0);

    auth_init(fx, fresh);
    assert_int_equal(stat(fx->token_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    read_token(fx, token2);
    assert_string_not_equal(token2, token);
    assert_memory_not_equal(fresh, hash, MN_HASH_BYTES);
    /* The old token is retired, the new one works. */
    assert_false(check(fresh, "Bearer ", token, ""));
    assert_true(check(fresh, "Bearer ", token2, ""));
    /* ...and the store remembers the new hash. */
    auth_init(fx, again);
    assert_memory_equal(again, fresh, MN_HASH_BYTES);
}

/* A token file the store does not know (a store restored from elsewhere,
 * or a new store beside an old file) is replaced, not trusted. */
static void
test_unknown_file_replaced(void **state) {
    struct fixture *fx = *state;
    uint8_t hash[MN_HASH_BYTES], fresh[MN_HASH_BYTES];
    char token[TOKEN_HEX + 1], token2[TOKEN_HEX + 1];

    auth_init(fx, hash);
    read_token(fx, token);
    mn_store_destroy(&fx->s);
    open_store(fx, "other-db"); /* knows no token */
    auth_init(fx, fresh);
    read_token(fx, token2);
    assert_string_not_equal(token2, token);
    assert_false(check(fresh, "Bearer ", token, ""));
    assert_true(check(fresh, "Bearer ", token2, ""));
}

/* An aborted first start leaves a file without a stored hash; the next
 * start must not accept that orphaned token. */
static void
test_aborted_issue(void **state) {
    struct fixture *fx = *state;
    uint8_t hash[MN_HASH_BYTES], fresh[MN_HASH_BYTES];
    char token[TOKEN_HEX + 1], token2[TOKEN_HEX + 1];
    mn_txn *t;

    assert_int_equal(mn_store_begin(fx->s, true, &t), MN_OK);
    assert_int_equal(mn_auth_init(t, fx->dir, hash), MN_OK);
    mn_txn_abort(&t);
    read_token(fx, token);
    auth_init(fx, fresh);
    read_token(fx, token2);
    assert_string_not_equal(token2, token);
    assert_false(check(fresh, "Bearer ", token, ""));
    assert_true(check(fresh, "Bearer ", token2, ""));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

static int
group_setup(void **state) {
    (void)state;
    mn_log_set_level(MN_LOG_ERROR); /* issuing a token is logged as info */
    return mn_crypto_init() == MN_OK ? 0 : -1;
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        T(test_issue_once_and_keep),   T(test_check_rejects),
        T(test_deleting_file_rotates), T(test_unknown_file_replaced),
        T(test_aborted_issue),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
