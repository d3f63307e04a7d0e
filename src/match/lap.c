/*
 * lap — see lap.h. Shortest augmenting paths in the Jonker–Volgenant
 * family (the dense, rectangular form scipy's linear_sum_assignment uses,
 * Crouse 2016), in integers, so that the result is exact and the same on
 * every machine.
 *
 * The solver minimizes the cost -w. It keeps a price p[j] >= 0 per column
 * (the dual -v of the column) and, for every assigned row i, lets its
 * assigned column be a cheapest one: p[col] - w[i][col] <= p[j] - w[i][j]
 * for every j. Rows are added one at a time, in index order; each runs a
 * Dijkstra search over the columns, with distances in reduced costs, until
 * it reaches a free column, then flips the path and raises the prices of
 * the columns it settled. Invariants between rows:
 *   - p[j] >= 0 for every column and p[j] == 0 for every free column, so
 *     that a free column is as good as any other free one (what makes the
 *     rectangular case exact);
 *   - row_of_col and col_of_row are inverse on the assigned pairs.
 * As in Jonker–Volgenant, the search settles every column at the current
 * smallest distance at once, which matters here: matching scores are small
 * integer sums and tie a lot.
 *
 * Determinism: rows are added in index order; among the columns at the
 * smallest distance the lowest-index free one ends the search, the others
 * are settled in index order; a column keeps the first row that reached it
 * at its final distance. Nothing depends on time, memory or threads.
 */
#include "match/lap.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/util.h"
#include "mentornet/mentornet.h"

/*
 * A settled column's price while a search runs. A search raises a price by
 * at most MN_LAP_MAX_WEIGHT (its path ends at a free column, at distance
 * -w <= 0, and starts no lower than -MN_LAP_MAX_WEIGHT), so real prices
 * stay below MN_LAP_MAX_DIM * MN_LAP_MAX_WEIGHT = 1e11 and real distances
 * below 3e11, about 2^38. At 2^61 a settled column's distance stays far
 * above every real one, without overflow, so the scan loop needs no test
 * for settled columns: it may relax them, but they never win.
 */
#define SETTLED_PRICE ((int64_t)1 << 61)

struct lap {
    const int32_t *w;
    size_t n, m;
    int64_t *p;          /* [m] column prices, >= 0, 0 when free */
    int64_t *d;          /* [m] distance of the search running */
    int32_t *pred;       /* [m] the row through which d[j] was reached */
    int32_t *row_of_col; /* [m] -1 when free */
    int32_t *col_of_row; /* [n] the caller's output, -1 until assigned */
    /* The columns settled by the search running, in order, with what they
     * had when settled; [low, nset) are settled but not yet scanned. */
    int32_t *set_col, *set_pred;
    int64_t *set_dist, *set_price;
    size_t nset, low;
    int64_t min; /* the current smallest distance */
};

static int
validate(const int32_t *w, size_t n, size_t m) {
    if (n > m || m > MN_LAP_MAX_DIM || (m > 0 && n > SIZE_MAX / m))
        return MN_EINVAL;
    if (n > 0 && w == NULL)
        return MN_EINVAL;
    for (size_t k = 0; k < n * m; k++)
        if (w[k] < 0 || w[k] > MN_LAP_MAX_WEIGHT)
            return MN_EINVAL;
    return MN_OK;
}

static void
lap_init(struct lap *s, const int32_t *w, size_t n, size_t m,
         int32_t *col_of_row) {
    s->w = w;
    s->n = n;
    s->m = m;
    s->p = mn_calloc(m, sizeof *s->p);
    s->d = mn_malloc(m * sizeof *s->d);
    s->pred = mn_malloc(m * sizeof *s->pred);
    s->row_of_col = mn_malloc(m * sizeof *s->row_of_col);
    s->set_col = mn_malloc(m * sizeof *s->set_col);
    s->set_pred = mn_malloc(m * sizeof *s->set_pred);
    s->set_dist = mn_malloc(m * sizeof *s->set_dist);
    s->set_price = mn_malloc(m * sizeof *s->set_price);
    s->col_of_row = col_of_row;
    for (size_t j = 0; j < m; j++)
        s->row_of_col[j] = -1;
    for (size_t i = 0; i < n; i++)
        col_of_row[i] = -1;
}

static void
lap_release(struct lap *s) {
    free(s->p);
    free(s->d);
    free(s->pred);
    free(s->row_of_col);
    free(s->set_col);
    free(s->set_pred);
    free(s->set_dist);
    free(s->set_price);
}

