/*
 * args — the CLI's command tables, their parsing with getopt_long, their
 * usage texts and the dispatch from a command line to a command's run.
 *
 * Commands and their options are tables, and the usage texts are generated
 * from them, so no option is accepted without being documented.
 *
 * Invariants:
 * - Options are parsed in order: operands may come between options, "--"
 *   ends the options, and -h/--help ends parsing (what follows is not
 *   looked at). Only whole option names are accepted, never abbreviations.
 * - Every usage error is one line on stderr naming the command's --help,
 *   and exit code CLI_EXIT_USAGE.
 */
#ifndef MN_CLI_ARGS_H
#define MN_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "cli/cli.h"

enum mn_opt_kind { MN_OPT_FLAG, MN_OPT_STR, MN_OPT_INT, MN_OPT_LIST };

/* One option of a command; a table of them ends with name NULL. */
typedef struct mn_opt {
    const char *name; /* long name without "--"; NULL ends a table */
    enum mn_opt_kind kind;
    bool multi;          /* may be given more than once */
    const char *metavar; /* NULL for flags */
    const char *help;    /* '\n' continues on the next usage line */
} mn_opt;

/* One option as given; val is NULL for flags, else borrowed from argv. */
typedef struct mn_arg {
    const mn_opt *opt;
    const char *val;
} mn_arg;

/* Parsed command line of one command. Arrays are owned, strings borrowed. */
typedef struct mn_args {
    const char *path;      /* "participant add", for messages */
    const mn_opt *globals; /* for the hint on a global option given late */
    mn_arg *v;
    size_t n;
    char **pos; /* operands */
    size_t npos;
    bool help;
    int next; /* index of the first argument not consumed */
} mn_args;

typedef struct mn_command mn_command;
struct mn_command {
    const char *name; /* NULL ends a table */
    const char *summary;
    const char *operands; /* e.g. "ID"; NULL when none */
    size_t npos;          /* exact number of operands */
    const mn_opt *opts;   /* NULL when only --help */
    /* Instead of opts, when the table is built at run time; or NULL. */
    const mn_opt *(*options)(void);
    const char *detail; /* more usage text, or NULL */
    int (*run)(mn_cli *c, const mn_args *a);
    /* A group's subcommands: tables of commands, the list ending in NULL. */
    const mn_command *const *sub;
};

/*
 * Prepare a for parsing at most argc arguments of the command at path
 * (borrowed, "" for the global options). globals (borrowed, may be NULL)
 * names the global options, to hint when one is given after the command.
 * Release with mn_args_release.
 */
void mn_args_init(mn_args *a, const char *path, const mn_opt *globals,
                  int argc);

/* Free what mn_args_init allocated; the borrowed strings stay. */
void mn_args_release(mn_args *a);

/*
 * Parse argv[1..argc) against opts with getopt_long; argv[0] is the name
 * of the command, as getopt expects. With stop, parsing ends at the first
 * operand (global options end at the command) and a->next is its index;
 * otherwise operands are collected in a->pos. -h or --help sets a->help.
 * Returns 0, or CLI_EXIT_USAGE after printing why.
 */
int mn_args_parse(mn_args *a, const mn_opt *opts, bool stop, int argc,
                  char **argv);

/* The first occurrence of option name in a, or NULL; borrowed from a. */
const mn_arg *mn_args_find(const mn_args *a, const char *name);

/* The value of option name, or NULL when absent or a flag; borrowed. */
const char *mn_args_value(const mn_args *a, const char *name);

/* Parse z as a whole decimal number into OUT: *out. Returns whether it is
 * one. */
bool mn_args_parse_int(const char *z, json_int_t *out);

/* Print "mentornet: <message>" and the hint to run path's --help to
 * stderr. Returns CLI_EXIT_USAGE. */
int mn_args_usage_error(const char *path, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Print the usage text of cmd, whose command line is path, to f. */
void mn_args_print_usage(FILE *f, const mn_command *cmd, const char *path);

/*
 * Run the command that argv[1..argc) names below the group root; argv[0]
 * is the group's own name. The leaf parses its own options (root->opts
 * are named in the hint for a global option given late) and runs.
 * Returns the exit code: CLI_EXIT_OK after --help.
 */
int mn_args_dispatch(mn_cli *c, const mn_command *root, int argc, char **argv);

#endif
