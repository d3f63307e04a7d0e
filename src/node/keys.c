/*
 * keys — the node's secrets: its Ed25519 signing key
 * (<key_dir>/<name>.sign.secret), the shared network key
 * (<key_dir>/network.key) and its division's X25519 seal key
 * (<key_dir>/<name>.seal.secret), read at open and wiped at close. Secret
 * files readable by others are refused. The CURVE keys are the
 * replicator's.
 *
 * The seal secret is used only to derive, at open, one pair key per
 * configured division and direction (node_internal.h); it is wiped as soon
 * as they are made. Every division's <name>.seal.pub must be present, found
 * as the replicator finds the peers' .sign.pub files, and this division's
 * must match its secret, or the others would seal to a key it cannot use.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "node/node_internal.h"

/* <key_dir>/<name><suffix> when suffix starts with '.', else
 * <key_dir>/<suffix> (a file every node shares). */
static int
key_path(char *out, size_t cap, const mn_config *cfg, const char *name,
         const char *suffix) {
    int n = snprintf(out, cap, "%s/%s%s", cfg->key_dir,
                     suffix[0] == '.' ? name : "", suffix);
    return n > 0 && (size_t)n < cap ? MN_OK : MN_EINVAL;
}

static const char *
key_problem(int rc) {
    switch (rc) {
    case MN_EAUTH: return "secret key is readable by others (chmod 600)";
    case MN_EINVAL: return "not a valid key file";
    case MN_ECRYPTO: return "does not match this division's seal secret";
    default: return "cannot read key";
    }
}

/* Derive the pair keys of (self, d) in both directions from sk, the
 * division's seal secret, and self_pk, its public key. */
static int
pair_keys(mn_node *node, const mn_division *d, const uint8_t *sk,
          const uint8_t *self_pk, char *path, size_t cap) {
    uint8_t pk[MN_KEY_BYTES];
    int rc = key_path(path, cap, &node->cfg, d->name, ".seal.pub");
    if (rc == MN_OK)
        rc = mn_crypto_key_read(path, pk, sizeof pk, 0);
    if (rc == MN_OK && d->id == node->cfg.self.id &&
        !mn_crypto_equal(pk, self_pk, MN_KEY_BYTES))
        rc = MN_ECRYPTO;
    if (rc == MN_OK)
        rc = mn_crypto_pair_key(sk, pk, self_pk, pk, node->seal_to[d->id]);
    if (rc == MN_OK)
        rc = mn_crypto_pair_key(sk, pk, pk, self_pk, node->seal_from[d->id]);
    if (rc == MN_OK)
        node->has_seal[d->id] = true;
    return rc;
}

static int
seal_keys_load(mn_node *node, char *path, size_t cap) {
    uint8_t sk[MN_KEY_BYTES], self_pk[MN_KEY_BYTES];
    const mn_config *cfg = &node->cfg;
    int rc = key_path(path, cap, cfg, cfg->self.name, ".seal.secret");
    if (rc == MN_OK)
        rc = mn_crypto_key_read(path, sk, sizeof sk, 1);
    if (rc == MN_OK)
        mn_crypto_curve_public(sk, self_pk);
    for (size_t i = 0; rc == MN_OK && i < cfg->ndivisions; i++)
        rc = pair_keys(node, &cfg->divisions[i], sk, self_pk, path, cap);
    mn_crypto_wipe(sk, sizeof sk);
    return rc;
}

int
mn_node_keys_load(mn_node *node, char *err, size_t errlen) {
    char path[PATH_MAX + 64];
    static const char *const hint = "(run ops/keys, or mentornetd --keygen)";
    const mn_config *cfg = &node->cfg;
    int rc = key_path(path, sizeof path, cfg, cfg->self.name, ".sign.secret");
    if (rc == MN_OK)
        rc = mn_crypto_key_read(path, node->sign_sk, MN_SIGN_SECRET_BYTES, 1);
    if (rc == MN_OK)
        rc = key_path(path, sizeof path, cfg, "", "network.key");
    if (rc == MN_OK)
        rc = mn_crypto_key_read(path, node->network_key, MN_KEY_BYTES, 1);
    if (rc == MN_OK)
        rc = seal_keys_load(node, path, sizeof path);
    if (rc == MN_OK)
        return MN_OK;
    snprintf(err, errlen, "%s: %s %s", path, key_problem(rc), hint);
    mn_node_keys_wipe(node);
    return MN_ECONFIG;
}

void
mn_node_keys_wipe(mn_node *node) {
    mn_crypto_wipe(node->sign_sk, sizeof node->sign_sk);
    mn_crypto_wipe(node->network_key, sizeof node->network_key);
    mn_crypto_wipe(node->seal_to, sizeof node->seal_to);
    mn_crypto_wipe(node->seal_from, sizeof node->seal_from);
    memset(node->has_seal, 0, sizeof node->has_seal);
}
