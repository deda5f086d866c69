/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Streaming input for the sweep: a file, standard input or bytes in memory, read in blocks, with
 * gzip and zstd undone on the fly when the first bytes say so (gzip 1f 8b, zstd 28 b5 2f fd). Logs
 * can be far larger than memory, so nothing is read whole. Plain read(2), never mmap: a log
 * truncated under a mapping would kill the process with SIGBUS, and a sweep must survive a
 * file that changes or vanishes while it is read.
 *
 * gzip is inflated by ISA-L (io/gunzip.h), zstd by libzstd. A compressed input may be decoded
 * on a thread of its own, a few blocks ahead of its reader (ruru_stream_decode_ahead): the
 * reader gets the same bytes and the same errors, in the same order, while the decoding runs
 * beside whatever the reader does with them.
 */
#ifndef RURU_IO_STREAM_H
#define RURU_IO_STREAM_H

#include <ruru.h>
#include <stdbool.h>
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
 * before it were delivered by earlier calls; the error of a compressed stream says where
 * ("truncated gzip data at compressed byte N (member M, after D decoded bytes)"). */
enum ruru_err
ruru_stream_read(struct ruru_stream *s, char *buf, size_t cap, size_t *got, struct ruru_diag *diag);
/* From now on, decodes a compressed file on a thread of its own, up to 8 MiB ahead of
 * ruru_stream_read. A compressed file is always decoded in blocks of 1 MiB that reads copy
 * from, so the reader gets the same bytes and errors with the thread as without it, even
 * from corrupt data. True when a thread decodes it; false for a plain stream (read
 * straight into the caller's buffer), a memory input, a second call, or when no thread could be had
 * (the reader decodes, as before). Closing the stream stops the thread. */
bool ruru_stream_decode_ahead(struct ruru_stream *s);
enum ruru_compression ruru_stream_compression(const struct ruru_stream *s);
/* Bytes read from the file so far (compressed bytes for compressed input; while decoding
 * ahead, as far as the decoder got). */
uint64_t ruru_stream_raw_bytes(const struct ruru_stream *s);
/* The file's size when it is a regular file, else 0. */
uint64_t ruru_stream_size(const struct ruru_stream *s);
void ruru_stream_close(struct ruru_stream *s);

#endif
