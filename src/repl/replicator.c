/*
 * replicator — see replicator.h. The thread loops: poll the transport
 * until the engine's next tick or a commit wake-up, feed what arrived to
 * the engine, tick it when due. Nothing here decides anything; the engine
 * does.
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
#include "door/transport.h"

/* How long a restarted node waits for its peers' vectors before it takes
 * local writes anyway (they may be down). */
#define STARTUP_GRACE_MS 5000

struct mn_replicator {
    mn_node *node;
    mn_transport *transport;
    mn_repl *engine;
    int wake_fd;
    atomic_bool stop;
    pthread_t thread;
    bool running;
};

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
io_send(void *ctx, uint32_t peer, enum mn_channel ch, const uint8_t *p,
        size_t n) {
    mn_replicator *r = ctx;
    mn_transport_send(r->transport, peer, ch == MN_CH_SERVER, p, n);
}

static void
on_message(void *ctx, uint32_t peer, bool server, const uint8_t *p, size_t n) {
    mn_replicator *r = ctx;
    mn_repl_on_message(r->engine, peer, server ? MN_CH_SERVER : MN_CH_CLIENT, p,
                       n, mn_wall_ms());
}

static void
on_link(void *ctx, uint32_t peer, bool up) {
    mn_replicator *r = ctx;
    mn_info("repl: link to division %u %s", peer, up ? "up" : "down");
    mn_repl_on_link(r->engine, peer, up, mn_wall_ms());
}

/* Called by the node's writer after a commit: wake the loop. */
static void
on_commit(void *ctx) {
    mn_replicator *r = ctx;
    uint64_t one = 1;
    ssize_t rc = write(r->wake_fd, &one, sizeof one);
    (void)rc; /* a full counter already means "wake up" */
}

static void *
loop(void *arg) {
    mn_replicator *r = arg;
    mn_transport_events ev = {r, on_message, on_link};
    uint64_t next_tick = mn_wall_ms();
    while (!atomic_load(&r->stop)) {
        uint64_t now = mn_wall_ms();
        if (now >= next_tick) {
            next_tick = mn_repl_on_tick(r->engine, now);
            if (mn_node_save_own_seq(r->node) != MN_OK)
                mn_warn("repl: cannot record own.seq beside the store");
        }
        bool woken = false;
        int wait = next_tick > now ? (int)(next_tick - now) : 0;
        mn_transport_poll(r->transport, wait, r->wake_fd, &woken, &ev);
        if (woken) {
            uint64_t count;
            ssize_t got = read(r->wake_fd, &count, sizeof count);
            (void)got;
            mn_repl_on_commit(r->engine, mn_wall_ms());
        }
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
    r->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    err[0] = '\0';
    int rc = r->wake_fd < 0 ? MN_EIO
                            : load_peers(mn_node_config(node), &keys, peers,
                                         &npeers, err, errlen);
    if (rc == MN_OK)
        rc = open_transport(r, peers, npeers, err, errlen);
    if (rc == MN_OK) {
        mn_repl_io io = {r, io_send};
        r->engine =
            mn_repl_new(node, &keys, &io, mn_wall_ms(), STARTUP_GRACE_MS);
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
        on_commit(r);
        pthread_join(r->thread, NULL);
    }
    mn_node_on_commit(r->node, NULL, NULL);
    mn_repl_destroy(&r->engine);
    mn_transport_destroy(&r->transport);
    if (r->wake_fd >= 0)
        close(r->wake_fd);
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
