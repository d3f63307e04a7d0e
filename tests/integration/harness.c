/*
 * harness — see harness.h.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

/* A node gets this long to answer its health check after exec. */
#define START_TIMEOUT_MS 10000
/* ... and this long to exit after SIGTERM. */
#define STOP_TIMEOUT_MS 10000
#define HTTP_TIMEOUT_S 30L
#define HTTP_CONNECT_TIMEOUT_S 5L
/* Nodes one test may run at once (the watchdog kills them all). */
#define MAX_LIVE 8
/* Lines of a node's log printed after a failure. */
#define LOG_TAIL_LINES 40

const char IT_NO_AUTH[] = "";

static const char *test_name = "test";
static int npassed, nfailed;
static pthread_mutex_t check_mu = PTHREAD_MUTEX_INITIALIZER;
static bool verbose;

/* Live nodes for the watchdog; written only by the main thread. */
static volatile pid_t live_pids[MAX_LIVE];
static _Thread_local CURL *thread_curl;

/* ---- checks ----------------------------------------------------------- */

static void
sleep_ms(unsigned ms) {
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static uint64_t
now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Async-signal-safe: write a string to stderr. */
static void
safe_puts(const char *z) {
    ssize_t rc = write(STDERR_FILENO, z, strlen(z));
    (void)rc;
}

static void
on_alarm(int sig) {
    (void)sig;
    safe_puts("\nWATCHDOG: the test ran out of time; killing its nodes\n");
    for (int i = 0; i < MAX_LIVE; i++)
        if (live_pids[i] > 0)
            kill(live_pids[i], SIGKILL);
    _exit(124);
}

static void
live_add(pid_t pid) {
    for (int i = 0; i < MAX_LIVE; i++)
        if (live_pids[i] == 0) {
            live_pids[i] = pid;
            return;
        }
}

static void
live_remove(pid_t pid) {
    for (int i = 0; i < MAX_LIVE; i++)
        if (live_pids[i] == pid)
            live_pids[i] = 0;
}

void
it_args(int argc, char **argv, bool want_extra, const char **daemon, int *port,
        const char **extra) {
    int want = want_extra ? 4 : 3;
    char *end = NULL;
    long p = argc >= 3 ? strtol(argv[2], &end, 10) : 0;
    if (argc != want || *end || p < 1024 || p > 65000) {
        fprintf(stderr, "usage: %s MENTORNETD PORT%s\n", argv[0],
                want_extra ? " MENTORNET" : "");
        exit(2);
    }
    *daemon = argv[1];
    *port = (int)p;
    if (want_extra)
        *extra = argv[3];
}

void
it_begin(const char *name, unsigned watchdog_s) {
    test_name = name;
    verbose =
        getenv("MN_IT_VERBOSE") && strcmp(getenv("MN_IT_VERBOSE"), "0") != 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGALRM, on_alarm);
    alarm(watchdog_s);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "%s: curl_global_init failed\n", name);
        exit(1);
    }
    printf("%s: starting (watchdog %u s)\n", name, watchdog_s);
}

void
it_section(const char *name) {
    printf("== %s\n", name);
}

static void report(const char *tag, const char *file, int line, const char *fmt,
                   va_list ap) __attribute__((format(printf, 4, 0)));

static void
report(const char *tag, const char *file, int line, const char *fmt,
       va_list ap) {
    const char *base = strrchr(file, '/');
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    printf("%s %s:%d: %s\n", tag, base ? base + 1 : file, line, msg);
}

bool
it_check(bool ok, const char *file, int line, const char *fmt, ...) {
    va_list ap;
    pthread_mutex_lock(&check_mu);
    if (ok)
        npassed++;
    else
        nfailed++;
    if (!ok || verbose) {
        va_start(ap, fmt);
        report(ok ? "ok  " : "FAIL", file, line, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&check_mu);
    return ok;
}

int
it_failures(void) {
    pthread_mutex_lock(&check_mu);
    int n = nfailed;
    pthread_mutex_unlock(&check_mu);
    return n;
}

int
it_summary(void) {
    alarm(0);
    curl_global_cleanup();
    printf("%s: %d passed, %d failed\n", test_name, npassed, nfailed);
    return nfailed ? 1 : 0;
}

/* ---- files ------------------------------------------------------------ */

int
it_write_file(const char *path, const char *text, int mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    size_t n = strlen(text);
    int rc = write(fd, text, n) == (ssize_t)n ? 0 : -1;
    if (fchmod(fd, (mode_t)mode) != 0)
        rc = -1;
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

char *
it_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0, got;
    char *p = malloc(cap);
    if (!p)
        abort(); /* out of memory in a test */
    while ((got = fread(p + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            p = realloc(p, cap *= 2);
            if (!p)
                abort();
        }
    }
    fclose(f);
    p[n] = '\0';
    if (len)
        *len = n;
    return p;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)ftw;
    if (flag == FTW_DP)
        return rmdir(path);
    return unlink(path);
}

int
it_rm_rf(const char *path) {
    return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
it_mkdtemp(const char *prefix, char *path) {
    snprintf(path, PATH_MAX, "/tmp/%s.XXXXXX", prefix);
    return mkdtemp(path) ? 0 : -1;
}

bool
it_port_free(int port) {
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port)};
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    bool ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

/* ---- child processes -------------------------------------------------- */

/* Wait for pid at most timeout_ms; OUT: *status. false on timeout. */
static bool
wait_bounded(pid_t pid, unsigned timeout_ms, int *status) {
    uint64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        pid_t got = waitpid(pid, status, WNOHANG);
        if (got == pid)
            return true;
        if (got < 0 && errno != EINTR)
            return true; /* already reaped: nothing to wait for */
        if (now_ms() >= deadline)
            return false;
        sleep_ms(5);
    }
}

