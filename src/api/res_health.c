/*
 * res_health — GET /v1/health: {"status": "ok", "division": name}, without
 * auth, so a load balancer or a script can tell the node is up.
 */
#include "api/resource.h"

enum MHD_Result
mn_api_health(mn_http *h, struct MHD_Connection *c, const char *id,
              mn_api_request *r) {
    const mn_division *self = &mn_node_config(h->node)->self;
    (void)id, (void)r;
    /* division_id: what a client puts in an id it makes (meetings). */
    return mn_api_send_json(c, 200,
                            json_pack("{s:s, s:s, s:i}", "status", "ok",
                                      "division", self->name, "division_id",
                                      (int)self->id));
}
