/*
 * mentornetd — runs one division's node in the foreground: loads the
 * config, opens the node, serves HTTP, runs the node's periodic work
 * (proposal expiry, the counts by country) and stops cleanly on
 * SIGINT/SIGTERM.
 * With --keygen it creates the node's missing keys and exits.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/config.h"
#include "base/json.h"
#include "door/crypto.h"
#include "api/http.h"
#include "base/log.h"
#include "base/util.h"
#include "node/aggregate.h"
#include "node/node.h"
#include "repl/replicator.h"

static void
usage(FILE *out) {
    fprintf(out,
            "usage: mentornetd --config FILE [--log-level LEVEL]\n"
            "       mentornetd --keygen --config FILE\n"
            "\n"
            "Runs one mentornet node in the foreground until SIGINT or "
            "SIGTERM.\n"
            "\n"
            "  -c, --config FILE     the node's INI config (nodes/NAME.conf)\n"
            "  -k, --keygen          create the node's missing keys and "
            "exit\n"
            "  -l, --log-level L     debug, info (default), warn or error\n"
            "  -h, --help            this help\n"
            "  -V, --version         print the version\n");
}

/* Create one key pair unless both files exist. */
static int
keygen_pair(const mn_config *cfg, const char *kind, size_t sk_len,
            void (*gen)(uint8_t *, uint8_t *)) {
    char pub[PATH_MAX + 64], sec[PATH_MAX + 64];
    uint8_t pk[MN_KEY_BYTES], sk[MN_SIGN_SECRET_BYTES];
    snprintf(pub, sizeof pub, "%s/%s.%s.pub", cfg->key_dir, cfg->self.name,
             kind);
    snprintf(sec, sizeof sec, "%s/%s.%s.secret", cfg->key_dir, cfg->self.name,
             kind);
    struct stat st;
    if (stat(sec, &st) == 0 && stat(pub, &st) == 0)
        return MN_OK;
    gen(pk, sk);
    int rc = mn_crypto_key_write(sec, sk, sk_len, 0600);
    if (rc == MN_OK)
        rc = mn_crypto_key_write(pub, pk, MN_KEY_BYTES, 0644);
    mn_crypto_wipe(sk, sizeof sk);
    if (rc != MN_OK)
        fprintf(stderr,
                "mentornetd: %s: %s (remove both %s keys to "
                "regenerate)\n",
                rc == MN_EEXIST ? pub : sec, mn_strerror(rc), kind);
    else
        printf("created %s and %s\n", sec, pub);
    return rc;
}

static void
gen_curve(uint8_t *pk, uint8_t *sk) {
    mn_crypto_curve_keypair(pk, sk);
}

static void
gen_sign(uint8_t *pk, uint8_t *sk) {
    mn_crypto_sign_keypair(pk, sk);
}

static int
keygen(const mn_config *cfg) {
    char path[PATH_MAX + 32];
    uint8_t key[MN_KEY_BYTES];
    if (mn_mkdir_p(cfg->key_dir, 0700) != MN_OK) {
        fprintf(stderr, "mentornetd: %s: %s\n", cfg->key_dir, strerror(errno));
        return 1;
    }
    int rc = keygen_pair(cfg, "sign", MN_SIGN_SECRET_BYTES, gen_sign);
    if (rc == MN_OK)
        rc = keygen_pair(cfg, "curve", MN_KEY_BYTES, gen_curve);
    if (rc == MN_OK) /* the division's seal key pair (README "Compartments") */
        rc = keygen_pair(cfg, "seal", MN_KEY_BYTES, gen_curve);
    snprintf(path, sizeof path, "%s/network.key", cfg->key_dir);
    mn_crypto_random(key, sizeof key);
    if (rc == MN_OK) {
        rc = mn_crypto_key_write(path, key, sizeof key, 0600);
        if (rc == MN_OK)
            printf("created %s\n", path);
        else if (rc == MN_EEXIST)
            rc = MN_OK;
        else
            fprintf(stderr, "mentornetd: %s: %s\n", path, mn_strerror(rc));
    }
    mn_crypto_wipe(key, sizeof key);
    return rc == MN_OK ? 0 : 1;
}

static int
parse_level(const char *z) {
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (strcmp(z, names[i]) == 0)
            return i;
    return -1;
}

/* How often the node expires its unanswered sides of old proposals. */
#define EXPIRE_EVERY_MS (3600 * 1000u)

/* The node's periodic work and when each is next due (monotonic ms):
 * expiring old proposals every hour, publishing this division's counts
 * by country every [stats] aggregate_interval seconds (node/aggregate.h;
 * 0: never). */
typedef struct periodic {
    uint64_t expire_at, aggregate_at;
    uint64_t aggregate_every; /* ms; 0: never */
    mn_aggregate_pacer pacer;
} periodic;

static uint64_t
mono_ms(void) {
    return mn_mono_ns() / 1000000u;
}

