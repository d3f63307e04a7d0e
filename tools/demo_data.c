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
 *  - Every line is valid against the README's field table: only create
 *    fields (no id, home_division, created_at, updated_at), codes from
 *    ISO 3166-1 alpha-2 and ISO 639-1, strings within their length limits,
 *    capacity only on mentors.
 *  - E-mail addresses are unique within one output (the line number is
 *    part of the local part) and use only lower-case ASCII.
 *
 * Uses only libc and jansson; it does not link the mentornet library.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The data is drawn as of late 2026: years in Denmark and consent dates are
 * computed back from this year, and no consent is dated later than the
 * year before it, so none lies in the future. */
#define REF_YEAR 2026
/* The network started in 2003, so no consent is older. */
#define FIRST_CONSENT_YEAR 2003
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

static const char *const danish_given[] = {
    "Anne",     "Mette",   "Hanne",  "Susanne",   "Lene",   "Kirsten",
    "Marianne", "Camilla", "Louise", "Charlotte", "Maria",  "Helle",
    "Tina",     "Pia",     "Karen",  "Birgitte",  "Lone",   "Inge",
    "Rikke",    "Trine",   "Sofie",  "Ida",       "Signe",  "Line",
    "Julie",    "Katrine", "Lærke",  "Bodil",     "Dorthe", "Gitte",
};
static const char *const danish_family[] = {
    "Jensen",       "Nielsen",     "Hansen",     "Pedersen",    "Andersen",
    "Christensen",  "Larsen",      "Sørensen",   "Rasmussen",   "Jørgensen",
    "Petersen",     "Madsen",      "Kristensen", "Olsen",       "Thomsen",
    "Christiansen", "Poulsen",     "Johansen",   "Møller",      "Mortensen",
    "Lund",         "Holm",        "Kjær",       "Bach",        "Lauridsen",
    "Dahl",         "Frederiksen", "Østergaard", "Vestergaard", "Juhl",
};
static const char *const western_given[] = {
    "Anna",   "Eva",   "Sarah",  "Emma",    "Claire",    "Katharina", "Julia",
    "Sophie", "Laura", "Ingrid", "Kristin", "Elisabeth", "Astrid",    "Linnea",
};
static const char *const western_family[] = {
    "Müller", "Schmidt",  "Andersson", "Johansson", "Smith",
    "Brown",  "de Vries", "Martin",    "Berg",      "Lindqvist",
    "Wilson", "Fischer",  "Solberg",   "Haugen",
};
static const char *const arab_given[] = {
    "Amina",  "Fatima", "Rania", "Lina",  "Nour", "Hiba",  "Salma",
    "Yasmin", "Layla",  "Dima",  "Rasha", "Maha", "Huda",  "Zainab",
    "Mariam", "Samira", "Hanan", "Reem",  "Aya",  "Nadia", "Sawsan",
    "Ghada",  "Lubna",  "Asmaa", "Rawan", "Doaa",
};
static const char *const arab_family[] = {
    "Haddad",   "Al-Hassan", "Khalil",    "Mansour", "Nasser",   "Saleh",
    "Hamdan",   "Darwish",   "Ibrahim",   "Youssef", "Al-Ahmad", "Othman",
    "Kassem",   "Khoury",    "Abboud",    "Jaber",   "Al-Sayed", "Mahmoud",
    "Suleiman", "Barakat",   "Al-Khatib", "Hamdi",
};
static const char *const maghreb_given[] = {
    "Khadija",  "Latifa", "Naima", "Samira", "Hayat",  "Malika",
    "Soukaina", "Meryem", "Nawal", "Karima", "Fatiha", "Loubna",
};
static const char *const maghreb_family[] = {
    "El Amrani", "Bennani", "Benali",  "Ouali",  "Tazi",     "Alaoui",
    "Cherkaoui", "Bouzid",  "Haddadi", "Amrani", "Belkacem", "Mansouri",
};
static const char *const somali_given[] = {
    "Hodan", "Fadumo", "Sahra", "Hibo", "Ifrah",  "Ayan",   "Deeqa",  "Hawa",
    "Nimco", "Ubah",   "Sagal", "Asha", "Khadra", "Maryan", "Filsan",
};
static const char *const somali_family[] = {
    "Mohamed", "Ali",   "Hassan", "Abdi",  "Warsame", "Farah", "Omar",  "Jama",
    "Nur",     "Osman", "Ahmed",  "Yusuf", "Aden",    "Guled", "Hersi",
};
static const char *const persian_given[] = {
    "Maryam",  "Zahra", "Fereshteh", "Parisa",  "Shirin", "Leila",   "Nasrin",
    "Mahsa",   "Roya",  "Soraya",    "Farzana", "Marzia", "Fatemeh", "Nilofar",
    "Shabnam", "Sahar", "Yalda",     "Homa",    "Mina",   "Tahmina",
};
static const char *const persian_family[] = {
    "Ahmadi",  "Hosseini", "Rahimi",  "Karimi", "Mohammadi", "Rezaei",
    "Sadeghi", "Jafari",   "Hashimi", "Noori",  "Sultani",   "Azizi",
    "Amiri",   "Haidari",  "Rostami", "Wardak", "Popal",     "Safi",
};
static const char *const horn_given[] = {
    "Selam", "Helen", "Senait", "Mebrat", "Tsega", "Rahel", "Hiwet",  "Meron",
    "Saba",  "Almaz", "Yohana", "Semhar", "Luwam", "Feven", "Tigist",
};
static const char *const horn_family[] = {
    "Tesfaye", "Haile",       "Ghebremedhin", "Tekle",  "Berhane",
    "Kidane",  "Woldemariam", "Gebru",        "Abraha", "Mengistu",
    "Habte",   "Asfaha",      "Negash",       "Tsegay", "Yohannes",
};
static const char *const turkish_given[] = {
    "Ayşe",  "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Merve", "Derya",
    "Özlem", "Gül",   "Sevgi", "Hülya",  "Songül", "Esra", "Büşra", "Dilek",
};
static const char *const turkish_family[] = {
    "Yılmaz", "Kaya",  "Demir", "Şahin", "Çelik", "Yıldız", "Aydın",   "Öztürk",
    "Arslan", "Doğan", "Kılıç", "Aslan", "Koç",   "Kurt",   "Özdemir",
};
static const char *const pakistani_given[] = {
    "Ayesha", "Saima", "Sana", "Nadia",  "Farah", "Hina",
    "Rabia",  "Sadia", "Amna", "Bushra", "Kiran", "Shazia",
};
static const char *const pakistani_family[] = {
    "Khan", "Ahmed",    "Malik", "Iqbal", "Hussain",  "Qureshi",
    "Butt", "Chaudhry", "Raza",  "Shah",  "Siddiqui", "Javed",
};
static const char *const indian_given[] = {
    "Priya",   "Anjali", "Deepa", "Kavya", "Sunita", "Pooja",  "Meera",
    "Lakshmi", "Divya",  "Neha",  "Ritu",  "Shreya", "Nasrin", "Sabina",
};
static const char *const indian_family[] = {
    "Sharma", "Patel", "Singh",    "Gupta", "Reddy", "Nair",  "Iyer",
    "Rao",    "Das",   "Shrestha", "Joshi", "Kumar", "Begum", "Rahman",
};
static const char *const tamil_given[] = {
    "Tharshini", "Kavitha", "Sharmila",     "Nirosha", "Vasanthi",
    "Jeyanthi",  "Thulasi", "Mathivathani", "Yalini",  "Sujatha",
};
static const char *const tamil_family[] = {
    "Sivakumar", "Thurairajah", "Kanagaratnam", "Selvarajah",   "Balasingham",
    "Rajendran", "Nadarajah",   "Ponnambalam",  "Arulanantham", "Sritharan",
};
static const char *const vietnamese_given[] = {
    "Lan",   "Hoa",  "Mai", "Huong", "Linh",   "Thao",
    "Trang", "Ngoc", "Thu", "Hanh",  "Phuong", "Yen",
};
static const char *const vietnamese_family[] = {
    "Nguyen", "Tran", "Le",  "Pham", "Hoang", "Phan",
    "Vu",     "Dang", "Bui", "Do",   "Ho",    "Ngo",
};
static const char *const thai_given[] = {
    "Siriporn", "Suda",    "Kanya",  "Malee",    "Pornthip", "Ratana",
    "Wanida",   "Jintana", "Sunisa", "Kanokwan", "Pranee",   "Nok",
};
static const char *const thai_family[] = {
    "Srisuk",  "Saetang", "Wongsawat",  "Chaiyaporn", "Boonmee",
    "Phromma", "Kaewkla", "Sukprasert", "Thongdee",   "Rattanakorn",
};
static const char *const filipino_given[] = {
    "Maria",    "Jocelyn", "Rowena",  "Marites", "Cristina",   "Analyn",
    "Jennifer", "Rosalie", "Maricel", "Lorna",   "Mary Grace", "Joy",
};
static const char *const filipino_family[] = {
    "Santos",     "Reyes", "Cruz",   "Bautista",  "Garcia",   "Mendoza",
    "Villanueva", "Ramos", "Aquino", "dela Cruz", "Castillo", "Fernandez",
};
static const char *const indonesian_given[] = {
    "Sri", "Dewi", "Ratna", "Wulan", "Putri", "Indah", "Ayu", "Fitri",
};
static const char *const indonesian_family[] = {
    "Wijaya", "Santoso", "Susanto",  "Hartono",
    "Kusuma", "Pratama", "Setiawan", "Halim",
};
static const char *const chinese_given[] = {
    "Xiaoling", "Mei", "Jing", "Yan", "Hui",
    "Fang",     "Lei", "Ying", "Xin", "Min",
};
static const char *const chinese_family[] = {
    "Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
};
static const char *const ukrainian_given[] = {
    "Olena",  "Iryna",     "Nataliia", "Oksana",     "Tetiana",
    "Yuliia", "Svitlana",  "Kateryna", "Anastasiia", "Olha",
    "Mariia", "Viktoriia", "Halyna",
};
static const char *const ukrainian_family[] = {
    "Kovalenko",  "Shevchenko", "Bondarenko", "Tkachenko",
    "Kravchenko", "Melnyk",     "Boiko",      "Kovalchuk",
    "Oliinyk",    "Polishchuk", "Savchenko",  "Lysenko",
};
static const char *const russian_given[] = {
    "Elena", "Olga", "Tatiana",   "Svetlana",
    "Irina", "Anna", "Ekaterina", "Natalia",
};
static const char *const russian_family[] = {
    "Ivanova", "Smirnova", "Kuznetsova", "Popova",
    "Petrova", "Volkova",  "Sokolova",   "Morozova",
};
static const char *const polish_given[] = {
    "Agnieszka", "Katarzyna", "Małgorzata", "Anna",
    "Joanna",    "Magdalena", "Ewa",        "Monika",
    "Karolina",  "Justyna",   "Aleksandra", "Dorota",
};
static const char *const polish_family[] = {
    "Nowak",     "Kowalska", "Wiśniewska",  "Wójcik",
    "Kowalczyk", "Kamińska", "Lewandowska", "Zielińska",
    "Szymańska", "Woźniak",  "Dąbrowska",   "Kozłowska",
};
static const char *const romanian_given[] = {
    "Elena", "Ioana",    "Andreea",  "Maria",  "Mihaela",
    "Alina", "Cristina", "Gabriela", "Roxana", "Daniela",
};
static const char *const romanian_family[] = {
    "Popescu", "Ionescu",  "Popa",       "Stan",     "Dumitru",
    "Stoica",  "Munteanu", "Constantin", "Gheorghe", "Marin",
};
static const char *const bosnian_given[] = {
    "Amra",    "Emina",  "Selma", "Lejla", "Azra",   "Mirsada",
    "Jasmina", "Senada", "Aida",  "Edina", "Merima", "Sanela",
};
static const char *const bosnian_family[] = {
    "Hodžić", "Begić",       "Hadžić",   "Mehmedović", "Delić", "Kovačević",
    "Husić",  "Ibrahimović", "Omerović", "Salihović",  "Jusić", "Mujić",
};
static const char *const south_slavic_given[] = {
    "Jelena",  "Ivana", "Marija", "Milica", "Dragana",
    "Snežana", "Vesna", "Tanja",  "Maja",   "Gordana",
};
static const char *const south_slavic_family[] = {
    "Petrović", "Jovanović", "Nikolić",    "Marković", "Horvat",
    "Babić",    "Novak",     "Stojanović", "Ilić",     "Kovač",
};
static const char *const albanian_given[] = {
    "Arta",  "Blerta", "Drita",   "Mimoza", "Teuta",
    "Vjosa", "Elira",  "Fatmire", "Shqipe", "Valbona",
};
static const char *const albanian_family[] = {
    "Hoxha", "Krasniqi", "Berisha",  "Gashi",
    "Shala", "Morina",   "Kelmendi", "Bytyqi",
};
static const char *const congolese_given[] = {
    "Grâce",  "Esther",   "Chantal",  "Françoise", "Josiane",
    "Nadège", "Clarisse", "Béatrice", "Aline",     "Pascaline",
};
static const char *const congolese_family[] = {
    "Mbuyi",  "Kabongo", "Ilunga", "Tshibangu", "Mukendi",
    "Kalala", "Lukusa",  "Ngoy",   "Kasongo",   "Mwamba",
};
static const char *const anglo_african_given[] = {
    "Grace",    "Faith",  "Mercy", "Joy",    "Esther", "Blessing",
    "Patience", "Gloria", "Ruth",  "Winnie", "Fatou",  "Isatou",
};
static const char *const anglo_african_family[] = {
    "Okafor",  "Mensah",  "Otieno", "Wanjiku", "Nakato", "Adeyemi",
    "Boateng", "Achieng", "Okello", "Jallow",  "Ceesay", "Asante",
};
static const char *const latin_given[] = {
    "María", "Ana",   "Carolina", "Daniela",  "Valentina", "Camila",
    "Paula", "Luisa", "Fernanda", "Gabriela", "Juliana",   "Adriana",
};
static const char *const latin_family[] = {
    "García", "Rodríguez", "Martínez", "López", "González", "Hernández",
    "Silva",  "Souza",     "Pereira",  "Gómez", "Díaz",     "Torres",
};

