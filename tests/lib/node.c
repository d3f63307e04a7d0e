/*
 * node — see node.h.
 */
#include "node.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "files.h"
#include "http.h"
#include "proc.h"

int
tl_conf_write(const char *path, const tl_conf *c) {
    char text[4096 + 2 * PATH_MAX];
    snprintf(text, sizeof text,
             "; %s\n"
             "[node]\n"
             "id = %u\n"
             "name = %s\n"
             "display_name = %s\n"
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
             "dir = %s\n"
             "\n"
             "[stats]\n"
             "aggregate_interval = %u\n",
             c->written_by, c->id, c->name, c->display_name, c->data_dir,
             c->map_mb, c->sync ? "true" : "false", c->http_port, c->repl_port,
             c->key_dir, c->aggregate_interval);
    return tl_write_text(path, text, 0644);
}

bool
tl_node_health(const char *url, const char *name) {
    tl_resp r;
    tl_request rq = {.path = "/v1/health", .auth = TL_NO_AUTH};
    bool ok = tl_http(url, "", &rq, &r) == 200 &&
              strcmp(tl_str(r.json, "status"), "ok") == 0 &&
              strcmp(tl_str(r.json, "division"), name) == 0;
    tl_resp_release(&r);
    return ok;
}

static int
read_token(const char *data_dir, char *token, size_t size) {
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/admin.token", data_dir);
    char *z = tl_read_file(path, NULL);
    if (!z)
        return -1;
    z[strcspn(z, "\r\n")] = '\0';
    snprintf(token, size, "%s", z);
    free(z);
    return token[0] ? 0 : -1;
}

int
tl_node_start(const char *daemon, const char *conf, const char *log,
              pid_t *pid) {
    const char *argv[] = {daemon, "--config", conf, NULL};
    *pid = tl_spawn_logged(argv, log);
    if (QUIET_CHECK(*pid > 0, "start %s", conf))
        return 0;
    *pid = 0;
    return -1;
}

struct health_arg {
    const char *url, *name;
};

static bool
health_ready(const void *p) {
    const struct health_arg *a = p;
    return tl_node_health(a->url, a->name);
}

int
tl_node_await(pid_t *pid, const char *url, const char *name,
              const char *data_dir, const char *log, uint64_t deadline,
              char *token, size_t size) {
    struct health_arg arg = {url, name};
    int code = 0;
    int rc = tl_await(*pid, deadline, health_ready, &arg, &code);
    if (rc != 0) {
        QUIET_CHECK(false, "%s %s", name,
                    rc > 0 ? "exited during start-up"
                           : "did not answer /v1/health in time");
        if (rc > 0)
            tl_note("%s exited with %d", name, code);
        else
            tl_kill(*pid);
        *pid = 0;
        tl_dump_log(log, TL_LOG_TAIL_LINES);
        return -1;
    }
    return QUIET_CHECK(read_token(data_dir, token, size) == 0,
                       "read %s/admin.token", data_dir)
               ? 0
               : -1;
}
