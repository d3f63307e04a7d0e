/*
 * transport — see transport.h.
 *
 * The ZAP handler (RFC 27) runs in its own thread on inproc
 * "zeromq.zap.01" of the transport's context and is started before the
 * ROUTER binds, so no handshake is ever judged without it. The ROUTER also
 * sets ZMQ_ZAP_ENFORCE_DOMAIN where the library offers it, so a missing
 * handler fails closed. Its refusals are logged through a ratelog keyed
 * by the caller's address: one line, then a count per ZAP_LOG_MS.
 *
 * A DEALER's link that drops after its handshake is either an ordinary
 * drop (the peer left, heartbeats timed out), after which libzmq itself
 * reconnects and says so (ZMQ_EVENT_CONNECT_RETRIED), or a protocol error,
 * after which libzmq gives the connection up without a word of why. The
 * peer is authenticated and speaks ZMTP through libzmq, so in practice
 * that is a message over ZMQ_MAXMSGSIZE (libzmq drops it unread, before
 * we see a byte). So a drop with no retry within DROP_GRACE_MS is
 * reported as an oversized message (on_oversized) and reconnected here.
 */
#include "door/transport.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "base/log.h"
#include "base/ratelog.h"
#include "base/util.h"

#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93 /* libzmq >= 4.3 (draft API) */
#endif

#define ZAP_DOMAIN "mentornet"
#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define HEARTBEAT_IVL_MS 1000
#define HEARTBEAT_TIMEOUT_MS 5000
#define RECONNECT_MS 100
#define RECONNECT_MAX_MS 5000
/* Messages queued to one peer. The engine keeps at most 16 batches
 * unacked per peer (MAX_CREDIT in repl/repl_internal.h), each cut near
 * 1 MiB, so a peer that stops reading costs about 16 MiB here, not the
 * ~10 GiB of the default 1,000 (or more) messages; a batch past this is
 * dropped, which the client sees as a gap and asks for again. */
#define SEND_HWM 16
#define ZAP_LOG_MS 10000
#define ZAP_WAKE_MS 1000 /* the ZAP thread logs held counts this often */
#define DROP_GRACE_MS 1000

struct link {
    mn_transport_peer peer;
    void *dealer;
    void *monitor;      /* PAIR receiving the DEALER's events */
    uint8_t route[256]; /* its DEALER's routing id at our ROUTER */
    size_t route_len;
    bool up;             /* handshake done, no drop since */
    bool dropped;        /* a drop awaiting libzmq's retry ... */
    uint64_t dropped_at; /* ... since this (ms, monotonic) */
};

struct mn_transport {
    void *ctx;
    void *router;
    void *zap;
    pthread_t zap_thread;
    bool zap_running;
    size_t nlinks;
    struct link links[MN_MAX_NODES];
    uint8_t sk[MN_KEY_BYTES];
    uint64_t refused;    /* written by the ZAP thread */
    mn_ratelog *zap_log; /* the ZAP thread's own */
    bool clients_paused;
    pthread_mutex_t mu;
};

/* ---- ZAP -------------------------------------------------------------- */

static int
recv_frames(void *sock, zmq_msg_t *frames, int max) {
    int n = 0, more = 1;
    while (more) {
        if (n == max)
            return -1;
        zmq_msg_init(&frames[n]);
        if (zmq_msg_recv(&frames[n], sock, 0) < 0) {
            zmq_msg_close(&frames[n]);
            return -1;
        }
        more = zmq_msg_more(&frames[n]);
        n++;
    }
    return n;
}

/* The id of the peer holding this CURVE public key, or 0. */
static uint32_t
zap_admit(mn_transport *t, const zmq_msg_t *domain, const zmq_msg_t *mech,
          const zmq_msg_t *key) {
    if (zmq_msg_size(domain) != strlen(ZAP_DOMAIN) ||
        memcmp(zmq_msg_data((zmq_msg_t *)domain), ZAP_DOMAIN,
               strlen(ZAP_DOMAIN)) != 0 ||
        zmq_msg_size(mech) != 5 ||
        memcmp(zmq_msg_data((zmq_msg_t *)mech), "CURVE", 5) != 0 ||
        zmq_msg_size(key) != MN_KEY_BYTES)
        return 0;
    for (size_t i = 0; i < t->nlinks; i++)
        if (memcmp(t->links[i].peer.curve_pk, zmq_msg_data((zmq_msg_t *)key),
                   MN_KEY_BYTES) == 0)
            return t->links[i].peer.id;
    return 0;
}

