/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libmicrohttpd, loaded when the service first starts (base/dynlib.h): the functions the
 * service calls, by their own names, through a table filled at that moment. ruru_mhd_load()
 * must have succeeded before any of them is called (ruru_serve_start does it).
 */
#ifndef RURU_SERVE_MHD_LIB_H
#define RURU_SERVE_MHD_LIB_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#define RURU_MHD_FNS(X)                                   \
    X(MHD_add_response_header)                            \
    X(MHD_create_response_from_buffer)                    \
    X(MHD_create_response_from_buffer_with_free_callback) \
    X(MHD_destroy_response)                               \
    X(MHD_get_connection_info)                            \
    X(MHD_get_daemon_info)                                \
    X(MHD_is_feature_supported)                           \
    X(MHD_lookup_connection_value)                        \
    X(MHD_lookup_connection_value_n)                      \
    X(MHD_queue_response)                                 \
    X(MHD_quiesce_daemon)                                 \
    X(MHD_start_daemon)                                   \
    X(MHD_stop_daemon)

#define RURU_MHD_FIELD(f) __typeof__(f) *f;
struct ruru_mhd_fns {
    RURU_MHD_FNS(RURU_MHD_FIELD)
};
#undef RURU_MHD_FIELD

extern struct ruru_mhd_fns ruru_mhd;

/* Loads libmicrohttpd once (any thread); false with the reason in why. */
bool ruru_mhd_load(char *why, size_t cap);

#ifndef RURU_MHD_LOADER
#define MHD_add_response_header         ruru_mhd.MHD_add_response_header
#define MHD_create_response_from_buffer ruru_mhd.MHD_create_response_from_buffer
#define MHD_create_response_from_buffer_with_free_callback \
    ruru_mhd.MHD_create_response_from_buffer_with_free_callback
#define MHD_destroy_response          ruru_mhd.MHD_destroy_response
#define MHD_get_connection_info       ruru_mhd.MHD_get_connection_info
#define MHD_get_daemon_info           ruru_mhd.MHD_get_daemon_info
#define MHD_is_feature_supported      ruru_mhd.MHD_is_feature_supported
#define MHD_lookup_connection_value   ruru_mhd.MHD_lookup_connection_value
#define MHD_lookup_connection_value_n ruru_mhd.MHD_lookup_connection_value_n
#define MHD_queue_response            ruru_mhd.MHD_queue_response
#define MHD_quiesce_daemon            ruru_mhd.MHD_quiesce_daemon
#define MHD_start_daemon              ruru_mhd.MHD_start_daemon
#define MHD_stop_daemon               ruru_mhd.MHD_stop_daemon
#endif

#endif
