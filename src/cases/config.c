/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruru.yaml: the judgement's settings (incident.h, attrib.h), read over the defaults, and the
 * Sigma logsources tied to inputs (logsources:, rules/sigma.h), which have none. Every key is
 * known or refused with its line and column; every value is checked for its range. The
 * shipped file (ruru.yaml at the repository's root) states the defaults themselves.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "base/yaml.h"
#include "cases/incident.h"
#include "cases/register.h"
#include "intel/intel.h"
#include "rules/sigma.h"

static enum ruru_err
bad(struct ruru_diag *d, const char *file, const struct ruru_yaml *y, const char *what)
{
    return ruru_diag_set(d, RURU_EPARSE, file, y != NULL ? y->line : 0, y != NULL ? y->col : 0,
                         "%s", what);
}

/* A number in [lo, hi]. */
static bool number(const struct ruru_yaml *y, double lo, double hi, double *out)
{
    const char *s = ruru_yaml_str(y);
    char *end;
    double v;

    if (s == NULL || !y->plain || *s == '\0')
        return false;
    v = strtod(s, &end);
    if (*end != '\0' || !isfinite(v) || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* A duration: seconds, or a number with s, m, h or d. */
static bool duration(const struct ruru_yaml *y, int64_t *out)
{
    const char *s = ruru_yaml_str(y);
    char *end;
    double v, unit = 1;

    if (s == NULL || *s == '\0')
        return false;
    v = strtod(s, &end);
    if (*end == 's' || *end == 'm' || *end == 'h' || *end == 'd') {
        unit = *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 1;
        end++;
    }
    if (*end != '\0' || !isfinite(v) || v < 0 || v * unit > 3650.0 * 86400)
        return false;
    *out = (int64_t)(v * unit);
    return true;
}

static enum ruru_err per_kind(const struct ruru_yaml *m,
                              const char *file,
                              double *v,
                              double lo,
                              double hi,
                              struct ruru_diag *d)
{
    if (m->kind != RURU_YAML_MAP)
        return bad(d, file, m, "a map of indicator kinds (hash, url, domain, ...) is needed here");
    for (size_t i = 0; i < m->n; i++) {
        const struct ruru_yaml *k = m->items[2 * i], *val = m->items[2 * i + 1];
        size_t kind = 0;
        while (kind < RURU_EV__COUNT && strcmp(ruru_ev_kind_name((enum ruru_ev_kind)kind),
                                               ruru_yaml_str(k) ? ruru_yaml_str(k) : "") != 0)
            kind++;
        if (kind == RURU_EV__COUNT)
            return bad(d, file, k,
                       "not a kind of indicator: hash, url, domain, email, file-name, "
                       "pattern, user-agent, string, ip, cidr, rule");
        if (!number(val, lo, hi, &v[kind]))
            return bad(d, file, val, "a number in range is needed here");
    }
    return RURU_OK;
}

/* logsources: a map of LOGSOURCE to a PATTERN or a list of them, each checked as a tie
 * ("LOGSOURCE=PATTERN") and appended to `out` (may be NULL). */
static enum ruru_err
logsources(const struct ruru_yaml *m, const char *file, json_t *out, struct ruru_diag *d)
{
    if (m->kind != RURU_YAML_MAP)
        return bad(d, file, m,
                   "a map of logsources to paths is needed here (cisco/aaa: /var/log/net/*.log)");
    for (size_t i = 0; i < m->n; i++) {
        const struct ruru_yaml *k = m->items[2 * i], *v = m->items[2 * i + 1];
        const char *ls = ruru_yaml_str(k) != NULL ? ruru_yaml_str(k) : "";
        size_t n = v->kind == RURU_YAML_SEQ ? v->n : 1;
        for (size_t j = 0; j < n; j++) {
            const struct ruru_yaml *p = v->kind == RURU_YAML_SEQ ? v->items[j] : v;
            const char *pat = ruru_yaml_str(p);
            char tie[1024];
            struct ruru_diag td;
            if (pat == NULL || *pat == '\0' || p->kind != RURU_YAML_SCALAR)
                return bad(d, file, p, "a path, a directory or a glob is needed here");
            if ((size_t)snprintf(tie, sizeof(tie), "%s=%s", ls, pat) >= sizeof(tie))
                return bad(d, file, p, "too long");
            if (ruru_rules_tie_check(tie, &td) != RURU_OK)
                return bad(d, file, k, td.msg);
            if (out != NULL && json_array_append_new(out, json_string(tie)) != 0)
                return ruru_diag_set(d, RURU_ENOMEM, file, 0, 0, "out of memory");
        }
    }
    return RURU_OK;
}

/* export: who the CERT is, and the TLP of intel and findings that carry none. */
static enum ruru_err export_section(const struct ruru_yaml *m,
                                    const char *file,
                                    struct ruru_export_config *e,
                                    struct ruru_diag *d)
{
    if (m->kind != RURU_YAML_MAP)
        return bad(d, file, m, "a map is needed here (name, contact, tlp_default, tlp_evidence)");
    for (size_t i = 0; i < m->n; i++) {
        const struct ruru_yaml *k = m->items[2 * i], *v = m->items[2 * i + 1];
        const char *kn = ruru_yaml_str(k) ? ruru_yaml_str(k) : "", *val = ruru_yaml_str(v);
        bool tlp_d = strcmp(kn, "tlp_default") == 0, tlp_e = strcmp(kn, "tlp_evidence") == 0;
        if (strcmp(kn, "name") == 0 || strcmp(kn, "contact") == 0) {
            bool name = kn[0] == 'n';
            char *to = name ? e->name : e->contact;
            size_t cap = name ? sizeof(e->name) : sizeof(e->contact);
            if (v->kind != RURU_YAML_SCALAR || val == NULL || (name && *val == '\0'))
                return bad(d, file, v, "a text is needed here");
            if (strlen(val) >= cap)
                return bad(d, file, v, "too long");
            for (const char *p = val; *p != '\0'; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                    return bad(d, file, v, "control characters are not allowed here");
            snprintf(to, cap, "%s", val);
        } else if (tlp_d || tlp_e) {
            const char *t = val != NULL ? ruru_tlp_parse(val, strlen(val)) : NULL;
            if (t == NULL || v->kind != RURU_YAML_SCALAR)
                return bad(d, file, v,
                           "a TLP is needed here: clear, green, amber, "
                           "amber+strict or red");
            *(tlp_d ? &e->tlp_default : &e->tlp_evidence) = ruru_tlp_rank(t);
        } else {
            return bad(d, file, k,
                       "unknown setting: export has name, contact, tlp_default and tlp_evidence");
        }
    }
    return RURU_OK;
}

/* orgs: a map of organisation NAME to {sector: SECTOR} (or nothing); into `out` (may be NULL)
 * as {NAME: SECTOR or null}. */
static enum ruru_err
orgs_section(const struct ruru_yaml *m, const char *file, json_t *out, struct ruru_diag *d)
{
    if (m->kind != RURU_YAML_MAP)
        return bad(d, file, m, "a map of organisations is needed here (EXAMPLE-ORG: {sector: X})");
    for (size_t i = 0; i < m->n; i++) {
        const struct ruru_yaml *k = m->items[2 * i], *v = m->items[2 * i + 1];
        const char *name = ruru_yaml_str(k), *sector = NULL;
        struct ruru_diag nd;
        if (k->kind != RURU_YAML_SCALAR || ruru_org_name_check(name, &nd) != RURU_OK)
            return bad(d, file, k,
                       "an organisation's name is needed here (1 to 128 characters, no "
                       "control characters)");
        if (!ruru_yaml_is_null(v)) {
            if (v->kind != RURU_YAML_MAP)
                return bad(d, file, v, "a map is needed here (sector)");
            for (size_t j = 0; j < v->n; j++) {
                const struct ruru_yaml *k2 = v->items[2 * j], *s = v->items[2 * j + 1];
                if (strcmp(ruru_yaml_str(k2) ? ruru_yaml_str(k2) : "", "sector") != 0)
                    return bad(d, file, k2, "unknown setting: an organisation has a sector");
                sector = ruru_yaml_str(s);
                if (s->kind != RURU_YAML_SCALAR || ruru_org_name_check(sector, &nd) != RURU_OK)
                    return bad(d, file, s,
                               "a sector is needed here (1 to 128 characters, no control "
                               "characters)");
            }
        }
        if (out != NULL &&
            json_object_set_new(out, name, sector ? json_string(sector) : json_null()) != 0)
            return ruru_diag_set(d, RURU_ENOMEM, file, 0, 0, "out of memory");
    }
    return RURU_OK;
}

/* register: where the register is (docs/register.md): sqlite:PATH or a postgresql:// URL;
 * into `out` (may be NULL) as {"url": URL}. Checked for its shape only: opening it says more. */
static enum ruru_err
register_section(const struct ruru_yaml *m, const char *file, json_t *out, struct ruru_diag *d)
{
    const char *url = ruru_yaml_str(m);

    if (m->kind != RURU_YAML_SCALAR || url == NULL || *url == '\0' ||
        (strncmp(url, "sqlite:", 7) != 0 && strncmp(url, "postgresql://", 13) != 0 &&
         strncmp(url, "postgres://", 11) != 0))
        return bad(d, file, m, "the register is sqlite:PATH or a postgresql:// URL");
    if (out != NULL && json_object_set_new(out, "url", json_string(url)) != 0)
        return ruru_diag_set(d, RURU_ENOMEM, file, 0, 0, "out of memory");
    return RURU_OK;
}

/* serve: who among the constituents gets TLP:AMBER intel: every one ("amber: all", TLP 2.0
 * lets a recipient share AMBER with its clients) or only those a source lists ("amber:
 * listed", "amber_to: {SOURCE: [ORG, ...]}"). Into `out` (may be NULL) as {"amber": "all" or
 * "listed", "amber_to": {SOURCE: [ORG...]}}. */
static enum ruru_err
serve_section(const struct ruru_yaml *m, const char *file, json_t *out, struct ruru_diag *d)
{
    if (m->kind != RURU_YAML_MAP)
        return bad(d, file, m, "a map is needed here (amber, amber_to)");
    for (size_t i = 0; i < m->n; i++) {
        const struct ruru_yaml *k = m->items[2 * i], *v = m->items[2 * i + 1];
        const char *kn = ruru_yaml_str(k) ? ruru_yaml_str(k) : "", *val = ruru_yaml_str(v);
        if (strcmp(kn, "amber") == 0) {
            if (v->kind != RURU_YAML_SCALAR || val == NULL ||
                (strcmp(val, "all") != 0 && strcmp(val, "listed") != 0))
                return bad(d, file, v, "all or listed is needed here");
            if (out != NULL)
                json_object_set_new(out, "amber", json_string(val));
        } else if (strcmp(kn, "amber_to") == 0) {
            json_t *to = json_object();
            if (to == NULL || (out != NULL && json_object_set_new(out, "amber_to", to) != 0))
                return ruru_diag_set(d, RURU_ENOMEM, file, 0, 0, "out of memory");
            if (out == NULL)
                json_decref(to);
            if (ruru_yaml_is_null(v))
                continue;
            if (v->kind != RURU_YAML_MAP)
                return bad(d, file, v, "a map of SOURCE: [ORG, ...] is needed here");
            for (size_t j = 0; j < v->n; j++) {
                const struct ruru_yaml *src = v->items[2 * j], *orgs = v->items[2 * j + 1];
                size_t n = orgs->kind == RURU_YAML_SEQ ? orgs->n : 1;
                json_t *list = json_array();
                struct ruru_diag nd;
                if (src->kind != RURU_YAML_SCALAR || ruru_yaml_str(src) == NULL ||
                    *ruru_yaml_str(src) == '\0') {
                    json_decref(list);
                    return bad(d, file, src, "an intel source's name is needed here");
                }
                for (size_t o = 0; o < n; o++) {
                    const struct ruru_yaml *org =
                            orgs->kind == RURU_YAML_SEQ ? orgs->items[o] : orgs;
                    if (org->kind != RURU_YAML_SCALAR ||
                        ruru_org_name_check(ruru_yaml_str(org), &nd) != RURU_OK) {
                        json_decref(list);
                        return bad(d, file, org, "an organisation's name is needed here");
                    }
                    json_array_append_new(list, json_string(ruru_yaml_str(org)));
                }
                if (out != NULL)
                    json_object_set(json_object_get(out, "amber_to"), ruru_yaml_str(src), list);
                json_decref(list);
            }
        } else {
            return bad(d, file, k, "unknown setting: serve has amber and amber_to");
        }
    }
    return RURU_OK;
}

/* The section `name` of every document, through `parse`, into one object (NULL: none). */
static enum ruru_err section_json(const char *buf,
                                  size_t len,
                                  const char *file,
                                  const char *name,
                                  enum ruru_err (*parse)(const struct ruru_yaml *,
                                                         const char *,
                                                         json_t *,
                                                         struct ruru_diag *),
                                  json_t **result,
                                  struct ruru_diag *d)
{
    struct ruru_arena arena;
    struct ruru_yaml **docs = NULL;
    size_t n_docs = 0;
    json_t *out = NULL;
    enum ruru_err err;

    *result = NULL;
    ruru_arena_init(&arena, 4096, (size_t)4 << 20);
    err = ruru_yaml_load(buf, len, file, &arena, &docs, &n_docs, d);
    for (size_t k = 0; err == RURU_OK && k < n_docs; k++) {
        const struct ruru_yaml *top = docs[k], *sec;
        if (top->kind != RURU_YAML_MAP || (sec = ruru_yaml_get(top, name)) == NULL ||
            ruru_yaml_is_null(sec))
            continue;
        if (out == NULL && (out = json_object()) == NULL)
            err = ruru_diag_set(d, RURU_ENOMEM, file, 0, 0, "out of memory");
        else
            err = parse(sec, file, out, d);
    }
    ruru_arena_fini(&arena);
    if (err != RURU_OK) {
        json_decref(out);
        return err;
    }
    *result = out;
    return RURU_OK;
}

enum ruru_err ruru_case_config_orgs(
        const char *buf, size_t len, const char *file, json_t **orgs, struct ruru_diag *d)
{
    return section_json(buf, len, file, "orgs", orgs_section, orgs, d);
}

enum ruru_err ruru_case_config_serve(
        const char *buf, size_t len, const char *file, json_t **serve, struct ruru_diag *d)
{
    return section_json(buf, len, file, "serve", serve_section, serve, d);
}

enum ruru_err ruru_config_register(
        const char *yaml, size_t len, const char *file, char **url, struct ruru_diag *diag)
{
    json_t *sec = NULL;
    const char *u;
    enum ruru_err err;

    *url = NULL;
    ruru_diag_clear(diag);
    if ((err = section_json(yaml, len, file, "register", register_section, &sec, diag)) != RURU_OK)
        return err;
    if ((u = json_string_value(json_object_get(sec, "url"))) != NULL) {
        size_t n = strlen(u) + 1;
        if ((*url = ruru_malloc(n)) == NULL)
            err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        else
            memcpy(*url, u, n);
    }
    json_decref(sec);
    return err;
}

enum ruru_err ruru_config_logsources(
        const char *yaml, size_t len, const char *file, char **json, struct ruru_diag *diag)
{
    struct ruru_arena arena;
    struct ruru_yaml **docs = NULL;
    size_t n_docs = 0;
    json_t *out = json_array();
    enum ruru_err err;
    struct ruru_case_config c;

    ruru_diag_clear(diag);
    /* the whole file is checked, as the judgement reads it */
    if ((err = ruru_case_config_load(yaml, len, file, &c, diag)) != RURU_OK) {
        json_decref(out);
        return err;
    }
    ruru_arena_init(&arena, 4096, (size_t)4 << 20);
    err = ruru_yaml_load(yaml, len, file, &arena, &docs, &n_docs, diag);
    for (size_t k = 0; err == RURU_OK && k < n_docs; k++) {
        const struct ruru_yaml *top = docs[k], *sec;
        if (top->kind == RURU_YAML_MAP && (sec = ruru_yaml_get(top, "logsources")) != NULL &&
            !ruru_yaml_is_null(sec))
            err = logsources(sec, file, out, diag);
    }
    ruru_arena_fini(&arena);
    if (err == RURU_OK && (*json = json_dumps(out, JSON_COMPACT)) == NULL)
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    json_decref(out);
    return err;
}

enum ruru_err ruru_case_config_load(const char *buf,
                                    size_t len,
                                    const char *file,
                                    struct ruru_case_config *c,
                                    struct ruru_diag *d)
{
    struct ruru_arena arena;
    struct ruru_yaml **docs = NULL;
    size_t n_docs = 0;
    enum ruru_err err;
    struct ruru_case_config x;

    ruru_case_defaults(&x);
    ruru_arena_init(&arena, 4096, (size_t)4 << 20);
    err = ruru_yaml_load(buf, len, file, &arena, &docs, &n_docs, d);
    for (size_t k = 0; err == RURU_OK && k < n_docs; k++) {
        const struct ruru_yaml *top = docs[k];
        if (ruru_yaml_is_null(top))
            continue;
        if (top->kind != RURU_YAML_MAP) {
            err = bad(d, file, top, "ruru.yaml holds a map: incidents, attribution, logsources");
            break;
        }
        for (size_t i = 0; err == RURU_OK && i < top->n; i++) {
            const struct ruru_yaml *key = top->items[2 * i], *sec = top->items[2 * i + 1];
            const char *name = ruru_yaml_str(key) ? ruru_yaml_str(key) : "";
            bool inc = strcmp(name, "incidents") == 0, att = strcmp(name, "attribution") == 0;
            if (strcmp(name, "logsources") == 0) {
                if (!ruru_yaml_is_null(sec))
                    err = logsources(sec, file, NULL, d);
                continue;
            }
            if (strcmp(name, "export") == 0) {
                if (!ruru_yaml_is_null(sec))
                    err = export_section(sec, file, &x.export, d);
                continue;
            }
            if (strcmp(name, "register") == 0) {
                err = register_section(sec, file, NULL, d);
                continue;
            }
            if (strcmp(name, "orgs") == 0 || strcmp(name, "serve") == 0) {
                if (!ruru_yaml_is_null(sec))
                    err = (name[0] == 'o' ? orgs_section : serve_section)(sec, file, NULL, d);
                continue;
            }
            if (!inc && !att) {
                err = bad(d, file, key,
                          "unknown section: ruru.yaml has incidents, attribution, logsources, "
                          "export, orgs, register and serve");
                break;
            }
            if (ruru_yaml_is_null(sec))
                continue;
            if (sec->kind != RURU_YAML_MAP) {
                err = bad(d, file, sec, "a map is needed here");
                break;
            }
            for (size_t j = 0; err == RURU_OK && j < sec->n; j++) {
                const struct ruru_yaml *k2 = sec->items[2 * j], *v = sec->items[2 * j + 1];
                const char *kn = ruru_yaml_str(k2) ? ruru_yaml_str(k2) : "";
                struct ruru_attrib_config *a = &x.attrib;
                bool ok = true;
                if (inc && strcmp(kn, "gap") == 0) {
                    ok = duration(v, &x.gap);
                } else if (inc && strcmp(kn, "serious") == 0) {
                    int s = 0;
                    while (s <= RURU_SEV_CRITICAL &&
                           strcmp(ruru_severity_name((enum ruru_severity)s),
                                  ruru_yaml_str(v) ? ruru_yaml_str(v) : "") != 0)
                        s++;
                    ok = s <= RURU_SEV_CRITICAL;
                    x.serious = (enum ruru_severity)(ok ? s : 0);
                } else if (att && strcmp(kn, "prior_odds") == 0) {
                    ok = number(v, 1e-6, 1e6, &a->prior_odds);
                } else if (att && strcmp(kn, "dependence") == 0) {
                    ok = number(v, 0, 1, &a->dependence);
                } else if (att && strcmp(kn, "default_confidence") == 0) {
                    ok = number(v, 0, 100, &a->default_confidence);
                } else if (att && strcmp(kn, "technique_weight") == 0) {
                    ok = number(v, 0, 100, &a->technique_weight);
                } else if (att && strcmp(kn, "technique_cap") == 0) {
                    ok = number(v, 1, 1e6, &a->technique_cap);
                } else if (att && strcmp(kn, "likely") == 0) {
                    ok = number(v, 0.5, 1, &a->likely);
                } else if (att && strcmp(kn, "weights") == 0) {
                    err = per_kind(v, file, a->weight, 1, 1e9, d);
                } else if (att && strcmp(kn, "half_life_days") == 0) {
                    err = per_kind(v, file, a->half_life_days, 0, 36500, d);
                } else {
                    err = bad(d, file, k2, "unknown setting (docs/attribution.md lists them)");
                }
                if (err == RURU_OK && !ok)
                    err = bad(d, file, v,
                              "a value in range is needed here (ruru.yaml shows the "
                              "defaults)");
            }
        }
    }
    ruru_arena_fini(&arena);
    if (err == RURU_OK)
        *c = x;
    return err;
}
