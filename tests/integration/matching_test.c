/*
 * matching_test — matching over HTTP and the CLI on one real node (README
 * "Matching"): GET /v1/matching/suggestions, POST /v1/matching/plan and
 * `mentornet match`, on people made for it under the default weights.
 *
 * The node is copenhagen. An aarhus.conf beside its own (a division that
 * never runs) lets two of them move to aarhus, so that the scopes have a
 * second division to keep out:
 *
 *   mentors  Rania (capacity 2), Birgit (1), Wanda (3, withdrawn),
 *            Omar (1, moved to aarhus)
 *   mentees  Amal (Rania fits her best), Sara (Birgit does), Tigist (no
 *            language shared with any mentor), Hana (an applicant),
 *            Faduma (moved to aarhus; Omar fits her best), Lina (only
 *            English: Rania and Birgit tie for her)
 *
 * The node weighs the sector 0 ([matching] weight_sector), the rest by
 * default, so the national plan is Amal-Rania, Sara-Birgit, Faduma-Omar
 * and Lina-Rania (85 + 85 + 85 + 22) with Tigist unmatched. Checked:
 * - suggestions: the best first, ties in id order, reasons for every
 *   weighted criterion that add up to the score, profiles without a
 *   personal or special field, the scopes and limit, the snapshot's
 *   vector and digest; every refusal with its status, code and field, and
 *   the digest as it was;
 * - the plan: its total, counts, capacities, the optimum above, pins,
 *   exclusions, scopes, and every refusal likewise;
 * - a proposed pair takes the mentee and the mentor's slot out; declined,
 *   both are back but the pair is never suggested or planned again;
 * - the CLI: match suggest, plan --save, propose --pick, --json.
 *
 * Usage: it_matching MENTORNETD PORT MENTORNET
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "node.h"

#define WATCHDOG_S 100
#define NO_SUCH_ID "0190a1b2c3d47e8f9a0b1c2d3e4f5a6b"
#define SUGGESTIONS "/v1/matching/suggestions"
#define PLAN "/v1/matching/plan"
#define LEN(a) (sizeof(a) / sizeof((a)[0]))

enum { EXIT_OK = 0, EXIT_USAGE = 2 };

static it_node node;
static const char *cli;

/* ---- the people --------------------------------------------------------- */

enum {
    RANIA,
    BIRGIT,
    WANDA,
    OMAR,
    AMAL,
    SARA,
    TIGIST,
    HANA,
    FADUMA,
    LINA,
    NPEOPLE
};

typedef struct person {
    const char *name; /* given_name */
    const char *role, *status;
    int capacity;        /* a mentor's; 0 for a mentee */
    const char *home;    /* her division once created and moved */
    const char *profile; /* her profile fields, as JSON members */
    char id[33];
    int held; /* a mentor's open partnerships, as this test made them */
} person;

static person people[NPEOPLE] = {
    [RANIA] = {"Rania", "mentor", "waiting", 2, "copenhagen",
               "\"languages\":[\"ar\",\"da\",\"en\"],\"profession\":\"Nurse\","
               "\"sector\":\"Health\",\"education_level\":\"master\","
               "\"goals\":[\"job\",\"network\"],"
               "\"availability\":\"Weekday evenings\""},
    [BIRGIT] = {"Birgit", "mentor", "waiting", 1, "copenhagen",
                "\"languages\":[\"da\",\"en\"],\"profession\":\"Teacher\","
                "\"sector\":\"Education\",\"education_level\":\"bachelor\","
                "\"goals\":[\"education\",\"language\"],"
                "\"availability\":\"Saturday mornings\""},
    [WANDA] = {"Wanda", "mentor", "withdrawn", 3, "copenhagen",
               "\"languages\":[\"ar\",\"en\"],\"profession\":\"Nurse\""},
    [OMAR] = {"Omar", "mentor", "waiting", 1, "aarhus",
              "\"languages\":[\"so\",\"en\"],\"profession\":\"Engineer\","
              "\"education_level\":\"master\",\"goals\":[\"job\"],"
              "\"availability\":\"weekday evenings\""},
    [AMAL] = {"Amal", "mentee", "waiting", 0, "copenhagen",
              "\"languages\":[\"ar\",\"da\"],\"danish_level\":\"B1\","
              "\"profession\":\"nurse\",\"sector\":\"health\","
              "\"education_level\":\"master\",\"goals\":[\"job\",\"network\"],"
              "\"availability\":\"Tuesday evenings\""},
    [SARA] = {"Sara", "mentee", "waiting", 0, "copenhagen",
              "\"languages\":[\"en\"],\"profession\":\"teacher\","
              "\"sector\":\"education\",\"education_level\":\"bachelor\","
              "\"goals\":[\"education\",\"language\"],"
              "\"availability\":\"weekends\""},
    [TIGIST] = {"Tigist", "mentee", "waiting", 0, "copenhagen",
                "\"languages\":[\"ti\"],\"profession\":\"Nurse\""},
    [HANA] = {"Hana", "mentee", "applicant", 0, "copenhagen",
              "\"languages\":[\"en\"]"},
    [FADUMA] = {"Faduma", "mentee", "waiting", 0, "aarhus",
                "\"languages\":[\"so\",\"en\"],\"profession\":\"engineer\","
                "\"education_level\":\"master\",\"goals\":[\"job\"],"
                "\"availability\":\"Weekday evenings\""},
    [LINA] = {"Lina", "mentee", "waiting", 0, "copenhagen",
              "\"languages\":[\"en\"]"},
};

