/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host artefacts as indicators: Windows registry keys and MAC addresses (mutex and pipe names
 * are kept as given, by ioc.c). The one idea: a value has as many spellings as the tools that
 * write it, and the canonical form is the one every spelling reaches.
 *
 * Registry keys. Windows compares key names without case, and tools abbreviate the hive
 * (regedit's HKLM, reg.exe's HKLM\, Sysmon's HKLM, the kernel's \REGISTRY\MACHINE, MISP
 * exports HKEY_LOCAL_MACHINE). "hklm\\SOFTWARE\\\\Microsoft\\Run\\" becomes
 * "HKEY_LOCAL_MACHINE\software\microsoft\run": the hive in full and upper case, the rest
 * lower case (ASCII only: Windows' own case table is not ours to copy), runs of '\' as one
 * (feeds that escape backslashes twice), no trailing '\'. A key without a known hive keeps
 * its path, lower-cased, so "Software\Run" compares equal only to itself.
 *
 * MAC addresses. "5E-FF-56-A2-AF-15", "5e:ff:56:a2:af:15", Cisco's "5eff.56a2.af15" and
 * "5EFF56A2AF15" are one address: "5e:ff:56:a2:af:15". The all-zero and broadcast addresses
 * name no device and are refused.
 */
#include <string.h>

#include "base/str.h"
#include "intel/ioc_int.h"

/* The hives and the prefixes that name them, longest first where one is a prefix of
 * another ("HKU" after "HKEY_USERS" would never be reached the other way round). */
static const struct {
    const char *prefix;
    const char *hive;
} HIVES[] = {
        {"HKEY_LOCAL_MACHINE", "HKEY_LOCAL_MACHINE"},
        {"HKEY_CURRENT_USER", "HKEY_CURRENT_USER"},
        {"HKEY_CLASSES_ROOT", "HKEY_CLASSES_ROOT"},
        {"HKEY_CURRENT_CONFIG", "HKEY_CURRENT_CONFIG"},
        {"HKEY_USERS", "HKEY_USERS"},
        {"HKEY_PERFORMANCE_DATA", "HKEY_PERFORMANCE_DATA"},
        {"REGISTRY\\MACHINE", "HKEY_LOCAL_MACHINE"},
        {"REGISTRY\\USER", "HKEY_USERS"},
        {"HKLM", "HKEY_LOCAL_MACHINE"},
        {"HKCU", "HKEY_CURRENT_USER"},
        {"HKCR", "HKEY_CLASSES_ROOT"},
        {"HKCC", "HKEY_CURRENT_CONFIG"},
        {"HKPD", "HKEY_PERFORMANCE_DATA"},
        {"HKU", "HKEY_USERS"},
};

static bool ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ruru_lower(a[i]) != ruru_lower(b[i]))
            return false;
    return true;
}

/* The length of the hive prefix at s (followed by '\' or the end), and its full name. */
static size_t hive_prefix(const char *s, size_t len, const char **hive)
{
    for (size_t i = 0; i < sizeof(HIVES) / sizeof(HIVES[0]); i++) {
        size_t n = strlen(HIVES[i].prefix);
        if (n <= len && (n == len || s[n] == '\\') && ieq(s, HIVES[i].prefix, n)) {
            *hive = HIVES[i].hive;
            return n;
        }
    }
    return 0;
}

bool ruru_ioc_norm_regkey(const char *s, size_t len, struct ruru_buf *out, const char **reason)
{
    const char *hive = NULL;
    size_t i = 0, n, mark;

    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c < 0x20 || c == 0x7f) {
            *reason = "control characters in value";
            return false;
        }
    }
    while (i < len && s[i] == '\\')
        i++;
    n = hive_prefix(s + i, len - i, &hive);
    if (n > 0) {
        ruru_buf_adds(out, hive);
        i += n;
    } else {
        i = 0; /* a key without a hive keeps a leading '\' as it was written */
    }
    mark = out->len;
    for (; i < len; i++) {
        if (s[i] == '\\' && out->len > 0 && out->ptr[out->len - 1] == '\\')
            continue;
        ruru_buf_addc(out, ruru_lower(s[i]));
    }
    /* No trailing '\', nor the white space a trailing '\' hid from the caller's trim. */
    while (out->len > mark && (out->ptr[out->len - 1] == '\\' || out->ptr[out->len - 1] == ' '))
        out->len--;
    if (out->len == mark) {
        *reason = hive != NULL ? "registry hive without a key" : "empty value";
        return false;
    }
    if (out->ptr != NULL)
        out->ptr[out->len] = '\0';
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = ruru_lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The twelve digits of a MAC-48 in its written forms; false for anything else. */
static bool mac_digits(const char *s, size_t len, char d[12])
{
    size_t n = 0;

    if (len == 12) {
        for (size_t i = 0; i < 12; i++) {
            if (hexval(s[i]) < 0)
                return false;
            d[i] = ruru_lower(s[i]);
        }
        return true;
    }
    if (len == 14 && s[4] == '.' && s[9] == '.') { /* Cisco: 5eff.56a2.af15 */
        for (size_t i = 0; i < 14; i++) {
            if (i == 4 || i == 9)
                continue;
            if (hexval(s[i]) < 0)
                return false;
            d[n++] = ruru_lower(s[i]);
        }
        return true;
    }
    if (len != 17)
        return false;
    for (size_t i = 0; i < 17; i++) {
        if (i % 3 == 2) {
            if (s[i] != s[2] || (s[i] != ':' && s[i] != '-'))
                return false;
            continue;
        }
        if (hexval(s[i]) < 0)
            return false;
        d[n++] = ruru_lower(s[i]);
    }
    return true;
}

bool ruru_ioc_norm_mac(const char *s, size_t len, struct ruru_buf *out, const char **reason)
{
    char d[12];
    bool zero = true, ones = true;

    if (!mac_digits(s, len, d)) {
        *reason = "malformed MAC address";
        return false;
    }
    for (size_t i = 0; i < 12; i++) {
        zero = zero && d[i] == '0';
        ones = ones && d[i] == 'f';
    }
    if (zero || ones) {
        *reason = zero ? "null MAC address" : "broadcast MAC address";
        return false;
    }
    for (size_t i = 0; i < 12; i += 2) {
        if (i > 0)
            ruru_buf_addc(out, ':');
        ruru_buf_add(out, d + i, 2);
    }
    return true;
}
