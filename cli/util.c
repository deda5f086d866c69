/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_common_option(struct cli *c, int argc, char **argv)
{
    const char *v = NULL;
    int used = 0;

    if (strcmp(argv[0], "--format") == 0 || strcmp(argv[0], "-f") == 0) {
        if (argc < 2) {
            fprintf(stderr, "ruru: %s needs a value (table or json)\n", argv[0]);
            return -1;
        }
        v = argv[1];
        used = 2;
    } else if (strncmp(argv[0], "--format=", 9) == 0) {
        v = argv[0] + 9;
        used = 1;
    } else if (strcmp(argv[0], "--json") == 0) {
        v = "json";
        used = 1;
    } else if (strcmp(argv[0], "--register") == 0) {
        if (argc < 2) {
            fprintf(stderr, "ruru: --register needs a URL (sqlite:PATH or postgresql://...)\n");
            return -1;
        }
        c->register_url = argv[1];
        return 2;
    } else if (strncmp(argv[0], "--register=", 11) == 0) {
        c->register_url = argv[0] + 11;
        return 1;
    } else if (strcmp(argv[0], "--home") == 0) {
        if (argc < 2) {
            fprintf(stderr, "ruru: --home needs a directory\n");
            return -1;
        }
        c->home = argv[1];
        return 2;
    } else if (strncmp(argv[0], "--home=", 7) == 0) {
        c->home = argv[0] + 7;
        return 1;
    } else {
        return 0;
    }
    if (strcmp(v, "table") == 0)
        c->format = OUT_TABLE;
    else if (strcmp(v, "json") == 0)
        c->format = OUT_JSON;
    else {
        fprintf(stderr, "ruru: unknown format \"%s\" (table or json)\n", v);
        return -1;
    }
    c->format_set = true;
    return used;
}

void cli_error(enum ruru_err err, const struct ruru_diag *d, const char *fallback_source)
{
    const char *src = d && d->source ? d->source : fallback_source;

    fputs("ruru: ", stderr);
    if (src != NULL) {
        cli_put_safe(stderr, src);
        if (d && d->line > 0)
            fprintf(stderr, ":%" PRIu64, d->line);
        if (d && d->col > 0)
            fprintf(stderr, ":%" PRIu64, d->col);
        fputs(": ", stderr);
    }
    cli_put_safe(stderr, d && d->msg[0] ? d->msg : ruru_strerror(err));
    fputc('\n', stderr);
}

ruru_store *cli_open_store(const struct cli *c)
{
    ruru_store *s = NULL;
    struct ruru_diag d;
    enum ruru_err err;

    memset(&d, 0, sizeof(d));
    err = ruru_store_open(c->home, &s, &d);
    if (err != RURU_OK) {
        cli_error(err, &d, c->home);
        return NULL;
    }
    return s;
}

void cli_print_json(const struct cli *c, json_t *doc)
{
    json_dumpf(doc, c->out, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    fputc('\n', c->out);
}

/* The length of the UTF-8 sequence at s (1-4), or 0 when it is none: overlong forms,
 * surrogates and code points past U+10FFFF are none. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;

    if (c >= 0xF5 || n == 0)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] >= 0x90))
        return 0;
    return n;
}

void cli_put_safe(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        size_t n = *p < 0x80 ? 1 : utf8_len(p);
        /* C0 controls and DEL; C1 controls (U+0080-U+009F: CSI is U+009B); bytes that are no
         * UTF-8, which an 8-bit terminal would take as C1 controls */
        if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f)) ||
            (n == 2 && p[0] == 0xC2 && p[1] < 0xA0)) {
            fputc('?', f);
            p += n ? n : 1;
            continue;
        }
        fwrite(p, 1, n, f);
        p += n;
    }
}

size_t cli_safe_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t cols = 0;

    /* What cli_put_safe writes, one column a character: a '?' for each byte it replaces. */
    while (*p) {
        size_t n = *p < 0x80 ? 1 : utf8_len(p);
        p += n ? n : 1;
        cols++;
    }
    return cols;
}

const char *cli_str(json_t *v)
{
    const char *s = json_string_value(v);

    return s ? s : "";
}

const char *cli_num(json_t *v, char *buf, size_t cap)
{
    if (json_is_integer(v))
        snprintf(buf, cap, "%" PRId64, (int64_t)json_integer_value(v));
    else if (json_is_string(v))
        snprintf(buf, cap, "%s", json_string_value(v));
    else
        snprintf(buf, cap, "-");
    return buf;
}

