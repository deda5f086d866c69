/* SPDX-License-Identifier: Apache-2.0 */
/* `ruru intel import|search|stats|sources|remove`. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

static const char IMPORT_USAGE[] =
        "usage: ruru intel import [OPTIONS] PATH...\n"
        "\n"
        "Imports intel files, or directories of them (recursively: .json .csv .tsv .txt .dat\n"
        ".intel .ioc .iocs .lst .list .stix .misp .yaml .yml .md5 .sha1 .sha256 .sha512, also\n"
        "gzip/zstd compressed). The format is recognised from content: STIX 2.1 bundles, MISP\n"
        "events / feeds / galaxies / taxonomies / warninglists, CSV and text IOC lists\n"
        "(defanged values too), Zeek intel, Loki / signature-base lists (c2-iocs, hash-iocs,\n"
        "filename-iocs), CISA CHIRP indicator files (YAML), a CERT's own actor assessments\n"
        "(YAML).\n"
        "Re-importing an unchanged file changes nothing; a changed file replaces what it gave.\n"
        "\n"
        "Options:\n"
        "  --source NAME          the source name (default: the basename of each PATH)\n"
        "  --actor NAME           tie every indicator that names no actor to NAME (a vendor's\n"
        "                         list about one actor)\n"
        "  --tlp LEVEL            TLP of indicators that carry none: clear green amber\n"
        "                         amber+strict red\n"
        "  --confidence N         confidence (0-100) of indicators that give none\n"
        "  --input-format F       force the format: stix misp galaxy taxonomy warninglist csv\n"
        "                         zeek loki chirp assessment (--format F works too for these\n"
        "                         names)\n"
        "  --max-cidr-v4 N        reject IPv4 ranges wider than /N (default 8)\n"
        "  --max-cidr-v6 N        reject IPv6 ranges wider than /N (default 32)\n"
        "  --format table|json    output format\n"
        "  --show-rejects N       rejections listed per file in the table (default 10)\n";

static const char SEARCH_USAGE[] =
        "usage: ruru intel search [--at TIME] [--format table|json] VALUE\n"
        "\n"
        "Every indicator that would match VALUE in a log: an address finds the addresses and\n"
        "CIDR ranges holding it, a host name its own and its parent domains' indicators, a URL\n"
        "also its host's, an e-mail address its domain's. Defanged values are accepted.\n"
        "--at TIME judges validity at TIME (RFC 3339 or unix seconds) instead of now.\n"
        "Exit status 0 when nothing matches, 1 when something does.\n";

static const char INTEL_USAGE[] =
        "usage: ruru intel import|search|stats|sources|remove ...\n"
        "  import PATH...       import intel (ruru intel import --help)\n"
        "  search VALUE         indicators that would match VALUE\n"
        "  stats                counts by type, kind and source\n"
        "  sources [--actors]   sources and their files; --actors counts\n"
        "                       the actors each file's indicators are\n"
        "                       tied to\n"
        "  remove SOURCE        remove a source and everything it gave\n";

static bool want_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

static bool parse_prefix(const char *s, unsigned max, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < 1 || v > max)
        return false;
    *out = (unsigned)v;
    return true;
}

/* TLP levels as ruru_tlp_parse reads them: the word, with or without "TLP:", any case. */
static bool is_tlp(const char *s)
{
    static const char *const levels[] = {"clear", "white", "green", "amber", "amber+strict", "red"};

    if (strncasecmp(s, "tlp:", 4) == 0)
        s += 4;
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (strcasecmp(s, levels[i]) == 0)
            return true;
    return false;
}

static const char *const INPUT_FORMATS[] = {"stix",        "misp",  "galaxy",    "taxonomy",
                                            "warninglist", "csv",   "text",      "zeek",
                                            "loki",        "chirp", "assessment"};

static bool is_input_format(const char *f)
{
    for (size_t i = 0; i < sizeof(INPUT_FORMATS) / sizeof(INPUT_FORMATS[0]); i++)
        if (strcmp(f, INPUT_FORMATS[i]) == 0)
            return true;
    return false;
}

