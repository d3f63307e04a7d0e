/*
 * transfer_test — ownership passes in causal order (state/owner.h), and a
 * partnership's sides are answered only by each participant's home as of
 * the answer's causal past, on real nodes through their apply path.
 *
 * Division 1 creates mentee M, division 2 mentor R; division 1 proposes P
 * (M with R) and then moves M to division 2. Nodes of divisions 3 and 4
 * receive the changes, in two causal orders. Every node refuses the same:
 *   - a transfer of M by division 2 that did not see the first one (she
 *     was not its participant then);
 *   - a reservation of M's side by division 1 causally after the transfer;
 *   - a reservation of R's side by division 1 (never her home);
 * and accepts M's side reserved by division 2 after the transfer, and R's
 * side by division 2. Both end with P active, M's home 2, equal digests.
 * Then the local rules: on a node of division 2 a second reservation of
 * M's slot is refused (409), and so is the old home's local write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "door/crypto.h"
#include "node/node.h"
#include "node_helpers.h"
#include "state/outcome.h"
#include "state/participant.h"
#include "state/partnership.h"
#include "state/partnership_rules.h"
#include "state/state.h"

#define NDIV 4

static char root[] = "/tmp/mn-transfer-XXXXXX";
static mn_config cfg[NDIV + 1];
static mn_node *node[NDIV + 1];

/* Ids made by divisions 1 (M, P) and 2 (R): byte 9 is the division. */
static const uint8_t M[MN_ID_BYTES] = {
    1, 0x8b, 0xcf, 0xe5, 0x68, 0, 0x70, 1, 0x80, 1, 1, 1, 1, 1, 1, 1};
static const uint8_t R[MN_ID_BYTES] = {
    1, 0x8b, 0xcf, 0xe5, 0x68, 1, 0x70, 2, 0x80, 2, 2, 2, 2, 2, 2, 2};
static const uint8_t P[MN_ID_BYTES] = {
    1, 0x8b, 0xcf, 0xe5, 0x68, 2, 0x70, 3, 0x80, 1, 3, 3, 3, 3, 3, 3};

static void
open_node(uint32_t self) {
    unit_node_open(root, NDIV, self, &cfg[self], &node[self]);
}

