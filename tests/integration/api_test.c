/*
 * api_test — drives every endpoint of one real node (README.md, "HTTP
 * API"): health, participants (create, get, patch, list with filters and
 * paging), import, stats, digest and /metrics; then every kind of bad
 * input, checking the status, the error code (and field) and that the
 * store did not change: GET /v1/digest and GET /v1/stats are compared
 * before and after every refused request.
 *
 * Usage: it_api MENTORNETD PORT
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "mentornet/mentornet.h"
#include "state/participant.h"

#define WATCHDOG_S 100
/* Participants the bulk import creates: more than several list pages. */
#define NIMPORT 150
/* Page size for the paging walks: small, so that walks cross many pages. */
#define PAGE 13
/* No walk needs more pages than this; more means the cursor loops. */
#define MAX_PAGES 1000
/* An import larger than one group commit of the node (4096 changes). */
#define NBIG_IMPORT 5000
/* The storage-error import: a node whose map holds the first batch of an
 * import (4096 lines at most) but not all of its NFULL lines. */
#define FULL_MAP_MB 12
#define FULL_BIG_MAP_MB 64
#define NFULL 12000
/* Threads and writes per thread of the concurrent test. */
#define NCONC_THREADS 8
#define NCONC_WRITES 40

static it_node node;
/* Participants this test has created (201s and imported lines). */
static long created_total;

/* The keys every entity renders besides its table's fields. */
static const char *const entity_keys[] = {"id", "created_at", "updated_at"};

/* Is key one a participant has in the API: one of entity_keys, or a
 * top-level key of the participant's table (state/participant.c)? */
static bool
participant_key(const char *key) {
    const mn_kind *k = &mn_kind_participant;
    for (size_t i = 0; i < sizeof entity_keys / sizeof entity_keys[0]; i++)
        if (strcmp(entity_keys[i], key) == 0)
            return true;
    for (size_t i = 0; i < k->nfields; i++)
        if (strcmp(mn_field_key(&k->fields[i]), key) == 0)
            return true;
    return false;
}

/* ---- helpers ---------------------------------------------------------- */

/* n copies of unit, NUL-terminated; caller frees. */
static char *
repeat(const char *unit, size_t n) {
    size_t len = strlen(unit);
    char *z = malloc(len * n + 1);
    if (!z)
        abort();
    for (size_t i = 0; i < n; i++)
        memcpy(z + i * len, unit, len);
    z[len * n] = '\0';
    return z;
}

static char *
dump(const json_t *j) {
    char *z = json_dumps(j, JSON_COMPACT);
    if (!z)
        abort();
    return z;
}

/* A minimal valid participant of role. */
static json_t *
base_body(const char *role) {
    return json_pack("{s:s, s:s, s:s}", "role", role, "given_name", "Test",
                     "family_name", "Person");
}

/* Parse a JSON fragment written in this file (it must be valid). */
static json_t *
fragment(const char *z) {
    json_error_t e;
    json_t *j = json_loads(z, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);
    if (!j) {
        fprintf(stderr, "bad fragment in the test: %s: %s\n", z, e.text);
        abort();
    }
    return j;
}

/* The digest, version vector and statistics: what a refusal must keep. */
static json_t *
snapshot(void) {
    json_t *d = it_get_json(&node, "/v1/digest");
    json_t *s = it_get_json(&node, "/v1/stats?verify=true");
    CHECK(d && s, "snapshot: GET /v1/digest and /v1/stats answer 200");
    return json_pack("{s:o*, s:o*}", "digest", d, "stats", s);
}

/* This node's own seq in the version vector. */
static json_int_t
vv_self(void) {
    json_t *d = it_get_json(&node, "/v1/digest");
    json_int_t v = json_integer_value(
        json_object_get(json_object_get(d, "version_vector"), node.name));
    json_decref(d);
    return v;
}

static bool
field_matches(const char *got, const char *want) {
    size_t n = strlen(want);
    if (n && want[n - 1] == '*')
        return strncmp(got, want, n - 1) == 0;
    return strcmp(got, want) == 0;
}

/* Check an error answer: status, code, field (NULL: any; "x*": prefix). */
static void
check_error(const char *label, const tl_resp *r, long status, const char *code,
            const char *field) {
    bool ok_status = r->status == status;
    bool ok_code = strcmp(it_error_code(r), code) == 0;
    CHECK(ok_status, "%s: status %ld, want %ld (%s)", label, r->status, status,
          r->body ? r->body : "no body");
    CHECK(ok_code, "%s: code '%s', want '%s'", label, it_error_code(r), code);
    CHECK(it_error_message(r)[0] != '\0', "%s: the error has a message", label);
    CHECK(strncmp(r->ctype, "application/json", 16) == 0,
          "%s: error Content-Type is JSON (got '%s')", label, r->ctype);
    if (field)
        CHECK(field_matches(it_error_field(r), field),
              "%s: field '%s', want '%s'", label, it_error_field(r), field);
}

/*
 * Send rq, expect it refused with status/code/field, and the store as it
 * was.
 */
static void
refuse_ex(const char *label, const tl_request *rq, long status,
          const char *code, const char *field) {
    json_t *before = snapshot();
    tl_resp r;
    it_http(&node, rq, &r);
    created_total += r.status == 201;
    check_error(label, &r, status, code, field);
    tl_resp_release(&r);
    json_t *after = snapshot();
    CHECK(json_equal(before, after), "%s: the store is unchanged", label);
    json_decref(before);
    json_decref(after);
}

static void
refuse(const char *label, const tl_request *rq, long status, const char *code,
       const char *field) {
    refuse_ex(label, rq, status, code, field);
}

/* Refuse a JSON body sent with method to path. */
static void
refuse_body(const char *label, const char *method, const char *path,
            const char *body, long status, const char *code,
            const char *field) {
    tl_request rq = {.method = method,
                     .path = path,
                     .ctype = "application/json",
                     .body = body,
                     .len = strlen(body)};
    refuse_ex(label, &rq, status, code, field);
}

/* POST a participant of role with the fields of extra (stolen) added. */
static void
refuse_create(const char *label, const char *role, json_t *extra,
              const char *code, const char *field) {
    json_t *b = base_body(role);
    json_object_update(b, extra);
    json_decref(extra);
    char *body = dump(b);
    refuse_body(label, "POST", "/v1/participants", body, 400, code, field);
    free(body);
    json_decref(b);
}

/* Create a participant from body; returns its id (caller frees) or NULL. */
static char *
create(const char *body, json_t **answer) {
    tl_resp r;
    char *id = NULL;
    it_send_json(&node, "POST", "/v1/participants", body, &r);
    if (CHECK(r.status == 201, "POST %.80s: 201 (got %ld %s)", body, r.status,
              r.body ? r.body : "")) {
        created_total++;
        id = strdup(tl_str(r.json, "id"));
        if (answer)
            *answer = json_incref(r.json);
    }
    tl_resp_release(&r);
    return id;
}

static json_t *
get_participant(const char *id, long *status) {
    char path[128];
    tl_resp r;
    snprintf(path, sizeof path, "/v1/participants/%s", id);
    *status = it_get(&node, path, &r);
    json_t *j = r.json ? json_incref(r.json) : NULL;
    tl_resp_release(&r);
    return j;
}

/* ---- health, metrics -------------------------------------------------- */

/* The web pages: public, from the daemon's memory; whoami for a token. */
static void
test_web(void) {
    tl_section("web pages and whoami");
    static const struct {
        const char *path, *ctype;
    } files[] = {{"/", "text/html"},
                 {"/web/app.js", "text/javascript"},
                 {"/web/app.css", "text/css"}};
    tl_resp r;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        tl_request rq = {.path = files[i].path, .auth = TL_NO_AUTH};
        long status = it_http(&node, &rq, &r);
        CHECK(status == 200 &&
                  strncmp(r.ctype, files[i].ctype, strlen(files[i].ctype)) == 0,
              "GET %s without a token: 200 %s (got %ld %s)", files[i].path,
              files[i].ctype, status, r.ctype);
        tl_resp_release(&r);
    }
    tl_request who = {.path = "/v1/whoami", .auth = TL_NO_AUTH};
    CHECK(it_http(&node, &who, &r) == 401, "whoami without a token: 401");
    tl_resp_release(&r);
    json_t *j = it_get_json(&node, "/v1/whoami");
    CHECK(j && strcmp(tl_str(j, "role"), "admin") == 0 &&
              strcmp(tl_str(j, "division"), "copenhagen") == 0 &&
              json_array_size(json_object_get(j, "divisions")) >= 1,
          "whoami with the admin token: role admin, this node's division");
    json_decref(j);
}

static void
test_health(void) {
    tl_section("health");
    tl_request rq = {.path = "/v1/health", .auth = TL_NO_AUTH};
    tl_resp r;
    CHECK(it_http(&node, &rq, &r) == 200, "health without a token: 200");
    CHECK(strcmp(tl_str(r.json, "status"), "ok") == 0, "health: status ok");
    CHECK(strcmp(tl_str(r.json, "division"), "copenhagen") == 0,
          "health: division is the node's name (got %s)", r.body);
    CHECK(strncmp(r.ctype, "application/json", 16) == 0,
          "health: Content-Type JSON (got %s)", r.ctype);
    tl_resp_release(&r);
    rq.auth = "Bearer nonsense";
    CHECK(it_http(&node, &rq, &r) == 200, "health with a wrong token: 200");
    tl_resp_release(&r);

    char path[4300];
    struct stat st;
    snprintf(path, sizeof path, "%s/admin.token", node.data_dir);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
          "admin.token has mode 0600 (%o)", (unsigned)(st.st_mode & 0777));
    CHECK(strlen(node.token) == 64, "the admin token is 64 characters");
}

/* The value of a metric in a Prometheus text answer, or -1. */
static long long
metric(const char *text, const char *name) {
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\n%s ", name);
    const char *p = text ? strstr(text, pattern) : NULL;
    return p ? atoll(p + strlen(pattern)) : -1;
}

static long long
get_metric(const char *name) {
    tl_resp r;
    it_get(&node, "/metrics", &r);
    long long v = metric(r.body, name);
    tl_resp_release(&r);
    return v;
}

static void
test_metrics(void) {
    static const char *const names[] = {
        "mentornet_changes_committed_total",
        "mentornet_commits_total",
        "mentornet_write_errors_total",
        "mentornet_lmdb_used_bytes",
        "mentornet_lmdb_map_bytes",
        "mentornet_http_bad_requests_total{status=\"400\"}",
        "mentornet_http_bad_requests_total{status=\"401\"}",
        "mentornet_http_unavailable_total"};
    tl_section("metrics");
    tl_resp r;
    it_get(&node, "/metrics", &r);
    CHECK(r.status == 200, "GET /metrics: 200 (got %ld)", r.status);
    CHECK(strncmp(r.ctype, "text/plain", 10) == 0,
          "/metrics is text/plain (got %s)", r.ctype);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        CHECK(metric(r.body, names[i]) >= 0, "/metrics has %s", names[i]);
    CHECK(metric(r.body, "mentornet_lmdb_map_bytes") == 64LL << 20,
          "lmdb_map_bytes is map_size_mb (got %lld)",
          metric(r.body, "mentornet_lmdb_map_bytes"));
    tl_resp_release(&r);

    long long before = get_metric("mentornet_changes_committed_total");
    json_t *b = base_body("mentee");
    char *body = dump(b);
    free(create(body, NULL));
    CHECK(get_metric("mentornet_changes_committed_total") == before + 1,
          "changes_committed_total grows by 1 per create");
    free(body);
    json_decref(b);
}

