/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SigmaHQ's own regression suite (../shared/data/sigma/regression_data): per rule, info.yml
 * names the rule by id, and the event is beside it as JSON (a Windows event exported as
 * Event.System / Event.EventData), as the original .evtx, or as a raw log line. Every event
 * must be matched by its rule. Also: every rule of the snapshot loads.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "check.h"
#include "io/file.h"
#include "logs/detect.h"
#include "logs/evtx.h"
#include "logs/json.h"
#include "rules/sigma.h"
#include "shared_data.h"

static size_t refused;

static void
on_file(void *ctx, const char *path, size_t n, enum ruru_err err, const struct ruru_diag *why)
{
    (void)ctx;
    (void)n;
    if (err != RURU_OK) {
        refused++;
        fprintf(stderr, "refused: %s:%" PRIu64 ": %s\n", path, why ? why->line : 0,
                why ? why->msg : "");
    }
}

struct want {
    uint32_t rule;
    bool seen;
};

static int on_hit(const struct ruru_rule_hit *h, void *ctx)
{
    struct want *w = ctx;

    if (h->rule == w->rule)
        w->seen = true;
    return 0;
}

static struct ruru_rules *rs;
static struct ruru_rules_scratch *sc;
static json_t *ids; /* rule id -> index */
static unsigned cases, passed_json, passed_raw, n_json, n_raw, passed_evtx, n_evtx;

/* Does rule `rule` match one of the JSON events in `path` (one, or several one after
 * another)? */
static bool json_case(const char *path, uint32_t rule)
{
    char *buf = NULL;
    size_t len = 0, at = 0;
    struct ruru_diag d;
    struct ruru_jsonlog *j = malloc(sizeof(*j));
    struct ruru_record *r = malloc(sizeof(*r));
    struct want w = {rule, false};
    unsigned events = 0;

    if (j == NULL || r == NULL || ruru_file_read(path, 16u << 20, &buf, &len, NULL, &d) != RURU_OK)
        goto out;
    while (at < len && !w.seen) {
        json_error_t e;
        json_t *doc = json_loadb(buf + at, len - at, JSON_DISABLE_EOF_CHECK, &e);
        char *line;
        if (doc == NULL)
            break;
        at += e.position;
        while (at < len && (buf[at] == '\n' || buf[at] == '\r' || buf[at] == ' '))
            at++;
        events++;
        line = json_dumps(doc, JSON_COMPACT);
        ruru_jsonlog_init(j, RURU_LOG_JSON);
        if (line != NULL && ruru_jsonlog_parse(j, line, strlen(line), r))
            ruru_rules_match(rs, sc, r, line, strlen(line), on_hit, &w);
        free(line);
        json_decref(doc);
    }
    CHECK(events > 0);
out:
    ruru_free(buf);
    free(j);
    free(r);
    return w.seen;
}

/* Does rule `rule` match one of the records of the .evtx at `path` (read with libevtx, as
 * the sweep reads it)? */
static bool evtx_case(const char *path, uint32_t rule)
{
    struct ruru_evtx *x = NULL;
    struct ruru_diag d;
    struct ruru_jsonlog *j = malloc(sizeof(*j));
    struct ruru_record *r = malloc(sizeof(*r));
    struct ruru_buf b;
    struct want w = {rule, false};

    ruru_buf_init(&b, 16u << 20);
    CHECK(ruru_evtx_is(path));
    CHECK_INT(ruru_evtx_open(path, &x, &d), RURU_OK);
    for (size_t i = 0; x != NULL && i < ruru_evtx_count(x) && !w.seen; i++) {
        uint64_t off;
        uint32_t len;
        unsigned char sha[32];
        ruru_buf_reset(&b);
        CHECK_INT(ruru_evtx_record(x, i, &b, &off, &len, sha, &d), RURU_OK);
        CHECK(len > 0 && off >= 4096 + 512);
        ruru_jsonlog_init(j, RURU_LOG_JSON);
        if (b.len > 0 && ruru_jsonlog_parse(j, b.ptr, b.len, r))
            ruru_rules_match(rs, sc, r, b.ptr, b.len, on_hit, &w);
    }
    ruru_evtx_close(x);
    ruru_buf_fini(&b);
    free(j);
    free(r);
    return w.seen;
}

/* Does rule `rule` match some line of the raw log in `path`? A raw log is plain text, which
 * ruru ties to no logsource: it is tied to the rule's, as a user does with --logsource
 * (the Cisco case is a Cisco device's log line). */
static bool raw_case(const char *path, uint32_t rule)
{
    char *buf = NULL, tie[4096 + 300];
    const char *ties[1] = {tie};
    size_t len = 0;
    struct ruru_diag d;
    struct want w = {rule, false};
    struct ruru_rules_input *in = NULL;

    ruru_rules_logsource_text(rs, rule, tie, 256);
    snprintf(tie + strlen(tie), sizeof(tie) - strlen(tie), "=%s", path);
    CHECK_INT(ruru_rules_input_create(rs, path, RURU_KIND_TEXT, ties, 1, &in, &d), RURU_OK);
    CHECK_INT(ruru_rules_input_ties(in), 1);
    ruru_rules_scratch_input(sc, in);
    if (ruru_file_read(path, 1u << 20, &buf, &len, NULL, &d) != RURU_OK) {
        ruru_rules_scratch_input(sc, NULL);
        ruru_rules_input_destroy(in);
        return false;
    }
    for (char *p = buf, *end = buf + len; p < end && !w.seen;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        ruru_rules_match(rs, sc, NULL, p, n, on_hit, &w);
        p += n + 1;
    }
    ruru_rules_scratch_input(sc, NULL);
    ruru_rules_input_destroy(in);
    ruru_free(buf);
    return w.seen;
}

