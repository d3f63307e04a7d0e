/*
 * check — the start-up check: is the store sound enough to serve?
 *
 * LMDB has no page checksums: a damaged page reads as other data. So a
 * node checks, before it serves, what it can recompute: every origin's
 * log decodes, runs from seq 1 without a gap, each change links to the one
 * before, and it ends at the stored vector and chain heads; the digest
 * equals the XOR over the stored entities; every other database is walked
 * and each entry has its expected shape. O(store) hashing and reading,
 * once per start; no body is decoded. (The statistics are checked on
 * demand: GET /v1/stats?verify=true.)
 *
 * LMDB also trusts its pages: a garbage page number can send a read
 * outside the map (SIGSEGV or SIGBUS), and a page of the wrong kind trips
 * one of its assertions (SIGABRT). So the check runs in a child process
 * with its own environment (LMDB forbids using one across fork): the
 * child opens the store, checks it, closes it and writes its verdict to a
 * pipe — a be32 code, then the message. A child that dies instead (a
 * signal, or a sanitizer's exit) read a damaged page; the parent says so,
 * naming the data dir. No signal handler is installed anywhere: the child
 * only puts the fault signals back to their default action, for itself.
 *
 * Invariant: the parent forks before it opens the store and before the
 * writer thread starts, so the child shares no LMDB state with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "change/envelope.h"
#include "node/node_internal.h"
#include "state/conflicts.h"
#include "state/owner.h"
#include "state/state.h"
#include "state/stats.h"

/* How the damaged-store messages end: what the operator can do. */
#define REMEDY                                                                 \
    "(restore a backup or rebuild this node from its peers: move the data "    \
    "dir away and start)"

/* The longest verdict a child sends: a message naming the data dir. */
#define VERDICT_MAX (PATH_MAX + 512)

/* ---- the checks (in the child) --------------------------------------------
 */

struct log_walk {
    uint32_t origin;
    uint64_t seq;
    uint8_t head[MN_HASH_BYTES];
};

/* The origin's walk is done: it must end where the writer state says. */
static bool
walk_ends_right(const struct log_walk *w, const struct writer_state *ws) {
    uint8_t head[MN_HASH_BYTES];
    mn_heads_get(&ws->heads, w->origin, head);
    return w->origin == 0 || (w->seq == mn_vv_get(&ws->vv, w->origin) &&
                              memcmp(w->head, head, MN_HASH_BYTES) == 0);
}

/* Is v the change (origin, seq) chained to w's head? Moves the head on. */
static bool
change_links(const mn_val *v, uint32_t origin, uint64_t seq,
             struct log_walk *w) {
    mn_change_header h;
    bool ok = mn_envelope_header(v->p, v->n, &h) == MN_OK &&
              h.origin == origin && h.seq == seq &&
              memcmp(h.prev_hash, w->head, MN_HASH_BYTES) == 0;
    mn_envelope_chain_hash(v->p, v->n, w->head);
    return ok;
}

/* Take the next log entry into w; false when it breaks the chain. */
static bool
walk_step(struct log_walk *w, const mn_val *k, const mn_val *v,
          const struct writer_state *ws) {
    uint32_t origin = 0;
    uint64_t seq = 0;
    if (mn_envelope_log_key_parse(k->p, k->n, &origin, &seq) != MN_OK)
        return false;
    if (origin != w->origin) {
        if (!walk_ends_right(w, ws) || !mn_origin_valid(origin))
            return false;
        *w = (struct log_walk){origin, 0, {0}};
    }
    if (seq != w->seq + 1 || !change_links(v, origin, seq, w))
        return false;
    w->seq = seq;
    return true;
}

static int
check_log(mn_txn *t, const struct writer_state *ws, char *err, size_t errlen,
          const char *dir) {
    mn_cursor *cur = NULL;
    mn_val k, v;
    struct log_walk w = {0};
    uint64_t seen = 0, want = 0;
    int rc = mn_cursor_open(t, MN_DB_LOG, &cur);
    for (rc = rc ? rc : mn_cursor_seek(cur, NULL, 0, &k, &v);
         rc == MN_OK && walk_step(&w, &k, &v, ws);
         rc = mn_cursor_next(cur, &k, &v))
        seen++;
    mn_cursor_close(&cur);
    want = mn_vv_total(&ws->vv);
    if (rc == MN_ENOTFOUND && walk_ends_right(&w, ws) && seen == want)
        return MN_OK;
    snprintf(err, errlen,
             "%s: the store is damaged: the change log of "
             "division %u breaks after seq %llu of incarnation %06x " REMEDY,
             dir, mn_origin_division(w.origin), (unsigned long long)w.seq,
             mn_origin_incarnation(w.origin));
    return MN_ECORRUPT;
}

