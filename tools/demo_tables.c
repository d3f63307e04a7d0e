/*
 * demo_tables — see demo_tables.h. The people are invented; the shapes
 * follow the Mentor Network's own (DESIGN.md).
 */
#include "demo_tables.h"

static const char *const danish_given[] = {
    "Anne",     "Mette",   "Hanne",  "Susanne",   "Lene",   "Kirsten",
    "Marianne", "Camilla", "Louise", "Charlotte", "Maria",  "Helle",
    "Tina",     "Pia",     "Karen",  "Birgitte",  "Lone",   "Inge",
    "Rikke",    "Trine",   "Sofie",  "Ida",       "Signe",  "Line",
    "Julie",    "Katrine", "Lærke",  "Bodil",     "Dorthe", "Gitte",
};
const char *const danish_family[] = {
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
const size_t n_danish_family = DEMO_LEN(danish_family);

#define NAMES(g, f)                                                            \
    { g, DEMO_LEN(g), f, DEMO_LEN(f) }

const struct names names_by_region[R_COUNT] = {
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

const struct country countries[] = {
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
    /* Fewer mentees each, from further away: the network has counted
     * participants from 127 countries. */
    {"AR", 4, 0, R_LATIN, M_LABOUR, {"es", NULL}, 20},
    {"PE", 4, 0, R_LATIN, M_LABOUR, {"es", NULL}, 20},
    {"VE", 4, 0, R_LATIN, M_LABOUR, {"es", NULL}, 20},
    {"EC", 4, 0, R_LATIN, M_LABOUR, {"es", NULL}, 20},
    {"BO", 4, 0, R_LATIN, M_LABOUR, {"es", NULL}, 20},
    {"CU", 4, 0, R_LATIN, M_LABOUR, {"es", NULL}, 20},
    {"DO", 4, 0, R_LATIN, M_LABOUR, {"es", NULL}, 20},
    {"GT", 4, 0, R_LATIN, M_LABOUR, {"es", NULL}, 20},
    {"HN", 4, 0, R_LATIN, M_LABOUR, {"es", NULL}, 20},
    {"SV", 4, 0, R_LATIN, M_LABOUR, {"es", NULL}, 20},
    {"NI", 4, 0, R_LATIN, M_LABOUR, {"es", NULL}, 20},
    {"PY", 4, 0, R_LATIN, M_LABOUR, {"es", NULL}, 20},
    {"UY", 4, 0, R_LATIN, M_LABOUR, {"es", NULL}, 20},
    {"CR", 4, 0, R_LATIN, M_LABOUR, {"es", NULL}, 20},
    {"PA", 4, 0, R_LATIN, M_LABOUR, {"es", NULL}, 20},
    {"HT", 4, 0, R_LATIN, M_FAMILY, {"fr", NULL}, 20},
    {"JM", 4, 0, R_LATIN, M_FAMILY, {"en", NULL}, 20},
    {"ZA", 4, 0, R_ANGLO_AFRICAN, M_REFUGEE, {"en", NULL}, 20},
    {"ZW", 4, 0, R_ANGLO_AFRICAN, M_REFUGEE, {"en", NULL}, 20},
    {"ZM", 4, 0, R_ANGLO_AFRICAN, M_REFUGEE, {"en", NULL}, 20},
    {"MW", 4, 0, R_ANGLO_AFRICAN, M_REFUGEE, {"en", NULL}, 20},
    {"SL", 4, 0, R_ANGLO_AFRICAN, M_REFUGEE, {"en", NULL}, 20},
    {"LR", 4, 0, R_ANGLO_AFRICAN, M_REFUGEE, {"en", NULL}, 20},
    {"MU", 4, 0, R_ANGLO_AFRICAN, M_REFUGEE, {"en", NULL}, 20},
    {"BW", 4, 0, R_ANGLO_AFRICAN, M_REFUGEE, {"en", NULL}, 20},
    {"NA", 4, 0, R_ANGLO_AFRICAN, M_REFUGEE, {"en", NULL}, 20},
    {"SS", 4, 0, R_ANGLO_AFRICAN, M_REFUGEE, {"en", NULL}, 20},
    {"TZ", 4, 0, R_ANGLO_AFRICAN, M_REFUGEE, {"sw", "en"}, 20},
    {"RW", 4, 0, R_ANGLO_AFRICAN, M_REFUGEE, {"rw", "en"}, 20},
    {"BI", 4, 0, R_CONGOLESE, M_REFUGEE, {"fr", NULL}, 20},
    {"CM", 4, 0, R_CONGOLESE, M_REFUGEE, {"fr", NULL}, 20},
    {"CI", 4, 0, R_CONGOLESE, M_REFUGEE, {"fr", NULL}, 20},
    {"SN", 4, 0, R_CONGOLESE, M_REFUGEE, {"fr", NULL}, 20},
    {"ML", 4, 0, R_CONGOLESE, M_REFUGEE, {"fr", NULL}, 20},
    {"BF", 4, 0, R_CONGOLESE, M_REFUGEE, {"fr", NULL}, 20},
    {"NE", 4, 0, R_CONGOLESE, M_REFUGEE, {"fr", NULL}, 20},
    {"TG", 4, 0, R_CONGOLESE, M_REFUGEE, {"fr", NULL}, 20},
    {"BJ", 4, 0, R_CONGOLESE, M_REFUGEE, {"fr", NULL}, 20},
    {"GN", 4, 0, R_CONGOLESE, M_REFUGEE, {"fr", NULL}, 20},
    {"CF", 4, 0, R_CONGOLESE, M_REFUGEE, {"fr", NULL}, 20},
    {"CG", 4, 0, R_CONGOLESE, M_REFUGEE, {"fr", NULL}, 20},
    {"GA", 4, 0, R_CONGOLESE, M_REFUGEE, {"fr", NULL}, 20},
    {"MG", 4, 0, R_CONGOLESE, M_REFUGEE, {"fr", NULL}, 20},
    {"DJ", 4, 0, R_CONGOLESE, M_REFUGEE, {"fr", NULL}, 20},
    {"TD", 4, 0, R_CONGOLESE, M_REFUGEE, {"fr", NULL}, 20},
    {"AO", 4, 0, R_CONGOLESE, M_FAMILY, {"pt", NULL}, 20},
    {"MZ", 4, 0, R_CONGOLESE, M_FAMILY, {"pt", NULL}, 20},
    {"LY", 4, 0, R_MAGHREB, M_REFUGEE, {"ar", "fr"}, 20},
    {"MR", 4, 0, R_MAGHREB, M_REFUGEE, {"ar", "fr"}, 20},
    {"SA", 4, 0, R_ARAB, M_FAMILY, {"ar", "en"}, 20},
    {"KW", 4, 0, R_ARAB, M_FAMILY, {"ar", "en"}, 20},
    {"AE", 4, 0, R_ARAB, M_FAMILY, {"ar", "en"}, 20},
    {"QA", 4, 0, R_ARAB, M_FAMILY, {"ar", "en"}, 20},
    {"BH", 4, 0, R_ARAB, M_FAMILY, {"ar", "en"}, 20},
    {"OM", 4, 0, R_ARAB, M_FAMILY, {"ar", "en"}, 20},
    {"AZ", 4, 0, R_RUSSIAN, M_FAMILY, {"az", "ru"}, 20},
    {"AM", 4, 0, R_RUSSIAN, M_FAMILY, {"hy", "ru"}, 20},
    {"GE", 4, 0, R_RUSSIAN, M_FAMILY, {"ka", "ru"}, 20},
    {"KZ", 4, 0, R_RUSSIAN, M_FAMILY, {"kk", "ru"}, 20},
    {"UZ", 4, 0, R_RUSSIAN, M_FAMILY, {"uz", "ru"}, 20},
    {"TJ", 4, 0, R_RUSSIAN, M_FAMILY, {"tg", "ru"}, 20},
    {"MM", 4, 0, R_THAI, M_FAMILY, {"my", NULL}, 20},
    {"KH", 4, 0, R_THAI, M_FAMILY, {"km", NULL}, 20},
    {"LA", 4, 0, R_THAI, M_FAMILY, {"lo", NULL}, 20},
    {"MY", 4, 0, R_INDONESIAN, M_LABOUR, {"ms", "en"}, 20},
    {"KR", 4, 0, R_CHINESE, M_LABOUR, {"ko", "en"}, 20},
    {"JP", 4, 0, R_CHINESE, M_LABOUR, {"ja", "en"}, 20},
    {"BY", 4, 0, R_RUSSIAN, M_REFUGEE, {"be", "ru"}, 20},
    {"MD", 4, 0, R_ROMANIAN, M_LABOUR, {"ro", NULL}, 20},
    {"LT", 4, 1, R_POLISH, M_LABOUR, {"lt", "ru"}, 20},
    {"LV", 4, 1, R_POLISH, M_LABOUR, {"lv", "ru"}, 20},
    {"EE", 4, 1, R_POLISH, M_LABOUR, {"et", "ru"}, 20},
    {"HU", 4, 1, R_POLISH, M_LABOUR, {"hu", NULL}, 20},
    {"CZ", 4, 1, R_POLISH, M_LABOUR, {"cs", NULL}, 20},
    {"SK", 4, 1, R_POLISH, M_LABOUR, {"sk", NULL}, 20},
    {"GR", 4, 2, R_WESTERN, M_LABOUR, {"el", NULL}, 20},
    {"IT", 4, 2, R_WESTERN, M_LABOUR, {"it", NULL}, 20},
    {"ES", 4, 2, R_WESTERN, M_LABOUR, {"es", NULL}, 20},
    {"PT", 4, 2, R_WESTERN, M_LABOUR, {"pt", NULL}, 20},
    {"FR", 4, 2, R_WESTERN, M_LABOUR, {"fr", NULL}, 20},
};
const size_t n_countries = DEMO_LEN(countries);

const struct profession professions[] = {
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
const size_t n_professions = DEMO_LEN(professions);

const char *const availabilities[] = {
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
const size_t n_availabilities = DEMO_LEN(availabilities);

/* applicant, waiting, matched, alumni, withdrawn */
const int status_weights[DEMO_STATUSES] = {15, 20, 30, 27, 8};
/* none, primary, secondary, vocational, bachelor, master, phd */
const int mentee_education_weights[E_COUNT] = {0, 8, 18, 16, 36, 18, 4};
const int mentor_education_weights[E_COUNT] = {0, 0, 0, 0, 40, 50, 10};
/* refugee, family_reunification, labour_migrant, student, other, unknown */
const int background_weights[][DEMO_BACKGROUNDS] = {
    [M_NATIVE] = {0, 0, 0, 0, 1, 0},
    [M_REFUGEE] = {66, 26, 2, 1, 2, 3},
    [M_FAMILY] = {14, 56, 14, 8, 5, 3},
    [M_LABOUR] = {3, 25, 45, 20, 4, 3},
};
/* job, education, network, language */
const int goal_percent[DEMO_GOALS] = {82, 35, 60, 40};
