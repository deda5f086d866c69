/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the times of log lines, ISO 8601 or seconds (base/time.c) and Apache's
 * (logs/apache.c), each read with the day of the last time kept. A time read after another
 * input's, after one of another day (its day read afresh) and after itself (its day from the
 * cache) gives the same answer all three times. */
#include <stdbool.h>
#include <stdint.h>

#include "base/time.h"
#include "logs/apache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    int64_t t[3] = {0, 0, 0}, other;
    bool ok[3];

    ok[0] = ruru_time_parse(s, size, &t[0]);
    if (!ruru_time_parse("1999-12-31", 10, &other))
        __builtin_trap();
    ok[1] = ruru_time_parse(s, size, &t[1]);
    ok[2] = ruru_time_parse(s, size, &t[2]);
    if (ok[0] != ok[1] || ok[1] != ok[2] || (ok[0] && (t[0] != t[1] || t[1] != t[2])))
        __builtin_trap();

    ok[0] = ruru_apache_time(s, size, &t[0]);
    if (!ruru_apache_time("31/Dec/1999:00:00:00 +0000", 26, &other))
        __builtin_trap();
    ok[1] = ruru_apache_time(s, size, &t[1]);
    ok[2] = ruru_apache_time(s, size, &t[2]);
    if (ok[0] != ok[1] || ok[1] != ok[2] || (ok[0] && (t[0] != t[1] || t[1] != t[2])))
        __builtin_trap();
    return 0;
}
