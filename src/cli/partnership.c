/*
 * partnership — `mentornet partnership propose|show|list|reserve|decline|
 * end|expire` and `mentornet participant transfer`: the lifecycle of a
 * pairing (README "Partnerships"), over /v1/partnerships and
 * /v1/participants/{id}/transfer.
 *
 * Bodies are built with jansson, so no value is pasted into JSON text;
 * ids go into paths percent-encoded.
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

static void
print_partnership(json_t *root) {
    mn_out_print_fields(root);
}

static void
print_list(const json_t *items, const char *next) {
    static const char *const head[] = {"id",     "state",    "mentee",
                                       "mentor", "division", "proposed"};
    static const char *const keys[] = {"id", "state", "mentee_id", "mentor_id"};
    mn_table t;
    mn_table_init(&t, MN_ARRAY_LEN(head), MN_ARRAY_LEN(head));
    for (size_t i = 0; i < MN_ARRAY_LEN(head); i++)
        mn_table_add(&t, head[i]);
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *p = json_array_get(items, i);
        const json_t *side = json_object_get(p, "mentee_side");
        for (size_t k = 0; k < MN_ARRAY_LEN(keys); k++)
            mn_table_add_json(&t, json_object_get(p, keys[k]));
        mn_table_add_json(&t, side ? json_object_get(side, "division")
                                   : json_object_get(p, "proposed_by"));
        mn_table_add_json(&t, json_object_get(p, "proposed_at"));
    }
    if (json_array_size(items) > 0)
        mn_table_print(&t, 0);
    else
        puts("no partnerships");
    mn_table_release(&t);
    mn_kind_cmd_print_more(next);
}

/* POST path with body (NULL: none) and print the partnership answered. */
static int
post(mn_cli *c, const char *path, json_t *body, mn_printer print) {
    mn_buf b;
    mn_buf_init(&b);
    if (body)
        mn_out_json_dump(&b, body);
    mn_request rq = {"POST", path,  body ? "application/json" : NULL,
                     b.p,    b.len, CLI_TIMEOUT_S,
                     false};
    int rc = mn_client_show(c, &rq, print);
    mn_buf_release(&b);
    return rc;
}

/* POST base/ID/action with body (stolen; may be NULL). */
static int
item_action(mn_cli *c, const mn_args *a, const char *base, const char *action,
            json_t *body) {
    mn_buf path;
    mn_buf_init(&path);
    char suffix[32];
    snprintf(suffix, sizeof suffix, "/%s", action);
    int rc = mn_kind_cmd_id_path(a, base, suffix, &path);
    if (rc == 0)
        rc = post(c, mn_out_str(&path), body, print_partnership);
    json_decref(body);
    mn_buf_release(&path);
    return rc;
}

static int
propose_run(mn_cli *c, const mn_args *a) {
    json_t *body =
        json_pack("{s:s, s:s}", "mentee_id", mn_args_value(a, "mentee"),
                  "mentor_id", mn_args_value(a, "mentor"));
    if (!body)
        return mn_args_usage_error(a->path, "--mentee and --mentor: not UTF-8");
    int rc = post(c, "/partnerships", body, print_partnership);
    json_decref(body);
    return rc;
}

static int
show_run(mn_cli *c, const mn_args *a) {
    return mn_kind_cmd_show(c, a, "/partnerships/", print_partnership);
}

static int
list_run(mn_cli *c, const mn_args *a) {
    return mn_kind_cmd_list(c, a, "/partnerships", print_list);
}

static int
reserve_run(mn_cli *c, const mn_args *a) {
    return item_action(c, a, "/partnerships/", "reserve", NULL);
}

static int
decline_run(mn_cli *c, const mn_args *a) {
    return item_action(c, a, "/partnerships/", "decline", NULL);
}

static int
end_run(mn_cli *c, const mn_args *a) {
    const char *state = mn_args_value(a, "state");
    const char *reason = mn_args_value(a, "reason");
    json_t *body = json_pack("{s:s}", "state", state);
    if (!body || (reason && json_object_set_new(body, "reason",
                                                json_string(reason)) != 0)) {
        json_decref(body);
        return mn_args_usage_error(a->path, "--state, --reason: not UTF-8");
    }
    return item_action(c, a, "/partnerships/", "end", body);
}

static void
print_expired(json_t *root) {
    printf("expired %lld unanswered sides (proposals older than %lld days)\n",
           (long long)mn_out_int(root, "expired"),
           (long long)mn_out_int(root, "expire_days"));
}

static int
expire_run(mn_cli *c, const mn_args *a) {
    (void)a;
    return post(c, "/partnerships/expire", NULL, print_expired);
}

