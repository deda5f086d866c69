/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sweep's own parts, shared by its files: engine.c (what a sweep needs loaded: the index,
 * rules and patterns), scan.c (the worker pool, matching a chunk, the entry points),
 * report.c (reporting in order: sightings, correlations, patterns judged at the end, the
 * inputs' summaries) and input.c (reading an input into chunks, each with a parser set up as
 * the input's entry in the table of formats says: logs/formats.h). Nothing outside src/scan
 * includes this header.
 */
#ifndef RURU_SCAN_SCAN_INT_H
#define RURU_SCAN_SCAN_INT_H

#include <jansson.h>
#include <pthread.h>
#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/arena.h"
#include "base/vec.h"
#include "io/file.h"
#include "io/stream.h"
#include "logs/formats.h"
#include "logs/record.h"
#include "scan/match.h"
#include "scan/sighting.h"

/* A chunk's usual size: small enough that the chunks read ahead of the matchers stay in the
 * caches (at 4 MiB, six chunks in flight on two cores were read back from memory: one large
 * file's 1 -> 2 threads went from 1.59x to 1.95x, the corpus's -j 2 sweep 1.40 s -> 1.22 s). */
#define CHUNK_BYTES (256u << 10)
/* An event log's chunk: its records rendered as JSON, one of which may be large. */
#define EVTX_CHUNK_BYTES (4u << 20)
#define DEFAULT_MAX_LINE (256ull << 20)
#define UNPARSED_SAMPLES 5
#define SPARE_BUFFERS    64

/* ---- formats ------------------------------------------------------------------------------- */

/* A parser for one input (the reader's) or one chunk of it: its format's entry in the table,
 * and the state the entry's functions keep, in the same allocation. */
struct fmt {
    const struct ruru_logfmt *def;
    _Alignas(max_align_t) unsigned char state[]; /* def->state_size bytes */
};

/* ---- chunks -------------------------------------------------------------------------------- */

/* A field that satisfied a rule: copies in the chunk's arena. */
struct hit_field {
    char *native, *value;
    const char *canon;
};

/* One hit as a worker records it; strings live in the chunk's arena. */
struct chunk_hit {
    uint64_t line; /* within the chunk, 1-based */
    uint64_t offset;
    uint32_t length;
    uint32_t ind;  /* an indicator (is_rule false) */
    uint32_t rule; /* a rule (is_rule true) */
    bool is_rule, keywords;
    bool is_pattern, partial; /* a STIX pattern's (ind), matched or observed in part (entry) */
    uint32_t entry;
    char *observation;                        /* pattern matched: the record as objects, JSON */
    uint64_t leaves[RURU_PATTERN_LEAF_WORDS]; /* pattern in part: the expressions it holds */
    struct hit_field *fields;                 /* rule: the fields that satisfied it */
    size_t n_fields;
    char **corr_values; /* rule: the values its correlations need, or NULL entries */
    size_t n_corr_values;
    int64_t time;
    char *field_native;
    const char *field_canon; /* static or in the arena */
    char *observed, *asset, *raw;
    size_t raw_len;
    bool raw_truncated, asset_is_ip;
    unsigned char sha256[32];
};

/* One element of a JSON document (or one .evtx record rendered as JSON): its bytes in the
 * chunk and the line (record) it starts on. For an .evtx record the evidence is elsewhere:
 * the record's own bytes in the file, at src_off, and their hash. */
struct span {
    size_t off, len;
    uint64_t line; /* absolute, 1-based */
    bool has_src;
    uint32_t src_len;
    uint64_t src_off;
    unsigned char src_sha[32];
};

struct chunk {
    size_t input;
    const struct ruru_rules_input *rin; /* the input as the rules see it, or NULL */
    struct span *spans;                 /* JSON documents: the elements (then lines are absolute) */
    size_t n_spans;
    char *data;
    size_t len, cap; /* bytes used, bytes allocated */
    bool borrowed;   /* data is a memory input's own bytes, read in place (not a buffer) */
    uint64_t offset; /* of data[0] in the input */
    char eol;        /* the byte that ends a line: '\n', or '\r' in a file of CR-only lines */
    bool continues;  /* data[0] is inside a line too long for a buffer, cut before it */
    struct fmt *fmt;
    /* results */
    struct ruru_vec hits;
    struct ruru_arena arena;
    uint64_t lines, parsed, unparsed, blank, truncated;
    int64_t first_time, last_time;
    uint64_t unparsed_at[UNPARSED_SAMPLES], truncated_at[UNPARSED_SAMPLES];
    size_t n_unparsed_at, n_truncated_at;
    struct ruru_match_counts counts;
    bool hits_truncated, failed;
    bool done;
    struct chunk *next; /* in the work queue */
};

/* ---- the worker pool ----------------------------------------------------------------------- */

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    struct chunk *head, *tail;
    bool stop;
    const struct ruru_index *idx;
    const struct ruru_literals *lit;
    const struct ruru_fnregex *fnre;
    const struct ruru_rules *rules;
    const struct ruru_pattern_set *patterns;
    uint64_t *ran; /* the rules that ran on some record (under mu), one bit each */
};

