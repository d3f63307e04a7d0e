/*
 * store — see store.h. The environment is opened with MDB_NOTLS so read
 * transactions are not tied to a thread (the HTTP server hands connections
 * between threads), and MDB_NOSYNC only when the config asks for it.
 */
#include "door/store.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"

struct mn_store {
    MDB_env *env;
    MDB_dbi dbi[MN_DB_COUNT];
};

struct mn_txn {
    MDB_txn *txn;
    mn_store *store;
};

struct mn_cursor {
    MDB_cursor *cur;
};

static const char *const db_names[MN_DB_COUNT] = {
    "log", "sigs", "entities", "index", "stats", "meta", "conflicts", "private",
};

static int
map_err(int rc) {
    switch (rc) {
    case MDB_SUCCESS: return MN_OK;
    case MDB_NOTFOUND: return MN_ENOTFOUND;
    case MDB_KEYEXIST: return MN_EEXIST;
    case MDB_MAP_FULL: return MN_EFULL;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH: return MN_ECORRUPT;
    case ENOMEM: return MN_ENOMEM;
    default: return MN_EIO;
    }
}

static int
open_dbis(mn_store *s) {
    MDB_txn *txn = NULL; /* mdb_txn_begin sets it only on success */
    int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    for (int i = 0; rc == MDB_SUCCESS && i < MN_DB_COUNT; i++)
        rc = mdb_dbi_open(txn, db_names[i], MDB_CREATE, &s->dbi[i]);
    if (rc != MDB_SUCCESS) {
        if (txn)
            mdb_txn_abort(txn);
        return rc;
    }
    return mdb_txn_commit(txn);
}

/* A data file shorter than the pages its meta page counts was truncated:
 * reading those pages through the map would raise SIGBUS. OUT: the file's
 * size and the size its pages need. */
static int
check_file_size(MDB_env *env, uint64_t *have, uint64_t *need) {
    MDB_envinfo info;
    MDB_stat st;
    mdb_filehandle_t fd;
    struct stat fs;
    int rc = mdb_env_info(env, &info);
    if (rc == MDB_SUCCESS)
        rc = mdb_env_stat(env, &st);
    if (rc == MDB_SUCCESS)
        rc = mdb_env_get_fd(env, &fd);
    if (rc == MDB_SUCCESS && fstat(fd, &fs) != 0)
        rc = errno;
    if (rc != MDB_SUCCESS)
        return rc;
    *have = (uint64_t)fs.st_size;
    *need = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
    return *have < *need ? MDB_CORRUPTED : MDB_SUCCESS;
}

int
mn_store_open(const char *dir, uint64_t map_size, bool sync, mn_store **out,
              char *err, size_t errlen) {
    mn_store *s = mn_calloc(1, sizeof *s);
    int dead = 0;
    uint64_t have = 0, need = 0;
    int rc = mkdir(dir, 0700);
    if (rc != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot create: %s", dir, strerror(errno));
        free(s);
        return MN_EIO;
    }
    rc = mdb_env_create(&s->env);
    if (rc == MDB_SUCCESS)
        rc = mdb_env_set_maxdbs(s->env, MN_DB_COUNT);
    if (rc == MDB_SUCCESS)
        rc = mdb_env_set_mapsize(s->env, (size_t)map_size);
    if (rc == MDB_SUCCESS)
        rc = mdb_env_set_maxreaders(s->env, 512);
    if (rc == MDB_SUCCESS)
        rc = mdb_env_open(s->env, dir, MDB_NOTLS | (sync ? 0 : MDB_NOSYNC),
                          0600);
    if (rc == MDB_SUCCESS)
        rc = check_file_size(s->env, &have, &need);
    if (rc == MDB_SUCCESS)
        rc = mdb_reader_check(s->env, &dead);
    if (rc == MDB_SUCCESS)
        rc = open_dbis(s);
    if (rc != MDB_SUCCESS) {
        char what[128];
        if (have < need)
            snprintf(what, sizeof what,
                     "data.mdb is truncated (%llu bytes; its pages need %llu)",
                     (unsigned long long)have, (unsigned long long)need);
        else
            snprintf(what, sizeof what, "%s", mdb_strerror(rc));
        snprintf(err, errlen, "%s: cannot open the store: %s%s", dir, what,
                 map_err(rc) == MN_ECORRUPT
                     ? " (the data file is damaged; restore a backup or "
                       "rebuild this node from its peers)"
                     : "");
        mdb_env_close(s->env);
        free(s);
        return map_err(rc);
    }
    if (dead)
        mn_warn("store: cleared %d stale reader slot(s)", dead);
    *out = s;
    return MN_OK;
}

