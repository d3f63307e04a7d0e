/*
 * proc — see proc.h.
 */
#include "proc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "files.h"

/* Children and directories the emergency cleanup knows about; written by
 * the main thread only. */
#define MAX_LIVE 32
#define MAX_DIRS 8
#define DIR_BYTES 256

static volatile pid_t live_pids[MAX_LIVE];
static char live_dirs[MAX_DIRS][DIR_BYTES];
static volatile sig_atomic_t keep_dirs;

/* ---- tracking --------------------------------------------------------- */

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
tl_proc_track_dir(const char *dir) {
    for (int i = 0; i < MAX_DIRS; i++)
        if (!live_dirs[i][0]) {
            snprintf(live_dirs[i], DIR_BYTES, "%s", dir);
            return;
        }
}

void
tl_proc_untrack_dir(const char *dir) {
    for (int i = 0; i < MAX_DIRS; i++)
        if (strcmp(live_dirs[i], dir) == 0)
            live_dirs[i][0] = '\0';
}

void
tl_proc_finish_dir(char *dir) {
    if (keep_dirs)
        fprintf(stderr, "kept %s\n", dir);
    else
        tl_rm_rf(dir);
    tl_proc_untrack_dir(dir);
    dir[0] = '\0';
}

void
tl_proc_keep_dirs(bool keep) {
    keep_dirs = keep;
}

/* rm -rf through a forked /bin/rm: nftw is not async-signal-safe. */
static void
emergency_rm(char *dir) {
    pid_t pid = fork();
    if (pid == 0) {
        static char rm[] = "/bin/rm", rf[] = "-rf", dashes[] = "--";
        char *const argv[] = {rm, rf, dashes, dir, NULL};
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid > 0)
        waitpid(pid, NULL, 0);
}

void
tl_proc_emergency(void) {
    for (int i = 0; i < MAX_LIVE; i++)
        if (live_pids[i] > 0) {
            kill(live_pids[i], SIGKILL);
            waitpid(live_pids[i], NULL, 0);
            live_pids[i] = 0;
        }
    for (int i = 0; i < MAX_DIRS; i++) {
        if (live_dirs[i][0] && !keep_dirs)
            emergency_rm(live_dirs[i]);
        live_dirs[i][0] = '\0';
    }
}

/* ---- children --------------------------------------------------------- */

bool
tl_wait_bounded(pid_t pid, unsigned timeout_ms, int *status) {
    uint64_t deadline = tl_now_ms() + timeout_ms;
    for (;;) {
        pid_t got = waitpid(pid, status, WNOHANG);
        if (got == pid)
            return true;
        if (got < 0 && errno != EINTR)
            return true; /* already reaped: nothing to wait for */
        if (tl_now_ms() >= deadline)
            return false;
        tl_sleep_ms(5);
    }
}

int
tl_exit_code(int status) {
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

/* In a child: die with the parent, stdin from /dev/null, stdout and stderr
 * to the given fds, no other inherited descriptor, default signals. */
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
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Fork and exec argv with the given output fds; tracked. */
static pid_t
spawn(const char *const *argv, const char *const *env, int out_fd, int err_fd) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        child_setup(out_fd, err_fd);
        child_env(env);
        execv(argv[0], (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (pid > 0)
        live_add(pid);
    return pid;
}

static int
temp_file(char *path, size_t size) {
    snprintf(path, size, "/tmp/mn-test-out.XXXXXX");
    return mkstemp(path);
}

/* Take the captured output at path into *p (when p), and remove it. */
static void
take_output(char *path, char **p, size_t *len) {
    if (p)
        *p = tl_read_file(path, len);
    unlink(path);
}

int
tl_run(const char *const *argv, const char *const *env, unsigned timeout_s,
       char **out, size_t *outlen, char **err) {
    char out_path[64], err_path[64] = "";
    int status = 0, rc = -1;
    int out_fd = temp_file(out_path, sizeof out_path);
    int err_fd = err ? temp_file(err_path, sizeof err_path) : STDERR_FILENO;
    pid_t pid =
        out_fd >= 0 && err_fd >= 0 ? spawn(argv, env, out_fd, err_fd) : -1;
    if (pid > 0) {
        if (tl_wait_bounded(pid, timeout_s * 1000, &status))
            rc = tl_exit_code(status);
        else
            tl_kill(pid);
        live_remove(pid);
    }
    if (out_fd >= 0)
        close(out_fd);
    if (err && err_fd >= 0)
        close(err_fd);
    take_output(out_path, out, outlen);
    if (err)
        take_output(err_path, err, NULL);
    return rc;
}

pid_t
tl_spawn_logged(const char *const *argv, const char *log) {
    int log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0)
        return -1;
    pid_t pid = spawn(argv, NULL, log_fd, log_fd);
    close(log_fd);
    return pid;
}

int
tl_await(pid_t pid, uint64_t deadline, bool (*ready)(const void *),
         const void *arg, int *code) {
    int status;
    while (!ready(arg)) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            live_remove(pid);
            *code = tl_exit_code(status);
            return 1;
        }
        if (tl_now_ms() > deadline)
            return -1;
        tl_sleep_ms(20);
    }
    return 0;
}

int
tl_stop(pid_t pid, unsigned timeout_ms) {
    int status = 0;
    kill(pid, SIGCONT);
    kill(pid, SIGTERM);
    if (!tl_wait_bounded(pid, timeout_ms, &status)) {
        fprintf(stderr, "process %d did not stop within %u ms; SIGKILL\n",
                (int)pid, timeout_ms);
        tl_kill(pid);
        return -1;
    }
    live_remove(pid);
    return tl_exit_code(status);
}

void
tl_kill(pid_t pid) {
    if (pid <= 0)
        return;
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    live_remove(pid);
}

/* ---- logs and ports --------------------------------------------------- */

void
tl_dump_log(const char *path, int lines) {
    char *z = tl_read_file(path, NULL);
    if (!z)
        return;
    const char *start = z + strlen(z);
    for (int n = 0; start > z && n <= lines; start--)
        if (start[-1] == '\n')
            n++;
    fprintf(stderr, "---- last lines of %s ----\n%s---- end of log ----\n",
            path, start);
    free(z);
}

void
tl_check_log_clean(const char *path) {
    static const char *const reports[] = {
        "runtime error:", "ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
        "WARNING: ThreadSanitizer"};
    char *z = tl_read_file(path, NULL);
    for (size_t i = 0; z && i < sizeof reports / sizeof reports[0]; i++)
        CHECK(!strstr(z, reports[i]), "%s has no '%s'", path, reports[i]);
    free(z);
}

bool
tl_port_free(int port) {
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
