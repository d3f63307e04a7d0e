/*
 * writer_test — apply is total: what the writer does with replicated
 * changes that the state cannot take as they are, against a real store.
 *
 * A change that writes field numbers this version's table lacks (a newer
 * version's fields) is merged and stored opaquely: the entity renders as
 * before and the digest covers the kept fields. A change whose value
 * breaks its kind's table is refused (counted by reason, kept in the log,
 * its seq counted as applied) while the origin's next changes and another
 * origin's changes in the same group apply; so is a change that fails to
 * apply for any reason but storage. A local write that breaks the table
 * fails alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "api/kind_json.h"
#include "change/envelope.h"
#include "node/node.h"
#include "state/participant.h"
#include "state/state.h"
#include "unit_helpers.h"

static mn_config cfg;
static uint8_t network_key[MN_KEY_BYTES];

/* A fresh node of division 1 in its own temporary directory. */
static int
setup(void **state) {
    uint8_t pk[MN_KEY_BYTES], sk[MN_SIGN_SECRET_BYTES];
    char path[PATH_MAX + 64];
    assert_int_equal(mn_crypto_init(), MN_OK);
    memset(&cfg, 0, sizeof cfg);
    tmpdir_make(cfg.key_dir, 256, "writer");
    snprintf(cfg.data_dir, sizeof cfg.data_dir, "%.256s/data", cfg.key_dir);
    cfg.self.id = 1;
    strcpy(cfg.self.name, "copenhagen");
    cfg.map_size = 64 << 20;
    cfg.divisions[0] = cfg.self;
    cfg.ndivisions = 1;
    mn_crypto_sign_keypair(pk, sk);
    snprintf(path, sizeof path, "%s/copenhagen.sign.secret", cfg.key_dir);
    assert_int_equal(mn_crypto_key_write(path, sk, sizeof sk, 0600), MN_OK);
    unit_seal_keys(cfg.key_dir, "copenhagen");
    mn_crypto_random(network_key, sizeof network_key);
    snprintf(path, sizeof path, "%s/network.key", cfg.key_dir);
    assert_int_equal(mn_crypto_key_write(path, network_key, MN_KEY_BYTES, 0600),
                     MN_OK);
    char err[512];
    mn_node *node = NULL;
    if (mn_node_open(&cfg, &node, err, sizeof err) != MN_OK)
        fail_msg("open: %s", err);
    *state = node;
    return 0;
}

static int
teardown(void **state) {
    mn_node *node = *state;
    mn_node_destroy(&node);
    tmpdir_remove(cfg.key_dir);
    return 0;
}

/* ---- a remote origin ---------------------------------------------------- */

/* Another division's chain, sealed as its node seals it. */
struct remote {
    uint32_t origin;
    uint64_t seq;
    uint8_t head[MN_HASH_BYTES];
    mn_sealer sealer;
};

static void
remote_init(struct remote *r, uint32_t origin) {
    memset(r, 0, sizeof *r);
    r->origin = origin;
    r->sealer.key = network_key;
}

/* Seal the origin's next change of participant id into c, which takes
 * ops (released by change_release). */
static void
remote_next(struct remote *r, const uint8_t id[MN_ID_BYTES], mn_ops *ops,
            mn_remote_change *c) {
    mn_change_header h = {.origin = r->origin,
                          .seq = ++r->seq,
                          .hlc = (mn_wall_ms() << 16) + r->seq,
                          .key_id = MN_NETWORK_KEY_ID};
    memcpy(h.prev_hash, r->head, MN_HASH_BYTES);
    mn_envelope_seal(&r->sealer, &h, MN_ENTITY_PARTICIPANT, id, ops, NULL);
    memset(c, 0, sizeof *c);
    c->h = h;
    uint8_t *raw = mn_malloc(r->sealer.change.len);
    memcpy(raw, r->sealer.change.p, r->sealer.change.len);
    c->raw = (mn_bytes){raw, r->sealer.change.len};
    memcpy(c->hash, r->sealer.hash, MN_HASH_BYTES);
    memcpy(r->head, c->hash, MN_HASH_BYTES);
    c->type = MN_ENTITY_PARTICIPANT;
    memcpy(c->id, id, MN_ID_BYTES);
    c->ops = *ops;
    mn_ops_init(ops);
}

