/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stream worker's files and records (stream_int.h): --kafka-config property lines, the
 * status file, and the records of a sightings topic.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/time.h"
#include "intel/query.h"
#include "stream/stream_int.h"

/* A property whose value must never be said: passwords, secrets, private keys. */
static bool secret(const char *name)
{
    return strstr(name, "password") != NULL || strstr(name, "secret") != NULL ||
           strstr(name, "key") != NULL || strstr(name, "token") != NULL;
}

enum ruru_err ruru_kafka_conf_apply(rd_kafka_conf_t *conf,
                                    const char *text,
                                    size_t len,
                                    const char *file,
                                    struct ruru_diag *diag)
{
    char why[300];
    rd_kafka_conf_t *scratch, *into;
    enum ruru_err err = RURU_OK;
    size_t pos = 0;
    uint64_t line = 0;

    if (!ruru_rdk_load(why, sizeof(why)))
        return ruru_diag_set(diag, RURU_EUNSUPPORTED, file, 0, 0, "%s", why);
    scratch = conf == NULL ? rd_kafka_conf_new() : NULL;
    into = conf != NULL ? conf : scratch;

    ruru_diag_clear(diag);
    if (into == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, file, 0, 0, "out of memory");
    while (pos < len && err == RURU_OK) {
        const char *p = text + pos, *nl = memchr(p, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - p) : len - pos;
        char name[256], value[4096], errstr[512];
        const char *eq;
        size_t a = 0, b = n, ne, vs;

        pos += n + (nl != NULL);
        line++;
        while (a < b && isspace((unsigned char)p[a]))
            a++;
        while (b > a && isspace((unsigned char)p[b - 1]))
            b--;
        if (a == b || p[a] == '#')
            continue;
        if (memchr(p + a, '\0', b - a) != NULL) {
            err = ruru_diag_set(diag, RURU_EINVAL, file, line, 0, "a NUL byte in the line");
            break;
        }
        if ((eq = memchr(p + a, '=', b - a)) == NULL) {
            err = ruru_diag_set(diag, RURU_EINVAL, file, line, 0,
                                "expected property=value (a librdkafka property)");
            break;
        }
        ne = (size_t)(eq - p);
        while (ne > a && isspace((unsigned char)p[ne - 1]))
            ne--;
        vs = (size_t)(eq - p) + 1;
        while (vs < b && isspace((unsigned char)p[vs]))
            vs++;
        if (ne == a || ne - a >= sizeof(name) || b - vs >= sizeof(value)) {
            err = ruru_diag_set(diag, RURU_EINVAL, file, line, 0,
                                ne == a ? "a property without a name" : "too long a line");
            break;
        }
        memcpy(name, p + a, ne - a);
        name[ne - a] = '\0';
        memcpy(value, p + vs, b - vs);
        value[b - vs] = '\0';
        for (size_t i = 0; name[i] != '\0'; i++)
            if (!isgraph((unsigned char)name[i])) {
                err = ruru_diag_set(diag, RURU_EINVAL, file, line, 0,
                                    "a property name holds a space or a control character");
                break;
            }
        if (err != RURU_OK)
            break;
        switch (rd_kafka_conf_set(into, name, value, errstr, sizeof(errstr))) {
        case RD_KAFKA_CONF_OK:
            break;
        case RD_KAFKA_CONF_UNKNOWN:
            err = ruru_diag_set(diag, RURU_EINVAL, file, line, 0,
                                "unknown librdkafka property \"%.200s\"", name);
            break;
        default:
            /* librdkafka's reason may quote the value: not for a secret */
            if (secret(name))
                err = ruru_diag_set(diag, RURU_EINVAL, file, line, 0,
                                    "bad value for \"%.200s\" (not shown)", name);
            else
                err = ruru_diag_set(diag, RURU_EINVAL, file, line, 0, "%.200s: %.200s", name,
                                    errstr);
            break;
        }
        memset(value, 0, sizeof(value));
    }
    if (scratch != NULL)
        rd_kafka_conf_destroy(scratch);
    return err;
}

/* ---- the status file ------------------------------------------------------------------------- */

json_t *ruru_kafka_status_json(const struct ruru_kafka_stats *st,
                               const char *group,
                               const char *client_id,
                               int64_t now)
{
    json_t *o = json_object();

    json_object_set_new(o, "group", json_string(group));
    json_object_set_new(o, "client_id", json_string(client_id));
    json_object_set_new(o, "updated", ruru_query_time(now));
    json_object_set_new(o, "uptime_seconds", json_real(st->elapsed));
    json_object_set_new(o, "assigned_partitions", json_integer((json_int_t)st->assigned));
    json_object_set_new(o, "messages", json_integer((json_int_t)st->messages));
    json_object_set_new(o, "lines", json_integer((json_int_t)st->lines));
    json_object_set_new(o, "bytes", json_integer((json_int_t)st->bytes));
    json_object_set_new(o, "sightings", json_integer((json_int_t)st->sightings));
    json_object_set_new(o, "produced", json_integer((json_int_t)st->produced));
    json_object_set_new(o, "recorded", json_integer((json_int_t)st->recorded));
    json_object_set_new(o, "batches", json_integer((json_int_t)st->batches));
    json_object_set_new(o, "retries", json_integer((json_int_t)st->retries));
    json_object_set_new(o, "reloads", json_integer((json_int_t)st->reloads));
    json_object_set_new(o, "errors", json_integer((json_int_t)st->errors));
    json_object_set_new(o, "bad_records", json_integer((json_int_t)st->bad_records));
    json_object_set_new(o, "lag", st->lag < 0 ? json_null() : json_integer(st->lag));
    json_object_set_new(o, "rate", json_real(st->rate));
    return o;
}

