/*
 * harness — what the integration tests share beyond tests/lib (checks,
 * watchdog, files, processes, HTTP): one real mentornetd in a temporary
 * directory, shorthands for its API and its error answers (a refused
 * request is checked in one call, it_refuse), and runs of the CLI
 * against it.
 *
 * Invariants:
 * - Everything a test creates lives under one mkdtemp directory in /tmp,
 *   which it_node_destroy removes (set MN_TEST_KEEP=1 to keep it).
 * - Every wait is bounded: node start-up (10 s), stop (10 s), each HTTP
 *   request (30 s), each child process (its timeout), and the whole test
 *   (tl_begin's watchdog, which SIGKILLs every node still running).
 * - Nodes listen on 127.0.0.1 only, on ports the test passes in.
 *
 * Checks do not stop the test: a failed CHECK is printed with its file and
 * line, counted, and the test goes on; any failure fails the test.
 */
#ifndef MN_IT_HARNESS_H
#define MN_IT_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "check.h"
#include "files.h"
#include "http.h"
#include "proc.h"

/*
 * The command line every test takes: MENTORNETD PORT [EXTRA]. OUT: the
 * daemon's path, the first port of the test's range, and (when want_extra)
 * the extra argument. Exits with 2 on a usage error.
 */
void it_args(int argc, char **argv, bool want_extra, const char **daemon,
             int *port, const char **extra);

/* ---- one node --------------------------------------------------------- */

typedef struct it_node {
    char dir[4096];      /* the temporary directory */
    char conf[4200];     /* <dir>/<name>.conf */
    char data_dir[4200]; /* <dir>/data */
    char key_dir[4200];  /* <dir>/keys */
    char log[4200];      /* <dir>/node.log: the daemon's stdout+stderr */
    const char *daemon;  /* path of mentornetd */
    char name[32];       /* [node] name */
    unsigned id;         /* [node] id */
    unsigned map_mb;     /* [node] map_size_mb */
    bool sync;           /* [node] sync */
    int http_port;       /* [http] listen = 127.0.0.1:http_port */
    int repl_port;       /* [replication] listen */
    char token[128];     /* the admin token, once started */
    char url[64];        /* http://127.0.0.1:<http_port> */
    pid_t pid;           /* 0 when not running */
} it_node;

/*
 * Make a temporary directory, write the node's config in it (id 1, name
 * "copenhagen", relative data_dir "data" and keys dir "keys") and run
 * mentornetd --keygen. Returns 0 on success (failures are checks too).
 */
int it_node_create(it_node *n, const char *daemon, int http_port,
                   unsigned map_mb);
/* (Re)write n->conf from the fields of n (after changing map_mb, id...). */
int it_node_write_config(const it_node *n);
/* Start mentornetd, wait (10 s at most) until GET /v1/health answers for
 * this node, and read the admin token. 0 on success. */
int it_node_start(it_node *n);
/* SIGTERM, wait 10 s at most (then SIGKILL). Returns the exit status, or
 * -1 if it had to be killed. */
int it_node_stop(it_node *n);
/* SIGKILL and reap. */
void it_node_kill(it_node *n);
/* Print the last lines of the node's log to stderr. */
void it_node_dump_log(const it_node *n);
/* Stop the node if running, check its log for sanitizer reports, dump it
 * if a check failed, and remove the temporary directory. */
void it_node_destroy(it_node *n);

/* ---- HTTP ------------------------------------------------------------- */

/* Send rq to node n (see tl_http) and wait for the answer. Returns
 * r->status. Release r with tl_resp_release. */
long it_http(const it_node *n, const tl_request *rq, tl_resp *r);

/* Shorthands; all send the node's token. */
long it_get(const it_node *n, const char *path, tl_resp *r);
long it_send_json(const it_node *n, const char *method, const char *path,
                  const char *json, tl_resp *r);
/* GET path; the JSON body if it answered 200 (new reference), else NULL. */
json_t *it_get_json(const it_node *n, const char *path);
/* method path with a JSON body (NULL: none); the status. OUT: *json, the
 * answer's JSON (new reference, NULL when not JSON). */
long it_call(const it_node *n, const char *method, const char *path,
             const char *body, json_t **json);
/* The node's digest now; "" when it did not answer (caller frees). */
char *it_digest(const it_node *n);
/*
 * A request that must be refused and change nothing: checks the status,
 * the error's code, a message, its field (NULL: not checked; "": none)
 * and that the digest is as it was.
 */
void it_refuse(const it_node *n, const char *method, const char *path,
               const char *body, long status, const char *code,
               const char *field);

/* The "error" object's code / field of an error answer, or "". */
const char *it_error_code(const tl_resp *r);
const char *it_error_field(const tl_resp *r);
const char *it_error_message(const tl_resp *r);

/* ---- the CLI ---------------------------------------------------------- */

/* Arguments it_cli passes on at most, and how long the CLI may run. */
#define IT_CLI_MAX_ARGS 16
#define IT_CLI_TIMEOUT_S 30

/*
 * Run the CLI at path cli against node n: "--node URL", the token (as
 * "--token T", or in MENTORNET_TOKEN when env_token; that variable is
 * unset otherwise), then args (NULL-terminated). Its stderr is dropped.
 * Returns the exit code. OUT: *out, its stdout (caller frees), when out
 * is not NULL.
 */
int it_cli(const it_node *n, const char *cli, bool env_token,
           const char *const *args, char **out);

/* Is z exactly 32 lowercase hex characters? */
bool it_is_id(const char *z);

#endif
