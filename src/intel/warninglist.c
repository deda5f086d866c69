/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MISP warninglists (list.json): values known to be benign or shared - public resolvers, CDN
 * ranges, top sites, sinkholes, RFC 1918 space. A sighting of a warninglisted value is kept
 * but carries no attribution weight (DESIGN.md §3). One file is one list, handed to the sink
 * whole, its entries in canonical form where the list's type allows one:
 *
 *   cidr       the normaliser's CIDR or address form, with the widest bounds (a /1 passes):
 *              these lists exist precisely for ranges an indicator may not be, 10.0.0.0/8 or
 *              0.0.0.0/8. What the normaliser refuses as a loopback or unspecified address
 *              (127.0.0.0/8, ::1) is kept as written, lower-cased; anything else it refuses
 *              (a malformed address, host bits set) is rejected with its reason.
 *   hostname   trimmed, ASCII lower-cased, leading and trailing dots (and spaces between them)
 *              stripped: ".dyndns.org" is the name dyndns.org, which a hostname list holds with
 *              all its subdomains
 *   string     trimmed, ASCII lower-cased, trailing dots stripped; a leading dot is kept, since
 *              a string entry is matched exactly (".google.ad" in MISP's google list is no
 *              host name and so matches none)
 *   substring, as written: their spaces and case may be the point
 *   regex
 *
 * A list without "type" is a string list, MISP's default. How each type matches (exactly,
 * with parents, ...) and which indicator types a list applies to (its "matching_attributes")
 * is the store's business: store_query.c.
 *
 * Example: {"name": "List of RFC 5735 CIDR blocks", "type": "cidr", "list": ["0.0.0.0/8",
 * "127.0.0.0/8", "255.255.255.255/32", ...]} gives the entries 0.0.0.0/8, 127.0.0.0/8 (kept
 * as written) and 255.255.255.255 (a /32 is an address).
 */
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "intel/galaxy_json.h"
#include "intel/intel.h"
#include "intel/ioc.h"

/* All entries of one list, copied. The largest real list (public-dns-v4, 62 745 addresses)
 * needs under 1 MiB; 256 MiB lets any list a machine could sensibly load through and stops a
 * hostile one with RURU_ELIMIT before it takes the memory. */
#define MAX_LIST_BYTES (256u << 20)

enum wl_type { WL_CIDR, WL_HOST, WL_STRING, WL_ASIS };

static const struct {
    const char *name;
    enum wl_type type;
} TYPES[] = {
        {"cidr", WL_CIDR},      {"hostname", WL_HOST}, {"string", WL_STRING},
        {"substring", WL_ASIS}, {"regex", WL_ASIS},
};

struct wl {
    const struct ruru_import_ctx *ctx;
    struct ruru_galaxy_json_pos pos; /* elements of "list" */
    enum wl_type type;
    struct ruru_buf store; /* the entries, NUL-terminated one after the other */
    struct ruru_buf canon; /* the normaliser's output for one entry */
    size_t *offs;          /* where each entry starts in store */
    size_t n;
};

/* Appends `s` lower-cased. */
static enum ruru_err add_lower(struct ruru_buf *b, struct ruru_str s)
{
    enum ruru_err err = RURU_OK;

    for (size_t k = 0; k < s.len && err == RURU_OK; k++)
        err = ruru_buf_addc(b, ruru_lower(s.ptr[k]));
    return err;
}

/* One element of "list", at index i. */
static enum ruru_err one_entry(struct wl *w, size_t i, json_t *v)
{
    static const struct ruru_norm_opts widest = {1, 1};
    struct ruru_str s;
    size_t start = w->store.len;
    enum ruru_err err = RURU_OK;

