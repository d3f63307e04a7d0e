/*
 * client — the CLI's HTTP client of a node's API, over libcurl: the base
 * URL, the token, and how an answer becomes an exit code (cli.h).
 *
 * Invariants:
 * - The token is sent only in the Authorization header, never printed.
 * - Every size that the node controls is capped before use: an answer
 *   over CLI_MAX_ANSWER is a failure, not an allocation.
 * - libcurl is initialised only when a request is made, so --help
 *   allocates nothing that outlives main().
 */
#ifndef MN_CLI_CLIENT_H
#define MN_CLI_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/output.h"

/* The time limit of an ordinary request. */
#define CLI_TIMEOUT_S 60L
/* A page of 500 participants with every field at its limit and worst-case
 * JSON escaping is about 10 MiB; anything much bigger is not an answer. */
#define CLI_MAX_ANSWER ((size_t)64 * 1024 * 1024)

typedef struct mn_request {
    const char *method; /* "GET", "POST" or "PATCH" */
    const char *path;   /* below /v1, with its query string */
    const char *ctype;  /* Content-Type of the body; NULL: no body */
    const void *body;
    size_t len;
    long timeout_s; /* 0: no limit, but give up when the transfer stalls */
    bool anonymous; /* send no token */
} mn_request;

/* An answer; init with mn_response_init, free with mn_response_release. */
typedef struct mn_response {
    long status;
    mn_buf body;
    json_t *json; /* the parsed body; NULL when empty */
    bool toobig;  /* the body passed CLI_MAX_ANSWER */
    /* A download: a 2xx body goes to save (borrowed), not to body. */
    FILE *save;
    const char *save_name; /* for messages */
    uint64_t saved;        /* bytes written to save */
    int save_errno;        /* nonzero: writing to save failed */
    void *curl;            /* the transfer under way, for its status */
} mn_response;

/*
 * A client of the node at url (http:// or https://; trailing '/' dropped)
 * with token (borrowed, must outlive the client), or when token is NULL
 * $MENTORNET_TOKEN, or none. OUT: *out, freed with mn_client_destroy.
 * Returns 0, or CLI_EXIT_USAGE after printing why (a bad URL or token).
 */
int mn_client_new(const char *url, const char *token, mn_client **out);

/* Free the client and its connection; safe on NULL, nulls *self_p. */
void mn_client_destroy(mn_client **self_p);

void mn_response_init(mn_response *rs);
void mn_response_release(mn_response *rs);

/*
 * Send rq and fill rs. Returns CLI_EXIT_OK for a 2xx answer whose body is
 * empty or JSON; otherwise prints why and returns the exit code: 3 when
 * the node cannot be reached, 4 for a 4xx, 5 for a 5xx or a bad answer,
 * 2 when writing rs->save failed.
 */
int mn_client_call(mn_client *cl, const mn_request *rq, mn_response *rs);

/* Send rq and print the answer: its body as is with --json, else through
 * human. Returns the exit code as mn_client_call does. */
int mn_client_show(mn_cli *c, const mn_request *rq, mn_printer human);

/* mn_client_show of a GET of path (below /v1) with the token. */
int mn_client_get(mn_cli *c, const char *path, mn_printer human);

/* Append z to b percent-encoded: all but RFC 3986 unreserved characters. */
void mn_client_escape(mn_buf *b, const char *z);

#endif
