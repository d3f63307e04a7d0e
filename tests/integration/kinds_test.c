/*
 * kinds_test — drives the endpoints of the kinds beyond participants on
 * one real node (README.md, "Sub-networks" and "Outcomes"): sub-networks
 * (create, get, patch, list with filters and q), their members (join, a
 * second join answering the same membership, leave, leave again, join
 * again as a new tag, the members list without names) and outcomes
 * (record, get, list by kind, PATCH refused), meetings (PUT with the
 * client's id, again, another body, list by partnership), partnerships
 * (the lifecycle on one home node and what it refuses) and transfers'
 * refusals. Every refused request is
 * checked for its status, error code and field, and for leaving the
 * digest unchanged. Then the CLI's subnetwork and outcome commands
 * against the same node (exit codes, tables without names, --json, usage
 * errors). Last, a restart passes the start-up check.
 *
 * Usage: it_kinds MENTORNETD PORT MENTORNET
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define WATCHDOG_S 60
#define NO_SUCH_ID "0190a1b2c3d47e8f9a0b1c2d3e4f5a6b"

enum { EXIT_OK = 0, EXIT_USAGE = 2, EXIT_REFUSED = 4 };

static it_node node;
static const char *cli;

/* ---- requests --------------------------------------------------------- */

/* Send body (NULL: none) with method to path; expect status, error code
 * and field (NULL: any), and the digest as it was. */
static void
refuse(const char *method, const char *path, const char *body, long status,
       const char *code, const char *field) {
    it_refuse(&node, method, path, body, status, code, field);
}

/* Send body with method to path, expect status; the answer (new
 * reference, NULL when not JSON). */
static json_t *
expect(const char *method, const char *path, const char *body, long status) {
    tl_resp r;
    it_send_json(&node, method, path, body ? body : "", &r);
    CHECK(r.status == status, "%s %s %s: status %ld, want %ld (%s)", method,
          path, body ? body : "", r.status, status, r.body ? r.body : "");
    json_t *j = r.json ? json_incref(r.json) : NULL;
    tl_resp_release(&r);
    return j;
}

static json_t *
get(const char *path, long status) {
    tl_resp r;
    it_get(&node, path, &r);
    CHECK(r.status == status, "GET %s: status %ld, want %ld (%s)", path,
          r.status, status, r.body ? r.body : "");
    json_t *j = r.json ? json_incref(r.json) : NULL;
    tl_resp_release(&r);
    return j;
}

/* The id of a created entity (caller frees); "" when it failed. */
static char *
create(const char *path, const char *body) {
    json_t *j = expect("POST", path, body, 201);
    char *id = strdup(j ? tl_str(j, "id") : "");
    CHECK(it_is_id(id), "POST %s: an id", path);
    json_decref(j);
    return id;
}

static size_t
items_of(const char *path) {
    json_t *j = get(path, 200);
    size_t n = json_array_size(json_object_get(j, "items"));
    json_decref(j);
    return n;
}

/* Items in every page of path (a query string that sets limit) followed
 * by next_cursor. */
static size_t
walk(const char *path) {
    char page[256];
    size_t n = 0, pages = 0;
    json_t *j = get(path, 200);
    while (j && pages++ < 100) {
        n += json_array_size(json_object_get(j, "items"));
        const char *next = json_string_value(json_object_get(j, "next_cursor"));
        if (!next)
            break;
        snprintf(page, sizeof page, "%s&cursor=%s", path, next);
        json_decref(j);
        j = get(page, 200);
    }
    json_decref(j);
    return n;
}

/* ---- sub-networks ------------------------------------------------------- */

static char *circle, *djof;

