/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The table of log formats. Each format the sweep reads is one entry, a struct ruru_logfmt
 * defined beside its parser (w3c.c defines ruru_w3c_format, ...) and listed once in formats.c:
 * its name, how detection recognises it (detect.c), the per-input state its parser keeps, and
 * the parser itself. The reader (scan/input.c) and the matchers (scan/scan.c) know a format
 * only through its entry: one indirect call per line, no switch on the kind.
 *
 * The table's order is detection's: for a line that several formats would claim, the first
 * entry that claims it has it (a JSON line with "event_type" is EVE before it is JSON lines;
 * CEF after a syslog header is CEF, not syslog).
 *
 * Adding a format: its parser file defines its entry (static adapters to the signatures
 * below), this header's enum gets its kind, and formats.c's table gets one line, at its place
 * in detection order. docs/internals/formats.md.
 */
#ifndef RURU_LOGS_FORMATS_H
#define RURU_LOGS_FORMATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"
#include "logs/record.h"
#include "logs/syslog.h"

/* A format's identity: what the summary and the rules' logsources know an input by. */
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

/* What a format's state is told of its input when it is set up. */
struct ruru_logfmt_opts {
    struct ruru_syslog_year year; /* for syslog lines without one */
};

/* What one line of the start of an input says of a format, in detection. */
enum ruru_logfmt_claim {
    RURU_CLAIM_NONE = 0,
    RURU_CLAIM_SURE, /* the input is in this format: detection ends */
    RURU_CLAIM_HINT, /* it is, unless another directive decides (the first hint counts) */
};

/* Other names --log-format takes for a format, at most. */
#define RURU_LOGFMT_ALIASES 3

/* What a format's skim tells of a line it answers for. */
struct ruru_skim {
    int64_t time; /* the record's time; RURU_TIME_NONE when it has none */
    /* The line as the full pass reads its fields, len bytes: the line itself, or `room` with
     * the fields that are decoded (W3C's '+') decoded in place. */
    const char *view;
    char *room; /* set by the caller: len bytes the skim may write the view into */
};

/*
 * One format. Every function may be NULL unless said otherwise. None keeps anything of its
 * own between calls: any thread may call them, a state being one thread's at a time.
 *
 * Detection (detect.c) looks at the first 64 KiB / 32 lines of an input, lines trimmed, a
 * UTF-8 byte order mark skipped:
 *   sniff      the start of the input claims it outright (before any line is looked at).
 *   directive  a line starting with '#'; the first entry to claim the line has it.
 *   sample     the data lines (not '#') as a whole claim the input, when no directive did.
 *   vote       one data line is of this format; the first entry to claim a line has its
 *              vote, and a format with the votes of most sampled lines is the input's.
 * A format none of these claims is reached by --log-format, or by the reader itself (an
 * event log, by its file's signature); text is the fallback.
 *
 * State: state_size bytes per input (each chunk has its own copy), 0 when the parser keeps
 * none. init sets one up for an input, copy makes a chunk's copy of the reader's (stateful
 * formats only), fini frees what init or copy took; init and copy return false when memory ran
 * out (nothing is then held).
 *
 * Invariants (tests/unit/test_formats.c): parse is never NULL; stateful implies copy; a
 * state_size of 0 means no init, copy, fini or header_pending.
 */
struct ruru_logfmt {
    enum ruru_log_kind kind;
    const char *name;                         /* as --log-format and the summary spell it */
    const char *aliases[RURU_LOGFMT_ALIASES]; /* --log-format's other names, NULL after the last */
    const char *quiet_alias; /* one more name --log-format takes but does not list, or NULL */
    bool unlisted;           /* the format is taken by --log-format, not named in its list */

    /* detection */
    bool (*sniff)(const char *data, size_t len);
    enum ruru_logfmt_claim (*directive)(const char *line, size_t len);
    bool (*sample)(const struct ruru_str *lines, size_t n_lines);
    bool (*vote)(const char *line, size_t len);

    /* state */
    size_t state_size;
    bool (*init)(void *state, const struct ruru_logfmt_opts *opts);
    bool (*copy)(void *dst, const void *src);
    void (*fini)(void *state);
    /* The state follows the input's directives (a W3C "#Fields:" names the columns of the lines
     * after it): the reader feeds every '#' line at the start of a line to its own state, in
     * input order, and each chunk parses with a copy taken where the chunk starts. */
    bool stateful;
    /* The state still waits for a header row (a CSV log without "#Fields:" names its columns
     * in its first row): the reader feeds it every line, not only '#' ones, until it has one. */
    bool (*header_pending)(const void *state);

    /* lines */
    /* One line (without its line end; a JSON element for a JSON document) into r: what it
     * was. Field values are slices of `line`; names may point into the state, valid until its
     * next directive. On BAD, r is unspecified. Never NULL. */
    enum ruru_log_line (*parse)(void *state, const char *line, size_t len, struct ruru_record *r);
    /* The skim: true when parse would give a RECORD for the line that fits (not truncated),
     * told without filling a record and without changing the state, with what the sweep's
     * quick question needs in *out (struct ruru_skim); false when it would not, or might not
     * (a directive, a line in doubt): then the sweep parses it. Only for formats whose fields
     * are the line's bytes as they are, or decoded in place to as many bytes (W3C's '+' for a
     * space), and whose records all have the logsource facts of the input's last record (the
     * sweep answers for a skimmed line from that record): see process_chunk in
     * src/scan/scan.c. NULL: the sweep always parses in full. */
    bool (*skim)(const void *state, const char *line, size_t len, struct ruru_skim *out);
    /* The skim's view of a line may differ from the line (some fields decoded): the sweep then
     * asks its quick question line by line, not of a window of lines at once (a window cut
     * for one line would mostly serve none). */
    bool skim_decodes;
    /* A line means the same alone as in its file (no header before it, no document across
     * lines): the stream joins one-line messages of such formats into one input. */
    bool lines_stand_alone;
};

/* The i-th format in detection order (0-based), or NULL past the last. */
const struct ruru_logfmt *ruru_logfmt_at(size_t i);
/* The format of a kind; text's for a kind out of range. Never NULL. */
const struct ruru_logfmt *ruru_logfmt_get(enum ruru_log_kind kind);
/* The format named `name` or one of its aliases (exact, case-sensitive), or NULL. */
const struct ruru_logfmt *ruru_logfmt_find(const char *name);
/* The names --log-format takes, in kind order, aliases in parentheses, separated by spaces:
 * "text apache (nginx) w3c (iis) ...". Static storage; thread-safe. */
const char *ruru_logfmt_names(void);

/* "text", "apache", "w3c", "zeek", "zeek-json", "eve", "jsonl", "syslog", "cef", "csv",
 * "json-document", "evtx": a format's name; "text" for a kind out of range. */
const char *ruru_log_kind_name(enum ruru_log_kind k);
/* Parses a --log-format name, or one of the aliases nginx (apache), iis (w3c), exchange (csv),
 * json and ecs (jsonl), json-array (json-document), suricata (eve), zeek-tsv (zeek);
 * RURU_KIND__COUNT when unknown. */
enum ruru_log_kind ruru_log_kind_parse(const char *name);

#endif
