/*
 * match — `mentornet match suggest|plan|propose` (README "Matching"):
 * scored suggestions for one mentee or mentor, the plan with the largest
 * total score, and the proposals a coordinator makes from the pairs of a
 * plan she reviewed, over /v1/matching and /v1/partnerships.
 *
 * Nothing is proposed without the coordinator naming the pairs: `plan`
 * only computes (and can save the plan to a file); `propose` sends the
 * pairs she picks from a saved plan, one POST /v1/partnerships each.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/util.h"
#include "cli/args.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/output.h"

/* Criteria in the order the node lists them (base/config.c). */
static const char *const criteria[] = {
    "profession", "sector",       "education",     "language",
    "goals",      "availability", "same_division",
};
static const char *const criteria_head[] = {"prof", "sect", "edu", "lang",
                                            "goal", "time", "div"};

/* Add the points of each criterion in reasons as cells ("-" when it does
 * not weigh). */
static void
add_points(mn_table *t, const json_t *reasons) {
    for (size_t c = 0; c < MN_ARRAY_LEN(criteria); c++) {
        const json_t *hit = NULL, *r;
        size_t i;
        json_array_foreach(reasons, i, r) {
            const char *name =
                json_string_value(json_object_get(r, "criterion"));
            if (name && strcmp(name, criteria[c]) == 0)
                hit = r;
        }
        mn_table_add_json(t, hit ? json_object_get(hit, "points") : NULL);
    }
}

static void
table_head(mn_table *t, const char *const *head, size_t n) {
    for (size_t i = 0; i < n; i++)
        mn_table_add(t, head[i]);
    for (size_t c = 0; c < MN_ARRAY_LEN(criteria_head); c++)
        mn_table_add(t, criteria_head[c]);
}

static void
print_suggestions(json_t *root) {
    static const char *const head[] = {"#", "id", "division", "score"};
    const json_t *list = json_object_get(root, "suggestions");
    const char *other =
        json_object_get(root, "mentee_id") ? "mentor_id" : "mentee_id";
    mn_table t;
    mn_table_init(&t, MN_ARRAY_LEN(head) + MN_ARRAY_LEN(criteria), 3);
    table_head(&t, head, MN_ARRAY_LEN(head));
    size_t i;
    const json_t *s;
    json_array_foreach(list, i, s) {
        mn_table_add_int(&t, (json_int_t)i + 1);
        mn_table_add_json(&t, json_object_get(s, other));
        mn_table_add_json(&t, json_object_get(s, "division"));
        mn_table_add_json(&t, json_object_get(s, "score"));
        add_points(&t, json_object_get(s, "reasons"));
    }
    printf("%lld candidates (%s); the best %zu:\n",
           (long long)mn_out_int(root, "candidates"),
           json_string_value(json_object_get(root, "scope")),
           json_array_size(list));
    if (json_array_size(list) > 0)
        mn_table_print(&t, 2);
    mn_table_release(&t);
}

static void
print_plan(json_t *root) {
    static const char *const head[] = {"#",    "mentee", "mentor",
                                       "from", "to",     "score"};
    const json_t *pairs = json_object_get(root, "pairs");
    mn_table t;
    mn_table_init(&t, MN_ARRAY_LEN(head) + MN_ARRAY_LEN(criteria), 5);
    table_head(&t, head, MN_ARRAY_LEN(head));
    size_t i;
    const json_t *p;
    json_array_foreach(pairs, i, p) {
        char no[32];
        snprintf(no, sizeof no, "%zu%s", i + 1,
                 json_is_true(json_object_get(p, "pinned")) ? "*" : "");
        mn_table_add(&t, no);
        mn_table_add_json(&t, json_object_get(p, "mentee_id"));
        mn_table_add_json(&t, json_object_get(p, "mentor_id"));
        mn_table_add_json(&t, json_object_get(p, "mentee_division"));
        mn_table_add_json(&t, json_object_get(p, "mentor_division"));
        mn_table_add_json(&t, json_object_get(p, "score"));
        add_points(&t, json_object_get(p, "reasons"));
    }
    if (json_array_size(pairs) > 0)
        mn_table_print(&t, 0);
    mn_table_release(&t);
    printf("total score %lld: %lld of %lld waiting mentees matched (%lld "
           "across divisions), %lld mentor slots; * pinned\n",
           (long long)mn_out_int(root, "total_score"),
           (long long)mn_out_int(root, "matched"),
           (long long)mn_out_int(root, "mentees_waiting"),
           (long long)mn_out_int(root, "cross_division"),
           (long long)mn_out_int(root, "mentor_slots"));
    mn_out_print_version_vector(root);
}

/* ---- suggest ------------------------------------------------------------- */

