/*
 * node_test — the write pipeline end to end, against a real store:
 * concurrent writers are group-committed; the log holds every change with
 * contiguous seqs, each chained to the previous one's hash, decryptable
 * only with its header as associated data, and every group's head is
 * signed; a missing entity fails alone; state survives a reopen; a store
 * refuses a node of another id.
 *
 * The start-up check: a store with a broken log, a wrong digest, a
 * malformed signature or a truncated file stops the open with a message
 * naming the data dir; the check runs in a child process, and a child that
 * dies of SIGSEGV, SIGBUS or SIGABRT (a damaged page) is reported as a
 * damaged store, one killed from outside is not; opening installs no
 * signal handler.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "change/envelope.h"
#include "change/log.h"
#include "door/codec.h"
#include "node/node.h"
#include "node/node_internal.h"
#include "node/seal.h"
#include "state/participant.h"
#include "state/state.h"
#include "unit_helpers.h"

#define THREADS 8
#define PER_THREAD 150

static char root[] = "/tmp/mn-node-XXXXXX";
static mn_config cfg;
static uint8_t sign_pk[MN_KEY_BYTES], network_key[MN_KEY_BYTES];

static void
write_keys(void) {
    char path[PATH_MAX + 64];
    uint8_t sk[MN_SIGN_SECRET_BYTES];
    mn_crypto_sign_keypair(sign_pk, sk);
    snprintf(path, sizeof path, "%s/copenhagen.sign.secret", cfg.key_dir);
    assert_int_equal(mn_crypto_key_write(path, sk, sizeof sk, 0600), MN_OK);
    unit_seal_keys(cfg.key_dir, "copenhagen");
    mn_crypto_random(network_key, sizeof network_key);
    snprintf(path, sizeof path, "%s/network.key", cfg.key_dir);
    assert_int_equal(mn_crypto_key_write(path, network_key, MN_KEY_BYTES, 0600),
                     MN_OK);
}

static int
setup(void **state) {
    (void)state;
    assert_int_equal(mn_crypto_init(), MN_OK);
    assert_non_null(mkdtemp(root));
    cfg.self.id = 1;
    strcpy(cfg.self.name, "copenhagen");
    snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s/data", root);
    snprintf(cfg.key_dir, sizeof cfg.key_dir, "%s", root);
    cfg.map_size = 64 << 20;
    cfg.sync = false;
    cfg.divisions[0] = cfg.self;
    cfg.ndivisions = 1;
    write_keys();
    return 0;
}

static int
teardown(void **state) {
    char cmd[PATH_MAX + 16];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* The origin the node last opened writes as (its division, incarnation). */
static uint32_t own;

static mn_node *
open_node(void) {
    mn_node *node = NULL;
    char err[512];
    int rc = mn_node_open(&cfg, &node, err, sizeof err);
    if (rc != MN_OK)
        fail_msg("open: %s", err);
    own = mn_node_origin(node);
    return node;
}

static void
create_ops(mn_ops *ops, const char *given) {
    mn_ops_init(ops);
    mn_ops_add_str(ops, MN_P_ROLE, "mentee", 6);
    mn_ops_add_str(ops, MN_P_STATUS, "applicant", 9);
    mn_ops_add_str(ops, MN_P_GIVEN_NAME, given, strlen(given));
    mn_ops_add_int(ops, MN_P_HOME, 1);
}

static void *
writer(void *arg) {
    mn_node *node = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        mn_write w = {.type = MN_ENTITY_PARTICIPANT, .create = true};
        create_ops(&w.ops, "Amina");
        if (mn_node_write(node, &w, 1) != MN_OK || w.result != MN_OK)
            abort();
        mn_ops_release(&w.ops);
    }
    return NULL;
}

