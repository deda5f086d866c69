/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loki / THOR IOC lists, as Neo23x0's signature-base ships them (iocs/NAME.txt): one entry a
 * line, ';' between fields, blocks of entries under '#' comment headers that name the report
 * (and often the actor) they come from. Loki reads the kind of a list from its file name, and
 * so does this importer (csv.h, ruru_loki_import):
 *
 *   c2-iocs        HOST-OR-ADDRESS[;SCORE]             -> the host or address (inferred)
 *   hash-iocs      HASH;[SCORE;]DESCRIPTION            -> md5 / sha1 / sha256 / sha512
 *   filename-iocs  REGEX;SCORE[;FALSE-POSITIVE-REGEX]  -> filename-regex (PCRE2-checked)
 *   keywords       KEYWORD                             -> refused, line by line
 *
 * A block's header is the first line of the last run of comment lines before its first entry
 * (a blank line or an entry ends a run; a comment that is itself a commented-out entry, such
 * as "# bin\\nc\.exe;80", is skipped). It is the rows' description (a hash row's own
 * description wins) and, when it names an actor in one of the forms below, their actor:
 *
 *   APT10, APT 29         -> "APT10", "APT29"         UNC2452, FIN7, TA456, DEV-0322,
 *   HAFNIUM, NOBELIUM     (all-caps, ending IUM)      Storm-0558, TEMP.Periscope (as written)
 *   Winnti Group, Tonto Team, Tick Group (a capitalised word before Group / Team)
 *   Deep Panda, Mint Sandstorm, Scattered Spider (a capitalised word before a vendor's animal
 *   or weather: Panda Bear Kitten Chollima Spider Typhoon Blizzard Sandstorm Sleet Tempest)
 *   BRONZE VINEWOOD, Iron Tiger (Secureworks' metals: Bronze Iron Cobalt Nickel Gold Tungsten)
 *
 * These are the forms whose every instance is an actor's name. Free text is not guessed: a
 * header such as "FireEye Operation Snowman" or "Turla Kazuar C2s" (Kazuar is malware) yields
 * no actor from the words around a name, only from a name of these forms; `ruru intel import
 * --actor` ties a single-actor list. Worked example: the c2-iocs block
 *
 *     # NOBELIUM C2s https://www.microsoft.com/security/blog/2021/05/28/...
 *     dataplane.theyardservice.com
 *     185.158.250.239;65
 *
 * gives domain dataplane.theyardservice.com and ipv4 185.158.250.239 (confidence 65: Loki's
 * score, whose 75 is an alert and 40 a warning), both with description "NOBELIUM C2s https://
 * www.microsoft.com/..." and actor NOBELIUM.
 *
 * A filename regex is Python syntax that PCRE2 reads the same in all these lists; it is
 * compiled once at import, and one that does not compile is refused with PCRE2's message. A
 * false-positive regex is folded into the indicator, so that one value says everything the
 * sweep needs: "^(?!.*(?:FP)).*?(?:REGEX)" matches where REGEX does, unless FP does too.
 */
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "intel/csv.h"
#include "intel/intel.h"
#include "intel/ioc.h"

#define MAX_LINE_BYTES RURU_CSV_MAX_LINE_BYTES
/* Actors taken from one header: more is a list of names in prose, not a block's attribution. */
#define MAX_ACTORS 8
/* One actor name as the forms above give it ("Scattered Spider"). */
#define ACTOR_BYTES 64
/* PCRE2's messages are under 120 bytes. */
#define REASON_BYTES RURU_CSV_REASON_BYTES

enum kind { K_C2, K_HASH, K_FILENAME, K_KEYWORDS };

struct loki {
    const struct ruru_import_ctx *ctx;
    struct ruru_diag *diag;
    enum kind kind;
    uint64_t line;
    struct ruru_buf header; /* the current block's header text */
    struct ruru_buf run;    /* the header of the comment run being read */
    bool in_run;            /* the previous line was a comment */
    bool run_pending;       /* a comment run came after the last entry */
    bool run_has_text;      /* the current run's header is set */
    struct ruru_buf value, canon, desc, text, regex, reason;
    char actors[MAX_ACTORS][ACTOR_BYTES];
    const char *actor_ptrs[MAX_ACTORS];
    size_t n_actors;
};

/* ---- detection --------------------------------------------------------------------------- */

static const char *base_name(const char *path)
{
    const char *b = path != NULL ? strrchr(path, '/') : NULL;

    return b != NULL ? b + 1 : (path != NULL ? path : "");
}

/* Does the file name hold `what` (lower case; the name's ASCII case ignored)? */
static bool name_has(const char *path, const char *what)
{
    const char *b = base_name(path);
    size_t n = strlen(b), k = strlen(what);

    for (size_t i = 0; i + k <= n; i++) {
        size_t j = 0;
        while (j < k && ruru_lower(b[i + j]) == what[j])
            j++;
        if (j == k)
            return true;
    }
    return false;
}

bool ruru_loki_detect(const char *path, const char *data, size_t len)
{
    static const char *const names[] = {"c2-iocs.txt", "hash-iocs.txt", "filename-iocs.txt",
                                        "keywords.txt"};
    const char *b = base_name(path);
    size_t i = 0;

    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if (ruru_ascii_casecmp(b, names[k]) == 0)
            return true;
    /* The leading comment block: LOKI's own files say "LOKI ..." there, THOR's "THOR". */
    while (i < len && i < 4096) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - data) : len;
        struct ruru_str l = ruru_str_trim(ruru_str_make(data + i, end - i));
        if (l.len > 0 && l.ptr[0] != '#')
            return false;
        if (ruru_memmem(l.ptr, l.len, "LOKI", 4) != NULL ||
            ruru_memmem(l.ptr, l.len, "THOR", 4) != NULL)
            return true;
        i = end + 1;
    }
    return false;
}