/* ---- create, get, patch ----------------------------------------------- */

static const char full_body[] =
    "{\"role\":\"mentor\",\"status\":\"waiting\",\"given_name\":\"Amina\","
    "\"family_name\":\"Haddad\",\"email\":\"amina.haddad@example.org\","
    "\"phone\":\"+45 12 34 56 78\",\"birth_year\":1985,"
    "\"country_of_origin\":\"SY\",\"background\":\"refugee\","
    "\"languages\":[\"ar\",\"da\",\"en\"],\"danish_level\":\"B2\","
    "\"education_level\":\"master\",\"profession\":\"Civil engineer\","
    "\"sector\":\"Energy\",\"years_in_denmark\":9,"
    "\"goals\":[\"job\",\"network\"],\"capacity\":3,"
    "\"availability\":\"Tuesday evenings\","
    "\"consent\":{\"purposes\":[\"matching\",\"statistics\"],"
    "\"given_at\":\"2026-11-26T10:00:00Z\"},"
    "\"notes\":\"Line one\\nLine two\\twith a tab\"}";

static bool
is_timestamp(const char *z) {
    /* YYYY-MM-DDTHH:MM:SS[.fff]Z */
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    for (size_t i = 0; i < sizeof shape - 1; i++)
        if (shape[i] == 'd' ? !(z[i] >= '0' && z[i] <= '9') : z[i] != shape[i])
            return false;
    const char *rest = z + sizeof shape - 1;
    if (*rest == '.')
        for (rest++; *rest >= '0' && *rest <= '9'; rest++)
            ;
    return strcmp(rest, "Z") == 0;
}

static void
check_shape(const char *label, const json_t *p) {
    const mn_kind *k = &mn_kind_participant;
    const char *key;
    json_t *v;
    for (size_t i = 0; i < sizeof entity_keys / sizeof entity_keys[0]; i++)
        CHECK(json_object_get(p, entity_keys[i]) != NULL, "%s: has key %s",
              label, entity_keys[i]);
    for (size_t i = 0; i < k->nfields; i++)
        CHECK(json_object_get(p, mn_field_key(&k->fields[i])) != NULL,
              "%s: has key %s", label, mn_field_key(&k->fields[i]));
    json_object_foreach((json_t *)p, key, v) {
        CHECK(participant_key(key), "%s: no key but the table's (%s)", label,
              key);
    }
    CHECK(it_is_id(tl_str(p, "id")), "%s: id is 32 lowercase hex (%s)", label,
          tl_str(p, "id"));
    CHECK(strcmp(tl_str(p, "home_division"), "copenhagen") == 0,
          "%s: home_division is the node's name", label);
    CHECK(is_timestamp(tl_str(p, "created_at")),
          "%s: created_at is RFC 3339 UTC (%s)", label,
          tl_str(p, "created_at"));
    CHECK(is_timestamp(tl_str(p, "updated_at")),
          "%s: updated_at is RFC 3339 UTC (%s)", label,
          tl_str(p, "updated_at"));
}

/* Every field sent in body comes back as sent (consent: normalised). */
static void
check_echo(const char *label, const json_t *sent, const json_t *got) {
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)sent, key, v) {
        const json_t *g = json_object_get(got, key);
        if (strcmp(key, "consent") == 0) {
            const char *at = tl_str(g, "given_at");
            CHECK(json_equal(json_object_get(v, "purposes"),
                             json_object_get(g, "purposes")),
                  "%s: consent.purposes echo", label);
            CHECK(strncmp(at, "2026-11-26T10:00:00", 19) == 0 &&
                      is_timestamp(at),
                  "%s: consent.given_at echo (got %s)", label, at);
            continue;
        }
        CHECK(json_equal(v, g), "%s: %s comes back as sent", label, key);
    }
}

static char *mentor_id, *mentee_id;

static void
test_create_get(void) {
    tl_section("create and get");
    json_t *sent = fragment(full_body), *answer = NULL;
    json_int_t seq = vv_self();
    mentor_id = create(full_body, &answer);
    if (!mentor_id)
        return;
    CHECK(vv_self() == seq + 1, "a create adds one change to the vector");
    check_shape("created mentor", answer);
    check_echo("created mentor", sent, answer);
    CHECK(strcmp(tl_str(answer, "created_at"), tl_str(answer, "updated_at")) ==
              0,
          "a new participant has updated_at == created_at");
    long status;
    json_t *got = get_participant(mentor_id, &status);
    CHECK(status == 200, "GET the created mentor: 200");
    CHECK(json_equal(got, answer), "GET answers what POST answered");
    json_decref(got);
    json_decref(answer);
    json_decref(sent);

    json_t *b = base_body("mentee");
    char *body = dump(b);
    mentee_id = create(body, &answer);
    if (mentee_id) {
        check_shape("minimal mentee", answer);
        CHECK(strcmp(tl_str(answer, "status"), "applicant") == 0,
              "status defaults to applicant");
        CHECK(json_is_null(json_object_get(answer, "email")) &&
                  json_is_null(json_object_get(answer, "capacity")) &&
                  json_is_null(json_object_get(answer, "consent")),
              "unset optional fields are null");
    }
    json_decref(answer);
    free(body);
    json_decref(b);
}

static void
create_ok(const char *label, const char *role, json_t *extra) {
    json_t *b = base_body(role), *answer = NULL;
    json_object_update(b, extra);
    char *body = dump(b);
    char *id = create(body, &answer);
    if (id)
        check_echo(label, extra, answer);
    free(id);
    free(body);
    json_decref(answer);
    json_decref(extra);
    json_decref(b);
}

static void
test_create_limits(void) {
    tl_section("create: values at the limits are accepted");
    char *o100 = repeat("\xc3\xb8", 100), *a100 = repeat("a", 100);
    char *emoji = repeat("\xf0\x9f\x91\xa9", 100),
         *n2000 = repeat("\xc3\xb8", 2000);
    create_ok("100 x 'ø' given_name", "mentee",
              json_pack("{s:s, s:s}", "given_name", o100, "family_name", a100));
    create_ok("100 x 4-byte family_name", "mentee",
              json_pack("{s:s}", "family_name", emoji));
    create_ok("2000 x 'ø' notes", "mentee", json_pack("{s:s}", "notes", n2000));
    create_ok("edges", "mentor",
              fragment("{\"birth_year\":1900,\"capacity\":5,"
                       "\"years_in_denmark\":0,\"languages\":[],"
                       "\"goals\":[\"job\",\"education\",\"network\","
                       "\"language\"]}"));
    create_ok("other edges", "mentor",
              fragment("{\"birth_year\":2020,\"capacity\":1,"
                       "\"years_in_denmark\":100,\"status\":\"alumni\"}"));
    create_ok("null clears optional fields on create", "mentee",
              fragment("{\"email\":null,\"capacity\":null}"));
    free(o100);
    free(a100);
    free(emoji);
    free(n2000);

    tl_request rq = {.method = "POST",
                     .path = "/v1/participants",
                     .ctype = "application/json; charset=utf-8"};
    json_t *b = base_body("mentee");
    char *body = dump(b);
    rq.body = body;
    rq.len = strlen(body);
    tl_resp r;
    CHECK(it_http(&node, &rq, &r) == 201,
          "Content-Type with a charset parameter is accepted (got %ld)",
          r.status);
    created_total += r.status == 201;
    tl_resp_release(&r);
    free(body);
    json_decref(b);
}

static json_t *
patch_ok(const char *id, const char *body) {
    char path[128];
    tl_resp r;
    snprintf(path, sizeof path, "/v1/participants/%s", id);
    it_send_json(&node, "PATCH", path, body, &r);
    CHECK(r.status == 200, "PATCH %s: 200 (got %ld %s)", body, r.status,
          r.body ? r.body : "");
    json_t *j = r.status == 200 && r.json ? json_incref(r.json) : NULL;
    tl_resp_release(&r);
    return j;
}

static void
test_patch(void) {
    tl_section("patch");
    if (!mentor_id || !mentee_id)
        return;
    long status;
    json_t *before = get_participant(mentor_id, &status);
    json_int_t seq = vv_self();
    json_t *after = patch_ok(mentor_id, "{\"status\":\"matched\","
                                        "\"phone\":null,\"capacity\":5,"
                                        "\"notes\":\"changed\"}");
    CHECK(vv_self() == seq + 1, "a patch adds one change to the vector");
    if (after) {
        check_shape("patched mentor", after);
        CHECK(strcmp(tl_str(after, "status"), "matched") == 0 &&
                  json_is_null(json_object_get(after, "phone")) &&
                  json_integer_value(json_object_get(after, "capacity")) == 5 &&
                  strcmp(tl_str(after, "notes"), "changed") == 0,
              "patched fields changed");
        static const char *const kept[] = {
            "id",    "role",      "home_division", "given_name",
            "email", "languages", "consent",       "created_at"};
        for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
            CHECK(json_equal(json_object_get(before, kept[i]),
                             json_object_get(after, kept[i])),
                  "patch keeps %s", kept[i]);
        CHECK(strcmp(tl_str(after, "updated_at"),
                     tl_str(after, "created_at")) >= 0,
              "updated_at >= created_at");
        json_t *got = get_participant(mentor_id, &status);
        CHECK(json_equal(got, after), "GET answers what PATCH answered");
        json_decref(got);
    }
    json_decref(after);
    after = patch_ok(mentor_id, "{\"consent\":null,\"capacity\":null}");
    CHECK(after && json_is_null(json_object_get(after, "consent")) &&
              json_is_null(json_object_get(after, "capacity")),
          "null clears consent and capacity");
    json_decref(after);
    seq = vv_self();
    after = patch_ok(mentor_id, "{\"role\":\"mentor\"}");
    CHECK(vv_self() == seq, "repeating the stored role writes no change");
    json_decref(after);
    json_decref(before);
}

/* ---- import ----------------------------------------------------------- */

static const char *const statuses[] = {"applicant", "waiting", "matched",
                                       "alumni", "withdrawn"};
static const char *const countries[] = {"SY", "AF", "IR", "SO", "ER", "UA"};

/* Line i of the bulk import: names Imp000.., e-mail imp000@example.org. */
static json_t *
import_line(int i) {
    bool mentor = i % 3 == 0;
    char given[16], family[16], email[64];
    snprintf(given, sizeof given, "Imp%03d", i);
    snprintf(family, sizeof family, "Family%03d", i);
    snprintf(email, sizeof email, "imp%03d@example.org", i);
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s}", "role", mentor ? "mentor" : "mentee",
        "status", statuses[i % 5], "given_name", given, "family_name", family,
        "email", email, "country_of_origin", countries[i % 6]);
    if (mentor)
        json_object_set_new(j, "capacity", json_integer(1 + i % 5));
    /* Pad the body past the 64 KiB limit of single requests. */
    json_object_set_new(
        j, "availability",
        json_string(
            "weekday evenings and the occasional weekend, after arrangement"));
    char *pad = repeat("notes ", 60);
    json_object_set_new(j, "notes", json_string(pad));
    free(pad);
    return j;
}

