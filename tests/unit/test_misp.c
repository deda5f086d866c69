/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruru_misp_import over events written from the MISP core format (tests/data/misp): every
 * attribute type the importer maps, the pipe and port forms, objects, tags (TLP, taxonomy tags
 * kept as labels), galaxy clusters and galaxy tags linking actors and techniques, deleted
 * attributes and objects, to_ids, first/last seen, the list, REST and feed shapes, and hostile
 * documents (truncated, deeply nested, wrong JSON types, 10 MB values, inputs ending at a
 * PROT_NONE page, failed allocations, a sink that stops the import).
 *
 * The recording sink below turns each call into one line; the tests compare whole lines, in
 * order, so that a changed field, a lost indicator or an extra reject all fail. Reject
 * positions (line:column) were checked by hand against the files.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/time.h"
#include "check.h"
#include "intel/intel.h"

/* ---- the recording sink -------------------------------------------------------------------- */

struct lines {
    char **v;
    size_t n, cap;
};

struct rec {
    struct ruru_intel_sink sink;
    struct lines ind;  /* "<type> <value> ref=... obj=... raw=... ctx=... first=... tlp=..." */
    struct lines more; /* per indicator: "by=... desc=... actors=[...] tech=[...] labels=[...]" */
    struct lines ent;  /* "<kind> <name> ref=... type=... ext=... country=... aliases=[...]" */
    struct lines rej;  /* "<line>:<col> obj=... value=... reason=..." */
    size_t last_rej_value_len;
    size_t n_calls;    /* sink calls so far */
    size_t stop_after; /* 0: never; else the call that returns RURU_ESTOPPED */
};

/* A growable string (plain malloc: allocation failures injected into ruru_malloc must hit the
 * importer, not the test). */
struct sb {
    char *p;
    size_t n, cap;
};

static void sb_add(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sb *b, const char *fmt, ...)
{
    va_list ap;
    int k;

    va_start(ap, fmt);
    k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    if (b->n + (size_t)k + 1 > b->cap) {
        size_t cap = (b->n + (size_t)k + 1) * 2;
        char *p = realloc(b->p, cap);
        if (p == NULL)
            abort();
        b->p = p;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

static void sb_list(struct sb *b, const char *key, const char *const *v, size_t n)
{
    sb_add(b, " %s=[", key);
    for (size_t i = 0; i < n; i++)
        sb_add(b, "%s%s", i ? "|" : "", v[i]);
    sb_add(b, "]");
}

static void lines_push(struct lines *l, struct sb *b)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = realloc(l->v, l->cap * sizeof(l->v[0]));
        if (l->v == NULL)
            abort();
    }
    l->v[l->n++] = b->p ? b->p : strdup("");
    memset(b, 0, sizeof(*b));
}

static enum ruru_err counted(struct rec *r)
{
    r->n_calls++;
    return r->stop_after != 0 && r->n_calls == r->stop_after ? RURU_ESTOPPED : RURU_OK;
}

static enum ruru_err rec_indicator(void *ctx, const struct ruru_intel_indicator *x)
{
    struct rec *r = ctx;
    struct sb b = {0};

    sb_add(&b, "%s %s", ruru_ioc_type_name(x->type), x->value);
    if (x->ref)
        sb_add(&b, " ref=%s", x->ref);
    if (x->object_ref)
        sb_add(&b, " obj=%s", x->object_ref);
    if (x->raw)
        sb_add(&b, " raw=%s", x->raw);
    if (x->context)
        sb_add(&b, " ctx=%s", x->context);
    if (x->line)
        sb_add(&b, " line=%" PRIu64, x->line);
    if (x->confidence >= 0)
        sb_add(&b, " conf=%d", x->confidence);
    if (x->valid_from != RURU_TIME_NONE)
        sb_add(&b, " from=%" PRId64, x->valid_from);
    if (x->valid_until != RURU_TIME_NONE)
        sb_add(&b, " until=%" PRId64, x->valid_until);
    if (x->first_seen != RURU_TIME_NONE)
        sb_add(&b, " first=%" PRId64, x->first_seen);
    if (x->last_seen != RURU_TIME_NONE)
        sb_add(&b, " last=%" PRId64, x->last_seen);
    if (x->modified != RURU_TIME_NONE)
        sb_add(&b, " mod=%" PRId64, x->modified);
    if (x->revoked)
        sb_add(&b, " revoked");
    if (!x->to_ids)
        sb_add(&b, " no-ids");
    if (x->tlp)
        sb_add(&b, " tlp=%s", x->tlp);
    lines_push(&r->ind, &b);
    sb_add(&b, "by=%s desc=%s", x->created_by ? x->created_by : "-",
           x->description ? x->description : "-");
    sb_list(&b, "actors", x->actors, x->n_actors);
    sb_list(&b, "tech", x->techniques, x->n_techniques);
    sb_list(&b, "labels", x->labels, x->n_labels);
    lines_push(&r->more, &b);
    return counted(r);
}

static enum ruru_err rec_entity(void *ctx, const struct ruru_intel_entity *x)
{
    static const char *const kinds[] = {"?",    "actor",     "campaign", "malware",
                                        "tool", "technique", "identity"};
    struct rec *r = ctx;
    struct sb b = {0};

    sb_add(&b, "%s %s ref=%s type=%s", kinds[x->kind <= 6 ? x->kind : 0], x->name, x->ref,
           x->source_type ? x->source_type : "-");
    if (x->external_id)
        sb_add(&b, " ext=%s", x->external_id);
    if (x->country)
        sb_add(&b, " country=%s", x->country);
    if (x->sponsor)
        sb_add(&b, " sponsor=%s", x->sponsor);
    if (x->confidence >= 0)
        sb_add(&b, " conf=%d", x->confidence);
    if (x->modified != RURU_TIME_NONE)
        sb_add(&b, " mod=%" PRId64, x->modified);
    if (x->revoked)
        sb_add(&b, " revoked");
    if (x->n_aliases)
        sb_list(&b, "aliases", x->aliases, x->n_aliases);
    if (x->description)
        sb_add(&b, " desc=%s", x->description);
    lines_push(&r->ent, &b);
    return counted(r);
}

static enum ruru_err rec_relation(void *ctx, const struct ruru_intel_relation *x)
{
    (void)x;
    return counted(ctx);
}

static enum ruru_err rec_reject(void *ctx, const struct ruru_intel_reject *x)
{
    struct rec *r = ctx;
    struct sb b = {0};

    sb_add(&b, "%" PRIu64 ":%" PRIu64 " obj=%s value=%.80s reason=%s", x->line, x->col,
           x->object_ref ? x->object_ref : "-", x->value ? x->value : "-", x->reason);
    r->last_rej_value_len = x->value ? strlen(x->value) : 0;
    lines_push(&r->rej, &b);
    return counted(r);
}

static void rec_init(struct rec *r)
{
    memset(r, 0, sizeof(*r));
    r->sink.ctx = r;
    r->sink.indicator = rec_indicator;
    r->sink.entity = rec_entity;
    r->sink.relation = rec_relation;
    r->sink.reject = rec_reject;
}

