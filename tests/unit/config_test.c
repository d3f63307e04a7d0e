/*
 * config_test — unit tests for config.c. Every test writes its own config
 * files into a fresh temporary directory and loads them: the good case
 * (every field, defaults, relative paths, sibling divisions) and every
 * rejection, checking that the message names the file and, where there is
 * one, the line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/config.h"
#include "mentornet/mentornet.h"
#include "base/util.h"
#include "unit_helpers.h"

struct fixture {
    char dir[256];
    mn_config cfg;
    char err[1024];
};

static int
setup(void **state) {
    struct fixture *fx = mn_calloc(1, sizeof *fx);
    tmpdir_make(fx->dir, sizeof fx->dir, "config");
    *state = fx;
    return 0;
}

static int
teardown(void **state) {
    struct fixture *fx = *state;
    tmpdir_remove(fx->dir);
    free(fx);
    return 0;
}

/* Write text to dir/name; out (optional) gets the path. */
static void
put_conf(const char *dir, const char *name, const char *text, char *out) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    write_file(path, text, strlen(text), 0644);
    if (out)
        strcpy(out, path);
}

/* A complete, valid config for division (id, name), 9 lines. */
static void
minimal_conf(char *out, size_t cap, const char *id, const char *name) {
    snprintf(out, cap,
             "[node]\n"                    /* 1 */
             "id = %s\n"                   /* 2 */
             "name = %s\n"                 /* 3 */
             "data_dir = /var/lib/mn/%s\n" /* 4 */
             "[http]\n"                    /* 5 */
             "listen = 127.0.0.1:81%s\n"   /* 6 */
             "[replication]\n"             /* 7 */
             "listen = 127.0.0.1:71%s\n"   /* 8 */
             "[keys]\n"                    /* 9 */
             "dir = /etc/mn/keys\n",       /* 10 */
             id, name, name, id, id);
}

/* Load dir/name; returns the rc and leaves the message in fx->err. */
static int
load(struct fixture *fx, const char *name) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", fx->dir, name);
    fx->err[0] = '\0';
    return mn_config_load(path, &fx->cfg, fx->err, sizeof fx->err);
}

/* Expect an MN_ECONFIG naming dir/name (and ":line:" when line > 0) and
 * containing what. */
static void
expect_error(struct fixture *fx, const char *name, int line, const char *what) {
    char path[PATH_MAX], at[32];
    snprintf(path, sizeof path, "%s/%s", fx->dir, name);
    if (load(fx, "node.conf") != MN_ECONFIG)
        fail_msg("loaded although %s should fail: %s", name, what);
    if (!strstr(fx->err, path))
        fail_msg("error \"%s\" does not name %s", fx->err, path);
    if (line > 0) {
        snprintf(at, sizeof at, "%s:%d:", name, line);
        if (!strstr(fx->err, at))
            fail_msg("error \"%s\" does not name line %d", fx->err, line);
    }
    if (what && !strstr(fx->err, what))
        fail_msg("error \"%s\" does not say \"%s\"", fx->err, what);
}

/* ---- the good case ---------------------------------------------------- */

