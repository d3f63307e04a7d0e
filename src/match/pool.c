/*
 * pool — see pool.h. Two scans of the partnerships' and participants'
 * entities (indexes pick the waiting mentees and the mentors); what they
 * keep is compact (profiles, ids), never an entity.
 */
#include "match/pool.h"

#include <stdlib.h>
#include <string.h>

#include "state/participant.h"
#include "state/partnership.h"
#include "state/state.h"

/* What the partnership scan collects before the participants are read. */
struct pship_scan {
    mn_buf history; /* mentee id, mentor id: declined or cancelled */
    mn_buf busy;    /* mentee ids of open partnerships */
    mn_buf held;    /* mentor ids, once per open partnership */
};

/* Call fn for every entity q matches, page after page. */
static int
scan_all(mn_txn *t, mn_list_query *q, void (*fn)(void *, const mn_entity *),
         void *user) {
    uint8_t next[MN_ID_BYTES];
    bool more = true;
    int rc = MN_OK;
    q->limit = SIZE_MAX;
    while (rc == MN_OK && more) {
        rc = mn_state_list(t, q, fn, user, &more, next);
        q->has_cursor = true;
        memcpy(q->cursor, next, MN_ID_BYTES);
    }
    return rc;
}

/* The first of n sorted records of size rec (rec >= MN_ID_BYTES) whose
 * leading id is not less than id: n when there is none. */
static size_t
lower_bound(const void *v, size_t n, size_t rec, const uint8_t *id) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp((const uint8_t *)v + mid * rec, id, MN_ID_BYTES) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void
on_partnership(void *user, const mn_entity *e) {
    struct pship_scan *s = user;
    const char *mentee = mn_entity_str(e, MN_PS_MENTEE);
    const char *mentor = mn_entity_str(e, MN_PS_MENTOR);
    uint8_t pair[2 * MN_ID_BYTES];
    int st = mn_partnership_state(e);
    if (!mentee || !mentor || mn_id_parse(mentee, pair) != MN_OK ||
        mn_id_parse(mentor, pair + MN_ID_BYTES) != MN_OK || st < 0)
        return; /* a partial entity, mid-replication */
    if (st == MN_PSTATE_DECLINED || st == MN_PSTATE_CANCELLED) {
        mn_buf_append(&s->history, pair, sizeof pair);
    } else if (!mn_partnership_over(st)) {
        mn_buf_append(&s->busy, pair, MN_ID_BYTES);
        mn_buf_append(&s->held, pair + MN_ID_BYTES, MN_ID_BYTES);
    }
}

static int
cmp_id(const void *a, const void *b) {
    return memcmp(a, b, MN_ID_BYTES);
}

static int
cmp_pair(const void *a, const void *b) {
    return memcmp(a, b, 2 * MN_ID_BYTES);
}

/* Sort buf's records of size rec, drop duplicates; OUT: *n records. */
static void *
sorted_unique(mn_buf *buf, size_t rec, int (*cmp)(const void *, const void *),
              size_t *n) {
    uint8_t *p = (uint8_t *)buf->p;
    size_t count = buf->len / rec, kept = 0;
    if (count)
        qsort(p, count, rec, cmp);
    for (size_t i = 0; i < count; i++)
        if (kept == 0 || cmp(p + (kept - 1) * rec, p + i * rec) != 0)
            memmove(p + kept++ * rec, p + i * rec, rec);
    *n = kept;
    buf->p = NULL;
    buf->len = buf->cap = 0;
    return p;
}

struct people_scan {
    mn_match_pool *pool;
    const uint8_t (*held)[MN_ID_BYTES]; /* sorted, with repeats */
    size_t nheld;
    size_t cap_mentees, cap_mentors;
};

static void
on_mentee(void *user, const mn_entity *e) {
    struct people_scan *s = user;
    mn_match_pool *p = s->pool;
    if (mn_match_pool_busy(p, e->id))
        return;
    if (p->nmentees == s->cap_mentees) {
        s->cap_mentees = s->cap_mentees ? 2 * s->cap_mentees : 256;
        p->mentees =
            mn_realloc(p->mentees, s->cap_mentees * sizeof *p->mentees);
    }
    mn_match_profile_of(e, &p->mentees[p->nmentees++]);
}

/* How many open partnerships name mentor id (held is sorted). */
static int
held_by(const struct people_scan *s, const uint8_t id[MN_ID_BYTES]) {
    size_t lo = lower_bound(s->held, s->nheld, MN_ID_BYTES, id);
    int n = 0;
    while (lo < s->nheld && memcmp(s->held[lo++], id, MN_ID_BYTES) == 0)
        n++;
    return n;
}

