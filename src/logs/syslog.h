/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syslog lines, RFC 5424 and RFC 3164 (BSD), as a relay or a file writer leaves them:
 *
 *   <165>1 2003-10-11T22:14:15.003Z mymachine evntslog 1234 ID47 [ex@32473 iut="3"] msg
 *   <34>Oct 11 22:14:15 mymachine su[42]: 'su root' failed for lonvick on /dev/pts/8
 *   Oct 11 22:14:15 mymachine su: 'su root' failed           (a file: no <PRI>)
 *
 * RFC 3164 time stamps carry neither a year nor a zone. The time is taken as UTC, and the year
 * is the latest that does not put the record after a reference time the caller knows to follow
 * every record - the file's modification time, or now for standard input - so a log read on
 * 5 January dates its "Dec 31" lines in the year before and its "Jan 5" lines in the year of
 * the read. A day of slack is allowed: a 3164 time is the writer's local time, read here as
 * UTC, and a writer east of Greenwich (up to UTC+14) writes its last lines "after" the file's
 * modification time in UTC; without the slack they would be put a whole year back. A year the
 * caller forces (`ruru scan --year`) overrides the inference. A 5424 time stamp keeps its
 * offset; fractions of a second are dropped in both.
 */
#ifndef RURU_LOGS_SYSLOG_H
#define RURU_LOGS_SYSLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "logs/record.h"

/* How a 3164 time stamp gets its year. */
struct ruru_syslog_year {
    int year;          /* > 0: this year, whatever the reference time says */
    int64_t not_after; /* else: the latest year that puts the record no later than this unix
                        * time plus RURU_SYSLOG_SLACK_S */
};

/* The slack past not_after a record may lie: the widest UTC offset (+14 h) and a margin. */
#define RURU_SYSLOG_SLACK_S 86400

/* The year, inferred or forced, of a 3164 time stamp of month mo (1-12), day d and seconds of
 * the day sod. */
int ruru_syslog_infer_year(const struct ruru_syslog_year *y, unsigned mo, unsigned d, int64_t sod);

/*
 * Parses one syslog line (a trailing CR/LF is ignored) into r, format RURU_LOG_SYSLOG.
 *
 *   line, len   the line; need not be NUL-terminated, may hold any bytes.
 *   year        how a 3164 time stamp gets its year (unused for 5424).
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
bool ruru_syslog_parse(const char *line,
                       size_t len,
                       const struct ruru_syslog_year *year,
                       struct ruru_record *r);

/* The format's entry in the table of formats (logs/formats.h); its state is the input's
 * struct ruru_syslog_year. */
struct ruru_logfmt;
extern const struct ruru_logfmt ruru_syslog_format;

#endif
