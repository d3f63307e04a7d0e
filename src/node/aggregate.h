/*
 * aggregate — this division's node publishes its aggregate
 * (state/aggregate.h): its own participants (home = this division) by
 * role and country of origin, counted from their values as this node
 * opens them (node/seal.h), written through the writer like any change.
 *
 * Cost: one publish reads every participant of this division once
 * (O(participants at home), through the home index) and writes one change
 * only when a count text differs from the stored one; a pacer skips even
 * the read when nothing was committed since its last publish. A
 * participant whose record was erased counts no more (her country is
 * gone).
 */
#ifndef MN_NODE_AGGREGATE_H
#define MN_NODE_AGGREGATE_H

#include <stdbool.h>

#include "node/node.h"
#include "state/vv.h"

/* Count this division's participants by country and write its aggregate
 * if that changes it (creating it the first time anything counts). OUT:
 * *written, whether a change was made. MN_OK, or why reading or writing
 * failed (MN_EAGAIN while the node is not writable). Safe to call from
 * any thread; publishes run one at a time. */
int mn_node_publish_aggregate(mn_node *node, bool *written);

/* What a periodic publisher remembers: the version vector its last
 * publish counted from. Zero it before the first tick. */
typedef struct mn_aggregate_pacer {
    bool counted; /* a publish succeeded through this pacer */
    mn_vv seen;   /* the vector as of that publish */
} mn_aggregate_pacer;

/* Publish as mn_node_publish_aggregate, unless nothing was committed
 * (the version vector is the same) since the last publish through p:
 * then read and write nothing. OUT: *written. */
int mn_node_aggregate_tick(mn_node *node, mn_aggregate_pacer *p, bool *written);

#endif
