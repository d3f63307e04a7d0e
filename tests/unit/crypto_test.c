/*
 * crypto_test — unit tests for crypto.c: that one wrong byte anywhere
 * (ciphertext, tag, nonce, associated data, key, message, signature) fails
 * closed, that hash2 hashes the concatenation, and that key files are
 * written once, read back exactly and refused when unsafe or malformed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "door/crypto.h"
#include "mentornet/mentornet.h"
#include "base/util.h"
#include "unit_helpers.h"

/* ---- AEAD ------------------------------------------------------------- */

struct sealed {
    uint8_t key[MN_KEY_BYTES];
    uint8_t ad[40];
    uint8_t m[300];
    size_t mlen;
    uint8_t nonce[MN_NONCE_BYTES];
    uint8_t c[300 + MN_TAG_BYTES];
    size_t clen;
};

static void
seal_random(struct sealed *s, test_rng *r, size_t mlen) {
    assert_true(mlen <= sizeof s->m);
    rng_fill(r, s->key, sizeof s->key);
    rng_fill(r, s->ad, sizeof s->ad);
    rng_fill(r, s->m, mlen);
    s->mlen = mlen;
    s->clen = mlen + MN_TAG_BYTES;
    mn_crypto_seal(s->key, s->ad, sizeof s->ad, s->m, mlen, s->nonce, s->c);
}

static int
open_sealed(const struct sealed *s, uint8_t *out) {
    return mn_crypto_open(s->key, s->ad, sizeof s->ad, s->nonce, s->c, s->clen,
                          out);
}

static void
test_seal_open_round_trip(void **state) {
    static const size_t sizes[] = {0, 1, 15, 16, 17, 64, 300};
    test_rng r = {1};
    struct sealed s;
    uint8_t out[300];

    (void)state;
    for (size_t i = 0; i < MN_ARRAY_LEN(sizes); i++) {
        seal_random(&s, &r, sizes[i]);
        memset(out, 0, sizeof out);
        assert_int_equal(open_sealed(&s, out), MN_OK);
        assert_memory_equal(out, s.m, s.mlen);
        /* The ciphertext is not the plaintext. */
        if (s.mlen >= 16)
            assert_memory_not_equal(s.c, s.m, s.mlen);
    }
    /* Without associated data too. */
    seal_random(&s, &r, 20);
    mn_crypto_seal(s.key, NULL, 0, s.m, s.mlen, s.nonce, s.c);
    assert_int_equal(mn_crypto_open(s.key, NULL, 0, s.nonce, s.c, s.clen, out),
                     MN_OK);
    assert_memory_equal(out, s.m, s.mlen);
}

/* Two seals of the same message use fresh nonces and differ. */
static void
test_seal_fresh_nonce(void **state) {
    test_rng r = {2};
    struct sealed a, b;

    (void)state;
    seal_random(&a, &r, 32);
    b = a;
    mn_crypto_seal(b.key, b.ad, sizeof b.ad, b.m, b.mlen, b.nonce, b.c);
    assert_memory_not_equal(a.nonce, b.nonce, MN_NONCE_BYTES);
    assert_memory_not_equal(a.c, b.c, a.clen);
}

/* Flip one bit in every byte of the ciphertext and of the tag. */
static void
test_open_rejects_tampered_ciphertext_and_tag(void **state) {
    test_rng r = {3};
    struct sealed s;
    uint8_t out[300];

    (void)state;
    seal_random(&s, &r, 48);
    for (size_t i = 0; i < s.clen; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            struct sealed t = s;
            t.c[i] ^= (uint8_t)(1u << bit);
            if (open_sealed(&t, out) != MN_ECRYPTO)
                fail_msg("accepted a flipped bit %d in byte %zu (%s)", bit, i,
                         i >= s.mlen ? "tag" : "ciphertext");
        }
    }
    /* A cut-off or extended ciphertext, and one shorter than a tag. */
    struct sealed t = s;
    t.clen = s.clen - 1;
    assert_int_equal(open_sealed(&t, out), MN_ECRYPTO);
    t.clen = s.clen + 1;
    t.c[s.clen] = 0;
    assert_int_equal(open_sealed(&t, out), MN_ECRYPTO);
    for (size_t n = 0; n < MN_TAG_BYTES; n++) {
        t = s;
        t.clen = n;
        assert_int_equal(open_sealed(&t, out), MN_ECRYPTO);
    }
    assert_int_equal(open_sealed(&s, out), MN_OK); /* the original is fine */
}

