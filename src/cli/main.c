/*
 * cli — the mentornet command-line client (README.md, "CLI").
 *
 * It speaks a node's HTTP API with libcurl and jansson: tables for people,
 * the node's JSON for machines (--json). Commands and their options live in
 * tables at the end of the file and the usage texts are generated from them,
 * so no option is accepted without being documented.
 *
 * Invariants:
 * - Exit codes are the README's contract: 0 success, 2 usage error (also a
 *   local file that cannot be read), 3 the node cannot be reached, 4 the
 *   node refused the request (4xx), 5 the node failed (5xx, bad answer).
 * - The token is sent only in the Authorization header, never printed.
 * - Text from the node is printed with control characters escaped, so an
 *   answer cannot drive the terminal.
 * - Every size that a file, stdin or the node controls is capped before use.
 * - libcurl is initialised only when a request is made, so --help allocates
 *   nothing that outlives main().
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "base/util.h"

#ifndef MN_VERSION
#define MN_VERSION "0.1.0" /* keep in step with project() in CMakeLists.txt */
#endif

#define CLI_DEFAULT_NODE "http://127.0.0.1:8101"
#define CLI_CONNECT_TIMEOUT_S 5L
#define CLI_TIMEOUT_S 60L
/* One import request: up to 16 MiB validated and written in one commit. */
#define CLI_IMPORT_TIMEOUT_S 600L
/* A backup has no overall time limit (it is as big as the store); it is
 * given up when no byte arrives for this long. The node copies the store
 * before it answers, about 1 s per GiB on an ordinary disk. */
#define CLI_STALL_S 300L
/* Conflict values wider than this many characters are cut in tables. */
#define CLI_VALUE_WIDTH 40
/* A page of 500 participants with every field at its limit and worst-case
 * JSON escaping is about 10 MiB; anything much bigger is not an answer. */
#define CLI_MAX_ANSWER ((size_t)64 * 1024 * 1024)
/* Column where option descriptions start in usage texts. */
#define USAGE_COL 28
/* Options --consent-x fill the field x of the "consent" object. */
#define CONSENT_PREFIX "consent-"

enum {
    CLI_DONE = -1, /* help or version printed: exit 0 */
    CLI_EXIT_OK = 0,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_UNREACHABLE = 3,
    CLI_EXIT_REFUSED = 4,
    CLI_EXIT_FAILED = 5,
};

typedef struct cli {
    char *node;        /* base URL without a trailing '/', owned */
    const char *token; /* NULL when none; borrowed from argv or environ */
    bool json;         /* print the node's JSON instead of tables */
    bool curl_ready;   /* curl_global_init succeeded */
    CURL *curl;        /* reused so that pages and imports share a connection */
} cli;

enum opt_kind { OPT_FLAG, OPT_STR, OPT_INT, OPT_LIST };

typedef struct optspec {
    const char *name; /* long name without "--"; NULL ends a table */
    enum opt_kind kind;
    bool multi;          /* may be given more than once */
    const char *metavar; /* NULL for flags */
    const char *help;    /* '\n' continues on the next usage line */
} optspec;

typedef struct arg {
    const optspec *opt;
    const char *val; /* NULL for flags; borrowed from argv */
} arg;

/* Parsed command line of one command. Arrays are owned, strings borrowed. */
typedef struct args {
    const char *path; /* "participant add", for messages */
    arg *v;
    size_t n;
    char **pos; /* operands */
    size_t npos;
    bool help;
    int next; /* index of the first argument not consumed */
} args;

typedef struct command command;
struct command {
    const char *name; /* NULL ends a table */
    const char *summary;
    const char *operands; /* e.g. "ID"; NULL when none */
    size_t npos;          /* exact number of operands */
    const optspec *opts;  /* NULL when only --help */
    const char *detail;   /* more usage text, or NULL */
    int (*run)(cli *c, const args *a);
    const command *sub; /* a group's subcommands */
};

typedef struct request {
    const char *method; /* "GET", "POST" or "PATCH" */
    const char *path;   /* below /v1, with its query string */
    const char *ctype;  /* Content-Type of the body; NULL: no body */
    const void *body;
    size_t len;
    long timeout_s; /* 0: no limit, but give up after CLI_STALL_S idle */
    bool anonymous; /* send no token */
} request;

typedef struct response {
    long status;
    mn_buf body;
    json_t *json; /* the parsed body; NULL when empty */
    bool toobig;  /* the body passed CLI_MAX_ANSWER */
    /* A download: a 2xx body goes to save (borrowed), not to body. */
    FILE *save;
    const char *save_name; /* for messages */
    uint64_t saved;        /* bytes written to save */
    int save_errno;        /* nonzero: writing to save failed */
    CURL *curl;            /* the transfer under way, for its status */
} response;

typedef void (*printer)(json_t *root);

/* A text table; every cell is an owned, escaped copy. */
typedef struct table {
    size_t ncols;
    size_t right_from; /* columns from here on are right-aligned */
    char **cells;      /* row-major */
    size_t n;
    size_t cap;
} table;

