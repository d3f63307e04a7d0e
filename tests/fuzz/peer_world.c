/*
 * peer_world — see peer_world.h. Changes are built exactly as node.c's
 * seal_change builds them (body encoded, encrypted under the network key
 * with the encoded header as associated data, wrapped in a Change) and
 * signed exactly as sign_head signs (be32 origin, be64 seq, head), except
 * that the nonce is derived from the change instead of drawn at random.
 */
#include "peer_world.h"

#include <sodium.h>
#include <string.h>

#include "change/envelope.h"
#include "base/id.h"
#include "state/kind.h"
#include "state/membership.h"
#include "state/participant.h"

void
pw_sign_keypair(uint32_t node, uint8_t pk[MN_KEY_BYTES],
                uint8_t sk[MN_SIGN_SECRET_BYTES]) {
    uint8_t seed[crypto_sign_SEEDBYTES];
    char label[32];
    int n = snprintf(label, sizeof label, "mentornet-fuzz-sign-%u", node);
    mn_crypto_hash2(label, (size_t)n, NULL, 0, seed);
    crypto_sign_seed_keypair(pk, sk, seed);
}

void
pw_network_key(uint8_t key[MN_KEY_BYTES]) {
    static const char label[] = "mentornet-fuzz-network";
    mn_crypto_hash2(label, sizeof label - 1, NULL, 0, key);
}

void
pw_spec_init(pw_spec *s, uint64_t hlc, const uint8_t id[MN_ID_BYTES]) {
    memset(s, 0, sizeof *s);
    s->hlc = hlc;
    s->id = id;
    mn_ops_init(&s->ops);
}

void
pw_spec_release(pw_spec *s) {
    mn_ops_release(&s->ops);
}

void
pw_add_sealed(mn_ops *ops, uint32_t no, const char *z) {
    char out[2 + 2 * 64 + 64];
    size_t n = strlen(z) < 64 ? strlen(z) : 64, len = 2 + 2 * n;
    memcpy(out, "~1", 2);
    mn_hex_encode((const uint8_t *)z, n, out + 2);
    while (len < MN_SEALED_MIN_CHARS || (len - 2) % 4 != 0)
        out[len++] = 'A';
    mn_ops_add_str(ops, no, out, len);
}

void
pw_spec_create(pw_spec *s, const char *role, uint32_t home, const char *given,
               const char *family) {
    mn_ops_add_str(&s->ops, MN_P_ROLE, role, strlen(role));
    mn_ops_add_int(&s->ops, MN_P_HOME, home);
    mn_ops_add_str(&s->ops, MN_P_STATUS, "applicant", 9);
    pw_add_sealed(&s->ops, MN_P_GIVEN_NAME, given);
    pw_add_sealed(&s->ops, MN_P_FAMILY_NAME, family);
}

void
pw_batch_init(pw_batch *b) {
    b->n = 0;
}

void
pw_batch_release(pw_batch *b) {
    for (size_t i = 0; i < b->n; i++)
        mn_buf_release(&b->change[i]);
    b->n = 0;
}

void
pw_change_raw(pw_chain *c, uint64_t hlc, uint32_t key_id, const mn_vv *deps,
              const uint8_t *body, size_t body_len, pw_batch *b) {
    mn_change_header h = {.origin = c->origin,
                          .seq = c->seq + 1,
                          .hlc = hlc,
                          .key_id = key_id,
                          .deps = *deps};
    uint8_t net[MN_KEY_BYTES], nonce[MN_HASH_BYTES];
    mn_buf header, cipher;
    mn_buf_init(&header);
    mn_buf_init(&cipher);
    mn_vv_set(&h.deps, c->origin, c->seq);
    memcpy(h.prev_hash, c->head, MN_HASH_BYTES);
    mn_codec_header_encode(&h, &header);
    mn_crypto_hash2(header.p, header.len, body, body_len, nonce);
    pw_network_key(net);
    mn_buf_reserve(&cipher, body_len + MN_TAG_BYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        cipher.p, NULL, body, body_len, header.p, header.len, NULL, nonce, net);
    mn_change_view v = {.header = header.p,
                        .header_len = header.len,
                        .nonce = nonce,
                        .ciphertext = cipher.p,
                        .ciphertext_len = body_len + MN_TAG_BYTES};
    mn_buf *out = &b->change[b->n++];
    mn_buf_init(out);
    mn_codec_change_encode(&v, out);
    mn_crypto_hash2(out->p, out->len, NULL, 0, c->head);
    c->seq = h.seq;
    mn_buf_release(&header);
    mn_buf_release(&cipher);
}

void
pw_change(pw_chain *c, const pw_spec *s, pw_batch *b) {
    mn_buf body;
    mn_buf_init(&body);
    mn_codec_body_encode(s->type ? s->type : MN_ENTITY_PARTICIPANT, s->id,
                         s->ops.op, s->ops.n, &body);
    pw_change_raw(c, s->hlc, s->key_id ? s->key_id : 1, &s->deps, body.p,
                  body.len, b);
    mn_buf_release(&body);
}

