/*
 * cli — what every part of the mentornet CLI shares: the exit codes and
 * the context a command runs in (README.md, "CLI").
 *
 * Invariants:
 * - Exit codes are the README's contract: 0 success, 2 usage error (also a
 *   local file that cannot be read), 3 the node cannot be reached, 4 the
 *   node refused the request (4xx), 5 the node failed (5xx, bad answer).
 */
#ifndef MN_CLI_CLI_H
#define MN_CLI_CLI_H

#include <stdbool.h>

#ifndef MN_VERSION
#define MN_VERSION "0.1.0" /* keep in step with project() in CMakeLists.txt */
#endif

enum {
    CLI_DONE = -1, /* help or version printed: exit 0 */
    CLI_EXIT_OK = 0,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_UNREACHABLE = 3,
    CLI_EXIT_REFUSED = 4,
    CLI_EXIT_FAILED = 5,
};

typedef struct mn_client mn_client;

/* What a command runs with; set up from the global options by main. */
typedef struct mn_cli {
    mn_client *client; /* the node to talk to, owned by main */
    bool json;         /* print the node's JSON instead of tables */
} mn_cli;

#endif
