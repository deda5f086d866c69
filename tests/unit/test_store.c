/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The intel store and the actor registry, driven through the sink as an importer would:
 * ranges, versioned upserts, file replacement and rollback, search semantics (CIDR
 * containment, parent domains, never a mere string suffix), actor merging and conflicts.
 */
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "intel/actors.h"
#include "intel/store.h"
#include "shared_data.h"

static char home[] = "/tmp/ruru-test-store-XXXXXX";

static void feed_indicator(const struct ruru_intel_sink *s,
                           enum ruru_ioc_type type,
                           const char *value,
                           const char *ref,
                           int64_t modified,
                           const char *actor)
{
    struct ruru_intel_indicator ind;
    const char *actors[1] = {actor};

    ruru_intel_indicator_init(&ind);
    ind.type = type;
    ind.value = value;
    ind.ref = ref;
    ind.modified = modified;
    if (actor) {
        ind.actors = actors;
        ind.n_actors = 1;
    }
    CHECK_INT(s->indicator(s->ctx, &ind), RURU_OK);
}

static void feed_actor(const struct ruru_intel_sink *s,
                       const char *ref,
                       const char *type,
                       const char *name,
                       const char *const *aliases,
                       size_t n,
                       const char *country)
{
    struct ruru_intel_entity e;

    ruru_intel_entity_init(&e);
    e.ref = ref;
    e.kind = RURU_ENTITY_ACTOR;
    e.source_type = type;
    e.name = name;
    e.aliases = aliases;
    e.n_aliases = n;
    e.country = country;
    CHECK_INT(s->entity(s->ctx, &e), RURU_OK);
}

static void
feed_relation(const struct ruru_intel_sink *s, const char *src, const char *type, const char *dst)
{
    struct ruru_intel_relation r;

    ruru_intel_relation_init(&r);
    r.src = src;
    r.type = type;
    r.dst = dst;
    CHECK_INT(s->relation(s->ctx, &r), RURU_OK);
}

static struct ruru_store_file *
begin(ruru_store *st, const char *source, const char *path, const char *hash)
{
    struct ruru_store_file *f = NULL;
    bool unchanged = true;

    CHECK_INT(ruru_store_file_begin(st, source, path, "test", hash, 1, &f, &unchanged, NULL),
              RURU_OK);
    CHECK(!unchanged);
    CHECK(f != NULL);
    return f;
}

static json_t *search(ruru_store *st, const char *value)
{
    char *out = NULL;
    json_t *doc;

    CHECK_INT(ruru_intel_search(st, value, INT64_MIN, &out, NULL), RURU_OK);
    doc = json_loads(out, 0, NULL);
    ruru_free(out);
    return doc;
}

static size_t n_matches(ruru_store *st, const char *value)
{
    json_t *doc = search(st, value);
    size_t n = json_array_size(json_object_get(doc, "matches"));

    json_decref(doc);
    return n;
}

/* The names of the warninglists search reports for value, "|"-joined, "" for none. */
static const char *wl_names(ruru_store *st, const char *value)
{
    static char buf[1024];
    json_t *doc = search(st, value), *w;
    size_t i, n = 0;

    buf[0] = '\0';
    json_array_foreach(json_object_get(doc, "warninglists"), i, w)
    {
        const char *name = json_string_value(json_object_get(w, "name"));
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n > 0 ? "|" : "",
                              name ? name : "?");
        if (n >= sizeof(buf))
            break;
    }
    json_decref(doc);
    return buf;
}

/* Each MISP list type on real lists (read in place), with MISP's semantics: string exactly,
 * hostname with parents and from a URL's host, cidr by containment, substring and regex by
 * test, each list only for the types its matching_attributes name. */