static char *
ndjson(int nlines, int bad_line, const char *bad) {
    size_t cap = 1 << 16, len = 0;
    char *z = malloc(cap);
    if (!z)
        abort();
    z[0] = '\0';
    for (int i = 1; i <= nlines; i++) {
        json_t *j = import_line(i);
        char *line = i == bad_line ? strdup(bad) : dump(j);
        size_t n = strlen(line);
        if (len + n + 2 > cap) {
            z = realloc(z, cap = 2 * (len + n + 2));
            if (!z)
                abort();
        }
        memcpy(z + len, line, n);
        z[len + n] = '\n';
        len += n + 1;
        z[len] = '\0';
        free(line);
        json_decref(j);
    }
    return z;
}

static void
test_import(void) {
    tl_section("import");
    char *body = ndjson(NIMPORT, 0, NULL);
    CHECK(strlen(body) > MN_MAX_BODY,
          "the import body is over the 64 KiB single-request limit");
    json_int_t seq = vv_self();
    tl_request rq = {.method = "POST",
                     .path = "/v1/import",
                     .ctype = "application/x-ndjson",
                     .body = body,
                     .len = strlen(body)};
    tl_resp r;
    it_http(&node, &rq, &r);
    CHECK(r.status == 200, "import %d lines: 200 (got %ld %s)", NIMPORT,
          r.status, r.body ? r.body : "");
    CHECK(json_integer_value(json_object_get(r.json, "imported")) == NIMPORT,
          "import answers {\"imported\": %d} (got %s)", NIMPORT,
          r.body ? r.body : "");
    CHECK(vv_self() == seq + NIMPORT, "import adds one change per line");
    created_total += json_integer_value(json_object_get(r.json, "imported"));
    tl_resp_release(&r);
    free(body);

    static const char crlf[] =
        "{\"role\":\"mentee\",\"given_name\":\"Crlf\",\"family_name\":\"A\"}"
        "\r\n\r\n\n{\"role\":\"mentee\",\"given_name\":\"Crlf\","
        "\"family_name\":\"B\"}\r\n";
    rq.body = crlf;
    rq.len = strlen(crlf);
    it_http(&node, &rq, &r);
    CHECK(r.status == 200 &&
              json_integer_value(json_object_get(r.json, "imported")) == 2,
          "CRLF and blank lines: imported 2 (got %ld %s)", r.status,
          r.body ? r.body : "");
    created_total += json_integer_value(json_object_get(r.json, "imported"));
    tl_resp_release(&r);
}

static void
refuse_import(const char *label, const char *body, const char *code,
              const char *line_word) {
    json_t *before = snapshot();
    tl_request rq = {.method = "POST",
                     .path = "/v1/import",
                     .ctype = "application/x-ndjson",
                     .body = body,
                     .len = strlen(body)};
    tl_resp r;
    it_http(&node, &rq, &r);
    check_error(label, &r, 400, code, NULL);
    if (line_word)
        CHECK(strstr(it_error_message(&r), line_word) != NULL,
              "%s: the message names %s (got '%s')", label, line_word,
              it_error_message(&r));
    tl_resp_release(&r);
    json_t *after = snapshot();
    CHECK(json_equal(before, after), "%s: nothing from the import is stored",
          label);
    json_decref(before);
    json_decref(after);
}

