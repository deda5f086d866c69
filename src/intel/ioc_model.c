/* SPDX-License-Identifier: Apache-2.0 */
/* Initialisers of the intel model structs (intel/intel.h). */
#include <string.h>

#include "base/str.h"
#include "intel/intel.h"

void ruru_intel_indicator_init(struct ruru_intel_indicator *ind)
{
    memset(ind, 0, sizeof(*ind));
    ind->confidence = -1;
    ind->valid_from = RURU_TIME_NONE;
    ind->valid_until = RURU_TIME_NONE;
    ind->first_seen = RURU_TIME_NONE;
    ind->last_seen = RURU_TIME_NONE;
    ind->modified = RURU_TIME_NONE;
    ind->to_ids = true;
}

void ruru_intel_entity_init(struct ruru_intel_entity *ent)
{
    memset(ent, 0, sizeof(*ent));
    ent->confidence = -1;
    ent->modified = RURU_TIME_NONE;
}

void ruru_intel_relation_init(struct ruru_intel_relation *rel)
{
    memset(rel, 0, sizeof(*rel));
    rel->confidence = -1;
    rel->modified = RURU_TIME_NONE;
}

enum ruru_err ruru_intel_reject(const struct ruru_import_ctx *ctx,
                                uint64_t line,
                                const char *object_ref,
                                const char *value,
                                const char *reason)
{
    struct ruru_intel_reject r;

    if (ctx->sink->reject == NULL)
        return RURU_OK;
    memset(&r, 0, sizeof(r));
    r.line = line;
    r.object_ref = object_ref;
    r.value = value;
    r.reason = reason;
    return ctx->sink->reject(ctx->sink->ctx, &r);
}

/* TLP levels from least to most restrictive. */
static const char *const TLP_LEVELS[] = {"clear", "green", "amber", "amber+strict", "red"};

const char *ruru_tlp_parse(const char *s, size_t len)
{
    struct ruru_str v = ruru_str_trim(ruru_str_make(s, len));

    if (ruru_str_iprefix(v, "tlp:") || ruru_str_iprefix(v, "tlp "))
        v = ruru_str_trim(ruru_str_make(v.ptr + 4, v.len - 4));
    if (ruru_str_ieq(v, "white"))
        return "clear";
    for (size_t i = 0; i < sizeof(TLP_LEVELS) / sizeof(TLP_LEVELS[0]); i++)
        if (ruru_str_ieq(v, TLP_LEVELS[i]))
            return TLP_LEVELS[i];
    return NULL;
}

int ruru_tlp_rank(const char *tlp)
{
    for (int i = 0; tlp != NULL && i < (int)(sizeof(TLP_LEVELS) / sizeof(TLP_LEVELS[0])); i++)
        if (strcmp(tlp, TLP_LEVELS[i]) == 0)
            return i;
    return -1;
}
