/* SPDX-License-Identifier: Apache-2.0 */
/* `ruru serve`: the CERT's service for its constituents (docs/serve.md). The library runs the
 * server on its own threads; this thread waits for signals: SIGHUP reads the intel and tokens
 * again, SIGTERM and SIGINT stop it gracefully (requests in flight finish; exit 0). */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
        "usage: ruru serve [--listen ADDRESS:PORT] [--tls-cert FILE --tls-key FILE] [OPTIONS]\n"
        "\n"
        "Serves the API (/v1/...), /healthz, /metrics and the analysts' console (/console/)\n"
        "over the store and register of --home. Callers need a token (`ruru tokens add`).\n"
        "  --listen ADDRESS:PORT  where to listen (default 127.0.0.1:8080; port 0: any free\n"
        "                         one). Beyond loopback, use TLS\n"
        "  --tls-cert FILE        PEM certificate (chain) for HTTPS, with --tls-key FILE\n"
        "  --config FILE          the settings (default: $RURU_HOME/ruru.yaml when there is one)\n"
        "  --spool DIR            where submitted logs are kept (default: HOME/submissions)\n"
        "  --register URL         the register: sqlite:PATH or postgresql://... (default:\n"
        "                         $RURU_REGISTER, the settings' register:, HOME/register.db)\n"
        "  --max-body BYTES       the largest log submission (default 1073741824)\n"
        "  --max-json BYTES       the largest JSON or text body (default 67108864)\n"
        "  --max-batch N          values in one batch lookup (default 10000)\n"
        "  --timeout SECONDS      how long a connection may stay silent (default 30)\n"
        "  --request-time SECONDS how long a request may take to arrive (default 600)\n"
        "  --max-connections N    at once (default 256); --max-per-client N (default 32)\n"
        "  --grace SECONDS        on SIGTERM, how long requests in flight may take (default 30)\n"
        "  -q, --quiet            no access log on standard error\n"
        "\n"
        "SIGHUP reads the intel and the tokens again; SIGTERM or SIGINT stops after the\n"
        "requests in flight (exit 0).\n";

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    pthread_mutex_lock(&log_lock);
    fputs("ruru serve: ", stderr);
    cli_put_safe(stderr, line);
    fputc('\n', stderr);
    fflush(stderr);
    pthread_mutex_unlock(&log_lock);
}

