/*
 * privacy_test — a participant's access, portability and consent against
 * one real node (README "Access and export", "Consent"):
 *
 * - GET /v1/participants/{id}/export answers her record in clear, her
 *   partnerships, their meetings, the outcomes about her, her memberships
 *   and the audit entries about her, with exported_at, node, digest and
 *   version vector; reading it is audited as a read of every class;
 * - it is refused on a node that is not her home (409 not_home), to the
 *   national role and another division's coordinator (403), for a bad id
 *   (400 invalid_id) and an unknown one (404);
 * - `mentornet participant export ID [--out FILE] [--force]`: a 0600 file,
 *   never overwritten without --force;
 * - a special field is refused without her consent (400
 *   consent_required), accepted with it (given now or stored), and
 *   DELETE /v1/participants/{id}/consent clears consent and both special
 *   fields in one change (also `mentornet participant consent-withdraw`).
 *
 * Every refusal leaves the digest as it was. The node is copenhagen; an
 * aarhus conf beside it (never started) makes aarhus a division, so a
 * participant moved there is one whose home is another node.
 *
 * Usage: it_privacy MENTORNETD PORT MENTORNET
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "node.h"

#define WATCHDOG_S 90
#define NO_SUCH_ID "0190a1b2c3d47e8f9a0b1c2d3e4f5a6b"
/* A meeting id the client makes: byte 9 names copenhagen (division 1). */
#define MEETING_ID "0190a1b2c3d47e8f9a011c2d3e4f5a7c"
#define CONSENT                                                                \
    "\"consent\":{\"purposes\":[\"matching\",\"statistics\"],"                 \
    "\"given_at\":\"2026-11-26T10:00:00Z\"}"
#define EXIT_OK 0
#define EXIT_USAGE 2

static it_node node;
static const char *cli;
static char coord[160], national[160], aarhus[160]; /* "Bearer <token>" */
static char her[40], mentor[40], pship[40], moved[40], bare[40];

/* ---- requests ------------------------------------------------------------ */

/* method path body as the Authorization header a (NULL: the admin's);
 * the answer's JSON (new reference) when it is status, else NULL. */
static json_t *
expect_as(const char *a, const char *method, const char *path, const char *body,
          long status) {
    tl_request rq = {.method = method, .path = path, .auth = a};
    tl_resp r;
    if (body) {
        rq.ctype = "application/json";
        rq.body = body;
        rq.len = strlen(body);
    }
    it_http(&node, &rq, &r);
    CHECK(r.status == status, "%s %s: %ld, want %ld (%s)", method, path,
          r.status, status, r.body ? r.body : "");
    json_t *j = r.status == status && r.json ? json_incref(r.json) : NULL;
    tl_resp_release(&r);
    return j;
}

/* As it_refuse, as the Authorization header a. */
static void
refuse_as(const char *a, const char *method, const char *path, long status,
          const char *code) {
    char *before = it_digest(&node);
    tl_request rq = {.method = method, .path = path, .auth = a};
    tl_resp r;
    it_http(&node, &rq, &r);
    CHECK(r.status == status && strcmp(it_error_code(&r), code) == 0,
          "%s %s: %ld %s, want %ld %s", method, path, r.status,
          it_error_code(&r), status, code);
    CHECK(it_error_message(&r)[0] != '\0', "%s %s: a message", method, path);
    tl_resp_release(&r);
    char *after = it_digest(&node);
    CHECK(strcmp(before, after) == 0, "%s %s: the digest is unchanged", method,
          path);
    free(before);
    free(after);
}

/* Create with body as admin; OUT: id (33 bytes at least). */
static void
create(const char *path, const char *body, char *id) {
    json_t *j = expect_as(NULL, "POST", path, body, 201);
    snprintf(id, 33, "%s", j ? tl_str(j, "id") : "");
    json_decref(j);
}

static char *
export_path(const char *id, const char *what) {
    static char path[160];
    snprintf(path, sizeof path, "/v1/participants/%s/%s", id, what);
    return path;
}

/* The changes copenhagen's node has made (its vector entry). */
static json_int_t
own_changes(void) {
    json_t *d = it_get_json(&node, "/v1/digest");
    json_int_t n = json_integer_value(
        json_object_get(json_object_get(d, "version_vector"), "copenhagen"));
    json_decref(d);
    return n;
}

/* ---- setup --------------------------------------------------------------- */

