/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Warninglists from one store into another (ruru_store_copy_warninglists, include/ruru.h): an
 * ad hoc sweep (`ruru scan --intel FILE`) runs on a store in memory, and without this the
 * warninglists the user imported into the real store (public resolvers, CDN ranges, top
 * sites) would not mark its sightings. Each list goes through the target store's own sink, as
 * an import of the file it came from would, so the copy holds what an import would have.
 */
#include <jansson.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/vec.h"
#include "intel/store.h"

static enum ruru_err db_error(sqlite3 *db, struct ruru_diag *diag)
{
    return ruru_diag_set(diag, RURU_EDB, NULL, 0, 0, "reading warninglists: %s",
                         sqlite3_errmsg(db));
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Hands list `id` of the source database to `sink`. */
static enum ruru_err copy_list(sqlite3 *db,
                               sqlite3_stmt *list,
                               const struct ruru_intel_sink *sink,
                               struct ruru_diag *diag)
{
    struct ruru_intel_warninglist wl;
    sqlite3_stmt *st = NULL;
    struct ruru_vec entries;
    json_t *attrs = NULL;
    const char **names = NULL;
    size_t n_names = 0;
    enum ruru_err err = RURU_OK;
    int rc = SQLITE_DONE;

    /* Entries are kept by the store as strings; 64 M of them bound a bomb. */
    ruru_vec_init(&entries, sizeof(char *), 64u << 20);
    memset(&wl, 0, sizeof(wl));
    wl.name = col(list, 1);
    wl.description = col(list, 2);
    wl.type = col(list, 3);
    wl.version = sqlite3_column_int64(list, 4);
    if (col(list, 5) != NULL && (attrs = json_loads(col(list, 5), 0, NULL)) != NULL &&
        json_is_array(attrs) && json_array_size(attrs) > 0) {
        names = ruru_calloc(json_array_size(attrs), sizeof(*names));
        if (names == NULL) {
            err = RURU_ENOMEM;
            goto out;
        }
        for (size_t i = 0; i < json_array_size(attrs); i++)
            if (json_string_value(json_array_get(attrs, i)) != NULL)
                names[n_names++] = json_string_value(json_array_get(attrs, i));
    }
    wl.matching_attributes = names;
    wl.n_matching_attributes = n_names;
    if (sqlite3_prepare_v2(db,
                           "SELECT value FROM warninglist_entries WHERE list_id = ?1"
                           " ORDER BY rowid",
                           -1, &st, NULL) != SQLITE_OK) {
        err = db_error(db, diag);
        goto out;
    }
    sqlite3_bind_int64(st, 1, sqlite3_column_int64(list, 0));
    while (err == RURU_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        char *v = ruru_strdup(col(st, 0) ? col(st, 0) : "");
        if (v == NULL || ruru_vec_push(&entries, &v) != RURU_OK) {
            ruru_free(v);
            err = RURU_ENOMEM;
        }
    }
    if (err == RURU_OK && rc != SQLITE_DONE)
        err = db_error(db, diag);
    if (err != RURU_OK)
        goto out;
    wl.entries = (const char *const *)entries.items;
    wl.n_entries = entries.n;
    err = sink->warninglist != NULL ? sink->warninglist(sink->ctx, &wl) : RURU_OK;
out:
    sqlite3_finalize(st);
    for (size_t i = 0; i < entries.n; i++)
        ruru_free(*(char **)ruru_vec_at(&entries, i));
    ruru_vec_fini(&entries);
    ruru_free(names);
    json_decref(attrs);
    if (err == RURU_ENOMEM)
        ruru_diag_set(diag, err, NULL, 0, 0, "out of memory");
    return err;
}

enum ruru_err ruru_store_copy_warninglists(ruru_store *to,
                                           ruru_store *from,
                                           size_t *n_lists,
                                           struct ruru_diag *diag)
{
    sqlite3 *db = ruru_store_db(from);
    sqlite3_stmt *files = NULL, *lists = NULL;
    enum ruru_err err = RURU_OK;
    int rc = SQLITE_DONE;

    ruru_diag_clear(diag);
    *n_lists = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT f.id, s.name, f.path, f.hash, f.size FROM files f"
                           " JOIN sources s ON s.id = f.source_id"
                           " WHERE f.id IN (SELECT file_id FROM warninglists) ORDER BY f.id",
                           -1, &files, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT id, name, description, type, version, matching_attributes"
                           " FROM warninglists WHERE file_id = ?1 ORDER BY id",
                           -1, &lists, NULL) != SQLITE_OK) {
        err = db_error(db, diag);
        goto out;
    }
    while (err == RURU_OK && (rc = sqlite3_step(files)) == SQLITE_ROW) {
        struct ruru_store_file *sf = NULL;
        bool unchanged = false;
        size_t n = 0;
        err = ruru_store_file_begin(
                to, col(files, 1), col(files, 2), "warninglist", col(files, 3) ? col(files, 3) : "",
                (uint64_t)sqlite3_column_int64(files, 4), &sf, &unchanged, diag);
        if (err != RURU_OK || sf == NULL)
            continue; /* unchanged: already there */
        sqlite3_bind_int64(lists, 1, sqlite3_column_int64(files, 0));
        while (err == RURU_OK && (rc = sqlite3_step(lists)) == SQLITE_ROW) {
            err = copy_list(db, lists, ruru_store_file_sink(sf), diag);
            n++;
        }
        if (err == RURU_OK && rc != SQLITE_DONE)
            err = db_error(db, diag);
        sqlite3_reset(lists);
        if (err != RURU_OK) {
            ruru_store_file_rollback(sf);
            break;
        }
        err = ruru_store_file_commit(sf, diag);
        if (err == RURU_OK)
            *n_lists += n;
    }
    if (err == RURU_OK && rc != SQLITE_DONE)
        err = db_error(db, diag);
out:
    sqlite3_finalize(files);
    sqlite3_finalize(lists);
    return err;
}
