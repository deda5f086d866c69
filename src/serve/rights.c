/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a caller may see (docs/serve.md, "Who may see what"). The CERT's admins see
 * everything. A constituent gets intel at TLP:CLEAR and GREEN; AMBER when the CERT shares
 * AMBER with all its constituents (serve: amber: all, the default: TLP 2.0 lets a recipient
 * share AMBER with its clients) or the intel's source is listed as shared with it (amber_to);
 * never AMBER+STRICT or RED intel. About its own incidents it gets what is about itself up to
 * AMBER+STRICT, never RED. Intel that states no TLP counts as export.tlp_default (amber).
 */
#include <string.h>

#include "cases/incident.h"
#include "intel/intel.h"
#include "serve/serve_int.h"

enum ruru_err serve_sharing_load(const char *yaml,
                                 size_t len,
                                 const char *file,
                                 struct serve_sharing *out,
                                 struct ruru_diag *d)
{
    struct ruru_case_config c;
    json_t *serve = NULL;
    enum ruru_err err;

    memset(out, 0, sizeof(*out));
    ruru_case_defaults(&c);
    out->amber_all = true;
    out->tlp_default = c.export.tlp_default;
    if (yaml == NULL)
        return RURU_OK;
    if ((err = ruru_case_config_load(yaml, len, file, &c, d)) != RURU_OK ||
        (err = ruru_case_config_serve(yaml, len, file, &serve, d)) != RURU_OK)
        return err;
    out->tlp_default = c.export.tlp_default;
    if (serve != NULL) {
        const char *amber = json_string_value(json_object_get(serve, "amber"));
        out->amber_all = amber == NULL || strcmp(amber, "all") == 0;
        out->sources = json_incref(json_object_get(serve, "amber_to"));
        json_decref(serve);
    }
    return RURU_OK;
}

void serve_sharing_fini(struct serve_sharing *s)
{
    json_decref(s->sources);
    s->sources = NULL;
}

bool serve_match_visible(const struct serve_sharing *s, const struct caller *c, const json_t *m)
{
    const char *tlp = json_string_value(json_object_get(m, "tlp"));
    int rank = tlp != NULL ? ruru_tlp_rank(tlp) : s->tlp_default;
    const char *source;
    json_t *orgs, *o;
    size_t i;

    if (c->role == RURU_ROLE_ADMIN)
        return true;
    if (rank < 0)
        rank = s->tlp_default;
    if (rank <= ruru_tlp_rank("green"))
        return true;
    if (rank != ruru_tlp_rank("amber"))
        return false;
    if (s->amber_all)
        return true;
    source = json_string_value(json_object_get(m, "source"));
    orgs = source != NULL ? json_object_get(s->sources, source) : NULL;
    json_array_foreach(orgs, i, o) if (strcmp(json_string_value(o), c->org) == 0) return true;
    return false;
}

const char *serve_tlp_max(const struct caller *c)
{
    return c->role == RURU_ROLE_ADMIN ? "red" : "amber+strict";
}
