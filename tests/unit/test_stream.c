/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stream worker's parts without a broker: the engine's memory inputs (named, plain and
 * gzip, format forced or detected, the engine reused across sweeps and stale after an
 * import), --kafka-config lines, the status document and the sightings-topic records.
 */
#include <jansson.h>
#include <ruru.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "scan/engine.h"
#include "stream/stream_int.h"

static char dir[64];

static const char *path_of(const char *name)
{
    static char buf[256];
    snprintf(buf, sizeof(buf), "%s/%s", dir, name);
    return buf;
}

struct got {
    json_t *docs;
};

static int on_sighting(void *ctx, const char *json)
{
    struct got *g = ctx;
    json_array_append_new(g->docs, json_loads(json, 0, NULL));
    return 0;
}

static void import(ruru_store *s, const char *name, const char *text)
{
    struct ruru_import_opts o;
    struct ruru_diag d;
    char *report = NULL;
    FILE *f = fopen(path_of(name), "w");

    fputs(text, f);
    fclose(f);
    memset(&o, 0, sizeof(o));
    CHECK_INT(ruru_intel_import(s, path_of(name), &o, &report, &d), RURU_OK);
    ruru_free(report);
}

static size_t gz(const char *text, unsigned char *out, size_t cap)
{
    z_stream z;
    size_t n;

    memset(&z, 0, sizeof(z));
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (unsigned char *)(uintptr_t)text;
    z.avail_in = (uInt)strlen(text);
    z.next_out = out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    n = z.total_out;
    deflateEnd(&z);
    return n;
}

/* A run of named one-line JSON records (data: the lines, each ending in a newline). */
static struct ruru_scan_input
run_of(const char *data, size_t len, const char *const *names, size_t n_names)
{
    struct ruru_scan_input run;

    memset(&run, 0, sizeof(run));
    run.path = names[0];
    run.data = data;
    run.len = len;
    run.format = "jsonl";
    run.names = names;
    run.n_names = n_names;
    return run;
}

