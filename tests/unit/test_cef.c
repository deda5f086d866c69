/* SPDX-License-Identifier: Apache-2.0 */
/* CEF: header fields, the extension's key=value pairs, rt times and the hostile cases. */
#include <stdlib.h>

#include "check.h"
#include "logs/cef.h"
#include "record_dump.h"

static bool parse(const char *line, struct ruru_record *r)
{
    return ruru_cef_parse(line, strlen(line), r);
}

static void test_header_and_extension(void)
{
    struct ruru_record r;
    char b[256];

    CHECK(parse("CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|"
                "src=10.0.0.1 dst=2.1.2.2 spt=1232 dpt=443 shost=a.example dhost=b.example "
                "suser=bob duser=alice request=http://x.example/a?b\\=1 c "
                "requestClientApplication=Mozilla/5.0 (X11) fname=evil.exe "
                "fileHash=44d88612fea8a8f36de82e1278abb02f dvchost=fw1 act=blocked "
                "cs1Label=Rule cs1=Block all",
                &r));
    CHECK_INT(r.format, RURU_LOG_CEF);
    CHECK_INT(r.time, RURU_TIME_NONE);
    CHECK_STR(field(&r, "observer.vendor", b, sizeof(b)), "Security");
    CHECK_STR(field(&r, "observer.product", b, sizeof(b)), "threatmanager");
    CHECK_STR(field(&r, "observer.version", b, sizeof(b)), "1.0");
    CHECK_STR(field(&r, "event.code", b, sizeof(b)), "100");
    CHECK_STR(field(&r, "rule.name", b, sizeof(b)), "worm successfully stopped");
    CHECK_STR(field(&r, "event.severity", b, sizeof(b)), "10");
    CHECK_STR(field(&r, "source.ip", b, sizeof(b)), "10.0.0.1");
    CHECK_STR(field(&r, "destination.ip", b, sizeof(b)), "2.1.2.2");
    CHECK_STR(field(&r, "source.port", b, sizeof(b)), "1232");
    CHECK_STR(field(&r, "destination.port", b, sizeof(b)), "443");
    CHECK_STR(field(&r, "source.domain", b, sizeof(b)), "a.example");
    CHECK_STR(field(&r, "destination.domain", b, sizeof(b)), "b.example");
    CHECK_STR(field(&r, "source.user.name", b, sizeof(b)), "bob");
    CHECK_STR(field(&r, "destination.user.name", b, sizeof(b)), "alice");
    /* a value runs to the next " key="; "\=" is kept raw */
    CHECK_STR(field(&r, "url.original", b, sizeof(b)), "http://x.example/a?b\\=1 c");
    CHECK_STR(field(&r, "user_agent.original", b, sizeof(b)), "Mozilla/5.0 (X11)");
    CHECK_STR(field(&r, "file.name", b, sizeof(b)), "evil.exe");
    CHECK_STR(field(&r, "file.hash", b, sizeof(b)), "44d88612fea8a8f36de82e1278abb02f");
    CHECK_STR(field(&r, "host.name", b, sizeof(b)), "fw1");
    CHECK_STR(field(&r, "event.action", b, sizeof(b)), "blocked");
    /* unknown keys keep their native name and no canonical one */
    CHECK_STR(native(&r, "cs1", b, sizeof(b)), "Block all");
    CHECK_STR(native(&r, "cs1Label", b, sizeof(b)), "Rule");
    CHECK_STR(native(&r, "src", b, sizeof(b)), "10.0.0.1");
    CHECK_STR(native(&r, "deviceVendor", b, sizeof(b)), "Security");
    for (size_t i = 0; i < r.n_fields; i++)
        if (ruru_str_eq(r.fields[i].name, "cs1"))
            CHECK(r.fields[i].canon == NULL);
    CHECK(!r.truncated);
}

