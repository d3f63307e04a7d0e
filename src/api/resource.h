/*
 * resource — what the files of the HTTP API share, private to src/api/:
 * the handler signature every resource implements, the route table's row,
 * the replies, and the small readers of a request (ids, query parameters,
 * JSON bodies).
 *
 * Adding an endpoint is one new res_<name>.c that defines a handler with
 * the mn_api_handler signature (declared below) and one row in router.c.
 *
 * Invariants: a handler answers exactly once, through one of the mn_api_send
 * functions (or by queueing its own response, as backup does), and never
 * writes before it has validated all of its input. Replies never carry a
 * personal field value.
 */
#ifndef MN_API_RESOURCE_H
#define MN_API_RESOURCE_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "api/http.h"
#include "base/json.h"
#include "base/util.h"
#include "door/crypto.h"
#include "node/node.h"
#include "repl/replicator.h"
#include "state/entity.h"
#include "state/state.h"
#include "state/kind.h"

/* Page sizes of the listing endpoints (README "HTTP API"). */
#define MN_API_LIST_DEFAULT 50
#define MN_API_LIST_MAX 500

/* Longest path segment a '*' of a route matches (ids are 32). */
#define MN_API_SEG_MAX 64

/* Worker threads that run the handlers of routes that are not quick
 * (server.c): as many writes as this can wait in one group commit. */
#define MN_API_WORKERS 64
/* Buckets of the per-address connection count (addresses hashed). */
#define MN_API_ADDR_BUCKETS 1024

struct mn_api_request;
struct mn_tokens;
struct mn_audit;

/* The running server; handlers read node and repl, never change them. */
struct mn_http {
    struct MHD_Daemon *daemon;
    mn_node *node;
    mn_replicator *repl;
    uint8_t admin_hash[MN_HASH_BYTES]; /* of the admin token (auth.h) */
    struct mn_tokens *tokens;          /* every token (tokens.h) */
    struct mn_audit *audit;            /* the audit log (audit.h) */
    /* The queue of requests waiting for a worker (guarded by lock). */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct mn_api_request *head, *tail;
    bool stopping;
    size_t nworkers; /* started */
    pthread_t workers[MN_API_WORKERS];
    /* Open connections, in all and per hashed client address. */
    atomic_uint open;
    atomic_uint open_by_addr[MN_API_ADDR_BUCKETS];
};

struct mn_api_route;

/* The roles a token carries (README "Roles"). */
typedef enum mn_api_role {
    MN_API_ADMIN,       /* tokens, backup, replication, operations */
    MN_API_COORDINATOR, /* her division in full, others' profile class */
    MN_API_NATIONAL,    /* statistics only, small cells suppressed */
} mn_api_role;

/* The roles a route admits: a mask of MN_API_ROLE bits (router.c). */
#define MN_API_ROLE(role) (1u << (role))
/* With the role bits: a route whose method is not GET but that writes
 * nothing (the matching plan): a coordinator may call it on any node,
 * and the audit log does not count it as a write. */
#define MN_API_READ_ONLY (1u << 8)
#define MN_API_ANY                                                             \
    (MN_API_ROLE(MN_API_ADMIN) | MN_API_ROLE(MN_API_COORDINATOR) |             \
     MN_API_ROLE(MN_API_NATIONAL))

/* Who sent a request: set by the server from the token before any handler
 * runs (all zero on the public paths). */
typedef struct mn_api_caller {
    mn_api_role role;
    uint32_t division; /* a coordinator's division (1..MN_MAX_NODES) */
    char token_id[17]; /* the token's id, 16 hex ("" for the admin file) */
    char name[65];     /* the token's name, for the audit log */
} mn_api_caller;

/* An entity a request showed personal or special fields of, for the
 * audit log (audit.h). */
typedef struct mn_api_seen {
    const mn_kind *kind; /* NULL: the whole store (a backup) */
    uint8_t id[MN_ID_BYTES];
    unsigned classes; /* MN_KIND_JSON_CLASS bits (kind_json.h) */
} mn_api_seen;

