/*
 * token — `mentornet token create|list|revoke` (admin; README "Roles"):
 * the node's bearer tokens, over /v1/tokens. A token's text is answered
 * once, by create, and printed once; list shows ids, roles and names.
 *
 * Invariants: the token's text is never put in a message; bodies are
 * built with jansson and ids go into paths percent-encoded.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/util.h"
#include "cli/args.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/kind_cmd.h"
#include "cli/output.h"

static const mn_opt create_opts[] = {
    {"role", MN_OPT_STR, false, "R", "coordinator, national or admin"},
    {"division", MN_OPT_STR, false, "D",
     "a coordinator's division (default: this node's)"},
    {"name", MN_OPT_STR, false, "TEXT",
     "who holds it, for lists and the audit log"},
    {0},
};

static const char *const token_keys[] = {"id",   "role",       "division",
                                         "name", "created_at", "revoked"};

static void
print_token(json_t *root) {
    mn_table t;
    mn_table_init(&t, 2, 2);
    mn_table_add_fields(&t, root, token_keys, MN_ARRAY_LEN(token_keys));
    mn_table_print(&t, 0);
    mn_table_release(&t);
}

/* The record, then the token itself, which no later answer repeats. */
static void
print_created(json_t *root) {
    print_token(root);
    printf("token (shown once; keep it secret): ");
    mn_out_print_safe(stdout,
                      json_string_value(json_object_get(root, "token")));
    putchar('\n');
}

static void
print_list(json_t *root) {
    mn_kind_cmd_print_items(json_object_get(root, "items"), token_keys,
                            MN_ARRAY_LEN(token_keys), "no tokens");
}

static int
create_run(mn_cli *c, const mn_args *a) {
    const char *role = mn_args_value(a, "role");
    const char *division = mn_args_value(a, "division");
    const char *name = mn_args_value(a, "name");
    mn_buf b;
    if (!role)
        return mn_args_usage_error(a->path, "--role is required");
    json_t *body = json_pack("{s:s}", "role", role);
    if (body && division)
        json_object_set_new(body, "division", json_string(division));
    if (body && name)
        json_object_set_new(body, "name", json_string(name));
    if (!body || (division && !json_object_get(body, "division")) ||
        (name && !json_object_get(body, "name"))) {
        json_decref(body);
        return mn_args_usage_error(a->path, "an option is not UTF-8");
    }
    mn_buf_init(&b);
    mn_out_json_dump(&b, body);
    json_decref(body);
    mn_request rq = {.method = "POST",
                     .path = "/tokens",
                     .ctype = "application/json",
                     .body = b.p,
                     .len = b.len,
                     .timeout_s = CLI_TIMEOUT_S};
    int rc = mn_client_show(c, &rq, print_created);
    mn_buf_release(&b);
    return rc;
}

static int
list_run(mn_cli *c, const mn_args *a) {
    (void)a;
    return mn_client_get(c, "/tokens", print_list);
}

static int
revoke_run(mn_cli *c, const mn_args *a) {
    mn_buf path;
    mn_buf_init(&path);
    int rc = mn_kind_cmd_id_path(a, "/tokens/", "/revoke", &path);
    if (rc == 0) {
        /* A Content-Type makes libcurl send a POST (of no bytes). */
        mn_request rq = {.method = "POST",
                         .path = mn_out_str(&path),
                         .ctype = "application/json",
                         .timeout_s = CLI_TIMEOUT_S};
        rc = mn_client_show(c, &rq, print_token);
    }
    mn_buf_release(&path);
    return rc;
}

static const mn_command token_cmds[] = {
    {.name = "create",
     .summary = "make a token; its text is shown once",
     .opts = create_opts,
     .detail = "coordinator: her division's records in full, other "
               "divisions' profile\nfields; national: statistics only; "
               "admin: everything, tokens,\nbackup, the audit log. A "
               "coordinator writes only on her division's node.",
     .run = create_run},
    {.name = "list",
     .summary = "the node's tokens: id, role, division, name, revoked",
     .run = list_run},
    {.name = "revoke",
     .summary = "revoke a token (it is refused from then on)",
     .operands = "ID",
     .npos = 1,
     .run = revoke_run},
    {0},
};

static const mn_command *const token_sub[] = {token_cmds, NULL};

const mn_command mn_token_commands[] = {
    {.name = "token",
     .summary = "create, list or revoke the node's tokens (admin)",
     .sub = token_sub},
    {0},
};
