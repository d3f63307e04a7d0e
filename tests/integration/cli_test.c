/*
 * cli_test — runs the mentornet CLI against one real node (README.md,
 * "CLI"): participant add/show/list/update, import, stats, digest, health,
 * --json, --help on every command, the option parser (--opt=value and
 * --opt value, whole names only, usage errors), and the exit codes: 0
 * success, 2 usage error, 3 cannot reach the node, 4 the node refused the
 * request. What the CLI prints is
 * compared with what the API answers.
 *
 * Usage: it_cli MENTORNETD PORT MENTORNET
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "mentornet/mentornet.h"

#define WATCHDOG_S 100
#define CLI_TIMEOUT_S 30
#define MAX_ARGS 40

enum { EXIT_OK = 0, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3, EXIT_REFUSED = 4 };

static it_node node;
static const char *cli;
/* The child never inherits a token from the environment of ctest. */
static const char *const no_env_token[] = {"MENTORNET_TOKEN", NULL};

struct result {
    int rc;
    char *out;
    char *err;
    json_t *json; /* stdout parsed as one JSON value, or NULL */
};

static void
result_release(struct result *r) {
    free(r->out);
    free(r->err);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

/* Run the CLI with env and args (NULL-terminated, after argv[0]). */
static void
run_list(struct result *r, const char *const *env, const char *const *args) {
    const char *argv[MAX_ARGS + 2] = {cli};
    int n = 1;
    for (; args[n - 1] && n <= MAX_ARGS; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    memset(r, 0, sizeof *r);
    r->rc = tl_run(argv, env, CLI_TIMEOUT_S, &r->out, NULL, &r->err);
    if (r->out)
        r->json = json_loads(r->out, JSON_DECODE_ANY, NULL);
}

static void
run_v(struct result *r, const char *const *env, const char *first, va_list ap) {
    const char *args[MAX_ARGS + 1];
    int n = 0;
    for (const char *a = first; a && n < MAX_ARGS; a = va_arg(ap, const char *))
        args[n++] = a;
    args[n] = NULL;
    run_list(r, env, args);
}

/* Run with no token in the environment. */
static void
run(struct result *r, const char *first, ...) {
    va_list ap;
    va_start(ap, first);
    run_v(r, no_env_token, first, ap);
    va_end(ap);
}

static void
run_env(struct result *r, const char *const *env, const char *first, ...) {
    va_list ap;
    va_start(ap, first);
    run_v(r, env, first, ap);
    va_end(ap);
}

static bool
has(const char *haystack, const char *needle) {
    return haystack && strstr(haystack, needle) != NULL;
}

/* The value after "key:" in a table, up to the end of its line. */
static bool
table_value(const char *out, const char *key, char *value, size_t cap) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "%s:", key);
    for (const char *p = out; p && (p = strstr(p, pattern)); p++) {
        if (p != out && p[-1] != '\n')
            continue;
        p += strlen(pattern);
        p += strspn(p, " ");
        size_t n = strcspn(p, "\n");
        snprintf(value, cap, "%.*s", (int)n, p);
        return true;
    }
    return false;
}

static json_t *
snapshot(void) {
    return json_pack("{s:o*, s:o*}", "digest", it_get_json(&node, "/v1/digest"),
                     "stats", it_get_json(&node, "/v1/stats"));
}

/* ---- tests ------------------------------------------------------------ */

