/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MISP writer of `ruru export` (share.h): the export model as MISP events in the MISP core
 * format (draft-dulaunoy-misp-core-format), one event per incident. One incident gives
 * {"Event": {...}}; any other number gives MISP's list form {"response": [{"Event": ...}, ...]}.
 * Both are shapes ruru's own MISP importer reads (src/intel/misp.c), and the round trip keeps
 * every indicator value, its type (but for the few the core format has no type for, see
 * docs/export.md), its actors and its ATT&CK tags.
 *
 * Each incident's sightings are gathered per MISP attribute, (type, value): the three intel
 * records that named 203.0.113.45 and matched one log line make one attribute with one
 * sighting, its to_ids true when one of the records is meant for detection, its tags the
 * union of the records' labels and actors, its comment their descriptions. A Sigma rule's
 * sightings make one `sigma` attribute that names the rule (title and id; the author in the
 * comment, as the Detection Rule License asks). Then three kinds of MISP objects are built:
 * `http-request` from the HTTP fields a rule matched in one record, `file` from a hash the intel
 * pairs with a file name ("filename=error3.aspx"), `ip-port` from an address the intel pairs
 * with a port ("port=443"). An attribute is either at the event's top level or inside one
 * object: every value is in an event once. The judgement and its table of competing hypotheses
 * go into an EventReport (Markdown).
 *
 * Worked example. An incident "ruru-incident--bf5c" on EXCH01, severity high, TLP amber, judged
 * APT40 likely (moderate confidence), whose one sighting matched the ipv4 indicator
 * 203.0.113.45 in source.ip, gives
 *     {"Event": {"uuid": uuid5("event\0ruru-incident--bf5c"), "threat_level_id": "1",
 *       "distribution": "1", "Tag": [{"name": "estimative-language:confidence-in-analytic-
 *       judgment=\"moderate\""}, {"name": "estimative-language:likelihood-probability=
 *       \"likely\""}, {"name": "misp-galaxy:threat-actor=\"APT40\""}, {"name": "tlp:amber"}],
 *       "Attribute": [{"type": "ip-src", "category": "Network activity", "to_ids": true,
 *         "value": "203.0.113.45", "Tag": [..., {"name": "tlp:amber"}],
 *         "Sighting": [{"type": "0", "date_sighting": "1720746940", "source": "ruru (w3c)"}]}],
 *       "EventReport": [{"name": "Attribution: APT40 (likely)", "content": "# Incident ..."}]}}
 *
 * Everything is derived from the model and nothing else: UUIDs are name-based (ruru_uuid5 in
 * ruru's namespace, from the incident id, the type and the value), times are the model's, every
 * list is sorted and the keys are written sorted, so the same model gives the same bytes. Every
 * string is built with jansson; text taken from the model is made well-formed UTF-8 first (a
 * byte that starts no UTF-8 sequence becomes U+FFFD), and one-line fields lose their control
 * characters. The mapping tables are in docs/export.md.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "base/time.h"
#include "intel/intel.h"
#include "share/share.h"
#include "share/text.h"

/* Scratch text: a comment, a rule's value, an event report. An export of a whole register
 * stays far below this; the bound is there so that a hostile model cannot take all memory. */
#define MAX_TEXT_BYTES ((size_t)256 << 20)
/* The core format: info SHOULD NOT be longer than 256 characters (nor hold new lines). */
#define MAX_INFO_CHARS 256u
/* Observed forms of one value named in its comment ("seen as: ..."); the rest are counted. */
#define MAX_SEEN_AS 8u
/* Matched fields read per rule sighting; ruru keeps at most 8. */
#define MAX_MATCHED 16u

/* ---- the mapping --------------------------------------------------------------------------- */

/* ruru indicator types as MISP attribute types (with their category, a valid pair of the core
 * format). Addresses and e-mail addresses take their direction from the field matched. */
static const struct {
    const char *ruru;
    const char *misp;
    const char *category;
} TYPES[] = {
        {"domain", "domain", "Network activity"},
        {"url", "url", "Network activity"},
        {"uri-path", "uri", "Network activity"},
        {"md5", "md5", "Payload delivery"},
        {"sha1", "sha1", "Payload delivery"},
        {"sha256", "sha256", "Payload delivery"},
        {"sha512", "sha512", "Payload delivery"},
        {"filename", "filename", "Payload delivery"},
        /* the core format has no type for a path; MISP's filename holds paths too */
        {"filepath", "filename", "Payload delivery"},
        {"user-agent", "user-agent", "Network activity"},
        {"string", "text", "Other"},
        {"ja3", "ja3-fingerprint-md5", "Network activity"},
        /* no JA3S type in the core format: "other", the comment says what it is */
        {"ja3s", "other", "Network activity"},
        {"x509-md5", "x509-fingerprint-md5", "Network activity"},
        {"x509-sha1", "x509-fingerprint-sha1", "Network activity"},
        {"x509-sha256", "x509-fingerprint-sha256", "Network activity"},
        {"asn", "AS", "Network activity"},
        {"filename-regex", "filename-pattern", "Payload delivery"},
        {"regkey", "regkey", "Persistence mechanism"},
        {"mutex", "mutex", "Artifacts dropped"},
        {"pipe", "named pipe", "Artifacts dropped"},
        {"mac", "mac-address", "Network activity"},
        {"stix-pattern", "stix2-pattern", "Payload installation"},
};

#define CAT_NETWORK "Network activity"
#define SIGMA_TYPE  "sigma"
#define SIGMA_CAT   "Payload installation"

/* The MISP object templates used (MISP/misp-objects: objects/<name>/definition.json). */
struct tmpl {
    const char *name, *meta, *description, *uuid, *version;
};
static const struct tmpl FILE_OBJ = {"file", "file",
                                     "File object describing a file with meta-information",
                                     "688c46fb-5edb-40a3-8273-1af7923e2215", "23"};
static const struct tmpl IP_PORT_OBJ = {
        "ip-port", "network",
        "An IP address (or domain or hostname) and a port seen as a tuple (or as a triple) in a "
        "specific time frame.",
        "9f8cea74-16fe-4968-a2b4-026676949ac6", "10"};
static const struct tmpl HTTP_OBJ = {"http-request", "network", "A single HTTP request header",
                                     "b4a8d163-8110-4239-bfcf-e08f3a9fdf7b", "5"};

/* ECS fields a rule matched, as http-request relations. */
static const struct {
    const char *field, *relation, *type;
} HTTP_FIELDS[] = {
        {"http.request.method", "method", "http-method"},
        {"url.path", "uri", "uri"},
        {"url.original", "uri", "uri"}, /* "url" when it has a scheme */
        {"url.full", "uri", "uri"},
        {"user_agent.original", "user-agent", "user-agent"},
        {"url.domain", "host", "hostname"},
        {"http.request.referrer", "referer", "other"},
};

/* The words of ICD 203 (ruru_icd203_words) as the estimative-language taxonomy writes them. */
static const char *const ESTIMATIVE[] = {
        "almost no chance", "very unlikely", "unlikely",       "roughly even chance",
        "likely",           "very likely",   "almost certain",
};

/* Tag colours of the MISP tlp taxonomy, by rank; galaxy tags as MISP shows them. */
static const char *const TLP_COLOUR[RURU_TLP_LEVELS] = {"#ffffff", "#33FF00", "#FFC000", "#FFC000",
                                                        "#FF2B2B"};
#define GALAXY_COLOUR "#0088cc"
#define OTHER_COLOUR  "#ffffff"

/* Event distribution by TLP rank: clear to all communities, green to connected ones, amber to
 * this community, amber+strict and red to the organisation only. */
static const char *const DISTRIBUTION[RURU_TLP_LEVELS] = {"3", "2", "1", "0", "0"};

static const char *const TLP_NAMES[RURU_TLP_LEVELS] = {"clear", "green", "amber", "amber+strict",
                                                       "red"};

/* ---- the writer's state -------------------------------------------------------------------- */

struct writer {
    struct ruru_diag *d;
    json_t *cert;         /* the reporting CERT's name, clean */
    json_t *contact;      /* its contact, clean, or NULL */
    char org_uuid[37];    /* derived from the name */
    struct ruru_buf tmp;  /* clean(): the text being cleaned */
    struct ruru_buf key;  /* derive(): the name of a UUID */
    struct ruru_buf text; /* comments, rule values, reports, record keys */
    bool oom;             /* an allocation failed; everything built since is thrown away */
};

/* One incident being turned into an event. Attributes and objects are gathered in JSON
 * objects keyed by their UUID (each an "accumulator", written out at the end). */
struct event {
    json_t *inc;
    const char *id; /* the incident's id as the model gives it (for messages) */
    char uuid[37];
    int rank;         /* the most restrictive TLP of the incident and its sightings */
    int64_t updated;  /* the incident's last change: every timestamp of the event */
    int64_t recorded; /* when the register first recorded it */
    json_t *attrs;    /* uuid -> attribute accumulator */
    json_t *objs;     /* uuid -> object accumulator */
    json_t *rules;    /* the rule sightings, [sighting, rank, rule title], for http-request */
};

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static const char *or_(const char *s, const char *absent)
{
    return s != NULL ? s : absent;
}

/* A TLP 2.0 level by rank as it is written in text ("TLP:AMBER+STRICT"). */
static const char *const TLP_LABELS[RURU_TLP_LEVELS] = {"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER",
                                                        "TLP:AMBER+STRICT", "TLP:RED"};

/* Adds v to o under k; v is taken (freed on failure). A failure marks the writer. */
static void put(struct writer *w, json_t *o, const char *k, json_t *v)
{
    if (json_object_set_new(o, k, v) != 0)
        w->oom = true;
}

static void put_s(struct writer *w, json_t *o, const char *k, const char *s)
{
    put(w, o, k, json_string(s));
}

static void add(struct writer *w, json_t *a, json_t *v)
{
    if (json_array_append_new(a, v) != 0)
        w->oom = true;
}

static void put_time(struct writer *w, json_t *o, const char *k, int64_t t)
{
    char s[24];

    snprintf(s, sizeof(s), "%" PRId64, t == RURU_TIME_NONE ? 0 : t);
    put_s(w, o, k, s);
}

/* RURU_EINVAL: the model is not one. `id` (the incident's, any bytes) is named in printable
 * ASCII, at most 80 characters of it. */
static enum ruru_err einval(struct writer *w, const char *what, const char *id)
{
    char safe[81];
    size_t i = 0;

    for (; id != NULL && id[i] != '\0' && i < sizeof(safe) - 1; i++)
        safe[i] = id[i] >= 0x20 && id[i] < 0x7f ? id[i] : '?';
    safe[i] = '\0';
    return ruru_diag_set(w->d, RURU_EINVAL, NULL, 0, 0, "not an export model: %s%s%s", what,
                         id != NULL ? " in " : "", safe);
}

/* ---- text ---------------------------------------------------------------------------------- */

/* A new JSON string holding n bytes of s cleaned; NULL (the writer marked) on failure. */
static json_t *clean(struct writer *w, const char *s, size_t n, bool one_line)
{
    json_t *v = NULL;

    ruru_buf_reset(&w->tmp);
    ruru_share_add_clean(&w->tmp, s, n, one_line);
    if (!w->tmp.failed)
        v = json_stringn(ruru_buf_str(&w->tmp), w->tmp.len);
    if (v == NULL)
        w->oom = true;
    return v;
}

/* The cleaned copy of a JSON string of the model, or NULL when v is none. */
static json_t *clean_v(struct writer *w, json_t *v, bool one_line)
{
    if (!json_is_string(v))
        return NULL;
    return clean(w, json_string_value(v), json_string_length(v), one_line);
}

/* A name-based UUID of the parts joined by NUL bytes (they hold none: they are clean text). */
static void derive(struct writer *w, char out[37], const char *const *parts, size_t n)
{
    ruru_buf_reset(&w->key);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            ruru_buf_addc(&w->key, '\0');
        ruru_buf_adds(&w->key, parts[i] != NULL ? parts[i] : "");
    }
    if (w->key.failed || !ruru_uuid5(RURU_UUID_NAMESPACE, ruru_buf_str(&w->key), w->key.len, out)) {
        w->oom = true;
        memset(out, '0', 36);
        out[36] = '\0';
    }
}

