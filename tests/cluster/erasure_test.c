/*
 * erasure_test — erasing a participant reaches every node (README
 * "Erasure"), the cycle of issue 13 with five real nodes:
 *
 *   1. register her on copenhagen, with a coordinator's notes;
 *   2. replicate to all five;
 *   3. erase her (DELETE) while tingbjerg is down: "erased on 4 of 5";
 *   4. start tingbjerg again;
 *   5. GET /v1/erasures/{id} says "erased on 5 of 5" on every node;
 *   6. no data.mdb and no fresh backup holds her name, e-mail or notes,
 *      and no log holds the private part of any change of hers (read from
 *      the stores with the network key, so sealing cannot hide one); her
 *      stub is the same everywhere and still counted;
 *   7. every node restarts: the start-up check verifies every chain.
 *
 * Usage: cluster_erasure MENTORNETD DEMO_DATA PORT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change/envelope.h"
#include "cluster.h"
#include "door/store.h"
#include "rogue.h"

#define WATCHDOG_S 150
#define NNODES 5
#define HOME 0 /* copenhagen */
#define LATE 4 /* tingbjerg */
#define CONVERGE_MS 60000
/* What must vanish: names no demo participant has. */
#define GIVEN "Zerafina"
#define FAMILY "Qwertyhuset"
#define MAIL "zerafina.qwerty@example.org"
#define NOTES "Kvindenetvaerk-notat-7731"

static cl_cluster cluster;
static char her[33];

static int
register_her(void) {
    tl_section("1-2. register her on %s and replicate",
               cluster.node[HOME].name);
    char body[512];
    snprintf(body, sizeof body,
             "{\"role\":\"mentee\",\"given_name\":\"" GIVEN
             "\",\"family_name\":\"" FAMILY "\",\"email\":\"" MAIL
             "\",\"notes\":\"" NOTES "\",\"languages\":[\"ar\",\"da\"],"
             "\"joined_year\":2021}");
    if (!CHECK(cl_create_participant(&cluster.node[HOME], body, her) == 201,
               "she is registered"))
        return -1;
    return CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "all five converge")
               ? 0
               : -1;
}

/* GET /v1/erasures/{her} on node i. */
static json_t *
erasure(size_t i) {
    char path[96];
    snprintf(path, sizeof path, "/v1/erasures/%s", her);
    return cl_get_json(&cluster.node[i], path);
}

/* method path on node i; the status (the answer is dropped). */
static long
call(size_t i, const char *method, const char *path) {
    tl_resp r;
    long status = cl_write(&cluster.node[i], method, path, NULL, NULL, 0,
                           CL_503_RETRY_MS, &r);
    tl_resp_release(&r);
    return status;
}

static void
erase_while_down(void) {
    char path[96];
    tl_section("3. erase her while %s is down", cluster.node[LATE].name);
    CHECK(cl_stop(&cluster, LATE) == 0, "%s stops", cluster.node[LATE].name);
    snprintf(path, sizeof path, "/v1/participants/%s", her);
    CHECK(call(1, "DELETE", path) == 403,
          "aarhus may not erase copenhagen's participant (403 not_home)");
    CHECK(call(HOME, "DELETE", path) == 202, "her home erases her: 202");
    CHECK(call(HOME, "DELETE", path) == 409,
          "a second erase: 409 already_erased");
    tl_resp r;
    static const char patch[] = "{\"notes\":\"again\"}";
    CHECK(cl_write(&cluster.node[HOME], "PATCH", path, "application/json",
                   patch, sizeof patch - 1, CL_503_RETRY_MS, &r) == 409 &&
              strcmp(tl_str(r.json ? json_object_get(r.json, "error") : NULL,
                            "code"),
                     "already_erased") == 0,
          "a write to her stub: 409 already_erased");
    tl_resp_release(&r);
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
          "the four running nodes converge");
    json_t *e = erasure(HOME);
    CHECK(e && json_integer_value(json_object_get(e, "erased_on")) == 4 &&
              !json_is_true(json_object_get(e, "complete")),
          "erased on 4 of 5: %s",
          json_string_value(json_object_get(e, "summary")));
    json_decref(e);
}

static void
all_five(void) {
    tl_section("4-5. %s comes back: erased on 5 of 5", cluster.node[LATE].name);
    if (cl_start(&cluster, LATE) != 0)
        return;
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "all five converge");
    for (size_t i = 0; i < NNODES; i++) {
        json_t *e = NULL;
        for (uint64_t t0 = tl_now_ms(); tl_now_ms() - t0 < CONVERGE_MS;
             tl_sleep_ms(100)) {
            json_decref(e);
            e = erasure(i);
            if (json_is_true(json_object_get(e, "complete")))
                break;
        }
        const char *summary = json_string_value(json_object_get(e, "summary"));
        CHECK(summary && strcmp(summary, "erased on 5 of 5") == 0, "%s: %s",
              cluster.node[i].name, summary ? summary : "(none)");
        json_decref(e);
    }
}

/* Does file hold any of her values? Names the first it finds. */
static const char *
trace_in(const char *file) {
    static const char *const values[] = {GIVEN, FAMILY, MAIL, NOTES};
    size_t n;
    char *bytes = tl_read_file(file, &n);
    const char *found = bytes ? NULL : "(unreadable)";
    for (size_t k = 0; bytes && !found && k < MN_ARRAY_LEN(values); k++)
        if (memmem(bytes, n, values[k], strlen(values[k])))
            found = values[k];
    free(bytes);
    return found;
}

