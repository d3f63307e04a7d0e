/*
 * output — what the CLI prints: text tables for people, the node's JSON
 * for machines (--json), and messages on stderr.
 *
 * Invariants:
 * - Text from the node is printed with control characters escaped, so an
 *   answer cannot drive the terminal: every table cell is sanitized.
 * - Values read as people read them: arrays comma-joined, null or absent
 *   "-", an object as compact JSON.
 */
#ifndef MN_CLI_OUTPUT_H
#define MN_CLI_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "base/util.h"

/* Prints an answer of the node as text; root may be NULL (empty body). */
typedef void (*mn_printer)(json_t *root);

/* A text table; every cell is an owned, escaped copy. */
typedef struct mn_table {
    size_t ncols;
    size_t right_from; /* columns from here on are right-aligned */
    char **cells;      /* row-major */
    size_t n;
    size_t cap;
} mn_table;

/* ---- buffers and text ------------------------------------------------- */

/* Append the C string z to b. */
void mn_out_puts(mn_buf *b, const char *z);

/* Append formatted text to b. */
void mn_out_printf(mn_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The buffer as a C string; it stays owned by b, valid until b changes. */
const char *mn_out_str(mn_buf *b);

/* The buffer as a C string the caller frees; b is left empty. */
char *mn_out_take(mn_buf *b);

/* A copy of z with C0, DEL and C1 control characters escaped; the caller
 * frees it. */
char *mn_out_sanitize(const char *z);

/* Print z to f with control characters escaped. */
void mn_out_print_safe(FILE *f, const char *z);

/* Print "mentornet: NAME: <strerror(errno)>" to stderr. Returns
 * CLI_EXIT_USAGE: a local file that cannot be used is a usage error. */
int mn_out_file_error(const char *name);
/* Make a download written to tmp durable, then give it its name: replacing
 * an existing path only when replace, else never (RENAME_NOREPLACE, so a
 * file that appeared meanwhile is kept). Closes f. 0 or the exit code. */
int mn_out_file_commit(FILE *f, const char *tmp, const char *path,
                       bool replace);
/* "wrote PATH (N bytes, M MiB)", or with json {"file", "bytes"}. */
void mn_out_file_report(bool json, const char *path, uint64_t n);

/* ---- JSON ------------------------------------------------------------- */

/* The integer at key of obj; 0 when absent or not an integer. */
json_int_t mn_out_int(const json_t *obj, const char *key);

/* Whether z is one of list[0..n). */
bool mn_out_in_list(const char *z, const char *const *list, size_t n);

/* Append v as compact JSON to b. */
void mn_out_json_dump(mn_buf *b, const json_t *v);

/* Append v as people read it (see the invariants) to b. */
void mn_out_json_text(mn_buf *b, const json_t *v);

/* Print root as one line of compact JSON; nothing when root is NULL. */
void mn_out_print_compact(const json_t *root);

/* Print "version vector:" and a table of root's "version_vector". */
void mn_out_print_version_vector(json_t *root);

/* ---- tables ----------------------------------------------------------- */

/* An empty table of ncols columns; columns from right_from on are
 * right-aligned. Release with mn_table_release. */
void mn_table_init(mn_table *t, size_t ncols, size_t right_from);

/* Free the cells; t is left empty with no columns. */
void mn_table_release(mn_table *t);

/* Add a cell: a copy of z with control characters escaped; NULL is "-". */
void mn_table_add(mn_table *t, const char *z);

/* Add a cell holding the number v. */
void mn_table_add_int(mn_table *t, json_int_t v);

/* Add a cell holding v as people read it. */
void mn_table_add_json(mn_table *t, const json_t *v);

/* Add the fields of obj named in order, in that order, when present, as
 * rows "key:" value; an object adds "key.sub:" rows, one level deep. */
void mn_table_add_fields(mn_table *t, json_t *obj, const char *const *order,
                         size_t n);

/* Add the fields of obj not named in order, in the node's order. */
void mn_table_add_other_fields(mn_table *t, json_t *obj,
                               const char *const *order, size_t n);

/* Print t to stdout, columns padded, each row indented by indent. */
void mn_table_print(const mn_table *t, int indent);

/* Print every field of root as a two-column table ("key:" value). */
void mn_out_print_fields(json_t *root);

#endif
