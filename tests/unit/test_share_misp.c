/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MISP writer (src/share/misp.c) over the export model of ruru's own examples
 * (tests/data/share/model-examples.json): the fields the MISP core format requires of every
 * event, attribute, object, sighting, tag and event report (checked as the format's text says
 * them), the tags, every indicator value of the model once per event with its type and to_ids,
 * the same bytes from the same model in any order, the round trip through ruru's own MISP
 * importer into a store in memory (no indicator, actor or ATT&CK link lost), hostile text
 * (quotes, backslashes, control bytes, <script>, invalid UTF-8), models that are not ones, and
 * every allocation failing in turn. With "corpus", every (category, type) written is checked
 * against the lists of the core format itself (../shared/data/misp/format).
 */
#include <jansson.h>
#include <ruru.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "check.h"
#include "intel/intel.h"
#include "share/share.h"
#include "shared_data.h"

#define MODEL RURU_OWN_DATA "/share/model-examples.json"

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static json_t *load(const char *path)
{
    json_error_t e;
    json_t *m = json_load_file(path, 0, &e);

    CHECK(m != NULL);
    return m;
}

/* The writer's output for `model` (NULL when it fails; *err says why). */
static char *write_misp(json_t *model, enum ruru_err *err, struct ruru_diag *d)
{
    struct ruru_buf b;
    char *out;

    ruru_buf_init(&b, (size_t)1 << 28);
    memset(d, 0, sizeof(*d));
    *err = ruru_share_misp(model, &b, d);
    if (*err != RURU_OK) {
        CHECK_INT(b.len, 0);
        ruru_buf_fini(&b);
        return NULL;
    }
    out = ruru_buf_detach(&b);
    return out;
}

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *doc = text != NULL ? json_loads(text, 0, &e) : NULL;

    CHECK(doc != NULL);
    return doc;
}

/* ---- the core format's requirements --------------------------------------------------------- */

static bool is_uuid(const char *s)
{
    if (s == NULL || strlen(s) != 36)
        return false;
    for (size_t i = 0; i < 36; i++)
        if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-'
                                                    : strchr("0123456789abcdef", s[i]) == NULL)
            return false;
    return true;
}

