/*
 * res_export — a participant's rights of access and portability (GDPR
 * art. 15 and 20) and the withdrawal of her consent (art. 7(3)), README
 * "Access and export" and "Consent":
 *
 *   GET    /v1/participants/{id}/export   everything the network holds
 *                                         about her, as one JSON document
 *   DELETE /v1/participants/{id}/consent  clear her consent and her
 *                                         special fields in one change
 *
 * Both are answered only on her home division's node (elsewhere 409
 * not_home: only the home opens her sealed values and issues her
 * changes), and only for an admin or her home division's coordinator.
 *
 * Invariants: the export is read in one transaction, so its parts, the
 * digest and the version vector it names agree; reading it is audited as
 * a read of every class of her record (and of each related entity
 * shown); no value ever reaches a log line or an error message.
 */
#include <stdlib.h>
#include <string.h>

#include "api/audit.h"
#include "api/kind_json.h"
#include "api/resource.h"
#include "base/id.h"
#include "node/seal.h"
#include "state/meeting.h"
#include "state/membership.h"
#include "state/outcome.h"
#include "state/participant.h"
#include "state/partnership.h"
#include "state/state.h"

/* Who may act on participant e, and where: MHD_YES after answering the
 * refusal itself (then *ok false). */
static enum MHD_Result
refuse_unless_home(mn_http *h, struct MHD_Connection *c,
                   const mn_api_request *r, const mn_entity *e, bool *ok) {
    const mn_config *cfg = mn_node_config(h->node);
    int64_t home = mn_entity_int(e, MN_P_HOME, 0);
    *ok = false;
    if (home != (int64_t)cfg->self.id) {
        const mn_division *d = mn_config_division(cfg, (uint32_t)home);
        char msg[200];
        snprintf(msg, sizeof msg,
                 "only her home division's node (%s) exports her data or "
                 "records a withdrawal of her consent",
                 d ? d->name : "another division");
        return mn_api_send_error(c, 409, "not_home", NULL, msg);
    }
    if (!mn_api_may_write(r, &mn_kind_participant, e))
        return mn_api_forbidden(c, "only an admin or her home division's "
                                   "coordinator may do this");
    *ok = true;
    return MHD_YES;
}

/* Parse id (400 invalid_id) and load her (404). MHD_YES after answering
 * a refusal (then *ok false). */
static enum MHD_Result
load_her(mn_http *h, struct MHD_Connection *c, const char *id,
         uint8_t raw[MN_ID_BYTES], mn_entity *e, bool *ok) {
    *ok = false;
    if (mn_api_parse_id(id, raw) != MN_OK)
        return mn_api_send_error(c, 400, "invalid_id", NULL,
                                 "a participant's id is 32 lower-case hex "
                                 "digits");
    int rc = mn_api_kind_load(h, &mn_kind_participant, raw, e);
    if (rc != MN_OK)
        return mn_api_kind_failure(c, &mn_kind_participant, rc);
    *ok = true;
    return MHD_YES;
}

/* ---- the export --------------------------------------------------------- */

/* What the scans of one export share. */
struct gather {
    mn_http *h;
    mn_api_request *r;
    const mn_kind *kind; /* of the entities being scanned */
    json_t *into;        /* the array they go to */
    char her[MN_ID_TEXT];
    uint32_t field;  /* a REF field that must name her; 0: take all */
    uint8_t *pships; /* her partnerships' ids (MN_ID_BYTES each) */
    size_t npships, cap;
};

/* Render e (its values opened where this node can) for the caller, noting
 * what it showed for the audit log. */
static json_t *
render_clear(struct gather *g, const mn_kind *k, const mn_entity *e) {
    mn_entity clear;
    mn_entity_init(&clear, e->type, e->id);
    mn_node_unseal_entity(g->h->node, e, &clear);
    json_t *j = mn_api_render(g->r, k, &clear, mn_node_config(g->h->node));
    mn_entity_release(&clear);
    return j;
}

/* Her whole record, every value opened: the caller (an admin or her
 * home's coordinator) sees every class. The audit entry is the export's
 * own (mn_api_participant_export), of every class. */
static json_t *
render_her(mn_http *h, const mn_entity *e) {
    unsigned read;
    mn_entity clear;
    mn_entity_init(&clear, e->type, e->id);
    mn_node_unseal_entity(h->node, e, &clear);
    json_t *j = mn_kind_json_render_classes(&mn_kind_participant, &clear,
                                            mn_node_config(h->node),
                                            MN_KIND_JSON_ALL, &read);
    mn_entity_release(&clear);
    return j;
}

static void
add_entity(void *user, const mn_entity *e) {
    struct gather *g = user;
    const char *who = g->field ? mn_entity_str(e, g->field) : NULL;
    if (g->field && (!who || strcmp(who, g->her) != 0))
        return;
    json_array_append_new(g->into, render_clear(g, g->kind, e));
}

static void
add_partnership(void *user, const mn_entity *e) {
    struct gather *g = user;
    if (g->npships == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 8;
        g->pships = mn_realloc(g->pships, g->cap * MN_ID_BYTES);
    }
    memcpy(g->pships + g->npships++ * MN_ID_BYTES, e->id, MN_ID_BYTES);
    add_entity(user, e);
}

/* Scan every entity of k that index ix (a REF index; -1: none) names ref
 * for, into g->into through fn. */
static int
scan(mn_txn *t, struct gather *g, const mn_kind *k, int ix,
     const uint8_t ref[MN_ID_BYTES], void (*fn)(void *, const mn_entity *)) {
    mn_list_query q;
    mn_list_query_init(&q, k);
    if (ix >= 0) {
        q.has_ref[ix] = true;
        memcpy(q.ref[ix], ref, MN_ID_BYTES);
    }
    g->kind = k;
    return mn_api_kind_scan_query(t, &q, fn, g);
}

