/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the normaliser: the first byte picks the type (its low bits, modulo the
 * number of types) and the CIDR bounds (its top bit: the defaults or the widest, /1); the
 * rest is re-fanged, inferred and normalised. Three properties are checked, each with a trap
 * (this file only; the library never aborts):
 *   - idempotence: a canonical value normalises to itself, with the same type;
 *   - a rejection always carries one of the documented reasons (docs/normalisation.md);
 *   - the canonical text is never empty and holds no control byte (a tab only in the text
 *     types) and no space (except in text and a quoted e-mail local part).
 * The input is also parsed as a type name, to run the synonym table over arbitrary bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "intel/ioc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* docs/normalisation.md, "Rejections". */
static const char *const REASONS[] = {
        "empty value",
        "value too long",
        "unrecognised value",
        "unknown type",
        "malformed IPv4 address",
        "malformed IPv6 address",
        "malformed CIDR",
        "host bits set in CIDR",
        "CIDR wider than the configured bound",
        "unspecified address",
        "loopback address",
        "public suffix",
        "single-label name",
        "malformed domain name",
        "invalid internationalised name",
        "malformed URL",
        "malformed hash",
        "malformed e-mail address",
        "malformed AS number",
        "control characters in value",
        "malformed path",
        "path matches every request",
        "registry hive without a key",
        "malformed MAC address",
        "null MAC address",
        "broadcast MAC address",
        "out of memory",
};

static bool known_reason(const char *r)
{
    if (r == NULL)
        return false;
    for (size_t i = 0; i < sizeof(REASONS) / sizeof(REASONS[0]); i++)
        if (strcmp(r, REASONS[i]) == 0)
            return true;
    return false;
}

static bool is_text_type(enum ruru_ioc_type t)
{
    return t == RURU_IOC_FILENAME || t == RURU_IOC_FILEPATH || t == RURU_IOC_USER_AGENT ||
           t == RURU_IOC_STRING || t == RURU_IOC_PATTERN || t == RURU_IOC_MUTEX ||
           t == RURU_IOC_PIPE || t == RURU_IOC_FILENAME_REGEX;
}

/* What a canonical value of type t may hold. */
static bool clean(enum ruru_ioc_type t, const struct ruru_buf *b)
{
    if (b->len == 0 || b->ptr == NULL || memchr(b->ptr, '\0', b->len) != NULL)
        return false;
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->ptr[i];
        /* A quoted e-mail local part may hold spaces ("a b"@example.com). */
        bool loose = is_text_type(t) || t == RURU_IOC_EMAIL || t == RURU_IOC_REGKEY;
        if ((c < 0x20 && !(c == '\t' && is_text_type(t))) || c == 0x7f || (c == ' ' && !loose))
            return false;
    }
    /* The trimmed text types cannot start or end with white space either. */
    return !(b->ptr[0] == ' ' || b->ptr[0] == '\t' || b->ptr[b->len - 1] == ' ' ||
             b->ptr[b->len - 1] == '\t');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct ruru_norm_opts widest = {1, 1};
    struct ruru_buf fanged, canon, again, name;
    const struct ruru_norm_opts *opts;
    enum ruru_ioc_type t, t0;
    const char *reason;
    bool infer;

    if (size == 0)
        return 0;
    t0 = (enum ruru_ioc_type)((data[0] & 0x7f) % RURU_IOC__COUNT);
    opts = (data[0] & 0x80) ? &widest : NULL;
    ruru_buf_init(&fanged, 1 << 20);
    ruru_buf_init(&canon, 1 << 20);
    ruru_buf_init(&again, 1 << 20);
    ruru_buf_init(&name, 1 << 20);

    if (ruru_buf_add(&name, data + 1, size - 1) == RURU_OK) {
        t = ruru_ioc_type_parse(ruru_buf_str(&name), &infer);
        if ((int)t < 0 || t >= RURU_IOC__COUNT || (infer && t != RURU_IOC_NONE))
            __builtin_trap();
        if (strlen(ruru_ioc_type_name(t)) == 0)
            __builtin_trap();
    }
    (void)ruru_ioc_infer((const char *)data + 1, size - 1);
    if (ruru_ioc_refang((const char *)data + 1, size - 1, &fanged) == RURU_OK) {
        const char *v = ruru_buf_str(&fanged);
        t = t0;
        (void)ruru_ioc_infer(v, fanged.len);
        if (ruru_ioc_normalize(&t, v, fanged.len, opts, &canon, &reason)) {
            enum ruru_ioc_type t2 = t;
            if (t == RURU_IOC_NONE || !clean(t, &canon))
                __builtin_trap();
            if (!ruru_ioc_normalize(&t2, canon.ptr, canon.len, opts, &again, &reason) || t2 != t ||
                again.len != canon.len || memcmp(again.ptr, canon.ptr, canon.len) != 0)
                __builtin_trap();
        } else if (!known_reason(reason) || canon.len != 0) {
            __builtin_trap();
        }
    }
    ruru_buf_fini(&fanged);
    ruru_buf_fini(&canon);
    ruru_buf_fini(&again);
    ruru_buf_fini(&name);
    return 0;
}
