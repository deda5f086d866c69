/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IIS / W3C extended log files. They are stateful: a "#Fields:" directive names the columns
 * of the lines after it, and may change mid-file (IIS rewrites it on restart or when the
 * logged fields change), so a parser instance follows one input from its first line.
 */
#ifndef RURU_LOGS_W3C_H
#define RURU_LOGS_W3C_H

#include "logs/record.h"

/* A #Fields line longer than this is refused: IIS logs at most ~30 fields. */
#define RURU_W3C_MAX_HEADER 8192

struct ruru_w3c {
    char header[RURU_W3C_MAX_HEADER]; /* copy of the last #Fields line's names */
    struct ruru_str names[RURU_MAX_FIELDS];
    const char *canon[RURU_MAX_FIELDS];
    unsigned char enc[RURU_MAX_FIELDS]; /* enum ruru_field_enc of each column */
    size_t n_names;
    int date_col, time_col; /* -1 when absent */
};

void ruru_w3c_init(struct ruru_w3c *w);
/* Feeds one line (without newline). Record fields point into `line`; the native names point
 * into w, valid until the next #Fields line. Time stamps are UTC, as IIS writes them.
 * Returns DIRECTIVE for a '#' line (the state may have changed), RECORD for a data line parsed
 * into r, BAD for a data line that does not fit the current #Fields. */
enum ruru_log_line
ruru_w3c_parse(struct ruru_w3c *w, const char *line, size_t len, struct ruru_record *r);

/* The format's entry in the table of formats (logs/formats.h). */
struct ruru_logfmt;
extern const struct ruru_logfmt ruru_w3c_format;

#endif
