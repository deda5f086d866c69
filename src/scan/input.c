/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading the sweep's inputs (scan_int.h). Each input is opened once, as one stream: what it
 * is (gzip or zstd, a Windows event log, its log format, what ends its lines) is told from the
 * first block read, so a FIFO or a pipe is read whole, from its first byte. The reader cuts
 * the stream into chunks of whole lines (of whole elements for a JSON document), follows the
 * directives of stateful formats, and submits the chunks in order. A line longer than the
 * longest allowed goes in pieces, the chunk after a cut marked as continuing that line, so a
 * line is counted, and its number cited, once. A format is known here only by its entry in
 * the table of formats (logs/formats.h): its state, how to copy it, its parser.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/str.h"
#include "io/stream.h"
#include "logs/detect.h"
#include "logs/evtx.h"
#include "logs/formats.h"
#include "scan/engine.h"
#include "scan/scan_int.h"

#define DETECT_BYTES (64u << 10) /* of a CR-only input, shown to the format detector */

/* ---- formats ------------------------------------------------------------------------------- */

void ruru_scan_fmt_free(struct fmt *f)
{
    if (f == NULL)
        return;
    if (f->def->fini != NULL)
        f->def->fini(f->state);
    ruru_free(f);
}

/* A parser of format def without its state set up, or NULL. */
static struct fmt *fmt_alloc(const struct ruru_logfmt *def)
{
    struct fmt *f = ruru_malloc(sizeof(*f) + def->state_size);

    if (f != NULL)
        f->def = def;
    return f;
}

/* A parser of format def for an input, or NULL. */
static struct fmt *fmt_new(const struct ruru_logfmt *def, const struct ruru_logfmt_opts *opts)
{
    struct fmt *f = fmt_alloc(def);

    if (f != NULL && def->init != NULL && !def->init(f->state, opts)) {
        ruru_free(f);
        return NULL;
    }
    return f;
}

/* A parser for a chunk of an input of a format without header state: a spare one of that
 * format when the sweep has one (set up anew), else a new one. */
static struct fmt *
fmt_get(struct sweep *s, const struct ruru_logfmt *def, const struct ruru_logfmt_opts *opts)
{
    for (size_t i = s->n_spare_fmt; i > 0; i--) {
        struct fmt *f = s->spare_fmt[i - 1];
        if (f->def != def)
            continue;
        s->spare_fmt[i - 1] = s->spare_fmt[--s->n_spare_fmt];
        if (def->fini != NULL)
            def->fini(f->state);
        if (def->init != NULL && !def->init(f->state, opts)) {
            ruru_free(f);
            return NULL;
        }
        return f;
    }
    return fmt_new(def, opts);
}

void ruru_scan_fmt_put(struct sweep *s, struct fmt *f)
{
    if (f != NULL && !f->def->stateful && s->n_spare_fmt < SPARE_BUFFERS)
        s->spare_fmt[s->n_spare_fmt++] = f;
    else
        ruru_scan_fmt_free(f);
}

/* A copy of the reader's parser for one chunk, or NULL. */
static struct fmt *fmt_copy(const struct fmt *src)
{
    struct fmt *f = fmt_alloc(src->def);

    if (f != NULL && !src->def->copy(f->state, src->state)) {
        ruru_free(f);
        return NULL;
    }
    return f;
}

/* ---- reading ------------------------------------------------------------------------------- */

