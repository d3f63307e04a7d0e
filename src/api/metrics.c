/*
 * metrics — GET /metrics: the node's counters and gauges in the Prometheus
 * text format (version 0.0.4), without auth. Only counts and sizes: no
 * field value, no id. Each family's HELP and TYPE come once, before all of
 * its samples, as the format asks.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/resource.h"

/* Append one metric: HELP and TYPE once per name, then the sample. */
static void
metric(mn_buf *out, const char *name, const char *type, const char *help,
       const char *labels, uint64_t value) {
    char line[512];
    int n = 0;
    if (help)
        n = snprintf(line, sizeof line, "# HELP %s %s\n# TYPE %s %s\n", name,
                     help, name, type);
    n += snprintf(line + n, sizeof line - (size_t)n, "%s%s %llu\n", name,
                  labels ? labels : "", (unsigned long long)value);
    mn_buf_append(out, line, (size_t)n);
}

/* One family per metric, every peer's sample in it (the text format asks
 * that a family's samples stand together). */
static void
peer_metrics(mn_http *h, mn_buf *out, const mn_repl_stats *st) {
    static const struct {
        const char *name, *type, *help;
        size_t offset;
    } fams[] = {
        {"mentornet_replication_lag_changes", "gauge",
         "Changes this node has that the peer lacks.",
         offsetof(mn_repl_peer_stats, lag)},
        {"mentornet_changes_applied_total", "counter",
         "Replicated changes applied, by sending peer.",
         offsetof(mn_repl_peer_stats, applied)},
        {"mentornet_changes_duplicate_total", "counter",
         "Replicated changes received again.",
         offsetof(mn_repl_peer_stats, duplicate)},
    };
    const mn_config *cfg = mn_node_config(h->node);
    char l[128];
    for (size_t f = 0; f < MN_ARRAY_LEN(fams); f++)
        for (size_t i = 0; i < st->npeers; i++) {
            const mn_repl_peer_stats *p = &st->peers[i];
            const mn_division *d = mn_config_division(cfg, p->id);
            uint64_t v;
            memcpy(&v, (const char *)p + fams[f].offset, sizeof v);
            snprintf(l, sizeof l, "{peer=\"%s\"}", d ? d->name : "unknown");
            metric(out, fams[f].name, fams[f].type, i ? NULL : fams[f].help, l,
                   v);
        }
    for (size_t i = 0; i < st->npeers; i++) {
        const mn_division *d = mn_config_division(cfg, st->peers[i].id);
        for (int r = 0; r < MN_REJ_COUNT; r++) {
            snprintf(l, sizeof l, "{peer=\"%s\",reason=\"%s\"}",
                     d ? d->name : "unknown",
                     mn_reject_name((enum mn_reject)r));
            metric(out, "mentornet_messages_rejected_total", "counter",
                   i || r ? NULL : "Peer messages refused, by reason.", l,
                   st->peers[i].rejected[r]);
        }
    }
}

/* Replicated changes refused (kept in the log, not applied), by reason:
 * the ownership rule, each way of breaking the kind's table, an apply
 * error. */
static void
refused_metrics(mn_buf *out, const mn_node_counters *k) {
    char l[64];
    metric(out, "mentornet_changes_refused_total", "counter",
           "Replicated changes refused, by reason.", "{reason=\"owner\"}",
           k->refused_owner);
    for (int f = MN_FAULT_NONE + 1; f < MN_FAULT_COUNT; f++) {
        snprintf(l, sizeof l, "{reason=\"%s\"}",
                 mn_op_fault_name((enum mn_op_fault)f));
        metric(out, "mentornet_changes_refused_total", "counter", NULL, l,
               k->refused_fault[f]);
    }
    metric(out, "mentornet_changes_refused_total", "counter", NULL,
           "{reason=\"apply\"}", k->refused_apply);
}

/* Error answers of the API: client mistakes by status (the usual ones
 * always, so that a rate can be taken; others once seen), and 503s. */
static void
http_metrics(mn_buf *out) {
    static const unsigned usual[] = {400, 401, 404, 405, 413, 415};
    char l[64];
    bool first = true;
    for (unsigned s = 400; s < 500; s++) {
        bool is_usual = false;
        for (size_t i = 0; i < MN_ARRAY_LEN(usual); i++)
            is_usual |= usual[i] == s;
        uint64_t v = mn_api_errors_sent(s);
        if (!is_usual && !v)
            continue;
        snprintf(l, sizeof l, "{status=\"%u\"}", s);
        metric(out, "mentornet_http_bad_requests_total", "counter",
               first ? "Requests refused as the client's mistake, by status."
                     : NULL,
               l, v);
        first = false;
    }
    metric(out, "mentornet_http_unavailable_total", "counter",
           "Requests answered 503 (overloaded, or writes held).", NULL,
           mn_api_errors_sent(503));
}

enum MHD_Result
mn_api_metrics(mn_http *h, struct MHD_Connection *c, const char *id,
               mn_api_request *r) {
    mn_node_counters k;
    mn_repl_stats *st = mn_malloc(sizeof *st);
    mn_store *s = mn_node_store(h->node);
    uint64_t used, map;
    mn_buf out;
    (void)id, (void)r;
    mn_node_get_counters(h->node, &k);
    mn_store_size(s, &used, &map);
    mn_repl_stats_get(mn_replicator_engine(h->repl), st);
    mn_buf_init(&out);
    metric(&out, "mentornet_changes_committed_total", "counter",
           "Changes committed (local and replicated).", NULL, k.changes);
    metric(&out, "mentornet_commits_total", "counter", "Group commits.", NULL,
           k.commits);
    metric(&out, "mentornet_write_errors_total", "counter",
           "Group commits that failed.", NULL, k.write_errors);
    metric(&out, "mentornet_conflicts", "gauge",
           "Concurrent values recorded in the conflict list.", NULL,
           mn_store_entries(s, MN_DB_CONFLICTS));
    metric(&out, "mentornet_handshakes_refused_total", "counter",
           "Replication handshakes refused (unknown key).", NULL,
           mn_replicator_refused(h->repl));
    metric(&out, "mentornet_changes_refused_owner_total", "counter",
           "Replicated changes refused by the ownership rule.", NULL,
           k.refused_owner);
    refused_metrics(&out, &k);
    metric(&out, "mentornet_pending_changes", "gauge",
           "Verified changes waiting for their dependencies.", NULL,
           st->pending);
    metric(&out, "mentornet_hlc_lead_ms", "gauge",
           "How far this node's HLC is ahead of its wall clock.", NULL,
           st->hlc_lead_ms);
    metric(&out, "mentornet_clock_alarm", "gauge",
           "1 while the HLC leads the wall clock past max_clock_drift_ms.",
           NULL, st->clock_alarm);
    metric(&out, "mentornet_lmdb_used_bytes", "gauge",
           "Bytes of the LMDB map in use.", NULL, used);
    metric(&out, "mentornet_lmdb_map_bytes", "gauge", "LMDB map size.", NULL,
           map);
    http_metrics(&out);
    peer_metrics(h, &out, st);
    free(st);
    mn_buf_append(&out, "", 1);
    return mn_api_send_text(c, 200, "text/plain; version=0.0.4", (char *)out.p);
}
