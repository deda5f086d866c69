/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The service's pieces (docs/serve.md, docs/internals/serve.md), shared by the files of
 * src/serve/: the server (server.c: the daemon, the handles, the tokens, reload and stop),
 * the requests (http.c: bodies, limits, replies), the API's endpoints (api.c, api_submit.c),
 * what a caller may see (rights.c), the metrics (metrics.c) and the console's routes
 * (console_routes.c).
 */
#ifndef RURU_SERVE_INT_H
#define RURU_SERVE_INT_H

#include <jansson.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <ruru.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cases/tokens.h"
#include "intel/actors.h"
#include "serve/mhd_lib.h"

struct ruru_sessions;
struct serve_cache;

/* ---- what a caller may see (rights.c) ---- */

/* serve: of ruru.yaml: who gets TLP:AMBER intel. */
struct serve_sharing {
    bool amber_all;  /* AMBER intel goes to every constituent (TLP 2.0: "its clients") */
    json_t *sources; /* {SOURCE: [ORG, ...]}: AMBER of SOURCE goes to these (amber_all false) */
    int tlp_default; /* the TLP of intel that states none (export.tlp_default) */
};

/* Reads serve: of ruru.yaml (text, `file` names it). RURU_EPARSE with line and column. */
enum ruru_err serve_sharing_load(const char *yaml,
                                 size_t len,
                                 const char *file,
                                 struct serve_sharing *out,
                                 struct ruru_diag *d);
void serve_sharing_fini(struct serve_sharing *s);

/* Who is asking: the token's organisation and role. */
struct caller {
    char org[129];
    char token_id[17];
    enum ruru_role role;
    bool console; /* signed in to the console (a session), not a bearer token */
    char csrf[65];
};

/* May `c` see an intel match of a search (its "tlp" and "source")? */
bool serve_match_visible(const struct serve_sharing *s, const struct caller *c, const json_t *m);
/* The most restrictive TLP of what `c` may be given about its own incidents ("red" for the
 * CERT's admins, "amber+strict" for a constituent: never RED). */
const char *serve_tlp_max(const struct caller *c);

/* ---- the server ---- */

/* One set of open handles, used by one request at a time (server.c keeps a pool). */
struct handles {
    ruru_store *store;
    ruru_register *reg;
    struct ruru_actor_registry *actors; /* built once per intel generation */
    uint64_t gen;                       /* the server's generation it was opened in */
    struct handles *next;
};

enum route {
    R_HEALTHZ,
    R_METRICS,
    R_LOOKUP,
    R_LOGS,
    R_SIGHTINGS,
    R_INCIDENTS,
    R_INCIDENT,
    R_STATS,
    R_ACTORS,
    R_ACTOR,
    R_EXPORT,
    R_CONSOLE,
    R_OTHER,
    R__COUNT
};

struct metrics {
    _Atomic uint64_t requests[R__COUNT][6]; /* by route and status class (1xx..5xx; 0: none) */
    _Atomic uint64_t latency_bucket[12];    /* cumulative at the end: see metrics.c */
    _Atomic uint64_t latency_count, latency_us_sum;
    _Atomic uint64_t lookups, lookup_hits, cache_hits, sightings, incidents, bytes_in, reloads;
    _Atomic int64_t in_flight;
};

struct ruru_server {
    struct MHD_Daemon *daemon;
    struct ruru_serve_opts opts; /* strings below are copies */
    char *home, *config, *config_file, *spool, *listen;
    char *register_url; /* NULL: HOME/register.db */
    char *tls_cert, *tls_key;
    struct serve_sharing sharing;
    unsigned port;
    bool loopback;

    pthread_mutex_t pool_lock;
    struct handles *pool;
    _Atomic uint64_t gen; /* bumped by a reload: older handles are closed when given back */
    char store_gen[64];   /* the intel's generation the current handles were opened at */
    int64_t store_gen_at; /* when it was last looked at, and when it last changed */
    int64_t store_changed;

    pthread_mutex_t token_lock;
    ruru_register *token_reg; /* its own connection: the tokens, read again when they change */
    struct ruru_token_entry *tokens;
    size_t n_tokens;
    uint64_t token_version;
    int64_t token_checked_us;
    bool tokens_loaded;

    struct ruru_sessions *sessions;
    struct serve_cache *cache;
    struct metrics m;
    int64_t started;
    _Atomic bool stopping;
};

struct handles *serve_handles_get(struct ruru_server *s, struct ruru_diag *d);
void serve_handles_put(struct ruru_server *s, struct handles *h);
/* Looks whether the intel changed, at most once a second (for requests that need no handle:
 * answers from the cache). */
void serve_watch(struct ruru_server *s);

/* The caller of a bearer token (`Authorization: Bearer TOKEN`): false for none, a bad or a
 * revoked one, all alike. */
bool serve_authenticate(struct ruru_server *s, const char *header, struct caller *out);
/* The caller of a token's text (the console's login form). */
bool serve_token_caller(struct ruru_server *s, const char *tok, size_t len, struct caller *out);

