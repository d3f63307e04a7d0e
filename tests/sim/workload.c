/*
 * workload — the writes of a run, generated from the participant kind's
 * table (state/participant.c), so every field is written with a valid
 * value of its type, and clears of the optional ones. Most writes go to a
 * few hot entities, and a third of the write steps have several nodes
 * patch one entity at the same instant (across whatever partition holds),
 * so that concurrent writes to the same fields are common. Now and then a
 * node writes a bulk of hundreds of changes in one group, which crosses
 * batch cutting and the signing interval; every LONG_EVERY-th seed runs
 * the long scenario (long_scenario), which fills a pending queue past its
 * limit.
 *
 * Every write a node acknowledges is recorded in the model with the stamp
 * read back from the node's log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hlc.h"
#include "change/envelope.h"
#include "change/log.h"
#include "door/codec.h"
#include "door/crypto.h"
#include "node/seal.h"
#include "repl/repl.h"
#include "sim.h"
#include "state/participant.h"

#define LONG_EVERY 50    /* every this many seeds runs the long scenario */
#define BULK_MAX 700     /* changes in an ordinary bulk write */
#define LONG_BULK 9000   /* in the long scenario: past PENDING_MAX (8192) */
#define BACKLOG_MAX 4096 /* messages in flight (a peer's send queue) */

static const char *const words[] = {"Amina", "Sara",    "Hodan", "Leyla",
                                    "Karen", "Mette",   "Olsen", "Ahmadi",
                                    "Nurse", "Teacher", "IT",    "Care"};
static const char *const countries[] = {"SY", "SO", "AF", "IQ",
                                        "ER", "DK", "TR", "UA"};
static const char *const languages[] = {"ar", "da", "en", "so",
                                        "fa", "ti", "tr", "uk"};

/* A comma-joined list of up to max distinct codes from codes[0..n). */
static void
random_list(char *out, size_t cap, const char *const *codes, size_t n,
            int64_t max) {
    size_t want = 1 + below(max < 3 ? (uint64_t)max : 3), len = 0;
    size_t start = below(n);
    out[0] = '\0';
    for (size_t k = 0; k < want && k < n; k++)
        len += (size_t)snprintf(out + len, cap - len, "%s%s", k ? "," : "",
                                codes[(start + k) % n]);
}

/* A valid value of field f (any type but a division). */
static void
random_value(mn_ops *ops, const mn_field_def *f) {
    char buf[128];
    const char *z = buf;
    switch (f->type) {
    case MN_FT_INT:
        mn_ops_add_int(ops, f->no,
                       f->min +
                           (int64_t)below((uint64_t)(f->max - f->min + 1)));
        return;
    case MN_FT_TIME:
        mn_ops_add_int(ops, f->no, 1600000000000 + (int64_t)below(1u << 30));
        return;
    case MN_FT_DIVISION: return;
    case MN_FT_REF:
        snprintf(buf, sizeof buf, "%016llx%016llx",
                 (unsigned long long)below(UINT64_MAX),
                 (unsigned long long)below(UINT64_MAX));
        break;
    case MN_FT_TEXT:
        snprintf(buf, sizeof buf, "%s %s%s", words[below(12)], words[below(12)],
                 (f->flags & MN_F_MULTILINE) && chance(30) ? "\nmore" : "");
        break;
    case MN_FT_EMAIL:
        snprintf(buf, sizeof buf, "%s@example.dk", words[below(12)]);
        break;
    case MN_FT_PHONE:
        snprintf(buf, sizeof buf, "+45 %04u %04u", (unsigned)below(10000),
                 (unsigned)below(10000));
        break;
    case MN_FT_ENUM:
        z = f->names ? f->names[below(mn_field_enum_count(f))]
            : f->codes == MN_CODES_ISO3166 ? countries[below(8)]
                                           : languages[below(8)];
        break;
    case MN_FT_LIST:
        if (f->names)
            random_list(buf, sizeof buf, f->names, mn_field_enum_count(f),
                        f->max);
        else
            random_list(buf, sizeof buf,
                        f->codes == MN_CODES_ISO3166 ? countries : languages, 8,
                        f->max);
        break;
    }
    mn_ops_add_str(ops, f->no, z, strlen(z));
}