struct names {
    const char *const *given;
    size_t n_given;
    const char *const *family;
    size_t n_family;
};

#define NAMES(g, f)                                                            \
    { g, ARRAY_LEN(g), f, ARRAY_LEN(f) }

static const struct names names_by_region[R_COUNT] = {
    [R_DANISH] = NAMES(danish_given, danish_family),
    [R_WESTERN] = NAMES(western_given, western_family),
    [R_ARAB] = NAMES(arab_given, arab_family),
    [R_MAGHREB] = NAMES(maghreb_given, maghreb_family),
    [R_SOMALI] = NAMES(somali_given, somali_family),
    [R_PERSIAN] = NAMES(persian_given, persian_family),
    [R_HORN] = NAMES(horn_given, horn_family),
    [R_TURKISH] = NAMES(turkish_given, turkish_family),
    [R_PAKISTANI] = NAMES(pakistani_given, pakistani_family),
    [R_INDIAN] = NAMES(indian_given, indian_family),
    [R_TAMIL] = NAMES(tamil_given, tamil_family),
    [R_VIETNAMESE] = NAMES(vietnamese_given, vietnamese_family),
    [R_THAI] = NAMES(thai_given, thai_family),
    [R_FILIPINO] = NAMES(filipino_given, filipino_family),
    [R_INDONESIAN] = NAMES(indonesian_given, indonesian_family),
    [R_CHINESE] = NAMES(chinese_given, chinese_family),
    [R_UKRAINIAN] = NAMES(ukrainian_given, ukrainian_family),
    [R_RUSSIAN] = NAMES(russian_given, russian_family),
    [R_POLISH] = NAMES(polish_given, polish_family),
    [R_ROMANIAN] = NAMES(romanian_given, romanian_family),
    [R_BOSNIAN] = NAMES(bosnian_given, bosnian_family),
    [R_SOUTH_SLAVIC] = NAMES(south_slavic_given, south_slavic_family),
    [R_ALBANIAN] = NAMES(albanian_given, albanian_family),
    [R_CONGOLESE] = NAMES(congolese_given, congolese_family),
    [R_ANGLO_AFRICAN] = NAMES(anglo_african_given, anglo_african_family),
    [R_LATIN] = NAMES(latin_given, latin_family),
};

