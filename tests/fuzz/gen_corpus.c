/*
 * gen_corpus — writes the seed inputs of the fuzz harnesses, so the fuzzer
 * starts past the decoders: for fuzz_peer, valid messages against the
 * deterministic world of peer_world.c (correctly chained, encrypted and
 * signed Batches, Hellos, Acks) and a few that each break one rule; for
 * fuzz_codec, one valid encoding of every message type; for fuzz_json and
 * fuzz_config, representative bodies and config files.
 *
 *   gen_corpus DIR      writes DIR/{peer,codec,json,config}/seed-*
 *
 * The seeds are committed under tests/fuzz/corpus/ with what the fuzzer
 * found; rerun this only when the wire format or the world changes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "state/participant.h"
#include "peer_world.h"

static const char *outdir;

static void
put(const char *corpus, const char *name, uint8_t flags, const void *p,
    size_t n, bool with_flags) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", outdir, corpus);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/seed-%s", outdir, corpus, name);
    FILE *f = fopen(path, "wb");
    if (!f || (with_flags && fputc(flags, f) == EOF) ||
        (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void
put_peer(const char *name, uint8_t flags, const mn_buf *msg) {
    put("peer", name, flags, msg->p, msg->len, true);
}

static void
put_codec(const char *name, const mn_buf *b) {
    put("codec", name, 0, b->p, b->len, false);
}

static void
put_text(const char *corpus, const char *name, const char *z) {
    put(corpus, name, 0, z, strlen(z), false);
}

/* ---- fuzz_peer -------------------------------------------------------- */

/* One change of chain c on entity id at hlc, depending on deps. */
static void
one(pw_chain *c, pw_batch *b, uint64_t hlc, const mn_vv *deps,
    const uint8_t *id, void (*fill)(pw_spec *)) {
    pw_spec s;
    pw_spec_init(&s, hlc, id);
    if (deps)
        s.deps = *deps;
    fill(&s);
    pw_change(c, &s, b);
    pw_spec_release(&s);
}

static void
fill_create(pw_spec *s) {
    pw_spec_create(s, "mentor", PW_PEER, "Hana", "Yusuf");
    mn_ops_add_int(&s->ops, MN_P_CAPACITY, 3);
    pw_add_sealed(&s->ops, MN_P_NOTES, "likes chess\nand tea");
}

static void
fill_rename(pw_spec *s) {
    pw_add_sealed(&s->ops, MN_P_GIVEN_NAME, "Amira");
    mn_ops_add_str(&s->ops, MN_P_STATUS, "alumni", 6);
}

static void
fill_profession(pw_spec *s) {
    mn_ops_add_str(&s->ops, MN_P_PROFESSION, "Nurse", 5);
}

static void
fill_clear(pw_spec *s) {
    mn_ops_add_clear(&s->ops, MN_P_NOTES);
    mn_ops_add_int(&s->ops, MN_P_YEARS_IN_DK, 4);
}

static void
fill_odd_type(pw_spec *s) {
    s->type = 7; /* an entity type this version does not know */
    mn_ops_add_int(&s->ops, 999, -1);
}

static void
fill_none(pw_spec *s) {
    (void)s; /* no ops: decrypts, then fails to decode */
}

/* Encode b signed at c's head by signer, write it, release b. */
static void
emit(const char *name, uint8_t flags, pw_batch *b, const pw_chain *c,
     uint32_t signer) {
    mn_buf msg;
    mn_buf_init(&msg);
    pw_batch_encode(b, c, signer, &msg);
    put_peer(name, flags, &msg);
    mn_buf_release(&msg);
    pw_batch_release(b);
}

static void
emit_vv(const char *name, uint8_t flags, bool hello, uint32_t node,
        const mn_vv *vv, uint32_t credit) {
    mn_buf msg;
    mn_buf_init(&msg);
    if (hello)
        mn_codec_hello_encode(node, vv, credit, &msg);
    else
        mn_codec_ack_encode(vv, credit, &msg);
    put_peer(name, flags, &msg);
    mn_buf_release(&msg);
}

