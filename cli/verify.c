/* SPDX-License-Identifier: Apache-2.0 */
/* `ruru verify REPORT`: are the bytes a report cites still the bytes it saw? */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char VERIFY_USAGE[] =
        "usage: ruru verify [--format table|json] REPORT\n"
        "\n"
        "Re-opens every input REPORT cites (what `ruru scan` wrote: JSON lines, --format json,\n"
        "or a JSON array of sightings or incidents), re-reads each cited record and checks its\n"
        "SHA-256. Exit status: 0 when every item verifies, 1 when one does not, 2 on error.\n";

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
    const char *path;
    char *report, *result = NULL;
    size_t len = 0, i;
    struct ruru_diag d;
    enum ruru_err err;
    json_t *doc, *f;
    int rc = cli_one_arg(c, argc, argv, VERIFY_USAGE, &path);

    if (rc != 0)
        return rc > 0 ? EXIT_CLEAN : EXIT_ERROR;
    if (path == NULL) {
        fputs(VERIFY_USAGE, stderr);
        return EXIT_ERROR;
    }
    if ((report = slurp(path, &len)) == NULL) {
        fprintf(stderr, "ruru: %s: cannot be read\n", path);
        return EXIT_ERROR;
    }
    err = ruru_verify(report, len, &result, &d);
    free(report);
    if (err != RURU_OK) {
        cli_error(err, &d, path);
        return EXIT_ERROR;
    }
    doc = json_loads(result, 0, NULL);
    ruru_free(result);
    if (doc == NULL)
        return EXIT_ERROR;
    rc = json_array_size(json_object_get(doc, "failed")) > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
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
        fprintf(c->out,
                "%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT " evidence items verified\n",
                json_integer_value(json_object_get(doc, "verified")),
                json_integer_value(json_object_get(doc, "items")));
    }
    json_decref(doc);
    return rc;
}