/* The kind of list: by file name as Loki reads it, else by its first entry. */
static enum kind kind_of(const char *path, const char *data, size_t len)
{
    size_t i = 0;

    if (name_has(path, "filename"))
        return K_FILENAME;
    if (name_has(path, "hash"))
        return K_HASH;
    if (name_has(path, "c2"))
        return K_C2;
    if (name_has(path, "keyword"))
        return K_KEYWORDS;
    while (i < len) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - data) : len, k = 0;
        struct ruru_str l = ruru_str_trim(ruru_str_make(data + i, end - i));
        i = end + 1;
        if (l.len == 0 || l.ptr[0] == '#')
            continue;
        while (k < l.len && ruru_is_xdigit(l.ptr[k]))
            k++;
        if ((k == 32 || k == 40 || k == 64 || k == 128) && k < l.len && l.ptr[k] == ';')
            return K_HASH;
        return memchr(l.ptr, '\\', l.len) != NULL ? K_FILENAME : K_C2;
    }
    return K_C2;
}

/* ---- headers and actors -------------------------------------------------------------------- */

/* Is comment text t a commented-out entry of this kind of list ("bin\\nc\.exe;80")? */
static bool is_commented_entry(enum kind kind, struct ruru_str t)
{
    size_t k = 0, e = t.len;

    if (kind == K_HASH) {
        while (k < t.len && ruru_is_xdigit(t.ptr[k]))
            k++;
        return k >= 32 && k < t.len && t.ptr[k] == ';';
    }
    if (kind == K_FILENAME) {
        const char *semi = memchr(t.ptr, ';', t.len);
        if (semi == NULL || memchr(t.ptr, ' ', (size_t)(semi - t.ptr)) != NULL)
            return false;
        k = (size_t)(semi - t.ptr) + 1;
        while (k < e && ruru_is_digit(t.ptr[k]))
            k++;
        return k > (size_t)(semi - t.ptr) + 1 && (k == e || t.ptr[k] == ';');
    }
    if (kind == K_C2) {
        /* one word that is a host or address, as "# 192.0.2.9" (an entry taken out) */
        char buf[256];
        const char *semi = memchr(t.ptr, ';', t.len);
        size_t n = semi != NULL ? (size_t)(semi - t.ptr) : t.len;
        if (n == 0 || n >= sizeof(buf) || memchr(t.ptr, ' ', n) != NULL)
            return false;
        memcpy(buf, t.ptr, n);
        buf[n] = '\0';
        return ruru_ioc_infer(buf, n) != RURU_IOC_NONE;
    }
    return false;
}

/* A comment line's text: without the '#'s, the blanks and a trailing rule of '#' or '-'. */
static struct ruru_str comment_text(struct ruru_str l)
{
    size_t b = 0, e = l.len;

    while (b < e && (l.ptr[b] == '#' || ruru_is_space(l.ptr[b])))
        b++;
    while (e > b && (l.ptr[e - 1] == '#' || l.ptr[e - 1] == '-' || ruru_is_space(l.ptr[e - 1])))
        e--;
    return ruru_str_make(l.ptr + b, e - b);
}

