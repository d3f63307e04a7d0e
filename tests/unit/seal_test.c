/*
 * seal_test — compartments (node/seal.h, README "Compartments") on real
 * nodes of three divisions sharing one key directory: a value sealed by
 * one division to another opens there and nowhere else, not under another
 * entity, field or recipient; its form is what every node checks
 * (state/kind.h mn_value_sealed, MN_FAULT_NOT_SEALED); the writer seals a
 * local write's personal and special values and leaves the others clear;
 * mn_node_unseal_entity opens what it can and leaves the rest out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/node.h"
#include "node_helpers.h"
#include "state/participant.h"
#include "state/state.h"

#define NDIV 3

static char root[] = "/tmp/mn-seal-XXXXXX";
static mn_config cfg[NDIV + 1];
static mn_node *node[NDIV + 1];

static const uint8_t her_id[MN_ID_BYTES] = {0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00,
                                            0x70, 0x11, 0x80, 0x01, 0x22, 0x33,
                                            0x44, 0x55, 0x66, 0x77};

static int
setup(void **state) {
    (void)state;
    unit_nodes_root(root);
    for (uint32_t d = 1; d <= NDIV; d++)
        unit_node_open(root, NDIV, d, &cfg[d], &node[d]);
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

static mn_value
str_value(const char *z) {
    return (mn_value){.kind = MN_V_STR, .s = (char *)z, .len = strlen(z)};
}

static void
seal(uint32_t from, uint32_t to, uint32_t no, const mn_value *clear,
     mn_value *out) {
    assert_int_equal(mn_node_seal(node[from], to, MN_ENTITY_PARTICIPANT, her_id,
                                  no, clear, out),
                     MN_OK);
}

static void
test_round_trip(void **state) {
    mn_value clear = str_value("Amina Haddad"), sealed, back;
    mn_value year = {.kind = MN_V_INT, .i = -1700000000123};
    (void)state;
    seal(1, 2, MN_P_GIVEN_NAME, &clear, &sealed);
    assert_true(mn_value_sealed(&sealed));
    assert_null(strstr(sealed.s, "Amina"));
    assert_int_equal(mn_node_unseal(node[2], MN_ENTITY_PARTICIPANT, her_id,
                                    MN_P_GIVEN_NAME, &sealed, &back),
                     MN_OK);
    assert_int_equal(back.kind, MN_V_STR);
    assert_string_equal(back.s, "Amina Haddad");
    mn_value_release(&back);
    mn_value_release(&sealed);
    /* An integer (a consent time) comes back an integer. */
    seal(2, 2, MN_P_CONSENT_AT, &year, &sealed);
    assert_int_equal(mn_node_unseal(node[2], MN_ENTITY_PARTICIPANT, her_id,
                                    MN_P_CONSENT_AT, &sealed, &back),
                     MN_OK);
    assert_int_equal(back.kind, MN_V_INT);
    assert_true(back.i == year.i);
    mn_value_release(&sealed);
    /* Two seals of one value differ (a fresh nonce each). */
    mn_value again;
    seal(1, 2, MN_P_GIVEN_NAME, &clear, &sealed);
    seal(1, 2, MN_P_GIVEN_NAME, &clear, &again);
    assert_string_not_equal(sealed.s, again.s);
    mn_value_release(&sealed);
    mn_value_release(&again);
}

/* Only the recipient opens it, and only for the record and field it was
 * sealed for. */
static void
test_bound(void **state) {
    mn_value clear = str_value("amina@example.org"), sealed, back;
    uint8_t other_id[MN_ID_BYTES];
    (void)state;
    memcpy(other_id, her_id, MN_ID_BYTES);
    other_id[15] ^= 1;
    seal(1, 2, MN_P_EMAIL, &clear, &sealed);
    assert_int_equal(mn_node_unseal(node[1], MN_ENTITY_PARTICIPANT, her_id,
                                    MN_P_EMAIL, &sealed, &back),
                     MN_EAUTH);
    assert_int_equal(mn_node_unseal(node[3], MN_ENTITY_PARTICIPANT, her_id,
                                    MN_P_EMAIL, &sealed, &back),
                     MN_EAUTH);
    assert_int_equal(mn_node_unseal(node[2], MN_ENTITY_PARTICIPANT, other_id,
                                    MN_P_EMAIL, &sealed, &back),
                     MN_EAUTH);
    assert_int_equal(mn_node_unseal(node[2], MN_ENTITY_PARTICIPANT, her_id,
                                    MN_P_PHONE, &sealed, &back),
                     MN_EAUTH);
    assert_int_equal(mn_node_unseal(node[2], MN_ENTITY_MEETING, her_id,
                                    MN_P_EMAIL, &sealed, &back),
                     MN_EAUTH);
    /* One flipped character anywhere fails. */
    sealed.s[sealed.len / 2] = sealed.s[sealed.len / 2] == 'A' ? 'B' : 'A';
    assert_int_not_equal(mn_node_unseal(node[2], MN_ENTITY_PARTICIPANT, her_id,
                                        MN_P_EMAIL, &sealed, &back),
                         MN_OK);
    mn_value_release(&sealed);
    /* A division this node has no key of. */
    assert_int_equal(mn_node_seal(node[1], 9, MN_ENTITY_PARTICIPANT, her_id,
                                  MN_P_EMAIL, &clear, &sealed),
                     MN_ECONFIG);
}

