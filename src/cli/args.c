/*
 * args — parsing, usage texts and dispatch for the CLI's command tables
 * (args.h).
 *
 * getopt_long does the scanning; its table is built from a command's
 * options, and its messages are replaced by ours (opterr = 0) so that
 * every usage error reads the same. getopt runs in order ("-" in optstring)
 * or stops at the first operand ("+"), so POSIXLY_CORRECT changes nothing.
 * Invariants:
 * - getopt is reset (optind = 0) before every parse; argv is never
 *   permuted, so argv[optind] is the element getopt is about to read.
 * - Short options are not clustered: "-h" is the only one.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/args.h"

/* Column where option descriptions start in usage texts. */
#define USAGE_COL 28
/* getopt_long's val for opts[i] is i + OPT_BASE, beyond any character. */
#define OPT_BASE 256

/* ---- usage ------------------------------------------------------------ */

int
mn_args_usage_error(const char *path, const char *fmt, ...) {
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
print_options(FILE *f, const mn_opt *opts) {
    char lhs[64];
    fputs("\nOptions:\n", f);
    for (const mn_opt *o = opts; o && o->name; o++) {
        snprintf(lhs, sizeof lhs, "--%s%s%s", o->name, o->metavar ? " " : "",
                 o->metavar ? o->metavar : "");
        print_option(f, lhs, o->help);
    }
    print_option(f, "-h, --help", "print this help and exit");
}

static void
print_commands(FILE *f, const mn_command *grp, const char *path) {
    fputs("\nCommands:\n", f);
    for (const mn_command *const *tab = grp->sub; *tab; tab++)
        for (const mn_command *cmd = *tab; cmd->name; cmd++)
            fprintf(f, "  %-12s %s\n", cmd->name, cmd->summary);
    fprintf(f, "\nRun 'mentornet%s%s COMMAND --help' for its options.\n",
            *path ? " " : "", path);
}

static const mn_opt *
command_opts(const mn_command *cmd) {
    return cmd->options ? cmd->options() : cmd->opts;
}

void
mn_args_print_usage(FILE *f, const mn_command *cmd, const char *path) {
    const mn_opt *opts = command_opts(cmd);
    fprintf(f, "usage: mentornet%s%s%s%s%s%s\n", *path ? " " : "", path,
            cmd->operands ? " " : "", cmd->operands ? cmd->operands : "",
            opts ? " [OPTIONS]" : "", cmd->sub ? " COMMAND [ARGS]" : "");
    fprintf(f, "\n%s\n", cmd->summary);
    if (cmd->detail)
        fprintf(f, "\n%s\n", cmd->detail);
    print_options(f, opts);
    if (cmd->sub)
        print_commands(f, cmd, path);
}

/* ---- parsed arguments ------------------------------------------------- */

void
mn_args_init(mn_args *a, const char *path, const mn_opt *globals, int argc) {
    memset(a, 0, sizeof *a);
    a->path = path;
    a->globals = globals;
    a->v = mn_calloc((size_t)argc + 1, sizeof *a->v);
    a->pos = mn_calloc((size_t)argc + 1, sizeof *a->pos);
}

void
mn_args_release(mn_args *a) {
    free(a->v);
    free(a->pos);
}

const mn_arg *
mn_args_find(const mn_args *a, const char *name) {
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i].opt->name, name) == 0)
            return &a->v[i];
    return NULL;
}

const char *
mn_args_value(const mn_args *a, const char *name) {
    const mn_arg *g = mn_args_find(a, name);
    return g ? g->val : NULL;
}

