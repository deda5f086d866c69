/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The record model (DESIGN.md §5): one event of a log, with where it came from, when it
 * happened (UTC), and its fields under their native names and, where one exists, a canonical
 * ECS-style name. Field values are slices of the input buffer: parsing copies nothing.
 */
#ifndef RURU_LOGS_RECORD_H
#define RURU_LOGS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"
#include "base/time.h"

/* Fields kept per record; a record with more is truncated and flagged (no log format has
 * more than a few dozen columns; this bounds hostile ones). */
#define RURU_MAX_FIELDS 64

enum ruru_log_format {
    RURU_LOG_UNKNOWN = 0,
    RURU_LOG_TEXT, /* plain text: tokens only */
    RURU_LOG_APACHE_COMMON,
    RURU_LOG_APACHE_COMBINED,
    RURU_LOG_W3C, /* IIS and Exchange W3C extended */
    RURU_LOG_ZEEK,
    RURU_LOG_ZEEK_JSON,
    RURU_LOG_EVE,    /* Suricata EVE JSON */
    RURU_LOG_JSON,   /* other JSON lines / documents (ECS, Winlogbeat, Windows events) */
    RURU_LOG_SYSLOG, /* RFC 3164 or 5424 */
    RURU_LOG_CEF,
    RURU_LOG_CSV, /* CSV with a header row (Exchange logs: "#Fields:" with commas) */
};

/* How a field's bytes are encoded in the line; the matcher decodes before it looks. */
enum ruru_field_enc {
    RURU_ENC_RAW = 0, /* as they are */
    RURU_ENC_JSON,    /* a JSON string body with backslash escapes */
    RURU_ENC_PLUS,    /* W3C: '+' stands for a space */
};

/* What a line of a log was, as its format's parser tells. */
enum ruru_log_line {
    RURU_LINE_DIRECTIVE, /* a directive or a header row: the parser's state may have changed */
    RURU_LINE_RECORD,    /* a record, parsed into the struct ruru_record */
    RURU_LINE_BAD        /* not a record of the format: matched as text, counted unparsed */
};

struct ruru_field {
    struct ruru_str name;  /* native name ("%h", "cs-uri-query", "id.orig_h") */
    const char *canon;     /* canonical name ("source.address"), or NULL */
    struct ruru_str value; /* raw bytes of the value in the line (quotes removed) */
    enum ruru_field_enc enc;
};

struct ruru_record {
    uint64_t line;   /* 1-based */
    uint64_t offset; /* byte offset of the line in its input */
    uint32_t length; /* bytes of the line, without the newline */
    int64_t time;    /* unix seconds UTC, RURU_TIME_NONE when the line has none */
    enum ruru_log_format format;
    const char *subtype; /* Zeek: the log's #path ("http"); NULL when the format has none */
    bool truncated;      /* more fields than RURU_MAX_FIELDS */
    size_t n_fields;
    struct ruru_field fields[RURU_MAX_FIELDS];
};

/* Appends a field (native name, canonical name or NULL, raw value); a record already full is
 * flagged truncated instead. */
void ruru_record_add(struct ruru_record *r,
                     struct ruru_str name,
                     const char *canon,
                     struct ruru_str value);
/* The month of an English three-letter abbreviation ("Oct": 10), or 0. Reads 3 bytes. */
int ruru_month_abbr(const char *m);

/* The value of the field with canonical name `canon`, or NULL. */
const struct ruru_str *ruru_record_get(const struct ruru_record *r, const char *canon);

#endif
