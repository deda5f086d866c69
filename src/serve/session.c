/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The console's sessions (session.h): a fixed table of slots under one mutex. A table of a few
 * thousand sessions is searched linearly: every lookup compares the cookie with every live
 * slot in constant time, so neither the time nor the order of the comparisons tells an
 * attacker how much of an id was right, or where it is kept. Ids and CSRF tokens are never
 * derived from anything: they are fresh random bits for each session.
 */
#include "serve/session.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>

#include "base/alloc.h"

struct slot {
    bool is_used;
    char sid[RURU_SESSION_HEX + 1];
    char csrf[RURU_SESSION_HEX + 1];
    char token_id[17];
    char org[129];
    char role[16];
    int64_t expires; /* the session is valid while now < expires */
    uint64_t born;   /* the order of creation: the smallest is the oldest */
};

struct ruru_sessions {
    pthread_mutex_t mu;
    unsigned n_slots;
    int64_t ttl_seconds;
    uint64_t next_born;
    struct slot slots[]; /* n_slots */
};

struct ruru_sessions *ruru_sessions_new(unsigned max_sessions, int64_t ttl_seconds)
{
    struct ruru_sessions *s;

    if (max_sessions == 0 || ttl_seconds <= 0)
        return NULL;
    s = ruru_calloc(1, sizeof(*s) + (size_t)max_sessions * sizeof(struct slot));
    if (s == NULL)
        return NULL;
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        ruru_free(s);
        return NULL;
    }
    s->n_slots = max_sessions;
    s->ttl_seconds = ttl_seconds;
    return s;
}

/* Forgets a slot's secrets, not only its flag. */
static void clear(struct slot *sl)
{
    memset(sl, 0, sizeof(*sl));
}

void ruru_sessions_free(struct ruru_sessions *s)
{
    if (s == NULL)
        return;
    for (unsigned i = 0; i < s->n_slots; i++)
        clear(&s->slots[i]);
    pthread_mutex_destroy(&s->mu);
    ruru_free(s);
}

enum ruru_err ruru_session_random_hex(char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char raw[RURU_SESSION_HEX / 2];
    size_t got = 0;

    while (got < sizeof(raw)) {
        ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return RURU_EIO;
        got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof(raw); i++) {
        hex[2 * i] = digits[raw[i] >> 4];
        hex[2 * i + 1] = digits[raw[i] & 0x0f];
    }
    hex[RURU_SESSION_HEX] = '\0';
    memset(raw, 0, sizeof(raw));
    return RURU_OK;
}

/* Whether the `len` bytes at `given` are the 64 characters of `known`, in time that depends on
 * neither (only on whether len is 64, which is no secret). */
static bool same64(const char *known, const char *given, size_t len)
{
    unsigned char diff = 0;

    if (len != RURU_SESSION_HEX)
        return false;
    for (size_t i = 0; i < RURU_SESSION_HEX; i++)
        diff |= (unsigned char)(known[i] ^ given[i]);
    return diff == 0;
}

bool ruru_session_csrf_ok(const char *expected, const char *given, size_t len)
{
    if (expected == NULL || given == NULL || strnlen(expected, 65) != RURU_SESSION_HEX)
        return false;
    return same64(expected, given, len);
}

/* The live slot whose id is sid, comparing with every used slot; NULL when none. */
static struct slot *find(struct ruru_sessions *s, const char *sid, size_t len)
{
    struct slot *hit = NULL;

    if (sid == NULL || len != RURU_SESSION_HEX)
        return NULL;
    for (unsigned i = 0; i < s->n_slots; i++) {
        struct slot *sl = &s->slots[i];
        bool same = same64(sl->sid, sid, len);
        if (sl->is_used && same)
            hit = sl;
    }
    return hit;
}

static bool fits(const char *v, size_t size)
{
    return v != NULL && strnlen(v, size) < size;
}

