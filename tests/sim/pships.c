/*
 * pships — the partnership part of a run: proposals, reservations,
 * declines, ends, expiries and transfers, each made on a random node
 * through the writer's prepare hook the API uses (state/
 * partnership_rules.h), so a node refuses (403, 409) exactly what its
 * coordinator's request would be refused. Every acknowledged one goes into
 * the model like any write.
 *
 * After every step, on every running node (pships_hold):
 *   - a mentee holds at most one reserved or active partnership with her
 *     side reserved, and a mentor no more than her capacity;
 *   - a partnership's state never goes back (proposed, reserved, active,
 *     an end), and an end stays an end: completed and cancelled stay as
 *     they are; declined and expired may only settle on declined
 *     (partnership.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "state/participant.h"
#include "state/partnership.h"
#include "state/partnership_rules.h"
#include "state/state.h"

/* Act on node i: write w with action a; acknowledged ones are modelled. */
static int
act(struct sim *s, int i, mn_write *w, mn_pship_act *a, const char *what) {
    a->self = (uint32_t)i + 1;
    a->now = sim_wall(s, i);
    a->expire_ms = 3600000; /* an hour of simulated time */
    w->prepare = mn_pship_prepare;
    w->prepare_ctx = a;
    mn_ops_init(&w->ops);
    sim_write_group(s, i, w, 1);
    int rc = w->result;
    rc == MN_OK ? s->pship_taken++ : s->pship_refused++;
    trace(s, "node%d %s: %s", i + 1, what,
          rc == MN_OK       ? "ok"
          : a->problem.code ? a->problem.code
                            : "refused");
    if (rc == MN_OK && w->type == MN_ENTITY_PARTICIPANT)
        model_set_home(s->model, w->id, (int)a->to);
    if (rc == MN_OK && w->create && s->npship < SIM_PSHIP_MAX) {
        s->pship_by[s->npship] = (int8_t)i;
        memcpy(s->pship[s->npship++], w->id, MN_ID_BYTES);
    }
    mn_ops_release(&w->ops);
    return rc;
}

/* The role (MN_ROLE_*) of participant id on node i, or -1. */
static int
role_on(struct sim *s, int i, const uint8_t id[MN_ID_BYTES]) {
    mn_txn *t;
    mn_entity e;
    int role = -1;
    if (mn_store_begin(mn_node_store(s->node[i]), false, &t) != MN_OK)
        abort();
    if (mn_state_get(t, MN_ENTITY_PARTICIPANT, id, &e) == MN_OK) {
        role = mn_kind_enum_of(&mn_kind_participant, &e, MN_P_ROLE);
        mn_entity_release(&e);
    }
    mn_txn_abort(&t);
    return role;
}

static void
propose(struct sim *s, int i) {
    mn_pship_act a = {.verb = MN_PSHIP_PROPOSE};
    mn_write w = {.type = MN_ENTITY_PARTNERSHIP, .create = true};
    bool mentee = false, mentor = false;
    uint8_t id[MN_ID_BYTES];
    int home;
    for (int k = 0; k < 8 && !(mentee && mentor); k++) {
        if (!model_pick(s->model, id, &home))
            return;
        int role = role_on(s, i, id);
        if (role == MN_ROLE_MENTEE && !mentee)
            memcpy(a.mentee, id, MN_ID_BYTES), mentee = true;
        else if (role == MN_ROLE_MENTOR && !mentor)
            memcpy(a.mentor, id, MN_ID_BYTES), mentor = true;
    }
    if (mentee && mentor)
        act(s, i, &w, &a, "proposes");
}

/* The home of one of partnership id's participants as node i sees it
 * (mostly where a coordinator would act), else i. */
static int
home_side(struct sim *s, int i, const uint8_t id[MN_ID_BYTES]) {
    mn_txn *t;
    mn_entity p, her;
    uint8_t pid[MN_ID_BYTES];
    int home = i;
    if (mn_store_begin(mn_node_store(s->node[i]), false, &t) != MN_OK)
        abort();
    if (mn_state_get(t, MN_ENTITY_PARTNERSHIP, id, &p) == MN_OK) {
        const char *z =
            mn_entity_str(&p, chance(50) ? MN_PS_MENTEE : MN_PS_MENTOR);
        if (z && mn_id_parse(z, pid) == MN_OK &&
            mn_state_get(t, MN_ENTITY_PARTICIPANT, pid, &her) == MN_OK) {
            home = (int)mn_entity_int(&her, MN_P_HOME, i + 1) - 1;
            mn_entity_release(&her);
        }
        mn_entity_release(&p);
    }
    mn_txn_abort(&t);
    return home >= 0 && home < NODES && s->up[home] ? home : i;
}

