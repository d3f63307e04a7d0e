/*
 * suppress — see suppress.h for the rule and why it is safe. Here: the
 * graph of a table (row nodes, then column nodes), the arcs a cell gives
 * (up: row -> column, the cell can rise; down: column -> row, it can
 * fall) and one shortest-path search that serves both the checker (hidden
 * cells only, all free) and the complement step (every cell, at a cost).
 */
#include "state/suppress.h"

#include <stdlib.h>

#include "base/util.h"

/* A zero costs more than any path of counts: hidden only as a last
 * resort (a true zero is published as 0 whenever it can be). */
#define ZERO_COST (UINT64_C(1) << 40)
#define NO_PATH UINT64_MAX
#define NO_CELL SIZE_MAX

typedef struct search {
    const mn_count_table *t;
    const uint8_t *flags;
    size_t skip;    /* the cell whose cycle is sought: not on the path */
    bool any;       /* published cells may join the path (at a cost) */
    size_t nnodes;  /* row nodes, then column nodes */
    uint64_t *dist; /* per node */
    size_t *via;    /* per node: the cell that reached it */
    bool *done;     /* per node */
} search;

static size_t
row_nodes(const mn_count_table *t) {
    return t->row_totals ? t->nrows : 1;
}

static size_t
rnode(const mn_count_table *t, size_t cell) {
    return t->row_totals ? cell / t->ncols : 0;
}

static size_t
cnode(const mn_count_table *t, size_t cell) {
    return row_nodes(t) + (t->col_totals ? cell % t->ncols : 0);
}

static bool
can_rise(const mn_count_table *t, const uint8_t *flags, size_t cell) {
    return flags[cell] != MN_CELL_SMALL ||
           t->cells[cell] < MN_SUPPRESS_BELOW - 1;
}

static bool
can_fall(const mn_count_table *t, const uint8_t *flags, size_t cell) {
    return t->cells[cell] > (flags[cell] == MN_CELL_SMALL ? 1u : 0u);
}

/* What taking cell costs on a path, or NO_PATH when it may not. */
static uint64_t
cell_cost(const search *s, size_t cell) {
    if (cell == s->skip)
        return NO_PATH;
    if (s->flags[cell] != MN_CELL_SHOWN)
        return 0;
    if (!s->any)
        return NO_PATH;
    return s->t->cells[cell] ? s->t->cells[cell] : ZERO_COST;
}

/* The node that cell leads to from node u, or SIZE_MAX when no arc of
 * cell leaves u. */
static size_t
arc_from(const search *s, size_t u, size_t cell) {
    if (rnode(s->t, cell) == u && can_rise(s->t, s->flags, cell))
        return cnode(s->t, cell);
    if (cnode(s->t, cell) == u && can_fall(s->t, s->flags, cell))
        return rnode(s->t, cell);
    return SIZE_MAX;
}

static void
relax(search *s, size_t u) {
    size_t ncells = s->t->nrows * s->t->ncols;
    for (size_t cell = 0; cell < ncells; cell++) {
        uint64_t cost = cell_cost(s, cell);
        size_t v = cost == NO_PATH ? SIZE_MAX : arc_from(s, u, cell);
        if (v == SIZE_MAX || s->done[v] || s->dist[u] + cost >= s->dist[v])
            continue;
        s->dist[v] = s->dist[u] + cost;
        s->via[v] = cell;
    }
}

/* The node not yet done nearest the source, or SIZE_MAX. */
static size_t
nearest(const search *s) {
    size_t best = SIZE_MAX;
    for (size_t v = 0; v < s->nnodes; v++)
        if (!s->done[v] && s->dist[v] != NO_PATH &&
            (best == SIZE_MAX || s->dist[v] < s->dist[best]))
            best = v;
    return best;
}

/* Dijkstra from node from to node to; the path's cost or NO_PATH. */
static uint64_t
shortest(search *s, size_t from, size_t to) {
    for (size_t v = 0; v < s->nnodes; v++) {
        s->dist[v] = NO_PATH;
        s->via[v] = NO_CELL;
        s->done[v] = false;
    }
    s->dist[from] = 0;
    for (size_t u = from; u != SIZE_MAX && u != to; u = nearest(s)) {
        s->done[u] = true;
        relax(s, u);
    }
    return s->dist[to];
}

static void
search_init(search *s, const mn_count_table *t, const uint8_t *flags,
            size_t skip, bool any) {
    s->t = t;
    s->flags = flags;
    s->skip = skip;
    s->any = any;
    s->nnodes = row_nodes(t) + (t->col_totals ? t->ncols : 1);
    s->dist = mn_calloc(s->nnodes, sizeof *s->dist);
    s->via = mn_calloc(s->nnodes, sizeof *s->via);
    s->done = mn_calloc(s->nnodes, sizeof *s->done);
}

static void
search_release(search *s) {
    free(s->dist);
    free(s->via);
    free(s->done);
}

