/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON log lines: ECS documents (Filebeat, Winlogbeat/Sysmon), Suricata EVE, Zeek JSON, and
 * Windows events exported as JSON (Event.System / Event.EventData). This is the sweep's hot
 * JSON path, so it is ruru's own zero-copy scanner, not a DOM (jansson parses ~40 MB/s):
 * one pass flattens the object into fields named by their dotted path ("source.ip",
 * "dns.query.rrname"); values are the bytes of the line (string bodies with their escapes
 * undecoded, flagged RURU_ENC_JSON when they hold a backslash); nulls are skipped; the
 * elements of an array share the array's name.
 *
 * A Windows "Data" element {"@Name": "TargetUserName", "#text": "bob"} becomes the field
 * "Event.EventData.TargetUserName" = "bob", as Winlogbeat names it "winlog.event_data.X".
 *
 * Canonical names: ECS documents keep their own names (plus the Sysmon / Windows event data
 * names ECS has a field for); EVE and Zeek names are mapped by table.
 */
#ifndef RURU_LOGS_JSON_H
#define RURU_LOGS_JSON_H

#include "logs/record.h"

/* Bytes for the dotted names of one record, and the deepest nesting followed. */
#define RURU_JSON_NAMES 8192
#define RURU_JSON_DEPTH 32

#define RURU_JSON_CANON_CACHE 48

/* The canonical name of a field name, as found for the last line (canon_of). */
struct ruru_jsonlog_canon {
    uint8_t len; /* of name; 0: none kept */
    bool self;   /* the canonical name is the name itself (in this line's copy) */
    char name[62];
    const char *canon;
};

struct ruru_jsonlog {
    enum ruru_log_format format; /* RURU_LOG_JSON, RURU_LOG_EVE or RURU_LOG_ZEEK_JSON */
    char names[RURU_JSON_NAMES];
    size_t used;
    struct ruru_jsonlog_canon canon[RURU_JSON_CANON_CACHE]; /* by field position */
};

void ruru_jsonlog_init(struct ruru_jsonlog *j, enum ruru_log_format format);
/* Parses one line holding one JSON object. Field names point into j (valid until the next
 * call), values into `line`. Returns false when the line is not a well-formed JSON object
 * (r is then unspecified). The record time comes from @timestamp (EVE "timestamp", Zeek
 * "ts", Windows TimeCreated.SystemTime). */
bool ruru_jsonlog_parse(struct ruru_jsonlog *j,
                        const char *line,
                        size_t len,
                        struct ruru_record *r);

/* The skim of a line (logs/formats.h): true when ruru_jsonlog_parse would take it and keep
 * every field (not truncated), the line holding no backslash and no array an object, with the
 * record's time in *time; false otherwise. Makes no field and leaves j as it is. */
bool ruru_jsonlog_skim(const struct ruru_jsonlog *j, const char *line, size_t len, int64_t *time);

/* Decodes a JSON string body (the bytes between the quotes) into out (cap bytes); a \u escape
 * (four hex digits) becomes UTF-8 (surrogate pairs joined; a lone surrogate becomes U+FFFD).
 * Returns the decoded length, or (size_t)-1 when out is too small or an escape is malformed. */
size_t ruru_json_unescape(const char *s, size_t len, char *out, size_t cap);

/* The formats this parser reads, entries of the table of formats (logs/formats.h): Suricata
 * EVE, Zeek JSON and other JSON lines, JSON documents (each element a record), and the records
 * of a Windows event log rendered as JSON lines (logs/evtx.h). */
struct ruru_logfmt;
extern const struct ruru_logfmt ruru_jsonlog_eve_format;
extern const struct ruru_logfmt ruru_jsonlog_zeek_format;
extern const struct ruru_logfmt ruru_jsonlog_lines_format;
extern const struct ruru_logfmt ruru_jsonlog_doc_format;
extern const struct ruru_logfmt ruru_jsonlog_evtx_format;

#endif
