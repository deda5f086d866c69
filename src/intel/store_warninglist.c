/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which stored warninglists hold a value: MISP's matching semantics, by list type
 * (misp-warninglists README, "type of warning list"):
 *
 *   cidr       the address, or the whole range of a CIDR value, lies in an entry's range
 *   hostname   the host name or one of its parents is an entry: dyndns.org holds
 *              a.b.dyndns.org; a URL is judged by its host ("domain matching from URL")
 *   string     the value is an entry, exactly (ASCII case aside: entries are stored
 *              lower-cased, as host names and hex hashes are). The IANA TLD list holds "com";
 *              it never holds "evil.com", which is why a string list has no parents
 *   substring  an entry occurs in the value
 *   regex      an entry, a PCRE written /re/flags or bare, matches the value
 *
 * A list applies only to the indicator types its "matching_attributes" name (MISP attribute
 * types: ip-src, domain, url, md5, ...); a list without them applies to every type. So the
 * TLD list (hostname, domain, domain|ip) is consulted for domains only, and the empty-hashes
 * string list for hashes only.
 *
 * Example: the domain a.evil.com against the TLD list finds nothing (a.evil.com, exactly, is
 * no entry), against the dynamic-dns hostname list holding ".evil.com" (stored evil.com) it
 * finds evil.com, a parent.
 */
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "base/buf.h"
#include "base/str.h"
#include "intel/query.h"
#include "intel/store.h"

/* The MISP attribute types an indicator type stands for, as a SQL list; NULL for a type that
 * MISP has no attribute type for (only lists without matching_attributes apply to it). */
static const char *misp_attribute_types(enum ruru_ioc_type t)
{
    switch (t) {
    case RURU_IOC_IPV4:
    case RURU_IOC_IPV6:
    case RURU_IOC_CIDR4:
    case RURU_IOC_CIDR6:
        return "'ip-src','ip-dst','ip-src|port','ip-dst|port','domain|ip','ip'";
    case RURU_IOC_DOMAIN:
        return "'domain','hostname','domain|ip','hostname|port'";
    case RURU_IOC_URL:
        return "'url','uri','link'";
    case RURU_IOC_URI_PATH:
        return "'uri'";
    case RURU_IOC_EMAIL:
        return "'email','email-src','email-dst','target-email','email-reply-to',"
               "'whois-registrant-email'";
    case RURU_IOC_MD5:
        return "'md5','filename|md5','malware-sample'";
    case RURU_IOC_SHA1:
        return "'sha1','filename|sha1'";
    case RURU_IOC_SHA256:
        return "'sha256','filename|sha256'";
    case RURU_IOC_SHA512:
        return "'sha512','filename|sha512'";
    case RURU_IOC_FILENAME:
    case RURU_IOC_FILEPATH:
        return "'filename'";
    case RURU_IOC_USER_AGENT:
        return "'user-agent'";
    case RURU_IOC_JA3:
        return "'ja3-fingerprint-md5'";
    case RURU_IOC_JA3S:
        return "'ja3s-fingerprint-md5'";
    case RURU_IOC_X509_MD5:
        return "'x509-fingerprint-md5'";
    case RURU_IOC_X509_SHA1:
        return "'x509-fingerprint-sha1'";
    case RURU_IOC_X509_SHA256:
        return "'x509-fingerprint-sha256'";
    case RURU_IOC_ASN:
        return "'AS'";
    default:
        return NULL;
    }
}

/* The host of a canonical URL ("http://user@host:8080/x" -> "host"), into buf. */
static bool url_host(const char *url, char *buf, size_t cap)
{
    const char *p = strstr(url, "://"), *end;
    size_t n;

    if (p == NULL)
        return false;
    p += 3;
    end = p + strcspn(p, "/?#");
    for (const char *at = p; at < end; at++)
        if (*at == '@')
            p = at + 1;
    if (*p == '[')
        return false; /* an IPv6 literal: no host name */
    for (const char *c = p; c < end; c++)
        if (*c == ':')
            end = c;
    n = (size_t)(end - p);
    if (n == 0 || n >= cap)
        return false;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return true;
}

/* Whether the MISP regex `entry` (/re/flags or bare) matches value. A regex PCRE2 refuses
 * matches nothing. */
static bool regex_matches(const char *entry, const char *value)
{
    const char *b = entry, *e = entry + strlen(entry);
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    pcre2_code *re;
    pcre2_match_data *md;
    int errcode, rc;
    PCRE2_SIZE erroff;

    if (*b == '/' && e - b >= 2) {
        const char *last = strrchr(b + 1, '/');
        if (last != NULL) {
            for (const char *f = last + 1; *f; f++) {
                if (*f == 'i')
                    opts |= PCRE2_CASELESS;
                else if (*f == 'm')
                    opts |= PCRE2_MULTILINE;
                else if (*f == 's')
                    opts |= PCRE2_DOTALL;
                else if (*f == 'x')
                    opts |= PCRE2_EXTENDED;
            }
            b++;
            e = last;
        }
    }
    re = pcre2_compile((PCRE2_SPTR)b, (PCRE2_SIZE)(e - b), opts, &errcode, &erroff, NULL);
    if (re == NULL)
        return false;
    md = pcre2_match_data_create_from_pattern(re, NULL);
    rc = md == NULL ? -1 : pcre2_match(re, (PCRE2_SPTR)value, strlen(value), 0, 0, md, NULL);
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return rc >= 0;
}

