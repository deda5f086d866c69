/* SPDX-License-Identifier: Apache-2.0 */
/* The table of log formats: one entry per kind, names that resolve, entries that keep the
 * table's invariants (formats.h), and the list --log-format shows. */
#include <string.h>

#include "check.h"
#include "logs/formats.h"

/* Each kind once; each entry found by its kind, its name and its aliases. */
static void test_kinds_and_names(void)
{
    unsigned seen[RURU_KIND__COUNT] = {0};
    const struct ruru_logfmt *f;
    size_t n = 0;

    for (size_t i = 0; (f = ruru_logfmt_at(i)) != NULL; i++, n++) {
        CHECK((unsigned)f->kind < RURU_KIND__COUNT);
        if ((unsigned)f->kind >= RURU_KIND__COUNT)
            continue;
        seen[f->kind]++;
        CHECK(ruru_logfmt_get(f->kind) == f);
        CHECK(f->name != NULL && ruru_logfmt_find(f->name) == f);
        CHECK_STR(ruru_log_kind_name(f->kind), f->name);
        CHECK_INT(ruru_log_kind_parse(f->name), f->kind);
        for (size_t a = 0; a < RURU_LOGFMT_ALIASES && f->aliases[a] != NULL; a++)
            CHECK(ruru_logfmt_find(f->aliases[a]) == f);
        if (f->quiet_alias != NULL)
            CHECK(ruru_logfmt_find(f->quiet_alias) == f);
    }
    CHECK_INT(n, RURU_KIND__COUNT);
    for (int k = 0; k < RURU_KIND__COUNT; k++)
        CHECK_INT(seen[k], 1);
    CHECK(ruru_logfmt_find("nope") == NULL);
    CHECK_INT(ruru_log_kind_parse("nope"), RURU_KIND__COUNT);
    CHECK_STR(ruru_log_kind_name(RURU_KIND__COUNT), "text");
    CHECK_INT(ruru_log_kind_parse("zeek-tsv"), RURU_KIND_ZEEK_TSV);
    CHECK_INT(ruru_log_kind_parse("json-array"), RURU_KIND_JSON_DOC);
    CHECK_INT(ruru_log_kind_parse("iis"), RURU_KIND_W3C);
}

/* What the reader, the matchers and the stream rely on. */
static void test_invariants(void)
{
    const struct ruru_logfmt *f;

    for (size_t i = 0; (f = ruru_logfmt_at(i)) != NULL; i++) {
        CHECK(f->parse != NULL);
        if (f->stateful) {
            CHECK(f->copy != NULL && f->init != NULL);
            CHECK(!f->lines_stand_alone); /* a message without its header means nothing */
        }
        if (f->state_size == 0)
            CHECK(f->init == NULL && f->copy == NULL && f->fini == NULL &&
                  f->header_pending == NULL);
        if (f->header_pending != NULL)
            CHECK(f->stateful);
    }
    CHECK(ruru_logfmt_at(0)->kind == RURU_KIND_TEXT);
    CHECK(ruru_logfmt_get(RURU_KIND_W3C)->stateful);
    CHECK(ruru_logfmt_get(RURU_KIND_ZEEK_TSV)->stateful);
    CHECK(ruru_logfmt_get(RURU_KIND_CSV)->stateful);
    CHECK(!ruru_logfmt_get(RURU_KIND_SYSLOG)->stateful);
    CHECK(ruru_logfmt_get(RURU_KIND_APACHE)->lines_stand_alone);
    CHECK(!ruru_logfmt_get(RURU_KIND_JSON_DOC)->lines_stand_alone);
    CHECK(!ruru_logfmt_get(RURU_KIND_EVTX)->lines_stand_alone);
}

/* A stateful format's copy parses as its original: the column names follow the copy. */
static void test_copy(void)
{
    const struct ruru_logfmt *f = ruru_logfmt_get(RURU_KIND_W3C);
    struct ruru_logfmt_opts o = {{0, 0}};
    _Alignas(max_align_t) unsigned char a[16384], b[16384];
    static struct ruru_record r;
    const char fields[] = "#Fields: date time c-ip cs-uri-stem";
    const char line[] = "2021-03-02 10:11:12 203.0.113.7 /owa/x.js";

    CHECK(f->state_size <= sizeof(a));
    if (f->state_size > sizeof(a))
        return;
    CHECK(f->init(a, &o));
    CHECK_INT(f->parse(a, fields, sizeof(fields) - 1, &r), RURU_LINE_DIRECTIVE);
    CHECK(f->copy(b, a));
    memset(a, 0xAA, sizeof(a)); /* the copy must not point into its source */
    CHECK_INT(f->parse(b, line, sizeof(line) - 1, &r), RURU_LINE_RECORD);
    CHECK_INT(r.n_fields, 4);
    if (r.n_fields == 4) {
        CHECK(r.fields[2].name.len == 4 && memcmp(r.fields[2].name.ptr, "c-ip", 4) == 0);
        CHECK(r.fields[2].name.ptr >= (const char *)b &&
              r.fields[2].name.ptr < (const char *)b + sizeof(b));
    }
}

int main(void)
{
    test_kinds_and_names();
    test_invariants();
    test_copy();
    /* The list the golden case 006-scan pins: in kind order, the unlisted left out. */
    CHECK_STR(ruru_logfmt_names(),
              "text apache (nginx) w3c (iis) zeek zeek-json eve (suricata) jsonl (json, ecs) "
              "syslog cef csv (exchange)");
    return check_done();
}
