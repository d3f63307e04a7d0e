/*
 * subnetwork — the sub-network kind: a circle of participants around a
 * theme (a literary circle, a lawyers' and economists' network), run by
 * one division. Its table (subnetwork.c) is the one place its fields are
 * declared; the numbers below are on the wire and on disk, never
 * renumbered. Who belongs to one is the membership kind's
 * (state/membership.h).
 */
#ifndef MN_SUBNETWORK_H
#define MN_SUBNETWORK_H

#include "state/kind.h"

enum mn_sfield {
    MN_S_DIVISION = 1,
    MN_S_NAME = 2,
    MN_S_SCOPE = 3,
    MN_S_THEME = 4,
    MN_S_FACILITATOR = 5,
    MN_S_DESCRIPTION = 6,
};

extern const mn_kind mn_kind_subnetwork;

#endif
