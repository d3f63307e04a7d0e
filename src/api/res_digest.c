/*
 * res_digest — GET /v1/digest: {"digest": hex, "version_vector": {...}} as
 * of one read snapshot, so two nodes that agree show the same pair.
 */
#include "api/resource.h"

enum MHD_Result
mn_api_digest(mn_http *h, struct MHD_Connection *c, const char *id,
              mn_api_request *r) {
    mn_txn *t;
    json_t *j = json_object();
    (void)id, (void)r;
    int rc = mn_api_read_begin(h, &t);
    if (rc == MN_OK)
        rc = mn_api_add_digest(h, t, j);
    mn_txn_abort(&t);
    if (rc != MN_OK) {
        json_decref(j);
        return mn_api_send_failure(c, rc);
    }
    return mn_api_send_json(c, 200, j);
}
