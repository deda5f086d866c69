/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruru: threat-intelligence sweeper and attribution engine, public API.
 *
 * The library never prints, never exits and keeps no global state. Every call that can fail
 * returns an enum ruru_err and fills a caller-owned struct ruru_diag (which may be NULL) with the
 * file, line and reason. Query results are returned as JSON text whose shape is documented in
 * docs/json.md and kept stable: the CLI renders its tables from the same documents.
 */
#ifndef RURU_H
#define RURU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define RURU_API __attribute__((visibility("default")))
#else
#define RURU_API
#endif

/* One error enum for the whole API; the values never change. */
enum ruru_err {
    RURU_OK = 0,
    RURU_ENOMEM,       /* an allocation failed */
    RURU_EIO,          /* reading or writing a file failed */
    RURU_EPARSE,       /* input could not be parsed at all */
    RURU_ELIMIT,       /* input exceeded a configured bound */
    RURU_EINVAL,       /* the caller passed something wrong */
    RURU_EUNSUPPORTED, /* a format or feature ruru does not handle */
    RURU_ECORRUPT,     /* a store or index file is damaged */
    RURU_ESTOPPED,     /* a callback asked to stop */
    RURU_ENOTFOUND,    /* the thing asked for does not exist */
    RURU_EDB           /* the SQLite store failed */
};

/* Details of the last failure, owned by the caller. `source` points to a string that lives at
 * least as long as the call's inputs (usually the path the caller passed). */
struct ruru_diag {
    char msg[256];
    const char *source; /* file or object the failure is in, or NULL */
    uint64_t line;      /* 1-based line, 0 when unknown */
    uint64_t col;       /* 1-based column or byte position, 0 when unknown */
    int64_t item;       /* index of the failing indicator or rule, -1 when none */
};

/* A static English name for `err`; never NULL. */
RURU_API const char *ruru_strerror(enum ruru_err err);

/* The library version, "MAJOR.MINOR.PATCH". */
RURU_API const char *ruru_version(void);

/* Frees memory the library handed to the caller (JSON texts). NULL is a no-op. */
RURU_API void ruru_free(void *ptr);

/* Whether ruru's fast paths run: its own vector code (AVX2 or AVX-512 in the tokenizer, SSE2
 * in field splitting) where the CPU has it, and the sweep's skim (lines let go without being parsed
 * when they cannot give anything: docs/scan.md). true by default. false selects the portable
 * path, which gives the same answers byte for byte; the tests sweep both ways and compare.
 * Process-wide: set it before a sweep starts, not while one runs. (`ruru` sets it false when
 * RURU_NO_SIMD is set and not 0.) */
RURU_API void ruru_set_simd(bool on);

/* Whether the fast paths may use AVX-512 (BW) where the CPU has it: true by default; false
 * keeps them to AVX2, with the same answers (for comparing the two: `ruru` sets it false when
 * RURU_NO_AVX512 is set and not 0). Process-wide, as ruru_set_simd. */
RURU_API void ruru_set_avx512(bool on);

/* Parses a time as intel and logs write it (RFC 3339, "YYYY-MM-DD HH:MM:SS", a date, or unix
 * seconds; no zone means UTC) into unix seconds. Returns false when `s` is none of these. */
RURU_API bool ruru_parse_time(const char *s, int64_t *out);

/* ---- the intel store ------------------------------------------------------------------- */

typedef struct ruru_store ruru_store;

/* `home` for a private store in memory, gone when closed (ad hoc sweeps: `--intel FILE`). */
#define RURU_STORE_MEMORY ":memory:"

/* Opens (creating if needed) the intel store under directory `home` (created with its parents
 * when missing), or in memory when `home` is RURU_STORE_MEMORY. OUT: *out, the handle, to be closed
 * with ruru_store_close. On failure *out is untouched. A handle is used by one thread at a time. */
RURU_API enum ruru_err ruru_store_open(const char *home, ruru_store **out, struct ruru_diag *diag);

/* Closes the store. NULL is a no-op. */
RURU_API void ruru_store_close(ruru_store *store);

