/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An inflater alone, for bench/scan.py: decompresses gzip files (every member of each) and
 * throws the bytes away, so that a sweep of the same files can be set beside what the
 * decompression by itself reaches on one core.
 *
 *   zinflate zlib|isal|libdeflate FILE...
 *
 * zlib and isal (ISA-L's igzip) stream the file through a 256 KiB read block and a 4 MiB
 * output buffer, as the sweep does; libdeflate decompresses whole buffers only, so the file
 * is read whole first (not timed) and each member is decompressed into one buffer sized by
 * its trailer. libdeflate is there only when the build found it.
 *
 * Prints "BYTES SECONDS": the decompressed bytes and the time taken (opening and reading the
 * files included, except libdeflate's whole-file read); exits 1 on a bad file.
 */
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#ifdef RURU_BENCH_LIBDEFLATE
#include <libdeflate.h>
#endif

#define IN_BLOCK  (256u << 10)
#define OUT_BLOCK (4u << 20)

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int zlib_file(int fd, unsigned char *in, unsigned char *out, uint64_t *total)
{
    z_stream zs;
    ssize_t n;
    int zr = Z_OK;
    int done = 0;

    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return -1;
    while ((n = read(fd, in, IN_BLOCK)) > 0) {
        zs.next_in = in;
        zs.avail_in = (uInt)n;
        while (zs.avail_in > 0) {
            if (zr == Z_STREAM_END) {
                if (inflateReset(&zs) != Z_OK)
                    break;
                zr = Z_OK;
            }
            zs.next_out = out;
            zs.avail_out = OUT_BLOCK;
            zr = inflate(&zs, Z_NO_FLUSH);
            *total += OUT_BLOCK - zs.avail_out;
            if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
                inflateEnd(&zs);
                return -1;
            }
        }
    }
    /* the last member's tail may still sit in the window */
    while (zr == Z_OK) {
        zs.next_out = out;
        zs.avail_out = OUT_BLOCK;
        zr = inflate(&zs, Z_NO_FLUSH);
        *total += OUT_BLOCK - zs.avail_out;
        if (zs.avail_out == OUT_BLOCK)
            break;
    }
    done = zr == Z_STREAM_END;
    inflateEnd(&zs);
    return done ? 0 : -1;
}

static int isal_file(int fd, unsigned char *in, unsigned char *out, uint64_t *total)
{
    static struct inflate_state st;
    ssize_t n;
    int finished = 0;

    isal_inflate_init(&st);
    st.crc_flag = ISAL_GZIP;
    while ((n = read(fd, in, IN_BLOCK)) > 0) {
        st.next_in = in;
        st.avail_in = (uint32_t)n;
        while (st.avail_in > 0 || (!finished && st.block_state != ISAL_BLOCK_FINISH)) {
            uint32_t before_in = st.avail_in;
            if (st.block_state == ISAL_BLOCK_FINISH) {
                isal_inflate_reset(&st);
                st.crc_flag = ISAL_GZIP;
            }
            st.next_out = out;
            st.avail_out = OUT_BLOCK;
            if (isal_inflate(&st) != ISAL_DECOMP_OK)
                return -1;
            *total += OUT_BLOCK - st.avail_out;
            finished = st.block_state == ISAL_BLOCK_FINISH;
            if (st.avail_out == OUT_BLOCK && st.avail_in == before_in)
                break; /* needs more input */
        }
    }
    return finished ? 0 : -1;
}

#ifdef RURU_BENCH_LIBDEFLATE
/* The last member's size (mod 2^32), from a gzip file's last four bytes. */
static size_t last_isize(const unsigned char *in, size_t size)
{
    if (size < 4)
        return 0;
    return (size_t)in[size - 4] | (size_t)in[size - 3] << 8 | (size_t)in[size - 2] << 16 |
           (size_t)in[size - 1] << 24;
}

static int libdeflate_file(int fd, uint64_t *total, double *t_setup)
{
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    double t0 = now();
    unsigned char *in, *out;
    size_t size, pos = 0, cap;
    struct stat sb;
    int rc = 0;

    if (d == NULL || fstat(fd, &sb) != 0 || (in = malloc((size_t)sb.st_size + 1)) == NULL)
        return -1;
    size = (size_t)sb.st_size;
    for (size_t got = 0; got < size;) {
        ssize_t n = read(fd, in + got, size - got);
        if (n <= 0) {
            free(in);
            return -1;
        }
        got += (size_t)n;
    }
    /* Whole buffers only: the output must hold a whole member, sized by its trailer (a
     * member's size cannot be known before decoding it; the buffer doubles when short). Its
     * pages are mapped before the clock starts, as a reused buffer's would be. */
    cap = last_isize(in, size) + 1;
    cap = cap < OUT_BLOCK ? OUT_BLOCK : cap;
    if ((out = malloc(cap)) == NULL)
        return -1;
    memset(out, 0, cap);
    *t_setup += now() - t0;
    while (pos < size && rc == 0) {
        size_t in_used = 0, out_len = 0;
        enum libdeflate_result r;
        for (;;) {
            r = libdeflate_gzip_decompress_ex(d, in + pos, size - pos, out, cap, &in_used,
                                              &out_len);
            if (r != LIBDEFLATE_INSUFFICIENT_SPACE)
                break;
            free(out);
            cap *= 2;
            if ((out = malloc(cap)) == NULL)
                return -1;
        }
        if (r != LIBDEFLATE_SUCCESS)
            rc = -1;
        *total += out_len;
        pos += in_used;
    }
    free(out);
    free(in);
    libdeflate_free_decompressor(d);
    return rc;
}
#endif

int main(int argc, char **argv)
{
    unsigned char *in = malloc(IN_BLOCK), *out = malloc(OUT_BLOCK);
    uint64_t total = 0;
    double t0, t_setup = 0;

    if (argc < 3 || in == NULL || out == NULL) {
        fprintf(stderr, "usage: zinflate zlib|isal|libdeflate FILE...\n");
        return 2;
    }
    t0 = now();
    for (int i = 2; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY), rc;
        if (fd < 0) {
            perror(argv[i]);
            return 1;
        }
        if (strcmp(argv[1], "zlib") == 0) {
            rc = zlib_file(fd, in, out, &total);
        } else if (strcmp(argv[1], "isal") == 0) {
            rc = isal_file(fd, in, out, &total);
#ifdef RURU_BENCH_LIBDEFLATE
        } else if (strcmp(argv[1], "libdeflate") == 0) {
            rc = libdeflate_file(fd, &total, &t_setup);
#endif
        } else {
            fprintf(stderr, "zinflate: unknown inflater %s\n", argv[1]);
            return 2;
        }
        close(fd);
        if (rc != 0) {
            fprintf(stderr, "zinflate: %s: bad gzip data\n", argv[i]);
            return 1;
        }
    }
    printf("%llu %.4f\n", (unsigned long long)total, now() - t0 - t_setup);
    free(in);
    free(out);
    return 0;
}