static char *slurp(const char *path, size_t max)
{
    FILE *f = fopen(path, "rb");
    char *buf = f != NULL ? malloc(max + 1) : NULL;
    size_t n;

    if (buf == NULL) {
        if (f != NULL)
            fclose(f);
        return NULL;
    }
    n = fread(buf, 1, max + 1, f);
    if (ferror(f) || n > max) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static bool number(const char *v, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long n;

    if (v == NULL || *v < '0' || *v > '9')
        return false;
    n = strtoull(v, &end, 10);
    if (*end != '\0' || n == 0 || n > max)
        return false;
    *out = n;
    return true;
}

int cmd_serve(struct cli *c, int argc, char **argv)
{
    struct ruru_serve_opts o;
    const char *config = NULL, *cert_file = NULL, *key_file = NULL;
    char *cert = NULL, *key = NULL; /* the PEM texts */
    char config_buf[65536], register_buf[4096];
    size_t config_len = 0;
    uint64_t grace = 30;
    bool quiet = false;
    ruru_server *srv = NULL;
    struct ruru_diag d;
    enum ruru_err err;
    sigset_t set;
    int has, sig = 0, rc = EXIT_CLEAN;

    memset(&o, 0, sizeof(o));
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n = 0;
        int used;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(USAGE, stdout);
            return EXIT_CLEAN;
        }
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = true;
            continue;
        }
        if ((used = cli_common_option(c, argc - i, argv + i)) != 0) {
            if (used < 0)
                return EXIT_ERROR;
            i += used - 1;
            continue;
        }
        if (a[0] != '-' || v == NULL) {
            fprintf(stderr, "ruru: serve: %s%s\n", a,
                    a[0] != '-' ? ": takes no arguments (see --help)" : " needs a value");
            return EXIT_ERROR;
        }
        i++;
        if (strcmp(a, "--listen") == 0) {
            o.listen = v;
        } else if (strcmp(a, "--tls-cert") == 0) {
            cert_file = v;
        } else if (strcmp(a, "--tls-key") == 0) {
            key_file = v;
        } else if (strcmp(a, "--config") == 0) {
            config = v;
        } else if (strcmp(a, "--spool") == 0) {
            o.spool = v;
        } else if (strcmp(a, "--max-body") == 0 && number(v, UINT64_MAX, &n)) {
            o.max_body = n;
        } else if (strcmp(a, "--max-json") == 0 && number(v, (uint64_t)1 << 32, &n)) {
            o.max_json = n;
        } else if (strcmp(a, "--max-batch") == 0 && number(v, 1000000, &n)) {
            o.max_batch = (unsigned)n;
        } else if (strcmp(a, "--timeout") == 0 && number(v, 86400, &n)) {
            o.idle_timeout = (unsigned)n;
        } else if (strcmp(a, "--request-time") == 0 && number(v, 86400, &n)) {
            o.request_time = (unsigned)n;
        } else if (strcmp(a, "--max-connections") == 0 && number(v, 65536, &n)) {
            o.max_connections = (unsigned)n;
        } else if (strcmp(a, "--max-per-client") == 0 && number(v, 65536, &n)) {
            o.max_per_client = (unsigned)n;
        } else if (strcmp(a, "--grace") == 0 && number(v, 86400, &n)) {
            grace = n;
        } else {
            fprintf(stderr, "ruru: serve: %s ", a);
            cli_put_safe(stderr, v);
            fputs(": unknown option or a value out of range (see --help)\n", stderr);
            return EXIT_ERROR;
        }
    }
    if ((cert_file == NULL) != (key_file == NULL)) {
        fputs("ruru: serve: --tls-cert and --tls-key go together\n", stderr);
        return EXIT_ERROR;
    }
    if (cert_file != NULL) {
        o.tls_cert = cert = slurp(cert_file, 1 << 20);
        o.tls_key = key = slurp(key_file, 1 << 20);
        if (cert == NULL || key == NULL) {
            fprintf(stderr, "ruru: serve: %s cannot be read\n",
                    cert == NULL ? cert_file : key_file);
            free(cert);
            if (key != NULL)
                explicit_bzero(key, strlen(key));
            free(key);
            return EXIT_ERROR;
        }
    }
    has = cli_read_config(c, config, config_buf, sizeof(config_buf) - 1, &config_len, &config);
    if (has < 0)
        return EXIT_ERROR;
    if (has > 0) {
        config_buf[config_len] = '\0';
        o.config = config_buf;
        o.config_len = config_len;
        o.config_file = config;
    }
    o.home = c->home;
    if (cli_register_url(c, has > 0 ? config_buf : NULL, config_len, config, register_buf,
                         sizeof(register_buf), &o.register_url) < 0)
        return EXIT_ERROR;
    o.on_log = quiet ? NULL : log_line;

    /* the server's threads inherit this mask: the signals come to sigwait below */
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    err = ruru_serve_start(&o, &srv, &d);
    free(cert);
    if (key != NULL) /* the server keeps its own copy; this one is wiped */
        explicit_bzero(key, strlen(key));
    free(key);
    if (err != RURU_OK) {
        cli_error(err, &d, "serve");
        return EXIT_ERROR;
    }
    {
        const char *l = o.listen != NULL ? o.listen : "127.0.0.1:8080", *colon = strrchr(l, ':');
        fprintf(stderr, "ruru serve: listening on %s://%.*s:%u/ (home ",
                cert_file != NULL ? "https" : "http", (int)(colon - l), l, ruru_serve_port(srv));
        cli_put_safe(stderr, c->home);
        fputs(")\n", stderr);
    }
    printf("%u\n", ruru_serve_port(srv));
    fflush(stdout);
    for (;;) {
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            ruru_serve_reload(srv);
            if (!quiet)
                log_line(NULL, "SIGHUP: the intel and tokens are read again");
            continue;
        }
        break;
    }
    if (!quiet)
        log_line(NULL, sig == SIGINT ? "SIGINT: stopping after the requests in flight"
                                     : "SIGTERM: stopping after the requests in flight");
    ruru_serve_stop(srv, (unsigned)grace);
    return rc;
}
