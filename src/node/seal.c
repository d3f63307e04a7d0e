/* seal — placeholder until compartments land: values pass through. */
#include "node/seal.h"

#include <stdlib.h>
#include <string.h>

static void
copy_value(const mn_value *src, mn_value *dst) {
    *dst = *src;
    if (src->kind == MN_V_STR) {
        dst->s = malloc(src->len + 1);
        if (!dst->s)
            abort();
        memcpy(dst->s, src->s, src->len + 1);
    }
}

int
mn_node_seal(mn_node *node, uint32_t to, uint32_t type,
             const uint8_t id[MN_ID_BYTES], uint32_t no, const mn_value *clear,
             mn_value *sealed) {
    (void)node, (void)to, (void)type, (void)id, (void)no;
    copy_value(clear, sealed);
    return MN_OK;
}

int
mn_node_unseal(mn_node *node, uint32_t type, const uint8_t id[MN_ID_BYTES],
               uint32_t no, const mn_value *sealed, mn_value *clear) {
    (void)node, (void)type, (void)id, (void)no;
    copy_value(sealed, clear);
    return MN_OK;
}

void
mn_node_unseal_entity(mn_node *node, const mn_entity *src, mn_entity *dst) {
    (void)node;
    mn_entity_copy(dst, src);
}

void
mn_value_release(mn_value *v) {
    if (v->kind == MN_V_STR)
        free(v->s);
    v->s = NULL;
    v->kind = MN_V_NONE;
}
