/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stream worker's own parts (ruru_kafka_run in ruru.h): kafka.c runs the consumer group
 * member; config.c reads --kafka-config files, writes the status file and reads the records
 * of a sightings topic. Nothing outside src/stream includes this header.
 */
#ifndef RURU_STREAM_STREAM_INT_H
#define RURU_STREAM_STREAM_INT_H

#include <jansson.h>
#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>

#include "stream/rdk_lib.h"

/* Sets the property=value lines of `text` ('#' comments and blank lines skipped, spaces
 * around both trimmed) on `conf` (NULL: only checked, on a scratch configuration). RURU_EINVAL
 * naming `file` and the line for a line without '=', an unknown property or a bad value; the
 * value of a secret (a property whose name holds "password", "secret" or "key") is never
 * said. */
enum ruru_err ruru_kafka_conf_apply(rd_kafka_conf_t *conf,
                                    const char *text,
                                    size_t len,
                                    const char *file,
                                    struct ruru_diag *diag);

/* The counters as the status file's JSON document (docs/stream.md, "Status"). */
json_t *ruru_kafka_status_json(const struct ruru_kafka_stats *st,
                               const char *group,
                               const char *client_id,
                               int64_t now);

/* Writes `doc` to `path` through a temporary file renamed over it, so a reader sees the old
 * document or the new one, never a part. */
enum ruru_err ruru_kafka_status_write(json_t *doc, const char *path, struct ruru_diag *diag);

/* A record of a sightings topic: one sighting document as `ruru scan --format jsonl` writes
 * it (trailing blank space allowed). OUT: *out, the document (a new reference). RURU_EPARSE
 * with the reason for anything else: not JSON, not an object, no ruru object with an
 * indicator or a rule, a log.file.path that is no string, a log.offset that is no offset, a
 * ruru.sha256 that is no 64-digit SHA-256. */
enum ruru_err
ruru_kafka_sighting_read(const char *buf, size_t len, json_t **out, struct ruru_diag *diag);

/* The key of a sighting on the sightings topic: its asset (ruru.asset: the host name or the
 * internal address the record is about), else host.name, else the source partition (its
 * log.file.path up to the offset: "kafka:TOPIC/PARTITION"), else "". OUT: *len. */
const char *ruru_kafka_sighting_key(json_t *doc, size_t *len);

/* Whether a message (of a format whose lines stand alone) can join a run of its partition's
 * messages, swept as one input: one plain line (not empty, no line end, no carriage return,
 * not gzip, zstd or an event log's signature, at most 64 KiB: a longer one gains nothing from
 * joining, and would be cut across chunks). */
bool ruru_kafka_joinable(const void *payload, size_t len);

#endif