static void
zap_reply(void *sock, zmq_msg_t *request_id, uint32_t peer) {
    char user[16];
    snprintf(user, sizeof user, "%u", peer);
    zmq_send(sock, "1.0", 3, ZMQ_SNDMORE);
    zmq_msg_send(request_id, sock, ZMQ_SNDMORE);
    zmq_send(sock, peer ? "200" : "400", 3, ZMQ_SNDMORE);
    zmq_send(sock, peer ? "OK" : "unknown key", peer ? 2 : 11, ZMQ_SNDMORE);
    zmq_send(sock, user, peer ? strlen(user) : 0, ZMQ_SNDMORE);
    zmq_send(sock, "", 0, 0);
}

static uint64_t
mono_ms(void) {
    return mn_mono_ns() / 1000000;
}

/* FNV-1a of the caller's address: the ratelog's key. */
static uint64_t
address_key(const zmq_msg_t *address) {
    const uint8_t *p = zmq_msg_data((zmq_msg_t *)address);
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < zmq_msg_size(address); i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    return h == MN_RATELOG_OTHERS ? 0 : h;
}

static void
zap_log_held(const mn_ratelog_summary *s) {
    mn_warn("transport: refused %llu more handshakes from unknown keys%s in "
            "the last %llu s",
            (unsigned long long)s->count,
            s->peer == MN_RATELOG_OTHERS ? "" : " at that address",
            (unsigned long long)(s->window / 1000));
}

static void
zap_log_due(mn_transport *t) {
    mn_ratelog_summary due[8];
    size_t n;
    do {
        n = mn_ratelog_due(t->zap_log, mono_ms(), due, 8);
        for (size_t i = 0; i < n; i++)
            zap_log_held(&due[i]);
    } while (n == 8);
}

static void
zap_refuse(mn_transport *t, const zmq_msg_t *address) {
    mn_ratelog_summary late;
    pthread_mutex_lock(&t->mu);
    t->refused++;
    pthread_mutex_unlock(&t->mu);
    bool log =
        mn_ratelog_hit(t->zap_log, address_key(address), 0, mono_ms(), &late);
    if (late.count)
        zap_log_held(&late);
    if (log)
        mn_warn("transport: refused a handshake from an unknown key at %.*s",
                (int)(zmq_msg_size(address) > 64 ? 64 : zmq_msg_size(address)),
                (const char *)zmq_msg_data((zmq_msg_t *)address));
}

static void *
zap_main(void *arg) {
    mn_transport *t = arg;
    zmq_msg_t f[8];
    for (;;) {
        int n = recv_frames(t->zap, f, 8);
        if (n < 0 && zmq_errno() == ETERM)
            break;
        zap_log_due(t);
        if (n < 0)
            continue;
        /* version, request id, domain, address, identity, mechanism, key */
        uint32_t peer = n == 7 ? zap_admit(t, &f[2], &f[5], &f[6]) : 0;
        if (!peer)
            zap_refuse(t, n >= 4 ? &f[3] : &f[0]);
        if (n >= 2)
            zap_reply(t->zap, &f[1], peer);
        for (int i = 0; i < n; i++)
            zmq_msg_close(&f[i]);
    }
    zmq_close(t->zap);
    return NULL;
}

/* ---- sockets ---------------------------------------------------------- */

static int
common_options(void *s) {
    int linger = 0, hb = HEARTBEAT_IVL_MS, hbt = HEARTBEAT_TIMEOUT_MS;
    int rec = RECONNECT_MS, recmax = RECONNECT_MAX_MS, hwm = SEND_HWM;
    int64_t maxmsg = MN_MAX_PEER_MSG;
    return zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) ||
           zmq_setsockopt(s, ZMQ_HEARTBEAT_IVL, &hb, sizeof hb) ||
           zmq_setsockopt(s, ZMQ_HEARTBEAT_TIMEOUT, &hbt, sizeof hbt) ||
           zmq_setsockopt(s, ZMQ_RECONNECT_IVL, &rec, sizeof rec) ||
           zmq_setsockopt(s, ZMQ_RECONNECT_IVL_MAX, &recmax, sizeof recmax) ||
           zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm) ||
           zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
}

