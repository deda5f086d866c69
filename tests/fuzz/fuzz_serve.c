/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: `ruru serve` over the wire. At the first input a temporary home is made (a
 * small intel CSV imported, with TLPs and an actor; tokens of the roles read and submit for
 * one organisation and admin for the CERT; one incident recorded from a swept log) and the
 * server is started on 127.0.0.1 with small limits. It keeps running across inputs (and is
 * started afresh with a new home every RESTART_EVERY inputs, so that what the inputs submitted
 * does not pile up and slow every export down).
 *
 * Each input is the raw bytes of what a client sends on one new TCP connection, after these
 * placeholders are replaced, so that the fuzzer reaches the code behind the authorisation:
 *   @R@ @S@ @A@   the tokens of roles read, submit and admin;
 *   @C@ @X@       a console session's cookie value (the admin's) and its CSRF value;
 *   @I@           the id of the recorded incident.
 * The bytes are sent, the writing side shut, and the reply read until the server closes.
 * Checks the contract of the server:
 *   - a reply that is not empty starts with "HTTP/1." and is no 500 (a library failure on
 *     what a client sent: bad input is a 4xx);
 *   - the server answers and closes within HANG_SECONDS (else abort(): a hang).
 * With RURU_FUZZ_SERVE_SHOW set, the status line of every reply is written to stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <ruru.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "serve/serve_int.h"
#include "serve/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HANG_SECONDS  10
#define RESTART_EVERY 4096

static const char INTEL[] = "type,value,actor,confidence,tlp,description\n"
                            "ipv4,203.0.113.7,APT40,80,green,green beacon\n"
                            "domain,evil.example,APT40,80,amber,amber c2\n"
                            "ipv4,198.51.100.66,APT40,90,red,red source\n"
                            "ipv4,203.0.113.99,APT28,70,amber+strict,strict note\n"
                            "domain,clear.example,,50,clear,clear domain\n";

/* The actor the CSV names, with its aliases (an actor of the registry: /v1/actors/APT40). */
static const char ACTORS[] =
        "{\"type\":\"bundle\",\"id\":\"bundle--5b0c2f6e-8d1a-4c3e-9f2b-7a6d5e4c3b2a\","
        "\"objects\":[{\"type\":\"intrusion-set\",\"spec_version\":\"2.1\","
        "\"id\":\"intrusion-set--1f2e3d4c-5b6a-4978-8877-665544332211\","
        "\"created\":\"2024-07-08T00:00:00.000Z\",\"modified\":\"2024-07-08T00:00:00.000Z\","
        "\"name\":\"APT40\",\"aliases\":[\"Leviathan\"],\"description\":\"<b>x</b>\"}]}";

static const char LOG[] = "203.0.113.7 - - [12/Jul/2024:01:00:00 +0000] \"GET /beacon HTTP/1.1\" "
                          "200 5 \"-\" \"curl/8\"\n"
                          "10.0.0.5 - - [12/Jul/2024:01:05:00 +0000] \"GET "
                          "http://evil.example/x HTTP/1.1\" 200 5 \"-\" \"curl/8\"\n";

static const char CONFIG[] = "orgs:\n"
                             "  Org-A:\n"
                             "    sector: government\n"
                             "serve:\n"
                             "  amber: listed\n"
                             "  amber_to:\n"
                             "    intel.csv: [Org-A]\n";

static struct {
    char home[64];
    ruru_server *srv;
    unsigned port;
    char tok[3][RURU_TOKEN_LEN + 1]; /* read, submit, admin */
    char sid[RURU_SESSION_HEX + 1], csrf[RURU_SESSION_HEX + 1];
    char incident[128];
    unsigned long inputs;
} F;