static void
peer_batches(const pw_world *base) {
    pw_world w;
    pw_batch b;
    mn_vv deps;
    pw_batch_init(&b);

    /* Origin 2 from seq 1: a create, a rename of A (which the ownership
     * rule refuses: A belongs to division 1), a clear. */
    w = *base;
    deps = base->vv;
    one(&w.chain[2], &b, PW_HLC(10000), &deps, w.id_d, fill_create);
    mn_vv_set(&deps, 1, 1);
    mn_vv_set(&deps, 3, 0);
    one(&w.chain[2], &b, PW_HLC(1000), &deps, w.id_a, fill_rename);
    deps = base->vv;
    one(&w.chain[2], &b, PW_HLC(900), &deps, w.id_d, fill_clear);
    emit("b2-new", 0, &b, &w.chain[2], 2);

    /* A concurrent edit of A's profession by division 2: refused by the
     * ownership rule (every field of hers is her home's). */
    w = *base;
    memset(&deps, 0, sizeof deps);
    mn_vv_set(&deps, 1, 1);
    one(&w.chain[2], &b, PW_HLC(42000), &deps, w.id_a, fill_profession);
    one(&w.chain[2], &b, PW_HLC(100), &base->vv, w.id_a, fill_profession);
    emit("b2-conflict", 0, &b, &w.chain[2], 2);

    /* The same, then time passes. */
    w = *base;
    one(&w.chain[2], &b, PW_HLC(10000), &base->vv, w.id_d, fill_create);
    emit("b2-new-tick", PW_FLAG_TICK, &b, &w.chain[2], 2);

    /* Depends on origin 3 seq 9: verified, then held pending. */
    w = *base;
    deps = base->vv;
    mn_vv_set(&deps, 3, 9);
    one(&w.chain[2], &b, PW_HLC(8000), &deps, w.id_d, fill_create);
    emit("b2-pending", 0, &b, &w.chain[2], 2);

    /* Gap: seq 2..3 without 1. */
    w = *base;
    one(&w.chain[2], &b, PW_HLC(8000), &base->vv, w.id_d, fill_create);
    pw_batch_release(&b);
    one(&w.chain[2], &b, PW_HLC(7000), &base->vv, w.id_d, fill_clear);
    one(&w.chain[2], &b, PW_HLC(6000), &base->vv, w.id_d, fill_rename);
    emit("b2-gap", 0, &b, &w.chain[2], 2);

    /* Clock too far ahead. */
    w = *base;
    one(&w.chain[2], &b, MN_HLC_MAKE(PW_NOW_MS + 2 * PW_DRIFT_MS, 0), &base->vv,
        w.id_d, fill_create);
    emit("b2-drift", 0, &b, &w.chain[2], 2);

    /* A key id the node does not have. */
    w = *base;
    {
        pw_spec s;
        pw_spec_init(&s, PW_HLC(5000), w.id_d);
        s.key_id = 2;
        fill_create(&s);
        pw_change(&w.chain[2], &s, &b);
        pw_spec_release(&s);
    }
    emit("b2-keyid", 0, &b, &w.chain[2], 2);

    /* Signed by the wrong origin's key. */
    w = *base;
    one(&w.chain[2], &b, PW_HLC(5000), &base->vv, w.id_d, fill_create);
    emit("b2-badsig", 0, &b, &w.chain[2], 3);

    /* A broken chain: the second change links to the wrong head. */
    w = *base;
    one(&w.chain[2], &b, PW_HLC(5000), &base->vv, w.id_d, fill_create);
    memset(w.chain[2].head, 0x55, MN_HASH_BYTES);
    one(&w.chain[2], &b, PW_HLC(4000), &base->vv, w.id_d, fill_clear);
    emit("b2-badchain", 0, &b, &w.chain[2], 2);

    /* A body that decrypts but has no ops; an unknown entity type. */
    w = *base;
    one(&w.chain[2], &b, PW_HLC(5000), &base->vv, w.id_d, fill_none);
    emit("b2-noops", 0, &b, &w.chain[2], 2);
    w = *base;
    one(&w.chain[2], &b, PW_HLC(5000), &base->vv, w.id_d, fill_odd_type);
    emit("b2-oddtype", 0, &b, &w.chain[2], 2);

    /* An origin without a key. */
    {
        pw_chain c4 = {.origin = 4};
        one(&c4, &b, PW_HLC(5000), &base->vv, base->id_d, fill_create);
        emit("b4-unknown", 0, &b, &c4, 3);
    }

    /* Origin 3: continue at seq 5..6; overlap 3..5; equivocate at 2. */
    w = *base;
    one(&w.chain[3], &b, PW_HLC(3000), &base->vv, w.id_b, fill_rename);
    one(&w.chain[3], &b, PW_HLC(2000), &base->vv, w.id_a, fill_clear);
    emit("b3-next", 0, &b, &w.chain[3], 3);
    {
        pw_world fork = *base;
        mn_buf msgs[8];
        size_t n = pw_world_baseline(&fork, msgs, 8);
        for (size_t i = 0; i < n; i++) {
            char name[32];
            snprintf(name, sizeof name, "baseline-%zu-dup", i);
            put_peer(name, 0, &msgs[i]);
            mn_buf_release(&msgs[i]);
        }
    }
    {
        pw_world fork;
        pw_chain c3 = {.origin = 3};
        pw_world_baseline(&fork, NULL, 0);
        one(&c3, &b, PW_HLC(45000), NULL, fork.id_b, fill_create);
        one(&c3, &b, PW_HLC(44000), NULL, fork.id_b, fill_rename);
        emit("b3-equivocate", 0, &b, &c3, 3);
    }

    /* With the canned pending batch queued: release it (origin 3 seq 5),
     * extend it (origin 2 seq 3), repeat it. */
    w = *base;
    {
        mn_buf pending;
        mn_buf_init(&pending);
        pw_canned_pending(&w, &pending);
        put_peer("pending-dup", PW_FLAG_PENDING, &pending);
        mn_buf_release(&pending);
    }
    {
        pw_world w3 = w;
        one(&w3.chain[3], &b, PW_HLC(3000), &base->vv, w3.id_b, fill_rename);
        emit("pending-release", PW_FLAG_PENDING, &b, &w3.chain[3], 3);
        w3 = w;
        one(&w3.chain[3], &b, PW_HLC(3000), &base->vv, w3.id_b, fill_rename);
        emit("pending-release-tick", PW_FLAG_PENDING | PW_FLAG_TICK, &b,
             &w3.chain[3], 3);
    }
    deps = base->vv;
    one(&w.chain[2], &b, PW_HLC(2000), &deps, w.id_d, fill_clear);
    emit("pending-extend", PW_FLAG_PENDING, &b, &w.chain[2], 2);
}

