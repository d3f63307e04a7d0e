/*
 * kind_test — unit tests for kind.c: the registry (unknown types refused,
 * type numbers, field numbers, API names and index tags unique, every
 * table within the bounds the generic code assumes), the participant's
 * wire numbers and visibility classes pinned, the ownership rule (owner
 * from the id, decided from the change alone), and the generic validators
 * on fields made up here (limits in characters, control characters, byte
 * cap, e-mail, phone, names and code sets, ranges, times). The README's
 * participant field list must match the table: every key, and its class.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/kind.h"
#include "state/participant.h"
#include "state/partnership.h"
#include "unit_helpers.h"

/* ---- the registry ------------------------------------------------------ */

static void
test_find(void **state) {
    static const uint32_t unknown[] = {0, 200, 255, 256, 257, UINT32_MAX};

    (void)state;
    assert_ptr_equal(mn_kind_find(MN_ENTITY_PARTICIPANT), &mn_kind_participant);
    assert_ptr_equal(mn_kind_find(MN_ENTITY_PARTNERSHIP), &mn_kind_partnership);
    for (size_t i = 0; i < MN_ARRAY_LEN(unknown); i++)
        assert_null(mn_kind_find(unknown[i]));
    assert_true(mn_kind_count() >= 1);
    for (size_t i = 0; i < mn_kind_count(); i++)
        assert_ptr_equal(mn_kind_find(mn_kind_at(i)->type), mn_kind_at(i));
    assert_null(mn_kind_at(mn_kind_count()));
}

/* Type numbers fit the key's one byte and are unique; index tags are
 * unique across kinds (one index database). */
static void
test_types_and_tags_unique(void **state) {
    bool tag_seen[256] = {false};

    (void)state;
    for (size_t i = 0; i < mn_kind_count(); i++) {
        const mn_kind *k = mn_kind_at(i);
        assert_true(k->type >= 1 && k->type <= 255);
        for (size_t j = 0; j < i; j++)
            assert_int_not_equal(mn_kind_at(j)->type, k->type);
        assert_true(k->nindexes <= MN_KIND_MAX_INDEXES);
        for (size_t x = 0; x < k->nindexes; x++) {
            assert_false(tag_seen[k->indexes[x].tag]);
            tag_seen[k->indexes[x].tag] = true;
        }
    }
}

static void
check_field(const mn_kind *k, const mn_field_def *f) {
    assert_true(f->no >= 1 && f->no <= MN_FIELD_NO_MAX); /* the wire's */
    assert_ptr_equal(mn_kind_field(k, f->no), f);        /* numbers unique */
    assert_ptr_equal(mn_kind_field_named(k, f->group, f->name), f);
    assert_true(f->name[0] && f->help && f->help[0]);
    assert_int_equal(f->merge, MN_MERGE_LWW); /* the only one implemented */
    if (f->type == MN_FT_ENUM || f->type == MN_FT_LIST)
        assert_true(f->codes != MN_CODES_NAMES ||
                    (f->names && mn_field_enum_count(f) <= 256));
    if (f->write == MN_WRITE_ONCE) /* compared as stored strings */
        assert_true(f->type != MN_FT_INT && f->type != MN_FT_TIME &&
                    f->type != MN_FT_DIVISION && f->type != MN_FT_LIST);
    if (f->group) /* a group is given and cleared whole */
        assert_false(f->flags & MN_F_REQUIRED);
    mn_problem p;
    if (f->def)
        assert_int_equal(
            mn_field_check_str(f, f->name, f->def, strlen(f->def), &p), MN_OK);
    /* A top-level API key is one field's, or one group's. */
    for (size_t i = 0; i < k->nfields; i++) {
        const mn_field_def *g = &k->fields[i];
        if (g != f && strcmp(mn_field_key(g), mn_field_key(f)) == 0)
            assert_true(f->group && g->group);
    }
}

