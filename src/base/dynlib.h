/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Libraries loaded when a command first needs them (dlopen), not when ruru starts. PostgreSQL's
 * client (the register on a server) and libmicrohttpd (`ruru serve`) bring some twenty more
 * libraries with them (Kerberos, LDAP, OpenSSL, GnuTLS, p11-kit...), whose mapping, relocation
 * and constructors cost every command, a sweep included, 10-20 ms at start on this project's
 * VM. Each such library has a table of the functions ruru calls (src/cases/pq_lib.h,
 * src/serve/mhd_lib.h), filled here the first time it is asked for.
 */
#ifndef RURU_BASE_DYNLIB_H
#define RURU_BASE_DYNLIB_H

#include <stdbool.h>
#include <stddef.h>

/* Opens `soname` (its symbols kept to itself); NULL with the loader's reason in why. */
void *ruru_dynlib_open(const char *soname, char *why, size_t cap);
/* Resolves function `name` of lib into the function pointer at `slot` (`size` bytes); false
 * with the reason in why. */
bool ruru_dynlib_fn(void *lib, const char *name, void *slot, size_t size, char *why, size_t cap);

#endif
