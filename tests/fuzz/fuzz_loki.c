/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the Loki / signature-base list importer on arbitrary bytes, with the list
 * oracles. The first byte picks the kind of list (its file name, as Loki reads it): '0' c2,
 * '1' hash, '2' filename regexes, '3' keywords (any byte, modulo 4). */
#include "lists_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum ruru_err as(const char *name,
                        const char *d,
                        size_t n,
                        const struct ruru_import_ctx *ctx,
                        struct ruru_diag *diag)
{
    struct ruru_import_ctx c = *ctx;

    c.path = name;
    return ruru_loki_import(d, n, &c, diag);
}

static enum ruru_err
as_c2(const char *d, size_t n, const struct ruru_import_ctx *ctx, struct ruru_diag *diag)
{
    return as("c2-iocs.txt", d, n, ctx, diag);
}

static enum ruru_err
as_hash(const char *d, size_t n, const struct ruru_import_ctx *ctx, struct ruru_diag *diag)
{
    return as("hash-iocs.txt", d, n, ctx, diag);
}

static enum ruru_err
as_filename(const char *d, size_t n, const struct ruru_import_ctx *ctx, struct ruru_diag *diag)
{
    return as("filename-iocs.txt", d, n, ctx, diag);
}

static enum ruru_err
as_keywords(const char *d, size_t n, const struct ruru_import_ctx *ctx, struct ruru_diag *diag)
{
    return as("keywords.txt", d, n, ctx, diag);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum ruru_err (*const kinds[4])(const char *, size_t, const struct ruru_import_ctx *,
                                    struct ruru_diag *) = {as_c2, as_hash, as_filename,
                                                           as_keywords};

    if (size == 0)
        return lfz_run(as_c2, data, size);
    return lfz_run(kinds[data[0] % 4], data + 1, size - 1);
}
