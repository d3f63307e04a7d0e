/*
 * score — see score.h. Every criterion is a small integer function of two
 * profiles; the weights scale each to 0..weight points, rounding down, so
 * the sum is exact and the same on every node.
 */
#include "match/score.h"

#include <ctype.h>
#include <string.h>

#include "state/participant.h"

/* Name indexes of the participant table's enums (participant.c). */
#define DANISH_A2 2
#define DANISH_C2 6
/* Education levels further apart than this earn nothing. */
#define EDUCATION_SPAN 4

enum { MORNING = 1, DAYTIME = 2, EVENING = 4 };
#define WEEKDAYS 0x1f /* Monday..Friday */
#define WEEKEND 0x60  /* Saturday, Sunday */

/* The availability words matching understands, by prefix: a day sets
 * days, a part of the day sets parts; other words are ignored. */
static const struct {
    const char *word;
    uint8_t days, parts;
} avail_words[] = {
    {"mon", 0x01, 0},        {"tue", 0x02, 0},          {"wed", 0x04, 0},
    {"thu", 0x08, 0},        {"fri", 0x10, 0},          {"sat", 0x20, 0},
    {"sun", 0x40, 0},        {"weekday", WEEKDAYS, 0},  {"weekend", WEEKEND, 0},
    {"morning", 0, MORNING}, {"afternoon", 0, DAYTIME}, {"daytime", 0, DAYTIME},
    {"lunch", 0, DAYTIME},   {"evening", 0, EVENING},   {"night", 0, EVENING},
};

/* FNV-1a over the case-folded text, skipping spaces at either end: a
 * profession typed "Nurse " is the same as "nurse". 0 for no text. */
static uint64_t
fold_hash(const char *z) {
    if (!z)
        return 0;
    while (*z == ' ')
        z++;
    size_t n = strlen(z);
    while (n > 0 && z[n - 1] == ' ')
        n--;
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)tolower((unsigned char)z[i]);
        h *= 1099511628211ULL;
    }
    return n ? (h ? h : 1) : 0;
}

static void
parse_langs(const char *z, mn_match_profile *p) {
    while (z && z[0] && z[1] && p->nlangs < MN_MATCH_LANGS) {
        p->langs[p->nlangs++] = (uint16_t)((uint8_t)z[0] << 8 | (uint8_t)z[1]);
        z = strchr(z, ',');
        z = z ? z + 1 : NULL;
    }
}

static uint8_t
parse_goals(const char *z) {
    const mn_field_def *f = mn_kind_field(&mn_kind_participant, MN_P_GOALS);
    uint8_t mask = 0;
    for (size_t i = 0; z && i < mn_field_enum_count(f) && i < 8; i++) {
        const char *name = mn_field_enum_name(f, (int)i);
        size_t n = strlen(name);
        for (const char *s = z; (s = strstr(s, name)) != NULL; s += n)
            if ((s == z || s[-1] == ',') && (s[n] == ',' || s[n] == '\0'))
                mask |= (uint8_t)(1u << i);
    }
    return mask;
}

static void
parse_availability(const char *z, mn_match_profile *p) {
    p->has_availability = z && *z;
    while (z && *z) {
        while (*z && !isalpha((unsigned char)*z))
            z++;
        size_t n = 0;
        char word[16] = "";
        while (isalpha((unsigned char)z[n])) {
            if (n < sizeof word - 1)
                word[n] = (char)tolower((unsigned char)z[n]);
            n++;
        }
        for (size_t i = 0; n && i < MN_ARRAY_LEN(avail_words); i++)
            if (strncmp(word, avail_words[i].word,
                        strlen(avail_words[i].word)) == 0) {
                p->days |= avail_words[i].days;
                p->parts |= avail_words[i].parts;
            }
        z += n;
    }
}

void
mn_match_profile_of(const mn_entity *e, mn_match_profile *out) {
    const mn_kind *k = &mn_kind_participant;
    memset(out, 0, sizeof *out);
    memcpy(out->id, e->id, MN_ID_BYTES);
    out->division = (uint32_t)mn_entity_int(e, MN_P_HOME, 0);
    out->role = mn_kind_enum_of(k, e, MN_P_ROLE);
    out->status = mn_kind_enum_of(k, e, MN_P_STATUS);
    out->education = mn_kind_enum_of(k, e, MN_P_EDUCATION);
    out->danish = mn_kind_enum_of(k, e, MN_P_DANISH_LEVEL);
    parse_langs(mn_entity_str(e, MN_P_LANGUAGES), out);
    out->profession = fold_hash(mn_entity_str(e, MN_P_PROFESSION));
    out->sector = fold_hash(mn_entity_str(e, MN_P_SECTOR));
    out->goals = parse_goals(mn_entity_str(e, MN_P_GOALS));
    parse_availability(mn_entity_str(e, MN_P_AVAILABILITY), out);
    out->capacity = (int)mn_entity_int(e, MN_P_CAPACITY, 1);
}

