/*
 * res_subnetworks — /v1/subnetworks: create, read, change and list
 * sub-networks (the generic kind resource, res_kind.c), and their members:
 *
 *   POST /v1/subnetworks/{id}/members  {"participant_id"[, "joined_at"]}
 *   POST /v1/subnetworks/{id}/leave    {"participant_id"}
 *   GET  /v1/subnetworks/{id}/members
 *
 * Members are an add-wins observed-remove set of membership entities
 * (state/membership.h): a join creates a new membership (a new tag) unless
 * she is a member already (then it answers the membership she has, 200);
 * a leave writes left_at on every live tag of the pair this node holds, in
 * one group commit, so it is atomic. Join and leave hold one lock on this
 * node, so two requests here never make two tags for one join.
 *
 * Members are listed by id and home division only, never by name. The
 * members list and a leave read every membership this node holds: the
 * sets are small (tens per sub-network).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/kind_json.h"
#include "api/resource.h"
#include "state/membership.h"
#include "state/participant.h"
#include "state/state.h"
#include "state/subnetwork.h"

/* Join and leave of this node, one at a time (see above). */
static pthread_mutex_t members_lock = PTHREAD_MUTEX_INITIALIZER;

enum MHD_Result
mn_api_subnetwork_create(mn_http *h, struct MHD_Connection *c, const char *id,
                         mn_api_request *r) {
    (void)id;
    return mn_api_kind_create(h, c, &mn_kind_subnetwork, r);
}

enum MHD_Result
mn_api_subnetwork_get(mn_http *h, struct MHD_Connection *c, const char *id,
                      mn_api_request *r) {
    return mn_api_kind_get(h, c, r, &mn_kind_subnetwork, id);
}

enum MHD_Result
mn_api_subnetwork_patch(mn_http *h, struct MHD_Connection *c, const char *id,
                        mn_api_request *r) {
    return mn_api_kind_patch(h, c, &mn_kind_subnetwork, id, r);
}

enum MHD_Result
mn_api_subnetwork_list(mn_http *h, struct MHD_Connection *c, const char *id,
                       mn_api_request *r) {
    (void)id;
    return mn_api_kind_list(h, c, r, &mn_kind_subnetwork);
}

/* ---- the live tags of a pair ------------------------------------------- */

/* The membership entities of one sub-network (and one participant, unless
 * NULL) that are live: no left_at. */
struct tags {
    const char *subnetwork, *participant;
    mn_entity *e;
    size_t n, cap;
};

static void
tags_add(void *user, const mn_entity *e) {
    struct tags *s = user;
    if (!mn_membership_live(e, s->subnetwork, s->participant))
        return;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->e = mn_realloc(s->e, s->cap * sizeof *s->e);
    }
    mn_entity_copy(&s->e[s->n++], e);
}

/* Call tags_add for every membership of sub-network sub (its index). */
static int
scan_members(mn_txn *t, const uint8_t sub[MN_ID_BYTES], struct tags *s) {
    mn_list_query q;
    mn_list_query_init(&q, &mn_kind_membership);
    q.has_ref[0] = true; /* the sub-network index (membership.c) */
    memcpy(q.ref[0], sub, MN_ID_BYTES);
    return mn_api_kind_scan_query(t, &q, tags_add, s);
}

static void
tags_release(struct tags *s) {
    for (size_t i = 0; i < s->n; i++)
        mn_entity_release(&s->e[i]);
    free(s->e);
}

/* Does t hold entity (k, id)? MN_ENOTFOUND names k in the answer. */
static int
need(mn_txn *t, const mn_kind *k, const uint8_t id[MN_ID_BYTES],
     const mn_kind **missing) {
    int rc = mn_state_exists(t, k->type, id);
    if (rc == MN_ENOTFOUND)
        *missing = k;
    return rc;
}

/*
 * Read the live tags of (subnetwork, participant) into s, after checking
 * that the sub-network (and the participant, when given) exist. OUT:
 * *missing the kind that does not (for the 404).
 */
static int
load_tags(mn_http *h, const uint8_t sub[MN_ID_BYTES], const char *participant,
          struct tags *s, const mn_kind **missing) {
    uint8_t who[MN_ID_BYTES];
    mn_txn *t;
    int rc = mn_api_read_begin(h, &t);
    if (rc != MN_OK)
        return rc;
    rc = need(t, &mn_kind_subnetwork, sub, missing);
    if (rc == MN_OK && participant) {
        (void)mn_hex_decode(participant, 2 * MN_ID_BYTES, who, MN_ID_BYTES);
        rc = need(t, &mn_kind_participant, who, missing);
    }
    if (rc == MN_OK)
        rc = scan_members(t, sub, s);
    mn_txn_abort(&t);
    return rc;
}

/* ---- bodies ------------------------------------------------------------ */

/* A join or leave body: an object with participant_id, a well-formed id,
 * and no key but those in allowed. OUT: *participant (borrowed from
 * body). */
