/*
 * audit — see audit.h. Entries are gathered, whole lines, in one buffer
 * under a mutex and appended to their day's file by one write(2) when the
 * buffer passes FLUSH_BYTES, when the day changes, once a second (the
 * flush thread) and before a read or at close. GET
 * /v1/participants/{id} as admin, 16 clients, 2 shared cores, median of 3
 * alternating runs: 50,100 req/s without an audit log, 38,700 with a
 * write(2) per request, 45,800 gathered. The price: a process killed
 * loses what was gathered, at most about a second of entries, as a
 * machine that loses power loses what was not yet fdatasynced.
 * The file is swapped under the same mutex, so a swap never closes a
 * descriptor another thread writes to.
 */
#include "api/audit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/id.h"
#include "base/log.h"
#include "state/kind.h"

#define DAY_MS 86400000ull
#define DATE_LEN 10 /* YYYY-MM-DD */
#define SUFFIX ".jsonl"
/* The flush thread wakes this often; retention runs once an hour. */
#define FLUSH_MS 1000
#define PRUNE_EVERY 3600
/* Gathered bytes written at once: about 250 entries. */
#define FLUSH_BYTES (64 * 1024)

struct mn_audit {
    char dir[4096];
    uint32_t retention_days;
    pthread_mutex_t lock; /* guards all below */
    pthread_cond_t wake;
    int fd;                 /* the day file open for append, or -1 */
    char day[DATE_LEN + 1]; /* its date */
    bool dirty, stopping;
    mn_buf pending;                 /* whole lines not yet written */
    char pending_day[DATE_LEN + 1]; /* their day */
    pthread_t thread;
};

/* ---- writing ------------------------------------------------------------ */

static void
classes_json(mn_buf *b, unsigned classes) {
    static const enum mn_fvis all[] = {MN_VIS_PROFILE, MN_VIS_PERSONAL,
                                       MN_VIS_SPECIAL};
    bool first = true;
    mn_buf_append(b, "[", 1);
    for (size_t i = 0; i < MN_ARRAY_LEN(all); i++) {
        if (!(classes & MN_KIND_JSON_CLASS(all[i])))
            continue;
        const char *z = mn_fvis_name(all[i]);
        mn_buf_append(b, first ? "\"" : ",\"", first ? 1 : 2);
        mn_buf_append(b, z, strlen(z));
        mn_buf_append(b, "\"", 1);
        first = false;
    }
    mn_buf_append(b, "]", 1);
}

/* Names are checked when a token is made (no '"', '\' or control
 * characters); the other strings are the API's own, so none needs
 * escaping. */
void
mn_audit_format(mn_buf *b, uint64_t ms, const mn_audit_entry *e) {
    static const char *const roles[] = {"admin", "coordinator", "national"};
    char at[MN_TIME_TEXT], line[MN_AUDIT_LINE_MAX];
    const mn_api_caller *w = e->who;
    mn_time_format(ms, at);
    int n = snprintf(
        line, sizeof line,
        "{\"at\":\"%s\",\"action\":\"%s\",\"token\":\"%s\",\"name\":\"%s\","
        "\"role\":\"%s\",\"endpoint\":\"%s\",\"kind\":%s%s%s,\"id\":%s%s%s,"
        "\"classes\":",
        at, e->write ? "write" : "read", w->token_id[0] ? w->token_id : "admin",
        w->name, (size_t)w->role < MN_ARRAY_LEN(roles) ? roles[w->role] : "?",
        e->endpoint, e->kind ? "\"" : "", e->kind ? e->kind : "null",
        e->kind ? "\"" : "", e->id ? "\"" : "", e->id ? e->id : "null",
        e->id ? "\"" : "");
    if (n < 0 || (size_t)n >= sizeof line)
        return; /* cannot happen: every part is bounded */
    mn_buf_append(b, line, (size_t)n);
    classes_json(b, e->classes);
    n = snprintf(line, sizeof line, ",\"status\":%u}\n", e->status);
    mn_buf_append(b, line, (size_t)n);
}

static void
day_of(uint64_t ms, char day[DATE_LEN + 1]) {
    char at[MN_TIME_TEXT];
    mn_time_format(ms, at);
    memcpy(day, at, DATE_LEN);
    day[DATE_LEN] = '\0';
}

/* Make fd the day file of day (a->lock held). */
static int
open_day(mn_audit *a, const char *day) {
    char path[4200];
    if (a->fd >= 0 && strcmp(a->day, day) == 0)
        return MN_OK;
    if (a->fd >= 0) {
        if (a->dirty)
            fdatasync(a->fd);
        close(a->fd);
        a->fd = -1;
        a->dirty = false;
    }
    snprintf(path, sizeof path, "%s/%s" SUFFIX, a->dir, day);
    a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (a->fd < 0)
        return MN_EIO;
    memcpy(a->day, day, sizeof a->day);
    return MN_OK;
}

