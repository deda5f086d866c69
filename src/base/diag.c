/* SPDX-License-Identifier: Apache-2.0 */
#include "base/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ruru_strerror(enum ruru_err err)
{
    switch (err) {
    case RURU_OK:
        return "success";
    case RURU_ENOMEM:
        return "out of memory";
    case RURU_EIO:
        return "input/output error";
    case RURU_EPARSE:
        return "parse error";
    case RURU_ELIMIT:
        return "limit exceeded";
    case RURU_EINVAL:
        return "invalid argument";
    case RURU_EUNSUPPORTED:
        return "unsupported";
    case RURU_ECORRUPT:
        return "corrupt data";
    case RURU_ESTOPPED:
        return "stopped";
    case RURU_ENOTFOUND:
        return "not found";
    case RURU_EDB:
        return "database error";
    }
    return "unknown error";
}

const char *ruru_version(void)
{
    return RURU_VERSION;
}

void ruru_diag_clear(struct ruru_diag *diag)
{
    if (diag == NULL)
        return;
    memset(diag, 0, sizeof(*diag));
    diag->item = -1;
}

enum ruru_err ruru_diag_set(struct ruru_diag *diag,
                            enum ruru_err err,
                            const char *source,
                            uint64_t line,
                            uint64_t col,
                            const char *fmt,
                            ...)
{
    va_list ap;

    if (diag == NULL)
        return err;
    diag->source = source;
    diag->line = line;
    diag->col = col;
    va_start(ap, fmt);
    vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
    va_end(ap);
    return err;
}