static void
test_open_rejects_tampered_nonce_ad_key(void **state) {
    test_rng r = {4};
    struct sealed s;
    uint8_t out[300];

    (void)state;
    seal_random(&s, &r, 33);
    for (size_t i = 0; i < MN_NONCE_BYTES; i++) {
        struct sealed t = s;
        t.nonce[i] ^= 0x01;
        assert_int_equal(open_sealed(&t, out), MN_ECRYPTO);
    }
    for (size_t i = 0; i < sizeof s.ad; i++) {
        struct sealed t = s;
        t.ad[i] ^= 0x80;
        assert_int_equal(open_sealed(&t, out), MN_ECRYPTO);
    }
    /* Shorter associated data, or none. */
    assert_int_equal(
        mn_crypto_open(s.key, s.ad, sizeof s.ad - 1, s.nonce, s.c, s.clen, out),
        MN_ECRYPTO);
    assert_int_equal(mn_crypto_open(s.key, NULL, 0, s.nonce, s.c, s.clen, out),
                     MN_ECRYPTO);
    for (size_t i = 0; i < MN_KEY_BYTES; i++) {
        struct sealed t = s;
        t.key[i] ^= 0x10;
        assert_int_equal(open_sealed(&t, out), MN_ECRYPTO);
    }
    struct sealed t = s;
    rng_fill(&r, t.key, sizeof t.key);
    assert_int_equal(open_sealed(&t, out), MN_ECRYPTO);
    assert_int_equal(open_sealed(&s, out), MN_OK);
}

/* ---- signatures -------------------------------------------------------- */

static void
test_sign_verify(void **state) {
    uint8_t pk[MN_KEY_BYTES], sk[MN_SIGN_SECRET_BYTES];
    uint8_t pk2[MN_KEY_BYTES], sk2[MN_SIGN_SECRET_BYTES];
    uint8_t msg[100], sig[MN_SIG_BYTES], sig2[MN_SIG_BYTES];
    test_rng r = {5};

    (void)state;
    mn_crypto_sign_keypair(pk, sk);
    mn_crypto_sign_keypair(pk2, sk2);
    assert_memory_not_equal(pk, pk2, MN_KEY_BYTES);
    rng_fill(&r, msg, sizeof msg);
    mn_crypto_sign(sk, msg, sizeof msg, sig);
    assert_int_equal(mn_crypto_verify(pk, msg, sizeof msg, sig), MN_OK);
    /* Ed25519 is deterministic: the same message, the same signature. */
    mn_crypto_sign(sk, msg, sizeof msg, sig2);
    assert_memory_equal(sig, sig2, MN_SIG_BYTES);

    for (size_t i = 0; i < sizeof msg; i++) {
        msg[i] ^= (uint8_t)(1u << (i % 8));
        assert_int_equal(mn_crypto_verify(pk, msg, sizeof msg, sig),
                         MN_ECRYPTO);
        msg[i] ^= (uint8_t)(1u << (i % 8));
    }
    for (size_t i = 0; i < MN_SIG_BYTES; i++) {
        sig[i] ^= (uint8_t)(1u << (i % 8));
        assert_int_equal(mn_crypto_verify(pk, msg, sizeof msg, sig),
                         MN_ECRYPTO);
        sig[i] ^= (uint8_t)(1u << (i % 8));
    }
    /* A shorter or longer message, the wrong key, a flipped key bit. */
    assert_int_equal(mn_crypto_verify(pk, msg, sizeof msg - 1, sig),
                     MN_ECRYPTO);
    assert_int_equal(mn_crypto_verify(pk2, msg, sizeof msg, sig), MN_ECRYPTO);
    pk[0] ^= 1;
    assert_int_equal(mn_crypto_verify(pk, msg, sizeof msg, sig), MN_ECRYPTO);
    pk[0] ^= 1;
    assert_int_equal(mn_crypto_verify(pk, msg, sizeof msg, sig), MN_OK);

    /* An empty message signs and verifies too. */
    mn_crypto_sign(sk2, msg, 0, sig2);
    assert_int_equal(mn_crypto_verify(pk2, msg, 0, sig2), MN_OK);
    assert_int_equal(mn_crypto_verify(pk, msg, 0, sig2), MN_ECRYPTO);
    mn_crypto_wipe(sk, sizeof sk);
    mn_crypto_wipe(sk2, sizeof sk2);
}

