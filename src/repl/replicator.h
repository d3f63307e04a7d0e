/*
 * replicator — drives the sans-IO replication engine with real I/O and is
 * its host over a real node: the ZeroMQ transport, the monotonic clock
 * for its timers, the node's wall clock and HLC for its clocks, log
 * ranges read from the node's store, and applies handed to the node's
 * writer without waiting. It owns one thread, which owns the transport and
 * the engine; the writer wakes it once per commit of local writes and once
 * per finished apply.
 *
 * The node-backed host callbacks are exported too, for the simulator and
 * the tests, which drive engines over real nodes with their own network.
 */
#ifndef MN_REPLICATOR_H
#define MN_REPLICATOR_H

#include <stddef.h>

#include "node/node.h"
#include "repl/repl.h"

typedef struct mn_replicator mn_replicator;

/*
 * Load every division's public keys from the key directory and our CURVE
 * key pair, bind the replication listen address, connect to the peers and
 * start the thread. On failure err names the file or address.
 */
int mn_replicator_start(mn_node *node, mn_replicator **out, char *err,
                        size_t errlen);
/* Stop the thread, wait for an apply in flight, close the sockets, free.
 * Safe on NULL. */
void mn_replicator_destroy(mn_replicator **self_p);

/* The engine, for its thread-safe stats. */
mn_repl *mn_replicator_engine(mn_replicator *r);
/* Handshakes refused for an unknown key. */
uint64_t mn_replicator_refused(mn_replicator *r);

/* ---- the engine's host over a node ---- */

/* OUT: params, the engine's parameters for node (its division and origin,
 * peers, drift bound, network key) with keys. The network key is copied:
 * wipe params when done. */
void mn_replicator_params(mn_node *node, const mn_repl_keys *keys,
                          mn_repl_params *params);
/* The host's read_log over node's store (see mn_repl_host): one read
 * transaction; the bytes are copied into out->data. */
int mn_replicator_read_log(mn_node *node, const mn_repl_read *req,
                           mn_repl_range *out);
/* The host's clocks over node: the wall clock the node stamps with (its
 * injected clock, if any) and its HLC as of the last commit. OUT: out. */
void mn_replicator_clocks(mn_node *node, mn_repl_clocks *out);

#endif