static int
open_router(mn_transport *t, const char *listen, const uint8_t *sk) {
    int one = 1;
    t->router = zmq_socket(t->ctx, ZMQ_ROUTER);
    if (!t->router || common_options(t->router) ||
        zmq_setsockopt(t->router, ZMQ_CURVE_SERVER, &one, sizeof one) ||
        zmq_setsockopt(t->router, ZMQ_CURVE_SECRETKEY, sk, MN_KEY_BYTES) ||
        zmq_setsockopt(t->router, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN,
                       strlen(ZAP_DOMAIN)))
        return MN_EIO;
    if (zmq_setsockopt(t->router, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof one))
        mn_debug("transport: this libzmq cannot enforce the ZAP domain; "
                 "the handler is always running instead");
    return zmq_bind(t->router, listen) == 0 ? MN_OK : MN_EIO;
}

static int
open_dealer(mn_transport *t, struct link *l, const uint8_t *pk) {
    char mon[64];
    l->dealer = zmq_socket(t->ctx, ZMQ_DEALER);
    if (!l->dealer || common_options(l->dealer) ||
        zmq_setsockopt(l->dealer, ZMQ_CURVE_SERVERKEY, l->peer.curve_pk,
                       MN_KEY_BYTES) ||
        zmq_setsockopt(l->dealer, ZMQ_CURVE_PUBLICKEY, pk, MN_KEY_BYTES) ||
        zmq_setsockopt(l->dealer, ZMQ_CURVE_SECRETKEY, t->sk, MN_KEY_BYTES))
        return MN_EIO;
    snprintf(mon, sizeof mon, "inproc://monitor-%u", l->peer.id);
    if (zmq_socket_monitor(l->dealer, mon,
                           ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
                               ZMQ_EVENT_DISCONNECTED |
                               ZMQ_EVENT_CONNECT_RETRIED) != 0)
        return MN_EIO;
    l->monitor = zmq_socket(t->ctx, ZMQ_PAIR);
    if (!l->monitor || zmq_connect(l->monitor, mon) != 0)
        return MN_EIO;
    return zmq_connect(l->dealer, l->peer.endpoint) == 0 ? MN_OK : MN_EIO;
}

static int
start_zap(mn_transport *t) {
    int wake = ZAP_WAKE_MS;
    t->zap = zmq_socket(t->ctx, ZMQ_REP);
    if (!t->zap || zmq_bind(t->zap, ZAP_ENDPOINT) != 0 ||
        zmq_setsockopt(t->zap, ZMQ_RCVTIMEO, &wake, sizeof wake) != 0)
        return MN_EIO;
    t->zap_log = mn_ratelog_new(ZAP_LOG_MS);
    if (pthread_create(&t->zap_thread, NULL, zap_main, t) != 0)
        return MN_EIO;
    t->zap_running = true;
    return MN_OK;
}

int
mn_transport_new(const char *listen, const uint8_t pk[MN_KEY_BYTES],
                 const uint8_t sk[MN_KEY_BYTES], const mn_transport_peer *peers,
                 size_t npeers, mn_transport **out, char *err, size_t errlen) {
    mn_transport *t = mn_calloc(1, sizeof *t);
    pthread_mutex_init(&t->mu, NULL);
    memcpy(t->sk, sk, MN_KEY_BYTES);
    t->ctx = zmq_ctx_new();
    t->nlinks = npeers;
    for (size_t i = 0; i < npeers; i++)
        t->links[i].peer = peers[i];
    int rc = t->ctx ? start_zap(t) : MN_EIO;
    if (rc == MN_OK && (rc = open_router(t, listen, sk)) != MN_OK)
        snprintf(err, errlen, "[replication] listen %s: %s", listen,
                 zmq_strerror(zmq_errno()));
    for (size_t i = 0; rc == MN_OK && i < npeers; i++)
        if ((rc = open_dealer(t, &t->links[i], pk)) != MN_OK)
            snprintf(err, errlen, "peer %u at %s: %s", peers[i].id,
                     peers[i].endpoint, zmq_strerror(zmq_errno()));
    if (rc != MN_OK) {
        if (!err[0])
            snprintf(err, errlen, "transport: %s", zmq_strerror(zmq_errno()));
        mn_transport_destroy(&t);
        return rc;
    }
    *out = t;
    return MN_OK;
}

