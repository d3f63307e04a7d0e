/*
 * res_matching — GET /v1/matching/suggestions and POST /v1/matching/plan
 * (README "Matching"): scored suggestions for one mentee or one mentor,
 * and the plan with the largest total score over a division or the
 * country. Both read the pool (match/pool.h) in one read transaction and
 * answer with the version vector and digest of that snapshot, so a plan
 * is shown with the state it is a function of.
 *
 * Only `profile` fields are read and shown: a suggestion names the other
 * side by id, division and profile, never by a personal or special field.
 * Nothing here writes: the coordinator proposes the pairs she chooses.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/kind_json.h"
#include "api/resource.h"
#include "match/plan.h"
#include "state/participant.h"

#define SUGGEST_DEFAULT 10
#define SUGGEST_MAX 100

/* One plan at a time: a national plan's matrix can take hundreds of MB. */
static pthread_mutex_t plan_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- rendering ---------------------------------------------------------- */

static json_t *
weights_json(const uint32_t w[MN_MC_COUNT]) {
    json_t *o = json_object();
    for (int c = 0; c < MN_MC_COUNT; c++)
        json_object_set_new(o, mn_config_weight_names[c], json_integer(w[c]));
    return o;
}

/* [{criterion, points, weight, why}] for every criterion that weighs. */
static json_t *
reasons_json(const uint32_t w[MN_MC_COUNT], const mn_match_reasons *why) {
    json_t *a = json_array();
    for (int c = 0; c < MN_MC_COUNT; c++) {
        if (w[c] == 0)
            continue;
        json_array_append_new(
            a, json_pack("{s:s, s:i, s:i, s:s}", "criterion",
                         mn_config_weight_names[c], "points",
                         (json_int_t)why->points[c], "weight", (json_int_t)w[c],
                         "why", mn_match_reason_text(c, why->points[c], w[c])));
    }
    return a;
}

/* Participant e as the API renders her, with only the `profile` class. */
static json_t *
profile_json(const mn_entity *e, const mn_config *cfg) {
    const mn_kind *k = &mn_kind_participant;
    json_t *o = mn_kind_json_render(k, e, cfg);
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].vis != MN_VIS_PROFILE)
            json_object_del(o, k->fields[i].group ? k->fields[i].group
                                                  : k->fields[i].name);
    return o;
}

/* The profile of participant id as t holds it (null if gone). */
static json_t *
load_profile(mn_txn *t, const uint8_t id[MN_ID_BYTES], const mn_config *cfg) {
    mn_entity e;
    if (mn_state_get(t, MN_ENTITY_PARTICIPANT, id, &e) != MN_OK)
        return json_null();
    json_t *o = profile_json(&e, cfg);
    mn_entity_release(&e);
    return o;
}

/* Set p and return status: the answer a handler then sends. */
static unsigned
refuse(mn_problem *p, unsigned status, const char *code, const char *field,
       const char *message) {
    mn_problem_set(p, code, field, "%s", message);
    return status;
}

static json_t *
id_json(const uint8_t id[MN_ID_BYTES]) {
    char z[MN_ID_TEXT];
    mn_id_format(id, z);
    return json_string(z);
}

/* ---- suggestions --------------------------------------------------------- */

typedef struct suggest_q {
    bool for_mentee; /* mentee=ID, else mentor=ID */
    uint8_t id[MN_ID_BYTES];
    bool national;
    size_t limit;
} suggest_q;

typedef struct ranked {
    int32_t score;
    size_t idx; /* into the pool's other side, which is in id order */
    mn_match_reasons why;
} ranked;

