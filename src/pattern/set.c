/* SPDX-License-Identifier: Apache-2.0 */
#include "pattern/set.h"

#include <hs/hs.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "match/literal.h"
#include "pattern/observe.h"

struct ruru_pattern_scratch {
    hs_scratch_t *hs;
    uint64_t *cand; /* set->n bits */
    size_t words;
    struct ruru_buf text;
    struct ruru_buf copy; /* ruru_hs_scan_padded */
};

/* The needles of every entry that has them in one literal database, the entry as the id. */
static enum ruru_err build_db(struct ruru_pattern_set *set, struct ruru_diag *diag)
{
    size_t n = 0, k = 0;
    const char **exprs;
    size_t *lens;
    unsigned *ids, *flags;
    hs_compile_error_t *cerr = NULL;
    enum ruru_err err = RURU_OK;

    for (size_t i = 0; i < set->n; i++) {
        size_t m;
        (void)ruru_pattern_needles(set->entries[i].pattern, &m);
        n += m;
    }
    if (n == 0)
        return RURU_OK;
    if ((set->always = ruru_calloc((set->n + 63) / 64 + 1, sizeof(*set->always))) == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    exprs = ruru_calloc(n, sizeof(*exprs));
    lens = ruru_calloc(n, sizeof(*lens));
    ids = ruru_calloc(n, sizeof(*ids));
    flags = ruru_calloc(n, sizeof(*flags));
    if (exprs == NULL || lens == NULL || ids == NULL || flags == NULL) {
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < set->n; i++) {
        size_t m;
        const struct ruru_str *v = ruru_pattern_needles(set->entries[i].pattern, &m);
        for (size_t j = 0; j < m; j++, k++) {
            exprs[k] = v[j].ptr;
            lens[k] = v[j].len;
            ids[k] = (unsigned)i;
            flags[k] = HS_FLAG_SINGLEMATCH;
        }
        set->entries[i].needles = m > 0;
        if (m == 0)
            set->always[i / 64] |= (uint64_t)1 << (i % 64);
    }
    if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK, NULL, &set->db,
                             &cerr) != HS_SUCCESS) {
        /* then every pattern is asked of every record: slower, never wrong */
        for (size_t i = 0; i < set->n; i++)
            set->entries[i].needles = false;
        set->db = NULL;
        ruru_free(set->always);
        set->always = NULL;
        hs_free_compile_error(cerr);
        goto out;
    }
    set->n_needles = n;
out:
    ruru_free(exprs);
    ruru_free(lens);
    ruru_free(ids);
    ruru_free(flags);
    return err;
}

enum ruru_err ruru_pattern_set_build(const struct ruru_index *idx,
                                     struct ruru_pattern_set **out,
                                     struct ruru_diag *diag)
{
    struct ruru_pattern_set *set = ruru_calloc(1, sizeof(*set));
    size_t n = ruru_index_count(idx), cap = 0;

    *out = NULL;
    if (set == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        const struct ruru_index_ind *ind = ruru_index_at(idx, i);
        struct ruru_pattern_entry e;
        struct ruru_diag d;
        const char *const *types;
        size_t n_types;
        enum ruru_err err;

        if (ind->type != RURU_IOC_PATTERN)
            continue;
        memset(&e, 0, sizeof(e));
        e.ind = i;
        /* one pattern that cannot be compiled (malformed, over a limit, or too large for the
         * memory there is) is refused alone: it never stops the sweep of everything else */
        err = ruru_pattern_compile(ruru_index_key(idx, ind), ind->key_len, &e.pattern, &d);
        if (err != RURU_OK) {
            if (set->n_refused++ == 0)
                snprintf(set->first_refusal, sizeof(set->first_refusal), "%s", d.msg);
            continue;
        }
        types = ruru_pattern_types(e.pattern, &n_types);
        for (size_t k = 0; k < n_types; k++)
            e.types |= ruru_observe_type_bit(types[k]);
        if (e.types == 0) {
            set->n_unobservable++;
            ruru_pattern_destroy(e.pattern);
            continue;
        }
        e.single = ruru_pattern_single(e.pattern);
        if (set->n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct ruru_pattern_entry *g = ruru_realloc(set->entries, ncap * sizeof(*g));
            if (g == NULL) {
                ruru_pattern_destroy(e.pattern);
                ruru_pattern_set_destroy(set);
                return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
            }
            set->entries = g;
            cap = ncap;
        }
        set->entries[set->n++] = e;
    }
    if (build_db(set, diag) != RURU_OK) {
        ruru_pattern_set_destroy(set);
        return RURU_ENOMEM;
    }
    *out = set;
    return RURU_OK;
}

