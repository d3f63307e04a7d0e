/*
 * kind_json — see kind_json.h. A field with a group lives inside a JSON
 * object named by the group ("consent": {"purposes": [...], "given_at":
 * "..."}): the group is given, cleared (null) and rendered whole.
 */
#include "api/kind_json.h"

#include <stdio.h>
#include <string.h>

#include "base/id.h"

/* Keys every entity renders that no request may set. */
static const char *const read_only[] = {"id", "created_at", "updated_at"};

/* ---- what the body gives ---------------------------------------------- */

static const json_t *
given_value(const mn_field_def *f, const json_t *body) {
    const json_t *v = json_object_get(body, mn_field_key(f));
    return f->group ? json_object_get(v, f->name) : v;
}

/* A group given as null clears each of its members. */
static void
fill_input(const mn_kind *k, const json_t *body, mn_kind_input *in) {
    for (size_t i = 0; i < k->nfields; i++) {
        const mn_field_def *f = &k->fields[i];
        const json_t *v = given_value(f, body);
        const json_t *group = json_object_get(body, mn_field_key(f));
        bool cleared = f->group && json_is_null(group);
        in->given[i] = cleared || json_is_null(v) ? MN_GIVEN_NULL
                       : !v                       ? MN_GIVEN_NO
                                                  : MN_GIVEN_VALUE;
        in->str[i] = json_string_value(v);
        in->items[i] = json_array_size(v);
    }
}

/* A patch may repeat a write-once value, never change it. */
static int
check_once(const mn_kind *k, const mn_kind_input *in, const mn_entity *current,
           mn_problem *p) {
    for (size_t i = 0; current && i < k->nfields; i++) {
        const mn_field_def *f = &k->fields[i];
        const char *had = mn_entity_str(current, f->no);
        if (f->write != MN_WRITE_ONCE || in->given[i] == MN_GIVEN_NO)
            continue;
        if (!in->str[i] || !had || strcmp(in->str[i], had) != 0)
            return mn_problem_set(p, "invalid_field", f->name,
                                  "%s: cannot change after intake", f->name);
    }
    return MN_OK;
}

static int
check_required(const mn_kind *k, const mn_kind_input *in, mn_problem *p) {
    for (size_t i = 0; i < k->nfields; i++) {
        const mn_field_def *f = &k->fields[i];
        if ((f->flags & MN_F_REQUIRED) && !f->def &&
            in->given[i] == MN_GIVEN_NO)
            return mn_problem_set(p, "missing_field", f->name,
                                  "%s: is required", f->name);
    }
    return MN_OK;
}

/* ---- one value -------------------------------------------------------- */

/* An array of distinct codes of f, comma-joined into joined. */
static int
codes_join(const mn_field_def *f, const char *path, const json_t *v,
           char *joined, size_t cap, mn_problem *p) {
    size_t i, len = 0;
    json_t *item;
    if (!json_is_array(v) || json_array_size(v) > (size_t)f->max)
        return mn_problem_set(p, "invalid_field", path,
                              "%s: must be an array of at most %lld codes",
                              path, (long long)f->max);
    joined[0] = '\0';
    json_array_foreach(v, i, item) {
        const char *z = json_string_value(item);
        if (!z || !mn_field_code_valid(f, z))
            return mn_problem_set(p, "invalid_field", path,
                                  "%s: item %zu is not an allowed code", path,
                                  i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(json_string_value(json_array_get(v, j)), z) == 0)
                return mn_problem_set(p, "invalid_field", path,
                                      "%s: an item is listed twice", path);
        size_t zn = strlen(z); /* a known code: short, and cap holds all */
        if (len + zn + 2 > cap)
            return mn_problem_set(p, "invalid_field", path, "%s: too long",
                                  path);
        if (i)
            joined[len++] = ',';
        memcpy(joined + len, z, zn + 1);
        len += zn;
    }
    return MN_OK;
}

static int
parse_str(const mn_field_def *f, const char *path, const json_t *v, mn_ops *out,
          mn_problem *p) {
    const char *z = json_string_value(v);
    if (!z && f->type != MN_FT_ENUM)
        return mn_problem_set(p, "invalid_field", path, "%s: must be a string",
                              path);
    size_t len = z ? json_string_length(v) : 0;
    int rc = mn_field_check_str(f, path, z ? z : "", len, p);
    if (rc == MN_OK)
        mn_ops_add_str(out, f->no, z, len);
    return rc;
}