void
mn_store_destroy(mn_store **self_p) {
    mn_store *s = *self_p;
    if (!s)
        return;
    mdb_env_close(s->env);
    free(s);
    *self_p = NULL;
}

void
mn_store_size(mn_store *s, uint64_t *used, uint64_t *map) {
    MDB_envinfo info;
    MDB_stat st;
    mdb_env_info(s->env, &info);
    mdb_env_stat(s->env, &st);
    *used = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
    *map = info.me_mapsize;
}

uint64_t
mn_store_entries(mn_store *s, enum mn_db db) {
    MDB_txn *txn;
    MDB_stat st;
    uint64_t n = 0;
    if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn) != MDB_SUCCESS)
        return 0;
    if (mdb_stat(txn, s->dbi[db], &st) == MDB_SUCCESS)
        n = st.ms_entries;
    mdb_txn_abort(txn);
    return n;
}

int
mn_store_backup_fd(mn_store *s, int fd) {
    return map_err(mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT));
}

/* Put meta key = "1" into the single-file store at path. */
static int
mark_copy(const char *path, const char *key) {
    MDB_env *env;
    MDB_txn *txn = NULL;
    MDB_dbi dbi;
    char lock[4096];
    int rc = mdb_env_create(&env);
    if (rc != MDB_SUCCESS)
        return map_err(rc);
    rc = mdb_env_set_maxdbs(env, MN_DB_COUNT);
    if (rc == MDB_SUCCESS)
        rc = mdb_env_open(env, path, MDB_NOSUBDIR, 0600);
    if (rc == MDB_SUCCESS)
        rc = mdb_txn_begin(env, NULL, 0, &txn);
    if (rc == MDB_SUCCESS)
        rc = mdb_dbi_open(txn, db_names[MN_DB_META], MDB_CREATE, &dbi);
    if (rc == MDB_SUCCESS) {
        MDB_val k = {strlen(key), (void *)key}, v = {1, (void *)"1"};
        rc = mdb_put(txn, dbi, &k, &v, 0);
    }
    if (rc == MDB_SUCCESS)
        rc = mdb_txn_commit(txn);
    else if (txn)
        mdb_txn_abort(txn);
    mdb_env_close(env);
    snprintf(lock, sizeof lock, "%s-lock", path);
    unlink(lock);
    return map_err(rc);
}

int
mn_store_backup_marked(mn_store *s, const char *path, const char *key) {
    int rc = mn_store_backup(s, path);
    if (rc == MN_OK && (rc = mark_copy(path, key)) != MN_OK)
        unlink(path);
    return rc;
}

int
mn_store_backup(mn_store *s, const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EEXIST ? MN_EEXIST : MN_EIO;
    int rc = map_err(mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT));
    if (rc == MN_OK && fsync(fd) != 0)
        rc = MN_EIO;
    if (close(fd) != 0)
        rc = MN_EIO;
    if (rc != MN_OK)
        unlink(path);
    return rc;
}