/* Options of ruru_intel_import; zero-initialise, then set what you need. */
struct ruru_import_opts {
    const char *format;      /* "stix", "misp", "galaxy", "taxonomy", "warninglist", "csv",
                                "text", "zeek", "loki", or NULL to detect from content */
    const char *source;      /* source name; NULL: the basename of the path */
    unsigned min_prefix_v4;  /* widest IPv4 CIDR accepted (a prefix length); 0: default 8 */
    unsigned min_prefix_v6;  /* widest IPv6 CIDR accepted; 0: default 32 */
    uint64_t max_file_bytes; /* a larger file is refused; 0: default 1 GiB */
    /* Defaults for what an indicator of the imported files does not say itself (a vendor's
     * single-actor feed names its actor, TLP and confidence nowhere in the rows): */
    const char *actor;   /* linked to each indicator that names no actor; NULL: none */
    const char *tlp;     /* "clear", "green", "amber", "amber+strict", "red" ("TLP:AMBER" and
                            TLP 1.0 "white" too) for indicators without one; NULL: none. Another
                            word makes ruru_intel_import fail with RURU_EINVAL */
    bool has_confidence; /* set `confidence` (0..100) for indicators that give none */
    int confidence;
};

/* Imports one file or a directory (recursively) into the store. Each file is one transaction:
 * a file that fails to parse leaves the store as it was for that file and the import goes on
 * with the others. OUT: *report_json, a JSON document (docs/json.md, "import report") that the
 * caller frees with ruru_free; it lists every file with its format, counts, rejections and
 * errors. Returns RURU_OK when every file was read, else the first error (the report still
 * describes everything). */
RURU_API enum ruru_err ruru_intel_import(ruru_store *store,
                                         const char *path,
                                         const struct ruru_import_opts *opts,
                                         char **report_json,
                                         struct ruru_diag *diag);

/* Every indicator that would match `value` (an address finds the CIDRs holding it, a host name
 * its parent-domain indicators, ...). OUT: *json (docs/json.md, "search"). `at` is the time
 * (unix seconds) used to judge validity, or INT64_MIN for "now". */
RURU_API enum ruru_err ruru_intel_search(
        ruru_store *store, const char *value, int64_t at, char **json, struct ruru_diag *diag);

/* Counts by source, type and kind. OUT: *json (docs/json.md, "stats"). */
RURU_API enum ruru_err ruru_intel_stats(ruru_store *store, char **json, struct ruru_diag *diag);

/* The sources with their files; with `actors`, each file also counts the actors its indicators
 * are tied to (through the actor registry: a walk over every indicator). OUT: *json
 * (docs/json.md, "sources"). */
RURU_API enum ruru_err
ruru_intel_sources(ruru_store *store, bool actors, char **json, struct ruru_diag *diag);

/* Copies every warninglist of store `from` into store `to` (an ad hoc `--intel` sweep's store
 * in memory, so that the values the user's store knows to be benign or shared stay marked),
 * each under its source and file as in `from`, one transaction per file. OUT: *n_lists, how
 * many were copied. On failure the file being copied is rolled back; those before it stay. */
RURU_API enum ruru_err ruru_store_copy_warninglists(ruru_store *to,
                                                    ruru_store *from,
                                                    size_t *n_lists,
                                                    struct ruru_diag *diag);

/* Removes a source and everything that came only from it. OUT: *json, what was removed.
 * RURU_ENOTFOUND when no source has that name. */
RURU_API enum ruru_err
ruru_intel_remove(ruru_store *store, const char *source, char **json, struct ruru_diag *diag);

/* Lists actors (name == NULL) or describes the one actor having `name` as a name or alias.
 * OUT: *json (docs/json.md, "actors" / "actor"). RURU_ENOTFOUND when no actor has that name. */
RURU_API enum ruru_err
ruru_actors(ruru_store *store, const char *name, char **json, struct ruru_diag *diag);

/* ---- detection rules --------------------------------------------------------------------- */

