/* SPDX-License-Identifier: Apache-2.0 */
/* Typed token extraction over log-like lines. */
#include <stdlib.h>

#include "base/buf.h"
#include "check.h"
#include "scan/tokens.h"

/* The vector cut under test: AVX2, or AVX-512 when the test is run as "test_tokens avx512". */
static enum ruru_cut cut = RURU_CUT_AVX2;

static size_t cut_tokens(const char *line, size_t len, struct ruru_token *out, size_t max)
{
    return ruru_tokens_with(cut, line, len, out, max);
}

/* The cut under test gives the scalar cut's tokens: count, types, offsets, lengths and
 * addresses. */
static void same_cuts(const char *line, size_t len, size_t max)
{
    struct ruru_token a[64], b[64];
    size_t na = cut_tokens(line, len, a, max);
    size_t nb = ruru_tokens_with(RURU_CUT_SCALAR, line, len, b, max);

    CHECK_INT(na, nb);
    for (size_t i = 0; i < na && i < nb && i < max; i++) {
        if (a[i].type != b[i].type || a[i].off != b[i].off || a[i].len != b[i].len ||
            a[i].v4 != b[i].v4) {
            check_failed++;
            fprintf(stderr, "cuts differ at token %zu of a %zu-byte line (max %zu)\n", i, len, max);
            return;
        }
    }
}

