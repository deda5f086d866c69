/* SPDX-License-Identifier: Apache-2.0 */
/* STIX 2.1: every object type, pattern splitting, markings, rejections, hostile input. */
#include "check.h"
#include "intel/stix_pattern.h"
#include "sink.h"

#define IND1 "indicator--bbbbbbbb-0000-4000-8000-000000000001"
#define IND2 "indicator--bbbbbbbb-0000-4000-8000-000000000002"

static void test_bundle(void)
{
    struct rec r;
    struct ruru_diag d;
    size_t len = 0;
    char *data = slurp(RURU_TEST_DATA "/stix/all-objects.json", &len);

    CHECK(data != NULL);
    rec_init(&r);
    CHECK_INT(run_importer(ruru_stix_import, data ? data : "", len, &r, &d), RURU_OK);
    free(data);
    CHECK_INT(r.n_ent, 7);
    CHECK_INT(r.n_rel, 5);
    CHECK_INT(r.n_ind, 21);
    CHECK_INT(r.n_rej, 6);
    CHECK_STR(rec_find(r.ent, r.n_ent, "actor APT40"),
              "actor APT40 ref=intrusion-set--aaaaaaaa-0000-4000-8000-000000000003 "
              "type=intrusion-set country=CN confidence=85 aliases=TEMP.Periscope|Leviathan");
    CHECK(rec_has(r.ent, r.n_ent, "actor Hainan State Security Department ref=threat-actor--"));
    CHECK(rec_has(r.ent, r.n_ent, "campaign Exchange 2024 ref=campaign--"));
    CHECK(strstr(rec_find(r.ent, r.n_ent, "malware China Chopper"), "aliases=Chopper") != NULL);
    CHECK(rec_has(r.ent, r.n_ent, "tool Mimikatz ref=tool--"));
    CHECK(strstr(rec_find(r.ent, r.n_ent, "technique Exploit"), " ext=T1190") != NULL);
    CHECK(rec_has(r.ent, r.n_ent, "identity Test CERT ref=identity--"));
    CHECK(rec_has(r.rel, r.n_rel,
                  IND1 " indicates intrusion-set--aaaaaaaa-0000-4000-8000-000000000003"));

    /* One pattern, five alternatives: five indicators with #k refs, one object. */
    CHECK_STR(rec_find(r.ind, r.n_ind, "ipv4 198.51.100.1 "),
              "ipv4 198.51.100.1 ref=" IND1 "#1 object=" IND1 " confidence=90 from=1704067200 "
              "until=1735689600 modified=1709251200 tlp=red "
              "by=identity--aaaaaaaa-0000-4000-8000-000000000001 "
              "labels=malicious-activity|attribution");
    CHECK(rec_has(r.ind, r.n_ind, "ipv6 2001:db8::1 ref=" IND1 "#2 "));
    CHECK(rec_has(r.ind, r.n_ind, "domain evil.example ref=" IND1 "#3 "));
    CHECK(rec_has(r.ind, r.n_ind, "url http://evil.example/gate.php ref=" IND1 "#4 "));
    CHECK(rec_has(r.ind, r.n_ind, "cidr4 203.0.113.0/24 ref=" IND1 "#5 "));

    /* Every path ruru types. */
    CHECK(rec_has(r.ind, r.n_ind, "md5 d41d8cd98f00b204e9800998ecf8427e ref=" IND2 "#1 "));
    CHECK(rec_has(r.ind, r.n_ind, "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 ref=" IND2 "#2"));
    CHECK(rec_has(
            r.ind, r.n_ind,
            "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ref=" IND2
            "#3"));
    CHECK(rec_has(r.ind, r.n_ind, "sha512 cf83e1357eefb8bd"));
    CHECK(rec_has(r.ind, r.n_ind, "filename error3.aspx ref=" IND2 "#5"));
    CHECK(rec_has(r.ind, r.n_ind, "filepath C:\\inetpub\\wwwroot ref=" IND2 "#6"));
    CHECK(rec_has(r.ind, r.n_ind, "email a@evil.example ref=" IND2 "#7"));
    CHECK(rec_has(r.ind, r.n_ind, "email b@evil.example ref=" IND2 "#8"));
    CHECK(rec_has(r.ind, r.n_ind, "ipv4 192.0.2.77 ref=" IND2 "#9"));
    CHECK(rec_has(r.ind, r.n_ind, "x509-sha256 aa3b6b4d"));
    CHECK(rec_has(r.ind, r.n_ind, "asn AS64496 ref=" IND2 "#11"));
    CHECK_STR(rec_find(r.ind, r.n_ind, "user-agent "),
              "user-agent Mozilla/5.0 (compatible; Scanner/1.0) ref=" IND2 "#12 object=" IND2
              " from=1704067200 modified=1704067200 tlp=amber+strict");

    /* Kept whole: temporal operators, AND, another pattern language. */
    CHECK(rec_has(r.ind, r.n_ind,
                  "stix-pattern [url:value LIKE '%/owa/auth/%.aspx'] FOLLOWEDBY [file:name = "
                  "'error3.aspx'] WITHIN 3600 SECONDS ref=indicator--bbbbbbbb-0000-4000-8000-"
                  "000000000003"));
    CHECK(strstr(rec_find(r.ind, r.n_ind, "stix-pattern [url:value LIKE"), " revoked") != NULL);
    CHECK(rec_has(r.ind, r.n_ind, "stix-pattern [file:name = 'a.exe' AND file:size > 10] ref="));
    CHECK(strstr(rec_find(r.ind, r.n_ind, "stix-pattern title: x"), "context=pattern_type=sigma") !=
          NULL);

    /* Bad values are rejected one by one; the good one in the same pattern lands. */
    CHECK(rec_has(r.ind, r.n_ind,
                  "domain ok.example ref=indicator--bbbbbbbb-0000-4000-8000-000000000007#3"));
    CHECK_STR(rec_find(r.rej, r.n_rej,
                       "line=0 object=indicator--bbbbbbbb-0000-4000-8000-000000000007 value=com"),
              "line=0 object=indicator--bbbbbbbb-0000-4000-8000-000000000007 value=com "
              "reason=public suffix");
    CHECK(rec_has(r.rej, r.n_rej,
                  "line=0 object=indicator--bbbbbbbb-0000-4000-8000-000000000007 value=127.0.0.1 "
                  "reason=loopback address"));
    CHECK(rec_has(r.rej, r.n_rej,
                  "line=0 object=indicator--bbbbbbbb-0000-4000-8000-000000000006 "
                  "value=[ipv4-addr:value = '198.51.100.2' reason=malformed STIX pattern"));
    CHECK(rec_has(r.rej, r.n_rej,
                  "line=0 object=indicator--bbbbbbbb-0000-4000-8000-000000000008 reason=malformed "
                  "timestamp"));
    CHECK(rec_has(r.rej, r.n_rej,
                  "line=0 object=indicator--bbbbbbbb-0000-4000-8000-000000000009 reason=indicator "
                  "without pattern"));
    CHECK(rec_has(r.rej, r.n_rej,
                  "line=0 object=indicator--no-type reason=object without type or id"));
    rec_free(&r);
}

