/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Literal search (literal.h). One Vectorscan block-mode database of all literals, compiled
 * with hs_compile_lit_multi (no regex parsing, so any byte of a user agent is itself); the
 * pattern id is the index entry, so a hit needs no table to lead back to its indicator, and
 * its start is its end minus the key's length (no start-of-match tracking, which would cost
 * Vectorscan speed).
 */
#include "match/literal.h"

#include <hs/hs.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/str.h"

struct ruru_literals {
    const struct ruru_index *idx;
    hs_database_t *db;
    size_t n;
};

struct ruru_literals_scratch {
    hs_scratch_t *hs;
    struct ruru_buf copy; /* ruru_hs_scan_padded */
};

/* 1 M literals take Vectorscan about a minute to compile (DESIGN.md §4); a list of that many
 * user agents is not intel but a dump. */
#define MAX_LITERALS (256u * 1024u)

enum ruru_err ruru_literals_build(const struct ruru_index *idx,
                                  uint64_t types,
                                  struct ruru_literals **out,
                                  struct ruru_diag *diag)
{
    size_t count = ruru_index_count(idx), n = 0;
    const char **exprs = NULL;
    size_t *lens = NULL;
    unsigned *ids = NULL, *flags = NULL;
    struct ruru_literals *lit = NULL;
    hs_compile_error_t *cerr = NULL;
    enum ruru_err err = RURU_OK;

    for (size_t i = 0; i < count; i++) {
        const struct ruru_index_ind *ind = ruru_index_at(idx, (uint32_t)i);
        n += ind->type < 64 && (types >> ind->type & 1) && ind->key_len > 0;
    }
    if (n == 0) {
        *out = NULL;
        return RURU_OK;
    }
    if (n > MAX_LITERALS)
        return ruru_diag_set(diag, RURU_ELIMIT, NULL, 0, 0,
                             "%zu user agents and strings to search for; at most %u are", n,
                             MAX_LITERALS);
    exprs = ruru_calloc(n, sizeof(*exprs));
    lens = ruru_calloc(n, sizeof(*lens));
    ids = ruru_calloc(n, sizeof(*ids));
    flags = ruru_calloc(n, sizeof(*flags));
    lit = ruru_calloc(1, sizeof(*lit));
    if (exprs == NULL || lens == NULL || ids == NULL || flags == NULL || lit == NULL) {
        err = RURU_ENOMEM;
        goto out;
    }
    n = 0;
    for (size_t i = 0; i < count; i++) {
        const struct ruru_index_ind *ind = ruru_index_at(idx, (uint32_t)i);
        if (!(ind->type < 64 && (types >> ind->type & 1) && ind->key_len > 0))
            continue;
        exprs[n] = ruru_index_key(idx, ind);
        lens[n] = ind->key_len;
        ids[n] = (unsigned)i;
        n++;
    }
    if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK, NULL, &lit->db,
                             &cerr) != HS_SUCCESS) {
        err = ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0, "compiling %zu literals: %s", n,
                            cerr != NULL && cerr->message != NULL ? cerr->message : "failed");
        hs_free_compile_error(cerr);
        goto out;
    }
    lit->idx = idx;
    lit->n = n;
    *out = lit;
    lit = NULL;
out:
    ruru_free(exprs);
    ruru_free(lens);
    ruru_free(ids);
    ruru_free(flags);
    ruru_free(lit);
    return err;
}

void ruru_literals_destroy(struct ruru_literals *lit)
{
    if (lit == NULL)
        return;
    hs_free_database(lit->db);
    ruru_free(lit);
}

size_t ruru_literals_count(const struct ruru_literals *lit)
{
    return lit != NULL ? lit->n : 0;
}

enum ruru_err ruru_literals_scratch_create(const struct ruru_literals *lit,
                                           struct ruru_literals_scratch **out)
{
    struct ruru_literals_scratch *sc = ruru_calloc(1, sizeof(*sc));

    if (sc == NULL)
        return RURU_ENOMEM;
    ruru_buf_init(&sc->copy, (size_t)UINT32_MAX); /* as long as any line (ruru_hs_scan_padded) */
    if (hs_alloc_scratch(lit->db, &sc->hs) != HS_SUCCESS) {
        ruru_free(sc);
        return RURU_ENOMEM;
    }
    *out = sc;
    return RURU_OK;
}