/* "an unsigned integer represented as a JSON string" */
static bool is_digits(const char *s)
{
    if (s == NULL || *s == '\0')
        return false;
    for (; *s != '\0'; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static bool one_of(const char *s, const char *const *set)
{
    for (; s != NULL && *set != NULL; set++)
        if (strcmp(s, *set) == 0)
            return true;
    return false;
}

static const char *const DIST_0_4[] = {"0", "1", "2", "3", "4", NULL};
static const char *const DIST_0_5[] = {"0", "1", "2", "3", "4", "5", NULL};

/* The valid (category, type) pairs of the core format ("type ... MUST be a valid selection
 * for the chosen category"), for the categories the writer uses, from the format's text. */
static const struct {
    const char *category;
    const char *types;
} CATEGORIES[] = {
        {"Network activity",
         ",ip-src,ip-dst,ip-dst|port,ip-src|port,port,hostname,domain,domain|ip,mac-address,"
         "mac-eui-64,email,email-dst,email-src,eppn,url,uri,user-agent,http-method,AS,snort,"
         "pattern-in-file,filename-pattern,stix2-pattern,pattern-in-traffic,attachment,comment,"
         "text,x509-fingerprint-md5,x509-fingerprint-sha1,x509-fingerprint-sha256,"
         "ja3-fingerprint-md5,jarm-fingerprint,hassh-md5,hasshserver-md5,other,hex,cookie,"
         "hostname|port,bro,zeek,anonymised,community-id,email-subject,favicon-mmh3,dkim,"
         "dkim-signature,ssh-fingerprint,dom-hash,onion-address,"},
        {"Payload delivery",
         ",md5,sha1,sha224,sha256,sha384,sha512,filename,mac-address,ip-src,ip-dst,hostname,"
         "domain,email,email-src,email-dst,url,user-agent,AS,filename-pattern,stix2-pattern,yara,"
         "sigma,link,comment,text,other,"},
        {"Payload installation",
         ",md5,sha1,sha256,sha512,filename,pattern-in-file,stix2-pattern,yara,sigma,comment,"
         "text,other,"},
        {"Artifacts dropped", ",md5,sha1,sha256,sha512,filename,regkey,named pipe,mutex,sigma,"},
        {"Persistence mechanism", ",filename,regkey,regkey|value,comment,text,other,"},
        {"Other", ",comment,text,other,"},
};

static bool valid_pair(const char *category, const char *type)
{
    char key[128];

    snprintf(key, sizeof(key), ",%s,", type != NULL ? type : "");
    for (size_t i = 0; category != NULL && i < sizeof(CATEGORIES) / sizeof(CATEGORIES[0]); i++)
        if (strcmp(category, CATEGORIES[i].category) == 0)
            return strstr(CATEGORIES[i].types, key) != NULL;
    return false;
}

/* "name MUST be present. colour, id and exportable SHALL be present." Tags are sorted, each
 * once, and exactly one is a TLP (the TLP of what the object derives from). Returns it. */
static const char *check_tags(json_t *tags)
{
    const char *tlp = NULL, *prev = "";
    json_t *t;
    size_t i;

    CHECK(json_is_array(tags) && json_array_size(tags) > 0);
    json_array_foreach(tags, i, t)
    {
        const char *name = str(t, "name"), *colour = str(t, "colour");
        CHECK(name != NULL && strcmp(prev, name) < 0);
        CHECK(colour != NULL && strlen(colour) == 7 && colour[0] == '#');
        CHECK(is_digits(str(t, "id")));
        CHECK(json_is_true(json_object_get(t, "exportable")));
        if (name != NULL && strncmp(name, "tlp:", 4) == 0) {
            CHECK(tlp == NULL);
            CHECK(ruru_tlp_rank(name + 4) >= 0);
            tlp = name;
        }
        prev = name != NULL ? name : "";
    }
    CHECK(tlp != NULL);
    return tlp;
}

/* "type MUST be present", "uuid MUST be present", "date_sighting MUST be present". */
static void check_sighting(json_t *s, const char *attr_uuid, const char **prev_date)
{
    CHECK_STR(str(s, "type"), "0");
    CHECK(is_uuid(str(s, "uuid")));
    CHECK(is_digits(str(s, "date_sighting")));
    CHECK(str(s, "source") != NULL && strlen(str(s, "source")) > 0);
    CHECK_STR(str(s, "attribute_uuid"), attr_uuid);
    CHECK(atoll(*prev_date) <= atoll(str(s, "date_sighting")));
    *prev_date = str(s, "date_sighting");
}

static void check_attribute(json_t *a, const char *event_id, const char *object_id)
{
    json_t *sightings = json_object_get(a, "Sighting"), *s;
    const char *prev = "0";
    size_t i;

    CHECK(is_uuid(str(a, "uuid")));
    CHECK(is_digits(str(a, "id")));
    CHECK(str(a, "type") != NULL);
    CHECK(valid_pair(str(a, "category"), str(a, "type")));
    CHECK(json_is_boolean(json_object_get(a, "to_ids")));
    CHECK_STR(str(a, "event_id"), event_id);
    CHECK(one_of(str(a, "distribution"), DIST_0_5));
    CHECK(is_digits(str(a, "timestamp")));
    CHECK(json_is_string(json_object_get(a, "comment")));
    CHECK_STR(str(a, "sharing_group_id"), "0");
    CHECK(json_is_false(json_object_get(a, "deleted")));
    CHECK(json_is_string(json_object_get(a, "value")));
    CHECK_STR(str(a, "object_id"), object_id != NULL ? object_id : "0");
    CHECK((str(a, "object_relation") != NULL) == (object_id != NULL));
    check_tags(json_object_get(a, "Tag"));
    CHECK(json_is_array(sightings));
    json_array_foreach(sightings, i, s)
    {
        check_sighting(s, str(a, "uuid"), &prev);
    }
    if (json_array_size(sightings) > 0) {
        CHECK(str(a, "first_seen") != NULL && str(a, "last_seen") != NULL);
        CHECK(strcmp(str(a, "first_seen"), str(a, "last_seen")) <= 0);
    }
}

static void check_object(json_t *o, const char *event_id)
{
    static const char *const NAMES[] = {"file", "ip-port", "http-request", NULL};
    json_t *a;
    size_t i;

    CHECK(is_uuid(str(o, "uuid")));
    CHECK(is_digits(str(o, "id")));
    CHECK(one_of(str(o, "name"), NAMES));
    CHECK(str(o, "meta-category") != NULL);
    CHECK(str(o, "description") != NULL);
    CHECK(is_uuid(str(o, "template_uuid")));
    CHECK(is_digits(str(o, "template_version")));
    CHECK_STR(str(o, "event_id"), event_id);
    CHECK(is_digits(str(o, "timestamp")));
    CHECK(one_of(str(o, "distribution"), DIST_0_4));
    CHECK_STR(str(o, "sharing_group_id"), "0");
    CHECK(json_is_false(json_object_get(o, "deleted")));
    /* the TLP of what the object derives from, where MISP gives an object no tags */
    CHECK(str(o, "comment") != NULL && strncmp(str(o, "comment"), "TLP:", 4) == 0);
    CHECK(json_array_size(json_object_get(o, "Attribute")) > 0);
    json_array_foreach(json_object_get(o, "Attribute"), i, a)
    {
        check_attribute(a, event_id, str(o, "id"));
    }
}

static void check_org(json_t *o)
{
    CHECK(is_uuid(str(o, "uuid")));
    CHECK(str(o, "name") != NULL);
    CHECK(is_digits(str(o, "id")));
}

/* Every requirement of the core format on an event and what it holds; the number of
 * attributes. */
static size_t check_event(json_t *e)
{
    static const char *const THREAT[] = {"1", "2", "3", "4", NULL};
    static const char *const ANALYSIS[] = {"0", "1", "2", NULL};
    const char *id = str(e, "id"), *info = str(e, "info"), *date = str(e, "date");
    json_t *x;
    size_t i, n = 0;

    CHECK(is_uuid(str(e, "uuid")));
    CHECK(is_digits(id));
    CHECK(json_is_false(json_object_get(e, "published")));
    CHECK(info != NULL && strlen(info) > 0 && strchr(info, '\n') == NULL);
    CHECK(one_of(str(e, "threat_level_id"), THREAT));
    CHECK(one_of(str(e, "analysis"), ANALYSIS));
    CHECK(date != NULL && strlen(date) == 10 && date[4] == '-' && date[7] == '-');
    CHECK(is_digits(str(e, "timestamp")));
    CHECK_STR(str(e, "publish_timestamp"), "0");
    CHECK_STR(str(e, "first_publication"), "0");
    CHECK(is_digits(str(e, "org_id")));
    CHECK(is_digits(str(e, "orgc_id")));
    CHECK_STR(str(e, "org_id"), str(json_object_get(e, "Org"), "id"));
    CHECK_STR(str(e, "orgc_id"), str(json_object_get(e, "Orgc"), "id"));
    check_org(json_object_get(e, "Org"));
    check_org(json_object_get(e, "Orgc"));
    CHECK(one_of(str(e, "distribution"), DIST_0_4));
    CHECK_STR(str(e, "sharing_group_id"), "0");
    CHECK(str(e, "extends_uuid") != NULL &&
          (*str(e, "extends_uuid") == '\0' || is_uuid(str(e, "extends_uuid"))));
    CHECK(json_is_false(json_object_get(e, "locked")));
    check_tags(json_object_get(e, "Tag"));
    json_array_foreach(json_object_get(e, "Attribute"), i, x)
    {
        check_attribute(x, id, NULL);
        n++;
    }
    json_array_foreach(json_object_get(e, "Object"), i, x)
    {
        check_object(x, id);
        n += json_array_size(json_object_get(x, "Attribute"));
    }
    CHECK(is_digits(str(e, "attribute_count")));
    CHECK_INT(atoll(str(e, "attribute_count")), n);
    CHECK_INT(json_array_size(json_object_get(e, "EventReport")), 1);
    json_array_foreach(json_object_get(e, "EventReport"), i, x)
    {
        CHECK(is_digits(str(x, "id")));
        CHECK(is_uuid(str(x, "uuid")));
        CHECK_STR(str(x, "event_id"), id);
        CHECK(str(x, "name") != NULL && strchr(str(x, "name"), '\n') == NULL);
        CHECK(str(x, "content") != NULL);
        CHECK(one_of(str(x, "distribution"), DIST_0_5));
        CHECK_STR(str(x, "sharing_group_id"), "0");
        CHECK(is_digits(str(x, "timestamp")));
        CHECK(json_is_false(json_object_get(x, "deleted")));
    }
    return n;
}

/* The events of a document: {"Event": ...} or {"response": [{"Event": ...}, ...]}. */
static json_t *events_of(json_t *doc)
{
    json_t *list = json_array(), *x;
    size_t i;

    if (json_object_get(doc, "Event") != NULL) {
        CHECK_INT(json_object_size(doc), 1);
        json_array_append(list, json_object_get(doc, "Event"));
    } else {
        CHECK_INT(json_object_size(doc), 1);
        json_array_foreach(json_object_get(doc, "response"), i, x)
        {
            CHECK_INT(json_object_size(x), 1);
            json_array_append(list, json_object_get(x, "Event"));
        }
    }
    return list;
}

/* The ids of a document are unique per kind. */
static void check_ids(json_t *events)
{
    json_t *seen = json_object(), *e, *a, *o;
    size_t i, j, k;
    char key[64];

    json_array_foreach(events, i, e)
    {
        snprintf(key, sizeof(key), "event %s", str(e, "id"));
        CHECK(json_object_get(seen, key) == NULL);
        json_object_set_new(seen, key, json_true());
        json_array_foreach(json_object_get(e, "Attribute"), j, a)
        {
            snprintf(key, sizeof(key), "attribute %s", str(a, "id"));
            CHECK(json_object_get(seen, key) == NULL);
            json_object_set_new(seen, key, json_true());
        }
        json_array_foreach(json_object_get(e, "Object"), j, o)
        {
            snprintf(key, sizeof(key), "object %s", str(o, "id"));
            CHECK(json_object_get(seen, key) == NULL);
            json_object_set_new(seen, key, json_true());
            json_array_foreach(json_object_get(o, "Attribute"), k, a)
            {
                snprintf(key, sizeof(key), "attribute %s", str(a, "id"));
                CHECK(json_object_get(seen, key) == NULL);
                json_object_set_new(seen, key, json_true());
            }
        }
    }
    json_decref(seen);
}

/* ---- what the examples give ----------------------------------------------------------------- */

/* The MISP type an indicator of the model must have (written from the mapping, not the code):
 * addresses by the field matched, source.* as ip-src. */
static const char *want_type(json_t *sighting)
{
    json_t *ru = json_object_get(sighting, "ruru"), *ind = json_object_get(ru, "indicator");
    const char *t = str(ind, "type"), *f = str(json_object_get(ru, "field"), "canonical");
    static const char *const MAP[][2] = {
            {"domain", "domain"},
            {"url", "url"},
            {"sha256", "sha256"},
            {"filename", "filename"},
            {"md5", "md5"},
            {"uri-path", "uri"},
            {"user-agent", "user-agent"},
            {"stix-pattern", "stix2-pattern"},
    };

    if (strcmp(t, "ipv4") == 0 || strcmp(t, "cidr4") == 0 || strcmp(t, "ipv6") == 0 ||
        strcmp(t, "cidr6") == 0)
        return f != NULL && strncmp(f, "source.", 7) == 0 ? "ip-src" : "ip-dst";
    for (size_t i = 0; i < sizeof(MAP) / sizeof(MAP[0]); i++)
        if (strcmp(t, MAP[i][0]) == 0)
            return MAP[i][1];
    return "?";
}

/* Every attribute of an event with this type and value (top level and in objects). */
static size_t find_attrs(json_t *e, const char *type, const char *value, json_t **found)
{
    json_t *a, *o;
    size_t i, j, n = 0;

    json_array_foreach(json_object_get(e, "Attribute"), i, a)
    {
        if (strcmp(str(a, "type"), type) == 0 && strcmp(str(a, "value"), value) == 0) {
            if (n < 8)
                found[n] = a;
            n++;
        }
    }
    json_array_foreach(json_object_get(e, "Object"), i, o)
    {
        json_array_foreach(json_object_get(o, "Attribute"), j, a)
        {
            if (strcmp(str(a, "type"), type) == 0 && strcmp(str(a, "value"), value) == 0) {
                if (n < 8)
                    found[n] = a;
                n++;
            }
        }
    }
    return n;
}

static bool has_tag(json_t *o, const char *name)
{
    json_t *t;
    size_t i;

    json_array_foreach(json_object_get(o, "Tag"), i, t)
    {
        if (strcmp(str(t, "name"), name) == 0)
            return true;
    }
    return false;
}

/* Every indicator value the model's sightings name is one attribute of its incident's event,
 * of the right type, to_ids as the intel says, with the actors and the TLP of its sightings. */
static void check_indicators(json_t *model, json_t *events)
{
    json_t *inc, *s, *e, *found[8], *x;
    size_t i, j, k;

    json_array_foreach(json_object_get(model, "incidents"), i, inc)
    {
        char uuid[37], name[256];
        snprintf(name, sizeof(name), "event%c%s", 0, str(inc, "id"));
        CHECK(ruru_uuid5(RURU_UUID_NAMESPACE, name, 6 + strlen(str(inc, "id")), uuid));
        e = NULL;
        json_array_foreach(events, j, x)
        {
            if (strcmp(str(x, "uuid"), uuid) == 0)
                e = x;
        }
        CHECK(e != NULL);
        json_array_foreach(json_object_get(inc, "sightings"), j, s)
        {
            json_t *ind = json_object_get(json_object_get(s, "ruru"), "indicator");
            const char *type;
            char tlp[32];
            if (ind == NULL || e == NULL)
                continue;
            type = want_type(s);
            CHECK(find_attrs(e, type, str(ind, "value"), found) == 1);
            if (find_attrs(e, type, str(ind, "value"), found) != 1)
                continue;
            CHECK(json_is_true(json_object_get(found[0], "to_ids")));
            CHECK(json_array_size(json_object_get(found[0], "Sighting")) > 0);
            snprintf(tlp, sizeof(tlp), "tlp:%s", str(s, "tlp"));
            CHECK(has_tag(found[0], tlp));
            json_array_foreach(json_object_get(ind, "actors"), k, x)
            {
                snprintf(name, sizeof(name), "misp-galaxy:threat-actor=\"%s\"", str(x, "name"));
                CHECK(has_tag(found[0], name));
            }
        }
    }
}

/* The names of an event's tags joined by " ". */
static const char *tag_names(json_t *o)
{
    static char out[1024];
    json_t *t;
    size_t i, n = 0;

    out[0] = '\0';
    json_array_foreach(json_object_get(o, "Tag"), i, t)
    {
        n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", i > 0 ? " " : "", str(t, "name"));
        if (n >= sizeof(out))
            break;
    }
    return out;
}

static void test_examples(void)
{
    json_t *model = load(MODEL), *doc, *events, *e, *x, *found[8];
    struct ruru_diag d;
    enum ruru_err err;
    char *out = write_misp(model, &err, &d);
    size_t n_attrs[3];

    CHECK_INT(err, RURU_OK);
    doc = parse(out);
    events = events_of(doc);
    CHECK(json_is_array(json_object_get(doc, "response")));
    CHECK_INT(json_array_size(events), 3);
    for (size_t i = 0; i < json_array_size(events); i++) {
        n_attrs[i] = check_event(json_array_get(events, i));
        CHECK_INT(atoll(str(json_array_get(events, i), "id")), i + 1);
    }
    check_ids(events);
    check_indicators(model, events);

    /* oldest incident first; severity medium -> 2, high and critical -> 1 */
    e = json_array_get(events, 0);
    CHECK_STR(str(e, "uuid"), "d7e34606-9b4f-5875-b948-d45cc194eaa5");
    CHECK_STR(str(e, "info"), "ruru incident ruru-incident--bf5ca37c53700309 on "
                              "examples/logs/access.log: APT40 (likely), severity medium");
    CHECK_STR(str(e, "date"), "2024-07-11");
    CHECK_STR(str(e, "timestamp"), "1796463427"); /* the incident's "updated" */
    CHECK_STR(str(e, "threat_level_id"), "2");
    CHECK_STR(str(e, "analysis"), "0");
    CHECK_STR(str(e, "distribution"), "1"); /* amber: this community */
    /* its campaign is the EXCH01 incident's: the event extends that one */
    CHECK_STR(str(e, "extends_uuid"), "aa816eb6-45b7-5d55-baa9-b4340a2a4332");
    CHECK_STR(tag_names(e), "estimative-language:confidence-in-analytic-judgment=\"moderate\" "
                            "estimative-language:likelihood-probability=\"likely\" "
                            "misp-galaxy:threat-actor=\"APT40\" tlp:amber");
    CHECK_STR(str(json_object_get(e, "Org"), "name"), "ruru");
    CHECK_INT(n_attrs[0], 3);
    CHECK_STR(str(json_array_get(json_object_get(e, "EventReport"), 0), "name"),
              "Attribution: APT40 (likely)");
    CHECK_STR(str(json_array_get(json_object_get(e, "EventReport"), 0), "content"),
              "# Incident ruru-incident--bf5ca37c53700309\n\nTLP:AMBER\n\n"
              "- Asset: examples/logs/access.log\n- First seen: 2024-07-11T21:02:13Z\n"
              "- Last seen: 2024-07-11T21:05:55Z\n- Severity: medium\n"
              "- Campaign: ruru-incident--6bc0e2ad5971f73d\n\n## Judgement\n\n- Actor: APT40\n"
              "- Probability: 79.6 % (likely)\n- Confidence: moderate\n"
              "- Why: APT40: likely (79 %), from 2 independent groups of evidence\n\n"
              "## Competing hypotheses\n\n"
              "| Evidence | Kind | Group | APT40: likely, 79.6 % | Another actor: unlikely, 20.4 % "
              "|\n"
              "| --- | --- | --- | --- | --- |\n"
              "| ruru--54c77e1b0cf82d79 | ip | 0 | consistent (x2.93) | inconsistent (x1) |\n"
              "| 6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d | ip | 1 | consistent (x2) | "
              "inconsistent (x1) |\n"
              "| indicator--d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7f80\\#1 | ip | 2 | consistent "
              "(x2.93) | inconsistent (x1) |\n"
              "| ruru--5e019a6591fe829f | domain | 0 | consistent (x10.5) | inconsistent (x1) |\n"
              "\nReported by ruru.\n");
    /* the domain matched as mail.owa-login.example: one attribute, its sighting, its forms */
    CHECK_INT(find_attrs(e, "domain", "owa-login.example", found), 1);
    CHECK_STR(str(found[0], "comment"),
              "credential phishing portal; seen as: mail.owa-login.example");
    CHECK_STR(str(found[0], "category"), "Network activity");
    CHECK_STR(str(found[0], "first_seen"), "2024-07-11T21:05:55Z");
    CHECK_STR(tag_names(found[0]), "misp-galaxy:threat-actor=\"APT40\" tlp:amber");
    x = json_array_get(json_object_get(found[0], "Sighting"), 0);
    CHECK_STR(str(x, "date_sighting"), "1720731955");
    CHECK_STR(str(x, "source"), "ruru (apache)");
    /* 203.0.113.45: three intel records, one attribute with one sighting, in an ip-port object
     * (the MISP event gave it with port 443), with the admiralty and ATT&CK tags of its MISP
     * source */
    x = json_array_get(json_object_get(e, "Object"), 0);
    CHECK_STR(str(x, "name"), "ip-port");
    CHECK_STR(str(x, "template_uuid"), "9f8cea74-16fe-4968-a2b4-026676949ac6");
    CHECK_INT(find_attrs(e, "ip-src", "203.0.113.45", found), 1);
    CHECK_STR(str(found[0], "object_relation"), "ip");
    CHECK_INT(json_array_size(json_object_get(found[0], "Sighting")), 1);
    CHECK_STR(str(found[0], "comment"),
              "APT40 exploitation infrastructure; scanning Exchange servers; web shell callbacks");
    CHECK_STR(tag_names(found[0]),
              "admiralty-scale:information-credibility=\"2\" "
              "admiralty-scale:source-reliability=\"b\" "
              "misp-galaxy:mitre-attack-pattern=\"Exploit Public-Facing Application - T1190\" "
              "misp-galaxy:threat-actor=\"APT40\" tlp:amber");
    CHECK_INT(find_attrs(e, "port", "443", found), 1);
    CHECK_STR(str(found[0], "object_relation"), "dst-port");
    CHECK(json_is_false(json_object_get(found[0], "to_ids")));
    CHECK_INT(json_array_size(json_object_get(found[0], "Sighting")), 0);

    /* the DNS incident: the hash the MISP event paired with error3.aspx is a file object */
    e = json_array_get(events, 1);
    CHECK_STR(str(e, "threat_level_id"), "1");
    CHECK_STR(str(e, "extends_uuid"), ""); /* in no campaign */
    CHECK_INT(n_attrs[1], 6);
    x = json_array_get(json_object_get(e, "Object"), 0);
    CHECK_STR(str(x, "name"), "file");
    CHECK_STR(str(x, "template_uuid"), "688c46fb-5edb-40a3-8273-1af7923e2215");
    CHECK_STR(str(json_array_get(json_object_get(x, "Attribute"), 0), "object_relation"),
              "filename");
    CHECK_STR(str(json_array_get(json_object_get(x, "Attribute"), 0), "value"), "error3.aspx");
    CHECK(json_is_false(
            json_object_get(json_array_get(json_object_get(x, "Attribute"), 0), "to_ids")));
    CHECK_STR(str(json_array_get(json_object_get(x, "Attribute"), 1), "object_relation"), "sha256");
    CHECK_INT(find_attrs(e, "ip-dst", "198.51.100.0/24", found), 1); /* dns.answers */
    CHECK_STR(str(found[0], "comment"),
              "APT40 exploitation infrastructure; seen as: 198.51.100.80");

    /* EXCH01: the Sigma rules and the HTTP requests they matched */
    e = json_array_get(events, 2);
    CHECK_STR(str(e, "uuid"), "aa816eb6-45b7-5d55-baa9-b4340a2a4332");
    CHECK_STR(str(e, "threat_level_id"), "1");
    CHECK_STR(str(e, "extends_uuid"), "");
    CHECK_INT(n_attrs[2], 19);
    CHECK_STR(tag_names(e), "estimative-language:confidence-in-analytic-judgment=\"high\" "
                            "estimative-language:likelihood-probability=\"almost-certain\" "
                            "misp-galaxy:threat-actor=\"APT40\" tlp:amber");
    CHECK_INT(find_attrs(e, "sigma",
                         "title: \"Exchange web shell access - POST to an ASPX page that OWA "
                         "does not ship\"\nid: \"86c7b0cc-5fd2-4381-9ca3-53ad702c1bd8\"",
                         found),
              1);
    CHECK_STR(str(found[0], "comment"),
              "author: ruru developers; level: critical; ATT&CK: T1505.003");
    CHECK_STR(str(found[0], "category"), "Payload installation");
    CHECK(json_is_false(json_object_get(found[0], "to_ids")));
    CHECK_STR(str(json_array_get(json_object_get(found[0], "Sighting"), 0), "date_sighting"),
              "1720746940");
    CHECK_INT(find_attrs(e, "stix2-pattern",
                         "[network-traffic:extensions.'http-request-ext'.request_method = 'POST' "
                         "AND network-traffic:extensions.'http-request-ext'.request_value LIKE "
                         "'/owa/auth/%.aspx'] FOLLOWEDBY [network-traffic:extensions.'http-request-"
                         "ext'.request_value LIKE '/ecp/%'] WITHIN 3600 SECONDS",
                         found),
              1);
    CHECK_STR(str(json_array_get(json_object_get(found[0], "Sighting"), 0), "source"),
              "ruru (STIX pattern)");
    /* seen in the IIS log and in the HttpProxy log: two sightings */
    CHECK_INT(find_attrs(e, "ip-src", "203.0.113.45", found), 1);
    CHECK_INT(json_array_size(json_object_get(found[0], "Sighting")), 2);
    CHECK_STR(str(json_array_get(json_object_get(found[0], "Sighting"), 1), "source"),
              "ruru (csv)");
    x = json_object_get(e, "Object");
    CHECK_INT(json_array_size(x), 4);
    CHECK_STR(str(json_array_get(x, 0), "name"), "http-request");
    CHECK_STR(str(json_array_get(x, 3), "name"), "ip-port");
    /* the request the user-agent rule matched: method, path and agent, observed, not intel */
    CHECK_INT(find_attrs(e, "user-agent", "python-requests/2.31.0", found), 1);
    CHECK(json_is_false(json_object_get(found[0], "to_ids")));
    CHECK_STR(str(found[0], "object_relation"), "user-agent");
    CHECK_INT(find_attrs(e, "uri", "/ecp/default.flt", found), 1);
    CHECK_INT(find_attrs(e, "http-method", "POST", found), 3);

    json_decref(events);
    json_decref(doc);
    free(out);
    json_decref(model);
}

/* The same model gives the same bytes, whatever the order of its incidents and sightings. */
static void test_deterministic(void)
{
    json_t *model = load(MODEL), *incs = json_object_get(model, "incidents"), *rev, *inc;
    struct ruru_diag d;
    enum ruru_err err;
    char *a = write_misp(model, &err, &d), *b = write_misp(model, &err, &d), *c;
    size_t i;

    CHECK(a != NULL && b != NULL && strcmp(a, b) == 0);
    rev = json_array();
    for (i = json_array_size(incs); i-- > 0;) {
        json_t *s = json_object_get(json_array_get(incs, i), "sightings"), *rs = json_array();
        inc = json_deep_copy(json_array_get(incs, i));
        for (size_t k = json_array_size(s); k-- > 0;)
            json_array_append(rs, json_array_get(s, k));
        json_object_set_new(inc, "sightings", rs);
        json_array_append_new(rev, inc);
    }
    json_object_set_new(model, "incidents", rev);
    c = write_misp(model, &err, &d);
    CHECK(a != NULL && c != NULL && strcmp(a, c) == 0);
    free(a);
    free(b);
    free(c);
    json_decref(model);
}

/* ---- the round trip ---------------------------------------------------------------------------
 */

static char tmpdir[64];

static const char *write_tmp(const char *name, const char *text)
{
    static char path[128];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

static json_t *import(ruru_store *s, const char *path)
{
    struct ruru_import_opts o;
    struct ruru_diag d;
    char *report = NULL;
    json_t *r, *file;

    memset(&o, 0, sizeof(o));
    o.format = "misp";
    CHECK_INT(ruru_intel_import(s, path, &o, &report, &d), RURU_OK);
    r = parse(report);
    ruru_free(report);
    file = json_incref(json_array_get(json_object_get(r, "files"), 0));
    json_decref(r);
    return file;
}

static json_t *search(ruru_store *s, const char *value)
{
    struct ruru_diag d;
    char *out = NULL;
    json_t *r;

    CHECK_INT(ruru_intel_search(s, value, INT64_MIN, &out, &d), RURU_OK);
    r = parse(out);
    ruru_free(out);
    return r;
}

/* The imported records of this type and value (equal values, not a range holding one): one
 * per event that has the value. */
static json_t *records(json_t *found, const char *type, const char *value)
{
    json_t *m, *out = json_array();
    size_t i;

    json_array_foreach(json_object_get(found, "matches"), i, m)
    {
        if (strcmp(str(m, "type"), type) == 0 && strcmp(str(m, "value"), value) == 0)
            json_array_append(out, m);
    }
    return out;
}

static bool has_string(json_t *list, const char *key, const char *s)
{
    json_t *x;
    size_t i;

    json_array_foreach(list, i, x)
    {
        const char *v = key != NULL ? str(x, key) : json_string_value(x);
        if (v != NULL && strcmp(v, s) == 0)
            return true;
    }
    return false;
}

/* Whether one of the records has s in its list `list` (of objects with `key`, or of strings). */
static bool has_in(json_t *recs, const char *list, const char *key, const char *s)
{
    json_t *m;
    size_t i;

    json_array_foreach(recs, i, m)
    {
        if (has_string(json_object_get(m, list), key, s))
            return true;
    }
    return false;
}

static void test_round_trip(void)
{
    json_t *model = load(MODEL), *doc, *file, *rej, *inc, *s, *x;
    struct ruru_diag d;
    enum ruru_err err;
    char *out = write_misp(model, &err, &d);
    ruru_store *st = NULL;
    size_t i, j, k;

    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &st, &d), RURU_OK);
    file = import(st, write_tmp("examples.misp.json", out != NULL ? out : ""));
    CHECK_STR(str(file, "status"), "imported");
    CHECK_STR(str(file, "format"), "misp");
    /* one indicator per attribute and event: 2 + 4 + 8 meant for detection */
    CHECK_INT(json_integer_value(json_object_get(file, "indicators")), 14);
    doc = json_object_get(file, "by_type");
    CHECK_INT(json_integer_value(json_object_get(doc, "ipv4")), 4);
    CHECK_INT(json_integer_value(json_object_get(doc, "cidr4")), 2);
    CHECK_INT(json_integer_value(json_object_get(doc, "domain")), 3);
    CHECK_INT(json_integer_value(json_object_get(doc, "url")), 2);
    CHECK_INT(json_integer_value(json_object_get(doc, "sha256")), 1);
    CHECK_INT(json_integer_value(json_object_get(doc, "filename")), 1);
    CHECK_INT(json_integer_value(json_object_get(doc, "stix-pattern")), 1);
    /* what was observed, not intel, comes back as context: the HTTP requests, error3.aspx as
     * the file name the intel paired with the hash */
    CHECK_INT(json_integer_value(json_object_get(file, "context")), 5);
    /* refused by the importer: what names no value ruru matches (rules, ports, methods) */
    CHECK_INT(json_integer_value(json_object_get(file, "rejected")), 9);
    json_array_foreach(json_object_get(file, "rejections"), i, rej)
    {
        static const char *const TYPES[] = {"sigma", "port", "http-method", NULL};
        CHECK_STR(str(rej, "reason"), "unsupported attribute type");
        CHECK(one_of(str(rej, "value"), TYPES));
    }
    /* Every indicator of the model is in the store again, with its actors and techniques. */
    json_array_foreach(json_object_get(model, "incidents"), i, inc)
    {
        json_array_foreach(json_object_get(inc, "sightings"), j, s)
        {
            json_t *ind = json_object_get(json_object_get(s, "ruru"), "indicator"), *found, *m,
                   *recs;
            size_t n_ids;
            if (ind == NULL)
                continue;
            found = search(st, str(ind, "value"));
            recs = records(found, str(ind, "type"), str(ind, "value"));
            CHECK(json_array_size(recs) > 0);
            /* meant for detection in the event of an incident that sighted it */
            n_ids = 0;
            json_array_foreach(recs, k, m)
            {
                n_ids += json_is_true(json_object_get(m, "to_ids")) &&
                         strcmp(str(m, "tlp"), str(s, "tlp")) == 0;
            }
            CHECK(n_ids > 0);
            json_array_foreach(json_object_get(ind, "actors"), k, x)
            {
                CHECK(has_in(recs, "actors", "name", str(x, "name")));
            }
            json_array_foreach(json_object_get(ind, "techniques"), k, x)
            {
                CHECK(has_in(recs, "techniques", NULL, json_string_value(x)));
            }
            json_decref(recs);
            json_decref(found);
        }
    }
    json_decref(file);
    ruru_store_close(st);
    free(out);
    json_decref(model);
}

/* One incident: {"Event": ...}, which the importer reads too; none: an empty list. */
static void test_shapes(void)
{
    json_t *model = load(MODEL), *incs = json_object_get(model, "incidents"), *doc, *file;
    struct ruru_diag d;
    enum ruru_err err;
    ruru_store *st = NULL;
    struct ruru_buf small;
    char *out;

    json_array_remove(incs, 2);
    json_array_remove(incs, 1);
    out = write_misp(model, &err, &d);
    doc = parse(out);
    CHECK(json_object_get(doc, "Event") != NULL && json_object_get(doc, "response") == NULL);
    CHECK_INT(check_event(json_object_get(doc, "Event")), 3);
    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &st, &d), RURU_OK);
    file = import(st, write_tmp("one.misp.json", out != NULL ? out : ""));
    CHECK_INT(json_integer_value(json_object_get(file, "indicators")), 2);
    CHECK_INT(json_integer_value(json_object_get(file, "rejected")), 1); /* the port */
    json_decref(file);
    ruru_store_close(st);
    json_decref(doc);
    free(out);

    /* an output too small: RURU_ELIMIT, and the output as it was */
    ruru_buf_init(&small, 64);
    CHECK_INT(ruru_buf_adds(&small, "kept"), RURU_OK);
    CHECK_INT(ruru_share_misp(model, &small, &d), RURU_ELIMIT);
    CHECK_STR(d.msg, "the MISP export does not fit the output");
    CHECK_STR(ruru_buf_str(&small), "kept");
    ruru_buf_fini(&small);

    json_array_clear(incs);
    out = write_misp(model, &err, &d);
    CHECK_STR(out, "{\n  \"response\": []\n}\n");
    free(out);
    json_decref(model);
}

