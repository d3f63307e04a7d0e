/*
 * router — the API's one route table: every (method, path) the node
 * answers, with its handler, body cap, content type and whether it needs
 * the admin token. An endpoint is a row here and a handler in its own
 * res_*.c file; the server (server.c) reads nothing but this table.
 *
 * Invariant: no two rows share (method, path); a path the table knows
 * with another method is answered 405, any other path 404.
 */
#include <string.h>

#include "api/resource.h"
#include "mentornet/mentornet.h"

#define JSON "application/json"
#define NDJSON "application/x-ndjson"

static const mn_api_route routes[] = {
    {"GET", "/v1/health", mn_api_health, 0, NULL, true},
    {"GET", "/metrics", mn_api_metrics, 0, NULL, true},
    {"POST", "/v1/participants", mn_api_participant_create, MN_MAX_BODY, JSON,
     false},
    {"GET", "/v1/participants", mn_api_participant_list, 0, NULL, false},
    {"GET", "/v1/participants/*", mn_api_participant_get, 0, NULL, false},
    {"PATCH", "/v1/participants/*", mn_api_participant_patch, MN_MAX_BODY, JSON,
     false},
    {"POST", "/v1/import", mn_api_import, MN_MAX_IMPORT_BODY, NDJSON, false},
    {"GET", "/v1/stats", mn_api_stats, 0, NULL, false},
    {"GET", "/v1/digest", mn_api_digest, 0, NULL, false},
    {"GET", "/v1/replication", mn_api_replication, 0, NULL, false},
    {"GET", "/v1/conflicts", mn_api_conflicts, 0, NULL, false},
    {"GET", "/v1/backup", mn_api_backup, 0, NULL, false},
};

/* Query parameters any endpoint that checks its query accepts; a
 * parameter outside this list is refused with 400 bad_query. */
static const char *const params[] = {"role",  "status", "division", "q",
                                     "limit", "cursor", "verify"};

/* Does url match pattern? OUT: *id the '*' segment (points into url). */
static bool
path_match(const char *pattern, const char *url, const char **id) {
    size_t n = strlen(pattern);
    if (pattern[n - 1] != '*')
        return strcmp(pattern, url) == 0;
    if (strncmp(pattern, url, n - 1) != 0)
        return false;
    *id = url + n - 1;
    return **id != '\0' && !strchr(*id, '/');
}

const mn_api_route *
mn_api_route_find(const char *method, const char *url, const char **id,
                  bool *path_known) {
    *path_known = false;
    for (size_t i = 0; i < MN_ARRAY_LEN(routes); i++) {
        if (!path_match(routes[i].path, url, id))
            continue;
        *path_known = true;
        if (strcmp(routes[i].method, method) == 0)
            return &routes[i];
    }
    return NULL;
}

bool
mn_api_param_known(const char *key) {
    for (size_t i = 0; i < MN_ARRAY_LEN(params); i++)
        if (strcmp(params[i], key) == 0)
            return true;
    return false;
}
