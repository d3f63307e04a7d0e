/*
 * entity_test — unit tests for entity.c: the per-field last-writer-wins
 * rule by (HLC, origin), clears, sorted fields and the capacity limit; and
 * the properties replication relies on: merging the same op lists in any
 * order, any number of times, gives byte-identical entities, and the
 * winner of every field is the op with the greatest stamp (checked against
 * a model computed independently here). Plus mn_ops and mn_entity_copy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "door/codec.h"
#include "state/entity.h"
#include "mentornet/mentornet.h"
#include "base/util.h"
#include "unit_helpers.h"

static const uint8_t ID[MN_ID_BYTES] = {0x01, 0x8f, 0x00, 0x11, 0x22,
                                        0x33, 0x70, 0x44, 0x80, 0x55};

static mn_stamp
stamp(uint64_t hlc, uint32_t origin, uint64_t seq) {
    mn_stamp st = {hlc, origin, seq};
    return st;
}

static int
merge_str(mn_entity *e, uint32_t no, const char *z, mn_stamp st) {
    mn_field_op op = {
        .no = no, .v = {.kind = MN_V_STR, .s = (char *)z, .len = strlen(z)}};
    return mn_entity_merge(e, &op, 1, &st);
}

static int
merge_int(mn_entity *e, uint32_t no, int64_t v, mn_stamp st) {
    mn_field_op op = {.no = no, .v = {.kind = MN_V_INT, .i = v}};
    return mn_entity_merge(e, &op, 1, &st);
}

static int
merge_clear(mn_entity *e, uint32_t no, mn_stamp st) {
    mn_field_op op = {.no = no, .v = {.kind = MN_V_NONE}};
    return mn_entity_merge(e, &op, 1, &st);
}

static void
assert_stamp(const mn_field *f, uint64_t hlc, uint32_t origin, uint64_t seq) {
    assert_non_null(f);
    assert_true(f->stamp.hlc == hlc);
    assert_int_equal(f->stamp.origin, origin);
    assert_true(f->stamp.seq == seq);
}

/* ---- stamps and the LWW rule ------------------------------------------ */

static void
test_stamp_cmp(void **state) {
    mn_stamp a = stamp(10, 1, 5), b = stamp(10, 2, 1), c = stamp(11, 1, 1);

    (void)state;
    assert_true(mn_stamp_cmp(&a, &b) < 0);
    assert_true(mn_stamp_cmp(&b, &a) > 0);
    assert_true(mn_stamp_cmp(&b, &c) < 0); /* hlc first, origin second */
    assert_true(mn_stamp_cmp(&c, &a) > 0);
    assert_int_equal(mn_stamp_cmp(&a, &a), 0);
    /* seq is not part of the order: same (hlc, origin) is the same change */
    mn_stamp d = stamp(10, 1, 99);
    assert_int_equal(mn_stamp_cmp(&a, &d), 0);
    mn_stamp hi = stamp(UINT64_MAX, 1, 0), lo = stamp(UINT64_MAX - 1, 64, 0);
    assert_true(mn_stamp_cmp(&hi, &lo) > 0);
}

