/* SPDX-License-Identifier: Apache-2.0 */
#include "io/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#define ZLIB_CONST /* zlib reads input through const pointers */
#include <zlib.h>
#include <zstd.h>

#include "base/alloc.h"
#include "base/diag.h"

#define RAW_BLOCK (256u * 1024u)

struct ruru_stream {
    int fd;
    bool own_fd;
    const char *path;
    enum ruru_compression comp;
    uint64_t raw_bytes, size;
    const unsigned char *mem; /* a memory input (no fd): its bytes, mem_len of them */
    size_t mem_len;
    unsigned char *block;     /* the read block of a file (raw points into it) */
    const unsigned char *raw; /* compressed input block */
    size_t raw_len, raw_pos;
    bool raw_eof;
    z_stream gz;
    bool gz_live, gz_member_done;
    ZSTD_DStream *zs;
    size_t zs_last; /* last ZSTD_decompressStream result: 0 at a frame end */
};

static enum ruru_err
start_decoder(struct ruru_stream *s, struct ruru_stream **out, struct ruru_diag *diag);

static enum ruru_err read_raw(struct ruru_stream *s, struct ruru_diag *diag)
{
    ssize_t n;

    if (s->raw_pos < s->raw_len || s->raw_eof)
        return RURU_OK;
    if (s->mem != NULL) {
        /* a memory input is one block, all of it */
        s->raw = s->mem + s->raw_bytes;
        s->raw_len = s->mem_len - (size_t)s->raw_bytes;
        s->raw_pos = 0;
        s->raw_bytes += s->raw_len;
        s->raw_eof = s->raw_len == 0;
        return RURU_OK;
    }
    do
        n = read(s->fd, s->block, RAW_BLOCK);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return ruru_diag_set(diag, RURU_EIO, s->path, 0, s->raw_bytes, "read error: %s",
                             strerror(errno));
    s->raw = s->block;
    s->raw_len = (size_t)n;
    s->raw_pos = 0;
    s->raw_bytes += (uint64_t)n;
    s->raw_eof = n == 0;
    return RURU_OK;
}

enum ruru_err ruru_stream_open(const char *path, struct ruru_stream **out, struct ruru_diag *diag)
{
    struct ruru_stream *s = ruru_calloc(1, sizeof(*s));
    struct stat st;
    enum ruru_err err;

    if (s == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, path, 0, 0, "out of memory");
    s->path = path;
    if (strcmp(path, "-") == 0) {
        s->fd = 0;
    } else {
        s->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (s->fd < 0) {
            err = ruru_diag_set(diag, errno == ENOENT ? RURU_ENOTFOUND : RURU_EIO, path, 0, 0,
                                "cannot open: %s", strerror(errno));
            ruru_free(s);
            return err;
        }
        s->own_fd = true;
    }
    if (fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode))
        s->size = (uint64_t)st.st_size;
    else if (s->own_fd && fstat(s->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(s->fd);
        ruru_free(s);
        return ruru_diag_set(diag, RURU_EIO, path, 0, 0, "is a directory");
    }
    s->block = ruru_malloc(RAW_BLOCK);
    if (s->block == NULL) {
        ruru_stream_close(s);
        return ruru_diag_set(diag, RURU_ENOMEM, path, 0, 0, "out of memory");
    }
    if ((err = read_raw(s, diag)) != RURU_OK) {
        ruru_stream_close(s);
        return err;
    }
    return start_decoder(s, out, diag);
}

enum ruru_err ruru_stream_open_mem(const char *name,
                                   const char *data,
                                   size_t len,
                                   struct ruru_stream **out,
                                   struct ruru_diag *diag)
{
    static const unsigned char empty[1];
    struct ruru_stream *s = ruru_calloc(1, sizeof(*s));

    if (s == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, name, 0, 0, "out of memory");
    s->path = name;
    s->fd = -1;
    s->mem = len > 0 ? (const unsigned char *)data : empty;
    s->mem_len = len;
    (void)read_raw(s, diag);
    return start_decoder(s, out, diag);
}

/* Tells the compression from the first block, and starts its decoder. */
static enum ruru_err
start_decoder(struct ruru_stream *s, struct ruru_stream **out, struct ruru_diag *diag)
{
    const char *path = s->path;

    /* The first block tells the compression (a block is far longer than any magic, except at
     * the very end of a short file, which then simply is what it is). */
    if (s->raw_len >= 2 && s->raw[0] == 0x1f && s->raw[1] == 0x8b) {
        s->comp = RURU_COMP_GZIP;
        if (inflateInit2(&s->gz, 15 + 32) != Z_OK) {
            ruru_stream_close(s);
            return ruru_diag_set(diag, RURU_ENOMEM, path, 0, 0, "cannot start gzip decoder");
        }
        s->gz_live = true;
    } else if (s->raw_len >= 4 && s->raw[0] == 0x28 && s->raw[1] == 0xb5 && s->raw[2] == 0x2f &&
               s->raw[3] == 0xfd) {
        s->comp = RURU_COMP_ZSTD;
        if ((s->zs = ZSTD_createDStream()) == NULL) {
            ruru_stream_close(s);
            return ruru_diag_set(diag, RURU_ENOMEM, path, 0, 0, "cannot start zstd decoder");
        }
        ZSTD_initDStream(s->zs);
    }
    *out = s;
    return RURU_OK;
}

