/* SPDX-License-Identifier: Apache-2.0 */
/* Syslog: RFC 5424 and RFC 3164 lines, their fields, times and the hostile cases. */
#include <stdlib.h>

#include "check.h"
#include "logs/syslog.h"
#include "record_dump.h"

static const struct ruru_syslog_year Y2021 = {2021, 0}, Y2024 = {2024, 0};

static bool parse(const char *line, struct ruru_record *r)
{
    return ruru_syslog_parse(line, strlen(line), &Y2021, r);
}

static void test_5424(void)
{
    struct ruru_record r;
    char b[256];

    CHECK(parse("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - "
                "\xEF\xBB\xBF'su root' failed for lonvick on /dev/pts/8",
                &r));
    CHECK_INT(r.format, RURU_LOG_SYSLOG);
    CHECK_INT(r.time, 1065910455);
    CHECK_STR(field(&r, "log.syslog.priority", b, sizeof(b)), "34");
    CHECK_STR(field(&r, "log.syslog.facility.code", b, sizeof(b)), "4");
    CHECK_STR(field(&r, "log.syslog.severity.code", b, sizeof(b)), "2");
    CHECK_STR(field(&r, "host.hostname", b, sizeof(b)), "mymachine.example.com");
    CHECK_STR(field(&r, "process.name", b, sizeof(b)), "su");
    CHECK_STR(field(&r, "process.pid", b, sizeof(b)), "(none)"); /* nil */
    CHECK_STR(field(&r, "event.code", b, sizeof(b)), "ID47");
    CHECK_STR(field(&r, "@timestamp", b, sizeof(b)), "2003-10-11T22:14:15.003Z");
    CHECK_STR(field(&r, "message", b, sizeof(b)), "'su root' failed for lonvick on /dev/pts/8");
    CHECK_STR(native(&r, "app-name", b, sizeof(b)), "su");
    CHECK(!r.truncated);

    /* An offset is honoured; structured data becomes fields named by their parameters. */
    CHECK(parse("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - "
                "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
                "[examplePriority@32473 class=\"high\"] %% It's time to make the do-nuts.",
                &r));
    CHECK_INT(r.time, 1061727255);
    CHECK_STR(field(&r, "log.syslog.facility.code", b, sizeof(b)), "20");
    CHECK_STR(field(&r, "log.syslog.severity.code", b, sizeof(b)), "5");
    CHECK_STR(field(&r, "process.pid", b, sizeof(b)), "8710");
    CHECK_STR(field(&r, "event.code", b, sizeof(b)), "(none)");
    CHECK_STR(native(&r, "iut", b, sizeof(b)), "3");
    CHECK_STR(native(&r, "eventSource", b, sizeof(b)), "Application");
    CHECK_STR(native(&r, "eventID", b, sizeof(b)), "1011");
    CHECK_STR(native(&r, "class", b, sizeof(b)), "high");
    CHECK_STR(field(&r, "message", b, sizeof(b)), "%% It's time to make the do-nuts.");

    /* Escapes inside a parameter value are kept raw; "\"" and "\]" do not end it. */
    CHECK(parse("<14>1 2021-03-02T10:11:12+01:00 h a p m [x@1 q=\"a\\\"b\\]c\"]", &r));
    CHECK_INT(r.time, 1614676272);
    CHECK_STR(native(&r, "q", b, sizeof(b)), "a\\\"b\\]c");
    CHECK_STR(field(&r, "message", b, sizeof(b)), "(none)");

    /* All nil: only PRI and its parts. */
    CHECK(parse("<0>1 - - - - - -", &r));
    CHECK_INT(r.time, RURU_TIME_NONE);
    CHECK_INT(r.n_fields, 3);
    CHECK_STR(field(&r, "log.syslog.facility.code", b, sizeof(b)), "0");
    CHECK_STR(field(&r, "log.syslog.severity.code", b, sizeof(b)), "0");
    CHECK(parse("<191>1 - - - - - - \r\n", &r));
    CHECK_STR(field(&r, "log.syslog.facility.code", b, sizeof(b)), "23");
    CHECK_STR(field(&r, "log.syslog.severity.code", b, sizeof(b)), "7");
    CHECK_INT(r.n_fields, 3); /* an empty MSG after the space */
}

