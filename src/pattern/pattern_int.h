/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compiled pattern, shared by the engine (pattern.c) and the needle finder (needles.c).
 * Nothing outside src/pattern includes this header.
 */
#ifndef RURU_PATTERN_PATTERN_INT_H
#define RURU_PATTERN_PATTERN_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/str.h"
#include "intel/stix_pattern.h"

struct net {
    int family; /* AF_INET, AF_INET6 */
    unsigned char addr[16];
    unsigned prefix;
};

/* The compiled form of one TEST node (node->aux). */
struct test {
    pcre2_code *re;     /* MATCHES on text (UTF, NFC pattern) */
    pcre2_code *re_bin; /* MATCHES on binary (the pattern as Latin-1), NULL when not all < 256 */
    uint32_t *like;     /* LIKE on text: the NFC pattern as code points */
    size_t n_like;
    unsigned char *like_bin; /* LIKE on binary (Latin-1), NULL when not all < 256 */
    size_t n_like_bin;
    struct net net; /* ISSUBSET / ISSUPERSET */
    bool set_of_times;
};

struct ruru_pattern {
    struct ruru_arena arena;
    struct ruru_stix_node *root;
    struct ruru_stix_node **leaves; /* the OBSERVATION nodes, in pattern order */
    size_t n_leaves;
    struct test **tests; /* every compiled test, to free */
    size_t n_tests;
    const char **types; /* distinct object types of the tests */
    size_t n_types;
    struct ruru_str *needles; /* ruru_pattern_needles, in the arena; NULL when none */
    size_t n_needles;
};

/* Whether s ends with suffix. */
bool ruru_pattern_ends_with(const char *s, const char *suffix);

/* s (n bytes) in NFC (LIKE and MATCHES compare NFC forms): s itself when it is ASCII or no
 * UTF-8, else a new string in *owned (free it). OUT: *out_len, its length. NULL when memory
 * ran out. */
const char *ruru_pattern_nfc(const char *s, size_t n, size_t *out_len, char **owned);

/* Finds what a record must show for the pattern to hold on it (ruru_pattern_needles): kept in
 * p->needles, none when some record may hold whatever it shows. False when memory ran out. */
bool ruru_pattern_find_needles(struct ruru_pattern *p);

#endif
