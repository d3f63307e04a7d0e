/*
 * load_test — the API under slow and many clients (README "HTTP API",
 * limits): one real node, driven with raw sockets from loopback addresses
 * other than the health checker's, so that the per-address limits are
 * what they are for one attacker among other clients.
 *
 *   1. slowloris: SLOW connections from 127.0.0.2 that send their head one
 *      line at a time and never finish it. /v1/health from 127.0.0.1 still
 *      answers within 1 s; a request from 127.0.0.2 itself gets a JSON 503
 *      "overloaded"; a connection that stops sending is closed by the idle
 *      timeout.
 *   2. many: NMANY connections opened at once from NADDR addresses, then a
 *      request on each, half of them creates. Every one gets a whole HTTP
 *      answer (201/200, or a JSON 503 "overloaded" above an address's
 *      limit), none is closed unanswered, and /v1/health answers within
 *      1 s meanwhile.
 *
 * Bounded: at most SLOW + NMANY + a few connections, 127.0.0.x only, and
 * the watchdog.
 *
 * Usage: it_load MENTORNETD PORT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

#define WATCHDOG_S 55
#define SLOW 600
/* A slow client sends a line this often: under the idle timeout (5 s). */
#define SLOW_LINE_MS 2000
/* How long the slowloris phase lasts. */
#define SLOW_PHASE_MS 7000
#define NMANY 1000
/* From this many addresses: each over its limit of 256 open connections,
 * so some requests get the JSON 503. */
#define NADDR 2
/* Every answer of the many-clients phase must be in by then. */
#define MANY_DEADLINE_MS 30000
#define HEALTH_MAX_MS 1000

static it_node node;

/* ---- raw sockets ------------------------------------------------------ */

/* A connection from src (e.g. "127.0.0.2") to the node; -1 on failure. */
static int
open_from(const char *src) {
    struct sockaddr_in from = {.sin_family = AF_INET};
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)node.http_port)};
    inet_pton(AF_INET, src, &from.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&from, sizeof from) != 0 ||
        connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool
send_all(int fd, const char *z, size_t n) {
    while (n) {
        ssize_t k = send(fd, z, n, MSG_NOSIGNAL);
        if (k <= 0)
            return false;
        z += k, n -= (size_t)k;
    }
    return true;
}

/* Read fd to its end (the request said Connection: close) into buf, at
 * most until deadline. Returns the bytes read. */
static size_t
read_all(int fd, char *buf, size_t size, uint64_t deadline) {
    size_t len = 0;
    while (len + 1 < size && tl_now_ms() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t k = recv(fd, buf + len, size - 1 - len, 0);
        if (k <= 0)
            break;
        len += (size_t)k;
    }
    buf[len] = '\0';
    return len;
}

/* The status of a whole answer in buf (head and as many body bytes as
 * Content-Length says), or 0. */
static int
answer_status(const char *buf) {
    int status = 0;
    const char *end = strstr(buf, "\r\n\r\n");
    const char *cl = strstr(buf, "Content-Length: ");
    if (sscanf(buf, "HTTP/1.1 %d ", &status) != 1 || !end || !cl || cl > end)
        return 0;
    return strlen(end + 4) == strtoul(cl + 16, NULL, 10) ? status : 0;
}

/* Is buf an answer with status and JSON error code? */
static bool
is_error(const char *buf, int status, const char *code) {
    char want[64];
    snprintf(want, sizeof want, "\"code\":\"%s\"", code);
    return answer_status(buf) == status && strstr(buf, want) &&
           strstr(buf, "Content-Type: application/json");
}

/* ---- the health checker ----------------------------------------------- */

struct checker {
    pthread_t thread;
    atomic_bool stop;
    int checks, slow, failed;
    uint64_t worst_ms;
};

static void *
checker_main(void *arg) {
    struct checker *k = arg;
    while (!atomic_load(&k->stop)) {
        tl_resp r;
        tl_request rq = {.path = "/v1/health", .auth = TL_NO_AUTH};
        uint64_t t0 = tl_now_ms();
        it_http(&node, &rq, &r);
        uint64_t ms = tl_now_ms() - t0;
        k->checks++;
        k->failed += r.status != 200;
        k->slow += ms > HEALTH_MAX_MS;
        k->worst_ms = ms > k->worst_ms ? ms : k->worst_ms;
        tl_resp_release(&r);
        tl_sleep_ms(100);
    }
    tl_http_thread_done();
    return NULL;
}

static void
checker_start(struct checker *k) {
    memset(k, 0, sizeof *k);
    pthread_create(&k->thread, NULL, checker_main, k);
}

static void
checker_stop(struct checker *k, const char *phase) {
    atomic_store(&k->stop, true);
    pthread_join(k->thread, NULL);
    CHECK(k->checks > 0 && k->failed == 0 && k->slow == 0,
          "%s: /v1/health answered 200 every time within %d ms (%d checks, "
          "%d failed, %d slow, worst %llu ms)",
          phase, HEALTH_MAX_MS, k->checks, k->failed, k->slow,
          (unsigned long long)k->worst_ms);
}

/* ---- 1. slowloris ----------------------------------------------------- */

