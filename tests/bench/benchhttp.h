/*
 * benchhttp — the little HTTP/1.1 keep-alive client the cluster benchmark
 * helpers (converge, lag) share. One connection per bh_conn, one request at
 * a time; every mentornetd answer carries Content-Length, so that is all it
 * parses. Every socket has a send/receive timeout, so a stuck node cannot
 * hang a benchmark.
 */
#ifndef MN_BENCH_HTTP_H
#define MN_BENCH_HTTP_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/* Receive/send timeout of every request, in seconds. */
#define BH_TIMEOUT_S 10

typedef struct bh_conn {
    struct sockaddr_in addr;
    int fd;         /* -1 while not connected */
    char auth[160]; /* "Authorization: Bearer ...\r\n" or "" */
    char *buf;      /* received bytes */
    size_t len, cap;
} bh_conn;

/* A node given on the command line as PORT or PORT:TOKENFILE. */
typedef struct bh_node {
    int port;
    char token[128];
} bh_node;

/* Parse "PORT[:TOKENFILE]" and read the token. 0 or -1 (message shown). */
int bh_node_parse(const char *arg, bh_node *out);

/* Set up c for 127.0.0.1:port; connects lazily. token may be NULL. */
void bh_init(bh_conn *c, int port, const char *token);

/* Close the connection and free the buffer. */
void bh_release(bh_conn *c);

/*
 * Send one request and read the answer, connecting (or reconnecting once,
 * if a kept-alive connection turned out closed) as needed. OUT: *status,
 * *body (NUL-terminated, owned by c, valid until the next request on c)
 * and *body_len. 0, or -1 when no answer came (errno set).
 */
int bh_request(bh_conn *c, const char *method, const char *path,
               const char *type, const char *body, size_t body_len, int *status,
               const char **rbody, size_t *rbody_len);

/* CLOCK_MONOTONIC and CLOCK_REALTIME in seconds. */
double bh_now(void);
double bh_wall(void);

/* Sleep until monotonic time t (seconds). */
void bh_sleep_until(double t);

/*
 * In a /v1/digest answer: the "version_vector" object (OUT: *vv, *vv_len,
 * pointing into json) and the sum of its entries; -1 if absent.
 */
long long bh_vv_total(const char *json, const char **vv, size_t *vv_len);

/* The entry of division name in the answer's version_vector; -1 if absent. */
long long bh_vv_get(const char *json, const char *name);

/* The "digest" hex string (OUT: *p, *n pointing into json); -1 if absent. */
int bh_digest(const char *json, const char **p, size_t *n);

#endif
