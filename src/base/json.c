/*
 * json — see json.h.
 */
#include "base/json.h"

json_t *
mn_json_parse(const char *p, size_t n, json_error_t *err) {
    return json_loadb(p, n, JSON_REJECT_DUPLICATES, err);
}
