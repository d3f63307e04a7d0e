/*
 * participant — see participant.h. One table describes every API field:
 * its number, its JSON kind, its limits and who may write it. Parsing,
 * rendering and the README's field table all follow that table.
 */
#include "state/participant.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "door/codec.h"
#include "door/crypto.h"
#include "base/iso.h"

enum kind {
    K_TEXT, /* string, 1..max characters */
    K_EMAIL,
    K_PHONE,
    K_ENUM,    /* one of choices */
    K_CODES,   /* array of choices (or ISO 639-1 when choices NULL) */
    K_COUNTRY, /* ISO 3166-1 alpha-2 */
    K_INT,     /* integer min..max */
    K_CONSENT, /* {"purposes": [...], "given_at": "..."} */
};

#define F_REQUIRED 1u  /* must be given on create, cannot be cleared */
#define F_IMMUTABLE 2u /* cannot change after create */
#define F_MENTOR 4u    /* only for mentors */
#define F_OWNER 8u     /* personal details: only the home division writes */

struct pfield {
    const char *name;
    uint32_t no;
    enum kind kind;
    int64_t min, max; /* K_INT range; K_TEXT/K_CODES max length */
    const char *const *choices;
    unsigned flags;
};

static const char *const roles[] = {"mentor", "mentee", NULL};
static const char *const statuses[] = {"applicant", "waiting",   "matched",
                                       "alumni",    "withdrawn", NULL};
static const char *const backgrounds[] = {"refugee",
                                          "family_reunification",
                                          "labour_migrant",
                                          "student",
                                          "other",
                                          "unknown",
                                          NULL};
static const char *const danish_levels[] = {"none", "A1", "A2", "B1",
                                            "B2",   "C1", "C2", NULL};
static const char *const educations[] = {"none",       "primary",  "secondary",
                                         "vocational", "bachelor", "master",
                                         "phd",        NULL};
static const char *const goals[] = {"job", "education", "network", "language",
                                    NULL};
static const char *const purposes[] = {"matching", "statistics", "contact",
                                       "sub_networks", NULL};

/* Birth years a participant can have; 1900 is a sanity floor. */
static const struct pfield fields[] = {
    {"role", MN_P_ROLE, K_ENUM, 0, 0, roles,
     F_REQUIRED | F_IMMUTABLE | F_OWNER},
    {"status", MN_P_STATUS, K_ENUM, 0, 0, statuses, F_REQUIRED},
    {"given_name", MN_P_GIVEN_NAME, K_TEXT, 1, 100, NULL, F_REQUIRED | F_OWNER},
    {"family_name", MN_P_FAMILY_NAME, K_TEXT, 1, 100, NULL,
     F_REQUIRED | F_OWNER},
    {"email", MN_P_EMAIL, K_EMAIL, 3, 254, NULL, F_OWNER},
    {"phone", MN_P_PHONE, K_PHONE, 3, 32, NULL, F_OWNER},
    {"birth_year", MN_P_BIRTH_YEAR, K_INT, 1900, 2020, NULL, F_OWNER},
    {"country_of_origin", MN_P_COUNTRY, K_COUNTRY, 0, 0, NULL, F_OWNER},
    {"background", MN_P_BACKGROUND, K_ENUM, 0, 0, backgrounds, F_OWNER},
    {"languages", MN_P_LANGUAGES, K_CODES, 0, 16, NULL, 0},
    {"danish_level", MN_P_DANISH_LEVEL, K_ENUM, 0, 0, danish_levels, 0},
    {"education_level", MN_P_EDUCATION, K_ENUM, 0, 0, educations, 0},
    {"profession", MN_P_PROFESSION, K_TEXT, 1, 100, NULL, 0},
    {"sector", MN_P_SECTOR, K_TEXT, 1, 100, NULL, 0},
    {"years_in_denmark", MN_P_YEARS_IN_DK, K_INT, 0, 100, NULL, 0},
    {"goals", MN_P_GOALS, K_CODES, 0, 4, goals, 0},
    {"capacity", MN_P_CAPACITY, K_INT, 1, 5, NULL, F_MENTOR},
    {"availability", MN_P_AVAILABILITY, K_TEXT, 1, 200, NULL, 0},
    {"consent", MN_P_CONSENT_PURPOSES, K_CONSENT, 0, 4, purposes, F_OWNER},
    {"notes", MN_P_NOTES, K_TEXT, 1, 2000, NULL, 0},
};