static void
test_subnetworks(void) {
    tl_section("sub-networks: create, get, patch, list");
    circle = create("/v1/subnetworks",
                    "{\"name\":\"Literary circle\",\"theme\":\"books\","
                    "\"facilitator\":\"Inge\"}");
    djof = create("/v1/subnetworks",
                  "{\"name\":\"Lawyers and economists (DJØF)\","
                  "\"scope\":\"national\",\"description\":\"a\\nb\"}");
    char path[128];
    snprintf(path, sizeof path, "/v1/subnetworks/%s", circle);
    json_t *s = get(path, 200);
    CHECK(strcmp(tl_str(s, "division"), "copenhagen") == 0, "its division");
    CHECK(strcmp(tl_str(s, "scope"), "division") == 0, "scope by default");
    CHECK(strcmp(tl_str(s, "theme"), "books") == 0, "its theme");
    json_decref(s);
    s = expect("PATCH", path, "{\"theme\":\"novels\"}", 200);
    CHECK(s && strcmp(tl_str(s, "theme"), "novels") == 0, "patched theme");
    json_decref(s);
    CHECK(items_of("/v1/subnetworks") == 2, "two listed");
    CHECK(items_of("/v1/subnetworks?scope=national") == 1, "one national");
    CHECK(items_of("/v1/subnetworks?division=copenhagen&limit=1") == 1,
          "a page of one");
    CHECK(items_of("/v1/subnetworks?q=liter") == 1, "q finds the circle");
    free(create("/v1/subnetworks", "{\"name\":\"Writers' workshop\"}"));
    CHECK(walk("/v1/subnetworks?limit=2") == 3, "three in pages of two");
}

static void
test_subnetworks_refused(void) {
    tl_section("sub-networks: refused");
    char path[128], unknown[128];
    snprintf(path, sizeof path, "/v1/subnetworks/%s", circle);
    snprintf(unknown, sizeof unknown, "/v1/subnetworks/%s", NO_SUCH_ID);
    refuse("POST", "/v1/subnetworks", "{\"theme\":\"x\"}", 400, "missing_field",
           "name");
    refuse("POST", "/v1/subnetworks", "{\"name\":\"x\",\"scope\":\"world\"}",
           400, "invalid_field", "scope");
    refuse("POST", "/v1/subnetworks", "{\"name\":\"x\",\"colour\":1}", 400,
           "unknown_field", "colour");
    refuse("POST", "/v1/subnetworks",
           "{\"name\":\"x\",\"division\":\"aarhus\"}", 400, "invalid_field",
           "division");
    refuse("POST", "/v1/subnetworks", "{\"name\":", 400, "bad_json", NULL);
    refuse("POST", "/v1/subnetworks", "{\"name\":\"\"}", 400, "invalid_field",
           "name");
    refuse("GET", unknown, NULL, 404, "not_found", NULL);
    refuse("GET", "/v1/subnetworks/XYZ", NULL, 404, "not_found", NULL);
    refuse("PATCH", unknown, "{\"theme\":\"x\"}", 404, "not_found", NULL);
    refuse("PATCH", path, "{}", 400, "empty_patch", NULL);
    refuse("PATCH", path, "{\"name\":null}", 400, "invalid_field", "name");
    refuse("GET", "/v1/subnetworks?scope=world", NULL, 400, "bad_query",
           "scope");
    refuse("GET", "/v1/subnetworks?role=mentor", NULL, 400, "bad_query",
           "role");
    refuse("DELETE", path, NULL, 405, "method_not_allowed", NULL);
}

/* ---- members ------------------------------------------------------------ */

static char *amina, *leila;

static char *
participant(const char *given) {
    char body[160];
    snprintf(body, sizeof body,
             "{\"role\":\"mentee\",\"given_name\":\"%s\","
             "\"family_name\":\"Test\"}",
             given);
    return create("/v1/participants", body);
}

static json_t *
join(const char *sub, const char *who, long status) {
    char path[128], body[96];
    snprintf(path, sizeof path, "/v1/subnetworks/%s/members", sub);
    snprintf(body, sizeof body, "{\"participant_id\":\"%s\"}", who);
    return expect("POST", path, body, status);
}

static json_int_t
leave(const char *sub, const char *who) {
    char path[128], body[96];
    snprintf(path, sizeof path, "/v1/subnetworks/%s/leave", sub);
    snprintf(body, sizeof body, "{\"participant_id\":\"%s\"}", who);
    json_t *j = expect("POST", path, body, 200);
    CHECK(j && json_is_false(json_object_get(j, "member")), "member: false");
    json_int_t n = json_integer_value(json_object_get(j, "left"));
    json_decref(j);
    return n;
}

