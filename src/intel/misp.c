/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MISP events (the MISP core format): {"Event": {...}}, a list of them, a REST response
 * {"response": [...]}, a bare event, or a feed's manifest.json, which names events and carries
 * no indicators. The document is parsed whole with jansson; every attribute, at the event's
 * top level and inside its objects, of a type that names something ruru matches becomes one
 * indicator or, for composite types, several; to_ids false keeps a value as context (stored,
 * shown, never swept), and a link is kept as the event's reference, not an indicator.
 * Everything else an analyst would want counted (YARA rules, free text, hash kinds ruru does
 * not match) is rejected with a fixed reason, and the import goes on. Galaxy clusters become
 * entities, and the event's actor and technique clusters, like its galaxy tags, link every
 * indicator to them.
 *
 * Worked example. The event
 *     {"Event": {"uuid": "E", "info": "Exchange intrusions", "Tag": [{"name": "tlp:amber"},
 *       {"name": "misp-galaxy:threat-actor=\"APT40\""}],
 *       "Attribute": [{"uuid": "A", "type": "domain|ip",
 *                      "value": "c2[.]evil.example|198.51.100.7"},
 *                     {"uuid": "B", "type": "yara", "value": "rule x {...}"}]}}
 * gives two indicators, "domain c2.evil.example" with ref "A#1" and "ipv4 198.51.100.7" with
 * ref "A#2", both with object_ref "E", tlp "amber", labels "tlp:amber" and the galaxy tag,
 * actors "APT40" and description "Exchange intrusions"; and one reject, attribute B
 * "unsupported attribute type", at line 5, column 17 (where B's object opens). The part
 * numbers are fixed by position, so the address keeps ref "A#2" even when the domain part is
 * refused, and a later version of the event replaces it rather than adding to it.
 *
 * jansson keeps no positions. A reject is placed afterwards in the raw bytes by base/jloc.c, a
 * locator that follows the reject's path ("response", 3, "Event", "Object", 2, "Attribute", 0)
 * with a skip-scanner and remembers where each step ended. Paths come in document order, so each
 * step only moves forward from the last one: all the rejects of an import cost about one
 * extra pass over the bytes, and an import without rejects none.
 *
 * The mapping, the reason phrases and the limits are in docs/internals/misp.md.
 */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/jloc.h"
#include "base/str.h"
#include "intel/intel.h"
#include "intel/stix_pattern.h"

/* Labels kept per indicator (event tags plus the attribute's). Real events carry a handful to a
 * few dozen; the bound stops a hostile event with a million tags from handing a million labels
 * to the sink for each of its attributes. Tags past it are dropped and counted by one reject. */
#define MAX_LABELS 256
/* Actors and techniques linked per indicator. An event names a few actors and at most a few
 * dozen ATT&CK techniques; the bound is there for the same reason as MAX_LABELS. */
#define MAX_LINKS 64
/* Tags of the clusters linked by uuid: an event's and an attribute's. */
#define MAX_CLUSTER_TAGS ((size_t)2 * MAX_LINKS)
/* Aliases kept per galaxy cluster. The largest alias lists in public intel (MISP galaxy
 * actors, ATT&CK groups) hold a few dozen names; as in stix.c and galaxy.c. */
#define MAX_ALIASES 256
/* ioc.c refuses longer values ("value too long") anyway; checking first saves copying a 10 MB
 * value twice only to learn it. */
#define MAX_VALUE_BYTES ((size_t)64 * 1024)
/* How much of a registry value's data its key's context carries: enough to recognise it. */
#define MAX_DATA_CONTEXT ((size_t)1024)
/* How much of a refused value a reject carries: enough to recognise it in a report. */
#define REJECT_VALUE_BYTES 256u
/* Longest actor name taken from a galaxy tag. Names in the galaxies are under 100 bytes;
 * longer text is not a name, and the bound keeps the per-attribute name arena small. */
#define MAX_NAME_BYTES 256u
/* The normalised form of a value: a URL may grow (a stray '%' becomes "%25"), never past 3x. */
#define MAX_CANON_BYTES (3 * MAX_VALUE_BYTES + 64)
/* Steps of a locator path: at most "response", i, "Event", then "Object", j, "Attribute", k,
 * "Tag" below the event (8); two spare. */
#define MAX_PATH RURU_JLOC_MAX_DEPTH
/* Arena for names from galaxy tags: at most 2 * MAX_LINKS names of MAX_NAME_BYTES + 1. */
#define NAME_ARENA_BLOCK 4096u
#define NAME_ARENA_MAX   (2u * MAX_LINKS * (MAX_NAME_BYTES + 16u) + NAME_ARENA_BLOCK)

#define WRONG_TYPE "wrong JSON type"

/* How an attribute type becomes indicators. */
enum shape {
    ONE,       /* the value is one IOC of `type` */
    WITH_PORT, /* "<value>|<port>": the IOC, with context "port=N" */
    DOMAIN_IP, /* "<domain>|<ip>": a domain (#1) and an address (#2) */
    FILE_HASH, /* "<filename>|<hash>": the hash with context "filename=..." (#1), the name (#2) */
    REG_VALUE, /* "<key>|<data>": the registry key, with context "data=..." */
    REFERENCE, /* a link: a reference of the event (relation "reference"), not an indicator */
    PATTERN,   /* a STIX pattern, checked and kept whole for the pattern engine */
    SKIP,      /* a victim, not an IOC: skipped without a reject */
    BAD_HASH,  /* a hash kind ruru does not match: "unsupported hash type" */
};

/* The MISP attribute types ruru imports (draft-dulaunoy-misp-core-format, "type"), and the
 * hash kinds it refuses by name. Every type not listed is "unsupported attribute type". IP
 * types ask for IPv4: the normaliser takes IPv6 and CIDR as they come, and refuses a host
 * name filed as an address instead of guessing. */
static const struct {
    const char *name;
    enum ruru_ioc_type type;
    enum shape shape;
} TYPES[] = {
        {"ip-src", RURU_IOC_IPV4, ONE},
        {"ip-dst", RURU_IOC_IPV4, ONE},
        {"ip-src|port", RURU_IOC_IPV4, WITH_PORT},
        {"ip-dst|port", RURU_IOC_IPV4, WITH_PORT},
        {"domain", RURU_IOC_DOMAIN, ONE},
        {"hostname", RURU_IOC_DOMAIN, ONE},
        {"hostname|port", RURU_IOC_DOMAIN, WITH_PORT},
        {"domain|ip", RURU_IOC_DOMAIN, DOMAIN_IP},
        {"url", RURU_IOC_URL, ONE},
        {"uri", RURU_IOC_URI_PATH, ONE},
        {"email", RURU_IOC_EMAIL, ONE},
        {"email-src", RURU_IOC_EMAIL, ONE},
        {"email-dst", RURU_IOC_EMAIL, ONE},
        {"md5", RURU_IOC_MD5, ONE},
        {"sha1", RURU_IOC_SHA1, ONE},
        {"sha256", RURU_IOC_SHA256, ONE},
        {"sha512", RURU_IOC_SHA512, ONE},
        {"filename|md5", RURU_IOC_MD5, FILE_HASH},
        {"filename|sha1", RURU_IOC_SHA1, FILE_HASH},
        {"filename|sha256", RURU_IOC_SHA256, FILE_HASH},
        {"filename|sha512", RURU_IOC_SHA512, FILE_HASH},
        {"filename", RURU_IOC_FILENAME, ONE},
        /* A sample's value is "<file name>|<md5>"; attachments name a file. */
        {"malware-sample", RURU_IOC_MD5, FILE_HASH},
        {"attachment", RURU_IOC_FILENAME, ONE},
        {"email-attachment", RURU_IOC_FILENAME, ONE},
        {"email-reply-to", RURU_IOC_EMAIL, ONE},
        {"regkey", RURU_IOC_REGKEY, ONE},
        {"regkey|value", RURU_IOC_REGKEY, REG_VALUE},
        {"mutex", RURU_IOC_MUTEX, ONE},
        {"named pipe", RURU_IOC_PIPE, ONE},
        {"mac-address", RURU_IOC_MAC, ONE},
        {"user-agent", RURU_IOC_USER_AGENT, ONE},
        {"AS", RURU_IOC_ASN, ONE},
        {"ja3-fingerprint-md5", RURU_IOC_JA3, ONE},
        {"stix2-pattern", RURU_IOC_PATTERN, PATTERN},
        {"x509-fingerprint-md5", RURU_IOC_X509_MD5, ONE},
        {"x509-fingerprint-sha1", RURU_IOC_X509_SHA1, ONE},
        {"x509-fingerprint-sha256", RURU_IOC_X509_SHA256, ONE},
        /* A link points at a report; a target-email names a victim. */
        {"link", RURU_IOC_NONE, REFERENCE},
        {"target-email", RURU_IOC_NONE, SKIP},
        /* Every hash kind of the core format that is not above ("filename|" + these too). */
        {"sha224", RURU_IOC_NONE, BAD_HASH},
        {"sha384", RURU_IOC_NONE, BAD_HASH},
        {"sha512/224", RURU_IOC_NONE, BAD_HASH},
        {"sha512/256", RURU_IOC_NONE, BAD_HASH},
        {"sha3-224", RURU_IOC_NONE, BAD_HASH},
        {"sha3-256", RURU_IOC_NONE, BAD_HASH},
        {"sha3-384", RURU_IOC_NONE, BAD_HASH},
        {"sha3-512", RURU_IOC_NONE, BAD_HASH},
        {"ssdeep", RURU_IOC_NONE, BAD_HASH},
        {"imphash", RURU_IOC_NONE, BAD_HASH},
        {"tlsh", RURU_IOC_NONE, BAD_HASH},
        {"telfhash", RURU_IOC_NONE, BAD_HASH},
        {"impfuzzy", RURU_IOC_NONE, BAD_HASH},
        {"authentihash", RURU_IOC_NONE, BAD_HASH},
        {"vhash", RURU_IOC_NONE, BAD_HASH},
        {"pehash", RURU_IOC_NONE, BAD_HASH},
        {"cdhash", RURU_IOC_NONE, BAD_HASH},
};

/* ---- the import ---------------------------------------------------------------------------- */

/* Actors and techniques linked to indicators, and the tags of the galaxy clusters they came
 * from (a galaxy tag naming a linked cluster adds nothing). Strings are borrowed from the
 * document or from a names arena. */
struct links {
    const char *actors[MAX_LINKS];
    size_t n_actors;
    const char *techniques[MAX_LINKS];
    size_t n_techniques;
    const char *cluster_tags[MAX_CLUSTER_TAGS];
    size_t n_cluster_tags;
    bool overflow; /* a link was dropped at MAX_LINKS */
};

/* What applies to the indicators of one scope (the event, then each attribute). */
struct scope {
    const char *labels[MAX_LABELS];
    size_t n_labels;
    bool labels_overflow;
    const char *tlp; /* most restrictive TLP among this scope's own tags */
    struct links links;
};

struct misp {
    const struct ruru_import_ctx *ctx;
    const char *data;
    size_t len;
    /* The locator, and the path of what is being read (past MAX_PATH only counted). */
    struct ruru_jloc loc;
    struct ruru_jstep path[MAX_PATH];
    size_t depth;
    /* The event being read. */
    const char *event_uuid;
    const char *event_info;
    const char *org;
    int64_t event_ts;
    struct scope ev;
    struct scope at;
    struct ruru_arena ev_names; /* names from the event's galaxy tags, reset per event */
    struct ruru_arena at_names; /* names from an attribute's galaxy tags, reset per attribute */
    /* Scratch. */
    struct ruru_buf raw;     /* the part of a value being read, NUL-terminated */
    struct ruru_buf fanged;  /* ... re-fanged */
    struct ruru_buf canon;   /* ... normalised */
    struct ruru_buf fname;   /* the normalised file name of a filename|hash */
    struct ruru_buf context; /* "port=443", "filename=x.exe" */
    struct ruru_buf ref;     /* "<uuid>#k" */
    struct ruru_buf text;    /* entity name, source_type, country */
    struct ruru_stix_value vals[RURU_STIX_MAX_VALUES]; /* a stix2-pattern's values, unused */
};

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* A string member that is present and not empty, or NULL. */
static const char *nonempty(json_t *o, const char *k)
{
    const char *s = str(o, k);
    return s != NULL && *s != '\0' ? s : NULL;
}

/* MISP writes booleans as JSON booleans; older tools wrote "1"/"0" or 1/0. Anything else is
 * taken as absent. */
static bool flag(json_t *v, bool absent)
{
    const char *s = json_string_value(v);

    if (json_is_boolean(v))
        return json_is_true(v);
    if (json_is_integer(v))
        return json_integer_value(v) != 0;
    if (s != NULL && (strcmp(s, "1") == 0 || ruru_ascii_casecmp(s, "true") == 0))
        return true;
    if (s != NULL && (strcmp(s, "0") == 0 || ruru_ascii_casecmp(s, "false") == 0))
        return false;
    return absent;
}

static void push_key(struct misp *m, const char *key)
{
    if (m->depth < MAX_PATH) {
        m->path[m->depth].key = key;
        m->path[m->depth].index = 0;
    }
    m->depth++;
}

static void push_index(struct misp *m, size_t index)
{
    if (m->depth < MAX_PATH) {
        m->path[m->depth].key = NULL;
        m->path[m->depth].index = index;
    }
    m->depth++;
}

static void pop(struct misp *m)
{
    m->depth--;
}

/* Hands a rejection of the value at the current path to the sink. `reason` is static. */
static enum ruru_err
reject(struct misp *m, const char *object, const char *value, const char *reason)
{
    const struct ruru_intel_sink *s = m->ctx->sink;
    struct ruru_intel_reject r;

    if (s->reject == NULL)
        return RURU_OK;
    memset(&r, 0, sizeof(r));
    if (m->depth <= MAX_PATH)
        ruru_jloc_find(&m->loc, m->path, m->depth, &r.line, &r.col);
    r.object_ref = object;
    r.value = value;
    r.reason = reason;
    return s->reject(s->ctx, &r);
}

/* A member that must be an array when present (null counts as absent): the array, or NULL
 * with a WRONG_TYPE reject (value: the member's name) in *err. */
static json_t *
array_member(struct misp *m, json_t *o, const char *key, const char *object, enum ruru_err *err)
{
    json_t *v = json_object_get(o, key);

    *err = RURU_OK;
    if (v == NULL || json_is_null(v) || json_is_array(v))
        return v;
    push_key(m, key);
    *err = reject(m, object, key, WRONG_TYPE);
    pop(m);
    return NULL;
}

/* Unix seconds of a MISP time: ISO 8601 (to the microsecond, with a zone), or epoch seconds as
 * a number or a string. Epochs past 10^11 (year 5138) are taken as milliseconds, past 10^14 as
 * microseconds, the units MISP keeps internally. 0, null and anything unreadable: none. */
static int64_t time_of(json_t *v)
{
    const char *s = json_string_value(v);
    int64_t t = RURU_TIME_NONE;

    if (json_is_integer(v)) {
        t = json_integer_value(v);
    } else if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d > 0 && d < 9.2e18)
            t = (int64_t)d;
    } else if (s != NULL) {
        size_t n = strlen(s), i = 0;
        uint64_t e = 0;
        /* 18 digits stay below 2^63. */
        while (i < n && i < 18 && ruru_is_digit(s[i]))
            e = e * 10 + (uint64_t)(s[i++] - '0');
        if (n > 0 && i == n)
            t = (int64_t)e;
        else if (!ruru_time_parse(s, n, &t))
            return RURU_TIME_NONE;
        else
            return t;
    }
    if (t == RURU_TIME_NONE || t <= 0)
        return RURU_TIME_NONE;
    if (t >= 100000000000000LL)
        return t / 1000000;
    if (t >= 100000000000LL)
        return t / 1000;
    return t;
}

