/*
 * repl_test — the replication engine through its sans-IO interface alone:
 * two real nodes (LMDB stores in a temp dir), two engines, and a hand-held
 * "network" that is just the list of messages each engine asked to send.
 * It checks the session protocol step by step: HELLO on link up, a Batch
 * answering it, the Ack, live pushes, a gap answered by a new HELLO, and a
 * tampered signature refused with nothing applied.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "door/codec.h"
#include "node/node.h"
#include "base/log.h"
#include "state/participant.h"
#include "repl/repl.h"
#include "unit_helpers.h"

#define MAX_SENT 64

struct sent {
    uint32_t to;
    enum mn_channel ch;
    mn_buf bytes;
};

struct side {
    mn_config cfg;
    mn_node *node;
    mn_repl *eng;
    struct sent out[MAX_SENT];
    size_t nout;
};

static char root[] = "/tmp/mn-repl-XXXXXX";
static struct side a, b;
static mn_repl_keys keys;
/* The engines get time from the test; the nodes stamp changes with the
 * wall clock, so the test starts from it (the drift bound is real). */
static uint64_t t0;

static void
capture(void *ctx, uint32_t peer, enum mn_channel ch, const uint8_t *p,
        size_t n) {
    struct side *s = ctx;
    assert_true(s->nout < MAX_SENT);
    struct sent *m = &s->out[s->nout++];
    m->to = peer;
    m->ch = ch;
    mn_buf_init(&m->bytes);
    mn_buf_append(&m->bytes, p, n);
}

static void
drop_sent(struct side *s) {
    for (size_t i = 0; i < s->nout; i++)
        mn_buf_release(&s->out[i].bytes);
    s->nout = 0;
}

/* Deliver everything `from` sent to `to`, as the network would. */
static void
deliver(struct side *from, struct side *to) {
    size_t n = from->nout;
    struct sent copy[MAX_SENT];
    memcpy(copy, from->out, n * sizeof copy[0]);
    from->nout = 0;
    for (size_t i = 0; i < n; i++) {
        enum mn_channel at =
            copy[i].ch == MN_CH_CLIENT ? MN_CH_SERVER : MN_CH_CLIENT;
        mn_repl_on_message(to->eng, from->cfg.self.id, at, copy[i].bytes.p,
                           copy[i].bytes.len, t0);
        mn_buf_release(&copy[i].bytes);
    }
}

static void
make_side(struct side *s, uint32_t id) {
    char err[256];
    memset(&s->cfg, 0, sizeof s->cfg);
    for (uint32_t k = 0; k < 2; k++) {
        s->cfg.divisions[k].id = k + 1;
        snprintf(s->cfg.divisions[k].name, MN_NAME_MAX, "d%u", k + 1);
    }
    s->cfg.ndivisions = 2;
    s->cfg.self = s->cfg.divisions[id - 1];
    snprintf(s->cfg.data_dir, sizeof s->cfg.data_dir, "%s/d%u", root, id);
    snprintf(s->cfg.key_dir, sizeof s->cfg.key_dir, "%s", root);
    s->cfg.map_size = 16 << 20;
    s->cfg.sync = false;
    s->cfg.max_drift_ms = 300000;
    if (mn_node_open(&s->cfg, &s->node, err, sizeof err) != MN_OK)
        fail_msg("open: %s", err);
    mn_repl_io io = {s, capture};
    s->eng = mn_repl_new(s->node, &keys, &io, t0, 1000);
    s->nout = 0;
    /* No peer has told its vector: local writes open after the grace. */
    mn_repl_on_tick(s->eng, t0 + 1000);
    assert_true(mn_node_writable(s->node));
    assert_int_equal(s->nout, 0); /* no link is up: nothing to say yet */
}

static int
setup(void **state) {
    char path[PATH_MAX + 64];
    uint8_t pk[MN_KEY_BYTES], sk[MN_SIGN_SECRET_BYTES], net[MN_KEY_BYTES];
    (void)state;
    t0 = mn_wall_ms();
    assert_int_equal(mn_crypto_init(), MN_OK);
    assert_non_null(mkdtemp(root));
    mn_crypto_random(net, sizeof net);
    snprintf(path, sizeof path, "%s/network.key", root);
    assert_int_equal(mn_crypto_key_write(path, net, sizeof net, 0600), MN_OK);
    for (uint32_t id = 1; id <= 2; id++) {
        mn_crypto_sign_keypair(pk, sk);
        snprintf(path, sizeof path, "%s/d%u.sign.secret", root, id);
        assert_int_equal(mn_crypto_key_write(path, sk, sizeof sk, 0600), MN_OK);
        keys.has_key[id] = true;
        memcpy(keys.key[id], pk, MN_KEY_BYTES);
    }
    make_side(&a, 1);
    make_side(&b, 2);
    return 0;
}

static int
teardown(void **state) {
    char cmd[PATH_MAX + 16];
    (void)state;
    drop_sent(&a);
    drop_sent(&b);
    mn_repl_destroy(&a.eng);
    mn_repl_destroy(&b.eng);
    mn_node_destroy(&a.node);
    mn_node_destroy(&b.node);
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    return system(cmd) == 0 ? 0 : -1;
}

