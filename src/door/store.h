/*
 * store — the project's only door to LMDB. One environment per node with
 * these named databases:
 *
 *   log       (origin be32, seq be64) -> Change bytes, exactly as signed
 *   sigs      (origin be32, seq be64) -> ChainSignature bytes
 *   entities  (type u8, id[16])       -> EntityState bytes
 *   index     (tag u8, value, id[16]) -> empty; secondary indexes
 *   stats     (tag u8, ...)           -> be64 count
 *   meta      string key              -> value (identity, vector, HLC,
 *                                        chain heads, digest, schema, tokens)
 *   conflicts (type u8, id[16], field be32, hlc be64, origin be32, seq be64)
 *                                     -> value (kind u8, bytes); a field's
 *                                        values concurrent with its winner
 *                                        (state/conflicts.h)
 *
 * One write transaction at a time (LMDB's rule); any number of readers.
 * A value returned by a get or a cursor points into the map and is valid only
 * until its transaction ends (LMDB's rule, restated here). Error codes are
 * mapped: not found -> MN_ENOTFOUND, map full -> MN_EFULL, corruption ->
 * MN_ECORRUPT, anything else -> MN_EIO.
 */
#ifndef MN_STORE_H
#define MN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

enum mn_db {
    MN_DB_LOG,
    MN_DB_SIGS,
    MN_DB_ENTITIES,
    MN_DB_INDEX,
    MN_DB_STATS,
    MN_DB_META,
    MN_DB_CONFLICTS,
    MN_DB_PRIVATE, /* change/log.h: changes that hold a private part */
    MN_DB_COUNT
};

typedef struct mn_store mn_store;
typedef struct mn_txn mn_txn;
typedef struct mn_cursor mn_cursor;

typedef struct mn_val {
    const void *p;
    size_t n;
} mn_val;

/*
 * Open (creating if needed) the environment in dir with the given map size
 * (grown to the file's size when the file is larger). sync false trades
 * durability of the last commits for speed. Clears stale reader slots.
 * On failure err holds a message naming the problem.
 */
int mn_store_open(const char *dir, uint64_t map_size, bool sync, mn_store **out,
                  char *err, size_t errlen);
void mn_store_destroy(mn_store **self_p);

/* Bytes in use (last page) and the map size. */
void mn_store_size(mn_store *s, uint64_t *used, uint64_t *map);

/* Number of entries in db (as of the last commit). */
uint64_t mn_store_entries(mn_store *s, enum mn_db db);

/* Write a compact, consistent copy of the store to the file path (hot). */
int mn_store_backup(mn_store *s, const char *path);
/* The same, to an open file descriptor (left open, at its end). */
int mn_store_backup_fd(mn_store *s, int fd);
/* A backup to path whose meta database also holds key = "1" (so a store
 * restored from it knows it was). */
int mn_store_backup_marked(mn_store *s, const char *path, const char *key);

/* Begin a transaction; write transactions serialise. */
int mn_store_begin(mn_store *s, bool write, mn_txn **out) MN_MUST_CHECK;
/* Commit (durable if sync); the txn is freed whatever the result. */
int mn_txn_commit(mn_txn **txn_p) MN_MUST_CHECK;
/* Abort and free; safe on NULL. */
void mn_txn_abort(mn_txn **txn_p);

int mn_txn_get(mn_txn *t, enum mn_db db, const void *k, size_t kn, mn_val *out);
/* flags: MN_PUT_NEW fails with MN_EEXIST if the key exists. */
#define MN_PUT_NEW 1u
int mn_txn_put(mn_txn *t, enum mn_db db, const void *k, size_t kn,
               const void *v, size_t vn, unsigned flags);
/* MN_ENOTFOUND when absent. */
int mn_txn_del(mn_txn *t, enum mn_db db, const void *k, size_t kn);

/* Cursors live inside their transaction and must be closed before it ends. */
int mn_cursor_open(mn_txn *t, enum mn_db db, mn_cursor **out);
void mn_cursor_close(mn_cursor **c_p);
/* Position at the first key >= k (k NULL: the first key). */
int mn_cursor_seek(mn_cursor *c, const void *k, size_t kn, mn_val *key,
                   mn_val *val);
int mn_cursor_next(mn_cursor *c, mn_val *key, mn_val *val);
/* Position at the last key < k (k NULL: the last key). */
int mn_cursor_seek_before(mn_cursor *c, const void *k, size_t kn, mn_val *key,
                          mn_val *val);

#endif