/* The keys of a JSON object, sorted (byte order). *out is freed by the caller (ruru_free). */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t sorted_keys(struct writer *w, json_t *o, const char ***out)
{
    size_t n = json_object_size(o), i = 0;
    const char *k;
    json_t *v;

    *out = NULL;
    if (n == 0)
        return 0;
    *out = ruru_malloc(n * sizeof(**out));
    if (*out == NULL) {
        w->oom = true;
        return 0;
    }
    json_object_foreach(o, k, v)
    {
        (*out)[i++] = k;
    }
    qsort(*out, n, sizeof(**out), cmp_str);
    return n;
}

/* Sorts a JSON array in place with cmp over its elements. */
static void sort_array(struct writer *w, json_t *a, int (*cmp)(const void *, const void *))
{
    size_t n = json_array_size(a), i;
    json_t **v, *e;

    if (n < 2)
        return;
    v = ruru_malloc(n * sizeof(*v));
    if (v == NULL) {
        w->oom = true;
        return;
    }
    json_array_foreach(a, i, e)
    {
        v[i] = json_incref(e);
    }
    json_array_clear(a);
    qsort(v, n, sizeof(*v), cmp);
    for (i = 0; i < n; i++)
        add(w, a, v[i]);
    ruru_free(v);
}

/* ---- accumulators -------------------------------------------------------------------------- */

/* The attribute accumulator with this uuid, made when new. `value` is taken. NULL on failure. */
static json_t *attr_acc(struct writer *w,
                        struct event *ev,
                        const char *uuid,
                        const char *type,
                        const char *category,
                        json_t *value)
{
    static const char *const SETS[] = {"tags",       "sightings", "notes", "seen",
                                       "techniques", "ports",     "names"};
    json_t *a = json_object_get(ev->attrs, uuid);

    if (a != NULL || value == NULL) {
        json_decref(value);
        return a;
    }
    a = json_object();
    put_s(w, a, "uuid", uuid);
    put_s(w, a, "type", type);
    put_s(w, a, "category", category);
    put(w, a, "value", value);
    put(w, a, "to_ids", json_false());
    put(w, a, "rank", json_integer(-1));
    for (size_t i = 0; i < sizeof(SETS) / sizeof(SETS[0]); i++)
        put(w, a, SETS[i], json_object());
    put(w, ev->attrs, uuid, a);
    return w->oom ? NULL : json_object_get(ev->attrs, uuid);
}

static void set_add(struct writer *w, json_t *acc, const char *set, const char *s)
{
    put(w, json_object_get(acc, set), s, json_true());
}

/* Adds the cleaned string v to a set of the accumulator. */
static void set_add_v(struct writer *w, json_t *acc, const char *set, json_t *v)
{
    json_t *c = clean_v(w, v, true);

    if (c != NULL && json_string_length(c) > 0)
        set_add(w, acc, set, json_string_value(c));
    json_decref(c);
}

