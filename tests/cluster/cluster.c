/*
 * cluster — see cluster.h.
 */
#include "cluster.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"

#define START_TIMEOUT_MS 15000
#define STOP_TIMEOUT_MS 10000

static const char *const division_names[CL_MAX_NODES] = {
    "copenhagen", "aarhus",   "esbjerg", "odense",
    "tingbjerg",  "bornholm", "aalborg", "roskilde"};

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

char *
cl_demo_data(const cl_cluster *c, const char *division, unsigned count,
             unsigned long seed, size_t *len) {
    char n[32], s[32];
    char *out = NULL;
    snprintf(n, sizeof n, "%u", count);
    snprintf(s, sizeof s, "%lu", seed);
    const char *argv[] = {c->demo, "--division", division, "--count",
                          n,       "--seed",     s,        NULL};
    int rc = tl_run(argv, NULL, 60, &out, len, NULL);
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
    char path[PATH_MAX + 128], written_by[128], display[64];
    snprintf(path, sizeof path, "%s/%s.conf", viewer->conf_dir, n->name);
    snprintf(written_by, sizeof written_by,
             "written by the cluster test harness (as seen by %s)",
             viewer->name);
    snprintf(display, sizeof display, "Cluster test %s", n->name);
    tl_conf conf = {.written_by = written_by,
                    .id = n->id,
                    .name = n->name,
                    .display_name = display,
                    .data_dir = n->data_dir,
                    .map_mb = c->map_mb,
                    .sync = c->sync,
                    .http_port = n->http_port,
                    .repl_port = viewer->view_port[j] ? viewer->view_port[j]
                                                      : n->repl_port,
                    .key_dir = c->key_dir,
                    .aggregate_interval = c->aggregate_interval};
    return tl_conf_write(path, &conf);
}

