/*
 * ref — a field that names another entity by its id: 32 lower-case hex
 * characters (how the API writes ids), stored as that text in an
 * MN_FT_TEXT field of exactly 32 characters. The table's limits keep
 * every replicated value to 32 characters; the kinds' check hooks call
 * mn_ref_check so that the API takes only well-formed ids.
 *
 * Only the id's shape is checked, never that the entity exists: the
 * entity may be another division's, not yet replicated here.
 */
#ifndef MN_REF_H
#define MN_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "base/id.h"
#include "state/kind.h"

/* Is z exactly 2 * MN_ID_BYTES lower-case hex characters? */
bool mn_ref_valid(const char *z);

/* If the request gives field no of k a value, it must be a string that
 * mn_ref_valid takes: MN_OK, or MN_EINVAL with p filled ("invalid_field",
 * naming the field, never the value). */
int mn_ref_check(const mn_kind *k, const mn_kind_input *in, uint32_t no,
                 mn_problem *p);

#endif