static void
test_merge_into_empty(void **state) {
    mn_entity e;

    (void)state;
    mn_entity_init(&e, MN_ENTITY_PARTICIPANT, ID);
    assert_int_equal(e.type, MN_ENTITY_PARTICIPANT);
    assert_memory_equal(e.id, ID, MN_ID_BYTES);
    assert_int_equal(e.n, 0);
    assert_null(mn_entity_get(&e, 4));

    mn_ops ops;
    mn_ops_init(&ops);
    mn_ops_add_str(&ops, 4, "Amina", 5);
    mn_ops_add_int(&ops, 8, 1990);
    mn_ops_add_clear(&ops, 6);
    mn_stamp st = stamp(100, 3, 7);
    assert_int_equal(mn_entity_merge(&e, ops.op, ops.n, &st), 3);
    assert_int_equal(e.n, 3);
    assert_string_equal(mn_entity_str(&e, 4), "Amina");
    assert_true(mn_entity_int(&e, 8, -1) == 1990);
    assert_stamp(mn_entity_get(&e, 4), 100, 3, 7);
    assert_stamp(mn_entity_get(&e, 8), 100, 3, 7);
    /* A cleared field exists (with its stamp) but holds nothing. */
    const mn_field *f = mn_entity_get(&e, 6);
    assert_non_null(f);
    assert_int_equal(f->v.kind, MN_V_NONE);
    assert_null(mn_entity_str(&e, 6));
    assert_true(mn_entity_int(&e, 6, -5) == -5);
    /* Type mismatches and absent fields give the defaults. */
    assert_null(mn_entity_str(&e, 8));
    assert_true(mn_entity_int(&e, 4, 77) == 77);
    assert_true(mn_entity_int(&e, 5, 77) == 77);
    assert_null(mn_entity_get(&e, 5));
    /* The ops kept their own strings. */
    assert_string_equal(ops.op[0].v.s, "Amina");
    assert_ptr_not_equal(ops.op[0].v.s, mn_entity_str(&e, 4));
    mn_ops_release(&ops);
    assert_string_equal(mn_entity_str(&e, 4), "Amina");
    mn_entity_release(&e);
    assert_int_equal(e.n, 0);
}

static void
test_higher_hlc_wins(void **state) {
    mn_entity e;

    (void)state;
    mn_entity_init(&e, 1, ID);
    assert_int_equal(merge_str(&e, 4, "first", stamp(10, 5, 1)), 1);
    assert_int_equal(merge_str(&e, 4, "later", stamp(11, 1, 2)), 1);
    assert_string_equal(mn_entity_str(&e, 4), "later");
    assert_stamp(mn_entity_get(&e, 4), 11, 1, 2);
    /* An older write arriving late loses, whatever its origin. */
    assert_int_equal(merge_str(&e, 4, "stale", stamp(10, 64, 3)), 0);
    assert_string_equal(mn_entity_str(&e, 4), "later");
    assert_stamp(mn_entity_get(&e, 4), 11, 1, 2);
    /* And the other way round: the late write arrives first. */
    mn_entity_release(&e);
    mn_entity_init(&e, 1, ID);
    assert_int_equal(merge_str(&e, 4, "later", stamp(11, 1, 2)), 1);
    assert_int_equal(merge_str(&e, 4, "first", stamp(10, 5, 1)), 0);
    assert_string_equal(mn_entity_str(&e, 4), "later");
    /* Kind can change with the winner. */
    assert_int_equal(merge_int(&e, 4, 12, stamp(12, 1, 3)), 1);
    assert_true(mn_entity_int(&e, 4, 0) == 12);
    assert_null(mn_entity_str(&e, 4));
    mn_entity_release(&e);
}

static void
test_equal_hlc_higher_origin_wins(void **state) {
    mn_entity a, b;

    (void)state;
    mn_entity_init(&a, 1, ID);
    mn_entity_init(&b, 1, ID);
    assert_int_equal(merge_str(&a, 3, "from 2", stamp(50, 2, 9)), 1);
    assert_int_equal(merge_str(&a, 3, "from 7", stamp(50, 7, 1)), 1);
    assert_int_equal(merge_str(&b, 3, "from 7", stamp(50, 7, 1)), 1);
    assert_int_equal(merge_str(&b, 3, "from 2", stamp(50, 2, 9)), 0);
    assert_string_equal(mn_entity_str(&a, 3), "from 7");
    assert_string_equal(mn_entity_str(&b, 3), "from 7");
    assert_stamp(mn_entity_get(&a, 3), 50, 7, 1);
    assert_stamp(mn_entity_get(&b, 3), 50, 7, 1);
    mn_entity_release(&a);
    mn_entity_release(&b);
}

