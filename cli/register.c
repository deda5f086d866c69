/* SPDX-License-Identifier: Apache-2.0 */
/* `ruru register`: what the register is, and moving it between databases (docs/register.md). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
        "usage: ruru register info [--format table|json]\n"
        "       ruru register migrate --from URL --to URL [--format table|json]\n"
        "       ruru register check --from URL --to URL [--format table|json]\n"
        "\n"
        "info: where the register is (--register, $RURU_REGISTER, ruru.yaml's register:, else\n"
        "HOME/register.db), its schema and the rows of each table.\n"
        "migrate: copies every table of register --from into register --to (which must hold no\n"
        "rows yet) in one transaction, then compares both: the rows of each table, and per\n"
        "incident a SHA-256 of its document, actors and judgement history. The copy is kept\n"
        "only when they are the same. check: the comparison alone. A URL is sqlite:PATH or\n"
        "postgresql://USER@HOST/DB (libpq's URI). Exit 1 when the registers differ.\n";

static void print_tables(const struct cli *c, json_t *doc)
{
    size_t i;
    json_t *t;
    char a[32], b[32];

    fprintf(c->out, "%-16s %12s %12s\n", "table", "from", "to");
    json_array_foreach(json_object_get(doc, "tables"), i, t)
    {
        fprintf(c->out, "%-16s %12s %12s%s\n", cli_str(json_object_get(t, "table")),
                cli_num(json_object_get(t, "from"), a, sizeof(a)),
                cli_num(json_object_get(t, "to"), b, sizeof(b)),
                json_equal(json_object_get(t, "from"), json_object_get(t, "to")) ? ""
                                                                                 : "  DIFFERS");
    }
    fprintf(c->out, "%s incidents compared by digest",
            cli_num(json_object_get(doc, "incidents"), a, sizeof(a)));
    fprintf(c->out, ": %zu differ\n", json_array_size(json_object_get(doc, "differences")));
    json_array_foreach(json_object_get(doc, "differences"), i, t)
    {
        fputs("  ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(t, "incident")));
        fputs(": ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(t, "what")));
        fputc('\n', c->out);
    }
    fprintf(c->out, "%s\n",
            json_is_true(json_object_get(doc, "same"))
                    ? (json_is_true(json_object_get(doc, "copied")) ? "copied; the same on both"
                                                                    : "the same on both")
                    : "the registers differ");
}

static void print_info(const struct cli *c, json_t *doc)
{
    const char *k;
    json_t *v;
    char a[32];

    fputs("backend ", c->out);
    cli_put_safe(c->out, cli_str(json_object_get(doc, "backend")));
    fputs("\nwhere   ", c->out);
    cli_put_safe(c->out, cli_str(json_object_get(doc, "where")));
    fprintf(c->out, "\nschema  %s\n", cli_num(json_object_get(doc, "schema"), a, sizeof(a)));
    json_object_foreach(json_object_get(doc, "tables"), k, v)
            fprintf(c->out, "  %-16s %12s\n", k, cli_num(v, a, sizeof(a)));
}

static ruru_register *open_url(const struct cli *c, const char *url)
{
    ruru_register *r = NULL;
    struct ruru_diag d;
    enum ruru_err err = ruru_register_open_url(c->home, url, &r, &d);

    if (err != RURU_OK) {
        cli_error(err, &d, "register");
        return NULL;
    }
    return r;
}

int cmd_register(struct cli *c, int argc, char **argv)
{
    const char *verb = argc > 0 ? argv[0] : "", *from = NULL, *to = NULL;
    ruru_register *a = NULL, *b = NULL;
    struct ruru_diag d;
    enum ruru_err err;
    char *out = NULL;
    json_t *doc;
    int rc = EXIT_CLEAN;

    if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0) {
        fputs(USAGE, stdout);
        return EXIT_CLEAN;
    }
    if (strcmp(verb, "info") != 0 && strcmp(verb, "migrate") != 0 && strcmp(verb, "check") != 0) {
        fprintf(stderr, "ruru: register: info, migrate or check\n%s", USAGE);
        return EXIT_ERROR;
    }
    for (int i = 1; i < argc; i++) {
        int used;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE, stdout);
            return EXIT_CLEAN;
        }
        if ((strcmp(argv[i], "--from") == 0 || strcmp(argv[i], "--to") == 0) && i + 1 < argc) {
            *(argv[i][2] == 'f' ? &from : &to) = argv[i + 1];
            i++;
            continue;
        }
        if ((used = cli_common_option(c, argc - i, argv + i)) < 0)
            return EXIT_ERROR;
        if (used == 0) {
            fprintf(stderr, "ruru: register: unexpected argument \"%s\"\n%s", argv[i], USAGE);
            return EXIT_ERROR;
        }
        i += used - 1;
    }
    if (verb[0] == 'i') {
        if ((a = cli_open_register(c, NULL)) == NULL)
            return EXIT_ERROR;
        err = ruru_register_info(a, &out, &d);
    } else {
        if (from == NULL || to == NULL) {
            fprintf(stderr, "ruru: register %s needs --from URL and --to URL\n", verb);
            return EXIT_ERROR;
        }
        if ((a = open_url(c, from)) == NULL || (b = open_url(c, to)) == NULL) {
            ruru_register_close(a);
            return EXIT_ERROR;
        }
        err = ruru_register_migrate(a, b, verb[0] == 'm', &out, &d);
    }
    ruru_register_close(a);
    ruru_register_close(b);
    if (err != RURU_OK) {
        cli_error(err, &d, "register");
        return EXIT_ERROR;
    }
    doc = json_loads(out, 0, NULL);
    ruru_free(out);
    if (doc == NULL)
        return EXIT_ERROR;
    if (verb[0] != 'i' && !json_is_true(json_object_get(doc, "same")))
        rc = EXIT_FINDINGS;
    if (c->format == OUT_JSON)
        cli_print_json(c, doc);
    else if (verb[0] == 'i')
        print_info(c, doc);
    else
        print_tables(c, doc);
    json_decref(doc);
    return rc;
}
