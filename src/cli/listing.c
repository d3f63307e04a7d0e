/*
 * listing — see listing.h.
 */
#include "cli/listing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/client.h"
#include "cli/output.h"

static void
query_add(mn_buf *b, char *sep, const char *name, const char *val) {
    mn_out_printf(b, "%c%s=", *sep, name);
    mn_client_escape(b, val);
    *sep = '&';
}

static void
list_path(mn_buf *b, const mn_args *a, const char *base, const char *cursor) {
    char sep = '?';
    mn_out_puts(b, base);
    for (size_t i = 0; i < a->n; i++) {
        const mn_arg *g = &a->v[i];
        if (g->opt->kind != MN_OPT_FLAG && strcmp(g->opt->name, "cursor") != 0)
            query_add(b, &sep, g->opt->name, g->val);
    }
    if (cursor)
        query_add(b, &sep, "cursor", cursor);
}

/* Print or collect one page and move *cursor to the next one. */
static int
list_take(const mn_cli *c, const mn_response *rs, char **cursor,
          json_t *items) {
    const char *next =
        json_string_value(json_object_get(rs->json, "next_cursor"));
    if (next && *cursor && strcmp(next, *cursor) == 0) {
        fputs("mentornet: the node sent the same cursor again\n", stderr);
        return CLI_EXIT_FAILED;
    }
    if (c->json)
        mn_out_print_compact(rs->json);
    else
        json_array_extend(items, json_object_get(rs->json, "items"));
    free(*cursor);
    *cursor = next ? mn_strdup(next) : NULL;
    return 0;
}

static int
list_page(mn_cli *c, const mn_args *a, const char *base, char **cursor,
          json_t *items) {
    mn_buf path;
    mn_buf_init(&path);
    list_path(&path, a, base, *cursor);
    mn_request rq = {"GET", mn_out_str(&path), NULL, NULL,
                     0,     CLI_TIMEOUT_S,     false};
    mn_response rs;
    mn_response_init(&rs);
    int rc = mn_client_call(c->client, &rq, &rs);
    if (rc == CLI_EXIT_OK)
        rc = list_take(c, &rs, cursor, items);
    mn_response_release(&rs);
    mn_buf_release(&path);
    return rc;
}

int
mn_list_run(mn_cli *c, const mn_args *a, const char *base,
            mn_list_printer print) {
    const char *start = mn_args_value(a, "cursor");
    char *cursor = start ? mn_strdup(start) : NULL;
    bool all = mn_args_find(a, "all") != NULL;
    json_t *items = json_array();
    int rc;
    do {
        rc = list_page(c, a, base, &cursor, items);
    } while (rc == CLI_EXIT_OK && all && cursor);
    if (rc == CLI_EXIT_OK && !c->json)
        print(items, cursor);
    json_decref(items);
    free(cursor);
    return rc;
}

void
mn_list_print_more(const char *next) {
    if (next) {
        fputs("more: --cursor ", stdout);
        mn_out_print_safe(stdout, next);
        putchar('\n');
    }
}