/* Loads the Sigma rules at `paths` (files, or directories of .yml / .yaml files, recursively)
 * and, when `with_builtin`, ruru's own rules, and says for every file how many rules it gave
 * or why a document was refused (file, line, column, reason), and which rules have a
 * logsource ruru does not map. OUT: *report_json (docs/json.md, "rules lint"). Returns RURU_OK
 * unless a path cannot be read at all or memory runs out; refused rules are in the report. */
RURU_API enum ruru_err ruru_rules_lint(const char *const *paths,
                                       size_t n_paths,
                                       bool with_builtin,
                                       char **report_json,
                                       struct ruru_diag *diag);

/* ---- evidence ----------------------------------------------------------------------------- */

/* Re-opens every input a report cites, re-reads each cited record (a sighting's, each member of
 * a pattern or correlation sighting, each record an incident cites; through gzip and zstd) and
 * checks its SHA-256. `report` is what `ruru scan` wrote: JSON lines of sightings,
 * {"sightings": [...]}, or a JSON array of sightings or incidents. OUT: *result_json
 * (docs/json.md, "verify"): {"items": N, "verified": K, "failed": [{path, line, offset,
 * length, reason}]}. With roots[0..n_roots) (directories), an input is read only when its real
 * path (links resolved) lies inside one of them. A failed item never tells what the bytes found
 * were. RURU_EPARSE when `report` is no report or a cite in it is malformed (wrong types,
 * negative or fractional numbers, no 64-digit SHA-256), RURU_EINVAL for a root that is no
 * directory. */
RURU_API enum ruru_err ruru_verify(const char *report,
                                   size_t len,
                                   const char *const *roots,
                                   size_t n_roots,
                                   char **result_json,
                                   struct ruru_diag *diag);

/* ---- the register ------------------------------------------------------------------------ */

/* Parses a time as the command line gives it (2024-07-12, 2024-07-12T01:15:00Z, unix seconds)
 * into unix seconds UTC. */
RURU_API bool ruru_time_from_text(const char *s, int64_t *out);

/* Incidents, their evidence and the history of their judgements, in DIR/register.db. */
typedef struct ruru_register ruru_register;

RURU_API enum ruru_err
ruru_register_open(const char *home, ruru_register **out, struct ruru_diag *diag);
/* The register at `url`: NULL (or "") is HOME/register.db, as ruru_register_open;
 * "sqlite:PATH" a SQLite file; "postgresql://..." or "postgres://..." a PostgreSQL database
 * (a libpq connection URI: user, host, port, dbname, sslmode ... as libpq takes them). A
 * PostgreSQL database without the register's tables is given them; one from a newer ruru is
 * refused (RURU_ECORRUPT). Messages name the URL with its password as ***. RURU_EINVAL for
 * another URL, RURU_EDB when it cannot be reached (docs/register.md). */
RURU_API enum ruru_err ruru_register_open_url(const char *home,
                                              const char *url,
                                              ruru_register **out,
                                              struct ruru_diag *diag);
RURU_API void ruru_register_close(ruru_register *r);

/* Judges what is recorded next with the settings of a ruru.yaml (its text; `file` names it in
 * errors) instead of the defaults (docs/attribution.md). RURU_EPARSE with line and column for
 * an unknown key or a value out of range; the settings are then unchanged. */
RURU_API enum ruru_err ruru_register_set_config(
        ruru_register *r, const char *yaml, size_t len, const char *file, struct ruru_diag *diag);

/* The register a ruru.yaml names under "register:" (sqlite:PATH or a postgresql:// URL;
 * docs/register.md). OUT: *url (ruru_free), NULL when it names none. RURU_EPARSE with line and
 * column for a value of another shape. */
RURU_API enum ruru_err ruru_config_register(
        const char *yaml, size_t len, const char *file, char **url, struct ruru_diag *diag);

/* What the register is: {"backend": "sqlite" or "postgresql", "where": its file or URL (the
 * password as ***), "schema": 3, "tables": {TABLE: rows}} (docs/json.md). */
RURU_API enum ruru_err ruru_register_info(ruru_register *r, char **json, struct ruru_diag *diag);

