/*
 * tokens — the node's bearer tokens beyond the bootstrap admin token
 * (auth.h): each carries a role (admin, coordinator, national), a
 * coordinator's division and a name, and is local to this node.
 *
 * A token is "<id>.<secret>": id 16 hex digits, shown in lists and in the
 * audit log; secret 64 hex digits (32 random bytes), shown once, at
 * creation. The store keeps only the BLAKE2b hash of the whole token, in
 * the meta database under "token/<id>" — meta is never replicated, so a
 * token works on the node that made it only.
 *
 *   "token/<id>"  u8 format (1), u8 role, u8 revoked, u8 name length n,
 *                 be32 division, be64 created ms, hash[32], name[n]
 *
 * Authentication reads only memory: the table is loaded at start and
 * after each create or revoke (which commit first), and read under a
 * read lock, so a request costs one hash and no transaction. A revoked
 * token stays listed (its name still explains the audit log) and is
 * never accepted again.
 *
 * Invariants: no secret is stored, logged or kept after creation; a
 * record that does not parse is never accepted (it is skipped with a
 * warning); names are 1..64 bytes of printable text without '"' or '\'.
 */
#ifndef MN_API_TOKENS_H
#define MN_API_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/resource.h"
#include "door/crypto.h"
#include "door/store.h"

#define MN_TOKEN_ID_HEX 16
#define MN_TOKEN_NAME_MAX 64
/* Tokens a node keeps, revoked ones included: a handful per division in
 * practice; the cap bounds the table every request scans. */
#define MN_TOKENS_MAX 1024
/* "<16 hex>.<64 hex>" and its NUL. */
#define MN_TOKEN_TEXT (MN_TOKEN_ID_HEX + 1 + 64 + 1)

typedef struct mn_token {
    char id[MN_TOKEN_ID_HEX + 1];
    mn_api_role role;
    uint32_t division; /* a coordinator's; 0 for the other roles */
    char name[MN_TOKEN_NAME_MAX + 1];
    uint64_t created_ms;
    bool revoked;
    uint8_t hash[MN_HASH_BYTES];
} mn_token;

typedef struct mn_tokens mn_tokens;

/* The tokens of store s (borrowed; must outlive the table), with the
 * admin token's hash (auth.h) accepted as the admin. OUT: *out, freed
 * with mn_tokens_destroy. MN_OK or a store error. */
int mn_tokens_new(mn_store *s, const uint8_t admin_hash[MN_HASH_BYTES],
                  mn_tokens **out);

/* Free the table; safe on NULL, nulls *self_p. */
void mn_tokens_destroy(mn_tokens **self_p);

/* Is the Authorization header value "Bearer <token>" for a token that is
 * not revoked (or the admin token)? OUT: who, when it is. */
bool mn_tokens_identify(mn_tokens *tk, const char *header, mn_api_caller *who);

/*
 * Create a token (committed before it returns) with role, division (a
 * coordinator's; ignored otherwise) and name (checked by
 * mn_tokens_name_ok). OUT: *out its record, text the token to show once
 * (the caller wipes it). MN_EINVAL on a bad name, MN_ETOOBIG when the
 * node holds MN_TOKENS_MAX tokens, or a store error.
 */
int mn_tokens_create(mn_tokens *tk, mn_api_role role, uint32_t division,
                     const char *name, mn_token *out, char text[MN_TOKEN_TEXT]);

/* Revoke token id (committed before it returns). OUT: *out its record.
 * MN_ENOTFOUND when no token has that id; revoking twice is MN_OK. */
int mn_tokens_revoke(mn_tokens *tk, const char *id, mn_token *out);

/* A copy of every token, in id order. OUT: *out (the caller frees it), *n.
 */
void mn_tokens_list(mn_tokens *tk, mn_token **out, size_t *n);

/* Is z a token name: 1..MN_TOKEN_NAME_MAX bytes, no control character,
 * no '"' or '\' (so it goes into the audit log's JSON as it is)? */
bool mn_tokens_name_ok(const char *z);

/* "admin", "coordinator" or "national"; mn_tokens_role_parse the reverse
 * (-1 when z names none). */
const char *mn_tokens_role_name(mn_api_role role);
int mn_tokens_role_parse(const char *z);

#endif