/* An hlc and deps from a selector byte: the clock within a minute either
 * side of PW_NOW_MS, the top bit makes the change wait for origin 3's seq
 * 5 (not in the baseline). */
static void
seal_params(uint8_t sel, const mn_vv *base, uint64_t *hlc, mn_vv *deps) {
    *hlc = MN_HLC_MAKE(PW_NOW_MS - 60000 + (uint64_t)(sel & 0x7f) * 1000,
                       sel & 0x0f);
    *deps = *base;
    if (sel & 0x80)
        mn_vv_set(deps, PW_OTHER, mn_vv_get(base, PW_OTHER) + 1);
}

bool
pw_seal_batch(const uint8_t *p, size_t n, const mn_vv *base, mn_buf *out) {
    pw_chain c = {.origin = PW_PEER};
    pw_batch b;
    pw_batch_init(&b);
    while (n >= 3 && b.n < PW_BATCH_MAX) {
        uint64_t hlc;
        mn_vv deps;
        size_t len = (size_t)p[1] << 8 | p[2];
        seal_params(p[0], base, &hlc, &deps);
        p += 3;
        n -= 3;
        if (len > n)
            len = n;
        pw_change_raw(&c, hlc, 1, &deps, p, len, &b);
        p += len;
        n -= len;
    }
    if (b.n == 0)
        return false;
    pw_batch_encode(&b, &c, PW_PEER, out);
    pw_batch_release(&b);
    return true;
}

void
pw_seal_record(uint8_t sel, const uint8_t *body, size_t len, mn_buf *out) {
    uint8_t head[3] = {sel, (uint8_t)(len >> 8), (uint8_t)len};
    mn_buf_append(out, head, sizeof head);
    mn_buf_append(out, body, len);
}

void
pw_batch_encode(const pw_batch *b, const pw_chain *c, uint32_t signer,
                mn_buf *out) {
    uint8_t pk[MN_KEY_BYTES], sk[MN_SIGN_SECRET_BYTES];
    mn_chain_sig sig;
    mn_bytes changes[PW_BATCH_MAX];
    pw_sign_keypair(signer, pk, sk);
    mn_envelope_sign_head(sk, c->origin, c->seq, c->head, &sig);
    for (size_t i = 0; i < b->n; i++)
        changes[i] = (mn_bytes){b->change[i].p, b->change[i].len};
    mn_codec_batch_encode(c->origin, changes, b->n, &sig, out);
}

/* Emit b signed by its origin as the next message; empties b. */
static void
emit(const pw_chain *c, pw_batch *b, mn_buf *msgs, size_t cap, size_t *n) {
    if (*n < cap) {
        mn_buf_init(&msgs[*n]);
        pw_batch_encode(b, c, c->origin, &msgs[(*n)++]);
    }
    pw_batch_release(b);
}

static void
make_id(uint8_t id[MN_ID_BYTES], uint8_t tag, uint32_t division) {
    /* A time-ordered id (version 7 layout) 30 days before the clock, made
     * by division (base/id.h: its home, as the ownership rule reads it). */
    uint64_t ms = PW_NOW_MS - 30ull * 86400000;
    memset(id, tag, MN_ID_BYTES);
    for (int i = 5; i >= 0; i--, ms >>= 8)
        id[i] = (uint8_t)ms;
    id[6] = 0x70;
    id[8] = 0x80;
    id[MN_ID_DIVISION_BYTE] = (uint8_t)division;
}

/* The create of X: A joins a sub-network (its id's form is all that is
 * checked) on division 1's node. */
static void
membership_ops(const pw_world *w, mn_ops *ops) {
    char z[MN_ID_TEXT];
    uint8_t sub[MN_ID_BYTES];
    make_id(sub, 0x5, 1);
    mn_ops_add_int(ops, MN_M_DIVISION, 1);
    mn_id_format(sub, z);
    mn_ops_add_str(ops, MN_M_SUBNETWORK, z, strlen(z));
    mn_id_format(w->id_a, z);
    mn_ops_add_str(ops, MN_M_PARTICIPANT, z, strlen(z));
    mn_ops_add_int(ops, MN_M_JOINED_AT, (int64_t)PW_NOW_MS - 86400000);
}

