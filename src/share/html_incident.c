/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The section of one incident in the HTML report (html_int.h): its facts; the judgement in
 * words, with its probability and analytic confidence; the competing-hypotheses table (a row
 * per piece of evidence, a column per hypothesis); the history of its judgements; the timeline
 * of its sightings; the assets they name; and every piece of evidence with each record it
 * cites: input, line, offset, length, SHA-256, whether `ruru verify` holds for those bytes now,
 * and the record itself as text.
 *
 * Evidence is numbered E1, E2, ... in the model's order and anchored as "incident-N-eK", so
 * that the table of hypotheses links to it; no anchor or link holds text from the model.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/map.h"
#include "base/vec.h"
#include "share/html_int.h"

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The inputs of an incident ("sources": path -> sightings), in byte order of their paths. */
static enum ruru_err put_sources(struct ruru_html *h, const json_t *sources)
{
    size_t n = json_object_size(sources), k = 0;
    const char **keys;
    const char *key;
    const json_t *v;

    if (n == 0) {
        ruru_html_put(h, "\xe2\x80\x94");
        return RURU_OK;
    }
    keys = ruru_calloc(n, sizeof(*keys));
    if (keys == NULL)
        return RURU_ENOMEM;
    json_object_foreach(ruru_html_mut(sources), key, v)
    {
        keys[k++] = key;
    }
    qsort(keys, n, sizeof(*keys), key_cmp);
    for (k = 0; k < n; k++) {
        json_int_t c = ruru_html_iget(sources, keys[k], 0);
        ruru_html_put(h, k > 0 ? "<br><code>" : "<code>");
        ruru_html_esc(h, keys[k], strlen(keys[k]));
        ruru_html_putf(h, "</code>: %" JSON_INTEGER_FORMAT " sighting%s", c, c == 1 ? "" : "s");
    }
    ruru_free(keys);
    return RURU_OK;
}

static void fact(struct ruru_html *h, const char *what, const json_t *v, const char *none)
{
    ruru_html_putf(h, "<tr><th>%s</th><td>", what);
    ruru_html_str(h, v, none);
    ruru_html_put(h, "</td></tr>\n");
}

static enum ruru_err incident_facts(struct ruru_html *h, const json_t *inc)
{
    enum ruru_err err;

    ruru_html_put(h, "<table class=\"facts\"><tbody>\n");
    ruru_html_put(h, "<tr><th>Incident</th><td><code>");
    ruru_html_str(h, ruru_html_get(inc, "id"), "");
    ruru_html_put(h, "</code></td></tr>\n");
    if (json_is_string(ruru_html_get(inc, "org")))
        fact(h, "Organisation", ruru_html_get(inc, "org"), "");
    if (json_is_string(ruru_html_get(inc, "sector")))
        fact(h, "Sector", ruru_html_get(inc, "sector"), "");
    ruru_html_put(h, "<tr><th>Asset</th><td>");
    ruru_html_str(h, ruru_html_get(inc, "asset"), "\xe2\x80\x94");
    if (json_is_string(ruru_html_get(inc, "asset_from")))
        ruru_html_put(h, " <span class=\"note\">(the input: its records name no host)</span>");
    ruru_html_put(h, "</td></tr>\n");
    fact(h, "First seen", ruru_html_get(inc, "first"), "undated");
    fact(h, "Last seen", ruru_html_get(inc, "last"), "undated");
    ruru_html_put(h, "<tr><th>Severity</th><td>");
    ruru_html_str(h, ruru_html_get(inc, "severity"), "\xe2\x80\x94");
    ruru_html_put(h, json_is_true(ruru_html_get(inc, "serious")) ? ": <b>serious</b>"
                                                                 : ": not serious");
    ruru_html_put(h, "</td></tr>\n");
    fact(h, "Campaign", ruru_html_get(inc, "campaign"),
         "none: no other asset shares its indicators");
    ruru_html_put(h, "<tr><th>Inputs</th><td>");
    err = put_sources(h, ruru_html_get(inc, "sources"));
    ruru_html_put(h, "</td></tr>\n");
    fact(h, "Recorded", ruru_html_get(inc, "recorded"), "\xe2\x80\x94");
    fact(h, "Last changed", ruru_html_get(inc, "updated"), "\xe2\x80\x94");
    ruru_html_put(h, "</tbody></table>\n");
    if (json_is_true(ruru_html_get(inc, "recomputed")))
        ruru_html_put(
                h,
                "<p class=\"note\">Sightings above the TLP of this report were withheld from this "
                "incident: its evidence, severity and judgement are those it has without them, "
                "and the history of its judgements is left out.</p>\n");
    return err;
}

