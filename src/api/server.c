/*
 * server — see http.h: the libmicrohttpd plumbing, the limits on
 * connections, the buffering of request bodies, the workers, and the
 * replies every resource sends (resource.h).
 *
 * libmicrohttpd polls every connection with epoll on POLL_THREADS threads;
 * no thread belongs to a connection, so slow clients hold memory, not
 * threads. A request goes through on_request several times (its model):
 * the first call counts the connection against the limits, checks auth,
 * the route, the query, the headers and the declared length, and may
 * answer at once; later calls append body bytes up to the route's cap; the
 * last call runs a quick route's handler at once and hands any other to a
 * worker (the connection is suspended until the worker has queued its
 * answer). So no handler runs before its whole body is here and under the
 * cap, and no write or scan ever holds a poll thread.
 *
 * Invariants: every answer the API makes is JSON in the error shape; a
 * request refused before its body was read closes its connection, so an
 * unread body is never taken for a next request.
 */
#include "api/http.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#include "api/audit.h"
#include "api/auth.h"
#include "api/resource.h"
#include "api/tokens.h"
#include "base/id.h"
#include "base/log.h"

/* Limits (README "HTTP API"). libmicrohttpd itself closes, without an
 * answer, a connection over MHD_LIMIT in all or over MHD_PER_ADDR from one
 * address: it refuses them when it accepts them, before any byte is read.
 * Below those, a connection that opens while OPEN_LIMIT are open in all,
 * or OPEN_PER_ADDR from its address, has its request answered 503
 * overloaded and is closed. */
/* Poll threads: with 2 (on 2 cores), durable creates from 64 clients fell
 * from ~13,000 to ~10,000 changes/s (tests/bench/run); with 4 they are
 * where a thread per connection had them. */
#define POLL_THREADS 4
#define MHD_LIMIT 4096
#define MHD_PER_ADDR 1024
#define OPEN_LIMIT 2048
#define OPEN_PER_ADDR 256
/* libmicrohttpd 0.9.75 has no deadline for the request head, only an idle
 * timeout (reset by every byte): a connection that sends nothing for this
 * long, while its head or body arrives or between requests, is closed. */
#define IDLE_TIMEOUT_S 5
/* Descriptors kept for the store, the replicator and the logs. */
#define FD_RESERVE 256

/* Error answers by status, 400..599, for /metrics. */
static atomic_uint_fast64_t errors_sent[200];
/* The status of the answer this thread queued last: a handler answers on
 * the thread that runs it, so after it returns this is its status, for
 * the audit log (0: it queued its own response, as backup does). */
static _Thread_local unsigned last_status;

/* ---- replies ---------------------------------------------------------- */

void
mn_api_add_security_headers(struct MHD_Response *resp) {
    MHD_add_response_header(resp, "Content-Security-Policy", MN_API_CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
}

/* Queue text; close: the connection closes after it. */
static enum MHD_Result
send_text(struct MHD_Connection *c, unsigned status, const char *type,
          char *text, bool close) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    mn_api_add_security_headers(resp);
    if (close)
        MHD_add_response_header(resp, "Connection", "close");
    if (status >= 400 && status < 600)
        atomic_fetch_add(&errors_sent[status - 400], 1);
    last_status = status;
    enum MHD_Result rc = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

enum MHD_Result
mn_api_send_text(struct MHD_Connection *c, unsigned status, const char *type,
                 char *text) {
    return send_text(c, status, type, text, false);
}

uint64_t
mn_api_errors_sent(unsigned status) {
    if (status < 400 || status >= 600)
        return 0;
    return atomic_load(&errors_sent[status - 400]);
}

enum MHD_Result
mn_api_send_json(struct MHD_Connection *c, unsigned status, json_t *j) {
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!text)
        abort(); /* jansson fails only when out of memory */
    return mn_api_send_text(c, status, "application/json", text);
}

static char *
error_text(const char *code, const char *field, const char *message) {
    json_t *e = json_pack("{s:s, s:s}", "code", code, "message", message);
    if (field && field[0])
        json_object_set_new(e, "field", json_string(field));
    json_t *j = json_pack("{s:o}", "error", e);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!text)
        abort(); /* jansson fails only when out of memory */
    return text;
}

enum MHD_Result
mn_api_send_error(struct MHD_Connection *c, unsigned status, const char *code,
                  const char *field, const char *message) {
    return send_text(c, status, "application/json",
                     error_text(code, field, message), false);
}

