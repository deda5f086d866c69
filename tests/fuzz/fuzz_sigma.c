/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: Sigma rules from hostile YAML. A first byte 'C' makes the rest a condition
 * over a fixed set of searches (the condition parser); otherwise the input is a rule file
 * (YAML, rules, correlations, filters, modifiers). What loads is compiled and evaluated on a
 * fixed event, so the evaluator and the prefilter see whatever the loader accepted. The event's
 * input is tied to the products the seeds name (x, windows, linux, test), so their rules apply
 * to it. The rules matched with the prefilter, asking the line alone and as the first line of
 * a chunk searched at once, must be those matched with every rule asked (the prefilter may
 * only drop rules that cannot match): a difference traps. So must events of other layouts
 * (names reordered, in another case, nested) asked in turn with one scratch, which keeps where
 * each name was found per layout, against each asked with a scratch of its own.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logs/detect.h"
#include "logs/json.h"
#include "rules/sigma.h"
#include "rules/sigma_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_hit(const struct ruru_rule_hit *h, void *ctx)
{
    (void)h;
    (*(int *)ctx)++;
    return 0;
}

/* The rules matched, in the order reported (rule order), the first 256 of them. */
struct matched {
    uint32_t rule[256];
    size_t n;
};

static int on_rule(const struct ruru_rule_hit *h, void *ctx)
{
    struct matched *m = ctx;

    if (m->n < sizeof(m->rule) / sizeof(m->rule[0]))
        m->rule[m->n] = h->rule;
    m->n++;
    return 0;
}

static bool same(const struct matched *a, const struct matched *b)
{
    size_t n = a->n < 256 ? a->n : 256;

    return a->n == b->n && memcmp(a->rule, b->rule, n * sizeof(a->rule[0])) == 0;
}

/* The prefilter against every rule asked, on the event alone and as a chunk's first line. */
static void differential(struct ruru_rules *rs,
                         struct ruru_rules_scratch *sc,
                         struct ruru_record *r,
                         const char *event,
                         size_t len)
{
    static char chunk[4096];
    struct ruru_prefilter *pre = rs->pre;
    struct matched alone = {{0}, 0}, in_chunk = {{0}, 0}, every = {{0}, 0};
    size_t n = len;

    ruru_rules_scratch_text(sc, NULL, 0);
    ruru_rules_match(rs, sc, r, event, len, on_rule, &alone);
    /* the event then lines past the chunk's tail (lines at its end are searched alone) */
    memcpy(chunk, event, len);
    while (n + 11 < sizeof(chunk))
        n += (size_t)snprintf(chunk + n, sizeof(chunk) - n, "\n{\"pad\":1}");
    ruru_rules_scratch_text(sc, chunk, n);
    ruru_rules_match(rs, sc, r, chunk, len, on_rule, &in_chunk);
    ruru_rules_scratch_text(sc, NULL, 0);
    rs->pre = NULL; /* every rule asked */
    ruru_rules_match(rs, sc, r, event, len, on_rule, &every);
    rs->pre = pre;
    if (!same(&alone, &every) || !same(&in_chunk, &every))
        __builtin_trap(); /* the prefilter dropped a rule that matches */
}

static const char event[] =
        "{\"Image\":\"C:\\\\Windows\\\\cmd.exe\",\"CommandLine\":\"cmd /c whoami -all\","
        "\"User\":\"bob\",\"ip\":\"10.1.2.3\",\"n\":42,\"t\":\"2024-07-12T01:02:03Z\"}";

/* Events of several layouts in turn with one scratch, against each with a scratch of its own. */
static void layouts(struct ruru_rules *rs,
                    struct ruru_rules_scratch *sc,
                    const struct ruru_rules_input *in,
                    struct ruru_jsonlog *j,
                    struct ruru_record *r)
{
    static const char *const evs[] = {
            event,
            "{\"commandline\":\"cmd /c whoami -all\",\"USER\":\"bob\",\"n\":42,"
            "\"Image\":\"C:\\\\Windows\\\\cmd.exe\",\"ip\":\"10.1.2.3\"}",
            "{\"e\":{\"CommandLine\":\"x whoami\",\"User\":\"alice\"},\"n\":7}",
            "{\"User\":\"bob\",\"Image\":\"C:\\\\Windows\\\\cmd.exe\",\"CommandLine\":\"cmd\"}",
            event,
            /* the first's names and lengths, other bytes; then two of them swapped */
            "{\"Imagx\":\"C:\\\\Windows\\\\cmd.exe\",\"CommandLinx\":\"cmd /c whoami -all\","
            "\"Usex\":\"bob\",\"ix\":\"10.1.2.3\",\"x\":42,\"y\":\"2024-07-12T01:02:03Z\"}",
            "{\"Image\":\"C:\\\\Windows\\\\cmd.exe\",\"CommandLine\":\"cmd /c whoami -all\","
            "\"User\":\"bob\",\"ip\":\"10.1.2.3\",\"t\":\"2024-07-12T01:02:03Z\",\"n\":42}",
            "{\"Image\":\"C:\\\\Windows\\\\cmd.exe\",\"CommandLine\":\"cmd /c whoami -all\","
            "\"User\":\"bob\",\"ip\":\"10.1.2.3\",\"t\":1,\"n\":\"x\"}",
    };