/* The judgement in words: who, how likely (ICD 203 words and the probability), how sure. */
static void incident_judgement(struct ruru_html *h, const json_t *inc)
{
    const json_t *j = ruru_html_get(inc, "judgement"), *actor = ruru_html_get(j, "actor");
    struct ruru_html_sponsor sp = ruru_html_sponsor(inc);

    ruru_html_put(h, "<h3>Judgement</h3>\n<p class=\"judgement\">");
    if (!json_is_object(j)) {
        ruru_html_put(h, "This incident has not been judged.</p>\n");
        return;
    }
    if (json_is_string(actor)) {
        ruru_html_put(h, "It is <b>");
        ruru_html_str(h, ruru_html_get(j, "words"), "\xe2\x80\x94");
        ruru_html_put(h, "</b> (");
        ruru_html_probability(h, ruru_html_get(j, "probability"));
        ruru_html_put(h, ") that <b>");
        ruru_html_str(h, actor, "");
        ruru_html_put(h, "</b> is behind this incident");
        if (sp.kind == RURU_HTML_STATE) {
            ruru_html_put(h, ", an actor sponsored by the state of <b>");
            ruru_html_sponsor_put(h, sp);
            ruru_html_put(h, "</b>");
        } else {
            ruru_html_put(h, ", an actor no state is known to sponsor");
        }
    } else {
        ruru_html_put(h,
                      "No known actor is judged behind this incident: that another actor is behind "
                      "it is <b>");
        ruru_html_str(h, ruru_html_get(j, "words"), "\xe2\x80\x94");
        ruru_html_put(h, "</b> (");
        ruru_html_probability(h, ruru_html_get(j, "probability"));
        ruru_html_put(h, ")");
    }
    ruru_html_put(h, ". Analytic confidence: <b>");
    ruru_html_str(h, ruru_html_get(j, "confidence"), "not stated");
    ruru_html_put(h, "</b>.</p>\n");
    if (json_is_string(ruru_html_get(j, "why"))) {
        ruru_html_put(h, "<p>Basis: ");
        ruru_html_str(h, ruru_html_get(j, "why"), "");
        ruru_html_put(h, ".</p>\n");
    }
}

/* The number (from 1) of the evidence whose key is `key`, or 0. */
static size_t evidence_number(const json_t *inc, const json_t *key)
{
    const json_t *ev;
    size_t i;

    json_array_foreach(ruru_html_get(inc, "evidence"), i, ev)
    {
        if (json_equal(ruru_html_mut(ruru_html_get(ev, "key")), ruru_html_mut(key)))
            return i + 1;
    }
    return 0;
}

static void put_hypothesis(struct ruru_html *h, const json_t *hyp)
{
    ruru_html_str(h, ruru_html_get(hyp, "actor"), "Another actor");
    ruru_html_put(h, "<br>");
    ruru_html_str(h, ruru_html_get(hyp, "words"), "\xe2\x80\x94");
    ruru_html_put(h, " (");
    ruru_html_probability(h, ruru_html_get(hyp, "probability"));
    ruru_html_put(h, ")");
}

/* The analysis of competing hypotheses: a row per piece of evidence, a column per hypothesis,
 * each cell its verdict and the likelihood ratio it was weighed with. */
