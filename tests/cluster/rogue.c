/*
 * rogue — see rogue.h.
 */
#include "rogue.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hlc.h"
#include "change/envelope.h"
#include "change/log.h"
#include "state/participant.h"
#include "door/store.h"
#include "door/transport.h"

int
cl_crypto_init(void) {
    return mn_crypto_init();
}

/* ---- keys ------------------------------------------------------------- */

static int
key_file(const cl_cluster *c, const char *name, const char *suffix,
         uint8_t *key, size_t n, int secret) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s%s", c->key_dir, name, suffix);
    int rc = mn_crypto_key_read(path, key, n, secret);
    return QUIET_CHECK(rc == MN_OK, "read key %s: %s", path, mn_strerror(rc))
               ? 0
               : -1;
}

int
cl_keys_read(const cl_cluster *c, size_t i, cl_keys *out) {
    const char *name = c->node[i].name;
    memset(out, 0, sizeof *out);
    if (key_file(c, name, ".sign.pub", out->sign_pk, MN_KEY_BYTES, 0) ||
        key_file(c, name, ".sign.secret", out->sign_sk, MN_SIGN_SECRET_BYTES,
                 1) ||
        key_file(c, name, ".curve.pub", out->curve_pk, MN_KEY_BYTES, 0) ||
        key_file(c, name, ".curve.secret", out->curve_sk, MN_KEY_BYTES, 1) ||
        key_file(c, "", "network.key", out->network, MN_KEY_BYTES, 1))
        return -1;
    return 0;
}

void
cl_keys_wipe(cl_keys *k) {
    mn_crypto_wipe(k, sizeof *k);
}

/* ---- chains ----------------------------------------------------------- */

void
cl_change_hash(const mn_buf *change, uint8_t out[MN_HASH_BYTES]) {
    mn_envelope_chain_hash(change->p, change->len, out);
}

/* Copy origin's changes 1.. from t's log into ch. */
static int
read_changes(mn_txn *t, uint32_t origin, cl_chain *ch) {
    size_t cap = 0;
    for (uint64_t seq = 1;; seq++) {
        mn_bytes v;
        int rc = mn_log_get(t, origin, seq, &v);
        if (rc == MN_ENOTFOUND)
            return 0;
        if (rc != MN_OK)
            return -1;
        if (ch->n == cap) {
            cap = cap ? 2 * cap : 64;
            ch->change = mn_realloc(ch->change, cap * sizeof *ch->change);
        }
        mn_buf_init(&ch->change[ch->n]);
        mn_buf_append(&ch->change[ch->n], v.p, v.n);
        ch->n++;
    }
}

int
cl_chain_read(const char *dir, uint32_t origin, cl_chain *out) {
    char err[512];
    mn_store *s = NULL;
    mn_txn *t = NULL;
    memset(out, 0, sizeof *out);
    out->origin = origin;
    int rc =
        mn_store_open(dir, (uint64_t)256 << 20, false, &s, err, sizeof err);
    if (!QUIET_CHECK(rc == MN_OK, "open the store copy in %s: %s", dir, err))
        return -1;
    rc = mn_store_begin(s, false, &t);
    if (rc == MN_OK)
        rc = read_changes(t, origin, out) == 0 ? MN_OK : MN_EIO;
    if (rc == MN_OK && out->n > 0) {
        cl_change_hash(&out->change[out->n - 1], out->head);
        out->has_sig = mn_log_sig_get(t, origin, out->n, &out->sig) == MN_OK;
    }
    mn_txn_abort(&t);
    mn_store_destroy(&s);
    return rc == MN_OK ? 0 : -1;
}

void
cl_chain_release(cl_chain *ch) {
    for (size_t i = 0; i < ch->n; i++)
        mn_buf_release(&ch->change[i]);
    free(ch->change);
    memset(ch, 0, sizeof *ch);
}

/* ---- forging ---------------------------------------------------------- */

/* The ops of a participant create, as the API would make them. */
static void
participant_ops(uint32_t home, const char *family, mn_ops *ops) {
    mn_ops_init(ops);
    mn_ops_add_str(ops, MN_P_ROLE, "mentee", 6);
    mn_ops_add_str(ops, MN_P_GIVEN_NAME, "Rogue", 5);
    mn_ops_add_str(ops, MN_P_FAMILY_NAME, family, strlen(family));
    mn_ops_add_str(ops, MN_P_COUNTRY, "SY", 2);
    mn_ops_add_int(ops, MN_P_HOME, home);
    mn_ops_add_str(ops, MN_P_STATUS, "applicant", 9);
}

