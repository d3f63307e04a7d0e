/*
 * fuzz — the libFuzzer entry points every harness in tests/fuzz/ defines.
 *
 * A harness is one file with LLVMFuzzerTestOneInput (and, when it needs a
 * world set up once, LLVMFuzzerInitialize). It links either with libFuzzer
 * (clang, -fsanitize=fuzzer: the fuzz_<name> binaries) or with replay.c (any
 * compiler: the fuzz_<name>_replay binaries ctest runs over the corpus).
 *
 * Invariant kept by every harness: an input's outcome depends only on its
 * bytes, never on the inputs run before it in the same process, so a crash
 * found by the fuzzer reproduces from its one file.
 */
#ifndef MN_FUZZ_H
#define MN_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Run one input. Returns 0 (libFuzzer reserves other values). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional one-time setup; argc/argv may be adjusted (they are not here). */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Report a broken invariant (an oracle failure, not a refused input) and
 * abort, so libFuzzer saves the input as a crash. */
#define FUZZ_CHECK(cond, ...)                                                  \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz: check failed: %s (%s:%d): ", #cond,         \
                    __FILE__, __LINE__);                                       \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            abort();                                                           \
        }                                                                      \
    } while (0)

#endif
