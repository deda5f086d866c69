/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CISA CHIRP indicator files (src/intel/chirp.c): both real files of
 * ../shared/data/intel/cisa-chirp with exact counts by type and the exact rejections, format
 * detection (and the README beside them, which is none), every mapping and refusal on small
 * documents, malformed YAML, and allocation failures.
 */
#include <stdint.h>

#include "base/alloc.h"
#include "check.h"
#include "intel/import.h"
#include "lists_rec.h"
#include "shared_data.h"

static enum ruru_err run(const char *in, struct lrec *r)
{
    return lrec_run(ruru_chirp_import, in, strlen(in), r);
}

static void run_path(const char *path, struct lrec *r)
{
    size_t len = 0;
    char *data = lrec_slurp(path, &len);

    CHECK(data != NULL);
    if (data == NULL)
        fprintf(stderr, "cannot read %s\n", path);
    CHECK_INT(lrec_run(ruru_chirp_import, data ? data : "", len, r), RURU_OK);
    free(data);
}

/* How many recorded indicators start with `prefix` (a type name and a space). */
static size_t count_prefix(const struct lrec_list *l, const char *prefix)
{
    size_t n = 0;

    for (size_t i = 0; i < l->n; i++)
        n += strncmp(l->v[i], prefix, strlen(prefix)) == 0;
    return n;
}

static void dump_on_failure(const struct lrec *r, unsigned failed_before)
{
    if (check_failed == failed_before)
        return;
    for (size_t i = 0; i < r->ind.n; i++)
        if (strncmp(r->ind.v[i], "ipv4 ", 5) != 0)
            fprintf(stderr, "  ind %s\n", r->ind.v[i]);
    for (size_t i = 0; i < r->rej.n; i++)
        fprintf(stderr, "  rej %s\n", r->rej.v[i]);
}

#define UA_DESC                                                                                \
    "desc=\"There are also a handful of User-Agent that may be useful for responders to look " \
    "for when examining their web logs.\"\n\"These are not necessarily indicative of "         \
    "compromise, but should be used to determine if further investigation.\"\n\"Volexity "     \
    "observed the following non-standard User-Agents associated with POST requests to the "    \
    "files found under folders within /owa/auth/Current.\"\n\"Discovered by Volexity - "       \
    "(https://www.volexity.com/blog/2021/03/02/"                                               \
    "active-exploitation-of-microsoft-exchange-zero-day-vulnerabilities/)\""

/* AA21-062A (HAFNIUM, Exchange): addresses, IIS request and user-agent strings, web-shell
 * sample hashes; events and file-content rules refused. */
