/*
 * roles_test — the roles against one real node (README.md, "Roles"):
 * every route of the API called with an admin, a coordinator and a
 * national token, each answer checked against the matrix below, which
 * must also be the README's role table, cell for cell; a coordinator of
 * copenhagen and one of aarhus each seeing the other division's
 * participant by her profile class only; the per-record rules of a
 * coordinator's writes; a revoked token answered 401; tokens kept across
 * a restart; the audit log recording reads of personal fields (token id,
 * participant id, classes, no value) and writes; and the CLI's token and
 * audit commands.
 *
 * The node knows two divisions: copenhagen (its own) and aarhus (a conf
 * beside it, never started). An aarhus participant is made by moving one
 * of copenhagen's to aarhus.
 *
 * Usage: it_roles MENTORNETD PORT MENTORNET
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "node.h"

#define WATCHDOG_S 90
#define NO_SUCH_ID "0190a1b2c3d47e8f9a0b1c2d3e4f5a6b"
#define NO_SUCH_TOKEN "00000000000000aa"
/* Values that must never reach the audit log. */
#define SECRET_NAME "Zuleikha"
#define SECRET_MAIL "zuleikha@example.org"

enum { ADMIN, COORD, NATIONAL, NROLES };

static it_node node;
static const char *cli;
static char auth[NROLES][160];              /* "Bearer <token>" per role */
static char coord_id[32], aarhus_auth[160]; /* the coordinators' */
static char *pid_cph, *pid_aar, *mentor_cph, *pship, *subnet;

/* ---- the matrix -----------------------------------------------------------
 */

/*
 * One row per route: the README's cells (public, yes, own, no) for admin,
 * coordinator and national, and the request that tries it, with the
 * status each role gets. A request the role passes is made so that it
 * leaves the store as it was or changes it harmlessly (a refused body, an
 * unknown id). In paths, %p is copenhagen's participant, %s the
 * partnership, %n the sub-network, %x an unknown id, %t an unknown token.
 */
typedef struct row {
    const char *method, *route;
    const char *cell[NROLES];
    const char *path, *body;
    long status[NROLES];
} row;