static void by_type_line(FILE *f, json_t *bt)
{
    const char *k;
    json_t *v;
    bool first = true;

    json_object_foreach(bt, k, v)
    {
        fprintf(f, "%s%s %" PRId64, first ? "" : ", ", k, (int64_t)json_integer_value(v));
        first = false;
    }
}

/* The widest FILE column: a longer path goes on a line of its own, the row's numbers under
 * it, so that every row's columns stay in line. */
#define IMPORT_PATH_COLS 60

static void print_import_table(const struct cli *c, json_t *report, long show_rejects)
{
    json_t *files = json_object_get(report, "files"), *f, *t;
    size_t i, w_path = 4, w_fmt = 6, w_status = 6;
    char b1[32], b2[32], b3[32], b4[32], b5[32];

    json_array_foreach(files, i, f)
    {
        size_t n = cli_safe_width(cli_str(json_object_get(f, "path")));
        if (n > w_path && n <= IMPORT_PATH_COLS)
            w_path = n;
        if ((n = cli_safe_width(cli_str(json_object_get(f, "format")))) > w_fmt)
            w_fmt = n;
        if ((n = cli_safe_width(cli_str(json_object_get(f, "status")))) > w_status)
            w_status = n;
    }
    fprintf(c->out, "%-*s %-*s %-*s %10s %8s %9s %8s\n", (int)w_path, "FILE", (int)w_fmt, "FORMAT",
            (int)w_status, "STATUS", "INDICATORS", "ENTITIES", "RELATIONS", "REJECTED");
    json_array_foreach(files, i, f)
    {
        const char *path = cli_str(json_object_get(f, "path"));
        const char *format = cli_str(json_object_get(f, "format"));
        const char *status = cli_str(json_object_get(f, "status"));
        json_t *rej = json_object_get(f, "rejections"), *r, *err;
        size_t k, n = cli_safe_width(path);
        cli_put_safe(c->out, path);
        if (n > w_path) {
            fputc('\n', c->out);
            n = 0;
        }
        fprintf(c->out, "%*s ", (int)(w_path - n), "");
        cli_put_safe(c->out, format);
        fprintf(c->out, "%*s ", (int)(w_fmt - cli_safe_width(format)), "");
        cli_put_safe(c->out, status);
        fprintf(c->out, "%*s %10s %8s %9s %8s\n", (int)(w_status - cli_safe_width(status)), "",
                cli_num(json_object_get(f, "indicators"), b1, sizeof(b1)),
                cli_num(json_object_get(f, "entities"), b2, sizeof(b2)),
                cli_num(json_object_get(f, "relations"), b3, sizeof(b3)),
                cli_num(json_object_get(f, "rejected"), b4, sizeof(b4)));
        if (json_object_size(json_object_get(f, "by_type")) > 0) {
            fputs("    indicators: ", c->out);
            by_type_line(c->out, json_object_get(f, "by_type"));
            fputc('\n', c->out);
        }
        if (json_object_size(json_object_get(f, "context_by_type")) > 0) {
            fputs("    context (to_ids false, not swept): ", c->out);
            by_type_line(c->out, json_object_get(f, "context_by_type"));
            fputc('\n', c->out);
        }
        if (json_object_size(json_object_get(f, "by_kind")) > 0) {
            fputs("    entities: ", c->out);
            by_type_line(c->out, json_object_get(f, "by_kind"));
            fputc('\n', c->out);
        }
        if (json_integer_value(json_object_get(f, "warninglists")) > 0)
            fprintf(c->out, "    warninglists: %s (%s entries)\n",
                    cli_num(json_object_get(f, "warninglists"), b1, sizeof(b1)),
                    cli_num(json_object_get(f, "warninglist_entries"), b5, sizeof(b5)));
        if (json_integer_value(json_object_get(f, "tag_meanings")) > 0)
            fprintf(c->out, "    tag meanings: %s\n",
                    cli_num(json_object_get(f, "tag_meanings"), b1, sizeof(b1)));
        if (json_integer_value(json_object_get(f, "older_ignored")) > 0)
            fprintf(c->out, "    older versions ignored: %s\n",
                    cli_num(json_object_get(f, "older_ignored"), b1, sizeof(b1)));
        if ((err = json_object_get(f, "error")) != NULL) {
            fputs("    error: ", c->out);
            if (json_object_get(err, "line")) {
                fprintf(c->out, "line %s", cli_num(json_object_get(err, "line"), b1, sizeof(b1)));
                if (json_object_get(err, "col"))
                    fprintf(c->out, ", column %s",
                            cli_num(json_object_get(err, "col"), b2, sizeof(b2)));
                fputs(": ", c->out);
            }
            cli_put_safe(c->out, cli_str(json_object_get(err, "message")));
            fputc('\n', c->out);
        }
        if (json_object_get(f, "reason") != NULL) {
            fputs("    skipped: ", c->out);
            cli_put_safe(c->out, cli_str(json_object_get(f, "reason")));
            fputc('\n', c->out);
        }
        json_array_foreach(rej, k, r)
        {
            if ((long)k >= show_rejects) {
                fprintf(c->out, "    ... %zu more rejections (--format json lists up to 1000)\n",
                        (size_t)json_integer_value(json_object_get(f, "rejected")) - k);
                break;
            }
            fputs("    rejected", c->out);
            if (json_object_get(r, "line"))
                fprintf(c->out, " line %s", cli_num(json_object_get(r, "line"), b1, sizeof(b1)));
            if (json_object_get(r, "object")) {
                fputc(' ', c->out);
                cli_put_safe(c->out, cli_str(json_object_get(r, "object")));
            }
            if (json_object_get(r, "value")) {
                fputs(" \"", c->out);
                cli_put_safe(c->out, cli_str(json_object_get(r, "value")));
                fputc('"', c->out);
            }
            fputs(": ", c->out);
            cli_put_safe(c->out, cli_str(json_object_get(r, "reason")));
            fputc('\n', c->out);
        }
    }
    t = json_object_get(report, "totals");
    fprintf(c->out, "%s files: %s imported, %s unchanged, %s failed; ",
            cli_num(json_object_get(t, "files"), b1, sizeof(b1)),
            cli_num(json_object_get(t, "imported"), b2, sizeof(b2)),
            cli_num(json_object_get(t, "unchanged"), b3, sizeof(b3)),
            cli_num(json_object_get(t, "errors"), b4, sizeof(b4)));
    if (json_integer_value(json_object_get(t, "skipped")) > 0)
        fprintf(c->out, "%s skipped (not imported, each with its reason above); ",
                cli_num(json_object_get(t, "skipped"), b1, sizeof(b1)));
    fprintf(c->out, "%s indicators, ", cli_num(json_object_get(t, "indicators"), b1, sizeof(b1)));
    if (json_integer_value(json_object_get(t, "context")) > 0)
        fprintf(c->out, "%s context values, ",
                cli_num(json_object_get(t, "context"), b1, sizeof(b1)));
    fprintf(c->out, "%s entities, %s relations, %s rejected\n",
            cli_num(json_object_get(t, "entities"), b2, sizeof(b2)),
            cli_num(json_object_get(t, "relations"), b3, sizeof(b3)),
            cli_num(json_object_get(t, "rejected"), b4, sizeof(b4)));
}

