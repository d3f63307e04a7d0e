/*
 * id — time-ordered ids and RFC 3339 times (see id.h).
 */
#include "base/id.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base/log.h"
#include "base/util.h"

/* Random bits straight from the kernel's CSPRNG (what libsodium's
 * randombytes uses on Linux too); a failure here is fatal, as running out
 * of memory is. */
static void
random_fill(uint8_t *p, size_t n) {
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            mn_error("getrandom failed; cannot make ids");
            abort();
        }
        p += got;
        n -= (size_t)got;
    }
}

void
mn_id_new(uint64_t now_ms, uint32_t division, uint8_t id[MN_ID_BYTES]) {
    assert(division >= 1 && division <= UINT8_MAX);
    random_fill(id, MN_ID_BYTES);
    for (int i = 5; i >= 0; i--, now_ms >>= 8)
        id[i] = (uint8_t)now_ms;
    id[6] = (uint8_t)(0x70 | (id[6] & 0x0f));
    id[8] = (uint8_t)(0x80 | (id[8] & 0x3f));
    id[MN_ID_DIVISION_BYTE] = (uint8_t)division;
}

uint32_t
mn_id_division(const uint8_t id[MN_ID_BYTES]) {
    return id[MN_ID_DIVISION_BYTE];
}

uint64_t
mn_id_time_ms(const uint8_t id[MN_ID_BYTES]) {
    uint64_t ms = 0;
    for (int i = 0; i < 6; i++)
        ms = ms << 8 | id[i];
    return ms;
}

void
mn_time_format(uint64_t ms, char *out) {
    /* A peer controls stored times: beyond year 9999 they print as that. */
    static const uint64_t max_ms = 253402300799999ull; /* 9999-12-31 */
    if (ms > max_ms)
        ms = max_ms;
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(out, 24, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, MN_TIME_TEXT - n, ".%03uZ", (unsigned)(ms % 1000));
}

int
mn_id_parse(const char *z, uint8_t id[MN_ID_BYTES]) {
    if (!z || strlen(z) != 2 * MN_ID_BYTES ||
        strspn(z, "0123456789abcdef") != 2 * MN_ID_BYTES)
        return MN_EINVAL;
    return mn_hex_decode(z, 2 * MN_ID_BYTES, id, MN_ID_BYTES);
}

void
mn_id_format(const uint8_t id[MN_ID_BYTES], char out[MN_ID_TEXT]) {
    mn_hex_encode(id, MN_ID_BYTES, out);
}
