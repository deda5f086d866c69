/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Typed token extraction: the sweep's way of finding indicators in text without a literal
 * matcher over every indicator (DESIGN.md §4). One pass over a line cuts it into words at
 * separators, and each word is classified by its shape — address, host name, URL, e-mail
 * address, hash — so that the cost of a line does not depend on how many indicators there
 * are. Each token is then looked up in the match index.
 *
 * Tokens are slices of the caller's buffer (nothing is copied), typed, in line order.
 */
#ifndef RURU_SCAN_TOKENS_H
#define RURU_SCAN_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intel/ioc.h"

struct ruru_token {
    enum ruru_ioc_type type; /* IPV4, IPV6, DOMAIN, URL, EMAIL, MD5, SHA1, SHA256, SHA512 */
    uint32_t off;            /* from the start of the line */
    uint32_t len;
    uint32_t v4; /* IPV4: the address, a.b.c.d as a << 24 | b << 16 | c << 8 | d */
};

/* Extracts at most `max` tokens from `line` (not NUL-terminated) into out[]; returns how many
 * were found. A return above `max` means the line holds more: extraction stopped there, and
 * the caller goes on from the last stored token's offset. A URL yields the URL
 * and its host; an e-mail address yields the address and its domain; "host:port" and
 * "[v6]:port" yield the host. Lines longer than 4 GiB are not supported (offsets are 32-bit). */
size_t ruru_tokens(const char *line, size_t len, struct ruru_token *out, size_t max);

/* The same cut, byte by byte, for machines without AVX2. */
size_t ruru_tokens_scalar(const char *line, size_t len, struct ruru_token *out, size_t max);

/* The cuts: byte by byte (every machine), 64 bytes at a time with AVX2, or with AVX-512 (BW and
 * VBMI). ruru_tokens takes the fastest this processor has, when ruru_set_simd allows vector
 * code. All give the same tokens: the tests and fuzz_tokens run each the machine has against
 * the scalar cut. */
enum ruru_cut { RURU_CUT_SCALAR, RURU_CUT_AVX2, RURU_CUT_AVX512, RURU_CUT__COUNT };
/* Can this cut run here (the processor has it, vector code allowed)? */
bool ruru_tokens_cut_runs(enum ruru_cut cut);
/* ruru_tokens by that cut; by the scalar one when it cannot run here. */
size_t ruru_tokens_cut(
        enum ruru_cut cut, const char *line, size_t len, struct ruru_token *out, size_t max);
/* The cut ruru_tokens takes, and a cut's name ("scalar", "AVX2", "AVX-512"). */
enum ruru_cut ruru_tokens_best(void);
const char *ruru_tokens_cut_name(enum ruru_cut cut);

#endif
