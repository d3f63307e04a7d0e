/*
 * harness — what every integration test shares: checks with a pass/fail
 * summary, a watchdog, one real mentornetd in a temporary directory, an
 * HTTP client for its API, and bounded child processes.
 *
 * Invariants:
 * - Everything a test creates lives under one mkdtemp directory in /tmp,
 *   which it_node_destroy removes (set MN_IT_KEEP=1 to keep it).
 * - Every wait is bounded: node start-up (10 s), stop (10 s), each HTTP
 *   request (30 s), each child process (its timeout), and the whole test
 *   (it_begin's watchdog, which SIGKILLs every node still running).
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

#include <jansson.h>

/* ---- checks ----------------------------------------------------------- */

/*
 * The command line every test takes: MENTORNETD PORT [EXTRA]. OUT: the
 * daemon's path, the first port of the test's range, and (when want_extra)
 * the extra argument. Exits with 2 on a usage error.
 */
void it_args(int argc, char **argv, bool want_extra, const char **daemon,
             int *port, const char **extra);
/* Start a test: name for messages, and a watchdog of watchdog_s seconds. */
void it_begin(const char *name, unsigned watchdog_s);
/* Print a section header. */
void it_section(const char *name);
/* Record one check; the message is printed when it fails (or always with
 * MN_IT_VERBOSE=1). Returns ok. */
bool it_check(bool ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Print "N passed, N failed" and return the exit code for main. */
int it_summary(void);
/* Number of failed checks so far. */
int it_failures(void);

#define CHECK(cond, ...) it_check((cond), __FILE__, __LINE__, __VA_ARGS__)

/* ---- files ------------------------------------------------------------ */

/* Write text to path (created or truncated) with mode; 0 on success. */
int it_write_file(const char *path, const char *text, int mode);
/* The whole file, NUL-terminated; NULL if unreadable. Caller frees. */
char *it_read_file(const char *path, size_t *len);
/* Remove path and everything below it; 0 on success. */
int it_rm_rf(const char *path);
/* A new directory /tmp/<prefix>.XXXXXX; OUT: path (PATH_MAX bytes). */
int it_mkdtemp(const char *prefix, char *path);
/* Is 127.0.0.1:port free to bind? */
bool it_port_free(int port);

/* ---- child processes -------------------------------------------------- */

/*
 * Run argv (argv[0] is a path) with stdin from /dev/null, for at most
 * timeout_s seconds. env: NULL, or a NULL-terminated list of "NAME=VALUE"
 * to set and "NAME" to unset in the child. OUT: *out and *err (may be
 * NULL) the child's stdout and stderr, NUL-terminated; the caller frees.
 * Returns the exit status, 128+signal if killed by a signal, or -1 if it
 * had to be killed at the timeout (or could not be started).
 */
int it_run(const char *const *argv, const char *const *env, unsigned timeout_s,
           char **out, char **err);

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

/* Send no Authorization header (as it_request.auth). */
extern const char IT_NO_AUTH[];

typedef struct it_request {
    const char *method; /* "GET" when NULL */
    const char *path;   /* below the node's URL, e.g. "/v1/stats" */
    const char *ctype;  /* Content-Type; NULL: send none */
    const void *body;   /* NULL: no body */
    size_t len;
    const char *auth; /* NULL: the node's token; IT_NO_AUTH: none; else
                         the whole Authorization header value */
    bool chunked;     /* send the body with chunked transfer encoding */
} it_request;

typedef struct it_resp {
    long status; /* HTTP status, 0 if no answer */
    int curl_rc; /* CURLE_OK or why there was no answer */
    char *body;  /* NUL-terminated, owned */
    size_t len;
    json_t *json;    /* the parsed body, NULL if not JSON; owned */
    char ctype[128]; /* the answer's Content-Type */
} it_resp;

/*
 * Send rq to node n and wait for the answer (30 s at most). Connections
 * are kept alive per thread; call it_http_thread_done at the end of a
 * thread that used it. Returns r->status. Release r with it_resp_release.
 */
long it_http(const it_node *n, const it_request *rq, it_resp *r);
void it_resp_release(it_resp *r);
void it_http_thread_done(void);

/* Shorthands; all send the node's token. */
long it_get(const it_node *n, const char *path, it_resp *r);
long it_send_json(const it_node *n, const char *method, const char *path,
                  const char *json, it_resp *r);
/* GET path; the JSON body if it answered 200 (new reference), else NULL. */
json_t *it_get_json(const it_node *n, const char *path);

/* The "error" object's code / field of an error answer, or "". */
const char *it_error_code(const it_resp *r);
const char *it_error_field(const it_resp *r);
const char *it_error_message(const it_resp *r);
/* A string member of o, or "" when absent or not a string. */
const char *it_str(const json_t *o, const char *key);

/* Is z exactly 32 lowercase hex characters? */
bool it_is_id(const char *z);

#endif
