/*
 * partnership_rules — what a division's node checks on its own node before
 * it acts on a partnership or moves a participant: the decisions DESIGN §9
 * gives to a participant's home (her slot, her capacity, her transfer).
 *
 * Each action is a "prepare" hook of an mn_write (node.h): the writer
 * runs it inside its group transaction, so the check and the write it
 * allows are one atomic step and two requests on one node cannot both
 * take the last slot. The hook reads the node's state, decides, and
 * fills the write's ops; every other node then applies the ops under the
 * ownership rule alone (state/owner.h), which is what makes the slot
 * rules hold everywhere (partnership.h).
 *
 * A refusal is returned as MN_ENOTFOUND (no such partnership or
 * participant), MN_EAUTH (only her home may do this: 403) or
 * MN_ECONFLICT (an illegal transition, a full slot: 409), with
 * act->problem saying why in words that never hold a personal value.
 */
#ifndef MN_PARTNERSHIP_RULES_H
#define MN_PARTNERSHIP_RULES_H

#include <stdint.h>

#include "door/store.h"
#include "state/entity.h"
#include "state/partnership.h"

enum mn_pship_verb {
    MN_PSHIP_PROPOSE, /* create: mentee, mentor */
    MN_PSHIP_RESERVE, /* reserve every unanswered side this node owns */
    MN_PSHIP_DECLINE, /* decline every unanswered side this node owns */
    MN_PSHIP_END,     /* completed or cancelled, by either home */
    MN_PSHIP_EXPIRE,  /* an unanswered side of a proposal older than
                         expire_ms, by its home */
    MN_PSHIP_TRANSFER /* a participant (w->type participant) to `to` */
};

typedef struct mn_pship_act {
    enum mn_pship_verb verb;
    uint32_t self;                                    /* this node's division */
    uint64_t now;                                     /* ms since the epoch */
    uint8_t mentee[MN_ID_BYTES], mentor[MN_ID_BYTES]; /* PROPOSE */
    int ended;                                        /* END: MN_ENDED_* */
    const char *reason; /* END: 1..500 characters, or NULL */
    uint64_t expire_ms; /* EXPIRE */
    uint32_t to;        /* TRANSFER */
    mn_problem problem; /* OUT: why it was refused */
} mn_pship_act;

/* The prepare hook (node.h mn_write.prepare) for every verb, on entity
 * (type, id) (a create's id is not made yet); ctx is an mn_pship_act.
 * MN_OK with ops filled, or a refusal (above). */
int mn_pship_prepare(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES],
                     mn_ops *ops, void *ctx);

/* A local write of ops to participant id: refused (MN_ECONFLICT) when it
 * sets a mentor's capacity below the slots she holds. MN_OK otherwise, or
 * a store error. The writer calls it for every local participant write. */
int mn_pship_check_capacity(mn_txn *t, const uint8_t id[MN_ID_BYTES],
                            const mn_field_op *ops, size_t nops);

/* The slots participant pid holds as a mentee (MN_PS_MENTEE) or a mentor
 * (MN_PS_MENTOR): partnerships reserved or active whose side of hers is
 * reserved. OUT: *n. */
int mn_pship_slots(mn_txn *t, uint32_t side, const uint8_t pid[MN_ID_BYTES],
                   size_t *n);

#endif