/* ---- tags and galaxies --------------------------------------------------------------------- */

/* An ATT&CK id: one to three capitals, four digits, optionally ".NNN" (G0065, T1505.003). With
 * `technique`, only T-numbers. */
static bool is_attack_id(const char *s, size_t n, bool technique)
{
    size_t i = 0;

    while (i < n && i < 3 && s[i] >= 'A' && s[i] <= 'Z')
        i++;
    if (i == 0 || (technique && !(i == 1 && s[0] == 'T')))
        return false;
    for (size_t k = 0; k < 4; k++, i++)
        if (i >= n || !ruru_is_digit(s[i]))
            return false;
    if (i == n)
        return true;
    if (n - i != 4 || s[i] != '.')
        return false;
    return ruru_is_digit(s[i + 1]) && ruru_is_digit(s[i + 2]) && ruru_is_digit(s[i + 3]);
}

/* Length of `s` without a final " - <ATT&CK id>" ("Leviathan - G0065"); *id gets the id's
 * offset, or n when there is none. */
static size_t cut_attack_id(const char *s, size_t n, size_t *id)
{
    *id = n;
    for (size_t i = n; i-- > 0;) {
        if (i + 3 <= n && memcmp(s + i, " - ", 3) == 0) {
            if (i > 0 && is_attack_id(s + i + 3, n - i - 3, false)) {
                *id = i + 3;
                return i;
            }
            return n;
        }
    }
    return n;
}