/* The cheapest way round for cell: its rise closed by a path from its
 * column back to its row, or its fall closed by one from its row to its
 * column. OUT: *from, *to of that path. NO_PATH when neither exists. */
static uint64_t
cheapest_cycle(search *s, size_t cell, size_t *from, size_t *to) {
    size_t r = rnode(s->t, cell), c = cnode(s->t, cell);
    uint64_t up = NO_PATH, down = NO_PATH;
    if (can_rise(s->t, s->flags, cell))
        up = shortest(s, c, r);
    if (can_fall(s->t, s->flags, cell))
        down = shortest(s, r, c);
    *from = up <= down ? c : r;
    *to = up <= down ? r : c;
    return up <= down ? up : down;
}

bool
mn_suppress_fixed(const mn_count_table *t, const uint8_t *flags, size_t i) {
    search s;
    size_t from, to;
    if (t->ncols == 0 || flags[i] == MN_CELL_SHOWN)
        return false;
    search_init(&s, t, flags, i, false);
    bool fixed = cheapest_cycle(&s, i, &from, &to) == NO_PATH;
    search_release(&s);
    return fixed;
}

size_t
mn_suppress_count_fixed(const mn_count_table *t, const uint8_t *flags) {
    size_t n = 0;
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        n += mn_suppress_fixed(t, flags, i);
    return n;
}

void
mn_suppress_primary(const mn_count_table *t, uint8_t *flags) {
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        flags[i] = t->cells[i] > 0 && t->cells[i] < MN_SUPPRESS_BELOW
                       ? MN_CELL_SMALL
                       : MN_CELL_SHOWN;
}

/* Hide the published cells on the cheapest cycle through hidden cell i,
 * if it is fixed. */
static void
protect(const mn_count_table *t, uint8_t *flags, size_t i) {
    search s;
    size_t from, to;
    if (!mn_suppress_fixed(t, flags, i))
        return;
    search_init(&s, t, flags, i, true);
    if (cheapest_cycle(&s, i, &from, &to) != NO_PATH) {
        shortest(&s, from, to); /* again: via[] of the chosen direction */
        for (size_t v = to; v != from;) {
            size_t cell = s.via[v];
            if (flags[cell] == MN_CELL_SHOWN)
                flags[cell] = MN_CELL_HIDDEN;
            v = v == cnode(t, cell) ? rnode(t, cell) : cnode(t, cell);
        }
    }
    search_release(&s);
}

/* The total of row r (by_row) or column r. */
static uint64_t
line_total(const mn_count_table *t, bool by_row, size_t r) {
    uint64_t n = 0;
    size_t len = by_row ? t->ncols : t->nrows;
    for (size_t k = 0; k < len; k++)
        n += t->cells[by_row ? r * t->ncols + k : k * t->ncols + r];
    return n;
}

/* In a row or column whose published total is itself small, "<5" would
 * say which cells are not zero, and the total how much they hold: every
 * cell of such a line is hidden as "x" instead. */
static void
hide_small_lines(const mn_count_table *t, uint8_t *flags) {
    if (t->ncols == 0)
        return;
    for (size_t i = 0; i < t->nrows * t->ncols; i++) {
        uint64_t row = line_total(t, true, i / t->ncols);
        uint64_t col = line_total(t, false, i % t->ncols);
        if ((t->row_totals && row > 0 && row < MN_SUPPRESS_BELOW) ||
            (t->col_totals && col > 0 && col < MN_SUPPRESS_BELOW))
            flags[i] = MN_CELL_HIDDEN;
    }
}

/* Show every small cell in the row and the column of cell i as "x":
 * then they may be 0 too, and can fall where a "<5" of 1 cannot. Returns
 * whether a cell changed. */
static bool
widen(const mn_count_table *t, uint8_t *flags, size_t i) {
    bool changed = false;
    if (t->ncols == 0)
        return false;
    for (size_t k = 0; k < t->nrows * t->ncols; k++)
        if (flags[k] == MN_CELL_SMALL &&
            (k / t->ncols == i / t->ncols || k % t->ncols == i % t->ncols)) {
            flags[k] = MN_CELL_HIDDEN;
            changed = true;
        }
    return changed;
}

size_t
mn_suppress(const mn_count_table *table, uint8_t *flags) {
    /* A copy flags cannot alias (char stores alias anything). */
    const mn_count_table copy = *table, *t = &copy;
    size_t ncells = t->nrows * t->ncols;
    bool changed = true;
    mn_suppress_primary(t, flags);
    hide_small_lines(t, flags);
    while (changed) {
        changed = false;
        for (size_t i = 0; i < ncells; i++)
            if (flags[i] != MN_CELL_SHOWN)
                protect(t, flags, i);
        for (size_t i = 0; i < ncells; i++)
            if (mn_suppress_fixed(t, flags, i))
                changed |= widen(t, flags, i);
    }
    return mn_suppress_count_fixed(t, flags);
}