static void
test_load_all_fields(void **state) {
    struct fixture *fx = *state;
    char nodes[512], path[PATH_MAX], real[PATH_MAX], want[PATH_MAX + 64];

    snprintf(nodes, sizeof nodes, "%s/nodes", fx->dir);
    assert_int_equal(mkdir(nodes, 0700), 0);
    put_conf(nodes, "copenhagen.conf",
             "; the capital\n"
             "[node]\n"
             "id = 1\n"
             "name = copenhagen\n"
             "display_name = K\xc3\xb8"
             "benhavn\n"
             "data_dir = ../run/copenhagen\n"
             "map_size_mb = 64\n"
             "sync = false\n"
             "\n"
             "[http]\n"
             "listen = 127.0.0.1:8101\n"
             "\n"
             "[replication]\n"
             "listen = 0.0.0.0:7101\n"
             "max_clock_drift_ms = 1234\n"
             "\n"
             "[keys]\n"
             "dir = keys\n",
             path);
    assert_int_equal(mn_config_load(path, &fx->cfg, fx->err, sizeof fx->err),
                     MN_OK);
    const mn_config *c = &fx->cfg;
    assert_string_equal(c->path, path);
    assert_int_equal(c->self.id, 1);
    assert_string_equal(c->self.name, "copenhagen");
    assert_string_equal(c->self.display_name, "K\xc3\xb8"
                                              "benhavn");
    assert_string_equal(c->self.http_listen, "127.0.0.1:8101");
    assert_int_equal(c->expire_days, 30); /* no [partnerships]: the default */
    assert_int_equal(c->audit_retention_days, 365); /* no [audit] */
    assert_int_equal(c->aggregate_interval_s, 10);  /* no [stats] */
    assert_string_equal(c->self.repl_listen, "0.0.0.0:7101");
    assert_true(c->map_size == (uint64_t)64 << 20);
    assert_false(c->sync);
    assert_true(c->max_drift_ms == 1234);

    /* Relative paths are taken against the config file's directory. */
    assert_non_null(realpath(nodes, real));
    snprintf(want, sizeof want, "%s/../run/copenhagen", real);
    assert_string_equal(c->data_dir, want);
    assert_true(c->data_dir[0] == '/');
    snprintf(want, sizeof want, "%s/keys", real);
    assert_string_equal(c->key_dir, want);

    /* Alone in its directory: the division list is just this node. */
    assert_int_equal(c->ndivisions, 1);
    assert_int_equal(c->divisions[0].id, 1);
    assert_string_equal(c->divisions[0].name, "copenhagen");
}

static void
test_load_defaults(void **state) {
    struct fixture *fx = *state;
    char text[1024];

    minimal_conf(text, sizeof text, "7", "tingbjerg");
    put_conf(fx->dir, "node.conf", text, NULL);
    assert_int_equal(load(fx, "node.conf"), MN_OK);
    assert_string_equal(fx->cfg.self.display_name, "tingbjerg");
    assert_true(fx->cfg.map_size == (uint64_t)1024 << 20);
    assert_true(fx->cfg.sync);
    assert_true(fx->cfg.max_drift_ms == 300000);
    /* Absolute paths are kept as written. */
    assert_string_equal(fx->cfg.data_dir, "/var/lib/mn/tingbjerg");
    assert_string_equal(fx->cfg.key_dir, "/etc/mn/keys");
}

static void
test_siblings_become_divisions(void **state) {
    struct fixture *fx = *state;
    char text[1024];

    minimal_conf(text, sizeof text, "1", "copenhagen");
    put_conf(fx->dir, "copenhagen.conf", text, NULL);
    minimal_conf(text, sizeof text, "2", "aarhus");
    put_conf(fx->dir, "aarhus.conf", text, NULL);
    minimal_conf(text, sizeof text, "6", "aalborg");
    strcat(text, "[node]\ndisplay_name = Aalborg Nord\n");
    put_conf(fx->dir, "aalborg.conf", text, NULL);
    /* Not *.conf, or hidden: ignored even though they are not valid. */
    put_conf(fx->dir, "README", "not a config", NULL);
    put_conf(fx->dir, "old.conf.bak", "[bogus]\nx = y\n", NULL);
    put_conf(fx->dir, ".hidden.conf", "[bogus]\nx = y\n", NULL);
    put_conf(fx->dir, "conf", "[bogus]\nx = y\n", NULL);

    assert_int_equal(load(fx, "copenhagen.conf"), MN_OK);
    const mn_config *c = &fx->cfg;
    assert_int_equal(c->ndivisions, 3);
    assert_int_equal(c->divisions[0].id, 1); /* self comes first */
    assert_string_equal(c->divisions[0].name, "copenhagen");

    const mn_division *d = mn_config_division(c, 2);
    assert_non_null(d);
    assert_string_equal(d->name, "aarhus");
    assert_string_equal(d->display_name, "aarhus");
    assert_string_equal(d->http_listen, "127.0.0.1:812");
    assert_string_equal(d->repl_listen, "127.0.0.1:712");
    d = mn_config_division(c, 6);
    assert_non_null(d);
    assert_string_equal(d->display_name, "Aalborg Nord");
    assert_ptr_equal(mn_config_division(c, 1), &c->divisions[0]);
    assert_null(mn_config_division(c, 3));
    assert_null(mn_config_division(c, 0));
    assert_null(mn_config_division(c, 65));

    assert_ptr_equal(mn_config_division_by_name(c, "aalborg"),
                     mn_config_division(c, 6));
    assert_ptr_equal(mn_config_division_by_name(c, "copenhagen"),
                     &c->divisions[0]);
    assert_null(mn_config_division_by_name(c, "odense"));
    assert_null(mn_config_division_by_name(c, "Aarhus"));
    assert_null(mn_config_division_by_name(c, ""));
}

