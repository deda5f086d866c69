/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whether ruru's fast paths may run (ruru_set_simd in ruru.h): its own vector code, which asks
 * before it takes the CPU's word for it, and the sweep's skim. The portable paths give the
 * same answers.
 */
#ifndef RURU_BASE_SIMD_H
#define RURU_BASE_SIMD_H

#include <stdbool.h>

extern bool ruru_simd_off;
extern bool ruru_avx512_off; /* ruru_set_avx512 */

static inline bool ruru_simd_allowed(void)
{
    return !ruru_simd_off;
}

/* May code built for AVX2 and POPCNT (target attributes) run: allowed, and the CPU has them. */
static inline bool ruru_simd_avx2(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    return ruru_simd_allowed() && __builtin_cpu_supports("avx2") &&
           __builtin_cpu_supports("popcnt");
#else
    return false;
#endif
}

/* May code built for AVX-512 F and BW, BMI1 and BMI2 (besides AVX2 and POPCNT) run: allowed
 * (both ruru_set_simd and ruru_set_avx512), and the CPU has them (__builtin_cpu_supports also
 * asks whether the system saves the 512-bit registers). */
static inline bool ruru_simd_avx512(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    return !ruru_avx512_off && ruru_simd_avx2() && __builtin_cpu_supports("bmi") &&
           __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw");
#else
    return false;
#endif
}

#endif
