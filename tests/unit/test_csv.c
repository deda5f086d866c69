/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CSV and plain-text lists (src/intel/csv.c): shape detection (delimiters, headers, quoting,
 * BOM, CRLF, comments), every column and its synonyms, type names from ruru, MISP and Zeek,
 * defanged twins, rejections with their lines, hostile input, and the benchmark's shape.
 * Expectations assume the real normaliser (intel/ioc.h canonical forms and reason phrases).
 */
#include <stdint.h>

#include "base/alloc.h"
#include "check.h"
#include "intel/csv.h"
#include "lists_rec.h"
#include "shared_data.h"

/* Runs the importer over a C string; returns its error. */
static enum ruru_err run(const char *in, struct lrec *r)
{
    return lrec_run(ruru_csv_import, in, strlen(in), r);
}

static void run_file(const char *name, struct lrec *r)
{
    char path[512];
    size_t len = 0;
    char *data;

    snprintf(path, sizeof(path), "%s/csv/%s", RURU_OWN_DATA, name);
    data = lrec_slurp(path, &len);
    CHECK(data != NULL);
    CHECK_INT(lrec_run(ruru_csv_import, data ? data : "", len, r), RURU_OK);
    free(data);
}

/* Checks the recorded indicators and rejections against NULL-terminated lists, in order. */
static void
expect_lists(const struct lrec *r, const char *const *ind, const char *const *rej, const char *what)
{
    size_t n_ind = 0, n_rej = 0;

    while (ind[n_ind] != NULL)
        n_ind++;
    while (rej[n_rej] != NULL)
        n_rej++;
    if (r->ind.n != n_ind || r->rej.n != n_rej)
        fprintf(stderr, "case: %s\n", what);
    CHECK_INT(r->ind.n, n_ind);
    CHECK_INT(r->rej.n, n_rej);
    for (size_t i = 0; i < n_ind; i++)
        CHECK_STR(lrec_at(&r->ind, i), ind[i]);
    for (size_t i = 0; i < n_rej; i++)
        CHECK_STR(lrec_at(&r->rej, i), rej[i]);
}

/* One table case: input, the indicators and the rejections it must give (NULL-terminated). */
struct tcase {
    const char *in;
    const char *ind[6];
    const char *rej[6];
};

static void run_cases(const struct tcase *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct lrec r;
        CHECK_INT(run(cases[i].in, &r), RURU_OK);
        expect_lists(&r, cases[i].ind, cases[i].rej, cases[i].in);
        lrec_free(&r);
    }
}

#define N_CASES(a) (sizeof(a) / sizeof((a)[0]))

/* ---- files ------------------------------------------------------------------------------ */

static const char *const FANGED[] = {
        "ipv4 203.0.113.45 line=2 confidence=90 from=2024-06-30T00:00:00Z "
        "until=2025-06-30T00:00:00Z first=2024-06-30T00:00:00Z tlp=amber by=partner-cert "
        "desc=scanner actors=Kryptonite Panda|Leviathan labels=exchange|scanner",
        "domain owa-login.example line=3 confidence=80 from=2024-07-01T10:00:00Z "
        "first=2024-07-01T10:00:00Z tlp=clear by=partner-cert desc=phishing, portal "
        "actors=Leviathan",
        "url https://owa-login.example/owa/auth/logon.aspx line=4 confidence=50",
        "email helpdesk@owa-login.example line=5 confidence=15",
        "sha256 9a4b8e3d2c1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d line=6 "
        "raw=9A4B8E3D2C1F0E9D8C7B6A5F4E3D2C1B0A9F8E7D6C5B4A3F2E1D0C9B8A7F6E5D",
        "url http://gate.evil.example:8080/panel/login.php line=7",
        "email ops@evil.example line=8",
        "ipv4 198.51.100.7 line=9",
        "cidr4 198.51.100.0/24 line=10",
        "domain mail.evil.example line=11",
        "url http://dl.evil.example/a.exe line=12",
        "email billing@evil.example line=13",
        "ipv6 2001:db8::1 line=14",
        NULL,
};

static void test_columns_file(void)
{
    static const char *const none[] = {NULL};
    struct lrec r;

    run_file("fanged.csv", &r);
    expect_lists(&r, FANGED, none, "fanged.csv");
    lrec_free(&r);
}

/* The record without its " raw=..." field (values here hold no spaces). */
static void strip_raw(const char *s, char *out, size_t cap)
{
    const char *raw = strstr(s, " raw=");
    size_t n = raw ? (size_t)(raw - s) : strlen(s);

    snprintf(out, cap, "%.*s%s", (int)n, s, raw ? raw + 5 + strcspn(raw + 5, " ") : "");
}

/* The defanged list yields exactly the fanged list's canonical values (and everything else),
 * differing only in the raw value, which every defanged row carries. */
static void test_defanged_twin(void)
{
    struct lrec a, b;
    char sa[1024], sb[1024];

    run_file("fanged.csv", &a);
    run_file("defanged.csv", &b);
    CHECK_INT(a.ind.n, 13);
    CHECK_INT(b.ind.n, a.ind.n);
    CHECK_INT(b.rej.n, 0);
    for (size_t i = 0; i < a.ind.n && i < b.ind.n; i++) {
        strip_raw(a.ind.v[i], sa, sizeof(sa));
        strip_raw(b.ind.v[i], sb, sizeof(sb));
        CHECK_STR(sb, sa);
        CHECK(strstr(b.ind.v[i], " raw=") != NULL);
    }
    CHECK_STR(lrec_at(&b.ind, 5), "url http://gate.evil.example:8080/panel/login.php line=7 "
                                  "raw=hXXp://gate{.}evil[.]example[:]8080/panel/login.php");
    CHECK_STR(lrec_at(&b.ind, 10),
              "url http://dl.evil.example/a.exe line=12 raw=hxxp[://]dl.evil[.]example/a.exe");
    lrec_free(&a);
    lrec_free(&b);
}

static void test_text_list(void)
{
    static const char *const ind[] = {
            "ipv4 198.51.100.7 line=2 desc=staging server",
            "domain evil.example line=5 raw=evil[.]example",
            "cidr6 2001:db8::/32 line=6",
            "domain quoted.example line=10",
            "url http://bad.example/x line=11 raw=hxxp://bad[.]example/x#frag "
            "desc=the fragment is no comment",
            "md5 d41d8cd98f00b204e9800998ecf8427e line=13",
            NULL,
    };
    static const char *const rej[] = {
            "line=7 col=1 value=not an ioc at all reason=unrecognised value",
            "line=8 col=1 value=co.nz reason=public suffix",
            NULL,
    };
    struct lrec r;

    run_file("list.txt", &r);
    expect_lists(&r, ind, rej, "list.txt");
    lrec_free(&r);
}

static void test_quoting_file(void)
{
    static const char *const ind[] = {
            "domain x.example line=3 desc=line one\nline two",
            "ipv4 192.0.2.9 line=5 desc=after a multi-line cell",
            "ipv4 192.0.2.10 line=7 desc=spaces around the quotes",
            "ipv4 192.0.2.11 line=8 raw=192.0.2.11/32 desc=text after the closing quote",
            "ipv4 192.0.2.12 line=9 desc=a note\non three\nlines",
            "ipv4 192.0.2.13 line=12 desc=last",
            NULL,
    };
    static const char *const rej[] = {
            "line=2 col=1 value=a;b.example reason=malformed domain name",
            "line=6 col=1 value=say \"hi\".example reason=malformed domain name",
            NULL,
    };
    struct lrec r;

    run_file("semicolon.csv", &r);
    expect_lists(&r, ind, rej, "semicolon.csv");
    lrec_free(&r);
    run_file("headerless.tsv", &r);
    CHECK_INT(r.ind.n, 2);
    CHECK_STR(lrec_at(&r.ind, 0), "ipv4 192.0.2.1 line=1");
    CHECK_STR(lrec_at(&r.ind, 1), "domain evil.example line=2");
    lrec_free(&r);
}

static void test_rejects_file(void)
{
    static const char *const ind[] = {
            /* an unreadable date costs the indicator its date, not the indicator */
            "ipv4 192.0.2.1 line=7 desc=bad date",
            "ipv4 192.0.2.2 line=12 desc=fine after the multi-line row",
            NULL,
    };
    static const char *const rej[] = {
            "line=3 col=1 value=192.0.2.300 reason=malformed IPv4 address",
            "line=4 col=1 value=co.nz reason=public suffix",
            "line=5 col=1 value=127.0.0.1 reason=loopback address",
            "line=6 col=1 value=16.0.0.0/4 reason=CIDR wider than the configured bound",
            "line=7 col=3 value=yesterday reason=malformed date (indicator kept without it)",
            "line=8 col=1 value= reason=empty value",
            "line=9 col=1 value=not a hash reason=malformed hash",
            "line=10 col=1 value=two\nlines.example reason=malformed domain name",
            "line=13 col=1 value=just words reason=unrecognised value",
            NULL,
    };
    struct lrec r;

    run_file("rejects.csv", &r);
    expect_lists(&r, ind, rej, "rejects.csv");
    lrec_free(&r);
}

/* MISP's CSV export: uuid -> ref, composite types, to_ids, attribute tags with TLP and
 * galaxy actors / techniques, epoch dates. */