/* Adds prefix + clean(s) + suffix to the accumulator's tags. */
static void
add_tag(struct writer *w, json_t *acc, const char *prefix, json_t *s, const char *suffix)
{
    if (!json_is_string(s) || json_string_length(s) == 0)
        return;
    ruru_buf_reset(&w->text);
    ruru_buf_adds(&w->text, prefix);
    ruru_share_add_clean(&w->text, json_string_value(s), json_string_length(s), true);
    ruru_buf_adds(&w->text, suffix);
    if (w->text.failed)
        w->oom = true;
    else
        set_add(w, acc, "tags", ruru_buf_str(&w->text));
}

/* An accumulator's number (a rank, a time), RURU_TIME_NONE when it has none. */
static int64_t num(json_t *acc, const char *k)
{
    json_t *x = json_object_get(acc, k);

    return json_is_integer(x) ? (int64_t)json_integer_value(x) : RURU_TIME_NONE;
}

static void raise_rank(struct writer *w, json_t *acc, int rank)
{
    if (rank > num(acc, "rank"))
        put(w, acc, "rank", json_integer(rank));
}

/* When a sighting was: its @timestamp, else its pattern's first record, else when the register
 * recorded the incident (a record without a time). */
static int64_t sighting_time(struct event *ev, json_t *s)
{
    int64_t t;
    const char *ts = str(s, "@timestamp");

    if (ts == NULL)
        ts = str(json_object_get(json_object_get(s, "ruru"), "pattern"), "first");
    if (ts != NULL && ruru_time_parse(ts, strlen(ts), &t))
        return t;
    return ev->recorded != RURU_TIME_NONE ? ev->recorded : ev->updated;
}

/* What tells one observation from another: the record cited (its input and offset) and its
 * time, or the records of a pattern's binding. */
static void record_key(struct ruru_buf *b, json_t *s, int64_t t)
{
    json_t *ru = json_object_get(s, "ruru"), *m;
    size_t i;

    ruru_buf_reset(b);
    ruru_buf_addf(
            b, "%" PRId64 "\n%s\n%" PRId64, t,
            or_(str(json_object_get(json_object_get(s, "log"), "file"), "path"), ""),
            (int64_t)json_integer_value(json_object_get(json_object_get(s, "log"), "offset")));
    json_array_foreach(json_object_get(ru, "members"), i, m)
    {
        ruru_buf_addf(
                b, "\n%s\n%" PRId64,
                or_(str(json_object_get(json_object_get(m, "log"), "file"), "path"), ""),
                (int64_t)json_integer_value(json_object_get(json_object_get(m, "log"), "offset")));
    }
}

/* Adds sighting s (TLP rank `rank`) to the accumulator: one MISP sighting per observation. */
static void add_sighting(struct writer *w, struct event *ev, json_t *acc, json_t *s, int rank)
{
    json_t *ru = json_object_get(s, "ruru"), *o, *src;
    const char *fmt = str(ru, "format");
    int64_t t = sighting_time(ev, s), first = num(acc, "first"), last = num(acc, "last");
    char u[37], date[24];

    record_key(&w->text, s, t);
    if (w->text.failed) {
        w->oom = true;
        return;
    }
    derive(w, u, (const char *[]){"sighting", str(acc, "uuid"), ruru_buf_str(&w->text)}, 3);
    raise_rank(w, acc, rank);
    if (first == RURU_TIME_NONE || t < first)
        put(w, acc, "first", json_integer(t));
    if (last == RURU_TIME_NONE || t > last)
        put(w, acc, "last", json_integer(t));
    if (json_object_get(json_object_get(acc, "sightings"), u) != NULL)
        return;
    /* source: who saw it, and in what */
    ruru_buf_reset(&w->text);
    ruru_buf_adds(&w->text, json_string_value(w->cert));
    if (json_object_get(ru, "pattern") != NULL)
        ruru_buf_adds(&w->text, " (STIX pattern)");
    else if (json_object_get(ru, "correlation") != NULL)
        ruru_buf_adds(&w->text, " (Sigma correlation)");
    else if (fmt != NULL)
        ruru_buf_addf(&w->text, " (%s)", fmt);
    src = w->text.failed ? NULL : clean(w, w->text.ptr, w->text.len, true);
    snprintf(date, sizeof(date), "%" PRId64, t);
    o = json_object();
    put_s(w, o, "uuid", u);
    put_s(w, o, "type", "0");
    put_s(w, o, "date_sighting", date);
    put(w, o, "source", src);
    put_s(w, o, "attribute_uuid", str(acc, "uuid"));
    put(w, json_object_get(acc, "sightings"), u, o);
}

/* ---- sightings ----------------------------------------------------------------------------- */

static bool prefix(const char *s, const char *p)
{
    return s != NULL && strncmp(s, p, strlen(p)) == 0;
}

/* The MISP type of a ruru indicator type matched in ECS field `field`; *category its category. */
static const char *misp_type(const char *type, const char *field, const char **category)
{
    *category = CAT_NETWORK;
    if (strcmp(type, "ipv4") == 0 || strcmp(type, "ipv6") == 0 || strcmp(type, "cidr4") == 0 ||
        strcmp(type, "cidr6") == 0)
        return prefix(field, "source.") || prefix(field, "client.") ? "ip-src" : "ip-dst";
    if (strcmp(type, "email") == 0) {
        *category = "Payload delivery";
        return prefix(field, "email.to.") || prefix(field, "email.cc.") ||
                               prefix(field, "email.bcc.")
                       ? "email-dst"
                       : "email-src";
    }
    for (size_t i = 0; i < sizeof(TYPES) / sizeof(TYPES[0]); i++)
        if (strcmp(type, TYPES[i].ruru) == 0) {
            *category = TYPES[i].category;
            return TYPES[i].misp;
        }
    *category = "Other";
    return "other";
}

static bool is_hash(const char *t)
{
    return strcmp(t, "md5") == 0 || strcmp(t, "sha1") == 0 || strcmp(t, "sha256") == 0 ||
           strcmp(t, "sha512") == 0;
}

static bool is_ip(const char *t)
{
    return strcmp(t, "ip-src") == 0 || strcmp(t, "ip-dst") == 0;
}

/* A sighting of an intel indicator: into the attribute of its (type, value). */
static enum ruru_err
on_indicator(struct writer *w, struct event *ev, json_t *s, json_t *ind, int rank)
{
    json_t *ru = json_object_get(s, "ruru"), *acc, *v, *x;
    const char *type = str(ind, "type"), *mtype, *cat, *ctx = str(ind, "context");
    char u[37];
    size_t i;

    if (type == NULL || !json_is_string(json_object_get(ind, "value")))
        return einval(w, "an indicator without type or value", ev->id);
    mtype = misp_type(type, str(json_object_get(ru, "field"), "canonical"), &cat);
    if ((v = clean_v(w, json_object_get(ind, "value"), false)) == NULL)
        return RURU_ENOMEM;
    derive(w, u, (const char *[]){"attribute", ev->uuid, mtype, json_string_value(v)}, 4);
    if ((acc = attr_acc(w, ev, u, mtype, cat, v)) == NULL)
        return RURU_ENOMEM;
    if (!json_is_false(json_object_get(ind, "to_ids")))
        put(w, acc, "to_ids", json_true());
    add_sighting(w, ev, acc, s, rank);
    json_array_foreach(json_object_get(ind, "actors"), i, x)
    {
        add_tag(w, acc, "misp-galaxy:threat-actor=\"",
                json_is_string(x) ? x : json_object_get(x, "name"), "\"");
    }
    /* The source's labels, but its TLP: the sighting's decides. */
    json_array_foreach(json_object_get(ind, "labels"), i, x)
    {
        const char *l = json_string_value(x);
        if (l != NULL && !ruru_str_iprefix(ruru_str_make(l, strlen(l)), "tlp:"))
            add_tag(w, acc, "", x, "");
    }
    json_array_foreach(json_object_get(ind, "techniques"), i, x)
    {
        set_add_v(w, acc, "techniques", x);
    }
    set_add_v(w, acc, "notes", json_object_get(ind, "description"));
    if (strcmp(mtype, "other") == 0 || strcmp(type, "filepath") == 0) {
        /* the type the core format lacks, so that the value is read right */
        ruru_buf_reset(&w->text);
        ruru_buf_adds(&w->text, "ruru type ");
        ruru_share_add_clean(&w->text, type, strlen(type), true);
        if (!w->text.failed)
            set_add(w, acc, "notes", ruru_buf_str(&w->text));
    }
    if (ctx != NULL && prefix(ctx, "port=") && is_ip(mtype) && ctx[5] != '\0') {
        json_t *p = clean(w, ctx + 5, strlen(ctx + 5), true);
        if (p != NULL)
            set_add(w, acc, "ports", json_string_value(p));
        json_decref(p);
    }
    if (ctx != NULL && prefix(ctx, "filename=") && is_hash(mtype) && ctx[9] != '\0') {
        json_t *f = clean(w, ctx + 9, strlen(ctx + 9), true);
        if (f != NULL)
            set_add(w, acc, "names", json_string_value(f));
        json_decref(f);
    }
    x = clean_v(w, json_object_get(ru, "observed"), true);
    if (x != NULL &&
        strcmp(json_string_value(x), json_string_value(json_object_get(acc, "value"))) != 0)
        set_add(w, acc, "seen", json_string_value(x));
    json_decref(x);
    return w->oom ? RURU_ENOMEM : RURU_OK;
}

