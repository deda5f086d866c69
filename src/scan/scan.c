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
 *
 * Reading the inputs into chunks is in input.c, reporting (sightings, correlations, patterns
 * judged at the end, the inputs' summaries) in report.c; the types they share are in
 * scan_int.h. This file holds the worker pool, matching a chunk, and the entry points.
 */
#include <dirent.h>
#include <inttypes.h>
#include <jansson.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "base/simd.h"
#include "base/str.h"
#include "base/time.h"
#include "base/vec.h"
#include "intel/query.h"
#include "intel/store.h"
#include "io/file.h"
#include "logs/formats.h"
#include "logs/json.h"
#include "logs/record.h"
#include "match/index.h"
#include "match/literal.h"
#include "rules/sigma.h"
#include "scan/engine.h"
#include "scan/match.h"
#include "scan/scan_int.h"
#include "scan/sighting.h"

/* Frees a chunk but its buffer (the caller recycles it). */
static void chunk_free(struct chunk *c)
{
    if (c == NULL)
        return;
    ruru_free(c->spans);
    ruru_scan_fmt_free(c->fmt);
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
        if (c->fmt != NULL && ruru_scan_fmt_parse(c->fmt, p, sp->len, r) == RURU_LINE_RECORD) {
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

/*
 * A chunk of lines. Most lines of a log hold nothing of interest; for the formats that can
 * skim (ruru_scan_fmt_skim), a line is first skimmed: when it would parse, and
 * ruru_match_may_hit says its record could give nothing (asked of the skim's view of the line:
 * its fields as the full pass reads them), it is counted (parsed, its time) and let go
 * without making the record. The answer for the record is read from the last
 * record of the chunk that was made (its logsource facts, for the rules), so the first record
 * of a chunk, and the first after a directive or a line that did not parse, is made. The
 * portable path (ruru_set_simd(false)) makes every record: the tests compare the two.
 */
/* Does the line skim, to a record that could give nothing? Its time in *t. room: room_len
 * bytes for the skim's view. */
static bool let_go(struct chunk *c,
                   struct ruru_matcher *m,
                   const char *p,
                   size_t len,
                   char *room,
                   size_t room_len,
                   int64_t *t)
{
    struct ruru_skim sk = {RURU_TIME_NONE, p, len <= room_len ? room : NULL};

    if (!ruru_scan_fmt_skim(c->fmt, p, len, &sk) || ruru_match_may_hit(m, sk.view, p, len))
        return false;
    *t = sk.time;
    return true;
}

static void process_chunk(struct chunk *c, struct ruru_matcher *m, struct ruru_record *r)
{
    const char *p = c->data, *end = c->data + c->len;
    bool skim = c->fmt != NULL && c->fmt->def->skim != NULL && ruru_simd_allowed();
    bool primed = false;
    size_t room_len = c->len;
    char *room = skim ? ruru_match_view_room(m, &room_len) : NULL;

    /* the portable path asks line by line: the tests compare the two */
    ruru_match_text(m,
                    ruru_simd_allowed() && (c->fmt == NULL || !c->fmt->def->skim_decodes) ? c->data
                                                                                          : NULL,
                    c->len);

    c->first_time = RURU_TIME_NONE;
    c->last_time = RURU_TIME_NONE;
    if (m->rules_scratch != NULL) {
        ruru_rules_scratch_input(m->rules_scratch, c->rin);
        /* the portable path searches line by line: the two are compared by the tests */
        if (ruru_simd_allowed())
            ruru_rules_scratch_text(m->rules_scratch, c->data, c->len);
    }
    if (c->spans != NULL || (c->fmt != NULL && c->fmt->def->kind == RURU_KIND_JSON_DOC)) {
        process_spans(c, m, r);
        if (m->rules_scratch != NULL)
            ruru_rules_scratch_text(m->rules_scratch, NULL, 0);
        ruru_match_text(m, NULL, 0);
        c->counts = m->counts;
        memset(&m->counts, 0, sizeof(m->counts));
        return;
    }
    while (p < end) {
        const char *nl = memchr(p, c->eol, (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), len = n;
        uint64_t off = c->offset + (uint64_t)(p - c->data);
        enum ruru_log_line what = RURU_LINE_BAD;
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
                ruru_match_patterns(m, NULL, p, len); /* none on text: clears the last line's */
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
            int64_t t;
            if (skim && primed && let_go(c, m, p, len, room, room_len, &t)) {
                c->parsed++;
                note_time(c, t);
                p += n + 1;
                continue;
            }
            if (c->fmt != NULL)
                what = ruru_scan_fmt_parse(c->fmt, p, len, r);
            if (what == RURU_LINE_RECORD) {
                c->parsed++;
                rec = r;
                note_time(c, r->time);
                note_truncated(c, r, c->lines);
            } else if (what == RURU_LINE_BAD) {
                if (c->fmt != NULL && c->fmt->def->kind != RURU_KIND_TEXT) {
                    c->unparsed++;
                    if (c->n_unparsed_at < UNPARSED_SAMPLES)
                        c->unparsed_at[c->n_unparsed_at++] = c->lines;
                } else {
                    c->parsed++; /* text: every line is what it is */
                }
            }
            if (what != RURU_LINE_DIRECTIVE) {
                if (!ruru_match_record(m, rec, p, len))
                    c->failed = true;
                ruru_match_rules(m, rec, p, len);
                ruru_match_patterns(m, rec, p, len);
                c->hits_truncated |= m->hits_truncated;
                if ((m->n_hits > 0 || m->n_rule_hits > 0 || m->n_pattern_hits > 0) &&
                    !keep_hits(c, m, rec, p, n, c->lines, off, NULL))
                    c->failed = true;
            }
            if (what != RURU_LINE_RECORD) {
                primed = false;
            } else if (skim && !primed) {
                /* The rules have seen this record: can lines like it be let go at all? */
                primed = true;
                skim = ruru_match_can_skim(m);
            }
        }
        p += n + 1;
    }
    if (m->rules_scratch != NULL)
        ruru_rules_scratch_text(m->rules_scratch, NULL, 0); /* the chunk goes */
    ruru_match_text(m, NULL, 0);
    c->counts = m->counts;
    memset(&m->counts, 0, sizeof(m->counts));
}

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

char *ruru_scan_buf_get(struct sweep *s, size_t cap)
{
    for (size_t i = s->n_spare; i > 0; i--)
        if (s->spare[i - 1].cap == cap) {
            char *buf = s->spare[i - 1].buf;
            s->spare[i - 1] = s->spare[--s->n_spare];
            return buf;
        }
    return ruru_malloc(cap);
}

void ruru_scan_buf_put(struct sweep *s, char *buf, size_t cap)
{
    if (buf != NULL && (cap == CHUNK_BYTES || cap == EVTX_CHUNK_BYTES) &&
        s->n_spare < SPARE_BUFFERS) {
        s->spare[s->n_spare].buf = buf;
        s->spare[s->n_spare++].cap = cap;
    } else {
        ruru_free(buf);
    }
}

void ruru_scan_chunk_release(struct sweep *s, struct chunk *c)
{
    if (!c->borrowed)
        ruru_scan_buf_put(s, c->data, c->cap);
    ruru_scan_fmt_put(s, c->fmt);
    c->fmt = NULL;
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

void ruru_scan_input_error(struct sweep *s,
                           struct input *in,
                           enum ruru_err err,
                           struct ruru_diag *d)
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
bool ruru_scan_input_rules(struct sweep *s, struct input *in)
{
    struct ruru_diag d;
    enum ruru_err err;

    if (s->rules == NULL || in->rin != NULL)
        return true;
    if (s->opts->n_logsources == 0 && in->kind < RURU_KIND__COUNT) {
        /* No ties: what the rules see of an input is its format alone, so the inputs of one
         * format share one (many one-line memory inputs cost one). */
        struct ruru_rules_input **shared = &s->shared_rin[in->kind];
        err = *shared != NULL
                      ? RURU_OK
                      : ruru_rules_input_create(s->rules, NULL, (int)in->kind, NULL, 0, shared, &d);
        in->rin = *shared;
        in->shared_rin = true;
    } else {
        err = ruru_rules_input_create(s->rules, in->path, (int)in->kind, s->opts->logsources,
                                      s->opts->n_logsources, &in->rin, &d);
    }
    if (err != RURU_OK) {
        d.source = in->path;
        ruru_scan_input_error(s, in, err, &d);
        return false;
    }
    return true;
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
    ruru_scan_report_chunk(s, c);
    ruru_scan_chunk_release(s, c);
    s->ring_head = (s->ring_head + 1) % s->ring_cap;
    s->ring_len--;
}

void ruru_scan_submit(struct sweep *s, struct chunk *c)
{
    if (s->inline_m != NULL) {
        /* One thread: the reader matches its own chunks, in order. */
        process_chunk(c, s->inline_m, s->inline_r);
        c->done = true;
        ruru_scan_report_chunk(s, c);
        ruru_scan_chunk_release(s, c);
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

/* ---- the entry point ----------------------------------------------------------------------- */

const char *ruru_log_formats(void)
{
    return ruru_logfmt_names();
}

static unsigned cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > 256 ? 256 : (unsigned)n;
}

/* Sweeps the inputs over the engine (engine.h). */
enum ruru_err ruru_engine_sweep(struct ruru_engine *e,
                                struct ruru_scan_input *items,
                                size_t n_items,
                                bool load_errors,
                                char **summary_json,
                                struct ruru_sweep_totals *totals,
                                struct ruru_diag *diag)
{
    struct sweep s;
    struct ruru_record *r = NULL;
    json_t *doc = json_object(), *info = json_deep_copy(e->info), *inputs = json_array();
    enum ruru_err err = RURU_OK;
    uint64_t bytes = 0, lines = 0, unparsed = 0;
    unsigned n_started = 0;

    ruru_diag_clear(diag);
    memset(&s, 0, sizeof(s));
    s.engine = e;
    s.skipped = json_array();
    s.opts = e->opts;
    s.store = e->store;
    s.idx = e->idx;
    s.rules = e->rules;
    s.correlated = e->correlated;
    s.patterns = e->patterns;
    s.sightings = e->sightings;
    if (load_errors && e->load_err != RURU_OK) {
        s.first_err = e->load_err;
        s.first_diag = e->load_diag;
    }
    s.max_line = s.opts->max_line ? s.opts->max_line : DEFAULT_MAX_LINE;
    if (s.max_line < CHUNK_BYTES)
        s.max_line = CHUNK_BYTES;
    if (s.rules != NULL)
        ruru_vec_init(&s.corr, sizeof(struct corr_ev), (size_t)64 << 20);
    if (e->multi_patterns) {
        if ((s.kept = ruru_calloc(s.patterns->n, sizeof(*s.kept))) == NULL) {
            err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < s.patterns->n; i++)
            ruru_vec_init(&s.kept[i], sizeof(struct kept_obs), (size_t)MAX_KEPT_PER_PATTERN + 1);
    }
    /* Inputs: directories expand to their files in name order. */
    for (size_t i = 0; i < n_items; i++) {
        const struct ruru_scan_input *it = &items[i];
        items[i].detected = NULL;
        if (it->format != NULL && ruru_log_kind_parse(it->format) == RURU_KIND__COUNT) {
            err = ruru_diag_set(diag, RURU_EINVAL, it->path, 0, 0,
                                "unknown log format \"%s\" (one of: %s)", it->format,
                                ruru_log_formats());
            goto out;
        }
        if (it->data == NULL && strcmp(it->path, "-") != 0 && ruru_is_dir(it->path)) {
            struct ruru_diag wd;
            enum ruru_err we = ruru_dir_walk_all(it->path, walk_add, walk_skipped, &s, &wd);
            if (we != RURU_OK) {
                if (add_input(&s, it->path) == RURU_OK) {
                    ruru_scan_input_error(&s, &s.inputs[s.n_inputs - 1], we, &wd);
                    s.inputs[s.n_inputs - 1].started = false;
                }
            }
        } else if (add_input(&s, it->path) != RURU_OK) {
            err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        } else {
            struct input *in = &s.inputs[s.n_inputs - 1];
            in->mem = it->data != NULL;
            in->data = it->data;
            in->data_len = it->len;
            in->names = it->data != NULL ? it->names : NULL;
            in->n_names = in->names != NULL ? it->n_names : 0;
            in->item = i + 1;
            if (it->format != NULL) {
                in->kind = ruru_log_kind_parse(it->format);
                in->forced = true;
            }
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
    s.pool.idx = e->idx;
    s.pool.lit = e->lit;
    s.pool.fnre = e->fnre;
    s.pool.rules = s.rules;
    s.pool.patterns = s.patterns;
    if (s.rules != NULL &&
        (s.pool.ran = ruru_calloc(ruru_rules_count(s.rules) / 64 + 1, sizeof(uint64_t))) == NULL) {
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    if (s.n_threads == 1 && (s.inline_r = ruru_malloc(sizeof(*s.inline_r))) != NULL &&
        (s.inline_m = matcher_create(e->idx, e->lit, e->fnre, s.rules, s.patterns)) != NULL) {
        n_started = 1;
    } else {
        /* N threads: N - 1 workers, and the reader matches when it would otherwise wait. */
        unsigned workers = s.n_threads;
        if (s.n_threads > 1 && (s.main_r = ruru_malloc(sizeof(*s.main_r))) != NULL &&
            (s.main_m = matcher_create(e->idx, e->lit, e->fnre, s.rules, s.patterns)) != NULL)
            workers = s.n_threads - 1;
        for (unsigned t = 0; t < workers; t++, n_started++)
            if (pthread_create(&s.threads[t], NULL, worker, &s.pool) != 0)
                break;
    }
    if (n_started == 0) {
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "cannot start a matching thread");
    } else {
        for (size_t i = 0; i < s.n_inputs && !s.stopped; i++) {
            ruru_scan_read_ahead(&s, i);
            if (s.inputs[i].error[0] == '\0')
                ruru_scan_input_sweep(&s, i, r);
        }
        ruru_scan_read_ahead_end(&s);
        while (s.ring_len > 0)
            retire_oldest(&s);
        if (s.rules != NULL && s.corr.n > 0 && !s.stopped)
            ruru_scan_correlate(&s);
        if (s.kept != NULL && !s.stopped)
            ruru_scan_judge_patterns(&s);
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
    if (s.rules != NULL && s.pool.ran != NULL && summary_json != NULL) {
        /* the loaded rules that ran on no record, by logsource (rules/lint.c) */
        size_t n_not_run = 0;
        json_t *by_ls = ruru_rules_not_run(s.rules, s.pool.ran, &n_not_run);
        json_object_set_new(info, "rules_not_run", json_integer((json_int_t)n_not_run));
        json_object_set_new(info, "rules_not_run_by_logsource", by_ls ? by_ls : json_array());
    }
    for (size_t i = 0; i < s.n_inputs; i++) {
        /* each input's part of the summary only when a summary is wanted: a stream worker
         * sweeps thousands of one-line inputs a second and reads only the totals */
        if (summary_json != NULL)
            json_array_append_new(inputs, ruru_scan_input_summary(&s, &s.inputs[i]));
        if (!s.inputs[i].shared_rin)
            ruru_rules_input_destroy(s.inputs[i].rin);
        if (s.inputs[i].item > 0 && s.inputs[i].started)
            items[s.inputs[i].item - 1].detected = ruru_log_kind_name(s.inputs[i].kind);
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
    if (totals != NULL) {
        totals->bytes = bytes;
        totals->lines = lines;
        totals->unparsed = unparsed;
        totals->sightings = s.sightings_total;
    }
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
        ruru_free(s.spare[--s.n_spare].buf);
    while (s.n_spare_fmt > 0)
        ruru_scan_fmt_free(s.spare_fmt[--s.n_spare_fmt]);
    for (size_t k = 0; k < RURU_KIND__COUNT; k++)
        ruru_rules_input_destroy(s.shared_rin[k]);
    ruru_free(s.inputs);
    ruru_free(s.pool.ran);
    ruru_free(s.ring);
    ruru_free(s.threads);
    ruru_free(r);
    matcher_destroy(s.inline_m);
    ruru_free(s.inline_r);
    matcher_destroy(s.main_m);
    ruru_free(s.main_r);
    for (size_t i = 0; i < s.corr.n; i++) {
        struct corr_ev *ev = ruru_vec_at(&s.corr, i);
        for (size_t k = 0; k < ev->n_values; k++)
            ruru_free(ev->values[k]);
        ruru_free(ev->values);
        ruru_free(ev->asset);
    }
    ruru_vec_fini(&s.corr);
    for (size_t i = 0; s.kept != NULL && i < s.patterns->n; i++) {
        for (size_t k = 0; k < s.kept[i].n; k++) {
            struct kept_obs *ko = ruru_vec_at(&s.kept[i], k);
            ruru_free(ko->asset);
        }
        ruru_vec_fini(&s.kept[i]);
    }
    ruru_free(s.kept);
    return err;
}

/* The summary of a sweep that could not start (a bad option, no index): nothing read. */
static void empty_summary(char **summary_json)
{
    static const char *const zero[] = {
            "threads",  "inputs",    "skipped",        "bytes",        "lines",
            "unparsed", "sightings", "rule_sightings", "correlations", "pattern_sightings"};
    json_t *doc = json_object(), *info = json_object();
    struct ruru_diag d;

    for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
        json_object_set_new(info, zero[i], json_integer(0));
    json_object_set_new(doc, "scan", info);
    json_object_set_new(doc, "inputs", json_array());
    json_object_set_new(doc, "skipped", json_array());
    if (ruru_query_finish(doc, summary_json, &d) != RURU_OK)
        *summary_json = NULL;
}

enum ruru_err ruru_scan(ruru_store *store,
                        const char *const *paths,
                        size_t n_paths,
                        const struct ruru_scan_opts *opts,
                        char **summary_json,
                        struct ruru_diag *diag)
{
    struct ruru_engine *e = NULL;
    struct ruru_scan_input *items = ruru_calloc(n_paths + 1, sizeof(*items));
    enum ruru_err err;

    if (items == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < n_paths; i++)
        items[i].path = paths[i];
    if ((err = ruru_engine_open(store, opts, &e, diag)) == RURU_OK)
        err = ruru_engine_sweep(e, items, n_paths, true, summary_json, NULL, diag);
    else if (summary_json != NULL)
        empty_summary(summary_json);
    ruru_engine_close(e);
    ruru_free(items);
    return err;
}
