/*
 * demo_data — mentornet-demo-data: prints synthetic participants as NDJSON,
 * one create body for POST /v1/participants (or POST /v1/import) per line.
 *
 *     mentornet-demo-data --division NAME --count N [--seed S]
 *
 * The people are invented, but shaped like the Mentor Network's own:
 * about 40 % mentors (established women, mostly Danish) and 60 % mentees
 * (women with refugee or ethnic-minority backgrounds from dozens of
 * countries, many with a foreign degree), with names, languages, Danish
 * level, education, profession and years in Denmark that fit one another.
 *
 * Invariants:
 *  - Deterministic: the output is a function of (division, count, seed)
 *    only. The generator is our own xoshiro256** seeded through splitmix64
 *    (never rand(), whose sequence differs between libcs), and the division
 *    name is mixed into the seed so that divisions loaded with the same
 *    seed do not hold the same people.
 *  - Every line is valid against the participant's table
 *    (state/participant.c), from which every JSON key and every enum name
 *    is taken: only create fields (no id, home_division, created_at,
 *    updated_at), codes from ISO 3166-1 alpha-2 and ISO 639-1, strings
 *    within their length limits, capacity only on mentors.
 *  - E-mail addresses are unique within one output (the line number is
 *    part of the local part) and use only lower-case ASCII.
 *
 * The realistic value tables (names, countries, professions, weights) are
 * in demo_tables.c. Links jansson and mnkinds (the kinds' tables, over
 * base); not the node's library.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "demo_tables.h"
#include "state/participant.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The data is drawn as of late 2026: years in Denmark and consent dates are
 * computed back from this year, and no consent is dated later than the
 * year before it, so none lies in the future. */
#define REF_YEAR 2026
/* The network started in 2003, so no consent is older. */
#define FIRST_CONSENT_YEAR 2003

/* The year each division began (DESIGN "The five divisions"): no one of
 * hers joined, or consented, earlier. Other divisions: 2003. */
static const struct {
    const char *name;
    int since;
} division_years[] = {{"copenhagen", 2003},
                      {"aarhus", 2004},
                      {"esbjerg", 2005},
                      {"odense", 2006},
                      {"tingbjerg", 2009}};

static int
division_since(const char *division) {
    for (size_t i = 0; i < ARRAY_LEN(division_years); i++)
        if (strcmp(division_years[i].name, division) == 0)
            return division_years[i].since;
    return FIRST_CONSENT_YEAR;
}
/* Generous cap: a million lines is ~600 MB; beyond that, ask why. */
#define MAX_COUNT 10000000UL
#define MENTOR_PERCENT 40

