/*
 * stats_csv — see stats_csv.h. A field is quoted when it holds a comma,
 * a quote, CR or LF (RFC 4180); numbers never are.
 */
#include "api/stats_csv.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The UTF-8 byte-order mark: how Excel knows the file is UTF-8. */
static const char bom[] = "\xEF\xBB\xBF";

static void
put(mn_buf *b, const char *z) {
    mn_buf_append(b, z, strlen(z));
}

static void
field(mn_buf *b, const char *z, bool first) {
    if (!first)
        put(b, ",");
    if (!strpbrk(z, ",\"\r\n")) {
        put(b, z);
        return;
    }
    put(b, "\"");
    for (const char *q = z; *q; q++)
        mn_buf_append(b, q, 1 + (*q == '"')); /* a quote twice */
    put(b, "\"");
}

static void
number(mn_buf *b, uint64_t n) {
    char buf[24];
    snprintf(buf, sizeof buf, ",%" PRIu64, n);
    put(b, buf);
}

static void
end_line(mn_buf *b) {
    put(b, "\r\n");
}

static void
header_row(mn_buf *b, const mn_stable *t) {
    field(b, t->row_dim, true);
    for (size_t k = 0; k < t->ncols; k++)
        field(b, t->cols[k], false);
    if (t->col_dim)
        field(b, "total", false);
    end_line(b);
}

static void
body_rows(mn_buf *b, const mn_stable *t) {
    char buf[24];
    for (size_t r = 0; r < t->nrows; r++) {
        field(b, t->rows[r], true);
        for (size_t k = 0; k < t->ncols; k++)
            field(b, mn_stable_cell_text(t, r * t->ncols + k, buf), false);
        if (t->row_totals)
            number(b, mn_stable_row_total(t, r));
        else if (t->col_dim)
            field(b, "", false); /* not published */
        end_line(b);
    }
}

/* The total row: a two-way table's column totals (empty when not
 * published) and its grand total (under the rows' totals); a one-way
 * table's total. */
static void
total_row(mn_buf *b, const mn_stable *t) {
    field(b, "total", true);
    for (size_t k = 0; t->col_dim && k < t->ncols; k++)
        if (t->col_totals)
            number(b, mn_stable_col_total(t, k));
        else
            field(b, "", false);
    if (t->total_hidden)
        field(b, "<5", false);
    else
        number(b, mn_stable_total(t));
    end_line(b);
}

static void
table_section(mn_buf *b, const mn_stable *t) {
    end_line(b);
    field(b, t->title, true);
    end_line(b);
    header_row(b, t);
    body_rows(b, t);
    total_row(b, t);
}

/* The head: what the figures were computed from. */
static void
meta_section(mn_buf *b, const mn_stables *s, const json_t *meta) {
    const char *name;
    json_t *v;
    put(b, bom);
    put(b, "mentornet statistics");
    end_line(b);
    if (json_is_string(json_object_get(meta, "digest"))) {
        field(b, "digest", true);
        field(b, json_string_value(json_object_get(meta, "digest")), false);
        end_line(b);
    }
    json_object_foreach((json_t *)json_object_get(meta, "version_vector"), name,
                        v) {
        field(b, "version_vector", true);
        field(b, name, false);
        number(b, (uint64_t)json_integer_value(v));
        end_line(b);
    }
    field(b, "suppressed", true);
    field(b, s->suppressed ? "true" : "false", false);
    end_line(b);
    field(b, "mentee_countries", true);
    number(b, s->mentee_countries);
    end_line(b);
}

/* The national rates, when published (mn_stables_rates_published). */
static void
rates_section(mn_buf *b, const mn_stables *s) {
    char buf[32];
    if (!mn_stables_rates_published(s))
        return;
    end_line(b);
    put(b, "Outcomes per completed partnership (national)\r\n");
    put(b, "kind,outcomes,completed partnerships,rate\r\n");
    for (size_t k = 0; k < MN_STABLES_OUTCOMES; k++) {
        field(b, mn_stables_outcome_cols[k], true);
        number(b, s->outcomes[k]);
        number(b, s->completed);
        snprintf(buf, sizeof buf, ",%.4f",
                 (double)s->outcomes[k] / (double)s->completed);
        put(b, buf);
        end_line(b);
    }
}

char *
mn_stats_csv(const mn_stables *s, const json_t *meta) {
    mn_buf b;
    mn_buf_init(&b);
    meta_section(&b, s, meta);
    for (size_t i = 0; i < s->n; i++)
        table_section(&b, &s->t[i]);
    rates_section(&b, s);
    mn_buf_append(&b, "", 1);
    return (char *)b.p;
}
