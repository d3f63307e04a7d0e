/*
 * output — tables, values as text and messages for the CLI (output.h).
 *
 * Invariants:
 * - Every cell and every string from the node goes through
 *   mn_out_sanitize before it reaches the terminal.
 * - Column widths count code points, a fair guess for names.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"

/* ---- buffers and text ------------------------------------------------- */

void
mn_out_puts(mn_buf *b, const char *z) {
    mn_buf_append(b, z, strlen(z));
}

void
mn_out_printf(mn_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    mn_buf_reserve(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *
mn_out_str(mn_buf *b) {
    mn_buf_reserve(b, 1);
    b->p[b->len] = '\0';
    return (const char *)b->p;
}

char *
mn_out_take(mn_buf *b) {
    mn_out_str(b);
    char *z = (char *)b->p;
    mn_buf_init(b);
    return z;
}

static void
buf_escape_byte(mn_buf *b, unsigned ch) {
    if (ch == '\n')
        mn_out_puts(b, "\\n");
    else if (ch == '\t')
        mn_out_puts(b, "\\t");
    else if (ch == '\r')
        mn_out_puts(b, "\\r");
    else
        mn_out_printf(b, "\\x%02x", ch);
}

char *
mn_out_sanitize(const char *z) {
    mn_buf b;
    mn_buf_init(&b);
    for (const unsigned char *p = (const unsigned char *)z; *p; p++) {
        if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            buf_escape_byte(&b, *++p);
        else if (*p < 0x20 || *p == 0x7f)
            buf_escape_byte(&b, *p);
        else
            mn_buf_append(&b, p, 1);
    }
    return mn_out_take(&b);
}

void
mn_out_print_safe(FILE *f, const char *z) {
    char *s = mn_out_sanitize(z);
    fputs(s, f);
    free(s);
}

json_int_t
mn_out_int(const json_t *obj, const char *key) {
    return json_integer_value(json_object_get(obj, key));
}

bool
mn_out_in_list(const char *z, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(z, list[i]) == 0)
            return true;
    return false;
}

int
mn_out_file_error(const char *name) {
    fprintf(stderr, "mentornet: %s: %s\n", name, strerror(errno));
    return CLI_EXIT_USAGE;
}
/* ---- tables ----------------------------------------------------------- */

void
mn_table_init(mn_table *t, size_t ncols, size_t right_from) {
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    t->right_from = right_from;
}

void
mn_table_release(mn_table *t) {
    for (size_t i = 0; i < t->n; i++)
        free(t->cells[i]);
    free(t->cells);
    mn_table_init(t, 0, 0);
}

void
mn_table_add(mn_table *t, const char *z) {
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->cells = mn_realloc(t->cells, t->cap * sizeof *t->cells);
    }
    t->cells[t->n++] = mn_out_sanitize(z ? z : "-");
}

void
mn_table_add_int(mn_table *t, json_int_t v) {
    mn_buf b;
    mn_buf_init(&b);
    mn_out_printf(&b, "%" JSON_INTEGER_FORMAT, v);
    mn_table_add(t, mn_out_str(&b));
    mn_buf_release(&b);
}

/* Columns a cell takes: one per code point, a fair guess for names. */
static size_t
text_width(const char *z) {
    size_t n = 0;
    for (; *z; z++)
        if (((unsigned char)*z & 0xc0) != 0x80)
            n++;
    return n;
}

static void
table_print_cell(const mn_table *t, size_t i, const size_t *width, int indent) {
    size_t col = i % t->ncols;
    int pad = (int)(width[col] - text_width(t->cells[i]));
    bool right = col >= t->right_from, last = col + 1 == t->ncols;
    printf("%*s", col == 0 ? indent : 2, "");
    if (right)
        printf("%*s", pad, "");
    fputs(t->cells[i], stdout);
    if (!right && !last)
        printf("%*s", pad, "");
    if (last)
        putchar('\n');
}

void
mn_table_print(const mn_table *t, int indent) {
    size_t *width = mn_calloc(t->ncols, sizeof *width);
    for (size_t i = 0; i < t->n; i++) {
        size_t w = text_width(t->cells[i]);
        if (w > width[i % t->ncols])
            width[i % t->ncols] = w;
    }
    for (size_t i = 0; i < t->n; i++)
        table_print_cell(t, i, width, indent);
    free(width);
}

/* ---- JSON as text ----------------------------------------------------- */

