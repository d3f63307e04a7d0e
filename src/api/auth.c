/*
 * auth — see auth.h. Tokens are 32 random bytes shown as 64 hex chars.
 */
#include "api/auth.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"

#define TOKEN_BYTES 32
#define TOKEN_HEX (2 * TOKEN_BYTES)

static int
issue_token(mn_txn *t, const char *path, uint8_t hash_out[MN_HASH_BYTES]) {
    uint8_t raw[TOKEN_BYTES];
    char hex[TOKEN_HEX + 1];
    mn_crypto_random(raw, sizeof raw);
    mn_hex_encode(raw, sizeof raw, hex);
    mn_crypto_hash2(hex, TOKEN_HEX, NULL, 0, hash_out);
    int rc = mn_txn_put(t, MN_DB_META, "admin_token", 11, hash_out,
                        MN_HASH_BYTES, 0);
    if (rc == MN_OK)
        rc = mn_crypto_key_write(path, raw, sizeof raw, 0600);
    mn_crypto_wipe(raw, sizeof raw);
    mn_crypto_wipe(hex, sizeof hex);
    if (rc == MN_OK)
        mn_info("auth: issued a new admin token in %s", path);
    return rc;
}

int
mn_auth_init(mn_txn *t, const char *data_dir, uint8_t hash_out[MN_HASH_BYTES]) {
    char path[4096];
    mn_val v;
    snprintf(path, sizeof path, "%s/admin.token", data_dir);
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return issue_token(t, path, hash_out);
    int rc = mn_txn_get(t, MN_DB_META, "admin_token", 11, &v);
    if (rc == MN_OK && v.n != MN_HASH_BYTES)
        rc = MN_ECORRUPT;
    if (rc == MN_ENOTFOUND) {
        /* A token file without its hash (e.g. a restored store). */
        mn_warn("auth: %s is not known to this store; issuing a new one", path);
        if (unlink(path) != 0)
            return MN_EIO;
        return issue_token(t, path, hash_out);
    }
    if (rc == MN_OK)
        memcpy(hash_out, v.p, MN_HASH_BYTES);
    return rc;
}

int
mn_auth_open(mn_store *s, const char *data_dir,
             uint8_t hash_out[MN_HASH_BYTES]) {
    mn_txn *t;
    int rc = mn_store_begin(s, true, &t);
    if (rc != MN_OK)
        return rc;
    rc = mn_auth_init(t, data_dir, hash_out);
    if (rc == MN_OK)
        return mn_txn_commit(&t);
    mn_txn_abort(&t);
    return rc;
}

bool
mn_auth_check(const uint8_t hash[MN_HASH_BYTES], const char *header) {
    static const char prefix[] = "Bearer ";
    uint8_t h[MN_HASH_BYTES];
    if (!header || strncmp(header, prefix, sizeof prefix - 1) != 0)
        return false;
    const char *token = header + sizeof prefix - 1;
    if (strlen(token) != TOKEN_HEX)
        return false;
    mn_crypto_hash2(token, TOKEN_HEX, NULL, 0, h);
    return mn_crypto_equal(h, hash, MN_HASH_BYTES);
}
