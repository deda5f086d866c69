/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTML report (share.h): one self-contained page a duty officer can mail or print, written
 * from the export model alone (docs/internals/export-model.md, docs/internals/html.md).
 *
 * The page loads nothing and runs nothing. Its only style sheet is inline, and the
 * Content-Security-Policy of its <meta> allows that sheet by its SHA-256 and nothing else: no
 * script, no image, no font, no frame, no form, no request of any kind, even if something from
 * the data slipped past the escaping. Everything taken from the model is text written by
 * whoever attacked or reported (log lines, intel descriptions, paths, actor names), so all of
 * it goes through ruru_html_esc, and none of it is ever put in an attribute: element ids
 * and links are ruru's own ("incident-2"), the chart's labels are SVG text.
 *
 * The order is: the TLP banner; the overview (the period, the statistic of serious incidents
 * with state-sponsored actors' indicators, by sponsor and by month, the chart, the top actors,
 * the coverage of inputs and of evidence checks, an index of incidents); one section per
 * incident (facts, judgement, competing hypotheses, history, timeline, assets, evidence with
 * each cited record); the TLP banner again. Printed (A4), every page carries the report's TLP
 * at its top and bottom (CSS page-margin boxes) and each incident starts a page.
 *
 * The output depends on the model only: no clock, no locale, no address; object members are
 * read by name, sets are sorted; the same model gives the same bytes.
 */
#include <inttypes.h>
#include <math.h>
#include <nettle/base64.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/map.h"
#include "base/vec.h"
#include "intel/intel.h"
#include "share/html_int.h"
#include "share/share.h"

/* ---- output and escaping ---------------------------------------------------------------- */

void ruru_html_put(struct ruru_html *h, const char *s)
{
    if (h->err == RURU_OK)
        h->err = ruru_buf_adds(h->out, s);
}

void ruru_html_putf(struct ruru_html *h, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n;

    if (h->err != RURU_OK)
        return;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        h->err = RURU_EINVAL;
    } else if ((size_t)n < sizeof(small)) {
        h->err = ruru_buf_add(h->out, small, (size_t)n);
    } else {
        char *big = ruru_malloc((size_t)n + 1);
        if (big == NULL) {
            h->err = RURU_ENOMEM;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        h->err = ruru_buf_add(h->out, big, (size_t)n);
        ruru_free(big);
    }
}

/* The length of the UTF-8 sequence at s (n bytes left) with its code point in *cp, or 0 when
 * the bytes are no sequence: a stray continuation byte, a sequence cut short, an overlong form,
 * a surrogate, or a value past U+10FFFF (RFC 3629). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    uint32_t c = s[0], min;
    size_t len;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, c &= 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, c &= 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3fu);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* The Unicode controls that change the order in which text is shown (Trojan Source): a log line
 * holding them could show a reader other text than the bytes it cites. */
