/*
 * crypto — the project's only door to libsodium: hashing (BLAKE2b-256),
 * authenticated encryption (XChaCha20-Poly1305 IETF), signatures (Ed25519),
 * X25519 key pairs for CURVE and for sealed values (pair keys), randomness,
 * and key files.
 *
 * Secrets handed in stay owned by the caller, who wipes them with
 * mn_crypto_wipe. Verify and open results must be checked.
 */
#ifndef MN_CRYPTO_H
#define MN_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

#define MN_HASH_BYTES 32
#define MN_KEY_BYTES 32 /* network key, X25519 keys, Ed25519 public */
#define MN_SIGN_SECRET_BYTES 64
#define MN_SIG_BYTES 64
#define MN_NONCE_BYTES 24
#define MN_TAG_BYTES 16

/* Initialise libsodium; call once before anything else. MN_EIO on failure. */
int mn_crypto_init(void);

void mn_crypto_random(void *p, size_t n);

/* BLAKE2b-256 of a, then b (b may be NULL with bn 0). */
void mn_crypto_hash2(const void *a, size_t an, const void *b, size_t bn,
                     uint8_t out[MN_HASH_BYTES]);

/*
 * Encrypt m[0..mlen) under key with associated data ad. Writes a fresh
 * random nonce to nonce_out and mlen + MN_TAG_BYTES bytes to c.
 */
void mn_crypto_seal(const uint8_t key[MN_KEY_BYTES], const uint8_t *ad,
                    size_t adlen, const uint8_t *m, size_t mlen,
                    uint8_t nonce_out[MN_NONCE_BYTES], uint8_t *c);

/*
 * Decrypt and authenticate c[0..clen) into m (clen - MN_TAG_BYTES bytes).
 * MN_ECRYPTO when the tag, key, nonce or ad do not match.
 */
int mn_crypto_open(const uint8_t key[MN_KEY_BYTES], const uint8_t *ad,
                   size_t adlen, const uint8_t nonce[MN_NONCE_BYTES],
                   const uint8_t *c, size_t clen, uint8_t *m) MN_MUST_CHECK;

void mn_crypto_sign(const uint8_t sk[MN_SIGN_SECRET_BYTES], const uint8_t *m,
                    size_t n, uint8_t sig[MN_SIG_BYTES]);
/* MN_OK if sig is pk's signature of m, else MN_ECRYPTO. */
int mn_crypto_verify(const uint8_t pk[MN_KEY_BYTES], const uint8_t *m, size_t n,
                     const uint8_t sig[MN_SIG_BYTES]) MN_MUST_CHECK;

void mn_crypto_sign_keypair(uint8_t pk[MN_KEY_BYTES],
                            uint8_t sk[MN_SIGN_SECRET_BYTES]);
void mn_crypto_curve_keypair(uint8_t pk[MN_KEY_BYTES],
                             uint8_t sk[MN_KEY_BYTES]);

/* The X25519 public key of secret sk (a division's seal key pair is made
 * with mn_crypto_curve_keypair; its public file is checked against it). */
void mn_crypto_curve_public(const uint8_t sk[MN_KEY_BYTES],
                            uint8_t pk[MN_KEY_BYTES]);

/*
 * The symmetric key two divisions share for sealed values (node/seal.h):
 * BLAKE2b-256(X25519(my_sk, their_pk) || sender_pk || recipient_pk), so
 * the key of sender -> recipient differs from recipient -> sender and both
 * ends derive it alone. MN_ECRYPTO when their_pk is a low-order point (the
 * shared secret would be all zero). The caller wipes out.
 */
int mn_crypto_pair_key(const uint8_t my_sk[MN_KEY_BYTES],
                       const uint8_t their_pk[MN_KEY_BYTES],
                       const uint8_t sender_pk[MN_KEY_BYTES],
                       const uint8_t recipient_pk[MN_KEY_BYTES],
                       uint8_t out[MN_KEY_BYTES]) MN_MUST_CHECK;

/* Constant-time comparison: 1 when equal. */
int mn_crypto_equal(const void *a, const void *b, size_t n);
void mn_crypto_wipe(void *p, size_t n);

/*
 * Key files hold one key as lower-case hex and a newline. read: MN_EIO
 * when the file cannot be read (err names it), MN_EINVAL when it does not
 * hold exactly n bytes of hex, MN_EAUTH when a secret file is readable by
 * others. write: creates the file with the given mode, never overwrites
 * (MN_EEXIST).
 */
int mn_crypto_key_read(const char *path, uint8_t *key, size_t n,
                       int secret) MN_MUST_CHECK;
int mn_crypto_key_write(const char *path, const uint8_t *key, size_t n,
                        int mode);

#endif
