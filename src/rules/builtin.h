/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruru's own Sigma rules (rules/ in the repository), built into the library by
 * tools/embed_rules.py so that a sweep loads them wherever it runs (`--no-default-rules`
 * leaves them out). Each keeps its repository path as its file name.
 */
#ifndef RURU_RULES_BUILTIN_H
#define RURU_RULES_BUILTIN_H

#include <stddef.h>

struct ruru_builtin_rule {
    const char *path; /* "rules/exchange/proxylogon.yml" */
    size_t len;
    const char *text;
};

/* The rule files, in path order, then an all-zero entry. */
extern const struct ruru_builtin_rule RURU_BUILTIN_RULES[];
extern const size_t RURU_N_BUILTIN_RULES;

#endif
