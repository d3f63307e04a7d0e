/*
 * http — see http.h.
 *
 * A request goes through on_request several times (libmicrohttpd's model):
 * the first call checks the route, auth, content type and declared length
 * and may answer at once; later calls append body bytes up to the route's
 * cap; the last call dispatches to a handler. Handlers answer with
 * send_json or send_error and never write before validating all input.
 */
#include "api/http.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <pthread.h>
#include <stdatomic.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/auth.h"
#include "base/hlc.h"
#include "base/log.h"
#include "state/participant.h"
#include "state/state.h"
#include "state/stats.h"

#define LIST_DEFAULT 50
#define LIST_MAX 500
#define MAX_CONNECTIONS 512
#define CONNECTION_TIMEOUT_S 60

struct mn_http {
    struct MHD_Daemon *daemon;
    mn_node *node;
    mn_replicator *repl;
};

struct request {
    mn_buf body;
    size_t cap;
    bool too_big;
};

typedef enum MHD_Result (*handler_fn)(mn_http *h, struct MHD_Connection *c,
                                      const char *id, struct request *r);

/* ---- responses -------------------------------------------------------- */

static enum MHD_Result
send_text(struct MHD_Connection *c, unsigned status, const char *type,
          char *text) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result rc = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

/* Send j (reference stolen) with status. */
static enum MHD_Result
send_json(struct MHD_Connection *c, unsigned status, json_t *j) {
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!text)
        abort(); /* jansson fails only when out of memory */
    return send_text(c, status, "application/json", text);
}

static enum MHD_Result
send_error(struct MHD_Connection *c, unsigned status, const char *code,
           const char *field, const char *message) {
    json_t *e = json_pack("{s:s, s:s}", "code", code, "message", message);
    if (field && field[0])
        json_object_set_new(e, "field", json_string(field));
    return send_json(c, status, json_pack("{s:o}", "error", e));
}

static enum MHD_Result
send_problem(struct MHD_Connection *c, const mn_problem *p) {
    unsigned status = strcmp(p->code, "internal") == 0 ? 500 : 400;
    return send_error(c, status, p->code, p->field, p->message);
}

/* Map a node or store error to the API's answer. */
static enum MHD_Result
send_failure(struct MHD_Connection *c, int err) {
    switch (err) {
    case MN_ENOTFOUND:
        return send_error(c, 404, "not_found", NULL, "no such participant");
    case MN_EFULL:
        return send_error(c, 507, "storage_full", NULL,
                          "the node's storage is full; nothing was written "
                          "(reads still work)");
    case MN_EAUTH:
        return send_error(c, 409, "conflict", NULL,
                          "personal details of a participant are changed "
                          "only on her home division's node");
    case MN_ESHUTDOWN:
    case MN_EAGAIN:
        return send_error(c, 503, "unavailable", NULL, mn_strerror(err));
    default:
        mn_error("http: request failed: %s", mn_strerror(err));
        return send_error(c, 500, "internal", NULL, mn_strerror(err));
    }
}

/* ---- helpers ---------------------------------------------------------- */

static int
parse_id(const char *z, uint8_t id[MN_ID_BYTES]) {
    return z ? mn_hex_decode(z, strlen(z), id, MN_ID_BYTES) : MN_EINVAL;
}

static int
read_begin(mn_http *h, mn_txn **t) {
    return mn_store_begin(mn_node_store(h->node), false, t);
}

/* Load the participant by id and answer it with status. */
static enum MHD_Result
answer_participant(mn_http *h, struct MHD_Connection *c,
                   const uint8_t id[MN_ID_BYTES], unsigned status) {
    mn_txn *t;
    mn_entity e;
    int rc = read_begin(h, &t);
    if (rc != MN_OK)
        return send_failure(c, rc);
    rc = mn_state_get(t, MN_ENTITY_PARTICIPANT, id, &e);
    mn_txn_abort(&t);
    if (rc != MN_OK)
        return send_failure(c, rc);
    json_t *j = mn_participant_json(&e, mn_node_config(h->node));
    mn_entity_release(&e);
    return send_json(c, status, j);
}

static enum MHD_Result
parse_body(struct MHD_Connection *c, const struct request *r, json_t **out) {
    json_error_t jerr;
    *out = json_loadb((const char *)r->body.p, r->body.len,
                      JSON_REJECT_DUPLICATES, &jerr);
    if (*out)
        return MHD_YES;
    char msg[256];
    snprintf(msg, sizeof msg, "the body is not valid JSON: %s (line %d)",
             jerr.text, jerr.line);
    return send_error(c, 400, "bad_json", NULL, msg);
}

