/*
 * stats_tables — see stats_tables.h. Each table is made by one function
 * from the counts; labels come from the kinds' tables (role, status,
 * partnership state), the config (division display names) and the data
 * (years, country codes).
 */
#include "api/stats_tables.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/suppress.h"

/* The divisions the tables show, in number order. */
typedef struct divs {
    uint32_t id[MN_STATS_DIVS];
    size_t n;
} divs;

const char *const mn_stables_outcome_cols[MN_STABLES_OUTCOMES] = {
    "job_matching", "job_not_matching", "job_unstated",
    "education",    "danish_improved",  "network_grown"};

static uint64_t
sum(const uint64_t *p, size_t n) {
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i];
    return s;
}

/* Does division d count anything, in any table? */
static bool
div_used(const mn_counts *c, uint32_t d) {
    uint64_t n = sum(&c->p[d][0][0], MN_ROLE_COUNT * MN_STATUS_COUNT) +
                 sum(c->partnerships[d], MN_PSTATE_COUNT) +
                 sum(c->outcomes[d], MN_OUTCOME_COUNT) +
                 sum(c->moves[d], MN_STATS_DIVS) + c->moved_in[d] +
                 sum(c->members[d], MN_STATS_DIVS);
    for (size_t i = 0; i < MN_STATS_DIVS; i++)
        n += c->pairs[i][d] + c->members[i][d];
    return n > 0;
}

static void
divs_find(divs *out, const mn_counts *c, const mn_config *cfg) {
    out->n = 0;
    for (uint32_t d = 0; d < MN_STATS_DIVS; d++)
        if ((d > 0 && mn_config_division(cfg, d)) || div_used(c, d))
            out->id[out->n++] = d;
}

static void
div_label(const mn_config *cfg, uint32_t d, char *out) {
    const mn_division *div = d ? mn_config_division(cfg, d) : NULL;
    if (!d)
        snprintf(out, MN_STABLE_LABEL, "unknown");
    else if (div)
        snprintf(out, MN_STABLE_LABEL, "%s",
                 div->display_name[0] ? div->display_name : div->name);
    else
        snprintf(out, MN_STABLE_LABEL, "%u", d);
}

/* A new table of s: its cells zero, labels empty. */
static mn_stable *
table_add(mn_stables *s, const char *id, const char *title, const char *unit,
          size_t nrows, size_t ncols) {
    mn_stable *t = &s->t[s->n++];
    memset(t, 0, sizeof *t);
    t->id = id;
    t->title = title;
    t->unit = unit;
    t->row_dim = "division";
    t->nrows = nrows;
    t->ncols = ncols;
    t->rows = mn_calloc(nrows ? nrows : 1, sizeof *t->rows);
    t->cols = mn_calloc(ncols ? ncols : 1, sizeof *t->cols);
    t->cells = mn_calloc(nrows * ncols + 1, sizeof *t->cells);
    t->flags = mn_calloc(nrows * ncols + 1, sizeof *t->flags);
    t->row_totals = t->col_totals = true;
    return t;
}

/* A table with the divisions as rows, columns named from names (or
 * left for the caller when names is NULL). */
static mn_stable *
div_table(mn_stables *s, const divs *dv, const mn_config *cfg,
          const char *const ids[3], const char *col_dim,
          const char *const *names, size_t ncols) {
    mn_stable *t = table_add(s, ids[0], ids[1], ids[2], dv->n, ncols);
    t->col_dim = col_dim;
    for (size_t r = 0; r < dv->n; r++)
        div_label(cfg, dv->id[r], t->rows[r]);
    for (size_t k = 0; names && k < ncols; k++)
        snprintf(t->cols[k], MN_STABLE_LABEL, "%s", names[k]);
    return t;
}

static void
enum_names(const mn_kind *k, uint32_t no, const char **out, size_t n) {
    const mn_field_def *f = mn_kind_field(k, no);
    for (size_t i = 0; i < n; i++)
        out[i] = mn_field_enum_name(f, (int)i);
}

