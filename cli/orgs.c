/* SPDX-License-Identifier: Apache-2.0 */
/* `ruru orgs`: the organisations the register's incidents concern, and their sectors. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
        "usage: ruru orgs [list] [--format table|json]\n"
        "       ruru orgs add NAME [--sector SECTOR]\n"
        "       ruru orgs remove NAME\n"
        "\n"
        "The organisations the CERT serves: `ruru scan --record --org NAME` records a sweep for\n"
        "one (adding it when new, with the sector ruru.yaml's orgs: gives it), and `ruru stats\n"
        "--by org` or `--by sector` counts per organisation or sector. add sets a sector (added\n"
        "again, the new sector replaces the old); remove is refused while incidents concern it.\n"
        "  --config FILE          the settings (default: $RURU_HOME/ruru.yaml when there is one)\n";

static void print_list(const struct cli *c, json_t *doc)
{
    size_t i, w = 4, ws = 11; /* the widest name, sector ("(no sector)") */
    json_t *o;

    json_array_foreach(json_object_get(doc, "orgs"), i, o)
    {
        size_t n = cli_safe_width(cli_str(json_object_get(o, "name")));
        size_t m = cli_safe_width(cli_str(json_object_get(o, "sector")));
        w = n > w ? n : w;
        ws = m > ws ? m : ws;
    }
    json_array_foreach(json_object_get(doc, "orgs"), i, o)
    {
        char a[32], b[32];
        cli_put_safe(c->out, cli_str(json_object_get(o, "name")));
        fprintf(c->out, "%*s  ", (int)(w - cli_safe_width(cli_str(json_object_get(o, "name")))),
                "");
        if (json_is_string(json_object_get(o, "sector")))
            cli_put_safe(c->out, cli_str(json_object_get(o, "sector")));
        else
            fputs("(no sector)", c->out);
        fprintf(c->out, "%*s  %s incidents, %s serious\n",
                (int)(ws - (json_is_string(json_object_get(o, "sector"))
                                    ? cli_safe_width(cli_str(json_object_get(o, "sector")))
                                    : 11)),
                "", cli_num(json_object_get(o, "incidents"), a, sizeof(a)),
                cli_num(json_object_get(o, "serious"), b, sizeof(b)));
    }
    fprintf(c->out, "%zu organisations\n", json_array_size(json_object_get(doc, "orgs")));
}

int cmd_orgs(struct cli *c, int argc, char **argv)
{
    const char *verb = "list", *name = NULL, *sector = NULL, *config = NULL;
    ruru_register *reg;
    struct ruru_diag d;
    enum ruru_err err;
    char *out = NULL;
    int i = 0;

    if (argc > 0 && (strcmp(argv[0], "list") == 0 || strcmp(argv[0], "add") == 0 ||
                     strcmp(argv[0], "remove") == 0)) {
        verb = argv[0];
        i = 1;
    }
    for (; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int used;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(USAGE, stdout);
            return EXIT_CLEAN;
        }
        if ((strcmp(a, "--sector") == 0 && strcmp(verb, "add") == 0) ||
            strcmp(a, "--config") == 0) {
            if (v == NULL) {
                fprintf(stderr, "ruru: %s needs a value\n", a);
                return EXIT_ERROR;
            }
            *(a[2] == 's' ? &sector : &config) = v;
            i++;
        } else if ((used = cli_common_option(c, argc - i, argv + i)) != 0) {
            if (used < 0)
                return EXIT_ERROR;
            i += used - 1;
        } else if (a[0] != '-' && name == NULL && strcmp(verb, "list") != 0) {
            name = a;
        } else {
            fputs("ruru: unexpected argument \"", stderr);
            cli_put_safe(stderr, a);
            fprintf(stderr, "\"\n%s", USAGE);
            return EXIT_ERROR;
        }
    }
    if (strcmp(verb, "list") != 0 && name == NULL) {
        fprintf(stderr, "ruru: orgs %s needs the organisation's NAME\n%s", verb, USAGE);
        return EXIT_ERROR;
    }
    if ((reg = cli_open_register(c, config)) == NULL)
        return EXIT_ERROR;
    if (strcmp(verb, "add") == 0)
        err = ruru_register_org_add(reg, name, sector, &d);
    else if (strcmp(verb, "remove") == 0)
        err = ruru_register_org_remove(reg, name, &d);
    else
        err = ruru_register_orgs(reg, &out, &d);
    ruru_register_close(reg);
    if (err != RURU_OK) {
        cli_error(err, &d, "register");
        return EXIT_ERROR;
    }
    if (out != NULL) {
        json_t *doc = json_loads(out, 0, NULL);
        ruru_free(out);
        if (doc == NULL)
            return EXIT_ERROR;
        if (c->format == OUT_JSON)
            cli_print_json(c, doc);
        else
            print_list(c, doc);
        json_decref(doc);
    }
    return EXIT_CLEAN;
}