/* The person with this id, or -1. */
static int
who(const char *id) {
    for (int i = 0; id && i < NPEOPLE; i++)
        if (strcmp(people[i].id, id) == 0)
            return i;
    return -1;
}

static const char *
name_of(const char *id) {
    int i = who(id);
    return i < 0 ? "(someone else)" : people[i].name;
}

/* ---- requests --------------------------------------------------------- */

/* A request that must be refused with status, code and field ("": none),
 * and change nothing. */
static void
refuse(const char *method, const char *path, const char *body, long status,
       const char *code, const char *field) {
    it_refuse(&node, method, path, body, status, code, field);
}

/* method path with body: expect status; the answer (new reference). */
static json_t *
expect(const char *method, const char *path, const char *body, long status) {
    json_t *j;
    long got = it_call(&node, method, path, body, &j);
    json_t *err = json_object_get(j, "error");
    CHECK(got == status, "%s %s %s: %ld, want %ld (%s)", method, path,
          body ? body : "", got, status, tl_str(err, "message"));
    return j;
}

/* "?param=<id of person i><rest>" for the suggestions. */
static const char *
query(char *buf, size_t cap, const char *param, int i, const char *rest) {
    snprintf(buf, cap, SUGGESTIONS "?%s=%s%s", param, people[i].id, rest);
    return buf;
}

/* {"mentee_id": .., "mentor_id": ..} of people a and b. */
static const char *
pair_body(char *buf, size_t cap, int mentee, int mentor) {
    snprintf(buf, cap, "{\"mentee_id\":\"%s\",\"mentor_id\":\"%s\"}",
             people[mentee].id, people[mentor].id);
    return buf;
}

/* ---- set-up ------------------------------------------------------------- */

/* aarhus.conf beside the node's own, and aarhus's keys: a division the
 * node knows and can move a participant to. It never runs. */
static int
add_aarhus(const char *daemon, int port) {
    char conf[4400];
    snprintf(conf, sizeof conf, "%s/aarhus.conf", node.dir);
    tl_conf c = {.written_by = "written by the matching test",
                 .id = 2,
                 .name = "aarhus",
                 .display_name = "A division that never runs",
                 .data_dir = "data-aarhus",
                 .map_mb = 64,
                 .sync = true,
                 .http_port = port + 2,
                 .repl_port = port + 3,
                 .key_dir = "keys"};
    if (!CHECK(tl_conf_write(conf, &c) == 0, "write %s", conf))
        return -1;
    const char *argv[] = {daemon, "--keygen", "--config", conf, NULL};
    char *out = NULL;
    int rc = tl_run(argv, NULL, 30, &out, NULL, NULL);
    free(out);
    return CHECK(rc == 0, "aarhus's keys (%d)", rc) ? 0 : -1;
}

/* The sector weighs nothing on this node ([matching] weight_sector = 0),
 * so that a criterion without weight is seen to have no reason. */
static int
weigh_sector_zero(void) {
    char *conf = tl_read_file(node.conf, NULL);
    size_t n = conf ? strlen(conf) + 64 : 0;
    char *more = conf ? malloc(n) : NULL;
    int rc = -1;
    if (more) {
        snprintf(more, n, "%s\n[matching]\nweight_sector = 0\n", conf);
        rc = tl_write_text(node.conf, more, 0644);
    }
    free(conf);
    free(more);
    return CHECK(rc == 0, "[matching] in %s", node.conf) ? 0 : -1;
}

/* Create person i with every personal and special field too (so that a
 * profile that showed one would be caught), and move her home. */
