/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Windows event log files (.evtx), read with Debian's libevtx. Each record becomes one JSON
 * line shaped like the usual export of a Windows event (Event.System.*, with element
 * attributes under "#attributes", and Event.EventData.<Name> for each named Data element),
 * so that it is parsed, mapped and matched as Windows events exported to JSON are (Sigma's
 * product: windows rules, DESIGN.md §5).
 *
 * The evidence of a record is its own bytes in the file: its offset and size come from the
 * file's chunk layout (a record starts with "**\0\0" and its size), found by ruru's scan of
 * the chunks, and the SHA-256 is of those bytes, so `ruru verify` can re-read them.
 */
#ifndef RURU_LOGS_EVTX_H
#define RURU_LOGS_EVTX_H

#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct ruru_evtx;

/* Does the file at `path` start with the .evtx signature ("ElfFile\0")? */
bool ruru_evtx_is(const char *path);

/* Opens the event log. OUT: *out (ruru_evtx_close). RURU_EIO / RURU_EPARSE with the reason
 * libevtx gives. */
enum ruru_err ruru_evtx_open(const char *path, struct ruru_evtx **out, struct ruru_diag *diag);
void ruru_evtx_close(struct ruru_evtx *x);
size_t ruru_evtx_count(const struct ruru_evtx *x);

/* Record i (0-based, file order): its event as one JSON line appended to `json` (no
 * newline), and where its bytes are: *offset and *length (0, 0 when the chunk scan did not
 * find it) and their SHA-256 in sha256[32] (zeroes then). RURU_EPARSE when libevtx cannot
 * read the record (the sweep counts it unparsed and goes on). */
enum ruru_err ruru_evtx_record(struct ruru_evtx *x,
                               size_t i,
                               struct ruru_buf *json,
                               uint64_t *offset,
                               uint32_t *length,
                               unsigned char sha256[32],
                               struct ruru_diag *diag);

/* The event XML libevtx renders, as one JSON line appended to `out`. False when the XML is
 * not well formed (out is then unspecified). Exposed for the fuzz target. */
bool ruru_evtx_xml_to_json(const char *xml, size_t len, struct ruru_buf *out);

/* Finds the records of an .evtx image: calls fn(record id, offset, size) for every record of
 * every chunk. Exposed for the fuzz target; bounded by the image, whatever it holds. */
void ruru_evtx_scan_records(const unsigned char *file,
                            size_t len,
                            void (*fn)(uint64_t id, uint64_t off, uint32_t size, void *ctx),
                            void *ctx);

#endif
