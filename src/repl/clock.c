/*
 * clock — the engine's two uses of the wall clock (repl.h, "Time"): the
 * drift bound a peer's change is measured against, and the alarm raised
 * while our own HLC runs ahead of the wall clock by more than that bound.
 * Everything else in the engine runs on the host's monotonic `now`, made
 * steady here for a host whose clock is not (a simulator's skewed clock,
 * or a wall clock): a step back counts as no time passed, so a client
 * does not say HELLO on every tick nor a server drop its session.
 *
 * Why an alarm and not a refusal: the HLC never goes back (last writer
 * wins needs stamps that only grow), and it can run ahead for two
 * reasons that look alike from here: this node's clock was wrong (a store
 * saved while it ran fast), or a peer's fast clock reached us through the
 * widened bound. Holding local writes would let a wrong peer stop a
 * correct node, so writes go on and the alarm says what will happen to
 * them: peers quarantine them until their clocks catch up.
 *
 * Invariants: the engine's now never decreases; clock_alarm is true exactly
 * while the last measured lead is past max_drift_ms; the warning repeats at
 * most every CLOCK_LOG_MS.
 */
#include "base/hlc.h"
#include "base/log.h"
#include "repl/repl_internal.h"

/* How often a standing clock alarm is logged again. */
#define CLOCK_LOG_MS 60000

uint64_t
mn_repl_steady(mn_repl *r, uint64_t now) {
    if (now + r->skew < r->now)
        r->skew = r->now - now; /* the host's clock stepped back */
    r->host_now = now;
    r->now = now + r->skew;
    return r->now;
}

void
mn_repl_clocks_read(mn_repl *r, mn_repl_clocks *out) {
    if (r->host.clocks) {
        r->host.clocks(r->host.ctx, out);
        return;
    }
    out->wall_ms = r->host_now;
    out->hlc = 0;
}

uint64_t
mn_repl_drift_bound(mn_repl *r) {
    mn_repl_clocks c;
    mn_repl_clocks_read(r, &c);
    return mn_hlc_bound_ms(c.hlc, c.wall_ms, r->max_drift_ms);
}

/* Log the alarm when it starts, ends, or has stood CLOCK_LOG_MS. */
static void
log_alarm(mn_repl *r, bool was, uint64_t now) {
    if (!r->clock_alarm) {
        if (was)
            mn_info("repl: clock alarm over: the HLC is within %llu ms of "
                    "the wall clock",
                    (unsigned long long)r->max_drift_ms);
        return;
    }
    if (was && now < r->clock_logged_at + CLOCK_LOG_MS)
        return;
    r->clock_logged_at = now;
    mn_warn("repl: clock alarm: this node's HLC is %llu s ahead of its wall "
            "clock (bound %llu s); its new changes carry that clock and "
            "peers hold them back until their clocks catch up",
            (unsigned long long)(r->hlc_lead_ms / 1000),
            (unsigned long long)(r->max_drift_ms / 1000));
}

void
mn_repl_clock_tick(mn_repl *r, uint64_t now) {
    mn_repl_clocks c;
    bool was = r->clock_alarm;
    mn_repl_clocks_read(r, &c);
    r->hlc_lead_ms = mn_hlc_lead_ms(c.hlc, c.wall_ms);
    r->clock_alarm = r->hlc_lead_ms > r->max_drift_ms;
    if (was || r->clock_alarm)
        log_alarm(r, was, now);
    pthread_mutex_lock(&r->stats_mu);
    r->pub_hlc_lead_ms = r->hlc_lead_ms;
    r->pub_clock_alarm = r->clock_alarm;
    pthread_mutex_unlock(&r->stats_mu);
}
