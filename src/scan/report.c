/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reporting the sweep (scan_int.h): a chunk's hits, in chunk order, as sighting documents
 * (indicators, rules with their fields, STIX patterns matched or observed in part), the
 * correlations and the patterns of several observations judged at the end, and each input's
 * summary. Only the calling thread reports; the workers only fill their chunks.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/str.h"
#include "base/time.h"
#include "intel/query.h"
#include "logs/formats.h"
#include "logs/record.h"
#include "match/index.h"
#include "rules/sigma.h"
#include "scan/match.h"
#include "scan/scan_int.h"
#include "scan/sighting.h"

/* Line `line` of an input (offset `offset`): in a run of named one-line records (a batch's
 * messages), the record's own name, line 1, offset 0; else the input's path as it is. */
static void named(const struct input *in, const char **path, uint64_t *line, uint64_t *offset)
{
    *path = in->path;
    if (in->names != NULL && *line >= 1 && *line <= in->n_names) {
        *path = in->names[*line - 1];
        *line = 1;
        *offset = 0;
    }
}

/* Where a hit is: its input's path (or record's name), line and offset. */
static void place(const struct input *in,
                  const struct chunk *c,
                  const struct chunk_hit *h,
                  const char **path,
                  uint64_t *line,
                  uint64_t *offset)
{
    *line = c->spans != NULL || in->kind == RURU_KIND_JSON_DOC ? h->line : in->lines + h->line;
    *offset = h->offset;
    named(in, path, line, offset);
}

/* What every sighting of hit h says of where it is and what it cites: the place, the format,
 * the time and asset, the raw bytes and their hash. */
static void cited(const struct input *in,
                  const struct chunk *c,
                  const struct chunk_hit *h,
                  struct ruru_sighting *x)
{
    memset(x, 0, sizeof(*x));
    place(in, c, h, &x->path, &x->line, &x->offset);
    x->format = ruru_log_kind_name(in->kind);
    x->length = h->length;
    x->time = h->time;
    x->asset = h->asset;
    x->asset_is_ip = h->asset_is_ip;
    x->raw = h->raw;
    x->raw_len = h->raw_len;
    x->raw_truncated = h->raw_truncated;
    memcpy(x->sha256, h->sha256, sizeof(x->sha256));
}

/* A rule's match: kept for its correlations, and reported unless only a correlation's part. */
static void
report_rule(struct sweep *s, struct input *in, const struct chunk *c, const struct chunk_hit *h)
{
    struct ruru_sighting x;
    const char *native[RURU_RULES_MAX_MATCHED], *canon[RURU_RULES_MAX_MATCHED];
    const char *value[RURU_RULES_MAX_MATCHED];
    const char *json;

    cited(in, c, h, &x);
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
        e.where.path = x.path;
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
    place(in, c, h, &k.where.path, &k.where.line, &k.where.offset);
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
void ruru_scan_report_chunk(struct sweep *s, struct chunk *c)
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
        cited(in, c, h, &x);
        x.field_native = h->field_native;
        x.field_canon = h->field_canon;
        x.observed = h->observed;
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
        uint64_t line = in->lines - c->lines + 1, offset = 0;
        const char *path;
        named(in, &path, &line, &offset); /* the chunk's first record */
        ruru_diag_set(&d, c->failed ? RURU_ENOMEM : RURU_ELIMIT, path, line, 0,
                      c->failed ? "out of memory while matching; some sightings are missing"
                                : "a line with more than 256 matches; the rest were dropped");
        ruru_scan_input_error(s, in, c->failed ? RURU_ENOMEM : RURU_ELIMIT, &d);
    }
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
void ruru_scan_correlate(struct sweep *s)
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

/* The patterns of several observations, over the records kept for each, once all inputs are
 * swept: their sightings come after the others, in pattern order. */
void ruru_scan_judge_patterns(struct sweep *s)
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

static json_t *time_or_null(int64_t t)
{
    return t == RURU_TIME_NONE ? json_null() : ruru_query_time(t);
}

json_t *ruru_scan_input_summary(const struct sweep *s, const struct input *in)
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
