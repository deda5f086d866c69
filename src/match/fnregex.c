/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File-name regexes (fnregex.h): PCRE2 codes shared read-only by the threads (PCRE2 allows
 * that; each thread has its own match data), and one Vectorscan literal database of their
 * atoms as the prefilter. Worked example: for the path
 *
 *     C:\inetpub\wwwroot\aspnet_client\system_web\shell.aspx
 *
 * the scan reports the atoms "\inetpub\wwwroot\aspnet_client\" (of three HAFNIUM regexes)
 * and ".aspx" (of a dozen); only those regexes and the ones without an atom run, and
 * "\\inetpub\\wwwroot\\aspnet_client\\[^\\"]{1,20}\\[^\\"]{1,20}\.aspx" matches.
 */
#include "match/fnregex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs/hs.h>
#include <pcre2.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "match/literal.h"

/* A shorter atom is in too many paths to filter anything ("\a", ".d"). */
#define MIN_ATOM 3
#define MAX_ATOM 256
/* More regexes than any list of file names; a larger set is a dump, not intel. */
#define MAX_REGEXES (64u * 1024u)

struct entry {
    pcre2_code *re;
    uint32_t ind; /* index entry */
};

struct ruru_fnregex {
    struct entry *e;
    size_t n, n_bad;
    uint64_t *always;  /* bit i: entry i has no atom and always runs */
    size_t words;      /* of the bit sets */
    hs_database_t *db; /* atoms, id = entry; NULL when no entry has one */
};

struct ruru_fnregex_scratch {
    hs_scratch_t *hs;
    struct ruru_buf copy; /* ruru_hs_scan_padded */
    pcre2_match_data *md;
    uint64_t *cand; /* bit i: entry i is to run */
};

/* ---- atoms ------------------------------------------------------------------------------------
 */

/* The end of the group opening at re[i] == '(' (after its ')'), or n. */
static size_t skip_group(const char *re, size_t n, size_t i)
{
    int depth = 0;
    bool in_class = false;

    for (; i < n; i++) {
        char c = re[i];
        if (c == '\\') {
            i++;
        } else if (in_class) {
            in_class = c != ']';
        } else if (c == '[') {
            in_class = true;
            if (i + 1 < n && re[i + 1] == '^')
                i++;
            if (i + 1 < n && re[i + 1] == ']')
                i++;
        } else if (c == '(') {
            depth++;
        } else if (c == ')' && --depth == 0) {
            return i + 1;
        }
    }
    return n;
}

/* The end of the class opening at re[i] == '[' (after its ']'), or n. */
static size_t skip_class(const char *re, size_t n, size_t i)
{
    i++;
    if (i < n && re[i] == '^')
        i++;
    if (i < n && re[i] == ']')
        i++;
    for (; i < n; i++) {
        if (re[i] == '\\')
            i++;
        else if (re[i] == ']')
            return i + 1;
    }
    return n;
}

/* Is there a '|' outside every group and class? Then no run is in every match. */
static bool top_alternation(const char *re, size_t n)
{
    for (size_t i = 0; i < n;) {
        if (re[i] == '\\')
            i += 2;
        else if (re[i] == '(')
            i = skip_group(re, n, i);
        else if (re[i] == '[')
            i = skip_class(re, n, i);
        else if (re[i] == '|')
            return true;
        else
            i++;
    }
    return false;
}

/* Ends the current run of literal bytes, keeping it in out when it is the longest yet. */
static void end_run(const char *run, size_t *len, char *out, size_t cap, size_t *best)
{
    if (*len > *best && *len <= cap) {
        memcpy(out, run, *len);
        *best = *len;
    }
    *len = 0;
}

void ruru_fnregex_atom(const char *re, size_t n, char *out, size_t cap, size_t *out_len)
{
    char run[MAX_ATOM];
    size_t len = 0, best = 0, i = 0;

    *out_len = 0;
    /* A false-positive regex folded in by the Loki importer, ^(?!.*(?:FP)).*?(?:REGEX): every
     * match holds a match of REGEX, so REGEX's atom is the atom. */
    if (n > 9 && memcmp(re, "^(?!.*(?:", 9) == 0 && re[n - 1] == ')') {
        for (size_t k = n - 1; k >= 9; k--) {
            if (k + 8 <= n && memcmp(re + k, ")).*?(?:", 8) == 0) {
                ruru_fnregex_atom(re + k + 8, n - k - 9, out, cap, out_len);
                return;
            }
        }
    }
    if (top_alternation(re, n))
        return;
    while (i < n) {
        char c = re[i];
        if (c == '\\' && i + 1 < n) {
            char e = re[i + 1];
            i += 2;
            if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
                end_run(run, &len, out, cap,
                        &best); /* \d \w \b \x41 \1 ...: not one literal byte */
                continue;
            }
            c = e;
        } else if (c == '(') {
            end_run(run, &len, out, cap, &best);
            i = skip_group(re, n, i);
            continue;
        } else if (c == '[') {
            end_run(run, &len, out, cap, &best);
            i = skip_class(re, n, i);
            continue;
        } else if (c == '*' || c == '?' || c == '{' || c == '+') {
            /* the quantified byte may be absent (or, for '+', we keep it simple) */
            if (len > 0 && c != '+')
                len--;
            end_run(run, &len, out, cap, &best);
            if (c == '{')
                while (i < n && re[i] != '}')
                    i++;
            i++;
            continue;
        } else if (c == '.' || c == '^' || c == '$' || c == '|' || c == ')') {
            end_run(run, &len, out, cap, &best);
            i++;
            continue;
        } else {
            i++;
        }
        if (len == sizeof(run)) {
            end_run(run, &len, out, cap, &best);
        }
        run[len++] = c;
    }
    end_run(run, &len, out, cap, &best);
    *out_len = best >= MIN_ATOM ? best : 0;
}