/* Written at create only, or never by a request. */
static bool
create_only(const mn_field_def *f) {
    return f->write == MN_WRITE_ONCE || f->write == MN_WRITE_NODE;
}

void
random_ops(mn_ops *ops, bool create, int writer, int home) {
    const mn_kind *k = &mn_kind_participant;
    bool mentor = chance(40);
    for (size_t i = 0; i < k->nfields; i++) {
        const mn_field_def *f = &k->fields[i];
        bool req = create && (f->flags & MN_F_REQUIRED);
        /* Owner-only fields by their owner, and now and then by another
         * division (the node must refuse it: never acknowledged). */
        bool may = !mn_field_owner_only(f) || writer == home || chance(3);
        /* Erasure is its own action (erase_one), never a random op. */
        if (f->type == MN_FT_DIVISION || f->no == MN_P_ERASED_AT ||
            (!create && create_only(f)) ||
            (!req && (!may || !chance(create ? 40 : 25))))
            continue;
        if (f->no == MN_P_ROLE)
            mn_ops_add_str(ops, f->no, mentor ? "mentor" : "mentee", 6);
        else if (!req && chance(10))
            mn_ops_add_clear(ops, f->no);
        else
            random_value(ops, f);
    }
    if (create)
        mn_ops_add_int(ops, MN_P_HOME, home);
    else if (ops->n == 0)
        random_value(ops, mn_kind_field(k, MN_P_STATUS));
}

/* Record node i's acknowledged writes ws[0..n): they took its seqs
 * first + 1, ... in order; each one's stamp is read from its log. */
/* Does node i's engine raise the clock alarm (measured on a tick)? */
static bool
alarmed(struct sim *s, int i) {
    mn_repl_stats *st = malloc(sizeof *st);
    if (!st)
        abort();
    mn_repl_on_tick(s->eng[i], engine_now(s, i));
    mn_repl_stats_get(s->eng[i], st);
    bool on = st->clock_alarm;
    free(st);
    return on;
}

/* The ops of logged change raw, as the node made it: its personal and
 * special values sealed (README "Compartments"). OUT: ops (released by
 * the caller). */
static void
logged_ops(const mn_bytes *raw, const mn_change_header *h, mn_ops *ops) {
    static uint8_t net[MN_KEY_BYTES];
    static bool have_net;
    char path[128];
    mn_change_view v = {0};
    mn_buf plain;
    uint32_t type;
    uint8_t id[MN_ID_BYTES];
    snprintf(path, sizeof path, "%s/network.key", sim_keys_dir);
    if (!have_net && mn_crypto_key_read(path, net, sizeof net, 1) != MN_OK)
        abort();
    have_net = true;
    mn_buf_init(&plain);
    if (mn_codec_change_decode(raw->p, raw->n, &v) != MN_OK ||
        mn_envelope_open(net, &v, h, &plain, &type, id, ops) != MN_OK)
        abort();
    mn_codec_change_release(&v);
    mn_buf_release(&plain);
}

/* Every personal or special value w wrote that is in the logged ops (not
 * erased since) is sealed, and opens on node i (the home that sealed it)
 * to what w wrote; a transfer's, sealed to the new home, is in the sealed
 * form. */
