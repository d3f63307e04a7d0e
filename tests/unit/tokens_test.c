/*
 * tokens_test — unit tests for tokens.c: a token made is accepted with its
 * role, division and name, and only whole ("<id>.<secret>", Bearer); the
 * admin token's hash is the admin; a revoked token is refused and stays
 * listed; tokens are kept in the store (a new table reads them) and only
 * their hash is; a malformed record is never accepted; names and roles are
 * checked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "api/tokens.h"
#include "base/log.h"
#include "base/util.h"
#include "door/crypto.h"
#include "door/store.h"
#include "mentornet/mentornet.h"
#include "unit_helpers.h"

struct fixture {
    char dir[256];
    mn_store *s;
    mn_tokens *tk;
    uint8_t admin_hash[MN_HASH_BYTES];
    char admin[65];
};

static int
setup(void **state) {
    struct fixture *fx = mn_calloc(1, sizeof *fx);
    char err[512];
    uint8_t raw[32];
    tmpdir_make(fx->dir, sizeof fx->dir, "tokens");
    if (mn_store_open(fx->dir, 16 << 20, false, &fx->s, err, sizeof err) !=
        MN_OK)
        fail_msg("open: %s", err);
    mn_crypto_random(raw, sizeof raw);
    mn_hex_encode(raw, sizeof raw, fx->admin);
    mn_crypto_hash2(fx->admin, 64, NULL, 0, fx->admin_hash);
    assert_int_equal(mn_tokens_new(fx->s, fx->admin_hash, &fx->tk), MN_OK);
    *state = fx;
    return 0;
}

static int
teardown(void **state) {
    struct fixture *fx = *state;
    mn_tokens_destroy(&fx->tk);
    assert_null(fx->tk);
    mn_store_destroy(&fx->s);
    tmpdir_remove(fx->dir);
    free(fx);
    return 0;
}

static bool
identify(mn_tokens *tk, const char *token, mn_api_caller *who) {
    char header[256];
    snprintf(header, sizeof header, "Bearer %s", token);
    return mn_tokens_identify(tk, header, who);
}

static void
test_create_and_identify(void **state) {
    struct fixture *fx = *state;
    mn_token t;
    mn_api_caller who;
    char text[MN_TOKEN_TEXT];
    assert_int_equal(mn_tokens_create(fx->tk, MN_API_COORDINATOR, 2,
                                      "Coordinator AAR", &t, text),
                     MN_OK);
    assert_int_equal(strlen(text), MN_TOKEN_TEXT - 1);
    assert_int_equal(text[MN_TOKEN_ID_HEX], '.');
    assert_memory_equal(text, t.id, MN_TOKEN_ID_HEX);
    assert_true(identify(fx->tk, text, &who));
    assert_int_equal(who.role, MN_API_COORDINATOR);
    assert_int_equal(who.division, 2);
    assert_string_equal(who.token_id, t.id);
    assert_string_equal(who.name, "Coordinator AAR");
    /* A national token has no division, whatever is asked. */
    assert_int_equal(
        mn_tokens_create(fx->tk, MN_API_NATIONAL, 3, "National", &t, text),
        MN_OK);
    assert_int_equal(t.division, 0);
    assert_true(identify(fx->tk, text, &who));
    assert_int_equal(who.role, MN_API_NATIONAL);
    /* The bootstrap token is the admin. */
    assert_true(identify(fx->tk, fx->admin, &who));
    assert_int_equal(who.role, MN_API_ADMIN);
    assert_string_equal(who.token_id, "");
}

static void
test_refused(void **state) {
    struct fixture *fx = *state;
    mn_token t;
    mn_api_caller who;
    char text[MN_TOKEN_TEXT], bad[MN_TOKEN_TEXT + 8], header[256];
    assert_int_equal(mn_tokens_create(fx->tk, MN_API_ADMIN, 0, "Ops", &t, text),
                     MN_OK);
    assert_false(mn_tokens_identify(fx->tk, NULL, &who));
    assert_false(mn_tokens_identify(fx->tk, text, &who)); /* no Bearer */
    snprintf(header, sizeof header, "bearer %s", text);
    assert_false(mn_tokens_identify(fx->tk, header, &who));
    memcpy(bad, text, sizeof text);
    bad[MN_TOKEN_TEXT - 2] = bad[MN_TOKEN_TEXT - 2] == '0' ? '1' : '0';
    assert_false(identify(fx->tk, bad, &who)); /* right id, wrong secret */
    memcpy(bad, text, sizeof text);
    bad[0] = bad[0] == '0' ? '1' : '0';
    assert_false(identify(fx->tk, bad, &who)); /* wrong id */
    memcpy(bad, text, sizeof text);
    bad[MN_TOKEN_ID_HEX] = '-';
    assert_false(identify(fx->tk, bad, &who));
    snprintf(bad, sizeof bad, "%sx", text);
    assert_false(identify(fx->tk, bad, &who));
    assert_false(identify(fx->tk, text + MN_TOKEN_ID_HEX + 1, &who));
}

