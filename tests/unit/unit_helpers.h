/*
 * unit_helpers — small things the unit tests share: a fixed-seed PRNG
 * (splitmix64, so every run sees the same "random" inputs and a failure
 * reproduces), temporary directories that are removed again, and file
 * helpers. Header-only (static inline) so each test stays one executable.
 *
 * Include after <cmocka.h>: the helpers fail the running test on I/O errors.
 */
#ifndef MN_UNIT_HELPERS_H
#define MN_UNIT_HELPERS_H

#include <fcntl.h>
#include <limits.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "door/crypto.h"

/* splitmix64 (Steele, Lea, Flood 2014): one 64-bit word of state. */
typedef struct test_rng {
    uint64_t s;
} test_rng;

static inline uint64_t
rng_next(test_rng *r) {
    uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform enough in [0, n) for test inputs (n > 0). */
static inline uint64_t
rng_below(test_rng *r, uint64_t n) {
    return rng_next(r) % n;
}

static inline void
rng_fill(test_rng *r, void *p, size_t n) {
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)rng_next(r);
}

/* Fisher-Yates shuffle of idx[0..n). */
static inline void
rng_shuffle(test_rng *r, size_t *idx, size_t n) {
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rng_below(r, i);
        size_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

/* A fresh directory under $TMPDIR (or /tmp); out must hold PATH_MAX. */
static inline void
tmpdir_make(char *out, size_t cap, const char *tag) {
    const char *base = getenv("TMPDIR");
    snprintf(out, cap, "%s/mn-%s-XXXXXX", base && *base ? base : "/tmp", tag);
    assert_non_null(mkdtemp(out));
}

static inline int
tmpdir_rm_one(const char *path, const struct stat *st, int flag,
              struct FTW *ftw) {
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* rm -rf path; fails the test when something cannot be removed. */
static inline void
tmpdir_remove(const char *path) {
    assert_int_equal(nftw(path, tmpdir_rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* Write n bytes to dir/name (created or truncated) with mode. */
static inline void
write_file(const char *path, const void *data, size_t n, int mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    assert_int_equal(close(fd), 0);
}

/* Read a whole (small) file into buf; returns its length. */
static inline size_t
read_file(const char *path, void *buf, size_t cap) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t len = 0;
    assert_true(fd >= 0);
    for (;;) {
        ssize_t got = read(fd, (char *)buf + len, cap - len);
        assert_true(got >= 0);
        if (got == 0)
            break;
        len += (size_t)got;
        assert_true(len < cap); /* the buffer was big enough */
    }
    close(fd);
    return len;
}

/* Create <dir>/<name>.seal.secret and .seal.pub, the division's seal key
 * pair (README "Compartments"), unless the secret exists. */
static inline void
unit_seal_keys(const char *dir, const char *name) {
    char path[PATH_MAX + 64];
    uint8_t pk[MN_KEY_BYTES], sk[MN_KEY_BYTES];
    snprintf(path, sizeof path, "%s/%s.seal.secret", dir, name);
    if (access(path, F_OK) == 0)
        return;
    mn_crypto_curve_keypair(pk, sk);
    assert_int_equal(mn_crypto_key_write(path, sk, sizeof sk, 0600), MN_OK);
    snprintf(path, sizeof path, "%s/%s.seal.pub", dir, name);
    assert_int_equal(mn_crypto_key_write(path, pk, sizeof pk, 0644), MN_OK);
    mn_crypto_wipe(sk, sizeof sk);
}

#endif
