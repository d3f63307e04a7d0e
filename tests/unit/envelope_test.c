/*
 * envelope_test — the change envelope: a sealed change opens to the same
 * body; a change whose header, nonce or ciphertext was touched, or that
 * names an unknown key id, or is opened with another key, is refused; the
 * chain hash is BLAKE2b of the Change bytes; the log key and the signed
 * message have the documented layout; a chain head signature verifies and
 * a forged or altered one does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "change/envelope.h"
#include "state/participant.h"
#include "unit_helpers.h"

static uint8_t network_key[MN_KEY_BYTES];

static int
setup(void **state) {
    test_rng rng = {7};
    (void)state;
    assert_int_equal(mn_crypto_init(), MN_OK);
    rng_fill(&rng, network_key, sizeof network_key);
    return 0;
}

/* A header as the writer makes it: origin 3, seq 42, chained to prev. */
static mn_change_header
sample_header(void) {
    mn_change_header h = {.origin = 3,
                          .seq = 42,
                          .hlc = UINT64_C(0x0123456789ab0001),
                          .key_id = MN_NETWORK_KEY_ID};
    memset(h.prev_hash, 0x5a, MN_HASH_BYTES);
    mn_vv_set(&h.deps, 1, 7);
    mn_vv_set(&h.deps, 3, 41);
    return h;
}

static void
assert_header_equal(const mn_change_header *a, const mn_change_header *b) {
    assert_int_equal(a->origin, b->origin);
    assert_int_equal(a->seq, b->seq);
    assert_int_equal(a->hlc, b->hlc);
    assert_int_equal(a->key_id, b->key_id);
    assert_memory_equal(a->prev_hash, b->prev_hash, MN_HASH_BYTES);
    assert_true(mn_vv_equal(&a->deps, &b->deps));
}

static void
sample_ops(mn_ops *ops) {
    mn_ops_init(ops);
    mn_ops_add_str(ops, MN_P_ROLE, "mentor", 6);
    mn_ops_add_str(ops, MN_P_GIVEN_NAME, "Leyla", 5);
    mn_ops_add_int(ops, MN_P_HOME, 3);
}

/* Seal the sample change into s. */
static void
seal_sample(mn_sealer *s, uint8_t id[MN_ID_BYTES]) {
    mn_change_header h = sample_header();
    mn_ops ops;
    memset(id, 0xc3, MN_ID_BYTES);
    sample_ops(&ops);
    s->key = network_key;
    mn_envelope_seal(s, &h, MN_ENTITY_PARTICIPANT, id, &ops, NULL);
    mn_ops_release(&ops);
}

/* A sealed change, decoded into a view the test may alter: copies of the
 * header, nonce and ciphertext. */
struct opened {
    mn_change_view view;
    mn_change_header h;
    uint8_t header[512], nonce[MN_NONCE_BYTES], cipher[1024];
};

static void
decode_copy(const mn_buf *change, struct opened *o) {
    mn_change_view v;
    assert_int_equal(mn_codec_change_decode(change->p, change->len, &v), MN_OK);
    assert_true(v.header_len <= sizeof o->header);
    assert_true(v.ciphertext_len <= sizeof o->cipher);
    memcpy(o->header, v.header, v.header_len);
    memcpy(o->nonce, v.nonce, MN_NONCE_BYTES);
    memcpy(o->cipher, v.ciphertext, v.ciphertext_len);
    o->view = (mn_change_view){.header = o->header,
                               .header_len = v.header_len,
                               .nonce = o->nonce,
                               .ciphertext = o->cipher,
                               .ciphertext_len = v.ciphertext_len};
    assert_int_equal(mn_codec_header_decode(v.header, v.header_len, &o->h),
                     MN_OK);
    mn_codec_change_release(&v);
}

/* Open o with key; returns the result (ops released). */
static int
try_open(const uint8_t *key, const struct opened *o) {
    mn_buf plain = {0};
    mn_ops ops;
    uint32_t type = 0;
    uint8_t id[MN_ID_BYTES];
    int rc = mn_envelope_open(key, &o->view, &o->h, &plain, &type, id, &ops);
    if (rc != MN_OK)
        assert_int_equal(ops.n, 0); /* nothing left to release */
    mn_ops_release(&ops);
    mn_buf_release(&plain);
    return rc;
}