static bool has_link(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

static void add_link(struct links *l, bool actor, const char *s)
{
    const char **v = actor ? l->actors : l->techniques;
    size_t *n = actor ? &l->n_actors : &l->n_techniques;

    if (has_link(v, *n, s))
        return;
    if (*n >= MAX_LINKS) {
        l->overflow = true;
        return;
    }
    v[(*n)++] = s;
}

static bool actor_type(const char *t)
{
    return strstr(t, "threat-actor") != NULL || strstr(t, "intrusion-set") != NULL ||
           strstr(t, "activity-group") != NULL;
}

/* "rat" as a word of a galaxy type ("rat", "android-rat"; not "migration"), as galaxy.c. */
static bool has_rat_word(const char *t)
{
    for (const char *p = t; (p = strstr(p, "rat")) != NULL; p++) {
        bool left = p == t || p[-1] == '-' || p[-1] == '_';
        bool right = p[3] == '\0' || p[3] == '-' || p[3] == '_';
        if (left && right)
            return true;
    }
    return false;
}

/* The entity kind of a galaxy type, or 0 for galaxies the model has no kind for. */
static enum ruru_entity_kind kind_of(const char *t)
{
    if (actor_type(t))
        return RURU_ENTITY_ACTOR;
    if (strstr(t, "attack-pattern") != NULL)
        return RURU_ENTITY_TECHNIQUE;
    if (strstr(t, "malware") != NULL || strstr(t, "malpedia") != NULL ||
        strstr(t, "ransomware") != NULL || has_rat_word(t))
        return RURU_ENTITY_MALWARE;
    if (strstr(t, "tool") != NULL)
        return RURU_ENTITY_TOOL;
    return 0;
}

/* A galaxy tag, misp-galaxy:<type>="<value>": an actor's name (" - G0065" cut off) or a
 * technique's T-number ("Exploit Public-Facing Application - T1190") goes into `l`. */
static enum ruru_err galaxy_tag(struct links *l, struct ruru_arena *names, const char *tag)
{
    const char *type, *val, *eq;
    size_t tlen, vlen, base, id;
    bool actor;
    char tbuf[128];
    char *copy;

    if (strncmp(tag, "misp-galaxy:", 12) != 0 || (eq = strchr(tag, '=')) == NULL)
        return RURU_OK;
    if (has_link(l->cluster_tags, l->n_cluster_tags, tag))
        return RURU_OK;
    type = tag + 12;
    tlen = (size_t)(eq - type);
    /* Galaxy types are short words ("mitre-enterprise-attack-intrusion-set" is 37). */
    if (tlen == 0 || tlen >= sizeof(tbuf))
        return RURU_OK;
    memcpy(tbuf, type, tlen);
    tbuf[tlen] = '\0';
    actor = actor_type(tbuf);
    if (!actor && strstr(tbuf, "attack-pattern") == NULL)
        return RURU_OK;
    val = eq + 1;
    vlen = strlen(val);
    if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
        val++;
        vlen -= 2;
    }
    base = cut_attack_id(val, vlen, &id);
    if (actor) {
        struct ruru_str name = ruru_str_trim(ruru_str_make(val, base));
        if (name.len == 0 || name.len > MAX_NAME_BYTES)
            return RURU_OK;
        copy = ruru_arena_strndup(names, name.ptr, name.len);
    } else {
        /* A technique is linked by its T-number only: ATT&CK names are not unique keys. */
        if (id == vlen || !is_attack_id(val + id, vlen - id, true))
            return RURU_OK;
        copy = ruru_arena_strndup(names, val + id, vlen - id);
    }
    if (copy == NULL)
        return RURU_ENOMEM;
    add_link(l, actor, copy);
    return RURU_OK;
}