/* Merges the per-path reports into one document: {"files": [...], "totals": {...}}. */
static void merge_report(json_t *all, json_t *one)
{
    json_t *files = json_object_get(all, "files"), *t = json_object_get(all, "totals"), *f;
    const char *k;
    json_t *v;
    size_t i;

    json_array_foreach(json_object_get(one, "files"), i, f) json_array_append(files, f);
    json_object_foreach(json_object_get(one, "totals"), k, v)
    {
        json_int_t have = json_integer_value(json_object_get(t, k));
        json_object_set_new(t, k, json_integer(have + json_integer_value(v)));
    }
}

static int intel_import(struct cli *c, int argc, char **argv)
{
    struct ruru_import_opts opts;
    ruru_store *store;
    json_t *all;
    int rc = EXIT_CLEAN, n_paths = 0;
    long show_rejects = 10;
    char **paths = calloc((size_t)argc + 1, sizeof(*paths));

    memset(&opts, 0, sizeof(opts));
    if (paths == NULL)
        return EXIT_ERROR;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int used;
        if ((strcmp(a, "--format") == 0 || strcmp(a, "--input-format") == 0) && i + 1 < argc &&
            is_input_format(argv[i + 1])) {
            opts.format = argv[++i];
            continue;
        }
        if (strcmp(a, "--input-format") == 0) {
            fprintf(stderr, "ruru: --input-format takes one of stix misp galaxy taxonomy "
                            "warninglist csv zeek loki chirp assessment\n");
            free(paths);
            return EXIT_ERROR;
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
        if (strcmp(a, "--source") == 0 && i + 1 < argc) {
            opts.source = argv[++i];
        } else if (strcmp(a, "--actor") == 0 && i + 1 < argc) {
            opts.actor = argv[++i];
            if (opts.actor[0] == '\0') {
                fputs("ruru: --actor takes a name\n", stderr);
                free(paths);
                return EXIT_ERROR;
            }
        } else if (strcmp(a, "--tlp") == 0 && i + 1 < argc) {
            opts.tlp = argv[++i];
            if (!is_tlp(opts.tlp)) {
                fprintf(stderr,
                        "ruru: --tlp takes clear, green, amber, amber+strict or red, "
                        "not \"%s\"\n",
                        opts.tlp);
                free(paths);
                return EXIT_ERROR;
            }
        } else if (strcmp(a, "--confidence") == 0 && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (argv[i][0] == '\0' || *end != '\0' || v < 0 || v > 100) {
                fprintf(stderr, "ruru: --confidence takes a number from 0 to 100\n");
                free(paths);
                return EXIT_ERROR;
            }
            opts.has_confidence = true;
            opts.confidence = (int)v;
        } else if ((strcmp(a, "--max-cidr-v4") == 0 || strcmp(a, "--max-cidr-v6") == 0) &&
                   i + 1 < argc) {
            bool v4 = a[11] == '4';
            if (!parse_prefix(argv[i + 1], v4 ? 32 : 128,
                              v4 ? &opts.min_prefix_v4 : &opts.min_prefix_v6)) {
                fprintf(stderr, "ruru: %s takes a prefix length (1-%d)\n", a, v4 ? 32 : 128);
                free(paths);
                return EXIT_ERROR;
            }
            i++;
        } else if (strcmp(a, "--show-rejects") == 0 && i + 1 < argc) {
            show_rejects = strtol(argv[++i], NULL, 10);
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "ruru: unknown option \"%s\"\n%s", a, IMPORT_USAGE);
            free(paths);
            return EXIT_ERROR;
        } else {
            paths[n_paths++] = argv[i];
        }
    }
    if (n_paths == 0) {
        fputs(IMPORT_USAGE, stderr);
        free(paths);
        return EXIT_ERROR;
    }
    store = cli_open_store(c);
    if (store == NULL) {
        free(paths);
        return EXIT_ERROR;
    }
    all = json_pack("{s:[],s:{}}", "files", "totals");
    for (int p = 0; p < n_paths; p++) {
        struct ruru_diag d;
        char *report = NULL;
        enum ruru_err err;
        json_t *doc;
        size_t i;
        json_t *f;
        memset(&d, 0, sizeof(d));
        err = ruru_intel_import(store, paths[p], &opts, &report, &d);
        doc = report ? json_loads(report, 0, NULL) : NULL;
        ruru_free(report);
        if (doc == NULL) {
            cli_error(err, &d, paths[p]);
            rc = EXIT_ERROR;
            continue;
        }
        /* One line on stderr per failed file, in the usual FILE:LINE: form. */
        json_array_foreach(json_object_get(doc, "files"), i, f)
        {
            json_t *e = json_object_get(f, "error");
            if (e == NULL)
                continue;
            fputs("ruru: ", stderr);
            cli_put_safe(stderr, cli_str(json_object_get(f, "path")));
            if (json_object_get(e, "line"))
                fprintf(stderr, ":%" PRId64,
                        (int64_t)json_integer_value(json_object_get(e, "line")));
            if (json_object_get(e, "col"))
                fprintf(stderr, ":%" PRId64,
                        (int64_t)json_integer_value(json_object_get(e, "col")));
            fputs(": ", stderr);
            cli_put_safe(stderr, cli_str(json_object_get(e, "message")));
            fputc('\n', stderr);
            rc = EXIT_ERROR;
        }
        if (err != RURU_OK && json_array_size(json_object_get(doc, "files")) == 0) {
            cli_error(err, &d, paths[p]);
            rc = EXIT_ERROR;
        }
        merge_report(all, doc);
        json_decref(doc);
    }
    if (c->format == OUT_JSON)
        cli_print_json(c, all);
    else
        print_import_table(c, all, show_rejects);
    json_decref(all);
    ruru_store_close(store);
    free(paths);
    return rc;
}

