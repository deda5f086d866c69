/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the sweep's fast paths against its portable path. Each input is swept twice by
 * an engine loaded once (a small intel of every network kind, with or without ruru's own
 * rules): with the vector code and the skim (lines let go unparsed when they cannot give
 * anything), and with ruru_set_simd(false) (scalar code, every line parsed). The sightings and
 * the summary (coverage counts, first and last times) must be the same, byte for byte.
 *
 * The first input byte picks the log format (0: detected) and, by its high bit, the engine
 * without rules (where the skim runs on every format that has one); the rest is the log.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const FORMATS[] = {NULL,  "apache", "zeek", "w3c", "jsonl",
                                      "eve", "syslog", "cef",  "csv", "text"};

static struct ruru_engine *engines[2]; /* with ruru's own rules, without */
static struct ruru_scan_opts opts[2];

/* The sightings of one sweep, one after the other (NUL-separated). */
struct got {
    char *text;
    size_t len;
};

static int on_sighting(void *ctx, const char *json)
{
    struct got *g = ctx;
    size_t n = strlen(json) + 1;
    char *t = realloc(g->text, g->len + n);

    if (t == NULL)
        abort();
    memcpy(t + g->len, json, n);
    g->text = t;
    g->len += n;
    return 0;
}

static void setup(void)
{
    static const char intel[] =
            "type,value\n"
            "ipv4,203.0.113.7\n"
            "cidr,198.51.100.0/24\n"
            "ipv6,2001:db8::7\n"
            "domain,evil.example\n"
            "url,http://c2.example/gate.php\n"
            "md5,d41d8cd98f00b204e9800998ecf8427e\n"
            "sha256,e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "email,spy@evil.example\n";
    ruru_store *s = fuzz_store_with(intel);
    struct ruru_diag d;

    for (int k = 0; k < 2; k++) {
        opts[k].threads = 1;
        opts[k].syslog_year = 2024;
        opts[k].no_builtin_rules = k == 1;
        opts[k].on_sighting = on_sighting;
        if (ruru_engine_open(s, &opts[k], &engines[k], &d) != RURU_OK)
            abort();
    }
    /* the store stays open for the engines' lifetime: the process's */
}

/* One sweep of the log: its sightings into *g, its summary returned (NULL when none). */
static char *sweep(int k, const char *format, const char *log, size_t len, struct got *g)
{
    struct ruru_scan_input in;
    struct ruru_diag d;
    char *summary = NULL;

    memset(&in, 0, sizeof(in));
    in.path = "fuzz.log";
    in.data = log;
    in.len = len;
    in.format = format;
    memset(g, 0, sizeof(*g));
    opts[k].ctx = g;
    (void)ruru_engine_sweep(engines[k], &in, 1, false, &summary, NULL, &d);
    opts[k].ctx = NULL;
    return summary;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct got fast, portable;
    char *s1, *s2;
    const char *format, *log = (const char *)data + 1;
    int k;

    if (size < 1)
        return 0;
    if (engines[0] == NULL)
        setup();
    format = FORMATS[(data[0] & 0x7f) % (sizeof(FORMATS) / sizeof(FORMATS[0]))];
    k = data[0] >> 7;
    s1 = sweep(k, format, log, size - 1, &fast);
    ruru_set_simd(false);
    s2 = sweep(k, format, log, size - 1, &portable);
    ruru_set_simd(true);
    if (fast.len != portable.len || (fast.len > 0 && memcmp(fast.text, portable.text, fast.len)) ||
        (s1 == NULL) != (s2 == NULL) || (s1 != NULL && strcmp(s1, s2) != 0)) {
        fprintf(stderr, "fast and portable sweeps differ\n--- fast:\n%s\n--- portable:\n%s\n",
                s1 ? s1 : "(none)", s2 ? s2 : "(none)");
        abort();
    }
    free(fast.text);
    free(portable.text);
    ruru_free(s1);
    ruru_free(s2);
    return 0;
}