static void
peer_sessions(const pw_world *base) {
    mn_vv none, some = base->vv, ahead = base->vv;
    mn_buf msg;
    memset(&none, 0, sizeof none);
    mn_vv_set(&some, 3, 2);
    mn_vv_set(&ahead, 1, 9); /* the peer holds more of our own log than we do */
    emit_vv("hello-all", PW_FLAG_SERVER, true, PW_PEER, &none, 4);
    emit_vv("hello-some", PW_FLAG_SERVER, true, PW_PEER, &some, 1);
    emit_vv("hello-uptodate", PW_FLAG_SERVER | PW_FLAG_TICK, true, PW_PEER,
            &base->vv, 16);
    emit_vv("hello-ahead-tick", PW_FLAG_SERVER | PW_FLAG_TICK, true, PW_PEER,
            &ahead, 2);
    emit_vv("hello-wrongnode", PW_FLAG_SERVER, true, PW_OTHER, &none, 4);
    emit_vv("hello-client", 0, true, PW_PEER, &none, 4);
    emit_vv("ack-stale", PW_FLAG_SERVER, false, 0, &none, 1);
    emit_vv("ack-all", PW_FLAG_SERVER | PW_FLAG_HELLO, false, 0, &none, 4);
    emit_vv("ack-some", PW_FLAG_SERVER | PW_FLAG_HELLO, false, 0, &some, 1);
    emit_vv("ack-many", PW_FLAG_SERVER | PW_FLAG_HELLO | PW_FLAG_TICK, false, 0,
            &none, 1000);
    mn_buf_init(&msg);
    pw_canned_hello(&msg);
    put_peer("hello-canned-twice", PW_FLAG_SERVER | PW_FLAG_HELLO, &msg);
    mn_buf_release(&msg);
    {
        pw_world w = *base;
        pw_batch b;
        pw_batch_init(&b);
        one(&w.chain[2], &b, PW_HLC(5000), &base->vv, w.id_d, fill_create);
        mn_buf_init(&msg);
        pw_batch_encode(&b, &w.chain[2], 2, &msg);
        put_peer("batch-on-server", PW_FLAG_SERVER, &msg);
        mn_buf_release(&msg);
        pw_batch_release(&b);
    }
    put("peer", "garbage", 0, "\x12\x03\x08\x02\x12", 5, true);
}