bool
mn_args_parse_int(const char *z, json_int_t *out) {
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

/* ---- parsing ---------------------------------------------------------- */

/* The option of opts whose whole name is the first len bytes of name. */
static const mn_opt *
find_opt(const mn_opt *opts, const char *name, size_t len) {
    for (const mn_opt *o = opts; o && o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

static int
unknown_option(const mn_args *a, const char *z) {
    size_t len = strcspn(z + 2, "=");
    if (*a->path && z[1] == '-' && find_opt(a->globals, z + 2, len))
        return mn_args_usage_error(a->path,
                                   "%s is a global option: give it before "
                                   "the command",
                                   z);
    return mn_args_usage_error(a->path, "unknown option '%s'", z);
}

/* getopt_long's table for opts, and --help; the caller frees it. */
static struct option *
long_options(const mn_opt *opts) {
    size_t n = 0;
    while (opts && opts[n].name)
        n++;
    struct option *lo = mn_calloc(n + 2, sizeof *lo);
    for (size_t i = 0; i < n; i++) {
        bool flag = opts[i].kind == MN_OPT_FLAG;
        lo[i] = (struct option){opts[i].name,
                                flag ? no_argument : required_argument, NULL,
                                OPT_BASE + (int)i};
    }
    lo[n] = (struct option){"help", no_argument, NULL, 'h'};
    return lo;
}

/* A single-dash option other than -h (and "-", an operand). getopt would
 * read "-hx" as -h -x; it is one unknown option here. */
static bool
is_unknown_short(const char *z) {
    return z[0] == '-' && z[1] != '\0' && z[1] != '-' && strcmp(z, "-h") != 0;
}

/* getopt_long accepts a unique prefix of a long name; only whole names
 * are options here, so that a new option never changes what an old
 * command line means. */
static bool
is_abbreviated(const char *z, const struct option *lo, int idx) {
    if (idx < 0 || strncmp(z, "--", 2) != 0)
        return false;
    return strcspn(z + 2, "=") != strlen(lo[idx].name);
}

/* getopt refused z: a flag given a value, or no option of that name. */
static int
refused_option(const mn_args *a, const mn_opt *opts, const char *z) {
    const mn_opt *o = NULL;
    if (strncmp(z, "--", 2) == 0)
        o = find_opt(opts, z + 2, strcspn(z + 2, "="));
    if (o && o->kind == MN_OPT_FLAG && strchr(z, '='))
        return mn_args_usage_error(a->path, "--%s takes no value", o->name);
    return unknown_option(a, z);
}

/* getopt found no value after z, the last argument. */
static int
missing_value(const mn_args *a, const mn_opt *opts, const char *z) {
    const mn_opt *o = NULL;
    if (strncmp(z, "--", 2) == 0)
        o = find_opt(opts, z + 2, strlen(z + 2));
    if (!o)
        return unknown_option(a, z);
    return mn_args_usage_error(a->path, "--%s needs a value (%s)", o->name,
                               o->metavar);
}

/* Record option o with val (NULL for a flag). */
static int
take_option(mn_args *a, const mn_opt *o, const char *val) {
    json_int_t n;
    if (!o->multi && mn_args_find(a, o->name))
        return mn_args_usage_error(a->path, "--%s given more than once",
                                   o->name);
    if (o->kind == MN_OPT_INT && !mn_args_parse_int(val, &n))
        return mn_args_usage_error(a->path, "--%s: '%s' is not a whole number",
                                   o->name, val);
    a->v[a->n++] = (mn_arg){o, o->kind == MN_OPT_FLAG ? NULL : val};
    return 0;
}

/* Act on what getopt_long returned for z, the element it read. */
static int
take(mn_args *a, const mn_opt *opts, const struct option *lo, int ch, int idx,
     const char *z) {
    if (ch == 1) {
        a->pos[a->npos++] = optarg;
        return 0;
    }
    if (ch == ':')
        return missing_value(a, opts, z);
    if (ch == '?')
        return refused_option(a, opts, z);
    if (is_abbreviated(z, lo, idx))
        return unknown_option(a, z);
    if (ch == 'h') {
        a->help = true;
        return 0;
    }
    return take_option(a, &opts[ch - OPT_BASE], optarg);
}

int
mn_args_parse(mn_args *a, const mn_opt *opts, bool stop, int argc,
              char **argv) {
    struct option *lo = long_options(opts);
    int rc = 0;
    optind = 0; /* a full reset of getopt, not only of the index */
    opterr = 0;
    while (rc == 0 && !a->help) {
        int i = optind > 0 ? optind : 1, idx = -1;
        const char *z = i < argc ? argv[i] : "";
        if (is_unknown_short(z)) {
            rc = unknown_option(a, z);
            break;
        }
        int ch = getopt_long(argc, argv, stop ? "+:h" : "-:h", lo, &idx);
        if (ch == -1)
            break;
        rc = take(a, opts, lo, ch, idx, z);
    }
    a->next = optind;
    for (int i = optind; rc == 0 && !a->help && !stop && i < argc; i++)
        a->pos[a->npos++] = argv[i]; /* the operands after "--" */
    free(lo);
    return rc;
}

/* ---- dispatch --------------------------------------------------------- */

static const mn_command *
find_command(const mn_command *grp, const char *name) {
    for (const mn_command *const *tab = grp->sub; *tab; tab++)
        for (const mn_command *cmd = *tab; cmd->name; cmd++)
            if (strcmp(cmd->name, name) == 0)
                return cmd;
    return NULL;
}

static char *
join_path(const char *prefix, const char *name) {
    size_t n = strlen(prefix) + strlen(name) + 2;
    char *z = mn_malloc(n);
    snprintf(z, n, "%s%s%s", prefix, *prefix ? " " : "", name);
    return z;
}

static int
operand_error(const mn_args *a, const mn_command *cmd) {
    if (a->npos < cmd->npos)
        return mn_args_usage_error(a->path, "missing %s", cmd->operands);
    return mn_args_usage_error(a->path, "unexpected argument '%s'",
                               a->pos[cmd->npos]);
}

static int
run_leaf(mn_cli *c, const mn_command *root, const mn_command *cmd,
         const char *path, int argc, char **argv) {
    mn_args a;
    mn_args_init(&a, path, root->opts, argc);
    int rc = mn_args_parse(&a, command_opts(cmd), false, argc, argv);
    if (rc == 0 && a.help)
        mn_args_print_usage(stdout, cmd, path);
    else if (rc == 0 && a.npos != cmd->npos)
        rc = operand_error(&a, cmd);
    else if (rc == 0)
        rc = cmd->run(c, &a);
    mn_args_release(&a);
    return rc;
}

static int
run_group(mn_cli *c, const mn_command *root, const mn_command *grp,
          const char *path, int argc, char **argv) {
    if (argc < 2)
        return mn_args_usage_error(path, "missing command");
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        mn_args_print_usage(stdout, grp, path);
        return CLI_EXIT_OK;
    }
    const mn_command *cmd = find_command(grp, name);
    if (!cmd && name[0] == '-')
        return mn_args_usage_error(path, "unknown option '%s'", name);
    if (!cmd)
        return mn_args_usage_error(path, "unknown command '%s'", name);
    char *sub = join_path(path, cmd->name);
    int rc = cmd->sub ? run_group(c, root, cmd, sub, argc - 1, argv + 1)
                      : run_leaf(c, root, cmd, sub, argc - 1, argv + 1);
    free(sub);
    return rc;
}

int
mn_args_dispatch(mn_cli *c, const mn_command *root, int argc, char **argv) {
    return run_group(c, root, root, "", argc, argv);
}
