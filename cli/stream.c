/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ruru stream`: a member of a Kafka consumer group that sweeps the logs of its topics with
 * the store's intel, sends the sightings to a topic and/or records them (docs/stream.md).
 */
#include <errno.h>
#include <inttypes.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char USAGE[] =
        "usage: ruru stream --brokers HOST:PORT[,...] --group NAME [OPTIONS]\n"
        "\n"
        "A member of the Kafka consumer group NAME: sweeps the log lines of its topics with the\n"
        "store's intel and Sigma rules, in batches, and sends the sightings to a topic (JSON\n"
        "lines, as ruru scan --format jsonl writes them) and/or records them into the register.\n"
        "A batch's offsets are committed only once its sightings are delivered and recorded: at\n"
        "least once, and what is read again changes nothing in the register. Without --topic,\n"
        "it records the sightings of --sightings-topic (written by sweeping workers).\n"
        "Runs until SIGTERM or SIGINT: the batch is finished and committed, the group left.\n"
        "\n"
        "Options:\n"
        "  --brokers LIST         bootstrap brokers, HOST:PORT[,HOST:PORT...]\n"
        "  --group NAME           the consumer group\n"
        "  --topic T[=FORMAT]     consume the logs of topic T, in FORMAT (text, apache, w3c,\n"
        "                         zeek, zeek-json, eve, jsonl, syslog, cef, csv), else detected\n"
        "                         per partition from its first messages; may be repeated\n"
        "  --sightings-topic T    send each sighting to topic T, keyed by asset\n"
        "  --record               record the sightings into the register (see ruru report)\n"
        "  --org NAME             with --record: for organisation NAME\n"
        "  --config FILE          the judgement's settings and logsource ties (default:\n"
        "                         $RURU_HOME/ruru.yaml when there is one)\n"
        "  --kafka-config FILE    librdkafka property=value lines for the consumer and the\n"
        "                         producer (SASL, TLS ...); '#' comments\n"
        "  --client-id ID         the client id (default: ruru-HOST-PID); names the status\n"
        "                         file $RURU_HOME/stream/GROUP-ID.json\n"
        "  --batch N              messages a batch at most (default 1000)\n"
        "  --batch-ms MS          a batch is swept at most MS after its first message\n"
        "                         (default 500)\n"
        "  --stats-ms MS          say the counters and write the status file every MS\n"
        "                         (default 2000)\n"
        "  -j, --threads N        matching threads (default 1)\n"
        "  --rules PATH           also evaluate the Sigma rules of PATH; may be repeated\n"
        "  --no-default-rules     leave out ruru's own rules\n"
        "  --logsource LS=PATTERN tie a Sigma logsource to inputs (kafka:TOPIC/...)\n"
        "  --year YYYY            the year of syslog (RFC 3164) lines (default: now)\n"
        "  -q, --quiet            no counters on standard error (errors still)\n"
        "  --home DIR             the store directory\n"
        "\n"
        "Exit status: 0 stopped by a signal, 2 error.\n";

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

struct stream_cli {
    bool quiet, tty;
};

static void on_say(void *ctx, bool error, const char *line)
{
    struct stream_cli *sc = ctx;

    if (!error && sc->quiet)
        return;
    if (sc->tty)
        fputs("\r\033[K", stderr);
    fputs("ruru: ", stderr);
    cli_put_safe(stderr, line); /* broker text: control characters stripped */
    fputc('\n', stderr);
}

static void on_stats(void *ctx, const struct ruru_kafka_stats *st, bool final)
{
    struct stream_cli *sc = ctx;
    char lag[32];

    if (sc->quiet && !final)
        return;
    if (st->lag < 0)
        snprintf(lag, sizeof(lag), "?");
    else
        snprintf(lag, sizeof(lag), "%" PRId64, st->lag);
    fprintf(stderr,
            "%sruru: %" PRIu64 " messages, %" PRIu64 " lines, %.1f MB, %" PRIu64
            " sightings (%" PRIu64 " sent, %" PRIu64 " recorded), lag %s, %" PRIu64
            " errors, %.0f/s, %zu partitions%s",
            sc->tty ? "\r\033[K" : "", st->messages, st->lines, (double)st->bytes / 1e6,
            st->sightings, st->produced, st->recorded, lag, st->errors, st->rate, st->assigned,
            sc->tty && !final ? "" : "\n");
}

/* Reads a whole small file (the Kafka configuration) into *out (NUL-ended); false after
 * saying why. */
static bool read_small(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(1 << 20);
    size_t n = 0;

    if (f == NULL || buf == NULL) {
        fputs("ruru: ", stderr);
        cli_put_safe(stderr, path);
        fputs(": cannot be read\n", stderr);
        if (f != NULL)
            fclose(f);
        free(buf);
        return false;
    }
    n = fread(buf, 1, (1 << 20) - 1, f);
    if (ferror(f) || n == (1 << 20) - 1) {
        fputs("ruru: ", stderr);
        cli_put_safe(stderr, path);
        fputs(": cannot be read (or is over 1 MiB)\n", stderr);
        fclose(f);
        free(buf);
        return false;
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return true;
}

static bool number(const char *opt, const char *v, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long n;

    errno = 0;
    n = v != NULL ? strtoul(v, &end, 10) : 0;
    if (v == NULL || errno != 0 || *end != '\0' || v[0] == '-' || n == 0 || n > max) {
        fprintf(stderr, "ruru: %s takes a number from 1 to %" PRIu64 "\n", opt, (uint64_t)max);
        return false;
    }
    *out = n;
    return true;
}

int cmd_stream(struct cli *c, int argc, char **argv)
{
    struct ruru_kafka_opts o;
    struct ruru_scan_opts so;
    struct stream_cli sc;
    struct ruru_kafka_topic *topics = calloc((size_t)argc + 1, sizeof(*topics));
    const char **rules = calloc((size_t)argc + 1, sizeof(char *));
    const char **ties = calloc((size_t)argc + 1, sizeof(char *));
    const char *config_path = NULL, *kconf_path = NULL, *client_id = NULL;
    size_t n_topics = 0, n_rules = 0, n_ties = 0;
    bool record = false;
    char *kconf = NULL, client_buf[300], status[4096], host[128];
    json_t *yaml_ties = NULL;
    ruru_store *store = NULL;
    ruru_register *reg = NULL;
    struct ruru_diag d;
    enum ruru_err err;
    struct sigaction sa;
    int rc = EXIT_ERROR;

    memset(&o, 0, sizeof(o));
    memset(&so, 0, sizeof(so));
    memset(&sc, 0, sizeof(sc));
    memset(&d, 0, sizeof(d));
    so.threads = 1;
    if (topics == NULL || rules == NULL || ties == NULL)
        goto done;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long n;
        int used;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(USAGE, stdout);
            rc = EXIT_CLEAN;
            goto done;
        }
        if ((used = cli_common_option(c, argc - i, argv + i)) < 0)
            goto done;
        if (used > 0) {
            i += used - 1;
            continue;
        }
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            sc.quiet = true;
            continue;
        }
        if (strcmp(a, "--record") == 0) {
            record = true;
            continue;
        }
        if (strcmp(a, "--no-default-rules") == 0) {
            so.no_builtin_rules = true;
            continue;
        }
        if (a[0] != '-' || v == NULL) {
            fprintf(stderr, "ruru: %s%s\n%s", a,
                    a[0] == '-' ? " needs a value" : ": stream takes no argument", USAGE);
            goto done;
        }
        i++;
        if (strcmp(a, "--brokers") == 0) {
            o.brokers = v;
        } else if (strcmp(a, "--group") == 0) {
            o.group = v;
        } else if (strcmp(a, "--topic") == 0) {
            char *eq = strchr(argv[i], '=');
            if (eq != NULL)
                *eq = '\0';
            topics[n_topics].name = argv[i];
            topics[n_topics++].format = eq != NULL ? eq + 1 : NULL;
        } else if (strcmp(a, "--sightings-topic") == 0) {
            o.sightings_topic = v;
        } else if (strcmp(a, "--org") == 0) {
            o.org = v;
        } else if (strcmp(a, "--config") == 0) {
            config_path = v;
        } else if (strcmp(a, "--kafka-config") == 0) {
            kconf_path = v;
        } else if (strcmp(a, "--client-id") == 0) {
            client_id = v;
        } else if (strcmp(a, "--batch") == 0) {
            if (!number(a, v, 1000000, &n))
                goto done;
            o.batch = (unsigned)n;
        } else if (strcmp(a, "--batch-ms") == 0) {
            if (!number(a, v, 3600000, &n))
                goto done;
            o.batch_ms = (unsigned)n;
        } else if (strcmp(a, "--stats-ms") == 0) {
            if (!number(a, v, 3600000, &n))
                goto done;
            o.stats_ms = (unsigned)n;
        } else if (strcmp(a, "-j") == 0 || strcmp(a, "--threads") == 0) {
            if (!number(a, v, 256, &n))
                goto done;
            so.threads = (unsigned)n;
        } else if (strcmp(a, "--rules") == 0) {
            rules[n_rules++] = v;
        } else if (strcmp(a, "--logsource") == 0) {
            ties[n_ties++] = v;
        } else if (strcmp(a, "--year") == 0) {
            if (!number(a, v, 9999, &n) || n < 1970) {
                fprintf(stderr, "ruru: --year takes a year from 1970 to 9999\n");
                goto done;
            }
            so.syslog_year = (int)n;
        } else {
            fprintf(stderr, "ruru: unknown option %s\n%s", a, USAGE);
            goto done;
        }
    }
    if (o.brokers == NULL || o.group == NULL) {
        fprintf(stderr, "ruru: stream needs --brokers and --group\n%s", USAGE);
        goto done;
    }
    if (n_topics == 0 && (o.sightings_topic == NULL || !record)) {
        fputs("ruru: stream needs --topic (logs to sweep), or --sightings-topic with --record "
              "(sightings to record)\n",
              stderr);
        goto done;
    }
    if (n_topics > 0 && o.sightings_topic == NULL && !record) {
        fputs("ruru: the sightings would go nowhere: give --sightings-topic and/or --record\n",
              stderr);
        goto done;
    }
    if (o.org != NULL && !record) {
        fputs("ruru: --org names the organisation of a recording: it goes with --record\n", stderr);
        goto done;
    }
    if (kconf_path != NULL) {
        if (!read_small(kconf_path, &kconf, &o.config_len))
            goto done;
        o.config = kconf;
        o.config_file = kconf_path;
    }
    if (client_id == NULL) {
        if (gethostname(host, sizeof(host)) != 0)
            snprintf(host, sizeof(host), "host");
        host[sizeof(host) - 1] = '\0';
        snprintf(client_buf, sizeof(client_buf), "ruru-%s-%" PRId64, host, (int64_t)getpid());
        client_id = client_buf;
    }
    for (const char *p = client_id; *p; p++)
        if (*p == '/' || (unsigned char)*p < 0x20) {
            fputs("ruru: --client-id may hold no '/' nor control characters\n", stderr);
            goto done;
        }
    for (const char *p = o.group; *p; p++)
        if (*p == '/' || (unsigned char)*p < 0x20) {
            fputs("ruru: --group may hold no '/' nor control characters\n", stderr);
            goto done;
        }
    o.client_id = client_id;
    if ((store = cli_open_store(c)) == NULL)
        goto done;
    if (record && (reg = cli_open_register(c, config_path)) == NULL)
        goto done;
    if (!cli_config_logsources(c, config_path, &yaml_ties))
        goto done;
    {
        const char **all =
                realloc(ties, (n_ties + json_array_size(yaml_ties) + 1) * sizeof(char *));
        json_t *t;
        size_t k;
        if (all == NULL)
            goto done;
        ties = all;
        json_array_foreach(yaml_ties, k, t) ties[n_ties++] = json_string_value(t);
    }
    snprintf(status, sizeof(status), "%s/stream", c->home);
    if (mkdir(status, 0755) != 0 && errno != EEXIST) {
        fputs("ruru: ", stderr);
        cli_put_safe(stderr, status);
        fputs(": cannot be made\n", stderr);
        goto done;
    }
    snprintf(status, sizeof(status), "%s/stream/%s-%s.json", c->home, o.group, client_id);
    so.rule_paths = rules;
    so.n_rule_paths = n_rules;
    so.logsources = ties;
    so.n_logsources = n_ties;
    o.topics = topics;
    o.n_topics = n_topics;
    o.scan = &so;
    o.store = store;
    o.reg = reg;
    o.status_path = status;
    o.stop = (const volatile int *)&stop_flag;
    o.on_say = on_say;
    o.on_stats = on_stats;
    o.ctx = &sc;
    sc.tty = isatty(STDERR_FILENO);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
#ifdef __GLIBC__
    /* librdkafka reads each fetch response into one buffer of its size (up to fetch.max.bytes,
     * 50 MB), and the messages of 1,000 lines a worker reads come in responses of megabytes:
     * kept on the heap rather than mapped afresh (and faulted in page by page) for each, they
     * cost the fetch threads about a third less CPU (bench/README.md, "The stream"). */
    mallopt(M_MMAP_THRESHOLD, 64 << 20); /* bench/kconsume.c sets the same */
#endif
    if ((err = ruru_kafka_run(&o, &d)) != RURU_OK) {
        cli_error(err, &d, NULL);
        goto done;
    }
    rc = EXIT_CLEAN;
done:
    ruru_register_close(reg);
    ruru_store_close(store);
    json_decref(yaml_ties);
    free(kconf);
    free(topics);
    free(rules);
    free(ties);
    return rc;
}