static void
test_help(void) {
    tl_section("--help, --version and usage errors");
    struct result r;
    run(&r, "--help", NULL);
    CHECK(r.rc == EXIT_OK && has(r.out, "usage: mentornet"),
          "--help: exit 0 with usage (rc %d)", r.rc);
    result_release(&r);
    run(&r, "participant", "--help", NULL);
    CHECK(r.rc == EXIT_OK && has(r.out, "add"),
          "participant --help: exit 0 (rc %d)", r.rc);
    result_release(&r);
    run(&r, "participant", "add", "--help", NULL);
    CHECK(r.rc == EXIT_OK && has(r.out, "--given-name"),
          "participant add --help: exit 0 with its options (rc %d)", r.rc);
    result_release(&r);
    run(&r, "--version", NULL);
    CHECK(r.rc == EXIT_OK && has(r.out, "mentornet"),
          "--version: exit 0 (rc %d)", r.rc);
    result_release(&r);

    static const char *const usage[][5] = {
        {"frobnicate", NULL},
        {NULL},
        {"participant", NULL},
        {"participant", "frob", NULL},
        {"participant", "show", NULL},
        {"participant", "show", "a", "b", NULL},
        {"--bogus", "stats", NULL},
        {"stats", "--bogus", NULL},
        {"participant", "add", "--birth-year", "abc", NULL},
        {"participant", "list", "--limit", NULL},
        {"participant", "update", "0123456789abcdef0123456789abcdef", NULL},
        {"--node", "ftp://example.org", "stats", NULL},
    };
    for (size_t i = 0; i < sizeof usage / sizeof usage[0]; i++) {
        const char *args[MAX_ARGS + 1] = {"--node", node.url, "--token",
                                          node.token};
        size_t n = 4;
        for (size_t k = 0; usage[i][k]; k++)
            args[n++] = usage[i][k];
        args[n] = NULL;
        run_list(&r, no_env_token, args);
        CHECK(r.rc == EXIT_USAGE && r.err && r.err[0],
              "usage error %zu (%s %s ...): exit 2 with a message (rc %d)", i,
              usage[i][0] ? usage[i][0] : "(none)",
              usage[i][0] && usage[i][1] ? usage[i][1] : "", r.rc);
        result_release(&r);
    }
}

static char *amina_id;

static void
test_add_show_update(void) {
    tl_section("participant add / show / update");
    struct result r;
    run(&r, "--node", node.url, "--token", node.token, "--json", "participant",
        "add", "--role", "mentee", "--given-name", "Amina", "--family-name",
        "Haddad", "--country-of-origin", "SY", "--languages", "ar,da",
        "--birth-year", "1990", "--consent-purposes", "matching,statistics",
        "--consent-given-at", "2026-11-26T10:00:00Z", NULL);
    CHECK(r.rc == EXIT_OK, "add --json: exit 0 (rc %d, %s)", r.rc,
          r.err ? r.err : "");
    const char *id = tl_str(r.json, "id");
    CHECK(it_is_id(id), "add --json prints the participant (%s)",
          r.out ? r.out : "");
    json_t *langs = json_pack("[s, s]", "ar", "da");
    CHECK(strcmp(tl_str(r.json, "given_name"), "Amina") == 0 &&
              strcmp(tl_str(r.json, "country_of_origin"), "SY") == 0 &&
              json_integer_value(json_object_get(r.json, "birth_year")) ==
                  1990 &&
              json_equal(json_object_get(r.json, "languages"), langs) &&
              json_is_object(json_object_get(r.json, "consent")),
          "add sends every option as its field");
    json_decref(langs);
    amina_id = strdup(id);
    result_release(&r);
    if (!it_is_id(amina_id))
        return;

    char path[128];
    snprintf(path, sizeof path, "/v1/participants/%s", amina_id);
    json_t *api = it_get_json(&node, path);
    run(&r, "--node", node.url, "--token", node.token, "--json", "participant",
        "show", amina_id, NULL);
    CHECK(r.rc == EXIT_OK && json_equal(r.json, api),
          "show --json prints what the API answers (rc %d)", r.rc);
    result_release(&r);
    json_decref(api);

    char value[256];
    run(&r, "--node", node.url, "--token", node.token, "participant", "show",
        amina_id, NULL);
    CHECK(r.rc == EXIT_OK, "show: exit 0 (rc %d)", r.rc);
    CHECK(table_value(r.out, "id", value, sizeof value) &&
              strcmp(value, amina_id) == 0,
          "show: the table has an id row");
    CHECK(table_value(r.out, "family_name", value, sizeof value) &&
              strcmp(value, "Haddad") == 0,
          "show: the table has a family_name row");
    result_release(&r);

    run(&r, "--node", node.url, "--token", node.token, "participant", "update",
        amina_id, "--status", "waiting", "--email", "amina@example.org", NULL);
    CHECK(r.rc == EXIT_OK, "update: exit 0 (rc %d, %s)", r.rc,
          r.err ? r.err : "");
    result_release(&r);
    api = it_get_json(&node, path);
    CHECK(strcmp(tl_str(api, "status"), "waiting") == 0 &&
              strcmp(tl_str(api, "email"), "amina@example.org") == 0,
          "update changed status and email");
    json_decref(api);

    run(&r, "--node", node.url, "--token", node.token, "participant", "update",
        amina_id, "--clear", "email", NULL);
    CHECK(r.rc == EXIT_OK, "update --clear: exit 0 (rc %d)", r.rc);
    result_release(&r);
    api = it_get_json(&node, path);
    CHECK(json_is_null(json_object_get(api, "email")),
          "update --clear email cleared it");
    json_decref(api);

    run(&r, "--node", node.url, "--token", node.token, "participant", "add",
        "--role", "mentor", "--given-name", "Sara", "--family-name", "Jensen",
        "--capacity", "2", NULL);
    CHECK(r.rc == EXIT_OK && table_value(r.out, "id", value, sizeof value) &&
              it_is_id(value),
          "add (table): exit 0 and an id row (rc %d)", r.rc);
    result_release(&r);
}

