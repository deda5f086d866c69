/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the whole sweep (ruru_scan) on one hostile input file, the way `ruru scan`
 * reads it: opened once, sniffed, split into lines (LF, CRLF or CR-only), parsed by the
 * detected or forced format, matched against a small store, ruru's own Sigma rules and one
 * more rule, and cited.
 *
 * The first input byte picks the log format (0: detected, else one of ruru_log_formats()), the
 * second's low bit leaves ruru's own rules out; the rest is the file. (Lines longer than the
 * sweep's chunk are cut into pieces; inputs that long are the unit tests' business.) Checks the
 * contract of the evidence:
 *   - the sweep ends with RURU_OK or an error about the input, with a summary that parses;
 *   - every sighting is one JSON object whose cite (offset, length) lies inside the file,
 *     whose line is the line the offset is on, and whose SHA-256 is that of the cited bytes
 *     (what `ruru verify` checks); inputs that are decompressed or are event logs cite their
 *     decoded stream, so for them only the shape of the cite is checked.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <nettle/sha2.h>
#include <ruru.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ruru_store *store;
static char rules_path[512];
static char *formats[32];
static size_t n_formats;

/* Intel of every matchable kind the formats carry. */
static const char INTEL[] =
        "type,value,actor,confidence\n"
        "ipv4,203.0.113.7,APT40,80\n"
        "cidr,198.51.100.0/24,APT40,60\n"
        "ipv6,2001:db8::7,APT40,80\n"
        "domain,evil.example,APT40,80\n"
        "url,http://evil.example/owa/auth/x.aspx,APT40,80\n"
        "uri-path,/aspnet_client/system_web/shell.aspx,HAFNIUM,70\n"
        "md5,d41d8cd98f00b204e9800998ecf8427e,APT40,50\n"
        "sha256,e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,APT40,50\n"
        "email,spy@evil.example,APT40,50\n"
        "user-agent,ExchangeServicesClient/0.0.0.0,HAFNIUM,40\n"
        "filename,china chopper.aspx,HAFNIUM,40\n"
        "string,whoami /all,HAFNIUM,30\n";

static const char RULE[] = "title: fuzz rule\n"
                           "id: 6f0c1c0e-2d53-4a3e-9a6e-0c9a6e1f0001\n"
                           "author: ruru\n"
                           "logsource:\n"
                           "  category: webserver\n"
                           "detection:\n"
                           "  sel:\n"
                           "    cs-uri-query|contains: 'cmd='\n"
                           "  kw:\n"
                           "    - 'powershell'\n"
                           "  condition: sel or kw\n"
                           "level: high\n";

static int write_temp(const char *name, const char *text, char *path, size_t cap)
{
    FILE *f;

    snprintf(path, cap, "/tmp/ruru-fuzz-scan-%ld-%s", (long)getpid(), name);
    if ((f = fopen(path, "w")) == NULL)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static int setup(void)
{
    struct ruru_import_opts o;
    struct ruru_diag d;
    char intel[512], *report = NULL, *list, *tok, *save = NULL;
    int depth = 0;

    memset(&o, 0, sizeof(o));
    if (ruru_store_open(RURU_STORE_MEMORY, &store, &d) != RURU_OK)
        return -1;
    if (write_temp("intel.csv", INTEL, intel, sizeof(intel)) != 0 ||
        write_temp("rule.yml", RULE, rules_path, sizeof(rules_path)) != 0)
        return -1;
    if (ruru_intel_import(store, intel, &o, &report, &d) != RURU_OK)
        return -1;
    ruru_free(report);
    unlink(intel);
    if ((list = strdup(ruru_log_formats())) == NULL)
        return -1;
    /* "text apache (nginx) jsonl (json, ecs) ...": the names, not the aliases in parentheses */
    for (tok = strtok_r(list, " ", &save); tok != NULL && n_formats < 32;
         tok = strtok_r(NULL, " ", &save)) {
        if (tok[0] == '(')
            depth = 1;
        if (depth == 0)
            formats[n_formats++] = strdup(tok);
        if (strchr(tok, ')') != NULL)
            depth = 0;
    }
    free(list);
    return 0;
}

struct run {
    const uint8_t *file;
    size_t size;
    bool raw; /* cites are offsets into the bytes as given */
    char eol;
};

/* What ends a line, as the sweep decides it from the start of the file. */
static char line_end(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n')
            return '\n';
        if (p[i] == '\r')
            return i + 1 < n && p[i + 1] != '\n' ? '\r' : '\n';
    }
    return '\n';
}

