/*
 * hand_tables — prints small tables built by hand, suppressed, as the
 * "tables" of a GET /v1/stats answer, for the audit (suppress_audit.py):
 *
 *     stats_hand_tables [--naive]
 *     stats_hand_tables --random SEED
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
 *
 * --random SEED: every table GET /v1/stats publishes, suppressed as the
 * national view is, from counts of a few hundred random entities over
 * six divisions, skewed so that small cells, small totals and a tiny
 * division are common (the audit must find nothing disclosed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/stats_tables.h"
#include "state/suppress.h"

#define NDIVS 6

/* splitmix64: one word of state. */
static uint64_t
next(uint64_t *s) {
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* 0..n-1, the low values far likelier (the square of a uniform draw). */
static size_t
skewed(uint64_t *s, size_t n) {
    uint64_t a = next(s) % n, b = next(s) % n;
    return a < b ? a : b;
}

/* A division 1..NDIVS: the last one tiny. */
static uint32_t
division(uint64_t *s) {
    uint32_t d = 1 + (uint32_t)skewed(s, NDIVS);
    return d == NDIVS && next(s) % 4 ? 1 : d;
}

static void
random_participants(mn_counts *c, uint64_t *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t d = division(s);
        size_t role = next(s) % MN_ROLE_COUNT, st = skewed(s, MN_STATUS_COUNT);
        size_t year = 3 + skewed(s, 20), cc = skewed(s, 40);
        c->p[d][role][st]++;
        c->year[d][year]++;
        c->country[cc]++;
        if (role == MN_ROLE_MENTEE && next(s) % 8)
            c->mentees[cc]++;
    }
}

static void
random_others(mn_counts *c, uint64_t *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t d = division(s), m = division(s), k = division(s);
        size_t state = skewed(s, MN_PSTATE_COUNT);
        size_t kind = skewed(s, MN_OUTCOME_COUNT);
        c->partnerships[d][state]++;
        c->pairs[d][next(s) % 3 ? d : m]++;
        c->outcomes[d][kind]++;
        if (kind == MN_OUTCOME_JOB)
            c->jobs[d][skewed(s, MN_QUAL_COUNT)]++;
        if (m != k && next(s) % 5 == 0) {
            c->moves[m][k]++;
            c->moved_in[k]++;
        }
        c->members[d][skewed(s, NDIVS) + 1]++;
    }
}

/* Every published table from random counts, suppressed. */
static void
build_random(mn_stables *s, uint64_t seed) {
    static mn_counts c;
    static mn_config cfg;
    memset(&c, 0, sizeof c);
    memset(&cfg, 0, sizeof cfg);
    for (uint32_t d = 1; d <= NDIVS; d++) {
        mn_division *div = &cfg.divisions[cfg.ndivisions++];
        div->id = d;
        snprintf(div->name, sizeof div->name, "d%u", d);
    }
    random_participants(&c, &seed, 150 + next(&seed) % 300);
    random_others(&c, &seed, 40 + next(&seed) % 150);
    mn_stables_build(s, &c, &cfg);
    mn_stables_suppress(s);
    if (s->fixed)
        fprintf(stderr, "hand_tables: %zu hidden cells left fixed\n", s->fixed);
}

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

/* The hand-built tables, suppressed naively or in full. */
static void
build_hand(mn_stables *s, bool naive) {
    build(s);
    for (size_t i = 0; i < s->n; i++) {
        mn_stable *t = &s->t[i];
        mn_count_table ct = {t->nrows, t->ncols, t->cells, true, true};
        if (naive)
            mn_suppress_primary(&ct, t->flags);
        else
            mn_suppress(&ct, t->flags);
    }
    s->suppressed = true;
}

int
main(int argc, char **argv) {
    mn_stables s;
    if (argc > 2 && strcmp(argv[1], "--random") == 0)
        build_random(&s, strtoull(argv[2], NULL, 10));
    else
        build_hand(&s, argc > 1 && strcmp(argv[1], "--naive") == 0);
    json_t *j = json_object();
    mn_stables_json_set(&s, j);
    char *text = json_dumps(j, JSON_INDENT(1));
    puts(text);
    free(text);
    json_decref(j);
    mn_stables_release(&s);
    return 0;
}
