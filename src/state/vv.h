/*
 * vv — origins, version vectors and chain heads.
 *
 * An origin is one incarnation of one division's store: the division id in
 * the low 8 bits, the incarnation (1..2^24-1, drawn at random when a store
 * starts one) above. Incarnation 0 is a valid origin on the wire (tests
 * write as it) but no store draws it. Every change is (origin, seq, ...), seq
 * contiguous from 1 per origin. A store created empty, opened from a backup or
 * opened after an unclean stop starts a new incarnation, so a store that has
 * lost its newest changes never issues their seqs again (DESIGN.md, 11).
 *
 * A version vector maps each origin to the last contiguous seq applied
 * from it. Entries are sorted by origin and hold seq > 0; an absent origin
 * is seq 0. A vector holds at most MN_VV_MAX origins (a network's five
 * divisions leave room for many incarnations); a zeroed mn_vv is empty.
 */
#ifndef MN_VV_H
#define MN_VV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "door/crypto.h"
#include "mentornet/mentornet.h"

#define MN_VV_MAX 128
#define MN_INCARNATION_MAX 0xffffffu

static inline uint32_t
mn_origin_make(uint32_t division, uint32_t incarnation) {
    return incarnation << 8 | division;
}
static inline uint32_t
mn_origin_division(uint32_t origin) {
    return origin & 0xffu;
}
static inline uint32_t
mn_origin_incarnation(uint32_t origin) {
    return origin >> 8;
}
/* Its division is in 1..MN_MAX_NODES. */
static inline bool
mn_origin_valid(uint32_t origin) {
    uint32_t d = mn_origin_division(origin);
    return d >= 1 && d <= MN_MAX_NODES;
}

typedef struct mn_vv_entry {
    uint32_t origin;
    uint64_t seq;
} mn_vv_entry;

typedef struct mn_vv {
    uint32_t n;
    mn_vv_entry e[MN_VV_MAX];
} mn_vv;

/* The seq held for origin (0 when absent). */
uint64_t mn_vv_get(const mn_vv *v, uint32_t origin);
/* Set origin's seq (0 removes it). MN_ETOOBIG when v is full. */
int mn_vv_set(mn_vv *v, uint32_t origin, uint64_t seq);
/* Raise origin's seq to at least seq; false only when v is full. */
bool mn_vv_raise(mn_vv *v, uint32_t origin, uint64_t seq);
/* Does a hold at least every seq b holds? */
bool mn_vv_covers(const mn_vv *a, const mn_vv *b);
/* The same origins with the same seqs. */
bool mn_vv_equal(const mn_vv *a, const mn_vv *b);
/* Changes a holds that b lacks: the sum over origins of a - b where
 * positive. */
uint64_t mn_vv_ahead(const mn_vv *a, const mn_vv *b);
/* The sum of every seq (how many changes the vector covers). */
uint64_t mn_vv_total(const mn_vv *v);

/* Chain heads: the hash of the last change held of each origin, keyed and
 * sorted like a vector. A zeroed mn_heads is empty. */
typedef struct mn_heads {
    uint32_t n;
    uint32_t origin[MN_VV_MAX];
    uint8_t h[MN_VV_MAX][MN_HASH_BYTES];
} mn_heads;

/* origin's head, or all zero bytes when none is held. OUT: head. */
void mn_heads_get(const mn_heads *hs, uint32_t origin,
                  uint8_t head[MN_HASH_BYTES]);
/* MN_ETOOBIG when hs is full. */
int mn_heads_set(mn_heads *hs, uint32_t origin,
                 const uint8_t head[MN_HASH_BYTES]) MN_MUST_CHECK;

#endif
