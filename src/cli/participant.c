/*
 * participant — the participant commands of the CLI: add, show, list and
 * update (README.md, "CLI"), and the CLI's one list of participant fields.
 *
 * Invariants:
 * - The options of add and update, what --clear accepts and the order of
 *   rows in show all come from the participant kind's table
 *   (state/participant.c), read only through field_count and field_at.
 * - Option --x-y sets field x_y; --consent-x sets x of the consent object.
 * - A body from --data or a file is capped at MN_MAX_BODY before it is
 *   sent.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/util.h"
#include "state/participant.h"
#include "cli/args.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/listing.h"
#include "cli/output.h"

/* Option and key names are shorter than this. */
#define NAME_MAX_LEN 32

/* ---- the participant's fields ----------------------------------------- */

enum field_type { FIELD_INT, FIELD_STRING, FIELD_LIST, FIELD_ENUM };

typedef struct field {
    const char *name; /* as in the API; "consent.x" is x of consent */
    enum field_type type;
    const char *help;    /* NULL: the node sets it, there is no option */
    const char *metavar; /* the value's name in usage texts */
} field;

/* The kind's table, then what the node adds when it renders one. */
#define NFIELDS (MN_KIND_MAX_FIELDS + 3)
#define HELP_MAX 240

static field fields[NFIELDS];
static size_t nfields;

static enum field_type
field_type_of(const mn_field_def *d) {
    switch (d->type) {
    case MN_FT_INT: return FIELD_INT;
    case MN_FT_LIST: return FIELD_LIST;
    case MN_FT_ENUM: return FIELD_ENUM;
    default: return FIELD_STRING;
    }
}

static const char *
metavar_of(const mn_field_def *d) {
    switch (d->type) {
    case MN_FT_INT: return "N";
    case MN_FT_LIST: return "LIST";
    case MN_FT_TIME: return "TS";
    case MN_FT_EMAIL: return "ADDR";
    case MN_FT_PHONE: return "PHONE";
    case MN_FT_REF: return "ID";
    case MN_FT_ENUM: return d->names ? "NAME" : "CODE";
    default: return "TEXT";
    }
}

/* Help texts wrap here (the option column is 28 wide). */
#define HELP_WIDTH 50

/* Append word to out (of cap bytes, holding n), starting a continuation
 * line when the current one would pass HELP_WIDTH. Returns the new n. */
static size_t
help_append(char *out, size_t cap, size_t n, const char *sep,
            const char *word) {
    const char *line = strrchr(out, '\n');
    size_t col = n - (line ? (size_t)(line - out) + 1 : 0);
    bool wrap = col + strlen(sep) + strlen(word) > HELP_WIDTH;
    int w = snprintf(out + n, cap - n, "%s%s%s", wrap ? "\n" : "",
                     wrap ? "" : sep, word);
    return w < 0 || (size_t)w >= cap - n ? cap - 1 : n + (size_t)w;
}

/* The help of d with its allowed values in words: names or limits (code
 * sets are named by the table's help itself). */
static void
help_of(const mn_field_def *d, char *out, size_t cap) {
    char word[HELP_MAX] = "";
    size_t n = (size_t)snprintf(out, cap, "%s", d->help);
    if (d->type == MN_FT_INT)
        snprintf(word, sizeof word, "(%lld-%lld)", (long long)d->min,
                 (long long)d->max);
    else if (d->type == MN_FT_TEXT)
        snprintf(word, sizeof word, "(%lld-%lld characters)", (long long)d->min,
                 (long long)d->max);
    if (word[0])
        help_append(out, cap, n, " ", word);
    for (size_t i = 0; d->names && d->names[i]; i++) {
        snprintf(word, sizeof word, "%s%s%s", i ? "" : "(", d->names[i],
                 d->names[i + 1] ? "," : ")");
        n = help_append(out, cap, n, " ", word);
    }
}