/* One PW_FLAG_SEAL record: the body of s (type and id from s). */
static void
seal_record(mn_buf *out, uint8_t sel, uint32_t type, const uint8_t *id,
            void (*fill)(pw_spec *)) {
    pw_spec s;
    mn_buf body;
    pw_spec_init(&s, 0, id);
    fill(&s);
    mn_buf_init(&body);
    mn_codec_body_encode(type, id, s.ops.op, s.ops.n, &body);
    pw_seal_record(sel, body.p, body.len, out);
    mn_buf_release(&body);
    pw_spec_release(&s);
}

static void
fill_many(pw_spec *s) {
    for (uint32_t no = 100; no < 100 + MN_ENTITY_MAX_FIELDS; no++)
        mn_ops_add_int(&s->ops, no, (int64_t)no - 120);
}

static void
fill_home_str(pw_spec *s) {
    mn_ops_add_str(&s->ops, MN_P_HOME, "2", 1);
    pw_spec_create(s, "mentee", PW_PEER, "Nadia", "Karimi");
}

static void
put_sealed(const char *name, uint8_t flags, const mn_buf *records) {
    put("peer", name, PW_FLAG_SEAL | flags, records->p, records->len, true);
}

/* PW_FLAG_SEAL seeds: bodies the harness seals as division 2. */
static void
peer_sealed(const pw_world *base) {
    const uint32_t part = MN_ENTITY_PARTICIPANT;
    mn_buf r;
    mn_buf_init(&r);
    seal_record(&r, 0x10, part, base->id_d, fill_create);
    put_sealed("seal-create", 0, &r);
    mn_buf_reset(&r);
    seal_record(&r, 0x05, part, base->id_a, fill_profession);
    put_sealed("seal-conflict", 0, &r);
    mn_buf_reset(&r);
    seal_record(&r, 0x30, part, base->id_a, fill_rename);
    put_sealed("seal-owner-refused", 0, &r);
    mn_buf_reset(&r);
    seal_record(&r, 0x10, part, base->id_d, fill_create);
    seal_record(&r, 0x20, part, base->id_d, fill_clear);
    seal_record(&r, 0x90, part, base->id_d, fill_rename);
    put_sealed("seal-chain-waits", 0, &r);
    put_sealed("seal-chain-pending", PW_FLAG_PENDING, &r);
    mn_buf_reset(&r);
    seal_record(&r, 0x10, part, base->id_d, fill_many);
    put_sealed("seal-many-fields", 0, &r);
    mn_buf_reset(&r);
    seal_record(&r, 0x10, part, base->id_d, fill_home_str);
    put_sealed("seal-home-string", 0, &r);
    mn_buf_reset(&r);
    seal_record(&r, 0x10, 2, base->id_a, fill_odd_type);
    put_sealed("seal-other-type", 0, &r);
    mn_buf_reset(&r);
    pw_seal_record(0x10, (const uint8_t *)"\x08\x01\x12\x01", 4, &r);
    put_sealed("seal-bad-body", 0, &r);
    mn_buf_release(&r);
}

