/*
 * res_audit — GET /v1/audit (admin only): the audit log's entries
 * (audit.h), oldest first, filtered by participant (her id), token (its
 * id, or "admin"), since and until (RFC 3339 UTC: since <= at < until)
 * and limit (1..1000, default 100). {"items": [...], "more": bool}: more
 * says that entries past the limit were left out (ask again with since
 * set to the last entry's at).
 */
#include <stdlib.h>
#include <string.h>

#include "api/audit.h"
#include "api/resource.h"
#include "api/tokens.h"

static int
parse_time_arg(struct MHD_Connection *c, const char *key, uint64_t *out,
               mn_problem *p) {
    const char *z = mn_api_arg(c, key);
    if (z && mn_time_parse(z, out) != MN_OK)
        return mn_problem_set(p, "bad_query", key,
                              "%s: use RFC 3339 UTC, e.g. 2026-12-01T00:00:00Z",
                              key);
    return MN_OK;
}

static int
parse_limit(const char *z, size_t *out, mn_problem *p) {
    char *end;
    unsigned long v = z ? strtoul(z, &end, 10) : MN_AUDIT_LIMIT_DEFAULT;
    if (z && (*z < '1' || *z > '9' || *end || v > MN_AUDIT_LIMIT_MAX))
        return mn_problem_set(p, "bad_query", "limit",
                              "limit: a whole number from 1 to %d",
                              MN_AUDIT_LIMIT_MAX);
    *out = v;
    return MN_OK;
}

static int
parse_filter(struct MHD_Connection *c, mn_audit_filter *f, mn_problem *p) {
    uint8_t raw[MN_ID_BYTES];
    memset(f, 0, sizeof *f);
    f->participant = mn_api_arg(c, "participant");
    f->token = mn_api_arg(c, "token");
    if (f->participant && mn_api_parse_id(f->participant, raw) != MN_OK)
        return mn_problem_set(p, "bad_query", "participant",
                              "participant: an id (32 lower-case hex digits)");
    if (f->token && strcmp(f->token, "admin") != 0 &&
        (strlen(f->token) != MN_TOKEN_ID_HEX ||
         mn_hex_decode(f->token, MN_TOKEN_ID_HEX, raw, MN_TOKEN_ID_HEX / 2) !=
             MN_OK))
        return mn_problem_set(p, "bad_query", "token",
                              "token: a token's id (16 hex digits) or admin");
    if (parse_time_arg(c, "since", &f->since, p) != MN_OK ||
        parse_time_arg(c, "until", &f->until, p) != MN_OK)
        return MN_EINVAL;
    return parse_limit(mn_api_arg(c, "limit"), &f->limit, p);
}

static void
add_item(void *user, json_t *entry) {
    json_array_append(user, entry);
}

enum MHD_Result
mn_api_audit(mn_http *h, struct MHD_Connection *c, const char *id,
             mn_api_request *r) {
    mn_audit_filter f;
    mn_problem p;
    bool more = false;
    (void)id, (void)r;
    if (parse_filter(c, &f, &p) != MN_OK)
        return mn_api_send_problem(c, &p);
    json_t *items = json_array();
    int rc = mn_audit_read(h->audit, &f, add_item, items, &more);
    if (rc != MN_OK) {
        json_decref(items);
        return mn_api_send_failure(c, rc);
    }
    return mn_api_send_json(
        c, 200, json_pack("{s:o, s:b}", "items", items, "more", (int)more));
}
