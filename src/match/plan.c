/*
 * plan — see plan.h. The matrix is built once, row by row, from a score
 * per (mentee, mentor) copied into each of the mentor's slot columns; the
 * history of declined or cancelled pairs and the request's exclusions then
 * zero their cells, so the cost is O(rows x slots) plus the solve.
 */
#include "match/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/lap.h"

/* The matrix and the maps between its rows and columns and the pool. */
struct build {
    const mn_match_pool *pool;
    const mn_match_plan_req *req;
    int *left;       /* per pool mentor: slots left after the pins */
    long *row_of;    /* per pool mentee: her row, or -1 */
    long *col_start; /* per pool mentor: her first column, or -1 */
    size_t *row_mentee, nrows;
    size_t *col_mentor, ncols, width; /* width: ncols + padding */
    int32_t *w;
};

static bool
in_scope(const mn_match_plan_req *req, const mn_match_profile *who) {
    return req->division == 0 || who->division == req->division;
}

static bool
excluded(const mn_match_plan_req *req, const mn_match_idpair *pair) {
    for (size_t i = 0; i < req->nexcludes; i++)
        if (memcmp(&req->excludes[i], pair, sizeof *pair) == 0)
            return true;
    return false;
}

/* Check pin i and take it into out; p says why it cannot be made. */
static int
take_pin(struct build *b, size_t i, mn_match_plan *out, mn_problem *p) {
    const mn_match_idpair *pin = &b->req->pins[i];
    char field[32];
    snprintf(field, sizeof field, "pins[%zu]", i);
    long a = mn_match_pool_mentee(b->pool, pin->mentee);
    long m = mn_match_pool_mentor(b->pool, pin->mentor);
    if (a < 0 || !in_scope(b->req, &b->pool->mentees[a]))
        return mn_problem_set(p, "pin_invalid", field,
                              "%s: the mentee is not waiting in this scope, "
                              "or already has an open partnership",
                              field);
    if (b->row_of[a] == -2)
        return mn_problem_set(p, "pin_invalid", field,
                              "%s: the mentee is pinned twice", field);
    if (m < 0 || !in_scope(b->req, &b->pool->mentors[m]) || b->left[m] == 0)
        return mn_problem_set(p, "pin_invalid", field,
                              "%s: the mentor has no free slot in this scope",
                              field);
    mn_match_pair *pair = &out->pairs[out->npairs];
    pair->score = mn_match_score(b->req->weights, &b->pool->mentees[a],
                                 &b->pool->mentors[m], &pair->why);
    if (pair->score < 0)
        return mn_problem_set(p, "pin_invalid", field,
                              "%s: they share no language", field);
    if (mn_match_pool_declined(b->pool, pin->mentee, pin->mentor) ||
        excluded(b->req, pin))
        return mn_problem_set(p, "pin_invalid", field,
                              "%s: the pair was declined or cancelled before, "
                              "or is excluded",
                              field);
    b->row_of[a] = -2; /* pinned: no row */
    b->left[m]--;
    pair->mentee = (size_t)a, pair->mentor = (size_t)m, pair->pinned = true;
    out->npairs++;
    out->total += pair->score;
    return MN_OK;
}

/* Rows for the unpinned mentees in scope, columns for the slots left. */
static int
lay_out(struct build *b, mn_problem *p) {
    const mn_match_pool *pool = b->pool;
    for (size_t a = 0; a < pool->nmentees; a++) {
        if (b->row_of[a] == -2 || !in_scope(b->req, &pool->mentees[a])) {
            b->row_of[a] = -1;
            continue;
        }
        b->row_of[a] = (long)b->nrows;
        b->row_mentee[b->nrows++] = a;
    }
    for (size_t m = 0; m < pool->nmentors; m++) {
        b->col_start[m] = b->left[m] > 0 ? (long)b->ncols : -1;
        for (int s = 0; s < b->left[m]; s++)
            b->col_mentor[b->ncols++] = m;
    }
    /* The solver gives every row a column: pad with columns of 0 so that
     * mentees beyond the slots stay unmatched. */
    b->width = b->ncols > b->nrows ? b->ncols : b->nrows;
    if ((unsigned long long)b->nrows * b->width > MN_MATCH_MAX_CELLS)
        return mn_problem_set(p, "plan_too_large", "scope",
                              "the plan would weigh %zu mentees against %zu "
                              "slots; plan one division at a time",
                              b->nrows, b->ncols);
    return MN_OK;
}

/* Zero the cells of the pair (mentee, mentor ids) if both have them. */
static void
zero_pair(struct build *b, const uint8_t *mentee, const uint8_t *mentor) {
    long a = mn_match_pool_mentee(b->pool, mentee);
    long m = mn_match_pool_mentor(b->pool, mentor);
    if (a < 0 || m < 0 || b->row_of[a] < 0 || b->col_start[m] < 0)
        return;
    int32_t *cell = b->w + (size_t)b->row_of[a] * b->width + b->col_start[m];
    memset(cell, 0, (size_t)b->left[m] * sizeof *cell);
}

