/* SPDX-License-Identifier: Apache-2.0 */
/* TLP 2.0 markings of STIX, and name-based UUIDs (share.h). */
#include <nettle/sha1.h>
#include <stdio.h>
#include <string.h>

#include "base/str.h"
#include "share/share.h"

/* The OASIS TLP 2.0 marking-definitions (extension-definition--60a3c5c5-0d10-413e-aab3-
 * 9e08dde9e88d), by rank. */
static const char *const STIX_IDS[RURU_TLP_LEVELS] = {
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
};

const char *ruru_tlp_stix_id(int rank)
{
    return rank >= 0 && rank < RURU_TLP_LEVELS ? STIX_IDS[rank] : NULL;
}

bool ruru_uuid5(const char *ns, const char *name, size_t len, char out[37])
{
    uint8_t bin[16], d[SHA1_DIGEST_SIZE];
    struct sha1_ctx h;
    size_t k = 0;

    for (const char *p = ns; *p != '\0'; p++) {
        int hi, lo;
        if (*p == '-')
            continue;
        if (k == 16 || (hi = ruru_hexval(p[0])) < 0 || (lo = ruru_hexval(p[1])) < 0)
            return false;
        bin[k++] = (uint8_t)(hi << 4 | lo);
        p++;
    }
    if (k != 16)
        return false;
    sha1_init(&h);
    sha1_update(&h, sizeof(bin), bin);
    sha1_update(&h, len, (const uint8_t *)name);
    sha1_digest(&h, sizeof(d), d);
    d[6] = (uint8_t)((d[6] & 0x0f) | 0x50);
    d[8] = (uint8_t)((d[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", d[0],
             d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13],
             d[14], d[15]);
    return true;
}