/* Field f from the table's d: "group.name", type, help with limits. */
static void
field_from_def(field *f, const mn_field_def *d, char *name, char *help) {
    if (d->group)
        snprintf(name, NAME_MAX_LEN, "%s.%s", d->group, d->name);
    else
        snprintf(name, NAME_MAX_LEN, "%s", d->name);
    help_of(d, help, HELP_MAX);
    *f = (field){name, field_type_of(d), mn_field_by_node(d) ? NULL : help,
                 metavar_of(d)};
}

/* Built once from the participant kind's table (src/state/participant.c),
 * in the order the API renders a participant: the id, the table's fields,
 * then the times the node adds. */
static void
fields_build(void) {
    static char names[NFIELDS][NAME_MAX_LEN];
    static char helps[NFIELDS][HELP_MAX];
    const mn_kind *k = mn_kind_find(MN_ENTITY_PARTICIPANT);
    assert(k && k->nfields + 3 <= NFIELDS);
    fields[nfields++] = (field){"id", FIELD_STRING, NULL, NULL};
    for (size_t i = 0; i < k->nfields; i++, nfields++)
        field_from_def(&fields[nfields], &k->fields[i], names[nfields],
                       helps[nfields]);
    fields[nfields++] = (field){"created_at", FIELD_STRING, NULL, NULL};
    fields[nfields++] = (field){"updated_at", FIELD_STRING, NULL, NULL};
}

static size_t
field_count(void) {
    if (nfields == 0)
        fields_build();
    return nfields;
}

static const field *
field_at(size_t i) {
    return &fields[i];
}

static bool
field_is_settable(const field *f) {
    return f->help != NULL;
}

/* The length of the top-level key of f: "consent" of "consent.x". */
static size_t
field_top_len(const field *f) {
    return strcspn(f->name, ".");
}

/* Options of add and update: a field's option is its name with '-' for
 * '_' and '.'; then --clear and --data. Built once, kept to the end. */
static const mn_opt *write_table;
/* The field of write_table[i]; NULL from --clear on. */
static const field *write_field[NFIELDS];

static const mn_opt write_extra[] = {
    {"clear", MN_OPT_STR, true, "FIELD",
     "send null for FIELD (e.g. phone); repeatable"},
    {"data", MN_OPT_STR, false, "JSON|@FILE",
     "send JSON, or the contents of FILE (- for\nstdin), instead of the "
     "field options"},
};

static enum mn_opt_kind
field_opt_kind(const field *f) {
    if (f->type == FIELD_INT)
        return MN_OPT_INT;
    return f->type == FIELD_LIST ? MN_OPT_LIST : MN_OPT_STR;
}

static mn_opt
field_opt(const field *f, char *name) {
    assert(strlen(f->name) < NAME_MAX_LEN);
    snprintf(name, NAME_MAX_LEN, "%s", f->name);
    for (char *p = name; *p; p++)
        if (*p == '_' || *p == '.')
            *p = '-';
    return (mn_opt){name, field_opt_kind(f), false, f->metavar, f->help};
}

static const mn_opt *
write_options(void) {
    static mn_opt opts[NFIELDS + MN_ARRAY_LEN(write_extra) + 1];
    static char names[NFIELDS][NAME_MAX_LEN];
    size_t n = 0;
    if (write_table)
        return write_table;
    for (size_t i = 0; i < field_count(); i++) {
        const field *f = field_at(i);
        if (!field_is_settable(f))
            continue;
        write_field[n] = f;
        opts[n] = field_opt(f, names[n]);
        n++;
    }
    for (size_t i = 0; i < MN_ARRAY_LEN(write_extra); i++)
        opts[n++] = write_extra[i];
    write_table = opts;
    return write_table;
}

/* The field that option o, one of write_options(), sets; NULL for --clear
 * and --data. */
static const field *
field_of_opt(const mn_opt *o) {
    const mn_opt *opts = write_options();
    size_t i = (size_t)(o - opts);
    return i < NFIELDS ? write_field[i] : NULL;
}

