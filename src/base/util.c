/*
 * util — see util.h. The only place that decides what happens when memory
 * runs out: the process logs and aborts, because every caller above would
 * otherwise need a path it cannot test.
 */
#include "base/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <time.h>

const char *
mn_strerror(int err) {
    switch (err) {
    case MN_OK: return "success";
    case MN_EINVAL: return "invalid input";
    case MN_ENOMEM: return "out of memory";
    case MN_ENOTFOUND: return "not found";
    case MN_EEXIST: return "already exists";
    case MN_EFULL: return "storage is full";
    case MN_EIO: return "storage or I/O error";
    case MN_ECORRUPT: return "data is corrupt";
    case MN_ECRYPTO: return "signature or decryption failed";
    case MN_ETOOBIG: return "too large";
    case MN_EAUTH: return "not authorized";
    case MN_ECONFIG: return "bad configuration";
    case MN_EDRIFT: return "clock too far ahead";
    case MN_ECONFLICT: return "conflicts with current state";
    case MN_EGAP: return "missing earlier changes";
    case MN_ESHUTDOWN: return "node is shutting down";
    case MN_EAGAIN: return "node is catching up; retry later";
    case MN_EERASED: return "the record is erased";
    default: return "unknown error";
    }
}

static void
oom(size_t n) {
    fprintf(stderr, "mentornet: out of memory allocating %zu bytes\n", n);
    abort();
}

void *
mn_malloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *
mn_calloc(size_t count, size_t n) {
    void *p = calloc(count ? count : 1, n ? n : 1);
    if (!p)
        oom(count * n);
    return p;
}

void *
mn_realloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *
mn_strdup(const char *z) {
    return mn_strndup(z, strlen(z));
}

char *
mn_strndup(const char *z, size_t n) {
    char *p = mn_malloc(n + 1);
    memcpy(p, z, n);
    p[n] = '\0';
    return p;
}

void
mn_buf_init(mn_buf *b) {
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

void
mn_buf_release(mn_buf *b) {
    free(b->p);
    mn_buf_init(b);
}

void
mn_buf_reserve(mn_buf *b, size_t extra) {
    if (b->len + extra <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra)
        cap *= 2;
    b->p = mn_realloc(b->p, cap);
    b->cap = cap;
}

void
mn_buf_append(mn_buf *b, const void *data, size_t n) {
    if (n == 0) /* p may be NULL: NULL + 0 and memcpy(NULL, ...) are UB */
        return;
    mn_buf_reserve(b, n);
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

void
mn_buf_reset(mn_buf *b) {
    b->len = 0;
}

void
mn_hex_encode(const uint8_t *p, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static int
hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int
mn_hex_decode(const char *z, size_t zlen, uint8_t *out, size_t n) {
    if (zlen != 2 * n)
        return MN_EINVAL;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(z[2 * i]), lo = hexval(z[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return MN_EINVAL;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return MN_OK;
}

void
mn_put_be32(uint8_t *p, uint32_t v) {
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

void
mn_put_be64(uint8_t *p, uint64_t v) {
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

uint32_t
mn_get_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

uint64_t
mn_get_be64(const uint8_t *p) {
    return (uint64_t)mn_get_be32(p) << 32 | mn_get_be32(p + 4);
}

uint64_t
mn_wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
mn_mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int
mn_problem_set(mn_problem *p, const char *code, const char *field,
               const char *fmt, ...) {
    va_list ap;
    p->code = code;
    snprintf(p->field, sizeof p->field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof p->message, fmt, ap);
    va_end(ap);
    return MN_EINVAL;
}

int
mn_mkdir_p(const char *path, int mode) {
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return MN_EINVAL;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST)
            return MN_EIO;
        *p = '/';
    }
    struct stat st;
    if (mkdir(buf, (mode_t)mode) != 0 &&
        (errno != EEXIST || stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)))
        return MN_EIO;
    return MN_OK;
}
