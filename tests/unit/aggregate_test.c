/*
 * aggregate_test — the aggregate kind (state/aggregate.c: its ids, its
 * count texts, read as every node must read another division's) and the
 * node's publisher (node/aggregate.c) on a real node: it counts its own
 * participants only, by role and country, not an erased one's; it writes
 * only when a count changes; the pacer reads nothing when nothing was
 * committed; and only the division an aggregate names may write it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/aggregate.h"
#include "node/node.h"
#include "node_helpers.h"
#include "state/aggregate.h"
#include "state/owner.h"
#include "state/participant.h"
#include "state/state.h"
#include "state/stats.h"
#include "unit_helpers.h"

static int
cc(const char *z) {
    return mn_aggregate_country(z);
}

static void
test_ids(void **state) {
    uint8_t id[MN_ID_BYTES], other[MN_ID_BYTES];
    char hex[MN_ID_TEXT];
    (void)state;
    mn_aggregate_id(3, id);
    assert_int_equal(mn_id_division(id), 3);
    assert_true(mn_aggregate_id_ok(id));
    mn_id_format(id, hex);
    assert_string_equal(hex, "00000000000070008003000000000000");
    mn_id_new(UINT64_C(1700000000000), 3, other);
    assert_false(mn_aggregate_id_ok(other)); /* names 3, not its aggregate */
    mn_aggregate_id(0, id);
    assert_false(mn_aggregate_id_ok(id)); /* no division 0 */
}

static void
test_format_and_parse(void **state) {
    static uint64_t counts[MN_AGG_COUNTRIES], again[MN_AGG_COUNTRIES];
    char text[MN_AGG_TEXT_MAX + 1];
    (void)state;
    assert_int_equal(mn_aggregate_format(counts, text, sizeof text), 0);
    assert_string_equal(text, "");
    counts[cc("SY")] = 12;
    counts[cc("IR")] = 3;
    counts[cc("AF")] = 1000000;
    assert_int_equal(mn_aggregate_format(counts, text, sizeof text), 21);
    assert_string_equal(text, "AF=1000000,IR=3,SY=12");
    assert_int_equal(mn_aggregate_parse(text, again), 0);
    assert_memory_equal(counts, again, sizeof counts);
    /* Too long for the buffer given, or for the field. */
    assert_int_equal(mn_aggregate_format(counts, text, 8), -1);
    for (size_t i = 0; i < MN_AGG_COUNTRIES; i++)
        counts[i] = MN_AGG_COUNT_MAX;
    assert_int_equal(mn_aggregate_format(counts, text, sizeof text), -1);
    assert_int_equal(mn_aggregate_parse(NULL, again), 0);
    assert_int_equal(cc("S"), -1);
    assert_int_equal(cc("SYR"), -1);
    assert_int_equal(cc("sy"), -1);
    assert_int_equal(cc(NULL), -1);
}

/* Another division's text is read item by item, the same way on every
 * node: what is not "XX=n" in order is skipped. */
static void
test_parse_hostile(void **state) {
    static uint64_t counts[MN_AGG_COUNTRIES];
    (void)state;
    assert_int_equal(mn_aggregate_parse("sy=1,XX=0,AF=2,AF=3,ZZ,SY=01,SY=5,,"
                                        "ZW=1000000001,ZW=9x,ZZ=",
                                        counts),
                     9);
    for (size_t i = 0; i < MN_AGG_COUNTRIES; i++) {
        uint64_t want = (int)i == cc("AF") ? 2 : (int)i == cc("SY") ? 5 : 0;
        assert_true(counts[i] == want);
    }
}

/* ---- the publisher on a real node ----------------------------------- */

#define ROOT_TEMPLATE "/tmp/mn-aggregate-XXXXXX"
static char root[sizeof ROOT_TEMPLATE];
static mn_config cfg;
static mn_node *node;

static int
setup(void **state) {
    (void)state;
    memcpy(root, ROOT_TEMPLATE, sizeof root);
    unit_nodes_root(root);
    unit_node_open(root, 2, 1, &cfg, &node);
    return 0;
}

static int
teardown(void **state) {
    (void)state;
    mn_node_destroy(&node);
    tmpdir_remove(root);
    return 0;
}

/* Create a participant of this node (division 1) with home home. OUT:
 * id. */