/* Points for languages, out of 12 (twelfths of the weight): a shared
 * language other than Danish 12; Danish alone by her level (A2 4 .. C2
 * 12, not given 6); -1 when nothing is shared. */
static int
language_twelfths(const mn_match_profile *a, const mn_match_profile *b) {
    static const uint16_t da = 'd' << 8 | 'a';
    int best = -1;
    for (size_t i = 0; i < a->nlangs; i++)
        for (size_t j = 0; j < b->nlangs; j++) {
            if (a->langs[i] != b->langs[j])
                continue;
            int t = 12;
            if (a->langs[i] == da)
                t = a->danish < 0           ? 6
                    : a->danish < DANISH_A2 ? -1
                                            : 2 * a->danish;
            best = t > best ? t : best;
        }
    return best;
}

bool
mn_match_shares_language(const mn_match_profile *mentee,
                         const mn_match_profile *mentor) {
    return language_twelfths(mentee, mentor) >= 0;
}

/* Out of EDUCATION_SPAN: the same level scores most, a mentor with more
 * education than hers only a little less than the same, one with less
 * half that. */
static int
education_quarters(const mn_match_profile *a, const mn_match_profile *b) {
    if (a->education < 0 || b->education < 0)
        return 0;
    int diff = b->education - a->education;
    int dist = diff < 0 ? -diff : diff;
    int q = dist >= EDUCATION_SPAN ? 0 : EDUCATION_SPAN - dist;
    return diff < 0 ? q / 2 : q;
}

static int
popcount8(uint8_t x) {
    int n = 0;
    for (; x; x &= (uint8_t)(x - 1))
        n++;
    return n;
}

/* Availability, in halves: both given and overlapping 2, either not
 * given 1 (unknown), both given and apart 0. An empty mask is "any". */
static int
availability_halves(const mn_match_profile *a, const mn_match_profile *b) {
    if (!a->has_availability || !b->has_availability)
        return 1;
    bool days = !a->days || !b->days || (a->days & b->days);
    bool parts = !a->parts || !b->parts || (a->parts & b->parts);
    return days && parts ? 2 : 0;
}

int32_t
mn_match_score(const uint32_t w[MN_MC_COUNT], const mn_match_profile *mentee,
               const mn_match_profile *mentor, mn_match_reasons *why) {
    mn_match_reasons r;
    int lang = language_twelfths(mentee, mentor);
    if (lang < 0)
        return -1;
    int wanted = popcount8(mentee->goals);
    int offered = popcount8(mentee->goals & mentor->goals);
    r.points[MN_MC_PROFESSION] =
        mentee->profession && mentee->profession == mentor->profession
            ? (int32_t)w[MN_MC_PROFESSION]
            : 0;
    r.points[MN_MC_SECTOR] = mentee->sector && mentee->sector == mentor->sector
                                 ? (int32_t)w[MN_MC_SECTOR]
                                 : 0;
    r.points[MN_MC_EDUCATION] =
        (int32_t)(w[MN_MC_EDUCATION] *
                  (uint32_t)education_quarters(mentee, mentor) /
                  EDUCATION_SPAN);
    r.points[MN_MC_LANGUAGE] =
        (int32_t)(w[MN_MC_LANGUAGE] * (uint32_t)lang / 12);
    r.points[MN_MC_GOALS] =
        wanted
            ? (int32_t)(w[MN_MC_GOALS] * (uint32_t)offered / (uint32_t)wanted)
            : 0;
    r.points[MN_MC_AVAILABILITY] =
        (int32_t)(w[MN_MC_AVAILABILITY] *
                  (uint32_t)availability_halves(mentee, mentor) / 2);
    r.points[MN_MC_SAME_DIVISION] = mentee->division == mentor->division
                                        ? (int32_t)w[MN_MC_SAME_DIVISION]
                                        : 0;
    int32_t sum = 0;
    for (int c = 0; c < MN_MC_COUNT; c++)
        sum += r.points[c];
    if (why)
        *why = r;
    return sum;
}

const char *
mn_match_reason_text(int c, int32_t points, uint32_t max) {
    bool full = max > 0 && (uint32_t)points >= max;
    bool none = points <= 0;
    switch (c) {
    case MN_MC_PROFESSION:
        return none ? "another or no profession given" : "same profession";
    case MN_MC_SECTOR:
        return none ? "another or no sector given" : "same sector";
    case MN_MC_EDUCATION:
        return full   ? "same education level"
               : none ? "education levels far apart or not given"
                      : "education levels close";
    case MN_MC_LANGUAGE:
        return full ? "a shared language she speaks well"
                    : "only Danish shared, weighed by her level";
    case MN_MC_GOALS:
        return full   ? "offers everything she wants"
               : none ? "offers none of what she wants, or no goals given"
                      : "offers some of what she wants";
    case MN_MC_AVAILABILITY:
        return full   ? "available at the same times"
               : none ? "available at different times"
                      : "availability not given";
    case MN_MC_SAME_DIVISION:
        return none ? "another division" : "same division";
    }
    return "";
}