static int usage_error(const char *path, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void buf_printf(mn_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const optspec global_opts[] = {
    {"node", OPT_STR, false, "URL",
     "the node to talk to\n(default " CLI_DEFAULT_NODE ")"},
    {"token", OPT_STR, false, "T", "bearer token (default $MENTORNET_TOKEN)"},
    {"json", OPT_FLAG, false, NULL, "print the node's JSON, not tables"},
    {"version", OPT_FLAG, false, NULL, "print the version and exit"},
    {0},
};

/* Every option but --clear and --data names a participant field. */
static const optspec write_opts[] = {
    {"role", OPT_STR, false, "R", "mentor or mentee (required on add)"},
    {"status", OPT_STR, false, "S",
     "applicant, waiting, matched, alumni, withdrawn"},
    {"given-name", OPT_STR, false, "NAME", "1-100 characters"},
    {"family-name", OPT_STR, false, "NAME", "1-100 characters"},
    {"email", OPT_STR, false, "ADDR", "e-mail address"},
    {"phone", OPT_STR, false, "PHONE", "digits, spaces and +-()"},
    {"birth-year", OPT_INT, false, "N", "1900-2020"},
    {"country-of-origin", OPT_STR, false, "CC", "ISO 3166-1 alpha-2, e.g. SY"},
    {"background", OPT_STR, false, "B",
     "refugee, family_reunification, labour_migrant,\nstudent, other, "
     "unknown"},
    {"languages", OPT_LIST, false, "LIST", "ISO 639-1 codes, e.g. ar,da"},
    {"danish-level", OPT_STR, false, "L", "none, A1, A2, B1, B2, C1, C2"},
    {"education-level", OPT_STR, false, "L",
     "none, primary, secondary, vocational,\nbachelor, master, phd"},
    {"profession", OPT_STR, false, "TEXT", "up to 100 characters"},
    {"sector", OPT_STR, false, "TEXT", "up to 100 characters"},
    {"years-in-denmark", OPT_INT, false, "N", "0-100"},
    {"goals", OPT_LIST, false, "LIST", "any of job,education,network,language"},
    {"capacity", OPT_INT, false, "N", "mentors only, 1-5"},
    {"availability", OPT_STR, false, "TEXT", "up to 200 characters"},
    {"consent-purposes", OPT_LIST, false, "LIST",
     "consent: any of matching,statistics,\ncontact,sub_networks"},
    {"consent-given-at", OPT_STR, false, "TS",
     "consent: when, e.g. 2026-11-26T10:00:00Z"},
    {"notes", OPT_STR, false, "TEXT", "up to 2000 characters"},
    {"clear", OPT_STR, true, "FIELD",
     "send null for FIELD (e.g. phone); repeatable"},
    {"data", OPT_STR, false, "JSON|@FILE",
     "send JSON, or the contents of FILE (- for\nstdin), instead of the "
     "field options"},
    {0},
};

/* Every option but --cursor and --all is a query parameter of its name. */
static const optspec list_opts[] = {
    {"role", OPT_STR, false, "R", "mentor or mentee"},
    {"status", OPT_STR, false, "S", "only this status"},
    {"division", OPT_STR, false, "D", "only this home division"},
    {"q", OPT_STR, false, "TEXT", "part of the name or e-mail, ignoring case"},
    {"limit", OPT_INT, false, "N", "page size, 1-500 (default 50)"},
    {"cursor", OPT_STR, false, "C", "start at this cursor"},
    {"all", OPT_FLAG, false, NULL, "follow next_cursor to the last page"},
    {0},
};

static const optspec stats_opts[] = {
    {"verify", OPT_FLAG, false, NULL,
     "also recount from the stored participants"},
    {0},
};

static const optspec conflicts_opts[] = {
    {"limit", OPT_INT, false, "N", "at most N conflicts, 1-500 (default 50)"},
    {0},
};

static const char *const participant_order[] = {
    "id",
    "role",
    "home_division",
    "status",
    "given_name",
    "family_name",
    "email",
    "phone",
    "birth_year",
    "country_of_origin",
    "background",
    "languages",
    "danish_level",
    "education_level",
    "profession",
    "sector",
    "years_in_denmark",
    "goals",
    "capacity",
    "availability",
    "consent",
    "notes",
    "created_at",
    "updated_at",
};

static const char *const known_statuses[] = {"applicant", "waiting", "matched",
                                             "alumni", "withdrawn"};
static const char *const known_roles[] = {"mentor", "mentee"};

/* ---- small helpers ---------------------------------------------------- */

static void
buf_puts(mn_buf *b, const char *z) {
    mn_buf_append(b, z, strlen(z));
}

static void
buf_printf(mn_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    mn_buf_reserve(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* The buffer as a C string; it stays owned by b. */
static const char *
buf_str(mn_buf *b) {
    mn_buf_reserve(b, 1);
    b->p[b->len] = '\0';
    return (const char *)b->p;
}

/* The buffer as a C string the caller frees; b is left empty. */
static char *
buf_take(mn_buf *b) {
    buf_str(b);
    char *z = (char *)b->p;
    mn_buf_init(b);
    return z;
}

static void
buf_escape_byte(mn_buf *b, unsigned ch) {
    if (ch == '\n')
        buf_puts(b, "\\n");
    else if (ch == '\t')
        buf_puts(b, "\\t");
    else if (ch == '\r')
        buf_puts(b, "\\r");
    else
        buf_printf(b, "\\x%02x", ch);
}

/* A copy of z with C0, DEL and C1 control characters escaped. */
static char *
sanitize(const char *z) {
    mn_buf b;
    mn_buf_init(&b);
    for (const unsigned char *p = (const unsigned char *)z; *p; p++) {
        if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            buf_escape_byte(&b, *++p);
        else if (*p < 0x20 || *p == 0x7f)
            buf_escape_byte(&b, *p);
        else
            mn_buf_append(&b, p, 1);
    }
    return buf_take(&b);
}

static void
print_safe(FILE *f, const char *z) {
    char *s = sanitize(z);
    fputs(s, f);
    free(s);
}

static bool
is_unreserved(unsigned char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
           ch == '~';
}

/* Percent-encode all but RFC 3986 unreserved characters. */
static void
buf_escape(mn_buf *b, const char *z) {
    for (const unsigned char *p = (const unsigned char *)z; *p; p++) {
        if (is_unreserved(*p))
            mn_buf_append(b, p, 1);
        else
            buf_printf(b, "%%%02X", *p);
    }
}

static bool
parse_int(const char *z, json_int_t *out) {
    if (!z)
        return false;
    const char *digits = z[0] == '-' ? z + 1 : z;
    if (*digits < '0' || *digits > '9')
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(z, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = (json_int_t)v;
    return true;
}

static json_int_t
int_of(const json_t *obj, const char *key) {
    return json_integer_value(json_object_get(obj, key));
}

static bool
in_list(const char *z, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(z, list[i]) == 0)
            return true;
    return false;
}

static int
file_error(const char *name) {
    fprintf(stderr, "mentornet: %s: %s\n", name, strerror(errno));
    return CLI_EXIT_USAGE;
}

/* ---- usage ------------------------------------------------------------ */

static int
usage_error(const char *path, const char *fmt, ...) {
    va_list ap;
    fputs("mentornet: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'mentornet%s%s --help'.\n", *path ? " " : "", path);
    return CLI_EXIT_USAGE;
}

static void
print_option(FILE *f, const char *lhs, const char *help) {
    fprintf(f, "  %-*s ", USAGE_COL - 3, lhs);
    for (const char *z = help; *z; z++) {
        if (*z == '\n')
            fprintf(f, "\n%*s", USAGE_COL, "");
        else
            fputc(*z, f);
    }
    fputc('\n', f);
}

static void
print_options(FILE *f, const optspec *opts) {
    char lhs[64];
    fputs("\nOptions:\n", f);
    for (const optspec *o = opts; o && o->name; o++) {
        snprintf(lhs, sizeof lhs, "--%s%s%s", o->name, o->metavar ? " " : "",
                 o->metavar ? o->metavar : "");
        print_option(f, lhs, o->help);
    }
    print_option(f, "-h, --help", "print this help and exit");
}

static void
print_commands(FILE *f, const command *sub, const char *path) {
    fputs("\nCommands:\n", f);
    for (const command *cmd = sub; cmd->name; cmd++)
        fprintf(f, "  %-12s %s\n", cmd->name, cmd->summary);
    fprintf(f, "\nRun 'mentornet%s%s COMMAND --help' for its options.\n",
            *path ? " " : "", path);
}

static void
print_usage(FILE *f, const command *cmd, const char *path) {
    fprintf(f, "usage: mentornet%s%s%s%s%s%s\n", *path ? " " : "", path,
            cmd->operands ? " " : "", cmd->operands ? cmd->operands : "",
            cmd->opts ? " [OPTIONS]" : "", cmd->sub ? " COMMAND [ARGS]" : "");
    fprintf(f, "\n%s\n", cmd->summary);
    if (cmd->detail)
        fprintf(f, "\n%s\n", cmd->detail);
    print_options(f, cmd->opts);
    if (cmd->sub)
        print_commands(f, cmd->sub, path);
}

/* ---- argument parsing ------------------------------------------------- */

static void
args_init(args *a, const char *path, int argc) {
    memset(a, 0, sizeof *a);
    a->path = path;
    a->v = mn_calloc((size_t)argc + 1, sizeof *a->v);
    a->pos = mn_calloc((size_t)argc + 1, sizeof *a->pos);
}

static void
args_release(args *a) {
    free(a->v);
    free(a->pos);
}

static const arg *
arg_find(const args *a, const char *name) {
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i].opt->name, name) == 0)
            return &a->v[i];
    return NULL;
}

static const char *
arg_value(const args *a, const char *name) {
    const arg *g = arg_find(a, name);
    return g ? g->val : NULL;
}

static const optspec *
find_opt(const optspec *opts, const char *name, size_t len) {
    for (const optspec *o = opts; o && o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

static int
unknown_option(const args *a, const char *z) {
    size_t len = strcspn(z + 2, "=");
    if (*a->path && z[1] == '-' && find_opt(global_opts, z + 2, len))
        return usage_error(a->path,
                           "%s is a global option: give it before "
                           "the command",
                           z);
    return usage_error(a->path, "unknown option '%s'", z);
}

/* The value of option o at argv[*i]: after '=' or the next argument. */
static int
take_value(const args *a, const optspec *o, int argc, char **argv, int *i,
           const char **val) {
    const char *eq = strchr(argv[*i], '=');
    if (o->kind == OPT_FLAG) {
        if (eq)
            return usage_error(a->path, "--%s takes no value", o->name);
        return 0;
    }
    if (eq)
        *val = eq + 1;
    else if (*i + 1 < argc)
        *val = argv[++*i];
    else
        return usage_error(a->path, "--%s needs a value (%s)", o->name,
                           o->metavar);
    return 0;
}

static int
take_option(args *a, const optspec *opts, int argc, char **argv, int *i) {
    const char *name = argv[*i] + 2;
    const optspec *o = find_opt(opts, name, strcspn(name, "="));
    if (!o)
        return unknown_option(a, argv[*i]);
    if (!o->multi && arg_find(a, o->name))
        return usage_error(a->path, "--%s given more than once", o->name);
    const char *val = NULL;
    int rc = take_value(a, o, argc, argv, i, &val);
    json_int_t n;
    if (rc == 0 && o->kind == OPT_INT && !parse_int(val, &n))
        rc = usage_error(a->path, "--%s: '%s' is not a whole number", o->name,
                         val);
    if (rc == 0)
        a->v[a->n++] = (arg){o, val};
    return rc;
}

/*
 * Parse argv[0..argc) against opts. With stop, parsing ends at the first
 * operand (global options end at the command); otherwise operands are
 * collected. "--" ends the options. --help / -h sets a->help and ends.
 */
static int
args_parse(args *a, const optspec *opts, bool stop, int argc, char **argv) {
    bool operands_only = false;
    int i;
    for (i = 0; i < argc && !a->help; i++) {
        const char *z = argv[i];
        int rc = 0;
        if (operands_only || z[0] != '-' || strcmp(z, "-") == 0) {
            if (stop)
                break;
            a->pos[a->npos++] = argv[i];
        } else if (strcmp(z, "--") == 0) {
            operands_only = true;
        } else if (strcmp(z, "-h") == 0 || strcmp(z, "--help") == 0) {
            a->help = true;
        } else if (z[1] == '-') {
            rc = take_option(a, opts, argc, argv, &i);
        } else {
            rc = unknown_option(a, z);
        }
        if (rc != 0)
            return rc;
    }
    a->next = i;
    return 0;
}

/* ---- tables ----------------------------------------------------------- */

static void
table_init(table *t, size_t ncols, size_t right_from) {
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    t->right_from = right_from;
}

static void
table_release(table *t) {
    for (size_t i = 0; i < t->n; i++)
        free(t->cells[i]);
    free(t->cells);
    table_init(t, 0, 0);
}

/* Add a cell: a copy of z with control characters escaped; NULL is "-". */
static void
table_add(table *t, const char *z) {
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->cells = mn_realloc(t->cells, t->cap * sizeof *t->cells);
    }
    t->cells[t->n++] = sanitize(z ? z : "-");
}

static void
table_add_int(table *t, json_int_t v) {
    mn_buf b;
    mn_buf_init(&b);
    buf_printf(&b, "%" JSON_INTEGER_FORMAT, v);
    table_add(t, buf_str(&b));
    mn_buf_release(&b);
}

/* Columns a cell takes: one per code point, a fair guess for names. */
static size_t
text_width(const char *z) {
    size_t n = 0;
    for (; *z; z++)
        if (((unsigned char)*z & 0xc0) != 0x80)
            n++;
    return n;
}

static void
table_print_cell(const table *t, size_t i, const size_t *width, int indent) {
    size_t col = i % t->ncols;
    int pad = (int)(width[col] - text_width(t->cells[i]));
    bool right = col >= t->right_from, last = col + 1 == t->ncols;
    printf("%*s", col == 0 ? indent : 2, "");
    if (right)
        printf("%*s", pad, "");
    fputs(t->cells[i], stdout);
    if (!right && !last)
        printf("%*s", pad, "");
    if (last)
        putchar('\n');
}

static void
table_print(const table *t, int indent) {
    size_t *width = mn_calloc(t->ncols, sizeof *width);
    for (size_t i = 0; i < t->n; i++) {
        size_t w = text_width(t->cells[i]);
        if (w > width[i % t->ncols])
            width[i % t->ncols] = w;
    }
    for (size_t i = 0; i < t->n; i++)
        table_print_cell(t, i, width, indent);
    free(width);
}

/* ---- JSON as text ----------------------------------------------------- */

static void buf_json_text(mn_buf *b, const json_t *v);

static void
buf_json_array(mn_buf *b, const json_t *v) {
    for (size_t i = 0; i < json_array_size(v); i++) {
        if (i > 0)
            buf_puts(b, ",");
        buf_json_text(b, json_array_get(v, i));
    }
}

static void
buf_json_dump(mn_buf *b, const json_t *v) {
    char *z = json_dumps(v, JSON_COMPACT);
    if (z)
        buf_puts(b, z);
    free(z);
}

/* A value as people read it: arrays comma-joined, null or absent "-". */
static void
buf_json_text(mn_buf *b, const json_t *v) {
    if (json_is_string(v))
        mn_buf_append(b, json_string_value(v), json_string_length(v));
    else if (json_is_integer(v))
        buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        buf_printf(b, "%g", json_real_value(v));
    else if (json_is_boolean(v))
        buf_puts(b, json_is_true(v) ? "true" : "false");
    else if (json_is_array(v))
        buf_json_array(b, v);
    else if (json_is_object(v))
        buf_json_dump(b, v);
    else
        buf_puts(b, "-");
}

static void
table_add_json(table *t, const json_t *v) {
    mn_buf b;
    mn_buf_init(&b);
    buf_json_text(&b, v);
    table_add(t, buf_str(&b));
    mn_buf_release(&b);
}

static void
add_row(table *t, const char *key, const char *sub, const json_t *v) {
    mn_buf b;
    mn_buf_init(&b);
    buf_printf(&b, "%s%s%s:", key, sub ? "." : "", sub ? sub : "");
    table_add(t, buf_str(&b));
    table_add_json(t, v);
    mn_buf_release(&b);
}

/* Add "key:" and value; an object adds "key.sub:" rows, one level deep. */
static void
add_field(table *t, const char *key, json_t *v) {
    const char *sub;
    json_t *sv;
    if (!json_is_object(v) || json_object_size(v) == 0) {
        add_row(t, key, NULL, v);
        return;
    }
    json_object_foreach(v, sub, sv) add_row(t, key, sub, sv);
}

/* Add the fields of obj named in order, in that order, when present. */
static void
add_fields(table *t, json_t *obj, const char *const *order, size_t n) {
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(obj, order[i]);
        if (v)
            add_field(t, order[i], v);
    }
}

/* Add the fields of obj not named in order, in the node's order. */
static void
add_other_fields(table *t, json_t *obj, const char *const *order, size_t n) {
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (!in_list(key, order, n))
            add_field(t, key, v);
    }
}