static bool
sealed_form(const char *z) {
    mn_value v = str_value(z);
    return mn_value_sealed(&v);
}

static void
test_form(void **state) {
    char ok[MN_SEALED_MIN_CHARS + 1];
    (void)state;
    memset(ok, 'A', sizeof ok - 1);
    ok[sizeof ok - 1] = '\0';
    memcpy(ok, "~1", 2);
    assert_true(sealed_form(ok));
    ok[10] = '_';
    ok[11] = '-';
    assert_true(sealed_form(ok));
    ok[12] = '=';
    assert_false(sealed_form(ok)); /* no padding, no other alphabet */
    ok[12] = 'A';
    ok[sizeof ok - 2] = '\0';
    assert_false(sealed_form(ok)); /* too short */
    ok[sizeof ok - 2] = 'A';
    assert_false(sealed_form("Amina"));
    assert_false(sealed_form(""));
    mn_value i = {.kind = MN_V_INT, .i = 5};
    assert_false(mn_value_sealed(&i));
    /* The kind check: personal values sealed, cleared, or refused. */
    mn_ops ops;
    mn_ops_init(&ops);
    mn_ops_add_str(&ops, MN_P_GIVEN_NAME, "Amina", 5);
    assert_int_equal(
        mn_kind_check_ops(&mn_kind_participant, ops.op, ops.n, NULL),
        MN_FAULT_NOT_SEALED);
    assert_int_equal(
        mn_kind_check_clear_ops(&mn_kind_participant, ops.op, ops.n, NULL),
        MN_FAULT_NONE);
    mn_ops_release(&ops);
    mn_ops_init(&ops);
    mn_ops_add_clear(&ops, MN_P_EMAIL);
    mn_ops_add_str(&ops, MN_P_PROFESSION, "Nurse", 5);
    mn_ops_add_str(&ops, MN_P_COUNTRY, ok, strlen(ok));
    assert_int_equal(
        mn_kind_check_ops(&mn_kind_participant, ops.op, ops.n, NULL),
        MN_FAULT_NONE);
    mn_ops_release(&ops);
    assert_string_equal(mn_op_fault_name(MN_FAULT_NOT_SEALED), "not_sealed");
}

/* The writer seals what the table says and nothing else; the home opens
 * her record whole, another division's node sees none of it. */
static void
test_writer_seals(void **state) {
    mn_write w = {.type = MN_ENTITY_PARTICIPANT, .create = true};
    mn_txn *t;
    mn_entity e, open;
    (void)state;
    mn_ops_init(&w.ops);
    mn_ops_add_str(&w.ops, MN_P_ROLE, "mentee", 6);
    mn_ops_add_str(&w.ops, MN_P_GIVEN_NAME, "Leila", 5);
    mn_ops_add_str(&w.ops, MN_P_FAMILY_NAME, "Nour", 4);
    mn_ops_add_str(&w.ops, MN_P_COUNTRY, "IR", 2);
    mn_ops_add_str(&w.ops, MN_P_PROFESSION, "Nurse", 5);
    mn_ops_add_int(&w.ops, MN_P_HOME, 2);
    assert_int_equal(mn_node_write(node[2], &w, 1), MN_OK);
    assert_int_equal(w.result, MN_OK);
    /* The caller's ops are its own still, in clear. */
    assert_string_equal(w.ops.op[1].v.s, "Leila");
    assert_int_equal(mn_store_begin(mn_node_store(node[2]), false, &t), MN_OK);
    assert_int_equal(mn_state_get(t, MN_ENTITY_PARTICIPANT, w.id, &e), MN_OK);
    mn_txn_abort(&t);
    assert_string_equal(mn_entity_str(&e, MN_P_PROFESSION), "Nurse");
    assert_true(mn_value_sealed(&mn_entity_get(&e, MN_P_GIVEN_NAME)->v));
    assert_true(mn_value_sealed(&mn_entity_get(&e, MN_P_COUNTRY)->v));
    mn_node_unseal_entity(node[2], &e, &open);
    assert_int_equal(open.n, e.n);
    assert_string_equal(mn_entity_str(&open, MN_P_GIVEN_NAME), "Leila");
    assert_string_equal(mn_entity_str(&open, MN_P_COUNTRY), "IR");
    mn_entity_release(&open);
    mn_node_unseal_entity(node[1], &e, &open);
    assert_null(mn_entity_get(&open, MN_P_GIVEN_NAME));
    assert_null(mn_entity_get(&open, MN_P_FAMILY_NAME));
    assert_null(mn_entity_get(&open, MN_P_COUNTRY));
    assert_string_equal(mn_entity_str(&open, MN_P_PROFESSION), "Nurse");
    assert_int_equal(open.n, e.n - 3);
    mn_entity_release(&open);
    mn_entity_release(&e);
    mn_ops_release(&w.ops);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_bound),
        cmocka_unit_test(test_form),
        cmocka_unit_test(test_writer_seals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
