/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The console's pages of what the CERT knows beyond its incidents (console.h): the national
 * statistic (serious incidents, the share carrying state-sponsored actors' indicators, per
 * month and per sponsoring state, each as a chart and a table), the actors with their
 * aliases, sponsors and techniques, and the intel search. They read the documents of
 * `ruru stats`, `ruru actors` and `ruru intel search` (docs/json.md) and nothing else;
 * everything from intel is escaped, and the only links are to ruru's own pages.
 */
#include <string.h>

#include "base/alloc.h"
#include "serve/console_int.h"

/* A count from a document: a non-negative integer, at most a billion (a figure past that is
 * no register's, and the chart's sums stay far from overflow), else 0. */
static size_t count_of(const json_t *o, const char *key)
{
    json_int_t v = ruru_html_iget(o, key, 0);

    return v < 0 ? 0 : v > 1000000000 ? 1000000000 : (size_t)v;
}

/* A chart of the document's rows: a column per row (its "key"), the stacks `keys` gives. */
static enum ruru_err rows_chart(struct ruru_html *h,
                                const json_t *rows,
                                const char *title,
                                const char *col_head,
                                const struct ruru_html_label *stacks,
                                size_t n_stacks,
                                const char *const *keys)
{
    size_t n = json_array_size(rows), i;
    struct ruru_html_label *cols;
    size_t *counts;
    const json_t *row;

    if (n == 0)
        return RURU_OK;
    cols = ruru_calloc(n, sizeof(*cols));
    counts = ruru_calloc(n * n_stacks, sizeof(*counts));
    if (cols == NULL || counts == NULL) {
        ruru_free(cols);
        ruru_free(counts);
        return RURU_ENOMEM;
    }
    json_array_foreach(rows, i, row)
    {
        const json_t *key = ruru_html_get(row, "key");
        cols[i].text = json_is_string(key) ? json_string_value(key) : "?";
        cols[i].len = json_is_string(key) ? json_string_length(key) : 1;
        for (size_t s = 0; s < n_stacks; s++)
            counts[i * n_stacks + s] = count_of(row, keys[s]);
        if (n_stacks == 2) /* serious = with + without state-sponsored actors' indicators */
            counts[i * 2 + 1] =
                    counts[i * 2 + 1] > counts[i * 2] ? counts[i * 2 + 1] - counts[i * 2] : 0;
    }
    {
        struct ruru_html_bars b = {
                .title = title,
                .axis = "serious incidents",
                .col_head = col_head,
                .total_head = "Serious incidents",
                .cols = cols,
                .stacks = stacks,
                .n_cols = n,
                .n_stacks = n_stacks,
                .counts = counts,
                .always_label = SIZE_MAX,
        };
        ruru_html_bars(h, &b);
    }
    ruru_free(cols);
    ruru_free(counts);
    return RURU_OK;
}