/* ---- hostile text ---------------------------------------------------------------------------- */

#define H                                                    \
    "q\"uote \\back\\slash \x01"                             \
    "ctl\nnew line <script>alert(1)</script> |pipe| [x](y) " \
    "@[attribute](z)"
#define BAD       "bad \xff\xc3( utf8 \xed\xa0\x80 end"
#define BAD_CLEAN "bad \xef\xbf\xbd\xef\xbf\xbd( utf8 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end"

static bool utf8_chars(const char *s, size_t *n)
{
    *n = 0;
    for (; *s != '\0'; s++)
        *n += ((unsigned char)*s & 0xc0) != 0x80;
    return true;
}

static bool has_control(const char *s)
{
    for (; s != NULL && *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static json_t *hostile_model(void)
{
    json_t *m = json_pack(
            "{si s{ss ss} s[{ss ss ss ss ss ss ss s{ss ss sf ss ss s[{ss sf ss}] s[{ss ss si "
            "s[{ss sf} {ss sf}]}]} s[{ss ss s{ss s{ss} ss s{ss ss ss sb s[{ss}] s[s s s s] s[s s] "
            "ss "
            "ss}}} {ss ss s{s{ss ss ss ss s[s s]} s[{ss ss} {ss ss} {ss ss}] ss}}]}"
            "{ss ss ss ss ss s[]}]}",
            "ruru_export", 1, "cert", "name", H, "contact", H, "incidents",
            /* incident 1 */
            "id", "ruru-incident--" H, "asset", H, "first", "2024-07-12T01:15:40Z", "updated",
            "2026-12-05T09:37:07Z", "severity", "high", "campaign", H, "tlp", "amber", "judgement",
            "actor", H, "words", "likely", "probability", 0.75, "confidence", "moderate", "why", H,
            "hypotheses", "actor", H, "probability", 0.75, "words", H, "table", "evidence", H,
            "kind", H, "group", 1, "cells", "verdict", H, "ratio", 2.0, "verdict", H, "ratio", 1.0,
            "sightings",
            /* an indicator sighting */
            "@timestamp", "2024-07-12T01:15:40Z", "tlp", "amber", "ruru", "observed", H, "field",
            "canonical", "source.ip", "format", H, "indicator", "type", "domain", "value", H,
            "description", H, "to_ids", 1, "actors", "name", H, "labels", H, "tlp:green",
            "misp-galaxy:-", "misp-galaxy:mitre-attack-pattern=\"Command - T1059\"", "techniques",
            H, "T1059", "context", "filename=" H, "id", H,
            /* a rule sighting */
            "@timestamp", "2024-07-12T01:15:41Z", "tlp", "red", "ruru", "rule", "title", H, "id", H,
            "author", H, "level", H, "tags", H, H, "matched", "canonical", "url.path", "value", H,
            "canonical", "user_agent.original", "value", H, "canonical", "http.request.method",
            "value", H, "format", "w3c",
            /* incident 2: a long asset */
            "id", "ruru-incident--2", "asset", "", "first", "2024-07-13T00:00:00Z", "severity",
            "informational", "tlp", "clear", "sightings");
    json_t *inc1 = json_array_get(json_object_get(m, "incidents"), 0);
    json_t *inc2 = json_array_get(json_object_get(m, "incidents"), 1);
    json_t *s0 = json_array_get(json_object_get(inc1, "sightings"), 0);
    json_t *s1 = json_array_get(json_object_get(inc1, "sightings"), 1);
    json_t *ind = json_object_get(json_object_get(s0, "ruru"), "indicator");
    json_t *rule = json_object_get(json_object_get(s1, "ruru"), "rule");
    char asset[2 * 600 + 1];

    CHECK(m != NULL && ind != NULL && rule != NULL);
    /* invalid UTF-8 (jansson would refuse it from text: a model built in memory may hold it) */
    json_object_set_new(ind, "description", json_string_nocheck(BAD));
    json_array_append_new(json_object_get(ind, "labels"), json_string_nocheck(BAD));
    json_object_set_new(rule, "author", json_string_nocheck(BAD));
    for (size_t i = 0; i < 600; i++)
        memcpy(asset + 2 * i, "\xc3\xa9", 2); /* é */
    asset[sizeof(asset) - 1] = '\0';
    json_object_set_new(inc2, "asset", json_string(asset));
    return m;
}

static void test_hostile(void)
{
    json_t *m = hostile_model(), *doc, *events, *e, *x, *found[8];
    struct ruru_diag d;
    enum ruru_err err;
    char *out = write_misp(m, &err, &d), *twice;
    const char *content;
    size_t n;

    CHECK_INT(err, RURU_OK);
    /* valid JSON, and valid UTF-8 (jansson checks it when it reads) */
    doc = parse(out);
    events = events_of(doc);
    CHECK_INT(json_array_size(events), 2);
    e = json_array_get(events, 0);
    check_event(e);
    CHECK(!has_control(str(e, "info")));
    CHECK(utf8_chars(str(e, "info"), &n) && n <= 256);
    CHECK(strstr(str(e, "info"), "<script>alert(1)</script>") != NULL); /* text, kept as text */
    CHECK_STR(str(e, "distribution"), "0"); /* a red sighting makes the event red */
    CHECK(has_tag(e, "tlp:red"));
    /* the value keeps its bytes (control characters and all); jansson escapes them */
    CHECK_INT(find_attrs(e, "domain", H, found), 1);
    CHECK(has_tag(found[0], "tlp:amber"));
    CHECK(!has_tag(found[0], "tlp:green")); /* the source's TLP label is not the sighting's */
    CHECK(has_tag(found[0], BAD_CLEAN));
    CHECK(strstr(str(found[0], "comment"), BAD_CLEAN) != NULL);
    /* ATT&CK: what no galaxy tag tells (T1059 is told by its tag) */
    CHECK(strstr(str(found[0], "comment"), "; ATT&CK: q\"uote") != NULL);
    CHECK(strstr(str(found[0], "comment"), "T1059") == NULL);
    CHECK(has_tag(found[0], "misp-galaxy:-"));
    CHECK(!has_control(str(found[0], "comment")));
    x = json_array_get(json_object_get(found[0], "Sighting"), 0);
    CHECK(!has_control(str(x, "source")));
    /* the rule: a YAML value of two lines whatever its title holds */
    x = json_object_get(e, "Attribute");
    for (size_t i = 0; i < json_array_size(x); i++)
        if (strcmp(str(json_array_get(x, i), "type"), "sigma") == 0) {
            const char *v = str(json_array_get(x, i), "value"), *nl = strchr(v, '\n');
            static const char title[] =
                    "title: \"q\\\"uote \\\\back\\\\slash  ctl new line <script>";
            CHECK(strncmp(v, title, strlen(title)) == 0);
            CHECK(strstr(str(json_array_get(x, i), "comment"),
                         "author: " BAD_CLEAN "; level: q\"uote") != NULL);
            CHECK(nl != NULL && strchr(nl + 1, '\n') == NULL && strncmp(nl, "\nid: \"", 6) == 0);
            CHECK(has_tag(json_array_get(x, i), "tlp:red"));
        }
    /* the request it matched: an http-request object with the text as it was */
    CHECK_INT(find_attrs(e, "uri", H, found), 1);
    CHECK(has_tag(found[0], "tlp:red"));
    /* the report: Markdown that makes no markup of the text */
    content = str(json_array_get(json_object_get(e, "EventReport"), 0), "content");
    CHECK(content != NULL && strstr(content, "<script>") == NULL);
    CHECK(content != NULL && strstr(content, "\\<script\\>alert(1)\\</script\\>") != NULL);
    CHECK(content != NULL && strstr(content, "@\\[attribute\\](z)") != NULL);
    CHECK(content != NULL && strstr(content, "\\|pipe\\|") != NULL);
    CHECK(content != NULL &&
          strstr(content, "- Why: q\"uote \\\\back\\\\slash  ctl new line") != NULL);
    CHECK(content != NULL && strstr(content, "\nTLP:RED\n") != NULL);
    CHECK(!has_control(str(json_array_get(json_object_get(e, "EventReport"), 0), "name")));
    CHECK(strstr(str(json_object_get(e, "Orgc"), "name"), "\n") == NULL);
    /* the second incident: info cut at 256 characters, not inside one */
    e = json_array_get(events, 1);
    check_event(e);
    CHECK(utf8_chars(str(e, "info"), &n) && n == 256);
    CHECK_STR(str(e, "threat_level_id"), "4");
    CHECK_STR(str(e, "distribution"), "3");
    CHECK_STR(tag_names(e), "tlp:clear");
    CHECK_STR(str(json_array_get(json_object_get(e, "EventReport"), 0), "name"),
              "Attribution: not attributed");
    twice = write_misp(m, &err, &d);
    CHECK(out != NULL && twice != NULL && strcmp(out, twice) == 0);
    free(twice);
    json_decref(events);
    json_decref(doc);
    free(out);
    json_decref(m);
}

/* ---- models that are not ones -----------------------------------------------------------------
 */

static void expect_einval(json_t *m, const char *msg)
{
    struct ruru_diag d;
    enum ruru_err err;
    char *out = write_misp(m, &err, &d);

    CHECK(out == NULL);
    CHECK_INT(err, RURU_EINVAL);
    CHECK_STR(d.msg, msg);
    free(out);
    json_decref(m);
}

static void test_not_models(void)
{
    expect_einval(json_array(),
                  "not an export model: no {\"ruru_export\": 1, \"incidents\": [...]}");
    expect_einval(json_pack("{si s[]}", "ruru_export", 2, "incidents"),
                  "not an export model: no {\"ruru_export\": 1, \"incidents\": [...]}");
    expect_einval(json_pack("{si s{}}", "ruru_export", 1, "incidents"),
                  "not an export model: no {\"ruru_export\": 1, \"incidents\": [...]}");
    expect_einval(json_pack("{si s[i]}", "ruru_export", 1, "incidents", 5),
                  "not an export model: an incident that is no object");
    expect_einval(json_pack("{si s[{ss}]}", "ruru_export", 1, "incidents", "tlp", "amber"),
                  "not an export model: an incident without an id");
    expect_einval(json_pack("{si s[{ss}]}", "ruru_export", 1, "incidents", "id", "i\n1"),
                  "not an export model: no TLP in i?1");
    expect_einval(
            json_pack("{si s[{ss ss}]}", "ruru_export", 1, "incidents", "id", "i1", "tlp", "white"),
            "not an export model: no TLP in i1");
    expect_einval(json_pack("{si s[{ss ss s[{ss}]}]}", "ruru_export", 1, "incidents", "id", "i1",
                            "tlp", "amber", "sightings", "tlp", "purple"),
                  "not an export model: a sighting without a TLP in i1");
    expect_einval(json_pack("{si s[{ss ss s[{ss s{s{ss}}}]}]}", "ruru_export", 1, "incidents", "id",
                            "i1", "tlp", "amber", "sightings", "tlp", "amber", "ruru", "indicator",
                            "type", "domain"),
                  "not an export model: an indicator without type or value in i1");
}

/* ---- allocation failures ----------------------------------------------------------------------
 */

/* Every allocation (ruru's and jansson's) failing in turn: RURU_ENOMEM, nothing leaked (ASan),
 * and the same bytes once memory suffices. */
static void test_oom(void)
{
    json_t *model = load(MODEL), *incs = json_object_get(model, "incidents");
    struct ruru_diag d;
    struct ruru_buf b;
    enum ruru_err err;
    char *want;
    uint64_t before, total;
    int bad = 0;

    /* One incident with a sighting of each kind (the failures cost the square of its size):
     * EXCH01's pattern, its address the intel pairs with a port, its file name and a rule,
     * and the hash the intel pairs with a file name from the DNS incident. */
    static const size_t keep[] = {0, 2, 4, 5};
    json_t *exch = json_array_get(incs, 2), *dns = json_array_get(incs, 1), *some = json_array();

    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
        json_array_append(some, json_array_get(json_object_get(exch, "sightings"), keep[i]));
    json_array_append(some, json_array_get(json_object_get(dns, "sightings"), 7));
    json_object_set_new(exch, "sightings", some);
    json_array_remove(incs, 1);
    json_array_remove(incs, 0);
    want = write_misp(model, &err, &d);
    some = parse(want);
    CHECK_INT(json_array_size(json_object_get(json_object_get(some, "Event"), "Object")), 3);
    json_decref(some);
    json_set_alloc_funcs(ruru_malloc, ruru_free);
    before = ruru_alloc_count();
    ruru_buf_init(&b, (size_t)1 << 28);
    CHECK_INT(ruru_share_misp(model, &b, &d), RURU_OK);
    ruru_buf_fini(&b);
    total = ruru_alloc_count() - before;
    CHECK(total > 500);
    for (uint64_t i = 1; i <= total + 1; i++) {
        ruru_buf_init(&b, (size_t)1 << 28);
        ruru_alloc_fail_at(i);
        err = ruru_share_misp(model, &b, &d);
        ruru_alloc_fail_at(0);
        if (err == RURU_OK)
            bad += want == NULL || b.len != strlen(want) || memcmp(b.ptr, want, b.len) != 0;
        else
            bad += err != RURU_ENOMEM || b.len != 0;
        ruru_buf_fini(&b);
    }
    json_set_alloc_funcs(malloc, free);
    CHECK_INT(bad, 0);
    free(want);
    json_decref(model);
}

/* ---- the core format's own lists --------------------------------------------------------------
 */

/* Every (category, type) the examples give is one the core format lists. */
static void test_categories_corpus(void)
{
    FILE *f = fopen(shared_path("misp/format/misp-core-format.md"), "r");
    json_t *model = load(MODEL), *valid = json_object(), *doc, *events, *e, *a, *o;
    struct ruru_diag d;
    enum ruru_err err;
    char line[8192], category[128] = "", *out;
    size_t i, j, k, checked = 0;

    CHECK(f != NULL);
    /* "Antivirus detection\n:   link, comment, ..." - the first list, the attributes' */
    while (f != NULL && fgets(line, sizeof(line), f) != NULL &&
           strstr(line, "#### category") == NULL) {
        if (strncmp(line, ":   ", 4) == 0 && category[0] != '\0') {
            char *tok, *save;
            for (tok = strtok_r(line + 4, ",\n", &save); tok != NULL;
                 tok = strtok_r(NULL, ",\n", &save)) {
                char key[256];
                snprintf(key, sizeof(key), "%s/%s", category, tok + (*tok == ' '));
                json_object_set_new(valid, key, json_true());
            }
        } else if (line[0] != '\n' && line[0] != ':') {
            snprintf(category, sizeof(category), "%.*s", (int)strcspn(line, "\n"), line);
        }
    }
    if (f != NULL)
        fclose(f);
    CHECK(json_object_get(valid, "Network activity/ip-src") != NULL);
    out = write_misp(model, &err, &d);
    doc = parse(out);
    events = events_of(doc);
    json_array_foreach(events, i, e)
    {
        json_t *lists = json_pack("[O]", json_object_get(e, "Attribute"));
        json_array_foreach(json_object_get(e, "Object"), j, o)
        {
            json_array_append(lists, json_object_get(o, "Attribute"));
        }
        json_array_foreach(lists, j, o)
        {
            json_array_foreach(o, k, a)
            {
                char key[256];
                snprintf(key, sizeof(key), "%s/%s", str(a, "category"), str(a, "type"));
                CHECK(json_object_get(valid, key) != NULL);
                checked++;
            }
        }
        json_decref(lists);
    }
    CHECK_INT(checked, 28);
    json_decref(events);
    json_decref(doc);
    free(out);
    json_decref(valid);
    json_decref(model);
}

int main(int argc, char **argv)
{
    bool corpus = corpus_part(argc, argv);

    if (corpus) {
        SHARED_OR_SKIP();
        test_categories_corpus();
        return check_done();
    }
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/ruru-test-share-misp-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    test_examples();
    test_deterministic();
    test_round_trip();
    test_shapes();
    test_hostile();
    test_not_models();
    test_oom();
    unlink(write_tmp("examples.misp.json", ""));
    unlink(write_tmp("one.misp.json", ""));
    rmdir(tmpdir);
    return check_done();
}