/* Renders the tokens of a line as "type:text type:text ...". */
static void expect(const char *line, const char *want)
{
    struct ruru_token t[32];
    struct ruru_buf b;
    size_t n = cut_tokens(line, strlen(line), t, 32);

    same_cuts(line, strlen(line), 32);

    ruru_buf_init(&b, 1 << 16);
    for (size_t i = 0; i < n && i < 32; i++)
        ruru_buf_addf(&b, "%s%s:%.*s", i ? " " : "", ruru_ioc_type_name(t[i].type), (int)t[i].len,
                      line + t[i].off);
    if (strcmp(ruru_buf_str(&b), want) != 0) {
        check_failed++;
        fprintf(stderr, "tokens(%s):\n  got  %s\n  want %s\n", line, ruru_buf_str(&b), want);
    } else {
        check_passed++;
    }
    ruru_buf_fini(&b);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "avx512") == 0) {
        if (!ruru_tokens_can(RURU_CUT_AVX512)) {
            printf("test_tokens avx512: skipped: this processor has no AVX-512 BW\n");
            return 77;
        }
        cut = RURU_CUT_AVX512;
    }
    if (!ruru_tokens_can(cut))
        fprintf(stderr, "no vector cut on this processor: the scalar cut alone\n");
    fprintf(stderr, "the %s cut, against the scalar one\n",
            ruru_tokens_cut_name(ruru_tokens_can(cut) ? cut : RURU_CUT_SCALAR));
    expect("GET http://Evil.com:8080/x?a=1 \"curl\" 198.51.100.7:443",
           "url:http://Evil.com:8080/x?a=1 domain:Evil.com ipv4:198.51.100.7");
    expect("203.0.113.5 - - [10/Oct/2000:13:55:36 -0700] \"GET /owa/auth/x.aspx HTTP/1.1\" 200",
           "ipv4:203.0.113.5");
    expect("query: a.b.evil.com. IN A", "domain:a.b.evil.com");
    expect("from=<admin@evil.example> to=bob@example.org",
           "email:admin@evil.example domain:evil.example email:bob@example.org domain:example.org");
    expect("md5=d41d8cd98f00b204e9800998ecf8427e sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709",
           "md5:d41d8cd98f00b204e9800998ecf8427e sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709");
    expect("conn [2001:db8::1]:443 fe80::1%eth0 10:11:12 2001:db8:0:0:0:0:0:1",
           "ipv6:2001:db8::1 ipv6:2001:db8:0:0:0:0:0:1");
    expect("src=10.1.2.3 dst=8.8.8.8 dhost=update.evil.example",
           "ipv4:10.1.2.3 ipv4:8.8.8.8 domain:update.evil.example");
    expect("version 1.2.3 build 4.5 file setup.exe and index.html",
           "domain:setup.exe domain:index.html");
    expect("notanip 1.2.3.256 01.2.3.4 1.2.3", "");
    expect("https://user@files.example.com/a/b.zip, then (evil.com).",
           "url:https://user@files.example.com/a/b.zip domain:files.example.com domain:evil.com");
    expect("evil.com/gate.php?id=1", "domain:evil.com");
    /* '+' before a value: crawlers' user agents, "+host", "+1.2.3.4" */
    expect("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
           "url:http://www.google.com/bot.html domain:www.google.com");
    expect("Mozilla/5.0 (compatible; bingbot/2.0 +http://www.bing.com/bingbot.htm)",
           "url:http://www.bing.com/bingbot.htm domain:www.bing.com");
    expect("(+https://evil.example/bot?x=1)",
           "url:https://evil.example/bot?x=1 domain:evil.example");
    expect("ua=+http://c2.evil.example/x relay +relay.evil.example and +203.0.113.9:8080 ++1.2.3.4",
           "url:http://c2.evil.example/x domain:c2.evil.example domain:relay.evil.example "
           "ipv4:203.0.113.9 ipv4:1.2.3.4");
    expect("svn+ssh://repo.example.org/trunk -+http://x.example/",
           "url:svn+ssh://repo.example.org/trunk domain:repo.example.org "
           "url:http://x.example/ domain:x.example");
    /* A path or name before a word's first mark is nothing (its marks are not visited), unless
     * an '@' or a ":/" follows: the word is looked at from there. Each also across a block's
     * edge (64 bytes of lead). */
    for (int lead = 0; lead < 2; lead++) {
        static const char *const pad =
                "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz "; /* 61 */
        char l[256];
        const char *p = lead ? pad : "";
        snprintf(l, sizeof(l), "%sHTTP/1.1 [01/Mar/2021:00:00:02 /a/b.c curl/7.68.0", p);
        expect(l, "");
        snprintf(l, sizeof(l), "%sx/y@evil.example", p);
        expect(l, "email:x/y@evil.example domain:evil.example");
        snprintf(l, sizeof(l), "%sgo/to:http://evil.example/x", p);
        expect(l, "url:http://evil.example/x domain:evil.example");
        snprintf(l, sizeof(l), "%sa/b:/c.example d/e.f@g.example", p);
        expect(l, "email:d/e.f@g.example domain:g.example");
    }
    /* Numbers ("1614556800.123456", "0.001") are nothing; a word that goes on after its
     * digits, a dot and digits is looked at, also when its dot ends a block (byte 63). */
    expect("1614556800.123456 0.001 5.0 12. .5 1.5x 1.2.3.4 10.evil 2.0.evil.example",
           "ipv4:1.2.3.4 domain:10.evil domain:2.0.evil.example");
    expect("{\"@timestamp\":\"x\",\"port\":443,\"v\":\"4.2.0\"} :1.2 :1.2.3.4 4.2.0.1 4.2.0x "
           "@evil.example :80.evil 1.2.3. ::1 fe80::1",
           "ipv4:1.2.3.4 ipv4:4.2.0.1 domain:80.evil ipv6:fe80::1");
    expect("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz 10.evil",
           "domain:10.evil");
    expect("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz 10.9.8.7", "ipv4:10.9.8.7");
    expect("", "");
    {
        /* More tokens than room: counted, not stored. */
        struct ruru_token t[2];
        CHECK_INT(cut_tokens("1.1.1.1 2.2.2.2 3.3.3.3", 23, t, 2), 3);
        CHECK_INT(ruru_tokens_with(RURU_CUT_SCALAR, "1.1.1.1 2.2.2.2 3.3.3.3", 23, t, 2), 3);
    }
    {
        /* Every byte value in every position of a block, beside separators and marks. */
        char line[300];
        for (int c = 0; c < 256; c++) {
            for (size_t at = 0; at < 70; at++) {
                memset(line, 'a', sizeof(line));
                memcpy(line + 20, "1.2.3.4", 7);
                line[at + 30] = (char)c;
                memcpy(line + 150, "x.evil.com", 10);
                same_cuts(line, sizeof(line), 64);
                same_cuts(line, at + 31, 64);
                /* inside a host name and an address: a byte taken for a separator, a letter,
                 * a digit or a dot that it is not changes what they give */
                for (size_t i = 0; i < sizeof(line); i++)
                    line[i] = "x1.ab.9.cd.evil.com "[i % 20];
                line[at + 30] = (char)c;
                same_cuts(line, sizeof(line), 64);
                memcpy(line + at + 24, "10.1.2.3.4", 10);
                line[at + 30] = (char)c;
                same_cuts(line, sizeof(line), 64);
            }
        }
    }
    {
        /* Words of every length up to 300 at every offset around the 64-byte blocks: hashes
         * (32/40/64/128 hex), host names and plain words, cut short and whole. */
        static const char fill[] = "0123456789abcdef";
        char line[700];
        for (size_t wl = 1; wl <= 300; wl++) {
            for (size_t at = 0; at < 130; at += (wl < 140 ? 1 : 7)) {
                memset(line, ' ', sizeof(line));
                for (size_t i = 0; i < wl; i++)
                    line[at + i] = fill[i % 16];
                same_cuts(line, at + wl + 5, 64);
                same_cuts(line, at + wl, 64);
                if (wl > 4)
                    line[at + wl / 2] = '.';
                same_cuts(line, at + wl + 5, 64);
                if (wl > 8)
                    line[at + wl - 4] = ':';
                same_cuts(line, at + wl + 1, 64);
            }
        }
    }
    {
        /* Hashes' lengths of hexadecimal digits with one byte of every value at each place:
         * the masks of hexadecimal digits and letters, at their edges ('/', ':', '@', '`',
         * 'g', 'G' ...). */
        static const size_t lens[] = {32, 40, 64, 128};
        char line[160];
        for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
            for (size_t at = 0; at < lens[l]; at += 1 + at % 5)
                for (int c = 0; c < 256; c++) {
                    for (size_t i = 0; i < lens[l]; i++)
                        line[i + 1] = "0123456789abcdefABCDEF"[(i * 7 + l) % 22];
                    line[0] = ' ';
                    line[at + 1] = (char)c;
                    line[lens[l] + 1] = ' ';
                    same_cuts(line, lens[l] + 2, 64);
                }
    }
    /* Words the vector cut decides on its masks (numbers, clocks, times, "name/...",
     * addresses, host names, "@key"), and their near misses, which word() must see. */
    expect("1.2.3.4. 1.2.3.4.5 1614556800.123456 0.5 5. 1.evil.com evil.com. a..b.com .evil.com",
           "ipv4:1.2.3.4 domain:1.evil.com domain:evil.com");
    expect("evil.c0m xn--p1ai.xn--p1ai evil.xn--p1ai a.b-c.de a_b.c",
           "domain:xn--p1ai.xn--p1ai domain:evil.xn--p1ai domain:a.b-c.de");
    expect("HTTP/1.1 a.bc/d [01/Mar/2021:00:00:02 x/http://evil.com/ x/y@evil.com x/a:b",
           "domain:a.bc url:http://evil.com/ domain:evil.com email:x/y@evil.com domain:evil.com");
    expect("@timestamp @evil.com a@evil.com/x @a.bc a@b.cd", "email:a@b.cd domain:b.cd");
    expect("00:00:02 :443 1:2:3:4:5:6:7:8 1::2 12:34 1:2:3:4:5:6:7",
           "ipv6:1:2:3:4:5:6:7:8 ipv6:1::2");
    expect("2021-03-01T00:00:02.183Z 1.evil.com:80 1.evil.com:80. 1.2.3.4:80 1.2.3.4:8x 7:ab",
           "domain:1.evil.com domain:1.evil.com ipv4:1.2.3.4");
    {
        /* Dotted quads of every mix of octets, good and bad (empty, leading zeros, above 255,
         * four digits), with bytes after them and at the line's end: the vector cut reads an
         * octet with no branch on its length, from a copy when the line ends too soon. */
        static const char *const oct[] = {"",    "0",   "7",   "00",  "01",  "10",  "99",
                                          "100", "199", "249", "255", "256", "999", "1234"};
        const size_t n_oct = sizeof(oct) / sizeof(oct[0]);
        char line[64];
        struct ruru_token t[4];
        for (size_t i = 0; i < n_oct * n_oct * n_oct * n_oct; i++) {
            int n = snprintf(line, sizeof(line), "%s.%s.%s.%s", oct[i % n_oct],
                             oct[i / n_oct % n_oct], oct[i / n_oct / n_oct % n_oct],
                             oct[i / n_oct / n_oct / n_oct]);
            memcpy(line + n, " abc", 5);
            same_cuts(line, (size_t)n + 4, 4);
            /* at the very end of its memory, with nothing to three bytes after it (ASan: the
             * octets read three bytes on from the last one's start) */
            for (size_t k = 0; k <= 3; k++) {
                char *exact = malloc((size_t)n + k);
                if (exact == NULL)
                    continue;
                memcpy(exact, line, (size_t)n + k);
                same_cuts(exact, (size_t)n + k, 4);
                free(exact);
            }
        }
        CHECK_INT(cut_tokens("192.168.10.255 and so on", 24, t, 4), 1);
        CHECK_INT(t[0].v4, 0xc0a80affu);
        CHECK_INT(cut_tokens("x 9.80.100.0", 12, t, 4), 1);
        CHECK_INT(t[0].v4, 0x09506400u);
    }
    {
        static const char *const words[] = {
                "1.2.3.4",
                "1.2.3.4.",
                "1.2.3.4.5",
                "01.2.3.4",
                "1.2.3.256",
                "255.255.255.255",
                "1614556800.123456",
                "0.5",
                "1.evil.com",
                "evil.com",
                "evil.com.",
                "evil.c0m",
                "a..b.com",
                ".evil.com",
                "xn--p1ai.xn--p1ai",
                "HTTP/1.1",
                "a.b/c",
                "x/y@evil.com",
                "[01/Mar/2021:00:00:02",
                "x/http://evil.com/",
                "x/a:b",
                "x:/y",
                "@timestamp",
                "@evil.com",
                "a@evil.com/x",
                "00:00:02",
                ":443",
                "1:2:3:4:5:6:7:8",
                "1::2",
                "2021-03-01T00:00:02.183Z",
                "1.evil.com:80",
                "1.evil.com:80.",
                "1.2.3.4:80",
                "2001:db8::1",
                "fe80::1%eth0",
                "1a:ffff:ffff",
                "7:ab",
                "rv:11.0",
                "a=1.2.3.4",
                "k=v/evil.com",
                "+Mozilla/5.0+",
                "Windows+NT+10.0",
                "[::1]:443",
                "[1.2.3.4]",
                "12345678901234567890123456789012",
                ":12345678901234567890123456789012",
                "1:2:3:4:5:6:7:8:9",
                "1.2.3.4!",
                "evil.com?",
                "9:9:9:9:9:9:9:9:9:9:9:9:9:9:9:9:9",
                "a+evil.com",
                "evil.com+",
                "+evil.com",
                "[+evil.com",
                "rv:11.0x",
                "x:1.evil.com",
                "ab:1234",
                "ab:1234.5",
                "+rv:1.0",
                "a+b:c",
                "sha1:1a:2b",
                "a:1.2.3.4",
                "a:1.2.3.4x",
                "a.b:1x",
                "a.b.cd:80",
                "ab.cd:8a",
                "-x:1y",
                "_:1.b.cd",
                /* a hash behind marks word() drops, the word of a hash's length (the scalar
                 * cut looks at such a word only then) */
                "++++++++d41d8cd98f00b204e9800998ecf8427e",
                "[[[[[[[[d41d8cd98f00b204e9800998ecf8427e",
                "d41d8cd98f00b204e9800998ecf8427e!!!!!!!!",
                "+da39a3ee5e6b4b0d3255bfef95601890afd8070?",
                "+++da39a3ee5e6b4b0d3255bfef95601890afd80709",
                "+e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
                /* URLs: the common shape (taken on the masks) and its neighbours (word()) */
                "http://evil.com",
                "https://evil.com/a/b.js",
                "HTTP://EVIL.COM/",
                "http://evil.com:8080/x",
                "http://u@evil.com/",
                "http://evil.com?x=1",
                "http://evil.com#f",
                "http://1.2.3.4/x",
                "http://1.2.3.256/",
                "http://1.2.3/",
                "http://[::1]/",
                "http://evil.com./",
                "http://evil.com.",
                "http://evil.com!?",
                "http://",
                "http:///x",
                "h://a.bc",
                "http://evil.c0m/",
                "http://xn--p1ai.xn--p1ai/",
                "http://a..b.com/",
                "http://.evil.com/",
                "http://evil%2ecom/",
                "http:/evil.com/",
                "1http://evil.com/",
                "a1b://evil.com/",
                "http://evil.com/http://x.com/",
                "ab:http://evil.com/",
                "http://evil.com:/",
                "http://localhost/",
                "http://e-v_il.com/=",
        };
        char line[400];
        for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
            size_t wl = strlen(words[k]);
            for (size_t at = 0; at < 140; at++) {
                memset(line, 'z', sizeof(line));
                line[at] = ' ';
                memcpy(line + at + 1, words[k], wl);
                line[at + 1 + wl] = ' ';
                /* in a long line, at its end, and with the rest of the line short */
                same_cuts(line, sizeof(line), 64);
                same_cuts(line, at + 1 + wl, 64);
                same_cuts(line + at + 1, wl + 30, 64);
            }
        }
    }
    {
        /* Pseudo-random lines over an alphabet rich in separators and marks; small `max`. */
        static const char alpha[] = "ab09.:@=/ \t\"[]()-_fx%";
        char line[1024];
        uint32_t seed = 12345;
        for (int k = 0; k < 4000; k++) {
            size_t len = (size_t)(k % 1000) + 1;
            for (size_t i = 0; i < len; i++) {
                seed = seed * 1103515245u + 12345u;
                line[i] = alpha[(seed >> 16) % (sizeof(alpha) - 1)];
            }
            same_cuts(line, len, 64);
            same_cuts(line, len, (size_t)(k % 5));
        }
    }
    {
        /* Random URLs: schemes, hosts and what may follow a host, glued without separators,
         * at random places of a line (the common shape is taken on the block's masks). */
        static const char *const pieces[] = {
                "http",    "https",     "h",        "x1",
                "+",       "[",         "://",      ":/",
                ":",       "//",        "/",        "evil.com",
                "1.2.3.4", "256.1.1.1", "a",        ".",
                "..",      "-",         "_",        "@",
                "?",       "#",         "%",        "]",
                "=",       "!",         ":80",      "xn--p1ai",
                "E",       "0",         "EVIL.COM", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                " ",       "\t",        "\""};
        char line[300];
        uint32_t seed = 4242;
        for (int k = 0; k < 20000; k++) {
            size_t n = 0, lead;
            seed = seed * 1103515245u + 12345u;
            lead = (seed >> 16) % 100;
            memset(line, 'z', lead);
            n = lead;
            line[n++] = ' ';
            while (n < sizeof(line) - 40) {
                const char *p;
                seed = seed * 1103515245u + 12345u;
                p = pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))];
                memcpy(line + n, p, strlen(p));
                n += strlen(p);
                if ((seed >> 8) % 11 == 0)
                    break;
            }
            same_cuts(line, n, 64);
            line[n++] = ' ';
            memset(line + n, 'z', sizeof(line) - n);
            same_cuts(line, sizeof(line), 64);
        }
    }
    {
        /* The cut of a text is the cut of each of its lines (no word runs over a line's end):
         * the sweep's quick question cuts a window of lines at once. Lines of shape words at
         * random, ended by "\n" or "\r\n", some empty, some longer than a block. */
        static const char *const pieces[] = {
                "198.51.100.7",
                "evil.example.com",
                "http://a.example/x?y=1",
                "u@mail.example",
                "d41d8cd98f00b204e9800998ecf8427e",
                "fe80::1",
                "[2001:db8::1]:443",
                "x",
                "Mozilla/5.0",
                "00:00:02",
                "a=b.example",
                "1.2.3",
                "+http://b.example/",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
                " ",
                " ",
                "\t",
                "\"",
                ",",
                "\n",
                "\r\n",
                "\n\n"};
        static struct ruru_token whole[8192], part[512];
        static char text[16384];
        uint32_t seed = 777;
        for (int k = 0; k < 300; k++) {
            size_t n = 0, nw, at = 0, got = 0;
            bool same = true;
            while (n < sizeof(text) - 200) {
                const char *p;
                seed = seed * 1103515245u + 12345u;
                p = pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))];
                memcpy(text + n, p, strlen(p));
                n += strlen(p);
                if ((seed >> 8) % 97 == 0)
                    break;
            }
            nw = cut_tokens(text, n, whole, 8192);
            CHECK(nw <= 8192);
            while (at < n) {
                const char *nl = memchr(text + at, '\n', n - at);
                size_t end = nl != NULL ? (size_t)(nl - text) : n, len = end - at, np;
                while (len > 0 && text[at + len - 1] == '\r')
                    len--; /* as the sweep gives a line: without its CR */
                np = cut_tokens(text + at, len, part, 512);
                for (size_t i = 0; i < np && same; i++, got++)
                    same = got < nw && whole[got].type == part[i].type &&
                           whole[got].off == at + part[i].off && whole[got].len == part[i].len &&
                           whole[got].v4 == part[i].v4;
                at = end + 1;
            }
            CHECK(same && got == nw);
        }
    }
    return check_done();
}
