/* SPDX-License-Identifier: Apache-2.0 */
/*
 * librdkafka, loaded when a stream worker first needs it (base/dynlib.h): the functions
 * src/stream calls, by their own names, through a table filled at that moment. ruru_rdk_load()
 * must have succeeded before any of them is called (ruru_kafka_run and ruru_kafka_conf_apply
 * do it).
 */
#ifndef RURU_STREAM_RDK_LIB_H
#define RURU_STREAM_RDK_LIB_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>

#define RURU_RDK_FNS(X)                      \
    X(rd_kafka_assign)                       \
    X(rd_kafka_assignment)                   \
    X(rd_kafka_assignment_lost)              \
    X(rd_kafka_commit)                       \
    X(rd_kafka_commit_queue)                 \
    X(rd_kafka_committed)                    \
    X(rd_kafka_conf_destroy)                 \
    X(rd_kafka_conf_new)                     \
    X(rd_kafka_conf_set)                     \
    X(rd_kafka_conf_set_dr_msg_cb)           \
    X(rd_kafka_conf_set_error_cb)            \
    X(rd_kafka_conf_set_log_cb)              \
    X(rd_kafka_conf_set_offset_commit_cb)    \
    X(rd_kafka_conf_set_opaque)              \
    X(rd_kafka_conf_set_rebalance_cb)        \
    X(rd_kafka_consume_batch_queue)          \
    X(rd_kafka_consumer_close)               \
    X(rd_kafka_destroy)                      \
    X(rd_kafka_err2name)                     \
    X(rd_kafka_err2str)                      \
    X(rd_kafka_error_code)                   \
    X(rd_kafka_error_destroy)                \
    X(rd_kafka_error_string)                 \
    X(rd_kafka_fatal_error)                  \
    X(rd_kafka_flush)                        \
    X(rd_kafka_get_watermark_offsets)        \
    X(rd_kafka_incremental_assign)           \
    X(rd_kafka_incremental_unassign)         \
    X(rd_kafka_message_destroy)              \
    X(rd_kafka_message_errstr)               \
    X(rd_kafka_metadata)                     \
    X(rd_kafka_metadata_destroy)             \
    X(rd_kafka_new)                          \
    X(rd_kafka_opaque)                       \
    X(rd_kafka_poll)                         \
    X(rd_kafka_poll_set_consumer)            \
    X(rd_kafka_position)                     \
    X(rd_kafka_produceva)                    \
    X(rd_kafka_purge)                        \
    X(rd_kafka_queue_destroy)                \
    X(rd_kafka_queue_get_consumer)           \
    X(rd_kafka_rebalance_protocol)           \
    X(rd_kafka_seek_partitions)              \
    X(rd_kafka_subscribe)                    \
    X(rd_kafka_topic_destroy)                \
    X(rd_kafka_topic_name)                   \
    X(rd_kafka_topic_new)                    \
    X(rd_kafka_topic_partition_list_add)     \
    X(rd_kafka_topic_partition_list_del)     \
    X(rd_kafka_topic_partition_list_destroy) \
    X(rd_kafka_topic_partition_list_find)    \
    X(rd_kafka_topic_partition_list_new)

#define RURU_RDK_FIELD(f) __typeof__(f) *f;
struct ruru_rdk_fns {
    RURU_RDK_FNS(RURU_RDK_FIELD)
};
#undef RURU_RDK_FIELD

extern struct ruru_rdk_fns ruru_rdk;

/* Loads librdkafka once (any thread); false with the reason in why. */
bool ruru_rdk_load(char *why, size_t cap);

