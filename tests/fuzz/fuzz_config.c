/*
 * fuzz_config — a node's config file through mn_config_load: the bytes are
 * written to x.conf in a temporary directory and loaded, which parses them
 * with inih and then reads the division directory beside them. That
 * directory also holds one fixed, valid sibling.conf (division 9,
 * "sibling"), so an input can collide with another division's id or name.
 *
 * Oracle besides the sanitizers: after a successful load every invariant
 * config.h promises holds (ids 1..64 and unique, names [a-z0-9_-]{1,31} and
 * unique, paths absolute, addresses host:port, self among the divisions).
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/config.h"
#include "fuzz.h"

static char root[256], conf_path[512];

static const char sibling[] =
    "[node]\nid = 9\nname = sibling\ndata_dir = ../run/sibling\n"
    "[http]\nlisten = 127.0.0.1:8109\n"
    "[replication]\nlisten = 127.0.0.1:7109\n"
    "[keys]\ndir = ../run/keys\n";

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *f) {
    (void)st, (void)flag, (void)f;
    return remove(path);
}

static void
cleanup(void) {
    if (root[0])
        nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
write_file(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "fuzz_config: cannot write %s\n", path);
        abort();
    }
}

int
LLVMFuzzerInitialize(int *argc, char ***argv) {
    const char *tmp = getenv("TMPDIR");
    char path[512];
    (void)argc, (void)argv;
    snprintf(root, sizeof root, "%s/mn-fuzz-config-XXXXXX",
             tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(root)) {
        fprintf(stderr, "fuzz_config: cannot create a temporary directory\n");
        abort();
    }
    atexit(cleanup);
    snprintf(path, sizeof path, "%s/sibling.conf", root);
    write_file(path, sibling, sizeof sibling - 1);
    snprintf(conf_path, sizeof conf_path, "%s/x.conf", root);
    return 0;
}

static bool
valid_name(const char *z) {
    size_t n = strnlen(z, MN_NAME_MAX);
    if (n == 0 || n >= MN_NAME_MAX)
        return false;
    return strspn(z, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static void
check_address(const char *addr) {
    char host[64];
    uint16_t port;
    FUZZ_CHECK(memchr(addr, '\0', 64) != NULL, "address not terminated");
    FUZZ_CHECK(mn_config_split_addr(addr, host, sizeof host, &port) == MN_OK,
               "stored address %s does not split", addr);
}

static void
check_invariants(const mn_config *c) {
    bool self_seen = false;
    FUZZ_CHECK(c->ndivisions >= 1 && c->ndivisions <= MN_MAX_NODES,
               "%zu divisions", c->ndivisions);
    FUZZ_CHECK(c->data_dir[0] == '/' && c->key_dir[0] == '/',
               "relative path left: %s %s", c->data_dir, c->key_dir);
    FUZZ_CHECK(c->map_size > 0 && c->max_drift_ms > 0, "zero limits");
    check_address(c->self.http_listen);
    check_address(c->self.repl_listen);
    FUZZ_CHECK(
        memchr(c->self.display_name, '\0', sizeof c->self.display_name) &&
            c->self.display_name[0],
        "display_name empty or not terminated");
    for (size_t i = 0; i < c->ndivisions; i++) {
        const mn_division *d = &c->divisions[i];
        FUZZ_CHECK(d->id >= 1 && d->id <= MN_MAX_NODES, "id %u", d->id);
        FUZZ_CHECK(valid_name(d->name), "bad name");
        self_seen |= d->id == c->self.id && strcmp(d->name, c->self.name) == 0;
        for (size_t k = 0; k < i; k++)
            FUZZ_CHECK(c->divisions[k].id != d->id &&
                           strcmp(c->divisions[k].name, d->name) != 0,
                       "division %u listed twice", d->id);
    }
    FUZZ_CHECK(self_seen, "self is not among the divisions");
    FUZZ_CHECK(mn_config_division(c, c->self.id) != NULL, "self not found");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* Heap, not stack: an mn_config is ~30 KiB, and ASan wants to see any
     * write past its end. */
    mn_config *c = malloc(sizeof *c);
    char err[512];
    if (!c)
        abort();
    err[0] = '\0';
    write_file(conf_path, data, size);
    if (mn_config_load(conf_path, c, err, sizeof err) == MN_OK)
        check_invariants(c);
    else
        FUZZ_CHECK(memchr(err, '\0', sizeof err) && err[0],
                   "a refused config without a message");
    free(c);
    return 0;
}