/* ---------------------------------------------------------------------- */
/* PRNG: xoshiro256** (Blackman & Vigna), seeded with splitmix64.          */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t
splitmix64(uint64_t *state) {
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void
rng_seed(rng *r, uint64_t seed) {
    for (size_t i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t
rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n), without modulo bias (rejection of the short tail). */
static uint64_t
rng_below(rng *r, uint64_t n) {
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
        x = rng_next(r);
    } while (x >= limit);
    return x % n;
}

/* Uniform integer in [lo, hi]; requires lo <= hi. */
static int
rng_range(rng *r, int lo, int hi) {
    return lo + (int)rng_below(r, (uint64_t)(hi - lo) + 1);
}

static bool
rng_chance(rng *r, int percent) {
    return rng_below(r, 100) < (uint64_t)percent;
}

/* Index into weights[0..n) with probability proportional to its weight. */
static size_t
rng_weighted(rng *r, const int *weights, size_t n) {
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += (uint64_t)weights[i];
    uint64_t x = rng_below(r, total);
    for (size_t i = 0; i < n; i++) {
        if (x < (uint64_t)weights[i])
            return i;
        x -= (uint64_t)weights[i];
    }
    return n - 1; /* not reached: x < total */
}

static const char *
rng_pick(rng *r, const char *const *items, size_t n) {
    return items[rng_below(r, n)];
}

/* FNV-1a, to fold the division name into the seed. */
static uint64_t
hash_string(const char *z) {
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (; *z; z++) {
        h ^= (unsigned char)*z;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

/* ---------------------------------------------------------------------- */
/* Drawing from the tables (demo_tables.c).                                 */

static const struct country *
pick_country(rng *r, bool mentor) {
    int weights[DEMO_MAX_ROWS];
    for (size_t i = 0; i < n_countries; i++)
        weights[i] =
            mentor ? countries[i].mentor_weight : countries[i].mentee_weight;
    return &countries[rng_weighted(r, weights, n_countries)];
}

/* A profession plausible for education level edu (always one exists). */
static const struct profession *
pick_profession(rng *r, enum education edu) {
    int weights[DEMO_MAX_ROWS];
    for (size_t i = 0; i < n_professions; i++) {
        const struct profession *p = &professions[i];
        bool fits = edu >= p->edu_min && edu <= p->edu_max;
        weights[i] = fits ? p->weight : 0;
    }
    return &professions[rng_weighted(r, weights, n_professions)];
}

/* ---------------------------------------------------------------------- */
/* Text helpers.                                                            */

/* ASCII spelling of the non-ASCII letters used in the name tables. */
struct translit {
    uint32_t cp;
    const char *ascii;
};

static const struct translit translits[] = {
    {0x00E0, "a"},  {0x00E1, "a"},  {0x00E2, "a"},  {0x00E3, "a"},
    {0x00E4, "a"},  {0x00E5, "aa"}, {0x00E6, "ae"}, {0x00E7, "c"},
    {0x00E8, "e"},  {0x00E9, "e"},  {0x00EA, "e"},  {0x00EB, "e"},
    {0x00ED, "i"},  {0x00EE, "i"},  {0x00F1, "n"},  {0x00F3, "o"},
    {0x00F4, "o"},  {0x00F5, "o"},  {0x00F6, "o"},  {0x00F8, "oe"},
    {0x00FA, "u"},  {0x00FC, "u"},  {0x00DF, "ss"}, {0x00C5, "aa"},
    {0x00C6, "ae"}, {0x00C7, "c"},  {0x00D6, "o"},  {0x00D8, "oe"},
    {0x00DC, "u"},  {0x0103, "a"},  {0x0105, "a"},  {0x0107, "c"},
    {0x010C, "c"},  {0x010D, "c"},  {0x0111, "dj"}, {0x0119, "e"},
    {0x011F, "g"},  {0x0130, "i"},  {0x0131, "i"},  {0x0141, "l"},
    {0x0142, "l"},  {0x0144, "n"},  {0x015A, "s"},  {0x015B, "s"},
    {0x015E, "s"},  {0x015F, "s"},  {0x0160, "s"},  {0x0161, "s"},
    {0x017A, "z"},  {0x017B, "z"},  {0x017C, "z"},  {0x017D, "z"},
    {0x017E, "z"},  {0x0219, "s"},  {0x021B, "t"},
};

static const char *
translit_lookup(uint32_t cp) {
    for (size_t i = 0; i < ARRAY_LEN(translits); i++)
        if (translits[i].cp == cp)
            return translits[i].ascii;
    return "";
}

/* Decodes one UTF-8 sequence at *pz (names are our own, valid UTF-8) and
 * advances *pz past it. */
static uint32_t
utf8_next(const char **pz) {
    const unsigned char *z = (const unsigned char *)*pz;
    uint32_t cp;
    size_t n;
    if (z[0] < 0x80) {
        cp = z[0];
        n = 1;
    } else if ((z[0] & 0xE0) == 0xC0 && z[1]) {
        cp = ((uint32_t)(z[0] & 0x1F) << 6) | (z[1] & 0x3F);
        n = 2;
    } else if ((z[0] & 0xF0) == 0xE0 && z[1] && z[2]) {
        cp = ((uint32_t)(z[0] & 0x0F) << 12) | ((uint32_t)(z[1] & 0x3F) << 6) |
             (z[2] & 0x3F);
        n = 3;
    } else {
        cp = 0xFFFD; /* anything else is skipped one byte at a time */
        n = 1;
    }
    *pz += n;
    return cp;
}

/* Appends to out (size cap, NUL-terminated) the lower-case ASCII letters
 * and digits of name, transliterating the accented letters: "Sørensen" ->
 * "soerensen", "Al-Hassan" -> "alhassan", "Mary Grace" -> "marygrace". */
static void
append_ascii(char *out, size_t cap, const char *name) {
    size_t len = strlen(out);
    while (*name) {
        uint32_t cp = utf8_next(&name);
        char one[2] = {0, 0};
        const char *piece = one;
        if (cp >= 'A' && cp <= 'Z')
            one[0] = (char)(cp - 'A' + 'a');
        else if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
            one[0] = (char)cp;
        else if (cp >= 0x80)
            piece = translit_lookup(cp);
        size_t n = strlen(piece);
        if (len + n + 1 > cap)
            return;
        memcpy(out + len, piece, n + 1);
        len += n;
    }
}

static const char *
article(const char *noun) {
    return strchr("aeiouAEIOU", noun[0]) ? "an" : "a";
}

/* ---------------------------------------------------------------------- */
/* Building one participant.                                                */

/* What later fields depend on, decided first. */
struct person {
    bool mentor;
    const struct country *country;
    int birth_year;
    int years_in_dk; /* -1: born in Denmark, not recorded */
    enum education edu;
    const struct profession *profession; /* NULL: none recorded */
    int danish_level;                    /* 0..4: A1..C1; -1: C2 (mentor) */
};

/* The participant's field no, from its table. */
static const mn_field_def *
field(uint32_t no) {
    return mn_kind_field(&mn_kind_participant, no);
}

/* The i-th name the table allows for enum field no. */
static const char *
name_of(uint32_t no, size_t i) {
    return mn_field_enum_name(field(no), (int)i);
}

static void
set_str(json_t *obj, uint32_t no, const char *value) {
    json_object_set_new(obj, field(no)->name, json_string(value));
}

static void
set_int(json_t *obj, uint32_t no, int value) {
    json_object_set_new(obj, field(no)->name, json_integer(value));
}

/* Triangular-ish draw in [lo, hi]: the mean of two uniforms. */
static int
middle_year(rng *r, int lo, int hi) {
    return (rng_range(r, lo, hi) + rng_range(r, lo, hi) + 1) / 2;
}

static void
decide_mentee(rng *r, struct person *p) {
    p->country = pick_country(r, false);
    p->birth_year = middle_year(r, 1960, 2004);
    /* Arrived as an adult (16+), within the country's migration window;
     * the minimum of two draws favours recent arrivals. */
    int cap = REF_YEAR - p->birth_year - 16;
    if (cap > p->country->years_max)
        cap = p->country->years_max;
    if (cap < 0)
        cap = 0;
    int a = rng_range(r, 0, cap), b = rng_range(r, 0, cap);
    p->years_in_dk = a < b ? a : b;
    int level = p->years_in_dk / 3 + rng_range(r, -1, 1);
    p->danish_level = level < 0 ? 0 : level > 4 ? 4 : level;
    p->edu = (enum education)rng_weighted(r, mentee_education_weights, E_COUNT);
    p->profession = rng_chance(r, 85) ? pick_profession(r, p->edu) : NULL;
}

static void
decide_mentor(rng *r, struct person *p) {
    p->country = pick_country(r, true);
    p->birth_year = middle_year(r, 1955, 1990);
    if (p->country->migration == M_NATIVE) {
        p->years_in_dk = -1;
    } else {
        int cap = REF_YEAR - p->birth_year - 18;
        p->years_in_dk = rng_range(r, cap < 10 ? cap : 10, cap);
    }
    p->danish_level = -1;
    p->edu = (enum education)rng_weighted(r, mentor_education_weights, E_COUNT);
    p->profession = pick_profession(r, p->edu);
}

static void
add_names(rng *r, const struct person *p, json_t *obj, size_t line_no) {
    const struct names *names = &names_by_region[p->country->region];
    const char *given = rng_pick(r, names->given, names->n_given);
    const char *family = rng_pick(r, names->family, names->n_family);
    /* Many Thai and Filipino women came to marry a Dane and took his name. */
    bool married_dane =
        (p->country->region == R_THAI || p->country->region == R_FILIPINO) &&
        rng_chance(r, 35);
    if (married_dane)
        family = rng_pick(r, danish_family, n_danish_family);
    set_str(obj, MN_P_GIVEN_NAME, given);
    set_str(obj, MN_P_FAMILY_NAME, family);

    if (rng_chance(r, 95)) {
        char email[128] = "";
        char suffix[48];
        /* Names are at most ~30 letters; 48 bytes stay free for the
         * dot and the suffix, so the strcats always fit. */
        append_ascii(email, sizeof email - 48, given);
        strcat(email, ".");
        append_ascii(email, sizeof email - 48, family);
        snprintf(suffix, sizeof suffix, "%zu@example.org", line_no);
        strcat(email, suffix);
        set_str(obj, MN_P_EMAIL, email);
    }
    if (rng_chance(r, 85)) {
        char phone[32];
        snprintf(phone, sizeof phone, "+45 %d%d %02d %02d %02d",
                 rng_range(r, 2, 9), rng_range(r, 0, 9), rng_range(r, 0, 99),
                 rng_range(r, 0, 99), rng_range(r, 0, 99));
        set_str(obj, MN_P_PHONE, phone);
    }
}

static void
add_unique_language(json_t *langs, const char *code) {
    size_t i;
    json_t *v;
    json_array_foreach(langs, i, v) {
        if (strcmp(json_string_value(v), code) == 0)
            return;
    }
    json_array_append_new(langs, json_string(code));
}

static void
add_languages(rng *r, const struct person *p, json_t *obj) {
    json_t *langs = json_array();
    add_unique_language(langs, p->country->langs[0]);
    /* The second native language (Kurdish, Pashto, Russian, ...) only for
     * some: not every Syrian speaks Kurdish. */
    if (p->country->langs[1] && rng_chance(r, 30))
        add_unique_language(langs, p->country->langs[1]);
    bool speaks_danish = p->mentor || p->danish_level >= 2 ||
                         (p->danish_level == 1 && rng_chance(r, 50));
    if (speaks_danish)
        add_unique_language(langs, "da");
    int english_percent = p->mentor ? 95 : p->edu >= E_BACHELOR ? 70 : 30;
    if (rng_chance(r, english_percent))
        add_unique_language(langs, "en");
    json_object_set_new(obj, field(MN_P_LANGUAGES)->name, langs);
}

static void
add_origin(rng *r, const struct person *p, json_t *obj) {
    set_str(obj, MN_P_COUNTRY, p->country->code);
    if (p->country->migration != M_NATIVE) {
        const int *weights = background_weights[p->country->migration];
        size_t i = rng_weighted(r, weights, DEMO_BACKGROUNDS);
        set_str(obj, MN_P_BACKGROUND, name_of(MN_P_BACKGROUND, i));
    }
    if (p->years_in_dk >= 0)
        set_int(obj, MN_P_YEARS_IN_DK, p->years_in_dk);
}

static void
add_work(rng *r, const struct person *p, json_t *obj) {
    size_t level = p->danish_level < 0 ? D_C2 : D_A1 + (size_t)p->danish_level;
    set_str(obj, MN_P_DANISH_LEVEL, name_of(MN_P_DANISH_LEVEL, level));
    set_str(obj, MN_P_EDUCATION, name_of(MN_P_EDUCATION, p->edu));
    if (p->profession) {
        set_str(obj, MN_P_PROFESSION, p->profession->name);
        set_str(obj, MN_P_SECTOR, p->profession->sector);
    }
    if (p->mentor) {
        static const int capacity_weights[] = {50, 35, 15}; /* 1, 2, 3 */
        set_int(obj, MN_P_CAPACITY,
                1 + (int)rng_weighted(r, capacity_weights,
                                      ARRAY_LEN(capacity_weights)));
        return;
    }
    json_t *wanted = json_array();
    for (size_t i = 0; i < DEMO_GOALS; i++)
        if (rng_chance(r, goal_percent[i]))
            json_array_append_new(wanted, json_string(name_of(MN_P_GOALS, i)));
    if (json_array_size(wanted) == 0) /* at least a job */
        json_array_append_new(wanted, json_string(name_of(MN_P_GOALS, 0)));
    json_object_set_new(obj, field(MN_P_GOALS)->name, wanted);
}

/* A short coordinator's note for about a third of the participants. */
static void
add_notes(rng *r, const struct person *p, json_t *obj) {
    if (!rng_chance(r, 35))
        return;
    char note[256];
    const struct profession *job = p->profession;
    if (p->mentor && job) {
        snprintf(note, sizeof note,
                 "Works in %s; can help with CV, job interviews and "
                 "networking.",
                 job->sector);
    } else if (p->mentor) {
        snprintf(note, sizeof note, "Has been a mentor before.");
    } else if (job && p->edu >= E_BACHELOR && rng_chance(r, 60)) {
        snprintf(note, sizeof note,
                 "Trained as %s %s abroad; assessment of the foreign "
                 "qualification is pending.",
                 article(job->name), job->name);
    } else if (job && rng_chance(r, 50)) {
        snprintf(note, sizeof note, "Would like a mentor who works in %s.",
                 job->sector);
    } else {
        snprintf(note, sizeof note,
                 "Attends Danish Education %d at a language centre.",
                 rng_range(r, 1, 3));
    }
    set_str(obj, MN_P_NOTES, note);
}

/* Every participant gets a consent with purposes, since every one has a
 * country of origin, which the node accepts only with her consent (README
 * "Consent"). Consent is no older than her division (first_year), the
 * person's stay in Denmark or her 18th birthday, and no newer than last
 * year. She gave it when she joined: that year is her joined_year. */
static void
add_consent(rng *r, const struct person *p, int first_year, json_t *obj) {
    int hi = REF_YEAR - 1;
    int lo = first_year;
    if (p->years_in_dk >= 0 && REF_YEAR - 1 - p->years_in_dk > lo)
        lo = REF_YEAR - 1 - p->years_in_dk;
    if (p->birth_year + 18 > lo)
        lo = p->birth_year + 18;
    if (lo > hi)
        lo = hi;
    char given_at[32];
    int year = rng_range(r, lo, hi);
    snprintf(given_at, sizeof given_at, "%04d-%02d-%02dT10:00:00Z", year,
             rng_range(r, 1, 12), rng_range(r, 1, 28));
    set_int(obj, MN_P_JOINED_YEAR, year);

    /* matching, statistics and contact; sub-networks for some */
    json_t *purposes = json_array();
    for (size_t i = 0; i < 4; i++)
        if (i < 3 || rng_chance(r, 30))
            json_array_append_new(
                purposes, json_string(name_of(MN_P_CONSENT_PURPOSES, i)));
    json_t *consent = json_object();
    json_object_set_new(consent, field(MN_P_CONSENT_PURPOSES)->name, purposes);
    set_str(consent, MN_P_CONSENT_AT, given_at);
    json_object_set_new(obj, mn_field_key(field(MN_P_CONSENT_AT)), consent);
}

/* What a mentor offers (her goals field, read by matching): drawn from a
 * stream of its own, seeded by the line, so the other fields' draws stay
 * what they were before mentors had offers. Always her network. */
static void
add_offers(size_t line_no, json_t *obj) {
    static const int offer_percent[DEMO_GOALS] = {70, 40, 100, 50};
    rng o;
    rng_seed(&o, 0x6f66666572730000ULL ^ (uint64_t)line_no);
    json_t *offers = json_array();
    for (size_t i = 0; i < DEMO_GOALS; i++)
        if (rng_chance(&o, offer_percent[i]))
            json_array_append_new(offers, json_string(name_of(MN_P_GOALS, i)));
    json_object_set_new(obj, field(MN_P_GOALS)->name, offers);
}

/* One participant's create body for a division that began in first_year.
 * line_no (1-based) makes the e-mail unique. Returns a new reference: the
 * caller json_decref()s it. */
static json_t *
make_participant(rng *r, size_t line_no, int first_year) {
    struct person p = {.mentor = rng_chance(r, MENTOR_PERCENT)};
    if (p.mentor)
        decide_mentor(r, &p);
    else
        decide_mentee(r, &p);

    json_t *obj = json_object();
    set_str(obj, MN_P_ROLE,
            name_of(MN_P_ROLE, p.mentor ? MN_ROLE_MENTOR : MN_ROLE_MENTEE));
    set_str(
        obj, MN_P_STATUS,
        name_of(MN_P_STATUS, rng_weighted(r, status_weights, DEMO_STATUSES)));
    add_names(r, &p, obj, line_no);
    set_int(obj, MN_P_BIRTH_YEAR, p.birth_year);
    add_origin(r, &p, obj);
    add_languages(r, &p, obj);
    add_work(r, &p, obj);
    if (rng_chance(r, 75))
        set_str(obj, MN_P_AVAILABILITY,
                rng_pick(r, availabilities, n_availabilities));
    add_consent(r, &p, first_year, obj);
    add_notes(r, &p, obj);
    if (p.mentor)
        add_offers(line_no, obj);
    return obj;
}

/* ---------------------------------------------------------------------- */
/* Command line.                                                            */

static void
usage(FILE *out) {
    fprintf(out,
            "usage: mentornet-demo-data --division NAME --count N [--seed S]\n"
            "\n"
            "Prints N synthetic participants as NDJSON, one create body for\n"
            "POST /v1/participants per line, ready for `mentornet import`.\n"
            "The output depends only on NAME, N and S (default seed 2003).\n"
            "\n"
            "  --division NAME  the division the data is for ([a-z0-9_-])\n"
            "  --count N        number of participants (0..%lu)\n"
            "  --seed S         64-bit seed, decimal or 0x-hex\n"
            "  -h, --help       show this help\n",
            MAX_COUNT);
}

/* Prints "mentornet-demo-data: <what> '<arg>'" and a hint; returns 2. */
static int
usage_error(const char *what, const char *arg) {
    fprintf(stderr, "mentornet-demo-data: %s", what);
    if (arg)
        fprintf(stderr, " '%s'", arg);
    fprintf(stderr, "\nTry 'mentornet-demo-data --help'.\n");
    return 2;
}

static bool
division_valid(const char *z) {
    size_t n = strlen(z);
    if (n == 0 || n > 64)
        return false;
    return strspn(z, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* Parses an unsigned number (base 10, or 16 with 0x); rejects signs,
 * trailing garbage and overflow. */
static bool
parse_u64(const char *z, uint64_t *out) {
    if (z[0] < '0' || z[0] > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(z, &end, 0);
    if (errno || *end)
        return false;
    *out = (uint64_t)v;
    return true;
}

struct options {
    const char *division;
    uint64_t count;
    uint64_t seed;
    bool have_count;
};

/* Returns -1 to go on, or the exit code (0 after --help, 2 on bad use). */
static int
parse_args(int argc, char **argv, struct options *o) {
    o->seed = 2003;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            usage(stdout);
            return 0;
        }
        bool known = !strcmp(arg, "--division") || !strcmp(arg, "--count") ||
                     !strcmp(arg, "--seed");
        if (!known)
            return usage_error("unknown argument", arg);
        if (i + 1 >= argc)
            return usage_error("missing value after", arg);
        const char *value = argv[++i];
        if (!strcmp(arg, "--division")) {
            if (!division_valid(value))
                return usage_error("bad division name (want [a-z0-9_-]):",
                                   value);
            o->division = value;
        } else if (!strcmp(arg, "--count")) {
            if (!parse_u64(value, &o->count) || o->count > MAX_COUNT)
                return usage_error("bad count", value);
            o->have_count = true;
        } else if (!parse_u64(value, &o->seed)) {
            return usage_error("bad seed", value);
        }
    }
    if (!o->division)
        return usage_error("--division is required", NULL);
    if (!o->have_count)
        return usage_error("--count is required", NULL);
    return -1;
}

/* The weight tables match the participant table's names, and the row
 * tables fit the weight buffers; false (and a message) otherwise. */
static bool
tables_agree(void) {
    static const struct {
        uint32_t no;
        size_t n;
    } counts[] = {
        {MN_P_STATUS, DEMO_STATUSES}, {MN_P_EDUCATION, E_COUNT},
        {MN_P_DANISH_LEVEL, D_COUNT}, {MN_P_BACKGROUND, DEMO_BACKGROUNDS},
        {MN_P_GOALS, DEMO_GOALS},     {MN_P_CONSENT_PURPOSES, 4},
    };
    for (size_t i = 0; i < ARRAY_LEN(counts); i++)
        if (mn_field_enum_count(field(counts[i].no)) != counts[i].n) {
            fprintf(stderr,
                    "mentornet-demo-data: the weights for %s do not match "
                    "the participant table\n",
                    field(counts[i].no)->name);
            return false;
        }
    return n_countries <= DEMO_MAX_ROWS && n_professions <= DEMO_MAX_ROWS;
}

int
main(int argc, char **argv) {
    struct options opts = {0};
    int rc = parse_args(argc, argv, &opts);
    if (rc >= 0)
        return rc;
    if (!tables_agree())
        return 1;

    rng r;
    rng_seed(&r, opts.seed ^ hash_string(opts.division));
    for (uint64_t i = 0; i < opts.count; i++) {
        json_t *obj =
            make_participant(&r, (size_t)i + 1, division_since(opts.division));
        char *line = json_dumps(obj, JSON_COMPACT);
        json_decref(obj);
        if (!line) {
            fprintf(stderr, "mentornet-demo-data: out of memory\n");
            return 1;
        }
        fputs(line, stdout);
        putchar('\n');
        free(line);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("mentornet-demo-data: write");
        return 1;
    }
    return 0;
}
