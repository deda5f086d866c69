/* SPDX-License-Identifier: Apache-2.0 */
/* What the JSON skim leaves to the parse, told from a line's bytes alone, for the tests that
 * hold the skim to the parse (test_jsonlog, fuzz_jsonlog). */
#ifndef RURU_TEST_JSON_ORACLE_H
#define RURU_TEST_JSON_ORACLE_H

#include <stdbool.h>
#include <stddef.h>

/* A '{' after a '[' or a ',' (white space between): an object in an array, in valid JSON (in
 * an object a ',' is followed by a key). */
static inline bool object_in_array(const char *s, size_t n)
{
    char last = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')
            continue;
        if (s[i] == '{' && (last == '[' || last == ','))
            return true;
        last = s[i];
    }
    return false;
}

#endif
