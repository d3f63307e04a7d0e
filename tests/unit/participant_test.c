/*
 * participant_test — unit tests for the participant kind (its table in
 * state/participant.c, read by api/kind_json.c): validation of create and
 * patch bodies (every rejection names the right problem code and field,
 * and leaves the caller's ops untouched), rendering back to JSON, every
 * field of the table round-tripping and every limit refused. (Ids and
 * times: id_test.)
 *
 * JSON in this file is written with single quotes for readability; q()
 * turns them into double quotes (no test value contains a quote).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "api/kind_json.h"
#include "base/config.h"
#include "door/codec.h"
#include "door/crypto.h"
#include "state/entity.h"
#include "mentornet/mentornet.h"
#include "state/participant.h"
#include "base/util.h"
#include "unit_helpers.h"

#define HOME 3
/* 2026-11-26T10:00:00Z in ms since the epoch. */
#define CONSENT_MS INT64_C(1795687200000)
#define SENTINEL_NO 999

/* Parse JSON text written with single quotes (any JSON value). */
static json_t *
q(const char *text) {
    char buf[8192];
    json_error_t err;
    size_t n = strlen(text);
    assert_true(n < sizeof buf);
    for (size_t i = 0; i <= n; i++)
        buf[i] = text[i] == '\'' ? '"' : text[i];
    json_t *v = json_loads(buf, JSON_DECODE_ANY, &err);
    if (!v)
        fail_msg("test JSON does not parse: %s: %s", buf, err.text);
    return v;
}

static const mn_field_op *
find_op(const mn_ops *ops, uint32_t no) {
    const mn_field_op *found = NULL;
    for (size_t i = 0; i < ops->n; i++)
        if (ops->op[i].no == no) {
            assert_null(found); /* each field at most once */
            found = &ops->op[i];
        }
    return found;
}

static void
expect_str_op(const mn_ops *ops, uint32_t no, const char *z) {
    const mn_field_op *op = find_op(ops, no);
    if (!op)
        fail_msg("no op for field %u", no);
    assert_int_equal(op->v.kind, MN_V_STR);
    assert_string_equal(op->v.s, z);
    assert_int_equal(op->v.len, strlen(z));
}

static void
expect_int_op(const mn_ops *ops, uint32_t no, int64_t v) {
    const mn_field_op *op = find_op(ops, no);
    if (!op)
        fail_msg("no op for field %u", no);
    assert_int_equal(op->v.kind, MN_V_INT);
    assert_true(op->v.i == v);
}

static void
expect_clear_op(const mn_ops *ops, uint32_t no) {
    const mn_field_op *op = find_op(ops, no);
    if (!op)
        fail_msg("no op for field %u", no);
    assert_int_equal(op->v.kind, MN_V_NONE);
}

/* Parse body; out starts empty. */
static int
parse(json_t *body, const mn_entity *current, mn_ops *out, mn_problem *p) {
    mn_ops_init(out);
    memset(p, 0, sizeof *p);
    int rc =
        mn_kind_json_parse(&mn_kind_participant, body, current, HOME, out, p);
    json_decref(body);
    return rc;
}

/* body must be refused with (code, field) and must not touch out, which
 * holds one sentinel op beforehand. */
static void
expect_reject(json_t *body, const mn_entity *current, const char *code,
              const char *field) {
    mn_ops out;
    mn_problem p;
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    mn_ops_init(&out);
    mn_ops_add_int(&out, SENTINEL_NO, 1);
    memset(&p, 0, sizeof p);
    int rc =
        mn_kind_json_parse(&mn_kind_participant, body, current, HOME, &out, &p);
    json_decref(body);
    if (rc != MN_EINVAL)
        fail_msg("%s: accepted (%d)", text, rc);
    if (!p.code || strcmp(p.code, code) != 0)
        fail_msg("%s: code %s, expected %s", text, p.code ? p.code : "NULL",
                 code);
    if (strcmp(p.field, field) != 0)
        fail_msg("%s: field \"%s\", expected \"%s\"", text, p.field, field);
    if (strlen(p.message) == 0)
        fail_msg("%s: no message", text);
    if (out.n != 1 || out.op[0].no != SENTINEL_NO)
        fail_msg("%s: ops changed on failure (n=%zu)", text, out.n);
    mn_ops_release(&out);
    free(text);
}

/* Her consent, which a special field needs (README "Consent"). */
static void
add_consent(json_t *b) {
    json_object_set_new(b, "consent",
                        json_pack("{s:[s], s:s}", "purposes", "statistics",
                                  "given_at", "2026-11-26T10:00:00Z"));
}

/* A valid create body for role, with one more field name = value (and her
 * consent when that is a special field). */
static json_t *
create_with(const char *role, const char *name, json_t *value) {
    json_t *b = json_pack("{s:s, s:s, s:s}", "role", role, "given_name",
                          "Amina", "family_name", "Haddad");
    if (name)
        json_object_set_new(b, name, value);
    if (name && (strcmp(name, "country_of_origin") == 0 ||
                 strcmp(name, "background") == 0))
        add_consent(b);
    return b;
}

static void
expect_field_rejected(const char *role, const char *name, json_t *value,
                      const char *code, const char *field) {
    expect_reject(create_with(role, name, value), NULL, code, field);
}

static void
expect_field_accepted(const char *role, const char *name, json_t *value) {
    mn_ops out;
    mn_problem p;
    json_t *b = create_with(role, name, value);
    char *text = json_dumps(b, JSON_COMPACT);
    int rc = parse(b, NULL, &out, &p);
    if (rc != MN_OK)
        fail_msg("%s: refused: %s", text, p.message);
    mn_ops_release(&out);
    free(text);
}

