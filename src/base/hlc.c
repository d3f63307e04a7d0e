/*
 * hlc — see hlc.h. Kulkarni's algorithm keeps (l, c) apart; with the
 * packed encoding both rules collapse to integer arithmetic:
 *
 *   send:    last = max(last + 1, pt)
 *   receive: last = max(max(last, remote) + 1, pt)
 *
 * where pt = MN_HLC_MAKE(wall_ms, 0). Taking "+ 1" on the packed value is
 * exactly "counter + 1" when the millisecond part is kept, and carries into
 * the next millisecond when the counter is full, which is what the paper's
 * bounded counter needs.
 */
#include "base/hlc.h"

#include <assert.h>

static uint64_t
clamp_ms(uint64_t wall_ms) {
    return wall_ms > MN_HLC_MAX_MS ? MN_HLC_MAX_MS : wall_ms;
}

/* t + 1, stuck at UINT64_MAX rather than wrapping to 0: a clock that stops
 * is wrong, one that jumps to 1970 is worse. */
static uint64_t
successor(uint64_t t) {
    return t == UINT64_MAX ? t : t + 1;
}

/* Advance h past floor, or to wall time if that is later. */
static uint64_t
advance(mn_hlc *h, uint64_t floor, uint64_t wall_ms) {
    uint64_t pt = MN_HLC_MAKE(clamp_ms(wall_ms), 0);
    uint64_t next = successor(floor);

    h->last = pt > next ? pt : next;
    return h->last;
}

void
mn_hlc_init(mn_hlc *h, uint64_t persisted) {
    assert(h != NULL);
    h->last = persisted;
}

uint64_t
mn_hlc_now(mn_hlc *h, uint64_t wall_ms) {
    assert(h != NULL);
    return advance(h, h->last, wall_ms);
}

uint64_t
mn_hlc_bound_ms(uint64_t hlc, uint64_t wall_ms, uint64_t max_drift_ms) {
    uint64_t wall = clamp_ms(wall_ms);
    uint64_t ref = MN_HLC_MS(hlc) > wall ? MN_HLC_MS(hlc) : wall;
    /* Saturate: a huge configured bound must not wrap into a tiny one. */
    return max_drift_ms > UINT64_MAX - ref ? UINT64_MAX : ref + max_drift_ms;
}

uint64_t
mn_hlc_lead_ms(uint64_t hlc, uint64_t wall_ms) {
    uint64_t wall = clamp_ms(wall_ms);
    return MN_HLC_MS(hlc) > wall ? MN_HLC_MS(hlc) - wall : 0;
}

int
mn_hlc_recv(mn_hlc *h, uint64_t remote, uint64_t wall_ms,
            uint64_t max_drift_ms) {
    assert(h != NULL);
    if (MN_HLC_MS(remote) > mn_hlc_bound_ms(h->last, wall_ms, max_drift_ms))
        return MN_EDRIFT;
    advance(h, remote > h->last ? remote : h->last, wall_ms);
    return 0;
}
