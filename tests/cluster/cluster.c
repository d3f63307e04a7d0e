/*
 * cluster — see cluster.h.
 */
#include "cluster.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
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

#define START_TIMEOUT_MS 15000
#define STOP_TIMEOUT_MS 10000
#define HTTP_TIMEOUT_S 30L
#define HTTP_CONNECT_TIMEOUT_S 5L
#define LOG_TAIL_LINES 30
/* Children the signal-time cleanup knows about: nodes and helpers. */
#define MAX_LIVE 16

static const char *const division_names[CL_MAX_NODES] = {
    "copenhagen", "aarhus",   "esbjerg", "odense",
    "tingbjerg",  "bornholm", "aalborg", "roskilde"};

static const char *test_name = "cluster";
static uint64_t begun_ms;
static int npassed, nfailed;
static pthread_mutex_t check_mu = PTHREAD_MUTEX_INITIALIZER;
static bool verbose;

/* What the signal-time cleanup needs; written by the main thread only. */
static volatile pid_t live_pids[MAX_LIVE];
static char cleanup_dir[sizeof((cl_cluster *)0)->dir];
static volatile sig_atomic_t keep_dir;
static _Thread_local CURL *thread_curl;

/* ---- time ------------------------------------------------------------- */

uint64_t
cl_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
cl_sleep_ms(unsigned ms) {
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- cleanup on every exit path --------------------------------------- */

static void
safe_puts(const char *z) {
    ssize_t rc = write(STDERR_FILENO, z, strlen(z));
    (void)rc;
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

/* Async-signal-safe: SIGKILL every child, then rm -rf the directory
 * through a forked rm (nftw is not signal-safe). */
static void
emergency_cleanup(void) {
    for (int i = 0; i < MAX_LIVE; i++)
        if (live_pids[i] > 0) {
            kill(live_pids[i], SIGKILL);
            waitpid(live_pids[i], NULL, 0);
            live_pids[i] = 0;
        }
    if (!cleanup_dir[0] || keep_dir)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        static char rm[] = "/bin/rm", rf[] = "-rf", dashes[] = "--";
        char *const argv[] = {rm, rf, dashes, cleanup_dir, NULL};
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid > 0)
        waitpid(pid, NULL, 0);
    cleanup_dir[0] = '\0';
}

static void
on_fatal(int sig) {
    safe_puts(sig == SIGALRM
                  ? "\nWATCHDOG: the test ran out of time; killing its "
                    "nodes\n"
                  : "\nFATAL SIGNAL: killing the test's nodes\n");
    emergency_cleanup();
    if (sig == SIGALRM) {
        safe_puts("FAIL (watchdog)\n");
        _exit(124);
    }
    signal(sig, SIG_DFL);
    raise(sig);
    _exit(128 + sig);
}

static void
at_exit(void) {
    emergency_cleanup();
}

/* ---- checks ----------------------------------------------------------- */

void
cl_args(int argc, char **argv, const char **daemon, const char **demo,
        int *port) {
    char *end = NULL;
    long p = argc == 4 ? strtol(argv[3], &end, 10) : 0;
    if (argc != 4 || *end || p < 1024 || p > 65000 - CL_PORT_RANGE) {
        fprintf(stderr, "usage: %s MENTORNETD DEMO_DATA PORT\n", argv[0]);
        exit(2);
    }
    *daemon = argv[1];
    *demo = argv[2];
    *port = (int)p;
}

void
cl_begin(const char *name, unsigned watchdog_s) {
    static const int fatal[] = {SIGALRM, SIGINT, SIGTERM, SIGHUP,
                                SIGSEGV, SIGBUS, SIGABRT, SIGFPE};
    test_name = name;
    begun_ms = cl_now_ms();
    verbose =
        getenv("MN_CL_VERBOSE") && strcmp(getenv("MN_CL_VERBOSE"), "0") != 0;
    keep_dir = getenv("MN_CL_KEEP") != NULL;
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        signal(fatal[i], on_fatal);
    atexit(at_exit);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "%s: curl_global_init failed\n", name);
        exit(1);
    }
    alarm(watchdog_s);
    printf("%s: starting (watchdog %u s)\n", name, watchdog_s);
}

