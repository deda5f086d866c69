/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The public corpora some tests read (ruru's ../shared/data): where they are, and how a test
 * that needs them says so. shared_data() is $RURU_TEST_DATA when that is a folder, else the
 * default compiled in (RURU_SHARED_DATA, ../shared/data beside the repository) when that is one,
 * else NULL. SHARED_OR_SKIP() ends a test that needs them with CTest's skip code 77 when there
 * are none - or, under CI=true (where they must be), with a failure.
 *
 * A test file whose checks partly need the corpora runs those parts only when called with the
 * argument "corpus" (corpus_part()): CMake registers it twice, unit.X (runs everywhere) and
 * corpus.X (skipped by name without the corpora).
 */
#ifndef RURU_TEST_SHARED_DATA_H
#define RURU_TEST_SHARED_DATA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef RURU_SHARED_DATA
#define RURU_SHARED_DATA "../shared/data"
#endif

#define SHARED_DATA_SKIP 77

static inline bool shared_data_is_dir(const char *path)
{
    struct stat st;
    return path != NULL && path[0] != '\0' && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder of the public corpora, or NULL when there is none. */
static inline const char *shared_data(void)
{
    const char *env = getenv("RURU_TEST_DATA");

    if (shared_data_is_dir(env))
        return env;
    return shared_data_is_dir(RURU_SHARED_DATA) ? RURU_SHARED_DATA : NULL;
}

/* shared_data() "/" `fmt`..., in one of 8 buffers used in turn (so a call may take several). */
__attribute__((format(printf, 1, 2))) static inline const char *shared_path(const char *fmt, ...)
{
    static char bufs[8][1024];
    static unsigned next;
    char *b = bufs[next++ % 8];
    const char *root = shared_data();
    int n = snprintf(b, sizeof(bufs[0]), "%s/", root != NULL ? root : "/nonexistent");
    va_list ap;

    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof(bufs[0]))
        vsnprintf(b + n, sizeof(bufs[0]) - (size_t)n, fmt, ap);
    va_end(ap);
    return b;
}

/* Ends the test when there are no corpora: skipped (77), or failed under CI=true. */
static inline void shared_or_skip(const char *file)
{
    const char *ci = getenv("CI"), *env = getenv("RURU_TEST_DATA");
    const char *test = strrchr(file, '/') != NULL ? strrchr(file, '/') + 1 : file;

    if (shared_data() != NULL)
        return;
    if (ci != NULL && strcmp(ci, "true") == 0) {
        printf("%s: failed: no public corpora (RURU_TEST_DATA=%s, default %s), and CI=true "
               "requires them\n",
               test, env != NULL ? env : "(unset)", RURU_SHARED_DATA);
        fflush(stdout);
        exit(1);
    }
    printf("%s: skipped: no public corpora (set RURU_TEST_DATA or put the shared data at "
           "../shared/data)\n",
           test);
    fflush(stdout);
    exit(SHARED_DATA_SKIP);
}

#define SHARED_OR_SKIP() shared_or_skip(__FILE__)

/* Whether this run is the test's corpus part ("corpus" as its first argument). */
static inline bool corpus_part(int argc, char **argv)
{
    return argc > 1 && strcmp(argv[1], "corpus") == 0;
}

#endif