static void
test_import_refused(void) {
    tl_section("import: one bad line refuses the whole body");
    static const struct {
        const char *label, *bad, *code;
    } cases[] = {
        {"bad country on line 3",
         "{\"role\":\"mentee\",\"given_name\":\"X\",\"family_name\":\"Y\","
         "\"country_of_origin\":\"XX\"}",
         "invalid_field"},
        {"not JSON on line 3", "{\"role\":", "bad_json"},
        {"array on line 3", "[1,2]", "bad_json"},
        {"unknown field on line 3",
         "{\"role\":\"mentee\",\"given_name\":\"X\",\"family_name\":\"Y\","
         "\"shoe_size\":40}",
         "unknown_field"},
        {"missing field on line 3",
         "{\"role\":\"mentee\",\"given_name\":\"X\"}", "missing_field"},
        {"duplicate key on line 3",
         "{\"role\":\"mentee\",\"role\":\"mentor\",\"given_name\":\"X\","
         "\"family_name\":\"Y\"}",
         "bad_json"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *body = ndjson(5, 3, cases[i].bad);
        refuse_import(cases[i].label, body, cases[i].code, "line 3");
        free(body);
    }
    char *body = ndjson(300, 297, "{oops}");
    refuse_import("bad line 297 of 300", body, "bad_json", "line 297");
    free(body);
    refuse_import("empty body", "", "bad_json", NULL);
    refuse_import("only blank lines", "\n\n\r\n", "bad_json", NULL);

    body = ndjson(2, 0, NULL);
    tl_request rq = {.method = "POST",
                     .path = "/v1/import",
                     .ctype = "application/json",
                     .body = body,
                     .len = strlen(body)};
    refuse("import as application/json", &rq, 415, "unsupported_media_type",
           NULL);
    rq.ctype = NULL;
    refuse("import without Content-Type", &rq, 415, "unsupported_media_type",
           NULL);
    rq.ctype = "application/x-ndjson";
    rq.auth = TL_NO_AUTH;
    refuse("import without a token", &rq, 401, "unauthorized", NULL);
    free(body);
}

/* ---- listing ---------------------------------------------------------- */

/*
 * Walk every page of GET /v1/participants?<query>&limit=<limit>; check the
 * pages (size, id order, no repeats, cursor ends with null). Returns all
 * items, or NULL if a page failed.
 */
static json_t *
walk(const char *query, int limit) {
    char path[1024], cursor[80] = "", last[40] = "";
    json_t *all = json_array();
    for (int page = 0; page < MAX_PAGES; page++) {
        snprintf(path, sizeof path, "/v1/participants?%s%slimit=%d%s%s", query,
                 query[0] ? "&" : "", limit, cursor[0] ? "&cursor=" : "",
                 cursor);
        json_t *j = it_get_json(&node, path);
        json_t *items = json_object_get(j, "items");
        if (!CHECK(json_is_array(items), "GET %s: 200 with items", path)) {
            json_decref(j);
            json_decref(all);
            return NULL;
        }
        CHECK(json_array_size(items) <= (size_t)limit, "%s: page of at most %d",
              path, limit);
        size_t i;
        json_t *p;
        json_array_foreach(items, i, p) {
            const char *id = tl_str(p, "id");
            CHECK(strcmp(id, last) > 0,
                  "%s: ids ascend across pages "
                  "(%s after %s)",
                  query, id, last);
            snprintf(last, sizeof last, "%s", id);
            json_array_append(all, p);
        }
        json_t *next = json_object_get(j, "next_cursor");
        bool more = json_is_string(next);
        CHECK(more || json_is_null(next),
              "%s: next_cursor is a string or "
              "null",
              query);
        if (more)
            snprintf(cursor, sizeof cursor, "%s", json_string_value(next));
        json_decref(j);
        if (!more)
            return all;
    }
    CHECK(false, "%s: more than %d pages: the cursor loops", query, MAX_PAGES);
    json_decref(all);
    return NULL;
}

static json_t *
ids_of(const json_t *items) {
    json_t *ids = json_array(), *p;
    size_t i;
    json_array_foreach(items, i, p)
        json_array_append_new(ids, json_string(tl_str(p, "id")));
    return ids;
}

typedef bool (*item_pred)(const json_t *p, const void *arg);

static bool
has_value(const json_t *p, const void *arg) {
    const char *const *kv = arg;
    bool ok = true;
    for (; kv[0]; kv += 2)
        ok = ok && strcmp(tl_str(p, kv[0]), kv[1]) == 0;
    return ok;
}

/* Is needle in haystack, ignoring ASCII case? */
static bool
contains_ci(const char *haystack, const char *needle) {
    return strcasestr(haystack, needle) != NULL;
}

static bool
matches_q(const json_t *p, const void *arg) {
    const char *q = arg;
    return contains_ci(tl_str(p, "given_name"), q) ||
           contains_ci(tl_str(p, "family_name"), q) ||
           contains_ci(tl_str(p, "email"), q);
}

/* The filtered walk must give exactly the items of everything that match. */
static void
check_filter(const json_t *everything, const char *query, item_pred pred,
             const void *arg, size_t want_at_least) {
    json_t *want = json_array(), *p;
    size_t i;
    json_array_foreach(everything, i, p) if (pred(p, arg))
        json_array_append_new(want, json_string(tl_str(p, "id")));
    json_t *items = walk(query, PAGE);
    json_t *got = items ? ids_of(items) : NULL;
    CHECK(got && json_equal(got, want),
          "list ?%s: exactly the %zu matching ids (got %zu)", query,
          json_array_size(want), got ? json_array_size(got) : 0);
    CHECK(json_array_size(want) >= want_at_least,
          "list ?%s: the test data has at least %zu matches (%zu)", query,
          want_at_least, json_array_size(want));
    json_decref(got);
    json_decref(items);
    json_decref(want);
}

static void
test_list(void) {
    tl_section("list: paging and filters");
    json_t *stats = it_get_json(&node, "/v1/stats");
    json_int_t total = json_integer_value(json_object_get(stats, "total"));
    json_decref(stats);
    json_t *all = walk("", PAGE);
    if (!all)
        return;
    CHECK((json_int_t)json_array_size(all) == total && total > PAGE * 3,
          "paging collects every participant once: %zu of %lld",
          json_array_size(all), (long long)total);
    json_t *big = walk("", 500);
    json_t *a = ids_of(all), *b = big ? ids_of(big) : NULL;
    CHECK(b && json_equal(a, b), "limit=500 and limit=%d see the same ids",
          PAGE);
    json_decref(a);
    json_decref(b);
    json_decref(big);

    /* Each listed item is what GET answers. */
    long status;
    json_t *one =
        get_participant(tl_str(json_array_get(all, 7), "id"), &status);
    CHECK(json_equal(one, json_array_get(all, 7)),
          "a listed item equals its GET");
    json_decref(one);

    static const char *const mentor[] = {"role", "mentor", NULL};
    static const char *const waiting[] = {"status", "waiting", NULL};
    static const char *const mentee_matched[] = {"role", "mentee", "status",
                                                 "matched", NULL};
    static const char *const copenhagen[] = {"home_division", "copenhagen",
                                             NULL};
    check_filter(all, "role=mentor", has_value, mentor, 40);
    check_filter(all, "status=waiting", has_value, waiting, 20);
    check_filter(all, "role=mentee&status=matched", has_value, mentee_matched,
                 15);
    check_filter(all, "division=copenhagen", has_value, copenhagen,
                 (size_t)total);
    check_filter(all, "division=copenhagen&role=mentor", has_value, mentor, 40);
    check_filter(all, "q=IMP04", matches_q, "IMP04", 10);
    check_filter(all, "q=imp007%40example", matches_q, "imp007@example", 1);
    check_filter(all, "q=family1", matches_q, "family1", 50);
    check_filter(all, "q=no-such-name", matches_q, "no-such-name", 0);

    json_t *past = it_get_json(&node, "/v1/participants?cursor="
                                      "ffffffffffffffffffffffffffffffff");
    CHECK(past && json_array_size(json_object_get(past, "items")) == 0 &&
              json_is_null(json_object_get(past, "next_cursor")),
          "a cursor past the last id: an empty last page");
    json_decref(past);
    json_t *zero = it_get_json(&node, "/v1/participants?limit=5&cursor="
                                      "00000000000000000000000000000000");
    json_t *plain = it_get_json(&node, "/v1/participants?limit=5");
    CHECK(zero && json_equal(zero, plain),
          "a cursor before the first id: the first page");
    json_decref(zero);
    json_decref(plain);

    json_t *first = it_get_json(&node, "/v1/participants");
    CHECK(json_array_size(json_object_get(first, "items")) == 50 &&
              json_is_string(json_object_get(first, "next_cursor")),
          "the default page is 50 with a next_cursor");
    json_decref(first);
    json_decref(all);
}

static void
test_list_unicode_q(void) {
    tl_section("list: q with non-ASCII letters");
    free(create("{\"role\":\"mentee\",\"given_name\":\"S\xc3\xb8ren\","
                "\"family_name\":\"\xc3\x98rsted\"}",
                NULL));
    json_t *items = walk("q=%C3%98rsted", PAGE);
    CHECK(json_array_size(items) == 1, "q=Ørsted finds Ørsted");
    json_decref(items);
    items = walk("q=%C3%B8rsted", PAGE);
    CHECK(json_array_size(items) == 1, "q=ørsted finds Ørsted");
    json_decref(items);
}

/* ---- stats and digest ------------------------------------------------- */

static void
test_stats(void) {
    tl_section("stats and digest");
    json_t *all = walk("", 500);
    json_t *s = it_get_json(&node, "/v1/stats?verify=true");
    if (!CHECK(all && s, "stats and list answer"))
        goto out;
    CHECK(json_is_true(json_object_get(s, "verified")),
          "stats?verify=true is verified:true");
    json_t *div =
        json_object_get(json_object_get(s, "divisions"), "copenhagen");
    json_t *seen = json_object();
    size_t i;
    json_t *p;
    int want[2][5] = {{0}};
    json_array_foreach(all, i, p) {
        int role = strcmp(tl_str(p, "role"), "mentor") == 0 ? 0 : 1;
        for (int k = 0; k < 5; k++)
            if (strcmp(tl_str(p, "status"), statuses[k]) == 0)
                want[role][k]++;
        if (tl_str(p, "country_of_origin")[0])
            json_object_set_new(seen, tl_str(p, "country_of_origin"),
                                json_true());
    }
    for (int role = 0; role < 2; role++)
        for (int k = 0; k < 5; k++) {
            json_t *cell = json_object_get(
                json_object_get(div, role ? "mentee" : "mentor"), statuses[k]);
            CHECK(json_integer_value(cell) == want[role][k],
                  "stats copenhagen.%s.%s = %d (got %lld)",
                  role ? "mentee" : "mentor", statuses[k], want[role][k],
                  (long long)json_integer_value(cell));
        }
    CHECK(json_integer_value(json_object_get(s, "total")) == created_total,
          "stats total is what this test created (%ld, got %lld)",
          created_total,
          (long long)json_integer_value(json_object_get(s, "total")));
    CHECK(json_integer_value(json_object_get(s, "total")) ==
                  (json_int_t)json_array_size(all) &&
              json_integer_value(json_object_get(div, "total")) ==
                  (json_int_t)json_array_size(all),
          "stats totals equal the number listed (%zu)", json_array_size(all));
    /* Her country of origin is sealed to her home (README "Compartments"):
     * the replicated statistics cannot count it, whatever was created. */
    CHECK(json_object_size(seen) > 0 &&
              json_integer_value(json_object_get(s, "countries")) == 0,
          "stats countries = 0: sealed, of %zu distinct (got %lld)",
          json_object_size(seen),
          (long long)json_integer_value(json_object_get(s, "countries")));
    char *text = dump(s);
    CHECK(!strstr(text, "Amina") && !strstr(text, "Imp0"),
          "stats hold no names");
    free(text);
    json_decref(seen);

    json_t *d = it_get_json(&node, "/v1/digest");
    const char *hex = tl_str(d, "digest");
    CHECK(strlen(hex) == 64 && strspn(hex, "0123456789abcdef") == 64,
          "digest is 64 hex chars (%s)", hex);
    CHECK(json_is_object(json_object_get(d, "version_vector")) &&
              json_object_size(json_object_get(d, "version_vector")) == 1,
          "version_vector has this division only");
    CHECK(strcmp(hex, tl_str(s, "digest")) == 0,
          "stats and digest report the same digest");
    json_decref(d);
out:
    json_decref(s);
    json_decref(all);
}

/* ---- refusals --------------------------------------------------------- */

static void
test_auth_refused(void) {
    tl_section("401: missing or wrong token");
    char wrong[200], path[128];
    snprintf(wrong, sizeof wrong, "Bearer %s", node.token);
    wrong[7] = wrong[7] == 'a' ? 'b' : 'a'; /* same length, other token */
    char longer[200];
    snprintf(longer, sizeof longer, "Bearer %sa", node.token);
    const char *const auths[] = {
        TL_NO_AUTH, wrong, longer, "Bearer", "Basic YWRtaW46YWRtaW4=",
        node.token};
    const char *const auth_names[] = {"no header",      "wrong token",
                                      "token + 1 char", "empty bearer",
                                      "Basic",          "token without Bearer"};
    snprintf(path, sizeof path, "/v1/participants/%s", mentee_id);
    static const char valid[] =
        "{\"role\":\"mentee\",\"given_name\":\"A\",\"family_name\":\"B\"}";
    static const char ndj[] =
        "{\"role\":\"mentee\",\"given_name\":\"A\",\"family_name\":\"B\"}\n";
    const tl_request rqs[] = {
        {.path = "/v1/participants"},
        {.path = path},
        {.path = "/v1/stats"},
        {.path = "/v1/digest"},
        {.path = "/v1/replication"},
        {.path = "/v1/conflicts"},
        {.path = "/v1/backup"},
        {.method = "POST",
         .path = "/v1/participants",
         .ctype = "application/json",
         .body = valid,
         .len = sizeof valid - 1},
        {.method = "PATCH",
         .path = path,
         .ctype = "application/json",
         .body = "{\"status\":\"waiting\"}",
         .len = 20},
        {.method = "POST",
         .path = "/v1/import",
         .ctype = "application/x-ndjson",
         .body = ndj,
         .len = sizeof ndj - 1},
    };
    char label[256];
    for (size_t a = 0; a < sizeof auths / sizeof auths[0]; a++)
        for (size_t i = 0; i < sizeof rqs / sizeof rqs[0]; i++) {
            tl_request rq = rqs[i];
            rq.auth = auths[a];
            snprintf(label, sizeof label, "%s %s, %s",
                     rq.method ? rq.method : "GET", rq.path, auth_names[a]);
            refuse(label, &rq, 401, "unauthorized", NULL);
        }
}

/* Without a token no answer tells which paths exist. */
static void
test_auth_hides_paths(void) {
    tl_section("401 before 404 and 405");
    char path[128], label[256];
    snprintf(path, sizeof path, "/v1/participants/%s", mentee_id);
    const struct {
        const char *method, *path;
    } hidden[] = {{"GET", "/index.html"}, {"GET", "/v1/nope"},
                  {"GET", "/v2/stats"},   {"DELETE", "/v1/stats"},
                  {"POST", "/v1/digest"}, {"PUT", path},
                  {"GET", "/v1/import"},  {"GET", "/v1/participants/x/y"}};
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++) {
        tl_request rq = {.method = hidden[i].method,
                         .path = hidden[i].path,
                         .auth = TL_NO_AUTH};
        snprintf(label, sizeof label, "%s %s without a token", hidden[i].method,
                 hidden[i].path);
        refuse(label, &rq, 401, "unauthorized", NULL);
    }
    tl_request health = {
        .method = "POST", .path = "/v1/health", .auth = TL_NO_AUTH};
    refuse("POST /v1/health without a token (a public path)", &health, 405,
           "method_not_allowed", NULL);
}

static void
test_routes_refused(void) {
    tl_section("404 and 405: paths and methods");
    char path[128], extra[160];
    snprintf(path, sizeof path, "/v1/participants/%s", mentee_id);
    snprintf(extra, sizeof extra, "%s/extra", path);
    /* "/" is the web pages' (public); a file they do not have is 404. */
    const char *const unknown[] = {
        "/web/nope.js", "/index.html",       "/v1",
        "/v1/",         "/v2/participants",  "/v1/nope",
        "/V1/stats",    "/v1/participants/", extra,
        "/v1/stats/x",  "/v1/participant"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        tl_request rq = {.path = unknown[i]};
        char label[256];
        snprintf(label, sizeof label, "GET %s", unknown[i]);
        refuse(label, &rq, 404, "not_found", NULL);
    }
    const struct {
        const char *method, *path;
    } wrong[] = {
        {"DELETE", path},
        {"PUT", path},
        {"POST", path},
        {"PUT", "/v1/participants"},
        {"DELETE", "/v1/participants"},
        {"PATCH", "/v1/participants"},
        {"POST", "/v1/stats"},
        {"DELETE", "/v1/stats"},
        {"POST", "/v1/digest"},
        {"POST", "/v1/health"},
        {"GET", "/v1/import"},
        {"PUT", "/v1/import"},
    };
    static const char body[] = "{\"status\":\"waiting\"}";
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        tl_request rq = {.method = wrong[i].method, .path = wrong[i].path};
        bool has_body = strcmp(wrong[i].method, "GET") != 0 &&
                        strcmp(wrong[i].method, "DELETE") != 0;
        if (has_body) {
            rq.ctype = "application/json";
            rq.body = body;
            rq.len = sizeof body - 1;
        }
        char label[256];
        snprintf(label, sizeof label, "%s %s", wrong[i].method, wrong[i].path);
        refuse(label, &rq, 405, "method_not_allowed", NULL);
    }
}

