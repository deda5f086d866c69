/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Text the writers take from the export model: made well-formed UTF-8 (a model built in
 * memory may hold any bytes; JSON and the formats that embed it want UTF-8), kept on one line
 * where a format's field is one line, and written as Markdown without making markup.
 */
#ifndef RURU_SHARE_TEXT_H
#define RURU_SHARE_TEXT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/* Appends n bytes of s to b as well-formed UTF-8 (RFC 3629): a byte that starts no sequence
 * becomes U+FFFD, and so does NUL; with `one_line`, every other control character (C0 and
 * DEL) becomes a space. A failed append is left in b->failed. */
void ruru_share_add_clean(struct ruru_buf *b, const char *s, size_t n, bool one_line);

/* Appends the JSON string v as Markdown text on one line: control characters become spaces,
 * and the characters that would make markup (emphasis, code, links and images, HTML, table
 * cells, headings, MISP's @[attribute](uuid)) are escaped with a backslash. `absent` (as is)
 * when v is no string. The bytes are not cleaned: clean the whole text afterwards. */
void ruru_share_add_md(struct ruru_buf *b, json_t *v, const char *absent);

/* Appends an incident of the model as a Markdown report: its TLP (`tlp_label`,
 * "TLP:AMBER"), asset, times, severity and campaign, the judgement (actor, probability,
 * ICD 203 words, confidence, why) and the table of competing hypotheses, one row per piece of
 * evidence and one column per hypothesis, and who reports it (`cert`, `contact`: JSON strings
 * or NULL). */
void ruru_share_judgement_md(
        struct ruru_buf *b, json_t *incident, const char *tlp_label, json_t *cert, json_t *contact);

#endif
