/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OASIS pattern validator's own vectors (../shared/data/stix/validator-vectors.json,
 * cti-pattern-validator's test suite for STIX 2.1 and 2.0) run through the STIX importer: an
 * indicator with a valid pattern is imported (as typed values or kept whole), one with an
 * invalid pattern is refused with a reason. Where ruru is stricter than the validator, the
 * vector is listed below with the reason; every other vector must agree.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "intel/intel.h"
#include "shared_data.h"

struct counts {
    size_t n_ind, n_rej;
    char reason[128];
};

static enum ruru_err on_ind(void *ctx, const struct ruru_intel_indicator *ind)
{
    (void)ind;
    ((struct counts *)ctx)->n_ind++;
    return RURU_OK;
}

static enum ruru_err on_rej(void *ctx, const struct ruru_intel_reject *rej)
{
    struct counts *c = ctx;

    if (c->n_rej++ == 0)
        snprintf(c->reason, sizeof(c->reason), "%s", rej->reason);
    return RURU_OK;
}

/* Valid to the validator, refused by ruru: the reason ruru gives, and why it is right to. */
static const struct {
    const char *pattern, *reason, *why;
} STRICTER[] = {
        {"[x:created = t'2024-02-30T12:00:00Z']", "malformed STIX pattern",
         "February 30 is no date: the validator checks each field's range, not the day against "
         "the month; ruru refuses a timestamp that names no instant"},
        {"[x:created = t'2024-04-31T12:00:00Z']", "malformed STIX pattern",
         "April has 30 days (as above)"},
        {"[x:created = t'2023-02-29T12:00:00Z']", "malformed STIX pattern",
         "2023 is no leap year (as above)"},
        {"[foo:bar = 1] REPEATS 1 TIMES REPEATS 2 TIMES", "STIX pattern repeats a qualifier",
         "the STIX 2.0 validator (this is its inspector's vector) does not check what its 2.1 "
         "twin refuses as \"Duplicate qualifier type\"; the pattern says two things and "
         "neither wins in 2.0 either, and stored patterns carry no version to tell them apart"},
};

/* Imports one indicator holding `pattern`; OUT: *c. */
static void import_pattern(const char *pattern, const char *version, struct counts *c)
{
    struct ruru_intel_sink sink = {.ctx = c, .indicator = on_ind, .reject = on_rej};
    struct ruru_import_ctx ctx = {.path = "vector", .sink = &sink};
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", "indicator", "spec_version",
                          version, "id", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
                          "created", "2024-01-01T00:00:00Z", "valid_from", "2024-01-01T00:00:00Z",
                          "pattern", pattern);
    char *text = json_dumps(o, JSON_COMPACT);

    memset(c, 0, sizeof(*c));
    CHECK(text != NULL);
    if (text != NULL)
        CHECK_INT(ruru_stix_import(text, strlen(text), &ctx, NULL), RURU_OK);
    free(text);
    json_decref(o);
}