void ruru_pattern_set_destroy(struct ruru_pattern_set *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->n; i++)
        ruru_pattern_destroy(set->entries[i].pattern);
    ruru_free(set->entries);
    hs_free_database(set->db);
    ruru_free(set->always);
    ruru_free(set);
}

enum ruru_err ruru_pattern_scratch_create(const struct ruru_pattern_set *set,
                                          struct ruru_pattern_scratch **out)
{
    struct ruru_pattern_scratch *sc = ruru_calloc(1, sizeof(*sc));

    *out = NULL;
    if (sc == NULL)
        return RURU_ENOMEM;
    sc->words = (set->n + 63) / 64;
    ruru_buf_init(&sc->text, (size_t)64 << 20);
    ruru_buf_init(&sc->copy, (size_t)UINT32_MAX); /* as long as any line (ruru_hs_scan_padded) */
    if ((sc->cand = ruru_calloc(sc->words + 1, sizeof(*sc->cand))) == NULL ||
        (set->db != NULL && hs_alloc_scratch(set->db, &sc->hs) != HS_SUCCESS)) {
        ruru_pattern_scratch_destroy(sc);
        return RURU_ENOMEM;
    }
    *out = sc;
    return RURU_OK;
}

void ruru_pattern_scratch_destroy(struct ruru_pattern_scratch *sc)
{
    if (sc == NULL)
        return;
    hs_free_scratch(sc->hs);
    ruru_free(sc->cand);
    ruru_buf_fini(&sc->text);
    ruru_buf_fini(&sc->copy);
    ruru_free(sc);
}

static int on_needle(unsigned int id,
                     unsigned long long from,
                     unsigned long long to,
                     unsigned int flags,
                     void *ctx)
{
    uint64_t *cand = ctx;

    (void)from;
    (void)to;
    (void)flags;
    cand[id / 64] |= (uint64_t)1 << (id % 64);
    return 0;
}

const uint64_t *ruru_pattern_candidates(const struct ruru_pattern_set *set,
                                        struct ruru_pattern_scratch *sc,
                                        const struct ruru_record *r,
                                        const char *line,
                                        size_t len)
{
    bool any = false;

    if (set->db == NULL || set->always == NULL) {
        /* no needles: every pattern is asked */
        memset(sc->cand, 0xff, sc->words * sizeof(*sc->cand));
        return sc->cand;
    }
    memcpy(sc->cand, set->always, sc->words * sizeof(*sc->cand));
    /* the line holds every value that is in it as it is; the others (JSON escapes, bytes a
     * parser made) are looked at decoded. A failed scan or a value too big to copy: every
     * pattern is asked, never fewer. */
    if (len > UINT32_MAX ||
        (line != NULL && len > 0 &&
         ruru_hs_scan_padded(set->db, line, len, sc->hs, on_needle, sc->cand, &sc->copy) !=
                 HS_SUCCESS) ||
        !ruru_observe_text(r, line, len, &sc->text) ||
        (sc->text.len > 0 && ruru_hs_scan_padded(set->db, sc->text.ptr, sc->text.len, sc->hs,
                                                 on_needle, sc->cand, &sc->copy) != HS_SUCCESS)) {
        memset(sc->cand, 0xff, sc->words * sizeof(*sc->cand));
        return sc->cand;
    }
    for (size_t i = 0; i < sc->words && !any; i++)
        any = sc->cand[i] != 0;
    return any ? sc->cand : NULL;
}