static void
test_tables_well_formed(void **state) {
    (void)state;
    for (size_t i = 0; i < mn_kind_count(); i++) {
        const mn_kind *k = mn_kind_at(i);
        assert_true(k->nfields >= 1 && k->nfields <= MN_KIND_MAX_FIELDS);
        assert_true(k->nfields <= MN_ENTITY_MAX_FIELDS);
        for (size_t j = 0; j < k->nfields; j++)
            check_field(k, &k->fields[j]);
        if (k->owner_field) {
            const mn_field_def *o = mn_kind_field(k, k->owner_field);
            assert_non_null(o);
            assert_int_equal(o->type, MN_FT_DIVISION);
            assert_int_equal(o->write, MN_WRITE_NODE);
        }
        /* Every side field names a REF field of the kind, and only side
         * fields are written by a participant's home. */
        for (size_t x = 0; x < k->nref_owners; x++) {
            const mn_field_def *f = mn_kind_field(k, k->ref_owners[x].field);
            const mn_field_def *r = mn_kind_field(k, k->ref_owners[x].ref);
            assert_non_null(f);
            assert_non_null(r);
            assert_int_equal(f->write, MN_WRITE_REF_OWNER);
            assert_int_equal(r->type, MN_FT_REF);
        }
        for (size_t j = 0; j < k->nfields; j++) {
            size_t n = 0;
            for (size_t x = 0; x < k->nref_owners; x++)
                n += k->ref_owners[x].field == k->fields[j].no;
            assert_int_equal(n, k->fields[j].write == MN_WRITE_REF_OWNER);
        }
        for (size_t x = 0; x < k->nindexes; x++) {
            const mn_field_def *f = mn_kind_field(k, k->indexes[x].field);
            assert_non_null(f);
            assert_true(f->type == MN_FT_ENUM || f->type == MN_FT_INT ||
                        f->type == MN_FT_DIVISION || f->type == MN_FT_REF);
            assert_non_null(k->indexes[x].param);
        }
        for (size_t x = 0; x < k->nsearch; x++)
            assert_non_null(mn_kind_field(k, k->search[x]));
    }
}

/* The participant's numbers are on the wire and on disk: pinned here, so
 * that renumbering a field fails a test. */
static void
test_participant_numbers_pinned(void **state) {
    static const struct {
        uint32_t no;
        const char *key;
    } pinned[] = {
        {1, "role"},
        {2, "home_division"},
        {3, "status"},
        {4, "given_name"},
        {5, "family_name"},
        {6, "email"},
        {7, "phone"},
        {8, "birth_year"},
        {9, "country_of_origin"},
        {10, "background"},
        {11, "languages"},
        {12, "danish_level"},
        {13, "education_level"},
        {14, "profession"},
        {15, "sector"},
        {16, "years_in_denmark"},
        {17, "goals"},
        {18, "capacity"},
        {19, "availability"},
        {20, "consent"},
        {21, "consent"},
        {22, "notes"},
        {23, "joined_year"},
        {24, "erased_at"},
    };
    const mn_kind *k = &mn_kind_participant;

    (void)state;
    assert_int_equal(k->nfields, MN_ARRAY_LEN(pinned));
    for (size_t i = 0; i < MN_ARRAY_LEN(pinned); i++) {
        const mn_field_def *f = mn_kind_field(k, pinned[i].no);
        assert_non_null(f);
        assert_string_equal(mn_field_key(f), pinned[i].key);
    }
    assert_int_equal(k->owner_field, MN_P_HOME);
}

/* DESIGN "Data": personal is name, contact, notes; special is country of
 * origin, background and consent; everything else is profile. */
static void
test_participant_visibility(void **state) {
    static const uint32_t personal[] = {MN_P_GIVEN_NAME, MN_P_FAMILY_NAME,
                                        MN_P_EMAIL, MN_P_PHONE, MN_P_NOTES};
    static const uint32_t special[] = {MN_P_COUNTRY, MN_P_BACKGROUND,
                                       MN_P_CONSENT_PURPOSES, MN_P_CONSENT_AT};
    const mn_kind *k = &mn_kind_participant;
    size_t counted = 0;

    (void)state;
    for (size_t i = 0; i < MN_ARRAY_LEN(personal); i++, counted++)
        assert_int_equal(mn_kind_field(k, personal[i])->vis, MN_VIS_PERSONAL);
    for (size_t i = 0; i < MN_ARRAY_LEN(special); i++, counted++)
        assert_int_equal(mn_kind_field(k, special[i])->vis, MN_VIS_SPECIAL);
    for (size_t i = 0; i < k->nfields; i++)
        counted += k->fields[i].vis == MN_VIS_PROFILE;
    assert_int_equal(counted, k->nfields);
    /* Every field is written by the owner only: her personal and special
     * values are sealed to her home (README "Compartments"). */
    for (size_t i = 0; i < k->nfields; i++)
        assert_true(mn_field_owner_only(&k->fields[i]));
}