static void
print_compact(const json_t *root) {
    char *z = root ? json_dumps(root, JSON_COMPACT) : NULL;
    if (z)
        puts(z);
    free(z);
}

/* ---- printers --------------------------------------------------------- */

static void
print_participant(json_t *root) {
    table t;
    size_t n = MN_ARRAY_LEN(participant_order);
    table_init(&t, 2, 2);
    add_fields(&t, root, participant_order, n);
    add_other_fields(&t, root, participant_order, n);
    table_print(&t, 0);
    table_release(&t);
}

static void
print_health(json_t *root) {
    table t;
    table_init(&t, 2, 2);
    add_other_fields(&t, root, NULL, 0);
    table_print(&t, 0);
    table_release(&t);
}

static void
print_version_vector(json_t *root) {
    json_t *vv = json_object_get(root, "version_vector");
    const char *name;
    json_t *seq;
    table t;
    table_init(&t, 2, 1);
    json_object_foreach(vv, name, seq) {
        table_add(&t, name);
        table_add_json(&t, seq);
    }
    puts(t.n ? "version vector:" : "version vector: (empty)");
    table_print(&t, 2);
    table_release(&t);
}

static void
print_digest(json_t *root) {
    static const char *const keys[] = {"digest"};
    table t;
    table_init(&t, 2, 2);
    add_fields(&t, root, keys, MN_ARRAY_LEN(keys));
    table_print(&t, 0);
    table_release(&t);
    print_version_vector(root);
}

static void
list_add_name(table *t, const json_t *p) {
    const char *given = json_string_value(json_object_get(p, "given_name"));
    const char *family = json_string_value(json_object_get(p, "family_name"));
    mn_buf b;
    mn_buf_init(&b);
    buf_printf(&b, "%s%s%s", given ? given : "", given && family ? " " : "",
               family ? family : "");
    table_add(t, b.len ? buf_str(&b) : NULL);
    mn_buf_release(&b);
}

static void
list_add_row(table *t, const json_t *p) {
    static const char *const keys[] = {"id", "role", "status", "home_division"};
    for (size_t i = 0; i < MN_ARRAY_LEN(keys); i++)
        table_add_json(t, json_object_get(p, keys[i]));
    list_add_name(t, p);
    table_add_json(t, json_object_get(p, "country_of_origin"));
}

