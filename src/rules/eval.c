/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Evaluating rules on a record (sigma.h). For each rule whose logsource the record belongs to
 * (and, once compiled, whose atoms the line holds), the condition is walked with
 * short-circuits; a search is an OR of groups, a group an AND of items, an item a test of one
 * field's value against its values (ORed, or ANDed with |all).
 *
 * A Sigma field name is looked up, in order, as:
 *   1. the record's native name ("cs-uri-query", "Image" in a flat JSON event);
 *   2. for a Windows event, its place in the export: Event.EventData.<name>,
 *      Event.System.<name> (and Event.System.<A>.#attributes.<B> or .@<B> for <A>_<B>, as in
 *      Provider_Name), Event.UserData.*.<name>, winlog.event_data.<name> and Winlogbeat's
 *      own names for System fields;
 *   3. the Sigma taxonomy name mapped to the canonical ECS name the parsers give (c-ip:
 *      source.ip, cs-uri-query: url.query, c-useragent: user_agent.original, CommandLine:
 *      process.command_line, query: dns.question.name ...; docs/rules.md has the table);
 *   4. the native name without regard to case, then a native name ending in ".<name>".
 * A value is compared decoded (JSON escapes, W3C '+'), without regard to ASCII case unless
 * |cased. Keywords are searched in the raw line and in every decoded field value.
 */
#include <arpa/inet.h>
#include <hs/hs.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/str.h"
#include "base/time.h"
#include "logs/json.h"
#include "match/literal.h"
#include "rules/sigma_int.h"

/* A record layout: its fields' names and canonical names, and whether it is a Windows event,
 * which is all a Sigma name's field depends on (field_by), with the field each name was found
 * at. A Zeek or W3C file's records have one layout or a few (a Zeek record leaves out its
 * unset columns): the scratch keeps the last LAYOUTS seen, so that a name a record lacks is
 * looked for once per layout, not in five ways over every field of every record. */
#define LAYOUTS 4

struct layout {
    size_t n;
    bool win;
    uint32_t len[RURU_MAX_FIELDS];
    const char *canon[RURU_MAX_FIELDS];
    char *names; /* the fields' names, one after another */
    size_t names_cap;
    int8_t *at;      /* by field id: the index of its field in the layout, -1 none ... */
    uint32_t *stamp; /* ... where stamp == epoch */
    uint32_t epoch;
};

_Static_assert(RURU_MAX_FIELDS <= INT8_MAX, "a layout keeps a field's index in an int8_t");

struct ruru_rules_scratch {
    const struct ruru_rules *rs;
    const struct ruru_record *r;
    struct rec_facts facts;
    /* decoded values of the record's fields, by field index */
    struct ruru_buf dec;
    size_t dec_off[RURU_MAX_FIELDS], dec_len[RURU_MAX_FIELDS];
    uint64_t dec_done;
    pcre2_match_data *md;
    void *hs;              /* prefilter scratch */
    uint64_t *cand;        /* candidate rules, one bit each */
    const char *cand_line; /* cand holds the candidates of this line (ruru_rules_may_match) */
    size_t cand_len;
    uint32_t cand_cls;
    size_t n_cand_words;
    uint64_t failed;
    /* fields that satisfied the rule being evaluated */
    const struct ruru_field *hit_fields[RURU_RULES_MAX_MATCHED];
    size_t n_hit_fields;
    bool hit_keywords;
    const char *line;
    size_t len;
    hs_scratch_t *hs_re;  /* for the regexes Vectorscan took (rs->hs_regexes) */
    struct ruru_buf copy; /* ruru_hs_scan_padded */
    /* the fields looked up for the current record, by field id (valid where stamp == gen) */
    const struct ruru_field **memo;
    uint32_t *memo_stamp, gen;
    uint32_t n_memo;
    /* by field id: the name's taxonomy entry + 1 (0: not yet looked up) */
    uint8_t *tax;
    struct layout lay[LAYOUTS];
    struct layout *lay_cur; /* the current record's layout, found when lay_gen == gen */
    uint32_t lay_gen;
    unsigned lay_next;                 /* the next to be replaced */
    const struct ruru_rules_input *in; /* the input of the records (ruru_rules_scratch_input) */
    struct ruru_ran ran;               /* the rules that ran on some record */
};

static const struct ruru_sigma_rule *rule_at(const struct ruru_rules *rs, uint32_t i)
{
    /* the vector's items, read directly: this is the per-line loop */
    return ((struct ruru_sigma_rule *const *)rs->rules.items)[i];
}

enum ruru_err ruru_rules_scratch_create(const struct ruru_rules *rs,
                                        struct ruru_rules_scratch **out)
{
    struct ruru_rules_scratch *sc = ruru_calloc(1, sizeof(*sc));

