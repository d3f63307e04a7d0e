/*
 * res_kind — the resource of any entity kind, from its table (state/kind.h):
 * create (POST /v1/<plural>), read (GET .../{id}), change (PATCH .../{id})
 * and list with the kind's index filters, q and paging (GET /v1/<plural>).
 * A kind's own res_<plural>.c names its kind, and adds its routes' special
 * rules around these.
 *
 * Every body is validated whole (api/kind_json.c) before a write is
 * submitted; a patch that only repeats stored values writes nothing. A
 * refused request writes nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api/kind_json.h"
#include "api/resource.h"
#include "node/seal.h"
#include "state/state.h"

/* Longest q the list accepts, in bytes (a substring search per entity). */
#define Q_MAX 100

enum MHD_Result
mn_api_kind_not_found(struct MHD_Connection *c, const mn_kind *k) {
    char msg[96];
    snprintf(msg, sizeof msg, "no such %s", k->name);
    return mn_api_send_error(c, 404, "not_found", NULL, msg);
}

/* A participant's 409 keeps the message its clients know (server.c); the
 * other kinds name themselves. */
enum MHD_Result
mn_api_kind_failure(struct MHD_Connection *c, const mn_kind *k, int rc) {
    char msg[160];
    if (rc == MN_ENOTFOUND)
        return mn_api_kind_not_found(c, k);
    if (rc != MN_EAUTH || k->type == MN_ENTITY_PARTICIPANT)
        return mn_api_send_failure(c, rc);
    snprintf(msg, sizeof msg,
             "a %s is changed only on the node of the division that made it",
             k->name);
    return mn_api_send_error(c, 403, "not_home", NULL, msg);
}

int
mn_api_kind_load(mn_http *h, const mn_kind *k, const uint8_t id[MN_ID_BYTES],
                 mn_entity *out) {
    mn_txn *t;
    mn_entity stored;
    int rc = mn_api_read_begin(h, &t);
    if (rc != MN_OK)
        return rc;
    rc = mn_state_get(t, k->type, id, &stored);
    mn_txn_abort(&t);
    if (rc != MN_OK)
        return rc;
    mn_node_unseal_entity(h->node, &stored, out);
    mn_entity_release(&stored);
    return MN_OK;
}

enum MHD_Result
mn_api_kind_answer(mn_http *h, struct MHD_Connection *c, mn_api_request *r,
                   const mn_kind *k, const uint8_t id[MN_ID_BYTES],
                   unsigned status) {
    mn_entity e;
    int rc = mn_api_kind_load(h, k, id, &e);
    if (rc != MN_OK)
        return mn_api_kind_failure(c, k, rc);
    if (!r->subject_kind) {
        r->subject_kind = k->name;
        mn_hex_encode(id, MN_ID_BYTES, r->subject_id);
    }
    json_t *j = mn_api_render(r, k, &e, mn_node_config(h->node));
    mn_entity_release(&e);
    return mn_api_send_json(c, status, j);
}

int
mn_api_kind_insert(mn_http *h, const mn_kind *k, const json_t *body,
                   uint8_t id[MN_ID_BYTES], mn_problem *p) {
    mn_write w = {.type = k->type, .create = true};
    p->code = NULL;
    mn_ops_init(&w.ops);
    int rc = mn_kind_json_parse(k, body, NULL, mn_node_config(h->node)->self.id,
                                &w.ops, p);
    if (rc == MN_OK)
        rc = mn_node_write(h->node, &w, 1);
    mn_ops_release(&w.ops);
    if (rc == MN_OK)
        rc = w.result;
    if (rc == MN_OK)
        memcpy(id, w.id, MN_ID_BYTES);
    return rc;
}

/* The ids body names in k's reference fields (well formed ones: the
 * others are the validation's to refuse). OUT: *n. */
static void
body_refs(const mn_kind *k, const json_t *body,
          uint8_t ids[MN_KIND_MAX_FIELDS * MN_ID_BYTES], size_t *n) {
    *n = 0;
    for (size_t i = 0; i < k->nfields; i++) {
        const mn_field_def *f = &k->fields[i];
        const char *z = json_string_value(json_object_get(body, f->name));
        if (f->type == MN_FT_REF && !f->group && z &&
            mn_api_parse_id(z, ids + *n * MN_ID_BYTES) == MN_OK)
            (*n)++;
    }
}