/* The owner is the division that made the id, whatever a create names. */
static void
test_owner(void **state) {
    const mn_kind *k = &mn_kind_participant;
    uint8_t id[MN_ID_BYTES];

    (void)state;
    mn_id_new(1700000000000ull, 3, id);
    assert_int_equal(mn_kind_owner(k, id), 3);
    mn_id_new(1700000000000ull, 200, id);
    assert_int_equal(mn_kind_owner(k, id), 200);
    assert_true(mn_kind_owner_only(k, MN_P_ROLE));
    assert_true(mn_kind_owner_only(k, MN_P_HOME));
    assert_true(mn_kind_owner_only(k, MN_P_STATUS));
    assert_false(mn_kind_owner_only(k, 999));
}

/* ---- the generic validators -------------------------------------------- */

static const char *const colours[] = {"red", "green", NULL};

static const mn_field_def text = {
    .no = 1, .name = "t", .type = MN_FT_TEXT, .min = 2, .max = 4, .help = "t"};
static const mn_field_def lines = {.no = 2,
                                   .name = "l",
                                   .type = MN_FT_TEXT,
                                   .min = 1,
                                   .max = 5000,
                                   .flags = MN_F_MULTILINE,
                                   .help = "l"};
static const mn_field_def email = {.no = 3,
                                   .name = "e",
                                   .type = MN_FT_EMAIL,
                                   .min = 3,
                                   .max = 50,
                                   .help = "e"};
static const mn_field_def phone = {.no = 4,
                                   .name = "p",
                                   .type = MN_FT_PHONE,
                                   .min = 3,
                                   .max = 20,
                                   .help = "p"};
static const mn_field_def colour = {
    .no = 5, .name = "c", .type = MN_FT_ENUM, .names = colours, .help = "c"};
static const mn_field_def country = {.no = 6,
                                     .name = "cc",
                                     .type = MN_FT_ENUM,
                                     .codes = MN_CODES_ISO3166,
                                     .help = "cc"};
static const mn_field_def langs = {.no = 7,
                                   .name = "ll",
                                   .type = MN_FT_LIST,
                                   .max = 3,
                                   .codes = MN_CODES_ISO639,
                                   .help = "ll"};
static const mn_field_def count = {
    .no = 8, .name = "n", .type = MN_FT_INT, .min = -2, .max = 7, .help = "n"};

static int
str(const mn_field_def *f, const char *z) {
    mn_problem p;
    memset(&p, 0, sizeof p);
    int rc = mn_field_check_str(f, f->name, z, strlen(z), &p);
    if (rc != MN_OK) {
        assert_int_equal(rc, MN_EINVAL);
        assert_string_equal(p.code, "invalid_field");
        assert_string_equal(p.field, f->name);
        if (strlen(z) > 3) /* the message never repeats the value */
            assert_null(strstr(p.message, z));
    }
    return rc;
}

static void
test_text_limits(void **state) {
    static char big[MN_MAX_CLEAR_BYTES + 2];
    mn_problem p;

    (void)state;
    assert_int_equal(str(&text, "ab"), MN_OK);
    assert_int_equal(str(&text, "\xc3\xa6\xc3\xb8\xc3\xa5\xc3\xa9"), MN_OK);
    assert_int_equal(str(&text, "a"), MN_EINVAL);
    assert_int_equal(str(&text, "abcde"), MN_EINVAL);
    assert_int_equal(str(&text, "\xc3\xa6\xc3\xb8\xc3\xa5\xc3\xa9x"),
                     MN_EINVAL);
    assert_int_equal(str(&text, "a\tb"), MN_EINVAL);
    assert_int_equal(str(&text, "a\x7f"), MN_EINVAL);
    assert_int_equal(str(&text, "a\xc2\x85"), MN_EINVAL); /* NEL */
    assert_int_equal(str(&lines, "a\r\n\tb"), MN_OK);
    assert_int_equal(str(&lines, "a\x01"), MN_EINVAL);
    /* An embedded NUL: the length says more than the string holds. */
    assert_int_equal(mn_field_check_str(&text, "t", "ab\0c", 4, &p), MN_EINVAL);
    /* Within the character limit, over the byte limit (whose sealed form
     * the codec takes). */
    memset(big, 'x', MN_MAX_CLEAR_BYTES);
    assert_int_equal(str(&lines, big), MN_OK);
    big[MN_MAX_CLEAR_BYTES] = 'x';
    assert_int_equal(str(&lines, big), MN_EINVAL);
}