static int
create_person(int i) {
    person *p = &people[i];
    char body[1200], cap[32] = "", path[128];
    if (p->capacity)
        snprintf(cap, sizeof cap, "\"capacity\":%d,", p->capacity);
    snprintf(body, sizeof body,
             "{\"role\":\"%s\",\"status\":\"%s\",\"given_name\":\"%s\","
             "\"family_name\":\"Test\",\"email\":\"p%d@example.org\","
             "\"phone\":\"+45 11 22 33 44\",\"country_of_origin\":\"SY\","
             "\"background\":\"other\",\"notes\":\"private words\","
             "\"consent\":{\"purposes\":[\"matching\"],"
             "\"given_at\":\"2026-11-26T10:00:00Z\"},%s%s}",
             p->role, p->status, p->name, i, cap, p->profile);
    json_t *j = expect("POST", "/v1/participants", body, 201);
    snprintf(p->id, sizeof p->id, "%s", j ? tl_str(j, "id") : "");
    json_decref(j);
    if (!CHECK(it_is_id(p->id), "%s created", p->name))
        return -1;
    if (strcmp(p->home, "copenhagen") == 0)
        return 0;
    snprintf(path, sizeof path, "/v1/participants/%s/transfer", p->id);
    snprintf(body, sizeof body, "{\"to\":\"%s\"}", p->home);
    j = expect("POST", path, body, 200);
    bool moved = j && strcmp(tl_str(j, "home_division"), p->home) == 0;
    json_decref(j);
    return CHECK(moved, "%s moved to %s", p->name, p->home) ? 0 : -1;
}

static int
create_people(void) {
    tl_section("mentors and mentees, two of them moved to aarhus");
    for (int i = 0; i < NPEOPLE; i++)
        if (create_person(i) != 0)
            return -1;
    return 0;
}

/* ---- what every answer holds -------------------------------------------- */

static void
check_snapshot(const json_t *j, const char *what) {
    const char *digest = tl_str(j, "digest");
    CHECK(strlen(digest) == 64 &&
              json_is_object(json_object_get(j, "version_vector")),
          "%s: the snapshot's version_vector and digest", what);
}

/* reasons: one per criterion that weighs (weights), each at most its
 * weight, adding up to score. */
static void
check_reasons(const json_t *reasons, const json_t *weights, json_int_t score,
              const char *what) {
    size_t weighted = 0, i;
    const char *name;
    const json_t *v, *r;
    json_object_foreach((json_t *)weights, name, v) {
        weighted += json_integer_value(v) > 0;
    }
    json_int_t sum = 0;
    bool each_ok = json_array_size(reasons) == weighted;
    json_array_foreach(reasons, i, r) {
        json_int_t points = json_integer_value(json_object_get(r, "points"));
        json_int_t w = json_integer_value(
            json_object_get(weights, tl_str(r, "criterion")));
        each_ok &= w > 0 && points >= 0 && points <= w &&
                   json_integer_value(json_object_get(r, "weight")) == w &&
                   tl_str(r, "why")[0] != '\0';
        sum += points;
    }
    CHECK(each_ok, "%s: a reason per weighted criterion, within its weight",
          what);
    CHECK(sum == score, "%s: the points add up to the score (%lld, %lld)", what,
          (long long)sum, (long long)score);
}

/* A profile shows no personal or special field. */
static void
check_profile(const json_t *profile, const char *what) {
    static const char *const hidden[] = {
        "given_name", "family_name", "email",   "phone",
        "notes",      "background",  "consent", "country_of_origin",
        NULL};
    bool clean = json_is_object(profile) &&
                 json_object_get(profile, "languages") != NULL;
    for (size_t i = 0; hidden[i]; i++)
        clean &= json_object_get(profile, hidden[i]) == NULL;
    CHECK(clean, "%s: the profile, without personal or special fields", what);
}

/* ---- suggestions -------------------------------------------------------- */

/* Check the order, reasons and profiles of a suggestions answer. */
static void
check_suggestions(const json_t *j, const char *what) {
    const json_t *list = json_object_get(j, "suggestions"), *s;
    const char *other =
        json_object_get(j, "mentee_id") ? "mentor_id" : "mentee_id";
    json_int_t last = -1;
    const char *last_id = "";
    size_t i;
    check_snapshot(j, what);
    json_array_foreach(list, i, s) {
        json_int_t score = json_integer_value(json_object_get(s, "score"));
        const char *id = tl_str(s, other);
        CHECK(i == 0 || score < last ||
                  (score == last && strcmp(last_id, id) < 0),
              "%s: #%zu, the best first, ties in id order", what, i + 1);
        check_reasons(json_object_get(s, "reasons"),
                      json_object_get(j, "weights"), score, what);
        check_profile(json_object_get(s, "profile"), what);
        last = score, last_id = id;
    }
}

