/* SPDX-License-Identifier: Apache-2.0 */
/* libpq loaded when first needed (pq_lib.h, base/dynlib.h). */
#define RURU_PQ_LOADER
#include "cases/pq_lib.h"

#include "base/dynlib.h"

RURU_DYNLIB_DEFINE(ruru_pq, RURU_PQ_FNS, ruru_pq_load, "libpq.so.5", "PostgreSQL's client library")