int
mn_store_begin(mn_store *s, bool write, mn_txn **out) {
    MDB_txn *txn;
    int rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &txn);
    if (rc != MDB_SUCCESS)
        return map_err(rc);
    mn_txn *t = mn_malloc(sizeof *t);
    t->txn = txn;
    t->store = s;
    *out = t;
    return MN_OK;
}

int
mn_txn_commit(mn_txn **txn_p) {
    mn_txn *t = *txn_p;
    int rc = mdb_txn_commit(t->txn);
    free(t);
    *txn_p = NULL;
    return map_err(rc);
}

void
mn_txn_abort(mn_txn **txn_p) {
    mn_txn *t = *txn_p;
    if (!t)
        return;
    mdb_txn_abort(t->txn);
    free(t);
    *txn_p = NULL;
}

int
mn_txn_get(mn_txn *t, enum mn_db db, const void *k, size_t kn, mn_val *out) {
    MDB_val key = {kn, (void *)k}, val;
    int rc = mdb_get(t->txn, t->store->dbi[db], &key, &val);
    if (rc == MDB_SUCCESS) {
        out->p = val.mv_data;
        out->n = val.mv_size;
    }
    return map_err(rc);
}

int
mn_txn_put(mn_txn *t, enum mn_db db, const void *k, size_t kn, const void *v,
           size_t vn, unsigned flags) {
    MDB_val key = {kn, (void *)k}, val = {vn, (void *)v};
    unsigned mflags = (flags & MN_PUT_NEW) ? MDB_NOOVERWRITE : 0;
    return map_err(mdb_put(t->txn, t->store->dbi[db], &key, &val, mflags));
}

int
mn_txn_del(mn_txn *t, enum mn_db db, const void *k, size_t kn) {
    MDB_val key = {kn, (void *)k};
    return map_err(mdb_del(t->txn, t->store->dbi[db], &key, NULL));
}

int
mn_cursor_open(mn_txn *t, enum mn_db db, mn_cursor **out) {
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, t->store->dbi[db], &cur);
    if (rc != MDB_SUCCESS)
        return map_err(rc);
    *out = mn_malloc(sizeof **out);
    (*out)->cur = cur;
    return MN_OK;
}

void
mn_cursor_close(mn_cursor **c_p) {
    if (!*c_p)
        return;
    mdb_cursor_close((*c_p)->cur);
    free(*c_p);
    *c_p = NULL;
}

static int
cursor_get(mn_cursor *c, MDB_val *key, MDB_cursor_op op, mn_val *k_out,
           mn_val *v_out) {
    MDB_val val;
    int rc = mdb_cursor_get(c->cur, key, &val, op);
    if (rc == MDB_SUCCESS) {
        if (k_out)
            *k_out = (mn_val){key->mv_data, key->mv_size};
        if (v_out)
            *v_out = (mn_val){val.mv_data, val.mv_size};
    }
    return map_err(rc);
}

int
mn_cursor_seek(mn_cursor *c, const void *k, size_t kn, mn_val *key,
               mn_val *val) {
    MDB_val mk = {kn, (void *)k};
    return cursor_get(c, &mk, k ? MDB_SET_RANGE : MDB_FIRST, key, val);
}

int
mn_cursor_next(mn_cursor *c, mn_val *key, mn_val *val) {
    MDB_val mk = {0, NULL};
    return cursor_get(c, &mk, MDB_NEXT, key, val);
}

int
mn_cursor_seek_before(mn_cursor *c, const void *k, size_t kn, mn_val *key,
                      mn_val *val) {
    MDB_val mk = {kn, (void *)k};
    if (!k)
        return cursor_get(c, &mk, MDB_LAST, key, val);
    int rc = cursor_get(c, &mk, MDB_SET_RANGE, NULL, NULL);
    if (rc == MN_ENOTFOUND)
        return cursor_get(c, &mk, MDB_LAST, key, val);
    if (rc != MN_OK)
        return rc;
    return cursor_get(c, &mk, MDB_PREV, key, val);
}
