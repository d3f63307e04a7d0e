/*
 * stats — `mentornet stats [--verify] [--suppress] [--csv FILE]`: in the
 * full view, counts per division, role and status as a table and the
 * outcomes per division and kind; then every published table the node
 * sends ("tables": participants by division and role, status and year,
 * mentees by country, partnerships, outcomes, moves, memberships) with
 * its totals, small cells as the node shows them ("<5", "x"), and the
 * outcome rates. --csv saves the node's CSV of the same tables to FILE
 * ("-": standard output) instead (README.md, "CLI").
 *
 * Invariants:
 * - Columns are the known statuses in their order, then any other status
 *   the node sends; rows are the known roles, then any other role. No
 *   count the node sends is left out of the table.
 * - A sum row shows the node's total when it sent one.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/util.h"
#include "cli/args.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/output.h"

static const char *const known_statuses[] = {"applicant", "waiting", "matched",
                                             "alumni", "withdrawn"};
static const char *const known_roles[] = {"mentor", "mentee"};

static const mn_opt stats_opts[] = {
    {"verify", MN_OPT_FLAG, false, NULL,
     "also recount from the stored participants"},
    {"suppress", MN_OPT_FLAG, false, NULL,
     "the national view: small counts suppressed"},
    {"csv", MN_OPT_STR, false, "FILE",
     "save the tables as CSV to FILE (- for standard output)"},
    {0},
};

/* The status columns: the known ones, then any others the node sends. */
typedef struct stats_cols {
    const char **names; /* borrowed from known_statuses and extra */
    size_t n;
    json_t *extra; /* a set (object) of unknown status names */
} stats_cols;

static void
stats_find_extra(json_t *div, json_t *extra) {
    const char *role, *status;
    json_t *counts, *v;
    json_object_foreach(div, role, counts) {
        json_object_foreach(counts, status, v) {
            if (!mn_out_in_list(status, known_statuses,
                                MN_ARRAY_LEN(known_statuses)))
                json_object_set_new(extra, status, json_null());
        }
    }
}

static void
stats_cols_init(stats_cols *sc, json_t *divs) {
    size_t nknown = MN_ARRAY_LEN(known_statuses);
    const char *key;
    json_t *v;
    sc->extra = json_object();
    json_object_foreach(divs, key, v) stats_find_extra(v, sc->extra);
    sc->names =
        mn_calloc(nknown + json_object_size(sc->extra), sizeof *sc->names);
    for (sc->n = 0; sc->n < nknown; sc->n++)
        sc->names[sc->n] = known_statuses[sc->n];
    json_object_foreach(sc->extra, key, v) sc->names[sc->n++] = key;
}

static void
stats_cols_release(stats_cols *sc) {
    free(sc->names);
    json_decref(sc->extra);
}

static void
stats_role_row(mn_table *t, const stats_cols *sc, const char *div,
               const char *role, const json_t *counts, json_int_t *sum) {
    json_int_t total = 0;
    mn_table_add(t, div);
    mn_table_add(t, role);
    for (size_t i = 0; i < sc->n; i++) {
        json_int_t v = mn_out_int(counts, sc->names[i]);
        mn_table_add_int(t, v);
        sum[i] += v;
        total += v;
    }
    mn_table_add_int(t, total);
}

/* A row of sums; the node's total when it sent one, else the sum. */
static void
stats_sum_row(mn_table *t, const stats_cols *sc, const char *div,
              const json_int_t *sum, const json_t *total) {
    json_int_t computed = 0;
    mn_table_add(t, div);
    mn_table_add(t, "all");
    for (size_t i = 0; i < sc->n; i++) {
        mn_table_add_int(t, sum[i]);
        computed += sum[i];
    }
    mn_table_add_int(t, json_is_integer(total) ? json_integer_value(total)
                                               : computed);
}

static void
stats_division(mn_table *t, const stats_cols *sc, const char *name, json_t *div,
               json_int_t *all) {
    size_t nroles = MN_ARRAY_LEN(known_roles);
    json_int_t *sum = mn_calloc(sc->n, sizeof *sum);
    const char *role;
    json_t *counts;
    for (size_t i = 0; i < nroles; i++) {
        counts = json_object_get(div, known_roles[i]);
        if (json_is_object(counts))
            stats_role_row(t, sc, name, known_roles[i], counts, sum);
    }
    json_object_foreach(div, role, counts) {
        if (json_is_object(counts) &&
            !mn_out_in_list(role, known_roles, nroles))
            stats_role_row(t, sc, name, role, counts, sum);
    }
    stats_sum_row(t, sc, name, sum, json_object_get(div, "total"));
    for (size_t i = 0; i < sc->n; i++)
        all[i] += sum[i];
    free(sum);
}

static void
stats_table(json_t *root, const stats_cols *sc) {
    json_t *divs = json_object_get(root, "divisions"), *div;
    json_int_t *all = mn_calloc(sc->n, sizeof *all);
    const char *name;
    mn_table t;
    mn_table_init(&t, sc->n + 3, 2);
    mn_table_add(&t, "division");
    mn_table_add(&t, "role");
    for (size_t i = 0; i < sc->n; i++)
        mn_table_add(&t, sc->names[i]);
    mn_table_add(&t, "total");
    json_object_foreach(divs, name, div) {
        if (json_is_object(div))
            stats_division(&t, sc, name, div, all);
    }
    stats_sum_row(&t, sc, "all", all, json_object_get(root, "total"));
    mn_table_print(&t, 0);
    mn_table_release(&t);
    free(all);
}

/* A row of the outcomes table: name, then each kind's count in the order
 * of the total's kinds. */
