/*
 * config_test — mentornetd refuses bad configurations: each case exits
 * non-zero by itself (within a few seconds) and says on stderr which file
 * (and where it applies, which line) is wrong. Also: keys with loose modes,
 * a data directory of another division, and --keygen never overwriting.
 *
 * Every case gets its own directory, because a node reads every *.conf
 * beside its own as the other divisions.
 *
 * Usage: it_config MENTORNETD PORT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define WATCHDOG_S 100
/* A refused config is refused at once; this bound only catches a hang. */
#define RUN_TIMEOUT_S 10
/* Sizes of paths: the top directory is /tmp/mn-it-config.XXXXXX. */
#define TOP_MAX 256
#define DIR_MAX 512
#define FILE_MAX 1024

static const char *daemon_path;
static int base_port;
static char top[TOP_MAX];
static int ncase;

/*
 * A good config; its lines, for the line numbers the cases expect:
 *  1 [node]             5 map_size_mb = 16      9 listen = ...:PORT+1
 *  2 id = ID            6 [http]               10 [keys]
 *  3 name = NAME        7 listen = ...:PORT    11 dir = keys
 *  4 data_dir = data    8 [replication]
 */
static void
good_config(char *out, size_t cap, const char *id, const char *name,
            const char *listen) {
    char default_listen[64];
    snprintf(default_listen, sizeof default_listen, "127.0.0.1:%d", base_port);
    snprintf(out, cap,
             "[node]\nid = %s\nname = %s\ndata_dir = data\n"
             "map_size_mb = 16\n[http]\nlisten = %s\n[replication]\n"
             "listen = 127.0.0.1:%d\n[keys]\ndir = keys\n",
             id, name, listen ? listen : default_listen, base_port + 1);
}

/* A fresh directory for one case; OUT: dir (DIR_MAX bytes). */
static void
case_dir(char *dir) {
    snprintf(dir, DIR_MAX, "%s/case%02d", top, ++ncase);
    CHECK(mkdir(dir, 0700) == 0, "mkdir %s", dir);
}

/* Write text as dir/file; OUT: path (FILE_MAX bytes). */
static void
write_conf(const char *dir, const char *file, const char *text, char *path) {
    snprintf(path, FILE_MAX, "%s/%s", dir, file);
    CHECK(tl_write_text(path, text, 0644) == 0, "write %s", path);
}

static int
run_daemon(const char *const *args, char **out, char **err) {
    const char *argv[8] = {daemon_path};
    for (int i = 0; args[i] && i < 6; i++)
        argv[i + 1] = args[i];
    return tl_run(argv, NULL, RUN_TIMEOUT_S, out, NULL, err);
}

static int
keygen(const char *conf) {
    const char *const args[] = {"--keygen", "--config", conf, NULL};
    char *out = NULL, *err = NULL;
    int rc = run_daemon(args, &out, &err);
    CHECK(rc == 0, "keygen %s: exit 0 (rc %d, %s)", conf, rc, err ? err : "");
    free(out);
    free(err);
    return rc;
}

/*
 * mentornetd --config conf must exit non-zero by itself with every one of
 * wants (NULL-terminated) on stderr.
 */
static void
refused_with(const char *label, const char *conf, const char *const *wants) {
    const char *const args[] = {"--config", conf, NULL};
    char *err = NULL;
    int rc = run_daemon(args, NULL, &err);
    CHECK(rc > 0 && rc < 128, "%s: exits non-zero by itself (rc %d)", label,
          rc);
    for (size_t i = 0; wants[i]; i++) {
        bool found = err && strstr(err, wants[i]);
        CHECK(found, "%s: stderr says '%s' (stderr: %s)", label, wants[i],
              err ? err : "");
    }
    free(err);
}

/* One config file with text; must be refused naming file:line. */
static void
refused_text(const char *label, const char *text, int line, const char *word) {
    char dir[DIR_MAX], path[FILE_MAX], where[FILE_MAX + 16];
    case_dir(dir);
    write_conf(dir, "n.conf", text, path);
    if (line > 0)
        snprintf(where, sizeof where, "%s:%d", path, line);
    else
        snprintf(where, sizeof where, "%s", path);
    const char *const wants[] = {where, word, NULL};
    refused_with(label, path, wants);
}