/* Check one logged change: chain link, decryption, body. */
static void
check_change(const mn_val *v, uint64_t seq, uint8_t prev[MN_HASH_BYTES]) {
    mn_change_view view = {0};
    mn_change_header h;
    mn_ops ops;
    uint32_t type;
    uint8_t id[MN_ID_BYTES];
    assert_int_equal(mn_codec_change_decode(v->p, v->n, &view), MN_OK);
    assert_int_equal(mn_codec_header_decode(view.header, view.header_len, &h),
                     MN_OK);
    assert_int_equal(h.origin, own);
    assert_int_equal(h.seq, seq);
    assert_memory_equal(h.prev_hash, prev, MN_HASH_BYTES);
    assert_int_equal(mn_vv_get(&h.deps, own), seq - 1);
    assert_int_equal(h.key_id, MN_NETWORK_KEY_ID);
    uint8_t *plain = malloc(view.ciphertext_len);
    /* The header is bound to the ciphertext: another header fails. */
    assert_int_equal(
        mn_crypto_open(network_key, view.header, view.header_len - 1,
                       view.nonce, view.ciphertext, view.ciphertext_len, plain),
        MN_ECRYPTO);
    assert_int_equal(mn_crypto_open(network_key, view.header, view.header_len,
                                    view.nonce, view.ciphertext,
                                    view.ciphertext_len, plain),
                     MN_OK);
    assert_int_equal(mn_codec_body_decode(plain,
                                          view.ciphertext_len - MN_TAG_BYTES,
                                          &type, id, &ops),
                     MN_OK);
    assert_int_equal(type, MN_ENTITY_PARTICIPANT);
    mn_ops_release(&ops);
    free(plain);
    mn_codec_change_release(&view);
    mn_envelope_chain_hash(v->p, v->n, prev);
}

static void
check_sig(mn_txn *t, uint64_t seq, const uint8_t head[MN_HASH_BYTES],
          int *nsigs) {
    mn_chain_sig s;
    int rc = mn_log_sig_get(t, own, seq, &s);
    if (rc == MN_ENOTFOUND)
        return;
    assert_int_equal(rc, MN_OK);
    assert_memory_equal(s.head, head, MN_HASH_BYTES);
    assert_int_equal(mn_envelope_verify_head(sign_pk, &s), MN_OK);
    s.head[0] ^= 1;
    assert_int_equal(mn_envelope_verify_head(sign_pk, &s), MN_ECRYPTO);
    (*nsigs)++;
}

/* Walk the log of the node's own origin (the only one it holds); returns
 * the number of changes. */
static uint64_t
check_log(mn_node *node, int *nsigs) {
    mn_txn *t;
    mn_cursor *cur;
    mn_val k, v;
    uint8_t prev[MN_HASH_BYTES] = {0};
    uint64_t seq = 0;
    *nsigs = 0;
    assert_int_equal(mn_store_begin(mn_node_store(node), false, &t), MN_OK);
    assert_int_equal(mn_cursor_open(t, MN_DB_LOG, &cur), MN_OK);
    for (int rc = mn_cursor_seek(cur, NULL, 0, &k, &v); rc == MN_OK;
         rc = mn_cursor_next(cur, &k, &v)) {
        assert_int_equal(k.n, 12);
        assert_int_equal(mn_get_be64((const uint8_t *)k.p + 4), ++seq);
        check_change(&v, seq, prev);
        check_sig(t, seq, prev, nsigs);
    }
    mn_cursor_close(&cur);
    /* The newest change is always covered by a signature. */
    mn_chain_sig s;
    assert_int_equal(mn_log_sig_get(t, own, seq, &s), MN_OK);
    mn_txn_abort(&t);
    return seq;
}

static void
test_concurrent_writes_chain_and_sign(void **state) {
    (void)state;
    mn_node *node = open_node();
    pthread_t th[THREADS];
    int nsigs;
    mn_node_counters k;
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, writer, node), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(check_log(node, &nsigs), THREADS * PER_THREAD);
    mn_node_get_counters(node, &k);
    assert_int_equal(k.changes, THREADS * PER_THREAD);
    /* One signature per group commit, and groups formed. */
    assert_int_equal((uint64_t)nsigs, k.commits);
    assert_true(k.commits <= THREADS * PER_THREAD);
    mn_node_destroy(&node);
    assert_null(node);
}