static double
elapsed_s(void) {
    return (double)(cl_now_ms() - begun_ms) / 1000.0;
}

void
cl_section(const char *fmt, ...) {
    va_list ap;
    char msg[512];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("== [%6.1f s] %s\n", elapsed_s(), msg);
}

void
cl_note(const char *fmt, ...) {
    va_list ap;
    char msg[1024];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("   [%6.1f s] %s\n", elapsed_s(), msg);
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

static bool check_v(bool ok, bool quiet, const char *file, int line,
                    const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

static bool
check_v(bool ok, bool quiet, const char *file, int line, const char *fmt,
        va_list ap) {
    pthread_mutex_lock(&check_mu);
    if (!ok)
        nfailed++;
    else if (!quiet)
        npassed++; /* the harness's plumbing is not counted as a test */
    if (!ok || !quiet || verbose)
        report(ok ? "  ok  " : "  FAIL", file, line, fmt, ap);
    pthread_mutex_unlock(&check_mu);
    return ok;
}

bool
cl_check(bool ok, const char *file, int line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    check_v(ok, false, file, line, fmt, ap);
    va_end(ap);
    return ok;
}

bool
cl_check_quiet(bool ok, const char *file, int line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    check_v(ok, true, file, line, fmt, ap);
    va_end(ap);
    return ok;
}

int
cl_failures(void) {
    pthread_mutex_lock(&check_mu);
    int n = nfailed;
    pthread_mutex_unlock(&check_mu);
    return n;
}

int
cl_summary(void) {
    alarm(0);
    curl_global_cleanup();
    printf("%s: %d passed, %d failed", test_name, npassed, nfailed);
    printf("\n%s %s (%.1f s)\n", nfailed ? "FAIL" : "PASS", test_name,
           elapsed_s());
    return nfailed ? 1 : 0;
}

/* ---- files ------------------------------------------------------------ */

int
cl_write_file(const char *path, const void *p, size_t n, int mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    const char *z = p;
    while (n > 0) {
        ssize_t w = write(fd, z, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return -1;
        }
        z += w;
        n -= (size_t)w;
    }
    return close(fd);
}

char *
cl_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0, got;
    char *p = malloc(cap);
    if (!p)
        abort();
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
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int
cl_rm_rf(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
cl_copy_file(const char *src, const char *dst, int mode) {
    size_t n;
    char *p = cl_read_file(src, &n);
    if (!p)
        return -1;
    int rc = cl_write_file(dst, p, n, mode);
    free(p);
    return rc;
}

bool
cl_port_free(int port) {
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

static int
mkdir_one(const char *path) {
    return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* ---- child processes -------------------------------------------------- */

static bool
wait_bounded(pid_t pid, unsigned timeout_ms, int *status) {
    uint64_t deadline = cl_now_ms() + timeout_ms;
    for (;;) {
        pid_t got = waitpid(pid, status, WNOHANG);
        if (got == pid)
            return true;
        if (got < 0 && errno != EINTR)
            return true;
        if (cl_now_ms() >= deadline)
            return false;
        cl_sleep_ms(5);
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

/* In a child: die with the parent, stdin from /dev/null, stdout and stderr
 * to the given fds, and no other inherited descriptor. */
static void
child_setup(int out_fd, int err_fd) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0)
        dup2(null_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
    /* The test blocks nothing, but undo any inherited disposition. */
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

int
cl_run(const char *const *argv, unsigned timeout_s, char **out,
       size_t *outlen) {
    char out_path[64] = "/tmp/mn-cl-out.XXXXXX";
    int status = 0, rc = -1;
    int out_fd = mkstemp(out_path);
    if (out_fd < 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        child_setup(out_fd, STDERR_FILENO);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(out_fd);
    if (pid > 0) {
        live_add(pid);
        if (wait_bounded(pid, timeout_s * 1000, &status)) {
            rc = exit_code(status);
        } else {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
        }
        live_remove(pid);
    }
    if (out)
        *out = cl_read_file(out_path, outlen);
    unlink(out_path);
    return rc;
}

char *
cl_demo_data(const cl_cluster *c, const char *division, unsigned count,
             unsigned long seed, size_t *len) {
    char n[32], s[32];
    char *out = NULL;
    snprintf(n, sizeof n, "%u", count);
    snprintf(s, sizeof s, "%lu", seed);
    const char *argv[] = {c->demo, "--division", division, "--count",
                          n,       "--seed",     s,        NULL};
    int rc = cl_run(argv, 60, &out, len);
    if (!QUIET_CHECK(rc == 0 && out,
                     "mentornet-demo-data --count %u exits 0 "
                     "(got %d)",
                     count, rc)) {
        free(out);
        return NULL;
    }
    return out;
}

/* ---- configs ---------------------------------------------------------- */

static void
define_node(cl_cluster *c, size_t i) {
    static cl_node n; /* built aside: its strings come from c */
    memset(&n, 0, sizeof n);
    n.id = (unsigned)i + 1;
    snprintf(n.name, sizeof n.name, "%s", division_names[i]);
    n.http_port = c->base_port + 2 * (int)i;
    n.repl_port = c->base_port + 2 * (int)i + 1;
    snprintf(n.conf_dir, sizeof n.conf_dir, "%s/conf/%s", c->dir, n.name);
    snprintf(n.conf, sizeof n.conf, "%s/%s.conf", n.conf_dir, n.name);
    snprintf(n.data_dir, sizeof n.data_dir, "%s/data/%s", c->dir, n.name);
    snprintf(n.log, sizeof n.log, "%s/logs/%s.log", c->dir, n.name);
    snprintf(n.url, sizeof n.url, "http://127.0.0.1:%d", n.http_port);
    c->node[i] = n;
}

/* Node j's config as node viewer's config directory holds it. */
static int
write_conf(const cl_cluster *c, const cl_node *viewer, size_t j) {
    const cl_node *n = &c->node[j];
    char path[PATH_MAX + 128], text[4096 + 2 * PATH_MAX];
    int port = viewer->view_port[j] ? viewer->view_port[j] : n->repl_port;
    snprintf(path, sizeof path, "%s/%s.conf", viewer->conf_dir, n->name);
    int len =
        snprintf(text, sizeof text,
                 "; written by the cluster test harness (as seen by "
                 "%s)\n"
                 "[node]\n"
                 "id = %u\n"
                 "name = %s\n"
                 "display_name = Cluster test %s\n"
                 "data_dir = %s\n"
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
                 "dir = %s\n",
                 viewer->name, n->id, n->name, n->name, n->data_dir, c->map_mb,
                 c->sync ? "true" : "false", n->http_port, port, c->key_dir);
    return cl_write_file(path, text, (size_t)len, 0644);
}

int
cl_write_confs(cl_cluster *c) {
    for (size_t i = 0; i < c->n; i++) {
        if (mkdir_one(c->node[i].conf_dir) != 0)
            return -1;
        for (size_t j = 0; j < c->n; j++)
            if (write_conf(c, &c->node[i], j) != 0)
                return -1;
    }
    return 0;
}

static int
keygen(cl_cluster *c, size_t i) {
    const char *argv[] = {c->daemon, "--keygen", "--config", c->node[i].conf,
                          NULL};
    int rc = cl_run(argv, 30, NULL, NULL);
    return QUIET_CHECK(rc == 0, "mentornetd --keygen for %s exits 0 (got %d)",
                       c->node[i].name, rc)
               ? 0
               : -1;
}

int
cl_create(cl_cluster *c, const char *daemon, const char *demo, int base_port,
          size_t n) {
    char path[PATH_MAX + 32];
    memset(c, 0, sizeof *c);
    c->daemon = daemon;
    c->demo = demo;
    c->base_port = base_port;
    c->map_mb = 256;
    c->sync = true;
    snprintf(c->dir, sizeof c->dir, "/tmp/mn-cl.XXXXXX");
    if (!QUIET_CHECK(mkdtemp(c->dir) != NULL, "mkdtemp: %s", strerror(errno)))
        return -1;
    snprintf(cleanup_dir, sizeof cleanup_dir, "%s", c->dir);
    snprintf(c->key_dir, sizeof c->key_dir, "%s/keys", c->dir);
    const char *subs[] = {"keys", "conf", "data", "logs"};
    for (size_t k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "%s/%s", c->dir, subs[k]);
        if (mkdir_one(path) != 0)
            return -1;
    }
    for (int p = base_port; p < base_port + CL_PORT_RANGE; p++)
        if (!QUIET_CHECK(cl_port_free(p),
                         "port %d is free (a stale node from an earlier run?)",
                         p))
            return -1;
    for (size_t i = 0; i < n; i++)
        define_node(c, i);
    c->n = n;
    if (!QUIET_CHECK(cl_write_confs(c) == 0, "write the configs"))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (keygen(c, i) != 0)
            return -1;
    cl_note("cluster of %zu nodes in %s (ports %d..%d)", n, c->dir, base_port,
            base_port + CL_PORT_RANGE - 1);
    return 0;
}

int
cl_add_node(cl_cluster *c) {
    if (c->n == CL_MAX_NODES)
        return -1;
    size_t i = c->n;
    define_node(c, i);
    c->n++;
    if (cl_write_confs(c) != 0 || keygen(c, i) != 0)
        return -1;
    return (int)i;
}

/* ---- nodes ------------------------------------------------------------ */

static int
read_token(cl_node *n) {
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/admin.token", n->data_dir);
    char *z = cl_read_file(path, NULL);
    if (!z)
        return -1;
    z[strcspn(z, "\r\n")] = '\0';
    snprintf(n->token, sizeof n->token, "%s", z);
    free(z);
    return n->token[0] ? 0 : -1;
}

static pid_t
spawn_node(const cl_cluster *c, const cl_node *n) {
    int log_fd = open(n->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        child_setup(log_fd, log_fd);
        execl(c->daemon, c->daemon, "--config", n->conf, (char *)NULL);
        _exit(127);
    }
    close(log_fd);
    return pid;
}

static int
spawn(cl_cluster *c, size_t i) {
    cl_node *n = &c->node[i];
    if (!QUIET_CHECK(n->pid == 0, "start %s: not running yet", n->name))
        return -1;
    if (!QUIET_CHECK(cl_port_free(n->http_port), "start %s: port %d is free",
                     n->name, n->http_port))
        return -1;
    n->pid = spawn_node(c, n);
    if (!QUIET_CHECK(n->pid > 0, "fork: %s", strerror(errno))) {
        n->pid = 0;
        return -1;
    }
    n->paused = false;
    live_add(n->pid); /* the token is (re)read once it answers */
    return 0;
}

static void
reap(cl_node *n) {
    live_remove(n->pid);
    n->pid = 0;
    n->paused = false;
}

/* Wait until node i answers its health check; read its token. */
static int
await_health(cl_cluster *c, size_t i, uint64_t deadline) {
    cl_node *n = &c->node[i];
    int status;
    while (!cl_health(n)) {
        if (waitpid(n->pid, &status, WNOHANG) == n->pid) {
            QUIET_CHECK(false, "%s exited during start-up with %d", n->name,
                        exit_code(status));
            reap(n);
            cl_dump_log(c, i);
            return -1;
        }
        if (cl_now_ms() > deadline) {
            QUIET_CHECK(false, "%s did not answer /v1/health in time", n->name);
            cl_kill(c, i);
            cl_dump_log(c, i);
            return -1;
        }
        cl_sleep_ms(20);
    }
    return QUIET_CHECK(read_token(n) == 0, "read %s/admin.token", n->data_dir)
               ? 0
               : -1;
}

int
cl_start(cl_cluster *c, size_t i) {
    if (spawn(c, i) != 0)
        return -1;
    return await_health(c, i, cl_now_ms() + START_TIMEOUT_MS);
}

int
cl_start_all(cl_cluster *c) {
    int rc = 0;
    bool started[CL_MAX_NODES] = {false};
    for (size_t i = 0; i < c->n; i++)
        if (c->node[i].pid == 0) {
            if (spawn(c, i) != 0)
                return -1;
            started[i] = true;
        }
    uint64_t deadline = cl_now_ms() + START_TIMEOUT_MS;
    for (size_t i = 0; i < c->n; i++)
        if (started[i] && await_health(c, i, deadline) != 0)
            rc = -1;
    return rc;
}

int
cl_stop(cl_cluster *c, size_t i) {
    cl_node *n = &c->node[i];
    int status = 0;
    if (n->pid <= 0)
        return -1;
    if (n->paused)
        kill(n->pid, SIGCONT);
    kill(n->pid, SIGTERM);
    if (!wait_bounded(n->pid, STOP_TIMEOUT_MS, &status)) {
        fprintf(stderr, "%s did not stop within %d ms; SIGKILL\n", n->name,
                STOP_TIMEOUT_MS);
        cl_kill(c, i);
        return -1;
    }
    reap(n);
    return exit_code(status);
}

void
cl_kill(cl_cluster *c, size_t i) {
    cl_node *n = &c->node[i];
    if (n->pid <= 0)
        return;
    kill(n->pid, SIGKILL);
    waitpid(n->pid, NULL, 0);
    reap(n);
}

void
cl_pause(cl_cluster *c, size_t i) {
    if (c->node[i].pid > 0 && kill(c->node[i].pid, SIGSTOP) == 0)
        c->node[i].paused = true;
}

void
cl_resume(cl_cluster *c, size_t i) {
    if (c->node[i].pid > 0 && kill(c->node[i].pid, SIGCONT) == 0)
        c->node[i].paused = false;
}

bool
cl_running(const cl_cluster *c, size_t i) {
    return c->node[i].pid > 0 && !c->node[i].paused;
}

void
cl_dump_log(const cl_cluster *c, size_t i) {
    char *z = cl_read_file(c->node[i].log, NULL);
    if (!z)
        return;
    const char *start = z + strlen(z);
    for (int lines = 0; start > z && lines <= LOG_TAIL_LINES; start--)
        if (start[-1] == '\n')
            lines++;
    fprintf(stderr, "---- last lines of %s ----\n%s---- end ----\n",
            c->node[i].log, start);
    free(z);
}

void
cl_destroy(cl_cluster *c) {
    for (size_t i = 0; i < c->n; i++)
        if (c->node[i].pid > 0 && cl_stop(c, i) != 0)
            QUIET_CHECK(false, "%s stops cleanly on SIGTERM", c->node[i].name);
    cl_http_thread_done();
    if (!c->dir[0])
        return;
    if (cl_failures() > 0)
        for (size_t i = 0; i < c->n; i++)
            cl_dump_log(c, i);
    if (keep_dir)
        fprintf(stderr, "kept %s\n", c->dir);
    else
        cl_rm_rf(c->dir);
    cleanup_dir[0] = '\0';
    c->dir[0] = '\0';
}

/* ---- HTTP ------------------------------------------------------------- */

static size_t
on_body(char *p, size_t size, size_t nmemb, void *user) {
    cl_resp *r = user;
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
cl_http_thread_done(void) {
    if (thread_curl)
        curl_easy_cleanup(thread_curl);
    thread_curl = NULL;
}

static long
http_do(const cl_node *n, const char *method, const char *path,
        const char *ctype, const void *body, size_t len, bool auth,
        cl_resp *r) {
    char url[PATH_MAX], line[512];
    struct curl_slist *h = NULL;
    CURL *c = handle();
    memset(r, 0, sizeof *r);
    snprintf(url, sizeof url, "%s%s", n->url, path);
    if (auth) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", n->token);
        h = curl_slist_append(h, line);
    }
    snprintf(line, sizeof line, "Content-Type:%s%s", ctype ? " " : "",
             ctype ? ctype : "");
    h = curl_slist_append(h, line);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, HTTP_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method ? method : "GET");
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    if (r->body)
        r->json = json_loadb(r->body, r->len, 0, NULL);
    return r->status;
}

long
cl_http(const cl_node *n, const char *method, const char *path,
        const char *ctype, const void *body, size_t len, cl_resp *r) {
    return http_do(n, method, path, ctype, body, len, true, r);
}

void
cl_resp_release(cl_resp *r) {
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

json_t *
cl_get_json(const cl_node *n, const char *path) {
    cl_resp r;
    json_t *j = NULL;
    if (cl_http(n, "GET", path, NULL, NULL, 0, &r) == 200 && r.json)
        j = json_incref(r.json);
    cl_resp_release(&r);
    return j;
}

long
cl_download(const cl_node *n, const char *path, const char *file) {
    cl_resp r;
    long status = cl_http(n, "GET", path, NULL, NULL, 0, &r);
    if (status == 200 &&
        cl_write_file(file, r.body ? r.body : "", r.len, 0600) != 0)
        status = -1;
    cl_resp_release(&r);
    return status;
}

static const char *
str_of(const json_t *o, const char *key) {
    const char *z = json_string_value(json_object_get(o, key));
    return z ? z : "";
}

bool
cl_health(const cl_node *n) {
    cl_resp r;
    bool ok =
        http_do(n, "GET", "/v1/health", NULL, NULL, 0, false, &r) == 200 &&
        strcmp(str_of(r.json, "status"), "ok") == 0 &&
        strcmp(str_of(r.json, "division"), n->name) == 0;
    cl_resp_release(&r);
    return ok;
}

long
cl_write(const cl_node *n, const char *method, const char *path,
         const char *ctype, const void *body, size_t len, unsigned retry_ms,
         cl_resp *r) {
    uint64_t deadline = cl_now_ms() + retry_ms;
    unsigned backoff = 20;
    for (;;) {
        long status = cl_http(n, method, path, ctype, body, len, r);
        if (status != 503 || cl_now_ms() >= deadline)
            return status;
        cl_resp_release(r);
        cl_sleep_ms(backoff);
        backoff = backoff * 2 > 250 ? 250 : backoff * 2;
    }
}

long
cl_create_participant(const cl_node *n, const char *json, char *id) {
    cl_resp r;
    long status = cl_write(n, "POST", "/v1/participants", "application/json",
                           json, strlen(json), CL_503_RETRY_MS, &r);
    const char *z = json_string_value(json_object_get(r.json, "id"));
    if (id)
        snprintf(id, 33, "%s", status == 201 && z ? z : "");
    cl_resp_release(&r);
    return status;
}

int
cl_create_many(const cl_node *n, int count, const char *tag, cl_ids *ids) {
    char body[256], id[33];
    int ok = 0;
    for (int k = 0; k < count; k++) {
        snprintf(body, sizeof body,
                 "{\"role\":\"%s\",\"given_name\":\"%s\",\"family_name\":"
                 "\"%s-%d\",\"country_of_origin\":\"%s\"}",
                 k % 3 ? "mentee" : "mentor", tag, n->name, k,
                 k % 2 ? "SY" : "ER");
        if (cl_create_participant(n, body, id) == 201) {
            ok++;
            if (ids)
                cl_ids_add(ids, id);
        }
    }
    return ok;
}

long
cl_patch_participant(const cl_node *n, const char *id, const char *json) {
    char path[128];
    cl_resp r;
    snprintf(path, sizeof path, "/v1/participants/%s", id);
    long status = cl_write(n, "PATCH", path, "application/json", json,
                           strlen(json), CL_503_RETRY_MS, &r);
    cl_resp_release(&r);
    return status;
}

long
cl_import(const cl_node *n, const char *ndjson, size_t len) {
    cl_resp r;
    long status = cl_write(n, "POST", "/v1/import", "application/x-ndjson",
                           ndjson, len, CL_503_RETRY_MS, &r);
    long imported = -1;
    if (status == 200 && json_is_integer(json_object_get(r.json, "imported")))
        imported =
            (long)json_integer_value(json_object_get(r.json, "imported"));
    else
        cl_note("import on %s answered %ld: %.200s", n->name, status,
                r.body ? r.body : "");
    cl_resp_release(&r);
    return imported;
}

json_t *
cl_list_all(const cl_node *n) {
    json_t *all = json_array();
    char path[256] = "/v1/participants?limit=500";
    for (int page = 0; page < 10000; page++) {
        json_t *j = cl_get_json(n, path);
        json_t *items = json_object_get(j, "items");
        if (!json_is_array(items)) {
            json_decref(j);
            json_decref(all);
            return NULL;
        }
        json_array_extend(all, items);
        const char *next = json_string_value(json_object_get(j, "next_cursor"));
        if (!next) {
            json_decref(j);
            return all;
        }
        snprintf(path, sizeof path, "/v1/participants?limit=500&cursor=%s",
                 next);
        json_decref(j);
    }
    json_decref(all);
    return NULL;
}

bool
cl_digest(const cl_node *n, char *digest, json_t **vv) {
    json_t *j = cl_get_json(n, "/v1/digest");
    const char *z = json_string_value(json_object_get(j, "digest"));
    json_t *v = json_object_get(j, "version_vector");
    bool ok = z && json_is_object(v);
    snprintf(digest, 65, "%s", ok ? z : "");
    if (vv)
        *vv = ok ? json_incref(v) : NULL;
    json_decref(j);
    return ok;
}

long long
cl_vv_get(const json_t *vv, const char *name) {
    json_t *v = json_object_get(vv, name);
    return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

json_t *
cl_replication(const cl_node *n) {
    return cl_get_json(n, "/v1/replication");
}

long long
cl_peer_counter(const json_t *repl, const char *peer, const char *key,
                const char *sub) {
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(repl, "peers"), i, p) {
        const char *d = json_string_value(json_object_get(p, "division"));
        if (!d || strcmp(d, peer) != 0)
            continue;
        json_t *v = json_object_get(p, key);
        if (sub)
            v = json_object_get(v, sub);
        if (json_is_integer(v))
            return (long long)json_integer_value(v);
        if (json_is_boolean(v))
            return json_is_true(v);
        return -1;
    }
    return -1;
}

/* ---- convergence ------------------------------------------------------ */

/* Keys of /v1/stats that may differ between nodes without meaning
 * anything. Today only the verify flag; the counts, digest and vector
 * must all be equal. */
static const char *const volatile_stats_keys[] = {"verified"};

struct view {
    json_t *digest; /* /v1/digest */
    json_t *stats;  /* /v1/stats minus volatile keys */
};

static void
view_take(const cl_node *n, struct view *v) {
    v->digest = cl_get_json(n, "/v1/digest");
    v->stats = cl_get_json(n, "/v1/stats");
    for (size_t k = 0; v->stats && k < sizeof volatile_stats_keys /
                                           sizeof volatile_stats_keys[0];
         k++)
        json_object_del(v->stats, volatile_stats_keys[k]);
}

static void
view_release(struct view *v) {
    json_decref(v->digest);
    json_decref(v->stats);
    v->digest = v->stats = NULL;
}

static void
print_views(const cl_cluster *c, struct view *v) {
    for (size_t i = 0; i < c->n; i++) {
        if (!cl_running(c, i)) {
            cl_note("  %-10s not running", c->node[i].name);
            continue;
        }
        char *d = v[i].digest ? json_dumps(v[i].digest, JSON_COMPACT) : NULL;
        json_t *repl = cl_replication(&c->node[i]);
        json_t *peers = json_object_get(repl, "peers");
        char *rz = NULL;
        if (peers) {
            /* Only what tells why: link state, vectors and refusals. */
            size_t k;
            json_t *p;
            json_t *brief = json_array();
            json_array_foreach(peers, k, p) {
                json_t *b =
                    json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}",
                              "division", json_object_get(p, "division"),
                              "connected", json_object_get(p, "connected"),
                              "serving", json_object_get(p, "serving"), "vv",
                              json_object_get(p, "version_vector"), "applied",
                              json_object_get(p, "applied"), "rejected",
                              json_object_get(p, "rejected"));
                json_array_append_new(brief, b);
            }
            rz = json_dumps(brief, JSON_COMPACT);
            json_decref(brief);
        }
        cl_note(
            "  %-10s %s writable=%s pending=%lld", c->node[i].name,
            d ? d : "(no answer)",
            json_is_true(json_object_get(repl, "writable")) ? "yes" : "no",
            (long long)json_integer_value(json_object_get(repl, "pending")));
        if (rz)
            cl_note("             peers %s", rz);
        free(d);
        free(rz);
        json_decref(repl);
    }
}

bool
cl_wait_converged(cl_cluster *c, unsigned timeout_ms) {
    uint64_t start = cl_now_ms(), deadline = start + timeout_ms;
    struct view v[CL_MAX_NODES];
    size_t nrunning = 0;
    for (size_t i = 0; i < c->n; i++)
        nrunning += cl_running(c, i);
    for (int round = 0;; round++) {
        bool same = true;
        int first = -1;
        memset(v, 0, sizeof v);
        for (size_t i = 0; i < c->n; i++) {
            if (!cl_running(c, i))
                continue;
            view_take(&c->node[i], &v[i]);
            if (!v[i].digest || !v[i].stats) {
                same = false;
                continue;
            }
            if (first < 0) {
                first = (int)i;
                continue;
            }
            same &= json_equal(v[i].digest, v[first].digest) &&
                    json_equal(v[i].stats, v[first].stats);
        }
        same &= first >= 0;
        if (same) {
            char *d = json_dumps(v[first].digest, JSON_COMPACT);
            cl_note("converged: %zu nodes in %llu ms: %s", nrunning,
                    (unsigned long long)(cl_now_ms() - start), d);
            free(d);
        } else if (cl_now_ms() >= deadline) {
            cl_note("NOT converged after %u ms; every node's view:",
                    timeout_ms);
            print_views(c, v);
        }
        bool done = same || cl_now_ms() >= deadline;
        for (size_t i = 0; i < c->n; i++)
            view_release(&v[i]);
        if (done)
            return same;
        cl_sleep_ms(round < 20 ? 50 : 200);
    }
}

bool
cl_wait_writable(const cl_node *n, unsigned timeout_ms) {
    uint64_t deadline = cl_now_ms() + timeout_ms;
    for (;;) {
        json_t *j = cl_replication(n);
        bool w = json_is_true(json_object_get(j, "writable"));
        json_decref(j);
        if (w)
            return true;
        if (cl_now_ms() >= deadline)
            return false;
        cl_sleep_ms(50);
    }
}

/* ---- id sets ---------------------------------------------------------- */

void
cl_ids_add(cl_ids *s, const char *id) {
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->id = realloc(s->id, s->cap * sizeof *s->id);
        if (!s->id)
            abort();
    }
    snprintf(s->id[s->n++], 33, "%s", id);
}

static int
id_cmp(const void *a, const void *b) {
    return strcmp(a, b);
}

void
cl_ids_sort(cl_ids *s) {
    if (s->n)
        qsort(s->id, s->n, sizeof *s->id, id_cmp);
}

bool
cl_ids_has(const cl_ids *s, const char *id) {
    return s->n && bsearch(id, s->id, s->n, sizeof *s->id, id_cmp) != NULL;
}

void
cl_ids_free(cl_ids *s) {
    free(s->id);
    memset(s, 0, sizeof *s);
}

void
cl_ids_from_list(cl_ids *s, const json_t *items) {
    size_t i;
    json_t *p;
    json_array_foreach(items, i, p) {
        const char *z = json_string_value(json_object_get(p, "id"));
        if (z)
            cl_ids_add(s, z);
    }
    cl_ids_sort(s);
}