static void test_misp_export(void)
{
    static const char *const ind[] = {
            "ipv4 203.0.113.45 line=2 ref=5f1c2d3e-0000-4000-8000-00000000a001 "
            "from=2024-06-30T00:00:00Z first=2024-06-30T00:00:00Z tlp=amber desc=scanner "
            "actors=APT40 labels=tlp:amber|misp-galaxy:threat-actor=\"APT40\"",
            "ipv4 198.51.100.7 line=3 ref=5f1c2d3e-0000-4000-8000-00000000a002 ctx=port=8443 "
            "from=2024-06-30T00:00:00Z first=2024-06-30T00:00:00Z desc=C2 actors=Leviathan "
            "techniques=T1190 labels=misp-galaxy:mitre-attack-pattern=\"Exploit Public-Facing "
            "Application - T1190\"|misp-galaxy:mitre-intrusion-set=\"Leviathan - G0065\"",
            "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 line=4 "
            "raw=E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855 "
            "ref=5f1c2d3e-0000-4000-8000-00000000a003 ctx=filename=invoice.pdf.exe "
            "from=2024-07-01T00:00:00Z first=2024-07-01T00:00:00Z desc=loader",
            "domain owa-login.example line=5 ref=5f1c2d3e-0000-4000-8000-00000000a004#1 "
            "from=2024-07-01T00:00:00Z first=2024-07-01T00:00:00Z",
            "ipv4 203.0.113.46 line=5 ref=5f1c2d3e-0000-4000-8000-00000000a004#2 "
            "from=2024-07-01T00:00:00Z first=2024-07-01T00:00:00Z",
            "domain mail.owa-login.example line=6 ref=5f1c2d3e-0000-4000-8000-00000000a005 "
            "from=2024-07-01T00:00:00Z first=2024-07-01T00:00:00Z no-ids",
            "md5 5d41402abc4b2a76b9719d911017c592 line=7 raw=5D41402ABC4B2A76B9719D911017C592 "
            "ref=5f1c2d3e-0000-4000-8000-00000000a006 from=2024-07-01T00:00:00Z "
            "first=2024-07-01T00:00:00Z tlp=red labels=tlp:red",
            "asn AS64500 line=8 ref=5f1c2d3e-0000-4000-8000-00000000a007 "
            "from=2024-07-01T00:00:00Z first=2024-07-01T00:00:00Z no-ids",
            "ja3 e7d705a3286e19ea42f587b344ee6865 line=9 ref=5f1c2d3e-0000-4000-8000-00000000a008 "
            "from=2024-07-01T00:00:00Z first=2024-07-01T00:00:00Z",
            "x509-sha1 abcdef0123456789abcdef0123456789abcdef01 line=10 "
            "ref=5f1c2d3e-0000-4000-8000-00000000a009 from=2024-07-01T00:00:00Z "
            "first=2024-07-01T00:00:00Z",
            "email Ops@evil.example line=11 raw=Ops@Evil.Example "
            "ref=5f1c2d3e-0000-4000-8000-00000000a010 from=2024-07-01T00:00:00Z "
            "first=2024-07-01T00:00:00Z",
            NULL,
    };
    static const char *const none[] = {NULL};
    struct lrec r;

    run_file("misp-export.csv", &r);
    expect_lists(&r, ind, none, "misp-export.csv");
    lrec_free(&r);
}

/* abuse.ch shape: the header is a comment, cells are quoted and separated by ", ". */
static void test_commented_header(void)
{
    static const char *const ind[] = {
            "url http://gate.evil.example/panel/ line=7 confidence=100 "
            "from=2024-11-25T06:55:10Z first=2024-11-25T06:55:10Z labels=c2|CobaltStrike|botnet_cc",
            "ipv4 198.51.100.77 line=8 ctx=port=8443 confidence=75 from=2024-11-25T06:50:02Z "
            "first=2024-11-25T06:50:02Z last=2024-11-26T00:00:00Z labels=c2|botnet_cc",
            "md5 d41d8cd98f00b204e9800998ecf8427e line=9 confidence=50 "
            "from=2024-11-25T06:45:00Z first=2024-11-25T06:45:00Z labels=payload",
            "domain dl.evil.example line=10 confidence=25 from=2024-11-25T06:40:00Z "
            "first=2024-11-25T06:40:00Z labels=payload_delivery",
            NULL,
    };
    static const char *const none[] = {NULL};
    struct lrec r;

    run_file("threatfox.csv", &r);
    expect_lists(&r, ind, none, "threatfox.csv");
    lrec_free(&r);
}

/* ---- shape ------------------------------------------------------------------------------ */

static void test_delimiters(void)
{
    static const char delims[] = {',', ';', '\t', '|'};
    char in[256];

    for (size_t i = 0; i < sizeof(delims); i++) {
        char d = delims[i];
        struct lrec r;
        snprintf(in, sizeof(in),
                 "type%cvalue%cactor%cconfidence\nip%c203.0.113[.]45%cAPT40%chigh\n", d, d, d, d, d,
                 d);
        CHECK_INT(run(in, &r), RURU_OK);
        CHECK_INT(r.ind.n, 1);
        CHECK_STR(lrec_at(&r.ind, 0),
                  "ipv4 203.0.113.45 line=2 raw=203.0.113[.]45 confidence=85 actors=APT40");
        lrec_free(&r);
        /* Without a header: the first cell that looks like an indicator. */
        snprintf(in, sizeof(in), "note%c192.0.2.1%cevil.example\nx%cy%cevil.example\n", d, d, d, d);
        CHECK_INT(run(in, &r), RURU_OK);
        CHECK_INT(r.ind.n, 2);
        CHECK_STR(lrec_at(&r.ind, 0), "ipv4 192.0.2.1 line=1");
        CHECK_STR(lrec_at(&r.ind, 1), "domain evil.example line=2");
        CHECK_INT(r.rej.n, 0);
        lrec_free(&r);
    }
}

static void test_sniffing(void)
{
    static const struct tcase cases[] = {
            /* ',' is steady, ';' varies: ',' (a ';'-split cell of a comma file). */
            {"192.0.2.1,APT40;Leviathan\n192.0.2.2,APT41\n",
             {"ipv4 192.0.2.1 line=1", "ipv4 192.0.2.2 line=2"},
             {NULL}},
            /* ';' is steady, ',' varies: ';' (prose with commas in a ';' file). */
            {"192.0.2.1;C2 server, seen in March\n192.0.2.2;C2\n",
             {"ipv4 192.0.2.1 line=1", "ipv4 192.0.2.2 line=2"},
             {NULL}},
            /* One line with TAB and ';': both steady, TAB first. */
            {"192.0.2.1\tAPT40;Leviathan\n", {"ipv4 192.0.2.1 line=1"}, {NULL}},
            /* The header line decides: only '|' there. */
            {"value|actor\n192.0.2.1|APT40;Leviathan,APT41\n",
             {"ipv4 192.0.2.1 line=2 actors=APT40|Leviathan|APT41"},
             {NULL}},
            /* Delimiters inside quotes do not count. */
            {"\"a,b\";192.0.2.1\n", {"ipv4 192.0.2.1 line=1"}, {NULL}},
            /* None: one value per line, commas in it kept. */
            {"evil.example\nhttp://evil.example/a,b\n",
             {"domain evil.example line=1", "url http://evil.example/a,b line=2"},
             {NULL}},
    };

    run_cases(cases, N_CASES(cases));
}

static void test_headers(void)
{
    static const struct tcase cases[] = {
            {"value,comment\n192.0.2.1,x\n", {"ipv4 192.0.2.1 line=2 desc=x"}, {NULL}},
            {"192.0.2.1,x\n", {"ipv4 192.0.2.1 line=1"}, {NULL}},
            /* A known name beside an indicator: data, not a header. */
            {"5.6.7.8,info\n", {"ipv4 5.6.7.8 line=1"}, {NULL}},
            /* Spaces, dashes and case in names. */
            {"Threat Actor,IOC\nAPT40,192.0.2.1\n", {"ipv4 192.0.2.1 line=2 actors=APT40"}, {NULL}},
            {"First-Seen;Indicator\n2024-06-30;192.0.2.1\n",
             {"ipv4 192.0.2.1 line=2 from=2024-06-30T00:00:00Z first=2024-06-30T00:00:00Z"},
             {NULL}},
            {" VALUE , Kind \n 192.0.2.1 , IPv4 \n", {"ipv4 192.0.2.1 line=2"}, {NULL}},
            /* A header without a value column: the row's first unnamed cell that is one. */
            {"actor,first_seen,note\nAPT40,2024-06-30,192.0.2.1\n",
             {"ipv4 192.0.2.1 line=2 from=2024-06-30T00:00:00Z first=2024-06-30T00:00:00Z "
              "actors=APT40"},
             {NULL}},
            {"actor,note\nAPT40,nothing\nAPT41,\n",
             {NULL},
             {"line=2 col=2 value=nothing reason=unrecognised value",
              "line=3 col=0 value= reason=empty value"}},
            {"type,value\n", {NULL}, {NULL}},
            /* The header again (files joined with cat): skipped. */
            {"type,value\nip,192.0.2.1\nType,Value\nip,192.0.2.2\n",
             {"ipv4 192.0.2.1 line=2", "ipv4 192.0.2.2 line=4"},
             {NULL}},
            /* Commented headers: taken only with a value column and the row's cell count. */
            {"# ioc_value,actor,confidence\n192.0.2.1,APT40,80\n",
             {"ipv4 192.0.2.1 line=2 confidence=80 actors=APT40"},
             {NULL}},
            {"# date, notes\n192.0.2.1,c2\n", {"ipv4 192.0.2.1 line=2"}, {NULL}},
            {"# ioc_value,actor\n192.0.2.1,APT40,80\n", {"ipv4 192.0.2.1 line=2"}, {NULL}},
            /* A one-column list with a header. */
            {"indicator\n192.0.2.1 # note\n", {"ipv4 192.0.2.1 line=2 desc=note"}, {NULL}},
    };

    run_cases(cases, N_CASES(cases));
}

