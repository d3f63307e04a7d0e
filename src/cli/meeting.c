/*
 * meeting — the meeting commands of the CLI: add, show, list, update
 * (README.md, "CLI").
 *
 * add makes the meeting's id itself (a time-ordered id naming the node's
 * division, which GET /v1/health tells), then PUTs it: when an answer is
 * lost (the node unreachable, or failing) it sends the same PUT again, up
 * to ADD_TRIES times, and the node answers the meeting it already logged
 * rather than logging a second. The id is printed, so a coordinator can
 * find the meeting whatever happened.
 *
 * Invariants: options and show order come from the meeting kind's table
 * (state/meeting.c) through cli/kind_cmd; the list never shows minutes.
 */
#include <stdio.h>

#include <jansson.h>

#include "base/id.h"
#include "base/util.h"
#include "cli/args.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/kind_cmd.h"
#include "cli/output.h"
#include "state/meeting.h"

/* Attempts of one add while the node cannot be reached or fails. */
#define ADD_TRIES 3

static mn_kind_cmd kind = {.type = MN_ENTITY_MEETING};

static const mn_opt *
write_options(void) {
    return mn_kind_cmd_write_options(&kind);
}

/* Every option but --cursor and --all is a query parameter of its name. */
static const mn_opt *
list_options(void) {
    static mn_opt opts[1 + 4] = {
        {"partnership", MN_OPT_STR, false, "ID", "this partnership's meetings"},
    };
    return mn_kind_cmd_list_options(opts, 1);
}

static void
print_meeting(json_t *root) {
    mn_kind_cmd_print(&kind, root);
}

static void
print_list(const json_t *items, const char *next) {
    static const char *const keys[] = {"id", "date", "partnership_id",
                                       "duration_minutes", "division"};
    mn_kind_cmd_print_items(items, keys, MN_ARRAY_LEN(keys), "no meetings");
    mn_kind_cmd_print_more(next);
}

/* The node's division number, from GET /v1/health. 0 on failure (said). */
static uint32_t
node_division(mn_cli *c, int *rc) {
    mn_request rq = {"GET", "/health", NULL, NULL, 0, CLI_TIMEOUT_S, false};
    mn_response rs;
    mn_response_init(&rs);
    *rc = mn_client_call(c->client, &rq, &rs);
    json_int_t div =
        *rc == CLI_EXIT_OK ? mn_out_int(rs.json, "division_id") : 0;
    mn_response_release(&rs);
    if (*rc == CLI_EXIT_OK && (div < 1 || div > 255)) {
        fputs("mentornet: the node did not say its division number\n", stderr);
        *rc = CLI_EXIT_FAILED;
    }
    return *rc == CLI_EXIT_OK ? (uint32_t)div : 0;
}

static int
add_run(mn_cli *c, const mn_args *a) {
    uint8_t id[MN_ID_BYTES];
    char hex[MN_ID_TEXT], path[64];
    int rc;
    uint32_t div = node_division(c, &rc);
    if (!div)
        return rc;
    mn_id_new(mn_wall_ms(), div, id);
    mn_id_format(id, hex);
    snprintf(path, sizeof path, "/meetings/%s", hex);
    for (int k = 0; k < ADD_TRIES; k++) {
        rc = mn_kind_cmd_write(c, &kind, a, "PUT", path, false, print_meeting);
        if (rc != CLI_EXIT_UNREACHABLE && rc != CLI_EXIT_FAILED)
            break;
        fprintf(stderr, "mentornet: sending meeting %s again\n", hex);
    }
    if (rc != CLI_EXIT_OK)
        fprintf(stderr,
                "mentornet: meeting %s: see `mentornet meeting show %s`"
                " once the node answers\n",
                hex, hex);
    return rc;
}

static int
show_run(mn_cli *c, const mn_args *a) {
    return mn_kind_cmd_show(c, a, "/meetings/", print_meeting);
}

static int
update_run(mn_cli *c, const mn_args *a) {
    return mn_kind_cmd_update(c, &kind, a, "/meetings/", print_meeting);
}

static int
list_run(mn_cli *c, const mn_args *a) {
    return mn_kind_cmd_list(c, a, "/meetings", print_list);
}

static const mn_command meeting_cmds[] = {
    {.name = "add",
     .summary = "log a meeting of a partnership (safe to send again)",
     .options = write_options,
     .detail = "Option --x-y sets field x_y; --topics is comma-separated.\n"
               "The CLI makes the meeting's id and prints it.",
     .run = add_run},
    {.name = "show",
     .summary = "show one meeting",
     .operands = "ID",
     .npos = 1,
     .run = show_run},
    {.name = "list",
     .summary = "list meetings in id order, a page at a time",
     .options = list_options,
     .run = list_run},
    {.name = "update",
     .summary = "change a meeting (on the node that logged it)",
     .operands = "ID",
     .npos = 1,
     .options = write_options,
     .run = update_run},
    {0},
};

static const mn_command *const meeting_sub[] = {meeting_cmds, NULL};

const mn_command mn_meeting_commands[] = {
    {.name = "meeting",
     .summary = "add, show, list or update meetings",
     .sub = meeting_sub},
    {0},
};