static void
create(const char *role, const char *country, uint32_t home,
       uint8_t id[MN_ID_BYTES]) {
    mn_write w = {.type = MN_ENTITY_PARTICIPANT, .create = true};
    mn_ops_init(&w.ops);
    mn_ops_add_str(&w.ops, MN_P_ROLE, role, strlen(role));
    mn_ops_add_int(&w.ops, MN_P_HOME, home);
    mn_ops_add_str(&w.ops, MN_P_STATUS, "waiting", 7);
    mn_ops_add_str(&w.ops, MN_P_GIVEN_NAME, "Amira", 5);
    mn_ops_add_str(&w.ops, MN_P_FAMILY_NAME, "Haddad", 6);
    if (country)
        mn_ops_add_str(&w.ops, MN_P_COUNTRY, country, strlen(country));
    assert_int_equal(mn_node_write(node, &w, 1), MN_OK);
    assert_int_equal(w.result, MN_OK);
    memcpy(id, w.id, MN_ID_BYTES);
    mn_ops_release(&w.ops);
}

static void
update(const uint8_t id[MN_ID_BYTES], uint32_t no, const char *z, int64_t i) {
    mn_write w = {.type = MN_ENTITY_PARTICIPANT};
    memcpy(w.id, id, MN_ID_BYTES);
    mn_ops_init(&w.ops);
    if (z)
        mn_ops_add_str(&w.ops, no, z, strlen(z));
    else
        mn_ops_add_int(&w.ops, no, i);
    assert_int_equal(mn_node_write(node, &w, 1), MN_OK);
    assert_int_equal(w.result, MN_OK);
    mn_ops_release(&w.ops);
}

/* The stored aggregate's texts ("-" for none; "absent" for no
 * aggregate) as "mentees|mentors". */
static void
stored(char *out, size_t cap) {
    uint8_t id[MN_ID_BYTES];
    mn_entity e;
    mn_txn *t;
    mn_aggregate_id(1, id);
    assert_int_equal(mn_store_begin(mn_node_store(node), false, &t), MN_OK);
    int rc = mn_state_get(t, MN_ENTITY_AGGREGATE, id, &e);
    if (rc == MN_ENOTFOUND) {
        snprintf(out, cap, "absent");
    } else {
        assert_int_equal(rc, MN_OK);
        const char *a = mn_entity_str(&e, MN_AG_MENTEES);
        const char *b = mn_entity_str(&e, MN_AG_MENTORS);
        snprintf(out, cap, "%s|%s", a ? a : "-", b ? b : "-");
        assert_int_equal(mn_entity_int(&e, MN_AG_DIVISION, 0), 1);
        mn_entity_release(&e);
    }
    mn_txn_abort(&t);
}

/* Does the pacer remember the node's vector as it is now? */
static bool
pacer_current(const mn_aggregate_pacer *p) {
    mn_vv vv;
    mn_node_state(node, &vv, NULL);
    return mn_vv_covers(&vv, &p->seen) && mn_vv_covers(&p->seen, &vv);
}

static uint64_t
own_seq(void) {
    mn_vv vv;
    mn_node_state(node, &vv, NULL);
    return mn_vv_get(&vv, mn_node_origin(node));
}