/* A coordinator makes only what names her division's participants and
 * partnerships (mn_api_may_refer); answers 403 itself (then false). */
static bool
may_create(mn_http *h, struct MHD_Connection *c, const mn_api_request *r,
           const mn_kind *k, const json_t *body, enum MHD_Result *out) {
    uint8_t ids[MN_KIND_MAX_FIELDS * MN_ID_BYTES];
    size_t n;
    body_refs(k, body, ids, &n);
    if (mn_api_may_refer(h, r, ids, n, false) != MN_EAUTH)
        return true; /* an unknown id is the validation's to refuse */
    *out = mn_api_forbidden(c, "a coordinator records only about her own "
                               "division's participants and partnerships");
    return false;
}

enum MHD_Result
mn_api_kind_create(mn_http *h, struct MHD_Connection *c, const mn_kind *k,
                   mn_api_request *r) {
    json_t *body;
    mn_problem p;
    uint8_t id[MN_ID_BYTES];
    enum MHD_Result out = MHD_YES;
    if (mn_api_parse_body(c, r, &body) != MHD_YES || !body)
        return MHD_YES;
    if (!may_create(h, c, r, k, body, &out)) {
        json_decref(body);
        return out;
    }
    int rc = mn_api_kind_insert(h, k, body, id, &p);
    json_decref(body);
    if (rc == MN_OK)
        return mn_api_kind_answer(h, c, r, k, id, 201);
    return p.code ? mn_api_send_problem(c, &p) : mn_api_kind_failure(c, k, rc);
}

enum MHD_Result
mn_api_kind_get(mn_http *h, struct MHD_Connection *c, mn_api_request *r,
                const mn_kind *k, const char *id) {
    uint8_t raw[MN_ID_BYTES];
    if (mn_api_parse_id(id, raw) != MN_OK)
        return mn_api_kind_not_found(c, k);
    return mn_api_kind_answer(h, c, r, k, raw, 200);
}

/* Validate a patch against the stored entity into w->ops; a coordinator
 * changes only her division's (MN_EAUTH, p->code "forbidden"). */
static int
prepare_patch(mn_http *h, const mn_api_request *r, const mn_kind *k,
              const json_t *body, mn_write *w, mn_problem *p) {
    mn_entity current;
    int rc = mn_api_kind_load(h, k, w->id, &current);
    if (rc != MN_OK)
        return rc;
    if (!mn_api_may_write(r, k, &current))
        rc = mn_problem_set(p, "forbidden", NULL,
                            "a coordinator changes only her own division's "
                            "records");
    else
        rc = mn_kind_json_parse(k, body, &current, 0, &w->ops, p);
    mn_entity_release(&current);
    return rc;
}

enum MHD_Result
mn_api_kind_patch(mn_http *h, struct MHD_Connection *c, const mn_kind *k,
                  const char *id, mn_api_request *r) {
    json_t *body;
    mn_problem p = {0};
    mn_write w = {.type = k->type};
    if (mn_api_parse_id(id, w.id) != MN_OK)
        return mn_api_kind_not_found(c, k);
    if (mn_api_parse_body(c, r, &body) != MHD_YES || !body)
        return MHD_YES;
    mn_ops_init(&w.ops);
    int rc = prepare_patch(h, r, k, body, &w, &p);
    json_decref(body);
    /* A patch that only repeats stored values writes nothing. */
    if (rc == MN_OK && w.ops.n > 0)
        rc = mn_node_write(h->node, &w, 1);
    mn_ops_release(&w.ops);
    if (rc == MN_OK)
        rc = w.result;
    if (rc == MN_OK)
        return mn_api_kind_answer(h, c, r, k, w.id, 200);
    if (p.code && strcmp(p.code, "forbidden") == 0)
        return mn_api_forbidden(c, p.message);
    return p.code ? mn_api_send_problem(c, &p) : mn_api_kind_failure(c, k, rc);
}