static void
participants_tables(mn_stables *s, const mn_counts *c, const divs *dv,
                    const mn_config *cfg) {
    static const char *const by_role[3] = {"participants_division_role",
                                           "Participants by division and role",
                                           "participants"};
    static const char *const by_status[3] = {
        "participants_division_status", "Participants by division and status",
        "participants"};
    const char *roles[MN_ROLE_COUNT], *statuses[MN_STATUS_COUNT];
    enum_names(&mn_kind_participant, MN_P_ROLE, roles, MN_ROLE_COUNT);
    enum_names(&mn_kind_participant, MN_P_STATUS, statuses, MN_STATUS_COUNT);
    mn_stable *tr =
        div_table(s, dv, cfg, by_role, "role", roles, MN_ROLE_COUNT);
    tr->col_totals_pinned = true; /* mentees: the country table's total */
    mn_stable *ts =
        div_table(s, dv, cfg, by_status, "status", statuses, MN_STATUS_COUNT);
    for (size_t r = 0; r < dv->n; r++)
        for (int role = 0; role < MN_ROLE_COUNT; role++)
            for (int st = 0; st < MN_STATUS_COUNT; st++) {
                uint64_t n = c->p[dv->id[r]][role][st];
                tr->cells[r * MN_ROLE_COUNT + (size_t)role] += n;
                ts->cells[r * MN_STATUS_COUNT + (size_t)st] += n;
            }
}

/* Division by year joined, the years from the first to the last that
 * count someone. */
static void
years_table(mn_stables *s, const mn_counts *c, const divs *dv,
            const mn_config *cfg) {
    static const char *const ids[3] = {"participants_division_year",
                                       ("Participants by division and year "
                                        "joined"),
                                       "participants"};
    int first = MN_STAT_YEARS, last = -1;
    for (size_t r = 0; r < dv->n; r++)
        for (int y = 0; y < MN_STAT_YEARS; y++)
            if (c->year[dv->id[r]][y]) {
                first = y < first ? y : first;
                last = y > last ? y : last;
            }
    size_t ncols = last < first ? 0 : (size_t)(last - first + 1);
    mn_stable *t = div_table(s, dv, cfg, ids, "year", NULL, ncols);
    for (size_t k = 0; k < ncols; k++)
        snprintf(t->cols[k], MN_STABLE_LABEL, "%d",
                 MN_STAT_YEAR_FIRST + first + (int)k);
    for (size_t r = 0; r < dv->n; r++)
        for (size_t k = 0; k < ncols; k++)
            t->cells[r * ncols + k] = c->year[dv->id[r]][first + (int)k];
}

/* Mentees by country of origin (one column), as the divisions'
 * aggregates count them (state/stats.h), then those no aggregate counts
 * ("not recorded": no country, erased, or not yet published by her home),
 * so that the total is every mentee while every home's aggregate is
 * current. */
static void
countries_table(mn_stables *s, const mn_counts *c) {
    uint64_t mentees = 0, known = 0;
    size_t nrows = 0;
    for (size_t d = 0; d < MN_STATS_DIVS; d++)
        mentees += sum(c->p[d][MN_ROLE_MENTEE], MN_STATUS_COUNT);
    for (size_t i = 0; i < MN_STATS_COUNTRIES; i++) {
        nrows += c->mentees[i] != 0;
        known += c->mentees[i];
    }
    s->mentee_countries = nrows;
    mn_stable *t =
        table_add(s, "mentees_country", "Mentees by country of origin",
                  "mentees", nrows + (mentees > known), 1);
    t->row_dim = "country";
    t->row_totals = false;
    snprintf(t->cols[0], MN_STABLE_LABEL, "mentees");
    size_t r = 0;
    for (size_t i = 0; i < MN_STATS_COUNTRIES; i++) {
        if (!c->mentees[i])
            continue;
        snprintf(t->rows[r], MN_STABLE_LABEL, "%c%c", (int)('A' + i / 26),
                 (int)('A' + i % 26));
        t->cells[r++] = c->mentees[i];
    }
    if (mentees > known) {
        snprintf(t->rows[r], MN_STABLE_LABEL, "not recorded");
        t->cells[r] = mentees - known;
    }
}

