/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The intel model as importers hand it over (DESIGN.md §3). An importer parses one file and
 * calls the sink once per indicator, entity (actor, technique, malware, ...), relationship,
 * rejected value, warninglist and tag meaning. The sink (the intel store, or a test) copies
 * what it keeps: every pointer below is valid only during the call.
 *
 * Conventions for all structs here:
 *   - strings are NUL-terminated UTF-8, NULL when absent;
 *   - times are unix seconds UTC, RURU_TIME_NONE when absent (base/time.h);
 *   - confidence is 0..100, or -1 when the source gives none;
 *   - `ref` is the object's identifier in its source: a STIX id ("intrusion-set--<uuid>"), a
 *     MISP/galaxy uuid, or NULL. Actor links may name an actor instead: a string without "--"
 *     and not a uuid is a name, resolved through the alias registry.
 *
 * A sink callback that returns anything but RURU_OK stops the import, which returns that
 * error. Importers never print; bad records are reported through sink->reject and skipped.
 */
#ifndef RURU_INTEL_INTEL_H
#define RURU_INTEL_INTEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/time.h"
#include "intel/ioc.h"

struct ruru_intel_indicator {
    const char *ref;         /* STIX indicator id / MISP attribute uuid; NULL: derived */
    enum ruru_ioc_type type; /* after normalisation */
    const char *value;       /* canonical value (pattern text for RURU_IOC_PATTERN) */
    const char *raw;         /* the value as the source wrote it, NULL when the same */
    const char *context;     /* qualifier kept for display: "port=443", "filename=x.exe" */
    const char *object_ref;  /* enclosing object: STIX indicator id, MISP event uuid */
    uint64_t line;           /* 1-based line in the file; 0 when not line-based */
    int confidence;          /* 0..100 or -1 */
    int64_t valid_from;      /* STIX valid_from, CSV valid_from / first_seen */
    int64_t valid_until;     /* STIX valid_until, CSV valid_until / expires */
    int64_t first_seen;      /* MISP attribute first_seen, CSV first_seen */
    int64_t last_seen;       /* MISP attribute last_seen, CSV last_seen */
    int64_t modified;        /* version: a newer one replaces an older one with the same ref */
    bool revoked;
    bool to_ids;     /* MISP to_ids; true for other sources */
    const char *tlp; /* "clear", "green", "amber", "amber+strict", "red"; TLP 1.0
                        "white" is given as "clear" */
    const char *description;
    const char *created_by;    /* identity ref or name of the author */
    const char *const *labels; /* tags and labels as written ("tlp:amber", "malicious-activity") */
    size_t n_labels;
    const char *const *actors; /* actor refs or names linked by this source */
    size_t n_actors;
    const char *const *techniques; /* ATT&CK ids ("T1190") or attack-pattern refs */
    size_t n_techniques;
};

enum ruru_entity_kind {
    RURU_ENTITY_ACTOR = 1, /* intrusion-set, threat-actor, galaxy actor cluster */
    RURU_ENTITY_CAMPAIGN,
    RURU_ENTITY_MALWARE,
    RURU_ENTITY_TOOL,
    RURU_ENTITY_TECHNIQUE, /* attack-pattern */
    RURU_ENTITY_IDENTITY,
    RURU_ENTITY_INFRASTRUCTURE /* STIX 2.1 infrastructure: C2 servers, botnets, ... */
};

struct ruru_intel_entity {
    const char *ref; /* required */
    enum ruru_entity_kind kind;
    const char *source_type;    /* "intrusion-set", "threat-actor", "misp-galaxy:threat-actor",
                                   "misp-galaxy:mitre-intrusion-set", ... */
    const char *name;           /* required */
    const char *const *aliases; /* other names, without `name` itself */
    size_t n_aliases;
    const char *external_id; /* ATT&CK "T1190", "G0065" */
    const char *country;     /* sponsoring state, ISO 3166-1 alpha-2 ("CN"), actors only */
    const char *sponsor;     /* the sponsor as written ("China") */
    int confidence;          /* attribution-confidence / STIX confidence, or -1 */
    const char *description;
    int64_t modified;
    bool revoked;
    uint64_t line; /* 0 when not line-based */
};

struct ruru_intel_relation {
    const char *ref;  /* STIX relationship id, or NULL */
    const char *src;  /* ref of the source object */
    const char *type; /* "indicates", "attributed-to", "uses", "targets", "similar", ... */
    const char *dst;  /* ref (or actor name) of the target object */
    int confidence;   /* or -1 */
    int64_t modified;
    bool revoked;
};

/* A value or object that was not imported. */
struct ruru_intel_reject {
    uint64_t line;          /* 1-based line, 0 when not line-based */
    uint64_t col;           /* 1-based column or byte offset, 0 when unknown */
    const char *object_ref; /* the object it belongs to, or NULL */
    const char *value;      /* the offending value (may be truncated by the sink), or NULL */
    const char *reason;     /* static English phrase: "public suffix", "unknown attribute type" */
};