/* The members list of sub; OUT: whether who is on it. */
static size_t
members(const char *sub, const char *who, bool *found) {
    char path[128];
    snprintf(path, sizeof path, "/v1/subnetworks/%s/members", sub);
    json_t *j = get(path, 200), *item;
    json_t *items = json_object_get(j, "items");
    size_t i;
    *found = false;
    json_array_foreach(items, i, item) {
        *found |= strcmp(tl_str(item, "participant_id"), who) == 0;
        CHECK(strcmp(tl_str(item, "home_division"), "copenhagen") == 0,
              "a member's home division");
        CHECK(!json_object_get(item, "given_name") &&
                  !json_object_get(item, "family_name"),
              "no names in the members list");
    }
    CHECK(json_integer_value(json_object_get(j, "count")) ==
              (json_int_t)json_array_size(items),
          "count is the items'");
    size_t n = json_array_size(items);
    json_decref(j);
    return n;
}

static void
test_members(void) {
    tl_section("members: join, join again, leave, rejoin");
    bool found;
    amina = participant("Amina");
    leila = participant("Leila");
    json_t *m1 = join(circle, amina, 201);
    char *tag1 = strdup(m1 ? tl_str(m1, "id") : "");
    CHECK(m1 && strcmp(tl_str(m1, "subnetwork_id"), circle) == 0 &&
              strcmp(tl_str(m1, "participant_id"), amina) == 0 &&
              json_is_null(json_object_get(m1, "left_at")) &&
              json_is_string(json_object_get(m1, "joined_at")),
          "the membership");
    json_t *m2 = join(circle, amina, 200);
    CHECK(m2 && strcmp(tl_str(m2, "id"), tag1) == 0,
          "joining again answers the same membership");
    json_decref(join(circle, leila, 201));
    json_decref(join(djof, amina, 201));
    CHECK(members(circle, amina, &found) == 2 && found, "two members");
    CHECK(leave(circle, amina) == 1, "one tag left");
    CHECK(members(circle, amina, &found) == 1 && !found, "she has left");
    CHECK(members(djof, amina, &found) == 1 && found, "still in the other");
    CHECK(leave(circle, amina) == 0, "leaving again leaves nothing");
    json_t *m3 = join(circle, amina, 201);
    CHECK(m3 && strcmp(tl_str(m3, "id"), tag1) != 0, "rejoining is a new tag");
    CHECK(members(circle, amina, &found) == 2 && found, "she is back");
    json_decref(m1);
    json_decref(m2);
    json_decref(m3);
    free(tag1);
}

static void
test_members_refused(void) {
    tl_section("members: refused");
    char join_path[128], leave_path[128], unknown[128], body[96];
    snprintf(join_path, sizeof join_path, "/v1/subnetworks/%s/members", circle);
    snprintf(leave_path, sizeof leave_path, "/v1/subnetworks/%s/leave", circle);
    snprintf(unknown, sizeof unknown, "/v1/subnetworks/%s/members", NO_SUCH_ID);
    snprintf(body, sizeof body, "{\"participant_id\":\"%s\"}", NO_SUCH_ID);
    refuse("POST", join_path, body, 404, "not_found", NULL);
    refuse("POST", join_path, "{}", 400, "missing_field", "participant_id");
    refuse("POST", join_path, "{\"participant_id\":\"ABC\"}", 400,
           "invalid_field", "participant_id");
    refuse("POST", join_path, "{\"participant_id\":7}", 400, "invalid_field",
           "participant_id");
    refuse("POST", join_path, "[1]", 400, "bad_json", NULL);
    snprintf(body, sizeof body, "{\"participant_id\":\"%s\",\"x\":1}", leila);
    refuse("POST", join_path, body, 400, "unknown_field", "x");
    snprintf(body, sizeof body,
             "{\"participant_id\":\"%s\",\"joined_at\":\"yesterday\"}", leila);
    refuse("POST", join_path, body, 400, "invalid_field", "joined_at");
    snprintf(body, sizeof body, "{\"participant_id\":\"%s\"}", leila);
    refuse("POST", unknown, body, 404, "not_found", NULL);
    refuse("GET", unknown, NULL, 404, "not_found", NULL);
    refuse("POST", "/v1/subnetworks/xyz/leave", body, 404, "not_found", NULL);
    snprintf(body, sizeof body, "{\"participant_id\":\"%s\",\"when\":1}",
             leila);
    refuse("POST", leave_path, body, 400, "unknown_field", "when");
    refuse("POST", leave_path, "{}", 400, "missing_field", "participant_id");
    refuse("GET", leave_path, NULL, 405, "method_not_allowed", NULL);
    refuse("DELETE", join_path, NULL, 405, "method_not_allowed", NULL);
}

