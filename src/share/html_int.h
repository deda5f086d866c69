/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the files of the HTML writer share: html.c writes the page (escaping, TLP, style sheet,
 * overview), html_incident.c the section of one incident, html_svg.c the chart of incidents
 * per month by sponsor. Every text taken from the model goes out through ruru_html_esc: log
 * lines and intel are written by whoever attacked or reported, and the page must show them as
 * text, whatever bytes they hold.
 */
#ifndef RURU_SHARE_HTML_INT_H
#define RURU_SHARE_HTML_INT_H

#include <jansson.h>
#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/map.h"
#include "base/vec.h"

/* The style sheet of the report, which the console's sheet starts with. */
#define RURU_HTML_CSS                                                                         \
    ":root{color-scheme:light}\n"                                                             \
    "*{box-sizing:border-box}\n"                                                              \
    "body{margin:0;font-family:\"DejaVu Sans\",Verdana,Arial,sans-serif;font-size:10.5pt;"    \
    "line-height:1.4;color:#111;background:#fff}\n"                                           \
    "main{max-width:200mm;margin:0 auto;padding:2mm 6mm}\n"                                   \
    ".banner{background:#000;padding:2mm 6mm;display:flex;gap:5mm;align-items:baseline;"      \
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"                            \
    ".banner b{font-size:14pt;letter-spacing:.04em;white-space:nowrap}\n"                     \
    ".banner span{color:#fff;font-size:9pt}\n"                                                \
    ".badge{background:#000;padding:0 1.5mm;font-weight:bold;font-size:8.5pt;"                \
    "white-space:nowrap;vertical-align:middle;-webkit-print-color-adjust:exact;"              \
    "print-color-adjust:exact}\n"                                                             \
    ".tlp-clear{color:#FFFFFF}.tlp-green{color:#33FF00}.tlp-amber,.tlp-amber-strict"          \
    "{color:#FFC000}.tlp-red{color:#FF2B2B}\n"                                                \
    "h1{font-size:19pt;margin:4mm 0 1mm}\n"                                                   \
    "h2{font-size:14pt;margin:6mm 0 2mm;border-bottom:.5mm solid #000;padding-bottom:.5mm}\n" \
    "h3{font-size:11.5pt;margin:5mm 0 1.5mm}\n"                                               \
    "h4{font-size:10.5pt;margin:3mm 0 1mm}\n"                                                 \
    "h2,h3,h4{break-after:avoid}\n"                                                           \
    "p{margin:1mm 0 2mm}\n"                                                                   \
    ".meta{color:#333;font-size:9.5pt}\n"                                                     \
    "table{border-collapse:collapse;width:100%;margin:1mm 0 3mm;font-size:9pt}\n"             \
    "th,td{border:.2mm solid #999;padding:.6mm 1.5mm;text-align:left;vertical-align:top;"     \
    "overflow-wrap:break-word}\n"                                                             \
    "th{background:#ececec}\n"                                                                \
    "thead{display:table-header-group}\n"                                                     \
    "tr{break-inside:avoid}\n"                                                                \
    ".n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"             \
    ".t{white-space:nowrap;font-variant-numeric:tabular-nums}\n"                              \
    "table.facts th{width:32mm;font-weight:normal;color:#333}\n"                              \
    "code,pre{font-family:\"DejaVu Sans Mono\",monospace;font-size:8.5pt;"                    \
    "overflow-wrap:anywhere}\n"                                                               \
    "pre.record{white-space:pre-wrap;background:#f3f3f3;border-left:1mm solid #777;"          \
    "padding:1mm 2mm;margin:1mm 0 2mm}\n"                                                     \
    ".figures{display:flex;gap:3mm;flex-wrap:wrap;margin:2mm 0}\n"                            \
    ".figure{border:.3mm solid #000;padding:1.5mm 3mm;flex:1 1 0}\n"                          \
    ".figure b{display:block;font-size:18pt}\n"                                               \
    ".statistic{font-size:12.5pt;border-left:1.5mm solid #000;padding-left:3mm}\n"            \
    ".judgement{font-size:11.5pt}\n"                                                          \
    ".consistent{background:#dcf1dc}.inconsistent{background:#f7d6d6}"                        \
    ".neutral{background:#eeeeee}\n"                                                          \
    ".holds{color:#060}.changed,.unreadable{color:#b00;font-weight:bold}"                     \
    ".unchecked{color:#666}\n"                                                                \
    ".evidence{border-top:.3mm solid #999;margin-top:2mm;break-inside:avoid-page}\n"          \
    ".cite{margin:1mm 0 0 4mm}\n"                                                             \
    ".evfacts{font-size:9pt;color:#222}\n"                                                    \
    ".ctl{font-family:\"DejaVu Sans\",sans-serif;font-size:75%;font-weight:bold;color:#fff;"  \
    "background:#a00;border-radius:.5mm;padding:0 .4mm;margin:0 .2mm;"                        \
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"                            \
    ".note{font-style:italic;color:#444}\n"                                                   \
    ".chart svg{display:block;width:100%;max-width:186mm;height:auto}\n"                      \
    "a{color:#0645ad}\n"                                                                      \
    "@media print{body{font-size:9.5pt}main{max-width:none;padding:0}"                        \
    ".incident{break-before:page}a{color:inherit;text-decoration:none}}\n"

/* The output being written. Appends after a failure do nothing, so that a page is written as a
 * plain sequence of calls and checked once at the end. */
struct ruru_html {
    struct ruru_buf *out;
    enum ruru_err err; /* RURU_OK, or the failure of the first append that failed */
    bool plain;        /* writing where no markup may go (the title, SVG text): see _esc */
};

/* Appends trusted text (markup ruru writes itself) as it is. */
void ruru_html_put(struct ruru_html *h, const char *s);
void ruru_html_putf(struct ruru_html *h, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Appends `len` bytes of untrusted text, escaped for HTML text and for quoted attribute values:
 * & < > " ' become references; bytes that are not UTF-8 become U+FFFD; control characters
 * (C0 but TAB, DEL, C1) and the Unicode controls that reorder text (bidi embeddings,
 * overrides, isolates, marks: a line could otherwise show other text than its bytes) become
 * visible: a marked token (<span class="ctl">ESC</span>, <span class="ctl">U+202E</span>), or
 * when h->plain the text "\x1B", "\u202E". The output is valid UTF-8 and holds no markup from
 * the input, whatever the input. */
void ruru_html_esc(struct ruru_html *h, const char *s, size_t len);
/* A JSON string (escaped), an integer, or `none` (trusted) for anything else. */
void ruru_html_str(struct ruru_html *h, const json_t *v, const char *none);
/* A share of serious incidents in whole per cent, as `ruru stats` gives it ("31 %"). */
void ruru_html_share(struct ruru_html *h, const json_t *v);
/* A probability in whole per cent as the judgement's words give it: rounded down, 1 to 99. */
void ruru_html_probability(struct ruru_html *h, const json_t *v);

/* The rank of o's "tlp" (intel.h: clear 0 ... red 4): -1 when absent or null, -2 when it is no
 * TLP level. */
int ruru_html_tlp_of(const json_t *o);
/* The rank of an incident: the most restrictive of its own and its sightings'. */
int ruru_html_incident_tlp(const json_t *inc);
/* The TLP label of a rank in its colour on black; nothing for a rank below 0. */
void ruru_html_badge(struct ruru_html *h, int rank);

/* The banner of a TLP rank (0 to 4) as element `tag` (trusted: "header", "footer", "div"): its
 * label in its colour on black and what the level allows. */
/* The figures of a stats document (docs/json.md, "stats"): incidents, serious ones, serious
 * ones with state-sponsored actors' indicators, and their share. */
void ruru_html_figures(struct ruru_html *h, const json_t *st);
void ruru_html_banner(struct ruru_html *h, int rank, const char *tag);

/* Reading the model: members that are absent or of another type read as NULL (or `none`). */
static inline json_t *ruru_html_mut(const json_t *v)
{
    /* jansson takes non-const values where it only reads them (json_equal, object iteration) */
    return (json_t *)(uintptr_t)v;
}

static inline const json_t *ruru_html_get(const json_t *o, const char *key)
{
    return json_object_get(o, key);
}

static inline const json_t *ruru_html_get2(const json_t *o, const char *a, const char *b)
{
    return json_object_get(json_object_get(o, a), b);
}

static inline const char *ruru_html_sget(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static inline json_int_t ruru_html_iget(const json_t *o, const char *key, json_int_t none)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? json_integer_value(v) : none;
}

/* Whom an incident is put down to, for the chart and the tables: the state sponsoring its
 * judged actor (the `state` of that actor in the evidence's `actor_states`), else a class. */
enum ruru_html_sponsor_kind {
    RURU_HTML_STATE = 0,       /* `name` is the sponsoring state */
    RURU_HTML_NOT_STATE = 1,   /* a known actor no state is said to sponsor */
    RURU_HTML_UNATTRIBUTED = 2 /* no judgement, or "another actor" */
};
struct ruru_html_sponsor {
    enum ruru_html_sponsor_kind kind;
    const char *name; /* the state when kind is RURU_HTML_STATE (borrowed from the model) */
    size_t name_len;
};
struct ruru_html_sponsor ruru_html_sponsor(const json_t *incident);
/* The words for a sponsor class ("not state-sponsored", "unattributed"), or NULL for a state. */
const char *ruru_html_sponsor_class(enum ruru_html_sponsor_kind kind);
/* The state (escaped) or the class. */
void ruru_html_sponsor_put(struct ruru_html *h, struct ruru_html_sponsor s);

/* One record the model's sightings cite (a sighting's own line, or a member of a pattern or
 * correlation sighting), found again by the evidence's cites: its text when a sighting holds
 * it, and whether `ruru verify` holds for its bytes now. */
struct ruru_html_rec {
    const json_t *original; /* event.original, or NULL when only a member cites the record */
    const char *verified;   /* "holds", "changed", "unreadable", or NULL: not checked */
};

/* Every record the model cites, by path, offset and SHA-256. */
struct ruru_html_recs {
    struct ruru_map by_key; /* cite key -> index in items */
    struct ruru_vec items;  /* struct ruru_html_rec */
    struct ruru_buf key;    /* scratch for keys */
};

/* The record cited by its path, offset and SHA-256 (JSON values of a cite or a sighting), or
 * NULL when no sighting holds it (or, with *err set to RURU_ENOMEM, when its key could not be
 * made). */
const struct ruru_html_rec *ruru_html_recs_find(struct ruru_html_recs *r,
                                                const json_t *path,
                                                const json_t *offset,
                                                const json_t *sha256,
                                                enum ruru_err *err);
/* A verdict in its colour, "not checked" for NULL. */
void ruru_html_verdict(struct ruru_html *h, const char *v);

/* The page being written. */
struct ruru_html_page {
    struct ruru_html *h;
    const json_t *model;
    struct ruru_html_recs recs;
    int rank; /* the report's TLP */
};

/* Prepares pg for writing pages of `model` into h: finds every record its incidents cite (so
 * that evidence shows the record's text and `ruru verify` state). pg->rank is left at -1 for
 * the caller to set. RURU_ENOMEM; pg is finished with ruru_html_page_fini either way. */
enum ruru_err
ruru_html_page_init(struct ruru_html_page *pg, struct ruru_html *h, const json_t *model);
void ruru_html_page_fini(struct ruru_html_page *pg);

/* Appends the section of incident i (from 0) of n. RURU_ENOMEM when its work space cannot be
 * had (the output itself fails through h->err). */
enum ruru_err ruru_html_incident(struct ruru_html_page *pg, const json_t *inc, size_t i, size_t n);
/* Appends what follows the heading of incident i's section: facts, judgement, competing
 * hypotheses, history, timeline, assets, evidence with each cited record. Evidence is anchored
 * "incident-{i+1}-e{k}", which the hypotheses link to. The report and the console both write
 * an incident with it. RURU_ENOMEM as above. */
enum ruru_err ruru_html_incident_body(struct ruru_html_page *pg, const json_t *inc, size_t i);

/* Appends the chart of incidents per month (of each incident's `first`) by sponsor as inline
 * SVG, and a table of the same counts. RURU_ENOMEM as above. */
enum ruru_err ruru_html_chart(struct ruru_html *h, const json_t *incidents);

/* A stacked bar chart: columns, stacks in each, and the counts. The SVG sets its look with
 * presentation attributes only (fill, stroke, font-family), never a style attribute or
 * element, so a strict Content-Security-Policy (no inline style) draws it as it is. */
struct ruru_html_label {
    const char *text; /* untrusted text, escaped when written */
    size_t len;
    const char *colour; /* of a stack: "#RRGGBB" (trusted) */
};
struct ruru_html_bars {
    const char *title;      /* trusted: the SVG's <title> */
    const char *axis;       /* trusted: what is counted ("incidents") */
    const char *col_head;   /* trusted: the table's first header ("Month") */
    const char *total_head; /* trusted: the header of the columns' totals */
    const struct ruru_html_label *cols, *stacks;
    size_t n_cols, n_stacks;
    const size_t *counts; /* n_cols x n_stacks, a column's stacks side by side */
    size_t always_label;  /* a column whose label is drawn whatever the spacing, or SIZE_MAX */
};
/* Appends the chart (n_cols > 0) and a table of the same counts. */
void ruru_html_bars(struct ruru_html *h, const struct ruru_html_bars *b);
/* The colours of the stacks of states (Okabe-Ito), by index, and of the two classes. */
const char *ruru_html_state_colour(size_t i);
#define RURU_HTML_GREY       "#7F7F7F"
#define RURU_HTML_LIGHT_GREY "#D0D0D0"

#endif
