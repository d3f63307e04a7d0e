/*
 * audit — `mentornet audit` (admin; README "Roles"): the node's audit log
 * over GET /v1/audit, filtered by participant, token and time. The table
 * shows who read or wrote what, when and through which endpoint; the log
 * holds no field's value, so neither does the table.
 */
#include <stdio.h>

#include <jansson.h>

#include "base/util.h"
#include "cli/args.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/kind_cmd.h"
#include "cli/output.h"

/* Every option is a query parameter of its name. */
static const mn_opt audit_opts[] = {
    {"participant", MN_OPT_STR, false, "ID", "entries about this participant"},
    {"token", MN_OPT_STR, false, "ID",
     "entries of this token (admin: the "
     "admin.token)"},
    {"since", MN_OPT_STR, false, "TS", "entries at or after TS (RFC 3339 UTC)"},
    {"until", MN_OPT_STR, false, "TS", "entries before TS"},
    {"limit", MN_OPT_INT, false, "N",
     "at most N entries, 1-1000 (default 100)"},
    {0},
};

static void
print_audit(json_t *root) {
    static const char *const keys[] = {"at",   "action",   "token",
                                       "name", "endpoint", "kind",
                                       "id",   "classes",  "status"};
    mn_kind_cmd_print_items(json_object_get(root, "items"), keys,
                            MN_ARRAY_LEN(keys), "no entries");
    if (json_is_true(json_object_get(root, "more")))
        puts("more entries: ask again with --since the last one's at");
}

static int
audit_run(mn_cli *c, const mn_args *a) {
    mn_buf path;
    char sep = '?';
    mn_buf_init(&path);
    mn_out_puts(&path, "/audit");
    for (const mn_opt *o = audit_opts; o->name; o++) {
        const char *v = mn_args_value(a, o->name);
        if (!v)
            continue;
        mn_out_printf(&path, "%c%s=", sep, o->name);
        mn_client_escape(&path, v);
        sep = '&';
    }
    int rc = mn_client_get(c, mn_out_str(&path), print_audit);
    mn_buf_release(&path);
    return rc;
}

const mn_command mn_audit_commands[] = {
    {.name = "audit",
     .summary = "who read personal fields and who wrote, from the audit log",
     .opts = audit_opts,
     .detail = "One row per entry, oldest first: a read names the classes "
               "shown\n(personal, special), a write its endpoint and status. "
               "No values.",
     .run = audit_run},
    {0},
};