/* ---------------------------------------------------------------------- */
/* Countries of origin.                                                     */

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

static const struct country countries[] = {
    {"DK", 0, 820, R_DANISH, M_NATIVE, {"da", NULL}, 0},
    {"SE", 0, 12, R_WESTERN, M_LABOUR, {"sv", NULL}, 20},
    {"NO", 0, 10, R_WESTERN, M_LABOUR, {"no", NULL}, 20},
    {"DE", 0, 20, R_WESTERN, M_LABOUR, {"de", NULL}, 20},
    {"GB", 0, 10, R_WESTERN, M_LABOUR, {"en", NULL}, 20},
    {"NL", 0, 6, R_WESTERN, M_LABOUR, {"nl", NULL}, 20},
    {"US", 0, 6, R_WESTERN, M_LABOUR, {"en", NULL}, 20},
    {"SY", 140, 6, R_ARAB, M_REFUGEE, {"ar", "ku"}, 13},
    {"UA", 90, 0, R_UKRAINIAN, M_REFUGEE, {"uk", "ru"}, 4},
    {"IQ", 70, 12, R_ARAB, M_REFUGEE, {"ar", "ku"}, 20},
    {"TR", 65, 14, R_TURKISH, M_FAMILY, {"tr", NULL}, 20},
    {"SO", 60, 4, R_SOMALI, M_REFUGEE, {"so", NULL}, 20},
    {"AF", 60, 4, R_PERSIAN, M_REFUGEE, {"fa", "ps"}, 20},
    {"IR", 50, 14, R_PERSIAN, M_REFUGEE, {"fa", NULL}, 20},
    {"ER", 50, 0, R_HORN, M_REFUGEE, {"ti", NULL}, 12},
    {"PK", 35, 6, R_PAKISTANI, M_FAMILY, {"ur", "pa"}, 20},
    {"LB", 30, 4, R_ARAB, M_REFUGEE, {"ar", "fr"}, 20},
    {"PS", 25, 2, R_ARAB, M_REFUGEE, {"ar", NULL}, 20},
    {"BA", 25, 10, R_BOSNIAN, M_REFUGEE, {"bs", NULL}, 20},
    {"TH", 35, 0, R_THAI, M_FAMILY, {"th", NULL}, 20},
    {"PH", 40, 2, R_FILIPINO, M_FAMILY, {"tl", "en"}, 20},
    {"VN", 25, 4, R_VIETNAMESE, M_FAMILY, {"vi", NULL}, 20},
    {"PL", 35, 8, R_POLISH, M_LABOUR, {"pl", NULL}, 20},
    {"RO", 25, 2, R_ROMANIAN, M_LABOUR, {"ro", NULL}, 20},
    {"MA", 20, 4, R_MAGHREB, M_FAMILY, {"ar", "fr"}, 20},
    {"ET", 18, 0, R_HORN, M_REFUGEE, {"am", NULL}, 20},
    {"CD", 12, 0, R_CONGOLESE, M_REFUGEE, {"fr", "ln"}, 20},
    {"LK", 15, 4, R_TAMIL, M_REFUGEE, {"ta", NULL}, 20},
    {"IN", 20, 4, R_INDIAN, M_LABOUR, {"hi", "en"}, 20},
    {"CN", 15, 2, R_CHINESE, M_LABOUR, {"zh", NULL}, 20},
    {"RU", 15, 2, R_RUSSIAN, M_FAMILY, {"ru", NULL}, 20},
    {"SD", 12, 0, R_ARAB, M_REFUGEE, {"ar", NULL}, 15},
    {"YE", 6, 0, R_ARAB, M_REFUGEE, {"ar", NULL}, 15},
    {"EG", 8, 0, R_ARAB, M_FAMILY, {"ar", NULL}, 20},
    {"DZ", 6, 0, R_MAGHREB, M_FAMILY, {"ar", "fr"}, 20},
    {"TN", 6, 0, R_MAGHREB, M_FAMILY, {"ar", "fr"}, 20},
    {"JO", 6, 0, R_ARAB, M_FAMILY, {"ar", NULL}, 20},
    {"BD", 8, 0, R_INDIAN, M_FAMILY, {"bn", NULL}, 20},
    {"NP", 8, 0, R_INDIAN, M_LABOUR, {"ne", NULL}, 20},
    {"ID", 6, 0, R_INDONESIAN, M_FAMILY, {"id", NULL}, 20},
    {"KE", 8, 0, R_ANGLO_AFRICAN, M_FAMILY, {"sw", "en"}, 20},
    {"UG", 6, 0, R_ANGLO_AFRICAN, M_REFUGEE, {"en", "sw"}, 20},
    {"NG", 8, 0, R_ANGLO_AFRICAN, M_LABOUR, {"en", "yo"}, 20},
    {"GH", 8, 2, R_ANGLO_AFRICAN, M_FAMILY, {"en", "ak"}, 20},
    {"GM", 6, 0, R_ANGLO_AFRICAN, M_FAMILY, {"en", NULL}, 20},
    {"BR", 10, 2, R_LATIN, M_LABOUR, {"pt", NULL}, 20},
    {"CO", 8, 0, R_LATIN, M_LABOUR, {"es", NULL}, 20},
    {"CL", 6, 6, R_LATIN, M_REFUGEE, {"es", NULL}, 20},
    {"MX", 6, 0, R_LATIN, M_LABOUR, {"es", NULL}, 20},
    {"RS", 8, 2, R_SOUTH_SLAVIC, M_LABOUR, {"sr", NULL}, 20},
    {"HR", 6, 2, R_SOUTH_SLAVIC, M_LABOUR, {"hr", NULL}, 20},
    {"MK", 6, 0, R_SOUTH_SLAVIC, M_LABOUR, {"mk", NULL}, 20},
    {"AL", 6, 0, R_ALBANIAN, M_LABOUR, {"sq", NULL}, 20},
    {"BG", 8, 0, R_SOUTH_SLAVIC, M_LABOUR, {"bg", NULL}, 20},
};

