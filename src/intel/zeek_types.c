/* SPDX-License-Identifier: Apache-2.0 */
/* Zeek intel type names as ruru types (zeek_types.h). */
#include "intel/zeek_types.h"

#include "base/str.h"

#define IP_TYPES                                                             \
    (RURU_ZEEK_TYPE_BIT(RURU_IOC_IPV4) | RURU_ZEEK_TYPE_BIT(RURU_IOC_IPV6) | \
     RURU_ZEEK_TYPE_BIT(RURU_IOC_CIDR4) | RURU_ZEEK_TYPE_BIT(RURU_IOC_CIDR6))

enum by_length { BY_NONE, BY_FILE_HASH, BY_CERT_HASH };

/* The Intel::Type enum of Zeek's intel framework (base/frameworks/intel/main.zeek), plus
 * Intel::JA3 / JA3S from the ja3 package. */
static const struct {
    const char *name;
    enum ruru_ioc_type type; /* RURU_IOC_NONE: inferred */
    uint32_t allowed;
    enum by_length by;
} ZEEK_TYPES[] = {
        {"Intel::ADDR", RURU_IOC_NONE, IP_TYPES, BY_NONE},
        {"Intel::SUBNET", RURU_IOC_NONE, IP_TYPES, BY_NONE},
        {"Intel::DOMAIN", RURU_IOC_DOMAIN, 0, BY_NONE},
        {"Intel::URL", RURU_IOC_URL, 0, BY_NONE},
        {"Intel::EMAIL", RURU_IOC_EMAIL, 0, BY_NONE},
        {"Intel::FILE_HASH", RURU_IOC_NONE, 0, BY_FILE_HASH},
        {"Intel::FILE_NAME", RURU_IOC_FILENAME, 0, BY_NONE},
        {"Intel::CERT_HASH", RURU_IOC_NONE, 0, BY_CERT_HASH},
        {"Intel::PUBKEY_HASH", RURU_IOC_STRING, 0, BY_NONE},
        {"Intel::SOFTWARE", RURU_IOC_STRING, 0, BY_NONE},
        {"Intel::USER_NAME", RURU_IOC_STRING, 0, BY_NONE},
        {"Intel::JA3", RURU_IOC_JA3, 0, BY_NONE},
        {"Intel::JA3S", RURU_IOC_JA3S, 0, BY_NONE},
};

bool ruru_zeek_type_resolve(const char *name,
                            size_t name_len,
                            const char *value,
                            size_t value_len,
                            enum ruru_ioc_type *type,
                            uint32_t *allowed,
                            bool *is_cert)
{
    struct ruru_str n = ruru_str_trim(ruru_str_make(name, name_len));
    struct ruru_str v = ruru_str_trim(ruru_str_make(value, value_len));
    size_t hex = 0;

    for (size_t i = 0; i < sizeof(ZEEK_TYPES) / sizeof(ZEEK_TYPES[0]); i++) {
        if (!ruru_str_ieq(n, ZEEK_TYPES[i].name))
            continue;
        *type = ZEEK_TYPES[i].type;
        *allowed = ZEEK_TYPES[i].allowed;
        *is_cert = ZEEK_TYPES[i].by == BY_CERT_HASH;
        if (ZEEK_TYPES[i].by == BY_NONE)
            return true;
        /* The length, without the colons of "AB:CD:..." certificate fingerprints. */
        for (size_t k = 0; k < v.len; k++)
            hex += v.ptr[k] != ':';
        if (ZEEK_TYPES[i].by == BY_FILE_HASH)
            *type = hex == 32    ? RURU_IOC_MD5
                    : hex == 40  ? RURU_IOC_SHA1
                    : hex == 128 ? RURU_IOC_SHA512
                                 : RURU_IOC_SHA256;
        else
            *type = hex == 32   ? RURU_IOC_X509_MD5
                    : hex == 64 ? RURU_IOC_X509_SHA256
                                : RURU_IOC_X509_SHA1;
        return true;
    }
    return false;
}
