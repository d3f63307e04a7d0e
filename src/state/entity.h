/*
 * entity — the replicated state of one entity (participant today; more
 * types later) as a sorted set of fields, each with the stamp of the change
 * that wrote it, and the merge rule every node applies identically:
 * per-field last-writer-wins by (HLC, origin).
 *
 * A field number is 1..MN_FIELD_NO_MAX whether or not this version's kind
 * table knows it: a field a newer version added is merged and stored like
 * any other (README "Schema changes"), so old and new nodes hold the same
 * states and digests during a rolling upgrade.
 *
 * Invariants: fields are sorted by number and unique; a field's stamp is the
 * greatest stamp of every op ever merged into it; merging the same ops in any
 * order, any number of times, yields the same entity; an entity holds at most
 * MN_FIELD_NO_MAX fields, so a merge always has room.
 */
#ifndef MN_ENTITY_H
#define MN_ENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/id.h"
#include "mentornet/mentornet.h"
#include "state/vv.h"

/* Field numbers of every kind are 1..MN_FIELD_NO_MAX (on the wire and on
 * disk; the codec refuses any other). */
#define MN_FIELD_NO_MAX 63
/* Fields are unique by number, so an entity never holds more; nor does one
 * change hold more ops (the codec refuses more). */
#define MN_ENTITY_MAX_FIELDS MN_FIELD_NO_MAX
/* The largest clear string value a field may take (the kinds' check). */
#define MN_MAX_CLEAR_BYTES 4096
/* The largest string value an op or field may hold (the codec refuses
 * more): room for the sealed form of a clear value of MN_MAX_CLEAR_BYTES
 * (node/seal.h: "~1" and the base64 of 1 + 24 + 1 + 4096 + 16 bytes is
 * 5,525 characters). */
#define MN_MAX_VALUE_BYTES 6144

/* Type numbers of the kinds (state/<kind>.h). */
enum mn_entity_type {
    MN_ENTITY_PARTICIPANT = 1,
    MN_ENTITY_PARTNERSHIP = 2,
    MN_ENTITY_MEETING = 3,
    MN_ENTITY_OUTCOME = 4,
    MN_ENTITY_SUBNETWORK = 5,
    MN_ENTITY_MEMBERSHIP = 6,
    MN_ENTITY_AGGREGATE = 7,
};

enum mn_vkind { MN_V_NONE = 0, MN_V_INT, MN_V_STR };

/* A field value. In an mn_entity the string is owned by the entity; in an
 * mn_field_op it is owned by whoever owns the op list. NONE = cleared. */
typedef struct mn_value {
    enum mn_vkind kind;
    int64_t i;
    char *s; /* NUL-terminated, len bytes */
    size_t len;
} mn_value;

/* Which change wrote a field. Ordered by hlc, then origin. */
typedef struct mn_stamp {
    uint64_t hlc;
    uint32_t origin;
    uint64_t seq;
} mn_stamp;

typedef struct mn_field {
    uint32_t no;
    mn_stamp stamp;
    mn_value v;
} mn_field;

typedef struct mn_field_op {
    uint32_t no;
    mn_value v;
} mn_field_op;

typedef struct mn_entity {
    uint32_t type;
    uint8_t id[MN_ID_BYTES];
    size_t n;
    mn_field f[MN_ENTITY_MAX_FIELDS];
} mn_entity;

/* A list of ops that owns its strings. _release frees them. */
typedef struct mn_ops {
    size_t n;
    mn_field_op op[MN_ENTITY_MAX_FIELDS];
} mn_ops;

int mn_stamp_cmp(const mn_stamp *a, const mn_stamp *b);

void mn_entity_init(mn_entity *e, uint32_t type, const uint8_t id[MN_ID_BYTES]);
void mn_entity_release(mn_entity *e);
/* Deep copy; dst must be released (or fresh). */
void mn_entity_copy(mn_entity *dst, const mn_entity *src);
/* The field numbered no, or NULL if it was never written. */
const mn_field *mn_entity_get(const mn_entity *e, uint32_t no);
/* Convenience: the int (or def) / string (or NULL) held in field no. */
int64_t mn_entity_int(const mn_entity *e, uint32_t no, int64_t def);
const char *mn_entity_str(const mn_entity *e, uint32_t no);
/* The greatest stamp of any field (the entity's last write). */
mn_stamp mn_entity_last_stamp(const mn_entity *e);

/*
 * Merge ops written by the change stamped st. A field is overwritten only
 * when st is greater than its stamp; an op with an equal stamp is a
 * duplicate and changes nothing. Every op's number must be 1..MN_FIELD_NO_MAX
 * (asserted: the codec and the kind tables keep to it), so the merge always
 * has room. Returns the number of fields changed (never negative).
 */
int mn_entity_merge(mn_entity *e, const mn_field_op *ops, size_t nops,
                    const mn_stamp *st);

/* Set the derived field op->no (kind.h MN_F_DERIVED) to op's value,
 * stamped with the entity's greatest stamp: both are then functions of
 * the other fields alone, whatever order they were merged in. Returns 1. */
int mn_entity_set_derived(mn_entity *e, const mn_field_op *op);

void mn_ops_init(mn_ops *o);
void mn_ops_release(mn_ops *o);
/* Append an op; the string is copied. Asserts capacity (schema-bounded). */
void mn_ops_add_int(mn_ops *o, uint32_t no, int64_t v);
void mn_ops_add_str(mn_ops *o, uint32_t no, const char *s, size_t len);
void mn_ops_add_clear(mn_ops *o, uint32_t no);

#endif
