/*
 * node — one mentornetd as process tests see it: its config file, its
 * start (spawn, wait for /v1/health, read the admin token) and its log.
 *
 * Invariants: nodes listen on 127.0.0.1 only; a start is bounded by the
 * caller's deadline and a node that does not come up is killed and its
 * log printed.
 */
#ifndef MN_TL_NODE_H
#define MN_TL_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Lines of a node's log printed after a failure. */
#define TL_LOG_TAIL_LINES 40

/* What a node's config file says. */
typedef struct tl_conf {
    const char *written_by;   /* the comment on the first line */
    unsigned id;              /* [node] id */
    const char *name;         /* [node] name */
    const char *display_name; /* [node] display_name */
    const char *data_dir;     /* [node] data_dir */
    unsigned map_mb;          /* [node] map_size_mb */
    bool sync;                /* [node] sync */
    int http_port;            /* [http] listen = 127.0.0.1:http_port */
    int repl_port;            /* [replication] listen */
    const char *key_dir;      /* [keys] dir */
    /* [stats] aggregate_interval, seconds; 0 (the harness's default):
     * the node publishes no counts by country, so a test that counts
     * changes or compares digests sees none it did not make. */
    unsigned aggregate_interval;
} tl_conf;

/* Write the config c to path (created or truncated, 0644). 0 or -1. */
int tl_conf_write(const char *path, const tl_conf *c);

/* Does the node at url answer /v1/health with status ok as division
 * name? */
bool tl_node_health(const char *url, const char *name);

/*
 * Start daemon --config conf (output appended to log) and wait until it
 * answers its health check as name at url, at most until deadline
 * (tl_now_ms); then read data_dir/admin.token. OUT: *pid (0 on failure),
 * token (size bytes). Returns 0, or -1 (a failed check) when it could not
 * start, exited, did not answer in time (it is killed) or wrote no token.
 */
int tl_node_start(const char *daemon, const char *conf, const char *log,
                  pid_t *pid);
int tl_node_await(pid_t *pid, const char *url, const char *name,
                  const char *data_dir, const char *log, uint64_t deadline,
                  char *token, size_t size);

#endif