/* One request: its route and body, buffered by the server up to its
 * route's cap, its place in the workers' queue, and what the audit log
 * records of it once it is answered (server.c writes it). */
typedef struct mn_api_request {
    mn_buf body;
    size_t cap;
    bool too_big;
    bool dispatched; /* handed to a worker: the connection is suspended */
    const struct mn_api_route *rt;
    mn_api_caller who;
    char id[MN_API_SEG_MAX + 1]; /* the path's '*' segment ("" if none) */
    struct MHD_Connection *c;
    struct mn_api_request *next;
    mn_api_seen *seen; /* what it showed, in order (owned) */
    size_t nseen, seen_cap;
    /* What a write answered, for its audit entry: a kind's name (or
     * "token") and its id; NULL when nothing yet. */
    const char *subject_kind;
    char subject_id[2 * MN_ID_BYTES + 1];
} mn_api_request;

/* A resource's handler. id is the path's '*' segment (r->id: "" if the
 * route has none); r->body holds the whole body. */
typedef enum MHD_Result (*mn_api_handler)(mn_http *h, struct MHD_Connection *c,
                                          const char *id, mn_api_request *r);

/* One row of the route table (router.c). */
typedef struct mn_api_route {
    const char *method;
    const char *path; /* a star matches one path segment: .../{id}/end */
    mn_api_handler fn;
    size_t body_cap; /* 0: no body */
    const char *content_type;
    bool public;        /* answered without a token */
    const char *params; /* the query parameters it takes, space-separated */
    bool quick;         /* answered on the poll thread: never waits or scans */
    unsigned roles;     /* MN_API_ROLE bits of the roles it admits; any
                           other gets 403 forbidden (public routes: all) */
} mn_api_route;

/* ---- router.c --------------------------------------------------------- */

/*
 * The route for (method, url), or NULL. OUT: id the '*' segment ("" if the
 * route has none); *path_known whether some route has that path (405, not
 * 404).
 */
const mn_api_route *mn_api_route_find(const char *method, const char *url,
                                      char id[MN_API_SEG_MAX + 1],
                                      bool *path_known);

/* Is url a path answered without a token (whatever the method)? */
bool mn_api_path_public(const char *url);

/* Does rt take the query parameter key? (Others are refused.) */
bool mn_api_param_known(const mn_api_route *rt, const char *key);

/* The route table's rows, for the tests and the README's role table:
 * row i < mn_api_route_count() (NULL past the end). */
size_t mn_api_route_count(void);
const mn_api_route *mn_api_route_at(size_t i);
/* rt as the README and the audit log name it, its '*' spelled {id}:
 * "GET /v1/participants/{id}", into out (cap bytes). */
void mn_api_route_endpoint(const mn_api_route *rt, char *out, size_t cap);

/* ---- handlers (one res_*.c, metrics.c or import.c each) ---------------- */

enum MHD_Result mn_api_health(mn_http *h, struct MHD_Connection *c,
                              const char *id, mn_api_request *r);
enum MHD_Result mn_api_metrics(mn_http *h, struct MHD_Connection *c,
                               const char *id, mn_api_request *r);
enum MHD_Result mn_api_participant_create(mn_http *h, struct MHD_Connection *c,
                                          const char *id, mn_api_request *r);
enum MHD_Result mn_api_participant_list(mn_http *h, struct MHD_Connection *c,
                                        const char *id, mn_api_request *r);
enum MHD_Result mn_api_participant_get(mn_http *h, struct MHD_Connection *c,
                                       const char *id, mn_api_request *r);
enum MHD_Result mn_api_participant_patch(mn_http *h, struct MHD_Connection *c,
                                         const char *id, mn_api_request *r);
enum MHD_Result mn_api_participant_erase(mn_http *h, struct MHD_Connection *c,
                                         const char *id, mn_api_request *r);
enum MHD_Result mn_api_erasure_get(mn_http *h, struct MHD_Connection *c,
                                   const char *id, mn_api_request *r);
enum MHD_Result mn_api_participant_transfer(mn_http *h,
                                            struct MHD_Connection *c,
                                            const char *id, mn_api_request *r);
/* GET /v1/participants/{id}/export and DELETE .../{id}/consent
 * (res_export.c). */