/* An equal stamp is the same change seen again: nothing changes, even
 * if (impossibly) the value differs. */
static void
test_equal_stamp_is_noop(void **state) {
    mn_entity e;

    (void)state;
    mn_entity_init(&e, 1, ID);
    assert_int_equal(merge_str(&e, 9, "SY", stamp(70, 4, 1)), 1);
    assert_int_equal(merge_str(&e, 9, "SY", stamp(70, 4, 1)), 0);
    assert_int_equal(merge_str(&e, 9, "AF", stamp(70, 4, 2)), 0);
    assert_int_equal(merge_clear(&e, 9, stamp(70, 4, 3)), 0);
    assert_string_equal(mn_entity_str(&e, 9), "SY");
    assert_stamp(mn_entity_get(&e, 9), 70, 4, 1);
    mn_entity_release(&e);
}

static void
test_clear_values(void **state) {
    mn_entity e;

    (void)state;
    mn_entity_init(&e, 1, ID);
    assert_int_equal(merge_str(&e, 6, "a@b.dk", stamp(10, 1, 1)), 1);
    assert_int_equal(merge_clear(&e, 6, stamp(20, 1, 2)), 1);
    assert_null(mn_entity_str(&e, 6));
    assert_int_equal(mn_entity_get(&e, 6)->v.kind, MN_V_NONE);
    assert_stamp(mn_entity_get(&e, 6), 20, 1, 2);
    /* The clear is a write like any other: an older value stays out... */
    assert_int_equal(merge_str(&e, 6, "old@b.dk", stamp(15, 9, 1)), 0);
    assert_null(mn_entity_str(&e, 6));
    /* ...and a newer one comes back in. */
    assert_int_equal(merge_str(&e, 6, "new@b.dk", stamp(30, 1, 3)), 1);
    assert_string_equal(mn_entity_str(&e, 6), "new@b.dk");
    /* Clearing a field never written creates it, cleared. */
    assert_int_equal(merge_clear(&e, 7, stamp(5, 1, 1)), 1);
    assert_non_null(mn_entity_get(&e, 7));
    assert_int_equal(mn_entity_get(&e, 7)->v.kind, MN_V_NONE);
    mn_entity_release(&e);
}

static void
test_fields_stay_sorted(void **state) {
    static const uint32_t order[] = {30, 5,  17, 1, 48, 2, MN_FIELD_NO_MAX,
                                     29, 31, 4};
    mn_entity e;

    (void)state;
    mn_entity_init(&e, 1, ID);
    for (size_t i = 0; i < MN_ARRAY_LEN(order); i++) {
        assert_int_equal(
            merge_int(&e, order[i], order[i], stamp(i + 1, 1, i + 1)), 1);
        for (size_t j = 1; j < e.n; j++)
            assert_true(e.f[j - 1].no < e.f[j].no);
    }
    assert_int_equal(e.n, MN_ARRAY_LEN(order));
    for (size_t i = 0; i < MN_ARRAY_LEN(order); i++)
        assert_true(mn_entity_int(&e, order[i], -1) == order[i]);
    /* Overwrites do not disturb the order or the count. */
    assert_int_equal(merge_int(&e, 17, -17, stamp(100, 1, 100)), 1);
    assert_int_equal(e.n, MN_ARRAY_LEN(order));
    for (size_t j = 1; j < e.n; j++)
        assert_true(e.f[j - 1].no < e.f[j].no);
    assert_true(mn_entity_int(&e, 17, 0) == -17);
    mn_entity_release(&e);
}

/* Every field number fits, in any order: an entity has room for all of
 * 1..MN_FIELD_NO_MAX, so a merge never fails for lack of room. */