/* Fields the node sets; a client that sends them is told so. */
static const char *const read_only[] = {"id", "home_division", "created_at",
                                        "updated_at"};

bool
mn_participant_owner_only(uint32_t no) {
    if (no == MN_P_HOME || no == MN_P_CONSENT_AT)
        return true;
    for (size_t i = 0; i < MN_ARRAY_LEN(fields); i++)
        if (fields[i].no == no)
            return (fields[i].flags & F_OWNER) != 0;
    return false;
}

const char *
mn_participant_field_name(uint32_t no) {
    if (no == MN_P_HOME)
        return "home_division";
    if (no == MN_P_CONSENT_AT)
        return "consent";
    for (size_t i = 0; i < MN_ARRAY_LEN(fields); i++)
        if (fields[i].no == no)
            return fields[i].name;
    return NULL;
}

static int
choice_index(const char *const *choices, const char *z) {
    for (int i = 0; choices[i]; i++) /* first byte first: imports are hot */
        if (choices[i][0] == z[0] && strcmp(choices[i], z) == 0)
            return i;
    return -1;
}

const char *
mn_participant_role_name(int role) {
    return role >= 0 && role < MN_ROLE_COUNT ? roles[role] : "unknown";
}

const char *
mn_participant_status_name(int status) {
    return status >= 0 && status < MN_STATUS_COUNT ? statuses[status]
                                                   : "unknown";
}

int
mn_participant_role_index(const char *z) {
    return z ? choice_index(roles, z) : -1;
}

int
mn_participant_status_index(const char *z) {
    return z ? choice_index(statuses, z) : -1;
}

int
mn_participant_role(const mn_entity *e) {
    return mn_participant_role_index(mn_entity_str(e, MN_P_ROLE));
}

int
mn_participant_status(const mn_entity *e) {
    return mn_participant_status_index(mn_entity_str(e, MN_P_STATUS));
}

/* Parse "YYYY-MM-DDTHH:MM:SS[.fff]Z" into ms; MN_EINVAL if malformed. */
static int
time_parse(const char *z, uint64_t *ms) {
    struct tm tm = {0}, back;
    int frac = 0, nfrac = 0;
    if (*z < '0' || *z > '9')
        return MN_EINVAL;
    const char *end = strptime(z, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end)
        return MN_EINVAL;
    if (*end == '.') {
        for (end++; *end >= '0' && *end <= '9'; end++, nfrac++)
            if (nfrac < 3)
                frac = frac * 10 + (*end - '0');
        if (nfrac == 0)
            return MN_EINVAL;
        for (int i = nfrac; i < 3; i++)
            frac *= 10;
    }
    if (strcmp(end, "Z") != 0 || tm.tm_year < 70 || tm.tm_year > 8000)
        return MN_EINVAL;
    struct tm asked = tm;
    time_t secs = timegm(&tm);
    /* timegm normalises Feb 30 to Mar 2: refuse dates that do not exist. */
    gmtime_r(&secs, &back);
    if (back.tm_mday != asked.tm_mday || back.tm_mon != asked.tm_mon)
        return MN_EINVAL;
    *ms = (uint64_t)secs * 1000 + (uint64_t)frac;
    return MN_OK;
}

/* ---- validation ------------------------------------------------------- */

/* Number of UTF-8 characters (jansson has already checked the encoding). */
static size_t
utf8_chars(const char *z) {
    size_t n = 0;
    for (; *z; z++)
        n += ((unsigned char)*z & 0xc0) != 0x80;
    return n;
}

/* C0 controls, DEL and C1 controls (U+0080-U+009F: 0xC2 0x80-0x9F in
 * UTF-8, which terminals read as escapes); notes may hold \n, \r, \t. */
static bool
has_control(const char *z, bool allow_newline) {
    for (; *z; z++) {
        unsigned char c = (unsigned char)*z;
        bool layout = c == '\n' || c == '\t' || c == '\r';
        if ((c < 0x20 && !(allow_newline && layout)) || c == 0x7f)
            return true;
        if (c == 0xc2 && (unsigned char)z[1] >= 0x80 &&
            (unsigned char)z[1] <= 0x9f)
            return true;
    }
    return false;
}

static bool
valid_email(const char *z) {
    const char *at = strchr(z, '@');
    if (!at || at == z || strchr(at + 1, '@') || !strchr(at + 1, '.'))
        return false;
    if (at[1] == '.' || z[strlen(z) - 1] == '.')
        return false;
    for (; *z; z++)
        if (*z == ' ' || *z == ',' || *z == ';' || *z == '<' || *z == '>')
            return false;
    return true;
}

