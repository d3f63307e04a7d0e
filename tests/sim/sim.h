/*
 * sim.h — what the simulator's files share: the world (struct sim), the
 * seeded generator, tracing and failing, the node clocks, and each file's
 * entry points.
 *
 *   sim.c       the world: nodes, network, delivery, healing, checks after
 *               every step and after healing, runs and the command line
 *   model.c     the model of every acknowledged write (patches included)
 *               and the last-writer-wins check against it
 *   workload.c  writes: every field of the participant kind from its
 *               table, hot entities patched by several nodes at once,
 *               bulk writes that cross batch and signing limits
 *   faults.c    partitions, kill -9 crashes, lost disks, restores from
 *               old backups, clock faults
 *   hostile.c   a sixth division that turns hostile: forged, replayed
 *               and tampered changes, lying vectors, HELLO floods, ...
 *
 * Scenarios sit behind fault switches (--faults NAME,...), all on by
 * default but equivocate: see fault_names and DEFAULT_FAULTS in sim.c.
 *
 * Version vectors are read through vv_get only, so that a change of their
 * representation touches one line.
 */
#ifndef MN_SIM_H
#define MN_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "door/codec.h"
#include "node/node.h"
#include "repl/repl.h"

#define NODES 5     /* honest nodes: divisions 1..5 */
#define ROGUE NODES /* index of the sixth, hostile endpoint */
#define ENDPOINTS (NODES + 1)
#define DIVISIONS ENDPOINTS
#define TRACE_LINES 64
#define DRIFT_MS 300000
#define HEAL_ROUNDS 3000
#define HOT 6 /* entities most writes go to, so that writes conflict */

/* Fault switches: scenarios that failed before issue 8's fixes. */
enum sim_fault {
    F_LOST_DISK = 1u << 0,      /* a node restarts on an empty data dir */
    F_OLD_BACKUP = 1u << 1,     /* a node restarts on an old backup */
    F_CLOCK_HOURS = 1u << 2,    /* clocks stepped by hours, fwd and back */
    F_FORGED_CREATE = 1u << 3,  /* the rogue creates another's participant */
    F_UNKNOWN_FIELDS = 1u << 4, /* the rogue writes unknown field numbers */
    F_HELLO_FLOOD = 1u << 5,    /* the rogue says HELLO over and over */
    F_LYING_VV = 1u << 6,       /* the rogue claims huge seqs of others */
    F_EQUIVOCATE = 1u << 7,     /* the rogue sends two forks of one seq */
    F_EARLY_PATCH = 1u << 8,    /* the rogue patches before the create */
    F_PENDING_FULL = 1u << 9,   /* a peer's pending queue overflows */
};

/* Partnerships a run proposes at most (pships.c). */
#define SIM_PSHIP_MAX 48

struct msg {
    int from, to;
    enum mn_channel ch; /* the channel it arrives on at `to` */
    uint64_t at;
    uint8_t *p;
    size_t n;
};

struct endpoint {
    struct sim *sim;
    int index;
};

/* An apply an engine asked for, done by the node once it is due. */
struct apply {
    bool queued;
    uint64_t token, at;
    mn_remote_change *cs;
    size_t n;
    const mn_chain_sig *sigs;
    size_t nsigs;
};

struct model;   /* model.c */
struct hostile; /* hostile.c */

struct sim {
    char root[64];
    unsigned faults; /* enum sim_fault bits enabled */
    uint64_t now;    /* true time (ms); also the monotonic clock */
    int64_t skew[NODES];
    int64_t max_ahead; /* the largest forward skew of the run */
    mn_config cfg[NODES];
    mn_node *node[NODES];
    mn_repl *eng[NODES];
    struct apply apply[NODES];
    struct endpoint ep[ENDPOINTS];
    bool up[ENDPOINTS];
    bool cut[ENDPOINTS][ENDPOINTS];    /* link a-b is cut (symmetric) */
    bool linked[ENDPOINTS][ENDPOINTS]; /* a's client link to b is up */
    struct msg *msgs;
    size_t nmsgs, capmsgs;
    uint64_t queued_to[ENDPOINTS]; /* bytes in flight to each endpoint */
    mn_vv last_vv[NODES];          /* each node's vector after the last step */
    mn_vv durable[NODES];          /* what each store holds (also while down) */
    mn_vv checked_vv[NODES];       /* each store as last checked */
    mn_vv made;                    /* the most each origin ever made */
    bool has_backup[NODES];        /* an old backup of the node exists */
    mn_vv backup_vv[NODES];        /* and what it holds */
    uint64_t max_pending;          /* the most changes an engine held pending */
    bool long_done;                /* the long scenario ran (workload.c) */
    bool equivocated; /* the rogue signed two forks of one seq (hostile.c) */
    bool store_lost;  /* a store was lost or replaced by an older copy */
    size_t conflicts; /* conflicts listed after healing */
    uint64_t refused[MN_REJ_COUNT]; /* refusals of the rogue, by reason */
    struct model *model;
    struct hostile *rogue;
    uint8_t pship[SIM_PSHIP_MAX][MN_ID_BYTES]; /* partnerships proposed */
    int8_t pship_by[SIM_PSHIP_MAX];            /* the node that proposed each */
    size_t npship;
    size_t pship_taken, pship_refused;   /* actions acknowledged, refused */
    size_t erasures;                     /* erase changes acknowledged */
    int8_t pstate[NODES][SIM_PSHIP_MAX]; /* each one's state as each node
                                            last showed it (-1: unseen) */
    char trace[TRACE_LINES][128];
    size_t ntrace;
    unsigned drop, dup, delay; /* network weather, percent / ms */
    char failure[256];
};

