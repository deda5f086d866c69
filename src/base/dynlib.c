/* SPDX-License-Identifier: Apache-2.0 */
/* Libraries loaded when first needed (dynlib.h). */
#include "base/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

void *ruru_dynlib_open(const char *soname, char *why, size_t cap)
{
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

    if (lib == NULL) {
        const char *e = dlerror();
        snprintf(why, cap, "cannot load %s: %s", soname, e != NULL ? e : "not found");
    }
    return lib;
}

bool ruru_dynlib_fn(void *lib, const char *name, void *slot, size_t size, char *why, size_t cap)
{
    void *f = dlsym(lib, name);

    if (f == NULL || size != sizeof(f)) {
        snprintf(why, cap, "the library has no %s", name);
        return false;
    }
    /* POSIX: a function's address in a void *, copied into the function pointer's bytes */
    memcpy(slot, &f, sizeof(f));
    return true;
}