void
mn_transport_destroy(mn_transport **self_p) {
    mn_transport *t = *self_p;
    if (!t)
        return;
    for (size_t i = 0; i < t->nlinks; i++) {
        if (t->links[i].dealer)
            zmq_close(t->links[i].dealer);
        if (t->links[i].monitor)
            zmq_close(t->links[i].monitor);
    }
    if (t->router)
        zmq_close(t->router);
    if (t->ctx)
        zmq_ctx_term(t->ctx); /* ends the ZAP thread's recv with ETERM */
    if (t->zap_running)
        pthread_join(t->zap_thread, NULL);
    else if (t->zap)
        zmq_close(t->zap);
    mn_crypto_wipe(t->sk, sizeof t->sk);
    mn_ratelog_destroy(&t->zap_log);
    pthread_mutex_destroy(&t->mu);
    free(t);
    *self_p = NULL;
}

static struct link *
find_link(mn_transport *t, uint32_t peer) {
    for (size_t i = 0; i < t->nlinks; i++)
        if (t->links[i].peer.id == peer)
            return &t->links[i];
    return NULL;
}

int
mn_transport_send(mn_transport *t, uint32_t peer, bool server, const uint8_t *p,
                  size_t n) {
    struct link *l = find_link(t, peer);
    if (!l || (server && l->route_len == 0))
        return MN_ENOTFOUND;
    if (server && zmq_send(t->router, l->route, l->route_len,
                           ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return MN_EAGAIN;
    void *sock = server ? t->router : l->dealer;
    return zmq_send(sock, p, n, ZMQ_DONTWAIT) < 0 ? MN_EAGAIN : MN_OK;
}

uint64_t
mn_transport_refused(mn_transport *t) {
    pthread_mutex_lock(&t->mu);
    uint64_t n = t->refused;
    pthread_mutex_unlock(&t->mu);
    return n;
}

/* ---- receiving -------------------------------------------------------- */

/* One message from the ROUTER: [routing id, payload]. */
static void
read_router(mn_transport *t, const mn_transport_events *ev) {
    zmq_msg_t f[2];
    int n = recv_frames(t->router, f, 2);
    if (n == 2) {
        const char *user = zmq_msg_gets(&f[1], "User-Id");
        uint32_t peer = user ? (uint32_t)strtoul(user, NULL, 10) : 0;
        struct link *l = find_link(t, peer);
        if (l && zmq_msg_size(&f[0]) <= sizeof l->route) {
            l->route_len = zmq_msg_size(&f[0]);
            memcpy(l->route, zmq_msg_data(&f[0]), l->route_len);
            ev->on_message(ev->ctx, peer, true, zmq_msg_data(&f[1]),
                           zmq_msg_size(&f[1]));
        }
    }
    for (int i = 0; i < (n < 0 ? 0 : n); i++)
        zmq_msg_close(&f[i]);
}

/* Up to a bounded number of messages from a DEALER. */
static void
read_dealer(const mn_transport *t, struct link *l,
            const mn_transport_events *ev) {
    for (int k = 0; k < 64 && !t->clients_paused; k++) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, l->dealer, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            return;
        }
        if (!zmq_msg_more(&m))
            ev->on_message(ev->ctx, l->peer.id, false, zmq_msg_data(&m),
                           zmq_msg_size(&m));
        zmq_msg_close(&m);
    }
}

static void
reconnect(struct link *l) {
    zmq_disconnect(l->dealer, l->peer.endpoint);
    zmq_connect(l->dealer, l->peer.endpoint);
}

static void
on_monitor_event(struct link *l, uint16_t event,
                 const mn_transport_events *ev) {
    if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
        l->up = true;
        l->dropped = false;
        ev->on_link(ev->ctx, l->peer.id, true);
    } else if (event == ZMQ_EVENT_DISCONNECTED) {
        if (l->up) {
            l->dropped = true;
            l->dropped_at = mono_ms();
        } else
            reconnect(l); /* a failed handshake: try again */
        l->up = false;
        ev->on_link(ev->ctx, l->peer.id, false);
    } else if (event == ZMQ_EVENT_CONNECT_RETRIED) {
        l->dropped = false; /* an ordinary drop: libzmq reconnects */
    }
}

