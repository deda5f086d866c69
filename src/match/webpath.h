/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where a file under a web root is served: the URL path of a file-path indicator that lies
 * under IIS's default web root or an Exchange virtual directory, so that a web shell named by
 * its place on disk (C:\inetpub\wwwroot\aspnet_client\shell.aspx) is also found in the web
 * logs that request it (/aspnet_client/shell.aspx). The table is in docs/normalisation.md.
 */
#ifndef RURU_MATCH_WEBPATH_H
#define RURU_MATCH_WEBPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/*
 * The URL path at which the file path[0..len) is served, if it lies under a known web root
 * (ASCII case ignored, '\' and '/' alike, runs of them as one; a root may follow a drive, a
 * directory or %ExchangeInstallPath%). OUT: `out` (reset first) holds the path as a uri-path
 * indicator's canonical value (intel/ioc.h). Returns false, with `out` undefined, when the
 * path is under no known root, names the root itself, or makes no uri-path. Thread-safe.
 */
bool ruru_webpath_of(const char *path, size_t len, struct ruru_buf *out);

#endif