static int
member_body(const json_t *body, const char *const *allowed, size_t nallowed,
            const char **participant, mn_problem *p) {
    if (mn_api_body_keys(body, allowed, nallowed, p) != MN_OK)
        return MN_EINVAL;
    const json_t *v = json_object_get(body, "participant_id");
    if (!v)
        return mn_problem_set(p, "missing_field", "participant_id",
                              "participant_id: is required");
    *participant = json_string_value(v);
    uint8_t id[MN_ID_BYTES];
    if (mn_id_parse(*participant, id) != MN_OK)
        return mn_problem_set(p, "invalid_field", "participant_id",
                              "participant_id: must be an id of 32 lower-case "
                              "hex characters");
    return MN_OK;
}

/* The membership to create for a join: the request's fields and the
 * sub-network; joined_at now unless given. New reference. */
static json_t *
join_create_body(const json_t *body, const char *sub) {
    json_t *o = json_deep_copy(body);
    char now[MN_TIME_TEXT];
    json_object_set_new(o, "subnetwork_id", json_string(sub));
    if (!json_object_get(o, "joined_at")) {
        mn_time_format(mn_wall_ms(), now);
        json_object_set_new(o, "joined_at", json_string(now));
    }
    return o;
}

/* ---- join ---------------------------------------------------------------- */

/* Under members_lock: answer her live membership, or make one from
 * create, a valid membership body. */
static enum MHD_Result
join_locked(mn_http *h, struct MHD_Connection *c, mn_api_request *r,
            const uint8_t sub[MN_ID_BYTES], const json_t *create,
            const char *participant) {
    const char *sub_hex = r->id;
    struct tags s = {.subnetwork = sub_hex, .participant = participant};
    const mn_kind *missing = NULL;
    uint8_t id[MN_ID_BYTES];
    mn_problem p = {0};
    int rc = load_tags(h, sub, participant, &s, &missing);
    if (rc == MN_OK && s.n > 0)
        memcpy(id, s.e[0].id, MN_ID_BYTES);
    bool member = rc == MN_OK && s.n > 0;
    tags_release(&s);
    if (rc != MN_OK)
        return mn_api_kind_failure(c, missing ? missing : &mn_kind_subnetwork,
                                   rc);
    if (member)
        return mn_api_kind_answer(h, c, r, &mn_kind_membership, id, 200);
    rc = mn_api_kind_insert(h, &mn_kind_membership, create, id, &p);
    if (rc == MN_OK)
        return mn_api_kind_answer(h, c, r, &mn_kind_membership, id, 201);
    return p.code ? mn_api_send_problem(c, &p)
                  : mn_api_kind_failure(c, &mn_kind_membership, rc);
}

/* The membership a join body asks for, checked whole (a join that finds
 * her a member already is refused for a bad body all the same). OUT:
 * *create (new reference). */
static int
join_body(const json_t *body, const char *sub_hex, const char **participant,
          json_t **create, mn_problem *p) {
    static const char *const allowed[] = {"participant_id", "joined_at"};
    mn_ops ops;
    int rc = member_body(body, allowed, MN_ARRAY_LEN(allowed), participant, p);
    if (rc != MN_OK)
        return rc;
    *create = join_create_body(body, sub_hex);
    mn_ops_init(&ops);
    rc = mn_kind_json_parse(&mn_kind_membership, *create, NULL, 1, &ops, p);
    mn_ops_release(&ops);
    if (rc != MN_OK) {
        json_decref(*create);
        *create = NULL;
    }
    return rc;
}

/* ---- leave --------------------------------------------------------------- */

/* Mark every tag of s left now, in one group commit. */
static int
leave_tags(mn_http *h, const struct tags *s) {
    mn_write *ws = mn_malloc(s->n * sizeof *ws);
    uint64_t now = mn_wall_ms();
    for (size_t i = 0; i < s->n; i++) {
        ws[i] = (mn_write){.type = MN_ENTITY_MEMBERSHIP};
        memcpy(ws[i].id, s->e[i].id, MN_ID_BYTES);
        mn_ops_init(&ws[i].ops);
        mn_ops_add_int(&ws[i].ops, MN_M_LEFT_AT, (int64_t)now);
    }
    int rc = mn_node_write(h->node, ws, s->n);
    for (size_t i = 0; i < s->n; i++) {
        if (rc == MN_OK && ws[i].result != MN_OK)
            rc = ws[i].result;
        mn_ops_release(&ws[i].ops);
    }
    free(ws);
    return rc;
}

static enum MHD_Result
leave_locked(mn_http *h, struct MHD_Connection *c, const char *sub_hex,
             const uint8_t sub[MN_ID_BYTES], const char *participant) {
    struct tags s = {.subnetwork = sub_hex, .participant = participant};
    const mn_kind *missing = NULL;
    int rc = load_tags(h, sub, NULL, &s, &missing);
    if (rc == MN_OK && s.n > 0)
        rc = leave_tags(h, &s);
    size_t left = s.n;
    tags_release(&s);
    if (rc != MN_OK)
        return mn_api_kind_failure(c, missing ? missing : &mn_kind_membership,
                                   rc);
    return mn_api_send_json(c, 200,
                            json_pack("{s:s, s:s, s:b, s:I}", "subnetwork_id",
                                      sub_hex, "participant_id", participant,
                                      "member", 0, "left", (json_int_t)left));
}

