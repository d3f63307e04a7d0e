/*
 * client — the CLI's HTTP client over libcurl (client.h).
 *
 * One curl handle is reused, so that the pages of a list and the parts of
 * an import share a connection. Invariants:
 * - The token is copied into the Authorization header only; that copy is
 *   wiped, and the token is never in a message.
 * - An error message names the URL without its query: q= may hold a name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "base/util.h"
#include "cli/args.h"
#include "cli/client.h"

#define CLI_CONNECT_TIMEOUT_S 5L
/* A backup has no overall time limit (it is as big as the store); it is
 * given up when no byte arrives for this long. The node copies the store
 * before it answers, about 1 s per GiB on an ordinary disk. */
#define CLI_STALL_S 300L

struct mn_client {
    char *node;        /* base URL without a trailing '/', owned */
    const char *token; /* NULL when none; borrowed from argv or environ */
    bool curl_ready;   /* curl_global_init succeeded */
    CURL *curl;        /* reused so that pages and imports share a connection */
};

/* ---- the client ------------------------------------------------------- */

static int
set_node(mn_client *c, const char *url) {
    size_t scheme = strncasecmp(url, "https://", 8) == 0  ? 8
                    : strncasecmp(url, "http://", 7) == 0 ? 7
                                                          : 0;
    size_t n = strlen(url);
    while (n > scheme && url[n - 1] == '/')
        n--;
    if (scheme == 0 || n == scheme)
        return mn_args_usage_error("",
                                   "--node: '%s' is not an http:// or "
                                   "https:// URL",
                                   url);
    c->node = mn_strndup(url, n);
    return 0;
}

/* The token goes into a header: no spaces or control characters. */
static int
set_token(mn_client *c, const char *token) {
    if (!token)
        token = getenv("MENTORNET_TOKEN");
    if (!token || !*token)
        return 0;
    for (const char *z = token; *z; z++)
        if ((unsigned char)*z <= ' ' || *z == 0x7f)
            return mn_args_usage_error("", "the token holds spaces or "
                                           "control characters");
    c->token = token;
    return 0;
}

int
mn_client_new(const char *url, const char *token, mn_client **out) {
    mn_client *c = mn_calloc(1, sizeof *c);
    int rc = set_node(c, url);
    if (rc == 0)
        rc = set_token(c, token);
    if (rc != 0)
        mn_client_destroy(&c);
    *out = c;
    return rc;
}

void
mn_client_destroy(mn_client **self_p) {
    mn_client *c = *self_p;
    if (!c)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    if (c->curl_ready)
        curl_global_cleanup();
    free(c->node);
    free(c);
    *self_p = NULL;
}

/* ---- requests --------------------------------------------------------- */

void
mn_response_init(mn_response *rs) {
    memset(rs, 0, sizeof *rs);
    mn_buf_init(&rs->body);
}

void
mn_response_release(mn_response *rs) {
    json_decref(rs->json);
    mn_buf_release(&rs->body);
}

/* Write a downloaded 2xx body to rs->save; a short write stops curl. */
static size_t
save_body(mn_response *rs, const char *p, size_t n) {
    errno = 0;
    if (fwrite(p, 1, n, rs->save) != n) {
        rs->save_errno = errno ? errno : EIO;
        return 0;
    }
    rs->saved += n;
    return n;
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *user) {
    mn_response *rs = user;
    size_t n = size * nmemb;
    long status = 0;
    if (rs->save) {
        curl_easy_getinfo(rs->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200 && status < 300)
            return save_body(rs, p, n);
    }
    if (n > CLI_MAX_ANSWER - rs->body.len) {
        rs->toobig = true;
        return 0;
    }
    mn_buf_append(&rs->body, p, n);
    return n;
}

static CURL *
client_handle(mn_client *c) {
    if (!c->curl_ready && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
        c->curl_ready = true;
    if (c->curl_ready && !c->curl)
        c->curl = curl_easy_init();
    return c->curl;
}

static struct curl_slist *
slist_add(struct curl_slist *list, const char *line) {
    struct curl_slist *next = curl_slist_append(list, line);
    if (!next) {
        fputs("mentornet: out of memory\n", stderr);
        abort();
    }
    return next;
}

/* curl keeps its own copy of the header; ours is wiped. */
static struct curl_slist *
add_auth(struct curl_slist *list, const char *token) {
    static const char prefix[] = "Authorization: Bearer ";
    size_t n = sizeof prefix + strlen(token);
    char *line = mn_malloc(n);
    snprintf(line, n, "%s%s", prefix, token);
    list = slist_add(list, line);
    explicit_bzero(line, n);
    free(line);
    return list;
}

static struct curl_slist *
make_headers(const mn_client *c, const mn_request *rq) {
    struct curl_slist *list = slist_add(NULL, "Accept: application/json");
    /* No 100-continue round trip before a large import. */
    list = slist_add(list, "Expect:");
    if (rq->ctype) {
        mn_buf b;
        mn_buf_init(&b);
        mn_out_printf(&b, "Content-Type: %s", rq->ctype);
        list = slist_add(list, mn_out_str(&b));
        mn_buf_release(&b);
    }
    if (c->token && !rq->anonymous)
        list = add_auth(list, c->token);
    return list;
}

static void
http_setopts(CURL *h, const mn_request *rq, const char *url,
             struct curl_slist *hdrs, mn_response *rs, char *errbuf) {
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "mentornet/" MN_VERSION);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CLI_CONNECT_TIMEOUT_S);
    if (rq->timeout_s > 0) {
        curl_easy_setopt(h, CURLOPT_TIMEOUT, rq->timeout_s);
    } else {
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, CLI_STALL_S);
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, rs);
    rs->curl = h;
    if (rq->ctype) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->len ? rq->body : "");
    }
    if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "POST") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
}

