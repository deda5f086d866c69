/* SPDX-License-Identifier: Apache-2.0 */
/* The tests' pseudo-random numbers (Marsaglia's xorshift64): the same inputs on every run. */
#ifndef RURU_TEST_XORSHIFT_H
#define RURU_TEST_XORSHIFT_H

#include <stdint.h>

/* The next number of the sequence in *x (which must not start at 0). */
static inline uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

#endif
