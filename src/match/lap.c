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
 * Determinism: rows are added in index order; the columns at the smallest
 * distance are taken in index order, each assigned one settled, until the
 * first free one ends the search; a column keeps the first row that
 * reached it at its final distance. Nothing depends on time, memory,
 * threads or the CPU's vector width.
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

/* Columns the scan loop's body takes at a time: eight int64 fill two AVX2
 * registers. */
#define VECTOR_LANES 8

#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define LAP_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef LAP_CLONES
#define LAP_CLONES
#endif

struct lap {
    const int32_t *w;
    size_t m;
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

/* The dimensions; the weights are checked row by row as the search first
 * reads them (scan_first), which saves a pass over the whole matrix. */
static int
validate(const int32_t *w, size_t n, size_t m) {
    if (n > m || m > MN_LAP_MAX_DIM || (m > 0 && n > SIZE_MAX / m))
        return MN_EINVAL;
    return n > 0 && w == NULL ? MN_EINVAL : MN_OK;
}

static void
lap_init(struct lap *s, const int32_t *w, size_t n, size_t m,
         int32_t *col_of_row) {
    s->w = w;
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
 * The hot loop: relax n columns from row i, whose reduced costs are
 * p[j] - wrow[j] - u1 (u1 puts the row's settled column at s->min), and
 * return the smallest distance left. Branch-free over contiguous arrays so
 * that the compiler vectorizes it; settled columns take part but never
 * win (SETTLED_PRICE). Ties keep the row that came first.
 */
static inline int64_t
relax(const int32_t *restrict wrow, const int64_t *restrict p,
      int64_t *restrict d, int32_t *restrict pred, size_t n, int64_t u1,
      int32_t i) {
    int64_t best = INT64_MAX;
    for (size_t j = 0; j < n; j++) {
        int64_t h = p[j] - wrow[j] - u1;
        int64_t old = d[j];
        int64_t nd = h < old ? h : old;
        pred[j] = h < old ? i : pred[j];
        d[j] = nd;
        best = nd < best ? nd : best;
    }
    return best;
}

/* Relax all m columns: a body whose length is a multiple of the vector
 * width (which compilers at -O2 vectorize only then), then the rest. On
 * x86-64 there is also an AVX2 build of it, picked at load time when the
 * CPU has it; the result is the same integers either way. */
LAP_CLONES static int64_t
scan_row(const int32_t *wrow, const int64_t *p, int64_t *d, int32_t *pred,
         size_t m, int64_t u1, int32_t i) {
    size_t body = m & ~(size_t)(VECTOR_LANES - 1);
    int64_t a = relax(wrow, p, d, pred, body, u1, i);
    int64_t b =
        relax(wrow + body, p + body, d + body, pred + body, m - body, u1, i);
    return a < b ? a : b;
}

/* The first scan, from free row f: a column's distance is its reduced
 * cost. Also checks the row's weights (a negative one is a large unsigned
 * one): OR-ed into *over. */
static inline int64_t
reach(const int32_t *restrict wrow, const int64_t *restrict p,
      int64_t *restrict d, int32_t *restrict pred, size_t n, int32_t f,
      uint32_t *over) {
    int64_t best = INT64_MAX;
    uint32_t bad = 0;
    for (size_t j = 0; j < n; j++) {
        int64_t h = p[j] - wrow[j];
        d[j] = h;
        pred[j] = f;
        best = h < best ? h : best;
        bad |= (uint32_t)wrow[j] > MN_LAP_MAX_WEIGHT;
    }
    *over |= bad;
    return best;
}

/* reach over all m columns, split as in scan_row. */
LAP_CLONES static int64_t
scan_first(const int32_t *wrow, const int64_t *p, int64_t *d, int32_t *pred,
           size_t m, int32_t f, uint32_t *over) {
    size_t body = m & ~(size_t)(VECTOR_LANES - 1);
    int64_t a = reach(wrow, p, d, pred, body, f, over);
    int64_t b =
        reach(wrow + body, p + body, d + body, pred + body, m - body, f, over);
    return a < b ? a : b;
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

/* The first j >= from with d[j] == v, or m. Most columns are not at v:
 * blocks of VECTOR_LANES are tested without a branch per column. */
LAP_CLONES static size_t
find_at(const int64_t *d, size_t from, size_t m, int64_t v) {
    size_t j = from;
    for (; j + VECTOR_LANES <= m; j += VECTOR_LANES) {
        int hit = 0;
        for (size_t k = 0; k < VECTOR_LANES; k++)
            hit |= d[j + k] == v;
        if (hit)
            break;
    }
    while (j < m && d[j] != v)
        j++;
    return j;
}

/* Settle every column at distance s->min, in index order, until a free one
 * turns up: return it (the end of the path), or -1. */
static int32_t
settle_ties(struct lap *s) {
    for (size_t j = find_at(s->d, 0, s->m, s->min); j < s->m;
         j = find_at(s->d, j + 1, s->m, s->min)) {
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

/* Dijkstra from free row f: return the free column it reaches, or -1 when
 * the row holds a weight out of range. */
static int32_t
search(struct lap *s, int32_t f) {
    uint32_t over = 0;
    s->nset = s->low = 0;
    int64_t best = scan_first(s->w + (size_t)f * s->m, s->p, s->d, s->pred,
                              s->m, f, &over);
    if (over)
        return -1;
    s->min = best;
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
        if (sink < 0) {
            rc = MN_EINVAL;
            break;
        }
        reprice(&s);
        augment(&s, (int32_t)f, sink);
    }
    lap_release(&s);
    if (rc != MN_OK)
        return rc;
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += w[i * m + (size_t)col_of_row[i]];
    *total = sum;
    return MN_OK;
}
