/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sigma correlations over the matches of one sweep (sigma.h). For each correlation, the
 * matches of the rules it names are grouped by the values of its group-by fields (aliases
 * resolved per rule), ordered by time, and windows of `timespan` are tried, each anchored at
 * a match: [t_i, t_i + timespan]. The measure of a window is
 *
 *   event_count       the number of matches
 *   value_count       the number of distinct values of `field`
 *   value_sum / avg   the sum / mean of the numeric values of `field`
 *   value_median      their median
 *   value_percentile  for each distinct value of `field`, its share of the window's matches
 *                     in percent; the rarest value is measured (a value seen in 1 % or less
 *                     of a host's process starts: "lte: 1")
 *   temporal          the number of distinct rules present (all of them when no condition)
 *   temporal_ordered  as temporal, the rules' matches in the order the correlation lists them
 *
 * and the correlation fires when the measure meets every bound of its condition. A window that
 * fired is consumed: the next anchor is the first match after it, so one burst gives one
 * sighting, whose members are the window's matches. Example: event_count, group-by User,
 * timespan 10m, gte 3, matches for bob at 10:00, 10:02, 10:07, 10:30: the window anchored at
 * 10:00 holds three, fires with members 1–3; 10:30 alone does not.
 *
 * Correlations that name correlations (chains) run after those: a fired inner correlation is
 * one match of the outer, with the inner's group values and members. Matches without a time
 * cannot be placed in a window and are left out.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "rules/sigma_int.h"

struct ev {
    uint32_t rule;
    int64_t time;
    uint64_t seq;
    const char *const *values; /* by the names of `names` */
    const char *const *names;
    size_t n_names;
    size_t *members; /* base events; for a base event itself alone */
    size_t n_members;
};

struct run {
    struct ev *e;
    const char *key;
};

static const struct ruru_sigma_rule *rule_at(const struct ruru_rules *rs, size_t i)
{
    return *(struct ruru_sigma_rule *const *)ruru_vec_at(&rs->rules, i);
}

static const char *value_by_name(const struct ev *e, const char *name)
{
    for (size_t i = 0; i < e->n_names; i++)
        if (strcmp(e->names[i], name) == 0)
            return e->values[i];
    return NULL;
}

static bool meets(const struct corr *c, double v)
{
    if (c->has[0] && !(v > c->bound[0]))
        return false;
    if (c->has[1] && !(v >= c->bound[1]))
        return false;
    if (c->has[2] && !(v < c->bound[2]))
        return false;
    if (c->has[3] && !(v <= c->bound[3]))
        return false;
    if (c->has[4] && !(v == c->bound[4]))
        return false;
    return true;
}

static int cmp_run(const void *a, const void *b)
{
    const struct run *x = a, *y = b;
    int k = strcmp(x->key, y->key);

    if (k != 0)
        return k;
    if (x->e->time != y->e->time)
        return x->e->time < y->e->time ? -1 : 1;
    return x->e->seq < y->e->seq ? -1 : x->e->seq > y->e->seq;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static bool number(const char *s, double *out)
{
    char *end;

    if (s == NULL || *s == '\0')
        return false;
    *out = strtod(s, &end);
    return *end == '\0';
}

/* The measure of window w[0..n) for correlation c; *rare gets value_percentile's value. */
static bool measure(const struct corr *c, struct run *w, size_t n, double *out, const char **rare)
{
    *rare = NULL;
    switch (c->type) {
    case CORR_EVENT_COUNT:
        *out = (double)n;
        return true;
    case CORR_TEMPORAL: {
        size_t present = 0;
        for (size_t k = 0; k < c->n_rules; k++)
            for (size_t i = 0; i < n; i++)
                if (w[i].e->rule == c->rule_idx[k]) {
                    present++;
                    break;
                }
        *out = (double)present;
        return true;
    }
    case CORR_TEMPORAL_ORDERED: {
        size_t next = 0;
        for (size_t i = 0; i < n && next < c->n_rules; i++)
            if (w[i].e->rule == c->rule_idx[next])
                next++;
        *out = (double)next;
        return true;
    }
    default:
        break;
    }
    {
        const char **vals = ruru_calloc(n ? n : 1, sizeof(*vals));
        double *nums = ruru_calloc(n ? n : 1, sizeof(*nums));
        size_t nv = 0, nn = 0;
        bool ok = vals != NULL && nums != NULL;
        for (size_t i = 0; ok && i < n; i++) {
            const char *v = value_by_name(w[i].e, c->field);
            double d;
            if (v == NULL)
                continue;
            vals[nv++] = v;
            if (number(v, &d))
                nums[nn++] = d;
        }
        if (ok && c->type == CORR_VALUE_COUNT) {
            size_t distinct = 0;
            qsort(vals, nv, sizeof(*vals), cmp_str);
            for (size_t i = 0; i < nv; i++)
                distinct += i == 0 || strcmp(vals[i], vals[i - 1]) != 0;
            *out = (double)distinct;
        } else if (ok && (c->type == CORR_VALUE_SUM || c->type == CORR_VALUE_AVG)) {
            double sum = 0;
            for (size_t i = 0; i < nn; i++)
                sum += nums[i];
            *out = c->type == CORR_VALUE_SUM ? sum : (nn > 0 ? sum / (double)nn : 0);
            ok = nn > 0;
        } else if (ok && c->type == CORR_VALUE_MEDIAN) {
            qsort(nums, nn, sizeof(*nums), cmp_dbl);
            ok = nn > 0;
            if (ok)
                *out = nn % 2 ? nums[nn / 2] : (nums[nn / 2 - 1] + nums[nn / 2]) / 2;
        } else if (ok && c->type == CORR_VALUE_PERCENTILE) {
            size_t best = 0;
            const char *best_v = NULL;
            qsort(vals, nv, sizeof(*vals), cmp_str);
            for (size_t i = 0; i < nv;) {
                size_t j = i;
                while (j < nv && strcmp(vals[j], vals[i]) == 0)
                    j++;
                if (best_v == NULL || j - i < best) {
                    best = j - i;
                    best_v = vals[i];
                }
                i = j;
            }
            ok = best_v != NULL;
            if (ok) {
                *out = 100.0 * (double)best / (double)n;
                *rare = best_v;
            }
        }
        ruru_free(vals);
        ruru_free(nums);
        return ok;
    }
}

struct out_hit {
    uint32_t rule;
    const char **group;
    size_t n_group;
    int64_t first, last;
    double value;
    const char *value_of;
    size_t *members;
    size_t n_members;
};

struct state {
    const struct ruru_rules *rs;
    struct ev *evs; /* base events, then derived ones, added after each correlation runs */
    size_t n, cap;
    struct ev *pending; /* derived events of the correlation running */
    size_t n_pending, cap_pending;
    struct out_hit *hits;
    size_t n_hits, cap_hits;
    enum ruru_err err;
};

static bool grow(void **v, size_t *cap, size_t need, size_t size)
{
    void *p;
    size_t c = *cap ? *cap : 16;

    if (need <= *cap)
        return true;
    while (c < need)
        c *= 2;
    if ((p = ruru_realloc(*v, c * size)) == NULL)
        return false;
    *v = p;
    *cap = c;
    return true;
}

/* Fires: records the hit and, for a chain, a derived event of the correlation. */
static void fire(struct state *st,
                 uint32_t rule,
                 const struct corr *c,
                 struct run *w,
                 size_t n,
                 double value,
                 const char *rare)
{
    struct out_hit h;
    size_t total = 0, k = 0;

    memset(&h, 0, sizeof(h));
    h.rule = rule;
    h.first = w[0].e->time;
    h.last = w[n - 1].e->time;
    h.value = value;
    h.value_of = rare;
    h.n_group = c->n_group_by;
    h.group = ruru_calloc(c->n_group_by + 1, sizeof(*h.group));
    for (size_t i = 0; i < n; i++)
        if (rare == NULL || c->type != CORR_VALUE_PERCENTILE ||
            (value_by_name(w[i].e, c->field) != NULL &&
             strcmp(value_by_name(w[i].e, c->field), rare) == 0))
            total += w[i].e->n_members;
    h.members = ruru_calloc(total ? total : 1, sizeof(*h.members));
    if (h.group == NULL || h.members == NULL ||
        !grow((void **)&st->hits, &st->cap_hits, st->n_hits + 1, sizeof(*st->hits)) ||
        !grow((void **)&st->pending, &st->cap_pending, st->n_pending + 1, sizeof(*st->pending))) {
        ruru_free(h.group);
        ruru_free(h.members);
        st->err = RURU_ENOMEM;
        return;
    }
    for (size_t g = 0; g < c->n_group_by; g++)
        h.group[g] = value_by_name(w[0].e, c->group_by[g]);
    for (size_t i = 0; i < n; i++) {
        if (!(rare == NULL || c->type != CORR_VALUE_PERCENTILE ||
              (value_by_name(w[i].e, c->field) != NULL &&
               strcmp(value_by_name(w[i].e, c->field), rare) == 0)))
            continue;
        memcpy(h.members + k, w[i].e->members, w[i].e->n_members * sizeof(*h.members));
        k += w[i].e->n_members;
    }
    h.n_members = k;
    st->hits[st->n_hits++] = h;
    {
        /* the derived event an outer correlation sees (st->evs may not move while the
         * windows point into it: it is added when this correlation is done) */
        struct ev *e = &st->pending[st->n_pending++];
        memset(e, 0, sizeof(*e));
        e->rule = rule;
        e->time = h.first;
        e->seq = w[0].e->seq;
        e->values = h.group;
        e->names = c->group_by;
        e->n_names = c->n_group_by;
        e->members = h.members;
        e->n_members = h.n_members;
    }
}

static void run_correlation(struct state *st, uint32_t rule)
{
    const struct corr *c = rule_at(st->rs, rule)->corr;
    struct run *runs;
    size_t n = 0, n_base = st->n;
    char **keys;

    if (c->n_rules == 0)
        return;
    runs = ruru_calloc(st->n ? st->n : 1, sizeof(*runs));
    keys = ruru_calloc(st->n ? st->n : 1, sizeof(*keys));
    if (runs == NULL || keys == NULL) {
        ruru_free(runs);
        ruru_free(keys);
        st->err = RURU_ENOMEM;
        return;
    }
    for (size_t i = 0; i < n_base; i++) {
        struct ev *e = &st->evs[i];
        bool mine = false;
        size_t len = 1;
        char *key;
        for (size_t k = 0; k < c->n_rules; k++)
            mine |= c->rule_idx[k] == e->rule;
        if (!mine || e->time == RURU_TIME_NONE)
            continue;
        for (size_t g = 0; g < c->n_group_by; g++) {
            const char *v = value_by_name(e, c->group_by[g]);
            len += (v ? strlen(v) : 0) + 2;
        }
        if ((key = ruru_malloc(len)) == NULL) {
            st->err = RURU_ENOMEM;
            break;
        }
        key[0] = '\0';
        {
            size_t at = 0;
            bool whole = true;
            for (size_t g = 0; g < c->n_group_by; g++) {
                const char *v = value_by_name(e, c->group_by[g]);
                size_t vl = v ? strlen(v) : 0;
                whole &= v != NULL;
                memcpy(key + at, v ? v : "", vl);
                at += vl;
                key[at++] = '\x1f';
            }
            key[at] = '\0';
            if (!whole) {
                ruru_free(key); /* a match without a group-by field belongs to no group */
                continue;
            }
        }
        keys[n] = key;
        runs[n].e = e;
        runs[n].key = key;
        n++;
    }
    qsort(runs, n, sizeof(*runs), cmp_run);
    for (size_t i = 0; i < n && st->err == RURU_OK;) {
        size_t g_end = i;
        while (g_end < n && strcmp(runs[g_end].key, runs[i].key) == 0)
            g_end++;
        for (size_t a = i, b = i; a < g_end && st->err == RURU_OK;) {
            double v = 0;
            const char *rare = NULL;
            bool anchored = c->type != CORR_TEMPORAL_ORDERED || runs[a].e->rule == c->rule_idx[0];
            if (b < a)
                b = a;
            while (b < g_end && runs[b].e->time - runs[a].e->time <= c->timespan)
                b++;
            if (anchored && measure(c, runs + a, b - a, &v, &rare)) {
                bool ok;
                if (c->type == CORR_TEMPORAL || c->type == CORR_TEMPORAL_ORDERED) {
                    bool any = false;
                    for (size_t o = 0; o < 5; o++)
                        any |= c->has[o];
                    ok = any ? meets(c, v) : v == (double)c->n_rules;
                } else {
                    ok = meets(c, v);
                }
                if (ok) {
                    fire(st, rule, c, runs + a, b - a, v, rare);
                    a = b;
                    continue;
                }
            }
            a++;
        }
        i = g_end;
    }
    for (size_t i = 0; i < n; i++)
        ruru_free(keys[i]);
    ruru_free(keys);
    ruru_free(runs);
    if (st->n_pending > 0 && st->err == RURU_OK) {
        if (!grow((void **)&st->evs, &st->cap, st->n + st->n_pending, sizeof(*st->evs))) {
            st->err = RURU_ENOMEM;
        } else {
            memcpy(st->evs + st->n, st->pending, st->n_pending * sizeof(*st->evs));
            st->n += st->n_pending;
        }
    }
    st->n_pending = 0;
}

/* How many correlations deep a rule is: 0 for a detection rule. */
static int depth(const struct ruru_rules *rs, uint32_t i, int guard)
{
    const struct corr *c = rule_at(rs, i)->corr;
    int d = 0;

    if (c == NULL)
        return 0;
    if (guard > 16)
        return -1; /* a cycle, or a chain too long to mean anything */
    for (size_t k = 0; k < c->n_rules; k++) {
        int x = depth(rs, c->rule_idx[k], guard + 1);
        if (x < 0)
            return -1;
        if (x + 1 > d)
            d = x + 1;
    }
    return d > 0 ? d : 1;
}

static int cmp_hit(const void *a, const void *b)
{
    const struct out_hit *x = a, *y = b;

    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    for (size_t g = 0; g < x->n_group && g < y->n_group; g++) {
        int k = strcmp(x->group[g] ? x->group[g] : "", y->group[g] ? y->group[g] : "");
        if (k != 0)
            return k;
    }
    return 0;
}

enum ruru_err ruru_rules_correlate(const struct ruru_rules *rs,
                                   const struct ruru_corr_event *events,
                                   size_t n,
                                   ruru_corr_hit_fn fn,
                                   void *ctx,
                                   struct ruru_diag *diag)
{
    struct state st;
    size_t *self = NULL;
    int max_depth = 0;

    ruru_diag_clear(diag);
    memset(&st, 0, sizeof(st));
    st.rs = rs;
    if (!grow((void **)&st.evs, &st.cap, n + 1, sizeof(*st.evs)) ||
        (self = ruru_calloc(n ? n : 1, sizeof(*self))) == NULL) {
        ruru_free(st.evs);
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        struct ev *e = &st.evs[st.n++];
        size_t nn;
        e->rule = events[i].rule;
        e->time = events[i].time;
        e->seq = events[i].seq;
        e->values = events[i].values;
        e->names = ruru_rules_corr_fields(rs, events[i].rule, &nn);
        e->n_names = nn;
        self[i] = i;
        e->members = &self[i];
        e->n_members = 1;
    }
    for (size_t i = 0; i < rs->rules.n; i++) {
        int d = depth(rs, (uint32_t)i, 0);
        if (d > max_depth)
            max_depth = d;
    }
    for (int d = 1; d <= max_depth && st.err == RURU_OK; d++)
        for (size_t i = 0; i < rs->rules.n && st.err == RURU_OK; i++)
            if (rule_at(rs, i)->corr != NULL && depth(rs, (uint32_t)i, 0) == d)
                run_correlation(&st, (uint32_t)i);
    if (st.err == RURU_OK) {
        qsort(st.hits, st.n_hits, sizeof(*st.hits), cmp_hit);
        for (size_t i = 0; i < st.n_hits; i++) {
            const struct out_hit *h = &st.hits[i];
            struct ruru_corr_hit x;
            if (!ruru_rules_reports(rs, h->rule))
                continue; /* a part of a chain */
            x.rule = h->rule;
            x.group = h->group;
            x.n_group = h->n_group;
            x.first = h->first;
            x.last = h->last;
            x.value = h->value;
            x.value_of = h->value_of;
            x.members = h->members;
            x.n_members = h->n_members;
            if (fn(&x, ctx) != 0)
                break;
        }
    }
    for (size_t i = 0; i < st.n_hits; i++) {
        ruru_free(st.hits[i].group);
        ruru_free(st.hits[i].members);
    }
    ruru_free(st.hits);
    ruru_free(st.evs);
    ruru_free(st.pending);
    ruru_free(self);
    if (st.err != RURU_OK)
        return ruru_diag_set(diag, st.err, NULL, 0, 0, "out of memory");
    return RURU_OK;
}
