/*
 * res_stats — GET /v1/stats[?verify=true][&suppress=true][&format=csv]:
 * the kept statistics (no names) as tables with their totals
 * (api/stats_tables.h), with the digest and version vector of the same
 * snapshot; verify also recounts from the stored entities and says
 * whether both agree.
 *
 * Suppression: the national role always gets the suppressed view; any
 * other caller gets it with suppress=true. The suppressed view holds the
 * tables, the totals and rates computed from published figures only; the
 * per-division role x status detail ("divisions", "partnerships",
 * "outcomes", "moves") is in the full view only.
 */
#include <stdlib.h>
#include <string.h>

#include "api/resource.h"
#include "api/stats_csv.h"
#include "api/stats_json.h"
#include "api/stats_tables.h"
#include "state/stats.h"

/* What the query asks for. */
typedef struct stats_query {
    bool verify, suppress, csv;
} stats_query;

/* The view of c the query asks for (new reference); OUT: tables. */
static json_t *
view_json(const mn_counts *c, const mn_config *cfg, const stats_query *q,
          mn_stables *tables) {
    json_t *j;
    mn_stables_build(tables, c, cfg);
    if (q->suppress) {
        mn_stables_suppress(tables);
        j = mn_stats_json_totals(c);
    } else {
        j = mn_stats_json(c, cfg);
    }
    mn_stables_json_set(tables, j);
    return j;
}

static int
stats_in(mn_http *h, mn_txn *t, const stats_query *q, mn_stables *tables,
         json_t **out) {
    mn_counts *kept = mn_malloc(sizeof *kept), *again = NULL;
    int rc = mn_stats_load(t, kept);
    if (rc == MN_OK && q->verify) {
        again = mn_malloc(sizeof *again);
        rc = mn_stats_recount(t, again);
    }
    if (rc == MN_OK) {
        *out = view_json(kept, mn_node_config(h->node), q, tables);
        if (q->verify)
            json_object_set_new(
                *out, "verified",
                json_boolean(memcmp(kept, again, sizeof *kept) == 0));
        rc = mn_api_add_digest(h, t, *out);
    }
    free(kept);
    free(again);
    return rc;
}

/* A boolean query argument: absent is false. MN_EINVAL for anything but
 * true or false. */
static int
bool_arg(struct MHD_Connection *c, const char *key, bool *out) {
    const char *v = mn_api_arg(c, key);
    *out = v && strcmp(v, "true") == 0;
    return !v || *out || strcmp(v, "false") == 0 ? MN_OK : MN_EINVAL;
}

/* Parse the query; sends the 400 itself and returns false when bad. */
static bool
parse_query(struct MHD_Connection *c, const mn_api_request *r, stats_query *q,
            enum MHD_Result *sent) {
    const char *format = mn_api_arg(c, "format");
    static const char *const keys[] = {"verify", "suppress"};
    static const char *const msgs[] = {"verify: true or false",
                                       "suppress: true or false"};
    bool *vals[] = {&q->verify, &q->suppress};
    for (size_t i = 0; i < MN_ARRAY_LEN(keys); i++)
        if (bool_arg(c, keys[i], vals[i]) != MN_OK) {
            *sent = mn_api_send_error(c, 400, "bad_query", keys[i], msgs[i]);
            return false;
        }
    if (format && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
        *sent = mn_api_send_error(c, 400, "bad_query", "format",
                                  "format: json or csv");
        return false;
    }
    q->csv = format && strcmp(format, "csv") == 0;
    q->suppress = q->suppress || r->who.role == MN_API_NATIONAL;
    return true;
}

static enum MHD_Result
send_view(struct MHD_Connection *c, const stats_query *q,
          const mn_stables *tables, json_t *j) {
    if (!q->csv)
        return mn_api_send_json(c, 200, j);
    char *csv = mn_stats_csv(tables, j);
    json_decref(j);
    return mn_api_send_text(c, 200, "text/csv; charset=utf-8", csv);
}

enum MHD_Result
mn_api_stats(mn_http *h, struct MHD_Connection *c, const char *id,
             mn_api_request *r) {
    stats_query q = {0};
    mn_stables tables = {0};
    enum MHD_Result sent;
    mn_txn *t;
    json_t *j = NULL;
    (void)id;
    if (!parse_query(c, r, &q, &sent))
        return sent;
    int rc = mn_api_read_begin(h, &t);
    if (rc == MN_OK)
        rc = stats_in(h, t, &q, &tables, &j);
    mn_txn_abort(&t);
    if (rc != MN_OK) {
        json_decref(j);
        mn_stables_release(&tables);
        return mn_api_send_failure(c, rc);
    }
    sent = send_view(c, &q, &tables, j);
    mn_stables_release(&tables);
    return sent;
}