/* ---- outcomes ----------------------------------------------------------- */

static void
test_outcomes(void) {
    tl_section("outcomes: record, get, list; never changed");
    char body[512], path[128];
    snprintf(body, sizeof body,
             "{\"participant_id\":\"%s\",\"date\":\"2026-10-01T00:00:00Z\","
             "\"kind\":\"job\",\"sector\":\"finance\","
             "\"qualifications_match\":\"yes\",\"note\":\"line 1\\nline 2\"}",
             amina);
    char *job = create("/v1/outcomes", body);
    snprintf(body, sizeof body,
             "{\"participant_id\":\"%s\",\"partnership_id\":\"%s\","
             "\"date\":\"2026-11-01T00:00:00Z\",\"kind\":\"danish_improved\"}",
             leila, NO_SUCH_ID);
    free(create("/v1/outcomes", body));
    snprintf(path, sizeof path, "/v1/outcomes/%s", job);
    json_t *o = get(path, 200);
    CHECK(o && strcmp(tl_str(o, "kind"), "job") == 0 &&
              strcmp(tl_str(o, "sector"), "finance") == 0 &&
              strcmp(tl_str(o, "division"), "copenhagen") == 0 &&
              strcmp(tl_str(o, "date"), "2026-10-01T00:00:00.000Z") == 0,
          "the outcome");
    json_decref(o);
    CHECK(items_of("/v1/outcomes") == 2, "two outcomes");
    CHECK(items_of("/v1/outcomes?kind=job") == 1, "one job");
    json_t *st = get("/v1/stats?verify=true", 200);
    json_t *mine = json_object_get(
        json_object_get(json_object_get(st, "outcomes"), "divisions"),
        "copenhagen");
    CHECK(json_integer_value(json_object_get(mine, "job")) == 1 &&
              json_integer_value(json_object_get(mine, "danish_improved")) ==
                  1 &&
              json_is_true(json_object_get(st, "verified")),
          "/v1/stats counts the outcomes by division and kind, verified");
    json_decref(st);
    refuse("PATCH", path, "{\"sector\":\"law\"}", 405, "method_not_allowed",
           NULL);
    free(job);
}

