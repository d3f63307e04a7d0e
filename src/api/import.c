/*
 * import — POST /v1/import: NDJSON, one participant to create per line.
 *
 * Validate first, then write in batches:
 *   1. every line is parsed and validated, the body's two halves on two
 *      threads; a line's ops are kept packed in an arena of its half (a few
 *      bytes per op plus its strings), not as ~2 KiB mn_write structs;
 *   2. only when every line passed are they unpacked, IMPORT_BATCH at a
 *      time, into one reused array of writes, and each batch goes to the
 *      writer with mn_node_write: one group commit per batch, so a remote
 *      apply that arrives meanwhile waits for one batch, not the import.
 *      Nothing of the request holds the writer while it is parsed.
 *
 * Invariants: a bad line (or a body with no line) writes nothing; batches
 * commit in line order, so a storage error after some batches leaves
 * exactly the lines before the failed batch, and the reply says how many
 * and from which line to send the rest again.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/resource.h"

/* Lines in one batch: the node's largest group commit (MAX_GROUP, 4096
 * changes), so a full batch is a group of its own. A remote apply queued
 * while one batch is written goes first in the next group, and cannot share
 * it with the next full batch: it waits for at most one batch (under 0.1 s
 * at 50,000 changes/s). Smaller batches mean more commits, which cost
 * throughput and map more of the store's pages (measured with
 * tests/bench/run: 2048 took the node's peak RSS from ~54 to ~65 MiB). */
#define IMPORT_BATCH 4096

/* One half of the body, validated on its own thread. */
struct slice {
    mn_http *h;
    const char *z, *end;
    size_t first_line;   /* number of the slice's first line */
    atomic_bool *failed; /* shared: a bad line anywhere stops both */
    mn_buf packed;       /* every valid line's ops, packed, in order */
    size_t n;            /* lines in packed */
    int rc;
    mn_problem p;
};

/* How far the writing got. */
struct progress {
    size_t done;      /* lines committed */
    size_t last_line; /* number of the last committed line (0: none) */
};

/* ---- packed ops ------------------------------------------------------- */

/*
 * A packed line: u32 lineno, u32 nops, then per op u32 no, u8 kind and its
 * value: i64 for MN_V_INT; u32 len, the bytes and a NUL for MN_V_STR;
 * nothing for MN_V_NONE. Read back with memcpy (no alignment).
 */
static void
put_u32(mn_buf *b, uint32_t v) {
    mn_buf_append(b, &v, sizeof v);
}

static void
pack_line(mn_buf *b, size_t lineno, const mn_ops *o) {
    put_u32(b, (uint32_t)lineno);
    put_u32(b, (uint32_t)o->n);
    for (size_t i = 0; i < o->n; i++) {
        const mn_value *v = &o->op[i].v;
        uint8_t kind = (uint8_t)v->kind;
        put_u32(b, o->op[i].no);
        mn_buf_append(b, &kind, 1);
        if (v->kind == MN_V_INT)
            mn_buf_append(b, &v->i, sizeof v->i);
        if (v->kind != MN_V_STR)
            continue;
        put_u32(b, (uint32_t)v->len);
        mn_buf_append(b, v->s, v->len + 1);
    }
}

static uint32_t
get_u32(uint8_t **pp) {
    uint32_t v;
    memcpy(&v, *pp, sizeof v);
    *pp += sizeof v;
    return v;
}

static uint8_t
get_u8(uint8_t **pp) {
    return *(*pp)++;
}

/* Unpack one line at *pp into a create; its strings point into the arena,
 * which must outlive w. OUT: *lineno. */