/* A division x division table of cells[][]: rows and columns the
 * divisions shown. */
static void
div_div_table(mn_stables *s, const divs *dv, const mn_config *cfg,
              const char *const ids[3], const char *row_dim,
              const char *col_dim, const uint64_t (*cells)[MN_STATS_DIVS]) {
    mn_stable *t = div_table(s, dv, cfg, ids, col_dim, NULL, dv->n);
    t->row_dim = row_dim;
    for (size_t k = 0; k < dv->n; k++)
        div_label(cfg, dv->id[k], t->cols[k]);
    for (size_t r = 0; r < dv->n; r++)
        for (size_t k = 0; k < dv->n; k++)
            t->cells[r * dv->n + k] = cells[dv->id[r]][dv->id[k]];
}

static void
partnerships_tables(mn_stables *s, const mn_counts *c, const divs *dv,
                    const mn_config *cfg) {
    static const char *const by_state[3] = {
        "partnerships_division_state",
        "Partnerships by the mentee's division and state", "partnerships"};
    static const char *const across[3] = {
        "partnerships_division_mentor_division",
        "Partnerships by the mentee's and the mentor's division",
        "partnerships"};
    const char *states[MN_PSTATE_COUNT];
    enum_names(&mn_kind_partnership, MN_PS_STATE, states, MN_PSTATE_COUNT);
    mn_stable *t =
        div_table(s, dv, cfg, by_state, "state", states, MN_PSTATE_COUNT);
    for (size_t r = 0; r < dv->n; r++)
        for (size_t k = 0; k < MN_PSTATE_COUNT; k++) {
            t->cells[r * MN_PSTATE_COUNT + k] = c->partnerships[dv->id[r]][k];
            if (k == MN_PSTATE_COMPLETED)
                s->completed += c->partnerships[dv->id[r]][k];
        }
    div_div_table(s, dv, cfg, across, "division", "mentor_division",
                  (const uint64_t(*)[MN_STATS_DIVS])c->pairs);
}

static void
outcomes_table(mn_stables *s, const mn_counts *c, const divs *dv,
               const mn_config *cfg) {
    static const char *const ids[3] = {
        "outcomes_division_kind", "Outcomes by the recording division and kind",
        "outcomes"};
    size_t ncols = MN_STABLES_OUTCOMES;
    mn_stable *t =
        div_table(s, dv, cfg, ids, "kind", mn_stables_outcome_cols, ncols);
    for (size_t r = 0; r < dv->n; r++) {
        uint64_t *row = t->cells + r * ncols;
        uint32_t d = dv->id[r];
        for (size_t q = 0; q < MN_QUAL_COUNT; q++)
            row[q] = c->jobs[d][q];
        for (size_t k = MN_OUTCOME_JOB + 1; k < MN_OUTCOME_COUNT; k++)
            row[MN_QUAL_COUNT + k - 1] = c->outcomes[d][k];
        for (size_t k = 0; k < ncols; k++)
            s->outcomes[k] += row[k];
    }
}

void
mn_stables_build(mn_stables *out, const mn_counts *c, const mn_config *cfg) {
    static const char *const moves[3] = {
        "moves_division_division",
        ("Participants who moved, by the division that registered her and "
         "her home"),
        "moves"};
    static const char *const members[3] = {
        "memberships_division_division",
        ("Sub-network memberships, by the sub-network's division and the "
         "member's"),
        "memberships"};
    divs dv;
    memset(out, 0, sizeof *out);
    divs_find(&dv, c, cfg);
    participants_tables(out, c, &dv, cfg);
    years_table(out, c, &dv, cfg);
    countries_table(out, c);
    partnerships_tables(out, c, &dv, cfg);
    outcomes_table(out, c, &dv, cfg);
    div_div_table(out, &dv, cfg, moves, "from_division", "to_division",
                  (const uint64_t(*)[MN_STATS_DIVS])c->moves);
    div_div_table(out, &dv, cfg, members, "subnetwork_division",
                  "member_division",
                  (const uint64_t(*)[MN_STATS_DIVS])c->members);
}