/* Every queued monitor event: [u16 event, u32 value][endpoint]. */
static void
read_monitor(struct link *l, const mn_transport_events *ev) {
    for (int k = 0; k < 16; k++) {
        zmq_msg_t f[2];
        int events = 0;
        size_t len = sizeof events;
        if (zmq_getsockopt(l->monitor, ZMQ_EVENTS, &events, &len) != 0 ||
            !(events & ZMQ_POLLIN))
            return;
        int n = recv_frames(l->monitor, f, 2);
        if (n >= 1 && zmq_msg_size(&f[0]) >= 2) {
            uint16_t event;
            memcpy(&event, zmq_msg_data(&f[0]), 2);
            on_monitor_event(l, event, ev);
        }
        for (int i = 0; i < (n < 0 ? 0 : n); i++)
            zmq_msg_close(&f[i]);
    }
}

/* A drop with no retry after DROP_GRACE_MS was a protocol error, which
 * libzmq does not reconnect after: report it and reconnect here. Returns
 * the ms until the next such check is due (-1: none pending). */
static int
settle_drops(mn_transport *t, const mn_transport_events *ev) {
    int next = -1;
    uint64_t now = mono_ms();
    for (size_t i = 0; i < t->nlinks; i++) {
        struct link *l = &t->links[i];
        if (!l->dropped)
            continue;
        uint64_t age = now > l->dropped_at ? now - l->dropped_at : 0;
        if (age < DROP_GRACE_MS) {
            int left = (int)(DROP_GRACE_MS - age);
            next = next < 0 || left < next ? left : next;
            continue;
        }
        l->dropped = false;
        mn_warn("transport: the link to division %u fell on a protocol "
                "error (a message over the size limit); reconnecting",
                l->peer.id);
        if (ev->on_oversized)
            ev->on_oversized(ev->ctx, l->peer.id);
        reconnect(l);
    }
    return next;
}

void
mn_transport_pause_clients(mn_transport *t, bool paused) {
    t->clients_paused = paused;
}

int
mn_transport_poll(mn_transport *t, int timeout_ms, int wake_fd, bool *woken,
                  const mn_transport_events *ev) {
    zmq_pollitem_t items[2 + 2 * MN_MAX_NODES];
    size_t n = 0;
    items[n++] = (zmq_pollitem_t){t->router, 0, ZMQ_POLLIN, 0};
    items[n++] = (zmq_pollitem_t){NULL, wake_fd, ZMQ_POLLIN, 0};
    for (size_t i = 0; i < t->nlinks; i++) {
        short in = t->clients_paused ? 0 : ZMQ_POLLIN;
        items[n++] = (zmq_pollitem_t){t->links[i].dealer, 0, in, 0};
        items[n++] = (zmq_pollitem_t){t->links[i].monitor, 0, ZMQ_POLLIN, 0};
    }
    int due = settle_drops(t, ev);
    if (due >= 0 && (timeout_ms < 0 || due < timeout_ms))
        timeout_ms = due;
    int rc = zmq_poll(items, (int)n, timeout_ms); /* poll skips fd < 0 */
    if (rc < 0)
        return zmq_errno() == EINTR ? MN_OK : MN_EIO;
    *woken = wake_fd >= 0 && (items[1].revents & ZMQ_POLLIN);
    for (int k = 0; k < 64 && (items[0].revents & ZMQ_POLLIN); k++) {
        read_router(t, ev);
        int events;
        size_t len = sizeof events;
        zmq_getsockopt(t->router, ZMQ_EVENTS, &events, &len);
        if (!(events & ZMQ_POLLIN))
            break;
    }
    for (size_t i = 0; i < t->nlinks; i++) {
        if (items[2 + 2 * i].revents & ZMQ_POLLIN)
            read_dealer(t, &t->links[i], ev);
        if (items[3 + 2 * i].revents & ZMQ_POLLIN)
            read_monitor(&t->links[i], ev);
    }
    return MN_OK;
}