static void add_actor(struct loki *lk, const char *p, size_t n)
{
    if (n == 0 || n >= ACTOR_BYTES || lk->n_actors == MAX_ACTORS)
        return;
    for (size_t i = 0; i < lk->n_actors; i++)
        if (strlen(lk->actors[i]) == n && ruru_str_ieq(ruru_str_make(p, n), lk->actors[i]))
            return; /* "Bronze Union ... BRONZE UNION": one actor */
    memcpy(lk->actors[lk->n_actors], p, n);
    lk->actors[lk->n_actors][n] = '\0';
    lk->n_actors++;
}

/* A word of a header: letters, digits and the '-' '.' '@' that names hold. */
struct word {
    const char *p;
    size_t n;
};

static bool word_char(char c)
{
    return ruru_is_alpha(c) || ruru_is_digit(c) || c == '-' || c == '.' || c == '@' ||
           (unsigned char)c >= 0x80;
}

static bool all_digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!ruru_is_digit(p[i]))
            return false;
    return n > 0;
}

static bool is_upper_word(struct word w)
{
    for (size_t i = 0; i < w.n; i++)
        if (!(w.p[i] >= 'A' && w.p[i] <= 'Z'))
            return false;
    return w.n > 0;
}

static bool word_is(struct word w, const char *s)
{
    return ruru_str_ieq(ruru_str_make(w.p, w.n), s);
}