#ifndef RURU_RDK_LOADER
#define rd_kafka_assign                       ruru_rdk.rd_kafka_assign
#define rd_kafka_assignment                   ruru_rdk.rd_kafka_assignment
#define rd_kafka_assignment_lost              ruru_rdk.rd_kafka_assignment_lost
#define rd_kafka_commit                       ruru_rdk.rd_kafka_commit
#define rd_kafka_commit_queue                 ruru_rdk.rd_kafka_commit_queue
#define rd_kafka_committed                    ruru_rdk.rd_kafka_committed
#define rd_kafka_conf_destroy                 ruru_rdk.rd_kafka_conf_destroy
#define rd_kafka_conf_new                     ruru_rdk.rd_kafka_conf_new
#define rd_kafka_conf_set                     ruru_rdk.rd_kafka_conf_set
#define rd_kafka_conf_set_dr_msg_cb           ruru_rdk.rd_kafka_conf_set_dr_msg_cb
#define rd_kafka_conf_set_error_cb            ruru_rdk.rd_kafka_conf_set_error_cb
#define rd_kafka_conf_set_log_cb              ruru_rdk.rd_kafka_conf_set_log_cb
#define rd_kafka_conf_set_offset_commit_cb    ruru_rdk.rd_kafka_conf_set_offset_commit_cb
#define rd_kafka_conf_set_opaque              ruru_rdk.rd_kafka_conf_set_opaque
#define rd_kafka_conf_set_rebalance_cb        ruru_rdk.rd_kafka_conf_set_rebalance_cb
#define rd_kafka_consume_batch_queue          ruru_rdk.rd_kafka_consume_batch_queue
#define rd_kafka_consumer_close               ruru_rdk.rd_kafka_consumer_close
#define rd_kafka_destroy                      ruru_rdk.rd_kafka_destroy
#define rd_kafka_err2name                     ruru_rdk.rd_kafka_err2name
#define rd_kafka_err2str                      ruru_rdk.rd_kafka_err2str
#define rd_kafka_error_code                   ruru_rdk.rd_kafka_error_code
#define rd_kafka_error_destroy                ruru_rdk.rd_kafka_error_destroy
#define rd_kafka_error_string                 ruru_rdk.rd_kafka_error_string
#define rd_kafka_fatal_error                  ruru_rdk.rd_kafka_fatal_error
#define rd_kafka_flush                        ruru_rdk.rd_kafka_flush
#define rd_kafka_get_watermark_offsets        ruru_rdk.rd_kafka_get_watermark_offsets
#define rd_kafka_incremental_assign           ruru_rdk.rd_kafka_incremental_assign
#define rd_kafka_incremental_unassign         ruru_rdk.rd_kafka_incremental_unassign
#define rd_kafka_message_destroy              ruru_rdk.rd_kafka_message_destroy
#define rd_kafka_message_errstr               ruru_rdk.rd_kafka_message_errstr
#define rd_kafka_metadata(...)                ruru_rdk.rd_kafka_metadata(__VA_ARGS__) /* also a struct tag */
#define rd_kafka_metadata_destroy             ruru_rdk.rd_kafka_metadata_destroy
#define rd_kafka_new                          ruru_rdk.rd_kafka_new
#define rd_kafka_opaque                       ruru_rdk.rd_kafka_opaque
#define rd_kafka_poll                         ruru_rdk.rd_kafka_poll
#define rd_kafka_poll_set_consumer            ruru_rdk.rd_kafka_poll_set_consumer
#define rd_kafka_position                     ruru_rdk.rd_kafka_position
#define rd_kafka_produceva                    ruru_rdk.rd_kafka_produceva
#define rd_kafka_purge                        ruru_rdk.rd_kafka_purge
#define rd_kafka_queue_destroy                ruru_rdk.rd_kafka_queue_destroy
#define rd_kafka_queue_get_consumer           ruru_rdk.rd_kafka_queue_get_consumer
#define rd_kafka_rebalance_protocol           ruru_rdk.rd_kafka_rebalance_protocol
#define rd_kafka_seek_partitions              ruru_rdk.rd_kafka_seek_partitions
#define rd_kafka_subscribe                    ruru_rdk.rd_kafka_subscribe
#define rd_kafka_topic_destroy                ruru_rdk.rd_kafka_topic_destroy
#define rd_kafka_topic_name                   ruru_rdk.rd_kafka_topic_name
#define rd_kafka_topic_new                    ruru_rdk.rd_kafka_topic_new
#define rd_kafka_topic_partition_list_add     ruru_rdk.rd_kafka_topic_partition_list_add
#define rd_kafka_topic_partition_list_del     ruru_rdk.rd_kafka_topic_partition_list_del
#define rd_kafka_topic_partition_list_destroy ruru_rdk.rd_kafka_topic_partition_list_destroy
#define rd_kafka_topic_partition_list_find    ruru_rdk.rd_kafka_topic_partition_list_find
#define rd_kafka_topic_partition_list_new     ruru_rdk.rd_kafka_topic_partition_list_new
#endif

#endif