static void
test_seal_open_round_trip(void **state) {
    (void)state;
    mn_sealer s = {0};
    uint8_t id[MN_ID_BYTES], got_id[MN_ID_BYTES], hash[MN_HASH_BYTES];
    struct opened o;
    mn_buf plain = {0};
    mn_ops ops;
    uint32_t type = 0;
    seal_sample(&s, id);
    decode_copy(&s.change, &o);
    mn_change_header want = sample_header();
    assert_header_equal(&o.h, &want);
    assert_int_equal(mn_envelope_open(network_key, &o.view, &o.h, &plain, &type,
                                      got_id, &ops),
                     MN_OK);
    assert_int_equal(type, MN_ENTITY_PARTICIPANT);
    assert_memory_equal(got_id, id, MN_ID_BYTES);
    assert_int_equal(ops.n, 3);
    assert_int_equal(ops.op[0].no, MN_P_ROLE);
    assert_string_equal(ops.op[0].v.s, "mentor");
    assert_string_equal(ops.op[1].v.s, "Leyla");
    assert_int_equal(ops.op[2].v.i, 3);
    /* The body is not in clear in the Change bytes. */
    assert_null(memmem(s.change.p, s.change.len, "Leyla", 5));
    /* The chain hash is BLAKE2b of exactly the Change bytes. */
    mn_crypto_hash2(s.change.p, s.change.len, NULL, 0, hash);
    assert_memory_equal(s.hash, hash, MN_HASH_BYTES);
    mn_envelope_chain_hash(s.change.p, s.change.len, hash);
    assert_memory_equal(s.hash, hash, MN_HASH_BYTES);
    mn_ops_release(&ops);
    mn_buf_release(&plain);
    mn_sealer_release(&s);
}

static void
test_two_seals_differ_in_nonce(void **state) {
    (void)state;
    mn_sealer s = {0};
    uint8_t id[MN_ID_BYTES], first[MN_HASH_BYTES];
    struct opened a, b;
    seal_sample(&s, id);
    decode_copy(&s.change, &a);
    memcpy(first, s.hash, MN_HASH_BYTES);
    seal_sample(&s, id); /* the sealer's buffers are reused */
    decode_copy(&s.change, &b);
    assert_memory_not_equal(a.nonce, b.nonce, MN_NONCE_BYTES);
    assert_memory_not_equal(first, s.hash, MN_HASH_BYTES);
    assert_int_equal(try_open(network_key, &b), MN_OK);
    mn_sealer_release(&s);
}

static void
test_tampering_refused(void **state) {
    (void)state;
    mn_sealer s = {0};
    uint8_t id[MN_ID_BYTES], other_key[MN_KEY_BYTES];
    struct opened o;
    seal_sample(&s, id);
    decode_copy(&s.change, &o);
    assert_int_equal(try_open(network_key, &o), MN_OK);
    /* Every byte of the header is associated data. */
    for (size_t i = 0; i < o.view.header_len; i++) {
        o.header[i] ^= 0x01;
        assert_int_equal(try_open(network_key, &o), MN_ECRYPTO);
        o.header[i] ^= 0x01;
    }
    o.nonce[MN_NONCE_BYTES - 1] ^= 0x80;
    assert_int_equal(try_open(network_key, &o), MN_ECRYPTO);
    o.nonce[MN_NONCE_BYTES - 1] ^= 0x80;
    o.cipher[0] ^= 0x01;
    assert_int_equal(try_open(network_key, &o), MN_ECRYPTO);
    o.cipher[0] ^= 0x01;
    o.cipher[o.view.ciphertext_len - 1] ^= 0x01; /* the tag */
    assert_int_equal(try_open(network_key, &o), MN_ECRYPTO);
    o.cipher[o.view.ciphertext_len - 1] ^= 0x01;
    o.view.ciphertext_len = MN_TAG_BYTES - 1; /* shorter than a tag */
    assert_int_equal(try_open(network_key, &o), MN_ECRYPTO);
    decode_copy(&s.change, &o);
    memcpy(other_key, network_key, MN_KEY_BYTES);
    other_key[5] ^= 0x10;
    assert_int_equal(try_open(other_key, &o), MN_ECRYPTO);
    assert_int_equal(try_open(network_key, &o), MN_OK); /* untouched again */
    mn_sealer_release(&s);
}