static void test_3164(void)
{
    struct ruru_record r;
    char b[256];

    CHECK(parse("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick", &r));
    CHECK_INT(r.time, 1633990455); /* year_hint 2021, UTC */
    CHECK_STR(field(&r, "log.syslog.priority", b, sizeof(b)), "34");
    CHECK_STR(field(&r, "host.hostname", b, sizeof(b)), "mymachine");
    CHECK_STR(field(&r, "process.name", b, sizeof(b)), "su");
    CHECK_STR(field(&r, "process.pid", b, sizeof(b)), "(none)");
    CHECK_STR(field(&r, "message", b, sizeof(b)), "'su root' failed for lonvick");
    CHECK_STR(field(&r, "@timestamp", b, sizeof(b)), "Oct 11 22:14:15");

    /* Without PRI, a space-padded day, a tag with parentheses and a pid. */
    CHECK(parse("Jun  4 01:02:03 combo sshd(pam_unix)[19939]: authentication failure; "
                "rhost=218.188.2.4 \n",
                &r));
    CHECK_INT(r.time, 1622768523);
    CHECK_STR(field(&r, "log.syslog.priority", b, sizeof(b)), "(none)");
    CHECK_STR(field(&r, "host.hostname", b, sizeof(b)), "combo");
    CHECK_STR(field(&r, "process.name", b, sizeof(b)), "sshd(pam_unix)");
    CHECK_STR(field(&r, "process.pid", b, sizeof(b)), "19939");
    CHECK_STR(field(&r, "message", b, sizeof(b)), "authentication failure; rhost=218.188.2.4 ");
    CHECK_STR(native(&r, "tag", b, sizeof(b)), "sshd(pam_unix)");
    CHECK_STR(native(&r, "pid", b, sizeof(b)), "19939");

    /* No host: the first word is the tag. */
    CHECK(parse("Jun 4 01:02:03 kernel: [ 0.000000] Linux version", &r));
    CHECK_INT(r.time, 1622768523);
    CHECK_STR(field(&r, "host.hostname", b, sizeof(b)), "(none)");
    CHECK_STR(field(&r, "process.name", b, sizeof(b)), "kernel");
    CHECK_STR(field(&r, "message", b, sizeof(b)), "[ 0.000000] Linux version");

    /* No tag: the rest is the message. */
    CHECK(parse("Oct 11 22:14:15 gw link down on eth0", &r));
    CHECK_STR(field(&r, "host.hostname", b, sizeof(b)), "gw");
    CHECK_STR(field(&r, "process.name", b, sizeof(b)), "(none)");
    CHECK_STR(field(&r, "message", b, sizeof(b)), "link down on eth0");

    /* A pid without a colon; a fraction of a second. */
    CHECK(parse("<13>Feb 29 00:00:00.123 h cron[7] job", &r));
    CHECK_INT(r.time, 1614556800); /* 2021 has no Feb 29: it rolls into Mar 1, as civil days do */
    CHECK_STR(field(&r, "process.name", b, sizeof(b)), "cron");
    CHECK_STR(field(&r, "process.pid", b, sizeof(b)), "7");
    CHECK_STR(field(&r, "message", b, sizeof(b)), "job");
    CHECK(ruru_syslog_parse("<13>Feb 29 00:00:00 h x: y", 26, &Y2024, &r));
    CHECK_INT(r.time, 1709164800);

    /* An RFC 3339 time stamp in the 3164 position keeps its offset. */
    CHECK(parse("<13>2021-03-02T10:11:12+01:00 host app[1]: hello", &r));
    CHECK_INT(r.time, 1614676272);
    CHECK_STR(field(&r, "host.hostname", b, sizeof(b)), "host");
    CHECK_STR(field(&r, "process.name", b, sizeof(b)), "app");
    CHECK_STR(field(&r, "message", b, sizeof(b)), "hello");

    /* A time stamp alone. */
    CHECK(parse("Oct 11 22:14:15", &r));
    CHECK_INT(r.n_fields, 1);
}

static void test_malformed(void)
{
    static const char *const bad[] = {
            "",
            "hello world",
            "<>1 - - - - - -",
            "<192>1 - - - - - -",         /* PRI too large */
            "<0001>1 - - - - - -",        /* four digits */
            "<34",                        /* unterminated PRI */
            "<34>1 - - - - -",            /* 5424 without SD */
            "<34>1 - - - - - x",          /* SD neither nil nor [ */
            "<34>1 - - - - -  -",         /* two spaces */
            "<34>1 2003-10-11 h a p m -", /* a date is not a time stamp */
            "<34>1 2003-13-11T22:14:15Z h a p m -",
            "<34>1 - h a p m [x@1 a=\"b\"", /* element not closed */
            "<34>1 - h a p m [x@1 a=\"b]",  /* value not closed */
            "<34>1 - h a p m [x@1 a=b]",    /* value not quoted */
            "<34>1 - h a p m []",           /* no SD-ID */
            "<34>1 - h a p m [x@1 =\"b\"]", /* no PARAM-NAME */
            "<34>1 - h a p m -x",           /* junk after SD */
            "<34>Oct 32 22:14:15 h x: y",
            "<34>Oct 11 24:14:15 h x: y",
            "<34>Oct 11 22:60:15 h x: y",
            "Foo 11 22:14:15 h x: y",
            "Oct 11 22:14:15x h x: y",
            "Oct 11 22:14",
            "<34>2021-03-02 h x: y",
    };
    struct ruru_record r;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        bool ok = parse(bad[i], &r);
        if (ok)
            fprintf(stderr, "accepted: %s\n", bad[i]);
        CHECK(!ok);
    }
}

