/* SPDX-License-Identifier: Apache-2.0 */
/* `ruru rules lint PATH...`. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char RULES_USAGE[] =
        "usage: ruru rules lint [--format table|json] [--no-default-rules] [PATH...]\n"
        "\n"
        "Loads Sigma rules as `ruru scan --rules PATH` would (files, or directories of .yml and\n"
        ".yaml files, recursively) together with ruru's own rules unless --no-default-rules,\n"
        "and says for every file how many rules it gave, or for every document it refused\n"
        "the line, column and reason. Rules whose logsource ruru ties to no log format (Cisco,\n"
        "OpenCanary, a JVM's log ...) are listed by logsource: they run only on the inputs a\n"
        "user ties to it (ruru scan --logsource LOGSOURCE=PATH, or logsources: in ruru.yaml).\n"
        "\n"
        "Exit status: 0 every document loaded, 1 some were refused, 2 error.\n";

static void print_table(const struct cli *c, json_t *doc)
{
    json_t *f, *e;
    size_t i, j, n_files = 0;

    fprintf(c->out, "%-60s %5s  %s\n", "FILE", "RULES", "STATUS");
    json_array_foreach(json_object_get(doc, "files"), i, f)
    {
        json_t *errs = json_object_get(f, "errors");
        n_files++;
        cli_put_safe(c->out, cli_str(json_object_get(f, "path")));
        {
            size_t w = strlen(cli_str(json_object_get(f, "path")));
            for (; w < 60; w++)
                fputc(' ', c->out);
        }
        fprintf(c->out, " %5" PRId64 "  %s\n",
                (int64_t)json_integer_value(json_object_get(f, "rules")),
                json_array_size(errs) == 0 ? "ok" : "refused:");
        json_array_foreach(errs, j, e)
        {
            fprintf(c->out, "    %" PRId64 ":%" PRId64 ": ",
                    (int64_t)json_integer_value(json_object_get(e, "line")),
                    (int64_t)json_integer_value(json_object_get(e, "col")));
            cli_put_safe(c->out, cli_str(json_object_get(e, "message")));
            fputc('\n', c->out);
        }
    }
    fprintf(c->out,
            "%zu files: %" PRId64 " rules loaded, %" PRId64 " documents refused; %zu rules run "
            "only on inputs tied to their logsource (ruru ties it to no log format)\n",
            n_files, (int64_t)json_integer_value(json_object_get(doc, "rules")),
            (int64_t)json_integer_value(json_object_get(doc, "refused")),
            json_array_size(json_object_get(doc, "unmapped")));
    /* by logsource, in the order met: what a --logsource tie would open */
    {
        json_t *un = json_object_get(doc, "unmapped"), *u, *w;
        size_t n = json_array_size(un);
        bool *done = calloc(n ? n : 1, sizeof(*done));
        for (i = 0; done != NULL && i < n; i++) {
            const char *ls;
            size_t count = 0;
            if (done[i])
                continue;
            ls = cli_str(json_object_get(json_array_get(un, i), "logsource"));
            for (j = i; j < n; j++)
                count += strcmp(cli_str(json_object_get(json_array_get(un, j), "logsource")), ls) ==
                         0;
            fputs("  ", c->out);
            cli_put_safe(c->out, ls);
            fprintf(c->out, " (%zu):", count);
            for (j = i, count = 0; j < n; j++) {
                u = json_array_get(un, j);
                w = json_object_get(u, "logsource");
                if (strcmp(cli_str(w), ls) != 0)
                    continue;
                done[j] = true;
                fputs(count++ ? "; " : " ", c->out);
                cli_put_safe(c->out, cli_str(json_object_get(u, "title")));
            }
            fputc('\n', c->out);
        }
        free(done);
    }
}

int cmd_rules(struct cli *c, int argc, char **argv)
{
    const char **paths = NULL;
    size_t n = 0;
    bool builtin = true;
    struct ruru_diag d;
    char *out = NULL;
    enum ruru_err err;
    json_t *doc;
    int rc;

    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        fputs(RULES_USAGE, argc < 1 ? stderr : stdout);
        return argc < 1 ? EXIT_ERROR : EXIT_CLEAN;
    }
    if (strcmp(argv[0], "lint") != 0) {
        fprintf(stderr, "ruru: unknown rules command \"%s\"\n%s", argv[0], RULES_USAGE);
        return EXIT_ERROR;
    }
    paths = calloc((size_t)argc, sizeof(*paths));
    if (paths == NULL)
        return EXIT_ERROR;
    for (int i = 1; i < argc; i++) {
        int used;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(RULES_USAGE, stdout);
            free(paths);
            return EXIT_CLEAN;
        }
        if (strcmp(argv[i], "--no-default-rules") == 0) {
            builtin = false;
            continue;
        }
        used = cli_common_option(c, argc - i, argv + i);
        if (used < 0) {
            free(paths);
            return EXIT_ERROR;
        }
        if (used > 0) {
            i += used - 1;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "ruru: unknown option \"%s\"\n%s", argv[i], RULES_USAGE);
            free(paths);
            return EXIT_ERROR;
        }
        paths[n++] = argv[i];
    }
    memset(&d, 0, sizeof(d));
    err = ruru_rules_lint(paths, n, builtin, &out, &d);
    free(paths);
    if (err != RURU_OK) {
        cli_error(err, &d, NULL);
        return EXIT_ERROR;
    }
    doc = json_loads(out, 0, NULL);
    ruru_free(out);
    if (c->format == OUT_JSON)
        cli_print_json(c, doc);
    else
        print_table(c, doc);
    rc = json_integer_value(json_object_get(doc, "refused")) > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
    json_decref(doc);
    return rc;
}