/* Adds the tags of `o` to `sc`: labels, TLP and galaxy links. Tags are "Tag"[].name (or plain
 * strings, as some tools write them) and `also`[].Tag.name ("EventTag", "AttributeTag": the
 * join rows some exports carry instead). */
static enum ruru_err read_tags(struct misp *m,
                               json_t *o,
                               const char *also,
                               struct scope *sc,
                               struct ruru_arena *names,
                               const char *ref)
{
    const char *const keys[] = {"Tag", also};
    enum ruru_err err;

    for (size_t k = 0; k < 2; k++) {
        json_t *tags = array_member(m, o, keys[k], ref, &err), *t;
        size_t i;
        if (err != RURU_OK)
            return err;
        json_array_foreach(tags, i, t)
        {
            const char *name = json_string_value(t), *tlp;
            if (name == NULL)
                name = k == 0 ? str(t, "name") : str(json_object_get(t, "Tag"), "name");
            if (name == NULL || *name == '\0') {
                push_key(m, keys[k]);
                push_index(m, i);
                err = reject(m, ref, keys[k], WRONG_TYPE);
                pop(m);
                pop(m);
                if (err != RURU_OK)
                    return err;
                continue;
            }
            if (ruru_str_iprefix(ruru_str_make(name, strlen(name)), "tlp:") &&
                (tlp = ruru_tlp_parse(name, strlen(name))) != NULL &&
                ruru_tlp_rank(tlp) > ruru_tlp_rank(sc->tlp))
                sc->tlp = tlp;
            if (!has_link(sc->labels, sc->n_labels, name)) {
                if (sc->n_labels < MAX_LABELS)
                    sc->labels[sc->n_labels++] = name;
                else
                    sc->labels_overflow = true;
            }
            err = galaxy_tag(&sc->links, names, name);
            if (err != RURU_OK)
                return err;
        }
    }
    return RURU_OK;
}

/* A galaxy meta value: a string, or the first string of a list (MISP writes both). */
static const char *meta_str(json_t *meta, const char *key)
{
    json_t *v = json_object_get(meta, key);

    if (json_is_array(v))
        v = json_array_get(v, 0);
    return json_string_value(v);
}

/* meta.attribution-confidence: 0..100 as a number or a decimal string (or a list of one). */
static int meta_confidence(json_t *meta)
{
    json_t *v = json_object_get(meta, "attribution-confidence");
    const char *s;
    long long c = -1;

    if (json_is_array(v))
        v = json_array_get(v, 0);
    s = json_string_value(v);
    if (json_is_integer(v)) {
        c = json_integer_value(v);
    } else if (json_is_real(v)) {
        double d = json_real_value(v);
        c = d >= 0 && d <= 100 ? (long long)d : -1;
    } else if (s != NULL && *s != '\0' && strlen(s) <= 3) {
        c = 0;
        for (; *s != '\0'; s++) {
            if (!ruru_is_digit(*s))
                return -1;
            c = c * 10 + (*s - '0');
        }
    }
    return c >= 0 && c <= 100 ? (int)c : -1;
}

/* meta.synonyms (a list, or one string) into aliases[], without empty ones, repeats and the
 * name itself (ASCII case ignored); returns how many. */
static size_t cluster_aliases(json_t *meta, const char *name, const char **aliases)
{
    json_t *syn = json_object_get(meta, "synonyms");
    size_t n = 0;

    for (size_t i = 0; i < (json_is_array(syn) ? json_array_size(syn) : 1); i++) {
        const char *al = json_string_value(json_is_array(syn) ? json_array_get(syn, i) : syn);
        bool dup = al == NULL || *al == '\0' || ruru_ascii_casecmp(al, name) == 0;
        for (size_t k = 0; k < n && !dup; k++)
            dup = ruru_ascii_casecmp(aliases[k], al) == 0;
        if (!dup && n < MAX_ALIASES)
            aliases[n++] = al;
    }
    return n;
}

/* An actor's sponsor, country (two letters, upper-cased into country[3]) and confidence. */
static void actor_meta(struct ruru_intel_entity *e, json_t *meta, char country[3])
{
    const char *cc = meta_str(meta, "country");

    e->sponsor = meta_str(meta, "cfr-suspected-state-sponsor");
    if (e->sponsor != NULL && *e->sponsor == '\0')
        e->sponsor = NULL;
    if (cc != NULL && strlen(cc) == 2 && ruru_is_alpha(cc[0]) && ruru_is_alpha(cc[1])) {
        country[0] = (char)(cc[0] & ~0x20);
        country[1] = (char)(cc[1] & ~0x20);
        country[2] = '\0';
        e->country = country;
    }
    e->confidence = meta_confidence(meta);
}

/* One GalaxyCluster: its entity, and its link into `l` (actors by uuid, techniques by ATT&CK
 * id, else by uuid). */
static enum ruru_err
one_cluster(struct misp *m, json_t *c, const char *gtype, struct links *l, const char *ref)
{
    const struct ruru_intel_sink *s = m->ctx->sink;
    const char *aliases[MAX_ALIASES];
    const char *value = nonempty(c, "value"), *uuid = nonempty(c, "uuid"), *type = gtype;
    const char *ext;
    json_t *meta = json_object_get(c, "meta");
    struct ruru_intel_entity e;
    enum ruru_entity_kind kind;
    size_t vlen, id;
    char country[3];
    enum ruru_err err = RURU_OK;

    if (type == NULL)
        type = str(c, "type");
    if (type == NULL || (kind = kind_of(type)) == 0)
        return RURU_OK;
    if (value == NULL || uuid == NULL)
        return reject(m, uuid ? uuid : ref, value, "galaxy cluster without uuid or value");
    vlen = cut_attack_id(value, strlen(value), &id);
    ruru_buf_reset(&m->text);
    ruru_buf_add(&m->text, value, vlen);
    ruru_buf_addc(&m->text, '\0');
    ruru_buf_addf(&m->text, "misp-galaxy:%s", type);
    if (m->text.failed)
        return RURU_ENOMEM;
    ruru_intel_entity_init(&e);
    e.ref = uuid;
    e.kind = kind;
    e.name = m->text.ptr;
    e.source_type = m->text.ptr + vlen + 1;
    ext = meta_str(meta, "external_id");
    e.external_id = ext != NULL && *ext != '\0' ? ext : id < strlen(value) ? value + id : NULL;
    e.description = str(c, "description");
    e.revoked = json_is_true(json_object_get(c, "revoked"));
    e.aliases = aliases;
    e.n_aliases = cluster_aliases(meta, e.name, aliases);
    if (kind == RURU_ENTITY_ACTOR)
        actor_meta(&e, meta, country);
    if (s->entity != NULL)
        err = s->entity(s->ctx, &e);
    if (err != RURU_OK)
        return err;
    if (kind == RURU_ENTITY_ACTOR)
        add_link(l, true, uuid);
    else if (kind == RURU_ENTITY_TECHNIQUE)
        add_link(l, false, ext != NULL && is_attack_id(ext, strlen(ext), true) ? ext : uuid);
    else
        return RURU_OK;
    if (nonempty(c, "tag_name") != NULL && l->n_cluster_tags < MAX_CLUSTER_TAGS)
        l->cluster_tags[l->n_cluster_tags++] = str(c, "tag_name");
    return RURU_OK;
}