static void
test_publish(void **state) {
    uint8_t a[MN_ID_BYTES], b[MN_ID_BYTES], c[MN_ID_BYTES], d[MN_ID_BYTES];
    char text[256];
    bool written;
    (void)state;

    /* Nothing counted: nothing written, not even an empty aggregate. */
    assert_int_equal(mn_node_publish_aggregate(node, &written), MN_OK);
    assert_false(written);
    stored(text, sizeof text);
    assert_string_equal(text, "absent");

    create("mentee", "SY", 1, a);
    create("mentee", "SY", 1, b);
    create("mentee", "IR", 1, c);
    create("mentor", "SY", 1, d);
    create("mentee", NULL, 1, d); /* no country: not counted */
    create("mentee", "AF", 2, d); /* home elsewhere: not ours */
    assert_int_equal(mn_node_publish_aggregate(node, &written), MN_OK);
    assert_true(written);
    stored(text, sizeof text);
    assert_string_equal(text, "IR=1,SY=2|SY=1");

    /* Counts unchanged: no change made. */
    uint64_t seq = own_seq();
    assert_int_equal(mn_node_publish_aggregate(node, &written), MN_OK);
    assert_false(written);
    assert_true(own_seq() == seq);

    /* A country change moves her; an erased record counts no more. */
    update(b, MN_P_COUNTRY, "IR", 0);
    update(c, MN_P_ERASED_AT, NULL, INT64_C(1764806400000));
    assert_int_equal(mn_node_publish_aggregate(node, &written), MN_OK);
    assert_true(written);
    stored(text, sizeof text);
    assert_string_equal(text, "IR=1,SY=1|SY=1");

    /* The national counts read it. */
    static mn_counts counts;
    mn_txn *t;
    assert_int_equal(mn_store_begin(mn_node_store(node), false, &t), MN_OK);
    assert_int_equal(mn_stats_load(t, &counts), MN_OK);
    mn_txn_abort(&t);
    assert_true(counts.mentees[cc("IR")] == 1);
    assert_true(counts.mentees[cc("SY")] == 1);
    assert_true(counts.country[cc("SY")] == 2);
    (void)a;
}

/* The pacer publishes once, then reads nothing until a commit. */
static void
test_pacer(void **state) {
    mn_aggregate_pacer pacer;
    uint8_t a[MN_ID_BYTES];
    char text[256];
    bool written;
    (void)state;
    memset(&pacer, 0, sizeof pacer);

    create("mentee", "SY", 1, a);
    assert_int_equal(mn_node_aggregate_tick(node, &pacer, &written), MN_OK);
    assert_true(written);
    assert_true(pacer.counted);
    /* Its own write needs no second count. */
    assert_true(pacer_current(&pacer));
    uint64_t seq = own_seq();
    assert_int_equal(mn_node_aggregate_tick(node, &pacer, &written), MN_OK);
    assert_false(written);
    assert_true(own_seq() == seq);

    /* A commit that changes no count: counted, nothing written. */
    update(a, MN_P_STATUS, "matched", 0);
    seq = own_seq();
    assert_int_equal(mn_node_aggregate_tick(node, &pacer, &written), MN_OK);
    assert_false(written);
    assert_true(own_seq() == seq);
    assert_true(pacer_current(&pacer));

    update(a, MN_P_COUNTRY, "UA", 0);
    assert_int_equal(mn_node_aggregate_tick(node, &pacer, &written), MN_OK);
    assert_true(written);
    stored(text, sizeof text);
    assert_string_equal(text, "UA=1|-");
}

/* Only the division an aggregate names writes it: every node refuses
 * another's change, and a node never writes another's. */
static void
test_owner_only(void **state) {
    uint8_t id[MN_ID_BYTES];
    mn_txn *t;
    mn_vv deps;
    mn_field_op op = {.no = MN_AG_MENTEES,
                      .v = {.kind = MN_V_STR, .s = (char *)"SY=9", .len = 4}};
    (void)state;
    memset(&deps, 0, sizeof deps);
    mn_aggregate_id(1, id);
    assert_int_equal(mn_store_begin(mn_node_store(node), false, &t), MN_OK);
    assert_int_equal(mn_owner_check(t, MN_ENTITY_AGGREGATE, id, &op, 1,
                                    mn_origin_make(2, 1), &deps),
                     MN_EAUTH);
    assert_int_equal(mn_owner_check(t, MN_ENTITY_AGGREGATE, id, &op, 1,
                                    mn_origin_make(1, 1), &deps),
                     MN_OK);
    mn_txn_abort(&t);

    mn_write w = {
        .type = MN_ENTITY_AGGREGATE, .create = true, .given_id = true};
    mn_aggregate_id(2, w.id);
    mn_ops_init(&w.ops);
    mn_ops_add_int(&w.ops, MN_AG_DIVISION, 2);
    mn_ops_add_str(&w.ops, MN_AG_MENTEES, "SY=9", 4);
    assert_int_equal(mn_node_write(node, &w, 1), MN_OK);
    assert_int_equal(w.result, MN_EINVAL); /* an id of another division */
    mn_ops_release(&w.ops);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_format_and_parse),
        cmocka_unit_test(test_parse_hostile),
        T(test_publish),
        T(test_pacer),
        T(test_owner_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