/* A string of n copies of unit. */
static json_t *
repeat(const char *unit, size_t n) {
    size_t len = strlen(unit);
    char *z = mn_malloc(n * len + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(z + i * len, unit, len);
    z[n * len] = '\0';
    json_t *s = json_string(z);
    free(z);
    assert_non_null(s);
    return s;
}

/* ---- creates ----------------------------------------------------------- */

static void
test_create_minimal(void **state) {
    mn_ops out;
    mn_problem p;

    (void)state;
    assert_int_equal(parse(q("{'role':'mentee','given_name':'Amina',"
                             "'family_name':'Haddad'}"),
                           NULL, &out, &p),
                     MN_OK);
    expect_str_op(&out, MN_P_ROLE, "mentee");
    expect_str_op(&out, MN_P_GIVEN_NAME, "Amina");
    expect_str_op(&out, MN_P_FAMILY_NAME, "Haddad");
    /* The node's fields: home division and the default status. */
    expect_int_op(&out, MN_P_HOME, HOME);
    expect_str_op(&out, MN_P_STATUS, "applicant");
    assert_int_equal(out.n, 5);
    mn_ops_release(&out);
}

static void
test_create_appends(void **state) {
    mn_ops out;
    mn_problem p;

    (void)state;
    mn_ops_init(&out);
    mn_ops_add_int(&out, SENTINEL_NO, 7);
    json_t *b = q("{'role':'mentor','given_name':'A','family_name':'B',"
                  "'status':'waiting'}");
    assert_int_equal(
        mn_kind_json_parse(&mn_kind_participant, b, NULL, 1, &out, &p), MN_OK);
    json_decref(b);
    assert_int_equal(out.op[0].no, SENTINEL_NO); /* kept, in front */
    expect_str_op(&out, MN_P_STATUS, "waiting"); /* once: no default */
    expect_int_op(&out, MN_P_HOME, 1);
    assert_int_equal(out.n, 1 + 5);
    mn_ops_release(&out);
}

static const char full_body[] =
    "{'role':'mentor','status':'waiting','given_name':'Amina',"
    "'family_name':'Haddad','email':'amina@example.dk',"
    "'phone':'+45 12 34 56 78','birth_year':1985,'country_of_origin':'SY',"
    "'background':'refugee','languages':['ar','da','en'],"
    "'danish_level':'B2','education_level':'master',"
    "'profession':'Civil engineer','sector':'Construction',"
    "'years_in_denmark':7,'goals':['job','network'],'capacity':2,"
    "'availability':'Evenings',"
    "'consent':{'purposes':['matching','statistics'],"
    "'given_at':'2026-11-26T10:00:00.000Z'},"
    "'notes':'Line one\\nLine two','joined_year':2011}";

static void
test_create_full(void **state) {
    mn_ops out;
    mn_problem p;

    (void)state;
    assert_int_equal(parse(q(full_body), NULL, &out, &p), MN_OK);
    expect_str_op(&out, MN_P_ROLE, "mentor");
    expect_str_op(&out, MN_P_STATUS, "waiting");
    expect_str_op(&out, MN_P_EMAIL, "amina@example.dk");
    expect_str_op(&out, MN_P_PHONE, "+45 12 34 56 78");
    expect_int_op(&out, MN_P_BIRTH_YEAR, 1985);
    expect_str_op(&out, MN_P_COUNTRY, "SY");
    expect_str_op(&out, MN_P_BACKGROUND, "refugee");
    expect_str_op(&out, MN_P_LANGUAGES, "ar,da,en");
    expect_str_op(&out, MN_P_DANISH_LEVEL, "B2");
    expect_str_op(&out, MN_P_EDUCATION, "master");
    expect_str_op(&out, MN_P_PROFESSION, "Civil engineer");
    expect_str_op(&out, MN_P_SECTOR, "Construction");
    expect_int_op(&out, MN_P_YEARS_IN_DK, 7);
    expect_str_op(&out, MN_P_GOALS, "job,network");
    expect_int_op(&out, MN_P_CAPACITY, 2);
    expect_str_op(&out, MN_P_AVAILABILITY, "Evenings");
    expect_str_op(&out, MN_P_CONSENT_PURPOSES, "matching,statistics");
    expect_int_op(&out, MN_P_CONSENT_AT, CONSENT_MS);
    expect_str_op(&out, MN_P_NOTES, "Line one\nLine two");
    expect_int_op(&out, MN_P_JOINED_YEAR, 2011);
    expect_int_op(&out, MN_P_HOME, HOME);
    assert_int_equal(out.n, 23);
    mn_ops_release(&out);
}

static void
test_not_an_object(void **state) {
    (void)state;
    expect_reject(q("[]"), NULL, "bad_json", "");
    expect_reject(q("'mentee'"), NULL, "bad_json", "");
    expect_reject(q("null"), NULL, "bad_json", "");
    expect_reject(q("42"), NULL, "bad_json", "");
}

static void
test_missing_required(void **state) {
    (void)state;
    expect_reject(q("{'given_name':'A','family_name':'B'}"), NULL,
                  "missing_field", "role");
    expect_reject(q("{'role':'mentee','family_name':'B'}"), NULL,
                  "missing_field", "given_name");
    expect_reject(q("{'role':'mentee','given_name':'A'}"), NULL,
                  "missing_field", "family_name");
    expect_reject(q("{}"), NULL, "missing_field", "role");
    /* null is not a value for a required field. */
    expect_field_rejected("mentee", "given_name", json_null(), "invalid_field",
                          "given_name");
    expect_field_rejected("mentee", "family_name", json_null(), "invalid_field",
                          "family_name");
    expect_field_rejected("mentee", "status", json_null(), "invalid_field",
                          "status");
    expect_reject(q("{'role':null,'given_name':'A','family_name':'B'}"), NULL,
                  "invalid_field", "role");
}

static void
test_unknown_and_read_only(void **state) {
    static const char *const read_only[] = {"id", "home_division", "created_at",
                                            "updated_at"};

    (void)state;
    expect_field_rejected("mentee", "favourite_colour", json_string("red"),
                          "unknown_field", "favourite_colour");
    expect_field_rejected("mentee", "Role", json_string("mentee"),
                          "unknown_field", "Role");
    expect_field_rejected("mentee", "consent_at", json_string("x"),
                          "unknown_field", "consent_at");
    for (size_t i = 0; i < MN_ARRAY_LEN(read_only); i++)
        expect_field_rejected("mentee", read_only[i], json_string("x"),
                              "invalid_field", read_only[i]);
}

static void
test_wrong_types(void **state) {
    static const struct {
        const char *name, *value;
    } cases[] = {
        {"role", "1"},
        {"status", "true"},
        {"given_name", "5"},
        {"family_name", "['Haddad']"},
        {"email", "true"},
        {"phone", "4512345678"},
        {"birth_year", "'1985'"},
        {"birth_year", "1985.0"},
        {"country_of_origin", "1"},
        {"background", "{}"},
        {"languages", "'ar'"},
        {"languages", "[1]"},
        {"languages", "[['ar']]"},
        {"danish_level", "2"},
        {"education_level", "['master']"},
        {"profession", "1"},
        {"sector", "false"},
        {"years_in_denmark", "'5'"},
        {"goals", "'job'"},
        {"goals", "[null]"},
        {"capacity", "'2'"},
        {"availability", "[]"},
        {"consent", "'yes'"},
        {"consent", "[]"},
        {"notes", "{}"},
    };

    (void)state;
    for (size_t i = 0; i < MN_ARRAY_LEN(cases); i++)
        expect_field_rejected(
            strcmp(cases[i].name, "role") ? "mentor" : "mentee", cases[i].name,
            q(cases[i].value), "invalid_field", cases[i].name);
}

static void
test_bad_enums_and_ranges(void **state) {
    static const struct {
        const char *name, *value;
    } bad[] = {
        {"role", "'boss'"},         {"role", "'Mentor'"},
        {"status", "'active'"},     {"status", "''"},
        {"background", "'asylum'"}, {"danish_level", "'b2'"},
        {"danish_level", "'C3'"},   {"education_level", "'college'"},
        {"birth_year", "1899"},     {"birth_year", "2021"},
        {"years_in_denmark", "-1"}, {"years_in_denmark", "101"},
        {"capacity", "0"},          {"capacity", "6"},
        {"capacity", "-3"},
    };
    static const struct {
        const char *name, *value;
    } good[] = {
        {"status", "'withdrawn'"},
        {"background", "'unknown'"},
        {"danish_level", "'none'"},
        {"danish_level", "'C2'"},
        {"education_level", "'phd'"},
        {"birth_year", "1900"},
        {"birth_year", "2020"},
        {"years_in_denmark", "0"},
        {"years_in_denmark", "100"},
        {"capacity", "1"},
        {"capacity", "5"},
    };

    (void)state;
    for (size_t i = 0; i < MN_ARRAY_LEN(bad); i++)
        expect_field_rejected("mentor", bad[i].name, q(bad[i].value),
                              "invalid_field", bad[i].name);
    for (size_t i = 0; i < MN_ARRAY_LEN(good); i++)
        expect_field_accepted("mentor", good[i].name, q(good[i].value));
}

static void
test_codes(void **state) {
    static const char *const bad_countries[] = {"'sy'", "'XK'", "'SYR'",
                                                "''",   "'S'",  "'DK '"};
    static const struct {
        const char *name, *value;
    } bad_lists[] = {
        {"languages", "['xx']"},
        {"languages", "['AR']"},
        {"languages", "['ara']"},
        {"languages", "['ar','da','ar']"},
        {"languages", "['']"},
        {"goals", "['money']"},
        {"goals", "['job','job']"},
        {"goals", "['job','education','network','language','job']"},
    };
    static const char *const sixteen[] = {"ar", "da", "en", "fa", "so", "ti",
                                          "ku", "uk", "ur", "tr", "de", "fr",
                                          "es", "pl", "ro", "ps"};
    mn_ops out;
    mn_problem p;

    (void)state;
    for (size_t i = 0; i < MN_ARRAY_LEN(bad_countries); i++)
        expect_field_rejected("mentee", "country_of_origin",
                              q(bad_countries[i]), "invalid_field",
                              "country_of_origin");
    expect_field_accepted("mentee", "country_of_origin", json_string("DK"));
    for (size_t i = 0; i < MN_ARRAY_LEN(bad_lists); i++)
        expect_field_rejected("mentee", bad_lists[i].name,
                              q(bad_lists[i].value), "invalid_field",
                              bad_lists[i].name);

    /* 16 distinct languages are the most; a 17th is refused. */
    json_t *langs = json_array();
    for (size_t i = 0; i < MN_ARRAY_LEN(sixteen); i++)
        json_array_append_new(langs, json_string(sixteen[i]));
    assert_int_equal(
        parse(create_with("mentee", "languages", json_deep_copy(langs)), NULL,
              &out, &p),
        MN_OK);
    const mn_field_op *op = find_op(&out, MN_P_LANGUAGES);
    assert_non_null(op);
    assert_int_equal(op->v.len, 16 * 3 - 1);
    mn_ops_release(&out);
    json_array_append_new(langs, json_string("sv"));
    expect_field_rejected("mentee", "languages", langs, "invalid_field",
                          "languages");

    /* An empty list is a value: no languages. */
    assert_int_equal(
        parse(create_with("mentee", "languages", json_array()), NULL, &out, &p),
        MN_OK);
    expect_str_op(&out, MN_P_LANGUAGES, "");
    mn_ops_release(&out);
}

/* Lengths count characters, not bytes: "ø" is two bytes in UTF-8. */
static void
test_lengths_in_characters(void **state) {
    mn_ops out;
    mn_problem p;

    (void)state;
    assert_int_equal(
        parse(create_with("mentee", "given_name", repeat("\xc3\xb8", 100)),
              NULL, &out, &p),
        MN_OK);
    const mn_field_op *op = find_op(&out, MN_P_GIVEN_NAME);
    assert_non_null(op);
    assert_int_equal(op->v.len, 200);
    mn_ops_release(&out);
    expect_field_rejected("mentee", "given_name", repeat("\xc3\xb8", 101),
                          "invalid_field", "given_name");
    /* A 4-byte character counts once too. */
    expect_field_accepted("mentee", "family_name",
                          repeat("\xf0\x9f\x98\x80", 100));
    expect_field_rejected("mentee", "family_name",
                          repeat("\xf0\x9f\x98\x80", 101), "invalid_field",
                          "family_name");
    expect_field_rejected("mentee", "given_name", json_string(""),
                          "invalid_field", "given_name");

    static const struct {
        const char *name;
        size_t max;
    } limits[] = {{"given_name", 100},   {"family_name", 100},
                  {"profession", 100},   {"sector", 100},
                  {"availability", 200}, {"notes", 2000}};
    for (size_t i = 0; i < MN_ARRAY_LEN(limits); i++) {
        expect_field_accepted("mentee", limits[i].name,
                              repeat("a", limits[i].max));
        expect_field_rejected("mentee", limits[i].name,
                              repeat("a", limits[i].max + 1), "invalid_field",
                              limits[i].name);
    }
}

static void
test_control_characters(void **state) {
    static const char *const bad[] = {"A\nB",
                                      "A\tB",
                                      "A\rB",
                                      "A\x01"
                                      "B",
                                      "A\x1f"
                                      "B",
                                      "A\x7f"
                                      "B"};

    (void)state;
    for (size_t i = 0; i < MN_ARRAY_LEN(bad); i++) {
        expect_field_rejected("mentee", "given_name", json_string(bad[i]),
                              "invalid_field", "given_name");
        expect_field_rejected("mentee", "profession", json_string(bad[i]),
                              "invalid_field", "profession");
    }
    /* An embedded NUL (\u0000 in JSON) cannot hide the rest. */
    expect_field_rejected("mentee", "given_name", json_stringn("A\0B", 3),
                          "invalid_field", "given_name");
    expect_field_rejected("mentee", "notes", json_stringn("A\0B", 3),
                          "invalid_field", "notes");
    /* Notes may have line breaks, but no other control characters. */
    expect_field_accepted("mentee", "notes", json_string("one\ntwo\n"));
    expect_field_rejected("mentee", "notes", json_string("bell\x07"),
                          "invalid_field", "notes");
    expect_field_rejected("mentee", "notes", json_string("del\x7f"),
                          "invalid_field", "notes");
    /* Non-ASCII letters are not control characters. */
    expect_field_accepted("mentee", "given_name",
                          json_string("\xc3\x85se \xd8\xb3\xd9\x84\xd9\x85"));
}

static void
test_email_rules(void **state) {
    static const char *const good[] = {"amina@example.dk",
                                       "a.b+c@sub.example.dk", "a@b.c"};
    static const char *const bad[] = {"amina.example.dk",
                                      "@example.dk",
                                      "amina@",
                                      "a@b@c.dk",
                                      "amina@example",
                                      "amina@.dk",
                                      "amina@example.dk.",
                                      "ami na@example.dk",
                                      "a,b@c.dk",
                                      "<a@b.dk>",
                                      "a;b@c.dk",
                                      "ab",
                                      ""};
    char local[300];

    (void)state;
    for (size_t i = 0; i < MN_ARRAY_LEN(good); i++)
        expect_field_accepted("mentee", "email", json_string(good[i]));
    for (size_t i = 0; i < MN_ARRAY_LEN(bad); i++)
        expect_field_rejected("mentee", "email", json_string(bad[i]),
                              "invalid_field", "email");
    /* 254 characters fit, 255 do not. */
    memset(local, 'a', 249);
    memcpy(local + 249, "@b.dk", 6);
    assert_int_equal(strlen(local), 254);
    expect_field_accepted("mentee", "email", json_string(local));
    memset(local, 'a', 250);
    memcpy(local + 250, "@b.dk", 6);
    expect_field_rejected("mentee", "email", json_string(local),
                          "invalid_field", "email");
}

static void
test_phone_rules(void **state) {
    static const char *const good[] = {"+45 12 34 56 78", "(+45) 1234-5678",
                                       "112"};
    static const char *const bad[] = {
        "12a45", "12", "+-()", "1 2", "45.12.34.56", "+45/12345678", ""};

    (void)state;
    for (size_t i = 0; i < MN_ARRAY_LEN(good); i++)
        expect_field_accepted("mentee", "phone", json_string(good[i]));
    for (size_t i = 0; i < MN_ARRAY_LEN(bad); i++)
        expect_field_rejected("mentee", "phone", json_string(bad[i]),
                              "invalid_field", "phone");
    expect_field_accepted("mentee", "phone", repeat("1", 32));
    expect_field_rejected("mentee", "phone", repeat("1", 33), "invalid_field",
                          "phone");
}

static void
test_capacity_only_for_mentors(void **state) {
    mn_ops out;
    mn_problem p;

    (void)state;
    expect_field_rejected("mentee", "capacity", json_integer(2),
                          "invalid_field", "capacity");
    expect_field_rejected("mentee", "capacity", json_integer(1),
                          "invalid_field", "capacity");
    assert_int_equal(parse(create_with("mentor", "capacity", json_integer(3)),
                           NULL, &out, &p),
                     MN_OK);
    expect_int_op(&out, MN_P_CAPACITY, 3);
    mn_ops_release(&out);
    /* Clearing a capacity that does not exist is harmless for mentees. */
    assert_int_equal(
        parse(create_with("mentee", "capacity", json_null()), NULL, &out, &p),
        MN_OK);
    expect_clear_op(&out, MN_P_CAPACITY);
    mn_ops_release(&out);
}

static void
test_consent(void **state) {
    static const char *const shapes[] = {
        "{}",
        "{'purposes':['matching']}",
        "{'given_at':'2026-11-26T10:00:00Z'}",
        ("{'purposes':['matching'],'given_at':'2026-11-26T10:00:00Z',"
         "'extra':1}"),
        "{'purposes':['matching'],'given_at':5}",
        "{'purposes':['matching'],'given_at':null}",
    };
    static const char *const bad_purposes[] = {
        "'matching'", "['marketing']", "['matching','matching']", "[1]",
        "['matching','statistics','contact','sub_networks','matching']"};
    static const char *const bad_times[] = {
        "2026-11-26",
        "2026-11-26T10:00:00",
        "2026-11-26T10:00:00+01:00",
        "2026-11-26 10:00:00Z",
        "yesterday",
        "",
        "2026-11-26T10:00:00.Z",
        "2026-13-01T10:00:00Z",
        "2026-11-26T25:00:00Z",
        "1969-12-31T23:59:59Z",
        "2026-11-26T10:00:00Zjunk",
        "2026-11-26T10:00:00z",
    };
    static const struct {
        const char *text;
        int64_t ms;
    } good_times[] = {
        {"2026-11-26T10:00:00Z", CONSENT_MS},
        {"2026-11-26T10:00:00.5Z", CONSENT_MS + 500},
        {"2026-11-26T10:00:00.123Z", CONSENT_MS + 123},
        {"2026-11-26T10:00:00.123999Z", CONSENT_MS + 123},
        {"1970-01-01T00:00:00Z", 0},
    };
    char buf[256];
    mn_ops out;
    mn_problem p;

    (void)state;
    for (size_t i = 0; i < MN_ARRAY_LEN(shapes); i++)
        expect_field_rejected("mentee", "consent", q(shapes[i]),
                              "invalid_field", "consent");
    for (size_t i = 0; i < MN_ARRAY_LEN(bad_purposes); i++) {
        snprintf(buf, sizeof buf,
                 "{'purposes':%s,'given_at':'2026-11-26T10:00:00Z'}",
                 bad_purposes[i]);
        expect_field_rejected("mentee", "consent", q(buf), "invalid_field",
                              "consent.purposes");
    }
    for (size_t i = 0; i < MN_ARRAY_LEN(bad_times); i++) {
        snprintf(buf, sizeof buf, "{'purposes':['contact'],'given_at':'%s'}",
                 bad_times[i]);
        expect_field_rejected("mentee", "consent", q(buf), "invalid_field",
                              "consent.given_at");
    }
    for (size_t i = 0; i < MN_ARRAY_LEN(good_times); i++) {
        snprintf(buf, sizeof buf,
                 "{'purposes':['sub_networks','contact'],'given_at':'%s'}",
                 good_times[i].text);
        assert_int_equal(
            parse(create_with("mentee", "consent", q(buf)), NULL, &out, &p),
            MN_OK);
        expect_str_op(&out, MN_P_CONSENT_PURPOSES, "sub_networks,contact");
        expect_int_op(&out, MN_P_CONSENT_AT, good_times[i].ms);
        mn_ops_release(&out);
    }
    /* No purposes at all is a consent to nothing, and valid. */
    assert_int_equal(parse(create_with("mentee", "consent",
                                       q("{'purposes':[],'given_at':"
                                         "'2026-11-26T10:00:00Z'}")),
                           NULL, &out, &p),
                     MN_OK);
    expect_str_op(&out, MN_P_CONSENT_PURPOSES, "");
    mn_ops_release(&out);
}

/* ---- patches ----------------------------------------------------------- */

/* Build a stored participant from a create body. */
static void
stored(const char *body, mn_entity *e) {
    static const uint8_t id[MN_ID_BYTES] = {1, 2, 3};
    mn_ops ops;
    mn_problem p;
    mn_stamp st = {UINT64_C(1700000000000) << 16, 1, 1};
    assert_int_equal(parse(q(body), NULL, &ops, &p), MN_OK);
    mn_entity_init(e, MN_ENTITY_PARTICIPANT, id);
    assert_int_equal(mn_entity_merge(e, ops.op, ops.n, &st), (int)ops.n);
    mn_ops_release(&ops);
}

/* A special field needs her consent: in the request (with a purpose) or
 * stored. */
static void
test_consent_required(void **state) {
    static const char consent[] = "'consent':{'purposes':['statistics'],'given_"
                                  "at':'2026-11-26T10:00:00Z'}";
    char buf[256];
    mn_entity bare, consenting, with_country;
    mn_ops out;
    mn_problem p;

    (void)state;
    expect_reject(q("{'role':'mentee','given_name':'A','family_name':'B',"
                    "'country_of_origin':'SY'}"),
                  NULL, "consent_required", "country_of_origin");
    expect_reject(q("{'role':'mentee','given_name':'A','family_name':'B',"
                    "'background':'refugee','consent':{'purposes':[],"
                    "'given_at':'2026-11-26T10:00:00Z'}}"),
                  NULL, "consent_required", "background");
    snprintf(buf, sizeof buf,
             "{'role':'mentee','given_name':'A','family_name':'B',"
             "'country_of_origin':'SY',%s}",
             consent);
    assert_int_equal(parse(q(buf), NULL, &out, &p), MN_OK);
    mn_ops_release(&out);
    /* Stored: presence is enough (a stored value is sealed). */
    stored("{'role':'mentee','given_name':'A','family_name':'B'}", &bare);
    snprintf(buf, sizeof buf,
             "{'role':'mentee','given_name':'A','family_name':'B',%s}",
             consent);
    stored(buf, &consenting);
    snprintf(buf, sizeof buf,
             "{'role':'mentee','given_name':'A','family_name':'B',"
             "'country_of_origin':'SY',%s}",
             consent);
    stored(buf, &with_country);
    expect_reject(q("{'background':'refugee'}"), &bare, "consent_required",
                  "background");
    assert_int_equal(
        parse(q("{'background':'refugee'}"), &consenting, &out, &p), MN_OK);
    mn_ops_release(&out);
    expect_reject(q("{'background':'refugee','consent':null}"), &consenting,
                  "consent_required", "background");
    assert_int_equal(parse(q("{'consent':null,'country_of_origin':null}"),
                           &with_country, &out, &p),
                     MN_OK);
    mn_ops_release(&out);
    /* A bad value is named as such, consent or not. */
    expect_reject(q("{'country_of_origin':'XX'}"), &bare, "invalid_field",
                  "country_of_origin");
    mn_entity_release(&bare);
    mn_entity_release(&consenting);
    mn_entity_release(&with_country);
}

static void
test_patch(void **state) {
    mn_entity mentee, mentor;
    mn_ops out;
    mn_problem p;

    (void)state;
    stored("{'role':'mentee','given_name':'A','family_name':'B',"
           "'email':'a@b.dk'}",
           &mentee);
    stored("{'role':'mentor','given_name':'C','family_name':'D'}", &mentor);

    /* A patch carries only what it changes: no home, no default status. */
    assert_int_equal(parse(q("{'family_name':'Haddad'}"), &mentee, &out, &p),
                     MN_OK);
    assert_int_equal(out.n, 1);
    expect_str_op(&out, MN_P_FAMILY_NAME, "Haddad");
    mn_ops_release(&out);

    /* null clears an optional field (consent clears both halves). */
    assert_int_equal(parse(q("{'email':null,'consent':null,'notes':null}"),
                           &mentee, &out, &p),
                     MN_OK);
    expect_clear_op(&out, MN_P_EMAIL);
    expect_clear_op(&out, MN_P_CONSENT_PURPOSES);
    expect_clear_op(&out, MN_P_CONSENT_AT);
    expect_clear_op(&out, MN_P_NOTES);
    assert_int_equal(out.n, 4);
    mn_ops_release(&out);

    /* The same role is fine (and writes nothing); another is refused. */
    assert_int_equal(
        parse(q("{'role':'mentee','status':'waiting'}"), &mentee, &out, &p),
        MN_OK);
    assert_null(find_op(&out, MN_P_ROLE));
    expect_str_op(&out, MN_P_STATUS, "waiting");
    mn_ops_release(&out);
    expect_reject(q("{'role':'mentor'}"), &mentee, "invalid_field", "role");
    expect_reject(q("{'role':'mentee'}"), &mentor, "invalid_field", "role");

    /* Capacity follows the stored role. */
    expect_reject(q("{'capacity':2}"), &mentee, "invalid_field", "capacity");
    assert_int_equal(parse(q("{'capacity':2}"), &mentor, &out, &p), MN_OK);
    expect_int_op(&out, MN_P_CAPACITY, 2);
    mn_ops_release(&out);

    /* Required fields cannot be cleared by a patch either. */
    expect_reject(q("{'status':null}"), &mentee, "invalid_field", "status");
    expect_reject(q("{'given_name':null}"), &mentee, "invalid_field",
                  "given_name");
    expect_reject(q("{'family_name':null}"), &mentor, "invalid_field",
                  "family_name");
    /* Validation is the same as on create. */
    expect_reject(q("{'email':'nope'}"), &mentee, "invalid_field", "email");
    expect_reject(q("{'id':'00'}"), &mentee, "invalid_field", "id");
    expect_reject(q("{'shoe_size':38}"), &mentee, "unknown_field", "shoe_size");
    /* A later bad field still leaves out untouched. */
    expect_reject(q("{'notes':'fine','phone':'x'}"), &mentee, "invalid_field",
                  "phone");
    /* Nothing to change. */
    expect_reject(q("{}"), &mentee, "empty_patch", "");
    mn_entity_release(&mentee);
    mn_entity_release(&mentor);
}

/* A patch may repeat the role but never clear or retype it. */
static void
test_patch_role_null_or_wrong_type(void **state) {
    mn_entity mentee;

    (void)state;
    stored("{'role':'mentee','given_name':'A','family_name':'B'}", &mentee);
    expect_reject(q("{'role':null}"), &mentee, "invalid_field", "role");
    expect_reject(q("{'role':5}"), &mentee, "invalid_field", "role");
    mn_entity_release(&mentee);
}

/* A patch that only repeats the stored role parses to no ops at all. */
static void
test_patch_that_changes_nothing(void **state) {
    mn_entity mentee;
    mn_ops out;
    mn_problem p;

    (void)state;
    stored("{'role':'mentee','given_name':'A','family_name':'B'}", &mentee);
    /* Repeating the stored role is accepted and writes nothing: the HTTP
     * layer answers without a change, so no empty change is ever made. */
    mn_ops_init(&out);
    assert_int_equal(parse(q("{'role':'mentee'}"), &mentee, &out, &p), MN_OK);
    assert_int_equal(out.n, 0);
    mn_entity_release(&mentee);
}

/* ---- rendering --------------------------------------------------------- */

static void
config_two_divisions(mn_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->ndivisions = 2;
    cfg->divisions[0].id = 1;
    strcpy(cfg->divisions[0].name, "copenhagen");
    cfg->divisions[1].id = 2;
    strcpy(cfg->divisions[1].name, "aarhus");
    cfg->self = cfg->divisions[0];
}

static void
test_json_round_trip(void **state) {
    static mn_config cfg;
    uint8_t id[MN_ID_BYTES];
    char hex[2 * MN_ID_BYTES + 1];
    mn_entity e;
    mn_ops ops;
    mn_problem p;

    (void)state;
    config_two_divisions(&cfg);
    json_t *in = q(full_body);
    mn_ops_init(&ops);
    assert_int_equal(
        mn_kind_json_parse(&mn_kind_participant, in, NULL, 1, &ops, &p), MN_OK);
    mn_id_new(UINT64_C(1700000000123), 1, id);
    mn_entity_init(&e, MN_ENTITY_PARTICIPANT, id);
    mn_stamp st = {(uint64_t)(CONSENT_MS + 1) << 16 | 5, 1, 1};
    assert_int_equal(mn_entity_merge(&e, ops.op, ops.n, &st), (int)ops.n);
    mn_ops_release(&ops);

    json_t *out = mn_kind_json_render(&mn_kind_participant, &e, &cfg);
    assert_non_null(out);
    /* Every field that went in comes out the same. */
    const char *key;
    json_t *value;
    json_object_foreach(in, key, value) {
        json_t *got = json_object_get(out, key);
        if (!got || !json_equal(got, value)) {
            char *a = json_dumps(value, JSON_ENCODE_ANY);
            char *b = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;
            fail_msg("%s: sent %s, got %s", key, a, b ? b : "(absent)");
        }
    }
    /* And the node's fields. */
    mn_hex_encode(id, MN_ID_BYTES, hex);
    assert_string_equal(json_string_value(json_object_get(out, "id")), hex);
    assert_string_equal(
        json_string_value(json_object_get(out, "home_division")), "copenhagen");
    assert_string_equal(json_string_value(json_object_get(out, "created_at")),
                        "2023-11-14T22:13:20.123Z");
    assert_string_equal(json_string_value(json_object_get(out, "updated_at")),
                        "2026-11-26T10:00:00.001Z");
    /* 20 API fields, the 4 the node sets and erased_at (null), nothing
     * else. */
    assert_int_equal(json_object_size(out), json_object_size(in) + 5);
    assert_true(json_is_null(json_object_get(out, "erased_at")));
    json_decref(out);

    /* A patch: cleared fields render as null, the rest stays. */
    mn_ops_init(&ops);
    json_t *patch = q("{'email':null,'status':'matched','languages':[]}");
    assert_int_equal(
        mn_kind_json_parse(&mn_kind_participant, patch, &e, 1, &ops, &p),
        MN_OK);
    json_decref(patch);
    mn_stamp later = {st.hlc + (UINT64_C(1000) << 16), 2, 1};
    assert_int_equal(mn_entity_merge(&e, ops.op, ops.n, &later), 3);
    mn_ops_release(&ops);
    out = mn_kind_json_render(&mn_kind_participant, &e, &cfg);
    assert_true(json_is_null(json_object_get(out, "email")));
    assert_string_equal(json_string_value(json_object_get(out, "status")),
                        "matched");
    assert_true(json_is_array(json_object_get(out, "languages")));
    assert_int_equal(json_array_size(json_object_get(out, "languages")), 0);
    assert_true(json_equal(json_object_get(out, "goals"),
                           json_object_get(in, "goals")));
    assert_string_equal(json_string_value(json_object_get(out, "updated_at")),
                        "2026-11-26T10:00:01.001Z");
    json_decref(out);

    /* An unknown division renders as its number. */
    mn_field_op home = {.no = MN_P_HOME, .v = {.kind = MN_V_INT, .i = 9}};
    mn_stamp last = {later.hlc + 1, 2, 2};
    assert_int_equal(mn_entity_merge(&e, &home, 1, &last), 1);
    out = mn_kind_json_render(&mn_kind_participant, &e, &cfg);
    assert_true(json_is_integer(json_object_get(out, "home_division")));
    assert_int_equal(json_integer_value(json_object_get(out, "home_division")),
                     9);
    json_decref(out);
    json_decref(in);
    mn_entity_release(&e);
}

/* Fields never written render as null. */
static void
test_json_minimal(void **state) {
    static mn_config cfg;
    mn_entity e;

    (void)state;
    config_two_divisions(&cfg);
    stored("{'role':'mentee','given_name':'A','family_name':'B'}", &e);
    /* stored() used home HOME (3), which cfg does not know */
    json_t *out = mn_kind_json_render(&mn_kind_participant, &e, &cfg);
    assert_int_equal(json_integer_value(json_object_get(out, "home_division")),
                     HOME);
    assert_string_equal(json_string_value(json_object_get(out, "status")),
                        "applicant");
    /* Every field of the table the body did not give, but home and the
     * defaulted status. */
    const mn_kind *k = &mn_kind_participant;
    for (size_t i = 0; i < k->nfields; i++) {
        const mn_field_def *f = &k->fields[i];
        const char *key = mn_field_key(f);
        if (f->write == MN_WRITE_NODE || f->def || f->write == MN_WRITE_ONCE ||
            (f->flags & MN_F_REQUIRED))
            continue;
        json_t *v = json_object_get(out, key);
        if (!v || !json_is_null(v))
            fail_msg("%s should be null", key);
    }
    json_decref(out);
    mn_entity_release(&e);
}

/* ---- names ------------------------------------------------------------ */

static void
test_role_status_names(void **state) {
    const mn_kind *k = &mn_kind_participant;
    const mn_field_def *role = mn_kind_field(k, MN_P_ROLE);
    const mn_field_def *status = mn_kind_field(k, MN_P_STATUS);

    (void)state;
    assert_int_equal(mn_field_enum_count(role), MN_ROLE_COUNT);
    assert_int_equal(mn_field_enum_count(status), MN_STATUS_COUNT);
    for (int r = 0; r < MN_ROLE_COUNT; r++)
        assert_int_equal(mn_field_enum_index(role, mn_field_enum_name(role, r)),
                         r);
    for (int s = 0; s < MN_STATUS_COUNT; s++)
        assert_int_equal(
            mn_field_enum_index(status, mn_field_enum_name(status, s)), s);
    assert_string_equal(mn_field_enum_name(role, MN_ROLE_MENTOR), "mentor");
    assert_string_equal(mn_field_enum_name(role, MN_ROLE_MENTEE), "mentee");
    assert_string_equal(mn_field_enum_name(status, MN_STATUS_WITHDRAWN),
                        "withdrawn");
    assert_string_equal(mn_field_enum_name(role, -1), "unknown");
    assert_string_equal(mn_field_enum_name(role, MN_ROLE_COUNT), "unknown");
    assert_string_equal(mn_field_enum_name(status, MN_STATUS_COUNT), "unknown");
    assert_int_equal(mn_field_enum_index(role, "boss"), -1);
    assert_int_equal(mn_field_enum_index(role, NULL), -1);
    assert_int_equal(mn_field_enum_index(status, "Applicant"), -1);
    assert_int_equal(mn_field_enum_index(status, NULL), -1);

    mn_entity e;
    stored("{'role':'mentor','given_name':'A','family_name':'B',"
           "'status':'alumni'}",
           &e);
    assert_int_equal(mn_kind_enum_of(k, &e, MN_P_ROLE), MN_ROLE_MENTOR);
    assert_int_equal(mn_kind_enum_of(k, &e, MN_P_STATUS), MN_STATUS_ALUMNI);
    mn_entity_release(&e);
    mn_entity_init(&e, MN_ENTITY_PARTICIPANT,
                   (const uint8_t *)"0123456789abcdef");
    assert_int_equal(mn_kind_enum_of(k, &e, MN_P_ROLE), -1);
    assert_int_equal(mn_kind_enum_of(k, &e, MN_P_STATUS), -1);
}

/* ---- every field of the table ------------------------------------------ */

/* Sixteen ISO 639-1 codes, for a list of languages at its limit. */
static const char *const languages16[] = {"aa", "ar", "da", "de", "en", "es",
                                          "fa", "fr", "ku", "pl", "ro", "ru",
                                          "so", "ti", "tr", "uk"};

static const char *
sample_code(const mn_field_def *f, size_t i) {
    if (f->codes == MN_CODES_NAMES)
        return f->names[i % mn_field_enum_count(f)];
    if (f->codes == MN_CODES_ISO3166)
        return i % 2 ? "ZW" : "AD";
    return languages16[i % MN_ARRAY_LEN(languages16)];
}

static json_t *
codes_value(const mn_field_def *f, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(sample_code(f, i)));
    return a;
}

