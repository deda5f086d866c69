/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Matching one record against the index (DESIGN.md §4). For every field, the value is decoded
 * (JSON escapes, W3C '+') and cut into typed tokens; each token is canonicalised and looked up:
 * addresses against the ranges, host names by label suffix, hashes / e-mail addresses / URLs
 * exactly. Fields that hold a whole value are also looked up whole: user agents, file names,
 * strings; request paths are looked up as uri-path indicators and their last segment as a file
 * name. Free text (a line without fields, a message field) is also searched for the paths,
 * file names, user agents and strings in it, each only as a whole value.
 * A URL split over fields (Zeek http host + uri, IIS cs-host + cs-uri-stem + cs-uri-query) is
 * put back together and looked up. A line that did not parse is matched as plain text.
 *
 * One hit per (record, indicator), the first field that gives it. Indicators not in force at
 * the record's time (validity window, revocation) and those not meant for detection (MISP
 * to_ids false) are counted, not reported. A record without a time is judged on revocation
 * only: its validity window cannot be known.
 */
#ifndef RURU_SCAN_MATCH_H
#define RURU_SCAN_MATCH_H

#include <stdint.h>

#include "base/buf.h"
#include "logs/record.h"
#include "match/fnregex.h"
#include "match/index.h"
#include "match/literal.h"
#include "pattern/set.h"
#include "rules/sigma.h"
#include "scan/tokens.h"

#define RURU_MATCH_MAX_TOKENS   512
#define RURU_MATCH_MAX_HITS     256
#define RURU_MATCH_ROLE_CACHE   64
#define RURU_MATCH_MAX_RULES    64 /* rule matches kept per record */
#define RURU_MATCH_MAX_PATTERNS 64 /* pattern matches and observations kept per record */

/* Whether the matcher looks up indicators of `type` in any field or text ruru reads. False for
 * host artefacts (registry keys, mutexes, pipes, MAC addresses) and AS numbers: no log
 * format ruru parses names a field that holds them, so the scan summary counts them as not
 * swept instead of letting them pass in silence. */
bool ruru_match_sweeps(enum ruru_ioc_type type);

struct ruru_match_counts {
    uint64_t expired, not_yet_valid, revoked, not_ids;
    uint64_t pattern_errors; /* a pattern that could not be evaluated on a record */
};

/* A STIX pattern's business with a record: it matched (a one-observation pattern), or the
 * record observes a part of it (a pattern of several observations, judged at the end). */
struct ruru_pattern_hit {
    uint32_t entry; /* in the pattern set */
    bool partial;   /* observes a part of it: the observation expressions it satisfies */
    uint64_t leaves[RURU_PATTERN_LEAF_WORDS];
};

/* A hit: the indicator, the field it was seen in (NULL for a text line), and the observed
 * value (a copy of the decoded token, at obs_off in m->observed, valid until the next
 * ruru_match_record). */
struct ruru_hit {
    uint32_t ind;
    const struct ruru_field *field;
    size_t obs_off, obs_len;
};

struct ruru_matcher {
    const struct ruru_index *idx;
    uint64_t types;                  /* bit t: the index holds indicators of type t */
    const struct ruru_literals *lit; /* user agents and strings searched in free text, or NULL */
    struct ruru_literals_scratch *lit_scratch;
    const struct ruru_fnregex *fnre; /* file-name regexes run on file names and paths, or NULL */
    struct ruru_fnregex_scratch *fnre_scratch;
    struct ruru_match_counts counts;
    struct ruru_hit hits[RURU_MATCH_MAX_HITS];
    size_t n_hits;
    bool hits_truncated;
    /* scratch */
    struct ruru_token tokens[RURU_MATCH_MAX_TOKENS];
    struct ruru_buf observed; /* observed values of the hits */
    struct ruru_buf decoded;  /* the decoded value of the current field */
    struct ruru_buf canon;    /* the canonical form of the current token */
    struct ruru_buf url;      /* a URL put together from split fields */
    struct ruru_buf plain;    /* a line with its '+'-encoded fields decoded (W3C) */
    struct ruru_buf view;     /* room for a format's skim to write its view of a line in */
    /* the quick question by window (ruru_match_text): the chunk, and the tokens of the window
     * of its lines last cut, from the line `win` to `win_end` */
    const char *text, *win, *win_end;
    size_t text_len, n_win, win_cur;
    struct ruru_token *win_tokens; /* RURU_MATCH_WINDOW_TOKENS, allocated when first needed */
    int64_t time;
    const struct ruru_field *field;
    const char *obs;
    size_t obs_len;
    bool failed;
    bool probing, probe_hit; /* asking the quick question with the full pass's lookups */
    const char *asked_line;  /* the line ruru_match_may_hit last let through, and whether its */
    size_t asked_len;        /* tokens could hit (else the rules wanted it): the full pass of */
    bool asked_hit;          /* that line takes the answer (match.c, worth_matching) */
    const char *role_name[RURU_MATCH_ROLE_CACHE]; /* what a field holds, by canonical name */
    uint8_t role[RURU_MATCH_ROLE_CACHE];
    /* detection rules, evaluated on the same records */
    const struct ruru_rules *rules;
    struct ruru_rules_scratch *rules_scratch;
    struct ruru_rule_hit rule_hits[RURU_MATCH_MAX_RULES];
    size_t n_rule_hits;
    /* STIX patterns, evaluated on the same records */
    const struct ruru_pattern_set *patterns;
    struct ruru_pattern_scratch *pattern_scratch;
    struct ruru_pattern_hit pattern_hits[RURU_MATCH_MAX_PATTERNS];
    size_t n_pattern_hits;
    json_t *observation; /* the record as objects, when a pattern looked (owned) */
};

