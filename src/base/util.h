/*
 * util — allocation that aborts on exhaustion, byte buffers with a cap,
 * hex, and time. Everything here is small and has no project dependency.
 */
#ifndef MN_UTIL_H
#define MN_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "mentornet/mentornet.h"

#define MN_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MN_MUST_CHECK __attribute__((warn_unused_result))

/* Allocation: out of memory is fatal and logged once (as Redis zmalloc). */
void *mn_malloc(size_t n);
void *mn_calloc(size_t count, size_t n);
void *mn_realloc(void *p, size_t n);
char *mn_strdup(const char *z);
char *mn_strndup(const char *z, size_t n);

/* A growable byte buffer. Owned by whoever embeds it: mn_buf_release frees. */
typedef struct mn_buf {
    uint8_t *p;
    size_t len;
    size_t cap;
} mn_buf;

/* A borrowed byte range; the owner says how long it stays valid. */
typedef struct mn_bytes {
    const uint8_t *p;
    size_t n;
} mn_bytes;

void mn_buf_init(mn_buf *b);
void mn_buf_release(mn_buf *b);
void mn_buf_reserve(mn_buf *b, size_t extra);
void mn_buf_append(mn_buf *b, const void *data, size_t n);
void mn_buf_reset(mn_buf *b);

/* Hex: out must hold 2*n+1 bytes; mn_hex_decode returns MN_EINVAL on any
 * non-hex character or a length other than 2*n. */
void mn_hex_encode(const uint8_t *p, size_t n, char *out);
int mn_hex_decode(const char *z, size_t zlen, uint8_t *out, size_t n);

/* Big-endian integer packing for LMDB keys (sorts as numbers). */
void mn_put_be32(uint8_t *p, uint32_t v);
void mn_put_be64(uint8_t *p, uint64_t v);
uint32_t mn_get_be32(const uint8_t *p);
uint64_t mn_get_be64(const uint8_t *p);

/* mkdir -p with mode for every created directory; MN_EIO on failure. */
int mn_mkdir_p(const char *path, int mode);

/* Wall clock in ms since the epoch, and a monotonic clock in ns. */
uint64_t mn_wall_ms(void);
uint64_t mn_mono_ns(void);

/*
 * A problem found while validating outside input: a stable code (one of the
 * API's error codes, e.g. "invalid_field"), the field it concerns (may be
 * empty) and a human message. The HTTP layer maps the code to a status.
 */
typedef struct mn_problem {
    const char *code;
    char field[64];
    char message[256];
} mn_problem;

/* Fill p and return MN_EINVAL, so validators can `return mn_problem_set()`. */
int mn_problem_set(mn_problem *p, const char *code, const char *field,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