/* PREFIX followed by digits only ("UNC2452"; with `dash`, "DEV-0322"). */
static bool prefixed_number(struct word w, const char *prefix, size_t min_digits)
{
    size_t k = strlen(prefix);

    return w.n >= k + min_digits && memcmp(w.p, prefix, k) == 0 && all_digits(w.p + k, w.n - k);
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Starts with a capital and goes on with a letter ("Tonto", "BRONZE"; not "A" or "3CX"). */
static bool is_capitalised(struct word w)
{
    return w.n >= 2 && w.p[0] >= 'A' && w.p[0] <= 'Z' && ruru_is_alpha(w.p[1]);
}

/* One space between two words: "Winnti Group", not "Winnti - Group". */
static bool adjacent(struct word a, struct word b)
{
    return b.p == a.p + a.n + 1 && a.p[a.n] == ' ';
}

static bool in_list(struct word w, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (word_is(w, list[i]))
            return true;
    return false;
}

/* The actors a header or description names in the forms of the file comment. */
static void header_actors(struct loki *lk, const char *t, size_t n)
{
    static const char *const beasts[] = {"Panda",   "Bear",     "Kitten",    "Chollima", "Spider",
                                         "Typhoon", "Blizzard", "Sandstorm", "Sleet",    "Tempest"};
    static const char *const metals[] = {"Bronze", "Iron", "Cobalt", "Nickel", "Gold", "Tungsten"};
    struct word w[64];
    size_t nw = 0, i = 0;

    /* Words up to the first URL: a link's path names anything. */
    while (i < n && nw < 64) {
        size_t b;
        while (i < n && !word_char(t[i]))
            i++;
        b = i;
        while (i < n && word_char(t[i]))
            i++;
        if (i < n && t[i] == ':' && i + 2 < n && t[i + 1] == '/' && t[i + 2] == '/')
            break;
        if (i > b) {
            /* a trailing '.' or '-' is punctuation, not part of the name */
            size_t e = i;
            while (e > b && (t[e - 1] == '.' || t[e - 1] == '-'))
                e--;
            if (e > b)
                w[nw++] = (struct word){t + b, e - b};
        }
    }
    for (size_t k = 0; k < nw; k++) {
        struct word x = w[k], prev = k > 0 ? w[k - 1] : (struct word){NULL, 0};
        char buf[ACTOR_BYTES];
        if (prefixed_number(x, "APT", 1)) {
            add_actor(lk, x.p, x.n);
        } else if (word_is(x, "APT") && memcmp(x.p, "APT", 3) == 0 && k + 1 < nw &&
                   all_digits(w[k + 1].p, w[k + 1].n) && w[k + 1].n <= 3) {
            int len = snprintf(buf, sizeof(buf), "APT%.*s", (int)w[k + 1].n, w[k + 1].p);
            add_actor(lk, buf, (size_t)len);
        } else if (prefixed_number(x, "UNC", 3) || prefixed_number(x, "FIN", 1) ||
                   prefixed_number(x, "TA", 3) || prefixed_number(x, "DEV-", 4) ||
                   prefixed_number(x, "Storm-", 4)) {
            add_actor(lk, x.p, x.n);
        } else if (x.n > 5 && memcmp(x.p, "TEMP.", 5) == 0 && ruru_is_alpha(x.p[5])) {
            add_actor(lk, x.p, x.n);
        } else if (x.n >= 5 && is_upper_word(x) && memcmp(x.p + x.n - 3, "IUM", 3) == 0) {
            add_actor(lk, x.p, x.n);
        } else if (is_capitalised(prev) && !word_is(prev, "Team") && !word_is(prev, "Group") &&
                   adjacent(prev, x) &&
                   (ruru_str_eq(ruru_str_make(x.p, x.n), "Group") ||
                    ruru_str_eq(ruru_str_make(x.p, x.n), "Team") ||
                    (is_capitalised(x) && in_list(x, beasts, N_OF(beasts))))) {
            add_actor(lk, prev.p, (size_t)(x.p + x.n - prev.p));
        } else if (k + 1 < nw && is_capitalised(x) && in_list(x, metals, N_OF(metals)) &&
                   is_capitalised(w[k + 1]) && adjacent(x, w[k + 1]) &&
                   !word_is(w[k + 1], "Strike")) {
            /* "Cobalt Strike" is a tool, not Secureworks' COBALT cluster */
            add_actor(lk, x.p, (size_t)(w[k + 1].p + w[k + 1].n - x.p));
        }
    }
}

/* ---- entries --------------------------------------------------------------------------------- */

static enum ruru_err nomem(struct loki *lk)
{
    return ruru_diag_set(lk->diag, RURU_ENOMEM, lk->ctx->path, lk->line, 0, "out of memory");
}

static enum ruru_err reject(struct loki *lk, uint64_t col, struct ruru_str v, const char *why)
{
    return ruru_csv_reject(lk->ctx, lk->line, col, v.ptr, v.len, why, &lk->text);
}

/* Loki's score (0..100; Loki alerts from 75, warns from 40) as confidence, or -1. */
static int score_of(struct ruru_str s)
{
    int v = 0;

    if (!all_digits(s.ptr, s.len) || s.len > 3)
        return -1;
    for (size_t i = 0; i < s.len; i++)
        v = v * 10 + (s.ptr[i] - '0');
    return v > 100 ? 100 : v;
}

/* Checks `regex` with PCRE2 (as the sweep will compile it). On failure, the reason (PCRE2's
 * message and offset) is in lk->reason. */
static bool regex_ok(struct loki *lk, const char *regex, size_t n)
{
    return ruru_csv_regex_ok(regex, n, &lk->reason);
}

/* The fields of an entry line, split on ';' (at most 3: the last takes the rest). */
struct fields {
    struct ruru_str f[3];
    size_t n;
};

static void split_fields(struct ruru_str l, struct fields *fs)
{
    size_t start = 0;

    fs->n = 0;
    for (size_t i = 0; i <= l.len && fs->n < 3; i++) {
        if (i < l.len && (l.ptr[i] != ';' || fs->n == 2))
            continue;
        fs->f[fs->n++] = ruru_str_trim(ruru_str_make(l.ptr + start, i - start));
        start = i + 1;
    }
}

/* Normalises one entry and hands it over. `desc`: the entry's own description, or none. */
static enum ruru_err emit(struct loki *lk,
                          enum ruru_ioc_type type,
                          struct ruru_str value,
                          const char *raw,
                          int confidence,
                          struct ruru_str desc)
{
    const struct ruru_intel_sink *s = lk->ctx->sink;
    struct ruru_intel_indicator ind;
    const char *reason = NULL, *v, *d = NULL;
    enum ruru_ioc_type t = type;

    ruru_buf_reset(&lk->value);
    if (ruru_buf_add(&lk->value, value.ptr, value.len) != RURU_OK)
        return nomem(lk);
    v = ruru_buf_str(&lk->value);
    if (memchr(v, '\0', value.len) != NULL)
        return reject(lk, 1, value, "NUL byte in value");
    if (ruru_csv_utf8_prefix(v, value.len) != value.len)
        return reject(lk, 1, value, "invalid UTF-8");
    if (!ruru_ioc_normalize(&t, v, value.len, &lk->ctx->norm, &lk->canon, &reason)) {
        if (reason != NULL && strcmp(reason, "out of memory") == 0)
            return nomem(lk);
        return reject(lk, 1, value, reason != NULL ? reason : "unrecognised value");
    }
    if (type == RURU_IOC_NONE && t == RURU_IOC_DOMAIN &&
        !ruru_csv_known_tld(ruru_buf_str(&lk->canon)))
        return reject(lk, 1, value, "no such top-level domain (a file name? give a type)");
    if (lk->kind == K_HASH && t != RURU_IOC_MD5 && t != RURU_IOC_SHA1 && t != RURU_IOC_SHA256 &&
        t != RURU_IOC_SHA512)
        return reject(lk, 1, value, "malformed hash");
    ruru_intel_indicator_init(&ind);
    ind.line = lk->line;
    ind.type = t;
    ind.value = ruru_buf_str(&lk->canon);
    ind.raw = raw != NULL && strcmp(raw, ind.value) != 0 ? raw : NULL;
    ind.confidence = confidence;
    lk->n_actors = 0;
    if (desc.len > 0) {
        d = ruru_csv_text_copy(desc.ptr, desc.len, 3 * MAX_LINE_BYTES, &lk->desc);
        if (d == NULL)
            return nomem(lk);
        header_actors(lk, d, strlen(d)); /* the cleaned text: names are UTF-8 */
    } else if (lk->header.len > 0) {
        d = ruru_buf_str(&lk->header);
    }
    if (lk->header.len > 0)
        header_actors(lk, lk->header.ptr, lk->header.len);
    ind.description = d;
    for (size_t i = 0; i < lk->n_actors; i++)
        lk->actor_ptrs[i] = lk->actors[i];
    ind.actors = lk->n_actors > 0 ? lk->actor_ptrs : NULL;
    ind.n_actors = lk->n_actors;
    return s->indicator != NULL ? s->indicator(s->ctx, &ind) : RURU_OK;
}

static enum ruru_err entry(struct loki *lk, struct ruru_str l)
{
    struct fields fs;
    struct ruru_str none = {NULL, 0};

    split_fields(l, &fs);
    switch (lk->kind) {
    case K_KEYWORDS:
        return reject(lk, 0, l,
                      "Loki keyword (searched in file contents and memory): not imported");
    case K_C2:
        return emit(lk, RURU_IOC_NONE, fs.f[0], NULL, fs.n > 1 ? score_of(fs.f[1]) : -1, none);
    case K_HASH:
        /* HASH;SCORE;DESCRIPTION (THOR's form) or HASH;DESCRIPTION (Loki's) */
        if (fs.n == 3 && score_of(fs.f[1]) >= 0)
            return emit(lk, RURU_IOC_NONE, fs.f[0], NULL, score_of(fs.f[1]), fs.f[2]);
        if (fs.n > 1)
            fs.f[1] = ruru_str_trim(
                    ruru_str_make(fs.f[1].ptr, (size_t)(l.ptr + l.len - fs.f[1].ptr)));
        return emit(lk, RURU_IOC_NONE, fs.f[0], NULL, -1, fs.n > 1 ? fs.f[1] : none);
    case K_FILENAME:
    default:
        break;
    }
    if (fs.n < 2 || score_of(fs.f[1]) < 0)
        return reject(lk, fs.n < 2 ? 0 : 2, fs.n < 2 ? l : fs.f[1],
                      "not REGEX;SCORE[;FALSE-POSITIVE-REGEX]");
    if (fs.f[0].len == 0)
        return reject(lk, 1, fs.f[0], "empty value");
    if (!regex_ok(lk, fs.f[0].ptr, fs.f[0].len))
        return lk->reason.failed ? nomem(lk) : reject(lk, 1, fs.f[0], ruru_buf_str(&lk->reason));
    if (fs.n == 3 && fs.f[2].len > 0 && !regex_ok(lk, fs.f[2].ptr, fs.f[2].len))
        return lk->reason.failed ? nomem(lk) : reject(lk, 3, fs.f[2], ruru_buf_str(&lk->reason));
    ruru_buf_reset(&lk->regex);
    if (fs.n == 3 && fs.f[2].len > 0) {
        ruru_buf_adds(&lk->regex, "^(?!.*(?:");
        ruru_buf_add(&lk->regex, fs.f[2].ptr, fs.f[2].len);
        ruru_buf_adds(&lk->regex, ")).*?(?:");
        ruru_buf_add(&lk->regex, fs.f[0].ptr, fs.f[0].len);
        ruru_buf_adds(&lk->regex, ")");
    } else {
        ruru_buf_add(&lk->regex, fs.f[0].ptr, fs.f[0].len);
    }
    if (lk->regex.failed)
        return nomem(lk);
    if (!regex_ok(lk, ruru_buf_str(&lk->regex), lk->regex.len))
        return lk->reason.failed ? nomem(lk) : reject(lk, 1, l, ruru_buf_str(&lk->reason));
    {
        /* the value to normalise lives in lk->regex; emit copies it to lk->value first */
        struct ruru_str v = ruru_str_make(lk->regex.ptr, lk->regex.len);
        const char *raw = NULL;
        if (fs.n == 3 && fs.f[2].len > 0) {
            raw = ruru_csv_text_copy(l.ptr, l.len, 3 * MAX_LINE_BYTES, &lk->desc);
            if (raw == NULL)
                return nomem(lk);
        }
        return emit(lk, RURU_IOC_FILENAME_REGEX, v, raw, score_of(fs.f[1]), none);
    }
}

/* ---- the import ---------------------------------------------------------------------------------
 */

/* A comment line: a run of them gives the next block's header. */
static enum ruru_err comment(struct loki *lk, struct ruru_str l)
{
    struct ruru_str t = comment_text(l);

    if (!lk->in_run) {
        ruru_buf_reset(&lk->run);
        lk->run_has_text = false;
        lk->run_pending = true;
    }
    lk->in_run = true;
    if (!lk->run_has_text && t.len > 0 && !is_commented_entry(lk->kind, t)) {
        const char *c = ruru_csv_text_copy(t.ptr, t.len, 3 * MAX_LINE_BYTES, &lk->run);
        if (c == NULL)
            return nomem(lk);
        lk->run_has_text = true;
    }
    return RURU_OK;
}

static void loki_fini(struct loki *lk)
{
    struct ruru_buf *bufs[] = {&lk->header, &lk->run,  &lk->value, &lk->canon,
                               &lk->desc,   &lk->text, &lk->regex, &lk->reason};

    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
        ruru_buf_fini(bufs[i]);
}

enum ruru_err ruru_loki_import(const char *data,
                               size_t len,
                               const struct ruru_import_ctx *ctx,
                               struct ruru_diag *diag)
{
    struct loki lk;
    enum ruru_err err = RURU_OK;
    size_t pos = 0;

    memset(&lk, 0, sizeof(lk));
    lk.ctx = ctx;
    lk.diag = diag;
    lk.kind = kind_of(ctx->path, data, len);
    /* Caps: a line is at most the line cap; cleaned text may triple it (U+FFFD per byte); a
     * folded regex is two fields plus 20 bytes; the normaliser keeps text as it is. */
    ruru_buf_init(&lk.header, 3 * MAX_LINE_BYTES + 4);
    ruru_buf_init(&lk.run, 3 * MAX_LINE_BYTES + 4);
    ruru_buf_init(&lk.value, MAX_LINE_BYTES + 64);
    ruru_buf_init(&lk.canon, (size_t)4 * MAX_LINE_BYTES);
    ruru_buf_init(&lk.desc, 3 * MAX_LINE_BYTES + 4);
    ruru_buf_init(&lk.text, RURU_CSV_REJECT_VALUE_BYTES + 4);
    ruru_buf_init(&lk.regex, MAX_LINE_BYTES + 64);
    ruru_buf_init(&lk.reason, REASON_BYTES + 64);
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        pos = 3;
    while (err == RURU_OK && pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        struct ruru_str l = ruru_str_trim(ruru_str_make(data + pos, end - pos));
        lk.line++;
        pos = nl ? end + 1 : len;
        if (l.len > MAX_LINE_BYTES) {
            err = reject(&lk, 0, ruru_str_make(l.ptr, RURU_CSV_REJECT_VALUE_BYTES),
                         "line too long");
            lk.in_run = false;
            continue;
        }
        if (l.len == 0) {
            lk.in_run = false;
            continue;
        }
        if (l.ptr[0] == '#') {
            err = comment(&lk, l);
            continue;
        }
        lk.in_run = false;
        if (lk.run_pending) {
            /* the last comment run before this entry heads its block */
            struct ruru_buf tmp = lk.header;
            lk.header = lk.run;
            lk.run = tmp;
            if (!lk.run_has_text)
                ruru_buf_reset(&lk.header);
            lk.run_pending = false;
        }
        err = entry(&lk, l);
    }
    loki_fini(&lk);
    return err;
}