/* The good config with line `line` replaced (or, with "" , removed). */
static void
refused_edit(const char *label, int line, const char *replacement,
             int want_line, const char *word) {
    char text[2048], edited[2048];
    good_config(text, sizeof text, "1", "copenhagen", NULL);
    size_t len = 0;
    int no = 1;
    for (const char *p = text; *p; no++) {
        size_t n = strcspn(p, "\n") + 1;
        if (no == line && replacement)
            len += (size_t)snprintf(edited + len, sizeof edited - len, "%s%s",
                                    replacement, replacement[0] ? "\n" : "");
        else
            len += (size_t)snprintf(edited + len, sizeof edited - len, "%.*s",
                                    (int)n, p);
        p += n;
    }
    refused_text(label, edited, want_line, word);
}

static void
test_bad_keys(void) {
    tl_section("unknown keys, bad values, syntax");
    char text[2048], extra[2200];
    good_config(text, sizeof text, "1", "copenhagen", NULL);
    refused_edit("unknown key in [node]", 5, "map_size_mb = 16\ncolour = blue",
                 6, "colour");
    snprintf(extra, sizeof extra, "%s[extra]\nkey = 1\n", text);
    refused_text("unknown section", extra, 13, "extra");
    snprintf(extra, sizeof extra, "%sthis line is not ini\n", text);
    refused_text("a line that is not ini", extra, 12, "");
    static const char *const bad_ids[] = {
        "0", "65", "x", "-1", "1.5", "", "1x", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        char label[64], line[64];
        snprintf(label, sizeof label, "id = '%s'", bad_ids[i]);
        snprintf(line, sizeof line, "id = %s", bad_ids[i]);
        refused_edit(label, 2, line, 2, "id");
    }
    refused_edit("name with capitals", 3, "name = Copenhagen", 3, "name");
    refused_edit("name with a space", 3, "name = copen hagen", 3, "name");
    refused_edit("map_size_mb = 0", 5, "map_size_mb = 0", 5, "map_size_mb");
    refused_edit("map_size_mb = lots", 5, "map_size_mb = lots", 5,
                 "map_size_mb");
    refused_edit("sync = yes", 5, "sync = yes", 5, "sync");
    refused_edit("max_clock_drift_ms = 0", 9,
                 "listen = 127.0.0.1:1\nmax_clock_drift_ms = 0", 10,
                 "max_clock_drift_ms");
}

static void
test_missing_keys(void) {
    tl_section("missing keys");
    refused_edit("missing [http] listen", 7, "", 0, "[http] listen");
    refused_edit("missing [node] id", 2, "", 0, "[node] id");
    refused_edit("missing [node] name", 3, "", 0, "[node] name");
    refused_edit("missing [node] data_dir", 4, "", 0, "[node] data_dir");
    refused_edit("missing [replication] listen", 9, "", 0,
                 "[replication] listen");
    refused_edit("missing [keys] dir", 11, "", 0, "[keys] dir");
}

static void
test_bad_listen(void) {
    tl_section("bad listen addresses");
    static const char *const bad[] = {
        "nohost",     "127.0.0.1:0", "127.0.0.1:99999",
        "127.0.0.1:", ":8101",       "127.0.0.1:80x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char label[64], line[64];
        snprintf(label, sizeof label, "listen = '%s'", bad[i]);
        snprintf(line, sizeof line, "listen = %s", bad[i]);
        refused_edit(label, 7, line, 7, "listen");
    }
    /* host:port, but not an IP address: refused when the config loads. */
    static const char *const not_ip[] = {"localhost", "999.1.1.1",
                                         "example.org"};
    for (size_t i = 0; i < sizeof not_ip / sizeof not_ip[0]; i++) {
        char label[64], line[64];
        snprintf(label, sizeof label, "listen = '%s:8101'", not_ip[i]);
        snprintf(line, sizeof line, "listen = %s:8101", not_ip[i]);
        refused_edit(label, 7, line, 7, "listen");
    }
}