char *ruru_console_stats(const struct ruru_console_ctx *c,
                         const json_t *by_month,
                         const json_t *by_sponsor)
{
    static const char WITH[] = "with state-sponsored actors\xe2\x80\x99 indicators";
    static const char OTHER[] = "other serious incidents";
    static const char CARRY[] = "serious incidents with its actors\xe2\x80\x99 indicators";
    struct ruru_html_label ms[2] = {{WITH, sizeof(WITH) - 1, NULL},
                                    {OTHER, sizeof(OTHER) - 1, RURU_HTML_LIGHT_GREY}};
    struct ruru_html_label sponsor_stack = {CARRY, sizeof(CARRY) - 1, NULL};
    const char *const month_keys[2] = {"state_sponsored", "serious"};
    const char *const sponsor_keys[1] = {"serious_with"};
    const json_t *st = by_month, *row;
    struct ruru_console_page p;
    struct ruru_html *h = &p.h;
    enum ruru_err err;
    size_t i;

    ms[0].colour = ruru_html_state_colour(0);
    sponsor_stack.colour = ruru_html_state_colour(1);
    ruru_console_open(&p, c, "National statistic", "stats");
    ruru_html_put(h, "<h1>National statistic</h1>\n");
    ruru_html_figures(h, st);
    ruru_html_put(h, "<p class=\"statistic\">");
    if (count_of(st, "serious") > 0 && json_is_number(ruru_html_get(st, "share"))) {
        ruru_html_share(h, ruru_html_get(st, "share"));
        ruru_html_putf(h,
                       " of serious incidents (%zu of %zu) carry indicators linked to "
                       "state-sponsored actors.</p>\n",
                       count_of(st, "state_sponsored"), count_of(st, "serious"));
    } else {
        ruru_html_put(h, "No serious incident: there is no share to give.</p>\n");
    }
    ruru_html_put(h, "<h2>Serious incidents per month</h2>\n");
    if (json_array_size(ruru_html_get(by_month, "rows")) == 0)
        ruru_html_put(h, "<p>No serious incident in any month.</p>\n");
    err = rows_chart(h, ruru_html_get(by_month, "rows"),
                     "Serious incidents per month, with and without state-sponsored actors' "
                     "indicators",
                     "Month", ms, 2, month_keys);
    ruru_html_put(h, "<h2>Serious incidents by sponsoring state</h2>\n");
    if (json_array_size(ruru_html_get(by_sponsor, "rows")) == 0)
        ruru_html_put(
                h, "<p>No serious incident carries indicators of a state-sponsored actor.</p>\n");
    if (err == RURU_OK)
        err = rows_chart(h, ruru_html_get(by_sponsor, "rows"),
                         "Serious incidents carrying each sponsoring state's actors' indicators",
                         "Sponsoring state", &sponsor_stack, 1, sponsor_keys);
    if (json_array_size(ruru_html_get(by_sponsor, "rows")) > 0) {
        ruru_html_put(h, "<table><thead><tr><th>Sponsoring state</th><th class=\"n\">Share of "
                         "serious incidents</th></tr></thead><tbody>\n");
        json_array_foreach(ruru_html_get(by_sponsor, "rows"), i, row)
        {
            ruru_html_put(h, "<tr><td>");
            ruru_html_str(h, ruru_html_get(row, "key"), "\xe2\x80\x94");
            ruru_html_put(h, "</td><td class=\"n\">");
            ruru_html_share(h, ruru_html_get(row, "share"));
            ruru_html_put(h, "</td></tr>\n");
        }
        ruru_html_put(h, "</tbody></table>\n");
    }
    if (err != RURU_OK && h->err == RURU_OK)
        h->err = err;
    return ruru_console_close(&p, -1);
}

/* ---- actors ------------------------------------------------------------------------------- */

/* The strings of an array, or of the "name" of its objects, separated by commas. */
static void names(struct ruru_html *h, const json_t *a, const char *none)
{
    const json_t *v;
    size_t i;

    if (json_array_size(a) == 0) {
        ruru_html_put(h, none);
        return;
    }
    json_array_foreach(a, i, v)
    {
        ruru_html_put(h, i > 0 ? ", " : "");
        ruru_html_str(h, json_is_object(v) ? ruru_html_get(v, "name") : v, "?");
    }
}

/* "China (CN)", with what the registry says of it. */
static void sponsor(struct ruru_html *h, const json_t *a)
{
    const json_t *sp = ruru_html_get(a, "sponsor"), *cc = ruru_html_get(a, "country");

    if (!json_is_string(sp) && !json_is_string(cc)) {
        ruru_html_put(h, "none known");
        return;
    }
    ruru_html_str(h, sp, "no sponsor named");
    if (json_is_string(cc)) {
        ruru_html_put(h, " (");
        ruru_html_str(h, cc, "");
        ruru_html_put(h, ")");
    }
    if (json_is_true(ruru_html_get(a, "assessed")) ||
        json_is_true(ruru_html_get(a, "sponsor_assessed")))
        ruru_html_put(h, ", the CERT\xe2\x80\x99s assessment");
    if (json_is_true(ruru_html_get(a, "sponsor_disputed")))
        ruru_html_put(h, ", <b>disputed</b>: its sources name different states");
}