static void
change_release(mn_remote_change *c) {
    free((void *)c->raw.p);
    mn_ops_release(&c->ops);
}

/* z as another division's change carries it, sealed to that division
 * (README "Compartments"): this node has no key of it and checks only the
 * form, so "~1" and z in hex, padded with 'A' to a length sealed values
 * have, stand for it. One of four static buffers. */
static const char *
peer_sealed(const char *z) {
    static char buf[4][2 + 2 * 64 + 64];
    static int next;
    char *out = buf[next++ % 4];
    size_t n = strlen(z) < 64 ? strlen(z) : 64;
    memcpy(out, "~1", 2);
    mn_hex_encode((const uint8_t *)z, n, out + 2);
    size_t len = 2 + 2 * n;
    while (len < MN_SEALED_MIN_CHARS || (len - 2) % 4 != 0)
        out[len++] = 'A';
    out[len] = '\0';
    return out;
}

static void
add_peer_sealed(mn_ops *ops, uint32_t no, const char *z) {
    const char *sealed = peer_sealed(z);
    mn_ops_add_str(ops, no, sealed, strlen(sealed));
}

/* A create of participant id at home division home: this node's own
 * (home 1) in clear, as the writer takes it; a peer's sealed. */
static void
create_ops(mn_ops *ops, uint32_t home, const char *given) {
    mn_ops_init(ops);
    mn_ops_add_str(ops, MN_P_ROLE, "mentee", 6);
    mn_ops_add_str(ops, MN_P_STATUS, "applicant", 9);
    if (home == 1) {
        mn_ops_add_str(ops, MN_P_GIVEN_NAME, given, strlen(given));
        mn_ops_add_str(ops, MN_P_FAMILY_NAME, "Nielsen", 7);
    } else {
        add_peer_sealed(ops, MN_P_GIVEN_NAME, given);
        add_peer_sealed(ops, MN_P_FAMILY_NAME, "Nielsen");
    }
    mn_ops_add_int(ops, MN_P_HOME, home);
}

/* Apply n changes as one group; every one must be taken (MN_OK). */
static void
apply_all(mn_node *node, mn_remote_change *cs, size_t n) {
    assert_int_equal(mn_node_apply(node, cs, n, NULL, 0), MN_OK);
    for (size_t i = 0; i < n; i++)
        if (cs[i].result != MN_OK)
            fail_msg("change %zu: result %d", i, cs[i].result);
}

/* ---- reading back ------------------------------------------------------- */

static void
get_entity(mn_node *node, const uint8_t id[MN_ID_BYTES], mn_entity *e) {
    mn_txn *t;
    assert_int_equal(mn_store_begin(mn_node_store(node), false, &t), MN_OK);
    assert_int_equal(mn_state_get(t, MN_ENTITY_PARTICIPANT, id, e), MN_OK);
    mn_txn_abort(&t);
}

/* Field no of e holds the string want. */
static void
assert_str(const mn_entity *e, uint32_t no, const char *want) {
    const char *z = mn_entity_str(e, no);
    if (!z || strcmp(z, want) != 0)
        fail_msg("field %u: want \"%s\", have %s", no, want,
                 z ? "another string" : "none");
}

/* The participant as the API renders her, without updated_at (which any
 * write moves, a newer version's field too, alike on every node). */
static json_t *
render(mn_node *node, const uint8_t id[MN_ID_BYTES]) {
    mn_entity e;
    get_entity(node, id, &e);
    json_t *j = mn_kind_json_render(&mn_kind_participant, &e, &cfg);
    json_object_del(j, "updated_at");
    mn_entity_release(&e);
    return j;
}

