/*
 * conflicts_test — the conflict list is a function of the applied changes:
 * concurrent writers applied in every order give the same list and digest;
 * a write that saw a value removes it from the list; a local write clears
 * its field's list; applying a change again changes nothing; and random
 * causal histories, applied in random causal orders, give the list the
 * definition gives (the maximal writes of each field other than the
 * winner). The state digest always equals a recomputation that includes
 * the list.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "unit_helpers.h"

#include "door/codec.h"
#include "state/participant.h"
#include "state/state.h"

#define MAX_CHANGES 64
#define NFIELDS 2

static const uint32_t fields[NFIELDS] = {MN_P_NOTES, MN_P_STATUS};
static const uint8_t entity_id[MN_ID_BYTES] = {0x01, 0x8c, 0x42};

/* One change writing one value (or a local write when local is set). */
struct change {
    mn_stamp st;
    mn_vv deps;
    uint32_t field;
    char value[16];
    bool local;
};

/* What a store shows: its digest and its list, serialised. */
struct outcome {
    uint8_t digest[MN_HASH_BYTES];
    mn_buf list;
    size_t n;
};

struct store {
    char dir[PATH_MAX];
    mn_store *s;
    uint8_t digest[MN_HASH_BYTES];
    mn_buf scratch;
};

static void
store_open(struct store *st) {
    char err[256];
    tmpdir_make(st->dir, sizeof st->dir, "conflicts");
    assert_int_equal(
        mn_store_open(st->dir, 16 << 20, false, &st->s, err, sizeof err),
        MN_OK);
    memset(st->digest, 0, sizeof st->digest);
    mn_buf_init(&st->scratch);
}

static void
store_close(struct store *st) {
    mn_store_destroy(&st->s);
    mn_buf_release(&st->scratch);
    tmpdir_remove(st->dir);
}

/* Log the change's header (its deps are what a later apply looks up). */
static void
log_change(mn_txn *t, const struct change *c) {
    static const uint8_t nonce[MN_NONCE_BYTES], body[MN_TAG_BYTES];
    mn_change_header h = {.origin = c->st.origin,
                          .seq = c->st.seq,
                          .hlc = c->st.hlc,
                          .key_id = 1,
                          .deps = c->deps};
    mn_buf header, bytes;
    uint8_t key[12];
    mn_buf_init(&header);
    mn_buf_init(&bytes);
    mn_codec_header_encode(&h, &header);
    mn_change_view view = {.header = header.p,
                           .header_len = header.len,
                           .nonce = nonce,
                           .ciphertext = body,
                           .ciphertext_len = sizeof body};
    mn_codec_change_encode(&view, &bytes);
    mn_put_be32(key, c->st.origin);
    mn_put_be64(key + 4, c->st.seq);
    assert_int_equal(
        mn_txn_put(t, MN_DB_LOG, key, sizeof key, bytes.p, bytes.len, 0),
        MN_OK);
    mn_buf_release(&header);
    mn_buf_release(&bytes);
}

static void
apply(struct store *st, const struct change *c) {
    mn_txn *t;
    mn_ops ops;
    mn_ops_init(&ops);
    mn_ops_add_str(&ops, c->field, c->value, strlen(c->value));
    assert_int_equal(mn_store_begin(st->s, true, &t), MN_OK);
    log_change(t, c);
    assert_int_equal(mn_state_apply(t, st->digest, MN_ENTITY_PARTICIPANT,
                                    entity_id, ops.op, ops.n, &c->st,
                                    c->local ? NULL : &c->deps, &st->scratch),
                     MN_OK);
    assert_int_equal(mn_txn_commit(&t), MN_OK);
    mn_ops_release(&ops);
}

static void
list_one(void *user, const mn_conflict *c) {
    struct outcome *o = user;
    uint8_t len = (uint8_t)c->value.len;
    mn_buf_append(&o->list, c->id, MN_ID_BYTES);
    mn_buf_append(&o->list, &c->field, sizeof c->field);
    /* Member by member: a stamp's padding bytes are not part of it. */
    const mn_stamp *sides[2] = {&c->loser, &c->winner};
    for (int i = 0; i < 2; i++) {
        mn_buf_append(&o->list, &sides[i]->hlc, sizeof sides[i]->hlc);
        mn_buf_append(&o->list, &sides[i]->origin, sizeof sides[i]->origin);
        mn_buf_append(&o->list, &sides[i]->seq, sizeof sides[i]->seq);
    }
    mn_buf_append(&o->list, &len, 1);
    mn_buf_append(&o->list, c->value.s, c->value.len);
    o->n++;
}

