/*
 * proc — child processes for process tests: bounded runs, daemons with a
 * log, bounded stops, log scanning, free ports, and the cleanup that runs
 * on every exit path.
 *
 * Invariants:
 * - Every child dies with the test (PR_SET_PDEATHSIG follows the thread
 *   that forked, so start long-lived children from the main thread), has
 *   stdin from /dev/null and inherits no descriptor above 2.
 * - Every wait is bounded by the caller's timeout.
 * - Children started here are tracked until reaped, and so are the
 *   directories given to tl_proc_track_dir: tl_proc_emergency (called by
 *   check's watchdog, fatal-signal handler and atexit) SIGKILLs the
 *   children and removes the directories with async-signal-safe calls only.
 */
#ifndef MN_TL_PROC_H
#define MN_TL_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Remove dir (a test's temporary directory) on an emergency exit. At most
 * eight at once; the path is copied. */
void tl_proc_track_dir(const char *dir);
/* Forget dir (after the test removed or kept it itself). */
void tl_proc_untrack_dir(const char *dir);
/* Remove dir and untrack it, or with MN_TEST_KEEP keep it and say so;
 * then empty the string dir. */
void tl_proc_finish_dir(char *dir);
/* Keep tracked directories on an emergency exit (MN_TEST_KEEP). */
void tl_proc_keep_dirs(bool keep);
/* SIGKILL and reap every tracked child; remove every tracked directory.
 * Async-signal-safe. */
void tl_proc_emergency(void);

/*
 * Run argv (argv[0] is a path) for at most timeout_s seconds. env: NULL,
 * or a NULL-terminated list of "NAME=VALUE" to set and "NAME" to unset in
 * the child. OUT: *out (may be NULL; *outlen its length, may be NULL) the
 * child's stdout, and *err (NULL: the child's stderr goes to the test's)
 * its stderr, NUL-terminated; the caller frees. Returns the exit status,
 * 128+signal if a signal ended it, or -1 if it had to be killed at the
 * timeout (or could not be started).
 */
int tl_run(const char *const *argv, const char *const *env, unsigned timeout_s,
           char **out, size_t *outlen, char **err);

/* Start argv with stdout and stderr appended to log; tracked. Returns the
 * pid, or -1. */
pid_t tl_spawn_logged(const char *const *argv, const char *log);
/* Wait for pid at most timeout_ms. OUT: *status. false on timeout. */
bool tl_wait_bounded(pid_t pid, unsigned timeout_ms, int *status);
/* A waitpid status as an exit code: the code, 128+signal, or -1. */
int tl_exit_code(int status);
/*
 * Poll ready(arg) every 20 ms until it says true, pid exits or deadline
 * (tl_now_ms) passes. Returns 0 when ready, 1 when pid exited (OUT:
 * *code its exit code; it is reaped and untracked), -1 on timeout (pid
 * still running).
 */
int tl_await(pid_t pid, uint64_t deadline, bool (*ready)(const void *),
             const void *arg, int *code);
/* SIGCONT (in case it is stopped) and SIGTERM; wait timeout_ms, then
 * SIGKILL. Untracks pid. Returns its exit code, or -1 if killed. */
int tl_stop(pid_t pid, unsigned timeout_ms);
/* SIGKILL, reap and untrack pid. */
void tl_kill(pid_t pid);

/* Print the last lines of the log at path to stderr. */
void tl_dump_log(const char *path, int lines);
/* Check (counted) that the log at path holds no sanitizer report: a
 * process that carried on after one still fails the test. */
void tl_check_log_clean(const char *path);

/* Is 127.0.0.1:port free to bind? */
bool tl_port_free(int port);

#endif
