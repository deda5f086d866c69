/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Incidents (DESIGN.md §7): the sightings of a sweep — its JSON documents, as `ruru scan`
 * writes them (docs/json.md) — grouped by asset and time, each group judged (attrib.h).
 *
 *   - An incident is the sightings on one asset whose times lie within `gap` of each other
 *     (default 24 h); sightings without a time on an asset are an incident of their own, one
 *     per input (undated records of two inputs are never joined). A record that names no
 *     asset is on its input: the input's path is its asset (`asset_from: "input"`).
 *   - An asset's name is unique within one organisation only: sightings recorded for an
 *     organisation (`ruru.org`) are grouped apart from another's and from the CERT's own (no
 *     org), and the incident names it (`org`, null when none).
 *   - Its id is stable: "ruru-incident--" and 16 hex digits of the SHA-256 of its asset and
 *     its first evidence (path, byte offset, the line's hash), and of its organisation when
 *     it has one — the same logs give the same id.
 *   - Its evidence is the distinct indicators and rules behind its sightings, each with the
 *     records that cite it (at most RURU_CASE_MAX_CITES each; the count is whole).
 *   - Severity: the most severe piece — a rule by its level (success raises it one step, an
 *     attempt lowers it one), an indicator by its kind (a hash, URL or pattern high; a domain
 *     or e-mail medium; the rest low), a source confidence under 50 one step lower;
 *     warninglisted values informational. "Serious" is severity at or above `serious`.
 *   - Incidents on different assets that share a distinctive indicator (a hash, URL, domain,
 *     e-mail address or pattern, not warninglisted) are one campaign: `campaign` is the
 *     smallest incident id among them.
 *
 * Example: three sightings on EXCH01 at 01:15, 01:20 and 09:00 the next day, with gap 24 h,
 * are one incident; a fourth at 09:00 two days later is a second.
 */
#ifndef RURU_CASES_INCIDENT_H
#define RURU_CASES_INCIDENT_H

#include <jansson.h>
#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cases/attrib.h"

#define RURU_CASE_MAX_CITES 16

enum ruru_severity {
    RURU_SEV_INFO,
    RURU_SEV_LOW,
    RURU_SEV_MEDIUM,
    RURU_SEV_HIGH,
    RURU_SEV_CRITICAL
};

const char *ruru_severity_name(enum ruru_severity s);

/* ruru.yaml's export: section (docs/export.md): who reports, and the TLP of what carries none.
 * TLPs are ranks (intel/intel.h: clear 0 ... red 4). */
struct ruru_export_config {
    char name[128];    /* the reporting CERT ("ruru") */
    char contact[256]; /* its contact, "" when none */
    int tlp_default;   /* intel without a TLP (amber) */
    int tlp_evidence;  /* what the CERT's own sweeps found: records, sightings (amber) */
};

struct ruru_case_config {
    int64_t gap;                /* seconds between sightings of one incident (86400) */
    enum ruru_severity serious; /* the least severity that is serious (high) */
    struct ruru_attrib_config attrib;
    struct ruru_export_config export;
};

void ruru_case_defaults(struct ruru_case_config *c);

/* Reads ruru.yaml (buf[0..len), named `file` in errors) over the defaults into *c, which is
 * left as it was on error. RURU_EPARSE with line and column for an unknown key or a value out
 * of range (config.c). */
enum ruru_err ruru_case_config_load(const char *buf,
                                    size_t len,
                                    const char *file,
                                    struct ruru_case_config *c,
                                    struct ruru_diag *d);

/* ruru.yaml's orgs: (NAME: {sector: SECTOR}), the sectors of organisations a recording adds.
 * OUT: *orgs {NAME: SECTOR or null} (json_decref it), NULL when the file has no orgs:.
 * RURU_EPARSE with line and column for a bad entry (config.c). */
enum ruru_err ruru_case_config_orgs(
        const char *buf, size_t len, const char *file, json_t **orgs, struct ruru_diag *d);

/* ruru.yaml's serve: (amber: all|listed, amber_to: {SOURCE: [ORG...]}), who among the
 * constituents gets TLP:AMBER intel. OUT: *serve {"amber", "amber_to"} (json_decref it), NULL
 * when the file has no serve:. RURU_EPARSE with line and column for a bad entry (config.c). */
enum ruru_err ruru_case_config_serve(
        const char *buf, size_t len, const char *file, json_t **serve, struct ruru_diag *d);

/* The value at a dotted path of a document's nested objects ("ruru.indicator.id",
 * "log.file.path"), or NULL. */
json_t *ruru_case_at(json_t *o, const char *path);

/* Where a sighting document puts its record, as the grouping sees it. */
struct ruru_place {
    const char *asset; /* the input for a record naming none: its path, or a Kafka message's
                          partition (kafka:TOPIC/PARTITION); NULL when none either */
    int64_t time;      /* RURU_TIME_NONE when undated */
    const char *path;  /* the cited input (a pattern's first member) */
    char partition[300];
};

/* Fills *out (its strings live in doc or in *out). False for a document that is no sighting. */
bool ruru_case_place(json_t *doc, struct ruru_place *out);

/* Groups sightings[0..n) into incidents and judges each. Documents that are no sighting (a
 * summary, anything without evidence) are counted in *skipped. OUT: *out, a JSON array of
 * incidents, earliest first (docs/json.md "incident"). RURU_ENOMEM only. */
/* Whether an evidence piece of an incident links campaigns: a hash, URL, domain, e-mail address
 * or pattern, not warninglisted. */
bool ruru_case_distinctive(json_t *evidence);

/* Sets each incident's "campaign" (incidents: an array of objects with "id", "asset", "org"
 * and "evidence" [{"key", "kind", "warninglisted"}]): incidents on different assets sharing a
 * distinctive indicator are one campaign, named by the smallest id among them; null for an
 * incident in none. */
void ruru_case_campaigns(json_t *incidents);

enum ruru_err ruru_cases_build(const struct ruru_case_config *c,
                               json_t *const *sightings,
                               size_t n,
                               const struct ruru_actor_profile *profiles,
                               size_t n_profiles,
                               json_t **out,
                               size_t *skipped);

#endif
