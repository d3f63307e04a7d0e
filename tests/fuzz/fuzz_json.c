/*
 * fuzz_json — an API request body through validation and rendering:
 * bytes -> mn_json_parse (as src/api parses) -> mn_kind_json_parse,
 * as a create of every kind (participants, sub-networks, memberships,
 * outcomes) and as a patch against two fixed stored participants (a
 * mentor and a mentee, built by merging ops as the node does); every
 * accepted body's ops are merged into the entity and rendered back with
 * mn_kind_json_render.
 *
 * The bulk import (POST /v1/import, src/api/import.c check_line) splits
 * its NDJSON body at newlines and runs each line through exactly this
 * mn_json_parse + mn_kind_json_parse (a create), so this harness covers it;
 * it has no harness of its own.
 *
 * Oracles besides the sanitizers:
 *   - what the API renders for a created entity of any kind, minus the
 *     read-only fields and nulls, is itself a valid create body that yields
 *     the same entity (the API accepts what it emits);
 *   - a patch never changes the role nor clears a required field, and only
 *     mentors ever hold a capacity;
 *   - every accepted body can be stored and replicated: its ops, encoded as
 *     a change body, decode again (as every peer decodes them), and so does
 *     the resulting entity (as the store decodes it on every read).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "door/codec.h"
#include "fuzz.h"
#include "base/hlc.h"
#include "api/kind_json.h"
#include "state/participant.h"

#define NOW_MS UINT64_C(1767225600000)

static mn_config cfg;
static mn_entity mentor, mentee;
static const uint8_t new_id[MN_ID_BYTES] = {0x01, 0x9b, 0x77, 0x00, 0x00,
                                            0x00, 0x70, 0x01, 0x80, 0x02};

static void
make_config(void) {
    static const char *const names[] = {"copenhagen", "aarhus", "esbjerg",
                                        "odense", "tingbjerg"};
    for (size_t i = 0; i < MN_ARRAY_LEN(names); i++) {
        mn_division *d = &cfg.divisions[i];
        d->id = (uint32_t)i + 1;
        snprintf(d->name, sizeof d->name, "%s", names[i]);
    }
    cfg.ndivisions = MN_ARRAY_LEN(names);
    cfg.self = cfg.divisions[0];
}

static void
make_stored(mn_entity *e, uint8_t tag, bool is_mentor) {
    uint8_t id[MN_ID_BYTES];
    mn_ops ops;
    mn_stamp st = {MN_HLC_MAKE(NOW_MS - 86400000, 0), 3, 1};
    memset(id, tag, sizeof id);
    mn_entity_init(e, MN_ENTITY_PARTICIPANT, id);
    mn_ops_init(&ops);
    mn_ops_add_str(&ops, MN_P_ROLE, is_mentor ? "mentor" : "mentee", 6);
    mn_ops_add_int(&ops, MN_P_HOME, 3);
    mn_ops_add_str(&ops, MN_P_STATUS, "waiting", 7);
    mn_ops_add_str(&ops, MN_P_GIVEN_NAME, "Amal", 4);
    mn_ops_add_str(&ops, MN_P_FAMILY_NAME, "Haddad", 6);
    mn_ops_add_str(&ops, MN_P_EMAIL, "amal@example.org", 16);
    mn_ops_add_str(&ops, MN_P_COUNTRY, "SY", 2);
    mn_ops_add_str(&ops, MN_P_LANGUAGES, "ar,da", 5);
    mn_ops_add_str(&ops, MN_P_GOALS, "job", 3);
    mn_ops_add_str(&ops, MN_P_CONSENT_PURPOSES, "matching", 8);
    mn_ops_add_int(&ops, MN_P_CONSENT_AT, (int64_t)NOW_MS - 86400000);
    if (is_mentor)
        mn_ops_add_int(&ops, MN_P_CAPACITY, 2);
    else
        mn_ops_add_clear(&ops, MN_P_NOTES);
    if (mn_entity_merge(e, ops.op, ops.n, &st) < 0)
        abort();
    mn_ops_release(&ops);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    make_config();
    make_stored(&mentor, 0xa, true);
    make_stored(&mentee, 0xb, false);
    return 0;
}

/* Render e (of kind k), and serialise it the way the HTTP layer does. */
static json_t *
render_kind(const mn_kind *k, const mn_entity *e) {
    json_t *j = mn_kind_json_render(k, e, &cfg);
    FUZZ_CHECK(json_is_object(j), "mn_kind_json_render gave no object");
    char *z = json_dumps(j, JSON_COMPACT);
    FUZZ_CHECK(z != NULL, "a rendered %s does not serialise", k->name);
    free(z);
    return j;
}

static json_t *
render(const mn_entity *e) {
    return render_kind(&mn_kind_participant, e);
}

static void
check_rules(const mn_entity *e) {
    const char *role = mn_entity_str(e, MN_P_ROLE);
    const mn_field *cap = mn_entity_get(e, MN_P_CAPACITY);
    const mn_kind *k = &mn_kind_participant;
    FUZZ_CHECK(role != NULL, "a participant without a role");
    FUZZ_CHECK(!cap || cap->v.kind == MN_V_NONE || strcmp(role, "mentor") == 0,
               "a %s with a capacity", role);
    for (size_t i = 0; i < k->nfields; i++)
        FUZZ_CHECK(!(k->fields[i].flags & MN_F_REQUIRED) ||
                       mn_entity_str(e, k->fields[i].no) != NULL,
                   "required field %u is gone", k->fields[i].no);
}

