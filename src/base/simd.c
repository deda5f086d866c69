/* SPDX-License-Identifier: Apache-2.0 */
#include "base/simd.h"

#include <ruru.h>

/* Written before a sweep's threads start (pthread_create orders it before their reads). */
bool ruru_simd_off;
bool ruru_avx512_off;

void ruru_set_simd(bool on)
{
    ruru_simd_off = !on;
}

void ruru_set_avx512(bool on)
{
    ruru_avx512_off = !on;
}