/* GET the suggestions of query: 200, checked. New reference. */
static json_t *
suggest(const char *path) {
    json_t *j = expect("GET", path, NULL, 200);
    check_suggestions(j, path);
    return j;
}

/* The id at suggestion k (0-based), or "". */
static const char *
nth(const json_t *j, size_t k) {
    const json_t *s = json_array_get(json_object_get(j, "suggestions"), k);
    return tl_str(s,
                  json_object_get(j, "mentee_id") ? "mentor_id" : "mentee_id");
}

static bool
lists(const json_t *j, int i) {
    for (size_t k = 0; k < json_array_size(json_object_get(j, "suggestions"));
         k++)
        if (strcmp(nth(j, k), people[i].id) == 0)
            return true;
    return false;
}

static size_t
count(const json_t *j) {
    return json_array_size(json_object_get(j, "suggestions"));
}

static json_int_t
int_of(const json_t *j, const char *key) {
    return json_integer_value(json_object_get(j, key));
}

static void
test_suggestions_for_mentees(void) {
    char q[160];
    tl_section("suggestions for a mentee");
    json_t *j = suggest(query(q, sizeof q, "mentee", AMAL, ""));
    CHECK(count(j) == 2 && int_of(j, "candidates") == 2 &&
              strcmp(nth(j, 0), people[RANIA].id) == 0 &&
              int_of(json_array_get(json_object_get(j, "suggestions"), 0),
                     "score") == 85 &&
              int_of(json_object_get(j, "weights"), "sector") == 0,
          "Amal: Rania first (85), then Birgit; Omar shares no language");
    json_decref(j);
    j = suggest(query(q, sizeof q, "mentee", AMAL, "&limit=1"));
    CHECK(count(j) == 1 && int_of(j, "candidates") == 2, "limit=1: one of two");
    json_decref(j);
    j = suggest(query(q, sizeof q, "mentee", LINA, ""));
    const json_t *list = json_object_get(j, "suggestions");
    CHECK(count(j) == 3 &&
              int_of(json_array_get(list, 0), "score") ==
                  int_of(json_array_get(list, 1), "score") &&
              strcmp(nth(j, 2), people[OMAR].id) == 0,
          "Lina: Rania and Birgit tie (in id order), Omar last");
    json_decref(j);
}

static void
test_suggestions_scope(void) {
    char q[160];
    tl_section("suggestions: scope=division keeps her division only");
    json_t *j = suggest(query(q, sizeof q, "mentee", FADUMA, ""));
    CHECK(count(j) == 3 && strcmp(nth(j, 0), people[OMAR].id) == 0,
          "Faduma, national: Omar first of three");
    json_decref(j);
    j = suggest(query(q, sizeof q, "mentee", FADUMA, "&scope=division"));
    const json_t *first = json_array_get(json_object_get(j, "suggestions"), 0);
    CHECK(count(j) == 1 && int_of(j, "candidates") == 1 &&
              strcmp(nth(j, 0), people[OMAR].id) == 0 &&
              strcmp(tl_str(first, "division"), "aarhus") == 0 &&
              strcmp(tl_str(j, "scope"), "division") == 0,
          "Faduma, division: aarhus's Omar only");
    json_decref(j);
    j = suggest(query(q, sizeof q, "mentee", SARA, "&scope=division"));
    CHECK(count(j) == 2 && !lists(j, OMAR), "Sara, division: not Omar");
    json_decref(j);
}

static void
test_suggestions_for_mentors(void) {
    char q[160];
    tl_section("suggestions for a mentor: never a mentee she cannot talk to");
    static const int mentors[] = {RANIA, BIRGIT, OMAR};
    for (size_t m = 0; m < LEN(mentors); m++) {
        json_t *j = suggest(query(q, sizeof q, "mentor", mentors[m], ""));
        CHECK(j && !lists(j, TIGIST) && !lists(j, HANA),
              "%s: neither Tigist nor the applicant", people[mentors[m]].name);
        json_decref(j);
    }
    json_t *j = suggest(query(q, sizeof q, "mentor", RANIA, ""));
    CHECK(count(j) == 4 && strcmp(nth(j, 0), people[AMAL].id) == 0 &&
              lists(j, SARA) && lists(j, FADUMA) && lists(j, LINA),
          "Rania: Amal first of four");
    json_decref(j);
}

