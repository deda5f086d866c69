/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ruru verify` (DESIGN.md §6): every evidence item a report cites — a sighting's record, each
 * member record of a pattern or correlation sighting, each record an incident cites — is
 * re-read from its input (through gzip or zstd when the input was compressed: offsets are in
 * the decoded bytes) and its SHA-256 compared with the one the report gives. Each input is
 * opened once and read forward; items are checked in offset order.
 *
 * A report is what `ruru scan` writes: JSON lines of sightings, `--format json`'s
 * {"sightings": [...]}, or a JSON array of sightings or of incidents. Relative paths are
 * taken from the current directory, as the sweep was given them.
 */
#include <jansson.h>
#include <nettle/sha2.h>
#include <ruru.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "cases/incident.h"
#include "io/stream.h"

struct item {
    const char *path;
    json_int_t line, offset, length;
    const char *sha256;
    const char *why; /* NULL: verified */
    bool dup;        /* the same record as one before it in place order: checked once */
    char reason[200];
};

struct items {
    struct item *v;
    size_t n, cap;
};

/* Where a cite names its record: a sighting as the sweep writes it (ECS paths), or an
 * incident's cite (plain keys). */
struct cite_keys {
    const char *path, *sha256, *line, *offset, *length;
};

static const struct cite_keys SIGHTING = {"log.file.path", "ruru.sha256", "ruru.line", "log.offset",
                                          "ruru.length"};
static const struct cite_keys INCIDENT = {"path", "sha256", "line", "offset", "length"};

static bool add(struct items *it, json_t *cite, const struct cite_keys *k)
{
    struct item x;

    memset(&x, 0, sizeof(x));
    x.path = json_string_value(ruru_case_at(cite, k->path));
    x.sha256 = json_string_value(ruru_case_at(cite, k->sha256));
    x.line = json_integer_value(ruru_case_at(cite, k->line));
    x.offset = json_integer_value(ruru_case_at(cite, k->offset));
    x.length = json_integer_value(ruru_case_at(cite, k->length));
    if (x.path == NULL || x.sha256 == NULL)
        return true; /* no evidence cited */
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 64;
        struct item *g = ruru_realloc(it->v, cap * sizeof(*g));
        if (g == NULL)
            return false;
        it->v = g;
        it->cap = cap;
    }
    it->v[it->n++] = x;
    return true;
}

/* The items of one document: a sighting (and its members), or an incident's cites. */
static bool collect(struct items *it, json_t *doc)
{
    size_t i, k;
    json_t *e, *c;

    if (json_is_array(json_object_get(doc, "evidence"))) {
        json_array_foreach(json_object_get(doc, "evidence"), i, e)
        {
            json_array_foreach(json_object_get(e, "cites"), k,
                               c) if (!add(it, c, &INCIDENT)) return false;
        }
        return true;
    }
    if (!add(it, doc, &SIGHTING))
        return false;
    json_array_foreach(ruru_case_at(doc, "ruru.members"), i,
                       c) if (!add(it, c, &SIGHTING)) return false;
    return true;
}

static int by_place(const void *a, const void *b)
{
    const struct item *x = *(struct item *const *)a, *y = *(struct item *const *)b;
    int c = strcmp(x->path, y->path);

    if (c != 0)
        return c;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    if (x->length != y->length)
        return x->length < y->length ? -1 : 1;
    if ((c = strcmp(x->sha256, y->sha256)) != 0)
        return c;
    return x < y ? -1 : x > y; /* the first cited first */
}

static void hex(const unsigned char *d, char out[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Checks the items of one input, x[0..n) in offset order. */
static void check_input(struct item **x, size_t n)
{
    struct ruru_stream *s = NULL;
    struct ruru_diag d;
    uint64_t pos = 0;
    char *buf = NULL, skip[65536];

    struct stat st;

    /* a report is a file someone handed over: it may name a device, a pipe or "-" (standard
     * input), which could hang the check or feed it anything; only regular files are read */
    if (stat(x[0]->path, &st) != 0 || !S_ISREG(st.st_mode)) {
        for (size_t i = 0; i < n; i++) {
            snprintf(x[i]->reason, sizeof(x[i]->reason), "%s",
                     access(x[0]->path, F_OK) != 0 ? "cannot open: no such file"
                                                   : "not a regular file");
            x[i]->why = x[i]->reason;
        }
        return;
    }
    if (ruru_stream_open(x[0]->path, &s, &d) != RURU_OK) {
        for (size_t i = 0; i < n; i++) {
            snprintf(x[i]->reason, sizeof(x[i]->reason), "%.180s", d.msg);
            x[i]->why = x[i]->reason;
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct item *it = x[i];
        struct sha256_ctx h;
        unsigned char dg[32];
        char got[65];
        size_t have = 0, g;
        if (it->offset < 0 || it->length < 0 || (uint64_t)it->offset < pos) {
            /* a record overlapping the one before (a member cited twice): start again */
            ruru_stream_close(s);
            s = NULL;
            pos = 0;
            if (ruru_stream_open(it->path, &s, &d) != RURU_OK || it->offset < 0 || it->length < 0) {
                snprintf(it->reason, sizeof(it->reason), "cannot be read again");
                it->why = it->reason;
                continue;
            }
        }
        /* a plain file ends at its size: no reading toward an offset past it (a report may
         * cite any offset) */
        if (ruru_stream_compression(s) == RURU_COMP_NONE &&
            (uint64_t)it->offset + (uint64_t)it->length > (uint64_t)st.st_size) {
            snprintf(it->reason, sizeof(it->reason),
                     "the input ends before the cited bytes (%" JSON_INTEGER_FORMAT
                     " bytes at offset %" JSON_INTEGER_FORMAT ")",
                     it->length, it->offset);
            it->why = it->reason;
            continue;
        }
        while (pos < (uint64_t)it->offset) {
            uint64_t want = (uint64_t)it->offset - pos;
            if (ruru_stream_read(s, skip, want < sizeof(skip) ? (size_t)want : sizeof(skip), &g,
                                 &d) != RURU_OK ||
                g == 0)
                break;
            pos += g;
        }
        if ((buf = ruru_realloc(buf, (size_t)it->length + 1)) == NULL) {
            snprintf(it->reason, sizeof(it->reason), "out of memory");
            it->why = it->reason;
            continue;
        }
        while (pos == (uint64_t)it->offset && have < (size_t)it->length &&
               ruru_stream_read(s, buf + have, (size_t)it->length - have, &g, &d) == RURU_OK &&
               g > 0)
            have += g;
        pos += have;
        if (have < (size_t)it->length) {
            snprintf(it->reason, sizeof(it->reason),
                     "the input ends before the cited bytes (%" JSON_INTEGER_FORMAT
                     " bytes at offset %" JSON_INTEGER_FORMAT ")",
                     it->length, it->offset);
            it->why = it->reason;
            continue;
        }
        sha256_init(&h);
        sha256_update(&h, have, (const uint8_t *)buf);
        sha256_digest(&h, sizeof(dg), dg);
        hex(dg, got);
        if (strcmp(got, it->sha256) != 0) {
            snprintf(it->reason, sizeof(it->reason),
                     "the bytes changed: their SHA-256 is %.16s..., the report says %.16s...", got,
                     it->sha256);
            it->why = it->reason;
        }
    }
    ruru_free(buf);
    ruru_stream_close(s);
}

enum ruru_err
ruru_verify(const char *report, size_t len, char **result_json, struct ruru_diag *diag)
{
    json_error_t je;
    json_t *doc = json_loadb(report, len, 0, &je), *list = NULL, *failed, *res;
    struct items it = {NULL, 0, 0};
    struct item **order = NULL;
    size_t ok = 0, n_items = 0, i;
    json_t *e;
    bool oom = false;

    *result_json = NULL;
    ruru_diag_clear(diag);
    if (doc == NULL) {
        /* JSON lines: one document per line */
        const char *p = report, *end = report + len;
        list = json_array();
        while (list != NULL && p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
            if (n > 0) {
                json_t *one = json_loadb(p, n, 0, &je);
                if (one == NULL) {
                    json_decref(list);
                    return ruru_diag_set(diag, RURU_EPARSE, NULL, 0, 0,
                                         "not a report: neither JSON nor JSON lines (%s)", je.text);
                }
                json_array_append_new(list, one);
            }
            p += n + 1;
        }
    } else if (json_is_array(doc)) {
        list = json_incref(doc);
    } else if (json_is_array(json_object_get(doc, "sightings"))) {
        list = json_incref(json_object_get(doc, "sightings"));
    } else if (json_is_array(json_object_get(doc, "incidents"))) {
        list = json_incref(json_object_get(doc, "incidents"));
    } else {
        list = json_pack("[O]", doc);
    }
    json_decref(doc);
    if (list == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    json_array_foreach(list, i, e) if (!collect(&it, e)) oom = true;
    if (!oom && (order = ruru_calloc(it.n + 1, sizeof(*order))) == NULL)
        oom = true;
    if (!oom) {
        for (i = 0; i < it.n; i++)
            order[i] = &it.v[i];
        size_t m = 0;
        qsort(order, it.n, sizeof(*order), by_place);
        /* one record cited by many sightings is one item */
        for (i = 0; i < it.n; i++) {
            if (m > 0 && strcmp(order[i]->path, order[m - 1]->path) == 0 &&
                order[i]->offset == order[m - 1]->offset &&
                order[i]->length == order[m - 1]->length &&
                strcmp(order[i]->sha256, order[m - 1]->sha256) == 0) {
                order[i]->dup = true;
                continue;
            }
            order[m++] = order[i];
        }
        for (i = 0; i < m;) {
            size_t k = i;
            while (k < m && strcmp(order[k]->path, order[i]->path) == 0)
                k++;
            check_input(order + i, k - i);
            i = k;
        }
    }
    failed = json_array();
    for (i = 0; !oom && i < it.n; i++) {
        if (it.v[i].dup)
            continue;
        n_items++;
        if (it.v[i].why == NULL) {
            ok++;
            continue;
        }
        json_array_append_new(failed, json_pack("{s:s, s:I, s:I, s:I, s:s}", "path", it.v[i].path,
                                                "line", it.v[i].line, "offset", it.v[i].offset,
                                                "length", it.v[i].length, "reason", it.v[i].why));
    }
    res = json_pack("{s:I, s:I, s:o}", "items", (json_int_t)n_items, "verified", (json_int_t)ok,
                    "failed", failed);
    if (!oom && res != NULL)
        *result_json = json_dumps(res, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(res);
    json_decref(list);
    ruru_free(order);
    ruru_free(it.v);
    if (oom || *result_json == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    return RURU_OK;
}
