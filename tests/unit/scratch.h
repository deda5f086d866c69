/* SPDX-License-Identifier: Apache-2.0 */
/* A unit test's scratch folder and the files it writes there. The test's main makes the folder
 * (mkdtemp into `dir`) and removes it. */
#ifndef RURU_TEST_SCRATCH_H
#define RURU_TEST_SCRATCH_H

#include <stdio.h>

#include "check.h"

static char dir[256];

/* dir/name, in one of 16 buffers used in turn (a call may take several). */
static inline const char *path_of(const char *name)
{
    static char buf[16][512];
    static int k;

    k = (k + 1) % 16;
    snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
    return buf[k];
}

static inline void write_path(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    CHECK(f != NULL);
    if (f == NULL)
        return;
    CHECK(fwrite(data, 1, len, f) == len);
    fclose(f);
}

static inline void write_file(const char *name, const void *data, size_t len)
{
    write_path(path_of(name), data, len);
}

#endif