static void test_bom_crlf_comments(void)
{
    static const struct tcase cases[] = {
            {"\xef\xbb\xbf# c\r\n// c\r\n; c\r\n\r\n   \r\ntype,value\r\n# mid\r\nip,192.0.2.1\r\n"
             "\r\n\t# indented\r\nip,192.0.2.2\r\n",
             {"ipv4 192.0.2.1 line=8", "ipv4 192.0.2.2 line=11"},
             {NULL}},
            /* No newline at the end; CR-LF stripped from the last cell. */
            {"type,value,comment\r\nip,192.0.2.1,c2\r\nip,192.0.2.2,last",
             {"ipv4 192.0.2.1 line=2 desc=c2", "ipv4 192.0.2.2 line=3 desc=last"},
             {NULL}},
            /* ';' is no comment in a ';' file: an empty first cell. */
            {"value;actor\n;APT40\n192.0.2.1;APT41\n",
             {"ipv4 192.0.2.1 line=3 actors=APT41"},
             {"line=2 col=1 value= reason=empty value"}},
            {"\xef\xbb\xbf", {NULL}, {NULL}},
            {"", {NULL}, {NULL}},
            {"\n\n\r\n   \n", {NULL}, {NULL}},
            {"# only\n// comments\n", {NULL}, {NULL}},
            /* Rows of empty cells are blank rows. */
            {",,,\n;;\n", {NULL}, {NULL}},
            {"\xef\xbb\xbfvalue\n192.0.2.1\n", {"ipv4 192.0.2.1 line=2"}, {NULL}},
    };

    run_cases(cases, N_CASES(cases));
}

static void test_quoting(void)
{
    static const struct tcase cases[] = {
            /* A quote that never closes is literal: the next line is a row of its own. */
            {"value,desc\n\"192.0.2.1,unterminated\n192.0.2.2,ok\n",
             {"ipv4 192.0.2.2 line=3 desc=ok"},
             {"line=2 col=1 value=\"192.0.2.1 reason=unrecognised value"}},
            /* CRLF inside quotes is content; line counting goes on after it. */
            {"value,desc\r\n192.0.2.1,\"a\r\nb\"\r\n192.0.2.2,c\r\n",
             {"ipv4 192.0.2.1 line=2 desc=a\r\nb", "ipv4 192.0.2.2 line=4 desc=c"},
             {NULL}},
            /* "" escapes, an empty quoted cell, a quoted value. */
            {"value,desc,source\n\"192.0.2.1\",\"say \"\"hi\"\"\",\"\"\n",
             {"ipv4 192.0.2.1 line=2 desc=say \"hi\""},
             {NULL}},
            /* A quote inside an unquoted cell is kept. */
            {"value,desc\n192.0.2.1,6\" nails\n", {"ipv4 192.0.2.1 line=2 desc=6\" nails"}, {NULL}},
            /* Delimiter inside quotes of a TAB file. */
            {"value\tdesc\n192.0.2.1\t\"a\tb\"\n", {"ipv4 192.0.2.1 line=2 desc=a\tb"}, {NULL}},
            /* A lone quote. */
            {"\"", {NULL}, {"line=1 col=1 value=\" reason=unrecognised value"}},
    };

    run_cases(cases, N_CASES(cases));
}

/* ---- columns ---------------------------------------------------------------------------- */

/* Every header name of the brief, each in a two-line file "value,<name>" / "192.0.2.1,<cell>"
 * (or "<name>,comment" for value names, "value,<name>" with a file name for type names). */
static void test_column_names(void)
{
    static const struct {
        const char *name, *cell, *want;
    } cases[] = {
            {"actor", "APT40", "actors=APT40"},
            {"threat_actor", "APT40", "actors=APT40"},
            {"threat actor", "APT40", "actors=APT40"},
            {"Threat-Actor", "APT40", "actors=APT40"},
            {"group", "APT40", "actors=APT40"},
            {"apt", "APT40", "actors=APT40"},
            {"attribution", "APT40", "actors=APT40"},
            {"adversary", "APT40", "actors=APT40"},
            {"source", "cert.example", "by=cert.example"},
            {"feed", "cert.example", "by=cert.example"},
            {"provider", "cert.example", "by=cert.example"},
            {"org", "cert.example", "by=cert.example"},
            {"organisation", "cert.example", "by=cert.example"},
            {"Organization", "cert.example", "by=cert.example"},
            {"report", "AA21-200A", "by=AA21-200A"},
            {"reference", "https://cert.example/aa21-200a", "by=https://cert.example/aa21-200a"},
            {"confidence", "80", "confidence=80"},
            {"score", "0.8", "confidence=80"},
            {"first_seen", "2024-06-30", "from=2024-06-30T00:00:00Z first=2024-06-30T00:00:00Z"},
            {"firstseen", "2024-06-30", "from=2024-06-30T00:00:00Z first=2024-06-30T00:00:00Z"},
            {"first seen", "2024-06-30", "from=2024-06-30T00:00:00Z first=2024-06-30T00:00:00Z"},
            {"date", "2024-06-30", "from=2024-06-30T00:00:00Z first=2024-06-30T00:00:00Z"},
            {"last_seen", "2024-06-30", "last=2024-06-30T00:00:00Z"},
            {"valid_from", "2024-06-30", "from=2024-06-30T00:00:00Z"},
            {"valid_until", "2025-06-30", "until=2025-06-30T00:00:00Z"},
            {"expires", "2025-06-30", "until=2025-06-30T00:00:00Z"},
            {"expiration", "2025-06-30", "until=2025-06-30T00:00:00Z"},
            {"expiry", "2025-06-30", "until=2025-06-30T00:00:00Z"},
            {"description", "c2", "desc=c2"},
            {"comment", "c2", "desc=c2"},
            {"comments", "c2", "desc=c2"},
            {"desc", "c2", "desc=c2"},
            {"notes", "c2", "desc=c2"},
            {"info", "c2", "desc=c2"},
            {"tlp", "TLP:AMBER", "tlp=amber"},
            {"tags", "a;b", "labels=a|b"},
            {"labels", "a;b", "labels=a|b"},
            {"tag", "a;b", "labels=a|b"},
            {"id", "ioc-1", "ref=ioc-1"},
            {"uuid", "5f1c2d3e-0000-4000-8000-000000000001",
             "ref=5f1c2d3e-0000-4000-8000-000000000001"},
    };
    static const char *const value_names[] = {"value",      "indicator", "ioc",
                                              "observable", "ioc_value", "data"};
    static const char *const type_names[] = {"type", "indicator_type", "ioc_type", "kind"};
    char in[256], want[256];
    struct lrec r;

    for (size_t i = 0; i < N_CASES(cases); i++) {
        snprintf(in, sizeof(in), "value,%s\n192.0.2.1,%s\n", cases[i].name, cases[i].cell);
        snprintf(want, sizeof(want), "ipv4 192.0.2.1 line=2 %s", cases[i].want);
        CHECK_INT(run(in, &r), RURU_OK);
        if (r.ind.n != 1 || strcmp(lrec_at(&r.ind, 0), want) != 0)
            fprintf(stderr, "column %s\n", cases[i].name);
        CHECK_INT(r.ind.n, 1);
        CHECK_STR(lrec_at(&r.ind, 0), want);
        lrec_free(&r);
    }
    for (size_t i = 0; i < N_CASES(value_names); i++) {
        /* The value column is not the first cell, so inference cannot be what finds it. */
        snprintf(in, sizeof(in), "comment,%s\n198.51.100.1,192.0.2.1\n", value_names[i]);
        CHECK_INT(run(in, &r), RURU_OK);
        CHECK_STR(lrec_at(&r.ind, 0), "ipv4 192.0.2.1 line=2 desc=198.51.100.1");
        lrec_free(&r);
    }
    for (size_t i = 0; i < N_CASES(type_names); i++) {
        /* Inferred, invoice.pdf.exe would be a host name: the type column makes it a file. */
        snprintf(in, sizeof(in), "value,%s\ninvoice.pdf.exe,filename\n", type_names[i]);
        CHECK_INT(run(in, &r), RURU_OK);
        CHECK_STR(lrec_at(&r.ind, 0), "filename invoice.pdf.exe line=2");
        lrec_free(&r);
    }
    /* Without an id column there is no ref: the store derives the id. */
    CHECK_INT(run("value,actor\n192.0.2.1,APT40\n", &r), RURU_OK);
    CHECK(strstr(lrec_at(&r.ind, 0), "ref=") == NULL);
    lrec_free(&r);
}

/* A row's provenance (created_by): its source column, its report column, or both. The store
 * keeps one value listed by two reports as two indicators, and the judgement takes them for two
 * reports (docs/attribution.md). */
