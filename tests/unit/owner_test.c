/*
 * owner_test — the ownership rule does not depend on arrival order
 * (DESIGN §9, state/kind.h). Division 1 creates a participant; division
 * 2 sends a forged create of the same id naming itself as her home. Two
 * real nodes (divisions 3 and 4) receive the two creates in opposite
 * orders through the node's apply path (the engine's checks of chains and
 * signatures are repl_test's and hostile_test's business). Both end with
 * the same digest, the real create applied and the forged one refused and
 * counted; a later owner-only patch from division 2 is refused on both
 * too, and so is a local write of an owner-only field of her on a node of
 * another division (the API's own rule).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "door/codec.h"
#include "door/crypto.h"
#include "node/node.h"
#include "node_helpers.h"
#include "state/participant.h"
#include "state/state.h"

#define NDIV 4

static char root[] = "/tmp/mn-owner-XXXXXX";
static mn_config cfg[NDIV + 1];
static mn_node *node[NDIV + 1];

/* A participant id made by division 1: byte 9 (the id's division byte,
 * base/id.h) is 1, the rest a UUIDv7 of some ms. */
static const uint8_t her_id[MN_ID_BYTES] = {0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00,
                                            0x70, 0x11, 0x80, 0x01, 0x22, 0x33,
                                            0x44, 0x55, 0x66, 0x77};

static void
open_node(uint32_t self) {
    unit_node_open(root, NDIV, self, &cfg[self], &node[self]);
}

static int
setup(void **state) {
    (void)state;
    unit_nodes_root(root);
    /* Divisions 1 and 2 only seal their changes' personal values (README
     * "Compartments"); 3 and 4 receive them. */
    for (uint32_t d = 1; d <= NDIV; d++)
        open_node(d);
    return 0;
}

