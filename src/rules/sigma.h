/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sigma rules: loaded from files laid out like the SigmaHQ repository, compiled once, and
 * evaluated on the sweep's records (DESIGN.md §4). Indicators say who; rules say what
 * happened. The whole detection language of the Sigma specification is supported: maps and
 * lists of maps, keyword lists, null, every value modifier, conditions with and / or / not,
 * parentheses and "1 of" / "all of" / "any of" with wildcards and "them"; correlation rules
 * (Sigma v2: event_count, value_count, temporal, temporal_ordered, and value_sum, value_avg,
 * value_percentile, value_median) over the records of one sweep; and filter rules.
 *
 * Where a rule applies is its logsource, mapped to log formats and Windows channels and event
 * ids (logsource.c, docs/rules.md); its field names are looked up as the logs write them, then
 * through the Sigma-to-canonical mapping (eval.c). A rule is evaluated on a record only when
 * the record holds one of the rule's literal atoms (prefilter.c) or the rule has none.
 *
 * Sigma rules are under the Detection Rule License: every sighting a rule produces carries
 * the rule's author.
 */
#ifndef RURU_RULES_SIGMA_H
#define RURU_RULES_SIGMA_H

#include <jansson.h>
#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/yaml.h"
#include "logs/record.h"

struct ruru_rules;
struct ruru_rules_scratch;
struct ruru_sigma_rule;

/* Told about every file (and every document of it that could not be loaded): n_loaded rules
 * from it, and err / why when something was refused. */
typedef void (*ruru_rules_file_fn)(void *ctx,
                                   const char *path,
                                   size_t n_loaded,
                                   enum ruru_err err,
                                   const struct ruru_diag *why);

/* OUT: *out, an empty set (ruru_rules_destroy). */
enum ruru_err ruru_rules_create(struct ruru_rules **out);
void ruru_rules_destroy(struct ruru_rules *rs);

/* Defines the placeholder %name% for |expand: a value may be given several times (each is an
 * alternative). A rule that uses a placeholder nobody defined is refused, as the
 * specification asks. */
enum ruru_err ruru_rules_placeholder(struct ruru_rules *rs, const char *name, const char *value);

/* Loads a rule file, or every .yml / .yaml file under a directory (recursively, in name
 * order). Every document that is a rule, a correlation or a filter is kept; one that cannot
 * be is reported to fn (may be NULL) and skipped. Returns RURU_EIO when `path` cannot be read
 * at all, RURU_ENOMEM; RURU_OK otherwise, whatever was refused. */
enum ruru_err ruru_rules_load(struct ruru_rules *rs,
                              const char *path,
                              ruru_rules_file_fn fn,
                              void *ctx,
                              struct ruru_diag *diag);
/* ruru's own rules (rules/ in the repository, built in). */
enum ruru_err ruru_rules_load_builtin(struct ruru_rules *rs,
                                      ruru_rules_file_fn fn,
                                      void *ctx,
                                      struct ruru_diag *diag);
/* The same from a buffer named `name` (tests, fuzz targets). */
enum ruru_err ruru_rules_load_buffer(struct ruru_rules *rs,
                                     const char *buf,
                                     size_t len,
                                     const char *name,
                                     ruru_rules_file_fn fn,
                                     void *ctx,
                                     struct ruru_diag *diag);

/* Resolves what correlations and filters refer to and builds the prefilter. A correlation
 * that names a rule the set does not hold is dropped and reported to fn. After this the set
 * is read-only and may be shared by threads. */
enum ruru_err
ruru_rules_compile(struct ruru_rules *rs, ruru_rules_file_fn fn, void *ctx, struct ruru_diag *diag);

size_t ruru_rules_count(const struct ruru_rules *rs);
/* How many rules have a logsource ruru maps to no format (they run only on inputs tied to it). */
size_t ruru_rules_unmapped(const struct ruru_rules *rs);
/* The rule as a JSON object: id, title, name, level, status, author, description, tags,
 * references, logsource, file, line, kind ("detection", "correlation", "filter"). Owned by
 * the caller. */
json_t *ruru_rules_describe(const struct ruru_rules *rs, uint32_t i);
/* Does rule i report on its own? (not a filter, and not only a part of a correlation) */
bool ruru_rules_reports(const struct ruru_rules *rs, uint32_t i);

/* ---- where rules apply: inputs and the logsources tied to them (tie.c) ------------------- */

