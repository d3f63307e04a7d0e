/*
 * res_participants — /v1/participants: create (POST), read (GET .../{id}),
 * change (PATCH .../{id}) and list with filters and paging (GET).
 *
 * Every body is validated whole (mn_api_participant_parse) before a write
 * is submitted; a patch that only repeats stored values writes nothing.
 * This file is the API's one door to the participant schema: the two
 * functions below are all the other files (import) use.
 */
#include <string.h>

#include "api/kind_json.h"
#include "api/resource.h"
#include "state/participant.h"
#include "state/state.h"

/* Longest q the list accepts, in bytes (a substring search per entity). */
#define Q_MAX 100

int
mn_api_participant_parse(const json_t *body, const mn_entity *current,
                         uint32_t home, mn_ops *out, mn_problem *p) {
    return mn_kind_json_parse(&mn_kind_participant, body, current, home, out,
                              p);
}

json_t *
mn_api_participant_json(const mn_entity *e, const mn_config *cfg) {
    return mn_kind_json_render(&mn_kind_participant, e, cfg);
}

static enum MHD_Result
not_found(struct MHD_Connection *c) {
    return mn_api_send_error(c, 404, "not_found", NULL, "no such participant");
}

/* Load the participant by id and answer it with status. */
static enum MHD_Result
answer(mn_http *h, struct MHD_Connection *c, const uint8_t id[MN_ID_BYTES],
       unsigned status) {
    mn_txn *t;
    mn_entity e;
    int rc = mn_api_read_begin(h, &t);
    if (rc != MN_OK)
        return mn_api_send_failure(c, rc);
    rc = mn_state_get(t, MN_ENTITY_PARTICIPANT, id, &e);
    mn_txn_abort(&t);
    if (rc != MN_OK)
        return mn_api_send_failure(c, rc);
    json_t *j = mn_api_participant_json(&e, mn_node_config(h->node));
    mn_entity_release(&e);
    return mn_api_send_json(c, status, j);
}

enum MHD_Result
mn_api_participant_create(mn_http *h, struct MHD_Connection *c, const char *id,
                          mn_api_request *r) {
    json_t *body;
    mn_problem p;
    mn_write w = {.type = MN_ENTITY_PARTICIPANT, .create = true};
    (void)id;
    if (mn_api_parse_body(c, r, &body) != MHD_YES || !body)
        return MHD_YES;
    mn_ops_init(&w.ops);
    int rc = mn_api_participant_parse(
        body, NULL, mn_node_config(h->node)->self.id, &w.ops, &p);
    json_decref(body);
    if (rc != MN_OK)
        return mn_api_send_problem(c, &p);
    rc = mn_node_write(h->node, &w, 1);
    mn_ops_release(&w.ops);
    if (rc == MN_OK)
        rc = w.result;
    return rc == MN_OK ? answer(h, c, w.id, 201) : mn_api_send_failure(c, rc);
}

enum MHD_Result
mn_api_participant_get(mn_http *h, struct MHD_Connection *c, const char *id,
                       mn_api_request *r) {
    uint8_t raw[MN_ID_BYTES];
    (void)r;
    if (mn_api_parse_id(id, raw) != MN_OK)
        return not_found(c);
    return answer(h, c, raw, 200);
}

/* Validate a patch against the current participant into w->ops. */
static int
prepare_patch(mn_http *h, const json_t *body, mn_write *w, mn_problem *p) {
    mn_txn *t;
    mn_entity current;
    int rc = mn_api_read_begin(h, &t);
    if (rc != MN_OK)
        return rc;
    rc = mn_state_get(t, MN_ENTITY_PARTICIPANT, w->id, &current);
    mn_txn_abort(&t);
    if (rc != MN_OK)
        return rc;
    rc = mn_api_participant_parse(body, &current, 0, &w->ops, p);
    mn_entity_release(&current);
    return rc;
}

enum MHD_Result
mn_api_participant_patch(mn_http *h, struct MHD_Connection *c, const char *id,
                         mn_api_request *r) {
    json_t *body;
    mn_problem p = {0};
    mn_write w = {.type = MN_ENTITY_PARTICIPANT};
    if (mn_api_parse_id(id, w.id) != MN_OK)
        return not_found(c);
    if (mn_api_parse_body(c, r, &body) != MHD_YES || !body)
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
        return answer(h, c, w.id, 200);
    return p.code ? mn_api_send_problem(c, &p) : mn_api_send_failure(c, rc);
}

/* ---- listing ---------------------------------------------------------- */

static int
parse_list_query(mn_http *h, struct MHD_Connection *c, mn_list_query *q,
                 mn_problem *p) {
    const mn_kind *k = &mn_kind_participant;
    const char *cursor = mn_api_arg(c, "cursor");
    mn_list_query_init(q, k);
    q->q = mn_api_arg(c, "q");
    for (size_t i = 0; i < k->nindexes; i++) {
        const char *v = mn_api_arg(c, k->indexes[i].param);
        if (v && mn_kind_json_filter(k, i, v, mn_node_config(h->node), q, p) !=
                     MN_OK)
            return MN_EINVAL;
    }
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
    const mn_config *cfg;
};

static void
list_add(void *user, const mn_entity *e) {
    struct list_out *out = user;
    json_array_append_new(out->items, mn_api_participant_json(e, out->cfg));
}

enum MHD_Result
mn_api_participant_list(mn_http *h, struct MHD_Connection *c, const char *id,
                        mn_api_request *r) {
    mn_list_query q;
    mn_problem p;
    mn_txn *t;
    bool more;
    uint8_t next[MN_ID_BYTES];
    char hex[2 * MN_ID_BYTES + 1];
    (void)id, (void)r;
    if (parse_list_query(h, c, &q, &p) != MN_OK)
        return mn_api_send_problem(c, &p);
    struct list_out out = {json_array(), mn_node_config(h->node)};
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