/* Copies register `from` into register `to` (copy: true; `to` must hold no rows yet) in one
 * transaction on `to`, then compares them: the rows of every table, and per incident a
 * SHA-256 over its document, its actors and its judgement history, on both sides. With copy
 * false only compares. The copy is committed only when the comparison finds them the same.
 * OUT: *json {"copied", "same", "tables": [{"table", "from", "to"}], "incidents",
 * "differences": [{"incident", "what"}]} (docs/json.md); RURU_OK whether or not they are the
 * same ("same" says). RURU_EINVAL for a `to` that holds rows. */
RURU_API enum ruru_err ruru_register_migrate(
        ruru_register *from, ruru_register *to, bool copy, char **json, struct ruru_diag *diag);

/* The Sigma logsources a ruru.yaml (its text; `file` names it in errors) ties to inputs, under
 * "logsources:" (LOGSOURCE: PATTERN, or a list of them; docs/rules.md). OUT: *json, a JSON
 * array of "LOGSOURCE=PATTERN" strings for ruru_scan_opts.logsources. The whole file is
 * checked: RURU_EPARSE with line and column for an unknown key or a bad value. */
RURU_API enum ruru_err ruru_config_logsources(
        const char *yaml, size_t len, const char *file, char **json, struct ruru_diag *diag);

/* Groups `sightings` (a JSON array of the sweep's sighting documents) into incidents, judges
 * each with what `store` knows of the actors (NULL: nothing more than the sightings say) and
 * records them, all or none. An incident already recorded (the same id, or the same asset at
 * overlapping times) is updated in place and judged anew when its judgement changed;
 * recording the same sightings again changes nothing. OUT: *json {"incidents", "new",
 * "updated", "unchanged", "rejudged", "ids"}. */
RURU_API enum ruru_err ruru_register_record(ruru_register *r,
                                            ruru_store *store,
                                            const char *sightings,
                                            size_t len,
                                            char **json,
                                            struct ruru_diag *diag);

/* ruru_register_record for organisation `org` (NULL: none, the CERT's own, as
 * ruru_register_record): each sighting document carries it as ruru.org, incidents are grouped
 * per organisation (an asset's name is unique within one only) and name it ("org"). The same
 * sighting recorded for two organisations is two sightings. An organisation the register does
 * not have yet is added, with the sector ruru.yaml's orgs: gives it (ruru_register_set_config).
 * RURU_EINVAL for a name that is empty, longer than 128 bytes or holds control characters. */
RURU_API enum ruru_err ruru_register_record_org(ruru_register *r,
                                                ruru_store *store,
                                                const char *org,
                                                const char *sightings,
                                                size_t len,
                                                char **json,
                                                struct ruru_diag *diag);

/* Turns what a constituent's own tools found into evidence for ruru_register_record_org
 * (docs/json.md, "Submitted sightings"). `buf` is JSON lines of sighting documents as `ruru
 * scan --format jsonl` writes them (or a JSON array of them, or {"sightings": [...]}), or a
 * STIX 2.1 bundle holding `sighting` objects with the indicators and observed-data they refer
 * to. The constituent says what it saw (a value, in a record, at a time, on an asset); the
 * CERT's intel in `store` says what it means: each accepted item is written as one ECS JSON
 * line to `spool` (a file path, created or truncated: the submitted records as a log, so that
 * the evidence cites bytes the CERT keeps), and the spool is swept with `store` as ruru_scan
 * sweeps a log. A value the store does not know becomes a sighting whose indicator is the
 * constituent's claim (source "submitted:ORG", no confidence, its actors kept apart as
 * ruru.claimed_actors and weighing on nothing). Every sighting made carries ruru.submitted
 * {"org", "item", ...}.
 * OUT: *sightings, a JSON array of sighting documents for ruru_register_record_org, and
 * *report {"received": N, "accepted": N, "matched_intel": N, "unmatched": N, "sightings": N,
 * "rejected_count": N, "rejected": [{"item": N, "line": N, "reason": "..."}]} (items numbered
 * from 1; at most 1,000 rejections listed, all counted); both freed with ruru_free. A bad item
 * is rejected and counted, the others go on. RURU_EPARSE only when buf is none of these shapes
 * at all, RURU_ELIMIT beyond 100,000 items, RURU_EINVAL for a bad organisation name, RURU_EIO
 * when the spool cannot be written or swept. On failure *sightings and *report are untouched
 * (the spool may have been written). `store` is used by this thread for the call. */
