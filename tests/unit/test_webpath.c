/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File paths under web roots as the URL paths they are served at (src/match/webpath.c): the
 * table of docs/normalisation.md, case by case, and the paths that are under none.
 */
#include <string.h>

#include "base/buf.h"
#include "check.h"
#include "match/webpath.h"

static const char *webpath(const char *path)
{
    static char got[512];
    struct ruru_buf b;

    ruru_buf_init(&b, 1u << 16);
    if (ruru_webpath_of(path, strlen(path), &b))
        snprintf(got, sizeof(got), "%s", ruru_buf_str(&b));
    else
        snprintf(got, sizeof(got), "(none)");
    ruru_buf_fini(&b);
    return got;
}

static void test_table(void)
{
    static const struct {
        const char *path, *want;
    } cases[] = {
            {"C:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx", "/aspnet_client/shell.aspx"},
            {"\\inetpub\\wwwroot\\aspnet_client\\system_web\\log.aspx",
             "/aspnet_client/system_web/log.aspx"},
            {"c:/InetPub/WWWRoot/aspnet_client/Shell.aspx", "/aspnet_client/Shell.aspx"},
            /* a CSV's doubled backslashes */
            {"C:\\\\inetpub\\\\wwwroot\\\\aspnet_client\\\\a.aspx", "/aspnet_client/a.aspx"},
            {"C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\"
             "errorEE.aspx",
             "/owa/auth/errorEE.aspx"},
            {"%ExchangeInstallPath%FrontEnd\\HttpProxy\\ecp\\auth\\TimeoutLogout.aspx",
             "/ecp/auth/TimeoutLogout.aspx"},
            {"D:\\Exchange\\FrontEnd\\HttpProxy\\OAB\\log.aspx", "/oab/log.aspx"},
            {"\\FrontEnd\\HttpProxy\\owa\\auth\\Current\\themes\\x.aspx",
             "/owa/auth/Current/themes/x.aspx"},
            {"C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\ecp\\x.aspx",
             "/ecp/x.aspx"},
            /* a space in a name: percent-encoded as a uri-path is */
            {"C:\\inetpub\\wwwroot\\aspnet_client\\a b.aspx", "/aspnet_client/a%20b.aspx"},
            /* under no root, or the root itself */
            {"C:\\inetpub\\wwwroot\\", "(none)"},
            {"C:\\inetpub\\logs\\LogFiles\\W3SVC1\\u_ex210302.log", "(none)"},
            {"C:\\Windows\\Temp\\lsass.dmp", "(none)"},
            {"C:\\myinetpub\\wwwroot\\x.aspx", "(none)"},
            {"C:\\Exchange\\FrontEnd\\HttpProxy\\sync\\x.aspx", "(none)"},
            {"", "(none)"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        CHECK_STR(webpath(cases[i].path), cases[i].want);
}

int main(void)
{
    test_table();
    return check_done();
}