/* ---- handlers --------------------------------------------------------- */

static enum MHD_Result
handle_health(mn_http *h, struct MHD_Connection *c, const char *id,
              struct request *r) {
    (void)id, (void)r;
    return send_json(c, 200,
                     json_pack("{s:s, s:s}", "status", "ok", "division",
                               mn_node_config(h->node)->self.name));
}

static enum MHD_Result
handle_create(mn_http *h, struct MHD_Connection *c, const char *id,
              struct request *r) {
    json_t *body;
    mn_problem p;
    mn_write w = {.type = MN_ENTITY_PARTICIPANT, .create = true};
    (void)id;
    if (parse_body(c, r, &body) != MHD_YES || !body)
        return MHD_YES;
    mn_ops_init(&w.ops);
    int rc = mn_participant_parse(body, NULL, mn_node_config(h->node)->self.id,
                                  &w.ops, &p);
    json_decref(body);
    if (rc != MN_OK)
        return send_problem(c, &p);
    rc = mn_node_write(h->node, &w, 1);
    mn_ops_release(&w.ops);
    if (rc == MN_OK)
        rc = w.result;
    return rc == MN_OK ? answer_participant(h, c, w.id, 201)
                       : send_failure(c, rc);
}

static enum MHD_Result
handle_get(mn_http *h, struct MHD_Connection *c, const char *id,
           struct request *r) {
    uint8_t raw[MN_ID_BYTES];
    (void)r;
    if (parse_id(id, raw) != MN_OK)
        return send_error(c, 404, "not_found", NULL, "no such participant");
    return answer_participant(h, c, raw, 200);
}

/* Validate a patch against the current participant into w->ops. */
static int
prepare_patch(mn_http *h, const json_t *body, mn_write *w, mn_problem *p) {
    mn_txn *t;
    mn_entity current;
    int rc = read_begin(h, &t);
    if (rc != MN_OK)
        return rc;
    rc = mn_state_get(t, MN_ENTITY_PARTICIPANT, w->id, &current);
    mn_txn_abort(&t);
    if (rc != MN_OK)
        return rc;

    rc = mn_participant_parse(body, &current, 0, &w->ops, p);
    mn_entity_release(&current);
    return rc;
}

static enum MHD_Result
handle_patch(mn_http *h, struct MHD_Connection *c, const char *id,
             struct request *r) {
    json_t *body;
    mn_problem p = {0};
    mn_write w = {.type = MN_ENTITY_PARTICIPANT};
    if (parse_id(id, w.id) != MN_OK)
        return send_error(c, 404, "not_found", NULL, "no such participant");
    if (parse_body(c, r, &body) != MHD_YES || !body)
        return MHD_YES;
    mn_ops_init(&w.ops);
    int rc = prepare_patch(h, body, &w, &p);
    json_decref(body);
    /* A patch that only repeats stored values writes nothing. */
    if (rc == MN_OK && w.ops.n > 0)
        rc = mn_node_write(h->node, &w, 1);
    mn_ops_release(&w.ops);
    if (rc == MN_OK)
        rc = w.result;
    if (rc == MN_OK)
        return answer_participant(h, c, w.id, 200);
    return p.code ? send_problem(c, &p) : send_failure(c, rc);
}

/* ---- listing ---------------------------------------------------------- */

struct query_check {
    const char *bad; /* first unknown parameter, if any */
};

static enum MHD_Result
check_param(void *cls, enum MHD_ValueKind kind, const char *key,
            const char *value) {
    static const char *const known[] = {"role",  "status", "division", "q",
                                        "limit", "cursor", "verify"};
    struct query_check *qc = cls;
    (void)kind, (void)value;
    for (size_t i = 0; i < MN_ARRAY_LEN(known); i++)
        if (strcmp(known[i], key) == 0)
            return MHD_YES;
    qc->bad = key;
    return MHD_NO;
}