static const struct country *
pick_country(rng *r, bool mentor) {
    int weights[ARRAY_LEN(countries)];
    for (size_t i = 0; i < ARRAY_LEN(countries); i++)
        weights[i] =
            mentor ? countries[i].mentor_weight : countries[i].mentee_weight;
    return &countries[rng_weighted(r, weights, ARRAY_LEN(countries))];
}

/* ---------------------------------------------------------------------- */
/* Fixed vocabularies of the API (README field table).                      */

static const char *const statuses[] = {
    "applicant", "waiting", "matched", "alumni", "withdrawn",
};
static const int status_weights[] = {15, 20, 30, 27, 8};

/* Index order matters: profession rows give an education range by index. */
enum education {
    E_PRIMARY,
    E_SECONDARY,
    E_VOCATIONAL,
    E_BACHELOR,
    E_MASTER,
    E_PHD,
};
static const char *const education_levels[] = {
    "primary", "secondary", "vocational", "bachelor", "master", "phd",
};
static const int mentee_education_weights[] = {8, 18, 16, 36, 18, 4};
static const int mentor_education_weights[] = {0, 0, 0, 40, 50, 10};

static const char *const danish_levels[] = {"A1", "A2", "B1", "B2", "C1"};

static const char *const backgrounds[] = {
    "refugee", "family_reunification", "labour_migrant", "student", "other",
    "unknown",
};
/* Rows: enum migration (M_NATIVE unused); columns: backgrounds[]. */
static const int background_weights[][ARRAY_LEN(backgrounds)] = {
    [M_NATIVE] = {0, 0, 0, 0, 1, 0},
    [M_REFUGEE] = {66, 26, 2, 1, 2, 3},
    [M_FAMILY] = {14, 56, 14, 8, 5, 3},
    [M_LABOUR] = {3, 25, 45, 20, 4, 3},
};