    if (sc == NULL)
        return RURU_ENOMEM;
    sc->rs = rs;
    ruru_ran_init(&sc->ran);
    ruru_buf_init(&sc->dec, 64u << 20);
    ruru_buf_init(&sc->copy, (size_t)UINT32_MAX); /* as long as any value */
    sc->md = pcre2_match_data_create(16, NULL);
    sc->n_cand_words = (rs->rules.n + 63) / 64;
    sc->cand = ruru_calloc(sc->n_cand_words ? sc->n_cand_words : 1, sizeof(*sc->cand));
    if (rs->pre != NULL)
        sc->hs = ruru_prefilter_scratch(rs->pre);
    for (size_t i = 0; i < rs->hs_regexes.n; i++)
        if (hs_alloc_scratch(*(hs_database_t *const *)ruru_vec_at(&rs->hs_regexes, i),
                             &sc->hs_re) != HS_SUCCESS) {
            ruru_rules_scratch_destroy(sc);
            return RURU_ENOMEM;
        }
    sc->n_memo = rs->n_field_ids + 1;
    sc->memo = ruru_calloc(sc->n_memo, sizeof(*sc->memo));
    sc->memo_stamp = ruru_calloc(sc->n_memo, sizeof(*sc->memo_stamp));
    sc->tax = ruru_calloc(sc->n_memo, sizeof(*sc->tax));
    if (sc->md == NULL || sc->cand == NULL || (rs->pre != NULL && sc->hs == NULL) ||
        sc->memo == NULL || sc->memo_stamp == NULL || sc->tax == NULL) {
        ruru_rules_scratch_destroy(sc);
        return RURU_ENOMEM;
    }
    *out = sc;
    return RURU_OK;
}

void ruru_rules_scratch_destroy(struct ruru_rules_scratch *sc)
{
    if (sc == NULL)
        return;
    ruru_buf_fini(&sc->dec);
    pcre2_match_data_free(sc->md);
    ruru_prefilter_scratch_free(sc->hs);
    ruru_free(sc->cand);
    ruru_free(sc->memo);
    ruru_free(sc->memo_stamp);
    ruru_free(sc->tax);
    for (size_t k = 0; k < LAYOUTS; k++) {
        ruru_free(sc->lay[k].names);
        ruru_free(sc->lay[k].at);
        ruru_free(sc->lay[k].stamp);
    }
    hs_free_scratch(sc->hs_re);
    ruru_buf_fini(&sc->copy);
    ruru_ran_fini(&sc->ran);
    ruru_free(sc);
}

void ruru_rules_scratch_input(struct ruru_rules_scratch *sc, const struct ruru_rules_input *in)
{
    sc->in = in;
}

void ruru_rules_scratch_text(struct ruru_rules_scratch *sc, const char *text, size_t len)
{
    ruru_prefilter_text(sc->hs, text, len);
}

void ruru_rules_ran(const struct ruru_rules *rs,
                    const struct ruru_rules_scratch *sc,
                    uint64_t *bits)
{
    for (size_t i = 0; i < rs->rules.n; i++) {
        const struct ruru_sigma_rule *r = ((struct ruru_sigma_rule *const *)rs->rules.items)[i];
        bool ran =
                sc->ran.failed || (sc->ran.bits != NULL && (sc->ran.bits[i / 64] >> (i % 64) & 1));
        /* a correlation ran when one of its rules did */
        for (size_t k = 0;
             !ran && r->corr != NULL && r->corr->rule_idx != NULL && k < r->corr->n_rules; k++) {
            uint32_t j = r->corr->rule_idx[k];
            ran = sc->ran.bits != NULL && (sc->ran.bits[j / 64] >> (j % 64) & 1);
        }
        if (ran)
            bits[i / 64] |= 1ull << (i % 64);
    }
}

uint64_t ruru_rules_failed(const struct ruru_rules_scratch *sc)
{
    return sc->failed;
}

/* ---- field lookup ------------------------------------------------------------------------- */

static const struct {
    const char *sigma;
    const char *canon[3];
} TAXONOMY[] = {
        /* web servers and proxies (W3C names) */
        {"c-ip", {"source.ip", "source.address", NULL}},
        {"s-ip", {"destination.ip", "host.ip", NULL}},
        {"cs-uri-query", {"url.query", NULL, NULL}},
        {"c-uri-query", {"url.query", NULL, NULL}},
        {"cs-uri-stem", {"url.path", NULL, NULL}},
        {"c-uri-stem", {"url.path", NULL, NULL}},
        {"c-uri", {"url.original", NULL, NULL}},
        {"cs-uri", {"url.original", NULL, NULL}},
        {"c-useragent", {"user_agent.original", NULL, NULL}},
        {"cs-user-agent", {"user_agent.original", NULL, NULL}},
        {"cs-method", {"http.request.method", NULL, NULL}},
        {"sc-status", {"http.response.status_code", NULL, NULL}},
        {"cs-host", {"url.domain", "destination.domain", NULL}},
        {"r-dns", {"url.domain", "destination.domain", NULL}},
        {"cs-referrer", {"http.request.referrer", NULL, NULL}},
        {"cs-referer", {"http.request.referrer", NULL, NULL}},
        {"cs-username", {"user.name", NULL, NULL}},
        {"cs-version", {"http.version", NULL, NULL}},
        {"sc-bytes", {"http.response.body.bytes", NULL, NULL}},
        /* network */
        {"src_ip", {"source.ip", "source.address", NULL}},
        {"dst_ip", {"destination.ip", "destination.address", NULL}},
        {"src_port", {"source.port", NULL, NULL}},
        {"dst_port", {"destination.port", NULL, NULL}},
        {"SourceIp", {"source.ip", NULL, NULL}},
        {"DestinationIp", {"destination.ip", NULL, NULL}},
        {"DestinationPort", {"destination.port", NULL, NULL}},
        {"DestinationHostname", {"destination.domain", NULL, NULL}},
        /* DNS */
        {"query", {"dns.question.name", NULL, NULL}},
        {"QueryName", {"dns.question.name", NULL, NULL}},
        {"answer", {"dns.answers", NULL, NULL}},
        {"record_type", {"dns.question.type", NULL, NULL}},
        /* processes, files, hosts (ECS records) */
        {"CommandLine", {"process.command_line", NULL, NULL}},
        {"Image", {"process.executable", NULL, NULL}},
        {"ParentImage", {"process.parent.executable", NULL, NULL}},
        {"ParentCommandLine", {"process.parent.command_line", NULL, NULL}},
        {"OriginalFileName", {"process.pe.original_file_name", NULL, NULL}},
        {"ProcessId", {"process.pid", NULL, NULL}},
        {"User", {"user.name", NULL, NULL}},
        {"TargetFilename", {"file.path", NULL, NULL}},
        {"TargetObject", {"registry.path", NULL, NULL}},
        {"Computer", {"host.name", "host.hostname", NULL}},
        {"ComputerName", {"host.name", "host.hostname", NULL}},
        {"Hostname", {"host.name", "host.hostname", NULL}},
};

