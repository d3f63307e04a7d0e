/*
 * membership — the membership kind: who belongs to which sub-network, as
 * an add-wins observed-remove set (DESIGN "Changes" 4) built from
 * ordinary last-writer-wins entities.
 *
 * Each join is a NEW membership entity: its id is the join's unique tag.
 * A leave marks every membership entity of the (sub-network, participant)
 * pair that the leaving node holds: it writes left_at, once; nothing ever
 * clears it. She is a member while some membership entity of the pair has
 * no left_at. A join made concurrently elsewhere is a tag the leave did
 * not see, so it survives the leave (add wins); leave then join again is
 * a new tag. Every node holds the same entities after replication, so
 * every node answers the same.
 *
 * The numbers below are on the wire and on disk: never renumbered.
 */
#ifndef MN_MEMBERSHIP_H
#define MN_MEMBERSHIP_H

#include <stdbool.h>

#include "state/kind.h"

enum mn_mfield {
    MN_M_DIVISION = 1,
    MN_M_SUBNETWORK = 2,
    MN_M_PARTICIPANT = 3,
    MN_M_JOINED_AT = 4,
    MN_M_LEFT_AT = 5,
};

/* Statistics key (stats.h): 'B' sub_div be32 member_div be32, one per
 * live tag: the division that runs the sub-network (its id's) and the
 * division that registered the member (her id's), 0 when an id names no
 * division. */
#define MN_STAT_MEMBER 'B'
#define MN_STAT_MEMBER_LEN 9

extern const mn_kind mn_kind_membership;

/* Is e (a membership) a live tag of the pair (subnetwork, participant),
 * both 32-hex ids? participant NULL: of any participant. */
bool mn_membership_live(const mn_entity *e, const char *subnetwork,
                        const char *participant);

#endif
