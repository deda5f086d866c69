/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syslog lines, RFC 5424 and RFC 3164 (BSD), as a relay or a file writer leaves them:
 *
 *   <165>1 2003-10-11T22:14:15.003Z mymachine evntslog 1234 ID47 [ex@32473 iut="3"] msg
 *   <34>Oct 11 22:14:15 mymachine su[42]: 'su root' failed for lonvick on /dev/pts/8
 *   Oct 11 22:14:15 mymachine su: 'su root' failed           (a file: no <PRI>)
 *
 * RFC 3164 time stamps carry neither a year nor a zone: the caller's year_hint gives the year
 * (the file's modification year, say) and the time is taken as UTC. A 5424 time stamp keeps
 * its offset; fractions of a second are dropped in both.
 */
#ifndef RURU_LOGS_SYSLOG_H
#define RURU_LOGS_SYSLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "logs/record.h"

/*
 * Parses one syslog line (a trailing CR/LF is ignored) into r, format RURU_LOG_SYSLOG.
 *
 *   line, len   the line; need not be NUL-terminated, may hold any bytes.
 *   year_hint   the year of a 3164 time stamp (unused for 5424).
 *   r           OUT: the record. r->time is unix seconds UTC, or RURU_TIME_NONE for a 5424
 *               nil time stamp.
 *
 * Fields, native name -> canonical name (nil "-" header values are left out):
 *   pri -> log.syslog.priority, facility -> log.syslog.facility.code,
 *   severity -> log.syslog.severity.code, timestamp -> @timestamp,
 *   hostname -> host.hostname, app-name (5424) / tag (3164) -> process.name,
 *   procid (5424) / pid (3164) -> process.pid, msgid -> event.code, msg -> message,
 *   and each 5424 structured-data parameter under its own name (canonical name NULL; the
 *   value is the raw text between the quotes, escapes kept).
 *
 * Ownership: every value is a slice of `line`, except facility and severity, whose decimal
 * text points to static storage (the numbers are derived from PRI, not written in the line).
 * Native names of structured-data parameters are slices of `line` too. Nothing is allocated.
 *
 * Returns false when the line is not syslog (bad PRI, a 5424 header with missing fields or a
 * malformed structured-data element, no recognisable time stamp); r is then unspecified.
 * Thread-safe: no state besides `r`.
 */
bool ruru_syslog_parse(const char *line, size_t len, int year_hint, struct ruru_record *r);

#endif