/* Every command and group answers --help with its own usage, exit 0. */
static void
test_help_per_command(void) {
    tl_section("--help on every command");
    static const char *const cmds[][3] = {
        {"participant", NULL},
        {"participant", "add", NULL},
        {"participant", "show", NULL},
        {"participant", "list", NULL},
        {"participant", "update", NULL},
        {"import", NULL},
        {"stats", NULL},
        {"digest", NULL},
        {"health", NULL},
        {"replication", NULL},
        {"conflicts", NULL},
        {"backup", NULL},
    };
    struct result r;
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char want[64];
        const char *args[5] = {cmds[i][0], NULL, NULL, NULL, NULL};
        size_t n = 1;
        if (cmds[i][1])
            args[n++] = cmds[i][1];
        args[n] = i % 2 ? "-h" : "--help";
        snprintf(want, sizeof want, "usage: mentornet %s%s%s", cmds[i][0],
                 cmds[i][1] ? " " : "", cmds[i][1] ? cmds[i][1] : "");
        run_list(&r, no_env_token, args);
        CHECK(r.rc == EXIT_OK && r.out &&
                  strncmp(r.out, want, strlen(want)) == 0 &&
                  has(r.out, "-h, --help") && r.err && !r.err[0],
              "%s: exit 0 with '%s' (rc %d)", args[n], want, r.rc);
        result_release(&r);
    }
    /* --help ends parsing: what follows is not looked at. */
    run(&r, "participant", "show", "--help", "a", "b", "--bogus", NULL);
    CHECK(r.rc == EXIT_OK && has(r.out, "usage: mentornet participant show"),
          "show --help a b --bogus: exit 0 with usage (rc %d)", r.rc);
    result_release(&r);
}

/* Usage errors of the option parser: exit 2 and a message saying what. */
static void
test_option_errors(void) {
    tl_section("option errors");
    static const struct {
        const char *args[6];
        const char *says;
    } cases[] = {
        {{"stats", "--bogus"}, "unknown option '--bogus'"},
        {{"participant", "list", "--bogus=1"}, "unknown option '--bogus=1'"},
        {{"-x", "stats"}, "unknown option '-x'"},
        /* no clusters: -hx is not -h */
        {{"stats", "-hx"}, "unknown option '-hx'"},
        /* no abbreviations of long names */
        {{"stats", "--ver"}, "unknown option '--ver'"},
        {{"participant", "list", "--lim", "5"}, "unknown option '--lim'"},
        {{"--he"}, "unknown option '--he'"},
        {{"--js", "stats"}, "unknown option '--js'"},
        {{"stats", "--json"}, "global option"},
        {{"stats", "--node=http://x"}, "global option"},
        {{"stats", "--verify=yes"}, "--verify takes no value"},
        {{"stats", "--verify", "--verify"}, "given more than once"},
        {{"participant", "list", "--limit"}, "--limit needs a value (N)"},
        {{"participant", "list", "--limit=x1"}, "not a whole number"},
        {{"participant", "list", "--limit="}, "not a whole number"},
        {{"stats", "--", "--verify"}, "unexpected argument '--verify'"},
        {{"participant", "--json"}, "unknown option '--json'"},
    };
    struct result r;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[MAX_ARGS + 1] = {"--node", node.url, "--token",
                                          node.token};
        size_t n = 4;
        for (size_t k = 0; cases[i].args[k]; k++)
            args[n++] = cases[i].args[k];
        args[n] = NULL;
        run_list(&r, no_env_token, args);
        CHECK(r.rc == EXIT_USAGE && has(r.err, cases[i].says) &&
                  has(r.err, "--help'"),
              "%s %s: exit 2 saying \"%s\" (rc %d, %s)", cases[i].args[0],
              cases[i].args[1] ? cases[i].args[1] : "", cases[i].says, r.rc,
              r.err ? r.err : "");
        result_release(&r);
    }
}

