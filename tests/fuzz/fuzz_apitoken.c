/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the check of a request's API token (ruru_token_find), whose input is whatever
 * a client sends. Three fixed tokens are the entries (sorted by id, their hashes computed
 * here); the input is looked up among all three, among none, and among the first one and the
 * last two. Checks the contract: a token is found exactly when the input is, byte for byte,
 * the text of one of the entries' tokens, and then at its own index.
 */
#include <nettle/sha2.h>
#include <stdint.h>
#include <string.h>

#include "cases/tokens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Sorted by id. The seed corpus (tests/fuzz/corpus/apitoken) and the dictionary hold them. */
static const char *const TOKENS[] = {
        "ruru_0123456789abcdef_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
        "ruru_7fa3c2e10b9d4f56_5e1d3c9a7b2f48e6a0c4d8b1f3e5a7c9d2b4f6e8a1c3e5d7f9b2d4c6e8a0b1c3",
        "ruru_fedcba9876543210_ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"};

static void make(struct ruru_token_entry *e)
{
    for (size_t i = 0; i < 3; i++) {
        struct sha256_ctx h;
        memset(&e[i], 0, sizeof(e[i]));
        memcpy(e[i].id, TOKENS[i] + 5, 16);
        memcpy(e[i].org, "Org", 4);
        e[i].role = (enum ruru_role)(i + 1);
        sha256_init(&h);
        sha256_update(&h, RURU_TOKEN_LEN, (const uint8_t *)TOKENS[i]);
        sha256_digest(&h, sizeof(e[i].hash), e[i].hash);
    }
}

/* Which of TOKENS[from, from + n) the input is, as an index from `from`, or -1. */
static ptrdiff_t expected(const uint8_t *data, size_t size, size_t from, size_t n)
{
    for (size_t i = from; i < from + n; i++)
        if (size == RURU_TOKEN_LEN && memcmp(data, TOKENS[i], RURU_TOKEN_LEN) == 0)
            return (ptrdiff_t)(i - from);
    return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_token_entry e[3];
    const char *tok = (const char *)data;

    make(e);
    if (ruru_token_find(e, 3, tok, size) != expected(data, size, 0, 3) ||
        ruru_token_find(e, 0, tok, size) != -1 || ruru_token_find(NULL, 0, tok, size) != -1 ||
        ruru_token_find(e, 1, tok, size) != expected(data, size, 0, 1) ||
        ruru_token_find(e + 1, 2, tok, size) != expected(data, size, 1, 2))
        __builtin_trap();
    return 0;
}