static void print_actor_list(FILE *out, json_t *actors)
{
    size_t i;
    json_t *a;

    json_array_foreach(actors, i, a)
    {
        if (i > 0)
            fputs(", ", out);
        cli_put_safe(out, cli_str(json_object_get(a, "name")));
        if (json_is_string(json_object_get(a, "country"))) {
            fputs(" (", out);
            cli_put_safe(out, cli_str(json_object_get(a, "country")));
            fputc(')', out);
        }
        if (json_is_false(json_object_get(a, "known")))
            fputs(" (not in the actor registry)", out);
    }
}

static bool same_str(json_t *a, json_t *b)
{
    return strcmp(cli_str(a), cli_str(b)) == 0;
}

/* An indicator's records, one line per source file: "intel  feed.csv:2,7  (2 records, 1
 * expired)". A file's records are listed together wherever they stand among the others. */
static void print_sources(const struct cli *c, json_t *records)
{
    size_t n = json_array_size(records), k, j;
    json_t *r, *q;
    char b[32];

    json_array_foreach(records, k, r)
    {
        size_t count = 0, inactive = 0, lines = 0;
        bool earlier = false;
        for (j = 0; j < k && !earlier; j++) {
            q = json_array_get(records, j);
            earlier = same_str(json_object_get(q, "source"), json_object_get(r, "source")) &&
                      same_str(json_object_get(q, "file"), json_object_get(r, "file"));
        }
        if (earlier)
            continue;
        fputs(k == 0 ? "  sources    " : "             ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(r, "source")));
        fputs("  ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(r, "file")));
        for (j = k; j < n; j++) {
            q = json_array_get(records, j);
            if (!same_str(json_object_get(q, "source"), json_object_get(r, "source")) ||
                !same_str(json_object_get(q, "file"), json_object_get(r, "file")))
                continue;
            count++;
            inactive += !json_is_true(json_object_get(q, "active"));
            /* Eight line numbers say where to look; the rest are in --format json. */
            if (json_object_get(q, "line") && lines < 8)
                fprintf(c->out, "%s%s", lines++ == 0 ? ":" : ",",
                        cli_num(json_object_get(q, "line"), b, sizeof(b)));
        }
        if (count > 1 || inactive > 0) {
            fprintf(c->out, "  (%zu record%s", count, count == 1 ? "" : "s");
            if (inactive > 0 && count == 1) {
                fputs(", ", c->out);
                cli_put_safe(c->out, cli_str(json_object_get(r, "inactive_reason")));
            } else if (inactive > 0) {
                fprintf(c->out, ", %zu not in force", inactive);
            }
            fputc(')', c->out);
        }
        fputc('\n', c->out);
    }
}

/* What one record of an indicator adds: its id, validity, TLP and note. */
static void print_record_detail(const struct cli *c, json_t *r)
{
    fputs("  id         ", c->out);
    cli_put_safe(c->out, cli_str(json_object_get(r, "id")));
    if (json_object_get(r, "object") &&
        strcmp(cli_str(json_object_get(r, "object")), cli_str(json_object_get(r, "id")))) {
        fputs(" (in ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(r, "object")));
        fputc(')', c->out);
    }
    fputc('\n', c->out);
    if (json_object_get(r, "valid_from") || json_object_get(r, "valid_until")) {
        fputs("  valid      ", c->out);
        cli_put_safe(c->out, json_object_get(r, "valid_from")
                                     ? cli_str(json_object_get(r, "valid_from"))
                                     : "");
        fputs(" .. ", c->out);
        cli_put_safe(c->out, json_object_get(r, "valid_until")
                                     ? cli_str(json_object_get(r, "valid_until"))
                                     : "");
        fputc('\n', c->out);
    }
    if (json_object_get(r, "tlp")) {
        fputs("  tlp        ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(r, "tlp")));
        fputc('\n', c->out);
    }
    if (json_object_get(r, "description")) {
        fputs("  note       ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(r, "description")));
        fputc('\n', c->out);
    }
}

/* One row per indicator (type and value), however many files publish it: its records in
 * force, the highest confidence, every actor, then one line per record (source, file, line,
 * and why it is not in force). --format json keeps every record whole ("matches"). */
static void print_search_table(const struct cli *c, json_t *doc)
{
    json_t *m, *groups = json_object_get(doc, "indicators"),
               *wl = json_object_get(doc, "warninglists");
    size_t i;
    char b[32], b2[32];

    fputs("query ", c->out);
    cli_put_safe(c->out, cli_str(json_object_get(doc, "query")));
    fprintf(c->out, " -> %s ", cli_str(json_object_get(doc, "type")));
    cli_put_safe(c->out, cli_str(json_object_get(doc, "canonical")));
    fprintf(c->out, " (validity judged at %s)\n", cli_str(json_object_get(doc, "at")));
    if (json_array_size(groups) == 0)
        fputs("no indicator matches\n", c->out);
    json_array_foreach(groups, i, m)
    {
        json_int_t n = json_integer_value(json_object_get(m, "records"));
        json_int_t act = json_integer_value(json_object_get(m, "active"));
        json_int_t ctx = json_integer_value(json_object_get(m, "context"));
        /* to_ids false in every record: context, never swept, whatever its validity */
        fprintf(c->out, "\n%-7s %s ", cli_str(json_object_get(m, "type")),
                ctx == n && n > 0 ? "context "
                : act > 0         ? "active  "
                                  : "INACTIVE");
        cli_put_safe(c->out, cli_str(json_object_get(m, "value")));
        fprintf(c->out, "  [matched on %s]\n", cli_str(json_object_get(m, "matched_on")));
        fprintf(c->out, "  records    %s, %s in force\n",
                cli_num(json_object_get(m, "records"), b, sizeof(b)),
                cli_num(json_object_get(m, "active"), b2, sizeof(b2)));
        if (json_object_get(m, "confidence"))
            fprintf(c->out, "  confidence %s (the highest)\n",
                    cli_num(json_object_get(m, "confidence"), b, sizeof(b)));
        if (ctx > 0)
            fprintf(c->out,
                    "  context    %s of them not for detection (MISP to_ids false): kept, "
                    "not swept\n",
                    cli_num(json_object_get(m, "context"), b, sizeof(b)));
        if (json_array_size(json_object_get(m, "actors")) > 0) {
            fputs("  actors     ", c->out);
            print_actor_list(c->out, json_object_get(m, "actors"));
            fputc('\n', c->out);
        }
        print_sources(c, json_object_get(m, "sources"));
        if (n == 1)
            print_record_detail(c, json_array_get(json_object_get(m, "sources"), 0));
    }
    json_array_foreach(wl, i, m)
    {
        fputs(i == 0 ? "\nwarninglisted (no attribution weight):\n" : "", c->out);
        fputs("  ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(m, "name")));
        fputs(" (", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(m, "source")));
        fputs("): ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(m, "entry")));
        fputc('\n', c->out);
    }
}

static int intel_search(struct cli *c, int argc, char **argv)
{
    const char *value = NULL;
    int64_t at = INT64_MIN;
    ruru_store *store;
    struct ruru_diag d;
    char *out = NULL;
    enum ruru_err err;
    json_t *doc;
    int rc;

    for (int i = 0; i < argc; i++) {
        int used = cli_common_option(c, argc - i, argv + i);
        if (used < 0)
            return EXIT_ERROR;
        if (used > 0) {
            i += used - 1;
        } else if (strcmp(argv[i], "--at") == 0 && i + 1 < argc) {
            if (!ruru_parse_time(argv[++i], &at)) {
                fprintf(stderr, "ruru: --at takes an RFC 3339 time or unix seconds\n");
                return EXIT_ERROR;
            }
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "ruru: unknown option \"%s\"\n%s", argv[i], SEARCH_USAGE);
            return EXIT_ERROR;
        } else if (value == NULL) {
            value = argv[i];
        } else {
            fputs(SEARCH_USAGE, stderr);
            return EXIT_ERROR;
        }
    }
    if (value == NULL) {
        fputs(SEARCH_USAGE, stderr);
        return EXIT_ERROR;
    }
    store = cli_open_store(c);
    if (store == NULL)
        return EXIT_ERROR;
    memset(&d, 0, sizeof(d));
    err = ruru_intel_search(store, value, at, &out, &d);
    ruru_store_close(store);
    if (err != RURU_OK) {
        cli_error(err, &d, NULL);
        return EXIT_ERROR;
    }
    doc = json_loads(out, 0, NULL);
    ruru_free(out);
    rc = json_array_size(json_object_get(doc, "matches")) > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
    if (c->format == OUT_JSON)
        cli_print_json(c, doc);
    else
        print_search_table(c, doc);
    json_decref(doc);
    return rc;
}

static void print_stats_table(const struct cli *c, json_t *doc)
{
    static const char *const keys[] = {"sources",
                                       "files",
                                       "indicators",
                                       "context",
                                       "revoked",
                                       "expired",
                                       "actors",
                                       "actor_name_conflicts",
                                       "relations",
                                       "warninglists",
                                       "warninglist_entries",
                                       "tag_meanings",
                                       "rejected"};
    char b[32];
    const char *k;
    json_t *v;

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        fprintf(c->out, "%-22s %12s\n", keys[i],
                cli_num(json_object_get(doc, keys[i]), b, sizeof(b)));
    fputs("indicators by type\n", c->out);
    json_object_foreach(json_object_get(doc, "by_type"), k, v)
            fprintf(c->out, "  %-20s %12s\n", k, cli_num(v, b, sizeof(b)));
    if (json_object_size(json_object_get(doc, "context_by_type")) > 0)
        fputs("context by type (to_ids false, not swept)\n", c->out);
    json_object_foreach(json_object_get(doc, "context_by_type"), k, v)
            fprintf(c->out, "  %-20s %12s\n", k, cli_num(v, b, sizeof(b)));
    fputs("entities by kind\n", c->out);
    json_object_foreach(json_object_get(doc, "entities"), k, v)
            fprintf(c->out, "  %-20s %12s\n", k, cli_num(v, b, sizeof(b)));
}

static void print_sources_table(const struct cli *c, json_t *doc)
{
    json_t *s, *f;
    size_t i, j;
    char b1[32], b2[32], b3[32];

    json_array_foreach(json_object_get(doc, "sources"), i, s)
    {
        cli_put_safe(c->out, cli_str(json_object_get(s, "name")));
        fprintf(c->out, "  %s indicators, %s entities, %s rejected; updated %s\n",
                cli_num(json_object_get(s, "indicators"), b1, sizeof(b1)),
                cli_num(json_object_get(s, "entities"), b2, sizeof(b2)),
                cli_num(json_object_get(s, "rejected"), b3, sizeof(b3)),
                cli_str(json_object_get(s, "updated")));
        json_array_foreach(json_object_get(s, "files"), j, f)
        {
            fputs("  ", c->out);
            cli_put_safe(c->out, cli_str(json_object_get(f, "path")));
            fprintf(c->out, "  %s  %s indicators, %s entities\n",
                    cli_str(json_object_get(f, "format")),
                    cli_num(json_object_get(f, "indicators"), b1, sizeof(b1)),
                    cli_num(json_object_get(f, "entities"), b2, sizeof(b2)));
            if (json_object_size(json_object_get(f, "actors")) > 0) {
                const char *k;
                json_t *v;
                bool first = true;
                fputs("    tied to: ", c->out);
                json_object_foreach(json_object_get(f, "actors"), k, v)
                {
                    fputs(first ? "" : ", ", c->out);
                    cli_put_safe(c->out, k);
                    fprintf(c->out, " %s", cli_num(v, b1, sizeof(b1)));
                    first = false;
                }
                fputc('\n', c->out);
            }
        }
    }
}

static int intel_simple(struct cli *c, const char *what, int argc, char **argv)
{
    const char *arg = NULL;
    ruru_store *store;
    struct ruru_diag d;
    char *out = NULL;
    enum ruru_err err;
    json_t *doc;
    bool actors = false;

    /* sources --actors: what each file's indicators are tied to */
    for (int i = 0; strcmp(what, "sources") == 0 && i < argc; i++) {
        if (strcmp(argv[i], "--actors") == 0) {
            actors = true;
            memmove(argv + i, argv + i + 1, (size_t)(argc - i - 1) * sizeof(*argv));
            argc--;
            i--;
        }
    }
    switch (cli_one_arg(c, argc, argv, INTEL_USAGE, &arg)) {
    case 1:
        return EXIT_CLEAN;
    case -1:
        return EXIT_ERROR;
    default:
        break;
    }
    if ((strcmp(what, "remove") == 0) != (arg != NULL)) {
        fputs(INTEL_USAGE, stderr);
        return EXIT_ERROR;
    }
    store = cli_open_store(c);
    if (store == NULL)
        return EXIT_ERROR;
    memset(&d, 0, sizeof(d));
    if (strcmp(what, "stats") == 0)
        err = ruru_intel_stats(store, &out, &d);
    else if (strcmp(what, "sources") == 0)
        err = ruru_intel_sources(store, actors, &out, &d);
    else
        err = ruru_intel_remove(store, arg, &out, &d);
    ruru_store_close(store);
    if (err != RURU_OK) {
        cli_error(err, &d, NULL);
        return EXIT_ERROR;
    }
    doc = json_loads(out, 0, NULL);
    ruru_free(out);
    if (c->format == OUT_JSON)
        cli_print_json(c, doc);
    else if (strcmp(what, "stats") == 0)
        print_stats_table(c, doc);
    else if (strcmp(what, "sources") == 0)
        print_sources_table(c, doc);
    else {
        char b1[32], b2[32], b3[32];
        fputs("removed ", c->out);
        cli_put_safe(c->out, cli_str(json_object_get(doc, "removed")));
        fprintf(c->out, ": %s files, %s indicators, %s entities\n",
                cli_num(json_object_get(doc, "files"), b1, sizeof(b1)),
                cli_num(json_object_get(doc, "indicators"), b2, sizeof(b2)),
                cli_num(json_object_get(doc, "entities"), b3, sizeof(b3)));
    }
    json_decref(doc);
    return EXIT_CLEAN;
}

int cmd_intel(struct cli *c, int argc, char **argv)
{
    if (argc == 0) {
        fputs(INTEL_USAGE, stderr);
        return EXIT_ERROR;
    }
    if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        fputs(INTEL_USAGE, stdout);
        return EXIT_CLEAN;
    }
    if (strcmp(argv[0], "import") == 0) {
        if (want_help(argc - 1, argv + 1)) {
            fputs(IMPORT_USAGE, stdout);
            return EXIT_CLEAN;
        }
        return intel_import(c, argc - 1, argv + 1);
    }
    if (strcmp(argv[0], "search") == 0) {
        if (want_help(argc - 1, argv + 1)) {
            fputs(SEARCH_USAGE, stdout);
            return EXIT_CLEAN;
        }
        return intel_search(c, argc - 1, argv + 1);
    }
    if (strcmp(argv[0], "stats") == 0 || strcmp(argv[0], "sources") == 0 ||
        strcmp(argv[0], "remove") == 0) {
        if (want_help(argc - 1, argv + 1)) {
            fputs(INTEL_USAGE, stdout);
            return EXIT_CLEAN;
        }
        return intel_simple(c, argv[0], argc - 1, argv + 1);
    }
    fprintf(stderr, "ruru: unknown intel command \"%s\"\n%s", argv[0], INTEL_USAGE);
    return EXIT_ERROR;
}