static void
test_missing_entity_fails_alone(void **state) {
    (void)state;
    mn_node *node = open_node();
    mn_write ws[3] = {{.type = MN_ENTITY_PARTICIPANT, .create = true},
                      {.type = MN_ENTITY_PARTICIPANT},
                      {.type = MN_ENTITY_PARTICIPANT, .create = true}};
    create_ops(&ws[0].ops, "Sara");
    mn_ops_init(&ws[1].ops);
    mn_ops_add_str(&ws[1].ops, MN_P_STATUS, "waiting", 7);
    memset(ws[1].id, 0xab, MN_ID_BYTES);
    create_ops(&ws[2].ops, "Hodan");
    int nsigs;
    uint64_t before = check_log(node, &nsigs);
    assert_int_equal(mn_node_write(node, ws, 3), MN_OK);
    assert_int_equal(ws[0].result, MN_OK);
    assert_int_equal(ws[1].result, MN_ENOTFOUND);
    assert_int_equal(ws[2].result, MN_OK);
    assert_int_equal(check_log(node, &nsigs), before + 2);
    /* A patch of an existing entity changes it. */
    mn_write p = {.type = MN_ENTITY_PARTICIPANT};
    memcpy(p.id, ws[0].id, MN_ID_BYTES);
    mn_ops_init(&p.ops);
    mn_ops_add_str(&p.ops, MN_P_STATUS, "waiting", 7);
    assert_int_equal(mn_node_write(node, &p, 1), MN_OK);
    assert_int_equal(p.result, MN_OK);
    mn_txn *t;
    mn_entity e;
    assert_int_equal(mn_store_begin(mn_node_store(node), false, &t), MN_OK);
    assert_int_equal(mn_state_get(t, MN_ENTITY_PARTICIPANT, ws[0].id, &e),
                     MN_OK);
    assert_string_equal(mn_entity_str(&e, MN_P_STATUS), "waiting");
    /* Her name is stored sealed to this division, and opens here. */
    mn_entity open;
    assert_null(strstr(mn_entity_str(&e, MN_P_GIVEN_NAME), "Sara"));
    mn_node_unseal_entity(node, &e, &open);
    assert_string_equal(mn_entity_str(&open, MN_P_GIVEN_NAME), "Sara");
    mn_entity_release(&open);
    mn_entity_release(&e);
    mn_txn_abort(&t);
    for (int i = 0; i < 3; i++)
        mn_ops_release(&ws[i].ops);
    mn_ops_release(&p.ops);
    mn_node_destroy(&node);
}

static void
read_digest(mn_node *node, uint8_t d[MN_HASH_BYTES], mn_vv *vv) {
    mn_txn *t;
    assert_int_equal(mn_store_begin(mn_node_store(node), false, &t), MN_OK);
    assert_int_equal(mn_node_digest(t, d, vv), MN_OK);
    mn_txn_abort(&t);
}

static void
test_reopen_keeps_state(void **state) {
    (void)state;
    uint8_t d1[MN_HASH_BYTES], d2[MN_HASH_BYTES];
    mn_vv v1, v2;
    int nsigs;
    mn_node *node = open_node();
    read_digest(node, d1, &v1);
    mn_node_destroy(&node);
    node = open_node();
    read_digest(node, d2, &v2);
    assert_memory_equal(d1, d2, MN_HASH_BYTES);
    assert_true(mn_vv_equal(&v1, &v2));
    mn_write w = {.type = MN_ENTITY_PARTICIPANT, .create = true};
    create_ops(&w.ops, "Fatima");
    assert_int_equal(mn_node_write(node, &w, 1), MN_OK);
    mn_ops_release(&w.ops);
    /* check_log verifies the chain continues across the restart. */
    assert_int_equal(check_log(node, &nsigs), mn_vv_get(&v1, own) + 1);
    read_digest(node, d2, &v2);
    assert_memory_not_equal(d1, d2, MN_HASH_BYTES);
    mn_node_destroy(&node);
}

static void
test_store_of_other_division_refused(void **state) {
    (void)state;
    mn_node *node = NULL;
    char err[512];
    cfg.self.id = 2;
    int rc = mn_node_open(&cfg, &node, err, sizeof err);
    cfg.self.id = 1;
    assert_int_equal(rc, MN_ECONFIG);
    assert_null(node);
    assert_non_null(strstr(err, "division 1"));
}

/* ---- the start-up check ------------------------------------------------ */

/* Point cfg at a fresh data dir root/name holding n participants. */
static void
fresh_store(const char *name, int n) {
    snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s/%s", root, name);
    mn_node *node = open_node();
    for (int i = 0; i < n; i++) {
        mn_write w = {.type = MN_ENTITY_PARTICIPANT, .create = true};
        create_ops(&w.ops, "Nadia");
        assert_int_equal(mn_node_write(node, &w, 1), MN_OK);
        mn_ops_release(&w.ops);
    }
    mn_node_destroy(&node);
}