static void incident_hypotheses(struct ruru_html *h, const json_t *inc, size_t idx)
{
    const json_t *j = ruru_html_get(inc, "judgement"), *hyps = ruru_html_get(j, "hypotheses"),
                 *rows = ruru_html_get(j, "table");
    const json_t *hyp, *row, *cell;
    size_t i, k;

    if (json_array_size(hyps) == 0)
        return;
    ruru_html_put(
            h,
            "<h3>Competing hypotheses</h3>\n<p class=\"note\">A row per piece of evidence, a "
            "column per hypothesis (most probable first); each cell says whether the evidence is "
            "consistent with the hypothesis, and the likelihood ratio it was weighed with. "
            "Evidence of one group is not counted as independent.</p>\n"
            "<table><thead><tr><th>Evidence</th><th class=\"n\">Group</th>");
    json_array_foreach(hyps, i, hyp)
    {
        ruru_html_put(h, "<th>");
        put_hypothesis(h, hyp);
        ruru_html_put(h, "</th>");
    }
    ruru_html_put(h, "</tr></thead><tbody>\n");
    json_array_foreach(rows, i, row)
    {
        size_t e = evidence_number(inc, ruru_html_get(row, "evidence"));
        const json_t *ev = json_array_get(ruru_html_get(inc, "evidence"), e - 1);

        ruru_html_put(h, "<tr><td>");
        if (e > 0)
            ruru_html_putf(h, "<a href=\"#incident-%zu-e%zu\">E%zu</a> ", idx + 1, e, e);
        ruru_html_str(h, ruru_html_get(row, "kind"), "");
        ruru_html_put(h, ": ");
        ruru_html_str(h, e > 0 ? ruru_html_get(ev, "value") : ruru_html_get(row, "evidence"),
                      "\xe2\x80\x94");
        ruru_html_put(h, "</td><td class=\"n\">");
        ruru_html_str(h, ruru_html_get(row, "group"), "\xe2\x80\x94");
        ruru_html_put(h, "</td>");
        json_array_foreach(ruru_html_get(row, "cells"), k, cell)
        {
            const char *v = ruru_html_sget(cell, "verdict");
            const json_t *ratio = ruru_html_get(cell, "ratio");
            bool known = v != NULL && (strcmp(v, "consistent") == 0 ||
                                       strcmp(v, "inconsistent") == 0 || strcmp(v, "neutral") == 0);

            ruru_html_putf(h, "<td class=\"%s\">", known ? v : "");
            ruru_html_str(h, ruru_html_get(cell, "verdict"), "\xe2\x80\x94");
            if (json_is_number(ratio))
                ruru_html_putf(h, " \xc3\x97%.2f", json_number_value(ratio));
            ruru_html_put(h, "</td>");
        }
        ruru_html_put(h, "</tr>\n");
    }
    ruru_html_put(h, "</tbody></table>\n");
}

static void incident_history(struct ruru_html *h, const json_t *inc)
{
    const json_t *hist = ruru_html_get(inc, "history"), *row;
    size_t i;

    if (json_array_size(hist) == 0)
        return;
    ruru_html_put(
            h,
            "<h3>History of the judgement</h3>\n<table><thead><tr><th class=\"n\">#</th><th>At</th>"
            "<th>Actor</th><th>Likelihood</th><th>Confidence</th><th>Basis</th></tr></thead>"
            "<tbody>\n");
    json_array_foreach(hist, i, row)
    {
        ruru_html_put(h, "<tr><td class=\"n\">");
        ruru_html_str(h, ruru_html_get(row, "seq"), "\xe2\x80\x94");
        ruru_html_put(h, "</td><td class=\"t\">");
        ruru_html_str(h, ruru_html_get(row, "at"), "\xe2\x80\x94");
        ruru_html_put(h, "</td><td>");
        ruru_html_str(h, ruru_html_get(row, "actor"), "another actor");
        ruru_html_put(h, "</td><td>");
        ruru_html_str(h, ruru_html_get(row, "words"), "\xe2\x80\x94");
        ruru_html_put(h, " (");
        ruru_html_probability(h, ruru_html_get(row, "probability"));
        ruru_html_put(h, ")</td><td>");
        ruru_html_str(h, ruru_html_get(row, "confidence"), "\xe2\x80\x94");
        ruru_html_put(h, "</td><td>");
        ruru_html_str(h, ruru_html_get(row, "why"), "");
        ruru_html_put(h, "</td></tr>\n");
    }
    ruru_html_put(h, "</tbody></table>\n");
}