/* Best score first; equal scores in id order, the same on every node. */
static int
by_rank(const void *x, const void *y) {
    const ranked *a = x, *b = y;
    if (a->score != b->score)
        return a->score < b->score ? 1 : -1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

static int
parse_suggest(struct MHD_Connection *c, suggest_q *q, mn_problem *p) {
    const char *mentee = mn_api_arg(c, "mentee");
    const char *mentor = mn_api_arg(c, "mentor");
    const char *scope = mn_api_arg(c, "scope");
    const char *limit = mn_api_arg(c, "limit");
    if (!mentee == !mentor)
        return mn_problem_set(p, "bad_query", "mentee",
                              "give mentee=ID or mentor=ID, not both");
    q->for_mentee = mentee != NULL;
    if (mn_api_parse_id(mentee ? mentee : mentor, q->id) != MN_OK)
        return mn_problem_set(p, "bad_query", mentee ? "mentee" : "mentor",
                              "an id is 32 lower-case hex digits");
    if (scope && strcmp(scope, "national") != 0 &&
        strcmp(scope, "division") != 0)
        return mn_problem_set(p, "bad_query", "scope",
                              "scope: division or national");
    q->national = !scope || strcmp(scope, "national") == 0;
    char *end;
    unsigned long n = limit ? strtoul(limit, &end, 10) : SUGGEST_DEFAULT;
    if (limit &&
        (*limit < '0' || *limit > '9' || *end || n < 1 || n > SUGGEST_MAX))
        return mn_problem_set(p, "bad_query", "limit",
                              "limit: a whole number from 1 to 100");
    q->limit = n;
    return MN_OK;
}

/* Is the person the query names in the pool? OUT: *idx. Else p says why
 * (404 gone, 400 the other role, 409 not available). */
static unsigned
find_subject(mn_txn *t, const mn_match_pool *pool, const suggest_q *q,
             long *idx, mn_problem *p) {
    mn_entity e;
    int rc = mn_state_get(t, MN_ENTITY_PARTICIPANT, q->id, &e);
    if (rc == MN_ENOTFOUND)
        return refuse(p, 404, "not_found", NULL, "no such participant");
    if (rc != MN_OK)
        return refuse(p, 500, "internal", NULL, "could not read the state");
    int role = mn_kind_enum_of(&mn_kind_participant, &e, MN_P_ROLE);
    int status = mn_kind_enum_of(&mn_kind_participant, &e, MN_P_STATUS);
    mn_entity_release(&e);
    const char *param = q->for_mentee ? "mentee" : "mentor";
    if (role != (q->for_mentee ? MN_ROLE_MENTEE : MN_ROLE_MENTOR))
        return refuse(p, 400, "bad_query", param,
                      q->for_mentee ? "mentee: she is not a mentee"
                                    : "mentor: she is not a mentor");
    *idx = q->for_mentee ? mn_match_pool_mentee(pool, q->id)
                         : mn_match_pool_mentor(pool, q->id);
    if (*idx >= 0)
        return 200;
    if (!q->for_mentee)
        return refuse(p, 409, "not_available", param,
                      "she is not waiting or matched, or has no free slot");
    if (status != MN_STATUS_WAITING)
        return refuse(p, 409, "not_waiting", param, "she is not waiting");
    return refuse(p, 409, "has_partnership", param,
                  "she already has a proposed, reserved or active "
                  "partnership");
}

/* Score the subject (pool index idx) against every candidate of the other
 * side in scope. OUT: *n ranked, sorted (caller frees). */
static ranked *
rank_candidates(const mn_match_pool *pool, const suggest_q *q, size_t idx,
                const uint32_t w[MN_MC_COUNT], size_t *n) {
    const mn_match_profile *me =
        q->for_mentee ? &pool->mentees[idx] : &pool->mentors[idx];
    const mn_match_profile *others =
        q->for_mentee ? pool->mentors : pool->mentees;
    size_t nothers = q->for_mentee ? pool->nmentors : pool->nmentees;
    ranked *out = mn_malloc((nothers ? nothers : 1) * sizeof *out);
    *n = 0;
    for (size_t i = 0; i < nothers; i++) {
        const mn_match_profile *a = q->for_mentee ? me : &others[i];
        const mn_match_profile *b = q->for_mentee ? &others[i] : me;
        if (!q->national && a->division != b->division)
            continue;
        if (mn_match_pool_declined(pool, a->id, b->id))
            continue;
        ranked *r = &out[*n];
        r->score = mn_match_score(w, a, b, &r->why);
        r->idx = i;
        *n += r->score >= 0;
    }
    qsort(out, *n, sizeof *out, by_rank);
    return out;
}

static json_t *
suggestions_json(mn_txn *t, const mn_match_pool *pool, const suggest_q *q,
                 const ranked *r, size_t n, const mn_config *cfg) {
    const uint32_t *w = cfg->match_weight;
    json_t *list = json_array();
    for (size_t i = 0; i < n && i < q->limit; i++) {
        const mn_match_profile *o =
            q->for_mentee ? &pool->mentors[r[i].idx] : &pool->mentees[r[i].idx];
        json_t *s = json_pack(
            "{s:o, s:o, s:i, s:o, s:o}",
            q->for_mentee ? "mentor_id" : "mentee_id", id_json(o->id),
            "division", mn_api_division_json(cfg, o->division), "score",
            (json_int_t)r[i].score, "reasons", reasons_json(w, &r[i].why),
            "profile", load_profile(t, o->id, cfg));
        if (!q->for_mentee)
            json_object_set_new(s, "free_slots", json_null());
        else
            json_object_set_new(s, "free_slots",
                                json_integer(pool->free[r[i].idx]));
        json_array_append_new(list, s);
    }
    return json_pack("{s:o, s:s, s:i, s:o, s:o}",
                     q->for_mentee ? "mentee_id" : "mentor_id", id_json(q->id),
                     "scope", q->national ? "national" : "division",
                     "candidates", (json_int_t)n, "suggestions", list,
                     "weights", weights_json(w));
}

/* Everything a suggestion needs, in one snapshot t. */
static unsigned
suggest_in(mn_http *h, mn_txn *t, const suggest_q *q, json_t **out,
           mn_problem *p) {
    const mn_config *cfg = mn_node_config(h->node);
    mn_match_pool pool;
    long idx = -1;
    size_t n;
    if (mn_match_pool_load(t, &pool) != MN_OK)
        return refuse(p, 500, "internal", NULL, "could not read the state");
    unsigned status = find_subject(t, &pool, q, &idx, p);
    if (status == 200) {
        ranked *r =
            rank_candidates(&pool, q, (size_t)idx, cfg->match_weight, &n);
        *out = suggestions_json(t, &pool, q, r, n, cfg);
        free(r);
        if (mn_api_add_digest(h, t, *out) != MN_OK)
            status =
                refuse(p, 500, "internal", NULL, "could not read the digest");
    }
    mn_match_pool_release(&pool);
    return status;
}

enum MHD_Result
mn_api_match_suggestions(mn_http *h, struct MHD_Connection *c, const char *id,
                         mn_api_request *r) {
    suggest_q q = {0};
    mn_problem p = {0};
    mn_txn *t;
    json_t *j = NULL;
    (void)id, (void)r;
    if (parse_suggest(c, &q, &p) != MN_OK)
        return mn_api_send_error(c, 400, p.code, p.field, p.message);
    int rc = mn_api_read_begin(h, &t);
    if (rc != MN_OK)
        return mn_api_send_failure(c, rc);
    unsigned status = suggest_in(h, t, &q, &j, &p);
    mn_txn_abort(&t);
    if (status == 200)
        return mn_api_send_json(c, 200, j);
    json_decref(j);
    return mn_api_send_error(c, status, p.code, p.field[0] ? p.field : NULL,
                             p.message);
}

/* ---- the plan --------------------------------------------------------------
 */

typedef struct plan_body {
    bool national;
    uint32_t division;
    mn_match_idpair *pins, *excludes;
    size_t npins, nexcludes;
} plan_body;

/* body[key]: an array of {mentee_id, mentor_id} into *out, *n. */
static int
parse_pairs(const json_t *body, const char *key, mn_match_idpair **out,
            size_t *n, mn_problem *p) {
    static const char *const keys[] = {"mentee_id", "mentor_id"};
    const json_t *a = json_object_get(body, key);
    size_t i;
    const json_t *v;
    *out = NULL, *n = 0;
    if (!a)
        return MN_OK;
    if (!json_is_array(a) || json_array_size(a) > MN_MATCH_MAX_PAIRS)
        return mn_problem_set(p, "invalid_field", key,
                              "%s: an array of at most %d {mentee_id, "
                              "mentor_id}",
                              key, MN_MATCH_MAX_PAIRS);
    *out = mn_calloc(json_array_size(a) + 1, sizeof **out);
    json_array_foreach(a, i, v) {
        const char *mentee = json_string_value(json_object_get(v, "mentee_id"));
        const char *mentor = json_string_value(json_object_get(v, "mentor_id"));
        if (mn_api_body_keys(v, keys, 2, p) != MN_OK ||
            mn_id_parse(mentee, (*out)[i].mentee) != MN_OK ||
            mn_id_parse(mentor, (*out)[i].mentor) != MN_OK)
            return mn_problem_set(p, "invalid_field", key,
                                  "%s[%zu]: {mentee_id, mentor_id}, two ids",
                                  key, i);
    }
    *n = json_array_size(a);
    return MN_OK;
}

static int
parse_scope(const json_t *body, const mn_config *cfg, plan_body *b,
            mn_problem *p) {
    const char *scope = json_string_value(json_object_get(body, "scope"));
    const json_t *div = json_object_get(body, "division");
    if (json_object_get(body, "scope") &&
        (!scope ||
         (strcmp(scope, "national") != 0 && strcmp(scope, "division") != 0)))
        return mn_problem_set(p, "invalid_field", "scope",
                              "scope: \"national\" or \"division\"");
    b->national = !scope || strcmp(scope, "national") == 0;
    b->division = b->national ? 0 : cfg->self.id;
    if (!div)
        return MN_OK;
    const mn_division *d = mn_config_division_by_name(
        cfg, json_string_value(div) ? json_string_value(div) : "");
    if (b->national || !d)
        return mn_problem_set(p, "invalid_field", "division",
                              b->national ? "division: only with scope "
                                            "\"division\""
                                          : "division: no division of that "
                                            "name");
    b->division = d->id;
    return MN_OK;
}

static int
parse_plan(const json_t *body, const mn_config *cfg, plan_body *b,
           mn_problem *p) {
    static const char *const keys[] = {"scope", "division", "pins", "excludes"};
    memset(b, 0, sizeof *b);
    int rc = mn_api_body_keys(body, keys, MN_ARRAY_LEN(keys), p);
    if (rc == MN_OK)
        rc = parse_scope(body, cfg, b, p);
    if (rc == MN_OK)
        rc = parse_pairs(body, "pins", &b->pins, &b->npins, p);
    if (rc == MN_OK)
        rc = parse_pairs(body, "excludes", &b->excludes, &b->nexcludes, p);
    return rc;
}

static json_t *
pair_json(const mn_match_pool *pool, const mn_match_pair *pair,
          const mn_config *cfg) {
    const mn_match_profile *a = &pool->mentees[pair->mentee];
    const mn_match_profile *b = &pool->mentors[pair->mentor];
    return json_pack("{s:o, s:o, s:o, s:o, s:i, s:b, s:o}", "mentee_id",
                     id_json(a->id), "mentor_id", id_json(b->id),
                     "mentee_division", mn_api_division_json(cfg, a->division),
                     "mentor_division", mn_api_division_json(cfg, b->division),
                     "score", (json_int_t)pair->score, "pinned", pair->pinned,
                     "reasons", reasons_json(cfg->match_weight, &pair->why));
}

static json_t *
plan_json(const mn_match_pool *pool, const plan_body *b,
          const mn_match_plan *plan, const mn_config *cfg) {
    json_t *pairs = json_array();
    size_t cross = 0;
    for (size_t i = 0; i < plan->npairs; i++) {
        const mn_match_pair *pair = &plan->pairs[i];
        cross += pool->mentees[pair->mentee].division !=
                 pool->mentors[pair->mentor].division;
        json_array_append_new(pairs, pair_json(pool, pair, cfg));
    }
    return json_pack(
        "{s:s, s:o, s:I, s:i, s:i, s:i, s:i, s:i, s:o, s:o}", "scope",
        b->national ? "national" : "division", "division",
        b->national ? json_null() : mn_api_division_json(cfg, b->division),
        "total_score", (json_int_t)plan->total, "mentees_waiting",
        (json_int_t)plan->mentees, "mentor_slots", (json_int_t)plan->slots,
        "matched", (json_int_t)plan->npairs, "unmatched",
        (json_int_t)(plan->mentees - plan->npairs), "cross_division",
        (json_int_t)cross, "weights", weights_json(cfg->match_weight), "pairs",
        pairs);
}

/* Read the pool and the snapshot's vector and digest (into *meta). */
static int
read_pool(mn_http *h, mn_match_pool *pool, json_t *meta) {
    mn_txn *t;
    int rc = mn_api_read_begin(h, &t);
    if (rc != MN_OK)
        return rc;
    rc = mn_match_pool_load(t, pool);
    if (rc == MN_OK && (rc = mn_api_add_digest(h, t, meta)) != MN_OK)
        mn_match_pool_release(pool);
    mn_txn_abort(&t);
    return rc;
}

/* Compute b's plan and answer it. */
static enum MHD_Result
answer_plan(mn_http *h, struct MHD_Connection *c, const plan_body *b) {
    const mn_config *cfg = mn_node_config(h->node);
    mn_match_pool pool;
    mn_match_plan plan;
    mn_problem p = {0};
    json_t *meta = json_object();
    mn_match_plan_req req = {b->division, cfg->match_weight, b->pins,
                             b->npins,    b->excludes,       b->nexcludes};
    pthread_mutex_lock(&plan_lock);
    int rc = read_pool(h, &pool, meta);
    if (rc != MN_OK) {
        pthread_mutex_unlock(&plan_lock);
        json_decref(meta);
        return mn_api_send_failure(c, rc);
    }
    uint64_t t0 = mn_mono_ns();
    rc = mn_match_plan_solve(&pool, &req, &plan, &p);
    json_t *j = rc == MN_OK ? plan_json(&pool, b, &plan, cfg) : NULL;
    if (j) {
        json_object_update(j, meta);
        json_object_set_new(
            j, "computed_ms",
            json_integer((json_int_t)((mn_mono_ns() - t0) / 1000000)));
    }
    mn_match_plan_release(&plan);
    mn_match_pool_release(&pool);
    pthread_mutex_unlock(&plan_lock);
    json_decref(meta);
    if (j)
        return mn_api_send_json(c, 200, j);
    return mn_api_send_error(c, rc == MN_ETOOBIG ? 413 : 409, p.code, p.field,
                             p.message);
}

enum MHD_Result
mn_api_match_plan(mn_http *h, struct MHD_Connection *c, const char *id,
                  mn_api_request *r) {
    json_t *body = NULL;
    plan_body b;
    mn_problem p;
    (void)id;
    if (r->body.len > 0) {
        enum MHD_Result sent = mn_api_parse_body(c, r, &body);
        if (!body)
            return sent; /* answered 400 bad_json */
    }
    if (!body)
        body = json_object();
    int rc = parse_plan(body, mn_node_config(h->node), &b, &p);
    json_decref(body);
    enum MHD_Result res =
        rc == MN_OK ? answer_plan(h, c, &b) : mn_api_send_problem(c, &p);
    free(b.pins);
    free(b.excludes);
    return res;
}
