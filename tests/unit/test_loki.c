/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loki / signature-base lists (src/intel/csv_loki.c): the kinds by file name, block headers
 * as report and actor, scores, hash descriptions, filename regexes checked with PCRE2, keyword
 * lists refused; on the real files of ../shared/data/intel/signature-base, read in place.
 */
#include <stdint.h>

#include "check.h"
#include "intel/csv.h"
#include "lists_rec.h"
#include "shared_data.h"

static enum ruru_err run_named(const char *path, const char *in, size_t len, struct lrec *r)
{
    struct ruru_import_ctx ctx;
    struct ruru_diag d;

    lrec_init(r);
    memset(&ctx, 0, sizeof(ctx));
    ctx.path = path;
    ctx.sink = &r->sink;
    memset(&d, 0, sizeof(d));
    return ruru_loki_import(in, len, &ctx, &d);
}

static enum ruru_err run(const char *path, const char *in, struct lrec *r)
{
    return run_named(path, in, strlen(in), r);
}

static char *slurp_shared(const char *name, size_t *len)
{
    char path[512];
    char *data;

    snprintf(path, sizeof(path), "%s/intel/signature-base/%s", shared_data(), name);
    data = lrec_slurp(path, len);
    CHECK(data != NULL);
    return data;
}

static void run_shared(const char *name, struct lrec *r)
{
    size_t len = 0;
    char *data = slurp_shared(name, &len);

    CHECK_INT(run_named(name, data ? data : "", data ? len : 0, r), RURU_OK);
    free(data);
}

/* Entries that start with `prefix` and hold `part` (NULL: any). */
static size_t count_of(const struct lrec_list *l, const char *prefix, const char *part)
{
    size_t n = 0;

    for (size_t i = 0; i < l->n; i++)
        n += strncmp(l->v[i], prefix, strlen(prefix)) == 0 &&
             (part == NULL || strstr(l->v[i], part) != NULL);
    return n;
}

static void test_detect(void)
{
    CHECK(ruru_loki_detect("x/c2-iocs.txt", "a.example\n", 10));
    CHECK(ruru_loki_detect("x/KEYWORDS.TXT", "mimilib\n", 8));
    CHECK(ruru_loki_detect("x/list.txt", "# LOKI C2 IOCs\nevil.example\n", 28));
    CHECK(ruru_loki_detect("x/list.txt", "#\n# Subset of keywords from THOR APT Scanner\nx\n", 45));
    CHECK(!ruru_loki_detect("x/list.txt", "# partner list\nevil.example\n", 28));
    CHECK(!ruru_loki_detect("x/list.txt", "evil.example\n# LOKI\n", 20));
}

static void test_shapes(void)
{
    struct lrec r;

    /* Headers: the first line of the last comment run before the block; commented-out
     * entries are no header; scores become confidence. */
    CHECK_INT(run("c2-iocs.txt",
                  "#\n# LOKI C2 IOCs\n#\n\n# NOBELIUM C2s https://example.org/x\n"
                  "evil.example\n192.0.2.1;65\n\n192.0.2.2\n# 192.0.2.9\n# APT 29 activity\n"
                  "192.0.2.3\n# Operation Snowman\n# more words\nbad value here\n",
                  &r),
              RURU_OK);
    CHECK_INT(r.ind.n, 4);
    CHECK_STR(lrec_at(&r.ind, 0), "domain evil.example line=6 desc=NOBELIUM C2s "
                                  "https://example.org/x actors=NOBELIUM");
    CHECK_STR(lrec_at(&r.ind, 1), "ipv4 192.0.2.1 line=7 confidence=65 desc=NOBELIUM C2s "
                                  "https://example.org/x actors=NOBELIUM");
    CHECK_STR(lrec_at(&r.ind, 2), "ipv4 192.0.2.2 line=9 desc=NOBELIUM C2s "
                                  "https://example.org/x actors=NOBELIUM");
    CHECK_STR(lrec_at(&r.ind, 3), "ipv4 192.0.2.3 line=12 desc=APT 29 activity actors=APT29");
    CHECK_INT(r.rej.n, 1);
    CHECK_STR(lrec_at(&r.rej, 0), "line=15 col=1 value=bad value here reason=unrecognised value");
    lrec_free(&r);
}

