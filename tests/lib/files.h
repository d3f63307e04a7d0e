/*
 * files — small file helpers for process tests: whole-file read and write,
 * copy, mkdir, temporary directories and rm -rf.
 *
 * Invariants: every helper returns 0 or -1 (or NULL) and never exits;
 * out of memory aborts (a test has nothing better to do).
 */
#ifndef MN_TL_FILES_H
#define MN_TL_FILES_H

#include <stddef.h>

/* Write n bytes of p to path (created or truncated) and set its mode. */
int tl_write_file(const char *path, const void *p, size_t n, int mode);
/* The same for a NUL-terminated text. */
int tl_write_text(const char *path, const char *text, int mode);
/* The whole file, NUL-terminated; NULL if unreadable. OUT: *len (may be
 * NULL) its length. Caller frees. */
char *tl_read_file(const char *path, size_t *len);
/* Copy the file src to dst (created or truncated, with mode). */
int tl_copy_file(const char *src, const char *dst, int mode);
/* Remove path and everything below it; a missing path is not an error. */
int tl_rm_rf(const char *path);
/* mkdir path 0700; an existing directory is not an error. */
int tl_mkdir(const char *path);
/* A new directory /tmp/<prefix>.XXXXXX. OUT: path (size bytes). */
int tl_mkdtemp(const char *prefix, char *path, size_t size);

#endif