static void test_provenance(void)
{
    static const struct tcase cases[] = {
            {"type,value,source,report\n"
             "ip,192.0.2.1,CISA,AA21-200A\n"
             "ip,192.0.2.2,CISA,\n"
             "ip,192.0.2.3,,AA22-257A\n"
             "ip,192.0.2.4,,\n",
             {"ipv4 192.0.2.1 line=2 by=CISA / AA21-200A", "ipv4 192.0.2.2 line=3 by=CISA",
              "ipv4 192.0.2.3 line=4 by=AA22-257A", "ipv4 192.0.2.4 line=5", NULL},
             {NULL}},
            /* the first column of a kind is the one read, as for every column */
            {"value;report;reference;org;source\n198.51.100.1;Report 1;https://x.example;"
             "ACSC;NCSC\n",
             {"ipv4 198.51.100.1 line=2 by=ACSC / Report 1", NULL},
             {NULL}},
            /* text is cleaned before it is joined: a bad byte becomes U+FFFD */
            {"value,organisation,reference\n198.51.100.2,CERT-\xe9,r1\n",
             {"ipv4 198.51.100.2 line=2 by=CERT-\xef\xbf\xbd / r1", NULL},
             {NULL}},
    };

    run_cases(cases, N_CASES(cases));
}

static void test_field_values(void)
{
    static const struct tcase cases[] = {
            /* Confidence words, fractions, percentages; bad ones are absent, not rejected. */
            {"value,confidence\n192.0.2.1,High\n192.0.2.2,medium\n192.0.2.3,LOW\n"
             "192.0.2.4,very high\n",
             {"ipv4 192.0.2.1 line=2 confidence=85", "ipv4 192.0.2.2 line=3 confidence=50",
              "ipv4 192.0.2.3 line=4 confidence=15", "ipv4 192.0.2.4 line=5"},
             {NULL}},
            {"value,confidence\n192.0.2.1,1.0\n192.0.2.2,1\n192.0.2.3,101\n192.0.2.4,55%\n",
             {"ipv4 192.0.2.1 line=2 confidence=100", "ipv4 192.0.2.2 line=3 confidence=1",
              "ipv4 192.0.2.3 line=4", "ipv4 192.0.2.4 line=5 confidence=55"},
             {NULL}},
            /* Dates: RFC 3339 with an offset, epoch seconds, null markers. */
            {"value,first_seen,expires\n192.0.2.1,2024-06-30T12:00:00+02:00,1751241600\n"
             "192.0.2.2,-,never\n192.0.2.3,null,N/A\n",
             {"ipv4 192.0.2.1 line=2 from=2024-06-30T10:00:00Z until=2025-06-30T00:00:00Z "
              "first=2024-06-30T10:00:00Z",
              "ipv4 192.0.2.2 line=3", "ipv4 192.0.2.3 line=4"},
             {NULL}},
            /* valid_from wins over first_seen as the start of validity. */
            {"value,first_seen,valid_from\n192.0.2.1,2024-01-01,2024-02-01\n",
             {"ipv4 192.0.2.1 line=2 from=2024-02-01T00:00:00Z first=2024-01-01T00:00:00Z"},
             {NULL}},
            /* A malformed date is reported with its column and the indicator kept without it;
             * a bad value is reported instead (the date is then moot). */
            {"value,last_seen\n192.0.2.1,2024-13-01\nnot-an-ioc,yesterday\n",
             {"ipv4 192.0.2.1 line=2"},
             {"line=2 col=2 value=2024-13-01 reason=malformed date (indicator kept without it)",
              "line=3 col=1 value=not-an-ioc reason=unrecognised value"}},
            /* TLP spellings. */
            {"value,tlp\n192.0.2.1,white\n192.0.2.2,TLP:CLEAR\n192.0.2.3,Amber+Strict\n"
             "192.0.2.4,purple\n",
             {"ipv4 192.0.2.1 line=2 tlp=clear", "ipv4 192.0.2.2 line=3 tlp=clear",
              "ipv4 192.0.2.3 line=4 tlp=amber+strict", "ipv4 192.0.2.4 line=5"},
             {NULL}},
            /* Without a TLP column a tlp: tag marks (the most restrictive); "red" alone does
             * not. */
            {"value,tags\n192.0.2.1,tlp:green;tlp:red;x\n192.0.2.2,red\n",
             {"ipv4 192.0.2.1 line=2 tlp=red labels=tlp:green|tlp:red|x",
              "ipv4 192.0.2.2 line=3 labels=red"},
             {NULL}},
            /* Tags split on ; | , (quoted in a comma file), trimmed, once each. */
            {"value,tags\n192.0.2.1,\"a;b|c,d\"\n192.0.2.2, a ;a;; b \n",
             {"ipv4 192.0.2.1 line=2 labels=a|b|c|d", "ipv4 192.0.2.2 line=3 labels=a|b"},
             {NULL}},
            /* to_ids. */
            {"value,to_ids\n192.0.2.1,0\n192.0.2.2,1\n192.0.2.3,False\n",
             {"ipv4 192.0.2.1 line=2 no-ids", "ipv4 192.0.2.2 line=3",
              "ipv4 192.0.2.3 line=4 no-ids"},
             {NULL}},
    };

    run_cases(cases, N_CASES(cases));
}

static void test_actors(void)
{
    static const char *const inputs[] = {
            "value,actor\n192.0.2.1,APT40;Leviathan\n",
            "value,actor\n192.0.2.1,APT40|Leviathan\n",
            "value,actor\n192.0.2.1,\"APT40, Leviathan\"\n",
            "value,actor\n192.0.2.1, APT40 ; ; Leviathan ;APT40\n",
            "value;actor\n192.0.2.1;\"APT40;Leviathan\"\n",
            "value|actor\n192.0.2.1|APT40,Leviathan\n",
            "value\tactor\n192.0.2.1\tAPT40|Leviathan\n",
            /* A galaxy tag adds its actor once. */
            ("value,actor,tags\n192.0.2.1,APT40,\"misp-galaxy:threat-actor=\"\"APT40\"\";"
             "misp-galaxy:threat-actor=\"\"Leviathan\"\"\"\n"),
    };
    struct lrec r;

    for (size_t i = 0; i < N_CASES(inputs); i++) {
        CHECK_INT(run(inputs[i], &r), RURU_OK);
        CHECK_INT(r.ind.n, 1);
        CHECK(strncmp(lrec_at(&r.ind, 0), "ipv4 192.0.2.1 line=2 actors=APT40|Leviathan",
                      strlen("ipv4 192.0.2.1 line=2 actors=APT40|Leviathan")) == 0);
        lrec_free(&r);
    }
}

/* ---- types ------------------------------------------------------------------------------ */

