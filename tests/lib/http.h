/*
 * http — the HTTP client of process tests (libcurl + jansson): one request
 * to a node's API, its answer with the body parsed as JSON.
 *
 * Invariants: every request is bounded (5 s to connect, 30 s in all);
 * no proxy is used; connections are kept alive per thread, so every thread
 * that sends calls tl_http_thread_done before it ends.
 */
#ifndef MN_TL_HTTP_H
#define MN_TL_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Send no Authorization header (as tl_request.auth). */
extern const char TL_NO_AUTH[];

typedef struct tl_request {
    const char *method; /* "GET" when NULL */
    const char *path;   /* below the node's URL, e.g. "/v1/stats" */
    const char *ctype;  /* Content-Type; NULL: send none */
    const void *body;   /* NULL: no body */
    size_t len;
    const char *auth; /* NULL: the bearer token; TL_NO_AUTH: none; else
                         the whole Authorization header value */
    bool chunked;     /* send the body with chunked transfer encoding */
} tl_request;

typedef struct tl_resp {
    long status; /* HTTP status, 0 if no answer */
    int curl_rc; /* CURLE_OK or why there was no answer */
    char *body;  /* NUL-terminated, owned */
    size_t len;
    json_t *json;    /* the parsed body, NULL if not JSON; owned */
    char ctype[128]; /* the answer's Content-Type */
} tl_resp;

/* Send rq to base_url (e.g. "http://127.0.0.1:8080") with token as the
 * bearer token, and wait for the answer. Returns r->status. Release r
 * with tl_resp_release. */
long tl_http(const char *base_url, const char *token, const tl_request *rq,
             tl_resp *r);
void tl_resp_release(tl_resp *r);
void tl_http_thread_done(void);

/* GET path; the JSON body if it answered 200 (new reference), else NULL. */
json_t *tl_get_json(const char *base_url, const char *token, const char *path);
/* A string member of o, or "" when absent or not a string. */
const char *tl_str(const json_t *o, const char *key);

#endif
