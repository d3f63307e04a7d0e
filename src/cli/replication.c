/*
 * replication — the operator's view of a node (README.md, "CLI"):
 * `digest`, `health`, `replication` and `conflicts`.
 *
 * Invariants:
 * - health sends no token: it answers anyone.
 * - Conflict values are cut in tables to CLI_VALUE_WIDTH characters;
 *   --json has them whole.
 */
#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "base/util.h"
#include "cli/args.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/output.h"

/* Conflict values wider than this many characters are cut in tables. */
#define CLI_VALUE_WIDTH 40

static const mn_opt conflicts_opts[] = {
    {"limit", MN_OPT_INT, false, "N",
     "at most N conflicts, 1-500 (default 50)"},
    {0},
};

/* ---- printers --------------------------------------------------------- */

static void
print_digest(json_t *root) {
    static const char *const keys[] = {"digest"};
    mn_table t;
    mn_table_init(&t, 2, 2);
    mn_table_add_fields(&t, root, keys, MN_ARRAY_LEN(keys));
    mn_table_print(&t, 0);
    mn_table_release(&t);
    mn_out_print_version_vector(root);
}

static const char *
yes_no(const json_t *v) {
    return json_is_true(v) ? "yes" : "no";
}

static json_int_t
sum_of(const json_t *obj) {
    const char *key;
    json_t *v;
    json_int_t sum = 0;
    json_object_foreach((json_t *)obj, key, v) sum += json_integer_value(v);
    return sum;
}

static void
replication_row(mn_table *t, const json_t *p) {
    static const char *const counts[] = {"received", "applied", "duplicate"};
    const json_t *lag = json_object_get(p, "lag");
    mn_table_add_json(t, json_object_get(p, "division"));
    mn_table_add(t, yes_no(json_object_get(p, "connected")));
    mn_table_add(t, yes_no(json_object_get(p, "serving")));
    if (json_is_integer(lag))
        mn_table_add_int(t, json_integer_value(lag));
    else
        mn_table_add(t, "?"); /* the peer has not told its vector yet */
    for (size_t i = 0; i < MN_ARRAY_LEN(counts); i++)
        mn_table_add_int(t, mn_out_int(p, counts[i]));
    mn_table_add_int(t, sum_of(json_object_get(p, "rejected")));
}

/* The origin the node writes as, and what an operator must act on: a
 * copy of its store that wrote as it (forked), a second node running as
 * its division (twin), a clock alarm, replicated changes refused. */
/* The string v holds, or "?" (a node too old to say). */
static const char *
str_or_unknown(const json_t *v) {
    return json_is_string(v) ? json_string_value(v) : "?";
}

static void
print_node_alarms(json_t *root) {
    const json_t *o = json_object_get(root, "origin");
    const json_t *twin = json_object_get(root, "twin");
    mn_buf b;
    mn_buf_init(&b);
    mn_out_printf(&b,
                  "writes as incarnation %s (%s), seq %" JSON_INTEGER_FORMAT,
                  str_or_unknown(json_object_get(o, "incarnation")),
                  str_or_unknown(json_object_get(root, "incarnation_started")),
                  mn_out_int(o, "seq"));
    if (json_is_true(json_object_get(root, "forked")))
        mn_out_puts(&b, "; FORKED: a copy of this store wrote as it, restart "
                        "this node");
    if (json_is_object(twin))
        mn_out_printf(&b, "; TWIN: incarnation %s of this division writes too",
                      str_or_unknown(json_object_get(twin, "incarnation")));
    if (json_is_true(json_object_get(root, "clock_alarm")))
        mn_out_printf(&b,
                      "; CLOCK ALARM: the clock is %" JSON_INTEGER_FORMAT
                      " ms ahead of the wall clock",
                      mn_out_int(root, "hlc_lead_ms"));
    json_int_t refused = sum_of(json_object_get(root, "refused_changes"));
    if (refused)
        mn_out_printf(&b,
                      "; %" JSON_INTEGER_FORMAT " replicated changes refused",
                      refused);
    mn_out_print_safe(stdout, mn_out_str(&b));
    putchar('\n');
    mn_buf_release(&b);
}

/* A header line about the node, then one row per peer. */
static void
print_replication(json_t *root) {
    static const char *const head[] = {"peer",      "connected", "serving",
                                       "lag",       "received",  "applied",
                                       "duplicate", "rejected"};
    json_t *peers = json_object_get(root, "peers");
    mn_buf b;
    mn_table t;
    mn_buf_init(&b);
    mn_out_json_text(&b, json_object_get(root, "division"));
    mn_out_printf(&b,
                  ": writable %s, pending %" JSON_INTEGER_FORMAT
                  ", refused handshakes %" JSON_INTEGER_FORMAT,
                  yes_no(json_object_get(root, "writable")),
                  mn_out_int(root, "pending"),
                  mn_out_int(root, "refused_handshakes"));
    mn_out_print_safe(stdout, mn_out_str(&b));
    putchar('\n');
    mn_buf_release(&b);
    print_node_alarms(root);
    if (json_array_size(peers) == 0) {
        puts("no peers");
        return;
    }
    mn_table_init(&t, MN_ARRAY_LEN(head), 3);
    for (size_t i = 0; i < MN_ARRAY_LEN(head); i++)
        mn_table_add(&t, head[i]);
    for (size_t i = 0; i < json_array_size(peers); i++)
        replication_row(&t, json_array_get(peers, i));
    mn_table_print(&t, 0);
    mn_table_release(&t);
}

