/*
 * kind_json — JSON for any entity kind, driven by its table (state/kind.h):
 * a request body into ops, a stored entity into the API's object, and a
 * list query parameter into an index value.
 *
 * Every JSON value is checked before it can become a change: its JSON
 * type here, its limits by the table's validators (state/kind.c), rules
 * across fields by the kind's hook. A refused body leaves the caller's ops
 * untouched and fills an mn_problem (stable code, the field's API path, a
 * message that never repeats the value).
 */
#ifndef MN_KIND_JSON_H
#define MN_KIND_JSON_H

#include <stdint.h>

#include "base/config.h"
#include "base/json.h"
#include "base/util.h"
#include "state/entity.h"
#include "state/kind.h"
#include "state/state.h"

/*
 * Validate a create (current NULL) or patch body of kind k and append its
 * ops to out. A create also gets the node-assigned owner field (home, the
 * node's division) and each field's default when absent. Fields written
 * once must repeat the stored value on a patch (and then write nothing).
 * On a bad body returns MN_EINVAL with p filled and out untouched.
 */
int mn_kind_json_parse(const mn_kind *k, const json_t *body,
                       const mn_entity *current, uint32_t home, mn_ops *out,
                       mn_problem *p);

/* Render e of kind k as the API's JSON object (new reference): id, every
 * field of the table (null when unset), created_at and updated_at.
 * Division names come from cfg; an unknown division renders as its
 * number. */
json_t *mn_kind_json_render(const mn_kind *k, const mn_entity *e,
                            const mn_config *cfg);

/* A class bit of a mask of visibility classes (state/kind.h), and the
 * mask of them all. */
#define MN_KIND_JSON_CLASS(vis) (1u << (vis))
#define MN_KIND_JSON_ALL                                                       \
    (MN_KIND_JSON_CLASS(MN_VIS_PROFILE) |                                      \
     MN_KIND_JSON_CLASS(MN_VIS_PERSONAL) | MN_KIND_JSON_CLASS(MN_VIS_SPECIAL))

/* mn_kind_json_render showing only the fields whose class is in vis (the
 * others are left out, keys and all, as is a group whose members are
 * all left out). OUT: *read the classes of the fields
 * shown that hold a value (what the audit log records). */
json_t *mn_kind_json_render_classes(const mn_kind *k, const mn_entity *e,
                                    const mn_config *cfg, unsigned vis,
                                    unsigned *read);

/* Set q's filter on index i of k from the list parameter value: a name of
 * an enum field, a division's name, or an id (an index on a REF field).
 * MN_EINVAL ("bad_query", named after the index's param) when it names
 * nothing. */
int mn_kind_json_filter(const mn_kind *k, size_t i, const char *value,
                        const mn_config *cfg, mn_list_query *q, mn_problem *p);

#endif