static void
test_revoke_and_reload(void **state) {
    struct fixture *fx = *state;
    mn_token t, r, *all;
    mn_api_caller who;
    size_t n;
    char text[MN_TOKEN_TEXT], keep[MN_TOKEN_TEXT];
    assert_int_equal(
        mn_tokens_create(fx->tk, MN_API_NATIONAL, 0, "Gone", &t, text), MN_OK);
    assert_int_equal(
        mn_tokens_create(fx->tk, MN_API_COORDINATOR, 1, "Stays", &r, keep),
        MN_OK);
    assert_int_equal(mn_tokens_revoke(fx->tk, t.id, &r), MN_OK);
    assert_true(r.revoked);
    assert_false(identify(fx->tk, text, &who));
    assert_int_equal(mn_tokens_revoke(fx->tk, t.id, &r), MN_OK); /* twice */
    assert_int_equal(mn_tokens_revoke(fx->tk, "0000000000000000", &r),
                     MN_ENOTFOUND);
    /* A new table over the same store: the same tokens. */
    mn_tokens_destroy(&fx->tk);
    assert_int_equal(mn_tokens_new(fx->s, fx->admin_hash, &fx->tk), MN_OK);
    assert_false(identify(fx->tk, text, &who));
    assert_true(identify(fx->tk, keep, &who));
    assert_string_equal(who.name, "Stays");
    mn_tokens_list(fx->tk, &all, &n);
    assert_int_equal(n, 2);
    assert_true(strcmp(all[0].id, all[1].id) < 0);
    assert_int_equal(all[0].revoked + all[1].revoked, 1);
    free(all);
}

/* The store holds the hash, never the secret. */
static void
test_only_the_hash_stored(void **state) {
    struct fixture *fx = *state;
    mn_token t;
    char text[MN_TOKEN_TEXT], key[64];
    mn_txn *txn;
    mn_val v;
    uint8_t h[MN_HASH_BYTES];
    assert_int_equal(
        mn_tokens_create(fx->tk, MN_API_NATIONAL, 0, "National", &t, text),
        MN_OK);
    snprintf(key, sizeof key, "token/%s", t.id);
    assert_int_equal(mn_store_begin(fx->s, false, &txn), MN_OK);
    assert_int_equal(mn_txn_get(txn, MN_DB_META, key, strlen(key), &v), MN_OK);
    mn_crypto_hash2(text, MN_TOKEN_TEXT - 1, NULL, 0, h);
    assert_non_null(memmem(v.p, v.n, h, sizeof h));
    assert_null(memmem(v.p, v.n, text + MN_TOKEN_ID_HEX + 1, 16));
    mn_txn_abort(&txn);
}

/* A record that does not parse is skipped, never accepted. */
static void
test_malformed_record(void **state) {
    struct fixture *fx = *state;
    mn_txn *t;
    mn_token *all;
    size_t n;
    assert_int_equal(mn_store_begin(fx->s, true, &t), MN_OK);
    assert_int_equal(mn_txn_put(t, MN_DB_META, "token/0123456789abcdef", 22,
                                "\x01\x00\x00", 3, 0),
                     MN_OK);
    assert_int_equal(mn_txn_commit(&t), MN_OK);
    mn_tokens_destroy(&fx->tk);
    assert_int_equal(mn_tokens_new(fx->s, fx->admin_hash, &fx->tk), MN_OK);
    mn_tokens_list(fx->tk, &all, &n);
    assert_int_equal(n, 0);
    free(all);
}

static void
test_names_and_roles(void **state) {
    struct fixture *fx = *state;
    mn_token t;
    char text[MN_TOKEN_TEXT], long_name[80];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_true(mn_tokens_name_ok("Fatima (København)"));
    assert_false(mn_tokens_name_ok(""));
    assert_false(mn_tokens_name_ok(NULL));
    assert_false(mn_tokens_name_ok("a\"b"));
    assert_false(mn_tokens_name_ok("a\\b"));
    assert_false(mn_tokens_name_ok("a\nb"));
    assert_false(mn_tokens_name_ok(long_name));
    assert_int_equal(
        mn_tokens_create(fx->tk, MN_API_NATIONAL, 0, "x\"y", &t, text),
        MN_EINVAL);
    assert_int_equal(mn_tokens_role_parse("coordinator"), MN_API_COORDINATOR);
    assert_int_equal(mn_tokens_role_parse("national"), MN_API_NATIONAL);
    assert_int_equal(mn_tokens_role_parse("admin"), MN_API_ADMIN);
    assert_int_equal(mn_tokens_role_parse("king"), -1);
    assert_int_equal(mn_tokens_role_parse(NULL), -1);
    assert_string_equal(mn_tokens_role_name(MN_API_NATIONAL), "national");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

static int
group_setup(void **state) {
    (void)state;
    mn_log_set_level(MN_LOG_ERROR);
    return mn_crypto_init() == MN_OK ? 0 : -1;
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        T(test_create_and_identify), T(test_refused),
        T(test_revoke_and_reload),   T(test_only_the_hash_stored),
        T(test_malformed_record),    T(test_names_and_roles),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