static void
no_trace_on_disk(void) {
    char file[PATH_MAX + 32];
    tl_section("6. no trace of her in any data.mdb or fresh backup");
    for (size_t i = 0; i < NNODES; i++) {
        const cl_node *n = &cluster.node[i];
        snprintf(file, sizeof file, "%s/data.mdb", n->data_dir);
        const char *t = trace_in(file);
        CHECK(!t, "%s: data.mdb holds no value of hers (found %s)", n->name,
              t ? t : "none");
        snprintf(file, sizeof file, "%s/../%s.backup.mdb", n->data_dir,
                 n->name);
        CHECK(cl_download(n, "/v1/backup", file) == 200, "%s: a backup",
              n->name);
        t = trace_in(file);
        CHECK(!t, "%s: its backup holds no value of hers (found %s)", n->name,
              t ? t : "none");
        char path[96];
        snprintf(path, sizeof path, "/v1/participants/%s", her);
        json_t *p = cl_get_json(n, path);
        CHECK(p && json_is_null(json_object_get(p, "given_name")) &&
                  json_is_null(json_object_get(p, "notes")) &&
                  json_is_null(json_object_get(p, "languages")) &&
                  json_integer_value(json_object_get(p, "joined_year")) ==
                      2021 &&
                  json_is_string(json_object_get(p, "erased_at")),
              "%s: only her stub is left (year joined 2021, erased_at set)",
              n->name);
        json_decref(p);
    }
}

/* Changes in node i's stopped store whose private part is still there
 * and writes her record. */
static size_t
private_parts_of_hers(size_t i, const cl_keys *keys, const uint8_t id[]) {
    char err[512];
    mn_store *s = NULL;
    mn_txn *t = NULL;
    mn_cursor *cur = NULL;
    mn_val k, v;
    mn_buf plain = {0};
    size_t found = 0, privates = 0;
    if (!CHECK(mn_store_open(cluster.node[i].data_dir, (uint64_t)256 << 20,
                             false, &s, err, sizeof err) == MN_OK,
               "open %s's store: %s", cluster.node[i].name, err))
        return 1;
    if (mn_store_begin(s, false, &t) != MN_OK ||
        mn_cursor_open(t, MN_DB_LOG, &cur) != MN_OK)
        found = 1;
    for (int rc = cur ? mn_cursor_seek(cur, NULL, 0, &k, &v) : MN_ENOTFOUND;
         rc == MN_OK; rc = mn_cursor_next(cur, &k, &v)) {
        mn_change_view cv;
        mn_change_header h;
        mn_ops ops;
        uint32_t type;
        uint8_t got[MN_ID_BYTES];
        if (mn_codec_change_decode(v.p, v.n, &cv) != MN_OK)
            continue;
        if (cv.private_part &&
            mn_codec_header_decode(cv.header, cv.header_len, &h) == MN_OK &&
            mn_envelope_open(keys->network, &cv, &h, &plain, &type, got,
                             &ops) == MN_OK) {
            privates++;
            found += memcmp(got, id, MN_ID_BYTES) == 0;
            mn_ops_release(&ops);
        }
        mn_codec_change_release(&cv);
    }
    mn_cursor_close(&cur);
    mn_txn_abort(&t);
    mn_store_destroy(&s);
    mn_buf_release(&plain);
    tl_note("%s: %zu private parts in the log", cluster.node[i].name, privates);
    return found;
}

static void
restart_all(void) {
    cl_keys keys;
    uint8_t id[MN_ID_BYTES];
    tl_section("7. every node restarts; every chain verifies");
    if (!CHECK(cl_keys_read(&cluster, HOME, &keys) == 0, "read the keys") ||
        !CHECK(mn_hex_decode(her, 32, id, MN_ID_BYTES) == MN_OK, "her id"))
        return;
    for (size_t i = 0; i < NNODES; i++)
        CHECK(cl_stop(&cluster, i) == 0, "%s stops", cluster.node[i].name);
    for (size_t i = 0; i < NNODES; i++)
        CHECK(private_parts_of_hers(i, &keys, id) == 0,
              "%s: no log holds a private part of hers", cluster.node[i].name);
    cl_keys_wipe(&keys);
    CHECK(cl_start_all(&cluster) == 0,
          "all five start again (the start-up check walks every chain)");
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "and converge");
    json_t *s = cl_get_json(&cluster.node[LATE], "/v1/stats?verify=true");
    CHECK(json_is_true(json_object_get(s, "verified")),
          "statistics still verify against a recount");
    json_decref(s);
}

int
main(int argc, char **argv) {
    const char *daemon, *demo;
    int port;
    cl_args(argc, argv, &daemon, &demo, &port);
    tl_begin("cluster.erasure", WATCHDOG_S);
    if (cl_crypto_init() != 0 ||
        cl_create(&cluster, daemon, demo, port, NNODES) != 0 ||
        cl_start_all(&cluster) != 0 || register_her() != 0)
        goto done;
    erase_while_down();
    all_five();
    no_trace_on_disk();
    restart_all();
done:
    cl_destroy(&cluster);
    return tl_summary();
}