/* clang-format off */
static const row matrix[] = {
    {"GET", "/v1/health", {"public", "public", "public"},
     "/v1/health", NULL, {200, 200, 200}},
    {"GET", "/metrics", {"public", "public", "public"},
     "/metrics", NULL, {200, 200, 200}},
    {"GET", "/", {"public", "public", "public"},
     "/", NULL, {200, 200, 200}},
    {"GET", "/web/{id}", {"public", "public", "public"},
     "/web/app.js", NULL, {200, 200, 200}},
    {"GET", "/v1/whoami", {"yes", "yes", "yes"},
     "/v1/whoami", NULL, {200, 200, 200}},
    {"POST", "/v1/participants", {"yes", "own", "no"},
     "/v1/participants",
     "{\"role\":\"mentor\",\"given_name\":\"A\",\"family_name\":\"B\"}",
     {201, 201, 403}},
    {"GET", "/v1/participants", {"yes", "yes", "no"},
     "/v1/participants", NULL, {200, 200, 403}},
    {"GET", "/v1/participants/{id}", {"yes", "yes", "no"},
     "/v1/participants/%p", NULL, {200, 200, 403}},
    {"PATCH", "/v1/participants/{id}", {"yes", "own", "no"},
     "/v1/participants/%p", "{\"status\":\"waiting\"}", {200, 200, 403}},
    {"POST", "/v1/participants/{id}/transfer", {"yes", "own", "no"},
     "/v1/participants/%p/transfer", "{\"to\":\"nowhere\"}", {400, 400, 403}},
    {"GET", "/v1/participants/{id}/export", {"yes", "own", "no"},
     "/v1/participants/%p/export", NULL, {200, 200, 403}},
    {"DELETE", "/v1/participants/{id}/consent", {"yes", "own", "no"},
     "/v1/participants/%x/consent", NULL, {404, 404, 403}},
    {"DELETE", "/v1/participants/{id}", {"yes", "own", "no"},
     "/v1/participants/%x", NULL, {404, 404, 403}},
    {"GET", "/v1/erasures/{id}", {"yes", "yes", "no"},
     "/v1/erasures/%p", NULL, {404, 404, 403}},
    {"POST", "/v1/partnerships", {"yes", "own", "no"},
     "/v1/partnerships", "{\"mentee_id\":\"x\"}", {400, 400, 403}},
    {"GET", "/v1/partnerships", {"yes", "yes", "no"},
     "/v1/partnerships", NULL, {200, 200, 403}},
    {"POST", "/v1/partnerships/expire", {"yes", "own", "no"},
     "/v1/partnerships/expire", NULL, {200, 200, 403}},
    {"GET", "/v1/partnerships/{id}", {"yes", "yes", "no"},
     "/v1/partnerships/%s", NULL, {200, 200, 403}},
    {"POST", "/v1/partnerships/{id}/reserve", {"yes", "own", "no"},
     "/v1/partnerships/%x/reserve", NULL, {404, 404, 403}},
    {"POST", "/v1/partnerships/{id}/decline", {"yes", "own", "no"},
     "/v1/partnerships/%x/decline", NULL, {404, 404, 403}},
    {"POST", "/v1/partnerships/{id}/end", {"yes", "own", "no"},
     "/v1/partnerships/%x/end", "{\"state\":\"completed\"}", {404, 404, 403}},
    {"POST", "/v1/import", {"yes", "own", "no"},
     "/v1/import", "{}\n", {400, 400, 403}},
    {"GET", "/v1/stats", {"yes", "yes", "yes"},
     "/v1/stats", NULL, {200, 200, 200}},
    {"GET", "/v1/digest", {"yes", "yes", "yes"},
     "/v1/digest", NULL, {200, 200, 200}},
    {"GET", "/v1/replication", {"yes", "yes", "yes"},
     "/v1/replication", NULL, {200, 200, 200}},
    {"GET", "/v1/conflicts", {"yes", "no", "no"},
     "/v1/conflicts", NULL, {200, 403, 403}},
    {"GET", "/v1/backup", {"yes", "no", "no"},
     "/v1/backup", NULL, {200, 403, 403}},
    {"POST", "/v1/subnetworks", {"yes", "own", "no"},
     "/v1/subnetworks", "{}", {400, 400, 403}},
    {"GET", "/v1/subnetworks", {"yes", "yes", "no"},
     "/v1/subnetworks", NULL, {200, 200, 403}},
    {"GET", "/v1/subnetworks/{id}", {"yes", "yes", "no"},
     "/v1/subnetworks/%n", NULL, {200, 200, 403}},
    {"PATCH", "/v1/subnetworks/{id}", {"yes", "own", "no"},
     "/v1/subnetworks/%n", "{}", {400, 400, 403}},
    {"POST", "/v1/subnetworks/{id}/members", {"yes", "own", "no"},
     "/v1/subnetworks/%n/members", "{}", {400, 400, 403}},
    {"GET", "/v1/subnetworks/{id}/members", {"yes", "yes", "no"},
     "/v1/subnetworks/%n/members", NULL, {200, 200, 403}},
    {"POST", "/v1/subnetworks/{id}/leave", {"yes", "own", "no"},
     "/v1/subnetworks/%n/leave", "{}", {400, 400, 403}},
    {"PUT", "/v1/meetings/{id}", {"yes", "own", "no"},
     "/v1/meetings/XYZ", "{}", {400, 400, 403}},
    {"GET", "/v1/meetings", {"yes", "yes", "no"},
     "/v1/meetings", NULL, {200, 200, 403}},
    {"GET", "/v1/meetings/{id}", {"yes", "yes", "no"},
     "/v1/meetings/%x", NULL, {404, 404, 403}},
    {"PATCH", "/v1/meetings/{id}", {"yes", "own", "no"},
     "/v1/meetings/%x", "{\"minutes\":\"x\"}", {404, 404, 403}},
    {"POST", "/v1/outcomes", {"yes", "own", "no"},
     "/v1/outcomes", "{}", {400, 400, 403}},
    {"GET", "/v1/outcomes", {"yes", "yes", "no"},
     "/v1/outcomes", NULL, {200, 200, 403}},
    {"GET", "/v1/outcomes/{id}", {"yes", "yes", "no"},
     "/v1/outcomes/%x", NULL, {404, 404, 403}},
    {"PATCH", "/v1/outcomes/{id}", {"yes", "own", "no"},
     "/v1/outcomes/%x", "{\"note\":\"x\"}", {405, 405, 403}},
    {"GET", "/v1/matching/suggestions", {"yes", "yes", "no"},
     "/v1/matching/suggestions", NULL, {400, 400, 403}},
    {"POST", "/v1/matching/plan", {"yes", "yes", "no"},
     "/v1/matching/plan", "{\"scope\":\"division\"}", {200, 200, 403}},
    {"POST", "/v1/tokens", {"yes", "no", "no"},
     "/v1/tokens", "{\"role\":\"king\"}", {400, 403, 403}},
    {"GET", "/v1/tokens", {"yes", "no", "no"},
     "/v1/tokens", NULL, {200, 403, 403}},
    {"POST", "/v1/tokens/{id}/revoke", {"yes", "no", "no"},
     "/v1/tokens/%t/revoke", NULL, {404, 403, 403}},
    {"GET", "/v1/audit", {"yes", "no", "no"},
     "/v1/audit", NULL, {200, 403, 403}},
};
/* clang-format on */

