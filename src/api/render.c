/*
 * render — JSON pieces several resources show the same way (resource.h):
 * version vectors by division name, division names, times, the digest.
 */
#include <stdio.h>

#include "api/resource.h"
#include "base/id.h"

json_t *
mn_api_vv_json(const mn_config *cfg, const mn_vv *vv) {
    json_t *o = json_object();
    char name[16];
    for (uint32_t i = 1; i <= MN_MAX_NODES; i++) {
        const mn_division *d = mn_config_division(cfg, i);
        if (!d && !vv->seq[i])
            continue;
        snprintf(name, sizeof name, "%u", i);
        json_object_set_new(o, d ? d->name : name,
                            json_integer((json_int_t)vv->seq[i]));
    }
    return o;
}

json_t *
mn_api_division_json(const mn_config *cfg, uint32_t id) {
    const mn_division *d = mn_config_division(cfg, id);
    return d ? json_string(d->name) : json_integer(id);
}

json_t *
mn_api_time_json(uint64_t ms) {
    char when[32];
    if (!ms)
        return json_null();
    mn_time_format(ms, when);
    return json_string(when);
}

int
mn_api_add_digest(mn_http *h, mn_txn *t, json_t *o) {
    uint8_t digest[MN_HASH_BYTES];
    char hex[2 * MN_HASH_BYTES + 1];
    mn_vv vv;
    int rc = mn_node_digest(t, digest, &vv);
    if (rc != MN_OK)
        return rc;
    mn_hex_encode(digest, MN_HASH_BYTES, hex);
    json_object_set_new(o, "digest", json_string(hex));
    json_object_set_new(o, "version_vector",
                        mn_api_vv_json(mn_node_config(h->node), &vv));
    return MN_OK;
}
