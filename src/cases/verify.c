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
    const char *why;      /* NULL: verified */
    bool dup;             /* the same record as one before it in place order: checked once */
    bool kafka;           /* a Kafka record (kafka:TOPIC/PARTITION/OFFSET): no file to re-read */
    const char *original; /* the line the sighting kept (event.original, whole), or NULL */
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

/* A cite's whole number at `key`: false when it is missing, not an integer or negative. */
static bool cite_num(json_t *cite, const char *key, json_int_t *out)
{
    json_t *v = ruru_case_at(cite, key);

    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return false;
    *out = json_integer_value(v);
    return true;
}

static bool is_sha256(const char *s)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return i == 64;
}

/* Adds the item a cite names. A cite naming neither an input nor a digest cites nothing (a
 * sighting of no record); one naming either must name all of it, well formed, or the report
 * is malformed: RURU_EPARSE with the key in diag (a forged offset must not read as "the bytes
 * changed"). */
static enum ruru_err
add(struct items *it, json_t *cite, const struct cite_keys *k, size_t doc, struct ruru_diag *diag)
{
    json_t *path = ruru_case_at(cite, k->path), *sha = ruru_case_at(cite, k->sha256);
    const char *bad = NULL;
    struct item x;

    memset(&x, 0, sizeof(x));
    if (path == NULL && sha == NULL)
        return RURU_OK; /* no evidence cited */
    if (!json_is_string(path) || json_string_length(path) == 0)
        bad = k->path;
    else if (!json_is_string(sha) || !is_sha256(json_string_value(sha)))
        bad = k->sha256;
    else if (!cite_num(cite, k->line, &x.line) || x.line == 0)
        bad = k->line;
    else if (!cite_num(cite, k->offset, &x.offset))
        bad = k->offset;
    else if (!cite_num(cite, k->length, &x.length))
        bad = k->length;
    if (bad != NULL)
        return ruru_diag_set(diag, RURU_EPARSE, NULL, 0, 0,
                             "malformed report: document %zu: \"%s\" is %s", doc, bad,
                             bad == k->path     ? "not a path"
                             : bad == k->sha256 ? "not a SHA-256 in 64 lower-case hex digits"
                             : bad == k->line   ? "not a line number (a whole number from 1)"
                                                : "not a whole number from 0");
    x.path = json_string_value(path);
    x.sha256 = json_string_value(sha);
    /* A record read from Kafka cannot be read again from a file; what can be checked is the
     * line the sighting kept against its hash (when it was kept whole). */
    x.kafka = strncmp(x.path, "kafka:", 6) == 0;
    if (x.kafka && k == &SIGHTING && !json_is_true(ruru_case_at(cite, "ruru.original_truncated")))
        x.original = json_string_value(ruru_case_at(cite, "event.original"));
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 64;
        struct item *g = ruru_realloc(it->v, cap * sizeof(*g));
        if (g == NULL)
            return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        it->v = g;
        it->cap = cap;
    }
    it->v[it->n++] = x;
    return RURU_OK;
}

/* The items of document number `n` (1-based): a sighting (and its members), or an
 * incident's cites. */
static enum ruru_err collect(struct items *it, json_t *doc, size_t n, struct ruru_diag *diag)
{
    size_t i, k;
    json_t *e, *c;
    enum ruru_err err = RURU_OK;

    if (!json_is_object(doc))
        return ruru_diag_set(diag, RURU_EPARSE, NULL, 0, 0,
                             "malformed report: document %zu is not an object", n);
    if (json_object_get(doc, "evidence") != NULL) {
        if (!json_is_array(json_object_get(doc, "evidence")))
            return ruru_diag_set(diag, RURU_EPARSE, NULL, 0, 0,
                                 "malformed report: document %zu: \"evidence\" is not a list", n);
        json_array_foreach(json_object_get(doc, "evidence"), i, e)
        {
            json_array_foreach(json_object_get(e, "cites"), k, c)
            {
                if ((err = add(it, c, &INCIDENT, n, diag)) != RURU_OK)
                    return err;
            }
        }
        return RURU_OK;
    }
    if ((err = add(it, doc, &SIGHTING, n, diag)) != RURU_OK)
        return err;
    json_array_foreach(ruru_case_at(doc, "ruru.members"), i, c)
    {
        if ((err = add(it, c, &SIGHTING, n, diag)) != RURU_OK)
            return err;
    }
    return RURU_OK;
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

/* The trees a verification may read (realpath of each --root; none: anywhere). */
struct roots {
    char **v;
    size_t n;
};

/* Is `real` (a resolved path) inside one of the roots? */
static bool inside(const struct roots *r, const char *real)
{
    if (r->n == 0)
        return true;
    for (size_t i = 0; i < r->n; i++) {
        size_t k = strlen(r->v[i]);
        if (strncmp(real, r->v[i], k) == 0 &&
            (real[k] == '/' || real[k] == '\0' || (k > 0 && r->v[i][k - 1] == '/')))
            return true;
    }
    return false;
}

static void fail_all(struct item **x, size_t n, const char *why)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(x[i]->reason, sizeof(x[i]->reason), "%.180s", why);
        x[i]->why = x[i]->reason;
    }
}

