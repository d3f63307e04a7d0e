/*
 * mentornet — public definitions shared by the daemon, the CLI, tests and
 * tools: error codes and the limits every client can rely on.
 *
 * Error codes are a stable contract: never renumber one; retire a code by
 * renaming it MN_EOBSOLETE<n> and keep its number reserved.
 */
#ifndef MENTORNET_H
#define MENTORNET_H

#define MN_OK 0
#define MN_EINVAL (-1)     /* malformed or invalid input */
#define MN_ENOMEM (-2)     /* out of memory (normally aborts) */
#define MN_ENOTFOUND (-3)  /* no such entity or key */
#define MN_EEXIST (-4)     /* already exists */
#define MN_EFULL (-5)      /* storage map is full; nothing was written */
#define MN_EIO (-6)        /* I/O or storage error */
#define MN_ECORRUPT (-7)   /* stored or received data is corrupt */
#define MN_ECRYPTO (-8)    /* signature or decryption failed */
#define MN_ETOOBIG (-9)    /* a size limit was exceeded */
#define MN_EAUTH (-10)     /* missing or wrong credentials */
#define MN_ECONFIG (-11)   /* bad configuration */
#define MN_EDRIFT (-12)    /* remote clock too far ahead */
#define MN_ECONFLICT (-13) /* request conflicts with current state */
#define MN_EGAP (-14)      /* a change arrived before its predecessors */
#define MN_ESHUTDOWN (-15) /* the node is shutting down */
#define MN_EAGAIN (-16)    /* not now: the node is catching up; retry later */
#define MN_EERASED (-17)   /* the record is erased, or names an erased one */

/* Division (node) ids are 1..MN_MAX_NODES. */
#define MN_MAX_NODES 64

/* The largest replication message a node accepts. */
#define MN_MAX_PEER_MSG (64u << 20)

/* The largest JSON body the API accepts, except bulk import. */
#define MN_MAX_BODY (64 * 1024)
/* The largest bulk import body (NDJSON, one participant per line). */
#define MN_MAX_IMPORT_BODY (16 * 1024 * 1024)

/* Return a static, human-readable message for an MN_E* code. */
const char *mn_strerror(int err);

#endif