static void expect_split(const char *pattern, size_t want_values, bool want_ok)
{
    struct ruru_stix_value v[RURU_STIX_MAX_VALUES];
    struct ruru_buf b;
    size_t n = 99, pos;
    const char *err = NULL;
    bool ok;

    ruru_buf_init(&b, 1 << 20);
    ok = ruru_stix_split(pattern, strlen(pattern), v, &n, &b, &err, &pos);
    if (ok != want_ok || (ok && n != want_values)) {
        check_failed++;
        fprintf(stderr, "split(%s): ok=%d n=%zu err=%s\n", pattern, ok, n, err ? err : "-");
    } else {
        check_passed++;
    }
    ruru_buf_fini(&b);
}

static void test_patterns(void)
{
    char deep[400];

    expect_split("[ipv4-addr:value = '1.2.3.4']", 1, true);
    expect_split("([ipv4-addr:value = '1.2.3.4']) OR [domain-name:value = 'x.example']", 2, true);
    expect_split("[domain-name:value = 'it\\'s.example']", 1, true);
    expect_split("[ipv4-addr:value != '1.2.3.4']", 0, true);
    expect_split("[ipv4-addr:value NOT = '1.2.3.4']", 0, true);
    expect_split("[domain-name:value IN ('a.example', 'b.example')]", 0, true);
    expect_split("[domain-name:value MATCHES '^a']", 0, true);
    expect_split("[file:name = 'a'] REPEATS 5 TIMES", 0, true);
    expect_split("[file:name = 'a'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'", 0,
                 true);
    expect_split("[x-custom:value = 'a']", 0, true);
    expect_split("[windows-registry-key:key = 'HKLM\\\\x']", 0, true);
    expect_split("[EXISTS file:name]", 0, true);
    expect_split("[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]", 0, true);
    expect_split("[file:hashes.MD5 = h'AA']", 0, true);
    expect_split("", 0, false);
    expect_split("[", 0, false);
    expect_split("[ipv4-addr:value = ]", 0, false);
    expect_split("[ipv4-addr:value = '1'", 0, false);
    expect_split("[a:b = 'x'] extra", 0, false);
    expect_split("[a:b = 'unterminated]", 0, false);
    memset(deep, '(', sizeof(deep) - 1);
    deep[sizeof(deep) - 1] = '\0';
    expect_split(deep, 0, false);
}

