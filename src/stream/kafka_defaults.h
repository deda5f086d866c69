/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The consumer settings of a `ruru stream` worker that differ from librdkafka's defaults
 * (docs/stream.md, "Defaults that differ from librdkafka's"), as property/value pairs. A
 * header of its own so that bench/kconsume.c, the Kafka side alone, reads the way a worker
 * does.
 *
 * queued.min.messages: librdkafka (2.0.2) stops fetching while the consumer's queue holds more
 * than this, counted over all its partitions, and looks again only about a second later; a
 * worker that empties 100,000 messages (the default) in half of that waits the other half, so
 * the bound is the queue's size in bytes (queued.max.messages.kbytes, 64 MiB) instead.
 * fetch.wait.max.ms: a fetch with nothing to bring is answered within 100 ms, for brokers that
 * hold it for the whole wait. Nagle off, as Kafka's own clients have it.
 */
#ifndef RURU_STREAM_KAFKA_DEFAULTS_H
#define RURU_STREAM_KAFKA_DEFAULTS_H

#define RURU_KAFKA_CONSUMER_DEFAULTS                                                              \
    "partition.assignment.strategy", "cooperative-sticky", "auto.offset.reset", "earliest",       \
            "queued.min.messages", "1000000", "fetch.wait.max.ms", "100", "socket.nagle.disable", \
            "true"

#endif