char *ruru_console_actors(const struct ruru_console_ctx *c, const json_t *actors)
{
    struct ruru_console_page p;
    struct ruru_html *h = &p.h;
    const json_t *list = ruru_html_get(actors, "actors"), *a;
    size_t i;

    ruru_console_open(&p, c, "Actors", "actors");
    ruru_html_put(h, "<h1>Actors</h1>\n");
    if (json_array_size(list) == 0) {
        ruru_html_put(h, "<p>The intel names no actor.</p>\n");
    } else {
        ruru_html_put(h, "<table><thead><tr><th>Actor</th><th>Aliases</th><th>Sponsor</th>"
                         "<th>Sources</th><th class=\"n\">Indicators</th></tr></thead><tbody>\n");
        json_array_foreach(list, i, a)
        {
            ruru_html_put(h, "<tr><td>");
            ruru_console_actor_link(h, ruru_html_get(a, "name"));
            ruru_html_put(h, "</td><td>");
            names(h, ruru_html_get(a, "aliases"), "\xe2\x80\x94");
            ruru_html_put(h, "</td><td>");
            sponsor(h, a);
            ruru_html_put(h, "</td><td>");
            names(h, ruru_html_get(a, "sources"), "\xe2\x80\x94");
            ruru_html_put(h, "</td><td class=\"n\">");
            ruru_html_str(h, ruru_html_get(a, "indicators"), "\xe2\x80\x94");
            ruru_html_put(h, "</td></tr>\n");
        }
        ruru_html_put(h, "</tbody></table>\n");
    }
    if (json_array_size(ruru_html_get(actors, "conflicts")) > 0) {
        ruru_html_put(h, "<h2>Names several actors claim</h2>\n<ul>\n");
        json_array_foreach(ruru_html_get(actors, "conflicts"), i, a)
        {
            const json_t *who;
            size_t k;
            ruru_html_put(h, "<li>");
            ruru_html_str(h, ruru_html_get(a, "name"), "?");
            ruru_html_put(h, ": ");
            json_array_foreach(ruru_html_get(a, "actors"), k, who)
            {
                ruru_html_put(h, k > 0 ? ", " : "");
                ruru_console_actor_link(h, who);
            }
            ruru_html_put(h, "</li>\n");
        }
        ruru_html_put(h, "</ul>\n");
    }
    return ruru_console_close(&p, -1);
}

/* Where a claim or an alias comes from: "misp (misp-galaxy:threat-actor: APT40)". */
static void origin(struct ruru_html *h, const json_t *o)
{
    ruru_html_str(h, ruru_html_get(o, "source"), "?");
    ruru_html_put(h, " (");
    ruru_html_str(h, ruru_html_get(o, "via"), "?");
    if (json_is_string(ruru_html_get(o, "entity"))) {
        ruru_html_put(h, ": ");
        ruru_html_str(h, ruru_html_get(o, "entity"), "");
    }
    ruru_html_put(h, ")");
}

static void actor_aliases(struct ruru_html *h, const json_t *a)
{
    const json_t *al, *src;
    size_t i, k;

    ruru_html_put(h, "<h3>Aliases</h3>\n");
    if (json_array_size(ruru_html_get(a, "aliases")) == 0) {
        ruru_html_put(h, "<p>None.</p>\n");
        return;
    }
    ruru_html_put(h, "<table><thead><tr><th>Alias</th><th>Named by</th></tr></thead><tbody>\n");
    json_array_foreach(ruru_html_get(a, "aliases"), i, al)
    {
        ruru_html_put(h, "<tr><td>");
        ruru_html_str(h, json_is_object(al) ? ruru_html_get(al, "name") : al, "?");
        if (json_is_string(ruru_html_get(al, "resolves_to"))) {
            ruru_html_put(h, " (names ");
            ruru_console_actor_link(h, ruru_html_get(al, "resolves_to"));
            ruru_html_put(h, ")");
        }
        ruru_html_put(h, "</td><td>");
        json_array_foreach(ruru_html_get(al, "sources"), k, src)
        {
            ruru_html_put(h, k > 0 ? "<br>" : "");
            origin(h, src);
        }
        ruru_html_put(h, "</td></tr>\n");
    }
    ruru_html_put(h, "</tbody></table>\n");
}

