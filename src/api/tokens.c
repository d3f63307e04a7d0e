/*
 * tokens — see tokens.h. The table is an array in id order (the meta
 * database's order), replaced whole under the write lock after every
 * create or revoke; requests read it under the read lock.
 */
#include "api/tokens.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

#define PREFIX "token/"
#define PREFIX_LEN (sizeof PREFIX - 1)
#define REC_FORMAT 1
#define REC_HEAD (4 + 4 + 8 + MN_HASH_BYTES)
#define SECRET_BYTES 32
#define ADMIN_HEX 64 /* the bootstrap token: 64 hex digits (auth.c) */

struct mn_tokens {
    mn_store *store;
    uint8_t admin_hash[MN_HASH_BYTES];
    pthread_rwlock_t lock;
    mn_token *v; /* in id order */
    size_t n;
};

static const char *const role_names[] = {
    [MN_API_ADMIN] = "admin",
    [MN_API_COORDINATOR] = "coordinator",
    [MN_API_NATIONAL] = "national",
};

const char *
mn_tokens_role_name(mn_api_role role) {
    return (size_t)role < MN_ARRAY_LEN(role_names) ? role_names[role] : "?";
}

int
mn_tokens_role_parse(const char *z) {
    for (size_t i = 0; z && i < MN_ARRAY_LEN(role_names); i++)
        if (strcmp(z, role_names[i]) == 0)
            return (int)i;
    return -1;
}

bool
mn_tokens_name_ok(const char *z) {
    size_t n = z ? strlen(z) : 0;
    if (n == 0 || n > MN_TOKEN_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)z[i];
        if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\')
            return false;
    }
    return true;
}

/* ---- records ---------------------------------------------------------- */

static size_t
encode(const mn_token *t, uint8_t out[REC_HEAD + MN_TOKEN_NAME_MAX]) {
    size_t n = strlen(t->name);
    out[0] = REC_FORMAT;
    out[1] = (uint8_t)t->role;
    out[2] = t->revoked;
    out[3] = (uint8_t)n;
    mn_put_be32(out + 4, t->division);
    mn_put_be64(out + 8, t->created_ms);
    memcpy(out + 16, t->hash, MN_HASH_BYTES);
    memcpy(out + REC_HEAD, t->name, n);
    return REC_HEAD + n;
}

/* One record into t; false when it does not parse. */
static bool
decode(const mn_val *k, const mn_val *v, mn_token *t) {
    const uint8_t *p = v->p;
    if (k->n != PREFIX_LEN + MN_TOKEN_ID_HEX || v->n < REC_HEAD ||
        p[0] != REC_FORMAT || p[1] >= MN_ARRAY_LEN(role_names) || p[2] > 1 ||
        p[3] == 0 || p[3] > MN_TOKEN_NAME_MAX ||
        v->n != REC_HEAD + (size_t)p[3])
        return false;
    memset(t, 0, sizeof *t);
    memcpy(t->id, (const char *)k->p + PREFIX_LEN, MN_TOKEN_ID_HEX);
    t->role = (mn_api_role)p[1];
    t->revoked = p[2];
    t->division = mn_get_be32(p + 4);
    t->created_ms = mn_get_be64(p + 8);
    memcpy(t->hash, p + 16, MN_HASH_BYTES);
    memcpy(t->name, p + REC_HEAD, p[3]);
    return mn_tokens_name_ok(t->name);
}

/* Every record of t's meta database into a new array. */
static int
read_all(mn_txn *t, mn_token **out, size_t *n) {
    mn_cursor *cur = NULL;
    mn_val k, v;
    mn_token *arr = mn_calloc(MN_TOKENS_MAX, sizeof *arr);
    size_t got = 0;
    int rc = mn_cursor_open(t, MN_DB_META, &cur);
    for (rc = rc ? rc : mn_cursor_seek(cur, PREFIX, PREFIX_LEN, &k, &v);
         rc == MN_OK && got < MN_TOKENS_MAX && k.n >= PREFIX_LEN &&
         memcmp(k.p, PREFIX, PREFIX_LEN) == 0;
         rc = mn_cursor_next(cur, &k, &v)) {
        if (decode(&k, &v, &arr[got]))
            got++;
        else
            mn_warn("tokens: a malformed token record is ignored");
    }
    mn_cursor_close(&cur);
    if (rc != MN_OK && rc != MN_ENOTFOUND) {
        free(arr);
        return rc;
    }
    *out = arr;
    *n = got;
    return MN_OK;
}