static void
test_slowloris(void) {
    tl_section("600 slowloris connections from one address");
    static int fds[SLOW];
    int open = 0;
    for (int i = 0; i < SLOW; i++) {
        fds[i] = open_from("127.0.0.2");
        if (fds[i] >= 0 && send_all(fds[i], "GET /v1/health HTTP/1.1\r\n", 25))
            open++;
    }
    CHECK(open == SLOW, "%d of %d slow connections opened", open, SLOW);
    int quiet = open_from("127.0.0.4");
    send_all(quiet, "GET /v1/health HTTP/1.1\r\n", 25);
    struct checker k;
    checker_start(&k);
    uint64_t end = tl_now_ms() + SLOW_PHASE_MS;
    for (int line = 0; tl_now_ms() < end; line++) {
        char h[32];
        int n = snprintf(h, sizeof h, "X-Slow-%d: 1\r\n", line);
        for (int i = 0; i < SLOW; i++)
            if (fds[i] >= 0)
                send_all(fds[i], h, (size_t)n);
        if (line == 0) {
            /* The attacker's own address is over its limit. */
            char buf[4096];
            int fd = open_from("127.0.0.2");
            send_all(fd, "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 37);
            read_all(fd, buf, sizeof buf, tl_now_ms() + 5000);
            CHECK(is_error(buf, 503, "overloaded"),
                  "a request from the slow clients' address: JSON 503 "
                  "overloaded (got '%.80s')",
                  buf);
            close(fd);
        }
        tl_sleep_ms(SLOW_LINE_MS);
    }
    checker_stop(&k, "under slowloris");
    char buf[256];
    CHECK(read_all(quiet, buf, sizeof buf, tl_now_ms() + 1000) == 0,
          "a connection silent for %d s was closed without an answer",
          SLOW_PHASE_MS / 1000);
    close(quiet);
    for (int i = 0; i < SLOW; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* ---- 2. many clients -------------------------------------------------- */

struct many {
    int fd;
    char buf[4096];
    size_t len;
    bool done;
};

static void
many_open(struct many *m, int i) {
    char src[32];
    snprintf(src, sizeof src, "127.0.0.%d", 10 + i % NADDR);
    m->fd = open_from(src);
}

static void
many_send(struct many *m, int i) {
    char req[512];
    static const char body[] = "{\"role\":\"mentee\",\"given_name\":\"Load\","
                               "\"family_name\":\"Test\"}";
    int n = i % 2 ? snprintf(req, sizeof req,
                             "POST /v1/participants HTTP/1.1\r\nHost: x\r\n"
                             "Authorization: Bearer %s\r\nConnection: close\r\n"
                             "Content-Type: application/json\r\n"
                             "Content-Length: %zu\r\n\r\n%s",
                             node.token, sizeof body - 1, body)
                  : snprintf(req, sizeof req,
                             "GET /v1/participants?limit=5 HTTP/1.1\r\n"
                             "Host: x\r\nAuthorization: Bearer %s\r\n"
                             "Connection: close\r\n\r\n",
                             node.token);
    if (m->fd >= 0 && !send_all(m->fd, req, (size_t)n)) {
        close(m->fd);
        m->fd = -1;
    }
}

/* Read what arrived on the open connections; true when all are done. */
static bool
many_poll(struct many *ms, struct pollfd *ps) {
    int n = 0;
    for (int i = 0; i < NMANY; i++)
        if (!ms[i].done && ms[i].fd >= 0)
            ps[n++] = (struct pollfd){.fd = ms[i].fd, .events = POLLIN};
    if (!n)
        return true;
    poll(ps, (nfds_t)n, 100);
    for (int i = 0, j = 0; i < NMANY; i++) {
        struct many *m = &ms[i];
        if (m->done || m->fd < 0 || !(ps[j++].revents & (POLLIN | POLLHUP)))
            continue;
        ssize_t k = recv(m->fd, m->buf + m->len, sizeof m->buf - 1 - m->len, 0);
        if (k > 0)
            m->len += (size_t)k;
        m->buf[m->len] = '\0';
        m->done = k <= 0 || m->len + 1 >= sizeof m->buf;
    }
    return false;
}

static void
test_many(void) {
    tl_section("1,000 concurrent requests, half of them creates");
    struct many *ms = calloc(NMANY, sizeof *ms);
    struct pollfd *ps = calloc(NMANY, sizeof *ps);
    if (!ms || !ps)
        abort();
    struct checker k;
    checker_start(&k);
    /* All open at once before the first request is sent. */
    for (int i = 0; i < NMANY; i++)
        many_open(&ms[i], i);
    for (int i = 0; i < NMANY; i++)
        many_send(&ms[i], i);
    uint64_t deadline = tl_now_ms() + MANY_DEADLINE_MS;
    while (tl_now_ms() < deadline && !many_poll(ms, ps))
        ;
    checker_stop(&k, "under 1,000 requests");
    int unopened = 0, ok = 0, overloaded = 0, unanswered = 0;
    for (int i = 0; i < NMANY; i++) {
        int st = answer_status(ms[i].buf);
        unopened += ms[i].fd < 0;
        ok += st == (i % 2 ? 201 : 200);
        overloaded += is_error(ms[i].buf, 503, "overloaded");
        unanswered += ms[i].fd >= 0 && st == 0;
        if (ms[i].fd >= 0)
            close(ms[i].fd);
    }
    printf("%d answered 200/201, %d overloaded, %d unanswered\n", ok,
           overloaded, unanswered);
    CHECK(unopened == 0, "every connection opened (%d did not)", unopened);
    CHECK(ok > 0 && unanswered == 0 && ok + overloaded == NMANY,
          "every request got a whole answer: %d 200/201, %d JSON 503, "
          "%d none",
          ok, overloaded, unanswered);
    free(ms);
    free(ps);
}

int
main(int argc, char **argv) {
    const char *daemon;
    int port;
    struct rlimit rl;
    it_args(argc, argv, false, &daemon, &port, NULL);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max; /* NMANY sockets at once */
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    tl_begin("integration.load", WATCHDOG_S);
    if (it_node_create(&node, daemon, port, 64) == 0 &&
        it_node_start(&node) == 0) {
        test_slowloris();
        test_many();
    }
    it_node_destroy(&node);
    return tl_summary();
}
