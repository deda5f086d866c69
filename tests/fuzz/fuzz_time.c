/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the times of log lines, ISO 8601 or seconds (base/time.c) and Apache's
 * (logs/apache.c), each read with the day of the last time kept. A time read after another
 * input's, after one of another day (its day read afresh) and after itself (its day from the
 * cache) gives the same answer all three times. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/time.h"
#include "logs/apache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef bool (*read_time)(const char *s, size_t len, int64_t *out);

/* s read three times by `read`: as the last input left it, after `other`, and after itself. */
static void thrice(read_time read, const char *s, size_t size, const char *other)
{
    int64_t t[3] = {0, 0, 0}, o;
    bool ok[3];

    ok[0] = read(s, size, &t[0]);
    if (!read(other, strlen(other), &o))
        __builtin_trap();
    ok[1] = read(s, size, &t[1]);
    ok[2] = read(s, size, &t[2]);
    if (ok[0] != ok[1] || ok[1] != ok[2] || (ok[0] && (t[0] != t[1] || t[1] != t[2])))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    thrice(ruru_time_parse, (const char *)data, size, "1999-12-31");
    thrice(ruru_apache_time, (const char *)data, size, "31/Dec/1999:00:00:00 +0000");
    return 0;
}
