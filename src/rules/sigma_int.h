/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Sigma engine's internal model, shared by its files (load.c, cond.c, value.c, eval.c,
 * logsource.c, prefilter.c, correlate.c). A loaded rule is a tree of plain structs in the rule
 * set's arena; after ruru_rules_compile nothing changes, so threads share it without locks.
 *
 *   rule ── searches[]  (the named parts of `detection`)
 *        │     └─ groups[]  OR      (a map is one group; a list of maps, one per map)
 *        │          └─ items[]  AND (one "field|modifiers: values")
 *        │               └─ values[]  OR, or AND with |all
 *        └─ conds[]  OR  (condition: a string, or a list of them)
 *              └─ a tree of and / or / not / "1 of x*" / "all of them" / search references
 */
#ifndef RURU_RULES_SIGMA_INT_H
#define RURU_RULES_SIGMA_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/map.h"
#include "base/str.h"
#include "base/vec.h"
#include "logs/record.h"
#include "rules/sigma.h"

/* What a compiled value tests. */
enum vop {
    V_EQ,       /* the whole value */
    V_PREFIX,   /* startswith */
    V_SUFFIX,   /* endswith */
    V_CONTAINS, /* anywhere */
    V_GLOB,     /* wildcards inside: '*' any run, '?' one byte */
    V_RE,       /* PCRE2, unanchored */
    V_CIDR,     /* an address inside the range */
    V_NUM,      /* a number compared (lt, lte, gt, gte, or equal) */
    V_EXISTS,   /* the field is there (or, with want = false, is not) */
    V_NULL,     /* the field is absent (JSON null counts as absent) */
    V_FIELDREF, /* equal (or prefix/suffix/contains) to another field's value */
    V_TIME,     /* a part of a date (minute ... year) compared as a number */
};

enum cmp { CMP_EQ, CMP_LT, CMP_LTE, CMP_GT, CMP_GTE };

enum time_part { T_MINUTE, T_HOUR, T_DAY, T_WEEK, T_MONTH, T_YEAR };

struct sval {
    uint8_t op;     /* enum vop */
    uint8_t cmp;    /* V_NUM, V_TIME */
    uint8_t part;   /* V_TIME */
    uint8_t ref_op; /* V_FIELDREF: V_EQ, V_PREFIX, V_SUFFIX or V_CONTAINS */
    bool cased;     /* compare bytes as they are (default: ASCII case ignored) */
    bool negate;    /* neq: true when the test fails */
    bool want;      /* V_EXISTS: true for |exists: true */
    bool v4;        /* V_CIDR */
    bool in_set;    /* V_EQ, also in its item's eq_set (looked up there, not tested alone) */
    bool in_lits;   /* V_CONTAINS / V_PREFIX / V_SUFFIX, in its item's lits database */
    unsigned prefix;
    unsigned char net[16];
    double num;
    const char *s; /* the literal (V_EQ ... V_GLOB, V_FIELDREF: the other field's name) */
    size_t len;
    /* V_GLOB: the literal's bytes with wild[i] set where s[i] is a wildcard */
    const unsigned char *wild;
    pcre2_code *re;
    struct hs_database *hs; /* V_RE: the same regex in Vectorscan, when it can take it (ASCII) */
    /* Which of its item's written values this one came from: the values one written value
     * expands into (windash's spellings, base64offset's three shifts, a placeholder's values)
     * are alternatives, also under |all, which ands the written values. */
    uint32_t of;
};

struct item {
    const char *field;        /* NULL: keywords, searched in the whole event */
    uint32_t field_id;        /* ruru_rules_compile: 1.. for each distinct name (0: none) */
    struct ruru_map *eq_set;  /* ruru_rules_compile: the ASCII-lower-cased V_EQ values (in_set) of
                               * an item of many, so that one lookup tests them all; or NULL */
    struct hs_database *lits; /* ruru_rules_compile: its many contains / startswith / endswith
                               * values (in_lits) in one Vectorscan literal database, the value's
                               * index as id; or NULL */
    const char *mods; /* the modifiers as written ("contains|all"), for lint and sightings */
    bool all;         /* values ANDed */
    struct sval *v;
    size_t n;
    uint32_t line;
};

