/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading inputs: whole files (transparently gunzipped or zstd-decompressed, recognised by their
 * magic bytes, not their names) and directory walks in a stable order.
 */
#ifndef RURU_IO_FILE_H
#define RURU_IO_FILE_H

#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ruru_compression { RURU_COMP_NONE = 0, RURU_COMP_GZIP, RURU_COMP_ZSTD };

/* Reads the file at `path` into a fresh buffer, decompressing gzip and zstd. At most
 * `max_bytes` (after decompression) are accepted: a larger file fails with RURU_ELIMIT, so a
 * decompression bomb cannot exhaust memory. OUT: *data (free with ruru_free; NUL-terminated for
 * convenience, the NUL not counted), *len, *comp (may be NULL). On failure nothing is
 * allocated and diag names the file. */
enum ruru_err ruru_file_read(const char *path,
                             uint64_t max_bytes,
                             char **data,
                             size_t *len,
                             enum ruru_compression *comp,
                             struct ruru_diag *diag);
/* Calls fn(path, ctx) for every regular file below directory `dir`, recursively, in byte order
 * of the names at each level, symbolic links to regular files included; hidden entries
 * (".name") are passed over, and links to directories, FIFOs, devices, sockets and links to
 * nothing are skipped (a FIFO or /dev/zero would never end). `path` is valid during the call
 * only. fn returning non-zero stops the walk, and that value is returned as RURU_ESTOPPED. */
enum ruru_err ruru_dir_walk(const char *dir,
                            int (*fn)(const char *path, void *ctx),
                            void *ctx,
                            struct ruru_diag *diag);
/* ruru_dir_walk that also names what it leaves out: skipped(path, reason, ctx) for each hidden
 * entry (not descended into), link to a directory or to nothing, FIFO, device or socket (or a
 * link to one), and entry that cannot be read, with a static reason phrase; skipped may be
 * NULL. */
enum ruru_err ruru_dir_walk_all(const char *dir,
                                int (*fn)(const char *path, void *ctx),
                                void (*skipped)(const char *path, const char *reason, void *ctx),
                                void *ctx,
                                struct ruru_diag *diag);

/* True when `path` names a directory. */
bool ruru_is_dir(const char *path);

/* mkdir -p: creates `path` (0700) and its missing parents. RURU_EIO with the reason. */
enum ruru_err ruru_make_dirs(const char *path, struct ruru_diag *diag);

#endif