static int
check_state(mn_txn *t, const struct writer_state *ws, char *err, size_t errlen,
            const char *dir) {
    uint8_t digest[MN_HASH_BYTES];
    int rc = mn_state_digest_recount(t, digest);
    if (rc == MN_OK && memcmp(digest, ws->digest, MN_HASH_BYTES) == 0)
        return MN_OK;
    snprintf(err, errlen,
             "%s: the store is damaged: its entities do not "
             "match its digest " REMEDY,
             dir);
    return MN_ECORRUPT;
}

/* Does an entry of db have the shape that db's writers give it? */
static bool
entry_shape_ok(enum mn_db db, const mn_val *k, const mn_val *v) {
    mn_chain_sig sig;
    uint32_t origin;
    uint64_t seq;
    const uint8_t *kp = k->p;
    switch (db) {
    case MN_DB_SIGS:
        return mn_envelope_log_key_parse(k->p, k->n, &origin, &seq) == MN_OK &&
               mn_codec_sig_decode(v->p, v->n, &sig) == MN_OK &&
               sig.origin == origin && sig.seq == seq;
    case MN_DB_INDEX:
        return (mn_state_index_shape_ok(k->p, k->n) && v->n == 0) ||
               mn_owner_record_shape_ok(k->p, k->n, v->n);
    case MN_DB_STATS: return mn_stats_key_ok(kp, k->n);
    case MN_DB_CONFLICTS: return mn_conflicts_shape_ok(k, v);
    case MN_DB_PRIVATE:
        return k->n == MN_ID_BYTES + MN_LOG_KEY_BYTES && v->n == 0 &&
               mn_envelope_log_key_parse(kp + MN_ID_BYTES, MN_LOG_KEY_BYTES,
                                         &origin, &seq) == MN_OK &&
               mn_origin_valid(origin) && seq > 0;
    default: return k->n > 0;
    }
}

/* Walk every page of the databases the log and digest checks do not read,
 * checking each entry's shape. */
static int
check_other_dbs(mn_txn *t, char *err, size_t errlen, const char *dir) {
    static const enum mn_db dbs[] = {MN_DB_SIGS,      MN_DB_INDEX,
                                     MN_DB_STATS,     MN_DB_META,
                                     MN_DB_CONFLICTS, MN_DB_PRIVATE};
    for (size_t i = 0; i < MN_ARRAY_LEN(dbs); i++) {
        mn_cursor *cur = NULL;
        mn_val k, v;
        int rc = mn_cursor_open(t, dbs[i], &cur);
        for (rc = rc ? rc : mn_cursor_seek(cur, NULL, 0, &k, &v);
             rc == MN_OK && entry_shape_ok(dbs[i], &k, &v);
             rc = mn_cursor_next(cur, &k, &v))
            ;
        mn_cursor_close(&cur);
        if (rc != MN_ENOTFOUND) {
            snprintf(err, errlen,
                     "%s: the store is damaged: a malformed entry in its "
                     "indexes or metadata " REMEDY,
                     dir);
            return MN_ECORRUPT;
        }
    }
    return MN_OK;
}

/* Every check, in one read transaction. */
static int
check_txn(mn_txn *t, const mn_config *cfg, char *err, size_t errlen) {
    struct writer_state ws;
    int rc = mn_node_identity_check(t, cfg, false, err, errlen);
    if (rc != MN_OK)
        return rc;
    rc = mn_node_state_load(t, &ws);
    if (rc != MN_OK) {
        snprintf(err, errlen, "%s: cannot load node state: %s", cfg->data_dir,
                 mn_strerror(rc));
        return rc;
    }
    rc = check_log(t, &ws, err, errlen, cfg->data_dir);
    if (rc == MN_OK)
        rc = check_state(t, &ws, err, errlen, cfg->data_dir);
    if (rc == MN_OK)
        rc = check_other_dbs(t, err, errlen, cfg->data_dir);
    return rc;
}

/* Open the store of cfg, check it and close it. */
static int
check_here(const mn_config *cfg, char *err, size_t errlen) {
    mn_store *store = NULL;
    mn_txn *t = NULL;
    int rc = mn_store_open(cfg->data_dir, cfg->map_size, cfg->sync, &store, err,
                           errlen);
    if (rc != MN_OK)
        return rc;
    rc = mn_store_begin(store, false, &t);
    if (rc == MN_OK)
        rc = check_txn(t, cfg, err, errlen);
    else
        snprintf(err, errlen, "%s: %s", cfg->data_dir, mn_strerror(rc));
    mn_txn_abort(&t);
    mn_store_destroy(&store);
    return rc;
}