/* What a sighting is a sighting of: a rule (Sigma, or a correlation of rules), a STIX pattern
 * of several observations, or an indicator and the value observed. */
static void put_matched(struct ruru_html *h, const json_t *s)
{
    const json_t *r = ruru_html_get(s, "ruru"), *rule = ruru_html_get(r, "rule"),
                 *ind = ruru_html_get(r, "indicator");

    if (json_is_object(rule)) {
        ruru_html_put(h,
                      json_is_object(ruru_html_get(r, "correlation")) ? "correlation: " : "rule: ");
        ruru_html_str(h, ruru_html_get(rule, "title"), "");
        if (json_is_string(ruru_html_get(rule, "level"))) {
            ruru_html_put(h, " (");
            ruru_html_str(h, ruru_html_get(rule, "level"), "");
            ruru_html_put(h, ")");
        }
        return;
    }
    ruru_html_str(h, ruru_html_get(ind, "type"), "indicator");
    ruru_html_put(h, ": <code>");
    ruru_html_str(h, ruru_html_get(ind, "value"), "");
    ruru_html_put(h, "</code>");
    if (json_is_string(ruru_html_get(r, "observed")) &&
        !json_equal(ruru_html_mut(ruru_html_get(r, "observed")),
                    ruru_html_mut(ruru_html_get(ind, "value")))) {
        ruru_html_put(h, "<br>observed <code>");
        ruru_html_str(h, ruru_html_get(r, "observed"), "");
        ruru_html_put(h, "</code>");
    }
    if (json_is_object(ruru_html_get(r, "field"))) {
        ruru_html_put(h, "<br>in ");
        ruru_html_str(h, ruru_html_get2(r, "field", "native"), "");
        if (json_is_string(ruru_html_get2(r, "field", "canonical"))) {
            ruru_html_put(h, " (");
            ruru_html_str(h, ruru_html_get2(r, "field", "canonical"), "");
            ruru_html_put(h, ")");
        }
    }
    if (json_is_array(ruru_html_get(r, "warninglists")))
        ruru_html_put(h, "<br><em>on a warninglist: no attribution weight</em>");
}

static void put_place(struct ruru_html *h, const json_t *s)
{
    ruru_html_put(h, "<code>");
    ruru_html_str(h, ruru_html_get2(ruru_html_get(s, "log"), "file", "path"), "");
    ruru_html_put(h, "</code>:");
    ruru_html_str(h, ruru_html_get2(s, "ruru", "line"), "?");
}

/* The sightings in the register's order (oldest first): when, where, on which asset, what. */
/* Whether `ruru verify` holds for the record a sighting (or a member) cites, as any sighting of
 * that record says. */
static const char *record_verdict(struct ruru_html_page *pg, const json_t *s, enum ruru_err *err)
{
    const struct ruru_html_rec *rec = ruru_html_recs_find(
            &pg->recs, ruru_html_get2(ruru_html_get(s, "log"), "file", "path"),
            ruru_html_get2(s, "log", "offset"), ruru_html_get2(s, "ruru", "sha256"), err);
    return rec != NULL ? rec->verified : NULL;
}

static enum ruru_err incident_timeline(struct ruru_html_page *pg, const json_t *inc)
{
    struct ruru_html *h = pg->h;
    enum ruru_err err = RURU_OK;
    const json_t *sightings = ruru_html_get(inc, "sightings"), *s, *m;
    size_t i, k;

