/*
 * outcome — the outcome commands of the CLI: add, show, list (README.md,
 * "CLI"). An outcome is never changed, so there is no update.
 *
 * Invariants:
 * - The options of add and the order of rows in show come from the
 *   outcome kind's table (state/outcome.c), through cli/kind_cmd.
 * - The list never shows the note (a personal field); show does.
 */
#include <stdio.h>

#include <jansson.h>

#include "base/util.h"
#include "cli/args.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/kind_cmd.h"
#include "cli/output.h"
#include "state/outcome.h"

static mn_kind_cmd kind = {.type = MN_ENTITY_OUTCOME};

static const mn_opt *
write_options(void) {
    return mn_kind_cmd_write_options(&kind);
}

/* Every option but --cursor and --all is a query parameter of its name. */
static const mn_opt *
list_options(void) {
    static mn_opt opts[1 + 4] = {
        {"kind", MN_OPT_STR, false, "K",
         "job, education, danish_improved or network_grown"},
    };
    return mn_kind_cmd_list_options(opts, 1);
}

static void
print_outcome(json_t *root) {
    mn_kind_cmd_print(&kind, root);
}

static void
print_list(const json_t *items, const char *next) {
    static const char *const keys[] = {"id", "date", "kind", "participant_id",
                                       "division"};
    mn_kind_cmd_print_items(items, keys, MN_ARRAY_LEN(keys), "no outcomes");
    mn_kind_cmd_print_more(next);
}

static int
add_run(mn_cli *c, const mn_args *a) {
    return mn_kind_cmd_write(c, &kind, a, "POST", "/outcomes", false,
                             print_outcome);
}

static int
show_run(mn_cli *c, const mn_args *a) {
    return mn_kind_cmd_show(c, a, "/outcomes/", print_outcome);
}

static int
list_run(mn_cli *c, const mn_args *a) {
    return mn_kind_cmd_list(c, a, "/outcomes", print_list);
}

static const mn_command outcome_cmds[] = {
    {.name = "add",
     .summary = "record an outcome (it is never changed afterwards)",
     .options = write_options,
     .detail = "Option --x-y sets field x_y. --sector and "
               "--qualifications-match\nare for a job only.",
     .run = add_run},
    {.name = "show",
     .summary = "show one outcome",
     .operands = "ID",
     .npos = 1,
     .run = show_run},
    {.name = "list",
     .summary = "list outcomes in id order, a page at a time",
     .options = list_options,
     .run = list_run},
    {0},
};

static const mn_command *const outcome_sub[] = {outcome_cmds, NULL};

const mn_command mn_outcome_commands[] = {
    {.name = "outcome",
     .summary = "add, show or list outcomes",
     .sub = outcome_sub},
    {0},
};
