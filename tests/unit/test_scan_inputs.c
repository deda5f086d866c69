/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the sweep is given to read, and that nothing of it is lost or cited wrong: a FIFO and
 * a pipe read once (no byte lost to a sniff), a directory holding a FIFO and a link to
 * /dev/zero (skipped and said, not read forever), CR-only line endings, lines longer than
 * the longest allowed (one line, whatever the pieces), records with more fields than a
 * record keeps (matched as text past the limit, counted), and a refused --rules file (an
 * error). Every wait is bounded by alarm(): a regression fails instead of hanging.
 */
#include <fcntl.h>
#include <jansson.h>
#include <nettle/sha2.h>
#include <ruru.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "scratch.h"
#include "shared_data.h"

#define LINUX_LOG shared_path("logs/loghub/Linux_2k.log")
#define ZEEK_CONN shared_path("logs/zeek/opt.basic_conn.log")

struct got {
    json_t *sightings;
    json_t *summary;
    int errors;
    char last_error[512];
};

static int on_sighting(void *ctx, const char *json)
{
    struct got *g = ctx;
    json_t *o = json_loads(json, 0, NULL);

    CHECK(o != NULL);
    json_array_append_new(g->sightings, o);
    return 0;
}

static void on_error(void *ctx, enum ruru_err err, const struct ruru_diag *d)
{
    struct got *g = ctx;

    (void)err;
    g->errors++;
    snprintf(g->last_error, sizeof(g->last_error), "%s: %s", d->source ? d->source : "-", d->msg);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    long n;

    CHECK(f != NULL);
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc((size_t)n + 1);
    CHECK(p != NULL && fread(p, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

static ruru_store *store(void)
{
    ruru_store *s = NULL;
    struct ruru_diag d;
    struct ruru_import_opts o;
    char *report = NULL;

    memset(&o, 0, sizeof(o));
    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &s, &d), RURU_OK);
    CHECK_INT(ruru_intel_import(s, RURU_OWN_DATA "/scan/real-logs-intel.csv", &o, &report, &d),
              RURU_OK);
    ruru_free(report);
    return s;
}

static enum ruru_err sweep_opts(
        ruru_store *s, const char *const *paths, size_t n, struct ruru_scan_opts *o, struct got *g)
{
    struct ruru_diag d;
    char *summary = NULL;
    enum ruru_err err;

    o->on_sighting = on_sighting;
    o->on_error = on_error;
    o->ctx = g;
    g->sightings = json_array();
    g->errors = 0;
    g->last_error[0] = '\0';
    err = ruru_scan(s, paths, n, o, &summary, &d);
    g->summary = summary ? json_loads(summary, 0, NULL) : NULL;
    ruru_free(summary);
    return err;
}

static enum ruru_err sweep(ruru_store *s, const char *const *paths, size_t n, struct got *g)
{
    struct ruru_scan_opts o;

    memset(&o, 0, sizeof(o));
    o.threads = 2;
    o.no_builtin_rules = true;
    return sweep_opts(s, paths, n, &o, g);
}

static void got_free(struct got *g)
{
    json_decref(g->sightings);
    json_decref(g->summary);
    g->sightings = g->summary = NULL;
}

static json_int_t num(json_t *o, const char *a, const char *b)
{
    json_t *v = json_object_get(o, a);

    return json_integer_value(b ? json_object_get(v, b) : v);
}

static json_t *input0(const struct got *g)
{
    return json_array_get(json_object_get(g->summary, "inputs"), 0);
}

/* "line offset length sha256 value" of every sighting, one per line (malloc'd). */
static char *cites(json_t *sightings)
{
    size_t i, cap = 1 << 16, k = 0;
    char *buf = malloc(cap);
    json_t *x;

    buf[0] = '\0';
    json_array_foreach(sightings, i, x)
    {
        json_t *r = json_object_get(x, "ruru");
        if (k + 256 > cap)
            buf = realloc(buf, cap *= 2);
        k += (size_t)snprintf(
                buf + k, cap - k, "%lld %lld %lld %s %s\n", (long long)num(r, "line", NULL),
                (long long)num(x, "log", "offset"), (long long)num(r, "length", NULL),
                json_string_value(json_object_get(r, "sha256")),
                json_string_value(json_object_get(json_object_get(r, "indicator"), "value")));
    }
    return buf;
}

/* Does every sighting cite the bytes of `data` (the input as written) at its offset, with
 * their SHA-256, as `ruru verify` checks them? */
static bool cites_exact(json_t *sightings, const char *data, size_t len)
{
    size_t i;
    json_t *x;

    json_array_foreach(sightings, i, x)
    {
        json_t *r = json_object_get(x, "ruru");
        uint64_t off = (uint64_t)num(x, "log", "offset"), n = (uint64_t)num(r, "length", NULL);
        struct sha256_ctx h;
        unsigned char md[32];
        char hex[65];
        if (off + n > len)
            return false;
        sha256_init(&h);
        sha256_update(&h, n, (const uint8_t *)data + off);
        sha256_digest(&h, sizeof(md), md);
        for (int k = 0; k < 32; k++)
            snprintf(hex + 2 * k, 3, "%02x", md[k]);
        if (strcmp(hex, json_string_value(json_object_get(r, "sha256"))) != 0)
            return false;
    }
    return true;
}

/* Forks a writer of data[0..len) to fd (closed here); returns its pid. */
static pid_t writer(int fd, const char *data, size_t len)
{
    pid_t pid = fork();

    if (pid == 0) {
        size_t done = 0;
        alarm(20);
        while (done < len) {
            ssize_t n = write(fd, data + done, len - done);
            if (n <= 0)
                _exit(1);
            done += (size_t)n;
        }
        _exit(0);
    }
    close(fd);
    return pid;
}

static void reap(pid_t pid)
{
    int status = 0;

    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A pipe (`ruru scan <(zcat x.gz)`) and a FIFO: read once, from the first byte. The real
 * loghub Linux log gives the same sightings, cited at the same places, as the file. */
static void test_pipe_and_fifo(void)
{
    ruru_store *s = store();
    size_t len = 0;
    char *data = slurp(LINUX_LOG, &len), *want, *got_cites;
    const char *file[] = {LINUX_LOG};
    struct got g = {0};
    int fds[2];
    char dev[64];
    const char *paths[1];
    pid_t pid;

    CHECK_INT(sweep(s, file, 1, &g), RURU_OK);
    CHECK_INT(json_array_size(g.sightings), 14);
    CHECK_INT(num(input0(&g), "lines", NULL), 2000);
    want = cites(g.sightings);
    got_free(&g);

    /* a pipe, named as the shell names a process substitution */
    alarm(60);
    CHECK(pipe(fds) == 0);
    snprintf(dev, sizeof(dev), "/dev/fd/%d", fds[0]);
    pid = writer(fds[1], data, len);
    paths[0] = dev;
    CHECK_INT(sweep(s, paths, 1, &g), RURU_OK);
    close(fds[0]);
    reap(pid);
    got_cites = cites(g.sightings);
    CHECK_STR(got_cites, want);
    CHECK_INT(num(input0(&g), "bytes", NULL), (json_int_t)len);
    CHECK_INT(num(input0(&g), "lines", NULL), 2000);
    CHECK_STR(json_string_value(json_object_get(input0(&g), "format")), "syslog");
    free(got_cites);
    got_free(&g);

    /* a FIFO: opened once (a second open would wait for a writer that never comes) */
    CHECK(mkfifo(path_of("linux.fifo"), 0600) == 0);
    pid = fork();
    if (pid == 0) {
        int fd;
        alarm(20);
        fd = open(path_of("linux.fifo"), O_WRONLY);
        if (fd < 0)
            _exit(1);
        reap(writer(fd, data, len));
        _exit(check_done());
    }
    paths[0] = path_of("linux.fifo");
    CHECK_INT(sweep(s, paths, 1, &g), RURU_OK);
    reap(pid);
    got_cites = cites(g.sightings);
    CHECK_STR(got_cites, want);
    CHECK_INT(num(input0(&g), "bytes", NULL), (json_int_t)len);
    free(got_cites);
    got_free(&g);

    /* an event log through a pipe cannot be read (libevtx seeks): said, not misread */
    CHECK(pipe(fds) == 0);
    snprintf(dev, sizeof(dev), "/dev/fd/%d", fds[0]);
    pid = writer(fds[1], "ElfFile\0rest of it", 18);
    paths[0] = dev;
    CHECK_INT(sweep(s, paths, 1, &g), RURU_EUNSUPPORTED);
    close(fds[0]);
    reap(pid);
    CHECK_INT(g.errors, 1);
    CHECK(strstr(g.last_error, "not a pipe") != NULL);
    got_free(&g);
    alarm(0);

    free(want);
    free(data);
    ruru_store_close(s);
}

/* A directory holding a FIFO and a link to /dev/zero: the walk takes the regular files, and
 * the summary names what it skipped, and why. */
static void test_dir_skips(void)
{
    ruru_store *s = store();
    struct got g = {0};
    const char *paths[] = {path_of("d")};
    json_t *sk;

    CHECK(mkdir(path_of("d"), 0700) == 0);
    CHECK(symlink(LINUX_LOG, path_of("d/linux.log")) == 0);
    CHECK(symlink("/dev/zero", path_of("d/zero")) == 0);
    CHECK(mkfifo(path_of("d/fifo"), 0600) == 0);
    alarm(60);
    CHECK_INT(sweep(s, paths, 1, &g), RURU_OK);
    alarm(0);
    CHECK_INT(json_array_size(g.sightings), 14);
    CHECK_INT(num(g.summary, "scan", "inputs"), 1);
    CHECK_INT(num(g.summary, "scan", "skipped"), 2);
    sk = json_object_get(g.summary, "skipped");
    CHECK_INT(json_array_size(sk), 2);
    CHECK_STR(json_string_value(json_object_get(json_array_get(sk, 0), "path")), path_of("d/fifo"));
    CHECK_STR(json_string_value(json_object_get(json_array_get(sk, 0), "reason")),
              "a FIFO, not a regular file");
    CHECK_STR(json_string_value(json_object_get(json_array_get(sk, 1), "path")), path_of("d/zero"));
    CHECK_STR(json_string_value(json_object_get(json_array_get(sk, 1), "reason")),
              "a device, not a regular file");
    got_free(&g);
    ruru_store_close(s);
}

/* "line value" of every sighting, one per line (malloc'd). */
static char *lines_of(json_t *sightings)
{
    size_t i, cap = 1 << 16, k = 0;
    char *buf = malloc(cap);
    json_t *x;

    buf[0] = '\0';
    json_array_foreach(sightings, i, x)
    {
        json_t *r = json_object_get(x, "ruru");
        if (k + 256 > cap)
            buf = realloc(buf, cap *= 2);
        k += (size_t)snprintf(
                buf + k, cap - k, "%lld %s\n", (long long)num(r, "line", NULL),
                json_string_value(json_object_get(json_object_get(r, "indicator"), "value")));
    }
    return buf;
}

/* CR-only line endings: the real Linux log (CRLF) with its line ends made a lone CR gives the
 * same lines and sightings, each citing the right bytes. */
static void test_cr_only(void)
{
    ruru_store *s = store();
    size_t len = 0;
    char *data = slurp(LINUX_LOG, &len), *want, *got_cites;
    const char *file[] = {LINUX_LOG}, *cr[] = {path_of("linux-cr.log")};
    struct got g = {0};

    size_t k = 0;

    CHECK_INT(sweep(s, file, 1, &g), RURU_OK);
    want = lines_of(g.sightings);
    got_free(&g);
    for (size_t i = 0; i < len; i++)
        if (data[i] != '\n')
            data[k++] = data[i];
        else if (k == 0 || data[k - 1] != '\r')
            data[k++] = '\r';
    len = k;
    CHECK(memchr(data, '\n', len) == NULL);
    write_path(cr[0], data, len);
    CHECK_INT(sweep(s, cr, 1, &g), RURU_OK);
    got_cites = lines_of(g.sightings);
    CHECK_STR(got_cites, want);
    CHECK_INT(json_array_size(g.sightings), 14);
    CHECK(cites_exact(g.sightings, data, len));
    CHECK_INT(num(input0(&g), "lines", NULL), 2000);
    CHECK_INT(num(input0(&g), "unparsed", NULL), 0);
    CHECK_STR(json_string_value(json_object_get(input0(&g), "format")), "syslog");
    free(got_cites);
    free(want);
    free(data);
    got_free(&g);
    ruru_store_close(s);
}

/* A line longer than the longest allowed (4 MiB here) is matched in pieces, but is one line:
 * the lines after it keep their numbers, and every cite is the right bytes. */
static void test_long_line(void)
{
    ruru_store *s = store();
    size_t len = 0, first, long_len = (9u << 20) + 11, all;
    char *data = slurp(LINUX_LOG, &len), *big;
    const char *file[] = {LINUX_LOG}, *paths[] = {path_of("linux-long.log")};
    struct ruru_scan_opts o;
    struct got g = {0}, ref = {0};
    size_t i;
    json_t *x;

    CHECK_INT(sweep(s, file, 1, &ref), RURU_OK);
    /* line 2 is 9 MiB of 'a' ending with the indicator, in the third piece (line 1 holds the
     * indicator too) */
    first = (size_t)((char *)memchr(data, '\n', len) - data) + 1;
    all = len + long_len + 1;
    big = malloc(all);
    memcpy(big, data, first);
    memset(big + first, 'a', long_len - 12);
    memcpy(big + first + long_len - 12, " 218.188.2.4", 12);
    big[first + long_len] = '\n';
    memcpy(big + first + long_len + 1, data + first, len - first);
    write_path(paths[0], big, all);
    memset(&o, 0, sizeof(o));
    o.threads = 2;
    o.no_builtin_rules = true;
    o.max_line = 4u << 20;
    CHECK_INT(sweep_opts(s, paths, 1, &o, &g), RURU_OK);
    CHECK_INT(num(input0(&g), "lines", NULL), 2001);
    CHECK_INT(json_array_size(g.sightings), 15);
    x = json_array_get(g.sightings, 1);
    CHECK_INT(num(json_object_get(x, "ruru"), "line", NULL), 2);
    CHECK_INT(num(x, "log", "offset"), (json_int_t)(first + (8u << 20)));
    CHECK_INT(num(json_object_get(x, "ruru"), "length", NULL), (json_int_t)(long_len - (8u << 20)));
    json_array_foreach(ref.sightings, i, x)
    {
        json_t *y = json_array_get(g.sightings, i == 0 ? 0 : i + 1);
        bool after = i > 0;
        CHECK_INT(num(json_object_get(y, "ruru"), "line", NULL),
                  num(json_object_get(x, "ruru"), "line", NULL) + after);
        CHECK_INT(num(y, "log", "offset"),
                  num(x, "log", "offset") + (after ? (json_int_t)long_len + 1 : 0));
    }
    CHECK(cites_exact(g.sightings, big, all));
    free(big);
    free(data);
    got_free(&g);
    got_free(&ref);
    ruru_store_close(s);
}

/* Records with more fields than a record keeps (64): what lies past the limit is matched as
 * text, and the record is counted truncated, with its line. */
static void test_too_many_fields(void)
{
    ruru_store *s = store();
    struct got g = {0};
    const char *paths[] = {path_of("wide.jsonl")};
    char line[4096];
    size_t k = 0, len = 0;
    char *zeek, *out;
    size_t o = 0, lines = 0;

    /* JSON: the indicator in the 71st key */
    k += (size_t)snprintf(line + k, sizeof(line) - k, "{\"a\":1}\n{");
    for (int i = 0; i < 70; i++)
        k += (size_t)snprintf(line + k, sizeof(line) - k, "\"k%d\":\"v%d\",", i, i);
    k += (size_t)snprintf(line + k, sizeof(line) - k, "\"k70\":\"218.188.2.4\"}\n");
    write_path(paths[0], line, k);
    CHECK_INT(sweep(s, paths, 1, &g), RURU_OK);
    CHECK_INT(json_array_size(g.sightings), 1);
    CHECK_INT(num(json_object_get(json_array_get(g.sightings, 0), "ruru"), "line", NULL), 2);
    CHECK_INT(num(input0(&g), "parsed", NULL), 2);
    CHECK_INT(num(input0(&g), "truncated", NULL), 1);
    CHECK_INT(json_integer_value(json_array_get(json_object_get(input0(&g), "truncated_lines"), 0)),
              2);
    got_free(&g);

    /* Zeek: the real conn log with 70 columns put in front of its own, so that the addresses
     * lie past the 64th: still found (9, as in the log itself), every record truncated. */
    zeek = slurp(ZEEK_CONN, &len);
    out = malloc(len * 4 + 65536);
    for (size_t p = 0; p < len;) {
        const char *nl = memchr(zeek + p, '\n', len - p);
        size_t n = nl ? (size_t)(nl - (zeek + p)) : len - p;
        if (n >= 7 && memcmp(zeek + p, "#fields", 7) == 0) {
            memcpy(out + o, "#fields", 7);
            o += 7;
            for (int i = 0; i < 70; i++)
                o += (size_t)sprintf(out + o, "\tpad%d", i);
            memcpy(out + o, zeek + p + 7, n - 7);
            o += n - 7;
        } else if (n >= 6 && memcmp(zeek + p, "#types", 6) == 0) {
            memcpy(out + o, "#types", 6);
            o += 6;
            for (int i = 0; i < 70; i++)
                o += (size_t)sprintf(out + o, "\tstring");
            memcpy(out + o, zeek + p + 6, n - 6);
            o += n - 6;
        } else if (n > 0 && zeek[p] != '#') {
            for (int i = 0; i < 70; i++)
                o += (size_t)sprintf(out + o, "-\t");
            memcpy(out + o, zeek + p, n);
            o += n;
            lines++;
        } else {
            memcpy(out + o, zeek + p, n);
            o += n;
        }
        out[o++] = '\n';
        p += n + 1;
    }
    paths[0] = path_of("wide_conn.log");
    write_path(paths[0], out, o);
    CHECK_INT(sweep(s, paths, 1, &g), RURU_OK);
    CHECK_STR(json_string_value(json_object_get(input0(&g), "format")), "zeek");
    CHECK_INT(json_array_size(g.sightings), 9);
    CHECK_INT(num(input0(&g), "parsed", NULL), (json_int_t)lines);
    CHECK_INT(num(input0(&g), "truncated", NULL), (json_int_t)lines);
    CHECK(cites_exact(g.sightings, out, o));
    got_free(&g);
    free(out);
    free(zeek);
    ruru_store_close(s);
}

/* A --rules file that is refused: said, and the sweep (which still runs) is an error. */
static void test_rules_refused(void)
{
    static const char bad[] = "title: bad\n"
                              "logsource: {category: webserver}\n"
                              "detection:\n"
                              "  sel:\n"
                              "    cs-uri|nosuchmodifier: x\n"
                              "  condition: sel\n";
    ruru_store *s = store();
    struct got g = {0};
    const char *file[] = {LINUX_LOG}, *rules[] = {path_of("bad.yml")};
    struct ruru_scan_opts o;

    write_path(rules[0], bad, sizeof(bad) - 1);
    memset(&o, 0, sizeof(o));
    o.threads = 1;
    o.no_builtin_rules = true;
    o.rule_paths = rules;
    o.n_rule_paths = 1;
    CHECK_INT(sweep_opts(s, file, 1, &o, &g), RURU_EPARSE);
    CHECK_INT(g.errors, 1);
    CHECK(strstr(g.last_error, "unknown modifier") != NULL);
    CHECK_INT(json_array_size(g.sightings), 14); /* the sweep went on */
    CHECK_INT(num(g.summary, "scan", "rules_refused"), 1);
    got_free(&g);
    ruru_store_close(s);
}

int main(void)
{
    /* every case sweeps a real log (loghub's Linux log, a Zeek conn log) */
    SHARED_OR_SKIP();
    snprintf(dir, sizeof(dir), "/tmp/ruru-test-scan-inputs-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    signal(SIGPIPE, SIG_IGN);
    test_pipe_and_fifo();
    test_dir_skips();
    test_cr_only();
    test_long_line();
    test_too_many_fields();
    test_rules_refused();
    {
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            return 1;
    }
    return check_done();
}
