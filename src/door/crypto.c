/*
 * crypto — see crypto.h. Thin wrappers: every primitive is libsodium's,
 * chosen so that one wrong byte anywhere fails closed.
 */
#include "door/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
mn_crypto_init(void) {
    return sodium_init() < 0 ? MN_EIO : MN_OK;
}

/* Random bytes are drawn from the kernel 4 KiB at a time per thread (one
 * getrandom call per ~150 changes instead of two per change); served bytes
 * are wiped from the pool so they exist only where the caller put them. */
#define POOL_BYTES 4096
static _Thread_local uint8_t pool[POOL_BYTES];
static _Thread_local size_t pool_left;

void
mn_crypto_random(void *p, size_t n) {
    uint8_t *out = p;
    if (n > POOL_BYTES / 4) {
        randombytes_buf(p, n);
        return;
    }
    while (n > 0) {
        if (pool_left == 0) {
            randombytes_buf(pool, POOL_BYTES);
            pool_left = POOL_BYTES;
        }
        size_t take = n < pool_left ? n : pool_left;
        uint8_t *from = pool + POOL_BYTES - pool_left;
        memcpy(out, from, take);
        sodium_memzero(from, take);
        pool_left -= take;
        out += take;
        n -= take;
    }
}

void
mn_crypto_hash2(const void *a, size_t an, const void *b, size_t bn,
                uint8_t out[MN_HASH_BYTES]) {
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, MN_HASH_BYTES);
    crypto_generichash_update(&st, a, an);
    if (bn)
        crypto_generichash_update(&st, b, bn);
    crypto_generichash_final(&st, out, MN_HASH_BYTES);
}

void
mn_crypto_seal(const uint8_t key[MN_KEY_BYTES], const uint8_t *ad, size_t adlen,
               const uint8_t *m, size_t mlen, uint8_t nonce_out[MN_NONCE_BYTES],
               uint8_t *c) {
    mn_crypto_random(nonce_out, MN_NONCE_BYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(c, NULL, m, mlen, ad, adlen,
                                               NULL, nonce_out, key);
}

int
mn_crypto_open(const uint8_t key[MN_KEY_BYTES], const uint8_t *ad, size_t adlen,
               const uint8_t nonce[MN_NONCE_BYTES], const uint8_t *c,
               size_t clen, uint8_t *m) {
    if (clen < MN_TAG_BYTES)
        return MN_ECRYPTO;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(m, NULL, NULL, c, clen, ad,
                                                   adlen, nonce, key) != 0)
        return MN_ECRYPTO;
    return MN_OK;
}

void
mn_crypto_sign(const uint8_t sk[MN_SIGN_SECRET_BYTES], const uint8_t *m,
               size_t n, uint8_t sig[MN_SIG_BYTES]) {
    crypto_sign_detached(sig, NULL, m, n, sk);
}

int
mn_crypto_verify(const uint8_t pk[MN_KEY_BYTES], const uint8_t *m, size_t n,
                 const uint8_t sig[MN_SIG_BYTES]) {
    return crypto_sign_verify_detached(sig, m, n, pk) == 0 ? MN_OK : MN_ECRYPTO;
}

void
mn_crypto_sign_keypair(uint8_t pk[MN_KEY_BYTES],
                       uint8_t sk[MN_SIGN_SECRET_BYTES]) {
    crypto_sign_keypair(pk, sk);
}

void
mn_crypto_curve_keypair(uint8_t pk[MN_KEY_BYTES], uint8_t sk[MN_KEY_BYTES]) {
    crypto_box_keypair(pk, sk);
}

void
mn_crypto_curve_public(const uint8_t sk[MN_KEY_BYTES],
                       uint8_t pk[MN_KEY_BYTES]) {
    crypto_scalarmult_base(pk, sk);
}

int
mn_crypto_pair_key(const uint8_t my_sk[MN_KEY_BYTES],
                   const uint8_t their_pk[MN_KEY_BYTES],
                   const uint8_t sender_pk[MN_KEY_BYTES],
                   const uint8_t recipient_pk[MN_KEY_BYTES],
                   uint8_t out[MN_KEY_BYTES]) {
    uint8_t shared[crypto_scalarmult_BYTES];
    if (crypto_scalarmult(shared, my_sk, their_pk) != 0) {
        sodium_memzero(shared, sizeof shared);
        return MN_ECRYPTO;
    }
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, MN_KEY_BYTES);
    crypto_generichash_update(&st, shared, sizeof shared);
    crypto_generichash_update(&st, sender_pk, MN_KEY_BYTES);
    crypto_generichash_update(&st, recipient_pk, MN_KEY_BYTES);
    crypto_generichash_final(&st, out, MN_KEY_BYTES);
    sodium_memzero(shared, sizeof shared);
    sodium_memzero(&st, sizeof st);
    return MN_OK;
}

int
mn_crypto_equal(const void *a, const void *b, size_t n) {
    return sodium_memcmp(a, b, n) == 0;
}

void
mn_crypto_wipe(void *p, size_t n) {
    sodium_memzero(p, n);
}

int
mn_crypto_key_read(const char *path, uint8_t *key, size_t n, int secret) {
    char text[2 * MN_SIGN_SECRET_BYTES + 4];
    struct stat st;
    int rc = MN_EIO;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return MN_EIO;
    if (fstat(fd, &st) != 0)
        goto out_close;
    rc = MN_EAUTH;
    if (secret && (st.st_mode & 077))
        goto out_close;
    rc = MN_EINVAL;
    if (2 * n + 1 >= sizeof text)
        goto out_close;
    ssize_t got = read(fd, text, sizeof text);
    if (got < (ssize_t)(2 * n))
        goto out_close;
    size_t len = (size_t)got;
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    rc = mn_hex_decode(text, len, key, n);
out_close:
    mn_crypto_wipe(text, sizeof text);
    close(fd);
    return rc;
}

int
mn_crypto_key_write(const char *path, const uint8_t *key, size_t n, int mode) {
    char text[2 * MN_SIGN_SECRET_BYTES + 2];
    int rc = MN_EINVAL;
    if (2 * n + 2 > sizeof text)
        return rc;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return errno == EEXIST ? MN_EEXIST : MN_EIO;
    mn_hex_encode(key, n, text);
    text[2 * n] = '\n';
    rc = write(fd, text, 2 * n + 1) == (ssize_t)(2 * n + 1) && fsync(fd) == 0
             ? MN_OK
             : MN_EIO;
    mn_crypto_wipe(text, sizeof text);
    if (close(fd) != 0)
        rc = MN_EIO;
    if (rc != MN_OK)
        unlink(path);
    return rc;
}