    ruru_html_put(h, "<h3>Timeline</h3>\n");
    if (json_array_size(sightings) == 0) {
        ruru_html_put(h, "<p>The model holds none of its sightings.</p>\n");
        return RURU_OK;
    }
    ruru_html_put(
            h, "<table><thead><tr><th>Time</th><th>Record (input:line)</th><th>Asset</th><th>What "
               "matched</th><th>TLP</th><th><code>ruru verify</code></th></tr></thead><tbody>\n");
    json_array_foreach(sightings, i, s)
    {
        const json_t *members = ruru_html_get2(s, "ruru", "members");

        ruru_html_put(h, "<tr><td class=\"t\">");
        ruru_html_str(h, ruru_html_get(s, "@timestamp"), "undated");
        ruru_html_put(h, "</td><td>");
        if (json_array_size(members) == 0)
            put_place(h, s);
        json_array_foreach(members, k, m)
        {
            ruru_html_put(h, k > 0 ? "<br>" : "");
            put_place(h, m);
        }
        ruru_html_put(h, "</td><td>");
        if (json_array_size(members) == 0)
            ruru_html_str(h, ruru_html_get2(s, "ruru", "asset"), "\xe2\x80\x94");
        else
            ruru_html_str(h, ruru_html_get2(json_array_get(members, 0), "ruru", "asset"),
                          "\xe2\x80\x94");
        ruru_html_put(h, "</td><td>");
        put_matched(h, s);
        ruru_html_put(h, "</td><td>");
        ruru_html_badge(h, ruru_html_tlp_of(s));
        ruru_html_put(h, "</td><td>");
        if (json_array_size(members) == 0)
            ruru_html_verdict(h, record_verdict(pg, s, &err));
        json_array_foreach(members, k, m)
        {
            ruru_html_put(h, k > 0 ? "<br>" : "");
            ruru_html_verdict(h, record_verdict(pg, m, &err));
        }
        ruru_html_put(h, "</td></tr>\n");
    }
    ruru_html_put(h, "</tbody></table>\n");
    return err;
}

struct asset_row {
    const json_t *name;
    size_t sightings;
};

static int asset_row_cmp(const void *a, const void *b)
{
    const struct asset_row *x = a, *y = b;
    size_t xl = json_string_length(x->name), yl = json_string_length(y->name);
    int c = memcmp(json_string_value(x->name), json_string_value(y->name), xl < yl ? xl : yl);

    return c != 0 ? c : (xl > yl) - (xl < yl);
}

static enum ruru_err count_asset(struct ruru_map *by_name, struct ruru_vec *rows, const json_t *a)
{
    struct asset_row fresh = {a, 0};
    enum ruru_err err;
    int64_t at;

    if (!json_is_string(a))
        return RURU_OK;
    if (!ruru_map_get(by_name, json_string_value(a), json_string_length(a), &at)) {
        err = ruru_vec_push(rows, &fresh);
        if (err == RURU_OK)
            err = ruru_map_put(by_name, json_string_value(a), json_string_length(a),
                               (int64_t)rows->n - 1);
        if (err != RURU_OK)
            return err;
        at = (int64_t)rows->n - 1;
    }
    ((struct asset_row *)ruru_vec_at(rows, (size_t)at))->sightings++;
    return RURU_OK;
}

/* The assets the sightings name (a record's host, or its internal address), most named first
 * after the incident's own. */
static enum ruru_err incident_assets(struct ruru_html *h, const json_t *inc)
{
    const json_t *s, *m;
    struct ruru_map by_name;
    struct ruru_vec rows;
    size_t i, k;
    enum ruru_err err = RURU_OK;