struct group {
    struct item *items;
    size_t n;
};

struct search {
    const char *name;
    struct group *groups;
    size_t n;
};

enum cnode { C_REF, C_AND, C_OR, C_NOT, C_ONE_OF, C_ALL_OF };

struct cond {
    uint8_t kind;
    uint32_t ref; /* C_REF: the search */
    struct cond *a, *b;
    uint32_t *refs; /* C_ONE_OF, C_ALL_OF: the searches the pattern names */
    size_t n_refs;
};

enum corr_type {
    CORR_EVENT_COUNT,
    CORR_VALUE_COUNT,
    CORR_TEMPORAL,
    CORR_TEMPORAL_ORDERED,
    CORR_VALUE_SUM,
    CORR_VALUE_AVG,
    CORR_VALUE_PERCENTILE,
    CORR_VALUE_MEDIAN,
};

struct alias {
    const char *name;   /* the alias used in group-by */
    const char **rules; /* rule names */
    const char **fields;
    size_t n;
};

struct corr {
    uint8_t type; /* enum corr_type */
    const char **rules;
    size_t n_rules;
    uint32_t *rule_idx; /* resolved by ruru_rules_compile */
    const char **group_by;
    size_t n_group_by;
    int64_t timespan; /* seconds */
    bool has[5];      /* gt, gte, lt, lte, eq given */
    double bound[5];
    const char *field; /* value_* types */
    struct alias *aliases;
    size_t n_aliases;
    bool generate;
};

struct logsource {
    const char *category, *product, *service;
};

/* Record classes a logsource maps to (logsource.c). */
#define LS_ANY      0xffffffffu
#define LS_WEB      (1u << 0) /* Apache/Nginx, IIS/W3C access logs */
#define LS_PROXY    (1u << 1) /* Zeek http, Suricata http, proxy CSV/CEF */
#define LS_DNS      (1u << 2) /* Zeek dns, Suricata dns, DNS fields in JSON */
#define LS_FIREWALL (1u << 3) /* CEF, Zeek conn, Suricata flow */
#define LS_WINDOWS  (1u << 4) /* Windows events: JSON exports, Winlogbeat, .evtx */
#define LS_LINUX    (1u << 5) /* syslog */
#define LS_ZEEK     (1u << 6) /* Zeek TSV / JSON, one path (ls_name) */
#define LS_EXCHANGE (1u << 7) /* Exchange CSV logs (HttpProxy, ECP, OAB ...) */
#define LS_EVE      (1u << 8) /* Suricata EVE, one event type (ls_name) */
/* The prefilter's group of the rules ruru maps to no format (only tied inputs see them). */
#define LS_GROUP_UNMAPPED (1u << 9)

/* One way a Windows logsource shows: a channel (or a provider) and an event id (0: any). */
struct ls_alt {
    const char *channel;
    const char *provider;
    uint32_t event;
};

/* What a record is, as the logsources ask it (computed once per record, on demand). */
struct rec_facts {
    uint32_t cls;      /* LS_* bits it belongs to */
    uint32_t presumed; /* those of cls only presumed from the format (syslog: Linux), which a
                        * user's tie of the input overrides */
    struct ruru_str channel, provider, name;
    uint32_t event; /* Windows event id, 0 when none */
};

/* An input as the rules see it (tie.c, sigma.h). */
struct ruru_rules_input {
    uint32_t base_cls; /* a line of the input that is no record: the format's classes */
    uint32_t presumed; /* those of base_cls only presumed */
    bool tied;         /* some tie matched: presumptions give way */
    size_t n_ties;     /* ties that matched ... */
    size_t *matched;   /* ... their indexes in the ties given */
    uint32_t groups;   /* prefilter groups holding the tied rules (LS_* bits, LS_GROUP_UNMAPPED) */
    uint64_t *rules;   /* the rules the ties open, one bit each (NULL when none) */
};