/* Is the field's native name prefix + name? */
static bool
named(const struct ruru_field *f, const char *prefix, size_t pn, const char *name, size_t nn)
{
    return f->name.len == pn + nn && memcmp(f->name.ptr, prefix, pn) == 0 &&
           memcmp(f->name.ptr + pn, name, nn) == 0;
}

static const struct ruru_field *
by_prefix(const struct ruru_record *r, const char *prefix, const char *name, size_t nn)
{
    size_t pn = strlen(prefix);

    for (size_t i = 0; i < r->n_fields; i++)
        if (named(&r->fields[i], prefix, pn, name, nn))
            return &r->fields[i];
    return NULL;
}

/* Is the field's native name prefix + name once the spaces after the prefix are left out?
 * Event data names may hold spaces (Defender's "Threat Name", "Source Name"); Sigma writes
 * them without ("ThreatName"), and other Sigma engines match them so. */
static bool
named_spaced(const struct ruru_field *f, const char *prefix, size_t pn, const char *name, size_t nn)
{
    size_t k = 0;

    if (f->name.len <= pn + nn || memcmp(f->name.ptr, prefix, pn) != 0)
        return false;
    for (size_t i = pn; i < f->name.len; i++) {
        if (f->name.ptr[i] == ' ')
            continue;
        if (k >= nn || f->name.ptr[i] != name[k])
            return false;
        k++;
    }
    return k == nn;
}

static const struct ruru_field *
windows_field(const struct ruru_record *r, const char *name, size_t nn)
{
    static const struct {
        const char *sigma, *native;
    } WINLOG[] = {{"EventID", "winlog.event_id"},
                  {"Channel", "winlog.channel"},
                  {"Computer", "winlog.computer_name"},
                  {"Provider_Name", "winlog.provider_name"},
                  {"EventID", "Event.System.EventID.#text"}};
    static const char *const prefixes[] = {"Event.EventData.", "Event.System.",
                                           "winlog.event_data.", "EventData.", "System."};
    const struct ruru_field *f;
    const char *us;

    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if ((f = by_prefix(r, prefixes[i], name, nn)) != NULL)
            return f;
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t pn = strlen(prefixes[i]);
        for (size_t k = 0; k < r->n_fields; k++)
            if (named_spaced(&r->fields[k], prefixes[i], pn, name, nn))
                return &r->fields[k];
    }
    for (size_t i = 0; i < sizeof(WINLOG) / sizeof(WINLOG[0]); i++)
        if (strcmp(WINLOG[i].sigma, name) == 0)
            for (size_t k = 0; k < r->n_fields; k++)
                if (ruru_str_eq(r->fields[k].name, WINLOG[i].native))
                    return &r->fields[k];
    /* A_B: the attribute B of the System element A (Provider_Name, Execution_ProcessID) */
    if ((us = memchr(name, '_', nn)) != NULL && us > name && us + 1 < name + nn) {
        size_t an = (size_t)(us - name), bn = nn - an - 1;
        for (size_t k = 0; k < r->n_fields; k++) {
            struct ruru_str n = r->fields[k].name;
            static const char *const forms[] = {".#attributes.", ".@"};
            for (size_t q = 0; q < 2; q++) {
                size_t fl = strlen(forms[q]);
                if (n.len == 13 + an + fl + bn && memcmp(n.ptr, "Event.System.", 13) == 0 &&
                    memcmp(n.ptr + 13, name, an) == 0 &&
                    memcmp(n.ptr + 13 + an, forms[q], fl) == 0 &&
                    memcmp(n.ptr + 13 + an + fl, us + 1, bn) == 0)
                    return &r->fields[k];
            }
        }
    }
    /* Event.UserData.<Element>.<name> */
    for (size_t k = 0; k < r->n_fields; k++) {
        struct ruru_str n = r->fields[k].name;
        if (n.len > 15 + nn + 1 && memcmp(n.ptr, "Event.UserData.", 15) == 0 &&
            n.ptr[n.len - nn - 1] == '.' && memcmp(n.ptr + n.len - nn, name, nn) == 0)
            return &r->fields[k];
    }
    return NULL;
}

#define N_TAXONOMY (sizeof(TAXONOMY) / sizeof(TAXONOMY[0]))
_Static_assert(N_TAXONOMY + 1 <= UINT8_MAX, "the scratch keeps a taxonomy entry + 1 in a byte");

/* The taxonomy's entry for Sigma name `name`, or N_TAXONOMY. */
static size_t taxonomy_of(const char *name)
{
    size_t t;

    for (t = 0; t < N_TAXONOMY; t++)
        if (TAXONOMY[t].sigma[0] == name[0] && strcmp(TAXONOMY[t].sigma, name) == 0)
            break;
    return t;
}

