/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A member of a Kafka consumer group (ruru_kafka_run in ruru.h; docs/stream.md).
 *
 * The worker reads its consumer's queue into a batch (up to opts->batch messages, or what came
 * within opts->batch_ms of the batch's first message), sweeps the batch with one engine kept
 * loaded (each message an input named kafka:TOPIC/PARTITION/OFFSET), records the sightings
 * into the register and sends them to the sightings topic. The batch is then in the air: the
 * worker reads and sweeps the next one while the brokers acknowledge its sightings, and
 * commits its offsets (each partition's last + 1) only once every delivery report has come
 * and all went well, before the next batch's (asynchronously, at most every COMMIT_MS for
 * the batches landed since). When a sweep, the recording or a delivery
 * fails, nothing of it is committed: the consumer is sought back to the first offsets of that
 * batch and of everything read after it, and they are read again after a pause (0.5 s,
 * doubling up to 10 s), never skipped. A message's sightings are the same each time it is
 * read (its name, offsets and hashes come from the message alone), and the register keeps a
 * sighting once, so what is read again changes nothing there; the sightings topic may carry
 * it twice.
 *
 * Rebalances (cooperative-sticky): when partitions are revoked, the pending batch is swept,
 * recorded and delivered, and every batch in the air committed (synchronously) before they
 * are given up; if that fails (or the partitions were lost), their messages are dropped
 * uncommitted and the new owner reads them again. Messages of a revoked partition that the
 * consume call returning after the revocation still carries are let go the same way.
 *
 * Recording mode (no log topics): the messages are sightings, as the sweep workers write them;
 * a bad one is said with its topic, partition and offset, counted and skipped.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "io/stream.h"
#include "logs/formats.h"
#include "scan/engine.h"
#include "stream/kafka_defaults.h"
#include "stream/stream_int.h"

#define DEFAULT_BATCH    1000u
#define DEFAULT_BATCH_MS 500u
#define DEFAULT_STATS_MS 2000u
#define COMMIT_MS        100u /* landed batches' offsets are committed at most this often */
#define BACKOFF_MIN_MS   500u
#define BACKOFF_MAX_MS   10000u
#define DETECT_SAMPLE    (64u << 10)
#define STOP_WAIT_S      30.0
/* batches in the air at most: enough to ride out a slow acknowledgement (librdkafka's mock
 * cluster, serving a large fetch, answered produce requests up to 0.3-0.5 s late in the bench;
 * with two in the air, a one-line topic's worker waited for reports on a third to a half of
 * its batches) */
#define AIR_MAX 8u

/* A batch swept, recorded and sent whose offsets wait for its sightings' acknowledgements;
 * the worker reads and sweeps the next batch meanwhile. */
struct flight {
    rd_kafka_topic_partition_list_t *first; /* per partition, the batch's first offset */
    rd_kafka_topic_partition_list_t *next;  /* per partition, its last offset + 1 */
    uint64_t messages, lines, bytes, found; /* counted in st, taken back if it fails */
    uint64_t waiting;                       /* delivery reports to come */
    uint64_t failed;                        /* sweep, recording or deliveries that failed */
};

/* What sweeping a batch needs besides the messages, made once for the largest batch (a batch
 * is swept many times a second: no allocation of its own). */
struct scratch {
    struct ruru_scan_input *in;       /* the sweep's inputs: runs and single messages */
    char (*names)[300];               /* each message's kafka:TOPIC/PARTITION/OFFSET */
    const char **named;               /* the runs' lines' names, run after run */
    const char **formats;             /* each message's format */
    size_t *order;                    /* the messages partition by partition */
    size_t *first_of, *count, *group; /* the counting sort's partitions */
    char *joined;                     /* the runs' lines */
    size_t joined_cap;
};

/* A partition this worker holds, and the format its messages are read as. */
struct part {
    char *topic;
    int32_t partition;
    char *format;      /* detected from its first messages (owned), or NULL */
    int64_t committed; /* its committed offset when assigned, asked for by lag() */
    bool committed_asked;
};

struct worker {
    const struct ruru_kafka_opts *o;
    rd_kafka_t *c, *p;
    struct ruru_engine *engine;
    struct ruru_scan_opts scan; /* o->scan with the worker's callbacks */
    bool recording;             /* recording mode: the messages are sightings */
    /* the batch */
    rd_kafka_message_t **batch;
    size_t n, cap;
    struct scratch x;
    struct timespec started;
    char **found; /* the batch's sightings, JSON texts */
    size_t n_found, cap_found;
    bool found_failed;
    /* batches in the air, oldest first, landed as their reports come (in order); a ring: the
     * delivery reports point into it, so flights never move */
    struct flight fl[AIR_MAX];
    unsigned head, n_air;
    bool revoked; /* partitions were revoked or lost during the last consume call */
    /* the partitions sought back during the last consume call (by a rebalance that landed a
     * failed batch), each with the offset after the last message read before: what the call
     * had gathered beyond it before the seek is stale */
    rd_kafka_topic_partition_list_t *stale;
    /* offsets of landed batches not committed yet (each partition's highest), and when the
     * last commit was sent */
    rd_kafka_topic_partition_list_t *to_commit;
    struct timespec last_commit;
    /* partitions */
    struct part *parts;
    size_t n_parts;
    /* counters */
    struct ruru_kafka_stats st;
    struct timespec t0, last_stats;
    uint64_t last_lines;
    unsigned backoff_ms;
    bool assigned_once;   /* the group has given this member an assignment (maybe empty) */
    double stop_deadline; /* seconds from t0 a stopped member waits for its first one */
};

static double since(const struct timespec *a)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - a->tv_sec) + (double)(now.tv_nsec - a->tv_nsec) / 1e9;
}

