/* SPDX-License-Identifier: Apache-2.0 */
/* `ruru report` and `ruru stats`: what the register holds. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char REPORT_USAGE[] =
        "usage: ruru report [--since T] [--until T] [--actor A] [--org NAME]\n"
        "                   [--format table|json]\n"
        "\n"
        "The incidents `ruru scan --record` kept: asset, times, severity, the judgement (actor,\n"
        "probability in ICD 203 words, analytic confidence, why) and the evidence behind it,\n"
        "with every judgement made of it over time; --actor by any of the actor's names,\n"
        "--org only organisation NAME's (default: all organisations').\n"
        "T: 2024-07-12, 2024-07-12T01:15:00Z or\n"
        "unix seconds; an incident is in when its first record is in [since, until).\n";

static const char STATS_USAGE[] =
        "usage: ruru stats [--since T] [--until T] [--by sponsor|actor|month|asset|org|sector]\n"
        "                  [--org NAME] [--format table|json]\n"
        "\n"
        "How many serious incidents the register holds, and what share of them carry indicators\n"
        "of actors attributed to a state: by sponsor state (the default), actor, month, asset,\n"
        "organisation or sector (ruru orgs). Over all organisations (the national figure), or\n"
        "with --org over organisation NAME's incidents only.\n";

struct filter {
    int64_t since, until;
    const char *actor, *by, *org;
};

/* The options of both commands. Returns 0 to go on, 1 after --help, -1 after an error. */
static int
options(struct cli *c, int argc, char **argv, const char *usage, struct filter *f, bool stats)
{
    f->since = f->until = INT64_MIN;
    f->actor = f->org = NULL;
    f->by = "sponsor";
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int used;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 1;
        }
        if (strcmp(a, "--since") == 0 || strcmp(a, "--until") == 0 ||
            (!stats && strcmp(a, "--actor") == 0) || (stats && strcmp(a, "--by") == 0) ||
            strcmp(a, "--org") == 0) {
            if (v == NULL) {
                fprintf(stderr, "ruru: %s needs a value\n", a);
                return -1;
            }
            i++;
            if (strcmp(a, "--actor") == 0)
                f->actor = v;
            else if (strcmp(a, "--by") == 0)
                f->by = v;
            else if (strcmp(a, "--org") == 0)
                f->org = v;
            else if (!ruru_time_from_text(v, strcmp(a, "--since") == 0 ? &f->since : &f->until)) {
                fprintf(stderr, "ruru: %s: not a time (2024-07-12, 2024-07-12T01:15:00Z)\n", a);
                return -1;
            }
        } else if ((used = cli_common_option(c, argc - i, argv + i)) != 0) {
            if (used < 0)
                return -1;
            i += used - 1;
        } else {
            fprintf(stderr, "ruru: unexpected argument \"%s\"\n%s", a, usage);
            return -1;
        }
    }
    return 0;
}

static void put(FILE *f, json_t *v)
{
    cli_put_safe(f, cli_str(v));
}

static void put_sightings(FILE *f, json_t *n)
{
    char buf[32];

    fprintf(f, "%s sighting%s", cli_num(n, buf, sizeof(buf)),
            json_integer_value(n) == 1 ? "" : "s");
}

/* An evidence entry's intel: the file it came from and, where its rows say, the provenance
 * within it (a MISP event's organisation, a CSV's report column). */
static void put_source(FILE *f, json_t *e)
{
    if (json_is_string(json_object_get(e, "source")))
        put(f, json_object_get(e, "source"));
    else
        fputs("(no source)", f);
    if (json_is_string(json_object_get(e, "provenance"))) {
        fputs(" (", f);
        put(f, json_object_get(e, "provenance"));
        fputc(')', f);
    }
}

/* The entries of each value: an array of them per kind and value, in the order of the
 * evidence (a rule is its own: two rules may share a title). */