static int
setup(void **state) {
    (void)state;
    unit_nodes_root(root);
    /* Division 1's node only seals its changes' names (README
     * "Compartments"). */
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

/* ---- the changes ------------------------------------------------------- */

enum {
    C_M,
    C_R,
    C_P,
    C_MOVE,
    C_LATE,
    C_R_BY_1,
    C_EARLY_MOVE,
    C_SIDE_M,
    C_SIDE_R,
    NCHANGES
};

struct plan {
    uint32_t origin;
    uint64_t seq;
    uint64_t dep1, dep2; /* deps: origin 1's and origin 2's seq */
    uint32_t type;
    const uint8_t *id;
};

/* Origin 1 writes 1..5, origin 2 writes 1..4; seqs chain in this order. */
static const struct plan plan[NCHANGES] = {
    [C_M] = {1, 1, 0, 0, MN_ENTITY_PARTICIPANT, M},
    [C_R] = {2, 1, 0, 0, MN_ENTITY_PARTICIPANT, R},
    [C_P] = {1, 2, 1, 1, MN_ENTITY_PARTNERSHIP, P},
    [C_MOVE] = {1, 3, 2, 1, MN_ENTITY_PARTICIPANT, M},
    [C_LATE] = {1, 4, 3, 1, MN_ENTITY_PARTNERSHIP, P},
    [C_R_BY_1] = {1, 5, 4, 1, MN_ENTITY_PARTNERSHIP, P},
    [C_EARLY_MOVE] = {2, 2, 2, 1, MN_ENTITY_PARTICIPANT, M},
    [C_SIDE_M] = {2, 3, 3, 2, MN_ENTITY_PARTNERSHIP, P},
    [C_SIDE_R] = {2, 4, 3, 3, MN_ENTITY_PARTNERSHIP, P},
};

static void
add_id(mn_ops *ops, uint32_t no, const uint8_t id[MN_ID_BYTES]) {
    char z[MN_ID_TEXT];
    mn_id_format(id, z);
    mn_ops_add_str(ops, no, z, strlen(z));
}

static void
side(mn_ops *ops, uint32_t answer, uint32_t home_field, uint32_t home) {
    mn_ops_add_str(ops, answer, "reserved", 8);
    mn_ops_add_int(ops, home_field, home);
}

/* Her names, sealed by division from to division to, as its changes carry
 * them; sealed once (a seal draws a fresh nonce), so every node receives
 * the same change. */
static void
names(mn_ops *ops, uint32_t from, uint32_t to, const uint8_t id[MN_ID_BYTES]) {
    static struct {
        uint32_t from, to;
        const uint8_t *id;
        mn_ops ops;
    } cache[4];
    static size_t ncache;
    size_t i = 0;
    while (i < ncache &&
           (cache[i].from != from || cache[i].to != to || cache[i].id != id))
        i++;
    if (i == ncache) {
        assert_true(ncache < MN_ARRAY_LEN(cache));
        cache[i].from = from, cache[i].to = to, cache[i].id = id;
        mn_ops_init(&cache[i].ops);
        unit_add_sealed(node[from], to, MN_ENTITY_PARTICIPANT, id,
                        MN_P_GIVEN_NAME, "A", &cache[i].ops);
        unit_add_sealed(node[from], to, MN_ENTITY_PARTICIPANT, id,
                        MN_P_FAMILY_NAME, "B", &cache[i].ops);
        ncache++;
    }
    for (size_t k = 0; k < cache[i].ops.n; k++)
        mn_ops_add_str(ops, cache[i].ops.op[k].no, cache[i].ops.op[k].v.s,
                       cache[i].ops.op[k].v.len);
}

static void
ops_of(int i, mn_ops *ops) {
    mn_ops_init(ops);
    switch (i) {
    case C_M:
    case C_R:
        mn_ops_add_str(ops, MN_P_ROLE, i == C_M ? "mentee" : "mentor", 6);
        mn_ops_add_str(ops, MN_P_STATUS, "applicant", 9);
        names(ops, plan[i].origin, plan[i].origin, plan[i].id);
        mn_ops_add_int(ops, MN_P_HOME, i == C_M ? 1 : 2);
        break;
    case C_P:
        add_id(ops, MN_PS_MENTEE, M);
        add_id(ops, MN_PS_MENTOR, R);
        mn_ops_add_int(ops, MN_PS_PROPOSED_BY, 1);
        break;
    case C_MOVE: /* a transfer seals her names again for the new home */
        names(ops, 1, 2, M);
        mn_ops_add_int(ops, MN_P_HOME, 2);
        break;
    case C_EARLY_MOVE: mn_ops_add_int(ops, MN_P_HOME, 2); break;
    case C_LATE:
    case C_SIDE_M:
        side(ops, MN_PS_MENTEE_SIDE, MN_PS_MENTEE_HOME, plan[i].origin);
        break;
    default: side(ops, MN_PS_MENTOR_SIDE, MN_PS_MENTOR_HOME, plan[i].origin);
    }
}

/* Change i, chained to its origin's previous change (heads[origin]). */
static void
make(int i, mn_remote_change *c, uint8_t heads[3][MN_HASH_BYTES],
     char raw[32]) {
    const struct plan *pl = &plan[i];
    memset(c, 0, sizeof *c);
    c->h.origin = pl->origin;
    c->h.seq = pl->seq;
    c->h.hlc = (uint64_t)(1700000000000ull + 10 * (uint64_t)i) << 16;
    c->h.key_id = 1;
    assert_int_equal(mn_vv_set(&c->h.deps, 1, pl->dep1), MN_OK);
    assert_int_equal(mn_vv_set(&c->h.deps, 2, pl->dep2), MN_OK);
    memcpy(c->h.prev_hash, heads[pl->origin], MN_HASH_BYTES);
    snprintf(raw, 32, "change %d", i);
    c->raw = (mn_bytes){(const uint8_t *)raw, strlen(raw)};
    mn_crypto_hash2(c->raw.p, c->raw.n, NULL, 0, c->hash);
    memcpy(heads[pl->origin], c->hash, MN_HASH_BYTES);
    c->type = pl->type;
    memcpy(c->id, pl->id, MN_ID_BYTES);
    ops_of(i, &c->ops);
}

static uint64_t
refused(mn_node *n) {
    mn_node_counters k;
    mn_node_get_counters(n, &k);
    return k.refused_owner;
}

/* Apply the changes to n in the order given (each origin's in its seq
 * order, every change after its deps: a causal order). */
static void
apply_in(mn_node *n, const int *order) {
    uint8_t heads[3][MN_HASH_BYTES] = {{0}};
    mn_remote_change c[NCHANGES];
    char raw[NCHANGES][32];
    /* Chain hashes follow seq order, whatever the apply order. */
    static const int by_seq[NCHANGES] = {C_M,          C_P,      C_MOVE,
                                         C_LATE,       C_R_BY_1, C_R,
                                         C_EARLY_MOVE, C_SIDE_M, C_SIDE_R};
    for (int k = 0; k < NCHANGES; k++)
        make(by_seq[k], &c[by_seq[k]], heads, raw[by_seq[k]]);
    for (int k = 0; k < NCHANGES; k++) {
        assert_int_equal(mn_node_apply(n, &c[order[k]], 1, NULL, 0), MN_OK);
        assert_int_equal(c[order[k]].result, MN_OK);
    }
    for (int k = 0; k < NCHANGES; k++)
        mn_ops_release(&c[k].ops);
}

static void
digest_of(mn_node *n, uint8_t digest[MN_HASH_BYTES]) {
    mn_txn *t;
    mn_vv vv;
    assert_int_equal(mn_store_begin(mn_node_store(n), false, &t), MN_OK);
    assert_int_equal(mn_node_digest(t, digest, &vv), MN_OK);
    mn_txn_abort(&t);
}

static void
check_outcome(mn_node *n) {
    mn_txn *t;
    mn_entity e;
    assert_int_equal(mn_store_begin(mn_node_store(n), false, &t), MN_OK);
    assert_int_equal(mn_state_get(t, MN_ENTITY_PARTICIPANT, M, &e), MN_OK);
    assert_int_equal(mn_entity_int(&e, MN_P_HOME, 0), 2);
    mn_entity_release(&e);
    assert_int_equal(mn_state_get(t, MN_ENTITY_PARTNERSHIP, P, &e), MN_OK);
    assert_int_equal(mn_partnership_state(&e), MN_PSTATE_ACTIVE);
    assert_int_equal(mn_entity_int(&e, MN_PS_MENTEE_HOME, 0), 2);
    mn_entity_release(&e);
    mn_txn_abort(&t);
}

static void
test_causal_ownership(void **state) {
    /* Two causal orders: node 3 takes division 2's blind move before
     * division 1's, node 4 after it (where the current owner would be
     * division 2: only its causal past refuses it). */
    static const int first[NCHANGES] = {C_M,          C_R,      C_P,
                                        C_EARLY_MOVE, C_MOVE,   C_LATE,
                                        C_R_BY_1,     C_SIDE_M, C_SIDE_R};
    static const int second[NCHANGES] = {C_R,    C_M,          C_P,
                                         C_MOVE, C_EARLY_MOVE, C_SIDE_M,
                                         C_LATE, C_SIDE_R,     C_R_BY_1};
    uint8_t d3[MN_HASH_BYTES], d4[MN_HASH_BYTES];
    (void)state;
    apply_in(node[3], first);
    apply_in(node[4], second);
    /* The early move, the late side and R's side by 1: three refusals. */
    assert_int_equal(refused(node[3]), 3);
    assert_int_equal(refused(node[4]), 3);
    check_outcome(node[3]);
    check_outcome(node[4]);
    digest_of(node[3], d3);
    digest_of(node[4], d4);
    assert_memory_equal(d3, d4, MN_HASH_BYTES);
}

/* A local participant of role on node 2. OUT: id. */
static void
local_participant(const char *role, uint8_t id[MN_ID_BYTES]) {
    mn_write w = {.type = MN_ENTITY_PARTICIPANT, .create = true};
    mn_ops_init(&w.ops);
    mn_ops_add_str(&w.ops, MN_P_ROLE, role, strlen(role));
    mn_ops_add_str(&w.ops, MN_P_STATUS, "applicant", 9);
    mn_ops_add_str(&w.ops, MN_P_GIVEN_NAME, "A", 1);
    mn_ops_add_str(&w.ops, MN_P_FAMILY_NAME, "B", 1);
    mn_ops_add_int(&w.ops, MN_P_HOME, 2);
    assert_int_equal(mn_node_write(node[2], &w, 1), MN_OK);
    assert_int_equal(w.result, MN_OK);
    memcpy(id, w.id, MN_ID_BYTES);
    mn_ops_release(&w.ops);
}

/* M's family name as division div's node opens it from the state of node
 * n (NULL when it does not open there). Kept until the next call. */
static const char *
family_sealed_to(uint32_t div, mn_node *n) {
    static char *last;
    mn_txn *t;
    mn_entity e;
    free(last);
    last = NULL;
    assert_int_equal(mn_store_begin(mn_node_store(n), false, &t), MN_OK);
    assert_int_equal(mn_state_get(t, MN_ENTITY_PARTICIPANT, M, &e), MN_OK);
    const mn_field *f = mn_entity_get(&e, MN_P_FAMILY_NAME);
    assert_non_null(f);
    last = unit_unseal_str(node[div], MN_ENTITY_PARTICIPANT, M,
                           MN_P_FAMILY_NAME, &f->v);
    mn_entity_release(&e);
    mn_txn_abort(&t);
    return last;
}

/* Division 2's node, which had applied nothing, learns it all; then its
 * own rules: M and R's partnership is open, so it is not proposed twice;
 * M's slot is taken, so a reservation with another mentor is refused. */
static void
test_local_rules(void **state) {
    static const int order[NCHANGES] = {C_M,          C_R,      C_P,
                                        C_EARLY_MOVE, C_MOVE,   C_LATE,
                                        C_R_BY_1,     C_SIDE_M, C_SIDE_R};
    mn_pship_act a = {.verb = MN_PSHIP_PROPOSE, .self = 2, .now = 1};
    mn_write w = {.type = MN_ENTITY_PARTNERSHIP,
                  .create = true,
                  .prepare = mn_pship_prepare,
                  .prepare_ctx = &a};
    (void)state;
    /* Origin 2 here is another incarnation of division 2 (incarnation
     * 0; the node writes as its own), as after a lost disk. */
    apply_in(node[2], order);
    memcpy(a.mentee, M, MN_ID_BYTES);
    memcpy(a.mentor, R, MN_ID_BYTES);
    mn_ops_init(&w.ops);
    assert_int_equal(mn_node_write(node[2], &w, 1), MN_OK);
    assert_int_equal(w.result, MN_ECONFLICT);
    assert_string_equal(a.problem.code, "already_proposed");
    local_participant("mentor", a.mentor);
    mn_ops_release(&w.ops);
    mn_ops_init(&w.ops);
    assert_int_equal(mn_node_write(node[2], &w, 1), MN_OK);
    assert_int_equal(w.result, MN_OK);
    a.verb = MN_PSHIP_RESERVE;
    w.create = false;
    assert_int_equal(mn_node_write(node[2], &w, 1), MN_OK);
    assert_int_equal(w.result, MN_ECONFLICT);
    assert_string_equal(a.problem.code, "slot_taken");
    /* A transfer back by division 1's old home is not this node's to make,
     * and division 2 may move her on. */
    a.verb = MN_PSHIP_TRANSFER;
    a.to = 2;
    w.type = MN_ENTITY_PARTICIPANT;
    memcpy(w.id, M, MN_ID_BYTES);
    assert_int_equal(mn_node_write(node[2], &w, 1), MN_OK);
    assert_int_equal(w.result, MN_ECONFLICT); /* she is in division 2 */
    assert_string_equal(family_sealed_to(2, node[2]), "B");
    a.to = 3;
    assert_int_equal(mn_node_write(node[2], &w, 1), MN_OK);
    assert_int_equal(w.result, MN_OK);
    /* The transfer sealed her names again, for her new home alone. */
    assert_string_equal(family_sealed_to(3, node[2]), "B");
    assert_null(family_sealed_to(2, node[2]));
    a.to = 1;
    assert_int_equal(mn_node_write(node[2], &w, 1), MN_OK);
    assert_int_equal(w.result, MN_EAUTH); /* division 3's now */
    mn_ops_release(&w.ops);
}

static int
state_of(const uint8_t id[MN_ID_BYTES]) {
    mn_txn *t;
    mn_entity e;
    assert_int_equal(mn_store_begin(mn_node_store(node[2]), false, &t), MN_OK);
    assert_int_equal(mn_state_get(t, MN_ENTITY_PARTNERSHIP, id, &e), MN_OK);
    int s = mn_partnership_state(&e);
    mn_entity_release(&e);
    mn_txn_abort(&t);
    return s;
}

/* A proposal older than expire_days (30) with this node's sides unanswered
 * expires when the node runs its expiry; a younger one does not; a second
 * run answers nothing more. */
static void
test_expiry(void **state) {
    const uint64_t day = 86400000, now = 1800000000000ull;
    uint8_t old_p[MN_ID_BYTES], young_p[MN_ID_BYTES];
    size_t n = 0;
    (void)state;
    for (int k = 0; k < 2; k++) {
        mn_pship_act a = {.verb = MN_PSHIP_PROPOSE,
                          .self = 2,
                          .now = k ? now - 2 * day : now - 31 * day};
        mn_write w = {.type = MN_ENTITY_PARTNERSHIP,
                      .create = true,
                      .prepare = mn_pship_prepare,
                      .prepare_ctx = &a};
        local_participant("mentee", a.mentee);
        local_participant("mentor", a.mentor);
        mn_ops_init(&w.ops);
        assert_int_equal(mn_node_write(node[2], &w, 1), MN_OK);
        assert_int_equal(w.result, MN_OK);
        memcpy(k ? young_p : old_p, w.id, MN_ID_BYTES);
        mn_ops_release(&w.ops);
    }
    /* test_local_rules' proposal (of 1970) expires too. */
    assert_int_equal(mn_node_expire_proposals(node[2], now, &n), MN_OK);
    assert_int_equal(n, 2);
    assert_int_equal(state_of(old_p), MN_PSTATE_EXPIRED);
    assert_int_equal(state_of(young_p), MN_PSTATE_PROPOSED);
    assert_int_equal(mn_node_expire_proposals(node[2], now, &n), MN_OK);
    assert_int_equal(n, 0);
}

/* An outcome is made once: a later change, even by its own division, is
 * refused by the rule every node applies (state/owner.h). */
static void
test_outcome_create_only(void **state) {
    char z[MN_ID_TEXT];
    mn_write w = {.type = MN_ENTITY_OUTCOME, .create = true};
    (void)state;
    mn_id_format(M, z);
    mn_ops_init(&w.ops);
    mn_ops_add_int(&w.ops, MN_O_DIVISION, 2);
    mn_ops_add_str(&w.ops, MN_O_PARTICIPANT, z, strlen(z));
    mn_ops_add_int(&w.ops, MN_O_DATE, 1700000000000);
    mn_ops_add_str(&w.ops, MN_O_KIND, "job", 3);
    assert_int_equal(mn_node_write(node[2], &w, 1), MN_OK);
    assert_int_equal(w.result, MN_OK);
    mn_ops_release(&w.ops);
    w.create = false;
    mn_ops_init(&w.ops);
    mn_ops_add_str(&w.ops, MN_O_KIND, "education", 9);
    assert_int_equal(mn_node_write(node[2], &w, 1), MN_OK);
    assert_int_equal(w.result, MN_EAUTH);
    mn_ops_release(&w.ops);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_causal_ownership),
        cmocka_unit_test(test_local_rules),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_outcome_create_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
