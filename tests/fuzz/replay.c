/*
 * replay — runs a fuzz harness over files, without libFuzzer, so the
 * committed corpus is an ordinary test on every build (any compiler, with
 * or without sanitizers), as SQLite's fuzzcheck and tmux's fuzz/ do.
 *
 *   fuzz_<name>_replay PATH...     every file of each directory (sorted),
 *                                  or the file itself
 *
 * Exits 0 when every input ran; a harness that finds a bug aborts (or a
 * sanitizer stops it), which fails the test. An empty or missing corpus is
 * an error too: a test that replays nothing proves nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "base/util.h"

/* Defined by the harnesses that need it; NULL otherwise. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int
read_file(const char *path, uint8_t **out, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 4096, len = 0;
    uint8_t *p = mn_malloc(cap);
    size_t got;
    while ((got = fread(p + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap)
            p = mn_realloc(p, cap *= 2);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(p);
        return -1;
    }
    *out = p;
    *n = len;
    return 0;
}

static int
run_file(const char *path) {
    uint8_t *p;
    size_t n;
    if (read_file(path, &p, &n) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    /* A copy of exactly n bytes, so ASan sees any read past the input. */
    uint8_t *exact = mn_malloc(n ? n : 1);
    memcpy(exact, p, n);
    free(p);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

static int
by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every regular file in dir, in name order; returns the count or -1. */
static long
run_dir(const char *dir) {
    DIR *d = opendir(dir);
    char **names = NULL, path[4096];
    size_t n = 0, cap = 0;
    long ran = 0;
    struct dirent *de;
    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap)
            names =
                mn_realloc(names, (cap = cap ? 2 * cap : 256) * sizeof *names);
        names[n++] = mn_strdup(de->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(path) != 0)
                ran = -1;
            else if (ran >= 0)
                ran++;
        }
        free(names[i]);
    }
    free(names);
    return ran;
}

int
main(int argc, char **argv) {
    long total = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        long ran;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        ran = S_ISDIR(st.st_mode) ? run_dir(argv[i])
                                  : (run_file(argv[i]) == 0 ? 1 : -1);
        if (ran < 0)
            return 1;
        total += ran;
    }
    if (total == 0) {
        fprintf(stderr, "replay: no inputs found\n");
        return 1;
    }
    printf("replay: %ld inputs ran\n", total);
    return 0;
}