static json_t *by_value(json_t *evidence)
{
    json_t *groups = json_array(), *index = json_object(), *e;
    size_t i;

    json_array_foreach(evidence, i, e)
    {
        const char *kind = cli_str(json_object_get(e, "kind"));
        const char *value =
                cli_str(json_object_get(e, strcmp(kind, "rule") == 0 ? "key" : "value"));
        json_t *of_kind = json_object_get(index, kind), *g;
        if (of_kind == NULL) {
            of_kind = json_object();
            json_object_set_new(index, kind, of_kind);
        }
        if ((g = json_object_get(of_kind, value)) == NULL) {
            g = json_array();
            json_array_append_new(groups, g);
            json_object_set(of_kind, value, g);
        }
        json_array_append(g, e);
    }
    json_decref(index);
    return groups;
}

/* One line per observed value (its kind and value), in the order of the evidence: the
 * incident holds one entry per indicator, as the judgement weighs each, while an address that
 * three intel files name is one thing seen, from three sources. The sightings are counted
 * once when every source saw as many records, else per source. */
static void print_evidence(FILE *f, json_t *evidence)
{
    json_t *groups = by_value(evidence), *g, *x;
    size_t i, k;

    json_array_foreach(groups, i, g)
    {
        json_t *e = json_array_get(g, 0), *n = json_object_get(e, "sightings");
        bool equal = true, warninglisted = false, any_source = false;
        json_array_foreach(g, k, x)
        {
            equal &= json_equal(json_object_get(x, "sightings"), n);
            warninglisted |= json_is_true(json_object_get(x, "warninglisted"));
            any_source |= json_is_string(json_object_get(x, "source"));
        }
        fprintf(f, "  evidence: %s ", cli_str(json_object_get(e, "kind")));
        put(f, json_object_get(e, "value"));
        fputs(" (", f);
        if (equal)
            put_sightings(f, n);
        if (any_source || !equal) {
            fputs(equal ? ", from " : "from ", f);
            json_array_foreach(g, k, x)
            {
                fputs(k > 0 ? ", " : "", f);
                put_source(f, x);
                if (!equal) {
                    fputs(": ", f);
                    put_sightings(f, json_object_get(x, "sightings"));
                }
            }
        }
        if (warninglisted)
            fputs(", warninglisted", f);
        fputs(")\n", f);
    }
    json_decref(groups);
}

static void print_incident(FILE *f, json_t *inc)
{
    json_t *j = json_object_get(inc, "judgement"), *h;
    size_t i;

    put(f, json_object_get(inc, "id"));
    fputs("  ", f);
    if (json_is_string(json_object_get(inc, "org"))) {
        put(f, json_object_get(inc, "org"));
        fputs(": ", f);
    }
    if (json_is_string(json_object_get(inc, "asset")))
        put(f, json_object_get(inc, "asset"));
    else
        fputs("(no asset)", f);
    fputs("  ", f);
    put(f, json_object_get(inc, "first"));
    fputs(" .. ", f);
    put(f, json_object_get(inc, "last"));
    fprintf(f, "  %s%s\n", cli_str(json_object_get(inc, "severity")),
            json_is_true(json_object_get(inc, "serious")) ? " (serious)" : "");
    fputs("  judgement: ", f);
    put(f, json_object_get(j, "why"));
    fprintf(f, "; confidence %s\n", cli_str(json_object_get(j, "confidence")));
    json_array_foreach(json_object_get(j, "hypotheses"), i, h)
    {
        fputs("    ", f);
        fputs(json_is_null(json_object_get(h, "actor")) ? "another actor"
                                                        : cli_str(json_object_get(h, "actor")),
              f);
        {
            /* no judgement is certain: 1 to 99 % */
            double p = (double)(long)(json_number_value(json_object_get(h, "probability")) * 100);
            fprintf(f, ": %s (%.0f %%)\n", cli_str(json_object_get(h, "words")),
                    p < 1    ? 1
                    : p > 99 ? 99
                             : p);
        }
    }
    print_evidence(f, json_object_get(inc, "evidence"));
    if (json_array_size(json_object_get(inc, "history")) > 1)
        fprintf(f, "  judged %zu times\n", json_array_size(json_object_get(inc, "history")));
}