static int
transport_error(const mn_client *c, const mn_request *rq, const mn_response *rs,
                CURLcode cc, const char *err) {
    if (rs->toobig) {
        fprintf(stderr, "mentornet: the node's answer is over %zu MiB\n",
                CLI_MAX_ANSWER >> 20);
        return CLI_EXIT_FAILED;
    }
    if (rs->save_errno) {
        errno = rs->save_errno;
        return mn_out_file_error(rs->save_name);
    }
    /* The query is left out: q= may hold a name. */
    int n = (int)strcspn(rq->path, "?");
    fprintf(stderr, "mentornet: cannot reach %s/v1%.*s: ", c->node, n,
            rq->path);
    mn_out_print_safe(stderr, *err ? err : curl_easy_strerror(cc));
    fputc('\n', stderr);
    return CLI_EXIT_UNREACHABLE;
}

/* What to say when an error answer has no message of its own. */
static const char *
status_message(long status) {
    if (status >= 500)
        return "the node failed";
    if (status >= 400)
        return "the node refused the request";
    return "unexpected answer";
}

static void
print_api_error(const mn_response *rs) {
    const json_t *e = json_object_get(rs->json, "error");
    const char *msg = json_string_value(json_object_get(e, "message"));
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *field = json_string_value(json_object_get(e, "field"));
    fputs("mentornet: ", stderr);
    mn_out_print_safe(stderr, msg ? msg : status_message(rs->status));
    fputs(" (", stderr);
    if (code)
        mn_out_print_safe(stderr, code);
    else
        fprintf(stderr, "HTTP %ld", rs->status);
    if (field) {
        fputs(", field ", stderr);
        mn_out_print_safe(stderr, field);
    }
    fputs(")\n", stderr);
}

static int
check_answer(mn_response *rs) {
    json_error_t jerr;
    bool ok = rs->status >= 200 && rs->status < 300;
    if (rs->body.len > 0)
        rs->json = json_loadb((const char *)rs->body.p, rs->body.len, 0, &jerr);
    if (ok && rs->body.len > 0 && !rs->json) {
        fputs("mentornet: the node sent malformed JSON: ", stderr);
        mn_out_print_safe(stderr, jerr.text);
        fputc('\n', stderr);
        return CLI_EXIT_FAILED;
    }
    if (ok)
        return CLI_EXIT_OK;
    print_api_error(rs);
    if (rs->status >= 400 && rs->status < 500)
        return CLI_EXIT_REFUSED;
    return CLI_EXIT_FAILED;
}

int
mn_client_call(mn_client *c, const mn_request *rq, mn_response *rs) {
    CURL *h = client_handle(c);
    if (!h) {
        fputs("mentornet: cannot initialise libcurl\n", stderr);
        return CLI_EXIT_UNREACHABLE;
    }
    char err[CURL_ERROR_SIZE] = "";
    mn_buf url;
    mn_buf_init(&url);
    mn_out_printf(&url, "%s/v1%s", c->node, rq->path);
    struct curl_slist *hdrs = make_headers(c, rq);
    http_setopts(h, rq, mn_out_str(&url), hdrs, rs, err);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rs->status);
    curl_easy_reset(h); /* forget err, hdrs and rs; keep the connection */
    rs->curl = NULL;
    int rc =
        cc == CURLE_OK ? check_answer(rs) : transport_error(c, rq, rs, cc, err);
    curl_slist_free_all(hdrs);
    mn_buf_release(&url);
    return rc;
}

static void
print_raw(const mn_response *rs) {
    if (rs->body.len == 0)
        return;
    fwrite(rs->body.p, 1, rs->body.len, stdout);
    if (rs->body.p[rs->body.len - 1] != '\n')
        putchar('\n');
}

int
mn_client_show(mn_cli *c, const mn_request *rq, mn_printer human) {
    mn_response rs;
    mn_response_init(&rs);
    int rc = mn_client_call(c->client, rq, &rs);
    if (rc == CLI_EXIT_OK && c->json)
        print_raw(&rs);
    else if (rc == CLI_EXIT_OK)
        human(rs.json);
    mn_response_release(&rs);
    return rc;
}

int
mn_client_get(mn_cli *c, const char *path, mn_printer human) {
    mn_request rq = {"GET", path, NULL, NULL, 0, CLI_TIMEOUT_S, false};
    return mn_client_show(c, &rq, human);
}

static bool
is_unreserved(unsigned char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
           ch == '~';
}

void
mn_client_escape(mn_buf *b, const char *z) {
    for (const unsigned char *p = (const unsigned char *)z; *p; p++) {
        if (is_unreserved(*p))
            mn_buf_append(b, p, 1);
        else
            mn_out_printf(b, "%%%02X", *p);
    }
}
