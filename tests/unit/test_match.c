/* SPDX-License-Identifier: Apache-2.0 */
/* The match index: semantics of every lookup, validity, and the file format round trip. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "intel/store.h"
#include "match/index.h"

static char home[] = "/tmp/ruru-test-match-XXXXXX";

static void add(const struct ruru_intel_sink *s,
                enum ruru_ioc_type t,
                const char *v,
                int64_t from,
                int64_t until,
                bool revoked)
{
    struct ruru_intel_indicator ind;

    ruru_intel_indicator_init(&ind);
    ind.type = t;
    ind.value = v;
    ind.valid_from = from;
    ind.valid_until = until;
    ind.revoked = revoked;
    CHECK_INT(s->indicator(s->ctx, &ind), RURU_OK);
}

static int count_active(const struct ruru_index_ind *ind, uint32_t i, void *ctx)
{
    int64_t *t = ctx;

    (void)i;
    if (ruru_index_active(ind, t[0]))
        t[1]++;
    return 0;
}

static size_t ip(const struct ruru_index *idx, const char *text)
{
    unsigned char a[16];

    memset(a, 0, sizeof(a));
    if (strchr(text, ':') != NULL) {
        CHECK(inet_pton(AF_INET6, text, a) == 1);
    } else {
        a[10] = a[11] = 0xff;
        CHECK(inet_pton(AF_INET, text, a + 12) == 1);
    }
    return ruru_index_find_ip(idx, a, NULL, NULL);
}

static void check_lookups(const struct ruru_index *idx)
{
    int64_t ctx[2];
    unsigned char a[16] = {0};

    /* 11 values and the one STIX pattern kept whole (for the pattern engine, never looked up) */
    CHECK_INT(ruru_index_count(idx), 12);
    {
        size_t patterns = 0;
        for (uint32_t i = 0; i < ruru_index_count(idx); i++)
            patterns += ruru_index_at(idx, i)->type == RURU_IOC_PATTERN;
        CHECK_INT(patterns, 1);
    }
    /* Domains by label suffix only. */
    CHECK_INT(ruru_index_find_domain(idx, "evil.com", 8, NULL, NULL), 2); /* two sources */
    CHECK_INT(ruru_index_find_domain(idx, "a.b.evil.com", 12, NULL, NULL), 2);
    CHECK_INT(ruru_index_find_domain(idx, "notevil.com", 11, NULL, NULL), 0);
    CHECK_INT(ruru_index_find_domain(idx, "evil.com.au", 11, NULL, NULL), 0);
    CHECK_INT(ruru_index_find_domain(idx, "com", 3, NULL, NULL), 0);
    /* Nested ranges all report; neighbours do not. */
    CHECK_INT(ip(idx, "203.0.113.9"), 2);
    CHECK_INT(ip(idx, "203.0.114.9"), 1);
    CHECK_INT(ip(idx, "203.1.0.1"), 0);
    CHECK_INT(ip(idx, "198.51.100.7"), 1);
    CHECK_INT(ip(idx, "198.51.100.8"), 0);
    CHECK_INT(ip(idx, "2001:db8::1234"), 1);
    CHECK_INT(ip(idx, "2001:db9::1"), 0);
    /* Exact values, by type. */
    CHECK_INT(ruru_index_find_exact(idx, RURU_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e", 32, NULL,
                                    NULL),
              1);
    CHECK_INT(ruru_index_find_exact(idx, RURU_IOC_SHA1, "d41d8cd98f00b204e9800998ecf8427e", 32,
                                    NULL, NULL),
              0);
    CHECK_INT(ruru_index_find_exact(idx, RURU_IOC_URL, "http://evil.com/x", 17, NULL, NULL), 1);
    /* Validity at event time: the revoked and the expired one do not count. */
    ctx[0] = 1700000000;
    ctx[1] = 0;
    ruru_index_find_exact(idx, RURU_IOC_EMAIL, "a@evil.com", 10, count_active, ctx);
    CHECK_INT(ctx[1], 0);
    ctx[1] = 0;
    ruru_index_find_exact(idx, RURU_IOC_USER_AGENT, "Scanner/1.0", 11, count_active, ctx);
    CHECK_INT(ctx[1], 1);
    ctx[0] = 1800000000; /* after valid_until */
    ctx[1] = 0;
    ruru_index_find_exact(idx, RURU_IOC_USER_AGENT, "Scanner/1.0", 11, count_active, ctx);
    CHECK_INT(ctx[1], 0);
    (void)a;
}

