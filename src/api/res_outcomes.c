/*
 * res_outcomes — /v1/outcomes: record (POST), read (GET .../{id}) and list
 * (GET, filter kind) outcome events, through the generic kind resource
 * (res_kind.c). An outcome is never changed: PATCH answers 405 with the
 * reason; a wrong one is corrected by recording the right one.
 */
#include "api/resource.h"
#include "state/outcome.h"

enum MHD_Result
mn_api_outcome_create(mn_http *h, struct MHD_Connection *c, const char *id,
                      mn_api_request *r) {
    (void)id;
    return mn_api_kind_create(h, c, &mn_kind_outcome, r);
}

enum MHD_Result
mn_api_outcome_get(mn_http *h, struct MHD_Connection *c, const char *id,
                   mn_api_request *r) {
    return mn_api_kind_get(h, c, r, &mn_kind_outcome, id);
}

enum MHD_Result
mn_api_outcome_list(mn_http *h, struct MHD_Connection *c, const char *id,
                    mn_api_request *r) {
    (void)id;
    return mn_api_kind_list(h, c, r, &mn_kind_outcome);
}

enum MHD_Result
mn_api_outcome_patch(mn_http *h, struct MHD_Connection *c, const char *id,
                     mn_api_request *r) {
    (void)h, (void)id, (void)r;
    return mn_api_send_error(c, 405, "method_not_allowed", NULL,
                             "an outcome is never changed; record a new one");
}