static void test_prefix_escapes_time(void)
{
    struct ruru_record r;
    char b[256];

    /* After a syslog header; "\|" in the header; epoch-millisecond rt. */
    CHECK(parse("<134>Mar  2 10:11:12 fw1 CEF:0|Ven\\|dor|Prod|2|sig-1|Port scan|High|"
                "rt=1614679872123 src=203.0.113.7 msg=scan of 10 ports\r\n",
                &r));
    CHECK_STR(field(&r, "observer.vendor", b, sizeof(b)), "Ven\\|dor");
    CHECK_STR(field(&r, "event.severity", b, sizeof(b)), "High");
    CHECK_INT(r.time, 1614679872);
    CHECK_STR(field(&r, "@timestamp", b, sizeof(b)), "1614679872123");
    CHECK_STR(field(&r, "message", b, sizeof(b)), "scan of 10 ports");
    /* A bare PRI right before "CEF:". */
    CHECK(parse("<134>CEF:1|V|P|1|2|n|3|src=1.2.3.4", &r));
    CHECK_STR(field(&r, "source.ip", b, sizeof(b)), "1.2.3.4");
    /* "MMM dd yyyy HH:mm:ss" forms. */
    CHECK(parse("CEF:0|V|P|1|2|n|3|rt=May 17 2016 08:52:33 src=1.2.3.4", &r));
    CHECK_INT(r.time, 1463475153);
    CHECK(parse("CEF:0|V|P|1|2|n|3|rt=May 17 2016 08:52:33.123 GMT", &r));
    CHECK_INT(r.time, 1463475153);
    CHECK(parse("CEF:0|V|P|1|2|n|3|rt=May 17 2016 08:52:33 +02:00", &r));
    CHECK_INT(r.time, 1463467953);
    CHECK(parse("CEF:0|V|P|1|2|n|3|rt=May 17 2016 08:52:33 EST", &r));
    CHECK_INT(r.time, RURU_TIME_NONE); /* named zones are not guessed */
    CHECK(parse("CEF:0|V|P|1|2|n|3|rt=2021-03-02T10:11:12Z", &r));
    CHECK_INT(r.time, 1614679872);
    CHECK(parse("CEF:0|V|P|1|2|n|3|rt=1614679872", &r));
    CHECK_INT(r.time, 1614679872); /* seconds where milliseconds belong */
    CHECK(parse("CEF:0|V|P|1|2|n|3|rt=12", &r));
    CHECK_INT(r.time, RURU_TIME_NONE);
    /* No extension; empty header values are left out. */
    CHECK(parse("CEF:0|V|P|1|2|n|3|", &r));
    CHECK_INT(r.n_fields, 6);
    CHECK(parse("CEF:0|V||1|2|n|3|", &r));
    CHECK_INT(r.n_fields, 5);
    CHECK_STR(field(&r, "observer.product", b, sizeof(b)), "(none)");
    /* An extension that stops making sense ends the record; what came before stays. */
    CHECK(parse("CEF:0|V|P|1|2|n|3|src=1.2.3.4 dst=5.6.7.8 ===", &r));
    CHECK_STR(field(&r, "destination.ip", b, sizeof(b)), "5.6.7.8 ===");
    CHECK(parse("CEF:0|V|P|1|2|n|3| !bad src=1.2.3.4", &r));
    CHECK_STR(field(&r, "source.ip", b, sizeof(b)), "(none)");
    /* Empty values are skipped; a trailing space is not part of a value. */
    CHECK(parse("CEF:0|V|P|1|2|n|3|src= dst=5.6.7.8   ", &r));
    CHECK_STR(field(&r, "source.ip", b, sizeof(b)), "(none)");
    CHECK_STR(field(&r, "destination.ip", b, sizeof(b)), "5.6.7.8");
    /* "\ " and a trailing backslash. */
    CHECK(parse("CEF:0|V|P|1|2|n|3|fname=a\\ b=c x=y\\", &r));
    CHECK_STR(field(&r, "file.name", b, sizeof(b)), "a\\ b=c");
    CHECK_STR(native(&r, "x", b, sizeof(b)), "y\\");
}

static void test_malformed(void)
{
    static const char *const bad[] = {
            "",
            "hello",
            "CEF:",
            "CEF:0|V|P|1|2|n",      /* six header fields */
            "CEF:0|V|P|1|2|n|3",    /* seven, but no bar before the extension */
            "CEF:0|V|P|1|2|n\\|3|", /* the escaped bar does not count */
            "CEF:x|V|P|1|2|n|3|",   /* version not a number */
            "CEF:123|V|P|1|2|n|3|",
            "CEF:|V|P|1|2|n|3|",
            "xCEF:0|V|P|1|2|n|3|", /* "CEF:" inside a word */
    };
    struct ruru_record r;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        bool ok = parse(bad[i], &r);
        if (ok)
            fprintf(stderr, "accepted: %s\n", bad[i]);
        CHECK(!ok);
    }
    /* A later "CEF:" after a space is found past an embedded one. */
    CHECK(parse("xCEF: y CEF:0|V|P|1|2|n|3|", &r));
}

static void test_hostile(void)
{
    struct ruru_record r;
    char b[64];
    size_t n = 0, cap = 1 << 20;
    char *big = malloc(cap);

    {
        static const char line[] = "CEF:0|V\0|P|1|2|n|3|src=1.2\0.3.4 msg=a\0b";
        CHECK(ruru_cef_parse(line, sizeof(line) - 1, &r));
        CHECK_INT(ruru_record_get(&r, "observer.vendor")->len, 2);
        CHECK_INT(ruru_record_get(&r, "source.ip")->len, 8);
        CHECK_INT(ruru_record_get(&r, "message")->len, 3);
    }
    CHECK(big != NULL);
    if (big == NULL)
        return;
    n += (size_t)snprintf(big, cap, "CEF:0|V|P|1|2|n|3|");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(big + n, cap - n, "k%d=%d ", i, i);
    CHECK(ruru_cef_parse(big, n, &r));
    CHECK(r.truncated);
    CHECK_INT(r.n_fields, RURU_MAX_FIELDS);
    CHECK_STR(native(&r, "k0", b, sizeof(b)), "0");
    /* A megabyte of one value, of spaces, and of "a " (every space looks ahead once). */
    memset(big, 'A', cap);
    memcpy(big, "CEF:0|V|P|1|2|n|3|msg=", 22);
    CHECK(ruru_cef_parse(big, cap, &r));
    CHECK_INT(ruru_record_get(&r, "message")->len, cap - 22);
    for (size_t i = 22; i < cap; i++)
        big[i] = i % 2 ? ' ' : 'a';
    CHECK(ruru_cef_parse(big, cap, &r));
    memset(big + 22, '\\', cap - 22);
    CHECK(ruru_cef_parse(big, cap, &r));
    memset(big, '|', cap);
    CHECK(!ruru_cef_parse(big, cap, &r));
    memcpy(big, "CEF:0", 5);
    CHECK(ruru_cef_parse(big, cap, &r)); /* empty header fields, an extension of bars */
    {
        static const char line[] = "<134>Mar  2 10:11:12 fw1 CEF:0|V\\|x|P|2|s|n|3|"
                                   "rt=May 17 2016 08:52:33 src=1.2.3.4 a\\=b=c";
        for (size_t k = 0; k <= sizeof(line) - 1; k++) {
            char *cut = malloc(k ? k : 1);
            memcpy(cut, line, k);
            (void)ruru_cef_parse(cut, k, &r);
            free(cut);
        }
    }
    free(big);
}

int main(void)
{
    test_header_and_extension();
    test_prefix_escapes_time();
    test_malformed();
    test_hostile();
    return check_done();
}