/* The "Galaxy" list of an event or an attribute. */
static enum ruru_err read_galaxies(struct misp *m, json_t *o, struct links *l, const char *ref)
{
    enum ruru_err err;
    json_t *gals = array_member(m, o, "Galaxy", ref, &err), *g;
    size_t i;

    if (err != RURU_OK || gals == NULL)
        return err;
    push_key(m, "Galaxy");
    json_array_foreach(gals, i, g)
    {
        json_t *clusters, *c;
        size_t j;
        push_index(m, i);
        if (!json_is_object(g)) {
            err = reject(m, ref, "Galaxy", WRONG_TYPE);
        } else {
            clusters = array_member(m, g, "GalaxyCluster", ref, &err);
            push_key(m, "GalaxyCluster");
            json_array_foreach(clusters, j, c)
            {
                if (err != RURU_OK)
                    break;
                push_index(m, j);
                err = json_is_object(c)
                              ? one_cluster(m, c, str(g, "type"), l, ref)
                              : reject(m, ref, NULL, "galaxy cluster without uuid or value");
                pop(m);
            }
            pop(m);
        }
        pop(m);
        if (err != RURU_OK)
            break;
    }
    pop(m);
    return err;
}

/* ---- attributes ---------------------------------------------------------------------------- */

/* What one attribute's indicators share. */
struct attr {
    const char *uuid;       /* NULL: the store derives refs */
    const char *object_ref; /* the event's uuid */
    const char *rej_ref;    /* what rejects name: the attribute's uuid, else the event's */
    const char *description;
    const char *tlp;
    int64_t first_seen, last_seen, modified;
    bool to_ids;
    const char *actors[2 * MAX_LINKS];
    size_t n_actors;
    const char *techniques[2 * MAX_LINKS];
    size_t n_techniques;
};

/* Copies `n` bytes of a value into m->raw (at most `cap`). */
static enum ruru_err take_raw(struct misp *m, const char *v, size_t n, size_t cap)
{
    ruru_buf_reset(&m->raw);
    if (ruru_buf_add(&m->raw, v, n < cap ? n : cap) != RURU_OK)
        return RURU_ENOMEM;
    return RURU_OK;
}

/* Re-fangs and normalises `n` bytes at `v` as *type into `out`. Returns RURU_OK with *reason
 * NULL on success, with *reason set (m->raw holding the part) when the value is refused, or
 * RURU_ENOMEM. */
static enum ruru_err canon(struct misp *m,
                           enum ruru_ioc_type *type,
                           const char *v,
                           size_t n,
                           struct ruru_buf *out,
                           const char **reason)
{
    *reason = NULL;
    if (n > MAX_VALUE_BYTES) {
        *reason = "value too long";
        return take_raw(m, v, n, REJECT_VALUE_BYTES);
    }
    if (take_raw(m, v, n, n) != RURU_OK)
        return RURU_ENOMEM;
    ruru_buf_reset(&m->fanged);
    if (ruru_ioc_refang(v, n, &m->fanged) != RURU_OK)
        return RURU_ENOMEM;
    if (!ruru_ioc_normalize(type, ruru_buf_str(&m->fanged), m->fanged.len, &m->ctx->norm, out,
                            reason))
        return strcmp(*reason, "out of memory") == 0 ? RURU_ENOMEM : RURU_OK;
    return RURU_OK;
}

static enum ruru_err hand(struct misp *m,
                          const struct attr *at,
                          size_t k,
                          enum ruru_ioc_type type,
                          const char *value,
                          const char *raw,
                          const char *context);

/* Emits part `k` (1-based; 0 when the attribute gives one indicator) of an attribute. */
static enum ruru_err emit(struct misp *m,
                          const struct attr *at,
                          size_t k,
                          enum ruru_ioc_type type,
                          const char *v,
                          size_t n,
                          const char *context)
{
    const char *reason;
    enum ruru_err err = canon(m, &type, v, n, &m->canon, &reason);

    if (err != RURU_OK)
        return err;
    if (reason != NULL)
        return reject(m, at->rej_ref, ruru_buf_str(&m->raw), reason);
    return hand(m, at, k, type, ruru_buf_str(&m->canon), ruru_buf_str(&m->raw), context);
}

/* Hands part `k` of an attribute to the sink: its canonical value and the value as written. */
static enum ruru_err hand(struct misp *m,
                          const struct attr *at,
                          size_t k,
                          enum ruru_ioc_type type,
                          const char *value,
                          const char *raw,
                          const char *context)
{
    const struct ruru_intel_sink *s = m->ctx->sink;
    struct ruru_intel_indicator ind;

    ruru_intel_indicator_init(&ind);
    if (at->uuid != NULL) {
        ruru_buf_reset(&m->ref);
        if (k == 0)
            ruru_buf_adds(&m->ref, at->uuid);
        else
            ruru_buf_addf(&m->ref, "%s#%zu", at->uuid, k);
        if (m->ref.failed)
            return RURU_ENOMEM;
        ind.ref = m->ref.ptr;
    }
    ind.type = type;
    ind.value = value;
    if (strcmp(raw, value) != 0)
        ind.raw = raw;
    ind.context = context;
    ind.object_ref = at->object_ref;
    ind.first_seen = at->first_seen;
    ind.last_seen = at->last_seen;
    ind.modified = at->modified;
    ind.to_ids = at->to_ids;
    ind.tlp = at->tlp;
    ind.description = at->description;
    ind.created_by = m->org;
    ind.labels = m->at.labels;
    ind.n_labels = m->at.n_labels;
    ind.actors = at->actors;
    ind.n_actors = at->n_actors;
    ind.techniques = at->techniques;
    ind.n_techniques = at->n_techniques;
    return s->indicator != NULL ? s->indicator(s->ctx, &ind) : RURU_OK;
}

/* A port: 1 to 5 digits, at most 65535. */
static bool parse_port(const char *s, size_t n, unsigned *port)
{
    unsigned v = 0;

    if (n == 0 || n > 5)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!ruru_is_digit(s[i]))
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *port = v;
    return v <= 65535;
}

