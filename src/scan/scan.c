/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sweep (ruru_scan in ruru.h). The calling thread reads each input in blocks of whole
 * lines ("chunks"), detects its format from the first block, and hands the chunks to worker
 * threads; each worker parses and matches the lines of its chunk with its own scratch against
 * the one immutable index. Results come back per chunk and are reported by the calling thread
 * in chunk order, so the output is the same whatever the number of threads.
 *
 * Stateful formats (W3C "#Fields:", Zeek "#fields", CSV headers) are followed by the reader:
 * it feeds each chunk's directive lines to its own parser state after taking a copy of that
 * state for the chunk, so a worker starts a chunk knowing the columns in force.
 *
 * Line numbers are counted by the workers per chunk and made absolute when reported; byte
 * offsets are absolute from the start, and refer to the decompressed bytes of a compressed
 * input.
 */
#include <dirent.h>
#include <inttypes.h>
#include <jansson.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "base/str.h"
#include "base/time.h"
#include "base/vec.h"
#include "intel/query.h"
#include "intel/store.h"
#include "io/file.h"
#include "io/stream.h"
#include "logs/cef.h"
#include "logs/csvlog.h"
#include "logs/detect.h"
#include "logs/evtx.h"
#include "logs/json.h"
#include "logs/record.h"
#include "logs/syslog.h"
#include "logs/w3c.h"
#include "logs/zeeklog.h"
#include "match/index.h"
#include "match/literal.h"
#include "rules/sigma.h"
#include "scan/match.h"
#include "scan/sighting.h"

#define CHUNK_BYTES      (4u << 20)
#define DEFAULT_MAX_LINE (256ull << 20)
#define UNPARSED_SAMPLES 5
#define SPARE_BUFFERS    64
#define DETECT_BYTES     (64u << 10) /* of a CR-only input, shown to the format detector */

/* ---- formats ------------------------------------------------------------------------------- */

/* A parser for one input, whatever its format. */
struct fmt {
    enum ruru_log_kind kind;
    struct ruru_syslog_year year; /* for syslog lines without one */
    struct ruru_w3c *w3c;
    struct ruru_zeeklog *zeek;
    struct ruru_jsonlog *json;
    struct ruru_csvlog *csv;
};

enum parsed { P_RECORD, P_DIRECTIVE, P_BAD };

static bool stateful(enum ruru_log_kind k)
{
    return k == RURU_KIND_W3C || k == RURU_KIND_ZEEK_TSV || k == RURU_KIND_CSV;
}

static void fmt_free(struct fmt *f)
{
    if (f == NULL)
        return;
    ruru_free(f->w3c);
    ruru_free(f->zeek);
    ruru_free(f->json);
    ruru_free(f->csv);
    ruru_free(f);
}

static struct fmt *fmt_new(enum ruru_log_kind kind, struct ruru_syslog_year year)
{
    struct fmt *f = ruru_calloc(1, sizeof(*f));

    if (f == NULL)
        return NULL;
    f->kind = kind;
    f->year = year;
    switch (kind) {
    case RURU_KIND_W3C:
        if ((f->w3c = ruru_malloc(sizeof(*f->w3c))) != NULL)
            ruru_w3c_init(f->w3c);
        break;
    case RURU_KIND_ZEEK_TSV:
        if ((f->zeek = ruru_malloc(sizeof(*f->zeek))) != NULL)
            ruru_zeeklog_init(f->zeek);
        break;
    case RURU_KIND_EVE:
    case RURU_KIND_ZEEK_JSON:
    case RURU_KIND_JSONL:
    case RURU_KIND_JSON_DOC:
    case RURU_KIND_EVTX:
        if ((f->json = ruru_malloc(sizeof(*f->json))) != NULL)
            ruru_jsonlog_init(f->json, kind == RURU_KIND_EVE         ? RURU_LOG_EVE
                                       : kind == RURU_KIND_ZEEK_JSON ? RURU_LOG_ZEEK_JSON
                                                                     : RURU_LOG_JSON);
        break;
    case RURU_KIND_CSV:
        if ((f->csv = ruru_malloc(sizeof(*f->csv))) != NULL)
            ruru_csvlog_init(f->csv);
        break;
    default:
        return f;
    }
    if (f->w3c == NULL && f->zeek == NULL && f->json == NULL && f->csv == NULL) {
        ruru_free(f);
        return NULL;
    }
    return f;
}

/* Column names copied with their state still point into the source's header copy. */
static void rebase(struct ruru_str *names, size_t n, const char *to, const char *from)
{
    for (size_t i = 0; i < n; i++)
        names[i].ptr = to + (names[i].ptr - from);
}

/* A copy of f for one chunk. Column names are slices of the header copy inside the state, so
 * they are moved to the copy's header. */
static struct fmt *fmt_copy(const struct fmt *src)
{
    struct fmt *f = fmt_new(src->kind, src->year);

    if (f == NULL)
        return NULL;
    if (src->w3c != NULL) {
        memcpy(f->w3c, src->w3c, sizeof(*f->w3c));
        rebase(f->w3c->names, f->w3c->n_names, f->w3c->header, src->w3c->header);
    }
    if (src->csv != NULL) {
        memcpy(f->csv, src->csv, sizeof(*f->csv));
        rebase(f->csv->names, f->csv->n_names, f->csv->header, src->csv->header);
    }
    if (src->zeek != NULL) {
        memcpy(f->zeek, src->zeek, sizeof(*f->zeek));
        rebase(f->zeek->names, f->zeek->n_names, f->zeek->header, src->zeek->header);
    }
    return f;
}

static enum parsed fmt_parse(struct fmt *f, const char *line, size_t len, struct ruru_record *r)
{
    switch (f->kind) {
    case RURU_KIND_APACHE:
        return ruru_apache_parse(line, len, r) ? P_RECORD : P_BAD;
    case RURU_KIND_W3C:
        switch (ruru_w3c_parse(f->w3c, line, len, r)) {
        case RURU_W3C_RECORD:
            return P_RECORD;
        case RURU_W3C_DIRECTIVE:
            return P_DIRECTIVE;
        default:
            return P_BAD;
        }
    case RURU_KIND_ZEEK_TSV:
        switch (ruru_zeeklog_parse(f->zeek, line, len, r)) {
        case RURU_ZEEK_RECORD:
            return P_RECORD;
        case RURU_ZEEK_DIRECTIVE:
            return P_DIRECTIVE;
        default:
            return P_BAD;
        }
    case RURU_KIND_EVE:
    case RURU_KIND_ZEEK_JSON:
    case RURU_KIND_JSONL:
    case RURU_KIND_JSON_DOC:
    case RURU_KIND_EVTX:
        return ruru_jsonlog_parse(f->json, line, len, r) ? P_RECORD : P_BAD;
    case RURU_KIND_SYSLOG:
        return ruru_syslog_parse(line, len, &f->year, r) ? P_RECORD : P_BAD;
    case RURU_KIND_CEF:
        return ruru_cef_parse(line, len, r) ? P_RECORD : P_BAD;
    case RURU_KIND_CSV:
        switch (ruru_csvlog_parse(f->csv, line, len, r)) {
        case RURU_CSVLOG_RECORD:
            return P_RECORD;
        case RURU_CSVLOG_DIRECTIVE:
            return P_DIRECTIVE;
        default:
            return P_BAD;
        }
    default:
        return P_BAD; /* text (and formats without a parser yet): matched as text */
    }
}

/* ---- chunks -------------------------------------------------------------------------------- */

/* A field that satisfied a rule: copies in the chunk's arena. */
struct hit_field {
    char *native, *value;
    const char *canon;
};

/* One hit as a worker records it; strings live in the chunk's arena. */
struct chunk_hit {
    uint64_t line; /* within the chunk, 1-based */
    uint64_t offset;
    uint32_t length;
    uint32_t ind;  /* an indicator (is_rule false) */
    uint32_t rule; /* a rule (is_rule true) */
    bool is_rule, keywords;
    bool is_pattern, partial; /* a STIX pattern's (ind), matched or observed in part (entry) */
    uint32_t entry;
    char *observation;                        /* pattern matched: the record as objects, JSON */
    uint64_t leaves[RURU_PATTERN_LEAF_WORDS]; /* pattern in part: the expressions it holds */
    struct hit_field *fields;                 /* rule: the fields that satisfied it */
    size_t n_fields;
    char **corr_values; /* rule: the values its correlations need, or NULL entries */
    size_t n_corr_values;
    int64_t time;
    char *field_native;
    const char *field_canon; /* static or in the arena */
    char *observed, *asset, *raw;
    size_t raw_len;
    bool raw_truncated, asset_is_ip;
    unsigned char sha256[32];
};

/* One element of a JSON document (or one .evtx record rendered as JSON): its bytes in the
 * chunk and the line (record) it starts on. For an .evtx record the evidence is elsewhere:
 * the record's own bytes in the file, at src_off, and their hash. */
struct span {
    size_t off, len;
    uint64_t line; /* absolute, 1-based */
    bool has_src;
    uint32_t src_len;
    uint64_t src_off;
    unsigned char src_sha[32];
};

struct chunk {
    size_t input;
    const struct ruru_rules_input *rin; /* the input as the rules see it, or NULL */
    struct span *spans;                 /* JSON documents: the elements (then lines are absolute) */
    size_t n_spans;
    char *data;
    size_t len, cap; /* bytes used, bytes allocated */
    uint64_t offset; /* of data[0] in the input */
    char eol;        /* the byte that ends a line: '\n', or '\r' in a file of CR-only lines */
    bool continues;  /* data[0] is inside a line too long for a buffer, cut before it */
    struct fmt *fmt;
    /* results */
    struct ruru_vec hits;
    struct ruru_arena arena;
    uint64_t lines, parsed, unparsed, blank, truncated;
    int64_t first_time, last_time;
    uint64_t unparsed_at[UNPARSED_SAMPLES], truncated_at[UNPARSED_SAMPLES];
    size_t n_unparsed_at, n_truncated_at;
    struct ruru_match_counts counts;
    bool hits_truncated, failed;
    bool done;
    struct chunk *next; /* in the work queue */
};

/* Frees a chunk but its buffer (the caller recycles it). */
static void chunk_free(struct chunk *c)
{
    if (c == NULL)
        return;
    ruru_free(c->spans);
    fmt_free(c->fmt);
    ruru_vec_fini(&c->hits);
    ruru_arena_fini(&c->arena);
    ruru_free(c);
}