static void test_actor_forms(void)
{
    static const struct {
        const char *header, *want;
    } cases[] = {
            {"APT 29 Activity https://x.example/apt28", " actors=APT29"},
            {"Elfin Report on APT33", " actors=APT33"},
            {"UNC4736 / APT43 related C2 Domains", " actors=UNC4736|APT43"},
            {"Tonto Team Group Exchange Exploitation IOC", " actors=Tonto Team"},
            {"Winnti Group Exchange Exploitation IOCs", " actors=Winnti Group"},
            {"Bronze Union IOC - associated with BRONZE UNION", " actors=Bronze Union"},
            {"Mint Sandstorm IOCs", " actors=Mint Sandstorm"},
            {"HAFNIUM IOCs https://www.volexity.com/", " actors=HAFNIUM"},
            {"Storm-0558 and DEV-0322 and FIN7 and TA456",
             " actors=Storm-0558|DEV-0322|FIN7|TA456"},
            {"Temp.Periscope and TEMP.Periscope", " actors=TEMP.Periscope"},
            /* no actor: free text, malware, tools, vendors, alerts */
            {"FireEye Operation Snowman https://goo.gl/x1v7mT", NULL},
            {"Turla Kazuar C2s", NULL},
            {"Opera Cobalt Strike loader", NULL},
            {"US CERT Alert (TA17-117A)", NULL},
            {"Hive Ransomware IOCs CISA Alert AA22-321A", NULL},
    };
    char in[512];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lrec r;
        snprintf(in, sizeof(in), "# %s\n192.0.2.1\n", cases[i].header);
        CHECK_INT(run("c2-iocs.txt", in, &r), RURU_OK);
        CHECK_INT(r.ind.n, 1);
        if (cases[i].want != NULL) {
            if (strstr(lrec_at(&r.ind, 0), cases[i].want) == NULL)
                fprintf(stderr, "header %s: %s\n", cases[i].header, lrec_at(&r.ind, 0));
            CHECK(strstr(lrec_at(&r.ind, 0), cases[i].want) != NULL);
        } else {
            if (strstr(lrec_at(&r.ind, 0), " actors=") != NULL)
                fprintf(stderr, "header %s: %s\n", cases[i].header, lrec_at(&r.ind, 0));
            CHECK(strstr(lrec_at(&r.ind, 0), " actors=") == NULL);
        }
        lrec_free(&r);
    }
}

static void test_hashes_and_regexes(void)
{
    struct lrec r;

    CHECK_INT(run("hash-iocs.txt",
                  "# 0c2674c3a97c53082187d930efb645c2;DEEP PANDA example\n"
                  "d41d8cd98f00b204e9800998ecf8427e;APT10 IOCs; second part\n"
                  "da39a3ee5e6b4b0d3255bfef95601890afd80709;55;Vulnerable library\n"
                  "not-a-hash;x\n",
                  &r),
              RURU_OK);
    CHECK_INT(r.ind.n, 2);
    CHECK_STR(lrec_at(&r.ind, 0), "md5 d41d8cd98f00b204e9800998ecf8427e line=2 "
                                  "desc=APT10 IOCs; second part actors=APT10");
    CHECK_STR(lrec_at(&r.ind, 1), "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 line=3 "
                                  "confidence=55 desc=Vulnerable library");
    CHECK_INT(r.rej.n, 1);
    CHECK_STR(lrec_at(&r.rej, 0), "line=4 col=1 value=not-a-hash reason=unrecognised value");
    lrec_free(&r);

    CHECK_INT(run("filename-iocs.txt",
                  "# HAFNIUM IOCs\n\\\\aspnet_client\\\\[^\\\\]+\\.aspx;90\n"
                  "(?i)\\\\procdump(64)?\\.exe;50;(?i)(SysInternals\\\\)\n"
                  "\\\\bad(regex\\.exe;80\nno score here\nx;abc\n",
                  &r),
              RURU_OK);
    CHECK_INT(r.ind.n, 2);
    CHECK_STR(lrec_at(&r.ind, 0), "filename-regex \\\\aspnet_client\\\\[^\\\\]+\\.aspx line=2 "
                                  "confidence=90 desc=HAFNIUM IOCs actors=HAFNIUM");
    CHECK_STR(lrec_at(&r.ind, 1),
              "filename-regex ^(?!.*(?:(?i)(SysInternals\\\\))).*?(?:(?i)\\\\procdump(64)?\\.exe) "
              "line=3 raw=(?i)\\\\procdump(64)?\\.exe;50;(?i)(SysInternals\\\\) confidence=50 "
              "desc=HAFNIUM IOCs actors=HAFNIUM");
    CHECK_INT(r.rej.n, 3);
    CHECK_STR(lrec_at(&r.rej, 0), "line=4 col=1 value=\\\\bad(regex\\.exe reason=regex does not "
                                  "compile: missing closing parenthesis (at offset 16)");
    CHECK_STR(lrec_at(&r.rej, 1),
              "line=5 col=0 value=no score here reason=not REGEX;SCORE[;FALSE-POSITIVE-REGEX]");
    CHECK_STR(lrec_at(&r.rej, 2),
              "line=6 col=2 value=abc reason=not REGEX;SCORE[;FALSE-POSITIVE-REGEX]");
    lrec_free(&r);
}