/* Which rules ran on some record of a scratch (tie.c): a rule's logsource applied to it. What
 * applies depends only on the record's facts and its input, so each distinct (input, facts)
 * is looked at once and remembered. */
struct ruru_ran {
    uint64_t *bits;       /* one per rule */
    struct ruru_map seen; /* (input, class, event, channel, name) already looked at */
    char last[512];       /* the last record's key: most records are of the kind before */
    size_t last_len;
    bool failed; /* out of memory: every rule is taken to have run */
};
void ruru_ran_init(struct ruru_ran *ran);
void ruru_ran_fini(struct ruru_ran *ran);
/* Notes the rules that apply to a record of facts f of input `in`. */
void ruru_ran_note(struct ruru_ran *ran,
                   const struct ruru_rules *rs,
                   const struct rec_facts *f,
                   const struct ruru_rules_input *in);

/* A Sigma filter (meta filter): excludes matches of the rules it names. */
struct filter_rule {
    const char **rules;
    size_t n_rules;
};

struct ruru_sigma_rule {
    const char *id, *name, *title, *status, *level, *author, *description, *date, *modified;
    const char *license, *rclass; /* rclass: ruru's "class" (attempt, success ...), or NULL */
    const char *file;
    uint32_t line; /* of the document in the file */
    const char **tags;
    size_t n_tags;
    const char **references;
    size_t n_references;
    struct logsource ls;
    struct search *searches;
    size_t n_searches;
    struct cond **conds;
    size_t n_conds;
    struct corr *corr;          /* a correlation rule */
    struct filter_rule *filter; /* a filter rule */
    int level_rank;             /* 0 informational ... 4 critical; -1 none given */
    uint32_t index;             /* in the set */
    bool referenced;            /* a correlation uses it (then it is not reported alone) */
    bool has_filters;           /* some filter rule names it */
    uint32_t *filters;          /* those filter rules */
    size_t n_filters;
    /* logsource.c: which records the rule applies to */
    uint32_t ls_class;        /* LS_* bits; LS_ANY when the logsource is not mapped */
    struct ls_alt ls_alts[4]; /* Windows: any of these channel / event pairs ... */
    size_t n_ls_alts;         /* ... or, when 0, any Windows event of ls_alts-free rules */
    const char *ls_name;      /* Zeek path, syslog program, EVE event type, Exchange log */
    const char **corr_fields; /* fields a correlation needs captured from its matches */
    size_t n_corr_fields;
};

struct ruru_rules {
    struct ruru_arena arena;
    struct ruru_vec rules;   /* struct ruru_sigma_rule * */
    struct ruru_vec places;  /* const char *: placeholder names and values, in pairs */
    struct ruru_vec regexes; /* pcre2_code *: every regex compiled, also of refused rules */
    struct ruru_prefilter *pre;
    uint32_t n_field_ids;       /* distinct field names of the items, numbered from 1 */
    struct ruru_vec sets;       /* struct ruru_map *: the items' eq_sets, to free */
    struct ruru_vec hs_regexes; /* struct hs_database *: every regex Vectorscan took, to free */
    bool compiled;
    size_t n_unmapped; /* rules whose logsource ruru maps to no format: only ties open them */
};

/* load.c */
enum ruru_err ruru_sigma_load_doc(struct ruru_rules *rs,
                                  const struct ruru_yaml *doc,
                                  const char *file,
                                  struct ruru_sigma_rule **out,
                                  struct ruru_diag *diag);

/* cond.c: parses `text` (at line:col of the file) against the rule's searches. */
enum ruru_err ruru_sigma_cond_parse(struct ruru_rules *rs,
                                    struct ruru_sigma_rule *r,
                                    const char *text,
                                    uint32_t line,
                                    uint32_t col,
                                    struct cond **out,
                                    struct ruru_diag *diag);

/* value.c: compiles one value under the item's modifiers (values may expand: windash,
 * base64offset), appending to *out. */