/* A valid value of f from its limits: the lower end, or the upper (big). */
static json_t *
valid_value(const mn_field_def *f, bool big) {
    size_t n = f->codes == MN_CODES_NAMES ? mn_field_enum_count(f) : 16;
    switch (f->type) {
    case MN_FT_INT: return json_integer(big ? f->max : f->min);
    case MN_FT_TEXT: return repeat("\xc3\xa9", (size_t)(big ? f->max : f->min));
    case MN_FT_EMAIL:
        return json_string(big ? "some.one@example.org" : "a@b.c");
    case MN_FT_PHONE: return json_string(big ? "+45 (12) 34-56" : "123");
    case MN_FT_REF:
        return json_string(big ? "ffffffffffffffffffffffffffffffff"
                               : "00000000000000000000000000000000");
    case MN_FT_ENUM: return json_string(sample_code(f, big ? n - 1 : 0));
    case MN_FT_LIST:
        return codes_value(f,
                           big ? (size_t)f->max < n ? (size_t)f->max : n : 0);
    case MN_FT_TIME:
        return json_string(big ? "2026-11-26T10:00:00.123Z"
                               : "1970-01-01T00:00:00.000Z");
    case MN_FT_DIVISION: break;
    }
    return NULL;
}

/* A mentor's create body with v as f's value (v stolen); a field of a
 * group goes in with valid values for the group's other fields. */