/* Ids 1 and 64 are the ends of the range and both load. */
static void
test_id_range_ends(void **state) {
    struct fixture *fx = *state;
    char text[1024];

    minimal_conf(text, sizeof text, "64", "last");
    put_conf(fx->dir, "node.conf", text, NULL);
    minimal_conf(text, sizeof text, "1", "first");
    put_conf(fx->dir, "first.conf", text, NULL);
    assert_int_equal(load(fx, "node.conf"), MN_OK);
    assert_int_equal(fx->cfg.self.id, 64);
    assert_non_null(mn_config_division(&fx->cfg, 1));
}

/* ---- rejections ------------------------------------------------------- */

/* Replace line `line` (1-based) of the minimal config by `with`. */
static void
conf_with_line(char *out, size_t cap, int line, const char *with) {
    char base[1024];
    const char *p = base;
    size_t n = 0;
    minimal_conf(base, sizeof base, "3", "esbjerg");
    for (int i = 1; *p; i++) {
        const char *nl = strchr(p, '\n');
        size_t len = (size_t)(nl - p);
        const char *src = i == line ? with : p;
        size_t srclen = i == line ? strlen(with) : len;
        assert_true(n + srclen + 2 < cap);
        memcpy(out + n, src, srclen);
        n += srclen;
        out[n++] = '\n';
        p = nl + 1;
    }
    out[n] = '\0';
}

/* text, put in place of line `line`, is rejected naming err_line. */
static void
expect_rejected_at(struct fixture *fx, int line, const char *text, int err_line,
                   const char *what) {
    char conf[2048];
    conf_with_line(conf, sizeof conf, line, text);
    put_conf(fx->dir, "node.conf", conf, NULL);
    expect_error(fx, "node.conf", err_line, what);
}

/* Each bad line, put at line `line`, is rejected naming that line. */
static void
expect_line_rejected(struct fixture *fx, int line, const char *text,
                     const char *what) {
    expect_rejected_at(fx, line, text, line, what);
}

static void
test_unknown_key_and_section(void **state) {
    struct fixture *fx = *state;
    char conf[2048];

    expect_line_rejected(fx, 2, "ide = 3", "unknown key");
    expect_line_rejected(fx, 4, "datadir = /x", "unknown key");
    expect_line_rejected(fx, 6, "port = 8101", "unknown");
    expect_line_rejected(fx, 10, "directory = /k", "unknown");
    /* An unknown section, even with a key the [http] section knows. */
    minimal_conf(conf, sizeof conf, "3", "esbjerg");
    strcat(conf, "[htttp]\nlisten = 127.0.0.1:1\n");
    put_conf(fx->dir, "node.conf", conf, NULL);
    expect_error(fx, "node.conf", 12, "unknown section");
    /* A key before any section. */
    minimal_conf(conf, sizeof conf, "3", "esbjerg");
    char shifted[2048];
    snprintf(shifted, sizeof shifted, "id = 3\n%s", conf);
    put_conf(fx->dir, "node.conf", shifted, NULL);
    expect_error(fx, "node.conf", 1, NULL);
    /* Not INI at all. */
    put_conf(fx->dir, "node.conf", "[node\nid = 3\n", NULL);
    expect_error(fx, "node.conf", 1, NULL);
}

/* A problem is reported with its own line, not an earlier syntax error's. */
static void
test_syntax_error_before_bad_key(void **state) {
    struct fixture *fx = *state;
    char conf[2048];

    conf_with_line(conf, sizeof conf, 2, "id = 3\nnot a key value line");
    /* Line 3 is the syntax error; line 4 (name = esbjerg) becomes bad. */
    char *name = strstr(conf, "name = esbjerg");
    assert_non_null(name);
    memcpy(name, "name = ESBJERG", 14);
    put_conf(fx->dir, "node.conf", conf, NULL);
    expect_error(fx, "node.conf", 3, NULL);
    if (strstr(fx->err, "name must be"))
        fail_msg("line 3 blamed for line 4's problem: %s", fx->err);
}

