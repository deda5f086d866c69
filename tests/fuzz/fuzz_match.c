/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the matcher on hostile lines, as text and through the Apache and JSON parsers,
 * against a small index built once (addresses, ranges, domains, URLs, hashes, e-mail, user
 * agent, paths, file names, strings, with the literal search of free text). Every hit must
 * name a real indicator, and its observed value must be in bounds.
 */
#include <ruru.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_store.h"
#include "intel/store.h"
#include "logs/apache.h"
#include "logs/json.h"
#include "logs/record.h"
#include "match/index.h"
#include "match/literal.h"
#include "scan/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ruru_index *idx;
static struct ruru_literals *lit;
static struct ruru_matcher *m;

static void setup(void)
{
    static const char intel[] =
            "type,value,valid_until\n"
            "ip,203.0.113.7,\ncidr,198.51.100.0/24,\ncidr,2001:db8::/32,\nip,2001:db8::1,\n"
            "domain,evil.example,\ndomain,xn--bcher-kva.example,\n"
            "url,http://c2.example/gate.php?id=1,\nemail,boss@evil.example,\n"
            "md5,5d41402abc4b2a76b9719d911017c592,\n"
            "user-agent,Mozilla/5.0 (EvilBot 1.0),\nfilename,evil.exe,\n"
            "uri,/owa/auth/x.aspx,\nuri,/a/b.php?c=%7e,\nstring,EvilPool,\n"
            "ip,192.0.2.1,2020-01-01\n";
    ruru_store *s = fuzz_store_with(intel);
    struct ruru_diag d;

    if (ruru_index_build(ruru_store_db(s), &idx, &d) != RURU_OK)
        abort();
    ruru_store_close(s);
    if (ruru_literals_build(idx, 1ull << RURU_IOC_USER_AGENT | 1ull << RURU_IOC_STRING, &lit, &d) !=
                RURU_OK ||
        lit == NULL)
        abort();
    m = malloc(sizeof(*m));
    ruru_matcher_init(m, idx);
    if (ruru_matcher_use_literals(m, lit) != RURU_OK)
        abort();
}

static void check_hits(void)
{
    for (size_t k = 0; k < m->n_hits; k++)
        if (m->hits[k].ind >= ruru_index_count(idx) ||
            m->hits[k].obs_off + m->hits[k].obs_len > m->observed.len)
            __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    struct ruru_record *r = malloc(sizeof(*r));
    struct ruru_jsonlog *j = malloc(sizeof(*j));

    if (idx == NULL)
        setup();
    if (r == NULL || j == NULL)
        goto out;
    ruru_jsonlog_init(j, RURU_LOG_JSON);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        ruru_match_record(m, NULL, p, n);
        check_hits();
        if (ruru_apache_parse(p, n, r)) {
            ruru_match_record(m, r, p, n);
            check_hits();
        }
        if (ruru_jsonlog_parse(j, p, n, r)) {
            ruru_match_record(m, r, p, n);
            check_hits();
        }
        p += n + 1;
    }
out:
    free(r);
    free(j);
    return 0;
}