static int write_file(const char *dir, const char *name, const char *text, char *path, size_t cap)
{
    FILE *f;

    snprintf(path, cap, "%s/%s", dir, name);
    if ((f = fopen(path, "w")) == NULL)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static int on_sighting(void *ctx, const char *text)
{
    json_t *s = json_loads(text, 0, NULL);

    return s == NULL || json_array_append_new(ctx, s) != 0;
}

/* The home: intel, tokens and one incident of Org-A. */
static int make_home(void)
{
    struct ruru_import_opts io;
    struct ruru_scan_opts so;
    struct ruru_diag d;
    ruru_store *store = NULL;
    ruru_register *reg = NULL;
    static const char *const ROLES[3][2] = {
            {"Org-A", "read"}, {"Org-A", "submit"}, {"CERT", "admin"}};
    char path[256], actors[256], log[256], *report = NULL, *summary = NULL, *text, *json = NULL;
    const char *paths[1] = {log};
    json_t *sightings = json_array(), *rec;
    const char *id;
    int rc = -1;

    snprintf(F.home, sizeof(F.home), "/tmp/ruru-fuzz-serve-XXXXXX");
    if (mkdtemp(F.home) == NULL || write_file(F.home, "intel.csv", INTEL, path, sizeof(path)) ||
        write_file(F.home, "actors.json", ACTORS, actors, sizeof(actors)) ||
        write_file(F.home, "access.log", LOG, log, sizeof(log)))
        goto out;
    memset(&io, 0, sizeof(io));
    if (ruru_store_open(F.home, &store, &d) != RURU_OK)
        goto out;
    for (int i = 0; i < 2; i++) {
        ruru_free(report);
        report = NULL;
        if (ruru_intel_import(store, i == 0 ? path : actors, &io, &report, &d) != RURU_OK)
            goto out;
    }
    if (ruru_register_open(F.home, &reg, &d) != RURU_OK ||
        ruru_register_set_config(reg, CONFIG, strlen(CONFIG), "ruru.yaml", &d) != RURU_OK)
        goto out;
    for (int i = 0; i < 3; i++) {
        char *tok = NULL, *j = NULL;
        if (ruru_register_token_add(reg, ROLES[i][0], ROLES[i][1], "fuzz", &tok, &j, &d) != RURU_OK)
            goto out;
        snprintf(F.tok[i], sizeof(F.tok[i]), "%s", tok);
        ruru_free(tok);
        ruru_free(j);
    }
    memset(&so, 0, sizeof(so));
    so.log_format = "apache";
    so.threads = 1;
    so.no_builtin_rules = true;
    so.on_sighting = on_sighting;
    so.ctx = sightings;
    if (ruru_scan(store, paths, 1, &so, &summary, &d) != RURU_OK ||
        (text = json_dumps(sightings, JSON_COMPACT)) == NULL)
        goto out;
    if (ruru_register_record_org(reg, store, "Org-A", text, strlen(text), &json, &d) != RURU_OK) {
        free(text);
        goto out;
    }
    free(text);
    rec = json_loads(json, 0, NULL);
    id = json_string_value(json_array_get(json_object_get(rec, "ids"), 0));
    snprintf(F.incident, sizeof(F.incident), "%s", id != NULL ? id : "no-incident");
    json_decref(rec);
    rc = 0;
out:
    if (rc != 0)
        fprintf(stderr, "fuzz_serve: setup: %s\n", d.msg);
    ruru_free(report);
    ruru_free(summary);
    ruru_free(json);
    json_decref(sightings);
    ruru_register_close(reg);
    ruru_store_close(store);
    return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_home(void)
{
    if (F.home[0] != '\0')
        nftw(F.home, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    F.home[0] = '\0';
}

static int start(void)
{
    struct ruru_serve_opts o;
    struct ruru_diag d;

    if (make_home() != 0)
        return -1;
    memset(&o, 0, sizeof(o));
    o.home = F.home;
    o.config = CONFIG;
    o.config_len = strlen(CONFIG);
    o.config_file = "ruru.yaml";
    o.listen = "127.0.0.1:0";
    o.max_body = 65536;
    o.max_json = 65536;
    o.max_batch = 50;
    o.idle_timeout = 1;
    o.request_time = 2;
    if (ruru_serve_start(&o, &F.srv, &d) != RURU_OK) {
        fprintf(stderr, "fuzz_serve: ruru_serve_start: %s\n", d.msg);
        return -1;
    }
    F.port = ruru_serve_port(F.srv);
    F.sid[0] = '\0';
    return 0;
}

static void stop(void)
{
    ruru_serve_stop(F.srv, 2);
    F.srv = NULL;
    remove_home();
}

/* The admin's console session, made again when an input signed it out (or it was dropped). */
static void ensure_session(void)
{
    char org[129], role[16], got[17], csrf[65], id[17];

    if (F.sid[0] != '\0' && ruru_session_get(F.srv->sessions, F.sid, strlen(F.sid),
                                             (int64_t)time(NULL), org, role, got, csrf))
        return;
    snprintf(id, sizeof(id), "%.16s", F.tok[2] + 5); /* "ruru_" ID "_" SECRET */
    if (ruru_session_create(F.srv->sessions, id, "CERT", "admin", (int64_t)time(NULL), F.sid,
                            F.csrf) != RURU_OK)
        abort();
}

/* The input with its placeholders replaced. */
static char *expand(const uint8_t *data, size_t size, size_t *len)
{
    const char *const KEYS[] = {"@R@", "@S@", "@A@", "@C@", "@X@", "@I@"};
    const char *vals[] = {F.tok[0], F.tok[1], F.tok[2], F.sid, F.csrf, F.incident};
    size_t cap = size + 1, n = 0;
    char *out;

    for (size_t i = 0; i + 3 <= size; i++)
        if (data[i] == '@' && data[i + 2] == '@')
            cap += 128;
    if ((out = malloc(cap)) == NULL)
        abort();
    for (size_t i = 0; i < size;) {
        size_t k = 0;
        while (k < 6 && !(i + 3 <= size && memcmp(data + i, KEYS[k], 3) == 0))
            k++;
        if (k < 6) {
            size_t vn = strlen(vals[k]);
            memcpy(out + n, vals[k], vn);
            n += vn;
            i += 3;
        } else {
            out[n++] = (char)data[i++];
        }
    }
    *len = n;
    return out;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sends `req` on a new connection and reads the reply until the server closes; the first bytes
 * of the reply go to head (NUL-terminated). Aborts when the server neither answers nor closes. */
static void exchange(const char *req, size_t len, char *head, size_t cap)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int64_t until = now_ms() + HANG_SECONDS * 1000;
    size_t sent = 0, got = 0;
    bool writing = true;
    char buf[65536];

    head[0] = '\0';
    if (fd < 0)
        abort();
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)F.port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 && errno != EINPROGRESS) {
        fprintf(stderr, "fuzz_serve: connect: %s\n", strerror(errno));
        abort();
    }
    for (;;) {
        struct pollfd p = {fd, POLLIN | (writing ? POLLOUT : 0), 0};
        int64_t left = until - now_ms();
        ssize_t n;

        if (left <= 0) {
            fprintf(stderr, "fuzz_serve: no answer and no close within %d s\n", HANG_SECONDS);
            abort();
        }
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        if (writing && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
            n = sent < len ? send(fd, req + sent, len - sent, MSG_NOSIGNAL) : 0;
            if (n > 0)
                sent += (size_t)n;
            if (sent == len || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                shutdown(fd, SHUT_WR);
                writing = false;
            }
        }
        if (p.revents & (POLLIN | POLLERR | POLLHUP)) {
            n = recv(fd, buf, sizeof(buf), 0);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                break;
            if (n > 0) {
                if (got + 1 < cap) {
                    size_t take = (size_t)n < cap - 1 - got ? (size_t)n : cap - 1 - got;
                    memcpy(head + got, buf, take);
                    head[got + take] = '\0';
                }
                got += (size_t)n;
            }
        }
    }
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char head[8192], *req;
    size_t len;

    if (F.srv != NULL && ++F.inputs % RESTART_EVERY == 0)
        stop();
    if (F.srv == NULL) {
        static bool registered;
        if (start() != 0)
            abort();
        /* the process's end stops the server and removes its home */
        if (!registered)
            atexit(stop);
        registered = true;
    }
    ensure_session();
    req = expand(data, size, &len);
    exchange(req, len, head, sizeof(head));
    free(req);
    if (getenv("RURU_FUZZ_SERVE_SHOW") != NULL) /* the status line of each input's reply */
        fprintf(stderr, "fuzz_serve: %s\n", head);
    if (head[0] != '\0' && strncmp(head, "HTTP/1.", 7) != 0) {
        fprintf(stderr, "fuzz_serve: the reply is no HTTP: %s\n", head);
        abort();
    }
    if (strncmp(head, "HTTP/1.1 500", 12) == 0 || strncmp(head, "HTTP/1.0 500", 12) == 0) {
        fprintf(stderr, "fuzz_serve: a 500 on a client's input: %s\n", head);
        abort();
    }
    return 0;
}
