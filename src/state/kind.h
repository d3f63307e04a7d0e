/*
 * kind — an entity kind declared once, as a table. A kind names its type
 * number, its fields (number, API name, value type, limits, who may write
 * it, visibility class, merge rule, help text), the field that holds its
 * owner (home division), its indexes, the string fields a search reads,
 * and hooks for what the table cannot say (rules across fields, the
 * statistics an entity contributes).
 *
 * The codec, ownership, apply (indexes, statistics), listing, the JSON
 * layer (api/kind_json.c), the CLI's options and help, the demo data and
 * the tests all read these tables. A new kind is a new pair of files
 * (state/<kind>.h: its field numbers; state/<kind>.c: its table and
 * hooks, as participant.c), its type number in entity.h, one line in the
 * registry (kind.c) and one in CMake's mnkinds; then a resource file in
 * api/ that calls api/kind_json.h.
 *
 * Invariants: type numbers and field numbers are on the wire and on disk:
 * never renumbered or reused. Within a kind, field numbers and API names
 * are unique; index tags are unique across all kinds (the index database
 * is shared). Everything here is pure data and pure functions over base
 * and state/entity (the library mnkinds), so the CLI and the tools can
 * link it without the node's libraries.
 */
#ifndef MN_KIND_H
#define MN_KIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "state/entity.h"

/* Bounds every table keeps (checked by tests/unit/kind_test.c). */
#define MN_KIND_MAX_FIELDS 32
#define MN_KIND_MAX_INDEXES 4
#define MN_KIND_MAX_STATS 4
#define MN_STAT_KEY_MAX 15

/* How a value looks in the API; how it is stored follows from it. */
enum mn_ftype {
    MN_FT_INT,      /* whole number min..max; stored as int */
    MN_FT_TEXT,     /* min..max characters (UTF-8), no control characters */
    MN_FT_EMAIL,    /* text that is an e-mail address */
    MN_FT_PHONE,    /* text of digits, spaces and + - ( ) */
    MN_FT_ENUM,     /* one of names, or one code of the code set */
    MN_FT_LIST,     /* up to max distinct codes; stored comma-joined */
    MN_FT_TIME,     /* RFC 3339 UTC in the API; ms since the epoch stored */
    MN_FT_DIVISION, /* a division id min..max; its name in the API */
    MN_FT_REF,      /* the id of another entity: 32 lower-case hex digits,
                       stored as that text; an index on it is by the id */
};

/* A standard code set an MN_FT_ENUM or MN_FT_LIST takes its codes from
 * when it has no names of its own (base/iso). */
enum mn_codeset {
    MN_CODES_NAMES,   /* the field's own names */
    MN_CODES_ISO3166, /* ISO 3166-1 alpha-2 country codes ("SY") */
    MN_CODES_ISO639,  /* ISO 639-1 language codes ("ar") */
};

/* Who may write a field (DESIGN §9). Every rule but ANY is owner-only on
 * the wire: every node refuses such a write from any other division. */
enum mn_fwrite {
    MN_WRITE_ANY,       /* any division */
    MN_WRITE_OWNER,     /* only the owner (home division) */
    MN_WRITE_ONCE,      /* the owner, at create; never changed after (string
                           types only: a patch must repeat the stored string) */
    MN_WRITE_NODE,      /* assigned by the owner's node, never in a request */
    MN_WRITE_REF_OWNER, /* the owner (home) of the participant that a REF
                           field names (mn_kind.ref_owners); set by that
                           node's actions, never in a request */
};

/* Visibility class (DESIGN "Data"): roles read, compartments seal and
 * erasure drops fields by class. */
enum mn_fvis {
    MN_VIS_PROFILE,  /* what matching and statistics need */
    MN_VIS_PERSONAL, /* name, contact, notes */
    MN_VIS_SPECIAL,  /* GDPR art. 9: country of origin, background */
};

/* Merge rule (DESIGN "Changes" 4). Only LWW is implemented; the others are
 * reserved for the kinds that need them (memberships, outcomes). */
enum mn_fmerge {
    MN_MERGE_LWW,       /* per-field last writer wins by (HLC, origin) */
    MN_MERGE_ADD_WINS,  /* observed-remove set, add wins */
    MN_MERGE_GROW_ONLY, /* grow-only set */
};

#define MN_F_REQUIRED 1u  /* given on create (or def), never cleared */
#define MN_F_MULTILINE 2u /* text may hold \n, \r and \t */
#define MN_F_DERIVED                                                           \
    4u /* computed by the kind's derive hook from the                          \
          other fields; no change may write it */

typedef struct mn_field_def {
    uint32_t no;       /* on the wire and on disk: never renumbered */
    const char *name;  /* API name, unique in the kind */
    const char *group; /* API object holding this field, or NULL */
    enum mn_ftype type;
    int64_t min, max;         /* INT/DIVISION: range; TEXT: characters;
                                 LIST: at most max codes */
    const char *const *names; /* ENUM/LIST names, NULL-terminated */
    enum mn_codeset codes;    /* ENUM/LIST without names */
    enum mn_fwrite write;
    enum mn_fvis vis;
    enum mn_fmerge merge;
    unsigned flags;   /* MN_F_* */
    const char *def;  /* value a create gets when it gives none, or NULL */
    const char *help; /* one line for the CLI's help and the README */
} mn_field_def;

