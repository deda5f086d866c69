/* SPDX-License-Identifier: Apache-2.0 */
/* Text from the export model for the writers: UTF-8, one line, Markdown (text.h). */
#include "share/text.h"

#include <inttypes.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at p, n bytes left; 0 when none. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0], lo = 0x80, hi = 0xbf;
    size_t k;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        k = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        k = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80; /* no overlong forms */
        hi = c == 0xed ? 0x9f : 0xbf; /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        k = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf; /* nothing past U+10FFFF */
    } else {
        return 0;
    }
    if (n < k || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < k; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return k;
}

void ruru_share_add_clean(struct ruru_buf *b, const char *s, size_t n, bool one_line)
{
    const unsigned char *p = (const unsigned char *)s;

    for (size_t i = 0; i < n;) {
        size_t k = utf8_len(p + i, n - i);
        if (k == 0 || p[i] == 0) {
            ruru_buf_add(b, "\xef\xbf\xbd", 3);
            i++;
        } else if (one_line && k == 1 && (p[i] < 0x20 || p[i] == 0x7f)) {
            ruru_buf_addc(b, ' ');
            i++;
        } else {
            ruru_buf_add(b, p + i, k);
            i += k;
        }
    }
}

void ruru_share_add_md(struct ruru_buf *b, json_t *v, const char *absent)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);

    if (s == NULL) {
        ruru_buf_adds(b, absent);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c != '\0' && strchr("\\`*_[]<>|&~!#", c) != NULL)
            ruru_buf_addc(b, '\\');
        ruru_buf_addc(b, (unsigned char)c < 0x20 || c == 0x7f ? ' ' : c);
    }
}

static void line(struct ruru_buf *b, const char *label, json_t *v, const char *absent)
{
    ruru_buf_adds(b, label);
    ruru_share_add_md(b, v, absent);
}

/* The table: a row per piece of evidence, a column per hypothesis (the model's cells are in
 * the order of its hypotheses). */
static void table(struct ruru_buf *b, json_t *j)
{
    json_t *hyps = json_object_get(j, "hypotheses"), *x, *row;
    size_t i, k;

    ruru_buf_adds(b, "\n\n## Competing hypotheses\n\n| Evidence | Kind | Group |");
    json_array_foreach(hyps, i, x)
    {
        line(b, " ", json_object_get(x, "actor"), "Another actor");
        line(b, ": ", json_object_get(x, "words"), "");
        ruru_buf_addf(b, ", %.1f %% |",
                      100.0 * json_number_value(json_object_get(x, "probability")));
    }
    ruru_buf_adds(b, "\n| --- | --- | --- |");
    for (i = 0; i < json_array_size(hyps); i++)
        ruru_buf_adds(b, " --- |");
    json_array_foreach(json_object_get(j, "table"), i, row)
    {
        line(b, "\n| ", json_object_get(row, "evidence"), "");
        line(b, " | ", json_object_get(row, "kind"), "");
        ruru_buf_addf(b, " | %" PRId64 " |",
                      (int64_t)json_integer_value(json_object_get(row, "group")));
        for (k = 0; k < json_array_size(hyps); k++) {
            json_t *c = json_array_get(json_object_get(row, "cells"), k);
            line(b, " ", json_object_get(c, "verdict"), "");
            ruru_buf_addf(b, " (x%.3g) |", json_number_value(json_object_get(c, "ratio")));
        }
    }
}

void ruru_share_judgement_md(
        struct ruru_buf *b, json_t *incident, const char *tlp_label, json_t *cert, json_t *contact)
{
    json_t *j = json_object_get(incident, "judgement"), *campaign;
    const char *id = json_string_value(json_object_get(incident, "id"));

    line(b, "# Incident ", json_object_get(incident, "id"), "");
    ruru_buf_addf(b, "\n\n%s\n", tlp_label);
    line(b, "\n- Asset: ", json_object_get(incident, "asset"), "unknown");
    line(b, "\n- First seen: ", json_object_get(incident, "first"), "unknown");
    line(b, "\n- Last seen: ", json_object_get(incident, "last"), "unknown");
    line(b, "\n- Severity: ", json_object_get(incident, "severity"), "unknown");
    campaign = json_object_get(incident, "campaign");
    if (json_is_string(campaign) && (id == NULL || strcmp(json_string_value(campaign), id) != 0))
        line(b, "\n- Campaign: ", campaign, "");
    if (json_is_true(json_object_get(incident, "recomputed")))
        ruru_buf_adds(b, "\n- Judged again without the sightings withheld at this TLP");
    ruru_buf_adds(b, "\n\n## Judgement\n\n");
    if (json_is_object(j)) {
        line(b, "- Actor: ", json_object_get(j, "actor"), "none (not attributed)");
        ruru_buf_addf(b, "\n- Probability: %.1f %% (",
                      100.0 * json_number_value(json_object_get(j, "probability")));
        ruru_share_add_md(b, json_object_get(j, "words"), "no words");
        line(b, ")\n- Confidence: ", json_object_get(j, "confidence"), "none");
        line(b, "\n- Why: ", json_object_get(j, "why"), "");
        table(b, j);
        ruru_buf_adds(b, "\n");
    } else {
        ruru_buf_adds(b, "No judgement was made.\n");
    }
    line(b, "\nReported by ", cert, "");
    if (json_is_string(contact))
        line(b, " (", contact, "");
    ruru_buf_adds(b, json_is_string(contact) ? ").\n" : ".\n");
}
