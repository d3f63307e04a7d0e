/*
 * res_health — GET /v1/health: {"status": "ok", "division": name}, without
 * auth, so a load balancer or a script can tell the node is up.
 */
#include "api/resource.h"

enum MHD_Result
mn_api_health(mn_http *h, struct MHD_Connection *c, const char *id,
              mn_api_request *r) {
    (void)id, (void)r;
    return mn_api_send_json(c, 200,
                            json_pack("{s:s, s:s}", "status", "ok", "division",
                                      mn_node_config(h->node)->self.name));
}
