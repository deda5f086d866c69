/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTML report (src/share/html*.c), read as bytes: the report of the model made from
 * examples/ (tests/data/share/model-examples.json) is the same twice, carries its policy and
 * TLP, and shows every incident, judgement and piece of evidence with its cited record; a
 * hostile model (markup, quotes, terminal escapes, control bytes, bytes that are not UTF-8)
 * comes out as text; models that are none are refused and leave the output as it was.
 */
#include <jansson.h>
#include <math.h>
#include <nettle/base64.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "check.h"
#include "share/share.h"

#ifndef RURU_OWN_DATA
#define RURU_OWN_DATA "tests/data"
#endif

static json_t *load_fixture(void)
{
    json_error_t e;
    json_t *m = json_load_file(RURU_OWN_DATA "/share/model-examples.json", 0, &e);

    if (m == NULL)
        fprintf(stderr, "model-examples.json:%d: %s\n", e.line, e.text);
    return m;
}

/* Writes the report of `m` into a fresh buffer (the caller frees it with ruru_buf_fini). */
static enum ruru_err render(json_t *m, struct ruru_buf *out)
{
    struct ruru_diag d;

    ruru_buf_init(out, (size_t)1 << 26);
    return ruru_share_html(m, out, &d);
}

static bool has(const struct ruru_buf *b, const char *needle)
{
    return b->ptr != NULL && strstr(b->ptr, needle) != NULL;
}

