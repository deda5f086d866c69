/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the .evtx pieces that are ruru's own. A first byte 'X' sends the rest to the
 * XML-to-JSON conversion of rendered events (whose output must be one JSON object); anything
 * else is an .evtx image for the chunk and record scan (every record found must lie inside
 * the image).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "logs/evtx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct bound {
    size_t len;
};

static void on_record(uint64_t id, uint64_t off, uint32_t sz, void *ctx)
{
    const struct bound *b = ctx;

    (void)id;
    if (off + sz > b->len || sz < 28)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0 && data[0] == 'X') {
        struct ruru_buf out;
        ruru_buf_init(&out, 64u << 20);
        if (ruru_evtx_xml_to_json((const char *)data + 1, size - 1, &out)) {
            json_t *doc = json_loadb(out.ptr, out.len, 0, NULL);
            if (!json_is_object(doc))
                __builtin_trap();
            json_decref(doc);
        }
        ruru_buf_fini(&out);
    } else {
        struct bound b = {size};
        ruru_evtx_scan_records(data, size, on_record, &b);
    }
    return 0;
}