static void say(struct worker *w, bool error, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void say(struct worker *w, bool error, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    if (error)
        w->st.errors++;
    if (w->o->on_say == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    w->o->on_say(w->o->ctx, error, line);
}

/* ---- librdkafka's callbacks ------------------------------------------------------------------ */

static void on_kafka_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk;
    say(opaque, true, "kafka: %s: %s", rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

static void on_kafka_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    struct worker *w = rd_kafka_opaque(rk);

    /* warnings and worse (syslog levels); librdkafka's other chatter stays quiet. Called
     * from librdkafka's threads: no counter is touched. */
    if (level <= 4 && w != NULL && w->o->on_say != NULL) {
        char line[1024];
        snprintf(line, sizeof(line), "kafka: %s: %s", fac, buf);
        w->o->on_say(w->o->ctx, false, line);
    }
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct worker *w = opaque;
    struct flight *f = m->_private;

    (void)rk;
    if (f != NULL && f->waiting > 0)
        f->waiting--;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (f != NULL)
            f->failed++;
        say(w, true, "a sighting was not delivered to %s: %s", rd_kafka_topic_name(m->rkt),
            rd_kafka_err2str(m->err));
    } else {
        w->st.produced++;
    }
}

static void on_commit(rd_kafka_t *rk,
                      rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets,
                      void *opaque)
{
    (void)rk;
    (void)offsets;
    /* what was done is done: a batch whose offsets were not committed is read again after a
     * restart or by the next owner, and changes nothing then */
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
        say(opaque, true, "the offsets were not committed: %s", rd_kafka_err2str(err));
}

/* ---- partitions -------------------------------------------------------------------------- */

static struct part *part_find(struct worker *w, const char *topic, int32_t partition, bool add)
{
    struct part *v;

    for (size_t i = 0; i < w->n_parts; i++)
        if (w->parts[i].partition == partition && strcmp(w->parts[i].topic, topic) == 0)
            return &w->parts[i];
    if (!add || (v = ruru_realloc(w->parts, (w->n_parts + 1) * sizeof(*v))) == NULL)
        return NULL;
    w->parts = v;
    v = &w->parts[w->n_parts];
    memset(v, 0, sizeof(*v));
    if ((v->topic = ruru_strdup(topic)) == NULL)
        return NULL;
    v->partition = partition;
    w->n_parts++;
    return v;
}

static void part_forget(struct worker *w, const char *topic, int32_t partition)
{
    struct part *p = part_find(w, topic, partition, false);

    if (p == NULL)
        return;
    ruru_free(p->topic);
    ruru_free(p->format);
    *p = w->parts[--w->n_parts];
}

/* The format of a topic's messages: the one given (--topic NAME=FORMAT), else NULL. */
static const char *topic_format(const struct worker *w, const char *topic)
{
    for (size_t i = 0; i < w->o->n_topics; i++)
        if (strcmp(w->o->topics[i].name, topic) == 0)
            return w->o->topics[i].format;
    return NULL;
}

/* The partition's format from a sample of its first messages of this batch (decoded, up to
 * 64 KiB), kept for the partition; NULL while its messages are empty. */
static const char *partition_format(struct worker *w, size_t first)
{
    rd_kafka_message_t *m0 = w->batch[first];
    const char *topic = rd_kafka_topic_name(m0->rkt);
    struct part *p = part_find(w, topic, m0->partition, true);
    char *sample;
    size_t len = 0;

    if (p == NULL)
        return NULL;
    if (p->format != NULL)
        return p->format;
    if ((sample = ruru_malloc(DETECT_SAMPLE)) == NULL)
        return NULL;
    for (size_t i = first; i < w->n && len < DETECT_SAMPLE; i++) {
        rd_kafka_message_t *m = w->batch[i];
        struct ruru_stream *s;
        struct ruru_diag d;
        size_t got = 0;
        if (m->partition != m0->partition || m->rkt != m0->rkt || m->len == 0)
            continue;
        if (ruru_stream_open_mem("sample", m->payload, m->len, &s, &d) != RURU_OK)
            continue;
        while (len < DETECT_SAMPLE &&
               ruru_stream_read(s, sample + len, DETECT_SAMPLE - len, &got, &d) == RURU_OK &&
               got > 0)
            len += got;
        ruru_stream_close(s);
        if (len > 0 && len < DETECT_SAMPLE && sample[len - 1] != '\n')
            sample[len++] = '\n';
    }
    if (len > 0) {
        p->format = ruru_strdup(ruru_engine_detect(sample, len));
        if (p->format != NULL)
            say(w, false, "%s/%" PRId32 ": read as %s (detected from its first messages)", topic,
                m0->partition, p->format);
    }
    ruru_free(sample);
    return p->format;
}

/* ---- a batch ----------------------------------------------------------------------------- */

static int on_sighting(void *ctx, const char *json)
{
    struct worker *w = ctx;
    char *copy;

    if (w->n_found == w->cap_found) {
        size_t cap = w->cap_found ? w->cap_found * 2 : 256;
        char **v = ruru_realloc(w->found, cap * sizeof(*v));
        if (v == NULL) {
            w->found_failed = true;
            return 1;
        }
        w->found = v;
        w->cap_found = cap;
    }
    if ((copy = ruru_strdup(json)) == NULL) {
        w->found_failed = true;
        return 1;
    }
    w->found[w->n_found++] = copy;
    return 0;
}

static void on_scan_error(void *ctx, enum ruru_err err, const struct ruru_diag *d)
{
    struct worker *w = ctx;

    say(w, true, "%s: %s (%s)", d->source ? d->source : "sweep", d->msg, ruru_strerror(err));
}

static void found_clear(struct worker *w)
{
    for (size_t i = 0; i < w->n_found; i++)
        ruru_free(w->found[i]);
    w->n_found = 0;
    w->found_failed = false;
}

static void batch_clear(struct worker *w)
{
    for (size_t i = 0; i < w->n; i++)
        rd_kafka_message_destroy(w->batch[i]);
    w->n = 0;
    found_clear(w);
}

/* The batch's partitions with, per partition, its first offset (`first`) and its last + 1
 * (`next`), in one pass (a batch's messages come in runs of one partition: the previous
 * message's is looked at first); false when memory ran out. */
static bool batch_offsets(const struct worker *w,
                          rd_kafka_topic_partition_list_t **first,
                          rd_kafka_topic_partition_list_t **next)
{
    rd_kafka_topic_partition_list_t *a = rd_kafka_topic_partition_list_new(8);
    rd_kafka_topic_partition_list_t *b = rd_kafka_topic_partition_list_new(8);
    int at = -1;

    for (size_t i = 0; a != NULL && b != NULL && i < w->n; i++) {
        const rd_kafka_message_t *m = w->batch[i];
        if (at < 0 || m->rkt != w->batch[i - 1]->rkt ||
            m->partition != w->batch[i - 1]->partition) {
            const char *topic = rd_kafka_topic_name(m->rkt);
            rd_kafka_topic_partition_t *tp =
                    rd_kafka_topic_partition_list_find(a, topic, m->partition);
            if (tp == NULL) {
                rd_kafka_topic_partition_list_add(a, topic, m->partition)->offset = m->offset;
                rd_kafka_topic_partition_list_add(b, topic, m->partition)->offset = m->offset + 1;
                at = a->cnt - 1;
            } else {
                at = (int)(tp - a->elems);
            }
        }
        if (m->offset < a->elems[at].offset)
            a->elems[at].offset = m->offset;
        if (m->offset + 1 > b->elems[at].offset)
            b->elems[at].offset = m->offset + 1;
    }
    if (a == NULL || b == NULL) {
        if (a != NULL)
            rd_kafka_topic_partition_list_destroy(a);
        if (b != NULL)
            rd_kafka_topic_partition_list_destroy(b);
        *first = *next = NULL;
        return false;
    }
    *first = a;
    *next = b;
    return true;
}

/* Whether the lines of `format` stand alone (no header, no document spanning lines), as its
 * entry in the table of formats says; not for an unknown or undetected format. */
static bool stands_alone(const char *format)
{
    const struct ruru_logfmt *f = format != NULL ? ruru_logfmt_find(format) : NULL;

    return f != NULL && f->lines_stand_alone;
}

/* Sweeps the batch's messages (sweep mode): their sightings into w->found. A partition's
 * one-line messages are swept as one input, their lines joined, each line named after its
 * message (what a message costs apart from its line is paid once a run); any other message
 * is an input of its own. Either way a sighting names its message: kafka:TOPIC/PARTITION/OFFSET,
 * line 1, offset 0 for a one-line message. */
static bool sweep_batch(struct worker *w)
{
    struct scratch *x = &w->x;
    struct ruru_scan_input *in = x->in;
    char(*names)[300] = x->names;
    const char **named = x->named, **formats = x->formats;
    size_t *order = x->order, *first_of = x->first_of, *count = x->count, *group = x->group;
    size_t n_groups = 0, n_in = 0, n_named = 0, used = 0, total = 0, seps = 0;
    const char *alone_format = NULL; /* the last format looked at, and whether its lines */
    bool alone = false;              /* stand alone */
    struct ruru_sweep_totals t;
    struct ruru_diag d;
    enum ruru_err err;
    bool ok = true;

    memset(in, 0, (w->n + 1) * sizeof(*in));
    memset(count, 0, (w->n + 1) * sizeof(*count));

    if (ok && ruru_engine_stale(w->engine)) {
        /* the intel changed: a new engine for this batch and the next, the old one kept when
         * the new one cannot be loaded */
        struct ruru_engine *e = NULL;
        if ((err = ruru_engine_open(w->o->store, &w->scan, &e, &d)) == RURU_OK) {
            ruru_engine_close(w->engine);
            w->engine = e;
            w->st.reloads++;
            say(w, false, "the intel changed: the index was reloaded");
        } else {
            say(w, true, "the intel changed but cannot be loaded, still sweeping with the old: %s",
                d.msg);
        }
    }
    /* the messages partition by partition (in the order each first appears), each
     * partition's in their order: a counting sort on the partition's rank */
    for (size_t i = 0; i < w->n; i++) {
        const rd_kafka_message_t *m = w->batch[i];
        const char *topic = rd_kafka_topic_name(m->rkt);
        size_t g = i > 0 && m->rkt == w->batch[i - 1]->rkt &&
                                   m->partition == w->batch[i - 1]->partition
                           ? group[i - 1]
                           : 0;
        snprintf(names[i], sizeof(names[i]), "kafka:%s/%" PRId32 "/%" PRId64, topic, m->partition,
                 m->offset);
        if ((formats[i] = topic_format(w, topic)) == NULL)
            formats[i] = partition_format(w, i);
        total += m->len + 1;
        while (g < n_groups && (w->batch[first_of[g]]->rkt != m->rkt ||
                                w->batch[first_of[g]]->partition != m->partition))
            g++;
        if (g == n_groups)
            first_of[n_groups++] = i;
        group[i] = g;
        count[g]++;
    }
    for (size_t g = 0, at = 0; g < n_groups; g++) {
        size_t c = count[g];
        count[g] = at;
        at += c;
    }
    for (size_t i = 0; i < w->n; i++)
        order[count[group[i]]++] = i;
    if (total + 1 > x->joined_cap) {
        char *j = ruru_realloc(x->joined, total + 1);
        ok = j != NULL;
        if (ok) {
            x->joined = j;
            x->joined_cap = total + 1;
        }
    }
    for (size_t o = 0; ok && o < w->n; o++) {
        size_t i = order[o];
        const rd_kafka_message_t *m = w->batch[i];
        struct ruru_scan_input *run = n_in > 0 ? &in[n_in - 1] : NULL;
        if (formats[i] != alone_format) {
            alone_format = formats[i];
            alone = stands_alone(formats[i]);
        }
        if (!alone || !ruru_kafka_joinable(m->payload, m->len)) {
            in[n_in].path = names[i];
            in[n_in].data = m->payload != NULL ? m->payload : "";
            in[n_in].len = m->len;
            in[n_in].format = formats[i];
            n_in++;
            continue;
        }
        /* a run goes on with the next message of its partition, in the same format */
        if (run == NULL || run->names == NULL || w->batch[order[o - 1]]->rkt != m->rkt ||
            w->batch[order[o - 1]]->partition != m->partition || run->format != formats[i]) {
            run = &in[n_in++];
            run->path = names[i];
            run->data = x->joined + used;
            run->len = 0;
            run->format = formats[i];
            run->names = named + n_named;
            run->n_names = 0;
        }
        memcpy(x->joined + used, m->payload, m->len);
        x->joined[used + m->len] = '\n';
        used += m->len + 1;
        run->len += m->len + 1;
        named[n_named++] = names[i];
        run->n_names++;
        seps++;
    }
    if (ok) {
        err = ruru_engine_sweep(w->engine, in, n_in, false, NULL, &t, &d);
        if (err != RURU_OK || w->found_failed) {
            say(w, true, "a batch could not be swept: %s",
                err != RURU_OK ? d.msg : "out of memory");
            ok = false;
        } else {
            /* the newlines that joined the runs are not the messages' bytes */
            w->st.messages += w->n;
            w->st.lines += t.lines;
            w->st.bytes += t.bytes - (t.bytes >= seps ? seps : t.bytes);
            w->st.sightings += t.sightings;
        }
    }
    return ok;
}

/* Reads the batch's messages (recording mode): the good ones into w->found. */
static bool read_batch(struct worker *w)
{
    for (size_t i = 0; i < w->n; i++) {
        const rd_kafka_message_t *m = w->batch[i];
        struct ruru_diag d;
        json_t *doc = NULL;
        w->st.messages++;
        w->st.bytes += m->len;
        if (ruru_kafka_sighting_read(m->payload ? m->payload : "", m->len, &doc, &d) != RURU_OK) {
            w->st.bad_records++;
            say(w, true, "%s/%" PRId32 "/%" PRId64 ": skipped: %s", rd_kafka_topic_name(m->rkt),
                m->partition, m->offset, d.msg);
            continue;
        }
        {
            char *text = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
            bool ok = text != NULL && on_sighting(w, text) == 0;
            free(text);
            json_decref(doc);
            if (!ok)
                return false;
        }
        w->st.sightings++;
    }
    return true;
}

static enum ruru_err producer(struct worker *w, struct ruru_diag *diag);
static void producer_warm(struct worker *w);

/* An idempotent producer that met a fatal error (the brokers lost its sequence: it can send
 * nothing more) is replaced by a new one; false when none can be made. */
static bool producer_sound(struct worker *w)
{
    char errstr[512];
    struct ruru_diag d;
    rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(w->p, errstr, sizeof(errstr));

    if (fatal == RD_KAFKA_RESP_ERR_NO_ERROR)
        return true;
    say(w, true, "the producer failed for good (%s: %s): a new one is made",
        rd_kafka_err2name(fatal), errstr);
    rd_kafka_purge(w->p, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(w->p, 1000);
    rd_kafka_destroy(w->p);
    w->p = NULL;
    /* the reports that did not come will not come: those flights go again */
    for (unsigned k = 0; k < AIR_MAX; k++)
        if (w->fl[k].waiting > 0) {
            w->fl[k].waiting = 0;
            w->fl[k].failed++;
        }
    if (producer(w, &d) != RURU_OK) {
        say(w, true, "%s", d.msg);
        return false;
    }
    producer_warm(w);
    return true;
}

/* Sends w->found to the sightings topic, each message carrying `f` for its delivery report;
 * does not wait for the reports. False when a sighting could not even be queued. */
static bool send_found(struct worker *w, struct flight *f)
{
    if (!producer_sound(w))
        return false;
    for (size_t i = 0; i < w->n_found; i++) {
        json_t *doc = json_loads(w->found[i], 0, NULL);
        size_t klen = 0;
        const char *key = doc != NULL ? ruru_kafka_sighting_key(doc, &klen) : "";
        rd_kafka_resp_err_t err;
        char kbuf[512];
        snprintf(kbuf, sizeof(kbuf), "%.*s", (int)(klen < 511 ? klen : 511), key);
        json_decref(doc);
        for (;;) {
            /* rd_kafka_produceva, not the RD_KAFKA_V_ macros: those are GNU statement
             * expressions, which C11 does not have */
            rd_kafka_vu_t vu[5];
            rd_kafka_error_t *e;
            vu[0].vtype = RD_KAFKA_VTYPE_TOPIC;
            vu[0].u.cstr = w->o->sightings_topic;
            vu[1].vtype = RD_KAFKA_VTYPE_KEY;
            vu[1].u.mem.ptr = kbuf;
            vu[1].u.mem.size = strlen(kbuf);
            vu[2].vtype = RD_KAFKA_VTYPE_VALUE;
            vu[2].u.mem.ptr = w->found[i];
            vu[2].u.mem.size = strlen(w->found[i]);
            vu[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
            vu[3].u.i = RD_KAFKA_MSG_F_COPY;
            vu[4].vtype = RD_KAFKA_VTYPE_OPAQUE;
            vu[4].u.ptr = f;
            f->waiting++;
            e = rd_kafka_produceva(w->p, vu, 5);
            err = RD_KAFKA_RESP_ERR_NO_ERROR;
            if (e != NULL) {
                err = rd_kafka_error_code(e);
                rd_kafka_error_destroy(e);
                f->waiting--;
            }
            if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                break;
            rd_kafka_poll(w->p, 50);
        }
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            say(w, true, "a sighting cannot be sent to %s: %s", w->o->sightings_topic,
                rd_kafka_err2str(err));
            return false;
        }
    }
    return true;
}

/* Records w->found into the register; in recording mode, a batch the register refuses as a
 * whole is recorded sighting by sighting, each one it refuses said and skipped. */
static bool record(struct worker *w)
{
    struct ruru_diag d;
    enum ruru_err err;
    size_t len = 2;
    char *text, *res = NULL;

    if (w->n_found == 0)
        return true;
    for (size_t i = 0; i < w->n_found; i++)
        len += strlen(w->found[i]) + 1;
    if ((text = ruru_malloc(len + 1)) == NULL)
        return false;
    len = 0;
    text[len++] = '[';
    for (size_t i = 0; i < w->n_found; i++) {
        size_t k = strlen(w->found[i]);
        if (i > 0)
            text[len++] = ',';
        memcpy(text + len, w->found[i], k);
        len += k;
    }
    text[len++] = ']';
    text[len] = '\0';
    err = ruru_register_record_org(w->o->reg, w->o->store, w->o->org, text, len, &res, &d);
    ruru_free(text);
    ruru_free(res);
    if (err == RURU_OK) {
        w->st.recorded += w->n_found;
        return true;
    }
    if (!w->recording || (err != RURU_EPARSE && err != RURU_EINVAL)) {
        say(w, true, "the register cannot record the batch: %s (%s)", d.msg, ruru_strerror(err));
        return false;
    }
    for (size_t i = 0; i < w->n_found; i++) {
        size_t k = strlen(w->found[i]);
        char *t = ruru_malloc(k + 3);
        if (t == NULL)
            return false;
        t[0] = '[';
        memcpy(t + 1, w->found[i], k);
        t[k + 1] = ']';
        t[k + 2] = '\0';
        err = ruru_register_record_org(w->o->reg, w->o->store, w->o->org, t, k + 2, &res, &d);
        ruru_free(t);
        ruru_free(res);
        res = NULL;
        if (err == RURU_OK) {
            w->st.recorded++;
        } else if (err == RURU_EPARSE || err == RURU_EINVAL) {
            w->st.bad_records++;
            say(w, true, "a sighting the register refuses was skipped: %s", d.msg);
        } else {
            say(w, true, "the register cannot record the batch: %s (%s)", d.msg,
                ruru_strerror(err));
            return false;
        }
    }
    return true;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* ---- batches in the air ------------------------------------------------------------------ */

/* Sweeps (or reads) the batch, records its sightings and sends them; the batch's offsets and
 * what is to come of it go into a new flight, and its messages are let go. A step that fails
 * marks the flight failed: it is read again when it lands. */
static void launch(struct worker *w)
{
    struct flight *f = &w->fl[(w->head + w->n_air++) % AIR_MAX];
    uint64_t lines0 = w->st.lines, bytes0 = w->st.bytes, found0 = w->st.sightings;
    bool ok;

    memset(f, 0, sizeof(*f));
    found_clear(w);
    ok = batch_offsets(w, &f->first, &f->next) && (w->recording ? read_batch(w) : sweep_batch(w));
    if (ok && !w->recording) {
        f->messages = w->n;
        f->lines = w->st.lines - lines0;
        f->bytes = w->st.bytes - bytes0;
        f->found = w->st.sightings - found0;
    }
    if (ok && w->o->reg != NULL)
        ok = record(w);
    if (ok && w->p != NULL)
        ok = send_found(w, f);
    if (!ok)
        f->failed++;
    batch_clear(w);
}

/* Whether the producer met a fatal error: what it had not sent is lost with it. */
static bool producer_failed(struct worker *w)
{
    char errstr[256];

    return w->p != NULL &&
           rd_kafka_fatal_error(w->p, errstr, sizeof(errstr)) != RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* Waits for every delivery report of `f` (message.timeout.ms bounds the wait). */
static void flight_wait(struct worker *w, struct flight *f)
{
    while (f->waiting > 0 && w->p != NULL)
        rd_kafka_poll(w->p, 100);
}

static void flight_free(struct flight *f)
{
    if (f->first != NULL)
        rd_kafka_topic_partition_list_destroy(f->first);
    if (f->next != NULL)
        rd_kafka_topic_partition_list_destroy(f->next);
    memset(f, 0, sizeof(*f));
}

/* Adds to `to` the partitions of `from` it does not hold, and where both hold one, keeps the
 * lower offset (or the higher, `higher`). */
static void
merge(rd_kafka_topic_partition_list_t *to, const rd_kafka_topic_partition_list_t *from, bool higher)
{
    for (int i = 0; to != NULL && from != NULL && i < from->cnt; i++) {
        const rd_kafka_topic_partition_t *tp = &from->elems[i];
        rd_kafka_topic_partition_t *have =
                rd_kafka_topic_partition_list_find(to, tp->topic, tp->partition);
        if (have == NULL)
            rd_kafka_topic_partition_list_add(to, tp->topic, tp->partition)->offset = tp->offset;
        else if (higher ? tp->offset > have->offset : tp->offset < have->offset)
            have->offset = tp->offset;
    }
}

/* Commits the landed batches' offsets: now when `sync` (synchronously: a rebalance, the end),
 * else asynchronously once COMMIT_MS have passed since the last commit. A commit for each
 * batch would be a request to the coordinator every few milliseconds; what a commit left for
 * later costs is at most COMMIT_MS of messages read again after a crash. */
static void commit(struct worker *w, bool sync)
{
    if (w->to_commit == NULL || w->to_commit->cnt == 0 ||
        (!sync && since(&w->last_commit) * 1000 < COMMIT_MS))
        return;
    /* a failure is said once, by on_commit: served by this call when synchronous (no queue:
     * librdkafka's own, whose callback then replaces the configured one), later otherwise */
    if (sync)
        rd_kafka_commit_queue(w->c, w->to_commit, NULL, on_commit, w);
    else
        rd_kafka_commit(w->c, w->to_commit, 1);
    rd_kafka_topic_partition_list_destroy(w->to_commit);
    w->to_commit = NULL;
    clock_gettime(CLOCK_MONOTONIC, &w->last_commit);
}

/* Lands the oldest flight (waiting for its reports unless `ready_only`, when it lands only if
 * they have all come): its offsets are committed when everything went well, synchronously
 * when `sync`. When it failed, it and the flights after it are abandoned: the consumer is
 * sought back to their first offsets and, unless `no_wait` (a rebalance waits for no one),
 * the worker pauses before reading them again. False when nothing landed. */
static bool land(struct worker *w, bool ready_only, bool sync, bool no_wait)
{
    struct flight *f = &w->fl[w->head];
    bool ok;

    if (w->n_air == 0 || (ready_only && f->waiting > 0))
        return false;
    flight_wait(w, f);
    /* reports still awaited (no producer could be made to wait for them) are no delivery */
    ok = f->failed == 0 && f->waiting == 0 && !producer_failed(w);
    if (ok) {
        if (w->to_commit == NULL)
            w->to_commit = rd_kafka_topic_partition_list_new(8);
        merge(w->to_commit, f->next, true);
        w->st.batches++;
        w->backoff_ms = 0;
        commit(w, sync);
        flight_free(f);
        w->head = (w->head + 1) % AIR_MAX;
        w->n_air--;
        return true;
    }
    /* this one and every later one go again, from their first offsets */
    for (unsigned k = 1; k < w->n_air; k++) {
        struct flight *g = &w->fl[(w->head + k) % AIR_MAX];
        flight_wait(w, g);
        merge(f->first, g->first, false);
        merge(f->next, g->next, true);
        f->messages += g->messages;
        f->lines += g->lines;
        f->bytes += g->bytes;
        f->found += g->found;
        flight_free(g);
    }
    w->n_air = 0;
    /* the messages read since are read again too: a partition of theirs only goes back to
     * their first offset */
    if (w->n > 0) {
        rd_kafka_topic_partition_list_t *a, *b;
        if (batch_offsets(w, &a, &b)) {
            merge(f->first, a, false);
            merge(f->next, b, true);
            rd_kafka_topic_partition_list_destroy(a);
            rd_kafka_topic_partition_list_destroy(b);
        }
        batch_clear(w);
    }
    w->st.retries++;
    w->st.messages -= f->messages < w->st.messages ? f->messages : w->st.messages;
    w->st.lines -= f->lines < w->st.lines ? f->lines : w->st.lines;
    w->st.bytes -= f->bytes < w->st.bytes ? f->bytes : w->st.bytes;
    w->st.sightings -= f->found < w->st.sightings ? f->found : w->st.sightings;
    if (f->first != NULL && f->first->cnt > 0) {
        rd_kafka_error_t *e = rd_kafka_seek_partitions(w->c, f->first, 5000);
        if (e != NULL) {
            say(w, true, "cannot go back to the batch: %s", rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
        }
        for (int i = 0; i < f->first->cnt; i++)
            if (f->first->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR)
                say(w, true, "cannot go back to %s/%" PRId32 " offset %" PRId64 ": %s",
                    f->first->elems[i].topic, f->first->elems[i].partition,
                    f->first->elems[i].offset, rd_kafka_err2str(f->first->elems[i].err));
    }
    if (w->stale != NULL)
        rd_kafka_topic_partition_list_destroy(w->stale);
    w->stale = f->next;
    f->next = NULL;
    flight_free(f);
    w->backoff_ms = w->backoff_ms == 0                   ? BACKOFF_MIN_MS
                    : w->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
                                                         : w->backoff_ms * 2;
    say(w, true, "the batch will be read again in %.1f s", w->backoff_ms / 1000.0);
    if (!no_wait)
        for (unsigned waited = 0; waited < w->backoff_ms && !*w->o->stop; waited += 100)
            sleep_ms(100);
    return true;
}

/* Launches the pending batch; when `pipelined`, it stays in the air while the next batches
 * are read (the oldest flight is landed first when AIR_MAX are in the air: its reports waited
 * for); otherwise every flight lands, committed synchronously (a rebalance, or the end). */
static void process_batch(struct worker *w, bool pipelined, bool no_wait)
{
    if (w->n > 0) {
        if (w->n_air == AIR_MAX)
            land(w, false, !pipelined, no_wait);
        launch(w);
    }
    while (!pipelined && w->n_air > 0)
        land(w, false, true, no_wait);
    if (!pipelined)
        commit(w, true);
}

/* A flight's partitions that were lost are neither committed nor sought back. */
static void flight_drop(struct flight *f, const rd_kafka_topic_partition_list_t *parts)
{
    for (int i = 0; i < parts->cnt; i++) {
        rd_kafka_topic_partition_list_del(f->first, parts->elems[i].topic,
                                          parts->elems[i].partition);
        rd_kafka_topic_partition_list_del(f->next, parts->elems[i].topic,
                                          parts->elems[i].partition);
    }
}

/* ---- rebalances ---------------------------------------------------------------------------- */

/* Drops the batch's messages of partitions that were lost (another member owns them now and
 * reads them again from their committed offsets); the messages of partitions this worker
 * keeps stay in the batch: its position on those is past them already, so dropping them
 * would lose them once a later batch commits beyond. */
static void batch_drop(struct worker *w, const rd_kafka_topic_partition_list_t *parts)
{
    size_t kept = 0;

    for (size_t i = 0; i < w->n; i++) {
        rd_kafka_message_t *m = w->batch[i];
        if (rd_kafka_topic_partition_list_find(parts, rd_kafka_topic_name(m->rkt), m->partition) !=
            NULL)
            rd_kafka_message_destroy(m);
        else
            w->batch[kept++] = m;
    }
    w->n = kept;
}

static void on_rebalance(rd_kafka_t *rk,
                         rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts,
                         void *opaque)
{
    struct worker *w = opaque;
    /* NULL when the consumer is in no group (it lost its membership, or is leaving) */
    const char *protocol = rd_kafka_rebalance_protocol(rk);
    bool coop = protocol != NULL && strcmp(protocol, "COOPERATIVE") == 0;
    rd_kafka_error_t *e = NULL;

    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        w->assigned_once = true;
        if (coop)
            e = rd_kafka_incremental_assign(rk, parts);
        else
            rd_kafka_assign(rk, parts);
        w->st.assigned += (size_t)parts->cnt;
        for (int i = 0; i < parts->cnt; i++)
            say(w, false, "assigned %s/%" PRId32, parts->elems[i].topic, parts->elems[i].partition);
    } else {
        /* finish the pending batch and land the batches in the air before the partitions
         * go (they may hold messages of those that stay too: all is committed at once); when
         * they are lost, the new owner has them already and nothing of theirs may be
         * committed */
        w->revoked = true;
        if (rd_kafka_assignment_lost(rk)) {
            batch_drop(w, parts);
            for (unsigned k = 0; k < w->n_air; k++)
                flight_drop(&w->fl[(w->head + k) % AIR_MAX], parts);
            for (int i = 0; w->to_commit != NULL && i < parts->cnt; i++)
                rd_kafka_topic_partition_list_del(w->to_commit, parts->elems[i].topic,
                                                  parts->elems[i].partition);
        } else {
            process_batch(w, false, true);
        }
        for (int i = 0; i < parts->cnt; i++) {
            part_forget(w, parts->elems[i].topic, parts->elems[i].partition);
            /* a partition read again is read from its committed offset if it comes back:
             * what was gathered before a seek on it means nothing then */
            if (w->stale != NULL)
                rd_kafka_topic_partition_list_del(w->stale, parts->elems[i].topic,
                                                  parts->elems[i].partition);
            say(w, false, "revoked %s/%" PRId32, parts->elems[i].topic, parts->elems[i].partition);
        }
        w->st.assigned =
                w->st.assigned > (size_t)parts->cnt ? w->st.assigned - (size_t)parts->cnt : 0;
        if (coop)
            e = rd_kafka_incremental_unassign(rk, parts);
        else
            rd_kafka_assign(rk, NULL);
    }
    if (e != NULL) {
        say(w, true, "rebalance: %s", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
    }
}

/* Takes the `got` messages a consume call put at w->batch[at]: a rebalance served during the
 * call may have launched the batch before them (they move up to its end), errors are said and
 * let go, and so are messages of partitions revoked meanwhile (their new owner reads them from
 * the offsets committed on revocation) and those it gathered before a seek back (they come
 * again after the messages read again). `before`: when the call began, the batch's start if
 * they begin it. */
static void take(struct worker *w, size_t at, size_t got, const struct timespec *before)
{
    rd_kafka_topic_partition_list_t *held = NULL;

    if (w->revoked && rd_kafka_assignment(w->c, &held) != RD_KAFKA_RESP_ERR_NO_ERROR)
        held = NULL;
    if (w->n == 0)
        w->started = *before;
    for (size_t i = 0; i < got; i++) {
        rd_kafka_message_t *m = w->batch[at + i];
        rd_kafka_topic_partition_t *stale =
                w->stale != NULL && m->err == RD_KAFKA_RESP_ERR_NO_ERROR
                        ? rd_kafka_topic_partition_list_find(w->stale, rd_kafka_topic_name(m->rkt),
                                                             m->partition)
                        : NULL;
        if (stale != NULL && m->offset < stale->offset) {
            /* the first message read again after the seek: the rest are new too */
            rd_kafka_topic_partition_list_del(w->stale, rd_kafka_topic_name(m->rkt), m->partition);
            stale = NULL;
        }
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                say(w, true, "kafka: %s", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
        } else if (stale != NULL) {
            rd_kafka_message_destroy(m); /* gathered before the seek back, read again later */
        } else if (w->revoked && (held == NULL || rd_kafka_topic_partition_list_find(
                                                          held, rd_kafka_topic_name(m->rkt),
                                                          m->partition) == NULL)) {
            rd_kafka_message_destroy(m);
        } else {
            w->batch[w->n++] = m;
        }
    }
    if (held != NULL)
        rd_kafka_topic_partition_list_destroy(held);
}

/* ---- counters ---------------------------------------------------------------------------- */

/* Messages of the assigned partitions not consumed yet, from the watermarks the fetches
 * brought; -1 when unknown. A partition this worker has consumed nothing of since it was
 * assigned has no position yet: its lag is counted from its committed offset, asked of the
 * coordinator once (a partition whose messages were all read before it came has none). */
static int64_t lag(struct worker *w)
{
    rd_kafka_topic_partition_list_t *l = NULL, *ask = NULL;
    int64_t total = 0;
    bool known = false;

    if (rd_kafka_assignment(w->c, &l) != RD_KAFKA_RESP_ERR_NO_ERROR || l == NULL)
        return -1;
    rd_kafka_position(w->c, l);
    for (int i = 0; i < l->cnt; i++) {
        struct part *p;
        if (l->elems[i].offset >= 0 ||
            (p = part_find(w, l->elems[i].topic, l->elems[i].partition, true)) == NULL ||
            p->committed_asked)
            continue;
        p->committed_asked = true;
        p->committed = -1;
        if (ask == NULL)
            ask = rd_kafka_topic_partition_list_new(l->cnt);
        if (ask != NULL)
            rd_kafka_topic_partition_list_add(ask, l->elems[i].topic, l->elems[i].partition);
    }
    if (ask != NULL) {
        /* once: a coordinator that does not answer soon leaves the lag counted from the
         * partition's start until a message of it is consumed */
        if (rd_kafka_committed(w->c, ask, 500) == RD_KAFKA_RESP_ERR_NO_ERROR)
            for (int i = 0; i < ask->cnt; i++) {
                struct part *p = part_find(w, ask->elems[i].topic, ask->elems[i].partition, false);
                if (p != NULL && ask->elems[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
                    p->committed = ask->elems[i].offset;
            }
        rd_kafka_topic_partition_list_destroy(ask);
    }
    for (int i = 0; i < l->cnt; i++) {
        int64_t lo = -1, hi = -1, pos = l->elems[i].offset;
        struct part *p;
        if (rd_kafka_get_watermark_offsets(w->c, l->elems[i].topic, l->elems[i].partition, &lo,
                                           &hi) != RD_KAFKA_RESP_ERR_NO_ERROR ||
            hi < 0)
            continue;
        if (pos < 0 && (p = part_find(w, l->elems[i].topic, l->elems[i].partition, false)) != NULL)
            pos = p->committed;
        known = true;
        total += pos >= 0 ? (hi > pos ? hi - pos : 0) : (lo >= 0 ? hi - lo : hi);
    }
    rd_kafka_topic_partition_list_destroy(l);
    return known ? total : -1;
}

static void stats(struct worker *w, bool final)
{
    double dt = since(&w->last_stats);
    uint64_t now_lines = w->recording ? w->st.messages : w->st.lines;

    if (!final && dt * 1000 < (double)(w->o->stats_ms ? w->o->stats_ms : DEFAULT_STATS_MS))
        return;
    w->st.rate = dt > 0 ? (double)(now_lines - w->last_lines) / dt : 0;
    w->last_lines = now_lines;
    clock_gettime(CLOCK_MONOTONIC, &w->last_stats);
    w->st.elapsed = since(&w->t0);
    w->st.lag = lag(w);
    if (w->o->on_stats)
        w->o->on_stats(w->o->ctx, &w->st, final);
    if (w->o->status_path != NULL) {
        json_t *doc = ruru_kafka_status_json(
                &w->st, w->o->group, w->o->client_id ? w->o->client_id : "", (int64_t)time(NULL));
        struct ruru_diag d;
        if (doc != NULL && ruru_kafka_status_write(doc, w->o->status_path, &d) != RURU_OK)
            say(w, true, "%s: %s", w->o->status_path, d.msg);
        json_decref(doc);
    }
}

/* ---- the clients ------------------------------------------------------------------------- */

static enum ruru_err
set(rd_kafka_conf_t *conf, const char *name, const char *value, struct ruru_diag *diag)
{
    char errstr[512];

    if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0, "%s: %s", name, errstr);
    return RURU_OK;
}

/* A configuration with the brokers, the client id and the user's lines (defaults first, so the
 * lines may change them, then `fixed`, which they may not). */
static enum ruru_err conf_new(struct worker *w,
                              const char *const *defaults,
                              const char *const *fixed,
                              rd_kafka_conf_t **out,
                              struct ruru_diag *diag)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    enum ruru_err err = RURU_OK;

    if (conf == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    rd_kafka_conf_set_opaque(conf, w);
    rd_kafka_conf_set_error_cb(conf, on_kafka_error);
    rd_kafka_conf_set_log_cb(conf, on_kafka_log);
    err = set(conf, "bootstrap.servers", w->o->brokers, diag);
    if (err == RURU_OK && w->o->client_id != NULL)
        err = set(conf, "client.id", w->o->client_id, diag);
    for (size_t i = 0; err == RURU_OK && defaults[i] != NULL; i += 2)
        err = set(conf, defaults[i], defaults[i + 1], diag);
    if (err == RURU_OK && w->o->config != NULL)
        err = ruru_kafka_conf_apply(conf, w->o->config, w->o->config_len,
                                    w->o->config_file ? w->o->config_file : "kafka config", diag);
    for (size_t i = 0; err == RURU_OK && fixed[i] != NULL; i += 2)
        err = set(conf, fixed[i], fixed[i + 1], diag);
    if (err != RURU_OK) {
        rd_kafka_conf_destroy(conf);
        return err;
    }
    *out = conf;
    return RURU_OK;
}

/* The idempotent producer of the sightings topic. */
static enum ruru_err producer(struct worker *w, struct ruru_diag *diag)
{
    /* linger 0: a batch's sightings are produced at once and then waited for; Nagle off, as
     * Kafka's own clients have it, so a small request is not held for an acknowledgement */
    static const char *const pdefaults[] = {
            "linger.ms", "0", "message.timeout.ms", "60000", "socket.nagle.disable", "true", NULL};
    static const char *const pfixed[] = {"enable.idempotence", "true", "acks", "all", NULL};
    rd_kafka_conf_t *conf = NULL;
    char errstr[512];
    enum ruru_err err;

    if ((err = conf_new(w, pdefaults, pfixed, &conf, diag)) != RURU_OK)
        return err;
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    if ((w->p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr))) == NULL) {
        rd_kafka_conf_destroy(conf);
        return ruru_diag_set(diag, RURU_EIO, NULL, 0, 0, "cannot make the producer: %s", errstr);
    }
    return RURU_OK;
}

/* Asks for the sightings topic's metadata, so that the connections, the topic's leaders and
 * the idempotent producer's id are ready before the first batch's deliveries (which would
 * otherwise wait for them, most of a second); a failure is left to the deliveries. */
static void producer_warm(struct worker *w)
{
    rd_kafka_topic_t *t = rd_kafka_topic_new(w->p, w->o->sightings_topic, NULL);
    const struct rd_kafka_metadata *md = NULL;

    if (t == NULL)
        return;
    if (rd_kafka_metadata(w->p, 0, t, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR && md != NULL)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
}

static enum ruru_err clients(struct worker *w, struct ruru_diag *diag)
{
    static const char *const cdefaults[] = {RURU_KAFKA_CONSUMER_DEFAULTS, NULL};
    static const char *const cfixed[] = {"enable.auto.commit", "false", "enable.auto.offset.store",
                                         "false", NULL};
    rd_kafka_conf_t *conf = NULL;
    char errstr[512];
    enum ruru_err err;

    if ((err = conf_new(w, cdefaults, cfixed, &conf, diag)) != RURU_OK ||
        (err = set(conf, "group.id", w->o->group, diag)) != RURU_OK) {
        if (conf != NULL && err != RURU_OK)
            rd_kafka_conf_destroy(conf);
        return err;
    }
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_offset_commit_cb(conf, on_commit);
    if ((w->c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr))) == NULL) {
        rd_kafka_conf_destroy(conf);
        return ruru_diag_set(diag, RURU_EIO, NULL, 0, 0, "cannot make the consumer: %s", errstr);
    }
    rd_kafka_poll_set_consumer(w->c);
    if (w->recording || w->o->sightings_topic == NULL)
        return RURU_OK;
    return producer(w, diag);
}

static enum ruru_err subscribe(struct worker *w, struct ruru_diag *diag)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    rd_kafka_resp_err_t err;

    if (w->recording)
        rd_kafka_topic_partition_list_add(l, w->o->sightings_topic, RD_KAFKA_PARTITION_UA);
    for (size_t i = 0; !w->recording && i < w->o->n_topics; i++)
        rd_kafka_topic_partition_list_add(l, w->o->topics[i].name, RD_KAFKA_PARTITION_UA);
    err = rd_kafka_subscribe(w->c, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0, "cannot subscribe: %s",
                             rd_kafka_err2str(err));
    return RURU_OK;
}

static enum ruru_err check(const struct ruru_kafka_opts *o, struct ruru_diag *diag)
{
    if (o->brokers == NULL || o->brokers[0] == '\0')
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0, "no brokers");
    if (o->group == NULL || o->group[0] == '\0')
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0, "no consumer group");
    if (o->stop == NULL || o->store == NULL)
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0, "no stop flag or no store");
    if (o->n_topics == 0 && (o->sightings_topic == NULL || o->reg == NULL))
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0,
                             "no topic of logs, nor a sightings topic to record");
    if (o->n_topics > 0 && o->sightings_topic == NULL && o->reg == NULL)
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0,
                             "the sightings go nowhere: a sightings topic or the register");
    for (size_t i = 0; i < o->n_topics; i++)
        if (o->topics[i].name == NULL || o->topics[i].name[0] == '\0')
            return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0, "a topic without a name");
    return RURU_OK;
}

