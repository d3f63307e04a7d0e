/*
 * partnership — a mentee and a mentor paired, and where the pairing is in
 * its lifecycle. Its table (partnership.c) declares the fields; the
 * numbers below are on the wire and on disk, never renumbered.
 *
 * Lifecycle (DESIGN §9): any division proposes, naming a mentee and a
 * mentor from any divisions. Each side is then answered by that
 * participant's home only (MN_WRITE_REF_OWNER, state/owner.h): reserved,
 * declined, or expired (a proposal nobody answered in time; decided by
 * the home, never by each node's clock). The mentee's home ends an active
 * one, completed or cancelled. The state is derived on every node from
 * those fields alone, so it is the same wherever the same changes were
 * applied:
 *
 *   ended set             -> completed | cancelled
 *   a side declined       -> declined
 *   a side expired        -> expired
 *   both sides reserved   -> active
 *   one side reserved     -> reserved
 *   otherwise             -> proposed
 *
 * A state never goes back: proposed, reserved, active, then an end. An
 * end is final, with one exception of no consequence: one home declines
 * while the other's proposal expires, concurrently; every node then
 * settles on declined, some after showing expired. Completed and
 * cancelled never meet: the mentee's home alone writes them, only once
 * both sides are reserved, when neither side can decline or expire.
 *
 * Why a mentee is never in two partnerships, and a mentor never over her
 * capacity, across divisions and partitions: a slot is taken only by her
 * home's reservation, and her home checks her slots on its own node, in
 * the writer's transaction (partnership_rules.c), before it reserves.
 * Every earlier reservation of hers is its own (or, after a transfer, in
 * the causal past of the transfer it saw), and anything concurrent can
 * only free a slot (a decline, an end), never take one.
 */
#ifndef MN_PARTNERSHIP_H
#define MN_PARTNERSHIP_H

#include "state/kind.h"

enum mn_pship_field {
    MN_PS_MENTEE = 1,
    MN_PS_MENTOR = 2,
    MN_PS_PROPOSED_BY = 3,
    MN_PS_PROPOSED_AT = 4,
    MN_PS_MENTEE_SIDE = 5,
    MN_PS_MENTEE_SIDE_AT = 6,
    MN_PS_MENTEE_HOME = 7,
    MN_PS_MENTOR_SIDE = 8,
    MN_PS_MENTOR_SIDE_AT = 9,
    MN_PS_MENTOR_HOME = 10,
    MN_PS_ENDED = 11,
    MN_PS_END_DATE = 12,
    MN_PS_END_REASON = 13,
    MN_PS_STATE = 14,
};

/* Name indexes of a side's answer and of the derived state. */
enum mn_side { MN_SIDE_RESERVED, MN_SIDE_DECLINED, MN_SIDE_EXPIRED };
enum mn_ended { MN_ENDED_COMPLETED, MN_ENDED_CANCELLED };
enum mn_pstate {
    MN_PSTATE_PROPOSED,
    MN_PSTATE_RESERVED,
    MN_PSTATE_ACTIVE,
    MN_PSTATE_COMPLETED,
    MN_PSTATE_CANCELLED,
    MN_PSTATE_DECLINED,
    MN_PSTATE_EXPIRED,
    MN_PSTATE_COUNT
};

/* Statistics key: 'Q' mentee_div be32 mentor_div be32 state u8.
 * mentee_div: the mentee's home as her home last wrote it, else the
 * proposing division; mentor_div: the mentor's home as her home last
 * wrote it, else the division that made the mentor's id (0 if none). The
 * tag 'q' of schema 3 (no mentor division) is retired. */
#define MN_STAT_PARTNERSHIP 'Q'
#define MN_STAT_PARTNERSHIP_LEN 10

extern const mn_kind mn_kind_partnership;

/* The derived state of a partnership entity (MN_PSTATE_*), or -1. */
int mn_partnership_state(const mn_entity *e);
/* Does state s hold its sides' slots (reserved or active)? */
bool mn_partnership_holds(int s);
/* Is s an end (completed, cancelled, declined, expired)? */
bool mn_partnership_over(int s);

#endif
