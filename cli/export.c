/* SPDX-License-Identifier: Apache-2.0 */
/* `ruru export`: the register's incidents as STIX 2.1, MISP or an HTML report, under TLP. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
        "usage: ruru export [--format stix|misp|html] [-o FILE] [--since T] [--until T]\n"
        "                   [--incident ID]... [--actor A] [--org NAME] [--tlp-max LEVEL]\n"
        "                   [--config FILE]\n"
        "\n"
        "Shares what the register holds: a STIX 2.1 bundle (for TAXII, OpenCTI, MISP's STIX\n"
        "import), a MISP event (one per incident), or a self-contained HTML report to mail or\n"
        "print. Every incident goes with its evidence, the cited records and the judgement.\n"
        "The same register gives the same bytes.\n"
        "\n"
        "Options:\n"
        "  --format FMT         stix (the default), misp, html, or json (the export model)\n"
        "  -o, --output FILE    write there (default, or -: standard output)\n"
        "  --since T, --until T incidents whose first record is in [since, until); T:\n"
        "                       2024-07-12, 2024-07-12T01:15:00Z or unix seconds\n"
        "  --incident ID        only this incident (may be repeated)\n"
        "  --actor A            only incidents whose evidence points to A (any of its names)\n"
        "  --org NAME           only organisation NAME's incidents (default: all)\n"
        "  --tlp-max LEVEL      the most restrictive TLP that may leave: clear, green, amber\n"
        "                       (the default), amber+strict or red. Evidence above it is\n"
        "                       withheld, and an incident that loses some is judged again\n"
        "                       without it; what was withheld is said on standard error\n"
        "  --config FILE        the settings (export: name, contact, tlp_default,\n"
        "                       tlp_evidence; default $RURU_HOME/ruru.yaml)\n"
        "  --home DIR           the store directory\n"
        "\n"
        "Exit status: 0 exported, 2 error.\n";

/* "3 sightings (2 TLP:RED, 1 TLP:AMBER+STRICT)" of a {TLP: N} object, into f. */
static void counts(FILE *f, json_t *by, const char *one, const char *many)
{
    const char *k;
    json_t *v;
    json_int_t n = 0;
    bool first = true;

    json_object_foreach(by, k, v) n += json_integer_value(v);
    fprintf(f, "%" JSON_INTEGER_FORMAT " %s", n, n == 1 ? one : many);
    if (n == 0)
        return;
    fputs(" (", f);
    json_object_foreach(by, k, v)
    {
        fprintf(f, "%s%" JSON_INTEGER_FORMAT " TLP:", first ? "" : ", ", json_integer_value(v));
        for (const char *p = k; *p != '\0'; p++)
            fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, f);
        first = false;
    }
    fputc(')', f);
}