static void
test_curve_keypair(void **state) {
    uint8_t pk[MN_KEY_BYTES], sk[MN_KEY_BYTES];
    uint8_t pk2[MN_KEY_BYTES], sk2[MN_KEY_BYTES];

    (void)state;
    mn_crypto_curve_keypair(pk, sk);
    mn_crypto_curve_keypair(pk2, sk2);
    assert_memory_not_equal(pk, pk2, MN_KEY_BYTES);
    assert_memory_not_equal(sk, sk2, MN_KEY_BYTES);
    assert_memory_not_equal(pk, sk, MN_KEY_BYTES);
}

/* ---- hashing, comparison, wiping ------------------------------------- */

static void
test_hash_known_answers(void **state) {
    uint8_t h[MN_HASH_BYTES];
    char hex[2 * MN_HASH_BYTES + 1];

    (void)state;
    /* BLAKE2b with a 32-byte digest (RFC 7693 parameters). */
    mn_crypto_hash2("", 0, NULL, 0, h);
    mn_hex_encode(h, sizeof h, hex);
    assert_string_equal(hex, "0e5751c026e543b2e8ab2eb06099daa1"
                             "d1e5df47778f7787faab45cdf12fe3a8");
    mn_crypto_hash2("abc", 3, NULL, 0, h);
    mn_hex_encode(h, sizeof h, hex);
    assert_string_equal(hex, "bddd813c634239723171ef3fee98579b"
                             "94964e3bb1cb3e427262c8c068d52319");
}

/* hash2(a, b) is the hash of a then b, wherever the split falls. */
static void
test_hash2_is_concatenation(void **state) {
    uint8_t msg[200], whole[MN_HASH_BYTES], split[MN_HASH_BYTES];
    test_rng r = {6};

    (void)state;
    rng_fill(&r, msg, sizeof msg);
    mn_crypto_hash2(msg, sizeof msg, NULL, 0, whole);
    for (size_t cut = 0; cut <= sizeof msg; cut++) {
        mn_crypto_hash2(msg, cut, msg + cut, sizeof msg - cut, split);
        assert_memory_equal(split, whole, MN_HASH_BYTES);
    }
    /* And a different message hashes differently. */
    msg[199] ^= 1;
    mn_crypto_hash2(msg, 100, msg + 100, 100, split);
    assert_memory_not_equal(split, whole, MN_HASH_BYTES);
    mn_crypto_hash2(msg, 199, NULL, 0, split);
    assert_memory_not_equal(split, whole, MN_HASH_BYTES);
}

static void
test_equal_and_wipe(void **state) {
    uint8_t a[32], b[32];
    test_rng r = {7};

    (void)state;
    rng_fill(&r, a, sizeof a);
    memcpy(b, a, sizeof b);
    assert_int_equal(mn_crypto_equal(a, b, sizeof a), 1);
    for (size_t i = 0; i < sizeof a; i++) {
        b[i] ^= 0x40;
        assert_int_equal(mn_crypto_equal(a, b, sizeof a), 0);
        b[i] ^= 0x40;
    }
    mn_crypto_wipe(a, sizeof a);
    for (size_t i = 0; i < sizeof a; i++)
        assert_int_equal(a[i], 0);
}

static void
test_random(void **state) {
    uint8_t a[32], b[32];

    (void)state;
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    mn_crypto_random(a, sizeof a);
    mn_crypto_random(b, sizeof b);
    assert_memory_not_equal(a, b, sizeof a);
}

/* ---- key files --------------------------------------------------------- */

struct keydir {
    char dir[256];
};

static int
setup_dir(void **state) {
    struct keydir *k = mn_calloc(1, sizeof *k);
    tmpdir_make(k->dir, sizeof k->dir, "crypto");
    *state = k;
    return 0;
}

static int
teardown_dir(void **state) {
    struct keydir *k = *state;
    tmpdir_remove(k->dir);
    free(k);
    return 0;
}

static void
key_path(const struct keydir *k, const char *name, char *out) {
    snprintf(out, PATH_MAX, "%s/%s", k->dir, name);
}