/* Read the table again from the store and swap it in. */
static int
reload(mn_tokens *tk) {
    mn_txn *t;
    mn_token *v = NULL;
    size_t n = 0;
    int rc = mn_store_begin(tk->store, false, &t);
    if (rc != MN_OK)
        return rc;
    rc = read_all(t, &v, &n);
    mn_txn_abort(&t);
    if (rc != MN_OK)
        return rc;
    pthread_rwlock_wrlock(&tk->lock);
    mn_token *old = tk->v;
    tk->v = v;
    tk->n = n;
    pthread_rwlock_unlock(&tk->lock);
    free(old);
    return MN_OK;
}

/* Put t's record in a write transaction of its own, committed. */
static int
store_put(mn_tokens *tk, const mn_token *t) {
    uint8_t rec[REC_HEAD + MN_TOKEN_NAME_MAX];
    char key[PREFIX_LEN + MN_TOKEN_ID_HEX];
    mn_txn *txn;
    memcpy(key, PREFIX, PREFIX_LEN);
    memcpy(key + PREFIX_LEN, t->id, MN_TOKEN_ID_HEX);
    int rc = mn_store_begin(tk->store, true, &txn);
    if (rc != MN_OK)
        return rc;
    rc = mn_txn_put(txn, MN_DB_META, key, sizeof key, rec, encode(t, rec), 0);
    if (rc != MN_OK) {
        mn_txn_abort(&txn);
        return rc;
    }
    rc = mn_txn_commit(&txn);
    return rc == MN_OK ? reload(tk) : rc;
}

/* ---- the table -------------------------------------------------------- */

int
mn_tokens_new(mn_store *s, const uint8_t admin_hash[MN_HASH_BYTES],
              mn_tokens **out) {
    mn_tokens *tk = mn_calloc(1, sizeof *tk);
    tk->store = s;
    memcpy(tk->admin_hash, admin_hash, MN_HASH_BYTES);
    pthread_rwlock_init(&tk->lock, NULL);
    int rc = reload(tk);
    if (rc != MN_OK) {
        mn_tokens_destroy(&tk);
        return rc;
    }
    *out = tk;
    return MN_OK;
}

void
mn_tokens_destroy(mn_tokens **self_p) {
    mn_tokens *tk = *self_p;
    if (!tk)
        return;
    pthread_rwlock_destroy(&tk->lock);
    free(tk->v);
    free(tk);
    *self_p = NULL;
}

static void
admin_caller(mn_api_caller *who) {
    memset(who, 0, sizeof *who);
    who->role = MN_API_ADMIN;
    memcpy(who->name, "admin.token", sizeof "admin.token");
}

/* The token "<id>.<secret>" in the table, not revoked, hashed h. */
static bool
find_token(mn_tokens *tk, const char *text, const uint8_t h[MN_HASH_BYTES],
           mn_api_caller *who) {
    bool found = false;
    pthread_rwlock_rdlock(&tk->lock);
    for (size_t i = 0; i < tk->n && !found; i++) {
        const mn_token *t = &tk->v[i];
        if (memcmp(t->id, text, MN_TOKEN_ID_HEX) != 0 || t->revoked ||
            !mn_crypto_equal(t->hash, h, MN_HASH_BYTES))
            continue;
        found = true;
        who->role = t->role;
        who->division = t->division;
        memcpy(who->token_id, t->id, sizeof who->token_id);
        memcpy(who->name, t->name, sizeof who->name);
    }
    pthread_rwlock_unlock(&tk->lock);
    return found;
}