static void
test_suggestions_refused(void) {
    char q[160];
    tl_section("suggestions: what is refused");
    refuse("GET", SUGGESTIONS, NULL, 400, "bad_query", "mentee");
    snprintf(q, sizeof q, SUGGESTIONS "?mentee=%s&mentor=%s", people[AMAL].id,
             people[RANIA].id);
    refuse("GET", q, NULL, 400, "bad_query", "mentee");
    refuse("GET", SUGGESTIONS "?mentee=XYZ", NULL, 400, "bad_query", "mentee");
    refuse("GET", SUGGESTIONS "?mentor=12", NULL, 400, "bad_query", "mentor");
    refuse("GET", SUGGESTIONS "?mentee=" NO_SUCH_ID, NULL, 404, "not_found",
           "");
    refuse("GET", query(q, sizeof q, "mentee", RANIA, ""), NULL, 400,
           "bad_query", "mentee");
    refuse("GET", query(q, sizeof q, "mentor", AMAL, ""), NULL, 400,
           "bad_query", "mentor");
    refuse("GET", query(q, sizeof q, "mentee", HANA, ""), NULL, 409,
           "not_waiting", "mentee");
    refuse("GET", query(q, sizeof q, "mentor", WANDA, ""), NULL, 409,
           "not_available", "mentor");
    refuse("GET", query(q, sizeof q, "mentee", AMAL, "&scope=x"), NULL, 400,
           "bad_query", "scope");
    static const char *const limits[] = {"0", "101", "-1", "1x", ""};
    for (size_t i = 0; i < LEN(limits); i++) {
        char rest[32];
        snprintf(rest, sizeof rest, "&limit=%s", limits[i]);
        refuse("GET", query(q, sizeof q, "mentee", AMAL, rest), NULL, 400,
               "bad_query", "limit");
    }
    refuse("GET", query(q, sizeof q, "mentee", AMAL, "&colour=red"), NULL, 400,
           "bad_query", "colour");
}

/* ---- the plan ----------------------------------------------------------- */

/* The pair of mentee i in plan j, or NULL. */
static const json_t *
pair_of(const json_t *j, int i) {
    const json_t *pair;
    size_t k;
    json_array_foreach(json_object_get(j, "pairs"), k, pair) {
        if (strcmp(tl_str(pair, "mentee_id"), people[i].id) == 0)
            return pair;
    }
    return NULL;
}

static bool
planned(const json_t *j, int mentee, int mentor) {
    const json_t *pair = pair_of(j, mentee);
    return pair && strcmp(tl_str(pair, "mentor_id"), people[mentor].id) == 0;
}

/* A mentor's free slots: none when withdrawn, else her capacity less
 * the partnerships this test opened. */
static int
free_slots(int i) {
    person *p = &people[i];
    return strcmp(p->status, "withdrawn") == 0 ? 0 : p->capacity - p->held;
}

/* Each mentee once, each mentor within her free slots, every pair
 * between people who may be paired. */
static void
check_pairs_allowed(const json_t *j, const char *what) {
    int mentees[NPEOPLE] = {0}, mentors[NPEOPLE] = {0};
    const json_t *pair;
    size_t k;
    json_array_foreach(json_object_get(j, "pairs"), k, pair) {
        int a = who(tl_str(pair, "mentee_id"));
        int b = who(tl_str(pair, "mentor_id"));
        if (!CHECK(a >= 0 && b >= 0 && strcmp(people[a].role, "mentee") == 0 &&
                       strcmp(people[b].role, "mentor") == 0,
                   "%s: pair %zu is a mentee and a mentor of ours", what, k))
            continue;
        mentees[a]++, mentors[b]++;
    }
    for (int i = 0; i < NPEOPLE; i++) {
        CHECK(mentees[i] <= 1, "%s: %s at most once", what, people[i].name);
        CHECK(mentors[i] <= free_slots(i), "%s: %s within her free slots (%d)",
              what, people[i].name, mentors[i]);
    }
    CHECK(!pair_of(j, TIGIST) && !pair_of(j, HANA),
          "%s: never Tigist nor the applicant", what);
}

/* The totals and counts agree with the pairs. */
static void
check_plan(const json_t *j, const char *what) {
    const json_t *pairs = json_object_get(j, "pairs"), *pair;
    json_int_t total = 0, cross = 0;
    size_t k;
    check_snapshot(j, what);
    json_array_foreach(pairs, k, pair) {
        json_int_t score = int_of(pair, "score");
        check_reasons(json_object_get(pair, "reasons"),
                      json_object_get(j, "weights"), score, what);
        total += score;
        cross += strcmp(tl_str(pair, "mentee_division"),
                        tl_str(pair, "mentor_division")) != 0;
    }
    json_int_t matched = int_of(j, "matched");
    CHECK(total == int_of(j, "total_score"), "%s: total_score %lld is the sum",
          what, (long long)int_of(j, "total_score"));
    CHECK(matched == (json_int_t)json_array_size(pairs) &&
              matched + int_of(j, "unmatched") ==
                  int_of(j, "mentees_waiting") &&
              matched <= int_of(j, "mentor_slots") &&
              cross == int_of(j, "cross_division"),
          "%s: matched, unmatched, mentees_waiting, mentor_slots and "
          "cross_division agree",
          what);
    check_pairs_allowed(j, what);
}

