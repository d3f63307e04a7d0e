/*
 * res_tokens — /v1/tokens (admin only): make a token (POST, the one
 * answer that ever holds its text), list them (GET) and revoke one
 * (POST /v1/tokens/{id}/revoke). The tokens themselves are tokens.c's.
 *
 * A coordinator's token names her division: one of this network's
 * divisions (by name), the node's own when the body names none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/resource.h"
#include "api/tokens.h"

static json_t *
token_json(const mn_config *cfg, const mn_token *t) {
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:o, s:b}", "id", t->id, "role",
                  mn_tokens_role_name(t->role), "name", t->name, "created_at",
                  mn_api_time_json(t->created_ms), "revoked", (int)t->revoked);
    json_object_set_new(o, "division",
                        t->role == MN_API_COORDINATOR
                            ? mn_api_division_json(cfg, t->division)
                            : json_null());
    return o;
}

/* {"role", "division"?, "name"?} into its parts; 400 into p. OUT: *role,
 * *division, name (a default when absent). */
static int
parse_create(const mn_config *cfg, const json_t *body, int *role,
             uint32_t *division, char name[MN_TOKEN_NAME_MAX + 1],
             mn_problem *p) {
    static const char *const keys[] = {"role", "division", "name"};
    const char *div = json_string_value(json_object_get(body, "division"));
    const json_t *jname = json_object_get(body, "name");
    if (mn_api_body_keys(body, keys, MN_ARRAY_LEN(keys), p) != MN_OK)
        return MN_EINVAL;
    *role =
        mn_tokens_role_parse(json_string_value(json_object_get(body, "role")));
    if (*role < 0)
        return mn_problem_set(p, "invalid_field", "role",
                              "role: admin, coordinator or national");
    if (json_object_get(body, "division") && *role != MN_API_COORDINATOR)
        return mn_problem_set(p, "invalid_field", "division",
                              "division: only a coordinator has one");
    const mn_division *d =
        div ? mn_config_division_by_name(cfg, div) : &cfg->self;
    if (!d || (json_object_get(body, "division") && !div))
        return mn_problem_set(p, "invalid_field", "division",
                              "division: the name of a division of this "
                              "network");
    *division = d->id;
    if (jname && !mn_tokens_name_ok(json_string_value(jname)))
        return mn_problem_set(p, "invalid_field", "name",
                              "name: 1 to 64 characters, without control "
                              "characters, '\"' or '\\'");
    snprintf(name, MN_TOKEN_NAME_MAX + 1, "%s",
             jname ? json_string_value(jname) : mn_tokens_role_name(*role));
    return MN_OK;
}

enum MHD_Result
mn_api_token_create(mn_http *h, struct MHD_Connection *c, const char *id,
                    mn_api_request *r) {
    const mn_config *cfg = mn_node_config(h->node);
    json_t *body;
    mn_problem p;
    mn_token t;
    char name[MN_TOKEN_NAME_MAX + 1], text[MN_TOKEN_TEXT];
    int role = -1;
    uint32_t division = 0;
    (void)id;
    if (mn_api_parse_body(c, r, &body) != MHD_YES || !body)
        return MHD_YES;
    int rc = parse_create(cfg, body, &role, &division, name, &p);
    json_decref(body);
    if (rc != MN_OK)
        return mn_api_send_problem(c, &p);
    rc = mn_tokens_create(h->tokens, (mn_api_role)role, division, name, &t,
                          text);
    if (rc == MN_ETOOBIG)
        return mn_api_send_error(c, 409, "too_many_tokens", NULL,
                                 "the node holds as many tokens as it keeps; "
                                 "revoked ones count too");
    if (rc != MN_OK)
        return mn_api_send_failure(c, rc);
    r->subject_kind = "token";
    memcpy(r->subject_id, t.id, sizeof t.id);
    json_t *o = token_json(cfg, &t);
    json_object_set_new(o, "token", json_string(text));
    mn_crypto_wipe(text, sizeof text);
    return mn_api_send_json(c, 201, o);
}

enum MHD_Result
mn_api_token_list(mn_http *h, struct MHD_Connection *c, const char *id,
                  mn_api_request *r) {
    const mn_config *cfg = mn_node_config(h->node);
    mn_token *v;
    size_t n;
    (void)id, (void)r;
    mn_tokens_list(h->tokens, &v, &n);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, token_json(cfg, &v[i]));
    free(v);
    return mn_api_send_json(c, 200, json_pack("{s:o}", "items", items));
}

enum MHD_Result
mn_api_token_revoke(mn_http *h, struct MHD_Connection *c, const char *id,
                    mn_api_request *r) {
    mn_token t;
    int rc = strlen(id) == MN_TOKEN_ID_HEX ? mn_tokens_revoke(h->tokens, id, &t)
                                           : MN_ENOTFOUND;
    if (rc == MN_OK) {
        r->subject_kind = "token";
        memcpy(r->subject_id, t.id, sizeof t.id);
    }
    if (rc == MN_ENOTFOUND)
        return mn_api_send_error(c, 404, "not_found", NULL, "no such token");
    if (rc != MN_OK)
        return mn_api_send_failure(c, rc);
    return mn_api_send_json(c, 200, token_json(mn_node_config(h->node), &t));
}
