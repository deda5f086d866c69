/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: what a Kafka topic hands `ruru stream`, attacker-controlled. The input is one
 * message: swept as a memory input (gzip and zstd by content, the format detected, and forced
 * as JSON lines) with an engine loaded once with a small intel and ruru's own rules, and read
 * as a record of a sightings topic (its key taken when it is one).
 */
#include <ruru.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan/engine.h"
#include "stream/stream_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ruru_engine *engine;
static struct ruru_scan_opts opts;
static size_t bytes;

static int on_sighting(void *ctx, const char *json)
{
    (void)ctx;
    bytes += strlen(json);
    return 0;
}

static void setup(void)
{
    static const char intel[] = "type,value\nip,203.0.113.7\ndomain,evil.example\n"
                                "url,http://c2.example/gate.php\nuser-agent,EvilBot/1.0\n";
    char path[64];
    ruru_store *s = NULL;
    struct ruru_diag d;
    struct ruru_import_opts o;
    char *report = NULL;
    FILE *f;

    snprintf(path, sizeof(path), "/tmp/ruru-fuzz-stream-%d.csv", (int)getpid());
    if ((f = fopen(path, "w")) == NULL)
        abort();
    fputs(intel, f);
    fclose(f);
    memset(&o, 0, sizeof(o));
    if (ruru_store_open(RURU_STORE_MEMORY, &s, &d) != RURU_OK ||
        ruru_intel_import(s, path, &o, &report, &d) != RURU_OK)
        abort();
    ruru_free(report);
    unlink(path);
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
    if (ruru_kafka_sighting_read((const char *)data, size, &doc, &d) == RURU_OK) {
        size_t klen = 0;
        const char *key = ruru_kafka_sighting_key(doc, &klen);
        bytes += klen > 0 ? (size_t)key[klen - 1] : 0;
        json_decref(doc);
    }
    return 0;
}
