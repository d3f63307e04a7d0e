/*
 * server — see http.h: the libmicrohttpd plumbing, the buffering of request
 * bodies, and the replies every resource sends (resource.h).
 *
 * A request goes through on_request several times (libmicrohttpd's model):
 * the first call finds the route, checks auth, content type and declared
 * length and may answer at once; later calls append body bytes up to the
 * route's cap; the last call dispatches to the route's handler. So no
 * handler runs before its whole body is here and under the cap.
 */
#include "api/http.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/auth.h"
#include "api/resource.h"
#include "base/log.h"

/* Connections served at once (one thread each) and how long one may idle. */
#define MAX_CONNECTIONS 512
#define CONNECTION_TIMEOUT_S 60

/* ---- replies ---------------------------------------------------------- */

enum MHD_Result
mn_api_send_text(struct MHD_Connection *c, unsigned status, const char *type,
                 char *text) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result rc = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

enum MHD_Result
mn_api_send_json(struct MHD_Connection *c, unsigned status, json_t *j) {
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!text)
        abort(); /* jansson fails only when out of memory */
    return mn_api_send_text(c, status, "application/json", text);
}

enum MHD_Result
mn_api_send_error(struct MHD_Connection *c, unsigned status, const char *code,
                  const char *field, const char *message) {
    json_t *e = json_pack("{s:s, s:s}", "code", code, "message", message);
    if (field && field[0])
        json_object_set_new(e, "field", json_string(field));
    return mn_api_send_json(c, status, json_pack("{s:o}", "error", e));
}

enum MHD_Result
mn_api_send_problem(struct MHD_Connection *c, const mn_problem *p) {
    unsigned status = strcmp(p->code, "internal") == 0 ? 500 : 400;
    return mn_api_send_error(c, status, p->code, p->field, p->message);
}

/* The error object for a node or store error; OUT: *status. */
json_t *
mn_api_failure_json(int err, unsigned *status) {
    const char *code = "internal", *msg = mn_strerror(err);
    *status = 500;
    switch (err) {
    case MN_ENOTFOUND:
        *status = 404, code = "not_found", msg = "no such participant";
        break;
    case MN_EFULL:
        *status = 507, code = "storage_full";
        msg = "the node's storage is full; nothing was written (reads still "
              "work)";
        break;
    case MN_EAUTH:
        *status = 409, code = "conflict";
        msg = "personal details of a participant are changed only on her "
              "home division's node";
        break;
    case MN_ESHUTDOWN:
    case MN_EAGAIN: *status = 503, code = "unavailable"; break;
    default: mn_error("http: request failed: %s", mn_strerror(err)); break;
    }
    return json_pack("{s:s, s:s}", "code", code, "message", msg);
}

enum MHD_Result
mn_api_send_failure(struct MHD_Connection *c, int err) {
    unsigned status;
    json_t *e = mn_api_failure_json(err, &status);
    return mn_api_send_json(c, status, json_pack("{s:o}", "error", e));
}

/* ---- requests --------------------------------------------------------- */

static bool
content_type_ok(struct MHD_Connection *c, const char *want) {
    const char *got =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    size_t n = strlen(want);
    return got && strncasecmp(got, want, n) == 0 &&
           (got[n] == '\0' || got[n] == ';');
}

/* Checks made before any body byte is read; *answered: a reply is queued. */
static enum MHD_Result
precheck(mn_http *h, struct MHD_Connection *c, const mn_api_route *rt,
         bool *answered) {
    *answered = true;
    const char *auth =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!rt->public && !mn_auth_check(h->admin_hash, auth))
        return mn_api_send_error(c, 401, "unauthorized", NULL,
                                 "send Authorization: Bearer <token>");
    if (rt->body_cap && !content_type_ok(c, rt->content_type)) {
        char msg[128];
        snprintf(msg, sizeof msg, "send Content-Type: %s", rt->content_type);
        return mn_api_send_error(c, 415, "unsupported_media_type", NULL, msg);
    }
    const char *len =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (len && strtoull(len, NULL, 10) > rt->body_cap)
        return mn_api_send_error(c, 413, "too_large", NULL,
                                 rt->body_cap ? "the body is over the limit"
                                              : "this request takes no body");
    *answered = false;
    return MHD_YES;
}