static int
teardown(void **state) {
    char cmd[PATH_MAX + 16];
    (void)state;
    for (uint32_t d = 1; d <= NDIV; d++)
        mn_node_destroy(&node[d]);
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* Change seq of origin as the engine hands it to the node: the chain link
 * is the hash of the origin's previous change (zeros before the first). */
static void
make_change(mn_remote_change *c, uint32_t origin, uint64_t seq,
            const uint8_t prev[MN_HASH_BYTES], const char *raw) {
    memset(c, 0, sizeof *c);
    c->h.origin = origin;
    c->h.seq = seq;
    c->h.hlc = (uint64_t)(1700000000000ull + seq) << 16;
    c->h.key_id = 1;
    memcpy(c->h.prev_hash, prev, MN_HASH_BYTES);
    c->raw = (mn_bytes){(const uint8_t *)raw, strlen(raw)};
    mn_crypto_hash2(c->raw.p, c->raw.n, NULL, 0, c->hash);
    c->type = MN_ENTITY_PARTICIPANT;
    memcpy(c->id, her_id, MN_ID_BYTES);
    mn_ops_init(&c->ops);
}

/* Add op no = z to c, sealed by division from to division to. */
static void
sealed(mn_remote_change *c, uint32_t from, uint32_t to, uint32_t no,
       const char *z) {
    unit_add_sealed(node[from], to, MN_ENTITY_PARTICIPANT, her_id, no, z,
                    &c->ops);
}

/* A create naming home as her home division. */
static void
make_create(mn_remote_change *c, uint32_t origin, uint32_t home,
            const char *family) {
    static const uint8_t none[MN_HASH_BYTES];
    make_change(c, origin, 1, none, family);
    mn_ops_add_str(&c->ops, MN_P_ROLE, "mentee", 6);
    mn_ops_add_str(&c->ops, MN_P_STATUS, "applicant", 9);
    sealed(c, origin, home, MN_P_GIVEN_NAME, "Amina");
    sealed(c, origin, home, MN_P_FAMILY_NAME, family);
    mn_ops_add_int(&c->ops, MN_P_HOME, home);
}

/* Apply c alone on n; its result. */
static int
apply_one(mn_node *n, mn_remote_change *c) {
    assert_int_equal(mn_node_apply(n, c, 1, NULL, 0), MN_OK);
    return c->result;
}

static void
digest_of(mn_node *n, uint8_t digest[MN_HASH_BYTES]) {
    mn_txn *t;
    mn_vv vv;
    assert_int_equal(mn_store_begin(mn_node_store(n), false, &t), MN_OK);
    assert_int_equal(mn_node_digest(t, digest, &vv), MN_OK);
    mn_txn_abort(&t);
}

static uint64_t
refused(mn_node *n) {
    mn_node_counters k;
    mn_node_get_counters(n, &k);
    return k.refused_owner;
}

/* Her family name on n, as her home (division 1) opens it (NULL if she is
 * absent or has none). */
static char *
family_on(mn_node *n) {
    mn_txn *t;
    mn_entity e;
    char *z = NULL;
    assert_int_equal(mn_store_begin(mn_node_store(n), false, &t), MN_OK);
    if (mn_state_get(t, MN_ENTITY_PARTICIPANT, her_id, &e) == MN_OK) {
        const mn_field *f = mn_entity_get(&e, MN_P_FAMILY_NAME);
        z = f ? unit_unseal_str(node[1], MN_ENTITY_PARTICIPANT, her_id,
                                MN_P_FAMILY_NAME, &f->v)
              : NULL;
        assert_int_equal(mn_entity_int(&e, MN_P_HOME, 0), 1);
        mn_entity_release(&e);
    }
    mn_txn_abort(&t);
    return z;
}

static void
test_forged_create_any_order(void **state) {
    mn_remote_change real, forged, patch;
    uint8_t d3[MN_HASH_BYTES], d4[MN_HASH_BYTES];
    (void)state;
    make_create(&real, 1, 1, "Real");
    make_create(&forged, 2, 2, "Forged");
    /* Node 3 sees the real create first, node 4 the forged one. Each
     * change is logged (its origin's chain stays whole) either way. */
    assert_int_equal(apply_one(node[3], &real), MN_OK);
    assert_int_equal(apply_one(node[3], &forged), MN_OK);
    assert_int_equal(apply_one(node[4], &forged), MN_OK);
    assert_int_equal(apply_one(node[4], &real), MN_OK);
    assert_int_equal(refused(node[3]), 1);
    assert_int_equal(refused(node[4]), 1);
    digest_of(node[3], d3);
    digest_of(node[4], d4);
    assert_memory_equal(d3, d4, MN_HASH_BYTES);
    for (uint32_t n = 3; n <= 4; n++) {
        char *family = family_on(node[n]);
        assert_non_null(family);
        assert_string_equal(family, "Real");
        free(family);
    }
    /* Division 2 goes on to change her name: refused on both. */
    make_change(&patch, 2, 2, forged.hash, "patch");
    sealed(&patch, 2, 1, MN_P_FAMILY_NAME, "Forged");
    assert_int_equal(apply_one(node[3], &patch), MN_OK);
    mn_ops_release(&patch.ops);
    make_change(&patch, 2, 2, forged.hash, "patch");
    sealed(&patch, 2, 1, MN_P_FAMILY_NAME, "Forged");
    assert_int_equal(apply_one(node[4], &patch), MN_OK);
    assert_int_equal(refused(node[3]), 2);
    assert_int_equal(refused(node[4]), 2);
    digest_of(node[3], d3);
    digest_of(node[4], d4);
    assert_memory_equal(d3, d4, MN_HASH_BYTES);
    mn_ops_release(&real.ops);
    mn_ops_release(&forged.ops);
    mn_ops_release(&patch.ops);
}

/* A coordinator on division 3's node may change neither her personal
 * details nor, since every field of hers is her home's (README
 * "Compartments"), her status: the API's writes follow the same rule as
 * replicated changes. */
static void
test_local_write_same_rule(void **state) {
    mn_write w = {.type = MN_ENTITY_PARTICIPANT};
    (void)state;
    memcpy(w.id, her_id, MN_ID_BYTES);
    mn_ops_init(&w.ops);
    mn_ops_add_str(&w.ops, MN_P_FAMILY_NAME, "Other", 5);
    assert_int_equal(mn_node_write(node[3], &w, 1), MN_OK);
    assert_int_equal(w.result, MN_EAUTH);
    mn_ops_release(&w.ops);
    mn_ops_init(&w.ops);
    mn_ops_add_str(&w.ops, MN_P_STATUS, "waiting", 7);
    assert_int_equal(mn_node_write(node[3], &w, 1), MN_OK);
    assert_int_equal(w.result, MN_EAUTH);
    mn_ops_release(&w.ops);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forged_create_any_order),
        cmocka_unit_test(test_local_write_same_rule),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
