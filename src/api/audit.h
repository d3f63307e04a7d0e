/*
 * audit — the node's append-only audit log: every read of a personal or
 * special field through the API, and every write, with who (token id,
 * name, role), what (the entity's kind and id, the classes read), when,
 * through which endpoint, and the answer's status.
 *
 * Storage: one JSON-lines file per UTC day, <data_dir>/audit/YYYY-MM-DD.jsonl
 * (mode 0600), opened O_APPEND. Whole lines are gathered in memory and
 * appended by one write(2) at a time (at 64 KiB, once a second, before a
 * read and at close), so lines never interleave and a GET makes no system
 * call for its entry. No GET waits for a disk: a thread fdatasyncs the
 * file once a second when something was written (and at close), so a
 * crash loses at most about the last second of entries. The same thread deletes
 * whole day files older than the retention ([audit] retention_days) once an
 * hour.
 *
 * One line:
 *   {"at":"2026-12-04T10:00:00.123Z","action":"read","token":"<16 hex>",
 *    "name":"...","role":"coordinator","endpoint":"GET /v1/participants/{id}",
 *    "kind":"participant","id":"<32 hex>","classes":["personal"],"status":200}
 * "token" is "admin" for the bootstrap admin token (admin.token). A write
 * names the entity it answered, or the token it made or revoked ("kind":
 * "token").
 *
 * Invariants: an entry holds ids, class names, a route pattern (never a
 * query string) and the token's name, never a field's value; the log is
 * local (never replicated, not in a backup); a line is at most
 * MN_AUDIT_LINE_MAX bytes.
 */
#ifndef MN_API_AUDIT_H
#define MN_API_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/kind_json.h"
#include "api/resource.h"
#include "base/json.h"
#include "base/util.h"

#define MN_AUDIT_LINE_MAX 1024
/* Entries GET /v1/audit answers at most (and by default). */
#define MN_AUDIT_LIMIT_MAX 1000
#define MN_AUDIT_LIMIT_DEFAULT 100

typedef struct mn_audit mn_audit;

/* One entry, as its writer knows it; every string is borrowed. */
typedef struct mn_audit_entry {
    const mn_api_caller *who;
    bool write;           /* a write (else a read of classes) */
    const char *endpoint; /* "GET /v1/participants/{id}" */
    const char *kind;     /* the entity's kind, or NULL */
    const char *id;       /* its id (32 hex), or NULL */
    unsigned classes;     /* MN_KIND_JSON_CLASS bits read; 0 for a write */
    unsigned status;      /* the answer's HTTP status */
} mn_audit_entry;

/* What GET /v1/audit selects; NULL or 0 selects all. */
typedef struct mn_audit_filter {
    const char *participant; /* a participant's id: entries about her */
    const char *token;       /* a token's id, or "admin" */
    uint64_t since, until;   /* ms since the epoch: since <= at < until */
    size_t limit;            /* at most this many entries (0: no limit) */
} mn_audit_filter;

/*
 * Open the log in <data_dir>/audit (made if missing), keeping
 * retention_days days, and start its flush thread. OUT: *out, closed with
 * mn_audit_close. MN_EIO when the directory cannot be made.
 */
int mn_audit_open(const char *data_dir, uint32_t retention_days,
                  mn_audit **out);

/* Stop the thread, fdatasync and close; safe on NULL, nulls *self_p. */
void mn_audit_close(mn_audit **self_p);

/* Append e, stamped at ms, as one line to b (to be written with
 * mn_audit_write). */
void mn_audit_format(mn_buf *b, uint64_t ms, const mn_audit_entry *e);

/* Add lines (whole lines, formatted at ms) for the day file of ms; they
 * are written with what is gathered. MN_OK, or MN_EIO when writing what
 * was gathered failed (logged; the request is still answered). */
int mn_audit_write(mn_audit *a, uint64_t ms, const void *lines, size_t n);

/* Delete the day files older than the retention as of now_ms. OUT:
 * *deleted (may be NULL). MN_OK or MN_EIO. */
int mn_audit_prune(mn_audit *a, uint64_t now_ms, size_t *deleted);

/* Write what is gathered, and fdatasync the current day file if it was
 * written since the last sync. */
void mn_audit_sync(mn_audit *a);

/*
 * Call fn for each entry f selects, oldest first (fn owns nothing: the
 * entry is freed after the call). OUT: *more (may be NULL) whether entries
 * past f->limit were left out. MN_OK or MN_EIO.
 */
int mn_audit_read(mn_audit *a, const mn_audit_filter *f,
                  void (*fn)(void *user, json_t *entry), void *user,
                  bool *more);

/* The entries about participant id (32 hex), oldest first: the part of
 * the log a participant's data export includes. As mn_audit_read. */
int mn_audit_participant(mn_audit *a, const char *id,
                         void (*fn)(void *user, json_t *entry), void *user);

#endif
