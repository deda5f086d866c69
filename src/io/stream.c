/* SPDX-License-Identifier: Apache-2.0 */
#include "io/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "io/gunzip.h"

#define RAW_BLOCK (256u * 1024u)
/* A compressed file is decoded into blocks of DECODED_BLOCK bytes, then copied to the reader:
 * what ISA-L and libzstd give before a fault in corrupt data depends on the room they are
 * given, so every call gets the same room, whether the reader or a thread of its own decodes
 * (the same bytes at -j 1 and -j 2; the copy costs ~2 % of a sweep). A decoding thread keeps
 * up to BLOCKS of them waiting (8 MiB, 32 of the sweep's chunks: it goes on while the reader
 * hands chunks over; 256 KiB or 512 KiB blocks, and 16 of them, measured no better). */
#define DECODED_BLOCK (1u << 20)
#define BLOCKS        8u

/* The decoded blocks of a compressed file, filled in ring order by the decoder (a thread of
 * their own, or the reader when it finds none full) and taken by the reader. Only the
 * decoder touches the stream's decoding state. */
struct blocks {
    pthread_mutex_t mu;
    pthread_cond_t filled, taken;
    pthread_t thread;
    bool threaded; /* a thread decodes (set before it starts, never after) */
    unsigned char *block[BLOCKS];
    size_t len[BLOCKS];
    size_t head, count; /* the oldest full block, and how many are full (under mu) */
    size_t pos;         /* the reader's place in block[head] */
    bool done, stop;    /* the decoder is at the end (or failed); the reader closes */
    enum ruru_err err;  /* how the decoding ended, after its blocks */
    struct ruru_diag diag;
    uint64_t raw_bytes; /* read from the file, as the decoder last said (under mu) */
};

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
    uint64_t out_bytes; /* decoded bytes of a compressed input */
    struct ruru_gunzip *gz;
    bool failed; /* the compressed data is corrupt: said once the bytes before it were read */
    ZSTD_DStream *zs;
    size_t zs_last;        /* last ZSTD_decompressStream result: 0 at a frame end */
    struct blocks *blocks; /* a compressed file's decoded blocks, or NULL */
};

/* Compressed bytes taken by the decoder so far. */
static uint64_t taken(const struct ruru_stream *s)
{
    return s->raw_bytes - (s->raw_len - s->raw_pos);
}

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
        if ((s->gz = ruru_gunzip_create()) == NULL) {
            ruru_stream_close(s);
            return ruru_diag_set(diag, RURU_ENOMEM, path, 0, 0, "cannot start gzip decoder");
        }
    } else if (s->raw_len >= 4 && s->raw[0] == 0x28 && s->raw[1] == 0xb5 && s->raw[2] == 0x2f &&
               s->raw[3] == 0xfd) {
        s->comp = RURU_COMP_ZSTD;
        if ((s->zs = ZSTD_createDStream()) == NULL) {
            ruru_stream_close(s);
            return ruru_diag_set(diag, RURU_ENOMEM, path, 0, 0, "cannot start zstd decoder");
        }
        ZSTD_initDStream(s->zs);
    }
    if (s->comp != RURU_COMP_NONE && s->mem == NULL &&
        (s->blocks = ruru_calloc(1, sizeof(*s->blocks))) == NULL) {
        ruru_stream_close(s);
        return ruru_diag_set(diag, RURU_ENOMEM, path, 0, 0, "out of memory");
    }
    if (s->blocks != NULL) {
        pthread_mutex_init(&s->blocks->mu, NULL);
        pthread_cond_init(&s->blocks->filled, NULL);
        pthread_cond_init(&s->blocks->taken, NULL);
        s->blocks->raw_bytes = s->raw_bytes;
    }
    *out = s;
    return RURU_OK;
}