    ruru_rules_scratch_text(sc, NULL, 0);
    for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
        struct ruru_rules_scratch *own = NULL;
        struct matched kept = {{0}, 0}, alone = {{0}, 0};
        size_t len = strlen(evs[i]);
        if (!ruru_jsonlog_parse(j, evs[i], len, r))
            continue;
        ruru_rules_match(rs, sc, r, evs[i], len, on_rule, &kept);
        if (ruru_rules_scratch_create(rs, &own) != RURU_OK)
            continue;
        ruru_rules_scratch_input(own, in);
        ruru_rules_match(rs, own, r, evs[i], len, on_rule, &alone);
        ruru_rules_scratch_destroy(own);
        if (!same(&kept, &alone))
            __builtin_trap(); /* a layout's field found for another's names */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_rules *rs = NULL;
    struct ruru_rules_scratch *sc = NULL;
    struct ruru_rules_input *in = NULL;
    struct ruru_diag d;
    char *text;
    size_t len;
    int hits = 0;

    if (size > 0 && data[0] == 'C') {
        static const char head[] =
                "title: c\nlogsource: {product: x}\ndetection:\n    sel_a: {Image|endswith: "
                "cmd.exe}\n    sel_b: {User: bob}\n    _f: {n|gt: 10}\n    kw: [whoami]\n"
                "    condition: '";
        len = sizeof(head) - 1 + 2 * (size - 1) + 3;
        if ((text = malloc(len + 1)) == NULL)
            return 0;
        memcpy(text, head, sizeof(head) - 1);
        len = sizeof(head) - 1;
        for (size_t i = 1; i < size; i++) {
            char c = (char)data[i];
            if (c == '\'')
                text[len++] = '\''; /* quoted for YAML */
            text[len++] = c == '\n' || c == '\r' ? ' ' : c;
        }
        memcpy(text + len, "'\n", 3);
        len += 2;
    } else {
        if ((text = malloc(size + 1)) == NULL)
            return 0;
        memcpy(text, data, size);
        len = size;
    }
    if (ruru_rules_create(&rs) == RURU_OK &&
        ruru_rules_load_buffer(rs, text, len, "fuzz.yml", NULL, NULL, &d) == RURU_OK &&
        ruru_rules_compile(rs, NULL, NULL, &d) == RURU_OK &&
        ruru_rules_scratch_create(rs, &sc) == RURU_OK) {
        static const char *const ties[] = {"x=fuzz.json", "windows=fuzz.json", "linux=fuzz.json",
                                           "test=fuzz.json"};
        struct ruru_jsonlog *j = malloc(sizeof(*j));
        struct ruru_record *r = malloc(sizeof(*r));
        if (ruru_rules_input_create(rs, "fuzz.json", RURU_KIND_JSONL, ties, 4, &in, &d) == RURU_OK)
            ruru_rules_scratch_input(sc, in);
        if (j != NULL && r != NULL) {
            ruru_jsonlog_init(j, RURU_LOG_JSON);
            if (ruru_jsonlog_parse(j, event, sizeof(event) - 1, r))
                differential(rs, sc, r, event, sizeof(event) - 1);
            layouts(rs, sc, in, j, r);
            ruru_rules_match(rs, sc, NULL, event, sizeof(event) - 1, on_hit, &hits);
        }
        for (uint32_t i = 0; i < ruru_rules_count(rs); i++) {
            json_t *o = ruru_rules_describe(rs, i);
            json_decref(o);
        }
        free(j);
        free(r);
    }
    ruru_rules_scratch_destroy(sc);
    ruru_rules_input_destroy(in);
    ruru_rules_destroy(rs);
    free(text);
    return 0;
}