static bool is_bidi_control(uint32_t cp)
{
    return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/* The ASCII names of the C0 controls, and DEL's: how a log line's control bytes are shown. */
static const char *const C0_NAMES[33] = {
        "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS",  "HT",  "LF",
        "VT",  "FF",  "CR",  "SO",  "SI",  "DLE", "DC1", "DC2", "DC3", "DC4", "NAK",
        "SYN", "ETB", "CAN", "EM",  "SUB", "ESC", "FS",  "GS",  "RS",  "US",  "DEL"};

/* A control character made visible: in the page's body a marked token ("ESC", "U+009B"); in
 * plain text (the title, the chart) the escape "\x1B" or "\u202E". */
static void put_control(struct ruru_html *h, uint32_t cp)
{
    const char *name = cp < 0x20 ? C0_NAMES[cp] : cp == 0x7f ? C0_NAMES[32] : NULL;

    if (h->plain)
        ruru_html_putf(h, cp <= 0xff ? "\\x%02" PRIX32 : "\\u%04" PRIX32, cp);
    else if (name != NULL)
        ruru_html_putf(h, "<span class=\"ctl\">%s</span>", name);
    else
        ruru_html_putf(h, "<span class=\"ctl\">U+%04" PRIX32 "</span>", cp);
}

void ruru_html_esc(struct ruru_html *h, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0; /* bytes from `run` to `i` are copied as they are */

    while (i < len && h->err == RURU_OK) {
        unsigned char c = p[i];
        uint32_t cp = 0;
        size_t n;

        if ((c >= 0x20 && c < 0x7f && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'') ||
            c == '\t') {
            i++;
            continue;
        }
        n = utf8_decode(p + i, len - i, &cp);
        if (n > 1 && cp > 0x9f && !is_bidi_control(cp)) {
            i += n;
            continue;
        }
        if (i > run)
            h->err = ruru_buf_add(h->out, s + run, i - run);
        if (n == 0) {
            ruru_html_put(h, "\xef\xbf\xbd"); /* U+FFFD for one byte that is not UTF-8 */
            n = 1;
        } else if (c == '&') {
            ruru_html_put(h, "&amp;");
        } else if (c == '<') {
            ruru_html_put(h, "&lt;");
        } else if (c == '>') {
            ruru_html_put(h, "&gt;");
        } else if (c == '"') {
            ruru_html_put(h, "&quot;");
        } else if (c == '\'') {
            ruru_html_put(h, "&#39;");
        } else {
            put_control(h, cp);
        }
        i += n;
        run = i;
    }
    if (i > run && h->err == RURU_OK)
        h->err = ruru_buf_add(h->out, s + run, i - run);
}

void ruru_html_str(struct ruru_html *h, const json_t *v, const char *none)
{
    if (json_is_string(v))
        ruru_html_esc(h, json_string_value(v), json_string_length(v));
    else if (json_is_integer(v))
        ruru_html_putf(h, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else
        ruru_html_put(h, none);
}

/* ---- reading the model ------------------------------------------------------------------- */

/* A share (stats: of serious incidents) in whole per cent, as `ruru stats` prints it. */
void ruru_html_share(struct ruru_html *h, const json_t *v)
{
    double p = json_is_number(v) ? json_number_value(v) : -1.0;

    if (p < 0.0 || p > 1.0)
        ruru_html_put(h, "\xe2\x80\x94"); /* an em dash: no figure */
    else
        ruru_html_putf(h, "%.0f\xc2\xa0%%", p * 100.0);
}

/* A probability in whole per cent as the judgement's own words give it (attrib.c): rounded
 * down, so that 79.96 % reads 79 beside "likely" (55-80 %), and never 0 or 100, for no
 * judgement is certain. */
void ruru_html_probability(struct ruru_html *h, const json_t *v)
{
    double p = json_is_number(v) ? json_number_value(v) : -1.0, pc;

    if (p < 0.0 || p > 1.0) {
        ruru_html_put(h, "\xe2\x80\x94");
        return;
    }
    pc = floor(p * 100.0);
    ruru_html_putf(h, "%.0f\xc2\xa0%%", pc < 1.0 ? 1.0 : pc > 99.0 ? 99.0 : pc);
}

struct ruru_html_sponsor ruru_html_sponsor(const json_t *incident)
{
    struct ruru_html_sponsor s = {RURU_HTML_UNATTRIBUTED, NULL, 0};
    const json_t *actor = ruru_html_get2(incident, "judgement", "actor"), *ev, *st;
    size_t i, k;

    if (!json_is_string(actor))
        return s;
    s.kind = RURU_HTML_NOT_STATE;
    json_array_foreach(ruru_html_get(incident, "evidence"), i, ev)
    {
        json_array_foreach(ruru_html_get(ev, "actor_states"), k, st)
        {
            const json_t *state = ruru_html_get(st, "state");
            if (json_equal(ruru_html_mut(ruru_html_get(st, "name")), ruru_html_mut(actor)) &&
                json_is_string(state) && json_string_length(state) > 0) {
                s.kind = RURU_HTML_STATE;
                s.name = json_string_value(state);
                s.name_len = json_string_length(state);
                return s;
            }
        }
    }
    return s;
}

const char *ruru_html_sponsor_class(enum ruru_html_sponsor_kind kind)
{
    switch (kind) {
    case RURU_HTML_NOT_STATE:
        return "not state-sponsored";
    case RURU_HTML_UNATTRIBUTED:
        return "unattributed";
    case RURU_HTML_STATE:
        break;
    }
    return NULL;
}

void ruru_html_sponsor_put(struct ruru_html *h, struct ruru_html_sponsor s)
{
    if (s.kind == RURU_HTML_STATE)
        ruru_html_esc(h, s.name, s.name_len);
    else
        ruru_html_put(h, ruru_html_sponsor_class(s.kind));
}

/* ---- TLP --------------------------------------------------------------------------------- */

/* By rank (intel.h): the label, the CSS class, and what the level allows (FIRST TLP 2.0). */
static const struct {
    const char *name, *label, *css, *colour, *rule;
} TLP[RURU_TLP_LEVELS] = {
        {"clear", "TLP:CLEAR", "tlp-clear", "#FFFFFF", "Disclosure is not limited."},
        {"green", "TLP:GREEN", "tlp-green", "#33FF00",
         "Limited disclosure: recipients may share it within their community, not publicly."},
        {"amber", "TLP:AMBER", "tlp-amber", "#FFC000",
         "Limited disclosure: recipients may share it on a need-to-know basis within their "
         "organisation and its clients only."},
        {"amber+strict", "TLP:AMBER+STRICT", "tlp-amber-strict", "#FFC000",
         "Limited disclosure: recipients may share it on a need-to-know basis within their "
         "organisation only."},
        {"red", "TLP:RED", "tlp-red", "#FF2B2B",
         "For the eyes and ears of the individual recipients only, no further disclosure."},
};

/* The rank of a "tlp" member: -1 when absent, -2 when it is no TLP level. */
int ruru_html_tlp_of(const json_t *o)
{
    const json_t *v = ruru_html_get(o, "tlp");
    int rank;

    if (v == NULL || json_is_null(v))
        return -1;
    rank = ruru_tlp_rank(json_string_value(v));
    return rank >= 0 && strlen(json_string_value(v)) == json_string_length(v) ? rank : -2;
}

int ruru_html_incident_tlp(const json_t *inc)
{
    const json_t *s;
    int rank = ruru_html_tlp_of(inc);
    size_t i;

    json_array_foreach(ruru_html_get(inc, "sightings"), i, s)
    {
        int r = ruru_html_tlp_of(s);
        rank = r > rank ? r : rank;
    }
    return rank;
}

void ruru_html_badge(struct ruru_html *h, int rank)
{
    if (rank < 0)
        return;
    ruru_html_putf(h, "<span class=\"badge %s\">%s</span>", TLP[rank].css, TLP[rank].label);
}

/* ---- the style sheet --------------------------------------------------------------------- */

/* The sheet itself is RURU_HTML_CSS (html_int.h), which the console's sheet shares. */
static const char CSS[] = RURU_HTML_CSS;

/* The page-margin boxes: the TLP in the middle of the top and bottom of every printed page,
 * in its colour on black, and the page number. */
static void page_css(struct ruru_html *h, int rank)
{
    static const char *const box[2] = {"top-center", "bottom-center"};

    ruru_html_put(h, "@page{size:A4;margin:16mm 12mm 16mm 12mm;");
    for (int i = 0; i < 2; i++)
        ruru_html_putf(h,
                       "@%s{content:\"%s\";color:%s;background:#000;font:bold 10pt "
                       "\"DejaVu Sans\",sans-serif;padding:1mm 4mm;"
                       "-webkit-print-color-adjust:exact;print-color-adjust:exact}",
                       box[i], TLP[rank].label, TLP[rank].colour);
    ruru_html_put(h, "@bottom-right{content:counter(page) \" / \" counter(pages);font-size:8pt;"
                     "color:#333}}\n");
}

/* ---- the cited records -------------------------------------------------------------------- */

/* The key of a cite: its path (length first, so that no path can pass for another), offset and
 * digest. False when the cite lacks one of them. */
static bool cite_key(struct ruru_buf *key,
                     const json_t *path,
                     const json_t *offset,
                     const json_t *sha,
                     enum ruru_err *err)
{
    enum ruru_err e;

    if (!json_is_string(path) || !json_is_integer(offset) || !json_is_string(sha))
        return false;
    ruru_buf_reset(key);
    e = ruru_buf_addf(key, "%zu:", json_string_length(path));
    if (e == RURU_OK)
        e = ruru_buf_add(key, json_string_value(path), json_string_length(path));
    if (e == RURU_OK)
        e = ruru_buf_addf(key, ":%" JSON_INTEGER_FORMAT ":", json_integer_value(offset));
    if (e == RURU_OK)
        e = ruru_buf_add(key, json_string_value(sha), json_string_length(sha));
    /* a cite past the key's cap names no real file: it is found nowhere, not an error */
    if (e == RURU_ENOMEM)
        *err = e;
    return e == RURU_OK;
}

static const char *verdict_of(const json_t *o)
{
    const char *v = ruru_html_sget(o, "verified");

    if (v != NULL &&
        (strcmp(v, "holds") == 0 || strcmp(v, "changed") == 0 || strcmp(v, "unreadable") == 0))
        return v;
    return NULL;
}

/* Adds (or completes) the record `s` cites; `parent` is the sighting of a member. */
static enum ruru_err recs_add(struct ruru_html_recs *r, const json_t *s, const json_t *parent)
{
    enum ruru_err err = RURU_OK;
    const json_t *orig = parent == NULL ? ruru_html_get2(s, "event", "original") : NULL;
    const char *ver = verdict_of(s);
    struct ruru_html_rec *rec, fresh;
    int64_t at;

    if (ver == NULL && parent != NULL)
        ver = verdict_of(parent);
    if (!cite_key(&r->key, ruru_html_get2(ruru_html_get(s, "log"), "file", "path"),
                  ruru_html_get2(s, "log", "offset"), ruru_html_get2(s, "ruru", "sha256"), &err))
        return err;
    if (ruru_map_get(&r->by_key, r->key.ptr, r->key.len, &at)) {
        rec = ruru_vec_at(&r->items, (size_t)at);
        if (rec->original == NULL && json_is_string(orig))
            rec->original = orig;
        if (rec->verified == NULL)
            rec->verified = ver;
        return RURU_OK;
    }
    fresh.original = json_is_string(orig) ? orig : NULL;
    fresh.verified = ver;
    err = ruru_vec_push(&r->items, &fresh);
    if (err == RURU_OK) {
        err = ruru_map_put(&r->by_key, r->key.ptr, r->key.len, (int64_t)r->items.n - 1);
        if (err != RURU_OK)
            r->items.n--;
    }
    return err;
}

static enum ruru_err recs_build(struct ruru_html_recs *r, const json_t *incidents)
{
    const json_t *inc, *s, *m;
    size_t i, k, j;
    enum ruru_err err = RURU_OK;

    json_array_foreach(incidents, i, inc)
    {
        json_array_foreach(ruru_html_get(inc, "sightings"), k, s)
        {
            err = recs_add(r, s, NULL);
            json_array_foreach(ruru_html_get2(s, "ruru", "members"), j, m)
            {
                if (err == RURU_OK)
                    err = recs_add(r, m, s);
            }
            if (err != RURU_OK)
                return err;
        }
    }
    return RURU_OK;
}

enum ruru_err
ruru_html_page_init(struct ruru_html_page *pg, struct ruru_html *h, const json_t *model)
{
    memset(pg, 0, sizeof(*pg));
    pg->h = h;
    pg->model = model;
    pg->rank = -1;
    ruru_map_init(&pg->recs.by_key);
    ruru_vec_init(&pg->recs.items, sizeof(struct ruru_html_rec),
                  SIZE_MAX / sizeof(struct ruru_html_rec));
    /* a key is a path, an offset and a digest: 64 KiB bounds a hostile path */
    ruru_buf_init(&pg->recs.key, 1 << 16);
    return recs_build(&pg->recs, ruru_html_get(model, "incidents"));
}

void ruru_html_page_fini(struct ruru_html_page *pg)
{
    ruru_buf_fini(&pg->recs.key);
    ruru_vec_fini(&pg->recs.items);
    ruru_map_fini(&pg->recs.by_key);
}

const struct ruru_html_rec *ruru_html_recs_find(struct ruru_html_recs *r,
                                                const json_t *path,
                                                const json_t *offset,
                                                const json_t *sha256,
                                                enum ruru_err *err)
{
    int64_t at;

    if (!cite_key(&r->key, path, offset, sha256, err))
        return NULL;
    if (!ruru_map_get(&r->by_key, r->key.ptr, r->key.len, &at))
        return NULL;
    return ruru_vec_at(&r->items, (size_t)at);
}

void ruru_html_verdict(struct ruru_html *h, const char *v)
{
    if (v == NULL)
        ruru_html_put(h, "<span class=\"unchecked\">not checked</span>");
    else
        ruru_html_putf(h, "<span class=\"%s\">%s</span>", v, v);
}

/* ---- the overview ------------------------------------------------------------------------- */

static void overview_head(struct ruru_html_page *pg)
{
    struct ruru_html *h = pg->h;
    const json_t *m = pg->model, *w = ruru_html_get(m, "withheld");
    json_int_t ev = ruru_html_iget(w, "evidence", 0), n_s[RURU_TLP_LEVELS], n_i[RURU_TLP_LEVELS];
    int max = ruru_tlp_rank(ruru_html_sget(m, "tlp_max"));
    bool any = ev > 0;

    ruru_html_put(h, "<section id=\"overview\">\n<h1>Threat report: ");
    ruru_html_str(h, ruru_html_get2(m, "cert", "name"), "ruru");
    ruru_html_put(h, "</h1>\n<p class=\"meta\">");
    if (json_is_string(ruru_html_get2(m, "cert", "contact"))) {
        ruru_html_put(h, "Contact: ");
        ruru_html_str(h, ruru_html_get2(m, "cert", "contact"), "");
        ruru_html_put(h, ". ");
    }
    ruru_html_put(h, "Period: ");
    ruru_html_str(h, ruru_html_get(m, "since"), "from the first record");
    ruru_html_put(h, " to ");
    ruru_html_str(h, ruru_html_get(m, "until"), "the last");
    ruru_html_put(h, ". The register last changed these incidents at ");
    ruru_html_str(h, ruru_html_get(m, "updated"), "an unknown time");
    ruru_html_put(h, ".</p>\n<p class=\"meta\">This report is ");
    ruru_html_badge(h, pg->rank);
    ruru_html_put(h, ", the most restrictive TLP of what it holds");
    if (max >= 0)
        ruru_html_putf(h, "; it was written for readers cleared up to %s", TLP[max].label);
    ruru_html_put(h, ".");
    for (int r = 0; r < RURU_TLP_LEVELS; r++) {
        n_s[r] = ruru_html_iget(ruru_html_get(w, "sightings"), TLP[r].name, 0);
        n_i[r] = ruru_html_iget(ruru_html_get(w, "incidents"), TLP[r].name, 0);
        any = any || n_s[r] > 0 || n_i[r] > 0;
    }
    if (!any) {
        ruru_html_put(h, " Nothing was withheld.</p>\n");
        return;
    }
    ruru_html_put(h, " Withheld for their TLP:");
    for (int r = 0; r < RURU_TLP_LEVELS; r++)
        if (n_s[r] > 0 || n_i[r] > 0)
            ruru_html_putf(h,
                           " %" JSON_INTEGER_FORMAT " sighting%s and %" JSON_INTEGER_FORMAT
                           " whole incident%s at %s;",
                           n_s[r], n_s[r] == 1 ? "" : "s", n_i[r], n_i[r] == 1 ? "" : "s",
                           TLP[r].label);
    ruru_html_putf(h,
                   " %" JSON_INTEGER_FORMAT " evidence line%s dropped from the incidents "
                   "shown.</p>\n",
                   ev, ev == 1 ? "" : "s");
}

static void figure(struct ruru_html *h, const json_t *v, const char *what)
{
    ruru_html_put(h, "<div class=\"figure\"><b>");
    ruru_html_str(h, v, "\xe2\x80\x94");
    ruru_html_put(h, "</b>");
    ruru_html_put(h, what);
    ruru_html_put(h, "</div>");
}

void ruru_html_figures(struct ruru_html *h, const json_t *st)
{
    ruru_html_put(h, "<div class=\"figures\">");
    figure(h, ruru_html_get(st, "incidents"), "incidents");
    figure(h, ruru_html_get(st, "serious"), "serious incidents");
    figure(h, ruru_html_get(st, "state_sponsored"),
           "serious, with state-sponsored actors\xe2\x80\x99 indicators");
    ruru_html_put(h, "<div class=\"figure\"><b>");
    ruru_html_share(h, ruru_html_get(st, "share"));
    ruru_html_put(h, "</b>share of serious incidents</div></div>\n");
}

/* The statistic of the period: serious incidents, and the share of them carrying indicators
 * linked to state-sponsored actors ("about 30 % of serious incidents ..."). */
static void overview_stats(struct ruru_html_page *pg)
{
    struct ruru_html *h = pg->h;
    const json_t *st = ruru_html_get(pg->model, "stats"), *rows = ruru_html_get(st, "rows"), *row;
    json_int_t serious = ruru_html_iget(st, "serious", 0),
               ss = ruru_html_iget(st, "state_sponsored", 0);
    double share = json_is_number(ruru_html_get(st, "share"))
                           ? json_number_value(ruru_html_get(st, "share"))
                           : -1;
    size_t i;

    ruru_html_put(h, "<h2>Overview</h2>\n");
    ruru_html_figures(h, st);
    ruru_html_put(h, "<p class=\"statistic\">");
    if (serious > 0 && share >= 0.0 && share <= 1.0) {
        /* "about" unless the share is a whole percentage */
        double off = share * 100.0 - floor(share * 100.0 + 0.5);
        ruru_html_put(h, off > 1e-9 || off < -1e-9 ? "About <b>" : "<b>");
        ruru_html_share(h, ruru_html_get(st, "share"));
        ruru_html_putf(h,
                       "</b> of serious incidents (%" JSON_INTEGER_FORMAT
                       " of %" JSON_INTEGER_FORMAT
                       ") carry indicators linked to state-sponsored actors.",
                       ss, serious);
    } else {
        ruru_html_put(h, "No serious incident in this period: there is no share to give.");
    }
    ruru_html_put(h, "</p>\n<h3>Serious incidents by sponsoring state</h3>\n");
    if (json_array_size(rows) == 0) {
        ruru_html_put(
                h, "<p>No serious incident carries indicators of a state-sponsored actor.</p>\n");
    } else {
        ruru_html_put(
                h, "<table><thead><tr><th>Sponsoring state</th><th class=\"n\">Serious incidents "
                   "with its actors\xe2\x80\x99 indicators</th><th class=\"n\">Share of serious "
                   "incidents</th></tr></thead><tbody>\n");
        json_array_foreach(rows, i, row)
        {
            ruru_html_put(h, "<tr><td>");
            ruru_html_str(h, ruru_html_get(row, "key"), "\xe2\x80\x94");
            ruru_html_put(h, "</td><td class=\"n\">");
            ruru_html_str(h, ruru_html_get(row, "serious_with"), "\xe2\x80\x94");
            ruru_html_put(h, "</td><td class=\"n\">");
            ruru_html_share(h, ruru_html_get(row, "share"));
            ruru_html_put(h, "</td></tr>\n");
        }
        ruru_html_put(h, "</tbody></table>\n");
    }
    rows = ruru_html_get2(pg->model, "months", "rows");
    ruru_html_put(h, "<h3>Serious incidents by month</h3>\n");
    if (json_array_size(rows) == 0) {
        ruru_html_put(h, "<p>No serious incident in this period.</p>\n");
        return;
    }
    ruru_html_put(h, "<table><thead><tr><th>Month</th><th class=\"n\">Serious incidents</th><th "
                     "class=\"n\">With state-sponsored actors\xe2\x80\x99 indicators</th><th "
                     "class=\"n\">Share</th></tr></thead><tbody>\n");
    json_array_foreach(rows, i, row)
    {
        ruru_html_put(h, "<tr><td>");
        ruru_html_str(h, ruru_html_get(row, "key"), "\xe2\x80\x94");
        ruru_html_put(h, "</td><td class=\"n\">");
        ruru_html_str(h, ruru_html_get(row, "serious"), "\xe2\x80\x94");
        ruru_html_put(h, "</td><td class=\"n\">");
        ruru_html_str(h, ruru_html_get(row, "state_sponsored"), "\xe2\x80\x94");
        ruru_html_put(h, "</td><td class=\"n\">");
        ruru_html_share(h, ruru_html_get(row, "share"));
        ruru_html_put(h, "</td></tr>\n");
    }
    ruru_html_put(h, "</tbody></table>\n");
}

/* One actor of the top-actors table. */
struct actor_row {
    const json_t *name;
    struct ruru_html_sponsor sponsor;
    size_t incidents, serious;
};

static int actor_row_cmp(const void *a, const void *b)
{
    const struct actor_row *x = a, *y = b;
    size_t xl = json_string_length(x->name), yl = json_string_length(y->name);
    int c;

    if (x->incidents != y->incidents)
        return x->incidents > y->incidents ? -1 : 1;
    if (x->serious != y->serious)
        return x->serious > y->serious ? -1 : 1;
    c = memcmp(json_string_value(x->name), json_string_value(y->name), xl < yl ? xl : yl);
    return c != 0 ? c : (xl > yl) - (xl < yl);
}

/* The actors most incidents are put down to; why the top ten: a page, not a register dump. */
#define TOP_ACTORS 10

static enum ruru_err overview_actors(struct ruru_html_page *pg)
{
    struct ruru_html *h = pg->h;
    const json_t *incidents = ruru_html_get(pg->model, "incidents"), *inc;
    struct ruru_map by_name;
    struct ruru_vec rows;
    size_t i, unattributed = 0;
    enum ruru_err err = RURU_OK;

    ruru_map_init(&by_name);
    ruru_vec_init(&rows, sizeof(struct actor_row), SIZE_MAX / sizeof(struct actor_row));
    json_array_foreach(incidents, i, inc)
    {
        const json_t *actor = ruru_html_get2(inc, "judgement", "actor");
        struct actor_row *row, fresh;
        int64_t at;

        if (!json_is_string(actor)) {
            unattributed++;
            continue;
        }
        if (ruru_map_get(&by_name, json_string_value(actor), json_string_length(actor), &at)) {
            row = ruru_vec_at(&rows, (size_t)at);
        } else {
            fresh.name = actor;
            fresh.sponsor = ruru_html_sponsor(inc);
            fresh.incidents = fresh.serious = 0;
            err = ruru_vec_push(&rows, &fresh);
            if (err == RURU_OK)
                err = ruru_map_put(&by_name, json_string_value(actor), json_string_length(actor),
                                   (int64_t)rows.n - 1);
            if (err != RURU_OK)
                goto out;
            row = ruru_vec_at(&rows, rows.n - 1);
        }
        row->incidents++;
        row->serious += json_is_true(ruru_html_get(inc, "serious"));
    }
    ruru_html_put(h, "<h3>Top actors</h3>\n");
    if (rows.n == 0) {
        ruru_html_put(h, "<p>No incident is put down to a known actor.</p>\n");
    } else {
        if (rows.n > 1)
            qsort(rows.items, rows.n, sizeof(struct actor_row), actor_row_cmp);
        ruru_html_put(h,
                      "<table><thead><tr><th>Actor judged behind the incidents</th><th>Sponsoring "
                      "state</th><th class=\"n\">Incidents</th><th class=\"n\">Serious</th></tr>"
                      "</thead><tbody>\n");
        for (i = 0; i < rows.n && i < TOP_ACTORS; i++) {
            const struct actor_row *row = ruru_vec_at(&rows, i);
            ruru_html_put(h, "<tr><td>");
            ruru_html_str(h, row->name, "");
            ruru_html_put(h, "</td><td>");
            ruru_html_sponsor_put(h, row->sponsor);
            ruru_html_putf(h, "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td></tr>\n",
                           row->incidents, row->serious);
        }
        ruru_html_put(h, "</tbody></table>\n");
        if (rows.n > TOP_ACTORS)
            ruru_html_putf(h,
                           "<p class=\"note\">%zu more actors are judged behind fewer "
                           "incidents.</p>\n",
                           rows.n - TOP_ACTORS);
    }
    if (unattributed > 0)
        ruru_html_putf(h, "<p>%zu incident%s put down to no known actor.</p>\n", unattributed,
                       unattributed == 1 ? " is" : "s are");
out:
    ruru_vec_fini(&rows);
    ruru_map_fini(&by_name);
    return err;
}

/* Which inputs the sightings come from and which times they span, and how the cited records
 * stand against `ruru verify`. */
static void overview_coverage(struct ruru_html_page *pg)
{
    struct ruru_html *h = pg->h;
    const json_t *cov = ruru_html_get(pg->model, "coverage"), *row;
    size_t i, n[4] = {0, 0, 0, 0};

    ruru_html_put(h, "<h3>Coverage</h3>\n");
    if (json_array_size(cov) == 0) {
        ruru_html_put(h, "<p>No sighting, so no input, is cited.</p>\n");
    } else {
        ruru_html_put(
                h, "<table><thead><tr><th>Log source (input)</th><th>Format</th><th>First "
                   "sighting</th><th>Last sighting</th><th class=\"n\">Sightings</th></tr></thead>"
                   "<tbody>\n");
        json_array_foreach(cov, i, row)
        {
            ruru_html_put(h, "<tr><td><code>");
            ruru_html_str(h, ruru_html_get(row, "path"), "");
            ruru_html_put(h, "</code></td><td>");
            ruru_html_str(h, ruru_html_get(row, "format"), "\xe2\x80\x94");
            ruru_html_put(h, "</td><td class=\"t\">");
            ruru_html_str(h, ruru_html_get(row, "first"), "undated");
            ruru_html_put(h, "</td><td class=\"t\">");
            ruru_html_str(h, ruru_html_get(row, "last"), "undated");
            ruru_html_put(h, "</td><td class=\"n\">");
            ruru_html_str(h, ruru_html_get(row, "sightings"), "\xe2\x80\x94");
            ruru_html_put(h, "</td></tr>\n");
        }
        ruru_html_put(h, "</tbody></table>\n");
    }
    for (i = 0; i < pg->recs.items.n; i++) {
        const char *v = ((const struct ruru_html_rec *)ruru_vec_at(&pg->recs.items, i))->verified;
        n[v == NULL ? 3 : v[0] == 'h' ? 0 : v[0] == 'c' ? 1 : 2]++;
    }
    ruru_html_putf(h,
                   "<p>Records cited as evidence: %zu. <code>ruru verify</code> holds for "
                   "<span class=\"holds\">%zu</span>; their bytes <span "
                   "class=\"changed\">changed</span> for %zu; <span "
                   "class=\"unreadable\">unreadable</span> for %zu; <span "
                   "class=\"unchecked\">not checked</span> for %zu.</p>\n",
                   pg->recs.items.n, n[0], n[1], n[2], n[3]);
}

static void put_judgement_short(struct ruru_html *h, const json_t *j)
{
    if (!json_is_object(j)) {
        ruru_html_put(h, "not judged");
        return;
    }
    ruru_html_str(h, ruru_html_get(j, "actor"), "another actor (unattributed)");
    ruru_html_put(h, ": ");
    ruru_html_str(h, ruru_html_get(j, "words"), "\xe2\x80\x94");
    ruru_html_put(h, " (");
    ruru_html_probability(h, ruru_html_get(j, "probability"));
    ruru_html_put(h, ")");
}

static void overview_index(struct ruru_html_page *pg)
{
    struct ruru_html *h = pg->h;
    const json_t *inc;
    size_t i;

    ruru_html_put(h, "<h3>Incidents</h3>\n");
    if (json_array_size(ruru_html_get(pg->model, "incidents")) == 0) {
        ruru_html_put(h, "<p>No incident in this period.</p>\n");
        return;
    }
    ruru_html_put(
            h, "<table><thead><tr><th class=\"n\">#</th><th>Incident</th><th>Asset</th><th>First "
               "seen</th><th>Severity</th><th>Judgement</th><th>TLP</th></tr></thead><tbody>\n");
    json_array_foreach(ruru_html_get(pg->model, "incidents"), i, inc)
    {
        ruru_html_putf(h, "<tr><td class=\"n\">%zu</td><td><a href=\"#incident-%zu\"><code>", i + 1,
                       i + 1);
        ruru_html_str(h, ruru_html_get(inc, "id"), "");
        ruru_html_put(h, "</code></a></td><td>");
        ruru_html_str(h, ruru_html_get(inc, "asset"), "\xe2\x80\x94");
        ruru_html_put(h, "</td><td class=\"t\">");
        ruru_html_str(h, ruru_html_get(inc, "first"), "undated");
        ruru_html_put(h, "</td><td>");
        ruru_html_str(h, ruru_html_get(inc, "severity"), "\xe2\x80\x94");
        ruru_html_put(h, json_is_true(ruru_html_get(inc, "serious")) ? " (serious)" : "");
        ruru_html_put(h, "</td><td>");
        put_judgement_short(h, ruru_html_get(inc, "judgement"));
        ruru_html_put(h, "</td><td>");
        ruru_html_badge(h, ruru_html_incident_tlp(inc));
        ruru_html_put(h, "</td></tr>\n");
    }
    ruru_html_put(h, "</tbody></table>\n");
}

/* ---- the page ----------------------------------------------------------------------------- */

/* Checks what the page cannot do without, and finds the report's TLP: the most restrictive of
 * the model's, its incidents' and their sightings' (the model's covers them all; taking the
 * others too keeps a model that would break that rule from being shown below its TLP). */
static enum ruru_err check_model(const json_t *m, int *rank, struct ruru_diag *d)
{
    const json_t *inc, *s;
    size_t i, k;

    if (!json_is_object(m) || !json_is_integer(ruru_html_get(m, "ruru_export")) ||
        json_integer_value(ruru_html_get(m, "ruru_export")) != 1)
        return ruru_diag_set(d, RURU_EINVAL, NULL, 0, 0,
                             "not an export model: \"ruru_export\" is not 1");
    *rank = ruru_html_tlp_of(m);
    if (*rank < 0)
        return ruru_diag_set(d, RURU_EINVAL, NULL, 0, 0,
                             "export model: \"tlp\" is not a TLP level");
    if (!json_is_array(ruru_html_get(m, "incidents")))
        return ruru_diag_set(d, RURU_EINVAL, NULL, 0, 0,
                             "export model: \"incidents\" is not an array");
    json_array_foreach(ruru_html_get(m, "incidents"), i, inc)
    {
        int r = ruru_html_tlp_of(inc);
        if (!json_is_object(inc) || !json_is_string(ruru_html_get(inc, "id")))
            return ruru_diag_set(d, RURU_EINVAL, NULL, 0, 0,
                                 "export model: incident %zu is not an object with an \"id\"", i);
        if (r == -2)
            return ruru_diag_set(d, RURU_EINVAL, NULL, 0, 0,
                                 "export model: incident %zu: \"tlp\" is not a TLP level", i);
        *rank = r > *rank ? r : *rank;
        json_array_foreach(ruru_html_get(inc, "sightings"), k, s)
        {
            r = ruru_html_tlp_of(s);
            if (r == -2)
                return ruru_diag_set(d, RURU_EINVAL, NULL, 0, 0,
                                     "export model: incident %zu, sighting %zu: \"tlp\" is not a "
                                     "TLP level",
                                     i, k);
            *rank = r > *rank ? r : *rank;
        }
    }
    return RURU_OK;
}

/* <head>: the policy first (it covers what follows), then the style sheet it allows by hash. */
static enum ruru_err head(struct ruru_html_page *pg)
{
    struct ruru_html *h = pg->h;
    struct ruru_buf css;
    struct ruru_html c = {&css, RURU_OK, false};
    struct sha256_ctx sha;
    uint8_t digest[SHA256_DIGEST_SIZE];
    char b64[BASE64_ENCODE_RAW_LENGTH(SHA256_DIGEST_SIZE) + 1];

    /* the sheet is some 5 KiB; the cap only bounds a mistake */
    ruru_buf_init(&css, 1 << 16);
    ruru_html_put(&c, CSS);
    page_css(&c, pg->rank);
    if (c.err != RURU_OK) {
        ruru_buf_fini(&css);
        return c.err;
    }
    sha256_init(&sha);
    sha256_update(&sha, css.len, (const uint8_t *)css.ptr);
    sha256_digest(&sha, sizeof(digest), digest);
    base64_encode_raw(b64, sizeof(digest), digest);
    b64[sizeof(b64) - 1] = '\0';
    ruru_html_put(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    ruru_html_putf(h,
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                   "'none'; style-src 'sha256-%s'; base-uri 'none'; form-action "
                   "'none'\">\n",
                   b64);
    ruru_html_put(h, "<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"viewport\" "
                     "content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" "
                     "content=\"ruru\">\n<title>");
    ruru_html_put(h, TLP[pg->rank].label);
    ruru_html_put(h, " \xe2\x80\x94 Threat report: ");
    h->plain = true; /* a title is text only */
    ruru_html_str(h, ruru_html_get2(pg->model, "cert", "name"), "ruru");
    h->plain = false;
    ruru_html_put(h, "</title>\n<style>");
    ruru_html_put(h, css.ptr);
    ruru_html_put(h, "</style>\n</head>\n<body>\n");
    ruru_buf_fini(&css);
    return RURU_OK;
}

void ruru_html_banner(struct ruru_html *h, int rank, const char *tag)
{
    ruru_html_putf(h, "<%s class=\"banner\"><b class=\"%s\">%s</b><span>%s</span></%s>\n", tag,
                   TLP[rank].css, TLP[rank].label, TLP[rank].rule, tag);
}

enum ruru_err ruru_share_html(json_t *model, struct ruru_buf *out, struct ruru_diag *d)
{
    struct ruru_html h = {out, RURU_OK, false};
    struct ruru_html_page pg;
    const json_t *incidents = ruru_html_get(model, "incidents"), *inc;
    size_t start = out->len, i;
    enum ruru_err err;
    int rank = 0;

    err = check_model(model, &rank, d);
    if (err != RURU_OK)
        return err;
    err = ruru_html_page_init(&pg, &h, model);
    pg.rank = rank;
    if (err == RURU_OK)
        err = head(&pg);
    if (err != RURU_OK)
        goto out;
    ruru_html_banner(&h, pg.rank, "header");
    ruru_html_put(&h, "<main>\n");
    overview_head(&pg);
    overview_stats(&pg);
    ruru_html_put(&h, "<h3>Incidents per month, by sponsor of the judged actor</h3>\n");
    err = ruru_html_chart(&h, incidents);
    if (err == RURU_OK)
        err = overview_actors(&pg);
    if (err != RURU_OK)
        goto out;
    overview_coverage(&pg);
    overview_index(&pg);
    ruru_html_put(&h, "</section>\n");
    json_array_foreach(incidents, i, inc)
    {
        err = ruru_html_incident(&pg, inc, i, json_array_size(incidents));
        if (err != RURU_OK)
            goto out;
    }
    ruru_html_put(&h, "</main>\n");
    ruru_html_banner(&h, pg.rank, "footer");
    ruru_html_put(&h, "</body>\n</html>\n");
out:
    if (err == RURU_OK)
        err = h.err;
    ruru_html_page_fini(&pg);
    if (err != RURU_OK) {
        /* nothing of a page that failed stays in the caller's buffer */
        out->len = start;
        if (out->ptr != NULL)
            out->ptr[start] = '\0';
        if (err == RURU_ENOMEM || err == RURU_ELIMIT)
            ruru_diag_set(d, err, NULL, 0, 0, "writing the HTML report: %s",
                          err == RURU_ENOMEM ? "out of memory" : "the report is too large");
    }
    return err;
}