/* An error answered before the body is read: the connection closes. */
static enum MHD_Result
refuse(struct MHD_Connection *c, unsigned status, const char *code,
       const char *field, const char *message) {
    return send_text(c, status, "application/json",
                     error_text(code, field, message), true);
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
        *status = 403, code = "not_home";
        msg = "personal details of a participant are changed only on her "
              "home division's node";
        break;
    case MN_ECONFLICT:
        *status = 409, code = "conflict";
        msg = "the write conflicts with the current state: a mentor's "
              "capacity below the partnerships she holds";
        break;
    case MN_EERASED:
        *status = 409, code = "already_erased";
        msg = "she has been erased (or the record names a participant who "
              "has): only her stub remains, and it takes no write";
        break;
    case MN_ESHUTDOWN: *status = 503, code = "unavailable"; break;
    case MN_EAGAIN:
        *status = 503, code = "unavailable";
        msg = "local writes are held on this node; GET /v1/replication "
              "says why";
        break;
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

/* ---- connections ----------------------------------------------------- */

/* The bucket of a client address (its IP, not its port). */
static unsigned
addr_bucket(const struct sockaddr *sa) {
    const unsigned char *p = NULL;
    size_t n = 0;
    if (sa && sa->sa_family == AF_INET)
        p = (const void *)&((const struct sockaddr_in *)sa)->sin_addr, n = 4;
    else if (sa && sa->sa_family == AF_INET6)
        p = (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr, n = 16;
    uint32_t x = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        x = (x ^ p[i]) * 16777619u;
    return x % MN_API_ADDR_BUCKETS;
}

/* What a connection's socket context keeps: its bucket + 1, and whether
 * it was over a limit when it opened. */
#define OVER_LIMIT ((uintptr_t)1 << 20)

/* Counts open connections, and marks one that opens over a limit: the
 * connections already open keep their place, the late ones are refused. */
static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
              enum MHD_ConnectionNotificationCode code) {
    mn_http *h = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        unsigned b = addr_bucket(ci ? ci->client_addr : NULL);
        unsigned all = atomic_fetch_add(&h->open, 1) + 1;
        unsigned mine = atomic_fetch_add(&h->open_by_addr[b], 1) + 1;
        bool over = all > OPEN_LIMIT || mine > OPEN_PER_ADDR;
        *socket_context = (void *)((b + 1) | (over ? OVER_LIMIT : 0));
    } else if (*socket_context) {
        uintptr_t b = ((uintptr_t)*socket_context & (OVER_LIMIT - 1)) - 1;
        atomic_fetch_sub(&h->open, 1);
        atomic_fetch_sub(&h->open_by_addr[b], 1);
        *socket_context = NULL;
    }
}

/* Did this connection open over the API's own limits? */
static bool
overloaded(struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci && ((uintptr_t)ci->socket_context & OVER_LIMIT);
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

static enum MHD_Result
count_length(void *cls, enum MHD_ValueKind kind, const char *key,
             const char *value) {
    (void)kind, (void)value;
    *(int *)cls += strcasecmp(key, "Content-Length") == 0;
    return MHD_YES;
}

/* One body length at most: two Content-Length headers, or one with
 * Transfer-Encoding, let a proxy and this server read different bodies. */
static bool
framing_ok(struct MHD_Connection *c) {
    int n = 0;
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_length, &n);
    return n == 0 || (n == 1 && !MHD_lookup_connection_value(
                                    c, MHD_HEADER_KIND, "Transfer-Encoding"));
}

/* Does the request say it carries a body? (An action such as
 * .../reserve is sent without one, and needs no Content-Type.) */
static bool
has_body(struct MHD_Connection *c) {
    const char *len =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                       "Transfer-Encoding") ||
           (len && strtoull(len, NULL, 10) > 0);
}

/* Checks made before any body byte is read; *answered: a reply is queued. */
static enum MHD_Result
precheck(struct MHD_Connection *c, const mn_api_route *rt, bool *answered) {
    mn_problem p;
    *answered = true;
    if (mn_api_check_query(c, rt, &p) != MN_OK)
        return refuse(c, 400, p.code, p.field, p.message);
    if (!framing_ok(c))
        return refuse(c, 400, "bad_request", NULL,
                      "send one Content-Length, or Transfer-Encoding alone");
    if (rt->body_cap && has_body(c) && !content_type_ok(c, rt->content_type)) {
        char msg[128];
        snprintf(msg, sizeof msg, "send Content-Type: %s", rt->content_type);
        return refuse(c, 415, "unsupported_media_type", NULL, msg);
    }
    const char *len =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (len && strtoull(len, NULL, 10) > rt->body_cap)
        return refuse(c, 413, "too_large", NULL,
                      rt->body_cap ? "the body is over the limit"
                                   : "this request takes no body");
    *answered = false;
    return MHD_YES;
}