/* ---- sim.c ---- */

uint64_t rnd(void);
uint64_t below(uint64_t n);
bool chance(unsigned percent);
void trace(struct sim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Record why the run failed; returns false. */
bool fail(struct sim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The wall clock node i reads, in ms: the one place clocks are injected
 * (the engine's timers and the node's HLC both read it today). */
uint64_t sim_wall(struct sim *s, int i);
/* The clock the engine of node i is given. */
uint64_t engine_now(struct sim *s, int i);
/* The origin node i writes as now (its division while it is down). */
uint32_t sim_origin(const struct sim *s, int i);
/* origin o's entry of vv. */
uint64_t vv_get(const mn_vv *vv, uint32_t o);
/* Queue bytes from endpoint `from` to `to`, arriving on channel ch. */
void enqueue(struct sim *s, int from, int to, enum mn_channel ch,
             const uint8_t *p, size_t n);
void start_node(struct sim *s, int i);
/* Stop node i: cleanly (its own.seq saved), or as kill -9 does. */
void stop_node(struct sim *s, int i, bool kill9);
void set_links(struct sim *s);
/* Let the world run for rounds of 50 ms: ticks, applies, deliveries. */
void sim_settle(struct sim *s, int rounds);
/* Rounds of 1 ms of applies and up to 32 deliveries, without a tick. */
void sim_deliver(struct sim *s, int rounds);
extern mn_repl_keys sim_keys;
extern char sim_keys_dir[64];

/* ---- model.c ---- */

struct model *model_new(void);
void model_destroy(struct model **m);
/* Record a write: its entity, ops and stamp. A maybe-write (made by the
 * rogue, or lost with a disk) may or may not survive; the others must. */
void model_record(struct model *m, uint32_t type, const uint8_t id[MN_ID_BYTES],
                  const mn_ops *ops, const mn_stamp *st, bool maybe);
/* A node's store was lost (or replaced by an older copy): writes that no
 * other store holds become maybe-writes. durable[] must be current. */
void model_store_lost(struct sim *s, int lost);
/* Writes recorded so far (definite ones). */
size_t model_count(const struct model *m);
/* Every field of every entity on node i against the model: each field
 * holds the last-writer-wins winner by (HLC, origin) of the writes made
 * to it (a maybe-write may win), never a value nobody wrote, and no
 * definite write is missing. */
bool model_check(struct sim *s, int i);
/* No log of node i holds a private part of a change to an erased
 * participant's record or one that names her. */
bool model_check_erased(struct sim *s, int i);
/* A recorded entity and its home, chosen at random (mostly a hot one);
 * false when there is none yet. */
bool model_pick(struct model *m, uint8_t id[MN_ID_BYTES], int *home);
void model_add_entity(struct model *m, const uint8_t id[MN_ID_BYTES], int home);
/* Participant id moved to home (a transfer acknowledged). */
void model_set_home(struct model *m, const uint8_t id[MN_ID_BYTES], int home);

/* ---- workload.c ---- */

/* One write step: a create, a patch, several nodes patching one hot
 * entity at once, or a bulk write. */
void do_writes(struct sim *s, unsigned long long seed);
/* Node i writes ws[0..n) in one group; the acknowledged ones go into the
 * model. */
void sim_write_group(struct sim *s, int i, mn_write *ws, size_t n);

/* ---- pships.c ---- */

/* One partnership action or transfer on a random node. */
void do_pship(struct sim *s);
/* The slot and lifecycle invariants on node i (fail() when broken). */
bool pships_hold(struct sim *s, int i);
/* Node i's store was replaced: its states may go back to an older copy. */
void pships_forget(struct sim *s, int i);
/* Random valid ops for a participant; create ones or a patch by node
 * `writer` of an entity homed at `home`. */
void random_ops(mn_ops *ops, bool create, int writer, int home);

/* ---- faults.c ---- */

void partition(struct sim *s);
void crash_or_restart(struct sim *s);
void clock_fault(struct sim *s);
/* Before healing: the clocks that stay wrong, and how far time moves. */
uint64_t clocks_at_heal(struct sim *s);

/* ---- hostile.c ---- */

struct hostile *hostile_new(void);
void hostile_destroy(struct hostile **h);
/* One hostile act of the sixth division. */
void hostile_act(struct sim *s);
/* Bytes an honest node sent the rogue. */
void hostile_receive(struct sim *s, const struct msg *m);
/* After healing: refusals were counted where something was refused. */
bool hostile_check(struct sim *s);

#endif