static const char *
arg(struct MHD_Connection *c, const char *key) {
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

static int
parse_limit(const char *z, size_t *out, mn_problem *p) {
    char *end;
    if (!z) {
        *out = LIST_DEFAULT;
        return MN_OK;
    }
    unsigned long v = strtoul(z, &end, 10);
    if (*z < '0' || *z > '9' || *end || v < 1 || v > LIST_MAX)
        return mn_problem_set(p, "bad_query", "limit",
                              "limit: must be from 1 to %d", LIST_MAX);
    *out = v;
    return MN_OK;
}

static int
parse_list_query(mn_http *h, struct MHD_Connection *c, mn_list_query *q,
                 mn_problem *p) {
    const char *role = arg(c, "role"), *status = arg(c, "status");
    const char *div = arg(c, "division"), *cursor = arg(c, "cursor");
    memset(q, 0, sizeof *q);
    q->role = role ? mn_participant_role_index(role) : -1;
    q->status = status ? mn_participant_status_index(status) : -1;
    q->q = arg(c, "q");
    if (role && q->role < 0)
        return mn_problem_set(p, "bad_query", "role",
                              "role: mentor or "
                              "mentee");
    if (status && q->status < 0)
        return mn_problem_set(p, "bad_query", "status", "status: unknown");
    if (div) {
        const mn_division *d =
            mn_config_division_by_name(mn_node_config(h->node), div);
        if (!d)
            return mn_problem_set(p, "bad_query", "division",
                                  "division: no division of that name");
        q->division = d->id;
    }
    if (cursor && parse_id(cursor, q->cursor) != MN_OK)
        return mn_problem_set(p, "bad_query", "cursor",
                              "cursor: use next_cursor from a page");
    q->has_cursor = cursor != NULL;
    if (q->q && strlen(q->q) > 100)
        return mn_problem_set(p, "bad_query", "q", "q: at most 100 bytes");
    return parse_limit(arg(c, "limit"), &q->limit, p);
}

struct list_out {
    json_t *items;
    const mn_config *cfg;
};

static void
list_add(void *user, const mn_entity *e) {
    struct list_out *out = user;
    json_array_append_new(out->items, mn_participant_json(e, out->cfg));
}

static int
check_query(struct MHD_Connection *c, mn_problem *p) {
    struct query_check qc = {NULL};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_param, &qc);
    if (qc.bad)
        return mn_problem_set(p, "bad_query", qc.bad,
                              "%.60s: unknown "
                              "parameter",
                              qc.bad);
    return MN_OK;
}

static enum MHD_Result
handle_list(mn_http *h, struct MHD_Connection *c, const char *id,
            struct request *r) {
    mn_list_query q;
    mn_problem p;
    mn_txn *t;
    bool more;
    uint8_t next[MN_ID_BYTES];
    char hex[2 * MN_ID_BYTES + 1];
    (void)id, (void)r;
    if (check_query(c, &p) != MN_OK || parse_list_query(h, c, &q, &p))
        return send_problem(c, &p);
    struct list_out out = {json_array(), mn_node_config(h->node)};
    int rc = read_begin(h, &t);
    if (rc == MN_OK)
        rc = mn_state_list(t, &q, list_add, &out, &more, next);
    mn_txn_abort(&t);
    if (rc != MN_OK) {
        json_decref(out.items);
        return send_failure(c, rc);
    }
    mn_hex_encode(next, MN_ID_BYTES, hex);
    return send_json(c, 200,
                     json_pack("{s:o, s:o}", "items", out.items, "next_cursor",
                               more ? json_string(hex) : json_null()));
}

/* ---- statistics, digest, metrics ------------------------------------- */

static json_t *
vv_json(const mn_config *cfg, const mn_vv *vv) {
    json_t *o = json_object();
    char name[16];
    for (uint32_t i = 1; i <= MN_MAX_NODES; i++) {
        const mn_division *d = mn_config_division(cfg, i);
        if (!d && !vv->seq[i])
            continue;
        snprintf(name, sizeof name, "%u", i);
        json_object_set_new(o, d ? d->name : name,
                            json_integer((json_int_t)vv->seq[i]));
    }
    return o;
}

/* Add "digest" and "version_vector" as of t to o. */
static int
add_digest(mn_http *h, mn_txn *t, json_t *o) {
    uint8_t digest[MN_HASH_BYTES];
    char hex[2 * MN_HASH_BYTES + 1];
    mn_vv vv;
    int rc = mn_node_digest(t, digest, &vv);
    if (rc != MN_OK)
        return rc;
    mn_hex_encode(digest, MN_HASH_BYTES, hex);
    json_object_set_new(o, "digest", json_string(hex));
    json_object_set_new(o, "version_vector",
                        vv_json(mn_node_config(h->node), &vv));
    return MN_OK;
}

static int
stats_in(mn_http *h, mn_txn *t, bool verify, json_t **out) {
    mn_counts *kept = mn_malloc(sizeof *kept), *again = NULL;
    int rc = mn_stats_load(t, kept);
    if (rc == MN_OK && verify) {
        again = mn_malloc(sizeof *again);
        rc = mn_stats_recount(t, again);
    }
    if (rc == MN_OK) {
        *out = mn_stats_json(kept, mn_node_config(h->node));
        if (verify)
            json_object_set_new(
                *out, "verified",
                json_boolean(memcmp(kept, again, sizeof *kept) == 0));
        rc = add_digest(h, t, *out);
    }
    free(kept);
    free(again);
    return rc;
}