static void
test_bad_id(void **state) {
    struct fixture *fx = *state;
    static const char *const bad[] = {
        "id = 0",    "id = 65",  "id = x", "id = -1",
        "id = 1x",   "id = 1.5", "id =",   "id = 18446744073709551617",
        "id = 0x10", "id = +5"};

    for (size_t i = 0; i < MN_ARRAY_LEN(bad); i++)
        expect_line_rejected(fx, 2, bad[i], "id must be");
}

static void
test_bad_name(void **state) {
    struct fixture *fx = *state;
    static const char *const bad[] = {
        "name = Copenhagen",
        "name = a b",
        "name = a.b",
        "name = a/b",
        "name = \xc3\xa5rhus",
        "name =",
        "name = abcdefghijklmnopqrstuvwxyz012345" /* 32 chars */};
    char conf[2048];

    for (size_t i = 0; i < MN_ARRAY_LEN(bad); i++)
        expect_line_rejected(fx, 3, bad[i], "name must be");
    /* 31 characters is the longest accepted name. */
    conf_with_line(conf, sizeof conf, 3,
                   "name = abcdefghijklmnopqrstuvwxyz_-012");
    put_conf(fx->dir, "node.conf", conf, NULL);
    assert_int_equal(load(fx, "node.conf"), MN_OK);
    assert_string_equal(fx->cfg.self.name, "abcdefghijklmnopqrstuvwxyz_-012");
}

static void
test_missing_required_keys(void **state) {
    struct fixture *fx = *state;
    static const struct {
        int line;
        const char *missing;
    } cases[] = {
        {2, "missing [node] id"},
        {3, "missing [node] name"},
        {4, "missing [node] data_dir"},
        {6, "missing [http] listen"},
        {8, "missing [replication] listen"},
        {10, "missing [keys] dir"},
    };

    /* A missing key has no line: the message names the file. */
    for (size_t i = 0; i < MN_ARRAY_LEN(cases); i++)
        expect_rejected_at(fx, cases[i].line, "; removed", 0, cases[i].missing);
    /* An empty file misses everything. */
    put_conf(fx->dir, "node.conf", "", NULL);
    expect_error(fx, "node.conf", 0, "missing [node] id");
}

static void
test_bad_listen(void **state) {
    struct fixture *fx = *state;
    static const char *const bad[] = {
        "listen = 127.0.0.1", "listen = 127.0.0.1:0", "listen = :8101",
        "listen = 127.0.0.1:65536", "listen = 127.0.0.1:http",
        "listen = 127.0.0.1:", "listen = 127.0.0.1:-1",
        "listen = 127.0.0.1:81x", "listen =",
        /* 64 characters of host: too long for the 64-byte field. */
        ("listen = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaa:1")};

    for (size_t i = 0; i < MN_ARRAY_LEN(bad); i++) {
        expect_line_rejected(fx, 6, bad[i], "listen must be IP:port");
        expect_line_rejected(fx, 8, bad[i], "listen must be IP:port");
    }
}

