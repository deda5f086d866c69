/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The import driver: walks the paths it is given, reads each file (decompressing gzip/zstd),
 * recognises its format from content, and runs the importer inside one store transaction per
 * file. A file that fails leaves the store as it was and the walk goes on; the report (JSON,
 * docs/json.md) says what happened to every file.
 *
 * Detection looks at content, not names: JSON documents by their top-level keys (a STIX
 * bundle has "type":"bundle", a MISP event "Event", a galaxy "values", a taxonomy
 * "predicates", a warninglist "list"), text by its first lines ("#fields" with "indicator"
 * is Zeek intel, "ruru: actor-assessments" a CERT's actor assessments, YAML with "ioc_type:"
 * and "indicator:" lines a CISA CHIRP file; anything else is a CSV or a one-value-per-line
 * list).
 */
#include "intel/import.h"

#include <inttypes.h>
#include <jansson.h>
#include <string.h>
#include <xxhash.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "intel/actors_assess.h"
#include "intel/csv.h"
#include "intel/store.h"
#include "io/file.h"

/* 1 GiB: far above any real feed, low enough that a bomb cannot take the machine. */
#define DEFAULT_MAX_FILE_BYTES (1ull << 30)

static bool has_key(json_t *o, const char *k)
{
    return json_is_object(o) && json_object_get(o, k) != NULL;
}

static bool is_stix_object(json_t *o)
{
    const char *id = json_string_value(json_object_get(o, "id"));

    return json_is_string(json_object_get(o, "type")) && id != NULL && strstr(id, "--") != NULL;
}

static const char *detect_json(const char *path, json_t *root)
{
    const char *base = strrchr(path, '/');
    json_t *first;

    base = base ? base + 1 : path;
    if (json_is_array(root)) {
        first = json_array_get(root, 0);
        if (has_key(first, "Event") || has_key(first, "Attribute"))
            return "misp";
        if (is_stix_object(first))
            return "stix";
        return NULL;
    }
    if (!json_is_object(root))
        return NULL;
    if (has_key(root, "Event") || has_key(root, "response") || has_key(root, "Attribute"))
        return "misp";
    if (json_is_string(json_object_get(root, "type")) &&
        (strcmp(json_string_value(json_object_get(root, "type")), "bundle") == 0 ||
         has_key(root, "spec_version") || is_stix_object(root)) &&
        !has_key(root, "values"))
        return "stix";
    if (has_key(root, "namespace") && has_key(root, "predicates"))
        return "taxonomy";
    if (has_key(root, "list") && has_key(root, "type") && has_key(root, "name"))
        return "warninglist";
    if (json_is_array(json_object_get(root, "values")) && has_key(root, "type"))
        return "galaxy";
    if (strcmp(base, "manifest.json") == 0)
        return "misp";
    return NULL;
}

/* A CHIRP indicator file: YAML (its first line that is no comment is "---" or a key) whose
 * first document has "ioc_type:" and "indicator:" keys at the start of a line. The CSV
 * importer would read its lines as values; the README that ships with CHIRP, which quotes such
 * documents, starts as Markdown and is not taken for one. */
static bool is_chirp(const char *data, size_t len)
{
    bool type = false, ind = false, started = false;

    for (size_t p = 0; p < len;) {
        const char *nl = memchr(data + p, '\n', len - p);
        size_t end = nl ? (size_t)(nl - data) : len;
        struct ruru_str line = ruru_str_make(data + p, end - p), t = ruru_str_trim(line);
        p = end + 1;
        if (!started) {
            size_t k = 0;
            if (t.len == 0 || t.ptr[0] == '#')
                continue;
            while (k < line.len && (ruru_is_alpha(line.ptr[k]) || line.ptr[k] == '_'))
                k++;
            if (!ruru_str_eq(t, "---") && (k == 0 || k == line.len || line.ptr[k] != ':'))
                return false;
            started = true;
        }
        type = type || ruru_str_iprefix(line, "ioc_type:");
        ind = ind || ruru_str_iprefix(line, "indicator:");
    }
    return type && ind;
}

