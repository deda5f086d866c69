/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Format detection (detect.h), driven by the table of formats (formats.h), in its order:
 *
 *   1. the start of the input: a sniffer may claim it outright (a JSON document);
 *   2. the lines starting with '#': a directive may decide (W3C and CSV "#Fields:", Zeek
 *      "#separator"/"#fields"), or hint (W3C "#Software:"), which counts when nothing decides;
 *   3. the data lines as a whole: a format may claim them together (a CSV export whose first
 *      line names the columns of the rows after it);
 *   4. one vote per data line, to the first format whose recogniser takes it, and the input
 *      is the format with a majority of the sampled lines: so one odd line (a banner, a
 *      truncated first line of a rotated file) does not decide. Else it is text.
 */
#include "logs/detect.h"

#include <string.h>

#include "base/str.h"

/* Lines sampled: enough to outvote a banner, few enough to decide instantly. */
#define SAMPLE_LINES 32
#define SAMPLE_BYTES (64u * 1024u)

enum ruru_log_kind ruru_log_detect(const char *data, size_t len)
{
    struct ruru_str lines[SAMPLE_LINES]; /* the data lines sampled, trimmed */
    size_t votes[RURU_KIND__COUNT] = {0}, n_lines = 0, pos = 0, best = 0;
    const struct ruru_logfmt *f, *hinted = NULL;

    if (len > SAMPLE_BYTES)
        len = SAMPLE_BYTES;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3; /* a UTF-8 byte order mark, as Exchange writes */
    for (size_t i = 0; (f = ruru_logfmt_at(i)) != NULL; i++)
        if (f->sniff != NULL && f->sniff(data + pos, len - pos))
            return f->kind;
    while (pos < len && n_lines < SAMPLE_LINES) {
        const char *p = data + pos, *nl = memchr(p, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - p) : len - pos;
        struct ruru_str l = ruru_str_trim(ruru_str_make(p, n));
        pos += n + 1;
        if (l.len == 0)
            continue;
        if (l.ptr[0] != '#') {
            lines[n_lines++] = l;
            continue;
        }
        for (size_t i = 0; (f = ruru_logfmt_at(i)) != NULL; i++) {
            enum ruru_logfmt_claim c =
                    f->directive != NULL ? f->directive(l.ptr, l.len) : RURU_CLAIM_NONE;
            if (c == RURU_CLAIM_SURE)
                return f->kind;
            if (c == RURU_CLAIM_HINT) {
                if (hinted == NULL)
                    hinted = f;
                break;
            }
        }
    }
    if (hinted != NULL)
        return hinted->kind;
    for (size_t i = 0; (f = ruru_logfmt_at(i)) != NULL; i++)
        if (f->sample != NULL && f->sample(lines, n_lines))
            return f->kind;
    for (size_t k = 0; k < n_lines; k++)
        for (size_t i = 0; (f = ruru_logfmt_at(i)) != NULL; i++)
            if (f->vote != NULL && f->vote(lines[k].ptr, lines[k].len)) {
                votes[i]++;
                break;
            }
    for (size_t i = 1; i < RURU_KIND__COUNT; i++)
        if (votes[i] > votes[best])
            best = i;
    /* A majority of the sampled lines (so no two formats can tie), or the input is text. */
    return n_lines > 0 && votes[best] * 2 > n_lines ? ruru_logfmt_at(best)->kind : RURU_KIND_TEXT;
}
