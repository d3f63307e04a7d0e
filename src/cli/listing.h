/*
 * listing — the CLI's list commands: a resource's pages fetched with the
 * command's options as query parameters, --cursor to start at a page and
 * --all to follow next_cursor to the last one; printed as the node's JSON
 * (--json, a page per line) or through the command's own table printer.
 */
#ifndef MN_CLI_LISTING_H
#define MN_CLI_LISTING_H

#include <jansson.h>

#include "cli/args.h"
#include "cli/cli.h"

/* Print items as a table; next, when set, is the next page's cursor. */
typedef void (*mn_list_printer)(const json_t *items, const char *next);

/* List base ("/participants"): every option of a but --cursor and flags
 * is a query parameter of its name. Returns the exit code. */
int mn_list_run(mn_cli *c, const mn_args *a, const char *base,
                mn_list_printer print);

/* "more: --cursor C" when next is set (for printers). */
void mn_list_print_more(const char *next);

#endif