/* POST the plan with body (NULL: none): 200, checked. New reference. */
static json_t *
plan(const char *body) {
    json_t *j = expect("POST", PLAN, body, 200);
    check_plan(j, body ? body : "(no body)");
    return j;
}

static bool
counts(const json_t *j, json_int_t waiting, json_int_t slots,
       json_int_t matched) {
    return int_of(j, "mentees_waiting") == waiting &&
           int_of(j, "mentor_slots") == slots &&
           int_of(j, "matched") == matched;
}

static void
test_plan(void) {
    tl_section("the national plan");
    json_t *j = plan("{}");
    CHECK(counts(j, 5, 4, 4) && int_of(j, "total_score") == 277 &&
              planned(j, AMAL, RANIA) && planned(j, SARA, BIRGIT) &&
              planned(j, FADUMA, OMAR) && planned(j, LINA, RANIA) &&
              int_of(j, "cross_division") == 0 &&
              strcmp(tl_str(j, "scope"), "national") == 0,
          "Amal-Rania, Sara-Birgit, Faduma-Omar, Lina-Rania: 277, Tigist "
          "unmatched");
    json_t *again = plan(NULL);
    CHECK(json_equal(json_object_get(j, "pairs"),
                     json_object_get(again, "pairs")),
          "no body is the same plan");
    json_decref(again);
    json_decref(j);

    tl_section("the plan of one division");
    j = plan("{\"scope\":\"division\"}");
    CHECK(counts(j, 4, 3, 3) && !pair_of(j, FADUMA) &&
              strcmp(tl_str(j, "division"), "copenhagen") == 0,
          "copenhagen's: Amal, Sara, Lina; Tigist unmatched");
    json_decref(j);
    j = plan("{\"scope\":\"division\",\"division\":\"aarhus\"}");
    CHECK(counts(j, 1, 1, 1) && planned(j, FADUMA, OMAR) &&
              strcmp(tl_str(j, "division"), "aarhus") == 0,
          "aarhus's: Faduma-Omar");
    json_decref(j);
}

static void
test_plan_pins(void) {
    char pair[128], body[256];
    tl_section("the plan with pins and excludes");
    snprintf(body, sizeof body, "{\"pins\":[%s]}",
             pair_body(pair, sizeof pair, LINA, BIRGIT));
    json_t *j = plan(body);
    const json_t *pinned = pair_of(j, LINA);
    CHECK(planned(j, LINA, BIRGIT) &&
              json_is_true(json_object_get(pinned, "pinned")) &&
              json_is_false(json_object_get(pair_of(j, AMAL), "pinned")) &&
              !planned(j, SARA, BIRGIT),
          "Lina-Birgit pinned; Birgit's one slot is hers");
    json_decref(j);
    snprintf(body, sizeof body, "{\"excludes\":[%s]}",
             pair_body(pair, sizeof pair, AMAL, RANIA));
    j = plan(body);
    CHECK(!planned(j, AMAL, RANIA), "Amal-Rania excluded");
    json_decref(j);
}

static void
test_plan_refused(void) {
    tl_section("the plan: what is refused");
    refuse("POST", PLAN, "{\"colour\":1}", 400, "unknown_field", "colour");
    refuse("POST", PLAN, "{\"scope\":\"x\"}", 400, "invalid_field", "scope");
    refuse("POST", PLAN, "{\"scope\":1}", 400, "invalid_field", "scope");
    refuse("POST", PLAN, "{\"scope\":\"national\",\"division\":\"aarhus\"}",
           400, "invalid_field", "division");
    refuse("POST", PLAN, "{\"scope\":\"division\",\"division\":\"nowhere\"}",
           400, "invalid_field", "division");
    refuse("POST", PLAN, "{\"pins\":{}}", 400, "invalid_field", "pins");
    refuse("POST", PLAN, "{\"excludes\":[{\"mentee_id\":\"x\"}]}", 400,
           "invalid_field", "excludes");
    refuse("POST", PLAN, "{\"scope\":", 400, "bad_json", "");
    refuse("POST", PLAN, "[]", 400, "bad_json", "");
}

/* {"pins": [a-b, c-d], <more>}, or one pin when c < 0. */
static const char *
pins_body(char *buf, size_t cap, int a, int b, int c, int d, const char *more) {
    char one[128], two[128] = "";
    pair_body(one, sizeof one, a, b);
    if (c >= 0) {
        two[0] = ',';
        pair_body(two + 1, sizeof two - 1, c, d);
    }
    snprintf(buf, cap, "{\"pins\":[%s%s]%s}", one, two, more);
    return buf;
}