/* What a node does with accepted ops: encode them as a change body (a peer
 * decodes it) and the merged entity as stored (every read decodes it). */
static void
check_codec(const mn_ops *ops, const mn_entity *e) {
    mn_buf b;
    mn_ops back;
    mn_entity stored;
    uint32_t type;
    uint8_t id[MN_ID_BYTES];
    mn_buf_init(&b);
    mn_codec_body_encode(e->type, e->id, ops->op, ops->n, &b);
    FUZZ_CHECK(ops->n == 0 ||
                   mn_codec_body_decode(b.p, b.len, &type, id, &back) == MN_OK,
               "peers cannot decode the change of an accepted body");
    if (ops->n)
        mn_ops_release(&back);
    mn_buf_reset(&b);
    mn_codec_entity_encode(e, &b);
    FUZZ_CHECK(mn_codec_entity_decode(b.p, b.len, &stored) == MN_OK,
               "the store cannot read back an accepted participant");
    mn_entity_release(&stored);
    mn_buf_release(&b);
}

/* The rendering minus read-only fields (the node's: the entity's own and
 * the table's node-assigned ones) and nulls: a create body. */
static json_t *
as_create_body(const mn_kind *k, const json_t *rendered) {
    static const char *const read_only[] = {"id", "created_at", "updated_at"};
    json_t *body = json_deep_copy(rendered);
    const char *key;
    json_t *v, *tmp;
    for (size_t i = 0; i < MN_ARRAY_LEN(read_only); i++)
        json_object_del(body, read_only[i]);
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].write == MN_WRITE_NODE)
            json_object_del(body, mn_field_key(&k->fields[i]));
    json_object_foreach_safe(body, tmp, key, v) {
        if (json_is_null(v))
            json_object_del(body, key);
    }
    return body;
}

/* Parse body as a create of kind k and merge it into a new entity. */
static int
create(const mn_kind *k, const json_t *body, mn_entity *e, mn_problem *p) {
    mn_ops ops;
    mn_stamp st = {MN_HLC_MAKE(NOW_MS, 0), 1, 1};
    mn_ops_init(&ops);
    int rc = mn_kind_json_parse(k, body, NULL, cfg.self.id, &ops, p);
    mn_entity_init(e, k->type, new_id);
    if (rc == MN_OK) {
        FUZZ_CHECK(mn_entity_merge(e, ops.op, ops.n, &st) >= 0,
                   "a valid create does not fit an entity");
        check_codec(&ops, e);
    }
    mn_ops_release(&ops);
    return rc;
}

/* body as a create of kind k (every kind: the others' tables are read by
 * the same code); what the API renders, posted again, is accepted and
 * makes the same entity. */
static void
fuzz_create(const mn_kind *k, const json_t *body) {
    mn_entity e, again;
    mn_problem p;
    if (create(k, body, &e, &p) != MN_OK)
        return;
    if (k == &mn_kind_participant)
        check_rules(&e);
    json_t *rendered = render_kind(k, &e);
    json_t *body2 = as_create_body(k, rendered);
    int rc = create(k, body2, &again, &p);
    FUZZ_CHECK(rc == MN_OK, "the API refuses its own rendering: %s (%s)",
               p.message, p.field);
    json_t *rendered2 = render_kind(k, &again);
    FUZZ_CHECK(json_equal(rendered, rendered2),
               "a %s changes when its rendering is posted again", k->name);
    json_decref(rendered2);
    json_decref(body2);
    json_decref(rendered);
    mn_entity_release(&again);
    mn_entity_release(&e);
}

static void
fuzz_patch(const json_t *body, const mn_entity *stored) {
    mn_ops ops;
    mn_problem p;
    mn_entity e;
    mn_stamp st = {MN_HLC_MAKE(NOW_MS, 0), 1, 7};
    mn_ops_init(&ops);
    if (mn_kind_json_parse(&mn_kind_participant, body, stored, 0, &ops, &p) !=
        MN_OK)
        return;
    mn_entity_copy(&e, stored);
    FUZZ_CHECK(mn_entity_merge(&e, ops.op, ops.n, &st) >= 0,
               "a valid patch does not fit the entity");
    check_codec(&ops, &e);
    mn_ops_release(&ops);
    check_rules(&e);
    FUZZ_CHECK(strcmp(mn_entity_str(&e, MN_P_ROLE),
                      mn_entity_str(stored, MN_P_ROLE)) == 0,
               "a patch changed the role");
    json_decref(render(&e));
    mn_entity_release(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    json_error_t jerr;
    json_t *body = mn_json_parse((const char *)data, size, &jerr);
    if (!body)
        return 0;
    for (size_t i = 0; i < mn_kind_count(); i++)
        fuzz_create(mn_kind_at(i), body);
    fuzz_patch(body, &mentor);
    fuzz_patch(body, &mentee);
    json_decref(body);
    return 0;
}