static void
test_shapes(void **state) {
    (void)state;
    assert_int_equal(str(&email, "a@b.dk"), MN_OK);
    assert_int_equal(str(&email, "ab.dk"), MN_EINVAL);
    assert_int_equal(str(&email, "a@b@c.dk"), MN_EINVAL);
    assert_int_equal(str(&email, "a b@c.dk"), MN_EINVAL);
    assert_int_equal(str(&email, "a@b.dk."), MN_EINVAL);
    assert_int_equal(str(&phone, "+45 (12) 34-56"), MN_OK);
    assert_int_equal(str(&phone, "12"), MN_EINVAL);
    assert_int_equal(str(&phone, "12x34"), MN_EINVAL);
}

static void
test_codes(void **state) {
    (void)state;
    assert_int_equal(str(&colour, "green"), MN_OK);
    assert_int_equal(str(&colour, "Green"), MN_EINVAL);
    assert_int_equal(str(&colour, ""), MN_EINVAL);
    assert_int_equal(str(&country, "SY"), MN_OK);
    assert_int_equal(str(&country, "sy"), MN_EINVAL);
    assert_int_equal(str(&country, "XK"), MN_EINVAL);
    assert_true(mn_field_code_valid(&langs, "ar"));
    assert_false(mn_field_code_valid(&langs, "AR"));
    assert_false(mn_field_code_valid(&langs, "iw"));
    assert_true(mn_field_code_valid(&colour, "red"));
    assert_false(mn_field_code_valid(&colour, "blue"));
    /* A list is not a string value. */
    assert_int_equal(str(&langs, "ar"), MN_EINVAL);
    assert_int_equal(mn_field_enum_count(&colour), 2);
    assert_int_equal(mn_field_enum_count(&country), 0);
    assert_string_equal(mn_field_enum_name(&colour, 1), "green");
    assert_string_equal(mn_field_enum_name(&colour, 2), "unknown");
    assert_int_equal(mn_field_enum_index(&country, "SY"), -1);
}

/* ---- the check of a replicated change's ops ---------------------------- */

static const mn_field_def required = {.no = 9,
                                      .name = "r",
                                      .type = MN_FT_TEXT,
                                      .min = 1,
                                      .max = 9,
                                      .flags = MN_F_REQUIRED,
                                      .help = "r"};
static const mn_field_def when = {
    .no = 10, .name = "w", .type = MN_FT_TIME, .help = "w"};
static const mn_field_def colours_f = {.no = 11,
                                       .name = "cs",
                                       .type = MN_FT_LIST,
                                       .max = 2,
                                       .names = colours,
                                       .help = "cs"};
/* Filled by test_kind_init: C does not take a const object as another's
 * initializer. */
static mn_field_def test_fields[11];
static const mn_kind test_kind = {.type = 200,
                                  .name = "test",
                                  .plural = "tests",
                                  .fields = test_fields,
                                  .nfields = 11};

static void
test_kind_init(void) {
    const mn_field_def *f[] = {&text,     &lines,   &email,    &phone,
                               &colour,   &country, &langs,    &count,
                               &required, &when,    &colours_f};
    for (size_t i = 0; i < MN_ARRAY_LEN(f); i++)
        test_fields[i] = *f[i];
}

/* The fault of a change of one op on field no holding the string z (or
 * the int i when z is NULL; cleared when clear). */
static enum mn_op_fault
fault_of(uint32_t no, const char *z, int64_t i, bool clear) {
    mn_ops ops;
    uint32_t at = 0;
    mn_ops_init(&ops);
    if (clear)
        mn_ops_add_clear(&ops, no);
    else if (z)
        mn_ops_add_str(&ops, no, z, strlen(z));
    else
        mn_ops_add_int(&ops, no, i);
    test_kind_init();
    enum mn_op_fault f = mn_kind_check_ops(&test_kind, ops.op, ops.n, &at);
    assert_int_equal(at, f == MN_FAULT_NONE ? 0 : no);
    mn_ops_release(&ops);
    return f;
}
#define STR(no, z) fault_of(no, z, 0, false)
#define INT(no, i) fault_of(no, NULL, i, false)

