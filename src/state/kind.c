/*
 * kind — see kind.h. The registry of every kind this version knows, the
 * lookups every generic layer uses, the validators that check a value
 * against its field's limits, and the check of a replicated change's ops
 * against the table. Messages name the field, never the value: a value may
 * be a personal detail.
 */
#include "state/kind.h"

#include <string.h>
#include <time.h>

#include "base/iso.h"
#include "state/aggregate.h"
#include "state/meeting.h"
#include "state/membership.h"
#include "state/outcome.h"
#include "state/participant.h"
#include "state/partnership.h"
#include "state/subnetwork.h"

/* Every kind, by type number. A new kind adds its line here. */
static const mn_kind *const kinds[] = {
    &mn_kind_participant, &mn_kind_partnership, &mn_kind_meeting,
    &mn_kind_outcome,     &mn_kind_subnetwork,  &mn_kind_membership,
    &mn_kind_aggregate,
};

const mn_kind *
mn_kind_find(uint32_t type) {
    for (size_t i = 0; i < MN_ARRAY_LEN(kinds); i++)
        if (kinds[i]->type == type)
            return kinds[i];
    return NULL;
}

const mn_kind *
mn_kind_at(size_t i) {
    return i < MN_ARRAY_LEN(kinds) ? kinds[i] : NULL;
}

size_t
mn_kind_count(void) {
    return MN_ARRAY_LEN(kinds);
}

const char *
mn_fvis_name(enum mn_fvis vis) {
    static const char *const names[] = {[MN_VIS_PROFILE] = "profile",
                                        [MN_VIS_PERSONAL] = "personal",
                                        [MN_VIS_SPECIAL] = "special"};
    return (size_t)vis < MN_ARRAY_LEN(names) ? names[vis] : "unknown";
}

const mn_field_def *
mn_kind_field(const mn_kind *k, uint32_t no) {
    int i = mn_kind_field_pos(k, no);
    return i < 0 ? NULL : &k->fields[i];
}

int
mn_kind_field_pos(const mn_kind *k, uint32_t no) {
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].no == no)
            return (int)i;
    return -1;
}

static bool
same(const char *a, const char *b) {
    return a == b || (a && b && strcmp(a, b) == 0);
}

const mn_field_def *
mn_kind_field_named(const mn_kind *k, const char *group, const char *name) {
    for (size_t i = 0; i < k->nfields; i++) {
        const mn_field_def *f = &k->fields[i];
        /* first byte first: every import line looks up every key */
        if (f->name[0] == name[0] && strcmp(f->name, name) == 0 &&
            same(f->group, group))
            return f;
    }
    return NULL;
}

const char *
mn_field_key(const mn_field_def *f) {
    return f->group ? f->group : f->name;
}

bool
mn_field_owner_only(const mn_field_def *f) {
    return f->write != MN_WRITE_ANY;
}

bool
mn_field_by_node(const mn_field_def *f) {
    return f->write == MN_WRITE_NODE || f->write == MN_WRITE_REF_OWNER ||
           (f->flags & MN_F_DERIVED);
}

bool
mn_kind_owner_only(const mn_kind *k, uint32_t no) {
    const mn_field_def *f = mn_kind_field(k, no);
    return f && mn_field_owner_only(f);
}

int
mn_field_enum_index(const mn_field_def *f, const char *z) {
    if (!z || !f->names)
        return -1;
    for (int i = 0; f->names[i]; i++)
        if (f->names[i][0] == z[0] && strcmp(f->names[i], z) == 0)
            return i;
    return -1;
}

size_t
mn_field_enum_count(const mn_field_def *f) {
    size_t n = 0;
    while (f->names && f->names[n])
        n++;
    return n;
}

const char *
mn_field_enum_name(const mn_field_def *f, int i) {
    if (i < 0 || (size_t)i >= mn_field_enum_count(f))
        return "unknown";
    return f->names[i];
}

int
mn_kind_enum_of(const mn_kind *k, const mn_entity *e, uint32_t no) {
    const mn_field_def *f = mn_kind_field(k, no);
    return f ? mn_field_enum_index(f, mn_entity_str(e, no)) : -1;
}

uint32_t
mn_kind_owner(const mn_kind *k, const uint8_t id[MN_ID_BYTES]) {
    return k->owner_field ? mn_id_division(id) : 0;
}