static void emit(json_t *out, sqlite3_stmt *st)
{
    json_t *o = json_object();
    static const char *const keys[] = {"name", "source", "type", "entry"};

    for (int i = 0; i < 4; i++)
        if (sqlite3_column_type(st, i) == SQLITE_TEXT)
            json_object_set_new(o, keys[i],
                                json_stringn((const char *)sqlite3_column_text(st, i),
                                             (size_t)sqlite3_column_bytes(st, i)));
    json_array_append_new(out, o);
}

/* Any list applies, whatever its matching_attributes. */
static const char ANY[] = "any";

/* Prepares "base WHERE <the list applies> AND <cond> ORDER BY w.name, e.value": attrs is the
 * SQL list of the value's MISP attribute types, NULL (none: lists without matching_attributes
 * only) or ANY. */
static sqlite3_stmt *prepare(sqlite3 *db, const char *attrs, const char *cond)
{
    struct ruru_buf sql;
    sqlite3_stmt *st = NULL;

    ruru_buf_init(&sql, 4096);
    ruru_buf_addf(&sql, "SELECT w.name, s.name, w.type, e.value FROM warninglist_entries e"
                        " JOIN warninglists w ON w.id = e.list_id"
                        " JOIN sources s ON s.id = w.source_id WHERE (w.matching_attributes IS NULL"
                        " OR json_array_length(w.matching_attributes) = 0");
    if (attrs == ANY)
        ruru_buf_addf(&sql, " OR 1");
    else if (attrs != NULL)
        ruru_buf_addf(&sql,
                      " OR EXISTS (SELECT 1 FROM json_each(w.matching_attributes) j"
                      " WHERE j.value IN (%s))",
                      attrs);
    ruru_buf_addf(&sql, ") AND %s ORDER BY w.name, e.value", cond);
    if (!sql.failed)
        st = ruru_stmt_get(db, ruru_buf_str(&sql));
    ruru_buf_fini(&sql);
    return st;
}

/* Hostname lists: the name and each of its parents, exactly. */
static void hostname_hits(sqlite3 *db, const char *attrs, const char *host, json_t *out)
{
    sqlite3_stmt *st = prepare(db, attrs, "w.type = 'hostname' AND e.value = ?1");

    if (st == NULL)
        return;
    for (const char *p = host; p != NULL && *p;) {
        sqlite3_bind_text(st, 1, p, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW)
            emit(out, st);
        sqlite3_reset(st);
        p = strchr(p, '.');
        if (p)
            p++;
    }
    ruru_stmt_put(st);
}

void ruru_query_warninglist_hits(sqlite3 *db,
                                 enum ruru_ioc_type type,
                                 const char *value,
                                 json_t *out)
{
    /* A value of no IOC type (a search for a name as written) is tried on every list. */
    const char *attrs = type == RURU_IOC_NONE ? ANY : misp_attribute_types(type);
    unsigned char lo[16], hi[16];
    sqlite3_stmt *st;
    char host[512];

    if (ruru_store_ip_range(type, value, lo, hi)) {
        st = prepare(db, attrs,
                     "w.type = 'cidr' AND e.lo IS NOT NULL AND e.lo <= ?1 AND e.hi >= ?2");
        if (st != NULL) {
            sqlite3_bind_blob(st, 1, lo, 16, SQLITE_STATIC);
            sqlite3_bind_blob(st, 2, hi, 16, SQLITE_STATIC);
            while (sqlite3_step(st) == SQLITE_ROW)
                emit(out, st);
        }
        ruru_stmt_put(st);
    }
    /* A value of no type may still be a name: a private public suffix (dyndns-home.com) is
     * no domain indicator, yet a hostname list holds it. */
    if (type == RURU_IOC_DOMAIN || type == RURU_IOC_NONE)
        hostname_hits(db, attrs, value, out);
    else if (type == RURU_IOC_URL && url_host(value, host, sizeof(host)))
        hostname_hits(db, attrs, host, out);
    /* String lists: the value itself, lower-cased as the entries are. */
    st = prepare(db, attrs, "w.type = 'string' AND e.value = ?1");
    if (st != NULL) {
        struct ruru_buf lower;
        enum ruru_err err = RURU_OK;
        ruru_buf_init(&lower, 1 << 20);
        for (const char *p = value; *p && err == RURU_OK; p++)
            err = ruru_buf_addc(&lower, ruru_lower(*p));
        if (err == RURU_OK) {
            sqlite3_bind_text(st, 1, ruru_buf_str(&lower), -1, SQLITE_STATIC);
            while (sqlite3_step(st) == SQLITE_ROW)
                emit(out, st);
        }
        ruru_stmt_put(st);
        ruru_buf_fini(&lower);
    }
    /* Substring and regex lists are few and short: test each entry. */
    st = prepare(db, attrs, "w.type IN ('substring', 'regex')");
    if (st != NULL) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *wtype = (const char *)sqlite3_column_text(st, 2);
            const char *entry = (const char *)sqlite3_column_text(st, 3);
            if (wtype == NULL || entry == NULL || *entry == '\0')
                continue;
            if (strcmp(wtype, "substring") == 0 ? strstr(value, entry) != NULL
                                                : regex_matches(entry, value))
                emit(out, st);
        }
        ruru_stmt_put(st);
    }
}