/* ---- the set
 * ------------------------------------------------------------------------------------- */

enum ruru_err
ruru_fnregex_build(const struct ruru_index *idx, struct ruru_fnregex **out, struct ruru_diag *diag)
{
    size_t count = ruru_index_count(idx), n = 0, n_atoms = 0;
    struct ruru_fnregex *set = NULL;
    char **atoms = NULL;
    size_t *lens = NULL;
    unsigned *ids = NULL, *flags = NULL;
    hs_compile_error_t *cerr = NULL;
    enum ruru_err err = RURU_OK;

    if (!ruru_index_has_type(idx, RURU_IOC_FILENAME_REGEX)) {
        *out = NULL;
        return RURU_OK;
    }
    for (size_t i = 0; i < count; i++)
        n += ruru_index_at(idx, (uint32_t)i)->type == RURU_IOC_FILENAME_REGEX;
    if (n > MAX_REGEXES)
        return ruru_diag_set(diag, RURU_ELIMIT, NULL, 0, 0,
                             "%zu file-name regexes to run; at most %u are", n, MAX_REGEXES);
    set = ruru_calloc(1, sizeof(*set));
    if (set == NULL)
        return RURU_ENOMEM;
    set->words = (n + 63) / 64;
    set->e = ruru_calloc(n, sizeof(*set->e));
    set->always = ruru_calloc(set->words, sizeof(*set->always));
    atoms = ruru_calloc(n, sizeof(*atoms));
    lens = ruru_calloc(n, sizeof(*lens));
    ids = ruru_calloc(n, sizeof(*ids));
    flags = ruru_calloc(n, sizeof(*flags));
    if (set->e == NULL || set->always == NULL || atoms == NULL || lens == NULL || ids == NULL ||
        flags == NULL) {
        err = RURU_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        const struct ruru_index_ind *ind = ruru_index_at(idx, (uint32_t)i);
        const char *key = ruru_index_key(idx, ind);
        int code;
        PCRE2_SIZE off;
        char atom[MAX_ATOM];
        size_t alen, k;
        if (ind->type != RURU_IOC_FILENAME_REGEX)
            continue;
        k = set->n;
        /* Captures are never read: without them PCRE2 keeps smaller backtracking frames. A
         * regex that needs them (a back reference) is compiled as it is. */
        set->e[k].re = pcre2_compile((PCRE2_SPTR)key, ind->key_len, PCRE2_NO_AUTO_CAPTURE, &code,
                                     &off, NULL);
        if (set->e[k].re == NULL)
            set->e[k].re = pcre2_compile((PCRE2_SPTR)key, ind->key_len, 0, &code, &off, NULL);
        if (set->e[k].re == NULL) {
            set->n_bad++;
            continue;
        }
        /* JIT: about 5 times faster on Windows paths (measured on signature-base's set); a
         * regex the JIT cannot take is run by the interpreter. */
        (void)pcre2_jit_compile(set->e[k].re, PCRE2_JIT_COMPLETE);
        set->e[k].ind = (uint32_t)i;
        set->n++;
        ruru_fnregex_atom(key, ind->key_len, atom, sizeof(atom), &alen);
        if (alen == 0) {
            set->always[k / 64] |= 1ull << (k % 64);
            continue;
        }
        if ((atoms[n_atoms] = ruru_malloc(alen)) == NULL) {
            err = RURU_ENOMEM;
            goto out;
        }
        memcpy(atoms[n_atoms], atom, alen);
        lens[n_atoms] = alen;
        ids[n_atoms] = (unsigned)k;
        flags[n_atoms] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
        n_atoms++;
    }
    if (n_atoms > 0 &&
        hs_compile_lit_multi((const char *const *)atoms, flags, ids, lens, (unsigned)n_atoms,
                             HS_MODE_BLOCK, NULL, &set->db, &cerr) != HS_SUCCESS) {
        err = ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0, "compiling %zu regex atoms: %s", n_atoms,
                            cerr != NULL && cerr->message != NULL ? cerr->message : "failed");
        hs_free_compile_error(cerr);
        goto out;
    }
    *out = set;
    set = NULL;