enum ruru_err ruru_kafka_status_write(json_t *doc, const char *path, struct ruru_diag *diag)
{
    char tmp[4096];
    char *text = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
    FILE *f;
    bool ok;

    if (text == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, path, 0, 0, "out of memory");
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
        ruru_free(text);
        return ruru_diag_set(diag, RURU_EINVAL, path, 0, 0, "too long a path");
    }
    if ((f = fopen(tmp, "w")) == NULL) {
        ruru_free(text);
        return ruru_diag_set(diag, RURU_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
    }
    ok = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    ok = fclose(f) == 0 && ok;
    ruru_free(text);
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return ruru_diag_set(diag, RURU_EIO, path, 0, 0, "cannot write: %s", strerror(e));
    }
    return RURU_OK;
}

/* ---- records of a sightings topic ------------------------------------------------------------ */

static bool hex64(const char *s)
{
    if (s == NULL || strlen(s) != 64)
        return false;
    for (size_t i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return true;
}

enum ruru_err
ruru_kafka_sighting_read(const char *buf, size_t len, json_t **out, struct ruru_diag *diag)
{
    json_error_t je;
    json_t *doc, *log, *ru, *off, *sha, *path;
    const char *why = NULL;

    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' '))
        len--;
    if (len == 0)
        return ruru_diag_set(diag, RURU_EPARSE, NULL, 0, 0, "an empty record");
    if ((doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
        return ruru_diag_set(diag, RURU_EPARSE, NULL, 0, (uint64_t)je.position + 1,
                             "not JSON: %.120s", je.text);
    log = json_object_get(doc, "log");
    ru = json_object_get(doc, "ruru");
    off = json_object_get(log, "offset");
    sha = json_object_get(ru, "sha256");
    path = json_object_get(json_object_get(log, "file"), "path");
    /* a pattern's or a correlation's sighting cites its members instead of one record */
    if (!json_is_object(doc))
        why = "not a JSON object";
    else if (!json_is_object(ru))
        why = "no ruru object";
    else if (!json_is_object(json_object_get(ru, "indicator")) &&
             !json_is_object(json_object_get(ru, "rule")))
        why = "no ruru.indicator or ruru.rule";
    else if (log != NULL && !json_is_object(log))
        why = "log is no object";
    else if (path != NULL && !json_is_string(path))
        why = "log.file.path is no string";
    else if (off != NULL && (!json_is_integer(off) || json_integer_value(off) < 0))
        why = "log.offset is no offset";
    else if (sha != NULL && !hex64(json_string_value(sha)))
        why = "ruru.sha256 is no SHA-256";
    if (why != NULL) {
        json_decref(doc);
        return ruru_diag_set(diag, RURU_EPARSE, NULL, 0, 0, "not a sighting: %s", why);
    }
    *out = doc;
    return RURU_OK;
}

const char *ruru_kafka_sighting_key(json_t *doc, size_t *len)
{
    json_t *ru = json_object_get(doc, "ruru");
    const char *k = json_string_value(json_object_get(ru, "asset")), *slash;

    if (k == NULL || k[0] == '\0')
        k = json_string_value(json_object_get(json_object_get(doc, "host"), "name"));
    if (k != NULL && k[0] != '\0') {
        *len = strlen(k);
        return k;
    }
    k = json_string_value(
            json_object_get(json_object_get(json_object_get(doc, "log"), "file"), "path"));
    if (k != NULL && strncmp(k, "kafka:", 6) == 0 && (slash = strrchr(k, '/')) != NULL) {
        *len = (size_t)(slash - k);
        return k;
    }
    *len = 0;
    return "";
}

bool ruru_kafka_joinable(const void *payload, size_t len)
{
    const unsigned char *p = payload;

    if (len == 0 || len > (64u << 10) || p == NULL)
        return false;
    /* what the sweep tells by an input's first bytes (io/stream.c: gzip, zstd; scan/input.c:
     * an event log) would take the whole run for it: such a message goes alone */
    if ((len >= 2 && p[0] == 0x1f && p[1] == 0x8b) ||
        (len >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) ||
        (len >= 8 && memcmp(p, "ElfFile\0", 8) == 0))
        return false;
    return memchr(p, '\n', len) == NULL && memchr(p, '\r', len) == NULL;
}
