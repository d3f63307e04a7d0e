/*
 * hand_tables — prints small tables built by hand, suppressed, as the
 * "tables" of a GET /v1/stats answer, for the audit (suppress_audit.py):
 *
 *     stats_hand_tables [--naive]
 *
 * Unit "hand": a 3x3 table with one small cell (3) that its row total
 * gives away when it is hidden alone, and a second table of the same rows
 * (the same people by another breakdown, with a small cell of its own):
 * the two are linked through their row totals, so the audit solves them
 * jointly. Unit "block": a 2x2 block of ones, hidden two to a row and two
 * to a column (the classic rule of thumb holds), and still every one of
 * them is 1. --naive: primary suppression only (the audit must find
 * cells disclosed); default: state/suppress.c's full pattern (the audit
 * must find none).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/stats_tables.h"
#include "state/suppress.h"

/* Add a table of s with labels and cells (row-major). */
static void
add(mn_stables *s, const char *const meta[4], size_t nrows, size_t ncols,
    const char *const *rows, const char *const *cols, const uint64_t *cells) {
    mn_stable *t = &s->t[s->n++];
    memset(t, 0, sizeof *t);
    t->id = meta[0];
    t->title = meta[0];
    t->unit = meta[1];
    t->row_dim = meta[2];
    t->col_dim = meta[3];
    t->nrows = nrows;
    t->ncols = ncols;
    t->rows = mn_calloc(nrows, sizeof *t->rows);
    t->cols = mn_calloc(ncols, sizeof *t->cols);
    t->cells = mn_calloc(nrows * ncols, sizeof *t->cells);
    t->flags = mn_calloc(nrows * ncols, sizeof *t->flags);
    t->row_totals = t->col_totals = true;
    for (size_t r = 0; r < nrows; r++)
        snprintf(t->rows[r], MN_STABLE_LABEL, "%s", rows[r]);
    for (size_t c = 0; c < ncols; c++)
        snprintf(t->cols[c], MN_STABLE_LABEL, "%s", cols[c]);
    memcpy(t->cells, cells, nrows * ncols * sizeof *cells);
}

static void
build(mn_stables *s) {
    static const char *const rows[] = {"r1", "r2", "r3"};
    static const char *const abc[] = {"a", "b", "c"};
    static const char *const yz[] = {"y", "z"};
    static const char *const a_meta[] = {"hand_a", "hand", "row", "abc"};
    static const char *const b_meta[] = {"hand_b", "hand", "row", "yz"};
    static const char *const block_meta[] = {"block", "block", "row", "abc"};
    static const uint64_t a[] = {3, 10, 12, 8, 9, 20, 7, 15, 11};
    static const uint64_t b[] = {21, 4, 30, 7, 13, 20}; /* rows 25 37 33 */
    static const uint64_t block[] = {1, 1, 50, 1, 1, 60, 70, 80, 90};
    memset(s, 0, sizeof *s);
    add(s, a_meta, 3, 3, rows, abc, a);
    add(s, b_meta, 3, 2, rows, yz, b);
    add(s, block_meta, 3, 3, rows, abc, block);
}

int
main(int argc, char **argv) {
    bool naive = argc > 1 && strcmp(argv[1], "--naive") == 0;
    mn_stables s;
    build(&s);
    for (size_t i = 0; i < s.n; i++) {
        mn_stable *t = &s.t[i];
        mn_count_table ct = {t->nrows, t->ncols, t->cells, true, true};
        if (naive)
            mn_suppress_primary(&ct, t->flags);
        else
            mn_suppress(&ct, t->flags);
    }
    s.suppressed = true;
    json_t *j = json_object();
    mn_stables_json_set(&s, j);
    char *text = json_dumps(j, JSON_INDENT(1));
    puts(text);
    free(text);
    json_decref(j);
    mn_stables_release(&s);
    return 0;
}