/* Is the address in a private, loopback or link-local range (an asset of ours)? */
static bool internal_addr(struct ruru_str v)
{
    unsigned a = 0, b = 0, n = 0;
    size_t i = 0;

    if (v.len > 0 && memchr(v.ptr, ':', v.len) != NULL) {
        /* fc00::/7, fe80::/10, ::1 */
        return (v.len >= 2 && (ruru_lower(v.ptr[0]) == 'f') &&
                (ruru_lower(v.ptr[1]) == 'c' || ruru_lower(v.ptr[1]) == 'd')) ||
               (v.len >= 4 && ruru_str_iprefix(v, "fe8")) || ruru_str_eq(v, "::1");
    }
    for (; i < v.len && ruru_is_digit(v.ptr[i]); i++)
        a = a * 10 + (unsigned)(v.ptr[i] - '0');
    if (i >= v.len || v.ptr[i] != '.')
        return false;
    for (i++; i < v.len && ruru_is_digit(v.ptr[i]) && n < 3; i++, n++)
        b = b * 10 + (unsigned)(v.ptr[i] - '0');
    return a == 10 || a == 127 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168) ||
           (a == 169 && b == 254) || (a == 100 && b >= 64 && b <= 127);
}

/* The asset a record is about: its host name, else an internal address in it. */
static bool record_asset(const struct ruru_record *r, struct ruru_str *out, bool *is_ip)
{
    static const char *const names[] = {"host.name", "host.hostname", "observer.hostname",
                                        "observer.name"};
    /* The initiator first when it is ours (a client resolving, connecting, browsing out),
     * else the internal end it reached (a server receiving from outside). */
    static const char *const addrs[] = {"source.ip", "destination.ip", "host.ip"};
    const struct ruru_str *v;

    if (r == NULL)
        return false;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if ((v = ruru_record_get(r, names[i])) != NULL && v->len > 0 && v->len < 256) {
            *out = *v;
            *is_ip = false;
            return true;
        }
    for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
        if ((v = ruru_record_get(r, addrs[i])) != NULL && internal_addr(*v)) {
            *out = *v;
            *is_ip = true;
            return true;
        }
    return false;
}

