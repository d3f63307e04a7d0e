/*
 * json — see json.h.
 */
#include "base/json.h"

#include <stdlib.h>

json_t *
mn_json_must(json_t *j) {
    if (!j)
        abort(); /* jansson fails only when out of memory */
    return j;
}

json_t *
mn_json_parse(const char *p, size_t n, json_error_t *err) {
    return json_loadb(p, n, JSON_REJECT_DUPLICATES, err);
}
