/* SPDX-License-Identifier: Apache-2.0 */
/* Initialisers of the intel model structs (intel/intel.h). */
#include <string.h>

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
