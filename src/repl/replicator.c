/*
 * replicator — see replicator.h. The thread loops: poll the transport
 * until the engine's next tick or a wake-up, feed what arrived to the
 * engine, tick it when due. Nothing here decides anything; the engine
 * does.
 *
 * The engine's `now` is CLOCK_MONOTONIC, so a wall-clock step moves no
 * timer; the wall clock and the node's HLC reach it only through the
 * clocks callback (the drift bound and the clock alarm).
 *
 * Wake-ups come from the node's writer thread through one eventfd: a
 * commit of local writes sets `committed`, the end of the apply in flight
 * fills `done`; each writes the eventfd once, and the loop turns them into
 * one on_commit and one on_applied event.
 */
#include "repl/replicator.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/log.h"
#include "change/log.h"
#include "door/transport.h"

struct mn_replicator {
    mn_node *node;
    mn_transport *transport;
    mn_repl *engine;
    int wake_fd;
    atomic_bool stop;
    atomic_bool committed; /* local writes committed since the last look */
    pthread_t thread;
    bool running;
    pthread_mutex_t mu;
    pthread_cond_t settled; /* signalled when the apply in flight ends */
    bool applying;          /* under mu: an apply is in the writer's hands */
    bool done;              /* under mu: it ended, not yet told the engine */
    uint64_t token;         /* under mu: its token */
    int rc;                 /* under mu: how it ended */
};

/* ---- the host over a node ----------------------------------------------- */

/* The engine's timers' clock: ms on CLOCK_MONOTONIC. */
static uint64_t
mono_ms(void) {
    return mn_mono_ns() / 1000000;
}

void
mn_replicator_clocks(mn_node *node, mn_repl_clocks *out) {
    mn_node_clocks(node, &out->wall_ms, &out->hlc);
}

void
mn_replicator_params(mn_node *node, const mn_repl_keys *keys,
                     mn_repl_params *params) {
    const mn_config *cfg = mn_node_config(node);
    memset(params, 0, sizeof *params);
    params->self = cfg->self.id;
    params->origin = mn_node_origin(node);
    for (size_t i = 0; i < cfg->ndivisions; i++)
        if (cfg->divisions[i].id != cfg->self.id)
            params->peers[params->npeers++] = cfg->divisions[i].id;
    params->max_drift_ms = cfg->max_drift_ms;
    params->keys = *keys;
    memcpy(params->network_key, mn_node_network_key(node), MN_KEY_BYTES);
}

/* Copy origin's changes from req->from into out, cut as req says. */
static void
collect(mn_txn *t, const mn_repl_read *req, mn_repl_range *out) {
    mn_log_range range;
    mn_bytes change;
    uint64_t seq;
    size_t bytes = 0;
    if (mn_log_range_open(t, req->origin, req->from, req->upto, &range) !=
        MN_OK)
        return;
    while (out->n < req->max_changes &&
           mn_log_range_next(&range, &seq, &change)) {
        mn_buf_append(&out->data, change.p, change.n);
        out->changes[out->n++].n = change.n;
        bytes += change.n;
        if (mn_log_sig_get(t, req->origin, seq, &out->sig) != MN_OK)
            continue;
        out->nsigned = out->n;
        if (out->n >= req->soft_changes || bytes >= req->soft_bytes)
            break;
    }
    mn_log_range_close(&range);
}

int
mn_replicator_read_log(mn_node *node, const mn_repl_read *req,
                       mn_repl_range *out) {
    mn_txn *t;
    size_t off = 0;
    int rc = mn_store_begin(mn_node_store(node), false, &t);
    if (rc != MN_OK)
        return rc;
    collect(t, req, out);
    mn_txn_abort(&t);
    /* data is complete, so it no longer moves: point into it. */
    for (size_t i = 0; i < out->n; i++) {
        out->changes[i].p = out->data.p + off;
        off += out->changes[i].n;
    }
    return MN_OK;
}

static int
read_key(const mn_config *cfg, const char *name, const char *suffix,
         uint8_t *key, size_t n, int secret, char *err, size_t errlen) {
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s.%s", cfg->key_dir, name, suffix);
    int rc = mn_crypto_key_read(path, key, n, secret);
    if (rc != MN_OK)
        snprintf(err, errlen,
                 "%s: %s (run ops/keys, or mentornetd --keygen "
                 "for that division)",
                 path,
                 rc == MN_EAUTH ? "readable by others (chmod 600)"
                                : "missing or not a key file");
    return rc == MN_OK ? MN_OK : MN_ECONFIG;
}