const char *ruru_intel_detect(const char *path, const char *data, size_t len)
{
    size_t i = 0, probe = len < 4096 ? len : 4096;

    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    if (memchr(data, '\0', probe) != NULL)
        return NULL;
    while (i < len && ruru_is_space(data[i]))
        i++;
    if (i == len)
        return "csv"; /* empty: nothing to import, but not an error */
    if (data[i] == '{' || data[i] == '[') {
        json_error_t jerr;
        json_t *root = json_loadb(data, len, 0, &jerr);
        const char *fmt;
        if (root == NULL)
            return data[i] == '{' ? "json" : "csv";
        fmt = detect_json(path, root);
        json_decref(root);
        return fmt ? fmt : "json";
    }
    if (ruru_assess_detect(data + i, len - i))
        return "assessment";
    if (is_chirp(data + i, probe > i ? probe - i : 0))
        return "chirp";
    /* Zeek intel: a "#fields" header naming the indicator column within the first lines. */
    for (size_t p = i; p < probe;) {
        const char *nl = memchr(data + p, '\n', probe - p);
        size_t end = nl ? (size_t)(nl - data) : probe;
        struct ruru_str line = ruru_str_make(data + p, end - p);
        if (ruru_str_iprefix(line, "#separator") ||
            (ruru_str_iprefix(line, "#fields") &&
             ruru_memmem(line.ptr, line.len, "indicator", 9) != NULL))
            return "zeek";
        if (line.len > 0 && line.ptr[0] != '#')
            break;
        p = end + 1;
    }
    if (ruru_loki_detect(path, data + i, len - i))
        return "loki";
    return "csv";
}

typedef enum ruru_err (*importer_fn)(const char *,
                                     size_t,
                                     const struct ruru_import_ctx *,
                                     struct ruru_diag *);

static importer_fn importer_for(const char *format)
{
    static const struct {
        const char *name;
        importer_fn fn;
    } table[] = {
            {"stix", ruru_stix_import},
            {"misp", ruru_misp_import},
            {"galaxy", ruru_galaxy_import},
            {"taxonomy", ruru_taxonomy_import},
            {"warninglist", ruru_warninglist_import},
            {"csv", ruru_csv_import},
            {"text", ruru_csv_import},
            {"zeek", ruru_zeek_import},
            {"chirp", ruru_chirp_import},
            {"assessment", ruru_assess_import},
            {"loki", ruru_loki_import},
    };

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i].name, format) == 0)
            return table[i].fn;
    return NULL;
}

/* The sink between an importer and the store when the caller gives defaults (--actor, --tlp,
 * --confidence): an indicator's own word wins; the rest passes through untouched. */
struct defaults {
    const struct ruru_intel_sink *inner;
    struct ruru_intel_sink sink;
    const char *actor[1];
    const char *tlp;
    int confidence; /* -1: none */
};

static enum ruru_err def_indicator(void *ctx, const struct ruru_intel_indicator *ind)
{
    struct defaults *d = ctx;
    struct ruru_intel_indicator x = *ind;

    if (d->actor[0] != NULL && x.n_actors == 0) {
        x.actors = d->actor;
        x.n_actors = 1;
    }
    if (d->tlp != NULL && x.tlp == NULL)
        x.tlp = d->tlp;
    if (d->confidence >= 0 && x.confidence < 0)
        x.confidence = d->confidence;
    return d->inner->indicator != NULL ? d->inner->indicator(d->inner->ctx, &x) : RURU_OK;
}

static enum ruru_err def_entity(void *ctx, const struct ruru_intel_entity *e)
{
    struct defaults *d = ctx;
    return d->inner->entity(d->inner->ctx, e);
}

static enum ruru_err def_relation(void *ctx, const struct ruru_intel_relation *r)
{
    struct defaults *d = ctx;
    return d->inner->relation(d->inner->ctx, r);
}

static enum ruru_err def_reject(void *ctx, const struct ruru_intel_reject *r)
{
    struct defaults *d = ctx;
    return d->inner->reject(d->inner->ctx, r);
}

static enum ruru_err def_warninglist(void *ctx, const struct ruru_intel_warninglist *w)
{
    struct defaults *d = ctx;
    return d->inner->warninglist(d->inner->ctx, w);
}

static enum ruru_err def_tag_meaning(void *ctx, const struct ruru_intel_tag_meaning *t)
{
    struct defaults *d = ctx;
    return d->inner->tag_meaning(d->inner->ctx, t);
}