RURU_API enum ruru_err ruru_sightings_submitted(ruru_store *store,
                                                const char *org,
                                                const char *buf,
                                                size_t len,
                                                const char *spool,
                                                char **sightings,
                                                char **report,
                                                struct ruru_diag *diag);

/* The organisations: `name` added with `sector` (NULL: none; added again, a sector given
 * replaces its own), listed (OUT: *json {"orgs": [{"name", "sector", "created", "incidents",
 * "serious"}]}, by name; docs/json.md, "orgs"), or removed (RURU_ENOTFOUND for an unknown one,
 * RURU_EINVAL while incidents or sightings of the register concern it). */
RURU_API enum ruru_err ruru_register_org_add(ruru_register *r,
                                             const char *name,
                                             const char *sector,
                                             struct ruru_diag *diag);
RURU_API enum ruru_err ruru_register_orgs(ruru_register *r, char **json, struct ruru_diag *diag);
RURU_API enum ruru_err
ruru_register_org_remove(ruru_register *r, const char *name, struct ruru_diag *diag);

/* The API tokens of `ruru serve` (docs/serve-tokens.md): each acts for one organisation with
 * one role, weakest first "read" (lookups, its organisation's incidents, national aggregates),
 * "submit" (read, and posting logs and sightings), "admin" (everything, of every
 * organisation). A token reads "ruru_" + 16 hex digits (its id, public) + "_" + 64 hex digits
 * (its secret, 256 random bits from getrandom); the register keeps the SHA-256 of the text,
 * never the text.
 *
 * ruru_register_token_add makes one for `org` (added to the register when it does not have
 * it, with the sector ruru.yaml's orgs: gives, as ruru_register_record_org does) with `role`
 * and `label` (a note for people, NULL: none; at most 256 bytes, no control characters).
 * OUT: *token, the token's text, which exists nowhere else: hand it over once (ruru_free);
 * *json {"id", "org", "role", "label", "created"} (docs/json.md, "Tokens"). RURU_EINVAL for
 * another role, a label or an organisation's name ruru_register_record_org refuses; RURU_EIO
 * when the kernel gives no random bytes. On failure no token is added and *token and *json
 * are NULL.
 *
 * ruru_register_tokens lists them all, revoked ones too, by organisation then age; never a
 * secret or a hash. OUT: *json {"tokens": [{"id", "org", "role", "label", "created",
 * "revoked" (absent while valid)}]}.
 *
 * ruru_register_token_revoke revokes token `id` for good: RURU_ENOTFOUND for an unknown id; a
 * token revoked again stays revoked since the first time. */
RURU_API enum ruru_err ruru_register_token_add(ruru_register *r,
                                               const char *org,
                                               const char *role,
                                               const char *label,
                                               char **token,
                                               char **json,
                                               struct ruru_diag *diag);
RURU_API enum ruru_err ruru_register_tokens(ruru_register *r, char **json, struct ruru_diag *diag);
RURU_API enum ruru_err
ruru_register_token_revoke(ruru_register *r, const char *id, struct ruru_diag *diag);

/* The recorded incidents whose first record lies in [since, until) (INT64_MIN: open) and,
 * when actor is not NULL, whose evidence points to that actor; each with its judgement
 * history. OUT: *json {"incidents": [...]} (docs/json.md, "report"). */
RURU_API enum ruru_err ruru_register_report(ruru_register *r,
                                            int64_t since,
                                            int64_t until,
                                            const char *actor,
                                            char **json,
                                            struct ruru_diag *diag);
/* ruru_register_report of organisation `org`'s incidents only (NULL: all of them). */
RURU_API enum ruru_err ruru_register_report_org(ruru_register *r,
                                                int64_t since,
                                                int64_t until,
                                                const char *actor,
                                                const char *org,
                                                char **json,
                                                struct ruru_diag *diag);

