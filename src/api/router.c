/*
 * router — the API's one route table: every (method, path) the node
 * answers, with its handler, body cap, content type, whether it needs a
 * token, and which roles may call it. An endpoint is a row here and a handler
 * in its own res_*.c file; the server (server.c) reads nothing but this table.
 *
 * Invariant: no two rows share (method, path); a path the table knows
 * with another method is answered 405, any other path 404 (both only
 * with a valid token, except on the public paths); a query parameter a
 * row does not list is answered 400 bad_query.
 */
#include <stdio.h>
#include <string.h>

#include "api/resource.h"
#include "mentornet/mentornet.h"

#define JSON "application/json"
#define NDJSON "application/x-ndjson"

/* Who may call a route (README "Roles"): the last column. National sees
 * statistics only; coordinators and admins the records; admins alone
 * tokens, the audit log, backup and conflicts (whose losing values may be
 * any division's personal fields). Every role reads the replication state
 * (vectors, peers and counts, no record), for the pages' status line. */
#define ANY MN_API_ANY
#define STAFF (MN_API_ROLE(MN_API_ADMIN) | MN_API_ROLE(MN_API_COORDINATOR))
#define ADMIN MN_API_ROLE(MN_API_ADMIN)
/* A POST that writes nothing adds MN_API_READ_ONLY (resource.h). */

/* Quick routes (a few keys read, nothing written, no scan) answer on a
 * poll thread; the others wait for a worker (server.c), so that no write,
 * scan or copy ever holds a poll thread. */
static const mn_api_route routes[] = {
    {"GET", "/v1/health", mn_api_health, 0, NULL, true, "", true, ANY},
    {"GET", "/metrics", mn_api_metrics, 0, NULL, true, "", true, ANY},
    {"GET", "/", mn_api_web_index, 0, NULL, true, "", true, ANY},
    {"GET", "/web/*", mn_api_web_file, 0, NULL, true, "", true, ANY},
    {"GET", "/v1/whoami", mn_api_whoami, 0, NULL, false, "", true, ANY},
    {"POST", "/v1/participants", mn_api_participant_create, MN_MAX_BODY, JSON,
     false, "", false, STAFF},
    {"GET", "/v1/participants", mn_api_participant_list, 0, NULL, false,
     "role status division q limit cursor", false, STAFF},
    {"GET", "/v1/participants/*", mn_api_participant_get, 0, NULL, false, "",
     true, STAFF},
    {"PATCH", "/v1/participants/*", mn_api_participant_patch, MN_MAX_BODY, JSON,
     false, "", false, STAFF},
    {"POST", "/v1/participants/*/transfer", mn_api_participant_transfer,
     MN_MAX_BODY, JSON, false, "", false, STAFF},
    {"GET", "/v1/participants/*/export", mn_api_participant_export, 0, NULL,
     false, "", false, STAFF},
    {"DELETE", "/v1/participants/*/consent",
     mn_api_participant_consent_withdraw, 0, NULL, false, "", false, STAFF},
    {"DELETE", "/v1/participants/*", mn_api_participant_erase, 0, NULL, false,
     "", false, STAFF},
    {"GET", "/v1/erasures/*", mn_api_erasure_get, 0, NULL, false, "", true,
     STAFF},
    {"POST", "/v1/partnerships", mn_api_partnership_create, MN_MAX_BODY, JSON,
     false, "", false, STAFF},
    {"GET", "/v1/partnerships", mn_api_partnership_list, 0, NULL, false,
     "state division mentee mentor participant limit cursor", false, STAFF},
    {"POST", "/v1/partnerships/expire", mn_api_partnership_expire, 0, NULL,
     false, "", false, STAFF},
    {"GET", "/v1/partnerships/*", mn_api_partnership_get, 0, NULL, false, "",
     false, STAFF},
    {"POST", "/v1/partnerships/*/reserve", mn_api_partnership_reserve,
     MN_MAX_BODY, JSON, false, "", false, STAFF},
    {"POST", "/v1/partnerships/*/decline", mn_api_partnership_decline,
     MN_MAX_BODY, JSON, false, "", false, STAFF},
    {"POST", "/v1/partnerships/*/end", mn_api_partnership_end, MN_MAX_BODY,
     JSON, false, "", false, STAFF},
    {"POST", "/v1/import", mn_api_import, MN_MAX_IMPORT_BODY, NDJSON, false, "",
     false, STAFF},
    {"GET", "/v1/stats", mn_api_stats, 0, NULL, false, "verify suppress format",
     false, ANY},
    {"GET", "/v1/digest", mn_api_digest, 0, NULL, false, "", true, ANY},
    {"GET", "/v1/replication", mn_api_replication, 0, NULL, false, "", true,
     ANY},
    {"GET", "/v1/conflicts", mn_api_conflicts, 0, NULL, false, "limit", false,
     ADMIN},
    {"GET", "/v1/backup", mn_api_backup, 0, NULL, false, "", false, ADMIN},
    {"POST", "/v1/subnetworks", mn_api_subnetwork_create, MN_MAX_BODY, JSON,
     false, "", false, STAFF},
    {"GET", "/v1/subnetworks", mn_api_subnetwork_list, 0, NULL, false,
     "division scope q limit cursor", false, STAFF},
    {"GET", "/v1/subnetworks/*", mn_api_subnetwork_get, 0, NULL, false, "",
     true, STAFF},
    {"PATCH", "/v1/subnetworks/*", mn_api_subnetwork_patch, MN_MAX_BODY, JSON,
     false, "", false, STAFF},
    {"POST", "/v1/subnetworks/*/members", mn_api_subnetwork_join, MN_MAX_BODY,
     JSON, false, "", false, STAFF},
    {"GET", "/v1/subnetworks/*/members", mn_api_subnetwork_members, 0, NULL,
     false, "", false, STAFF},
    {"POST", "/v1/subnetworks/*/leave", mn_api_subnetwork_leave, MN_MAX_BODY,
     JSON, false, "", false, STAFF},
    {"PUT", "/v1/meetings/*", mn_api_meeting_put, MN_MAX_BODY, JSON, false, "",
     false, STAFF},
    {"GET", "/v1/meetings", mn_api_meeting_list, 0, NULL, false,
     "partnership limit cursor", false, STAFF},
    {"GET", "/v1/meetings/*", mn_api_meeting_get, 0, NULL, false, "", true,
     STAFF},
    {"PATCH", "/v1/meetings/*", mn_api_meeting_patch, MN_MAX_BODY, JSON, false,
     "", false, STAFF},
    {"POST", "/v1/outcomes", mn_api_outcome_create, MN_MAX_BODY, JSON, false,
     "", false, STAFF},
    {"GET", "/v1/outcomes", mn_api_outcome_list, 0, NULL, false,
     "kind limit cursor", false, STAFF},
    {"GET", "/v1/outcomes/*", mn_api_outcome_get, 0, NULL, false, "", true,
     STAFF},
    {"PATCH", "/v1/outcomes/*", mn_api_outcome_patch, MN_MAX_BODY, JSON, false,
     "", true, STAFF},
    {"GET", "/v1/matching/suggestions", mn_api_match_suggestions, 0, NULL,
     false, "mentee mentor scope limit", false, STAFF},
    {"POST", "/v1/matching/plan", mn_api_match_plan, MN_MAX_BODY, JSON, false,
     "", false, STAFF | MN_API_READ_ONLY},
    {"POST", "/v1/tokens", mn_api_token_create, MN_MAX_BODY, JSON, false, "",
     false, ADMIN},
    {"GET", "/v1/tokens", mn_api_token_list, 0, NULL, false, "", false, ADMIN},
    {"POST", "/v1/tokens/*/revoke", mn_api_token_revoke, 0, NULL, false, "",
     false, ADMIN},
    {"GET", "/v1/audit", mn_api_audit, 0, NULL, false,
     "participant token since until limit", false, ADMIN},
};