void ruru_matcher_init(struct ruru_matcher *m, const struct ruru_index *idx);
/* Searches free text (lines without fields, message fields) for the literals too: user agents
 * and strings of the index, compiled by ruru_literals_build. Returns RURU_ENOMEM when the
 * scratch could not be had (the matcher is then as before). */
enum ruru_err ruru_matcher_use_literals(struct ruru_matcher *m, const struct ruru_literals *lit);
/* Runs the file-name regexes of `set` (ruru_fnregex_build) on file-name and path fields too.
 * Returns RURU_ENOMEM when the scratch could not be had (the matcher is then as before). */
enum ruru_err ruru_matcher_use_fnregex(struct ruru_matcher *m, const struct ruru_fnregex *set);
/* Evaluates the rule set `rules` too (ruru_match_rules). RURU_ENOMEM when the scratch could
 * not be had. */
enum ruru_err ruru_matcher_use_rules(struct ruru_matcher *m, const struct ruru_rules *rules);
/* Evaluates the STIX patterns of `set` too (ruru_match_patterns). RURU_ENOMEM when the
 * scratch could not be had. */
enum ruru_err ruru_matcher_use_patterns(struct ruru_matcher *m, const struct ruru_pattern_set *set);
void ruru_matcher_fini(struct ruru_matcher *m);

/* Matches a parsed record (r != NULL; a truncated one also as text) or, when r is NULL, the
 * raw line as text. Hits are in
 * m->hits[0..m->n_hits). Returns false when memory ran out (what was found is kept). */
bool ruru_match_record(struct ruru_matcher *m,
                       const struct ruru_record *r,
                       const char *line,
                       size_t len);

/* Could the line line[0..len), parsed as a record of the same kind as the last record given
 * to ruru_match_rules, give a sighting or a rule match? `view` is the line as the full pass
 * reads its fields (a skim's, struct ruru_skim: the line itself, or a copy with the fields that
 * are decoded decoded in place). False only when none of the view's tokens could match any
 * indicator (the quick question), no rule could match it
 * (ruru_rules_may_match), and nothing else needs its fields: no values matched whole or
 * searched in free text, no STIX patterns. Then its record would give nothing, and the sweep
 * need not make it (only count it). */
bool ruru_match_may_hit(struct ruru_matcher *m, const char *view, const char *line, size_t len);
/* The chunk whose lines ruru_match_may_hit will be asked about, in order (NULL: none, before
 * the chunk's memory goes): a line asked as it is (its view the line itself) is then answered
 * from the tokens of a window of lines cut at once, as the token cut of a text is the cut of
 * each of its lines (no word runs over a line's end). */
void ruru_match_text(struct ruru_matcher *m, const char *text, size_t len);
/* Room for the view of any line of up to *len bytes that a format's skim may write
 * (logs/formats.h), valid until the next call; *len is lowered to what the quick question
 * decodes at most. NULL when memory ran out (then a line that needs a view is parsed). */
char *ruru_match_view_room(struct ruru_matcher *m, size_t *len);
/* Whether ruru_match_may_hit can say false of some line of records of the kind of the last
 * record given to ruru_match_rules (when not, asking it is wasted). */
bool ruru_match_can_skim(const struct ruru_matcher *m);

/* The rules that match the record (r may be NULL: a line without fields), into
 * m->rule_hits[0..m->n_rule_hits); sets hits_truncated past RURU_MATCH_MAX_RULES. */
void ruru_match_rules(struct ruru_matcher *m,
                      const struct ruru_record *r,
                      const char *line,
                      size_t len);

/* The STIX patterns the record (its line[0..len)) matches or observes a part of, into
 * m->pattern_hits[0..m->n_pattern_hits); the record as objects in m->observation (NULL when
 * no pattern named a type the record shows). Patterns not in force at the record's time are
 * counted as the indicators are. */
void ruru_match_patterns(struct ruru_matcher *m,
                         const struct ruru_record *r,
                         const char *line,
                         size_t len);

#endif