/* How many serious incidents, and what share of them carry indicators of actors attributed to
 * a state, by "sponsor" (the default), "actor", "month", "asset", "org" or "sector". OUT: *json
 * (docs/json.md, "stats"). RURU_EINVAL for another `by`. Over all organisations (the national
 * figure); ruru_register_stats_org counts organisation `org`'s incidents only. */
RURU_API enum ruru_err ruru_register_stats(ruru_register *r,
                                           int64_t since,
                                           int64_t until,
                                           const char *by,
                                           char **json,
                                           struct ruru_diag *diag);
RURU_API enum ruru_err ruru_register_stats_org(ruru_register *r,
                                               int64_t since,
                                               int64_t until,
                                               const char *by,
                                               const char *org,
                                               char **json,
                                               struct ruru_diag *diag);

/* ---- sharing ------------------------------------------------------------------------------ */

/* Options of ruru_export; zero-initialise, then set what you need. */
struct ruru_export_opts {
    const char *format;           /* "stix", "misp", "html", or "json" (the export model) */
    int64_t since, until;         /* incidents whose first record is in [since, until);
                                     INT64_MIN: open */
    const char *const *incidents; /* only these incident ids (n_incidents 0: all) */
    size_t n_incidents;
    const char *actor;   /* only incidents whose evidence points to this actor */
    const char *tlp_max; /* the most restrictive TLP that may leave; NULL: amber */
    const char *org;     /* only this organisation's incidents (NULL: all) */
};

/* Exports the register's incidents with their evidence (docs/export.md): a STIX 2.1 bundle, a
 * MISP event (or list of events), or a self-contained HTML report; the same register gives the
 * same bytes. Nothing above opts->tlp_max leaves: a sighting above it is withheld, and an
 * incident that loses some is judged again without them. OUT: *out (*len bytes, NUL-terminated)
 * and *summary_json {"format", "tlp_max", "tlp", "incidents", "withheld": {"sightings": {TLP:
 * N}, "incidents": {TLP: N}, "evidence": N}}. RURU_EINVAL for an unknown format or TLP,
 * RURU_ENOTFOUND for an incident id the register does not hold. */
RURU_API enum ruru_err ruru_export(ruru_register *r,
                                   ruru_store *store,
                                   const struct ruru_export_opts *opts,
                                   char **out,
                                   size_t *len,
                                   char **summary_json,
                                   struct ruru_diag *diag);

/* ---- the sweep -------------------------------------------------------------------------- */

/* Called once per sighting, in input order: inputs as given, then lines, then the order of
 * the fields (the same for any number of threads). `json` is one sighting object on one line
 * (docs/json.md, "sighting"). A non-zero return stops the sweep (RURU_ESTOPPED). */
typedef int (*ruru_sighting_fn)(void *ctx, const char *json);
/* Called when an input cannot be read or ends early; the sweep goes on with the others.
 * diag->source names the input, diag->line the line when known. */
typedef void (*ruru_scan_error_fn)(void *ctx, enum ruru_err err, const struct ruru_diag *diag);
/* Called now and then from the calling thread: bytes of the inputs read so far, the input. */
typedef void (*ruru_progress_fn)(void *ctx, uint64_t bytes_read, const char *path);

/* Options of ruru_scan; zero-initialise, then set what you need. */
struct ruru_scan_opts {
    const char *log_format; /* see ruru_log_formats(); NULL: detected per input */
    unsigned threads;       /* matching threads; 0: one per core */
    uint64_t max_line;      /* a longer line is matched in pieces; 0: default 256 MiB */
    ruru_sighting_fn on_sighting;
    ruru_scan_error_fn on_error;
    ruru_progress_fn on_progress;
    void *ctx; /* passed to the callbacks */
    /* Sigma rules evaluated on the same records: files or directories, and ruru's own rules
     * unless no_builtin_rules. A rule that cannot be loaded is reported to on_error and left
     * out; the sweep goes on, and ends with that error (one of ruru's own: a warning only). */
    const char *const *rule_paths;
    size_t n_rule_paths;
    bool no_builtin_rules;
    /* The year of RFC 3164 syslog time stamps, which carry none; 0: per input, the latest year
     * that puts no line after the file's modification time (standard input: now), with a
     * day's slack for the writer's time zone (src/logs/syslog.h). */
    int syslog_year;
    /* Sigma logsources tied to inputs, each "LOGSOURCE=PATTERN" (docs/rules.md): the rules of
     * LOGSOURCE run on the inputs PATTERN names (a path, a directory above them, a glob; a
     * pattern without '/' is matched against the file name), whatever their format. A rule
     * whose logsource ruru maps to no format runs nowhere else. RURU_EINVAL for a bad one. */
    const char *const *logsources;
    size_t n_logsources;
};