static void test_type_names(void)
{
    static const struct {
        const char *type, *value, *want; /* want: an indicator, or "reject: <reason>" */
    } cases[] = {
            /* ruru names and synonyms */
            {"ipv4", "192.0.2.1", "ipv4 192.0.2.1 line=2"},
            {"IP", "192.0.2.1", "ipv4 192.0.2.1 line=2"},
            {"ip", "2001:DB8::1", "ipv6 2001:db8::1 line=2 raw=2001:DB8::1"},
            {"cidr", "198.51.100.0/24", "cidr4 198.51.100.0/24 line=2"},
            {"hostname", "Evil.Example.", "domain evil.example line=2 raw=Evil.Example."},
            {"fqdn", "evil.example", "domain evil.example line=2"},
            {"url", "evil.example/gate.php",
             "url http://evil.example/gate.php line=2 raw=evil.example/gate.php"},
            {"hash", "D41D8CD98F00B204E9800998ECF8427E",
             "md5 d41d8cd98f00b204e9800998ecf8427e line=2 raw=D41D8CD98F00B204E9800998ECF8427E"},
            {"sha-256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
             "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 line=2"},
            {"user-agent", "Mozilla/5.0 (X11)", "user-agent Mozilla/5.0 (X11) line=2"},
            /* MISP attribute types */
            {"ip-dst", "192.0.2.1", "ipv4 192.0.2.1 line=2"},
            {"ip-src", "192.0.2.1", "ipv4 192.0.2.1 line=2"},
            {"domain", "evil.example", "domain evil.example line=2"},
            {"email-src", "ops@evil.example", "email ops@evil.example line=2"},
            {"filename", "invoice.pdf.exe", "filename invoice.pdf.exe line=2"},
            {"AS", "AS64500", "asn AS64500 line=2"},
            {"ja3-fingerprint-md5", "e7d705a3286e19ea42f587b344ee6865",
             "ja3 e7d705a3286e19ea42f587b344ee6865 line=2"},
            {"x509-fingerprint-sha256",
             "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
             "x509-sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 "
             "line=2"},
            {"ip-dst|port", "192.0.2.1|443", "ipv4 192.0.2.1 line=2 ctx=port=443"},
            {"hostname|port", "evil.example|8080", "domain evil.example line=2 ctx=port=8080"},
            {"filename|md5", "a.exe|d41d8cd98f00b204e9800998ecf8427e",
             "md5 d41d8cd98f00b204e9800998ecf8427e line=2 ctx=filename=a.exe"},
            /* abuse.ch */
            {"ip:port", "[2001:db8::1]:443", "ipv6 2001:db8::1 line=2 ctx=port=443"},
            {"ip:port", "2001:db8::1", "ipv6 2001:db8::1 line=2"},
            {"md5_hash", "d41d8cd98f00b204e9800998ecf8427e",
             "md5 d41d8cd98f00b204e9800998ecf8427e line=2"},
            /* Zeek intel types */
            {"Intel::ADDR", "192.0.2.1", "ipv4 192.0.2.1 line=2"},
            {"Intel::SUBNET", "198.51.100.0/24", "cidr4 198.51.100.0/24 line=2"},
            {"Intel::DOMAIN", "evil.example", "domain evil.example line=2"},
            {"Intel::URL", "evil.example/gate.php",
             "url http://evil.example/gate.php line=2 raw=evil.example/gate.php"},
            {"Intel::EMAIL", "ops@evil.example", "email ops@evil.example line=2"},
            {"Intel::FILE_HASH", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
             "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 line=2"},
            {"Intel::FILE_NAME", "invoice.pdf.exe", "filename invoice.pdf.exe line=2"},
            {"Intel::CERT_HASH", "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01",
             "x509-sha1 abcdef0123456789abcdef0123456789abcdef01 line=2 "
             "raw=AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01"},
            {"Intel::SOFTWARE", "putty", "string putty line=2"},
            {"Intel::ADDR", "evil.example", "reject: value does not match type"},
            /* A type ruru does not know is refused, never guessed from the value. */
            {"yara", "192.0.2.1", "type: unknown indicator type"},
            {"Intel::BOGUS", "192.0.2.1", "type: unknown indicator type"},
            {"yara", "Global\\evil", "type: unknown indicator type"},
            /* Vendor feeds' names: a process is its image file (a file name is never a
             * domain), with a directory a path; "url path", "IP_Address" read as names. */
            {"process", "cmd.exe", "filename cmd.exe line=2"},
            {"parentprocess", "Serv-U.exe", "filename Serv-U.exe line=2"},
            {"process", "C:\\Windows\\cmd.exe", "filepath C:\\Windows\\cmd.exe line=2"},
            {"FilePath", "C:\\Users\\x\\.ssh\\id_rsa",
             "filepath C:\\Users\\x\\.ssh\\id_rsa line=2"},
            {"filepath", "Windows\\\\ADFS\\\\version.dll",
             "filepath Windows\\ADFS\\version.dll line=2 raw=Windows\\\\ADFS\\\\version.dll"},
            {"filepath", "\\\\srv\\share\\x.exe", "filepath \\\\srv\\share\\x.exe line=2"},
            {"filename", "evil[.]exe", "filename evil[.]exe line=2"},
            {"url path", "/owa/auth/x.aspx", "uri-path /owa/auth/x.aspx line=2"},
            {"URI", "/owa/auth/x.aspx", "uri-path /owa/auth/x.aspx line=2"},
            {"IP_Address", "192.0.2.1", "ipv4 192.0.2.1 line=2"},
            {"domainname", "evil[.]example", "domain evil.example line=2 raw=evil[.]example"},
            /* a file-name regex is checked as the sweep will compile it */
            {"filename-regex", "\\\\evil\\.exe$", "filename-regex \\\\evil\\.exe$ line=2"},
            {"filename-regex", "\\\\evil(\\.exe",
             "reject: regex does not compile: missing closing parenthesis (at offset 12)"},
            {"AVDetection", "Trojan:MSIL/QuietSieve.Gen!dha",
             "string Trojan:MSIL/QuietSieve.Gen!dha line=2"},
            {"sha256_hash", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
             "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 line=2 "
             "raw=E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"},
            /* A declared type is not second-guessed (the normaliser files an address written
             * as a host name under its family, though). */
            {"md5", "192.0.2.1", "reject: malformed hash"},
            {"domain", "192.0.2.1", "ipv4 192.0.2.1 line=2"},
    };
    char in[512], want[512];
    struct lrec r;

    for (size_t i = 0; i < N_CASES(cases); i++) {
        bool is_type = strncmp(cases[i].want, "type: ", 6) == 0;
        bool is_reject = is_type || strncmp(cases[i].want, "reject: ", 8) == 0;
        snprintf(in, sizeof(in), "type,value\n%s,%s\n", cases[i].type, cases[i].value);
        if (is_type)
            snprintf(want, sizeof(want), "line=2 col=1 value=%s reason=%s", cases[i].type,
                     cases[i].want + 6);
        else if (is_reject)
            snprintf(want, sizeof(want), "line=2 col=2 value=%s reason=%s", cases[i].value,
                     cases[i].want + 8);
        else
            snprintf(want, sizeof(want), "%s", cases[i].want);
        CHECK_INT(run(in, &r), RURU_OK);
        if ((is_reject ? r.rej.n : r.ind.n) != 1 ||
            strcmp(lrec_at(is_reject ? &r.rej : &r.ind, 0), want) != 0)
            fprintf(stderr, "type %s value %s\n", cases[i].type, cases[i].value);
        CHECK_INT(r.ind.n + r.rej.n, 1);
        CHECK_STR(lrec_at(is_reject ? &r.rej : &r.ind, 0), want);
        lrec_free(&r);
    }
    /* domain|ip gives two indicators; an id gets "#1" and "#2". */
    CHECK_INT(run("id,type,value\nx-1,domain|ip,evil.example|192.0.2.1\n", &r), RURU_OK);
    CHECK_INT(r.ind.n, 2);
    CHECK_STR(lrec_at(&r.ind, 0), "domain evil.example line=2 ref=x-1#1");
    CHECK_STR(lrec_at(&r.ind, 1), "ipv4 192.0.2.1 line=2 ref=x-1#2");
    lrec_free(&r);
}

/* ---- hostile input ---------------------------------------------------------------------- */

static void test_long_lines(void)
{
    size_t big = 10u << 20;
    char *data = malloc(big + 128);
    struct lrec r;
    size_t n;

    /* A 10 MB line between two good ones: cut at the cap (1 MiB), the rest refused; the cut
     * row is read as far as it goes (here a value of a's, refused as such); both good rows
     * land. */
    memcpy(data, "192.0.2.1\n", 10);
    memset(data + 10, 'a', big);
    memcpy(data + 10 + big, "\n192.0.2.2\n", 11);
    CHECK_INT(lrec_run(ruru_csv_import, data, big + 21, &r), RURU_OK);
    CHECK_INT(r.ind.n, 2);
    CHECK_STR(lrec_at(&r.ind, 0), "ipv4 192.0.2.1 line=1");
    CHECK_STR(lrec_at(&r.ind, 1), "ipv4 192.0.2.2 line=3");
    CHECK_INT(r.rej.n, 2);
    CHECK(strncmp(lrec_at(&r.rej, 0), "line=2 col=0 value=aaaa", 23) == 0);
    CHECK(strstr(lrec_at(&r.rej, 0),
                 " reason=line longer than 1 MiB: cut there, the rest of the line dropped") !=
          NULL);
    CHECK(strncmp(lrec_at(&r.rej, 1), "line=2 ", 7) == 0);
    lrec_free(&r);

    /* A 10 MB quoted cell after the value: the value is kept with its description cut at the
     * cap, the rest refused; reading resumes after the next newline. */
    n = 0;
    memcpy(data, "value,desc\n192.0.2.1,\"", 22);
    n = 22;
    memset(data + n, 'b', big);
    n += big;
    memcpy(data + n, "\"\n192.0.2.2,x\n", 14);
    n += 14;
    CHECK_INT(lrec_run(ruru_csv_import, data, n, &r), RURU_OK);
    CHECK_INT(r.ind.n, 2);
    CHECK(strncmp(lrec_at(&r.ind, 0), "ipv4 192.0.2.1 line=2 desc=bbbb", 31) == 0);
    CHECK_STR(lrec_at(&r.ind, 1), "ipv4 192.0.2.2 line=3 desc=x");
    CHECK_INT(r.rej.n, 1);
    CHECK(strstr(lrec_at(&r.rej, 0), " reason=line longer than 1 MiB: cut there") != NULL);
    lrec_free(&r);

    /* A quoted cell of 1100 lines of 1000 bytes passes the cap: reading resumes inside it,
     * and the lines after it still carry their own numbers. */
    n = 0;
    memcpy(data, "value,desc\n192.0.2.1,\"", 22);
    n = 22;
    for (int i = 0; i < 1100; i++) {
        memset(data + n, 'c', 999);
        data[n + 999] = '\n';
        n += 1000;
    }
    memcpy(data + n, "\"\n192.0.2.3,y\n", 14);
    n += 14;
    CHECK_INT(lrec_run(ruru_csv_import, data, n, &r), RURU_OK);
    CHECK_INT(r.ind.n, 2);
    CHECK(strncmp(lrec_at(&r.ind, 0), "ipv4 192.0.2.1 line=2 desc=cccc", 31) == 0);
    CHECK_STR(lrec_at(&r.ind, 1), "ipv4 192.0.2.3 line=1103 desc=y");
    CHECK(strncmp(lrec_at(&r.rej, 0), "line=2 col=0 ", 13) == 0);
    CHECK(strstr(lrec_at(&r.rej, 0), "reason=line longer than 1 MiB: cut there") != NULL);
    /* The cap is 1 MiB from the row's start (offset 11): the newlines of lines 2..1049 lie
     * before it, reading resumes after the next one, so lines 1051..1101 are rows of c's,
     * and line 1102 is the closing quote, which now opens an unclosed (literal) quote. */
    CHECK_INT(r.rej.n, 1 + (1101 - 1051 + 1) + 1);
    CHECK(strncmp(lrec_at(&r.rej, 1), "line=1051 col=1 value=ccc", 25) == 0);
    CHECK(strncmp(lrec_at(&r.rej, r.rej.n - 1), "line=1102 col=1 value=\"", 23) == 0);
    lrec_free(&r);
    free(data);
}