/* The body of a join (create: the membership to make) or of a leave
 * (create NULL), checked whole. OUT: *participant, borrowed from body. */
static int
member_request_body(bool join, const json_t *body, const char *sub_hex,
                    const char **participant, json_t **create, mn_problem *p) {
    static const char *const allowed[] = {"participant_id"};
    if (join)
        return join_body(body, sub_hex, participant, create, p);
    return member_body(body, allowed, MN_ARRAY_LEN(allowed), participant, p);
}

/* A join or a leave of sub-network id: the body checked, then done under
 * members_lock. */
static enum MHD_Result
member_request(mn_http *h, struct MHD_Connection *c, const char *id,
               mn_api_request *r, bool join) {
    uint8_t sub[MN_ID_BYTES];
    const char *participant = NULL;
    json_t *body, *create = NULL;
    mn_problem p;
    enum MHD_Result res;
    if (mn_api_parse_id(id, sub) != MN_OK)
        return mn_api_kind_not_found(c, &mn_kind_subnetwork);
    if (mn_api_parse_body(c, r, &body) != MHD_YES || !body)
        return MHD_YES;
    if (member_request_body(join, body, id, &participant, &create, &p) !=
        MN_OK) {
        res = mn_api_send_problem(c, &p);
    } else {
        pthread_mutex_lock(&members_lock);
        res = join ? join_locked(h, c, r, sub, create, participant)
                   : leave_locked(h, c, id, sub, participant);
        pthread_mutex_unlock(&members_lock);
    }
    json_decref(create);
    json_decref(body);
    return res;
}

enum MHD_Result
mn_api_subnetwork_join(mn_http *h, struct MHD_Connection *c, const char *id,
                       mn_api_request *r) {
    return member_request(h, c, id, r, true);
}

enum MHD_Result
mn_api_subnetwork_leave(mn_http *h, struct MHD_Connection *c, const char *id,
                        mn_api_request *r) {
    return member_request(h, c, id, r, false);
}

/* ---- members ---------------------------------------------------------------
 */

/* Her home division: the stored participant's, or (not replicated here
 * yet) the division that made her id. */
static json_t *
home_of(mn_txn *t, const mn_config *cfg, const char *participant) {
    uint8_t who[MN_ID_BYTES];
    mn_entity e;
    (void)mn_hex_decode(participant, 2 * MN_ID_BYTES, who, MN_ID_BYTES);
    uint32_t home = mn_id_division(who);
    if (mn_state_get(t, MN_ENTITY_PARTICIPANT, who, &e) == MN_OK) {
        home = (uint32_t)mn_entity_int(&e, MN_P_HOME, home);
        mn_entity_release(&e);
    }
    return mn_api_division_json(cfg, home);
}

/* One item per member (her earliest live tag), in the order she joined. */
static json_t *
members_json(mn_txn *t, const mn_config *cfg, const struct tags *s) {
    json_t *items = json_array(), *seen = json_object();
    for (size_t i = 0; i < s->n; i++) {
        const char *who = mn_entity_str(&s->e[i], MN_M_PARTICIPANT);
        if (json_object_get(seen, who))
            continue;
        json_object_set_new(seen, who, json_true());
        json_array_append_new(
            items, json_pack("{s:s, s:o, s:o}", "participant_id", who,
                             "home_division", home_of(t, cfg, who), "joined_at",
                             mn_api_time_json((uint64_t)mn_entity_int(
                                 &s->e[i], MN_M_JOINED_AT, 0))));
    }
    json_decref(seen);
    return items;
}

enum MHD_Result
mn_api_subnetwork_members(mn_http *h, struct MHD_Connection *c, const char *id,
                          mn_api_request *r) {
    uint8_t sub[MN_ID_BYTES];
    struct tags s = {.subnetwork = id};
    const mn_kind *missing = NULL;
    json_t *items = NULL;
    mn_txn *t = NULL;
    (void)r;
    if (mn_api_parse_id(id, sub) != MN_OK)
        return mn_api_kind_not_found(c, &mn_kind_subnetwork);
    int rc = mn_api_read_begin(h, &t);
    if (rc == MN_OK)
        rc = need(t, &mn_kind_subnetwork, sub, &missing);
    if (rc == MN_OK)
        rc = scan_members(t, sub, &s);
    if (rc == MN_OK)
        items = members_json(t, mn_node_config(h->node), &s);
    mn_txn_abort(&t);
    tags_release(&s);
    if (rc != MN_OK)
        return mn_api_kind_failure(c, &mn_kind_subnetwork, rc);
    return mn_api_send_json(
        c, 200,
        json_pack("{s:s, s:I, s:o}", "subnetwork_id", id, "count",
                  (json_int_t)json_array_size(items), "items", items));
}