static void test_validator_vectors(void)
{
    json_error_t jerr;
    json_t *root = json_load_file(shared_path("stix/validator-vectors.json"), 0, &jerr), *v;
    size_t i, n = 0, n_valid = 0, n_invalid = 0, n_stricter = 0, n_agree = 0;

    CHECK(root != NULL);
    json_array_foreach(json_object_get(root, "vectors"), i, v)
    {
        const char *pattern = json_string_value(json_object_get(v, "pattern"));
        const char *expect = json_string_value(json_object_get(v, "expect"));
        const char *version = json_string_value(json_object_get(v, "stix_version"));
        const char *stricter = NULL;
        bool valid, imported;
        struct counts c;

        if (pattern == NULL || expect == NULL || version == NULL)
            continue;
        n++;
        valid = strcmp(expect, "valid") == 0;
        n_valid += valid;
        n_invalid += !valid;
        for (size_t k = 0; k < sizeof(STRICTER) / sizeof(STRICTER[0]); k++)
            if (strcmp(STRICTER[k].pattern, pattern) == 0)
                stricter = STRICTER[k].reason;
        import_pattern(pattern, version, &c);
        imported = c.n_ind > 0 && c.n_rej == 0;
        if (stricter != NULL && valid) {
            n_stricter++;
            if (imported || strcmp(c.reason, stricter) != 0) {
                check_failed++;
                fprintf(stderr, "%s: want refused (%s), got %zu indicators, reason %s\n", pattern,
                        stricter, c.n_ind, c.n_rej ? c.reason : "-");
            }
        } else if (imported == valid && (valid || c.n_ind == 0)) {
            n_agree++;
        } else {
            check_failed++;
            fprintf(stderr, "%s (%s): validator says %s, ruru %zu indicators, %zu rejects (%s)\n",
                    pattern, version, expect, c.n_ind, c.n_rej, c.n_rej ? c.reason : "-");
        }
    }
    printf("validator vectors: %zu (%zu valid, %zu invalid); %zu agree, %zu where ruru is "
           "stricter\n",
           n, n_valid, n_invalid, n_agree, n_stricter);
    CHECK_INT(n, 153);
    CHECK_INT(n_agree + n_stricter, n);
    CHECK_INT(n_stricter, 6); /* the three dates in 2.1, two of them in 2.0, REPEATS in 2.0 */
    json_decref(root);
}

/* The refusals the validator's vectors show, on forms they do not hold. */
static void test_refusals(void)
{
    static const struct {
        const char *pattern, *reason; /* NULL: imported */
    } rows[] = {
            {"[x:a = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS", "STIX pattern repeats a qualifier"},
            {"[x:a = 1] START t'2024-01-01T00:00:00Z' STOP t'2024-02-01T00:00:00Z' START "
             "t'2024-01-01T00:00:00Z' STOP t'2024-03-01T00:00:00Z'",
             "STIX pattern repeats a qualifier"},
            /* a window on a group that holds its own is another window */
            {"([x:a = 1] WITHIN 5 SECONDS) WITHIN 6 SECONDS", NULL},
            {"[x:a = 1] REPEATS 2 TIMES WITHIN 5 SECONDS", NULL},
            {"[x:a = 1] START t'2024-02-01T00:00:00Z' STOP t'2024-01-01T00:00:00Z'",
             "STIX pattern START is not before STOP"},
            {"[x:a = 1] START t'2024-02-01T00:00:00Z' STOP t'2024-02-01T00:00:00Z'",
             "STIX pattern START is not before STOP"},
            {"[x:a = 1] START t'2024-02-01T00:00:00Z' STOP t'2024-02-01T00:00:00.5Z'", NULL},
            /* a hash that is none, in a pattern kept whole; alone, the value is refused */
            {"[file:hashes.'SHA-256' = 'f00' AND file:name = 'x.exe']",
             "STIX pattern compares a hash with a malformed value"},
            {"[file:hashes.MD5 != 'xyz' OR file:size > 3]",
             "STIX pattern compares a hash with a malformed value"},
            {"[file:hashes.'SHA-256' = 'f00']", "malformed hash"},
            {"[file:hashes.'SHA-1' = '5898fc860300e228dcd54c0b1045b5fa0dcda502' AND file:name = "
             "'oui']",
             NULL},
            {"[file:hashes.SSDEEP = '3:a:b' AND file:name = 'x']", NULL},
    };

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct counts c;
        import_pattern(rows[i].pattern, "2.1", &c);
        if (rows[i].reason == NULL) {
            CHECK_INT(c.n_rej, 0);
            CHECK_INT(c.n_ind, 1);
        } else {
            CHECK_INT(c.n_ind, 0);
            CHECK_STR(c.reason, rows[i].reason);
        }
    }
}

int main(int argc, char **argv)
{
    if (corpus_part(argc, argv)) {
        SHARED_OR_SKIP();
        test_validator_vectors();
        return check_done();
    }
    test_refusals();
    return check_done();
}