static void
test_unknown_key_id_refused(void **state) {
    (void)state;
    mn_sealer s = {0};
    uint8_t id[MN_ID_BYTES];
    struct opened o;
    assert_int_equal(mn_envelope_key_check(MN_NETWORK_KEY_ID), MN_OK);
    assert_int_equal(mn_envelope_key_check(0), MN_ECRYPTO);
    assert_int_equal(mn_envelope_key_check(MN_NETWORK_KEY_ID + 1), MN_ECRYPTO);
    assert_int_equal(mn_envelope_key_check(UINT32_MAX), MN_ECRYPTO);
    seal_sample(&s, id);
    decode_copy(&s.change, &o);
    /* Refused on the id alone, although the key would decrypt it. */
    o.h.key_id = MN_NETWORK_KEY_ID + 1;
    assert_int_equal(try_open(network_key, &o), MN_ECRYPTO);
    o.h.key_id = 0;
    assert_int_equal(try_open(network_key, &o), MN_ECRYPTO);
    mn_sealer_release(&s);
}

/* A change whose ciphertext is authentic but whose body is not a body. */
static void
test_undecodable_body_refused(void **state) {
    (void)state;
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    mn_change_header h = sample_header();
    mn_buf header = {0};
    uint8_t nonce[MN_NONCE_BYTES], cipher[sizeof junk + MN_TAG_BYTES];
    struct opened o;
    mn_codec_header_encode(&h, &header);
    mn_crypto_seal(network_key, header.p, header.len, junk, sizeof junk, nonce,
                   cipher);
    o.h = h;
    o.view = (mn_change_view){.header = header.p,
                              .header_len = header.len,
                              .nonce = nonce,
                              .ciphertext = cipher,
                              .ciphertext_len = sizeof cipher};
    assert_int_equal(try_open(network_key, &o), MN_ECORRUPT);
    mn_buf_release(&header);
}

static void
test_header_without_body(void **state) {
    (void)state;
    mn_sealer s = {0};
    uint8_t id[MN_ID_BYTES];
    mn_change_header h, want = sample_header();
    seal_sample(&s, id);
    assert_int_equal(mn_envelope_header(s.change.p, s.change.len, &h), MN_OK);
    assert_header_equal(&h, &want);
    assert_int_equal(mn_envelope_header(s.change.p, 3, &h), MN_ECORRUPT);
    mn_sealer_release(&s);
}