static int
suggest_run(mn_cli *c, const mn_args *a) {
    static const char *const params[] = {"mentee", "mentor", "scope", "limit"};
    const char *mentee = mn_args_value(a, "mentee");
    if (!mentee == !mn_args_value(a, "mentor"))
        return mn_args_usage_error(a->path, "give --mentee or --mentor");
    mn_buf path;
    mn_buf_init(&path);
    mn_out_puts(&path, "/matching/suggestions");
    char sep = '?';
    for (size_t i = 0; i < MN_ARRAY_LEN(params); i++) {
        const char *v = mn_args_value(a, params[i]);
        if (!v)
            continue;
        mn_out_printf(&path, "%c%s=", sep, params[i]);
        mn_client_escape(&path, v);
        sep = '&';
    }
    int rc = mn_client_get(c, mn_out_str(&path), print_suggestions);
    mn_buf_release(&path);
    return rc;
}

/* ---- plan ---------------------------------------------------------------- */

/* "MENTEE:MENTOR" as {mentee_id, mentor_id} appended to arr. */
static int
add_pair(const mn_args *a, json_t *arr, const char *opt, const char *z) {
    const char *colon = strchr(z, ':');
    if (!colon || colon == z || !colon[1])
        return mn_args_usage_error(a->path, "--%s: MENTEE_ID:MENTOR_ID", opt);
    json_t *pair = json_pack("{s:s%, s:s}", "mentee_id", z, (size_t)(colon - z),
                             "mentor_id", colon + 1);
    if (!pair)
        return mn_args_usage_error(a->path, "--%s: not UTF-8", opt);
    json_array_append_new(arr, pair);
    return 0;
}

static int
plan_body(const mn_args *a, json_t *body) {
    const char *scope = mn_args_value(a, "scope");
    const char *division = mn_args_value(a, "division");
    if (division && !scope)
        scope = "division";
    if (scope)
        json_object_set_new(body, "scope", json_string(scope));
    if (division)
        json_object_set_new(body, "division", json_string(division));
    json_t *pins = json_array(), *excludes = json_array();
    json_object_set_new(body, "pins", pins);
    json_object_set_new(body, "excludes", excludes);
    for (size_t i = 0; i < a->n; i++) {
        const char *name = a->v[i].opt->name;
        int rc = strcmp(name, "pin") == 0 ? add_pair(a, pins, name, a->v[i].val)
                 : strcmp(name, "exclude") == 0
                     ? add_pair(a, excludes, name, a->v[i].val)
                     : 0;
        if (rc)
            return rc;
    }
    return 0;
}

/* Write the plan's JSON to name, for review and `match propose`. */
static int
save_plan(const char *name, const json_t *plan) {
    FILE *f = fopen(name, "w");
    if (!f)
        return mn_out_file_error(name);
    int bad = json_dumpf(plan, f, JSON_INDENT(1)) != 0;
    bad |= fclose(f) != 0;
    return bad ? mn_out_file_error(name) : 0;
}

static int
plan_run(mn_cli *c, const mn_args *a) {
    json_t *body = json_object();
    int rc = plan_body(a, body);
    mn_buf b;
    mn_buf_init(&b);
    mn_out_json_dump(&b, body);
    json_decref(body);
    mn_request rq = {"POST",
                     "/matching/plan",
                     "application/json",
                     b.p,
                     b.len,
                     CLI_TIMEOUT_S * 10,
                     false};
    mn_response rs;
    mn_response_init(&rs);
    if (rc == 0)
        rc = mn_client_call(c->client, &rq, &rs);
    const char *save = mn_args_value(a, "save");
    if (rc == 0 && save)
        rc = save_plan(save, rs.json);
    if (rc == 0 && c->json)
        mn_out_print_compact(rs.json);
    else if (rc == 0)
        print_plan(rs.json);
    if (rc == 0 && save && !c->json)
        printf("saved to %s: review it, then `mentornet match propose --plan "
               "%s --pick 1,2,...`\n",
               save, save);
    mn_response_release(&rs);
    mn_buf_release(&b);
    return rc;
}

/* ---- propose ------------------------------------------------------------- */

/* Mark the pairs "1,3,5-7" names in picked[0..n); at least one. */
static int
parse_pick(const mn_args *a, const char *z, bool *picked, size_t n) {
    do {
        char *end;
        errno = 0;
        unsigned long lo = strtoul(z, &end, 10), hi = lo;
        if (end != z && *end == '-')
            hi = strtoul(end + 1, &end, 10);
        if (errno || end == z || lo < 1 || hi < lo || hi > n ||
            (*end && *end != ','))
            return mn_args_usage_error(a->path,
                                       "--pick: numbers 1-%zu of the plan, "
                                       "like 1,3,5-7",
                                       n);
        for (unsigned long i = lo; i <= hi; i++)
            picked[i - 1] = true;
        z = *end ? end + 1 : end;
    } while (*z);
    return 0;
}