static void
unpack_line(uint8_t **pp, mn_write *w, size_t *lineno) {
    *lineno = get_u32(pp);
    w->type = MN_ENTITY_PARTICIPANT;
    w->create = true;
    w->result = MN_OK;
    w->given_id = false;
    w->prepare = NULL;
    w->prepare_ctx = NULL;
    w->ops.n = get_u32(pp);
    for (size_t i = 0; i < w->ops.n; i++) {
        mn_field_op *op = &w->ops.op[i];
        memset(op, 0, sizeof *op);
        op->no = get_u32(pp);
        op->v.kind = (enum mn_vkind)get_u8(pp);
        if (op->v.kind == MN_V_INT) {
            memcpy(&op->v.i, *pp, sizeof op->v.i);
            *pp += sizeof op->v.i;
        } else if (op->v.kind == MN_V_STR) {
            op->v.len = get_u32(pp);
            op->v.s = (char *)*pp;
            *pp += op->v.len + 1;
        }
    }
}

/* ---- validation ------------------------------------------------------- */

/* Prefix p's message with the line number. */
static void
name_line(mn_problem *p, size_t lineno) {
    char msg[sizeof p->message + 32];
    snprintf(msg, sizeof msg, "line %zu: %s", lineno, p->message);
    msg[sizeof p->message - 1] = '\0';
    memcpy(p->message, msg, sizeof p->message);
}

/* Validate one NDJSON line and pack its ops; on a bad line p names it. */
static int
check_line(struct slice *sl, const char *line, size_t n, size_t lineno) {
    json_error_t jerr;
    mn_ops ops;
    json_t *body = mn_json_parse(line, n, &jerr);
    if (!body)
        return mn_problem_set(&sl->p, "bad_json", "", "line %zu: %s", lineno,
                              jerr.text);
    mn_ops_init(&ops);
    int rc = mn_api_participant_parse(
        body, NULL, mn_node_config(sl->h->node)->self.id, &ops, &sl->p);
    json_decref(body);
    if (rc == MN_OK) {
        pack_line(&sl->packed, lineno, &ops);
        sl->n++;
    } else {
        name_line(&sl->p, lineno);
    }
    mn_ops_release(&ops);
    return rc;
}

/* Validate every line of one slice; stops at the first bad line, or when
 * the other slice found one. Blank lines (also "\r") are skipped. */
static void *
check_slice(void *arg) {
    struct slice *sl = arg;
    size_t lineno = sl->first_line - 1;
    const char *z = sl->z;
    sl->rc = MN_OK;
    while (z < sl->end && sl->rc == MN_OK && !atomic_load(sl->failed)) {
        const char *nl = memchr(z, '\n', (size_t)(sl->end - z));
        const char *stop = nl ? nl : sl->end;
        lineno++;
        if (stop > z && !(stop - z == 1 && *z == '\r'))
            sl->rc = check_line(sl, z, (size_t)(stop - z), lineno);
        z = stop + 1;
    }
    if (sl->rc != MN_OK)
        atomic_store(sl->failed, true);
    return NULL;
}

/* Split at the newline nearest the middle; count the lines before it. */
static const char *
split_body(const char *z, const char *end, size_t *lines_before) {
    const char *mid = z + (end - z) / 2;
    const char *nl = memchr(mid, '\n', (size_t)(end - mid));
    const char *split = nl ? nl + 1 : end;
    *lines_before = 0;
    for (const char *p = z; p < split; p++)
        *lines_before += *p == '\n';
    return split;
}

/* Validate the whole body into sl[0] and sl[1]; MN_EINVAL with *p set on
 * the first bad line found, or when the body holds no line. */
static int
check_body(mn_http *h, const mn_api_request *r, struct slice sl[2],
           atomic_bool *failed, mn_problem *p) {
    const char *z = r->body.p ? (const char *)r->body.p : "";
    const char *end = z + r->body.len;
    size_t before;
    const char *split = split_body(z, end, &before);
    sl[0] = (struct slice){
        .h = h, .z = z, .end = split, .first_line = 1, .failed = failed};
    sl[1] = (struct slice){.h = h,
                           .z = split,
                           .end = end,
                           .first_line = before + 1,
                           .failed = failed};
    for (int k = 0; k < 2; k++) {
        /* Packed ops take less room than their JSON; reserving that much
         * spares the copies of growing (untouched pages cost no memory). */
        mn_buf_init(&sl[k].packed);
        mn_buf_reserve(&sl[k].packed, (size_t)(sl[k].end - sl[k].z));
    }
    pthread_t th;
    bool threaded = pthread_create(&th, NULL, check_slice, &sl[1]) == 0;
    check_slice(&sl[0]);
    if (threaded)
        pthread_join(th, NULL);
    else
        check_slice(&sl[1]);
    for (int k = 0; k < 2; k++)
        if (sl[k].rc != MN_OK) {
            *p = sl[k].p;
            return sl[k].rc;
        }
    if (sl[0].n + sl[1].n == 0)
        return mn_problem_set(p, "bad_json", "", "the body holds no lines");
    return MN_OK;
}

