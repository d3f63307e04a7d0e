/*
 * iso_test — unit tests for iso.c: known codes in and out of each table,
 * case and length handling, and the table invariants (249 countries,
 * sorted, no duplicates) that bsearch relies on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/iso.h"

/* Expected table sizes: ISO 3166-1 assigns 249 alpha-2 codes; ISO 639-1
 * has 183 current codes and iso.c also keeps the deprecated "bh". */
#define COUNTRIES_ASSIGNED 249
#define LANGUAGES_KNOWN 184

static bool
country(const char *z) {
    return mn_iso_country_valid(z, strlen(z));
}

static bool
language(const char *z) {
    return mn_iso_language_valid(z, strlen(z));
}

/* Count how many of the 676 two-letter strings over first..first+25 the
 * predicate accepts: an independent check that no code is missing. */
static size_t
count_accepted(bool (*valid)(const char *, size_t), char first) {
    size_t n = 0;
    char z[2];

    for (int a = 0; a < 26; a++) {
        for (int b = 0; b < 26; b++) {
            z[0] = (char)(first + a);
            z[1] = (char)(first + b);
            n += valid(z, sizeof(z)) ? 1 : 0;
        }
    }
    return n;
}

static void
test_country_known_valid(void **state) {
    static const char *const codes[] = {
        "SY", "DK", "AF", "PS", "SS", "IQ", "ER", "SO", "IR", "UA",
        "US", "GB", "DE", "SE", "NO", "FI", "IS", "GL", "FO", "AX",
        "BQ", "CW", "SX", "TL", "ME", "RS", "AD", "ZW", "EH", "TW",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        assert_true(country(codes[i]));
}

static void
test_country_known_invalid(void **state) {
    /* XK, AA, QQ, XA and ZZ are user-assigned; UK, EU, EA and SU are
     * exceptionally reserved; YU, AN, CS, TP and DD were withdrawn. */
    static const char *const codes[] = {
        "XK", "UK", "EU", "YU", "AN", "CS", "TP", "ZZ",
        "AA", "QQ", "XA", "EA", "DD", "SU", "A1", "--",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        assert_false(mn_iso_country_valid(codes[i], 2));
    assert_false(mn_iso_country_valid("\0\0", 2));
}

static void
test_country_wrong_case(void **state) {
    (void)state;
    assert_false(country("sy"));
    assert_false(country("Sy"));
    assert_false(country("sY"));
    assert_false(country("dk"));
}

static void
test_country_wrong_length(void **state) {
    (void)state;
    assert_false(mn_iso_country_valid(NULL, 0));
    assert_false(mn_iso_country_valid("", 0));
    assert_false(mn_iso_country_valid("S", 1));
    assert_false(mn_iso_country_valid("SYR", 3));
    assert_false(mn_iso_country_valid("DNK", 3));
    /* The input need not be NUL-terminated: only n bytes are read. */
    assert_true(mn_iso_country_valid("SYR", 2));
    assert_false(mn_iso_country_valid("SY", 3));
}

static void
test_country_table(void **state) {
    size_t n = mn_iso_country_count();

    (void)state;
    assert_int_equal(n, COUNTRIES_ASSIGNED);
    for (size_t i = 0; i < n; i++) {
        const char *z = mn_iso_country_at(i);

        assert_int_equal(strlen(z), 2);
        assert_true(z[0] >= 'A' && z[0] <= 'Z');
        assert_true(z[1] >= 'A' && z[1] <= 'Z');
        assert_true(country(z));
        if (i > 0)
            assert_true(strcmp(mn_iso_country_at(i - 1), z) < 0);
    }
    assert_string_equal(mn_iso_country_at(0), "AD");
    assert_string_equal(mn_iso_country_at(n - 1), "ZW");
    assert_int_equal(count_accepted(mn_iso_country_valid, 'A'),
                     COUNTRIES_ASSIGNED);
}

static void
test_language_known_valid(void **state) {
    static const char *const codes[] = {
        "da", "ar", "so", "ti", "fa", "ku", "uk", "en", "de", "fr",
        "es", "ps", "am", "om", "tr", "ur", "sv", "nb", "nn", "no",
        "is", "fo", "kl", "aa", "zu", "he", "yi", "id", "bh",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        assert_true(language(codes[i]));
}

static void
test_language_known_invalid(void **state) {
    /* sh, mo, in, iw, ji are withdrawn; the rest were never assigned. */
    static const char *const codes[] = {
        "sh", "mo", "in", "iw", "ji", "xx", "qq", "zz", "dk", "sy", "ZZ",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        assert_false(language(codes[i]));
}

static void
test_language_wrong_case_and_length(void **state) {
    (void)state;
    assert_false(language("DA"));
    assert_false(language("Da"));
    assert_false(language("dA"));
    assert_false(language("AR"));
    assert_false(mn_iso_language_valid(NULL, 0));
    assert_false(mn_iso_language_valid("d", 1));
    assert_false(mn_iso_language_valid("dan", 3));
    assert_false(mn_iso_language_valid("ara", 3));
    assert_true(mn_iso_language_valid("dan", 2));
}

static void
test_language_count(void **state) {
    (void)state;
    assert_int_equal(count_accepted(mn_iso_language_valid, 'a'),
                     LANGUAGES_KNOWN);
    /* Upper-case spellings are never accepted. */
    assert_int_equal(count_accepted(mn_iso_language_valid, 'A'), 0);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_country_known_valid),
        cmocka_unit_test(test_country_known_invalid),
        cmocka_unit_test(test_country_wrong_case),
        cmocka_unit_test(test_country_wrong_length),
        cmocka_unit_test(test_country_table),
        cmocka_unit_test(test_language_known_valid),
        cmocka_unit_test(test_language_known_invalid),
        cmocka_unit_test(test_language_wrong_case_and_length),
        cmocka_unit_test(test_language_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
