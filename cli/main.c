/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruru's command line: global options, then a command. Each command lives in its own file and
 * is an ordinary client of the library (include/ruru.h).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char USAGE[] =
        "usage: ruru [--home DIR] [--register URL] COMMAND [ARGS]\n"
        "\n"
        "ruru sweeps logs for threat intelligence and says who, how sure, and why.\n"
        "\n"
        "Commands:\n"
        "  scan PATH...           sweep logs for the store's indicators (or --intel FILE)\n"
        "  intel import PATH...   import STIX 2.1, MISP, galaxy, taxonomy, warninglist,\n"
        "                         CSV/text and Zeek intel files (directories recursively)\n"
        "  intel search VALUE     every indicator that would match VALUE\n"
        "  intel stats            counts of what the store holds\n"
        "  intel sources          the sources and their files\n"
        "  intel remove SOURCE    forget a source\n"
        "  actors [NAME]          actors across sources, or one actor by any alias\n"
        "  rules lint [PATH...]   load Sigma rules and say what each file gave, or why not\n"
        "  report                 the incidents `scan --record` kept, judged, with their evidence\n"
        "  stats                  serious incidents, and the share with state-sponsored actors\n"
        "  orgs                   the organisations incidents concern, and their sectors\n"
        "  tokens                 the API tokens of `ruru serve`: add, list, revoke\n"
        "  export                 the incidents as STIX 2.1, MISP or an HTML report, under TLP\n"
        "  verify REPORT          re-read every record a report cites and check its SHA-256\n"
        "  serve                  the API and console for the CERT's constituents\n"
        "  register               the register itself: info, migrate, check\n"
        "  stream                 a Kafka consumer group member: sweep log topics, send and\n"
        "                         record the sightings\n"
        "\n"
        "Options:\n"
        "  --home DIR             the store directory (default $RURU_HOME, else\n"
        "                         $XDG_DATA_HOME/ruru, else ~/.local/share/ruru)\n"
        "  --register URL         the register: sqlite:PATH or postgresql://USER@HOST/DB\n"
        "                         (default $RURU_REGISTER, else ruru.yaml's register:, else\n"
        "                         HOME/register.db; docs/register.md)\n"
        "  --format table|json    output format (default: table on a terminal, else json)\n"
        "  -h, --help             this text; `ruru COMMAND --help` for a command\n"
        "  --version              the version\n"
        "\n"
        "Environment: RURU_HOME, RURU_REGISTER; RURU_NO_SIMD=1 sweeps on the portable path\n"
        "(no vector code, every line parsed: the same results, slower; for checking);\n"
        "RURU_NO_AVX512=1 keeps the vector code to AVX2 (the same results).\n"
        "\n"
        "Exit status: 0 success or nothing found, 1 findings (scan, search), 2 error.\n";

static char home_buf[4096];

static const char *default_home(void)
{
    const char *v = getenv("RURU_HOME");

    if (v != NULL && *v)
        return v;
    v = getenv("XDG_DATA_HOME");
    if (v != NULL && *v) {
        snprintf(home_buf, sizeof(home_buf), "%s/ruru", v);
        return home_buf;
    }
    v = getenv("HOME");
    snprintf(home_buf, sizeof(home_buf), "%s/.local/share/ruru", v && *v ? v : ".");
    return home_buf;
}

int main(int argc, char **argv)
{
    struct cli c;
    int i = 1;

    memset(&c, 0, sizeof(c));
    c.out = stdout;
    c.home = default_home();
    {
        /* the portable code instead of the vector code: same answers (the tests compare) */
        const char *v = getenv("RURU_NO_SIMD");
        if (v != NULL && *v && strcmp(v, "0") != 0)
            ruru_set_simd(false);
        /* AVX2 where the CPU has AVX-512 too: the same answers */
        v = getenv("RURU_NO_AVX512");
        if (v != NULL && *v && strcmp(v, "0") != 0)
            ruru_set_avx512(false);
    }
    c.format = isatty(STDOUT_FILENO) ? OUT_TABLE : OUT_JSON;
    while (i < argc && argv[i][0] == '-') {
        int used;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE, stdout);
            return EXIT_CLEAN;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("ruru %s\n", ruru_version());
            return EXIT_CLEAN;
        }
        used = cli_common_option(&c, argc - i, argv + i);
        if (used < 0)
            return EXIT_ERROR;
        if (used == 0) {
            fprintf(stderr, "ruru: unknown option \"%s\"\n%s", argv[i], USAGE);
            return EXIT_ERROR;
        }
        i += used;
    }
    if (i >= argc) {
        fputs(USAGE, stderr);
        return EXIT_ERROR;
    }
    if (strcmp(argv[i], "intel") == 0)
        return cmd_intel(&c, argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "scan") == 0)
        return cmd_scan(&c, argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "actors") == 0 || strcmp(argv[i], "actor") == 0)
        return cmd_actors(&c, argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "rules") == 0)
        return cmd_rules(&c, argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "report") == 0)
        return cmd_report(&c, argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "stats") == 0)
        return cmd_stats(&c, argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "orgs") == 0)
        return cmd_orgs(&c, argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "tokens") == 0)
        return cmd_tokens(&c, argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "serve") == 0)
        return cmd_serve(&c, argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "stream") == 0)
        return cmd_stream(&c, argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "export") == 0)
        return cmd_export(&c, argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "register") == 0)
        return cmd_register(&c, argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "verify") == 0)
        return cmd_verify(&c, argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "help") == 0) {
        fputs(USAGE, stdout);
        return EXIT_CLEAN;
    }
    fprintf(stderr, "ruru: unknown command \"%s\"\n%s", argv[i], USAGE);
    return EXIT_ERROR;
}