void
cl_forge_ops(const cl_forge *f, const uint8_t id[MN_ID_BYTES],
             const mn_ops *ops, mn_buf *out) {
    mn_buf body, header, cipher;
    uint8_t nonce[MN_NONCE_BYTES];
    mn_change_header h = {.origin = f->origin,
                          .seq = f->seq,
                          .hlc = f->hlc,
                          .key_id = 1,
                          .deps = f->deps};
    memcpy(h.prev_hash, f->prev_hash, MN_HASH_BYTES);
    mn_buf_init(&body);
    mn_buf_init(&header);
    mn_buf_init(&cipher);
    mn_codec_body_encode(MN_ENTITY_PARTICIPANT, id, ops->op, ops->n, &body);
    mn_codec_header_encode(&h, &header);
    mn_buf_reserve(&cipher, body.len + MN_TAG_BYTES);
    mn_crypto_seal(f->network_key, header.p, header.len, body.p, body.len,
                   nonce, cipher.p);
    if (f->tamper)
        cipher.p[body.len / 2] ^= 0x01;
    mn_change_view view = {.header = header.p,
                           .header_len = header.len,
                           .nonce = nonce,
                           .ciphertext = cipher.p,
                           .ciphertext_len = body.len + MN_TAG_BYTES};
    mn_codec_change_encode(&view, out);
    mn_buf_release(&body);
    mn_buf_release(&header);
    mn_buf_release(&cipher);
}

void
cl_forge_change(const cl_forge *f, mn_buf *out) {
    mn_ops ops;
    uint8_t id[MN_ID_BYTES];
    mn_id_new(MN_HLC_MS(f->hlc), mn_origin_division(f->origin), id);
    participant_ops(mn_origin_division(f->origin),
                    f->family_name ? f->family_name : "Forged", &ops);
    cl_forge_ops(f, id, &ops, out);
    mn_ops_release(&ops);
}

void
cl_sign_head(const uint8_t sk[MN_SIGN_SECRET_BYTES], uint32_t origin,
             uint64_t seq, const uint8_t head[MN_HASH_BYTES],
             mn_chain_sig *out) {
    mn_envelope_sign_head(sk, origin, seq, head, out);
}

void
cl_batch(uint32_t origin, const mn_buf *changes, size_t n,
         const mn_chain_sig *sig, mn_buf *out) {
    mn_bytes *b = mn_malloc((n ? n : 1) * sizeof *b);
    for (size_t i = 0; i < n; i++)
        b[i] = (mn_bytes){changes[i].p, changes[i].len};
    mn_codec_batch_encode(origin, b, n, sig, out);
    free(b);
}

/* ---- the rogue server ------------------------------------------------- */

struct cl_rogue {
    mn_transport *t;
    uint32_t victim;
    unsigned hellos, acks, other;
    mn_vv vv;
};

static void
rogue_on_message(void *ctx, uint32_t peer, bool server, const uint8_t *p,
                 size_t n) {
    cl_rogue *r = ctx;
    mn_peer_msg m;
    if (peer != r->victim || !server ||
        mn_codec_peer_decode(p, n, &m) != MN_OK) {
        r->other++;
        return;
    }
    if (m.kind == MN_MSG_HELLO) {
        r->hellos++;
        r->vv = m.vv;
    } else if (m.kind == MN_MSG_ACK) {
        r->acks++;
        r->vv = m.vv;
    } else {
        r->other++;
    }
    mn_codec_peer_release(&m);
}

static void
ignore_link(void *ctx, uint32_t peer, bool up) {
    (void)ctx, (void)peer, (void)up;
}

int
cl_rogue_new(const cl_cluster *c, size_t as, size_t victim, cl_rogue **out) {
    cl_keys mine, theirs;
    char listen[64], err[256] = "";
    mn_transport_peer peer = {.id = c->node[victim].id};
    if (cl_keys_read(c, as, &mine) != 0 || cl_keys_read(c, victim, &theirs))
        return -1;
    snprintf(peer.endpoint, sizeof peer.endpoint, "tcp://127.0.0.1:%d",
             c->node[victim].repl_port);
    memcpy(peer.curve_pk, theirs.curve_pk, MN_KEY_BYTES);
    snprintf(listen, sizeof listen, "tcp://127.0.0.1:%d",
             c->node[as].repl_port);
    cl_rogue *r = mn_calloc(1, sizeof *r);
    r->victim = c->node[victim].id;
    int rc = mn_transport_new(listen, mine.curve_pk, mine.curve_sk, &peer, 1,
                              &r->t, err, sizeof err);
    cl_keys_wipe(&mine);
    cl_keys_wipe(&theirs);
    if (!QUIET_CHECK(rc == MN_OK, "rogue transport on %s: %s", listen, err)) {
        free(r);
        return -1;
    }
    *out = r;
    return 0;
}

