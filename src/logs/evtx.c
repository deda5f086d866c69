/* SPDX-License-Identifier: Apache-2.0 */
/*
 * .evtx records as JSON lines (evtx.h). libevtx decodes the binary XML of each record and
 * renders it as text; a small XML reader (elements, attributes, text, the five entities and
 * numeric references; no DTDs) turns that into the JSON Windows exports use:
 *
 *   <System><Provider Name="X"/><EventID>7</EventID></System>
 *       -> "System": {"Provider": {"#attributes": {"Name": "X"}}, "EventID": "7"}
 *   <EventData><Data Name="Image">C:\a.exe</Data></EventData>
 *       -> "EventData": {"Image": "C:\\a.exe"}
 *
 * A record's own bytes are located by walking the file's chunks (a 4096-byte file header,
 * then 64 KiB chunks "ElfChnk\0" whose records start at 512: "**\0\0", size, record id ...),
 * read with pread, never mapped: a log cut while it is read cannot crash the sweep.
 */
#include "logs/evtx.h"

#include <fcntl.h>
#include <jansson.h>
#include <libevtx.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/str.h"

#define FILE_HEADER 4096u
#define CHUNK       65536u
#define CHUNK_HDR   512u
#define MAX_RECORD  (CHUNK - CHUNK_HDR)
#define MAX_XML     (16u << 20)
#define MAX_DEPTH   64

struct place {
    uint64_t id, off;
    uint32_t size;
};

struct ruru_evtx {
    libevtx_file_t *file;
    int fd;
    int n_records;
    struct place *places; /* sorted by id */
    size_t n_places, cap_places;
    char *xml;
    size_t xml_cap;
};