static int
exit_code(int status) {
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

static void
child_env(const char *const *env) {
    for (size_t i = 0; env && env[i]; i++) {
        const char *eq = strchr(env[i], '=');
        if (eq) {
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)(eq - env[i]), env[i]);
            setenv(name, eq + 1, 1);
        } else {
            unsetenv(env[i]);
        }
    }
}

/* In the child: stdin from /dev/null, stdout and stderr to fds. */
static void
child_stdio(int out_fd, int err_fd) {
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0)
        dup2(null_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
}

static int
temp_file(char *path) {
    strcpy(path, "/tmp/mn-it-out.XXXXXX");
    return mkstemp(path);
}

int
it_run(const char *const *argv, const char *const *env, unsigned timeout_s,
       char **out, char **err) {
    char out_path[64], err_path[64];
    int status = 0, rc = -1;
    int out_fd = temp_file(out_path), err_fd = temp_file(err_path);
    if (out_fd < 0 || err_fd < 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        child_stdio(out_fd, err_fd);
        child_env(env);
        execv(argv[0], (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(out_fd);
    close(err_fd);
    if (pid > 0) {
        if (wait_bounded(pid, timeout_s * 1000, &status)) {
            rc = exit_code(status);
        } else {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            rc = -1;
        }
    }
    if (out)
        *out = it_read_file(out_path, NULL);
    if (err)
        *err = it_read_file(err_path, NULL);
    unlink(out_path);
    unlink(err_path);
    return rc;
}

/* ---- one node --------------------------------------------------------- */

int
it_node_write_config(const it_node *n) {
    char text[2048];
    snprintf(text, sizeof text,
             "; written by the integration test harness\n"
             "[node]\n"
             "id = %u\n"
             "name = %s\n"
             "display_name = Integration test\n"
             "data_dir = data\n"
             "map_size_mb = %u\n"
             "sync = %s\n"
             "\n"
             "[http]\n"
             "listen = 127.0.0.1:%d\n"
             "\n"
             "[replication]\n"
             "listen = 127.0.0.1:%d\n"
             "max_clock_drift_ms = 300000\n"
             "\n"
             "[keys]\n"
             "dir = keys\n",
             n->id, n->name, n->map_mb, n->sync ? "true" : "false",
             n->http_port, n->repl_port);
    return it_write_file(n->conf, text, 0644);
}

int
it_node_create(it_node *n, const char *daemon, int http_port, unsigned map_mb) {
    char *out = NULL, *err = NULL;
    memset(n, 0, sizeof *n);
    if (!CHECK(it_mkdtemp("mn-it", n->dir) == 0, "mkdtemp: %s",
               strerror(errno)))
        return -1;
    n->daemon = daemon;
    snprintf(n->name, sizeof n->name, "copenhagen");
    n->id = 1;
    n->map_mb = map_mb;
    n->sync = true;
    n->http_port = http_port;
    n->repl_port = http_port + 1;
    snprintf(n->conf, sizeof n->conf, "%s/%s.conf", n->dir, n->name);
    snprintf(n->data_dir, sizeof n->data_dir, "%s/data", n->dir);
    snprintf(n->key_dir, sizeof n->key_dir, "%s/keys", n->dir);
    snprintf(n->log, sizeof n->log, "%s/node.log", n->dir);
    snprintf(n->url, sizeof n->url, "http://127.0.0.1:%d", http_port);
    if (!CHECK(it_node_write_config(n) == 0, "write %s", n->conf))
        return -1;
    const char *argv[] = {daemon, "--keygen", "--config", n->conf, NULL};
    int rc = it_run(argv, NULL, 30, &out, &err);
    CHECK(rc == 0, "mentornetd --keygen exits 0 (got %d): %s", rc,
          err ? err : "");
    free(out);
    free(err);
    return rc == 0 ? 0 : -1;
}

static bool
health_ok(const it_node *n) {
    it_resp r;
    it_request rq = {.path = "/v1/health", .auth = IT_NO_AUTH};
    bool ok = it_http(n, &rq, &r) == 200 &&
              strcmp(it_str(r.json, "division"), n->name) == 0 &&
              strcmp(it_str(r.json, "status"), "ok") == 0;
    it_resp_release(&r);
    return ok;
}

static int
read_token(it_node *n) {
    char path[4300];
    snprintf(path, sizeof path, "%s/admin.token", n->data_dir);
    char *z = it_read_file(path, NULL);
    if (!z)
        return -1;
    z[strcspn(z, "\r\n")] = '\0';
    snprintf(n->token, sizeof n->token, "%s", z);
    free(z);
    return n->token[0] ? 0 : -1;
}

/* Fork and exec the daemon with its output appended to the log. */
static pid_t
spawn_node(const it_node *n) {
    int log_fd = open(n->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        child_stdio(log_fd, log_fd);
        execl(n->daemon, n->daemon, "--config", n->conf, (char *)NULL);
        fprintf(stderr, "exec %s: %s\n", n->daemon, strerror(errno));
        _exit(127);
    }
    close(log_fd);
    return pid;
}

int
it_node_start(it_node *n) {
    int status;
    if (!CHECK(n->pid == 0, "start: node already running"))
        return -1;
    if (!CHECK(it_port_free(n->http_port),
               "port %d is free (a stale node from an earlier run?)",
               n->http_port))
        return -1;
    n->pid = spawn_node(n);
    if (!CHECK(n->pid > 0, "fork: %s", strerror(errno))) {
        n->pid = 0;
        return -1;
    }
    live_add(n->pid);
    uint64_t deadline = now_ms() + START_TIMEOUT_MS;
    while (!health_ok(n)) {
        if (waitpid(n->pid, &status, WNOHANG) == n->pid) {
            CHECK(false, "node exited during start-up with %d",
                  exit_code(status));
            live_remove(n->pid);
            n->pid = 0;
            it_node_dump_log(n);
            return -1;
        }
        if (now_ms() > deadline) {
            CHECK(false, "node did not answer /v1/health within %d ms",
                  START_TIMEOUT_MS);
            it_node_kill(n);
            it_node_dump_log(n);
            return -1;
        }
        sleep_ms(20);
    }
    return CHECK(read_token(n) == 0, "read %s/admin.token", n->data_dir) ? 0
                                                                         : -1;
}

static void
reap(it_node *n) {
    live_remove(n->pid);
    n->pid = 0;
}

int
it_node_stop(it_node *n) {
    int status = 0;
    if (n->pid <= 0)
        return -1;
    kill(n->pid, SIGTERM);
    if (!wait_bounded(n->pid, STOP_TIMEOUT_MS, &status)) {
        fprintf(stderr, "node %d did not stop within %d ms; SIGKILL\n",
                (int)n->pid, STOP_TIMEOUT_MS);
        it_node_kill(n);
        return -1;
    }
    reap(n);
    return exit_code(status);
}

void
it_node_kill(it_node *n) {
    int status;
    if (n->pid <= 0)
        return;
    kill(n->pid, SIGKILL);
    waitpid(n->pid, &status, 0);
    reap(n);
}

void
it_node_dump_log(const it_node *n) {
    char *z = it_read_file(n->log, NULL);
    if (!z)
        return;
    const char *start = z + strlen(z);
    for (int lines = 0; start > z && lines <= LOG_TAIL_LINES; start--)
        if (start[-1] == '\n')
            lines++;
    fprintf(stderr, "---- last lines of %s ----\n%s---- end of log ----\n",
            n->log, start);
    free(z);
}

/* Sanitizer reports in the node's log fail the test even when the node
 * carried on. */
static void
check_log_clean(const it_node *n) {
    static const char *const reports[] = {
        "runtime error:", "ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
        "WARNING: ThreadSanitizer"};
    char *z = it_read_file(n->log, NULL);
    for (size_t i = 0; z && i < sizeof reports / sizeof reports[0]; i++)
        CHECK(!strstr(z, reports[i]), "the node's log has no '%s'", reports[i]);
    free(z);
}

void
it_node_destroy(it_node *n) {
    if (n->pid > 0 && it_node_stop(n) != 0)
        fprintf(stderr, "node did not stop cleanly\n");
    it_http_thread_done();
    if (!n->dir[0])
        return;
    check_log_clean(n);
    if (it_failures() > 0)
        it_node_dump_log(n);
    if (getenv("MN_IT_KEEP"))
        fprintf(stderr, "kept %s\n", n->dir);
    else
        it_rm_rf(n->dir);
    n->dir[0] = '\0';
}

/* ---- HTTP ------------------------------------------------------------- */

static size_t
on_body(char *p, size_t size, size_t nmemb, void *user) {
    it_resp *r = user;
    size_t n = size * nmemb;
    char *bigger = realloc(r->body, r->len + n + 1);
    if (!bigger)
        return 0;
    r->body = bigger;
    memcpy(r->body + r->len, p, n);
    r->len += n;
    r->body[r->len] = '\0';
    return n;
}

/* For chunked uploads: hand out the body a piece at a time. */
struct upload {
    const char *p;
    size_t left;
};

static size_t
on_read(char *buf, size_t size, size_t nitems, void *user) {
    struct upload *u = user;
    size_t n = size * nitems;
    if (n > u->left)
        n = u->left;
    if (n > 4096)
        n = 4096; /* several chunks */
    memcpy(buf, u->p, n);
    u->p += n;
    u->left -= n;
    return n;
}

static CURL *
handle(void) {
    if (!thread_curl)
        thread_curl = curl_easy_init();
    else
        curl_easy_reset(thread_curl);
    if (!thread_curl)
        abort();
    return thread_curl;
}

void
it_http_thread_done(void) {
    if (thread_curl)
        curl_easy_cleanup(thread_curl);
    thread_curl = NULL;
}

static struct curl_slist *
request_headers(const it_node *n, const it_request *rq) {
    char line[512];
    struct curl_slist *h = NULL;
    if (!rq->auth) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", n->token);
        h = curl_slist_append(h, line);
    } else if (rq->auth != IT_NO_AUTH) {
        snprintf(line, sizeof line, "Authorization: %s", rq->auth);
        h = curl_slist_append(h, line);
    }
    /* "Content-Type:" with no value stops curl from adding its own. */
    snprintf(line, sizeof line, "Content-Type:%s%s", rq->ctype ? " " : "",
             rq->ctype ? rq->ctype : "");
    h = curl_slist_append(h, line);
    if (rq->chunked)
        h = curl_slist_append(h, "Transfer-Encoding: chunked");
    return h;
}

long
it_http(const it_node *n, const it_request *rq, it_resp *r) {
    char url[4200];
    struct upload up = {rq->body, rq->len};
    CURL *c = handle();
    memset(r, 0, sizeof *r);
    snprintf(url, sizeof url, "%s%s", n->url, rq->path);
    struct curl_slist *headers = request_headers(n, rq);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, HTTP_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    if (rq->body && rq->chunked) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &up);
    } else if (rq->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
    }
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method ? rq->method : "GET");
    r->curl_rc = (int)curl_easy_perform(c);
    if (r->curl_rc == CURLE_OK) {
        const char *ct = NULL;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
        snprintf(r->ctype, sizeof r->ctype, "%s", ct ? ct : "");
    }
    curl_slist_free_all(headers);
    if (r->body)
        r->json = json_loadb(r->body, r->len, 0, NULL);
    return r->status;
}

