/*
 * res_whoami — GET /v1/whoami: who the request's token is, so that the
 * web pages know what to show: {"role", "division", "token_id", "name",
 * "node_division", "node_display_name", "divisions"}. division is the
 * coordinator's division, or this node's for the other roles; token_id is
 * "" for the node's own admin.token; divisions lists every division the
 * node's config knows ({"id", "name", "display_name"}, by id), for the
 * pages' filters and transfers.
 */
#include "api/resource.h"

static json_t *
divisions_json(const mn_config *cfg) {
    json_t *a = json_array();
    for (uint32_t id = 1; id <= MN_MAX_NODES; id++) {
        const mn_division *d = mn_config_division(cfg, id);
        if (d)
            json_array_append_new(
                a, json_pack("{s:i, s:s, s:s}", "id", (int)d->id, "name",
                             d->name, "display_name", d->display_name));
    }
    return a;
}

static const char *
role_name(mn_api_role role) {
    switch (role) {
    case MN_API_COORDINATOR: return "coordinator";
    case MN_API_NATIONAL: return "national";
    case MN_API_ADMIN: break;
    }
    return "admin";
}

enum MHD_Result
mn_api_whoami(mn_http *h, struct MHD_Connection *c, const char *id,
              mn_api_request *r) {
    const mn_config *cfg = mn_node_config(h->node);
    const mn_api_caller *who = &r->who;
    uint32_t division = who->division ? who->division : cfg->self.id;
    (void)id;
    return mn_api_send_json(
        c, 200,
        json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:o}", "role",
                  role_name(who->role), "division",
                  mn_api_division_json(cfg, division), "token_id",
                  who->token_id, "name",
                  who->name[0] ? who->name : role_name(who->role),
                  "node_division", cfg->self.name, "node_display_name",
                  cfg->self.display_name, "divisions", divisions_json(cfg)));
}
