/*
 * aggregate — see node/aggregate.h. The counts are made outside the
 * writer (one read transaction over this division's participants), then
 * compared with the stored aggregate and written only when they differ,
 * so that a node whose counts did not move makes no change: benchmarks
 * that count changes see none from it.
 */
#include "node/aggregate.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "node/seal.h"
#include "state/aggregate.h"
#include "state/participant.h"
#include "state/state.h"

/* Participants read per list call (the list's own cap is larger). */
#define PAGE 1000

/* One publish at a time in the process (the daemon's timer, a test, any
 * later caller): two would compare against the same stored text and both
 * write. */
static pthread_mutex_t publishing = PTHREAD_MUTEX_INITIALIZER;

/* This division's counts, by role and country, and the texts. */
struct tally {
    mn_node *node;
    uint64_t count[MN_ROLE_COUNT][MN_AGG_COUNTRIES];
    char text[MN_ROLE_COUNT][MN_AGG_TEXT_MAX + 1];
};

/* The aggregate's field holding role's counts. */
static uint32_t
field_of(int role) {
    return role == MN_ROLE_MENTEE ? MN_AG_MENTEES : MN_AG_MENTORS;
}

/* The fields a count reads; only these are copied and opened, so a
 * publish opens one sealed value per participant, not all of hers. */
static const uint32_t read_fields[] = {MN_P_ROLE, MN_P_HOME, MN_P_COUNTRY,
                                       MN_P_ERASED_AT};

/* Count participant e (home here) in her role and country, as this node
 * opens her values. An erased record holds no country any more; one
 * whose country does not open is not counted. */
static void
count_one(void *user, const mn_entity *e) {
    struct tally *t = user;
    mn_entity some, clear;
    mn_entity_init(&some, e->type, e->id);
    mn_entity_init(&clear, e->type, e->id);
    for (size_t i = 0; i < MN_ARRAY_LEN(read_fields); i++) {
        const mn_field *f = mn_entity_get(e, read_fields[i]);
        if (f) {
            mn_field_op op = {.no = f->no, .v = f->v};
            mn_entity_merge(&some, &op, 1, &f->stamp);
        }
    }
    mn_node_unseal_entity(t->node, &some, &clear);
    int role = mn_kind_enum_of(&mn_kind_participant, &clear, MN_P_ROLE);
    int cc = mn_aggregate_country(mn_entity_str(&clear, MN_P_COUNTRY));
    if (role >= 0 && cc >= 0 && mn_entity_int(&clear, MN_P_ERASED_AT, 0) == 0)
        t->count[role][cc]++;
    mn_entity_release(&some);
    mn_entity_release(&clear);
}

/* Count every participant whose home is this division, page by page. */
static int
count_home(mn_txn *txn, struct tally *t, uint32_t self) {
    mn_list_query q;
    bool more = true;
    uint8_t next[MN_ID_BYTES];
    int rc = MN_OK;
    mn_list_query_init(&q, &mn_kind_participant);
    q.want[0] = self; /* the home index (participant.c) */
    q.limit = PAGE;
    while (rc == MN_OK && more) {
        rc = mn_state_list(txn, &q, count_one, t, &more, next);
        q.has_cursor = true;
        memcpy(q.cursor, next, MN_ID_BYTES);
    }
    return rc;
}

/* Is the stored text of field no of stored (NULL: none) the same as
 * text ("" for no counts)? */
static bool
same_text(const mn_entity *stored, uint32_t no, const char *text) {
    const char *z = stored ? mn_entity_str(stored, no) : NULL;
    return z ? strcmp(z, text) == 0 : text[0] == '\0';
}

/* The ops that bring stored (NULL: none yet) to t's texts. */
static void
ops_for(const struct tally *t, const mn_entity *stored, uint32_t self,
        mn_ops *ops) {
    for (int role = 0; role < MN_ROLE_COUNT; role++) {
        uint32_t no = field_of(role);
        const char *z = t->text[role];
        if (same_text(stored, no, z))
            continue;
        if (z[0])
            mn_ops_add_str(ops, no, z, strlen(z));
        else
            mn_ops_add_clear(ops, no);
    }
    if (!stored && ops->n > 0)
        mn_ops_add_int(ops, MN_AG_DIVISION, self);
}

/* Count and compare in one read transaction. OUT: w's ops (none when
 * nothing changed) and whether it creates the aggregate. */
static int
prepare(mn_node *node, struct tally *t, mn_write *w) {
    uint32_t self = mn_node_config(node)->self.id;
    mn_entity stored;
    mn_txn *txn;
    int rc = mn_store_begin(mn_node_store(node), false, &txn);
    if (rc == MN_OK)
        rc = count_home(txn, t, self);
    for (int role = 0; rc == MN_OK && role < MN_ROLE_COUNT; role++)
        if (mn_aggregate_format(t->count[role], t->text[role],
                                sizeof t->text[role]) < 0)
            rc = MN_EINVAL; /* not with real counts (aggregate.h) */
    mn_aggregate_id(self, w->id);
    int got = rc == MN_OK
                  ? mn_state_get(txn, MN_ENTITY_AGGREGATE, w->id, &stored)
                  : rc;
    if (got == MN_OK || got == MN_ENOTFOUND) {
        w->create = w->given_id = got == MN_ENOTFOUND;
        ops_for(t, got == MN_OK ? &stored : NULL, self, &w->ops);
    } else {
        rc = got;
    }
    if (got == MN_OK)
        mn_entity_release(&stored);
    mn_txn_abort(&txn);
    return rc;
}

int
mn_node_publish_aggregate(mn_node *node, bool *written) {
    struct tally *t = mn_calloc(1, sizeof *t);
    mn_write w = {.type = MN_ENTITY_AGGREGATE};
    t->node = node;
    *written = false;
    mn_ops_init(&w.ops);
    pthread_mutex_lock(&publishing);
    int rc = prepare(node, t, &w);
    if (rc == MN_OK && w.ops.n > 0) {
        rc = mn_node_write(node, &w, 1);
        if (rc == MN_OK)
            rc = w.result;
        *written = rc == MN_OK;
    }
    pthread_mutex_unlock(&publishing);
    mn_ops_release(&w.ops);
    free(t);
    return rc;
}

/* Do a and b hold the same seq for every origin? (Both ways: one
 * covering the other is not enough.) */
static bool
same_vv(const mn_vv *a, const mn_vv *b) {
    return mn_vv_covers(a, b) && mn_vv_covers(b, a);
}

/* After our own publish moved the vector from before to after: was it the
 * only change (this origin one further, nothing else)? */
static bool
only_ours(mn_node *node, const mn_vv *before, const mn_vv *after) {
    uint32_t self = mn_node_origin(node);
    mn_vv expect = *before;
    if (mn_vv_set(&expect, self, mn_vv_get(before, self) + 1) != MN_OK)
        return false;
    return same_vv(&expect, after);
}

int
mn_node_aggregate_tick(mn_node *node, mn_aggregate_pacer *p, bool *written) {
    mn_vv now, after;
    *written = false;
    mn_node_state(node, &now, NULL);
    if (p->counted && same_vv(&now, &p->seen))
        return MN_OK;
    int rc = mn_node_publish_aggregate(node, written);
    if (rc != MN_OK)
        return rc;
    /* Our own write needs no count of its own; anything else does. */
    mn_node_state(node, &after, NULL);
    p->seen = *written && only_ours(node, &now, &after) ? after : now;
    p->counted = true;
    return MN_OK;
}