/* The digest the node keeps equals the one recounted from the store. */
static void
assert_digest_sound(mn_node *node) {
    uint8_t kept[MN_HASH_BYTES], recounted[MN_HASH_BYTES];
    mn_vv vv;
    mn_txn *t;
    assert_int_equal(mn_store_begin(mn_node_store(node), false, &t), MN_OK);
    assert_int_equal(mn_node_digest(t, kept, &vv), MN_OK);
    assert_int_equal(mn_state_digest_recount(t, recounted), MN_OK);
    mn_txn_abort(&t);
    assert_memory_equal(kept, recounted, MN_HASH_BYTES);
}

static uint64_t
vv_of(mn_node *node, uint32_t origin) {
    mn_vv vv;
    mn_node_state(node, &vv, NULL);
    return mn_vv_get(&vv, origin);
}

/* ---- the tests ---------------------------------------------------------- */

/* Every field number the participant's table lacks, 23..MN_FIELD_NO_MAX
 * (41 of them: with her 9 the entity holds 50 fields, past the 48 it once
 * had room for), in one change: kept opaquely, rendered nowhere, covered by
 * the digest; later changes of every origin still apply. */
static void
test_unknown_fields_kept_opaquely(void **state) {
    mn_node *node = *state;
    struct remote a, b;
    mn_remote_change cs[4];
    mn_ops ops;
    uint8_t id[MN_ID_BYTES] = {0x11}, other[MN_ID_BYTES] = {0x22};
    id[MN_ID_DIVISION_BYTE] = 2; /* made by division 2 */
    other[MN_ID_DIVISION_BYTE] = 3;
    remote_init(&a, 2);
    remote_init(&b, 3);
    create_ops(&ops, 2, "Amina");
    add_peer_sealed(&ops, MN_P_EMAIL, "amina@example.org");
    add_peer_sealed(&ops, MN_P_PHONE, "+45 1234 5678");
    mn_ops_add_int(&ops, MN_P_BIRTH_YEAR, 1990);
    add_peer_sealed(&ops, MN_P_COUNTRY, "SY");
    remote_next(&a, id, &ops, &cs[0]);
    apply_all(node, cs, 1);
    json_t *before = render(node, id);

    mn_ops_init(&ops);
    size_t unknown = 0;
    for (uint32_t no = 1; no <= MN_FIELD_NO_MAX; no++)
        if (!mn_kind_field(&mn_kind_participant, no)) {
            if (no % 2)
                mn_ops_add_int(&ops, no, -(int64_t)no);
            else
                mn_ops_add_str(&ops, no, "opaque", 6);
            unknown++;
        }
    assert_true(unknown >= 39);
    remote_next(&a, id, &ops, &cs[1]);
    mn_ops_add_str(&ops, MN_P_STATUS, "waiting", 7); /* after, same group */
    remote_next(&a, id, &ops, &cs[2]);
    create_ops(&ops, 3, "Hodan"); /* another origin's unrelated create */
    remote_next(&b, other, &ops, &cs[3]);
    apply_all(node, cs + 1, 3);

    mn_entity e;
    get_entity(node, id, &e);
    assert_int_equal(e.n, 9 + unknown);
    assert_int_equal(mn_entity_int(&e, 25, 0), -25);
    assert_str(&e, MN_FIELD_NO_MAX - 1, "opaque");
    assert_true(e.n > 47);
    mn_entity_release(&e);
    json_t *after = render(node, id);
    json_object_set_new(before, "status", json_string("waiting"));
    assert_true(json_equal(before, after));
    get_entity(node, other, &e);
    assert_str(&e, MN_P_GIVEN_NAME, peer_sealed("Hodan"));
    mn_entity_release(&e);
    assert_int_equal(vv_of(node, 2), 3);
    assert_int_equal(vv_of(node, 3), 1);
    assert_digest_sound(node);
    json_decref(before);
    json_decref(after);
    for (size_t i = 0; i < 4; i++)
        change_release(&cs[i]);
    mn_sealer_release(&a.sealer);
    mn_sealer_release(&b.sealer);
}