/* ---- requests -------------------------------------------------------------
 */

/* Send method path body with the Authorization header value a. */
static long
send_as(const char *a, const char *method, const char *path, const char *body,
        tl_resp *r) {
    bool ndjson = strcmp(path, "/v1/import") == 0;
    tl_request rq = {.method = method, .path = path, .auth = a};
    if (body) {
        rq.ctype = ndjson ? "application/x-ndjson" : "application/json";
        rq.body = body;
        rq.len = strlen(body);
    }
    return it_http(&node, &rq, r);
}

/* Send and expect status; the answer's JSON (new reference) or NULL. */
static json_t *
expect_as(const char *a, const char *method, const char *path, const char *body,
          long status) {
    tl_resp r;
    send_as(a, method, path, body, &r);
    CHECK(r.status == status, "%s %s: status %ld, want %ld (%s)", method, path,
          r.status, status, r.body ? r.body : "");
    json_t *j = r.json ? json_incref(r.json) : NULL;
    tl_resp_release(&r);
    return j;
}

/* Make a token with body as admin; OUT: its "Bearer" header value and id
 * (either may be NULL). */
static void
make_token(const char *body, char *bearer, size_t cap, char *id, size_t idcap) {
    json_t *j = expect_as(auth[ADMIN], "POST", "/v1/tokens", body, 201);
    if (bearer)
        snprintf(bearer, cap, "Bearer %s", j ? tl_str(j, "token") : "");
    if (id)
        snprintf(id, idcap, "%s", j ? tl_str(j, "id") : "");
    json_decref(j);
}

/* Create a participant as admin; her id (caller frees). */
static char *
make_participant(const char *body) {
    json_t *j = expect_as(auth[ADMIN], "POST", "/v1/participants", body, 201);
    char *id = strdup(j ? tl_str(j, "id") : "");
    json_decref(j);
    return id;
}

/* The row's request path with its placeholders filled in. */
static void
fill_path(const char *tmpl, char *out, size_t cap) {
    size_t n = 0;
    for (const char *z = tmpl; *z && n + 40 < cap; z++) {
        const char *v = NULL;
        if (z[0] == '%' && z[1]) {
            v = z[1] == 'p'   ? pid_cph
                : z[1] == 's' ? pship
                : z[1] == 'n' ? subnet
                : z[1] == 'x' ? NO_SUCH_ID
                              : NO_SUCH_TOKEN;
            z++;
        }
        n += (size_t)snprintf(out + n, cap - n, "%s", v ? v : "");
        if (!v)
            out[n++] = *z, out[n] = '\0';
    }
}

/* ---- setup ----------------------------------------------------------------
 */

