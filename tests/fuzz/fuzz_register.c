/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the register's sighting reader (ruru_register_record). The input is what
 * `ruru scan --record` hands the register: a JSON array of sighting documents, here anything.
 * Each input is recorded into a fresh register (in /dev/shm when there is one) and then
 * recorded again. Checks the contract: a recording succeeds or is refused as no array; the
 * register then holds as many incidents as the recording said; the same sightings again add
 * nothing and change nothing.
 */
#include <jansson.h>
#include <ruru.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_int_t field(const char *doc, const char *key)
{
    json_t *j = json_loads(doc, 0, NULL);
    json_int_t v = json_integer_value(json_object_get(j, key));

    json_decref(j);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char home[64], path[128];
    ruru_register *r = NULL;
    struct ruru_diag d;
    char *out = NULL, *again = NULL, *rep = NULL;
    enum ruru_err err;
    static const char *const files[] = {"register.db", "register.db-wal", "register.db-shm"};

    snprintf(home, sizeof(home), "%s/ruru-fuzz-register-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (mkdtemp(home) == NULL)
        return 0;
    if (ruru_register_open(home, &r, &d) != RURU_OK)
        __builtin_trap();
    err = ruru_register_record(r, NULL, (const char *)data, size, &out, &d);
    if (err == RURU_OK) {
        json_t *doc;
        if (ruru_register_record(r, NULL, (const char *)data, size, &again, &d) != RURU_OK ||
            field(again, "sightings_added") != 0 || field(again, "new") != 0 ||
            field(again, "updated") != 0 || field(again, "incidents") != field(out, "incidents"))
            __builtin_trap();
        if (ruru_register_report(r, INT64_MIN, INT64_MIN, NULL, &rep, &d) != RURU_OK)
            __builtin_trap();
        doc = json_loads(rep, 0, NULL);
        if ((json_int_t)json_array_size(json_object_get(doc, "incidents")) !=
            field(out, "incidents"))
            __builtin_trap();
        json_decref(doc);
    } else if (err != RURU_EPARSE && err != RURU_ENOMEM) {
        __builtin_trap();
    }
    ruru_free(out);
    ruru_free(again);
    ruru_free(rep);
    ruru_register_close(r);
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", home, files[i]);
        unlink(path);
    }
    rmdir(home);
    return 0;
}
