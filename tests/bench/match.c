/*
 * match — the assignment solver (src/match/lap.c) on a national matching
 * matrix, for tests/bench/match to set against scipy.
 *
 *   match ROWS COLS SEED FILE RUNS
 *       builds ROWS waiting mentees and mentors with capacities 1..3
 *       expanded into exactly COLS slots (seeded, so the same arguments
 *       give the same matrix), scores every pair as matching does (integer
 *       sums of criteria), writes the matrix to FILE, solves it RUNS times
 *       with mn_lap_max and prints
 *       "RESULT rows=N cols=M zeros=Z total=T seconds=S": Z the share of
 *       pairs that weigh 0, S the best of the runs' times, each the
 *       solver's call alone, not the matrix's making or writing.
 *   match --calib
 *       prints "RESULT calib_seconds=S state=X": the time of a fixed
 *       integer loop (2^28 rounds of a 64-bit xorshift, one dependent chain
 *       of shifts and xors), a CPU calibration that figures from different
 *       machines compare through.
 *
 * FILE: a 16-byte header ("MNLAP1" and two NULs, then rows and cols as
 * uint32), then rows * cols int32, row-major, all in the host's byte order,
 * which tests/bench/match_scipy.py reads as little-endian (x86, arm64).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "match/lap.h"
#include "mentornet/mentornet.h"

#define N_PROFESSIONS 24 /* a profession belongs to sector p % N_SECTORS */
#define N_SECTORS 8
#define N_LANGUAGES 8 /* bit 0: the national language */
#define N_GOALS 10
#define N_DIVISIONS 5
#define N_EDUCATION 5 /* levels 0 (none) .. 4 (doctorate) */
#define N_AVAIL 6     /* weekday evenings, weekday days, weekends, ... */
#define CALIB_ROUNDS (1u << 28)

/* A mentee, or a mentor (goals = what she offers). */
struct profile {
    int profession, education, division;
    unsigned languages, goals, avail;
};

struct options {
    long rows, cols, seed, runs;
    const char *out;
};