/* aarhus.conf beside the node's conf (never started), with its keys. */
static int
add_aarhus(void) {
    char conf[4300];
    char *err = NULL;
    snprintf(conf, sizeof conf, "%s/aarhus.conf", node.dir);
    tl_conf c = {.written_by = "written by roles_test",
                 .id = 2,
                 .name = "aarhus",
                 .display_name = "Aarhus",
                 .data_dir = "data-aarhus",
                 .map_mb = 16,
                 .sync = false,
                 .http_port = node.http_port + 2,
                 .repl_port = node.http_port + 3,
                 .key_dir = "keys"};
    if (!CHECK(tl_conf_write(conf, &c) == 0, "write %s", conf))
        return -1;
    const char *argv[] = {node.daemon, "--keygen", "--config", conf, NULL};
    int rc = tl_run(argv, NULL, 30, NULL, NULL, &err);
    CHECK(rc == 0, "keygen aarhus: %s", err ? err : "");
    free(err);
    return rc;
}

static void
setup_world(void) {
    tl_section("setup: tokens, participants of two divisions");
    snprintf(auth[ADMIN], sizeof auth[ADMIN], "Bearer %s", node.token);
    make_token("{\"role\":\"coordinator\",\"name\":\"Coordinator CPH\"}",
               auth[COORD], sizeof auth[COORD], coord_id, sizeof coord_id);
    make_token("{\"role\":\"national\",\"name\":\"National office\"}",
               auth[NATIONAL], sizeof auth[NATIONAL], NULL, 0);
    make_token("{\"role\":\"coordinator\",\"division\":\"aarhus\","
               "\"name\":\"Coordinator AAR\"}",
               aarhus_auth, sizeof aarhus_auth, NULL, 0);
    pid_cph = make_participant(
        "{\"role\":\"mentee\",\"given_name\":\"" SECRET_NAME "\","
        "\"family_name\":\"Haddad\",\"email\":\"" SECRET_MAIL "\","
        "\"consent\":{\"purposes\":[\"statistics\"],\"given_at\":\"2026-11-"
        "26T10:00:00Z\"},"
        "\"country_of_origin\":\"SY\",\"notes\":\"private\"}");
    mentor_cph = make_participant(
        "{\"role\":\"mentor\",\"given_name\":\"Inge\",\"family_name\":\"Holm\","
        "\"capacity\":2}");
    pid_aar = make_participant(
        "{\"role\":\"mentee\",\"given_name\":\"Leila\",\"family_name\":"
        "\"Nour\","
        "\"consent\":{\"purposes\":[\"statistics\"],\"given_at\":\"2026-11-"
        "26T10:00:00Z\"},"
        "\"country_of_origin\":\"IR\",\"background\":\"refugee\"}");
    char path[128], body[128];
    snprintf(path, sizeof path, "/v1/participants/%s/transfer", pid_aar);
    json_decref(
        expect_as(auth[ADMIN], "POST", path, "{\"to\":\"aarhus\"}", 200));
    snprintf(body, sizeof body, "{\"mentee_id\":\"%s\",\"mentor_id\":\"%s\"}",
             pid_cph, mentor_cph);
    json_t *j = expect_as(auth[ADMIN], "POST", "/v1/partnerships", body, 201);
    pship = strdup(j ? tl_str(j, "id") : "");
    json_decref(j);
    j = expect_as(auth[ADMIN], "POST", "/v1/subnetworks",
                  "{\"name\":\"Literary circle\"}", 201);
    subnet = strdup(j ? tl_str(j, "id") : "");
    json_decref(j);
}

/* ---- the matrix, against the node and the README --------------------------
 */

static void
test_matrix(void) {
    tl_section("every route with every role");
    static const char *const names[] = {"admin", "coordinator", "national"};
    char path[256];
    for (size_t i = 0; i < sizeof matrix / sizeof matrix[0]; i++) {
        const row *w = &matrix[i];
        fill_path(w->path, path, sizeof path);
        for (int role = 0; role < NROLES; role++) {
            tl_resp r;
            send_as(auth[role], w->method, path, w->body, &r);
            CHECK(r.status == w->status[role],
                  "%s %s as %s: %ld, want %ld (%s)", w->method, w->route,
                  names[role], r.status, w->status[role],
                  r.body && r.len < 300 ? r.body : "");
            if (w->status[role] == 403)
                CHECK(strcmp(it_error_code(&r), "forbidden") == 0,
                      "%s %s as %s: code forbidden", w->method, w->route,
                      names[role]);
            tl_resp_release(&r);
        }
    }
}