bool
mn_kind_owner_allows(const mn_kind *k, uint32_t owner, const mn_field_op *ops,
                     size_t nops, uint32_t origin) {
    for (size_t i = 0; i < nops; i++) {
        const mn_field_def *f = mn_kind_field(k, ops[i].no);
        if (!f || f->write == MN_WRITE_ANY || f->write == MN_WRITE_REF_OWNER)
            continue; /* a newer version's field, or not the owner's */
        if (ops[i].no == k->owner_field && ops[i].v.kind != MN_V_INT)
            return false;
        if (k->owner_field && mn_origin_division(origin) != owner)
            return false;
    }
    return true;
}

/* ---- validators ------------------------------------------------------- */

/* Number of UTF-8 characters (the JSON parser has checked the encoding). */
static size_t
utf8_chars(const char *z) {
    size_t n = 0;
    for (; *z; z++)
        n += ((unsigned char)*z & 0xc0) != 0x80;
    return n;
}

/* C0 controls, DEL and C1 controls (U+0080-U+009F: 0xC2 0x80-0x9F in
 * UTF-8, which terminals read as escapes); multi-line text may hold \n,
 * \r and \t. */
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

bool
mn_field_code_valid(const mn_field_def *f, const char *z) {
    switch (f->codes) {
    case MN_CODES_NAMES: return mn_field_enum_index(f, z) >= 0;
    case MN_CODES_ISO3166: return mn_iso_country_valid(z, strlen(z));
    case MN_CODES_ISO639: return mn_iso_language_valid(z, strlen(z));
    }
    return false;
}

static int
check_code(const mn_field_def *f, const char *path, const char *z,
           mn_problem *p) {
    if (mn_field_code_valid(f, z))
        return MN_OK;
    if (f->codes == MN_CODES_ISO3166)
        return mn_problem_set(p, "invalid_field", path,
                              "%s: not an ISO 3166-1 alpha-2 code (e.g. SY)",
                              path);
    return mn_problem_set(p, "invalid_field", path,
                          "%s: not one of the allowed values", path);
}

static int
check_text(const mn_field_def *f, const char *path, const char *z, size_t len,
           mn_problem *p) {
    size_t chars = utf8_chars(z);
    if (strlen(z) != len || has_control(z, f->flags & MN_F_MULTILINE))
        return mn_problem_set(p, "invalid_field", path,
                              "%s: must not hold control characters", path);
    if ((int64_t)chars < f->min || (int64_t)chars > f->max)
        return mn_problem_set(p, "invalid_field", path,
                              "%s: must be %lld to %lld characters", path,
                              (long long)f->min, (long long)f->max);
    /* 2000 characters can be 8000 bytes; every node's decoder refuses a
     * value over MN_MAX_VALUE_BYTES, which leaves room for the sealed form
     * of MN_MAX_CLEAR_BYTES, so a longer one could be neither read back
     * nor replicated. */
    if (len > MN_MAX_CLEAR_BYTES)
        return mn_problem_set(p, "invalid_field", path,
                              "%s: must be at most %d bytes of UTF-8", path,
                              MN_MAX_CLEAR_BYTES);
    if (f->type == MN_FT_EMAIL && !valid_email(z))
        return mn_problem_set(p, "invalid_field", path,
                              "%s: not an e-mail address", path);
    if (f->type == MN_FT_PHONE && !valid_phone(z))
        return mn_problem_set(p, "invalid_field", path,
                              "%s: use digits, spaces and + - ( )", path);
    return MN_OK;
}

int
mn_field_check_str(const mn_field_def *f, const char *path, const char *z,
                   size_t len, mn_problem *p) {
    switch (f->type) {
    case MN_FT_TEXT:
    case MN_FT_EMAIL:
    case MN_FT_PHONE: return check_text(f, path, z, len, p);
    case MN_FT_REF: {
        uint8_t id[MN_ID_BYTES];
        if (strlen(z) != len || mn_id_parse(z, id) != MN_OK)
            return mn_problem_set(
                p, "invalid_field", path,
                "%s: must be an id (32 lower-case hex digits)", path);
        return MN_OK;
    }
    case MN_FT_ENUM:
        if (strlen(z) != len)
            return mn_problem_set(p, "invalid_field", path,
                                  "%s: not one of the allowed values", path);
        return check_code(f, path, z, p);
    default:
        return mn_problem_set(p, "invalid_field", path,
                              "%s: must not be a string", path);
    }
}