/* --opt=value and --opt value mean the same; operands may come anywhere. */
static void
test_option_forms(void) {
    tl_section("option forms");
    struct result a, b;
    char token_opt[160], node_opt[96];
    snprintf(token_opt, sizeof token_opt, "--token=%s", node.token);
    snprintf(node_opt, sizeof node_opt, "--node=%s", node.url);
    run(&a, "--node", node.url, "--token", node.token, "--json", "participant",
        "list", "--role", "mentee", "--limit", "1", NULL);
    run(&b, node_opt, token_opt, "--json", "participant", "list",
        "--role=mentee", "--limit=1", NULL);
    CHECK(a.rc == EXIT_OK && b.rc == EXIT_OK && a.json &&
              json_equal(a.json, b.json),
          "list --role=mentee --limit=1 equals --role mentee --limit 1 "
          "(rc %d, %d)",
          a.rc, b.rc);
    CHECK(json_array_size(json_object_get(b.json, "items")) == 1 &&
              strcmp(tl_str(json_array_get(json_object_get(b.json, "items"), 0),
                            "role"),
                     "mentee") == 0,
          "list --role=mentee --limit=1: one mentee");
    result_release(&a);
    result_release(&b);

    /* The operand before, between or after the options; after "--". */
    run(&a, "--node", node.url, "--token", node.token, "--json", "participant",
        "update", "--status=matched", amina_id, "--profession", "Nurse", NULL);
    CHECK(a.rc == EXIT_OK && strcmp(tl_str(a.json, "status"), "matched") == 0 &&
              strcmp(tl_str(a.json, "profession"), "Nurse") == 0,
          "update --status=matched ID --profession Nurse: both set (rc %d)",
          a.rc);
    result_release(&a);
    run(&a, "--node", node.url, "--token", node.token, "--json", "participant",
        "show", "--", amina_id, NULL);
    CHECK(a.rc == EXIT_OK && strcmp(tl_str(a.json, "id"), amina_id) == 0,
          "show -- ID: exit 0 (rc %d)", a.rc);
    result_release(&a);

    /* POSIXLY_CORRECT does not stop the options at the operand. */
    const char *const env[] = {"MENTORNET_TOKEN", "POSIXLY_CORRECT=1", NULL};
    run_env(&a, env, "--node", node.url, "--token", node.token, "--json",
            "participant", "update", amina_id, "--status", "waiting", NULL);
    CHECK(a.rc == EXIT_OK && strcmp(tl_str(a.json, "status"), "waiting") == 0,
          "with POSIXLY_CORRECT: update ID --status waiting (rc %d)", a.rc);
    result_release(&a);
}

/* show prints its rows in the order of the participant kind's table. */
static void
test_show_order(void) {
    tl_section("participant show: row order");
    static const char *const order[] = {"id:",
                                        "home_division:",
                                        "role:",
                                        "status:",
                                        "given_name:",
                                        "family_name:",
                                        "country_of_origin:",
                                        "languages:",
                                        "consent.",
                                        "notes:",
                                        "created_at:",
                                        "updated_at:"};
    struct result r;
    run(&r, "--node", node.url, "--token", node.token, "participant", "show",
        amina_id, NULL);
    const char *at = r.out;
    size_t i = 0;
    for (; at && i < sizeof order / sizeof order[0]; i++) {
        const char *p = at;
        while ((p = strstr(p, order[i])) && p != r.out && p[-1] != '\n')
            p++;
        at = p;
    }
    CHECK(r.rc == EXIT_OK && at && r.out && strncmp(r.out, "id:", 3) == 0,
          "show: rows id, home_division, role, status ... updated_at in "
          "order (rc %d, stopped at %s)",
          r.rc, at ? "none" : order[i - 1]);
    result_release(&r);
}

