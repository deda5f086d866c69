/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CSV logs with a header: Microsoft Exchange logs (HttpProxy, ECP, OAB, message tracking),
 * which name their columns in a "#Fields:" directive, and generic CSV exports whose first row
 * names the columns:
 *
 *   #Software: Microsoft Exchange Server
 *   #Fields: DateTime,RequestId,Method,UrlStem,ClientIpAddress,UserAgent
 *   2021-03-02T10:11:12.345Z,5e1c,POST,/ecp/DDI/DDIService.svc,203.0.113.7,"python, 3"
 *
 * Stateful like W3C (w3c.h): one parser instance follows one input from its first line.
 */
#ifndef RURU_LOGS_CSVLOG_H
#define RURU_LOGS_CSVLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "logs/record.h"

/* A header longer than this keeps only the names that fit: Exchange logs name ~60 columns in
 * under 2 KiB; this bounds hostile headers and the copy. */
#define RURU_CSVLOG_MAX_HEADER 8192

/*
 * Invariants: names[0..n_names) point into header; n_names <= n_cols and
 * n_names <= RURU_MAX_FIELDS; n_cols == 0 until a header has been seen.
 */
struct ruru_csvlog {
    char header[RURU_CSVLOG_MAX_HEADER]; /* copy of the column names of the last header */
    struct ruru_str names[RURU_MAX_FIELDS];
    const char *canon[RURU_MAX_FIELDS];
    size_t n_names; /* names kept: the first RURU_MAX_FIELDS that fit in header */
    size_t n_cols;  /* columns of the header: a data line must have exactly this many */
    int time_col;   /* the first @timestamp column, -1 when none */
    int date_col;   /* columns named "date" and "time", combined when both exist; else -1 */
    int clock_col;
};

/* Prepares c for a new input (c is caller-owned; nothing to free). */
void ruru_csvlog_init(struct ruru_csvlog *c);

/*
 * Feeds one line (a trailing CR/LF and a leading UTF-8 byte order mark are ignored).
 *
 * The header is the last "#Fields:" directive (comma-separated names), or else the first
 * non-'#' line. Other '#' lines are skipped. Data lines are RFC 4180 CSV: a field in double
 * quotes may hold commas, and "" inside it stands for one quote; the value is returned
 * without the surrounding quotes but with any "" left as written (a slice cannot unescape).
 * A quoted field cannot span lines: an unterminated quote makes the line BAD.
 *
 * r: OUT, format RURU_LOG_CSV. Values are slices of `line` (empty values are left out); native
 * names point into c and stay valid until the next header. Canonical names, matched without
 * regard to case:
 *   Exchange HttpProxy/ECP/OAB: DateTime -> @timestamp, ClientIpAddress -> source.ip,
 *     ServerHostName -> host.name, UrlHost -> url.domain, UrlStem -> url.path,
 *     UrlQuery -> url.query, UserAgent -> user_agent.original, AuthenticatedUser -> user.name,
 *     Method -> http.request.method, HttpStatus -> http.response.status_code.
 *   Exchange message tracking: date-time -> @timestamp, client-ip -> source.ip,
 *     server-ip -> destination.ip, sender-address -> email.from.address,
 *     recipient-address -> email.to.address, message-subject -> email.subject,
 *     message-id -> email.message_id, client-hostname -> source.domain,
 *     server-hostname -> host.name.
 *   Generic: src_ip/source_ip/src/client_ip -> source.ip,
 *     dst_ip/dest_ip/dst/destination_ip -> destination.ip, url -> url.original,
 *     domain -> url.domain, hostname/host -> host.name,
 *     user_agent/useragent -> user_agent.original, user/username -> user.name,
 *     md5/sha1/sha256 -> file.hash.md5/.sha1/.sha256,
 *     timestamp/time/date/datetime/@timestamp -> @timestamp,
 *     and a column already named by one of these canonical names keeps it.
 * r->time: the time column through ruru_time_parse (ISO 8601 with Z or an offset, no zone is
 * UTC, or epoch seconds); "date" and "time" columns are joined. RURU_TIME_NONE otherwise.
 * A header of more than RURU_MAX_FIELDS columns keeps the first ones, and a record that
 * loses a non-empty value past them has r->truncated set.
 *
 * Returns what the line was: DIRECTIVE for a '#' line or the header row (the state may have
 * changed), RECORD for a data line parsed into r, BAD for a data line that does not fit the
 * header, or when there is no header yet; on BAD, r is unspecified. Thread-safety: one
 * instance per thread.
 */
enum ruru_log_line
ruru_csvlog_parse(struct ruru_csvlog *c, const char *line, size_t len, struct ruru_record *r);

/* The format's entry in the table of formats (logs/formats.h). */
struct ruru_logfmt;
extern const struct ruru_logfmt ruru_csvlog_format;

#endif