/* The names --log-format accepts, separated by spaces. */
RURU_API const char *ruru_log_formats(void);

/* Sweeps files, directories (recursively, in name order) and "-" (standard input), gzip and
 * zstd undone by content, against every matchable indicator of the store (DESIGN.md §4). The
 * match index is built from the store, and for a store on disk cached beside it and rebuilt
 * only when the intel changed. OUT: *summary_json (docs/json.md, "scan summary"): per input
 * its format, lines, parsed and unparsed lines, first and last time, sightings, and the
 * indicators not in force that matched, and what the directory walks skipped. Returns RURU_OK
 * when every input was read whole and every rule of rule_paths loaded, else the first error
 * (every input is still swept and summarised; what was found is reported). */
RURU_API enum ruru_err ruru_scan(ruru_store *store,
                                 const char *const *paths,
                                 size_t n_paths,
                                 const struct ruru_scan_opts *opts,
                                 char **summary_json,
                                 struct ruru_diag *diag);

/* ---- the stream worker (Kafka) ------------------------------------------------------------ */

/* A topic a sweep worker consumes, with its log format (NULL: detected per partition from its
 * first messages, and kept for the partition). */
struct ruru_kafka_topic {
    const char *name;
    const char *format;
};

/* The worker's counters since it started (docs/stream.md, "Status"). */
struct ruru_kafka_stats {
    uint64_t messages, lines, bytes, sightings; /* consumed, and sightings found (or read) */
    uint64_t produced, recorded;                /* sightings delivered, and recorded */
    uint64_t batches, retries, reloads, errors, bad_records;
    int64_t lag;     /* messages of the assigned partitions not consumed yet; -1: unknown */
    double rate;     /* lines per second over the last interval (messages in recording mode) */
    size_t assigned; /* partitions held */
    double elapsed;  /* seconds since the start */
};

/* A line to say: an error (`error` true; librdkafka's, a batch retried, a bad record) or a
 * note (partitions assigned, the intel reloaded). Text from the brokers is passed as is: the
 * caller strips control characters before printing. */
typedef void (*ruru_kafka_say_fn)(void *ctx, bool error, const char *line);
/* The counters, every `stats_ms` and once at the end. */
typedef void (*ruru_kafka_stats_fn)(void *ctx, const struct ruru_kafka_stats *st, bool final);

/* Options of ruru_kafka_run; zero-initialise, then set what you need (docs/stream.md). */
struct ruru_kafka_opts {
    const char *brokers;   /* bootstrap.servers: HOST:PORT[,...] */
    const char *group;     /* the consumer group */
    const char *client_id; /* client.id of the consumer and producer, and the status file's */
    /* Sweep mode: the topics of logs, swept with `store`'s intel and `scan` (its callbacks
     * are the worker's own: only its rule paths, logsources, threads and year are used). */
    const struct ruru_kafka_topic *topics;
    size_t n_topics;
    const struct ruru_scan_opts *scan;
    /* Where the sightings go: to this topic as JSON lines (one a message, keyed by asset),
     * and/or into `reg` for organisation `org` (NULL: none). Recording mode (no topics): the
     * sightings of `sightings_topic` are consumed and recorded into `reg`. */
    const char *sightings_topic;
    ruru_register *reg;
    const char *org;
    ruru_store *store;
    /* librdkafka properties, property=value lines ('#' comments, blank lines), applied to the
     * consumer and the producer; `config_file` names them in errors. */
    const char *config;
    size_t config_len;
    const char *config_file;
    unsigned batch;    /* messages a batch at most; 0: 1,000 */
    unsigned batch_ms; /* a batch is swept at most this long after its first message; 0: 500 */
    unsigned stats_ms; /* the counters' interval; 0: 2,000 */
    const char *status_path;  /* the counters as JSON, replaced atomically; NULL: none */
    const volatile int *stop; /* set non-zero (from a signal handler): finish, commit, leave */
    ruru_kafka_say_fn on_say;
    ruru_kafka_stats_fn on_stats;
    void *ctx;
};