/*
 * The real lists. Expected numbers computed once with Python over the files (blocks as the
 * importer reads them: the first text line of the last '#' run before an entry, commented-out
 * entries skipped; ipaddress.ip_address for addresses, [A-Za-z0-9.-]+\.[A-Za-z]{2,} for
 * domains):
 *   c2-iocs.txt: 1844 entries, 135 addresses, 1709 domains, 6 with ";65"; 1433 under
 *     "APT10 C2 IOCs - Source: AlienVault OTX", 132 under headers starting "NOBELIUM",
 *     6 under "UNC4736 / APT43 related C2 Domains"; first: suroot.com under "FireEye
 *     Operation Snowman https://goo.gl/x1v7mT".
 *   filename-iocs.txt: 3828 entries (3798 REGEX;SCORE, 30 with a false-positive regex), all
 *     compile; 8 + 35 under headers starting "HAFNIUM IOCs" / "Microsoft HAFNIUM", 8 under
 *     "Tick Group ...", 2 "Calypso Group ...", 2 "Winnti Group ...", 1 "Tonto Team Group ...".
 *   hash-iocs.txt: 3224 entries, by length 1039 MD5, 926 SHA-1, 1259 SHA-256; 544 described
 *     "APT10 IOCs - Source: AlienVault OTX".
 *   keywords.txt: 14 keywords, each refused.
 */
static void test_real_lists(void)
{
    struct lrec r;

    run_shared("c2-iocs.txt", &r);
    CHECK_INT(r.ind.n, 1844);
    CHECK_INT(r.rej.n, 0);
    CHECK_INT(count_of(&r.ind, "ipv4 ", NULL), 135);
    CHECK_INT(count_of(&r.ind, "domain ", NULL), 1709);
    CHECK_INT(count_of(&r.ind, "", " confidence=65 "), 6);
    CHECK_INT(count_of(&r.ind, "", " desc=APT10 C2 IOCs - Source: AlienVault OTX actors=APT10"),
              1433);
    CHECK_INT(count_of(&r.ind, "", " desc=NOBELIUM"), 132);
    CHECK_INT(count_of(&r.ind, "", " actors=NOBELIUM"), 132);
    CHECK_INT(count_of(&r.ind, "", " actors=UNC4736|APT43"), 6);
    CHECK_STR(lrec_at(&r.ind, 0),
              "domain suroot.com line=13 desc=FireEye Operation Snowman https://goo.gl/x1v7mT");
    lrec_free(&r);

    run_shared("filename-iocs.txt", &r);
    CHECK_INT(r.ind.n, 3828);
    CHECK_INT(r.rej.n, 0);
    CHECK_INT(count_of(&r.ind, "filename-regex ", NULL), 3828);
    CHECK_INT(count_of(&r.ind, "filename-regex ^(?!.*(?:", NULL), 30);
    CHECK_INT(count_of(&r.ind, "", " actors=HAFNIUM"), 43);
    CHECK_INT(count_of(&r.ind, "", " actors=Tick Group"), 8);
    CHECK_INT(count_of(&r.ind, "", " actors=Calypso Group"), 2);
    CHECK_INT(count_of(&r.ind, "", " actors=Winnti Group"), 2);
    CHECK_INT(count_of(&r.ind, "", " actors=Tonto Team"), 1);
    CHECK_STR(lrec_find(&r.ind, "filename-regex \\\\inetpub\\\\wwwroot\\\\aspnet_client\\\\[^"),
              "filename-regex \\\\inetpub\\\\wwwroot\\\\aspnet_client\\\\[^\\\\\"]{1,20}\\.aspx "
              "line=3503 confidence=90 desc=HAFNIUM IOCs https://www.volexity.com/blog/2021/03/02/"
              "active-exploitation-of-microsoft-exchange-zero-day-vulnerabilities/ actors=HAFNIUM");
    lrec_free(&r);

    run_shared("hash-iocs.txt", &r);
    CHECK_INT(r.ind.n, 3224);
    CHECK_INT(r.rej.n, 0);
    CHECK_INT(count_of(&r.ind, "md5 ", NULL), 1039);
    CHECK_INT(count_of(&r.ind, "sha1 ", NULL), 926);
    CHECK_INT(count_of(&r.ind, "sha256 ", NULL), 1259);
    CHECK_INT(count_of(&r.ind, "", " desc=APT10 IOCs - Source: AlienVault OTX actors=APT10"), 544);
    lrec_free(&r);

    run_shared("keywords.txt", &r);
    CHECK_INT(r.ind.n, 0);
    CHECK_INT(r.rej.n, 14);
    CHECK_INT(count_of(&r.rej, "", "reason=Loki keyword"), 14);
    lrec_free(&r);
}

int main(int argc, char **argv)
{
    if (corpus_part(argc, argv)) {
        SHARED_OR_SKIP();
        test_real_lists();
        return check_done();
    }
    test_detect();
    test_shapes();
    test_actor_forms();
    test_hashes_and_regexes();
    return check_done();
}