static json_t *
body_with(const mn_field_def *f, json_t *v, bool big) {
    const mn_kind *k = &mn_kind_participant;
    json_t *b = create_with("mentor", NULL, NULL);
    if (!f->group) {
        json_object_set_new(b, f->name, v);
        if (f->vis == MN_VIS_SPECIAL)
            add_consent(b);
        return b;
    }
    json_t *g = json_object();
    for (size_t i = 0; i < k->nfields; i++) {
        const mn_field_def *m = &k->fields[i];
        if (m->group && strcmp(m->group, f->group) == 0)
            json_object_set_new(g, m->name, m == f ? v : valid_value(m, big));
    }
    json_object_set_new(b, f->group, g);
    return b;
}

/* Every field the API writes goes in at both ends of its limits and
 * renders back the same. */
static void
test_table_round_trip(void **state) {
    const mn_kind *k = &mn_kind_participant;
    static mn_config cfg;
    size_t tried = 0;

    (void)state;
    config_two_divisions(&cfg);
    for (size_t i = 0; i < k->nfields; i++) {
        const mn_field_def *f = &k->fields[i];
        for (int big = 0; f->write != MN_WRITE_NODE && big < 2; big++) {
            json_t *body = body_with(f, valid_value(f, big), big);
            json_t *sent = json_incref(json_object_get(body, mn_field_key(f)));
            mn_entity e;
            mn_ops ops;
            mn_problem p;
            mn_stamp st = {UINT64_C(1) << 16, 1, 1};
            if (parse(body, NULL, &ops, &p) != MN_OK)
                fail_msg("%s (%d): refused: %s", f->name, big, p.message);
            mn_entity_init(&e, MN_ENTITY_PARTICIPANT,
                           (const uint8_t *)"0123456789abcdef");
            assert_true(mn_entity_merge(&e, ops.op, ops.n, &st) > 0);
            json_t *out = mn_kind_json_render(k, &e, &cfg);
            if (!json_equal(json_object_get(out, mn_field_key(f)), sent))
                fail_msg("%s (%d): renders differently", f->name, big);
            json_decref(out);
            json_decref(sent);
            mn_entity_release(&e);
            mn_ops_release(&ops);
            tried++;
        }
    }
    assert_int_equal(tried, 2 * (k->nfields - 2)); /* all but the node's */
}