static void test_warninglist_types(void)
{
    static const char *const lists[] = {
            "misp/warninglists/tlds",
            "misp/warninglists/dynamic-dns",
            "misp/warninglists/cisco_top1000",
            "misp/warninglists/rfc1918",
            "misp/warninglists/rfc5735",
            "misp/warninglists/public-dns-v4",
            "misp/warninglists/empty-hashes",
            "misp/warninglists/common-contact-emails",
            "misp-more/warninglists/automated-malware-analysis",
            "misp/warninglists/whats-my-ip",
    };
    ruru_store *st = NULL;
    struct ruru_import_opts o;
    char path[512], *report = NULL;

    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &st, NULL), RURU_OK);
    memset(&o, 0, sizeof(o));
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", shared_data(), lists[i]);
        CHECK_INT(ruru_intel_import(st, path, &o, &report, NULL), RURU_OK);
        ruru_free(report);
        report = NULL;
    }
    /* string: the TLD list holds "com", never a name under it */
    CHECK_STR(wl_names(st, "evil.com"), "");
    CHECK_STR(wl_names(st, "a.b.evil.co.uk"), "");
    CHECK_STR(wl_names(st, "33across.com"), "Top 1000 websites from Cisco Umbrella");
    CHECK_STR(wl_names(st, "www.33across.com"), "");
    /* hostname: ".dyndns-home.com" holds the name and every name under it */
    CHECK_STR(wl_names(st, "dyndns-home.com"), "List of known dynamic DNS domains");
    CHECK_STR(wl_names(st, "a.b.dyndns-home.com"), "List of known dynamic DNS domains");
    CHECK_STR(wl_names(st, "hxxp://x.dyndns-home[.]com/gate.php"), ""); /* not for URLs */
    CHECK_STR(wl_names(st, "hxxp://www.2ip[.]ru/x"), "List of known domains to know external IP");
    CHECK_STR(wl_names(st, "notdyndns-home.com"), "");
    /* cidr: every range holding the address */
    CHECK_STR(wl_names(st, "10.1.2.3"),
              "List of RFC 1918 CIDR blocks|List of RFC 5735 CIDR blocks");
    CHECK_STR(wl_names(st, "8.8.8.8"), "List of known IPv4 public DNS resolvers");
    CHECK_STR(wl_names(st, "8.8.8.0/24"), "");
    CHECK_STR(wl_names(st, "203.0.113.7"), "List of RFC 5735 CIDR blocks");
    /* string on hashes: the empty file's MD5, and only as a hash */
    CHECK_STR(wl_names(st, "D41D8CD98F00B204E9800998ECF8427E"),
              "List of known hashes for empty files");
    /* substring: a sandbox's domain anywhere in the name */
    CHECK_STR(wl_names(st, "x.app.any.run"),
              "List of known domains used by automated malware analysis services & security "
              "vendors");
    /* regex (PCRE, /i): role addresses, only as e-mail addresses */
    CHECK_STR(wl_names(st, "Abuse@example.org"), "Common contact e-mail addresses");
    CHECK_STR(wl_names(st, "john@example.org"), "");
    ruru_store_close(st);
}

/* One indicator published many times (the real MISP test event repeats 1.2.3.4 in six
 * attributes, a real Zeek intel file twice): search keeps every record and groups them into
 * one indicator with its sources. */
static void test_search_groups(void)
{
    ruru_store *st = NULL;
    struct ruru_import_opts o;
    char path[512], *report = NULL;
    static const char *const files[] = {"intel/misp-events/misp_indicators_test.json",
                                        "intel/zeek/updated-match.dat"};
    json_t *doc, *g;

    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &st, NULL), RURU_OK);
    memset(&o, 0, sizeof(o));
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/%s", shared_data(), files[i]);
        CHECK_INT(ruru_intel_import(st, path, &o, &report, NULL), RURU_OK);
        ruru_free(report);
        report = NULL;
    }
    doc = search(st, "1.2.3.4");
    CHECK_INT(json_array_size(json_object_get(doc, "matches")), 8);
    CHECK_INT(json_array_size(json_object_get(doc, "indicators")), 1);
    g = json_array_get(json_object_get(doc, "indicators"), 0);
    CHECK_STR(json_string_value(json_object_get(g, "type")), "ipv4");
    CHECK_STR(json_string_value(json_object_get(g, "value")), "1.2.3.4");
    CHECK_INT(json_integer_value(json_object_get(g, "records")), 8);
    CHECK_INT(json_array_size(json_object_get(g, "sources")), 8);
    json_decref(doc);
    ruru_store_close(st);
}