static uint64_t
next_rand(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int
pick(uint64_t *s, int n) {
    return (int)(next_rand(s) % (uint64_t)n);
}

/* k distinct-ish bits out of n (a bit drawn twice counts once). */
static unsigned
bits(uint64_t *s, int n, int k) {
    unsigned b = 0;
    for (int i = 0; i < k; i++)
        b |= 1u << pick(s, n);
    return b;
}

/* Most people speak the national language; many speak English; a few
 * speak only a language of their own, which leaves them fewer pairs. */
static unsigned
languages(uint64_t *s) {
    unsigned b = pick(s, 10) < 8 ? 1u : 0u;
    if (pick(s, 10) < 5)
        b |= 2u;
    if (b == 0 || pick(s, 10) < 3)
        b |= 1u << (2 + pick(s, N_LANGUAGES - 2));
    return b;
}

static struct profile
profile(uint64_t *s, int mentor) {
    struct profile p;
    p.profession = pick(s, N_PROFESSIONS);
    p.education = mentor ? 2 + pick(s, 3) : pick(s, N_EDUCATION);
    p.division = pick(s, N_DIVISIONS);
    p.languages = languages(s);
    p.goals = bits(s, N_GOALS, mentor ? 4 : 2);
    p.avail = bits(s, N_AVAIL, 2);
    return p;
}

/* The score of a pair as matching builds it: integer sums of criteria; a
 * pair with no language in common cannot be made and weighs 0. */
static int32_t
score(const struct profile *e, const struct profile *r) {
    int shared = __builtin_popcount(e->languages & r->languages);
    if (shared == 0)
        return 0;
    int32_t w = 1 + 5 * (shared > 2 ? 2 : shared);
    if (e->profession == r->profession)
        w += 30;
    else if (e->profession % N_SECTORS == r->profession % N_SECTORS)
        w += 12;
    int gap = abs(e->education - r->education);
    w += gap < 3 ? 10 - 4 * gap : 0;
    w += 6 * __builtin_popcount(e->goals & r->goals);
    w += 3 * __builtin_popcount(e->avail & r->avail);
    w += e->division == r->division ? 10 : 0;
    return w;
}

/* Mentors with capacities 1..3 expanded into exactly `cols` slots (the
 * last mentor may get fewer); slot[j] is the mentor of column j. */
static struct profile *
mentor_slots(uint64_t *s, size_t cols) {
    struct profile *slot = mn_malloc(cols * sizeof *slot);
    for (size_t j = 0; j < cols;) {
        struct profile r = profile(s, 1);
        for (int c = 1 + pick(s, 3); c > 0 && j < cols; c--)
            slot[j++] = r;
    }
    return slot;
}

static int32_t *
build_matrix(size_t rows, size_t cols, uint64_t seed) {
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    struct profile *slot = mentor_slots(&s, cols);
    int32_t *w = mn_malloc(rows * cols * sizeof *w);
    for (size_t i = 0; i < rows; i++) {
        struct profile e = profile(&s, 0);
        for (size_t j = 0; j < cols; j++)
            w[i * cols + j] = score(&e, &slot[j]);
    }
    free(slot);
    return w;
}

static int
write_matrix(const char *path, const int32_t *w, size_t rows, size_t cols) {
    FILE *f = fopen(path, "wb");
    if (!f)
        return MN_EIO;
    uint32_t dims[2] = {(uint32_t)rows, (uint32_t)cols};
    int ok = fwrite("MNLAP1\0\0", 1, 8, f) == 8 &&
             fwrite(dims, sizeof dims, 1, f) == 1 &&
             fwrite(w, sizeof *w, rows * cols, f) == rows * cols;
    return fclose(f) == 0 && ok ? MN_OK : MN_EIO;
}

static int
calib(void) {
    uint64_t s = 42, t0 = mn_mono_ns();
    for (uint32_t k = 0; k < CALIB_ROUNDS; k++)
        next_rand(&s);
    double seconds = (double)(mn_mono_ns() - t0) / 1e9;
    /* The state is printed so that the loop cannot be optimized away. */
    printf("RESULT calib_seconds=%.4f state=%" PRIu64 "\n", seconds, s);
    return 0;
}

/* The best of o->runs calls to mn_lap_max, in seconds; -1 on an error or
 * when two calls disagree. */
static double
time_solver(const int32_t *w, const struct options *o, int64_t *total) {
    size_t rows = (size_t)o->rows, cols = (size_t)o->cols;
    int32_t *col_of_row = mn_malloc(rows * sizeof *col_of_row);
    double best = -1;
    for (long r = 0; r < o->runs; r++) {
        int64_t t = 0;
        uint64_t t0 = mn_mono_ns();
        int rc = mn_lap_max(w, rows, cols, col_of_row, &t);
        double seconds = (double)(mn_mono_ns() - t0) / 1e9;
        if (rc != MN_OK || (r > 0 && t != *total)) {
            fprintf(stderr, "match: mn_lap_max: %s\n", mn_strerror(rc));
            best = -1;
            break;
        }
        *total = t;
        best = r == 0 || seconds < best ? seconds : best;
    }
    free(col_of_row);
    return best;
}

static double
zero_share(const int32_t *w, size_t count) {
    size_t zeros = 0;
    for (size_t k = 0; k < count; k++)
        zeros += w[k] == 0;
    return count ? (double)zeros / (double)count : 0;
}

static int
solve(const struct options *o) {
    size_t rows = (size_t)o->rows, cols = (size_t)o->cols;
    int32_t *w = build_matrix(rows, cols, (uint64_t)o->seed);
    int64_t total = 0;
    double seconds = -1;
    if (write_matrix(o->out, w, rows, cols) != MN_OK)
        fprintf(stderr, "match: cannot write %s\n", o->out);
    else
        seconds = time_solver(w, o, &total);
    if (seconds >= 0)
        printf("RESULT rows=%zu cols=%zu zeros=%.3f total=%" PRId64
               " seconds=%.4f\n",
               rows, cols, zero_share(w, rows * cols), total, seconds);
    free(w);
    return seconds >= 0 ? 0 : 1;
}

/* A whole decimal number, with nothing after it. */
static int
number(const char *z, long *out) {
    char *end;
    *out = strtol(z, &end, 10);
    return end != z && *end == '\0' ? 0 : -1;
}

/* ROWS COLS SEED FILE RUNS, each number in range. */
static int
parse(int argc, char **argv, struct options *o) {
    if (argc != 6 || number(argv[1], &o->rows) != 0 ||
        number(argv[2], &o->cols) != 0 || number(argv[3], &o->seed) != 0 ||
        number(argv[5], &o->runs) != 0)
        return -1;
    o->out = argv[4];
    return o->rows > 0 && o->cols >= o->rows && o->cols <= MN_LAP_MAX_DIM &&
                   o->runs > 0
               ? 0
               : -1;
}

int
main(int argc, char **argv) {
    struct options o;
    if (argc == 2 && strcmp(argv[1], "--calib") == 0)
        return calib();
    if (parse(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: match ROWS COLS SEED FILE RUNS\n"
                        "       match --calib\n");
        return 2;
    }
    return solve(&o);
}