/* Values just past f's limits, or of the wrong JSON type (stolen into
 * out, n returned). */
static size_t
bad_values(const mn_field_def *f, json_t *out[4]) {
    size_t n = 0;
    switch (f->type) {
    case MN_FT_INT:
        out[n++] = json_integer(f->min - 1);
        out[n++] = json_integer(f->max + 1);
        out[n++] = json_string("1");
        break;
    case MN_FT_REF:
        out[n++] = json_string("0123456789ABCDEF0123456789abcdef");
        out[n++] = json_string("0123456789abcdef");
        break;
    case MN_FT_TEXT:
    case MN_FT_EMAIL:
    case MN_FT_PHONE:
        if (f->min > 0)
            out[n++] = repeat("a", (size_t)f->min - 1);
        out[n++] = repeat("a", (size_t)f->max + 1);
        out[n++] = json_string(f->type == MN_FT_TEXT ? "a\x01" : "a b");
        out[n++] = json_integer(1);
        break;
    case MN_FT_ENUM:
        out[n++] = json_string("nope");
        out[n++] = json_integer(1);
        break;
    case MN_FT_LIST:
        out[n++] = codes_value(f, (size_t)f->max + 1);
        out[n++] = json_pack("[s]", "nope");
        out[n++] = json_string(sample_code(f, 0));
        break;
    case MN_FT_TIME:
        out[n++] = json_string("yesterday");
        out[n++] = json_string("2026-02-30T10:00:00Z");
        break;
    case MN_FT_DIVISION: break;
    }
    return n;
}

