/*
 * stats_tables — the published statistics as two-way tables with their
 * totals (README "Statistics"), built from the kept counts, optionally
 * with small cells suppressed (state/suppress.h), and rendered as JSON
 * and as CSV. One list of tables feeds both renderings, so the JSON and
 * the CSV always say the same.
 *
 * Invariants:
 * - Every table publishes its grand total; two-way tables also every row
 *   and column total (real counts, never suppressed: the national office
 *   needs them), unless a total itself gives a small cell away
 *   (mn_stables_suppress); one-way tables (mentees by country) their
 *   column total.
 * - Tables of one unit (what they count: participants, partnerships, ...)
 *   share only those totals (their rows are the same divisions): no cell
 *   of one table is a sum of cells of another, so each table is
 *   suppressed on its own and still nothing can be recovered from the
 *   set (suppress.h says why). The audit (tests/stats) checks the set
 *   jointly.
 * - Rows and columns are in a fixed order (division number, the kinds'
 *   tables' order, year, country code): the same counts give the same
 *   tables, suppressed or not, on every node.
 */
#ifndef MN_STATS_TABLES_H
#define MN_STATS_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "base/json.h"
#include "state/stats.h"

#define MN_STABLE_LABEL 128
#define MN_STABLES_MAX 12

/* The outcome columns (and rates): a job split by whether it matches her
 * qualifications (yes, no, not stated), then the other kinds. */
#define MN_STABLES_OUTCOMES (MN_OUTCOME_COUNT + MN_QUAL_COUNT - 1)
extern const char *const mn_stables_outcome_cols[MN_STABLES_OUTCOMES];

/* One published table; every pointer owned by the table. */
typedef struct mn_stable {
    const char *id;      /* stable name: "participants_division_role" */
    const char *title;   /* "Participants by division and role" */
    const char *unit;    /* what one counts: "participants" */
    const char *row_dim; /* "division" */
    const char *col_dim; /* "role"; NULL for a one-way table */
    size_t nrows, ncols;
    char (*rows)[MN_STABLE_LABEL];
    char (*cols)[MN_STABLE_LABEL];
    uint64_t *cells; /* row-major */
    uint8_t *flags;  /* enum mn_cell per cell; all shown unless suppressed */
    bool row_totals, col_totals; /* published */
    bool col_totals_pinned;      /* known from another table: always */
    bool row_totals_pinned;      /* shared with the unit's other tables */
    bool total_hidden;           /* the grand total is small: "<5" */
} mn_stable;

typedef struct mn_stables {
    mn_stable t[MN_STABLES_MAX];
    size_t n;
    bool suppressed;
    size_t fixed;       /* hidden cells the totals still fix (suppress.h) */
    uint64_t completed; /* completed partnerships */
    uint64_t outcomes[MN_STABLES_OUTCOMES]; /* national, by column */
    uint64_t mentee_countries;              /* countries with a mentee */
} mn_stables;

/* Build every table from c; divisions are named by their display names
 * in cfg (a division not configured by its number, 0 as "unknown") and
 * appear when configured or when they count something. Nothing
 * suppressed. Release with mn_stables_release. */
void mn_stables_build(mn_stables *out, const mn_counts *c,
                      const mn_config *cfg);
/* Suppress small cells in every table (state/suppress.h). A total is a
 * count too: when one is from 1 to 4, or when the totals pin a small
 * cell whatever else is hidden, a table stops publishing its columns'
 * totals (unless another table publishes them: the roles'), and if that
 * is not enough, a table alone in its unit stops publishing its rows'
 * totals. Tables of a unit of several always publish their rows' totals
 * (the divisions', shared: a link the per-table check could not see
 * otherwise), even one from 1 to 4. A unit whose grand total is from 1 to
 * 4 hides every count and every total. s->fixed counts the hidden cells
 * all that leaves fixed (0 but in tables too small to protect). */
void mn_stables_suppress(mn_stables *s);
/* Are the national outcome rates published? Only when the outcome
 * table's column totals are, so that a rate never reveals a hidden
 * figure, and some partnership was completed. */
bool mn_stables_rates_published(const mn_stables *s);
void mn_stables_release(mn_stables *s);

/* The tables as JSON: {"tables": [...], "rates": {...}, "suppressed",
 * "mentee_countries"} set into obj. Cells are numbers, or "<5" and "x"
 * when suppressed. */
void mn_stables_json_set(const mn_stables *s, json_t *obj);

/* The text of cell i of t as published: the count, "<5" or "x". OUT:
 * buf (at least 24 bytes); returns buf. */
const char *mn_stable_cell_text(const mn_stable *t, size_t i, char *buf);
/* The published totals of t's row r / column c (0 if not published:
 * check row_totals / col_totals) and its grand total. */
uint64_t mn_stable_row_total(const mn_stable *t, size_t r);
uint64_t mn_stable_col_total(const mn_stable *t, size_t c);
uint64_t mn_stable_total(const mn_stable *t);

#endif
