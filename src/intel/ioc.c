/* SPDX-License-Identifier: Apache-2.0 */
/* PLACEHOLDER while the normalisation module is written: passes values through. */
#include "intel/ioc.h"

#include <string.h>

const char *ruru_ioc_type_name(enum ruru_ioc_type type)
{
    (void)type;
    return "none";
}

enum ruru_ioc_type ruru_ioc_type_parse(const char *name, bool *needs_inference)
{
    (void)name;
    *needs_inference = true;
    return RURU_IOC_NONE;
}

enum ruru_err ruru_ioc_refang(const char *raw, size_t raw_len, struct ruru_buf *out)
{
    return ruru_buf_add(out, raw, raw_len);
}

enum ruru_ioc_type ruru_ioc_infer(const char *value, size_t len)
{
    (void)value;
    (void)len;
    return RURU_IOC_STRING;
}

bool ruru_ioc_normalize(enum ruru_ioc_type *type,
                        const char *raw,
                        size_t raw_len,
                        const struct ruru_norm_opts *opts,
                        struct ruru_buf *out,
                        const char **reason)
{
    (void)opts;
    ruru_buf_reset(out);
    if (*type == RURU_IOC_NONE)
        *type = RURU_IOC_STRING;
    if (ruru_buf_add(out, raw, raw_len) != RURU_OK) {
        *reason = "out of memory";
        return false;
    }
    return true;
}
