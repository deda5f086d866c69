/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ruru serve`: the daemon (libmicrohttpd, a thread per connection, so that a long sweep of a
 * submitted log holds up no other client), the pool of open handles the requests borrow, the
 * tokens, reload and graceful stop.
 *
 * A store or register handle is used by one thread at a time, and opening one (SQLite, the
 * actor registry) costs far more than a lookup: so handles are opened once and lent to one
 * request at a time. A reload bumps the server's generation; a handle of an older generation
 * finishes the request it serves and is closed when given back, and the next request opens a
 * fresh one. So a reload fails no request in flight and every request sees one intel
 * throughout. The intel's own generation (the store's, changed by every import) is looked at
 * at most once a second and a change reloads in the same way.
 *
 * Tokens are kept in memory (tokens.h: sorted, hashed) and read again when register.db
 * changed (PRAGMA data_version of the server's own connection), looked at every 50 ms and
 * whenever a token is not found: a token added with `ruru tokens` works at once, one revoked
 * stops within 50 ms.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "intel/store.h"
#include "io/file.h"
#include "serve/serve_int.h"
#include "serve/session.h"

int64_t serve_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static char *dup_or_null(const char *s, size_t n)
{
    char *d;

    if (s == NULL)
        return NULL;
    if ((d = ruru_malloc(n + 1)) != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static void say(struct ruru_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct ruru_server *s, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    if (s->opts.on_log == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    s->opts.on_log(s->opts.ctx, line);
}

/* ---- handles ------------------------------------------------------------------------------ */

static void handles_close(struct handles *h)
{
    if (h == NULL)
        return;
    ruru_actors_destroy(h->actors);
    ruru_register_close(h->reg);
    ruru_store_close(h->store);
    ruru_free(h);
}

static struct handles *handles_open(struct ruru_server *s, uint64_t gen, struct ruru_diag *d)
{
    struct handles *h = ruru_calloc(1, sizeof(*h));
    enum ruru_err err;

    if (h == NULL) {
        ruru_diag_set(d, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    h->gen = gen;
    err = ruru_store_open(s->home, &h->store, d);
    if (err == RURU_OK)
        err = ruru_register_open_url(s->home, s->register_url, &h->reg, d);
    if (err == RURU_OK && s->config != NULL)
        err = ruru_register_set_config(h->reg, s->config, strlen(s->config), s->config_file, d);
    if (err == RURU_OK)
        err = ruru_actors_build(ruru_store_db(h->store), &h->actors, d);
    if (err != RURU_OK) {
        handles_close(h);
        return NULL;
    }
    return h;
}

/* Has the intel changed since the handles were opened (another process imported)? Looked at
 * at most once a second, with handle h. */
static void watch_intel(struct ruru_server *s, struct handles *h)
{
    char gen[64];
    int64_t now = (int64_t)time(NULL);
    bool look;

    pthread_mutex_lock(&s->pool_lock);
    look = now != s->store_gen_at;
    if (look)
        s->store_gen_at = now;
    pthread_mutex_unlock(&s->pool_lock);
    if (!look || !ruru_store_generation(h->store, gen, sizeof(gen)))
        return;
    pthread_mutex_lock(&s->pool_lock);
    if (strcmp(gen, s->store_gen) != 0) {
        bool first = s->store_gen[0] == '\0';
        snprintf(s->store_gen, sizeof(s->store_gen), "%s", gen);
        if (!first) {
            s->store_changed = now;
            atomic_fetch_add(&s->gen, 1);
            atomic_fetch_add(&s->m.reloads, 1);
        }
    }
    pthread_mutex_unlock(&s->pool_lock);
}

struct handles *serve_handles_get(struct ruru_server *s, struct ruru_diag *d)
{
    struct handles *h;
    uint64_t gen;

    for (int round = 0; round < 2; round++) {
        pthread_mutex_lock(&s->pool_lock);
        gen = atomic_load(&s->gen);
        h = s->pool;
        if (h != NULL)
            s->pool = h->next;
        pthread_mutex_unlock(&s->pool_lock);
        if (h != NULL && h->gen != gen) {
            handles_close(h);
            h = NULL;
        }
        if (h == NULL && (h = handles_open(s, gen, d)) == NULL)
            return NULL;
        h->next = NULL;
        watch_intel(s, h);
        if (h->gen == atomic_load(&s->gen))
            return h;
        /* the intel changed just now: this handle has the old one */
        handles_close(h);
    }
    return handles_open(s, atomic_load(&s->gen), d);
}

void serve_watch(struct ruru_server *s)
{
    bool due;
    struct handles *h;

    pthread_mutex_lock(&s->pool_lock);
    due = (int64_t)time(NULL) != s->store_gen_at;
    pthread_mutex_unlock(&s->pool_lock);
    if (due && (h = serve_handles_get(s, NULL)) != NULL)
        serve_handles_put(s, h);
}

void serve_handles_put(struct ruru_server *s, struct handles *h)
{
    if (h == NULL)
        return;
    if (h->gen != atomic_load(&s->gen) || atomic_load(&s->stopping)) {
        handles_close(h);
        return;
    }
    pthread_mutex_lock(&s->pool_lock);
    h->next = s->pool;
    s->pool = h;
    pthread_mutex_unlock(&s->pool_lock);
}

/* ---- tokens ------------------------------------------------------------------------------- */

/* Under token_lock: the tokens as register.db has them now. Looked at at most every
 * TOKEN_CHECK_US (every request would queue all of them behind one SQLite read), and at once
 * when `force`: a token not found may be one added a moment ago. */
#define TOKEN_CHECK_US 50000
static void tokens_fresh(struct ruru_server *s, bool force)
{
    int64_t now = serve_now_us();
    struct ruru_token_entry *e = NULL;
    size_t n = 0;
    uint64_t v;

    if (s->tokens_loaded && !force && now - s->token_checked_us < TOKEN_CHECK_US)
        return;
    s->token_checked_us = now;
    v = ruru_register_data_version(s->token_reg);
    if (s->tokens_loaded && v == s->token_version)
        return;
    if (ruru_register_token_entries(s->token_reg, &e, &n, NULL) != RURU_OK) {
        /* keep what was known: a busy database must not sign everyone out */
        if (!s->tokens_loaded)
            say(s, "warning: the tokens cannot be read from register.db");
        return;
    }
    ruru_free(s->tokens);
    s->tokens = e;
    s->n_tokens = n;
    s->token_version = v;
    s->tokens_loaded = true;
}

bool serve_token_caller(struct ruru_server *s, const char *tok, size_t len, struct caller *out)
{
    ptrdiff_t i;

    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&s->token_lock);
    tokens_fresh(s, false);
    i = ruru_token_find(s->tokens, s->n_tokens, tok, len);
    if (i < 0) {
        tokens_fresh(s, true);
        i = ruru_token_find(s->tokens, s->n_tokens, tok, len);
    }
    if (i >= 0) {
        snprintf(out->org, sizeof(out->org), "%s", s->tokens[i].org);
        snprintf(out->token_id, sizeof(out->token_id), "%s", s->tokens[i].id);
        out->role = s->tokens[i].role;
    }
    pthread_mutex_unlock(&s->token_lock);
    return i >= 0;
}

bool serve_token_live(struct ruru_server *s, const char *token_id)
{
    bool live = false;

    pthread_mutex_lock(&s->token_lock);
    tokens_fresh(s, false);
    for (size_t i = 0; i < s->n_tokens && !live; i++)
        live = strcmp(s->tokens[i].id, token_id) == 0;
    pthread_mutex_unlock(&s->token_lock);
    return live;
}

bool serve_authenticate(struct ruru_server *s, const char *header, struct caller *out)
{
    size_t n;

    memset(out, 0, sizeof(*out));
    if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0)
        return false;
    header += 7;
    while (*header == ' ')
        header++;
    n = strlen(header);
    while (n > 0 && header[n - 1] == ' ')
        n--;
    return serve_token_caller(s, header, n, out);
}

/* ---- the daemon --------------------------------------------------------------------------- */

/* libmicrohttpd's messages, said as warnings (fmt is libmicrohttpd's own format) */
static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct ruru_server *s = cls;
    char line[1024];
    size_t n;

    if (s->opts.on_log == NULL)
        return;
    vsnprintf(line, sizeof(line), fmt, ap);
    n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    say(s, "warning: %s", line);
}

/* "ADDRESS:PORT", "[IPV6]:PORT" or "localhost:PORT" into *sa. */
static bool parse_listen(const char *text, struct sockaddr_storage *sa, socklen_t *len, bool *lo)
{
    char host[128];
    const char *colon, *h = text, *port_text;
    size_t hn;
    char *end;
    long port;

    memset(sa, 0, sizeof(*sa));
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (close == NULL || close[1] != ':')
            return false;
        h = text + 1;
        hn = (size_t)(close - h);
        port_text = close + 2;
    } else {
        if ((colon = strrchr(text, ':')) == NULL)
            return false;
        hn = (size_t)(colon - text);
        port_text = colon + 1;
    }
    if (hn == 0 || hn >= sizeof(host) || *port_text == '\0')
        return false;
    memcpy(host, h, hn);
    host[hn] = '\0';
    errno = 0;
    port = strtol(port_text, &end, 10);
    if (*end != '\0' || errno != 0 || port < 0 || port > 65535)
        return false;
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    if (text[0] != '[') {
        struct sockaddr_in *in = (struct sockaddr_in *)sa;
        if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
            return false;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        *len = sizeof(*in);
        *lo = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;
        if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
            return false;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *len = sizeof(*in6);
        *lo = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    return true;
}

static void server_free(struct ruru_server *s)
{
    struct handles *h, *next;

    if (s == NULL)
        return;
    for (h = s->pool; h != NULL; h = next) {
        next = h->next;
        handles_close(h);
    }
    ruru_register_close(s->token_reg);
    ruru_free(s->tokens);
    ruru_sessions_free(s->sessions);
    serve_cache_free(s->cache);
    serve_sharing_fini(&s->sharing);
    pthread_mutex_destroy(&s->pool_lock);
    pthread_mutex_destroy(&s->token_lock);
    ruru_free(s->home);
    ruru_free(s->register_url);
    ruru_free(s->config);
    ruru_free(s->config_file);
    ruru_free(s->spool);
    ruru_free(s->listen);
    ruru_free(s->tls_cert);
    if (s->tls_key != NULL) /* a private key: not left in freed memory */
        explicit_bzero(s->tls_key, strlen(s->tls_key));
    ruru_free(s->tls_key);
    ruru_free(s);
}

static enum ruru_err bind_socket(struct ruru_server *s, int *fd_out, struct ruru_diag *d)
{
    struct sockaddr_storage sa;
    socklen_t len = 0;
    int fd, one = 1;

    if (!parse_listen(s->listen, &sa, &len, &s->loopback))
        return ruru_diag_set(d, RURU_EINVAL, NULL, 0, 0,
                             "--listen %s: ADDRESS:PORT is needed (127.0.0.1:8080, [::1]:8080)",
                             s->listen);
    fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return ruru_diag_set(d, RURU_EIO, NULL, 0, 0, "socket: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (sa.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sa, len) != 0 || listen(fd, 1024) != 0) {
        int e = errno;
        close(fd);
        return ruru_diag_set(d, RURU_EIO, NULL, 0, 0, "cannot listen on %s: %s", s->listen,
                             strerror(e));
    }
    *fd_out = fd;
    return RURU_OK;
}

enum ruru_err
ruru_serve_start(const struct ruru_serve_opts *opts, ruru_server **out, struct ruru_diag *diag)
{
    struct ruru_server *s;
    struct handles *h;
    enum ruru_err err;
    struct MHD_OptionItem items[16];
    unsigned n = 0, flags;
    int fd = -1;
    const union MHD_DaemonInfo *info;

    char why[300];

    ruru_diag_clear(diag);
    *out = NULL;
    if (opts == NULL || opts->home == NULL)
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0, "the service needs a home");
    if (!ruru_mhd_load(why, sizeof(why)))
        return ruru_diag_set(diag, RURU_EUNSUPPORTED, NULL, 0, 0, "%s", why);
    if ((opts->tls_cert == NULL) != (opts->tls_key == NULL))
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0,
                             "TLS needs both a certificate and its key");
    if (opts->tls_cert != NULL && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return ruru_diag_set(diag, RURU_EUNSUPPORTED, NULL, 0, 0,
                             "this libmicrohttpd has no TLS (GnuTLS)");
    if ((s = ruru_calloc(1, sizeof(*s))) == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    pthread_mutex_init(&s->pool_lock, NULL);
    pthread_mutex_init(&s->token_lock, NULL);
    s->opts = *opts;
    s->home = dup_or_null(opts->home, strlen(opts->home));
    s->register_url =
            dup_or_null(opts->register_url, opts->register_url ? strlen(opts->register_url) : 0);
    s->config = dup_or_null(opts->config, opts->config_len);
    s->config_file = dup_or_null(opts->config_file ? opts->config_file : "ruru.yaml",
                                 strlen(opts->config_file ? opts->config_file : "ruru.yaml"));
    s->listen = dup_or_null(opts->listen ? opts->listen : "127.0.0.1:8080",
                            strlen(opts->listen ? opts->listen : "127.0.0.1:8080"));
    {
        /* absolute: the sightings of a submission cite their spool file by this path */
        char spool[4096], *real;
        struct ruru_diag md;
        md.msg[0] = '\0';
        snprintf(spool, sizeof(spool), "%s", opts->spool ? opts->spool : opts->home);
        if (opts->spool == NULL)
            snprintf(spool, sizeof(spool), "%s/submissions", opts->home);
        real = ruru_make_dirs(spool, &md) == RURU_OK ? realpath(spool, NULL) : NULL;
        if (real == NULL) {
            server_free(s);
            return ruru_diag_set(diag, RURU_EIO, NULL, 0, 0, "%s: cannot be made: %s", spool,
                                 md.msg[0] ? md.msg : strerror(errno));
        }
        s->spool = dup_or_null(real, strlen(real));
        free(real);
    }
    s->tls_cert = dup_or_null(opts->tls_cert, opts->tls_cert ? strlen(opts->tls_cert) : 0);
    s->tls_key = dup_or_null(opts->tls_key, opts->tls_key ? strlen(opts->tls_key) : 0);
    if (s->home == NULL || s->config_file == NULL || s->listen == NULL || s->spool == NULL ||
        (opts->config != NULL && s->config == NULL) ||
        (opts->register_url != NULL && s->register_url == NULL) ||
        (opts->tls_cert && !s->tls_cert) || (opts->tls_key && !s->tls_key)) {
        server_free(s);
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    }
    s->opts.max_body = opts->max_body ? opts->max_body : (uint64_t)1 << 30;
    s->opts.max_json = opts->max_json ? opts->max_json : (uint64_t)64 << 20;
    s->opts.max_batch = opts->max_batch ? opts->max_batch : 10000;
    s->opts.idle_timeout = opts->idle_timeout ? opts->idle_timeout : 30;
    s->opts.request_time = opts->request_time ? opts->request_time : 600;
    s->opts.max_connections = opts->max_connections ? opts->max_connections : 256;
    s->opts.max_per_client = opts->max_per_client ? opts->max_per_client : 32;
    s->started = (int64_t)time(NULL);
    s->store_changed = s->started;

    err = serve_sharing_load(s->config, s->config ? strlen(s->config) : 0, s->config_file,
                             &s->sharing, diag);
    if (err == RURU_OK)
        err = ruru_register_open_url(s->home, s->register_url, &s->token_reg, diag);
    if (err == RURU_OK && (h = handles_open(s, 0, diag)) != NULL) {
        watch_intel(s, h);
        s->pool = h;
    } else if (err == RURU_OK) {
        err = diag != NULL && diag->msg[0] ? RURU_EIO : RURU_ENOMEM;
        if (diag != NULL && !diag->msg[0])
            ruru_diag_set(diag, err, NULL, 0, 0, "out of memory");
    }
    if (err == RURU_OK && ((s->sessions = ruru_sessions_new(4096, 8 * 3600)) == NULL ||
                           (s->cache = serve_cache_new()) == NULL))
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    if (err == RURU_OK)
        err = bind_socket(s, &fd, diag);
    if (err != RURU_OK) {
        server_free(s);
        return err;
    }

    flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
            MHD_USE_ERROR_LOG;
    if (s->tls_cert != NULL)
        flags |= MHD_USE_TLS;
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, fd, NULL};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, s->opts.idle_timeout, NULL};
    items[n++] =
            (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, s->opts.max_connections, NULL};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->opts.max_per_client,
                                         NULL};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)serve_completed, s};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, s};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT, 256 * 1024, NULL};
    if (s->tls_cert != NULL) {
        items[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->tls_cert};
        items[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key};
    }
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, serve_dispatch, s, MHD_OPTION_ARRAY, items,
                                 MHD_OPTION_END);
    if (s->daemon == NULL) {
        close(fd);
        server_free(s);
        return ruru_diag_set(diag, opts->tls_cert ? RURU_EINVAL : RURU_EIO, NULL, 0, 0,
                             "the service cannot start%s",
                             opts->tls_cert ? " (is the certificate and key PEM, and a pair?)"
                                            : "");
    }
    info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info != NULL ? info->port : 0;
    if (!s->loopback && s->tls_cert == NULL)
        say(s,
            "warning: listening on %s without TLS: tokens and submissions cross the "
            "network in clear (--tls-cert, --tls-key)",
            s->listen);
    *out = s;
    return RURU_OK;
}

unsigned ruru_serve_port(const ruru_server *s)
{
    return s != NULL ? s->port : 0;
}

void ruru_serve_reload(ruru_server *s)
{
    if (s == NULL)
        return;
    atomic_fetch_add(&s->gen, 1);
    atomic_fetch_add(&s->m.reloads, 1);
    pthread_mutex_lock(&s->pool_lock);
    s->store_changed = (int64_t)time(NULL);
    pthread_mutex_unlock(&s->pool_lock);
    pthread_mutex_lock(&s->token_lock);
    s->tokens_loaded = false;
    pthread_mutex_unlock(&s->token_lock);
}

void ruru_serve_stop(ruru_server *s, unsigned grace_seconds)
{
    int64_t until;
    MHD_socket fd;

    if (s == NULL)
        return;
    atomic_store(&s->stopping, true);
    /* no new connections; those open get 503 and are closed; those in flight finish */
    fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    until = serve_now_us() + (int64_t)grace_seconds * 1000000;
    while (atomic_load(&s->m.in_flight) > 0 && serve_now_us() < until) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(s->daemon);
    server_free(s);
}