/* Append the gathered lines to their day's file (a->lock held). */
static int
flush_locked(mn_audit *a) {
    if (a->pending.len == 0)
        return MN_OK;
    int rc = open_day(a, a->pending_day);
    if (rc == MN_OK &&
        write(a->fd, a->pending.p, a->pending.len) != (ssize_t)a->pending.len)
        rc = MN_EIO;
    if (rc != MN_OK)
        mn_error("audit: cannot append to %s: %s; %zu bytes of entries lost",
                 a->dir, strerror(errno), a->pending.len);
    a->dirty |= rc == MN_OK;
    mn_buf_reset(&a->pending);
    return rc;
}

int
mn_audit_write(mn_audit *a, uint64_t ms, const void *lines, size_t n) {
    char day[DATE_LEN + 1];
    int rc = MN_OK;
    day_of(ms, day);
    pthread_mutex_lock(&a->lock);
    if (a->pending.len && strcmp(a->pending_day, day) != 0)
        rc = flush_locked(a);
    memcpy(a->pending_day, day, sizeof day);
    mn_buf_append(&a->pending, lines, n);
    if (a->pending.len >= FLUSH_BYTES) {
        int flushed = flush_locked(a);
        rc = rc == MN_OK ? flushed : rc;
    }
    pthread_mutex_unlock(&a->lock);
    return rc;
}

/* Write what is gathered, then fdatasync (a->lock held). */
static void
sync_locked(mn_audit *a) {
    flush_locked(a);
    if (a->fd >= 0 && a->dirty && fdatasync(a->fd) == 0)
        a->dirty = false;
}

void
mn_audit_sync(mn_audit *a) {
    pthread_mutex_lock(&a->lock);
    sync_locked(a);
    pthread_mutex_unlock(&a->lock);
}

/* ---- retention ---------------------------------------------------------- */

/* Is name a day file "YYYY-MM-DD.jsonl"? */
static bool
is_day_file(const char *name) {
    static const char shape[] = "dddd-dd-dd" SUFFIX;
    if (strlen(name) != sizeof shape - 1)
        return false;
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        bool digit = name[i] >= '0' && name[i] <= '9';
        if (shape[i] == 'd' ? !digit : name[i] != shape[i])
            return false;
    }
    return true;
}