static void
test_list(void) {
    tl_section("participant list");
    struct result r;
    run(&r, "--node", node.url, "--token", node.token, "participant", "list",
        NULL);
    CHECK(r.rc == EXIT_OK && has(r.out, amina_id),
          "list: exit 0 and shows the participant (rc %d)", r.rc);
    result_release(&r);
    run(&r, "--node", node.url, "--token", node.token, "participant", "list",
        "--q", "AMINA", NULL);
    CHECK(r.rc == EXIT_OK && has(r.out, amina_id) && !has(r.out, "Sara"),
          "list --q AMINA: only Amina (rc %d)", r.rc);
    result_release(&r);

    /* --json --all --limit 1 prints one page per line. */
    run(&r, "--node", node.url, "--token", node.token, "--json", "participant",
        "list", "--all", "--limit", "1", NULL);
    CHECK(r.rc == EXIT_OK, "list --json --all: exit 0 (rc %d)", r.rc);
    json_t *ids = json_array();
    int pages = 0;
    for (char *line = r.out; line && *line; pages++) {
        char *nl = strchr(line, '\n');
        json_t *page =
            json_loadb(line, nl ? (size_t)(nl - line) : strlen(line), 0, NULL);
        json_t *item = json_array_get(json_object_get(page, "items"), 0);
        if (item)
            json_array_append_new(ids, json_string(tl_str(item, "id")));
        json_decref(page);
        line = nl ? nl + 1 : NULL;
    }
    json_t *stats = it_get_json(&node, "/v1/stats");
    json_int_t total = json_integer_value(json_object_get(stats, "total"));
    CHECK((json_int_t)json_array_size(ids) == total && total >= 2,
          "list --all --limit 1 walks every participant: %zu of %lld in %d "
          "pages",
          json_array_size(ids), (long long)total, pages);
    json_decref(stats);
    json_decref(ids);
    result_release(&r);
}

static void
test_import(void) {
    tl_section("import");
    char file[4300];
    snprintf(file, sizeof file, "%s/people.ndjson", node.dir);
    tl_write_text(file,
                  "{\"role\":\"mentee\",\"given_name\":\"Im\",\"family_name\":"
                  "\"One\"}\n{\"role\":\"mentee\",\"given_name\":\"Im\","
                  "\"family_name\":\"Two\"}\n{\"role\":\"mentor\","
                  "\"given_name\":\"Im\",\"family_name\":\"Three\"}\n",
                  0600);
    struct result r;
    run(&r, "--node", node.url, "--token", node.token, "import", file, NULL);
    CHECK(r.rc == EXIT_OK && has(r.out, "imported 3"),
          "import: exit 0, 'imported 3' (rc %d, %s)", r.rc, r.out ? r.out : "");
    result_release(&r);
    run(&r, "--node", node.url, "--token", node.token, "--json", "import", file,
        NULL);
    CHECK(r.rc == EXIT_OK &&
              json_integer_value(json_object_get(r.json, "imported")) == 3,
          "import --json: {\"imported\": 3} (rc %d)", r.rc);
    result_release(&r);

    snprintf(file, sizeof file, "%s/bad.ndjson", node.dir);
    tl_write_text(file,
                  "{\"role\":\"mentee\",\"given_name\":\"Ok\",\"family_name\":"
                  "\"Line\"}\n{\"role\":\"mentee\",\"given_name\":\"Bad\","
                  "\"family_name\":\"Line\",\"country_of_origin\":\"XX\"}\n",
                  0600);
    json_t *before = snapshot();
    run(&r, "--node", node.url, "--token", node.token, "import", file, NULL);
    CHECK(r.rc == EXIT_REFUSED && has(r.err, "line 2"),
          "import with a bad line 2: exit 4 naming the line (rc %d, %s)", r.rc,
          r.err ? r.err : "");
    result_release(&r);
    json_t *after = snapshot();
    CHECK(json_equal(before, after), "the refused import stored nothing");
    json_decref(before);
    json_decref(after);

    run(&r, "--node", node.url, "--token", node.token, "import",
        "/nonexistent/file.ndjson", NULL);
    CHECK(r.rc == EXIT_USAGE, "import of a missing file: exit 2 (rc %d)", r.rc);
    result_release(&r);
}