enum ruru_err ruru_kafka_run(const struct ruru_kafka_opts *o, struct ruru_diag *diag)
{
    static const struct ruru_scan_opts none;
    struct worker w;
    rd_kafka_queue_t *q;
    enum ruru_err err;
    unsigned batch = o->batch ? o->batch : DEFAULT_BATCH;
    unsigned batch_ms = o->batch_ms ? o->batch_ms : DEFAULT_BATCH_MS;
    char why[300];

    ruru_diag_clear(diag);
    if ((err = check(o, diag)) != RURU_OK)
        return err;
    if (!ruru_rdk_load(why, sizeof(why)))
        return ruru_diag_set(diag, RURU_EUNSUPPORTED, NULL, 0, 0, "%s", why);
    memset(&w, 0, sizeof(w));
    w.o = o;
    w.recording = o->n_topics == 0;
    w.st.lag = -1;
    w.scan = o->scan ? *o->scan : none;
    w.scan.on_sighting = on_sighting;
    w.scan.on_error = on_scan_error;
    w.scan.on_progress = NULL;
    w.scan.ctx = &w;
    clock_gettime(CLOCK_MONOTONIC, &w.t0);
    w.last_stats = w.t0;
    w.stop_deadline = 1e300;
    w.x.in = ruru_calloc(batch + 1, sizeof(*w.x.in));
    w.x.names = ruru_calloc(batch + 1, sizeof(*w.x.names));
    w.x.named = ruru_calloc(batch + 1, sizeof(*w.x.named));
    w.x.formats = ruru_calloc(batch + 1, sizeof(*w.x.formats));
    w.x.order = ruru_calloc(batch + 1, sizeof(*w.x.order));
    w.x.first_of = ruru_calloc(batch + 1, sizeof(*w.x.first_of));
    w.x.count = ruru_calloc(batch + 1, sizeof(*w.x.count));
    w.x.group = ruru_calloc(batch + 1, sizeof(*w.x.group));
    if ((w.batch = ruru_calloc(batch, sizeof(*w.batch))) == NULL || w.x.in == NULL ||
        w.x.names == NULL || w.x.named == NULL || w.x.formats == NULL || w.x.order == NULL ||
        w.x.first_of == NULL || w.x.count == NULL || w.x.group == NULL) {
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    w.cap = batch;
    if (!w.recording && (err = ruru_engine_open(o->store, &w.scan, &w.engine, diag)) != RURU_OK)
        goto out;
    if (!w.recording && (err = ruru_engine_load_error(w.engine, diag)) != RURU_OK)
        goto out;
    if ((err = clients(&w, diag)) != RURU_OK || (err = subscribe(&w, diag)) != RURU_OK)
        goto out;
    if (w.p != NULL)
        producer_warm(&w); /* while the group is joined */
    /* Runs until stopped; a member stopped before the group gave it its first assignment
     * goes on polling until it has one (at most STOP_WAIT_S): librdkafka 2.0.2 aborts when a
     * cooperative-sticky consumer is closed before its first assignment (fixed in later
     * librdkafka releases). */
    q = rd_kafka_queue_get_consumer(w.c);
    while (!*o->stop || (!w.assigned_once && since(&w.t0) < w.stop_deadline)) {
        int timeout = 100;
        size_t at = w.n;
        struct timespec before;
        ssize_t got;
        if (*o->stop && w.stop_deadline == 1e300)
            w.stop_deadline = since(&w.t0) + STOP_WAIT_S;
        if (w.n > 0) {
            double left = (double)batch_ms - since(&w.started) * 1000;
            timeout = left <= 0 ? 0 : left < 100 ? (int)left : 100;
        }
        clock_gettime(CLOCK_MONOTONIC, &before);
        w.revoked = false;
        if (w.stale != NULL) {
            rd_kafka_topic_partition_list_destroy(w.stale);
            w.stale = NULL;
        }
        got = rd_kafka_consume_batch_queue(q, timeout, w.batch + at, w.cap - at);
        if (got > 0)
            take(&w, at, (size_t)got, &before);
        if (w.p != NULL)
            rd_kafka_poll(w.p, 0);
        while (land(&w, true, false, false))
            ;
        commit(&w, false);
        if (w.n > 0 && (w.n == w.cap || since(&w.started) * 1000 >= batch_ms))
            process_batch(&w, true, false);
        stats(&w, false);
    }
    /* stopped: the pending batch is finished and every batch committed, then the group is
     * left */
    process_batch(&w, false, true);
    rd_kafka_queue_destroy(q);
    rd_kafka_consumer_close(w.c);
    err = RURU_OK;
out:
    batch_clear(&w);
    for (unsigned k = 0; k < AIR_MAX; k++)
        flight_free(&w.fl[k]);
    if (w.stale != NULL)
        rd_kafka_topic_partition_list_destroy(w.stale);
    if (w.to_commit != NULL)
        rd_kafka_topic_partition_list_destroy(w.to_commit);
    if (w.c != NULL)
        stats(&w, true);
    if (w.p != NULL) {
        rd_kafka_flush(w.p, 10000);
        rd_kafka_destroy(w.p);
    }
    if (w.c != NULL)
        rd_kafka_destroy(w.c);
    ruru_engine_close(w.engine);
    for (size_t i = 0; i < w.n_parts; i++) {
        ruru_free(w.parts[i].topic);
        ruru_free(w.parts[i].format);
    }
    ruru_free(w.parts);
    ruru_free(w.found);
    ruru_free(w.batch);
    ruru_free(w.x.in);
    ruru_free(w.x.names);
    ruru_free(w.x.named);
    ruru_free(w.x.formats);
    ruru_free(w.x.order);
    ruru_free(w.x.first_of);
    ruru_free(w.x.count);
    ruru_free(w.x.group);
    ruru_free(w.x.joined);
    return err;
}
