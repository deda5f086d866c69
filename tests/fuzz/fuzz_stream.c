/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: what a Kafka topic hands `ruru stream`, attacker-controlled. The input is one
 * message: swept as a memory input (gzip and zstd by content, the format detected, and forced
 * as JSON lines) with an engine loaded once with a small intel and ruru's own rules, and read
 * as a record of a sightings topic (its key taken when it is one). Its lines are also taken as
 * a partition's one-line messages, as `ruru stream` joins them: swept one by one and as a run
 * (ruru_scan_input.names), they must give the same sightings, byte for byte.
 */
#include <ruru.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_store.h"
#include "scan/engine.h"
#include "stream/stream_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_MESSAGES 64

static struct ruru_engine *engine;
static struct ruru_scan_opts opts;
static size_t bytes;

/* The sightings of one sweep, when collected (ctx non-NULL). */
struct got {
    char *v[4 * MAX_MESSAGES * 8];
    size_t n;
    bool over;
};

static int on_sighting(void *ctx, const char *json)
{
    struct got *g = ctx;

    bytes += strlen(json);
    if (g != NULL) {
        if (g->n < sizeof(g->v) / sizeof(g->v[0]))
            g->v[g->n++] = strdup(json);
        else
            g->over = true;
    }
    return 0;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void got_sort_free(struct got *g, bool free_them)
{
    if (!free_them) {
        qsort(g->v, g->n, sizeof(g->v[0]), by_text);
        return;
    }
    for (size_t i = 0; i < g->n; i++)
        free(g->v[i]);
    g->n = 0;
}

/* The input's lines as messages (those `ruru stream` would join), swept one by one and then as
 * one run: the same sightings, or abort. */
static void run_against_messages(const char *data, size_t size)
{
    static char names[MAX_MESSAGES][32];
    const char *named[MAX_MESSAGES];
    struct ruru_scan_input one[MAX_MESSAGES], run;
    char *joined = malloc(size + MAX_MESSAGES + 1);
    struct got a, b;
    struct ruru_diag d;
    size_t n = 0, used = 0;

    if (joined == NULL)
        return;
    memset(one, 0, sizeof(one));
    for (const char *p = data, *end = data + size; p < end && n < MAX_MESSAGES;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
        if (ruru_kafka_joinable(p, len)) {
            snprintf(names[n], sizeof(names[n]), "kafka:logs/0/%zu", n);
            one[n].path = names[n];
            one[n].data = p;
            one[n].len = len;
            one[n].format = "jsonl";
            named[n] = names[n];
            memcpy(joined + used, p, len);
            joined[used + len] = '\n';
            used += len + 1;
            n++;
        }
        p += len + 1;
    }
    if (n == 0) {
        free(joined);
        return;
    }
    memset(&run, 0, sizeof(run));
    run.path = names[0];
    run.data = joined;
    run.len = used;
    run.format = "jsonl";
    run.names = named;
    run.n_names = n;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    opts.ctx = &a;
    (void)ruru_engine_sweep(engine, one, n, false, NULL, NULL, &d);
    opts.ctx = &b;
    (void)ruru_engine_sweep(engine, &run, 1, false, NULL, NULL, &d);
    opts.ctx = NULL;
    if (!a.over && !b.over) {
        got_sort_free(&a, false);
        got_sort_free(&b, false);
        if (a.n != b.n)
            abort();
        for (size_t i = 0; i < a.n; i++)
            if (strcmp(a.v[i], b.v[i]) != 0)
                abort();
    }
    got_sort_free(&a, true);
    got_sort_free(&b, true);
    free(joined);
}

static void setup(void)
{
    static const char intel[] = "type,value\nip,203.0.113.7\ndomain,evil.example\n"
                                "url,http://c2.example/gate.php\nuser-agent,EvilBot/1.0\n";
    ruru_store *s = fuzz_store_with(intel);
    struct ruru_diag d;

    opts.threads = 1;
    opts.on_sighting = on_sighting;
    if (ruru_engine_open(s, &opts, &engine, &d) != RURU_OK)
        abort();
    /* the store stays open for the engine's lifetime: the process's */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_scan_input in[2];
    struct ruru_diag d;
    json_t *doc = NULL;

    if (engine == NULL)
        setup();
    memset(in, 0, sizeof(in));
    in[0].path = "kafka:logs/0/0";
    in[0].data = (const char *)data;
    in[0].len = size;
    in[1] = in[0];
    in[1].path = "kafka:logs/0/1";
    in[1].format = "jsonl";
    (void)ruru_engine_sweep(engine, in, 2, false, NULL, NULL, &d);
    run_against_messages((const char *)data, size);
    if (ruru_kafka_sighting_read((const char *)data, size, &doc, &d) == RURU_OK) {
        size_t klen = 0;
        const char *key = ruru_kafka_sighting_key(doc, &klen);
        bytes += klen > 0 ? (size_t)key[klen - 1] : 0;
        json_decref(doc);
    }
    return 0;
}