static void audit_request(mn_http *h, const mn_api_request *r, unsigned status);

/* Does rt write (any method but GET, unless marked read-only)? */
static bool
writes(const mn_api_route *rt) {
    return strcmp(rt->method, "GET") != 0 && !(rt->roles & MN_API_READ_ONLY);
}

/* Why who may not call rt on this node, or NULL when she may. A
 * coordinator writes only on her own division's node: a write here is
 * stamped with this node's division, and the node's ownership rules act
 * for it. */
static const char *
role_refusal(mn_http *h, const mn_api_route *rt, const mn_api_caller *who) {
    if (!(rt->roles & MN_API_ROLE(who->role)))
        return who->role == MN_API_NATIONAL
                   ? "a national token reads statistics only"
                   : "this token's role may not do this";
    if (who->role == MN_API_COORDINATOR && writes(rt) &&
        who->division != mn_node_config(h->node)->self.id)
        return "a coordinator writes only on her own division's node";
    return NULL;
}

/* May who call rt? Answers 403 itself when not (then returns false), and
 * a write so refused goes to the audit log too. */
static bool
role_allows(mn_http *h, struct MHD_Connection *c, const mn_api_route *rt,
            const char *id, const mn_api_caller *who, enum MHD_Result *rc) {
    const char *why = role_refusal(h, rt, who);
    if (!why)
        return true;
    mn_api_request r = {.rt = rt, .who = *who};
    snprintf(r.id, sizeof r.id, "%s", id);
    audit_request(h, &r, 403);
    *rc = refuse(c, 403, "forbidden", NULL, why);
    return false;
}

/* The route, after the limits, the token and the role; NULL when
 * answered. OUT: who the token is (all zero on a public path). */
static const mn_api_route *
route_of(mn_http *h, struct MHD_Connection *c, const char *method,
         const char *url, char id[MN_API_SEG_MAX + 1], mn_api_caller *who,
         enum MHD_Result *rc) {
    bool path_known, public = mn_api_path_public(url);
    const char *auth =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    const mn_api_route *rt = NULL;
    memset(who, 0, sizeof *who);
    if (overloaded(c))
        *rc = refuse(c, 503, "overloaded", NULL,
                     "too many connections; try again shortly");
    else if (!public && !mn_tokens_identify(h->tokens, auth, who))
        *rc = refuse(c, 401, "unauthorized", NULL,
                     "send Authorization: Bearer <token>");
    else if (!(rt = mn_api_route_find(method, url, id, &path_known)))
        *rc = path_known ? refuse(c, 405, "method_not_allowed", NULL,
                                  "this path does not take that method")
                         : refuse(c, 404, "not_found", NULL, "no such path");
    else if (!public && !role_allows(h, c, rt, id, who, rc))
        rt = NULL;
    if (public)
        memset(who, 0, sizeof *who);
    return rt;
}

static enum MHD_Result
first_call(mn_http *h, struct MHD_Connection *c, const char *method,
           const char *url, void **con_cls) {
    char id[MN_API_SEG_MAX + 1];
    bool answered;
    mn_api_caller who;
    enum MHD_Result rc = MHD_YES;
    const mn_api_route *rt = route_of(h, c, method, url, id, &who, &rc);
    if (!rt)
        return rc;
    rc = precheck(c, rt, &answered);
    if (answered)
        return rc;
    mn_api_request *r = mn_calloc(1, sizeof *r);
    mn_buf_init(&r->body);
    r->cap = rt->body_cap;
    r->rt = rt;
    r->who = who;
    memcpy(r->id, id, sizeof r->id);
    r->c = c;
    *con_cls = r;
    return MHD_YES;
}

/* ---- the audit log ---------------------------------------------------- */

/* The kind whose resource rt's path names (/v1/<plural>...), or NULL. */
static const mn_kind *
kind_of(const mn_api_route *rt) {
    static const char v1[] = "/v1/";
    if (strncmp(rt->path, v1, sizeof v1 - 1) != 0)
        return NULL;
    const char *z = rt->path + sizeof v1 - 1;
    size_t n = strcspn(z, "/");
    for (size_t i = 0; i < mn_kind_count(); i++) {
        const mn_kind *k = mn_kind_at(i);
        if (strlen(k->plural) == n && strncmp(k->plural, z, n) == 0)
            return k;
    }
    return NULL;
}