/* A link attribute: a relation "reference" from the event to the link as written (trimmed),
 * so that the store keeps it with the event; it is never an indicator. */
static enum ruru_err emit_reference(struct misp *m, const struct attr *at, const char *v, size_t n)
{
    const struct ruru_intel_sink *s = m->ctx->sink;
    struct ruru_intel_relation rel;
    struct ruru_str t = ruru_str_trim(ruru_str_make(v, n));

    if (t.len == 0)
        return reject(m, at->rej_ref, NULL, "empty value");
    if (at->object_ref == NULL || s->relation == NULL)
        return RURU_OK; /* no event to hang it on */
    if (take_raw(m, t.ptr, t.len, MAX_VALUE_BYTES) != RURU_OK)
        return RURU_ENOMEM;
    ruru_intel_relation_init(&rel);
    rel.ref = at->uuid;
    rel.src = at->object_ref;
    rel.type = "reference";
    rel.dst = ruru_buf_str(&m->raw);
    rel.modified = at->modified;
    return s->relation(s->ctx, &rel);
}

/* A stix2-pattern: parsed as the STIX importer parses patterns (a pattern that does not parse
 * is refused with the reason it gives) and kept whole, trimmed, as a stix-pattern indicator:
 * the pattern engine matches a pattern of one value as well as one of many observations. */
static enum ruru_err emit_pattern(struct misp *m, const struct attr *at, const char *v, size_t n)
{
    struct ruru_str t = ruru_str_trim(ruru_str_make(v, n));
    const char *error = NULL;
    size_t n_vals = 0, pos = 0;
    enum ruru_err err;

    if (t.len == 0)
        return reject(m, at->rej_ref, NULL, "empty value");
    if (t.len > MAX_VALUE_BYTES) {
        if (take_raw(m, t.ptr, t.len, REJECT_VALUE_BYTES) != RURU_OK)
            return RURU_ENOMEM;
        return reject(m, at->rej_ref, ruru_buf_str(&m->raw), "value too long");
    }
    err = ruru_stix_split(t.ptr, t.len, m->vals, &n_vals, &m->canon, &error, &pos);
    if (err == RURU_ENOMEM)
        return err;
    if (take_raw(m, t.ptr, t.len, err == RURU_OK ? t.len : REJECT_VALUE_BYTES) != RURU_OK)
        return RURU_ENOMEM;
    if (err != RURU_OK)
        return reject(m, at->rej_ref, ruru_buf_str(&m->raw),
                      error != NULL && (strcmp(error, RURU_STIX_ERR_QUALIFIER_TWICE) == 0 ||
                                        strcmp(error, RURU_STIX_ERR_NOT_A_WINDOW) == 0 ||
                                        strcmp(error, RURU_STIX_ERR_BAD_HASH) == 0 ||
                                        strcmp(error, RURU_STIX_ERR_TOO_MANY_OPS) == 0 ||
                                        strcmp(error, RURU_STIX_ERR_PATH_TOO_LONG) == 0)
                              ? error
                              : "malformed STIX pattern");
    return hand(m, at, 0, RURU_IOC_PATTERN, ruru_buf_str(&m->raw), v, NULL);
}

/* Splits a composite value at its last '|' (no right-hand part contains one). */
static const char *bar_of(const char *v)
{
    return strrchr(v, '|');
}

static enum ruru_err emit_shape(struct misp *m,
                                const struct attr *at,
                                enum shape shape,
                                enum ruru_ioc_type type,
                                const char *v)
{
    size_t n = strlen(v);
    const char *bar = bar_of(v), *reason;
    unsigned port;
    enum ruru_err err;

    if (shape == ONE)
        return emit(m, at, 0, type, v, n, NULL);
    if (shape == REFERENCE)
        return emit_reference(m, at, v, n);
    if (shape == PATTERN)
        return emit_pattern(m, at, v, n);
    if (shape == REG_VALUE)
        bar = strchr(v, '|'); /* registry data may hold a '|', a key name hardly ever */
    if (bar == NULL) {
        if ((err = take_raw(m, v, n, REJECT_VALUE_BYTES)) != RURU_OK)
            return err;
        return reject(m, at->rej_ref, ruru_buf_str(&m->raw), "composite value without '|'");
    }
    switch (shape) {
    case WITH_PORT:
        if (!parse_port(bar + 1, strlen(bar + 1), &port)) {
            if ((err = take_raw(m, v, n, REJECT_VALUE_BYTES)) != RURU_OK)
                return err;
            return reject(m, at->rej_ref, ruru_buf_str(&m->raw), "malformed port");
        }
        ruru_buf_reset(&m->context);
        if (ruru_buf_addf(&m->context, "port=%u", port) != RURU_OK)
            return RURU_ENOMEM;
        return emit(m, at, 0, type, v, (size_t)(bar - v), m->context.ptr);
    case REG_VALUE: {
        /* The data, as written, is what the key held: context for the analyst. */
        size_t dn = strlen(bar + 1);
        ruru_buf_reset(&m->context);
        ruru_buf_adds(&m->context, "data=");
        ruru_buf_add(&m->context, bar + 1, dn < MAX_DATA_CONTEXT ? dn : MAX_DATA_CONTEXT);
        if (m->context.failed)
            return RURU_ENOMEM;
        return emit(m, at, 0, type, v, (size_t)(bar - v), m->context.ptr);
    }
    case DOMAIN_IP:
        err = emit(m, at, 1, RURU_IOC_DOMAIN, v, (size_t)(bar - v), NULL);
        if (err == RURU_OK)
            err = emit(m, at, 2, RURU_IOC_IPV4, bar + 1, strlen(bar + 1), NULL);
        return err;
    case FILE_HASH: {
        /* The name first, for the hash's context; refused, it is rejected as part 2. */
        enum ruru_ioc_type ft = RURU_IOC_FILENAME;
        const char *context = NULL;
        err = canon(m, &ft, v, (size_t)(bar - v), &m->fname, &reason);
        if (err != RURU_OK)
            return err;
        if (reason == NULL) {
            ruru_buf_reset(&m->context);
            if (ruru_buf_addf(&m->context, "filename=%s", ruru_buf_str(&m->fname)) != RURU_OK)
                return RURU_ENOMEM;
            context = m->context.ptr;
        }
        err = emit(m, at, 1, type, bar + 1, strlen(bar + 1), context);
        if (err == RURU_OK)
            err = emit(m, at, 2, RURU_IOC_FILENAME, v, (size_t)(bar - v), NULL);
        return err;
    }
    default:
        return RURU_OK;
    }
}

/* The row of TYPES for `type`, or -1. "filename|<hash kind ruru refuses>" is that kind. */
static int type_row(const char *type)
{
    size_t n = sizeof(TYPES) / sizeof(TYPES[0]);

    for (size_t i = 0; i < n; i++)
        if (strcmp(type, TYPES[i].name) == 0)
            return (int)i;
    if (strncmp(type, "filename|", 9) == 0)
        for (size_t i = 0; i < n; i++)
            if (TYPES[i].shape == BAD_HASH && strcmp(type + 9, TYPES[i].name) == 0)
                return (int)i;
    return -1;
}