static void
test_log_key_layout(void **state) {
    (void)state;
    uint8_t a[MN_LOG_KEY_BYTES], b[MN_LOG_KEY_BYTES];
    static const uint8_t want[MN_LOG_KEY_BYTES] = {
        0, 0, 0, 5, 0, 0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
    uint32_t origin;
    uint64_t seq;
    mn_envelope_log_key(5, UINT64_C(0x010203040506), a);
    assert_memory_equal(a, want, sizeof want);
    assert_int_equal(mn_envelope_log_key_parse(a, sizeof a, &origin, &seq),
                     MN_OK);
    assert_int_equal(origin, 5);
    assert_int_equal(seq, UINT64_C(0x010203040506));
    assert_int_equal(mn_envelope_log_key_parse(a, 11, &origin, &seq),
                     MN_ECORRUPT);
    assert_int_equal(mn_envelope_log_key_parse(a, 13, &origin, &seq),
                     MN_ECORRUPT);
    /* Keys sort by origin, then by seq (so an origin's log is one range). */
    mn_envelope_log_key(5, 256, b);
    mn_envelope_log_key(5, 255, a);
    assert_true(memcmp(a, b, sizeof a) < 0);
    mn_envelope_log_key(6, 1, b);
    mn_envelope_log_key(5, UINT64_MAX, a);
    assert_true(memcmp(a, b, sizeof a) < 0);
}

static void
test_signed_message_layout(void **state) {
    (void)state;
    uint8_t head[MN_HASH_BYTES], msg[MN_SIGNED_MSG_BYTES];
    uint8_t key[MN_LOG_KEY_BYTES];
    memset(head, 0x77, sizeof head);
    mn_envelope_signed_msg(2, 99, head, msg);
    mn_envelope_log_key(2, 99, key);
    assert_memory_equal(msg, key, MN_LOG_KEY_BYTES);
    assert_memory_equal(msg + MN_LOG_KEY_BYTES, head, MN_HASH_BYTES);
}

static void
test_sign_and_verify_head(void **state) {
    (void)state;
    uint8_t pk[MN_KEY_BYTES], sk[MN_SIGN_SECRET_BYTES];
    uint8_t pk2[MN_KEY_BYTES], sk2[MN_SIGN_SECRET_BYTES];
    uint8_t msg[MN_SIGNED_MSG_BYTES], id[MN_ID_BYTES];
    mn_sealer s = {0};
    mn_chain_sig sig, bad;
    mn_crypto_sign_keypair(pk, sk);
    mn_crypto_sign_keypair(pk2, sk2);
    seal_sample(&s, id);
    mn_envelope_sign_head(sk, 3, 42, s.hash, &sig);
    assert_int_equal(sig.origin, 3);
    assert_int_equal(sig.seq, 42);
    assert_memory_equal(sig.head, s.hash, MN_HASH_BYTES);
    assert_int_equal(mn_envelope_verify_head(pk, &sig), MN_OK);
    /* It is a plain Ed25519 signature of the documented message. */
    mn_envelope_signed_msg(3, 42, s.hash, msg);
    assert_int_equal(mn_crypto_verify(pk, msg, sizeof msg, sig.sig), MN_OK);
    /* Another origin's key, a flipped bit, another seq, origin or head. */
    assert_int_equal(mn_envelope_verify_head(pk2, &sig), MN_ECRYPTO);
    bad = sig;
    bad.sig[10] ^= 0x04;
    assert_int_equal(mn_envelope_verify_head(pk, &bad), MN_ECRYPTO);
    bad = sig;
    bad.seq = 43;
    assert_int_equal(mn_envelope_verify_head(pk, &bad), MN_ECRYPTO);
    bad = sig;
    bad.origin = 4;
    assert_int_equal(mn_envelope_verify_head(pk, &bad), MN_ECRYPTO);
    bad = sig;
    bad.head[0] ^= 0x01;
    assert_int_equal(mn_envelope_verify_head(pk, &bad), MN_ECRYPTO);
    /* A forger's signature of the same head under its own key. */
    mn_envelope_sign_head(sk2, 3, 42, s.hash, &bad);
    assert_int_equal(mn_envelope_verify_head(pk, &bad), MN_ECRYPTO);
    mn_crypto_wipe(sk, sizeof sk);
    mn_crypto_wipe(sk2, sizeof sk2);
    mn_sealer_release(&s);
}

/* Open change bytes c; OUT: ops (the caller releases). */
static int
open_bytes(const void *c, size_t n, mn_ops *ops) {
    mn_change_view v;
    mn_change_header h;
    mn_buf plain = {0};
    uint32_t type = 0;
    uint8_t id[MN_ID_BYTES];
    assert_int_equal(mn_codec_change_decode(c, n, &v), MN_OK);
    assert_int_equal(mn_codec_header_decode(v.header, v.header_len, &h), MN_OK);
    int rc = mn_envelope_open(network_key, &v, &h, &plain, &type, id, ops);
    mn_codec_change_release(&v);
    mn_buf_release(&plain);
    return rc;
}

/* The private part opens with the body; erased, the change keeps its
 * chain hash and opens with the public ops alone; it cannot be erased
 * twice, and a tampered private part is refused. */
static void
test_private_part_erased(void **state) {
    (void)state;
    mn_sealer s = {0};
    mn_change_header h = sample_header();
    uint8_t id[MN_ID_BYTES], hash[MN_HASH_BYTES];
    mn_ops pub, priv, got;
    mn_buf erased = {0}, again = {0};
    memset(id, 0x5a, MN_ID_BYTES);
    mn_ops_init(&pub);
    mn_ops_init(&priv);
    mn_ops_add_str(&pub, MN_P_ROLE, "mentee", 6);
    mn_ops_add_str(&priv, MN_P_GIVEN_NAME, "Leyla", 5);
    mn_ops_add_str(&priv, MN_P_EMAIL, "leyla@example.org", 17);
    s.key = network_key;
    mn_envelope_seal(&s, &h, MN_ENTITY_PARTICIPANT, id, &pub, &priv);
    assert_true(s.has_private);
    assert_int_equal(open_bytes(s.change.p, s.change.len, &got), MN_OK);
    assert_int_equal(got.n, 3);
    assert_int_equal(got.op[1].no, MN_P_GIVEN_NAME);
    assert_string_equal(got.op[2].v.s, "leyla@example.org");
    mn_ops_release(&got);

    assert_int_equal(mn_envelope_erase(s.change.p, s.change.len, &erased),
                     MN_OK);
    assert_true(erased.len < s.change.len);
    assert_null(memmem(erased.p, erased.len, "Leyla", 5));
    mn_envelope_chain_hash(erased.p, erased.len, hash);
    assert_memory_equal(hash, s.hash, MN_HASH_BYTES);
    assert_int_equal(open_bytes(erased.p, erased.len, &got), MN_OK);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.op[0].no, MN_P_ROLE);
    mn_ops_release(&got);
    assert_int_equal(mn_envelope_erase(erased.p, erased.len, &again),
                     MN_ENOTFOUND);

    /* A change may hold a private part or its hash, never both, and a
     * hash is 32 bytes: anything else does not decode. */
    mn_change_view bad;
    mn_buf both = {0};
    uint8_t field[MN_PRIVATE_HASH_FIELD_BYTES];
    mn_codec_private_hash_field(hash, field);
    mn_buf_append(&both, s.change.p, s.change.len);
    mn_buf_append(&both, field, sizeof field); /* the part and a hash */
    assert_int_equal(mn_codec_change_decode(both.p, both.len, &bad),
                     MN_ECORRUPT);
    mn_buf_reset(&both);
    mn_buf_append(&both, erased.p, erased.len - 1); /* a 31-byte hash */
    both.p[erased.len - 1 - MN_HASH_BYTES] = MN_HASH_BYTES - 1;
    assert_int_equal(mn_codec_change_decode(both.p, both.len, &bad),
                     MN_ECORRUPT);
    mn_buf_release(&both);

    /* Without a private part, a body must write something. */
    mn_sealer empty = {.key = network_key};
    mn_ops none;
    mn_ops_init(&none);
    mn_envelope_seal(&empty, &h, MN_ENTITY_PARTICIPANT, id, &none, NULL);
    assert_int_equal(open_bytes(empty.change.p, empty.change.len, &got),
                     MN_ECORRUPT);
    mn_sealer_release(&empty);
    /* With one, it need not. */
    mn_envelope_seal(&empty, &h, MN_ENTITY_PARTICIPANT, id, &none, &priv);
    assert_int_equal(open_bytes(empty.change.p, empty.change.len, &got), MN_OK);
    assert_int_equal(got.n, 2);
    mn_ops_release(&got);
    mn_sealer_release(&empty);

    /* A flipped bit in the private part: another chain hash, and refused. */
    s.change.p[s.change.len - 1] ^= 1;
    mn_envelope_chain_hash(s.change.p, s.change.len, hash);
    assert_memory_not_equal(hash, s.hash, MN_HASH_BYTES);
    assert_int_equal(open_bytes(s.change.p, s.change.len, &got), MN_ECRYPTO);
    mn_ops_release(&pub);
    mn_ops_release(&priv);
    mn_buf_release(&erased);
    mn_buf_release(&again);
    mn_sealer_release(&s);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seal_open_round_trip),
        cmocka_unit_test(test_private_part_erased),
        cmocka_unit_test(test_two_seals_differ_in_nonce),
        cmocka_unit_test(test_tampering_refused),
        cmocka_unit_test(test_unknown_key_id_refused),
        cmocka_unit_test(test_undecodable_body_refused),
        cmocka_unit_test(test_header_without_body),
        cmocka_unit_test(test_log_key_layout),
        cmocka_unit_test(test_signed_message_layout),
        cmocka_unit_test(test_sign_and_verify_head),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