static void
test_key_round_trip(void **state) {
    struct keydir *k = *state;
    char path[PATH_MAX], text[200], hex[2 * MN_SIGN_SECRET_BYTES + 1];
    uint8_t key[MN_SIGN_SECRET_BYTES], back[MN_SIGN_SECRET_BYTES];
    struct stat st;
    test_rng r = {8};
    mode_t old = umask(022);

    rng_fill(&r, key, sizeof key);
    key_path(k, "node.sign.secret", path);
    assert_int_equal(mn_crypto_key_write(path, key, sizeof key, 0600), MN_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* Lower-case hex and a newline, nothing else. */
    mn_hex_encode(key, sizeof key, hex);
    assert_int_equal(read_file(path, text, sizeof text), 2 * sizeof key + 1);
    assert_memory_equal(text, hex, 2 * sizeof key);
    assert_int_equal(text[2 * sizeof key], '\n');
    memset(back, 0, sizeof back);
    assert_int_equal(mn_crypto_key_read(path, back, sizeof back, 1), MN_OK);
    assert_memory_equal(back, key, sizeof key);

    /* A 32-byte public key at 0644 reads as public. */
    key_path(k, "node.sign.pub", path);
    assert_int_equal(mn_crypto_key_write(path, key, MN_KEY_BYTES, 0644), MN_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    memset(back, 0, sizeof back);
    assert_int_equal(mn_crypto_key_read(path, back, MN_KEY_BYTES, 0), MN_OK);
    assert_memory_equal(back, key, MN_KEY_BYTES);
    umask(old);
}

static void
test_key_write_never_overwrites(void **state) {
    struct keydir *k = *state;
    char path[PATH_MAX];
    uint8_t key[MN_KEY_BYTES], other[MN_KEY_BYTES], back[MN_KEY_BYTES];
    test_rng r = {9};

    rng_fill(&r, key, sizeof key);
    rng_fill(&r, other, sizeof other);
    key_path(k, "network.key", path);
    assert_int_equal(mn_crypto_key_write(path, key, sizeof key, 0600), MN_OK);
    assert_int_equal(mn_crypto_key_write(path, other, sizeof other, 0600),
                     MN_EEXIST);
    assert_int_equal(mn_crypto_key_read(path, back, sizeof back, 1), MN_OK);
    assert_memory_equal(back, key, sizeof key);
    /* Into a directory that does not exist: an I/O error. */
    key_path(k, "no/such/dir/network.key", path);
    assert_int_equal(mn_crypto_key_write(path, key, sizeof key, 0600), MN_EIO);
    /* A key too large for the format is refused, and no file appears. */
    uint8_t huge[100] = {0};
    struct stat st;
    key_path(k, "huge.key", path);
    assert_int_equal(mn_crypto_key_write(path, huge, sizeof huge, 0600),
                     MN_EINVAL);
    assert_int_not_equal(stat(path, &st), 0);
}

static void
test_key_read_refuses_open_secret(void **state) {
    struct keydir *k = *state;
    char path[PATH_MAX];
    uint8_t key[MN_KEY_BYTES], back[MN_KEY_BYTES];
    static const int modes[] = {0644, 0640, 0604, 0660, 0601, 0610};
    test_rng r = {10};

    rng_fill(&r, key, sizeof key);
    key_path(k, "x.curve.secret", path);
    assert_int_equal(mn_crypto_key_write(path, key, sizeof key, 0600), MN_OK);
    for (size_t i = 0; i < MN_ARRAY_LEN(modes); i++) {
        assert_int_equal(chmod(path, (mode_t)modes[i]), 0);
        assert_int_equal(mn_crypto_key_read(path, back, sizeof back, 1),
                         MN_EAUTH);
        /* The same file is fine where it is not a secret. */
        assert_int_equal(mn_crypto_key_read(path, back, sizeof back, 0), MN_OK);
    }
    assert_int_equal(chmod(path, 0400), 0);
    memset(back, 0, sizeof back);
    assert_int_equal(mn_crypto_key_read(path, back, sizeof back, 1), MN_OK);
    assert_memory_equal(back, key, sizeof key);
}

static void
test_key_read_bad_contents(void **state) {
    struct keydir *k = *state;
    char path[PATH_MAX], good[2 * MN_KEY_BYTES + 1], text[200];
    uint8_t key[MN_KEY_BYTES], back[MN_KEY_BYTES];
    test_rng r = {11};

    rng_fill(&r, key, sizeof key);
    mn_hex_encode(key, sizeof key, good);
    key_path(k, "bad.key", path);

    /* Each file is: good[0..keep) + mid + good[from..from+len) + tail. */
    static const struct {
        const char *what;
        size_t keep;
        const char *mid;
        size_t from, len;
        const char *tail;
    } bad[] = {
        {"nothing", 0, "", 0, 0, ""},
        {"only a newline", 0, "", 0, 0, "\n"},
        {"one hex digit short", 63, "", 0, 0, "\n"},
        {"one byte short", 62, "", 0, 0, "\n"},
        {"one hex digit more", 64, "a", 0, 0, "\n"},
        {"one byte more", 64, "ab", 0, 0, "\n"},
        {"a non-hex character", 63, "g", 0, 0, "\n"},
        {"a space inside", 32, " ", 32, 32, "\n"},
        {"a trailing space", 64, " ", 0, 0, "\n"},
        {"a leading space", 0, " ", 0, 64, "\n"},
        {"the key twice", 64, "\n", 0, 64, "\n"},
        {"a NUL inside", 10, "\0", 11, 53, "\n"},
    };
    for (size_t i = 0; i < MN_ARRAY_LEN(bad); i++) {
        size_t n = 0, mid = strlen(bad[i].mid);
        if (strcmp(bad[i].what, "a NUL inside") == 0)
            mid = 1;
        memcpy(text + n, good, bad[i].keep);
        n += bad[i].keep;
        memcpy(text + n, bad[i].mid, mid);
        n += mid;
        memcpy(text + n, good + bad[i].from, bad[i].len);
        n += bad[i].len;
        memcpy(text + n, bad[i].tail, strlen(bad[i].tail));
        n += strlen(bad[i].tail);
        write_file(path, text, n, 0600);
        if (mn_crypto_key_read(path, back, sizeof back, 1) != MN_EINVAL)
            fail_msg("key file with %s was not refused", bad[i].what);
    }
    /* Accepted variants: no newline, CRLF, upper case. */
    write_file(path, good, 64, 0600);
    assert_int_equal(mn_crypto_key_read(path, back, sizeof back, 1), MN_OK);
    assert_memory_equal(back, key, sizeof key);
    memcpy(text, good, 64);
    memcpy(text + 64, "\r\n", 2);
    write_file(path, text, 66, 0600);
    memset(back, 0, sizeof back);
    assert_int_equal(mn_crypto_key_read(path, back, sizeof back, 1), MN_OK);
    assert_memory_equal(back, key, sizeof key);
    for (size_t i = 0; i < 64; i++)
        text[i] = (char)(good[i] >= 'a' ? good[i] - 32 : good[i]);
    write_file(path, text, 64, 0600);
    memset(back, 0, sizeof back);
    assert_int_equal(mn_crypto_key_read(path, back, sizeof back, 1), MN_OK);
    assert_memory_equal(back, key, sizeof key);
}

static void
test_key_read_missing(void **state) {
    struct keydir *k = *state;
    char path[PATH_MAX];
    uint8_t back[MN_KEY_BYTES];

    key_path(k, "missing.key", path);
    assert_int_equal(mn_crypto_key_read(path, back, sizeof back, 1), MN_EIO);
    assert_int_equal(mn_crypto_key_read(path, back, sizeof back, 0), MN_EIO);
    /* A directory is not a key file either. */
    assert_int_not_equal(mn_crypto_key_read(k->dir, back, sizeof back, 0),
                         MN_OK);
}

static int
group_setup(void **state) {
    (void)state;
    return mn_crypto_init() == MN_OK ? 0 : -1;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_dir, teardown_dir)

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seal_open_round_trip),
        cmocka_unit_test(test_seal_fresh_nonce),
        cmocka_unit_test(test_open_rejects_tampered_ciphertext_and_tag),
        cmocka_unit_test(test_open_rejects_tampered_nonce_ad_key),
        cmocka_unit_test(test_sign_verify),
        cmocka_unit_test(test_curve_keypair),
        cmocka_unit_test(test_hash_known_answers),
        cmocka_unit_test(test_hash2_is_concatenation),
        cmocka_unit_test(test_equal_and_wipe),
        cmocka_unit_test(test_random),
        T(test_key_round_trip),
        T(test_key_write_never_overwrites),
        T(test_key_read_refuses_open_secret),
        T(test_key_read_bad_contents),
        T(test_key_read_missing),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