static void
test_check_ops(void **state) {
    (void)state;
    /* What the API makes passes. */
    assert_int_equal(STR(1, "ab"), MN_FAULT_NONE);
    assert_int_equal(STR(1, "\xc3\xa6\xc3\xb8"), MN_FAULT_NONE);
    assert_int_equal(STR(3, "a@b.dk"), MN_FAULT_NONE);
    assert_int_equal(STR(5, "red"), MN_FAULT_NONE);
    assert_int_equal(STR(7, ""), MN_FAULT_NONE);
    assert_int_equal(STR(7, "ar,da,en"), MN_FAULT_NONE);
    assert_int_equal(STR(11, "green,red"), MN_FAULT_NONE);
    assert_int_equal(INT(8, -2), MN_FAULT_NONE);
    assert_int_equal(INT(10, 0), MN_FAULT_NONE);
    assert_int_equal(fault_of(1, NULL, 0, true), MN_FAULT_NONE);
    /* A field this table lacks is never checked. */
    assert_int_equal(STR(12, "\xff"), MN_FAULT_NONE);
    assert_int_equal(INT(MN_FIELD_NO_MAX, -1), MN_FAULT_NONE);
    /* Each fault. */
    assert_int_equal(INT(1, 3), MN_FAULT_TYPE);
    assert_int_equal(STR(8, "3"), MN_FAULT_TYPE);
    assert_int_equal(STR(10, "2026-01-01T00:00:00Z"), MN_FAULT_TYPE);
    assert_int_equal(STR(1, "abcde"), MN_FAULT_LIMITS);
    assert_int_equal(STR(1, "a\x01"), MN_FAULT_LIMITS);
    assert_int_equal(STR(1, "a\xff"), MN_FAULT_LIMITS);        /* not UTF-8 */
    assert_int_equal(STR(1, "\xc0\xaf"), MN_FAULT_LIMITS);     /* overlong */
    assert_int_equal(STR(1, "\xed\xa0\x80"), MN_FAULT_LIMITS); /* surrogate */
    assert_int_equal(STR(1, "a\xe2\x82"), MN_FAULT_LIMITS);    /* cut short */
    assert_int_equal(STR(3, "ab.dk"), MN_FAULT_LIMITS);
    assert_int_equal(INT(8, 8), MN_FAULT_LIMITS);
    assert_int_equal(INT(10, -1), MN_FAULT_LIMITS);
    assert_int_equal(STR(5, "blue"), MN_FAULT_CODE);
    assert_int_equal(STR(6, "XK"), MN_FAULT_CODE);
    assert_int_equal(STR(7, "ar,ar"), MN_FAULT_CODE);
    assert_int_equal(STR(7, "ar,"), MN_FAULT_CODE);
    assert_int_equal(STR(7, ",ar"), MN_FAULT_CODE);
    assert_int_equal(STR(7, "ar,,da"), MN_FAULT_CODE);
    assert_int_equal(STR(7, "ar,da,en,fr"), MN_FAULT_CODE); /* max 3 */
    assert_int_equal(STR(11, "blue"), MN_FAULT_CODE);
    assert_int_equal(fault_of(9, NULL, 0, true), MN_FAULT_REQUIRED);
    assert_string_equal(mn_op_fault_name(MN_FAULT_LIMITS), "limits");
    assert_string_equal(mn_op_fault_name(MN_FAULT_COUNT), "unknown");
}

/* One field twice in a change is refused wherever the second op is. */
static void
test_check_ops_duplicate(void **state) {
    mn_ops ops;
    uint32_t at = 0;
    (void)state;
    mn_ops_init(&ops);
    mn_ops_add_str(&ops, 1, "ab", 2);
    mn_ops_add_int(&ops, 40, 1);
    mn_ops_add_int(&ops, 40, 2);
    test_kind_init();
    assert_int_equal(mn_kind_check_ops(&test_kind, ops.op, ops.n, &at),
                     MN_FAULT_DUPLICATE);
    assert_int_equal(at, 40);
    mn_ops_release(&ops);
}

static void
test_int_limits(void **state) {
    mn_problem p;

    (void)state;
    assert_int_equal(mn_field_check_int(&count, "n", -2, &p), MN_OK);
    assert_int_equal(mn_field_check_int(&count, "n", 7, &p), MN_OK);
    assert_int_equal(mn_field_check_int(&count, "n", -3, &p), MN_EINVAL);
    assert_string_equal(p.field, "n");
    assert_int_equal(mn_field_check_int(&count, "n", 8, &p), MN_EINVAL);
    assert_int_equal(mn_field_check_int(&count, "n", INT64_MIN, &p), MN_EINVAL);
    /* An integer is not a text value. */
    assert_int_equal(mn_field_check_int(&text, "t", 3, &p), MN_EINVAL);
}