static int run(struct cli *c, int argc, char **argv, bool stats)
{
    struct filter f;
    ruru_register *reg = NULL;
    struct ruru_diag d;
    char *out = NULL;
    enum ruru_err err;
    json_t *doc, *r;
    size_t i;
    int rc = options(c, argc, argv, stats ? STATS_USAGE : REPORT_USAGE, &f, stats);

    if (rc != 0)
        return rc > 0 ? EXIT_CLEAN : EXIT_ERROR;
    /* --actor by any of its names: the store's actor registry says which actor it is */
    char canon[256];
    if (f.actor != NULL) {
        ruru_store *store = NULL;
        char *js = NULL;
        if (ruru_store_open(c->home, &store, &d) == RURU_OK &&
            ruru_actors(store, f.actor, &js, &d) == RURU_OK) {
            json_t *a = json_loads(js, 0, NULL);
            const char *name = json_string_value(
                    json_object_get(json_array_get(json_object_get(a, "actors"), 0), "name"));
            if (name != NULL && snprintf(canon, sizeof(canon), "%s", name) < (int)sizeof(canon))
                f.actor = canon;
            json_decref(a);
        }
        ruru_free(js);
        ruru_store_close(store);
    }
    {
        /* where the register is: --register, $RURU_REGISTER, the settings' register: */
        static char buf[65536], where[4096];
        const char *config = NULL, *url = NULL;
        size_t n = 0;
        int has = cli_read_config(c, NULL, buf, sizeof(buf), &n, &config);
        if (has < 0 ||
            cli_register_url(c, has > 0 ? buf : NULL, n, config, where, sizeof(where), &url) < 0)
            return EXIT_ERROR;
        err = ruru_register_open_url(c->home, url, &reg, &d);
    }
    if (err == RURU_OK)
        err = stats ? ruru_register_stats_org(reg, f.since, f.until, f.by, f.org, &out, &d)
                    : ruru_register_report_org(reg, f.since, f.until, f.actor, f.org, &out, &d);
    ruru_register_close(reg);
    if (err != RURU_OK) {
        cli_error(err, &d, "register");
        return EXIT_ERROR;
    }
    doc = json_loads(out, 0, NULL);
    ruru_free(out);
    if (doc == NULL)
        return EXIT_ERROR;
    if (c->format == OUT_JSON) {
        cli_print_json(c, doc);
    } else if (!stats) {
        json_array_foreach(json_object_get(doc, "incidents"), i, r) print_incident(c->out, r);
        fprintf(c->out, "%zu incidents\n", json_array_size(json_object_get(doc, "incidents")));
    } else {
        char a[32], b[32];
        fprintf(c->out, "%s serious incidents (of %s); with indicators of state-sponsored actors: ",
                cli_num(json_object_get(doc, "serious"), a, sizeof(a)),
                cli_num(json_object_get(doc, "incidents"), b, sizeof(b)));
        fprintf(c->out, "%s (%.0f %%)\n",
                cli_num(json_object_get(doc, "state_sponsored"), a, sizeof(a)),
                json_number_value(json_object_get(doc, "share")) * 100);
        json_array_foreach(json_object_get(doc, "rows"), i, r)
        {
            fputs("  ", c->out);
            put(c->out, json_object_get(r, "key"));
            if (json_object_get(r, "serious_with") != NULL)
                fprintf(c->out, ": %s serious incidents (%.0f %%)\n",
                        cli_num(json_object_get(r, "serious_with"), a, sizeof(a)),
                        json_number_value(json_object_get(r, "share")) * 100);
            else
                fprintf(c->out, ": %s serious, %s with state-sponsored actors (%.0f %%)\n",
                        cli_num(json_object_get(r, "serious"), a, sizeof(a)),
                        cli_num(json_object_get(r, "state_sponsored"), b, sizeof(b)),
                        json_number_value(json_object_get(r, "share")) * 100);
        }
    }
    json_decref(doc);
    return EXIT_CLEAN;
}

int cmd_report(struct cli *c, int argc, char **argv)
{
    return run(c, argc, argv, false);
}

int cmd_stats(struct cli *c, int argc, char **argv)
{
    return run(c, argc, argv, true);
}