/* A rule runs on a record when the record's format, channel or program maps to the rule's
 * logsource (logsource.c), or when the user tied the logsource to the record's input. A tie
 * is the text "LOGSOURCE=PATTERN":
 *
 *   LOGSOURCE  PRODUCT[/SERVICE] ("cisco/aaa", "linux/sshd", "windows"), or a comma list of
 *              category:C, product:P, service:S ("category:application,product:jvm");
 *   PATTERN    an input's path, a directory it lies under, or a glob ('*' crosses '/'); a
 *              relative pattern also names the tail of a path after any '/'; a pattern
 *              without a '/' is matched against the file name.
 *
 * A tie covers a rule when the rule's logsource names nothing the tie contradicts and shares
 * at least one part with it ("cisco" covers cisco/aaa and cisco/bgp; "cisco/aaa" covers
 * product cisco alone too). On a tied input, what ruru only presumes of a format (syslog is a
 * Linux host's, a CSV log Exchange's, CEF a firewall's) gives way to what the user says; what
 * the record proves (a Windows channel, a Zeek path, an access log) stays. */

/* Is `tie` well formed? RURU_EINVAL with the reason in diag when not. */
enum ruru_err ruru_rules_tie_check(const char *tie, struct ruru_diag *diag);

/* What one input is, as the rules see it: its format (for lines that are no record) and the
 * rules its ties open. Made once per input; read-only after, shared by threads. */
struct ruru_rules_input;

/* OUT: *out for the input at `path` read as format `kind` (an enum ruru_log_kind), with the
 * ties of ties[0..n) whose PATTERN matches `path`. RURU_EINVAL for a bad tie, RURU_ENOMEM;
 * *out untouched on failure. */
enum ruru_err ruru_rules_input_create(const struct ruru_rules *rs,
                                      const char *path,
                                      int kind,
                                      const char *const *ties,
                                      size_t n_ties,
                                      struct ruru_rules_input **out,
                                      struct ruru_diag *diag);
void ruru_rules_input_destroy(struct ruru_rules_input *in);
/* How many ties matched the input (0 for NULL), and the index in `ties` of the k-th. */
size_t ruru_rules_input_ties(const struct ruru_rules_input *in);
size_t ruru_rules_input_tie(const struct ruru_rules_input *in, size_t k);

/* ---- evaluation --------------------------------------------------------------------------- */

#define RURU_RULES_MAX_MATCHED 8

/* A rule that matched a record, with the fields whose values satisfied it (the first few). */
struct ruru_rule_hit {
    uint32_t rule;
    const struct ruru_field *fields[RURU_RULES_MAX_MATCHED];
    size_t n_fields;
    bool keywords; /* satisfied by keywords in the whole line */
};

/* Called for each matching rule, in rule order; non-zero stops. */
typedef int (*ruru_rule_hit_fn)(const struct ruru_rule_hit *hit, void *ctx);

/* OUT: *out, scratch for one thread. */
enum ruru_err ruru_rules_scratch_create(const struct ruru_rules *rs,
                                        struct ruru_rules_scratch **out);
void ruru_rules_scratch_destroy(struct ruru_rules_scratch *sc);

/* Evaluates every rule that applies to the record (r may be NULL for a line without fields:
 * then only keyword rules can match) and reports the matches. `line` is the raw line, for
 * the prefilter and keywords. Returns the number of matches; RURU_ENOMEM-like failures are
 * counted in the scratch (ruru_rules_failed) and never stop the sweep. */
size_t ruru_rules_match(const struct ruru_rules *rs,
                        struct ruru_rules_scratch *sc,
                        const struct ruru_record *r,
                        const char *line,
                        size_t len,
                        ruru_rule_hit_fn fn,
                        void *ctx);
/* Could some rule match a record of the same kind as the last one given to ruru_rules_match
 * (the same logsource facts and input), whose raw line is line[0..len)? False only when the
 * prefilter finds no candidate rule: no rule of the record's groups is without atoms, and
 * none of their atoms is in the line. True when the last record was none (a text line) or no
 * record was given yet. The sweep uses it to leave such lines unparsed. */
bool ruru_rules_may_match(const struct ruru_rules *rs,
                          struct ruru_rules_scratch *sc,
                          const char *line,
                          size_t len);
/* Whether ruru_rules_may_match says true of every line of records of the last one's kind: it
 * was none, or some rule that can apply to it has no atom. */