static void test_bad_bytes(void)
{
    static const char utf8[] = "value,desc,actor\n\xff\xfe.example,ok,APT40\n"
                               "192.0.2.1,caf\xe9,\xc3\x28x\n192.0.2.2,\xed\xa0\x80,A\n"
                               "192.0.2.3,\xc0\xaf \xf4\x90\x80\x80 \xf0\x9f\x98\x80,A\n";
    static const char text[] = "\xff\xfe\xfd.example\n\xc3\x28\n192.0.2.5\n";
    static const char nul_text[] = "192.0.2.6\n\0\n192.0.2.7\n1.2.3\0.4\n";
    static const char nul_csv[] = "value,desc\n192.0.2.8\0,x\n192.0.2.9,x\0y\n";
    struct lrec r;

    /* Invalid UTF-8: a value is rejected, other text gets U+FFFD per bad byte. */
    CHECK_INT(lrec_run(ruru_csv_import, utf8, sizeof(utf8) - 1, &r), RURU_OK);
    CHECK_INT(r.rej.n, 1);
    CHECK_STR(lrec_at(&r.rej, 0),
              "line=2 col=1 value=\xef\xbf\xbd\xef\xbf\xbd.example reason=invalid UTF-8");
    CHECK_INT(r.ind.n, 3);
    CHECK_STR(lrec_at(&r.ind, 0),
              "ipv4 192.0.2.1 line=3 desc=caf\xef\xbf\xbd actors=\xef\xbf\xbd(x");
    CHECK_STR(lrec_at(&r.ind, 1),
              "ipv4 192.0.2.2 line=4 desc=\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd actors=A");
    /* Overlong C0 AF and F4 90.. (above U+10FFFF) are bad; the emoji is fine. */
    CHECK_STR(lrec_at(&r.ind, 2),
              "ipv4 192.0.2.3 line=5 desc=\xef\xbf\xbd\xef\xbf\xbd "
              "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xf0\x9f\x98\x80 actors=A");
    lrec_free(&r);

    CHECK_INT(lrec_run(ruru_csv_import, text, sizeof(text) - 1, &r), RURU_OK);
    CHECK_INT(r.ind.n, 1);
    CHECK_STR(lrec_at(&r.ind, 0), "ipv4 192.0.2.5 line=3");
    CHECK_INT(r.rej.n, 2);
    lrec_free(&r);

    /* NUL bytes: lines go on; a value holding one is rejected; in text it becomes U+FFFD. */
    CHECK_INT(lrec_run(ruru_csv_import, nul_text, sizeof(nul_text) - 1, &r), RURU_OK);
    CHECK_INT(r.ind.n, 2);
    CHECK_STR(lrec_at(&r.ind, 0), "ipv4 192.0.2.6 line=1");
    CHECK_STR(lrec_at(&r.ind, 1), "ipv4 192.0.2.7 line=3");
    CHECK_INT(r.rej.n, 2);
    CHECK_STR(lrec_at(&r.rej, 0), "line=2 col=1 value=\xef\xbf\xbd reason=unrecognised value");
    CHECK_STR(lrec_at(&r.rej, 1),
              "line=4 col=1 value=1.2.3\xef\xbf\xbd.4 reason=unrecognised value");
    lrec_free(&r);
    CHECK_INT(lrec_run(ruru_csv_import, nul_csv, sizeof(nul_csv) - 1, &r), RURU_OK);
    CHECK_INT(r.rej.n, 1);
    CHECK_STR(lrec_at(&r.rej, 0),
              "line=2 col=1 value=192.0.2.8\xef\xbf\xbd reason=NUL byte in value");
    CHECK_INT(r.ind.n, 1);
    CHECK_STR(lrec_at(&r.ind, 0), "ipv4 192.0.2.9 line=3 desc=x\xef\xbf\xbdy");
    lrec_free(&r);
}

static void test_many_cells(void)
{
    char *in = malloc(4096);
    size_t n = 0;
    struct lrec r;

    /* 300 cells: the indicator in cell 200 is found; past the 256 kept cells it is not. */
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(in + n, 4096 - n, "%s%s", i ? "," : "",
                              i == 200   ? "192.0.2.1"
                              : i == 290 ? "192.0.2.2"
                                         : "x");
    memcpy(in + n, "\n", 2);
    CHECK_INT(run(in, &r), RURU_OK);
    CHECK_INT(r.ind.n, 1);
    CHECK_STR(lrec_at(&r.ind, 0), "ipv4 192.0.2.1 line=1");
    lrec_free(&r);
    in[strchr(in, '1') - in] = '9'; /* spoil 192.0.2.1 into 992.0.2.1 */
    CHECK_INT(run(in, &r), RURU_OK);
    CHECK_INT(r.ind.n, 0);
    CHECK_INT(r.rej.n, 1);
    CHECK_STR(lrec_at(&r.rej, 0), "line=1 col=1 value=x reason=unrecognised value");
    lrec_free(&r);
    free(in);
}

/* ---- the sink, memory ------------------------------------------------------------------- */

static int stop_after;

static enum ruru_err stopping_indicator(void *ctx, const struct ruru_intel_indicator *x)
{
    (void)x;
    return ++*(int *)ctx >= stop_after ? RURU_ESTOPPED : RURU_OK;
}

static void test_sink_stops(void)
{
    int seen = 0;
    struct ruru_intel_sink sink = {&seen, stopping_indicator, NULL, NULL, NULL, NULL, NULL};
    struct ruru_import_ctx ctx;
    struct ruru_diag d;
    static const char in[] = "not an ioc\n192.0.2.1\n192.0.2.2\n192.0.2.3\n";

    memset(&ctx, 0, sizeof(ctx));
    ctx.path = "test";
    ctx.sink = &sink;
    stop_after = 2;
    /* No reject callback: the rejection is dropped; the sink's error stops the import. */
    CHECK_INT(ruru_csv_import(in, sizeof(in) - 1, &ctx, &d), RURU_ESTOPPED);
    CHECK_INT(seen, 2);
}

static enum ruru_err count_indicator(void *ctx, const struct ruru_intel_indicator *x)
{
    (void)x;
    ++*(int *)ctx;
    return RURU_OK;
}

/* Every allocation failing in turn: RURU_OK or RURU_ENOMEM, never a crash or a leak. */
static void test_oom(void)
{
    static const char in[] =
            "# c\nid,type,value,actor,tags,description,first_seen,source,report\n"
            "a,ip,192.0.2[.]1,APT40;X,\"tlp:red,misp-galaxy:threat-actor=\"\"Y\"\"\","
            "caf\xe9,2024-06-30,CERT-\xe9,r1\n"
            "b,domain|ip,evil.example|192.0.2.2,,,,,CERT,r2\n"
            "c,filename|md5,a.exe|d41d8cd98f00b204e9800998ecf8427e,,,,,,\n"
            "d,url,hxxp://evil[.]example/x,,,,bad date,,\n";
    int seen = 0;
    struct ruru_intel_sink sink = {&seen, count_indicator, NULL, NULL, NULL, NULL, NULL};
    struct ruru_import_ctx ctx;
    struct ruru_diag d;
    uint64_t before = ruru_alloc_count(), total;
    int bad = 0;

    memset(&ctx, 0, sizeof(ctx));
    ctx.path = "test";
    ctx.sink = &sink;
    CHECK_INT(ruru_csv_import(in, sizeof(in) - 1, &ctx, &d), RURU_OK);
    CHECK_INT(seen, 5); /* d keeps its URL without the bad date */
    total = ruru_alloc_count() - before;
    CHECK(total > 3);
    for (uint64_t i = 1; i <= total + 1; i++) {
        enum ruru_err err;
        ruru_alloc_fail_at(i);
        err = ruru_csv_import(in, sizeof(in) - 1, &ctx, &d);
        ruru_alloc_fail_at(0);
        bad += err != RURU_OK && err != RURU_ENOMEM;
        if (err == RURU_ENOMEM)
            bad += strcmp(d.msg, "out of memory") != 0;
    }
    CHECK_INT(bad, 0);
}

/* ---- helpers (csv.h) -------------------------------------------------------------------- */

static void test_confidence(void)
{
    static const struct {
        const char *in;
        int want;
    } cases[] = {
            {"80", 80},
            {"0", 0},
            {"100", 100},
            {"101", -1},
            {"0.8", 80},
            {"0.85", 85},
            {"0.855", 85},
            {".5", 50},
            {"1.0", 100},
            {"1", 1},
            {"1.5", 1},
            {"80.9", 80},
            {"100.0", 100},
            {"80%", 80},
            {"0.8%", 0},
            {"high", 85},
            {"Medium", 50},
            {" low ", 15},
            {"", -1},
            {".", -1},
            {"-5", -1},
            {"1.2.3", -1},
            {"9999999999999", -1},
            {"abc", -1},
    };

    for (size_t i = 0; i < N_CASES(cases); i++) {
        int got = ruru_csv_confidence(cases[i].in, strlen(cases[i].in));
        if (got != cases[i].want)
            fprintf(stderr, "confidence \"%s\"\n", cases[i].in);
        CHECK_INT(got, cases[i].want);
    }
}