/* ruru_sigma_field of a record, the name's taxonomy entry `t` given (N_TAXONOMY: none). */
static const struct ruru_field *
field_by(const struct ruru_record *r, const struct rec_facts *f, const char *name, size_t t)
{
    size_t nn = strlen(name);
    const struct ruru_field *x;

    for (size_t i = 0; i < r->n_fields; i++)
        if (r->fields[i].name.len == nn && memcmp(r->fields[i].name.ptr, name, nn) == 0)
            return &r->fields[i];
    if ((f->cls & LS_WINDOWS) && (x = windows_field(r, name, nn)) != NULL)
        return x;
    for (size_t c = 0; t < N_TAXONOMY && c < 3 && TAXONOMY[t].canon[c] != NULL; c++)
        for (size_t i = 0; i < r->n_fields; i++)
            if (r->fields[i].canon != NULL && r->fields[i].canon[0] == TAXONOMY[t].canon[c][0] &&
                strcmp(r->fields[i].canon, TAXONOMY[t].canon[c]) == 0)
                return &r->fields[i];
    for (size_t i = 0; i < r->n_fields; i++)
        if (r->fields[i].name.len == nn && ruru_str_ieq(r->fields[i].name, name))
            return &r->fields[i];
    for (size_t i = 0; i < r->n_fields; i++) {
        struct ruru_str n = r->fields[i].name;
        if (n.len > nn + 1 && n.ptr[n.len - nn - 1] == '.' &&
            memcmp(n.ptr + n.len - nn, name, nn) == 0)
            return &r->fields[i];
    }
    /* canonical names as Sigma field names (rules written against ECS) */
    for (size_t i = 0; i < r->n_fields; i++)
        if (r->fields[i].canon != NULL && r->fields[i].canon[0] == name[0] &&
            strcmp(r->fields[i].canon, name) == 0)
            return &r->fields[i];
    return NULL;
}

const struct ruru_field *
ruru_sigma_field(const struct ruru_record *r, const struct rec_facts *f, const char *name)
{
    return r == NULL ? NULL : field_by(r, f, name, taxonomy_of(name));
}

static bool layout_is(const struct layout *l, const struct ruru_record *r, bool win)
{
    const char *p = l->names;

    if (l->at == NULL || l->n != r->n_fields || l->win != win)
        return false;
    for (size_t i = 0; i < r->n_fields; i++) {
        const struct ruru_field *f = &r->fields[i];
        if (f->name.len != l->len[i] || f->canon != l->canon[i] ||
            (f->name.len > 0 && memcmp(p, f->name.ptr, f->name.len) != 0))
            return false;
        p += f->name.len;
    }
    return true;
}

/* The current record's layout, one of the last LAYOUTS or made in place of the oldest; NULL
 * when it cannot be kept (out of memory, a name longer than 4 GiB): names are then looked up
 * in the record alone. */
static struct layout *layout_of(struct ruru_rules_scratch *sc)
{
    const struct ruru_record *r = sc->r;
    bool win = (sc->facts.cls & LS_WINDOWS) != 0;
    struct layout *l;
    size_t total = 0, at = 0;

    if (sc->lay_gen == sc->gen)
        return sc->lay_cur;
    sc->lay_gen = sc->gen;
    sc->lay_cur = NULL;
    for (size_t k = 0; k < LAYOUTS; k++)
        if (layout_is(&sc->lay[k], r, win))
            return sc->lay_cur = &sc->lay[k];
    l = &sc->lay[sc->lay_next];
    sc->lay_next = (sc->lay_next + 1) % LAYOUTS;
    for (size_t i = 0; i < r->n_fields; i++) {
        if (r->fields[i].name.len > UINT32_MAX)
            return NULL;
        total += r->fields[i].name.len;
    }
    l->n = SIZE_MAX; /* no record's until it is whole */
    if (total > l->names_cap) {
        char *p = ruru_realloc(l->names, total);
        if (p == NULL)
            return NULL;
        l->names = p;
        l->names_cap = total;
    }
    if (l->at == NULL) {
        l->at = ruru_calloc(sc->n_memo, sizeof(*l->at));
        l->stamp = ruru_calloc(sc->n_memo, sizeof(*l->stamp));
        if (l->at == NULL || l->stamp == NULL) {
            ruru_free(l->at);
            ruru_free(l->stamp);
            l->at = NULL;
            l->stamp = NULL;
            return NULL;
        }
    }
    for (size_t i = 0; i < r->n_fields; i++) {
        const struct ruru_field *f = &r->fields[i];
        if (f->name.len > 0)
            memcpy(l->names + at, f->name.ptr, f->name.len);
        at += f->name.len;
        l->len[i] = (uint32_t)f->name.len;
        l->canon[i] = f->canon;
    }
    l->n = r->n_fields;
    l->win = win;
    if (++l->epoch == 0) { /* stamps wrapped: none is valid */
        memset(l->stamp, 0, sc->n_memo * sizeof(*l->stamp));
        l->epoch = 1;
    }
    return sc->lay_cur = l;
}

/* The item's field in the current record, looked up once per record per distinct name, and
 * found once per layout. */