    if (!json_is_string(v))
        return ruru_galaxy_json_reject(w->ctx, &w->pos, i, NULL, NULL,
                                       "warninglist entry is not a string");
    s = ruru_str_make(json_string_value(v), json_string_length(v));
    if (w->type != WL_ASIS)
        s = ruru_str_trim(s);
    if (w->type == WL_HOST || w->type == WL_STRING) /* "a.b. ." ends in dots and spaces */
        while (s.len > 0 && (s.ptr[s.len - 1] == '.' || ruru_is_space(s.ptr[s.len - 1])))
            s.len--;
    if (w->type == WL_HOST) /* ".a.b": the name a.b and its subdomains */
        while (s.len > 0 && (s.ptr[0] == '.' || ruru_is_space(s.ptr[0]))) {
            s.ptr++;
            s.len--;
        }
    if (s.len == 0)
        return ruru_galaxy_json_reject(w->ctx, &w->pos, i, NULL, json_string_value(v),
                                       "empty warninglist entry");
    if (w->type == WL_CIDR) {
        /* An address type tells the normaliser "an IP or a CIDR": it never infers a domain. */
        enum ruru_ioc_type t = memchr(s.ptr, ':', s.len) ? RURU_IOC_CIDR6 : RURU_IOC_CIDR4;
        const char *reason = NULL;
        if (ruru_ioc_normalize(&t, s.ptr, s.len, &widest, &w->canon, &reason)) {
            err = ruru_buf_add(&w->store, w->canon.ptr, w->canon.len);
        } else if (reason != NULL && strcmp(reason, "out of memory") == 0) {
            return RURU_ENOMEM;
        } else if (reason != NULL && (strcmp(reason, "loopback address") == 0 ||
                                      strcmp(reason, "unspecified address") == 0)) {
            err = add_lower(&w->store, s);
        } else {
            return ruru_galaxy_json_reject(w->ctx, &w->pos, i, NULL, json_string_value(v),
                                           reason != NULL ? reason : "malformed CIDR");
        }
    } else if (w->type == WL_HOST || w->type == WL_STRING) {
        err = add_lower(&w->store, s);
    } else {
        err = ruru_buf_add(&w->store, s.ptr, s.len);
    }
    if (err == RURU_OK)
        err = ruru_buf_addc(&w->store, '\0');
    if (err != RURU_OK) {
        w->store.len = start; /* the next entry starts clean */
        return err;
    }
    w->offs[w->n++] = start;
    return RURU_OK;
}

/* Describes a failure of ours (not the sink's) in diag. */
static enum ruru_err
own_error(const struct ruru_import_ctx *ctx, enum ruru_err err, struct ruru_diag *diag)
{
    if (err == RURU_ELIMIT)
        return ruru_diag_set(diag, err, ctx->path, 0, 0, "warninglist entries exceed %u MiB",
                             MAX_LIST_BYTES >> 20);
    return ruru_diag_set(diag, err, ctx->path, 0, 0, "out of memory");
}

/* The list's "matching_attributes" strings. OUT: *out (caller frees), *n. */
static enum ruru_err matching_attributes(struct wl *w, json_t *attrs, const char ***out, size_t *n)
{
    const char **v = ruru_calloc(json_array_size(attrs) + 1, sizeof(*v));
    bool wrong = attrs != NULL && !json_is_array(attrs);
    json_t *a;
    size_t i;

    *n = 0;
    if (v == NULL)
        return RURU_ENOMEM;
    json_array_foreach(attrs, i, a)
    {
        if (json_is_string(a))
            v[(*n)++] = json_string_value(a);
        else
            wrong = true;
    }
    *out = v;
    return wrong ? ruru_galaxy_json_reject(w->ctx, NULL, 0, NULL, "matching_attributes",
                                           RURU_GALAXY_WRONG_TYPE)
                 : RURU_OK;
}

enum ruru_err ruru_warninglist_import(const char *data,
                                      size_t len,
                                      const struct ruru_import_ctx *ctx,
                                      struct ruru_diag *diag)
{
    struct wl w;
    struct ruru_intel_warninglist out;
    json_t *root = NULL, *list, *v, *version, *desc;
    const char **entries = NULL, **attrs = NULL;
    const char *name, *type;
    size_t i, t;
    enum ruru_err err;