static enum MHD_Result
handle_stats(mn_http *h, struct MHD_Connection *c, const char *id,
             struct request *r) {
    const char *verify = arg(c, "verify");
    mn_problem p;
    mn_txn *t;
    json_t *j = NULL;
    (void)id, (void)r;
    if (check_query(c, &p) != MN_OK)
        return send_problem(c, &p);
    if (verify && strcmp(verify, "true") != 0 && strcmp(verify, "false") != 0)
        return send_error(c, 400, "bad_query", "verify",
                          "verify: true or false");
    int rc = read_begin(h, &t);
    if (rc == MN_OK)
        rc = stats_in(h, t, verify && strcmp(verify, "true") == 0, &j);
    mn_txn_abort(&t);
    if (rc != MN_OK) {
        json_decref(j);
        return send_failure(c, rc);
    }
    return send_json(c, 200, j);
}

static enum MHD_Result
handle_digest(mn_http *h, struct MHD_Connection *c, const char *id,
              struct request *r) {
    mn_txn *t;
    json_t *j = json_object();
    (void)id, (void)r;
    int rc = read_begin(h, &t);
    if (rc == MN_OK)
        rc = add_digest(h, t, j);
    mn_txn_abort(&t);
    if (rc != MN_OK) {
        json_decref(j);
        return send_failure(c, rc);
    }
    return send_json(c, 200, j);
}

/* Append one metric: HELP and TYPE once per name, then the sample. */
static void
metric(mn_buf *out, const char *name, const char *type, const char *help,
       const char *labels, uint64_t value) {
    char line[512];
    int n = 0;
    if (help)
        n = snprintf(line, sizeof line, "# HELP %s %s\n# TYPE %s %s\n", name,
                     help, name, type);
    n += snprintf(line + n, sizeof line - (size_t)n, "%s%s %llu\n", name,
                  labels ? labels : "", (unsigned long long)value);
    mn_buf_append(out, line, (size_t)n);
}

/* One family per metric, every peer's sample in it (the text format asks
 * that a family's samples stand together). */
static void
peer_metrics(mn_http *h, mn_buf *out, const mn_repl_stats *st) {
    static const struct {
        const char *name, *type, *help;
        size_t offset;
    } fams[] = {
        {"mentornet_replication_lag_changes", "gauge",
         "Changes this node has that the peer lacks.",
         offsetof(mn_repl_peer_stats, lag)},
        {"mentornet_changes_applied_total", "counter",
         "Replicated changes applied, by sending peer.",
         offsetof(mn_repl_peer_stats, applied)},
        {"mentornet_changes_duplicate_total", "counter",
         "Replicated changes received again.",
         offsetof(mn_repl_peer_stats, duplicate)},
    };
    const mn_config *cfg = mn_node_config(h->node);
    char l[128];
    for (size_t f = 0; f < MN_ARRAY_LEN(fams); f++)
        for (size_t i = 0; i < st->npeers; i++) {
            const mn_repl_peer_stats *p = &st->peers[i];
            const mn_division *d = mn_config_division(cfg, p->id);
            uint64_t v;
            memcpy(&v, (const char *)p + fams[f].offset, sizeof v);
            snprintf(l, sizeof l, "{peer=\"%s\"}", d ? d->name : "unknown");
            metric(out, fams[f].name, fams[f].type, i ? NULL : fams[f].help, l,
                   v);
        }
    for (size_t i = 0; i < st->npeers; i++) {
        const mn_division *d = mn_config_division(cfg, st->peers[i].id);
        for (int r = 0; r < MN_REJ_COUNT; r++) {
            snprintf(l, sizeof l, "{peer=\"%s\",reason=\"%s\"}",
                     d ? d->name : "unknown",
                     mn_reject_name((enum mn_reject)r));
            metric(out, "mentornet_messages_rejected_total", "counter",
                   i || r ? NULL : "Peer messages refused, by reason.", l,
                   st->peers[i].rejected[r]);
        }
    }
}