static void
test_port_in_use(void) {
    tl_section("listen address in use");
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)(base_port + 2))};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (!CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
                   listen(fd, 1) == 0,
               "occupy port %d", base_port + 2)) {
        if (fd >= 0)
            close(fd);
        return;
    }
    char dir[DIR_MAX], path[FILE_MAX], text[2048], addr[64];
    case_dir(dir);
    snprintf(addr, sizeof addr, "127.0.0.1:%d", base_port + 2);
    good_config(text, sizeof text, "1", "copenhagen", addr);
    write_conf(dir, "n.conf", text, path);
    keygen(path);
    const char *const wants[] = {addr, NULL};
    refused_with("listen on a port in use", path, wants);
    close(fd);
}

static void
test_unreadable(void) {
    tl_section("unreadable config");
    char path[FILE_MAX];
    snprintf(path, sizeof path, "%s/no-such-dir/n.conf", top);
    const char *const wants[] = {path, NULL};
    refused_with("missing file", path, wants);

    char dir[DIR_MAX], text[2048];
    case_dir(dir);
    good_config(text, sizeof text, "1", "copenhagen", NULL);
    write_conf(dir, "n.conf", text, path);
    chmod(path, 0);
    if (geteuid() == 0) {
        printf("(running as root: a mode-000 file is readable; "
               "checking only the missing file)\n");
    } else {
        const char *const names[] = {path, "cannot read", NULL};
        refused_with("mode 000 file", path, names);
    }
    chmod(path, 0600);

    char *out = NULL, *err = NULL;
    const char *const no_config[] = {NULL};
    int rc = run_daemon(no_config, &out, &err);
    CHECK(rc == 2 && err && strstr(err, "usage"),
          "no --config: exit 2 with usage (rc %d)", rc);
    free(out);
    free(err);
    const char *const help[] = {"--help", NULL};
    rc = run_daemon(help, &out, NULL);
    CHECK(rc == 0 && out && strstr(out, "usage"), "--help: exit 0 (rc %d)", rc);
    free(out);
}

static void
test_siblings(void) {
    tl_section("other divisions in the same directory");
    char dir[DIR_MAX], a[FILE_MAX], b[FILE_MAX], text[2048];
    case_dir(dir);
    good_config(text, sizeof text, "1", "copenhagen", NULL);
    write_conf(dir, "copenhagen.conf", text, a);
    good_config(text, sizeof text, "1", "aarhus", NULL);
    write_conf(dir, "aarhus.conf", text, b);
    const char *const same_id[] = {"aarhus.conf", "already used", NULL};
    refused_with("two configs with id 1", a, same_id);

    case_dir(dir);
    good_config(text, sizeof text, "1", "copenhagen", NULL);
    write_conf(dir, "copenhagen.conf", text, a);
    good_config(text, sizeof text, "2", "copenhagen", NULL);
    write_conf(dir, "other.conf", text, b);
    const char *const same_name[] = {"other.conf", "already used", NULL};
    refused_with("two configs with the same name", a, same_name);

    case_dir(dir);
    good_config(text, sizeof text, "1", "copenhagen", NULL);
    write_conf(dir, "copenhagen.conf", text, a);
    write_conf(dir, "broken.conf", "[node]\nid = 2\nname = broken\nfoo = 1\n",
               b);
    char where[FILE_MAX + 8];
    snprintf(where, sizeof where, "%s:4", b);
    const char *const broken[] = {where, NULL};
    refused_with("a broken sibling config", a, broken);
}

