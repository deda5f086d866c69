/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The share module's building blocks (src/share/tlp.c): TLP 2.0 levels and their STIX
 * markings, and name-based UUIDs checked against RFC 9562's and Python's uuid5.
 */
#include <string.h>

#include "check.h"
#include "intel/intel.h"
#include "share/share.h"

static void test_tlp(void)
{
    CHECK_STR(ruru_tlp_parse("TLP:WHITE", 9), "clear");
    CHECK_STR(ruru_tlp_parse("tlp:amber+strict", 16), "amber+strict");
    CHECK(ruru_tlp_rank("amber") < ruru_tlp_rank("amber+strict"));
    CHECK_STR(ruru_tlp_stix_id(ruru_tlp_rank("clear")),
              "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487");
    CHECK_STR(ruru_tlp_stix_id(ruru_tlp_rank("amber+strict")),
              "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003");
    CHECK_STR(ruru_tlp_stix_id(ruru_tlp_rank("red")),
              "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1");
    CHECK(ruru_tlp_stix_id(-1) == NULL && ruru_tlp_stix_id(RURU_TLP_LEVELS) == NULL);
}

static void test_uuid5(void)
{
    char out[37];
    static const char ip[] = "{\"value\":\"198.51.100.3\"}";

    /* RFC 9562's namespace for DNS names: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") */
    CHECK(ruru_uuid5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org", 10, out));
    CHECK_STR(out, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    /* a STIX 2.1 SCO id, as the specification derives them */
    CHECK(ruru_uuid5(RURU_STIX_SCO_NAMESPACE, ip, strlen(ip), out));
    CHECK_STR(out, "28bb3599-77cd-5a82-a950-b5bc3caf07c4");
    CHECK(!ruru_uuid5("6ba7b810-9dad-11d1-80b4", "x", 1, out));
    CHECK(!ruru_uuid5("6ba7b810-9dad-11d1-80b4-00c04fd430c8ff", "x", 1, out));
    CHECK(!ruru_uuid5("zz", "x", 1, out));
    CHECK(ruru_uuid5(RURU_UUID_NAMESPACE, "", 0, out) && strlen(out) == 36 && out[14] == '5');
}

int main(void)
{
    test_tlp();
    test_uuid5();
    return check_done();
}
