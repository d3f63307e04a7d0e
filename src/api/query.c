/*
 * query — readers of a request shared by the resources (resource.h): query
 * parameters, ids in paths and cursors, JSON bodies, read transactions.
 * Each refuses bad input with the API's error code; none trusts its input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/resource.h"

const char *
mn_api_arg(struct MHD_Connection *c, const char *key) {
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

struct param_check {
    const mn_api_route *rt;
    const char *bad;
};

/* Stops the walk at the first parameter the route does not take. */
static enum MHD_Result
check_param(void *cls, enum MHD_ValueKind kind, const char *key,
            const char *value) {
    struct param_check *pc = cls;
    (void)kind, (void)value;
    if (mn_api_param_known(pc->rt, key))
        return MHD_YES;
    pc->bad = key;
    return MHD_NO;
}

int
mn_api_check_query(struct MHD_Connection *c, const mn_api_route *rt,
                   mn_problem *p) {
    struct param_check pc = {rt, NULL};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_param, &pc);
    const char *bad = pc.bad;
    if (bad)
        return mn_problem_set(p, "bad_query", bad, "%.60s: unknown parameter",
                              bad);
    return MN_OK;
}

int
mn_api_parse_limit(const char *z, size_t *out, mn_problem *p) {
    char *end;
    if (!z) {
        *out = MN_API_LIST_DEFAULT;
        return MN_OK;
    }
    unsigned long v = strtoul(z, &end, 10);
    if (*z < '0' || *z > '9' || *end || v < 1 || v > MN_API_LIST_MAX)
        return mn_problem_set(p, "bad_query", "limit",
                              "limit: must be from 1 to %d", MN_API_LIST_MAX);
    *out = v;
    return MN_OK;
}

int
mn_api_parse_id(const char *z, uint8_t id[MN_ID_BYTES]) {
    /* Lower case only, so that one participant has one URL. */
    return mn_id_parse(z, id);
}

int
mn_api_body_keys(const json_t *body, const char *const *allowed, size_t n,
                 mn_problem *p) {
    const char *key;
    json_t *v;
    if (!json_is_object(body))
        return mn_problem_set(p, "bad_json", "",
                              "the body must be a JSON object");
    json_object_foreach((json_t *)body, key, v) {
        bool known = false;
        for (size_t i = 0; i < n; i++)
            known |= strcmp(key, allowed[i]) == 0;
        if (!known)
            return mn_problem_set(p, "unknown_field", key,
                                  "%.60s: unknown field", key);
    }
    return MN_OK;
}

enum MHD_Result
mn_api_parse_body(struct MHD_Connection *c, const mn_api_request *r,
                  json_t **out) {
    json_error_t jerr;
    *out = mn_json_parse((const char *)r->body.p, r->body.len, &jerr);
    if (*out)
        return MHD_YES;
    char msg[256];
    snprintf(msg, sizeof msg, "the body is not valid JSON: %s (line %d)",
             jerr.text, jerr.line);
    return mn_api_send_error(c, 400, "bad_json", NULL, msg);
}

int
mn_api_read_begin(mn_http *h, mn_txn **t) {
    return mn_store_begin(mn_node_store(h->node), false, t);
}