static enum MHD_Result
handle_metrics(mn_http *h, struct MHD_Connection *c, const char *id,
               struct request *r) {
    mn_node_counters k;
    mn_repl_stats *st = mn_malloc(sizeof *st);
    mn_store *s = mn_node_store(h->node);
    uint64_t used, map;
    mn_buf out;
    (void)id, (void)r;
    mn_node_get_counters(h->node, &k);
    mn_store_size(s, &used, &map);
    mn_repl_stats_get(mn_replicator_engine(h->repl), st);
    mn_buf_init(&out);
    metric(&out, "mentornet_changes_committed_total", "counter",
           "Changes committed (local and replicated).", NULL, k.changes);
    metric(&out, "mentornet_commits_total", "counter", "Group commits.", NULL,
           k.commits);
    metric(&out, "mentornet_write_errors_total", "counter",
           "Group commits that failed.", NULL, k.write_errors);
    metric(&out, "mentornet_conflicts", "gauge",
           "Concurrent values recorded in the conflict list.", NULL,
           mn_store_entries(s, MN_DB_CONFLICTS));
    metric(&out, "mentornet_handshakes_refused_total", "counter",
           "Replication handshakes refused (unknown key).", NULL,
           mn_replicator_refused(h->repl));
    metric(&out, "mentornet_changes_refused_owner_total", "counter",
           "Replicated changes refused by the ownership rule.", NULL,
           k.refused_owner);
    metric(&out, "mentornet_pending_changes", "gauge",
           "Verified changes waiting for their dependencies.", NULL,
           st->pending);
    metric(&out, "mentornet_lmdb_used_bytes", "gauge",
           "Bytes of the LMDB map in use.", NULL, used);
    metric(&out, "mentornet_lmdb_map_bytes", "gauge", "LMDB map size.", NULL,
           map);
    peer_metrics(h, &out, st);
    free(st);
    mn_buf_append(&out, "", 1);
    return send_text(c, 200, "text/plain; version=0.0.4", (char *)out.p);
}

/* ---- backup ----------------------------------------------------------- */

/* A compact copy into an unlinked file under the data dir, then streamed:
 * a hot backup never blocks writers (LMDB copies a read snapshot). */
static enum MHD_Result
handle_backup(mn_http *h, struct MHD_Connection *c, const char *id,
              struct request *r) {
    char path[PATH_MAX + 32];
    struct stat st;
    (void)id, (void)r;
    snprintf(path, sizeof path, "%s/backup-XXXXXX",
             mn_node_config(h->node)->data_dir);
    int fd = mkstemp(path);
    if (fd < 0)
        return send_failure(c, MN_EIO);
    close(fd);
    unlink(path); /* mn_store_backup creates it afresh */
    int rc = mn_node_backup(h->node, path);
    fd = rc == MN_OK ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    unlink(path); /* the open descriptor keeps the copy until it is sent */
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return send_failure(c, rc == MN_OK ? MN_EIO : rc);
    }
    struct MHD_Response *resp =
        MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    MHD_add_response_header(resp, "Content-Type", "application/octet-stream");
    enum MHD_Result ok = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* ---- replication and conflicts ---------------------------------------- */

static json_t *
division_name_json(const mn_config *cfg, uint32_t id) {
    const mn_division *d = mn_config_division(cfg, id);
    return d ? json_string(d->name) : json_integer(id);
}

static json_t *
time_json(uint64_t ms) {
    char when[32];
    if (!ms)
        return json_null();
    mn_time_format(ms, when);
    return json_string(when);
}

static json_t *
peer_json(const mn_config *cfg, const mn_repl_peer_stats *p) {
    json_t *rejected = json_object();
    for (int i = 0; i < MN_REJ_COUNT; i++)
        json_object_set_new(rejected, mn_reject_name((enum mn_reject)i),
                            json_integer((json_int_t)p->rejected[i]));
    /* Until the peer tells its vector, its lag is unknown, not "all". */
    return json_pack(
        "{s:o, s:b, s:b, s:o, s:o, s:o, s:I, s:I, s:I, s:o}", "division",
        division_name_json(cfg, p->id), "connected", p->connected, "serving",
        p->serving, "last_seen", time_json(p->last_seen_ms), "version_vector",
        p->told ? vv_json(cfg, &p->vv) : json_null(), "lag",
        p->told ? json_integer((json_int_t)p->lag) : json_null(), "received",
        (json_int_t)p->received, "applied", (json_int_t)p->applied, "duplicate",
        (json_int_t)p->duplicate, "rejected", rejected);
}

static enum MHD_Result
handle_replication(mn_http *h, struct MHD_Connection *c, const char *id,
                   struct request *r) {
    const mn_config *cfg = mn_node_config(h->node);
    mn_repl_stats *st = mn_malloc(sizeof *st);
    json_t *peers = json_array();
    (void)id, (void)r;
    mn_repl_stats_get(mn_replicator_engine(h->repl), st);
    for (size_t i = 0; i < st->npeers; i++)
        json_array_append_new(peers, peer_json(cfg, &st->peers[i]));
    json_t *j = json_pack(
        "{s:s, s:b, s:o, s:I, s:I, s:o}", "division", cfg->self.name,
        "writable", st->writable, "version_vector", vv_json(cfg, &st->vv),
        "pending", (json_int_t)st->pending, "refused_handshakes",
        (json_int_t)mn_replicator_refused(h->repl), "peers", peers);
    free(st);
    return send_json(c, 200, j);
}