/* aarhus.conf beside the node's conf (never started), with its keys. */
static int
add_aarhus(void) {
    char conf[4300];
    char *err = NULL;
    snprintf(conf, sizeof conf, "%s/aarhus.conf", node.dir);
    tl_conf c = {.written_by = "written by privacy_test",
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
make_token(const char *body, char *bearer, size_t cap) {
    json_t *j = expect_as(NULL, "POST", "/v1/tokens", body, 201);
    snprintf(bearer, cap, "Bearer %s", j ? tl_str(j, "token") : "");
    json_decref(j);
}

static int
cli_run(char **out, const char *const *args) {
    return it_cli(&node, cli, false, args, out);
}

/* Her, a mentor, their partnership with a meeting, an outcome about her,
 * a sub-network she joined; a participant moved to aarhus. */
static void
setup_world(void) {
    char body[512], id[40];
    tl_section("setup: tokens, her record and what refers to her");
    make_token("{\"role\":\"coordinator\"}", coord, sizeof coord);
    make_token("{\"role\":\"national\"}", national, sizeof national);
    make_token("{\"role\":\"coordinator\",\"division\":\"aarhus\"}", aarhus,
               sizeof aarhus);
    create("/v1/participants",
           "{\"role\":\"mentee\",\"given_name\":\"Amina\",\"family_name\":"
           "\"Haddad\",\"email\":\"amina@example.org\",\"notes\":\"n\","
           "\"country_of_origin\":\"SY\",\"background\":\"refugee\"," CONSENT
           "}",
           her);
    create("/v1/participants",
           "{\"role\":\"mentor\",\"given_name\":\"Inge\",\"family_name\":"
           "\"Holm\",\"capacity\":2}",
           mentor);
    snprintf(body, sizeof body, "{\"mentee_id\":\"%s\",\"mentor_id\":\"%s\"}",
             her, mentor);
    create("/v1/partnerships", body, pship);
    snprintf(body, sizeof body,
             "{\"partnership_id\":\"%s\",\"date\":\"2026-11-27T17:00:00Z\","
             "\"minutes\":\"we met\"}",
             pship);
    json_decref(expect_as(NULL, "PUT", "/v1/meetings/" MEETING_ID, body, 201));
    snprintf(body, sizeof body,
             "{\"participant_id\":\"%s\",\"partnership_id\":\"%s\",\"kind\":"
             "\"job\",\"date\":\"2026-11-28T00:00:00Z\",\"sector\":\"finance\","
             "\"qualifications_match\":\"yes\"}",
             her, pship);
    create("/v1/outcomes", body, id);
    create("/v1/subnetworks", "{\"name\":\"Literary circle\"}", id);
    char path[160];
    snprintf(path, sizeof path, "/v1/subnetworks/%s/members", id);
    snprintf(body, sizeof body, "{\"participant_id\":\"%s\"}", her);
    json_decref(expect_as(NULL, "POST", path, body, 201));
    create("/v1/participants",
           "{\"role\":\"mentee\",\"given_name\":\"Leila\",\"family_name\":"
           "\"Nour\"}",
           moved);
    snprintf(path, sizeof path, "/v1/participants/%s/transfer", moved);
    json_decref(expect_as(NULL, "POST", path, "{\"to\":\"aarhus\"}", 200));
    create("/v1/participants",
           "{\"role\":\"mentee\",\"given_name\":\"Sara\",\"family_name\":"
           "\"Ali\"}",
           bare);
    /* A read of her personal fields, for the audit part of the export. */
    snprintf(path, sizeof path, "/v1/participants/%s", her);
    json_decref(expect_as(coord, "GET", path, NULL, 200));
}

/* ---- the export ---------------------------------------------------------- */

/* Does the array a hold an object whose key is z? */
static bool
holds(const json_t *a, const char *key, const char *z) {
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v) {
        if (strcmp(tl_str(v, key), z) == 0)
            return true;
    }
    return false;
}

static void
check_export(const char *who, const json_t *doc) {
    const json_t *p = json_object_get(doc, "participant");
    CHECK(strcmp(tl_str(p, "id"), her) == 0 &&
              strcmp(tl_str(p, "given_name"), "Amina") == 0 &&
              strcmp(tl_str(p, "email"), "amina@example.org") == 0 &&
              strcmp(tl_str(p, "country_of_origin"), "SY") == 0 &&
              strcmp(tl_str(p, "background"), "refugee") == 0 &&
              json_is_object(json_object_get(p, "consent")),
          "%s: her record in clear, every class", who);
    const json_t *ps = json_object_get(doc, "partnerships");
    CHECK(json_array_size(ps) == 1 && holds(ps, "id", pship),
          "%s: her partnership", who);
    const json_t *m = json_object_get(doc, "meetings");
    CHECK(json_array_size(m) == 1 && holds(m, "id", MEETING_ID) &&
              holds(m, "minutes", "we met"),
          "%s: its meeting, minutes and all", who);
    const json_t *o = json_object_get(doc, "outcomes");
    CHECK(json_array_size(o) == 1 && holds(o, "participant_id", her),
          "%s: the outcome about her", who);
    const json_t *ms = json_object_get(doc, "memberships");
    CHECK(json_array_size(ms) == 1 && holds(ms, "participant_id", her),
          "%s: her membership", who);
    const json_t *au = json_object_get(doc, "audit");
    CHECK(json_array_size(au) >= 1 && holds(au, "id", her),
          "%s: the audit entries about her (%zu)", who, json_array_size(au));
    CHECK(tl_str(doc, "exported_at")[0] &&
              strcmp(tl_str(doc, "node"), "copenhagen") == 0 &&
              strlen(tl_str(doc, "digest")) == 64 &&
              json_is_object(json_object_get(doc, "version_vector")),
          "%s: exported_at, node, digest and version vector", who);
}

static void
test_export(void) {
    tl_section("export: everything about her, on her home node");
    char *before = it_digest(&node);
    json_t *doc = expect_as(NULL, "GET", export_path(her, "export"), NULL, 200);
    check_export("admin", doc);
    json_decref(doc);
    doc = expect_as(coord, "GET", export_path(her, "export"), NULL, 200);
    check_export("coordinator", doc);
    json_decref(doc);
    char *after = it_digest(&node);
    CHECK(strcmp(before, after) == 0, "an export writes nothing");
    free(before);
    free(after);

    tl_section("export: reading it is audited as a read of every class");
    char path[160];
    snprintf(path, sizeof path, "/v1/audit?participant=%s", her);
    json_t *a = expect_as(NULL, "GET", path, NULL, 200);
    const json_t *items = json_object_get(a, "items");
    size_t reads = 0, all = 0, i;
    const json_t *e;
    json_array_foreach(items, i, e) {
        const json_t *cl = json_object_get(e, "classes");
        bool export = strcmp(tl_str(e, "endpoint"),
                             "GET /v1/participants/{id}/export") == 0;
        reads += export;
        all += export && json_array_size(cl) == 3;
    }
    CHECK(reads == 2 && all == 2,
          "one entry per export, a read of all three classes (%zu, %zu)", reads,
          all);
    json_decref(a);
}

static void
test_export_refused(void) {
    tl_section("export: refusals change nothing");
    refuse_as(NULL, "GET", export_path(moved, "export"), 409, "not_home");
    refuse_as(national, "GET", export_path(her, "export"), 403, "forbidden");
    refuse_as(aarhus, "GET", export_path(her, "export"), 403, "forbidden");
    refuse_as(NULL, "GET", export_path("XYZ", "export"), 400, "invalid_id");
    refuse_as(NULL, "GET",
              export_path("0190A1B2C3D47E8F9A0B1C2D3E4F5A6B", "export"), 400,
              "invalid_id");
    refuse_as(NULL, "GET", export_path(NO_SUCH_ID, "export"), 404, "not_found");
    refuse_as(NULL, "POST", export_path(her, "export"), 405,
              "method_not_allowed");
}

/* ---- the CLI's export ---------------------------------------------------- */

static void
test_cli_export(void) {
    tl_section("CLI: participant export [--out FILE] [--force]");
    char file[4300], *out = NULL;
    struct stat st;
    snprintf(file, sizeof file, "%s/her.json", node.dir);
    const char *to_file[] = {"participant", "export", her, "--out", file, NULL};
    CHECK(cli_run(&out, to_file) == EXIT_OK, "export --out: exit 0");
    free(out);
    CHECK(stat(file, &st) == 0 && (st.st_mode & 0777) == 0600,
          "the file is made 0600 (%o)", (unsigned)(st.st_mode & 0777));
    json_error_t jerr;
    json_t *doc = json_load_file(file, 0, &jerr);
    CHECK(doc && strcmp(tl_str(json_object_get(doc, "participant"), "id"),
                        her) == 0,
          "the file is her export");
    json_decref(doc);
    CHECK(cli_run(&out, to_file) == EXIT_USAGE, "an existing file: exit 2");
    free(out);
    const char *force[] = {"participant", "export",  her, "--out",
                           file,          "--force", NULL};
    CHECK(cli_run(&out, force) == EXIT_OK, "--force replaces it");
    free(out);
    const char *to_stdout[] = {"participant", "export", her, NULL};
    CHECK(cli_run(&out, to_stdout) == EXIT_OK && out && strstr(out, her) &&
              strstr(out, "\"partnerships\""),
          "export to stdout");
    free(out);
    const char *elsewhere[] = {"participant", "export", moved, NULL};
    CHECK(cli_run(&out, elsewhere) == 4, "another home: exit 4");
    free(out);
}

/* ---- consent ------------------------------------------------------------- */

static void
test_consent(void) {
    char path[160];
    tl_section("consent: a special field needs it");
    it_refuse(&node, "POST", "/v1/participants",
              "{\"role\":\"mentee\",\"given_name\":\"A\",\"family_name\":\"B\","
              "\"country_of_origin\":\"SY\"}",
              400, "consent_required", "country_of_origin");
    it_refuse(&node, "POST", "/v1/participants",
              "{\"role\":\"mentee\",\"given_name\":\"A\",\"family_name\":\"B\","
              "\"background\":\"refugee\",\"consent\":{\"purposes\":[],"
              "\"given_at\":\"2026-11-26T10:00:00Z\"}}",
              400, "consent_required", "background");
    snprintf(path, sizeof path, "/v1/participants/%s", bare);
    it_refuse(&node, "PATCH", path, "{\"background\":\"refugee\"}", 400,
              "consent_required", "background");
    json_decref(expect_as(NULL, "PATCH", path, "{" CONSENT "}", 200));
    json_t *p =
        expect_as(NULL, "PATCH", path, "{\"background\":\"refugee\"}", 200);
    CHECK(strcmp(tl_str(p, "background"), "refugee") == 0,
          "a stored consent allows a special field");
    json_decref(p);

    tl_section("consent: withdrawal clears it and both special fields");
    json_int_t n = own_changes();
    p = expect_as(coord, "DELETE", export_path(her, "consent"), NULL, 200);
    CHECK(p && json_is_null(json_object_get(p, "consent")) &&
              json_is_null(json_object_get(p, "country_of_origin")) &&
              json_is_null(json_object_get(p, "background")) &&
              strcmp(tl_str(p, "given_name"), "Amina") == 0,
          "consent, country and background cleared; the rest kept");
    json_decref(p);
    CHECK(own_changes() == n + 1, "in one change");
    snprintf(path, sizeof path, "/v1/participants/%s", her);
    it_refuse(&node, "PATCH", path, "{\"country_of_origin\":\"SY\"}", 400,
              "consent_required", "country_of_origin");

    tl_section("consent: withdrawal refusals change nothing");
    refuse_as(NULL, "DELETE", export_path(moved, "consent"), 409, "not_home");
    refuse_as(national, "DELETE", export_path(her, "consent"), 403,
              "forbidden");
    refuse_as(aarhus, "DELETE", export_path(her, "consent"), 403, "forbidden");
    refuse_as(NULL, "DELETE", export_path("XYZ", "consent"), 400, "invalid_id");
    refuse_as(NULL, "DELETE", export_path(NO_SUCH_ID, "consent"), 404,
              "not_found");

    tl_section("CLI: participant consent-withdraw");
    char *out = NULL;
    const char *withdraw[] = {"--json", "participant", "consent-withdraw", bare,
                              NULL};
    CHECK(cli_run(&out, withdraw) == EXIT_OK && out &&
              strstr(out, "\"background\":null"),
          "consent-withdraw: exit 0, background cleared (%s)", out ? out : "");
    free(out);
}

int
main(int argc, char **argv) {
    const char *daemon;
    int port;
    it_args(argc, argv, true, &daemon, &port, &cli);
    tl_begin("integration.privacy", WATCHDOG_S);
    if (it_node_create(&node, daemon, port, 64) == 0 && add_aarhus() == 0 &&
        it_node_start(&node) == 0) {
        setup_world();
        test_export();
        test_export_refused();
        test_cli_export();
        test_consent();
    }
    it_node_destroy(&node);
    return tl_summary();
}