static uint64_t
seq_of(struct side *s, uint32_t origin) {
    mn_vv vv;
    mn_node_state(s->node, &vv, NULL);
    return vv.seq[origin];
}

static void
write_on(struct side *s, const char *name) {
    mn_write w = {.type = MN_ENTITY_PARTICIPANT, .create = true};
    mn_ops_init(&w.ops);
    mn_ops_add_str(&w.ops, MN_P_ROLE, "mentee", 6);
    mn_ops_add_str(&w.ops, MN_P_STATUS, "applicant", 9);
    mn_ops_add_str(&w.ops, MN_P_GIVEN_NAME, name, strlen(name));
    mn_ops_add_int(&w.ops, MN_P_HOME, s->cfg.self.id);
    assert_int_equal(mn_node_write(s->node, &w, 1), MN_OK);
    assert_int_equal(w.result, MN_OK);
    mn_ops_release(&w.ops);
}

static enum mn_msg_kind
kind_of(const struct sent *m) {
    mn_peer_msg pm;
    assert_int_equal(mn_codec_peer_decode(m->bytes.p, m->bytes.len, &pm),
                     MN_OK);
    enum mn_msg_kind k = pm.kind;
    mn_codec_peer_release(&pm);
    return k;
}

static uint64_t
rejected(struct side *s, enum mn_reject why) {
    mn_repl_stats *st = malloc(sizeof *st);
    mn_repl_stats_get(s->eng, st);
    uint64_t n = st->peers[0].rejected[why];
    free(st);
    return n;
}

/* Link up: the client says HELLO; the server answers with a Batch of what
 * the client lacks; the client applies it and acks. */
static void
test_hello_batch_ack(void **state) {
    (void)state;
    write_on(&a, "Amina");
    write_on(&a, "Sara");
    mn_repl_on_link(b.eng, 1, true, t0);
    assert_int_equal(b.nout, 1);
    assert_int_equal(b.out[0].ch, MN_CH_CLIENT);
    assert_int_equal(kind_of(&b.out[0]), MN_MSG_HELLO);
    deliver(&b, &a); /* a serves b */
    assert_int_equal(a.nout, 1);
    assert_int_equal(a.out[0].ch, MN_CH_SERVER);
    assert_int_equal(kind_of(&a.out[0]), MN_MSG_BATCH);
    deliver(&a, &b);
    assert_int_equal(seq_of(&b, 1), 2);
    assert_int_equal(b.nout, 1);
    assert_int_equal(kind_of(&b.out[0]), MN_MSG_ACK);
    deliver(&b, &a); /* nothing more to send */
    assert_int_equal(a.nout, 0);
}

/* A commit on the server is pushed to the client at once. */
static void
test_live_push(void **state) {
    (void)state;
    write_on(&a, "Hodan");
    mn_repl_on_commit(a.eng, t0);
    assert_int_equal(a.nout, 1);
    assert_int_equal(kind_of(&a.out[0]), MN_MSG_BATCH);
    deliver(&a, &b);
    assert_int_equal(seq_of(&b, 1), 3);
    deliver(&b, &a);
}

/* A Batch lost on the way leaves a gap: the next is refused as a gap and
 * the client says HELLO again, which resends from where it is. */
static void
test_gap_asks_again(void **state) {
    (void)state;
    uint64_t gaps = rejected(&b, MN_REJ_GAP);
    write_on(&a, "Leyla");
    mn_repl_on_commit(a.eng, t0);
    drop_sent(&a); /* the network loses it */
    write_on(&a, "Mette");
    mn_repl_on_commit(a.eng, t0);
    deliver(&a, &b);
    assert_int_equal(seq_of(&b, 1), 3);
    assert_int_equal(rejected(&b, MN_REJ_GAP), gaps + 1);
    assert_int_equal(b.nout, 1);
    assert_int_equal(kind_of(&b.out[0]), MN_MSG_HELLO);
    deliver(&b, &a);
    deliver(&a, &b);
    assert_int_equal(seq_of(&b, 1), 5);
    deliver(&b, &a);
}

/* A Batch whose signature was tampered with is refused and counted, and
 * nothing of it is applied. */
static void
test_bad_signature_refused(void **state) {
    (void)state;
    uint64_t before = rejected(&b, MN_REJ_SIGNATURE);
    write_on(&a, "Karen");
    mn_repl_on_commit(a.eng, t0);
    assert_int_equal(a.nout, 1);
    /* The signature is the Batch's last bytes. */
    a.out[0].bytes.p[a.out[0].bytes.len - 1] ^= 1;
    deliver(&a, &b);
    assert_int_equal(seq_of(&b, 1), 5);
    assert_int_equal(rejected(&b, MN_REJ_SIGNATURE), before + 1);
    drop_sent(&b);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_batch_ack),
        cmocka_unit_test(test_live_push),
        cmocka_unit_test(test_gap_asks_again),
        cmocka_unit_test(test_bad_signature_refused),
    };
    mn_log_set_level(MN_LOG_ERROR);
    return cmocka_run_group_tests(tests, setup, teardown);
}