/* Puts `d` in front of `inner` when opts give defaults; returns the sink to use. */
static const struct ruru_intel_sink *with_defaults(struct defaults *d,
                                                   const struct ruru_intel_sink *inner,
                                                   const struct ruru_import_opts *opts)
{
    if (opts->actor == NULL && opts->tlp == NULL && !opts->has_confidence)
        return inner;
    memset(d, 0, sizeof(*d));
    d->inner = inner;
    d->actor[0] = opts->actor;
    d->tlp = opts->tlp != NULL ? ruru_tlp_parse(opts->tlp, strlen(opts->tlp)) : NULL;
    d->confidence = opts->has_confidence ? opts->confidence : -1;
    d->sink.ctx = d;
    d->sink.indicator = def_indicator;
    d->sink.entity = inner->entity != NULL ? def_entity : NULL;
    d->sink.relation = inner->relation != NULL ? def_relation : NULL;
    d->sink.reject = inner->reject != NULL ? def_reject : NULL;
    d->sink.warninglist = inner->warninglist != NULL ? def_warninglist : NULL;
    d->sink.tag_meaning = inner->tag_meaning != NULL ? def_tag_meaning : NULL;
    return &d->sink;
}

struct run {
    struct ruru_store *store;
    const struct ruru_import_opts *opts;
    const char *source;
    json_t *files;
    enum ruru_err first_err;
    struct ruru_diag *diag;
    bool in_dir;
};

static void add_count(json_t *o, const char *k, uint64_t n)
{
    json_object_set_new(o, k, json_integer((json_int_t)n));
}

static json_t *stats_json(json_t *f, const struct ruru_import_stats *st, bool detailed)
{
    /* to_ids false values are context, counted apart: never as detection indicators */
    add_count(f, "indicators", st->n_indicators - st->n_context);
    add_count(f, "context", st->n_context);
    if (detailed) {
        json_t *bt = json_object(), *bk = json_object(), *ct = json_object();
        for (int t = 1; t < RURU_IOC__COUNT; t++) {
            if (st->n_by_type[t] > 0)
                add_count(bt, ruru_ioc_type_name((enum ruru_ioc_type)t), st->n_by_type[t]);
            if (st->n_context_by_type[t] > 0)
                add_count(ct, ruru_ioc_type_name((enum ruru_ioc_type)t), st->n_context_by_type[t]);
        }
        json_object_set_new(f, "by_type", bt);
        json_object_set_new(f, "context_by_type", ct);
        add_count(f, "entities", st->n_entities);
        static const char *const kinds[] = {NULL,   "actor",     "campaign", "malware",
                                            "tool", "technique", "identity", "infrastructure"};
        for (int k = RURU_ENTITY_ACTOR; k <= RURU_ENTITY_INFRASTRUCTURE; k++)
            if (st->n_by_kind[k] > 0)
                add_count(bk, kinds[k], st->n_by_kind[k]);
        json_object_set_new(f, "by_kind", bk);
    } else {
        add_count(f, "entities", st->n_entities);
    }
    add_count(f, "relations", st->n_relations);
    add_count(f, "warninglists", st->n_warninglists);
    add_count(f, "tag_meanings", st->n_tag_meanings);
    add_count(f, "rejected", st->n_rejected);
    if (detailed) {
        add_count(f, "warninglist_entries", st->n_warninglist_entries);
        add_count(f, "older_ignored", st->n_older);
    }
    return f;
}

static void set_error(json_t *f, const struct ruru_diag *d, enum ruru_err err)
{
    json_t *e = json_object();

    json_object_set_new(e, "message", json_string(d->msg[0] ? d->msg : ruru_strerror(err)));
    if (d->line > 0)
        add_count(e, "line", d->line);
    if (d->col > 0)
        add_count(e, "col", d->col);
    json_object_set_new(f, "status", json_string("error"));
    json_object_set_new(f, "error", e);
}

/* Names a directory walk imports; a file named on the command line is always tried. NULL
 * when wanted, else why not (static text, or `why` filled). */
