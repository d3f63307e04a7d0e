/*
 * res_partnerships — /v1/partnerships: propose (POST), read, list, and the
 * lifecycle's actions: reserve, decline, end and expire; and
 * POST /v1/participants/{id}/transfer, which moves a participant to
 * another division.
 *
 * Every action is one write whose checks run in the writer's transaction
 * (state/partnership_rules.h): a refused action changes nothing and says
 * why — 404 an unknown id, 403 an action only her home may take, 409 an
 * illegal transition or a full slot.
 */
#include <string.h>

#include "api/kind_json.h"
#include "api/resource.h"
#include "state/participant.h"
#include "state/partnership_rules.h"
#include "state/state.h"

static enum MHD_Result
not_found(struct MHD_Connection *c) {
    return mn_api_kind_not_found(c, &mn_kind_partnership);
}

/* Run action a on (type, id) (a create if create) and answer: the entity
 * with status, or why a refused it. */
static enum MHD_Result
act(mn_http *h, mn_api_request *r, uint32_t type, uint8_t id[16], bool create,
    mn_pship_act *a, unsigned status) {
    struct MHD_Connection *c = r->c;
    mn_write w = {.type = type,
                  .create = create,
                  .prepare = mn_pship_prepare,
                  .prepare_ctx = a};
    if (!create)
        memcpy(w.id, id, MN_ID_BYTES);
    a->self = mn_node_config(h->node)->self.id;
    a->now = mn_wall_ms();
    mn_ops_init(&w.ops);
    int rc = mn_node_write(h->node, &w, 1);
    mn_ops_release(&w.ops);
    if (rc == MN_OK)
        rc = w.result;
    if (rc == MN_OK)
        return mn_api_kind_answer(h, c, r, mn_kind_find(type), w.id, status);
    if (!a->problem.code)
        return mn_api_send_failure(c, rc);
    unsigned code = rc == MN_ENOTFOUND ? 404 : rc == MN_EAUTH ? 403 : 409;
    return mn_api_send_error(c, code, a->problem.code, NULL,
                             a->problem.message);
}

/* The id named by key in body into out; answers 400 itself when absent or
 * malformed (then returns false). */
static bool
body_id(struct MHD_Connection *c, const json_t *body, const char *key,
        uint8_t out[MN_ID_BYTES], enum MHD_Result *rc) {
    const char *z = json_string_value(json_object_get(body, key));
    if (z && mn_id_parse(z, out) == MN_OK)
        return true;
    *rc = mn_api_send_error(c, 400, "invalid_field", key,
                            "an id (32 lower-case hex digits) is required");
    return false;
}

/* Refuse every key of body but allowed[0..n) (mn_api_body_keys); answers
 * 400 itself (then returns false). */
static bool
only_keys(struct MHD_Connection *c, const json_t *body,
          const char *const *allowed, size_t n, enum MHD_Result *rc) {
    mn_problem p;
    if (mn_api_body_keys(body, allowed, n, &p) == MN_OK)
        return true;
    *rc = mn_api_send_problem(c, &p);
    return false;
}

enum MHD_Result
mn_api_partnership_create(mn_http *h, struct MHD_Connection *c, const char *id,
                          mn_api_request *r) {
    json_t *body;
    enum MHD_Result rc = MHD_YES;
    mn_pship_act a = {.verb = MN_PSHIP_PROPOSE};
    uint8_t none[MN_ID_BYTES] = {0};
    (void)id;
    if (mn_api_parse_body(c, r, &body) != MHD_YES || !body)
        return MHD_YES;
    static const char *const keys[] = {"mentee_id", "mentor_id"};
    bool ok = only_keys(c, body, keys, 2, &rc) &&
              body_id(c, body, "mentee_id", a.mentee, &rc) &&
              body_id(c, body, "mentor_id", a.mentor, &rc);
    json_decref(body);
    if (!ok)
        return rc;
    uint8_t sides[2 * MN_ID_BYTES];
    memcpy(sides, a.mentee, MN_ID_BYTES);
    memcpy(sides + MN_ID_BYTES, a.mentor, MN_ID_BYTES);
    if (mn_api_may_refer(h, r, sides, 2, true) == MN_EAUTH)
        return mn_api_forbidden(c, "a coordinator proposes only partnerships "
                                   "with a participant of her own division");
    return act(h, r, MN_ENTITY_PARTNERSHIP, none, true, &a, 201);
}

enum MHD_Result
mn_api_partnership_get(mn_http *h, struct MHD_Connection *c, const char *id,
                       mn_api_request *r) {
    uint8_t raw[MN_ID_BYTES];
    if (mn_api_parse_id(id, raw) != MN_OK)
        return not_found(c);
    return mn_api_kind_answer(h, c, r, &mn_kind_partnership, raw, 200);
}

/* reserve, decline: no body (or an empty object). */
static enum MHD_Result
side_action(mn_http *h, struct MHD_Connection *c, const char *id,
            mn_api_request *r, enum mn_pship_verb verb) {
    uint8_t raw[MN_ID_BYTES];
    mn_pship_act a = {.verb = verb};
    json_t *body = NULL;
    enum MHD_Result rc = MHD_YES;
    if (mn_api_parse_id(id, raw) != MN_OK)
        return not_found(c);
    if (r->body.len > 0) {
        if (mn_api_parse_body(c, r, &body) != MHD_YES || !body)
            return MHD_YES;
        bool ok = only_keys(c, body, NULL, 0, &rc);
        json_decref(body);
        if (!ok)
            return rc;
    }
    return act(h, r, MN_ENTITY_PARTNERSHIP, raw, false, &a, 200);
}