/* Read the list and check the digest against a recomputation. */
static void
read_outcome(struct store *st, struct outcome *o) {
    uint8_t again[MN_HASH_BYTES];
    mn_txn *t;
    mn_buf_init(&o->list);
    o->n = 0;
    memcpy(o->digest, st->digest, MN_HASH_BYTES);
    assert_int_equal(mn_store_begin(st->s, false, &t), MN_OK);
    assert_int_equal(mn_state_conflicts(t, 1000, list_one, o), MN_OK);
    assert_int_equal(mn_state_digest_recount(t, again), MN_OK);
    mn_txn_abort(&t);
    assert_memory_equal(again, st->digest, MN_HASH_BYTES);
}

static void
assert_same(const struct outcome *a, const struct outcome *b) {
    assert_memory_equal(a->digest, b->digest, MN_HASH_BYTES);
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->list.len, b->list.len);
    assert_memory_equal(a->list.p, b->list.p, a->list.len);
}

/* Apply changes in order to a fresh store; o gets what it shows. */
static void
run_order(const struct change *c, const size_t *order, size_t n,
          struct outcome *o) {
    struct store st;
    store_open(&st);
    for (size_t i = 0; i < n; i++)
        apply(&st, &c[order[i]]);
    read_outcome(&st, o);
    store_close(&st);
}

/* The listed values of field, in list order, joined by ','. */
struct values {
    uint32_t field;
    char z[256];
    mn_stamp winner;
};

static void
values_one(void *user, const mn_conflict *c) {
    struct values *out = user;
    if (c->field != out->field)
        return;
    if (out->z[0])
        strcat(out->z, ",");
    strncat(out->z, c->value.s, c->value.len);
    out->winner = c->winner;
}

static void
listed(struct store *st, uint32_t field, struct values *out) {
    mn_txn *t;
    memset(out, 0, sizeof *out);
    out->field = field;
    assert_int_equal(mn_store_begin(st->s, false, &t), MN_OK);
    assert_int_equal(mn_state_conflicts(t, 1000, values_one, out), MN_OK);
    mn_txn_abort(&t);
}

static struct change
change(uint32_t origin, uint64_t seq, uint64_t hlc, uint32_t field,
       const char *value) {
    struct change c = {.st = {hlc, origin, seq}, .field = field};
    snprintf(c.value, sizeof c.value, "%s", value);
    return c;
}

/* Lexicographic next permutation of idx[0..n); false after the last. */
static bool
next_permutation(size_t *idx, size_t n) {
    size_t i = n - 1, j = n - 1;
    while (i > 0 && idx[i - 1] >= idx[i])
        i--;
    if (i == 0)
        return false;
    while (idx[j] <= idx[i - 1])
        j--;
    size_t tmp = idx[i - 1];
    idx[i - 1] = idx[j];
    idx[j] = tmp;
    for (size_t a = i, b = n - 1; a < b; a++, b--) {
        tmp = idx[a];
        idx[a] = idx[b];
        idx[b] = tmp;
    }
    return true;
}

/* A base write every writer saw, then four writers who saw only it. */
static void
make_four_writers(struct change *c) {
    c[0] = change(1, 1, 100, MN_P_NOTES, "base");
    c[1] = change(2, 1, 300, MN_P_NOTES, "from 2");
    c[2] = change(3, 1, 200, MN_P_NOTES, "from 3");
    c[3] = change(4, 1, 400, MN_P_NOTES, "from 4");
    c[4] = change(5, 1, 250, MN_P_NOTES, "from 5");
    for (int i = 1; i <= 4; i++)
        mn_vv_set(&c[i].deps, 1, 1);
}

static void
test_concurrent_writers_every_order(void **unused) {
    (void)unused;
    struct change c[5];
    size_t order[5] = {0, 1, 2, 3, 4}, runs = 0;
    struct outcome first, other;
    make_four_writers(c);
    run_order(c, order, 5, &first);
    assert_int_equal(first.n, 3); /* "base" was seen by all: not listed */
    while (next_permutation(order + 1, 4)) {
        run_order(c, order, 5, &other);
        assert_same(&first, &other);
        mn_buf_release(&other.list);
        runs++;
    }
    assert_int_equal(runs, 23);
    mn_buf_release(&first.list);

    struct store st;
    struct values v;
    store_open(&st);
    for (int i = 0; i < 5; i++)
        apply(&st, &c[i]);
    listed(&st, MN_P_NOTES, &v);
    assert_string_equal(v.z, "from 3,from 5,from 2"); /* stamp order */
    assert_int_equal(v.winner.origin, 4);
    store_close(&st);
}