static const char *skip_reason(const char *path, char *why, size_t why_len)
{
    /* .md5 .sha1 .sha256 .sha512: hash lists as vendors publish samples' digests */
    static const char *const exts[] = {".json", ".csv",  ".tsv", ".txt",  ".dat",    ".intel",
                                       ".ioc",  ".iocs", ".lst", ".list", ".stix",   ".misp",
                                       ".yaml", ".yml",  ".md5", ".sha1", ".sha256", ".sha512"};
    const char *base = strrchr(path, '/');
    char name[256];
    size_t n;

    base = base ? base + 1 : path;
    n = strlen(base);
    if (n >= sizeof(name))
        return "unknown format: a file name too long to be an intel file's";
    memcpy(name, base, n + 1);
    /* MISP feeds carry hashes.csv, a lookup table of hashed attribute values, not indicators. */
    if (strcmp(name, "hashes.csv") == 0)
        return "MISP feed hashes.csv: a lookup table of hashed values, not indicators";
    for (size_t k = 0; k < 2; k++) {
        char *dot = strrchr(name, '.');
        if (dot == NULL || dot == name)
            return "unknown format: no file name extension (name the file to import it)";
        if (k == 0 && (strcmp(dot, ".gz") == 0 || strcmp(dot, ".zst") == 0)) {
            *dot = '\0';
            continue;
        }
        for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
            if (ruru_ascii_casecmp(dot, exts[i]) == 0)
                return NULL;
        snprintf(why, why_len,
                 "unknown format: %.32s is not an intel file extension (name the file to import "
                 "it)",
                 dot);
        return why;
    }
    return NULL;
}

/* Is data[0..len) empty, or only white space (and a UTF-8 BOM)? */
static bool is_blank(const char *data, size_t len)
{
    size_t i = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

    while (i < len && ruru_is_space(data[i]))
        i++;
    return i == len;
}

/* A file a directory walk leaves out, in the report with the reason. */
static void add_skipped(struct run *r, const char *path, const char *reason)
{
    json_t *f = json_object();

    json_object_set_new(f, "path", json_string(path));
    json_object_set_new(f, "source", json_string(r->source));
    json_object_set_new(f, "status", json_string("skipped"));
    json_object_set_new(f, "reason", json_string(reason));
    json_array_append_new(r->files, f);
}