static void lines_free(struct lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static void rec_free(struct rec *r)
{
    lines_free(&r->ind);
    lines_free(&r->more);
    lines_free(&r->ent);
    lines_free(&r->rej);
}

/* The line at `i`, or "(none)". */
static const char *at(const struct lines *l, size_t i)
{
    return i < l->n ? l->v[i] : "(none)";
}

/* Compares a whole list, line by line, then its length. */
static void check_lines(const struct lines *l, const char *const *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        CHECK_STR(at(l, i), want[i]);
    CHECK_INT(l->n, n);
}

#define CHECK_LINES(l, want) check_lines((l), (want), sizeof(want) / sizeof((want)[0]))

/* ---- running the importer ------------------------------------------------------------------ */

static enum ruru_err run(const char *data, size_t len, struct rec *r, struct ruru_diag *d)
{
    struct ruru_import_ctx ctx;

    memset(&ctx, 0, sizeof(ctx));
    ctx.path = "test.json";
    ctx.sink = &r->sink;
    memset(d, 0, sizeof(*d));
    return ruru_misp_import(data, len, &ctx, d);
}

static enum ruru_err runs(const char *s, struct rec *r, struct ruru_diag *d)
{
    rec_init(r);
    return run(s, strlen(s), r, d);
}

static char *slurp(const char *name, size_t *len)
{
    char path[512];
    FILE *f;
    char *buf = NULL;
    long n;

    snprintf(path, sizeof(path), "%s/misp/%s", RURU_OWN_DATA, name);
    f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

static enum ruru_err run_file(const char *name, struct rec *r, struct ruru_diag *d)
{
    size_t len = 0;
    char *data = slurp(name, &len);
    enum ruru_err err;

    CHECK(data != NULL);
    rec_init(r);
    err = run(data ? data : "", data ? len : 0, r, d);
    free(data);
    return err;
}

/* Runs the importer on a copy of the input that ends where a PROT_NONE page begins, so that
 * reading one byte past the end faults in every build. */
static enum ruru_err run_guarded(const char *data, size_t len, struct rec *r, struct ruru_diag *d)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t span = (len + page - 1) / page * page;
    char *map = mmap(NULL, span + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    enum ruru_err err;

    if (map == MAP_FAILED)
        return RURU_EIO;
    if (mprotect(map + span, page, PROT_NONE) != 0) {
        munmap(map, span + page);
        return RURU_EIO;
    }
    memcpy(map + span - len, data, len);
    rec_init(r);
    err = run(map + span - len, len, r, d);
    munmap(map, span + page);
    return err;
}

/* ---- event.json: every attribute type ------------------------------------------------------ */

#define EV        "11111111-1111-4111-8111-111111111111"
#define A(n)      "a0000000-0000-4000-8000-0000000000" #n
#define O         " obj=" EV
#define LEVIATHAN "7113eaa5-ba79-4fb3-b68a-398ee9cd698e"
#define APT40     "5b4b6980-3bc7-11e8-84d6-879aaac37dd9"
#define MD5       "d41d8cd98f00b204e9800998ecf8427e"
#define SHA1      "da39a3ee5e6b4b0d3255bfef95601890afd80709"
#define SHA256    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA512                                                                                    \
    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877" \
    "eec2f63b931bd47417a81a538327af927da3e"
/* What every attribute of the event shares: the event's timestamp and TLP. */
#define T " mod=1720483200 tlp=green"
#define EV_LABELS                                                                                \
    "tlp:green|misp:confidence-level=\"usually-confident\"|admiralty-scale:source-reliability="  \
    "\"b\"|estimative-language:likelihood-probability=\"very-likely\"|misp-galaxy:threat-actor=" \
    "\"APT40\"|misp-galaxy:mitre-intrusion-set=\"Leviathan - G0065\"|misp-galaxy:mitre-"         \
    "enterprise-attack-intrusion-set=\"APT40 - "                                                 \
    "G0065\"|misp-galaxy:mitre-attack-pattern=\"Exploit "                                        \
    "Public-Facing Application - T1190\"|misp-galaxy:mitre-attack-pattern=\"Server Software "    \
    "Component - T1505\""
#define EV_ACTORS LEVIATHAN "|" APT40 "|APT40"
#define EV_TECH   "T1190|T1505.003|T1505"
#define EV_MORE                                                                       \
    "by=Test CERT desc=Exchange web-shell intrusions (test event) actors=[" EV_ACTORS \
    "] tech=[" EV_TECH "] labels=[" EV_LABELS "]"

static void test_event(void)
{
    static const char *const want_ind[] = {
            "ipv4 198.51.100.1 ref=" A(01) O " mod=1720483201 tlp=green",
            "ipv6 2001:db8::2 ref=" A(02) O " raw=2001:DB8:0:0::2" T,
            "cidr4 203.0.113.0/24 ref=" A(03) O
            " first=1717200000 last=1719792000 mod=1720483200 no-ids tlp=green",
            "ipv4 192.0.2.4 ref=" A(04) O " raw=192.0.2.4/32" T,
            "ipv4 198.51.100.5 ref=" A(05) O " ctx=port=443 mod=1720483200 tlp=amber",
            "ipv6 2001:db8::6 ref=" A(06) O " raw=[2001:db8::6] ctx=port=8080" T,
            "domain mail.evil.example ref=" A(07) O " ctx=port=25" T,
            "domain evil.example ref=" A(08) O " raw=evil[.]example" T,
            "domain mail2.evil.example ref=" A(09) O " raw=Mail2.Evil.Example." T,
            "domain c2.evil.example ref=" A(10) "#1" O T,
            "ipv4 198.51.100.10 ref=" A(10) "#2" O T,
            /* part 1 ("co.uk") is refused; the address keeps its number */
            "ipv4 198.51.100.11 ref=" A(11) "#2" O T,
            "url https://evil.example/gate.php?id=1 ref=" A(12) O
            " raw=hxxps://evil[.]example/gate.php?id=1" T,
            "uri-path /owa/auth/x.aspx ref=" A(13) O T,
            "email phish@evil.example ref=" A(14) O T,
            "email Sender@evil.example ref=" A(15) O " raw=Sender@Evil.Example" T,
            "email victim@corp.example ref=" A(16) O T,
            "md5 " MD5 " ref=" A(17) O " raw=D41D8CD98F00B204E9800998ECF8427E" T,
            "sha1 " SHA1 " ref=" A(18) O T,
            "sha256 " SHA256 " ref=" A(19) O T,
            "sha512 " SHA512 " ref=" A(20) O T,
            "md5 " MD5 " ref=" A(21) "#1" O " ctx=filename=a.exe" T,
            "filename a.exe ref=" A(21) "#2" O T,
            "sha1 " SHA1 " ref=" A(22) "#1" O " ctx=filename=b.dll" T,
            "filename b.dll ref=" A(22) "#2" O T,
            "sha256 " SHA256 " ref=" A(23) "#1" O " ctx=filename=error3.aspx" T,
            "filename error3.aspx ref=" A(23) "#2" O T,
            "sha512 " SHA512 " ref=" A(24) "#1" O " ctx=filename=c.bin" T,
            "filename c.bin ref=" A(24) "#2" O T,
            "filename svchost32.exe ref=" A(25) O T,
            "user-agent Mozilla/5.0 (compatible; ExchangeScanner/1.0) ref=" A(26) O T,
            "asn AS64496 ref=" A(27) O " raw=64496" T,
            "ja3 e7d705a3286e19ea42f587b344ee6865 ref=" A(28) O
            " raw=E7D705A3286E19EA42F587B344EE6865" T,
            "x509-md5 " MD5 " ref=" A(29) O
            " raw=D4:1D:8C:D9:8F:00:B2:04:E9:80:09:98:EC:F8:42:7E" T,
            "x509-sha1 " SHA1 " ref=" A(30) O T,
            "x509-sha256 " SHA256 " ref=" A(31) O T,
            /* 32 link: a reference (relation); 33 target-email: skipped */
            "regkey HKEY_LOCAL_MACHINE\\software\\microsoft\\windows\\currentversion\\run\\upd "
            "ref=" A(34) O " raw=HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\upd" T,
            "mutex Global\\x1 ref=" A(35) O T,
            /* 36..54 rejected; 48 deleted */
            "ipv4 198.51.100.55 ref=" A(55) O " mod=1720483200 tlp=red",
            "url http://evil.example/b ref=" A(56) O
            " first=1717200000 last=1719792000 mod=1720483200 no-ids tlp=green",
            "domain nouuid.example" O T,
            "ipv4 198.51.100.58 ref=" A(58) O T,
            /* object 0 (file): first_seen and timestamp from the object unless its own */
            "filename error4.aspx ref=a0000000-0000-4000-8000-000000000101" O
            " first=1718409600 mod=1720000000 tlp=green",
            "sha256 9a4b8e3d2c1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d "
            "ref=a0000000-0000-4000-8000-000000000102" O
            " raw=9A4B8E3D2C1F0E9D8C7B6A5F4E3D2C1B0A9F8E7D6C5B4A3F2E1D0C9B8A7F6E5D"
            " first=1718841600 mod=1720000001 tlp=green",
            /* object 1 is deleted; object 2 (domain-ip) */
            "domain objdomain.example ref=a0000000-0000-4000-8000-000000000105" O T,
            "ipv4 198.51.100.60 ref=a0000000-0000-4000-8000-000000000106" O T,
    };
    static const char *const want_rej[] = {
            "19:508 obj=" EV " value=No uuid reason=galaxy cluster without uuid or value",
            "36:5 obj=" A(11) " value=co.uk reason=public suffix",
            "61:5 obj=" A(36) " value=yara reason=unsupported attribute type",
            "62:5 obj=" A(37) " value=sigma reason=unsupported attribute type",
            "63:5 obj=" A(38) " value=snort reason=unsupported attribute type",
            "64:5 obj=" A(39) " value=text reason=unsupported attribute type",
            "65:5 obj=" A(40) " value=comment reason=unsupported attribute type",
            "66:5 obj=" A(41) " value=other reason=unsupported attribute type",
            "67:5 obj=" A(42) " value=jarm-fingerprint reason=unsupported attribute type",
            "68:5 obj=" A(43) " value=sha224 reason=unsupported hash type",
            "69:5 obj=" A(44) " value=ssdeep reason=unsupported hash type",
            "70:5 obj=" A(45) " value=imphash reason=unsupported hash type",
            "71:5 obj=" A(46) " value=tlsh reason=unsupported hash type",
            "72:5 obj=" A(47) " value=filename|ssdeep reason=unsupported hash type",
            "74:5 obj=" A(49) " value=xyz reason=malformed hash",
            "75:5 obj=" A(50) " value=co.nz reason=public suffix",
            "76:5 obj=" A(51) " value=- reason=attribute without type or value",
            "77:5 obj=" A(52) " value=198.51.100.52|99999 reason=malformed port",
            "78:5 obj=" A(53) " value=198.51.100.53 reason=composite value without '|'",
            "79:5 obj=" A(54) " value=evil.example reason=malformed IPv4 address",
            ("89:7 obj=a0000000-0000-4000-8000-000000000103 value=size-in-bytes "
             "reason=unsupported attribute type"),
    };
    static const char *const want_ent[] = {
            "actor Leviathan ref=" LEVIATHAN " type=misp-galaxy:mitre-intrusion-set ext=G0065 "
            "aliases=[APT40|TEMP.Periscope] desc=Leviathan is a cyber espionage group.",
            "actor APT40 ref=" APT40 " type=misp-galaxy:threat-actor country=CN sponsor=China "
            "conf=50 aliases=[BRONZE MOHAWK|GADOLINIUM|Kryptonite Panda] desc=APT40 is a Chinese "
            "state-sponsored cyber espionage actor.",
            "technique Exploit Public-Facing Application ref=3f886f2a-874f-4333-b794-aa6075009b1c "
            "type=misp-galaxy:mitre-attack-pattern ext=T1190",
            "technique Web Shell ref=5d0d3609-d06d-49e1-b9c9-b544e0c618cb "
            "type=misp-galaxy:mitre-attack-pattern ext=T1505.003",
            "malware China Chopper ref=d0000000-0000-4000-8000-000000000001 "
            "type=misp-galaxy:malpedia aliases=[Chopper]",
            "tool Mimikatz ref=afc079f3-c0ea-4096-b75d-3f05338b7f60 type=misp-galaxy:mitre-tool "
            "ext=S0002",
            /* the attribute-level cluster of attribute 58 */
            "actor Sea Turtle ref=c0000000-0000-4000-8000-000000000058 "
            "type=misp-galaxy:threat-actor "
            "country=TR aliases=[Teal Kurma|SILICON]",
    };
    struct rec r;
    struct ruru_diag d;
    size_t n_default = 0;

    CHECK_INT(run_file("event.json", &r, &d), RURU_OK);
    CHECK_LINES(&r.ind, want_ind);
    CHECK_LINES(&r.rej, want_rej);
    CHECK_LINES(&r.ent, want_ent);
    /* Labels (confidence and admiralty taxonomies verbatim, never a number), links, author and
     * description: the event's for all but four. */
    for (size_t i = 0; i < r.more.n; i++)
        n_default += strcmp(r.more.v[i], EV_MORE) == 0;
    CHECK_INT(n_default, r.ind.n - 4);
    CHECK_STR(at(&r.more, 4),
              "by=Test CERT desc=Exchange web-shell intrusions (test event) actors=[" EV_ACTORS
              "] tech=[" EV_TECH "] labels=[" EV_LABELS "|tlp:amber]");
    CHECK_STR(at(&r.more, 7), "by=Test CERT desc=C2 domain actors=[" EV_ACTORS "] tech=[" EV_TECH
                              "] labels=[" EV_LABELS "]");
    /* Attribute 55: a galaxy tag adds its actor by name; tlp:clear and tlp:red, red wins. */
    CHECK_STR(at(&r.more, 38),
              "by=Test CERT desc=Exchange web-shell intrusions (test event) actors=[" EV_ACTORS
              "|GADOLINIUM] tech=[" EV_TECH "] labels=[" EV_LABELS
              "|misp-galaxy:microsoft-activity-group=\"GADOLINIUM\"|tlp:clear|tlp:red]");
    /* Attribute 58: its own cluster, linked by uuid; the cluster's tag adds no name. */
    CHECK_STR(at(&r.more, 41),
              "by=Test CERT desc=Exchange web-shell intrusions (test event) actors=[" EV_ACTORS
              "|c0000000-0000-4000-8000-000000000058] tech=[" EV_TECH "] labels=[" EV_LABELS
              "|misp-galaxy:threat-actor=\"Sea Turtle\"]");
    rec_free(&r);
}

/* ---- the other shapes ---------------------------------------------------------------------- */

static void test_list(void)
{
    static const char *const want_ind[] = {
            "email hr@phish.example ref=a2000000-0000-4000-8000-000000000001 "
            "obj=22222222-2222-4222-8222-000000000001 mod=1720000000 tlp=amber",
            "url http://phish.example/login ref=a2000000-0000-4000-8000-000000000003 "
            "obj=22222222-2222-4222-8222-000000000002 tlp=amber+strict",
    };
    static const char *const want_more[] = {
            "by=Partner A desc=Phishing wave one actors=[] tech=[] labels=[tlp:amber|tlp:green]",
            /* Org when there is no Orgc; EventTag rows; nothing left over from event one */
            "by=Partner B desc=Phishing wave two actors=[] tech=[] labels=[TLP:AMBER+STRICT]",
    };
    static const char *const want_rej[] = {
            ("5:28 obj=a2000000-0000-4000-8000-000000000002 value=sigma reason=unsupported "
             "attribute type"),
            "10:18 obj=a2000000-0000-4000-8000-000000000004 value=not-a-hash reason=malformed hash",
            "11:3 obj=- value=- reason=not a MISP event",
            "12:3 obj=- value=- reason=event is not a JSON object",
    };
    struct rec r;
    struct ruru_diag d;

    CHECK_INT(run_file("list.json", &r, &d), RURU_OK);
    CHECK_LINES(&r.ind, want_ind);
    CHECK_LINES(&r.more, want_more);
    CHECK_LINES(&r.rej, want_rej);
    rec_free(&r);
}

static void test_rest(void)
{
    static const char *const want_rest[] = {
            "ipv4 192.0.2.33 ref=a3000000-0000-4000-8000-000000000001 "
            "obj=33333333-3333-4333-8333-000000000001 mod=1720483300 tlp=clear",
    };
    static const char *const want_attr[] = {
            "domain attr-search.example ref=a4000000-0000-4000-8000-000000000001 "
            "obj=44444444-4444-4444-8444-000000000001 mod=1720483400 tlp=green",
    };
    static const char *const want_attr_rej[] = {
            "6:3 obj=a4000000-0000-4000-8000-000000000002 value=cookie reason=unsupported "
            "attribute type",
    };
    struct rec r;
    struct ruru_diag d;

    CHECK_INT(run_file("rest.json", &r, &d), RURU_OK);
    CHECK_LINES(&r.ind, want_rest);
    CHECK_STR(at(&r.more, 0),
              "by=CIRCL desc=REST search result actors=[] tech=[] labels=[tlp:white]");
    CHECK_INT(r.rej.n + r.ent.n, 0);
    rec_free(&r);
    /* /attributes/restSearch: attributes carry their event. */
    CHECK_INT(run_file("rest-attributes.json", &r, &d), RURU_OK);
    CHECK_LINES(&r.ind, want_attr);
    CHECK_STR(at(&r.more, 0),
              "by=- desc=Found by attribute search actors=[] tech=[] labels=[tlp:green]");
    CHECK_LINES(&r.rej, want_attr_rej);
    rec_free(&r);
}

static void test_feed(void)
{
    static const char *const want_one[] = {
            "url http://feed-one.example/x ref=f1000000-0000-4000-8000-000000000001 "
            "obj=5f1c2d3e-0000-4000-8000-000000000001 mod=1719792000 tlp=clear",
            "ipv4 192.0.2.101 ref=f1000000-0000-4000-8000-000000000002 "
            "obj=5f1c2d3e-0000-4000-8000-000000000001 mod=1719792000 tlp=clear",
    };
    static const char *const want_two[] = {
            "sha1 " SHA1 " ref=f2000000-0000-4000-8000-000000000001 "
            "obj=5f1c2d3e-0000-4000-8000-000000000002 mod=1719878400",
            "filename dropper.js ref=f2000000-0000-4000-8000-000000000002 "
            "obj=5f1c2d3e-0000-4000-8000-000000000002 mod=1719878400 no-ids",
    };
    struct rec r;
    struct ruru_diag d;

    /* The manifest names events and carries no indicators. */
    CHECK_INT(run_file("feed/manifest.json", &r, &d), RURU_OK);
    CHECK_INT(r.n_calls, 0);
    rec_free(&r);
    CHECK_INT(run_file("feed/5f1c2d3e-0000-4000-8000-000000000001.json", &r, &d), RURU_OK);
    CHECK_LINES(&r.ind, want_one);
    CHECK_STR(at(&r.more, 1),
              "by=Feed Org desc=Feed event one actors=[] tech=[] labels=[tlp:white]");
    CHECK_INT(r.rej.n, 0);
    rec_free(&r);
    CHECK_INT(run_file("feed/5f1c2d3e-0000-4000-8000-000000000002.json", &r, &d), RURU_OK);
    CHECK_LINES(&r.ind, want_two);
    CHECK_INT(r.rej.n, 0);
    rec_free(&r);
    /* hashes.csv sits in a feed too; it is not a MISP event. */
    CHECK_INT(run_file("feed/hashes.csv", &r, &d), RURU_EPARSE);
    CHECK_INT(d.line, 1);
    rec_free(&r);
}

/* Document shapes given inline: what is accepted, what is "not a MISP event". */
static void test_shapes(void)
{
    static const struct {
        const char *doc;
        enum ruru_err err;
        size_t n_ind, n_rej;
        const char *first; /* the first indicator, reject or diag message */
    } cases[] = {
            {"{\"uuid\": \"E\", \"info\": \"bare\", \"Attribute\": [{\"type\": \"domain\", "
             "\"value\": \"bare.example\"}]}",
             RURU_OK, 1, 0, "domain bare.example obj=E"},
            {"{\"Attribute\": [{\"type\": \"ip-dst\", \"value\": \"192.0.2.7\"}]}", RURU_OK, 1, 0,
             "ipv4 192.0.2.7"},
            {"{\"Event\": {\"uuid\": \"E\", \"info\": \"no attributes\"}}", RURU_OK, 0, 0, NULL},
            {"{\"Event\": 5}", RURU_OK, 0, 1,
             "1:11 obj=- value=- reason=event is not a JSON object"},
            {"[]", RURU_OK, 0, 0, NULL},
            {"{\"response\": []}", RURU_OK, 0, 0, NULL},
            {"{\"response\": {\"Event\": {\"Attribute\": [{\"type\": \"AS\", \"value\": "
             "\"AS13335\"}]}}}",
             RURU_OK, 1, 0, "asn AS13335"},
            {"{}", RURU_OK, 0, 0, NULL}, /* an empty feed manifest */
            {"{\"hello\": \"world\"}", RURU_EPARSE, 0, 0, "not a MISP event"},
            {"[1, 2, 3]", RURU_EPARSE, 0, 0, "not a MISP event"},
            {"{\"response\": \"error\"}", RURU_EPARSE, 0, 0, "not a MISP event"},
            {"{\"response\": {\"name\": \"x\"}}", RURU_EPARSE, 0, 0, "not a MISP event"},
            {"{\"type\": \"bundle\", \"objects\": []}", RURU_EPARSE, 0, 0, "not a MISP event"},
            {"{\"5f1c2d3e-0000-4000-8000-000000000001\": {\"info\": \"x\"}, \"x\": {}}",
             RURU_EPARSE, 0, 0, "not a MISP event"},
            {"{\"5f1c2d3e-0000-4000-8000-000000000001\": \"x\"}", RURU_EPARSE, 0, 0,
             "not a MISP event"},
            {"5", RURU_EPARSE, 0, 0, NULL},
            {"", RURU_EPARSE, 0, 0, NULL},
    };
    struct rec r;
    struct ruru_diag d;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum ruru_err err = runs(cases[i].doc, &r, &d);
        CHECK_INT(err, cases[i].err);
        CHECK_INT(r.ind.n, cases[i].n_ind);
        CHECK_INT(r.rej.n, cases[i].n_rej);
        if (cases[i].first != NULL && err != RURU_OK)
            CHECK_STR(d.msg, cases[i].first);
        else if (cases[i].first != NULL && r.ind.n > 0)
            CHECK_STR(at(&r.ind, 0), cases[i].first);
        else if (cases[i].first != NULL)
            CHECK_STR(at(&r.rej, 0), cases[i].first);
        if (err == RURU_EPARSE)
            CHECK_STR(d.source, "test.json");
        rec_free(&r);
    }
    /* "Not a MISP event" points at the document's first value. */
    CHECK_INT(runs("\n\n  {\"x\": 1}", &r, &d), RURU_EPARSE);
    CHECK_INT(d.line, 3);
    CHECK_INT(d.col, 3);
    rec_free(&r);
}

/* ---- mapping details given inline ----------------------------------------------------------- */

/* Imports one ip-dst attribute with `attr_extra` members in an event with `event_extra` members
 * and compares the indicator line with `want` and, unless NULL, its "more" line with
 * `want_more`. */
static void
one(const char *event_extra, const char *attr_extra, const char *want, const char *want_more)
{
    char doc[4096];
    struct rec r;
    struct ruru_diag d;

    snprintf(doc, sizeof(doc),
             "{\"Event\": {\"uuid\": \"E\"%s, \"Attribute\": [{\"uuid\": \"U\", \"type\": "
             "\"ip-dst\", \"value\": \"192.0.2.1\"%s}]}}",
             event_extra, attr_extra);
    CHECK_INT(runs(doc, &r, &d), RURU_OK);
    CHECK_STR(at(&r.ind, 0), want);
    if (want_more != NULL)
        CHECK_STR(at(&r.more, 0), want_more);
    CHECK_INT(r.ind.n, 1);
    rec_free(&r);
}

#define I "ipv4 192.0.2.1 ref=U obj=E"

static void test_times(void)
{
    static const struct {
        const char *attr;
        const char *want;
    } cases[] = {
            {", \"first_seen\": \"2024-06-01T00:00:00.123456+00:00\"", I " first=1717200000"},
            {", \"first_seen\": \"2024-06-01T02:00:00.5+02:00\"", I " first=1717200000"},
            {", \"first_seen\": \"2024-06-01\"", I " first=1717200000"},
            {", \"first_seen\": \"1717200000\"", I " first=1717200000"},
            {", \"first_seen\": 1717200000", I " first=1717200000"},
            {", \"first_seen\": 1717200000.75", I " first=1717200000"},
            {", \"first_seen\": \"1717200000123\"", I " first=1717200000"}, /* ms */
            {", \"first_seen\": 1717200000123456", I " first=1717200000"},  /* µs */
            {", \"last_seen\": \"2024-07-01T00:00:00Z\"", I " last=1719792000"},
            {", \"first_seen\": null, \"last_seen\": null", I},
            {", \"first_seen\": \"0\", \"last_seen\": 0", I},
            {", \"first_seen\": \"yesterday\", \"last_seen\": true", I},
            {", \"first_seen\": \"99999999999999999999999\"", I},
            {", \"timestamp\": \"1720483200\"", I " mod=1720483200"},
            {", \"to_ids\": false", I " no-ids"},
            {", \"to_ids\": 0", I " no-ids"},
            {", \"to_ids\": \"0\"", I " no-ids"},
            {", \"to_ids\": \"false\"", I " no-ids"},
            {", \"to_ids\": \"maybe\"", I},
            {", \"to_ids\": true", I},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        one("", cases[i].attr, cases[i].want, NULL);
    /* The event's timestamp when the attribute has none; the attribute's wins. */
    one(", \"timestamp\": \"1700000000\"", "", I " mod=1700000000", NULL);
    one(", \"timestamp\": \"1700000000\"", ", \"timestamp\": \"1700000001\"", I " mod=1700000001",
        NULL);
}

/* A stix2-pattern is checked as the STIX importer checks patterns and kept whole (trimmed). */
static void test_stix2_pattern(void)
{
    static const char *const ok =
            "{\"Event\": {\"uuid\": \"E\", \"Attribute\": [{\"uuid\": \"U\", \"type\": "
            "\"stix2-pattern\", \"value\": \" [network-traffic:dst_port = 443] FOLLOWEDBY "
            "[file:name = 'x.aspx'] WITHIN 60 SECONDS \"}, {\"uuid\": \"V\", \"type\": "
            "\"stix2-pattern\", \"value\": \"[domain-name:value = 'evil.example']\", "
            "\"to_ids\": false}]}}";
    static const char *const bad =
            "{\"Event\": {\"uuid\": \"E\", \"Attribute\": [{\"uuid\": \"U\", \"type\": "
            "\"stix2-pattern\", \"value\": \"[file:name = 'x'\"}, {\"uuid\": \"V\", "
            "\"type\": \"stix2-pattern\", \"value\": \"[file:name = 'x'] REPEATS 2 TIMES "
            "REPEATS 3 TIMES\"}, {\"uuid\": \"W\", \"type\": \"stix2-pattern\", "
            "\"value\": \"  \"}]}}";
    struct rec r;
    struct ruru_diag d;

    CHECK_INT(runs(ok, &r, &d), RURU_OK);
    CHECK_INT(r.ind.n, 2);
    CHECK_STR(at(&r.ind, 0), "stix-pattern [network-traffic:dst_port = 443] FOLLOWEDBY "
                             "[file:name = 'x.aspx'] WITHIN 60 SECONDS ref=U obj=E raw= "
                             "[network-traffic:dst_port = 443] FOLLOWEDBY [file:name = 'x.aspx'] "
                             "WITHIN 60 SECONDS ");
    CHECK_STR(at(&r.ind, 1),
              "stix-pattern [domain-name:value = 'evil.example'] ref=V obj=E no-ids");
    CHECK_INT(r.rej.n, 0);
    rec_free(&r);
    CHECK_INT(runs(bad, &r, &d), RURU_OK);
    CHECK_INT(r.ind.n, 0);
    CHECK_STR(at(&r.rej, 0), "1:39 obj=U value=[file:name = 'x' reason=malformed STIX pattern");
    CHECK_STR(at(&r.rej, 1), "1:108 obj=V value=[file:name = 'x'] REPEATS 2 TIMES REPEATS 3 TIMES "
                             "reason=STIX pattern repeats a qualifier");
    CHECK_STR(at(&r.rej, 2), "1:210 obj=W value=- reason=empty value");
    CHECK_INT(r.rej.n, 3);
    rec_free(&r);
}

static void test_tags(void)
{
    /* TLP: the most restrictive tag of a scope; the attribute's own over the event's. */
    one(", \"Tag\": [{\"name\": \"tlp:green\"}, {\"name\": \"tlp:red\"}]", "", I " tlp=red", NULL);
    one(", \"Tag\": [{\"name\": \"tlp:red\"}]", ", \"Tag\": [{\"name\": \"tlp:green\"}]",
        I " tlp=green", "by=- desc=- actors=[] tech=[] labels=[tlp:red|tlp:green]");
    one(", \"Tag\": [{\"name\": \"TLP:White\"}]", "", I " tlp=clear", NULL);
    one(", \"Tag\": [{\"name\": \"tlp:clear\"}]", "", I " tlp=clear", NULL);
    one("", ", \"Tag\": [{\"name\": \"tlp:amber+strict\"}, {\"name\": \"tlp:amber\"}]",
        I " tlp=amber+strict", NULL);
    /* Not a TLP: kept as a label, no TLP. */
    one(", \"Tag\": [{\"name\": \"tlp:ex:chr\"}, {\"name\": \"xtlp:red\"}]", "", I,
        "by=- desc=- actors=[] tech=[] labels=[tlp:ex:chr|xtlp:red]");
    /* Repeated tags once; plain-string tags; AttributeTag rows. */
    one(", \"Tag\": [{\"name\": \"a\"}, \"b\", {\"name\": \"a\"}]",
        ", \"Tag\": [{\"name\": \"b\"}, {\"name\": \"c\"}], \"AttributeTag\": [{\"Tag\": "
        "{\"name\": \"d\"}}]",
        I, "by=- desc=- actors=[] tech=[] labels=[a|b|c|d]");
    /* Confidence taxonomies stay labels: no number on the indicator. */
    one(", \"Tag\": [{\"name\": \"misp:confidence-level=\\\"completely-confident\\\"\"}, "
        "{\"name\": \"admiralty-scale:information-credibility=\\\"1\\\"\"}]",
        "", I,
        "by=- desc=- actors=[] tech=[] labels=[misp:confidence-level=\"completely-confident\"|"
        "admiralty-scale:information-credibility=\"1\"]");
    /* Galaxy tags: actor names (an ATT&CK id cut off, nothing else), techniques by T-number;
     * other galaxies and empty values add nothing. */
    {
        struct rec r;
        struct ruru_diag d;
        CHECK_INT(runs("{\"Event\": {\"Tag\": [{\"name\": \"misp-galaxy:threat-actor=\\\"Foo - "
                       "Bar\\\"\"}, {\"name\": \"misp-galaxy:threat-actor=APT28\"}, {\"name\": "
                       "\"misp-galaxy:mitre-intrusion-set=\\\"APT29 - G0016\\\"\"}, {\"name\": "
                       "\"misp-galaxy:microsoft-activity-group=\\\"HAFNIUM\\\"\"}, {\"name\": "
                       "\"misp-galaxy:mitre-attack-pattern=\\\"Name Only\\\"\"}, {\"name\": "
                       "\"misp-galaxy:mitre-attack-pattern=\\\"X - G0065\\\"\"}, {\"name\": "
                       "\"misp-galaxy:mitre-attack-pattern=\\\"PowerShell - T1059.001\\\"\"}], "
                       "\"Attribute\": [{\"type\": \"domain\", \"value\": \"a.example\", \"Tag\": "
                       "[{\"name\": \"misp-galaxy:threat-actor=\\\"APT28\\\"\"}, {\"name\": "
                       "\"misp-galaxy:mitre-enterprise-attack-attack-pattern=\\\"Y - T1078\\\"\"}, "
                       "{\"name\": \"misp-galaxy:threat-actor=\\\"\\\"\"}, {\"name\": "
                       "\"misp-galaxy:sector=\\\"Maritime\\\"\"}]}]}}",
                       &r, &d),
                  RURU_OK);
        CHECK(strstr(at(&r.more, 0), " actors=[Foo - Bar|APT28|APT29|HAFNIUM] tech=[T1059.001|"
                                     "T1078] ") != NULL);
        rec_free(&r);
    }
}

static void test_galaxies(void)
{
    static const char *const want_ent[] = {
            "actor Alpha ref=g1 type=misp-galaxy:threat-actor sponsor=Russian Federation conf=80",
            "actor Beta ref=g2 type=misp-galaxy:threat-actor",
            "actor Gamma ref=g3 type=misp-galaxy:microsoft-activity-group country=CN",
            ("technique Some Technique ref=g4 "
             "type=misp-galaxy:mitre-enterprise-attack-attack-pattern"),
            "malware Ryuk ref=g5 type=misp-galaxy:ransomware",
            "malware PlugX ref=g6 type=misp-galaxy:rat",
            "tool Cobalt Strike ref=g7 type=misp-galaxy:tool revoked",
            "actor Delta ref=g8 type=misp-galaxy:mitre-intrusion-set ext=G9999",
    };
    struct rec r;
    struct ruru_diag d;

    CHECK_INT(
            runs("{\"Event\": {\"uuid\": \"E\", \"Galaxy\": ["
                 "{\"type\": \"threat-actor\", \"GalaxyCluster\": ["
                 "{\"uuid\": \"g1\", \"value\": \"Alpha\", \"meta\": {\"cfr-suspected-state-"
                 "sponsor\": \"Russian Federation\", \"attribution-confidence\": 80, \"country\": "
                 "\"Russia\", \"synonyms\": [\"alpha\", \"\", 3]}},"
                 "{\"uuid\": \"g2\", \"value\": \"Beta\", \"meta\": {\"attribution-confidence\": "
                 "\"150\", \"cfr-suspected-state-sponsor\": \"\"}}]},"
                 "{\"type\": \"microsoft-activity-group\", \"GalaxyCluster\": [{\"uuid\": \"g3\", "
                 "\"value\": \"Gamma\", \"meta\": {\"country\": [\"cn\"], "
                 "\"attribution-confidence\": [\"x\"]}}]},"
                 "{\"GalaxyCluster\": [{\"uuid\": \"g4\", \"type\": \"mitre-enterprise-attack-"
                 "attack-pattern\", \"value\": \"Some Technique\"}]},"
                 "{\"type\": \"ransomware\", \"GalaxyCluster\": [{\"uuid\": \"g5\", \"value\": "
                 "\"Ryuk\", \"meta\": {\"country\": \"RU\"}}]},"
                 "{\"type\": \"rat\", \"GalaxyCluster\": [{\"uuid\": \"g6\", \"value\": "
                 "\"PlugX\"}]},"
                 "{\"type\": \"tool\", \"GalaxyCluster\": [{\"uuid\": \"g7\", \"value\": \"Cobalt "
                 "Strike\", \"revoked\": true}]},"
                 "{\"type\": \"mitre-intrusion-set\", \"GalaxyCluster\": [{\"uuid\": \"g8\", "
                 "\"value\": \"Delta - G9999\"}]},"
                 "{\"type\": \"migration\", \"GalaxyCluster\": [{\"uuid\": \"g9\", \"value\": "
                 "\"x\"}]},"
                 "{\"type\": \"country\", \"GalaxyCluster\": [{\"value\": \"no uuid, no "
                 "reject\"}]}],"
                 "\"Attribute\": [{\"type\": \"domain\", \"value\": \"a.example\"}]}}",
                 &r, &d),
            RURU_OK);
    CHECK_LINES(&r.ent, want_ent);
    /* Actors by uuid; a technique without an ATT&CK id by its uuid. */
    CHECK_STR(at(&r.more, 0), "by=- desc=- actors=[g1|g2|g3|g8] tech=[g4] labels=[]");
    CHECK_INT(r.rej.n, 0);
    rec_free(&r);
    /* Clusters are emitted with every event that carries them. */
    CHECK_INT(
            runs("[{\"Event\": {\"uuid\": \"E1\", \"Galaxy\": [{\"type\": \"threat-actor\", "
                 "\"GalaxyCluster\": [{\"uuid\": \"g1\", \"value\": \"Alpha\"}]}], \"Attribute\": "
                 "[{\"type\": \"domain\", \"value\": \"a.example\"}]}}, {\"Event\": {\"uuid\": "
                 "\"E2\", \"Attribute\": [{\"type\": \"domain\", \"value\": \"b.example\"}]}}]",
                 &r, &d),
            RURU_OK);
    CHECK_INT(r.ent.n, 1);
    CHECK_STR(at(&r.more, 0), "by=- desc=- actors=[g1] tech=[] labels=[]");
    /* ... and do not leak into the next event. */
    CHECK_STR(at(&r.more, 1), "by=- desc=- actors=[] tech=[] labels=[]");
    rec_free(&r);
}

/* Labels and links are bounded per indicator; what is dropped is counted by one reject. */
static void test_limits(void)
{
    struct rec r;
    struct ruru_diag d;
    struct sb b = {0};

    sb_add(&b, "{\"Event\": {\"uuid\": \"E\", \"Tag\": [");
    for (int i = 0; i < 300; i++)
        sb_add(&b, "%s{\"name\": \"t%d\"}", i ? ", " : "", i);
    for (int i = 0; i < 70; i++)
        sb_add(&b, ", {\"name\": \"misp-galaxy:threat-actor=\\\"A%d\\\"\"}", i);
    sb_add(&b, "], \"Attribute\": [{\"type\": \"domain\", \"value\": \"a.example\"}]}}");
    rec_init(&r);
    CHECK_INT(run(b.p, b.n, &r, &d), RURU_OK);
    CHECK_INT(r.ind.n, 1);
    CHECK_STR(at(&r.rej, 0), "1:11 obj=E value=- reason=too many tags");
    CHECK_STR(at(&r.rej, 1), "1:11 obj=E value=- reason=too many galaxy links");
    CHECK_INT(r.rej.n, 2);
    CHECK(strstr(at(&r.more, 0), "|A63] tech=[] labels=[t0|t1|") != NULL);
    CHECK(strstr(at(&r.more, 0), "|t255]") != NULL);
    rec_free(&r);
    free(b.p);
}

/* ---- hostile documents --------------------------------------------------------------------- */

static void test_wrong_types(void)
{
    static const char *const want_ind[] = {
            "domain ok.example ref=a9000000-0000-4000-8000-000000000004 tlp=amber",
            "ipv4 198.51.100.10 tlp=amber",
    };
    static const char *const want_rej[] = {
            "3:14 obj=- value=Galaxy reason=wrong JSON type",
            "3:59 obj=- value=GalaxyCluster reason=wrong JSON type",
            "3:118 obj=- value=- reason=galaxy cluster without uuid or value",
            "3:122 obj=- value=X reason=galaxy cluster without uuid or value",
            "2:11 obj=- value=Tag reason=wrong JSON type",
            "2:57 obj=- value=Tag reason=wrong JSON type",
            "5:5 obj=- value=- reason=attribute without type or value",
            "6:5 obj=- value=- reason=attribute without type or value",
            ("7:5 obj=a9000000-0000-4000-8000-000000000003 value=- reason=attribute without type "
             "or value"),
            "9:97 obj=a9000000-0000-4000-8000-000000000004 value=Galaxy reason=wrong JSON type",
            "8:102 obj=a9000000-0000-4000-8000-000000000004 value=Tag reason=wrong JSON type",
            "11:73 obj=- value=Tag reason=wrong JSON type",
            "11:90 obj=- value=Tag reason=wrong JSON type",
            "13:14 obj=- value=Object reason=wrong JSON type",
            "13:31 obj=- value=Attribute reason=wrong JSON type",
            "13:55 obj=- value=- reason=attribute without type or value",
    };
    struct rec r;
    struct ruru_diag d;

    CHECK_INT(run_file("wrong-types.json", &r, &d), RURU_OK);
    CHECK_LINES(&r.ind, want_ind);
    CHECK_LINES(&r.rej, want_rej);
    CHECK_STR(at(&r.more, 0), "by=- desc=- actors=[] tech=[] labels=[tlp:amber|ok-tag]");
    rec_free(&r);
}

static void test_hostile(void)
{
    static const char truncated[] = "{\"Event\": {\n \"Attribute\": [\n {\"type\": \"ip-dst\", ";
    static const char with_nul[] = "{\"Event\": {\"Attribute\": [{\"type\": \"ip-dst\", "
                                   "\"value\": \"192.0.2.1\\u0000\"}]}}";
    static const char bad_utf8[] = "{\"Event\": {\"info\": \"\xff\xfe\"}}";
    struct rec r;
    struct ruru_diag d;
    struct sb b = {0};
    char *big;
    const size_t big_len = 10u << 20;

    /* Truncated: RURU_EPARSE at the end, line 3. */
    rec_init(&r);
    CHECK_INT(run(truncated, sizeof(truncated) - 1, &r, &d), RURU_EPARSE);
    CHECK_INT(d.line, 3);
    CHECK_INT(d.col, 20);
    CHECK(strncmp(d.msg, "invalid JSON: ", 14) == 0);
    CHECK_STR(d.source, "test.json");
    CHECK_INT(r.n_calls, 0);
    rec_free(&r);
    /* A NUL byte (raw, or as \u0000) and invalid UTF-8 are parse errors. */
    rec_init(&r);
    CHECK_INT(run("{\"Event\": {}}\0", 14, &r, &d), RURU_EPARSE);
    CHECK_INT(runs(with_nul, &r, &d), RURU_EPARSE);
    CHECK_INT(runs(bad_utf8, &r, &d), RURU_EPARSE);
    CHECK_INT(d.line, 1);
    rec_free(&r);

    /* 100 000 nested arrays: beyond jansson's depth bound, a parse error, no stack overflow. */
    for (int i = 0; i < 100000; i++)
        sb_add(&b, "[");
    rec_init(&r);
    CHECK_INT(run(b.p, b.n, &r, &d), RURU_EPARSE);
    rec_free(&r);
    free(b.p);
    memset(&b, 0, sizeof(b));
    /* 2000 deep inside a value: the attribute is rejected, and the locator walks past the
     * nesting to place the next reject. */
    sb_add(&b, "{\"Event\": {\"Attribute\": [{\"type\": \"domain\", \"value\": ");
    for (int i = 0; i < 2000; i++)
        sb_add(&b, "[");
    for (int i = 0; i < 2000; i++)
        sb_add(&b, "]");
    sb_add(&b, "}, {\"uuid\": \"u\", \"type\": \"cookie\", \"value\": \"x\"}]}}");
    rec_init(&r);
    CHECK_INT(run(b.p, b.n, &r, &d), RURU_OK);
    CHECK_STR(at(&r.rej, 0), "1:26 obj=- value=- reason=attribute without type or value");
    CHECK_STR(at(&r.rej, 1), "1:4057 obj=u value=cookie reason=unsupported attribute type");
    rec_free(&r);
    free(b.p);
    memset(&b, 0, sizeof(b));

    /* A 10 MB value: refused without copying it, the next attribute imported. */
    big = malloc(big_len + 256);
    CHECK(big != NULL);
    if (big != NULL) {
        size_t n = 0;
        const char *head = "{\"Event\": {\"uuid\": \"E\", \"Attribute\": [{\"uuid\": \"big\", "
                           "\"type\": \"domain\", \"value\": \"";
        const char *tail = "\"}, {\"type\": \"domain\", \"value\": \"ok.example\"}]}}";
        memcpy(big, head, strlen(head));
        n = strlen(head);
        memset(big + n, 'a', big_len);
        n += big_len;
        memcpy(big + n, tail, strlen(tail));
        n += strlen(tail);
        rec_init(&r);
        CHECK_INT(run(big, n, &r, &d), RURU_OK);
        CHECK_STR(at(&r.rej, 0),
                  "1:39 obj=big value=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa reason=value too long");
        CHECK_INT(r.last_rej_value_len, 256);
        CHECK_STR(at(&r.ind, 0), "domain ok.example obj=E");
        CHECK_INT(r.ind.n, 1);
        rec_free(&r);
        free(big);
    }

    /* 50 000 rejects on one 3 MB line: the locator walks forward, never from the start. */
    sb_add(&b, "{\"Event\": {\"Attribute\": [");
    for (int i = 0; i < 50000; i++)
        sb_add(&b, "%s{\"uuid\": \"u%05d\", \"type\": \"sigma\", \"value\": \"m\"}", i ? "," : "",
               i);
    sb_add(&b, "]}}");
    rec_init(&r);
    CHECK_INT(run(b.p, b.n, &r, &d), RURU_OK);
    CHECK_INT(r.rej.n, 50000);
    CHECK_STR(at(&r.rej, 49999),
              "1:2499976 obj=u49999 value=sigma reason=unsupported attribute type");
    rec_free(&r);
    free(b.p);
}

/* Inputs that end at a PROT_NONE page: nothing reads past the end. */
static void test_guard_page(void)
{
    static const char *const docs[] = {
            "{\"Event\": {\"Attribute\": [{\"type\": \"regkey\", \"value\": \"x\"}]}}",
            "{\"Event\": {\"Attribute\": [{\"type\": \"regkey\", \"value\": \"x\"}]",
            "[{\"Event\": {\"Attribute\": [{\"type\": \"mutex\", \"value\": \"x\"}]}}]",
            "{\"Event\": {\"Attribute\": [{\"type\": \"ip-dst|port\", \"value\": \"1\"}]}}",
            "{",
    };
    struct rec r;
    struct ruru_diag d;
    size_t len = 0;
    char *data = slurp("event.json", &len);

    CHECK(data != NULL);
    if (data != NULL) {
        CHECK_INT(run_guarded(data, len, &r, &d), RURU_OK);
        CHECK_INT(r.ind.n, 46);
        CHECK_INT(r.rej.n, 21);
        rec_free(&r);
        free(data);
    }
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        enum ruru_err err = run_guarded(docs[i], strlen(docs[i]), &r, &d);
        CHECK(err == RURU_OK || err == RURU_EPARSE);
        rec_free(&r);
    }
}

/* A sink error stops the import and is returned as is. */
static void test_sink_stops(void)
{
    struct rec r;
    struct ruru_diag d;
    size_t len = 0;
    char *data = slurp("event.json", &len);

    CHECK(data != NULL);
    /* event.json makes 74 sink calls: 44 indicators, 23 rejects, 7 entities. */
    for (size_t stop = 1; data != NULL && stop <= 74; stop += 7) {
        rec_init(&r);
        r.stop_after = stop;
        CHECK_INT(run(data, len, &r, &d), RURU_ESTOPPED);
        CHECK_INT(r.n_calls, stop);
        rec_free(&r);
    }
    free(data);
}

/* Every allocation of the importer fails in turn: RURU_ENOMEM with "out of memory", no leak
 * (ASan checks at exit), and the full result once none fails. */
static void test_oom(void)
{
    struct rec r;
    struct ruru_diag d;
    size_t len = 0, n_enomem = 0;
    char *data = slurp("event.json", &len);
    enum ruru_err err = RURU_ENOMEM;

    CHECK(data != NULL);
    for (uint64_t n = 1; data != NULL && err == RURU_ENOMEM && n < 10000; n++) {
        rec_init(&r);
        ruru_alloc_fail_at(n);
        err = run(data, len, &r, &d);
        ruru_alloc_fail_at(0);
        if (err == RURU_ENOMEM) {
            n_enomem++;
            CHECK_STR(d.msg, "out of memory");
        } else {
            CHECK_INT(err, RURU_OK);
            CHECK_INT(r.ind.n, 46);
            CHECK_INT(r.rej.n, 21);
            CHECK_INT(r.ent.n, 7);
        }
        rec_free(&r);
    }
    CHECK_INT(err, RURU_OK);
    CHECK(n_enomem > 0);
    free(data);
}

int main(void)
{
    test_event();
    test_list();
    test_rest();
    test_feed();
    test_shapes();
    test_times();
    test_stix2_pattern();
    test_tags();
    test_galaxies();
    test_limits();
    test_wrong_types();
    test_hostile();
    test_guard_page();
    test_sink_stops();
    test_oom();
    return check_done();
}
