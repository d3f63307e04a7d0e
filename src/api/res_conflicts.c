/*
 * res_conflicts — GET /v1/conflicts?limit=N: values that lost to a
 * concurrent write, in (entity, field) order: the losing value, and which
 * division wrote each side and when. The field is named from its entity's
 * kind (a membership's left_at, written by any division, can conflict).
 */
#include "api/resource.h"
#include "base/hlc.h"
#include "state/state.h"

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
    const mn_kind *kind = mn_kind_find(k->type);
    const mn_field_def *f = kind ? mn_kind_field(kind, k->field) : NULL;
    const char *field = f ? mn_field_key(f) : NULL;
    mn_hex_encode(k->id, MN_ID_BYTES, hex);
    json_array_append_new(
        out->items,
        json_pack(
            "{s:s, s:s, s:{s:o, s:o, s:o}, s:{s:o, s:o}}", "id", hex, "field",
            field ? field : "unknown", "loser", "value", value_of(&k->value),
            "at", mn_api_time_json(MN_HLC_MS(k->loser.hlc)), "division",
            mn_api_division_json(out->cfg, mn_origin_division(k->loser.origin)),
            "winner", "at", mn_api_time_json(MN_HLC_MS(k->winner.hlc)),
            "division",
            mn_api_division_json(out->cfg,
                                 mn_origin_division(k->winner.origin))));
}

enum MHD_Result
mn_api_conflicts(mn_http *h, struct MHD_Connection *c, const char *id,
                 mn_api_request *r) {
    mn_problem p;
    size_t limit;
    mn_txn *t;
    (void)id, (void)r;
    if (mn_api_parse_limit(mn_api_arg(c, "limit"), &limit, &p) != MN_OK)
        return mn_api_send_problem(c, &p);
    struct conflicts_out out = {json_array(), mn_node_config(h->node)};
    int rc = mn_api_read_begin(h, &t);
    if (rc == MN_OK)
        rc = mn_state_conflicts(t, limit, conflict_add, &out);
    mn_txn_abort(&t);
    if (rc != MN_OK) {
        json_decref(out.items);
        return mn_api_send_failure(c, rc);
    }
    return mn_api_send_json(c, 200, json_pack("{s:o}", "items", out.items));
}