static void
test_body_refused(void) {
    tl_section("415 and 413: content type and size");
    char path[128];
    snprintf(path, sizeof path, "/v1/participants/%s", mentee_id);
    static const char valid[] =
        "{\"role\":\"mentee\",\"given_name\":\"A\",\"family_name\":\"B\"}";
    const char *const types[] = {NULL,
                                 "text/plain",
                                 "application/x-ndjson",
                                 "application/jsonx",
                                 "application/x-www-form-urlencoded",
                                 "multipart/form-data"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        char label[256];
        tl_request rq = {.method = "POST",
                         .path = "/v1/participants",
                         .ctype = types[i],
                         .body = valid,
                         .len = sizeof valid - 1};
        snprintf(label, sizeof label, "POST as %s",
                 types[i] ? types[i] : "no Content-Type");
        refuse(label, &rq, 415, "unsupported_media_type", NULL);
        rq.method = "PATCH";
        rq.path = path;
        rq.body = "{\"status\":\"waiting\"}";
        rq.len = strlen(rq.body);
        snprintf(label, sizeof label, "PATCH as %s",
                 types[i] ? types[i] : "no Content-Type");
        refuse(label, &rq, 415, "unsupported_media_type", NULL);
    }

    /* A valid participant padded with spaces to an exact size. */
    size_t big = MN_MAX_BODY + 1;
    char *body = malloc(big + 1);
    if (!body)
        abort();
    memset(body, ' ', big);
    memcpy(body, valid, sizeof valid - 1);
    body[big] = '\0';
    tl_request rq = {.method = "POST",
                     .path = "/v1/participants",
                     .ctype = "application/json",
                     .body = body,
                     .len = big};
    refuse("POST of 64 KiB + 1", &rq, 413, "too_large", NULL);
    rq.chunked = true;
    refuse("chunked POST of 64 KiB + 1", &rq, 413, "too_large", NULL);
    rq.method = "PATCH";
    rq.path = path;
    rq.chunked = false;
    refuse("PATCH of 64 KiB + 1", &rq, 413, "too_large", NULL);

    /* Exactly 64 KiB is under the limit: it reaches the validator. */
    char *notes = repeat("x", MN_MAX_BODY);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "role", "mentee",
                          "given_name", "A", "family_name", "B", "notes", "");
    char *probe = dump(j);
    notes[MN_MAX_BODY - strlen(probe)] = '\0';
    json_object_set_new(j, "notes", json_string(notes));
    char *exact = dump(j);
    CHECK(strlen(exact) == MN_MAX_BODY, "the probe body is 64 KiB (%zu)",
          strlen(exact));
    refuse_body("POST of exactly 64 KiB (notes too long)", "POST",
                "/v1/participants", exact, 400, "invalid_field", "notes");
    free(exact);
    free(probe);
    free(notes);
    json_decref(j);
    free(body);
}

static void
test_bad_json(void) {
    tl_section("400 bad_json");
    static const char *const bodies[] = {
        "",
        "{",
        "not json",
        "[1]",
        "[]",
        "\"participant\"",
        "42",
        "null",
        "true",
        "{} {}",
        "{\"role\":\"mentee\",}",
        "{\"role\":\"mentee\",\"role\":\"mentor\",\"given_name\":\"A\","
        "\"family_name\":\"B\"}",
        "{\"role\":\"mentor\",\"given_name\":\"A\",\"family_name\":\"B\","
        "\"consent\":{\"purposes\":[],\"purposes\":[\"matching\"],"
        "\"given_at\":\"2026-11-26T10:00:00Z\"}}",
        "{\"role\":\"mentee\",\"given_name\":\"A\xff\",\"family_name\":\"B\"}",
        "{\"role\":\"mentee\",\"given_name\":\"A\\u0000B\","
        "\"family_name\":\"B\"}",
        "{\"role\":\"mentee\",\"given_name\":\"A\\ud800\",\"family_name\":"
        "\"B\"}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        char label[128];
        snprintf(label, sizeof label, "POST body '%.60s'", bodies[i]);
        refuse_body(label, "POST", "/v1/participants", bodies[i], 400,
                    "bad_json", NULL);
    }
    char path[128];
    snprintf(path, sizeof path, "/v1/participants/%s", mentee_id);
    refuse_body("PATCH with []", "PATCH", path, "[]", 400, "bad_json", NULL);
    refuse_body("PATCH with {}", "PATCH", path, "{}", 400, "empty_patch", NULL);
    refuse_body("PATCH with a duplicate key", "PATCH", path,
                "{\"status\":\"waiting\",\"status\":\"matched\"}", 400,
                "bad_json", NULL);
}

/* One refused create: role, fields added to the minimal body, field. */
struct bad_case {
    const char *role;
    const char *extra;
    const char *field;
    const char *code;
};

static const struct bad_case bad_cases[] = {
    /* unknown and read-only fields */
    {"mentee", "{\"shoe_size\":40}", "shoe_size", "unknown_field"},
    {"mentee", "{\"Given_name\":\"A\"}", "Given_name", "unknown_field"},
    {"mentee", "{\"consent_purposes\":[\"matching\"]}", "consent_purposes",
     "unknown_field"},
    {"mentee", "{\"id\":\"0123456789abcdef0123456789abcdef\"}", "id",
     "invalid_field"},
    {"mentee", "{\"home_division\":\"aarhus\"}", "home_division",
     "invalid_field"},
    {"mentee", "{\"created_at\":\"2026-11-26T10:00:00Z\"}", "created_at",
     "invalid_field"},
    {"mentee", "{\"updated_at\":\"2026-11-26T10:00:00Z\"}", "updated_at",
     "invalid_field"},
    /* strings given other types */
    {"mentee", "{\"given_name\":5}", "given_name", "invalid_field"},
    {"mentee", "{\"family_name\":true}", "family_name", "invalid_field"},
    {"mentee", "{\"email\":12}", "email", "invalid_field"},
    {"mentee", "{\"phone\":4512345678}", "phone", "invalid_field"},
    {"mentee", "{\"profession\":[\"x\"]}", "profession", "invalid_field"},
    {"mentee", "{\"sector\":{}}", "sector", "invalid_field"},
    {"mentee", "{\"availability\":1.5}", "availability", "invalid_field"},
    {"mentee", "{\"notes\":false}", "notes", "invalid_field"},
    {"mentee", "{\"country_of_origin\":12}", "country_of_origin",
     "invalid_field"},
    /* enums */
    {"mentee", "{\"status\":1}", "status", "invalid_field"},
    {"mentee", "{\"status\":\"married\"}", "status", "invalid_field"},
    {"mentee", "{\"status\":\"Waiting\"}", "status", "invalid_field"},
    {"mentee", "{\"background\":\"tourist\"}", "background", "invalid_field"},
    {"mentee", "{\"background\":true}", "background", "invalid_field"},
    {"mentee", "{\"danish_level\":\"a1\"}", "danish_level", "invalid_field"},
    {"mentee", "{\"danish_level\":2}", "danish_level", "invalid_field"},
    {"mentee", "{\"education_level\":\"Phd\"}", "education_level",
     "invalid_field"},
    /* integers given strings, floats, booleans; out of range */
    {"mentee", "{\"birth_year\":\"1990\"}", "birth_year", "invalid_field"},
    {"mentee", "{\"birth_year\":1990.0}", "birth_year", "invalid_field"},
    {"mentee", "{\"birth_year\":1990.5}", "birth_year", "invalid_field"},
    {"mentee", "{\"birth_year\":true}", "birth_year", "invalid_field"},
    {"mentee", "{\"birth_year\":1899}", "birth_year", "invalid_field"},
    {"mentee", "{\"birth_year\":2021}", "birth_year", "invalid_field"},
    {"mentee", "{\"birth_year\":-1990}", "birth_year", "invalid_field"},
    {"mentee", "{\"birth_year\":99999999999999999}", "birth_year",
     "invalid_field"},
    {"mentee", "{\"years_in_denmark\":\"5\"}", "years_in_denmark",
     "invalid_field"},
    {"mentee", "{\"years_in_denmark\":-1}", "years_in_denmark",
     "invalid_field"},
    {"mentee", "{\"years_in_denmark\":101}", "years_in_denmark",
     "invalid_field"},
    {"mentor", "{\"capacity\":\"3\"}", "capacity", "invalid_field"},
    {"mentor", "{\"capacity\":2.0}", "capacity", "invalid_field"},
    {"mentor", "{\"capacity\":0}", "capacity", "invalid_field"},
    {"mentor", "{\"capacity\":6}", "capacity", "invalid_field"},
    {"mentee", "{\"capacity\":2}", "capacity", "invalid_field"},
    {"mentee", "{\"capacity\":1}", "capacity", "invalid_field"},
    /* arrays given other types; bad and duplicate codes */
    {"mentee", "{\"languages\":\"ar\"}", "languages", "invalid_field"},
    {"mentee", "{\"languages\":{\"ar\":1}}", "languages", "invalid_field"},
    {"mentee", "{\"languages\":[1]}", "languages", "invalid_field"},
    {"mentee", "{\"languages\":[\"xx\"]}", "languages", "invalid_field"},
    {"mentee", "{\"languages\":[\"AR\"]}", "languages", "invalid_field"},
    {"mentee", "{\"languages\":[\"ara\"]}", "languages", "invalid_field"},
    {"mentee", "{\"languages\":[\"ar\",\"da\",\"ar\"]}", "languages",
     "invalid_field"},
    {"mentee",
     "{\"languages\":[\"ar\",\"da\",\"en\",\"fa\",\"ps\",\"so\",\"ti\","
     "\"ku\",\"tr\",\"ur\",\"de\",\"fr\",\"es\",\"uk\",\"ru\",\"pl\","
     "\"sv\"]}",
     "languages", "invalid_field"},
    {"mentee", "{\"goals\":\"job\"}", "goals", "invalid_field"},
    {"mentee", "{\"goals\":[\"travel\"]}", "goals", "invalid_field"},
    {"mentee", "{\"goals\":[\"job\",\"job\"]}", "goals", "invalid_field"},
    {"mentee", "{\"goals\":[null]}", "goals", "invalid_field"},
    /* country codes */
    {"mentee", "{\"country_of_origin\":\"XX\"}", "country_of_origin",
     "invalid_field"},
    {"mentee", "{\"country_of_origin\":\"sy\"}", "country_of_origin",
     "invalid_field"},
    {"mentee", "{\"country_of_origin\":\"SYR\"}", "country_of_origin",
     "invalid_field"},
    {"mentee", "{\"country_of_origin\":\"S\"}", "country_of_origin",
     "invalid_field"},
    {"mentee", "{\"country_of_origin\":\"\"}", "country_of_origin",
     "invalid_field"},
    /* e-mail and phone */
    {"mentee", "{\"email\":\"no-at-sign\"}", "email", "invalid_field"},
    {"mentee", "{\"email\":\"a@b\"}", "email", "invalid_field"},
    {"mentee", "{\"email\":\"a@@b.dk\"}", "email", "invalid_field"},
    {"mentee", "{\"email\":\"a@b@c.dk\"}", "email", "invalid_field"},
    {"mentee", "{\"email\":\"a b@c.dk\"}", "email", "invalid_field"},
    {"mentee", "{\"email\":\"@b.dk\"}", "email", "invalid_field"},
    {"mentee", "{\"email\":\"a@.dk\"}", "email", "invalid_field"},
    {"mentee", "{\"email\":\"a@b.dk.\"}", "email", "invalid_field"},
    {"mentee", "{\"email\":\"\"}", "email", "invalid_field"},
    {"mentee", "{\"phone\":\"call me\"}", "phone", "invalid_field"},
    {"mentee", "{\"phone\":\"12\"}", "phone", "invalid_field"},
    /* control characters */
    {"mentee", "{\"given_name\":\"A\\u0001B\"}", "given_name", "invalid_field"},
    {"mentee", "{\"given_name\":\"A\\nB\"}", "given_name", "invalid_field"},
    {"mentee", "{\"given_name\":\"A\\tB\"}", "given_name", "invalid_field"},
    {"mentee", "{\"family_name\":\"A\\u007fB\"}", "family_name",
     "invalid_field"},
    {"mentee", "{\"family_name\":\"\\u001b[31mred\"}", "family_name",
     "invalid_field"},
    {"mentee", "{\"notes\":\"bell \\u0007\"}", "notes", "invalid_field"},
    {"mentee", "{\"profession\":\"A\\rB\"}", "profession", "invalid_field"},
    /* empty required strings */
    {"mentee", "{\"given_name\":\"\"}", "given_name", "invalid_field"},
    {"mentee", "{\"family_name\":\"\"}", "family_name", "invalid_field"},
    /* consent */
    {"mentee", "{\"consent\":\"yes\"}", "consent*", "invalid_field"},
    {"mentee", "{\"consent\":[]}", "consent*", "invalid_field"},
    {"mentee", "{\"consent\":{}}", "consent*", "invalid_field"},
    {"mentee", "{\"consent\":{\"purposes\":[\"matching\"]}}", "consent*",
     "invalid_field"},
    {"mentee", "{\"consent\":{\"given_at\":\"2026-11-26T10:00:00Z\"}}",
     "consent*", "invalid_field"},
    {"mentee",
     "{\"consent\":{\"purposes\":\"matching\","
     "\"given_at\":\"2026-11-26T10:00:00Z\"}}",
     "consent*", "invalid_field"},
    {"mentee",
     "{\"consent\":{\"purposes\":[\"spam\"],"
     "\"given_at\":\"2026-11-26T10:00:00Z\"}}",
     "consent*", "invalid_field"},
    {"mentee",
     "{\"consent\":{\"purposes\":[\"matching\",\"matching\"],"
     "\"given_at\":\"2026-11-26T10:00:00Z\"}}",
     "consent*", "invalid_field"},
    {"mentee",
     "{\"consent\":{\"purposes\":[\"matching\"],\"given_at\":\"yesterday\"}}",
     "consent*", "invalid_field"},
    {"mentee",
     "{\"consent\":{\"purposes\":[\"matching\"],"
     "\"given_at\":\"2026-11-26T10:00:00+01:00\"}}",
     "consent*", "invalid_field"},
    {"mentee",
     "{\"consent\":{\"purposes\":[\"matching\"],"
     "\"given_at\":\"2026-11-26\"}}",
     "consent*", "invalid_field"},
    {"mentee",
     "{\"consent\":{\"purposes\":[\"matching\"],\"given_at\":1764151200}}",
     "consent*", "invalid_field"},
    {"mentee",
     "{\"consent\":{\"purposes\":[\"matching\"],"
     "\"given_at\":\"2026-11-26T10:00:00Z\",\"by\":\"x\"}}",
     "consent*", "invalid_field"},
};