static const struct ruru_field *item_field(struct ruru_rules_scratch *sc, const struct item *it)
{
    const struct ruru_field *f;
    struct layout *l;
    uint32_t id = it->field_id;

    if (id == 0 || id >= sc->n_memo)
        return ruru_sigma_field(sc->r, &sc->facts, it->field);
    if (sc->memo_stamp[id] == sc->gen)
        return sc->memo[id];
    /* the name's taxonomy entry, found once per name, not once per record */
    if (sc->tax[id] == 0)
        sc->tax[id] = (uint8_t)(taxonomy_of(it->field) + 1);
    if (sc->r == NULL) {
        f = NULL;
    } else if ((l = layout_of(sc)) != NULL && l->stamp[id] == l->epoch) {
        f = l->at[id] < 0 ? NULL : &sc->r->fields[l->at[id]];
    } else {
        f = field_by(sc->r, &sc->facts, it->field, sc->tax[id] - 1u);
        if (l != NULL) {
            l->at[id] = f == NULL ? (int8_t)-1 : (int8_t)(f - sc->r->fields);
            l->stamp[id] = l->epoch;
        }
    }
    sc->memo[id] = f;
    sc->memo_stamp[id] = sc->gen;
    return f;
}

/* The decoded value of a field of the current record. */
static struct ruru_str value_of(struct ruru_rules_scratch *sc, const struct ruru_field *f)
{
    size_t i = (size_t)(f - sc->r->fields);
    struct ruru_str v = f->value;

    if (f->enc == RURU_ENC_RAW || i >= RURU_MAX_FIELDS)
        return v;
    if (!(sc->dec_done >> i & 1)) {
        size_t at = sc->dec.len;
        if (ruru_buf_add(&sc->dec, v.ptr, v.len) != RURU_OK) {
            sc->failed++;
            return v;
        }
        if (f->enc == RURU_ENC_JSON) {
            size_t k = ruru_json_unescape(v.ptr, v.len, sc->dec.ptr + at, v.len);
            if (k == (size_t)-1) {
                sc->dec.len = at;
                return v;
            }
            sc->dec.len = at + k;
        } else {
            for (size_t j = 0; j < v.len; j++)
                if (sc->dec.ptr[at + j] == '+')
                    sc->dec.ptr[at + j] = ' ';
        }
        sc->dec_off[i] = at;
        sc->dec_len[i] = sc->dec.len - at;
        sc->dec_done |= 1ull << i;
    }
    return ruru_str_make(sc->dec.ptr + sc->dec_off[i], sc->dec_len[i]);
}

/* ---- values ------------------------------------------------------------------------------- */

static bool number_of(struct ruru_str v, double *out)
{
    char buf[64];
    char *end;
    struct ruru_str t = ruru_str_trim(v);

    if (t.len == 0 || t.len >= sizeof(buf))
        return false;
    memcpy(buf, t.ptr, t.len);
    buf[t.len] = '\0';
    *out = strtod(buf, &end);
    return end != buf && *end == '\0';
}

static bool compare(double a, uint8_t cmp, double b)
{
    switch (cmp) {
    case CMP_LT:
        return a < b;
    case CMP_LTE:
        return a <= b;
    case CMP_GT:
        return a > b;
    case CMP_GTE:
        return a >= b;
    default:
        return a == b;
    }
}

static bool time_part(struct ruru_str v, uint8_t part, double *out)
{
    int64_t t;
    int64_t days, secs, y, m, d, doy;

    if (!ruru_time_parse(v.ptr, v.len, &t))
        return false;
    days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    secs = t - days * 86400;
    {
        /* civil from days (Howard Hinnant's algorithm) */
        int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
        int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t dp = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * dp + 2) / 153;
        d = dp - (153 * mp + 2) / 5 + 1;
        m = mp < 10 ? mp + 3 : mp - 9;
        y = yoe + era * 400 + (m <= 2);
        doy = days - ruru_days_from_civil((int)y, 1, 1);
    }
    switch (part) {
    case T_MINUTE:
        *out = (double)(secs / 60 % 60);
        return true;
    case T_HOUR:
        *out = (double)(secs / 3600);
        return true;
    case T_DAY:
        *out = (double)d;
        return true;
    case T_WEEK:
        *out = (double)(doy / 7 + 1);
        return true;
    case T_MONTH:
        *out = (double)m;
        return true;
    default:
        *out = (double)y;
        return true;
    }
}

static bool cidr_holds(const struct sval *v, struct ruru_str s)
{
    char buf[64];
    unsigned char a[16];
    struct ruru_str t = ruru_str_trim(s);
    bool v4;

    if (t.len == 0 || t.len >= sizeof(buf))
        return false;
    memcpy(buf, t.ptr, t.len);
    buf[t.len] = '\0';
    if (inet_pton(AF_INET, buf, a) == 1) {
        v4 = true;
    } else if (inet_pton(AF_INET6, buf, a) == 1) {
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        v4 = memcmp(a, mapped, 12) == 0;
        if (v4)
            memmove(a, a + 12, 4);
    } else {
        return false;
    }
    if (v4 != v->v4)
        return false;
    for (unsigned bit = 0; bit < v->prefix; bit++) {
        unsigned char m = (unsigned char)(0x80 >> (bit % 8));
        if ((a[bit / 8] & m) != (v->net[bit / 8] & m))
            return false;
    }
    return true;
}

static int on_re(unsigned int id,
                 unsigned long long from,
                 unsigned long long to,
                 unsigned int flags,
                 void *ctx)
{
    (void)id;
    (void)from;
    (void)to;
    (void)flags;
    *(bool *)ctx = true;
    return 1; /* one match says it */
}

static bool is_ascii(struct ruru_str s)
{
    for (size_t i = 0; i < s.len; i++)
        if ((unsigned char)s.ptr[i] >= 0x80)
            return false;
    return true;
}

/* Vectorscan when it took the regex and the value is ASCII (where the two agree), PCRE2
 * otherwise (UTF-8 values, constructs Vectorscan lacks). */