/* A write's entry: the entity it answered, else the path's. */
static void
add_write(mn_buf *b, uint64_t now, const mn_api_request *r,
          const mn_audit_entry *base) {
    char hex[MN_ID_TEXT];
    uint8_t raw[MN_ID_BYTES];
    mn_audit_entry e = *base;
    const mn_kind *k = NULL;
    if (!r->subject_kind && mn_api_parse_id(r->id, raw) == MN_OK &&
        (k = kind_of(r->rt)))
        mn_id_format(raw, hex);
    e.write = true;
    e.kind = r->subject_kind ? r->subject_kind : k ? k->name : NULL;
    e.id = r->subject_kind ? r->subject_id : k ? hex : NULL;
    e.classes = 0;
    mn_audit_format(b, now, &e);
}

/* Record r, answered with status: a write (whatever its answer, a refusal
 * for the token's role included), and each entity whose personal or
 * special fields it showed; its lines go to the log together. */
static void
audit_request(mn_http *h, const mn_api_request *r, unsigned status) {
    char endpoint[128], hex[MN_ID_TEXT];
    bool write = writes(r->rt);
    if (r->rt->public || (!write && r->nseen == 0))
        return;
    uint64_t now = mn_wall_ms();
    mn_buf b;
    mn_audit_entry e = {
        .who = &r->who, .endpoint = endpoint, .status = status ? status : 200};
    mn_api_route_endpoint(r->rt, endpoint, sizeof endpoint);
    mn_buf_init(&b);
    if (write)
        add_write(&b, now, r, &e);
    for (size_t i = 0; i < r->nseen; i++) {
        const mn_api_seen *s = &r->seen[i];
        mn_id_format(s->id, hex);
        e.write = false;
        e.kind = s->kind ? s->kind->name : NULL;
        e.id = s->kind ? hex : NULL;
        e.classes = s->classes;
        mn_audit_format(&b, now, &e);
    }
    mn_audit_write(h->audit, now, b.p, b.len);
    mn_buf_release(&b);
}

/* Run r's handler, then record it in the audit log. */
static enum MHD_Result
handle(mn_http *h, mn_api_request *r) {
    last_status = 0;
    enum MHD_Result rc = r->rt->fn(h, r->c, r->id, r);
    audit_request(h, r, last_status);
    return rc;
}

/* ---- workers ---------------------------------------------------------- */

/* Run r's handler, which queues its answer on the suspended connection,
 * then resume it. r is freed once it completes: not touched after. */
static void
run(mn_http *h, mn_api_request *r) {
    struct MHD_Connection *c = r->c;
    handle(h, r);
    MHD_resume_connection(c);
}