static void test_hostile(void)
{
    struct rec r;
    struct ruru_diag d;
    static const char truncated[] = "{\"type\": \"bundle\",\n \"objects\": [\n {\"type\": \"indic";
    static const char wrong[] = "{\"type\": \"bundle\", \"objects\": [1, \"x\", [], "
                                "{\"type\": 5, \"id\": \"a--b\"}, {\"type\": \"intrusion-set\", "
                                "\"id\": \"intrusion-set--1\", \"name\": 7, \"aliases\": \"x\"}]}";
    size_t n = 200000, len = 0;
    char *deep = malloc(2 * n + 1), *big;

    rec_init(&r);
    CHECK_INT(run_importer(ruru_stix_import, truncated, sizeof(truncated) - 1, &r, &d),
              RURU_EPARSE);
    CHECK_INT(d.line, 3);
    CHECK(d.col > 0);
    CHECK(strncmp(d.msg, "invalid JSON: ", 14) == 0);
    rec_free(&r);

    rec_init(&r);
    CHECK_INT(run_importer(ruru_stix_import, wrong, sizeof(wrong) - 1, &r, &d), RURU_OK);
    CHECK_INT(r.n_ind + r.n_ent, 0);
    CHECK_INT(r.n_rej, 5);
    rec_free(&r);

    /* Deep nesting: refused by the JSON parser's depth limit, not by the stack. */
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    rec_init(&r);
    CHECK_INT(run_importer(ruru_stix_import, deep, 2 * n, &r, &d), RURU_EPARSE);
    rec_free(&r);
    free(deep);

    /* A 10 MB name: imported as it is, without harm. */
    big = malloc(11u << 20);
    len = (size_t)snprintf(big, 200,
                           "{\"type\": \"intrusion-set\", \"id\": \"intrusion-set--x\", "
                           "\"name\": \"");
    memset(big + len, 'A', 10u << 20);
    len += 10u << 20;
    memcpy(big + len, "\"}", 2);
    len += 2;
    rec_init(&r);
    CHECK_INT(run_importer(ruru_stix_import, big, len, &r, &d), RURU_OK);
    CHECK_INT(r.n_ent, 1);
    rec_free(&r);
    free(big);
}

int main(void)
{
    test_bundle();
    test_patterns();
    test_hostile();
    return check_done();
}