static void
test_time_parse(void **state) {
    static const char *const bad[] = {"",
                                      "x",
                                      "2026-11-26",
                                      "2026-11-26T10:00:00",
                                      "2026-11-26T10:00:00.Z",
                                      "2026-02-30T10:00:00Z",
                                      "1969-12-31T23:59:59Z",
                                      "2026-11-26T10:00:00z",
                                      "2026-11-26T10:00:00+01:00"};
    uint64_t ms;

    (void)state;
    assert_int_equal(mn_time_parse("1970-01-01T00:00:00Z", &ms), MN_OK);
    assert_true(ms == 0);
    assert_int_equal(mn_time_parse("2026-11-26T10:00:00.5Z", &ms), MN_OK);
    assert_true(ms == UINT64_C(1795687200500));
    assert_int_equal(mn_time_parse("2024-02-29T00:00:00.123456Z", &ms), MN_OK);
    assert_true(ms % 1000 == 123);
    for (size_t i = 0; i < MN_ARRAY_LEN(bad); i++)
        assert_int_equal(mn_time_parse(bad[i], &ms), MN_EINVAL);
}

/* ---- the README's field list -------------------------------------------- */

/* The "### Participants" section of the README (caller frees). */
static char *
readme_participants(void) {
    FILE *f = fopen(MN_README, "rb");
    static char readme[1 << 17];
    assert_non_null(f);
    size_t n = fread(readme, 1, sizeof readme - 1, f);
    fclose(f);
    readme[n] = '\0';
    char *start = strstr(readme, "### Participants\n");
    assert_non_null(start);
    char *end = strstr(start + 4, "\n### ");
    if (end)
        *end = '\0';
    return strdup(start);
}

/* Check one table row: each `key` of its first cell is the table's, and
 * its class cell (the fourth) names every such field's class. Returns how
 * many of the table's keys the row names. */
static size_t
check_row(char *row) {
    const mn_kind *k = &mn_kind_participant;
    char *cells[6] = {0};
    size_t ncells = 0, named = 0;
    for (char *z = strchr(row, '|'); z && ncells < 6; z = strchr(z + 1, '|'))
        cells[ncells++] = z + 1;
    assert_true(ncells >= 5);
    cells[1][-1] = '\0'; /* end the first cell */
    char *cls = cells[3];
    cls += strspn(cls, " ");
    for (char *key = strchr(cells[0], '`'); key; key = strchr(key + 1, '`')) {
        char *close = strchr(key + 1, '`');
        assert_non_null(close);
        *close = '\0';
        key++;
        bool node_only = !strcmp(key, "id") || !strcmp(key, "created_at") ||
                         !strcmp(key, "updated_at");
        size_t matched = 0;
        for (size_t i = 0; i < k->nfields; i++) {
            const mn_field_def *f = &k->fields[i];
            if (strcmp(mn_field_key(f), key) != 0)
                continue;
            const char *want = mn_fvis_name(f->vis);
            if (strncmp(cls, want, strlen(want)) != 0)
                fail_msg("README: %s is %s, the table says %s", key, cls, want);
            matched++;
        }
        if (!matched && !node_only)
            fail_msg("README names %s, which the table lacks", key);
        named += matched > 0;
        key = close;
    }
    return named;
}

static void
test_readme_matches(void **state) {
    const mn_kind *k = &mn_kind_participant;
    size_t keys = 0, named = 0;
    char *section = readme_participants();

    (void)state;
    for (size_t i = 0; i < k->nfields; i++) { /* distinct top-level keys */
        bool first = true;
        for (size_t j = 0; j < i; j++)
            first &= strcmp(mn_field_key(&k->fields[j]),
                            mn_field_key(&k->fields[i])) != 0;
        keys += first;
    }
    for (char *row = strstr(section, "\n| `"); row;
         row = strstr(row + 1, "\n| `")) {
        char *eol = strchr(row + 1, '\n');
        char saved = eol ? *eol : '\0';
        if (eol)
            *eol = '\0';
        char *copy = strdup(row + 1);
        named += check_row(copy);
        free(copy);
        if (eol)
            *eol = saved;
    }
    assert_int_equal(named, keys); /* every key, once */
    free(section);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_types_and_tags_unique),
        cmocka_unit_test(test_tables_well_formed),
        cmocka_unit_test(test_participant_numbers_pinned),
        cmocka_unit_test(test_participant_visibility),
        cmocka_unit_test(test_owner),
        cmocka_unit_test(test_text_limits),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_int_limits),
        cmocka_unit_test(test_check_ops),
        cmocka_unit_test(test_check_ops_duplicate),
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test(test_readme_matches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