enum MHD_Result
mn_api_partnership_reserve(mn_http *h, struct MHD_Connection *c, const char *id,
                           mn_api_request *r) {
    return side_action(h, c, id, r, MN_PSHIP_RESERVE);
}

enum MHD_Result
mn_api_partnership_decline(mn_http *h, struct MHD_Connection *c, const char *id,
                           mn_api_request *r) {
    return side_action(h, c, id, r, MN_PSHIP_DECLINE);
}

/* {"state": "completed"|"cancelled", "reason": text} */
static bool
parse_end(struct MHD_Connection *c, const json_t *body, mn_pship_act *a,
          enum MHD_Result *rc) {
    const mn_field_def *f =
        mn_kind_field(&mn_kind_partnership, MN_PS_END_REASON);
    const char *state = json_string_value(json_object_get(body, "state"));
    const json_t *reason = json_object_get(body, "reason");
    mn_problem p;
    static const char *const keys[] = {"state", "reason"};
    if (!only_keys(c, body, keys, 2, rc))
        return false;
    a->ended = !state                            ? -1
               : strcmp(state, "completed") == 0 ? MN_ENDED_COMPLETED
               : strcmp(state, "cancelled") == 0 ? MN_ENDED_CANCELLED
                                                 : -1;
    if (a->ended < 0) {
        *rc = mn_api_send_error(c, 400, "invalid_field", "state",
                                "state: completed or cancelled");
        return false;
    }
    a->reason = json_string_value(reason);
    if (reason && (!a->reason || mn_field_check_str(f, "reason", a->reason,
                                                    json_string_length(reason),
                                                    &p) != MN_OK)) {
        *rc = mn_api_send_error(c, 400, "invalid_field", "reason",
                                "reason: text of 1 to 500 characters");
        return false;
    }
    return true;
}

enum MHD_Result
mn_api_partnership_end(mn_http *h, struct MHD_Connection *c, const char *id,
                       mn_api_request *r) {
    uint8_t raw[MN_ID_BYTES];
    mn_pship_act a = {.verb = MN_PSHIP_END};
    json_t *body;
    enum MHD_Result rc = MHD_YES;
    if (mn_api_parse_id(id, raw) != MN_OK)
        return not_found(c);
    if (mn_api_parse_body(c, r, &body) != MHD_YES || !body)
        return MHD_YES;
    if (parse_end(c, body, &a, &rc))
        rc = act(h, r, MN_ENTITY_PARTNERSHIP, raw, false, &a, 200);
    json_decref(body); /* a.reason points into it */
    return rc;
}

/* ---- expiry ------------------------------------------------------------ */

enum MHD_Result
mn_api_partnership_expire(mn_http *h, struct MHD_Connection *c, const char *id,
                          mn_api_request *r) {
    size_t expired = 0;
    (void)id, (void)r;
    int rc = mn_node_expire_proposals(h->node, mn_wall_ms(), &expired);
    if (rc != MN_OK)
        return mn_api_send_failure(c, rc);
    return mn_api_send_json(
        c, 200,
        json_pack("{s:I, s:i}", "expired", (json_int_t)expired, "expire_days",
                  (int)mn_node_config(h->node)->expire_days));
}

/* ---- listing ------------------------------------------------------------ */

/* participant=ID: the mentee or the mentor index, by her role here. */
static int
participant_filter(mn_http *h, struct MHD_Connection *c, mn_list_query *q,
                   mn_problem *p) {
    const char *z = mn_api_arg(c, "participant");
    uint8_t pid[MN_ID_BYTES];
    mn_entity her;
    if (!z)
        return MN_OK;
    if (mn_id_parse(z, pid) != MN_OK ||
        mn_api_kind_load(h, &mn_kind_participant, pid, &her) != MN_OK)
        return mn_problem_set(p, "bad_query", "participant",
                              "participant: no such participant");
    int i =
        mn_kind_enum_of(&mn_kind_participant, &her, MN_P_ROLE) == MN_ROLE_MENTOR
            ? 1 /* the mentor index (partnership.c) */
            : 0;
    mn_entity_release(&her);
    q->has_ref[i] = true;
    memcpy(q->ref[i], pid, MN_ID_BYTES);
    return MN_OK;
}

enum MHD_Result
mn_api_partnership_list(mn_http *h, struct MHD_Connection *c, const char *id,
                        mn_api_request *r) {
    (void)id;
    return mn_api_kind_list_with(h, c, r, &mn_kind_partnership,
                                 participant_filter);
}

/* ---- transfer ----------------------------------------------------------- */

/* {"to": division name} */
enum MHD_Result
mn_api_participant_transfer(mn_http *h, struct MHD_Connection *c,
                            const char *id, mn_api_request *r) {
    uint8_t raw[MN_ID_BYTES];
    mn_pship_act a = {.verb = MN_PSHIP_TRANSFER};
    json_t *body;
    enum MHD_Result rc = MHD_YES;
    if (mn_api_parse_id(id, raw) != MN_OK)
        return mn_api_send_error(c, 404, "not_found", NULL,
                                 "no such participant");
    if (mn_api_parse_body(c, r, &body) != MHD_YES || !body)
        return MHD_YES;
    const char *to = json_string_value(json_object_get(body, "to"));
    const mn_division *d =
        to ? mn_config_division_by_name(mn_node_config(h->node), to) : NULL;
    static const char *const keys[] = {"to"};
    bool ok = only_keys(c, body, keys, 1, &rc);
    json_decref(body);
    if (!ok)
        return rc;
    if (!d)
        return mn_api_send_error(c, 400, "invalid_field", "to",
                                 "to: the name of a division of this network");
    a.to = d->id;
    return act(h, r, MN_ENTITY_PARTICIPANT, raw, false, &a, 200);
}
