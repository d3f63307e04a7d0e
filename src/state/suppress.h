/*
 * suppress — small-cell suppression of one table of counts, as a
 * statistics office does it: every count from 1 to MN_SUPPRESS_BELOW - 1
 * is hidden (primary suppression), and further cells are hidden
 * (complementary suppression) until no hidden cell can be worked out
 * from the published cells and totals.
 *
 * A table is rows x columns of counts. Its grand total is always
 * published; each row's total and each column's total are published when
 * the table says so (a one-column table publishes its column's total, the
 * grand total, and not its rows' totals, which are its cells). Published
 * cells are exact; a primary cell is known to lie in 1..4; a
 * complementary cell is known only to be 0 or more.
 *
 * Why a hidden cell is then safe, exactly: hidden cells are the edges of
 * a graph whose nodes are the rows and the columns whose totals are
 * published (the others fold into one node: their sums are free). A cell
 * can move from its true value, with every published figure kept, iff it
 * lies on a cycle of hidden cells along which the values can alternately
 * rise and fall within their bounds (+1 on one, -1 on the next, ...). So
 * the checker looks for such a cycle through each hidden cell, and the
 * complement step adds the cheapest one (a shortest path: hidden cells
 * cost nothing, a published count costs its value, a zero costs more than
 * any count, so zeros are hidden only when nothing else protects). Adding
 * hidden cells only adds edges, so a cell once protected stays protected,
 * and one pass over the primary cells is enough.
 *
 * Tables that share only published totals (a division's participants
 * by role, by status and by year) are independent here: any combination
 * of their cells that keeps the shared totals is possible. Tables that
 * share cells must not be given to this module one at a time.
 *
 * Pure functions; deterministic (ties go to the lowest index), so every
 * node hides the same cells of the same counts.
 */
#ifndef MN_SUPPRESS_H
#define MN_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Counts 1 .. MN_SUPPRESS_BELOW - 1 are small (the national office's rule
 * of five). */
#define MN_SUPPRESS_BELOW 5

/* What the published table shows for a cell. */
enum mn_cell {
    MN_CELL_SHOWN,  /* the count */
    MN_CELL_SMALL,  /* "<5": a count from 1 to 4 (primary) */
    MN_CELL_HIDDEN, /* "x": hidden to protect a small one (complementary) */
};

/* A table of counts, row-major; cells is nrows * ncols long. */
typedef struct mn_count_table {
    size_t nrows, ncols;
    const uint64_t *cells;
    bool row_totals; /* each row's total is published */
    bool col_totals; /* each column's total is published */
} mn_count_table;

/* Primary suppression only (the naive pattern): OUT: flags (nrows *
 * ncols) MN_CELL_SMALL for counts 1..4, MN_CELL_SHOWN for the rest. */
void mn_suppress_primary(const mn_count_table *t, uint8_t *flags);

/* Primary and complementary suppression. OUT: flags (nrows * ncols).
 * Every cell of a row or column whose published total is from 1 to 4 is
 * hidden as MN_CELL_HIDDEN, small or not: there "<5" would tell which
 * cells are not zero. And when hidden cells are still fixed (small cells
 * of 1 that add up to their total: none can fall), the small cells in
 * their row and column are shown as MN_CELL_HIDDEN too (0 or more), and
 * the complements sought again, until nothing changes. Returns how many
 * hidden cells the published figures still fix: 0, unless the totals
 * leave no way round (a table of one cell), which hiding cells cannot
 * help. */
size_t mn_suppress(const mn_count_table *t, uint8_t *flags);

/* Is hidden cell i (row-major) fixed by the published cells and totals,
 * flags being what is published? False for a published cell. */
bool mn_suppress_fixed(const mn_count_table *t, const uint8_t *flags, size_t i);

/* How many hidden cells flags leaves fixed (0 for a safe pattern). */
size_t mn_suppress_count_fixed(const mn_count_table *t, const uint8_t *flags);

#endif
