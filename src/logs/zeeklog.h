/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zeek TSV logs (conn, dns, http, ssl, x509, files ...). Stateful like W3C: the header
 * directives (#separator, #set_separator, #empty_field, #unset_field, #path, #fields) apply to
 * the lines after them and may repeat, so one parser instance follows one input.
 */
#ifndef RURU_LOGS_ZEEKLOG_H
#define RURU_LOGS_ZEEKLOG_H

#include "logs/record.h"

#define RURU_ZEEK_MAX_HEADER 8192

struct ruru_zeeklog {
    char header[RURU_ZEEK_MAX_HEADER]; /* names of the last #fields line */
    struct ruru_str names[RURU_MAX_FIELDS];
    const char *canon[RURU_MAX_FIELDS];
    size_t n_names;
    int ts_col;
    char sep[8];
    size_t sep_len;
    char empty[32], unset[32];
    size_t empty_len, unset_len;
    char path[64]; /* the log's #path ("http"), for canonical names that depend on it */
};

/* The canonical name of a Zeek field name ("id.orig_h": "source.ip"), or NULL. Zeek JSON logs
 * use the same names. */
const char *ruru_zeeklog_canon(const char *name, size_t len);

void ruru_zeeklog_init(struct ruru_zeeklog *z);
/* Feeds one line (without newline); record fields point into `line`. `ts` (epoch seconds with
 * a fraction) becomes the record time; an unparsable one leaves it RURU_TIME_NONE. Returns
 * DIRECTIVE for a '#' line, RECORD for a data line parsed into r, BAD for one that does not
 * fit the current #fields. */
enum ruru_log_line
ruru_zeeklog_parse(struct ruru_zeeklog *z, const char *line, size_t len, struct ruru_record *r);
/* True when ruru_zeeklog_parse would take the line as a record that fits (not truncated), with
 * *time its time (RURU_TIME_NONE when it has none), without changing the state; false when it
 * would not, or might not: then the line is to be parsed. */
bool ruru_zeeklog_skim(const struct ruru_zeeklog *z, const char *line, size_t len, int64_t *time);

/* The format's entry in the table of formats (logs/formats.h). */
struct ruru_logfmt;
extern const struct ruru_logfmt ruru_zeeklog_format;

#endif
