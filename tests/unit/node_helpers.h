/*
 * node_helpers — what the unit tests that run real nodes of several
 * divisions share (owner_test, transfer_test): one temporary key directory
 * with a network key, and a node of division `self` in it, configured
 * with divisions 1..ndiv named d1..dN. Header-only, like unit_helpers.h.
 *
 * Include after <cmocka.h>: failures fail the running test.
 */
#ifndef MN_NODE_HELPERS_H
#define MN_NODE_HELPERS_H

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "door/crypto.h"
#include "node/node.h"
#include "node/seal.h"
#include "unit_helpers.h"

/* Make root (a mkdtemp template) and its network key. */
static inline void
unit_nodes_root(char *root) {
    char path[PATH_MAX + 64];
    uint8_t network_key[MN_KEY_BYTES];
    assert_int_equal(mn_crypto_init(), MN_OK);
    assert_non_null(mkdtemp(root));
    mn_crypto_random(network_key, sizeof network_key);
    snprintf(path, sizeof path, "%s/network.key", root);
    assert_int_equal(
        mn_crypto_key_write(path, network_key, sizeof network_key, 0600),
        MN_OK);
}

/* Open the node of division self (1..ndiv) with its data in root/d<self>
 * and a new signing key. OUT: *c (kept alive by the caller), *out. */
static inline void
unit_node_open(const char *root, uint32_t ndiv, uint32_t self, mn_config *c,
               mn_node **out) {
    char path[PATH_MAX + 64], err[512];
    uint8_t pk[MN_KEY_BYTES], sk[MN_SIGN_SECRET_BYTES];
    memset(c, 0, sizeof *c);
    for (uint32_t d = 1; d <= ndiv; d++) {
        c->divisions[d - 1].id = d;
        snprintf(c->divisions[d - 1].name, MN_NAME_MAX, "d%u", d);
    }
    c->ndivisions = ndiv;
    c->self = c->divisions[self - 1];
    snprintf(c->data_dir, sizeof c->data_dir, "%s/d%u", root, self);
    snprintf(c->key_dir, sizeof c->key_dir, "%s", root);
    c->map_size = 16 << 20;
    c->max_drift_ms = 300000;
    c->expire_days = 30;
    for (uint32_t d = 1; d <= ndiv; d++)
        unit_seal_keys(root, c->divisions[d - 1].name);
    mn_crypto_sign_keypair(pk, sk);
    snprintf(path, sizeof path, "%s/d%u.sign.secret", root, self);
    assert_int_equal(mn_crypto_key_write(path, sk, sizeof sk, 0600), MN_OK);
    if (mn_node_open(c, out, err, sizeof err) != MN_OK)
        fail_msg("open: %s", err);
}

/* Append op no = z to ops as a peer's change carries it: sealed by the
 * node as (its division) to division to, for field no of (type, id). */
static inline void
unit_add_sealed(mn_node *as, uint32_t to, uint32_t type,
                const uint8_t id[MN_ID_BYTES], uint32_t no, const char *z,
                mn_ops *ops) {
    mn_value clear = {.kind = MN_V_STR, .s = (char *)z, .len = strlen(z)};
    mn_value sealed;
    assert_int_equal(mn_node_seal(as, to, type, id, no, &clear, &sealed),
                     MN_OK);
    mn_ops_add_str(ops, no, sealed.s, sealed.len);
    mn_value_release(&sealed);
}

/* Open sealed string v of field no of (type, id) on node `at`; a copy the
 * caller frees, or NULL when it does not open there. */
static inline char *
unit_unseal_str(mn_node *at, uint32_t type, const uint8_t id[MN_ID_BYTES],
                uint32_t no, const mn_value *v) {
    mn_value clear;
    if (mn_node_unseal(at, type, id, no, v, &clear) != MN_OK)
        return NULL;
    char *z = clear.kind == MN_V_STR ? strdup(clear.s) : NULL;
    mn_value_release(&clear);
    return z;
}

#endif
