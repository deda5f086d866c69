/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /metrics in the Prometheus text format (version 0.0.4): requests by endpoint and status
 * class, a latency histogram, lookups, sightings and incidents recorded through the service,
 * bytes received, reloads, requests in flight, and the intel's age (seconds since the
 * service last saw the intel change). Counters are atomics bumped as requests end. Beside
 * them, the counters of the `ruru stream` workers whose status files are in HOME/stream/
 * (docs/stream.md), labelled with their group and client id.
 */
#include <dirent.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

/* A label value as Prometheus writes one: backslash, quote and newline escaped, other control
 * characters left out. */
static void label(struct ruru_buf *b, const char *v)
{
    for (; v != NULL && *v != '\0'; v++) {
        if (*v == '\\' || *v == '"')
            ruru_buf_addc(b, '\\');
        if (*v == '\n')
            ruru_buf_adds(b, "\\n");
        else if ((unsigned char)*v >= 0x20 && *v != 0x7f)
            ruru_buf_addc(b, *v);
    }
}

/* The status files of HOME/stream/ (each at most 64 KiB; a partial or odd one is left out),
 * in name order. */
static json_t *stream_status(const char *home)
{
    char dir[4096], path[4400];
    json_t *all = json_array();
    struct dirent **names = NULL;
    int n;

    if (all == NULL || (size_t)snprintf(dir, sizeof(dir), "%s/stream", home) >= sizeof(dir))
        return all;
    n = scandir(dir, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        size_t k = strlen(nm);
        struct stat st;
        json_t *doc;
        if (k > 5 && strcmp(nm + k - 5, ".json") == 0 && nm[0] != '.' &&
            (size_t)snprintf(path, sizeof(path), "%s/%s", dir, nm) < sizeof(path) &&
            stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= 65536 &&
            (doc = json_load_file(path, 0, NULL)) != NULL) {
            if (json_is_string(json_object_get(doc, "group")) &&
                json_is_string(json_object_get(doc, "client_id")))
                json_array_append(all, doc);
            json_decref(doc);
        }
        free(names[i]);
    }
    free(names);
    return all;
}

/* The stream workers' counters and gauges, one family at a time. */
static void stream_metrics(struct ruru_buf *b, const char *home)
{
    static const struct {
        const char *key, *name, *type, *help;
    } F[] = {
            {"messages", "ruru_stream_messages_total", "counter", "Messages swept or read."},
            {"lines", "ruru_stream_lines_total", "counter", "Log lines swept."},
            {"bytes", "ruru_stream_bytes_total", "counter", "Bytes of messages."},
            {"sightings", "ruru_stream_sightings_total", "counter", "Sightings found or read."},
            {"produced", "ruru_stream_produced_total", "counter",
             "Sightings the sightings topic acknowledged."},
            {"recorded", "ruru_stream_recorded_total", "counter",
             "Sightings recorded in the register."},
            {"batches", "ruru_stream_batches_total", "counter", "Batches committed."},
            {"retries", "ruru_stream_retries_total", "counter", "Batches to be read again."},
            {"reloads", "ruru_stream_reloads_total", "counter", "Times the intel was reloaded."},
            {"errors", "ruru_stream_errors_total", "counter", "Errors said."},
            {"bad_records", "ruru_stream_bad_records_total", "counter",
             "Records of a sightings topic skipped as bad."},
            {"lag", "ruru_stream_lag", "gauge",
             "Messages of the worker's partitions not consumed yet."},
            {"rate", "ruru_stream_rate", "gauge", "Lines (or records) a second, lately."},
            {"assigned_partitions", "ruru_stream_assigned_partitions", "gauge",
             "Partitions the worker holds."},
            {"updated", "ruru_stream_status_age_seconds", "gauge",
             "Seconds since the worker last wrote its status."},
    };
    json_t *all = stream_status(home), *doc;
    int64_t now = (int64_t)time(NULL);
    size_t i;

    for (size_t f = 0; f < sizeof(F) / sizeof(F[0]); f++) {
        bool head = false;
        json_array_foreach(all, i, doc)
        {
            json_t *v = json_object_get(doc, F[f].key);
            char x[48];
            int64_t t;
            if (f + 1 == sizeof(F) / sizeof(F[0])) {
                if (!ruru_time_from_text(json_string_value(v), &t))
                    continue;
                snprintf(x, sizeof(x), "%" PRId64, now - t);
            } else if (json_is_integer(v)) {
                snprintf(x, sizeof(x), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            } else if (json_is_real(v)) {
                snprintf(x, sizeof(x), "%.6f", json_real_value(v));
            } else {
                continue;
            }
            if (!head) {
                ruru_buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", F[f].name, F[f].help, F[f].name,
                              F[f].type);
                head = true;
            }
            ruru_buf_addf(b, "%s{group=\"", F[f].name);
            label(b, json_string_value(json_object_get(doc, "group")));
            ruru_buf_adds(b, "\",client_id=\"");
            label(b, json_string_value(json_object_get(doc, "client_id")));
            ruru_buf_addf(b, "\"} %s\n", x);
        }
    }
    json_decref(all);
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
    stream_metrics(&b, s->home);
    if (b.failed) {
        ruru_buf_fini(&b);
        return NULL;
    }
    *len = b.len;
    out = ruru_buf_detach(&b);
    return out;
}