static int
parse_int(const mn_field_def *f, const char *path, const json_t *v, mn_ops *out,
          mn_problem *p) {
    if (!json_is_integer(v))
        return mn_problem_set(p, "invalid_field", path,
                              "%s: must be a whole number from %lld to %lld",
                              path, (long long)f->min, (long long)f->max);
    int rc = mn_field_check_int(f, path, json_integer_value(v), p);
    if (rc == MN_OK)
        mn_ops_add_int(out, f->no, json_integer_value(v));
    return rc;
}

static int
parse_list(const mn_field_def *f, const char *path, const json_t *v,
           mn_ops *out, mn_problem *p) {
    char joined[256];
    int rc = codes_join(f, path, v, joined, sizeof joined, p);
    if (rc == MN_OK)
        mn_ops_add_str(out, f->no, joined, strlen(joined));
    return rc;
}

static int
parse_time(const mn_field_def *f, const char *path, const json_t *v,
           mn_ops *out, mn_problem *p) {
    const char *z = json_string_value(v);
    uint64_t ms;
    if (!z || mn_time_parse(z, &ms) != MN_OK)
        return mn_problem_set(p, "invalid_field", path,
                              "%s: use RFC 3339 UTC, e.g. "
                              "2026-11-26T10:00:00Z",
                              path);
    mn_ops_add_int(out, f->no, (int64_t)ms);
    return MN_OK;
}

static int
parse_value(const mn_field_def *f, const char *path, const json_t *v,
            mn_ops *out, mn_problem *p) {
    switch (f->type) {
    case MN_FT_TEXT:
    case MN_FT_EMAIL:
    case MN_FT_PHONE:
    case MN_FT_REF:
    case MN_FT_ENUM: return parse_str(f, path, v, out, p);
    case MN_FT_INT:
    case MN_FT_DIVISION: return parse_int(f, path, v, out, p);
    case MN_FT_LIST: return parse_list(f, path, v, out, p);
    case MN_FT_TIME: return parse_time(f, path, v, out, p);
    }
    return mn_problem_set(p, "internal", path, "unknown field type");
}

/* ---- a key of the body ------------------------------------------------ */

static int
parse_null(const mn_field_def *f, mn_ops *out, mn_problem *p) {
    if (f->flags & MN_F_REQUIRED)
        return mn_problem_set(p, "invalid_field", f->name,
                              "%s: is required and cannot be cleared", f->name);
    mn_ops_add_clear(out, f->no);
    return MN_OK;
}

/* A group must hold each of its members, not null; a member the API sends
 * as a string must be one. */
static bool
group_shaped(const mn_kind *k, const char *group, const json_t *v) {
    size_t members = 0;
    if (!json_is_object(v))
        return false;
    for (size_t i = 0; i < k->nfields; i++) {
        const mn_field_def *f = &k->fields[i];
        if (!f->group || strcmp(f->group, group) != 0)
            continue;
        const json_t *m = json_object_get(v, f->name);
        bool wants_str = f->type != MN_FT_LIST && f->type != MN_FT_INT;
        if (!m || json_is_null(m) || (wants_str && !json_is_string(m)))
            return false;
        members++;
    }
    return json_object_size(v) == members;
}

static int
parse_group(const mn_kind *k, const char *group, const json_t *v, mn_ops *out,
            mn_problem *p) {
    char path[64];
    if (!json_is_null(v) && !group_shaped(k, group, v))
        return mn_problem_set(p, "invalid_field", group,
                              "%s: must be an object with each of its fields",
                              group);
    for (size_t i = 0; i < k->nfields; i++) {
        const mn_field_def *f = &k->fields[i];
        if (!f->group || strcmp(f->group, group) != 0)
            continue;
        snprintf(path, sizeof path, "%s.%s", group, f->name);
        int rc =
            json_is_null(v)
                ? parse_null(f, out, p)
                : parse_value(f, path, json_object_get(v, f->name), out, p);
        if (rc != MN_OK)
            return rc;
    }
    return MN_OK;
}

static bool
is_group(const mn_kind *k, const char *key) {
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].group && strcmp(k->fields[i].group, key) == 0)
            return true;
    return false;
}