static bool keep_hits(struct chunk *c,
                      const struct ruru_matcher *m,
                      const struct ruru_record *r,
                      const char *line,
                      size_t len,
                      uint64_t rel_line,
                      uint64_t offset,
                      const struct span *src)
{
    struct sha256_ctx sha;
    unsigned char digest[32];
    struct ruru_str asset = {0};
    bool asset_ip = false, have_asset = record_asset(r, &asset, &asset_ip);
    size_t raw_len = len < RURU_SIGHTING_MAX_RAW ? len : RURU_SIGHTING_MAX_RAW;
    char *raw;

    if (src != NULL && src->has_src) {
        /* the record's bytes in the event log file are the evidence, not their rendering */
        memcpy(digest, src->src_sha, sizeof(digest));
    } else {
        sha256_init(&sha);
        sha256_update(&sha, len, (const uint8_t *)line);
        sha256_digest(&sha, sizeof(digest), digest);
    }
    /* One copy of the line for all its hits. */
    raw = ruru_arena_strndup(&c->arena, line, raw_len);
    if (raw == NULL)
        return false;
    for (size_t k = 0; k < m->n_hits; k++) {
        const struct ruru_hit *h = &m->hits[k];
        struct chunk_hit x;
        memset(&x, 0, sizeof(x));
        x.line = rel_line;
        x.offset = src != NULL && src->has_src ? src->src_off : offset;
        x.length = src != NULL && src->has_src ? src->src_len
                                               : (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
        x.ind = h->ind;
        x.time = r != NULL ? r->time : RURU_TIME_NONE;
        x.raw = raw;
        x.raw_len = raw_len;
        x.raw_truncated = raw_len < len;
        memcpy(x.sha256, digest, sizeof(digest));
        x.observed = ruru_arena_strndup(&c->arena, m->observed.ptr + h->obs_off, h->obs_len);
        if (h->field != NULL) {
            x.field_native = ruru_arena_strndup(&c->arena, h->field->name.ptr, h->field->name.len);
            if (h->field->canon != NULL)
                x.field_canon =
                        ruru_arena_strndup(&c->arena, h->field->canon, strlen(h->field->canon));
        }
        if (have_asset) {
            x.asset = ruru_arena_strndup(&c->arena, asset.ptr, asset.len);
            x.asset_is_ip = asset_ip;
        }
        if (x.observed == NULL || (h->field != NULL && x.field_native == NULL) ||
            ruru_vec_push(&c->hits, &x) != RURU_OK)
            return false;
    }
    for (size_t k = 0; k < m->n_rule_hits; k++) {
        const struct ruru_rule_hit *h = &m->rule_hits[k];
        struct chunk_hit x;
        const char *const *names;
        size_t n_names;
        memset(&x, 0, sizeof(x));
        x.line = rel_line;
        x.offset = src != NULL && src->has_src ? src->src_off : offset;
        x.length = src != NULL && src->has_src ? src->src_len
                                               : (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
        x.is_rule = true;
        x.rule = h->rule;
        x.keywords = h->keywords;
        x.time = r != NULL ? r->time : RURU_TIME_NONE;
        x.raw = raw;
        x.raw_len = raw_len;
        x.raw_truncated = raw_len < len;
        memcpy(x.sha256, digest, sizeof(digest));
        if (have_asset) {
            x.asset = ruru_arena_strndup(&c->arena, asset.ptr, asset.len);
            x.asset_is_ip = asset_ip;
        }
        if (h->n_fields > 0) {
            x.fields = ruru_arena_alloc(&c->arena, h->n_fields * sizeof(*x.fields));
            if (x.fields == NULL)
                return false;
            for (size_t f = 0; f < h->n_fields; f++) {
                const struct ruru_field *fd = h->fields[f];
                struct hit_field *o = &x.fields[f];
                size_t vl = fd->value.len < 4096 ? fd->value.len : 4096;
                o->native = ruru_arena_strndup(&c->arena, fd->name.ptr, fd->name.len);
                o->value = ruru_arena_strndup(&c->arena, fd->value.ptr, vl);
                /* the value as the rule saw it: JSON escapes and W3C '+' undone */
                if (o->value != NULL && fd->enc == RURU_ENC_JSON) {
                    size_t dl = ruru_json_unescape(fd->value.ptr, vl, o->value, vl);
                    if (dl != (size_t)-1)
                        o->value[dl] = '\0';
                } else if (o->value != NULL && fd->enc == RURU_ENC_PLUS) {
                    for (char *q = o->value; *q; q++)
                        if (*q == '+')
                            *q = ' ';
                }
                o->canon = fd->canon != NULL
                                   ? ruru_arena_strndup(&c->arena, fd->canon, strlen(fd->canon))
                                   : NULL;
                if (o->native == NULL || o->value == NULL)
                    return false;
            }
            x.n_fields = h->n_fields;
        }
        names = ruru_rules_corr_fields(m->rules, h->rule, &n_names);
        if (n_names > 0) {
            x.corr_values = ruru_arena_alloc(&c->arena, n_names * sizeof(*x.corr_values));
            if (x.corr_values == NULL)
                return false;
            for (size_t f = 0; f < n_names; f++) {
                char v[1024];
                x.corr_values[f] =
                        ruru_rules_field_value(m->rules, h->rule, names[f], r, v, sizeof(v))
                                ? ruru_arena_strndup(&c->arena, v, strlen(v))
                                : NULL;
            }
            x.n_corr_values = n_names;
        }
        if (ruru_vec_push(&c->hits, &x) != RURU_OK)
            return false;
    }
    if (m->n_pattern_hits > 0 && m->observation != NULL) {
        char *obs = NULL;
        for (size_t k = 0; k < m->n_pattern_hits && obs == NULL; k++) {
            /* the record as objects goes with a sighting; a part of a pattern keeps less */
            char *text;
            if (m->pattern_hits[k].partial)
                continue;
            text = json_dumps(m->observation, JSON_COMPACT | JSON_ENSURE_ASCII);
            obs = text != NULL ? ruru_arena_strndup(&c->arena, text, strlen(text)) : NULL;
            free(text); /* from json_dumps */
            if (obs == NULL)
                return false;
        }
        for (size_t k = 0; k < m->n_pattern_hits; k++) {
            const struct ruru_pattern_hit *h = &m->pattern_hits[k];
            const struct ruru_pattern_entry *e = &m->patterns->entries[h->entry];
            const struct ruru_index_ind *ind = ruru_index_at(m->idx, e->ind);
            struct chunk_hit x;
            memset(&x, 0, sizeof(x));
            x.line = rel_line;
            x.offset = src != NULL && src->has_src ? src->src_off : offset;
            x.length = src != NULL && src->has_src
                               ? src->src_len
                               : (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
            x.is_pattern = true;
            x.partial = h->partial;
            x.entry = h->entry;
            x.ind = e->ind;
            x.time = r != NULL ? r->time : RURU_TIME_NONE;
            x.raw = raw;
            x.raw_len = raw_len;
            x.raw_truncated = raw_len < len;
            memcpy(x.sha256, digest, sizeof(digest));
            if (h->partial) {
                memcpy(x.leaves, h->leaves, sizeof(x.leaves));
            } else {
                x.observation = obs;
                x.observed =
                        ruru_arena_strndup(&c->arena, ruru_index_key(m->idx, ind), ind->key_len);
                if (x.observed == NULL)
                    return false;
            }
            if (have_asset) {
                x.asset = ruru_arena_strndup(&c->arena, asset.ptr, asset.len);
                x.asset_is_ip = asset_ip;
            }
            if (ruru_vec_push(&c->hits, &x) != RURU_OK)
                return false;
        }
    }
    return true;
}

/* A record with more fields than a record holds (logs/record.h): the matcher also looked at
 * its whole line as text; counted, and its line named, in the summary. */
static void note_truncated(struct chunk *c, const struct ruru_record *r, uint64_t line)
{
    if (!r->truncated)
        return;
    c->truncated++;
    if (c->n_truncated_at < UNPARSED_SAMPLES)
        c->truncated_at[c->n_truncated_at++] = line;
}

static void note_time(struct chunk *c, int64_t t)
{
    if (t == RURU_TIME_NONE)
        return;
    if (c->first_time == RURU_TIME_NONE || t < c->first_time)
        c->first_time = t;
    if (c->last_time == RURU_TIME_NONE || t > c->last_time)
        c->last_time = t;
}

/* A JSON document's elements, each one record; the reader counted the lines. */
static void process_spans(struct chunk *c, struct ruru_matcher *m, struct ruru_record *r)
{
    for (size_t k = 0; k < c->n_spans; k++) {
        const struct span *sp = &c->spans[k];
        const char *p = c->data + sp->off;
        const struct ruru_record *rec = NULL;
        if (c->fmt != NULL && fmt_parse(c->fmt, p, sp->len, r) == P_RECORD) {
            c->parsed++;
            rec = r;
            note_time(c, r->time);
            note_truncated(c, r, sp->line);
        } else {
            c->unparsed++;
            if (c->n_unparsed_at < UNPARSED_SAMPLES)
                c->unparsed_at[c->n_unparsed_at++] = sp->line;
        }
        if (!ruru_match_record(m, rec, p, sp->len))
            c->failed = true;
        ruru_match_rules(m, rec, p, sp->len);
        ruru_match_patterns(m, rec, p, sp->len);
        c->hits_truncated |= m->hits_truncated;
        if ((m->n_hits > 0 || m->n_rule_hits > 0 || m->n_pattern_hits > 0) &&
            !keep_hits(c, m, rec, p, sp->len, sp->line, c->offset + sp->off, sp))
            c->failed = true;
    }
}

static void process_chunk(struct chunk *c, struct ruru_matcher *m, struct ruru_record *r)
{
    const char *p = c->data, *end = c->data + c->len;

    c->first_time = RURU_TIME_NONE;
    c->last_time = RURU_TIME_NONE;
    if (m->rules_scratch != NULL)
        ruru_rules_scratch_input(m->rules_scratch, c->rin);
    if (c->spans != NULL || (c->fmt != NULL && c->fmt->kind == RURU_KIND_JSON_DOC)) {
        process_spans(c, m, r);
        c->counts = m->counts;
        memset(&m->counts, 0, sizeof(m->counts));
        return;
    }
    while (p < end) {
        const char *nl = memchr(p, c->eol, (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), len = n;
        uint64_t off = c->offset + (uint64_t)(p - c->data);
        enum parsed what = P_BAD;
        const struct ruru_record *rec = NULL;

        /* The record is the line without its CR; the evidence is all the bytes before LF. */
        while (len > 0 && p[len - 1] == '\r')
            len--;
        if (p == c->data && c->continues) {
            /* The rest of a line longer than the longest allowed, cut in pieces: the same
             * line (counted, and its number cited, once), matched as text. */
            if (len > 0) {
                if (!ruru_match_record(m, NULL, p, len))
                    c->failed = true;
                ruru_match_rules(m, NULL, p, len);
                c->hits_truncated |= m->hits_truncated;
                if ((m->n_hits > 0 || m->n_rule_hits > 0) &&
                    !keep_hits(c, m, NULL, p, n, c->lines, off, NULL))
                    c->failed = true;
            }
            p += n + 1;
            continue;
        }
        c->lines++;
        if (len == 0) {
            c->blank++;
        } else {
            if (c->fmt != NULL)
                what = fmt_parse(c->fmt, p, len, r);
            if (what == P_RECORD) {
                c->parsed++;
                rec = r;
                note_time(c, r->time);
                note_truncated(c, r, c->lines);
            } else if (what == P_BAD) {
                if (c->fmt != NULL && c->fmt->kind != RURU_KIND_TEXT) {
                    c->unparsed++;
                    if (c->n_unparsed_at < UNPARSED_SAMPLES)
                        c->unparsed_at[c->n_unparsed_at++] = c->lines;
                } else {
                    c->parsed++; /* text: every line is what it is */
                }
            }
            if (what != P_DIRECTIVE) {
                if (!ruru_match_record(m, rec, p, len))
                    c->failed = true;
                ruru_match_rules(m, rec, p, len);
                ruru_match_patterns(m, rec, p, len);
                c->hits_truncated |= m->hits_truncated;
                if ((m->n_hits > 0 || m->n_rule_hits > 0 || m->n_pattern_hits > 0) &&
                    !keep_hits(c, m, rec, p, n, c->lines, off, NULL))
                    c->failed = true;
            }
        }
        p += n + 1;
    }
    c->counts = m->counts;
    memset(&m->counts, 0, sizeof(m->counts));
}

/* ---- the worker pool ----------------------------------------------------------------------- */

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    struct chunk *head, *tail;
    bool stop;
    const struct ruru_index *idx;
    const struct ruru_literals *lit;
    const struct ruru_fnregex *fnre;
    const struct ruru_rules *rules;
    const struct ruru_pattern_set *patterns;
    uint64_t *ran; /* the rules that ran on some record (under mu), one bit each */
};

/* A matcher for one thread, with the sweep's literals and rules; NULL when memory ran out. */
static struct ruru_matcher *matcher_create(const struct ruru_index *idx,
                                           const struct ruru_literals *lit,
                                           const struct ruru_fnregex *fnre,
                                           const struct ruru_rules *rules,
                                           const struct ruru_pattern_set *patterns)
{
    struct ruru_matcher *m = ruru_malloc(sizeof(*m));

    if (m == NULL)
        return NULL;
    ruru_matcher_init(m, idx);
    if (ruru_matcher_use_literals(m, lit) != RURU_OK ||
        ruru_matcher_use_fnregex(m, fnre) != RURU_OK ||
        ruru_matcher_use_rules(m, rules) != RURU_OK ||
        ruru_matcher_use_patterns(m, patterns) != RURU_OK) {
        ruru_matcher_fini(m);
        ruru_free(m);
        return NULL;
    }
    return m;
}

/* The rules m's scratch ran, into pl->ran (the caller holds pl->mu, or is alone). */
static void matcher_ran(const struct pool *pl, const struct ruru_matcher *m)
{
    if (m != NULL && m->rules_scratch != NULL && pl->ran != NULL)
        ruru_rules_ran(pl->rules, m->rules_scratch, pl->ran);
}

static void matcher_destroy(struct ruru_matcher *m)
{
    if (m == NULL)
        return;
    ruru_matcher_fini(m);
    ruru_free(m);
}

static void *worker(void *arg)
{
    struct pool *pl = arg;
    struct ruru_matcher *m = matcher_create(pl->idx, pl->lit, pl->fnre, pl->rules, pl->patterns);
    struct ruru_record *r = ruru_malloc(sizeof(*r));

    for (;;) {
        struct chunk *c;
        pthread_mutex_lock(&pl->mu);
        while (pl->head == NULL && !pl->stop)
            pthread_cond_wait(&pl->work, &pl->mu);
        if (pl->head == NULL) {
            pthread_mutex_unlock(&pl->mu);
            break;
        }
        c = pl->head;
        pl->head = c->next;
        if (pl->head == NULL)
            pl->tail = NULL;
        pthread_mutex_unlock(&pl->mu);
        if (m != NULL && r != NULL)
            process_chunk(c, m, r);
        else
            c->failed = true;
        pthread_mutex_lock(&pl->mu);
        c->done = true;
        pthread_cond_broadcast(&pl->done);
        pthread_mutex_unlock(&pl->mu);
    }
    pthread_mutex_lock(&pl->mu);
    matcher_ran(pl, m);
    pthread_mutex_unlock(&pl->mu);
    matcher_destroy(m);
    ruru_free(r);
    return NULL;
}

/* ---- inputs and the summary ---------------------------------------------------------------- */

struct input {
    char *path;
    struct ruru_rules_input *rin; /* for the rules: its format and ties (NULL: no rules) */
    enum ruru_log_kind kind;
    bool forced;
    uint64_t bytes, lines, parsed, unparsed, blank, truncated, sightings;
    int64_t first_time, last_time;
    struct ruru_match_counts counts;
    uint64_t unparsed_at[UNPARSED_SAMPLES], truncated_at[UNPARSED_SAMPLES];
    size_t n_unparsed_at, n_truncated_at;
    char eol; /* '\n', or '\r' for CR-only lines (seen in the first block) */
    enum ruru_compression comp;
    char error[320];
    bool started;
};

struct sweep {
    struct ruru_store *store;
    const struct ruru_scan_opts *opts;
    const struct ruru_index *idx;
    struct ruru_sightings *sightings;
    struct pool pool;
    pthread_t *threads;
    unsigned n_threads;
    struct input *inputs;
    size_t n_inputs, cap_inputs;
    json_t *skipped; /* what the directory walks left out: {"path", "reason"} */
    /* chunks in flight, oldest first */
    struct chunk **ring;
    size_t ring_cap, ring_head, ring_len;
    uint64_t bytes_read, sightings_total;
    enum ruru_err first_err;
    struct ruru_diag first_diag;
    bool stopped;
    uint64_t max_line;
    struct timespec last_progress;
    struct ruru_matcher *inline_m; /* -j 1: no worker threads */
    struct ruru_record *inline_r;
    struct ruru_matcher *main_m; /* -j N > 1: the reader's own matcher, when it helps */
    struct ruru_record *main_r;
    /* Spare chunk buffers: reused rather than freed, so that 4 MiB blocks are not mapped,
     * zeroed by the kernel and unmapped (with TLB shootdowns across the workers) each time. */
    char *spare[SPARE_BUFFERS];
    size_t n_spare;
    /* detection rules */
    struct ruru_rules *rules;
    uint64_t *correlated; /* one bit per rule: its matches are kept for correlations */
    struct ruru_vec corr; /* struct corr_ev, in report order */
    uint64_t rule_sightings, correlations;
    /* STIX patterns */
    struct ruru_pattern_set *patterns;
    struct ruru_vec *kept; /* per pattern entry: struct kept_obs, records observing a part */
    uint64_t pattern_sightings, pattern_errors, pattern_dropped;
};

/* A record that observes a part of a pattern of several observations, kept to the end. */
struct kept_obs {
    uint64_t leaves[RURU_PATTERN_LEAF_WORDS]; /* the observation expressions it satisfies */
    char *asset;                              /* owned; where.asset points to it */
    struct ruru_sighting_member where;
};

/* At most this many records are kept per pattern (a pattern whose part holds for most of a
 * log is no use: the rest are counted as dropped). */
#define MAX_KEPT_PER_PATTERN 100000u

/* A match of a correlated rule, kept until the end of the sweep. */
struct corr_ev {
    uint32_t rule;
    int64_t time;
    char **values;
    size_t n_values;
    char *asset; /* owned; where.asset points to it */
    struct ruru_sighting_member where;
};

static char *buf_get(struct sweep *s, size_t cap)
{
    if (cap == CHUNK_BYTES && s->n_spare > 0)
        return s->spare[--s->n_spare];
    return ruru_malloc(cap);
}

static void buf_put(struct sweep *s, char *buf, size_t cap)
{
    if (buf != NULL && cap == CHUNK_BYTES && s->n_spare < SPARE_BUFFERS)
        s->spare[s->n_spare++] = buf;
    else
        ruru_free(buf);
}

static void chunk_release(struct sweep *s, struct chunk *c)
{
    buf_put(s, c->data, c->cap);
    chunk_free(c);
}

static enum ruru_err add_input(struct sweep *s, const char *path)
{
    struct input *in;

    if (s->n_inputs == s->cap_inputs) {
        size_t cap = s->cap_inputs ? s->cap_inputs * 2 : 16;
        struct input *v = ruru_realloc(s->inputs, cap * sizeof(*v));
        if (v == NULL)
            return RURU_ENOMEM;
        s->inputs = v;
        s->cap_inputs = cap;
    }
    in = &s->inputs[s->n_inputs];
    memset(in, 0, sizeof(*in));
    if ((in->path = ruru_strdup(path)) == NULL)
        return RURU_ENOMEM;
    in->first_time = in->last_time = RURU_TIME_NONE;
    s->n_inputs++;
    return RURU_OK;
}

static int walk_add(const char *path, void *ctx)
{
    return add_input(ctx, path) == RURU_OK ? 0 : -1;
}

/* An entry a directory walk left out (a FIFO or /dev/zero would never end): said in the
 * summary, never passed over in silence. */
static void walk_skipped(const char *path, const char *reason, void *ctx)
{
    struct sweep *s = ctx;
    json_t *o = json_object();

    json_object_set_new(o, "path", json_string(path));
    json_object_set_new(o, "reason", json_string(reason));
    json_array_append_new(s->skipped, o);
}

static void input_error(struct sweep *s, struct input *in, enum ruru_err err, struct ruru_diag *d)
{
    if (d->source == NULL)
        d->source = in->path;
    if (in->error[0] == '\0')
        snprintf(in->error, sizeof(in->error), "%s", d->msg);
    if (s->first_err == RURU_OK) {
        s->first_err = err;
        s->first_diag = *d;
    }
    if (s->opts->on_error)
        s->opts->on_error(s->opts->ctx, err, d);
}

/* The input as the rules see it, once its format is known: the classes of its lines that are
 * no record, and the rules the --logsource ties open. False (the error said) when memory ran
 * out; the ties were checked before the sweep. */
static bool input_rules(struct sweep *s, struct input *in)
{
    struct ruru_diag d;
    enum ruru_err err;

    if (s->rules == NULL || in->rin != NULL)
        return true;
    err = ruru_rules_input_create(s->rules, in->path, (int)in->kind, s->opts->logsources,
                                  s->opts->n_logsources, &in->rin, &d);
    if (err != RURU_OK) {
        d.source = in->path;
        input_error(s, in, err, &d);
        return false;
    }
    return true;
}

/* A rule's match: kept for its correlations, and reported unless only a correlation's part. */
static void
report_rule(struct sweep *s, struct input *in, const struct chunk *c, const struct chunk_hit *h)
{
    struct ruru_sighting x;
    const char *native[RURU_RULES_MAX_MATCHED], *canon[RURU_RULES_MAX_MATCHED];
    const char *value[RURU_RULES_MAX_MATCHED];
    const char *json;

    memset(&x, 0, sizeof(x));
    x.path = in->path;
    x.format = ruru_log_kind_name(in->kind);
    x.line = c->spans != NULL || in->kind == RURU_KIND_JSON_DOC ? h->line : in->lines + h->line;
    x.offset = h->offset;
    x.length = h->length;
    x.time = h->time;
    x.asset = h->asset;
    x.asset_is_ip = h->asset_is_ip;
    x.raw = h->raw;
    x.raw_len = h->raw_len;
    x.raw_truncated = h->raw_truncated;
    memcpy(x.sha256, h->sha256, sizeof(x.sha256));
    x.rule = h->rule;
    x.keywords = h->keywords;
    for (size_t i = 0; i < h->n_fields && i < RURU_RULES_MAX_MATCHED; i++) {
        native[i] = h->fields[i].native;
        canon[i] = h->fields[i].canon;
        value[i] = h->fields[i].value;
    }
    x.matched_native = native;
    x.matched_canon = canon;
    x.matched_value = value;
    x.n_matched = h->n_fields;
    if (s->correlated != NULL && (s->correlated[h->rule / 64] >> (h->rule % 64) & 1)) {
        struct corr_ev e;
        bool ok = true;
        memset(&e, 0, sizeof(e));
        e.rule = h->rule;
        e.time = h->time;
        e.n_values = h->n_corr_values;
        e.values = ruru_calloc(h->n_corr_values + 1, sizeof(*e.values));
        ok = e.values != NULL;
        for (size_t i = 0; ok && i < h->n_corr_values; i++)
            if (h->corr_values[i] != NULL && (e.values[i] = ruru_strdup(h->corr_values[i])) == NULL)
                ok = false;
        e.where.path = in->path;
        e.where.line = x.line;
        e.where.offset = x.offset;
        e.where.length = x.length;
        e.where.time = x.time;
        e.where.rule = x.rule;
        e.asset = h->asset != NULL ? ruru_strdup(h->asset) : NULL;
        e.where.asset = e.asset;
        memcpy(e.where.sha256, h->sha256, sizeof(e.where.sha256));
        if (!ok || ruru_vec_push(&s->corr, &e) != RURU_OK) {
            for (size_t i = 0; e.values != NULL && i < e.n_values; i++)
                ruru_free(e.values[i]);
            ruru_free(e.values);
            ruru_free(e.asset);
        }
    }
    if (!ruru_rules_reports(s->rules, h->rule))
        return;
    in->sightings++;
    s->sightings_total++;
    s->rule_sightings++;
    json = ruru_rule_sighting_json(s->sightings, &x);
    if (json != NULL && s->opts->on_sighting && s->opts->on_sighting(s->opts->ctx, json) != 0)
        s->stopped = true;
}

/* A record observing a part of a pattern of several observations: kept for the end. */
static void
keep_partial(struct sweep *s, struct input *in, const struct chunk *c, const struct chunk_hit *h)
{
    struct ruru_vec *v = &s->kept[h->entry];
    struct kept_obs k;

    if (v->n >= MAX_KEPT_PER_PATTERN) {
        s->pattern_dropped++;
        return;
    }
    memset(&k, 0, sizeof(k));
    memcpy(k.leaves, h->leaves, sizeof(k.leaves));
    k.asset = h->asset != NULL ? ruru_strdup(h->asset) : NULL;
    k.where.path = in->path;
    k.where.line =
            c->spans != NULL || in->kind == RURU_KIND_JSON_DOC ? h->line : in->lines + h->line;
    k.where.offset = h->offset;
    k.where.length = h->length;
    k.where.time = h->time;
    k.where.asset = k.asset;
    memcpy(k.where.sha256, h->sha256, sizeof(k.where.sha256));
    if ((h->asset != NULL && k.asset == NULL) || ruru_vec_push(v, &k) != RURU_OK) {
        ruru_free(k.asset);
        s->pattern_dropped++;
    }
}

/* Reports a finished chunk: its counts into its input, its hits to the caller. */
static void report_chunk(struct sweep *s, struct chunk *c)
{
    struct input *in = &s->inputs[c->input];

    for (size_t k = 0; k < c->hits.n && !s->stopped; k++) {
        const struct chunk_hit *h = ruru_vec_at(&c->hits, k);
        struct ruru_sighting x;
        const char *json;
        if (h->is_rule) {
            report_rule(s, in, c, h);
            continue;
        }
        if (h->is_pattern && h->partial) {
            keep_partial(s, in, c, h);
            continue;
        }
        memset(&x, 0, sizeof(x));
        x.path = in->path;
        x.format = ruru_log_kind_name(in->kind);
        x.line = c->spans != NULL || in->kind == RURU_KIND_JSON_DOC ? h->line : in->lines + h->line;
        x.offset = h->offset;
        x.length = h->length;
        x.time = h->time;
        x.asset = h->asset;
        x.asset_is_ip = h->asset_is_ip;
        x.field_native = h->field_native;
        x.field_canon = h->field_canon;
        x.observed = h->observed;
        x.raw = h->raw;
        x.raw_len = h->raw_len;
        x.raw_truncated = h->raw_truncated;
        memcpy(x.sha256, h->sha256, sizeof(x.sha256));
        x.ind = h->ind;
        x.observation = h->observation;
        in->sightings++;
        s->sightings_total++;
        s->pattern_sightings += h->is_pattern;
        json = ruru_sighting_json(s->sightings, &x);
        if (json != NULL && s->opts->on_sighting && s->opts->on_sighting(s->opts->ctx, json) != 0)
            s->stopped = true;
    }
    for (size_t k = 0; k < c->n_unparsed_at; k++)
        if (in->n_unparsed_at < UNPARSED_SAMPLES)
            in->unparsed_at[in->n_unparsed_at++] =
                    (in->kind == RURU_KIND_JSON_DOC || in->kind == RURU_KIND_EVTX ? 0 : in->lines) +
                    c->unparsed_at[k];
    for (size_t k = 0; k < c->n_truncated_at; k++)
        if (in->n_truncated_at < UNPARSED_SAMPLES)
            in->truncated_at[in->n_truncated_at++] =
                    (c->spans != NULL || in->kind == RURU_KIND_JSON_DOC ? 0 : in->lines) +
                    c->truncated_at[k];
    in->truncated += c->truncated;
    in->lines += c->lines;
    in->parsed += c->parsed;
    in->unparsed += c->unparsed;
    in->blank += c->blank;
    in->counts.expired += c->counts.expired;
    in->counts.not_yet_valid += c->counts.not_yet_valid;
    in->counts.revoked += c->counts.revoked;
    in->counts.not_ids += c->counts.not_ids;
    s->pattern_errors += c->counts.pattern_errors;
    if (c->first_time != RURU_TIME_NONE &&
        (in->first_time == RURU_TIME_NONE || c->first_time < in->first_time))
        in->first_time = c->first_time;
    if (c->last_time != RURU_TIME_NONE &&
        (in->last_time == RURU_TIME_NONE || c->last_time > in->last_time))
        in->last_time = c->last_time;
    if (c->failed || c->hits_truncated) {
        struct ruru_diag d;
        ruru_diag_set(&d, c->failed ? RURU_ENOMEM : RURU_ELIMIT, in->path, in->lines - c->lines + 1,
                      0,
                      c->failed ? "out of memory while matching; some sightings are missing"
                                : "a line with more than 256 matches; the rest were dropped");
        input_error(s, in, c->failed ? RURU_ENOMEM : RURU_ELIMIT, &d);
    }
}

/* Waits for the oldest chunk in flight, reports and frees it. */
static void retire_oldest(struct sweep *s)
{
    struct chunk *c = s->ring[s->ring_head];

    pthread_mutex_lock(&s->pool.mu);
    while (!c->done) {
        /* Rather than wait, the reader matches a queued chunk itself: with N threads, the
         * reader and N - 1 workers are all busy. */
        struct chunk *q = s->pool.head;
        if (q == NULL || s->main_m == NULL) {
            pthread_cond_wait(&s->pool.done, &s->pool.mu);
            continue;
        }
        s->pool.head = q->next;
        if (s->pool.head == NULL)
            s->pool.tail = NULL;
        pthread_mutex_unlock(&s->pool.mu);
        process_chunk(q, s->main_m, s->main_r);
        pthread_mutex_lock(&s->pool.mu);
        q->done = true;
    }
    pthread_mutex_unlock(&s->pool.mu);
    report_chunk(s, c);
    chunk_release(s, c);
    s->ring_head = (s->ring_head + 1) % s->ring_cap;
    s->ring_len--;
}

static void submit(struct sweep *s, struct chunk *c)
{
    if (s->inline_m != NULL) {
        /* One thread: the reader matches its own chunks, in order. */
        process_chunk(c, s->inline_m, s->inline_r);
        c->done = true;
        report_chunk(s, c);
        chunk_release(s, c);
        return;
    }
    while (s->ring_len == s->ring_cap)
        retire_oldest(s);
    s->ring[(s->ring_head + s->ring_len) % s->ring_cap] = c;
    s->ring_len++;
    pthread_mutex_lock(&s->pool.mu);
    c->next = NULL;
    if (s->pool.tail)
        s->pool.tail->next = c;
    else
        s->pool.head = c;
    s->pool.tail = c;
    pthread_cond_signal(&s->pool.work);
    pthread_mutex_unlock(&s->pool.mu);
}

/* Feeds the directive lines of data[0..len) to the reader's parser state. */
static void
follow_directives(struct fmt *f, const char *data, size_t len, char eol, struct ruru_record *r)
{
    const char *p = data, *end = data + len;

    /* A CSV log without "#Fields:" is named by its first row: feed lines until it has one. */
    while (f->csv != NULL && f->csv->n_cols == 0 && p < end) {
        const char *nl = memchr(p, eol, (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), k = n;
        while (k > 0 && p[k - 1] == '\r')
            k--;
        if (k > 0)
            fmt_parse(f, p, k, r);
        p += n + 1;
    }

    while (p < end && (p = memchr(p, '#', (size_t)(end - p))) != NULL) {
        if (p == data || p[-1] == eol) {
            const char *nl = memchr(p, eol, (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
            while (n > 0 && p[n - 1] == '\r')
                n--;
            fmt_parse(f, p, n, r);
            p += n;
        }
        p++;
    }
}

/* What ends the lines of an input, from its first block: '\r' when the first line ends
 * with a CR that no LF follows (old Mac files, some appliances), else '\n'. */
static char line_end(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\n')
            return '\n';
        if (buf[i] == '\r')
            return i + 1 < len && buf[i + 1] != '\n' ? '\r' : '\n';
    }
    return '\n';
}

/* The format of an input from its first block; CR-only lines are shown to the detector as
 * LF lines (a copy of the start of the block). */
static enum ruru_log_kind detect(const char *buf, size_t len, char eol)
{
    enum ruru_log_kind k;
    char *copy;

    if (eol == '\n')
        return ruru_log_detect(buf, len);
    len = len < DETECT_BYTES ? len : DETECT_BYTES;
    if ((copy = ruru_malloc(len ? len : 1)) == NULL)
        return ruru_log_detect(buf, len);
    for (size_t i = 0; i < len; i++)
        copy[i] = buf[i] == '\r' ? '\n' : buf[i];
    k = ruru_log_detect(copy, len);
    ruru_free(copy);
    return k;
}

static void progress(struct sweep *s, const char *path)
{
    struct timespec now;

    if (s->opts->on_progress == NULL)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((now.tv_sec - s->last_progress.tv_sec) * 1000 +
                (now.tv_nsec - s->last_progress.tv_nsec) / 1000000 <
        200)
        return;
    s->last_progress = now;
    s->opts->on_progress(s->opts->ctx, s->bytes_read, path);
}

/* The year of an input's syslog lines without one: the year forced (--year), else the latest
 * that puts no line after the file's modification time (standard input: now). */
static struct ruru_syslog_year input_year(const struct sweep *s, const char *path)
{
    struct ruru_syslog_year y = {s->opts->syslog_year, (int64_t)time(NULL)};
    struct stat st;

    if (strcmp(path, "-") != 0 && stat(path, &st) == 0)
        y.not_after = (int64_t)st.st_mtime;
    return y;
}

/* ---- JSON documents ------------------------------------------------------------------------ */

/* Finds the top-level elements of a JSON document as the reader goes: the values inside an
 * outer array ("[{...}, {...}]"), or objects one after another ("{...}\n{...}"). It follows
 * strings and escapes, so braces inside strings do not count. */
struct jscan {
    bool started, array, in_str, esc;
    int depth;
    uint64_t line; /* at `pos`, 1-based, from the start of the input */
    size_t pos;    /* next byte of the buffer to look at */
    size_t elem;   /* start of the element in progress, or SIZE_MAX */
    uint64_t elem_line;
    char eol;           /* what ends a line */
    struct span *spans; /* complete elements in the buffer */
    size_t n, cap;
    bool failed;
};

static void jscan_push(struct jscan *j, size_t off, size_t len, uint64_t line)
{
    if (j->n == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 256;
        struct span *v = ruru_realloc(j->spans, cap * sizeof(*v));
        if (v == NULL) {
            j->failed = true;
            return;
        }
        j->spans = v;
        j->cap = cap;
    }
    memset(&j->spans[j->n], 0, sizeof(j->spans[j->n]));
    j->spans[j->n].off = off;
    j->spans[j->n].len = len;
    j->spans[j->n].line = line;
    j->n++;
}

static void jscan_run(struct jscan *j, const char *buf, size_t len)
{
    for (; j->pos < len; j->pos++) {
        char c = buf[j->pos];
        int base;
        if (c == j->eol)
            j->line++;
        if (j->in_str) {
            if (j->esc)
                j->esc = false;
            else if (c == '\\')
                j->esc = true;
            else if (c == '"')
                j->in_str = false;
            continue;
        }
        if (!j->started && !ruru_is_space(c)) {
            j->started = true;
            j->array = c == '[';
        }
        base = j->array ? 1 : 0;
        if (c == '"') {
            j->in_str = true;
        } else if (c == '{' || c == '[') {
            if (j->depth == base && j->elem == SIZE_MAX) {
                j->elem = j->pos;
                j->elem_line = j->line;
            }
            if (j->depth < 1000000)
                j->depth++;
        } else if (c == '}' || c == ']') {
            if (j->depth > 0)
                j->depth--;
            if (j->depth == base && j->elem != SIZE_MAX) {
                jscan_push(j, j->elem, j->pos + 1 - j->elem, j->elem_line);
                j->elem = SIZE_MAX;
            }
        }
    }
}

static uint64_t count_lines(const char *p, size_t n, char eol)
{
    uint64_t k = 0;
    const char *end = p + n;

    while (p < end && (p = memchr(p, eol, (size_t)(end - p))) != NULL) {
        k++;
        p++;
    }
    return k;
}

/* A Windows event log file: each record rendered as a JSON line (logs/evtx.h), matched as
 * Windows events exported to JSON are, its evidence its own bytes in the file. */
static void sweep_evtx(struct sweep *s, size_t idx)
{
    struct input *in = &s->inputs[idx];
    struct ruru_evtx *x = NULL;
    struct ruru_diag d;
    enum ruru_err err;
    struct ruru_buf json;
    size_t n, i = 0;
    struct stat st;

    in->started = true;
    in->kind = RURU_KIND_EVTX;
    if (!input_rules(s, in))
        return;
    if ((err = ruru_evtx_open(in->path, &x, &d)) != RURU_OK) {
        d.source = in->path;
        input_error(s, in, err, &d);
        return;
    }
    if (stat(in->path, &st) == 0) {
        in->bytes = (uint64_t)st.st_size;
        s->bytes_read += (uint64_t)st.st_size;
    }
    n = ruru_evtx_count(x);
    ruru_buf_init(&json, 16u << 20);
    while (i < n && !s->stopped) {
        struct chunk *c = ruru_calloc(1, sizeof(*c));
        size_t cap_spans = 4096;
        if (c == NULL || (c->data = buf_get(s, CHUNK_BYTES)) == NULL ||
            (c->spans = ruru_malloc(cap_spans * sizeof(*c->spans))) == NULL) {
            if (c != NULL)
                chunk_release(s, c);
            ruru_diag_set(&d, RURU_ENOMEM, in->path, 0, 0, "out of memory");
            input_error(s, in, RURU_ENOMEM, &d);
            break;
        }
        c->cap = CHUNK_BYTES;
        c->input = idx;
        c->rin = in->rin;
        ruru_vec_init(&c->hits, sizeof(struct chunk_hit), SIZE_MAX / sizeof(struct chunk_hit));
        ruru_arena_init(&c->arena, 64 * 1024, SIZE_MAX);
        c->fmt = fmt_new(RURU_KIND_EVTX, (struct ruru_syslog_year){0, 0});
        if (c->fmt == NULL)
            c->failed = true;
        while (i < n && c->n_spans < cap_spans) {
            struct span *sp = &c->spans[c->n_spans];
            struct ruru_diag rd;
            ruru_buf_reset(&json);
            memset(sp, 0, sizeof(*sp));
            err = ruru_evtx_record(x, i, &json, &sp->src_off, &sp->src_len, sp->src_sha, &rd);
            if (err == RURU_ENOMEM) {
                c->failed = true;
                json.len = 0;
            } else if (err != RURU_OK) {
                json.len = 0; /* an empty record: counted unparsed, named by its number */
            }
            if (c->len + json.len + 1 > c->cap) {
                if (c->n_spans > 0)
                    break;
                json.len = c->cap - 1; /* one record bigger than a chunk: cut, still cited */
            }
            sp->has_src = sp->src_len > 0;
            sp->off = c->len;
            sp->len = json.len;
            sp->line = i + 1;
            if (json.len > 0)
                memcpy(c->data + c->len, json.ptr, json.len);
            c->len += json.len;
            c->data[c->len++] = '\n';
            c->n_spans++;
            i++;
        }
        c->lines = c->n_spans;
        submit(s, c);
        progress(s, in->path);
    }
    ruru_buf_fini(&json);
    ruru_evtx_close(x);
}

static void sweep_input(struct sweep *s, size_t idx, struct ruru_record *r)
{
    struct input *in = &s->inputs[idx];
    struct ruru_stream *st = NULL;
    struct ruru_diag d;
    enum ruru_err err;
    struct fmt *master = NULL;
    char *buf = NULL;
    size_t cap = CHUNK_BYTES, len = 0;
    uint64_t offset = 0;
    bool eof = false, detected = false, midline = false;
    struct jscan js;

    memset(&js, 0, sizeof(js));
    js.line = 1;
    js.elem = SIZE_MAX;
    in->started = true;
    in->eol = '\n';
    ruru_diag_clear(&d);
    if ((err = ruru_stream_open(in->path, &st, &d)) != RURU_OK) {
        input_error(s, in, err, &d);
        return;
    }
    in->comp = ruru_stream_compression(st);
    if (s->opts->log_format != NULL) {
        in->kind = ruru_log_kind_parse(s->opts->log_format);
        in->forced = true;
    }
    while (!s->stopped && (!eof || len > 0)) {
        size_t got = 0, cut;
        struct chunk *c;
        if (buf == NULL && (buf = buf_get(s, cap)) == NULL) {
            ruru_diag_set(&d, RURU_ENOMEM, in->path, 0, 0, "out of memory");
            input_error(s, in, RURU_ENOMEM, &d);
            break;
        }
        /* Fill the buffer, or read to the end. */
        while (!eof && len < cap) {
            err = ruru_stream_read(st, buf + len, cap - len, &got, &d);
            if (err != RURU_OK) {
                /* What was read is still swept; the error is reported for this input. */
                d.line = 0;
                d.col = 0; /* a byte count of the compressed input, not a column */
                input_error(s, in, err, &d);
                eof = true;
                break;
            }
            if (got == 0)
                eof = true;
            len += got;
            in->bytes += got;
            s->bytes_read += got;
        }
        if (!detected) {
            /* The input is opened once (a FIFO or a pipe can be read only once): what it is
             * comes from its first block. An event log needs its file (libevtx seeks). */
            if (in->comp == RURU_COMP_NONE && len >= 8 && memcmp(buf, "ElfFile\0", 8) == 0) {
                bool is_file = ruru_stream_size(st) > 0;
                in->bytes -= len;
                s->bytes_read -= len;
                buf_put(s, buf, cap);
                ruru_stream_close(st);
                if (is_file) {
                    sweep_evtx(s, idx);
                } else {
                    ruru_diag_set(&d, RURU_EUNSUPPORTED, in->path, 0, 0,
                                  "a Windows event log (.evtx) is read from a file, not a pipe");
                    input_error(s, in, RURU_EUNSUPPORTED, &d);
                }
                return;
            }
            in->eol = line_end(buf, len);
            js.eol = in->eol;
            if (!in->forced)
                in->kind = detect(buf, len, in->eol);
            master = fmt_new(in->kind, input_year(s, in->path));
            if (master == NULL) {
                ruru_diag_set(&d, RURU_ENOMEM, in->path, 0, 0, "out of memory");
                input_error(s, in, RURU_ENOMEM, &d);
                break;
            }
            if (!input_rules(s, in))
                break;
            detected = true;
        }
        if (len == 0)
            break;
        if (master->kind == RURU_KIND_JSON_DOC) {
            /* Cut after the last complete element; at the end, take everything, an unfinished
             * element being one more (unparsable) record. */
            jscan_run(&js, buf, len);
            if (js.n == 0 && !eof && js.elem != SIZE_MAX && cap < s->max_line) {
                size_t ncap = cap * 2 > s->max_line ? (size_t)s->max_line : cap * 2;
                char *nb = ruru_realloc(buf, ncap);
                if (nb != NULL) {
                    buf = nb;
                    cap = ncap;
                    continue;
                }
            }
            if (eof && js.elem != SIZE_MAX) {
                jscan_push(&js, js.elem, len - js.elem, js.elem_line);
                js.elem = SIZE_MAX;
            }
            if (eof || js.n == 0)
                cut = len; /* the end, or an element too long: what is there goes as is */
            else
                cut = js.spans[js.n - 1].off + js.spans[js.n - 1].len;
        } else {
            /* Cut after the last complete line; at the end, take everything. */
            cut = len;
            if (!eof) {
                const char *nl = NULL;
                for (size_t i = len; i > 0; i--)
                    if (buf[i - 1] == in->eol) {
                        nl = buf + i - 1;
                        break;
                    }
                if (nl == NULL) {
                    /* One line longer than the buffer: grow, up to the longest line allowed. */
                    if (cap < s->max_line) {
                        size_t ncap = cap * 2 > s->max_line ? (size_t)s->max_line : cap * 2;
                        char *nb = ruru_realloc(buf, ncap);
                        if (nb != NULL) {
                            buf = nb;
                            cap = ncap;
                            continue;
                        }
                    }
                    /* Too long (or no memory): match it in pieces of a buffer each. */
                    cut = len;
                } else {
                    cut = (size_t)(nl - buf) + 1;
                }
            }
        }
        if ((c = ruru_calloc(1, sizeof(*c))) == NULL) {
            ruru_diag_set(&d, RURU_ENOMEM, in->path, 0, 0, "out of memory");
            input_error(s, in, RURU_ENOMEM, &d);
            break;
        }
        c->input = idx;
        c->rin = in->rin;
        c->offset = offset;
        c->eol = in->eol;
        c->continues = midline;
        ruru_vec_init(&c->hits, sizeof(struct chunk_hit), SIZE_MAX / sizeof(struct chunk_hit));
        ruru_arena_init(&c->arena, 64 * 1024, SIZE_MAX);
        c->fmt = stateful(master->kind) ? fmt_copy(master) : fmt_new(master->kind, master->year);
        if (c->fmt == NULL)
            c->failed = true;
        if (stateful(master->kind))
            follow_directives(master, buf, cut, in->eol, r);
        if (master->kind == RURU_KIND_JSON_DOC) {
            /* The chunk takes the elements that end in it, and counts its lines; the scanner
             * goes on in the rest. */
            size_t keep = 0;
            if (js.elem != SIZE_MAX && js.elem < cut) {
                /* An element longer than a buffer may grow: its part here is one record
                 * (it will not parse, and is matched as text); the rest continues. */
                jscan_push(&js, js.elem, cut - js.elem, js.elem_line);
                js.elem = cut;
                js.elem_line = js.line;
            }
            while (keep < js.n && js.spans[keep].off + js.spans[keep].len <= cut)
                keep++;
            if (keep > 0 && (c->spans = ruru_malloc(keep * sizeof(*c->spans))) != NULL) {
                memcpy(c->spans, js.spans, keep * sizeof(*c->spans));
                c->n_spans = keep;
            } else if (keep > 0 || js.failed) {
                c->failed = true;
            }
            if (js.n > keep)
                memmove(js.spans, js.spans + keep, (js.n - keep) * sizeof(*js.spans));
            js.n -= keep;
            for (size_t k = 0; k < js.n; k++)
                js.spans[k].off -= cut;
            js.pos = js.pos > cut ? js.pos - cut : 0;
            if (js.elem != SIZE_MAX)
                js.elem -= cut;
            c->lines = count_lines(buf, cut, in->eol) + (eof && cut > 0 && buf[cut - 1] != in->eol);
        }
        /* A line longer than the longest allowed goes in pieces: the next chunk starts inside
         * it, and does not count it again. */
        midline = master->kind != RURU_KIND_JSON_DOC && cut > 0 && buf[cut - 1] != in->eol;
        /* The chunk takes the buffer; the rest of the bytes go to a new one. */
        c->data = buf;
        c->len = cut;
        c->cap = cap;
        buf = NULL;
        if (cut < len) {
            char *nb = buf_get(s, cap);
            if (nb == NULL) {
                c->len = len; /* keep everything in this chunk rather than lose it */
                len = 0;
            } else {
                memcpy(nb, c->data + cut, len - cut);
                len -= cut;
                buf = nb;
            }
        } else {
            len = 0;
        }
        offset += c->len;
        submit(s, c);
        progress(s, in->path);
        if (cap > CHUNK_BYTES && len < CHUNK_BYTES / 2 && buf != NULL) {
            /* Back to the normal size after a long line. */
            char *nb = ruru_realloc(buf, CHUNK_BYTES);
            if (nb != NULL) {
                buf = nb;
                cap = CHUNK_BYTES;
            }
        }
    }
    if (!s->stopped && in->error[0] == '\0' && in->comp == RURU_COMP_NONE &&
        ruru_stream_size(st) > in->bytes) {
        /* Truncated (log rotation, an intruder) while it was read: what was read is swept,
         * but the evidence of the rest is gone, and the analyst must know. */
        ruru_diag_set(&d, RURU_EIO, in->path, 0, 0,
                      "the file shrank while it was read: %" PRIu64 " of %" PRIu64 " bytes",
                      in->bytes, ruru_stream_size(st));
        input_error(s, in, RURU_EIO, &d);
    }
    buf_put(s, buf, cap);
    ruru_free(js.spans);
    fmt_free(master);
    ruru_stream_close(st);
}

/* ---- the index cache ----------------------------------------------------------------------- */

/* Removes the index files of older generations beside `keep` (dir_len: its directory). */
static void remove_stale(const char *keep, ptrdiff_t dir_len)
{
    char dir[4096], p[4096 + 256];
    DIR *d;
    struct dirent *e;

    snprintf(dir, sizeof(dir), "%.*s", (int)dir_len, keep);
    if ((d = opendir(dir)) == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 11 || strncmp(e->d_name, "index-", 6) != 0 ||
            strcmp(e->d_name + n - 5, ".ruru") != 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        if (strcmp(p, keep) != 0)
            unlink(p);
    }
    closedir(d);
}

/* The index for the store: loaded from the cache file when it matches the store's generation,
 * else built (and cached, for a store on disk). */
static enum ruru_err
store_index(struct ruru_store *store, struct ruru_index **out, json_t *info, struct ruru_diag *diag)
{
    const char *db = ruru_store_path(store);
    char gen[96], path[4096];
    const char *slash = strrchr(db, '/');
    enum ruru_err err;

    if (strcmp(db, RURU_STORE_MEMORY) == 0 || slash == NULL ||
        !ruru_store_generation(store, gen, sizeof(gen))) {
        err = ruru_index_build(ruru_store_db(store), out, diag);
        json_object_set_new(info, "index", json_string("built"));
    } else {
        struct ruru_diag ld;
        snprintf(path, sizeof(path), "%.*s/index-%s.ruru", (int)(slash - db), db, gen);
        err = ruru_index_load(path, out, &ld);
        if (err == RURU_OK) {
            json_object_set_new(info, "index", json_string("cached"));
        } else {
            err = ruru_index_build(ruru_store_db(store), out, diag);
            json_object_set_new(info, "index", json_string("built"));
            /* Caching is an optimisation: a read-only store directory still sweeps. */
            if (err == RURU_OK && ruru_index_save(*out, path, &ld) == RURU_OK)
                remove_stale(path, slash - db);
        }
    }
    if (err == RURU_OK)
        json_object_set_new(info, "indicators", json_integer((json_int_t)ruru_index_count(*out)));
    return err;
}

/* ---- rules ---------------------------------------------------------------------------------- */

struct rules_ctx {
    struct sweep *s;
    size_t refused;
    bool named; /* loading what the user named (--rules), not ruru's own */
};

static void
on_rule_file(void *ctx, const char *path, size_t n, enum ruru_err err, const struct ruru_diag *why)
{
    struct rules_ctx *rc = ctx;
    struct ruru_diag d;

    (void)n;
    if (err == RURU_OK || why == NULL)
        return;
    rc->refused++;
    d = *why;
    if (d.source == NULL)
        d.source = path;
    /* a refused rule is said, and the sweep goes on with the others; one the user named is
     * an error of the sweep (what they asked for did not run) */
    if (rc->s->opts->on_error)
        rc->s->opts->on_error(rc->s->opts->ctx, err, &d);
    if (rc->named && rc->s->first_err == RURU_OK) {
        rc->s->first_err = err;
        rc->s->first_diag = d;
    }
}

/* ruru's own rules (unless told not to) and those of opts->rule_paths. */
static enum ruru_err load_rules(struct sweep *s, json_t *info, struct ruru_diag *diag)
{
    struct rules_ctx rc = {s, 0, false};
    enum ruru_err err;
    size_t n;

    if (s->opts->no_builtin_rules && s->opts->n_rule_paths == 0) {
        json_object_set_new(info, "rules", json_integer(0));
        return RURU_OK;
    }
    if ((err = ruru_rules_create(&s->rules)) != RURU_OK)
        return ruru_diag_set(diag, err, NULL, 0, 0, "out of memory");
    if (!s->opts->no_builtin_rules &&
        (err = ruru_rules_load_builtin(s->rules, on_rule_file, &rc, diag)) != RURU_OK)
        return err;
    rc.named = true;
    for (size_t i = 0; i < s->opts->n_rule_paths; i++) {
        err = ruru_rules_load(s->rules, s->opts->rule_paths[i], on_rule_file, &rc, diag);
        if (err == RURU_ENOMEM)
            return err;
        if (err != RURU_OK) {
            struct ruru_diag d = *diag;
            rc.refused++;
            if (s->opts->on_error)
                s->opts->on_error(s->opts->ctx, err, &d);
            if (s->first_err == RURU_OK) {
                s->first_err = err;
                s->first_diag = d;
            }
            ruru_diag_clear(diag);
        }
    }
    if ((err = ruru_rules_compile(s->rules, on_rule_file, &rc, diag)) != RURU_OK)
        return err;
    n = ruru_rules_count(s->rules);
    json_object_set_new(info, "rules", json_integer((json_int_t)n));
    json_object_set_new(info, "rules_refused", json_integer((json_int_t)rc.refused));
    if (n == 0) {
        ruru_rules_destroy(s->rules);
        s->rules = NULL;
        return RURU_OK;
    }
    s->correlated = ruru_calloc((n + 63) / 64, sizeof(*s->correlated));
    if (s->correlated == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    for (uint32_t i = 0; i < n; i++)
        if (ruru_rules_correlated(s->rules, i))
            s->correlated[i / 64] |= 1ull << (i % 64);
    ruru_vec_init(&s->corr, sizeof(struct corr_ev), (size_t)64 << 20);
    return RURU_OK;
}

struct corr_ctx {
    struct sweep *s;
    const struct ruru_sighting_member *members;
};

static int on_corr(const struct ruru_corr_hit *h, void *arg)
{
    struct corr_ctx *c = arg;
    struct sweep *s = c->s;
    const char *json = ruru_correlation_sighting_json(s->sightings, h, c->members);

    s->correlations++;
    s->sightings_total++;
    if (json != NULL && s->opts->on_sighting && s->opts->on_sighting(s->opts->ctx, json) != 0) {
        s->stopped = true;
        return 1;
    }
    return 0;
}

/* The correlations over every kept match, once all inputs are swept: their sightings come
 * after the others, in the order of their first member. */
static void correlate(struct sweep *s)
{
    size_t n = s->corr.n;
    struct ruru_corr_event *ev = ruru_calloc(n, sizeof(*ev));
    struct ruru_sighting_member *mem = ruru_calloc(n, sizeof(*mem));
    struct corr_ctx cc = {s, mem};
    struct ruru_diag d;

    if (ev == NULL || mem == NULL) {
        ruru_diag_set(&d, RURU_ENOMEM, NULL, 0, 0, "out of memory: correlations not run");
        if (s->opts->on_error)
            s->opts->on_error(s->opts->ctx, RURU_ENOMEM, &d);
    } else {
        for (size_t i = 0; i < n; i++) {
            const struct corr_ev *e = ruru_vec_at(&s->corr, i);
            ev[i].rule = e->rule;
            ev[i].time = e->time;
            ev[i].seq = i;
            ev[i].values = (const char *const *)e->values;
            mem[i] = e->where;
        }
        if (ruru_rules_correlate(s->rules, ev, n, on_corr, &cc, &d) != RURU_OK && s->opts->on_error)
            s->opts->on_error(s->opts->ctx, RURU_ENOMEM, &d);
    }
    ruru_free(ev);
    ruru_free(mem);
}

/* ---- STIX patterns ------------------------------------------------------------------------- */

/* The patterns of the index, compiled; the summary says how many, and why some are not used. */
static enum ruru_err load_patterns(struct sweep *s, json_t *info, struct ruru_diag *diag)
{
    enum ruru_err err = ruru_pattern_set_build(s->idx, &s->patterns, diag);
    bool multi = false;

    if (err != RURU_OK)
        return err;
    /* "indicators" counts what is matched value by value */
    json_object_set_new(info, "indicators",
                        json_integer(json_integer_value(json_object_get(info, "indicators")) -
                                     (json_int_t)(s->patterns->n + s->patterns->n_refused +
                                                  s->patterns->n_unobservable)));
    json_object_set_new(info, "patterns", json_integer((json_int_t)s->patterns->n));
    if (s->patterns->n_refused > 0) {
        json_object_set_new(info, "patterns_refused",
                            json_integer((json_int_t)s->patterns->n_refused));
        json_object_set_new(info, "patterns_refused_first",
                            json_string(s->patterns->first_refusal));
    }
    if (s->patterns->n_unobservable > 0)
        json_object_set_new(info, "patterns_unobservable",
                            json_integer((json_int_t)s->patterns->n_unobservable));
    for (size_t i = 0; i < s->patterns->n; i++)
        multi |= !s->patterns->entries[i].single;
    if (!multi)
        return RURU_OK;
    if ((s->kept = ruru_calloc(s->patterns->n, sizeof(*s->kept))) == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < s->patterns->n; i++)
        ruru_vec_init(&s->kept[i], sizeof(struct kept_obs), (size_t)MAX_KEPT_PER_PATTERN + 1);
    return RURU_OK;
}

/* The patterns of several observations, over the records kept for each, once all inputs are
 * swept: their sightings come after the others, in pattern order. */
static void judge_patterns(struct sweep *s)
{
    for (size_t i = 0; i < s->patterns->n && !s->stopped; i++) {
        const struct ruru_pattern_entry *e = &s->patterns->entries[i];
        struct ruru_vec *v = &s->kept[i];
        struct ruru_pattern_obs *obs;
        struct ruru_sighting_member *mem;
        size_t *members, n_members = 0;
        struct ruru_diag d;
        bool matched = false;
        const char *json;

        if (e->single || v->n == 0)
            continue;
        obs = ruru_calloc(v->n, sizeof(*obs));
        mem = ruru_calloc(v->n, sizeof(*mem));
        members = ruru_calloc(v->n, sizeof(*members));
        if (obs == NULL || mem == NULL || members == NULL) {
            ruru_diag_set(&d, RURU_ENOMEM, NULL, 0, 0, "out of memory: a STIX pattern not judged");
            if (s->opts->on_error)
                s->opts->on_error(s->opts->ctx, RURU_ENOMEM, &d);
        } else {
            for (size_t k = 0; k < v->n; k++) {
                const struct kept_obs *ko = ruru_vec_at(v, k);
                int64_t t = ko->where.time != RURU_TIME_NONE ? ko->where.time : INT64_MIN / 2;
                obs[k].first_sec = obs[k].last_sec = t;
                obs[k].count = 1;
                obs[k].leaves = ko->leaves;
            }
            if (ruru_pattern_match(e->pattern, obs, v->n, &matched, members, v->n, &n_members,
                                   &d) != RURU_OK) {
                s->pattern_errors++;
                if (s->opts->on_error)
                    s->opts->on_error(s->opts->ctx, d.msg[0] ? RURU_ELIMIT : RURU_EINVAL, &d);
            } else if (matched) {
                for (size_t k = 0; k < n_members; k++)
                    mem[k] = ((const struct kept_obs *)ruru_vec_at(v, members[k]))->where;
                s->pattern_sightings++;
                s->sightings_total++;
                json = ruru_pattern_sighting_json(s->sightings, e->ind, mem, n_members);
                if (json != NULL && s->opts->on_sighting &&
                    s->opts->on_sighting(s->opts->ctx, json) != 0)
                    s->stopped = true;
            }
        }
        ruru_free(obs);
        ruru_free(mem);
        ruru_free(members);
    }
}

/* ---- the entry point ----------------------------------------------------------------------- */

const char *ruru_log_formats(void)
{
    return "text apache (nginx) w3c (iis) zeek zeek-json eve (suricata) jsonl (json, ecs) syslog "
           "cef csv (exchange)";
}

static json_t *time_or_null(int64_t t)
{
    return t == RURU_TIME_NONE ? json_null() : ruru_query_time(t);
}

static json_t *input_summary(const struct sweep *s, const struct input *in)
{
    json_t *o = json_object(), *un = json_array(), *tr = json_array(), *inactive = json_object();
    json_t *ties = json_array();

    json_object_set_new(o, "path", json_string(in->path));
    json_object_set_new(o, "format",
                        in->started ? json_string(ruru_log_kind_name(in->kind)) : json_null());
    json_object_set_new(o, "compression",
                        json_string(in->comp == RURU_COMP_GZIP   ? "gzip"
                                    : in->comp == RURU_COMP_ZSTD ? "zstd"
                                                                 : "none"));
    json_object_set_new(o, "bytes", json_integer((json_int_t)in->bytes));
    json_object_set_new(o, "lines", json_integer((json_int_t)in->lines));
    json_object_set_new(o, "parsed", json_integer((json_int_t)in->parsed));
    json_object_set_new(o, "unparsed", json_integer((json_int_t)in->unparsed));
    for (size_t k = 0; k < in->n_unparsed_at; k++)
        json_array_append_new(un, json_integer((json_int_t)in->unparsed_at[k]));
    json_object_set_new(o, "unparsed_lines", un);
    /* records with more fields than ruru keeps: matched as text past the kept ones */
    json_object_set_new(o, "truncated", json_integer((json_int_t)in->truncated));
    for (size_t k = 0; k < in->n_truncated_at; k++)
        json_array_append_new(tr, json_integer((json_int_t)in->truncated_at[k]));
    json_object_set_new(o, "truncated_lines", tr);
    json_object_set_new(o, "first", time_or_null(in->first_time));
    json_object_set_new(o, "last", time_or_null(in->last_time));
    json_object_set_new(o, "sightings", json_integer((json_int_t)in->sightings));
    json_object_set_new(inactive, "expired", json_integer((json_int_t)in->counts.expired));
    json_object_set_new(inactive, "not_yet_valid",
                        json_integer((json_int_t)in->counts.not_yet_valid));
    json_object_set_new(inactive, "revoked", json_integer((json_int_t)in->counts.revoked));
    json_object_set_new(inactive, "not_for_detection",
                        json_integer((json_int_t)in->counts.not_ids));
    json_object_set_new(o, "not_in_force", inactive);
    /* the logsources the user tied to it (LOGSOURCE of each LOGSOURCE=PATTERN that named it) */
    for (size_t k = 0; k < ruru_rules_input_ties(in->rin); k++) {
        const char *tie = s->opts->logsources[ruru_rules_input_tie(in->rin, k)];
        json_array_append_new(ties, json_stringn(tie, (size_t)(strchr(tie, '=') - tie)));
    }
    json_object_set_new(o, "logsources", ties);
    json_object_set_new(o, "error", in->error[0] ? json_string(in->error) : json_null());
    return o;
}

static unsigned cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > 256 ? 256 : (unsigned)n;
}

enum ruru_err ruru_scan(ruru_store *store,
                        const char *const *paths,
                        size_t n_paths,
                        const struct ruru_scan_opts *opts,
                        char **summary_json,
                        struct ruru_diag *diag)
{
    static const struct ruru_scan_opts none;
    struct sweep s;
    struct ruru_index *idx = NULL;
    struct ruru_literals *lit = NULL;
    struct ruru_fnregex *fnre = NULL;
    struct ruru_record *r = NULL;
    json_t *doc = json_object(), *info = json_object(), *inputs = json_array();
    enum ruru_err err = RURU_OK;
    uint64_t bytes = 0, lines = 0, unparsed = 0;
    unsigned n_started = 0;

    ruru_diag_clear(diag);
    memset(&s, 0, sizeof(s));
    s.skipped = json_array();
    s.opts = opts ? opts : &none;
    s.store = store;
    s.max_line = s.opts->max_line ? s.opts->max_line : DEFAULT_MAX_LINE;
    if (s.max_line < CHUNK_BYTES)
        s.max_line = CHUNK_BYTES;
    if (s.opts->log_format != NULL && ruru_log_kind_parse(s.opts->log_format) == RURU_KIND__COUNT) {
        err = ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0, "unknown log format \"%s\" (one of: %s)",
                            s.opts->log_format, ruru_log_formats());
        goto out;
    }
    for (size_t i = 0; i < s.opts->n_logsources; i++)
        if ((err = ruru_rules_tie_check(s.opts->logsources[i], diag)) != RURU_OK)
            goto out;
    if ((err = store_index(store, &idx, info, diag)) != RURU_OK)
        goto out;
    s.idx = idx;
    {
        /* User agents and strings, searched for in free text. A list too big to compile is
         * said in the summary; the rest of the sweep goes on. */
        struct ruru_diag ld;
        if (ruru_literals_build(idx, 1ull << RURU_IOC_USER_AGENT | 1ull << RURU_IOC_STRING, &lit,
                                &ld) != RURU_OK)
            json_object_set_new(info, "literals_error", json_string(ld.msg));
        json_object_set_new(info, "literals", json_integer((json_int_t)ruru_literals_count(lit)));
        /* File-name regexes (Loki lists), compiled once and shared by the threads. */
        if (ruru_fnregex_build(idx, &fnre, &ld) != RURU_OK)
            json_object_set_new(info, "filename_regexes_error", json_string(ld.msg));
        if (fnre != NULL)
            json_object_set_new(info, "filename_regexes",
                                json_integer((json_int_t)ruru_fnregex_count(fnre, NULL)));
    }
    if ((err = load_rules(&s, info, diag)) != RURU_OK)
        goto out;
    if ((err = load_patterns(&s, info, diag)) != RURU_OK)
        goto out;
    if ((err = ruru_sightings_open(store, idx, &s.sightings, diag)) != RURU_OK)
        goto out;
    ruru_sightings_set_rules(s.sightings, s.rules);
    /* Inputs: directories expand to their files in name order. */
    for (size_t i = 0; i < n_paths; i++) {
        if (strcmp(paths[i], "-") != 0 && ruru_is_dir(paths[i])) {
            struct ruru_diag wd;
            size_t before = s.n_inputs;
            enum ruru_err we = ruru_dir_walk_all(paths[i], walk_add, walk_skipped, &s, &wd);
            if (we != RURU_OK) {
                if (add_input(&s, paths[i]) == RURU_OK) {
                    input_error(&s, &s.inputs[s.n_inputs - 1], we, &wd);
                    s.inputs[s.n_inputs - 1].started = false;
                }
            }
            (void)before;
        } else if (add_input(&s, paths[i]) != RURU_OK) {
            err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
    }
    s.n_threads = s.opts->threads ? s.opts->threads : cores();
    if (s.n_threads > 256)
        s.n_threads = 256;
    s.ring_cap = 2 * (size_t)s.n_threads + 2;
    s.ring = ruru_calloc(s.ring_cap, sizeof(*s.ring));
    s.threads = ruru_calloc(s.n_threads, sizeof(*s.threads));
    r = ruru_malloc(sizeof(*r));
    if (s.ring == NULL || s.threads == NULL || r == NULL) {
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    pthread_mutex_init(&s.pool.mu, NULL);
    pthread_cond_init(&s.pool.work, NULL);
    pthread_cond_init(&s.pool.done, NULL);
    s.pool.idx = idx;
    s.pool.lit = lit;
    s.pool.fnre = fnre;
    s.pool.rules = s.rules;
    s.pool.patterns = s.patterns;
    if (s.rules != NULL &&
        (s.pool.ran = ruru_calloc(ruru_rules_count(s.rules) / 64 + 1, sizeof(uint64_t))) == NULL) {
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    if (s.n_threads == 1 && (s.inline_r = ruru_malloc(sizeof(*s.inline_r))) != NULL &&
        (s.inline_m = matcher_create(idx, lit, fnre, s.rules, s.patterns)) != NULL) {
        n_started = 1;
    } else {
        /* N threads: N - 1 workers, and the reader matches when it would otherwise wait. */
        unsigned workers = s.n_threads;
        if (s.n_threads > 1 && (s.main_r = ruru_malloc(sizeof(*s.main_r))) != NULL &&
            (s.main_m = matcher_create(idx, lit, fnre, s.rules, s.patterns)) != NULL)
            workers = s.n_threads - 1;
        for (unsigned t = 0; t < workers; t++, n_started++)
            if (pthread_create(&s.threads[t], NULL, worker, &s.pool) != 0)
                break;
    }
    if (n_started == 0) {
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "cannot start a matching thread");
    } else {
        for (size_t i = 0; i < s.n_inputs && !s.stopped; i++)
            if (s.inputs[i].error[0] == '\0')
                sweep_input(&s, i, r);
        while (s.ring_len > 0)
            retire_oldest(&s);
        if (s.rules != NULL && s.corr.n > 0 && !s.stopped)
            correlate(&s);
        if (s.kept != NULL && !s.stopped)
            judge_patterns(&s);
    }
    pthread_mutex_lock(&s.pool.mu);
    s.pool.stop = true;
    pthread_cond_broadcast(&s.pool.work);
    pthread_mutex_unlock(&s.pool.mu);
    for (unsigned t = 0; s.inline_m == NULL && t < n_started; t++)
        pthread_join(s.threads[t], NULL);
    matcher_ran(&s.pool, s.inline_m);
    matcher_ran(&s.pool, s.main_m);
    matcher_destroy(s.inline_m);
    s.inline_m = NULL;
    matcher_destroy(s.main_m);
    s.main_m = NULL;
    pthread_mutex_destroy(&s.pool.mu);
    pthread_cond_destroy(&s.pool.work);
    pthread_cond_destroy(&s.pool.done);
    if (err == RURU_OK && s.stopped)
        err = ruru_diag_set(diag, RURU_ESTOPPED, NULL, 0, 0, "stopped by the caller");
    if (err == RURU_OK && s.first_err != RURU_OK) {
        err = s.first_err;
        *diag = s.first_diag;
    }
out:
    if (s.rules != NULL && s.pool.ran != NULL) {
        /* the loaded rules that ran on no record, by logsource (rules/lint.c) */
        size_t n_not_run = 0;
        json_t *by_ls = ruru_rules_not_run(s.rules, s.pool.ran, &n_not_run);
        json_object_set_new(info, "rules_not_run", json_integer((json_int_t)n_not_run));
        json_object_set_new(info, "rules_not_run_by_logsource", by_ls ? by_ls : json_array());
    }
    for (size_t i = 0; i < s.n_inputs; i++) {
        json_array_append_new(inputs, input_summary(&s, &s.inputs[i]));
        ruru_rules_input_destroy(s.inputs[i].rin);
        bytes += s.inputs[i].bytes;
        lines += s.inputs[i].lines;
        unparsed += s.inputs[i].unparsed;
        ruru_free(s.inputs[i].path);
    }
    json_object_set_new(info, "threads", json_integer(s.n_threads));
    json_object_set_new(info, "inputs", json_integer((json_int_t)s.n_inputs));
    json_object_set_new(info, "skipped", json_integer((json_int_t)json_array_size(s.skipped)));
    json_object_set_new(info, "bytes", json_integer((json_int_t)bytes));
    json_object_set_new(info, "lines", json_integer((json_int_t)lines));
    json_object_set_new(info, "unparsed", json_integer((json_int_t)unparsed));
    json_object_set_new(info, "sightings", json_integer((json_int_t)s.sightings_total));
    json_object_set_new(info, "rule_sightings", json_integer((json_int_t)s.rule_sightings));
    json_object_set_new(info, "correlations", json_integer((json_int_t)s.correlations));
    json_object_set_new(info, "pattern_sightings", json_integer((json_int_t)s.pattern_sightings));
    if (s.pattern_errors > 0)
        json_object_set_new(info, "pattern_errors", json_integer((json_int_t)s.pattern_errors));
    if (s.pattern_dropped > 0)
        json_object_set_new(info, "pattern_records_dropped",
                            json_integer((json_int_t)s.pattern_dropped));
    json_object_set_new(doc, "scan", info);
    json_object_set_new(doc, "inputs", inputs);
    json_object_set_new(doc, "skipped", s.skipped);
    if (summary_json != NULL) {
        struct ruru_diag fd;
        enum ruru_err fe = ruru_query_finish(doc, summary_json, &fd);
        if (fe != RURU_OK && err == RURU_OK) {
            err = fe;
            *diag = fd;
        }
    } else {
        json_decref(doc);
    }
    while (s.n_spare > 0)
        ruru_free(s.spare[--s.n_spare]);
    ruru_free(s.inputs);
    ruru_free(s.pool.ran);
    ruru_free(s.ring);
    ruru_free(s.threads);
    ruru_free(r);
    matcher_destroy(s.inline_m);
    ruru_free(s.inline_r);
    matcher_destroy(s.main_m);
    ruru_free(s.main_r);
    ruru_sightings_close(s.sightings);
    for (size_t i = 0; i < s.corr.n; i++) {
        struct corr_ev *e = ruru_vec_at(&s.corr, i);
        for (size_t k = 0; k < e->n_values; k++)
            ruru_free(e->values[k]);
        ruru_free(e->values);
        ruru_free(e->asset);
    }
    ruru_vec_fini(&s.corr);
    ruru_free(s.correlated);
    for (size_t i = 0; s.kept != NULL && i < s.patterns->n; i++) {
        for (size_t k = 0; k < s.kept[i].n; k++) {
            struct kept_obs *e = ruru_vec_at(&s.kept[i], k);
            ruru_free(e->asset);
        }
        ruru_vec_fini(&s.kept[i]);
    }
    ruru_free(s.kept);
    ruru_pattern_set_destroy(s.patterns);
    ruru_rules_destroy(s.rules);
    ruru_literals_destroy(lit);
    ruru_fnregex_destroy(fnre);
    ruru_index_destroy(idx);
    return err;
}
