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

/* The skim (logs/formats.h): true when ruru_w3c_parse would give a RECORD for the line that
 * fits (not truncated), with its time in *time, without changing w. *view is the line as the
 * full pass reads its fields: the line itself, or room (len bytes) holding it with the
 * '+'-encoded columns (cs(...)) decoded in place by ruru_w3c_plus_decode; with room NULL, a
 * line that needs decoding is refused. */
bool ruru_w3c_skim(const struct ruru_w3c *w,
                   const char *line,
                   size_t len,
                   int64_t *time,
                   char *room,
                   const char **view);

/* IIS writes a space in a header value as '+', and a '+' as itself: the '+' of a bot's
 * "(+http://...)" or "; +http://..." (";++http") is kept, the others become spaces. out: n
 * bytes (it may be v). */
void ruru_w3c_plus_decode(const char *v, size_t n, char *out);

/* The format's entry in the table of formats (logs/formats.h). */
struct ruru_logfmt;
extern const struct ruru_logfmt ruru_w3c_format;

#endif
