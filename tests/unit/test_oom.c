/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Allocation-failure torture (curl's torture mode): runs a scenario once to count its
 * allocations, then again with the 1st, 2nd, ... allocation failing. Every run must end in
 * RURU_OK or RURU_ENOMEM, never crash, and leak nothing (LeakSanitizer checks at exit).
 */
#include <stdlib.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/map.h"
#include "check.h"
#include "intel/actors.h"
#include "intel/store.h"
#include "logs/detect.h"
#include "rules/sigma.h"

static char home[] = "/tmp/ruru-test-oom-XXXXXX";
static ruru_store *store;

static enum ruru_err scenario_map(void)
{
    struct ruru_map m;
    enum ruru_err err = RURU_OK;
    char key[32];

    ruru_map_init(&m);
    for (int i = 0; i < 100 && err == RURU_OK; i++) {
        snprintf(key, sizeof(key), "key-%d", i);
        err = ruru_map_put(&m, key, strlen(key), i);
    }
    if (err == RURU_OK) {
        int64_t v = -1;
        if (!ruru_map_get(&m, "key-42", 6, &v) || v != 42)
            err = RURU_EINVAL;
    }
    ruru_map_fini(&m);
    return err;
}

static enum ruru_err scenario_buf(void)
{
    struct ruru_buf b;
    enum ruru_err err = RURU_OK;
    char *s;

    ruru_buf_init(&b, 1 << 20);
    for (int i = 0; i < 200 && err == RURU_OK; i++)
        err = ruru_buf_addf(&b, "%d,", i);
    s = err == RURU_OK ? ruru_buf_detach(&b) : NULL;
    if (err == RURU_OK && s == NULL)
        err = RURU_ENOMEM;
    ruru_free(s);
    ruru_buf_fini(&b);
    return err;
}

static enum ruru_err scenario_actors(void)
{
    struct ruru_actor_registry *reg = NULL;
    enum ruru_err err = ruru_actors_build(ruru_store_db(store), &reg, NULL);

    if (err == RURU_OK && ruru_actors_n_groups(reg) != 2)
        err = RURU_EINVAL;
    ruru_actors_destroy(reg);
    return err;
}

/* Rules tied to an input by a logsource, run on a line of it, and the account of those that
 * ran on nothing. */
static enum ruru_err scenario_ties(void)
{
    static const char y[] = "title: a\nlogsource: {product: cisco, service: aaa}\n"
                            "detection: {k: [show], condition: k}\n---\n"
                            "title: b\nlogsource: {product: linux}\n"
                            "detection: {k: [show], condition: k}\n";
    static const char *const ties[] = {"cisco=router.log"};
    struct ruru_rules *rs = NULL;
    struct ruru_rules_scratch *sc = NULL;
    struct ruru_rules_input *in = NULL;
    struct ruru_diag d;
    uint64_t ran[1] = {0};
    size_t n = 0;
    json_t *not_run = NULL;
    enum ruru_err err;

    if ((err = ruru_rules_create(&rs)) != RURU_OK)
        return err;
    if ((err = ruru_rules_load_buffer(rs, y, strlen(y), "t.yml", NULL, NULL, &d)) != RURU_OK ||
        (err = ruru_rules_compile(rs, NULL, NULL, &d)) != RURU_OK ||
        (err = ruru_rules_scratch_create(rs, &sc)) != RURU_OK ||
        (err = ruru_rules_input_create(rs, "/l/router.log", RURU_KIND_TEXT, ties, 1, &in, &d)) !=
                RURU_OK)
        goto out;
    ruru_rules_scratch_input(sc, in);
    ruru_rules_match(rs, sc, NULL, "show version", 12, NULL, NULL);
    ruru_rules_ran(rs, sc, ran);
    if ((not_run = ruru_rules_not_run(rs, ran, &n)) == NULL)
        err = RURU_ENOMEM;
    else if (ruru_rules_count(rs) != 2 || ruru_rules_failed(sc) > 0)
        err = RURU_ENOMEM; /* a rule or an evaluation lost to a failed allocation */
    else if (n != 1 && n != 0)
        err = RURU_EINVAL; /* b ran on nothing (0 only when the account itself ran short) */
out:
    json_decref(not_run);
    ruru_rules_input_destroy(in);
    ruru_rules_scratch_destroy(sc);
    ruru_rules_destroy(rs);
    return err;
}

static void prepare_store(void)
{
    static const char *const aliases[] = {"Leviathan", "GADOLINIUM"};
    static const char *const other[] = {"Leviathan"};
    struct ruru_store_file *f = NULL;
    const struct ruru_intel_sink *s;
    struct ruru_intel_entity e;
    bool unchanged;

    CHECK(mkdtemp(home) != NULL);
    CHECK_INT(ruru_store_open(home, &store, NULL), RURU_OK);
    CHECK_INT(ruru_store_file_begin(store, "src", "f", "test", "h", 1, &f, &unchanged, NULL),
              RURU_OK);
    s = ruru_store_file_sink(f);
    ruru_intel_entity_init(&e);
    e.kind = RURU_ENTITY_ACTOR;
    e.ref = "a";
    e.name = "APT40";
    e.aliases = aliases;
    e.n_aliases = 2;
    e.source_type = "t1";
    CHECK_INT(s->entity(s->ctx, &e), RURU_OK);
    e.ref = "b";
    e.name = "Sea Turtle";
    e.aliases = other;
    e.n_aliases = 1;
    e.source_type = "t2";
    CHECK_INT(s->entity(s->ctx, &e), RURU_OK);
    CHECK_INT(ruru_store_file_commit(f, NULL), RURU_OK);
}

static void torture(const char *name, enum ruru_err (*fn)(void))
{
    uint64_t before = ruru_alloc_count(), n;

    CHECK_INT(fn(), RURU_OK);
    n = ruru_alloc_count() - before;
    CHECK(n > 0);
    for (uint64_t i = 1; i <= n; i++) {
        enum ruru_err err;
        ruru_alloc_fail_at(i);
        err = fn();
        ruru_alloc_fail_at(0);
        if (err != RURU_ENOMEM && err != RURU_OK) {
            fprintf(stderr, "%s: allocation %llu: unexpected error %d\n", name,
                    (unsigned long long)i, (int)err);
            check_failed++;
        } else {
            check_passed++;
        }
    }
    CHECK_INT(fn(), RURU_OK);
}

int main(void)
{
    char cmd[128];

    prepare_store();
    torture("map", scenario_map);
    torture("buf", scenario_buf);
    torture("actors", scenario_actors);
    torture("ties", scenario_ties);
    ruru_store_close(store);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", home);
    CHECK_INT(system(cmd), 0);
    return check_done();
}