static void
test_outcomes_refused(void) {
    tl_section("outcomes: refused");
    char body[512];
    snprintf(body, sizeof body,
             "{\"participant_id\":\"%s\",\"date\":\"2026-10-01T00:00:00Z\","
             "\"kind\":\"education\",\"sector\":\"law\"}",
             amina);
    refuse("POST", "/v1/outcomes", body, 400, "invalid_field", "sector");
    snprintf(body, sizeof body,
             "{\"participant_id\":\"%s\",\"date\":\"2026-10-01T00:00:00Z\","
             "\"kind\":\"lottery\"}",
             amina);
    refuse("POST", "/v1/outcomes", body, 400, "invalid_field", "kind");
    snprintf(body, sizeof body, "{\"participant_id\":\"%s\",\"kind\":\"job\"}",
             amina);
    refuse("POST", "/v1/outcomes", body, 400, "missing_field", "date");
    refuse("POST", "/v1/outcomes",
           "{\"date\":\"2026-10-01T00:00:00Z\",\"kind\":\"job\"}", 400,
           "missing_field", "participant_id");
    refuse("POST", "/v1/outcomes",
           "{\"participant_id\":\"abc\",\"date\":\"2026-10-01T00:00:00Z\","
           "\"kind\":\"job\"}",
           400, "invalid_field", "participant_id");
    snprintf(body, sizeof body,
             "{\"participant_id\":\"%s\",\"date\":\"2026-10-01T00:00:00Z\","
             "\"kind\":\"job\",\"qualifications_match\":\"maybe\"}",
             amina);
    refuse("POST", "/v1/outcomes", body, 400, "invalid_field",
           "qualifications_match");
    char path[128];
    snprintf(path, sizeof path, "/v1/outcomes/%s", NO_SUCH_ID);
    refuse("GET", path, NULL, 404, "not_found", NULL);
    refuse("GET", "/v1/outcomes?kind=lottery", NULL, 400, "bad_query", "kind");
    refuse("GET", "/v1/outcomes?q=x", NULL, 400, "bad_query", "q");
    refuse("PUT", "/v1/outcomes", "{}", 405, "method_not_allowed", NULL);
}

/* ---- the CLI ------------------------------------------------------------ */

/* Run the CLI against the node with the arguments after the command name
 * (NULL-terminated); the exit code. OUT: *out, its stdout (caller frees),
 * when out is not NULL. */
static int
run(char **out, const char *const *args) {
    return it_cli(&node, cli, false, args, out);
}

static bool
has(const char *haystack, const char *needle) {
    return haystack && strstr(haystack, needle) != NULL;
}

/* The "id" of the JSON object z, or "" (caller frees). */
static char *
json_id(const char *z) {
    json_t *j = z ? json_loads(z, 0, NULL) : NULL;
    char *id = strdup(j ? tl_str(j, "id") : "");
    json_decref(j);
    return id;
}

static void
test_cli_subnetworks(void) {
    tl_section("CLI: subnetwork create, show, list, join, members, leave");
    char *out = NULL;
    const char *create[] = {
        "--json",  "subnetwork", "create",        "--name", "Diversity",
        "--scope", "national",   "--facilitator", "Hanne",  NULL};
    CHECK(run(&out, create) == EXIT_OK, "subnetwork create");
    char *sub = json_id(out);
    free(out);
    CHECK(it_is_id(sub), "create --json prints the new sub-network");
    const char *show[] = {"subnetwork", "show", sub, NULL};
    CHECK(run(&out, show) == EXIT_OK && has(out, "scope:") &&
              has(out, "national"),
          "subnetwork show prints its fields");
    free(out);
    const char *list[] = {"subnetwork", "list", "--scope", "national", NULL};
    CHECK(run(&out, list) == EXIT_OK && has(out, "Diversity"),
          "subnetwork list --scope national");
    free(out);
    const char *join[] = {"subnetwork",       "join", sub,
                          "--participant-id", leila,  NULL};
    CHECK(run(NULL, join) == EXIT_OK, "subnetwork join");
    CHECK(run(NULL, join) == EXIT_OK, "subnetwork join again: a no-op");
    const char *members[] = {"subnetwork", "members", sub, NULL};
    CHECK(run(&out, members) == EXIT_OK && has(out, leila) &&
              has(out, "copenhagen") && !has(out, "Leila"),
          "subnetwork members: her id and division, not her name");
    free(out);
    const char *leave[] = {"subnetwork",       "leave", sub,
                           "--participant-id", leila,   NULL};
    CHECK(run(&out, leave) == EXIT_OK && has(out, "left"), "subnetwork leave");
    free(out);
    CHECK(run(&out, members) == EXIT_OK && has(out, "no members"),
          "no members after she left");
    free(out);
    const char *no_who[] = {"subnetwork", "join", sub, NULL};
    CHECK(run(NULL, no_who) == EXIT_USAGE, "join without --participant-id: 2");
    const char *bad[] = {"subnetwork",       "join", sub,
                         "--participant-id", "x",    NULL};
    CHECK(run(NULL, bad) == EXIT_REFUSED, "join with a bad id: 4");
    const char *unknown[] = {"subnetwork", "show", NO_SUCH_ID, NULL};
    CHECK(run(NULL, unknown) == EXIT_REFUSED, "show of an unknown id: 4");
    free(sub);
}

