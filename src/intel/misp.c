/* SPDX-License-Identifier: Apache-2.0 */
/* PLACEHOLDER: the misp importer is being written. */
#include "base/diag.h"
#include "intel/intel.h"

enum ruru_err ruru_misp_import(const char *data,
                               size_t len,
                               const struct ruru_import_ctx *ctx,
                               struct ruru_diag *diag)
{
    (void)data;
    (void)len;
    return ruru_diag_set(diag, RURU_EUNSUPPORTED, ctx->path, 0, 0, "not implemented yet");
}
