/*
 * stats_json — the API's JSON for the statistics (GET /v1/stats): per
 * division, per role and status, with totals and the number of countries,
 * and the outcomes each division recorded, by kind. Role, status and kind
 * names come from the participant's and the outcome's tables.
 */
#ifndef MN_STATS_JSON_H
#define MN_STATS_JSON_H

#include "base/config.h"
#include "base/json.h"
#include "state/stats.h"

/* The API's JSON for counts (new reference). Divisions are named from
 * cfg; one not configured appears (by number) only when it counts
 * someone. */
json_t *mn_stats_json(const mn_counts *c, const mn_config *cfg);

/* The national figures that are totals of the published tables, for the
 * suppressed view (new reference): {"total": participants ("<5" when 1
 * to 4), "countries": distinct countries of origin}. */
json_t *mn_stats_json_totals(const mn_counts *c);

#endif