/* Print participants as a table; next, when set, is the next page. */
static void
print_list(const json_t *items, const char *next) {
    static const char *const head[] = {"id",       "role", "status",
                                       "division", "name", "country"};
    table t;
    table_init(&t, MN_ARRAY_LEN(head), MN_ARRAY_LEN(head));
    for (size_t i = 0; i < MN_ARRAY_LEN(head); i++)
        table_add(&t, head[i]);
    for (size_t i = 0; i < json_array_size(items); i++)
        list_add_row(&t, json_array_get(items, i));
    if (json_array_size(items) > 0)
        table_print(&t, 0);
    else
        puts("no participants");
    table_release(&t);
    if (next) {
        fputs("more: --cursor ", stdout);
        print_safe(stdout, next);
        putchar('\n');
    }
}

/* ---- stats ------------------------------------------------------------ */

/* The status columns: the known ones, then any others the node sends. */
typedef struct stats_cols {
    const char **names; /* borrowed from known_statuses and extra */
    size_t n;
    json_t *extra; /* a set (object) of unknown status names */
} stats_cols;

static void
stats_find_extra(json_t *div, json_t *extra) {
    const char *role, *status;
    json_t *counts, *v;
    json_object_foreach(div, role, counts) {
        json_object_foreach(counts, status, v) {
            if (!in_list(status, known_statuses, MN_ARRAY_LEN(known_statuses)))
                json_object_set_new(extra, status, json_null());
        }
    }
}

static void
stats_cols_init(stats_cols *sc, json_t *divs) {
    size_t nknown = MN_ARRAY_LEN(known_statuses);
    const char *key;
    json_t *v;
    sc->extra = json_object();
    json_object_foreach(divs, key, v) stats_find_extra(v, sc->extra);
    sc->names =
        mn_calloc(nknown + json_object_size(sc->extra), sizeof *sc->names);
    for (sc->n = 0; sc->n < nknown; sc->n++)
        sc->names[sc->n] = known_statuses[sc->n];
    json_object_foreach(sc->extra, key, v) sc->names[sc->n++] = key;
}

static void
stats_cols_release(stats_cols *sc) {
    free(sc->names);
    json_decref(sc->extra);
}

static void
stats_role_row(table *t, const stats_cols *sc, const char *div,
               const char *role, const json_t *counts, json_int_t *sum) {
    json_int_t total = 0;
    table_add(t, div);
    table_add(t, role);
    for (size_t i = 0; i < sc->n; i++) {
        json_int_t v = int_of(counts, sc->names[i]);
        table_add_int(t, v);
        sum[i] += v;
        total += v;
    }
    table_add_int(t, total);
}

/* A row of sums; the node's total when it sent one, else the sum. */
static void
stats_sum_row(table *t, const stats_cols *sc, const char *div,
              const json_int_t *sum, const json_t *total) {
    json_int_t computed = 0;
    table_add(t, div);
    table_add(t, "all");
    for (size_t i = 0; i < sc->n; i++) {
        table_add_int(t, sum[i]);
        computed += sum[i];
    }
    table_add_int(t, json_is_integer(total) ? json_integer_value(total)
                                            : computed);
}

static void
stats_division(table *t, const stats_cols *sc, const char *name, json_t *div,
               json_int_t *all) {
    size_t nroles = MN_ARRAY_LEN(known_roles);
    json_int_t *sum = mn_calloc(sc->n, sizeof *sum);
    const char *role;
    json_t *counts;
    for (size_t i = 0; i < nroles; i++) {
        counts = json_object_get(div, known_roles[i]);
        if (json_is_object(counts))
            stats_role_row(t, sc, name, known_roles[i], counts, sum);
    }
    json_object_foreach(div, role, counts) {
        if (json_is_object(counts) && !in_list(role, known_roles, nroles))
            stats_role_row(t, sc, name, role, counts, sum);
    }
    stats_sum_row(t, sc, name, sum, json_object_get(div, "total"));
    for (size_t i = 0; i < sc->n; i++)
        all[i] += sum[i];
    free(sum);
}

static void
stats_table(json_t *root, const stats_cols *sc) {
    json_t *divs = json_object_get(root, "divisions"), *div;
    json_int_t *all = mn_calloc(sc->n, sizeof *all);
    const char *name;
    table t;
    table_init(&t, sc->n + 3, 2);
    table_add(&t, "division");
    table_add(&t, "role");
    for (size_t i = 0; i < sc->n; i++)
        table_add(&t, sc->names[i]);
    table_add(&t, "total");
    json_object_foreach(divs, name, div) {
        if (json_is_object(div))
            stats_division(&t, sc, name, div, all);
    }
    stats_sum_row(&t, sc, "all", all, json_object_get(root, "total"));
    table_print(&t, 0);
    table_release(&t);
    free(all);
}

static void
print_stats(json_t *root) {
    static const char *const keys[] = {"countries", "verified", "digest"};
    stats_cols sc;
    table t;
    stats_cols_init(&sc, json_object_get(root, "divisions"));
    stats_table(root, &sc);
    stats_cols_release(&sc);
    table_init(&t, 2, 2);
    add_fields(&t, root, keys, MN_ARRAY_LEN(keys));
    table_print(&t, 0);
    table_release(&t);
    print_version_vector(root);
}

/* ---- replication and conflicts ---------------------------------------- */

static const char *
yes_no(const json_t *v) {
    return json_is_true(v) ? "yes" : "no";
}

static json_int_t
sum_of(const json_t *obj) {
    const char *key;
    json_t *v;
    json_int_t sum = 0;
    json_object_foreach((json_t *)obj, key, v) sum += json_integer_value(v);
    return sum;
}

static void
replication_row(table *t, const json_t *p) {
    static const char *const counts[] = {"received", "applied", "duplicate"};
    const json_t *lag = json_object_get(p, "lag");
    table_add_json(t, json_object_get(p, "division"));
    table_add(t, yes_no(json_object_get(p, "connected")));
    table_add(t, yes_no(json_object_get(p, "serving")));
    if (json_is_integer(lag))
        table_add_int(t, json_integer_value(lag));
    else
        table_add(t, "?"); /* the peer has not told its vector yet */
    for (size_t i = 0; i < MN_ARRAY_LEN(counts); i++)
        table_add_int(t, int_of(p, counts[i]));
    table_add_int(t, sum_of(json_object_get(p, "rejected")));
}

/* A header line about the node, then one row per peer. */
static void
print_replication(json_t *root) {
    static const char *const head[] = {"peer",      "connected", "serving",
                                       "lag",       "received",  "applied",
                                       "duplicate", "rejected"};
    json_t *peers = json_object_get(root, "peers");
    mn_buf b;
    table t;
    mn_buf_init(&b);
    buf_json_text(&b, json_object_get(root, "division"));
    buf_printf(&b,
               ": writable %s, pending %" JSON_INTEGER_FORMAT
               ", refused handshakes %" JSON_INTEGER_FORMAT,
               yes_no(json_object_get(root, "writable")),
               int_of(root, "pending"), int_of(root, "refused_handshakes"));
    print_safe(stdout, buf_str(&b));
    putchar('\n');
    mn_buf_release(&b);
    if (json_array_size(peers) == 0) {
        puts("no peers");
        return;
    }
    table_init(&t, MN_ARRAY_LEN(head), 3);
    for (size_t i = 0; i < MN_ARRAY_LEN(head); i++)
        table_add(&t, head[i]);
    for (size_t i = 0; i < json_array_size(peers); i++)
        replication_row(&t, json_array_get(peers, i));
    table_print(&t, 0);
    table_release(&t);
}

/* A value as text, cut to CLI_VALUE_WIDTH characters (--json has it all). */
static void
table_add_value(table *t, const json_t *v) {
    mn_buf b;
    size_t chars = 0, i;
    mn_buf_init(&b);
    buf_json_text(&b, v);
    for (i = 0; i < b.len; i++) {
        if ((b.p[i] & 0xc0) != 0x80 && chars++ == CLI_VALUE_WIDTH)
            break;
    }
    if (i < b.len) {
        b.len = i;
        buf_puts(&b, "...");
    }
    table_add(t, buf_str(&b));
    mn_buf_release(&b);
}