static void engine_memory_inputs(void)
{
    ruru_store *s = NULL;
    struct ruru_engine *e = NULL;
    struct ruru_scan_opts o;
    struct ruru_diag d;
    struct got g = {json_array()};
    static const char plain[] =
            "{\"host\":{\"name\":\"ws-1\"},\"source\":{\"ip\":\"10.0.0.1\"}}\n"
            "{\"host\":{\"name\":\"ws-1\"},\"source\":{\"ip\":\"203.0.113.45\"}}\n";
    unsigned char zipped[512];
    size_t zn = gz(plain, zipped, sizeof(zipped));
    struct ruru_scan_input in[2];
    struct ruru_sweep_totals t;
    json_t *a, *b;

    CHECK_INT(ruru_store_open(path_of("home"), &s, &d), RURU_OK);
    import(s, "a.csv", "type,value\nip,203.0.113.45\n");
    memset(&o, 0, sizeof(o));
    o.no_builtin_rules = true;
    o.threads = 1;
    o.on_sighting = on_sighting;
    o.ctx = &g;
    CHECK_INT(ruru_engine_open(s, &o, &e, &d), RURU_OK);
    CHECK(!ruru_engine_stale(e));
    memset(in, 0, sizeof(in));
    in[0].path = "kafka:logs/0/41";
    in[0].data = plain;
    in[0].len = strlen(plain);
    in[1].path = "kafka:logs/0/42";
    in[1].data = (const char *)zipped;
    in[1].len = zn;
    in[1].format = "jsonl";
    CHECK_INT(ruru_engine_sweep(e, in, 2, false, NULL, &t, &d), RURU_OK);
    CHECK_INT(t.lines, 4);
    CHECK_INT(t.sightings, 2);
    CHECK_STR(in[0].detected, "jsonl");
    CHECK_STR(in[1].detected, "jsonl");
    CHECK_INT(json_array_size(g.docs), 2);
    a = json_array_get(g.docs, 0);
    b = json_array_get(g.docs, 1);
    CHECK_STR(json_string_value(
                      json_object_get(json_object_get(json_object_get(a, "log"), "file"), "path")),
              "kafka:logs/0/41");
    /* the second line of the message: its offset and line in the decoded message */
    CHECK_INT(json_integer_value(json_object_get(json_object_get(a, "log"), "offset")),
              (long long)(strchr(plain, '\n') - plain + 1));
    CHECK_INT(json_integer_value(json_object_get(json_object_get(a, "ruru"), "line")), 2);
    CHECK_STR(json_string_value(
                      json_object_get(json_object_get(json_object_get(b, "log"), "file"), "path")),
              "kafka:logs/0/42");
    /* the same line in another message: the same hash */
    CHECK_STR(json_string_value(json_object_get(json_object_get(a, "ruru"), "sha256")),
              json_string_value(json_object_get(json_object_get(b, "ruru"), "sha256")));
    /* the engine again: the same sightings */
    a = json_deep_copy(a);
    json_array_clear(g.docs);
    CHECK_INT(ruru_engine_sweep(e, in, 1, false, NULL, &t, &d), RURU_OK);
    CHECK_INT(json_array_size(g.docs), 1);
    CHECK(json_equal(json_array_get(g.docs, 0), a));
    /* a run of one-line messages swept as one input: each line placed on its own message */
    {
        static const char *const names[] = {"kafka:logs/1/7", "kafka:logs/1/8"};
        struct ruru_scan_input run;
        json_t *c;
        run = run_of(plain, strlen(plain), names, 2);
        json_array_clear(g.docs);
        CHECK_INT(ruru_engine_sweep(e, &run, 1, false, NULL, &t, &d), RURU_OK);
        CHECK_INT(t.lines, 2);
        CHECK_INT(json_array_size(g.docs), 1);
        c = json_array_get(g.docs, 0);
        CHECK_STR(json_string_value(json_object_get(
                          json_object_get(json_object_get(c, "log"), "file"), "path")),
                  "kafka:logs/1/8");
        CHECK_INT(json_integer_value(json_object_get(json_object_get(c, "log"), "offset")), 0);
        CHECK_INT(json_integer_value(json_object_get(json_object_get(c, "ruru"), "line")), 1);
        CHECK_STR(json_string_value(json_object_get(json_object_get(c, "ruru"), "sha256")),
                  json_string_value(json_object_get(json_object_get(a, "ruru"), "sha256")));
    }
    /* the same messages swept one by one and as a run give the same sightings, each at the
     * same place: hostile lines among them (invalid UTF-8, a NUL, blanks, a long one, one cut
     * short, one that is not JSON) */
    {
        static const char *const names[] = {"m/0", "m/1", "m/2", "m/3", "m/4", "m/5", "m/6"};
        static const char with_nul[] = "{\"source\":{\"ip\":\"203.0.113.45\"},\"x\":\"a\0b\"}";
        char *long_line = malloc(100000);
        const char *msgs[7];
        size_t lens[7], total = 0;
        char *joined;
        struct ruru_scan_input one[7], run;
        json_t *alone, *joint;
        size_t k;
        json_t *doc;
        snprintf(long_line, 100000, "{\"source\":{\"ip\":\"203.0.113.45\"},\"pad\":\"%0*d\"}",
                 99000, 0);
        msgs[0] = "{\"host\":{\"name\":\"ws-\xff\xfe\"},\"source\":{\"ip\":\"203.0.113.45\"}}";
        msgs[1] = with_nul;
        msgs[2] = "   ";
        msgs[3] = long_line;
        msgs[4] = "{\"source\":{\"ip\":\"203.0.113.45\"";
        msgs[5] = "not json 203.0.113.45";
        msgs[6] = "{\"destination\":{\"ip\":\"203.0.113.45\"}}";
        for (k = 0; k < 7; k++) {
            lens[k] = k == 1 ? sizeof(with_nul) - 1 : strlen(msgs[k]);
            total += lens[k] + 1;
        }
        joined = malloc(total);
        total = 0;
        memset(one, 0, sizeof(one));
        for (k = 0; k < 7; k++) {
            one[k].path = names[k];
            one[k].data = msgs[k];
            one[k].len = lens[k];
            one[k].format = "jsonl";
            memcpy(joined + total, msgs[k], lens[k]);
            joined[total + lens[k]] = '\n';
            total += lens[k] + 1;
        }
        json_array_clear(g.docs);
        CHECK_INT(ruru_engine_sweep(e, one, 7, false, NULL, &t, &d), RURU_OK);
        alone = json_deep_copy(g.docs);
        run = run_of(joined, total, names, 7);
        json_array_clear(g.docs);
        CHECK_INT(ruru_engine_sweep(e, &run, 1, false, NULL, &t, &d), RURU_OK);
        CHECK_INT(t.lines, 7);
        joint = g.docs;
        CHECK(json_array_size(alone) >= 4);
        CHECK_INT(json_array_size(joint), json_array_size(alone));
        json_array_foreach(alone, k, doc)
        {
            /* in order: the run's lines are the messages, in the messages' order */
            CHECK(json_equal(doc, json_array_get(joint, k)));
        }
        json_decref(alone);
        free(joined);
        free(long_line);
    }
    json_decref(a);
    /* an import makes the engine stale */
    import(s, "b.csv", "type,value\nip,198.51.100.9\n");
    CHECK(ruru_engine_stale(e));
    /* an unknown forced format is refused */
    in[0].format = "nosuch";
    CHECK_INT(ruru_engine_sweep(e, in, 1, false, NULL, NULL, &d), RURU_EINVAL);
    {
        static const char apache[] =
                "10.0.0.1 - - [12/Jul/2024:01:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"\n";
        CHECK_STR(ruru_engine_detect(apache, strlen(apache)), "apache");
    }
    ruru_engine_close(e);
    ruru_store_close(s);
    json_decref(g.docs);
}

