/* SPDX-License-Identifier: Apache-2.0 */
#include "io/gunzip.h"

#include <inttypes.h>
#include <isa-l/igzip_lib.h>
#include <string.h>
#include <zlib.h>

#include "base/alloc.h"
#include "base/diag.h"

/* The header flags of RFC 1952 (FTEXT, bit 0, says nothing that matters here). */
#define F_HCRC     0x02u
#define F_EXTRA    0x04u
#define F_NAME     0x08u
#define F_COMMENT  0x10u
#define F_RESERVED 0xe0u

/* Where the decoder is in a member: its header, field by field, then its deflate data and
 * trailer (ISA-L's). ID1 is also the place between two members. */
enum part {
    ID1,
    ID2,
    METHOD,
    FLAGS,
    FIXED,
    XLEN1,
    XLEN2,
    EXTRA,
    NAME,
    COMMENT,
    HCRC1,
    HCRC2,
    DATA
};

struct ruru_gunzip {
    struct inflate_state isal; /* the member's deflate data and trailer */
    enum part part;
    unsigned flags;     /* of the member's header */
    uint32_t left;      /* bytes of the fixed fields or of the extra field still to pass */
    uint32_t hcrc;      /* CRC-32 of the member's header so far */
    unsigned hcrc_low;  /* the first byte of the header's own CRC-16 */
    uint64_t in_pos;    /* compressed bytes taken */
    uint64_t out_pos;   /* decoded bytes written */
    uint64_t member;    /* 1-based: the member in progress, or the last one */
    const char *fault;  /* why the data is corrupt, or NULL */
    uint64_t fault_pos; /* the compressed byte where it was found */
};

struct ruru_gunzip *ruru_gunzip_create(void)
{
    struct ruru_gunzip *g = ruru_calloc(1, sizeof(*g));

    if (g == NULL)
        return NULL;
    isal_inflate_init(&g->isal);
    g->part = ID1;
    return g;
}

void ruru_gunzip_destroy(struct ruru_gunzip *g)
{
    ruru_free(g);
}

bool ruru_gunzip_complete(const struct ruru_gunzip *g)
{
    return g->fault == NULL && g->part == ID1 && g->member > 0;
}

static void fault(struct ruru_gunzip *g, uint64_t pos, const char *why)
{
    g->fault = why;
    g->fault_pos = pos;
}

/* The part after `p` (a part that ends a field), as the member's flags say: the optional
 * fields in their order, then the data. */
static enum part next_part(struct ruru_gunzip *g, enum part p)
{
    if (p == FIXED && (g->flags & F_EXTRA))
        return XLEN1;
    if (p <= EXTRA && (g->flags & F_NAME))
        return NAME;
    if (p <= NAME && (g->flags & F_COMMENT))
        return COMMENT;
    if (p <= COMMENT && (g->flags & F_HCRC))
        return HCRC1;
    /* The deflate data: ISA-L inflates it and checks the trailer after it. */
    isal_inflate_reset(&g->isal);
    g->isal.crc_flag = ISAL_GZIP_NO_HDR_VER;
    g->isal.hist_bits = 0; /* the largest window, 32 KiB */
    return DATA;
}

/* Takes header bytes from in[0..len) (the part is not DATA). OUT: how many. A fault leaves
 * g->fault set, the bytes before it taken. */
static size_t header(struct ruru_gunzip *g, const unsigned char *in, size_t len)
{
    size_t n = 0;

    if (len > UINT32_MAX)
        len = UINT32_MAX; /* a run is summed with zlib's crc32, which counts in 32 bits */

    while (n < len && g->part != DATA && g->fault == NULL) {
        enum part p = g->part;
        unsigned c = in[n];
        size_t run = 1;
        switch (p) {
        case ID1:
            if (c != 0x1f) {
                fault(g, g->in_pos + n, "not a gzip member");
                return n;
            }
            g->member++;
            g->hcrc = 0;
            g->part = ID2;
            break;
        case ID2:
            if (c != 0x8b) {
                fault(g, g->in_pos + n, "not a gzip member");
                return n;
            }
            g->part = METHOD;
            break;
        case METHOD:
            if (c != 8) {
                fault(g, g->in_pos + n, "unknown compression method");
                return n;
            }
            g->part = FLAGS;
            break;
        case FLAGS:
            if (c & F_RESERVED) {
                fault(g, g->in_pos + n, "unknown header flags set");
                return n;
            }
            g->flags = c;
            g->left = 6; /* MTIME, XFL, OS */
            g->part = FIXED;
            break;
        case FIXED:
        case EXTRA:
            run = len - n < g->left ? len - n : g->left;
            g->left -= (uint32_t)run;
            if (g->left == 0)
                g->part = next_part(g, p);
            break;
        case XLEN1:
            g->left = c;
            g->part = XLEN2;
            break;
        case XLEN2:
            g->left |= c << 8;
            g->part = g->left > 0 ? EXTRA : next_part(g, XLEN2);
            break;
        case NAME:
        case COMMENT: {
            const unsigned char *nul = memchr(in + n, 0, len - n);
            run = nul != NULL ? (size_t)(nul - (in + n)) + 1 : len - n;
            if (nul != NULL)
                g->part = next_part(g, p);
            break;
        }
        case HCRC1:
            g->hcrc_low = c;
            g->part = HCRC2;
            break;
        case HCRC2:
            if ((g->hcrc_low | c << 8) != (g->hcrc & 0xffffu)) {
                fault(g, g->in_pos + n, "header crc mismatch");
                return n;
            }
            g->part = next_part(g, HCRC2);
            break;
        case DATA:
            break;
        }
        if (p != HCRC1 && p != HCRC2)
            g->hcrc = (uint32_t)crc32(g->hcrc, in + n, (uInt)run);
        n += run;
    }
    return n;
}