static void
fill(struct build *b) {
    const mn_match_pool *pool = b->pool;
    size_t cells = b->nrows * b->width;
    b->w = mn_calloc(cells > 0 ? cells : 1, sizeof *b->w);
    for (size_t r = 0; r < b->nrows; r++) {
        int32_t *row = b->w + r * b->width;
        const mn_match_profile *mentee = &pool->mentees[b->row_mentee[r]];
        for (size_t m = 0; m < pool->nmentors; m++) {
            if (b->col_start[m] < 0)
                continue;
            int32_t s = mn_match_score(b->req->weights, mentee,
                                       &pool->mentors[m], NULL);
            for (int k = 0; k < b->left[m]; k++)
                row[b->col_start[m] + k] = s > 0 ? s : 0;
        }
    }
    for (size_t h = 0; h < pool->nhistory; h++)
        zero_pair(b, pool->history[h], pool->history[h] + MN_ID_BYTES);
    for (size_t e = 0; e < b->req->nexcludes; e++)
        zero_pair(b, b->req->excludes[e].mentee, b->req->excludes[e].mentor);
}

/* The solver's pairs that weigh something, after the pins. */
static int
solve(struct build *b, mn_match_plan *out) {
    int32_t *col_of_row =
        mn_malloc((b->nrows ? b->nrows : 1) * sizeof(int32_t));
    int64_t total;
    int rc = mn_lap_max(b->w, b->nrows, b->width, col_of_row, &total);
    for (size_t r = 0; rc == MN_OK && r < b->nrows; r++) {
        size_t col = (size_t)col_of_row[r];
        if (col >= b->ncols || b->w[r * b->width + col] == 0)
            continue;
        mn_match_pair *pair = &out->pairs[out->npairs++];
        pair->mentee = b->row_mentee[r];
        pair->mentor = b->col_mentor[col];
        pair->pinned = false;
        pair->score =
            mn_match_score(b->req->weights, &b->pool->mentees[pair->mentee],
                           &b->pool->mentors[pair->mentor], &pair->why);
        out->total += pair->score;
    }
    free(col_of_row);
    return rc;
}

static int
by_mentee(const void *x, const void *y) {
    const mn_match_pair *a = x, *b = y;
    return (a->mentee > b->mentee) - (a->mentee < b->mentee);
}

static void
build_release(struct build *b) {
    free(b->left);
    free(b->row_of);
    free(b->col_start);
    free(b->row_mentee);
    free(b->col_mentor);
    free(b->w);
}

int
mn_match_plan_solve(const mn_match_pool *pool, const mn_match_plan_req *req,
                    mn_match_plan *out, mn_problem *p) {
    struct build b = {.pool = pool, .req = req};
    size_t nslots = 0;
    memset(out, 0, sizeof *out);
    for (size_t m = 0; m < pool->nmentors; m++)
        nslots += (size_t)pool->free[m];
    b.left = mn_calloc(pool->nmentors + 1, sizeof *b.left);
    for (size_t m = 0; m < pool->nmentors; m++)
        b.left[m] = in_scope(req, &pool->mentors[m]) ? pool->free[m] : 0;
    b.row_of = mn_calloc(pool->nmentees + 1, sizeof *b.row_of);
    b.col_start = mn_calloc(pool->nmentors + 1, sizeof *b.col_start);
    b.row_mentee = mn_calloc(pool->nmentees + 1, sizeof *b.row_mentee);
    b.col_mentor = mn_calloc(nslots + 1, sizeof *b.col_mentor);
    out->pairs = mn_calloc(pool->nmentees + 1, sizeof *out->pairs);
    int rc = MN_OK;
    for (size_t i = 0; rc == MN_OK && i < req->npins; i++)
        rc = take_pin(&b, i, out, p);
    size_t npinned = out->npairs;
    if (rc == MN_OK && (rc = lay_out(&b, p)) != MN_OK)
        rc = MN_ETOOBIG;
    if (rc == MN_OK) {
        fill(&b);
        rc = solve(&b, out);
    }
    out->mentees = b.nrows + npinned;
    out->slots = b.ncols + npinned;
    build_release(&b);
    if (rc != MN_OK) {
        mn_match_plan_release(out);
        return rc;
    }
    qsort(out->pairs, out->npairs, sizeof *out->pairs, by_mentee);
    return MN_OK;
}

void
mn_match_plan_release(mn_match_plan *plan) {
    free(plan->pairs);
    memset(plan, 0, sizeof *plan);
}
