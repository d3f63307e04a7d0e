/*
 * main — the mentornet command-line client (README.md, "CLI").
 *
 * It speaks a node's HTTP API: tables for people, the node's JSON for
 * machines (--json). main parses the global options, makes the client and
 * hands the rest of the command line to the one table of command groups
 * below; each group lives in its own file (commands.h).
 *
 * Invariants:
 * - Exit codes are the README's contract (cli.h).
 * - Global options go before the command; a command's options after it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/client.h"
#include "cli/commands.h"

#define CLI_DEFAULT_NODE "http://127.0.0.1:8101"

static const mn_opt global_opts[] = {
    {"node", MN_OPT_STR, false, "URL",
     "the node to talk to\n(default " CLI_DEFAULT_NODE ")"},
    {"token", MN_OPT_STR, false, "T",
     "bearer token (default $MENTORNET_TOKEN)"},
    {"json", MN_OPT_FLAG, false, NULL, "print the node's JSON, not tables"},
    {"version", MN_OPT_FLAG, false, NULL, "print the version and exit"},
    {0},
};

/* The command groups, in the order --help lists them. */
static const mn_command *const groups[] = {
    mn_participant_commands,
    mn_partnership_commands,
    mn_meeting_commands,
    mn_subnetwork_commands,
    mn_outcome_commands,
    mn_match_commands,
    mn_import_commands,
    mn_stats_commands,
    mn_replication_commands,
    mn_backup_commands,
    mn_token_commands,
    mn_audit_commands,
    NULL,
};

static const mn_command root_cmd = {
    .name = "",
    .summary = "mentornet speaks the HTTP API of a mentornet node.",
    .opts = global_opts,
    .detail = "Global options go before the command.\n"
              "Exit codes: 0 success, 2 usage error, 3 cannot reach the node,\n"
              "4 the node refused the request (4xx), 5 the node failed (5xx).",
    .sub = groups,
};

static int
apply_globals(mn_cli *c, const mn_args *g) {
    if (g->help) {
        mn_args_print_usage(stdout, &root_cmd, "");
        return CLI_DONE;
    }
    if (mn_args_find(g, "version")) {
        printf("mentornet %s\n", MN_VERSION);
        return CLI_DONE;
    }
    c->json = mn_args_find(g, "json") != NULL;
    const char *node = mn_args_value(g, "node");
    return mn_client_new(node ? node : CLI_DEFAULT_NODE,
                         mn_args_value(g, "token"), &c->client);
}

int
main(int argc, char **argv) {
    mn_cli c = {0};
    mn_args g;
    mn_args_init(&g, "", NULL, argc);
    int rc = mn_args_parse(&g, global_opts, true, argc, argv);
    if (rc == 0)
        rc = apply_globals(&c, &g);
    /* argv[g.next - 1], the last global option or the program, stands in
     * as the name of the root group. */
    if (rc == 0)
        rc = mn_args_dispatch(&c, &root_cmd, argc - g.next + 1,
                              argv + g.next - 1);
    if (rc == CLI_DONE)
        rc = CLI_EXIT_OK;
    mn_args_release(&g);
    mn_client_destroy(&c.client);
    return rc;
}