size_t
pw_world_baseline(pw_world *w, mn_buf *msgs, size_t cap) {
    pw_batch b;
    pw_spec s;
    size_t n = 0;
    memset(w, 0, sizeof *w);
    for (uint32_t o = 1; o <= PW_NODES; o++)
        w->chain[o].origin = o;
    make_id(w->id_a, 0xa, 1);
    make_id(w->id_b, 0xb, 3);
    make_id(w->id_c, 0xc, 1);
    make_id(w->id_d, 0xd, 2);
    make_id(w->id_x, 0xe, 1);
    pw_batch_init(&b);

    /* Origin 1: create mentor A, edit A, create mentee C. */
    pw_spec_init(&s, PW_HLC(50000), w->id_a);
    pw_spec_create(&s, "mentor", 1, "Amal", "Haddad");
    pw_add_sealed(&s.ops, MN_P_COUNTRY, "SY");
    mn_ops_add_str(&s.ops, MN_P_LANGUAGES, "ar,da,en", 8);
    mn_ops_add_int(&s.ops, MN_P_CAPACITY, 2);
    pw_add_sealed(&s.ops, MN_P_CONSENT_PURPOSES, "matching,statistics");
    pw_add_sealed(&s.ops, MN_P_CONSENT_AT, "consent given a day ago");
    mn_ops_add_str(&s.ops, MN_P_PROFESSION, "Engineer", 8);
    pw_change(&w->chain[1], &s, &b);
    pw_spec_release(&s);
    pw_spec_init(&s, PW_HLC(40000), w->id_x);
    s.type = MN_ENTITY_MEMBERSHIP;
    mn_vv_set(&s.deps, 1, 1);
    membership_ops(w, &s.ops);
    mn_ops_add_int(&s.ops, MN_M_LEFT_AT, (int64_t)PW_NOW_MS - 40000);
    pw_change(&w->chain[1], &s, &b);
    pw_spec_release(&s);
    pw_spec_init(&s, PW_HLC(39000), w->id_c);
    pw_spec_create(&s, "mentee", 1, "Sara", "Nouri");
    mn_ops_add_str(&s.ops, MN_P_GOALS, "job,language", 12);
    pw_change(&w->chain[1], &s, &b);
    pw_spec_release(&s);
    emit(&w->chain[1], &b, msgs, cap, &n);

    /* Origin 3: create mentee B; concurrently with 1's create of X, end
     * it (a conflict on left_at, which 1 wins by clock). */
    pw_spec_init(&s, PW_HLC(45000), w->id_b);
    pw_spec_create(&s, "mentee", 3, "Leyla", "Amin");
    mn_ops_add_int(&s.ops, MN_P_BIRTH_YEAR, 1990);
    pw_change(&w->chain[3], &s, &b);
    pw_spec_release(&s);
    pw_spec_init(&s, PW_HLC(44000), w->id_x);
    s.type = MN_ENTITY_MEMBERSHIP;
    mn_vv_set(&s.deps, 1, 1);
    mn_ops_add_int(&s.ops, MN_M_LEFT_AT, (int64_t)PW_NOW_MS - 44000);
    pw_change(&w->chain[3], &s, &b);
    pw_spec_release(&s);
    emit(&w->chain[3], &b, msgs, cap, &n);

    /* Origin 3 again: edit B, then clear a field of B. */
    pw_spec_init(&s, PW_HLC(30000), w->id_b);
    mn_vv_set(&s.deps, 1, 3);
    pw_add_sealed(&s.ops, MN_P_EMAIL, "leyla@example.org");
    mn_ops_add_str(&s.ops, MN_P_DANISH_LEVEL, "B1", 2);
    pw_change(&w->chain[3], &s, &b);
    pw_spec_release(&s);
    pw_spec_init(&s, PW_HLC(29000), w->id_b);
    mn_vv_set(&s.deps, 1, 3);
    mn_ops_add_clear(&s.ops, MN_P_BIRTH_YEAR);
    pw_change(&w->chain[3], &s, &b);
    pw_spec_release(&s);
    emit(&w->chain[3], &b, msgs, cap, &n);

    mn_vv_set(&w->vv, 1, w->chain[1].seq);
    mn_vv_set(&w->vv, 3, w->chain[3].seq);
    return n;
}

void
pw_canned_hello(mn_buf *out) {
    mn_vv none;
    memset(&none, 0, sizeof none);
    mn_codec_hello_encode(PW_PEER, &none, 0, out);
}

void
pw_canned_pending(pw_world *w, mn_buf *out) {
    pw_batch b;
    pw_spec s;
    pw_batch_init(&b);
    pw_spec_init(&s, PW_HLC(20000), w->id_d);
    s.deps = w->vv;
    mn_vv_set(&s.deps, 3, 5); /* not yet made: keeps this batch pending */
    pw_spec_create(&s, "mentor", 2, "Hana", "Yusuf");
    pw_change(&w->chain[2], &s, &b);
    pw_spec_release(&s);
    pw_spec_init(&s, PW_HLC(19000), w->id_d);
    s.deps = w->vv;
    mn_vv_set(&s.deps, 3, 5);
    mn_ops_add_str(&s.ops, MN_P_STATUS, "waiting", 7);
    pw_change(&w->chain[2], &s, &b);
    pw_spec_release(&s);
    pw_batch_encode(&b, &w->chain[2], w->chain[2].origin, out);
    pw_batch_release(&b);
}
