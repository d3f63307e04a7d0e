/*
 * iso — see iso.h. The tables were taken from Debian's iso-codes 4.15
 * (iso_3166-1.json and the alpha_2 entries of iso_639-2.json), which
 * follows the ISO 3166 and ISO 639 maintenance agencies.
 *
 * Invariant: both tables stay sorted ascending with no duplicates; bsearch
 * depends on it and tests/unit/iso_test.c checks it. Each entry is a
 * NUL-terminated two-letter string so mn_iso_country_at can hand it out.
 */
#include "base/iso.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* Every code in both standards is exactly two letters. */
#define ISO_CODE_LEN 2

typedef char iso_code[ISO_CODE_LEN + 1];

/* ISO 3166-1 alpha-2: the 249 officially assigned codes. */
static const iso_code countries[] = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT",
    "AU", "AW", "AX", "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI",
    "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY",
    "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
    "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK",
    "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL",
    "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR",
    "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
    "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS",
    "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW",
    "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP",
    "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
    "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM",
    "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF",
    "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
    "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
};

/* ISO 639-1: 183 current codes plus the deprecated "bh" (Bihari). */
static const iso_code languages[] = {
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az",
    "ba", "be", "bg", "bh", "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce",
    "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz", "ee",
    "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr",
    "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr",
    "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is",
    "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn",
    "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
    "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms",
    "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv",
    "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu",
    "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta",
    "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw",
    "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi",
    "yo", "za", "zh", "zu",
};

#define COUNTRY_COUNT (sizeof(countries) / sizeof(countries[0]))
#define LANGUAGE_COUNT (sizeof(languages) / sizeof(languages[0]))

/* bsearch comparator: key is the caller's two bytes, not NUL-terminated. */
static int
code_cmp(const void *key, const void *elem) {
    return memcmp(key, elem, ISO_CODE_LEN);
}

static bool
code_in(const iso_code *table, size_t count, const char *z, size_t n) {
    if (z == NULL || n != ISO_CODE_LEN)
        return false;
    return bsearch(z, table, count, sizeof(table[0]), code_cmp) != NULL;
}

bool
mn_iso_country_valid(const char *z, size_t n) {
    return code_in(countries, COUNTRY_COUNT, z, n);
}

bool
mn_iso_language_valid(const char *z, size_t n) {
    return code_in(languages, LANGUAGE_COUNT, z, n);
}

size_t
mn_iso_country_count(void) {
    return COUNTRY_COUNT;
}

const char *
mn_iso_country_at(size_t i) {
    assert(i < COUNTRY_COUNT);
    return countries[i];
}
