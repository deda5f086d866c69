/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Indicator type names (ioc.h): ruru's own names, and the synonyms CSV headers, MISP attribute
 * types, Zeek intel types and vendor feeds use for them.
 */
#include <stdbool.h>
#include <string.h>

#include "base/str.h"
#include "intel/ioc.h"

/* ---- type names ---------------------------------------------------------------------------- */

static const char *const TYPE_NAMES[RURU_IOC__COUNT] = {
        [RURU_IOC_NONE] = "none",
        [RURU_IOC_IPV4] = "ipv4",
        [RURU_IOC_IPV6] = "ipv6",
        [RURU_IOC_CIDR4] = "cidr4",
        [RURU_IOC_CIDR6] = "cidr6",
        [RURU_IOC_DOMAIN] = "domain",
        [RURU_IOC_URL] = "url",
        [RURU_IOC_MD5] = "md5",
        [RURU_IOC_SHA1] = "sha1",
        [RURU_IOC_SHA256] = "sha256",
        [RURU_IOC_SHA512] = "sha512",
        [RURU_IOC_EMAIL] = "email",
        [RURU_IOC_FILENAME] = "filename",
        [RURU_IOC_FILEPATH] = "filepath",
        [RURU_IOC_USER_AGENT] = "user-agent",
        [RURU_IOC_STRING] = "string",
        [RURU_IOC_JA3] = "ja3",
        [RURU_IOC_JA3S] = "ja3s",
        [RURU_IOC_X509_MD5] = "x509-md5",
        [RURU_IOC_X509_SHA1] = "x509-sha1",
        [RURU_IOC_X509_SHA256] = "x509-sha256",
        [RURU_IOC_ASN] = "asn",
        [RURU_IOC_URI_PATH] = "uri-path",
        [RURU_IOC_FILENAME_REGEX] = "filename-regex",
        [RURU_IOC_REGKEY] = "regkey",
        [RURU_IOC_MUTEX] = "mutex",
        [RURU_IOC_PIPE] = "pipe",
        [RURU_IOC_MAC] = "mac",
        [RURU_IOC_PATTERN] = "stix-pattern",
};

const char *ruru_ioc_type_name(enum ruru_ioc_type type)
{
    if ((int)type < 0 || type >= RURU_IOC__COUNT)
        return "none";
    return TYPE_NAMES[type];
}

/* Synonyms as CSV headers, MISP attribute types and Zeek intel types (Intel::*) write them.
 * RURU_IOC_NONE means "the value decides": "ip" can be v4, v6 or a range, "hash" any digest.
 * "uri" is a MISP path without a host ("/gate.php"); written with a scheme or a host it is a
 * URL, and the normaliser says so. */