static bool
small(uint64_t n) {
    return n > 0 && n < MN_SUPPRESS_BELOW;
}

/* Does t publish a total from 1 to 4? */
static bool
small_total(const mn_stable *t) {
    for (size_t r = 0; t->row_totals && !t->row_totals_pinned && r < t->nrows;
         r++)
        if (small(mn_stable_row_total(t, r)))
            return true;
    for (size_t k = 0; t->col_totals && k < t->ncols; k++)
        if (small(mn_stable_col_total(t, k)))
            return true;
    return false;
}

/* Suppress t with the totals it publishes now: 0 when nothing hidden is
 * fixed and no published total is small; else how many are fixed (at
 * least 1). */
static size_t
suppress_one(mn_stable *t) {
    mn_count_table ct = {t->nrows, t->ncols, t->cells, t->row_totals,
                         t->col_totals};
    size_t fixed = mn_suppress(&ct, t->flags);
    return fixed ? fixed : small_total(t);
}

/* Suppress t publishing its rows' totals or not (rows): with its
 * columns' totals if that is safe, else without (unless they are pinned:
 * published elsewhere). */
static size_t
suppress_table(mn_stable *t, bool rows) {
    size_t fixed = 0;
    t->row_totals = (rows || t->row_totals_pinned) && t->col_dim;
    for (int cols = 1; cols >= 0; cols--) {
        t->col_totals = cols || t->col_totals_pinned;
        if ((fixed = suppress_one(t)) == 0 || t->col_totals_pinned)
            break;
    }
    return fixed;
}

/* A table whose grand total is itself small: its total reads "<5" and
 * every cell "x" (as "<5" the cells would say how many are not zero, and
 * with the total how much each holds). */
static void
hide_all(mn_stable *t) {
    memset(t->flags, MN_CELL_HIDDEN, t->nrows * t->ncols);
    t->row_totals = t->col_totals = false;
    t->total_hidden = true;
}

/* The end of the unit that starts at table from. */
static size_t
unit_end(const mn_stables *s, size_t from) {
    size_t to = from + 1;
    while (to < s->n && strcmp(s->t[to].unit, s->t[from].unit) == 0)
        to++;
    return to;
}

/* Suppress tables [from, to), one unit. Tables of one unit share their
 * rows (the divisions): without published row totals their rows' sums
 * would still have to agree, a link the per-table check cannot see, so
 * such tables always publish their rows' totals; a unit of one table may
 * drop them. */
static size_t
suppress_unit(mn_stables *s, size_t from, size_t to) {
    size_t fixed = 0;
    if (small(mn_stable_total(&s->t[from]))) {
        for (size_t i = from; i < to; i++)
            hide_all(&s->t[i]);
        return 0;
    }
    for (size_t i = from; i < to; i++)
        s->t[i].row_totals_pinned = to - from > 1;
    for (int rows = 1; rows >= 0; rows--) {
        fixed = 0;
        for (size_t i = from; i < to; i++)
            fixed += suppress_table(&s->t[i], rows);
        if (fixed == 0)
            break;
    }
    return fixed;
}

void
mn_stables_suppress(mn_stables *s) {
    s->suppressed = true;
    s->fixed = 0;
    for (size_t from = 0, to; from < s->n; from = to) {
        to = unit_end(s, from);
        s->fixed += suppress_unit(s, from, to);
    }
}

void
mn_stables_release(mn_stables *s) {
    for (size_t i = 0; i < s->n; i++) {
        free(s->t[i].rows);
        free(s->t[i].cols);
        free(s->t[i].cells);
        free(s->t[i].flags);
    }
    s->n = 0;
}

const char *
mn_stable_cell_text(const mn_stable *t, size_t i, char *buf) {
    if (t->flags[i] == MN_CELL_SMALL)
        return strcpy(buf, "<5");
    if (t->flags[i] == MN_CELL_HIDDEN)
        return strcpy(buf, "x");
    snprintf(buf, 24, "%" PRIu64, t->cells[i]);
    return buf;
}

uint64_t
mn_stable_row_total(const mn_stable *t, size_t r) {
    return sum(t->cells + r * t->ncols, t->ncols);
}