/* Every division's signing key, and every peer's CURVE key and address. */
static int
load_peers(const mn_config *cfg, mn_repl_keys *keys, mn_transport_peer *peers,
           size_t *npeers, char *err, size_t errlen) {
    *npeers = 0;
    memset(keys, 0, sizeof *keys);
    for (size_t i = 0; i < cfg->ndivisions; i++) {
        const mn_division *d = &cfg->divisions[i];
        int rc = read_key(cfg, d->name, "sign.pub", keys->key[d->id],
                          MN_KEY_BYTES, 0, err, errlen);
        if (rc != MN_OK)
            return rc;
        keys->has_key[d->id] = true;
        if (d->id == cfg->self.id)
            continue;
        mn_transport_peer *p = &peers[(*npeers)++];
        p->id = d->id;
        snprintf(p->endpoint, sizeof p->endpoint, "tcp://%s", d->repl_listen);
        rc = read_key(cfg, d->name, "curve.pub", p->curve_pk, MN_KEY_BYTES, 0,
                      err, errlen);
        if (rc != MN_OK)
            return rc;
    }
    return MN_OK;
}

static void
wake(mn_replicator *r) {
    uint64_t one = 1;
    ssize_t rc = write(r->wake_fd, &one, sizeof one);
    (void)rc; /* a full counter already means "wake up" */
}

/* Called by the node's writer when the apply in flight ended. */
static void
apply_done(void *ctx, int rc) {
    mn_replicator *r = ctx;
    pthread_mutex_lock(&r->mu);
    r->applying = false;
    r->done = true;
    r->rc = rc;
    pthread_cond_broadcast(&r->settled);
    pthread_mutex_unlock(&r->mu);
    wake(r);
}

static int
host_apply(void *ctx, uint64_t token, mn_remote_change *cs, size_t n,
           const mn_chain_sig *sigs, size_t nsigs) {
    mn_replicator *r = ctx;
    pthread_mutex_lock(&r->mu);
    r->applying = true;
    r->token = token;
    pthread_mutex_unlock(&r->mu);
    int rc = mn_node_apply_async(r->node, cs, n, sigs, nsigs, apply_done, r);
    mn_transport_pause_clients(r->transport, rc == MN_OK);
    if (rc != MN_OK) {
        pthread_mutex_lock(&r->mu);
        r->applying = false;
        pthread_mutex_unlock(&r->mu);
    }
    return rc;
}

static int
host_read_log(void *ctx, const mn_repl_read *req, mn_repl_range *out) {
    mn_replicator *r = ctx;
    return mn_replicator_read_log(r->node, req, out);
}

static void
host_state(void *ctx, mn_vv *vv, mn_heads *heads) {
    mn_replicator *r = ctx;
    mn_node_state(r->node, vv, heads);
}

static void
host_clocks(void *ctx, mn_repl_clocks *out) {
    mn_replicator *r = ctx;
    mn_replicator_clocks(r->node, out);
}

static void
host_send(void *ctx, uint32_t peer, enum mn_channel ch, const uint8_t *p,
          size_t n) {
    mn_replicator *r = ctx;
    mn_transport_send(r->transport, peer, ch == MN_CH_SERVER, p, n);
}

/* Stop local writes once the engine has seen a copy of our store write
 * as our origin (mn_node_set_forked). */
static void
check_forked(mn_replicator *r) {
    if (mn_repl_forked(r->engine) && !mn_node_forked(r->node))
        mn_node_set_forked(r->node);
}

static void
on_message(void *ctx, uint32_t peer, bool server, const uint8_t *p, size_t n) {
    mn_replicator *r = ctx;
    mn_repl_on_message(r->engine, peer, server ? MN_CH_SERVER : MN_CH_CLIENT, p,
                       n, mono_ms());
    check_forked(r);
}

static void
on_link(void *ctx, uint32_t peer, bool up) {
    mn_replicator *r = ctx;
    mn_info("repl: link to division %u %s", peer, up ? "up" : "down");
    mn_repl_on_link(r->engine, peer, up, mono_ms());
}

static void
on_oversized(void *ctx, uint32_t peer) {
    mn_replicator *r = ctx;
    mn_repl_on_refused(r->engine, peer, MN_REJ_SIZE, mono_ms());
}

/* Called by the node's writer after a commit of local writes. */
static void
on_commit(void *ctx) {
    mn_replicator *r = ctx;
    atomic_store(&r->committed, true);
    wake(r);
}