static void test_ranges(void)
{
    unsigned char lo[16], hi[16];

    CHECK(ruru_store_ip_range(RURU_IOC_CIDR4, "10.1.0.0/16", lo, hi));
    CHECK_INT(lo[10], 0xff);
    CHECK_INT(lo[12], 10);
    CHECK_INT(lo[13], 1);
    CHECK_INT(lo[14], 0);
    CHECK_INT(hi[13], 1);
    CHECK_INT(hi[14], 255);
    CHECK_INT(hi[15], 255);
    CHECK(ruru_store_ip_range(RURU_IOC_CIDR6, "2001:db8::/126", lo, hi));
    CHECK_INT(lo[15], 0);
    CHECK_INT(hi[15], 3);
    CHECK(ruru_store_ip_range(RURU_IOC_IPV4, "192.0.2.7", lo, hi));
    CHECK(memcmp(lo, hi, 16) == 0);
    CHECK(!ruru_store_ip_range(RURU_IOC_DOMAIN, "evil.com", lo, hi));
    CHECK(!ruru_store_ip_range(RURU_IOC_CIDR4, "10.0.0.0/33", lo, hi));
}

/* A CIDR finds the ranges it holds and those that hold it (CIDR blocks are nested or apart),
 * never one beside it; an address inside finds the ranges holding it. */
static void test_search_cidr(void)
{
    ruru_store *st = NULL;
    struct ruru_import_opts o;
    char *report = NULL;
    json_t *doc, *m;
    size_t i;
    char seen[512] = "";

    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &st, NULL), RURU_OK);
    memset(&o, 0, sizeof(o));
    CHECK_INT(ruru_intel_import(st, RURU_OWN_DATA "/csv/nested-cidrs.csv", &o, &report, NULL),
              RURU_OK);
    ruru_free(report);
    doc = search(st, "10.1.0.0/16");
    json_array_foreach(json_object_get(doc, "matches"), i, m)
    {
        strncat(seen, json_string_value(json_object_get(m, "value")), 64);
        strncat(seen, " ", 2);
    }
    CHECK_STR(seen, "10.0.0.0/8 10.1.0.0/16 10.1.2.0/24 10.1.2.3 10.1.0.0/17 ");
    json_decref(doc);
    CHECK_INT(n_matches(st, "10.1.2.3"), 5);
    CHECK_INT(n_matches(st, "10.1.128.0/17"), 2);
    CHECK_INT(n_matches(st, "2001:db8:1::/48"), 1);
    CHECK_INT(n_matches(st, "172.16.0.0/12"), 0);
    ruru_store_close(st);
}

