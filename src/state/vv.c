/*
 * vv — see vv.h. Vectors are small (a few origins per division), so a
 * sorted array with a binary search is both the compact and the fast
 * choice; inserting shifts at most MN_VV_MAX entries.
 */
#include "state/vv.h"

#include <string.h>

/* The index of origin in the sorted keys, or where it would go. */
static uint32_t
find(const uint32_t *keys, size_t stride, uint32_t n, uint32_t origin,
     bool *found) {
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        uint32_t k = *(const uint32_t *)((const char *)keys + mid * stride);
        if (k < origin)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < n &&
             *(const uint32_t *)((const char *)keys + lo * stride) == origin;
    return lo;
}

uint64_t
mn_vv_get(const mn_vv *v, uint32_t origin) {
    bool found;
    uint32_t i = find(&v->e[0].origin, sizeof v->e[0], v->n, origin, &found);
    return found ? v->e[i].seq : 0;
}

int
mn_vv_set(mn_vv *v, uint32_t origin, uint64_t seq) {
    bool found;
    uint32_t i = find(&v->e[0].origin, sizeof v->e[0], v->n, origin, &found);
    if (found && seq) {
        v->e[i].seq = seq;
    } else if (found) {
        memmove(&v->e[i], &v->e[i + 1], (v->n - i - 1) * sizeof v->e[0]);
        v->n--;
    } else if (seq) {
        if (v->n == MN_VV_MAX)
            return MN_ETOOBIG;
        memmove(&v->e[i + 1], &v->e[i], (v->n - i) * sizeof v->e[0]);
        v->e[i] = (mn_vv_entry){.origin = origin, .seq = seq};
        v->n++;
    }
    return MN_OK;
}

bool
mn_vv_raise(mn_vv *v, uint32_t origin, uint64_t seq) {
    return seq <= mn_vv_get(v, origin) || mn_vv_set(v, origin, seq) == MN_OK;
}

bool
mn_vv_covers(const mn_vv *a, const mn_vv *b) {
    for (uint32_t i = 0; i < b->n; i++)
        if (mn_vv_get(a, b->e[i].origin) < b->e[i].seq)
            return false;
    return true;
}

bool
mn_vv_equal(const mn_vv *a, const mn_vv *b) {
    return a->n == b->n && mn_vv_covers(a, b) && mn_vv_covers(b, a);
}

uint64_t
mn_vv_ahead(const mn_vv *a, const mn_vv *b) {
    uint64_t n = 0;
    for (uint32_t i = 0; i < a->n; i++) {
        uint64_t theirs = mn_vv_get(b, a->e[i].origin);
        if (a->e[i].seq > theirs)
            n += a->e[i].seq - theirs;
    }
    return n;
}

uint64_t
mn_vv_total(const mn_vv *v) {
    uint64_t n = 0;
    for (uint32_t i = 0; i < v->n; i++)
        n += v->e[i].seq;
    return n;
}

void
mn_heads_get(const mn_heads *hs, uint32_t origin, uint8_t head[MN_HASH_BYTES]) {
    bool found;
    uint32_t i = find(hs->origin, sizeof hs->origin[0], hs->n, origin, &found);
    if (found)
        memcpy(head, hs->h[i], MN_HASH_BYTES);
    else
        memset(head, 0, MN_HASH_BYTES);
}

int
mn_heads_set(mn_heads *hs, uint32_t origin, const uint8_t head[MN_HASH_BYTES]) {
    bool found;
    uint32_t i = find(hs->origin, sizeof hs->origin[0], hs->n, origin, &found);
    if (!found) {
        if (hs->n == MN_VV_MAX)
            return MN_ETOOBIG;
        memmove(&hs->origin[i + 1], &hs->origin[i],
                (hs->n - i) * sizeof hs->origin[0]);
        memmove(hs->h[i + 1], hs->h[i], (hs->n - i) * MN_HASH_BYTES);
        hs->origin[i] = origin;
        hs->n++;
    }
    memcpy(hs->h[i], head, MN_HASH_BYTES);
    return MN_OK;
}