/* The README's "## Roles" table rows, "| `METHOD path` | a | c | n |", in
 * order, each as "METHOD path|a|c|n" (caller frees each and the array). */
static char **
readme_rows(size_t *n) {
    FILE *f = fopen(MN_README, "r");
    char line[512];
    bool in = false;
    char **rows = calloc(128, sizeof *rows);
    *n = 0;
    while (f && fgets(line, sizeof line, f) && *n < 128) {
        if (strncmp(line, "## ", 3) == 0)
            in = strncmp(line, "## Roles", 8) == 0;
        char m[16], route[128], a[16], c[16], nat[16];
        if (in && sscanf(line, "| `%15s %127[^`]` | %15s | %15s | %15s |", m,
                         route, a, c, nat) == 5) {
            char buf[256];
            snprintf(buf, sizeof buf, "%s %s|%s|%s|%s", m, route, a, c, nat);
            rows[(*n)++] = strdup(buf);
        }
    }
    if (f)
        fclose(f);
    return rows;
}

static void
test_readme(void) {
    tl_section("the README's role table is the matrix");
    size_t n, want = sizeof matrix / sizeof matrix[0];
    char **rows = readme_rows(&n);
    CHECK(n == want, "README: %zu rows, the matrix %zu", n, want);
    for (size_t i = 0; i < n && i < want; i++) {
        char buf[256];
        const row *w = &matrix[i];
        snprintf(buf, sizeof buf, "%s %s|%s|%s|%s", w->method, w->route,
                 w->cell[0], w->cell[1], w->cell[2]);
        CHECK(strcmp(rows[i], buf) == 0, "README row %zu: '%s', want '%s'", i,
              rows[i], buf);
    }
    for (size_t i = 0; i < n; i++)
        free(rows[i]);
    free(rows);
}

/* ---- what a coordinator sees and may do -----------------------------------
 */

static bool
has_key(const json_t *j, const char *key) {
    return json_object_get(j, key) != NULL;
}

/* GET participant id as a: its fields in full, or its profile only. */
static void
sees(const char *a, const char *id, bool full, const char *who) {
    static const char *const hidden[] = {
        "given_name", "family_name",       "email",     "phone",
        "notes",      "country_of_origin", "background"};
    char path[128];
    snprintf(path, sizeof path, "/v1/participants/%s", id);
    json_t *j = expect_as(a, "GET", path, NULL, 200);
    CHECK(has_key(j, "role") && has_key(j, "status") &&
              has_key(j, "home_division"),
          "%s: the profile fields", who);
    if (full)
        CHECK(has_key(j, "given_name") && has_key(j, "country_of_origin"),
              "%s: her personal and special fields", who);
    for (size_t i = 0; !full && i < sizeof hidden / sizeof hidden[0]; i++)
        CHECK(!has_key(j, hidden[i]), "%s: no %s", who, hidden[i]);
    json_decref(j);
}

/* Participant id moved to aarhus: her name is sealed to aarhus, so this
 * node shows none, even to its admin (README "Compartments"). */
static void
sealed_here(const char *id) {
    char path[128];
    snprintf(path, sizeof path, "/v1/participants/%s", id);
    json_t *j = expect_as(auth[ADMIN], "GET", path, NULL, 200);
    CHECK(json_is_null(json_object_get(j, "given_name")) &&
              json_is_null(json_object_get(j, "country_of_origin")),
          "copenhagen's node shows no name or country of aarhus's");
    json_decref(j);
}

