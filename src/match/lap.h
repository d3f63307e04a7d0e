/*
 * lap — the linear assignment problem, solved exactly: give each of n rows
 * its own column out of m (n <= m) so that the total weight is the largest
 * possible. Matching (match/plan.c) calls it on the capacity-expanded
 * matrix: a row per waiting mentee, a column per free mentor slot, a pair
 * that may not be made weighing 0.
 *
 * Pure computation over base: no I/O, no clock, no randomness, so the same
 * matrix gives the same assignment on every node (the plan is a function
 * of the replicated state).
 */
#ifndef MN_LAP_H
#define MN_LAP_H

#include <stddef.h>
#include <stdint.h>

/* Largest n or m the solver takes (a capacity-expanded matrix of the
 * national plan at ten times the demo data is well under this). */
#define MN_LAP_MAX_DIM 100000
/* Weights are 0..MN_LAP_MAX_WEIGHT, so that every total fits in int64. */
#define MN_LAP_MAX_WEIGHT 1000000

/*
 * Maximize the sum of w[i * m + col_of_row[i]] over i < n, each column used
 * at most once. w is row-major, n x m, n <= m, every weight in
 * 0..MN_LAP_MAX_WEIGHT. OUT: col_of_row[n], *total. Deterministic: the
 * same w gives the same col_of_row.
 * Returns MN_OK, or MN_EINVAL (n > m, a dimension over MN_LAP_MAX_DIM, a
 * weight out of range). Allocates O(n + m) scratch; w is not kept.
 * The weights are checked as the solver first reads each row, so on
 * MN_EINVAL col_of_row may hold a partial answer and *total is untouched.
 */
int mn_lap_max(const int32_t *w, size_t n, size_t m, int32_t *col_of_row,
               int64_t *total);

#endif
