/* SPDX-License-Identifier: Apache-2.0 */
/* `ruru verify REPORT`: are the bytes a report cites still the bytes it saw? */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char VERIFY_USAGE[] =
        "usage: ruru verify [--format table|json] [--root DIR]... REPORT\n"
        "\n"
        "Re-opens every input REPORT cites (what `ruru scan` wrote: JSON lines, --format json,\n"
        "or a JSON array of sightings or incidents), re-reads each cited record and checks its\n"
        "SHA-256. Exit status: 0 when every item verifies, 1 when one does not, 2 on error.\n"
        "\n"
        "  --root DIR   read only inputs whose real path lies under DIR (repeatable); a report\n"
        "               from elsewhere may cite any file on this machine\n";

/* The whole file, NUL-terminated (free with free()); NULL with errno's reason printed. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, got;

    if (f == NULL)
        return NULL;
    do {
        if (n + 65536 + 1 > cap) {
            char *g = realloc(buf, cap = (n + 65536 + 1) * 2);
            if (g == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = g;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    if (ferror(f)) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

int cmd_verify(struct cli *c, int argc, char **argv)
{
    const char *path = NULL;
    const char **roots;
    char *report, *result = NULL;
    size_t len = 0, i, n_roots = 0;
    struct ruru_diag d;
    enum ruru_err err;
    json_t *doc, *f;
    int rc = 0;

    if ((roots = calloc((size_t)argc + 1, sizeof(*roots))) == NULL)
        return EXIT_ERROR;
    for (int k = 0; k < argc && rc == 0; k++) {
        int used;
        if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
            fputs(VERIFY_USAGE, stdout);
            free(roots);
            return EXIT_CLEAN;
        }
        if (strcmp(argv[k], "--root") == 0 && k + 1 < argc) {
            roots[n_roots++] = argv[++k];
        } else if (strncmp(argv[k], "--root=", 7) == 0) {
            roots[n_roots++] = argv[k] + 7;
        } else if ((used = cli_common_option(c, argc - k, argv + k)) != 0) {
            rc = used < 0 ? -1 : 0;
            k += used > 0 ? used - 1 : 0;
        } else if (path == NULL && (argv[k][0] != '-' || argv[k][1] == '\0')) {
            path = argv[k];
        } else {
            fprintf(stderr, "ruru: unexpected argument \"");
            cli_put_safe(stderr, argv[k]);
            fprintf(stderr, "\"\n%s", VERIFY_USAGE);
            rc = -1;
        }
    }
    if (rc != 0) {
        free(roots);
        return EXIT_ERROR;
    }
    if (path == NULL) {
        free(roots);
        fputs(VERIFY_USAGE, stderr);
        return EXIT_ERROR;
    }
    if ((report = slurp(path, &len)) == NULL) {
        fputs("ruru: ", stderr);
        cli_put_safe(stderr, path);
        fputs(": cannot be read\n", stderr);
        free(roots);
        return EXIT_ERROR;
    }
    err = ruru_verify(report, len, roots, n_roots, &result, &d);
    free(report);
    free(roots);
    if (err != RURU_OK) {
        cli_error(err, &d, path);
        return EXIT_ERROR;
    }
    doc = json_loads(result, 0, NULL);
    ruru_free(result);
    if (doc == NULL)
        return EXIT_ERROR;
    rc = json_array_size(json_object_get(doc, "failed")) > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
    /* a Kafka record whose kept line is not the one its hash names: the report was altered */
    json_array_foreach(json_object_get(doc, "not_rereadable"), i, f)
    {
        if (strcmp(cli_str(json_object_get(f, "kept_line")), "differs") == 0)
            rc = EXIT_FINDINGS;
    }
    if (c->format == OUT_JSON) {
        cli_print_json(c, doc);
    } else {
        json_array_foreach(json_object_get(doc, "failed"), i, f)
        {
            char line[32], off[32];
            fputs("FAILED ", c->out);
            cli_put_safe(c->out, cli_str(json_object_get(f, "path")));
            fprintf(c->out,
                    ":%s (offset %s): ", cli_num(json_object_get(f, "line"), line, sizeof(line)),
                    cli_num(json_object_get(f, "offset"), off, sizeof(off)));
            cli_put_safe(c->out, cli_str(json_object_get(f, "reason")));
            fputc('\n', c->out);
        }
        json_array_foreach(json_object_get(doc, "not_rereadable"), i, f)
        {
            char line[32];
            const char *kept = cli_str(json_object_get(f, "kept_line"));
            fputs("KAFKA ", c->out);
            cli_put_safe(c->out, cli_str(json_object_get(f, "path")));
            fprintf(c->out, ":%s: cannot be read again; %s\n",
                    cli_num(json_object_get(f, "line"), line, sizeof(line)),
                    strcmp(kept, "matches") == 0   ? "the kept line matches its ruru.sha256"
                    : strcmp(kept, "differs") == 0 ? "the kept line DOES NOT match its ruru.sha256"
                                                   : "the line was not kept whole");
        }
        fprintf(c->out, "%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT " evidence items verified",
                json_integer_value(json_object_get(doc, "verified")),
                json_integer_value(json_object_get(doc, "items")));
        if (json_array_size(json_object_get(doc, "not_rereadable")) > 0)
            fprintf(c->out, " (%zu Kafka records cannot be read again)",
                    json_array_size(json_object_get(doc, "not_rereadable")));
        fputc('\n', c->out);
    }
    json_decref(doc);
    return rc;
}