static void
test_coordinator_view(void) {
    tl_section("a coordinator: her division in full, others' profile only");
    sees(auth[COORD], pid_cph, true, "copenhagen sees copenhagen's");
    sees(auth[COORD], pid_aar, false, "copenhagen sees aarhus's");
    sees(aarhus_auth, pid_aar, true, "aarhus sees aarhus's");
    sees(aarhus_auth, pid_cph, false, "aarhus sees copenhagen's");
    sees(auth[ADMIN], pid_aar, true, "admin sees aarhus's");
    sealed_here(pid_aar);
    json_t *j =
        expect_as(auth[COORD], "GET", "/v1/participants?limit=500", NULL, 200);
    const json_t *items = json_object_get(j, "items");
    size_t named = 0;
    for (size_t i = 0; i < json_array_size(items); i++)
        named += has_key(json_array_get(items, i), "given_name");
    CHECK(json_array_size(items) >= 3 && named == json_array_size(items) - 1,
          "the list hides the names of aarhus's participant only (%zu of %zu)",
          named, json_array_size(items));
    json_decref(j);
    /* q searches names: it finds another division's participant for no
     * coordinator, lest her name be guessed; and since her transfer her
     * name is sealed to aarhus (README "Compartments"), so this node
     * cannot search it for anyone. */
    static const char *const who[] = {"copenhagen", "aarhus", "admin"};
    const char *as[] = {auth[COORD], aarhus_auth, auth[ADMIN]};
    const size_t want[] = {0, 0, 0};
    for (size_t i = 0; i < 3; i++) {
        j = expect_as(as[i], "GET", "/v1/participants?q=leila", NULL, 200);
        CHECK(json_array_size(json_object_get(j, "items")) == want[i],
              "q=leila as %s: %zu found", who[i], want[i]);
        json_decref(j);
    }
}

static void
test_coordinator_writes(void) {
    tl_section("a coordinator writes her own division's records only");
    char path[128], body[160];
    snprintf(path, sizeof path, "/v1/participants/%s", pid_aar);
    json_t *j = expect_as(auth[COORD], "PATCH", path, "{\"notes\":\"x\"}", 403);
    CHECK(strcmp(tl_str(json_object_get(j, "error"), "code"), "forbidden") == 0,
          "code forbidden");
    json_decref(j);
    snprintf(body, sizeof body, "{\"mentee_id\":\"%s\",\"mentor_id\":\"%s\"}",
             pid_aar, pid_aar);
    json_decref(expect_as(auth[COORD], "POST", "/v1/partnerships", body, 403));
    snprintf(body, sizeof body,
             "{\"participant_id\":\"%s\",\"kind\":\"job\","
             "\"date\":\"2026-11-01T00:00:00Z\",\"sector\":\"it\","
             "\"qualifications_match\":\"yes\"}",
             pid_aar);
    json_decref(expect_as(auth[COORD], "POST", "/v1/outcomes", body, 403));
    /* aarhus's coordinator reads here, but writes only on her own node. */
    snprintf(path, sizeof path, "/v1/participants/%s", pid_aar);
    json_decref(
        expect_as(aarhus_auth, "PATCH", path, "{\"notes\":\"x\"}", 403));
    /* A plan is a POST that writes nothing: any node's coordinator. */
    json_decref(expect_as(aarhus_auth, "POST", "/v1/matching/plan", "{}", 200));
    json_decref(expect_as(aarhus_auth, "POST", "/v1/participants",
                          "{\"role\":\"mentor\",\"given_name\":\"A\","
                          "\"family_name\":\"B\"}",
                          403));
    json_decref(expect_as(auth[ADMIN], "POST", "/v1/tokens",
                          "{\"role\":\"coordinator\",\"division\":\"nowhere\"}",
                          400));
    json_decref(expect_as(auth[ADMIN], "POST", "/v1/tokens",
                          "{\"role\":\"national\",\"division\":\"aarhus\"}",
                          400));
}

static void
test_national(void) {
    tl_section("national: statistics only");
    char path[128];
    snprintf(path, sizeof path, "/v1/participants/%s", pid_cph);
    tl_resp r;
    send_as(auth[NATIONAL], "GET", path, NULL, &r);
    CHECK(r.status == 403 && strcmp(it_error_code(&r), "forbidden") == 0,
          "a person: 403 forbidden");
    CHECK(r.body && !strstr(r.body, SECRET_NAME), "no name in the answer");
    tl_resp_release(&r);
    json_t *j = expect_as(auth[NATIONAL], "GET", "/v1/stats", NULL, 200);
    CHECK(j && json_is_true(json_object_get(j, "suppressed")) &&
              !json_object_get(j, "divisions"),
          "the stats, small cells suppressed, no per-division detail");
    json_decref(j);
}