static void
test_bad_map_size_sync_drift(void **state) {
    struct fixture *fx = *state;
    static const char *const bad_map[] = {
        "map_size_mb = 0",  "map_size_mb = 1048577", "map_size_mb = big",
        "map_size_mb = -1", "map_size_mb = 10MB",    "map_size_mb ="};
    static const char *const bad_sync[] = {
        "sync = yes", "sync = 1", "sync = TRUE", "sync = False", "sync ="};
    static const char *const bad_drift[] = {"max_clock_drift_ms = 0",
                                            "max_clock_drift_ms = 86400001",
                                            "max_clock_drift_ms = soon"};
    static const char *const bad_expire[] = {
        "expire_days = 0", "expire_days = 3651", "expire_days = a month"};
    char line[128], conf[2048];

    /* Line 4 is data_dir; put it back after the bad key on line 5. */
    for (size_t i = 0; i < MN_ARRAY_LEN(bad_map); i++) {
        snprintf(line, sizeof line, "data_dir = /d\n%s", bad_map[i]);
        /* The message names the bad key's own line, 5. */
        expect_rejected_at(fx, 4, line, 5, "map_size_mb must be");
    }
    for (size_t i = 0; i < MN_ARRAY_LEN(bad_sync); i++) {
        snprintf(line, sizeof line, "data_dir = /d\n%s", bad_sync[i]);
        expect_rejected_at(fx, 4, line, 5, "sync must be");
    }
    for (size_t i = 0; i < MN_ARRAY_LEN(bad_drift); i++) {
        snprintf(line, sizeof line, "listen = 127.0.0.1:7103\n%s",
                 bad_drift[i]);
        expect_rejected_at(fx, 8, line, 9, "max_clock_drift_ms must be");
    }
    for (size_t i = 0; i < MN_ARRAY_LEN(bad_expire); i++) {
        snprintf(line, sizeof line,
                 "listen = 127.0.0.1:7103\n[partnerships]\n%s", bad_expire[i]);
        expect_rejected_at(fx, 8, line, 10, "expire_days must be");
    }
    /* The largest map (1 TiB) and both sync spellings load. */
    conf_with_line(conf, sizeof conf, 4,
                   "data_dir = /d\nmap_size_mb = 1048576\nsync = true");
    put_conf(fx->dir, "node.conf", conf, NULL);
    assert_int_equal(load(fx, "node.conf"), MN_OK);
    assert_true(fx->cfg.map_size == (uint64_t)1 << 40);
    assert_true(fx->cfg.sync);
}

/* [audit] retention_days: 1..36500 days, named on its own line. */
static void
test_audit_retention(void **state) {
    struct fixture *fx = *state;
    static const char *const bad[] = {
        "retention_days = 0", "retention_days = 36501",
        "retention_days = a year", "retention = 30"};
    char line[128], conf[2048];
    for (size_t i = 0; i < MN_ARRAY_LEN(bad); i++) {
        snprintf(line, sizeof line, "listen = 127.0.0.1:7103\n[audit]\n%s",
                 bad[i]);
        expect_rejected_at(fx, 8, line, 10,
                           i < 3 ? "retention_days must be"
                                 : "unknown section or key");
    }
    conf_with_line(conf, sizeof conf, 8,
                   "listen = 127.0.0.1:7103\n[audit]\nretention_days = 30");
    put_conf(fx->dir, "node.conf", conf, NULL);
    assert_int_equal(load(fx, "node.conf"), MN_OK);
    assert_int_equal(fx->cfg.audit_retention_days, 30);
}

/* [stats] aggregate_interval: 0 (never) .. 86400 seconds. */
static void
test_aggregate_interval(void **state) {
    struct fixture *fx = *state;
    static const char *const bad[] = {
        "aggregate_interval = -1", "aggregate_interval = 86401",
        "aggregate_interval = often", "interval = 10"};
    char line[128], conf[2048];
    for (size_t i = 0; i < MN_ARRAY_LEN(bad); i++) {
        snprintf(line, sizeof line, "listen = 127.0.0.1:7103\n[stats]\n%s",
                 bad[i]);
        expect_rejected_at(fx, 8, line, 10,
                           i < 3 ? "aggregate_interval must be"
                                 : "unknown section or key");
    }
    conf_with_line(conf, sizeof conf, 8,
                   "listen = 127.0.0.1:7103\n[stats]\naggregate_interval = 0");
    put_conf(fx->dir, "node.conf", conf, NULL);
    assert_int_equal(load(fx, "node.conf"), MN_OK);
    assert_int_equal(fx->cfg.aggregate_interval_s, 0);
}

static void
test_duplicate_across_siblings(void **state) {
    struct fixture *fx = *state;
    char text[1024];

    minimal_conf(text, sizeof text, "1", "copenhagen");
    put_conf(fx->dir, "node.conf", text, NULL);
    /* Same id, other name. */
    minimal_conf(text, sizeof text, "1", "aarhus");
    put_conf(fx->dir, "aarhus.conf", text, NULL);
    expect_error(fx, "aarhus.conf", 0, "already used");
    /* Same name, other id. */
    minimal_conf(text, sizeof text, "2", "copenhagen");
    put_conf(fx->dir, "aarhus.conf", text, NULL);
    expect_error(fx, "aarhus.conf", 0, "already used");
    /* Two siblings that clash with each other, not with self. */
    minimal_conf(text, sizeof text, "2", "aarhus");
    put_conf(fx->dir, "aarhus.conf", text, NULL);
    minimal_conf(text, sizeof text, "2", "odense");
    put_conf(fx->dir, "odense.conf", text, NULL);
    assert_int_equal(load(fx, "node.conf"), MN_ECONFIG);
    assert_non_null(strstr(fx->err, "already used"));
    /* Fixed: distinct ids and names load. */
    minimal_conf(text, sizeof text, "4", "odense");
    put_conf(fx->dir, "odense.conf", text, NULL);
    assert_int_equal(load(fx, "node.conf"), MN_OK);
    assert_int_equal(fx->cfg.ndivisions, 3);
}

