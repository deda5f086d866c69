/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Format detection (detect.h). Header-carrying formats are recognised by their directives
 * (W3C "#Software:"/"#Fields:", Zeek "#separator"/"#fields"); line formats by how many of the
 * first data lines their recogniser accepts — a majority, so one odd line (a banner, a
 * truncated first line of a rotated file) does not decide. JSON lines are told apart by
 * their keys: Suricata EVE has "event_type", Zeek JSON "uid" with "id.orig_h".
 *
 * Exchange writes both W3C-like and CSV logs under the same "#Software: Microsoft Exchange
 * Server" banner, so "#Software:" alone does not decide: the "#Fields:" line does (commas mean
 * CSV; IIS field names never hold one), and W3C is the answer only when no "#Fields:" is
 * sampled. A CSV export without directives is recognised by its first line looking like a
 * row of column names and most of the following lines having as many columns.
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
        "jsonl", "syslog", "cef", "csv",  "json-document", "evtx",
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
    return n >= i + 15 && ruru_month_abbr(p + i) != 0 && p[i + 3] == ' ' && p[i + 6] == ' ' &&
           p[i + 9] == ':' && p[i + 12] == ':';
}

/* The number of CSV columns of a line (RFC 4180 quotes respected); false on an unterminated
 * quote. */
static bool csv_columns(const char *p, size_t n, size_t *out)
{
    size_t cols = 1;
    bool in_quotes = false;

    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            in_quotes = !in_quotes; /* "" inside quotes flips twice */
        else if (p[i] == ',' && !in_quotes)
            cols++;
    }
    *out = cols;
    return !in_quotes;
}

/* A header row: at least three columns, each a name of [A-Za-z0-9_ .@-] (quotes allowed
 * around it), with a letter somewhere so that a row of numbers is not taken for names. */
static bool csv_header(const char *p, size_t n, size_t *cols)
{
    bool has_alpha = false;

    if (!csv_columns(p, n, cols) || *cols < 3)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (ruru_is_alpha(c))
            has_alpha = true;
        else if (!ruru_is_digit(c) && c != '_' && c != ' ' && c != '.' && c != '@' && c != '-' &&
                 c != ',' && c != '"')
            return false;
    }
    return has_alpha;
}

static bool has_key(const char *p, size_t n, const char *key)
{
    return ruru_memmem(p, n, key, strlen(key)) != NULL;
}

enum ruru_log_kind ruru_log_detect(const char *data, size_t len)
{
    size_t votes[RURU_KIND__COUNT] = {0}, lines = 0, pos = 0;
    size_t header_cols = 0, n_after = 0, n_same = 0; /* CSV with a header row */
    bool is_header = false, has_software = false;

    if (len > SAMPLE_BYTES)
        len = SAMPLE_BYTES;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3; /* a UTF-8 byte order mark, as Exchange writes */
    {
        /* A JSON document: an array of events, or an object spread over lines ("{" alone on
         * the first line, as pretty-printers write it). */
        size_t i = pos;
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
        if (ruru_str_iprefix(l, "#Fields:"))
            return memchr(l.ptr, ',', l.len) != NULL ? RURU_KIND_CSV : RURU_KIND_W3C;
        if (ruru_str_iprefix(l, "#Software:")) {
            has_software = true;
            continue;
        }
        if (ruru_str_iprefix(l, "#separator") || ruru_str_iprefix(l, "#fields"))
            return RURU_KIND_ZEEK_TSV;
        if (l.ptr[0] == '#')
            continue;
        lines++;
        if (lines == 1) {
            is_header = csv_header(l.ptr, l.len, &header_cols);
        } else if (is_header) {
            size_t cols;
            n_after++;
            if (csv_columns(l.ptr, l.len, &cols) && cols == header_cols)
                n_same++;
        }
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
    if (has_software)
        return RURU_KIND_W3C;
    if (is_header && n_after > 0 && n_same * 2 > n_after)
        return RURU_KIND_CSV;
    {
        enum ruru_log_kind best = RURU_KIND_TEXT;
        for (int k = 1; k < RURU_KIND__COUNT; k++)
            if (votes[k] > votes[best])
                best = (enum ruru_log_kind)k;
        /* A majority of the sampled lines, or the input is text. */
        return lines > 0 && votes[best] * 2 > lines ? best : RURU_KIND_TEXT;
    }
}
