/*
 * compartments_test — another division's node holds no name, e-mail or
 * phone number of a participant it does not own (README "Compartments"),
 * neither in its data.mdb nor in a fresh backup, as `strings` would find
 * them; her home shows them, and finds her by them.
 *
 * Five nodes import their division's demo data (NDEMO participants each,
 * their personal values sealed to their home by the writer) and converge.
 * Then for every node: the bytes of its data.mdb and of GET /v1/backup hold
 * none of the other divisions' participants' given names, family names,
 * e-mail addresses or phone numbers (those of at least MIN_LEN bytes, the
 * ones no other division's participant shares with one of this division's:
 * the scan looks for other divisions' data only); q= on another division's
 * e-mail finds nothing there, and on her home finds her with her name and
 * country of origin shown, which another node shows as null. A country code
 * is two letters, which any binary file holds by chance: it is checked
 * through the API, not the bytes.
 *
 * Usage: cluster_compartments MENTORNETD DEMO_DATA PORT
 */
/* memmem: _GNU_SOURCE comes from the build */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

#define WATCHDOG_S 240
#define NNODES 5
#define NDEMO 150
#define SEED 1300
#define CONVERGE_MS 60000
/* Shorter strings turn up in any few megabytes of ciphertext by chance. */
#define MIN_LEN 5
/* Participants per division looked up through the API. */
#define NLOOKUP 5

static cl_cluster cluster;

/* Each division's personal strings, from the demo data it imported. */
static json_t *secrets[NNODES]; /* arrays of strings */
static json_t *emails[NNODES];  /* the e-mails, in line order */

static const char *const personal_keys[] = {"given_name", "family_name",
                                            "email", "phone"};

static void
collect(size_t i, const char *nd, size_t len) {
    secrets[i] = json_array();
    emails[i] = json_array();
    for (const char *p = nd, *end = nd + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        json_t *line = json_loadb(p, n, 0, NULL);
        for (size_t k = 0; line && k < 4; k++) {
            json_t *v = json_object_get(line, personal_keys[k]);
            if (json_is_string(v) && strlen(json_string_value(v)) >= MIN_LEN)
                json_array_append(secrets[i], v);
        }
        json_array_append(emails[i], json_object_get(line, "email"));
        json_decref(line);
        p += n + 1;
    }
}

static int
import_all(void) {
    for (size_t i = 0; i < NNODES; i++) {
        size_t len;
        char *nd =
            cl_demo_data(&cluster, cluster.node[i].name, NDEMO, SEED + i, &len);
        if (!nd)
            return -1;
        collect(i, nd, len);
        long got = cl_import(&cluster.node[i], nd, len);
        free(nd);
        if (!CHECK(got == NDEMO, "%s imported %ld of %d", cluster.node[i].name,
                   got, NDEMO))
            return -1;
    }
    return 0;
}

static bool
in_array(const json_t *a, const char *z) {
    size_t k;
    json_t *v;
    json_array_foreach(a, k,
                       v) if (strcmp(json_string_value(v), z) == 0) return true;
    return false;
}

/* How many of the other divisions' strings are in buf; *checked counts
 * the ones looked for. */
static size_t
found_in(size_t i, const char *buf, size_t len, size_t *checked, char *first,
         size_t cap) {
    size_t found = 0;
    *checked = 0;
    for (size_t d = 0; d < NNODES; d++) {
        size_t k;
        json_t *v;
        if (d == i)
            continue;
        json_array_foreach(secrets[d], k, v) {
            const char *z = json_string_value(v);
            if (in_array(secrets[i], z))
                continue; /* one of this division's has it too */
            (*checked)++;
            if (memmem(buf, len, z, strlen(z)) && found++ == 0)
                snprintf(first, cap, "one of %s's", cluster.node[d].name);
        }
    }
    return found;
}

