/*
 * cluster — what the cluster tests share beyond tests/lib (checks,
 * watchdog, files, processes, HTTP): N real mentornetd processes in one
 * temporary directory, shorthands for their API, and the questions a
 * replication test asks (have all running nodes converged? is this node
 * writable yet?).
 *
 * Layout of the temporary directory (/tmp/mn-cl.XXXXXX):
 *
 *   keys/               one shared key directory (every node's keys)
 *   conf/<name>/        each node's OWN config directory: a copy of every
 *                       node's conf, so that a test can give one node a
 *                       different view of the others' addresses
 *   data/<name>/        each node's data_dir
 *   logs/<name>.log     each node's stdout+stderr, appended across restarts
 *
 * Invariants:
 * - Every node listens on 127.0.0.1 only, on ports from the test's own
 *   range: node i has http base+2i and replication base+2i+1; base+20..39
 *   are the test's spare ports (closed ports, rogue peers).
 * - Every wait is bounded: start (15 s), stop (10 s), each HTTP request
 *   (30 s), each helper's own timeout, and the whole test (the watchdog).
 * - Cleanup happens on every exit path: a normal end (cl_destroy), exit()
 *   (atexit), the watchdog and fatal signals (a handler that only uses
 *   async-signal-safe calls: kill, fork, execv, waitpid, _exit). Nodes also
 *   get PR_SET_PDEATHSIG, so they die with the test even when it is
 *   SIGKILLed. Set MN_TEST_KEEP=1 to keep the directory.
 * - Nodes are started from the main thread only (PDEATHSIG follows the
 *   thread that forked).
 *
 * Checks do not stop the test: a failed CHECK is printed with file and line
 * and counted; any failed check fails the test.
 */
#ifndef MN_CLUSTER_H
#define MN_CLUSTER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "check.h"
#include "files.h"
#include "http.h"
#include "proc.h"

#define CL_MAX_NODES 8

struct cl_ids;
/* Ports per test executable: node i uses base+2i and base+2i+1. */
#define CL_PORT_RANGE 40
#define CL_SPARE_PORT(c, k) ((c)->base_port + 20 + (k))

/* The command line of every cluster test: MENTORNETD DEMO_DATA PORT. */
void cl_args(int argc, char **argv, const char **daemon, const char **demo,
             int *port);

/* ---- the cluster ------------------------------------------------------ */

typedef struct cl_node {
    unsigned id;   /* [node] id */
    char name[32]; /* [node] name */
    int http_port, repl_port;
    char conf_dir[PATH_MAX];  /* its own config directory */
    char conf[PATH_MAX + 64]; /* conf_dir/<name>.conf */
    char data_dir[PATH_MAX];
    char log[PATH_MAX + 64];
    char url[64];
    char token[128]; /* read at start from data_dir/admin.token */
    pid_t pid;       /* 0 when not running */
    bool paused;     /* SIGSTOPped */
    /* The replication port this node's config directory gives node j
     * (0: the real one). Lets a test cut one direction of a link. */
    int view_port[CL_MAX_NODES];
} cl_node;

typedef struct cl_cluster {
    char dir[256]; /* /tmp/mn-cl.XXXXXX */
    char key_dir[256 + 16];
    const char *daemon, *demo;
    int base_port;
    unsigned map_mb; /* 256 */
    bool sync;       /* durable commits (default true) */
    /* [stats] aggregate_interval of every node (default 0: no counts by
     * country published; cluster.stats sets it, then cl_write_confs) */
    unsigned aggregate_interval;
    size_t n;
    cl_node node[CL_MAX_NODES];
} cl_cluster;

/*
 * Make the temporary directory, define n nodes (ids 1..n, the divisions'
 * names), write every config into every node's config directory and run
 * mentornetd --keygen for each. 0 on success (failures are checks too).
 */
int cl_create(cl_cluster *c, const char *daemon, const char *demo,
              int base_port, size_t n);
/* Define one more node (id n+1) and keygen it; its conf is written into
 * every config directory (running nodes read it at their next start).
 * Returns its index, or -1. */
int cl_add_node(cl_cluster *c);
/* (Re)write every node's config directory from the node definitions. */
int cl_write_confs(cl_cluster *c);

/* Start node i and wait until it answers /v1/health; read its token. */
int cl_start(cl_cluster *c, size_t i);
/* Start every node that is not running, in parallel. */
int cl_start_all(cl_cluster *c);
/* SIGTERM and wait (10 s, then SIGKILL); returns the exit status or -1. */
int cl_stop(cl_cluster *c, size_t i);
void cl_kill(cl_cluster *c, size_t i);          /* SIGKILL and reap */
void cl_pause(cl_cluster *c, size_t i);         /* SIGSTOP */
void cl_resume(cl_cluster *c, size_t i);        /* SIGCONT */
bool cl_running(const cl_cluster *c, size_t i); /* started and not paused */
/* Print the last lines of node i's log to stderr. */
void cl_dump_log(const cl_cluster *c, size_t i);
/* Stop every node, dump logs if a check failed, remove the directory. */
void cl_destroy(cl_cluster *c);