int
cl_write_confs(cl_cluster *c) {
    for (size_t i = 0; i < c->n; i++) {
        if (tl_mkdir(c->node[i].conf_dir) != 0)
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
    int rc = tl_run(argv, NULL, 30, NULL, NULL, NULL);
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
    tl_proc_track_dir(c->dir);
    snprintf(c->key_dir, sizeof c->key_dir, "%s/keys", c->dir);
    const char *subs[] = {"keys", "conf", "data", "logs"};
    for (size_t k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "%s/%s", c->dir, subs[k]);
        if (tl_mkdir(path) != 0)
            return -1;
    }
    for (int p = base_port; p < base_port + CL_PORT_RANGE; p++)
        if (!QUIET_CHECK(tl_port_free(p),
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
    tl_note("cluster of %zu nodes in %s (ports %d..%d)", n, c->dir, base_port,
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
spawn(cl_cluster *c, size_t i) {
    cl_node *n = &c->node[i];
    if (!QUIET_CHECK(n->pid == 0, "start %s: not running yet", n->name))
        return -1;
    if (!QUIET_CHECK(tl_port_free(n->http_port), "start %s: port %d is free",
                     n->name, n->http_port))
        return -1;
    n->paused = false;
    return tl_node_start(c->daemon, n->conf, n->log, &n->pid);
}

/* Wait until node i answers its health check; (re)read its token. */
static int
await_health(cl_cluster *c, size_t i, uint64_t deadline) {
    cl_node *n = &c->node[i];
    return tl_node_await(&n->pid, n->url, n->name, n->data_dir, n->log,
                         deadline, n->token, sizeof n->token);
}

int
cl_start(cl_cluster *c, size_t i) {
    if (spawn(c, i) != 0)
        return -1;
    return await_health(c, i, tl_now_ms() + START_TIMEOUT_MS);
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
    uint64_t deadline = tl_now_ms() + START_TIMEOUT_MS;
    for (size_t i = 0; i < c->n; i++)
        if (started[i] && await_health(c, i, deadline) != 0)
            rc = -1;
    return rc;
}

int
cl_stop(cl_cluster *c, size_t i) {
    cl_node *n = &c->node[i];
    if (n->pid <= 0)
        return -1;
    int rc = tl_stop(n->pid, STOP_TIMEOUT_MS);
    n->pid = 0;
    n->paused = false;
    return rc;
}

void
cl_kill(cl_cluster *c, size_t i) {
    cl_node *n = &c->node[i];
    tl_kill(n->pid);
    n->pid = 0;
    n->paused = false;
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
    tl_dump_log(c->node[i].log, TL_LOG_TAIL_LINES);
}

void
cl_destroy(cl_cluster *c) {
    for (size_t i = 0; i < c->n; i++)
        if (c->node[i].pid > 0 && cl_stop(c, i) != 0)
            QUIET_CHECK(false, "%s stops cleanly on SIGTERM", c->node[i].name);
    tl_http_thread_done();
    if (!c->dir[0])
        return;
    for (size_t i = 0; i < c->n; i++)
        tl_check_log_clean(c->node[i].log);
    if (tl_failures() > 0)
        for (size_t i = 0; i < c->n; i++)
            cl_dump_log(c, i);
    tl_proc_finish_dir(c->dir);
}

/* ---- HTTP ------------------------------------------------------------- */

long
cl_http(const cl_node *n, const char *method, const char *path,
        const char *ctype, const void *body, size_t len, tl_resp *r) {
    tl_request rq = {.method = method,
                     .path = path,
                     .ctype = ctype,
                     .body = body,
                     .len = len};
    return tl_http(n->url, n->token, &rq, r);
}

json_t *
cl_get_json(const cl_node *n, const char *path) {
    return tl_get_json(n->url, n->token, path);
}

long
cl_download(const cl_node *n, const char *path, const char *file) {
    tl_resp r;
    long status = cl_http(n, "GET", path, NULL, NULL, 0, &r);
    if (status == 200 &&
        tl_write_file(file, r.body ? r.body : "", r.len, 0600) != 0)
        status = -1;
    tl_resp_release(&r);
    return status;
}

bool
cl_health(const cl_node *n) {
    return tl_node_health(n->url, n->name);
}

long
cl_write(const cl_node *n, const char *method, const char *path,
         const char *ctype, const void *body, size_t len, unsigned retry_ms,
         tl_resp *r) {
    uint64_t deadline = tl_now_ms() + retry_ms;
    unsigned backoff = 20;
    for (;;) {
        long status = cl_http(n, method, path, ctype, body, len, r);
        if (status != 503 || tl_now_ms() >= deadline)
            return status;
        tl_resp_release(r);
        tl_sleep_ms(backoff);
        backoff = backoff * 2 > 250 ? 250 : backoff * 2;
    }
}

long
cl_create_participant(const cl_node *n, const char *json, char *id) {
    tl_resp r;
    long status = cl_write(n, "POST", "/v1/participants", "application/json",
                           json, strlen(json), CL_503_RETRY_MS, &r);
    const char *z = json_string_value(json_object_get(r.json, "id"));
    if (id)
        snprintf(id, 33, "%s", status == 201 && z ? z : "");
    tl_resp_release(&r);
    return status;
}

int
cl_create_many(const cl_node *n, int count, const char *tag, cl_ids *ids) {
    char body[256], id[33];
    int ok = 0;
    for (int k = 0; k < count; k++) {
        snprintf(
            body, sizeof body,
            "{\"role\":\"%s\",\"given_name\":\"%s\",\"family_name\":"
            "\"%s-%d\",\"country_of_origin\":\"%s\",\"consent\":{\"purposes\":"
            "[\"statistics\"],\"given_at\":\"2026-11-26T10:00:00Z\"}}",
            k % 3 ? "mentee" : "mentor", tag, n->name, k, k % 2 ? "SY" : "ER");
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
    tl_resp r;
    snprintf(path, sizeof path, "/v1/participants/%s", id);
    long status = cl_write(n, "PATCH", path, "application/json", json,
                           strlen(json), CL_503_RETRY_MS, &r);
    tl_resp_release(&r);
    return status;
}

long
cl_import(const cl_node *n, const char *ndjson, size_t len) {
    tl_resp r;
    long status = cl_write(n, "POST", "/v1/import", "application/x-ndjson",
                           ndjson, len, CL_503_RETRY_MS, &r);
    long imported = -1;
    if (status == 200 && json_is_integer(json_object_get(r.json, "imported")))
        imported =
            (long)json_integer_value(json_object_get(r.json, "imported"));
    else
        tl_note("import on %s answered %ld: %.200s", n->name, status,
                r.body ? r.body : "");
    tl_resp_release(&r);
    return imported;
}

long
cl_import_demo(const cl_cluster *c, size_t i, unsigned count,
               unsigned long seed) {
    size_t len;
    char *nd = cl_demo_data(c, c->node[i].name, count, seed, &len);
    long got = nd ? cl_import(&c->node[i], nd, len) : -1;
    free(nd);
    return got;
}

int
cl_import_demo_each(const cl_cluster *c, size_t n, unsigned count,
                    unsigned long seed) {
    for (size_t i = 0; i < n; i++) {
        long got = cl_import_demo(c, i, count, seed + i);
        if (!CHECK(got == (long)count, "%s imported %ld", c->node[i].name, got))
            return -1;
    }
    return 0;
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

uint32_t
cl_origin(const cl_node *n) {
    json_t *r = cl_replication(n);
    const char *inc = json_string_value(
        json_object_get(json_object_get(r, "origin"), "incarnation"));
    uint32_t o = inc ? (uint32_t)strtoul(inc, NULL, 16) << 8 | n->id : 0;
    json_decref(r);
    return o;
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
            tl_note("  %-10s not running", c->node[i].name);
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
        tl_note(
            "  %-10s %s writable=%s pending=%lld", c->node[i].name,
            d ? d : "(no answer)",
            json_is_true(json_object_get(repl, "writable")) ? "yes" : "no",
            (long long)json_integer_value(json_object_get(repl, "pending")));
        if (rz)
            tl_note("             peers %s", rz);
        free(d);
        free(rz);
        json_decref(repl);
    }
}

bool
cl_wait_converged(cl_cluster *c, unsigned timeout_ms) {
    uint64_t start = tl_now_ms(), deadline = start + timeout_ms;
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
            tl_note("converged: %zu nodes in %llu ms: %s", nrunning,
                    (unsigned long long)(tl_now_ms() - start), d);
            free(d);
        } else if (tl_now_ms() >= deadline) {
            tl_note("NOT converged after %u ms; every node's view:",
                    timeout_ms);
            print_views(c, v);
        }
        bool done = same || tl_now_ms() >= deadline;
        for (size_t i = 0; i < c->n; i++)
            view_release(&v[i]);
        if (done)
            return same;
        tl_sleep_ms(round < 20 ? 50 : 200);
    }
}

bool
cl_wait_writable(const cl_node *n, unsigned timeout_ms) {
    uint64_t deadline = tl_now_ms() + timeout_ms;
    for (;;) {
        json_t *j = cl_replication(n);
        bool w = json_is_true(json_object_get(j, "writable"));
        json_decref(j);
        if (w)
            return true;
        if (tl_now_ms() >= deadline)
            return false;
        tl_sleep_ms(50);
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
