/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the syslog parser (RFC 5424 and 3164). Every value must lie inside the line,
 * except facility and severity, which are static decimal strings derived from PRI. */
#include <stdint.h>
#include <string.h>

#include "logs/syslog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool inside(struct ruru_str s, const char *line, size_t size)
{
    return s.ptr >= line && s.len <= size && s.ptr + s.len <= line + size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_record r;
    const char *line = (const char *)data;
    /* The year, forced or inferred, comes from the input so that odd years are tried too. */
    struct ruru_syslog_year year = {0, 0};

    if (size > 0 && data[size - 1] >= 128)
        year.year = 1900 + data[size - 1];
    else if (size > 0)
        year.not_after = ((int64_t)data[size - 1] - 64) * 1000000000;

    if (!ruru_syslog_parse(line, size, &year, &r))
        return 0;
    if (r.n_fields > RURU_MAX_FIELDS || r.format != RURU_LOG_SYSLOG)
        __builtin_trap();
    for (size_t i = 0; i < r.n_fields; i++) {
        const struct ruru_field *f = &r.fields[i];
        bool is_derived = f->canon != NULL && (strcmp(f->canon, "log.syslog.facility.code") == 0 ||
                                               strcmp(f->canon, "log.syslog.severity.code") == 0);
        if (!is_derived && !inside(f->value, line, size))
            __builtin_trap();
        if (f->canon == NULL && !inside(f->name, line, size))
            __builtin_trap();
    }
    return 0;
}
