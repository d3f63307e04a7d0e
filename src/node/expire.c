/*
 * expire — a division's node expires its unanswered sides of old
 * proposals (state/partnership.h): the decision of each participant's
 * home, made once by the home's clock and replicated like any answer,
 * never by each node's clock. mentornetd runs it every hour; POST
 * /v1/partnerships/expire runs it now.
 */
#include <stdlib.h>
#include <string.h>

#include "node/node.h"
#include "state/partnership_rules.h"
#include "state/state.h"

/* Proposals answered in one group at most; the rest wait for the next
 * run (an hour later), so a run never holds the writer for long. */
#define EXPIRE_BATCH 256

struct expiring {
    mn_write w[EXPIRE_BATCH];
    size_t n;
    uint64_t before; /* proposed before this: old enough */
};

static void
collect(void *user, const mn_entity *e) {
    struct expiring *x = user;
    if (x->n < EXPIRE_BATCH &&
        (uint64_t)mn_entity_int(e, MN_PS_PROPOSED_AT, 0) < x->before) {
        x->w[x->n].type = MN_ENTITY_PARTNERSHIP;
        memcpy(x->w[x->n++].id, e->id, MN_ID_BYTES);
    }
}

/* Proposals (state proposed or reserved) old enough to expire: the
 * writer's hook then answers the sides this node owns, and skips the rest
 * (whose result is not MN_OK). */
static int
find(mn_node *node, struct expiring *x) {
    mn_txn *t;
    mn_list_query q;
    uint8_t next[MN_ID_BYTES];
    bool more;
    int rc = mn_store_begin(mn_node_store(node), false, &t);
    for (int s = MN_PSTATE_PROPOSED; rc == MN_OK && s <= MN_PSTATE_RESERVED;
         s++) {
        mn_list_query_init(&q, &mn_kind_partnership);
        q.want[2] = s; /* the state index (partnership.c) */
        q.limit = EXPIRE_BATCH - x->n;
        rc = mn_state_list(t, &q, collect, x, &more, next);
    }
    mn_txn_abort(&t);
    return rc;
}

int
mn_node_expire_proposals(mn_node *node, uint64_t now, size_t *expired) {
    const mn_config *cfg = mn_node_config(node);
    struct expiring *x = mn_calloc(1, sizeof *x);
    mn_pship_act a = {.verb = MN_PSHIP_EXPIRE,
                      .self = cfg->self.id,
                      .now = now,
                      .expire_ms = (uint64_t)cfg->expire_days * 86400000u};
    *expired = 0;
    x->before = now > a.expire_ms ? now - a.expire_ms : 0;
    int rc = find(node, x);
    for (size_t i = 0; i < x->n; i++) {
        x->w[i].prepare = mn_pship_prepare;
        x->w[i].prepare_ctx = &a;
        mn_ops_init(&x->w[i].ops);
    }
    if (rc == MN_OK && x->n > 0)
        rc = mn_node_write(node, x->w, x->n);
    for (size_t i = 0; i < x->n; i++) {
        *expired += rc == MN_OK && x->w[i].result == MN_OK;
        mn_ops_release(&x->w[i].ops);
    }
    free(x);
    return rc;
}