enum MHD_Result mn_api_participant_export(mn_http *h, struct MHD_Connection *c,
                                          const char *id, mn_api_request *r);
enum MHD_Result mn_api_participant_consent_withdraw(mn_http *h,
                                                    struct MHD_Connection *c,
                                                    const char *id,
                                                    mn_api_request *r);
enum MHD_Result mn_api_partnership_create(mn_http *h, struct MHD_Connection *c,
                                          const char *id, mn_api_request *r);
enum MHD_Result mn_api_partnership_list(mn_http *h, struct MHD_Connection *c,
                                        const char *id, mn_api_request *r);
enum MHD_Result mn_api_partnership_get(mn_http *h, struct MHD_Connection *c,
                                       const char *id, mn_api_request *r);
enum MHD_Result mn_api_partnership_reserve(mn_http *h, struct MHD_Connection *c,
                                           const char *id, mn_api_request *r);
enum MHD_Result mn_api_partnership_decline(mn_http *h, struct MHD_Connection *c,
                                           const char *id, mn_api_request *r);
enum MHD_Result mn_api_partnership_end(mn_http *h, struct MHD_Connection *c,
                                       const char *id, mn_api_request *r);
enum MHD_Result mn_api_partnership_expire(mn_http *h, struct MHD_Connection *c,
                                          const char *id, mn_api_request *r);
enum MHD_Result mn_api_meeting_put(mn_http *h, struct MHD_Connection *c,
                                   const char *id, mn_api_request *r);
enum MHD_Result mn_api_meeting_get(mn_http *h, struct MHD_Connection *c,
                                   const char *id, mn_api_request *r);
enum MHD_Result mn_api_meeting_list(mn_http *h, struct MHD_Connection *c,
                                    const char *id, mn_api_request *r);
enum MHD_Result mn_api_meeting_patch(mn_http *h, struct MHD_Connection *c,
                                     const char *id, mn_api_request *r);
enum MHD_Result mn_api_import(mn_http *h, struct MHD_Connection *c,
                              const char *id, mn_api_request *r);
enum MHD_Result mn_api_stats(mn_http *h, struct MHD_Connection *c,
                             const char *id, mn_api_request *r);
enum MHD_Result mn_api_digest(mn_http *h, struct MHD_Connection *c,
                              const char *id, mn_api_request *r);
enum MHD_Result mn_api_replication(mn_http *h, struct MHD_Connection *c,
                                   const char *id, mn_api_request *r);
enum MHD_Result mn_api_conflicts(mn_http *h, struct MHD_Connection *c,
                                 const char *id, mn_api_request *r);
enum MHD_Result mn_api_backup(mn_http *h, struct MHD_Connection *c,
                              const char *id, mn_api_request *r);
enum MHD_Result mn_api_subnetwork_create(mn_http *h, struct MHD_Connection *c,
                                         const char *id, mn_api_request *r);
enum MHD_Result mn_api_subnetwork_list(mn_http *h, struct MHD_Connection *c,
                                       const char *id, mn_api_request *r);
enum MHD_Result mn_api_subnetwork_get(mn_http *h, struct MHD_Connection *c,
                                      const char *id, mn_api_request *r);
enum MHD_Result mn_api_subnetwork_patch(mn_http *h, struct MHD_Connection *c,
                                        const char *id, mn_api_request *r);
enum MHD_Result mn_api_subnetwork_join(mn_http *h, struct MHD_Connection *c,
                                       const char *id, mn_api_request *r);
enum MHD_Result mn_api_subnetwork_leave(mn_http *h, struct MHD_Connection *c,
                                        const char *id, mn_api_request *r);
enum MHD_Result mn_api_subnetwork_members(mn_http *h, struct MHD_Connection *c,
                                          const char *id, mn_api_request *r);
enum MHD_Result mn_api_outcome_create(mn_http *h, struct MHD_Connection *c,
                                      const char *id, mn_api_request *r);
enum MHD_Result mn_api_outcome_list(mn_http *h, struct MHD_Connection *c,
                                    const char *id, mn_api_request *r);
