/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logsources tied to inputs by the user (sigma.h): "LOGSOURCE=PATTERN" says that the inputs
 * PATTERN names are logs of LOGSOURCE, so the rules of that logsource run on them whatever
 * ruru makes of their format. This is how a Cisco device's syslog gets the Cisco rules, and
 * how a plain-text log gets any rule at all: ruru does not guess a product from text.
 *
 * Example: "cisco/aaa=/var/log/net/router-1.log" is the tie {product: cisco, service: aaa}
 * on the input of that path. It covers the rules of logsource {product: cisco, service: aaa}
 * and {product: cisco} (nothing contradicts, the product is shared), not {product: cisco,
 * service: bgp} (the service differs) nor {category: webserver} (nothing shared). Per input,
 * the covered rules are one bit set, asked before anything else in ruru_sigma_applies; the
 * prefilter groups that hold them are scanned for that input too.
 *
 * Also here: which rules ran on some record (ruru_ran), for the summary's "rules that ran on
 * nothing".
 */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/str.h"
#include "rules/sigma_int.h"

/* The parts of a logsource, in the order category, product, service. */
#define N_PARTS  3
#define PART_MAX 64 /* longer than any taxonomy name (the longest Windows service is 42) */

static const char *const PART_NAMES[N_PARTS] = {"category", "product", "service"};

struct spec {
    char part[N_PARTS][PART_MAX];
    bool has[N_PARTS];
};

static bool name_byte(char c)
{
    return ruru_is_alpha(c) || ruru_is_digit(c) || c == '_' || c == '-' || c == '.';
}