/* Checks the items of one input, x[0..n) in offset order. */
static void check_input(struct item **x, size_t n, const struct roots *roots)
{
    struct ruru_stream *s = NULL;
    struct ruru_diag d;
    uint64_t pos = 0;
    char *buf = NULL, skip[65536], *real = NULL;
    const char *path = x[0]->path;
    struct stat st;

    /* with --root, the input is read only when its real path (links resolved) lies inside a
     * root, and it is opened by that real path; nothing about a file outside is told, not even
     * whether it exists */
    if (roots->n > 0) {
        real = realpath(x[0]->path, NULL);
        if (real == NULL || !inside(roots, real)) {
            free(real);
            fail_all(x, n, "outside the trees given with --root: not read");
            return;
        }
        path = real;
    }
    /* a report is a file someone handed over: it may name a device, a pipe or "-" (standard
     * input), which could hang the check or feed it anything; only regular files are read */
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        fail_all(x, n,
                 access(path, F_OK) != 0 ? "cannot open: no such file" : "not a regular file");
        free(real);
        return;
    }
    if (ruru_stream_open(path, &s, &d) != RURU_OK) {
        for (size_t i = 0; i < n; i++) {
            snprintf(x[i]->reason, sizeof(x[i]->reason), "%.180s", d.msg);
            x[i]->why = x[i]->reason;
        }
        free(real);
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
            if (ruru_stream_open(path, &s, &d) != RURU_OK || it->offset < 0 || it->length < 0) {
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
        /* nothing of the bytes found is told (no digest): a forged report could otherwise
         * rebuild any readable file from the answers, one byte at a time */
        if (strcmp(got, it->sha256) != 0) {
            snprintf(it->reason, sizeof(it->reason),
                     "the bytes changed: their SHA-256 is not the one the report gives");
            it->why = it->reason;
        }
    }
    ruru_free(buf);
    ruru_stream_close(s);
    free(real);
}

/* A Kafka record's state: it cannot be re-read; the line kept with it matches its hash, or
 * does not, or was not kept whole. */
static json_t *kafka_item(const struct item *x)
{
    const char *kept = "not kept whole";

    if (x->original != NULL) {
        struct sha256_ctx sha;
        unsigned char d[32];
        char h[65];
        sha256_init(&sha);
        sha256_update(&sha, strlen(x->original), (const uint8_t *)x->original);
        sha256_digest(&sha, sizeof(d), d);
        hex(d, h);
        kept = strcmp(h, x->sha256) == 0 ? "matches" : "differs";
    }
    return json_pack("{s:s, s:I, s:I, s:I, s:s, s:s}", "path", x->path, "line", x->line, "offset",
                     x->offset, "length", x->length, "reason",
                     "a Kafka record: it cannot be read again from a file", "kept_line", kept);
}

enum ruru_err ruru_verify(const char *report,
                          size_t len,
                          const char *const *root_dirs,
                          size_t n_roots,
                          char **result_json,
                          struct ruru_diag *diag)
{
    json_error_t je;
    json_t *doc, *list = NULL, *failed, *res, *kafka = NULL;
    struct items it = {NULL, 0, 0};
    struct item **order = NULL;
    struct roots roots = {NULL, 0};
    size_t ok = 0, n_items = 0, i;
    json_t *e;
    bool oom = false;
    enum ruru_err err = RURU_OK;

    *result_json = NULL;
    ruru_diag_clear(diag);
    if (n_roots > 0 && (roots.v = ruru_calloc(n_roots, sizeof(*roots.v))) == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    for (; roots.n < n_roots; roots.n++) {
        struct stat st;
        if ((roots.v[roots.n] = realpath(root_dirs[roots.n], NULL)) == NULL ||
            stat(roots.v[roots.n], &st) != 0 || !S_ISDIR(st.st_mode)) {
            err = ruru_diag_set(diag, RURU_EINVAL, root_dirs[roots.n], 0, 0, "%s",
                                roots.v[roots.n] == NULL ? "no such directory" : "not a directory");
            roots.n += roots.v[roots.n] != NULL;
            goto done;
        }
    }
    doc = json_loadb(report, len, 0, &je);
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
                    list = NULL;
                    err = ruru_diag_set(diag, RURU_EPARSE, NULL, 0, 0,
                                        "not a report: neither JSON nor JSON lines (%s)", je.text);
                    goto done;
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
    if (list == NULL) {
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    json_array_foreach(list, i, e)
    {
        if ((err = collect(&it, e, i + 1, diag)) != RURU_OK)
            goto done;
    }
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
            if (!order[i]->kafka)
                check_input(order + i, k - i, &roots);
            i = k;
        }
    }
    failed = json_array();
    kafka = json_array();
    for (i = 0; !oom && i < it.n; i++) {
        if (it.v[i].dup)
            continue;
        n_items++;
        if (it.v[i].kafka) {
            json_array_append_new(kafka, kafka_item(&it.v[i]));
            continue;
        }
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
    /* Kafka records: neither verified nor failed (said only when there are some) */
    if (res != NULL && json_array_size(kafka) > 0)
        json_object_set(res, "not_rereadable", kafka);
    if (!oom && res != NULL)
        *result_json = json_dumps(res, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(res);
    if (oom || *result_json == NULL)
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
done:
    json_decref(kafka);
    json_decref(list);
    ruru_free(order);
    ruru_free(it.v);
    for (i = 0; i < roots.n; i++)
        free(roots.v[i]);
    ruru_free(roots.v);
    return err;
}