/* Appends `key: "value"` (a YAML double-quoted scalar: JSON's escapes are YAML's). */
static void add_yaml(struct writer *w, const char *key, json_t *v)
{
    char *q;

    if (v == NULL)
        return;
    q = json_dumps(v, JSON_ENCODE_ANY);
    if (q == NULL) {
        w->oom = true;
        return;
    }
    ruru_buf_addf(&w->text, "%s%s: %s", w->text.len > 0 ? "\n" : "", key, q);
    free(q); /* from json_dumps */
}

/* A rule's sighting: into the `sigma` attribute naming the rule. */
static enum ruru_err on_rule(struct writer *w, struct event *ev, json_t *s, int rank)
{
    json_t *rr = json_object_get(json_object_get(s, "ruru"), "rule");
    json_t *top = json_object_get(s, "rule"), *title, *id, *v = NULL, *acc = NULL, *x;
    char u[37];
    size_t i;

    x = json_object_get(rr, "title") != NULL ? json_object_get(rr, "title")
                                             : json_object_get(top, "name");
    title = clean_v(w, x, true);
    x = json_object_get(rr, "id") != NULL ? json_object_get(rr, "id") : json_object_get(top, "id");
    id = clean_v(w, x, true);
    if (title == NULL && id == NULL)
        return w->oom ? RURU_ENOMEM : RURU_OK; /* nothing names the rule */
    ruru_buf_reset(&w->text);
    add_yaml(w, "title", title);
    add_yaml(w, "id", id);
    if (!w->text.failed && (v = json_stringn(w->text.ptr, w->text.len)) != NULL) {
        derive(w, u, (const char *[]){"attribute", ev->uuid, SIGMA_TYPE, json_string_value(v)}, 4);
        acc = attr_acc(w, ev, u, SIGMA_TYPE, SIGMA_CAT, v);
    }
    if (acc != NULL) {
        add_sighting(w, ev, acc, s, rank);
        x = json_object_get(rr, "author") != NULL ? json_object_get(rr, "author")
                                                  : json_object_get(top, "author");
        if (json_object_get(acc, "author") == NULL && (x = clean_v(w, x, true)) != NULL)
            put(w, acc, "author", x);
        x = json_object_get(rr, "level");
        if (json_object_get(acc, "level") == NULL && (x = clean_v(w, x, true)) != NULL)
            put(w, acc, "level", x);
        x = json_object_get(json_object_get(json_object_get(s, "threat"), "technique"), "id");
        json_array_foreach(x, i, v)
        {
            set_add_v(w, acc, "techniques", v);
        }
        /* for the http-request pass: the sighting, its TLP, and what names the rule */
        add(w, ev->rules, json_pack("[OiO]", s, rank, title != NULL ? title : id));
    }
    json_decref(title);
    json_decref(id);
    return w->oom || acc == NULL ? RURU_ENOMEM : RURU_OK;
}

/* ---- objects ------------------------------------------------------------------------------- */

static json_t *obj_acc(struct writer *w, struct event *ev, const char *uuid, const struct tmpl *t)
{
    json_t *o = json_object_get(ev->objs, uuid);

    if (o != NULL)
        return o;
    o = json_object();
    put_s(w, o, "uuid", uuid);
    put(w, o, "tmpl", json_integer(t == &FILE_OBJ ? 0 : t == &IP_PORT_OBJ ? 1 : 2));
    put(w, o, "rank", json_integer(-1));
    put(w, o, "notes", json_object());
    put(w, ev->objs, uuid, o);
    return w->oom ? NULL : json_object_get(ev->objs, uuid);
}

static const struct tmpl *tmpl_of(json_t *o)
{
    json_int_t k = json_integer_value(json_object_get(o, "tmpl"));

    return k == 0 ? &FILE_OBJ : k == 1 ? &IP_PORT_OBJ : &HTTP_OBJ;
}

/* Puts attribute accumulator a into object o under `relation`. */
static void join(struct writer *w, json_t *o, json_t *a, const char *relation)
{
    put_s(w, a, "in", str(o, "uuid"));
    put_s(w, a, "relation", relation);
    raise_rank(w, o, (int)num(a, "rank"));
}

/* A new attribute of object o that no sighting holds (the intel's pairing). */
static void pairing_attr(struct writer *w,
                         struct event *ev,
                         json_t *o,
                         const char *relation,
                         const char *type,
                         const char *category,
                         const char *value,
                         int rank,
                         const char *note)
{
    char u[37];
    json_t *a;

    derive(w, u, (const char *[]){"object-attribute", str(o, "uuid"), relation, value}, 4);
    a = attr_acc(w, ev, u, type, category, json_string(value));
    if (a == NULL)
        return;
    put(w, a, "rank", json_integer(rank));
    set_add(w, a, "notes", note);
    join(w, o, a, relation);
}

/* Whether the event has an indicator attribute of this type and value. */
static bool has_indicator(struct writer *w, struct event *ev, const char *type, const char *value)
{
    char u[37];

    derive(w, u, (const char *[]){"attribute", ev->uuid, type, value}, 4);
    return json_object_get(ev->attrs, u) != NULL;
}

struct field {
    const char *relation, *type;
    json_t *value;
};

static int cmp_field(const void *a, const void *b)
{
    const struct field *x = a, *y = b;
    int c = strcmp(x->relation, y->relation);

    return c != 0 ? c : strcmp(json_string_value(x->value), json_string_value(y->value));
}

/* The HTTP request a rule matched in one record: an http-request object of the values it
 * matched (those that are no indicator of the event: an indicator is its own attribute). */