static void test_aa21_062a(void)
{
    static const char *const rej[] = {
            "line=84 col=0 object=Malicious URL User-Agents "
            "value=Mozilla/5.0+(compatible;+Googlebot/2.1;++http://www.google.com/bot.html "
            "reason=user agent cut short (unbalanced parentheses): part of one, not one",
            "line=116 col=0 object=RCE via OAB VD cmdlet "
            "value=S:CMD=Set-OabVirtualDirectory.ExternalUrl=' "
            "reason=YARA string inside lines of a log ruru reads no field of",
            "line=123 col=0 object=Possible CVE-2021-26855 Exploitation reason=CHIRP events "
            "indicator: a regular expression over whole events, not imported (write it as a "
            "Sigma rule)",
            "line=148 col=0 object=CVE-2021-26858 value=Download failed and temporary file "
            "reason=YARA string inside lines of a log ruru reads no field of",
            "line=153 col=0 object=Possible CVE-2021-26857 Exploitation reason=CHIRP events "
            "indicator: a regular expression over whole events, not imported (write it as a "
            "Sigma rule)",
            "line=171 col=0 object=simpleseesharp : Webshell Unclassified "
            "value=yara=webshell_aspx_simpleseesharp reason=YARA rule over file contents: ruru "
            "sweeps logs, not files",
            "line=207 col=0 object=reGeorgTunnel : Webshell Commodity "
            "value=yara=webshell_aspx_reGeorgTunnel reason=YARA rule over file contents: ruru "
            "sweeps logs, not files",
            "line=236 col=0 object=sportsball : Webshell value=yara=webshell_aspx_sportsball "
            "reason=YARA rule over file contents: ruru sweeps logs, not files",
            "line=280 col=0 object=Detection for the use of procdump to dump LSASS process "
            "memory. value=yara=lsass_process_memory_dump reason=YARA rule over file contents: "
            "ruru sweeps logs, not files",
    };
    struct lrec r;
    unsigned before = check_failed;

    run_path(shared_path("intel/cisa-chirp/AA21062A.yaml"), &r);
    CHECK_INT(r.ind.n, 43);
    CHECK_INT(count_prefix(&r.ind, "ipv4 "), 15);
    CHECK_INT(count_prefix(&r.ind, "stix-pattern "), 11);
    CHECK_INT(count_prefix(&r.ind, "user-agent "), 14);
    CHECK_INT(count_prefix(&r.ind, "sha256 "), 3);
    CHECK_INT(r.rej.n, sizeof(rej) / sizeof(rej[0]));
    for (size_t i = 0; i < sizeof(rej) / sizeof(rej[0]); i++)
        CHECK_STR(lrec_at(&r.rej, i), rej[i]);
    CHECK_STR(lrec_at(&r.ind, 0),
              "ipv4 103.77.192.219 line=15 object=IP addresesses related to possible Hafnium "
              "activity confidence=30 desc=\"Volexity has seen attackers leverage the following "
              "IP addresses. Although these are tied to virtual private servers (VPSs) servers "
              "and virtual private networks (VPNs),\"\n\"responders should investigate these IP "
              "addresses on their networks and act accordingly\"\n\"https://www.volexity.com/"
              "blog/2021/03/02/active-exploitation-of-microsoft-exchange-zero-day-"
              "vulnerabilities/\" labels=chirp:network");
    CHECK_STR(lrec_find(&r.ind, "stix-pattern [network-traffic:extensions.'http-request-ext'."
                                "request_method = 'POST' AND network-traffic:extensions.'http-"
                                "request-ext'.request_value MATCHES '^/ecp"),
              "stix-pattern [network-traffic:extensions.'http-request-ext'.request_method = "
              "'POST' AND network-traffic:extensions.'http-request-ext'.request_value MATCHES "
              "'^/ecp/default\\\\.flt'] line=54 raw=POST /ecp/default.flt "
              "ctx=yara=unauthenticated_execution object=XML SOAP POST requests for "
              "unauthenticated execution : RCE confidence=70 desc=\"Volexity has observed this "
              "attack conducted via OWA. The exploit involved specially crafted POST requests "
              "being sent to a valid static resources that does\"\n\"not require authentication. "
              "Specifically, Volexity has observed POST requests targeting files found on the "
              "following web directory\"\n\"https://www.volexity.com/blog/2021/03/02/"
              "active-exploitation-of-microsoft-exchange-zero-day-vulnerabilities/\" "
              "labels=chirp:yara|CVE-2021-26858");
    CHECK_STR(lrec_find(&r.ind, "stix-pattern [network-traffic:extensions.'http-request-ext'."
                                "request_method = 'POST' AND network-traffic:extensions.'http-"
                                "request-ext'.request_value MATCHES '^/ecp\\\\/"),
              "stix-pattern [network-traffic:extensions.'http-request-ext'.request_method = "
              "'POST' AND network-traffic:extensions.'http-request-ext'.request_value MATCHES "
              "'^/ecp\\\\/\\\\b\\\\w{1}\\\\b.js'] line=56 raw=POST \\/ecp\\/\\b\\w{1}\\b.js "
              "ctx=yara=unauthenticated_execution object=XML SOAP POST requests for "
              "unauthenticated execution : RCE confidence=70 desc=\"Volexity has observed this "
              "attack conducted via OWA. The exploit involved specially crafted POST requests "
              "being sent to a valid static resources that does\"\n\"not require authentication. "
              "Specifically, Volexity has observed POST requests targeting files found on the "
              "following web directory\"\n\"https://www.volexity.com/blog/2021/03/02/"
              "active-exploitation-of-microsoft-exchange-zero-day-vulnerabilities/\" "
              "labels=chirp:yara|CVE-2021-26858");
    CHECK_STR(lrec_find(&r.ind, "user-agent DuckDuckBot"),
              "user-agent DuckDuckBot/1.0; (+http://duckduckgo.com/duckduckbot.html) line=80 "
              "raw=DuckDuckBot/1.0;+(+http://duckduckgo.com/duckduckbot.html) "
              "ctx=yara=ecp_user_agents object=Malicious URL User-Agents confidence=70 " UA_DESC
              " labels=chirp:yara");
    CHECK_STR(lrec_find(&r.ind, "sha256 2fa0"),
              "sha256 2fa06333188795110bba14a482020699a96f76fb1ceb80cbfa2df9d3008b5b0a line=244 "
              "ctx=yara=webshell_aspx_sportsball object=sportsball : Webshell confidence=90 "
              "desc=\"Webshell detection originally discovered by Volexity\" labels=chirp:yara");
    dump_on_failure(&r, before);
    lrec_free(&r);
}