static void
test_cli_outcomes(void) {
    tl_section("CLI: outcome add, show, list");
    char *out = NULL;
    const char *add[] = {
        "--json",           "outcome",       "add",
        "--participant-id", leila,           "--kind",
        "network_grown",    "--date",        "2026-12-01T00:00:00Z",
        "--note",           "private words", NULL};
    CHECK(run(&out, add) == EXIT_OK, "outcome add");
    char *id = json_id(out);
    free(out);
    const char *show[] = {"outcome", "show", id, NULL};
    CHECK(run(&out, show) == EXIT_OK && has(out, "network_grown"),
          "outcome show");
    free(out);
    const char *list[] = {"outcome", "list", "--kind", "network_grown", NULL};
    CHECK(run(&out, list) == EXIT_OK && has(out, id) &&
              !has(out, "private words"),
          "outcome list: the outcome, never its note");
    free(out);
    const char *missing[] = {"outcome", "add", "--kind", "job", NULL};
    CHECK(run(NULL, missing) == EXIT_REFUSED, "outcome add without fields: 4");
    const char *no_update[] = {"outcome", "update", id, NULL};
    CHECK(run(NULL, no_update) == EXIT_USAGE, "there is no outcome update");
    const char *stats[] = {"stats", NULL};
    CHECK(run(&out, stats) == EXIT_OK && has(out, "outcomes:") &&
              has(out, "network_grown") && !has(out, "private words"),
          "stats shows the outcomes per division and kind");
    free(out);
    const char *help[] = {"outcome", "add", "--help", NULL};
    CHECK(run(&out, help) == EXIT_OK && has(out, "--qualifications-match"),
          "outcome add --help lists the table's fields");
    free(out);
    free(id);
}

/* The lifecycle on one node (division copenhagen is home of both): the
 * answers that are refused, and why; the list's filters. */