static void http_request(struct writer *w, struct event *ev, json_t *s, int rank, json_t *title)
{
    struct field f[MAX_MATCHED];
    size_t n = 0, i, k;
    bool target = false;
    json_t *m, *o;
    char u[37];

    json_array_foreach(json_object_get(json_object_get(s, "ruru"), "matched"), i, m)
    {
        const char *field = str(m, "canonical");
        if (n == MAX_MATCHED || field == NULL)
            continue;
        for (k = 0; k < sizeof(HTTP_FIELDS) / sizeof(HTTP_FIELDS[0]); k++)
            if (strcmp(field, HTTP_FIELDS[k].field) == 0)
                break;
        if (k == sizeof(HTTP_FIELDS) / sizeof(HTTP_FIELDS[0]))
            continue;
        f[n].value = clean_v(w, json_object_get(m, "value"), false);
        if (f[n].value == NULL || json_string_length(f[n].value) == 0) {
            json_decref(f[n].value);
            continue;
        }
        f[n].relation = HTTP_FIELDS[k].relation;
        f[n].type = HTTP_FIELDS[k].type;
        if (strcmp(f[n].relation, "uri") == 0 &&
            strstr(json_string_value(f[n].value), "://") != NULL)
            f[n].relation = f[n].type = "url";
        if (has_indicator(w, ev, f[n].type, json_string_value(f[n].value)) ||
            (strcmp(f[n].type, "hostname") == 0 &&
             has_indicator(w, ev, "domain", json_string_value(f[n].value)))) {
            json_decref(f[n].value);
            continue;
        }
        target = target || strcmp(f[n].relation, "uri") == 0 || strcmp(f[n].relation, "url") == 0;
        n++;
    }
    if (target) {
        qsort(f, n, sizeof(f[0]), cmp_field);
        ruru_buf_reset(&w->text);
        for (i = 0; i < n; i++)
            ruru_buf_addf(&w->text, "%s=%s\n", f[i].relation, json_string_value(f[i].value));
        derive(w, u, (const char *[]){"object", ev->uuid, HTTP_OBJ.name, ruru_buf_str(&w->text)},
               4);
        if (!w->text.failed && (o = obj_acc(w, ev, u, &HTTP_OBJ)) != NULL) {
            if (json_is_string(title)) {
                ruru_buf_reset(&w->text);
                ruru_buf_adds(&w->text, "matched by the Sigma rule ");
                ruru_buf_adds(&w->text, json_string_value(title));
                if (!w->text.failed)
                    put(w, json_object_get(o, "notes"), ruru_buf_str(&w->text), json_true());
            }
            for (i = 0; i < n; i++) {
                char au[37];
                json_t *a;
                derive(w, au,
                       (const char *[]){"object-attribute", u, f[i].relation,
                                        json_string_value(f[i].value)},
                       4);
                a = attr_acc(w, ev, au, f[i].type, CAT_NETWORK, json_incref(f[i].value));
                if (a == NULL)
                    break;
                add_sighting(w, ev, a, s, rank);
                join(w, o, a, f[i].relation);
            }
        }
    }
    for (i = 0; i < n; i++)
        json_decref(f[i].value);
}

/* file objects (a hash and the file names the intel gives with it) and ip-port objects (an
 * address and the ports the intel gives with it). */
static void pairing_objects(struct writer *w, struct event *ev)
{
    const char **sorted;
    size_t n = sorted_keys(w, ev->attrs, &sorted);
    json_t *keys = json_array(), *ks;

    /* copied: the loop adds attributes */
    for (size_t i = 0; i < n; i++)
        add(w, keys, json_string(sorted[i]));
    ruru_free(sorted);
    json_array_foreach(keys, n, ks)
    {
        const char *key = json_string_value(ks);
        json_t *a = json_object_get(ev->attrs, key), *o;
        const char *type = str(a, "type"), **vals;
        char ou[37];
        int rank = (int)num(a, "rank");
        size_t nv;
        bool hash = is_hash(type);

        if (json_object_get(a, "in") != NULL ||
            json_object_size(json_object_get(a, hash ? "names" : "ports")) == 0 ||
            (!hash && !is_ip(type)))
            continue;
        derive(w, ou, (const char *[]){"object", ev->uuid, hash ? "file" : "ip-port", key}, 4);
        if ((o = obj_acc(w, ev, ou, hash ? &FILE_OBJ : &IP_PORT_OBJ)) == NULL)
            break;
        join(w, o, a, hash ? type : "ip");
        nv = sorted_keys(w, json_object_get(a, hash ? "names" : "ports"), &vals);
        for (size_t k = 0; k < nv; k++) {
            json_t *f;
            char fu[37];
            if (!hash) {
                pairing_attr(w, ev, o, "dst-port", "port", CAT_NETWORK, vals[k], rank,
                             "the port the intel gives with this address");
                continue;
            }
            derive(w, fu, (const char *[]){"attribute", ev->uuid, "filename", vals[k]}, 4);
            f = json_object_get(ev->attrs, fu);
            if (f == NULL)
                pairing_attr(w, ev, o, "filename", "filename", "Payload delivery", vals[k], rank,
                             "the file name the intel gives with this hash");
            else if (json_object_get(f, "in") == NULL)
                join(w, o, f, "filename");
        }
        ruru_free(vals);
    }
    json_decref(keys);
}

/* ---- writing ------------------------------------------------------------------------------- */

static int cmp_by(const void *a, const void *b, const char *k1, const char *k2)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int c = strcmp(or_(str(x, k1), ""), or_(str(y, k1), ""));

    return c != 0 || k2 == NULL ? c : strcmp(or_(str(x, k2), ""), or_(str(y, k2), ""));
}

static int cmp_tag(const void *a, const void *b)
{
    return cmp_by(a, b, "name", NULL);
}

static json_t *tag(struct writer *w, const char *name)
{
    json_t *t = json_object();
    int rank = prefix(name, "tlp:") ? ruru_tlp_rank(name + 4) : -1;

    put_s(w, t, "name", name);
    put_s(w, t, "colour",
          rank >= 0                      ? TLP_COLOUR[rank]
          : prefix(name, "misp-galaxy:") ? GALAXY_COLOUR
                                         : OTHER_COLOUR);
    put(w, t, "exportable", json_true());
    return t;
}

/* The Tag list of a set of names plus the TLP of `rank`, sorted by name. */
static json_t *tags_of(struct writer *w, json_t *set, int rank)
{
    const char **keys;
    size_t n;
    json_t *out = json_array();
    char tlp[32];

    snprintf(tlp, sizeof(tlp), "tlp:%s", TLP_NAMES[rank]);
    if (json_object_get(set, tlp) == NULL)
        add(w, out, tag(w, tlp));
    n = sorted_keys(w, set, &keys);
    for (size_t i = 0; i < n; i++)
        add(w, out, tag(w, keys[i]));
    ruru_free(keys);
    sort_array(w, out, cmp_tag);
    return out;
}

static int cmp_attr(const void *a, const void *b)
{
    int c = cmp_by(a, b, "object_relation", NULL);

    c = c != 0 ? c : cmp_by(a, b, "type", "value");
    return c != 0 ? c : cmp_by(a, b, "uuid", NULL);
}

static int cmp_object(const void *a, const void *b)
{
    return cmp_by(a, b, "name", "uuid");
}

static int cmp_sighting(const void *a, const void *b)
{
    long long x = strtoll(or_(str(*(json_t *const *)a, "date_sighting"), "0"), NULL, 10);
    long long y = strtoll(or_(str(*(json_t *const *)b, "date_sighting"), "0"), NULL, 10);

    return x < y ? -1 : x > y ? 1 : cmp_by(a, b, "uuid", NULL);
}

/* Appends the keys of a set joined by `sep` (at most `max`, then how many more). */
static void add_set(struct writer *w, json_t *set, const char *sep, size_t max)
{
    const char **keys;
    size_t n = sorted_keys(w, set, &keys);

    for (size_t i = 0; i < n && i < max; i++)
        ruru_buf_addf(&w->text, "%s%s", i > 0 ? sep : "", keys[i]);
    if (n > max)
        ruru_buf_addf(&w->text, " and %zu more", n - max);
    ruru_free(keys);
}