#define ZWJ5 "\u200d\u200d\u200d\u200d\u200d"

/* AA21-008A (SolarWinds): events and a registry key refused, one network block of addresses,
 * names and URLs, two of them with zero-width joiners pasted after them. */
static void test_aa21_008a(void)
{
    struct lrec r;
    unsigned before = check_failed;
    size_t n_events = 0, n_registry = 0;

    run_path(shared_path("intel/cisa-chirp/AA21-008A-iocs.yaml"), &r);
    CHECK_INT(r.ind.n, 2098);
    CHECK_INT(count_prefix(&r.ind, "ipv4 "), 2035);
    CHECK_INT(count_prefix(&r.ind, "domain "), 59);
    CHECK_INT(count_prefix(&r.ind, "url "), 4);
    CHECK_INT(r.rej.n, 25);
    for (size_t i = 0; i < r.rej.n; i++) {
        n_events += strstr(r.rej.v[i], "reason=CHIRP events indicator: a regular expression over "
                                       "whole events, not imported (write it as a Sigma "
                                       "rule)") != NULL;
        n_registry += strstr(r.rej.v[i], "reason=CHIRP registry indicator: ruru sweeps logs, not "
                                         "registries") != NULL;
    }
    CHECK_INT(n_events, 24);
    CHECK_INT(n_registry, 1);
    CHECK_STR(lrec_at(&r.rej, 0),
              "line=2 col=0 object=TK Splat reason=CHIRP events indicator: a regular expression "
              "over whole events, not imported (write it as a Sigma rule)");
    CHECK_STR(lrec_at(&r.rej, 4), "line=38 col=0 object=IFEO Persistence reason=CHIRP registry "
                                  "indicator: ruru sweeps logs, not registries");
    CHECK_STR(lrec_at(&r.ind, 0),
              "domain 6a57jk2ba1d9keg15cbg.appsync-api.eu-west-1.avsvmcloud.com line=212 "
              "object=Network indicators confidence=30 desc=Network activity related to "
              "Solarfire activity. labels=chirp:network");
    CHECK_STR(lrec_find(&r.ind, "url "),
              "url https://panhardware.com/files/documentation_076.pdf line=321 object=Network "
              "indicators confidence=30 desc=Network activity related to Solarfire activity. "
              "labels=chirp:network");
    /* zero-width joiners pasted after an address: dropped from the value, kept in raw */
    CHECK_STR(lrec_find(&r.ind, "ipv4 3.87.182.149 line=308"),
              "ipv4 3.87.182.149 line=308 raw=3.87.182.149" ZWJ5 ZWJ5 ZWJ5 ZWJ5 ZWJ5 ZWJ5 ZWJ5 ZWJ5
                      ZWJ5 ZWJ5 ZWJ5 ZWJ5 ZWJ5 ZWJ5 ZWJ5 " object=Network indicators confidence=30 "
              "desc=Network activity related to Solarfire activity. labels=chirp:network");
    dump_on_failure(&r, before);
    lrec_free(&r);
}

