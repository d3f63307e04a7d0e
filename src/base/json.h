/*
 * json — the one door to jansson for the library code.
 *
 * Decision: this header re-exports jansson's own API (json_t, json_object,
 * json_pack, ...) rather than wrapping every call, because api/ (and the
 * CLI) build and read JSON everywhere and a full wrapper would only rename
 * it. What the rule buys is where JSON may appear: only base/json.h
 * includes <jansson.h>, and only api/, cli/, tools and tests include
 * base/json.h. Domain headers (state/, door/, node/, repl/) never do, so
 * the domain is free of JSON types; turning JSON into ops and entities
 * into JSON happens in api/kind_json.c and api/stats_json.c.
 */
#ifndef MN_JSON_H
#define MN_JSON_H

#include <jansson.h>
#include <stddef.h>

/* Parse n bytes of one JSON document, refusing duplicate keys (the API's
 * rule). NULL on bad JSON, with err filled. New reference. */
json_t *mn_json_parse(const char *p, size_t n, json_error_t *err);

#endif