struct conflicts_out {
    json_t *items;
    const mn_config *cfg;
};

static json_t *
value_of(const mn_value *v) {
    if (v->kind == MN_V_INT)
        return json_integer(v->i);
    if (v->kind == MN_V_STR)
        return json_stringn(v->s, v->len);
    return json_null();
}

static void
conflict_add(void *user, const mn_conflict *k) {
    struct conflicts_out *out = user;
    char hex[2 * MN_ID_BYTES + 1];
    const char *field = mn_participant_field_name(k->field);
    mn_hex_encode(k->id, MN_ID_BYTES, hex);
    json_array_append_new(
        out->items,
        json_pack("{s:s, s:s, s:{s:o, s:o, s:o}, s:{s:o, s:o}}", "id", hex,
                  "field", field ? field : "unknown", "loser", "value",
                  value_of(&k->value), "at", time_json(MN_HLC_MS(k->loser.hlc)),
                  "division", division_name_json(out->cfg, k->loser.origin),
                  "winner", "at", time_json(MN_HLC_MS(k->winner.hlc)),
                  "division", division_name_json(out->cfg, k->winner.origin)));
}

static enum MHD_Result
handle_conflicts(mn_http *h, struct MHD_Connection *c, const char *id,
                 struct request *r) {
    mn_problem p;
    size_t limit = 0; /* set by parse_limit when it returns MN_OK */
    mn_txn *t;
    (void)id, (void)r;
    if (check_query(c, &p) != MN_OK ||
        parse_limit(arg(c, "limit"), &limit, &p) != MN_OK)
        return send_problem(c, &p);
    struct conflicts_out out = {json_array(), mn_node_config(h->node)};
    int rc = read_begin(h, &t);
    if (rc == MN_OK)
        rc = mn_state_conflicts(t, limit, conflict_add, &out);
    mn_txn_abort(&t);
    if (rc != MN_OK) {
        json_decref(out.items);
        return send_failure(c, rc);
    }
    return send_json(c, 200, json_pack("{s:o}", "items", out.items));
}

/* ---- bulk import ------------------------------------------------------ */

/* Parse one NDJSON line into w; on a bad line p names it. */
static int
import_line(mn_http *h, const char *line, size_t n, size_t lineno, mn_write *w,
            mn_problem *p) {
    json_error_t jerr;
    json_t *body = json_loadb(line, n, JSON_REJECT_DUPLICATES, &jerr);
    w->type = MN_ENTITY_PARTICIPANT; /* every field the writer reads */
    w->create = true;
    w->result = MN_OK;
    mn_ops_init(&w->ops);
    if (!body)
        return mn_problem_set(p, "bad_json", "", "line %zu: %s", lineno,
                              jerr.text);
    int rc = mn_participant_parse(body, NULL, mn_node_config(h->node)->self.id,
                                  &w->ops, p);
    json_decref(body);
    if (rc != MN_OK) {
        char msg[sizeof p->message + 32];
        snprintf(msg, sizeof msg, "line %zu: %s", lineno, p->message);
        msg[sizeof p->message - 1] = '\0';
        memcpy(p->message, msg, sizeof p->message);
    }
    return rc;
}

static void
free_writes(mn_write *ws, size_t n) {
    for (size_t i = 0; i < n; i++)
        mn_ops_release(&ws[i].ops);
    free(ws);
}

/* Lines handed to the writer at a time while the rest is still parsed. */
#define IMPORT_CHUNK 512

/* One slice of an import body, parsed on its own thread; its lines go to
 * the node's write stream in chunks as they pass validation. */
struct import_part {
    mn_http *h;
    const char *z, *end;
    size_t first_line; /* number of the slice's first line */
    mn_stream *st;
    atomic_bool *failed; /* shared: a bad line anywhere stops both */
    mn_write **chunks;   /* every chunk pushed (freed after the stream ends) */
    size_t nchunks, n;
    int rc;
    mn_problem p;
};

static void
import_push(struct import_part *pt, mn_write *ws, size_t n) {
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers, rightly */
    pt->chunks = mn_realloc(pt->chunks, (pt->nchunks + 1) * sizeof *pt->chunks);
    pt->chunks[pt->nchunks++] = ws;
    mn_node_stream_push(pt->st, ws, n);
    pt->n += n;
}

