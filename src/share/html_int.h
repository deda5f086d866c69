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

/* Appends the section of incident i (from 0) of n. RURU_ENOMEM when its work space cannot be
 * had (the output itself fails through h->err). */
enum ruru_err ruru_html_incident(struct ruru_html_page *pg, const json_t *inc, size_t i, size_t n);

/* Appends the chart of incidents per month (of each incident's `first`) by sponsor as inline
 * SVG, and a table of the same counts. RURU_ENOMEM as above. */
enum ruru_err ruru_html_chart(struct ruru_html *h, const json_t *incidents);

#endif