    ruru_map_init(&by_name);
    ruru_vec_init(&rows, sizeof(struct asset_row), SIZE_MAX / sizeof(struct asset_row));
    json_array_foreach(ruru_html_get(inc, "sightings"), i, s)
    {
        if (err == RURU_OK)
            err = count_asset(&by_name, &rows, ruru_html_get2(s, "ruru", "asset"));
        json_array_foreach(ruru_html_get2(s, "ruru", "members"), k, m)
        {
            if (err == RURU_OK)
                err = count_asset(&by_name, &rows, ruru_html_get2(m, "ruru", "asset"));
        }
    }
    if (err != RURU_OK)
        goto out;
    if (rows.n > 1)
        qsort(rows.items, rows.n, sizeof(struct asset_row), asset_row_cmp);
    ruru_html_put(h, "<h3>Assets</h3>\n<p>The incident is on <b>");
    ruru_html_str(h, ruru_html_get(inc, "asset"), "an unnamed asset");
    ruru_html_put(h, "</b>.");
    if (rows.n > 0) {
        ruru_html_put(h, " Its records name:</p>\n<ul>\n");
        for (i = 0; i < rows.n; i++) {
            const struct asset_row *row = ruru_vec_at(&rows, i);
            ruru_html_put(h, "<li>");
            ruru_html_str(h, row->name, "");
            ruru_html_putf(h, ": %zu record%s</li>\n", row->sightings,
                           row->sightings == 1 ? "" : "s");
        }
        ruru_html_put(h, "</ul>\n");
    } else {
        ruru_html_put(h, " Its records name no host and no internal address.</p>\n");
    }
out:
    ruru_vec_fini(&rows);
    ruru_map_fini(&by_name);
    return err;
}

static void put_actors(struct ruru_html *h, const json_t *ev)
{
    const json_t *states = ruru_html_get(ev, "actor_states"), *a;
    size_t i;

    if (json_array_size(states) == 0 && json_array_size(ruru_html_get(ev, "actors")) == 0) {
        ruru_html_put(h, "none");
        return;
    }
    json_array_foreach(states, i, a)
    {
        ruru_html_put(h, i > 0 ? "; " : "");
        ruru_html_str(h, ruru_html_get(a, "name"), "");
        if (json_is_string(ruru_html_get(a, "state"))) {
            ruru_html_put(h, " (sponsored by ");
            ruru_html_str(h, ruru_html_get(a, "state"), "");
            ruru_html_put(h, ")");
        }
    }
    if (json_array_size(states) > 0)
        return;
    json_array_foreach(ruru_html_get(ev, "actors"), i, a)
    {
        ruru_html_put(h, i > 0 ? "; " : "");
        ruru_html_str(h, a, "");
    }
}

/* One cited record: where its bytes are, their SHA-256, whether `ruru verify` holds for them,
 * and the record as text (escaped: log lines are written by attackers). */
static enum ruru_err put_cite(struct ruru_html_page *pg, const json_t *cite)
{
    struct ruru_html *h = pg->h;
    enum ruru_err err = RURU_OK;
    const struct ruru_html_rec *rec =
            ruru_html_recs_find(&pg->recs, ruru_html_get(cite, "path"),
                                ruru_html_get(cite, "offset"), ruru_html_get(cite, "sha256"), &err);

    ruru_html_put(h, "<div class=\"cite\"><p>Record <code>");
    ruru_html_str(h, ruru_html_get(cite, "path"), "");
    ruru_html_put(h, "</code>, line ");
    ruru_html_str(h, ruru_html_get(cite, "line"), "?");
    ruru_html_put(h, " (");
    ruru_html_str(h, ruru_html_get(cite, "length"), "?");
    ruru_html_put(h, " bytes at offset ");
    ruru_html_str(h, ruru_html_get(cite, "offset"), "?");
    ruru_html_put(h, ")<br>SHA-256 <code>");
    ruru_html_str(h, ruru_html_get(cite, "sha256"), "");
    ruru_html_put(h, "</code><br><code>ruru verify</code>: ");
    ruru_html_verdict(h, rec != NULL ? rec->verified : NULL);
    ruru_html_put(h, "</p>\n");
    if (rec != NULL && rec->original != NULL) {
        ruru_html_put(h, "<pre class=\"record\">");
        ruru_html_str(h, rec->original, "");
        ruru_html_put(h, "</pre>\n");
    } else {
        ruru_html_put(
                h, "<p class=\"note\">The model holds no text of this record; its bytes are cited "
                   "above.</p>\n");
    }
    ruru_html_put(h, "</div>\n");
    return err;
}

