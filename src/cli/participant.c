/*
 * participant — the participant commands of the CLI: add, show, list,
 * update, export and consent-withdraw (README.md, "CLI", "Access and
 * export", "Consent").
 *
 * Invariants:
 * - The options of add and update, what --clear accepts and the order of
 *   rows in show all come from the participant kind's table
 *   (state/participant.c), through cli/kind_cmd.
 * - Option --x-y sets field x_y; --consent-x sets x of the consent object.
 * - export --out FILE never overwrites a file unless --force, and FILE
 *   appears only complete and synced, mode 0600 (it holds her personal
 *   data): the export is written to FILE.tmp, then renamed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* ---- participant export / consent-withdraw ---------------------------- */

static const mn_opt export_opts[] = {
    {"out", MN_OPT_STR, false, "FILE",
     "write the JSON to FILE (mode 0600) instead of stdout"},
    {"force", MN_OPT_FLAG, false, NULL, "with --out: replace an existing FILE"},
    {0},
};

static void
print_pretty(json_t *root) {
    char *z = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (z)
        puts(z);
    free(z);
}

/* Open path.tmp (0600, must not exist) for the export; path itself must
 * not exist unless force. OUT: *tmp (caller frees), *f. */
static int
export_open(const char *path, bool force, char **tmp, FILE **f) {
    struct stat st;
    if (!force && lstat(path, &st) == 0) {
        fprintf(stderr, "mentornet: %s exists; use --force to replace it\n",
                path);
        return CLI_EXIT_USAGE;
    }
    mn_buf b;
    mn_buf_init(&b);
    mn_out_printf(&b, "%s.tmp", path);
    *tmp = mn_out_take(&b);
    int fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    *f = fd < 0 ? NULL : fdopen(fd, "wb");
    if (*f)
        return 0;
    int rc = mn_out_file_error(*tmp);
    if (fd >= 0) {
        close(fd);
        unlink(*tmp);
    }
    return rc;
}

/* Download the export at url path into the file out. */
static int
export_to_file(mn_cli *c, const char *path, const char *out, bool force) {
    char *tmp = NULL;
    FILE *f = NULL;
    int rc = export_open(out, force, &tmp, &f);
    if (rc != 0) {
        free(tmp);
        return rc;
    }
    mn_request rq = {"GET", path, NULL, NULL, 0, CLI_TIMEOUT_S, false};
    mn_response rs;
    mn_response_init(&rs);
    rs.save = f;
    rs.save_name = tmp;
    rc = mn_client_call(c->client, &rq, &rs);
    if (rc == 0)
        rc = mn_out_file_commit(f, tmp, out, force);
    else
        fclose(f);
    if (rc == 0)
        mn_out_file_report(c->json, out, rs.saved);
    else
        unlink(tmp);
    mn_response_release(&rs);
    free(tmp);
    return rc;
}

static int
export_run(mn_cli *c, const mn_args *a) {
    const char *out = mn_args_value(a, "out");
    bool force = mn_args_find(a, "force") != NULL;
    mn_buf path;
    mn_buf_init(&path);
    int rc = mn_kind_cmd_id_path(a, "/participants/", "/export", &path);
    if (rc == 0 && force && !out)
        rc = mn_args_usage_error(a->path, "--force: only with --out");
    if (rc == 0 && out)
        rc = export_to_file(c, mn_out_str(&path), out, force);
    else if (rc == 0)
        rc = mn_client_get(c, mn_out_str(&path), print_pretty);
    mn_buf_release(&path);
    return rc;
}

static int
consent_withdraw_run(mn_cli *c, const mn_args *a) {
    mn_buf path;
    mn_buf_init(&path);
    int rc = mn_kind_cmd_id_path(a, "/participants/", "/consent", &path);
    if (rc == 0) {
        mn_request rq = {"DELETE", mn_out_str(&path), NULL, NULL,
                         0,        CLI_TIMEOUT_S,     false};
        rc = mn_client_show(c, &rq, print_participant);
    }
    mn_buf_release(&path);
    return rc;
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
    {.name = "export",
     .summary = "everything the network holds about her, as one JSON "
                "document",
     .operands = "ID",
     .npos = 1,
     .opts = export_opts,
     .detail = "Only on her home division's node, as an admin or its "
               "coordinator. Her record,\n"
               "partnerships, meetings, outcomes, memberships and the audit "
               "entries about\n"
               "her. Reading it is recorded in the audit log.",
     .run = export_run},
    {.name = "consent-withdraw",
     .summary = "withdraw her consent: clears consent, country of origin and "
                "background",
     .operands = "ID",
     .npos = 1,
     .detail = "One change on her home division's node clears her consent "
               "and both special\n"
               "fields; a special field can be written again only with a new "
               "consent.",
     .run = consent_withdraw_run},
    {0},
};

static const mn_command *const participant_sub[] = {
    participant_cmds, mn_transfer_commands, mn_erase_commands, NULL};

const mn_command mn_participant_commands[] = {
    {.name = "participant",
     .summary = "add, show, list, update, transfer, export or erase "
                "participants",
     .sub = participant_sub},
    {0},
};