static enum MHD_Result
first_call(mn_http *h, struct MHD_Connection *c, const char *method,
           const char *url, void **con_cls) {
    const char *id = NULL;
    bool path_known, answered;
    const mn_api_route *rt = mn_api_route_find(method, url, &id, &path_known);
    if (!rt)
        return path_known
                   ? mn_api_send_error(c, 405, "method_not_allowed", NULL,
                                       "this path does not take that method")
                   : mn_api_send_error(c, 404, "not_found", NULL,
                                       "no such path");
    enum MHD_Result rc = precheck(h, c, rt, &answered);
    if (answered)
        return rc;
    mn_api_request *r = mn_calloc(1, sizeof *r);
    mn_buf_init(&r->body);
    r->cap = rt->body_cap;
    *con_cls = r;
    return MHD_YES;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
           const char *method, const char *version, const char *upload_data,
           size_t *upload_size, void **con_cls) {
    mn_http *h = cls;
    mn_api_request *r = *con_cls;
    (void)version;
    if (!r)
        return first_call(h, c, method, url, con_cls);
    if (*upload_size) {
        if (r->body.len + *upload_size > r->cap)
            r->too_big = true;
        else
            mn_buf_append(&r->body, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->too_big)
        return mn_api_send_error(c, 413, "too_large", NULL,
                                 "the body is over the limit");
    const char *id = NULL;
    bool known;
    const mn_api_route *rt = mn_api_route_find(method, url, &id, &known);
    return rt->fn(h, c, id, r);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe) {
    mn_api_request *r = *con_cls;
    (void)cls, (void)c, (void)toe;
    if (!r)
        return;
    mn_buf_release(&r->body);
    free(r);
    *con_cls = NULL;
}

/* ---- lifecycle -------------------------------------------------------- */

static int
make_addr(const char *listen, struct sockaddr_storage *ss, unsigned *flags) {
    char host[64];
    uint16_t port;
    if (mn_config_split_addr(listen, host, sizeof host, &port) != MN_OK)
        return MN_EINVAL;
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        return MN_OK;
    }
    size_t n = strlen(host);
    if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
        host[n - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, &v6->sin6_addr) == 1) {
            v6->sin6_family = AF_INET6;
            v6->sin6_port = htons(port);
            *flags |= MHD_USE_IPv6;
            return MN_OK;
        }
    }
    return MN_EINVAL;
}

/* Ensure the admin token exists before the first request can ask. */
static int
load_token(mn_http *h, char *err, size_t errlen) {
    const char *dir = mn_node_config(h->node)->data_dir;
    int rc = mn_auth_open(mn_node_store(h->node), dir, h->admin_hash);
    if (rc != MN_OK)
        snprintf(err, errlen, "%s/admin.token: %s", dir, mn_strerror(rc));
    return rc;
}

static int
listen_on(mn_http *h, char *err, size_t errlen) {
    const char *listen = mn_node_config(h->node)->self.http_listen;
    struct sockaddr_storage ss;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    if (make_addr(listen, &ss, &flags) != MN_OK) {
        snprintf(err, errlen, "[http] listen %s: use an IP address and port",
                 listen);
        return MN_ECONFIG;
    }
    h->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, &ss,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
        MHD_OPTION_END);
    if (!h->daemon) {
        snprintf(err, errlen, "[http] listen %s: cannot listen (in use?)",
                 listen);
        return MN_EIO;
    }
    return MN_OK;
}

int
mn_http_start(mn_node *node, mn_replicator *repl, mn_http **out, char *err,
              size_t errlen) {
    mn_http *h = mn_calloc(1, sizeof *h);
    h->node = node;
    h->repl = repl;
    int rc = load_token(h, err, errlen);
    if (rc == MN_OK)
        rc = listen_on(h, err, errlen);
    if (rc != MN_OK) {
        free(h);
        return rc;
    }
    *out = h;
    return MN_OK;
}

void
mn_http_destroy(mn_http **self_p) {
    mn_http *h = *self_p;
    if (!h)
        return;
    MHD_stop_daemon(h->daemon);
    free(h);
    *self_p = NULL;
}
