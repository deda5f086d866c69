/* SPDX-License-Identifier: Apache-2.0 */
/* `ruru actors [NAME]`. */
#include <string.h>

#include "cli.h"

static const char ACTORS_USAGE[] =
        "usage: ruru actors [--format table|json] [NAME]\n"
        "\n"
        "Without NAME, every actor the store knows, merged across sources (MISP galaxies,\n"
        "STIX intrusion sets and threat actors, CSV actor columns), with its sponsoring state\n"
        "and indicator count. With NAME (any alias, case and punctuation ignored), one actor:\n"
        "its aliases and which source gives each, the sponsor each source claims, its\n"
        "indicators by type, its ATT&CK techniques, the link that joined each source's\n"
        "entry (own name, ATT&CK id, object id, a synonym that is another's own name, the\n"
        "CERT's assessment), related actors that are not merged (similar, not-same-as,\n"
        "joins refused), and names other actors also claim. An ambiguous name shows\n"
        "every claimant.\n";

static void print_actor(const struct cli *c, json_t *a)
{
    json_t *v, *s, *printed = json_object();
    size_t i, j;
    char b[32];
    const char *k;

    fputs("actor       ", c->out);
    cli_put_safe(c->out, cli_str(json_object_get(a, "name")));
    fputc('\n', c->out);
    if (json_is_string(json_object_get(a, "country"))) {
        fputs("sponsor     ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(a, "country")));
        if (json_is_string(json_object_get(a, "sponsor"))) {
            fputs(" (", c->out);
            cli_put_safe(c->out, cli_str(json_object_get(a, "sponsor")));
            fputc(')', c->out);
        }
        if (json_is_true(json_object_get(a, "sponsor_assessed")))
            fputs("  (our assessment)", c->out);
        if (json_is_true(json_object_get(a, "sponsor_disputed")))
            fputs("  DISPUTED between sources", c->out);
        fputc('\n', c->out);
    }
    json_array_foreach(json_object_get(a, "sponsor_claims"), i, v)
    {
        fputs("  claimed by ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(v, "source")));
        fputc('/', c->out);
        cli_put_safe(c->out, cli_str(json_object_get(v, "via")));
        fputs(" (", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(v, "entity")));
        fputs("): ", c->out);
        cli_put_safe(c->out, json_is_string(json_object_get(v, "country"))
                                     ? cli_str(json_object_get(v, "country"))
                                     : "-");
        fputc('\n', c->out);
    }
    fputs("aliases\n", c->out);
    json_array_foreach(json_object_get(a, "aliases"), i, v)
    {
        fputs("  ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(v, "name")));
        fputs("  [", c->out);
        json_array_foreach(json_object_get(v, "sources"), j, s)
        {
            if (j > 0)
                fputs(", ", c->out);
            cli_put_safe(c->out, cli_str(json_object_get(s, "via")));
        }
        fputc(']', c->out);
        if (json_is_string(json_object_get(v, "resolves_to"))) {
            fputs("  (the name of ", c->out);
            cli_put_safe(c->out, cli_str(json_object_get(v, "resolves_to")));
            fputc(')', c->out);
        }
        fputc('\n', c->out);
    }
    v = json_object_get(a, "indicators");
    fprintf(c->out, "indicators  %s", cli_num(json_object_get(v, "total"), b, sizeof(b)));
    if (json_object_size(json_object_get(v, "by_type")) > 0) {
        bool first = true;
        fputs(" (", c->out);
        json_object_foreach(json_object_get(v, "by_type"), k, s)
        {
            fprintf(c->out, "%s%s %s", first ? "" : ", ", k, cli_num(s, b, sizeof(b)));
            first = false;
        }
        fputc(')', c->out);
    }
    fputc('\n', c->out);
    fprintf(c->out, "techniques  %zu\n", json_array_size(json_object_get(a, "techniques")));
    json_array_foreach(json_object_get(a, "techniques"), i, v)
    {
        fputs("  ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(v, "id")));
        fputs("  ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(v, "name")));
        fputc('\n', c->out);
    }
    fputs("sources (and the link that joined each)\n", c->out);
    json_array_foreach(json_object_get(a, "members"), i, v)
    {
        fputs("  ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(v, "source")));
        fputc('/', c->out);
        cli_put_safe(c->out, cli_str(json_object_get(v, "via")));
        fputs(": ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(v, "name")));
        fputs("  ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(v, "ref")));
        fputc('\n', c->out);
        if (json_is_string(json_object_get(v, "note"))) {
            fputs("    note: ", c->out);
            cli_put_safe(c->out, cli_str(json_object_get(v, "note")));
            fputc('\n', c->out);
        }
        json_array_foreach(json_object_get(v, "joined"), j, s)
        {
            json_t *w = json_object_get(s, "with");
            fputs("    = ", c->out);
            cli_put_safe(c->out, cli_str(json_object_get(w, "name")));
            fputs(" (", c->out);
            cli_put_safe(c->out, cli_str(json_object_get(w, "via")));
            fputs(") by ", c->out);
            cli_put_safe(c->out, cli_str(json_object_get(s, "link")));
            if (json_is_string(json_object_get(s, "name"))) {
                fputs(" \"", c->out);
                cli_put_safe(c->out, cli_str(json_object_get(s, "name")));
                fputc('"', c->out);
            }
            fputc('\n', c->out);
        }
    }
    json_array_foreach(json_object_get(a, "related"), i, v)
    {
        /* The JSON tells the two directions and the members of one name apart; one line
         * says it once. */
        char key[512];
        snprintf(key, sizeof(key), "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s",
                 cli_str(json_object_get(v, "actor")), cli_str(json_object_get(v, "relation")),
                 cli_str(json_object_get(v, "name")),
                 cli_str(json_object_get(json_object_get(v, "member"), "name")),
                 cli_str(json_object_get(json_object_get(v, "other"), "name")),
                 cli_str(json_object_get(json_object_get(v, "other"), "via")));
        if (json_object_get(printed, key) != NULL)
            continue;
        json_object_set_new(printed, key, json_true());
        fputs(json_object_size(printed) == 1 ? "related actors (not merged)\n" : "", c->out);
        fputs("  ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(v, "actor")));
        fputs(": ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(v, "relation")));
        if (json_is_string(json_object_get(v, "link"))) {
            fputs(" (", c->out);
            cli_put_safe(c->out, cli_str(json_object_get(v, "link")));
            if (json_is_string(json_object_get(v, "name"))) {
                fputs(" \"", c->out);
                cli_put_safe(c->out, cli_str(json_object_get(v, "name")));
                fputc('"', c->out);
            }
            fputs("; ", c->out);
            cli_put_safe(c->out, cli_str(json_object_get(v, "why")));
            fputc(')', c->out);
        }
        fputs(", ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(json_object_get(v, "member"), "name")));
        fputs(" -> ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(json_object_get(v, "other"), "name")));
        fputs(" (", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(json_object_get(v, "other"), "via")));
        fputs(")\n", c->out);
    }
    json_decref(printed);
    json_array_foreach(json_object_get(a, "conflicts"), i, v)
    {
        fputs(i == 0 ? "conflicts (names other actors also claim)\n" : "", c->out);
        fputs("  ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(v, "name")));
        fputs(": also ", c->out);
        json_array_foreach(json_object_get(v, "also_claimed_by"), j, s)
        {
            if (j > 0)
                fputs(", ", c->out);
            cli_put_safe(c->out, cli_str(s));
        }
        fputc('\n', c->out);
    }
}

static void print_list(const struct cli *c, json_t *doc)
{
    json_t *a, *v;
    size_t i, j;
    char b[32];

    fprintf(c->out, "%-32s %-7s %10s  %s\n", "ACTOR", "SPONSOR", "INDICATORS", "ALIASES");
    json_array_foreach(json_object_get(doc, "actors"), i, a)
    {
        const char *name = cli_str(json_object_get(a, "name"));
        size_t n = strlen(name);
        cli_put_safe(c->out, name);
        fprintf(c->out, "%*s %-7s %10s  ", n < 32 ? (int)(32 - n) : 0, "",
                json_is_string(json_object_get(a, "country"))
                        ? cli_str(json_object_get(a, "country"))
                        : "-",
                cli_num(json_object_get(a, "indicators"), b, sizeof(b)));
        json_array_foreach(json_object_get(a, "aliases"), j, v)
        {
            if (j >= 6) {
                fprintf(c->out, ", +%zu", json_array_size(json_object_get(a, "aliases")) - j);
                break;
            }
            if (j > 0)
                fputs(", ", c->out);
            cli_put_safe(c->out, cli_str(v));
        }
        fputc('\n', c->out);
    }
    fprintf(c->out, "%zu actors, %zu disputed names (--format json lists them)\n",
            json_array_size(json_object_get(doc, "actors")),
            json_array_size(json_object_get(doc, "conflicts")));
}

int cmd_actors(struct cli *c, int argc, char **argv)
{
    const char *name = NULL;
    ruru_store *store;
    struct ruru_diag d;
    char *out = NULL;
    enum ruru_err err;
    json_t *doc;

    switch (cli_one_arg(c, argc, argv, ACTORS_USAGE, &name)) {
    case 1:
        return EXIT_CLEAN;
    case -1:
        return EXIT_ERROR;
    default:
        break;
    }
    store = cli_open_store(c);
    if (store == NULL)
        return EXIT_ERROR;
    memset(&d, 0, sizeof(d));
    err = ruru_actors(store, name, &out, &d);
    ruru_store_close(store);
    if (err != RURU_OK) {
        cli_error(err, &d, NULL);
        return EXIT_ERROR;
    }
    doc = json_loads(out, 0, NULL);
    ruru_free(out);
    if (c->format == OUT_JSON) {
        cli_print_json(c, doc);
    } else if (name != NULL) {
        json_t *a;
        size_t i;
        if (json_is_true(json_object_get(doc, "ambiguous")))
            fputs("ambiguous: several actors claim this name and nothing joins them; each "
                  "claimant is shown\n\n",
                  c->out);
        json_array_foreach(json_object_get(doc, "actors"), i, a)
        {
            if (i > 0)
                fputc('\n', c->out);
            print_actor(c, a);
        }
    } else {
        print_list(c, doc);
    }
    json_decref(doc);
    return EXIT_CLEAN;
}
