/*
 * http — the node's HTTP/JSON API (libmicrohttpd + jansson), documented in
 * README.md. Every request body is capped before it is read, every field is
 * validated before a change is made, and a refused request changes nothing
 * (an import that meets a storage error keeps the batches before it; see
 * import.c). The implementation is split in src/api/: server.c (this
 * header), router.c (the route table), res_*.c (one per resource),
 * metrics.c, import.c, auth.c (the bootstrap admin token), tokens.c (the
 * other tokens), roles.c (what a role sees and writes), audit.c (the audit
 * log); resource.h is what they share.
 */
#ifndef MN_HTTP_H
#define MN_HTTP_H

#include <stddef.h>

#include "node/node.h"
#include "repl/replicator.h"

typedef struct mn_http mn_http;

/*
 * Start the API of an open node: make sure its admin token exists (issued
 * into <data_dir>/admin.token on the first start, see auth.h), load the
 * other tokens (tokens.h), open the audit log (audit.h), then listen
 * on the node's [http] listen address (epoll, a few poll threads and a
 * pool of workers; limits in server.c and README "HTTP API"). node and
 * repl must outlive the API. On failure err says why.
 */
int mn_http_start(mn_node *node, mn_replicator *repl, mn_http **out, char *err,
                  size_t errlen);
/* Stop accepting, finish running requests, free. Safe on NULL. */
void mn_http_destroy(mn_http **self_p);

#endif