/* A value as text, cut to CLI_VALUE_WIDTH characters (--json has it all). */
static void
table_add_value(mn_table *t, const json_t *v) {
    mn_buf b;
    size_t chars = 0, i;
    mn_buf_init(&b);
    mn_out_json_text(&b, v);
    for (i = 0; i < b.len; i++) {
        if ((b.p[i] & 0xc0) != 0x80 && chars++ == CLI_VALUE_WIDTH)
            break;
    }
    if (i < b.len) {
        b.len = i;
        mn_out_puts(&b, "...");
    }
    mn_table_add(t, mn_out_str(&b));
    mn_buf_release(&b);
}

/* "division at" of one side of a conflict. */
static void
table_add_side(mn_table *t, const json_t *side) {
    mn_buf b;
    mn_buf_init(&b);
    mn_out_json_text(&b, json_object_get(side, "division"));
    mn_out_puts(&b, " ");
    mn_out_json_text(&b, json_object_get(side, "at"));
    mn_table_add(t, mn_out_str(&b));
    mn_buf_release(&b);
}

static void
print_conflicts(json_t *root) {
    static const char *const head[] = {"id", "field", "loser value",
                                       "loser (division, at)",
                                       "winner (division, at)"};
    json_t *items = json_object_get(root, "items");
    mn_table t;
    if (json_array_size(items) == 0) {
        puts("no conflicts");
        return;
    }
    mn_table_init(&t, MN_ARRAY_LEN(head), MN_ARRAY_LEN(head));
    for (size_t i = 0; i < MN_ARRAY_LEN(head); i++)
        mn_table_add(&t, head[i]);
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *k = json_array_get(items, i);
        const json_t *loser = json_object_get(k, "loser");
        mn_table_add_json(&t, json_object_get(k, "id"));
        mn_table_add_json(&t, json_object_get(k, "field"));
        table_add_value(&t, json_object_get(loser, "value"));
        table_add_side(&t, loser);
        table_add_side(&t, json_object_get(k, "winner"));
    }
    mn_table_print(&t, 0);
    mn_table_release(&t);
}

/* ---- commands --------------------------------------------------------- */

static int
digest_run(mn_cli *c, const mn_args *a) {
    (void)a;
    return mn_client_get(c, "/digest", print_digest);
}

static int
health_run(mn_cli *c, const mn_args *a) {
    mn_request rq = {"GET", "/health", NULL, NULL, 0, CLI_TIMEOUT_S, true};
    (void)a;
    return mn_client_show(c, &rq, mn_out_print_fields);
}

static int
replication_run(mn_cli *c, const mn_args *a) {
    (void)a;
    return mn_client_get(c, "/replication", print_replication);
}

static int
conflicts_run(mn_cli *c, const mn_args *a) {
    const char *limit = mn_args_value(a, "limit");
    mn_buf path;
    mn_buf_init(&path);
    mn_out_puts(&path, "/conflicts");
    if (limit) {
        mn_out_puts(&path, "?limit=");
        mn_client_escape(&path, limit);
    }
    int rc = mn_client_get(c, mn_out_str(&path), print_conflicts);
    mn_buf_release(&path);
    return rc;
}

const mn_command mn_replication_commands[] = {
    {.name = "digest",
     .summary = "the node's digest and version vector",
     .run = digest_run},
    {.name = "health",
     .summary = "whether the node is up (needs no token)",
     .run = health_run},
    {.name = "replication",
     .summary = "whether writes are open; lag and counts per peer",
     .detail =
         "Per peer: connected (our link to it is up), serving (it pulls from\n"
         "us), lag (changes we have that it lacked when it last told us its\n"
         "vector), received, applied and duplicate changes, and messages\n"
         "rejected (all reasons; --json has each).\n"
         "Writable no: local writes get 503 until every peer has sent its\n"
         "version vector (or 5 s passed since the start) and no peer holds\n"
         "more of this node's own log than it does (after a restore).",
     .run = replication_run},
    {.name = "conflicts",
     .summary = "concurrent values that lost to another write",
     .opts = conflicts_opts,
     .detail =
         "Each row is a field written concurrently on two divisions: the "
         "value\n"
         "that lost, and who wrote the loser and the winner, and when. Long\n"
         "values are cut in the table; --json has them whole.",
     .run = conflicts_run},
    {0},
};