static void
test_capacity(void **state) {
    mn_entity e;

    (void)state;
    mn_entity_init(&e, 1, ID);
    for (uint32_t i = 0; i < MN_FIELD_NO_MAX; i++) {
        uint32_t no = 1 + (i * 29) % MN_FIELD_NO_MAX; /* 29 is coprime */
        assert_int_equal(merge_int(&e, no, no, stamp(1, 1, 1)), 1);
    }
    assert_int_equal(e.n, MN_FIELD_NO_MAX);
    assert_true(MN_ENTITY_MAX_FIELDS >= MN_FIELD_NO_MAX);
    for (size_t j = 0; j < e.n; j++)
        assert_int_equal(e.f[j].no, j + 1);
    /* Full, existing fields are still overwritten. */
    assert_int_equal(merge_int(&e, 10, -10, stamp(3, 1, 3)), 1);
    assert_int_equal(merge_str(&e, MN_FIELD_NO_MAX, "x", stamp(3, 1, 3)), 1);
    assert_true(mn_entity_int(&e, 10, 0) == -10);
    assert_string_equal(mn_entity_str(&e, MN_FIELD_NO_MAX), "x");
    assert_int_equal(e.n, MN_FIELD_NO_MAX);
    mn_entity_release(&e);
}

static void
test_last_stamp(void **state) {
    mn_entity e;

    (void)state;
    mn_entity_init(&e, 1, ID);
    mn_stamp last = mn_entity_last_stamp(&e);
    assert_true(last.hlc == 0 && last.origin == 0);
    merge_int(&e, 1, 1, stamp(10, 3, 1));
    merge_int(&e, 2, 1, stamp(30, 1, 2));
    merge_int(&e, 3, 1, stamp(30, 2, 5));
    merge_int(&e, 4, 1, stamp(20, 9, 9));
    last = mn_entity_last_stamp(&e);
    assert_true(last.hlc == 30);
    assert_int_equal(last.origin, 2);
    assert_true(last.seq == 5);
    mn_entity_release(&e);
}

/* ---- commutativity and idempotence ------------------------------------ */

#define LISTS 8
#define UNIVERSE 12 /* field numbers 1..12, so lists overlap */

struct change {
    mn_ops ops;
    mn_stamp st;
};

/* Random op lists with random, pairwise distinct stamps drawn from 4 hlcs
 * x 4 origins, so hlcs often tie and both halves of the rule are
 * exercised. */
static void
random_changes(test_rng *r, struct change *c, size_t n) {
    size_t pick[16];
    assert_true(n <= MN_ARRAY_LEN(pick));
    for (size_t i = 0; i < MN_ARRAY_LEN(pick); i++)
        pick[i] = i;
    rng_shuffle(r, pick, MN_ARRAY_LEN(pick));
    for (size_t i = 0; i < n; i++) {
        c[i].st = stamp(1000 + pick[i] / 4, 1 + (uint32_t)(pick[i] % 4), i + 1);
        mn_ops_init(&c[i].ops);
        for (uint32_t no = 1; no <= UNIVERSE; no++) {
            if (rng_below(r, 2))
                continue;
            char text[32];
            switch (rng_below(r, 3)) {
            case 0: mn_ops_add_int(&c[i].ops, no, (int64_t)rng_next(r)); break;
            case 1:
                snprintf(text, sizeof text, "v%zu-%u", i, no);
                mn_ops_add_str(&c[i].ops, no, text, strlen(text));
                break;
            default: mn_ops_add_clear(&c[i].ops, no); break;
            }
        }
        /* ops in random field order, as a peer may send them */
        size_t idx[MN_ENTITY_MAX_FIELDS];
        mn_field_op tmp[MN_ENTITY_MAX_FIELDS];
        for (size_t k = 0; k < c[i].ops.n; k++)
            idx[k] = k;
        rng_shuffle(r, idx, c[i].ops.n);
        for (size_t k = 0; k < c[i].ops.n; k++)
            tmp[k] = c[i].ops.op[idx[k]];
        memcpy(c[i].ops.op, tmp, c[i].ops.n * sizeof tmp[0]);
    }
}

