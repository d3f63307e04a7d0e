/*
 * import — `mentornet import FILE`: create participants from NDJSON, one
 * per line (README.md, "CLI").
 *
 * Invariants:
 * - At most MN_MAX_IMPORT_BODY bytes are held and sent at once; a longer
 *   file goes in parts split between lines, each one commit on the node.
 * - A line longer than a part is a usage error, sent nowhere.
 * - After a failed request, the message says how many participants were
 *   imported in all (the earlier parts, and the batches of the failed part
 *   that the node committed before a storage error: its error's
 *   "imported") and the line of the file to import again from. The node
 *   writes a part's lines in order and skips blank ones (empty, or "\r"),
 *   so those K participants are the part's first K non-blank lines.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/util.h"
#include "cli/args.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/output.h"

/* One import request: up to 16 MiB validated and written in one commit. */
#define CLI_IMPORT_TIMEOUT_S 600L

typedef struct import_job {
    FILE *f;
    const char *name; /* for messages */
    mn_buf buf;       /* read, not yet sent; at most MN_MAX_IMPORT_BODY */
    bool eof;
    unsigned long line; /* line number of the first byte in buf */
    json_int_t total;   /* imported by the requests so far */
    unsigned nreq;      /* requests that succeeded */
} import_job;

static int
import_open(import_job *job, const char *path) {
    memset(job, 0, sizeof *job);
    job->name = strcmp(path, "-") == 0 ? "stdin" : path;
    job->f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!job->f)
        return mn_out_file_error(path);
    mn_buf_init(&job->buf);
    mn_buf_reserve(&job->buf, MN_MAX_IMPORT_BODY);
    job->line = 1;
    return 0;
}

static void
import_close(import_job *job) {
    if (job->f && job->f != stdin)
        fclose(job->f);
    mn_buf_release(&job->buf);
}

/* A full buffer at the very end of the input is still the end. */
static void
import_probe_eof(import_job *job) {
    int ch = getc(job->f);
    if (ch == EOF)
        job->eof = !ferror(job->f);
    else
        ungetc(ch, job->f);
}

static int
import_fill(import_job *job) {
    size_t room;
    while (!job->eof && (room = MN_MAX_IMPORT_BODY - job->buf.len) > 0) {
        size_t n = fread(job->buf.p + job->buf.len, 1, room, job->f);
        job->buf.len += n;
        if (n == 0 && ferror(job->f))
            return mn_out_file_error(job->name);
        if (n == 0)
            job->eof = true;
    }
    if (!job->eof)
        import_probe_eof(job);
    if (ferror(job->f))
        return mn_out_file_error(job->name);
    return 0;
}

static bool
is_blank(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return false;
    return true;
}

/* How many lines of p[0..n) hold its first k participants (lines the
 * node skips as blank hold none). */
static unsigned long
lines_holding(const uint8_t *p, size_t n, json_int_t k) {
    unsigned long lines = 0;
    size_t i = 0;
    while (k > 0 && i < n) {
        const uint8_t *nl = memchr(p + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - p) : n;
        lines++;
        if (end > i && !(end - i == 1 && p[i] == '\r'))
            k--;
        i = end + 1;
    }
    return lines;
}

/* Say what stays imported after a failed request of n bytes, and from
 * which line of the file to import again. */
static void
import_failed(const mn_cli *c, const import_job *job, const mn_response *rs,
              size_t n) {
    json_int_t k = mn_out_int(json_object_get(rs->json, "error"), "imported");
    json_int_t total = job->total + (k > 0 ? k : 0);
    unsigned long resume =
        job->line + (k > 0 ? lines_holding(job->buf.p, n, k) : 0);
    if (c->json)
        printf("{\"imported\": %" JSON_INTEGER_FORMAT
               ", \"resume_line\": %lu}\n",
               total, resume);
    if (job->line > 1)
        fprintf(stderr,
                "mentornet: %s is sent in parts of at most %d MiB; the "
                "failed part starts at line %lu (add %lu to a line number "
                "above)\n",
                job->name, MN_MAX_IMPORT_BODY >> 20, job->line, job->line - 1);
    if (total == 0) {
        if (job->line > 1)
            fprintf(stderr, "mentornet: nothing was imported\n");
        return;
    }
    fprintf(stderr,
            "mentornet: %" JSON_INTEGER_FORMAT " participants were imported "
            "in all (lines 1 to %lu of %s) and stay; nothing after line %lu "
            "was written. Import only lines %lu onwards again, or the first "
            "%" JSON_INTEGER_FORMAT " are created twice",
            total, resume - 1, job->name, resume - 1, resume, total);
    if (job->f != stdin)
        fprintf(stderr, " (tail -n +%lu %s > rest.ndjson)", resume, job->name);
    fprintf(stderr, "\n");
}