static void actor_techniques(struct ruru_html *h, const json_t *a)
{
    const json_t *t;
    size_t i;

    ruru_html_put(h, "<h3>Techniques (ATT&amp;CK)</h3>\n");
    if (json_array_size(ruru_html_get(a, "techniques")) == 0) {
        ruru_html_put(h, "<p>The intel names none.</p>\n");
        return;
    }
    ruru_html_put(h, "<table><thead><tr><th>Technique</th><th>Name</th><th>Used by</th></tr>"
                     "</thead><tbody>\n");
    json_array_foreach(ruru_html_get(a, "techniques"), i, t)
    {
        ruru_html_put(h, "<tr><td><code>");
        ruru_html_str(h, json_is_object(t) ? ruru_html_get(t, "id") : t, "?");
        ruru_html_put(h, "</code></td><td>");
        ruru_html_str(h, ruru_html_get(t, "name"), "\xe2\x80\x94");
        ruru_html_put(h, "</td><td>");
        ruru_html_str(h, ruru_html_get(t, "via"), "\xe2\x80\x94");
        ruru_html_put(h, "</td></tr>\n");
    }
    ruru_html_put(h, "</tbody></table>\n");
}

static void actor_more(struct ruru_html *h, const json_t *a)
{
    const json_t *ind = ruru_html_get(a, "indicators"), *v, *m;
    const char *key;
    size_t i;

    ruru_html_put(h, "<h3>Indicators</h3>\n<p>");
    ruru_html_str(h, ruru_html_get(ind, "total"), "no count of");
    ruru_html_put(h, " indicators tied to this actor");
    if (json_object_size(ruru_html_get(ind, "by_type")) > 0) {
        bool first = true;
        ruru_html_put(h, ": ");
        json_object_foreach(ruru_html_mut(ruru_html_get(ind, "by_type")), key, v)
        {
            ruru_html_put(h, first ? "" : ", ");
            ruru_html_esc(h, key, strlen(key));
            ruru_html_put(h, " ");
            ruru_html_str(h, v, "?");
            first = false;
        }
    }
    ruru_html_put(h, ".");
    if (ruru_html_iget(ind, "through_ambiguous_names", 0) > 0) {
        ruru_html_put(h, " ");
        ruru_html_str(h, ruru_html_get(ind, "through_ambiguous_names"), "");
        ruru_html_put(h, " more through names other actors share.");
    }
    ruru_html_put(h, "</p>\n");
    if (json_array_size(ruru_html_get(a, "sponsor_claims")) > 0) {
        ruru_html_put(h, "<h3>Who says who sponsors it</h3>\n<ul>\n");
        json_array_foreach(ruru_html_get(a, "sponsor_claims"), i, m)
        {
            ruru_html_put(h, "<li>");
            origin(h, m);
            ruru_html_put(h, ": ");
            sponsor(h, m);
            ruru_html_put(h, "</li>\n");
        }
        ruru_html_put(h, "</ul>\n");
    }
    if (json_array_size(ruru_html_get(a, "members")) > 0) {
        ruru_html_put(h, "<h3>Merged from</h3>\n<ul>\n");
        json_array_foreach(ruru_html_get(a, "members"), i, m)
        {
            ruru_html_put(h, "<li>");
            ruru_html_str(h, ruru_html_get(m, "name"), "?");
            ruru_html_put(h, " \xe2\x80\x94 ");
            origin(h, m);
            ruru_html_put(h, "</li>\n");
        }
        ruru_html_put(h, "</ul>\n");
    }
    if (json_array_size(ruru_html_get(a, "related")) > 0) {
        ruru_html_put(h, "<h3>Related actors, not merged</h3>\n<ul>\n");
        json_array_foreach(ruru_html_get(a, "related"), i, m)
        {
            ruru_html_put(h, "<li>");
            ruru_console_actor_link(h, ruru_html_get(m, "actor"));
            ruru_html_put(h, ": ");
            ruru_html_str(h, ruru_html_get(m, "relation"), "?");
            if (json_is_string(ruru_html_get(m, "why"))) {
                ruru_html_put(h, " \xe2\x80\x94 ");
                ruru_html_str(h, ruru_html_get(m, "why"), "");
            }
            ruru_html_put(h, "</li>\n");
        }
        ruru_html_put(h, "</ul>\n");
    }
}