static const char *const goals[] = {"job", "education", "network", "language"};
static const int goal_percent[] = {82, 35, 60, 40};

static const char *const availabilities[] = {
    "Weekday evenings",
    "Weekends",
    "Monday and Wednesday afternoons",
    "Tuesday evenings",
    "Flexible",
    "Mornings before 10",
    "Thursdays after work",
    "Online or in person, flexible",
    "Every other Saturday",
    "Afternoons while the children are at school",
    "About two hours a month, evenings",
};

/* ---------------------------------------------------------------------- */
/* Professions.                                                             */

struct profession {
    const char *name;
    const char *sector;
    enum education edu_min, edu_max; /* who plausibly holds this job */
    int weight;
};

static const struct profession professions[] = {
    {"nurse", "health", E_BACHELOR, E_MASTER, 14},
    {"midwife", "health", E_BACHELOR, E_MASTER, 4},
    {"medical doctor", "health", E_MASTER, E_PHD, 6},
    {"dentist", "health", E_MASTER, E_PHD, 3},
    {"pharmacist", "pharmacy", E_BACHELOR, E_PHD, 6},
    {"physiotherapist", "health", E_BACHELOR, E_MASTER, 3},
    {"psychologist", "health", E_MASTER, E_PHD, 3},
    {"civil engineer", "construction", E_BACHELOR, E_PHD, 5},
    {"chemical engineer", "industry", E_BACHELOR, E_PHD, 3},
    {"electrical engineer", "engineering", E_BACHELOR, E_PHD, 3},
    {"architect", "construction", E_MASTER, E_PHD, 3},
    {"software developer", "IT", E_BACHELOR, E_PHD, 6},
    {"IT project manager", "IT", E_BACHELOR, E_MASTER, 2},
    {"teacher", "education", E_BACHELOR, E_MASTER, 12},
    {"preschool teacher", "education", E_VOCATIONAL, E_BACHELOR, 6},
    {"university lecturer", "education", E_MASTER, E_PHD, 3},
    {"researcher", "research", E_PHD, E_PHD, 4},
    {"biologist", "research", E_BACHELOR, E_PHD, 3},
    {"chemist", "research", E_BACHELOR, E_PHD, 3},
    {"laboratory technician", "research", E_VOCATIONAL, E_BACHELOR, 4},
    {"accountant", "finance", E_BACHELOR, E_MASTER, 8},
    {"economist", "finance", E_BACHELOR, E_PHD, 5},
    {"bank clerk", "finance", E_VOCATIONAL, E_BACHELOR, 3},
    {"bookkeeper", "finance", E_VOCATIONAL, E_BACHELOR, 3},
    {"lawyer", "law", E_MASTER, E_PHD, 5},
    {"journalist", "media", E_BACHELOR, E_MASTER, 3},
    {"graphic designer", "media", E_VOCATIONAL, E_MASTER, 2},
    {"translator", "languages", E_BACHELOR, E_MASTER, 3},
    {"social worker", "social services", E_BACHELOR, E_MASTER, 5},
    {"HR consultant", "business", E_BACHELOR, E_MASTER, 4},
    {"marketing coordinator", "business", E_BACHELOR, E_MASTER, 3},
    {"project manager", "business", E_BACHELOR, E_MASTER, 4},
    {"case worker", "public administration", E_BACHELOR, E_MASTER, 4},
    {"agronomist", "agriculture", E_BACHELOR, E_PHD, 2},
    {"dietitian", "health", E_BACHELOR, E_MASTER, 2},
    {"office clerk", "public administration", E_SECONDARY, E_BACHELOR, 4},
    {"social and healthcare assistant", "health", E_VOCATIONAL, E_VOCATIONAL,
     8},
    {"dental assistant", "health", E_VOCATIONAL, E_VOCATIONAL, 2},
    {"childcare assistant", "education", E_SECONDARY, E_VOCATIONAL, 6},
    {"hairdresser", "personal care", E_PRIMARY, E_VOCATIONAL, 5},
    {"beautician", "personal care", E_SECONDARY, E_VOCATIONAL, 3},
    {"seamstress", "textiles", E_PRIMARY, E_VOCATIONAL, 5},
    {"cook", "hospitality", E_PRIMARY, E_VOCATIONAL, 4},
    {"kitchen assistant", "hospitality", E_PRIMARY, E_SECONDARY, 4},
    {"shop assistant", "retail", E_PRIMARY, E_VOCATIONAL, 4},
    {"cashier", "retail", E_PRIMARY, E_SECONDARY, 3},
    {"cleaner", "cleaning", E_PRIMARY, E_SECONDARY, 4},
    {"factory worker", "industry", E_PRIMARY, E_SECONDARY, 3},
    {"farm worker", "agriculture", E_PRIMARY, E_SECONDARY, 2},
};

