/* SPDX-License-Identifier: Apache-2.0 */
/* MISP events: every IOC attribute type, composite forms, objects, tags, galaxies, feeds. */
#include "check.h"
#include "sink.h"

#define EV    "object=11111111-aaaa-4bbb-8ccc-000000000001"
#define LINKS " actors=7113eaa5-ba79-4fb3-b68a-398ee9cd698e|APT40 techniques=T1190"
#define TAGS                                                                                 \
    " labels=tlp:green|misp-galaxy:threat-actor=\"APT40\"|misp-galaxy:mitre-attack-pattern=" \
    "\"Exploit Public-Facing Application - T1190\"|misp:confidence-level=\"usually-confident\""

static void import_file(const char *name, struct rec *r, enum ruru_err want)
{
    char path[512];
    size_t len = 0;
    char *data;
    struct ruru_diag d;

    snprintf(path, sizeof(path), "%s/misp/%s", RURU_TEST_DATA, name);
    data = slurp(path, &len);
    CHECK(data != NULL);
    rec_init(r);
    CHECK_INT(run_importer(ruru_misp_import, data ? data : "", len, r, &d), want);
    free(data);
}

static void test_event(void)
{
    struct rec r;

    import_file("event.json", &r, RURU_OK);
    CHECK_INT(r.n_ind, 36);
    CHECK_INT(r.n_rej, 4);
    CHECK_INT(r.n_ent, 1);
    CHECK_STR(r.ent[0], "actor Leviathan ref=7113eaa5-ba79-4fb3-b68a-398ee9cd698e "
                        "type=misp-galaxy:mitre-intrusion-set ext=G0065 country=CN "
                        "aliases=APT40|TEMP.Periscope");
    CHECK_STR(rec_find(r.ind, r.n_ind, "ipv4 198.51.100.1 "),
              "ipv4 198.51.100.1 ref=a0000000-0000-4000-8000-000000000001 " EV
              " modified=1720483201 tlp=green by=Test CERT desc=Test event" LINKS TAGS);
    CHECK(rec_has(r.ind, r.n_ind, "ipv6 2001:db8::2 ref=a0000000-0000-4000-8000-000000000002 "));
    CHECK_STR(rec_find(r.ind, r.n_ind, "ipv4 198.51.100.3 "),
              "ipv4 198.51.100.3 ref=a0000000-0000-4000-8000-000000000003 " EV
              " context=port=443 tlp=amber by=Test CERT desc=Test event" LINKS TAGS "|tlp:amber");
    CHECK(rec_has(r.ind, r.n_ind,
                  "ipv4 198.51.100.4 ref=a0000000-0000-4000-8000-000000000004 " EV
                  " context=port=8080"));
    CHECK(strstr(rec_find(r.ind, r.n_ind, "domain evil.example "), "desc=C2") != NULL);
    CHECK(rec_has(r.ind, r.n_ind, "domain mail.evil.example ref="));
    CHECK(rec_has(r.ind, r.n_ind,
                  "domain c2.evil.example ref=a0000000-0000-4000-8000-000000000007#1"));
    CHECK(rec_has(r.ind, r.n_ind, "ipv4 198.51.100.7 ref=a0000000-0000-4000-8000-000000000007#2"));
    CHECK(rec_has(r.ind, r.n_ind, "url https://evil.example/gate.php ref="));
    CHECK(rec_has(r.ind, r.n_ind, "string /owa/auth/x.aspx ref="));
    CHECK(rec_has(r.ind, r.n_ind, "email a@evil.example ref="));
    CHECK(rec_has(r.ind, r.n_ind, "email b@evil.example ref="));
    CHECK(rec_has(r.ind, r.n_ind, "email c@evil.example ref="));
    CHECK(rec_has(r.ind, r.n_ind,
                  "md5 d41d8cd98f00b204e9800998ecf8427e ref=a0000000-0000-4000-8000-000000000013"));
    CHECK(rec_has(r.ind, r.n_ind, "sha512 cf83e1357eefb8bd"));
    CHECK(rec_has(
            r.ind, r.n_ind,
            "md5 d41d8cd98f00b204e9800998ecf8427e ref=a0000000-0000-4000-8000-000000000017#1 " EV
            " context=filename=a.exe"));
    CHECK(rec_has(r.ind, r.n_ind, "filename a.exe ref=a0000000-0000-4000-8000-000000000017#2"));
    CHECK(rec_has(r.ind, r.n_ind,
                  "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 "
                  "ref=a0000000-0000-4000-8000-000000000019#1 " EV
                  " context=filename=error3.aspx"));
    CHECK(rec_has(r.ind, r.n_ind, "filename svchost32.exe ref="));
    CHECK(rec_has(r.ind, r.n_ind, "user-agent Mozilla/5.0 (compatible; Scanner/1.0) ref="));
    CHECK(rec_has(r.ind, r.n_ind, "asn AS64496 ref="));
    CHECK(rec_has(r.ind, r.n_ind, "ja3 e7d705a3286e19ea42f587b344ee6865 ref="));
    CHECK(rec_has(r.ind, r.n_ind, "x509-md5 d41d8cd98f00b204e9800998ecf8427e ref="));
    CHECK(rec_has(r.ind, r.n_ind, "x509-sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 ref="));
    CHECK(rec_has(
            r.ind, r.n_ind,
            "x509-sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ref="));
    CHECK_STR(
            rec_find(r.ind, r.n_ind, "cidr4 "),
            "cidr4 203.0.113.0/24 ref=a0000000-0000-4000-8000-000000000028 " EV
            " first=1717200000 last=1719792000 no-ids tlp=green by=Test CERT desc=Test event" LINKS
                    TAGS);
    /* An attribute's galaxy tag adds its actor to the event's. */
    CHECK(strstr(rec_find(r.ind, r.n_ind, "ipv4 198.51.100.35 "),
                 "actors=7113eaa5-ba79-4fb3-b68a-398ee9cd698e|APT40|Sea Turtle ") != NULL);
    /* Attributes inside objects. */
    CHECK(rec_has(r.ind, r.n_ind,
                  "sha256 9a4b8e3d2c1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d "
                  "ref=a0000000-0000-4000-8000-000000000036"));
    CHECK(rec_has(r.ind, r.n_ind, "filename error3.aspx ref=a0000000-0000-4000-8000-000000000037"));
    CHECK(!rec_has(r.ind, r.n_ind, "domain deleted.example"));
    CHECK_STR(rec_find(r.rej, r.n_rej, "line=0 object=a0000000-0000-4000-8000-000000000029"),
              "line=0 object=a0000000-0000-4000-8000-000000000029 value=regkey "
              "reason=unsupported attribute type");
    CHECK_STR(rec_find(r.rej, r.n_rej, "line=0 object=a0000000-0000-4000-8000-000000000030"),
              "line=0 object=a0000000-0000-4000-8000-000000000030 value=ssdeep "
              "reason=unsupported hash type");
    CHECK_STR(
            rec_find(r.rej, r.n_rej, "line=0 object=a0000000-0000-4000-8000-000000000032"),
            "line=0 object=a0000000-0000-4000-8000-000000000032 value=co.nz reason=public suffix");
    CHECK_STR(rec_find(r.rej, r.n_rej, "line=0 object=a0000000-0000-4000-8000-000000000034"),
              "line=0 object=a0000000-0000-4000-8000-000000000034 reason=attribute without type "
              "or value");
    rec_free(&r);
}