/* Each mapping and refusal on a small document. */
static void test_cases(void)
{
    static const char in[] =
            "# comment\n"
            "---\n"
            "name: \"net\"\n" /* 3 */
            "confidence: 3\n"
            "ioc_type: \"network\"\n"
            "indicator:\n"
            "  ips: |\n"
            "    192.0.2.1\n" /* 8 */
            "    evil[.]example, 198.51.100.0/24\n"
            "    com\n" /* 10 */
            "    d41d8cd98f00b204e9800998ecf8427e\n"
            "---\n"
            "name: \"iis\"\n" /* 13 */
            "confidence: 11\n"
            "ioc_type: \"yara\"\n"
            "indicator:\n"
            "  files: \"C:\\\\inetpub\\\\logs\\\\LogFiles\\\\W3SVC1\\\\*.log\"\n"
            "  rule: |\n"
            "    global private rule r\n" /* 19 */
            "    {\n"
            "      strings:\n"
            "        $a = \"GET /a?b=(c)\" // c\n" /* 22 */
            "        $b = /POST \\/x\\/[0-9]+\\.aspx/ nocase\n"
            "        $c = { 4D 5A }\n"
            "        $d = \"just text\"\n"
            "        $e = /a.b/\n"
            "        $f = \"curl/\\x00x\"\n"
            "      condition:\n"
            "        any of them\n"
            "    }\n"
            "---\n"
            "name: \"both\"\n" /* 32 */
            "ioc_type: \"yara\"\n"
            "indicator:\n"
            "  files: \"D:\\\\logs\\\\W3SVC2\\\\u_ex.log\"\n"
            "  rule: |\n"
            "    rule both { strings: $a = \"x/1\" $b = \"y/2\" condition: all of them }\n"
            "---\n"
            "- a list\n" /* 39 */
            "---\n"
            "name: \"odd\"\n" /* 41 */
            "ioc_type: \"dns\"\n"
            "indicator: {}\n"
            "---\n"
            "name: \"bare\"\n" /* 45 */
            "ioc_type: \"network\"\n"
            "---\n"
            "name: \"bad rule\"\n" /* 48 */
            "ioc_type: \"yara\"\n"
            "indicator:\n"
            "  files: \"x\"\n"
            "  rule: \"not a rule\"\n" /* 52 */
            "---\n";
    static const char *const ind[] = {
            "ipv4 192.0.2.1 line=8 object=net confidence=30 labels=chirp:network",
            "domain evil.example line=9 raw=evil[.]example object=net confidence=30 "
            "labels=chirp:network",
            "cidr4 198.51.100.0/24 line=9 object=net confidence=30 labels=chirp:network",
            "stix-pattern [network-traffic:extensions.'http-request-ext'.request_method = 'GET' "
            "AND network-traffic:extensions.'http-request-ext'.request_value MATCHES "
            "'^/a\\\\?b=\\\\(c\\\\)'] line=22 raw=GET /a?b=(c) ctx=yara=r object=iis "
            "labels=chirp:yara",
            "stix-pattern [network-traffic:extensions.'http-request-ext'.request_method = 'POST' "
            "AND network-traffic:extensions.'http-request-ext'.request_value MATCHES "
            "'^/x\\\\/[0-9]+\\\\.aspx'] line=23 raw=POST \\/x\\/[0-9]+\\.aspx ctx=yara=r "
            "object=iis labels=chirp:yara",
            NULL,
    };
    static const char *const rej[] = {
            "line=10 col=0 object=net value=com reason=value of no known type",
            "line=11 col=0 object=net value=d41d8cd98f00b204e9800998ecf8427e reason=not a network "
            "indicator",
            "line=24 col=0 object=iis value={ 4D 5A } reason=YARA hex string over a log",
            "line=25 col=0 object=iis value=just text reason=YARA string of an IIS log that is "
            "neither a request nor a user agent",
            "line=26 col=0 object=iis value=a.b reason=YARA string of an IIS log that is neither "
            "a request nor a user agent",
            "line=27 col=0 object=iis reason=YARA string with a NUL byte",
            "line=37 col=0 object=both value=yara=both reason=YARA condition other than any of "
            "its strings: no string stands alone",
            "line=39 col=0 reason=CHIRP document that is not a map",
            "line=42 col=0 object=odd value=dns reason=unknown CHIRP ioc_type",
            "line=45 col=0 object=bare reason=CHIRP indicator without ioc_type or indicator map",
            "line=52 col=0 object=bad rule reason=malformed YARA rule",
            NULL,
    };
    struct lrec r;
    size_t n = 0;

    CHECK_INT(run(in, &r), RURU_OK);
    while (ind[n] != NULL)
        n++;
    CHECK_INT(r.ind.n, n);
    for (size_t i = 0; i < n; i++)
        CHECK_STR(lrec_at(&r.ind, i), ind[i]);
    for (n = 0; rej[n] != NULL; n++)
        CHECK_STR(lrec_at(&r.rej, n), rej[n]);
    CHECK_INT(r.rej.n, n);
    lrec_free(&r);

    /* YAML that does not parse: the file is refused with the place. */
    {
        struct ruru_import_ctx ctx;
        struct ruru_diag d;
        static const char bad[] = "name: \"x\"\nioc_type: network\nindicator: [\n";
        lrec_init(&r);
        memset(&ctx, 0, sizeof(ctx));
        ctx.path = "bad.yaml";
        ctx.sink = &r.sink;
        memset(&d, 0, sizeof(d));
        CHECK_INT(ruru_chirp_import(bad, sizeof(bad) - 1, &ctx, &d), RURU_EPARSE);
        CHECK_INT(d.line, 4);
        CHECK_INT(r.ind.n, 0);
        lrec_free(&r);
    }
}

