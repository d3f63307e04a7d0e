/*
 * roles — the per-record rules of the three roles (resource.h, README
 * "Roles"): which classes of an entity a caller sees, which entities a
 * coordinator may change or name, and the note of what a request showed
 * that the audit log records.
 *
 * The route table (router.c) decides who may call a route at all; these
 * decide, inside a route, per entity. Rules read only the entity's own
 * division fields, from its kind's table, so a new kind follows them
 * without an edit here.
 *
 * Invariant: a coordinator sees a personal or special field only of an
 * entity of her own division; the national role never sees one; nothing
 * here ever copies a field's value.
 */
#include <string.h>

#include "api/kind_json.h"
#include "api/resource.h"
#include "state/participant.h"
#include "state/partnership.h"

bool
mn_api_of_division(const mn_kind *k, const mn_entity *e, uint32_t d) {
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].type == MN_FT_DIVISION &&
            mn_entity_int(e, k->fields[i].no, 0) == (int64_t)d)
            return true;
    return false;
}

bool
mn_api_may_see(const mn_api_request *r, const mn_kind *k, const mn_entity *e,
               enum mn_fvis vis) {
    switch (r->who.role) {
    case MN_API_ADMIN: return true;
    case MN_API_COORDINATOR:
        return vis == MN_VIS_PROFILE ||
               mn_api_of_division(k, e, r->who.division);
    case MN_API_NATIONAL: return vis == MN_VIS_PROFILE;
    }
    return false;
}

unsigned
mn_api_visible(const mn_api_request *r, const mn_kind *k, const mn_entity *e) {
    static const enum mn_fvis all[] = {MN_VIS_PROFILE, MN_VIS_PERSONAL,
                                       MN_VIS_SPECIAL};
    unsigned vis = 0;
    for (size_t i = 0; i < MN_ARRAY_LEN(all); i++)
        if (mn_api_may_see(r, k, e, all[i]))
            vis |= MN_KIND_JSON_CLASS(all[i]);
    return vis;
}

bool
mn_api_may_search(const mn_api_request *r, const mn_kind *k,
                  const mn_entity *e) {
    for (size_t i = 0; i < k->nsearch; i++) {
        const mn_field_def *f = mn_kind_field(k, k->search[i]);
        if (f && !mn_api_may_see(r, k, e, f->vis))
            return false;
    }
    return true;
}

bool
mn_api_may_write(const mn_api_request *r, const mn_kind *k,
                 const mn_entity *e) {
    return r->who.role == MN_API_ADMIN ||
           (r->who.role == MN_API_COORDINATOR &&
            mn_api_of_division(k, e, r->who.division));
}

/* Is id a participant or partnership of division d? MN_ENOTFOUND when it
 * is neither. */
static int
ref_of_division(mn_http *h, const uint8_t id[MN_ID_BYTES], uint32_t d,
                bool *mine) {
    static const mn_kind *const kinds[] = {&mn_kind_participant,
                                           &mn_kind_partnership};
    for (size_t i = 0; i < MN_ARRAY_LEN(kinds); i++) {
        mn_entity e;
        int rc = mn_api_kind_load(h, kinds[i], id, &e);
        if (rc == MN_ENOTFOUND)
            continue;
        if (rc != MN_OK)
            return rc;
        *mine = mn_api_of_division(kinds[i], &e, d);
        mn_entity_release(&e);
        return MN_OK;
    }
    return MN_ENOTFOUND;
}

int
mn_api_may_refer(mn_http *h, const mn_api_request *r, const uint8_t *ids,
                 size_t n, bool any) {
    size_t mine = 0;
    if (r->who.role == MN_API_ADMIN)
        return MN_OK;
    if (r->who.role != MN_API_COORDINATOR)
        return MN_EAUTH;
    for (size_t i = 0; i < n; i++) {
        bool is_mine = false;
        int rc = ref_of_division(h, ids + i * MN_ID_BYTES, r->who.division,
                                 &is_mine);
        if (rc != MN_OK)
            return rc;
        mine += is_mine;
    }
    return (any ? mine > 0 : mine == n) ? MN_OK : MN_EAUTH;
}

void
mn_api_saw(mn_api_request *r, const mn_kind *k, const uint8_t id[MN_ID_BYTES],
           unsigned classes) {
    if (r->nseen == r->seen_cap) {
        r->seen_cap = r->seen_cap ? 2 * r->seen_cap : 4;
        r->seen = mn_realloc(r->seen, r->seen_cap * sizeof *r->seen);
    }
    mn_api_seen *s = &r->seen[r->nseen++];
    s->kind = k;
    memset(s->id, 0, MN_ID_BYTES);
    if (id)
        memcpy(s->id, id, MN_ID_BYTES);
    s->classes = classes;
}

json_t *
mn_api_render(mn_api_request *r, const mn_kind *k, const mn_entity *e,
              const mn_config *cfg) {
    unsigned read;
    json_t *j =
        mn_kind_json_render_classes(k, e, cfg, mn_api_visible(r, k, e), &read);
    read &= ~MN_KIND_JSON_CLASS(MN_VIS_PROFILE);
    if (read)
        mn_api_saw(r, k, e->id, read);
    return j;
}

enum MHD_Result
mn_api_forbidden(struct MHD_Connection *c, const char *message) {
    return mn_api_send_error(c, 403, "forbidden", NULL, message);
}