static void
test_write_that_saw_removes(void **unused) {
    (void)unused;
    struct store st;
    struct values v;
    struct change c[5];
    make_four_writers(c);
    mn_vv_set(&c[3].deps, 3, 1); /* 4 (the latest) saw 3, listed when it came */
    mn_vv_set(&c[4].deps, 2, 1); /* 5 (losing to 4) saw 2 ... */
    c[4].st.hlc = 350;           /* ... so its clock is past 2's */
    store_open(&st);
    for (int i = 0; i < 3; i++)
        apply(&st, &c[i]);
    listed(&st, MN_P_NOTES, &v);
    assert_string_equal(v.z, "from 3");
    apply(&st, &c[3]);
    listed(&st, MN_P_NOTES, &v);
    assert_string_equal(v.z, "from 2"); /* 3 was seen; 2 was not */
    assert_int_equal(v.winner.origin, 4);
    apply(&st, &c[4]);
    listed(&st, MN_P_NOTES, &v);
    assert_string_equal(v.z, "from 5"); /* 2 was seen by 5 */
    assert_int_equal(v.winner.origin, 4);
    store_close(&st);
}

/* 2's value is overwritten by 2 itself while 3 (concurrent with both)
 * wins: the overwritten value is not listed, though it was concurrent
 * with the winner. Every causal order gives that. */
static void
test_overwritten_value_not_listed(void **unused) {
    (void)unused;
    struct change c[4] = {
        change(1, 1, 100, MN_P_NOTES, "base"),
        change(2, 1, 200, MN_P_NOTES, "first"),
        change(2, 2, 300, MN_P_NOTES, "second"),
        change(3, 1, 400, MN_P_NOTES, "third"),
    };
    static const size_t orders[3][4] = {
        {0, 1, 2, 3}, {0, 1, 3, 2}, {0, 3, 1, 2}};
    mn_vv_set(&c[1].deps, 1, 1);
    mn_vv_set(&c[3].deps, 1, 1);
    c[2].deps = c[1].deps;
    mn_vv_set(&c[2].deps, 2, 1);
    for (int i = 0; i < 3; i++) {
        struct store st;
        struct values v;
        store_open(&st);
        for (int k = 0; k < 4; k++)
            apply(&st, &c[orders[i][k]]);
        listed(&st, MN_P_NOTES, &v);
        assert_string_equal(v.z, "second");
        assert_int_equal(v.winner.origin, 3);
        store_close(&st);
    }
}

static void
test_local_write_clears(void **unused) {
    (void)unused;
    struct store st;
    struct values v;
    struct change c[5];
    make_four_writers(c);
    store_open(&st);
    for (int i = 0; i < 5; i++)
        apply(&st, &c[i]);
    struct change other = change(2, 2, 500, MN_P_STATUS, "waiting");
    struct change beats = change(3, 2, 600, MN_P_STATUS, "matched");
    mn_vv_set(&other.deps, 1, 1);
    mn_vv_set(&beats.deps, 1, 1);
    apply(&st, &other);
    apply(&st, &beats);
    listed(&st, MN_P_STATUS, &v);
    assert_string_equal(v.z, "waiting");
    struct change local = change(1, 2, 700, MN_P_NOTES, "local");
    local.local = true;
    apply(&st, &local);
    listed(&st, MN_P_NOTES, &v);
    assert_string_equal(v.z, "");
    listed(&st, MN_P_STATUS, &v); /* another field keeps its list */
    assert_string_equal(v.z, "waiting");
    struct outcome o;
    read_outcome(&st, &o); /* the digest followed the removals */
    assert_int_equal(o.n, 1);
    mn_buf_release(&o.list);
    store_close(&st);
}

static void
test_duplicates_change_nothing(void **unused) {
    (void)unused;
    struct store st;
    struct change c[6];
    struct outcome before, after;
    make_four_writers(c);
    c[5] = change(2, 2, 500, MN_P_NOTES, "2 again"); /* saw 2 and 3 */
    c[5].deps = c[1].deps;
    mn_vv_set(&c[5].deps, 2, 1);
    mn_vv_set(&c[5].deps, 3, 1);
    store_open(&st);
    for (int i = 0; i < 6; i++)
        apply(&st, &c[i]);
    read_outcome(&st, &before);
    for (int i = 5; i >= 0; i--) /* listed, winning and overwritten ones */
        apply(&st, &c[i]);
    read_outcome(&st, &after);
    assert_same(&before, &after);
    assert_int_equal(before.n, 2); /* 4's and 5's: 2 and 3 were seen */
    mn_buf_release(&before.list);
    mn_buf_release(&after.list);
    store_close(&st);
}

/* ---- random causal histories ---------------------------------------- */

#define NWRITERS 4

struct history {
    struct change c[MAX_CHANGES];
    size_t n;
};

/* Writers write and exchange everything they know; each write's deps are
 * what its writer had then, its clock beyond everything it saw. */