static const struct {
    const char *name;
    enum ruru_ioc_type type;
} SYNONYMS[] = {
        {"ip", RURU_IOC_NONE},
        {"ip-src", RURU_IOC_NONE},
        {"ip-dst", RURU_IOC_NONE},
        {"ip-src|port", RURU_IOC_NONE},
        {"ip-dst|port", RURU_IOC_NONE},
        {"ipaddress", RURU_IOC_NONE},
        {"ip-address", RURU_IOC_NONE},
        {"ip_address", RURU_IOC_NONE},
        {"address", RURU_IOC_NONE},
        {"addr", RURU_IOC_NONE},
        {"intel::addr", RURU_IOC_NONE},
        {"ipv4", RURU_IOC_IPV4},
        {"ip4", RURU_IOC_IPV4},
        {"ipv4-addr", RURU_IOC_IPV4},
        {"ipv4-address", RURU_IOC_IPV4},
        {"ipv6", RURU_IOC_IPV6},
        {"ip6", RURU_IOC_IPV6},
        {"ipv6-addr", RURU_IOC_IPV6},
        {"ipv6-address", RURU_IOC_IPV6},
        {"cidr", RURU_IOC_NONE},
        {"subnet", RURU_IOC_NONE},
        {"net", RURU_IOC_NONE},
        {"network", RURU_IOC_NONE},
        {"netblock", RURU_IOC_NONE},
        {"ip-range", RURU_IOC_NONE},
        {"intel::subnet", RURU_IOC_NONE},
        {"cidr4", RURU_IOC_CIDR4},
        {"cidr6", RURU_IOC_CIDR6},
        {"domain", RURU_IOC_DOMAIN},
        {"hostname", RURU_IOC_DOMAIN},
        {"host", RURU_IOC_DOMAIN},
        {"fqdn", RURU_IOC_DOMAIN},
        {"domain-name", RURU_IOC_DOMAIN},
        {"domainname", RURU_IOC_DOMAIN},
        {"intel::domain", RURU_IOC_DOMAIN},
        {"url", RURU_IOC_URL},
        {"link", RURU_IOC_URL},
        {"intel::url", RURU_IOC_URL},
        {"uri", RURU_IOC_URI_PATH},
        {"uri-path", RURU_IOC_URI_PATH},
        {"url-path", RURU_IOC_URI_PATH},
        {"uri_path", RURU_IOC_URI_PATH},
        {"md5", RURU_IOC_MD5},
        {"sha1", RURU_IOC_SHA1},
        {"sha-1", RURU_IOC_SHA1},
        {"sha256", RURU_IOC_SHA256},
        {"sha-256", RURU_IOC_SHA256},
        {"sha512", RURU_IOC_SHA512},
        {"sha-512", RURU_IOC_SHA512},
        {"hash", RURU_IOC_NONE},
        {"filehash", RURU_IOC_NONE},
        {"file-hash", RURU_IOC_NONE},
        {"file_hash", RURU_IOC_NONE},
        {"intel::file_hash", RURU_IOC_NONE},
        {"intel::cert_hash", RURU_IOC_NONE},
        {"email", RURU_IOC_EMAIL},
        {"e-mail", RURU_IOC_EMAIL},
        {"mail", RURU_IOC_EMAIL},
        {"email-src", RURU_IOC_EMAIL},
        {"email-dst", RURU_IOC_EMAIL},
        {"email-addr", RURU_IOC_EMAIL},
        {"email-address", RURU_IOC_EMAIL},
        {"intel::email", RURU_IOC_EMAIL},
        {"filename", RURU_IOC_FILENAME},
        {"file", RURU_IOC_FILENAME},
        {"file-name", RURU_IOC_FILENAME},
        {"file_name", RURU_IOC_FILENAME},
        {"intel::file_name", RURU_IOC_FILENAME},
        {"filepath", RURU_IOC_FILEPATH},
        {"file-path", RURU_IOC_FILEPATH},
        {"path", RURU_IOC_FILEPATH},
        {"user-agent", RURU_IOC_USER_AGENT},
        {"useragent", RURU_IOC_USER_AGENT},
        {"user_agent", RURU_IOC_USER_AGENT},
        {"ua", RURU_IOC_USER_AGENT},
        {"string", RURU_IOC_STRING},
        {"text", RURU_IOC_STRING},
        {"intel::software", RURU_IOC_STRING},
        {"intel::user_name", RURU_IOC_STRING},
        {"intel::pubkey_hash", RURU_IOC_STRING},
        {"ja3", RURU_IOC_JA3},
        {"ja3-fingerprint-md5", RURU_IOC_JA3},
        {"ja3s", RURU_IOC_JA3S},
        {"ja3s-fingerprint-md5", RURU_IOC_JA3S},
        {"x509-md5", RURU_IOC_X509_MD5},
        {"x509-fingerprint-md5", RURU_IOC_X509_MD5},
        {"x509-sha1", RURU_IOC_X509_SHA1},
        {"x509-fingerprint-sha1", RURU_IOC_X509_SHA1},
        {"x509-sha256", RURU_IOC_X509_SHA256},
        {"x509-fingerprint-sha256", RURU_IOC_X509_SHA256},
        {"asn", RURU_IOC_ASN},
        {"as", RURU_IOC_ASN},
        {"as-number", RURU_IOC_ASN},
        {"regkey", RURU_IOC_REGKEY},
        {"registry-key", RURU_IOC_REGKEY},
        {"windows-registry-key", RURU_IOC_REGKEY},
        {"mutex", RURU_IOC_MUTEX},
        {"mutant", RURU_IOC_MUTEX},
        {"pipe", RURU_IOC_PIPE},
        {"named pipe", RURU_IOC_PIPE},
        {"named-pipe", RURU_IOC_PIPE},
        {"mac", RURU_IOC_MAC},
        {"mac-address", RURU_IOC_MAC},
        {"mac-addr", RURU_IOC_MAC},
        {"stix-pattern", RURU_IOC_PATTERN},
        {"stix", RURU_IOC_PATTERN},
};

enum ruru_ioc_type ruru_ioc_type_parse(const char *name, bool *needs_inference)
{
    struct ruru_str key;
    bool ignored;

    if (needs_inference == NULL)
        needs_inference = &ignored;
    *needs_inference = false;
    if (name == NULL)
        return RURU_IOC_NONE;
    key = ruru_str_trim(ruru_str_make(name, strlen(name)));
    for (int t = 1; t < RURU_IOC__COUNT; t++)
        if (ruru_str_ieq(key, TYPE_NAMES[t]))
            return (enum ruru_ioc_type)t;
    for (size_t i = 0; i < sizeof(SYNONYMS) / sizeof(SYNONYMS[0]); i++) {
        if (ruru_str_ieq(key, SYNONYMS[i].name)) {
            *needs_inference = SYNONYMS[i].type == RURU_IOC_NONE;
            return SYNONYMS[i].type;
        }
    }
    return RURU_IOC_NONE;
}