/* ---- fuzz_codec ------------------------------------------------------- */

static void
codec_seeds(const pw_world *base) {
    mn_buf b;
    pw_batch batch;
    pw_world w = *base;
    mn_vv vv = base->vv;
    mn_change_header h = {
        .origin = 2, .seq = 7, .hlc = PW_HLC(1), .key_id = 1, .deps = base->vv};
    mn_chain_sig sig = {.origin = 3, .seq = 4};
    mn_entity e;
    mn_ops ops;
    mn_stamp st = {PW_HLC(100), 3, 4};
    mn_change_view view;

    mn_buf_init(&b);
    memset(h.prev_hash, 0x11, MN_HASH_BYTES);
    mn_codec_header_encode(&h, &b);
    put_codec("header", &b);

    mn_buf_reset(&b);
    mn_ops_init(&ops);
    mn_ops_add_str(&ops, MN_P_GIVEN_NAME, "Amal", 4);
    mn_ops_add_int(&ops, MN_P_BIRTH_YEAR, 1984);
    mn_ops_add_clear(&ops, MN_P_NOTES);
    mn_codec_body_encode(MN_ENTITY_PARTICIPANT, base->id_a, ops.op, ops.n, &b);
    put_codec("body", &b);

    mn_entity_init(&e, MN_ENTITY_PARTICIPANT, base->id_a);
    mn_ops_add_str(&ops, MN_P_ROLE, "mentor", 6);
    mn_ops_add_str(&ops, MN_P_LANGUAGES, "ar,da", 5);
    mn_ops_add_str(&ops, MN_P_CONSENT_PURPOSES, "matching", 8);
    mn_ops_add_int(&ops, MN_P_CONSENT_AT, (int64_t)PW_NOW_MS);
    mn_ops_add_int(&ops, MN_P_HOME, 2);
    if (mn_entity_merge(&e, ops.op, ops.n, &st) < 0)
        abort();
    mn_buf_reset(&b);
    mn_codec_entity_encode(&e, &b);
    put_codec("entity", &b);
    mn_entity_release(&e);
    mn_ops_release(&ops);

    memset(sig.head, 0x22, MN_HASH_BYTES);
    memset(sig.sig, 0x33, MN_SIG_BYTES);
    mn_buf_reset(&b);
    mn_codec_sig_encode(&sig, &b);
    put_codec("sig", &b);

    pw_batch_init(&batch);
    one(&w.chain[2], &batch, PW_HLC(10000), &base->vv, w.id_d, fill_create);
    one(&w.chain[2], &batch, PW_HLC(9000), &base->vv, w.id_d, fill_clear);
    if (mn_codec_change_decode(batch.change[0].p, batch.change[0].len, &view) !=
        MN_OK)
        abort();
    mn_codec_change_release(&view);
    put_codec("change", &batch.change[0]);
    mn_buf_reset(&b);
    pw_batch_encode(&batch, &w.chain[2], 2, &b);
    put_codec("batch", &b);
    pw_batch_release(&batch);

    mn_buf_reset(&b);
    mn_codec_hello_encode(2, &vv, 4, &b);
    put_codec("hello", &b);
    mn_buf_reset(&b);
    mn_codec_ack_encode(&vv, 1, &b);
    put_codec("ack", &b);
    mn_buf_release(&b);
}

/* ---- fuzz_json and fuzz_config ---------------------------------------- */