static enum ruru_err incident_evidence(struct ruru_html_page *pg, const json_t *inc, size_t idx)
{
    struct ruru_html *h = pg->h;
    const json_t *ev, *cite;
    size_t i, k;
    enum ruru_err err = RURU_OK;

    ruru_html_put(h, "<h3>Evidence</h3>\n");
    if (json_array_size(ruru_html_get(inc, "evidence")) == 0)
        ruru_html_put(h, "<p>No evidence of this incident is held.</p>\n");
    json_array_foreach(ruru_html_get(inc, "evidence"), i, ev)
    {
        json_int_t n = ruru_html_iget(ev, "sightings", 0);

        ruru_html_putf(h, "<div class=\"evidence\" id=\"incident-%zu-e%zu\"><h4>E%zu. ", idx + 1,
                       i + 1, i + 1);
        ruru_html_str(h, ruru_html_get(ev, "kind"), "evidence");
        ruru_html_put(h, ": <code>");
        ruru_html_str(h, ruru_html_get(ev, "value"), "");
        ruru_html_put(h, "</code></h4>\n<p class=\"evfacts\">Intel source: ");
        ruru_html_str(h, ruru_html_get(ev, "source"), "ruru\xe2\x80\x99s rules");
        ruru_html_put(h, " \xc2\xb7 actors: ");
        put_actors(h, ev);
        ruru_html_put(h, " \xc2\xb7 confidence: ");
        ruru_html_str(h, ruru_html_get(ev, "confidence"), "not stated");
        ruru_html_put(h, " \xc2\xb7 severity: ");
        ruru_html_str(h, ruru_html_get(ev, "severity"), "\xe2\x80\x94");
        ruru_html_putf(h, "<br>%" JSON_INTEGER_FORMAT " sighting%s, ", n, n == 1 ? "" : "s");
        ruru_html_str(h, ruru_html_get(ev, "first"), "undated");
        ruru_html_put(h, " to ");
        ruru_html_str(h, ruru_html_get(ev, "last"), "undated");
        ruru_html_put(h,
                      json_is_true(ruru_html_get(ev, "warninglisted"))
                              ? " \xc2\xb7 <b>on a warninglist</b>: a shared or benign value, no "
                                "attribution weight"
                              : " \xc2\xb7 on no warninglist");
        ruru_html_put(h, "<br>key <code>");
        ruru_html_str(h, ruru_html_get(ev, "key"), "");
        ruru_html_put(h, "</code></p>\n");
        json_array_foreach(ruru_html_get(ev, "cites"), k, cite)
        {
            if (err == RURU_OK)
                err = put_cite(pg, cite);
        }
        ruru_html_put(h, "</div>\n");
    }
    return err;
}

enum ruru_err ruru_html_incident(struct ruru_html_page *pg, const json_t *inc, size_t i, size_t n)
{
    struct ruru_html *h = pg->h;
    enum ruru_err err;

    ruru_html_putf(h, "<section class=\"incident\" id=\"incident-%zu\">\n<h2>", i + 1);
    ruru_html_badge(h, ruru_html_incident_tlp(inc));
    ruru_html_putf(h, " Incident %zu of %zu</h2>\n", i + 1, n);
    err = ruru_html_incident_body(pg, inc, i);
    ruru_html_put(h, "</section>\n");
    return err;
}

enum ruru_err ruru_html_incident_body(struct ruru_html_page *pg, const json_t *inc, size_t i)
{
    enum ruru_err err = incident_facts(pg->h, inc);

    incident_judgement(pg->h, inc);
    incident_hypotheses(pg->h, inc, i);
    incident_history(pg->h, inc);
    if (err == RURU_OK)
        err = incident_timeline(pg, inc);
    if (err == RURU_OK)
        err = incident_assets(pg->h, inc);
    if (err == RURU_OK)
        err = incident_evidence(pg, inc, i);
    return err;
}