/* ---- the child and its verdict ------------------------------------------- */

static bool
write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        c += w;
        n -= (size_t)w;
    }
    return true;
}

/* The signals a read of a damaged page ends in: outside the map (SIGSEGV,
 * SIGBUS), an LMDB assertion (SIGABRT), garbage taken for code or a
 * divisor (SIGILL, SIGFPE). */
static const int fault_signals[] = {SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE};

static bool
is_fault_signal(int sig) {
    for (size_t i = 0; i < MN_ARRAY_LEN(fault_signals); i++)
        if (fault_signals[i] == sig)
            return true;
    return false;
}

/* A fault in the child must end the child: undo any handler it inherited
 * (a test framework's, a sanitizer's) and any block on these signals. */
static void
default_fault_signals(void) {
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < MN_ARRAY_LEN(fault_signals); i++) {
        signal(fault_signals[i], SIG_DFL);
        sigaddset(&set, fault_signals[i]);
    }
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* The child: run fn, send the verdict on fd, and leave without running
 * the parent's exit handlers or flushing its stdio buffers. */
static _Noreturn void
child_main(const mn_config *cfg, mn_node_check_fn fn, int fd) {
    char msg[VERDICT_MAX] = "";
    uint8_t code[4];
    default_fault_signals();
    int rc = fn(cfg, msg, sizeof msg);
    mn_put_be32(code, (uint32_t)rc);
    bool sent =
        write_all(fd, code, sizeof code) && write_all(fd, msg, strlen(msg));
    _exit(sent ? 0 : 1);
}

/* Read everything the child sends; returns the number of bytes. */
static size_t
read_verdict(int fd, char *buf, size_t cap) {
    size_t n = 0;
    while (n < cap) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    return n;
}

static int
reap(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}

/* What the parent makes of the child's bytes and exit status: its
 * verdict; a damaged store when it faulted or ended without one (a
 * sanitizer reports a fault and exits); MN_EIO when it was killed from
 * outside (SIGKILL from the OOM killer, say), which says nothing of the
 * store. */
static int
verdict(const mn_config *cfg, const char *buf, size_t n, int status, char *err,
        size_t errlen) {
    if (n >= 4 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        int rc = (int)(int32_t)mn_get_be32((const uint8_t *)buf);
        snprintf(err, errlen, "%.*s", (int)(n - 4), buf + 4);
        return rc;
    }
    if (WIFSIGNALED(status) && !is_fault_signal(WTERMSIG(status))) {
        snprintf(err, errlen, "%s: the start-up check was killed by signal %d",
                 cfg->data_dir, WTERMSIG(status));
        return MN_EIO;
    }
    if (WIFSIGNALED(status))
        mn_warn("the start-up check died of signal %d (%s)", WTERMSIG(status),
                strsignal(WTERMSIG(status)));
    else
        mn_warn("the start-up check exited with status %d and no verdict",
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    snprintf(err, errlen, "%s: the store is damaged: reading it faults " REMEDY,
             cfg->data_dir);
    return MN_ECORRUPT;
}

int
mn_node_check_in_child(const mn_config *cfg, mn_node_check_fn fn, char *err,
                       size_t errlen) {
    char buf[4 + VERDICT_MAX];
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "%s: cannot check the store: pipe: %s",
                 cfg->data_dir, strerror(errno));
        return MN_EIO;
    }
    pid_t pid = fork();
    int fork_errno = errno;
    if (pid == 0) {
        close(fds[0]);
        child_main(cfg, fn, fds[1]);
    }
    close(fds[1]);
    size_t n = pid > 0 ? read_verdict(fds[0], buf, sizeof buf) : 0;
    close(fds[0]);
    if (pid < 0) {
        snprintf(err, errlen, "%s: cannot check the store: fork: %s",
                 cfg->data_dir, strerror(fork_errno));
        return MN_EIO;
    }
    return verdict(cfg, buf, n, reap(pid), err, errlen);
}

/* Is there a store to check? A data dir without data.mdb gets a new,
 * empty one, which cannot be damaged: no child is needed (a fork costs
 * in proportion to the process, which matters to the simulator). */
static bool
store_exists(const mn_config *cfg) {
    char path[PATH_MAX + 16];
    struct stat st;
    snprintf(path, sizeof path, "%s/data.mdb", cfg->data_dir);
    return stat(path, &st) == 0 || errno != ENOENT;
}

int
mn_node_check_store(const mn_config *cfg, char *err, size_t errlen) {
    if (!store_exists(cfg))
        return MN_OK;
    return mn_node_check_in_child(cfg, check_here, err, errlen);
}