static void
test_partnerships(void) {
    tl_section("partnerships: propose, reserve, end; what is refused");
    char body[256], path[160];
    char *mentor =
        create("/v1/participants", "{\"role\":\"mentor\",\"given_name\":\"R\","
                                   "\"family_name\":\"Test\",\"capacity\":1}");
    char *third = participant("Third");
    snprintf(body, sizeof body, "{\"mentee_id\":\"%s\",\"mentor_id\":\"%s\"}",
             amina, mentor);
    char *p1 = create("/v1/partnerships", body);
    snprintf(body, sizeof body, "{\"mentee_id\":\"%s\",\"mentor_id\":\"%s\"}",
             third, mentor);
    char *p2 = create("/v1/partnerships", body);
    snprintf(body, sizeof body, "{\"mentee_id\":\"%s\",\"mentor_id\":\"%s\"}",
             NO_SUCH_ID, mentor);
    refuse("POST", "/v1/partnerships", body, 404, "not_found", NULL);
    snprintf(body, sizeof body, "{\"mentee_id\":\"%s\",\"mentor_id\":\"%s\"}",
             mentor, amina);
    refuse("POST", "/v1/partnerships", body, 409, "conflict", NULL);
    snprintf(body, sizeof body, "{\"mentee_id\":\"%s\"}", amina);
    refuse("POST", "/v1/partnerships", body, 400, "invalid_field", "mentor_id");
    snprintf(body, sizeof body,
             "{\"mentee_id\":\"%s\",\"mentor_id\":\"%s\",\"x\":1}", amina,
             mentor);
    refuse("POST", "/v1/partnerships", body, 400, "unknown_field", "x");
    snprintf(path, sizeof path, "/v1/partnerships/%s/end", p1);
    refuse("POST", path, "{\"state\":\"completed\"}", 409, "illegal_transition",
           NULL);
    snprintf(path, sizeof path, "/v1/partnerships/%s/reserve", p1);
    json_t *j = expect("POST", path, NULL, 200);
    CHECK(j && strcmp(tl_str(j, "state"), "active") == 0,
          "one node home of both answers both sides: active");
    json_decref(j);
    refuse("POST", path, NULL, 409, "illegal_transition", NULL);
    snprintf(path, sizeof path, "/v1/partnerships/%s/reserve", p2);
    refuse("POST", path, NULL, 409, "capacity_full", NULL);
    snprintf(path, sizeof path, "/v1/partnerships/%s/reserve", NO_SUCH_ID);
    refuse("POST", path, NULL, 404, "not_found", NULL);
    snprintf(path, sizeof path, "/v1/partnerships/%s/decline", p2);
    refuse("POST", path, "{\"why\":\"no\"}", 400, "unknown_field", "why");
    refuse("POST", path, "[1]", 400, "bad_json", NULL);
    snprintf(path, sizeof path, "/v1/partnerships/%s/end", p1);
    refuse("POST", path, "{\"state\":\"over\"}", 400, "invalid_field", "state");
    refuse("POST", path, "{\"state\":\"completed\",\"reason\":\"\"}", 400,
           "invalid_field", "reason");
    j = expect("POST", path,
               "{\"state\":\"completed\",\"reason\":\"she found work\"}", 200);
    CHECK(j && strcmp(tl_str(j, "state"), "completed") == 0, "completed");
    json_decref(j);
    snprintf(path, sizeof path, "/v1/partnerships?participant=%s", mentor);
    CHECK(items_of(path) == 2, "the mentor's two partnerships");
    snprintf(path, sizeof path, "/v1/partnerships?participant=%s", amina);
    CHECK(items_of(path) == 1, "the mentee's one");
    CHECK(items_of("/v1/partnerships?state=completed") == 1, "one completed");
    CHECK(items_of("/v1/partnerships?state=proposed") == 1, "one proposed");
    refuse("GET", "/v1/partnerships?state=nope", NULL, 400, "bad_query",
           "state");
    refuse("GET", "/v1/partnerships?participant=nope", NULL, 400, "bad_query",
           "participant");
    refuse("GET", "/v1/partnerships?mentee=nope", NULL, 400, "bad_query",
           "mentee");
    snprintf(path, sizeof path, "/v1/partnerships/%s", NO_SUCH_ID);
    json_decref(get(path, 404));

    tl_section("transfer: what is refused");
    snprintf(path, sizeof path, "/v1/participants/%s/transfer", amina);
    refuse("POST", path, "{\"to\":\"nowhere\"}", 400, "invalid_field", "to");
    refuse("POST", path, "{\"to\":\"copenhagen\"}", 409, "conflict", NULL);
    snprintf(path, sizeof path, "/v1/participants/%s/transfer", NO_SUCH_ID);
    refuse("POST", path, "{\"to\":\"copenhagen\"}", 404, "not_found", NULL);
    free(mentor);
    free(third);
    free(p1);
    free(p2);
}

/* A meeting id the client made: byte 9 (hex 18-19) names division 1, the
 * node's; OTHER_DIV_MEETING names division 2. */
#define MEETING_ID "0190a1b2c3d47e8f9a011c2d3e4f5a6b"
#define OTHER_DIV_MEETING "0190a1b2c3d47e8f9a021c2d3e4f5a6b"