/* The top-level keys of a participant in the order show prints them. */
static const char *const *
show_order(size_t *n) {
    static const char *order[NFIELDS];
    static char keys[NFIELDS][NAME_MAX_LEN];
    static size_t norder;
    static bool built;
    for (size_t i = 0; !built && i < field_count(); i++) {
        const field *f = field_at(i);
        int len = (int)field_top_len(f);
        snprintf(keys[i], sizeof keys[i], "%.*s", len, f->name);
        if (i == 0 || strcmp(keys[i], keys[i - 1]) != 0)
            order[norder++] = keys[i];
    }
    built = true;
    *n = norder;
    return order;
}

/* Whether --clear accepts name: a top-level field, as x-y or x_y. */
static bool
clearable(const char *name) {
    size_t len = strlen(name);
    char key[NAME_MAX_LEN];
    if (len >= sizeof key)
        return false;
    for (size_t i = 0; i <= len; i++)
        key[i] = (char)(name[i] == '-' ? '_' : name[i]);
    for (size_t i = 0; i < field_count(); i++) {
        const field *f = field_at(i);
        if (field_is_settable(f) && field_top_len(f) == len &&
            strncmp(f->name, key, len) == 0)
            return true;
    }
    return false;
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
    mn_table t;
    size_t n;
    const char *const *order = show_order(&n);
    mn_table_init(&t, 2, 2);
    mn_table_add_fields(&t, root, order, n);
    mn_table_add_other_fields(&t, root, order, n);
    mn_table_print(&t, 0);
    mn_table_release(&t);
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
    mn_list_print_more(next);
}

/* ---- participant add / update ----------------------------------------- */

/* Items of a comma-separated list, trimmed; empty items are dropped. */
static json_t *
split_list(const char *z) {
    json_t *list = json_array();
    while (*z) {
        z += strspn(z, " ");
        size_t n = strcspn(z, ","), len = n;
        while (len > 0 && z[len - 1] == ' ')
            len--;
        if (len > 0 && json_array_append_new(list, json_stringn(z, len))) {
            json_decref(list);
            return NULL;
        }
        z += n + (z[n] == ',');
    }
    return list;
}

/* The object at key of body, added when absent. */
static json_t *
object_at(json_t *body, const char *key) {
    json_t *obj = json_object_get(body, key);
    if (!obj) {
        obj = json_object();
        json_object_set_new(body, key, obj);
    }
    return obj;
}

/* The JSON value of option g of field f; NULL when it is not UTF-8. */
static json_t *
field_value(const field *f, const mn_arg *g) {
    json_int_t n = 0;
    switch (f->type) {
    case FIELD_INT:
        (void)mn_args_parse_int(g->val, &n); /* checked while parsing */
        return json_integer(n);
    case FIELD_LIST: return split_list(g->val);
    default: return json_string(g->val);
    }
}

static int
body_set_field(json_t *body, const mn_args *a, const mn_arg *g) {
    const field *f = field_of_opt(g->opt);
    const char *key = f->name;
    json_t *obj = body;
    char top[NAME_MAX_LEN];
    if (f->name[field_top_len(f)] == '.') {
        snprintf(top, sizeof top, "%.*s", (int)field_top_len(f), f->name);
        obj = object_at(body, top);
        key += field_top_len(f) + 1;
    }
    json_t *v = field_value(f, g);
    if (!v)
        return mn_args_usage_error(a->path, "--%s: not valid UTF-8",
                                   g->opt->name);
    json_object_set_new(obj, key, v);
    return 0;
}

static int
body_clear(json_t *body, const mn_args *a, const char *name) {
    char key[NAME_MAX_LEN];
    if (!clearable(name))
        return mn_args_usage_error(a->path, "--clear: unknown field '%s'",
                                   name);
    snprintf(key, sizeof key, "%s", name);
    for (char *p = key; *p; p++)
        if (*p == '-')
            *p = '_';
    if (json_object_get(body, key))
        return mn_args_usage_error(a->path, "--clear %s: the field is also set",
                                   name);
    json_object_set_new(body, key, json_null());
    return 0;
}