static void
apply_order(mn_entity *e, struct change *c, const size_t *order, size_t n) {
    mn_entity_init(e, MN_ENTITY_PARTICIPANT, ID);
    for (size_t i = 0; i < n; i++) {
        struct change *ch = &c[order[i]];
        assert_true(mn_entity_merge(e, ch->ops.op, ch->ops.n, &ch->st) >= 0);
    }
}

static void
encode(const mn_entity *e, mn_buf *out) {
    mn_buf_reset(out);
    mn_codec_entity_encode(e, out);
}

/* The model: field `no` holds the op of the change with the greatest
 * stamp among those that write it. */
static void
check_against_model(const mn_entity *e, const struct change *c, size_t n) {
    size_t written = 0;
    for (uint32_t no = 1; no <= UNIVERSE; no++) {
        const struct change *best = NULL;
        const mn_field_op *best_op = NULL;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < c[i].ops.n; k++)
                if (c[i].ops.op[k].no == no &&
                    (!best || mn_stamp_cmp(&c[i].st, &best->st) > 0)) {
                    best = &c[i];
                    best_op = &c[i].ops.op[k];
                }
        const mn_field *f = mn_entity_get(e, no);
        if (!best) {
            assert_null(f);
            continue;
        }
        written++;
        assert_non_null(f);
        assert_int_equal(mn_stamp_cmp(&f->stamp, &best->st), 0);
        assert_true(f->stamp.seq == best->st.seq);
        assert_int_equal(f->v.kind, best_op->v.kind);
        if (f->v.kind == MN_V_INT)
            assert_true(f->v.i == best_op->v.i);
        if (f->v.kind == MN_V_STR)
            assert_string_equal(f->v.s, best_op->v.s);
    }
    assert_int_equal(e->n, written);
}

static void
test_commutative_and_idempotent(void **state) {
    test_rng r = {0xc0ffee};
    struct change c[LISTS];
    size_t order[2 * LISTS];
    mn_buf ref, got;
    mn_entity e;

    (void)state;
    mn_buf_init(&ref);
    mn_buf_init(&got);
    for (int round = 0; round < 40; round++) {
        size_t n = 2 + (size_t)rng_below(&r, LISTS - 1);
        random_changes(&r, c, n);
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        apply_order(&e, c, order, n);
        check_against_model(&e, c, n);
        encode(&e, &ref);
        mn_entity_release(&e);

        for (int perm = 0; perm < 50; perm++) {
            rng_shuffle(&r, order, n);
            apply_order(&e, c, order, n);
            encode(&e, &got);
            assert_int_equal(got.len, ref.len);
            assert_memory_equal(got.p, ref.p, ref.len);
            mn_entity_release(&e);
        }
        /* Every change delivered twice, interleaved at random. */
        for (size_t i = 0; i < n; i++)
            order[n + i] = order[i] = i;
        for (int perm = 0; perm < 20; perm++) {
            rng_shuffle(&r, order, 2 * n);
            apply_order(&e, c, order, 2 * n);
            encode(&e, &got);
            assert_int_equal(got.len, ref.len);
            assert_memory_equal(got.p, ref.p, ref.len);
            mn_entity_release(&e);
        }
        /* Applying everything again to the result changes nothing. */
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        apply_order(&e, c, order, n);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(
                mn_entity_merge(&e, c[i].ops.op, c[i].ops.n, &c[i].st), 0);
        encode(&e, &got);
        assert_memory_equal(got.p, ref.p, ref.len);
        mn_entity_release(&e);
        for (size_t i = 0; i < n; i++)
            mn_ops_release(&c[i].ops);
    }
    mn_buf_release(&ref);
    mn_buf_release(&got);
}

/* ---- mn_ops and mn_entity_copy ---------------------------------------- */