void ruru_literals_scratch_destroy(struct ruru_literals_scratch *sc)
{
    if (sc == NULL)
        return;
    hs_free_scratch(sc->hs);
    ruru_buf_fini(&sc->copy);
    ruru_free(sc);
}

struct padded {
    size_t len;
    int (*fn)(unsigned int, unsigned long long, unsigned long long, unsigned int, void *);
    void *ctx;
};

static int on_padded(unsigned int id,
                     unsigned long long from,
                     unsigned long long to,
                     unsigned int flags,
                     void *arg)
{
    struct padded *p = arg;

    if (to > p->len)
        return 0; /* in the padding */
    return p->fn(id, from, to, flags, p->ctx);
}

bool ruru_hs_pad(struct ruru_buf *copy, const char *text, size_t len)
{
    static const char zeros[RURU_HS_PAD] = {0};

    ruru_buf_reset(copy);
    return len <= UINT32_MAX - RURU_HS_PAD && ruru_buf_add(copy, text, len) == RURU_OK &&
           ruru_buf_add(copy, zeros, sizeof(zeros)) == RURU_OK;
}

int ruru_hs_scan_pad(const struct hs_database *db,
                     const struct ruru_buf *padded,
                     size_t len,
                     struct hs_scratch *scratch,
                     int (*fn)(unsigned int id,
                               unsigned long long from,
                               unsigned long long to,
                               unsigned int flags,
                               void *ctx),
                     void *ctx)
{
    struct padded p = {len, fn, ctx};

    if (padded->len != len + RURU_HS_PAD)
        return -1;
    return hs_scan(db, padded->ptr, (unsigned)padded->len, 0, scratch, on_padded, &p);
}

int ruru_hs_scan_padded(const struct hs_database *db,
                        const char *text,
                        size_t len,
                        struct hs_scratch *scratch,
                        int (*fn)(unsigned int id,
                                  unsigned long long from,
                                  unsigned long long to,
                                  unsigned int flags,
                                  void *ctx),
                        void *ctx,
                        struct ruru_buf *copy)
{
    if (!ruru_hs_pad(copy, text, len))
        return -1;
    return ruru_hs_scan_pad(db, copy, len, scratch, fn, ctx);
}

struct scan_ctx {
    const struct ruru_literals *lit;
    ruru_literal_fn fn;
    void *ctx;
};

static int on_match(unsigned int id,
                    unsigned long long from,
                    unsigned long long to,
                    unsigned int flags,
                    void *arg)
{
    struct scan_ctx *c = arg;
    const struct ruru_index_ind *ind = ruru_index_at(c->lit->idx, id);

    (void)from;
    (void)flags;
    return c->fn(id, (size_t)(to - ind->key_len), (size_t)to, c->ctx);
}

enum ruru_err ruru_literals_scan(const struct ruru_literals *lit,
                                 struct ruru_literals_scratch *sc,
                                 const char *text,
                                 size_t len,
                                 ruru_literal_fn fn,
                                 void *ctx)
{
    struct scan_ctx c = {lit, fn, ctx};
    int rc;

    if (len > UINT32_MAX)
        return RURU_EINVAL;
    rc = ruru_hs_scan_padded(lit->db, text, len, sc->hs, on_match, &c, &sc->copy);
    if (rc == HS_SCAN_TERMINATED)
        return RURU_ESTOPPED;
    return rc == HS_SUCCESS ? RURU_OK : RURU_EINVAL;
}

/* Bytes that continue a word, a version or a path. */
static bool glue(char c)
{
    return ruru_is_alpha(c) || ruru_is_digit(c) || c == '-' || c == '_' || c == '/';
}

bool ruru_literal_bounded(const char *text, size_t len, size_t start, size_t end)
{
    if (start > 0 && (glue(text[start - 1]) || text[start - 1] == '.'))
        return false;
    if (end < len && glue(text[end]))
        return false;
    if (end + 1 < len && text[end] == '.' && glue(text[end + 1]))
        return false;
    return true;
}