static void
make_history(test_rng *r, struct history *h) {
    mn_vv known[NWRITERS + 1] = {0};
    uint64_t clock[NWRITERS + 1] = {0};
    h->n = 0;
    while (h->n < 24) {
        uint32_t w = (uint32_t)rng_below(r, NWRITERS) + 1;
        uint32_t from = (uint32_t)rng_below(r, NWRITERS) + 1;
        if (rng_below(r, 3) == 0) { /* w learns what from knows */
            for (uint32_t o = 1; o <= NWRITERS; o++)
                if (mn_vv_get(&known[from], o) > mn_vv_get(&known[w], o))
                    mn_vv_set(&known[w], o, mn_vv_get(&known[from], o));
            clock[w] = clock[w] > clock[from] ? clock[w] : clock[from];
            continue;
        }
        struct change *c = &h->c[h->n++];
        char value[16];
        snprintf(value, sizeof value, "v%zu", h->n);
        clock[w] += 1 + rng_below(r, 3);
        *c = change(w, mn_vv_get(&known[w], w) + 1, clock[w],
                    fields[rng_below(r, NFIELDS)], value);
        c->deps = known[w];
        mn_vv_set(&known[w], w, c->st.seq);
    }
}

/* A random order in which every change comes after its deps. */
static void
causal_order(test_rng *r, const struct history *h, size_t *order) {
    mn_vv applied = {0};
    bool done[MAX_CHANGES] = {false};
    for (size_t n = 0; n < h->n;) {
        size_t i = (size_t)rng_below(r, h->n);
        const struct change *c = &h->c[i];
        bool ready =
            !done[i] && c->st.seq == mn_vv_get(&applied, c->st.origin) + 1;
        for (uint32_t o = 1; ready && o <= NWRITERS; o++)
            ready = mn_vv_get(&c->deps, o) <= mn_vv_get(&applied, o);
        if (!ready)
            continue;
        done[i] = true;
        mn_vv_set(&applied, c->st.origin, c->st.seq);
        order[n++] = i;
    }
}

/* By the definition: the writes of field that no other write saw. */
static void
expected_list(const struct history *h, uint32_t field, char *z) {
    const struct change *winner = NULL;
    bool maximal[MAX_CHANGES];
    for (size_t i = 0; i < h->n; i++) {
        const struct change *a = &h->c[i];
        maximal[i] = a->field == field;
        for (size_t k = 0; maximal[i] && k < h->n; k++)
            maximal[i] = h->c[k].field != field ||
                         mn_vv_get(&h->c[k].deps, a->st.origin) < a->st.seq;
        if (maximal[i] && (!winner || mn_stamp_cmp(&a->st, &winner->st) > 0))
            winner = a;
    }
    z[0] = '\0';
    for (uint64_t hlc = 0; hlc < 1000; hlc++) /* in stamp order */
        for (uint32_t o = 1; o <= NWRITERS; o++)
            for (size_t i = 0; i < h->n; i++)
                if (maximal[i] && &h->c[i] != winner && h->c[i].st.hlc == hlc &&
                    h->c[i].st.origin == o) {
                    if (z[0])
                        strcat(z, ",");
                    strcat(z, h->c[i].value);
                }
}

static void
test_random_histories_match_definition(void **unused) {
    (void)unused;
    test_rng r = {42};
    size_t order[MAX_CHANGES], nmulti = 0;
    for (int run = 0; run < 30; run++) {
        struct history h;
        struct outcome first;
        make_history(&r, &h);
        for (int k = 0; k < 4; k++) {
            struct store st;
            struct values v;
            char want[256];
            causal_order(&r, &h, order);
            store_open(&st);
            for (size_t i = 0; i < h.n; i++)
                apply(&st, &h.c[order[i]]);
            for (int f = 0; f < NFIELDS; f++) {
                expected_list(&h, fields[f], want);
                listed(&st, fields[f], &v);
                assert_string_equal(v.z, want);
                nmulti += strchr(want, ',') != NULL;
            }
            struct outcome o;
            read_outcome(&st, &o);
            if (k == 0)
                first = o;
            else {
                assert_same(&first, &o);
                mn_buf_release(&o.list);
            }
            store_close(&st);
        }
        mn_buf_release(&first.list);
    }
    assert_true(nmulti > 10); /* the histories do hold concurrent writes */
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_writers_every_order),
        cmocka_unit_test(test_write_that_saw_removes),
        cmocka_unit_test(test_overwritten_value_not_listed),
        cmocka_unit_test(test_local_write_clears),
        cmocka_unit_test(test_duplicates_change_nothing),
        cmocka_unit_test(test_random_histories_match_definition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
