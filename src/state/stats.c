/*
 * stats — see stats.h. An entity contributes one to its (division, role,
 * status) cell and one to its country; a change moves it between cells.
 * Participants without a role or status (impossible via the API, possible
 * mid-replication of a partial entity) are not counted.
 */
#include "state/stats.h"

#include <string.h>

static int
adjust(mn_txn *t, const uint8_t *key, size_t kn, int delta) {
    mn_val v;
    uint64_t count = 0;
    uint8_t buf[8];
    int rc = mn_txn_get(t, MN_DB_STATS, key, kn, &v);
    if (rc == MN_OK && v.n == 8)
        count = mn_get_be64(v.p);
    else if (rc != MN_ENOTFOUND && rc != MN_OK)
        return rc;
    count = delta > 0 ? count + 1 : (count ? count - 1 : 0);
    if (count == 0)
        return rc == MN_OK ? mn_txn_del(t, MN_DB_STATS, key, kn) : MN_OK;
    mn_put_be64(buf, count);
    return mn_txn_put(t, MN_DB_STATS, key, kn, buf, 8, 0);
}

/* Fill the cell key of e; 0 when e is not counted. */
static size_t
cell_key(const mn_entity *e, uint8_t key[7]) {
    int role = mn_participant_role(e), status = mn_participant_status(e);
    int64_t div = mn_entity_int(e, MN_P_HOME, 0);
    if (e->type != MN_ENTITY_PARTICIPANT || role < 0 || status < 0 || div < 1 ||
        div > MN_MAX_NODES)
        return 0;
    key[0] = 'p';
    mn_put_be32(key + 1, (uint32_t)div);
    key[5] = (uint8_t)role;
    key[6] = (uint8_t)status;
    return 7;
}

static size_t
country_key(const mn_entity *e, uint8_t key[3]) {
    const char *cc = mn_entity_str(e, MN_P_COUNTRY);
    uint8_t cell[7];
    if (!cell_key(e, cell) || !cc || strlen(cc) != 2)
        return 0;
    key[0] = 'c';
    memcpy(key + 1, cc, 2);
    return 3;
}

static int
move(mn_txn *t, const uint8_t *from, size_t fn, const uint8_t *to, size_t tn) {
    if (fn == tn && memcmp(from, to, fn) == 0)
        return MN_OK;
    int rc = fn ? adjust(t, from, fn, -1) : MN_OK;
    return rc == MN_OK && tn ? adjust(t, to, tn, +1) : rc;
}

int
mn_stats_update(mn_txn *t, const mn_entity *before, const mn_entity *after) {
    uint8_t k1[7], k2[7], c1[3], c2[3];
    size_t n1 = before ? cell_key(before, k1) : 0;
    size_t n2 = after ? cell_key(after, k2) : 0;
    int rc = move(t, k1, n1, k2, n2);
    if (rc != MN_OK)
        return rc;
    n1 = before ? country_key(before, c1) : 0;
    n2 = after ? country_key(after, c2) : 0;
    return move(t, c1, n1, c2, n2);
}

static void
count_key(mn_counts *c, const uint8_t *key, size_t kn, uint64_t n) {
    if (kn == 7 && key[0] == 'p') {
        uint32_t div = mn_get_be32(key + 1);
        if (div <= MN_MAX_NODES && key[5] < MN_ROLE_COUNT &&
            key[6] < MN_STATUS_COUNT)
            c->p[div][key[5]][key[6]] += n;
    } else if (kn == 3 && key[0] == 'c' && key[1] >= 'A' && key[1] <= 'Z' &&
               key[2] >= 'A' && key[2] <= 'Z') {
        c->country[(key[1] - 'A') * 26 + (key[2] - 'A')] += n;
    }
}

int
mn_stats_load(mn_txn *t, mn_counts *out) {
    mn_cursor *cur;
    mn_val k, v;
    memset(out, 0, sizeof *out);
    int rc = mn_cursor_open(t, MN_DB_STATS, &cur);
    if (rc != MN_OK)
        return rc;
    for (rc = mn_cursor_seek(cur, NULL, 0, &k, &v); rc == MN_OK;
         rc = mn_cursor_next(cur, &k, &v))
        if (v.n == 8)
            count_key(out, k.p, k.n, mn_get_be64(v.p));
    mn_cursor_close(&cur);
    return rc == MN_ENOTFOUND ? MN_OK : rc;
}

int
mn_stats_recount(mn_txn *t, mn_counts *out) {
    mn_cursor *cur;
    mn_val k, v;
    uint8_t key[7];
    memset(out, 0, sizeof *out);
    int rc = mn_cursor_open(t, MN_DB_ENTITIES, &cur);
    if (rc != MN_OK)
        return rc;
    for (rc = mn_cursor_seek(cur, NULL, 0, &k, &v); rc == MN_OK;
         rc = mn_cursor_next(cur, &k, &v)) {
        mn_entity e;
        if (mn_codec_entity_decode(v.p, v.n, &e) != MN_OK) {
            rc = MN_ECORRUPT;
            break;
        }
        size_t n = cell_key(&e, key);
        count_key(out, key, n, 1);
        n = country_key(&e, key);
        count_key(out, key, n, 1);
        mn_entity_release(&e);
    }
    mn_cursor_close(&cur);
    return rc == MN_ENOTFOUND ? MN_OK : rc;
}

static json_t *
division_json(const mn_counts *c, uint32_t div, uint64_t *total) {
    json_t *d = json_object();
    uint64_t sum = 0;
    for (int r = 0; r < MN_ROLE_COUNT; r++) {
        json_t *by_status = json_object();
        for (int s = 0; s < MN_STATUS_COUNT; s++) {
            json_object_set_new(by_status, mn_participant_status_name(s),
                                json_integer((json_int_t)c->p[div][r][s]));
            sum += c->p[div][r][s];
        }
        json_object_set_new(d, mn_participant_role_name(r), by_status);
    }
    json_object_set_new(d, "total", json_integer((json_int_t)sum));
    *total = sum;
    return d;
}

json_t *
mn_stats_json(const mn_counts *c, const mn_config *cfg) {
    json_t *divisions = json_object();
    uint64_t total = 0, countries = 0;
    char name[16];
    for (uint32_t div = 1; div <= MN_MAX_NODES; div++) {
        const mn_division *d = mn_config_division(cfg, div);
        uint64_t sum;
        json_t *dj = division_json(c, div, &sum);
        if (!d && sum == 0) {
            json_decref(dj);
            continue;
        }
        snprintf(name, sizeof name, "%u", div);
        json_object_set_new(divisions, d ? d->name : name, dj);
        total += sum;
    }
    for (size_t i = 0; i < MN_ARRAY_LEN(c->country); i++)
        countries += c->country[i] != 0;
    return json_pack("{s:o, s:I, s:I}", "divisions", divisions, "total",
                     (json_int_t)total, "countries", (json_int_t)countries);
}