static void test_utf8(void)
{
    static const struct {
        const char *in;
        size_t len, want;
    } cases[] = {
            {"abc", 3, 3},
            {"caf\xc3\xa9", 5, 5},
            {"\xf0\x9f\x98\x80", 4, 4},
            {"\xef\xbf\xbd", 3, 3},
            {"a\xc0\x80", 3, 1},         /* overlong NUL */
            {"a\xe0\x80\x80", 4, 1},     /* overlong */
            {"a\xed\xa0\x80", 4, 1},     /* surrogate */
            {"a\xf4\x90\x80\x80", 5, 1}, /* above U+10FFFF */
            {"a\xc3", 2, 1},             /* cut short */
            {"a\0b", 3, 1},              /* NUL */
            {"\x80", 1, 0},
    };
    struct ruru_buf b;

    for (size_t i = 0; i < N_CASES(cases); i++)
        CHECK_INT(ruru_csv_utf8_prefix(cases[i].in, cases[i].len), cases[i].want);
    ruru_buf_init(&b, 64);
    /* Cut at a character boundary: 4 bytes of room take "a" and not half of the emoji. */
    CHECK_STR(ruru_csv_text_copy("ab\xf0\x9f\x98\x80", 6, 4, &b), "ab");
    CHECK_STR(ruru_csv_text_copy("a\xff", 2, 64, &b), "a\xef\xbf\xbd");
    CHECK_STR(ruru_csv_text_copy("a\xff", 2, 3, &b), "a"); /* no room for U+FFFD */
    ruru_buf_fini(&b);
}

/* ---- the benchmark's shape -------------------------------------------------------------- */

/* bench/import.py's lists (../shared/bench/gen_corpus.py): "type,value" with the kinds ipv4
 * ipv4 domain domain url sha256 md5 ipv6 cidr in turn. */
static void test_bench_shape(void)
{
    static const char *const kinds[] = {"ipv4",   "ipv4", "domain", "domain", "url",
                                        "sha256", "md5",  "ipv6",   "cidr"};
    size_t n_rows = 9000, cap = n_rows * 100 + 16, n = 0;
    char *in = malloc(cap);
    size_t per_type[RURU_IOC__COUNT] = {0};
    struct lrec r;

    n += (size_t)snprintf(in, cap, "type,value\n");
    for (size_t i = 0; i < n_rows; i++) {
        const char *k = kinds[i % 9];
        unsigned a = (unsigned)(i / 256 % 256), b = (unsigned)(i % 256);
        if (strcmp(k, "ipv4") == 0)
            n += (size_t)snprintf(in + n, cap - n, "ipv4,185.%u.%u.%u\n", a, b,
                                  1 + (unsigned)(i % 254));
        else if (strcmp(k, "domain") == 0)
            n += (size_t)snprintf(in + n, cap - n, "domain,zqgmuao%zu.xyz\n", i);
        else if (strcmp(k, "url") == 0)
            n += (size_t)snprintf(in + n, cap - n,
                                  "url,http://wiqnpmxdv%zu.online/gate/%06zx.php\n", i, i);
        else if (strcmp(k, "sha256") == 0)
            n += (size_t)snprintf(in + n, cap - n, "sha256,%064zx\n", i + 1);
        else if (strcmp(k, "md5") == 0)
            n += (size_t)snprintf(in + n, cap - n, "md5,%032zx\n", i + 1);
        else if (strcmp(k, "ipv6") == 0)
            n += (size_t)snprintf(in + n, cap - n, "ipv6,2a0%x:%x:%x::%x\n", 1 + (unsigned)i % 15,
                                  a, b, 1 + (unsigned)i);
        else
            n += (size_t)snprintf(in + n, cap - n, "cidr,45.%u.%u.0/24\n", a, b);
    }
    CHECK_INT(lrec_run(ruru_csv_import, in, n, &r), RURU_OK);
    CHECK_INT(r.ind.n, n_rows);
    CHECK_INT(r.rej.n, 0);
    for (size_t i = 0; i < r.ind.n; i++) {
        bool known;
        char name[16];
        size_t k = strcspn(r.ind.v[i], " ");
        snprintf(name, sizeof(name), "%.*s", (int)k, r.ind.v[i]);
        per_type[ruru_ioc_type_parse(name, &known)]++;
    }
    CHECK_INT(per_type[RURU_IOC_IPV4], 2000);
    CHECK_INT(per_type[RURU_IOC_DOMAIN], 2000);
    CHECK_INT(per_type[RURU_IOC_URL], 1000);
    CHECK_INT(per_type[RURU_IOC_SHA256], 1000);
    CHECK_INT(per_type[RURU_IOC_MD5], 1000);
    CHECK_INT(per_type[RURU_IOC_IPV6], 1000);
    CHECK_INT(per_type[RURU_IOC_CIDR4], 1000);
    CHECK_STR(lrec_at(&r.ind, 0), "ipv4 185.0.0.1 line=2");
    CHECK_STR(lrec_at(&r.ind, 2), "domain zqgmuao2.xyz line=4");
    CHECK_STR(lrec_at(&r.ind, 4), "url http://wiqnpmxdv4.online/gate/000004.php line=6");
    CHECK_STR(lrec_at(&r.ind, 7), "ipv6 2a08:0:7::8 line=9");
    CHECK_STR(lrec_at(&r.ind, 8), "cidr4 45.0.8.0/24 line=10");
    CHECK_STR(lrec_at(&r.ind, 8999), "cidr4 45.35.39.0/24 line=9001");
    lrec_free(&r);
    free(in);
}

/* ---- real feeds (../shared/data/intel, read in place) ------------------------------------- */