int cli_one_arg(struct cli *c, int argc, char **argv, const char *usage, const char **arg)
{
    *arg = NULL;
    for (int i = 0; i < argc; i++) {
        int used;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 1;
        }
        used = cli_common_option(c, argc - i, argv + i);
        if (used < 0)
            return -1;
        if (used > 0) {
            i += used - 1;
        } else if (*arg == NULL && argv[i][0] != '-') {
            *arg = argv[i];
        } else {
            fprintf(stderr, "ruru: unexpected argument \"%s\"\n%s", argv[i], usage);
            return -1;
        }
    }
    return 0;
}

int cli_read_config(const struct cli *c,
                    const char *config,
                    char *buf,
                    size_t cap,
                    size_t *n,
                    const char **path)
{
    static char home_config[4096];
    FILE *f;

    /* --config FILE, else $RURU_HOME/ruru.yaml when there is one */
    snprintf(home_config, sizeof(home_config), "%s/ruru.yaml", c->home);
    if (config == NULL && access(home_config, R_OK) == 0)
        config = home_config;
    *path = config;
    if (config == NULL)
        return 0;
    f = fopen(config, "rb");
    *n = f != NULL ? fread(buf, 1, cap, f) : 0;
    if (f == NULL || ferror(f) || *n == cap) {
        fputs("ruru: ", stderr);
        cli_put_safe(stderr, config);
        fputs(": cannot be read (or is over 64 KiB)\n", stderr);
        if (f != NULL)
            fclose(f);
        return -1;
    }
    fclose(f);
    return 1;
}

int cli_register_url(const struct cli *c,
                     const char *yaml,
                     size_t n,
                     const char *file,
                     char *buf,
                     size_t cap,
                     const char **url)
{
    const char *env = getenv("RURU_REGISTER");
    struct ruru_diag d;
    char *got = NULL;
    enum ruru_err err;

    *url = NULL;
    if (c->register_url != NULL && *c->register_url != '\0') {
        *url = c->register_url;
        return 0;
    }
    if (env != NULL && *env != '\0') {
        *url = env;
        return 0;
    }
    if (yaml == NULL)
        return 0;
    if ((err = ruru_config_register(yaml, n, file, &got, &d)) != RURU_OK) {
        cli_error(err, &d, file);
        return -1;
    }
    if (got != NULL) {
        snprintf(buf, cap, "%s", got);
        *url = buf;
        ruru_free(got);
    }
    return 0;
}

ruru_register *cli_open_register(const struct cli *c, const char *config)
{
    ruru_register *reg = NULL;
    struct ruru_diag d;
    enum ruru_err err;
    char buf[65536], where[4096];
    const char *url;
    size_t n = 0;
    int has = cli_read_config(c, config, buf, sizeof(buf), &n, &config);

    if (has < 0 ||
        cli_register_url(c, has > 0 ? buf : NULL, n, config, where, sizeof(where), &url) < 0)
        return NULL;
    if ((err = ruru_register_open_url(c->home, url, &reg, &d)) == RURU_OK && has > 0)
        err = ruru_register_set_config(reg, buf, n, config, &d);
    if (err != RURU_OK) {
        cli_error(err, &d, "register");
        ruru_register_close(reg);
        return NULL;
    }
    return reg;
}

/* The logsource ties of --config FILE, else of $RURU_HOME/ruru.yaml when there is one, into
 * *out (a JSON array of "LOGSOURCE=PATTERN"); false after printing why they cannot be read. */
bool cli_config_logsources(const struct cli *c, const char *config, json_t **out)
{
    char buf[65536], *json = NULL;
    struct ruru_diag d;
    size_t n = 0;
    enum ruru_err err;
    int has = cli_read_config(c, config, buf, sizeof(buf), &n, &config);

    if (has < 0)
        return false;
    if (has == 0) {
        *out = json_array();
        return *out != NULL;
    }
    memset(&d, 0, sizeof(d));
    if ((err = ruru_config_logsources(buf, n, config, &json, &d)) != RURU_OK) {
        cli_error(err, &d, config);
        return false;
    }
    *out = json_loads(json, 0, NULL);
    ruru_free(json);
    return *out != NULL;
}