enum MHD_Result mn_api_outcome_get(mn_http *h, struct MHD_Connection *c,
                                   const char *id, mn_api_request *r);
enum MHD_Result mn_api_token_create(mn_http *h, struct MHD_Connection *c,
                                    const char *id, mn_api_request *r);
enum MHD_Result mn_api_token_list(mn_http *h, struct MHD_Connection *c,
                                  const char *id, mn_api_request *r);
enum MHD_Result mn_api_token_revoke(mn_http *h, struct MHD_Connection *c,
                                    const char *id, mn_api_request *r);
enum MHD_Result mn_api_audit(mn_http *h, struct MHD_Connection *c,
                             const char *id, mn_api_request *r);
enum MHD_Result mn_api_outcome_patch(mn_http *h, struct MHD_Connection *c,
                                     const char *id, mn_api_request *r);

enum MHD_Result mn_api_match_suggestions(mn_http *h, struct MHD_Connection *c,
                                         const char *id, mn_api_request *r);
enum MHD_Result mn_api_match_plan(mn_http *h, struct MHD_Connection *c,
                                  const char *id, mn_api_request *r);
enum MHD_Result mn_api_whoami(mn_http *h, struct MHD_Connection *c,
                              const char *id, mn_api_request *r);
/* The web pages (res_web.c): GET / and GET /web/{name}. */
enum MHD_Result mn_api_web_index(mn_http *h, struct MHD_Connection *c,
                                 const char *id, mn_api_request *r);
enum MHD_Result mn_api_web_file(mn_http *h, struct MHD_Connection *c,
                                const char *id, mn_api_request *r);

/* ---- replies (server.c) ----------------------------------------------- */

/* The Content-Security-Policy of every answer: the web pages load
 * scripts, styles, images and connections from this node only, run no
 * inline script or style, and are never framed (README "Web pages"). */
#define MN_API_CSP                                                             \
    "default-src 'self'; base-uri 'none'; form-action 'self'; "                \
    "frame-ancestors 'none'"

/* Add the headers every answer carries: MN_API_CSP,
 * X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer. */
void mn_api_add_security_headers(struct MHD_Response *resp);

/* Send text (ownership passes to the response) with status and type. */
enum MHD_Result mn_api_send_text(struct MHD_Connection *c, unsigned status,
                                 const char *type, char *text);
/* Send j (reference stolen) as compact JSON with status. */
enum MHD_Result mn_api_send_json(struct MHD_Connection *c, unsigned status,
                                 json_t *j);
/* Send {"error": {"code", "message"[, "field"]}}; field may be NULL. */
enum MHD_Result mn_api_send_error(struct MHD_Connection *c, unsigned status,
                                  const char *code, const char *field,
                                  const char *message);
/* Send a validation problem: 400, or 500 for code "internal". */
enum MHD_Result mn_api_send_problem(struct MHD_Connection *c,
                                    const mn_problem *p);
/* The count of error answers with status (400..599) so far, for
 * /metrics (process-wide). */
uint64_t mn_api_errors_sent(unsigned status);
/* Map a node or store error (MN_E*) to the API's status and code. */
enum MHD_Result mn_api_send_failure(struct MHD_Connection *c, int err);
/* The {"code", "message"} object mn_api_send_failure sends for err (new
 * reference), for a resource that adds to it. OUT: *status. */
json_t *mn_api_failure_json(int err, unsigned *status);

/* ---- request readers (query.c) ---------------------------------------- */

/* The query parameter key, or NULL. Valid while the request runs. */
const char *mn_api_arg(struct MHD_Connection *c, const char *key);
/* Refuse (into p, MN_EINVAL) a query parameter rt does not take. */
int mn_api_check_query(struct MHD_Connection *c, const mn_api_route *rt,
                       mn_problem *p);
/* The "limit" parameter z (NULL: the default), 1..MN_API_LIST_MAX. */
int mn_api_parse_limit(const char *z, size_t *out, mn_problem *p);
/* An id: exactly 32 lower-case hex characters; MN_EINVAL when z is NULL
 * or anything else. */
