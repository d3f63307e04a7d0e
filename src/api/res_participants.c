/*
 * res_participants — /v1/participants: create (POST), read (GET .../{id}),
 * change (PATCH .../{id}) and list with filters and paging (GET), all
 * through the generic kind resource (res_kind.c) with the participant's
 * table.
 *
 * This file is the API's one door to the participant schema: the two
 * functions below are all the other files (import) use.
 */
#include "api/kind_json.h"
#include "api/resource.h"
#include "state/participant.h"

int
mn_api_participant_parse(const json_t *body, const mn_entity *current,
                         uint32_t home, mn_ops *out, mn_problem *p) {
    return mn_kind_json_parse(&mn_kind_participant, body, current, home, out,
                              p);
}

enum MHD_Result
mn_api_participant_create(mn_http *h, struct MHD_Connection *c, const char *id,
                          mn_api_request *r) {
    (void)id;
    return mn_api_kind_create(h, c, &mn_kind_participant, r);
}

enum MHD_Result
mn_api_participant_get(mn_http *h, struct MHD_Connection *c, const char *id,
                       mn_api_request *r) {
    return mn_api_kind_get(h, c, r, &mn_kind_participant, id);
}

enum MHD_Result
mn_api_participant_patch(mn_http *h, struct MHD_Connection *c, const char *id,
                         mn_api_request *r) {
    return mn_api_kind_patch(h, c, &mn_kind_participant, id, r);
}

enum MHD_Result
mn_api_participant_list(mn_http *h, struct MHD_Connection *c, const char *id,
                        mn_api_request *r) {
    (void)id;
    return mn_api_kind_list(h, c, r, &mn_kind_participant);
}