static void
test_meetings(void) {
    tl_section("meetings: PUT with the client's id, again, another body");
    char body[512], other[512], path[128];
    snprintf(body, sizeof body,
             "{\"partnership_id\":\"%s\",\"date\":\"2026-11-20T17:00:00Z\","
             "\"minutes\":\"CV and one application\",\"topics\":[\"job\"],"
             "\"duration_minutes\":120}",
             NO_SUCH_ID);
    snprintf(other, sizeof other,
             "{\"partnership_id\":\"%s\",\"date\":\"2026-11-21T17:00:00Z\"}",
             NO_SUCH_ID);
    snprintf(path, sizeof path, "/v1/meetings/%s", MEETING_ID);
    json_decref(expect("PUT", path, body, 201));
    char *before = it_digest(&node);
    json_t *again = expect("PUT", path, body, 200);
    CHECK(again && strcmp(tl_str(again, "id"), MEETING_ID) == 0 &&
              strcmp(tl_str(again, "minutes"), "CV and one application") == 0,
          "the same PUT again answers the meeting it logged");
    json_decref(again);
    char *after = it_digest(&node);
    CHECK(strcmp(before, after) == 0, "and writes nothing");
    free(before);
    free(after);
    refuse("PUT", path, other, 409, "conflict", NULL);
    snprintf(path, sizeof path, "/v1/meetings/%s", OTHER_DIV_MEETING);
    refuse("PUT", path, body, 400, "invalid_id", NULL);
    refuse("PUT", "/v1/meetings/XYZ", body, 400, "invalid_id", NULL);
    snprintf(path, sizeof path, "/v1/meetings/%s", MEETING_ID);
    refuse("PUT", path,
           "{\"partnership_id\":\"nope\",\"date\":\"2026-11-20T17:00:00Z\"}",
           400, "invalid_field", "partnership_id");
    snprintf(path, sizeof path, "/v1/meetings/%s", NO_SUCH_ID);
    json_decref(get(path, 404));
    snprintf(path, sizeof path, "/v1/meetings?partnership=%s", NO_SUCH_ID);
    CHECK(items_of(path) == 1, "one meeting of the partnership");
    CHECK(items_of("/v1/meetings?partnership=" MEETING_ID) == 0,
          "none of another");
    snprintf(path, sizeof path, "/v1/meetings/%s", MEETING_ID);
    json_t *p = expect("PATCH", path, "{\"duration_minutes\":90}", 200);
    CHECK(p && json_integer_value(json_object_get(p, "duration_minutes")) == 90,
          "PATCH changes it");
    json_decref(p);

    tl_section("CLI: meeting add makes the id, list never shows minutes");
    char *out = NULL;
    const char *add[] = {"--json",
                         "meeting",
                         "add",
                         "--partnership-id",
                         NO_SUCH_ID,
                         "--date",
                         "2026-11-27T17:00:00Z",
                         "--minutes",
                         "private words",
                         NULL};
    CHECK(run(&out, add) == EXIT_OK, "meeting add");
    char *id = json_id(out);
    free(out);
    CHECK(it_is_id(id) && strncmp(id + 18, "01", 2) == 0,
          "an id naming the node's division");
    const char *list[] = {"meeting", "list", "--partnership", NO_SUCH_ID, NULL};
    CHECK(run(&out, list) == EXIT_OK && has(out, id) && has(out, MEETING_ID) &&
              !has(out, "private words"),
          "meeting list: both, never the minutes");
    free(out);
    free(id);
}

/* The node's start-up check takes the new kinds' indexes and statistics,
 * and everything reads back the same. */
static void
test_restart(void) {
    tl_section("a restart: the start-up check passes");
    json_t *before = get("/v1/subnetworks", 200);
    CHECK(it_node_stop(&node) == 0 && it_node_start(&node) == 0,
          "the node restarts");
    json_t *after = get("/v1/subnetworks", 200);
    CHECK(before && json_equal(before, after), "the same sub-networks");
    json_decref(before);
    json_decref(after);
}

int
main(int argc, char **argv) {
    const char *daemon;
    int port;
    it_args(argc, argv, true, &daemon, &port, &cli);
    tl_begin("integration.kinds", WATCHDOG_S);
    if (it_node_create(&node, daemon, port, 64) == 0 &&
        it_node_start(&node) == 0) {
        test_subnetworks();
        test_subnetworks_refused();
        test_members();
        test_members_refused();
        test_outcomes();
        test_outcomes_refused();
        test_cli_subnetworks();
        test_cli_outcomes();
        test_meetings();
        test_partnerships();
        test_restart();
    }
    it_node_destroy(&node);
    free(circle);
    free(djof);
    free(amina);
    free(leila);
    return tl_summary();
}
