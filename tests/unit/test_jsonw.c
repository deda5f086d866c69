/* SPDX-License-Identifier: Apache-2.0 */
/*
 * base/jsonw: JSON text written directly must be the bytes jansson's json_dumps writes with
 * JSON_COMPACT | JSON_ENSURE_ASCII for the same value (the sweep splices the two). Compared on
 * hand-picked strings and on random ones built from the pieces that matter: printable ASCII,
 * quotes and backslashes, control bytes, NUL, 0x7F, valid sequences of two, three and four
 * bytes, and every kind of invalid one.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/jsonw.h"
#include "check.h"
#include "xorshift.h"

/* What jansson writes for the string s[0, n); NULL when json_stringn refuses it. */
static char *jansson_text(const char *s, size_t n)
{
    json_t *v = json_stringn(s, n);
    char *t;

    if (v == NULL)
        return NULL;
    t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(v);
    return t;
}

/* The sightings' rule for bytes that are not UTF-8, built on jansson alone: a sequence that
 * json_stringn takes is kept, any other byte (and NUL) becomes U+FFFD. */
static char *jansson_fixed(const char *p, size_t n)
{
    char *fixed = malloc(n * 3 + 1), *t;
    size_t k = 0;

    for (size_t i = 0; i < n;) {
        size_t len = 0;
        for (size_t l = 1; l <= 4 && i + l <= n && len == 0; l++) {
            json_t *probe = p[i] != 0 ? json_stringn(p + i, l) : NULL;
            len = probe != NULL ? l : 0;
            json_decref(probe);
        }
        if (len > 0) {
            memcpy(fixed + k, p + i, len);
            k += len;
            i += len;
        } else {
            memcpy(fixed + k, "\xEF\xBF\xBD", 3);
            k += 3;
            i++;
        }
    }
    t = jansson_text(fixed, k);
    free(fixed);
    return t;
}

static void same_as_jansson(const char *s, size_t n)
{
    struct ruru_buf b;
    char *want = jansson_text(s, n);

    ruru_buf_init(&b, SIZE_MAX);
    CHECK_INT(ruru_jsonw_utf8_valid(s, n), want != NULL);
    if (want != NULL) {
        ruru_jsonw_str(&b, s, n);
        CHECK_STR(ruru_buf_str(&b), want);
        ruru_buf_reset(&b);
    } else {
        char *fixed = malloc(3 * n + 1);
        char *via = jansson_text(fixed, ruru_jsonw_fix_utf8(s, n, fixed));
        want = jansson_fixed(s, n);
        CHECK_STR(via, want); /* the fix the sightings' jansson objects take */
        free(via);
        free(fixed);
    }
    ruru_jsonw_bytes(&b, s, n);
    CHECK_STR(ruru_buf_str(&b), want);
    CHECK(!b.failed);
    free(want);
    ruru_buf_fini(&b);
}

static void test_picked(void)
{
    static const struct {
        const char *s;
        size_t n;
    } cases[] = {
            {"", 0},
            {"plain /path?q=1", 15},
            {"\"quoted\" back\\slash", 19},
            {"\b\f\n\r\t\x01\x1f\x7f", 8},
            {"nul\0inside", 10},
            {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14}, /* é € 😀 (a surrogate pair) */
            {"\xef\xbf\xbd\xef\xbf\xbf", 6},                   /* U+FFFD, U+FFFF */
            {"\xf4\x8f\xbf\xbf", 4},                           /* U+10FFFF */
            {"bad \xff byte", 10},                             /* invalid: U+FFFD */
            {"\xc0\xaf overlong", 11},                         /* overlong '/' */
            {"\xed\xa0\x80 surrogate", 13},                    /* U+D800 */
            {"\xf4\x90\x80\x80 too high", 13},                 /* U+110000 */
            {"\xe2\x82 cut", 6},                               /* a cut sequence */
            {"cut at the end \xf0\x9f\x98", 18},               /* cut at the end */
            {"nul\0and \x80", 9},                              /* NUL in an invalid string */
            {"\x80\x80\x80\xbf", 4},                           /* continuations alone */
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        same_as_jansson(cases[i].s, cases[i].n);
}

static void test_random(void)
{
    static const char *const pieces[] = {
            "a",
            "Z",
            "0",
            " ",
            "/",
            "\"",
            "\\",
            "\n",
            "\t",
            "\x01",
            "\x1f",
            "\x7f",
            "~",
            "\xc3\xa9",
            "\xdf\xbf",
            "\xe0\xa0\x80",
            "\xe2\x82\xac",
            "\xef\xbf\xbf",
            "\xf0\x90\x80\x80",
            "\xf4\x8f\xbf\xbf",
            "\x80",
            "\xbf",
            "\xc0",
            "\xc1\xbf",
            "\xc2",
            "\xe0\x80\x80",
            "\xed\xa0\x80",
            "\xed\xbf\xbf",
            "\xf0\x80\x80\x80",
            "\xf4\x90\x80\x80",
            "\xf5",
            "\xff",
    };
    size_t np = sizeof(pieces) / sizeof(pieces[0]);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    char s[256];

    for (int round = 0; round < 20000; round++) {
        size_t n = 0, want;
        xorshift(&x);
        want = (size_t)(x % 24);
        for (size_t k = 0; k < want; k++) {
            const char *p;
            xorshift(&x);
            /* mostly valid text, so that the valid path is tried as often as the other */
            p = round % 2 == 0 && x % 8 != 0 ? pieces[x % 20] : pieces[x % np];
            if (x % 97 == 0) {
                s[n++] = '\0';
                continue;
            }
            memcpy(s + n, p, strlen(p));
            n += strlen(p);
        }
        same_as_jansson(s, n);
    }
}

static void test_int(void)
{
    static const int64_t v[] = {0, 1, -1, 42, 1614556800, INT64_MAX, INT64_MIN};
    struct ruru_buf b;

    ruru_buf_init(&b, SIZE_MAX);
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        json_t *j = json_integer(v[i]);
        char *want = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
        ruru_buf_reset(&b);
        ruru_jsonw_int(&b, v[i]);
        CHECK_STR(ruru_buf_str(&b), want);
        free(want);
        json_decref(j);
    }
    ruru_buf_fini(&b);
}

int main(void)
{
    test_picked();
    test_random();
    test_int();
    return check_done();
}