static void test_hostile(void)
{
    struct ruru_record r;
    char b[256];
    size_t n = 0;
    char *big = malloc(1 << 20);

    /* Embedded NULs are ordinary bytes. */
    {
        static const char line[] = "<13>Oct 11 22:14:15 h\0st ta\0g: m\0sg";
        CHECK(ruru_syslog_parse(line, sizeof(line) - 1, &Y2021, &r));
        CHECK_INT(ruru_record_get(&r, "message")->len, 4);
        CHECK_INT(ruru_record_get(&r, "host.hostname")->len, 4);
    }
    /* 100 structured-data parameters: the record keeps RURU_MAX_FIELDS and says so. */
    CHECK(big != NULL);
    if (big == NULL)
        return;
    n += (size_t)snprintf(big + n, 64, "<13>1 - h a p m [x@1");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(big + n, 64, " p%d=\"%d\"", i, i);
    n += (size_t)snprintf(big + n, 64, "] msg");
    CHECK(ruru_syslog_parse(big, n, &Y2021, &r));
    CHECK(r.truncated);
    CHECK_INT(r.n_fields, RURU_MAX_FIELDS);
    CHECK_STR(native(&r, "p0", b, sizeof(b)), "0");
    /* A very long message and a very long unterminated value. */
    memset(big, 'A', 1 << 20);
    memcpy(big, "<13>Oct 11 22:14:15 h t: ", 25);
    CHECK(ruru_syslog_parse(big, 1 << 20, &Y2021, &r));
    CHECK_INT(ruru_record_get(&r, "message")->len, (1 << 20) - 25);
    memcpy(big, "<13>1 - h a p m [x@1 a=\"", 24);
    CHECK(!ruru_syslog_parse(big, 1 << 20, &Y2021, &r));
    /* Inputs cut at every length never read past their end (ASan watches the copy). */
    {
        static const char line[] = "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 "
                                   "- [exampleSDID@32473 iut=\"3\"] msg";
        for (size_t k = 0; k <= sizeof(line) - 1; k++) {
            char *cut = malloc(k ? k : 1);
            memcpy(cut, line, k);
            (void)ruru_syslog_parse(cut, k, &Y2021, &r);
            free(cut);
        }
    }
    free(big);
}

/* The year of a 3164 line: the latest that puts it no later than the reference time plus a
 * day; a forced year wins. */
static void test_infer_year(void)
{
    /* 2025-01-05T12:00:00Z */
    const struct ruru_syslog_year jan5 = {0, 1736078400}, forced = {2019, 1736078400};
    /* 2024-12-05T09:00:00Z: a log read in early December */
    const struct ruru_syslog_year dec5 = {0, 1733389200};
    struct ruru_record r;

    CHECK_INT(ruru_syslog_infer_year(&jan5, 12, 31, 86399), 2024);
    CHECK_INT(ruru_syslog_infer_year(&jan5, 1, 1, 0), 2025);
    CHECK_INT(ruru_syslog_infer_year(&jan5, 1, 6, 11 * 3600), 2025); /* 23 h: the slack */
    CHECK_INT(ruru_syslog_infer_year(&jan5, 1, 6, 13 * 3600), 2024); /* 25 h: last year */
    CHECK_INT(ruru_syslog_infer_year(&forced, 12, 31, 0), 2019);
    CHECK_INT(ruru_syslog_infer_year(&dec5, 12, 1, 0), 2024);
    CHECK_INT(ruru_syslog_infer_year(&dec5, 12, 24, 0), 2023);
    CHECK_INT(ruru_syslog_infer_year(&dec5, 1, 2, 0), 2024);
    /* through the parser */
    CHECK(ruru_syslog_parse("Dec  1 10:00:00 h x: y", 22, &dec5, &r));
    CHECK_INT(r.time, 1733047200); /* 2024-12-01T10:00:00Z */
}

int main(void)
{
    test_infer_year();
    test_5424();
    test_3164();
    test_malformed();
    test_hostile();
    return check_done();
}
