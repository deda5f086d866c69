/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Format detection (detect.h). Header-carrying formats are recognised by their directives
 * (W3C "#Software:"/"#Fields:", Zeek "#separator"/"#fields"); line formats by how many of the
 * first data lines their recogniser accepts — a majority, so one odd line (a banner, a
 * truncated first line of a rotated file) does not decide. JSON lines are told apart by
 * their keys: Suricata EVE has "event_type", Zeek JSON "uid" with "id.orig_h".
 */
#include "logs/detect.h"

#include <string.h>

#include "base/str.h"
#include "logs/record.h"

/* Lines sampled: enough to outvote a banner, few enough to decide instantly. */
#define SAMPLE_LINES 32
#define SAMPLE_BYTES (64u * 1024u)

static const char *const NAMES[RURU_KIND__COUNT] = {
        "text",  "apache", "w3c", "zeek", "zeek-json",     "eve",
        "jsonl", "syslog", "cef", "csv",  "json-document",
};

const char *ruru_log_kind_name(enum ruru_log_kind k)
{
    return k < RURU_KIND__COUNT ? NAMES[k] : "text";
}

enum ruru_log_kind ruru_log_kind_parse(const char *name)
{
    /* What people call them. */
    static const struct {
        const char *alias;
        enum ruru_log_kind kind;
    } ALIASES[] = {
            {"nginx", RURU_KIND_APACHE},        {"iis", RURU_KIND_W3C},
            {"exchange", RURU_KIND_CSV},        {"json", RURU_KIND_JSONL},
            {"json-array", RURU_KIND_JSON_DOC}, {"ecs", RURU_KIND_JSONL},
            {"suricata", RURU_KIND_EVE},        {"zeek-tsv", RURU_KIND_ZEEK_TSV},
    };

    for (int k = 0; k < RURU_KIND__COUNT; k++)
        if (strcmp(name, NAMES[k]) == 0)
            return (enum ruru_log_kind)k;
    for (size_t i = 0; i < sizeof(ALIASES) / sizeof(ALIASES[0]); i++)
        if (strcmp(name, ALIASES[i].alias) == 0)
            return ALIASES[i].kind;
    return RURU_KIND__COUNT;
}

static bool month3(const char *p)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

    for (int i = 0; i < 12; i++)
        if (memcmp(names + 3 * i, p, 3) == 0)
            return true;
    return false;
}

/* "<PRI>1 2003-10-11T22:14:15Z ..." (5424), "<PRI>Oct 11 22:14:15 ..." or
 * "Oct 11 22:14:15 host ..." (3164). */
static bool is_syslog(const char *p, size_t n)
{
    size_t i = 0;

    if (n > 0 && p[0] == '<') {
        i = 1;
        while (i < n && i < 5 && ruru_is_digit(p[i]))
            i++;
        if (i == 1 || i >= n || p[i] != '>')
            return false;
        i++;
        if (i + 2 < n && p[i] == '1' && p[i + 1] == ' ')
            return true;
    }
    return n >= i + 15 && month3(p + i) && p[i + 3] == ' ' && p[i + 6] == ' ' && p[i + 9] == ':' &&
           p[i + 12] == ':';
}

static bool has_key(const char *p, size_t n, const char *key)
{
    return ruru_memmem(p, n, key, strlen(key)) != NULL;
}

enum ruru_log_kind ruru_log_detect(const char *data, size_t len)
{
    size_t votes[RURU_KIND__COUNT] = {0}, lines = 0, pos = 0;

    if (len > SAMPLE_BYTES)
        len = SAMPLE_BYTES;
    {
        /* A JSON document: an array of events, or an object spread over lines ("{" alone on
         * the first line, as pretty-printers write it). */
        size_t i = 0;
        while (i < len && ruru_is_space(data[i]))
            i++;
        if (i < len && data[i] == '[') {
            /* "[{", "[[", "[\"" or "[]": an array; "[10.30 16:49:06]" and
             * "[Sun Dec 04 ...]" are log lines with a bracketed time. */
            size_t j = i + 1;
            while (j < len && ruru_is_space(data[j]))
                j++;
            if (j < len && (data[j] == '{' || data[j] == '[' || data[j] == '"' || data[j] == ']'))
                return RURU_KIND_JSON_DOC;
        }
        if (i < len && data[i] == '{') {
            size_t j = i + 1;
            while (j < len && (data[j] == ' ' || data[j] == '\t' || data[j] == '\r'))
                j++;
            if (j < len && data[j] == '\n')
                return RURU_KIND_JSON_DOC;
        }
    }
    while (pos < len && lines < SAMPLE_LINES) {
        const char *p = data + pos, *nl = memchr(p, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - p) : len - pos;
        struct ruru_str l = ruru_str_trim(ruru_str_make(p, n));
        pos += n + 1;
        if (l.len == 0)
            continue;
        if (ruru_str_iprefix(l, "#Software:") || ruru_str_iprefix(l, "#Fields:"))
            return RURU_KIND_W3C;
        if (ruru_str_iprefix(l, "#separator") || ruru_str_iprefix(l, "#fields"))
            return RURU_KIND_ZEEK_TSV;
        if (l.ptr[0] == '#')
            continue;
        lines++;
        if (l.ptr[0] == '{') {
            if (has_key(l.ptr, l.len, "\"event_type\""))
                votes[RURU_KIND_EVE]++;
            else if (has_key(l.ptr, l.len, "\"uid\"") && has_key(l.ptr, l.len, "\"id.orig_h\""))
                votes[RURU_KIND_ZEEK_JSON]++;
            else
                votes[RURU_KIND_JSONL]++;
            continue;
        }
        if (ruru_str_iprefix(l, "CEF:") || ruru_memmem(l.ptr, l.len, " CEF:", 5) != NULL) {
            votes[RURU_KIND_CEF]++;
            continue;
        }
        {
            struct ruru_record r;
            if (ruru_apache_parse(l.ptr, l.len, &r)) {
                votes[RURU_KIND_APACHE]++;
                continue;
            }
        }
        if (is_syslog(l.ptr, l.len))
            votes[RURU_KIND_SYSLOG]++;
    }
    {
        enum ruru_log_kind best = RURU_KIND_TEXT;
        for (int k = 1; k < RURU_KIND__COUNT; k++)
            if (votes[k] > votes[best])
                best = (enum ruru_log_kind)k;
        /* A majority of the sampled lines, or the input is text. */
        return lines > 0 && votes[best] * 2 > lines ? best : RURU_KIND_TEXT;
    }
}