static void
use_main_store(void) {
    snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s/data", root);
}

/* Open cfg's store by itself, for a test to damage it. */
static mn_txn *
begin_raw(mn_store **store) {
    char err[512];
    mn_txn *t;
    assert_int_equal(mn_store_open(cfg.data_dir, cfg.map_size, false, store,
                                   err, sizeof err),
                     MN_OK);
    assert_int_equal(mn_store_begin(*store, true, &t), MN_OK);
    return t;
}

static void
commit_raw(mn_store **store, mn_txn *t) {
    assert_int_equal(mn_txn_commit(&t), MN_OK);
    mn_store_destroy(store);
}

/* Opening must fail as a damaged store, saying so, and what, in err. */
static void
expect_damaged(const char *what) {
    mn_node *node = NULL;
    char err[1024];
    int rc = mn_node_open(&cfg, &node, err, sizeof err);
    assert_null(node);
    if (rc != MN_ECORRUPT || !strstr(err, cfg.data_dir) ||
        !strstr(err, "damaged") || !strstr(err, what))
        fail_msg("open: %s (%s), expected \"%s\"", err, mn_strerror(rc), what);
}

static void
test_check_broken_log(void **state) {
    (void)state;
    mn_store *store = NULL;
    mn_bytes c;
    fresh_store("broken-log", 5);
    mn_txn *t = begin_raw(&store);
    /* Seq 3 holds a copy of seq 2: its header says 2, its hash differs. */
    assert_int_equal(mn_log_get(t, own, 2, &c), MN_OK);
    uint8_t *copy = malloc(c.n), key[MN_LOG_KEY_BYTES];
    memcpy(copy, c.p, c.n);
    mn_envelope_log_key(own, 3, key);
    assert_int_equal(mn_txn_put(t, MN_DB_LOG, key, sizeof key, copy, c.n, 0),
                     MN_OK);
    free(copy);
    commit_raw(&store, t);
    expect_damaged("the change log of division 1 breaks after seq 2");
    use_main_store();
}

static void
test_check_wrong_digest(void **state) {
    (void)state;
    mn_store *store = NULL;
    uint8_t digest[MN_HASH_BYTES] = {1};
    fresh_store("wrong-digest", 3);
    mn_txn *t = begin_raw(&store);
    assert_int_equal(mn_node_meta_put(t, "digest", digest, sizeof digest),
                     MN_OK);
    commit_raw(&store, t);
    expect_damaged("its entities do not match its digest");
    use_main_store();
}

/* A store made by an older version (schema 1: conflicts keyed without the
 * seq) is refused with what to do, and left as it was. */
static void
test_store_of_old_schema_refused(void **state) {
    (void)state;
    mn_store *store = NULL;
    mn_node *node = NULL;
    mn_val v;
    char err[1024];
    uint8_t old[4];
    mn_put_be32(old, 1);
    fresh_store("old-schema", 2);
    mn_txn *t = begin_raw(&store);
    assert_int_equal(mn_node_meta_put(t, "schema", old, sizeof old), MN_OK);
    commit_raw(&store, t);
    int rc = mn_node_open(&cfg, &node, err, sizeof err);
    assert_null(node);
    if (rc != MN_ECONFIG || !strstr(err, cfg.data_dir) ||
        !strstr(err, "store schema 1") || !strstr(err, "rebuild"))
        fail_msg("open: %s (%s)", err, mn_strerror(rc));
    t = begin_raw(&store);
    assert_int_equal(mn_txn_get(t, MN_DB_META, "schema", 6, &v), MN_OK);
    assert_int_equal(v.n, 4);
    assert_int_equal(mn_get_be32(v.p), 1);
    mn_txn_abort(&t);
    mn_store_destroy(&store);
    use_main_store();
}

static void
test_check_malformed_signature(void **state) {
    (void)state;
    mn_store *store = NULL;
    uint8_t key[MN_LOG_KEY_BYTES];
    fresh_store("bad-sig", 3);
    mn_txn *t = begin_raw(&store);
    mn_envelope_log_key(own, 2, key);
    assert_int_equal(
        mn_txn_put(t, MN_DB_SIGS, key, sizeof key, "\x0a\x01", 2, 0), MN_OK);
    commit_raw(&store, t);
    expect_damaged("a malformed entry");
    use_main_store();
}