/* A profession plausible for education level edu (always one exists). */
static const struct profession *
pick_profession(rng *r, enum education edu) {
    int weights[ARRAY_LEN(professions)];
    for (size_t i = 0; i < ARRAY_LEN(professions); i++) {
        const struct profession *p = &professions[i];
        bool fits = edu >= p->edu_min && edu <= p->edu_max;
        weights[i] = fits ? p->weight : 0;
    }
    return &professions[rng_weighted(r, weights, ARRAY_LEN(professions))];
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
    int danish_level; /* index into danish_levels; -1: C2 (mentor) */
};

static void
set_str(json_t *obj, const char *key, const char *value) {
    json_object_set_new(obj, key, json_string(value));
}

static void
set_int(json_t *obj, const char *key, int value) {
    json_object_set_new(obj, key, json_integer(value));
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
    p->edu = (enum education)rng_weighted(r, mentee_education_weights,
                                          ARRAY_LEN(mentee_education_weights));
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
    p->edu = (enum education)rng_weighted(r, mentor_education_weights,
                                          ARRAY_LEN(mentor_education_weights));
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
        family = rng_pick(r, danish_family, ARRAY_LEN(danish_family));
    set_str(obj, "given_name", given);
    set_str(obj, "family_name", family);

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
        set_str(obj, "email", email);
    }
    if (rng_chance(r, 85)) {
        char phone[32];
        snprintf(phone, sizeof phone, "+45 %d%d %02d %02d %02d",
                 rng_range(r, 2, 9), rng_range(r, 0, 9), rng_range(r, 0, 99),
                 rng_range(r, 0, 99), rng_range(r, 0, 99));
        set_str(obj, "phone", phone);
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
    json_object_set_new(obj, "languages", langs);
}