/* A string field of n copies of unit must be refused. */
static void
refuse_long(const char *field, const char *unit, size_t n) {
    char label[128];
    char *z = repeat(unit, n);
    snprintf(label, sizeof label, "%s of %zu x '%s'", field, n, unit);
    refuse_create(label, "mentee", json_pack("{s:s}", field, z),
                  "invalid_field", field);
    free(z);
}

static void
test_fields_refused(void) {
    tl_section("400 invalid_field, unknown_field");
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        char label[200];
        snprintf(label, sizeof label, "%s + %.100s", bad_cases[i].role,
                 bad_cases[i].extra);
        refuse_create(label, bad_cases[i].role, fragment(bad_cases[i].extra),
                      bad_cases[i].code, bad_cases[i].field);
    }
    refuse_long("given_name", "a", 101);
    refuse_long("given_name", "\xc3\xb8", 101);
    refuse_long("family_name", "\xf0\x9f\x91\xa9", 101);
    refuse_long("profession", "a", 101);
    refuse_long("sector", "a", 101);
    refuse_long("availability", "a", 201);
    refuse_long("notes", "a", 2001);
    refuse_long("phone", "1", 33);
    char *local = repeat("a", 246); /* 246 + "@test.dk" = 254 */
    char email[300];
    snprintf(email, sizeof email, "%s@test.dk", local);
    create_ok("254-char e-mail", "mentee", json_pack("{s:s}", "email", email));
    snprintf(email, sizeof email, "%sb@test.dk", local);
    refuse_create("255-char e-mail", "mentee",
                  json_pack("{s:s}", "email", email), "invalid_field", "email");
    free(local);
}

/* Refusals of C1 control characters and dates that do not exist. */
static void
test_known_gaps(void) {
    tl_section("C1 controls and impossible dates");
    refuse_body("given_name with U+0085 (NEL)", "POST", "/v1/participants",
                "{\"role\":\"mentee\",\"given_name\":\"A\\u0085B\","
                "\"family_name\":\"B\"}",
                400, "invalid_field", "given_name");
    refuse_body("family_name with U+009B (CSI)", "POST", "/v1/participants",
                "{\"role\":\"mentee\",\"given_name\":\"A\","
                "\"family_name\":\"\\u009b31mB\"}",
                400, "invalid_field", "family_name");
    refuse_body("consent.given_at of 30 February", "POST", "/v1/participants",
                "{\"role\":\"mentee\",\"given_name\":\"A\","
                "\"family_name\":\"B\",\"consent\":{\"purposes\":"
                "[\"matching\"],\"given_at\":\"2026-02-30T10:00:00Z\"}}",
                400, "invalid_field", "consent*");
}

static void
test_missing_refused(void) {
    tl_section("400 missing_field");
    static const char *const required[] = {"role", "given_name", "family_name"};
    for (size_t i = 0; i < 3; i++) {
        json_t *b = base_body("mentee");
        json_object_del(b, required[i]);
        char *body = dump(b), label[64];
        snprintf(label, sizeof label, "create without %s", required[i]);
        refuse_body(label, "POST", "/v1/participants", body, 400,
                    "missing_field", required[i]);
        free(body);
        json_decref(b);
    }
    refuse_body("create with {}", "POST", "/v1/participants", "{}", 400,
                "missing_field", NULL);
    refuse_body("create with only optional fields", "POST", "/v1/participants",
                "{\"email\":\"a@b.dk\"}", 400, "missing_field", NULL);
    refuse_body("create with role null", "POST", "/v1/participants",
                "{\"role\":null,\"given_name\":\"A\",\"family_name\":\"B\"}",
                400, "invalid_field", "role");
}

static void
refuse_patch(const char *id, const char *body, long status, const char *code,
             const char *field) {
    char path[128], label[200];
    snprintf(path, sizeof path, "/v1/participants/%s", id);
    snprintf(label, sizeof label, "PATCH %.12s.. %.80s", id, body);
    refuse_body(label, "PATCH", path, body, status, code, field);
}

static void
test_patch_refused(void) {
    tl_section("patch refusals");
    if (!mentor_id || !mentee_id)
        return;
    refuse_patch(mentor_id, "{\"role\":\"mentee\"}", 400, "invalid_field",
                 "role");
    refuse_patch(mentee_id, "{\"role\":\"mentor\",\"capacity\":2}", 400,
                 "invalid_field", "role");
    refuse_patch(mentor_id, "{\"role\":null}", 400, "invalid_field", "role");
    refuse_patch(mentor_id, "{\"role\":5}", 400, "invalid_field", "role");
    refuse_patch(mentor_id, "{\"role\":\"Mentor\"}", 400, "invalid_field",
                 "role");
    refuse_patch(mentee_id, "{\"capacity\":2}", 400, "invalid_field",
                 "capacity");
    refuse_patch(mentee_id, "{\"given_name\":null}", 400, "invalid_field",
                 "given_name");
    refuse_patch(mentee_id, "{\"family_name\":null}", 400, "invalid_field",
                 "family_name");
    refuse_patch(mentee_id, "{\"status\":null}", 400, "invalid_field",
                 "status");
    refuse_patch(mentee_id, "{\"id\":\"0123456789abcdef0123456789abcdef\"}",
                 400, "invalid_field", "id");
    refuse_patch(mentee_id, "{\"created_at\":\"2026-11-26T10:00:00Z\"}", 400,
                 "invalid_field", "created_at");
    refuse_patch(mentee_id, "{\"shoe_size\":40}", 400, "unknown_field",
                 "shoe_size");
    refuse_patch(mentee_id, "{\"birth_year\":\"1990\"}", 400, "invalid_field",
                 "birth_year");
    refuse_patch(mentee_id,
                 "{\"status\":\"waiting\",\"country_of_origin\":\"XX\"}", 400,
                 "invalid_field", "country_of_origin");
    refuse_patch(mentee_id, "{\"email\":\"not an address\"}", 400,
                 "invalid_field", "email");
    refuse_patch(mentee_id, "{\"languages\":[\"da\",\"da\"]}", 400,
                 "invalid_field", "languages");

    tl_section("404: unknown and malformed ids");
    static const char valid[] = "{\"status\":\"waiting\"}";
    const char *const ids[] = {"00000000000000000000000000000000",
                               "ffffffffffffffffffffffffffffffff",
                               "xyz",
                               "0123456789abcdef0123456789abcde",
                               "0123456789abcdef0123456789abcdef0",
                               "0123456789abcdefghij456789abcdef",
                               "%20"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char path[128], label[160];
        snprintf(path, sizeof path, "/v1/participants/%s", ids[i]);
        tl_request rq = {.path = path};
        snprintf(label, sizeof label, "GET id %s", ids[i]);
        refuse(label, &rq, 404, "not_found", NULL);
        refuse_patch(ids[i], valid, 404, "not_found", NULL);
    }
}

static void
test_near_ids(void) {
    static const char valid[] = "{\"status\":\"waiting\"}";
    if (!mentee_id)
        return;
    tl_section("404: a real participant's id, changed");
    char upper[64], junk[64], nul[64];
    for (size_t i = 0; mentee_id[i]; i++)
        upper[i] = (char)toupper((unsigned char)mentee_id[i]);
    upper[strlen(mentee_id)] = '\0';
    snprintf(junk, sizeof junk, "%s%%00junk", mentee_id);
    snprintf(nul, sizeof nul, "%s%%00", mentee_id);
    const char *const near[] = {upper, junk, nul};
    for (size_t i = 0; i < sizeof near / sizeof near[0]; i++) {
        char path[128], label[160];
        snprintf(path, sizeof path, "/v1/participants/%s", near[i]);
        tl_request rq = {.path = path};
        snprintf(label, sizeof label, "GET id %s", near[i]);
        refuse(label, &rq, 404, "not_found", NULL);
        refuse_patch(near[i], valid, 404, "not_found", NULL);
    }
}

/* The operators' endpoints: replication state, conflicts, backup. */
static void
test_operator_endpoints(void) {
    tl_section("replication, conflicts, backup");
    json_t *r = it_get_json(&node, "/v1/replication");
    CHECK(r && json_is_true(json_object_get(r, "writable")) &&
              json_array_size(json_object_get(r, "peers")) == 0 &&
              json_is_object(json_object_get(r, "version_vector")),
          "a lone node: writable, no peers, a version vector");
    json_decref(r);
    json_t *c = it_get_json(&node, "/v1/conflicts");
    CHECK(c && json_is_array(json_object_get(c, "items")) &&
              json_array_size(json_object_get(c, "items")) == 0,
          "a lone node has no conflicts");
    json_decref(c);
    static const char *const bad[] = {"limit=0", "limit=501", "limit=x",
                                      "foo=1"};
    static const char *const field[] = {"limit", "limit", "limit", "foo"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[64], label[96];
        snprintf(path, sizeof path, "/v1/conflicts?%s", bad[i]);
        snprintf(label, sizeof label, "conflicts ?%s", bad[i]);
        tl_request rq = {.path = path};
        refuse(label, &rq, 400, "bad_query", field[i]);
    }
    tl_request post = {.method = "POST", .path = "/v1/backup"};
    refuse("POST /v1/backup", &post, 405, "method_not_allowed", NULL);
    tl_resp b;
    tl_request get = {.path = "/v1/backup"};
    it_http(&node, &get, &b);
    /* An LMDB file starts with its meta page: magic 0xBEEFC0DE at 16. */
    static const unsigned char magic[] = {0xde, 0xc0, 0xef, 0xbe};
    CHECK(b.status == 200 && strcmp(b.ctype, "application/octet-stream") == 0 &&
              b.len >= 4096 && memcmp(b.body + 16, magic, 4) == 0,
          "GET /v1/backup streams an LMDB file (%ld, %zu bytes, %s)", b.status,
          b.len, b.ctype);
    tl_resp_release(&b);
}