/* ---- the engine (engine.h) ---------------------------------------------------------------- */

struct ruru_engine {
    struct ruru_store *store;
    const struct ruru_scan_opts *opts;
    struct ruru_index *idx;
    struct ruru_literals *lit;
    struct ruru_fnregex *fnre;
    struct ruru_rules *rules; /* NULL: none */
    uint64_t *correlated;     /* one bit per rule: its matches are kept for correlations */
    struct ruru_pattern_set *patterns;
    bool multi_patterns;              /* some pattern has several observations */
    struct ruru_sightings *sightings; /* the sighting documents' writer */
    json_t *info;                     /* the summary's "scan" object as loading left it */
    char gen[96];                     /* the store's generation when opened */
    bool has_gen;
    enum ruru_err load_err; /* a rule the user named refused */
    struct ruru_diag load_diag;
};

/* ---- kept to the end of the sweep ---------------------------------------------------------- */

/* A record that observes a part of a pattern of several observations, kept to the end. */
struct kept_obs {
    uint64_t leaves[RURU_PATTERN_LEAF_WORDS]; /* the observation expressions it satisfies */
    char *asset;                              /* owned; where.asset points to it */
    struct ruru_sighting_member where;
};

/* At most this many records are kept per pattern (a pattern whose part holds for most of a
 * log is no use: the rest are counted as dropped). */
#define MAX_KEPT_PER_PATTERN 100000u

/* A match of a correlated rule, kept until the end of the sweep. */
struct corr_ev {
    uint32_t rule;
    int64_t time;
    char **values;
    size_t n_values;
    char *asset; /* owned; where.asset points to it */
    struct ruru_sighting_member where;
};

/* ---- inputs -------------------------------------------------------------------------------- */

struct input {
    char *path;
    size_t item;      /* 1 + its ruru_scan_input among the sweep's, 0: found in a directory */
    const char *data; /* a memory input's bytes (mem), borrowed for the sweep */
    size_t data_len;
    const char *const *names; /* its lines' own names (a run of messages), borrowed, or NULL */
    size_t n_names;
    bool mem;
    struct ruru_rules_input *rin; /* for the rules: its format and ties (NULL: no rules) */
    bool shared_rin;              /* rin is the sweep's for its format (shared_rin), not its own */
    enum ruru_log_kind kind;
    bool forced;
    uint64_t bytes, lines, parsed, unparsed, blank, truncated, sightings;
    int64_t first_time, last_time;
    struct ruru_match_counts counts;
    uint64_t unparsed_at[UNPARSED_SAMPLES], truncated_at[UNPARSED_SAMPLES];
    size_t n_unparsed_at, n_truncated_at;
    char eol; /* '\n', or '\r' for CR-only lines (seen in the first block) */
    enum ruru_compression comp;
    char error[320];
    bool started;
    struct ruru_stream *ahead; /* opened before its turn (input.c: read ahead), or NULL */
    bool ahead_tried;
};