static void
check_sealed(struct sim *s, int i, const mn_write *w, const mn_ops *logged) {
    const mn_kind *k = mn_kind_find(w->type);
    for (size_t a = 0; k && a < w->ops.n; a++) {
        const mn_field_op *op = &w->ops.op[a];
        const mn_field_def *f = mn_kind_field(k, op->no);
        const mn_field_op *got = NULL;
        mn_value clear;
        if (!f || !mn_field_sealed(f) || op->v.kind == MN_V_NONE)
            continue;
        for (size_t b = 0; b < logged->n; b++)
            if (logged->op[b].no == op->no)
                got = &logged->op[b];
        if (!got)
            continue; /* its private part erased since (an erasure) */
        if (!mn_value_sealed(&got->v)) {
            fail(s, "node%d logged field %u of a write unsealed", i + 1,
                 op->no);
            continue;
        }
        if (mn_node_unseal(s->node[i], w->type, w->id, op->no, &got->v,
                           &clear) != MN_OK)
            continue; /* a transfer's: sealed to the new home */
        bool same = clear.kind == op->v.kind &&
                    (clear.kind == MN_V_INT
                         ? clear.i == op->v.i
                         : clear.len == op->v.len &&
                               memcmp(clear.s, op->v.s, clear.len) == 0);
        mn_value_release(&clear);
        if (!same)
            fail(s, "node%d sealed field %u as another value", i + 1, op->no);
    }
}

static void
record_acked(struct sim *s, int i, mn_write *ws, size_t n, uint64_t first) {
    mn_txn *t;
    uint32_t self = sim_origin(s, i);
    uint64_t seq = first;
    if (mn_store_begin(mn_node_store(s->node[i]), false, &t) != MN_OK)
        abort();
    for (size_t k = 0; k < n; k++) {
        mn_bytes raw;
        mn_change_header h;
        if (ws[k].result != MN_OK)
            continue;
        if (mn_log_get(t, self, ++seq, &raw) != MN_OK ||
            mn_envelope_header(raw.p, raw.n, &h) != MN_OK || h.seq != seq)
            abort();
        mn_stamp st = {h.hlc, h.origin, h.seq};
        mn_ops logged;
        logged_ops(&raw, &h, &logged);
        check_sealed(s, i, &ws[k], &logged);
        model_record(s->model, ws[k].type, ws[k].id, &logged, &st, false);
        mn_ops_release(&logged);
        if (ws[k].create && ws[k].type == MN_ENTITY_PARTICIPANT)
            model_add_entity(s->model, ws[k].id, i + 1);
        if (MN_HLC_MS(h.hlc) > sim_wall(s, i) + DRIFT_MS && !s->failure[0] &&
            !alarmed(s, i))
            fail(s,
                 "node%d stamped a write %llu ms ahead of its clock without "
                 "a clock alarm",
                 i + 1,
                 (unsigned long long)(MN_HLC_MS(h.hlc) - sim_wall(s, i)));
    }
    mn_txn_abort(&t);
}

void
sim_write_group(struct sim *s, int i, mn_write *ws, size_t n) {
    mn_vv before;
    mn_node_state(s->node[i], &before, NULL);
    int rc = mn_node_write(s->node[i], ws, n);
    size_t ok = 0;
    for (size_t k = 0; rc == MN_OK && k < n; k++)
        ok += ws[k].result == MN_OK;
    trace(s, "node%d wrote %zu/%zu: %s", i + 1, ok, n, mn_strerror(rc));
    if (rc != MN_OK)
        return;
    record_acked(s, i, ws, n, vv_get(&before, sim_origin(s, i)));
    if (ok)
        mn_repl_on_commit(s->eng[i], engine_now(s, i));
}

/* ws[k] as a create by node i, or a patch of a known entity. */
static void
fill_write(struct sim *s, int i, mn_write *w, bool create) {
    int home = i + 1;
    *w = (mn_write){.type = MN_ENTITY_PARTICIPANT, .create = create};
    mn_ops_init(&w->ops);
    if (!create && !model_pick(s->model, w->id, &home))
        w->create = create = true;
    random_ops(&w->ops, create, i + 1, create ? i + 1 : home);
}

static void
write_some(struct sim *s, int i, size_t n, unsigned create_pct) {
    mn_write *ws = mn_malloc(n * sizeof *ws);
    for (size_t k = 0; k < n; k++)
        fill_write(s, i, &ws[k], chance(create_pct));
    sim_write_group(s, i, ws, n);
    for (size_t k = 0; k < n; k++)
        mn_ops_release(&ws[k].ops);
    free(ws);
}

