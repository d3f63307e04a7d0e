/*
 * keys — the node's secrets: its Ed25519 signing key
 * (<key_dir>/<name>.sign.secret) and the shared network key
 * (<key_dir>/network.key), read at open and wiped at close. Secret files
 * readable by others are refused. The CURVE keys are the replicator's.
 */
#include <limits.h>
#include <stdio.h>

#include "node/node_internal.h"

/* <key_dir>/<name><suffix> when suffix starts with '.', else
 * <key_dir>/<suffix> (a file every node shares). */
static int
key_path(char *out, size_t cap, const mn_config *cfg, const char *suffix) {
    int n = snprintf(out, cap, "%s/%s%s", cfg->key_dir,
                     suffix[0] == '.' ? cfg->self.name : "", suffix);
    return n > 0 && (size_t)n < cap ? MN_OK : MN_EINVAL;
}

static const char *
key_problem(int rc) {
    switch (rc) {
    case MN_EAUTH: return "secret key is readable by others (chmod 600)";
    case MN_EINVAL: return "not a valid key file";
    default: return "cannot read key";
    }
}

int
mn_node_keys_load(mn_node *node, char *err, size_t errlen) {
    char path[PATH_MAX + 64];
    static const char *const hint = "(run ops/keys, or mentornetd --keygen)";
    int rc = key_path(path, sizeof path, &node->cfg, ".sign.secret");
    if (rc == MN_OK)
        rc = mn_crypto_key_read(path, node->sign_sk, MN_SIGN_SECRET_BYTES, 1);
    if (rc == MN_OK)
        rc = key_path(path, sizeof path, &node->cfg, "network.key");
    if (rc == MN_OK)
        rc = mn_crypto_key_read(path, node->network_key, MN_KEY_BYTES, 1);
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
}
