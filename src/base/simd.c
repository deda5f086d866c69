/* SPDX-License-Identifier: Apache-2.0 */
#include "base/simd.h"

#include <ruru.h>

/* Written before a sweep's threads start (pthread_create orders it before their reads). */
bool ruru_simd_off;

void ruru_set_simd(bool on)
{
    ruru_simd_off = !on;
}