static size_t count(const struct ruru_buf *b, const char *needle)
{
    size_t n = 0;
    const char *p = b->ptr;

    while (p != NULL && (p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    return n;
}

/* `s` as the report must show it: the five characters HTML gives meaning to as references, a
 * CR (Exchange's CSV logs end their lines with one) as a marked token; the fixture's texts hold
 * no other control character. */
static const char *escaped(const char *s)
{
    static char out[8192];
    size_t k = 0;

    for (; *s != '\0' && k + 8 < sizeof(out); s++) {
        const char *r = *s == '&'    ? "&amp;"
                        : *s == '<'  ? "&lt;"
                        : *s == '>'  ? "&gt;"
                        : *s == '"'  ? "&quot;"
                        : *s == '\'' ? "&#39;"
                        : *s == '\r' ? "<span class=\"ctl\">CR</span>"
                                     : NULL;
        if (r != NULL) {
            memcpy(out + k, r, strlen(r));
            k += strlen(r);
        } else {
            out[k++] = *s;
        }
    }
    out[k] = '\0';
    return out;
}

static bool has_text(const struct ruru_buf *b, const char *s)
{
    return has(b, escaped(s));
}

/* No "<script" in any case: neither ours (there is none) nor one from the data. */
static bool has_script(const struct ruru_buf *b)
{
    for (size_t i = 0; i + 7 <= b->len; i++)
        if (b->ptr[i] == '<' && strncasecmp(b->ptr + i + 1, "script", 6) == 0)
            return true;
    return false;
}

/* The output is UTF-8 (RFC 3629) and holds no control character but LF and TAB. */
static bool clean_utf8(const struct ruru_buf *b)
{
    const unsigned char *p = (const unsigned char *)b->ptr;
    size_t i = 0;

    while (i < b->len) {
        unsigned c = p[i], n, cp;
        if (c < 0x80) {
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
                return false;
            i++;
            continue;
        }
        n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
        if (n == 0 || c > 0xf4 || i + n > b->len)
            return false;
        cp = c & (0x3f >> (n - 1));
        for (unsigned k = 1; k < n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (p[i + k] & 0x3f);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
            return false;
        i += n;
    }
    return true;
}

/* The policy allows the page's one style sheet by its hash: the hash must be the sheet's. */
static void check_policy(const struct ruru_buf *b)
{
    static const char csp[] = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                              "'none'; style-src 'sha256-";
    const char *p = strstr(b->ptr, csp), *css = strstr(b->ptr, "<style>"), *end;
    uint8_t digest[SHA256_DIGEST_SIZE];
    char b64[BASE64_ENCODE_RAW_LENGTH(SHA256_DIGEST_SIZE) + 1];
    struct sha256_ctx sha;

    CHECK(p != NULL);
    CHECK(css != NULL && p != NULL && p < css); /* the policy comes before what it governs */
    if (p == NULL || css == NULL)
        return;
    CHECK(strstr(p, "base-uri 'none'; form-action 'none'\">") != NULL);
    css += strlen("<style>");
    end = strstr(css, "</style>");
    CHECK(end != NULL);
    if (end == NULL)
        return;
    sha256_init(&sha);
    sha256_update(&sha, (size_t)(end - css), (const uint8_t *)css);
    sha256_digest(&sha, sizeof(digest), digest);
    base64_encode_raw(b64, sizeof(digest), digest);
    b64[sizeof(b64) - 1] = '\0';
    CHECK(strncmp(p + strlen(csp), b64, strlen(b64)) == 0);
    CHECK(p[strlen(csp) + strlen(b64)] == '\'');
    CHECK_INT(count(b, "<style"), 1);
    /* no request of any kind: nothing names another resource */
    CHECK(!has(b, "src=") && !has(b, "<link") && !has(b, "<img") && !has(b, "url(") &&
          !has(b, "@import") && !has(b, "http-equiv=\"refresh\""));
    CHECK_INT(count(b, "href=\""), count(b, "href=\"#"));
}

static void check_incidents(const struct ruru_buf *b, const json_t *m)
{
    const json_t *inc, *ev, *cite, *s, *hyp;
    size_t i, k, j;

    CHECK_INT(count(b, "<section class=\"incident\""),
              json_array_size(json_object_get(m, "incidents")));
    json_array_foreach(json_object_get(m, "incidents"), i, inc)
    {
        const json_t *jd = json_object_get(inc, "judgement");
        static char line[16384];
        double p = json_number_value(json_object_get(jd, "probability"));

        CHECK(has_text(b, json_string_value(json_object_get(inc, "id"))));
        snprintf(line, sizeof(line), "<section class=\"incident\" id=\"incident-%zu\">", i + 1);
        CHECK(has(b, line));
        /* the judgement in words, with its probability and its analytic confidence */
        snprintf(line, sizeof(line), "It is <b>%s</b> (%.0f\xc2\xa0%%) that <b>%s</b> is behind",
                 json_string_value(json_object_get(jd, "words")), floor(p * 100),
                 json_string_value(json_object_get(jd, "actor")));
        CHECK(has(b, line));
        snprintf(line, sizeof(line), "Analytic confidence: <b>%s</b>",
                 json_string_value(json_object_get(jd, "confidence")));
        CHECK(has(b, line));
        CHECK(has_text(b, json_string_value(json_object_get(jd, "why"))));
        json_array_foreach(json_object_get(jd, "hypotheses"), k, hyp)
        {
            CHECK(has_text(b, json_string_value(json_object_get(hyp, "words"))));
        }
        json_array_foreach(json_object_get(inc, "evidence"), k, ev)
        {
            snprintf(line, sizeof(line), "id=\"incident-%zu-e%zu\"><h4>E%zu. %s: <code>", i + 1,
                     k + 1, k + 1, json_string_value(json_object_get(ev, "kind")));
            CHECK(has(b, line));
            CHECK(has_text(b, json_string_value(json_object_get(ev, "value"))));
            CHECK(has_text(b, json_string_value(json_object_get(ev, "key"))));
            json_array_foreach(json_object_get(ev, "cites"), j, cite)
            {
                snprintf(line, sizeof(line), "SHA-256 <code>%s</code>",
                         json_string_value(json_object_get(cite, "sha256")));
                CHECK(has(b, line));
            }
        }
        /* every record a sighting holds, as text */
        json_array_foreach(json_object_get(inc, "sightings"), k, s)
        {
            const char *orig =
                    json_string_value(json_object_get(json_object_get(s, "event"), "original"));
            if (orig != NULL) {
                snprintf(line, sizeof(line), "<pre class=\"record\">%s</pre>", escaped(orig));
                CHECK(has(b, line));
            }
        }
    }
}

static void test_fixture(void)
{
    json_t *m = load_fixture();
    struct ruru_buf a, b;

    CHECK(m != NULL);
    if (m == NULL)
        return;
    CHECK_INT(render(m, &a), RURU_OK);
    CHECK_INT(render(m, &b), RURU_OK);
    CHECK(a.len > 10000 && a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0);
    CHECK(strncmp(a.ptr, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
                  60) == 0);
    CHECK(a.len > 8 && strcmp(a.ptr + a.len - 8, "</html>\n") == 0);
    check_policy(&a);
    CHECK(!has_script(&a));
    CHECK(clean_utf8(&a));
    /* the TLP at the top and the bottom, on screen and on every printed page */
    CHECK(has(&a, "<body>\n<header class=\"banner\"><b class=\"tlp-amber\">TLP:AMBER</b>"));
    CHECK(has(&a, "</main>\n<footer class=\"banner\"><b class=\"tlp-amber\">TLP:AMBER</b>"));
    CHECK(has(&a, "@page{size:A4;"));
    CHECK(has(&a, "@top-center{content:\"TLP:AMBER\";color:#FFC000;background:#000;"));
    CHECK(has(&a, "@bottom-center{content:\"TLP:AMBER\";color:#FFC000;background:#000;"));
    CHECK(has(&a, ".incident{break-before:page}"));
    CHECK(has(&a, "<title>TLP:AMBER \xe2\x80\x94 Threat report: ruru</title>"));
    /* the overview: the statistic, the sponsor, the chart and its table, actors, coverage */
    CHECK(has(&a, "<b>100\xc2\xa0%</b> of serious incidents (2 of 2) carry indicators linked to "
                  "state-sponsored actors."));
    CHECK(has(&a, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    CHECK(has(&a, "<title>2024-07, China: 3</title></rect>"));
    CHECK(has(&a, "<tr><td>2024-07</td><td class=\"n\">3</td><td class=\"n\">3</td></tr>"));
    CHECK(has(&a, "<tr><td>APT40</td><td>China</td><td class=\"n\">3</td><td class=\"n\">2</td>"
                  "</tr>"));
    CHECK(has(&a, "<tr><td><code>examples/logs/eve.json</code></td><td>eve</td><td class=\"t\">"
                  "2024-07-12T01:20:31Z</td><td class=\"t\">2024-07-12T01:20:31Z</td><td "
                  "class=\"n\">5</td></tr>"));
    CHECK(has(&a, "Nothing was withheld."));
    /* no sighting says whether `ruru verify` holds: every record is "not checked" */
    CHECK(has(&a, "Records cited as evidence: 8."));
    CHECK(!has(&a, "<span class=\"holds\">holds</span>"));
    check_incidents(&a, m);
    ruru_buf_fini(&a);
    ruru_buf_fini(&b);
    json_decref(m);
}

/* A sighting's "verified" shows at each cite of its record and in the overview's count; a
 * pattern's members take their sighting's unless they carry their own. */
static void test_verified(void)
{
    json_t *m = load_fixture();
    json_t *incs = json_object_get(m, "incidents");
    json_t *s0 = json_array_get(json_object_get(json_array_get(incs, 0), "sightings"), 0);
    json_t *pat = json_array_get(json_object_get(json_array_get(incs, 2), "sightings"), 0);
    struct ruru_buf b;

    CHECK(m != NULL && s0 != NULL && pat != NULL);
    if (s0 == NULL || pat == NULL) {
        json_decref(m);
        return;
    }
    json_object_set_new(s0, "verified", json_string("changed"));
    json_object_set_new(pat, "verified", json_string("holds"));
    json_object_set_new(json_array_get(json_object_get(json_object_get(pat, "ruru"), "members"), 1),
                        "verified", json_string("unreadable"));
    CHECK_INT(render(m, &b), RURU_OK);
    /* access.log line 2 (cited by 3 evidence lines of incident 1) changed */
    CHECK(has(&b,
              "Record <code>examples/logs/access.log</code>, line 2 (111 bytes at offset "
              "138)<br>SHA-256 <code>c72b059ba0febb9de1757de43f6641d17bdef62b691bf6bb670f5a1530"
              "6363c9</code><br><code>ruru verify</code>: <span class=\"changed\">changed</span>"));
    /* at its 3 cites, its 3 sightings in the timeline, and in the overview's count */
    CHECK_INT(count(&b, "<span class=\"changed\">changed</span>"), 3 + 3 + 1);
    /* the pattern's first member (HttpProxy line 7) holds, its second (u_ex line 6) does not */
    CHECK(has(&b, "line 7 (140 bytes at offset 472)<br>SHA-256 <code>130a27bef9fb2928b1a39abec7e3"
                  "2cc2f315291c31f793e38120780ab75bdd1c</code><br><code>ruru verify</code>: <span "
                  "class=\"holds\">holds</span>"));
    CHECK(has(&b, "line 6 (122 bytes at offset 424)<br>SHA-256 <code>72e9b0cca975236defe6260f161"
                  "2640690417b02e8c5ce7e2ded61832a393a22</code><br><code>ruru verify</code>: <span "
                  "class=\"unreadable\">unreadable</span>"));
    CHECK(has(&b,
              "Records cited as evidence: 8. <code>ruru verify</code> holds for <span "
              "class=\"holds\">1</span>; their bytes <span class=\"changed\">changed</span> for "
              "1; <span class=\"unreadable\">unreadable</span> for 1; <span "
              "class=\"unchecked\">not checked</span> for 5."));
    ruru_buf_fini(&b);
    json_decref(m);
}

/* A model whose every string from logs and intel is hostile. The record and a second asset
 * also hold bytes no JSON text can (not UTF-8), set after parsing. */
static const char HOSTILE[] =
        "{\"ruru_export\": 1, \"cert\": {\"name\": \"CERT "
        "<script>alert(1)</script>\\u001b'\\u009b\\u202e\","
        " \"contact\": \"a\\\"b'c&d\"}, \"tlp_max\": \"amber\", \"tlp\": \"amber\","
        " \"since\": null, \"until\": null, \"updated\": \"2024-03-09T00:00:00Z\","
        " \"withheld\": {\"sightings\": {\"red\": 2}, \"incidents\": {}, \"evidence\": 1},"
        " \"stats\": {\"incidents\": 2, \"serious\": 1, \"state_sponsored\": 1, \"share\": 1.0,"
        "  \"by\": \"sponsor\", \"rows\": [{\"key\": \"<b>Ruritania</b>\", \"serious_with\": 1,"
        "  \"share\": 1.0}]},"
        " \"months\": {\"by\": \"month\", \"rows\": [{\"key\": \"2024-01\", \"serious\": 1,"
        "  \"state_sponsored\": 1, \"share\": 1.0}]},"
        " \"coverage\": [{\"path\": \"logs/<img src=x onerror=alert(1)>.log\", \"format\": \"w3c\","
        "  \"first\": \"2024-01-05T00:00:00Z\", \"last\": \"2024-01-05T00:00:00Z\","
        "  \"sightings\": 1}],"
        " \"incidents\": ["
        "  {\"id\": \"ruru-incident--\\\"'&<x>\", \"asset\": \"HOST\\u001b[31m\","
        "   \"first\": \"2024-01-05T00:00:00Z\", \"last\": \"2024-01-05T00:00:00Z\","
        "   \"severity\": \"high\", \"serious\": true, \"tlp\": \"amber\","
        "   \"sources\": {\"logs/<img src=x onerror=alert(1)>.log\": 1},"
        "   \"evidence\": [{\"key\": \"ev\\\"1\", \"kind\": \"url\","
        "    \"value\": \"http://x/<script>alert(1)</script>?a=1&b='2'\","
        "    \"source\": \"feed</code><script>\", \"actors\": [\"Bear<svg onload=alert(1)>\"],"
        "    \"actor_states\": [{\"name\": \"Bear<svg onload=alert(1)>\","
        "     \"state\": \"</text><script>alert(1)</script>\"}],"
        "    \"sightings\": 1, \"confidence\": 90, \"first\": \"2024-01-05T00:00:00Z\","
        "    \"last\": \"2024-01-05T00:00:00Z\", \"warninglisted\": false,"
        "    \"cites\": [{\"path\": \"logs/<img src=x onerror=alert(1)>.log\", \"line\": 3,"
        "     \"offset\": 10, \"length\": 40, \"sha256\": \"<i>not-a-digest</i>\"}]}],"
        "   \"judgement\": {\"actor\": \"Bear<svg onload=alert(1)>\", \"probability\": 0.9,"
        "    \"words\": \"very likely\", \"confidence\": \"moderate\", \"why\": \"because "
        "<script>\","
        "    \"hypotheses\": [{\"actor\": \"Bear<svg onload=alert(1)>\", \"probability\": 0.9,"
        "     \"words\": \"very likely\"}, {\"actor\": null, \"probability\": 0.1,"
        "     \"words\": \"very unlikely\"}],"
        "    \"table\": [{\"evidence\": \"ev\\\"1\", \"kind\": \"url\", \"group\": 0,"
        "     \"cells\": [{\"verdict\": \"consistent\", \"ratio\": 9.0},"
        "      {\"verdict\": \"\\\"><script>\", \"ratio\": 1.0}]}]},"
        "   \"sightings\": [{\"@timestamp\": \"2024-01-05T00:00:00Z\","
        "    \"event\": {\"dataset\": \"ruru.sighting\", \"original\": \"set below\"},"
        "    \"log\": {\"file\": {\"path\": \"logs/<img src=x onerror=alert(1)>.log\"},"
        "     \"offset\": 10},"
        "    \"ruru\": {\"line\": 3, \"length\": 40, \"sha256\": \"<i>not-a-digest</i>\","
        "     \"asset\": \"HOST\\u001b[31m\", \"indicator\": {\"type\": \"url\","
        "      \"value\": \"http://x/<script>alert(1)</script>?a=1&b='2'\"},"
        "     \"field\": {\"native\": \"cs-uri<x>\", \"canonical\": \"url.original\"}},"
        "    \"tlp\": \"amber\", \"verified\": \"<b>holds</b>\"}]},"
        "  {\"id\": \"ruru-incident--2\", \"asset\": \"set below\","
        "   \"first\": \"2024-03-01T00:00:00Z\", \"last\": null, \"judgement\": null,"
        "   \"serious\": false, \"evidence\": [], \"campaign\": null, \"sightings\": []}]}";

/* Bytes from a log that is anything but clean text. */
static const char BAD_BYTES[] = "a\xff"
                                "b\xc0\xaf"         /* an overlong '/' */
                                "c\xed\xa0\x80"     /* a surrogate */
                                "d\xe2\x82"         /* a sequence cut short */
                                "e\xc2\x9b"         /* C1: CSI */
                                "f\xe2\x80\xae"     /* RIGHT-TO-LEFT OVERRIDE */
                                "g\x01\x07\r\n\x7f" /* C0 and DEL */
                                "h\x1b[31mred\x1b[0m";
#define XSS "<script>alert(1)</script>\x1b[31m\"'&"

static json_t *hostile_model(void)
{
    json_error_t e;
    json_t *m = json_loads(HOSTILE, 0, &e), *incs, *orig;
    char text[256];

    if (m == NULL) {
        fprintf(stderr, "HOSTILE:%d:%d: %s\n", e.line, e.column, e.text);
        return NULL;
    }
    incs = json_object_get(m, "incidents");
    memcpy(text, XSS, strlen(XSS));
    memcpy(text + strlen(XSS), BAD_BYTES, sizeof(BAD_BYTES) - 1);
    orig = json_object_get(
            json_object_get(
                    json_array_get(json_object_get(json_array_get(incs, 0), "sightings"), 0),
                    "event"),
            "original");
    json_string_setn_nocheck(orig, text, strlen(XSS) + sizeof(BAD_BYTES) - 1);
    json_string_setn_nocheck(json_object_get(json_array_get(incs, 1), "asset"), BAD_BYTES,
                             sizeof(BAD_BYTES) - 1);
    return m;
}

static void test_hostile(void)
{
    json_t *m = hostile_model();
    struct ruru_buf b;

    CHECK(m != NULL);
    if (m == NULL)
        return;
    CHECK_INT(render(m, &b), RURU_OK);
    CHECK(!has_script(&b));
    CHECK(clean_utf8(&b));
    CHECK(!has(&b, "<img") && !has(&b, "<svg onload") && !has(&b, "<i>") && !has(&b, "<x>"));
    CHECK(!has(&b, "\x1b"));
    CHECK(has(&b, "<h1>Threat report: CERT &lt;script&gt;alert(1)&lt;/script&gt;<span "
                  "class=\"ctl\">ESC</span>&#39;<span class=\"ctl\">U+009B</span><span "
                  "class=\"ctl\">U+202E</span></h1>"));
    CHECK(has(&b, "Contact: a&quot;b&#39;c&amp;d."));
    CHECK(has(&b, "ruru-incident--&quot;&#39;&amp;&lt;x&gt;"));
    CHECK(has(&b, "<code>logs/&lt;img src=x onerror=alert(1)&gt;.log</code>"));
    CHECK(has(&b, "http://x/&lt;script&gt;alert(1)&lt;/script&gt;?a=1&amp;b=&#39;2&#39;"));
    CHECK(has(&b, "Bear&lt;svg onload=alert(1)&gt; (sponsored by &lt;/text&gt;&lt;script&gt;"));
    /* the sponsor from the data, as SVG text and in the table */
    CHECK(has(&b, "\">&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;</text>"));
    CHECK(has(&b, "<td>&lt;b&gt;Ruritania&lt;/b&gt;</td>"));
    CHECK(has(&b, "HOST<span class=\"ctl\">ESC</span>[31m"));
    /* the record: markup as text, control characters marked, bad bytes replaced */
    CHECK(has(&b, "<pre class=\"record\">&lt;script&gt;alert(1)&lt;/script&gt;<span "
                  "class=\"ctl\">ESC</span>[31m&quot;&#39;&amp;a\xef\xbf\xbd"
                  "b\xef\xbf\xbd\xef\xbf\xbd"
                  "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                  "d\xef\xbf\xbd\xef\xbf\xbd"
                  "e<span class=\"ctl\">U+009B</span>"
                  "f<span class=\"ctl\">U+202E</span>"
                  "g<span class=\"ctl\">SOH</span><span class=\"ctl\">BEL</span><span "
                  "class=\"ctl\">CR</span><span class=\"ctl\">LF</span><span "
                  "class=\"ctl\">DEL</span>"
                  "h<span class=\"ctl\">ESC</span>[31mred<span class=\"ctl\">ESC</span>[0m</pre>"));
    /* where no markup may go, as escapes: the title, the chart's text */
    CHECK(has(&b, "<title>TLP:AMBER \xe2\x80\x94 Threat report: CERT &lt;script&gt;alert(1)&lt;/"
                  "script&gt;\\x1B&#39;\\x9B\\u202E</title>"));
    /* a verdict that is none of the three is "not checked"; a cell's verdict never a class */
    CHECK(has(&b, "<code>ruru verify</code>: <span class=\"unchecked\">not checked</span>"));
    CHECK(!has(&b, "&lt;b&gt;holds"));
    CHECK(has(&b, "<td class=\"\">&quot;&gt;&lt;script&gt; \xc3\x97"
                  "1.00</td>"));
    /* the withheld counts, the months without a gap, the classes of sponsor */
    CHECK(has(&b, "Withheld for their TLP: 2 sightings and 0 whole incidents at TLP:RED; 1 "
                  "evidence line dropped from the incidents shown."));
    CHECK(has(&b, "<tr><td>2024-02</td><td class=\"n\">0</td><td class=\"n\">0</td><td "
                  "class=\"n\">0</td></tr>"));
    CHECK(has(&b, "<tr><td>2024-03</td><td class=\"n\">0</td><td class=\"n\">1</td><td "
                  "class=\"n\">1</td></tr>"));
    CHECK(has(&b, "<th class=\"n\">unattributed</th>"));
    CHECK(has(&b, "This incident has not been judged."));
    ruru_buf_fini(&b);
    json_decref(m);
}

/* The report's TLP is the most restrictive it holds, even where the model's own says less. */
static void test_tlp(void)
{
    json_t *m = load_fixture();
    json_t *inc = json_array_get(json_object_get(m, "incidents"), 1);
    struct ruru_buf b;

    json_object_set_new(json_array_get(json_object_get(inc, "sightings"), 3), "tlp",
                        json_string("red"));
    CHECK_INT(render(m, &b), RURU_OK);
    CHECK(has(&b, "<header class=\"banner\"><b class=\"tlp-red\">TLP:RED</b>"));
    CHECK(has(&b, "<footer class=\"banner\"><b class=\"tlp-red\">TLP:RED</b>"));
    CHECK(has(&b, "@top-center{content:\"TLP:RED\";color:#FF2B2B;"));
    /* the incident that holds the sighting, in the index and at its section */
    CHECK(has(&b, "<span class=\"badge tlp-red\">TLP:RED</span></td></tr>"));
    CHECK(has(&b, "<h2><span class=\"badge tlp-red\">TLP:RED</span> Incident 2 of 3</h2>"));
    ruru_buf_fini(&b);
    json_decref(m);
}

/* What is no model is refused, and the caller's buffer keeps what it held. */
static void test_refused(void)
{
    static const char *const bad[] = {
            "[]",
            "{\"ruru_export\": 2, \"tlp\": \"amber\", \"incidents\": []}",
            "{\"ruru_export\": 1, \"tlp\": \"purple\", \"incidents\": []}",
            "{\"ruru_export\": 1, \"incidents\": []}",
            "{\"ruru_export\": 1, \"tlp\": \"clear\", \"incidents\": {}}",
            "{\"ruru_export\": 1, \"tlp\": \"clear\", \"incidents\": [3]}",
            "{\"ruru_export\": 1, \"tlp\": \"clear\", \"incidents\": [{\"id\": \"x\", \"tlp\": "
            "\"blue\"}]}",
            "{\"ruru_export\": 1, \"tlp\": \"clear\", \"incidents\": [{\"id\": \"x\", "
            "\"sightings\": [{\"tlp\": 4}]}]}",
    };
    struct ruru_diag d;
    struct ruru_buf b;

    ruru_buf_init(&b, 1 << 20);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *m = json_loads(bad[i], 0, NULL);
        ruru_buf_reset(&b);
        ruru_buf_adds(&b, "kept");
        d.msg[0] = '\0';
        CHECK_INT(ruru_share_html(m, &b, &d), RURU_EINVAL);
        CHECK_STR(ruru_buf_str(&b), "kept");
        CHECK(d.msg[0] != '\0');
        json_decref(m);
    }
    ruru_buf_fini(&b);
    {
        /* the least model there is */
        json_t *m =
                json_loads("{\"ruru_export\": 1, \"tlp\": \"clear\", \"incidents\": []}", 0, NULL);
        CHECK_INT(render(m, &b), RURU_OK);
        CHECK(has(&b, "<b class=\"tlp-clear\">TLP:CLEAR</b>"));
        CHECK(has(&b, "<p>No incident in this period.</p>"));
        CHECK(has(&b, "No serious incident in this period: there is no share to give."));
        ruru_buf_fini(&b);
        json_decref(m);
    }
}

/* A report past the buffer's cap, or an allocation that fails anywhere, leaves the buffer as
 * it was and says so. */
static void test_limits(void)
{
    json_t *m = load_fixture();
    struct ruru_diag d;
    struct ruru_buf b;
    enum ruru_err err;
    uint64_t n;

    ruru_buf_init(&b, 20000);
    ruru_buf_adds(&b, "kept");
    CHECK_INT(ruru_share_html(m, &b, &d), RURU_ELIMIT);
    CHECK_STR(ruru_buf_str(&b), "kept");
    ruru_buf_fini(&b);
    for (n = 1;; n++) {
        ruru_buf_init(&b, (size_t)1 << 26);
        ruru_alloc_fail_at(n);
        err = ruru_share_html(m, &b, &d);
        ruru_alloc_fail_at(0);
        if (err != RURU_OK) {
            CHECK_INT(err, RURU_ENOMEM);
            CHECK_INT(b.len, 0);
        }
        ruru_buf_fini(&b);
        if (err != RURU_ENOMEM)
            break;
    }
    CHECK_INT(err, RURU_OK);
    CHECK(n > 5); /* the loop did fail allocations on the way */
    json_decref(m);
}

/* The chart: months over ten years apart are drawn without the years between, undated
 * incidents get their own column, a long path in a cite is found nowhere but harms nothing. */
static void test_chart(void)
{
    static const char model[] =
            "{\"ruru_export\": 1, \"tlp\": \"green\", \"incidents\": ["
            " {\"id\": \"a\", \"first\": \"2014-01-31T00:00:00Z\", \"judgement\": {\"actor\": "
            "\"X\"},"
            "  \"evidence\": [{\"actor_states\": [{\"name\": \"X\", \"state\": \"Ruritania\"}]}]},"
            " {\"id\": \"b\", \"first\": \"2024-06-01T00:00:00Z\", \"judgement\": {\"actor\": "
            "\"Y\"},"
            "  \"evidence\": [{\"actor_states\": [{\"name\": \"Y\", \"state\": null}]}]},"
            " {\"id\": \"c\", \"first\": \"2024-06-09T00:00:00Z\", \"judgement\": {\"actor\": "
            "\"X\"},"
            "  \"evidence\": [{\"actor_states\": [{\"name\": \"X\", \"state\": \"Ruritania\"}]}]},"
            " {\"id\": \"d\", \"first\": null, \"judgement\": {\"actor\": null}}]}";
    json_t *m = json_loads(model, 0, NULL);
    json_t *ev = json_object_get(json_array_get(json_object_get(m, "incidents"), 0), "evidence");
    json_t *cite = json_object(), *cites = json_array();
    char *path = malloc(70000);
    struct ruru_buf b;

    CHECK(m != NULL && path != NULL);
    if (m == NULL || path == NULL) {
        free(path);
        json_decref(m);
        return;
    }
    memset(path, 'p', 69999);
    path[69999] = '\0';
    json_object_set_new(cite, "path", json_string(path));
    json_object_set_new(cite, "offset", json_integer(0));
    json_object_set_new(cite, "sha256", json_string("00"));
    json_array_append_new(cites, cite);
    json_object_set_new(json_array_get(ev, 0), "cites", cites);
    CHECK_INT(render(m, &b), RURU_OK);
    CHECK(has(&b, "<th class=\"n\">Ruritania</th><th class=\"n\">not state-sponsored</th><th "
                  "class=\"n\">unattributed</th><th class=\"n\">All incidents</th>"));
    CHECK(has(&b, "<tr><td>2014-01</td><td class=\"n\">1</td><td class=\"n\">0</td><td "
                  "class=\"n\">0</td><td class=\"n\">1</td></tr>\n<tr><td>2024-06</td><td "
                  "class=\"n\">1</td><td class=\"n\">1</td><td class=\"n\">0</td><td "
                  "class=\"n\">2</td></tr>\n<tr><td>undated</td><td class=\"n\">0</td><td "
                  "class=\"n\">0</td><td class=\"n\">1</td><td class=\"n\">1</td></tr>"));
    CHECK(!has(&b, "2014-02"));
    CHECK(has(&b, "<title>2024-06, not state-sponsored: 1</title>"));
    CHECK(has(&b, "<tr><td>X</td><td>Ruritania</td><td class=\"n\">2</td><td class=\"n\">0</td>"
                  "</tr>\n<tr><td>Y</td><td>not state-sponsored</td><td class=\"n\">1</td><td "
                  "class=\"n\">0</td></tr>"));
    CHECK(has(&b, "<p>1 incident is put down to no known actor.</p>"));
    CHECK(has(&b, "<p class=\"note\">The model holds no text of this record; its bytes are cited "
                  "above.</p>"));
    ruru_buf_fini(&b);
    free(path);
    json_decref(m);
}

int main(void)
{
    test_fixture();
    test_verified();
    test_hostile();
    test_tlp();
    test_chart();
    test_refused();
    test_limits();
    return check_done();
}