static int
refuse_key(const mn_field_def *f, const char *key, mn_problem *p) {
    bool by_node = f && mn_field_by_node(f);
    for (size_t i = 0; i < MN_ARRAY_LEN(read_only); i++)
        by_node |= strcmp(read_only[i], key) == 0;
    if (by_node)
        return mn_problem_set(p, "invalid_field", key, "%s: is set by the node",
                              key);
    return mn_problem_set(p, "unknown_field", key, "%s: unknown field", key);
}

static int
parse_key(const mn_kind *k, const char *key, const json_t *v,
          const mn_entity *current, mn_ops *out, mn_problem *p) {
    const mn_field_def *f = mn_kind_field_named(k, NULL, key);
    if (!f && is_group(k, key))
        return parse_group(k, key, v, out, p);
    if (!f || mn_field_by_node(f))
        return refuse_key(f, key, p);
    if (current && f->write == MN_WRITE_ONCE)
        return MN_OK; /* the stored value, repeated (check_once) */
    return json_is_null(v) ? parse_null(f, out, p)
                           : parse_value(f, f->name, v, out, p);
}

static int
parse_keys(const mn_kind *k, const json_t *body, const mn_entity *current,
           mn_ops *out, mn_problem *p) {
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v) {
        int rc = parse_key(k, key, v, current, out, p);
        if (rc != MN_OK)
            return rc;
    }
    return MN_OK;
}

/* A create's owner and the defaults of the fields it does not give. */
static void
add_assigned(const mn_kind *k, const mn_kind_input *in, uint32_t home,
             mn_ops *out) {
    if (k->owner_field)
        mn_ops_add_int(out, k->owner_field, home);
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].def && in->given[i] == MN_GIVEN_NO)
            mn_ops_add_str(out, k->fields[i].no, k->fields[i].def,
                           strlen(k->fields[i].def));
}

static int
check_body(const mn_kind *k, const json_t *body, const mn_entity *current,
           mn_kind_input *in, mn_problem *p) {
    if (!json_is_object(body))
        return mn_problem_set(p, "bad_json", "",
                              "the body must be a JSON object");
    if (json_object_size(body) == 0 && current)
        return mn_problem_set(p, "empty_patch", "", "nothing to change");
    fill_input(k, body, in);
    int rc = check_once(k, in, current, p);
    if (rc == MN_OK && k->check)
        rc = k->check(k, in, current, p);
    if (rc == MN_OK && !current)
        rc = check_required(k, in, p);
    return rc;
}

int
mn_kind_json_parse(const mn_kind *k, const json_t *body,
                   const mn_entity *current, uint32_t home, mn_ops *out,
                   mn_problem *p) {
    mn_kind_input in = {0};
    mn_ops ops;
    int rc = check_body(k, body, current, &in, p);
    if (rc != MN_OK)
        return rc;
    mn_ops_init(&ops);
    rc = parse_keys(k, body, current, &ops, p);
    if (rc != MN_OK) {
        mn_ops_release(&ops);
        return rc;
    }
    if (!current)
        add_assigned(k, &in, home, &ops);
    for (size_t i = 0; i < ops.n; i++)
        out->op[out->n++] = ops.op[i]; /* strings move to out */
    return MN_OK;
}

/* ---- rendering -------------------------------------------------------- */

static json_t *
codes_json(const char *joined) {
    json_t *arr = json_array();
    const char *z = joined;
    while (z && *z) {
        const char *comma = strchr(z, ',');
        size_t n = comma ? (size_t)(comma - z) : strlen(z);
        json_array_append_new(arr, json_stringn(z, n));
        z = comma ? comma + 1 : NULL;
    }
    return arr;
}

static json_t *
time_json(uint64_t ms) {
    char when[32];
    mn_time_format(ms, when);
    return json_string(when);
}

static json_t *
division_json(const mn_config *cfg, int64_t id) {
    const mn_division *d = mn_config_division(cfg, (uint32_t)id);
    return d ? json_string(d->name) : json_integer(id);
}