static int on_sighting(void *ctx, const char *text)
{
    struct run *r = ctx;
    json_t *s = json_loads(text, JSON_ALLOW_NUL, NULL), *ev;
    json_int_t off, len, line;
    const char *hex;

    if (!json_is_object(s))
        __builtin_trap();
    ev = json_object_get(s, "ruru");
    off = json_integer_value(json_object_get(json_object_get(s, "log"), "offset"));
    len = json_integer_value(json_object_get(ev, "length"));
    line = json_integer_value(json_object_get(ev, "line"));
    hex = json_string_value(json_object_get(ev, "sha256"));
    if (off < 0 || len < 0 || line < 1 || hex == NULL || strlen(hex) != 64)
        __builtin_trap();
    if (r->raw) {
        struct sha256_ctx h;
        uint8_t dig[SHA256_DIGEST_SIZE];
        char want[2 * SHA256_DIGEST_SIZE + 1];
        json_int_t at = 1;

        if ((uint64_t)off > r->size || (uint64_t)len > r->size - (uint64_t)off)
            __builtin_trap();
        for (json_int_t i = 0; i < off; i++)
            at += r->file[i] == (uint8_t)r->eol;
        if (at != line)
            __builtin_trap();
        sha256_init(&h);
        sha256_update(&h, (size_t)len, r->file + off);
        sha256_digest(&h, sizeof(dig), dig);
        for (size_t i = 0; i < sizeof(dig); i++)
            snprintf(want + 2 * i, 3, "%02x", dig[i]);
        if (strcmp(want, hex) != 0)
            __builtin_trap();
    }
    json_decref(s);
    return 0;
}

static void on_error(void *ctx, enum ruru_err err, const struct ruru_diag *diag)
{
    (void)ctx;
    if (diag->source == NULL || strlen(diag->msg) == 0 || err == RURU_OK)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    struct ruru_scan_opts o;
    struct ruru_diag d;
    const char *rules[1] = {rules_path};
    char path[64], *summary = NULL;
    struct run r;
    enum ruru_err err;
    int fd;

    if (!ready) {
        if (setup() != 0)
            __builtin_trap();
        ready = true;
    }
    if (size < 2)
        return 0;
    memset(&o, 0, sizeof(o));
    o.log_format = data[0] == 0 || n_formats == 0 ? NULL : formats[data[0] % n_formats];
    o.threads = 1;
    o.syslog_year = 2024;
    o.no_builtin_rules = (data[1] & 1) != 0;
    o.rule_paths = rules;
    o.n_rule_paths = 1;
    o.on_sighting = on_sighting;
    o.on_error = on_error;
    o.ctx = &r;
    r.file = data + 2;
    r.size = size - 2;
    r.eol = line_end(r.file, r.size);
    r.raw = !(r.size >= 2 && r.file[0] == 0x1f && r.file[1] == 0x8b) &&
            !(r.size >= 4 && memcmp(r.file, "\x28\xb5\x2f\xfd", 4) == 0) &&
            !(r.size >= 8 && memcmp(r.file, "ElfFile\0", 8) == 0);

    if ((fd = memfd_create("fuzz-scan", 0)) < 0)
        return 0;
    if (r.size > 0 && write(fd, r.file, r.size) != (ssize_t)r.size) {
        close(fd);
        return 0;
    }
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    const char *paths[1] = {path};
    err = ruru_scan(store, paths, 1, &o, &summary, &d);
    if (err != RURU_OK && err != RURU_EPARSE && err != RURU_EIO && err != RURU_ELIMIT &&
        err != RURU_EUNSUPPORTED && err != RURU_ENOMEM) {
        fprintf(stderr, "ruru_scan: %s: %s\n", ruru_strerror(err), d.msg);
        __builtin_trap();
    }
    if (summary != NULL) {
        json_error_t je;
        json_t *j = json_loads(summary, 0, &je);
        if (j == NULL) {
            fprintf(stderr, "summary is no JSON (%s at %d): %s\n", je.text, je.position, summary);
            __builtin_trap();
        }
        json_decref(j);
        ruru_free(summary);
    } else if (err == RURU_OK) {
        __builtin_trap();
    }
    close(fd);
    return 0;
}
