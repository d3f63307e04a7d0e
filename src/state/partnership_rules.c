/*
 * partnership_rules — see partnership_rules.h. Each verb reads what it
 * needs in the writer's transaction, refuses with a reason, or fills the
 * ops its change carries.
 */
#include "state/partnership_rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "state/owner.h"
#include "state/participant.h"
#include "state/state.h"

/* A mentor without a capacity takes one mentee at a time. */
#define DEFAULT_CAPACITY 1

/* The two sides of a partnership: the REF field naming the participant,
 * and the fields her home writes. */
struct side {
    uint32_t ref, answer, at, home;
    const char *who;
};
static const struct side sides[2] = {
    {MN_PS_MENTEE, MN_PS_MENTEE_SIDE, MN_PS_MENTEE_SIDE_AT, MN_PS_MENTEE_HOME,
     "mentee"},
    {MN_PS_MENTOR, MN_PS_MENTOR_SIDE, MN_PS_MENTOR_SIDE_AT, MN_PS_MENTOR_HOME,
     "mentor"},
};

static int refuse(mn_pship_act *a, int rc, const char *code, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));

static int
refuse(mn_pship_act *a, int rc, const char *code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    a->problem.code = code;
    a->problem.field[0] = '\0';
    vsnprintf(a->problem.message, sizeof a->problem.message, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- slots ------------------------------------------------------------- */

struct slot_count {
    uint32_t answer; /* the side field of the participant counted */
    size_t n;
};

static void
count_slot(void *user, const mn_entity *e) {
    struct slot_count *c = user;
    if (mn_partnership_holds(mn_partnership_state(e)) &&
        mn_kind_enum_of(&mn_kind_partnership, e, c->answer) == MN_SIDE_RESERVED)
        c->n++;
}

/* Call fn for every partnership naming pid on side (MN_PS_MENTEE or
 * MN_PS_MENTOR), through that side's index. */
static int
each_partnership_of(mn_txn *t, uint32_t side, const uint8_t pid[MN_ID_BYTES],
                    void (*fn)(void *, const mn_entity *), void *user) {
    mn_list_query q;
    uint8_t next[MN_ID_BYTES];
    bool more = true;
    size_t ix = side == MN_PS_MENTEE ? 0 : 1; /* partnership.c's indexes */
    mn_list_query_init(&q, &mn_kind_partnership);
    q.has_ref[ix] = true;
    memcpy(q.ref[ix], pid, MN_ID_BYTES);
    q.limit = SIZE_MAX;
    int rc = MN_OK;
    while (rc == MN_OK && more) {
        rc = mn_state_list(t, &q, fn, user, &more, next);
        q.has_cursor = true;
        memcpy(q.cursor, next, MN_ID_BYTES);
    }
    return rc;
}

int
mn_pship_slots(mn_txn *t, uint32_t side, const uint8_t pid[MN_ID_BYTES],
               size_t *n) {
    struct slot_count c = {
        side == MN_PS_MENTEE ? MN_PS_MENTEE_SIDE : MN_PS_MENTOR_SIDE, 0};
    int rc = each_partnership_of(t, side, pid, count_slot, &c);
    *n = c.n;
    return rc;
}

int
mn_pship_check_capacity(mn_txn *t, const uint8_t id[MN_ID_BYTES],
                        const mn_field_op *ops, size_t nops) {
    for (size_t i = 0; i < nops; i++) {
        if (ops[i].no != MN_P_CAPACITY)
            continue;
        size_t held = 0;
        int64_t cap = ops[i].v.kind == MN_V_INT ? ops[i].v.i : DEFAULT_CAPACITY;
        int rc = mn_pship_slots(t, MN_PS_MENTOR, id, &held);
        if (rc != MN_OK)
            return rc;
        return (int64_t)held > cap ? MN_ECONFLICT : MN_OK;
    }
    return MN_OK;
}

/* ---- the participants ------------------------------------------------- */

/* Load participant pid; refuse unless her role is role (MN_ROLE_*). */
static int
load_participant(mn_txn *t, mn_pship_act *a, const uint8_t pid[MN_ID_BYTES],
                 int role, const char *who, mn_entity *out) {
    int rc = mn_state_get(t, MN_ENTITY_PARTICIPANT, pid, out);
    if (rc == MN_ENOTFOUND)
        return refuse(a, MN_ENOTFOUND, "not_found",
                      "no such participant: the %s", who);
    if (rc != MN_OK)
        return rc;
    if (mn_kind_enum_of(&mn_kind_participant, out, MN_P_ROLE) != role) {
        mn_entity_release(out);
        return refuse(a, MN_ECONFLICT, "conflict",
                      "the %s named is not registered in that role", who);
    }
    return MN_OK;
}

struct open_pair {
    char mentor[MN_ID_TEXT];
    bool found;
};

static void
find_open_pair(void *user, const mn_entity *e) {
    struct open_pair *o = user;
    const char *mentor = mn_entity_str(e, MN_PS_MENTOR);
    if (mentor && strcmp(mentor, o->mentor) == 0 &&
        !mn_partnership_over(mn_partnership_state(e)))
        o->found = true;
}

/* Refuse a second open partnership of the same pair: a proposal made twice
 * (a plan proposed again, a double click) would hold two slots. */
static int
pair_not_open(mn_txn *t, mn_pship_act *a) {
    struct open_pair o = {.found = false};
    mn_id_format(a->mentor, o.mentor);
    int rc =
        each_partnership_of(t, MN_PS_MENTEE, a->mentee, find_open_pair, &o);
    if (rc == MN_OK && o.found)
        return refuse(a, MN_ECONFLICT, "already_proposed",
                      "this mentee and mentor already have a proposed, "
                      "reserved or active partnership");
    return rc;
}

static int
propose(mn_txn *t, mn_pship_act *a, mn_ops *ops) {
    mn_entity mentee, mentor;
    char z[MN_ID_TEXT];
    if (memcmp(a->mentee, a->mentor, MN_ID_BYTES) == 0)
        return refuse(a, MN_ECONFLICT, "conflict", "a %s cannot mentor herself",
                      "participant");
    int rc =
        load_participant(t, a, a->mentee, MN_ROLE_MENTEE, "mentee", &mentee);
    if (rc != MN_OK)
        return rc;
    rc = load_participant(t, a, a->mentor, MN_ROLE_MENTOR, "mentor", &mentor);
    mn_entity_release(&mentee);
    if (rc != MN_OK)
        return rc;
    mn_entity_release(&mentor);
    if ((rc = pair_not_open(t, a)) != MN_OK)
        return rc;
    mn_id_format(a->mentee, z);
    mn_ops_add_str(ops, MN_PS_MENTEE, z, strlen(z));
    mn_id_format(a->mentor, z);
    mn_ops_add_str(ops, MN_PS_MENTOR, z, strlen(z));
    mn_ops_add_int(ops, MN_PS_PROPOSED_BY, a->self);
    mn_ops_add_int(ops, MN_PS_PROPOSED_AT, (int64_t)a->now);
    return MN_OK;
}

/* ---- a side ------------------------------------------------------------ */

/* Does this node own side s of partnership p (her home, as of all it has
 * applied)? OUT: pid, her id. */
static int
owns_side(mn_txn *t, const mn_pship_act *a, const mn_entity *p,
          const struct side *s, uint8_t pid[MN_ID_BYTES], bool *own) {
    uint32_t owner = 0;
    const char *z = mn_entity_str(p, s->ref);
    *own = false;
    if (!z || mn_id_parse(z, pid) != MN_OK)
        return MN_OK;
    int rc = mn_owner_at(t, &mn_kind_participant, pid, NULL, &owner);
    *own = rc == MN_OK && owner == a->self;
    return rc;
}

static void
answer(mn_ops *ops, const mn_pship_act *a, const struct side *s, int what) {
    static const char *const names[] = {"reserved", "declined", "expired"};
    mn_ops_add_str(ops, s->answer, names[what], strlen(names[what]));
    mn_ops_add_int(ops, s->at, (int64_t)a->now);
    mn_ops_add_int(ops, s->home, a->self);
}

/* May side s (of participant pid) take a slot? */
static int
slot_free(mn_txn *t, mn_pship_act *a, const struct side *s,
          const uint8_t pid[MN_ID_BYTES]) {
    mn_entity her;
    size_t held = 0;
    int rc = mn_pship_slots(t, s->ref, pid, &held);
    if (rc != MN_OK)
        return rc;
    if (s->ref == MN_PS_MENTEE)
        return held == 0 ? MN_OK
                         : refuse(a, MN_ECONFLICT, "slot_taken",
                                  "the %s already has a reserved or active "
                                  "partnership",
                                  s->who);
    rc = mn_state_get(t, MN_ENTITY_PARTICIPANT, pid, &her);
    if (rc != MN_OK)
        return rc == MN_ENOTFOUND
                   ? refuse(a, MN_ENOTFOUND, "not_found",
                            "no such participant: the %s", s->who)
                   : rc;
    int64_t cap = mn_entity_int(&her, MN_P_CAPACITY, DEFAULT_CAPACITY);
    mn_entity_release(&her);
    return (int64_t)held < cap ? MN_OK
                               : refuse(a, MN_ECONFLICT, "capacity_full",
                                        "the %s has no capacity left", s->who);
}

/* What this node may do to side s for verb a->verb. OUT: *did. */
static int
act_on_side(mn_txn *t, mn_pship_act *a, const mn_entity *p,
            const struct side *s, mn_ops *ops, bool *did) {
    uint8_t pid[MN_ID_BYTES];
    bool own;
    int rc = owns_side(t, a, p, s, pid, &own);
    int now = mn_kind_enum_of(&mn_kind_partnership, p, s->answer);
    if (rc != MN_OK || !own || now >= 0)
        return rc; /* not ours, or answered already */
    if (a->verb == MN_PSHIP_RESERVE && (rc = slot_free(t, a, s, pid)) != MN_OK)
        return rc;
    if (a->verb == MN_PSHIP_EXPIRE &&
        (uint64_t)mn_entity_int(p, MN_PS_PROPOSED_AT, 0) + a->expire_ms >
            a->now)
        return MN_OK; /* not old enough */
    answer(ops, a, s,
           a->verb == MN_PSHIP_RESERVE   ? MN_SIDE_RESERVED
           : a->verb == MN_PSHIP_DECLINE ? MN_SIDE_DECLINED
                                         : MN_SIDE_EXPIRED);
    *did = true;
    return MN_OK;
}

/* Does this node own either side? */
static int
owns_either(mn_txn *t, const mn_pship_act *a, const mn_entity *p, bool *own) {
    uint8_t pid[MN_ID_BYTES];
    int rc = MN_OK;
    *own = false;
    for (int i = 0; i < 2 && rc == MN_OK && !*own; i++)
        rc = owns_side(t, a, p, &sides[i], pid, own);
    return rc;
}

static int
answer_sides(mn_txn *t, mn_pship_act *a, const mn_entity *p, mn_ops *ops) {
    bool did = false, own = false;
    int rc = owns_either(t, a, p, &own);
    if (rc != MN_OK)
        return rc;
    if (!own)
        return refuse(a, MN_EAUTH, "not_home",
                      "only the mentee's or the mentor's home division "
                      "answers a %s; send this to its node",
                      "proposal");
    for (int i = 0; i < 2 && rc == MN_OK; i++)
        rc = act_on_side(t, a, p, &sides[i], ops, &did);
    if (rc == MN_OK && !did && a->verb != MN_PSHIP_EXPIRE)
        return refuse(a, MN_ECONFLICT, "illegal_transition",
                      "this division has answered its side of the %s already",
                      "partnership");
    return rc;
}

static int
end(mn_txn *t, mn_pship_act *a, const mn_entity *p, mn_ops *ops) {
    static const char *const names[] = {"completed", "cancelled"};
    uint8_t pid[MN_ID_BYTES];
    bool own = false;
    int rc = owns_side(t, a, p, &sides[0], pid, &own);
    if (rc != MN_OK)
        return rc;
    if (!own)
        return refuse(a, MN_EAUTH, "not_home",
                      "only the mentee's home division ends a %s; send this "
                      "to its node",
                      "partnership");
    if (mn_partnership_state(p) != MN_PSTATE_ACTIVE)
        return refuse(a, MN_ECONFLICT, "illegal_transition",
                      "only an active partnership is ended; its homes "
                      "decline a %s",
                      "proposal");
    mn_ops_add_str(ops, MN_PS_ENDED, names[a->ended], strlen(names[a->ended]));
    mn_ops_add_int(ops, MN_PS_END_DATE, (int64_t)a->now);
    if (a->reason)
        mn_ops_add_str(ops, MN_PS_END_REASON, a->reason, strlen(a->reason));
    return MN_OK;
}

/* ---- a transfer -------------------------------------------------------- */

static int
transfer(mn_txn *t, mn_pship_act *a, const uint8_t id[MN_ID_BYTES],
         mn_ops *ops) {
    uint32_t owner = 0;
    int rc = mn_state_exists(t, MN_ENTITY_PARTICIPANT, id);
    if (rc == MN_ENOTFOUND)
        return refuse(a, MN_ENOTFOUND, "not_found", "no such %s",
                      "participant");
    if (rc == MN_OK)
        rc = mn_owner_at(t, &mn_kind_participant, id, NULL, &owner);
    if (rc != MN_OK)
        return rc;
    if (owner != a->self)
        return refuse(a, MN_EAUTH, "not_home",
                      "only her home division moves a %s; send this to its "
                      "node",
                      "participant");
    if (a->to == owner)
        return refuse(a, MN_ECONFLICT, "conflict", "she is in that %s already",
                      "division");
    mn_ops_add_int(ops, MN_P_HOME, a->to);
    return MN_OK;
}

/* ---- the hook ---------------------------------------------------------- */

int
mn_pship_prepare(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES],
                 mn_ops *ops, void *ctx) {
    mn_pship_act *a = ctx;
    mn_entity p;
    mn_ops_release(ops); /* a group tried again prepares afresh */
    if (a->verb == MN_PSHIP_TRANSFER)
        return transfer(t, a, id, ops);
    if (a->verb == MN_PSHIP_PROPOSE)
        return propose(t, a, ops);
    int rc = mn_state_get(t, type, id, &p);
    if (rc == MN_ENOTFOUND)
        return refuse(a, MN_ENOTFOUND, "not_found", "no such %s",
                      "partnership");
    if (rc != MN_OK)
        return rc;
    if (mn_partnership_over(mn_partnership_state(&p)))
        rc = a->verb == MN_PSHIP_EXPIRE
                 ? MN_OK
                 : refuse(a, MN_ECONFLICT, "illegal_transition",
                          "the partnership has %s", "ended");
    else if (a->verb == MN_PSHIP_END)
        rc = end(t, a, &p, ops);
    else
        rc = answer_sides(t, a, &p, ops);
    mn_entity_release(&p);
    return rc;
}
