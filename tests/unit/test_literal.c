/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruru_hs_scan_padded (match/literal.h) against memmem: every occurrence of every literal of
 * several literal sets, at every place in buffers of 1 to 300 bytes, is reported, and nothing
 * past the text. The first set is one on which Debian 12's Vectorscan 5.4.9, scanning the
 * buffer as it is, misses ".vbs" at the end of buffers of 68 bytes and more.
 */
#include <hs/hs.h>
#include <stdlib.h>

#include "base/str.h"
#include "check.h"
#include "match/literal.h"

struct seen {
    size_t len;
    unsigned char hit[64][512]; /* [literal][end] */
    bool past;
};

static int
on(unsigned int id, unsigned long long from, unsigned long long to, unsigned int f, void *ctx)
{
    struct seen *s = ctx;

    (void)from;
    (void)f;
    if (to > s->len)
        s->past = true;
    else
        s->hit[id][to] = 1;
    return 0;
}

static void check_set(const char *const *lits, unsigned n, unsigned flags)
{
    size_t lens[64];
    unsigned ids[64], fl[64];
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;
    hs_scratch_t *sc = NULL;
    struct ruru_buf copy;
    struct seen *s = calloc(1, sizeof(*s));
    char buf[320];
    size_t missed = 0, wrong = 0;

    for (unsigned i = 0; i < n; i++) {
        lens[i] = strlen(lits[i]);
        ids[i] = i;
        fl[i] = flags;
    }
    CHECK(hs_compile_lit_multi(lits, fl, ids, lens, n, HS_MODE_BLOCK, NULL, &db, &err) ==
          HS_SUCCESS);
    CHECK(hs_alloc_scratch(db, &sc) == HS_SUCCESS);
    ruru_buf_init(&copy, 1 << 20);
    srand(7);
    for (size_t len = 1; len <= 300; len++)
        for (size_t pos = 0; pos < len; pos++) {
            unsigned which = (unsigned)((pos + len) % n);
            /* runs of one byte (where the miss shows) and mixed bytes */
            for (size_t k = 0; k < len; k++)
                buf[k] = pos % 2 ? 'a' : "aab.xyz/"[rand() % 8];
            if (pos + lens[which] <= len)
                memcpy(buf + pos, lits[which], lens[which]);
            memset(s, 0, sizeof(*s));
            s->len = len;
            if (ruru_hs_scan_padded(db, buf, len, sc, on, s, &copy) != HS_SUCCESS)
                wrong++;
            wrong += s->past;
            /* the truth, by memmem: every occurrence (one per literal with SINGLEMATCH) */
            for (unsigned i = 0; i < n; i++) {
                bool present = false, reported = false;
                for (size_t at = 0; at + lens[i] <= len; at++) {
                    bool here = ruru_memmem(buf + at, lens[i], lits[i], lens[i]) != NULL;
                    present |= here;
                    reported |= s->hit[i][at + lens[i]] != 0;
                    if (here && !s->hit[i][at + lens[i]] && !(flags & HS_FLAG_SINGLEMATCH))
                        missed++;
                }
                if (present && !reported)
                    missed++;
            }
        }
    CHECK_INT(missed, 0);
    CHECK_INT(wrong, 0);
    ruru_buf_fini(&copy);
    hs_free_scratch(sc);
    hs_free_database(db);
    free(s);
}

int main(void)
{
    static const char *const js_vbs[] = {".js", ".vbs"};
    static const char *const exts[] = {".bat", ".chm",  ".csproj", ".hta", ".js",
                                       ".jse", ".proj", ".ps1",    ".vbs"};
    static const char *const mixed[] = {"ab", "b.x", "xyz/", "/a", "zz", "a.b.x"};

    check_set(js_vbs, 2, 0);
    check_set(exts, 9, HS_FLAG_CASELESS);
    check_set(mixed, 6, HS_FLAG_SINGLEMATCH); /* one report per literal: the truth is >= 1 */
    return check_done();
}