/* Parse every line of one slice; stops at the first bad line. */
static void *
import_slice(void *arg) {
    struct import_part *pt = arg;
    size_t lineno = pt->first_line - 1, fill = 0;
    mn_write *chunk = mn_malloc(IMPORT_CHUNK * sizeof *chunk);
    const char *z = pt->z;
    pt->rc = MN_OK;
    while (z < pt->end && pt->rc == MN_OK && !atomic_load(pt->failed)) {
        const char *nl = memchr(z, '\n', (size_t)(pt->end - z));
        const char *stop = nl ? nl : pt->end;
        lineno++;
        if (stop > z && !(stop - z == 1 && *z == '\r')) {
            pt->rc = import_line(pt->h, z, (size_t)(stop - z), lineno,
                                 &chunk[fill++], &pt->p);
            if (fill == IMPORT_CHUNK && pt->rc == MN_OK) {
                import_push(pt, chunk, fill);
                chunk = mn_malloc(IMPORT_CHUNK * sizeof *chunk);
                fill = 0;
            }
        }
        z = stop + 1;
    }
    if (pt->rc != MN_OK)
        atomic_store(pt->failed, true);
    if (fill > 0 && pt->rc == MN_OK)
        import_push(pt, chunk, fill);
    else
        free_writes(chunk, fill);
    return NULL;
}

/* Split at the newline nearest the middle; count the lines before it. */
static const char *
import_split(const char *z, const char *end, size_t *lines_before) {
    const char *mid = z + (end - z) / 2;
    const char *nl = memchr(mid, '\n', (size_t)(end - mid));
    const char *split = nl ? nl + 1 : end;
    *lines_before = 0;
    for (const char *p = z; p < split; p++)
        *lines_before += *p == '\n';
    return split;
}

/*
 * Validate every line of the body, in two halves on two threads, while the
 * writer already applies the lines that passed, all in one transaction;
 * the first bad line refuses the whole body and the transaction is
 * aborted, so nothing is written. OUT: *n lines imported.
 */
static int
import_run(mn_http *h, struct request *r, size_t *n, mn_problem *p) {
    const char *z = r->body.p ? (const char *)r->body.p : "";
    const char *end = z + r->body.len;
    size_t before;
    atomic_bool failed = false;
    mn_stream *st;
    int rc = mn_node_stream_begin(h->node, &st);
    if (rc != MN_OK)
        return rc;
    const char *split = import_split(z, end, &before);
    struct import_part part[2] = {{.h = h,
                                   .z = z,
                                   .end = split,
                                   .first_line = 1,
                                   .st = st,
                                   .failed = &failed},
                                  {.h = h,
                                   .z = split,
                                   .end = end,
                                   .first_line = before + 1,
                                   .st = st,
                                   .failed = &failed}};
    pthread_t th;
    bool threaded = pthread_create(&th, NULL, import_slice, &part[1]) == 0;
    import_slice(&part[0]);
    if (threaded)
        pthread_join(th, NULL);
    else
        import_slice(&part[1]);
    rc = part[0].rc != MN_OK ? part[0].rc : part[1].rc;
    if (rc != MN_OK)
        *p = part[0].rc != MN_OK ? part[0].p : part[1].p;
    else if (part[0].n + part[1].n == 0)
        rc = mn_problem_set(p, "bad_json", "", "the body holds no lines");
    int wrc = mn_node_stream_end(st, rc == MN_OK);
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < part[k].nchunks; i++) {
            size_t left = part[k].n - i * IMPORT_CHUNK;
            free_writes(part[k].chunks[i],
                        left < IMPORT_CHUNK ? left : IMPORT_CHUNK);
        }
        free(part[k].chunks);
    }
    *n = part[0].n + part[1].n;
    return rc != MN_OK ? rc : wrc;
}

static enum MHD_Result
handle_import(mn_http *h, struct MHD_Connection *c, const char *id,
              struct request *r) {
    size_t n = 0;
    mn_problem p = {0};
    (void)id;
    int rc = import_run(h, r, &n, &p);
    if (p.code)
        return send_problem(c, &p);
    if (rc != MN_OK)
        return send_failure(c, rc);
    return send_json(c, 200, json_pack("{s:I}", "imported", (json_int_t)n));
}

/* ---- routing ---------------------------------------------------------- */

struct route {
    const char *method;
    const char *path; /* a trailing '*' matches one path segment */
    handler_fn fn;
    size_t body_cap; /* 0: no body */
    const char *content_type;
    bool public;
};