char *ruru_console_actor(const struct ruru_console_ctx *c, const json_t *actor)
{
    struct ruru_console_page p;
    struct ruru_html *h = &p.h;
    const json_t *list = ruru_html_get(actor, "actors"), *a;
    size_t i;

    ruru_console_open(&p, c, "Actor", "actors");
    ruru_html_put(h, "<p><a href=\"/console/actors\">All actors</a></p>\n");
    if (json_array_size(list) == 0) {
        ruru_html_put(h, "<h1>No actor named \xe2\x80\x9c");
        ruru_html_str(h, ruru_html_get(actor, "query"), "");
        ruru_html_put(h, "\xe2\x80\x9d</h1>\n");
        return ruru_console_close(&p, -1);
    }
    if (json_is_true(ruru_html_get(actor, "ambiguous"))) {
        ruru_html_put(h, "<p class=\"message\">Several actors claim the name \xe2\x80\x9c");
        ruru_html_str(h, ruru_html_get(actor, "query"), "");
        ruru_html_put(h, "\xe2\x80\x9d: each is shown.</p>\n");
    }
    json_array_foreach(list, i, a)
    {
        ruru_html_put(h, i == 0 ? "<h1>" : "<h2>");
        ruru_html_str(h, ruru_html_get(a, "name"), "?");
        ruru_html_put(h, i == 0 ? "</h1>\n" : "</h2>\n");
        ruru_html_put(h, "<p>Sponsor: ");
        sponsor(h, a);
        ruru_html_put(h, ".</p>\n");
        actor_aliases(h, a);
        actor_techniques(h, a);
        actor_more(h, a);
    }
    return ruru_console_close(&p, -1);
}

/* ---- intel search ------------------------------------------------------------------------- */

static void search_form(struct ruru_html *h, const char *q)
{
    ruru_html_put(h, "<form class=\"filters\" method=\"get\" action=\"/console/search\"><label>"
                     "An address, domain, URL, hash, e-mail or other value<input type=\"search\" "
                     "name=\"q\" value=\"");
    ruru_console_attr(h, q);
    ruru_html_put(h, "\" required></label><button type=\"submit\">Search</button></form>\n");
}

/* One record of intel that matched: what, why, from where, how sure, whether in force. */
static void match_row(struct ruru_html *h, const json_t *m)
{
    const json_t *a;
    size_t i;

    ruru_html_put(h, "<tr><td>");
    ruru_html_str(h, ruru_html_get(m, "type"), "?");
    ruru_html_put(h, ": <code>");
    ruru_html_str(h, ruru_html_get(m, "value"), "");
    ruru_html_put(h, "</code><br>matched on ");
    ruru_html_str(h, ruru_html_get(m, "matched_on"), "?");
    if (json_is_string(ruru_html_get(m, "description"))) {
        ruru_html_put(h, "<br>");
        ruru_html_str(h, ruru_html_get(m, "description"), "");
    }
    ruru_html_put(h, "</td><td><code>");
    ruru_html_str(h, ruru_html_get(m, "file"), "");
    ruru_html_put(h, "</code>");
    if (json_is_integer(ruru_html_get(m, "line"))) {
        ruru_html_put(h, ":");
        ruru_html_str(h, ruru_html_get(m, "line"), "");
    }
    ruru_html_put(h, "<br>");
    ruru_html_str(h, ruru_html_get(m, "source"), "?");
    if (json_is_string(ruru_html_get(m, "created_by"))) {
        ruru_html_put(h, ", by ");
        ruru_html_str(h, ruru_html_get(m, "created_by"), "");
    }
    ruru_html_put(h, "</td><td>");
    json_array_foreach(ruru_html_get(m, "actors"), i, a)
    {
        ruru_html_put(h, i > 0 ? "<br>" : "");
        ruru_console_actor_link(h, ruru_html_get(a, "name"));
        if (json_is_string(ruru_html_get(a, "sponsor"))) {
            ruru_html_put(h, " (");
            ruru_html_str(h, ruru_html_get(a, "sponsor"), "");
            ruru_html_put(h, ")");
        }
        if (json_is_true(ruru_html_get(a, "ambiguous")))
            ruru_html_put(h, " (a name several actors claim)");
    }
    if (json_array_size(ruru_html_get(m, "actors")) == 0)
        ruru_html_put(h, "none");
    if (json_array_size(ruru_html_get(m, "techniques")) > 0) {
        ruru_html_put(h, "<br>techniques: ");
        names(h, ruru_html_get(m, "techniques"), "");
    }
    ruru_html_put(h, "</td><td class=\"n\">");
    ruru_html_str(h, ruru_html_get(m, "confidence"), "\xe2\x80\x94");
    ruru_html_put(h, "</td><td>");
    ruru_html_str(h, ruru_html_get(m, "valid_from"), "\xe2\x80\x94");
    ruru_html_put(h, " to ");
    ruru_html_str(h, ruru_html_get(m, "valid_until"), "\xe2\x80\x94");
    ruru_html_put(h, "<br>");
    if (json_is_true(ruru_html_get(m, "active"))) {
        ruru_html_put(h, "in force");
    } else {
        ruru_html_put(h, "<b>not in force</b>: ");
        ruru_html_str(h, ruru_html_get(m, "inactive_reason"), "\xe2\x80\x94");
    }
    ruru_html_put(h, "</td><td>");
    ruru_html_badge(h, ruru_html_tlp_of(m));
    ruru_html_put(h, "</td></tr>\n");
}

