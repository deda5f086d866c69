/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zeek intel types (Intel::ADDR, Intel::FILE_HASH, ...) as ruru types (zeek_types.c). Shared
 * by the Zeek importer (zeek.c) and the CSV importer (csv.c), whose type column may carry Zeek
 * names; neither importer includes the other. Not public API.
 */
#ifndef RURU_INTEL_ZEEK_TYPES_H
#define RURU_INTEL_ZEEK_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intel/ioc.h"

/* A set of ruru types, one bit per enum ruru_ioc_type value (RURU_IOC__COUNT <= 32). */
#define RURU_ZEEK_TYPE_BIT(t) (UINT32_C(1) << (unsigned)(t))

/*
 * Resolves the Zeek intel type `name` (name_len bytes, ASCII case ignored, surrounding white
 * space ignored) for the indicator `value` (value_len bytes):
 *   OUT *type     what to normalise the value as; RURU_IOC_NONE: infer it from the value
 *   OUT *allowed  the types the normalised value may end up as (RURU_ZEEK_TYPE_BIT set), 0
 *                 for any: Intel::ADDR and Intel::SUBNET allow addresses and CIDRs only
 *   OUT *is_cert  true for Intel::CERT_HASH, whose value may be written with colons
 * Hash types are chosen by the value's length in hex digits (FILE_HASH: md5 32, sha1 40,
 * sha256 64, sha512 128; CERT_HASH: x509-md5, -sha1, -sha256); another length gives the
 * nearest guess and the normaliser rejects it. Returns false, touching nothing, when `name` is
 * no Zeek intel type. Pure function; thread-safe.
 */
bool ruru_zeek_type_resolve(const char *name,
                            size_t name_len,
                            const char *value,
                            size_t value_len,
                            enum ruru_ioc_type *type,
                            uint32_t *allowed,
                            bool *is_cert);

#endif