static void
test_keys(void) {
    tl_section("keys");
    char dir[DIR_MAX], path[FILE_MAX], text[2048], key[FILE_MAX];
    case_dir(dir);
    good_config(text, sizeof text, "1", "copenhagen", NULL);
    write_conf(dir, "n.conf", text, path);
    const char *const no_keys[] = {"copenhagen.sign.secret", NULL};
    refused_with("no keys yet", path, no_keys);
    keygen(path);

    static const char *const files[] = {
        "copenhagen.sign.secret", "copenhagen.sign.pub",
        "copenhagen.curve.secret", "copenhagen.curve.pub", "network.key"};
    char *before[5];
    for (int i = 0; i < 5; i++) {
        snprintf(key, sizeof key, "%s/keys/%s", dir, files[i]);
        before[i] = tl_read_file(key, NULL);
        CHECK(before[i] != NULL, "keygen created %s", files[i]);
        struct stat st;
        bool secret = strstr(files[i], "secret") || strstr(files[i], "network");
        CHECK(stat(key, &st) == 0 && (!secret || (st.st_mode & 077) == 0),
              "%s has mode %o", files[i], (unsigned)(st.st_mode & 0777));
    }
    keygen(path);
    for (int i = 0; i < 5; i++) {
        snprintf(key, sizeof key, "%s/keys/%s", dir, files[i]);
        char *after = tl_read_file(key, NULL);
        CHECK(before[i] && after && strcmp(before[i], after) == 0,
              "a second --keygen keeps %s", files[i]);
        free(after);
        free(before[i]);
    }

    static const char *const secrets[] = {"copenhagen.sign.secret",
                                          "network.key"};
    for (int i = 0; i < 2; i++) {
        char label[128];
        snprintf(key, sizeof key, "%s/keys/%s", dir, secrets[i]);
        chmod(key, 0644);
        snprintf(label, sizeof label, "%s with mode 0644", secrets[i]);
        const char *const wants[] = {key, "chmod 600", NULL};
        refused_with(label, path, wants);
        chmod(key, 0640);
        snprintf(label, sizeof label, "%s with mode 0640", secrets[i]);
        refused_with(label, path, wants);
        chmod(key, 0600);
    }
    struct stat st;
    snprintf(key, sizeof key, "%s/data", dir);
    CHECK(stat(key, &st) != 0, "a refused start left no data directory");
}

static void
test_other_division(void) {
    tl_section("a data directory of another division");
    it_node n;
    if (it_node_create(&n, daemon_path, base_port + 3, 16) != 0 ||
        it_node_start(&n) != 0) {
        it_node_destroy(&n);
        return;
    }
    tl_resp r;
    it_send_json(&n, "POST", "/v1/participants",
                 "{\"role\":\"mentee\",\"given_name\":\"Kept\","
                 "\"family_name\":\"Data\"}",
                 &r);
    CHECK(r.status == 201, "create a participant as division 1");
    char path[128];
    snprintf(path, sizeof path, "/v1/participants/%s", tl_str(r.json, "id"));
    tl_resp_release(&r);
    json_t *digest = it_get_json(&n, "/v1/digest");
    CHECK(it_node_stop(&n) == 0, "division 1 stops cleanly");

    n.id = 2;
    it_node_write_config(&n);
    const char *const wants[] = {n.data_dir, "division 1", NULL};
    refused_with("division 2 on division 1's data", n.conf, wants);

    n.id = 1;
    it_node_write_config(&n);
    if (it_node_start(&n) == 0) {
        CHECK(it_get(&n, path, &r) == 200,
              "division 1 starts again with its data");
        tl_resp_release(&r);
        json_t *again = it_get_json(&n, "/v1/digest");
        CHECK(json_equal(digest, again), "and the same digest");
        json_decref(again);
    }
    json_decref(digest);
    it_node_destroy(&n);
}

int
main(int argc, char **argv) {
    it_args(argc, argv, false, &daemon_path, &base_port, NULL);
    tl_begin("integration.config", WATCHDOG_S);
    if (CHECK(snprintf(top, sizeof top, "/tmp/mn-it-config.XXXXXX") > 0 &&
                  mkdtemp(top) != NULL,
              "mkdtemp")) {
        test_bad_keys();
        test_missing_keys();
        test_bad_listen();
        test_port_in_use();
        test_unreadable();
        test_siblings();
        test_keys();
        test_other_division();
        if (getenv("MN_TEST_KEEP"))
            fprintf(stderr, "kept %s\n", top);
        else
            tl_rm_rf(top);
    }
    return tl_summary();
}