bool ruru_evtx_is(const char *path)
{
    char sig[8];
    int fd;
    ssize_t n;

    if (strcmp(path, "-") == 0 || (fd = open(path, O_RDONLY)) < 0)
        return false;
    n = read(fd, sig, sizeof(sig));
    close(fd);
    return n == (ssize_t)sizeof(sig) && memcmp(sig, "ElfFile\0", 8) == 0;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* The records of one chunk image c[0..len) at file offset base. */
static void scan_chunk(const unsigned char *c,
                       size_t len,
                       uint64_t base,
                       void (*fn)(uint64_t, uint64_t, uint32_t, void *),
                       void *ctx)
{
    size_t end, pos = CHUNK_HDR;

    if (len < CHUNK_HDR || memcmp(c, "ElfChnk\0", 8) != 0)
        return;
    end = le32(c + 48); /* the free space offset: where the records end */
    if (end > len || end < CHUNK_HDR)
        end = len;
    while (pos + 24 <= end) {
        uint32_t size = le32(c + pos + 4);
        if (memcmp(c + pos, "**\0\0", 4) != 0 || size < 28 || size > end - pos)
            break;
        fn(le64(c + pos + 8), base + pos, size, ctx);
        pos += size;
    }
}

void ruru_evtx_scan_records(const unsigned char *file,
                            size_t len,
                            void (*fn)(uint64_t id, uint64_t off, uint32_t size, void *ctx),
                            void *ctx)
{
    for (size_t at = FILE_HEADER; at < len; at += CHUNK)
        scan_chunk(file + at, len - at < CHUNK ? len - at : CHUNK, at, fn, ctx);
}

static void add_place(uint64_t id, uint64_t off, uint32_t size, void *ctx)
{
    struct ruru_evtx *x = ctx;

    if (x->n_places == x->cap_places) {
        size_t cap = x->cap_places ? 2 * x->cap_places : 256;
        struct place *p = ruru_realloc(x->places, cap * sizeof(*p));
        if (p == NULL)
            return; /* the evidence of the rest is cited without offsets */
        x->places = p;
        x->cap_places = cap;
    }
    x->places[x->n_places].id = id;
    x->places[x->n_places].off = off;
    x->places[x->n_places].size = size;
    x->n_places++;
}

static int cmp_place(const void *a, const void *b)
{
    const struct place *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static enum ruru_err evtx_fail(struct ruru_diag *d,
                               enum ruru_err err,
                               const char *path,
                               libevtx_error_t **e,
                               const char *what)
{
    char msg[200];

    msg[0] = '\0';
    if (e != NULL && *e != NULL) {
        libevtx_error_sprint(*e, msg, sizeof(msg));
        libevtx_error_free(e);
    }
    /* libevtx's messages run over several lines: the first says it */
    msg[strcspn(msg, "\n")] = '\0';
    return ruru_diag_set(d, err, path, 0, 0, "%s%s%s", what, msg[0] ? ": " : "", msg);
}

enum ruru_err ruru_evtx_open(const char *path, struct ruru_evtx **out, struct ruru_diag *diag)
{
    struct ruru_evtx *x = ruru_calloc(1, sizeof(*x));
    libevtx_error_t *e = NULL;
    unsigned char *chunk = NULL;
    struct stat st;

    if (x == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, path, 0, 0, "out of memory");
    x->fd = open(path, O_RDONLY);
    if (x->fd < 0) {
        ruru_free(x);
        return ruru_diag_set(diag, RURU_EIO, path, 0, 0, "cannot open the event log");
    }
    if (libevtx_file_initialize(&x->file, &e) != 1 ||
        libevtx_file_open(x->file, path, LIBEVTX_OPEN_READ, &e) != 1 ||
        libevtx_file_get_number_of_records(x->file, &x->n_records, &e) != 1) {
        enum ruru_err err = evtx_fail(diag, RURU_EPARSE, path, &e, "not a readable event log");
        ruru_evtx_close(x);
        return err;
    }
    if (fstat(x->fd, &st) == 0 && (chunk = ruru_malloc(CHUNK)) != NULL) {
        for (uint64_t at = FILE_HEADER; at < (uint64_t)st.st_size; at += CHUNK) {
            ssize_t n = pread(x->fd, chunk, CHUNK, (off_t)at);
            if (n <= 0)
                break;
            scan_chunk(chunk, (size_t)n, at, add_place, x);
        }
        qsort(x->places, x->n_places, sizeof(*x->places), cmp_place);
    }
    ruru_free(chunk);
    *out = x;
    return RURU_OK;
}

void ruru_evtx_close(struct ruru_evtx *x)
{
    libevtx_error_t *e = NULL;

    if (x == NULL)
        return;
    if (x->file != NULL) {
        libevtx_file_close(x->file, &e);
        libevtx_error_free(&e);
        libevtx_file_free(&x->file, &e);
        libevtx_error_free(&e);
    }
    if (x->fd >= 0)
        close(x->fd);
    ruru_free(x->places);
    ruru_free(x->xml);
    ruru_free(x);
}

size_t ruru_evtx_count(const struct ruru_evtx *x)
{
    return x->n_records > 0 ? (size_t)x->n_records : 0;
}

/* Where record `id` is, and the hash of its bytes. */
static void locate(struct ruru_evtx *x,
                   uint64_t id,
                   uint64_t *offset,
                   uint32_t *length,
                   unsigned char sha256[32])
{
    size_t lo = 0, hi = x->n_places;
    unsigned char *buf;

    *offset = 0;
    *length = 0;
    memset(sha256, 0, 32);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (x->places[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == x->n_places || x->places[lo].id != id)
        return;
    if ((buf = ruru_malloc(x->places[lo].size)) == NULL)
        return;
    if (pread(x->fd, buf, x->places[lo].size, (off_t)x->places[lo].off) ==
        (ssize_t)x->places[lo].size) {
        struct sha256_ctx c;
        sha256_init(&c);
        sha256_update(&c, x->places[lo].size, buf);
        sha256_digest(&c, 32, sha256);
        *offset = x->places[lo].off;
        *length = x->places[lo].size;
    }
    ruru_free(buf);
}

enum ruru_err ruru_evtx_record(struct ruru_evtx *x,
                               size_t i,
                               struct ruru_buf *json,
                               uint64_t *offset,
                               uint32_t *length,
                               unsigned char sha256[32],
                               struct ruru_diag *diag)
{
    libevtx_record_t *r = NULL;
    libevtx_error_t *e = NULL;
    uint64_t id = 0;
    size_t size = 0;
    enum ruru_err err = RURU_OK;

    *offset = 0;
    *length = 0;
    memset(sha256, 0, 32);
    if (libevtx_file_get_record_by_index(x->file, (int)i, &r, &e) != 1 ||
        libevtx_record_get_identifier(r, &id, &e) != 1 ||
        libevtx_record_get_utf8_xml_string_size(r, &size, &e) != 1) {
        err = evtx_fail(diag, RURU_EPARSE, NULL, &e, "a record libevtx cannot read");
        goto out;
    }
    locate(x, id, offset, length, sha256);
    if (size == 0 || size > MAX_XML) {
        err = ruru_diag_set(diag, RURU_EPARSE, NULL, 0, 0, "a record of %zu bytes of XML", size);
        goto out;
    }
    if (size > x->xml_cap) {
        char *p = ruru_realloc(x->xml, size);
        if (p == NULL) {
            err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
        x->xml = p;
        x->xml_cap = size;
    }
    if (libevtx_record_get_utf8_xml_string(r, (uint8_t *)x->xml, size, &e) != 1) {
        err = evtx_fail(diag, RURU_EPARSE, NULL, &e, "a record libevtx cannot render");
        goto out;
    }
    if (!ruru_evtx_xml_to_json(x->xml, strnlen(x->xml, size), json))
        err = ruru_diag_set(diag, RURU_EPARSE, NULL, 0, 0, "a record whose XML is not well formed");
out:
    if (r != NULL)
        libevtx_record_free(&r, &e);
    libevtx_error_free(&e);
    return err;
}

/* ---- XML to JSON ---------------------------------------------------------------------- */

struct xml {
    const char *p, *end;
    int depth;
};

/* Appends the text s[0..n) with entities decoded to b. */
static bool text_of(const char *s, size_t n, struct ruru_buf *b)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\0')
            return false; /* no XML holds a NUL */
        if (s[i] != '&') {
            ruru_buf_addc(b, s[i]);
            continue;
        }
        {
            const char *semi = memchr(s + i, ';', n - i);
            size_t k;
            if (semi == NULL || (k = (size_t)(semi - s - i)) > 12)
                return false;
            if (k == 3 && memcmp(s + i, "&lt", 3) == 0)
                ruru_buf_addc(b, '<');
            else if (k == 3 && memcmp(s + i, "&gt", 3) == 0)
                ruru_buf_addc(b, '>');
            else if (k == 4 && memcmp(s + i, "&amp", 4) == 0)
                ruru_buf_addc(b, '&');
            else if (k == 5 && memcmp(s + i, "&quot", 5) == 0)
                ruru_buf_addc(b, '"');
            else if (k == 5 && memcmp(s + i, "&apos", 5) == 0)
                ruru_buf_addc(b, '\'');
            else if (k >= 3 && s[i + 1] == '#') {
                uint32_t cp = 0;
                bool hex = s[i + 2] == 'x' || s[i + 2] == 'X';
                for (size_t j = i + 2 + hex; j < i + k; j++) {
                    int v = hex ? ruru_hexval(s[j]) : (ruru_is_digit(s[j]) ? s[j] - '0' : -1);
                    if (v < 0)
                        return false;
                    cp = cp * (hex ? 16 : 10) + (uint32_t)v;
                    if (cp > 0x10ffff)
                        return false;
                }
                if (cp == 0 || (cp >= 0xd800 && cp < 0xe000))
                    cp = 0xfffd;
                if (cp < 0x80) {
                    ruru_buf_addc(b, (char)cp);
                } else if (cp < 0x800) {
                    ruru_buf_addc(b, (char)(0xc0 | cp >> 6));
                    ruru_buf_addc(b, (char)(0x80 | (cp & 0x3f)));
                } else if (cp < 0x10000) {
                    ruru_buf_addc(b, (char)(0xe0 | cp >> 12));
                    ruru_buf_addc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
                    ruru_buf_addc(b, (char)(0x80 | (cp & 0x3f)));
                } else {
                    ruru_buf_addc(b, (char)(0xf0 | cp >> 18));
                    ruru_buf_addc(b, (char)(0x80 | (cp >> 12 & 0x3f)));
                    ruru_buf_addc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
                    ruru_buf_addc(b, (char)(0x80 | (cp & 0x3f)));
                }
            } else {
                return false;
            }
            i += k;
        }
    }
    return !b->failed;
}

static json_t *str_of(const char *s, size_t n)
{
    struct ruru_buf b;
    json_t *v = NULL;

    ruru_buf_init(&b, MAX_XML);
    if (n == 0 || text_of(s, n, &b))
        v = json_stringn(b.ptr ? b.ptr : "", b.len);
    ruru_buf_fini(&b);
    return v; /* NULL for bad entities or invalid UTF-8 */
}

static void skip_ws(struct xml *x)
{
    while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' || *x->p == '\r' || *x->p == '\n'))
        x->p++;
}

static bool name_char(char c)
{
    return ruru_is_alpha(c) || ruru_is_digit(c) || c == '_' || c == '-' || c == '.' || c == ':' ||
           (unsigned char)c >= 0x80;
}

/* Skips <?...?> and <!--...--> at x->p; false when there is none. */
static bool skip_misc(struct xml *x)
{
    const char *e;

    if (x->end - x->p >= 2 && x->p[0] == '<' && x->p[1] == '?') {
        e = ruru_memmem(x->p, (size_t)(x->end - x->p), "?>", 2);
        x->p = e ? e + 2 : x->end;
        return e != NULL;
    }
    if (x->end - x->p >= 4 && memcmp(x->p, "<!--", 4) == 0) {
        e = ruru_memmem(x->p + 4, (size_t)(x->end - x->p - 4), "-->", 3);
        x->p = e ? e + 3 : x->end;
        return e != NULL;
    }
    return false;
}

/* Sets key in o: a second value under one name makes an array. */
static void put_child(json_t *o, const char *key, json_t *v)
{
    json_t *old = json_object_get(o, key);

    if (old == NULL) {
        json_object_set_new(o, key, v);
    } else if (json_is_array(old)) {
        json_array_append_new(old, v);
    } else {
        json_t *a = json_array();
        json_array_append(a, old);
        json_array_append_new(a, v);
        json_object_set_new(o, key, a);
    }
}

/* One element at x->p ('<' of its start tag). OUT: *name (a JSON string for the name),
 * *value. `data`: inside EventData or UserData, where <Data Name="X"> is X. */
static bool element(struct xml *x, json_t **name, json_t **value, bool data)
{
    const char *n0;
    json_t *attrs = json_object(), *kids = NULL, *text = NULL;
    struct ruru_buf tb;
    bool ok = false, empty = false, has_text = false, in_data;
    json_t *data_name = NULL;

    ruru_buf_init(&tb, MAX_XML);
    if (++x->depth > MAX_DEPTH || x->p >= x->end || *x->p != '<')
        goto out;
    n0 = ++x->p;
    while (x->p < x->end && name_char(*x->p))
        x->p++;
    if (x->p == n0)
        goto out;
    *name = json_stringn(n0, (size_t)(x->p - n0));
    if (*name == NULL)
        goto out;
    in_data = (json_string_length(*name) == 9 && memcmp(n0, "EventData", 9) == 0) ||
              (json_string_length(*name) == 8 && memcmp(n0, "UserData", 8) == 0);
    for (;;) {
        const char *a0, *a1, *v0;
        char q;
        json_t *v;
        skip_ws(x);
        if (x->p >= x->end)
            goto out;
        if (*x->p == '/') {
            if (x->p + 1 >= x->end || x->p[1] != '>')
                goto out;
            x->p += 2;
            empty = true;
            break;
        }
        if (*x->p == '>') {
            x->p++;
            break;
        }
        a0 = x->p;
        while (x->p < x->end && name_char(*x->p))
            x->p++;
        a1 = x->p;
        skip_ws(x);
        if (a1 == a0 || x->p >= x->end || *x->p != '=')
            goto out;
        x->p++;
        skip_ws(x);
        if (x->p >= x->end || (*x->p != '"' && *x->p != '\''))
            goto out;
        q = *x->p++;
        v0 = x->p;
        while (x->p < x->end && *x->p != q)
            x->p++;
        if (x->p >= x->end || (v = str_of(v0, (size_t)(x->p - v0))) == NULL)
            goto out;
        x->p++;
        {
            char key[128];
            size_t kl = (size_t)(a1 - a0);
            if (kl >= sizeof(key)) {
                json_decref(v);
                goto out;
            }
            memcpy(key, a0, kl);
            key[kl] = '\0';
            if (strcmp(key, "xmlns") == 0) {
                json_decref(v);
                continue; /* the namespace is the same for every event */
            }
            if (data && strcmp(key, "Name") == 0 && data_name == NULL)
                data_name = json_incref(v);
            json_object_set_new(attrs, key, v);
        }
    }
    while (!empty) {
        const char *t0 = x->p;
        while (x->p < x->end && *x->p != '<')
            x->p++;
        if (x->p > t0) {
            if (!text_of(t0, (size_t)(x->p - t0), &tb))
                goto out;
        }
        if (x->p >= x->end)
            goto out;
        if (skip_misc(x))
            continue;
        if (x->end - x->p >= 9 && memcmp(x->p, "<![CDATA[", 9) == 0) {
            const char *e = ruru_memmem(x->p + 9, (size_t)(x->end - x->p - 9), "]]>", 3);
            if (e == NULL || memchr(x->p + 9, '\0', (size_t)(e - x->p - 9)) != NULL)
                goto out;
            ruru_buf_add(&tb, x->p + 9, (size_t)(e - x->p - 9));
            x->p = e + 3;
            continue;
        }
        if (x->end - x->p >= 2 && x->p[1] == '/') {
            const char *c0 = x->p + 2, *c1 = c0;
            while (c1 < x->end && name_char(*c1))
                c1++;
            if ((size_t)(c1 - c0) != json_string_length(*name) ||
                memcmp(c0, json_string_value(*name), (size_t)(c1 - c0)) != 0)
                goto out;
            x->p = c1;
            skip_ws(x);
            if (x->p >= x->end || *x->p != '>')
                goto out;
            x->p++;
            break;
        }
        {
            json_t *cn = NULL, *cv = NULL;
            if (!element(x, &cn, &cv, in_data)) {
                json_decref(cn);
                json_decref(cv);
                goto out;
            }
            if (kids == NULL)
                kids = json_object();
            put_child(kids, json_string_value(cn), cv);
            json_decref(cn);
        }
    }
    /* the text, unless it is only the white space between child elements */
    for (size_t i = 0; i < tb.len; i++)
        if (!ruru_is_space(tb.ptr[i]))
            has_text = true;
    if (has_text || (kids == NULL && tb.len > 0))
        if ((text = json_stringn(tb.ptr, tb.len)) == NULL)
            goto out;
    if (data_name != NULL && json_string_length(data_name) > 0 && kids == NULL) {
        /* <Data Name="Image">C:\a.exe</Data>: the field Image */
        json_decref(*name);
        *name = json_incref(data_name);
        *value = text != NULL ? json_incref(text) : json_string("");
    } else if (kids == NULL && json_object_size(attrs) == 0) {
        *value = text != NULL ? json_incref(text) : json_string("");
    } else {
        json_t *o = kids != NULL ? json_incref(kids) : json_object();
        if (json_object_size(attrs) > 0)
            json_object_set(o, "#attributes", attrs);
        if (text != NULL)
            json_object_set(o, "#text", text);
        *value = o;
    }
    ok = *value != NULL;
out:
    x->depth--;
    json_decref(attrs);
    json_decref(kids);
    json_decref(text);
    json_decref(data_name);
    ruru_buf_fini(&tb);
    return ok;
}

bool ruru_evtx_xml_to_json(const char *xml, size_t len, struct ruru_buf *out)
{
    struct xml x = {xml, xml + len, 0};
    json_t *name = NULL, *value = NULL, *doc;
    char *s;
    bool ok = false;

    for (;;) {
        skip_ws(&x);
        if (!skip_misc(&x))
            break;
    }
    if (element(&x, &name, &value, false)) {
        skip_ws(&x);
        if (x.p == x.end) {
            doc = json_object();
            json_object_set(doc, json_string_value(name), value);
            s = json_dumps(doc, JSON_COMPACT);
            json_decref(doc);
            if (s != NULL) {
                ok = ruru_buf_adds(out, s) == RURU_OK;
                free(s);
            }
        }
    }
    json_decref(name);
    json_decref(value);
    return ok;
}