/* Field options first, so that --clear can see what they set. */
static int
fields_to_json(json_t *body, const mn_args *a) {
    int rc = 0;
    for (size_t i = 0; i < a->n && rc == 0; i++)
        if (field_of_opt(a->v[i].opt) != NULL)
            rc = body_set_field(body, a, &a->v[i]);
    for (size_t i = 0; i < a->n && rc == 0; i++)
        if (strcmp(a->v[i].opt->name, "clear") == 0)
            rc = body_clear(body, a, a->v[i].val);
    return rc;
}

static int
fields_body(const mn_args *a, mn_buf *out) {
    json_t *body = json_object();
    int rc = fields_to_json(body, a);
    if (rc == 0)
        mn_out_json_dump(out, body);
    json_decref(body);
    return rc;
}

/* Read path ("-" is stdin) into out; more than cap bytes is an error. */
static int
read_capped(const char *path, size_t cap, mn_buf *out) {
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    char chunk[8192];
    size_t n;
    int rc = 0;
    if (!f)
        return mn_out_file_error(path);
    while (out->len <= cap && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        mn_buf_append(out, chunk, n);
    if (ferror(f)) {
        rc = mn_out_file_error(path);
    } else if (out->len > cap) {
        fprintf(stderr, "mentornet: %s: over the %zu KiB body limit\n", path,
                cap >> 10);
        rc = CLI_EXIT_USAGE;
    }
    if (!is_stdin)
        fclose(f);
    return rc;
}

static size_t
count_changes(const mn_args *a) {
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++)
        n += field_of_opt(a->v[i].opt) != NULL;
    return n;
}

/* The body from --data or from the field options. */
static int
build_body(const mn_args *a, bool need_change, mn_buf *out) {
    const char *data = mn_args_value(a, "data");
    bool changes = count_changes(a) > 0 || mn_args_find(a, "clear");
    if (data && changes)
        return mn_args_usage_error(a->path,
                                   "--data cannot be combined with field "
                                   "options or --clear");
    if (data && data[0] == '@')
        return read_capped(data + 1, MN_MAX_BODY, out);
    if (data) {
        mn_out_puts(out, data);
        return 0;
    }
    if (need_change && !changes)
        return mn_args_usage_error(a->path, "nothing to change: give field "
                                            "options, --clear or --data");
    return fields_body(a, out);
}

static int
write_run(mn_cli *c, const mn_args *a, const char *method, const char *path,
          bool need_change) {
    mn_buf body;
    mn_buf_init(&body);
    int rc = build_body(a, need_change, &body);
    if (rc == 0) {
        mn_request rq = {method, path,     "application/json",
                         body.p, body.len, CLI_TIMEOUT_S,
                         false};
        rc = mn_client_show(c, &rq, print_participant);
    }
    mn_buf_release(&body);
    return rc;
}

static int
participant_path(const mn_args *a, mn_buf *out) {
    if (a->pos[0][0] == '\0')
        return mn_args_usage_error(a->path, "the participant ID is empty");
    mn_out_puts(out, "/participants/");
    mn_client_escape(out, a->pos[0]);

    return 0;
}

static int
add_run(mn_cli *c, const mn_args *a) {
    return write_run(c, a, "POST", "/participants", false);
}

static int
update_run(mn_cli *c, const mn_args *a) {
    mn_buf path;
    mn_buf_init(&path);
    int rc = participant_path(a, &path);
    if (rc == 0)
        rc = write_run(c, a, "PATCH", mn_out_str(&path), true);
    mn_buf_release(&path);
    return rc;
}

static int
show_run(mn_cli *c, const mn_args *a) {
    mn_buf path;
    mn_buf_init(&path);
    int rc = participant_path(a, &path);
    if (rc == 0)
        rc = mn_client_get(c, mn_out_str(&path), print_participant);
    mn_buf_release(&path);
    return rc;
}

/* ---- participant list ------------------------------------------------- */

static int
list_run(mn_cli *c, const mn_args *a) {
    return mn_list_run(c, a, "/participants", print_list);
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

static const mn_command *const participant_sub[] = {participant_cmds,
                                                    mn_transfer_commands, NULL};

const mn_command mn_participant_commands[] = {
    {.name = "participant",
     .summary = "add, show, list, update or transfer participants",
     .sub = participant_sub},
    {0},
};
