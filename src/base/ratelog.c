/*
 * ratelog — see ratelog.h. A small open table, searched linearly: it holds
 * at most MN_RATELOG_SLOTS keys, and keys leave it when their interval
 * ends (mn_ratelog_due), so a steady flood keeps only the keys of peers
 * still misbehaving. Slot `used` false means free.
 */
#include "base/ratelog.h"

#include <stdlib.h>

#include "base/util.h"

struct slot {
    bool used;
    uint64_t peer;
    unsigned reason;
    uint64_t start; /* when the logged occurrence came */
    uint64_t held;  /* occurrences counted since */
};

struct mn_ratelog {
    uint64_t interval;
    struct slot slot[MN_RATELOG_SLOTS];
    struct slot others; /* what did not fit */
};

mn_ratelog *
mn_ratelog_new(uint64_t interval_ms) {
    mn_ratelog *rl = mn_calloc(1, sizeof *rl);
    rl->interval = interval_ms ? interval_ms : 1;
    rl->others.peer = MN_RATELOG_OTHERS;
    return rl;
}

void
mn_ratelog_destroy(mn_ratelog **self_p) {
    free(*self_p);
    *self_p = NULL;
}

static bool
expired(const mn_ratelog *rl, const struct slot *s, uint64_t now) {
    return now < s->start || now - s->start >= rl->interval;
}

static void
summarise(const mn_ratelog *rl, const struct slot *s, mn_ratelog_summary *out) {
    *out = (mn_ratelog_summary){
        .peer = s->peer,
        .reason = s->reason,
        .count = s->held,
        .window = rl->interval,
    };
}

static struct slot *
find(mn_ratelog *rl, uint64_t peer, unsigned reason, struct slot **free_slot) {
    *free_slot = NULL;
    for (size_t i = 0; i < MN_RATELOG_SLOTS; i++) {
        struct slot *s = &rl->slot[i];
        if (s->used && s->peer == peer && s->reason == reason)
            return s;
        if (!s->used && !*free_slot)
            *free_slot = s;
    }
    return NULL;
}

/* Count an occurrence that found no room; the first of an interval logs. */
static bool
hit_others(mn_ratelog *rl, uint64_t now, mn_ratelog_summary *late) {
    struct slot *o = &rl->others;
    if (o->used && !expired(rl, o, now)) {
        o->held++;
        return false;
    }
    if (o->used && o->held && late)
        summarise(rl, o, late);
    *o = (struct slot){.used = true, .peer = MN_RATELOG_OTHERS, .start = now};
    return true;
}

bool
mn_ratelog_hit(mn_ratelog *rl, uint64_t peer, unsigned reason, uint64_t now,
               mn_ratelog_summary *late) {
    struct slot *free_slot;
    struct slot *s = find(rl, peer, reason, &free_slot);
    if (late)
        late->count = 0;
    if (s && !expired(rl, s, now)) {
        s->held++;
        return false;
    }
    if (s && s->held && late)
        summarise(rl, s, late);
    if (!s)
        s = free_slot;
    if (!s)
        return hit_others(rl, now, late);
    *s = (struct slot){
        .used = true, .peer = peer, .reason = reason, .start = now};
    return true;
}

/* Report s if its interval is over and it held something; free it. */
static size_t
settle(const mn_ratelog *rl, struct slot *s, uint64_t now,
       mn_ratelog_summary *out, size_t room) {
    if (!s->used || !expired(rl, s, now))
        return 0;
    if (s->held && room == 0)
        return 0; /* kept for the next call */
    size_t n = s->held ? 1 : 0;
    if (n)
        summarise(rl, s, out);
    s->used = false;
    s->held = 0;
    return n;
}

size_t
mn_ratelog_due(mn_ratelog *rl, uint64_t now, mn_ratelog_summary *out,
               size_t max) {
    size_t n = 0;
    for (size_t i = 0; i < MN_RATELOG_SLOTS; i++)
        n += settle(rl, &rl->slot[i], now, out + n, max - n);
    n += settle(rl, &rl->others, now, out + n, max - n);
    return n;
}
