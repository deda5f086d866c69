/* SPDX-License-Identifier: Apache-2.0 */
/* `ruru tokens`: the API tokens of `ruru serve`, each one organisation's with one role. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
        "usage: ruru tokens [list] [--format table|json]\n"
        "       ruru tokens add ORG --role read|submit|admin [--label TEXT]\n"
        "       ruru tokens revoke ID\n"
        "\n"
        "The API tokens of `ruru serve` (docs/serve.md). add makes a token for an\n"
        "organisation (adding it when new) and prints it alone on standard output: it is shown\n"
        "this once, and the register keeps only its SHA-256. read: lookups, the organisation's\n"
        "incidents and exports, national aggregates; submit: read, and posting logs and\n"
        "sightings; admin: the CERT's analysts, everything of every organisation. list shows\n"
        "ids, organisations, roles and times, never a secret; revoke ends a token for good.\n"
        "  --role ROLE            read, submit or admin (add)\n"
        "  --label TEXT           a note for people: whose, what for (add)\n"
        "  --config FILE          the settings (default: $RURU_HOME/ruru.yaml when there is one)\n";

static void pad(FILE *f, size_t have, size_t want)
{
    fprintf(f, "%*s", (int)(want > have ? want - have : 0), "");
}

static void print_list(const struct cli *c, json_t *doc)
{
    size_t i, w = 3, revoked = 0; /* the widest organisation */
    json_t *t, *list = json_object_get(doc, "tokens");

    json_array_foreach(list, i, t)
    {
        size_t n = cli_safe_width(cli_str(json_object_get(t, "org")));
        w = n > w ? n : w;
    }
    json_array_foreach(list, i, t)
    {
        const char *role = cli_str(json_object_get(t, "role"));
        cli_put_safe(c->out, cli_str(json_object_get(t, "id")));
        fputs("  ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(t, "org")));
        pad(c->out, cli_safe_width(cli_str(json_object_get(t, "org"))), w + 2);
        cli_put_safe(c->out, role);
        pad(c->out, cli_safe_width(role), 8);
        fputs("created ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(t, "created")));
        if (json_is_string(json_object_get(t, "revoked"))) {
            fputs("  revoked ", c->out);
            cli_put_safe(c->out, cli_str(json_object_get(t, "revoked")));
            revoked++;
        }
        if (json_is_string(json_object_get(t, "label"))) {
            fputs("  ", c->out);
            cli_put_safe(c->out, cli_str(json_object_get(t, "label")));
        }
        fputc('\n', c->out);
    }
    fprintf(c->out, "%zu token%s, %zu revoked\n", json_array_size(list),
            json_array_size(list) == 1 ? "" : "s", revoked);
}

/* The token alone on stdout (to be piped or copied), and on stderr what it is. */
static int print_added(const char *token, const char *json)
{
    json_t *doc = json_loads(json, 0, NULL);

    if (doc == NULL)
        return EXIT_ERROR;
    fputs(token, stdout);
    fputc('\n', stdout);
    fputs("ruru: this token is shown only this once; id ", stderr);
    cli_put_safe(stderr, cli_str(json_object_get(doc, "id")));
    fputs(", organisation ", stderr);
    cli_put_safe(stderr, cli_str(json_object_get(doc, "org")));
    fputs(", role ", stderr);
    cli_put_safe(stderr, cli_str(json_object_get(doc, "role")));
    fputc('\n', stderr);
    json_decref(doc);
    return fflush(stdout) == 0 ? EXIT_CLEAN : EXIT_ERROR;
}

int cmd_tokens(struct cli *c, int argc, char **argv)
{
    const char *verb = "list", *arg = NULL, *role = NULL, *label = NULL, *config = NULL;
    ruru_register *reg;
    struct ruru_diag d;
    enum ruru_err err;
    char *out = NULL, *token = NULL;
    int i = 0, rc = EXIT_CLEAN;

    if (argc > 0 && (strcmp(argv[0], "list") == 0 || strcmp(argv[0], "add") == 0 ||
                     strcmp(argv[0], "revoke") == 0)) {
        verb = argv[0];
        i = 1;
    }
    for (; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool is_add = strcmp(verb, "add") == 0;
        int used;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(USAGE, stdout);
            return EXIT_CLEAN;
        }
        if ((is_add && (strcmp(a, "--role") == 0 || strcmp(a, "--label") == 0)) ||
            strcmp(a, "--config") == 0) {
            if (v == NULL) {
                fprintf(stderr, "ruru: %s needs a value\n", a);
                return EXIT_ERROR;
            }
            *(a[2] == 'r' ? &role : a[2] == 'l' ? &label : &config) = v;
            i++;
        } else if ((used = cli_common_option(c, argc - i, argv + i)) != 0) {
            if (used < 0)
                return EXIT_ERROR;
            i += used - 1;
        } else if (a[0] != '-' && arg == NULL && strcmp(verb, "list") != 0) {
            arg = a;
        } else {
            fputs("ruru: unexpected argument \"", stderr);
            cli_put_safe(stderr, a);
            fprintf(stderr, "\"\n%s", USAGE);
            return EXIT_ERROR;
        }
    }
    if (strcmp(verb, "list") != 0 && arg == NULL) {
        fprintf(stderr, "ruru: tokens %s needs %s\n%s", verb,
                verb[0] == 'a' ? "the organisation (ORG)" : "the token's ID", USAGE);
        return EXIT_ERROR;
    }
    if (strcmp(verb, "add") == 0 && role == NULL) {
        fprintf(stderr, "ruru: tokens add needs --role read, submit or admin\n%s", USAGE);
        return EXIT_ERROR;
    }
    if ((reg = cli_open_register(c, config)) == NULL)
        return EXIT_ERROR;
    if (strcmp(verb, "add") == 0)
        err = ruru_register_token_add(reg, arg, role, label, &token, &out, &d);
    else if (strcmp(verb, "revoke") == 0)
        err = ruru_register_token_revoke(reg, arg, &d);
    else
        err = ruru_register_tokens(reg, &out, &d);
    ruru_register_close(reg);
    if (err != RURU_OK) {
        cli_error(err, &d, "register");
        return EXIT_ERROR;
    }
    if (token != NULL) {
        rc = print_added(token, out);
        explicit_bzero(token, strlen(token));
        ruru_free(token);
    } else if (out != NULL) {
        json_t *doc = json_loads(out, 0, NULL);
        if (doc == NULL)
            rc = EXIT_ERROR;
        else if (c->format == OUT_JSON)
            cli_print_json(c, doc);
        else
            print_list(c, doc);
        json_decref(doc);
    }
    ruru_free(out);
    return rc;
}
