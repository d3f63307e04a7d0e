/*
 * harness — see harness.h.
 */
#include "harness.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"

/* A node gets this long to answer its health check after exec. */
#define START_TIMEOUT_MS 10000
/* ... and this long to exit after SIGTERM. */
#define STOP_TIMEOUT_MS 10000

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

/* ---- one node --------------------------------------------------------- */

int
it_node_write_config(const it_node *n) {
    tl_conf c = {.written_by = "written by the integration test harness",
                 .id = n->id,
                 .name = n->name,
                 .display_name = "Integration test",
                 .data_dir = "data",
                 .map_mb = n->map_mb,
                 .sync = n->sync,
                 .http_port = n->http_port,
                 .repl_port = n->repl_port,
                 .key_dir = "keys"};
    return tl_conf_write(n->conf, &c);
}

int
it_node_create(it_node *n, const char *daemon, int http_port, unsigned map_mb) {
    char *err = NULL;
    memset(n, 0, sizeof *n);
    if (!CHECK(tl_mkdtemp("mn-it", n->dir, sizeof n->dir) == 0, "mkdtemp: %s",
               strerror(errno)))
        return -1;
    tl_proc_track_dir(n->dir);
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
    int rc = tl_run(argv, NULL, 30, NULL, NULL, &err);
    CHECK(rc == 0, "mentornetd --keygen exits 0 (got %d): %s", rc,
          err ? err : "");
    free(err);
    return rc == 0 ? 0 : -1;
}

int
it_node_start(it_node *n) {
    if (!CHECK(n->pid == 0, "start: node already running"))
        return -1;
    if (!CHECK(tl_port_free(n->http_port),
               "port %d is free (a stale node from an earlier run?)",
               n->http_port))
        return -1;
    if (tl_node_start(n->daemon, n->conf, n->log, &n->pid) != 0)
        return -1;
    return tl_node_await(&n->pid, n->url, n->name, n->data_dir, n->log,
                         tl_now_ms() + START_TIMEOUT_MS, n->token,
                         sizeof n->token);
}

int
it_node_stop(it_node *n) {
    if (n->pid <= 0)
        return -1;
    int rc = tl_stop(n->pid, STOP_TIMEOUT_MS);
    n->pid = 0;
    return rc;
}

void
it_node_kill(it_node *n) {
    tl_kill(n->pid);
    n->pid = 0;
}

void
it_node_dump_log(const it_node *n) {
    tl_dump_log(n->log, TL_LOG_TAIL_LINES);
}

void
it_node_destroy(it_node *n) {
    if (n->pid > 0 && it_node_stop(n) != 0)
        fprintf(stderr, "node did not stop cleanly\n");
    tl_http_thread_done();
    if (!n->dir[0])
        return;
    tl_check_log_clean(n->log);
    if (tl_failures() > 0)
        it_node_dump_log(n);
    tl_proc_finish_dir(n->dir);
}

/* ---- HTTP ------------------------------------------------------------- */

long
it_http(const it_node *n, const tl_request *rq, tl_resp *r) {
    return tl_http(n->url, n->token, rq, r);
}

long
it_get(const it_node *n, const char *path, tl_resp *r) {
    tl_request rq = {.path = path};
    return it_http(n, &rq, r);
}

long
it_send_json(const it_node *n, const char *method, const char *path,
             const char *json, tl_resp *r) {
    tl_request rq = {.method = method,
                     .path = path,
                     .ctype = "application/json",
                     .body = json,
                     .len = strlen(json)};
    return it_http(n, &rq, r);
}

json_t *
it_get_json(const it_node *n, const char *path) {
    return tl_get_json(n->url, n->token, path);
}

long
it_call(const it_node *n, const char *method, const char *path,
        const char *body, json_t **json) {
    tl_request rq = {.method = method, .path = path};
    if (body) {
        rq.ctype = "application/json";
        rq.body = body;
        rq.len = strlen(body);
    }
    tl_resp r;
    long status = it_http(n, &rq, &r);
    *json = r.json ? json_incref(r.json) : NULL;
    tl_resp_release(&r);
    return status;
}

char *
it_digest(const it_node *n) {
    json_t *d = it_get_json(n, "/v1/digest");
    char *z = strdup(d ? tl_str(d, "digest") : "");
    json_decref(d);
    return z;
}

void
it_refuse(const it_node *n, const char *method, const char *path,
          const char *body, long status, const char *code, const char *field) {
    char *before = it_digest(n);
    json_t *j;
    long got = it_call(n, method, path, body, &j);
    const json_t *err = json_object_get(j, "error");
    const char *f = tl_str(err, "field");
    CHECK(got == status && strcmp(tl_str(err, "code"), code) == 0,
          "%s %s %s: %ld %s, want %ld %s", method, path, body ? body : "", got,
          tl_str(err, "code"), status, code);
    if (field)
        CHECK(strcmp(f, field) == 0, "%s %s %s: field '%s', want '%s'", method,
              path, body ? body : "", f, field);
    CHECK(tl_str(err, "message")[0] != '\0', "%s %s: a message", method, path);
    json_decref(j);
    char *after = it_digest(n);
    CHECK(strcmp(before, after) == 0, "%s %s: the digest is unchanged", method,
          path);
    free(before);
    free(after);
}

static const json_t *
error_obj(const tl_resp *r) {
    return json_object_get(r->json, "error");
}

const char *
it_error_code(const tl_resp *r) {
    return tl_str(error_obj(r), "code");
}

const char *
it_error_field(const tl_resp *r) {
    return tl_str(error_obj(r), "field");
}

const char *
it_error_message(const tl_resp *r) {
    return tl_str(error_obj(r), "message");
}

/* ---- the CLI ---------------------------------------------------------- */

int
it_cli(const it_node *n, const char *cli, bool env_token,
       const char *const *args, char **out) {
    char token_env[sizeof n->token + 32];
    const char *argv[IT_CLI_MAX_ARGS + 6] = {cli, "--node", n->url};
    size_t argc = 3;
    snprintf(token_env, sizeof token_env, "MENTORNET_TOKEN=%s", n->token);
    const char *const env[] = {env_token ? token_env : "MENTORNET_TOKEN", NULL};
    if (!env_token) {
        argv[argc++] = "--token";
        argv[argc++] = n->token;
    }
    for (size_t i = 0; args[i] && i < IT_CLI_MAX_ARGS; i++)
        argv[argc++] = args[i];
    char *stdout_text = NULL, *stderr_text = NULL;
    int rc =
        tl_run(argv, env, IT_CLI_TIMEOUT_S, &stdout_text, NULL, &stderr_text);
    free(stderr_text);
    if (out)
        *out = stdout_text;
    else
        free(stdout_text);
    return rc;
}

bool
it_is_id(const char *z) {
    size_t n = 0;
    for (; z[n]; n++)
        if (!((z[n] >= '0' && z[n] <= '9') || (z[n] >= 'a' && z[n] <= 'f')))
            return false;
    return n == 32;
}