static void import_one(struct run *r, const char *path)
{
    json_t *f = json_object();
    struct ruru_diag d;
    char *data = NULL;
    size_t len = 0;
    const char *format = r->opts->format;
    char hash[64 + 32 + 64];
    struct ruru_store_file *sf = NULL;
    bool unchanged = false;
    enum ruru_err err;
    uint64_t max = r->opts->max_file_bytes ? r->opts->max_file_bytes : DEFAULT_MAX_FILE_BYTES;
    importer_fn fn;
    XXH128_hash_t h;

    ruru_diag_clear(&d);
    json_object_set_new(f, "path", json_string(path));
    json_object_set_new(f, "source", json_string(r->source));
    json_array_append_new(r->files, f);
    err = ruru_file_read(path, max, &data, &len, NULL, &d);
    if (err != RURU_OK)
        goto fail;
    if (format == NULL) {
        format = ruru_intel_detect(path, data, len);
        if (format == NULL) {
            err = ruru_diag_set(&d, RURU_EUNSUPPORTED, path, 0, 0,
                                "not a recognised intel format (binary data)");
            goto fail;
        }
        if (strcmp(format, "json") == 0) {
            /* JSON that is none of ours: let the parser say where it is broken, or say what
             * it is not. */
            json_error_t jerr;
            json_t *root = json_loadb(data, len, 0, &jerr);
            if (root == NULL)
                err = ruru_diag_set(&d, RURU_EPARSE, path, (uint64_t)jerr.line,
                                    (uint64_t)jerr.column, "invalid JSON: %s", jerr.text);
            else
                err = ruru_diag_set(&d, RURU_EUNSUPPORTED, path, 0, 0,
                                    "JSON document of no known intel format (STIX bundle, MISP "
                                    "event, galaxy, taxonomy or warninglist)");
            json_decref(root);
            goto fail;
        }
    }
    fn = importer_for(format);
    if (fn == NULL) {
        err = ruru_diag_set(&d, RURU_EINVAL, path, 0, 0, "unknown format \"%s\"", format);
        goto fail;
    }
    json_object_set_new(f, "format", json_string(format));
    h = XXH3_128bits(data, len);
    snprintf(hash, sizeof(hash), "%016" PRIx64 "%016" PRIx64 ":%s", (uint64_t)h.high64,
             (uint64_t)h.low64, format);
    if (r->opts->actor != NULL || r->opts->tlp != NULL || r->opts->has_confidence) {
        /* The same bytes imported with other defaults give other indicators: not unchanged. */
        char opt[64];
        XXH64_hash_t oh = XXH3_64bits(r->opts->actor ? r->opts->actor : "",
                                      r->opts->actor ? strlen(r->opts->actor) : 0);
        oh = XXH3_64bits_withSeed(r->opts->tlp ? r->opts->tlp : "",
                                  r->opts->tlp ? strlen(r->opts->tlp) : 0, oh);
        snprintf(opt, sizeof(opt), ":%016" PRIx64 ":%d", (uint64_t)oh,
                 r->opts->has_confidence ? r->opts->confidence : -1);
        if (strlen(hash) + strlen(opt) < sizeof(hash))
            memcpy(hash + strlen(hash), opt, strlen(opt) + 1);
    }
    err = ruru_store_file_begin(r->store, r->source, path, format, hash, len, &sf, &unchanged, &d);
    if (err != RURU_OK)
        goto fail;
    if (unchanged) {
        struct ruru_import_stats st;
        char fmt[32];
        ruru_store_file_counts(r->store, r->source, path, &st, fmt, sizeof(fmt));
        json_object_set_new(f, "status", json_string("unchanged"));
        stats_json(f, &st, false);
        goto out;
    }
    {
        struct ruru_import_ctx ctx;
        struct defaults defs;
        const struct ruru_import_stats *st;
        const struct ruru_import_reject *rej;
        size_t n_rej;
        json_t *list;

        memset(&ctx, 0, sizeof(ctx));
        ctx.path = path;
        ctx.sink = with_defaults(&defs, ruru_store_file_sink(sf), r->opts);
        ctx.norm.min_prefix_v4 = r->opts->min_prefix_v4;
        ctx.norm.min_prefix_v6 = r->opts->min_prefix_v6;
        err = fn(data, len, &ctx, &d);
        if (err != RURU_OK) {
            ruru_store_file_rollback(sf);
            sf = NULL;
            goto fail;
        }
        st = ruru_store_file_stats(sf);
        if (is_blank(data, len)) {
            /* Committed all the same: an emptied file gives nothing any more. */
            json_object_set_new(f, "status", json_string("skipped"));
            json_object_set_new(f, "reason", json_string("empty file: nothing to import"));
        } else {
            json_object_set_new(f, "status", json_string("imported"));
        }
        stats_json(f, st, true);
        rej = ruru_store_file_rejects(sf, &n_rej);
        list = json_array();
        for (size_t i = 0; i < n_rej; i++) {
            json_t *o = json_object();
            if (rej[i].line > 0)
                add_count(o, "line", rej[i].line);
            if (rej[i].col > 0)
                add_count(o, "col", rej[i].col);
            if (rej[i].object_ref)
                json_object_set_new(o, "object", json_string(rej[i].object_ref));
            if (rej[i].value)
                json_object_set_new(o, "value",
                                    json_stringn_nocheck(rej[i].value, strlen(rej[i].value)));
            json_object_set_new(o, "reason", json_string(rej[i].reason));
            json_array_append_new(list, o);
        }
        json_object_set_new(f, "rejections", list);
        err = ruru_store_file_commit(sf, &d);
        sf = NULL;
        if (err != RURU_OK)
            goto fail;
    }
    goto out;
fail:
    set_error(f, &d, err);
    if (r->first_err == RURU_OK) {
        r->first_err = err;
        if (r->diag != NULL) {
            *r->diag = d;
            r->diag->source = NULL; /* `path` does not outlive the walk */
        }
    }
out:
    ruru_free(data);
}

static int walk_cb(const char *path, void *ctx)
{
    struct run *r = ctx;
    char why[160];
    const char *reason = skip_reason(path, why, sizeof(why));

    if (reason == NULL)
        import_one(r, path);
    else
        add_skipped(r, path, reason);
    return 0;
}