static bool
valid_phone(const char *z) {
    int digits = 0;
    for (; *z; z++) {
        if (*z >= '0' && *z <= '9')
            digits++;
        else if (!strchr(" +-()", *z))
            return false;
    }
    return digits >= 3;
}

static int
parse_text(const struct pfield *f, const json_t *v, mn_ops *out,
           mn_problem *p) {
    if (!json_is_string(v))
        return mn_problem_set(p, "invalid_field", f->name,
                              "%s: must be a string", f->name);
    const char *z = json_string_value(v);
    size_t chars = utf8_chars(z);
    if (strlen(z) != json_string_length(v) ||
        has_control(z, f->no == MN_P_NOTES))
        return mn_problem_set(p, "invalid_field", f->name,
                              "%s: must not hold control characters", f->name);
    if ((int64_t)chars < f->min || (int64_t)chars > f->max)
        return mn_problem_set(p, "invalid_field", f->name,
                              "%s: must be %lld to %lld characters", f->name,
                              (long long)f->min, (long long)f->max);
    /* 2000 characters can be 8000 bytes; every node's decoder refuses a
     * value over MN_MAX_VALUE_BYTES, so such a change could be neither
     * read back nor replicated. */
    if (strlen(z) > MN_MAX_VALUE_BYTES)
        return mn_problem_set(p, "invalid_field", f->name,
                              "%s: must be at most %d bytes of UTF-8", f->name,
                              MN_MAX_VALUE_BYTES);
    if (f->kind == K_EMAIL && !valid_email(z))
        return mn_problem_set(p, "invalid_field", f->name,
                              "%s: not an e-mail address", f->name);
    if (f->kind == K_PHONE && !valid_phone(z))
        return mn_problem_set(p, "invalid_field", f->name,
                              "%s: use digits, spaces and + - ( )", f->name);
    mn_ops_add_str(out, f->no, z, strlen(z));
    return MN_OK;
}

static int
parse_enum(const struct pfield *f, const json_t *v, mn_ops *out,
           mn_problem *p) {
    const char *z = json_string_value(v);
    if (!z || choice_index(f->choices, z) < 0)
        return mn_problem_set(p, "invalid_field", f->name,
                              "%s: not one of the allowed values", f->name);
    mn_ops_add_str(out, f->no, z, strlen(z));
    return MN_OK;
}

static int
parse_country(const struct pfield *f, const json_t *v, mn_ops *out,
              mn_problem *p) {
    const char *z = json_string_value(v);
    if (!z || !mn_iso_country_valid(z, strlen(z)))
        return mn_problem_set(p, "invalid_field", f->name,
                              "%s: not an ISO 3166-1 alpha-2 code (e.g. SY)",
                              f->name);
    mn_ops_add_str(out, f->no, z, 2);
    return MN_OK;
}

static bool
code_valid(const struct pfield *f, const char *z) {
    return f->choices ? choice_index(f->choices, z) >= 0
                      : mn_iso_language_valid(z, strlen(z));
}

/* An array of distinct codes, stored comma-joined. */
static int
codes_join(const struct pfield *f, const char *name, const json_t *v,
           char *joined, size_t cap, mn_problem *p) {
    size_t i, len = 0;
    json_t *item;
    if (!json_is_array(v) || json_array_size(v) > (size_t)f->max)
        return mn_problem_set(p, "invalid_field", name,
                              "%s: must be an array of at most %lld codes",
                              name, (long long)f->max);
    joined[0] = '\0';
    json_array_foreach(v, i, item) {
        const char *z = json_string_value(item);
        if (!z || !code_valid(f, z))
            return mn_problem_set(p, "invalid_field", name,
                                  "%s: item %zu is not an allowed code", name,
                                  i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(json_string_value(json_array_get(v, j)), z) == 0)
                return mn_problem_set(p, "invalid_field", name,
                                      "%s: %s is listed twice", name, z);
        size_t zn = strlen(z); /* a known code: short, and cap holds all */
        if (len + zn + 2 > cap)
            return mn_problem_set(p, "invalid_field", name, "%s: too long",
                                  name);
        if (i)
            joined[len++] = ',';
        memcpy(joined + len, z, zn + 1);
        len += zn;
    }
    return MN_OK;
}

