/* SPDX-License-Identifier: Apache-2.0 */
/* libmicrohttpd loaded when first needed (mhd_lib.h, base/dynlib.h). */
#define RURU_MHD_LOADER
#include "serve/mhd_lib.h"

#include "base/dynlib.h"

RURU_DYNLIB_DEFINE(ruru_mhd, RURU_MHD_FNS, ruru_mhd_load, "libmicrohttpd.so.12", "libmicrohttpd")