/* Every endpoint refuses a parameter it does not take. */
static void
test_query_every_endpoint(void) {
    tl_section("400 bad_query on every endpoint");
    char idq[128];
    snprintf(idq, sizeof idq, "/v1/participants/%s?foo=1", mentee_id);
    const struct {
        const char *path, *field;
    } any[] = {
        {"/v1/digest?foo=1", "foo"},
        {"/v1/replication?foo=1", "foo"},
        {"/v1/backup?foo=1", "foo"},
        {"/v1/health?foo=1", "foo"},
        {"/metrics?foo=1", "foo"},
        {idq, "foo"},
        {"/v1/conflicts?role=mentor", "role"},
        {"/v1/stats?limit=5", "limit"},
        {"/v1/digest?verify=true", "verify"},
    };
    for (size_t i = 0; i < sizeof any / sizeof any[0]; i++) {
        char label[200];
        snprintf(label, sizeof label, "GET %.120s", any[i].path);
        tl_request arq = {.path = any[i].path};
        refuse(label, &arq, 400, "bad_query", any[i].field);
    }
    char patchq[160];
    snprintf(patchq, sizeof patchq, "/v1/participants/%s?foo=1", mentee_id);
    refuse_body("PATCH with ?foo=1", "PATCH", patchq,
                "{\"status\":\"waiting\"}", 400, "bad_query", "foo");
}

static void
test_query_refused(void) {
    tl_section("400 bad_query");
    char *longq = repeat("a", 101), q[200];
    snprintf(q, sizeof q, "q=%s", longq);
    const struct {
        const char *query, *field;
    } cases[] = {
        {"foo=1", "foo"},
        {"role=mentor&foo=", "foo"},
        {"limit=0", "limit"},
        {"limit=501", "limit"},
        {"limit=-1", "limit"},
        {"limit=abc", "limit"},
        {"limit=", "limit"},
        {"limit=1.5", "limit"},
        {"limit=%2B5", "limit"},
        {"limit=99999999999999999999", "limit"},
        {"cursor=zz", "cursor"},
        {"cursor=", "cursor"},
        {"cursor=0123456789abcdef0123456789abcde", "cursor"},
        {"role=admin", "role"},
        {"role=Mentor", "role"},
        {"role=", "role"},
        {"status=married", "status"},
        {"status=", "status"},
        {"division=nowhere", "division"},
        {"division=Copenhagen", "division"},
        {"division=1", "division"},
        {q, "q"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[300], label[200];
        snprintf(path, sizeof path, "/v1/participants?%s", cases[i].query);
        snprintf(label, sizeof label, "list ?%.60s", cases[i].query);
        tl_request rq = {.path = path};
        refuse(label, &rq, 400, "bad_query", cases[i].field);
    }
    tl_request rq = {.path = "/v1/stats?verify=maybe"};
    refuse("stats ?verify=maybe", &rq, 400, "bad_query", "verify");
    rq.path = "/v1/stats?foo=1";
    refuse("stats ?foo=1", &rq, 400, "bad_query", "foo");
    rq.path = "/v1/stats?suppress=yes";
    refuse("stats ?suppress=yes", &rq, 400, "bad_query", "suppress");
    rq.path = "/v1/stats?format=xml";
    refuse("stats ?format=xml", &rq, 400, "bad_query", "format");
    free(longq);

    json_t *one = it_get_json(&node, "/v1/participants?limit=1");
    CHECK(json_array_size(json_object_get(one, "items")) == 1 &&
              json_is_string(json_object_get(one, "next_cursor")),
          "limit=1 answers one item and a cursor");
    json_decref(one);
    json_t *max = it_get_json(&node, "/v1/participants?limit=500");
    CHECK(max != NULL, "limit=500 is accepted");
    json_decref(max);
}

/* ---- raw requests: framing, and what the HTTP library answers --------- */

/* Send req on a new connection and read until the node closes it (or 5 s
 * pass). Returns the reply, NUL-terminated (caller frees). */
static char *
raw_exchange(const char *req, size_t n) {
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)node.http_port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    size_t cap = 1 << 16, len = 0;
    char *buf = calloc(1, cap);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (!buf || fd < 0)
        abort();
    if (connect(fd, (struct sockaddr *)&to, sizeof to) == 0)
        for (ssize_t k; n && (k = send(fd, req, n, MSG_NOSIGNAL)) > 0;)
            req += k, n -= (size_t)k;
    uint64_t deadline = tl_now_ms() + 5000;
    while (len + 1 < cap && tl_now_ms() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t k = recv(fd, buf + len, cap - 1 - len, 0);
        if (k <= 0)
            break;
        len += (size_t)k;
    }
    CHECK(tl_now_ms() < deadline, "the node closed the connection");
    close(fd);
    return buf;
}

