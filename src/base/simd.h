/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whether ruru's own vector code may run (ruru_set_simd in ruru.h). The vector paths ask
 * before they take the CPU's word for it; the portable paths give the same answers.
 */
#ifndef RURU_BASE_SIMD_H
#define RURU_BASE_SIMD_H

#include <stdbool.h>

extern bool ruru_simd_off;

static inline bool ruru_simd_allowed(void)
{
    return !ruru_simd_off;
}

#endif
