/*
 * check — see check.h.
 */
#include "check.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/util.h"
#include "proc.h"

static const char *test_name = "test";
static uint64_t begun_ms;
static int npassed, nfailed;
static pthread_mutex_t check_mu = PTHREAD_MUTEX_INITIALIZER;
static bool verbose, keep;

uint64_t
tl_now_ms(void) {
    return mn_mono_ns() / 1000000;
}

void
tl_sleep_ms(unsigned ms) {
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Async-signal-safe: write a string to stderr. */
static void
safe_puts(const char *z) {
    ssize_t rc = write(STDERR_FILENO, z, strlen(z));
    (void)rc;
}

static void
on_fatal(int sig) {
    safe_puts(sig == SIGALRM
                  ? "\nWATCHDOG: the test ran out of time; killing its "
                    "children\n"
                  : "\nFATAL SIGNAL: killing the test's children\n");
    tl_proc_emergency();
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
    tl_proc_emergency();
}

static bool
env_on(const char *name) {
    const char *z = getenv(name);
    return z && strcmp(z, "0") != 0;
}

bool
tl_keep(void) {
    return keep;
}

void
tl_begin(const char *name, unsigned watchdog_s) {
    static const int fatal[] = {SIGALRM, SIGINT, SIGTERM, SIGHUP,
                                SIGSEGV, SIGBUS, SIGABRT, SIGFPE};
    test_name = name;
    begun_ms = tl_now_ms();
    verbose = env_on("MN_TEST_VERBOSE");
    keep = env_on("MN_TEST_KEEP");
    tl_proc_keep_dirs(keep);
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
    return (double)(tl_now_ms() - begun_ms) / 1000.0;
}

void
tl_print(const char *prefix, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("%s[%6.1f s] %s\n", prefix, elapsed_s(), msg);
}

bool
tl_check(bool ok, bool quiet, const char *file, int line, const char *fmt,
         ...) {
    const char *base = strrchr(file, '/');
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&check_mu);
    if (!ok)
        nfailed++;
    else if (!quiet)
        npassed++; /* the harness's plumbing is not counted as a test */
    if (!ok || verbose)
        printf("  %s %s:%d: %s\n", ok ? "ok  " : "FAIL", base ? base + 1 : file,
               line, msg);
    pthread_mutex_unlock(&check_mu);
    return ok;
}

int
tl_failures(void) {
    pthread_mutex_lock(&check_mu);
    int n = nfailed;
    pthread_mutex_unlock(&check_mu);
    return n;
}

int
tl_summary(void) {
    alarm(0);
    curl_global_cleanup();
    int failed = tl_failures();
    printf("%s: ran %.1f s\n", test_name, elapsed_s());
    printf("%s: %d passed, %d failed\n", test_name, npassed, failed);
    return failed ? 1 : 0;
}