bool ruru_rules_always(const struct ruru_rules *rs, const struct ruru_rules_scratch *sc);
/* Evaluations that failed for want of memory or on a regex error since the scratch was made. */
uint64_t ruru_rules_failed(const struct ruru_rules_scratch *sc);

/* The records given to ruru_rules_match next are of input `in` (NULL: an input with no ties,
 * whose lines without fields are plain text). `in` must outlive its use by the scratch. */
void ruru_rules_scratch_input(struct ruru_rules_scratch *sc, const struct ruru_rules_input *in);
/* The lines given next lie in text[0..len), a chunk of the input (NULL: no longer): the rules'
 * prefilter then searches the whole text at once instead of each line. The text must stay
 * unchanged until the next call, which must come before it is freed or reused. */
void ruru_rules_scratch_text(struct ruru_rules_scratch *sc, const char *text, size_t len);

/* The rules that ran on some record since the scratch was made (their logsource applied to
 * it, whether or not they matched), ORed into bits[0..(ruru_rules_count + 63) / 64). A
 * correlation ran when one of its rules did; filters never run alone. */
void ruru_rules_ran(const struct ruru_rules *rs,
                    const struct ruru_rules_scratch *sc,
                    uint64_t *bits);

/* The logsource of rule i as one short text: "cisco/aaa", "windows/process_creation",
 * "webserver", "linux", "category:application,product:jvm" (into out, NUL-terminated). */
void ruru_rules_logsource_text(const struct ruru_rules *rs, uint32_t i, char *out, size_t cap);
/* The rules whose bit is clear in ran[] (ruru_rules_ran), filters left out, grouped by
 * logsource, most first: [{"logsource", "rules", "needs_tie", "titles": [...]}]; *n_out of
 * them. NULL when memory ran out. Owned by the caller. */
json_t *ruru_rules_not_run(const struct ruru_rules *rs, const uint64_t *ran, size_t *n_out);
/* Does rule i run only on inputs tied to its logsource (ruru maps it to no format)? */
bool ruru_rules_needs_tie(const struct ruru_rules *rs, uint32_t i);

/* The value a correlation needs of a matched record: for rule `rule`, field `name` (a
 * group-by field, an alias resolved for that rule, or the value_* field). Copied into
 * `out` (at most out_len - 1 bytes, NUL-terminated); false when the record has no such
 * field. */
bool ruru_rules_field_value(const struct ruru_rules *rs,
                            uint32_t rule,
                            const char *name,
                            const struct ruru_record *r,
                            char *out,
                            size_t out_len);

/* ---- correlations ------------------------------------------------------------------------ */

/* A base match as the sweep keeps it for the correlations: the rule, the record's time and
 * place in the sweep's order, and the values of the fields its correlations need (in the
 * order of ruru_rules_corr_fields for that rule; NULL where the record had none). */
struct ruru_corr_event {
    uint32_t rule;
    int64_t time;
    uint64_t seq; /* the sweep's order: input, then line */
    const char *const *values;
    void *user; /* the caller's handle on the evidence (the member records) */
};

/* The fields rule `rule`'s correlations need captured, in order; *n of them. */
const char *const *ruru_rules_corr_fields(const struct ruru_rules *rs, uint32_t rule, size_t *n);
/* Is rule `rule` referred to by some correlation (its matches must be kept for them)? */
bool ruru_rules_correlated(const struct ruru_rules *rs, uint32_t rule);

/* A correlation that fired: the correlation rule, its group's values (group-by order), the
 * window, the measured value (a count, a sum, an average, a percentile ...) and the member
 * events (indexes into the events given). */
struct ruru_corr_hit {
    uint32_t rule;
    const char *const *group;
    size_t n_group;
    int64_t first, last;
    double value;
    const char *value_of; /* for value_percentile: the rare value; else NULL */
    const size_t *members;
    size_t n_members;
};
typedef int (*ruru_corr_hit_fn)(const struct ruru_corr_hit *hit, void *ctx);

/* Runs every correlation over events[0..n) (any order: they are sorted by time, then seq) and
 * reports what fires, in a stable order. Correlations that refer to correlations are chained:
 * a fired correlation is an event of the one that refers to it. */
enum ruru_err ruru_rules_correlate(const struct ruru_rules *rs,
                                   const struct ruru_corr_event *events,
                                   size_t n,
                                   ruru_corr_hit_fn fn,
                                   void *ctx,
                                   struct ruru_diag *diag);

#endif
