/* SPDX-License-Identifier: Apache-2.0 */
/* ruru_export: the model of the selection, then the writer of the format asked for. */
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "share/share.h"

enum ruru_err ruru_export(ruru_register *r,
                          ruru_store *store,
                          const struct ruru_export_opts *opts,
                          char **out,
                          size_t *len,
                          char **summary_json,
                          struct ruru_diag *diag)
{
    static const struct {
        const char *name;
        enum ruru_err (*write)(json_t *, struct ruru_buf *, struct ruru_diag *);
    } WRITERS[] = {{"stix", ruru_share_stix},
                   {"misp", ruru_share_misp},
                   {"html", ruru_share_html},
                   {"json", NULL}};
    const char *fmt = opts->format != NULL ? opts->format : "stix";
    struct ruru_buf b;
    json_t *model = NULL, *sum;
    enum ruru_err err;
    size_t w = 0;

    *out = NULL;
    *len = 0;
    if (summary_json != NULL)
        *summary_json = NULL;
    ruru_diag_clear(diag);
    while (w < sizeof(WRITERS) / sizeof(WRITERS[0]) && strcmp(WRITERS[w].name, fmt) != 0)
        w++;
    if (w == sizeof(WRITERS) / sizeof(WRITERS[0]))
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0,
                             "--format takes stix, misp, html or json, not \"%s\"", fmt);
    if ((err = ruru_share_model(r, store, opts, &model, diag)) != RURU_OK)
        return err;
    ruru_buf_init(&b, (size_t)1 << 31);
    if (WRITERS[w].write != NULL) {
        err = WRITERS[w].write(model, &b, diag);
    } else {
        char *text = json_dumps(model, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
        err = text != NULL ? ruru_buf_adds(&b, text) : RURU_ENOMEM;
        err = err == RURU_OK ? ruru_buf_addc(&b, '\n') : err;
        free(text);
        if (err != RURU_OK)
            ruru_diag_set(diag, err, NULL, 0, 0, "out of memory");
    }
    if (err == RURU_OK && summary_json != NULL) {
        sum = json_pack("{s:s, s:O, s:O, s:I, s:O}", "format", fmt, "tlp_max",
                        json_object_get(model, "tlp_max"), "tlp", json_object_get(model, "tlp"),
                        "incidents",
                        (json_int_t)json_array_size(json_object_get(model, "incidents")),
                        "withheld", json_object_get(model, "withheld"));
        *summary_json = sum != NULL ? json_dumps(sum, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(sum);
        if (*summary_json == NULL)
            err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    }
    json_decref(model);
    if (err != RURU_OK) {
        ruru_buf_fini(&b);
        if (summary_json != NULL) {
            free(*summary_json);
            *summary_json = NULL;
        }
        return err;
    }
    *len = b.len;
    *out = ruru_buf_detach(&b);
    return RURU_OK;
}