/* Whether a technique is already told by a galaxy tag (misp-galaxy:...="<name> - T1190"). */
static bool tagged(struct writer *w, json_t *tags, const char *technique)
{
    const char *k;
    json_t *v;
    size_t n;

    ruru_buf_reset(&w->key);
    ruru_buf_addf(&w->key, " - %s\"", technique);
    n = w->key.len;
    json_object_foreach(tags, k, v)
    {
        size_t len = strlen(k);
        if (!w->key.failed && prefix(k, "misp-galaxy:") && len > n &&
            memcmp(k + len - n, w->key.ptr, n) == 0)
            return true;
    }
    return false;
}

/* The attribute's comment: the intel's descriptions, the forms it was seen in, the ATT&CK
 * techniques no tag tells; for a rule, its author (always), level and techniques. */
static json_t *comment_of(struct writer *w, json_t *acc)
{
    json_t *tech = json_object_get(acc, "techniques"), *u = json_object();
    const char *k;
    json_t *v;

    ruru_buf_reset(&w->text);
    if (strcmp(str(acc, "type"), SIGMA_TYPE) == 0) {
        ruru_buf_addf(&w->text, "author: %s", or_(str(acc, "author"), "unknown"));
        if (str(acc, "level") != NULL)
            ruru_buf_addf(&w->text, "; level: %s", str(acc, "level"));
    } else {
        add_set(w, json_object_get(acc, "notes"), "; ", SIZE_MAX);
        if (json_object_size(json_object_get(acc, "seen")) > 0) {
            ruru_buf_adds(&w->text, w->text.len > 0 ? "; seen as: " : "seen as: ");
            add_set(w, json_object_get(acc, "seen"), ", ", MAX_SEEN_AS);
        }
    }
    json_object_foreach(tech, k, v)
    {
        if (!tagged(w, json_object_get(acc, "tags"), k))
            put(w, u, k, json_true());
    }
    if (json_object_size(u) > 0) {
        ruru_buf_adds(&w->text, w->text.len > 0 ? "; ATT&CK: " : "ATT&CK: ");
        add_set(w, u, ", ", SIZE_MAX);
    }
    json_decref(u);
    return w->text.failed ? NULL : clean(w, w->text.ptr, w->text.len, true);
}

static void put_iso(struct writer *w, json_t *o, const char *k, int64_t t)
{
    char s[RURU_TIME_BUF];

    if (t == RURU_TIME_NONE)
        return;
    ruru_time_format(t, s);
    put_s(w, o, k, s);
}

/* A MISP attribute from its accumulator. */
static json_t *attr_out(struct writer *w, struct event *ev, json_t *acc)
{
    json_t *a = json_object(), *sightings = json_array(), *x;
    int64_t rank = num(acc, "rank");
    const char *k;

    put_s(w, a, "uuid", str(acc, "uuid"));
    put_s(w, a, "id", "0");
    put_s(w, a, "event_id", "0");
    put_s(w, a, "object_id", "0");
    put_s(w, a, "type", str(acc, "type"));
    put_s(w, a, "category", str(acc, "category"));
    put(w, a, "value", json_incref(json_object_get(acc, "value")));
    put(w, a, "to_ids", json_incref(json_object_get(acc, "to_ids")));
    put_s(w, a, "distribution", "5");
    put_s(w, a, "sharing_group_id", "0");
    put_time(w, a, "timestamp", ev->updated);
    put(w, a, "comment", comment_of(w, acc));
    put(w, a, "deleted", json_false());
    put(w, a, "disable_correlation", json_false());
    if (str(acc, "relation") != NULL)
        put_s(w, a, "object_relation", str(acc, "relation"));
    put_iso(w, a, "first_seen", num(acc, "first"));
    put_iso(w, a, "last_seen", num(acc, "last"));
    put(w, a, "Tag", tags_of(w, json_object_get(acc, "tags"), rank >= 0 ? (int)rank : ev->rank));
    json_object_foreach(json_object_get(acc, "sightings"), k, x)
    {
        add(w, sightings, json_incref(x));
    }
    sort_array(w, sightings, cmp_sighting);
    put(w, a, "Sighting", sightings);
    return a;
}

/* A MISP object from its accumulator, with its attributes. */
static json_t *obj_out(struct writer *w, struct event *ev, json_t *acc)
{
    const struct tmpl *t = tmpl_of(acc);
    json_t *o = json_object(), *attrs = json_array(), *a;
    const char *k;
    int64_t rank = num(acc, "rank"), first = RURU_TIME_NONE, last = RURU_TIME_NONE, f, l;

    json_object_foreach(ev->attrs, k, a)
    {
        if (strcmp(or_(str(a, "in"), ""), str(acc, "uuid")) != 0)
            continue;
        f = num(a, "first");
        l = num(a, "last");
        if (f != RURU_TIME_NONE && (first == RURU_TIME_NONE || f < first))
            first = f;
        if (l != RURU_TIME_NONE && (last == RURU_TIME_NONE || l > last))
            last = l;
        add(w, attrs, attr_out(w, ev, a));
    }
    sort_array(w, attrs, cmp_attr);
    ruru_buf_reset(&w->text);
    ruru_buf_adds(&w->text, TLP_LABELS[rank >= 0 ? rank : ev->rank]);
    if (json_object_size(json_object_get(acc, "notes")) > 0) {
        ruru_buf_adds(&w->text, "; ");
        add_set(w, json_object_get(acc, "notes"), "; ", SIZE_MAX);
    }
    put_s(w, o, "uuid", str(acc, "uuid"));
    put_s(w, o, "id", "0");
    put_s(w, o, "event_id", "0");
    put_s(w, o, "name", t->name);
    put_s(w, o, "meta-category", t->meta);
    put_s(w, o, "description", t->description);
    put_s(w, o, "template_uuid", t->uuid);
    put_s(w, o, "template_version", t->version);
    put_time(w, o, "timestamp", ev->updated);
    put_s(w, o, "distribution", DISTRIBUTION[ev->rank]);
    put_s(w, o, "sharing_group_id", "0");
    put(w, o, "comment", w->text.failed ? NULL : clean(w, w->text.ptr, w->text.len, true));
    put(w, o, "deleted", json_false());
    put_iso(w, o, "first_seen", first);
    put_iso(w, o, "last_seen", last);
    put(w, o, "ObjectReference", json_array());
    put(w, o, "Attribute", attrs);
    return o;
}

/* The EventReport: the judgement and the table of competing hypotheses, in Markdown. */
static json_t *report_of(struct writer *w, struct event *ev)
{
    json_t *j = json_object_get(ev->inc, "judgement"), *r = json_object();
    struct ruru_buf *b = &w->text;
    char u[37];

    ruru_buf_reset(b);
    ruru_share_judgement_md(b, ev->inc, TLP_LABELS[ev->rank], w->cert, w->contact);
    put(w, r, "content", b->failed ? NULL : clean(w, b->ptr, b->len, false));
    ruru_buf_reset(b);
    if (json_is_string(json_object_get(j, "actor")))
        ruru_buf_addf(b, "Attribution: %s (%s)", str(j, "actor"), or_(str(j, "words"), "no words"));
    else
        ruru_buf_adds(b, "Attribution: not attributed");
    put(w, r, "name", b->failed ? NULL : clean(w, b->ptr, b->len < 256 ? b->len : 256, true));
    derive(w, u, (const char *[]){"event-report", ev->uuid}, 2);
    put_s(w, r, "uuid", u);
    put_s(w, r, "id", "0");
    put_s(w, r, "event_id", "0");
    put_s(w, r, "distribution", "5");
    put_s(w, r, "sharing_group_id", "0");
    put_time(w, r, "timestamp", ev->updated);
    put(w, r, "deleted", json_false());
    return r;
}

