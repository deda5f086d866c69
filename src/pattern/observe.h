/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Log records as STIX 2.1 cyber-observable objects, for the pattern engine (pattern.h): what a
 * record observed (addresses and the connection between them, the HTTP request, URLs, domain
 * names, files and their hashes, the process, the account, the e-mail) as the objects of one
 * observed-data, keyed "0", "1", ... with _ref properties between them.
 */
#ifndef RURU_PATTERN_OBSERVE_H
#define RURU_PATTERN_OBSERVE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "logs/record.h"

/* The objects of the record (a JSON object of key -> SCO), owned by the caller; NULL only
 * when memory ran out. A record that observed nothing gives an empty object. */
json_t *ruru_observe_record(const struct ruru_record *r);
/* The same, making only the objects of `types` (ruru_observe_type_bit) and those they reach by
 * reference: what a pattern naming those types sees, for less. */
json_t *ruru_observe_record_of(const struct ruru_record *r, uint32_t types);

/* The bit of an object type among those records are seen as (ipv4-addr, ipv6-addr,
 * network-traffic, url, domain-name, file, directory, process, user-account, email-message,
 * email-addr), or 0 for a type no record shows. */
uint32_t ruru_observe_type_bit(const char *type);

/* The types ruru_observe_record could give the record (a superset, from its field names
 * alone: cheap enough to ask of every record). */
uint32_t ruru_observe_types(const struct ruru_record *r);

/* The decoded values of the fields ruru_observe_record reads that the record's line
 * line[0..len) does not hold as they are (JSON escapes, bytes a parser made elsewhere), one per
 * line, into out (emptied first); line may be NULL (then every value). Every string an object
 * made of the record holds is in the line or in out, or is a constant, or joins two values
 * (ruru_pattern_needles). False when out is full or memory ran out. */
bool ruru_observe_text(const struct ruru_record *r,
                       const char *line,
                       size_t len,
                       struct ruru_buf *out);

#endif