static void
buf_json_array(mn_buf *b, const json_t *v) {
    for (size_t i = 0; i < json_array_size(v); i++) {
        if (i > 0)
            mn_out_puts(b, ",");
        mn_out_json_text(b, json_array_get(v, i));
    }
}

void
mn_out_json_dump(mn_buf *b, const json_t *v) {
    char *z = json_dumps(v, JSON_COMPACT);
    if (z)
        mn_out_puts(b, z);
    free(z);
}

void
mn_out_json_text(mn_buf *b, const json_t *v) {
    if (json_is_string(v))
        mn_buf_append(b, json_string_value(v), json_string_length(v));
    else if (json_is_integer(v))
        mn_out_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        mn_out_printf(b, "%g", json_real_value(v));
    else if (json_is_boolean(v))
        mn_out_puts(b, json_is_true(v) ? "true" : "false");
    else if (json_is_array(v))
        buf_json_array(b, v);
    else if (json_is_object(v))
        mn_out_json_dump(b, v);
    else
        mn_out_puts(b, "-");
}

void
mn_table_add_json(mn_table *t, const json_t *v) {
    mn_buf b;
    mn_buf_init(&b);
    mn_out_json_text(&b, v);
    mn_table_add(t, mn_out_str(&b));
    mn_buf_release(&b);
}

static void
add_row(mn_table *t, const char *key, const char *sub, const json_t *v) {
    mn_buf b;
    mn_buf_init(&b);
    mn_out_printf(&b, "%s%s%s:", key, sub ? "." : "", sub ? sub : "");
    mn_table_add(t, mn_out_str(&b));
    mn_table_add_json(t, v);
    mn_buf_release(&b);
}

/* Add "key:" and value; an object adds "key.sub:" rows, one level deep. */
static void
add_field(mn_table *t, const char *key, json_t *v) {
    const char *sub;
    json_t *sv;
    if (!json_is_object(v) || json_object_size(v) == 0) {
        add_row(t, key, NULL, v);
        return;
    }
    json_object_foreach(v, sub, sv) add_row(t, key, sub, sv);
}

void
mn_table_add_fields(mn_table *t, json_t *obj, const char *const *order,
                    size_t n) {
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(obj, order[i]);
        if (v)
            add_field(t, order[i], v);
    }
}

void
mn_table_add_other_fields(mn_table *t, json_t *obj, const char *const *order,
                          size_t n) {
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (!mn_out_in_list(key, order, n))
            add_field(t, key, v);
    }
}

/* ---- printers --------------------------------------------------------- */

void
mn_out_print_compact(const json_t *root) {
    char *z = root ? json_dumps(root, JSON_COMPACT) : NULL;
    if (z)
        puts(z);
    free(z);
}

void
mn_out_print_fields(json_t *root) {
    mn_table t;
    mn_table_init(&t, 2, 2);
    mn_table_add_other_fields(&t, root, NULL, 0);
    mn_table_print(&t, 0);
    mn_table_release(&t);
}

void
mn_out_print_version_vector(json_t *root) {
    json_t *vv = json_object_get(root, "version_vector");
    const char *name;
    json_t *seq;
    mn_table t;
    mn_table_init(&t, 2, 1);
    json_object_foreach(vv, name, seq) {
        mn_table_add(&t, name);
        mn_table_add_json(&t, seq);
    }
    puts(t.n ? "version vector:" : "version vector: (empty)");
    mn_table_print(&t, 2);
    mn_table_release(&t);
}

int
mn_out_file_commit(FILE *f, const char *tmp, const char *path, bool replace) {
    int rc = 0;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = mn_out_file_error(tmp);
    if (fclose(f) != 0 && rc == 0)
        rc = mn_out_file_error(tmp);
    if (rc == 0 && replace && rename(tmp, path) != 0)
        rc = mn_out_file_error(path);
    if (rc == 0 && !replace &&
        renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) != 0)
        rc = mn_out_file_error(path);
    return rc;
}

void
mn_out_file_report(bool json, const char *path, uint64_t n) {
    if (json) {
        json_t *j =
            json_pack("{s:s, s:I}", "file", path, "bytes", (json_int_t)n);
        mn_out_print_compact(j);
        json_decref(j);
        return;
    }
    fputs("wrote ", stdout);
    mn_out_print_safe(stdout, path);
    printf(" (%" PRIu64 " bytes, %.1f MiB)\n", n, (double)n / (1 << 20));
}