uint64_t
mn_stable_col_total(const mn_stable *t, size_t c) {
    uint64_t n = 0;
    for (size_t r = 0; r < t->nrows; r++)
        n += t->cells[r * t->ncols + c];
    return n;
}

uint64_t
mn_stable_total(const mn_stable *t) {
    return sum(t->cells, t->nrows * t->ncols);
}

/* A cell as JSON: its count, or the string it is published as. */
static json_t *
cell_json(const mn_stable *t, size_t i) {
    char buf[24];
    if (t->flags[i] == MN_CELL_SHOWN)
        return json_integer((json_int_t)t->cells[i]);
    return json_string(mn_stable_cell_text(t, i, buf));
}

static json_t *
labels_json(const char (*labels)[MN_STABLE_LABEL], size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(labels[i]));
    return a;
}

static json_t *
table_cells_json(const mn_stable *t) {
    json_t *rows = json_array();
    for (size_t r = 0; r < t->nrows; r++) {
        json_t *row = json_array();
        for (size_t k = 0; k < t->ncols; k++)
            json_array_append_new(row, cell_json(t, r * t->ncols + k));
        json_array_append_new(rows, row);
    }
    return rows;
}

/* The rows' (or the columns') totals of t. */
static json_t *
totals_json(const mn_stable *t, bool rows) {
    json_t *a = json_array();
    for (size_t i = 0; i < (rows ? t->nrows : t->ncols); i++)
        json_array_append_new(
            a, json_integer((json_int_t)(rows ? mn_stable_row_total(t, i)
                                              : mn_stable_col_total(t, i))));
    return a;
}

static json_t *
table_json(const mn_stable *t) {
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:I}", "id", t->id, "title",
        t->title, "unit", t->unit, "rows_are", t->row_dim, "rows",
        labels_json((const char(*)[MN_STABLE_LABEL])t->rows, t->nrows),
        "columns",
        labels_json((const char(*)[MN_STABLE_LABEL])t->cols, t->ncols), "cells",
        table_cells_json(t), "total", (json_int_t)mn_stable_total(t));
    json_object_set_new(o, "columns_are",
                        t->col_dim ? json_string(t->col_dim) : json_null());
    if (t->row_totals)
        json_object_set_new(o, "row_totals", totals_json(t, true));
    if (t->col_totals)
        json_object_set_new(o, "column_totals", totals_json(t, false));
    if (t->total_hidden)
        json_object_set_new(o, "total", json_string("<5"));
    return o;
}

/* Does table id of s publish its columns' totals? */
static bool
col_totals_of(const mn_stables *s, const char *id) {
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->t[i].id, id) == 0)
            return s->t[i].col_totals;
    return false;
}

bool
mn_stables_rates_published(const mn_stables *s) {
    return s->completed > 0 && col_totals_of(s, "outcomes_division_kind") &&
           col_totals_of(s, "partnerships_division_state");
}

/* Outcomes per completed partnership, nationally: totals over totals;
 * null when those totals are not published. */
static json_t *
rates_json(const mn_stables *s) {
    bool published = mn_stables_rates_published(s);
    json_t *o = json_pack(
        "{s:s, s:o}", "among", "completed partnerships", "completed",
        published ? json_integer((json_int_t)s->completed) : json_null());
    for (size_t k = 0; k < MN_STABLES_OUTCOMES; k++) {
        double rate =
            published ? (double)s->outcomes[k] / (double)s->completed : 0;
        json_object_set_new(o, mn_stables_outcome_cols[k],
                            published ? json_real(rate) : json_null());
    }
    return o;
}

void
mn_stables_json_set(const mn_stables *s, json_t *obj) {
    json_t *tables = json_array();
    for (size_t i = 0; i < s->n; i++)
        json_array_append_new(tables, table_json(&s->t[i]));
    json_object_set_new(obj, "tables", tables);
    json_object_set_new(obj, "rates", rates_json(s));
    json_object_set_new(obj, "mentee_countries",
                        json_integer((json_int_t)s->mentee_countries));
    json_object_set_new(obj, "suppressed", json_boolean(s->suppressed));
}
