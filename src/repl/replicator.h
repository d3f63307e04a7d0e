/*
 * replicator — drives the sans-IO replication engine with real I/O: the
 * ZeroMQ transport, the wall clock, and a wake-up from the node's writer
 * after every commit. It owns one thread, which owns the transport and
 * the engine.
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
/* Stop the thread, close the sockets, free. Safe on NULL. */
void mn_replicator_destroy(mn_replicator **self_p);

/* The engine, for its thread-safe stats. */
mn_repl *mn_replicator_engine(mn_replicator *r);
/* Handshakes refused for an unknown key. */
uint64_t mn_replicator_refused(mn_replicator *r);

#endif