/* Merges the event's links and the attribute's own into `at` (event first, no repeats). */
static void merge_links(struct attr *at, const struct links *ev, const struct links *own)
{
    at->n_actors = 0;
    at->n_techniques = 0;
    for (size_t i = 0; i < ev->n_actors; i++)
        at->actors[at->n_actors++] = ev->actors[i];
    for (size_t i = 0; i < ev->n_techniques; i++)
        at->techniques[at->n_techniques++] = ev->techniques[i];
    for (size_t i = 0; i < own->n_actors; i++)
        if (!has_link(at->actors, at->n_actors, own->actors[i]))
            at->actors[at->n_actors++] = own->actors[i];
    for (size_t i = 0; i < own->n_techniques; i++)
        if (!has_link(at->techniques, at->n_techniques, own->techniques[i]))
            at->techniques[at->n_techniques++] = own->techniques[i];
}

/* One attribute (`obj`: the MISP object holding it, or NULL). The caller has pushed its
 * path. */
static enum ruru_err do_attribute(struct misp *m, json_t *a, json_t *obj)
{
    struct attr at;
    const char *type, *value, *own_tlp;
    enum ruru_err err;
    int row;

    memset(&at, 0, sizeof(at));
    at.object_ref = m->event_uuid;
    if (at.object_ref == NULL)
        at.object_ref = nonempty(a, "event_uuid");
    if (at.object_ref == NULL)
        at.object_ref = nonempty(json_object_get(a, "Event"), "uuid");
    if (!json_is_object(a))
        return reject(m, at.object_ref, NULL, "attribute without type or value");
    if (flag(json_object_get(a, "deleted"), false))
        return RURU_OK;
    at.uuid = nonempty(a, "uuid");
    at.rej_ref = at.uuid != NULL ? at.uuid : at.object_ref;
    type = str(a, "type");
    value = str(a, "value");
    if (type == NULL || value == NULL)
        return reject(m, at.rej_ref, NULL, "attribute without type or value");
    row = type_row(type);
    if (row < 0)
        return reject(m, at.rej_ref, type, "unsupported attribute type");
    if (TYPES[row].shape == SKIP)
        return RURU_OK;
    if (TYPES[row].shape == BAD_HASH)
        return reject(m, at.rej_ref, type, "unsupported hash type");

    /* The attribute's own tags and clusters, on top of the event's. */
    ruru_arena_reset(&m->at_names);
    memcpy(m->at.labels, m->ev.labels, m->ev.n_labels * sizeof(m->ev.labels[0]));
    m->at.n_labels = m->ev.n_labels;
    m->at.labels_overflow = false;
    m->at.tlp = NULL;
    memset(&m->at.links, 0, sizeof(m->at.links));
    memcpy(m->at.links.cluster_tags, m->ev.links.cluster_tags,
           m->ev.links.n_cluster_tags * sizeof(m->ev.links.cluster_tags[0]));
    m->at.links.n_cluster_tags = m->ev.links.n_cluster_tags;
    if ((err = read_galaxies(m, a, &m->at.links, at.rej_ref)) != RURU_OK)
        return err;
    if ((err = read_tags(m, a, "AttributeTag", &m->at, &m->at_names, at.rej_ref)) != RURU_OK)
        return err;
    if (m->at.labels_overflow && (err = reject(m, at.rej_ref, NULL, "too many tags")) != RURU_OK)
        return err;
    if (m->at.links.overflow &&
        (err = reject(m, at.rej_ref, NULL, "too many galaxy links")) != RURU_OK)
        return err;
    own_tlp = m->at.tlp;
    at.tlp = own_tlp != NULL ? own_tlp : m->ev.tlp;
    merge_links(&at, &m->ev.links, &m->at.links);

    at.to_ids = flag(json_object_get(a, "to_ids"), true);
    at.first_seen = time_of(json_object_get(a, "first_seen"));
    if (at.first_seen == RURU_TIME_NONE)
        at.first_seen = time_of(json_object_get(obj, "first_seen"));
    at.last_seen = time_of(json_object_get(a, "last_seen"));
    if (at.last_seen == RURU_TIME_NONE)
        at.last_seen = time_of(json_object_get(obj, "last_seen"));
    at.modified = time_of(json_object_get(a, "timestamp"));
    if (at.modified == RURU_TIME_NONE)
        at.modified = time_of(json_object_get(obj, "timestamp"));
    if (at.modified == RURU_TIME_NONE)
        at.modified = m->event_ts;
    at.description = nonempty(a, "comment");
    if (at.description == NULL)
        at.description = m->event_info;
    if (at.description == NULL)
        at.description = nonempty(json_object_get(a, "Event"), "info");
    return emit_shape(m, &at, TYPES[row].shape, TYPES[row].type, value);
}

/* The "Attribute" list of an event or an object. */
static enum ruru_err read_attributes(struct misp *m, json_t *o, json_t *obj, const char *ref)
{
    enum ruru_err err;
    json_t *list = array_member(m, o, "Attribute", ref, &err), *a;
    size_t i;

    if (err != RURU_OK || list == NULL)
        return err;
    push_key(m, "Attribute");
    json_array_foreach(list, i, a)
    {
        push_index(m, i);
        err = do_attribute(m, a, obj);
        pop(m);
        if (err != RURU_OK)
            break;
    }
    pop(m);
    return err;
}

/* ---- events -------------------------------------------------------------------------------- */

/* The caller has pushed the event's path. */
static enum ruru_err do_event(struct misp *m, json_t *ev)
{
    enum ruru_err err;
    json_t *objects, *obj;
    size_t i;

    if (!json_is_object(ev))
        return reject(m, NULL, NULL, "event is not a JSON object");
    m->event_uuid = nonempty(ev, "uuid");
    m->event_info = nonempty(ev, "info");
    m->org = nonempty(json_object_get(ev, "Orgc"), "name");
    if (m->org == NULL)
        m->org = nonempty(json_object_get(ev, "Org"), "name");
    m->event_ts = time_of(json_object_get(ev, "timestamp"));
    memset(&m->ev, 0, sizeof(m->ev));
    ruru_arena_reset(&m->ev_names);
    /* Clusters first: a galaxy tag that names one of them adds nothing to its uuid. */
    if ((err = read_galaxies(m, ev, &m->ev.links, m->event_uuid)) != RURU_OK)
        return err;
    if ((err = read_tags(m, ev, "EventTag", &m->ev, &m->ev_names, m->event_uuid)) != RURU_OK)
        return err;
    if (m->ev.labels_overflow && (err = reject(m, m->event_uuid, NULL, "too many tags")) != RURU_OK)
        return err;
    if (m->ev.links.overflow &&
        (err = reject(m, m->event_uuid, NULL, "too many galaxy links")) != RURU_OK)
        return err;
    if ((err = read_attributes(m, ev, NULL, m->event_uuid)) != RURU_OK)
        return err;
    objects = array_member(m, ev, "Object", m->event_uuid, &err);
    if (err != RURU_OK || objects == NULL)
        return err;
    push_key(m, "Object");
    json_array_foreach(objects, i, obj)
    {
        push_index(m, i);
        if (!json_is_object(obj))
            err = reject(m, m->event_uuid, "Object", WRONG_TYPE);
        else if (!flag(json_object_get(obj, "deleted"), false))
            err = read_attributes(m, obj, obj, m->event_uuid);
        pop(m);
        if (err != RURU_OK)
            break;
    }
    pop(m);
    return err;
}