/* ---- tokens ---------------------------------------------------------------
 */

static void
test_revoke(void) {
    tl_section("a revoked token is refused; tokens survive a restart");
    char bearer[160], id[32], path[128];
    make_token("{\"role\":\"national\"}", bearer, sizeof bearer, id, sizeof id);
    json_decref(expect_as(bearer, "GET", "/v1/stats", NULL, 200));
    snprintf(path, sizeof path, "/v1/tokens/%s/revoke", id);
    json_t *j = expect_as(auth[ADMIN], "POST", path, NULL, 200);
    CHECK(j && json_is_true(json_object_get(j, "revoked")), "revoked");
    json_decref(j);
    json_decref(expect_as(bearer, "GET", "/v1/stats", NULL, 401));
    j = expect_as(auth[ADMIN], "GET", "/v1/audit?token=admin&limit=1000", NULL,
                  200);
    bool logged = false;
    for (size_t i = 0; i < json_array_size(json_object_get(j, "items")); i++) {
        const json_t *e = json_array_get(json_object_get(j, "items"), i);
        logged |=
            strcmp(tl_str(e, "kind"), "token") == 0 &&
            strcmp(tl_str(e, "id"), id) == 0 &&
            strcmp(tl_str(e, "endpoint"), "POST /v1/tokens/{id}/revoke") == 0;
    }
    CHECK(logged, "the revoke is in the audit log, with the token's id");
    json_decref(j);
    j = expect_as(auth[ADMIN], "GET", "/v1/tokens", NULL, 200);
    const char *dump = j ? json_dumps(j, 0) : NULL;
    CHECK(dump && strstr(dump, id) && !strstr(dump, "\"token\""),
          "listed, without any token's text");
    free((void *)dump);
    json_decref(j);
    it_node_stop(&node);
    if (it_node_start(&node) != 0)
        return;
    json_decref(expect_as(auth[COORD], "GET", "/v1/participants", NULL, 200));
    json_decref(expect_as(bearer, "GET", "/v1/stats", NULL, 401));
    json_decref(
        expect_as(auth[NATIONAL], "GET", "/v1/participants", NULL, 403));
}

/* ---- the audit log --------------------------------------------------------
 */

/* Every byte of the day files in <data_dir>/audit, joined (caller frees). */
static char *
audit_files(void) {
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "cat %s/audit/*.jsonl", node.data_dir);
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    char *out = NULL;
    tl_run(argv, NULL, 10, &out, NULL, NULL);
    return out ? out : strdup("");
}

static void
test_audit(void) {
    tl_section("the audit log: reads of personal fields, writes, no values");
    char path[256];
    snprintf(path, sizeof path, "/v1/participants/%s", pid_cph);
    json_decref(expect_as(auth[COORD], "GET", path, NULL, 200));
    json_decref(expect_as(auth[COORD], "PATCH", path,
                          "{\"notes\":\"met on " SECRET_NAME "'s day\"}", 200));
    snprintf(path, sizeof path, "/v1/audit?participant=%s&token=%s", pid_cph,
             coord_id);
    json_t *j = expect_as(auth[ADMIN], "GET", path, NULL, 200);
    const json_t *items = json_object_get(j, "items");
    bool read = false, wrote = false;
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *e = json_array_get(items, i);
        const char *cls = json_dumps(json_object_get(e, "classes"), 0);
        read |=
            strcmp(tl_str(e, "action"), "read") == 0 &&
            strcmp(tl_str(e, "endpoint"), "GET /v1/participants/{id}") == 0 &&
            strcmp(tl_str(e, "name"), "Coordinator CPH") == 0 && cls &&
            strstr(cls, "personal") && strstr(cls, "special");
        wrote |=
            strcmp(tl_str(e, "action"), "write") == 0 &&
            strcmp(tl_str(e, "endpoint"), "PATCH /v1/participants/{id}") == 0 &&
            json_integer_value(json_object_get(e, "status")) == 200;
        free((void *)cls);
    }
    CHECK(read, "a read of her personal and special fields, by the token");
    CHECK(wrote, "the write");
    json_decref(j);
    /* A write refused for the token's role is logged too. */
    j = expect_as(auth[ADMIN], "GET", "/v1/audit?limit=1000", NULL, 200);
    bool refused = false;
    for (size_t i = 0; i < json_array_size(json_object_get(j, "items")); i++) {
        const json_t *e = json_array_get(json_object_get(j, "items"), i);
        refused |= strcmp(tl_str(e, "role"), "national") == 0 &&
                   strcmp(tl_str(e, "action"), "write") == 0 &&
                   json_integer_value(json_object_get(e, "status")) == 403;
    }
    CHECK(refused, "the national token's refused writes");
    json_decref(j);
    snprintf(path, sizeof path, "/v1/audit?participant=%s", pid_aar);
    j = expect_as(auth[ADMIN], "GET", path, NULL, 200);
    CHECK(json_array_size(json_object_get(j, "items")) > 0,
          "aarhus's participant: entries (admin's and aarhus's reads)");
    json_decref(j);
    json_decref(
        expect_as(auth[ADMIN], "GET", "/v1/audit?since=yesterday", NULL, 400));
    json_decref(expect_as(auth[ADMIN], "GET", "/v1/audit?limit=1", NULL, 200));
    char *all = audit_files();
    CHECK(strstr(all, coord_id) && strstr(all, pid_cph), "ids in the files");
    CHECK(!strstr(all, SECRET_NAME) && !strstr(all, SECRET_MAIL) &&
              !strstr(all, "Haddad"),
          "no value in the files");
    free(all);
}