static void
outcome_row(mn_table *t, const char *name, const json_t *counts,
            const json_t *kinds) {
    const char *kind;
    json_t *v;
    mn_table_add(t, name);
    json_object_foreach((json_t *)kinds, kind, v)
        mn_table_add_int(t, mn_out_int(counts, kind));
}

/* "outcomes:" and a table of the outcomes each division recorded, by
 * kind (the kinds as the node names them), then their total. Nothing when
 * the node sends none. */
static void
print_outcomes(json_t *root) {
    json_t *o = json_object_get(root, "outcomes");
    json_t *total = json_object_get(o, "total"), *counts;
    const char *name;
    mn_table t;
    if (!json_is_object(total))
        return;
    mn_table_init(&t, json_object_size(total) + 1, 1);
    mn_table_add(&t, "division");
    json_object_foreach(total, name, counts) mn_table_add(&t, name);
    json_object_foreach(json_object_get(o, "divisions"), name, counts)
        outcome_row(&t, name, counts, total);
    outcome_row(&t, "all", total, total);
    puts("outcomes:");
    mn_table_print(&t, 2);
    mn_table_release(&t);
}

/* The header of a published table: its row dimension, its columns and,
 * for a two-way table, "total". */
static void
published_header(mn_table *t, const json_t *tab, bool two_way) {
    size_t i;
    json_t *v;
    mn_table_add(t, json_string_value(json_object_get(tab, "rows_are")));
    json_array_foreach(json_object_get(tab, "columns"), i, v)
        mn_table_add_json(t, v);
    if (two_way)
        mn_table_add(t, "total");
}

/* Element i of the array at tab.key as text; "" when absent. */
static void
add_at(mn_table *t, const json_t *tab, const char *key, size_t i) {
    const json_t *v = json_array_get(json_object_get(tab, key), i);
    if (v)
        mn_table_add_json(t, v);
    else
        mn_table_add(t, "");
}

static void
published_rows(mn_table *t, const json_t *tab, bool two_way) {
    size_t r, k;
    json_t *row, *v;
    json_array_foreach(json_object_get(tab, "cells"), r, row) {
        add_at(t, tab, "rows", r);
        json_array_foreach(row, k, v) mn_table_add_json(t, v);
        if (two_way)
            add_at(t, tab, "row_totals", r);
    }
    mn_table_add(t, "total");
    for (k = 0; two_way && k < json_array_size(json_object_get(tab, "columns"));
         k++)
        add_at(t, tab, "column_totals", k);
    mn_table_add_json(t, json_object_get(tab, "total"));
}

/* One published table: its title, then rows with their totals and a row
 * of the columns' totals ("" where the node publishes none). */
static void
print_published(const json_t *tab) {
    bool two_way = json_is_string(json_object_get(tab, "columns_are"));
    size_t ncols = json_array_size(json_object_get(tab, "columns"));
    mn_table t;
    const char *title = json_string_value(json_object_get(tab, "title"));
    putchar('\n');
    mn_out_print_safe(stdout, title ? title : "table");
    puts(":");
    mn_table_init(&t, ncols + 1 + two_way, 1);
    published_header(&t, tab, two_way);
    published_rows(&t, tab, two_way);
    mn_table_print(&t, 2);
    mn_table_release(&t);
}

static void
print_stats(json_t *root) {
    static const char *const keys[] = {"countries",  "mentee_countries",
                                       "suppressed", "verified",
                                       "rates",      "digest"};
    stats_cols sc;
    mn_table t;
    size_t i;
    json_t *tab;
    if (json_is_object(json_object_get(root, "divisions"))) {
        stats_cols_init(&sc, json_object_get(root, "divisions"));
        stats_table(root, &sc);
        stats_cols_release(&sc);
        print_outcomes(root);
    }
    json_array_foreach(json_object_get(root, "tables"), i, tab)
        print_published(tab);
    putchar('\n');
    mn_table_init(&t, 2, 2);
    mn_table_add_fields(&t, root, keys, MN_ARRAY_LEN(keys));
    mn_table_print(&t, 0);
    mn_table_release(&t);
    mn_out_print_version_vector(root);
}

/* GET path into FILE ("-": standard output). */
static int
stats_save(mn_cli *c, const char *path, const char *file) {
    bool to_stdout = strcmp(file, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(file, "wb");
    if (!f)
        return mn_out_file_error(file);
    mn_request rq = {"GET", path, NULL, NULL, 0, CLI_TIMEOUT_S, false};
    mn_response rs;
    mn_response_init(&rs);
    rs.save = f;
    rs.save_name = file;
    int rc = mn_client_call(c->client, &rq, &rs);
    if (!to_stdout && fclose(f) != 0 && rc == 0)
        rc = mn_out_file_error(file);
    if (rc == 0 && !to_stdout)
        printf("wrote %s (%llu bytes)\n", file, (unsigned long long)rs.saved);
    mn_response_release(&rs);
    return rc;
}

static int
stats_run(mn_cli *c, const mn_args *a) {
    const char *csv = mn_args_value(a, "csv");
    char path[96];
    snprintf(path, sizeof path, "/stats?verify=%s&suppress=%s%s",
             mn_args_find(a, "verify") ? "true" : "false",
             mn_args_find(a, "suppress") ? "true" : "false",
             csv ? "&format=csv" : "");
    if (csv)
        return stats_save(c, path, csv);
    return mn_client_get(c, path, print_stats);
}

const mn_command mn_stats_commands[] = {
    {.name = "stats",
     .summary = "the national statistics: every published table",
     .opts = stats_opts,
     .run = stats_run},
    {0},
};