/* One part's value s[0..n) into sp->part[k]; false with *why when it is no name. */
static bool put_part(struct spec *sp, size_t k, const char *s, size_t n, const char **why)
{
    if (n == 0 || n >= PART_MAX) {
        *why = n == 0 ? "an empty name" : "a name too long";
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (!name_byte(s[i])) {
            *why = "a name holds only letters, digits, '_', '-' and '.'";
            return false;
        }
    if (sp->has[k]) {
        *why = "a part named twice";
        return false;
    }
    memcpy(sp->part[k], s, n);
    sp->part[k][n] = '\0';
    sp->has[k] = true;
    return true;
}

/* "PRODUCT[/SERVICE]" or "category:C,product:P,service:S" (any of them, any order). */
static bool parse_spec(const char *s, size_t n, struct spec *sp, const char **why)
{
    memset(sp, 0, sizeof(*sp));
    if (memchr(s, ':', n) == NULL) {
        const char *slash = memchr(s, '/', n);
        if (slash == NULL)
            return put_part(sp, 1, s, n, why);
        return put_part(sp, 1, s, (size_t)(slash - s), why) &&
               put_part(sp, 2, slash + 1, n - (size_t)(slash - s) - 1, why);
    }
    for (size_t i = 0; i <= n;) {
        const char *item = s + i, *comma = memchr(item, ',', n - i), *colon;
        size_t len = comma != NULL ? (size_t)(comma - item) : n - i, k;
        colon = memchr(item, ':', len);
        if (colon == NULL) {
            *why = "each part is category:NAME, product:NAME or service:NAME";
            return false;
        }
        for (k = 0; k < N_PARTS; k++)
            if ((size_t)(colon - item) == strlen(PART_NAMES[k]) &&
                memcmp(item, PART_NAMES[k], strlen(PART_NAMES[k])) == 0)
                break;
        if (k == N_PARTS) {
            *why = "each part is category:NAME, product:NAME or service:NAME";
            return false;
        }
        if (!put_part(sp, k, colon + 1, len - (size_t)(colon - item) - 1, why))
            return false;
        i += len + 1;
    }
    return true;
}

/* Splits "LOGSOURCE=PATTERN"; false with the reason in diag. */
static bool parse_tie(const char *tie, struct spec *sp, const char **pattern, struct ruru_diag *d)
{
    const char *eq = tie != NULL ? strchr(tie, '=') : NULL, *why = NULL;

    if (eq == NULL || eq[1] == '\0') {
        ruru_diag_set(d, RURU_EINVAL, NULL, 0, 0,
                      "logsource tie \"%s\": LOGSOURCE=PATTERN is needed "
                      "(cisco/aaa=/var/log/router.log)",
                      tie != NULL ? tie : "");
        return false;
    }
    if (!parse_spec(tie, (size_t)(eq - tie), sp, &why)) {
        ruru_diag_set(d, RURU_EINVAL, NULL, 0, 0,
                      "logsource tie \"%s\": %s (PRODUCT[/SERVICE], or "
                      "category:C,product:P,service:S)",
                      tie, why);
        return false;
    }
    *pattern = eq + 1;
    return true;
}

enum ruru_err ruru_rules_tie_check(const char *tie, struct ruru_diag *diag)
{
    struct spec sp;
    const char *pattern;

    ruru_diag_clear(diag);
    return parse_tie(tie, &sp, &pattern, diag) ? RURU_OK : RURU_EINVAL;
}

static bool covers(const struct spec *sp, const struct ruru_sigma_rule *r)
{
    const char *rp[N_PARTS] = {r->ls.category, r->ls.product, r->ls.service};
    int shared = 0;

    if (r->corr != NULL)
        return false; /* correlations see matches, not records */
    for (size_t k = 0; k < N_PARTS; k++) {
        if (!sp->has[k] || rp[k] == NULL)
            continue;
        if (ruru_ascii_casecmp(sp->part[k], rp[k]) != 0)
            return false;
        shared++;
    }
    return shared > 0;
}

static const struct ruru_sigma_rule *at(const struct ruru_rules *rs, size_t i)
{
    return *(struct ruru_sigma_rule *const *)ruru_vec_at(&rs->rules, i);
}

static const char *skip_dot_slash(const char *p)
{
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    return p;
}

/* Does PATTERN (NUL-terminated, no "./") name `path` from its start: the path itself, a
 * glob of it, or a directory above it? */
static bool names(const char *pattern, const char *path)
{
    size_t n = strlen(pattern);

    if (fnmatch(pattern, path, 0) == 0)
        return true;
    while (n > 1 && pattern[n - 1] == '/')
        n--;
    return strncmp(path, pattern, n) == 0 && path[n] == '/';
}

/* Does PATTERN name the input at `path`: the path itself, a directory above it, or a glob
 * ('*' crosses '/'); a relative pattern also names the path's tail after any '/'
 * ("loghub/Linux_2k.log" names "/data/logs/loghub/Linux_2k.log"); without a '/', the file
 * name? */
static bool path_matches(const char *pattern, const char *path)
{
    const char *base = strrchr(path, '/');

    pattern = skip_dot_slash(pattern);
    path = skip_dot_slash(path);
    if (strchr(pattern, '/') == NULL)
        return fnmatch(pattern, base != NULL ? base + 1 : path, 0) == 0;
    if (names(pattern, path))
        return true;
    if (pattern[0] == '/')
        return false;
    for (const char *p = strchr(path, '/'); p != NULL; p = strchr(p + 1, '/'))
        if (names(pattern, p + 1))
            return true;
    return false;
}

enum ruru_err ruru_rules_input_create(const struct ruru_rules *rs,
                                      const char *path,
                                      int kind,
                                      const char *const *ties,
                                      size_t n_ties,
                                      struct ruru_rules_input **out,
                                      struct ruru_diag *diag)
{
    struct ruru_rules_input *in = ruru_calloc(1, sizeof(*in));
    size_t words = (rs->rules.n + 63) / 64;

    ruru_diag_clear(diag);
    if (in == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    in->base_cls = ruru_sigma_kind_cls(kind, &in->presumed);
    for (size_t t = 0; t < n_ties; t++) {
        struct spec sp;
        const char *pattern;
        if (!parse_tie(ties[t], &sp, &pattern, diag)) {
            ruru_rules_input_destroy(in);
            return RURU_EINVAL;
        }
        if (path == NULL || !path_matches(pattern, path))
            continue;
        in->tied = true;
        if (in->matched == NULL && (in->matched = ruru_calloc(n_ties, sizeof(size_t))) == NULL) {
            ruru_rules_input_destroy(in);
            return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        }
        in->matched[in->n_ties++] = t;
        if (in->rules == NULL &&
            (in->rules = ruru_calloc(words ? words : 1, sizeof(*in->rules))) == NULL) {
            ruru_rules_input_destroy(in);
            return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        }
        for (size_t i = 0; i < rs->rules.n; i++) {
            const struct ruru_sigma_rule *r = at(rs, i);
            if (!covers(&sp, r))
                continue;
            in->rules[i / 64] |= 1ull << (i % 64);
            if (r->filter == NULL)
                in->groups |= r->ls_class == LS_ANY ? LS_GROUP_UNMAPPED : r->ls_class;
        }
    }
    *out = in;
    return RURU_OK;
}

void ruru_rules_input_destroy(struct ruru_rules_input *in)
{
    if (in == NULL)
        return;
    ruru_free(in->rules);
    ruru_free(in->matched);
    ruru_free(in);
}

size_t ruru_rules_input_ties(const struct ruru_rules_input *in)
{
    return in != NULL ? in->n_ties : 0;
}

size_t ruru_rules_input_tie(const struct ruru_rules_input *in, size_t k)
{
    return in->matched[k];
}

bool ruru_rules_needs_tie(const struct ruru_rules *rs, uint32_t i)
{
    const struct ruru_sigma_rule *r = at(rs, i);

    return r->corr == NULL && r->filter == NULL && r->ls_class == LS_ANY;
}

void ruru_rules_logsource_text(const struct ruru_rules *rs, uint32_t i, char *out, size_t cap)
{
    const struct ruru_sigma_rule *r = at(rs, i);
    const char *p = r->ls.product, *s = r->ls.service, *c = r->ls.category;

    if (cap == 0)
        return;
    if (c == NULL && p != NULL)
        snprintf(out, cap, "%s%s%s", p, s != NULL ? "/" : "", s != NULL ? s : "");
    else if (c == NULL && p == NULL && s == NULL)
        snprintf(out, cap, "%s", r->corr != NULL ? "correlation" : "none");
    else
        snprintf(out, cap, "%s%s%s%s%s%s%s%s", c != NULL ? "category:" : "", c != NULL ? c : "",
                 c != NULL && (p != NULL || s != NULL) ? "," : "", p != NULL ? "product:" : "",
                 p != NULL ? p : "", p != NULL && s != NULL ? "," : "", s != NULL ? "service:" : "",
                 s != NULL ? s : "");
}

/* ---- the rules that ran -------------------------------------------------------------------- */

/* Distinct (input, facts) remembered per scratch; past this, each is looked at anew (a log of
 * endless program names costs a walk over the rules per record, never memory). */
#define RAN_MAX_SEEN 4096

void ruru_ran_init(struct ruru_ran *ran)
{
    memset(ran, 0, sizeof(*ran));
    ruru_map_init(&ran->seen);
}

void ruru_ran_fini(struct ruru_ran *ran)
{
    ruru_free(ran->bits);
    ruru_map_fini(&ran->seen);
    memset(ran, 0, sizeof(*ran));
}

static size_t put(char *key, size_t k, size_t cap, const void *p, size_t n)
{
    if (k == SIZE_MAX || k + n > cap)
        return SIZE_MAX;
    if (n == 0)
        return k; /* p may be NULL then */
    memcpy(key + k, p, n);
    return k + n;
}

void ruru_ran_note(struct ruru_ran *ran,
                   const struct ruru_rules *rs,
                   const struct rec_facts *f,
                   const struct ruru_rules_input *in)
{
    char key[sizeof(ran->last)];
    size_t k = 0;
    int64_t seen;

    if (ran->failed)
        return;
    if (ran->bits == NULL &&
        (ran->bits = ruru_calloc(rs->rules.n / 64 + 1, sizeof(*ran->bits))) == NULL) {
        ran->failed = true;
        return;
    }
    /* what ruru_sigma_applies reads of a record: its classes, event, channel and name */
    k = put(key, k, sizeof(key), &in, sizeof(in));
    k = put(key, k, sizeof(key), &f->cls, sizeof(f->cls));
    k = put(key, k, sizeof(key), &f->event, sizeof(f->event));
    k = put(key, k, sizeof(key), f->channel.ptr, f->channel.len);
    k = put(key, k, sizeof(key), "", 1);
    k = put(key, k, sizeof(key), f->name.ptr, f->name.len);
    if (k != SIZE_MAX && k == ran->last_len && memcmp(key, ran->last, k) == 0)
        return; /* the same kind of record as the last: the cheap, common case */
    if (k != SIZE_MAX) {
        memcpy(ran->last, key, k);
        ran->last_len = k;
    }
    if (k != SIZE_MAX && ruru_map_get(&ran->seen, key, k, &seen))
        return;
    if (k != SIZE_MAX && ran->seen.n < RAN_MAX_SEEN &&
        ruru_map_put(&ran->seen, key, k, 1) != RURU_OK) {
        ran->failed = true;
        return;
    }
    for (size_t i = 0; i < rs->rules.n; i++) {
        const struct ruru_sigma_rule *r = at(rs, i);
        if (ran->bits[i / 64] >> (i % 64) & 1 || r->corr != NULL || r->filter != NULL)
            continue;
        if (ruru_sigma_applies(r, f, in))
            ran->bits[i / 64] |= 1ull << (i % 64);
    }
}