static void kafka_config(void)
{
    struct ruru_diag d;
    static const char good[] = "# TLS\n\n  security.protocol = SSL \nclient.rack=r1\n";
    static const char unknown[] = "acks=all\nno.such.thing=1\n";
    static const char noeq[] = "# x\nsasl.mechanism\n";
    static const char secret[] = "sasl.password=Hunter2\nssl.key.password=\n";
    static const char badval[] = "acks=sometimes\n";
    rd_kafka_conf_t *conf;
    char v[64], why[300];
    size_t vn = sizeof(v);

    /* the library's table of librdkafka (the calls below go through it) */
    CHECK(ruru_rdk_load(why, sizeof(why)));
    conf = rd_kafka_conf_new();
    CHECK_INT(ruru_kafka_conf_apply(conf, good, strlen(good), "k.conf", &d), RURU_OK);
    CHECK_INT(rd_kafka_conf_get(conf, "security.protocol", v, &vn), RD_KAFKA_CONF_OK);
    CHECK_STR(v, "ssl");
    rd_kafka_conf_destroy(conf);
    CHECK_INT(ruru_kafka_conf_apply(NULL, unknown, strlen(unknown), "k.conf", &d), RURU_EINVAL);
    CHECK_INT(d.line, 2);
    CHECK_STR(d.source, "k.conf");
    CHECK_STR(d.msg, "unknown librdkafka property \"no.such.thing\"");
    CHECK_INT(ruru_kafka_conf_apply(NULL, noeq, strlen(noeq), "k.conf", &d), RURU_EINVAL);
    CHECK_INT(d.line, 2);
    CHECK_INT(ruru_kafka_conf_apply(NULL, secret, strlen(secret), "k.conf", &d), RURU_OK);
    CHECK_INT(ruru_kafka_conf_apply(NULL, badval, strlen(badval), "k.conf", &d), RURU_EINVAL);
    CHECK_INT(d.line, 1);
    CHECK(strstr(d.msg, "acks") != NULL);
}