    memset(&w, 0, sizeof(w));
    memset(&out, 0, sizeof(out));
    ruru_buf_init(&w.store, MAX_LIST_BYTES);
    /* A canonical address or CIDR needs 44 bytes, but the normaliser may hold a longer
     * intermediate form; no entry can outgrow the list's own bound. */
    ruru_buf_init(&w.canon, MAX_LIST_BYTES);
    err = ruru_galaxy_json_load(data, len, ctx, &root, diag);
    if (err != RURU_OK)
        goto out;
    w.ctx = ctx;
    name = json_string_value(json_object_get(root, "name"));
    type = json_string_value(json_object_get(root, "type"));
    list = json_object_get(root, "list");
    if (name == NULL || *name == '\0' || !json_is_array(list)) {
        err = ruru_diag_set(diag, RURU_EPARSE, ctx->path, 1, 1,
                            "not a MISP warninglist (no \"name\" and \"list\")");
        goto out;
    }
    if (type == NULL && json_object_get(root, "type") == NULL)
        type = "string"; /* the format's default */
    if (type == NULL) {
        err = ruru_galaxy_json_reject(ctx, NULL, 0, NULL, "type", RURU_GALAXY_WRONG_TYPE);
        goto out;
    }
    for (t = 0; t < sizeof(TYPES) / sizeof(TYPES[0]); t++)
        if (strcmp(type, TYPES[t].name) == 0)
            break;
    if (t == sizeof(TYPES) / sizeof(TYPES[0])) {
        /* Entries of a type we do not know could match nothing or everything: none. */
        err = ruru_galaxy_json_reject(ctx, NULL, 0, NULL, type, "unsupported warninglist type");
        goto out;
    }
    w.type = TYPES[t].type;
    ruru_galaxy_json_pos_init(&w.pos, data, len, "list");
    w.offs = ruru_calloc(json_array_size(list) + 1, sizeof(*w.offs));
    entries = ruru_calloc(json_array_size(list) + 1, sizeof(*entries));
    if (w.offs == NULL || entries == NULL) {
        err = own_error(ctx, RURU_ENOMEM, diag);
        goto out;
    }
    json_array_foreach(list, i, v)
    {
        err = one_entry(&w, i, v);
        if (err == RURU_ENOMEM || err == RURU_ELIMIT)
            err = own_error(ctx, err, diag);
        if (err != RURU_OK)
            goto out;
    }
    out.version = 0;
    version = json_object_get(root, "version");
    if (json_is_integer(version))
        out.version = json_integer_value(version);
    else if (version != NULL)
        err = ruru_galaxy_json_reject(ctx, NULL, 0, NULL, "version", RURU_GALAXY_WRONG_TYPE);
    desc = json_object_get(root, "description");
    if (err == RURU_OK && desc != NULL && !json_is_string(desc))
        err = ruru_galaxy_json_reject(ctx, NULL, 0, NULL, "description", RURU_GALAXY_WRONG_TYPE);
    if (err == RURU_OK)
        err = matching_attributes(&w, json_object_get(root, "matching_attributes"), &attrs,
                                  &out.n_matching_attributes);
    if (err == RURU_ENOMEM && attrs == NULL)
        err = own_error(ctx, err, diag);
    if (err != RURU_OK)
        goto out;
    /* Pointers last: store may have moved while it grew. */
    for (i = 0; i < w.n; i++)
        entries[i] = w.store.ptr + w.offs[i];
    out.name = name;
    out.description = json_string_value(desc);
    out.type = type;
    out.entries = entries;
    out.n_entries = w.n;
    out.matching_attributes = attrs;
    if (ctx->sink->warninglist != NULL)
        err = ctx->sink->warninglist(ctx->sink->ctx, &out);
out:
    ruru_free(w.offs);
    ruru_free(entries);
    ruru_free(attrs);
    ruru_buf_fini(&w.store);
    ruru_buf_fini(&w.canon);
    json_decref(root);
    return err;
}
