/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Streaming input for the sweep: a file, standard input or bytes in memory, read in blocks, with
 * gzip and zstd undone on the fly when the first bytes say so (gzip 1f 8b, zstd 28 b5 2f fd). Logs
 * can be far larger than memory, so nothing is read whole. Plain read(2), never mmap: a log
 * truncated under a mapping would kill the process with SIGBUS, and a sweep must survive a
 * file that changes or vanishes while it is read.
 */
#ifndef RURU_IO_STREAM_H
#define RURU_IO_STREAM_H

#include <ruru.h>
#include <stddef.h>
#include <stdint.h>

#include "io/file.h"

struct ruru_stream;

/* Opens `path` ("-" is standard input). OUT: *out. */
enum ruru_err ruru_stream_open(const char *path, struct ruru_stream **out, struct ruru_diag *diag);
/* Opens `len` bytes at `data` (borrowed until closed) as an input named `name`, read as a file
 * is: gzip and zstd undone by content. OUT: *out. */
enum ruru_err ruru_stream_open_mem(const char *name,
                                   const char *data,
                                   size_t len,
                                   struct ruru_stream **out,
                                   struct ruru_diag *diag);
/* Reads up to `cap` decoded bytes into buf. OUT: *got (0 at the end of the input). A corrupt
 * or truncated compressed stream, or a read error, returns an error after the bytes decoded
 * before it were delivered by earlier calls. */
enum ruru_err
ruru_stream_read(struct ruru_stream *s, char *buf, size_t cap, size_t *got, struct ruru_diag *diag);
enum ruru_compression ruru_stream_compression(const struct ruru_stream *s);
/* Bytes read from the file so far (compressed bytes for compressed input). */
uint64_t ruru_stream_raw_bytes(const struct ruru_stream *s);
/* The file's size when it is a regular file, else 0. */
uint64_t ruru_stream_size(const struct ruru_stream *s);
void ruru_stream_close(struct ruru_stream *s);

#endif