/* Propose pair number no of the plan; print what became of it. */
static int
propose_one(mn_cli *c, size_t no, const json_t *pair) {
    json_t *body =
        json_pack("{s:O, s:O}", "mentee_id", json_object_get(pair, "mentee_id"),
                  "mentor_id", json_object_get(pair, "mentor_id"));
    mn_buf b;
    mn_buf_init(&b);
    mn_out_json_dump(&b, body);
    json_decref(body);
    mn_request rq = {"POST", "/partnerships", "application/json",
                     b.p,    b.len,           CLI_TIMEOUT_S,
                     false};
    mn_response rs;
    mn_response_init(&rs);
    int rc = mn_client_call(c->client, &rq, &rs);
    if (rc == 0 && c->json)
        mn_out_print_compact(rs.json);
    else if (rc == 0)
        printf("#%zu proposed: partnership %s\n", no,
               json_string_value(json_object_get(rs.json, "id")));
    else
        fprintf(stderr, "mentornet: #%zu was not proposed (above)\n", no);
    mn_response_release(&rs);
    mn_buf_release(&b);
    return rc;
}

static int
propose_run(mn_cli *c, const mn_args *a) {
    const char *file = mn_args_value(a, "plan");
    const char *pick = mn_args_value(a, "pick");
    bool all = mn_args_find(a, "all") != NULL;
    if (!file || !pick == !all)
        return mn_args_usage_error(a->path,
                                   "give --plan FILE and --pick LIST or --all");
    json_error_t jerr;
    json_t *plan = json_load_file(file, 0, &jerr);
    const json_t *pairs = json_object_get(plan, "pairs");
    if (!json_is_array(pairs)) {
        json_decref(plan);
        return mn_args_usage_error(a->path, "--plan %s: not a saved plan",
                                   file);
    }
    size_t n = json_array_size(pairs);
    bool *picked = mn_calloc(n + 1, sizeof *picked);
    int rc = pick ? parse_pick(a, pick, picked, n) : 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        picked[i] |= all;
    int worst = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int one =
            picked[i] ? propose_one(c, i + 1, json_array_get(pairs, i)) : 0;
        worst = one > worst ? one : worst;
    }
    free(picked);
    json_decref(plan);
    return rc ? rc : worst;
}

/* ---- commands ------------------------------------------------------------ */

static const mn_opt suggest_opts[] = {
    {"mentee", MN_OPT_STR, false, "ID", "mentors for this waiting mentee"},
    {"mentor", MN_OPT_STR, false, "ID", "mentees for this mentor"},
    {"scope", MN_OPT_STR, false, "S",
     "national (default) or division: hers only"},
    {"limit", MN_OPT_INT, false, "N", "how many, 1-100 (default 10)"},
    {0},
};

static const mn_opt plan_opts[] = {
    {"scope", MN_OPT_STR, false, "S", "national (default) or division"},
    {"division", MN_OPT_STR, false, "D",
     "plan this division only (default with\n--scope division: this node's)"},
    {"pin", MN_OPT_STR, true, "MENTEE:MENTOR", "keep this pair in the plan"},
    {"exclude", MN_OPT_STR, true, "MENTEE:MENTOR", "never plan this pair"},
    {"save", MN_OPT_STR, false, "FILE", "also write the plan's JSON to FILE"},
    {0},
};

static const mn_opt propose_opts[] = {
    {"plan", MN_OPT_STR, false, "FILE", "a plan saved by `match plan --save`"},
    {"pick", MN_OPT_STR, false, "LIST", "the pairs to propose: 1,3,5-7"},
    {"all", MN_OPT_FLAG, false, NULL, "propose every pair of the plan"},
    {0},
};

static const mn_command match_cmds[] = {
    {.name = "suggest",
     .summary = "the best mentors for a mentee (or mentees for a mentor)",
     .opts = suggest_opts,
     .detail = "Each score comes with its points per criterion (README "
               "\"Matching\").",
     .run = suggest_run},
    {.name = "plan",
     .summary = "the assignment with the largest total score; proposes "
                "nothing",
     .opts = plan_opts,
     .detail = "Review the plan, then propose the pairs you choose with "
               "`match propose`.",
     .run = plan_run},
    {.name = "propose",
     .summary = "propose chosen pairs of a saved plan as partnerships",
     .opts = propose_opts,
     .detail = "One POST /v1/partnerships per pair; each home then reserves "
               "her side.",
     .run = propose_run},
    {0},
};

static const mn_command *const match_sub[] = {match_cmds, NULL};

const mn_command mn_match_commands[] = {
    {.name = "match",
     .summary = "suggestions, the national plan, and proposals from it",
     .sub = match_sub},
    {0},
};