struct value_mods {
    bool contains, startswith, endswith, all, re, re_i, re_m, re_s, cased, cidr, exists, fieldref,
            neq, expand, has_time;
    uint8_t cmp;   /* enum cmp, CMP_EQ when none */
    uint8_t part;  /* enum time_part when has_time */
    uint8_t xf[8]; /* transformations in order: 'w' windash, 'b' base64, 'o' base64offset,
                      'l' utf16le, 'B' utf16be, 'u' utf16 (with BOM) */
    size_t n_xf;
};
enum ruru_err ruru_sigma_parse_mods(const char *mods, struct value_mods *m, const char **why);
enum ruru_err ruru_sigma_value(struct ruru_rules *rs,
                               const struct value_mods *m,
                               const struct ruru_yaml *v,
                               struct ruru_vec *out,
                               const char **why);
/* Does `s` (len bytes) satisfy the string tests of v (V_EQ ... V_RE)? */
bool ruru_sigma_str_match(const struct sval *v, const char *s, size_t len);
/* Does the glob `v` match s? (wildcards per v->wild, case per v->cased) */
bool ruru_sigma_glob(const struct sval *v, const char *s, size_t len);

/* prefilter.c */
enum ruru_err ruru_prefilter_build(struct ruru_rules *rs, struct ruru_diag *diag);
void ruru_rules_prefilter_free(struct ruru_prefilter *p);
void *ruru_prefilter_scratch(const struct ruru_prefilter *p);
void ruru_prefilter_scratch_free(void *s);
/* The lines asked about next lie in text[0..len) (a chunk of a log; NULL: no such text, or it
 * is gone): each database then scans the whole text once, when first needed, and a line's
 * atoms are those found inside it. The text must stay until the next call. */
void ruru_prefilter_text(void *s, const char *text, size_t len);
/* Whether some rule of the groups of `cls` and `tied_groups` has no atom: it is a candidate
 * for every record of that class, whatever its line. */
bool ruru_prefilter_always(const struct ruru_prefilter *p, uint32_t cls, uint32_t tied_groups);
/* The rules worth asking of a record of logsource class `cls` (rec_facts) whose line is
 * line[0..len), as bits (every rule when the line cannot be scanned); the groups of
 * `tied_groups` (ruru_rules_input.groups) are scanned too. */
void ruru_prefilter_candidates(const struct ruru_prefilter *p,
                               void *scratch,
                               uint32_t cls,
                               uint32_t tied_groups,
                               const char *line,
                               size_t len,
                               bool json,
                               uint64_t *bits,
                               uint64_t *failed);

/* logsource.c */
void ruru_sigma_logsource(struct ruru_rules *rs, struct ruru_sigma_rule *r);
void ruru_sigma_facts(const struct ruru_record *r, struct rec_facts *f);
/* Does the rule apply to a record of facts f, of input `in` (may be NULL)? */
bool ruru_sigma_applies(const struct ruru_sigma_rule *rule,
                        const struct rec_facts *f,
                        const struct ruru_rules_input *in);
/* The classes (LS_*) of the lines of an input of format `kind` (enum ruru_log_kind) that are
 * no record; OUT: *presumed, those only presumed. */
uint32_t ruru_sigma_kind_cls(int kind, uint32_t *presumed);
/* The classes a record of this format may have, cls (the classes of one of its records)
 * included: the same for every record, but for formats whose records take them from their
 * fields (JSON), where it is the union of all theirs. */
uint32_t ruru_sigma_format_cls(int format, uint32_t cls);
/* The facts of a line of input `in` (may be NULL) that is no record (r NULL), and a tied
 * input's presumptions dropped. */
void ruru_sigma_input_facts(const struct ruru_rules_input *in, bool is_record, struct rec_facts *f);
/* The field of `r` named `name` as the logs write it or as Sigma names it (eval.c). */
const struct ruru_field *
ruru_sigma_field(const struct ruru_record *r, const struct rec_facts *f, const char *name);

#endif