static int
transfer_run(mn_cli *c, const mn_args *a) {
    json_t *body = json_pack("{s:s}", "to", mn_args_value(a, "to"));
    if (!body)
        return mn_args_usage_error(a->path, "--to: not UTF-8");
    return item_action(c, a, "/participants/", "transfer", body);
}

/* ---- commands ------------------------------------------------------------ */

static const mn_opt propose_opts[] = {
    {"mentee", MN_OPT_STR, false, "ID", "the mentee's id (required)"},
    {"mentor", MN_OPT_STR, false, "ID", "the mentor's id (required)"},
    {0},
};

static const mn_opt end_opts[] = {
    {"state", MN_OPT_STR, false, "S", "completed or cancelled (required)"},
    {"reason", MN_OPT_STR, false, "TEXT", "why it ended"},
    {0},
};

static const mn_opt transfer_opts[] = {
    {"to", MN_OPT_STR, false, "DIVISION", "the division she moves to"},
    {0},
};

/* Every option but --cursor and --all is a query parameter of its name. */
static const mn_opt list_opts[] = {
    {"state", MN_OPT_STR, false, "S",
     "proposed, reserved, active, completed, cancelled,\ndeclined or expired"},
    {"division", MN_OPT_STR, false, "D", "the mentee's home division"},
    {"participant", MN_OPT_STR, false, "ID", "hers, as mentee or mentor"},
    {"mentee", MN_OPT_STR, false, "ID", "this mentee's"},
    {"mentor", MN_OPT_STR, false, "ID", "this mentor's"},
    {"limit", MN_OPT_INT, false, "N", "page size, 1-500 (default 50)"},
    {"cursor", MN_OPT_STR, false, "C", "start at this cursor"},
    {"all", MN_OPT_FLAG, false, NULL, "follow next_cursor to the last page"},
    {0},
};

/* Required options, checked before anything is sent. */
static int
need(const mn_args *a, const char *name) {
    return mn_args_value(a, name)
               ? 0
               : mn_args_usage_error(a->path, "--%s is required", name);
}

static int
propose_checked(mn_cli *c, const mn_args *a) {
    int rc = need(a, "mentee");
    rc = rc ? rc : need(a, "mentor");
    return rc ? rc : propose_run(c, a);
}

static int
end_checked(mn_cli *c, const mn_args *a) {
    int rc = need(a, "state");
    return rc ? rc : end_run(c, a);
}

static int
transfer_checked(mn_cli *c, const mn_args *a) {
    int rc = need(a, "to");
    return rc ? rc : transfer_run(c, a);
}

static const mn_command partnership_cmds[] = {
    {.name = "propose",
     .summary = "propose a mentee and a mentor as a partnership",
     .opts = propose_opts,
     .detail = "Any division may propose; each participant's home then "
               "reserves her side.",
     .run = propose_checked},
    {.name = "show",
     .summary = "show one partnership",
     .operands = "ID",
     .npos = 1,
     .run = show_run},
    {.name = "list",
     .summary = "list partnerships in id order, a page at a time",
     .opts = list_opts,
     .run = list_run},
    {.name = "reserve",
     .summary = "reserve the sides this node's division is home of",
     .operands = "ID",
     .npos = 1,
     .detail = "Send it to the node of the mentee's or the mentor's home; "
               "active once\nboth sides are reserved.",
     .run = reserve_run},
    {.name = "decline",
     .summary = "decline the sides this node's division is home of",
     .operands = "ID",
     .npos = 1,
     .run = decline_run},
    {.name = "end",
     .summary = "end a partnership: completed or cancelled",
     .operands = "ID",
     .npos = 1,
     .opts = end_opts,
     .run = end_checked},
    {.name = "expire",
     .summary = "expire this division's unanswered sides of old proposals",
     .detail = "A proposal expires after [partnerships] expire_days "
               "(default 30).",
     .run = expire_run},
    {0},
};

static const mn_command *const partnership_sub[] = {partnership_cmds, NULL};

const mn_command mn_partnership_commands[] = {
    {.name = "partnership",
     .summary = "propose, reserve, decline, end or list partnerships",
     .sub = partnership_sub},
    {0},
};

const mn_command mn_transfer_commands[] = {
    {.name = "transfer",
     .summary = "move a participant to another division (on her home's node)",
     .operands = "ID",
     .npos = 1,
     .opts = transfer_opts,
     .detail = "She keeps her id, history and partnerships; from then on "
               "the new\ndivision is her home.",
     .run = transfer_checked},
    {0},
};