/* A field written by MN_WRITE_REF_OWNER, and the REF field of the same
 * kind naming the participant whose home writes it. */
typedef struct mn_ref_owner {
    uint32_t field, ref;
} mn_ref_owner;

/* An index: tag byte, then the value (be32), then the id. The value of an
 * ENUM field is its name's index; of an INT or DIVISION field, the number
 * (indexed only when in range). An index on a REF field is the tag, the
 * referenced id's 16 bytes, then the id: "every partnership of this
 * participant". */
typedef struct mn_index_def {
    uint8_t tag;       /* unique across every kind */
    uint32_t field;    /* the indexed field's number */
    const char *param; /* the list query parameter that filters on it */
} mn_index_def;

/* A statistics key: what one entity adds one to. */
typedef struct mn_stat_key {
    uint8_t len;
    uint8_t b[MN_STAT_KEY_MAX];
} mn_stat_key;

/* What a request gives for each field of a kind, by table position,
 * before any value is checked: for the cross-field rules. A member of a
 * group given as null is MN_GIVEN_NULL (the group is cleared whole). */
enum mn_given { MN_GIVEN_NO, MN_GIVEN_NULL, MN_GIVEN_VALUE };
typedef struct mn_kind_input {
    enum mn_given given[MN_KIND_MAX_FIELDS];
    const char *str[MN_KIND_MAX_FIELDS]; /* the value if a string, or NULL */
    size_t items[MN_KIND_MAX_FIELDS];    /* the items of an array value */
} mn_kind_input;

typedef struct mn_kind mn_kind;
struct mn_kind {
    uint32_t type;      /* entity_type on the wire; one byte of the key */
    const char *name;   /* "participant" */
    const char *plural; /* "participants": the HTTP resource */
    const mn_field_def *fields; /* in the API's order */
    size_t nfields;
    uint32_t owner_field; /* the field holding the home division; 0: none */
    const mn_index_def *indexes; /* in the order a list prefers them */
    size_t nindexes;
    const uint32_t *search; /* string fields the list's q searches */
    size_t nsearch;
    const mn_ref_owner *ref_owners; /* one per MN_WRITE_REF_OWNER field */
    size_t nref_owners;
    /* Made once, never changed: every change to an entity that exists is
     * refused (an outcome event; DESIGN "Changes" 4, a grow-only set). */
    bool create_only;
    /* Rules across fields, checked after the immutable fields and before
     * any value: MN_OK or mn_problem_set(p, ...). current is NULL on a
     * create. May be NULL. */
    int (*check)(const mn_kind *k, const mn_kind_input *in,
                 const mn_entity *current, mn_problem *p);
    /* The statistics keys e adds one to; returns how many (at most
     * MN_KIND_MAX_STATS). May be NULL: the kind is not counted. */
    size_t (*stats)(const mn_entity *e, mn_stat_key out[MN_KIND_MAX_STATS]);
    /* Set the fields flagged MN_F_DERIVED from the others, after every
     * merge (so a derived field is a function of the replicated fields and
     * the same on every node; indexes, statistics and the API read it like
     * any field). May be NULL. */
    void (*derive)(mn_entity *e);
};

/* The kind with type number type, or NULL when this version knows none. */
const mn_kind *mn_kind_find(uint32_t type);
/* The i-th registered kind (i < mn_kind_count()). */
const mn_kind *mn_kind_at(size_t i);
size_t mn_kind_count(void);

/* The name of a visibility class: "profile", "personal" or "special". */
const char *mn_fvis_name(enum mn_fvis vis);

/* Field no of k, or NULL. */
const mn_field_def *mn_kind_field(const mn_kind *k, uint32_t no);
/* The field of k with API name (and group) given, or NULL. */
const mn_field_def *mn_kind_field_named(const mn_kind *k, const char *group,
                                        const char *name);
/* Table position of field no in k, or -1. */
int mn_kind_field_pos(const mn_kind *k, uint32_t no);
/* The top-level API key of f: its group, or its name. */
const char *mn_field_key(const mn_field_def *f);
/* True if f is written by the owner only (every rule but MN_WRITE_ANY). */
bool mn_field_owner_only(const mn_field_def *f);
/* True if f is never given in a request: set by the node (NODE,
 * REF_OWNER: by its actions) or derived. */
bool mn_field_by_node(const mn_field_def *f);
/* True if field no of k is owner-only (false for a field k lacks). */
bool mn_kind_owner_only(const mn_kind *k, uint32_t no);

