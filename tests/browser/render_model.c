/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A test-only program: writes the HTML report of an export model (a JSON file) to a file, so
 * that the browser test can render it. `render_model MODEL.json OUT.html`; exit 0, or 2 with
 * the reason on standard error.
 */
#include <jansson.h>
#include <stdio.h>

#include "base/buf.h"
#include "share/share.h"

int main(int argc, char **argv)
{
    struct ruru_diag d = {{0}, NULL, 0, 0, -1};
    struct ruru_buf out;
    json_error_t jerr;
    json_t *model;
    enum ruru_err err;
    FILE *f;
    int rc = 2;

    if (argc != 3) {
        fprintf(stderr, "usage: render_model MODEL.json OUT.html\n");
        return 2;
    }
    model = json_load_file(argv[1], 0, &jerr);
    if (model == NULL) {
        fprintf(stderr, "render_model: %s:%d: %s\n", argv[1], jerr.line, jerr.text);
        return 2;
    }
    /* 256 MiB: far above any model a test holds */
    ruru_buf_init(&out, (size_t)1 << 28);
    err = ruru_share_html(model, &out, &d);
    if (err != RURU_OK) {
        fprintf(stderr, "render_model: %s: %s\n", ruru_strerror(err), d.msg);
    } else if ((f = fopen(argv[2], "wb")) == NULL) {
        perror(argv[2]);
    } else {
        if (fwrite(out.ptr, 1, out.len, f) == out.len && fclose(f) == 0)
            rc = 0;
        else
            perror(argv[2]);
    }
    ruru_buf_fini(&out);
    json_decref(model);
    return rc;
}