static int
import_send(mn_cli *c, import_job *job, size_t n) {
    mn_request rq = {"POST",     "/import", "application/x-ndjson",
                     job->buf.p, n,         CLI_IMPORT_TIMEOUT_S,
                     false};
    mn_response rs;
    mn_response_init(&rs);
    int rc = mn_client_call(c->client, &rq, &rs);
    if (rc == CLI_EXIT_OK) {
        job->total += mn_out_int(rs.json, "imported");
        job->nreq++;
    } else {
        import_failed(c, job, &rs, n);
    }
    mn_response_release(&rs);
    return rc;
}

static void
import_consume(import_job *job, size_t n) {
    for (size_t i = 0; i < n; i++)
        job->line += job->buf.p[i] == '\n';
    memmove(job->buf.p, job->buf.p + n, job->buf.len - n);
    job->buf.len -= n;
}

/* Send the next part: all that is left, or the whole lines of a full
 * buffer. */
static int
import_step(mn_cli *c, import_job *job) {
    size_t n = job->buf.len;
    if (!job->eof) {
        const uint8_t *nl = memrchr(job->buf.p, '\n', job->buf.len);
        if (!nl) {
            fprintf(stderr,
                    "mentornet: %s: line %lu is over the %d MiB "
                    "import limit\n",
                    job->name, job->line, MN_MAX_IMPORT_BODY >> 20);
            return CLI_EXIT_USAGE;
        }
        n = (size_t)(nl - job->buf.p) + 1;
    }
    int rc = is_blank(job->buf.p, n) ? 0 : import_send(c, job, n);
    if (rc == 0)
        import_consume(job, n);
    return rc;
}

static void
import_report(const mn_cli *c, const import_job *job) {
    if (c->json)
        printf("{\"imported\": %" JSON_INTEGER_FORMAT "}\n", job->total);
    else if (job->nreq > 1)
        printf("imported %" JSON_INTEGER_FORMAT " participants in %u "
               "requests\n",
               job->total, job->nreq);
    else
        printf("imported %" JSON_INTEGER_FORMAT " participants\n", job->total);
}

static int
import_run(mn_cli *c, const mn_args *a) {
    import_job job;
    int rc = import_open(&job, a->pos[0]);
    if (rc != 0)
        return rc;
    for (;;) {
        rc = import_fill(&job);
        if (rc != 0 || job.buf.len == 0)
            break;
        rc = import_step(c, &job);
        if (rc != 0)
            break;
    }
    if (rc == 0)
        import_report(c, &job);
    import_close(&job);
    return rc;
}

const mn_command mn_import_commands[] = {
    {.name = "import",
     .summary = "create participants from NDJSON, one per line",
     .operands = "FILE",
     .npos = 1,
     .detail =
         "FILE - reads stdin. The node checks every line of a request before\n"
         "it writes any; a bad line refuses the whole request. It then writes\n"
         "the lines in order, in commits of 4,096. Files over 16 MiB are sent\n"
         "in several requests of at most 16 MiB, split between lines.\n"
         "So a failure leaves the earlier requests imported, and after a\n"
         "storage error also the first commits of the failed one. Then this\n"
         "says how many participants were imported in all (lines 1 to L) and\n"
         "the line to import again from (L+1); with --json it prints\n"
         "{\"imported\": K, \"resume_line\": L+1}. Importing the whole file\n"
         "again would create the first K twice.",
     .run = import_run},
    {0},
};
