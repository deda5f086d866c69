/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Kafka side alone, for bench/stream.py: a consumer group member configured as a `ruru
 * stream` worker's consumer (cooperative-sticky, no auto-commit, the same prefetch settings)
 * that reads the topic from its start and does nothing with the messages but count them and
 * their lines. What it reaches is the most any worker can on the same brokers and cores:
 * the sweep's share is what a worker loses beside it.
 *
 *   kconsume BROKERS GROUP TOPIC MESSAGES
 *
 * Prints "MESSAGES LINES SECONDS": the messages and lines read and the time from the first
 * message to the last (joining the group and the first fetch are not counted); exits 1 when
 * the messages did not all come within 300 s.
 */
#include <librdkafka/rdkafka.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stream/kafka_defaults.h"

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int set(rd_kafka_conf_t *conf, const char *name, const char *value)
{
    char errstr[512];

    if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "kconsume: %s: %s\n", name, errstr);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const char *const props[] = {RURU_KAFKA_CONSUMER_DEFAULTS, "enable.auto.commit", "false",
                                        NULL};
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_topic_partition_list_t *topics;
    rd_kafka_message_t *batch[1000];
    rd_kafka_queue_t *q;
    rd_kafka_t *rk;
    char errstr[512];
    long want, got = 0, lines = 0;
    double first = 0, last = 0, deadline;

#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 64 << 20); /* as `ruru stream` (cli/stream.c says why) */
#endif
    if (argc != 5 || (want = atol(argv[4])) <= 0) {
        fprintf(stderr, "usage: kconsume BROKERS GROUP TOPIC MESSAGES\n");
        return 2;
    }
    if (set(conf, "bootstrap.servers", argv[1]) != 0 || set(conf, "group.id", argv[2]) != 0)
        return 2;
    for (size_t i = 0; props[i] != NULL; i += 2)
        if (set(conf, props[i], props[i + 1]) != 0)
            return 2;
    if ((rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr))) == NULL) {
        fprintf(stderr, "kconsume: %s\n", errstr);
        return 2;
    }
    rd_kafka_poll_set_consumer(rk);
    topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, argv[3], RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    q = rd_kafka_queue_get_consumer(rk);
    deadline = now() + 300;
    while (got < want && now() < deadline) {
        ssize_t n = rd_kafka_consume_batch_queue(q, 100, batch, 1000);
        for (ssize_t i = 0; i < n; i++) {
            const rd_kafka_message_t *m = batch[i];
            if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                const char *p = m->payload, *end = p + m->len;
                if (got++ == 0)
                    first = now();
                lines++;
                /* the lines of a many-line message (a line end ends a line, not the last) */
                while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL && ++p < end)
                    lines++;
            }
            rd_kafka_message_destroy(batch[i]);
        }
        if (n > 0)
            last = now();
    }
    rd_kafka_queue_destroy(q);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    printf("%ld %ld %.6f\n", got, lines, last - first);
    return got < want ? 1 : 0;
}
