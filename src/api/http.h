/*
 * http — the node's HTTP/JSON API (libmicrohttpd + jansson), documented in
 * README.md. Every request body is capped before it is read, every field is
 * validated before a change is made, and a refused request changes nothing.
 */
#ifndef MN_HTTP_H
#define MN_HTTP_H

#include <stddef.h>

#include "node/node.h"
#include "repl/replicator.h"

typedef struct mn_http mn_http;

/* Listen on the node's [http] listen address; one thread per connection.
 * On failure err says why. */
int mn_http_start(mn_node *node, mn_replicator *repl, mn_http **out, char *err,
                  size_t errlen);
/* Stop accepting, finish running requests, free. Safe on NULL. */
void mn_http_destroy(mn_http **self_p);

#endif