/* One patch of participant id by r, with a single op built by add. */
#define PATCH(r, id, c, add)                                                   \
    do {                                                                       \
        mn_ops ops_;                                                           \
        mn_ops_init(&ops_);                                                    \
        add;                                                                   \
        remote_next(r, id, &ops_, c);                                          \
    } while (0)

/* Changes that break the table, each one way, in one group with good
 * ones: each is refused and counted by its reason, never retried; the
 * origin's next change and another origin's create in the same group
 * apply, and every seq counts as applied. */
static void
test_bad_values_refused_alone(void **state) {
    mn_node *node = *state;
    struct remote a, b;
    mn_remote_change cs[12];
    mn_ops ops;
    uint8_t id[MN_ID_BYTES] = {0x33}, other[MN_ID_BYTES] = {0x44};
    id[MN_ID_DIVISION_BYTE] = 2; /* made by division 2 */
    other[MN_ID_DIVISION_BYTE] = 3;
    remote_init(&a, 2);
    remote_init(&b, 3);
    create_ops(&ops, 2, "Amina");
    remote_next(&a, id, &ops, &cs[0]);
    PATCH(&a, id, &cs[1], mn_ops_add_str(&ops_, MN_P_STATUS, "bogus", 5));
    PATCH(&a, id, &cs[2], mn_ops_add_int(&ops_, MN_P_BIRTH_YEAR, 1800));
    PATCH(&a, id, &cs[3], mn_ops_add_int(&ops_, MN_P_PROFESSION, 7));
    PATCH(&a, id, &cs[4], mn_ops_add_clear(&ops_, MN_P_FAMILY_NAME));
    PATCH(&a, id, &cs[5], {
        mn_ops_add_str(&ops_, MN_P_PROFESSION, "Nurse", 5);
        mn_ops_add_str(&ops_, MN_P_PROFESSION, "Baker", 5);
    });
    PATCH(&a, id, &cs[6], mn_ops_add_str(&ops_, MN_P_LANGUAGES, "ar,ar", 5));
    PATCH(&a, id, &cs[7],
          mn_ops_add_str(&ops_, MN_P_PROFESSION, "\xc3\x28", 2));
    /* Personal values in clear, or not even a string (compartments). */
    PATCH(&a, id, &cs[8], mn_ops_add_str(&ops_, MN_P_NOTES, "Private", 7));
    PATCH(&a, id, &cs[9], mn_ops_add_int(&ops_, MN_P_GIVEN_NAME, 7));
    PATCH(&a, id, &cs[10], mn_ops_add_str(&ops_, MN_P_STATUS, "waiting", 7));
    create_ops(&ops, 3, "Hodan");
    remote_next(&b, other, &ops, &cs[11]);
    apply_all(node, cs, 12);

    mn_node_counters k;
    mn_node_get_counters(node, &k);
    assert_int_equal(k.refused_fault[MN_FAULT_CODE], 2);
    assert_int_equal(k.refused_fault[MN_FAULT_LIMITS], 2);
    assert_int_equal(k.refused_fault[MN_FAULT_TYPE], 1);
    assert_int_equal(k.refused_fault[MN_FAULT_REQUIRED], 1);
    assert_int_equal(k.refused_fault[MN_FAULT_DUPLICATE], 1);
    assert_int_equal(k.refused_fault[MN_FAULT_NOT_SEALED], 2);
    assert_int_equal(k.refused_apply, 0);
    assert_int_equal(k.write_errors, 0);
    mn_entity e;
    get_entity(node, id, &e);
    assert_str(&e, MN_P_STATUS, "waiting");
    assert_str(&e, MN_P_GIVEN_NAME, peer_sealed("Amina"));
    assert_str(&e, MN_P_FAMILY_NAME, peer_sealed("Nielsen"));
    assert_null(mn_entity_get(&e, MN_P_BIRTH_YEAR));
    assert_null(mn_entity_get(&e, MN_P_PROFESSION));
    assert_null(mn_entity_get(&e, MN_P_LANGUAGES));
    assert_null(mn_entity_get(&e, MN_P_NOTES));
    mn_entity_release(&e);
    get_entity(node, other, &e);
    assert_str(&e, MN_P_GIVEN_NAME, peer_sealed("Hodan"));
    mn_entity_release(&e);
    assert_int_equal(vv_of(node, 2), 11);
    assert_int_equal(vv_of(node, 3), 1);
    /* Offered again, the refused changes are duplicates: never retried. */
    assert_int_equal(mn_node_apply(node, cs + 1, 1, NULL, 0), MN_OK);
    assert_int_equal(cs[1].result, MN_EEXIST);
    assert_digest_sound(node);
    for (size_t i = 0; i < 12; i++)
        change_release(&cs[i]);
    mn_sealer_release(&a.sealer);
    mn_sealer_release(&b.sealer);
}

