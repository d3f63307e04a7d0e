/*
 * render — JSON pieces several resources show the same way (resource.h):
 * version vectors (by division name: the changes held of all its
 * incarnations; and exactly, origin by origin), division names, times,
 * the digest.
 */
#include <stdio.h>

#include "api/resource.h"
#include "base/id.h"

json_t *
mn_api_vv_json(const mn_config *cfg, const mn_vv *vv) {
    /* In division order, so every node writes the same text for the same
     * vector (whose own division comes first in its config). */
    uint64_t held[256] = {0}; /* by the origin's 8-bit division */
    bool seen[256] = {false};
    json_t *o = json_object();
    char name[16];
    for (uint32_t i = 0; i < vv->n; i++) {
        uint32_t div = mn_origin_division(vv->e[i].origin) & 0xff;
        held[div] += vv->e[i].seq;
        seen[div] = true;
    }
    for (uint32_t div = 1; div < 256; div++) {
        const mn_division *d = mn_config_division(cfg, div);
        if (!d && !seen[div])
            continue;
        snprintf(name, sizeof name, "%u", div);
        json_object_set_new(o, d ? d->name : name,
                            json_integer((json_int_t)held[div]));
    }
    return o;
}

json_t *
mn_api_origin_json(const mn_config *cfg, uint32_t origin, uint64_t seq) {
    char inc[8];
    snprintf(inc, sizeof inc, "%06x", mn_origin_incarnation(origin));
    return json_pack("{s:o, s:s, s:I}", "division",
                     mn_api_division_json(cfg, mn_origin_division(origin)),
                     "incarnation", inc, "seq", (json_int_t)seq);
}

json_t *
mn_api_origins_json(const mn_config *cfg, const mn_vv *vv) {
    json_t *a = json_array();
    for (uint32_t i = 0; i < vv->n; i++)
        json_array_append_new(
            a, mn_api_origin_json(cfg, vv->e[i].origin, vv->e[i].seq));
    return a;
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