int mn_api_parse_id(const char *z, uint8_t id[MN_ID_BYTES]);
/*
 * Parse r's body as JSON into *out (new reference). On bad JSON answers
 * 400 bad_json itself and leaves *out NULL: the caller returns the result.
 */
enum MHD_Result mn_api_parse_body(struct MHD_Connection *c,
                                  const mn_api_request *r, json_t **out);
/* Refuse (into p, MN_EINVAL) a body that is not an object ("bad_json")
 * or that has a key not among allowed[0..n) ("unknown_field", naming it):
 * the check of an action's small body. */
int mn_api_body_keys(const json_t *body, const char *const *allowed, size_t n,
                     mn_problem *p);
/* A read transaction on the node's store (end it with mn_txn_abort). */
int mn_api_read_begin(mn_http *h, mn_txn **t);

/* ---- shared renderers (render.c) -------------------------------------- */

/* {division name: changes held} for every known division and every
 * division seen in vv, summed over its incarnations. */
json_t *mn_api_vv_json(const mn_config *cfg, const mn_vv *vv);
/* {division, incarnation (6 hex digits), seq} of one origin. */
json_t *mn_api_origin_json(const mn_config *cfg, uint32_t origin, uint64_t seq);
/* The exact vector: one mn_api_origin_json per origin. */
json_t *mn_api_origins_json(const mn_config *cfg, const mn_vv *vv);
/* A division's name, or its number when the config does not know it. */
json_t *mn_api_division_json(const mn_config *cfg, uint32_t id);
/* RFC 3339 UTC of ms, or null for 0 (never). */
json_t *mn_api_time_json(uint64_t ms);
/* Add "digest" and "version_vector" as of t to o. */
int mn_api_add_digest(mn_http *h, mn_txn *t, json_t *o);

/* ---- any kind's resource (res_kind.c) ---------------------------------- */

/*
 * The plumbing of a kind's resource, from its table (state/kind.h): each
 * res_<plural>.c calls these with its kind. Handlers answer exactly once;
 * the others return MN_OK or an MN_E* code.
 */
/* Answer 404 not_found "no such <kind>". */
enum MHD_Result mn_api_kind_not_found(struct MHD_Connection *c,
                                      const mn_kind *k);
/* Answer a node or store error rc of a request on kind k (404 and 409
 * name the kind). */
enum MHD_Result mn_api_kind_failure(struct MHD_Connection *c, const mn_kind *k,
                                    int rc);
/* Read entity id of k into out (mn_entity_release frees) as this node
 * reads it: the values sealed to its division opened, the others left out
 * (node/seal.h); MN_ENOTFOUND when absent. */
int mn_api_kind_load(mn_http *h, const mn_kind *k,
                     const uint8_t id[MN_ID_BYTES], mn_entity *out);
/* Load entity id of k and answer it with status, showing r's caller the
 * classes mn_api_visible allows (and noting a write's subject for the
 * audit log). */
enum MHD_Result mn_api_kind_answer(mn_http *h, struct MHD_Connection *c,
                                   mn_api_request *r, const mn_kind *k,
                                   const uint8_t id[MN_ID_BYTES],
                                   unsigned status);
/* Validate body as a create of k (owner: this node's division) and write
 * it. OUT: id. MN_EINVAL with p->code set on a bad body; a node error with
 * p->code NULL. */
int mn_api_kind_insert(mn_http *h, const mn_kind *k, const json_t *body,
                       uint8_t id[MN_ID_BYTES], mn_problem *p);
/* POST /v1/<plural>: create from r's body; answers 201 and the entity. */
enum MHD_Result mn_api_kind_create(mn_http *h, struct MHD_Connection *c,
                                   const mn_kind *k, mn_api_request *r);
/* GET /v1/<plural>/{id}. */
enum MHD_Result mn_api_kind_get(mn_http *h, struct MHD_Connection *c,
                                mn_api_request *r, const mn_kind *k,
                                const char *id);
/* PATCH /v1/<plural>/{id}: the given fields; a patch that only repeats
 * stored values writes nothing. */
enum MHD_Result mn_api_kind_patch(mn_http *h, struct MHD_Connection *c,
                                  const mn_kind *k, const char *id,
                                  mn_api_request *r);