/* "division at" of one side of a conflict. */
static void
table_add_side(table *t, const json_t *side) {
    mn_buf b;
    mn_buf_init(&b);
    buf_json_text(&b, json_object_get(side, "division"));
    buf_puts(&b, " ");
    buf_json_text(&b, json_object_get(side, "at"));
    table_add(t, buf_str(&b));
    mn_buf_release(&b);
}

static void
print_conflicts(json_t *root) {
    static const char *const head[] = {"id", "field", "loser value",
                                       "loser (division, at)",
                                       "winner (division, at)"};
    json_t *items = json_object_get(root, "items");
    table t;
    if (json_array_size(items) == 0) {
        puts("no conflicts");
        return;
    }
    table_init(&t, MN_ARRAY_LEN(head), MN_ARRAY_LEN(head));
    for (size_t i = 0; i < MN_ARRAY_LEN(head); i++)
        table_add(&t, head[i]);
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *k = json_array_get(items, i);
        const json_t *loser = json_object_get(k, "loser");
        table_add_json(&t, json_object_get(k, "id"));
        table_add_json(&t, json_object_get(k, "field"));
        table_add_value(&t, json_object_get(loser, "value"));
        table_add_side(&t, loser);
        table_add_side(&t, json_object_get(k, "winner"));
    }
    table_print(&t, 0);
    table_release(&t);
}

/* ---- HTTP ------------------------------------------------------------- */

static void
response_init(response *rs) {
    memset(rs, 0, sizeof *rs);
    mn_buf_init(&rs->body);
}

static void
response_release(response *rs) {
    json_decref(rs->json);
    mn_buf_release(&rs->body);
}

/* Write a downloaded 2xx body to rs->save; a short write stops curl. */
static size_t
save_body(response *rs, const char *p, size_t n) {
    errno = 0;
    if (fwrite(p, 1, n, rs->save) != n) {
        rs->save_errno = errno ? errno : EIO;
        return 0;
    }
    rs->saved += n;
    return n;
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *user) {
    response *rs = user;
    size_t n = size * nmemb;
    long status = 0;
    if (rs->save) {
        curl_easy_getinfo(rs->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200 && status < 300)
            return save_body(rs, p, n);
    }
    if (n > CLI_MAX_ANSWER - rs->body.len) {
        rs->toobig = true;
        return 0;
    }
    mn_buf_append(&rs->body, p, n);
    return n;
}

static CURL *
cli_handle(cli *c) {
    if (!c->curl_ready && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
        c->curl_ready = true;
    if (c->curl_ready && !c->curl)
        c->curl = curl_easy_init();
    return c->curl;
}

static struct curl_slist *
slist_add(struct curl_slist *list, const char *line) {
    struct curl_slist *next = curl_slist_append(list, line);
    if (!next) {
        fputs("mentornet: out of memory\n", stderr);
        abort();
    }
    return next;
}

/* curl keeps its own copy of the header; ours is wiped. */
static struct curl_slist *
add_auth(struct curl_slist *list, const char *token) {
    static const char prefix[] = "Authorization: Bearer ";
    size_t n = sizeof prefix + strlen(token);
    char *line = mn_malloc(n);
    snprintf(line, n, "%s%s", prefix, token);
    list = slist_add(list, line);
    explicit_bzero(line, n);
    free(line);
    return list;
}

static struct curl_slist *
make_headers(const cli *c, const request *rq) {
    struct curl_slist *list = slist_add(NULL, "Accept: application/json");
    /* No 100-continue round trip before a large import. */
    list = slist_add(list, "Expect:");
    if (rq->ctype) {
        mn_buf b;
        mn_buf_init(&b);
        buf_printf(&b, "Content-Type: %s", rq->ctype);
        list = slist_add(list, buf_str(&b));
        mn_buf_release(&b);
    }
    if (c->token && !rq->anonymous)
        list = add_auth(list, c->token);
    return list;
}

static void
http_setopts(CURL *h, const request *rq, const char *url,
             struct curl_slist *hdrs, response *rs, char *errbuf) {
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "mentornet/" MN_VERSION);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CLI_CONNECT_TIMEOUT_S);
    if (rq->timeout_s > 0) {
        curl_easy_setopt(h, CURLOPT_TIMEOUT, rq->timeout_s);
    } else {
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, CLI_STALL_S);
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, rs);
    rs->curl = h;
    if (rq->ctype) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->len ? rq->body : "");
    }
    if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "POST") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
}

static int
transport_error(const cli *c, const request *rq, const response *rs,
                CURLcode cc, const char *err) {
    if (rs->toobig) {
        fprintf(stderr, "mentornet: the node's answer is over %zu MiB\n",
                CLI_MAX_ANSWER >> 20);
        return CLI_EXIT_FAILED;
    }
    if (rs->save_errno) {
        errno = rs->save_errno;
        return file_error(rs->save_name);
    }
    /* The query is left out: q= may hold a name. */
    int n = (int)strcspn(rq->path, "?");
    fprintf(stderr, "mentornet: cannot reach %s/v1%.*s: ", c->node, n,
            rq->path);
    print_safe(stderr, *err ? err : curl_easy_strerror(cc));
    fputc('\n', stderr);
    return CLI_EXIT_UNREACHABLE;
}

/* What to say when an error answer has no message of its own. */
static const char *
status_message(long status) {
    if (status >= 500)
        return "the node failed";
    if (status >= 400)
        return "the node refused the request";
    return "unexpected answer";
}

static void
print_api_error(const response *rs) {
    const json_t *e = json_object_get(rs->json, "error");
    const char *msg = json_string_value(json_object_get(e, "message"));
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *field = json_string_value(json_object_get(e, "field"));
    fputs("mentornet: ", stderr);
    print_safe(stderr, msg ? msg : status_message(rs->status));
    fputs(" (", stderr);
    if (code)
        print_safe(stderr, code);
    else
        fprintf(stderr, "HTTP %ld", rs->status);
    if (field) {
        fputs(", field ", stderr);
        print_safe(stderr, field);
    }
    fputs(")\n", stderr);
}

static int
check_answer(response *rs) {
    json_error_t jerr;
    bool ok = rs->status >= 200 && rs->status < 300;
    if (rs->body.len > 0)
        rs->json = json_loadb((const char *)rs->body.p, rs->body.len, 0, &jerr);
    if (ok && rs->body.len > 0 && !rs->json) {
        fputs("mentornet: the node sent malformed JSON: ", stderr);
        print_safe(stderr, jerr.text);
        fputc('\n', stderr);
        return CLI_EXIT_FAILED;
    }
    if (ok)
        return CLI_EXIT_OK;
    print_api_error(rs);
    if (rs->status >= 400 && rs->status < 500)
        return CLI_EXIT_REFUSED;
    return CLI_EXIT_FAILED;
}

/*
 * Send rq and fill rs. Returns CLI_EXIT_OK for a 2xx answer whose body is
 * empty or JSON; otherwise prints why and returns the exit code.
 */
static int
http_call(cli *c, const request *rq, response *rs) {
    CURL *h = cli_handle(c);
    if (!h) {
        fputs("mentornet: cannot initialise libcurl\n", stderr);
        return CLI_EXIT_UNREACHABLE;
    }
    char err[CURL_ERROR_SIZE] = "";
    mn_buf url;
    mn_buf_init(&url);
    buf_printf(&url, "%s/v1%s", c->node, rq->path);
    struct curl_slist *hdrs = make_headers(c, rq);
    http_setopts(h, rq, buf_str(&url), hdrs, rs, err);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rs->status);
    curl_easy_reset(h); /* forget err, hdrs and rs; keep the connection */
    rs->curl = NULL;
    int rc =
        cc == CURLE_OK ? check_answer(rs) : transport_error(c, rq, rs, cc, err);
    curl_slist_free_all(hdrs);
    mn_buf_release(&url);
    return rc;
}

static void
print_raw(const response *rs) {
    if (rs->body.len == 0)
        return;
    fwrite(rs->body.p, 1, rs->body.len, stdout);
    if (rs->body.p[rs->body.len - 1] != '\n')
        putchar('\n');
}