static void
scan(size_t i, const char *what, const char *path) {
    size_t len = 0, checked;
    char first[64] = "";
    char *buf = tl_read_file(path, &len);
    if (!CHECK(buf && len > 0, "%s: read its %s", cluster.node[i].name, what))
        return;
    size_t found = found_in(i, buf, len, &checked, first, sizeof first);
    CHECK(found == 0 && checked > (NNODES - 1) * NDEMO,
          "%s: its %s (%zu bytes) holds none of %zu names, e-mails and "
          "phones of other divisions' participants (%zu found%s%s)",
          cluster.node[i].name, what, len, checked, found, found ? ", " : "",
          first);
    free(buf);
}

/* GET /v1/participants?q=z on node n: the items (new reference). */
static json_t *
search(size_t n, const char *z) {
    char path[256];
    snprintf(path, sizeof path, "/v1/participants?q=%s&limit=10", z);
    json_t *j = cl_get_json(&cluster.node[n], path);
    json_t *items = json_incref(json_object_get(j, "items"));
    json_decref(j);
    return items;
}

/* Her home finds her by her e-mail and shows her name and country; the
 * next node finds nothing and shows no name or country of hers. */
static void
lookup(size_t home, const char *email) {
    size_t other = (home + 1) % NNODES;
    json_t *there = search(home, email), *elsewhere = search(other, email);
    json_t *her = json_array_get(there, 0);
    const char *id = json_string_value(json_object_get(her, "id"));
    CHECK(json_array_size(there) >= 1 &&
              json_is_string(json_object_get(her, "given_name")) &&
              json_is_string(json_object_get(her, "country_of_origin")),
          "%s finds its participant by her e-mail, with her name and "
          "country",
          cluster.node[home].name);
    CHECK(elsewhere && json_array_size(elsewhere) == 0,
          "%s does not find %s's participant by her e-mail",
          cluster.node[other].name, cluster.node[home].name);
    if (id) {
        char path[128];
        snprintf(path, sizeof path, "/v1/participants/%s", id);
        json_t *p = cl_get_json(&cluster.node[other], path);
        CHECK(p && json_is_null(json_object_get(p, "given_name")) &&
                  json_is_null(json_object_get(p, "email")) &&
                  json_is_null(json_object_get(p, "country_of_origin")) &&
                  json_is_string(json_object_get(p, "role")),
              "%s shows %s's participant's profile, no name, e-mail or "
              "country",
              cluster.node[other].name, cluster.node[home].name);
        json_decref(p);
    }
    json_decref(there);
    json_decref(elsewhere);
}

static void
check_node(size_t i) {
    char path[PATH_MAX + 32];
    tl_section("%s: its data.mdb, a fresh backup, its API",
               cluster.node[i].name);
    snprintf(path, sizeof path, "%s/data.mdb", cluster.node[i].data_dir);
    scan(i, "data.mdb", path);
    snprintf(path, sizeof path, "%s/%s-backup.mdb", cluster.dir,
             cluster.node[i].name);
    if (CHECK(cl_download(&cluster.node[i], "/v1/backup", path) == 200,
              "%s: GET /v1/backup", cluster.node[i].name))
        scan(i, "backup", path);
    for (size_t k = 0; k < NLOOKUP; k++)
        lookup(i, json_string_value(json_array_get(emails[i], k * 7)));
}

int
main(int argc, char **argv) {
    const char *daemon, *demo;
    int port;
    cl_args(argc, argv, &daemon, &demo, &port);
    tl_begin("cluster.compartments", WATCHDOG_S);
    if (cl_create(&cluster, daemon, demo, port, NNODES) != 0 ||
        cl_start_all(&cluster) != 0)
        goto out;
    tl_section("the demo data on five nodes");
    if (import_all() != 0)
        goto out;
    if (!CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
               "all five: equal digest, version vector and /v1/stats"))
        goto out;
    for (size_t i = 0; i < NNODES; i++)
        check_node(i);
out:
    for (size_t i = 0; i < NNODES; i++) {
        json_decref(secrets[i]);
        json_decref(emails[i]);
    }
    cl_destroy(&cluster);
    return tl_summary();
}