enum ruru_err ruru_session_create(struct ruru_sessions *s,
                                  const char *token_id,
                                  const char *org,
                                  const char *role,
                                  int64_t now,
                                  char sid[65],
                                  char csrf[65])
{
    struct slot fresh, *sl = NULL;
    enum ruru_err err;

    memset(&fresh, 0, sizeof(fresh));
    if (s == NULL || !fits(token_id, sizeof(fresh.token_id)) || !fits(org, sizeof(fresh.org)) ||
        !fits(role, sizeof(fresh.role)))
        return RURU_EINVAL;
    err = ruru_session_random_hex(fresh.sid);
    if (err == RURU_OK)
        err = ruru_session_random_hex(fresh.csrf);
    if (err != RURU_OK) {
        clear(&fresh);
        return err;
    }
    memcpy(fresh.token_id, token_id, strlen(token_id) + 1);
    memcpy(fresh.org, org, strlen(org) + 1);
    memcpy(fresh.role, role, strlen(role) + 1);
    fresh.is_used = true;
    fresh.expires = now > INT64_MAX - s->ttl_seconds ? INT64_MAX : now + s->ttl_seconds;
    pthread_mutex_lock(&s->mu);
    fresh.born = s->next_born++;
    /* a free slot, else an expired one, else the oldest */
    for (unsigned i = 0; i < s->n_slots && sl == NULL; i++)
        if (!s->slots[i].is_used)
            sl = &s->slots[i];
    for (unsigned i = 0; i < s->n_slots && sl == NULL; i++)
        if (now >= s->slots[i].expires)
            sl = &s->slots[i];
    if (sl == NULL) {
        sl = &s->slots[0];
        for (unsigned i = 1; i < s->n_slots; i++)
            if (s->slots[i].born < sl->born)
                sl = &s->slots[i];
    }
    *sl = fresh;
    pthread_mutex_unlock(&s->mu);
    memcpy(sid, fresh.sid, sizeof(fresh.sid));
    memcpy(csrf, fresh.csrf, sizeof(fresh.csrf));
    clear(&fresh);
    return RURU_OK;
}

bool ruru_session_get(struct ruru_sessions *s,
                      const char *sid,
                      size_t len,
                      int64_t now,
                      char org[129],
                      char role[16],
                      char token_id[17],
                      char csrf[65])
{
    struct slot *sl;
    bool ok = false;

    org[0] = role[0] = token_id[0] = csrf[0] = '\0';
    if (s == NULL)
        return false;
    pthread_mutex_lock(&s->mu);
    sl = find(s, sid, len);
    if (sl != NULL && now >= sl->expires) {
        clear(sl);
    } else if (sl != NULL) {
        sl->expires = now > INT64_MAX - s->ttl_seconds ? INT64_MAX : now + s->ttl_seconds;
        memcpy(org, sl->org, sizeof(sl->org));
        memcpy(role, sl->role, sizeof(sl->role));
        memcpy(token_id, sl->token_id, sizeof(sl->token_id));
        memcpy(csrf, sl->csrf, sizeof(sl->csrf));
        ok = true;
    }
    pthread_mutex_unlock(&s->mu);
    return ok;
}

void ruru_session_end(struct ruru_sessions *s, const char *sid, size_t len)
{
    struct slot *sl;

    if (s == NULL)
        return;
    pthread_mutex_lock(&s->mu);
    sl = find(s, sid, len);
    if (sl != NULL)
        clear(sl);
    pthread_mutex_unlock(&s->mu);
}

void ruru_sessions_drop_token(struct ruru_sessions *s, const char *token_id)
{
    if (s == NULL || token_id == NULL)
        return;
    pthread_mutex_lock(&s->mu);
    for (unsigned i = 0; i < s->n_slots; i++)
        if (s->slots[i].is_used && strcmp(s->slots[i].token_id, token_id) == 0)
            clear(&s->slots[i]);
    pthread_mutex_unlock(&s->mu);
}
