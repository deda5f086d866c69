/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the gzip decoder (io/gunzip.h) against zlib on the same bytes. The first byte
 * chooses how the rest is fed (pieces of 1 to 64 bytes, or whole) and how large the output
 * buffers are; the rest is the gzip stream. Whatever the input:
 *   - fed in pieces or whole, the decoder comes to the same end (complete, cut short or
 *     corrupt) and, complete, gives the same bytes;
 *   - what zlib reads to a clean end between members, it reads the same, byte for byte;
 *   - up to where zlib stopped, the decoder gave zlib's bytes (ISA-L may accept a deflate
 *     stream zlib refuses, e.g. an incomplete Huffman code; never the other way round);
 *   - a truncated end is said at the byte where the input ends.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "io/gunzip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OUT (4u << 20) /* decoded bytes looked at: a bomb is cut here, by both */

struct result {
    unsigned char *out;
    size_t n;
    bool ok, complete;
    char msg[256];
};

/* zlib on in[0..len), every member (inflateReset between them), as the sweep read gzip before
 * ISA-L. */
static void by_zlib(const unsigned char *in, size_t len, struct result *r)
{
    z_stream zs;
    int zr = Z_OK;

    memset(&zs, 0, sizeof(zs));
    r->n = 0;
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        __builtin_trap();
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    while (r->n < MAX_OUT) {
        zs.next_out = r->out + r->n;
        zs.avail_out = (uInt)(MAX_OUT - r->n);
        zr = inflate(&zs, Z_NO_FLUSH);
        r->n = MAX_OUT - zs.avail_out;
        if (zr == Z_STREAM_END && zs.avail_in > 0) {
            inflateReset(&zs);
            continue;
        }
        if (zr != Z_OK || zs.avail_in == 0)
            break;
    }
    r->ok = zr == Z_OK || zr == Z_STREAM_END || zr == Z_BUF_ERROR;
    r->complete = zr == Z_STREAM_END && zs.avail_in == 0;
    inflateEnd(&zs);
}

/* The decoder on in[0..len), fed `step` bytes at a time into buffers of `cap` bytes. */
static void
by_gunzip(const unsigned char *in, size_t len, size_t step, size_t cap, struct result *r)
{
    struct ruru_gunzip *g = ruru_gunzip_create();
    size_t pos = 0;
    struct ruru_diag d;

    if (g == NULL)
        __builtin_trap();
    r->n = 0;
    r->ok = true;
    while (r->ok && r->n < MAX_OUT) {
        size_t take = len - pos < step ? len - pos : step, used = 0, got = 0;
        size_t room = MAX_OUT - r->n < cap ? MAX_OUT - r->n : cap;
        r->ok = ruru_gunzip_run(g, in + pos, take, &used, r->out + r->n, room, &got);
        if (used > take || got > room)
            __builtin_trap();
        pos += used;
        r->n += got;
        if (take == 0 && got == 0)
            break;
        if (r->ok && used < take && got < room)
            __builtin_trap(); /* took less than it was given, with room to write */
    }
    r->complete = ruru_gunzip_complete(g);
    r->msg[0] = '\0';
    if (r->n < MAX_OUT && (!r->ok || !r->complete)) {
        if (ruru_gunzip_fail(g, "f", &d) != RURU_ECORRUPT)
            __builtin_trap();
        memcpy(r->msg, d.msg, sizeof(r->msg));
        if (r->ok && len > 0) {
            /* truncated: where the input ends */
            char want[64];
            size_t k = (size_t)snprintf(want, sizeof(want),
                                        "truncated gzip data at compressed byte %zu ", len);
            if (strncmp(r->msg, want, k) != 0)
                __builtin_trap();
        }
    }
    ruru_gunzip_destroy(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct result z, whole, pieces;
    size_t step, cap;

    if (size < 1)
        return 0;
    if (z.out == NULL &&
        ((z.out = malloc(MAX_OUT)) == NULL || (whole.out = malloc(MAX_OUT)) == NULL ||
         (pieces.out = malloc(MAX_OUT)) == NULL))
        __builtin_trap();
    step = (size_t)(data[0] & 63) + 1;
    cap = data[0] & 64 ? (size_t)(data[0] & 63) + 1 : 65536;
    data++;
    size--;
    by_zlib(data, size, &z);
    by_gunzip(data, size, SIZE_MAX, MAX_OUT, &whole);
    by_gunzip(data, size, step, cap, &pieces);
    /* pieces or whole: the same end; read whole, the same bytes (cut short, the bytes just
     * before the cut that ISA-L gives depend on how the input came: it keeps back the last
     * bits it cannot decode alone) */
    if (whole.n < MAX_OUT && pieces.n < MAX_OUT &&
        (whole.ok != pieces.ok || whole.complete != pieces.complete))
        __builtin_trap();
    if (whole.complete && whole.n < MAX_OUT &&
        (whole.n != pieces.n || memcmp(whole.out, pieces.out, whole.n) != 0))
        __builtin_trap();
    /* up to where zlib stopped, both are zlib's bytes (past a fault zlib found, ISA-L may give
     * a few more, which depend on the room it had: garbage, as any inflater gives from
     * corrupt data before it can tell) */
    if (memcmp(whole.out, z.out, whole.n < z.n ? whole.n : z.n) != 0 ||
        memcmp(pieces.out, z.out, pieces.n < z.n ? pieces.n : z.n) != 0)
        __builtin_trap();
    /* what zlib reads whole, the decoder reads whole */
    if (z.complete && (!whole.ok || !whole.complete || whole.n != z.n))
        __builtin_trap();
    return 0;
}