static enum ruru_err
read_gzip(struct ruru_stream *s, char *buf, size_t cap, size_t *got, struct ruru_diag *diag)
{
    enum ruru_err err;

    *got = 0;
    for (;;) {
        size_t used = 0;
        bool ok;
        if (s->failed)
            return ruru_gunzip_fail(s->gz, s->path, diag);
        if ((err = read_raw(s, diag)) != RURU_OK)
            return err;
        ok = ruru_gunzip_run(s->gz, s->raw + s->raw_pos, s->raw_len - s->raw_pos, &used,
                             (unsigned char *)buf, cap, got);
        s->raw_pos += used;
        s->out_bytes += *got;
        if (!ok) {
            s->failed = true;
            if (*got > 0)
                return RURU_OK; /* deliver first; the error comes back on the next call */
            continue;
        }
        if (*got > 0)
            return RURU_OK;
        if (s->raw_pos < s->raw_len)
            return ruru_diag_set(diag, RURU_ECORRUPT, s->path, 0, 0,
                                 "corrupt gzip data at compressed byte %" PRIu64
                                 ": the decoder stalled",
                                 taken(s));
        if (s->raw_eof)
            /* the end: between members, or inside one */
            return ruru_gunzip_complete(s->gz) ? RURU_OK : ruru_gunzip_fail(s->gz, s->path, diag);
    }
}

static enum ruru_err
read_zstd(struct ruru_stream *s, char *buf, size_t cap, size_t *got, struct ruru_diag *diag)
{
    enum ruru_err err;

    *got = 0;
    while (*got == 0) {
        ZSTD_inBuffer in;
        ZSTD_outBuffer zout = {buf, cap, 0};
        if (s->failed)
            return ruru_diag_set(diag, RURU_ECORRUPT, s->path, 0, 0,
                                 "corrupt zstd data at compressed byte %" PRIu64 " (after %" PRIu64
                                 " decoded bytes): %s",
                                 taken(s), s->out_bytes, ZSTD_getErrorName(s->zs_last));
        if ((err = read_raw(s, diag)) != RURU_OK)
            return err;
        if (s->raw_pos == s->raw_len) {
            if (s->zs_last != 0)
                return ruru_diag_set(diag, RURU_ECORRUPT, s->path, 0, 0,
                                     "truncated zstd data at compressed byte %" PRIu64
                                     " (after %" PRIu64 " decoded bytes)",
                                     taken(s), s->out_bytes);
            return RURU_OK;
        }
        in.src = s->raw;
        in.size = s->raw_len;
        in.pos = s->raw_pos;
        s->zs_last = ZSTD_decompressStream(s->zs, &zout, &in);
        s->raw_pos = in.pos;
        *got = zout.pos;
        s->out_bytes += zout.pos;
        if (ZSTD_isError(s->zs_last)) {
            s->failed = true;
            if (*got > 0)
                return RURU_OK;
        }
    }
    return RURU_OK;
}

/* Reads decoded bytes from the input itself (the decoder's side of the blocks). */
static enum ruru_err
decode(struct ruru_stream *s, char *buf, size_t cap, size_t *got, struct ruru_diag *diag)
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

/* ---- decoded blocks ------------------------------------------------------------------------ */

/* The decoder's turn: fills the next free block (there is one) to the brim, or to the end of
 * the input or an error, which it keeps for the reader, after the block. False at that end. */
static bool fill(struct ruru_stream *s)
{
    struct blocks *b = s->blocks;
    size_t slot, len = 0, got = 0;
    enum ruru_err err = RURU_OK;
    struct ruru_diag d;
    bool more;

    pthread_mutex_lock(&b->mu);
    slot = (b->head + b->count) % BLOCKS;
    pthread_mutex_unlock(&b->mu);
    /* the free block at slot is the decoder's until it is counted full */
    if (b->block[slot] == NULL && (b->block[slot] = ruru_malloc(DECODED_BLOCK)) == NULL)
        err = ruru_diag_set(&d, RURU_ENOMEM, s->path, 0, 0, "out of memory");
    while (err == RURU_OK && len < DECODED_BLOCK) {
        err = decode(s, (char *)b->block[slot] + len, DECODED_BLOCK - len, &got, &d);
        if (err != RURU_OK || got == 0)
            break;
        len += got;
    }
    more = err == RURU_OK && got > 0;
    pthread_mutex_lock(&b->mu);
    b->len[slot] = len;
    if (len > 0)
        b->count++;
    b->raw_bytes = s->raw_bytes;
    if (!more) {
        b->done = true;
        b->err = err;
        if (err != RURU_OK)
            b->diag = d;
    }
    pthread_cond_signal(&b->filled);
    pthread_mutex_unlock(&b->mu);
    return more;
}

