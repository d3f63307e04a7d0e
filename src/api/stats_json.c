/*
 * stats_json — see stats_json.h.
 */
#include "api/stats_json.h"

#include <stdio.h>

#include "state/outcome.h"
#include "state/participant.h"
#include "state/partnership.h"
#include "state/suppress.h"

static json_t *
division_json(const mn_counts *c, uint32_t div, uint64_t *total) {
    const mn_field_def *role = mn_kind_field(&mn_kind_participant, MN_P_ROLE);
    const mn_field_def *status =
        mn_kind_field(&mn_kind_participant, MN_P_STATUS);
    json_t *d = json_object();
    uint64_t sum = 0;
    for (int r = 0; r < MN_ROLE_COUNT; r++) {
        json_t *by_status = json_object();
        for (int s = 0; s < MN_STATUS_COUNT; s++) {
            json_object_set_new(by_status, mn_field_enum_name(status, s),
                                json_integer((json_int_t)c->p[div][r][s]));
            sum += c->p[div][r][s];
        }
        json_object_set_new(d, mn_field_enum_name(role, r), by_status);
    }
    json_object_set_new(d, "total", json_integer((json_int_t)sum));
    *total = sum;
    return d;
}

/* {state: count} of one division's partnerships; adds to national. */
static json_t *
partnerships_json(const mn_counts *c, uint32_t div, uint64_t *national,
                  uint64_t *sum) {
    const mn_field_def *state =
        mn_kind_field(&mn_kind_partnership, MN_PS_STATE);
    json_t *o = json_object();
    for (int s = 0; s < MN_PSTATE_COUNT; s++) {
        uint64_t n = c->partnerships[div][s];
        json_object_set_new(o, mn_field_enum_name(state, s),
                            json_integer((json_int_t)n));
        national[s] += n;
        *sum += n;
    }
    return o;
}

static json_t *
states_json(const uint64_t *n) {
    const mn_field_def *state =
        mn_kind_field(&mn_kind_partnership, MN_PS_STATE);
    json_t *o = json_object();
    for (int s = 0; s < MN_PSTATE_COUNT; s++)
        json_object_set_new(o, mn_field_enum_name(state, s),
                            json_integer((json_int_t)n[s]));
    return o;
}

/* {kind: count} of n (MN_OUTCOME_COUNT counts). */
static json_t *
outcome_kinds_json(const uint64_t *n) {
    const mn_field_def *kind = mn_kind_field(&mn_kind_outcome, MN_O_KIND);
    json_t *o = json_object();
    for (int i = 0; i < MN_OUTCOME_COUNT; i++)
        json_object_set_new(o, mn_field_enum_name(kind, i),
                            json_integer((json_int_t)n[i]));
    return o;
}

/* {"divisions": {name: {kind: count}}, "total": {kind: count}}: the
 * outcomes each division recorded. A division not configured appears only
 * when it recorded some. */
static json_t *
outcomes_json(const mn_counts *c, const mn_config *cfg) {
    json_t *divisions = json_object();
    uint64_t national[MN_OUTCOME_COUNT] = {0}, sum;
    char name[16];
    for (uint32_t div = 1; div <= MN_MAX_NODES; div++) {
        const mn_division *d = mn_config_division(cfg, div);
        sum = 0;
        for (int i = 0; i < MN_OUTCOME_COUNT; i++) {
            national[i] += c->outcomes[div][i];
            sum += c->outcomes[div][i];
        }
        if (!d && sum == 0)
            continue;
        snprintf(name, sizeof name, "%u", div);
        json_object_set_new(divisions, d ? d->name : name,
                            outcome_kinds_json(c->outcomes[div]));
    }
    return json_pack("{s:o, s:o}", "divisions", divisions, "total",
                     outcome_kinds_json(national));
}

static uint64_t
countries_of(const mn_counts *c) {
    uint64_t n = 0;
    for (size_t i = 0; i < MN_ARRAY_LEN(c->country); i++)
        n += c->country[i] != 0;
    return n;
}

json_t *
mn_stats_json_totals(const mn_counts *c) {
    const uint64_t *p = &c->p[0][0][0];
    uint64_t total = 0;
    for (size_t i = 0; i < MN_ARRAY_LEN(c->p) * MN_ROLE_COUNT * MN_STATUS_COUNT;
         i++)
        total += p[i];
    json_t *t = total > 0 && total < MN_SUPPRESS_BELOW
                    ? json_string("<5")
                    : json_integer((json_int_t)total);
    return json_pack("{s:o, s:I}", "total", t, "countries",
                     (json_int_t)countries_of(c));
}

json_t *
mn_stats_json(const mn_counts *c, const mn_config *cfg) {
    json_t *divisions = json_object();
    uint64_t total = 0, moved = 0, national[MN_PSTATE_COUNT] = {0};
    char name[16];
    for (uint32_t div = 1; div <= MN_MAX_NODES; div++) {
        const mn_division *d = mn_config_division(cfg, div);
        uint64_t sum, pairs = 0;
        json_t *dj = division_json(c, div, &sum);
        json_object_set_new(dj, "partnerships",
                            partnerships_json(c, div, national, &pairs));
        json_object_set_new(dj, "moved_in",
                            json_integer((json_int_t)c->moved_in[div]));
        moved += c->moved_in[div];
        if (!d && sum == 0 && pairs == 0) {
            json_decref(dj);
            continue;
        }
        snprintf(name, sizeof name, "%u", div);
        json_object_set_new(divisions, d ? d->name : name, dj);
        total += sum;
    }
    return json_pack("{s:o, s:I, s:I, s:o, s:I, s:o}", "divisions", divisions,
                     "total", (json_int_t)total, "countries",
                     (json_int_t)countries_of(c), "partnerships",
                     states_json(national), "moves", (json_int_t)moved,
                     "outcomes", outcomes_json(c, cfg));
}