static void
test_check_truncated_file(void **state) {
    (void)state;
    char path[PATH_MAX + 16], err[1024];
    mn_node *node = NULL;
    fresh_store("truncated", 50);
    snprintf(path, sizeof path, "%s/data.mdb", cfg.data_dir);
    assert_int_equal(truncate(path, 8192), 0);
    int rc = mn_node_open(&cfg, &node, err, sizeof err);
    assert_null(node);
    assert_int_not_equal(rc, MN_OK);
    assert_non_null(strstr(err, cfg.data_dir));
    assert_non_null(strstr(err, "truncated"));
    use_main_store();
}

/* Checks run in the child by the tests below. */
static int
report_pid(const mn_config *c, char *err, size_t errlen) {
    (void)c;
    snprintf(err, errlen, "%ld", (long)getpid());
    return MN_ECONFIG;
}

static int
die_of_segv(const mn_config *c, char *err, size_t errlen) {
    (void)c, (void)err, (void)errlen;
    raise(SIGSEGV);
    return MN_OK;
}

static int
die_of_bus(const mn_config *c, char *err, size_t errlen) {
    (void)c, (void)err, (void)errlen;
    raise(SIGBUS);
    return MN_OK;
}

static int
die_of_abort(const mn_config *c, char *err, size_t errlen) {
    (void)c, (void)err, (void)errlen;
    abort();
}

static int
die_of_kill(const mn_config *c, char *err, size_t errlen) {
    (void)c, (void)err, (void)errlen;
    raise(SIGKILL);
    return MN_OK;
}

static int
exit_without_verdict(const mn_config *c, char *err, size_t errlen) {
    (void)c, (void)err, (void)errlen;
    _exit(0);
}

static void
test_check_runs_in_a_child(void **state) {
    (void)state;
    char err[1024];
    assert_int_equal(mn_node_check_in_child(&cfg, report_pid, err, sizeof err),
                     MN_ECONFIG);
    long pid = atol(err);
    assert_true(pid > 0);
    assert_int_not_equal(pid, (long)getpid());
}

static void
test_check_child_dying_is_a_damaged_store(void **state) {
    (void)state;
    static const mn_node_check_fn deaths[] = {
        die_of_segv, die_of_bus, die_of_abort, exit_without_verdict};
    char err[1024];
    for (size_t i = 0; i < sizeof deaths / sizeof deaths[0]; i++) {
        err[0] = '\0';
        assert_int_equal(
            mn_node_check_in_child(&cfg, deaths[i], err, sizeof err),
            MN_ECORRUPT);
        assert_non_null(strstr(err, cfg.data_dir));
        assert_non_null(strstr(err, "the store is damaged: reading it faults"));
    }
    /* Killed from outside: nothing is known about the store. */
    assert_int_equal(mn_node_check_in_child(&cfg, die_of_kill, err, sizeof err),
                     MN_EIO);
    assert_non_null(strstr(err, cfg.data_dir));
    assert_null(strstr(err, "damaged"));
    assert_non_null(strstr(err, "killed by signal 9"));
}

static void
test_open_installs_no_signal_handler(void **state) {
    (void)state;
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT};
    struct sigaction before[3], after[3];
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], NULL, &before[i]);
    mn_node *node = open_node();
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], NULL, &after[i]);
    mn_node_destroy(&node);
    for (int i = 0; i < 3; i++)
        assert_ptr_equal(after[i].sa_handler, before[i].sa_handler);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_writes_chain_and_sign),
        cmocka_unit_test(test_missing_entity_fails_alone),
        cmocka_unit_test(test_reopen_keeps_state),
        cmocka_unit_test(test_store_of_other_division_refused),
        cmocka_unit_test(test_check_broken_log),
        cmocka_unit_test(test_check_wrong_digest),
        cmocka_unit_test(test_check_malformed_signature),
        cmocka_unit_test(test_store_of_old_schema_refused),
        cmocka_unit_test(test_check_truncated_file),
        cmocka_unit_test(test_check_runs_in_a_child),
        cmocka_unit_test(test_check_child_dying_is_a_damaged_store),
        cmocka_unit_test(test_open_installs_no_signal_handler),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