/* A MISP warninglist (values known to be benign or shared). */
struct ruru_intel_warninglist {
    const char *name;
    const char *description;
    const char *type; /* "cidr", "string", "substring", "hostname", "regex" */
    int64_t version;
    const char *const *entries; /* normalised where the type allows it */
    size_t n_entries;
    const char *const *matching_attributes; /* MISP attribute types it applies to */
    size_t n_matching_attributes;
};

/* One value of a MISP taxonomy: what a tag means. */
struct ruru_intel_tag_meaning {
    const char *tag; /* machine tag as written in events: namespace:predicate="value" */
    const char *ns;
    const char *predicate;
    const char *value;    /* NULL for predicate-only tags */
    const char *expanded; /* human text */
    int numerical_value;  /* -1 when the taxonomy gives none */
};

struct ruru_intel_sink {
    void *ctx;
    enum ruru_err (*indicator)(void *ctx, const struct ruru_intel_indicator *ind);
    enum ruru_err (*entity)(void *ctx, const struct ruru_intel_entity *ent);
    enum ruru_err (*relation)(void *ctx, const struct ruru_intel_relation *rel);
    enum ruru_err (*reject)(void *ctx, const struct ruru_intel_reject *rej);
    enum ruru_err (*warninglist)(void *ctx, const struct ruru_intel_warninglist *wl);
    enum ruru_err (*tag_meaning)(void *ctx, const struct ruru_intel_tag_meaning *tm);
};

/* What an importer gets besides the bytes. */
struct ruru_import_ctx {
    const char *path; /* for diagnostics and provenance */
    const struct ruru_intel_sink *sink;
    struct ruru_norm_opts norm;
};

/* Zero-initialised indicator with the "absent" markers set (confidence -1, times NONE,
 * to_ids true). Importers start from this. */
void ruru_intel_indicator_init(struct ruru_intel_indicator *ind);
void ruru_intel_entity_init(struct ruru_intel_entity *ent);
void ruru_intel_relation_init(struct ruru_intel_relation *rel);

/* Hands a rejection to ctx->sink (a no-op when it takes none). */
enum ruru_err ruru_intel_reject(const struct ruru_import_ctx *ctx,
                                uint64_t line,
                                const char *object_ref,
                                const char *value,
                                const char *reason);

/* A TLP level as sources write it ("TLP:AMBER", "amber", "white") in its TLP 2.0 name
 * ("clear", "green", "amber", "amber+strict", "red"), or NULL when it is none. */
const char *ruru_tlp_parse(const char *s, size_t len);
/* The restrictiveness of a TLP 2.0 name: 0 for clear up to 4 for red, -1 for NULL or other. */
int ruru_tlp_rank(const char *tlp);

/*
 * The importers. Each parses `len` bytes of `data` (not NUL-terminated; may contain NULs) and
 * feeds ctx->sink. A document that cannot be parsed at all returns RURU_EPARSE with the
 * position in diag (source = ctx->path); objects inside a parsed document that are bad go to
 * sink->reject and the import goes on. Anything already handed to the sink stays handed.
 */
enum ruru_err ruru_stix_import(const char *data,
                               size_t len,
                               const struct ruru_import_ctx *ctx,
                               struct ruru_diag *diag);
/* MISP event ({"Event": ...}), list of events, REST response ({"response": [...]}). */
enum ruru_err ruru_misp_import(const char *data,
                               size_t len,
                               const struct ruru_import_ctx *ctx,
                               struct ruru_diag *diag);
/* MISP galaxy cluster file ({"values": [...], "type": ...}). */
enum ruru_err ruru_galaxy_import(const char *data,
                                 size_t len,
                                 const struct ruru_import_ctx *ctx,
                                 struct ruru_diag *diag);
/* MISP taxonomy machinetag.json. */
enum ruru_err ruru_taxonomy_import(const char *data,
                                   size_t len,
                                   const struct ruru_import_ctx *ctx,
                                   struct ruru_diag *diag);
/* MISP warninglist list.json. */
enum ruru_err ruru_warninglist_import(const char *data,
                                      size_t len,
                                      const struct ruru_import_ctx *ctx,
                                      struct ruru_diag *diag);
/* CSV with or without header, and plain one-value-per-line text lists (defanged or not). */
enum ruru_err ruru_csv_import(const char *data,
                              size_t len,
                              const struct ruru_import_ctx *ctx,
                              struct ruru_diag *diag);
/* CISA CHIRP indicator files (YAML documents of ioc_type network / yara / events / registry:
 * what maps to indicators is imported, the rest refused with its reason; chirp.c). */
enum ruru_err ruru_chirp_import(const char *data,
                                size_t len,
                                const struct ruru_import_ctx *ctx,
                                struct ruru_diag *diag);
/* Zeek intel framework files (#fields indicator indicator_type meta.source ...). */
enum ruru_err ruru_zeek_import(const char *data,
                               size_t len,
                               const struct ruru_import_ctx *ctx,
                               struct ruru_diag *diag);

#endif
