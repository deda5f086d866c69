/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: ruru_sightings_submitted on hostile submissions (JSON lines, arrays,
 * {"sightings": [...]}, STIX bundles), against an in-memory store of one indicator, with the
 * spool in a temporary directory. Checks the contract:
 *   - the call ends with RURU_OK, RURU_EPARSE or RURU_ELIMIT (or RURU_ENOMEM), and on success
 *     both documents parse: a JSON array of objects and a report whose counts add up
 *     (accepted <= received, matched_intel + unmatched == accepted, every rejection counted);
 *   - every sighting names the organisation and an item in range, and cites a line of the spool
 *     inside the file, whose SHA-256 is that of the cited bytes (what `ruru verify` checks);
 *   - a sighting of the constituent's claim carries no actors and no confidence.
 */
#include <jansson.h>
#include <nettle/sha2.h>
#include <ruru.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ruru_store *store;
static char spool[256];

static int setup(void)
{
    struct ruru_import_opts o;
    struct ruru_diag d;
    char intel[256], *report = NULL;
    FILE *f;

    snprintf(spool, sizeof(spool), "/tmp/ruru-fuzz-submit-%ld.jsonl", (long)getpid());
    snprintf(intel, sizeof(intel), "/tmp/ruru-fuzz-submit-%ld.csv", (long)getpid());
    if ((f = fopen(intel, "w")) == NULL)
        return -1;
    fputs("type,value,actor,confidence\ndomain,evil.example,APT40,80\n", f);
    if (fclose(f) != 0)
        return -1;
    memset(&o, 0, sizeof(o));
    if (ruru_store_open(RURU_STORE_MEMORY, &store, &d) != RURU_OK ||
        ruru_intel_import(store, intel, &o, &report, &d) != RURU_OK)
        return -1;
    ruru_free(report);
    unlink(intel);
    return 0;
}

static json_int_t num(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static void check_cite(json_t *s, const char *file, size_t size)
{
    json_t *ru = json_object_get(s, "ruru");
    json_int_t off = json_integer_value(json_object_get(json_object_get(s, "log"), "offset"));
    json_int_t len = num(ru, "length");
    const char *hex = json_string_value(json_object_get(ru, "sha256"));
    struct sha256_ctx h;
    uint8_t dig[SHA256_DIGEST_SIZE];
    char want[2 * SHA256_DIGEST_SIZE + 1];

    if (off < 0 || len < 0 || hex == NULL || (uint64_t)off > size ||
        (uint64_t)len > size - (uint64_t)off)
        __builtin_trap();
    sha256_init(&h);
    sha256_update(&h, (size_t)len, (const uint8_t *)file + off);
    sha256_digest(&h, sizeof(dig), dig);
    for (size_t i = 0; i < sizeof(dig); i++)
        snprintf(want + 2 * i, 3, "%02x", dig[i]);
    if (strcmp(want, hex) != 0)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    struct ruru_diag d;
    char *out = NULL, *rep = NULL, *file;
    enum ruru_err err;
    json_t *arr, *report, *s, *ru, *ind;
    size_t i, file_len = 0;
    FILE *f;
    long n;

    if (!ready) {
        if (setup() != 0)
            __builtin_trap();
        ready = true;
    }
    err = ruru_sightings_submitted(store, "Org-F", (const char *)data, size, spool, &out, &rep, &d);
    if (err != RURU_OK) {
        if ((err != RURU_EPARSE && err != RURU_ELIMIT && err != RURU_ENOMEM) || out != NULL ||
            rep != NULL)
            __builtin_trap();
        return 0;
    }
    arr = json_loads(out, 0, NULL);
    report = json_loads(rep, 0, NULL);
    if (!json_is_array(arr) || !json_is_object(report))
        __builtin_trap();
    if (num(report, "accepted") > num(report, "received") ||
        num(report, "matched_intel") + num(report, "unmatched") != num(report, "accepted") ||
        num(report, "accepted") + num(report, "rejected_count") != num(report, "received") ||
        (json_int_t)json_array_size(arr) != num(report, "sightings"))
        __builtin_trap();
    if ((f = fopen(spool, "rb")) == NULL)
        __builtin_trap();
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    file = malloc((size_t)n + 1);
    if (file == NULL)
        __builtin_trap();
    file_len = fread(file, 1, (size_t)n, f);
    fclose(f);
    json_array_foreach(arr, i, s)
    {
        json_int_t item;
        if (!json_is_object(s))
            __builtin_trap();
        ru = json_object_get(s, "ruru");
        item = num(json_object_get(ru, "submitted"), "item");
        if (item < 1 || item > num(report, "received") ||
            strcmp(json_string_value(json_object_get(json_object_get(ru, "submitted"), "org")),
                   "Org-F") != 0)
            __builtin_trap();
        check_cite(s, file, file_len);
        ind = json_object_get(ru, "indicator");
        if (strcmp(json_string_value(json_object_get(ind, "source")), "submitted:Org-F") == 0 &&
            (json_array_size(json_object_get(ind, "actors")) != 0 ||
             json_object_get(ind, "confidence") != NULL ||
             json_object_get(json_object_get(s, "threat"), "group") != NULL))
            __builtin_trap();
    }
    free(file);
    json_decref(arr);
    json_decref(report);
    ruru_free(out);
    ruru_free(rep);
    return 0;
}