/* NDJSON from mentornet-demo-data (count lines); caller frees. */
char *cl_demo_data(const cl_cluster *c, const char *division, unsigned count,
                   unsigned long seed, size_t *len);

/* ---- HTTP ------------------------------------------------------------- */

/* One request to node with its token (see tl_http). Every thread that
 * uses this calls tl_http_thread_done before it ends. */
long cl_http(const cl_node *n, const char *method, const char *path,
             const char *ctype, const void *body, size_t len, tl_resp *r);
/* GET path; the JSON if it answered 200 (new reference), else NULL. */
json_t *cl_get_json(const cl_node *n, const char *path);
/* GET path into a file; the HTTP status. */
long cl_download(const cl_node *n, const char *path, const char *file);
bool cl_health(const cl_node *n);

/* Retried while the node answers 503 "unavailable" (writes held until its
 * peers told it their vectors), for at most this long. */
#define CL_503_RETRY_MS 15000
/* A write retried on 503 (backoff 20..250 ms) for at most retry_ms. */
long cl_write(const cl_node *n, const char *method, const char *path,
              const char *ctype, const void *body, size_t len,
              unsigned retry_ms, tl_resp *r);
/* POST /v1/participants; OUT: id (33 bytes) on 201. Returns the status. */
long cl_create_participant(const cl_node *n, const char *json, char *id);
/* count creates on n, one request each ("given_name": tag); the ids of
 * those acknowledged are added to ids (may be NULL). Returns how many. */
int cl_create_many(const cl_node *n, int count, const char *tag,
                   struct cl_ids *ids);
/* PATCH /v1/participants/id; returns the status. */
long cl_patch_participant(const cl_node *n, const char *id, const char *json);
/* POST /v1/import; returns "imported", or -1 (the status is printed). */
long cl_import(const cl_node *n, const char *ndjson, size_t len);
/* count demo participants of node i's division (cl_demo_data with seed)
 * imported on node i; returns "imported", or -1. */
long cl_import_demo(const cl_cluster *c, size_t i, unsigned count,
                    unsigned long seed);
/* cl_import_demo on each of nodes 0..n-1 (seed + i), each a check; 0, or
 * -1 at the first that did not import all count. */
int cl_import_demo_each(const cl_cluster *c, size_t n, unsigned count,
                        unsigned long seed);

/* Every participant on the node (all pages), as a new JSON array. */
json_t *cl_list_all(const cl_node *n);
/* The node's digest (65 bytes) and version vector (new ref); false if
 * it did not answer. */
bool cl_digest(const cl_node *n, char *digest, json_t **vv);
/* The vector entry of division name in vv (0 when absent). */
long long cl_vv_get(const json_t *vv, const char *name);
/* GET /v1/replication (new reference or NULL). */
json_t *cl_replication(const cl_node *n);
/* The origin (division, incarnation) node n writes as, from its
 * /v1/replication; 0 when it does not answer. */
uint32_t cl_origin(const cl_node *n);
/* A peer's counter in a /v1/replication answer: peers[division=peer].key,
 * or .key.sub when sub is given (e.g. "rejected", "signature"). -1 when
 * absent. */
long long cl_peer_counter(const json_t *repl, const char *peer, const char *key,
                          const char *sub);

/*
 * Wait (at most timeout_ms) until every running node reports the same
 * digest and version vector at /v1/digest, and the same /v1/stats body
 * (minus volatile keys). Prints the time it took, or every node's view on
 * timeout. Returns true when converged.
 */
bool cl_wait_converged(cl_cluster *c, unsigned timeout_ms);
/* Wait until /v1/replication says writable. */
bool cl_wait_writable(const cl_node *n, unsigned timeout_ms);

/* A sorted set of ids, to check "every acknowledged id is everywhere". */
typedef struct cl_ids {
    char (*id)[33];
    size_t n, cap;
} cl_ids;
void cl_ids_add(cl_ids *s, const char *id);
void cl_ids_sort(cl_ids *s);
bool cl_ids_has(const cl_ids *s, const char *id); /* after cl_ids_sort */
void cl_ids_free(cl_ids *s);
/* The ids of a JSON array of participants, sorted. */
void cl_ids_from_list(cl_ids *s, const json_t *items);

#endif