static void status_and_records(void)
{
    struct ruru_kafka_stats st;
    struct ruru_diag d;
    json_t *doc, *back;
    size_t klen = 0;
    const char *key;
    static const char rec[] =
            "{\"log\":{\"file\":{\"path\":\"kafka:logs/2/9\"},\"offset\":0},"
            "\"ruru\":{\"sha256\":\"00112233445566778899aabbccddeeff00112233445566"
            "778899aabbccddeeff\",\"indicator\":{\"id\":\"x\"}}}\n";

    memset(&st, 0, sizeof(st));
    st.messages = 7;
    st.lag = -1;
    doc = ruru_kafka_status_json(&st, "g", "c1", 0);
    CHECK_INT(json_integer_value(json_object_get(doc, "messages")), 7);
    CHECK(json_is_null(json_object_get(doc, "lag")));
    CHECK_STR(json_string_value(json_object_get(doc, "updated")), "1970-01-01T00:00:00Z");
    CHECK_INT(ruru_kafka_status_write(doc, path_of("status.json"), &d), RURU_OK);
    back = json_load_file(path_of("status.json"), 0, NULL);
    CHECK(back != NULL && json_equal(back, doc));
    CHECK(access(path_of("status.json.tmp"), F_OK) != 0);
    json_decref(back);
    json_decref(doc);
    CHECK_INT(ruru_kafka_sighting_read(rec, strlen(rec), &doc, &d), RURU_OK);
    key = ruru_kafka_sighting_key(doc, &klen);
    CHECK_INT(klen, strlen("kafka:logs/2"));
    CHECK(strncmp(key, "kafka:logs/2", klen) == 0);
    json_object_set_new(json_object_get(doc, "ruru"), "asset", json_string("ws-1"));
    CHECK_STR(ruru_kafka_sighting_key(doc, &klen), "ws-1");
    json_decref(doc);
    CHECK_INT(ruru_kafka_sighting_read("nope", 4, &doc, &d), RURU_EPARSE);
    CHECK_INT(ruru_kafka_sighting_read("[]", 2, &doc, &d), RURU_EPARSE);
    CHECK_STR(d.msg, "not a sighting: not a JSON object");
    CHECK_INT(ruru_kafka_sighting_read("{\"ruru\":{}}", 11, &doc, &d), RURU_EPARSE);
    CHECK_STR(d.msg, "not a sighting: no ruru.indicator or ruru.rule");
    CHECK_INT(ruru_kafka_sighting_read("", 0, &doc, &d), RURU_EPARSE);
}

/* Which messages join a run: one plain line; not what the sweep tells by its first bytes (a
 * gzip, zstd or event-log signature would take the whole run for it), not a line end, not
 * empty, not over 64 KiB. */
static void joinable(void)
{
    static const char evtx[] = "ElfFile\0{\"source\":{\"ip\":\"203.0.113.45\"}}";
    static const unsigned char gzip[] = {0x1f, 0x8b, 0x08, 0x00};
    static const unsigned char zstd[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00};
    char *big = malloc((64u << 10) + 2);

    CHECK(ruru_kafka_joinable("{\"a\":1}", 7));
    CHECK(ruru_kafka_joinable("ElfFile", 7)); /* the signature is eight bytes, NUL included */
    CHECK(!ruru_kafka_joinable(evtx, sizeof(evtx) - 1));
    CHECK(!ruru_kafka_joinable(gzip, sizeof(gzip)));
    CHECK(!ruru_kafka_joinable(zstd, sizeof(zstd)));
    CHECK(!ruru_kafka_joinable("", 0));
    CHECK(!ruru_kafka_joinable("a\nb", 3));
    CHECK(!ruru_kafka_joinable("a\r", 2));
    memset(big, 'a', (64u << 10) + 1);
    CHECK(ruru_kafka_joinable(big, 64u << 10));
    CHECK(!ruru_kafka_joinable(big, (64u << 10) + 1));
    free(big);
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/ruru-test-stream-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 2;
    engine_memory_inputs();
    joinable();
    kafka_config();
    status_and_records();
    {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", dir);
    }
    return check_done();
}