/* ---- writing ---------------------------------------------------------- */

/* Reads packed lines across both slices, in line order. */
struct reader {
    struct slice *sl;
    int k;      /* slice being read */
    size_t off; /* offset of its next packed line */
};

/* Unpack up to max lines into ws. OUT: *last the number of the last one. */
static size_t
fill_batch(struct reader *rd, mn_write *ws, size_t max, size_t *last) {
    size_t n = 0;
    while (n < max && rd->k < 2) {
        mn_buf *b = &rd->sl[rd->k].packed;
        if (rd->off == b->len) {
            rd->k++;
            rd->off = 0;
            continue;
        }
        uint8_t *p = b->p + rd->off;
        unpack_line(&p, &ws[n++], last);
        rd->off = (size_t)(p - b->p);
    }
    return n;
}

/* Hand every validated line to the writer, IMPORT_BATCH at a time (the
 * last batch holds the rest). Stops at the first failed batch. */
static int
write_all(mn_http *h, struct slice sl[2], struct progress *pg) {
    size_t total = sl[0].n + sl[1].n;
    size_t per = total < IMPORT_BATCH ? total : IMPORT_BATCH;
    mn_write *ws = mn_malloc(per * sizeof *ws);
    struct reader rd = {sl, 0, 0};
    int rc = MN_OK;
    while (rc == MN_OK && pg->done < total) {
        size_t last = 0, n = fill_batch(&rd, ws, per, &last);
        rc = mn_node_write(h->node, ws, n);
        if (rc == MN_OK) {
            pg->done += n;
            pg->last_line = last;
        }
    }
    free(ws);
    return rc;
}

/* A failed batch: the usual error, plus what the earlier batches left. */
static enum MHD_Result
send_write_failure(struct MHD_Connection *c, int err,
                   const struct progress *pg) {
    unsigned status;
    json_t *e = mn_api_failure_json(err, &status);
    json_object_set_new(e, "imported", json_integer((json_int_t)pg->done));
    if (pg->done > 0) {
        char msg[384];
        snprintf(msg, sizeof msg,
                 "%s; lines 1 to %zu (%zu participants) were imported and "
                 "stay, nothing after them was written: send the rest again "
                 "from line %zu",
                 err == MN_EFULL ? "the node's storage is full"
                                 : mn_strerror(err),
                 pg->last_line, pg->done, pg->last_line + 1);
        json_object_set_new(e, "message", json_string(msg));
    }
    return mn_api_send_json(c, status, json_pack("{s:o}", "error", e));
}

enum MHD_Result
mn_api_import(mn_http *h, struct MHD_Connection *c, const char *id,
              mn_api_request *r) {
    struct slice sl[2];
    struct progress pg = {0, 0};
    atomic_bool failed = false;
    mn_problem p = {0};
    enum MHD_Result ok;
    (void)id;
    int rc = check_body(h, r, sl, &failed, &p);
    if (rc == MN_OK)
        rc = write_all(h, sl, &pg);
    mn_buf_release(&sl[0].packed);
    mn_buf_release(&sl[1].packed);
    if (p.code)
        ok = mn_api_send_problem(c, &p);
    else if (rc != MN_OK)
        ok = send_write_failure(c, rc, &pg);
    else
        ok = mn_api_send_json(
            c, 200, json_pack("{s:I}", "imported", (json_int_t)pg.done));
    return ok;
}
