/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Submitted sightings (ruru_sightings_submitted, include/ruru.h) span two files: submit_read.c
 * reads what a constituent sent (JSON lines, an array, {"sightings": [...]}, a STIX 2.1 bundle)
 * into one plain description per item, and submit.c writes those to the spool, sweeps it with
 * the CERT's intel and makes the sighting documents.
 *
 * An item's description (a JSON object) holds only what the constituent says it saw:
 *   {"time": unix seconds (absent: none), "asset": "EXCH01", "asset_is_ip": false,
 *    "values": [{"field": "dns.question.name", "value": "a.evil.example"}, ...],
 *    "original": "the record as the constituent's tool wrote it",
 *    "tool": "...", "provider": "...", "path": "...", "count": N, "last_seen": "...",
 *    "claim": {"type": "domain", "value": "evil.example", "description": "...", "tlp": "...",
 *              "labels": [...]},
 *    "actors": ["APT40"]}
 * `values` is never empty; every string in it is at most RURU_SUBMIT_MAX_VALUE bytes.
 */
#ifndef RURU_CASES_SUBMIT_INT_H
#define RURU_CASES_SUBMIT_INT_H

#include <jansson.h>
#include <ruru.h>
#include <stddef.h>
#include <stdint.h>

/* One call's items: a serving process answers many constituents, and one of them must not hold
 * it for long; a tool's day of findings fits. */
#define RURU_SUBMIT_MAX_ITEMS 100000u
/* One item: a sighting document is a few KiB, a record with its line at most the sweep's 64
 * KiB of event.original; a megabyte is no sighting. */
#define RURU_SUBMIT_MAX_ITEM_BYTES (1024u * 1024u)
/* One observed value: longer than any URL a browser sends (8 KiB), so no indicator value. */
#define RURU_SUBMIT_MAX_VALUE 8192u
/* Observed values of one item: a STIX observed-data of more objects is a dump, not a sighting. */
#define RURU_SUBMIT_MAX_VALUES 64u
/* Actors an item claims, kept as its claim. */
#define RURU_SUBMIT_MAX_ACTORS 32u

struct ruru_submit_item {
    uint64_t line; /* 1-based line of buf the item starts on; 0 when not known */
    json_t *desc;  /* the description above; NULL when the item is rejected */
    char reason[200];
};

/* Reads `buf` into items, in order (numbered from 1). OUT: *items (free with
 * ruru_submit_items_free) and *n_items. A bad item is described as rejected with its reason.
 * RURU_EPARSE when buf is none of the shapes, RURU_ELIMIT beyond RURU_SUBMIT_MAX_ITEMS items,
 * RURU_ENOMEM; then *items is untouched. */
enum ruru_err ruru_submit_read(const char *buf,
                               size_t len,
                               struct ruru_submit_item **items,
                               size_t *n_items,
                               struct ruru_diag *diag);
void ruru_submit_items_free(struct ruru_submit_item *items, size_t n_items);

/* The ECS field an observed value is written in: `given` when it is one the sweep reads for
 * such values, else one chosen by the value's type ("message" when it has none). */
const char *ruru_submit_field(const char *given, const char *value);

#endif