/*
 * The hot loop: relax every column from row i, whose reduced costs are
 * p[j] - wrow[j] - u1 (u1 puts the row's settled column at s->min), and
 * return the smallest distance left. Branch-free over contiguous arrays so
 * that the compiler can vectorize it; settled columns take part but never
 * win (SETTLED_PRICE).
 */
static int64_t
scan_row(const int32_t *restrict wrow, const int64_t *restrict p,
         int64_t *restrict d, int32_t *restrict pred, size_t m, int64_t u1,
         int32_t i) {
    int64_t best = INT64_MAX;
    for (size_t j = 0; j < m; j++) {
        int64_t h = p[j] - wrow[j] - u1;
        int64_t old = d[j];
        int64_t nd = h < old ? h : old;
        pred[j] = h < old ? i : pred[j];
        d[j] = nd;
        best = nd < best ? nd : best;
    }
    return best;
}

/* Settle column j at the current distance: save what the search will need
 * after the scan loop has overwritten it. */
static void
settle(struct lap *s, size_t j) {
    s->set_col[s->nset] = (int32_t)j;
    s->set_pred[s->nset] = s->pred[j];
    s->set_dist[s->nset] = s->min;
    s->set_price[s->nset] = s->p[j];
    s->nset++;
    s->p[j] = SETTLED_PRICE;
    s->d[j] = SETTLED_PRICE;
}

/* Settle every column at distance s->min, in index order, until a free one
 * turns up: return it (the end of the path), or -1. */
static int32_t
settle_ties(struct lap *s) {
    for (size_t j = 0; j < s->m; j++) {
        if (s->d[j] != s->min)
            continue;
        if (s->row_of_col[j] < 0)
            return (int32_t)j;
        settle(s, j);
    }
    return -1;
}

/* Scan the row assigned to the next settled column; return the smallest
 * distance left. */
static int64_t
scan_next(struct lap *s) {
    size_t k = s->low++;
    int32_t col = s->set_col[k];
    int32_t i = s->row_of_col[col];
    const int32_t *wrow = s->w + (size_t)i * s->m;
    int64_t u1 = s->set_price[k] - wrow[col] - s->min;
    return scan_row(wrow, s->p, s->d, s->pred, s->m, u1, i);
}

/* Dijkstra from free row f; return the free column it reaches. */
static int32_t
search(struct lap *s, int32_t f) {
    const int32_t *wrow = s->w + (size_t)f * s->m;
    for (size_t j = 0; j < s->m; j++)
        s->d[j] = INT64_MAX;
    s->nset = s->low = 0;
    s->min = INT64_MIN;
    int64_t best = scan_row(wrow, s->p, s->d, s->pred, s->m, 0, f);
    for (;;) {
        /* Reduced costs are >= 0: best never drops below s->min. When it
         * ties, or nothing is left to scan, settle the columns at best. */
        if (best == s->min || s->low == s->nset) {
            s->min = best;
            int32_t sink = settle_ties(s);
            if (sink >= 0)
                return sink;
        }
        best = scan_next(s);
    }
}

/* Restore the settled columns' prices, raised by how much closer than the
 * end of the path they were (which keeps every reduced cost >= 0 and every
 * path edge at 0), and their predecessors for the path. */
static void
reprice(struct lap *s) {
    for (size_t k = 0; k < s->nset; k++) {
        int32_t j = s->set_col[k];
        s->p[j] = s->set_price[k] + (s->min - s->set_dist[k]);
        s->pred[j] = s->set_pred[k];
    }
}

/* Flip the path that ends at free column j and starts at free row f. */
static void
augment(struct lap *s, int32_t f, int32_t j) {
    int32_t i;
    do {
        i = s->pred[j];
        s->row_of_col[j] = i;
        int32_t next = s->col_of_row[i];
        s->col_of_row[i] = j;
        j = next;
    } while (i != f);
}

int
mn_lap_max(const int32_t *w, size_t n, size_t m, int32_t *col_of_row,
           int64_t *total) {
    assert(total != NULL && (n == 0 || col_of_row != NULL));
    int rc = validate(w, n, m);
    if (rc != MN_OK)
        return rc;
    struct lap s;
    lap_init(&s, w, n, m, col_of_row);
    for (size_t f = 0; f < n; f++) {
        int32_t sink = search(&s, (int32_t)f);
        reprice(&s);
        augment(&s, (int32_t)f, sink);
    }
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += w[i * m + (size_t)col_of_row[i]];
    *total = sum;
    lap_release(&s);
    return MN_OK;
}