/* Feeds the directive lines of data[0..len) to the reader's parser state. */
static void
follow_directives(struct fmt *f, const char *data, size_t len, char eol, struct ruru_record *r)
{
    const char *p = data, *end = data + len;

    /* A format that takes its header from the first row (a CSV log without "#Fields:") is fed
     * lines until it has one. */
    while (f->def->header_pending != NULL && f->def->header_pending(f->state) && p < end) {
        const char *nl = memchr(p, eol, (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), k = n;
        while (k > 0 && p[k - 1] == '\r')
            k--;
        if (k > 0)
            ruru_scan_fmt_parse(f, p, k, r);
        p += n + 1;
    }

    while (p < end && (p = memchr(p, '#', (size_t)(end - p))) != NULL) {
        if (p == data || p[-1] == eol) {
            const char *nl = memchr(p, eol, (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
            while (n > 0 && p[n - 1] == '\r')
                n--;
            ruru_scan_fmt_parse(f, p, n, r);
            p += n;
        }
        p++;
    }
}

/* What ends the lines of an input, from its first block: '\r' when the first line ends
 * with a CR that no LF follows (old Mac files, some appliances), else '\n'. */
static char line_end(const char *buf, size_t len)
{
    /* memchr, not a byte loop: a one-line message has no line end, and is looked at whole */
    const char *nl = memchr(buf, '\n', len);
    const char *cr = memchr(buf, '\r', nl != NULL ? (size_t)(nl - buf) : len);
    size_t i;

    if (cr == NULL)
        return '\n';
    i = (size_t)(cr - buf);
    return i + 1 < len && buf[i + 1] != '\n' ? '\r' : '\n';
}

/* The format of an input from its first block; CR-only lines are shown to the detector as
 * LF lines (a copy of the start of the block). */
static enum ruru_log_kind detect(const char *buf, size_t len, char eol)
{
    enum ruru_log_kind k;
    char *copy;

    if (eol == '\n')
        return ruru_log_detect(buf, len);
    len = len < DETECT_BYTES ? len : DETECT_BYTES;
    if ((copy = ruru_malloc(len ? len : 1)) == NULL)
        return ruru_log_detect(buf, len);
    for (size_t i = 0; i < len; i++)
        copy[i] = buf[i] == '\r' ? '\n' : buf[i];
    k = ruru_log_detect(copy, len);
    ruru_free(copy);
    return k;
}

static void progress(struct sweep *s, const char *path)
{
    struct timespec now;

    if (s->opts->on_progress == NULL)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((now.tv_sec - s->last_progress.tv_sec) * 1000 +
                (now.tv_nsec - s->last_progress.tv_nsec) / 1000000 <
        200)
        return;
    s->last_progress = now;
    s->opts->on_progress(s->opts->ctx, s->bytes_read, path);
}

/* The year of an input's syslog lines without one: the year forced (--year), else the latest
 * that puts no line after the file's modification time (standard input, memory: now). */
static struct ruru_syslog_year input_year(const struct sweep *s, const struct input *in)
{
    struct ruru_syslog_year y = {s->opts->syslog_year, (int64_t)time(NULL)};
    const char *path = in->path;
    struct stat st;

    /* a memory input has no modification time: as standard input, now */
    if (!in->mem && strcmp(path, "-") != 0 && stat(path, &st) == 0)
        y.not_after = (int64_t)st.st_mtime;
    return y;
}

/* ---- JSON documents ------------------------------------------------------------------------ */

/* Finds the top-level elements of a JSON document as the reader goes: the values inside an
 * outer array ("[{...}, {...}]"), or objects one after another ("{...}\n{...}"). It follows
 * strings and escapes, so braces inside strings do not count. */
struct jscan {
    bool started, array, in_str, esc;
    int depth;
    uint64_t line; /* at `pos`, 1-based, from the start of the input */
    size_t pos;    /* next byte of the buffer to look at */
    size_t elem;   /* start of the element in progress, or SIZE_MAX */
    uint64_t elem_line;
    char eol;           /* what ends a line */
    struct span *spans; /* complete elements in the buffer */
    size_t n, cap;
    bool failed;
};

static void jscan_push(struct jscan *j, size_t off, size_t len, uint64_t line)
{
    if (j->n == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 256;
        struct span *v = ruru_realloc(j->spans, cap * sizeof(*v));
        if (v == NULL) {
            j->failed = true;
            return;
        }
        j->spans = v;
        j->cap = cap;
    }
    memset(&j->spans[j->n], 0, sizeof(j->spans[j->n]));
    j->spans[j->n].off = off;
    j->spans[j->n].len = len;
    j->spans[j->n].line = line;
    j->n++;
}

static void jscan_run(struct jscan *j, const char *buf, size_t len)
{
    for (; j->pos < len; j->pos++) {
        char c = buf[j->pos];
        int base;
        if (c == j->eol)
            j->line++;
        if (j->in_str) {
            if (j->esc)
                j->esc = false;
            else if (c == '\\')
                j->esc = true;
            else if (c == '"')
                j->in_str = false;
            continue;
        }
        if (!j->started && !ruru_is_space(c)) {
            j->started = true;
            j->array = c == '[';
        }
        base = j->array ? 1 : 0;
        if (c == '"') {
            j->in_str = true;
        } else if (c == '{' || c == '[') {
            if (j->depth == base && j->elem == SIZE_MAX) {
                j->elem = j->pos;
                j->elem_line = j->line;
            }
            if (j->depth < 1000000)
                j->depth++;
        } else if (c == '}' || c == ']') {
            if (j->depth > 0)
                j->depth--;
            if (j->depth == base && j->elem != SIZE_MAX) {
                jscan_push(j, j->elem, j->pos + 1 - j->elem, j->elem_line);
                j->elem = SIZE_MAX;
            }
        }
    }
}

/* A Windows event log file: each record rendered as a JSON line (logs/evtx.h), matched as
 * Windows events exported to JSON are, its evidence its own bytes in the file. */
static void sweep_evtx(struct sweep *s, size_t idx)
{
    struct input *in = &s->inputs[idx];
    struct ruru_evtx *x = NULL;
    struct ruru_diag d;
    enum ruru_err err;
    struct ruru_buf json;
    size_t n, i = 0;
    struct stat st;

    in->started = true;
    in->kind = RURU_KIND_EVTX;
    if (!ruru_scan_input_rules(s, in))
        return;
    if ((err = ruru_evtx_open(in->path, &x, &d)) != RURU_OK) {
        d.source = in->path;
        ruru_scan_input_error(s, in, err, &d);
        return;
    }
    if (stat(in->path, &st) == 0) {
        in->bytes = (uint64_t)st.st_size;
        s->bytes_read += (uint64_t)st.st_size;
    }
    n = ruru_evtx_count(x);
    ruru_buf_init(&json, 16u << 20);
    while (i < n && !s->stopped) {
        struct chunk *c = ruru_calloc(1, sizeof(*c));
        size_t cap_spans = 4096;
        if (c == NULL || (c->data = ruru_scan_buf_get(s, EVTX_CHUNK_BYTES)) == NULL ||
            (c->spans = ruru_malloc(cap_spans * sizeof(*c->spans))) == NULL) {
            if (c != NULL)
                ruru_scan_chunk_release(s, c);
            ruru_diag_set(&d, RURU_ENOMEM, in->path, 0, 0, "out of memory");
            ruru_scan_input_error(s, in, RURU_ENOMEM, &d);
            break;
        }
        c->cap = EVTX_CHUNK_BYTES;
        c->input = idx;
        c->rin = in->rin;
        ruru_vec_init(&c->hits, sizeof(struct chunk_hit), SIZE_MAX / sizeof(struct chunk_hit));
        ruru_arena_init(&c->arena, 64 * 1024, SIZE_MAX);
        c->fmt = fmt_new(ruru_logfmt_get(RURU_KIND_EVTX), &(struct ruru_logfmt_opts){{0, 0}});
        if (c->fmt == NULL)
            c->failed = true;
        while (i < n && c->n_spans < cap_spans) {
            struct span *sp = &c->spans[c->n_spans];
            struct ruru_diag rd;
            ruru_buf_reset(&json);
            memset(sp, 0, sizeof(*sp));
            err = ruru_evtx_record(x, i, &json, &sp->src_off, &sp->src_len, sp->src_sha, &rd);
            if (err == RURU_ENOMEM) {
                c->failed = true;
                json.len = 0;
            } else if (err != RURU_OK) {
                json.len = 0; /* an empty record: counted unparsed, named by its number */
            }
            if (c->len + json.len + 1 > c->cap) {
                if (c->n_spans > 0)
                    break;
                json.len = c->cap - 1; /* one record bigger than a chunk: cut, still cited */
            }
            sp->has_src = sp->src_len > 0;
            sp->off = c->len;
            sp->len = json.len;
            sp->line = i + 1;
            if (json.len > 0)
                memcpy(c->data + c->len, json.ptr, json.len);
            c->len += json.len;
            c->data[c->len++] = '\n';
            c->n_spans++;
            i++;
        }
        c->lines = c->n_spans;
        ruru_scan_submit(s, c);
        progress(s, in->path);
    }
    ruru_buf_fini(&json);
    ruru_evtx_close(x);
}

void ruru_scan_input_sweep(struct sweep *s, size_t idx, struct ruru_record *r)
{
    struct input *in = &s->inputs[idx];
    struct ruru_stream *st = NULL;
    struct ruru_diag d;
    enum ruru_err err;
    const struct ruru_logfmt *def = NULL; /* the input's format, once known */
    struct ruru_logfmt_opts fo = {{0, 0}};
    struct fmt *master = NULL; /* the reader's parser, following a stateful format's headers */
    char *buf = NULL;
    size_t cap = CHUNK_BYTES, len = 0;
    uint64_t offset = 0;
    bool eof = false, detected = false, midline = false, borrowed = false;
    struct jscan js;

    memset(&js, 0, sizeof(js));
    js.line = 1;
    js.elem = SIZE_MAX;
    in->started = true;
    in->eol = '\n';
    ruru_diag_clear(&d);
    if ((st = in->ahead) != NULL) {
        in->ahead = NULL;
        err = RURU_OK;
    } else {
        err = in->mem ? ruru_stream_open_mem(in->path, in->data, in->data_len, &st, &d)
                      : ruru_stream_open(in->path, &st, &d);
    }
    if (err != RURU_OK) {
        ruru_scan_input_error(s, in, err, &d);
        return;
    }
    in->comp = ruru_stream_compression(st);
    if (!in->forced && s->opts->log_format != NULL) {
        in->kind = ruru_log_kind_parse(s->opts->log_format);
        in->forced = true;
    }
    if (in->mem && in->comp == RURU_COMP_NONE && in->data_len <= cap) {
        /* A plain memory input that fits in a chunk (a Kafka message) is its own chunk: its
         * bytes are matched where they are, not copied into a chunk buffer. The chunk only
         * reads them (borrowed: never written, never given back as a buffer). */
        buf = (char *)(uintptr_t)in->data;
        len = in->data_len;
        borrowed = true;
        eof = true;
        in->bytes += len;
        s->bytes_read += len;
    }
    while (!s->stopped && (!eof || len > 0)) {
        size_t got = 0, cut;
        struct chunk *c;
        if (buf == NULL && (buf = ruru_scan_buf_get(s, cap)) == NULL) {
            ruru_diag_set(&d, RURU_ENOMEM, in->path, 0, 0, "out of memory");
            ruru_scan_input_error(s, in, RURU_ENOMEM, &d);
            break;
        }
        /* Fill the buffer, or read to the end. */
        while (!eof && len < cap) {
            err = ruru_stream_read(st, buf + len, cap - len, &got, &d);
            if (err != RURU_OK) {
                /* What was read is still swept; the error is reported for this input. */
                d.line = 0;
                d.col = 0; /* a byte count of the compressed input, not a column */
                ruru_scan_input_error(s, in, err, &d);
                eof = true;
                break;
            }
            if (got == 0)
                eof = true;
            len += got;
            in->bytes += got;
            s->bytes_read += got;
        }
        if (!detected) {
            /* The input is opened once (a FIFO or a pipe can be read only once): what it is
             * comes from its first block. An event log needs its file (libevtx seeks). */
            if (in->comp == RURU_COMP_NONE && len >= 8 && memcmp(buf, "ElfFile\0", 8) == 0) {
                bool is_file = ruru_stream_size(st) > 0;
                in->bytes -= len;
                s->bytes_read -= len;
                if (!borrowed)
                    ruru_scan_buf_put(s, buf, cap);
                ruru_stream_close(st);
                if (is_file) {
                    sweep_evtx(s, idx);
                } else {
                    ruru_diag_set(&d, RURU_EUNSUPPORTED, in->path, 0, 0,
                                  "a Windows event log (.evtx) is read from a file, not a pipe");
                    ruru_scan_input_error(s, in, RURU_EUNSUPPORTED, &d);
                }
                return;
            }
            in->eol = line_end(buf, len);
            js.eol = in->eol;
            if (!in->forced)
                in->kind = detect(buf, len, in->eol);
            /* The reader's own parser state follows the headers of a stateful format; the
             * others need no parser here. */
            def = ruru_logfmt_get(in->kind);
            fo.year = input_year(s, in);
            if (def->stateful && (master = fmt_new(def, &fo)) == NULL) {
                ruru_diag_set(&d, RURU_ENOMEM, in->path, 0, 0, "out of memory");
                ruru_scan_input_error(s, in, RURU_ENOMEM, &d);
                break;
            }
            if (!ruru_scan_input_rules(s, in))
                break;
            detected = true;
        }
        if (len == 0)
            break;
        if (def->kind == RURU_KIND_JSON_DOC) {
            /* Cut after the last complete element; at the end, take everything, an unfinished
             * element being one more (unparsable) record. */
            jscan_run(&js, buf, len);
            if (js.n == 0 && !eof && js.elem != SIZE_MAX && cap < s->max_line) {
                size_t ncap = cap * 2 > s->max_line ? (size_t)s->max_line : cap * 2;
                char *nb = ruru_realloc(buf, ncap);
                if (nb != NULL) {
                    buf = nb;
                    cap = ncap;
                    continue;
                }
            }
            if (eof && js.elem != SIZE_MAX) {
                jscan_push(&js, js.elem, len - js.elem, js.elem_line);
                js.elem = SIZE_MAX;
            }
            if (eof || js.n == 0)
                cut = len; /* the end, or an element too long: what is there goes as is */
            else
                cut = js.spans[js.n - 1].off + js.spans[js.n - 1].len;
        } else {
            /* Cut after the last complete line; at the end, take everything. */
            cut = len;
            if (!eof) {
                const char *nl = NULL;
                for (size_t i = len; i > 0; i--)
                    if (buf[i - 1] == in->eol) {
                        nl = buf + i - 1;
                        break;
                    }
                if (nl == NULL) {
                    /* One line longer than the buffer: grow, up to the longest line allowed. */
                    if (cap < s->max_line) {
                        size_t ncap = cap * 2 > s->max_line ? (size_t)s->max_line : cap * 2;
                        char *nb = ruru_realloc(buf, ncap);
                        if (nb != NULL) {
                            buf = nb;
                            cap = ncap;
                            continue;
                        }
                    }
                    /* Too long (or no memory): match it in pieces of a buffer each. */
                    cut = len;
                } else {
                    cut = (size_t)(nl - buf) + 1;
                }
            }
        }
        if ((c = ruru_calloc(1, sizeof(*c))) == NULL) {
            ruru_diag_set(&d, RURU_ENOMEM, in->path, 0, 0, "out of memory");
            ruru_scan_input_error(s, in, RURU_ENOMEM, &d);
            break;
        }
        c->input = idx;
        c->rin = in->rin;
        c->offset = offset;
        c->eol = in->eol;
        c->continues = midline;
        ruru_vec_init(&c->hits, sizeof(struct chunk_hit), SIZE_MAX / sizeof(struct chunk_hit));
        ruru_arena_init(&c->arena, 64 * 1024, SIZE_MAX);
        c->fmt = def->stateful ? fmt_copy(master) : fmt_get(s, def, &fo);
        if (c->fmt == NULL)
            c->failed = true;
        if (def->stateful)
            follow_directives(master, buf, cut, in->eol, r);
        if (def->kind == RURU_KIND_JSON_DOC) {
            /* The chunk takes the elements that end in it, and counts its lines; the scanner
             * goes on in the rest. */
            size_t keep = 0;
            if (js.elem != SIZE_MAX && js.elem < cut) {
                /* An element longer than a buffer may grow: its part here is one record
                 * (it will not parse, and is matched as text); the rest continues. */
                jscan_push(&js, js.elem, cut - js.elem, js.elem_line);
                js.elem = cut;
                js.elem_line = js.line;
            }
            while (keep < js.n && js.spans[keep].off + js.spans[keep].len <= cut)
                keep++;
            if (keep > 0 && (c->spans = ruru_malloc(keep * sizeof(*c->spans))) != NULL) {
                memcpy(c->spans, js.spans, keep * sizeof(*c->spans));
                c->n_spans = keep;
            } else if (keep > 0 || js.failed) {
                c->failed = true;
            }
            if (js.n > keep)
                memmove(js.spans, js.spans + keep, (js.n - keep) * sizeof(*js.spans));
            js.n -= keep;
            for (size_t k = 0; k < js.n; k++)
                js.spans[k].off -= cut;
            js.pos = js.pos > cut ? js.pos - cut : 0;
            if (js.elem != SIZE_MAX)
                js.elem -= cut;
            c->lines = ruru_count_byte(buf, cut, in->eol) +
                       (eof && cut > 0 && buf[cut - 1] != in->eol);
        }
        /* A line longer than the longest allowed goes in pieces: the next chunk starts inside
         * it, and does not count it again. */
        midline = def->kind != RURU_KIND_JSON_DOC && cut > 0 && buf[cut - 1] != in->eol;
        /* The chunk takes the buffer; the rest of the bytes go to a new one. */
        c->data = buf;
        c->len = cut;
        c->cap = cap;
        c->borrowed = borrowed;
        buf = NULL;
        if (cut < len) {
            char *nb = ruru_scan_buf_get(s, cap);
            if (nb == NULL) {
                c->len = len; /* keep everything in this chunk rather than lose it */
                len = 0;
            } else {
                memcpy(nb, c->data + cut, len - cut);
                len -= cut;
                buf = nb;
            }
        } else {
            len = 0;
        }
        offset += c->len;
        ruru_scan_submit(s, c);
        progress(s, in->path);
        if (cap > CHUNK_BYTES && len < CHUNK_BYTES / 2 && buf != NULL) {
            /* Back to the normal size after a long line. */
            char *nb = ruru_realloc(buf, CHUNK_BYTES);
            if (nb != NULL) {
                buf = nb;
                cap = CHUNK_BYTES;
            }
        }
    }
    if (!s->stopped && in->error[0] == '\0' && in->comp == RURU_COMP_NONE &&
        ruru_stream_size(st) > in->bytes) {
        /* Truncated (log rotation, an intruder) while it was read: what was read is swept,
         * but the evidence of the rest is gone, and the analyst must know. */
        ruru_diag_set(&d, RURU_EIO, in->path, 0, 0,
                      "the file shrank while it was read: %" PRIu64 " of %" PRIu64 " bytes",
                      in->bytes, ruru_stream_size(st));
        ruru_scan_input_error(s, in, RURU_EIO, &d);
    }
    if (!borrowed)
        ruru_scan_buf_put(s, buf, cap);
    ruru_free(js.spans);
    ruru_scan_fmt_free(master);
    ruru_stream_close(st);
}

/* ---- reading ahead ------------------------------------------------------------------------- */

/* With N threads, up to N inputs are decoded at once: the one being read and those after it,
 * each compressed one on a thread of its own, up to a few blocks ahead of its turn, so that a
 * sweep of .gz files decodes beside the matching rather than before it. The chunks are still
 * cut, submitted and reported in input order by the reader. Only regular files are opened
 * early: a FIFO, a pipe or standard input is read at its turn (a FIFO opened early could wait
 * for a writer that waits for us). A file that cannot be opened early is opened again at its
 * turn, which says why. */
void ruru_scan_read_ahead(struct sweep *s, size_t idx)
{
    for (size_t k = idx; s->n_threads > 1 && k < s->n_inputs && k < idx + s->n_threads; k++) {
        struct input *in = &s->inputs[k];
        struct ruru_diag d;
        struct stat sb;
        if (in->ahead_tried || in->mem || in->started || in->error[0] != '\0')
            continue;
        in->ahead_tried = true;
        if (strcmp(in->path, "-") == 0 || stat(in->path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
            ruru_stream_open(in->path, &in->ahead, &d) != RURU_OK)
            continue;
        ruru_stream_decode_ahead(in->ahead);
    }
}

void ruru_scan_read_ahead_end(struct sweep *s)
{
    for (size_t k = 0; k < s->n_inputs; k++) {
        ruru_stream_close(s->inputs[k].ahead); /* its decoding thread stops first */
        s->inputs[k].ahead = NULL;
    }
}

const char *ruru_engine_detect(const char *buf, size_t len)
{
    char eol = line_end(buf, len);

    return ruru_log_kind_name(detect(buf, len, eol));
}