/* The position of k's index on field no. */
static int
index_on(const mn_kind *k, uint32_t no) {
    for (size_t i = 0; i < k->nindexes; i++)
        if (k->indexes[i].field == no)
            return (int)i;
    return -1;
}

/* Her partnerships (either side), their meetings, the outcomes about her
 * and her memberships, into doc. */
static int
gather_related(mn_txn *t, struct gather *g, const uint8_t id[MN_ID_BYTES],
               json_t *doc) {
    const mn_kind *ps = &mn_kind_partnership, *mt = &mn_kind_meeting;
    g->into = json_object_get(doc, "partnerships");
    int rc = scan(t, g, ps, index_on(ps, MN_PS_MENTEE), id, add_partnership);
    if (rc == MN_OK)
        rc = scan(t, g, ps, index_on(ps, MN_PS_MENTOR), id, add_partnership);
    g->into = json_object_get(doc, "meetings");
    for (size_t i = 0; rc == MN_OK && i < g->npships; i++)
        rc = scan(t, g, mt, index_on(mt, MN_MT_PARTNERSHIP),
                  g->pships + i * MN_ID_BYTES, add_entity);
    /* Outcomes and memberships have no index on the participant: a scan. */
    g->into = json_object_get(doc, "outcomes");
    g->field = MN_O_PARTICIPANT;
    if (rc == MN_OK)
        rc = scan(t, g, &mn_kind_outcome, -1, NULL, add_entity);
    g->into = json_object_get(doc, "memberships");
    g->field = MN_M_PARTICIPANT;
    if (rc == MN_OK)
        rc = scan(t, g, &mn_kind_membership, -1, NULL, add_entity);
    return rc;
}

static void
add_audit(void *user, json_t *entry) {
    json_array_append(user, entry);
}

/* The document's frame: when, where, and the empty lists. */
static json_t *
export_frame(mn_http *h) {
    const mn_config *cfg = mn_node_config(h->node);
    return json_pack("{s:o, s:o, s:[], s:[], s:[], s:[], s:[]}", "exported_at",
                     mn_api_time_json(mn_wall_ms()), "node",
                     mn_api_division_json(cfg, cfg->self.id), "partnerships",
                     "meetings", "outcomes", "memberships", "audit");
}

/* Fill doc from one read transaction. */
static int
export_read(mn_http *h, mn_api_request *r, const uint8_t id[MN_ID_BYTES],
            json_t *doc) {
    mn_txn *t;
    mn_entity e;
    struct gather g = {.h = h, .r = r};
    mn_id_format(id, g.her);
    int rc = mn_api_read_begin(h, &t);
    if (rc != MN_OK)
        return rc;
    rc = mn_state_get(t, MN_ENTITY_PARTICIPANT, id, &e);
    if (rc == MN_OK) {
        json_object_set_new(doc, "participant", render_her(h, &e));
        mn_entity_release(&e);
        rc = gather_related(t, &g, id, doc);
    }
    if (rc == MN_OK)
        rc = mn_api_add_digest(h, t, doc);
    mn_txn_abort(&t);
    free(g.pships);
    if (rc == MN_OK)
        rc = mn_audit_participant(h->audit, g.her, add_audit,
                                  json_object_get(doc, "audit"));
    return rc;
}

enum MHD_Result
mn_api_participant_export(mn_http *h, struct MHD_Connection *c, const char *id,
                          mn_api_request *r) {
    uint8_t raw[MN_ID_BYTES];
    mn_entity e;
    bool ok;
    enum MHD_Result out = load_her(h, c, id, raw, &e, &ok);
    if (!ok)
        return out;
    out = refuse_unless_home(h, c, r, &e, &ok);
    mn_entity_release(&e);
    if (!ok)
        return out;
    json_t *doc = export_frame(h);
    int rc = export_read(h, r, raw, doc);
    if (rc != MN_OK) {
        json_decref(doc);
        return mn_api_kind_failure(c, &mn_kind_participant, rc);
    }
    /* The export shows her whole record: a read of every class. */
    mn_api_saw(r, &mn_kind_participant, raw, MN_KIND_JSON_ALL);
    return mn_api_send_json(c, 200, doc);
}

/* ---- withdrawal of consent --------------------------------------------- */

enum MHD_Result
mn_api_participant_consent_withdraw(mn_http *h, struct MHD_Connection *c,
                                    const char *id, mn_api_request *r) {
    static const uint32_t cleared[] = {MN_P_CONSENT_PURPOSES, MN_P_CONSENT_AT,
                                       MN_P_COUNTRY, MN_P_BACKGROUND};
    mn_write w = {.type = MN_ENTITY_PARTICIPANT};
    mn_entity e;
    bool ok;
    enum MHD_Result out = load_her(h, c, id, w.id, &e, &ok);
    if (!ok)
        return out;
    out = refuse_unless_home(h, c, r, &e, &ok);
    mn_entity_release(&e);
    if (!ok)
        return out;
    /* One change clears all four, so no node ever holds her special
     * values without her consent, whatever order changes arrive in. */
    mn_ops_init(&w.ops);
    for (size_t i = 0; i < MN_ARRAY_LEN(cleared); i++)
        mn_ops_add_clear(&w.ops, cleared[i]);
    int rc = mn_node_write(h->node, &w, 1);
    mn_ops_release(&w.ops);
    if (rc == MN_OK)
        rc = w.result;
    if (rc != MN_OK)
        return mn_api_kind_failure(c, &mn_kind_participant, rc);
    return mn_api_kind_answer(h, c, r, &mn_kind_participant, w.id, 200);
}
