/*
 * res_stats — GET /v1/stats[?verify=true]: the kept statistics (no names),
 * with the digest and version vector of the same snapshot; verify also
 * recounts from the stored participants and says whether both agree.
 */
#include <stdlib.h>
#include <string.h>

#include "api/resource.h"
#include "api/stats_json.h"
#include "state/stats.h"

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
        rc = mn_api_add_digest(h, t, *out);
    }
    free(kept);
    free(again);
    return rc;
}

enum MHD_Result
mn_api_stats(mn_http *h, struct MHD_Connection *c, const char *id,
             mn_api_request *r) {
    const char *verify = mn_api_arg(c, "verify");
    mn_txn *t;
    json_t *j = NULL;
    (void)id, (void)r;
    if (verify && strcmp(verify, "true") != 0 && strcmp(verify, "false") != 0)
        return mn_api_send_error(c, 400, "bad_query", "verify",
                                 "verify: true or false");
    int rc = mn_api_read_begin(h, &t);
    if (rc == MN_OK)
        rc = stats_in(h, t, verify && strcmp(verify, "true") == 0, &j);
    mn_txn_abort(&t);
    if (rc != MN_OK) {
        json_decref(j);
        return mn_api_send_failure(c, rc);
    }
    return mn_api_send_json(c, 200, j);
}
