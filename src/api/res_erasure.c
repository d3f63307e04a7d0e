/*
 * res_erasure — erasing a participant (README "Erasure", GDPR art. 17):
 *
 *   DELETE /v1/participants/{id}   on her home: write the erase change
 *   GET    /v1/erasures/{id}       which nodes have applied it
 *
 * The erase change sets erased_at; every node that applies it keeps only
 * her stub and drops her private data from its state and its log
 * (node/erase.c). A node has applied it when its version vector covers the
 * change: this node's own, and each peer's as that peer last told it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "api/resource.h"
#include "base/log.h"
#include "state/participant.h"

/* {"participant", "erased_at", "change", "nodes": [{division, erased}],
 * "erased_on", "of", "complete", "summary"} of erased participant e. */
static json_t *
status_json(mn_http *h, const mn_entity *e, const mn_field *f) {
    const mn_config *cfg = mn_node_config(h->node);
    mn_repl_stats *st = mn_malloc(sizeof *st);
    json_t *nodes = json_array();
    size_t on = 0;
    char hex[2 * MN_ID_BYTES + 1], summary[64];
    mn_repl_stats_get(mn_replicator_engine(h->repl), st);
    for (size_t i = 0; i < cfg->ndivisions; i++) {
        uint32_t d = cfg->divisions[i].id;
        bool erased = d == cfg->self.id;
        for (size_t k = 0; !erased && k < st->npeers; k++)
            erased =
                st->peers[k].id == d && st->peers[k].told &&
                mn_vv_get(&st->peers[k].vv, f->stamp.origin) >= f->stamp.seq;
        on += erased;
        json_array_append_new(nodes, json_pack("{s:s, s:b}", "division",
                                               cfg->divisions[i].name, "erased",
                                               erased));
    }
    free(st);
    mn_hex_encode(e->id, MN_ID_BYTES, hex);
    snprintf(summary, sizeof summary, "erased on %zu of %zu", on,
             cfg->ndivisions);
    return json_pack(
        "{s:s, s:o, s:o, s:o, s:I, s:I, s:b, s:s}", "participant", hex,
        "erased_at", mn_api_time_json((uint64_t)f->v.i), "change",
        mn_api_origin_json(cfg, f->stamp.origin, f->stamp.seq), "nodes", nodes,
        "erased_on", (json_int_t)on, "of", (json_int_t)cfg->ndivisions,
        "complete", on == cfg->ndivisions, "summary", summary);
}

/* Her erased_at field, or NULL when she is not erased. */
static const mn_field *
erased_field(const mn_entity *e) {
    const mn_field *f = mn_entity_get(e, MN_P_ERASED_AT);
    return f && f->v.kind == MN_V_INT ? f : NULL;
}

static enum MHD_Result
answer_status(mn_http *h, struct MHD_Connection *c, const uint8_t id[],
              unsigned status) {
    mn_entity e;
    int rc = mn_api_kind_load(h, &mn_kind_participant, id, &e);
    if (rc != MN_OK)
        return mn_api_kind_failure(c, &mn_kind_participant, rc);
    const mn_field *f = erased_field(&e);
    enum MHD_Result r =
        f ? mn_api_send_json(c, status, status_json(h, &e, f))
          : mn_api_send_error(c, 404, "not_erased", NULL,
                              "this participant has not been erased");
    mn_entity_release(&e);
    return r;
}

enum MHD_Result
mn_api_participant_erase(mn_http *h, struct MHD_Connection *c, const char *id,
                         mn_api_request *r) {
    const mn_kind *k = &mn_kind_participant;
    const mn_config *cfg = mn_node_config(h->node);
    mn_write w = {.type = MN_ENTITY_PARTICIPANT};
    mn_entity e;
    if (mn_api_parse_id(id, w.id) != MN_OK)
        return mn_api_kind_not_found(c, k);
    int rc = mn_api_kind_load(h, k, w.id, &e);
    if (rc != MN_OK)
        return mn_api_kind_failure(c, k, rc);
    bool may = mn_api_may_write(r, k, &e), erased = erased_field(&e) != NULL;
    uint32_t home = (uint32_t)mn_entity_int(&e, MN_P_HOME, 0);
    mn_entity_release(&e);
    r->subject_kind = k->name;
    mn_hex_encode(w.id, MN_ID_BYTES, r->subject_id);
    if (!may)
        return mn_api_forbidden(
            c, "only her division's coordinator or an admin may erase her");
    if (erased)
        return mn_api_send_error(c, 409, "already_erased", NULL,
                                 "she has been erased already; GET "
                                 "/v1/erasures/{id} shows where");
    if (home != cfg->self.id)
        return mn_api_send_error(c, 403, "not_home", NULL,
                                 "a participant is erased on her home "
                                 "division's node");
    mn_ops_init(&w.ops);
    mn_ops_add_int(&w.ops, MN_P_ERASED_AT, (int64_t)mn_wall_ms());
    rc = mn_node_write(h->node, &w, 1);
    mn_ops_release(&w.ops);
    if (rc == MN_OK)
        rc = w.result;
    if (rc != MN_OK)
        return mn_api_kind_failure(c, k, rc);
    mn_info("erased participant %s", r->subject_id);
    return answer_status(h, c, w.id, 202);
}

enum MHD_Result
mn_api_erasure_get(mn_http *h, struct MHD_Connection *c, const char *id,
                   mn_api_request *r) {
    uint8_t raw[MN_ID_BYTES];
    (void)r;
    if (mn_api_parse_id(id, raw) != MN_OK)
        return mn_api_kind_not_found(c, &mn_kind_participant);
    return answer_status(h, c, raw, 200);
}