static int
call_and_print(cli *c, const request *rq, printer human) {
    response rs;
    response_init(&rs);
    int rc = http_call(c, rq, &rs);
    if (rc == CLI_EXIT_OK && c->json)
        print_raw(&rs);
    else if (rc == CLI_EXIT_OK)
        human(rs.json);
    response_release(&rs);
    return rc;
}

static int
get_and_print(cli *c, const char *path, printer human) {
    request rq = {"GET", path, NULL, NULL, 0, CLI_TIMEOUT_S, false};
    return call_and_print(c, &rq, human);
}

/* ---- participant add / update ----------------------------------------- */

static bool
is_field_opt(const optspec *o) {
    return strcmp(o->name, "clear") != 0 && strcmp(o->name, "data") != 0;
}

static bool
is_consent_opt(const char *name) {
    return strncmp(name, CONSENT_PREFIX, strlen(CONSENT_PREFIX)) == 0;
}

/* "x-y" becomes "x_y"; names come from the tables or are checked first. */
static void
field_key(const char *name, char *key, size_t size) {
    snprintf(key, size, "%s", name);
    for (char *p = key; *p; p++)
        if (*p == '-')
            *p = '_';
}

/* Whether --clear accepts name: a top-level field, as x-y or x_y. */
static bool
clearable(const char *name) {
    char key[32], opt[32];
    if (strlen(name) >= sizeof key)
        return false;
    field_key(name, key, sizeof key);
    if (strcmp(key, "consent") == 0)
        return true;
    for (const optspec *o = write_opts; o->name; o++) {
        if (!is_field_opt(o) || is_consent_opt(o->name))
            continue;
        field_key(o->name, opt, sizeof opt);
        if (strcmp(key, opt) == 0)
            return true;
    }
    return false;
}

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

/* The JSON value of a field option; NULL when the text is not UTF-8. */
static json_t *
field_value(const arg *g) {
    json_int_t n = 0;
    switch (g->opt->kind) {
    case OPT_INT:
        (void)parse_int(g->val, &n); /* checked while parsing */
        return json_integer(n);
    case OPT_LIST: return split_list(g->val);
    default: return json_string(g->val);
    }
}

static json_t *
consent_object(json_t *body) {
    json_t *consent = json_object_get(body, "consent");
    if (!consent) {
        consent = json_object();
        json_object_set_new(body, "consent", consent);
    }
    return consent;
}

static int
body_set_field(json_t *body, const args *a, const arg *g) {
    const char *name = g->opt->name;
    json_t *obj = body;
    char key[32];
    if (is_consent_opt(name)) {
        obj = consent_object(body);
        name += strlen(CONSENT_PREFIX);
    }
    field_key(name, key, sizeof key);
    json_t *v = field_value(g);
    if (!v)
        return usage_error(a->path, "--%s: not valid UTF-8", g->opt->name);
    json_object_set_new(obj, key, v);
    return 0;
}

static int
body_clear(json_t *body, const args *a, const char *name) {
    char key[32];
    if (!clearable(name))
        return usage_error(a->path, "--clear: unknown field '%s'", name);
    field_key(name, key, sizeof key);
    if (json_object_get(body, key))
        return usage_error(a->path, "--clear %s: the field is also set", name);
    json_object_set_new(body, key, json_null());
    return 0;
}

/* Field options first, so that --clear can see what they set. */
static int
fields_to_json(json_t *body, const args *a) {
    int rc = 0;
    for (size_t i = 0; i < a->n && rc == 0; i++)
        if (is_field_opt(a->v[i].opt))
            rc = body_set_field(body, a, &a->v[i]);
    for (size_t i = 0; i < a->n && rc == 0; i++)
        if (strcmp(a->v[i].opt->name, "clear") == 0)
            rc = body_clear(body, a, a->v[i].val);
    return rc;
}

