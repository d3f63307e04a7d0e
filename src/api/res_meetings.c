/*
 * res_meetings — /v1/meetings: a partnership's meeting log. The client
 * makes the id (a time-ordered id naming this node's division, as
 * mentornet meeting add does), so a retried submission never logs a
 * meeting twice: PUT /v1/meetings/{id} creates it (201), answers the
 * stored meeting when the same body comes again (200), and refuses
 * another body under that id (409). GET reads and lists (filter
 * partnership), PATCH changes it on the recording division's node.
 */
#include <string.h>

#include "api/kind_json.h"
#include "api/resource.h"
#include "state/meeting.h"

/* Does stored meeting e hold every value ops write? */
static bool
same_meeting(const mn_entity *e, const mn_ops *ops) {
    for (size_t i = 0; i < ops->n; i++) {
        const mn_field *f = mn_entity_get(e, ops->op[i].no);
        const mn_value *v = &ops->op[i].v;
        if (!f || f->v.kind != v->kind ||
            (v->kind == MN_V_INT && f->v.i != v->i) ||
            (v->kind == MN_V_STR &&
             (f->v.len != v->len || memcmp(f->v.s, v->s, v->len) != 0)))
            return false;
    }
    return true;
}

/* The meeting under id holds what ops write (200) or not (409). */
static enum MHD_Result
answer_again(mn_http *h, mn_api_request *r, const uint8_t id[16],
             const mn_ops *ops) {
    struct MHD_Connection *c = r->c;
    mn_entity e;
    int rc = mn_api_kind_load(h, &mn_kind_meeting, id, &e);
    if (rc != MN_OK)
        return mn_api_kind_failure(c, &mn_kind_meeting, rc);
    bool same = same_meeting(&e, ops);
    mn_entity_release(&e);
    if (!same)
        return mn_api_send_error(c, 409, "conflict", NULL,
                                 "another meeting was logged with this id");
    return mn_api_kind_answer(h, c, r, &mn_kind_meeting, id, 200);
}

/* Does body's partnership_id name a partnership r's caller may record
 * about (mn_api_may_refer)? A malformed or unknown one is the
 * validation's to refuse. */
static bool
of_her_partnership(mn_http *h, const mn_api_request *r, const json_t *body) {
    uint8_t pid[MN_ID_BYTES];
    const char *z = json_string_value(json_object_get(body, "partnership_id"));
    if (!z || mn_api_parse_id(z, pid) != MN_OK)
        return r->who.role != MN_API_NATIONAL;
    return mn_api_may_refer(h, r, pid, 1, false) != MN_EAUTH;
}

enum MHD_Result
mn_api_meeting_put(mn_http *h, struct MHD_Connection *c, const char *id,
                   mn_api_request *r) {
    json_t *body;
    mn_problem p = {0};
    uint32_t self = mn_node_config(h->node)->self.id;
    mn_write w = {.type = MN_ENTITY_MEETING, .create = true, .given_id = true};
    if (mn_api_parse_id(id, w.id) != MN_OK || mn_id_division(w.id) != self)
        return mn_api_send_error(c, 400, "invalid_id", NULL,
                                 "a meeting's id is made by the client: 32 "
                                 "lower-case hex digits naming this node's "
                                 "division in byte 9 (mentornet meeting add)");
    if (mn_api_parse_body(c, r, &body) != MHD_YES || !body)
        return MHD_YES;
    if (!of_her_partnership(h, r, body)) {
        json_decref(body);
        return mn_api_forbidden(c, "a coordinator records meetings only of "
                                   "partnerships of her own division");
    }
    mn_ops_init(&w.ops);
    int rc = mn_kind_json_parse(&mn_kind_meeting, body, NULL, self, &w.ops, &p);
    json_decref(body);
    if (rc == MN_OK)
        rc = mn_node_write(h->node, &w, 1);
    if (rc == MN_OK)
        rc = w.result;
    enum MHD_Result out =
        rc == MN_OK ? mn_api_kind_answer(h, c, r, &mn_kind_meeting, w.id, 201)
        : rc == MN_EEXIST ? answer_again(h, r, w.id, &w.ops)
        : p.code          ? mn_api_send_problem(c, &p)
                          : mn_api_kind_failure(c, &mn_kind_meeting, rc);
    mn_ops_release(&w.ops);
    return out;
}

enum MHD_Result
mn_api_meeting_get(mn_http *h, struct MHD_Connection *c, const char *id,
                   mn_api_request *r) {
    return mn_api_kind_get(h, c, r, &mn_kind_meeting, id);
}

enum MHD_Result
mn_api_meeting_list(mn_http *h, struct MHD_Connection *c, const char *id,
                    mn_api_request *r) {
    (void)id;
    return mn_api_kind_list(h, c, r, &mn_kind_meeting);
}

enum MHD_Result
mn_api_meeting_patch(mn_http *h, struct MHD_Connection *c, const char *id,
                     mn_api_request *r) {
    return mn_api_kind_patch(h, c, &mn_kind_meeting, id, r);
}