/* ---- the CLI --------------------------------------------------------------
 */

/* Run the CLI with the admin token; exit code; OUT: *out its stdout. */
static int
run(char **out, const char *const *args) {
    return it_cli(&node, cli, false, args, out);
}

static void
test_cli(void) {
    tl_section("the CLI: token create, list, revoke; audit");
    char *out = NULL;
    const char *create[] = {"--json",          "token",       "create",
                            "--role",          "coordinator", "--name",
                            "CLI coordinator", NULL};
    CHECK(run(&out, create) == 0, "token create exits 0");
    json_t *j = out ? json_loads(out, 0, NULL) : NULL;
    char id[32];
    snprintf(id, sizeof id, "%s", j ? tl_str(j, "id") : "");
    CHECK(strlen(tl_str(j, "token")) == 81, "the token, once");
    CHECK(strcmp(tl_str(j, "division"), "copenhagen") == 0,
          "the node's division by default");
    json_decref(j);
    free(out);
    const char *list[] = {"token", "list", NULL};
    CHECK(run(&out, list) == 0 && out && strstr(out, id) &&
              strstr(out, "CLI coordinator"),
          "token list shows it");
    free(out);
    const char *revoke[] = {"token", "revoke", id, NULL};
    CHECK(run(NULL, revoke) == 0, "token revoke exits 0");
    const char *bad[] = {"token",      "create",  "--role", "coordinator",
                         "--division", "nowhere", NULL};
    CHECK(run(NULL, bad) == 4, "a division that does not exist: exit 4");
    const char *norole[] = {"token", "create", NULL};
    CHECK(run(NULL, norole) == 2, "no --role: exit 2");
    const char *audit[] = {"audit", "--participant", pid_cph, NULL};
    CHECK(run(&out, audit) == 0 && out && strstr(out, coord_id) &&
              !strstr(out, SECRET_NAME),
          "audit --participant shows the coordinator's reads, no value");
    free(out);
}

int
main(int argc, char **argv) {
    const char *daemon;
    int port;
    it_args(argc, argv, true, &daemon, &port, &cli);
    tl_begin("integration.roles", WATCHDOG_S);
    if (it_node_create(&node, daemon, port, 64) == 0 && add_aarhus() == 0 &&
        it_node_start(&node) == 0) {
        setup_world();
        test_readme();
        test_matrix();
        test_coordinator_view();
        test_coordinator_writes();
        test_national();
        test_audit();
        test_revoke();
        test_cli();
    }
    it_node_destroy(&node);
    free(pid_cph);
    free(pid_aar);
    free(mentor_cph);
    free(pship);
    free(subnet);
    return tl_summary();
}
