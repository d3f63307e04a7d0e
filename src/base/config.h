/*
 * config — a node's INI configuration, and the division directory: every
 * other *.conf file beside it names one more division (id, name, addresses).
 * Adding a division is adding a file; no code knows the divisions.
 *
 * Invariants after a successful load: ids are 1..MN_MAX_NODES and unique,
 * names are unique and match [a-z0-9_-]{1,31}, relative paths have been made
 * absolute against the config file's directory, and divisions[] holds this
 * node too.
 */
#ifndef MN_CONFIG_H
#define MN_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mentornet/mentornet.h"

#define MN_NAME_MAX 32

typedef struct mn_division {
    uint32_t id;
    char name[MN_NAME_MAX];
    char display_name[128];
    char http_listen[64]; /* host:port */
    char repl_listen[64]; /* host:port */
} mn_division;

/* The matching criteria, each with a weight under [matching] (README
 * "Matching"); mn_config_weight_names gives their config and API names. */
enum mn_match_criterion {
    MN_MC_PROFESSION,
    MN_MC_SECTOR,
    MN_MC_EDUCATION,
    MN_MC_LANGUAGE,
    MN_MC_GOALS,
    MN_MC_AVAILABILITY,
    MN_MC_SAME_DIVISION,
    MN_MC_COUNT
};
/* Largest weight a criterion takes: seven criteria at most 7,000 points,
 * well under the solver's weight cap (match/lap.h). */
#define MN_MATCH_WEIGHT_MAX 1000

/* "profession", "sector", ... indexed by enum mn_match_criterion. */
extern const char *const mn_config_weight_names[MN_MC_COUNT];

typedef struct mn_config {
    char path[PATH_MAX];
    mn_division self;
    char data_dir[PATH_MAX];
    char key_dir[PATH_MAX];
    uint64_t map_size; /* bytes */
    bool sync;
    uint64_t max_drift_ms;
    uint32_t expire_days;          /* [partnerships]: a proposal nobody answered
                                      expires after this many days (default 30) */
    uint32_t audit_retention_days; /* [audit]: day files of the audit log
                                      older than this are deleted (365) */
    uint32_t match_weight[MN_MC_COUNT]; /* [matching] weight_<criterion> */
    uint32_t aggregate_interval_s;      /* [stats] aggregate_interval: seconds
                                           between publishes of this division's
                                           counts by country (10; 0: never) */
    size_t ndivisions;                  /* including self */
    mn_division divisions[MN_MAX_NODES];
} mn_config;

/*
 * Load the config at path and the divisions beside it into *out.
 * On failure returns MN_ECONFIG and writes "file:line: problem" to err.
 */
int mn_config_load(const char *path, mn_config *out, char *err, size_t errlen);

/* The division with this id or name, or NULL. Valid as long as cfg. */
const mn_division *mn_config_division(const mn_config *cfg, uint32_t id);
const mn_division *mn_config_division_by_name(const mn_config *cfg,
                                              const char *name);

/* Split "host:port"; returns MN_EINVAL when malformed. host is NUL-ended. */
int mn_config_split_addr(const char *addr, char *host, size_t hostlen,
                         uint16_t *port);

#endif