static void test_store(void)
{
    ruru_store *st = NULL;
    struct ruru_store_file *f;
    const struct ruru_intel_sink *s;
    struct ruru_actor_registry *reg = NULL;
    const size_t *groups;
    bool unchanged = false;
    json_t *doc;
    char *out = NULL;

    CHECK(mkdtemp(home) != NULL);
    CHECK_INT(ruru_store_open(home, &st, NULL), RURU_OK);

    /* Source "feed-a": indicators, with actors named by alias. */
    f = begin(st, "feed-a", "a.csv", "h1");
    s = ruru_store_file_sink(f);
    feed_indicator(s, RURU_IOC_DOMAIN, "evil.com", NULL, RURU_TIME_NONE, "Kryptonite Panda");
    feed_indicator(s, RURU_IOC_CIDR4, "203.0.113.0/24", NULL, RURU_TIME_NONE, NULL);
    feed_indicator(s, RURU_IOC_CIDR4, "203.0.0.0/16", NULL, RURU_TIME_NONE, NULL);
    feed_indicator(s, RURU_IOC_IPV4, "198.51.100.7", "ind--1", 100, NULL);
    feed_indicator(s, RURU_IOC_IPV4, "198.51.100.8", "ind--1", 50, NULL); /* older: ignored */
    CHECK_INT(ruru_store_file_stats(f)->n_indicators, 4);
    CHECK_INT(ruru_store_file_stats(f)->n_older, 1);
    CHECK_INT(ruru_store_file_commit(f, NULL), RURU_OK);

    /* The same file again is unchanged and begins nothing. */
    f = NULL;
    CHECK_INT(ruru_store_file_begin(st, "feed-a", "a.csv", "test", "h1", 1, &f, &unchanged, NULL),
              RURU_OK);
    CHECK(unchanged);
    CHECK(f == NULL);

    /* Search semantics. */
    CHECK_INT(n_matches(st, "evil.com"), 1);
    CHECK_INT(n_matches(st, "a.b.evil.com"), 1);
    CHECK_INT(n_matches(st, "notevil.com"), 0);
    CHECK_INT(n_matches(st, "evil.com.au"), 0);
    CHECK_INT(n_matches(st, "203.0.113.9"), 2); /* both ranges hold it */
    CHECK_INT(n_matches(st, "203.0.114.9"), 1);
    CHECK_INT(n_matches(st, "198.51.100.7"), 1);
    CHECK_INT(n_matches(st, "198.51.100.8"), 0);

    /* Source "galaxy": three clusters that name each other as the MISP galaxies name APT40
     * (their "similar" links are shown, not followed: the names join them). */
    f = begin(st, "galaxy", "g.json", "h2");
    s = ruru_store_file_sink(f);
    {
        static const char *const ta[] = {"Leviathan", "KRYPTONITE PANDA", "GADOLINIUM",
                                         "BRONZE MOHAWK"};
        static const char *const mitre[] = {"APT40", "TEMP.Periscope"};
        static const char *const other[] = {"Bronze Mohawk"};
        feed_actor(s, "u-ta", "misp-galaxy:threat-actor", "APT40", ta, 4, "CN");
        feed_actor(s, "u-mitre", "misp-galaxy:mitre-intrusion-set", "Leviathan", mitre, 2, NULL);
        feed_actor(s, "u-ms", "misp-galaxy:microsoft-activity-group", "GADOLINIUM", NULL, 0, NULL);
        feed_relation(s, "u-ta", "similar", "u-mitre");
        feed_relation(s, "u-ms", "similar", "u-ta");
        /* An unrelated actor of another galaxy that also lists "Bronze Mohawk". */
        feed_actor(s, "u-x", "misp-galaxy:other", "Sea Turtle", other, 1, "TR");
    }
    CHECK_INT(ruru_store_file_commit(f, NULL), RURU_OK);

    /* A STIX-like source names the actor by an alias and links an indicator by ref. */
    f = begin(st, "stix-feed", "b.json", "h3");
    s = ruru_store_file_sink(f);
    feed_actor(s, "intrusion-set--1", "intrusion-set", "TEMP.Periscope", NULL, 0, NULL);
    feed_indicator(s, RURU_IOC_URL, "http://evil.com/x", "indicator--9", RURU_TIME_NONE, NULL);
    feed_relation(s, "indicator--9", "indicates", "intrusion-set--1");
    CHECK_INT(ruru_store_file_commit(f, NULL), RURU_OK);

    CHECK_INT(ruru_actors_build(ruru_store_db(st), &reg, NULL), RURU_OK);
    CHECK_INT(ruru_actors_n_groups(reg), 2);
    CHECK_INT(ruru_actors_by_name(reg, "gadolinium", &groups), 1);
    CHECK_STR(ruru_actors_group(reg, groups[0])->name, "APT40");
    CHECK_INT(ruru_actors_group(reg, groups[0])->n_members, 4);
    CHECK_INT(ruru_actors_by_name(reg, "Temp Periscope", &groups), 1);
    CHECK_STR(ruru_actors_group(reg, groups[0])->name, "APT40");
    CHECK_INT(ruru_actors_by_name(reg, "Leviathan", &groups), 1);
    CHECK_STR(ruru_actors_group(reg, groups[0])->name, "APT40");
    /* "BRONZE MOHAWK", a synonym of two actors that nothing else joins: a conflict, not a
     * merge. */
    CHECK_INT(ruru_actors_by_name(reg, "bronze-mohawk", &groups), 2);
    CHECK_INT(ruru_actors_n_conflicts(reg), 1);
    ruru_actors_destroy(reg);

    CHECK_INT(ruru_actors(st, "Kryptonite Panda", &out, NULL), RURU_OK);
    doc = json_loads(out, 0, NULL);
    ruru_free(out);
    {
        json_t *a = json_array_get(json_object_get(doc, "actors"), 0);
        CHECK_STR(json_string_value(json_object_get(a, "name")), "APT40");
        CHECK_STR(json_string_value(json_object_get(a, "country")), "CN");
        /* evil.com by name through feed-a, the URL by ref through stix-feed. */
        CHECK_INT(json_integer_value(json_object_get(json_object_get(a, "indicators"), "total")),
                  2);
        CHECK_INT(json_array_size(json_object_get(a, "conflicts")), 1);
    }
    json_decref(doc);

    /* The URL search finds the URL and, through its host, evil.com; both name APT40. */
    doc = search(st, "hxxp://EVIL[.]com/x");
    CHECK_INT(json_array_size(json_object_get(doc, "matches")), 2);
    {
        json_t *m = json_array_get(json_object_get(doc, "matches"), 0);
        json_t *a = json_array_get(json_object_get(m, "actors"), 0);
        CHECK_STR(json_string_value(json_object_get(a, "name")), "APT40");
    }
    json_decref(doc);

    /* A failed file leaves the store as it was. */
    f = begin(st, "feed-a", "a.csv", "h4");
    s = ruru_store_file_sink(f);
    feed_indicator(s, RURU_IOC_DOMAIN, "other.example", NULL, RURU_TIME_NONE, NULL);
    ruru_store_file_rollback(f);
    CHECK_INT(n_matches(st, "other.example"), 0);
    CHECK_INT(n_matches(st, "evil.com"), 1);

    /* A changed file replaces what it gave before. */
    f = begin(st, "feed-a", "a.csv", "h5");
    s = ruru_store_file_sink(f);
    feed_indicator(s, RURU_IOC_DOMAIN, "other.example", NULL, RURU_TIME_NONE, NULL);
    CHECK_INT(ruru_store_file_commit(f, NULL), RURU_OK);
    CHECK_INT(n_matches(st, "other.example"), 1);
    CHECK_INT(n_matches(st, "203.0.113.9"), 0);

    /* Sources and stats describe what is there. */
    CHECK_INT(ruru_intel_sources(st, false, &out, NULL), RURU_OK);
    doc = json_loads(out, 0, NULL);
    ruru_free(out);
    {
        json_t *srcs = json_object_get(doc, "sources"), *a = json_array_get(srcs, 0);
        CHECK_INT(json_array_size(srcs), 3);
        CHECK_STR(json_string_value(json_object_get(a, "name")), "feed-a");
        CHECK_INT(json_integer_value(json_object_get(a, "indicators")), 1);
        CHECK_STR(json_string_value(
                          json_object_get(json_array_get(json_object_get(a, "files"), 0), "path")),
                  "a.csv");
        CHECK_STR(json_string_value(json_object_get(json_array_get(srcs, 1), "name")), "galaxy");
    }
    json_decref(doc);
    CHECK_INT(ruru_intel_stats(st, &out, NULL), RURU_OK);
    doc = json_loads(out, 0, NULL);
    ruru_free(out);
    CHECK_INT(json_integer_value(json_object_get(doc, "sources")), 3);
    CHECK_INT(json_integer_value(json_object_get(doc, "indicators")), 2);
    CHECK_INT(json_integer_value(json_object_get(doc, "actors")), 2);
    CHECK_INT(json_integer_value(json_object_get(doc, "actor_name_conflicts")), 1);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(doc, "entities"), "actor")), 5);
    json_decref(doc);

    /* Removing a source removes what came from it. */
    CHECK_INT(ruru_intel_remove(st, "stix-feed", &out, NULL), RURU_OK);
    ruru_free(out);
    CHECK_INT(ruru_intel_remove(st, "stix-feed", &out, NULL), RURU_ENOTFOUND);
    CHECK_INT(n_matches(st, "http://evil.com/x"), 0);

    ruru_store_close(st);
    {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", home);
        CHECK_INT(system(cmd), 0);
    }
}

