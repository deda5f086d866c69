/* SPDX-License-Identifier: Apache-2.0 */
#include "pattern/set.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "pattern/observe.h"

enum ruru_err ruru_pattern_set_build(const struct ruru_index *idx,
                                     struct ruru_pattern_set **out,
                                     struct ruru_diag *diag)
{
    struct ruru_pattern_set *set = ruru_calloc(1, sizeof(*set));
    size_t n = ruru_index_count(idx), cap = 0;

    *out = NULL;
    if (set == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        const struct ruru_index_ind *ind = ruru_index_at(idx, i);
        struct ruru_pattern_entry e;
        struct ruru_diag d;
        const char *const *types;
        size_t n_types;
        enum ruru_err err;

        if (ind->type != RURU_IOC_PATTERN)
            continue;
        memset(&e, 0, sizeof(e));
        e.ind = i;
        err = ruru_pattern_compile(ruru_index_key(idx, ind), ind->key_len, &e.pattern, &d);
        if (err == RURU_ENOMEM) {
            ruru_pattern_set_destroy(set);
            return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        }
        if (err != RURU_OK) {
            if (set->n_refused++ == 0)
                snprintf(set->first_refusal, sizeof(set->first_refusal), "%s", d.msg);
            continue;
        }
        types = ruru_pattern_types(e.pattern, &n_types);
        for (size_t k = 0; k < n_types; k++)
            e.types |= ruru_observe_type_bit(types[k]);
        if (e.types == 0) {
            set->n_unobservable++;
            ruru_pattern_destroy(e.pattern);
            continue;
        }
        e.single = ruru_pattern_single(e.pattern);
        if (set->n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct ruru_pattern_entry *g = ruru_realloc(set->entries, ncap * sizeof(*g));
            if (g == NULL) {
                ruru_pattern_destroy(e.pattern);
                ruru_pattern_set_destroy(set);
                return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
            }
            set->entries = g;
            cap = ncap;
        }
        set->entries[set->n++] = e;
    }
    *out = set;
    return RURU_OK;
}

void ruru_pattern_set_destroy(struct ruru_pattern_set *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->n; i++)
        ruru_pattern_destroy(set->entries[i].pattern);
    ruru_free(set->entries);
    ruru_free(set);
}
