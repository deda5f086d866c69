/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The table of log formats (formats.h): one line per format, in detection order. Each entry
 * lives beside its parser; text, which has none, lives here.
 */
#include "logs/formats.h"

#include <pthread.h>
#include <string.h>

#include "logs/apache.h"
#include "logs/cef.h"
#include "logs/csvlog.h"
#include "logs/json.h"
#include "logs/syslog.h"
#include "logs/w3c.h"
#include "logs/zeeklog.h"

/* Text has no parser: every line is matched as text (and counted as what it is). */
static enum ruru_log_line
text_parse(void *state, const char *line, size_t len, struct ruru_record *r)
{
    (void)state;
    (void)line;
    (void)len;
    (void)r;
    return RURU_LINE_BAD;
}

static const struct ruru_logfmt text_format = {
        .kind = RURU_KIND_TEXT,
        .name = "text",
        .parse = text_parse,
        .lines_stand_alone = true,
};

/* Detection asks the formats in this order (formats.h): the first to claim a line has it. */
static const struct ruru_logfmt *const FORMATS[] = {
        &text_format,               /* the fallback: claims nothing */
        &ruru_jsonlog_doc_format,   /* "[{", or "{" alone on the first line */
        &ruru_w3c_format,           /* "#Fields:" with spaces; "#Software:" hints */
        &ruru_csvlog_format,        /* "#Fields:" with commas; a header row, rows to match */
        &ruru_zeeklog_format,       /* "#separator", "#fields" */
        &ruru_jsonlog_eve_format,   /* JSON lines with "event_type" */
        &ruru_jsonlog_zeek_format,  /* JSON lines with "uid" and "id.orig_h" */
        &ruru_jsonlog_lines_format, /* other JSON lines */
        &ruru_cef_format,           /* "CEF:", at the start or after a syslog header */
        &ruru_apache_format,        /* lines the access-log parser takes */
        &ruru_syslog_format,        /* "<PRI>1 ", "Mmm dd hh:mm:ss" */
        &ruru_jsonlog_evtx_format,  /* none: the reader tells an event log by its signature */
};

_Static_assert(sizeof(FORMATS) / sizeof(FORMATS[0]) == RURU_KIND__COUNT,
               "one entry per kind of log");

const struct ruru_logfmt *ruru_logfmt_at(size_t i)
{
    return i < sizeof(FORMATS) / sizeof(FORMATS[0]) ? FORMATS[i] : NULL;
}

const struct ruru_logfmt *ruru_logfmt_get(enum ruru_log_kind kind)
{
    /* A dozen entries, looked up once per input (and per sighting for its name). */
    for (size_t i = 0; i < sizeof(FORMATS) / sizeof(FORMATS[0]); i++)
        if (FORMATS[i]->kind == kind)
            return FORMATS[i];
    return &text_format;
}

const struct ruru_logfmt *ruru_logfmt_find(const char *name)
{
    for (size_t i = 0; i < sizeof(FORMATS) / sizeof(FORMATS[0]); i++) {
        const struct ruru_logfmt *f = FORMATS[i];
        if (strcmp(name, f->name) == 0)
            return f;
        for (size_t k = 0; k < RURU_LOGFMT_ALIASES && f->aliases[k] != NULL; k++)
            if (strcmp(name, f->aliases[k]) == 0)
                return f;
        if (f->quiet_alias != NULL && strcmp(name, f->quiet_alias) == 0)
            return f;
    }
    return NULL;
}

/* The list ruru_logfmt_names() gives: made once, from the table. 512 bytes hold a dozen names
 * with their aliases four times over; a list that would not fit would stop at the last name that
 * did. */
static char names[512];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void append(size_t *at, const char *s)
{
    size_t n = strlen(s);

    if (*at + n + 1 > sizeof(names)) {
        *at = sizeof(names); /* full: nothing after this */
        return;
    }
    memcpy(names + *at, s, n + 1);
    *at += n;
}

static void make_names(void)
{
    size_t at = 0;

    for (int k = 0; k < RURU_KIND__COUNT; k++) {
        const struct ruru_logfmt *f = ruru_logfmt_get((enum ruru_log_kind)k);
        if (f->unlisted)
            continue;
        if (at > 0)
            append(&at, " ");
        append(&at, f->name);
        for (size_t a = 0; a < RURU_LOGFMT_ALIASES && f->aliases[a] != NULL; a++) {
            append(&at, a == 0 ? " (" : ", ");
            append(&at, f->aliases[a]);
        }
        if (f->aliases[0] != NULL)
            append(&at, ")");
    }
}

const char *ruru_logfmt_names(void)
{
    pthread_once(&names_once, make_names);
    return names;
}

const char *ruru_log_kind_name(enum ruru_log_kind k)
{
    return ruru_logfmt_get(k)->name;
}

enum ruru_log_kind ruru_log_kind_parse(const char *name)
{
    const struct ruru_logfmt *f = ruru_logfmt_find(name);

    return f != NULL ? f->kind : RURU_KIND__COUNT;
}
