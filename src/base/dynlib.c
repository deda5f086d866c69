/* SPDX-License-Identifier: Apache-2.0 */
/* Libraries loaded when first needed (dynlib.h). */
#include "base/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

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

bool ruru_dynlib_load(struct ruru_dynlib *lib, char *why, size_t cap)
{
    bool ok;

    pthread_mutex_lock(&mu);
    if (!lib->tried) {
        void *h = ruru_dynlib_open(lib->soname, lib->why, sizeof(lib->why));
        /* the table is n function pointers in a row (checked where it is declared) */
        for (size_t i = 0; h != NULL && i < lib->n; i++)
            if (!ruru_dynlib_fn(h, lib->names[i], (char *)lib->table + i * sizeof(void (*)(void)),
                                sizeof(void (*)(void)), lib->why, sizeof(lib->why)))
                h = NULL; /* kept loaded: dlclose of a half-used library gains nothing */
        lib->ok = h != NULL;
        lib->tried = true;
    }
    ok = lib->ok;
    if (!ok)
        snprintf(why, cap, "%s: %s", lib->what, lib->why);
    pthread_mutex_unlock(&mu);
    return ok;
}