static void
add_origin(rng *r, const struct person *p, json_t *obj) {
    set_str(obj, "country_of_origin", p->country->code);
    if (p->country->migration != M_NATIVE) {
        const int *weights = background_weights[p->country->migration];
        size_t i = rng_weighted(r, weights, ARRAY_LEN(backgrounds));
        set_str(obj, "background", backgrounds[i]);
    }
    if (p->years_in_dk >= 0)
        set_int(obj, "years_in_denmark", p->years_in_dk);
}

static void
add_work(rng *r, const struct person *p, json_t *obj) {
    set_str(obj, "danish_level",
            p->danish_level < 0 ? "C2" : danish_levels[p->danish_level]);
    set_str(obj, "education_level", education_levels[p->edu]);
    if (p->profession) {
        set_str(obj, "profession", p->profession->name);
        set_str(obj, "sector", p->profession->sector);
    }
    if (p->mentor) {
        static const int capacity_weights[] = {50, 35, 15}; /* 1, 2, 3 */
        set_int(obj, "capacity",
                1 + (int)rng_weighted(r, capacity_weights,
                                      ARRAY_LEN(capacity_weights)));
        return;
    }
    json_t *wanted = json_array();
    for (size_t i = 0; i < ARRAY_LEN(goals); i++)
        if (rng_chance(r, goal_percent[i]))
            json_array_append_new(wanted, json_string(goals[i]));
    if (json_array_size(wanted) == 0)
        json_array_append_new(wanted, json_string("job"));
    json_object_set_new(obj, "goals", wanted);
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
    set_str(obj, "notes", note);
}