/* Several nodes patch one entity at the same instant. */
static void
write_together(struct sim *s) {
    mn_write w;
    int home;
    uint8_t id[MN_ID_BYTES];
    if (!model_pick(s->model, id, &home))
        return;
    int first = (int)below(NODES), n = 2 + (int)below(NODES - 1);
    for (int k = 0; k < n; k++) {
        int i = (first + k) % NODES;
        if (!s->up[i])
            continue;
        w = (mn_write){.type = MN_ENTITY_PARTICIPANT};
        memcpy(w.id, id, MN_ID_BYTES);
        mn_ops_init(&w.ops);
        random_ops(&w.ops, false, i + 1, home);
        sim_write_group(s, i, &w, 1);
        mn_ops_release(&w.ops);
    }
}

/*
 * The long scenario, once in a long seed: node b writes, node a takes it
 * and then writes LONG_BULK changes at once (all depending on b's write),
 * while node c hears from a alone: batch cutting, the signing interval
 * and c's pending queue (a's changes wait there for b's).
 *
 * With the switch pending-full, a streams without a tick in between (so
 * b's change is not relayed yet) over a fast network: c's queue for a
 * overflows PENDING_MAX, and what a queues for its peers must stay
 * bounded meanwhile.
 */
static void
long_scenario(struct sim *s) {
    int a = (int)below(NODES), b = (a + 1) % NODES, c = (a + 2) % NODES;
    if (!s->up[a] || !s->up[b] || !s->up[c] || !mn_node_writable(s->node[a]) ||
        !mn_node_writable(s->node[b]))
        return;
    s->long_done = true;
    for (int k = 0; k < ENDPOINTS; k++) /* c hears from a alone */
        s->cut[c][k] = s->cut[k][c] = k != a;
    s->cut[a][b] = s->cut[b][a] = false;
    set_links(s);
    trace(s, "long: node%d writes, node%d follows with %d", b + 1, a + 1,
          LONG_BULK);
    if (s->faults & F_PENDING_FULL)
        s->drop = s->dup = s->delay = 0;
    write_some(s, b, 1, 100);
    uint32_t ob = sim_origin(s, b);
    for (int k = 0; k < 200; k++) {
        mn_vv va, vb;
        mn_node_state(s->node[a], &va, NULL);
        mn_node_state(s->node[b], &vb, NULL);
        if (vv_get(&va, ob) >= vv_get(&vb, ob))
            break;
        (s->faults & F_PENDING_FULL) ? sim_deliver(s, 1) : sim_settle(s, 1);
    }
    write_some(s, a, LONG_BULK, 20);
    for (int k = 0; (s->faults & F_PENDING_FULL) && k < 400; k++) {
        sim_deliver(s, 1);
        if (s->nmsgs > BACKLOG_MAX && !s->failure[0])
            fail(s, "%zu messages queued after node%d's bulk write", s->nmsgs,
                 a + 1);
    }
}

/* Her home erases a participant (README "Erasure"). */
static void
erase_one(struct sim *s) {
    int home;
    mn_write w = {.type = MN_ENTITY_PARTICIPANT};
    if (!model_pick(s->model, w.id, &home) || !s->up[home - 1])
        return;
    mn_ops_init(&w.ops);
    mn_ops_add_int(&w.ops, MN_P_ERASED_AT, (int64_t)sim_wall(s, home - 1));
    trace(s, "node%d erases a participant", home);
    sim_write_group(s, home - 1, &w, 1);
    s->erasures += w.result == MN_OK;
    mn_ops_release(&w.ops);
}

void
do_writes(struct sim *s, unsigned long long seed) {
    int i = (int)below(NODES);
    uint64_t r = below(100);
    if (seed % LONG_EVERY == 0 && !s->long_done && chance(25)) {
        long_scenario(s);
    } else if (r < 34) {
        if (s->up[i])
            write_some(s, i, 1, 100);
    } else if (r < 64) {
        if (s->up[i])
            write_some(s, i, 1, 0);
    } else if (r < 66) {
        erase_one(s);
    } else if (r < 97) {
        write_together(s);
    } else if (s->up[i]) {
        write_some(s, i, 100 + below(BULK_MAX), 30);
    }
}
