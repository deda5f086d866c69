/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whole-file input with transparent decompression. Intel files are read whole (they are parsed
 * as documents); logs will use mmap and streams. Compression is recognised by magic bytes
 * (gzip 1f 8b, zstd 28 b5 2f fd) because feeds are often served compressed under plain names.
 */
#include "io/file.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"

bool ruru_is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static enum ruru_err
read_raw(const char *path, uint64_t max_bytes, struct ruru_buf *out, struct ruru_diag *diag)
{
    FILE *f = fopen(path, "rb");
    char block[1 << 16];
    size_t n;
    enum ruru_err err = RURU_OK;

    if (f == NULL)
        return ruru_diag_set(diag, RURU_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    while ((n = fread(block, 1, sizeof(block), f)) > 0) {
        if (out->len + n > max_bytes) {
            err = ruru_diag_set(diag, RURU_ELIMIT, path, 0, 0,
                                "file larger than the limit of %" PRIu64 " bytes", max_bytes);
            goto out;
        }
        err = ruru_buf_add(out, block, n);
        if (err != RURU_OK) {
            ruru_diag_set(diag, err, path, 0, 0, "cannot hold file in memory");
            goto out;
        }
    }
    if (ferror(f))
        err = ruru_diag_set(diag, RURU_EIO, path, 0, 0, "read error: %s", strerror(errno));
out:
    fclose(f);
    return err;
}

static enum ruru_err gunzip(const char *path,
                            const struct ruru_buf *in,
                            uint64_t max_bytes,
                            struct ruru_buf *out,
                            struct ruru_diag *diag)
{
    z_stream zs;
    unsigned char block[1 << 16];
    int zr = Z_OK;
    enum ruru_err err = RURU_OK;

    memset(&zs, 0, sizeof(zs));
    /* 15 + 32: any window size, gzip or zlib header detected automatically. */
    if (inflateInit2(&zs, 15 + 32) != Z_OK)
        return ruru_diag_set(diag, RURU_ENOMEM, path, 0, 0, "cannot start gzip decoder");
    zs.next_in = (unsigned char *)(uintptr_t)in->ptr;
    zs.avail_in = (uInt)in->len;
    while (zr != Z_STREAM_END) {
        zs.next_out = block;
        zs.avail_out = sizeof(block);
        zr = inflate(&zs, Z_NO_FLUSH);
        if (zr == Z_STREAM_END && zs.avail_in > 0) {
            /* Concatenated gzip members (as `cat a.gz b.gz` makes) are one stream. */
            size_t have = sizeof(block) - zs.avail_out;
            if (have > 0 && (err = ruru_buf_add(out, block, have)) != RURU_OK)
                break;
            if (inflateReset(&zs) != Z_OK) {
                err = RURU_ECORRUPT;
                break;
            }
            zr = Z_OK;
            continue;
        }
        if (zr != Z_OK && zr != Z_STREAM_END) {
            err = ruru_diag_set(diag, RURU_ECORRUPT, path, 0, zs.total_in, "corrupt gzip data: %s",
                                zs.msg ? zs.msg : "truncated");
            break;
        }
        if (out->len + (sizeof(block) - zs.avail_out) > max_bytes) {
            err = ruru_diag_set(diag, RURU_ELIMIT, path, 0, 0,
                                "decompressed size exceeds the limit of %" PRIu64 " bytes",
                                max_bytes);
            break;
        }
        err = ruru_buf_add(out, block, sizeof(block) - zs.avail_out);
        if (err != RURU_OK)
            break;
        if (zr == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
            err = ruru_diag_set(diag, RURU_ECORRUPT, path, 0, zs.total_in, "truncated gzip data");
            break;
        }
    }
    inflateEnd(&zs);
    return err;
}

static enum ruru_err unzstd(const char *path,
                            const struct ruru_buf *in,
                            uint64_t max_bytes,
                            struct ruru_buf *out,
                            struct ruru_diag *diag)
{
    ZSTD_DStream *zs = ZSTD_createDStream();
    ZSTD_inBuffer zin = {in->ptr, in->len, 0};
    char block[1 << 16];
    size_t r = 1;
    enum ruru_err err = RURU_OK;

    if (zs == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, path, 0, 0, "cannot start zstd decoder");
    while (zin.pos < zin.size || r != 0) {
        ZSTD_outBuffer zout = {block, sizeof(block), 0};
        size_t before = zin.pos;
        r = ZSTD_decompressStream(zs, &zout, &zin);
        if (ZSTD_isError(r)) {
            err = ruru_diag_set(diag, RURU_ECORRUPT, path, 0, zin.pos, "corrupt zstd data: %s",
                                ZSTD_getErrorName(r));
            break;
        }
        if (out->len + zout.pos > max_bytes) {
            err = ruru_diag_set(diag, RURU_ELIMIT, path, 0, 0,
                                "decompressed size exceeds the limit of %" PRIu64 " bytes",
                                max_bytes);
            break;
        }
        if ((err = ruru_buf_add(out, block, zout.pos)) != RURU_OK)
            break;
        if (zin.pos == zin.size && zout.pos == 0 && before == zin.pos) {
            if (r != 0)
                err = ruru_diag_set(diag, RURU_ECORRUPT, path, 0, zin.pos, "truncated zstd data");
            break;
        }
    }
    ZSTD_freeDStream(zs);
    return err;
}

enum ruru_err ruru_file_read(const char *path,
                             uint64_t max_bytes,
                             char **data,
                             size_t *len,
                             enum ruru_compression *comp,
                             struct ruru_diag *diag)
{
    struct ruru_buf raw, dec;
    enum ruru_compression c = RURU_COMP_NONE;
    enum ruru_err err;
    const unsigned char *p;

    ruru_buf_init(&raw, SIZE_MAX - 1);
    ruru_buf_init(&dec, max_bytes > SIZE_MAX - 1 ? SIZE_MAX - 1 : (size_t)max_bytes);
    /* Compressed input may legitimately be up to max_bytes too. */
    err = read_raw(path, max_bytes, &raw, diag);
    if (err != RURU_OK)
        goto out;
    p = (const unsigned char *)raw.ptr;
    if (raw.len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        c = RURU_COMP_GZIP;
    else if (raw.len >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        c = RURU_COMP_ZSTD;
    if (c == RURU_COMP_GZIP)
        err = gunzip(path, &raw, max_bytes, &dec, diag);
    else if (c == RURU_COMP_ZSTD)
        err = unzstd(path, &raw, max_bytes, &dec, diag);
    if (err != RURU_OK)
        goto out;
    if (c == RURU_COMP_NONE) {
        *len = raw.len;
        *data = ruru_buf_detach(&raw);
    } else {
        *len = dec.len;
        *data = ruru_buf_detach(&dec);
    }
    if (*data == NULL) {
        err = ruru_diag_set(diag, RURU_ENOMEM, path, 0, 0, "out of memory");
        goto out;
    }
    if (comp != NULL)
        *comp = c;
out:
    ruru_buf_fini(&raw);
    ruru_buf_fini(&dec);
    return err;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

enum ruru_err ruru_dir_walk(const char *dir,
                            int (*fn)(const char *path, void *ctx),
                            void *ctx,
                            struct ruru_diag *diag)
{
    return ruru_dir_walk_all(dir, fn, NULL, ctx, diag);
}

enum ruru_err ruru_dir_walk_all(const char *dir,
                                int (*fn)(const char *path, void *ctx),
                                void (*skipped)(const char *path, const char *reason, void *ctx),
                                void *ctx,
                                struct ruru_diag *diag)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    enum ruru_err err = RURU_OK;
    struct ruru_buf path;

    if (d == NULL)
        return ruru_diag_set(diag, RURU_EIO, dir, 0, 0, "cannot open directory: %s",
                             strerror(errno));
    ruru_buf_init(&path, 65536);
    while ((e = readdir(d)) != NULL) {
        char *copy;
        if (e->d_name[0] == '.' && (e->d_name[1] == '\0' || strcmp(e->d_name, "..") == 0))
            continue;
        if (e->d_name[0] == '.' && skipped == NULL)
            continue;
        if (n == cap) {
            size_t ncap = cap == 0 ? 32 : cap * 2;
            char **nn = ruru_realloc(names, ncap * sizeof(*names));
            if (nn == NULL) {
                err = RURU_ENOMEM;
                goto out;
            }
            names = nn;
            cap = ncap;
        }
        copy = ruru_strdup(e->d_name);
        if (copy == NULL) {
            err = RURU_ENOMEM;
            goto out;
        }
        names[n++] = copy;
    }
    qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n && err == RURU_OK; i++) {
        struct stat st;
        ruru_buf_reset(&path);
        if (ruru_buf_adds(&path, dir) != RURU_OK ||
            (path.len > 0 && path.ptr[path.len - 1] != '/' && ruru_buf_addc(&path, '/')) ||
            ruru_buf_adds(&path, names[i]) != RURU_OK) {
            err = RURU_ELIMIT;
            break;
        }
        if (names[i][0] == '.') {
            if (skipped != NULL)
                skipped(path.ptr, "hidden: not walked (name it to import it)", ctx);
            continue;
        }
        if (lstat(path.ptr, &st) != 0) {
            if (skipped != NULL)
                skipped(path.ptr, "cannot be read", ctx);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            err = ruru_dir_walk_all(path.ptr, fn, skipped, ctx, diag);
            continue;
        }
        /* a link is followed to a regular file only: one to /dev/zero or a FIFO would never
         * end, one to a directory could loop */
        if (S_ISLNK(st.st_mode) && stat(path.ptr, &st) != 0) {
            if (skipped != NULL)
                skipped(path.ptr, "a link to nothing", ctx);
            continue;
        }
        if (S_ISREG(st.st_mode)) {
            if (fn(path.ptr, ctx) != 0)
                err = RURU_ESTOPPED;
        } else if (skipped != NULL) {
            skipped(path.ptr,
                    S_ISDIR(st.st_mode)
                            ? "symbolic link to a directory: not followed (name it to import it)"
                    : S_ISFIFO(st.st_mode)                       ? "a FIFO, not a regular file"
                    : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device, not a regular file"
                    : S_ISSOCK(st.st_mode)                       ? "a socket, not a regular file"
                                                                 : "not a regular file",
                    ctx);
        }
    }
out:
    if (err == RURU_ENOMEM)
        ruru_diag_set(diag, err, dir, 0, 0, "out of memory");
    for (size_t i = 0; i < n; i++)
        ruru_free(names[i]);
    ruru_free(names);
    closedir(d);
    ruru_buf_fini(&path);
    return err;
}

/* mkdir -p: creates `path` and its missing parents. */
enum ruru_err ruru_make_dirs(const char *path, struct ruru_diag *diag)
{
    struct ruru_buf b;
    enum ruru_err err = RURU_OK;

    ruru_buf_init(&b, 4096);
    if (ruru_buf_adds(&b, path) != RURU_OK)
        return ruru_diag_set(diag, RURU_ELIMIT, path, 0, 0, "path too long");
    for (size_t i = 1; i <= b.len; i++) {
        if (i == b.len || b.ptr[i] == '/') {
            char c = b.ptr[i];
            b.ptr[i] = '\0';
            if (mkdir(b.ptr, 0700) != 0 && errno != EEXIST) {
                err = ruru_diag_set(diag, RURU_EIO, path, 0, 0, "cannot create %s: %s", b.ptr,
                                    strerror(errno));
                b.ptr[i] = c;
                break;
            }
            b.ptr[i] = c;
        }
    }
    ruru_buf_fini(&b);
    return err;
}