static int on_info(const char *path, void *ctx)
{
    char dir[4096], *slash, *buf = NULL;
    size_t len = 0, n_docs = 0;
    struct ruru_arena a;
    struct ruru_yaml **docs = NULL;
    struct ruru_diag d;
    const struct ruru_yaml *meta, *id;
    json_t *idx;
    DIR *dh;
    struct dirent *de;

    (void)ctx;
    if (strcmp(path + strlen(path) - 8, "info.yml") != 0)
        return 0;
    snprintf(dir, sizeof(dir), "%s", path);
    slash = strrchr(dir, '/');
    *slash = '\0';
    ruru_arena_init(&a, 4096, 1u << 20);
    CHECK_INT(ruru_file_read(path, 1u << 20, &buf, &len, NULL, &d), RURU_OK);
    CHECK_INT(ruru_yaml_load(buf, len, path, &a, &docs, &n_docs, &d), RURU_OK);
    meta = n_docs > 0 ? ruru_yaml_get(docs[0], "rule_metadata") : NULL;
    id = meta != NULL && meta->kind == RURU_YAML_SEQ && meta->n > 0
                 ? ruru_yaml_get(meta->items[0], "id")
                 : NULL;
    idx = id != NULL ? json_object_get(ids, ruru_yaml_str(id)) : NULL;
    CHECK(idx != NULL);
    if (idx == NULL) {
        fprintf(stderr, "%s: its rule is not in the snapshot\n", path);
        goto out;
    }
    cases++;
    dh = opendir(dir);
    while (dh != NULL && (de = readdir(dh)) != NULL) {
        char p[4096 + 256];
        size_t nl = strlen(de->d_name);
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        if (nl > 5 && strcmp(de->d_name + nl - 5, ".json") == 0) {
            n_json++;
            if (json_case(p, (uint32_t)json_integer_value(idx)))
                passed_json++;
            else
                fprintf(stderr, "no match: %s (rule %s)\n", p, ruru_yaml_str(id));
        } else if (nl > 5 && strcmp(de->d_name + nl - 5, ".evtx") == 0) {
            n_evtx++;
            if (evtx_case(p, (uint32_t)json_integer_value(idx)))
                passed_evtx++;
            else
                fprintf(stderr, "no match: %s (rule %s)\n", p, ruru_yaml_str(id));
        } else if (nl > 5 && strcmp(de->d_name + nl - 5, ".evtx") == 0) {
            n_evtx++;
            if (evtx_case(p, (uint32_t)json_integer_value(idx)))
                passed_evtx++;
            else
                fprintf(stderr, "no match: %s (rule %s)\n", p, ruru_yaml_str(id));
        } else if (nl > 4 && strcmp(de->d_name + nl - 4, ".raw") == 0) {
            n_raw++;
            if (raw_case(p, (uint32_t)json_integer_value(idx)))
                passed_raw++;
            else
                fprintf(stderr, "no match: %s (rule %s)\n", p, ruru_yaml_str(id));
        }
    }
    if (dh != NULL)
        closedir(dh);
out:
    ruru_free(buf);
    ruru_arena_fini(&a);
    return 0;
}

int main(void)
{
    static const char *const dirs[] = {"rules", "rules-emerging-threats", "rules-threat-hunting"};
    struct ruru_diag d;
    char p[1024];

    SHARED_OR_SKIP();
    CHECK_INT(ruru_rules_create(&rs), RURU_OK);
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s/sigma/%s", shared_data(), dirs[i]);
        CHECK_INT(ruru_rules_load(rs, p, on_file, NULL, &d), RURU_OK);
    }
    CHECK_INT(ruru_rules_compile(rs, on_file, NULL, &d), RURU_OK);
    /* the snapshot: about 500 rules, every one of them loads */
    CHECK_INT(refused, 0);
    CHECK_INT(ruru_rules_count(rs), 502);
    ids = json_object();
    for (uint32_t i = 0; i < ruru_rules_count(rs); i++) {
        json_t *o = ruru_rules_describe(rs, i);
        if (json_is_string(json_object_get(o, "id")))
            json_object_set_new(ids, json_string_value(json_object_get(o, "id")), json_integer(i));
        json_decref(o);
    }
    CHECK_INT(ruru_rules_scratch_create(rs, &sc), RURU_OK);
    snprintf(p, sizeof(p), "%s/sigma/regression_data", shared_data());
    CHECK_INT(ruru_dir_walk(p, on_info, NULL, &d), RURU_OK);
    fprintf(stderr,
            "SigmaHQ regression: %u cases; JSON %u/%u matched; evtx %u/%u matched; raw %u/%u "
            "matched\n",
            cases, passed_json, n_json, passed_evtx, n_evtx, passed_raw, n_raw);
    CHECK_INT(cases, 135);
    CHECK_INT(passed_json, n_json);
    CHECK_INT(passed_raw, n_raw);
    CHECK_INT(n_evtx, 134);
    CHECK_INT(passed_evtx, n_evtx);
    CHECK_INT(n_evtx, 134);
    CHECK_INT(passed_evtx, n_evtx);
    json_decref(ids);
    ruru_rules_scratch_destroy(sc);
    ruru_rules_destroy(rs);
    return check_done();
}