static const char *isal_reason(int r)
{
    switch (r) {
    case ISAL_INVALID_BLOCK:
        return "invalid block";
    case ISAL_INVALID_SYMBOL:
        return "invalid code";
    case ISAL_INVALID_LOOKBACK:
        return "invalid distance too far back";
    case ISAL_INCORRECT_CHECKSUM:
        return "incorrect data check";
    default:
        return "invalid deflate data";
    }
}

/* Inflates from in[0..len) into out[0..cap) (the part is DATA). OUT: *took, *wrote. */
static void data(struct ruru_gunzip *g,
                 const unsigned char *in,
                 size_t len,
                 size_t *took,
                 unsigned char *out,
                 size_t cap,
                 size_t *wrote)
{
    static unsigned char none[1];
    struct inflate_state *s = &g->isal;
    uint32_t ai = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    uint32_t ao = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
    int r;

    /* ISA-L reads through a non-const pointer, but never writes the input */
    s->next_in = len > 0 ? (uint8_t *)(uintptr_t)in : none;
    s->avail_in = ai;
    s->next_out = out;
    s->avail_out = ao;
    r = isal_inflate(s);
    /* (after a fault, ISA-L's count of the input left can be off by a byte: it is not trusted
     * past the input it was given) */
    *took = s->avail_in <= ai ? ai - s->avail_in : ai;
    *wrote = ao - s->avail_out;
    if (r < 0 || r == ISAL_NEED_DICT) {
        /* Where it stopped, less the bytes whose bits it had loaded but not used. A bad code is
         * in the last byte it took a bit of; a wrong check is in the trailer, whose eight bytes
         * it has taken whole. */
        uint64_t at = g->in_pos + *took,
                 bits = s->read_in_length > 0 ? (uint64_t)s->read_in_length : 0;
        uint64_t back = r == ISAL_INCORRECT_CHECKSUM ? bits / 8 + 8 : (bits + 7) / 8;
        fault(g, at > back ? at - back : 0, isal_reason(r));
        return;
    }
    if (s->block_state == ISAL_BLOCK_FINISH)
        g->part = ID1; /* the trailer checked: another member may follow */
}

bool ruru_gunzip_run(struct ruru_gunzip *g,
                     const unsigned char *in,
                     size_t in_len,
                     size_t *used,
                     unsigned char *out,
                     size_t cap,
                     size_t *got)
{
    size_t i = 0, o = 0;

    while (g->fault == NULL && o < cap) {
        size_t took = 0, wrote = 0;
        if (g->part == DATA) {
            data(g, in + i, in_len - i, &took, out + o, cap - o, &wrote);
            o += wrote;
            g->out_pos += wrote;
        } else {
            took = header(g, in + i, in_len - i);
        }
        i += took;
        g->in_pos += took;
        if (took == 0 && wrote == 0)
            break; /* needs more input (or has a fault) */
    }
    *used = i;
    *got = o;
    return g->fault == NULL;
}

enum ruru_err
ruru_gunzip_fail(const struct ruru_gunzip *g, const char *name, struct ruru_diag *diag)
{
    uint64_t member = g->member > 0 ? g->member : 1;

    if (g->fault != NULL)
        return ruru_diag_set(diag, RURU_ECORRUPT, name, 0, 0,
                             "corrupt gzip data at compressed byte %" PRIu64 " (member %" PRIu64
                             ", after %" PRIu64 " decoded bytes): %s",
                             g->fault_pos, member, g->out_pos, g->fault);
    return ruru_diag_set(diag, RURU_ECORRUPT, name, 0, 0,
                         "truncated gzip data at compressed byte %" PRIu64 " (member %" PRIu64
                         ", after %" PRIu64 " decoded bytes)",
                         g->in_pos, member, g->out_pos);
}
