/*
 * demo_tables — the realistic value tables of the demo data generator
 * (tools/demo_data.c): women's names per region, countries of origin with
 * their weights, languages and migration patterns, professions with the
 * education they need, availabilities, and the weights with which the
 * API's own names (status, education, background, goals: taken from the
 * participant's table, state/participant.c) are drawn.
 *
 * Invariants: every weight array has exactly as many entries as the
 * participant table has names for that field (demo_data checks at start);
 * enum education and enum danish follow that table's order.
 */
#ifndef MN_DEMO_TABLES_H
#define MN_DEMO_TABLES_H

#include <stddef.h>

#define DEMO_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* The most rows a weighted table (countries, professions) may have. */
#define DEMO_MAX_ROWS 160

/* Names: a small table of women's given names and family names per region. */
enum region {
    R_DANISH,
    R_WESTERN,
    R_ARAB,
    R_MAGHREB,
    R_SOMALI,
    R_PERSIAN,
    R_HORN,
    R_TURKISH,
    R_PAKISTANI,
    R_INDIAN,
    R_TAMIL,
    R_VIETNAMESE,
    R_THAI,
    R_FILIPINO,
    R_INDONESIAN,
    R_CHINESE,
    R_UKRAINIAN,
    R_RUSSIAN,
    R_POLISH,
    R_ROMANIAN,
    R_BOSNIAN,
    R_SOUTH_SLAVIC,
    R_ALBANIAN,
    R_CONGOLESE,
    R_ANGLO_AFRICAN,
    R_LATIN,
    R_COUNT
};

struct names {
    const char *const *given;
    size_t n_given;
    const char *const *family;
    size_t n_family;
};

extern const struct names names_by_region[R_COUNT];
extern const char *const danish_family[];
extern const size_t n_danish_family;

/* How people from a country usually came to Denmark; picks the background. */
enum migration {
    M_NATIVE,  /* Denmark itself: no background is recorded */
    M_REFUGEE, /* mostly asylum, then family reunification */
    M_FAMILY,  /* mostly family reunification (marriage) */
    M_LABOUR,  /* mostly work or study */
};

/*
 * The mentee weights are a rough picture of who joins a mentoring network
 * for refugee and migrant women in Denmark (largest groups from Syria,
 * Ukraine, Iraq, Turkey, Somalia, Afghanistan, Iran, Eritrea), not official
 * statistics. The mentor weights make mentors mostly Danish, with some other
 * Europeans and some established women with a migrant background.
 * years_max bounds years_in_denmark for a mentee from that country (the
 * Ukrainians came from 2022 on, most Syrians from 2013 on).
 */
struct country {
    const char *code; /* ISO 3166-1 alpha-2 */
    int mentee_weight;
    int mentor_weight;
    enum region region;
    enum migration migration;
    const char *langs[2]; /* native languages, ISO 639-1; [1] may be NULL */
    int years_max;
};

extern const struct country countries[];
extern const size_t n_countries;

/* Education levels in the order of the participant table's names. */
enum education {
    E_NONE,
    E_PRIMARY,
    E_SECONDARY,
    E_VOCATIONAL,
    E_BACHELOR,
    E_MASTER,
    E_PHD,
    E_COUNT
};

/* Danish levels in the order of the participant table's names. */
enum danish { D_NONE, D_A1, D_A2, D_B1, D_B2, D_C1, D_C2, D_COUNT };

struct profession {
    const char *name;
    const char *sector;
    enum education edu_min, edu_max; /* who plausibly holds this job */
    int weight;
};

extern const struct profession professions[];
extern const size_t n_professions;

extern const char *const availabilities[];
extern const size_t n_availabilities;

/* Weights by the participant table's name index of the field. */
#define DEMO_STATUSES 5
#define DEMO_BACKGROUNDS 6
#define DEMO_GOALS 4
extern const int status_weights[DEMO_STATUSES];
extern const int mentee_education_weights[E_COUNT];
extern const int mentor_education_weights[E_COUNT];
/* Rows: enum migration (M_NATIVE unused); columns: background names. */
extern const int background_weights[][DEMO_BACKGROUNDS];
/* The chance, in percent, that a mentee names each goal. */
extern const int goal_percent[DEMO_GOALS];

#endif