static void walk_skipped(const char *path, const char *reason, void *ctx)
{
    add_skipped(ctx, path, reason);
}

static char *basename_of(const char *path)
{
    size_t n = strlen(path);
    const char *b;

    while (n > 1 && path[n - 1] == '/')
        n--;
    b = path + n;
    while (b > path && b[-1] != '/')
        b--;
    return ruru_memdup0(b, (size_t)(path + n - b));
}

enum ruru_err ruru_intel_import(ruru_store *store,
                                const char *path,
                                const struct ruru_import_opts *opts,
                                char **report_json,
                                struct ruru_diag *diag)
{
    struct ruru_import_opts defaults;
    struct run r;
    json_t *report, *totals;
    char *source = NULL;
    enum ruru_err err;
    size_t i;
    json_t *f;
    uint64_t n_imp = 0, n_unch = 0, n_err = 0, n_skip = 0, n_ind = 0, n_ctx = 0, n_ent = 0,
             n_rel = 0, n_rej = 0;

    ruru_diag_clear(diag);
    if (opts == NULL) {
        memset(&defaults, 0, sizeof(defaults));
        opts = &defaults;
    }
    if (opts->tlp != NULL && ruru_tlp_parse(opts->tlp, strlen(opts->tlp)) == NULL)
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0,
                             "unknown TLP \"%s\" (clear, green, amber, amber+strict, red)",
                             opts->tlp);
    if (opts->has_confidence && (opts->confidence < 0 || opts->confidence > 100))
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0, "confidence %d is not in 0..100",
                             opts->confidence);
    if (opts->actor != NULL && opts->actor[0] == '\0')
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0, "empty actor name");
    source = opts->source ? ruru_strdup(opts->source) : basename_of(path);
    report = json_object();
    if (source == NULL || report == NULL) {
        ruru_free(source);
        json_decref(report);
        return ruru_diag_set(diag, RURU_ENOMEM, path, 0, 0, "out of memory");
    }
    memset(&r, 0, sizeof(r));
    r.store = store;
    r.opts = opts;
    r.source = source;
    r.files = json_array();
    r.diag = diag;
    json_object_set_new(report, "source", json_string(source));
    json_object_set_new(report, "files", r.files);
    if (ruru_is_dir(path)) {
        struct ruru_diag wd;
        ruru_diag_clear(&wd);
        err = ruru_dir_walk_all(path, walk_cb, walk_skipped, &r, &wd);
        if (err != RURU_OK && r.first_err == RURU_OK) {
            r.first_err = err;
            if (diag)
                *diag = wd;
        }
    } else {
        import_one(&r, path);
    }
    json_array_foreach(r.files, i, f)
    {
        const char *st = json_string_value(json_object_get(f, "status"));
        if (st && strcmp(st, "imported") == 0)
            n_imp++;
        else if (st && strcmp(st, "unchanged") == 0)
            n_unch++;
        else if (st && strcmp(st, "skipped") == 0)
            n_skip++;
        else
            n_err++;
        n_ind += (uint64_t)json_integer_value(json_object_get(f, "indicators"));
        n_ctx += (uint64_t)json_integer_value(json_object_get(f, "context"));
        n_ent += (uint64_t)json_integer_value(json_object_get(f, "entities"));
        n_rel += (uint64_t)json_integer_value(json_object_get(f, "relations"));
        n_rej += (uint64_t)json_integer_value(json_object_get(f, "rejected"));
    }
    totals = json_object();
    add_count(totals, "files", json_array_size(r.files));
    add_count(totals, "imported", n_imp);
    add_count(totals, "unchanged", n_unch);
    add_count(totals, "errors", n_err);
    add_count(totals, "skipped", n_skip);
    add_count(totals, "indicators", n_ind);
    add_count(totals, "context", n_ctx);
    add_count(totals, "entities", n_ent);
    add_count(totals, "relations", n_rel);
    add_count(totals, "rejected", n_rej);
    json_object_set_new(report, "totals", totals);
    *report_json = json_dumps(report, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(report);
    ruru_free(source);
    if (*report_json == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, path, 0, 0, "out of memory");
    return r.first_err;
}
