/*
 * res_web — the web pages for coordinators and the national office, served
 * by the node itself: GET / answers index.html and GET /web/{name} the
 * other files of src/api/web/, embedded at build time (web_assets.h).
 * Both are public: a page holds no data, and every /v1 call the page
 * makes sends the token the user logged in with.
 *
 * Every answer carries the API's Content-Security-Policy (resource.h:
 * scripts, styles and connections to this node only, no inline script or
 * style), X-Content-Type-Options: nosniff and the file's ETag; a request
 * whose If-None-Match names that ETag is answered 304 without a body, so a
 * cached load costs a few hundred bytes per file.
 */
#include <string.h>

#include "api/resource.h"
#include "api/web_assets.h"

/* Revalidate on every load: the ETag makes that cheap, and a node that
 * was upgraded serves its new pages at once. */
#define WEB_CACHE "no-cache"

static const mn_web_asset *
asset_named(const char *name) {
    for (size_t i = 0; i < mn_web_nassets; i++)
        if (strcmp(mn_web_assets[i].name, name) == 0)
            return &mn_web_assets[i];
    return NULL;
}

/* Does the request's If-None-Match name etag (or "*")? */
static bool
not_modified(struct MHD_Connection *c, const char *etag) {
    const char *inm =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    return inm && (strcmp(inm, "*") == 0 || strstr(inm, etag) != NULL);
}

static enum MHD_Result
send_asset(struct MHD_Connection *c, const mn_web_asset *a) {
    bool same = not_modified(c, a->etag);
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        same ? 0 : a->len, (void *)a->data, MHD_RESPMEM_PERSISTENT);
    if (!same)
        MHD_add_response_header(resp, "Content-Type", a->type);
    MHD_add_response_header(resp, "ETag", a->etag);
    MHD_add_response_header(resp, "Cache-Control", WEB_CACHE);
    mn_api_add_security_headers(resp);
    enum MHD_Result rc = MHD_queue_response(c, same ? 304 : 200, resp);
    MHD_destroy_response(resp);
    return rc;
}

enum MHD_Result
mn_api_web_index(mn_http *h, struct MHD_Connection *c, const char *id,
                 mn_api_request *r) {
    const mn_web_asset *a = asset_named("index.html");
    (void)h, (void)id, (void)r;
    if (!a)
        return mn_api_send_error(c, 404, "not_found", NULL, "no such path");
    return send_asset(c, a);
}

enum MHD_Result
mn_api_web_file(mn_http *h, struct MHD_Connection *c, const char *id,
                mn_api_request *r) {
    const mn_web_asset *a = asset_named(id);
    (void)h, (void)r;
    if (!a)
        return mn_api_send_error(c, 404, "not_found", NULL, "no such file");
    return send_asset(c, a);
}