/* Does url match pattern? A '*' in pattern matches one path segment of at
 * most MN_API_SEG_MAX bytes. OUT: seg that segment ("" if none). */
static bool
path_match(const char *pattern, const char *url, char seg[MN_API_SEG_MAX + 1]) {
    const char *star = strchr(pattern, '*');
    seg[0] = '\0';
    if (!star)
        return strcmp(pattern, url) == 0;
    size_t head = (size_t)(star - pattern);
    if (strncmp(pattern, url, head) != 0)
        return false;
    size_t n = strcspn(url + head, "/");
    if (n == 0 || n > MN_API_SEG_MAX || strcmp(star + 1, url + head + n) != 0)
        return false;
    memcpy(seg, url + head, n);
    seg[n] = '\0';
    return true;
}

const mn_api_route *
mn_api_route_find(const char *method, const char *url,
                  char id[MN_API_SEG_MAX + 1], bool *path_known) {
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
mn_api_path_public(const char *url) {
    char id[MN_API_SEG_MAX + 1];
    for (size_t i = 0; i < MN_ARRAY_LEN(routes); i++)
        if (routes[i].public && path_match(routes[i].path, url, id))
            return true;
    return false;
}

bool
mn_api_param_known(const mn_api_route *rt, const char *key) {
    size_t n = strlen(key);
    for (const char *z = rt->params; *z;) {
        size_t len = strcspn(z, " ");
        if (len == n && strncmp(z, key, n) == 0)
            return true;
        z += len + (z[len] == ' ');
    }
    return false;
}

size_t
mn_api_route_count(void) {
    return MN_ARRAY_LEN(routes);
}

const mn_api_route *
mn_api_route_at(size_t i) {
    return i < MN_ARRAY_LEN(routes) ? &routes[i] : NULL;
}

void
mn_api_route_endpoint(const mn_api_route *rt, char *out, size_t cap) {
    const char *star = strchr(rt->path, '*');
    if (!star)
        snprintf(out, cap, "%s %s", rt->method, rt->path);
    else
        snprintf(out, cap, "%s %.*s{id}%s", rt->method, (int)(star - rt->path),
                 rt->path, star + 1);
}
