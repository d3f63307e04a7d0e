/*
 * hlc — hybrid logical clock (Kulkarni et al., "Logical Physical Clocks",
 * 2014). Every change a node makes is stamped with an HLC timestamp so that
 * replicas order changes consistently with causality while staying close
 * to wall time.
 *
 * A timestamp is a uint64_t: 48 bits of milliseconds since the epoch,
 * shifted left 16, OR a 16-bit logical counter. Because the counter sits in
 * the low bits, comparing two timestamps as integers compares (ms, counter)
 * lexicographically, and a counter overflow carries into the next
 * millisecond. Ties between nodes are broken by node id elsewhere.
 *
 * The module is pure: it never reads a clock. Callers pass wall time in,
 * which keeps it deterministic under test.
 *
 * Invariants: h->last is the greatest timestamp issued or accepted so far
 * and never decreases. Every value mn_hlc_now returns is strictly greater
 * than h->last was before the call (until the clock is exhausted at
 * UINT64_MAX, in the year 10889). A mn_hlc is not locked: one owner only.
 */
#ifndef MN_HLC_H
#define MN_HLC_H

#include <stdint.h>

#include "base/util.h"

#define MN_HLC_MS(t) ((t) >> 16)
#define MN_HLC_COUNTER(t) ((t)&0xffff)
#define MN_HLC_MAKE(ms, c) (((uint64_t)(ms) << 16) | (uint64_t)(c))

/* Largest wall time a timestamp can carry: 2^48 - 1 ms. */
#define MN_HLC_MAX_MS ((UINT64_C(1) << 48) - 1)

/* Embedded struct; no resources, so there is no _release. */
typedef struct mn_hlc {
    uint64_t last; /* greatest timestamp issued or accepted */
} mn_hlc;

/*
 * Start h from persisted, the high-water mark saved before the last
 * shutdown (0 for a new node), so that a restart whose wall clock moved
 * back never reissues a timestamp.
 */
void mn_hlc_init(mn_hlc *h, uint64_t persisted);

/*
 * Timestamp for a local event or a send. wall_ms is the caller's wall time
 * in ms since the epoch; values above MN_HLC_MAX_MS are clamped to it.
 * Returns a timestamp strictly greater than every timestamp previously
 * issued by h or accepted by mn_hlc_recv, and records it in h. If wall time
 * stands still or goes back, the counter advances; past 0xffff it moves on
 * to the next millisecond.
 */
uint64_t mn_hlc_now(mn_hlc *h, uint64_t wall_ms);

/*
 * The greatest millisecond a peer's timestamp may carry: max_drift_ms past
 * the later of our wall clock and our own HLC (hlc, its ms part). Our HLC
 * counts because a clock stepped back, or one slower than a peer whose
 * changes we already took in, must not quarantine peers that are no
 * further ahead than what we hold. Saturates instead of wrapping.
 */
uint64_t mn_hlc_bound_ms(uint64_t hlc, uint64_t wall_ms, uint64_t max_drift_ms);

/* How many ms the timestamp hlc is ahead of wall_ms (0 when it is not). */
uint64_t mn_hlc_lead_ms(uint64_t hlc, uint64_t wall_ms);

/*
 * Merge remote, a timestamp received from a peer, into h (the HLC receive
 * rule; the receipt itself counts as an event). wall_ms is clamped as in
 * mn_hlc_now. max_drift_ms is how far ahead a peer's clock may be, as
 * mn_hlc_bound_ms measures it.
 * Returns 0 and advances h so that every later mn_hlc_now() > remote, or
 * MN_EDRIFT, leaving h untouched, when MN_HLC_MS(remote) >
 * mn_hlc_bound_ms(h->last, wall_ms, max_drift_ms): a peer that far ahead
 * would drag our clock with it.
 */
int mn_hlc_recv(mn_hlc *h, uint64_t remote, uint64_t wall_ms,
                uint64_t max_drift_ms) MN_MUST_CHECK;

#endif
