/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /metrics in the Prometheus text format (version 0.0.4): requests by endpoint and status
 * class, a latency histogram, lookups, sightings and incidents recorded through the service,
 * bytes received, reloads, requests in flight, and the intel's age (seconds since the
 * service last saw the intel change). Counters are atomics bumped as requests end.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "serve/serve_int.h"

/* Upper bounds of the latency buckets, in microseconds (the last is +Inf). */
static const int64_t BOUNDS[] = {250,   500,   1000,   2500,   5000,    10000,
                                 25000, 50000, 100000, 500000, 2500000, INT64_MAX};

static const char *const ROUTES[R__COUNT] = {
        "healthz", "metrics", "lookup", "logs",   "sightings", "incidents", "incident",
        "stats",   "actors",  "actor",  "export", "console",   "other",
};

void metrics_observe(struct metrics *m, enum route r, unsigned status, int64_t micros)
{
    unsigned cls = status >= 100 && status < 600 ? status / 100 : 0;

    atomic_fetch_add(&m->requests[r][cls], 1);
    for (size_t i = 0; i < sizeof(BOUNDS) / sizeof(BOUNDS[0]); i++)
        if (micros <= BOUNDS[i]) {
            atomic_fetch_add(&m->latency_bucket[i], 1);
            break;
        }
    atomic_fetch_add(&m->latency_count, 1);
    atomic_fetch_add(&m->latency_us_sum, (uint64_t)(micros > 0 ? micros : 0));
}

char *metrics_text(struct ruru_server *s, size_t *len)
{
    struct ruru_buf b;
    struct metrics *m = &s->m;
    uint64_t cum = 0;
    int64_t changed;
    char *out;

    ruru_buf_init(&b, (size_t)1 << 20);
    ruru_buf_addf(&b, "# HELP ruru_requests_total Requests answered, by endpoint and status "
                      "class.\n# TYPE ruru_requests_total counter\n");
    for (int r = 0; r < R__COUNT; r++)
        for (int c = 1; c < 6; c++) {
            uint64_t n = atomic_load(&m->requests[r][c]);
            if (n > 0)
                ruru_buf_addf(&b,
                              "ruru_requests_total{endpoint=\"%s\",code=\"%dxx\"} %" PRIu64 "\n",
                              ROUTES[r], c, n);
        }
    ruru_buf_addf(&b, "# HELP ruru_request_duration_seconds Time from a request's first byte "
                      "to its end.\n# TYPE ruru_request_duration_seconds histogram\n");
    for (size_t i = 0; i < sizeof(BOUNDS) / sizeof(BOUNDS[0]); i++) {
        cum += atomic_load(&m->latency_bucket[i]);
        if (BOUNDS[i] == INT64_MAX)
            ruru_buf_addf(&b, "ruru_request_duration_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n",
                          cum);
        else
            ruru_buf_addf(&b, "ruru_request_duration_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
                          (double)BOUNDS[i] / 1e6, cum);
    }
    ruru_buf_addf(&b, "ruru_request_duration_seconds_sum %.6f\n",
                  (double)atomic_load(&m->latency_us_sum) / 1e6);
    ruru_buf_addf(&b, "ruru_request_duration_seconds_count %" PRIu64 "\n",
                  atomic_load(&m->latency_count));
    ruru_buf_addf(
            &b,
            "# HELP ruru_lookups_total Values looked up.\n# TYPE ruru_lookups_total "
            "counter\nruru_lookups_total %" PRIu64 "\n"
            "# HELP ruru_lookup_hits_total Values looked up that the intel knows.\n"
            "# TYPE ruru_lookup_hits_total counter\nruru_lookup_hits_total %" PRIu64 "\n"
            "# HELP ruru_sightings_total Sightings recorded through the service.\n"
            "# TYPE ruru_sightings_total counter\nruru_sightings_total %" PRIu64 "\n"
            "# HELP ruru_incidents_total Incidents the submissions made or touched.\n"
            "# TYPE ruru_incidents_total counter\nruru_incidents_total %" PRIu64 "\n"
            "# HELP ruru_received_bytes_total Bytes of request bodies.\n"
            "# TYPE ruru_received_bytes_total counter\nruru_received_bytes_total %" PRIu64 "\n"
            "# HELP ruru_reloads_total Times the intel and tokens were read again.\n"
            "# TYPE ruru_reloads_total counter\nruru_reloads_total %" PRIu64 "\n"
            "# HELP ruru_requests_in_flight Requests begun and not ended.\n"
            "# TYPE ruru_requests_in_flight gauge\nruru_requests_in_flight %" PRId64 "\n",
            atomic_load(&m->lookups), atomic_load(&m->lookup_hits), atomic_load(&m->sightings),
            atomic_load(&m->incidents), atomic_load(&m->bytes_in), atomic_load(&m->reloads),
            /* this request itself is in flight */
            atomic_load(&m->in_flight));
    pthread_mutex_lock(&s->pool_lock);
    changed = s->store_changed;
    pthread_mutex_unlock(&s->pool_lock);
    ruru_buf_addf(&b,
                  "# HELP ruru_index_age_seconds Seconds since the intel last changed (or the "
                  "service started or reloaded).\n# TYPE ruru_index_age_seconds gauge\n"
                  "ruru_index_age_seconds %" PRId64 "\n",
                  (int64_t)time(NULL) - changed);
    if (b.failed) {
        ruru_buf_fini(&b);
        return NULL;
    }
    *len = b.len;
    out = ruru_buf_detach(&b);
    return out;
}