static int
fields_body(const args *a, mn_buf *out) {
    json_t *body = json_object();
    int rc = fields_to_json(body, a);
    if (rc == 0)
        buf_json_dump(out, body);
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
        return file_error(path);
    while (out->len <= cap && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        mn_buf_append(out, chunk, n);
    if (ferror(f)) {
        rc = file_error(path);
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
count_changes(const args *a) {
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++)
        n += is_field_opt(a->v[i].opt);
    return n;
}

/* The body from --data or from the field options. */
static int
build_body(const args *a, bool need_change, mn_buf *out) {
    const char *data = arg_value(a, "data");
    bool changes = count_changes(a) > 0 || arg_find(a, "clear");
    if (data && changes)
        return usage_error(a->path, "--data cannot be combined with field "
                                    "options or --clear");
    if (data && data[0] == '@')
        return read_capped(data + 1, MN_MAX_BODY, out);
    if (data) {
        buf_puts(out, data);
        return 0;
    }
    if (need_change && !changes)
        return usage_error(a->path, "nothing to change: give field "
                                    "options, --clear or --data");
    return fields_body(a, out);
}

static int
write_run(cli *c, const args *a, const char *method, const char *path,
          bool need_change) {
    mn_buf body;
    mn_buf_init(&body);
    int rc = build_body(a, need_change, &body);
    if (rc == 0) {
        request rq = {method,        path, "application/json", body.p, body.len,
                      CLI_TIMEOUT_S, false};
        rc = call_and_print(c, &rq, print_participant);
    }
    mn_buf_release(&body);
    return rc;
}

static int
participant_path(const args *a, mn_buf *out) {
    if (a->pos[0][0] == '\0')
        return usage_error(a->path, "the participant ID is empty");
    buf_puts(out, "/participants/");
    buf_escape(out, a->pos[0]);
    return 0;
}

static int
add_run(cli *c, const args *a) {
    return write_run(c, a, "POST", "/participants", false);
}

static int
update_run(cli *c, const args *a) {
    mn_buf path;
    mn_buf_init(&path);
    int rc = participant_path(a, &path);
    if (rc == 0)
        rc = write_run(c, a, "PATCH", buf_str(&path), true);
    mn_buf_release(&path);
    return rc;
}

static int
show_run(cli *c, const args *a) {
    mn_buf path;
    mn_buf_init(&path);
    int rc = participant_path(a, &path);
    if (rc == 0)
        rc = get_and_print(c, buf_str(&path), print_participant);
    mn_buf_release(&path);
    return rc;
}

/* ---- participant list ------------------------------------------------- */

static void
query_add(mn_buf *b, char *sep, const char *name, const char *val) {
    buf_printf(b, "%c%s=", *sep, name);
    buf_escape(b, val);
    *sep = '&';
}

static void
list_path(mn_buf *b, const args *a, const char *cursor) {
    char sep = '?';
    buf_puts(b, "/participants");
    for (size_t i = 0; i < a->n; i++) {
        const arg *g = &a->v[i];
        if (g->opt->kind != OPT_FLAG && strcmp(g->opt->name, "cursor") != 0)
            query_add(b, &sep, g->opt->name, g->val);
    }
    if (cursor)
        query_add(b, &sep, "cursor", cursor);
}

/* Print or collect one page and move *cursor to the next one. */
static int
list_take(const cli *c, const response *rs, char **cursor, json_t *items) {
    const char *next =
        json_string_value(json_object_get(rs->json, "next_cursor"));
    if (next && *cursor && strcmp(next, *cursor) == 0) {
        fputs("mentornet: the node sent the same cursor again\n", stderr);
        return CLI_EXIT_FAILED;
    }
    if (c->json)
        print_compact(rs->json);
    else
        json_array_extend(items, json_object_get(rs->json, "items"));
    free(*cursor);
    *cursor = next ? mn_strdup(next) : NULL;
    return 0;
}

static int
list_page(cli *c, const args *a, char **cursor, json_t *items) {
    mn_buf path;
    mn_buf_init(&path);
    list_path(&path, a, *cursor);
    request rq = {"GET", buf_str(&path), NULL, NULL, 0, CLI_TIMEOUT_S, false};
    response rs;
    response_init(&rs);
    int rc = http_call(c, &rq, &rs);
    if (rc == CLI_EXIT_OK)
        rc = list_take(c, &rs, cursor, items);
    response_release(&rs);
    mn_buf_release(&path);
    return rc;
}

static int
list_run(cli *c, const args *a) {
    const char *start = arg_value(a, "cursor");
    char *cursor = start ? mn_strdup(start) : NULL;
    bool all = arg_find(a, "all") != NULL;
    json_t *items = json_array();
    int rc;
    do {
        rc = list_page(c, a, &cursor, items);
    } while (rc == CLI_EXIT_OK && all && cursor);
    if (rc == CLI_EXIT_OK && !c->json)
        print_list(items, cursor);
    json_decref(items);
    free(cursor);
    return rc;
}

/* ---- import ----------------------------------------------------------- */

typedef struct import_job {
    FILE *f;
    const char *name; /* for messages */
    mn_buf buf;       /* read, not yet sent; at most MN_MAX_IMPORT_BODY */
    bool eof;
    unsigned long line; /* line number of the first byte in buf */
    json_int_t total;   /* imported by the requests so far */
    unsigned nreq;      /* requests that succeeded */
} import_job;

static int
import_open(import_job *job, const char *path) {
    memset(job, 0, sizeof *job);
    job->name = strcmp(path, "-") == 0 ? "stdin" : path;
    job->f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!job->f)
        return file_error(path);
    mn_buf_init(&job->buf);
    mn_buf_reserve(&job->buf, MN_MAX_IMPORT_BODY);
    job->line = 1;
    return 0;
}

static void
import_close(import_job *job) {
    if (job->f && job->f != stdin)
        fclose(job->f);
    mn_buf_release(&job->buf);
}

/* A full buffer at the very end of the input is still the end. */
static void
import_probe_eof(import_job *job) {
    int ch = getc(job->f);
    if (ch == EOF)
        job->eof = !ferror(job->f);
    else
        ungetc(ch, job->f);
}

static int
import_fill(import_job *job) {
    size_t room;
    while (!job->eof && (room = MN_MAX_IMPORT_BODY - job->buf.len) > 0) {
        size_t n = fread(job->buf.p + job->buf.len, 1, room, job->f);
        job->buf.len += n;
        if (n == 0 && ferror(job->f))
            return file_error(job->name);
        if (n == 0)
            job->eof = true;
    }
    if (!job->eof)
        import_probe_eof(job);
    if (ferror(job->f))
        return file_error(job->name);
    return 0;
}

static bool
is_blank(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return false;
    return true;
}

/* After a failed part, say what the earlier parts already did. */
static void
import_context(const import_job *job) {
    if (job->line == 1)
        return;
    fprintf(stderr,
            "mentornet: %s is sent in parts of at most %d MiB; the failed "
            "part starts at line %lu\n(line numbers above count from "
            "there); %" JSON_INTEGER_FORMAT " participants from %u earlier "
            "parts stay imported\n",
            job->name, MN_MAX_IMPORT_BODY >> 20, job->line, job->total,
            job->nreq);
}

static int
import_send(cli *c, import_job *job, size_t n) {
    request rq = {"POST",     "/import", "application/x-ndjson",
                  job->buf.p, n,         CLI_IMPORT_TIMEOUT_S,
                  false};
    response rs;
    response_init(&rs);
    int rc = http_call(c, &rq, &rs);
    if (rc == CLI_EXIT_OK) {
        job->total += int_of(rs.json, "imported");
        job->nreq++;
    } else {
        import_context(job);
    }
    response_release(&rs);
    return rc;
}

static void
import_consume(import_job *job, size_t n) {
    for (size_t i = 0; i < n; i++)
        job->line += job->buf.p[i] == '\n';
    memmove(job->buf.p, job->buf.p + n, job->buf.len - n);
    job->buf.len -= n;
}

/* Send the next part: all that is left, or the whole lines of a full
 * buffer. */
static int
import_step(cli *c, import_job *job) {
    size_t n = job->buf.len;
    if (!job->eof) {
        const uint8_t *nl = memrchr(job->buf.p, '\n', job->buf.len);
        if (!nl) {
            fprintf(stderr,
                    "mentornet: %s: line %lu is over the %d MiB "
                    "import limit\n",
                    job->name, job->line, MN_MAX_IMPORT_BODY >> 20);
            return CLI_EXIT_USAGE;
        }
        n = (size_t)(nl - job->buf.p) + 1;
    }
    int rc = is_blank(job->buf.p, n) ? 0 : import_send(c, job, n);
    if (rc == 0)
        import_consume(job, n);
    return rc;
}

static void
import_report(const cli *c, const import_job *job) {
    if (c->json)
        printf("{\"imported\": %" JSON_INTEGER_FORMAT "}\n", job->total);
    else if (job->nreq > 1)
        printf("imported %" JSON_INTEGER_FORMAT " participants in %u "
               "requests\n",
               job->total, job->nreq);
    else
        printf("imported %" JSON_INTEGER_FORMAT " participants\n", job->total);
}

static int
import_run(cli *c, const args *a) {
    import_job job;
    int rc = import_open(&job, a->pos[0]);
    if (rc != 0)
        return rc;
    for (;;) {
        rc = import_fill(&job);
        if (rc != 0 || job.buf.len == 0)
            break;
        rc = import_step(c, &job);
        if (rc != 0)
            break;
    }
    if (rc == 0)
        import_report(c, &job);
    import_close(&job);
    return rc;
}

/* ---- stats, digest, health -------------------------------------------- */

static int
stats_run(cli *c, const args *a) {
    bool verify = arg_find(a, "verify") != NULL;
    return get_and_print(c, verify ? "/stats?verify=true" : "/stats",
                         print_stats);
}

static int
digest_run(cli *c, const args *a) {
    (void)a;
    return get_and_print(c, "/digest", print_digest);
}

static int
health_run(cli *c, const args *a) {
    request rq = {"GET", "/health", NULL, NULL, 0, CLI_TIMEOUT_S, true};
    (void)a;
    return call_and_print(c, &rq, print_health);
}

static int
replication_run(cli *c, const args *a) {
    (void)a;
    return get_and_print(c, "/replication", print_replication);
}

static int
conflicts_run(cli *c, const args *a) {
    const char *limit = arg_value(a, "limit");
    mn_buf path;
    mn_buf_init(&path);
    buf_puts(&path, "/conflicts");
    if (limit) {
        buf_puts(&path, "?limit=");
        buf_escape(&path, limit);
    }
    int rc = get_and_print(c, buf_str(&path), print_conflicts);
    mn_buf_release(&path);
    return rc;
}

/* ---- backup ----------------------------------------------------------- */

/* Open path.tmp for the download; it must not exist either. */
static int
backup_open(const char *path, char **tmp, FILE **f) {
    struct stat st;
    if (lstat(path, &st) == 0) {
        fprintf(stderr,
                "mentornet: %s exists; a backup never overwrites "
                "a file\n",
                path);
        return CLI_EXIT_USAGE;
    }
    if (errno != ENOENT)
        return file_error(path);
    mn_buf b;
    mn_buf_init(&b);
    buf_printf(&b, "%s.tmp", path);
    *tmp = buf_take(&b);
    int fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {
        fprintf(stderr,
                "mentornet: %s exists (left by an interrupted "
                "backup?); remove it first\n",
                *tmp);
        return CLI_EXIT_USAGE;
    }
    *f = fd < 0 ? NULL : fdopen(fd, "wb");
    if (!*f) {
        int rc = file_error(*tmp);
        if (fd >= 0) {
            close(fd);
            unlink(*tmp);
        }
        return rc;
    }
    return 0;
}

/* Make the download durable, then give it its name unless that appeared
 * meanwhile. Closes f. */
static int
backup_finish(FILE *f, const char *tmp, const char *path) {
    int rc = 0;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = file_error(tmp);
    if (fclose(f) != 0 && rc == 0)
        rc = file_error(tmp);
    if (rc == 0 &&
        renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) != 0)
        rc = file_error(path);
    return rc;
}

static void
backup_report(const cli *c, const char *path, uint64_t n) {
    if (c->json) {
        json_t *j =
            json_pack("{s:s, s:I}", "file", path, "bytes", (json_int_t)n);
        print_compact(j);
        json_decref(j);
        return;
    }
    fputs("wrote ", stdout);
    print_safe(stdout, path);
    printf(" (%" PRIu64 " bytes, %.1f MiB)\n", n, (double)n / (1 << 20));
}

