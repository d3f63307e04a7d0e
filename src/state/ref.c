/*
 * ref — see ref.h.
 */
#include "state/ref.h"

#include <string.h>

bool
mn_ref_valid(const char *z) {
    return z && strlen(z) == 2 * MN_ID_BYTES &&
           strspn(z, "0123456789abcdef") == 2 * MN_ID_BYTES;
}

int
mn_ref_check(const mn_kind *k, const mn_kind_input *in, uint32_t no,
             mn_problem *p) {
    int i = mn_kind_field_pos(k, no);
    const char *name = i < 0 ? "?" : k->fields[i].name;
    if (i < 0 || in->given[i] != MN_GIVEN_VALUE || mn_ref_valid(in->str[i]))
        return MN_OK;
    return mn_problem_set(p, "invalid_field", name,
                          "%s: must be an id of 32 lower-case hex characters",
                          name);
}