void
cl_rogue_destroy(cl_rogue **self_p) {
    cl_rogue *r = *self_p;
    if (!r)
        return;
    mn_transport_destroy(&r->t);
    free(r);
    *self_p = NULL;
}

void
cl_rogue_poll(cl_rogue *r, unsigned ms) {
    mn_transport_events ev = {r, rogue_on_message, ignore_link, NULL};
    uint64_t deadline = tl_now_ms() + ms;
    for (;;) {
        uint64_t now = tl_now_ms();
        bool woken = false;
        if (now >= deadline)
            return;
        mn_transport_poll(r->t, (int)(deadline - now), -1, &woken, &ev);
    }
}

static bool
wait_count(cl_rogue *r, const unsigned *counter, unsigned count,
           unsigned timeout_ms) {
    uint64_t deadline = tl_now_ms() + timeout_ms;
    while (*counter < count) {
        if (tl_now_ms() >= deadline)
            return false;
        cl_rogue_poll(r, 20);
    }
    return true;
}

bool
cl_rogue_wait_hello(cl_rogue *r, unsigned count, unsigned timeout_ms) {
    return wait_count(r, &r->hellos, count, timeout_ms);
}

bool
cl_rogue_wait_ack(cl_rogue *r, unsigned count, unsigned timeout_ms) {
    return wait_count(r, &r->acks, count, timeout_ms);
}

unsigned
cl_rogue_hellos(const cl_rogue *r) {
    return r->hellos;
}

unsigned
cl_rogue_acks(const cl_rogue *r) {
    return r->acks;
}

const mn_vv *
cl_rogue_victim_vv(const cl_rogue *r) {
    return &r->vv;
}

int
cl_rogue_send(cl_rogue *r, const void *p, size_t n) {
    return mn_transport_send(r->t, r->victim, true, p, n);
}

/* ---- the impostor ----------------------------------------------------- */

struct impostor {
    bool up;
    unsigned received;
};

static void
impostor_on_message(void *ctx, uint32_t peer, bool server, const uint8_t *p,
                    size_t n) {
    struct impostor *im = ctx;
    (void)peer, (void)server, (void)p, (void)n;
    im->received++;
}

static void
impostor_on_link(void *ctx, uint32_t peer, bool up) {
    struct impostor *im = ctx;
    (void)peer;
    im->up |= up;
}

int
cl_impostor_run(const cl_cluster *c, size_t victim, int listen_port,
                unsigned ms, bool (*done)(void *ctx), void *ctx, bool *link_up,
                unsigned *received) {
    uint8_t pk[MN_KEY_BYTES], sk[MN_KEY_BYTES];
    cl_keys theirs;
    char listen[64], err[256] = "";
    mn_transport *t = NULL;
    struct impostor im = {false, 0};
    mn_transport_peer peer = {.id = c->node[victim].id};
    if (cl_keys_read(c, victim, &theirs) != 0)
        return -1;
    memcpy(peer.curve_pk, theirs.curve_pk, MN_KEY_BYTES);
    cl_keys_wipe(&theirs);
    snprintf(peer.endpoint, sizeof peer.endpoint, "tcp://127.0.0.1:%d",
             c->node[victim].repl_port);
    snprintf(listen, sizeof listen, "tcp://127.0.0.1:%d", listen_port);
    mn_crypto_curve_keypair(pk, sk);
    int rc = mn_transport_new(listen, pk, sk, &peer, 1, &t, err, sizeof err);
    mn_crypto_wipe(sk, sizeof sk);
    if (!QUIET_CHECK(rc == MN_OK, "impostor transport: %s", err))
        return -1;
    /* Ask for everything, as a peer would: queued on the DEALER, it is
     * delivered only if the victim ever admits the handshake. */
    mn_vv zero;
    mn_buf hello;
    memset(&zero, 0, sizeof zero);
    mn_buf_init(&hello);
    mn_codec_hello_encode(c->node[victim].id == 1 ? 2 : 1, &zero, 4, &hello);
    mn_transport_send(t, peer.id, false, hello.p, hello.len);
    mn_buf_release(&hello);
    mn_transport_events ev = {&im, impostor_on_message, impostor_on_link, NULL};
    uint64_t deadline = tl_now_ms() + ms, next_check = 0;
    while (tl_now_ms() < deadline) {
        bool woken = false;
        mn_transport_poll(t, 20, -1, &woken, &ev);
        if (done && tl_now_ms() >= next_check) {
            if (done(ctx))
                break;
            next_check = tl_now_ms() + 100;
        }
    }
    mn_transport_destroy(&t);
    *link_up = im.up;
    *received = im.received;
    return 0;
}