/* info: what the incident is, on one line, within 256 characters. */
static json_t *info_of(struct writer *w, struct event *ev)
{
    json_t *j = json_object_get(ev->inc, "judgement"), *v, *out;
    const char *s;
    size_t chars = 0, cut;

    ruru_buf_reset(&w->text);
    ruru_buf_addf(&w->text, "ruru incident %s on %s: ", ev->id,
                  or_(str(ev->inc, "asset"), "an unknown asset"));
    if (str(j, "actor") != NULL)
        ruru_buf_addf(&w->text, "%s (%s)", str(j, "actor"), or_(str(j, "words"), "no words"));
    else
        ruru_buf_adds(&w->text, "not attributed");
    ruru_buf_addf(&w->text, ", severity %s", or_(str(ev->inc, "severity"), "unknown"));
    if (w->text.failed || (v = clean(w, w->text.ptr, w->text.len, true)) == NULL)
        return NULL;
    s = json_string_value(v);
    for (cut = 0; s[cut] != '\0'; cut++)
        if (((unsigned char)s[cut] & 0xc0) != 0x80 && chars++ == MAX_INFO_CHARS)
            break;
    if (s[cut] == '\0')
        return v;
    out = json_stringn(s, cut);
    json_decref(v);
    if (out == NULL)
        w->oom = true;
    return out;
}

/* The estimative-language value of ICD 203 words ("almost no chance" -> "almost-no-chance"). */
static const char *estimative(const char *words, char *out, size_t cap)
{
    for (size_t i = 0; words != NULL && i < sizeof(ESTIMATIVE) / sizeof(ESTIMATIVE[0]); i++)
        if (strcmp(words, ESTIMATIVE[i]) == 0 && strlen(words) < cap) {
            size_t k = 0;
            do {
                out[k] = words[k] == ' ' ? '-' : words[k];
            } while (words[k++] != '\0');
            return out;
        }
    return NULL;
}

static const char *threat_level(const char *severity)
{
    if (severity != NULL && (strcmp(severity, "critical") == 0 || strcmp(severity, "high") == 0))
        return "1";
    if (severity != NULL && strcmp(severity, "medium") == 0)
        return "2";
    if (severity != NULL && strcmp(severity, "low") == 0)
        return "3";
    return "4";
}

static json_t *org(struct writer *w)
{
    json_t *o = json_object();

    put_s(w, o, "id", "1");
    put(w, o, "name", json_incref(w->cert));
    put_s(w, o, "uuid", w->org_uuid);
    return o;
}

/* The event's own tags: its TLP, the actor judged and how likely, how confident. */
static json_t *event_tags(struct writer *w, struct event *ev)
{
    json_t *j = json_object_get(ev->inc, "judgement"), *set = json_object(), *out;
    char word[32];
    const char *c = str(j, "confidence");

    /* a scratch accumulator: add_tag() puts into its "tags" */
    put(w, set, "tags", json_object());
    if (json_is_string(json_object_get(j, "actor"))) {
        add_tag(w, set, "misp-galaxy:threat-actor=\"", json_object_get(j, "actor"), "\"");
        if (estimative(str(j, "words"), word, sizeof(word)) != NULL) {
            ruru_buf_reset(&w->text);
            ruru_buf_addf(&w->text, "estimative-language:likelihood-probability=\"%s\"", word);
            set_add(w, set, "tags", ruru_buf_str(&w->text));
        }
        if (c != NULL &&
            (strcmp(c, "low") == 0 || strcmp(c, "moderate") == 0 || strcmp(c, "high") == 0)) {
            ruru_buf_reset(&w->text);
            ruru_buf_addf(&w->text, "estimative-language:confidence-in-analytic-judgment=\"%s\"",
                          c);
            set_add(w, set, "tags", ruru_buf_str(&w->text));
        }
    }
    out = tags_of(w, json_object_get(set, "tags"), ev->rank);
    json_decref(set);
    return out;
}

/* The incident as one MISP event. */
static enum ruru_err event_of(struct writer *w, json_t *inc, json_t **out)
{
    struct event ev;
    json_t *s, *e = NULL, *attrs, *objs, *a, *rule, *x;
    const char *k, *campaign = str(inc, "campaign"), *first = str(inc, "first");
    enum ruru_err err = RURU_OK;
    char u[37], date[RURU_TIME_BUF];
    int64_t t;
    size_t i;

    memset(&ev, 0, sizeof(ev));
    ev.inc = inc;
    ev.id = str(inc, "id");
    ev.rank = ruru_tlp_rank(str(inc, "tlp"));
    if (ev.id == NULL)
        return einval(w, "an incident without an id", NULL);
    if (ev.rank < 0)
        return einval(w, "no TLP", ev.id);
    if ((x = clean_v(w, json_object_get(inc, "id"), true)) == NULL)
        return RURU_ENOMEM;
    derive(w, ev.uuid, (const char *[]){"event", json_string_value(x)}, 2);
    json_decref(x);
    ev.updated = ev.recorded = RURU_TIME_NONE;
    if (str(inc, "updated") != NULL)
        ruru_time_parse(str(inc, "updated"), strlen(str(inc, "updated")), &ev.updated);
    if (str(inc, "recorded") != NULL)
        ruru_time_parse(str(inc, "recorded"), strlen(str(inc, "recorded")), &ev.recorded);
    if (ev.updated == RURU_TIME_NONE)
        ev.updated = ev.recorded;
    ev.attrs = json_object();
    ev.objs = json_object();
    ev.rules = json_array();

    json_array_foreach(json_object_get(inc, "sightings"), i, s)
    {
        json_t *ru = json_object_get(s, "ruru");
        int rank = ruru_tlp_rank(str(s, "tlp"));
        if (rank < 0) {
            err = einval(w, "a sighting without a TLP", ev.id);
            break;
        }
        if (rank > ev.rank)
            ev.rank = rank;
        if (json_is_object(json_object_get(ru, "indicator")))
            err = on_indicator(w, &ev, s, json_object_get(ru, "indicator"), rank);
        else if (json_is_object(json_object_get(ru, "rule")) ||
                 json_is_object(json_object_get(s, "rule")))
            err = on_rule(w, &ev, s, rank);
        if (err != RURU_OK)
            break;
    }
    if (err == RURU_OK) {
        json_array_foreach(ev.rules, i, rule)
        {
            http_request(w, &ev, json_array_get(rule, 0),
                         (int)json_integer_value(json_array_get(rule, 1)), json_array_get(rule, 2));
        }
        pairing_objects(w, &ev);
    }
    if (err != RURU_OK || w->oom)
        goto out;