static void run_shared(const char *rel, struct lrec *r)
{
    char path[512];
    size_t len = 0;
    char *data;

    snprintf(path, sizeof(path), "%s/intel/%s", shared_data(), rel);
    data = lrec_slurp(path, &len);
    CHECK(data != NULL);
    CHECK_INT(lrec_run(ruru_csv_import, data ? data : "", len, r), RURU_OK);
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

/*
 * Microsoft's MSTIC feeds write "2/4/2022" (every row was rejected as "malformed date") and
 * name their types domainname / sha256 / ip / AVDetection / process / parentprocess. Expected
 * counts from the files, computed once with Python's csv module:
 *   python3 -c "import csv,collections; rows=list(csv.DictReader(open(F)));
 *               print(collections.Counter(r['Type'] for r in rows),
 *                     collections.Counter(r['DateAdded'] for r in rows))"
 * ActiniumIOC.csv: domainname 128, sha256 13, AVDetection 11, all 2/4/2022;
 * DEV-0322_SolarWinds_Serv-U_IoC.csv: ip 5, process 3, parentprocess 2, all 7/13/2021 (TLP
 * White); Mercury_August2022.csv: sha256 11, ip 2, domainname 1, all 8/25/2022 (some values
 * padded with spaces).
 */
static void test_mstic_feeds(void)
{
    struct lrec r;

    run_shared("mstic/ActiniumIOC.csv", &r);
    CHECK_INT(r.ind.n, 152);
    CHECK_INT(r.rej.n, 0);
    CHECK_INT(count_of(&r.ind, "domain ", NULL), 128);
    CHECK_INT(count_of(&r.ind, "sha256 ", NULL), 13);
    CHECK_INT(count_of(&r.ind, "string ", NULL), 11);
    /* M/D/YYYY (no part over 12 in the file: the US order) */
    CHECK_INT(count_of(&r.ind, "", " from=2022-02-04T00:00:00Z first=2022-02-04T00:00:00Z"), 152);
    CHECK_STR(lrec_at(&r.ind, 0), "domain acetica.online line=2 from=2022-02-04T00:00:00Z "
                                  "first=2022-02-04T00:00:00Z");
    CHECK_STR(lrec_at(&r.ind, 141), "string Trojan:MSIL/QuietSieve.Gen!dha line=143 "
                                    "from=2022-02-04T00:00:00Z first=2022-02-04T00:00:00Z");
    lrec_free(&r);

    run_shared("mstic/DEV-0322_SolarWinds_Serv-U_IoC.csv", &r);
    CHECK_INT(r.ind.n, 10);
    CHECK_INT(r.rej.n, 0);
    CHECK_INT(count_of(&r.ind, "ipv4 ", NULL), 5);
    CHECK_INT(count_of(&r.ind, "filename ", NULL), 5);
    CHECK_INT(count_of(&r.ind, "domain ", NULL), 0); /* cmd.exe is no domain */
    CHECK_INT(count_of(&r.ind, "", " first=2021-07-13T00:00:00Z tlp=clear"), 10);
    CHECK_STR(lrec_at(&r.ind, 6), "filename cmd.exe line=8 from=2021-07-13T00:00:00Z "
                                  "first=2021-07-13T00:00:00Z tlp=clear");
    lrec_free(&r);

    run_shared("mstic/Mercury_August2022.csv", &r);
    CHECK_INT(r.ind.n, 14);
    CHECK_INT(r.rej.n, 0);
    CHECK_INT(count_of(&r.ind, "sha256 ", NULL), 11);
    CHECK_INT(count_of(&r.ind, "ipv4 ", NULL), 2);
    CHECK_INT(count_of(&r.ind, "domain sygateway.com ", NULL), 1);
    CHECK_INT(count_of(&r.ind, "", " first=2022-08-25T00:00:00Z"), 14);
    lrec_free(&r);
}

/*
 * Volexity's Exchange Marauder list (value,type,notes; 13 "ipaddress" rows) and the CSV derived
 * from ESET's Exchange report (type,value,value_refanged,eset_detection,details,
 * actor_as_named: 23 sha1, 10 domain, 7 ip). Counts of actor_as_named, computed once with
 *   python3 -c "import csv,collections; print(collections.Counter(r['actor_as_named']
 *               for r in csv.DictReader(open(F))))"
 * Winnti Group 8, Calypso 6, Mikroceen 5, Tonto Team 4, (unattributed ShadowPad activity) 4,
 * Opera Cobalt Strike 3, DLTMiner 3, Websiic 3, Tick 2, (unattributed IIS backdoor) 1,
 * LuckyMouse 1. A note in parentheses names no actor: it becomes a label.
 */
static void test_exchange_feeds(void)
{
    struct lrec r;

    run_shared("volexity-exchange-marauder/indicators.csv", &r);
    CHECK_INT(r.ind.n, 13);
    CHECK_INT(r.rej.n, 0);
    CHECK_INT(count_of(&r.ind, "ipv4 ",
                       " desc=IP addresses attempting to exploit Exchange servers in March 2021"),
              13);
    lrec_free(&r);

    run_shared("eset-exchange/indicators.derived.csv", &r);
    CHECK_INT(r.ind.n, 40);
    CHECK_INT(r.rej.n, 0);
    CHECK_INT(count_of(&r.ind, "sha1 ", NULL), 23);
    CHECK_INT(count_of(&r.ind, "domain ", NULL), 10);
    CHECK_INT(count_of(&r.ind, "ipv4 ", NULL), 7);
    CHECK_INT(count_of(&r.ind, "", " actors=Winnti Group"), 8);
    CHECK_INT(count_of(&r.ind, "", " actors=Calypso"), 6);
    CHECK_INT(count_of(&r.ind, "", " actors=Mikroceen"), 5);
    CHECK_INT(count_of(&r.ind, "", " actors=Tonto Team"), 4);
    CHECK_INT(count_of(&r.ind, "", " actors=Opera Cobalt Strike"), 3);
    CHECK_INT(count_of(&r.ind, "", " actors=DLTMiner"), 3);
    CHECK_INT(count_of(&r.ind, "", " actors=Websiic"), 3);
    CHECK_INT(count_of(&r.ind, "", " actors=Tick"), 2);
    CHECK_INT(count_of(&r.ind, "", " actors=LuckyMouse"), 1);
    CHECK_INT(count_of(&r.ind, "", " actors="), 35);
    CHECK_INT(count_of(&r.ind, "", " labels=unattributed ShadowPad activity"), 4);
    CHECK_INT(count_of(&r.ind, "", " labels=unattributed IIS backdoor"), 1);
    /* the value column ("value", defanged) wins over value_refanged, which names no column */
    CHECK_STR(lrec_at(&r.ind, 23), "ipv4 34.90.207.23 line=25 raw=34.90.207[.]23 "
                                   "desc=LuckyMouse SysUpdate C&C server actors=LuckyMouse");
    lrec_free(&r);

    /* ESET's plain hash lists: one hash a line, 23 each (wc -l). */
    run_shared("eset-exchange/samples.md5", &r);
    CHECK_INT(count_of(&r.ind, "md5 ", NULL), 23);
    CHECK_INT(r.ind.n + r.rej.n, 23);
    lrec_free(&r);
    run_shared("eset-exchange/samples.sha1", &r);
    CHECK_INT(count_of(&r.ind, "sha1 ", NULL), 23);
    CHECK_INT(r.ind.n + r.rej.n, 23);
    lrec_free(&r);
    run_shared("eset-exchange/samples.sha256", &r);
    CHECK_INT(count_of(&r.ind, "sha256 ", NULL), 23);
    CHECK_INT(r.ind.n + r.rej.n, 23);
    lrec_free(&r);
}

/* Dates as feeds write them: the order of day and month decided per file (csv_date.c). */
static void test_dates(void)
{
    static const struct tcase cases[] = {
            /* US order by default, with times, AM/PM, seconds, "Z" */
            {"value,FirstSeen\n192.0.2.1,2/4/2022 10:15\n192.0.2.2,2/4/2022 10:15:30 PM\n"
             "192.0.2.3,12/31/2021 12:00:00 AM UTC\n",
             {"ipv4 192.0.2.1 line=2 from=2022-02-04T10:15:00Z first=2022-02-04T10:15:00Z",
              "ipv4 192.0.2.2 line=3 from=2022-02-04T22:15:30Z first=2022-02-04T22:15:30Z",
              "ipv4 192.0.2.3 line=4 from=2021-12-31T00:00:00Z first=2021-12-31T00:00:00Z"},
             {NULL}},
            /* a day over 12 anywhere in the file: day first throughout */
            {"value,date\n192.0.2.1,2/4/2022\n192.0.2.2,13/7/2021\n",
             {"ipv4 192.0.2.1 line=2 from=2022-04-02T00:00:00Z first=2022-04-02T00:00:00Z",
              "ipv4 192.0.2.2 line=3 from=2021-07-13T00:00:00Z first=2021-07-13T00:00:00Z"},
             {NULL}},
            /* both orders in one file: the ambiguous date is not read, the indicator stays */
            {"value,date\n192.0.2.1,2/4/2022\n192.0.2.2,13/7/2021\n192.0.2.3,7/13/2021\n",
             {"ipv4 192.0.2.1 line=2",
              "ipv4 192.0.2.2 line=3 from=2021-07-13T00:00:00Z first=2021-07-13T00:00:00Z",
              "ipv4 192.0.2.3 line=4 from=2021-07-13T00:00:00Z first=2021-07-13T00:00:00Z"},
             {"line=2 col=2 value=2/4/2022 reason=malformed date (indicator kept without it)"}},
            /* dots are day first; year first; ISO 8601 */
            {"value,last_seen\n192.0.2.1,04.02.2022\n192.0.2.2,2022/02/04\n"
             "192.0.2.3,2022-02-04T10:00:00+01:00\n",
             {"ipv4 192.0.2.1 line=2 last=2022-02-04T00:00:00Z",
              "ipv4 192.0.2.2 line=3 last=2022-02-04T00:00:00Z",
              "ipv4 192.0.2.3 line=4 last=2022-02-04T09:00:00Z"},
             {NULL}},
            /* FirstSeen wins over DateAdded for first seen, whatever the column order */
            {"DateAdded,IoC,IndicatorType,FirstSeen,LastSeen\n"
             "1/1/2022,192.0.2.1,ip,2/1/2022,3/1/2022\n1/1/2022,192.0.2.2,ip,,\n",
             {"ipv4 192.0.2.1 line=2 from=2022-02-01T00:00:00Z first=2022-02-01T00:00:00Z "
              "last=2022-03-01T00:00:00Z",
              "ipv4 192.0.2.2 line=3 from=2022-01-01T00:00:00Z first=2022-01-01T00:00:00Z"},
             {NULL}},
            /* impossible dates */
            {"value,date\n192.0.2.1,2/30/2022\n192.0.2.2,2/29/2021\n192.0.2.3,2/29/2024\n",
             {"ipv4 192.0.2.1 line=2", "ipv4 192.0.2.2 line=3",
              "ipv4 192.0.2.3 line=4 from=2024-02-29T00:00:00Z first=2024-02-29T00:00:00Z"},
             {"line=2 col=2 value=2/30/2022 reason=malformed date (indicator kept without it)",
              "line=3 col=2 value=2/29/2021 reason=malformed date (indicator kept without it)"}},
    };

    run_cases(cases, N_CASES(cases));
}

/* Header names as real feeds write them. */
static void test_feed_headers(void)
{
    static const struct tcase cases[] = {
            {"Indicator,Type,ThreatType,threat_actor\n192.0.2.1,IPv4,Botnet,APT40\n",
             {"ipv4 192.0.2.1 line=2 actors=APT40 labels=Botnet"},
             {NULL}},
            {"IoC,IndicatorType,group\n192.0.2.1,ip,APT40\n",
             {"ipv4 192.0.2.1 line=2 actors=APT40"},
             {NULL}},
            {"value,actor_as_named\n192.0.2.1,Tonto Team\n192.0.2.2,(unattributed)\n"
             "192.0.2.3,unknown\n",
             {"ipv4 192.0.2.1 line=2 actors=Tonto Team",
              "ipv4 192.0.2.2 line=3 labels=unattributed", "ipv4 192.0.2.3 line=4"},
             {NULL}},
            /* Inference never makes a file name a domain: a last label that is no top-level
             * domain (cmd.exe) is refused; .zip is one, .example is reserved for tests. */
            {"cmd.exe\nupdate.dll\ninvoice.zip\nevil.example\n",
             {"domain invoice.zip line=3", "domain evil.example line=4"},
             {"line=1 col=1 value=cmd.exe reason=no such top-level domain (a file name? give a "
              "type)",
              "line=2 col=1 value=update.dll reason=no such top-level domain (a file name? give "
              "a type)"}},
            {"value,attribution\n192.0.2.1,Leviathan\n",
             {"ipv4 192.0.2.1 line=2 actors=Leviathan"},
             {NULL}},
    };

    run_cases(cases, N_CASES(cases));
}

int main(int argc, char **argv)
{
    if (corpus_part(argc, argv)) {
        SHARED_OR_SKIP();
        test_mstic_feeds();
        test_exchange_feeds();
        return check_done();
    }
    test_columns_file();
    test_defanged_twin();
    test_text_list();
    test_quoting_file();
    test_rejects_file();
    test_misp_export();
    test_commented_header();
    test_delimiters();
    test_sniffing();
    test_headers();
    test_bom_crlf_comments();
    test_quoting();
    test_column_names();
    test_provenance();
    test_field_values();
    test_actors();
    test_type_names();
    test_long_lines();
    test_bad_bytes();
    test_many_cells();
    test_sink_stops();
    test_oom();
    test_confidence();
    test_utf8();
    test_bench_shape();
    test_dates();
    test_feed_headers();
    return check_done();
}
