/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Apache and Nginx access logs, "common" and "combined" (apache.c). Each line stands alone:
 * the parser keeps no state.
 */
#ifndef RURU_LOGS_APACHE_H
#define RURU_LOGS_APACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "logs/record.h"

/* Parses an Apache/Nginx access log line ("common" or "combined") into r (fields point into
 * `line`). Returns false when the line is not of that shape; r is then unspecified. */
bool ruru_apache_parse(const char *line, size_t len, struct ruru_record *r);
/* True when ruru_apache_parse would take the line as a record that fits (not truncated), with
 * *time its time; false when it would not, or might not: then the line is to be parsed. */
bool ruru_apache_skim(const char *line, size_t len, int64_t *time);

/* Parses the access-log time "10/Oct/2000:13:55:36 -0700" into unix seconds UTC. */
bool ruru_apache_time(const char *s, size_t len, int64_t *out);

/* The format's entry in the table of formats (logs/formats.h). */
struct ruru_logfmt;
extern const struct ruru_logfmt ruru_apache_format;

#endif