int
mn_field_check_int(const mn_field_def *f, const char *path, int64_t v,
                   mn_problem *p) {
    if ((f->type != MN_FT_INT && f->type != MN_FT_DIVISION) || v < f->min ||
        v > f->max)
        return mn_problem_set(p, "invalid_field", path,
                              "%s: must be a whole number from %lld to %lld",
                              path, (long long)f->min, (long long)f->max);
    return MN_OK;
}

/* ---- replicated ops --------------------------------------------------- */

const char *
mn_op_fault_name(enum mn_op_fault f) {
    static const char *const names[] = {[MN_FAULT_NONE] = "none",
                                        [MN_FAULT_TYPE] = "type",
                                        [MN_FAULT_LIMITS] = "limits",
                                        [MN_FAULT_CODE] = "code",
                                        [MN_FAULT_REQUIRED] = "required",
                                        [MN_FAULT_DUPLICATE] = "duplicate",
                                        [MN_FAULT_NOT_SEALED] = "not_sealed"};
    return (size_t)f < MN_ARRAY_LEN(names) ? names[f] : "unknown";
}

/* Length of the UTF-8 sequence at p (n > 0 bytes left), or 0 when it is
 * not well-formed: the lead byte's ranges and the second byte's rule out
 * overlong forms, surrogates and code points past U+10FFFF. */
