/*
 * transport — the project's only door to ZeroMQ. One ROUTER listens for
 * the peers' DEALERs; one DEALER connects to each peer's ROUTER. Every
 * socket uses CURVE; a ZAP handler admits only the configured peers' public
 * keys, in the "mentornet" ZAP domain, and tells the ROUTER which peer each
 * message came from. Heartbeats detect dead links, reconnects back off, and
 * messages over MN_MAX_PEER_MSG bytes drop the connection.
 *
 * Not thread-safe: one thread owns a transport (ZeroMQ sockets are not
 * thread-safe either). Delivery is best effort; the replication protocol
 * makes up for any message lost on a reconnect. Refused handshakes are
 * logged at most once per caller's address per 10 s, with a count.
 */
#ifndef MN_TRANSPORT_H
#define MN_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "door/crypto.h"

typedef struct mn_transport mn_transport;

typedef struct mn_transport_peer {
    uint32_t id;
    char endpoint[96]; /* tcp://host:port of its ROUTER */
    uint8_t curve_pk[MN_KEY_BYTES];
} mn_transport_peer;

/* What arrived: on_message's server flag is true when it came in on our
 * ROUTER (the peer is pulling from us), false on a DEALER. */
typedef struct mn_transport_events {
    void *ctx;
    void (*on_message)(void *ctx, uint32_t peer, bool server, const uint8_t *p,
                       size_t n);
    void (*on_link)(void *ctx, uint32_t peer, bool up);
    /* Our DEALER's link to peer fell on a protocol error, which libzmq
     * raises for a message over MN_MAX_PEER_MSG before any byte of it
     * reaches us (the link is reconnected). May be NULL. */
    void (*on_oversized)(void *ctx, uint32_t peer);
} mn_transport_events;

/*
 * Bind the ROUTER on listen ("tcp://127.0.0.1:7101") with our CURVE key
 * pair and connect a DEALER to every peer. The secret key is copied and
 * wiped on destroy. On failure err says why.
 */
int mn_transport_new(const char *listen, const uint8_t pk[MN_KEY_BYTES],
                     const uint8_t sk[MN_KEY_BYTES],
                     const mn_transport_peer *peers, size_t npeers,
                     mn_transport **out, char *err, size_t errlen);
void mn_transport_destroy(mn_transport **self_p);

/* Queue bytes for peer: on our DEALER (server false) or to the peer's
 * DEALER through our ROUTER (server true). Never blocks; a full queue or an
 * unknown route drops the message (MN_EAGAIN / MN_ENOTFOUND). */
int mn_transport_send(mn_transport *t, uint32_t peer, bool server,
                      const uint8_t *p, size_t n);

/*
 * Wait up to timeout_ms for traffic (or for wake_fd, if >= 0, to become
 * readable: *woken is then set) and deliver every event that is ready.
 */
int mn_transport_poll(mn_transport *t, int timeout_ms, int wake_fd, bool *woken,
                      const mn_transport_events *ev);

/* While paused, mn_transport_poll leaves what peers send on our DEALERs
 * (the batches we pull) queued in ZeroMQ, where the servers' credit bounds
 * it; the ROUTER is still served. The replicator pauses while an apply is
 * in flight, so that verified changes never pile up in memory. */
void mn_transport_pause_clients(mn_transport *t, bool paused);

/* Handshakes refused by the ZAP handler so far (unknown keys). */
uint64_t mn_transport_refused(mn_transport *t);

#endif