static void
test_ops(void **state) {
    mn_ops o;
    char text[] = "mutable";

    (void)state;
    mn_ops_init(&o);
    assert_int_equal(o.n, 0);
    mn_ops_add_int(&o, 8, -42);
    mn_ops_add_str(&o, 4, text, strlen(text));
    mn_ops_add_str(&o, 5, "truncate me", 8); /* only len bytes */
    mn_ops_add_clear(&o, 6);
    assert_int_equal(o.n, 4);
    assert_int_equal(o.op[0].no, 8);
    assert_int_equal(o.op[0].v.kind, MN_V_INT);
    assert_true(o.op[0].v.i == -42);
    assert_null(o.op[0].v.s);
    /* The string was copied, not borrowed. */
    text[0] = 'M';
    assert_int_equal(o.op[1].v.kind, MN_V_STR);
    assert_string_equal(o.op[1].v.s, "mutable");
    assert_int_equal(o.op[1].v.len, 7);
    assert_string_equal(o.op[2].v.s, "truncate");
    assert_int_equal(o.op[2].v.len, 8);
    assert_int_equal(o.op[3].v.kind, MN_V_NONE);
    assert_null(o.op[3].v.s);
    mn_ops_release(&o);
    assert_int_equal(o.n, 0);
    mn_ops_release(&o); /* releasing an empty list is fine */

    /* Filled to capacity and released. */
    for (uint32_t i = 0; i < MN_ENTITY_MAX_FIELDS; i++)
        mn_ops_add_str(&o, i + 1, "x", 1);
    assert_int_equal(o.n, MN_ENTITY_MAX_FIELDS);
    mn_ops_release(&o);
    assert_int_equal(o.n, 0);
}

static void
test_entity_copy_is_deep(void **state) {
    mn_entity a, b;
    mn_buf ea, eb;

    (void)state;
    mn_entity_init(&a, 1, ID);
    merge_str(&a, 4, "Amina", stamp(5, 1, 1));
    merge_int(&a, 8, 1988, stamp(5, 1, 1));
    merge_clear(&a, 6, stamp(6, 2, 1));
    merge_str(&a, 9, "SY", stamp(7, 3, 4));
    mn_entity_copy(&b, &a);
    mn_buf_init(&ea);
    mn_buf_init(&eb);
    encode(&a, &ea);
    encode(&b, &eb);
    assert_int_equal(ea.len, eb.len);
    assert_memory_equal(ea.p, eb.p, ea.len);
    assert_ptr_not_equal(mn_entity_str(&a, 4), mn_entity_str(&b, 4));
    assert_ptr_not_equal(mn_entity_str(&a, 9), mn_entity_str(&b, 9));

    /* Changing or freeing the original leaves the copy alone. */
    merge_str(&a, 4, "Changed", stamp(9, 1, 2));
    assert_string_equal(mn_entity_str(&b, 4), "Amina");
    mn_entity_release(&a);
    encode(&b, &ea);
    assert_memory_equal(ea.p, eb.p, eb.len);
    assert_string_equal(mn_entity_str(&b, 9), "SY");
    assert_stamp(mn_entity_get(&b, 9), 7, 3, 4);

    /* Copy of an empty entity. */
    mn_entity_init(&a, 2, ID);
    mn_entity_release(&b);
    mn_entity_copy(&b, &a);
    assert_int_equal(b.n, 0);
    assert_int_equal(b.type, 2);
    mn_entity_release(&b);
    mn_buf_release(&ea);
    mn_buf_release(&eb);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stamp_cmp),
        cmocka_unit_test(test_merge_into_empty),
        cmocka_unit_test(test_higher_hlc_wins),
        cmocka_unit_test(test_equal_hlc_higher_origin_wins),
        cmocka_unit_test(test_equal_stamp_is_noop),
        cmocka_unit_test(test_clear_values),
        cmocka_unit_test(test_fields_stay_sorted),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_last_stamp),
        cmocka_unit_test(test_commutative_and_idempotent),
        cmocka_unit_test(test_ops),
        cmocka_unit_test(test_entity_copy_is_deep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
