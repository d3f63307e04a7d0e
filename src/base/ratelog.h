/*
 * ratelog — decides which repeated refusals are logged: the first of a
 * (peer, reason) logs at once; the later ones within the interval are only
 * counted, and reported as one summary ("N more in the last 10 s") once
 * the interval is over. So a flood from one peer costs at most two lines
 * per reason per interval.
 *
 * Pure: the caller passes the time of every event (ms, any monotonic
 * origin); nothing here reads a clock, so the sans-IO engine can use it
 * and tests drive time by hand. Not thread-safe: one owner per table.
 * The table holds MN_RATELOG_SLOTS keys; occurrences past that are counted
 * under the peer MN_RATELOG_OTHERS (reason 0) and summarised the same way.
 */
#ifndef MN_RATELOG_H
#define MN_RATELOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MN_RATELOG_SLOTS 64
#define MN_RATELOG_OTHERS UINT64_MAX

typedef struct mn_ratelog mn_ratelog;

/* What was held back for one key over its interval. */
typedef struct mn_ratelog_summary {
    uint64_t peer;
    unsigned reason;
    uint64_t count;  /* occurrences not logged */
    uint64_t window; /* ms the count covers (the interval) */
} mn_ratelog_summary;

/* A table whose interval is interval_ms (> 0). Never NULL (aborts on out
 * of memory, like mn_malloc). Destroy with mn_ratelog_destroy. */
mn_ratelog *mn_ratelog_new(uint64_t interval_ms);
void mn_ratelog_destroy(mn_ratelog **self_p);

/*
 * One occurrence of (peer, reason) at now. Returns true when the caller
 * logs it now (the first of its interval), false when it was counted
 * instead. When a key's interval ended with held occurrences that
 * mn_ratelog_due has not reported yet, *late (if not NULL) gets them as a
 * summary and its count is nonzero; otherwise late->count is 0. With
 * late NULL such a count is dropped.
 */
bool mn_ratelog_hit(mn_ratelog *rl, uint64_t peer, unsigned reason,
                    uint64_t now, mn_ratelog_summary *late);

/*
 * The keys whose interval is over at now: up to max summaries of those
 * with held occurrences go to out (OUT:), and every such key is forgotten,
 * so its next occurrence logs at once. Call it on a timer (the engine's
 * tick); keys not reported for lack of room stay for the next call.
 * Returns how many summaries were written.
 */
size_t mn_ratelog_due(mn_ratelog *rl, uint64_t now, mn_ratelog_summary *out,
                      size_t max);

#endif