static void
answer(struct sim *s, int i, enum mn_pship_verb verb, const char *what) {
    mn_pship_act a = {.verb = verb, .ended = (int)below(2)};
    mn_write w = {.type = MN_ENTITY_PARTNERSHIP};
    if (s->npship == 0)
        return;
    size_t k = below(s->npship);
    memcpy(w.id, s->pship[k], MN_ID_BYTES);
    if (chance(80) && s->up[s->pship_by[k]])
        i = home_side(s, s->pship_by[k], w.id);
    if (mn_node_writable(s->node[i]))
        act(s, i, &w, &a, what);
}

static void
transfer(struct sim *s, int i) {
    mn_pship_act a = {.verb = MN_PSHIP_TRANSFER,
                      .to = 1 + (uint32_t)below(NODES)};
    mn_write w = {.type = MN_ENTITY_PARTICIPANT};
    int home;
    if (!model_pick(s->model, w.id, &home))
        return;
    if (chance(80) && s->up[home - 1] && mn_node_writable(s->node[home - 1]))
        i = home - 1;
    act(s, i, &w, &a, "transfers");
}

void
do_pship(struct sim *s) {
    int i = (int)below(NODES);
    uint64_t r = below(100);
    if (!s->up[i] || !mn_node_writable(s->node[i]))
        return;
    if (r < 25)
        propose(s, i);
    else if (r < 65)
        answer(s, i, MN_PSHIP_RESERVE, "reserves");
    else if (r < 75)
        answer(s, i, MN_PSHIP_DECLINE, "declines");
    else if (r < 85)
        answer(s, i, MN_PSHIP_END, "ends");
    else if (r < 90)
        answer(s, i, MN_PSHIP_EXPIRE, "expires");
    else
        transfer(s, i);
}

/* ---- the invariants ------------------------------------------------------ */

struct slots {
    mn_txn *t;
    struct sim *s;
    int node;
    bool ok;
};

/* Rank of a state: an end is 3; declined and expired are one class. */
static int
rank(int st) {
    return st < MN_PSTATE_COMPLETED ? st : 3;
}

static bool
legal_step(int from, int to) {
    if (from < 0 || from == to)
        return true;
    if (rank(from) < 3)
        return rank(to) > rank(from);
    return from == MN_PSTATE_EXPIRED && to == MN_PSTATE_DECLINED;
}

/* Participant pid (REF field ref of p) holds no more slots than allowed. */
static bool
slots_ok(struct slots *x, const mn_entity *p, uint32_t ref) {
    uint8_t pid[MN_ID_BYTES];
    const char *z = mn_entity_str(p, ref);
    size_t held = 0;
    mn_entity her;
    int64_t cap = 1;
    if (!z || mn_id_parse(z, pid) != MN_OK ||
        mn_pship_slots(x->t, ref, pid, &held) != MN_OK)
        return fail(x->s, "node%d: cannot count slots", x->node + 1);
    if (ref == MN_PS_MENTOR &&
        mn_state_get(x->t, MN_ENTITY_PARTICIPANT, pid, &her) == MN_OK) {
        cap = mn_entity_int(&her, MN_P_CAPACITY, 1);
        mn_entity_release(&her);
    }
    if ((int64_t)held <= cap)
        return true;
    return fail(x->s, "node%d: a %s holds %zu reserved or active partnerships",
                x->node + 1, ref == MN_PS_MENTEE ? "mentee" : "mentor", held);
}

static void
check_one(void *user, const mn_entity *p) {
    struct slots *x = user;
    struct sim *s = x->s;
    int st = mn_partnership_state(p);
    for (size_t k = 0; x->ok && k < s->npship; k++) {
        if (memcmp(s->pship[k], p->id, MN_ID_BYTES) != 0)
            continue;
        if (!legal_step(s->pstate[x->node][k], st))
            x->ok = fail(s, "node%d: partnership %zu went from state %d to %d",
                         x->node + 1, k, s->pstate[x->node][k], st);
        s->pstate[x->node][k] = (int8_t)st;
    }
    if (x->ok && mn_partnership_holds(st))
        x->ok = slots_ok(x, p, MN_PS_MENTEE) && slots_ok(x, p, MN_PS_MENTOR);
}

bool
pships_hold(struct sim *s, int i) {
    mn_list_query q;
    uint8_t next[MN_ID_BYTES];
    bool more = true;
    struct slots x = {.s = s, .node = i, .ok = true};
    if (mn_store_begin(mn_node_store(s->node[i]), false, &x.t) != MN_OK)
        return fail(s, "node%d: cannot read its store", i + 1);
    mn_list_query_init(&q, &mn_kind_partnership);
    q.limit = SIZE_MAX;
    while (x.ok && more) {
        if (mn_state_list(x.t, &q, check_one, &x, &more, next) != MN_OK)
            x.ok = fail(s, "node%d: cannot list partnerships", i + 1);
        q.has_cursor = true;
        memcpy(q.cursor, next, MN_ID_BYTES);
    }
    mn_txn_abort(&x.t);
    return x.ok;
}

void
pships_forget(struct sim *s, int i) {
    memset(s->pstate[i], -1, sizeof s->pstate[i]);
}