static void test_shapes(void)
{
    struct rec r;

    import_file("list.json", &r, RURU_OK);
    CHECK_INT(r.n_ind, 2);
    CHECK(rec_has(r.ind, r.n_ind, "domain two.example ref=u2 object=e2 desc=two"));
    rec_free(&r);
    import_file("rest.json", &r, RURU_OK);
    CHECK_INT(r.n_ind, 1);
    CHECK(rec_has(r.ind, r.n_ind, "ipv4 192.0.2.3 ref=u3 object=e3"));
    rec_free(&r);
    import_file("feed/manifest.json", &r, RURU_OK);
    CHECK_INT(r.n_ind + r.n_rej + r.n_ent, 0);
    rec_free(&r);
    import_file("feed/5f1c2d3e-0000-4000-8000-000000000001.json", &r, RURU_OK);
    CHECK(rec_has(r.ind, r.n_ind, "url http://feed-one.example/x ref=f1 "));
    CHECK(strstr(r.ind[0], " tlp=clear ") != NULL);
    rec_free(&r);
}

static void test_hostile(void)
{
    struct rec r;
    struct ruru_diag d;
    static const char truncated[] = "{\"Event\": {\n \"Attribute\": [\n {\"type\": \"ip-dst\", ";
    static const char wrong[] = "{\"Event\": {\"Attribute\": [1, {\"type\": [], \"value\": {}}, "
                                "{\"type\": \"domain\", \"value\": \"ok.example\", \"Tag\": 5}],"
                                " \"Tag\": {\"name\": 1}, \"Galaxy\": \"x\", \"Object\": [3]}}";
    static const char other[] = "{\"hello\": \"world\"}";

    rec_init(&r);
    CHECK_INT(run_importer(ruru_misp_import, truncated, sizeof(truncated) - 1, &r, &d),
              RURU_EPARSE);
    CHECK_INT(d.line, 3);
    rec_free(&r);
    rec_init(&r);
    CHECK_INT(run_importer(ruru_misp_import, wrong, sizeof(wrong) - 1, &r, &d), RURU_OK);
    CHECK_INT(r.n_ind, 1);
    CHECK_INT(r.n_rej, 2);
    rec_free(&r);
    rec_init(&r);
    CHECK_INT(run_importer(ruru_misp_import, other, sizeof(other) - 1, &r, &d), RURU_EPARSE);
    CHECK_STR(d.msg, "not a MISP event");
    rec_free(&r);
}

int main(void)
{
    test_event();
    test_shapes();
    test_hostile();
    return check_done();
}
