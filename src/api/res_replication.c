/*
 * res_replication — GET /v1/replication: the node's replication state as the
 * engine last counted it: writable, its origin (division, incarnation and
 * why it started), the version vector (by division, and origin by origin),
 * pending changes, refused handshakes, the replicated changes refused by
 * reason, the clock alarm and the HLC's lead over the wall clock, and per
 * peer its link, its last told vector, its lag and its counts (README
 * "HTTP API").
 */
#include <stdlib.h>

#include "api/resource.h"

static json_t *
peer_json(const mn_config *cfg, const mn_repl_peer_stats *p) {
    json_t *rejected = json_object();
    for (int i = 0; i < MN_REJ_COUNT; i++)
        json_object_set_new(rejected, mn_reject_name((enum mn_reject)i),
                            json_integer((json_int_t)p->rejected[i]));
    /* Until the peer tells its vector, its lag is unknown, not "all". */
    return json_pack(
        "{s:o, s:b, s:b, s:o, s:o, s:o, s:I, s:I, s:I, s:o}", "division",
        mn_api_division_json(cfg, p->id), "connected", p->connected, "serving",
        p->serving, "last_seen", mn_api_time_json(p->last_seen_ms),
        "version_vector", p->told ? mn_api_vv_json(cfg, &p->vv) : json_null(),
        "lag", p->told ? json_integer((json_int_t)p->lag) : json_null(),
        "received", (json_int_t)p->received, "applied", (json_int_t)p->applied,
        "duplicate", (json_int_t)p->duplicate, "rejected", rejected);
}

/* Replicated changes this node refused (kept in the log, not applied),
 * by reason, as /metrics counts them. */
static json_t *
refused_json(mn_node *node) {
    mn_node_counters k;
    mn_node_get_counters(node, &k);
    json_t *o = json_pack("{s:I}", "owner", (json_int_t)k.refused_owner);
    for (int f = MN_FAULT_NONE + 1; f < MN_FAULT_COUNT; f++)
        json_object_set_new(o, mn_op_fault_name((enum mn_op_fault)f),
                            json_integer((json_int_t)k.refused_fault[f]));
    json_object_set_new(o, "apply", json_integer((json_int_t)k.refused_apply));
    return o;
}

/* Why this node writes as its incarnation (README "Incarnations"). */
static const char *
incarnation_why(enum mn_incarnation_why why) {
    switch (why) {
    case MN_INC_NEW_STORE: return "new_store";
    case MN_INC_RESTORED: return "restored";
    case MN_INC_UNCLEAN: return "unclean_stop";
    case MN_INC_RESUMED: break;
    }
    return "resumed";
}

enum MHD_Result
mn_api_replication(mn_http *h, struct MHD_Connection *c, const char *id,
                   mn_api_request *r) {
    const mn_config *cfg = mn_node_config(h->node);
    mn_repl_stats *st = mn_malloc(sizeof *st);
    json_t *peers = json_array();
    (void)id, (void)r;
    mn_repl_stats_get(mn_replicator_engine(h->repl), st);
    for (size_t i = 0; i < st->npeers; i++)
        json_array_append_new(peers, peer_json(cfg, &st->peers[i]));
    uint32_t self = mn_node_origin(h->node);
    json_t *j = json_pack(
        "{s:s, s:b, s:b, s:o, s:o, s:s, s:o, s:o, s:I, s:I, s:o, s:b, s:I, "
        "s:o}",
        "division", cfg->self.name, "writable", mn_node_writable(h->node),
        "forked", st->forked, "twin",
        st->twin
            ? mn_api_origin_json(cfg, st->twin, mn_vv_get(&st->vv, st->twin))
            : json_null(),
        "origin", mn_api_origin_json(cfg, self, mn_vv_get(&st->vv, self)),
        "incarnation_started",
        incarnation_why(mn_node_incarnation_why(h->node)), "version_vector",
        mn_api_vv_json(cfg, &st->vv), "origins",
        mn_api_origins_json(cfg, &st->vv), "pending", (json_int_t)st->pending,
        "refused_handshakes", (json_int_t)mn_replicator_refused(h->repl),
        "refused_changes", refused_json(h->node), "clock_alarm",
        st->clock_alarm, "hlc_lead_ms", (json_int_t)st->hlc_lead_ms, "peers",
        peers);
    free(st);
    return mn_api_send_json(c, 200, j);
}
