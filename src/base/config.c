/*
 * config — see config.h. Parsing is libinih's; this file only knows which
 * keys exist, what values they take, and how the division directory is
 * assembled. Unknown sections and keys are errors: a typo must not silently
 * fall back to a default.
 */
#include "base/config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mentornet/mentornet.h"

struct parse {
    mn_config *cfg;
    FILE *file;
    int line; /* lines read so far */
    int problem_line;
    const char *dir;   /* directory of the file, for relative paths */
    char problem[256]; /* first problem found, empty if none */
    bool seen_id, seen_name, seen_http, seen_repl, seen_data, seen_keys;
};

static bool
valid_name(const char *z) {
    size_t n = strlen(z);
    if (n == 0 || n >= MN_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = z[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

static int
parse_uint(const char *z, uint64_t min, uint64_t max, uint64_t *out) {
    char *end;
    errno = 0;
    if (*z < '0' || *z > '9') /* strtoull would skip spaces and a sign */
        return MN_EINVAL;
    unsigned long long v = strtoull(z, &end, 10);
    if (errno || *end != '\0' || v < min || v > max)
        return MN_EINVAL;
    *out = v;
    return MN_OK;
}

static int
set_path(char *dst, const char *dir, const char *value) {
    int n = value[0] == '/' ? snprintf(dst, PATH_MAX, "%s", value)
                            : snprintf(dst, PATH_MAX, "%s/%s", dir, value);
    return n > 0 && n < PATH_MAX ? MN_OK : MN_EINVAL;
}

static int
set_string(char *dst, size_t cap, const char *value) {
    if (strlen(value) >= cap || value[0] == '\0')
        return MN_EINVAL;
    strcpy(dst, value);
    return MN_OK;
}

int
mn_config_split_addr(const char *addr, char *host, size_t hostlen,
                     uint16_t *port) {
    const char *colon = strrchr(addr, ':');
    uint64_t p;
    if (!colon || colon == addr || (size_t)(colon - addr) >= hostlen)
        return MN_EINVAL;
    if (parse_uint(colon + 1, 1, 65535, &p) != MN_OK)
        return MN_EINVAL;
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = '\0';
    *port = (uint16_t)p;
    return MN_OK;
}

/* host:port where host is an IPv4 address or a bracketed IPv6 one: nodes
 * listen on configured addresses, never on whatever a name resolves to. */
static int
set_addr(char *dst, size_t cap, const char *value) {
    char host[64];
    uint16_t port;
    unsigned char bin[16];
    if (mn_config_split_addr(value, host, sizeof host, &port) != MN_OK)
        return MN_EINVAL;
    size_t n = strlen(host);
    bool v6 = n > 2 && host[0] == '[' && host[n - 1] == ']';
    if (v6)
        host[n - 1] = '\0';
    if (inet_pton(v6 ? AF_INET6 : AF_INET, v6 ? host + 1 : host, bin) != 1)
        return MN_EINVAL;
    return set_string(dst, cap, value);
}

static const char *
node_key(struct parse *ps, const char *key, const char *value) {
    mn_config *c = ps->cfg;
    uint64_t v;
    if (strcmp(key, "id") == 0) {
        ps->seen_id = true;
        if (parse_uint(value, 1, MN_MAX_NODES, &v) != MN_OK)
            return "id must be a whole number from 1 to 64";
        c->self.id = (uint32_t)v;
    } else if (strcmp(key, "name") == 0) {
        ps->seen_name = true;
        if (!valid_name(value) ||
            set_string(c->self.name, sizeof c->self.name, value))
            return "name must be 1-31 characters of a-z, 0-9, _ and -";
    } else if (strcmp(key, "display_name") == 0) {
        if (set_string(c->self.display_name, sizeof c->self.display_name,
                       value))
            return "display_name must be 1-127 bytes";
    } else if (strcmp(key, "data_dir") == 0) {
        ps->seen_data = true;
        if (set_path(c->data_dir, ps->dir, value))
            return "data_dir is too long";
    } else if (strcmp(key, "map_size_mb") == 0) {
        if (parse_uint(value, 1, 1u << 20, &v) != MN_OK)
            return "map_size_mb must be a whole number from 1 to 1048576";
        c->map_size = v << 20;
    } else if (strcmp(key, "sync") == 0) {
        if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
            return "sync must be true or false";
        c->sync = strcmp(value, "true") == 0;
    } else {
        return "unknown key in [node]";
    }
    return NULL;
}

const char *const mn_config_weight_names[MN_MC_COUNT] = {
    "profession", "sector",       "education",     "language",
    "goals",      "availability", "same_division",
};

/* Defaults: out of 100 points, a shared profession weighs most (the
 * network matches on profession and education first), and the same
 * division's 10 points are the margin a mentor elsewhere has to beat. */
static const uint32_t default_weights[MN_MC_COUNT] = {30, 15, 15, 10,
                                                      15, 5,  10};

/* [matching] weight_<criterion> = 0..MN_MATCH_WEIGHT_MAX. */
static const char *
matching_key(mn_config *c, const char *key, const char *value) {
    uint64_t v;
    if (strncmp(key, "weight_", 7) == 0)
        for (size_t i = 0; i < MN_MC_COUNT; i++) {
            if (strcmp(key + 7, mn_config_weight_names[i]) != 0)
                continue;
            if (parse_uint(value, 0, MN_MATCH_WEIGHT_MAX, &v) != MN_OK)
                return "a weight must be a whole number from 0 to 1000";
            c->match_weight[i] = (uint32_t)v;
            return NULL;
        }
    return "unknown key in [matching] (weight_profession, weight_sector, "
           "weight_education, weight_language, weight_goals, "
           "weight_availability, weight_same_division)";
}

static const char *
other_key(struct parse *ps, const char *section, const char *key,
          const char *value) {
    mn_config *c = ps->cfg;
    uint64_t v;
    if (strcmp(section, "http") == 0 && strcmp(key, "listen") == 0) {
        ps->seen_http = true;
        if (set_addr(c->self.http_listen, sizeof c->self.http_listen, value))
            return "listen must be IP:port, e.g. 127.0.0.1:8101";
    } else if (strcmp(section, "replication") == 0 &&
               strcmp(key, "listen") == 0) {
        ps->seen_repl = true;
        if (set_addr(c->self.repl_listen, sizeof c->self.repl_listen, value))
            return "listen must be IP:port, e.g. 127.0.0.1:8101";
    } else if (strcmp(section, "replication") == 0 &&
               strcmp(key, "max_clock_drift_ms") == 0) {
        if (parse_uint(value, 1, 86400000, &v) != MN_OK)
            return "max_clock_drift_ms must be from 1 to 86400000";
        c->max_drift_ms = v;
    } else if (strcmp(section, "partnerships") == 0 &&
               strcmp(key, "expire_days") == 0) {
        if (parse_uint(value, 1, 3650, &v) != MN_OK)
            return "expire_days must be from 1 to 3650";
        c->expire_days = (uint32_t)v;
    } else if (strcmp(section, "audit") == 0 &&
               strcmp(key, "retention_days") == 0) {
        if (parse_uint(value, 1, 36500, &v) != MN_OK)
            return "retention_days must be from 1 to 36500";
        c->audit_retention_days = (uint32_t)v;
    } else if (strcmp(section, "stats") == 0 &&
               strcmp(key, "aggregate_interval") == 0) {
        if (parse_uint(value, 0, 86400, &v) != MN_OK)
            return "aggregate_interval must be from 0 (never) to 86400";
        c->aggregate_interval_s = (uint32_t)v;
    } else if (strcmp(section, "matching") == 0) {
        return matching_key(c, key, value);
    } else if (strcmp(section, "keys") == 0 && strcmp(key, "dir") == 0) {
        ps->seen_keys = true;
        if (set_path(c->key_dir, ps->dir, value))
            return "dir is too long";
    } else {
        return "unknown section or key";
    }
    return NULL;
}

static int
on_key(void *user, const char *section, const char *key, const char *value) {
    struct parse *ps = user;
    const char *problem = strcmp(section, "node") == 0
                              ? node_key(ps, key, value)
                              : other_key(ps, section, key, value);
    if (!problem)
        return 1;
    if (!ps->problem[0]) {
        snprintf(ps->problem, sizeof ps->problem, "[%s] %s: %s", section, key,
                 problem);
        ps->problem_line = ps->line;
    }
    return 0;
}

/* inih's line reader, counting lines so a problem names its own line. */
static char *
read_line(char *str, int num, void *stream) {
    struct parse *ps = stream;
    char *got = fgets(str, num, ps->file);
    if (got)
        ps->line++;
    return got;
}

static const char *
missing_key(const struct parse *ps) {
    if (!ps->seen_id)
        return "missing [node] id";
    if (!ps->seen_name)
        return "missing [node] name";
    if (!ps->seen_data)
        return "missing [node] data_dir";
    if (!ps->seen_http)
        return "missing [http] listen";
    if (!ps->seen_repl)
        return "missing [replication] listen";
    if (!ps->seen_keys)
        return "missing [keys] dir";
    return NULL;
}

static void
set_defaults(mn_config *c) {
    memset(c, 0, sizeof *c);
    c->map_size = (uint64_t)1024 << 20;
    c->sync = true;
    c->max_drift_ms = 300000;
    c->expire_days = 30;
    c->audit_retention_days = 365;
    c->aggregate_interval_s = 10;
    memcpy(c->match_weight, default_weights, sizeof c->match_weight);
}

/* Parse one file into c (without its siblings). */
static int
load_one(const char *path, mn_config *c, char *err, size_t errlen) {
    char dir[PATH_MAX];
    char *slash;
    set_defaults(c);
    snprintf(c->path, sizeof c->path, "%s", path);
    snprintf(dir, sizeof dir, "%s", path);
    slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    char *abs = realpath(dir, NULL);
    if (abs) {
        snprintf(dir, sizeof dir, "%s", abs);
        free(abs);
    }
    struct parse ps = {.cfg = c, .dir = dir};
    ps.file = fopen(path, "r");
    if (!ps.file) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        return MN_ECONFIG;
    }
    int line = ini_parse_stream(read_line, &ps, on_key, &ps);
    fclose(ps.file);
    if (line != 0) {
        if (ps.problem[0] && ps.problem_line == line)
            snprintf(err, errlen, "%s:%d: %s", path, ps.problem_line,
                     ps.problem);
        else
            snprintf(err, errlen, "%s:%d: syntax error", path, line);
        return MN_ECONFIG;
    }
    const char *missing = missing_key(&ps);
    if (missing) {
        snprintf(err, errlen, "%s: %s", path, missing);
        return MN_ECONFIG;
    }
    if (!c->self.display_name[0])
        strcpy(c->self.display_name, c->self.name);
    return MN_OK;
}

static int
add_division(mn_config *cfg, const mn_division *d, const char *path, char *err,
             size_t errlen) {
    for (size_t i = 0; i < cfg->ndivisions; i++) {
        const mn_division *o = &cfg->divisions[i];
        if (o->id == d->id || strcmp(o->name, d->name) == 0) {
            snprintf(err, errlen,
                     "%s: division id %u or name %s is already "
                     "used by division %s",
                     path, d->id, d->name, o->name);
            return MN_ECONFIG;
        }
    }
    cfg->divisions[cfg->ndivisions++] = *d;
    return MN_OK;
}

static bool
is_conf(const char *name) {
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".conf") == 0 && name[0] != '.';
}

/* Add every other *.conf beside cfg->path to the division directory. */
static int
load_siblings(mn_config *cfg, char *err, size_t errlen) {
    char dir[PATH_MAX], path[PATH_MAX + 256];
    snprintf(dir, sizeof dir, "%s", cfg->path);
    char *slash = strrchr(dir, '/');
    const char *self_base = slash ? slash + 1 : cfg->path;
    if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot list: %s", dir, strerror(errno));
        return MN_ECONFIG;
    }
    int rc = MN_OK;
    mn_config *other = malloc(sizeof *other);
    struct dirent *de;
    while (rc == MN_OK && other && (de = readdir(d)) != NULL) {
        if (!is_conf(de->d_name) || strcmp(de->d_name, self_base) == 0)
            continue;
        if (cfg->ndivisions == MN_MAX_NODES) {
            snprintf(err, errlen, "%s: more than %d divisions", dir,
                     MN_MAX_NODES);
            rc = MN_ECONFIG;
            break;
        }
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        rc = load_one(path, other, err, errlen);
        if (rc == MN_OK)
            rc = add_division(cfg, &other->self, path, err, errlen);
    }
    if (!other) {
        snprintf(err, errlen, "out of memory");
        rc = MN_ECONFIG;
    }
    free(other);
    closedir(d);
    return rc;
}

int
mn_config_load(const char *path, mn_config *out, char *err, size_t errlen) {
    int rc = load_one(path, out, err, errlen);
    if (rc != MN_OK)
        return rc;
    out->divisions[0] = out->self;
    out->ndivisions = 1;
    return load_siblings(out, err, errlen);
}

const mn_division *
mn_config_division(const mn_config *cfg, uint32_t id) {
    for (size_t i = 0; i < cfg->ndivisions; i++)
        if (cfg->divisions[i].id == id)
            return &cfg->divisions[i];
    return NULL;
}

const mn_division *
mn_config_division_by_name(const mn_config *cfg, const char *name) {
    for (size_t i = 0; i < cfg->ndivisions; i++)
        if (strcmp(cfg->divisions[i].name, name) == 0)
            return &cfg->divisions[i];
    return NULL;
}