/* How many participants the node lists whose name holds q. */
static long
count_named(const char *q) {
    char path[128];
    snprintf(path, sizeof path, "/v1/participants?q=%s&limit=500", q);
    json_t *j = it_get_json(&node, path);
    long n = j ? (long)json_array_size(json_object_get(j, "items")) : -1;
    json_decref(j);
    return n;
}

/* A file over MN_MAX_IMPORT_BODY: three participants, blank lines past the
 * first part's end, one more participant and a bad line in the second
 * part. Returns the first line of the second part (0 on failure). */
static unsigned long
write_split_file(const char *file) {
    static const char ok[] = "{\"role\":\"mentee\",\"given_name\":\"Im\","
                             "\"family_name\":\"Splitpart\"}\n";
    static const char bad[] = "{\"role\":\"mentee\",\"given_name\":\"Im\","
                              "\"family_name\":\"Splitpart\",\"bogus\":1}\n";
    size_t pad = (size_t)MN_MAX_IMPORT_BODY + 1000;
    FILE *f = fopen(file, "wb");
    if (!f)
        return 0;
    for (int i = 0; i < 3; i++)
        fputs(ok, f);
    for (size_t i = 0; i < pad; i++)
        fputc('\n', f);
    fputs(ok, f);
    fputs(bad, f);
    fclose(f);
    /* The first part is the first MN_MAX_IMPORT_BODY bytes (they end in a
     * blank line): 3 + that many blank lines. */
    return 1 + 3 + ((size_t)MN_MAX_IMPORT_BODY - 3 * (sizeof ok - 1));
}

/* A later part fails: the CLI says how many participants stay imported in
 * all and from which line of the file to import again. */
static void
test_import_split_failure(void) {
    char file[4300], want[128];
    struct result r;
    tl_section("import of a file over %d MiB whose second part fails",
               MN_MAX_IMPORT_BODY >> 20);
    snprintf(file, sizeof file, "%s/split.ndjson", node.dir);
    unsigned long resume = write_split_file(file);
    if (!CHECK(resume > 0, "wrote %s", file))
        return;
    long before = count_named("Splitpart");
    run(&r, "--node", node.url, "--token", node.token, "import", file, NULL);
    long after = count_named("Splitpart");
    tl_note("the CLI says: %s", r.err ? r.err : "");
    snprintf(want, sizeof want, "lines 1 to %lu of", resume - 1);
    CHECK(r.rc == EXIT_REFUSED && has(r.err, "3 participants were imported") &&
              has(r.err, want),
          "exit 4; says 3 participants stay, '%s' (rc %d, %s)", want, r.rc,
          r.err ? r.err : "");
    snprintf(want, sizeof want, "lines %lu onwards", resume);
    CHECK(has(r.err, want), "says to import again from line %lu ('%s')", resume,
          want);
    /* The part's blank lines, its participant, then the bad line. */
    size_t rel = (size_t)MN_MAX_IMPORT_BODY + 1000 - (resume - 4) + 2;
    snprintf(want, sizeof want, "line %zu:", rel);
    CHECK(has(r.err, "failed part starts at line") && has(r.err, want),
          "names the failed part's first line, and its bad line ('%s')", want);
    CHECK(before >= 0 && after == before + 3,
          "the first part's 3 participants stay (%ld -> %ld)", before, after);
    result_release(&r);
    run(&r, "--node", node.url, "--token", node.token, "--json", "import", file,
        NULL);
    CHECK(r.rc == EXIT_REFUSED &&
              json_integer_value(json_object_get(r.json, "imported")) == 3 &&
              json_integer_value(json_object_get(r.json, "resume_line")) ==
                  (json_int_t)resume,
          "--json: {\"imported\": 3, \"resume_line\": %lu} (rc %d, %s)", resume,
          r.rc, r.out ? r.out : "");
    result_release(&r);
    remove(file);
}