/* A broken sibling breaks the load, and the message names the sibling. */
static void
test_bad_sibling(void **state) {
    struct fixture *fx = *state;
    char text[1024];

    minimal_conf(text, sizeof text, "1", "copenhagen");
    put_conf(fx->dir, "node.conf", text, NULL);
    minimal_conf(text, sizeof text, "99", "aarhus");
    put_conf(fx->dir, "aarhus.conf", text, NULL);
    expect_error(fx, "aarhus.conf", 2, "id must be");
}

static void
test_unreadable_file(void **state) {
    struct fixture *fx = *state;
    char path[PATH_MAX], text[1024];

    /* No such file. */
    expect_error(fx, "node.conf", 0, "cannot read");
    snprintf(path, sizeof path, "%s/missing/node.conf", fx->dir);
    assert_int_equal(mn_config_load(path, &fx->cfg, fx->err, sizeof fx->err),
                     MN_ECONFIG);
    assert_non_null(strstr(fx->err, path));
    /* A file its reader may not open (meaningless for root). */
    if (geteuid() != 0) {
        minimal_conf(text, sizeof text, "1", "copenhagen");
        put_conf(fx->dir, "node.conf", text, path);
        assert_int_equal(chmod(path, 0), 0);
        expect_error(fx, "node.conf", 0, "cannot read");
    }
}

/* ---- mn_config_split_addr --------------------------------------------- */

static void
test_split_addr(void **state) {
    char host[16];
    uint16_t port = 0;

    (void)state;
    assert_int_equal(
        mn_config_split_addr("127.0.0.1:8101", host, sizeof host, &port),
        MN_OK);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 8101);
    assert_int_equal(mn_config_split_addr("h:1", host, sizeof host, &port),
                     MN_OK);
    assert_string_equal(host, "h");
    assert_int_equal(port, 1);
    assert_int_equal(mn_config_split_addr("h:65535", host, sizeof host, &port),
                     MN_OK);
    assert_int_equal(port, 65535);
    /* The last colon splits, so IPv6 hosts keep theirs. */
    assert_int_equal(mn_config_split_addr("::1:80", host, sizeof host, &port),
                     MN_OK);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 80);

    static const char *const bad[] = {"nocolon",
                                      ":80",
                                      "h:0",
                                      "h:65536",
                                      "h:",
                                      "h:-1",
                                      "h:80x",
                                      "h: 80",
                                      "h:+80",
                                      "",
                                      "h:99999999999999999999"};
    for (size_t i = 0; i < MN_ARRAY_LEN(bad); i++) {
        port = 4242;
        if (mn_config_split_addr(bad[i], host, sizeof host, &port) != MN_EINVAL)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(port, 4242);
    }
    /* The host must fit with its NUL: 15 characters do, 16 do not. */
    assert_int_equal(
        mn_config_split_addr("abcdefghijklmno:1", host, sizeof host, &port),
        MN_OK);
    assert_string_equal(host, "abcdefghijklmno");
    assert_int_equal(
        mn_config_split_addr("abcdefghijklmnop:1", host, sizeof host, &port),
        MN_EINVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void) {
    const struct CMUnitTest tests[] = {
        T(test_load_all_fields),
        T(test_load_defaults),
        T(test_siblings_become_divisions),
        T(test_id_range_ends),
        T(test_unknown_key_and_section),
        T(test_syntax_error_before_bad_key),
        T(test_bad_id),
        T(test_bad_name),
        T(test_missing_required_keys),
        T(test_bad_listen),
        T(test_bad_map_size_sync_drift),
        T(test_audit_retention),
        T(test_aggregate_interval),
        T(test_duplicate_across_siblings),
        T(test_bad_sibling),
        T(test_unreadable_file),
        cmocka_unit_test(test_split_addr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