/* Pins that break a rule: 409 pin_invalid, naming the pin. */
static void
test_pins_refused(void) {
    char body[512], excl[128], more[160];
    tl_section("the plan: pins that break a rule");
    refuse("POST", PLAN, pins_body(body, sizeof body, HANA, RANIA, -1, -1, ""),
           409, "pin_invalid", "pins[0]");
    refuse("POST", PLAN,
           pins_body(body, sizeof body, TIGIST, RANIA, -1, -1, ""), 409,
           "pin_invalid", "pins[0]");
    refuse("POST", PLAN, pins_body(body, sizeof body, AMAL, WANDA, -1, -1, ""),
           409, "pin_invalid", "pins[0]");
    refuse("POST", PLAN,
           pins_body(body, sizeof body, LINA, BIRGIT, LINA, RANIA, ""), 409,
           "pin_invalid", "pins[1]");
    refuse("POST", PLAN,
           pins_body(body, sizeof body, AMAL, BIRGIT, LINA, BIRGIT, ""), 409,
           "pin_invalid", "pins[1]");
    refuse("POST", PLAN,
           pins_body(body, sizeof body, FADUMA, OMAR, -1, -1,
                     ",\"scope\":\"division\""),
           409, "pin_invalid", "pins[0]");
    snprintf(more, sizeof more, ",\"excludes\":[%s]",
             pair_body(excl, sizeof excl, AMAL, RANIA));
    refuse("POST", PLAN,
           pins_body(body, sizeof body, AMAL, RANIA, -1, -1, more), 409,
           "pin_invalid", "pins[0]");
}

/* ---- a proposal, and its decline ---------------------------------------- */

static void
while_proposed(void) {
    char q[160];
    refuse("GET", query(q, sizeof q, "mentee", SARA, ""), NULL, 409,
           "has_partnership", "mentee");
    refuse("GET", query(q, sizeof q, "mentor", BIRGIT, ""), NULL, 409,
           "not_available", "mentor");
    json_t *j = plan("{}");
    CHECK(counts(j, 4, 3, 3) && !pair_of(j, SARA),
          "the plan leaves Sara out and Birgit's slot taken");
    json_decref(j);
}

static void
after_decline(void) {
    char q[160], pair[128], body[256];
    json_t *j = plan("{}");
    CHECK(counts(j, 5, 4, 4) && pair_of(j, SARA) && !planned(j, SARA, BIRGIT),
          "Sara is back in the plan, never with Birgit again");
    json_decref(j);
    j = suggest(query(q, sizeof q, "mentee", SARA, ""));
    CHECK(count(j) == 2 && !lists(j, BIRGIT), "nor suggested Birgit");
    json_decref(j);
    j = suggest(query(q, sizeof q, "mentor", BIRGIT, ""));
    CHECK(j && !lists(j, SARA), "nor Birgit her");
    json_decref(j);
    snprintf(body, sizeof body, "{\"pins\":[%s]}",
             pair_body(pair, sizeof pair, SARA, BIRGIT));
    refuse("POST", PLAN, body, 409, "pin_invalid", "pins[0]");
}

static void
test_partnership(void) {
    char body[128], path[128];
    tl_section("Sara-Birgit proposed: both out of matching");
    json_t *j = expect("POST", "/v1/partnerships",
                       pair_body(body, sizeof body, SARA, BIRGIT), 201);
    char *id = strdup(j ? tl_str(j, "id") : "");
    json_decref(j);
    people[BIRGIT].held++;
    while_proposed();

    tl_section("declined: both back, but never as a pair again");
    snprintf(path, sizeof path, "/v1/partnerships/%s/decline", id);
    j = expect("POST", path, NULL, 200);
    CHECK(j && strcmp(tl_str(j, "state"), "declined") == 0, "declined");
    json_decref(j);
    people[BIRGIT].held--;
    after_decline();
    free(id);
}

/* ---- the CLI ------------------------------------------------------------ */

static bool
has(const char *haystack, const char *needle) {
    return haystack && strstr(haystack, needle) != NULL;
}

static void
test_cli_suggest(void) {
    char *out = NULL;
    tl_section("CLI: match suggest");
    const char *suggest_args[] = {"match", "suggest", "--mentee",
                                  people[AMAL].id, NULL};
    CHECK(it_cli(&node, cli, false, suggest_args, &out) == EXIT_OK &&
              has(out, people[RANIA].id) && has(out, "score") &&
              !has(out, "Rania"),
          "match suggest --mentee: a table of ids, no names");
    free(out);
    const char *neither[] = {"match", "suggest", NULL};
    CHECK(it_cli(&node, cli, false, neither, NULL) == EXIT_USAGE,
          "match suggest with neither: 2");
}