/* A decoding thread: fills the free blocks until the end or the reader closing. */
static void *decode_ahead(void *arg)
{
    struct ruru_stream *s = arg;
    struct blocks *b = s->blocks;

    for (;;) {
        bool stop;
        pthread_mutex_lock(&b->mu);
        while (b->count == BLOCKS && !b->stop)
            pthread_cond_wait(&b->taken, &b->mu);
        stop = b->stop;
        pthread_mutex_unlock(&b->mu);
        if (stop || !fill(s))
            break;
    }
    return NULL;
}

bool ruru_stream_decode_ahead(struct ruru_stream *s)
{
    struct blocks *b = s->blocks;

    if (b == NULL || b->threaded || b->done)
        return false;
    b->threaded = true;
    if (pthread_create(&b->thread, NULL, decode_ahead, s) != 0) {
        b->threaded = false; /* no thread: the reader decodes, as without one */
        return false;
    }
    return true;
}

/* Hands over decoded bytes from the blocks, decoding one first when none is full and no
 * thread does. */
static enum ruru_err
read_blocks(struct ruru_stream *s, char *buf, size_t cap, size_t *got, struct ruru_diag *diag)
{
    struct blocks *b = s->blocks;
    size_t n;

    *got = 0;
    pthread_mutex_lock(&b->mu);
    while (b->count == 0 && !b->done) {
        if (b->threaded) {
            pthread_cond_wait(&b->filled, &b->mu);
            continue;
        }
        pthread_mutex_unlock(&b->mu);
        fill(s);
        pthread_mutex_lock(&b->mu);
    }
    if (b->count == 0) {
        enum ruru_err err = b->err;
        if (err != RURU_OK && diag != NULL)
            *diag = b->diag;
        pthread_mutex_unlock(&b->mu);
        return err;
    }
    pthread_mutex_unlock(&b->mu);
    /* block[head] is the reader's until it is given back */
    n = b->len[b->head] - b->pos < cap ? b->len[b->head] - b->pos : cap;
    memcpy(buf, b->block[b->head] + b->pos, n);
    b->pos += n;
    *got = n;
    if (b->pos == b->len[b->head]) {
        pthread_mutex_lock(&b->mu);
        b->head = (b->head + 1) % BLOCKS;
        b->count--;
        b->pos = 0;
        pthread_cond_signal(&b->taken);
        pthread_mutex_unlock(&b->mu);
    }
    return RURU_OK;
}

static void blocks_destroy(struct blocks *b)
{
    if (b == NULL)
        return;
    if (b->threaded) {
        pthread_mutex_lock(&b->mu);
        b->stop = true;
        pthread_cond_signal(&b->taken);
        pthread_mutex_unlock(&b->mu);
        pthread_join(b->thread, NULL);
    }
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->filled);
    pthread_cond_destroy(&b->taken);
    for (size_t i = 0; i < BLOCKS; i++)
        ruru_free(b->block[i]);
    ruru_free(b);
}

enum ruru_err
ruru_stream_read(struct ruru_stream *s, char *buf, size_t cap, size_t *got, struct ruru_diag *diag)
{
    if (s->blocks != NULL)
        return read_blocks(s, buf, cap, got, diag);
    return decode(s, buf, cap, got, diag);
}

enum ruru_compression ruru_stream_compression(const struct ruru_stream *s)
{
    return s->comp;
}

uint64_t ruru_stream_raw_bytes(const struct ruru_stream *s)
{
    uint64_t n;

    if (s->blocks == NULL)
        return s->raw_bytes;
    pthread_mutex_lock(&s->blocks->mu);
    n = s->blocks->raw_bytes;
    pthread_mutex_unlock(&s->blocks->mu);
    return n;
}

uint64_t ruru_stream_size(const struct ruru_stream *s)
{
    return s->size;
}

void ruru_stream_close(struct ruru_stream *s)
{
    if (s == NULL)
        return;
    blocks_destroy(s->blocks); /* a decoding thread stopped before the state it uses goes */
    ruru_gunzip_destroy(s->gz);
    if (s->zs)
        ZSTD_freeDStream(s->zs);
    if (s->own_fd)
        close(s->fd);
    ruru_free(s->block);
    ruru_free(s);
}