static const struct route routes[] = {
    {"GET", "/v1/health", handle_health, 0, NULL, true},
    {"GET", "/metrics", handle_metrics, 0, NULL, true},
    {"POST", "/v1/participants", handle_create, MN_MAX_BODY, "application/json",
     false},
    {"GET", "/v1/participants", handle_list, 0, NULL, false},
    {"GET", "/v1/participants/*", handle_get, 0, NULL, false},
    {"PATCH", "/v1/participants/*", handle_patch, MN_MAX_BODY,
     "application/json", false},
    {"POST", "/v1/import", handle_import, MN_MAX_IMPORT_BODY,
     "application/x-ndjson", false},
    {"GET", "/v1/stats", handle_stats, 0, NULL, false},
    {"GET", "/v1/digest", handle_digest, 0, NULL, false},
    {"GET", "/v1/replication", handle_replication, 0, NULL, false},
    {"GET", "/v1/conflicts", handle_conflicts, 0, NULL, false},
    {"GET", "/v1/backup", handle_backup, 0, NULL, false},
};

/* Does url match pattern? OUT: *id the '*' segment (points into url). */
static bool
path_match(const char *pattern, const char *url, const char **id) {
    size_t n = strlen(pattern);
    if (pattern[n - 1] != '*')
        return strcmp(pattern, url) == 0;
    if (strncmp(pattern, url, n - 1) != 0)
        return false;
    *id = url + n - 1;
    return **id != '\0' && !strchr(*id, '/');
}

/* The route for (method, url); *path_known tells 404 from 405. */
static const struct route *
find_route(const char *method, const char *url, const char **id,
           bool *path_known) {
    *path_known = false;
    for (size_t i = 0; i < MN_ARRAY_LEN(routes); i++) {
        if (!path_match(routes[i].path, url, id))
            continue;
        *path_known = true;
        if (strcmp(routes[i].method, method) == 0)
            return &routes[i];
    }
    return NULL;
}

static bool
content_type_ok(struct MHD_Connection *c, const char *want) {
    const char *got =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    size_t n = strlen(want);
    return got && strncasecmp(got, want, n) == 0 &&
           (got[n] == '\0' || got[n] == ';');
}

/* Checks made before any body byte is read; MHD_NO: not answered yet. */
static enum MHD_Result
precheck(mn_http *h, struct MHD_Connection *c, const struct route *rt,
         bool *answered) {
    *answered = true;
    const char *auth =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!rt->public && !mn_auth_check(mn_node_admin_hash(h->node), auth))
        return send_error(c, 401, "unauthorized", NULL,
                          "send Authorization: Bearer <token>");
    if (rt->body_cap && !content_type_ok(c, rt->content_type)) {
        char msg[128];
        snprintf(msg, sizeof msg, "send Content-Type: %s", rt->content_type);
        return send_error(c, 415, "unsupported_media_type", NULL, msg);
    }
    const char *len =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (len && strtoull(len, NULL, 10) > (rt->body_cap ? rt->body_cap : 0))
        return send_error(c, 413, "too_large", NULL,
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
    const struct route *rt = find_route(method, url, &id, &path_known);
    if (!rt)
        return path_known
                   ? send_error(c, 405, "method_not_allowed", NULL,
                                "this path does not take that method")
                   : send_error(c, 404, "not_found", NULL, "no such path");
    enum MHD_Result rc = precheck(h, c, rt, &answered);
    if (answered)
        return rc;
    struct request *r = mn_calloc(1, sizeof *r);
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
    struct request *r = *con_cls;
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
        return send_error(c, 413, "too_large", NULL,
                          "the body is over the limit");
    const char *id = NULL;
    bool known;
    const struct route *rt = find_route(method, url, &id, &known);
    return rt->fn(h, c, id, r);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe) {
    struct request *r = *con_cls;
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

int
mn_http_start(mn_node *node, mn_replicator *repl, mn_http **out, char *err,
              size_t errlen) {
    const char *listen = mn_node_config(node)->self.http_listen;
    struct sockaddr_storage ss;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    if (make_addr(listen, &ss, &flags) != MN_OK) {
        snprintf(err, errlen, "[http] listen %s: use an IP address and port",
                 listen);
        return MN_ECONFIG;
    }
    mn_http *h = mn_calloc(1, sizeof *h);
    h->node = node;
    h->repl = repl;
    h->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, &ss,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
        MHD_OPTION_END);
    if (!h->daemon) {
        snprintf(err, errlen, "[http] listen %s: cannot listen (in use?)",
                 listen);
        free(h);
        return MN_EIO;
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