/* A change that fails to apply for a reason of its own (here the entity
 * it patches reads back damaged) is refused alone: the rest of its group
 * commits. */
static void
test_apply_error_refused_alone(void **state) {
    mn_node *node = *state;
    struct remote a;
    mn_remote_change cs[3];
    mn_ops ops;
    uint8_t id[MN_ID_BYTES] = {0x55}, other[MN_ID_BYTES] = {0x66};
    id[MN_ID_DIVISION_BYTE] = 2;    /* made by division 2 */
    other[MN_ID_DIVISION_BYTE] = 2; /* hers to create and change */
    uint8_t key[1 + MN_ID_BYTES] = {MN_ENTITY_PARTICIPANT};
    memcpy(key + 1, id, MN_ID_BYTES);
    mn_txn *t;
    assert_int_equal(mn_store_begin(mn_node_store(node), true, &t), MN_OK);
    assert_int_equal(
        mn_txn_put(t, MN_DB_ENTITIES, key, sizeof key, "\xff", 1, 0), MN_OK);
    assert_int_equal(mn_txn_commit(&t), MN_OK);
    remote_init(&a, 2);
    create_ops(&ops, 2, "Amina");
    remote_next(&a, other, &ops, &cs[0]);
    PATCH(&a, id, &cs[1], mn_ops_add_str(&ops_, MN_P_STATUS, "waiting", 7));
    PATCH(&a, other, &cs[2], mn_ops_add_str(&ops_, MN_P_STATUS, "matched", 7));
    apply_all(node, cs, 3);
    mn_node_counters k;
    mn_node_get_counters(node, &k);
    assert_int_equal(k.refused_apply, 1);
    assert_int_equal(k.write_errors, 0);
    mn_entity e;
    get_entity(node, other, &e);
    assert_str(&e, MN_P_STATUS, "matched");
    mn_entity_release(&e);
    assert_int_equal(vv_of(node, 2), 3);
    for (size_t i = 0; i < 3; i++)
        change_release(&cs[i]);
    mn_sealer_release(&a.sealer);
}

/* A local write that every other node would refuse fails alone, with
 * MN_EINVAL; the writes grouped with it commit. */
static void
test_local_bad_value_fails_alone(void **state) {
    mn_node *node = *state;
    mn_write ws[2] = {{.type = MN_ENTITY_PARTICIPANT, .create = true},
                      {.type = MN_ENTITY_PARTICIPANT, .create = true}};
    create_ops(&ws[0].ops, 1, "Sara");
    mn_ops_add_int(&ws[0].ops, MN_P_CAPACITY, 99);
    create_ops(&ws[1].ops, 1, "Hodan");
    assert_int_equal(mn_node_write(node, ws, 2), MN_OK);
    assert_int_equal(ws[0].result, MN_EINVAL);
    assert_int_equal(ws[1].result, MN_OK);
    assert_int_equal(vv_of(node, mn_node_origin(node)), 1);
    for (size_t i = 0; i < 2; i++)
        mn_ops_release(&ws[i].ops);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unknown_fields_kept_opaquely,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_values_refused_alone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_apply_error_refused_alone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_local_bad_value_fails_alone, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