static bool re_match(struct ruru_rules_scratch *sc, const struct sval *v, struct ruru_str s)
{
    int rc;

    /* Vectorscan's yes is trusted; its no is not (it misses some matches at the end of a
     * buffer, match/literal.h), and padding would change what $ and . mean: PCRE2 decides */
    if (v->hs != NULL && sc->hs_re != NULL && s.len <= UINT32_MAX && is_ascii(s)) {
        bool hit = false;
        hs_error_t e =
                hs_scan(v->hs, s.len ? s.ptr : "", (unsigned)s.len, 0, sc->hs_re, on_re, &hit);
        if ((e == HS_SUCCESS || e == HS_SCAN_TERMINATED) && hit)
            return true;
    }
    rc = pcre2_match(v->re, (PCRE2_SPTR)s.ptr, s.len, 0, 0, sc->md, NULL);

    if (rc >= 0)
        return true;
    if (rc != PCRE2_ERROR_NOMATCH)
        sc->failed++; /* a match limit: counted, taken as no match */
    return false;
}

/* One value against the item's field (f may be NULL: absent). */
static bool
value_test(struct ruru_rules_scratch *sc, const struct sval *v, const struct ruru_field *f)
{
    struct ruru_str s;
    bool ok;
    double a;

    switch (v->op) {
    case V_NULL:
        return (f == NULL || f->value.len == 0) != v->negate;
    case V_EXISTS:
        return (f != NULL) == v->want;
    default:
        break;
    }
    if (f == NULL)
        return v->negate;
    s = value_of(sc, f);
    switch (v->op) {
    case V_RE:
        ok = re_match(sc, v, s);
        break;
    case V_CIDR:
        ok = cidr_holds(v, s);
        break;
    case V_NUM:
        ok = number_of(s, &a) && compare(a, v->cmp, v->num);
        break;
    case V_TIME:
        ok = time_part(s, v->part, &a) && compare(a, v->cmp, v->num);
        break;
    case V_FIELDREF: {
        const struct ruru_field *o = ruru_sigma_field(sc->r, &sc->facts, v->s);
        struct sval lit;
        if (o == NULL) {
            ok = false;
            break;
        }
        memset(&lit, 0, sizeof(lit));
        lit.op = v->ref_op;
        lit.cased = v->cased;
        {
            struct ruru_str ov = value_of(sc, o);
            /* value_of of the other field may have moved the buffer: take s again */
            s = value_of(sc, f);
            lit.s = ov.ptr;
            lit.len = ov.len;
            ok = ruru_sigma_str_match(&lit, s.ptr, s.len);
        }
        break;
    }
    default:
        ok = ruru_sigma_str_match(v, s.ptr, s.len);
        break;
    }
    return ok != v->negate;
}

static void note_field(struct ruru_rules_scratch *sc, const struct ruru_field *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < sc->n_hit_fields; i++)
        if (sc->hit_fields[i] == f)
            return;
    if (sc->n_hit_fields < RURU_RULES_MAX_MATCHED)
        sc->hit_fields[sc->n_hit_fields++] = f;
}

/* Keywords: anywhere in the raw line, or in any decoded field value. */
static bool keyword_test(struct ruru_rules_scratch *sc, const struct sval *v)
{
    if (v->op == V_RE ? re_match(sc, v, ruru_str_make(sc->line, sc->len))
                      : ruru_sigma_str_match(v, sc->line, sc->len))
        return !v->negate;
    for (size_t i = 0; sc->r != NULL && i < sc->r->n_fields; i++) {
        const struct ruru_field *f = &sc->r->fields[i];
        struct ruru_str s;
        if (f->enc == RURU_ENC_RAW)
            continue; /* its bytes are in the line, as they are */
        s = value_of(sc, f);
        if (v->op == V_RE ? re_match(sc, v, s) : ruru_sigma_str_match(v, s.ptr, s.len))
            return !v->negate;
    }
    return v->negate;
}

/* Is the field's value one of the item's whole values (eq_set)? The set holds values of at
 * most 1024 bytes (compile.c), so a longer value is none of them. */
static bool
in_eq_set(struct ruru_rules_scratch *sc, const struct item *it, const struct ruru_field *f)
{
    char low[1024];
    struct ruru_str s;
    int64_t one;

    if (f == NULL)
        return false; /* an absent field has no value to be */
    s = value_of(sc, f);
    if (s.len > sizeof(low))
        return false;
    for (size_t k = 0; k < s.len; k++)
        low[k] = ruru_lower(s.ptr[k]);
    return ruru_map_get(it->eq_set, low, s.len, &one);
}

struct lits_hit {
    const struct item *it;
    size_t len;
    bool hit;
};

static int on_lit(unsigned int id,
                  unsigned long long from,
                  unsigned long long to,
                  unsigned int flags,
                  void *ctx)
{
    struct lits_hit *h = ctx;
    const struct sval *v = &h->it->v[id];

    (void)from;
    (void)flags;
    /* a prefix must start the value, a suffix end it */
    if (v->op == V_CONTAINS || (v->op == V_PREFIX && to == v->len) ||
        (v->op == V_SUFFIX && to == h->len)) {
        h->hit = true;
        return 1;
    }
    return 0;
}

/* Does the field's value hold one of the item's substring values (lits)? *asked is false when
 * the database could not be asked: its values are then tested one by one. */