/* Every limit of every field is refused, naming the field. */
static void
test_table_limits_refused(void **state) {
    const mn_kind *k = &mn_kind_participant;
    char path[64];
    size_t tried = 0;

    (void)state;
    for (size_t i = 0; i < k->nfields; i++) {
        const mn_field_def *f = &k->fields[i];
        json_t *bad[4];
        size_t n = bad_values(f, bad);
        if (f->group)
            snprintf(path, sizeof path, "%s.%s", f->group, f->name);
        else
            snprintf(path, sizeof path, "%s", f->name);
        for (size_t j = 0; j < n; j++, tried++)
            expect_reject(body_with(f, bad[j], false), NULL, "invalid_field",
                          path);
        if (f->flags & MN_F_REQUIRED)
            expect_reject(body_with(f, json_null(), false), NULL,
                          "invalid_field", path);
        if (f->write == MN_WRITE_NODE)
            expect_reject(body_with(f, json_integer(1), false), NULL,
                          "invalid_field", path);
    }
    assert_true(tried >= 2 * (k->nfields - 1));
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_minimal),
        cmocka_unit_test(test_create_appends),
        cmocka_unit_test(test_create_full),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_missing_required),
        cmocka_unit_test(test_unknown_and_read_only),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_bad_enums_and_ranges),
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_lengths_in_characters),
        cmocka_unit_test(test_control_characters),
        cmocka_unit_test(test_email_rules),
        cmocka_unit_test(test_phone_rules),
        cmocka_unit_test(test_capacity_only_for_mentors),
        cmocka_unit_test(test_consent),
        cmocka_unit_test(test_consent_required),
        cmocka_unit_test(test_patch),
        cmocka_unit_test(test_patch_role_null_or_wrong_type),
        cmocka_unit_test(test_patch_that_changes_nothing),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_json_minimal),
        cmocka_unit_test(test_role_status_names),
        cmocka_unit_test(test_table_round_trip),
        cmocka_unit_test(test_table_limits_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