/* ---- one request (http.c) ---- */

struct request {
    struct ruru_server *srv;
    struct MHD_Connection *conn;
    enum route route;
    const char *method, *url;
    int64_t started_us;
    struct caller caller;
    bool authed;
    /* the body: in memory (JSON, lines) or spooled to a file (logs) */
    char *body;
    size_t body_len, body_cap;
    FILE *spool;
    char spool_path[4096]; /* while the body arrives: a temporary name, removed at the end */
    struct sha256_ctx sha; /* of the spooled body: its file is named by it */
    uint64_t body_bytes;
    bool too_large, replied;
    char target_org[129]; /* a submission's organisation ("": the CERT's own) */
    unsigned status;
};

int64_t serve_now_us(void);

/* libmicrohttpd's callbacks: every call of a request, and its end. */
enum MHD_Result serve_dispatch(void *cls,
                               struct MHD_Connection *conn,
                               const char *url,
                               const char *method,
                               const char *version,
                               const char *upload,
                               size_t *upload_size,
                               void **con_cls);
void serve_completed(void *cls,
                     struct MHD_Connection *conn,
                     void **con_cls,
                     enum MHD_RequestTerminationCode why);

/* Replies: `doc` (stolen) as JSON; an error as {"error": {"status", "message"}}; any bytes. */
enum MHD_Result serve_reply_json(struct request *q, unsigned status, json_t *doc);
enum MHD_Result serve_reply_error(struct request *q, unsigned status, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
enum MHD_Result
serve_reply_bytes(struct request *q, unsigned status, const char *type, char *bytes, size_t len);
/* The error for a library failure (404 for RURU_ENOTFOUND, 400 for bad input, else 500). */
enum MHD_Result serve_reply_lib(struct request *q, enum ruru_err err, const struct ruru_diag *d);

/* A query argument (percent-decoded), NULL when absent; `bad` set when it holds a NUL or
 * bytes that are no UTF-8. */
const char *serve_arg(struct request *q, const char *name, bool *bad);
/* A time argument: false after replying 400 when it is not a time. INT64_MIN when absent. */
bool serve_time_arg(struct request *q, const char *name, int64_t *out, enum MHD_Result *ret);
/* The request header `name`, NULL when absent. */
const char *serve_header(struct request *q, const char *name);
/* True when the Content-Type (its media type, parameters aside) is `type`. */
bool serve_content_is(struct request *q, const char *type);

/* ---- the endpoints ---- */

enum MHD_Result api_healthz(struct request *q);
enum MHD_Result api_metrics(struct request *q);
enum MHD_Result api_lookup_get(struct request *q);
enum MHD_Result api_lookup_post(struct request *q);
enum MHD_Result api_incidents(struct request *q);
enum MHD_Result api_incident(struct request *q, const char *id);
enum MHD_Result api_stats(struct request *q);
enum MHD_Result api_actors(struct request *q, const char *name);
enum MHD_Result api_export(struct request *q);
/* api_submit.c: the spool of a log submission, opened at the first call. */
bool api_logs_open(struct request *q);
enum MHD_Result api_logs(struct request *q);
enum MHD_Result api_sightings(struct request *q);
/* The organisation a submission or query of the CERT's admins is for (?org=), else the
 * caller's own; NULL after replying 403 when a constituent names another. */
const char *api_org_arg(struct request *q, enum MHD_Result *ret);

/* ruru_export with a borrowed handle (opts already narrowed to the caller). RURU_EDB with
 * d->item -2 when no handle could be opened. */
enum ruru_err serve_export_run(struct request *q,
                               const struct ruru_export_opts *o,
                               char **out,
                               size_t *len,
                               char **summary,
                               struct ruru_diag *d);
/* Is the token of this id still live (not revoked)? */
bool serve_token_live(struct ruru_server *s, const char *token_id);

/* The search of one value as `c` may see it. OUT: *doc. */
enum ruru_err api_search(
        struct request *q, struct handles *h, const char *value, json_t **doc, struct ruru_diag *d);

/* ---- cache.c: answers to lookups, per class of caller ---- */
struct serve_cache *serve_cache_new(void);
void serve_cache_free(struct serve_cache *c);
/* A copy of the answer (ruru_free) to `value` for callers of class `cls` made in generation
 * `gen` less than a minute before `now`, with its length and whether it matched; else NULL. */
char *serve_cache_get(struct serve_cache *c,
                      const char *cls,
                      const char *value,
                      uint64_t gen,
                      int64_t now,
                      size_t *len,
                      bool *hit);
void serve_cache_put(struct serve_cache *c,
                     const char *cls,
                     const char *value,
                     uint64_t gen,
                     int64_t now,
                     const char *text,
                     size_t len,
                     bool hit);

/* ---- metrics.c ---- */
void metrics_observe(struct metrics *m, enum route r, unsigned status, int64_t micros);
char *metrics_text(struct ruru_server *s, size_t *len);

/* ---- console_routes.c ---- */
enum MHD_Result console_route(struct request *q, const char *path);

#endif