static bool in_lits(struct ruru_rules_scratch *sc,
                    const struct item *it,
                    const struct ruru_field *f,
                    bool *asked)
{
    struct lits_hit h = {it, 0, false};
    struct ruru_str s;
    hs_error_t e;

    *asked = true;
    if (f == NULL)
        return false;
    s = value_of(sc, f);
    h.len = s.len;
    if (sc->hs_re == NULL) {
        *asked = false;
        return false;
    }
    e = ruru_hs_scan_padded(it->lits, s.ptr, s.len, sc->hs_re, on_lit, &h, &sc->copy);
    if (e != HS_SUCCESS && e != HS_SCAN_TERMINATED) {
        *asked = false;
        return false;
    }
    return h.hit;
}

/* Value v of item `it` against the item's field f, or anywhere in the event for a keyword. */
static bool sval_test(struct ruru_rules_scratch *sc,
                      const struct item *it,
                      const struct sval *v,
                      const struct ruru_field *f)
{
    return it->field != NULL ? value_test(sc, v, f) : keyword_test(sc, v);
}

/* The item holds: its field noted as a hit's, when asked to. */
static bool item_holds(struct ruru_rules_scratch *sc,
                       const struct item *it,
                       const struct ruru_field *f,
                       bool note)
{
    if (note) {
        note_field(sc, f);
        sc->hit_keywords |= it->field == NULL;
    }
    return true;
}

static bool item_test(struct ruru_rules_scratch *sc, const struct item *it, bool note)
{
    const struct ruru_field *f = NULL;

    if (it->field != NULL)
        f = item_field(sc, it);
    bool lits_asked = false;

    if ((it->eq_set != NULL && in_eq_set(sc, it, f)) ||
        (it->lits != NULL && in_lits(sc, it, f, &lits_asked)))
        return item_holds(sc, it, f, note);
    if (it->all) {
        /* every written value, each by one of the values it expanded into (contiguous) */
        for (size_t i = 0; i < it->n;) {
            uint32_t of = it->v[i].of;
            bool ok = false;
            for (; i < it->n && it->v[i].of == of; i++)
                ok = ok || sval_test(sc, it, &it->v[i], f);
            if (!ok)
                return false;
        }
        return it->n > 0 && item_holds(sc, it, f, note);
    }
    for (size_t i = 0; i < it->n; i++) {
        const struct sval *v = &it->v[i];
        if ((v->in_set && it->eq_set != NULL) || (v->in_lits && lits_asked))
            continue;
        if (sval_test(sc, it, v, f))
            return item_holds(sc, it, f, note);
    }
    return false;
}

static bool search_test(struct ruru_rules_scratch *sc, const struct search *s, bool note)
{
    for (size_t g = 0; g < s->n; g++) {
        const struct group *gr = &s->groups[g];
        size_t k;
        for (k = 0; k < gr->n; k++)
            if (!item_test(sc, &gr->items[k], false))
                break;
        if (k == gr->n) {
            if (note)
                for (k = 0; k < gr->n; k++)
                    (void)item_test(sc, &gr->items[k], true);
            return true;
        }
    }
    return false;
}

static bool cond_test(struct ruru_rules_scratch *sc,
                      const struct ruru_sigma_rule *r,
                      const struct cond *c,
                      bool note)
{
    switch (c->kind) {
    case C_REF:
        return search_test(sc, &r->searches[c->ref], note);
    case C_AND:
        return cond_test(sc, r, c->a, note) && cond_test(sc, r, c->b, note);
    case C_OR:
        return cond_test(sc, r, c->a, note) || cond_test(sc, r, c->b, note);
    case C_NOT:
        return !cond_test(sc, r, c->a, false);
    case C_ONE_OF:
        for (size_t i = 0; i < c->n_refs; i++)
            if (search_test(sc, &r->searches[c->refs[i]], note))
                return true;
        return false;
    case C_ALL_OF:
        for (size_t i = 0; i < c->n_refs; i++)
            if (!search_test(sc, &r->searches[c->refs[i]], note))
                return false;
        return true;
    default:
        return false;
    }
}

static bool rule_test(struct ruru_rules_scratch *sc, const struct ruru_sigma_rule *r)
{
    for (size_t i = 0; i < r->n_conds; i++)
        if (cond_test(sc, r, r->conds[i], true))
            return true;
    return false;
}

static void begin_record(struct ruru_rules_scratch *sc,
                         const struct ruru_record *r,
                         const char *line,
                         size_t len)
{
    sc->r = r;
    sc->line = line;
    sc->len = len;
    sc->dec_done = 0;
    ruru_buf_reset(&sc->dec);
    if (++sc->gen == 0) { /* stamps wrapped: none is valid */
        memset(sc->memo_stamp, 0, sc->n_memo * sizeof(*sc->memo_stamp));
        sc->gen = 1;
        sc->lay_gen = 0;
    }
    ruru_sigma_facts(r, &sc->facts);
    ruru_sigma_input_facts(sc->in, r != NULL, &sc->facts);
    ruru_ran_note(&sc->ran, sc->rs, &sc->facts, sc->in);
}

