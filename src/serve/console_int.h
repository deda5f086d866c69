/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What console.c (the frame of every page, sign-in, errors, incidents) and console_intel.c
 * (statistic, actors, search) share: a page being written and the pieces of its frame.
 */
#ifndef RURU_SERVE_CONSOLE_INT_H
#define RURU_SERVE_CONSOLE_INT_H

#include "base/buf.h"
#include "serve/console.h"
#include "share/html_int.h"

/* A page being written: its buffer and its writer (appends after a failure do nothing). */
struct ruru_console_page {
    struct ruru_buf buf;
    struct ruru_html h;
};

/* Starts a page: head (title, trusted), the top bar (navigation with `active` marked, the
 * organisation and role, the sign-out form) or, without c, a sign-in link; then <main>. */
void ruru_console_open(struct ruru_console_page *p,
                       const struct ruru_console_ctx *c,
                       const char *title,
                       const char *active);
/* Ends the page (a TLP banner at the bottom for rank >= 0) and hands it over: NULL when any
 * append failed. */
char *ruru_console_close(struct ruru_console_page *p, int rank);

/* An attribute's value (untrusted, escaped; controls as \xNN text, never markup). */
void ruru_console_attr(struct ruru_html *h, const char *s);
/* The `len` bytes of s percent-encoded for a path segment or a query value: all but
 * A-Z a-z 0-9 - . _ ~ as %XX. */
void ruru_console_pct(struct ruru_html *h, const char *s, size_t len);
/* A link to an actor's page, its name the text. */
void ruru_console_actor_link(struct ruru_html *h, const json_t *name);

#endif
