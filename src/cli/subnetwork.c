/*
 * subnetwork — the sub-network commands of the CLI: create, show, update,
 * list, and a sub-network's members: join, leave, members (README.md,
 * "CLI").
 *
 * Invariants:
 * - The options of create and update and the order of rows in show come
 *   from the sub-network kind's table (state/subnetwork.c), through
 *   cli/kind_cmd.
 * - Members are shown by participant id and home division: the node never
 *   sends their names.
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
#include "state/subnetwork.h"

static mn_kind_cmd kind = {.type = MN_ENTITY_SUBNETWORK};

static const mn_opt *
write_options(void) {
    return mn_kind_cmd_write_options(&kind);
}

/* Every option but --cursor and --all is a query parameter of its name. */
static const mn_opt *
list_options(void) {
    static mn_opt opts[3 + 4] = {
        {"division", MN_OPT_STR, false, "D", "only those this division runs"},
        {"scope", MN_OPT_STR, false, "S", "division or national"},
        {"q", MN_OPT_STR, false, "TEXT",
         "part of the name or theme, ignoring case"},
    };
    return mn_kind_cmd_list_options(opts, 3);
}

static const mn_opt join_opts[] = {
    {"participant-id", MN_OPT_STR, false, "ID", "the participant who joins"},
    {"joined-at", MN_OPT_STR, false, "TS",
     "when she joined, RFC 3339 UTC (default now)"},
    {0},
};

static const mn_opt leave_opts[] = {
    {"participant-id", MN_OPT_STR, false, "ID", "the participant who leaves"},
    {0},
};

/* ---- printers --------------------------------------------------------- */

static void
print_subnetwork(json_t *root) {
    mn_kind_cmd_print(&kind, root);
}

static void
print_list(const json_t *items, const char *next) {
    static const char *const keys[] = {"id", "name", "scope", "division",
                                       "theme"};
    mn_kind_cmd_print_items(items, keys, MN_ARRAY_LEN(keys), "no sub-networks");
    mn_kind_cmd_print_more(next);
}

static void
print_members(json_t *root) {
    static const char *const keys[] = {"participant_id", "home_division",
                                       "joined_at"};
    mn_kind_cmd_print_items(json_object_get(root, "items"), keys,
                            MN_ARRAY_LEN(keys), "no members");
}

static void
print_left(json_t *root) {
    json_int_t n = mn_out_int(root, "left");
    if (n > 0)
        printf("left (%lld membership%s ended)\n", (long long)n,
               n == 1 ? "" : "s");
    else
        puts("not a member: nothing to do");
}

/* ---- commands --------------------------------------------------------- */

static int
create_run(mn_cli *c, const mn_args *a) {
    return mn_kind_cmd_write(c, &kind, a, "POST", "/subnetworks", false,
                             print_subnetwork);
}

/* Run a command on /subnetworks/ID<suffix>: GET (body NULL) or POST. */
static int
on_one(mn_cli *c, const mn_args *a, const char *suffix, const json_t *body,
       mn_printer print) {
    mn_buf path, text;
    mn_buf_init(&path);
    mn_buf_init(&text);
    int rc = mn_kind_cmd_id_path(a, "/subnetworks/", suffix, &path);
    if (rc == 0 && !body)
        rc = mn_client_get(c, mn_out_str(&path), print);
    if (rc == 0 && body) {
        mn_out_json_dump(&text, body);
        mn_request rq = {"POST", mn_out_str(&path), "application/json",
                         text.p, text.len,          CLI_TIMEOUT_S,
                         false};
        rc = mn_client_show(c, &rq, print);
    }
    mn_buf_release(&path);
    mn_buf_release(&text);
    return rc;
}

static int
show_run(mn_cli *c, const mn_args *a) {
    return on_one(c, a, "", NULL, print_subnetwork);
}

static int
update_run(mn_cli *c, const mn_args *a) {
    return mn_kind_cmd_update(c, &kind, a, "/subnetworks/", print_subnetwork);
}

static int
list_run(mn_cli *c, const mn_args *a) {
    return mn_kind_cmd_list(c, a, "/subnetworks", print_list);
}

static int
members_run(mn_cli *c, const mn_args *a) {
    return on_one(c, a, "/members", NULL, print_members);
}

/* POST {"participant_id"[, "joined_at"]} to /subnetworks/ID<suffix>. */
static int
member_run(mn_cli *c, const mn_args *a, const char *suffix, mn_printer print) {
    const char *who = mn_args_value(a, "participant-id");
    const char *when = mn_args_value(a, "joined-at");
    if (!who)
        return mn_args_usage_error(a->path, "--participant-id is required");
    json_t *body = json_pack("{s:s}", "participant_id", who);
    if (when)
        json_object_set_new(body, "joined_at", json_string(when));
    int rc = on_one(c, a, suffix, body, print);
    json_decref(body);
    return rc;
}

static int
join_run(mn_cli *c, const mn_args *a) {
    return member_run(c, a, "/members", mn_out_print_fields);
}

static int
leave_run(mn_cli *c, const mn_args *a) {
    return member_run(c, a, "/leave", print_left);
}

static const mn_command subnetwork_cmds[] = {
    {.name = "create",
     .summary = "create a sub-network run by this node's division",
     .options = write_options,
     .detail = "Option --x-y sets field x_y.",
     .run = create_run},
    {.name = "show",
     .summary = "show one sub-network",
     .operands = "ID",
     .npos = 1,
     .run = show_run},
    {.name = "update",
     .summary = "change fields of a sub-network (on its division's node)",
     .operands = "ID",
     .npos = 1,
     .options = write_options,
     .detail = "Only the given fields change. Option --x-y sets field x_y.",
     .run = update_run},
    {.name = "list",
     .summary = "list sub-networks in id order, a page at a time",
     .options = list_options,
     .run = list_run},
    {.name = "join",
     .summary = "make a participant a member (a no-op when she is one)",
     .operands = "ID",
     .npos = 1,
     .opts = join_opts,
     .detail = "She may be of any division. Joining again when she is a "
               "member\nchanges nothing and shows the membership she has.",
     .run = join_run},
    {.name = "leave",
     .summary = "end a participant's membership",
     .operands = "ID",
     .npos = 1,
     .opts = leave_opts,
     .detail = "Ends every membership of hers in the sub-network that this "
               "node\nholds; a join made meanwhile on another node, not yet "
               "seen here,\nstays (add wins).",
     .run = leave_run},
    {.name = "members",
     .summary = "list the members: participant id and home division",
     .operands = "ID",
     .npos = 1,
     .run = members_run},
    {0},
};

static const mn_command *const subnetwork_sub[] = {subnetwork_cmds, NULL};

const mn_command mn_subnetwork_commands[] = {
    {.name = "subnetwork",
     .summary = "create, show, update or list sub-networks; join, leave, "
                "members",
     .sub = subnetwork_sub},
    {0},
};