static void
json_seeds(void) {
    put_text("json", "create-mentor",
             "{\"role\":\"mentor\",\"given_name\":\"Amal\",\"family_name\":"
             "\"Haddad\",\"email\":\"amal@example.org\",\"phone\":\"+45 12 "
             "34 56 78\",\"birth_year\":1984,\"country_of_origin\":\"SY\","
             "\"background\":\"refugee\",\"languages\":[\"ar\",\"da\","
             "\"en\"],\"danish_level\":\"B2\",\"education_level\":"
             "\"master\",\"profession\":\"Engineer\",\"sector\":\"IT\","
             "\"years_in_denmark\":8,\"goals\":[\"network\"],\"capacity\":2,"
             "\"availability\":\"Evenings\",\"consent\":{\"purposes\":["
             "\"matching\",\"statistics\"],\"given_at\":"
             "\"2025-11-26T10:00:00.250Z\"},\"notes\":\"Met at the\\nlibrary"
             "\",\"status\":\"waiting\"}");
    put_text("json", "create-mentee",
             "{\"role\":\"mentee\",\"given_name\":\"Sara\",\"family_name\":"
             "\"Nouri\",\"goals\":[\"job\",\"language\"]}");
    put_text("json", "patch-status",
             "{\"status\":\"matched\",\"capacity\":3,\"notes\":null}");
    put_text("json", "patch-role-same", "{\"role\":\"mentor\"}");
    put_text("json", "patch-consent-clear", "{\"consent\":null}");
    put_text("json", "bad-readonly", "{\"id\":\"00\",\"home_division\":1}");
    put_text("json", "bad-dup", "{\"role\":\"mentor\",\"role\":\"mentee\"}");
    put_text("json", "bad-array", "[1,2,3]");
    put_text("json", "create-subnetwork",
             "{\"name\":\"Literary circle\",\"scope\":\"national\","
             "\"theme\":\"books\",\"facilitator\":\"Inge\","
             "\"description\":\"line\\nline\"}");
    put_text("json", "create-membership",
             "{\"subnetwork_id\":\"01a23f261a83775bb9019518137581c0\","
             "\"participant_id\":\"01a23f261a8b7e97a20190acd67173a9\","
             "\"joined_at\":\"2026-01-01T00:00:00Z\","
             "\"left_at\":\"2026-02-01T00:00:00.5Z\"}");
    put_text("json", "create-outcome",
             "{\"participant_id\":\"01a23f261a8b7e97a20190acd67173a9\","
             "\"partnership_id\":\"01a23f261a83775bb9019518137581c0\","
             "\"date\":\"2026-10-01T00:00:00Z\",\"kind\":\"job\","
             "\"sector\":\"finance\",\"qualifications_match\":\"yes\","
             "\"note\":\"a\\nb\"}");
}

static void
config_seeds(void) {
    put_text("config", "full",
             "; mentornet node\n[node]\nid = 1                ; comment\n"
             "name = copenhagen\ndisplay_name = K\xc3\xb8"
             "benhavn\n"
             "data_dir = ../run/copenhagen\nmap_size_mb = 1024\n"
             "sync = true\n\n[http]\nlisten = 127.0.0.1:8101\n\n"
             "[replication]\nlisten = 127.0.0.1:7101\n"
             "max_clock_drift_ms = 300000\n\n[keys]\ndir = /abs/keys\n");
    put_text("config", "minimal",
             "[node]\nid=64\nname=a\ndata_dir=d\n[http]\nlisten=h:1\n"
             "[replication]\nlisten=[::1]:65535\n[keys]\ndir=k\n");
    put_text("config", "clash",
             "[node]\nid = 9\nname = sibling\ndata_dir = d\nsync = false\n"
             "[http]\nlisten = 0.0.0.0:80\n[replication]\nlisten = x:7\n"
             "[keys]\ndir = k\n");
    put_text("config", "bad-key", "[node]\nid = 0\n[nope]\nx = y\n");
}

int
main(int argc, char **argv) {
    pw_world base;
    if (argc != 2) {
        fprintf(stderr, "usage: gen_corpus DIR\n");
        return 2;
    }
    outdir = argv[1];
    if (mn_crypto_init() != MN_OK)
        return 1;
    if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
        perror(outdir);
        return 1;
    }
    pw_world_baseline(&base, NULL, 0);
    peer_batches(&base);
    peer_sessions(&base);
    peer_sealed(&base);
    codec_seeds(&base);
    json_seeds();
    config_seeds();
    return 0;
}
