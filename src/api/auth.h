/*
 * auth — the bootstrap admin token (the other tokens, by role, are
 * tokens.h's). The API creates the node's admin token when it first
 * starts and writes it to <data_dir>/admin.token (mode 0600); the store keeps
 * only its BLAKE2b hash (key "admin_token" of the meta database). Deleting the
 * file and restarting issues a new token and retires the old one.
 */
#ifndef MN_AUTH_H
#define MN_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "door/crypto.h"
#include "door/store.h"

/* Ensure an admin token exists (inside write txn t); OUT: its hash. */
int mn_auth_init(mn_txn *t, const char *data_dir,
                 uint8_t hash_out[MN_HASH_BYTES]);

/* mn_auth_init in a write transaction of its own on s, committed. */
int mn_auth_open(mn_store *s, const char *data_dir,
                 uint8_t hash_out[MN_HASH_BYTES]);

/* True when the Authorization header value is "Bearer <token>" for the
 * token whose hash is given. Constant time in the token's content. */
bool mn_auth_check(const uint8_t hash[MN_HASH_BYTES], const char *header);

#endif