static int
parse_codes(const struct pfield *f, const json_t *v, mn_ops *out,
            mn_problem *p) {
    char joined[256];
    int rc = codes_join(f, f->name, v, joined, sizeof joined, p);
    if (rc == MN_OK)
        mn_ops_add_str(out, f->no, joined, strlen(joined));
    return rc;
}

static int
parse_int(const struct pfield *f, const json_t *v, mn_ops *out, mn_problem *p) {
    if (!json_is_integer(v) || json_integer_value(v) < f->min ||
        json_integer_value(v) > f->max)
        return mn_problem_set(p, "invalid_field", f->name,
                              "%s: must be a whole number from %lld to %lld",
                              f->name, (long long)f->min, (long long)f->max);
    mn_ops_add_int(out, f->no, json_integer_value(v));
    return MN_OK;
}

static int
parse_consent(const struct pfield *f, const json_t *v, mn_ops *out,
              mn_problem *p) {
    const json_t *list = json_object_get(v, "purposes");
    const char *at = json_string_value(json_object_get(v, "given_at"));
    char joined[256];
    uint64_t ms;
    if (!json_is_object(v) || !list || !at || json_object_size(v) != 2)
        return mn_problem_set(p, "invalid_field", "consent",
                              "consent: must be {\"purposes\": [...], "
                              "\"given_at\": \"...Z\"}");
    int rc = codes_join(f, "consent.purposes", list, joined, sizeof joined, p);
    if (rc != MN_OK)
        return rc;
    if (time_parse(at, &ms) != MN_OK)
        return mn_problem_set(p, "invalid_field", "consent.given_at",
                              "consent.given_at: use RFC 3339 UTC, e.g. "
                              "2026-11-26T10:00:00Z");
    mn_ops_add_str(out, MN_P_CONSENT_PURPOSES, joined, strlen(joined));
    mn_ops_add_int(out, MN_P_CONSENT_AT, (int64_t)ms);
    return MN_OK;
}

static int
parse_value(const struct pfield *f, const json_t *v, mn_ops *out,
            mn_problem *p) {
    switch (f->kind) {
    case K_TEXT:
    case K_EMAIL:
    case K_PHONE: return parse_text(f, v, out, p);
    case K_ENUM: return parse_enum(f, v, out, p);
    case K_CODES: return parse_codes(f, v, out, p);
    case K_COUNTRY: return parse_country(f, v, out, p);
    case K_INT: return parse_int(f, v, out, p);
    case K_CONSENT: return parse_consent(f, v, out, p);
    }
    return mn_problem_set(p, "internal", f->name, "unknown field kind");
}

