/*
 * erase — `participant erase ID` and `participant erasure ID` (README
 * "Erasure"): erase a participant on her home's node, and show which
 * nodes have applied the erasure.
 */
#include <stdio.h>

#include <jansson.h>

#include "cli/args.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/kind_cmd.h"
#include "cli/output.h"

/* "erased on 4 of 5", then a row per node. */
static void
print_erasure(json_t *root) {
    json_t *nodes = json_object_get(root, "nodes");
    mn_table t;
    printf("participant %s: %s (erased_at %s)\n",
           json_string_value(json_object_get(root, "participant")),
           json_string_value(json_object_get(root, "summary")),
           json_string_value(json_object_get(root, "erased_at")));
    mn_table_init(&t, 2, 2);
    mn_table_add(&t, "division");
    mn_table_add(&t, "erased");
    for (size_t i = 0; i < json_array_size(nodes); i++) {
        json_t *n = json_array_get(nodes, i);
        mn_table_add_json(&t, json_object_get(n, "division"));
        mn_table_add(
            &t, json_is_true(json_object_get(n, "erased")) ? "yes" : "not yet");
    }
    mn_table_print(&t, 2);
    mn_table_release(&t);
}

static int
erase_run(mn_cli *c, const mn_args *a) {
    mn_buf path;
    mn_buf_init(&path);
    int rc = mn_kind_cmd_id_path(a, "/participants/", "", &path);
    if (rc == 0) {
        mn_request rq = {"DELETE", mn_out_str(&path), NULL, NULL,
                         0,        CLI_TIMEOUT_S,     false};
        rc = mn_client_show(c, &rq, print_erasure);
    }
    mn_buf_release(&path);
    return rc;
}

static int
erasure_run(mn_cli *c, const mn_args *a) {
    mn_buf path;
    mn_buf_init(&path);
    int rc = mn_kind_cmd_id_path(a, "/erasures/", "", &path);
    if (rc == 0)
        rc = mn_client_get(c, mn_out_str(&path), print_erasure);
    mn_buf_release(&path);
    return rc;
}

const mn_command mn_erase_commands[] = {
    {.name = "erase",
     .summary = "erase a participant on every node (on her home's node)",
     .operands = "ID",
     .npos = 1,
     .detail = "Every node keeps only her stub (division, role, status, year "
               "joined)\nand drops the rest of her record, and of the records "
               "that name her,\nfrom its state and its log. It cannot be "
               "undone.",
     .run = erase_run},
    {.name = "erasure",
     .summary = "show which nodes have applied her erasure",
     .operands = "ID",
     .npos = 1,
     .run = erasure_run},
    {0},
};