static size_t
utf8_seq(const unsigned char *p, size_t n) {
    unsigned char c = p[0];
    size_t len = c < 0x80                 ? 1
                 : c >= 0xc2 && c <= 0xdf ? 2
                 : c >= 0xe0 && c <= 0xef ? 3
                 : c >= 0xf0 && c <= 0xf4 ? 4
                                          : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
        (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
        return 0;
    return len;
}

/* A local value passed the JSON parser's UTF-8 check; a replicated one is
 * checked here, as every node does. */
static bool
utf8_valid(const char *z, size_t len) {
    const unsigned char *p = (const unsigned char *)z;
    for (size_t i = 0, step; i < len; i += step)
        if ((step = utf8_seq(p + i, len - i)) == 0)
            return false;
    return true;
}

/* Is the list item z[0..n) one of f's codes? */
static bool
list_item_ok(const mn_field_def *f, const char *z, size_t n) {
    char code[32];
    if (n == 0 || n >= sizeof code)
        return false;
    memcpy(code, z, n);
    code[n] = '\0';
    return mn_field_code_valid(f, code);
}

/* Is the item z[at..at+n) one of the items before it? */
static bool
list_seen(const char *z, size_t at, size_t n) {
    for (size_t i = 0; i < at;) {
        size_t m = strcspn(z + i, ",");
        if (m == n && memcmp(z + i, z + at, n) == 0)
            return true;
        i += m + 1;
    }
    return false;
}

/* A LIST value as the API stores it: at most f->max distinct codes of f,
 * comma-joined ("" for none). */
static enum mn_op_fault
check_list(const mn_field_def *f, const char *z, size_t len) {
    int64_t count = 0;
    if (strlen(z) != len || (len > 0 && z[len - 1] == ','))
        return MN_FAULT_CODE;
    for (size_t at = 0; at < len;) {
        size_t n = strcspn(z + at, ",");
        if (!list_item_ok(f, z + at, n) || list_seen(z, at, n) ||
            ++count > f->max)
            return MN_FAULT_CODE;
        at += n + 1;
    }
    return MN_FAULT_NONE;
}

static enum mn_op_fault
check_str_op(const mn_field_def *f, const mn_value *v) {
    mn_problem p;
    if (!utf8_valid(v->s, v->len))
        return MN_FAULT_LIMITS;
    if (f->type == MN_FT_ENUM)
        return strlen(v->s) == v->len && mn_field_code_valid(f, v->s)
                   ? MN_FAULT_NONE
                   : MN_FAULT_CODE;
    if (f->type == MN_FT_LIST)
        return check_list(f, v->s, v->len);
    return mn_field_check_str(f, f->name, v->s, v->len, &p) == MN_OK
               ? MN_FAULT_NONE
               : MN_FAULT_LIMITS;
}

/* A time is stored as ms since the epoch (the API reads no earlier). */
static enum mn_op_fault
check_int_op(const mn_field_def *f, int64_t i) {
    mn_problem p;
    if (f->type == MN_FT_TIME)
        return i >= 0 ? MN_FAULT_NONE : MN_FAULT_LIMITS;
    return mn_field_check_int(f, f->name, i, &p) == MN_OK ? MN_FAULT_NONE
                                                          : MN_FAULT_LIMITS;
}

bool
mn_field_sealed(const mn_field_def *f) {
    return f->vis == MN_VIS_PERSONAL || f->vis == MN_VIS_SPECIAL;
}

static bool
base64url_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool
mn_value_sealed(const mn_value *v) {
    /* Unpadded base64 never leaves one character over a multiple of 4. */
    if (v->kind != MN_V_STR || v->len < MN_SEALED_MIN_CHARS ||
        (v->len - 2) % 4 == 1 || memcmp(v->s, "~1", 2) != 0)
        return false;
    for (size_t i = 2; i < v->len; i++)
        if (!base64url_char(v->s[i]))
            return false;
    return true;
}

/* The value of f, as the table says: in clear, or, for a personal or
 * special field when sealed is set, sealed (its clear value was checked by
 * the home before it sealed it; nobody else can read it). */
static enum mn_op_fault
check_op(const mn_field_def *f, const mn_value *v, bool sealed) {
    bool wants_int = f->type == MN_FT_INT || f->type == MN_FT_DIVISION ||
                     f->type == MN_FT_TIME;
    if (f->flags & MN_F_DERIVED)
        return MN_FAULT_TYPE; /* computed on every node, never written */
    if (v->kind == MN_V_NONE)
        return (f->flags & MN_F_REQUIRED) ? MN_FAULT_REQUIRED : MN_FAULT_NONE;
    if (sealed && mn_field_sealed(f))
        return mn_value_sealed(v) ? MN_FAULT_NONE : MN_FAULT_NOT_SEALED;
    if (wants_int != (v->kind == MN_V_INT))
        return MN_FAULT_TYPE;
    return v->kind == MN_V_INT ? check_int_op(f, v->i) : check_str_op(f, v);
}

static enum mn_op_fault
check_one(const mn_kind *k, const mn_field_op *ops, size_t i, bool sealed) {
    for (size_t j = 0; j < i; j++)
        if (ops[j].no == ops[i].no)
            return MN_FAULT_DUPLICATE;
    const mn_field_def *f = mn_kind_field(k, ops[i].no);
    return f ? check_op(f, &ops[i].v, sealed) : MN_FAULT_NONE;
}

static enum mn_op_fault
check_ops(const mn_kind *k, const mn_field_op *ops, size_t nops,
          uint32_t *field, bool sealed) {
    for (size_t i = 0; i < nops; i++) {
        enum mn_op_fault fault = check_one(k, ops, i, sealed);
        if (fault == MN_FAULT_NONE)
            continue;
        if (field)
            *field = ops[i].no;
        return fault;
    }
    return MN_FAULT_NONE;
}

enum mn_op_fault
mn_kind_check_ops(const mn_kind *k, const mn_field_op *ops, size_t nops,
                  uint32_t *field) {
    return check_ops(k, ops, nops, field, true);
}

enum mn_op_fault
mn_kind_check_clear_ops(const mn_kind *k, const mn_field_op *ops, size_t nops,
                        uint32_t *field) {
    return check_ops(k, ops, nops, field, false);
}

/* Read up to three digits of fraction after '.'; NULL if there are none. */
static const char *
time_fraction(const char *end, int *frac) {
    int nfrac = 0;
    for (end++; *end >= '0' && *end <= '9'; end++, nfrac++)
        if (nfrac < 3)
            *frac = *frac * 10 + (*end - '0');
    if (nfrac == 0)
        return NULL;
    for (int i = nfrac; i < 3; i++)
        *frac *= 10;
    return end;
}

int
mn_time_parse(const char *z, uint64_t *ms) {
    struct tm tm = {0}, back;
    int frac = 0;
    if (*z < '0' || *z > '9')
        return MN_EINVAL;
    const char *end = strptime(z, "%Y-%m-%dT%H:%M:%S", &tm);
    if (end && *end == '.')
        end = time_fraction(end, &frac);
    if (!end || strcmp(end, "Z") != 0 || tm.tm_year < 70 || tm.tm_year > 8000)
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
