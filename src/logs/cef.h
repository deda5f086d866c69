/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ArcSight Common Event Format (CEF), alone on a line or after a syslog header:
 *
 *   Oct 11 22:14:15 fw1 CEF:0|Vendor|Product|1.0|100|Port scan|5|src=10.0.0.1 dpt=443 act=block
 *
 * Seven '|'-separated header fields ("\|" and "\\" escape inside them), then an extension of
 * key=value pairs separated by spaces, where a value runs until the next " key=" ("\=" escapes
 * inside values). Values with escapes are returned raw, as slices of the line.
 */
#ifndef RURU_LOGS_CEF_H
#define RURU_LOGS_CEF_H

#include <stdbool.h>
#include <stddef.h>

#include "logs/record.h"

/*
 * Parses one line (a trailing CR/LF is ignored) into r, format RURU_LOG_CEF. The CEF part is
 * the first "CEF:" at the start of the line or after a space; what precedes it (a syslog
 * header) is skipped.
 *
 *   r   OUT: the record. r->time comes from the "rt" key: epoch milliseconds (12 to 18
 *       digits; 9 to 11 digits are taken as seconds), or
 *       "MMM dd yyyy HH:mm:ss[.SSS][ zone]" where zone is UTC/GMT/Z or a numeric offset (no
 *       zone is UTC; a named zone other than those leaves RURU_TIME_NONE), or RFC 3339.
 *       RURU_TIME_NONE when there is no usable rt.
 *
 * Fields, native name -> canonical name (empty values are left out):
 *   deviceVendor -> observer.vendor, deviceProduct -> observer.product,
 *   deviceVersion -> observer.version, deviceEventClassId -> event.code, name -> rule.name,
 *   severity -> event.severity; then every extension key under its own name, canonical for
 *   src, dst, spt, dpt, shost, dhost, suser, duser, smac, dmac, request, requestMethod,
 *   requestClientApplication, fname, fileHash, rt, dvchost, dvc, act, msg, proto and their
 *   long ArcSight forms (sourceAddress, ...); NULL for other keys.
 *
 * Ownership: names and values are slices of `line` or static strings; nothing is allocated.
 * Returns false when there is no "CEF:" with seven header fields; r is then unspecified. An
 * extension that stops making sense (a key without '=') ends the record there; the fields
 * before it are kept. Thread-safe: no state besides `r`.
 */
bool ruru_cef_parse(const char *line, size_t len, struct ruru_record *r);

/* The format's entry in the table of formats (logs/formats.h). */
struct ruru_logfmt;
extern const struct ruru_logfmt ruru_cef_format;

#endif
