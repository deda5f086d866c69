/* SPDX-License-Identifier: Apache-2.0 */
/* For fuzz targets that sweep: a store in memory holding a small intel list. */
#ifndef RURU_FUZZ_STORE_H
#define RURU_FUZZ_STORE_H

#include <ruru.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A store in memory with the indicators of `csv` (ruru's CSV intel format) imported, for the
 * process's lifetime; aborts when that cannot be done (the target's setup, not its input). */
static ruru_store *fuzz_store_with(const char *csv)
{
    char path[64], *report = NULL;
    ruru_store *s = NULL;
    struct ruru_diag d;
    struct ruru_import_opts o;
    FILE *f;

    snprintf(path, sizeof(path), "/tmp/ruru-fuzz-intel-%d.csv", (int)getpid());
    if ((f = fopen(path, "w")) == NULL)
        abort();
    fputs(csv, f);
    fclose(f);
    memset(&o, 0, sizeof(o));
    if (ruru_store_open(RURU_STORE_MEMORY, &s, &d) != RURU_OK ||
        ruru_intel_import(s, path, &o, &report, &d) != RURU_OK)
        abort();
    ruru_free(report);
    unlink(path);
    return s;
}

#endif