/* Runs a member of a Kafka consumer group until *opts->stop: batches of messages are swept
 * (or, in recording mode, read), what they give is delivered to the sightings topic and
 * recorded, and only then are the batch's offsets committed (docs/stream.md: at least once;
 * re-reading changes nothing in the register). RURU_EINVAL for bad options or a bad config
 * line (diag names the file and line; a secret's value is never in it), RURU_EIO when the
 * client cannot be created. Returns RURU_OK after a stop. */
RURU_API enum ruru_err ruru_kafka_run(const struct ruru_kafka_opts *opts, struct ruru_diag *diag);

/* ---- the service ------------------------------------------------------------------------- */

/* A line the server has to say (one per request: the access log; or a warning), without a
 * newline. Called from the server's threads. */
typedef void (*ruru_serve_log_fn)(void *ctx, const char *line);

/* Options of ruru_serve_start; zero-initialise, then set what you need (docs/serve.md). */
struct ruru_serve_opts {
    const char *home;         /* the intel store and the register */
    const char *register_url; /* the register elsewhere (ruru_register_open_url); NULL:
                                 HOME/register.db */
    const char *config;       /* ruru.yaml's text (config_len bytes; NULL: the defaults) */
    size_t config_len;
    const char *config_file;        /* names it in errors */
    const char *listen;             /* "ADDRESS:PORT" ("127.0.0.1:8080", "[::1]:0"; port 0: any free
                                       one, ruru_serve_port says which); NULL: 127.0.0.1:8080 */
    const char *tls_cert, *tls_key; /* PEM texts of the certificate (chain) and its key; both
                                       or neither */
    const char *spool;              /* where submitted logs are kept; NULL: HOME/submissions */
    uint64_t max_body;              /* bytes of a log submission; 0: 1 GiB */
    uint64_t max_json;              /* bytes of a JSON or text body; 0: 64 MiB */
    unsigned max_batch;             /* values of a batch lookup; 0: 10,000 */
    unsigned idle_timeout;          /* seconds a connection may stay silent; 0: 30 */
    unsigned request_time;          /* seconds a request may take to arrive; 0: 600 */
    unsigned max_connections;       /* 0: 256 */
    unsigned max_per_client;        /* connections from one address; 0: 32 */
    ruru_serve_log_fn on_log;
    void *ctx;
};

typedef struct ruru_server ruru_server;

/* Starts the service on its own threads and returns: the API under /v1, /healthz, /metrics
 * and the console under /console/. RURU_EINVAL for a bad address or option, RURU_EIO when the
 * address cannot be bound, RURU_EUNSUPPORTED for TLS without GnuTLS in libmicrohttpd. */
RURU_API enum ruru_err
ruru_serve_start(const struct ruru_serve_opts *opts, ruru_server **out, struct ruru_diag *diag);
/* The port it listens on. */
RURU_API unsigned ruru_serve_port(const ruru_server *s);
/* Reads the intel (its match index, its actors) and the tokens again for the requests that
 * come next; requests in flight finish with what they began with. */
RURU_API void ruru_serve_reload(ruru_server *s);
/* Stops accepting connections, lets the requests in flight finish (at most grace_seconds;
 * then they are cut), and frees the server. NULL is a no-op. */
RURU_API void ruru_serve_stop(ruru_server *s, unsigned grace_seconds);

#ifdef __cplusplus
}
#endif
#endif /* RURU_H */
