/*
 * kind_cmd — see kind_cmd.h. Everything a command knows of a kind's fields
 * comes from the kind's table, read once into an mn_kind_cmd.
 */
#include "cli/kind_cmd.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "mentornet/mentornet.h"

#define NAME_MAX_LEN MN_KIND_CMD_NAME_MAX
#define HELP_MAX MN_KIND_CMD_HELP_MAX

typedef mn_kind_cmd_field field;

/* ---- the kind's fields ------------------------------------------------ */

static enum mn_kind_cmd_ftype
field_type_of(const mn_field_def *d) {
    switch (d->type) {
    case MN_FT_INT: return MN_KC_INT;
    case MN_FT_LIST: return MN_KC_LIST;
    case MN_FT_ENUM: return MN_KC_ENUM;
    default: return MN_KC_STRING;
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
    else if (d->type == MN_FT_TEXT && d->min == d->max)
        snprintf(word, sizeof word, "(%lld characters)", (long long)d->min);
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

/* The length of the top-level key of f: "consent" of "consent.x". */
static size_t
field_top_len(const field *f) {
    return strcspn(f->name, ".");
}

static bool
field_is_settable(const field *f) {
    return f->help != NULL;
}

/* The top-level keys in the order show prints them. */
static void
order_build(mn_kind_cmd *kc) {
    for (size_t i = 0; i < kc->nfields; i++) {
        const field *f = &kc->fields[i];
        int len = (int)field_top_len(f);
        snprintf(kc->keys[i], sizeof kc->keys[i], "%.*s", len, f->name);
        if (i == 0 || strcmp(kc->keys[i], kc->keys[i - 1]) != 0)
            kc->order[kc->norder++] = kc->keys[i];
    }
}

/* Built once from the kind's table, in the order the API renders one: the
 * id, the table's fields, then the times the node adds. */
static void
fields_build(mn_kind_cmd *kc) {
    const mn_kind *k = mn_kind_find(kc->type);
    if (kc->built)
        return;
    assert(k && k->nfields + 3 <= MN_KIND_CMD_FIELDS);
    kc->fields[kc->nfields++] = (field){"id", MN_KC_STRING, NULL, NULL};
    for (size_t i = 0; i < k->nfields; i++, kc->nfields++)
        field_from_def(&kc->fields[kc->nfields], &k->fields[i],
                       kc->names[kc->nfields], kc->helps[kc->nfields]);
    kc->fields[kc->nfields++] = (field){"created_at", MN_KC_STRING, NULL, NULL};
    kc->fields[kc->nfields++] = (field){"updated_at", MN_KC_STRING, NULL, NULL};
    order_build(kc);
    kc->built = true;
}

/* ---- options of add and update ---------------------------------------- */

static const mn_opt write_extra[] = {
    {"clear", MN_OPT_STR, true, "FIELD",
     "send null for FIELD (e.g. phone); repeatable"},
    {"data", MN_OPT_STR, false, "JSON|@FILE",
     "send JSON, or the contents of FILE (- for\nstdin), instead of the "
     "field options"},
};

static enum mn_opt_kind
field_opt_kind(const field *f) {
    if (f->type == MN_KC_INT)
        return MN_OPT_INT;
    return f->type == MN_KC_LIST ? MN_OPT_LIST : MN_OPT_STR;
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

const mn_opt *
mn_kind_cmd_write_options(mn_kind_cmd *kc) {
    size_t n = 0;
    fields_build(kc);
    if (kc->opts[0].name)
        return kc->opts;
    for (size_t i = 0; i < kc->nfields; i++) {
        const field *f = &kc->fields[i];
        if (!field_is_settable(f))
            continue;
        kc->opt_field[n] = f;
        kc->opts[n] = field_opt(f, kc->opt_names[n]);
        n++;
    }
    for (size_t i = 0; i < MN_ARRAY_LEN(write_extra); i++)
        kc->opts[n++] = write_extra[i];
    return kc->opts;
}

/* The field that option o, one of kc's write options, sets; NULL for
 * --clear and --data. */
static const field *
field_of_opt(mn_kind_cmd *kc, const mn_opt *o) {
    const mn_opt *opts = mn_kind_cmd_write_options(kc);
    size_t i = (size_t)(o - opts);
    return i < MN_KIND_CMD_FIELDS ? kc->opt_field[i] : NULL;
}

/* Whether --clear accepts name: a top-level field, as x-y or x_y. */
static bool
clearable(mn_kind_cmd *kc, const char *name) {
    size_t len = strlen(name);
    char key[NAME_MAX_LEN];
    if (len >= sizeof key)
        return false;
    for (size_t i = 0; i <= len; i++)
        key[i] = (char)(name[i] == '-' ? '_' : name[i]);
    for (size_t i = 0; i < kc->nfields; i++) {
        const field *f = &kc->fields[i];
        if (field_is_settable(f) && field_top_len(f) == len &&
            strncmp(f->name, key, len) == 0)
            return true;
    }
    return false;
}

void
mn_kind_cmd_print(mn_kind_cmd *kc, json_t *root) {
    mn_table t;
    fields_build(kc);
    mn_table_init(&t, 2, 2);
    mn_table_add_fields(&t, root, kc->order, kc->norder);
    mn_table_add_other_fields(&t, root, kc->order, kc->norder);
    mn_table_print(&t, 0);
    mn_table_release(&t);
}

/* ---- the body --------------------------------------------------------- */

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
    case MN_KC_INT:
        (void)mn_args_parse_int(g->val, &n); /* checked while parsing */
        return json_integer(n);
    case MN_KC_LIST: return split_list(g->val);
    default: return json_string(g->val);
    }
}

static int
body_set_field(mn_kind_cmd *kc, json_t *body, const mn_args *a,
               const mn_arg *g) {
    const field *f = field_of_opt(kc, g->opt);
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
body_clear(mn_kind_cmd *kc, json_t *body, const mn_args *a, const char *name) {
    char key[NAME_MAX_LEN];
    if (!clearable(kc, name))
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
fields_to_json(mn_kind_cmd *kc, json_t *body, const mn_args *a) {
    int rc = 0;
    for (size_t i = 0; i < a->n && rc == 0; i++)
        if (field_of_opt(kc, a->v[i].opt) != NULL)
            rc = body_set_field(kc, body, a, &a->v[i]);
    for (size_t i = 0; i < a->n && rc == 0; i++)
        if (strcmp(a->v[i].opt->name, "clear") == 0)
            rc = body_clear(kc, body, a, a->v[i].val);
    return rc;
}

static int
fields_body(mn_kind_cmd *kc, const mn_args *a, mn_buf *out) {
    json_t *body = json_object();
    int rc = fields_to_json(kc, body, a);
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
count_changes(mn_kind_cmd *kc, const mn_args *a) {
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++)
        n += field_of_opt(kc, a->v[i].opt) != NULL;
    return n;
}

/* The body from --data or from the field options. */
static int
build_body(mn_kind_cmd *kc, const mn_args *a, bool need_change, mn_buf *out) {
    const char *data = mn_args_value(a, "data");
    bool changes = count_changes(kc, a) > 0 || mn_args_find(a, "clear");
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
    return fields_body(kc, a, out);
}

int
mn_kind_cmd_write(mn_cli *c, mn_kind_cmd *kc, const mn_args *a,
                  const char *method, const char *path, bool need_change,
                  mn_printer print) {
    mn_buf body;
    mn_buf_init(&body);
    int rc = build_body(kc, a, need_change, &body);
    if (rc == 0) {
        mn_request rq = {method, path,     "application/json",
                         body.p, body.len, CLI_TIMEOUT_S,
                         false};
        rc = mn_client_show(c, &rq, print);
    }
    mn_buf_release(&body);
    return rc;
}

int
mn_kind_cmd_id_path(const mn_args *a, const char *base, const char *suffix,
                    mn_buf *out) {
    if (a->pos[0][0] == '\0')
        return mn_args_usage_error(a->path, "the ID is empty");
    mn_out_puts(out, base);
    mn_client_escape(out, a->pos[0]);
    mn_out_puts(out, suffix);
    return 0;
}

int
mn_kind_cmd_show(mn_cli *c, const mn_args *a, const char *base,
                 mn_printer print) {
    mn_buf path;
    mn_buf_init(&path);
    int rc = mn_kind_cmd_id_path(a, base, "", &path);
    if (rc == 0)
        rc = mn_client_get(c, mn_out_str(&path), print);
    mn_buf_release(&path);
    return rc;
}

int
mn_kind_cmd_update(mn_cli *c, mn_kind_cmd *kc, const mn_args *a,
                   const char *base, mn_printer print) {
    mn_buf path;
    mn_buf_init(&path);
    int rc = mn_kind_cmd_id_path(a, base, "", &path);
    if (rc == 0)
        rc = mn_kind_cmd_write(c, kc, a, "PATCH", mn_out_str(&path), true,
                               print);
    mn_buf_release(&path);
    return rc;
}

/* ---- lists ------------------------------------------------------------ */

static void
query_add(mn_buf *b, char *sep, const char *name, const char *val) {
    mn_out_printf(b, "%c%s=", *sep, name);
    mn_client_escape(b, val);
    *sep = '&';
}

static void
list_path(mn_buf *b, const mn_args *a, const char *base, const char *cursor) {
    char sep = '?';
    mn_out_puts(b, base);
    for (size_t i = 0; i < a->n; i++) {
        const mn_arg *g = &a->v[i];
        if (g->opt->kind != MN_OPT_FLAG && strcmp(g->opt->name, "cursor") != 0)
            query_add(b, &sep, g->opt->name, g->val);
    }
    if (cursor)
        query_add(b, &sep, "cursor", cursor);
}

/* Print or collect one page and move *cursor to the next one. */
static int
list_take(const mn_cli *c, const mn_response *rs, char **cursor,
          json_t *items) {
    const char *next =
        json_string_value(json_object_get(rs->json, "next_cursor"));
    if (next && *cursor && strcmp(next, *cursor) == 0) {
        fputs("mentornet: the node sent the same cursor again\n", stderr);
        return CLI_EXIT_FAILED;
    }
    if (c->json)
        mn_out_print_compact(rs->json);
    else
        json_array_extend(items, json_object_get(rs->json, "items"));
    free(*cursor);
    *cursor = next ? mn_strdup(next) : NULL;
    return 0;
}

static int
list_page(mn_cli *c, const mn_args *a, const char *base, char **cursor,
          json_t *items) {
    mn_buf path;
    mn_buf_init(&path);
    list_path(&path, a, base, *cursor);
    mn_request rq = {"GET", mn_out_str(&path), NULL, NULL,
                     0,     CLI_TIMEOUT_S,     false};
    mn_response rs;
    mn_response_init(&rs);
    int rc = mn_client_call(c->client, &rq, &rs);
    if (rc == CLI_EXIT_OK)
        rc = list_take(c, &rs, cursor, items);
    mn_response_release(&rs);
    mn_buf_release(&path);
    return rc;
}

int
mn_kind_cmd_list(mn_cli *c, const mn_args *a, const char *path,
                 mn_list_printer print) {
    const char *start = mn_args_value(a, "cursor");
    char *cursor = start ? mn_strdup(start) : NULL;
    bool all = mn_args_find(a, "all") != NULL;
    json_t *items = json_array();
    int rc;
    do {
        rc = list_page(c, a, path, &cursor, items);
    } while (rc == CLI_EXIT_OK && all && cursor);
    if (rc == CLI_EXIT_OK && !c->json)
        print(items, cursor);
    json_decref(items);
    free(cursor);
    return rc;
}

void
mn_kind_cmd_print_more(const char *next) {
    if (!next)
        return;
    fputs("more: --cursor ", stdout);
    mn_out_print_safe(stdout, next);
    putchar('\n');
}

void
mn_kind_cmd_print_items(const json_t *items, const char *const *keys,
                        size_t nkeys, const char *none) {
    mn_table t;
    mn_table_init(&t, nkeys, nkeys);
    for (size_t k = 0; k < nkeys; k++)
        mn_table_add(&t, keys[k]);
    for (size_t i = 0; i < json_array_size(items); i++)
        for (size_t k = 0; k < nkeys; k++)
            mn_table_add_json(
                &t, json_object_get(json_array_get(items, i), keys[k]));
    if (json_array_size(items) > 0)
        mn_table_print(&t, 0);
    else
        puts(none);
    mn_table_release(&t);
}

const mn_opt *
mn_kind_cmd_list_options(mn_opt *opts, size_t n) {
    static const mn_opt paging[] = {
        {"limit", MN_OPT_INT, false, "N", "page size, 1-500 (default 50)"},
        {"cursor", MN_OPT_STR, false, "C", "start at this cursor"},
        {"all", MN_OPT_FLAG, false, NULL,
         "follow next_cursor to the last page"},
        {0},
    };
    memcpy(opts + n, paging, sizeof paging);
    return opts;
}
