/*
 * participant — the participant commands of the CLI: add, show, list and
 * update (README.md, "CLI").
 *
 * Invariants:
 * - The options of add and update, what --clear accepts and the order of
 *   rows in show all come from the participant kind's table
 *   (state/participant.c), through cli/kind_cmd.
 * - Option --x-y sets field x_y; --consent-x sets x of the consent object.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/util.h"
#include "cli/args.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/kind_cmd.h"
#include "cli/output.h"
#include "state/participant.h"

/* The participant's fields, options and show order, from its table. */
static mn_kind_cmd kind = {.type = MN_ENTITY_PARTICIPANT};

static const mn_opt *
write_options(void) {
    return mn_kind_cmd_write_options(&kind);
}

/* Every option but --cursor and --all is a query parameter of its name. */
static const mn_opt list_opts[] = {
    {"role", MN_OPT_STR, false, "R", "mentor or mentee"},
    {"status", MN_OPT_STR, false, "S", "only this status"},
    {"division", MN_OPT_STR, false, "D", "only this home division"},
    {"q", MN_OPT_STR, false, "TEXT",
     "part of the name or e-mail, ignoring case"},
    {"limit", MN_OPT_INT, false, "N", "page size, 1-500 (default 50)"},
    {"cursor", MN_OPT_STR, false, "C", "start at this cursor"},
    {"all", MN_OPT_FLAG, false, NULL, "follow next_cursor to the last page"},
    {0},
};

/* ---- printers --------------------------------------------------------- */

static void
print_participant(json_t *root) {
    mn_kind_cmd_print(&kind, root);
}

static void
list_add_name(mn_table *t, const json_t *p) {
    const char *given = json_string_value(json_object_get(p, "given_name"));
    const char *family = json_string_value(json_object_get(p, "family_name"));
    mn_buf b;
    mn_buf_init(&b);
    mn_out_printf(&b, "%s%s%s", given ? given : "", given && family ? " " : "",
                  family ? family : "");
    mn_table_add(t, b.len ? mn_out_str(&b) : NULL);
    mn_buf_release(&b);
}

static void
list_add_row(mn_table *t, const json_t *p) {
    static const char *const keys[] = {"id", "role", "status", "home_division"};
    for (size_t i = 0; i < MN_ARRAY_LEN(keys); i++)
        mn_table_add_json(t, json_object_get(p, keys[i]));
    list_add_name(t, p);
    mn_table_add_json(t, json_object_get(p, "country_of_origin"));
}

/* Print participants as a table; next, when set, is the next page. */
static void
print_list(const json_t *items, const char *next) {
    static const char *const head[] = {"id",       "role", "status",
                                       "division", "name", "country"};
    mn_table t;
    mn_table_init(&t, MN_ARRAY_LEN(head), MN_ARRAY_LEN(head));
    for (size_t i = 0; i < MN_ARRAY_LEN(head); i++)
        mn_table_add(&t, head[i]);
    for (size_t i = 0; i < json_array_size(items); i++)
        list_add_row(&t, json_array_get(items, i));
    if (json_array_size(items) > 0)
        mn_table_print(&t, 0);
    else
        puts("no participants");
    mn_table_release(&t);
    mn_kind_cmd_print_more(next);
}

/* ---- participant add / show / update / list -------------------------- */

static int
add_run(mn_cli *c, const mn_args *a) {
    return mn_kind_cmd_write(c, &kind, a, "POST", "/participants", false,
                             print_participant);
}

static int
update_run(mn_cli *c, const mn_args *a) {
    return mn_kind_cmd_update(c, &kind, a, "/participants/", print_participant);
}

static int
show_run(mn_cli *c, const mn_args *a) {
    return mn_kind_cmd_show(c, a, "/participants/", print_participant);
}

static int
list_run(mn_cli *c, const mn_args *a) {
    return mn_kind_cmd_list(c, a, "/participants", print_list);
}

/* ---- commands --------------------------------------------------------- */

static const mn_command participant_cmds[] = {
    {.name = "add",
     .summary = "create a participant",
     .options = write_options,
     .detail = "Option --x-y sets field x_y; LIST is comma-separated. "
               "--consent-*\n"
               "options together form the consent object.",
     .run = add_run},
    {.name = "show",
     .summary = "show one participant",
     .operands = "ID",
     .npos = 1,
     .run = show_run},
    {.name = "list",
     .summary = "list participants in id order, a page at a time",
     .opts = list_opts,
     .run = list_run},
    {.name = "update",
     .summary = "change fields of a participant",
     .operands = "ID",
     .npos = 1,
     .options = write_options,
     .detail = "Only the given fields change. Option --x-y sets field x_y; "
               "LIST is\n"
               "comma-separated. --consent-* options together form the "
               "consent object.",
     .run = update_run},
    {0},
};

static const mn_command *const participant_sub[] = {
    participant_cmds, mn_transfer_commands, mn_erase_commands, NULL};

const mn_command mn_participant_commands[] = {
    {.name = "participant",
     .summary = "add, show, list, update, transfer or erase participants",
     .sub = participant_sub},
    {0},
};