/* A bare event: it has attributes, or a uuid and an info. */
static bool bare_event(json_t *o)
{
    return json_is_object(o) &&
           (json_object_get(o, "Attribute") != NULL ||
            (json_object_get(o, "uuid") != NULL && json_object_get(o, "info") != NULL));
}

/* One element of a list: {"Event": {...}} or a bare event. */
static enum ruru_err list_element(struct misp *m, json_t *e)
{
    json_t *ev = json_object_get(e, "Event");
    enum ruru_err err;

    if (ev != NULL) {
        push_key(m, "Event");
        err = do_event(m, ev);
        pop(m);
        return err;
    }
    if (bare_event(e))
        return do_event(m, e);
    return reject(m, NULL, NULL,
                  json_is_object(e) ? "not a MISP event" : "event is not a JSON object");
}

static enum ruru_err do_list(struct misp *m, json_t *list)
{
    json_t *e;
    size_t i;
    enum ruru_err err = RURU_OK;

    json_array_foreach(list, i, e)
    {
        push_index(m, i);
        err = list_element(m, e);
        pop(m);
        if (err != RURU_OK)
            break;
    }
    return err;
}

/* A UUID as MISP writes it: 8-4-4-4-12 hex digits. */
static bool is_uuid(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (!ruru_is_xdigit(s[i])) {
            return false;
        }
    }
    return true;
}

/* A feed's manifest.json: event uuid -> summary object ({"info", "Orgc", "timestamp", ...}). */
static bool is_manifest(json_t *root)
{
    const char *k;
    json_t *v;

    if (!json_is_object(root))
        return false;
    json_object_foreach(root, k, v)
    {
        if (!is_uuid(k) || !json_is_object(v))
            return false;
    }
    return true;
}

/* Whether a list holds at least one event (or is empty). */
static bool list_of_events(json_t *list)
{
    json_t *e;
    size_t i;

    json_array_foreach(list, i, e)
    {
        if (json_object_get(e, "Event") != NULL || bare_event(e))
            return true;
    }
    return json_array_size(list) == 0;
}

/* Dispatches on the document's shape; *not_misp is set when it has none of the MISP ones. */
static enum ruru_err do_root(struct misp *m, json_t *root, bool *not_misp)
{
    json_t *v;
    enum ruru_err err = RURU_OK;

    *not_misp = false;
    if ((v = json_object_get(root, "Event")) != NULL) {
        push_key(m, "Event");
        err = do_event(m, v);
        pop(m);
        return err;
    }
    if ((v = json_object_get(root, "response")) != NULL) {
        push_key(m, "response");
        if (json_is_array(v) && list_of_events(v))
            err = do_list(m, v);
        else if (json_object_get(v, "Event") != NULL || bare_event(v))
            err = list_element(m, v);
        else
            *not_misp = true;
        pop(m);
        return err;
    }
    if (json_is_array(root) && list_of_events(root))
        return do_list(m, root);
    if (bare_event(root))
        return do_event(m, root);
    if (is_manifest(root))
        return RURU_OK; /* it names events and carries no indicators */
    *not_misp = true;
    return RURU_OK;
}

enum ruru_err ruru_misp_import(const char *data,
                               size_t len,
                               const struct ruru_import_ctx *ctx,
                               struct ruru_diag *diag)
{
    json_error_t jerr;
    json_t *root = json_loadb(data, len, 0, &jerr);
    struct misp *m;
    enum ruru_err err;
    bool not_misp;

    if (root == NULL) {
        if (json_error_code(&jerr) == json_error_out_of_memory)
            return ruru_diag_set(diag, RURU_ENOMEM, ctx->path, 0, 0, "out of memory");
        return ruru_diag_set(diag, RURU_EPARSE, ctx->path, (uint64_t)jerr.line,
                             (uint64_t)jerr.column, "invalid JSON: %s", jerr.text);
    }
    /* About 20 KB of label and link arrays: on the heap, not the caller's stack. */
    m = ruru_calloc(1, sizeof(*m));
    if (m == NULL) {
        json_decref(root);
        return ruru_diag_set(diag, RURU_ENOMEM, ctx->path, 0, 0, "out of memory");
    }
    m->ctx = ctx;
    m->data = data;
    m->len = len;
    ruru_jloc_init(&m->loc, data, len);
    ruru_arena_init(&m->ev_names, NAME_ARENA_BLOCK, NAME_ARENA_MAX);
    ruru_arena_init(&m->at_names, NAME_ARENA_BLOCK, NAME_ARENA_MAX);
    ruru_buf_init(&m->raw, MAX_VALUE_BYTES + 1);
    ruru_buf_init(&m->fanged, MAX_VALUE_BYTES + 1);
    ruru_buf_init(&m->canon, MAX_CANON_BYTES);
    ruru_buf_init(&m->fname, MAX_CANON_BYTES);
    ruru_buf_init(&m->context, MAX_CANON_BYTES + 16);
    /* A ref is an attribute uuid (any string the document holds) plus "#k". */
    ruru_buf_init(&m->ref, len + 32);
    /* A cluster's name and "misp-galaxy:" + its galaxy's type, two strings of the document. */
    ruru_buf_init(&m->text, 2 * len + 64);
    err = do_root(m, root, &not_misp);
    if (err == RURU_OK && not_misp)
        err = ruru_diag_set(diag, RURU_EPARSE, ctx->path, m->loc.root.line,
                            m->loc.root.off - m->loc.root.line_off + 1, "not a MISP event");
    else if (err == RURU_ENOMEM)
        ruru_diag_set(diag, err, ctx->path, 0, 0, "out of memory");
    ruru_arena_fini(&m->ev_names);
    ruru_arena_fini(&m->at_names);
    ruru_buf_fini(&m->raw);
    ruru_buf_fini(&m->fanged);
    ruru_buf_fini(&m->canon);
    ruru_buf_fini(&m->fname);
    ruru_buf_fini(&m->context);
    ruru_buf_fini(&m->ref);
    ruru_buf_fini(&m->text);
    ruru_free(m);
    json_decref(root);
    return err;
}