/* Index of name z in f->names, or -1 (also when z is NULL). */
int mn_field_enum_index(const mn_field_def *f, const char *z);
/* The i-th name of f, or "unknown". */
const char *mn_field_enum_name(const mn_field_def *f, int i);
/* Number of names of f (0 when it uses a code set). */
size_t mn_field_enum_count(const mn_field_def *f);
/* Name index of the ENUM field no as stored in e, or -1. */
int mn_kind_enum_of(const mn_kind *k, const mn_entity *e, uint32_t no);
/* The division that made entity id of kind k, its first home (transfers
 * move it on: state/owner.h); 0 when k has no owner field. */
uint32_t mn_kind_owner(const mn_kind *k, const uint8_t id[MN_ID_BYTES]);
/* The ownership rule for an entity's own owner, given who that owner is
 * (state/owner.h finds it in the change's causal past): may origin make
 * ops (nops)? Fields written by the owner (OWNER, ONCE, NODE) only from
 * the owner's division, in a kind with an owner field; the owner field
 * never cleared. MN_WRITE_REF_OWNER fields are owner.c's to judge. */
bool mn_kind_owner_allows(const mn_kind *k, uint32_t owner,
                          const mn_field_op *ops, size_t nops, uint32_t origin);

/*
 * The generic validators, from the field's limits. Each returns MN_OK or
 * MN_EINVAL with p filled (code "invalid_field", field path, a message
 * that never repeats the value). path names the field in messages.
 */
/* A string value of f (TEXT, EMAIL, PHONE, ENUM): characters, control
 * characters, bytes (MN_MAX_CLEAR_BYTES), shape, allowed names/codes. */
int mn_field_check_str(const mn_field_def *f, const char *path, const char *z,
                       size_t len, mn_problem *p);
/* An integer value of f (INT, DIVISION): min..max. */
int mn_field_check_int(const mn_field_def *f, const char *path, int64_t v,
                       mn_problem *p);
/* Is z one of the codes (names or code set) f allows? */
bool mn_field_code_valid(const mn_field_def *f, const char *z);

/*
 * Why the ops of a replicated change break their kind's table (README
 * "Refused changes"). Each depends on the change and the table alone,
 * never on the state, so every node refuses the same changes whatever the
 * order they arrive in. Stable names: used in metrics.
 */
enum mn_op_fault {
    MN_FAULT_NONE,       /* the ops keep to the table */
    MN_FAULT_TYPE,       /* a number for a string field, or the reverse;
                            or any value for a derived field */
    MN_FAULT_LIMITS,     /* a number out of range; text too short or long,
                            with control characters or not UTF-8, or not
                            of its shape (e-mail, phone) */
    MN_FAULT_CODE,       /* not one of the field's names or codes, or a
                            list with an item twice or too many items */
    MN_FAULT_REQUIRED,   /* a required field cleared */
    MN_FAULT_DUPLICATE,  /* one field written twice in one change */
    MN_FAULT_NOT_SEALED, /* a personal or special value in clear
                            (README "Compartments") */
    MN_FAULT_COUNT
};
/* "type", "limits", "code", "required", "duplicate", "not_sealed" ("none"
 * for MN_FAULT_NONE). */
const char *mn_op_fault_name(enum mn_op_fault f);

/*
 * Check the ops of a replicated change to an entity of kind k against k's
 * table: each value against its field's type and limits, no required
 * field cleared, no field twice. An op on a field number k does not know
 * is not checked (a newer version's field: kept as it is). Rules that read
 * the stored entity (write-once, the cross-field check, ownership) are not
 * checked here. Returns MN_FAULT_NONE or the first fault found; OUT:
 * *field (if not NULL) the number of the field at fault.
 */
enum mn_op_fault mn_kind_check_ops(const mn_kind *k, const mn_field_op *ops,
                                   size_t nops, uint32_t *field);
/* The same check of ops as the home has them before it seals them: every
 * value in clear, personal and special ones too, checked against its
 * field's type and limits (node/writer.c, before sealing). */
enum mn_op_fault mn_kind_check_clear_ops(const mn_kind *k,
                                         const mn_field_op *ops, size_t nops,
                                         uint32_t *field);

/* Is f's value sealed to its owner division (personal and special)? */
bool mn_field_sealed(const mn_field_def *f);

/* The shortest sealed value: "~1" and the base64url of a sender byte, a
 * nonce, a one-byte plaintext and a tag (1 + 24 + 1 + 16 bytes). */
#define MN_SEALED_MIN_CHARS 58
/* Does v have the form of a sealed value (node/seal.h): a string of "~1"
 * and unpadded base64url, long enough to hold a sender, a nonce, a
 * plaintext and a tag? Checks the form only: whether it opens is for its
 * recipient alone. */
bool mn_value_sealed(const mn_value *v);

/* Parse "YYYY-MM-DDTHH:MM:SS[.fff]Z" (UTC, from 1970) into ms since the
 * epoch. MN_EINVAL if malformed or a date that does not exist. */
int mn_time_parse(const char *z, uint64_t *ms);

#endif
