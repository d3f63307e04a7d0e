/*
 * stats_csv — GET /v1/stats?format=csv: the published tables
 * (api/stats_tables.h) as CSV a spreadsheet opens as it is: UTF-8 with a
 * byte-order mark (so Excel reads "Århus" as Århus), CRLF line ends and
 * RFC 4180 quoting, one section per table (its title, a header row, one
 * row per row label with its total, a total row), sections apart by an
 * empty line. Suppressed cells read "<5" and "x", as in the JSON.
 */
#ifndef MN_STATS_CSV_H
#define MN_STATS_CSV_H

#include "api/stats_tables.h"

/* The CSV of s, headed by the "digest", "version_vector" and "verified"
 * of the JSON answer meta (those present). Caller frees. */
char *mn_stats_csv(const mn_stables *s, const json_t *meta);

#endif