static json_t *
value_json(const mn_field_def *f, const mn_entity *e, const mn_config *cfg) {
    const mn_field *fv = mn_entity_get(e, f->no);
    if (f->type == MN_FT_DIVISION) /* the owner: always there */
        return division_json(cfg, mn_entity_int(e, f->no, 0));
    if (!fv || fv->v.kind == MN_V_NONE)
        return json_null();
    if (f->type == MN_FT_LIST && fv->v.kind == MN_V_STR)
        return codes_json(fv->v.s);
    if (f->type == MN_FT_TIME && fv->v.kind == MN_V_INT)
        return time_json((uint64_t)fv->v.i);
    if (fv->v.kind == MN_V_INT)
        return json_integer(fv->v.i);
    return json_stringn(fv->v.s, fv->v.len);
}

/* Is field f shown under the class mask vis, and if it holds a value,
 * note its class in *read? */
static bool
shown(const mn_field_def *f, const mn_entity *e, unsigned vis, unsigned *read) {
    if (!(vis & MN_KIND_JSON_CLASS(f->vis)))
        return false;
    const mn_field *fv = mn_entity_get(e, f->no);
    if (fv && fv->v.kind != MN_V_NONE)
        *read |= MN_KIND_JSON_CLASS(f->vis);
    return true;
}

/* The group's object (its members that vis shows), or null unless its
 * first member is set; NULL when vis shows none of its members. */
static json_t *
group_json(const mn_kind *k, size_t first, const mn_entity *e,
           const mn_config *cfg, unsigned vis, unsigned *read) {
    const char *group = k->fields[first].group;
    const mn_field *fv = mn_entity_get(e, k->fields[first].no);
    if (!fv || fv->v.kind == MN_V_NONE)
        return json_null();
    json_t *o = json_object();
    for (size_t i = first; i < k->nfields; i++)
        if (k->fields[i].group && strcmp(k->fields[i].group, group) == 0 &&
            shown(&k->fields[i], e, vis, read))
            json_object_set_new(o, k->fields[i].name,
                                value_json(&k->fields[i], e, cfg));
    if (json_object_size(o) == 0) {
        json_decref(o);
        return NULL; /* left out whole */
    }
    return o;
}

json_t *
mn_kind_json_render_classes(const mn_kind *k, const mn_entity *e,
                            const mn_config *cfg, unsigned vis,
                            unsigned *read) {
    char hex[2 * MN_ID_BYTES + 1];
    json_t *o = json_object();
    *read = 0;
    mn_hex_encode(e->id, MN_ID_BYTES, hex);
    json_object_set_new(o, "id", json_string(hex));
    for (size_t i = 0; i < k->nfields; i++) {
        const mn_field_def *f = &k->fields[i];
        if (!f->group && shown(f, e, vis, read))
            json_object_set_new(o, f->name, value_json(f, e, cfg));
        else if (f->group && !json_object_get(o, f->group)) {
            json_t *g = group_json(k, i, e, cfg, vis, read);
            if (g)
                json_object_set_new(o, f->group, g);
        }
    }
    json_object_set_new(o, "created_at", time_json(mn_id_time_ms(e->id)));
    json_object_set_new(o, "updated_at",
                        time_json(mn_entity_last_stamp(e).hlc >> 16));
    return o;
}

json_t *
mn_kind_json_render(const mn_kind *k, const mn_entity *e,
                    const mn_config *cfg) {
    unsigned read;
    return mn_kind_json_render_classes(k, e, cfg, MN_KIND_JSON_ALL, &read);
}

int
mn_kind_json_filter(const mn_kind *k, size_t i, const char *value,
                    const mn_config *cfg, mn_list_query *q, mn_problem *p) {
    const mn_index_def *ix = &k->indexes[i];
    const mn_field_def *f = mn_kind_field(k, ix->field);
    int64_t *out = &q->want[i];
    if (f && f->type == MN_FT_REF) {
        q->has_ref[i] = mn_id_parse(value, q->ref[i]) == MN_OK;
        return q->has_ref[i] ? MN_OK
                             : mn_problem_set(p, "bad_query", ix->param,
                                              "%s: not an id", ix->param);
    }
    if (f && f->type == MN_FT_DIVISION) {
        const mn_division *d = mn_config_division_by_name(cfg, value);
        if (!d)
            return mn_problem_set(p, "bad_query", ix->param,
                                  "%s: no division of that name", ix->param);
        *out = d->id;
        return MN_OK;
    }
    *out = f ? mn_field_enum_index(f, value) : -1;
    if (*out < 0)
        return mn_problem_set(p, "bad_query", ix->param,
                              "%s: not one of the allowed values", ix->param);
    return MN_OK;
}