/* Consent is no older than the network (2003), the person's stay in
 * Denmark or her 18th birthday, and no newer than last year. */
static void
add_consent(rng *r, const struct person *p, json_t *obj) {
    int hi = REF_YEAR - 1;
    int lo = FIRST_CONSENT_YEAR;
    if (p->years_in_dk >= 0 && REF_YEAR - 1 - p->years_in_dk > lo)
        lo = REF_YEAR - 1 - p->years_in_dk;
    if (p->birth_year + 18 > lo)
        lo = p->birth_year + 18;
    if (lo > hi)
        lo = hi;
    char given_at[32];
    snprintf(given_at, sizeof given_at, "%04d-%02d-%02dT10:00:00Z",
             rng_range(r, lo, hi), rng_range(r, 1, 12), rng_range(r, 1, 28));

    json_t *purposes = json_array();
    json_array_append_new(purposes, json_string("matching"));
    json_array_append_new(purposes, json_string("statistics"));
    json_array_append_new(purposes, json_string("contact"));
    if (rng_chance(r, 30))
        json_array_append_new(purposes, json_string("sub_networks"));
    json_t *consent = json_object();
    json_object_set_new(consent, "purposes", purposes);
    set_str(consent, "given_at", given_at);
    json_object_set_new(obj, "consent", consent);
}

/* One participant's create body. line_no (1-based) makes the e-mail unique.
 * Returns a new reference: the caller json_decref()s it. */
static json_t *
make_participant(rng *r, size_t line_no) {
    struct person p = {.mentor = rng_chance(r, MENTOR_PERCENT)};
    if (p.mentor)
        decide_mentor(r, &p);
    else
        decide_mentee(r, &p);

    json_t *obj = json_object();
    set_str(obj, "role", p.mentor ? "mentor" : "mentee");
    set_str(
        obj, "status",
        statuses[rng_weighted(r, status_weights, ARRAY_LEN(status_weights))]);
    add_names(r, &p, obj, line_no);
    set_int(obj, "birth_year", p.birth_year);
    add_origin(r, &p, obj);
    add_languages(r, &p, obj);
    add_work(r, &p, obj);
    if (rng_chance(r, 75))
        set_str(obj, "availability",
                rng_pick(r, availabilities, ARRAY_LEN(availabilities)));
    add_consent(r, &p, obj);
    add_notes(r, &p, obj);
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

int
main(int argc, char **argv) {
    struct options opts = {0};
    int rc = parse_args(argc, argv, &opts);
    if (rc >= 0)
        return rc;

    rng r;
    rng_seed(&r, opts.seed ^ hash_string(opts.division));
    for (uint64_t i = 0; i < opts.count; i++) {
        json_t *obj = make_participant(&r, (size_t)i + 1);
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