/* ---- listing ---------------------------------------------------------- */

/* A listed entity as this node reads it: its own sealed values opened,
 * the others' left out. */
static void
list_open(void *ctx, const mn_entity *stored, mn_entity *out) {
    mn_node_unseal_entity(ctx, stored, out);
}

static int
parse_list_query(mn_http *h, struct MHD_Connection *c, const mn_kind *k,
                 mn_api_list_filter extra, mn_list_query *q, mn_problem *p) {
    const char *cursor = mn_api_arg(c, "cursor");
    mn_list_query_init(q, k);
    q->q = mn_api_arg(c, "q");
    q->open = list_open;
    q->open_ctx = h->node;
    for (size_t i = 0; i < k->nindexes; i++) {
        const char *v = mn_api_arg(c, k->indexes[i].param);
        if (v && mn_kind_json_filter(k, i, v, mn_node_config(h->node), q, p) !=
                     MN_OK)
            return MN_EINVAL;
    }
    if (extra && extra(h, c, q, p) != MN_OK)
        return MN_EINVAL;
    if (cursor && mn_api_parse_id(cursor, q->cursor) != MN_OK)
        return mn_problem_set(p, "bad_query", "cursor",
                              "cursor: use next_cursor from a page");
    q->has_cursor = cursor != NULL;
    if (q->q && strlen(q->q) > Q_MAX)
        return mn_problem_set(p, "bad_query", "q", "q: at most %d bytes",
                              Q_MAX);
    return mn_api_parse_limit(mn_api_arg(c, "limit"), &q->limit, p);
}

struct list_out {
    json_t *items;
    const mn_kind *kind;
    const mn_config *cfg;
    mn_api_request *r;
    bool searched; /* the query has a q */
};

/* An entity q matched on a field its caller may not see is left out (the
 * page is then short, as a selective filter's may be). */
static void
list_add(void *user, const mn_entity *e) {
    struct list_out *out = user;
    if (out->searched && !mn_api_may_search(out->r, out->kind, e))
        return;
    json_array_append_new(out->items,
                          mn_api_render(out->r, out->kind, e, out->cfg));
}

enum MHD_Result
mn_api_kind_list(mn_http *h, struct MHD_Connection *c, mn_api_request *r,
                 const mn_kind *k) {
    return mn_api_kind_list_with(h, c, r, k, NULL);
}

enum MHD_Result
mn_api_kind_list_with(mn_http *h, struct MHD_Connection *c, mn_api_request *r,
                      const mn_kind *k, mn_api_list_filter extra) {
    mn_list_query q;
    mn_problem p;
    mn_txn *t;
    bool more;
    uint8_t next[MN_ID_BYTES];
    char hex[2 * MN_ID_BYTES + 1];
    if (parse_list_query(h, c, k, extra, &q, &p) != MN_OK)
        return mn_api_send_problem(c, &p);
    struct list_out out = {json_array(), k, mn_node_config(h->node), r,
                           q.q && q.q[0]};
    int rc = mn_api_read_begin(h, &t);
    if (rc == MN_OK)
        rc = mn_state_list(t, &q, list_add, &out, &more, next);
    mn_txn_abort(&t);
    if (rc != MN_OK) {
        json_decref(out.items);
        return mn_api_send_failure(c, rc);
    }
    mn_hex_encode(next, MN_ID_BYTES, hex);
    return mn_api_send_json(c, 200,
                            json_pack("{s:o, s:o}", "items", out.items,
                                      "next_cursor",
                                      more ? json_string(hex) : json_null()));
}

int
mn_api_kind_scan_query(mn_txn *t, mn_list_query *q,
                       void (*fn)(void *user, const mn_entity *e), void *user) {
    uint8_t next[MN_ID_BYTES];
    bool more = true;
    int rc = MN_OK;
    q->limit = SIZE_MAX; /* each call stops at MN_LIST_SCAN_CAP */
    while (rc == MN_OK && more) {
        rc = mn_state_list(t, q, fn, user, &more, next);
        memcpy(q->cursor, next, MN_ID_BYTES);
        q->has_cursor = true;
    }
    return rc;
}