/* replication, conflicts, and a backup that never overwrites a file. */
static void
test_operator_commands(void) {
    tl_section("replication, conflicts, backup");
    struct result r;
    char file[4200];
    struct stat st;
    run(&r, "--node", node.url, "--token", node.token, "--json", "replication",
        NULL);
    CHECK(r.rc == EXIT_OK && json_is_true(json_object_get(r.json, "writable")),
          "replication --json: exit 0, writable (rc %d)", r.rc);
    result_release(&r);
    run(&r, "--node", node.url, "--token", node.token, "replication", NULL);
    CHECK(r.rc == EXIT_OK && r.out && strstr(r.out, "writes as incarnation") &&
              !strstr(r.out, "FORKED") && !strstr(r.out, "TWIN"),
          "replication: the origin the node writes as, no alarm (rc %d)", r.rc);
    result_release(&r);
    run(&r, "--node", node.url, "--token", node.token, "conflicts", "--limit",
        "0", NULL);
    CHECK(r.rc == EXIT_USAGE || r.rc == EXIT_REFUSED,
          "conflicts --limit 0 is refused (rc %d)", r.rc);
    result_release(&r);
    snprintf(file, sizeof file, "%s/copy.mdb", node.dir);
    run(&r, "--node", node.url, "--token", node.token, "backup", file, NULL);
    CHECK(r.rc == EXIT_OK && stat(file, &st) == 0 && st.st_size >= 4096,
          "backup FILE: exit 0 and a file (rc %d)", r.rc);
    result_release(&r);
    off_t size = stat(file, &st) == 0 ? st.st_size : -1;
    run(&r, "--node", node.url, "--token", node.token, "backup", file, NULL);
    CHECK(r.rc == EXIT_USAGE && stat(file, &st) == 0 && st.st_size == size,
          "backup over an existing FILE: exit 2, the file untouched (rc %d)",
          r.rc);
    result_release(&r);
    snprintf(file, sizeof file, "%s/denied.mdb", node.dir);
    run(&r, "--node", node.url, "--token", "wrong", "backup", file, NULL);
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp", file);
    CHECK(r.rc == EXIT_REFUSED && stat(file, &st) != 0 && stat(tmp, &st) != 0,
          "backup with a wrong token: exit 4, no file left (rc %d)", r.rc);
    result_release(&r);
}

static void
test_stats_digest_health(void) {
    tl_section("stats, digest, health");
    struct result r;
    json_t *api_stats = it_get_json(&node, "/v1/stats");
    json_t *api_digest = it_get_json(&node, "/v1/digest");
    run(&r, "--node", node.url, "--token", node.token, "stats", NULL);
    CHECK(r.rc == EXIT_OK && has(r.out, "copenhagen"),
          "stats: exit 0 with the division (rc %d)", r.rc);
    result_release(&r);
    run(&r, "--node", node.url, "--token", node.token, "--json", "stats",
        "--verify", NULL);
    CHECK(r.rc == EXIT_OK && json_is_true(json_object_get(r.json, "verified")),
          "stats --verify --json: verified true (rc %d)", r.rc);
    CHECK(json_equal(json_object_get(r.json, "divisions"),
                     json_object_get(api_stats, "divisions")),
          "stats --json has the API's counts");
    result_release(&r);
    run(&r, "--node", node.url, "--token", node.token, "digest", NULL);
    CHECK(r.rc == EXIT_OK && has(r.out, tl_str(api_digest, "digest")),
          "digest: exit 0 and prints the digest (rc %d)", r.rc);
    result_release(&r);
    run(&r, "--node", node.url, "--token", node.token, "--json", "digest",
        NULL);
    CHECK(r.rc == EXIT_OK && json_equal(r.json, api_digest),
          "digest --json equals GET /v1/digest (rc %d)", r.rc);
    result_release(&r);
    run(&r, "--node", node.url, "health", NULL);
    CHECK(r.rc == EXIT_OK && has(r.out, "copenhagen"),
          "health without a token: exit 0 (rc %d)", r.rc);
    result_release(&r);
    json_decref(api_stats);
    json_decref(api_digest);
}