static void *
worker_main(void *arg) {
    mn_http *h = arg;
    pthread_mutex_lock(&h->lock);
    for (;;) {
        while (!h->head && !h->stopping)
            pthread_cond_wait(&h->wake, &h->lock);
        mn_api_request *r = h->head;
        if (!r)
            break;
        h->head = r->next;
        if (!h->head)
            h->tail = NULL;
        pthread_mutex_unlock(&h->lock);
        run(h, r);
        pthread_mutex_lock(&h->lock);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

/* Suspend r's connection and queue r for a worker. */
static enum MHD_Result
dispatch(mn_http *h, mn_api_request *r) {
    pthread_mutex_lock(&h->lock);
    bool stopping = h->stopping;
    if (!stopping) {
        r->dispatched = true;
        MHD_suspend_connection(r->c);
        r->next = NULL;
        if (h->tail)
            h->tail->next = r;
        else
            h->head = r;
        h->tail = r;
        pthread_cond_signal(&h->wake);
    }
    pthread_mutex_unlock(&h->lock);
    if (stopping)
        return mn_api_send_failure(r->c, MN_ESHUTDOWN);
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
    if (r->dispatched)
        return MHD_NO; /* resumed, yet the worker queued no answer: close */
    if (r->too_big)
        return mn_api_send_error(c, 413, "too_large", NULL,
                                 "the body is over the limit");
    if (r->rt->quick)
        return handle(h, r);
    return dispatch(h, r);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe) {
    mn_api_request *r = *con_cls;
    (void)cls, (void)c, (void)toe;
    if (!r)
        return;
    mn_buf_release(&r->body);
    free(r->seen);
    free(r);
    *con_cls = NULL;
}

/* Decode %xx in a path or a query value, except %00: a NUL would cut the
 * string short ("<id>%00junk" read as "<id>"), so such a string is left
 * as it came and matches no path, id or value. */
static size_t
unescape(void *cls, struct MHD_Connection *c, char *s) {
    (void)cls, (void)c;
    if (strstr(s, "%00"))
        return strlen(s);
    return MHD_http_unescape(s);
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

/* Ensure the admin token exists, load the other tokens and open the
 * audit log before the first request can ask. */
static int
load_token(mn_http *h, char *err, size_t errlen) {
    const mn_config *cfg = mn_node_config(h->node);
    int rc = mn_auth_open(mn_node_store(h->node), cfg->data_dir, h->admin_hash);
    if (rc != MN_OK) {
        snprintf(err, errlen, "%s/admin.token: %s", cfg->data_dir,
                 mn_strerror(rc));
        return rc;
    }
    rc = mn_tokens_new(mn_node_store(h->node), h->admin_hash, &h->tokens);
    if (rc != MN_OK) {
        snprintf(err, errlen, "%s: cannot read the tokens: %s", cfg->data_dir,
                 mn_strerror(rc));
        return rc;
    }
    rc = mn_audit_open(cfg->data_dir, cfg->audit_retention_days, &h->audit);
    if (rc != MN_OK) {
        snprintf(err, errlen, "%s/audit: cannot open the audit log: %s",
                 cfg->data_dir, mn_strerror(rc));
        mn_tokens_destroy(&h->tokens);
    }
    return rc;
}

static void
unload_tokens(mn_http *h) {
    mn_audit_close(&h->audit);
    mn_tokens_destroy(&h->tokens);
}

/* libmicrohttpd's limit on connections: MHD_LIMIT, or fewer when the
 * process may not open that many descriptors. */
static unsigned
mhd_limit(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur >= MHD_LIMIT + FD_RESERVE)
        return MHD_LIMIT;
    return rl.rlim_cur > 2 * FD_RESERVE ? (unsigned)rl.rlim_cur - FD_RESERVE
                                        : FD_RESERVE;
}

static int
listen_on(mn_http *h, char *err, size_t errlen) {
    const char *listen = mn_node_config(h->node)->self.http_listen;
    struct sockaddr_storage ss;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_ALLOW_SUSPEND_RESUME;
    if (make_addr(listen, &ss, &flags) != MN_OK) {
        snprintf(err, errlen, "[http] listen %s: use an IP address and port",
                 listen);
        return MN_ECONFIG;
    }
    h->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, &ss,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, h, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)POLL_THREADS, MHD_OPTION_CONNECTION_LIMIT, mhd_limit(),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)MHD_PER_ADDR,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
        MHD_OPTION_END);
    if (!h->daemon) {
        snprintf(err, errlen, "[http] listen %s: cannot listen (in use?)",
                 listen);
        return MN_EIO;
    }
    return MN_OK;
}

static void
start_workers(mn_http *h) {
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->wake, NULL);
    for (size_t i = 0; i < MN_API_WORKERS; i++)
        if (pthread_create(&h->workers[i], NULL, worker_main, h) == 0)
            h->nworkers++;
    if (!h->nworkers)
        abort(); /* no thread at all: the process cannot serve */
}

/* Let the workers finish what is queued, then end them. */
static void
stop_workers(mn_http *h) {
    pthread_mutex_lock(&h->lock);
    h->stopping = true;
    pthread_cond_broadcast(&h->wake);
    pthread_mutex_unlock(&h->lock);
    for (size_t i = 0; i < h->nworkers; i++)
        pthread_join(h->workers[i], NULL);
    pthread_cond_destroy(&h->wake);
    pthread_mutex_destroy(&h->lock);
}

int
mn_http_start(mn_node *node, mn_replicator *repl, mn_http **out, char *err,
              size_t errlen) {
    mn_http *h = mn_calloc(1, sizeof *h);
    h->node = node;
    h->repl = repl;
    int rc = load_token(h, err, errlen);
    if (rc != MN_OK) {
        free(h);
        return rc;
    }
    start_workers(h);
    rc = listen_on(h, err, errlen);
    if (rc != MN_OK) {
        stop_workers(h);
        unload_tokens(h);
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
    /* Workers first: a request they hold has a suspended connection that
     * the daemon's stop would close under them. */
    MHD_socket fd = MHD_quiesce_daemon(h->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    stop_workers(h);
    MHD_stop_daemon(h->daemon);
    unload_tokens(h);
    free(h);
    *self_p = NULL;
}