static void
on_mentor(void *user, const mn_entity *e) {
    struct people_scan *s = user;
    mn_match_pool *p = s->pool;
    mn_match_profile prof;
    mn_match_profile_of(e, &prof);
    if (prof.status != MN_STATUS_WAITING && prof.status != MN_STATUS_MATCHED)
        return;
    int free_slots = prof.capacity - held_by(s, e->id);
    if (free_slots <= 0)
        return;
    if (p->nmentors == s->cap_mentors) {
        s->cap_mentors = s->cap_mentors ? 2 * s->cap_mentors : 256;
        p->mentors =
            mn_realloc(p->mentors, s->cap_mentors * sizeof *p->mentors);
        p->free = mn_realloc(p->free, s->cap_mentors * sizeof *p->free);
    }
    p->free[p->nmentors] = free_slots;
    p->mentors[p->nmentors++] = prof;
}

/* Index positions of the participant table's indexes (participant.c). */
enum { IDX_DIVISION, IDX_STATUS, IDX_ROLE };

static int
load_people(mn_txn *t, struct people_scan *s) {
    mn_list_query q;
    mn_list_query_init(&q, &mn_kind_participant);
    q.want[IDX_STATUS] = MN_STATUS_WAITING;
    q.want[IDX_ROLE] = MN_ROLE_MENTEE;
    int rc = scan_all(t, &q, on_mentee, s);
    if (rc != MN_OK)
        return rc;
    mn_list_query_init(&q, &mn_kind_participant);
    q.want[IDX_ROLE] = MN_ROLE_MENTOR;
    return scan_all(t, &q, on_mentor, s);
}

int
mn_match_pool_load(mn_txn *t, mn_match_pool *out) {
    struct pship_scan ps;
    mn_list_query q;
    size_t nheld;
    memset(out, 0, sizeof *out);
    mn_buf_init(&ps.history);
    mn_buf_init(&ps.busy);
    mn_buf_init(&ps.held);
    mn_list_query_init(&q, &mn_kind_partnership);
    int rc = scan_all(t, &q, on_partnership, &ps);
    out->history =
        sorted_unique(&ps.history, 2 * MN_ID_BYTES, cmp_pair, &out->nhistory);
    out->busy = sorted_unique(&ps.busy, MN_ID_BYTES, cmp_id, &out->nbusy);
    /* held keeps its repeats: one per open partnership of the mentor. */
    nheld = ps.held.len / MN_ID_BYTES;
    if (nheld)
        qsort(ps.held.p, nheld, MN_ID_BYTES, cmp_id);
    struct people_scan s = {out, (const uint8_t(*)[MN_ID_BYTES])ps.held.p,
                            nheld, 0, 0};
    if (rc == MN_OK)
        rc = load_people(t, &s);
    mn_buf_release(&ps.held);
    if (rc != MN_OK)
        mn_match_pool_release(out);
    return rc;
}

void
mn_match_pool_release(mn_match_pool *pool) {
    free(pool->mentees);
    free(pool->mentors);
    free(pool->free);
    free(pool->history);
    free(pool->busy);
    memset(pool, 0, sizeof *pool);
}

bool
mn_match_pool_declined(const mn_match_pool *pool,
                       const uint8_t mentee[MN_ID_BYTES],
                       const uint8_t mentor[MN_ID_BYTES]) {
    uint8_t key[2 * MN_ID_BYTES];
    memcpy(key, mentee, MN_ID_BYTES);
    memcpy(key + MN_ID_BYTES, mentor, MN_ID_BYTES);
    return pool->nhistory &&
           bsearch(key, pool->history, pool->nhistory, sizeof key, cmp_pair);
}

bool
mn_match_pool_busy(const mn_match_pool *pool,
                   const uint8_t mentee[MN_ID_BYTES]) {
    return pool->nbusy &&
           bsearch(mentee, pool->busy, pool->nbusy, MN_ID_BYTES, cmp_id);
}

/* Profiles are sorted by id, and id is their first member. */
static long
find_profile(const mn_match_profile *v, size_t n,
             const uint8_t id[MN_ID_BYTES]) {
    const mn_match_profile *hit =
        n ? bsearch(id, v, n, sizeof *v, cmp_id) : NULL;
    return hit ? (long)(hit - v) : -1;
}

long
mn_match_pool_mentee(const mn_match_pool *pool, const uint8_t id[MN_ID_BYTES]) {
    return find_profile(pool->mentees, pool->nmentees, id);
}

long
mn_match_pool_mentor(const mn_match_pool *pool, const uint8_t id[MN_ID_BYTES]) {
    return find_profile(pool->mentors, pool->nmentors, id);
}

size_t
mn_match_pool_history_of(const mn_match_pool *pool,
                         const uint8_t mentee[MN_ID_BYTES]) {
    size_t lo =
        lower_bound(pool->history, pool->nhistory, 2 * MN_ID_BYTES, mentee);
    return lo < pool->nhistory &&
                   memcmp(pool->history[lo], mentee, MN_ID_BYTES) == 0
               ? lo
               : pool->nhistory;
}
