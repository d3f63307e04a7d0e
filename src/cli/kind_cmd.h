/*
 * kind_cmd — what the CLI's commands of any entity kind share, driven by
 * the kind's table (state/kind.h): the options of add and update (one per
 * field the API takes, --clear and --data), the request body they build,
 * the order show prints fields in, the id in a path, and a list walked a
 * page at a time. A kind's command file (participant.c, subnetwork.c,
 * outcome.c) keeps one mn_kind_cmd and its own printers and commands.
 *
 * Invariants:
 * - Option --x-y sets field x_y; --g-x sets x of the group object g. No
 *   field is accepted without an option generated from the table, so no
 *   option is undocumented.
 * - A body from --data or a file is capped at MN_MAX_BODY before it is
 *   sent.
 * - The tables built for a kind live as long as the program.
 */
#ifndef MN_CLI_KIND_CMD_H
#define MN_CLI_KIND_CMD_H

#include <stdbool.h>

#include <jansson.h>

#include "base/util.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/output.h"
#include "state/kind.h"

/* Option and key names are shorter than this. */
#define MN_KIND_CMD_NAME_MAX 32
/* The kind's table, then what the node adds when it renders one. */
#define MN_KIND_CMD_FIELDS (MN_KIND_MAX_FIELDS + 3)
#define MN_KIND_CMD_HELP_MAX 240

enum mn_kind_cmd_ftype { MN_KC_INT, MN_KC_STRING, MN_KC_LIST, MN_KC_ENUM };

/* One field as the CLI sees it. */
typedef struct mn_kind_cmd_field {
    const char *name; /* as in the API; "g.x" is x of group g */
    enum mn_kind_cmd_ftype type;
    const char *help;    /* NULL: the node sets it, there is no option */
    const char *metavar; /* the value's name in usage texts */
} mn_kind_cmd_field;

/* What the CLI builds once from one kind's table. Declare one per kind
 * with only type set; the rest is filled on first use. */
typedef struct mn_kind_cmd {
    uint32_t type; /* the kind's type number (state/entity.h) */
    bool built;
    mn_kind_cmd_field fields[MN_KIND_CMD_FIELDS];
    size_t nfields;
    char names[MN_KIND_CMD_FIELDS][MN_KIND_CMD_NAME_MAX];
    char helps[MN_KIND_CMD_FIELDS][MN_KIND_CMD_HELP_MAX];
    /* The options of add and update, and the field each one sets. */
    mn_opt opts[MN_KIND_CMD_FIELDS + 3];
    char opt_names[MN_KIND_CMD_FIELDS][MN_KIND_CMD_NAME_MAX];
    const mn_kind_cmd_field *opt_field[MN_KIND_CMD_FIELDS];
    /* The top-level keys in the order show prints them. */
    const char *order[MN_KIND_CMD_FIELDS];
    char keys[MN_KIND_CMD_FIELDS][MN_KIND_CMD_NAME_MAX];
    size_t norder;
} mn_kind_cmd;

/* The options of add and update for kc's kind: one per field a request
 * may set, then --clear FIELD (repeatable) and --data JSON|@FILE. */
const mn_opt *mn_kind_cmd_write_options(mn_kind_cmd *kc);

/* Print root (one entity) as "key:" value rows in the table's order, then
 * any other key the node sent. */
void mn_kind_cmd_print(mn_kind_cmd *kc, json_t *root);

/*
 * Send the body of a's options (or --data) with method to path and print
 * the answer with print. need_change: refuse, as a usage error, a command
 * line that sets nothing. Returns the exit code.
 */
int mn_kind_cmd_write(mn_cli *c, mn_kind_cmd *kc, const mn_args *a,
                      const char *method, const char *path, bool need_change,
                      mn_printer print);

/* Append base, then the escaped id a->pos[0], then suffix (may be "") to
 * out. An empty id is a usage error (returns CLI_EXIT_USAGE). */
int mn_kind_cmd_id_path(const mn_args *a, const char *base, const char *suffix,
                        mn_buf *out);

/* GET base, then the escaped id a->pos[0], and print it. The exit code. */
int mn_kind_cmd_show(mn_cli *c, const mn_args *a, const char *base,
                     mn_printer print);
/* PATCH the fields a's options set (at least one) of base + a->pos[0],
 * and print the answer. The exit code. */
int mn_kind_cmd_update(mn_cli *c, mn_kind_cmd *kc, const mn_args *a,
                       const char *base, mn_printer print);

/* Print a list as a table, or say none: items and next (NULL on the last
 * page). */
typedef void (*mn_list_printer)(const json_t *items, const char *next);

/*
 * GET path with every option of a but --cursor and --all as a query
 * parameter of its name; --cursor starts there, --all follows next_cursor
 * to the last page. With --json each page is printed as it comes; else
 * print gets every item at the end. Returns the exit code.
 */
int mn_kind_cmd_list(mn_cli *c, const mn_args *a, const char *path,
                     mn_list_printer print);

/* Print "more: --cursor NEXT" when next is not NULL. */
void mn_kind_cmd_print_more(const char *next);

/* Print items (an array of objects) as a table of the nkeys columns keys,
 * headed by the keys; or the line none when there are no items. */
void mn_kind_cmd_print_items(const json_t *items, const char *const *keys,
                             size_t nkeys, const char *none);

/* The paging options of a list (--limit, --cursor, --all), to end a
 * command's own table of filters: copied into opts after its n filters
 * (opts holds n + 4). Returns opts. */
const mn_opt *mn_kind_cmd_list_options(mn_opt *opts, size_t n);

#endif
