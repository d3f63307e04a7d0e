/*
 * meeting — the meeting kind: one meeting of a partnership's pair, logged
 * by the division that recorded it: its date, minutes (personal), topics
 * and length. Its table (meeting.c) is the one place its fields are
 * declared; the numbers below are on the wire and on disk.
 *
 * A meeting's id is made by the client (mentornet meeting add), not the
 * node, so a submission sent again after a lost answer finds the meeting
 * it made instead of making a second (PUT /v1/meetings/{id}). Like every
 * id it names the division that made it (base/id.h): the recording
 * division, the meeting's owner.
 */
#ifndef MN_MEETING_H
#define MN_MEETING_H

#include "state/kind.h"

enum mn_meeting_field {
    MN_MT_DIVISION = 1,
    MN_MT_PARTNERSHIP = 2,
    MN_MT_DATE = 3,
    MN_MT_MINUTES = 4,
    MN_MT_TOPICS = 5,
    MN_MT_DURATION = 6,
};

extern const mn_kind mn_kind_meeting;

#endif