size_t ruru_rules_match(const struct ruru_rules *rs,
                        struct ruru_rules_scratch *sc,
                        const struct ruru_record *r,
                        const char *line,
                        size_t len,
                        ruru_rule_hit_fn fn,
                        void *ctx)
{
    size_t n = 0;
    bool asked;

    begin_record(sc, r, line, len);
    /* ruru_rules_may_match may just have asked the prefilter about this line, for a record of
     * this class: its answer is in cand (and is good for this call only) */
    asked = r != NULL && sc->cand_line == line && sc->cand_len == len &&
            sc->cand_cls == sc->facts.cls;
    sc->cand_line = NULL;
    if (!asked && rs->pre != NULL)
        ruru_prefilter_candidates(
                rs->pre, sc->hs, sc->facts.cls, sc->in ? sc->in->groups : 0, line, len,
                r != NULL && (r->format == RURU_LOG_JSON || r->format == RURU_LOG_EVE ||
                              r->format == RURU_LOG_ZEEK_JSON),
                sc->cand, &sc->failed);
    else if (!asked)
        memset(sc->cand, 0xff, sc->n_cand_words * sizeof(*sc->cand));
    /* only the candidates: the set bits, word by word, in rule order */
    for (size_t w = 0; w < sc->n_cand_words; w++)
        for (uint64_t bits = sc->cand[w]; bits != 0; bits &= bits - 1) {
            uint32_t i = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(bits));
            const struct ruru_sigma_rule *rule;
            struct ruru_rule_hit hit;
            bool dropped = false;
            if (i >= rs->rules.n)
                break;
            rule = rule_at(rs, i);
            if (rule->corr != NULL || rule->filter != NULL)
                continue;
            if (!ruru_sigma_applies(rule, &sc->facts, sc->in))
                continue;
            sc->n_hit_fields = 0;
            sc->hit_keywords = false;
            if (!rule_test(sc, rule))
                continue;
            /* filters: the match stands only where every filter's condition holds */
            for (size_t k = 0; k < rule->n_filters && !dropped; k++) {
                const struct ruru_sigma_rule *flt = rule_at(rs, rule->filters[k]);
                size_t keep = sc->n_hit_fields;
                if (ruru_sigma_applies(flt, &sc->facts, sc->in) && !rule_test(sc, flt))
                    dropped = true;
                sc->n_hit_fields = keep;
            }
            if (dropped)
                continue;
            memset(&hit, 0, sizeof(hit));
            hit.rule = i;
            hit.n_fields = sc->n_hit_fields;
            memcpy(hit.fields, sc->hit_fields, sc->n_hit_fields * sizeof(hit.fields[0]));
            hit.keywords = sc->hit_keywords;
            n++;
            if (fn != NULL && fn(&hit, ctx) != 0)
                return n;
        }
    return n;
}

bool ruru_rules_may_match(const struct ruru_rules *rs,
                          struct ruru_rules_scratch *sc,
                          const char *line,
                          size_t len)
{
    const struct ruru_record *r = sc->r;
    uint32_t cls;

    sc->cand_line = NULL;
    if (r == NULL || rs->pre == NULL)
        return true;
    /* the line's record is not made: its classes are the last record's, or any a record of
     * its format may have (JSON records take theirs from their fields) */
    cls = ruru_sigma_format_cls(r->format, sc->facts.cls);
    ruru_prefilter_candidates(rs->pre, sc->hs, cls, sc->in ? sc->in->groups : 0, line, len,
                              r->format == RURU_LOG_JSON || r->format == RURU_LOG_EVE ||
                                      r->format == RURU_LOG_ZEEK_JSON,
                              sc->cand, &sc->failed);
    for (size_t w = 0; w < sc->n_cand_words; w++)
        if (sc->cand[w] != 0) {
            /* the record will be made and matched: ruru_rules_match takes these when its
             * classes are those asked for */
            sc->cand_line = line;
            sc->cand_len = len;
            sc->cand_cls = cls;
            return true;
        }
    return false;
}

bool ruru_rules_always(const struct ruru_rules *rs, const struct ruru_rules_scratch *sc)
{
    return sc->r == NULL || rs->pre == NULL ||
           ruru_prefilter_always(rs->pre, ruru_sigma_format_cls(sc->r->format, sc->facts.cls),
                                 sc->in ? sc->in->groups : 0);
}

bool ruru_rules_field_value(const struct ruru_rules *rs,
                            uint32_t rule,
                            const char *name,
                            const struct ruru_record *r,
                            char *out,
                            size_t out_len)
{
    const struct ruru_sigma_rule *ru = rule_at(rs, rule);
    struct rec_facts f;
    const struct ruru_field *x;
    const char *field = name;
    char tmp[4096];
    size_t n;

    if (r == NULL || out_len == 0)
        return false;
    /* an alias of some correlation that refers to this rule by name */
    for (size_t i = 0; ru->name != NULL && i < rs->rules.n; i++) {
        const struct ruru_sigma_rule *c = rule_at(rs, (uint32_t)i);
        if (c->corr == NULL)
            continue;
        for (size_t a = 0; a < c->corr->n_aliases; a++) {
            const struct alias *al = &c->corr->aliases[a];
            if (strcmp(al->name, name) != 0)
                continue;
            for (size_t q = 0; q < al->n; q++)
                if (strcmp(al->rules[q], ru->name) == 0)
                    field = al->fields[q];
        }
    }
    ruru_sigma_facts(r, &f);
    if ((x = ruru_sigma_field(r, &f, field)) == NULL)
        return false;
    n = x->value.len < sizeof(tmp) ? x->value.len : sizeof(tmp);
    memcpy(tmp, x->value.ptr, n);
    if (x->enc == RURU_ENC_JSON) {
        size_t k = ruru_json_unescape(x->value.ptr, n, tmp, sizeof(tmp));
        if (k != (size_t)-1)
            n = k;
    } else if (x->enc == RURU_ENC_PLUS) {
        for (size_t i = 0; i < n; i++)
            if (tmp[i] == '+')
                tmp[i] = ' ';
    }
    if (n >= out_len)
        n = out_len - 1;
    memcpy(out, tmp, n);
    out[n] = '\0';
    return true;
}