out:
    for (size_t i = 0; atoms != NULL && i < n_atoms; i++)
        ruru_free(atoms[i]);
    ruru_free(atoms);
    ruru_free(lens);
    ruru_free(ids);
    ruru_free(flags);
    ruru_fnregex_destroy(set);
    return err;
}

void ruru_fnregex_destroy(struct ruru_fnregex *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; set->e != NULL && i < set->n; i++)
        pcre2_code_free(set->e[i].re);
    hs_free_database(set->db);
    ruru_free(set->e);
    ruru_free(set->always);
    ruru_free(set);
}

size_t ruru_fnregex_count(const struct ruru_fnregex *set, size_t *n_bad)
{
    if (n_bad != NULL)
        *n_bad = set != NULL ? set->n_bad : 0;
    return set != NULL ? set->n : 0;
}

enum ruru_err ruru_fnregex_scratch_create(const struct ruru_fnregex *set,
                                          struct ruru_fnregex_scratch **out)
{
    struct ruru_fnregex_scratch *sc = ruru_calloc(1, sizeof(*sc));

    if (sc == NULL)
        return RURU_ENOMEM;
    ruru_buf_init(&sc->copy, (size_t)UINT32_MAX); /* as long as any field (ruru_hs_scan_padded) */
    sc->md = pcre2_match_data_create(1, NULL);
    sc->cand = ruru_calloc(set->words > 0 ? set->words : 1, sizeof(*sc->cand));
    if (sc->md == NULL || sc->cand == NULL ||
        (set->db != NULL && hs_alloc_scratch(set->db, &sc->hs) != HS_SUCCESS)) {
        ruru_fnregex_scratch_destroy(sc);
        return RURU_ENOMEM;
    }
    *out = sc;
    return RURU_OK;
}

void ruru_fnregex_scratch_destroy(struct ruru_fnregex_scratch *sc)
{
    if (sc == NULL)
        return;
    hs_free_scratch(sc->hs);
    pcre2_match_data_free(sc->md);
    ruru_buf_fini(&sc->copy);
    ruru_free(sc->cand);
    ruru_free(sc);
}

static int
on_atom(unsigned int id, unsigned long long from, unsigned long long to, unsigned int f, void *ctx)
{
    uint64_t *cand = ctx;

    (void)from;
    (void)to;
    (void)f;
    cand[id / 64] |= 1ull << (id % 64);
    return 0;
}

bool ruru_fnregex_match(const struct ruru_fnregex *set,
                        struct ruru_fnregex_scratch *sc,
                        const char *text,
                        size_t len,
                        int (*fn)(uint32_t ind, void *ctx),
                        void *ctx)
{
    memcpy(sc->cand, set->always, set->words * sizeof(*sc->cand));
    if (set->db != NULL &&
        ruru_hs_scan_padded(set->db, text, len, sc->hs, on_atom, sc->cand, &sc->copy) != HS_SUCCESS)
        return false;
    for (size_t w = 0; w < set->words; w++) {
        uint64_t bits = sc->cand[w];
        while (bits != 0) {
            size_t k = w * 64 + (size_t)__builtin_ctzll(bits);
            bits &= bits - 1;
            if (pcre2_match(set->e[k].re, (PCRE2_SPTR)text, len, 0, 0, sc->md, NULL) >= 0 &&
                fn(set->e[k].ind, ctx) != 0)
                return true;
        }
    }
    return true;
}