/* Feed the engine what the writer reported since the last wake-up. */
static void
woken(mn_replicator *r) {
    uint64_t n, token = 0;
    int rc = MN_OK;
    ssize_t got = read(r->wake_fd, &n, sizeof n);
    (void)got;
    if (atomic_exchange(&r->committed, false))
        mn_repl_on_commit(r->engine, mono_ms());
    pthread_mutex_lock(&r->mu);
    bool done = r->done;
    if (done) {
        r->done = false;
        token = r->token;
        rc = r->rc;
    }
    pthread_mutex_unlock(&r->mu);
    if (done) {
        mn_transport_pause_clients(r->transport, false);
        mn_repl_on_applied(r->engine, token, rc, mono_ms());
    }
}

static void *
loop(void *arg) {
    mn_replicator *r = arg;
    mn_transport_events ev = {r, on_message, on_link, on_oversized};
    uint64_t next_tick = mono_ms();
    while (!atomic_load(&r->stop)) {
        uint64_t now = mono_ms();
        if (now >= next_tick) {
            next_tick = mn_repl_on_tick(r->engine, now);
        }
        bool was_woken = false;
        int wait = next_tick > now ? (int)(next_tick - now) : 0;
        mn_transport_poll(r->transport, wait, r->wake_fd, &was_woken, &ev);
        if (was_woken)
            woken(r);
    }
    return NULL;
}

static int
open_transport(mn_replicator *r, const mn_transport_peer *peers, size_t npeers,
               char *err, size_t errlen) {
    const mn_config *cfg = mn_node_config(r->node);
    uint8_t pk[MN_KEY_BYTES], sk[MN_KEY_BYTES];
    char listen[96];
    int rc = read_key(cfg, cfg->self.name, "curve.pub", pk, MN_KEY_BYTES, 0,
                      err, errlen);
    if (rc == MN_OK)
        rc = read_key(cfg, cfg->self.name, "curve.secret", sk, MN_KEY_BYTES, 1,
                      err, errlen);
    snprintf(listen, sizeof listen, "tcp://%s", cfg->self.repl_listen);
    if (rc == MN_OK)
        rc = mn_transport_new(listen, pk, sk, peers, npeers, &r->transport, err,
                              errlen);
    mn_crypto_wipe(sk, sizeof sk);
    return rc;
}

int
mn_replicator_start(mn_node *node, mn_replicator **out, char *err,
                    size_t errlen) {
    static mn_transport_peer peers[MN_MAX_NODES];
    mn_repl_keys keys;
    size_t npeers;
    mn_replicator *r = mn_calloc(1, sizeof *r);
    r->node = node;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->settled, NULL);
    r->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    err[0] = '\0';
    int rc = r->wake_fd < 0 ? MN_EIO
                            : load_peers(mn_node_config(node), &keys, peers,
                                         &npeers, err, errlen);
    if (rc == MN_OK)
        rc = open_transport(r, peers, npeers, err, errlen);
    if (rc == MN_OK) {
        mn_repl_host host = {r,          host_read_log, host_state,
                             host_apply, host_send,     host_clocks};
        mn_repl_params params;
        mn_replicator_params(node, &keys, &params);
        r->engine = mn_repl_new(&params, &host, mono_ms());
        mn_crypto_wipe(&params, sizeof params);
        mn_node_on_commit(node, on_commit, r);
        r->running = pthread_create(&r->thread, NULL, loop, r) == 0;
        rc = r->running ? MN_OK : MN_EIO;
    }
    if (rc != MN_OK) {
        if (!err[0])
            snprintf(err, errlen, "replication: %s", mn_strerror(rc));
        mn_replicator_destroy(&r);
        return rc;
    }
    *out = r;
    return MN_OK;
}

void
mn_replicator_destroy(mn_replicator **self_p) {
    mn_replicator *r = *self_p;
    if (!r)
        return;
    if (r->running) {
        atomic_store(&r->stop, true);
        wake(r);
        pthread_join(r->thread, NULL);
    }
    mn_node_on_commit(r->node, NULL, NULL);
    /* The writer may still hold the engine's changes. */
    pthread_mutex_lock(&r->mu);
    while (r->applying)
        pthread_cond_wait(&r->settled, &r->mu);
    pthread_mutex_unlock(&r->mu);
    mn_repl_destroy(&r->engine);
    mn_transport_destroy(&r->transport);
    if (r->wake_fd >= 0)
        close(r->wake_fd);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->settled);
    free(r);
    *self_p = NULL;
}

mn_repl *
mn_replicator_engine(mn_replicator *r) {
    return r->engine;
}

uint64_t
mn_replicator_refused(mn_replicator *r) {
    return mn_transport_refused(r->transport);
}
