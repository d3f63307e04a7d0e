/*
 * iso — tables of ISO 3166-1 alpha-2 country codes and ISO 639-1 language
 * codes, used to validate what profiles and search filters say about where
 * a person lives and which languages they speak.
 *
 * Invariants: each table is one static array, sorted ascending by byte
 * value, with no duplicates, so lookups are a bsearch. Country codes are
 * upper case and language codes lower case, exactly as the standards write
 * them; no case folding is done here, so callers decide whether to
 * normalise user input before asking. Nothing here allocates and every
 * function is safe to call from any thread.
 */
#ifndef MN_ISO_H
#define MN_ISO_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True if z[0..n) is one of the 249 officially assigned ISO 3166-1 alpha-2
 * codes, in upper case ("SY", "DK", "AF", "PS", "SS"). User-assigned codes
 * such as "XK" (Kosovo) and reserved or withdrawn ones are not accepted.
 * z need not be NUL-terminated and may be NULL when n is 0.
 */
bool mn_iso_country_valid(const char *z, size_t n);

/*
 * True if z[0..n) is an ISO 639-1 two-letter language code, in lower case
 * ("da", "ar", "so", "ti", "fa", "ku", "uk"). The table holds the 184 codes
 * of Debian's iso-codes 4.15 (183 current codes plus "bh", deprecated in
 * 2021 but still in use); withdrawn codes ("sh", "mo", "in", "iw", "ji") are
 * not accepted. z need not be NUL-terminated and may be NULL when n is 0.
 */
bool mn_iso_language_valid(const char *z, size_t n);

/* Number of country codes in the table: 249. */
size_t mn_iso_country_count(void);

/*
 * The i-th country code in ascending order, as a NUL-terminated two-letter
 * string. Requires i < mn_iso_country_count(). The string is static: never
 * free it; it stays valid for the life of the process.
 */
const char *mn_iso_country_at(size_t i);

#endif
