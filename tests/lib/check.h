/*
 * check — what every process test shares: checks that do not stop the
 * test, a pass/fail summary, timed notes, and a watchdog.
 *
 * Invariants:
 * - A failed CHECK is printed with its file and line and counted; the test
 *   goes on, and any failure fails it (tl_summary returns 1).
 * - The last line a test prints is "NAME: N passed, N failed".
 * - The watchdog (SIGALRM) and fatal signals, and exit(), clean up through
 *   proc: every child still running is SIGKILLed and the test's temporary
 *   directories are removed (unless MN_TEST_KEEP=1).
 * - MN_TEST_VERBOSE=1 prints passing and quiet checks too.
 */
#ifndef MN_TL_CHECK_H
#define MN_TL_CHECK_H

#include <stdbool.h>
#include <stdint.h>

/* Start a test: its name for messages, and a watchdog of watchdog_s
 * seconds. Also ignores SIGPIPE and initialises libcurl. */
void tl_begin(const char *name, unsigned watchdog_s);
/* Print prefix, the time since tl_begin and the message. */
void tl_print(const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A section header, and an informational line. */
#define tl_section(...) tl_print("== ", __VA_ARGS__)
#define tl_note(...) tl_print("   ", __VA_ARGS__)
/* Record one check; printed when it fails (or with MN_TEST_VERBOSE=1).
 * quiet: the harness's own plumbing, where a pass is not counted. Returns
 * ok. Thread-safe. Use CHECK and QUIET_CHECK. */
bool tl_check(bool ok, bool quiet, const char *file, int line, const char *fmt,
              ...) __attribute__((format(printf, 5, 6)));
/* Number of failed checks so far. */
int tl_failures(void);
/* Stop the watchdog, print the closing "N passed, N failed" line and
 * return the exit code for main (0 or 1). */
int tl_summary(void);
/* Was MN_TEST_KEEP set (keep temporary directories)? */
bool tl_keep(void);

#define CHECK(cond, ...)                                                       \
    tl_check((cond), false, __FILE__, __LINE__, __VA_ARGS__)
#define QUIET_CHECK(cond, ...)                                                 \
    tl_check((cond), true, __FILE__, __LINE__, __VA_ARGS__)

/* Monotonic milliseconds. */
uint64_t tl_now_ms(void);
/* Sleep ms milliseconds (resumed after signals). */
void tl_sleep_ms(unsigned ms);

#endif