int cmd_export(struct cli *c, int argc, char **argv)
{
    struct ruru_export_opts o;
    const char **ids = calloc((size_t)argc + 1, sizeof(*ids));
    const char *output = NULL, *config = NULL;
    char canon[256], *out = NULL, *summary = NULL;
    struct ruru_diag d;
    ruru_register *reg = NULL;
    ruru_store *store = NULL;
    enum ruru_err err;
    size_t len = 0;
    int rc = EXIT_ERROR;

    if (ids == NULL)
        return EXIT_ERROR;
    memset(&o, 0, sizeof(o));
    o.since = o.until = INT64_MIN;
    o.format = "stix";
    o.incidents = ids;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int used;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(USAGE, stdout);
            free(ids);
            return EXIT_CLEAN;
        }
        if (strcmp(a, "--format") == 0 || strcmp(a, "-f") == 0 || strcmp(a, "-o") == 0 ||
            strcmp(a, "--output") == 0 || strcmp(a, "--since") == 0 || strcmp(a, "--until") == 0 ||
            strcmp(a, "--incident") == 0 || strcmp(a, "--actor") == 0 || strcmp(a, "--org") == 0 ||
            strcmp(a, "--tlp-max") == 0 || strcmp(a, "--config") == 0) {
            if (v == NULL) {
                fprintf(stderr, "ruru: %s needs a value\n", a);
                goto out;
            }
            i++;
            if (a[1] == 'f' || strcmp(a, "--format") == 0)
                o.format = v;
            else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0)
                output = v;
            else if (strcmp(a, "--incident") == 0)
                ids[o.n_incidents++] = v;
            else if (strcmp(a, "--actor") == 0)
                o.actor = v;
            else if (strcmp(a, "--org") == 0)
                o.org = v;
            else if (strcmp(a, "--tlp-max") == 0)
                o.tlp_max = v;
            else if (strcmp(a, "--config") == 0)
                config = v;
            else if (!ruru_time_from_text(v, strcmp(a, "--since") == 0 ? &o.since : &o.until)) {
                fprintf(stderr, "ruru: %s: not a time (2024-07-12, 2024-07-12T01:15:00Z)\n", a);
                goto out;
            }
        } else if ((used = cli_common_option(c, argc - i, argv + i)) != 0) {
            if (used < 0)
                goto out;
            i += used - 1;
        } else {
            fputs("ruru: unexpected argument \"", stderr);
            cli_put_safe(stderr, a);
            fprintf(stderr, "\"\n%s", USAGE);
            goto out;
        }
    }
    /* the store knows the actors: --actor by any of its names, and a judgement made again */
    if (ruru_store_open(c->home, &store, &d) != RURU_OK)
        store = NULL;
    if (o.actor != NULL && store != NULL) {
        char *js = NULL;
        if (ruru_actors(store, o.actor, &js, &d) == RURU_OK) {
            json_t *a = json_loads(js, 0, NULL);
            const char *name = json_string_value(
                    json_object_get(json_array_get(json_object_get(a, "actors"), 0), "name"));
            if (name != NULL && snprintf(canon, sizeof(canon), "%s", name) < (int)sizeof(canon))
                o.actor = canon;
            json_decref(a);
        }
        ruru_free(js);
    }
    if ((reg = cli_open_register(c, config)) == NULL)
        goto out;
    if ((err = ruru_export(reg, store, &o, &out, &len, &summary, &d)) != RURU_OK) {
        cli_error(err, &d, "export");
        goto out;
    }
    {
        FILE *f = stdout;
        bool to_file = output != NULL && strcmp(output, "-") != 0;
        if (to_file && (f = fopen(output, "wb")) == NULL) {
            fputs("ruru: ", stderr);
            cli_put_safe(stderr, output);
            fputs(": cannot be written\n", stderr);
            goto out;
        }
        if (fwrite(out, 1, len, f) != len || fflush(f) != 0 || (to_file && fclose(f) != 0)) {
            fputs("ruru: the export could not be written whole\n", stderr);
            goto out;
        }
    }
    {
        json_t *s = json_loads(summary, 0, NULL), *w = json_object_get(s, "withheld");
        json_int_t n = json_integer_value(json_object_get(s, "incidents"));
        fprintf(stderr, "ruru: exported %" JSON_INTEGER_FORMAT " incident%s as %s, TLP:", n,
                n == 1 ? "" : "s", o.format);
        for (const char *p = cli_str(json_object_get(s, "tlp")); *p != '\0'; p++)
            fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, stderr);
        fputs("; withheld above TLP:", stderr);
        for (const char *p = cli_str(json_object_get(s, "tlp_max")); *p != '\0'; p++)
            fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, stderr);
        fputs(": ", stderr);
        counts(stderr, json_object_get(w, "sightings"), "sighting", "sightings");
        fputs(", ", stderr);
        counts(stderr, json_object_get(w, "incidents"), "incident", "incidents");
        n = json_integer_value(json_object_get(w, "evidence"));
        fprintf(stderr, ", %" JSON_INTEGER_FORMAT " evidence line%s\n", n, n == 1 ? "" : "s");
        json_decref(s);
    }
    rc = EXIT_CLEAN;
out:
    ruru_free(out);
    ruru_free(summary);
    ruru_register_close(reg);
    ruru_store_close(store);
    free(ids);
    return rc;
}