static void
expire(mn_node *node) {
    size_t expired = 0;
    int rc = mn_node_expire_proposals(node, mn_wall_ms(), &expired);
    if (rc != MN_OK)
        mn_warn("expiring old proposals failed: %s", mn_strerror(rc));
    else if (expired)
        mn_info("expired %zu unanswered proposals", expired);
}

static void
publish_aggregate(mn_node *node, mn_aggregate_pacer *pacer) {
    bool written;
    int rc = mn_node_aggregate_tick(node, pacer, &written);
    if (rc == MN_EAGAIN)
        mn_debug("counts by country not published: not writable yet");
    else if (rc != MN_OK)
        mn_warn("publishing the counts by country failed: %s", mn_strerror(rc));
    else if (written)
        mn_debug("published this division's counts by country");
}

/* Wait for SIGINT or SIGTERM (returned) until the next periodic work is
 * due; then do what is due and return 0. */
static int
wait_or_work(mn_node *node, const sigset_t *set, periodic *p) {
    uint64_t now = mono_ms(), next = p->expire_at;
    if (p->aggregate_every && p->aggregate_at < next)
        next = p->aggregate_at;
    uint64_t wait = next > now ? next - now : 0;
    struct timespec ts = {.tv_sec = (time_t)(wait / 1000),
                          .tv_nsec = (long)(wait % 1000) * 1000000L};
    int sig = sigtimedwait(set, NULL, &ts);
    if (sig > 0)
        return sig;
    now = mono_ms();
    if (now >= p->expire_at) {
        expire(node);
        p->expire_at = now + EXPIRE_EVERY_MS;
    }
    if (p->aggregate_every && now >= p->aggregate_at) {
        publish_aggregate(node, &p->pacer);
        p->aggregate_at = mono_ms() + p->aggregate_every;
    }
    return 0;
}

static int
serve(const mn_config *cfg) {
    char err[512];
    mn_node *node = NULL;
    mn_replicator *repl = NULL;
    mn_http *http = NULL;
    sigset_t set;
    int sig;
    static periodic work;
    work.aggregate_every = (uint64_t)cfg->aggregate_interval_s * 1000u;
    work.expire_at = mono_ms() + EXPIRE_EVERY_MS;
    work.aggregate_at = mono_ms() + work.aggregate_every;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* threads inherit the mask */
    signal(SIGPIPE, SIG_IGN);
    if (mn_node_open(cfg, &node, err, sizeof err) != MN_OK ||
        mn_replicator_start(node, &repl, err, sizeof err) != MN_OK ||
        mn_http_start(node, repl, &http, err, sizeof err) != MN_OK) {
        mn_error("%s", err);
        mn_replicator_destroy(&repl);
        mn_node_destroy(&node);
        return 1;
    }
    mn_info("node %s (%u) serving http://%s/v1/", cfg->self.name, cfg->self.id,
            cfg->self.http_listen);
    while ((sig = wait_or_work(node, &set, &work)) == 0)
        ;
    mn_info("stopping on signal %d", sig);
    mn_http_destroy(&http);
    mn_replicator_destroy(&repl);
    mn_node_destroy(&node);
    return 0;
}

/* glibc malloc arenas for the whole process (see main). */
#define MALLOC_ARENAS 2

int
main(int argc, char **argv) {
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"keygen", no_argument, NULL, 'k'},
        {"log-level", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    const char *config = NULL;
    bool do_keygen = false;
    int c, level;
    /* glibc makes up to 8 malloc arenas per core, and the API's workers,
     * which take turns at imports, each keep the peak of the last import
     * they ran in theirs: RssAnon after 100,000 imported participants was
     * 110 MiB with the default, 42 with 4 arenas, 22 with 2. Set before
     * any thread starts, so that it holds for all of them. */
    mallopt(M_ARENA_MAX, MALLOC_ARENAS);
    while ((c = getopt_long(argc, argv, "c:kl:hV", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'k': do_keygen = true; break;
        case 'l':
            if ((level = parse_level(optarg)) < 0) {
                fprintf(stderr, "mentornetd: unknown log level %s\n", optarg);
                return 2;
            }
            mn_log_set_level((enum mn_log_level)level);
            break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("mentornetd 0.1.0\n"); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!config || optind != argc) {
        usage(stderr);
        return 2;
    }
    static mn_config cfg;
    char err[1024];
    if (mn_config_load(config, &cfg, err, sizeof err) != MN_OK) {
        fprintf(stderr, "mentornetd: %s\n", err);
        return 1;
    }
    json_object_seed(0); /* once, before threads parse JSON concurrently */
    if (mn_crypto_init() != MN_OK) {
        fprintf(stderr, "mentornetd: cannot initialise libsodium\n");
        return 1;
    }
    return do_keygen ? keygen(&cfg) : serve(&cfg);
}
