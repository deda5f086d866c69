/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Log format detection: which format an input is in, from its first lines (DESIGN.md §5).
 * Each format has a recogniser over the start of the input; the first that claims it wins,
 * and plain text is the fallback, so every input is swept.
 */
#ifndef RURU_LOGS_DETECT_H
#define RURU_LOGS_DETECT_H

#include <stddef.h>

enum ruru_log_kind {
    RURU_KIND_TEXT = 0,
    RURU_KIND_APACHE,   /* Apache/Nginx common or combined */
    RURU_KIND_W3C,      /* IIS / W3C extended */
    RURU_KIND_ZEEK_TSV, /* Zeek TSV with #fields */
    RURU_KIND_ZEEK_JSON,
    RURU_KIND_EVE,    /* Suricata EVE JSON */
    RURU_KIND_JSONL,  /* other JSON lines */
    RURU_KIND_SYSLOG, /* RFC 3164 or 5424 */
    RURU_KIND_CEF,
    RURU_KIND_CSV,      /* CSV with a header row, Exchange CSV logs */
    RURU_KIND_JSON_DOC, /* a JSON array of events, or pretty-printed objects one after another */
    RURU_KIND_EVTX,     /* a Windows event log file, told by its signature (logs/evtx.h) */
    RURU_KIND__COUNT
};

/* "text", "apache", "w3c", "zeek", "zeek-json", "eve", "jsonl", "syslog", "cef", "csv",
 * "json-document", "evtx". */
const char *ruru_log_kind_name(enum ruru_log_kind k);
/* Parses a --log-format name, or one of the aliases nginx (apache), iis (w3c), exchange (csv),
 * json and ecs (jsonl), suricata (eve), zeek-tsv (zeek); RURU_KIND__COUNT when unknown. */
enum ruru_log_kind ruru_log_kind_parse(const char *name);

/* Looks at up to the first 64 KiB / 32 lines of `data`. */
enum ruru_log_kind ruru_log_detect(const char *data, size_t len);

#endif
