/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File paths under web roots as the URL paths they are served at (webpath.h). IIS serves the
 * Default Web Site from %SystemDrive%\inetpub\wwwroot; Exchange's front end serves its
 * virtual directories from <install>\FrontEnd\HttpProxy\<vdir> and its back end from
 * <install>\ClientAccess\<vdir>. The HAFNIUM web shells of 2021 were written to exactly these
 * places (aspnet_client under wwwroot, owa\auth under HttpProxy), and advisories name them by
 * their place on disk while the evidence of their use is a request in an IIS log.
 *
 * Example: "C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\
 * errorEE.aspx" holds the root "\frontend\httpproxy\owa\" (case ignored), so it is served at
 * "/owa/" + "auth/errorEE.aspx".
 */
#include "match/webpath.h"

#include <string.h>

#include "base/str.h"
#include "intel/ioc.h"

/* Roots as they appear after a separator (or "%ExchangeInstallPath%"), in lower case with '\'
 * separators, and the URL path each is served at. */
static const struct {
    const char *root;
    const char *url;
} ROOTS[] = {
        {"inetpub\\wwwroot\\", "/"},
        {"frontend\\httpproxy\\owa\\", "/owa/"},
        {"frontend\\httpproxy\\ecp\\", "/ecp/"},
        {"frontend\\httpproxy\\oab\\", "/oab/"},
        {"frontend\\httpproxy\\ews\\", "/ews/"},
        {"frontend\\httpproxy\\mapi\\", "/mapi/"},
        {"frontend\\httpproxy\\rpc\\", "/rpc/"},
        {"frontend\\httpproxy\\autodiscover\\", "/autodiscover/"},
        {"frontend\\httpproxy\\powershell\\", "/powershell/"},
        {"clientaccess\\owa\\", "/owa/"},
        {"clientaccess\\ecp\\", "/ecp/"},
        {"clientaccess\\oab\\", "/oab/"},
};

/* Longest file path looked at: far above MAX_PATH (260) and the long-path limit's use. */
#define MAX_PATH_BYTES 4096

bool ruru_webpath_of(const char *path, size_t len, struct ruru_buf *out)
{
    /* the path with runs of separators as one '/' (a CSV's "\\" too): as written, and in lower
     * case with '\' for matching the roots */
    char kept[MAX_PATH_BYTES], low[MAX_PATH_BYTES];
    size_t n = 0;

    if (len == 0 || len > MAX_PATH_BYTES)
        return false;
    for (size_t i = 0; i < len; i++) {
        bool sep = path[i] == '/' || path[i] == '\\';
        if (sep && n > 0 && kept[n - 1] == '/')
            continue;
        kept[n] = sep ? '/' : path[i];
        low[n++] = sep ? '\\' : ruru_lower(path[i]);
    }
    for (size_t r = 0; r < sizeof(ROOTS) / sizeof(ROOTS[0]); r++) {
        size_t k = strlen(ROOTS[r].root);
        for (size_t at = 0; at + k < n; at++) {
            char url[MAX_PATH_BYTES + 16];
            size_t u = strlen(ROOTS[r].url);
            enum ruru_ioc_type type = RURU_IOC_URI_PATH;
            const char *reason;
            if (memcmp(low + at, ROOTS[r].root, k) != 0 ||
                (at > 0 && low[at - 1] != '\\' && low[at - 1] != '%'))
                continue;
            memcpy(url, ROOTS[r].url, u);
            memcpy(url + u, kept + at + k, n - at - k);
            return ruru_ioc_normalize(&type, url, u + n - at - k, NULL, out, &reason) &&
                   type == RURU_IOC_URI_PATH;
        }
    }
    return false;
}
