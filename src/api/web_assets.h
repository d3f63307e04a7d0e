/*
 * web_assets — the web pages' files (src/api/web/), embedded into the
 * daemon at build time by cmake/embed_web.cmake, which generates the one
 * definition of the table below. res_web.c serves them.
 *
 * The bytes live in read-only static storage for the life of the process:
 * a response may point at them without copying.
 */
#ifndef MN_API_WEB_ASSETS_H
#define MN_API_WEB_ASSETS_H

#include <stddef.h>

/* One embedded file. */
typedef struct mn_web_asset {
    const char *name;          /* "app.js": its name under src/api/web/ */
    const char *type;          /* Content-Type, from the name's extension */
    const unsigned char *data; /* its bytes (NUL-terminated, not counted) */
    size_t len;
    const char *etag; /* quoted: the first 16 hex digits of its SHA-256 */
} mn_web_asset;

extern const mn_web_asset mn_web_assets[];
extern const size_t mn_web_nassets;

#endif