int main(void)
{
    ruru_store *st = NULL;
    struct ruru_store_file *f = NULL;
    struct ruru_index *idx = NULL, *loaded = NULL;
    struct ruru_diag d;
    bool unchanged;
    char path[128];

    CHECK(mkdtemp(home) != NULL);
    CHECK_INT(ruru_store_open(home, &st, NULL), RURU_OK);
    CHECK_INT(ruru_store_file_begin(st, "a", "a.csv", "test", "h", 1, &f, &unchanged, NULL),
              RURU_OK);
    {
        const struct ruru_intel_sink *s = ruru_store_file_sink(f);
        add(s, RURU_IOC_DOMAIN, "evil.com", RURU_TIME_NONE, RURU_TIME_NONE, false);
        add(s, RURU_IOC_CIDR4, "203.0.113.0/24", RURU_TIME_NONE, RURU_TIME_NONE, false);
        add(s, RURU_IOC_CIDR4, "203.0.0.0/16", RURU_TIME_NONE, RURU_TIME_NONE, false);
        add(s, RURU_IOC_IPV4, "198.51.100.7", RURU_TIME_NONE, RURU_TIME_NONE, false);
        add(s, RURU_IOC_CIDR6, "2001:db8::/32", RURU_TIME_NONE, RURU_TIME_NONE, false);
        add(s, RURU_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e", RURU_TIME_NONE, RURU_TIME_NONE,
            false);
        add(s, RURU_IOC_URL, "http://evil.com/x", RURU_TIME_NONE, RURU_TIME_NONE, false);
        add(s, RURU_IOC_EMAIL, "a@evil.com", RURU_TIME_NONE, RURU_TIME_NONE, true);
        add(s, RURU_IOC_USER_AGENT, "Scanner/1.0", 1600000000, 1750000000, false);
        add(s, RURU_IOC_PATTERN, "[file:name = 'x']", RURU_TIME_NONE, RURU_TIME_NONE, false);
    }
    CHECK_INT(ruru_store_file_commit(f, NULL), RURU_OK);
    CHECK_INT(ruru_store_file_begin(st, "b", "b.csv", "test", "h", 1, &f, &unchanged, NULL),
              RURU_OK);
    add(ruru_store_file_sink(f), RURU_IOC_DOMAIN, "evil.com", RURU_TIME_NONE, RURU_TIME_NONE,
        false);
    add(ruru_store_file_sink(f), RURU_IOC_CIDR4, "10.0.0.0/8", RURU_TIME_NONE, RURU_TIME_NONE,
        false);
    CHECK_INT(ruru_store_file_commit(f, NULL), RURU_OK);

    CHECK_INT(ruru_index_build(ruru_store_db(st), &idx, NULL), RURU_OK);
    check_lookups(idx);
    CHECK_INT(ip(idx, "10.200.1.1"), 1);

    /* Save, map back, same answers. */
    snprintf(path, sizeof(path), "%s/index", home);
    CHECK_INT(ruru_index_save(idx, path, NULL), RURU_OK);
    CHECK_INT(ruru_index_load(path, &loaded, NULL), RURU_OK);
    check_lookups(loaded);
    ruru_index_destroy(loaded);

    /* A damaged file is refused with a reason. */
    {
        FILE *fp = fopen(path, "r+b");
        CHECK(fp != NULL);
        fseek(fp, -3, SEEK_END);
        fputc('X', fp);
        fclose(fp);
        memset(&d, 0, sizeof(d));
        CHECK_INT(ruru_index_load(path, &loaded, &d), RURU_ECORRUPT);
        CHECK_STR(d.msg, "index file checksum mismatch");
        CHECK(truncate(path, 40) == 0);
        CHECK_INT(ruru_index_load(path, &loaded, &d), RURU_ECORRUPT);
        CHECK_STR(d.msg, "index file too short");
        fp = fopen(path, "wb");
        fputs("not an index at all, but long enough to hold a header of ruru's index file", fp);
        for (int k = 0; k < 5; k++)
            fputs("..............................................................................."
                  ".",
                  fp);
        fclose(fp);
        CHECK_INT(ruru_index_load(path, &loaded, &d), RURU_ECORRUPT);
        CHECK_STR(d.msg, "not a ruru index file");
    }
    ruru_index_destroy(idx);
    ruru_store_close(st);
    {
        char cmd[160];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", home);
        CHECK_INT(system(cmd), 0);
    }
    return check_done();
}