static enum ruru_err
read_gzip(struct ruru_stream *s, char *buf, size_t cap, size_t *got, struct ruru_diag *diag)
{
    enum ruru_err err;

    *got = 0;
    while (*got == 0) {
        int zr;
        if ((err = read_raw(s, diag)) != RURU_OK)
            return err;
        if (s->raw_pos == s->raw_len) {
            if (!s->gz_member_done && (s->gz.total_in > 0 || s->raw_bytes > 0))
                return ruru_diag_set(diag, RURU_ECORRUPT, s->path, 0, s->raw_bytes,
                                     "truncated gzip data");
            return RURU_OK;
        }
        s->gz.next_in = s->raw + s->raw_pos;
        s->gz.avail_in = (uInt)(s->raw_len - s->raw_pos);
        s->gz.next_out = (unsigned char *)buf;
        s->gz.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
        if (s->gz_member_done) {
            /* Concatenated members (`cat a.gz b.gz`): bytes after a member start another. */
            if (inflateReset(&s->gz) != Z_OK)
                return ruru_diag_set(diag, RURU_ECORRUPT, s->path, 0, s->raw_bytes,
                                     "corrupt gzip data");
            s->gz_member_done = false;
        }
        zr = inflate(&s->gz, Z_NO_FLUSH);
        s->raw_pos = s->raw_len - s->gz.avail_in;
        *got = (size_t)((char *)s->gz.next_out - buf);
        if (zr == Z_STREAM_END) {
            s->gz_member_done = true;
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            if (*got > 0)
                return RURU_OK; /* deliver first; the error comes back on the next call */
            return ruru_diag_set(diag, RURU_ECORRUPT, s->path, 0, s->raw_bytes,
                                 "corrupt gzip data: %s", s->gz.msg ? s->gz.msg : "bad data");
        }
    }
    return RURU_OK;
}

static enum ruru_err
read_zstd(struct ruru_stream *s, char *buf, size_t cap, size_t *got, struct ruru_diag *diag)
{
    enum ruru_err err;

    *got = 0;
    while (*got == 0) {
        ZSTD_inBuffer in;
        ZSTD_outBuffer zout = {buf, cap, 0};
        if ((err = read_raw(s, diag)) != RURU_OK)
            return err;
        if (s->raw_pos == s->raw_len) {
            if (s->zs_last != 0)
                return ruru_diag_set(diag, RURU_ECORRUPT, s->path, 0, s->raw_bytes,
                                     "truncated zstd data");
            return RURU_OK;
        }
        in.src = s->raw;
        in.size = s->raw_len;
        in.pos = s->raw_pos;
        s->zs_last = ZSTD_decompressStream(s->zs, &zout, &in);
        s->raw_pos = in.pos;
        *got = zout.pos;
        if (ZSTD_isError(s->zs_last)) {
            if (*got > 0)
                return RURU_OK;
            return ruru_diag_set(diag, RURU_ECORRUPT, s->path, 0, s->raw_bytes,
                                 "corrupt zstd data: %s", ZSTD_getErrorName(s->zs_last));
        }
    }
    return RURU_OK;
}

enum ruru_err
ruru_stream_read(struct ruru_stream *s, char *buf, size_t cap, size_t *got, struct ruru_diag *diag)
{
    enum ruru_err err;

    if (s->comp == RURU_COMP_GZIP)
        return read_gzip(s, buf, cap, got, diag);
    if (s->comp == RURU_COMP_ZSTD)
        return read_zstd(s, buf, cap, got, diag);
    *got = 0;
    if (s->mem == NULL && s->raw_pos == s->raw_len && !s->raw_eof) {
        /* Plain input: straight into the caller's buffer, no second copy. */
        ssize_t n;
        do
            n = read(s->fd, buf, cap);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            return ruru_diag_set(diag, RURU_EIO, s->path, 0, s->raw_bytes, "read error: %s",
                                 strerror(errno));
        s->raw_bytes += (uint64_t)n;
        s->raw_eof = n == 0;
        *got = (size_t)n;
        return RURU_OK;
    }
    if ((err = read_raw(s, diag)) != RURU_OK)
        return err;
    *got = s->raw_len - s->raw_pos < cap ? s->raw_len - s->raw_pos : cap;
    memcpy(buf, s->raw + s->raw_pos, *got);
    s->raw_pos += *got;
    return RURU_OK;
}

enum ruru_compression ruru_stream_compression(const struct ruru_stream *s)
{
    return s->comp;
}

uint64_t ruru_stream_raw_bytes(const struct ruru_stream *s)
{
    return s->raw_bytes;
}

uint64_t ruru_stream_size(const struct ruru_stream *s)
{
    return s->size;
}

void ruru_stream_close(struct ruru_stream *s)
{
    if (s == NULL)
        return;
    if (s->gz_live)
        inflateEnd(&s->gz);
    if (s->zs)
        ZSTD_freeDStream(s->zs);
    if (s->own_fd)
        close(s->fd);
    ruru_free(s->block);
    ruru_free(s);
}