static const struct pfield *
field_by_name(const char *name) {
    for (size_t i = 0; i < MN_ARRAY_LEN(fields); i++)
        if (fields[i].name[0] == name[0] && strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

static int
parse_null(const struct pfield *f, mn_ops *out, mn_problem *p) {
    if (f->flags & F_REQUIRED)
        return mn_problem_set(p, "invalid_field", f->name,
                              "%s: is required and cannot be cleared", f->name);
    mn_ops_add_clear(out, f->no);
    if (f->kind == K_CONSENT)
        mn_ops_add_clear(out, MN_P_CONSENT_AT);
    return MN_OK;
}

static int
check_key(const char *key, mn_problem *p) {
    for (size_t i = 0; i < MN_ARRAY_LEN(read_only); i++)
        if (strcmp(read_only[i], key) == 0)
            return mn_problem_set(p, "invalid_field", key,
                                  "%s: is set by the node", key);
    return mn_problem_set(p, "unknown_field", key, "%s: unknown field", key);
}

/* Rules across fields: role, capacity, required fields. */
static int
check_rules(const json_t *body, const mn_entity *current, mn_problem *p) {
    const char *role = json_string_value(json_object_get(body, "role"));
    if (current) {
        const char *had = mn_entity_str(current, MN_P_ROLE);
        if (role && had && strcmp(role, had) != 0)
            return mn_problem_set(p, "invalid_field", "role",
                                  "role: cannot change after intake");
        role = had;
    }
    const json_t *cap = json_object_get(body, "capacity");
    if (cap && !json_is_null(cap) && role && strcmp(role, "mentor") != 0)
        return mn_problem_set(p, "invalid_field", "capacity",
                              "capacity: only mentors have a capacity");
    for (size_t i = 0; !current && i < MN_ARRAY_LEN(fields); i++)
        if ((fields[i].flags & F_REQUIRED) && fields[i].no != MN_P_STATUS &&
            !json_object_get(body, fields[i].name))
            return mn_problem_set(p, "missing_field", fields[i].name,
                                  "%s: is required", fields[i].name);
    return MN_OK;
}

static int
parse_fields(const json_t *body, const mn_entity *current, mn_ops *out,
             mn_problem *p) {
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v) {
        const struct pfield *f = field_by_name(key);
        int rc;
        if (!f)
            return check_key(key, p);
        if (current && (f->flags & F_IMMUTABLE)) {
            const char *had = mn_entity_str(current, f->no);
            if (!json_is_string(v) || !had ||
                strcmp(json_string_value(v), had) != 0)
                return mn_problem_set(p, "invalid_field", f->name,
                                      "%s: cannot change after intake",
                                      f->name);
            continue; /* the stored value, repeated: nothing to write */
        }
        rc =
            json_is_null(v) ? parse_null(f, out, p) : parse_value(f, v, out, p);
        if (rc != MN_OK)
            return rc;
    }
    return MN_OK;
}

int
mn_participant_parse(const json_t *body, const mn_entity *current,
                     uint32_t home, mn_ops *out, mn_problem *p) {
    mn_ops ops;
    if (!json_is_object(body))
        return mn_problem_set(p, "bad_json", "",
                              "the body must be a JSON "
                              "object");
    if (json_object_size(body) == 0 && current)
        return mn_problem_set(p, "bad_json", "", "nothing to change");
    int rc = check_rules(body, current, p);
    if (rc != MN_OK)
        return rc;
    mn_ops_init(&ops);
    rc = parse_fields(body, current, &ops, p);
    if (rc != MN_OK) {
        mn_ops_release(&ops);
        return rc;
    }
    if (!current) {
        mn_ops_add_int(&ops, MN_P_HOME, home);
        if (!json_object_get(body, "status"))
            mn_ops_add_str(&ops, MN_P_STATUS, "applicant", 9);
    }
    for (size_t i = 0; i < ops.n; i++)
        out->op[out->n++] = ops.op[i]; /* strings move to out */
    return MN_OK;
}

/* ---- rendering -------------------------------------------------------- */

static json_t *
codes_json(const char *joined) {
    json_t *arr = json_array();
    const char *z = joined;
    while (z && *z) {
        const char *comma = strchr(z, ',');
        size_t n = comma ? (size_t)(comma - z) : strlen(z);
        json_array_append_new(arr, json_stringn(z, n));
        z = comma ? comma + 1 : NULL;
    }
    return arr;
}

static json_t *
consent_json(const mn_entity *e, const mn_field *purp) {
    char when[32];
    mn_time_format((uint64_t)mn_entity_int(e, MN_P_CONSENT_AT, 0), when);
    return json_pack("{s:o, s:s}", "purposes", codes_json(purp->v.s),
                     "given_at", when);
}

static json_t *
value_json(const mn_entity *e, const struct pfield *f, const mn_field *fv) {
    if (fv->v.kind == MN_V_NONE)
        return json_null();
    if (f->kind == K_CONSENT)
        return consent_json(e, fv);
    if (f->kind == K_CODES)
        return codes_json(fv->v.s);
    if (fv->v.kind == MN_V_INT)
        return json_integer(fv->v.i);
    return json_stringn(fv->v.s, fv->v.len);
}

static json_t *
division_json(const mn_config *cfg, int64_t id) {
    const mn_division *d = mn_config_division(cfg, (uint32_t)id);
    return d ? json_string(d->name) : json_integer(id);
}

json_t *
mn_participant_json(const mn_entity *e, const mn_config *cfg) {
    char hex[2 * MN_ID_BYTES + 1], when[32];
    json_t *o = json_object();
    mn_hex_encode(e->id, MN_ID_BYTES, hex);
    json_object_set_new(o, "id", json_string(hex));
    json_object_set_new(o, "home_division",
                        division_json(cfg, mn_entity_int(e, MN_P_HOME, 0)));
    for (size_t i = 0; i < MN_ARRAY_LEN(fields); i++) {
        const mn_field *fv = mn_entity_get(e, fields[i].no);
        json_object_set_new(o, fields[i].name,
                            fv ? value_json(e, &fields[i], fv) : json_null());
    }
    mn_time_format(mn_id_time_ms(e->id), when);
    json_object_set_new(o, "created_at", json_string(when));
    mn_time_format(mn_entity_last_stamp(e).hlc >> 16, when);
    json_object_set_new(o, "updated_at", json_string(when));
    return o;
}