    e = json_object();
    attrs = json_array();
    objs = json_array();
    json_object_foreach(ev.attrs, k, a)
    {
        if (json_object_get(a, "in") == NULL)
            add(w, attrs, attr_out(w, &ev, a));
    }
    json_object_foreach(ev.objs, k, x)
    {
        add(w, objs, obj_out(w, &ev, x));
    }
    sort_array(w, attrs, cmp_attr);
    sort_array(w, objs, cmp_object);
    put_s(w, e, "uuid", ev.uuid);
    put_s(w, e, "id", "0");
    put(w, e, "info", info_of(w, &ev));
    put(w, e, "published", json_false());
    put_s(w, e, "threat_level_id", threat_level(str(inc, "severity")));
    /* an automatic judgement, which no analyst has completed */
    put_s(w, e, "analysis", "0");
    if (first == NULL || !ruru_time_parse(first, strlen(first), &t))
        t = ev.updated;
    ruru_time_format(t == RURU_TIME_NONE ? 0 : t, date);
    date[10] = '\0';
    put_s(w, e, "date", date);
    put_time(w, e, "timestamp", ev.updated);
    put_s(w, e, "publish_timestamp", "0");
    put_s(w, e, "first_publication", "0");
    put_s(w, e, "org_id", "1");
    put_s(w, e, "orgc_id", "1");
    put(w, e, "Org", org(w));
    put(w, e, "Orgc", org(w));
    put_s(w, e, "attribute_count", "0");
    put_s(w, e, "distribution", DISTRIBUTION[ev.rank]);
    put_s(w, e, "sharing_group_id", "0");
    u[0] = '\0';
    if (campaign != NULL && strcmp(campaign, ev.id) != 0 &&
        (x = clean_v(w, json_object_get(inc, "campaign"), true)) != NULL) {
        derive(w, u, (const char *[]){"event", json_string_value(x)}, 2);
        json_decref(x);
    }
    put_s(w, e, "extends_uuid", u);
    put(w, e, "locked", json_false());
    put(w, e, "Tag", event_tags(w, &ev));
    put(w, e, "Attribute", attrs);
    put(w, e, "Object", objs);
    put(w, e, "EventReport", json_pack("[o]", report_of(w, &ev)));
out:
    json_decref(ev.attrs);
    json_decref(ev.objs);
    json_decref(ev.rules);
    if (err == RURU_OK && w->oom)
        err = RURU_ENOMEM;
    if (err != RURU_OK) {
        json_decref(e);
        return err;
    }
    *out = e;
    return RURU_OK;
}

/* ---- the document -------------------------------------------------------------------------- */

static void set_id(struct writer *w, json_t *o, const char *k, size_t n)
{
    char s[24];

    snprintf(s, sizeof(s), "%zu", n);
    put_s(w, o, k, s);
}

/* Collects every tag of the document into `names`. */
static void collect_tags(struct writer *w, json_t *tags, json_t *names)
{
    json_t *t;
    size_t i;

    json_array_foreach(tags, i, t)
    {
        put(w, names, str(t, "name"), json_null());
    }
}

static void number_tags(struct writer *w, json_t *tags, json_t *names)
{
    json_t *t;
    size_t i;

    json_array_foreach(tags, i, t)
    {
        put(w, t, "id", json_incref(json_object_get(names, str(t, "name"))));
    }
}

/* Gives the document's events, attributes, objects, reports and tags their ids, in the order
 * they are written (a MISP instance gives them its own on import), and each event its count. */
static void number(struct writer *w, json_t *events)
{
    size_t n_attr = 0, n_obj = 0, n_rep = 0, i, j, k, n;
    json_t *wrap, *a, *o, *r, *names = json_object();
    const char **keys;

    for (int pass = 0; pass < 2; pass++) {
        json_array_foreach(events, i, wrap)
        {
            json_t *ev = json_object_get(wrap, "Event");
            size_t count = 0;
            if (pass == 0) {
                collect_tags(w, json_object_get(ev, "Tag"), names);
            } else {
                set_id(w, ev, "id", i + 1);
                number_tags(w, json_object_get(ev, "Tag"), names);
            }
            json_array_foreach(json_object_get(ev, "Attribute"), j, a)
            {
                if (pass == 0) {
                    collect_tags(w, json_object_get(a, "Tag"), names);
                    continue;
                }
                set_id(w, a, "id", ++n_attr);
                set_id(w, a, "event_id", i + 1);
                number_tags(w, json_object_get(a, "Tag"), names);
                count++;
            }
            json_array_foreach(json_object_get(ev, "Object"), j, o)
            {
                if (pass == 1) {
                    set_id(w, o, "id", ++n_obj);
                    set_id(w, o, "event_id", i + 1);
                }
                json_array_foreach(json_object_get(o, "Attribute"), k, a)
                {
                    if (pass == 0) {
                        collect_tags(w, json_object_get(a, "Tag"), names);
                        continue;
                    }
                    set_id(w, a, "id", ++n_attr);
                    set_id(w, a, "event_id", i + 1);
                    set_id(w, a, "object_id", n_obj);
                    number_tags(w, json_object_get(a, "Tag"), names);
                    count++;
                }
            }
            if (pass == 0)
                continue;
            json_array_foreach(json_object_get(ev, "EventReport"), j, r)
            {
                set_id(w, r, "id", ++n_rep);
                set_id(w, r, "event_id", i + 1);
            }
            set_id(w, ev, "attribute_count", count);
        }
        if (pass == 0) {
            n = sorted_keys(w, names, &keys);
            for (k = 0; k < n; k++)
                set_id(w, names, keys[k], k + 1);
            ruru_free(keys);
        }
    }
    json_decref(names);
}

static int cmp_incident(const void *a, const void *b)
{
    return cmp_by(a, b, "first", "id");
}

enum ruru_err ruru_share_misp(json_t *model, struct ruru_buf *out, struct ruru_diag *d)
{
    struct writer w;
    json_t *incs = json_object_get(model, "incidents"), *sorted = NULL, *events = NULL, *doc = NULL;
    json_t *cert = json_object_get(model, "cert"), *inc, *ev = NULL;
    enum ruru_err err = RURU_OK;
    char *text = NULL;
    size_t i, before;

    memset(&w, 0, sizeof(w));
    w.d = d;
    if (!json_is_object(model) || json_integer_value(json_object_get(model, "ruru_export")) != 1 ||
        !json_is_array(incs))
        return einval(&w, "no {\"ruru_export\": 1, \"incidents\": [...]}", NULL);
    ruru_buf_init(&w.tmp, MAX_TEXT_BYTES);
    ruru_buf_init(&w.key, MAX_TEXT_BYTES);
    ruru_buf_init(&w.text, MAX_TEXT_BYTES);
    w.cert = clean_v(&w, json_object_get(cert, "name"), true);
    if (w.cert == NULL || json_string_length(w.cert) == 0) {
        json_decref(w.cert);
        w.cert = json_string("ruru");
    }
    w.contact = clean_v(&w, json_object_get(cert, "contact"), true);
    derive(&w, w.org_uuid, (const char *[]){"organisation", json_string_value(w.cert)}, 2);
    sorted = json_array();
    events = json_array();
    json_array_foreach(incs, i, inc)
    {
        if (!json_is_object(inc)) {
            err = einval(&w, "an incident that is no object", NULL);
            goto out;
        }
        add(&w, sorted, json_incref(inc));
    }
    sort_array(&w, sorted, cmp_incident);
    json_array_foreach(sorted, i, inc)
    {
        if (w.oom || (err = event_of(&w, inc, &ev)) != RURU_OK)
            goto out;
        add(&w, events, json_pack("{so}", "Event", ev));
    }
    number(&w, events);
    doc = json_array_size(events) == 1 ? json_incref(json_array_get(events, 0))
                                       : json_pack("{sO}", "response", events);
    if (w.oom || doc == NULL || (text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS)) == NULL) {
        err = RURU_ENOMEM;
        goto out;
    }
    before = out->len;
    err = ruru_buf_adds(out, text);
    if (err == RURU_OK && (err = ruru_buf_addc(out, '\n')) != RURU_OK) {
        out->len = before; /* all or nothing */
        out->ptr[before] = '\0';
    }
    if (err != RURU_OK)
        ruru_diag_set(d, err, NULL, 0, 0, "the MISP export does not fit the output");
out:
    if (err == RURU_OK && w.oom)
        err = RURU_ENOMEM;
    if (err == RURU_ENOMEM)
        ruru_diag_set(d, err, NULL, 0, 0, "out of memory");
    free(text); /* from json_dumps */
    json_decref(doc);
    json_decref(events);
    json_decref(sorted);
    json_decref(w.cert);
    json_decref(w.contact);
    ruru_buf_fini(&w.tmp);
    ruru_buf_fini(&w.key);
    ruru_buf_fini(&w.text);
    return err;
}
