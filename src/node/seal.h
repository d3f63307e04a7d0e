/*
 * seal — compartments (README "Compartments"): a participant's personal
 * and special values are sealed to the division that owns her record, so
 * every other node stores and relays bytes it cannot open.
 *
 *   sealed value = "~1" base64url(sender u8, nonce[24], XChaCha20-Poly1305
 *                  ciphertext + tag) under the pair key of (sender,
 *                  recipient), with (type, id, field, recipient) as
 *                  associated data, so a value cannot be moved to another
 *                  record, field or division.
 *
 * Every node holds the same sealed strings (state, digests and conflicts
 * stay functions of the replicated changes); only the recipient opens them.
 */
#ifndef MN_NODE_SEAL_H
#define MN_NODE_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/node.h"
#include "state/entity.h"

/* Seal clear (MN_V_INT or MN_V_STR) of field no of entity (type, id) to
 * division to. OUT: sealed, a MN_V_STR the caller frees with
 * mn_value_release. */
int mn_node_seal(mn_node *node, uint32_t to, uint32_t type,
                 const uint8_t id[MN_ID_BYTES], uint32_t no,
                 const mn_value *clear, mn_value *sealed) MN_MUST_CHECK;

/* Open a sealed value of field no of (type, id). OUT: clear, freed with
 * mn_value_release. MN_EAUTH when it is not sealed to this node's division
 * or does not open. */
int mn_node_unseal(mn_node *node, uint32_t type, const uint8_t id[MN_ID_BYTES],
                   uint32_t no, const mn_value *sealed,
                   mn_value *clear) MN_MUST_CHECK;

/* dst = src with every sealed value this node opens replaced by its clear
 * value, and every sealed value it cannot open removed. dst must be
 * released (or fresh). */
void mn_node_unseal_entity(mn_node *node, const mn_entity *src, mn_entity *dst);

void mn_value_release(mn_value *v);

#endif