void
it_resp_release(it_resp *r) {
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

long
it_get(const it_node *n, const char *path, it_resp *r) {
    it_request rq = {.path = path};
    return it_http(n, &rq, r);
}

long
it_send_json(const it_node *n, const char *method, const char *path,
             const char *json, it_resp *r) {
    it_request rq = {.method = method,
                     .path = path,
                     .ctype = "application/json",
                     .body = json,
                     .len = strlen(json)};
    return it_http(n, &rq, r);
}

json_t *
it_get_json(const it_node *n, const char *path) {
    it_resp r;
    json_t *j = NULL;
    if (it_get(n, path, &r) == 200 && r.json)
        j = json_incref(r.json);
    it_resp_release(&r);
    return j;
}

const char *
it_str(const json_t *o, const char *key) {
    const char *z = json_string_value(json_object_get(o, key));
    return z ? z : "";
}

static const json_t *
error_obj(const it_resp *r) {
    return json_object_get(r->json, "error");
}

const char *
it_error_code(const it_resp *r) {
    return it_str(error_obj(r), "code");
}

const char *
it_error_field(const it_resp *r) {
    return it_str(error_obj(r), "field");
}

const char *
it_error_message(const it_resp *r) {
    return it_str(error_obj(r), "message");
}

bool
it_is_id(const char *z) {
    size_t n = 0;
    for (; z[n]; n++)
        if (!((z[n] >= '0' && z[n] <= '9') || (z[n] >= 'a' && z[n] <= 'f')))
            return false;
    return n == 32;
}
