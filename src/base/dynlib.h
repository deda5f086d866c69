/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Libraries loaded when a command first needs them (dlopen), not when ruru starts. PostgreSQL's
 * client (the register on a server), libmicrohttpd (`ruru serve`) and librdkafka (`ruru
 * stream`) bring some twenty more libraries with them (Kerberos, LDAP, OpenSSL, GnuTLS,
 * p11-kit...), whose mapping, relocation and constructors cost every command, a sweep
 * included, 15 ms at start on this project's VM. Each such library has a table of the
 * functions ruru calls (src/cases/pq_lib.h, src/serve/mhd_lib.h, src/stream/rdk_lib.h), a
 * struct of function pointers in the order of its names, filled the first time it is asked
 * for.
 */
#ifndef RURU_BASE_DYNLIB_H
#define RURU_BASE_DYNLIB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* A library and its table. */
struct ruru_dynlib {
    const char *soname; /* "libpq.so.5" */
    const char *what;   /* for errors: "PostgreSQL's client library" */
    const char *const *names;
    size_t n;    /* names, and function pointers in table */
    void *table; /* a struct of n function pointers */
    /* what loading found (under a lock of dynlib.c) */
    bool tried, ok;
    char why[256];
};

/* The name of function f, for a table's list of names. */
#define RURU_DYNLIB_NAME(f) #f,

/* Loads the library and fills its table, once (any thread); false with the reason in why
 * (also on every later call). */
bool ruru_dynlib_load(struct ruru_dynlib *lib, char *why, size_t cap);

/* A library's table `var` (struct var##_fns, declared with its functions' pointers in the
 * order of LIST, an X-macro of their names) and `bool load(char *why, size_t cap)`. */
#define RURU_DYNLIB_DEFINE(var, LIST, load, soname_, what_)                                     \
    struct var##_fns var;                                                                       \
    static const char *const var##_names[] = {LIST(RURU_DYNLIB_NAME)};                          \
    _Static_assert(sizeof(var) ==                                                               \
                           sizeof(var##_names) / sizeof(*var##_names) * sizeof(void (*)(void)), \
                   "the table is its functions' pointers in a row");                            \
    static struct ruru_dynlib var##_lib = {.soname = soname_,                                   \
                                           .what = what_,                                       \
                                           .names = var##_names,                                \
                                           .n = sizeof(var##_names) / sizeof(*var##_names),     \
                                           .table = &var};                                      \
    bool load(char *why, size_t cap)                                                            \
    {                                                                                           \
        return ruru_dynlib_load(&var##_lib, why, cap);                                          \
    }

/* Opens `soname` (its symbols kept to itself); NULL with the loader's reason in why. */
void *ruru_dynlib_open(const char *soname, char *why, size_t cap);
/* Resolves function `name` of lib into the function pointer at `slot` (`size` bytes); false
 * with the reason in why. */
bool ruru_dynlib_fn(void *lib, const char *name, void *slot, size_t size, char *why, size_t cap);

#endif