static void
test_refused(void) {
    tl_section("exit 4: the node refuses; exit 3: unreachable");
    struct result r;
    char wrong[128], env_token[160], unreachable[64];
    snprintf(wrong, sizeof wrong, "%s", node.token);
    wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
    json_t *before = snapshot();
    run(&r, "--node", node.url, "--token", wrong, "stats", NULL);
    CHECK(r.rc == EXIT_REFUSED && r.err && r.err[0],
          "wrong token: exit 4 with a message (rc %d)", r.rc);
    result_release(&r);
    run(&r, "--node", node.url, "--token", wrong, "participant", "add",
        "--role", "mentee", "--given-name", "No", "--family-name", "Token",
        NULL);
    CHECK(r.rc == EXIT_REFUSED, "add with a wrong token: exit 4 (rc %d)", r.rc);
    result_release(&r);
    run(&r, "--node", node.url, "stats", NULL);
    CHECK(r.rc == EXIT_REFUSED, "no token at all: exit 4 (rc %d)", r.rc);
    result_release(&r);
    run(&r, "--node", node.url, "--token", node.token, "participant", "add",
        "--role", "mentee", "--given-name", "Bad", "--family-name", "Country",
        "--country-of-origin", "XX", NULL);
    CHECK(r.rc == EXIT_REFUSED && has(r.err, "country_of_origin"),
          "add with a bad field: exit 4 naming it (rc %d, %s)", r.rc,
          r.err ? r.err : "");
    result_release(&r);
    run(&r, "--node", node.url, "--token", node.token, "participant", "show",
        "00000000000000000000000000000000", NULL);
    CHECK(r.rc == EXIT_REFUSED, "show of an unknown id: exit 4 (rc %d)", r.rc);
    result_release(&r);
    json_t *after = snapshot();
    CHECK(json_equal(before, after), "refused commands changed nothing");
    json_decref(before);
    json_decref(after);

    snprintf(env_token, sizeof env_token, "MENTORNET_TOKEN=%s", node.token);
    const char *const env_ok[] = {env_token, NULL};
    run_env(&r, env_ok, "--node", node.url, "stats", NULL);
    CHECK(r.rc == EXIT_OK, "token from MENTORNET_TOKEN: exit 0 (rc %d)", r.rc);
    result_release(&r);
    run_env(&r, env_ok, "--node", node.url, "--token", wrong, "stats", NULL);
    CHECK(r.rc == EXIT_REFUSED,
          "--token wins over MENTORNET_TOKEN: exit 4 (rc %d)", r.rc);
    result_release(&r);

    snprintf(unreachable, sizeof unreachable, "http://127.0.0.1:%d",
             node.http_port + 7);
    CHECK(tl_port_free(node.http_port + 7), "port %d is free",
          node.http_port + 7);
    run(&r, "--node", unreachable, "--token", node.token, "stats", NULL);
    CHECK(r.rc == EXIT_UNREACHABLE, "unreachable node: exit 3 (rc %d)", r.rc);
    result_release(&r);
    run(&r, "--node", unreachable, "health", NULL);
    CHECK(r.rc == EXIT_UNREACHABLE,
          "health of an unreachable node: exit 3 "
          "(rc %d)",
          r.rc);
    result_release(&r);
}

int
main(int argc, char **argv) {
    const char *daemon;
    int port;
    it_args(argc, argv, true, &daemon, &port, &cli);
    tl_begin("integration.cli", WATCHDOG_S);
    if (it_node_create(&node, daemon, port, 64) == 0 &&
        it_node_start(&node) == 0) {
        test_help();
        test_help_per_command();
        test_option_errors();
        test_add_show_update();
        if (amina_id) {
            test_option_forms();
            test_show_order();
            test_list();
            test_import();
            test_import_split_failure();
            test_stats_digest_health();
            test_operator_commands();
            test_refused();
        }
    }
    it_node_destroy(&node);
    free(amina_id);
    return tl_summary();
}
