/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Indicator types and normalisation: the one place where a value from intel or from a log
 * becomes canonical, so that both sides compare equal exactly when they mean the same thing
 * (DESIGN.md §3). Every importer and, later, every log parser calls these functions.
 *
 * Canonical forms:
 *   ipv4     dotted quad, no leading zeros                      192.0.2.1
 *   ipv6     RFC 5952 text; IPv4-mapped ::ffff:a.b.c.d -> ipv4   2001:db8::1
 *   cidr4/6  network address (host bits must be zero) + "/len"; a /32 (/128) becomes the
 *            plain address and type ipv4 (ipv6)
 *   domain   lower case, trailing dot stripped, IDN as punycode (libidn2); a public suffix
 *            is rejected (libpsl)
 *   url      RFC 3986 normalised: scheme and host lower case, default port dropped,
 *            percent-encoded unreserved characters decoded, other escapes upper-cased, a
 *            stray '%' encoded as %25, empty
 *            path "/" for http(s), no fragment
 *   md5/sha1/sha256/sha512, ja3, ja3s, x509-*  lower-case hex of the exact length
 *   email    local part kept, domain lower case / punycode
 *   asn      "AS" + decimal number
 *   uri-path a path from its root, normalised as a URL's path and query are
 *            (/owa/auth/%7Ex.aspx -> /owa/auth/~x.aspx); "/" alone is rejected
 *   regkey   the hive in full upper case (HKLM -> HKEY_LOCAL_MACHINE, \REGISTRY\MACHINE too),
 *            the rest lower case (Windows compares keys without case), runs of '\' as one,
 *            no trailing '\': HKLM\Software\Run -> HKEY_LOCAL_MACHINE\software\run
 *   mac      six lower-case hex pairs joined by ':' (from '-', ':', Cisco's dotted form or
 *            twelve bare digits): 5E-FF-56-A2-AF-15 -> 5e:ff:56:a2:af:15
 *   others   trimmed text (user-agent, filename, filepath, string, mutex, pipe, filename-regex,
 *            pattern)
 */
#ifndef RURU_INTEL_IOC_H
#define RURU_INTEL_IOC_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/* Stored in the intel store by name (ruru_ioc_type_name), never by number. */
enum ruru_ioc_type {
    RURU_IOC_NONE = 0,
    RURU_IOC_IPV4,
    RURU_IOC_IPV6,
    RURU_IOC_CIDR4,
    RURU_IOC_CIDR6,
    RURU_IOC_DOMAIN,
    RURU_IOC_URL,
    RURU_IOC_MD5,
    RURU_IOC_SHA1,
    RURU_IOC_SHA256,
    RURU_IOC_SHA512,
    RURU_IOC_EMAIL,
    RURU_IOC_FILENAME,
    RURU_IOC_FILEPATH,
    RURU_IOC_USER_AGENT,
    RURU_IOC_STRING,
    RURU_IOC_JA3,
    RURU_IOC_JA3S,
    RURU_IOC_X509_MD5,
    RURU_IOC_X509_SHA1,
    RURU_IOC_X509_SHA256,
    RURU_IOC_ASN,
    RURU_IOC_URI_PATH,       /* a URL's path (and query) without scheme or host: MISP "uri" */
    RURU_IOC_FILENAME_REGEX, /* a PCRE2 regex searched in file names and paths (Loki lists) */
    RURU_IOC_REGKEY,         /* a Windows registry key: MISP "regkey", STIX windows-registry-key */
    RURU_IOC_MUTEX,          /* a mutex (mutant) name */
    RURU_IOC_PIPE,           /* a named pipe's name */
    RURU_IOC_MAC,            /* a MAC-48 address */
    RURU_IOC_PATTERN,        /* a STIX pattern kept whole for the pattern engine */
    RURU_IOC__COUNT
};

/* "ipv4", "ipv6", "cidr4", "cidr6", "domain", "url", "md5", "sha1", "sha256", "sha512",
 * "email", "filename", "filepath", "user-agent", "string", "ja3", "ja3s", "x509-md5",
 * "x509-sha1", "x509-sha256", "asn", "uri-path", "filename-regex", "regkey", "mutex", "pipe",
 * "mac", "stix-pattern"; "none" for RURU_IOC_NONE. */
const char *ruru_ioc_type_name(enum ruru_ioc_type type);
/* The inverse of ruru_ioc_type_name, also accepting common synonyms used in CSV headers and
 * lists ("ip", "ip-dst", "hostname", "fqdn", "uri", "hash", "sha-256", "ua", ...; ASCII case
 * ignored). "ip" and "hash" give RURU_IOC_NONE with *needs_inference set: the value decides. */
enum ruru_ioc_type ruru_ioc_type_parse(const char *name, bool *needs_inference);

struct ruru_norm_opts {
    unsigned min_prefix_v4; /* a wider IPv4 CIDR is rejected; 0 means 8 */
    unsigned min_prefix_v6; /* a wider IPv6 CIDR is rejected; 0 means 32 */
};

/* Re-fangs a defanged value into `out` (appending): hxxp/hxxps/hXXp -> http(s), "[.]", "(.)",
 * "{.}", "[dot]", "(dot)" -> ".", "[:]" -> ":", "[@]", "[at]", "(at)" -> "@", "[://]" -> "://".
 * Other text is copied as is. Returns RURU_OK, or RURU_ENOMEM / RURU_ELIMIT from the buffer. */
enum ruru_err ruru_ioc_refang(const char *raw, size_t raw_len, struct ruru_buf *out);

/* Guesses the type of a (re-fanged, trimmed) value: IP, CIDR, URL, e-mail, hashes by length,
 * domain (a name with a dot whose last label is alphabetic or punycode), ASN ("AS123"). Returns
 * RURU_IOC_NONE when nothing fits. */
enum ruru_ioc_type ruru_ioc_infer(const char *value, size_t len);

/*
 * Normalises `raw` (already re-fanged) as a value of *type into `out` (reset first).
 * *type may change: a CIDR /32 becomes RURU_IOC_IPV4, an IPv4-mapped IPv6 address becomes
 * RURU_IOC_IPV4, RURU_IOC_NONE is replaced by the inferred type.
 * Returns true on success. On rejection returns false and sets *reason to a static English
 * phrase that tests compare exactly (see docs/normalisation.md), e.g. "malformed IPv4 address",
 * "public suffix", "CIDR wider than /8", "host bits set in CIDR", "unspecified address",
 * "loopback address", "malformed hash", "unknown type". On allocation failure returns false
 * with *reason "out of memory".
 */
bool ruru_ioc_normalize(enum ruru_ioc_type *type,
                        const char *raw,
                        size_t raw_len,
                        const struct ruru_norm_opts *opts,
                        struct ruru_buf *out,
                        const char **reason);

#endif