/* A home whose intel.db cannot be opened (a directory in its place, a file that is no
 * database): the error names the home (caller-owned, still valid after the failed open) and
 * the file in its message. */
static void test_damaged_home(void)
{
    char dir[] = "/tmp/ruru-test-store-bad-XXXXXX", db[64];
    ruru_store *s = NULL;
    struct ruru_diag d;
    FILE *f;

    CHECK(mkdtemp(dir) != NULL);
    snprintf(db, sizeof(db), "%s/intel.db", dir);
    CHECK(mkdir(db, 0700) == 0);
    CHECK_INT(ruru_store_open(dir, &s, &d), RURU_EDB);
    CHECK(s == NULL);
    CHECK(d.source == dir);
    CHECK_STR(d.msg, "intel.db: cannot open store: unable to open database file");
    CHECK(rmdir(db) == 0);
    f = fopen(db, "wb");
    fputs("abc", f);
    fclose(f);
    CHECK_INT(ruru_store_open(dir, &s, &d), RURU_EDB);
    CHECK(d.source == dir);
    CHECK_STR(d.msg, "intel.db: file is not a database");
    unlink(db);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    if (corpus_part(argc, argv)) {
        SHARED_OR_SKIP();
        test_warninglist_types();
        test_search_groups();
        return check_done();
    }
    test_ranges();
    test_search_cidr();
    test_store();
    test_damaged_home();
    return check_done();
}