int
mn_audit_prune(mn_audit *a, uint64_t now_ms, size_t *deleted) {
    char oldest[DATE_LEN + 1], path[4400];
    size_t n = 0;
    int rc = MN_OK;
    uint64_t keep = (uint64_t)a->retention_days * DAY_MS;
    day_of(now_ms > keep ? now_ms - keep : 0, oldest);
    DIR *d = opendir(a->dir);
    if (!d)
        return MN_EIO;
    for (struct dirent *de; (de = readdir(d));) {
        if (!is_day_file(de->d_name) ||
            strncmp(de->d_name, oldest, DATE_LEN) >= 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", a->dir, de->d_name);
        if (unlink(path) == 0)
            n++;
        else
            rc = MN_EIO;
    }
    closedir(d);
    if (deleted)
        *deleted = n;
    return rc;
}

/* ---- the flush thread --------------------------------------------------- */

static void *
flush_main(void *arg) {
    mn_audit *a = arg;
    unsigned ticks = 0;
    pthread_mutex_lock(&a->lock);
    while (!a->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += FLUSH_MS / 1000;
        pthread_cond_timedwait(&a->wake, &a->lock, &until);
        sync_locked(a);
        if (++ticks % PRUNE_EVERY == 0) {
            pthread_mutex_unlock(&a->lock);
            mn_audit_prune(a, mn_wall_ms(), NULL);
            pthread_mutex_lock(&a->lock);
        }
    }
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

int
mn_audit_open(const char *data_dir, uint32_t retention_days, mn_audit **out) {
    mn_audit *a = mn_calloc(1, sizeof *a);
    snprintf(a->dir, sizeof a->dir, "%s/audit", data_dir);
    a->retention_days = retention_days ? retention_days : 365;
    a->fd = -1;
    mn_buf_init(&a->pending);
    if (mkdir(a->dir, 0700) != 0 && errno != EEXIST) {
        free(a);
        return MN_EIO;
    }
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->wake, NULL);
    mn_audit_prune(a, mn_wall_ms(), NULL);
    if (pthread_create(&a->thread, NULL, flush_main, a) != 0)
        abort(); /* no thread: the process cannot keep its promises */
    *out = a;
    return MN_OK;
}

void
mn_audit_close(mn_audit **self_p) {
    mn_audit *a = *self_p;
    if (!a)
        return;
    pthread_mutex_lock(&a->lock);
    a->stopping = true;
    pthread_cond_signal(&a->wake);
    pthread_mutex_unlock(&a->lock);
    pthread_join(a->thread, NULL);
    sync_locked(a); /* the thread has ended: nobody else holds a */
    if (a->fd >= 0)
        close(a->fd);
    mn_buf_release(&a->pending);
    pthread_cond_destroy(&a->wake);
    pthread_mutex_destroy(&a->lock);
    free(a);
    *self_p = NULL;
}

/* ---- reading ------------------------------------------------------------ */

static int
cmp_names(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The day files from day `first` to `last` (inclusive), sorted. OUT:
 * *names (free each and the array), *n. */
static int
day_files(const mn_audit *a, const char *first, const char *last, char ***names,
          size_t *n) {
    size_t cap = 16;
    char **v = mn_calloc(cap, sizeof *v);
    DIR *d = opendir(a->dir);
    *n = 0;
    if (!d) {
        free(v);
        return MN_EIO;
    }
    for (struct dirent *de; (de = readdir(d));) {
        if (!is_day_file(de->d_name) ||
            strncmp(de->d_name, first, DATE_LEN) < 0 ||
            strncmp(de->d_name, last, DATE_LEN) > 0)
            continue;
        if (*n == cap)
            v = mn_realloc(v, (cap *= 2) * sizeof *v);
        v[(*n)++] = mn_strdup(de->d_name);
    }
    closedir(d);
    qsort(v, *n, sizeof *v, cmp_names);
    *names = v;
    return MN_OK;
}

/* The reading of the files: the filter as text, and where it stands. */
struct reading {
    const mn_audit_filter *f;
    char since[MN_TIME_TEXT], until[MN_TIME_TEXT];
    void (*fn)(void *user, json_t *entry);
    void *user;
    size_t n;
    bool more;
};

static bool
selects(const struct reading *rd, const json_t *e) {
    const char *at = json_string_value(json_object_get(e, "at"));
    const char *kind = json_string_value(json_object_get(e, "kind"));
    const char *id = json_string_value(json_object_get(e, "id"));
    const char *token = json_string_value(json_object_get(e, "token"));
    const mn_audit_filter *f = rd->f;
    if (!at || strcmp(at, rd->since) < 0 || strcmp(at, rd->until) >= 0)
        return false;
    if (f->participant && (!kind || !id || strcmp(kind, "participant") != 0 ||
                           strcmp(id, f->participant) != 0))
        return false;
    return !f->token || (token && strcmp(token, f->token) == 0);
}

/* One line: parsed, selected, handed on (a line still being written does
 * not parse, and is skipped). False once the limit is passed. */
static bool
read_line(struct reading *rd, const char *line, size_t len) {
    const mn_audit_filter *f = rd->f;
    /* Most lines of a filtered read are not about the one asked for:
     * skipped before they are parsed. */
    if ((f->participant && !strstr(line, f->participant)) ||
        (f->token && !strstr(line, f->token)))
        return true;
    json_t *e = json_loadb(line, len, 0, NULL);
    bool go_on = true;
    if (e && selects(rd, e)) {
        if (rd->f->limit && rd->n == rd->f->limit) {
            rd->more = true;
            go_on = false;
        } else {
            rd->fn(rd->user, e);
            rd->n++;
        }
    }
    json_decref(e);
    return go_on;
}

static int
read_file(const mn_audit *a, const char *name, struct reading *rd) {
    char path[4400];
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    snprintf(path, sizeof path, "%s/%s", a->dir, name);
    FILE *f = fopen(path, "re");
    if (!f)
        return errno == ENOENT ? MN_OK : MN_EIO; /* pruned meanwhile */
    while ((len = getline(&line, &cap, f)) > 0)
        if (len <= MN_AUDIT_LINE_MAX && !read_line(rd, line, (size_t)len))
            break;
    free(line);
    fclose(f);
    return MN_OK;
}

int
mn_audit_read(mn_audit *a, const mn_audit_filter *f,
              void (*fn)(void *user, json_t *entry), void *user, bool *more) {
    struct reading rd = {.f = f, .fn = fn, .user = user};
    char **names;
    size_t n;
    mn_time_format(f->since, rd.since);
    mn_time_format(f->until ? f->until : UINT64_MAX, rd.until);
    mn_audit_sync(a); /* what is gathered, readable */
    int rc = day_files(a, rd.since, rd.until, &names, &n);
    if (rc != MN_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (rc == MN_OK && !rd.more)
            rc = read_file(a, names[i], &rd);
        free(names[i]);
    }
    free(names);
    if (more)
        *more = rd.more;
    return rc;
}

int
mn_audit_participant(mn_audit *a, const char *id,
                     void (*fn)(void *user, json_t *entry), void *user) {
    mn_audit_filter f = {.participant = id};
    return mn_audit_read(a, &f, fn, user, NULL);
}