/* Detection by content: both real files are CHIRP (not CSV lists, as they were read before);
 * the README beside them is not. */
static void test_detect(void)
{
    static const char *const files[] = {"AA21062A.yaml", "AA21-008A-iocs.yaml", "README.md"};
    static const char *const want[] = {"chirp", "chirp", "csv"};

    for (size_t i = 0; i < 3; i++) {
        char path[512];
        size_t len = 0;
        char *data;
        snprintf(path, sizeof(path), "%s/intel/cisa-chirp/%s", shared_data(), files[i]);
        data = lrec_slurp(path, &len);
        CHECK(data != NULL);
        CHECK_STR(data ? ruru_intel_detect(path, data, len) : NULL, want[i]);
        free(data);
    }
}

/* Every allocation failing in turn: RURU_OK or RURU_ENOMEM, never a crash or a leak. */
static void test_oom(void)
{
    static const char in[] = "name: n\nconfidence: 5\nioc_type: yara\nindicator:\n"
                             "  files: 'W3SVC1\\u.log'\n"
                             "  rule: |\n"
                             "    rule r { meta: hash = \"d41d8cd98f00b204e9800998ecf8427e\"\n"
                             "      strings: $a = \"POST /a\" $b = \"curl/7.1\"\n"
                             "      condition: any of them }\n"
                             "---\nname: m\nioc_type: network\nindicator: {ips: '192.0.2.1'}\n";
    int seen = 0;

    CHECK_INT(lrec_oom(ruru_chirp_import, in, sizeof(in) - 1, &seen), 0);
    CHECK_INT(seen, 4);
}

int main(int argc, char **argv)
{
    if (corpus_part(argc, argv)) {
        SHARED_OR_SKIP();
        test_detect();
        test_aa21_062a();
        test_aa21_008a();
        return check_done();
    }
    test_cases();
    test_oom();
    return check_done();
}
