/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: log records as STIX cyber-observables (pattern/observe.h). The input is a
 * record, one field per line: a byte choosing the canonical name, a byte choosing the
 * encoding (raw, JSON escapes, W3C '+'), then the value (attacker-controlled log text). Checks
 * the contract: the objects are a JSON object; every type they hold is one ruru_observe_types
 * promised; the objects of one type alone are made without failing; the decoded text is made.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "pattern/observe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const CANON[] = {"source.ip",
                                    "source.address",
                                    "source.domain",
                                    "source.port",
                                    "destination.ip",
                                    "destination.port",
                                    "destination.domain",
                                    "network.transport",
                                    "url.original",
                                    "url.path",
                                    "url.domain",
                                    "http.request.method",
                                    "http.version",
                                    "user_agent.original",
                                    "dns.question.name",
                                    "file.name",
                                    "file.path",
                                    "file.hash.md5",
                                    "file.hash.sha1",
                                    "file.hash.sha256",
                                    "file.hash.sha512",
                                    "process.executable",
                                    "process.command_line",
                                    "process.pid",
                                    "user.name",
                                    "email.from.address",
                                    "email.to.address",
                                    "email.subject",
                                    "message",
                                    "host.name"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_record r;
    const char *p = (const char *)data, *end = p + size;
    json_t *objs, *o;
    const char *key;
    uint32_t promised;
    struct ruru_buf text;

    memset(&r, 0, sizeof(r));
    while (end - p >= 2 && r.n_fields < RURU_MAX_FIELDS) {
        const char *canon = CANON[(uint8_t)p[0] % (sizeof(CANON) / sizeof(CANON[0]))];
        enum ruru_field_enc enc = (enum ruru_field_enc)((uint8_t)p[1] % 3);
        const char *v = p + 2, *nl = memchr(v, '\n', (size_t)(end - v));
        size_t n = nl != NULL ? (size_t)(nl - v) : (size_t)(end - v);
        ruru_record_add(&r, ruru_str_make(canon, strlen(canon)), canon, ruru_str_make(v, n));
        r.fields[r.n_fields - 1].enc = enc;
        p = v + n + (nl != NULL);
    }
    promised = ruru_observe_types(&r);
    objs = ruru_observe_record(&r);
    if (objs != NULL) {
        if (!json_is_object(objs))
            __builtin_trap();
        json_object_foreach(objs, key, o)
        {
            uint32_t bit = ruru_observe_type_bit(json_string_value(json_object_get(o, "type")));
            if (bit == 0 || (bit & promised) == 0)
                __builtin_trap();
        }
        json_decref(objs);
    }
    json_decref(ruru_observe_record_of(&r, ruru_observe_type_bit("file")));
    ruru_buf_init(&text, 1 << 20);
    (void)ruru_observe_text(&r, (const char *)data, size, &text);
    ruru_buf_fini(&text);
    return 0;
}