struct sweep {
    struct ruru_engine *engine;
    struct ruru_store *store;
    const struct ruru_scan_opts *opts;
    const struct ruru_index *idx;
    struct ruru_sightings *sightings;
    struct pool pool;
    pthread_t *threads;
    unsigned n_threads;
    struct input *inputs;
    size_t n_inputs, cap_inputs;
    json_t *skipped; /* what the directory walks left out: {"path", "reason"} */
    /* chunks in flight, oldest first */
    struct chunk **ring;
    size_t ring_cap, ring_head, ring_len;
    uint64_t bytes_read, sightings_total;
    enum ruru_err first_err;
    struct ruru_diag first_diag;
    bool stopped;
    uint64_t max_line;
    struct timespec last_progress;
    struct ruru_matcher *inline_m; /* -j 1: no worker threads */
    struct ruru_record *inline_r;
    struct ruru_matcher *main_m; /* -j N > 1: the reader's own matcher, when it helps */
    struct ruru_record *main_r;
    /* Spare chunk buffers of the two usual sizes (CHUNK_BYTES, EVTX_CHUNK_BYTES): reused
     * rather than freed, so that blocks are not mapped, zeroed by the kernel and unmapped
     * (with TLB shootdowns across the workers) each time. */
    struct {
        char *buf;
        size_t cap;
    } spare[SPARE_BUFFERS];
    size_t n_spare;
    /* Spare parsers of formats without header state, reused by the next chunk of that format
     * rather than allocated for each (a memory input is often one line). */
    struct fmt *spare_fmt[SPARE_BUFFERS];
    size_t n_spare_fmt;
    /* The rules' view of an input of each format when no --logsource ties apply. */
    struct ruru_rules_input *shared_rin[RURU_KIND__COUNT];
    /* detection rules (the engine's) */
    struct ruru_rules *rules;
    uint64_t *correlated; /* one bit per rule: its matches are kept for correlations */
    struct ruru_vec corr; /* struct corr_ev, in report order */
    uint64_t rule_sightings, correlations;
    /* STIX patterns (the engine's) */
    struct ruru_pattern_set *patterns;
    struct ruru_vec *kept; /* per pattern entry: struct kept_obs, records observing a part */
    uint64_t pattern_sightings, pattern_errors, pattern_dropped;
};

/* report.c: the calling thread's side */

/* Reports a chunk's hits (its lines made absolute) and adds its counts to its input's. */
void ruru_scan_report_chunk(struct sweep *s, struct chunk *c);
/* The correlation rules over the sweep's kept rule matches, reported as sightings. */
void ruru_scan_correlate(struct sweep *s);
/* The STIX patterns of several observations, judged on what the records observed. */
void ruru_scan_judge_patterns(struct sweep *s);
/* An input's entry of the summary. */
json_t *ruru_scan_input_summary(const struct sweep *s, const struct input *in);

/* input.c: the parsers */

/* Parses one line (or JSON element) with the input's parser: one indirect call, on the hot
 * path (a call per line). */
static inline enum ruru_log_line
ruru_scan_fmt_parse(struct fmt *f, const char *line, size_t len, struct ruru_record *r)
{
    return f->def->parse(f->state, line, len, r);
}
/* The format's skim (logs/formats.h): true when the line would parse, to a record that fits,
 * with its time and the view the quick question reads in *out (out->room set by the caller);
 * false when it would not or might not (then the line is parsed). */
static inline bool
ruru_scan_fmt_skim(const struct fmt *f, const char *line, size_t len, struct ruru_skim *out)
{
    return f->def->skim != NULL && f->def->skim(f->state, line, len, out);
}
void ruru_scan_fmt_free(struct fmt *f);
/* Gives a chunk's parser back: kept as a spare for the next chunk of its format when it has
 * no header state, else freed; NULL is a no-op. */
void ruru_scan_fmt_put(struct sweep *s, struct fmt *f);

/* input.c: reads input idx of the sweep into chunks and submits them (errors go to the
 * input: ruru_scan_input_error). */
void ruru_scan_input_sweep(struct sweep *s, size_t idx, struct ruru_record *r);
/* input.c: before input idx is swept, with several threads: opens the files among inputs
 * idx .. idx + threads - 1 not yet opened, and has each compressed one decoded on a thread of
 * its own, ahead of its turn (ruru_scan_input_sweep takes the stream). */
void ruru_scan_read_ahead(struct sweep *s, size_t idx);
/* input.c: closes the inputs opened ahead and never swept (a sweep stopped early). */
void ruru_scan_read_ahead_end(struct sweep *s);

/* scan.c: what the reader needs of the sweep */

/* A chunk buffer of `cap` bytes (a spare one when it has one of the usual sizes), or NULL. */
char *ruru_scan_buf_get(struct sweep *s, size_t cap);
/* Gives a buffer back (kept as a spare, or freed); NULL is a no-op. */
void ruru_scan_buf_put(struct sweep *s, char *buf, size_t cap);
/* Frees a chunk, its buffer given back. */
void ruru_scan_chunk_release(struct sweep *s, struct chunk *c);
/* Hands a chunk to the matchers; it is reported in order, then released. */
void ruru_scan_submit(struct sweep *s, struct chunk *c);
/* Records an input's error (the first of the sweep is its result) and reports it. */
void ruru_scan_input_error(struct sweep *s,
                           struct input *in,
                           enum ruru_err err,
                           struct ruru_diag *d);
/* The input as the rules see it; false (said) when memory ran out. */
bool ruru_scan_input_rules(struct sweep *s, struct input *in);

#endif