static int
count_of(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* A raw request the API refuses itself: one JSON answer, then the close,
 * and nothing stored. */
static void
raw_refused(const char *label, const char *req, int status, const char *code) {
    char want[64], head[32];
    json_t *before = snapshot();
    char *reply = raw_exchange(req, strlen(req));
    snprintf(head, sizeof head, "HTTP/1.1 %d ", status);
    snprintf(want, sizeof want, "{\"error\":{\"code\":\"%s\"", code);
    CHECK(strncmp(reply, head, strlen(head)) == 0 && strstr(reply, want) &&
              strstr(reply, "Content-Type: application/json") &&
              count_of(reply, "HTTP/1.1 ") == 1,
          "%s: one JSON %d %s (got '%.200s')", label, status, code, reply);
    json_t *after = snapshot();
    CHECK(json_equal(before, after), "%s: the store is unchanged", label);
    json_decref(before);
    json_decref(after);
    free(reply);
}

/* A request libmicrohttpd refuses before the API sees it: its status,
 * then the close (its body is the library's HTML: README "HTTP API"). */
static void
raw_library(const char *label, const char *req, size_t n, int status) {
    char head[32];
    char *reply = raw_exchange(req, n);
    snprintf(head, sizeof head, "HTTP/1.1 %d ", status);
    CHECK(strncmp(reply, head, strlen(head)) == 0,
          "%s: %d from the HTTP library (got '%.80s')", label, status, reply);
    printf("%s: %d status line(s), Content-Type %s\n", label,
           count_of(reply, "HTTP/1.1 "),
           strstr(reply, "Content-Type: application/json") ? "JSON" : "none");
    free(reply);
}

/* A create's body, and the head of its raw request up to the framing
 * headers (into pre, size bytes). */
static const char person[] =
    "{\"role\":\"mentee\",\"given_name\":\"Raw\",\"family_name\":\"Req\"}";

static void
raw_create_head(char *pre, size_t size) {
    snprintf(pre, size,
             "POST /v1/participants HTTP/1.1\r\nHost: x\r\n"
             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n",
             node.token);
}

static void
test_framing(void) {
    tl_section("framing: Content-Length and Transfer-Encoding");
    char req[1024], pre[512];
    raw_create_head(pre, sizeof pre);
    snprintf(req, sizeof req,
             "%sContent-Length: 2\r\nContent-Length: %zu\r\n\r\n%s", pre,
             sizeof person - 1, person);
    raw_refused("two conflicting Content-Length", req, 400, "bad_request");
    snprintf(req, sizeof req,
             "%sContent-Length: %zu\r\nContent-Length: %zu\r\n\r\n%s", pre,
             sizeof person - 1, sizeof person - 1, person);
    raw_refused("two equal Content-Length", req, 400, "bad_request");
    snprintf(req, sizeof req,
             "%sContent-Length: %zu\r\nTransfer-Encoding: chunked\r\n\r\n%s",
             pre, sizeof person - 1, person);
    raw_refused("Content-Length and Transfer-Encoding", req, 400,
                "bad_request");
    /* A smuggled second request in the body is never answered. */
    snprintf(req, sizeof req,
             "%sContent-Length: 0\r\nContent-Length: 37\r\n\r\n"
             "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n",
             pre);
    raw_refused("a request smuggled behind two Content-Length", req, 400,
                "bad_request");
}

static void
test_library_answers(void) {
    tl_section("what libmicrohttpd answers itself");
    char req[1024], pre[512];
    raw_create_head(pre, sizeof pre);
    json_t *before = snapshot();
    snprintf(req, sizeof req, "%sContent-Length: -1\r\n\r\n%s", pre, person);
    raw_library("Content-Length: -1", req, strlen(req), 400);
    snprintf(req, sizeof req, "%sContent-Length: abc\r\n\r\n%s", pre, person);
    raw_library("Content-Length: abc", req, strlen(req), 400);
    json_t *after = snapshot();
    CHECK(json_equal(before, after),
          "bad Content-Length: the store is unchanged");
    json_decref(before);
    json_decref(after);
    static const char http99[] = "GET /v1/health HTTP/9.9\r\nHost: x\r\n\r\n";
    raw_library("HTTP/9.9", http99, sizeof http99 - 1, 505);
    char *big = repeat("a", 100000), *z = malloc(120000);
    if (!z)
        abort();
    int n = snprintf(z, 120000, "GET /v1/%s HTTP/1.1\r\nHost: x\r\n\r\n", big);
    raw_library("a 100 KB URL", z, (size_t)n, 414);
    n = snprintf(z, 120000,
                 "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n",
                 big);
    raw_library("one 100 KB header", z, (size_t)n, 431);
    free(z);
    free(big);
    char *many = repeat("X-Many: 1\r\n", 5000);
    z = malloc(strlen(many) + 100);
    if (!z)
        abort();
    n = sprintf(z, "GET /v1/health HTTP/1.1\r\nHost: x\r\n%s\r\n", many);
    raw_library("5,000 headers", z, (size_t)n, 431);
    free(z);
    free(many);
    tl_resp hr;
    it_get(&node, "/v1/health", &hr);
    CHECK(hr.status == 200, "the node still answers");
    tl_resp_release(&hr);
}

/* ---- signals: a client's mistake is not a storage failure --------------- */

static void
test_bad_request_signals(void) {
    tl_section("a refused import counts as a bad request, not a write error");
    static const char status400[] =
        "mentornet_http_bad_requests_total{status=\"400\"}";
    long long errors = get_metric("mentornet_write_errors_total");
    long long bad = get_metric(status400);
    char *body = ndjson(50, 20, "{\"role\":\"pilot\"}");
    refuse_import("bad line 20 of 50", body, "missing_field", "line 20");
    free(body);
    CHECK(get_metric("mentornet_write_errors_total") == errors,
          "write_errors_total unchanged (%lld)", errors);
    CHECK(get_metric(status400) == bad + 1,
          "bad_requests_total{status=\"400\"} grew by 1 (%lld -> %lld)", bad,
          get_metric(status400));
    char *log = tl_read_file(node.log, NULL);
    CHECK(log && !strstr(log, "write group failed"),
          "the node's log has no \"write group failed\"");
    free(log);
}

/* ---- large imports and concurrent writers ------------------------------ */

static json_int_t
stats_total(void) {
    json_t *s = it_get_json(&node, "/v1/stats");
    json_int_t total = json_integer_value(json_object_get(s, "total"));
    json_decref(s);
    return total;
}

/* The body of a big import with blank lines (also CRLF ones) at its start,
 * in its middle and at its end: they are skipped, not counted. */
static char *
big_body_with_blanks(void) {
    char *lines = ndjson(NBIG_IMPORT, 0, NULL);
    size_t n = strlen(lines), cut = n / 2;
    while (lines[cut - 1] != '\n')
        cut++;
    char *z = malloc(n + 16);
    if (!z)
        abort();
    snprintf(z, n + 16, "\n\r\n%.*s\n\n%s\r\n\n", (int)cut, lines, lines + cut);
    free(lines);
    return z;
}

static void
test_big_import(void) {
    tl_section("import larger than one group commit");
    /* The body is validated whole before any of it is written: a bad line
     * in either half, even the very last one, leaves nothing. */
    static const struct {
        int line;
        const char *bad, *code;
    } bad[] = {
        {2, "{\"role\":\"pilot\"}", "missing_field"},
        {NBIG_IMPORT / 2 + 1, "{oops}", "bad_json"},
        {NBIG_IMPORT - 1, "{\"role\":\"pilot\"}", "missing_field"},
        {NBIG_IMPORT,
         "{\"role\":\"mentee\",\"given_name\":\"X\",\"family_name\":\"Y\","
         "\"birth_year\":1800}",
         "invalid_field"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char label[96], word[32];
        snprintf(label, sizeof label, "bad line %d of a %d-line import",
                 bad[i].line, NBIG_IMPORT);
        snprintf(word, sizeof word, "line %d:", bad[i].line);
        char *body = ndjson(NBIG_IMPORT, bad[i].line, bad[i].bad);
        refuse_import(label, body, bad[i].code, word);
        free(body);
    }
    char *body = big_body_with_blanks();
    json_int_t seq = vv_self(), total = stats_total();
    tl_request rq = {.method = "POST",
                     .path = "/v1/import",
                     .ctype = "application/x-ndjson",
                     .body = body,
                     .len = strlen(body)};
    tl_resp r;
    it_http(&node, &rq, &r);
    CHECK(r.status == 200 && json_integer_value(json_object_get(
                                 r.json, "imported")) == NBIG_IMPORT,
          "import of %d lines and blank ones: imported %d (got %ld %s)",
          NBIG_IMPORT, NBIG_IMPORT, r.status, r.body ? r.body : "");
    CHECK(vv_self() == seq + NBIG_IMPORT, "and %d changes", NBIG_IMPORT);
    CHECK(stats_total() == total + NBIG_IMPORT,
          "and %d more participants in the stats", NBIG_IMPORT);
    created_total += json_integer_value(json_object_get(r.json, "imported"));
    tl_resp_release(&r);
    free(body);

    size_t big = MN_MAX_IMPORT_BODY + 1;
    body = malloc(big);
    if (!body)
        abort();
    memset(body, '\n', big);
    rq.body = body;
    rq.len = big;
    refuse("import of 16 MiB + 1", &rq, 413, "too_large", NULL);
    free(body);
}

struct conc {
    pthread_t thread;
    int no;
    int created, not_found, other;
};

static void *
conc_main(void *arg) {
    struct conc *c = arg;
    char body[160], path[128];
    for (int i = 0; i < NCONC_WRITES; i++) {
        tl_resp r;
        if (i % 2) {
            snprintf(path, sizeof path, "/v1/participants/%08x%024d", c->no, i);
            it_send_json(&node, "PATCH", path, "{\"status\":\"waiting\"}", &r);
            c->not_found +=
                r.status == 404 && strcmp(it_error_code(&r), "not_found") == 0;
            c->other += r.status != 404;
        } else {
            snprintf(body, sizeof body,
                     "{\"role\":\"mentee\",\"given_name\":\"Conc\","
                     "\"family_name\":\"T%d-%d\"}",
                     c->no, i);
            it_send_json(&node, "POST", "/v1/participants", body, &r);
            c->created += r.status == 201;
            c->other += r.status != 201;
        }
        tl_resp_release(&r);
    }
    tl_http_thread_done();
    return NULL;
}

static void
test_concurrent(void) {
    tl_section("concurrent creates and patches of unknown ids");
    struct conc cs[NCONC_THREADS];
    json_int_t seq = vv_self();
    for (int t = 0; t < NCONC_THREADS; t++) {
        cs[t] = (struct conc){.no = t + 1};
        pthread_create(&cs[t].thread, NULL, conc_main, &cs[t]);
    }
    int created = 0, not_found = 0, other = 0;
    for (int t = 0; t < NCONC_THREADS; t++) {
        pthread_join(cs[t].thread, NULL);
        created += cs[t].created;
        created_total += cs[t].created;
        not_found += cs[t].not_found;
        other += cs[t].other;
    }
    int half = NCONC_THREADS * NCONC_WRITES / 2;
    CHECK(created == half && not_found == half && other == 0,
          "every create 201 (%d), every unknown patch 404 (%d), nothing "
          "else (%d)",
          created, not_found, other);
    CHECK(vv_self() == seq + half, "exactly one change per create");
    json_t *s = it_get_json(&node, "/v1/stats?verify=true");
    CHECK(json_is_true(json_object_get(s, "verified")),
          "stats verify after concurrent writes");
    json_decref(s);
    json_t *items = walk("q=conc", 500);
    CHECK(json_array_size(items) == (size_t)half,
          "the list has every concurrent create (%zu)", json_array_size(items));
    json_decref(items);
}

/* ---- an import that meets a full map ------------------------------------ */

/* Lines from..to (1-based) of the storage-error import, as NDJSON. */
static char *
full_lines(int from, int to) {
    char *pad = repeat("n", 300);
    size_t cap = (size_t)(to - from + 1) * 400 + 1, len = 0;
    char *z = malloc(cap);
    if (!z || !pad)
        abort();
    z[0] = '\0';
    for (int i = from; i <= to; i++)
        len += (size_t)snprintf(z + len, cap - len,
                                "{\"role\":\"mentee\",\"given_name\":"
                                "\"Full%05d\",\"family_name\":\"Map\","
                                "\"notes\":\"%s\"}\n",
                                i, pad);
    free(pad);
    return z;
}

static json_int_t
post_import(it_node *n, const char *body, tl_resp *r) {
    tl_request rq = {.method = "POST",
                     .path = "/v1/import",
                     .ctype = "application/x-ndjson",
                     .body = body,
                     .len = strlen(body)};
    it_http(n, &rq, r);
    json_t *e = json_object_get(r->json, "error");
    return json_integer_value(json_object_get(e ? e : r->json, "imported"));
}

static json_int_t
node_total(it_node *n) {
    json_t *s = it_get_json(n, "/v1/stats?verify=true");
    CHECK(json_is_true(json_object_get(s, "verified")),
          "stats of the node are verified");
    json_int_t total = json_integer_value(json_object_get(s, "total"));
    json_decref(s);
    return total;
}

/* A storage error after some batches leaves exactly the lines the reply
 * names; sending the rest from the line it names completes the import. */
static void
check_partial_import(it_node *n) {
    tl_resp r;
    char *body = full_lines(1, NFULL), want[64];
    json_int_t k = post_import(n, body, &r);
    free(body);
    CHECK(r.status == 507 && strcmp(it_error_code(&r), "storage_full") == 0,
          "import into a full map: 507 storage_full (got %ld %s)", r.status,
          r.body ? r.body : "");
    CHECK(k > 0 && k < NFULL, "the error says %lld of %d lines were imported",
          (long long)k, NFULL);
    snprintf(want, sizeof want, "from line %lld", (long long)k + 1);
    CHECK(strstr(it_error_message(&r), want) != NULL,
          "the message says to send the rest %s (got '%s')", want,
          it_error_message(&r));
    printf("%lld of %d lines were imported before the map was full\n",
           (long long)k, NFULL);
    tl_resp_release(&r);
    CHECK(node_total(n) == k, "the store holds exactly those %lld",
          (long long)k);
    it_node_stop(n);
    n->map_mb = FULL_BIG_MAP_MB;
    if (it_node_write_config(n) != 0 || it_node_start(n) != 0)
        return;
    body = full_lines((int)k + 1, NFULL);
    json_int_t rest = post_import(n, body, &r);
    free(body);
    CHECK(r.status == 200 && rest == NFULL - k,
          "the rest imports after a bigger map: %lld (got %ld %s)",
          (long long)(NFULL - k), r.status, r.body ? r.body : "");
    tl_resp_release(&r);
    CHECK(node_total(n) == NFULL, "and the node holds all %d once", NFULL);
}

static void
test_import_storage_full(const char *daemon, int port) {
    tl_section("import: a storage error after some batches");
    it_node small;
    if (it_node_create(&small, daemon, port, FULL_MAP_MB) == 0 &&
        it_node_start(&small) == 0)
        check_partial_import(&small);
    it_node_destroy(&small);
}

/* ---- restart ---------------------------------------------------------- */

static void
test_restart(void) {
    tl_section("restart keeps data and token");
    char token[128];
    json_t *before = snapshot();
    snprintf(token, sizeof token, "%s", node.token);
    CHECK(it_node_stop(&node) == 0, "SIGTERM: the node exits 0");
    if (it_node_start(&node) != 0)
        return;
    CHECK(strcmp(token, node.token) == 0, "the admin token is kept");
    json_t *after = snapshot();
    CHECK(json_equal(before, after), "digest and stats survive a restart");
    json_decref(before);
    json_decref(after);
    long status;
    json_t *p = get_participant(mentor_id, &status);
    CHECK(status == 200, "a participant survives a restart");
    json_decref(p);
}

int
main(int argc, char **argv) {
    const char *daemon;
    int port;
    it_args(argc, argv, false, &daemon, &port, NULL);
    tl_begin("integration.api", WATCHDOG_S);
    if (it_node_create(&node, daemon, port, 64) == 0 &&
        it_node_start(&node) == 0) {
        test_health();
        test_web();
        test_metrics();
        test_create_get();
        test_create_limits();
        test_patch();
        test_import();
        test_import_refused();
        test_list();
        test_list_unicode_q();
        test_stats();
        test_auth_refused();
        test_auth_hides_paths();
        test_routes_refused();
        test_body_refused();
        test_bad_json();
        test_fields_refused();
        test_missing_refused();
        test_known_gaps();
        test_patch_refused();
        test_near_ids();
        test_query_refused();
        test_query_every_endpoint();
        test_operator_endpoints();
        test_framing();
        test_library_answers();
        test_bad_request_signals();
        test_stats();
        test_big_import();
        test_concurrent();
        test_stats();
        test_restart();
        test_import_storage_full(daemon, port + 2);
    }
    it_node_destroy(&node);
    free(mentor_id);
    free(mentee_id);
    return tl_summary();
}