/* GET /v1/<plural>?<index params>&q=&limit=&cursor=: a page in id order,
 * {"items": [...], "next_cursor": hex or null}. */
enum MHD_Result mn_api_kind_list(mn_http *h, struct MHD_Connection *c,
                                 mn_api_request *r, const mn_kind *k);
/* A resource's own query parameter, read into q (MN_OK), or MN_EINVAL
 * with p filled. */
typedef int (*mn_api_list_filter)(mn_http *h, struct MHD_Connection *c,
                                  mn_list_query *q, mn_problem *p);
/* mn_api_kind_list, with extra (may be NULL) reading what is the
 * resource's own (partnerships: participant=ID, either side). */
enum MHD_Result mn_api_kind_list_with(mn_http *h, struct MHD_Connection *c,
                                      mn_api_request *r, const mn_kind *k,
                                      mn_api_list_filter extra);
/* Call fn for every entity q selects, in id order (all pages; q's limit
 * and cursor are overwritten). */
int mn_api_kind_scan_query(mn_txn *t, mn_list_query *q,
                           void (*fn)(void *user, const mn_entity *e),
                           void *user);

/* ---- roles (roles.c) ---------------------------------------------------- */

/*
 * The per-record rules of the roles (README "Roles"); the route table says
 * which roles may call a route at all. An entity is "of" division d when
 * one of its division fields (MN_FT_DIVISION: a participant's home, a
 * meeting's or outcome's recording division, a partnership's proposing
 * division or either side's home) holds d.
 */
/* Is e of kind k of division d? */
bool mn_api_of_division(const mn_kind *k, const mn_entity *e, uint32_t d);
/* May r's caller see the fields of class vis of e? Admin: all; national:
 * profile only; coordinator: all of her division's entities, the
 * profile class of the others. */
bool mn_api_may_see(const mn_api_request *r, const mn_kind *k,
                    const mn_entity *e, enum mn_fvis vis);
/* The classes (MN_KIND_JSON_CLASS bits) of e r's caller may see. */
unsigned mn_api_visible(const mn_api_request *r, const mn_kind *k,
                        const mn_entity *e);
/* May a list's q find e for r's caller? Only when she sees every field q
 * searches (so a coordinator cannot find another division's participant
 * by her name: q is answered from hidden values). */
bool mn_api_may_search(const mn_api_request *r, const mn_kind *k,
                       const mn_entity *e);
/* May r's caller change e (a coordinator: only her division's)? */
bool mn_api_may_write(const mn_api_request *r, const mn_kind *k,
                      const mn_entity *e);
/*
 * May r's caller make an entity that names the n ids (participants or
 * partnerships, MN_ID_BYTES each, one after another): a coordinator only
 * when all of them (any of them, when any) are of her division. MN_OK,
 * MN_EAUTH when not, or MN_ENOTFOUND when an id names neither.
 */
int mn_api_may_refer(mn_http *h, const mn_api_request *r, const uint8_t *ids,
                     size_t n, bool any);
/* Render e for r's caller (mn_api_visible) and note what it showed
 * (r->seen). New reference. */
json_t *mn_api_render(mn_api_request *r, const mn_kind *k, const mn_entity *e,
                      const mn_config *cfg);
/* Note that r showed the classes of entity id of kind k (k NULL: of the
 * whole store) for the audit log. */
void mn_api_saw(mn_api_request *r, const mn_kind *k,
                const uint8_t id[MN_ID_BYTES], unsigned classes);
/* Answer 403 forbidden with message (never a value). */
enum MHD_Result mn_api_forbidden(struct MHD_Connection *c, const char *message);

/* ---- participants (res_participants.c) --------------------------------- */

/*
 * The API's participant JSON into ops, for import (the resource itself
 * goes through res_kind.c). Validate a create (current NULL; home is the node's
 * division) or a patch of current; append its ops to out. MN_EINVAL with p
 * filled on a bad body.
 */
int mn_api_participant_parse(const json_t *body, const mn_entity *current,
                             uint32_t home, mn_ops *out, mn_problem *p);

#endif