bool
mn_tokens_identify(mn_tokens *tk, const char *header, mn_api_caller *who) {
    static const char prefix[] = "Bearer ";
    uint8_t h[MN_HASH_BYTES];
    if (!header || strncmp(header, prefix, sizeof prefix - 1) != 0)
        return false;
    const char *text = header + sizeof prefix - 1;
    size_t n = strlen(text);
    if (n != ADMIN_HEX && n != MN_TOKEN_TEXT - 1)
        return false;
    mn_crypto_hash2(text, n, NULL, 0, h);
    if (n == ADMIN_HEX) {
        bool ok = mn_crypto_equal(h, tk->admin_hash, MN_HASH_BYTES);
        if (ok)
            admin_caller(who);
        return ok;
    }
    memset(who, 0, sizeof *who);
    return text[MN_TOKEN_ID_HEX] == '.' && find_token(tk, text, h, who);
}

/* Make a new token's id, secret and hash. */
static void
make_secret(mn_token *t, char text[MN_TOKEN_TEXT]) {
    uint8_t raw[MN_TOKEN_ID_HEX / 2 + SECRET_BYTES];
    mn_crypto_random(raw, sizeof raw);
    mn_hex_encode(raw, MN_TOKEN_ID_HEX / 2, t->id);
    memcpy(text, t->id, MN_TOKEN_ID_HEX);
    text[MN_TOKEN_ID_HEX] = '.';
    mn_hex_encode(raw + MN_TOKEN_ID_HEX / 2, SECRET_BYTES,
                  text + MN_TOKEN_ID_HEX + 1);
    mn_crypto_hash2(text, MN_TOKEN_TEXT - 1, NULL, 0, t->hash);
    mn_crypto_wipe(raw, sizeof raw);
}

int
mn_tokens_create(mn_tokens *tk, mn_api_role role, uint32_t division,
                 const char *name, mn_token *out, char text[MN_TOKEN_TEXT]) {
    mn_token t = {.role = role, .created_ms = mn_wall_ms()};
    if (!mn_tokens_name_ok(name) || (size_t)role >= MN_ARRAY_LEN(role_names))
        return MN_EINVAL;
    pthread_rwlock_rdlock(&tk->lock);
    size_t n = tk->n;
    pthread_rwlock_unlock(&tk->lock);
    if (n >= MN_TOKENS_MAX)
        return MN_ETOOBIG;
    t.division = role == MN_API_COORDINATOR ? division : 0;
    memcpy(t.name, name, strlen(name) + 1);
    make_secret(&t, text);
    int rc = store_put(tk, &t);
    if (rc != MN_OK)
        mn_crypto_wipe(text, MN_TOKEN_TEXT);
    else
        *out = t;
    return rc;
}

/* The record of token id, copied. */
static bool
lookup(mn_tokens *tk, const char *id, mn_token *out) {
    bool found = false;
    pthread_rwlock_rdlock(&tk->lock);
    for (size_t i = 0; i < tk->n && !found; i++)
        if (strcmp(tk->v[i].id, id) == 0) {
            *out = tk->v[i];
            found = true;
        }
    pthread_rwlock_unlock(&tk->lock);
    return found;
}

int
mn_tokens_revoke(mn_tokens *tk, const char *id, mn_token *out) {
    if (!lookup(tk, id, out))
        return MN_ENOTFOUND;
    if (out->revoked)
        return MN_OK;
    out->revoked = true;
    return store_put(tk, out);
}

void
mn_tokens_list(mn_tokens *tk, mn_token **out, size_t *n) {
    pthread_rwlock_rdlock(&tk->lock);
    *n = tk->n;
    *out = mn_calloc(tk->n ? tk->n : 1, sizeof **out);
    if (tk->n)
        memcpy(*out, tk->v, tk->n * sizeof **out);
    pthread_rwlock_unlock(&tk->lock);
}