/* Is (mentee, mentor) proposed? */
static bool
proposed(const char *mentee, const char *mentor) {
    char path[128];
    snprintf(path, sizeof path, "/v1/partnerships?participant=%s", mentee);
    json_t *j = expect("GET", path, NULL, 200), *item;
    bool found = false;
    size_t k;
    json_array_foreach(json_object_get(j, "items"), k, item) {
        found |= strcmp(tl_str(item, "mentor_id"), mentor) == 0 &&
                 strcmp(tl_str(item, "state"), "proposed") == 0;
    }
    json_decref(j);
    return found;
}

/* --json match plan, with the token from MENTORNET_TOKEN: the plan, in
 * which mentee (just proposed) is no more. */
static void
cli_json_plan(const char *mentee) {
    char *out = NULL;
    const char *as_json[] = {"--json", "match", "plan", NULL};
    CHECK(it_cli(&node, cli, true, as_json, &out) == EXIT_OK,
          "--json match plan: 0");
    json_t *j = out ? json_loads(out, 0, NULL) : NULL;
    CHECK(j && json_is_array(json_object_get(j, "pairs")) &&
              json_is_integer(json_object_get(j, "total_score")),
          "--json match plan (token from MENTORNET_TOKEN) prints the plan");
    CHECK(!pair_of(j, who(mentee)), "without %s, now proposed",
          name_of(mentee));
    json_decref(j);
    free(out);
}

/* propose --pick 99 and with an empty list (both refused), then --pick 1,
 * from the plan saved in file. */
static void
cli_propose(const char *file, const json_t *saved) {
    const json_t *first = json_array_get(json_object_get(saved, "pairs"), 0);
    char mentee[33], mentor[33];
    snprintf(mentee, sizeof mentee, "%s", tl_str(first, "mentee_id"));
    snprintf(mentor, sizeof mentor, "%s", tl_str(first, "mentor_id"));
    char *before = it_digest(&node);
    const char *far[] = {"match",  "propose", "--plan", file,
                         "--pick", "99",      NULL};
    CHECK(it_cli(&node, cli, false, far, NULL) == EXIT_USAGE, "--pick 99: 2");
    const char *none[] = {"match",  "propose", "--plan", file,
                          "--pick", "",        NULL};
    CHECK(it_cli(&node, cli, false, none, NULL) == EXIT_USAGE,
          "--pick with an empty list: 2");
    char *after = it_digest(&node);
    CHECK(strcmp(before, after) == 0, "and nothing proposed");
    free(before);
    free(after);
    const char *one[] = {"match",  "propose", "--plan", file,
                         "--pick", "1",       NULL};
    CHECK(it_cli(&node, cli, false, one, NULL) == EXIT_OK, "--pick 1: 0");
    CHECK(proposed(mentee, mentor), "pair 1 (%s-%s) is proposed",
          name_of(mentee), name_of(mentor));
    cli_json_plan(mentee);
}

static void
test_cli_plan(void) {
    char file[4400], *out = NULL;
    tl_section("CLI: match plan --save, match propose");
    snprintf(file, sizeof file, "%s/plan.json", node.dir);
    const char *save[] = {"match", "plan", "--save", file, NULL};
    CHECK(it_cli(&node, cli, false, save, &out) == EXIT_OK &&
              has(out, "total score"),
          "match plan --save: 0, and the plan printed");
    free(out);
    json_t *saved = json_load_file(file, 0, NULL);
    if (CHECK(json_array_size(json_object_get(saved, "pairs")) > 0,
              "the file holds the plan's JSON, with pairs"))
        cli_propose(file, saved);
    json_decref(saved);
}

int
main(int argc, char **argv) {
    const char *daemon;
    int port;
    it_args(argc, argv, true, &daemon, &port, &cli);
    tl_begin("integration.matching", WATCHDOG_S);
    if (it_node_create(&node, daemon, port, 64) == 0 &&
        add_aarhus(daemon, port) == 0 && weigh_sector_zero() == 0 &&
        it_node_start(&node) == 0 && create_people() == 0) {
        test_suggestions_for_mentees();
        test_suggestions_scope();
        test_suggestions_for_mentors();
        test_suggestions_refused();
        test_plan();
        test_plan_pins();
        test_plan_refused();
        test_pins_refused();
        test_partnership();
        test_cli_suggest();
        test_cli_plan();
    }
    it_node_destroy(&node);
    return tl_summary();
}
