/*
 * http — see http.h.
 */
#include "http.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#define HTTP_TIMEOUT_S 30L
#define HTTP_CONNECT_TIMEOUT_S 5L
/* Chunked uploads hand out at most this much at a time: several chunks. */
#define UPLOAD_PIECE 4096

const char TL_NO_AUTH[] = "";

static _Thread_local CURL *thread_curl;

static size_t
on_body(char *p, size_t size, size_t nmemb, void *user) {
    tl_resp *r = user;
    size_t n = size * nmemb;
    char *bigger = realloc(r->body, r->len + n + 1);
    if (!bigger)
        return 0;
    r->body = bigger;
    memcpy(r->body + r->len, p, n);
    r->len += n;
    r->body[r->len] = '\0';
    return n;
}

struct upload {
    const char *p;
    size_t left;
};

static size_t
on_read(char *buf, size_t size, size_t nitems, void *user) {
    struct upload *u = user;
    size_t n = size * nitems;
    if (n > u->left)
        n = u->left;
    if (n > UPLOAD_PIECE)
        n = UPLOAD_PIECE;
    memcpy(buf, u->p, n);
    u->p += n;
    u->left -= n;
    return n;
}

static CURL *
handle(void) {
    if (!thread_curl)
        thread_curl = curl_easy_init();
    else
        curl_easy_reset(thread_curl);
    if (!thread_curl)
        abort();
    return thread_curl;
}

void
tl_http_thread_done(void) {
    if (thread_curl)
        curl_easy_cleanup(thread_curl);
    thread_curl = NULL;
}

static struct curl_slist *
request_headers(const char *token, const tl_request *rq) {
    char line[512];
    struct curl_slist *h = NULL;
    if (!rq->auth) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, line);
    } else if (rq->auth != TL_NO_AUTH) {
        snprintf(line, sizeof line, "Authorization: %s", rq->auth);
        h = curl_slist_append(h, line);
    }
    /* "Content-Type:" with no value stops curl from adding its own. */
    snprintf(line, sizeof line, "Content-Type:%s%s", rq->ctype ? " " : "",
             rq->ctype ? rq->ctype : "");
    h = curl_slist_append(h, line);
    if (rq->chunked)
        h = curl_slist_append(h, "Transfer-Encoding: chunked");
    return h;
}

static void
set_body(CURL *c, const tl_request *rq, struct upload *up) {
    if (rq->body && rq->chunked) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, up);
    } else if (rq->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
    }
}

long
tl_http(const char *base_url, const char *token, const tl_request *rq,
        tl_resp *r) {
    char url[PATH_MAX];
    struct upload up = {rq->body, rq->len};
    CURL *c = handle();
    memset(r, 0, sizeof *r);
    snprintf(url, sizeof url, "%s%s", base_url, rq->path);
    struct curl_slist *headers = request_headers(token, rq);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, HTTP_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    set_body(c, rq, &up);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method ? rq->method : "GET");
    r->curl_rc = (int)curl_easy_perform(c);
    if (r->curl_rc == CURLE_OK) {
        const char *ct = NULL;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
        snprintf(r->ctype, sizeof r->ctype, "%s", ct ? ct : "");
    }
    curl_slist_free_all(headers);
    if (r->body)
        r->json = json_loadb(r->body, r->len, 0, NULL);
    return r->status;
}

void
tl_resp_release(tl_resp *r) {
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

json_t *
tl_get_json(const char *base_url, const char *token, const char *path) {
    tl_resp r;
    tl_request rq = {.path = path};
    json_t *j = NULL;
    if (tl_http(base_url, token, &rq, &r) == 200 && r.json)
        j = json_incref(r.json);
    tl_resp_release(&r);
    return j;
}

const char *
tl_str(const json_t *o, const char *key) {
    const char *z = json_string_value(json_object_get(o, key));
    return z ? z : "";
}
