/*
 * benchhttp — see benchhttp.h.
 */
#include "benchhttp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* Caps on what one answer may be; digests and participants are small. */
#define MAX_HEADER_BYTES (64 * 1024)
#define MAX_BODY_BYTES (16 * 1024 * 1024)

double
bh_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
bh_wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
bh_sleep_until(double t) {
    struct timespec ts;
    if (t <= bh_now())
        return;
    ts.tv_sec = (time_t)t;
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

int
bh_node_parse(const char *arg, bh_node *out) {
    char *end;
    long port = strtol(arg, &end, 10);
    memset(out, 0, sizeof *out);
    if (end == arg || port < 1 || port > 65535 || (*end && *end != ':')) {
        fprintf(stderr, "bad node %s (want PORT[:TOKENFILE])\n", arg);
        return -1;
    }
    out->port = (int)port;
    if (!*end)
        return 0;
    FILE *f = fopen(end + 1, "r");
    if (!f || !fgets(out->token, sizeof out->token, f)) {
        fprintf(stderr, "%s: cannot read the token\n", end + 1);
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    out->token[strcspn(out->token, "\r\n")] = '\0';
    return 0;
}

void
bh_init(bh_conn *c, int port, const char *token) {
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->addr.sin_family = AF_INET;
    c->addr.sin_port = htons((uint16_t)port);
    c->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (token && *token)
        snprintf(c->auth, sizeof c->auth, "Authorization: Bearer %s\r\n",
                 token);
}

static void
bh_disconnect(bh_conn *c) {
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->len = 0;
}

void
bh_release(bh_conn *c) {
    bh_disconnect(c);
    free(c->buf);
    c->buf = NULL;
    c->cap = 0;
}

static int
bh_connect(bh_conn *c) {
    struct timeval tv = {BH_TIMEOUT_S, 0};
    int one = 1;
    c->len = 0;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return -1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(c->fd, (const struct sockaddr *)&c->addr, sizeof c->addr)) {
        int e = errno;
        bh_disconnect(c);
        errno = e;
        return -1;
    }
    return 0;
}

static int
send_all(int fd, struct iovec *iov, int n) {
    while (n > 0) {
        ssize_t w = writev(fd, iov, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++, n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return 0;
}

/* Make c->buf hold at least want bytes (plus a NUL); -1 on EOF or error. */
static int
fill(bh_conn *c, size_t want) {
    while (c->len < want) {
        if (c->cap < want + 1 || c->cap - c->len < 4096) {
            size_t cap = c->cap ? 2 * c->cap : 16384;
            while (cap < want + 1)
                cap *= 2;
            char *p = realloc(c->buf, cap);
            if (!p)
                abort();
            c->buf = p, c->cap = cap;
        }
        ssize_t r = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            errno = ECONNRESET;
        if (r <= 0)
            return -1;
        c->len += (size_t)r;
    }
    return 0;
}

/* Value of header name within head[0, n), or NULL. */
static const char *
header(const char *head, size_t n, const char *name) {
    size_t nl = strlen(name);
    const char *p = head, *end = head + n;
    while ((p = memchr(p, '\n', (size_t)(end - p))) && ++p + nl < end)
        if (p[nl] == ':' && strncasecmp(p, name, nl) == 0)
            return p + nl + 1;
    return NULL;
}

/* Read one answer; consumes it from c->buf on the next call. */
static int
read_answer(bh_conn *c, int *status, size_t *body_at, size_t *body_len,
            int *close_it) {
    size_t head = 0;
    for (size_t scanned = 0; !head;) {
        for (; scanned + 4 <= c->len; scanned++)
            if (memcmp(c->buf + scanned, "\r\n\r\n", 4) == 0) {
                head = scanned + 4;
                break;
            }
        if (!head && (c->len > MAX_HEADER_BYTES || fill(c, c->len + 1)))
            return -1;
    }
    if (head < 12 || strncmp(c->buf, "HTTP/1.", 7) != 0)
        return errno = EPROTO, -1;
    c->buf[head - 1] = '\0';
    *status = atoi(c->buf + 9);
    const char *v = header(c->buf, head, "Connection");
    *close_it = v && strncasecmp(v + strspn(v, " "), "close", 5) == 0;
    if (!(v = header(c->buf, head, "Content-Length")))
        return errno = EPROTO, -1;
    unsigned long long n = strtoull(v, NULL, 10);
    if (n > MAX_BODY_BYTES || fill(c, head + (size_t)n))
        return -1;
    c->buf[head + n] = '\0'; /* fill keeps one byte spare */
    *body_at = head;
    *body_len = (size_t)n;
    return 0;
}

static int
attempt(bh_conn *c, struct iovec *iov, int niov, int *status, size_t *body_at,
        size_t *body_len, int *close_it) {
    struct iovec copy[2];
    memcpy(copy, iov, (size_t)niov * sizeof *iov);
    if (c->fd < 0 && bh_connect(c) != 0)
        return -1;
    c->len = 0;
    if (send_all(c->fd, copy, niov) != 0)
        return -1;
    return read_answer(c, status, body_at, body_len, close_it);
}

int
bh_request(bh_conn *c, const char *method, const char *path, const char *type,
           const char *body, size_t body_len, int *status, const char **rbody,
           size_t *rbody_len) {
    char head[1024];
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1"
                     "\r\n%s",
                     method, path, c->auth);
    if (body)
        n += snprintf(head + n, sizeof head - (size_t)n,
                      "Content-Type: %s"
                      "\r\nContent-Length: %zu\r\n",
                      type, body_len);
    n += snprintf(head + n, sizeof head - (size_t)n, "\r\n");
    struct iovec iov[2] = {{head, (size_t)n}, {(void *)body, body_len}};
    size_t at, len;
    int close_it;
    bool reused = c->fd >= 0;
    int rc = attempt(c, iov, body ? 2 : 1, status, &at, &len, &close_it);
    if (rc != 0 && reused) {
        /* The server may have closed an idle kept-alive connection. */
        bh_disconnect(c);
        rc = attempt(c, iov, body ? 2 : 1, status, &at, &len, &close_it);
    }
    if (rc != 0) {
        int e = errno;
        bh_disconnect(c);
        errno = e;
        return -1;
    }
    *rbody = c->buf + at;
    *rbody_len = len;
    if (close_it) {
        close(c->fd); /* keep the buffer: *rbody points into it */
        c->fd = -1;
    }
    return 0;
}

long long
bh_vv_total(const char *json, const char **vv, size_t *vv_len) {
    static const char key[] = "\"version_vector\":{";
    const char *p = strstr(json, key);
    long long sum = 0;
    if (!p)
        return -1;
    p += sizeof key - 2;
    const char *end = strchr(p, '}');
    if (!end)
        return -1;
    *vv = p;
    *vv_len = (size_t)(end - p + 1);
    for (const char *q = p; (q = memchr(q, ':', (size_t)(end - q)));)
        sum += strtoll(++q, NULL, 10);
    return sum;
}

long long
bh_vv_get(const char *json, const char *name) {
    const char *vv;
    size_t n;
    char key[80];
    if (bh_vv_total(json, &vv, &n) < 0)
        return -1;
    int k = snprintf(key, sizeof key, "\"%s\":", name);
    for (const char *p = vv, *end = vv + n; p < end; p++)
        if (strncmp(p, key, (size_t)k) == 0)
            return strtoll(p + k, NULL, 10);
    return -1;
}

int
bh_digest(const char *json, const char **p, size_t *n) {
    static const char key[] = "\"digest\":\"";
    const char *q = strstr(json, key);
    if (!q)
        return -1;
    q += sizeof key - 1;
    const char *end = strchr(q, '"');
    if (!end)
        return -1;
    *p = q;
    *n = (size_t)(end - q);
    return 0;
}