static int
backup_run(cli *c, const args *a) {
    const char *path = a->pos[0];
    char *tmp = NULL;
    FILE *f = NULL;
    int rc = backup_open(path, &tmp, &f);
    if (rc != 0) {
        free(tmp);
        return rc;
    }
    request rq = {"GET", "/backup", NULL, NULL, 0, 0, false};
    response rs;
    response_init(&rs);
    rs.save = f;
    rs.save_name = tmp;
    rc = http_call(c, &rq, &rs);
    if (rc == 0 && rs.saved == 0) {
        fputs("mentornet: the node sent an empty backup\n", stderr);
        rc = CLI_EXIT_FAILED;
    }
    if (rc == 0)
        rc = backup_finish(f, tmp, path);
    else
        fclose(f);
    if (rc == 0)
        backup_report(c, path, rs.saved);
    else
        unlink(tmp);
    response_release(&rs);
    free(tmp);
    return rc;
}

/* ---- commands --------------------------------------------------------- */

static const command participant_cmds[] = {
    {"add", "create a participant", NULL, 0, write_opts,
     "Option --x-y sets field x_y; LIST is comma-separated. --consent-*\n"
     "options together form the consent object.",
     add_run, NULL},
    {"show", "show one participant", "ID", 1, NULL, NULL, show_run, NULL},
    {"list", "list participants in id order, a page at a time", NULL, 0,
     list_opts, NULL, list_run, NULL},
    {"update", "change fields of a participant", "ID", 1, write_opts,
     "Only the given fields change. Option --x-y sets field x_y; LIST is\n"
     "comma-separated. --consent-* options together form the consent "
     "object.",
     update_run, NULL},
    {0},
};

static const command top_cmds[] = {
    {"participant", "add, show, list or update participants", NULL, 0, NULL,
     NULL, NULL, participant_cmds},
    {"import", "create participants from NDJSON, one per line", "FILE", 1, NULL,
     "FILE - reads stdin. Files over 16 MiB are sent in several requests\n"
     "of at most 16 MiB, split between lines; each request is one commit,\n"
     "so when one fails the earlier ones stay imported.",
     import_run, NULL},
    {"stats", "counts per division, role and status", NULL, 0, stats_opts, NULL,
     stats_run, NULL},
    {"digest", "the node's digest and version vector", NULL, 0, NULL, NULL,
     digest_run, NULL},
    {"health", "whether the node is up (needs no token)", NULL, 0, NULL, NULL,
     health_run, NULL},
    {"replication", "whether writes are open; lag and counts per peer", NULL, 0,
     NULL,
     "Per peer: connected (our link to it is up), serving (it pulls from\n"
     "us), lag (changes we have that it lacked when it last told us its\n"
     "vector), received, applied and duplicate changes, and messages\n"
     "rejected (all reasons; --json has each).\n"
     "Writable no: local writes get 503 until every peer has sent its\n"
     "version vector (or 5 s passed since the start) and no peer holds\n"
     "more of this node's own log than it does (after a restore).",
     replication_run, NULL},
    {"conflicts", "concurrent values that lost to another write", NULL, 0,
     conflicts_opts,
     "Each row is a field written concurrently on two divisions: the value\n"
     "that lost, and who wrote the loser and the winner, and when. Long\n"
     "values are cut in the table; --json has them whole.",
     conflicts_run, NULL},
    {"backup", "save a consistent copy of the node's store", "FILE", 1, NULL,
     "Writes FILE.tmp, then renames it to FILE; refuses an existing FILE.\n"
     "The copy is compact and taken while the node keeps working. To\n"
     "restore: stop the node, copy FILE to <data_dir>/data.mdb, remove\n"
     "<data_dir>/lock.mdb, start it.",
     backup_run, NULL},
    {0},
};

static const command root_cmd = {
    "",
    "mentornet speaks the HTTP API of a mentornet node.",
    NULL,
    0,
    global_opts,
    "Global options go before the command.\n"
    "Exit codes: 0 success, 2 usage error, 3 cannot reach the node,\n"
    "4 the node refused the request (4xx), 5 the node failed (5xx).",
    NULL,
    top_cmds};

static const command *
find_command(const command *sub, const char *name) {
    for (const command *cmd = sub; cmd->name; cmd++)
        if (strcmp(cmd->name, name) == 0)
            return cmd;
    return NULL;
}

static char *
join_path(const char *prefix, const char *name) {
    mn_buf b;
    mn_buf_init(&b);
    buf_printf(&b, "%s%s%s", prefix, *prefix ? " " : "", name);
    return buf_take(&b);
}

static int
operand_error(const args *a, const command *cmd) {
    if (a->npos < cmd->npos)
        return usage_error(a->path, "missing %s", cmd->operands);
    return usage_error(a->path, "unexpected argument '%s'", a->pos[cmd->npos]);
}

static int
run_leaf(cli *c, const command *cmd, const char *path, int argc, char **argv) {
    args a;
    args_init(&a, path, argc);
    int rc = args_parse(&a, cmd->opts, false, argc, argv);
    if (rc == 0 && a.help)
        print_usage(stdout, cmd, path);
    else if (rc == 0 && a.npos != cmd->npos)
        rc = operand_error(&a, cmd);
    else if (rc == 0)
        rc = cmd->run(c, &a);
    args_release(&a);
    return rc;
}

static int
run_group(cli *c, const command *grp, const char *path, int argc, char **argv) {
    if (argc == 0)
        return usage_error(path, "missing command");
    if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        print_usage(stdout, grp, path);
        return CLI_EXIT_OK;
    }
    const command *cmd = find_command(grp->sub, argv[0]);
    if (!cmd && argv[0][0] == '-')
        return usage_error(path, "unknown option '%s'", argv[0]);
    if (!cmd)
        return usage_error(path, "unknown command '%s'", argv[0]);
    char *sub = join_path(path, cmd->name);
    int rc = cmd->sub ? run_group(c, cmd, sub, argc - 1, argv + 1)
                      : run_leaf(c, cmd, sub, argc - 1, argv + 1);
    free(sub);
    return rc;
}

/* ---- global options and main ------------------------------------------ */

static int
set_node(cli *c, const char *url) {
    size_t scheme = strncasecmp(url, "https://", 8) == 0  ? 8
                    : strncasecmp(url, "http://", 7) == 0 ? 7
                                                          : 0;
    size_t n = strlen(url);
    while (n > scheme && url[n - 1] == '/')
        n--;
    if (scheme == 0 || n == scheme)
        return usage_error("",
                           "--node: '%s' is not an http:// or https:// "
                           "URL",
                           url);
    c->node = mn_strndup(url, n);
    return 0;
}

/* The token goes into a header: no spaces or control characters. */
static int
set_token(cli *c, const char *token) {
    if (!token)
        token = getenv("MENTORNET_TOKEN");
    if (!token || !*token)
        return 0;
    for (const char *z = token; *z; z++)
        if ((unsigned char)*z <= ' ' || *z == 0x7f)
            return usage_error("", "the token holds spaces or control "
                                   "characters");
    c->token = token;
    return 0;
}

static int
apply_globals(cli *c, const args *g) {
    if (g->help) {
        print_usage(stdout, &root_cmd, "");
        return CLI_DONE;
    }
    if (arg_find(g, "version")) {
        printf("mentornet %s\n", MN_VERSION);
        return CLI_DONE;
    }
    c->json = arg_find(g, "json") != NULL;
    const char *node = arg_value(g, "node");
    int rc = set_node(c, node ? node : CLI_DEFAULT_NODE);
    if (rc == 0)
        rc = set_token(c, arg_value(g, "token"));
    return rc;
}

static void
cli_release(cli *c) {
    if (c->curl)
        curl_easy_cleanup(c->curl);
    if (c->curl_ready)
        curl_global_cleanup();
    free(c->node);
}

int
main(int argc, char **argv) {
    cli c = {0};
    args g;
    args_init(&g, "", argc);
    int rc = args_parse(&g, global_opts, true, argc - 1, argv + 1);
    if (rc == 0)
        rc = apply_globals(&c, &g);
    if (rc == 0)
        rc = run_group(&c, &root_cmd, "", argc - 1 - g.next, argv + 1 + g.next);
    if (rc == CLI_DONE)
        rc = CLI_EXIT_OK;
    args_release(&g);
    cli_release(&c);
    return rc;
}
