/*
 * import — `mentornet import FILE`: create participants from NDJSON, one
 * per line (README.md, "CLI").
 *
 * Invariants:
 * - At most MN_MAX_IMPORT_BODY bytes are held and sent at once; a longer
 *   file goes in parts split between lines, each one commit on the node.
 * - A line longer than a part is a usage error, sent nowhere.
 * - After a failed part, the message says what the earlier parts did.
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

/* After a failed part, say what the earlier parts already did. */
static void
import_context(const import_job *job) {
    if (job->line == 1)
        return;
    fprintf(stderr,
            "mentornet: %s is sent in parts of at most %d MiB; the failed "
            "part starts at line %lu\n(line numbers above count from "
            "there); %" JSON_INTEGER_FORMAT " participants from %u earlier "
            "parts stay imported\n",
            job->name, MN_MAX_IMPORT_BODY >> 20, job->line, job->total,
            job->nreq);
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
        import_context(job);
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
         "FILE - reads stdin. Files over 16 MiB are sent in several requests\n"
         "of at most 16 MiB, split between lines; each request is one "
         "commit,\n"
         "so when one fails the earlier ones stay imported.",
     .run = import_run},
    {0},
};