char *ruru_console_search(const struct ruru_console_ctx *c, const char *q, const json_t *result)
{
    struct ruru_console_page p;
    struct ruru_html *h = &p.h;
    const json_t *matches = ruru_html_get(result, "matches"), *m;
    int rank = -1;
    size_t i;

    ruru_console_open(&p, c, "Intel search", "search");
    ruru_html_put(h, "<h1>Intel search</h1>\n");
    search_form(h, q);
    if (q == NULL)
        return ruru_console_close(&p, -1);
    ruru_html_put(h, "<p>");
    ruru_html_esc(h, q, strlen(q));
    ruru_html_put(h, " is read as ");
    ruru_html_str(h, ruru_html_get(result, "type"), "no known type");
    if (json_is_string(ruru_html_get(result, "canonical"))) {
        ruru_html_put(h, " <code>");
        ruru_html_str(h, ruru_html_get(result, "canonical"), "");
        ruru_html_put(h, "</code>");
    }
    ruru_html_put(h, ", at ");
    ruru_html_str(h, ruru_html_get(result, "at"), "an unknown time");
    ruru_html_put(h, ".");
    if (json_is_string(ruru_html_get(result, "note"))) {
        ruru_html_put(h, " ");
        ruru_html_str(h, ruru_html_get(result, "note"), "");
    }
    ruru_html_put(h, "</p>\n");
    if (json_array_size(matches) == 0) {
        ruru_html_put(h, "<p>No intel holds it.</p>\n");
    } else {
        ruru_html_putf(h,
                       "<h2>%zu record%s of intel</h2>\n<table><thead><tr><th>Indicator</th>"
                       "<th>From</th><th>Actors</th><th class=\"n\">Confidence</th><th>Valid</th>"
                       "<th>TLP</th></tr></thead><tbody>\n",
                       json_array_size(matches), json_array_size(matches) == 1 ? "" : "s");
        json_array_foreach(matches, i, m)
        {
            int r = ruru_html_tlp_of(m);
            rank = r > rank ? r : rank;
            match_row(h, m);
        }
        ruru_html_put(h, "</tbody></table>\n");
    }
    if (json_array_size(ruru_html_get(result, "warninglists")) > 0) {
        ruru_html_put(h, "<h2>On warninglists</h2>\n<p class=\"note\">A value on a warninglist is "
                         "shared or benign: it carries no attribution weight.</p>\n<ul>\n");
        json_array_foreach(ruru_html_get(result, "warninglists"), i, m)
        {
            ruru_html_put(h, "<li>");
            ruru_html_str(h, ruru_html_get(m, "name"), "?");
            ruru_html_put(h, " (");
            ruru_html_str(h, ruru_html_get(m, "type"), "?");
            ruru_html_put(h, "): <code>");
            ruru_html_str(h, ruru_html_get(m, "entry"), "");
            ruru_html_put(h, "</code></li>\n");
        }
        ruru_html_put(h, "</ul>\n");
    }
    return ruru_console_close(&p, rank);
}
