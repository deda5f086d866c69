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

/* The cuts: byte by byte, and the vector cuts for processors with AVX2, or with AVX-512 BW as
 * well. All give the same tokens (the tests and a fuzz target compare them); ruru_tokens uses
 * the widest that can run. */
enum ruru_cut { RURU_CUT_SCALAR, RURU_CUT_AVX2, RURU_CUT_AVX512 };

/* May cut c run here: the processor has it and the fast paths are allowed (ruru_set_simd, and
 * for AVX-512 ruru_set_avx512)? The scalar cut always can. */
bool ruru_tokens_can(enum ruru_cut c);
/* A name to show for a cut ("AVX2"). */
const char *ruru_tokens_cut_name(enum ruru_cut c);
/* ruru_tokens with cut c; with the scalar cut when c cannot run. */
size_t
ruru_tokens_with(enum ruru_cut c, const char *line, size_t len, struct ruru_token *out, size_t max);

#endif
