/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ruru scan`: sweep logs against the store's intel, or against intel files given with
 * --intel (an in-memory store, nothing written: `ruru scan --intel iocs.csv /var/log/nginx`).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char USAGE[] =
        "usage: ruru scan [OPTIONS] PATH...\n"
        "\n"
        "Sweeps log files, directories (recursively) and - (standard input; the default when\n"
        "it is not a terminal) for the indicators of the store, or of the files given with\n"
        "--intel, and evaluates Sigma rules on the same records: ruru's own and those given\n"
        "with --rules. gzip and zstd are read transparently; the log format is detected per\n"
        "input.\n"
        "\n"
        "Options:\n"
        "  --intel PATH           sweep for the indicators of PATH (a file or directory of\n"
        "                         STIX, MISP, CSV/text, Zeek or CHIRP intel) instead of the\n"
        "                         store's, with the store's warninglists; may be repeated;\n"
        "                         intel that gives no indicator at all is an error (exit 2)\n"
        "  --rules PATH           also evaluate the Sigma rules of PATH (a file or a directory\n"
        "                         laid out like SigmaHQ's); may be repeated; a rule refused\n"
        "                         is said, and the sweep ends in error (exit 2)\n"
        "  --no-default-rules     leave out ruru's own rules (Exchange exploitation, web shells)\n"
        "  --logsource LS=PATH    tie the Sigma logsource LS (PRODUCT[/SERVICE], or\n"
        "                         category:C,product:P,service:S) to the inputs PATH names (a\n"
        "                         file, a directory above them, a glob; without '/', a file\n"
        "                         name): its rules run on them whatever their format. Rules\n"
        "                         of a logsource ruru ties to no format (Cisco, a JVM ...) run\n"
        "                         nowhere else. May be repeated; ruru.yaml's logsources: too\n"
        "  --log-format NAME      force the format of every input: text, apache (nginx),\n"
        "                         w3c (iis), zeek, zeek-json, eve (suricata), jsonl (json,\n"
        "                         ecs), syslog, cef, csv (exchange)\n"
        "  -j, --threads N        matching threads (default: one per core)\n"
        "  --year YYYY            the year of syslog (RFC 3164) lines, which carry none\n"
        "                         (default: per file, the latest year that puts no line after\n"
        "                         the file's modification time; standard input: now)\n"
        "  --format FMT           jsonl, json, csv or table (default: table on a terminal,\n"
        "                         else jsonl)\n"
        "  -o, --output FILE      write the sightings to FILE\n"
        "  --summary FILE         write the coverage summary (JSON) to FILE\n"
        "  --record               group the sightings into incidents, judge them and keep them\n"
        "                         in the register (see ruru report, ruru stats)\n"
        "  --org NAME             with --record: for organisation NAME (added to ruru orgs when\n"
        "                         new; default: none, the CERT's own)\n"
        "  --config FILE          the judgement's settings and logsource ties (default:\n"
        "                         $RURU_HOME/ruru.yaml when there is one, else the built-in\n"
        "                         ones, as in ruru.yaml)\n"
        "  -q, --quiet            no coverage summary on standard error\n"
        "  -v, --verbose          name the rules that ran on no record in the summary\n"
        "  --home DIR             the store directory\n"
        "\n"
        "Exit status: 0 nothing found, 1 sightings, 2 error (an input or intel file that could\n"
        "not be read, a --rules rule refused; the rest is still swept and reported).\n";

enum scan_format { SF_JSONL, SF_JSON, SF_CSV, SF_TABLE };

struct scan_cli {
    enum scan_format format;
    FILE *out;
    json_t *all;    /* SF_JSON: the sightings */
    json_t *record; /* --record: the sightings, for the register */
    json_t *same;   /* table: the sightings of one record and value not printed yet */
    uint64_t n;
    bool tty_progress;
};

/* A CSV cell (RFC 4180 quoting). A cell a spreadsheet would take as a formula (it begins with
 * =, +, -, @, a tab or a carriage return: OWASP's CSV injection list) gets a leading ' and is
 * quoted, so that log text such as =HYPERLINK(...) stays text; other control characters
 * become '?'. */
static void csv_field(FILE *f, const char *s)
{
    bool formula = strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;

    if (quote)
        fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"')
            fputc('"', f);
        fputc(ch < 0x20 && ch != '\t' ? '?' : ch, f);
    }
    if (quote)
        fputc('"', f);
}

/* The value at a dotted path of nested objects ("log.offset"), or NULL. */
static json_t *at(json_t *o, const char *path)
{
    char key[64];
    const char *dot;

    while ((dot = strchr(path, '.')) != NULL) {
        size_t n = (size_t)(dot - path);
        if (n >= sizeof(key))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        o = json_object_get(o, key);
        path = dot + 1;
    }
    return json_object_get(o, path);
}

static const char *path_str(json_t *o, const char *path)
{
    return cli_str(at(o, path));
}

static void actors_text(json_t *ind, char *buf, size_t cap)
{
    json_t *a;
    size_t i, k = 0;

    buf[0] = '\0';
    json_array_foreach(json_object_get(ind, "actors"), i, a)
    {
        int n = snprintf(buf + k, cap - k, "%s%s", k ? "; " : "",
                         cli_str(json_object_get(a, "name")));
        if (n < 0 || (size_t)n >= cap - k)
            break;
        k += (size_t)n;
    }
}

static const char *CSV_HEADER = "time,asset,file,line,offset,format,field,observed,indicator_type,"
                                "indicator,source,intel_file,object,confidence,actors,"
                                "warninglist,sha256\n";

/* A rule's or a correlation's sighting. */
static void rule_row(struct scan_cli *sc, json_t *o)
{
    json_t *ru = json_object_get(o, "ruru"), *rule = json_object_get(ru, "rule");
    json_t *m = json_array_get(json_object_get(ru, "matched"), 0), *x;
    bool corr = strcmp(path_str(o, "event.dataset"), "ruru.correlation") == 0;
    char line[32], off[32];
    size_t i;

    cli_num(json_object_get(ru, "line"), line, sizeof(line));
    cli_num(json_object_get(json_object_get(o, "log"), "offset"), off, sizeof(off));
    if (sc->format == SF_CSV) {
        const char *cols[] = {
                path_str(o, "@timestamp"),
                path_str(ru, "asset"),
                path_str(o, "log.file.path"),
                corr ? "" : line,
                corr ? "" : off,
                path_str(ru, "format"),
                m ? (*path_str(m, "canonical") ? path_str(m, "canonical") : path_str(m, "native"))
                  : "",
                m ? path_str(m, "value") : "",
                corr ? "correlation" : "rule",
                path_str(rule, "title"),
                path_str(rule, "level"),
                path_str(rule, "file"),
                path_str(rule, "id"),
                "",
                "",
                "",
                path_str(ru, "sha256")};
        for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
            if (i)
                fputc(',', sc->out);
            csv_field(sc->out, cols[i]);
        }
        fputc('\n', sc->out);
        return;
    }
    fprintf(sc->out, "%-20s  ", *path_str(o, "@timestamp") ? path_str(o, "@timestamp") : "-");
    if (corr) {
        fputs("correlation ", sc->out);
    } else {
        cli_put_safe(sc->out, path_str(o, "log.file.path"));
        fprintf(sc->out, ":%s  rule ", line);
    }
    cli_put_safe(sc->out, *path_str(rule, "level") ? path_str(rule, "level") : "-");
    fputs(" \"", sc->out);
    cli_put_safe(sc->out, path_str(rule, "title"));
    fputc('"', sc->out);
    if (*path_str(rule, "class")) {
        fputs(" [", sc->out);
        cli_put_safe(sc->out, path_str(rule, "class"));
        fputc(']', sc->out);
    }
    if (corr) {
        const char *k;
        json_t *v;
        fputs("  group", sc->out);
        json_object_foreach(json_object_get(json_object_get(ru, "correlation"), "group"), k, v)
        {
            fputc(' ', sc->out);
            cli_put_safe(sc->out, k);
            fputc('=', sc->out);
            cli_put_safe(sc->out, cli_str(v));
        }
        fprintf(sc->out, "  %zu members, until ", json_array_size(json_object_get(ru, "members")));
        cli_put_safe(sc->out, path_str(ru, "correlation.last"));
    } else {
        json_array_foreach(json_object_get(ru, "matched"), i, x)
        {
            fputs(i == 0 ? "  " : ", ", sc->out);
            cli_put_safe(sc->out, *path_str(x, "canonical") ? path_str(x, "canonical")
                                                            : path_str(x, "native"));
            fputc('=', sc->out);
            cli_put_safe(sc->out, path_str(x, "value"));
        }
    }
    if (json_is_true(json_object_get(ru, "matched_keywords")))
        fputs(json_array_size(json_object_get(ru, "matched")) > 0 ? " and keywords" : "  keywords",
              sc->out);
    if (*path_str(ru, "asset")) {
        fputs("  asset ", sc->out);
        cli_put_safe(sc->out, path_str(ru, "asset"));
    }
    if (*path_str(rule, "author")) {
        fputs("  (", sc->out);
        cli_put_safe(sc->out, path_str(rule, "author"));
        fputc(')', sc->out);
    }
    fputc('\n', sc->out);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash != NULL ? slash + 1 : path;
}

/* The actors of every entry, each once, in order, "; " between them. */
static void actors_of_all(json_t *docs, char *buf, size_t cap)
{
    const char *seen[64];
    size_t n_seen = 0, i, j, k = 0;
    json_t *doc, *a;

    buf[0] = '\0';
    json_array_foreach(docs, i, doc)
    {
        json_array_foreach(at(doc, "ruru.indicator.actors"), j, a)
        {
            const char *name = cli_str(json_object_get(a, "name"));
            size_t s = 0;
            int n;
            while (s < n_seen && strcmp(seen[s], name) != 0)
                s++;
            if (s < n_seen || *name == '\0')
                continue;
            n = snprintf(buf + k, cap - k, "%s%s", k ? "; " : "", name);
            if (n < 0 || (size_t)n >= cap - k || n_seen == sizeof(seen) / sizeof(seen[0])) {
                buf[k] = '\0';
                return;
            }
            k += (size_t)n;
            seen[n_seen++] = name;
        }
    }
}

/* One line of the table for one finding: the record, the value, and every intel entry that
 * named it (`docs`: the sightings of that record and value, the first one `docs[0]`). */
static void table_row(struct scan_cli *sc, json_t *docs)
{
    json_t *o = json_array_get(docs, 0), *ru = json_object_get(o, "ruru");
    json_t *ind = json_object_get(ru, "indicator"), *wl = NULL, *doc;
    json_t *members = json_object_get(ru, "members");
    char actors[512], line[32];
    const char *field = path_str(ru, "field.canonical"), *last_source = NULL;
    bool pattern = strcmp(path_str(ind, "type"), "stix-pattern") == 0;
    size_t i, n = json_array_size(docs);

    if (*field == '\0')
        field = path_str(ru, "field.native");
    actors_of_all(docs, actors, sizeof(actors));
    cli_num(json_object_get(ru, "line"), line, sizeof(line));
    fprintf(sc->out, "%-20s  ", *path_str(o, "@timestamp") ? path_str(o, "@timestamp") : "-");
    if (members != NULL) {
        json_t *m;
        fputs("pattern over", sc->out);
        json_array_foreach(members, i, m)
        {
            fputs(i == 0 ? " " : ", ", sc->out);
            cli_put_safe(sc->out, path_str(m, "log.file.path"));
            fputc(':', sc->out);
            cli_num(json_object_get(json_object_get(m, "ruru"), "line"), line, sizeof(line));
            fputs(line, sc->out);
        }
        fputs("  ", sc->out);
    } else {
        cli_put_safe(sc->out, path_str(o, "log.file.path"));
        fprintf(sc->out, ":%s  ", line);
        if (pattern) {
            fputs("pattern  ", sc->out);
        } else {
            cli_put_safe(sc->out, *field ? field : "text");
            fputc('=', sc->out);
            cli_put_safe(sc->out, path_str(ru, "observed"));
            fputs("  ", sc->out);
        }
    }
    cli_put_safe(sc->out, path_str(ind, "type"));
    fputc(' ', sc->out);
    cli_put_safe(sc->out, path_str(ind, "value"));
    /* The intel that names it: "[source file, file; other-source file]", each file by its
     * name (one value often comes from several files of a source); a file named twice (two
     * reports listed in one file) shows each entry's provenance. */
    fputs("  [", sc->out);
    json_array_foreach(docs, i, doc)
    {
        json_t *x = at(doc, "ruru.indicator");
        const char *source = path_str(x, "source"), *file = base_name(path_str(x, "file"));
        bool twice = false;
        for (size_t k = 0; k < n && !twice; k++)
            twice = k != i &&
                    strcmp(base_name(path_str(json_array_get(docs, k), "ruru.indicator.file")),
                           file) == 0;
        if (last_source == NULL || strcmp(last_source, source) != 0) {
            fputs(last_source == NULL ? "" : "; ", sc->out);
            cli_put_safe(sc->out, source);
        } else {
            fputc(',', sc->out);
        }
        last_source = source;
        fputc(' ', sc->out);
        cli_put_safe(sc->out, file);
        if (twice && *path_str(x, "created_by")) {
            fputs(" (", sc->out);
            cli_put_safe(sc->out, path_str(x, "created_by"));
            fputc(')', sc->out);
        }
        if (wl == NULL)
            wl = json_array_get(at(doc, "ruru.warninglists"), 0);
    }
    fputc(']', sc->out);
    if (actors[0]) {
        fputs("  ", sc->out);
        cli_put_safe(sc->out, actors);
    }
    if (*path_str(ru, "asset")) {
        fputs("  asset ", sc->out);
        cli_put_safe(sc->out, path_str(ru, "asset"));
    }
    if (wl) {
        fputs("  (warninglist: ", sc->out);
        cli_put_safe(sc->out, path_str(wl, "name"));
        fputc(')', sc->out);
    }
    fputc('\n', sc->out);
}

/* Prints the finding the table holds back, if any. */
static void flush_same(struct scan_cli *sc)
{
    if (json_array_size(sc->same) == 0)
        return;
    table_row(sc, sc->same);
    json_array_clear(sc->same);
}

/* Two sightings of one finding: the same record (input, offset, line) and the same value
 * (indicator type and value, seen in the same field): the intel entries that name one value
 * are one line of the table. The sweep reports such sightings one after the other. */
static bool same_finding(json_t *a, json_t *b)
{
    static const char *const paths[] = {
            "log.file.path",        "log.offset",        "ruru.line",    "ruru.indicator.type",
            "ruru.indicator.value", "ruru.field.native", "ruru.observed"};

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        json_t *x = at(a, paths[i]), *y = at(b, paths[i]);
        if (x != y && !json_equal(x, y))
            return false;
    }
    return true;
}

static void row(struct scan_cli *sc, json_t *o)
{
    json_t *ru = json_object_get(o, "ruru"), *ind = json_object_get(ru, "indicator");
    json_t *wl = json_array_get(json_object_get(ru, "warninglists"), 0);
    json_t *members = json_object_get(ru, "members");
    char actors[512], line[32], off[32], conf[32], n_members[32];
    const char *field = path_str(ru, "field.canonical");
    bool pattern = strcmp(path_str(ind, "type"), "stix-pattern") == 0;

    if (sc->format == SF_TABLE) {
        /* one line per finding, the evidence first; the intel entries naming one value in one
         * record are one finding, held back until a sighting of something else comes */
        if (json_array_size(sc->same) > 0 &&
            (members != NULL || !same_finding(json_array_get(sc->same, 0), o)))
            flush_same(sc);
        if (sc->same == NULL)
            sc->same = json_array();
        json_array_append(sc->same, o);
        if (members != NULL) /* a pattern over several records: a finding of its own */
            flush_same(sc);
        return;
    }
    if (*field == '\0')
        field = path_str(ru, "field.native");
    actors_text(ind, actors, sizeof(actors));
    cli_num(json_object_get(ru, "line"), line, sizeof(line));
    cli_num(json_object_get(o, "log") ? json_object_get(json_object_get(o, "log"), "offset") : NULL,
            off, sizeof(off));
    cli_num(json_object_get(ind, "confidence"), conf, sizeof(conf));
    /* a pattern of several observations: its records are the evidence */
    snprintf(n_members, sizeof(n_members), "%zu records", json_array_size(members));
    if (sc->format == SF_CSV) {
        json_t *m0 = json_array_get(members, 0);
        const char *cols[] = {path_str(o, "@timestamp"),
                              members ? path_str(m0, "ruru.asset") : path_str(ru, "asset"),
                              members ? path_str(m0, "log.file.path")
                                      : path_str(o, "log.file.path"),
                              members ? "" : line,
                              members ? "" : off,
                              path_str(ru, "format"),
                              pattern ? "pattern" : field,
                              members   ? n_members
                              : pattern ? ""
                                        : path_str(ru, "observed"),
                              path_str(ind, "type"),
                              path_str(ind, "value"),
                              path_str(ind, "source"),
                              path_str(ind, "file"),
                              path_str(ind, "object"),
                              json_object_get(ind, "confidence") ? conf : "",
                              actors,
                              wl ? path_str(wl, "name") : "",
                              path_str(ru, "sha256")};
        for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
            if (i)
                fputc(',', sc->out);
            csv_field(sc->out, cols[i]);
        }
        fputc('\n', sc->out);
    }
}

static int on_sighting(void *ctx, const char *json)
{
    struct scan_cli *sc = ctx;
    json_t *o;

    sc->n++;
    if (sc->record != NULL)
        json_array_append_new(sc->record, json_loads(json, 0, NULL));
    if (sc->format == SF_JSONL) {
        fputs(json, sc->out);
        fputc('\n', sc->out);
        return 0;
    }
    if ((o = json_loads(json, 0, NULL)) == NULL)
        return 0;
    if (sc->format == SF_JSON) {
        json_array_append_new(sc->all, o);
    } else {
        if (json_object_get(json_object_get(o, "ruru"), "rule") != NULL) {
            if (sc->format == SF_TABLE)
                flush_same(sc);
            rule_row(sc, o);
        } else
            row(sc, o);
        json_decref(o);
    }
    return 0;
}

static void on_error(void *ctx, enum ruru_err err, const struct ruru_diag *d)
{
    struct scan_cli *sc = ctx;

    if (sc->tty_progress)
        fputs("\r\033[K", stderr);
    cli_error(err, d, NULL);
}

static void on_progress(void *ctx, uint64_t bytes, const char *path)
{
    struct scan_cli *sc = ctx;

    if (!sc->tty_progress)
        return;
    fprintf(stderr, "\r\033[Kruru: %.1f MB read, %" PRIu64 " sightings, ", (double)bytes / 1e6,
            sc->n);
    cli_put_safe(stderr, path);
}

/* The rules that ran on no record, by logsource: the counts (the first few), and with -v the
 * titles of each. */
static void print_not_run(json_t *info, bool verbose)
{
    json_t *g, *t, *groups = json_object_get(info, "rules_not_run_by_logsource");
    json_int_t n = json_integer_value(json_object_get(info, "rules_not_run")), tie = 0;
    size_t i, k, shown = 0;
    char a[32], b[32];

    if (n == 0)
        return;
    fprintf(stderr, "ruru: %s of %s rules ran on no record (no input holds their logsource):",
            cli_num(json_object_get(info, "rules_not_run"), a, 32),
            cli_num(json_object_get(info, "rules"), b, 32));
    json_array_foreach(groups, i, g)
    {
        if (json_is_true(json_object_get(g, "needs_tie")))
            tie += json_integer_value(json_object_get(g, "rules"));
        if (i >= 6 && !verbose)
            continue;
        fputs(shown++ ? ", " : " ", stderr);
        cli_put_safe(stderr, cli_str(json_object_get(g, "logsource")));
        fprintf(stderr, " %s", cli_num(json_object_get(g, "rules"), a, 32));
    }
    if (json_array_size(groups) > shown)
        fprintf(stderr, " and %zu more logsources", json_array_size(groups) - shown);
    fputs(verbose ? "\n" : " (-v names them)\n", stderr);
    if (tie > 0)
        fprintf(stderr,
                "ruru: %" JSON_INTEGER_FORMAT " of them run only on inputs tied to their "
                "logsource, which ruru ties to no log format (--logsource LOGSOURCE=PATH, or "
                "logsources: in ruru.yaml)\n",
                tie);
    if (!verbose)
        return;
    json_array_foreach(groups, i, g)
    {
        fputs("ruru:   ", stderr);
        cli_put_safe(stderr, cli_str(json_object_get(g, "logsource")));
        fputs(json_is_true(json_object_get(g, "needs_tie")) ? " (needs a tie):" : ":", stderr);
        json_array_foreach(json_object_get(g, "titles"), k, t)
        {
            fputs(k ? "; " : " ", stderr);
            cli_put_safe(stderr, cli_str(t));
        }
        fputc('\n', stderr);
    }
}

/* "PATH: apache, 1200 lines (3 unparsed: 17, 80, ...), 2021-03-01T00:00:00Z .. ..., 4 sightings" */
static void print_summary(json_t *doc, bool verbose)
{
    json_t *in, *info = json_object_get(doc, "scan");
    size_t i;
    char a[32], b[32], c[32], d[32];

    json_array_foreach(json_object_get(doc, "inputs"), i, in)
    {
        json_t *un = json_object_get(in, "unparsed_lines"), *x, *nf;
        size_t k;
        fputs("ruru: ", stderr);
        cli_put_safe(stderr, cli_str(json_object_get(in, "path")));
        if (json_is_string(json_object_get(in, "error")) &&
            !json_is_string(json_object_get(in, "format"))) {
            fputs(": not read\n", stderr);
            continue;
        }
        fprintf(stderr, ": %s, %s lines, %s parsed, %s unparsed",
                cli_str(json_object_get(in, "format")),
                cli_num(json_object_get(in, "lines"), a, 32),
                cli_num(json_object_get(in, "parsed"), b, 32),
                cli_num(json_object_get(in, "unparsed"), c, 32));
        if (json_array_size(un) > 0) {
            fputs(" (line", stderr);
            json_array_foreach(un, k, x) fprintf(stderr, "%s%s", k ? ", " : " ", cli_num(x, a, 32));
            fputs((json_int_t)json_array_size(un) <
                                  json_integer_value(json_object_get(in, "unparsed"))
                          ? ", ...)"
                          : ")",
                  stderr);
        }
        un = json_object_get(in, "truncated_lines");
        if (json_integer_value(json_object_get(in, "truncated")) > 0) {
            /* records of more fields than ruru keeps: the rest was matched as text */
            fprintf(stderr, ", %s with too many fields (line",
                    cli_num(json_object_get(in, "truncated"), a, 32));
            json_array_foreach(un, k, x) fprintf(stderr, "%s%s", k ? ", " : " ", cli_num(x, a, 32));
            fputs((json_int_t)json_array_size(un) <
                                  json_integer_value(json_object_get(in, "truncated"))
                          ? ", ...; the rest matched as text)"
                          : "; the rest matched as text)",
                  stderr);
        }
        if (json_is_string(json_object_get(in, "first")))
            fprintf(stderr, ", %s .. %s", cli_str(json_object_get(in, "first")),
                    cli_str(json_object_get(in, "last")));
        fprintf(stderr, ", %s sightings", cli_num(json_object_get(in, "sightings"), d, 32));
        json_array_foreach(json_object_get(in, "logsources"), k, x)
        {
            fputs(k == 0 ? ", tied to " : " and ", stderr);
            cli_put_safe(stderr, cli_str(x));
        }
        nf = json_object_get(in, "not_in_force");
        if (json_integer_value(json_object_get(nf, "expired")) +
                    json_integer_value(json_object_get(nf, "not_yet_valid")) +
                    json_integer_value(json_object_get(nf, "revoked")) +
                    json_integer_value(json_object_get(nf, "not_for_detection")) >
            0)
            fprintf(stderr,
                    " (not counted: %" PRId64 " expired, %" PRId64 " not yet valid, %" PRId64
                    " revoked, %" PRId64 " not for detection)",
                    (int64_t)json_integer_value(json_object_get(nf, "expired")),
                    (int64_t)json_integer_value(json_object_get(nf, "not_yet_valid")),
                    (int64_t)json_integer_value(json_object_get(nf, "revoked")),
                    (int64_t)json_integer_value(json_object_get(nf, "not_for_detection")));
        fputc('\n', stderr);
    }
    json_array_foreach(json_object_get(doc, "skipped"), i, in)
    {
        fputs("ruru: ", stderr);
        cli_put_safe(stderr, cli_str(json_object_get(in, "path")));
        fputs(": skipped: ", stderr);
        cli_put_safe(stderr, cli_str(json_object_get(in, "reason")));
        fputc('\n', stderr);
    }
    if (json_integer_value(json_object_get(info, "patterns_refused")) > 0)
        fprintf(stderr, "ruru: %s patterns not evaluated (not STIX, or not understood: %s)\n",
                cli_num(json_object_get(info, "patterns_refused"), a, 32),
                cli_str(json_object_get(info, "patterns_refused_first")));
    if (json_integer_value(json_object_get(info, "patterns_unobservable")) > 0)
        fprintf(stderr, "ruru: %s patterns name only objects no log record shows\n",
                cli_num(json_object_get(info, "patterns_unobservable"), a, 32));
    if (json_integer_value(json_object_get(info, "pattern_errors")) > 0)
        fprintf(stderr, "ruru: %s pattern evaluations failed (a value of the wrong kind)\n",
                cli_num(json_object_get(info, "pattern_errors"), a, 32));
    if (json_object_size(json_object_get(info, "not_swept")) > 0) {
        const char *k;
        json_t *v;
        bool first = true;
        fputs("ruru: not swept (no log field ruru reads holds them):", stderr);
        json_object_foreach(json_object_get(info, "not_swept"), k, v)
        {
            fprintf(stderr, "%s %s %s", first ? "" : ",", cli_num(v, a, 32), k);
            first = false;
        }
        fputc('\n', stderr);
    }
    fprintf(stderr, "ruru: %s indicators", cli_num(json_object_get(info, "indicators"), a, 32));
    if (json_integer_value(json_object_get(info, "context")) > 0)
        fprintf(stderr, " (%s context, not for detection)",
                cli_num(json_object_get(info, "context"), a, 32));
    if (json_integer_value(json_object_get(info, "patterns")) > 0)
        fprintf(stderr, ", %s STIX patterns", cli_num(json_object_get(info, "patterns"), a, 32));
    fprintf(stderr, " (index %s), ", cli_str(json_object_get(info, "index")));
    fprintf(stderr, "%s rules, ", cli_num(json_object_get(info, "rules"), a, 32));
    fprintf(stderr, "%s inputs, %s lines, %s sightings",
            cli_num(json_object_get(info, "inputs"), b, 32),
            cli_num(json_object_get(info, "lines"), c, 32),
            cli_num(json_object_get(info, "sightings"), d, 32));
    fprintf(stderr, " (%s from rules, ", cli_num(json_object_get(info, "rule_sightings"), a, 32));
    fprintf(stderr, "%s correlations", cli_num(json_object_get(info, "correlations"), b, 32));
    if (json_integer_value(json_object_get(info, "patterns")) > 0)
        fprintf(stderr, ", %s from patterns",
                cli_num(json_object_get(info, "pattern_sightings"), a, 32));
    fputs(")\n", stderr);
    print_not_run(info, verbose);
}

/* Prints the rejections of one imported file, FILE:LINE: "VALUE": REASON, the first `max`. */
static void print_rejections(json_t *f, size_t max)
{
    json_t *r;
    size_t k;

    json_array_foreach(json_object_get(f, "rejections"), k, r)
    {
        if (k == max) {
            fprintf(stderr, "ruru:   ... %" PRId64 " more (`ruru intel import` lists them)\n",
                    (int64_t)json_integer_value(json_object_get(f, "rejected")) - (int64_t)k);
            break;
        }
        fputs("ruru:   ", stderr);
        cli_put_safe(stderr, cli_str(json_object_get(f, "path")));
        if (json_object_get(r, "line"))
            fprintf(stderr, ":%" PRId64, (int64_t)json_integer_value(json_object_get(r, "line")));
        if (json_object_get(r, "value")) {
            fputs(": \"", stderr);
            cli_put_safe(stderr, cli_str(json_object_get(r, "value")));
            fputc('"', stderr);
        }
        fputs(": ", stderr);
        cli_put_safe(stderr, cli_str(json_object_get(r, "reason")));
        fputc('\n', stderr);
    }
}

/* Imports --intel files into the in-memory store; false after printing why: a file that could
 * not be read, or intel that gave no indicator at all (every value rejected, every file
 * skipped): a sweep for nothing would look like a clean bill of health. */
static bool load_intel(ruru_store *store, const char *const *paths, size_t n, bool quiet)
{
    bool ok = true;
    json_t *all = json_array();
    int64_t n_ind = 0;
    size_t i0;
    json_t *f0;

    for (size_t i = 0; i < n; i++) {
        struct ruru_import_opts io;
        struct ruru_diag d;
        char *report = NULL;
        enum ruru_err err;
        json_t *doc, *f;
        size_t k;
        memset(&io, 0, sizeof(io));
        memset(&d, 0, sizeof(d));
        err = ruru_intel_import(store, paths[i], &io, &report, &d);
        doc = report ? json_loads(report, 0, NULL) : NULL;
        ruru_free(report);
        json_array_foreach(json_object_get(doc, "files"), k, f)
        {
            json_t *e = json_object_get(f, "error");
            json_int_t rej = json_integer_value(json_object_get(f, "rejected"));
            if (json_is_object(e) || json_is_string(e)) {
                fputs("ruru: ", stderr);
                cli_put_safe(stderr, cli_str(json_object_get(f, "path")));
                fputs(": ", stderr);
                cli_put_safe(stderr, json_is_string(e) ? json_string_value(e)
                                                       : cli_str(json_object_get(e, "message")));
                fputc('\n', stderr);
                ok = false;
            } else if (rej > 0 && !quiet) {
                fputs("ruru: ", stderr);
                cli_put_safe(stderr, cli_str(json_object_get(f, "path")));
                fprintf(stderr, ": %" PRId64 " value%s rejected (`ruru intel import` lists them)\n",
                        (int64_t)rej, rej == 1 ? "" : "s");
            }
            if (json_object_get(f, "reason") != NULL && !quiet) {
                fputs("ruru: ", stderr);
                cli_put_safe(stderr, cli_str(json_object_get(f, "path")));
                fputs(": skipped: ", stderr);
                cli_put_safe(stderr, cli_str(json_object_get(f, "reason")));
                fputc('\n', stderr);
            }
            n_ind += json_integer_value(json_object_get(f, "indicators"));
            json_array_append(all, f);
        }
        json_decref(doc);
        if (err != RURU_OK) {
            if (ok)
                cli_error(err, &d, paths[i]);
            ok = false;
        }
    }
    if (ok && n_ind == 0) {
        fputs("ruru: --intel gave no indicator to sweep for; nothing was swept\n", stderr);
        json_array_foreach(all, i0, f0) print_rejections(f0, 10);
        ok = false;
    }
    json_decref(all);
    return ok;
}

/* An ad hoc sweep's store in memory gets the warninglists of the user's store, when there is
 * one, so that --intel marks what `ruru scan` would; says which, or that there is none. */
static bool intel_warninglists(const struct cli *c, ruru_store *mem, bool quiet)
{
    char path[4096];
    struct stat st;
    ruru_store *home;
    struct ruru_diag d;
    size_t n = 0;
    enum ruru_err err;

    snprintf(path, sizeof(path), "%s/intel.db", c->home);
    if (stat(path, &st) != 0) {
        if (!quiet)
            fputs("ruru: --intel: there is no intel store (--home), so no warninglists apply\n",
                  stderr);
        return true;
    }
    if ((home = cli_open_store(c)) == NULL)
        return false;
    memset(&d, 0, sizeof(d));
    err = ruru_store_copy_warninglists(mem, home, &n, &d);
    ruru_store_close(home);
    if (err != RURU_OK) {
        cli_error(err, &d, c->home);
        return false;
    }
    if (!quiet)
        fprintf(stderr, "ruru: --intel: the intel store's warninglists apply (%zu list%s)\n", n,
                n == 1 ? "" : "s");
    return true;
}

/* --record: the sweep's incidents into the register; one line on what changed. False after
 * printing why the register could not take them. */
static bool record(const struct cli *c,
                   ruru_store *store,
                   json_t *sightings,
                   const char *config,
                   const char *org,
                   bool quiet)
{
    struct ruru_diag dd, *d = &dd;
    ruru_register *reg = NULL;
    char *text = json_dumps(sightings, JSON_COMPACT), *res = NULL;
    enum ruru_err err;
    json_t *doc;

    if (text == NULL) {
        fputs("ruru: out of memory\n", stderr);
        return false;
    }
    if ((reg = cli_open_register(c, config)) == NULL) {
        free(text);
        return false;
    }
    err = RURU_OK;
    if (err == RURU_OK)
        err = ruru_register_record_org(reg, store, org, text, strlen(text), &res, d);
    free(text);
    ruru_register_close(reg);
    if (err != RURU_OK) {
        /* the sightings were reported; the register could not take them */
        cli_error(err, d, "register");
        return false;
    }
    if (!quiet && (doc = json_loads(res, 0, NULL)) != NULL) {
        fprintf(stderr,
                "ruru: recorded %" JSON_INTEGER_FORMAT " incidents (%" JSON_INTEGER_FORMAT
                " new, %" JSON_INTEGER_FORMAT " updated, %" JSON_INTEGER_FORMAT
                " unchanged, %" JSON_INTEGER_FORMAT " judged anew)\n",
                json_integer_value(json_object_get(doc, "incidents")),
                json_integer_value(json_object_get(doc, "new")),
                json_integer_value(json_object_get(doc, "updated")),
                json_integer_value(json_object_get(doc, "unchanged")),
                json_integer_value(json_object_get(doc, "rejudged")));
        json_decref(doc);
    }
    ruru_free(res);
    return true;
}

/* The output's buffer (stdio's own would be a page): static, as stdout outlives cmd_scan. */
static char out_buf[256u << 10];

int cmd_scan(struct cli *c, int argc, char **argv)
{
    struct ruru_scan_opts o;
    struct scan_cli sc;
    const char **intel = calloc((size_t)argc + 1, sizeof(char *));
    const char **rules = calloc((size_t)argc + 1, sizeof(char *));
    const char **inputs = calloc((size_t)argc + 2, sizeof(char *));
    const char **ties = NULL;
    const char *out_path = NULL, *summary_path = NULL, *config_path = NULL, *org = NULL;
    size_t n_intel = 0, n_inputs = 0, n_rules = 0, n_ties = 0;
    bool quiet = false, verbose = false, format_set = false, record_failed = false;
    json_t *config_ties = NULL;
    int rc = EXIT_ERROR;
    ruru_store *store = NULL;
    char *summary = NULL;
    struct ruru_diag d;
    enum ruru_err err;
    json_t *doc = NULL;

    memset(&o, 0, sizeof(o));
    memset(&sc, 0, sizeof(sc));
    memset(&d, 0, sizeof(d));
    if (intel == NULL || inputs == NULL || rules == NULL)
        goto done;
    if ((ties = calloc((size_t)argc + 1, sizeof(char *))) == NULL)
        goto done;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int used;
        if (strncmp(a, "-j", 2) == 0 && a[2] != '\0') { /* -j4 */
            v = a + 2;
            a = "-j";
            i--;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(USAGE, stdout);
            rc = EXIT_CLEAN;
            goto done;
        } else if (strcmp(a, "--intel") == 0 || strcmp(a, "--log-format") == 0 ||
                   strcmp(a, "-j") == 0 || strcmp(a, "--threads") == 0 ||
                   strcmp(a, "--format") == 0 || strcmp(a, "-f") == 0 || strcmp(a, "-o") == 0 ||
                   strcmp(a, "--output") == 0 || strcmp(a, "--summary") == 0 ||
                   strcmp(a, "--rules") == 0 || strcmp(a, "--config") == 0 ||
                   strcmp(a, "--year") == 0 || strcmp(a, "--logsource") == 0 ||
                   strcmp(a, "--org") == 0) {
            if (v == NULL) {
                fprintf(stderr, "ruru: %s needs a value\n", a);
                goto done;
            }
            i++;
            if (strcmp(a, "--intel") == 0) {
                intel[n_intel++] = v;
            } else if (strcmp(a, "--rules") == 0) {
                rules[n_rules++] = v;
            } else if (strcmp(a, "--logsource") == 0) {
                ties[n_ties++] = v;
            } else if (strcmp(a, "--log-format") == 0) {
                o.log_format = v;
            } else if (strcmp(a, "-j") == 0 || strcmp(a, "--threads") == 0) {
                char *end;
                long n = strtol(v, &end, 10);
                if (*end != '\0' || n < 1 || n > 256) {
                    fprintf(stderr, "ruru: %s takes a number of threads from 1 to 256\n", a);
                    goto done;
                }
                o.threads = (unsigned)n;
            } else if (strcmp(a, "--year") == 0) {
                char *end;
                long y = strtol(v, &end, 10);
                if (*end != '\0' || y < 1970 || y > 9999) {
                    fprintf(stderr, "ruru: --year takes a year from 1970 to 9999\n");
                    goto done;
                }
                o.syslog_year = (int)y;
            } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
                out_path = v;
            } else if (strcmp(a, "--summary") == 0) {
                summary_path = v;
            } else if (strcmp(a, "--config") == 0) {
                config_path = v;
            } else if (strcmp(a, "--org") == 0) {
                org = v;
            } else {
                format_set = true;
                if (strcmp(v, "jsonl") == 0)
                    sc.format = SF_JSONL;
                else if (strcmp(v, "json") == 0)
                    sc.format = SF_JSON;
                else if (strcmp(v, "csv") == 0)
                    sc.format = SF_CSV;
                else if (strcmp(v, "table") == 0)
                    sc.format = SF_TABLE;
                else {
                    fprintf(stderr, "ruru: unknown format \"%s\" (jsonl, json, csv or table)\n", v);
                    goto done;
                }
            }
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = true;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            verbose = true;
        } else if (strcmp(a, "--record") == 0) {
            if (sc.record == NULL && (sc.record = json_array()) == NULL)
                goto done;
        } else if (strcmp(a, "--no-default-rules") == 0) {
            o.no_builtin_rules = true;
        } else if ((used = cli_common_option(c, argc - i, argv + i)) != 0) {
            if (used < 0)
                goto done;
            i += used - 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "ruru: unknown option \"%s\"\n%s", a, USAGE);
            goto done;
        } else {
            inputs[n_inputs++] = a;
        }
    }
    if (org != NULL && sc.record == NULL) {
        fputs("ruru: --org names the organisation of a recording: it goes with --record\n", stderr);
        goto done;
    }
    if (n_inputs == 0) {
        if (isatty(STDIN_FILENO)) {
            fprintf(stderr, "ruru: scan needs a log file, a directory or -\n%s", USAGE);
            goto done;
        }
        inputs[n_inputs++] = "-";
    }
    sc.out = stdout;
    if (out_path != NULL && (sc.out = fopen(out_path, "w")) == NULL) {
        fputs("ruru: ", stderr);
        cli_put_safe(stderr, out_path);
        fputs(": cannot write\n", stderr);
        goto done;
    }
    /* A sweep's sightings are many lines of a few kilobytes: written in large blocks, not a
     * system call for every page, when no one is reading them live at a terminal. */
    if (!isatty(fileno(sc.out)))
        setvbuf(sc.out, out_buf, _IOFBF, sizeof(out_buf));
    if (!format_set)
        sc.format = c->format_set ? (c->format == OUT_JSON ? SF_JSON : SF_TABLE)
                    : out_path == NULL && isatty(STDOUT_FILENO) ? SF_TABLE
                                                                : SF_JSONL;
    sc.tty_progress = !quiet && isatty(STDERR_FILENO);
    sc.all = json_array();
    if (n_intel > 0) {
        if (ruru_store_open(RURU_STORE_MEMORY, &store, &d) != RURU_OK) {
            cli_error(RURU_ENOMEM, &d, NULL);
            goto done;
        }
        if (!load_intel(store, intel, n_intel, quiet) || !intel_warninglists(c, store, quiet))
            goto done;
    } else if ((store = cli_open_store(c)) == NULL) {
        goto done;
    }
    if (sc.format == SF_CSV)
        fputs(CSV_HEADER, sc.out);
    if (!cli_config_logsources(c, config_path, &config_ties))
        goto done;
    {
        /* the command line's ties, then ruru.yaml's */
        const char **all =
                realloc(ties, (n_ties + json_array_size(config_ties) + 1) * sizeof(char *));
        json_t *t;
        size_t k;
        if (all == NULL)
            goto done;
        ties = all;
        json_array_foreach(config_ties, k, t) ties[n_ties++] = json_string_value(t);
    }
    o.logsources = ties;
    o.n_logsources = n_ties;
    o.rule_paths = rules;
    o.n_rule_paths = n_rules;
    o.on_sighting = on_sighting;
    o.on_error = on_error;
    o.on_progress = on_progress;
    o.ctx = &sc;
    err = ruru_scan(store, inputs, n_inputs, &o, &summary, &d);
    flush_same(&sc);
    if (sc.tty_progress)
        fputs("\r\033[K", stderr);
    doc = summary ? json_loads(summary, 0, NULL) : NULL;
    if (sc.format == SF_JSON) {
        json_t *all = json_object();
        json_object_set(all, "sightings", sc.all);
        json_object_set(all, "summary", doc ? doc : json_null());
        json_dumpf(all, sc.out, JSON_INDENT(2) | JSON_ENSURE_ASCII);
        fputc('\n', sc.out);
        json_decref(all);
    }
    if (doc != NULL && err == RURU_OK &&
        json_integer_value(json_object_get(json_object_get(doc, "scan"), "indicators")) == 0 &&
        json_integer_value(json_object_get(json_object_get(doc, "scan"), "patterns")) == 0)
        fputs("ruru: there are no indicators to sweep for (rules only): import intel first "
              "(ruru intel import FILE) or name it with --intel FILE\n",
              stderr);
    if (doc != NULL && !quiet &&
        (err == RURU_OK || err == RURU_ESTOPPED ||
         json_array_size(json_object_get(doc, "inputs")) > 0))
        print_summary(doc, verbose);
    if (summary_path != NULL && doc != NULL &&
        json_dump_file(doc, summary_path, JSON_INDENT(2) | JSON_ENSURE_ASCII) != 0) {
        fputs("ruru: ", stderr);
        cli_put_safe(stderr, summary_path);
        fputs(": cannot write the summary\n", stderr);
        err = err == RURU_OK ? RURU_EIO : err;
    }
    if (sc.record != NULL && (err == RURU_OK || err == RURU_ESTOPPED) &&
        !record(c, store, sc.record, config_path, org, quiet))
        record_failed = true;
    if (err != RURU_OK && err != RURU_ESTOPPED) {
        /* Input errors were printed as they happened; a sweep that could not start was not. */
        if (json_integer_value(json_object_get(json_object_get(doc, "scan"), "inputs")) == 0 ||
            doc == NULL)
            cli_error(err, &d, NULL);
        rc = EXIT_ERROR;
    } else {
        rc = record_failed ? EXIT_ERROR : sc.n > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
    }
done:
    if (sc.out != NULL && sc.out != stdout && fclose(sc.out) != 0)
        rc = EXIT_ERROR;
    if (sc.out == stdout && fflush(stdout) != 0)
        rc = EXIT_ERROR;
    json_decref(doc);
    json_decref(sc.all);
    json_decref(sc.same);
    json_decref(sc.record);
    ruru_free(summary);
    ruru_store_close(store);
    free(intel);
    free(rules);
    free(inputs);
    free(ties);
    json_decref(config_ties);
    return rc;
}
