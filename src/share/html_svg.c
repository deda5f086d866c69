/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The chart of the HTML report (html_int.h): incidents per month by sponsor, drawn by ruru as
 * inline SVG so that the page needs no script and no image file.
 *
 * An incident counts in the month of its `first` sighting, under the state sponsoring the
 * actor it is put down to (ruru_html_sponsor), or under "not state-sponsored" or
 * "unattributed". The months run without a gap from the first to the last (a quiet month shows
 * as no bar); over ten years only the months that have incidents are drawn, so that bars stay
 * wide enough to see. Undated incidents get a column of their own at the end. Bars are stacked
 * by sponsor: the states in byte order of their names, then the two classes, always in the same
 * colours (a palette readers with colour-blindness can tell apart, Okabe and Ito). A table of
 * the same counts follows, for readers and tools that do not see pictures.
 *
 * Every coordinate is computed from the counts alone and printed with one decimal: the same
 * model draws the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "share/html_int.h"

/* Ten years of months: past that, gaps are left out (see above). */
#define MAX_SPAN_MONTHS 120

/* The drawing's user units (the viewBox; CSS scales it to the page width). */
#define LEFT       44.0
#define TOP        14.0
#define PLOT_W     470.0
#define PLOT_H     200.0
#define LEGEND_X   540.0
#define LEGEND_ROW 18.0
#define WIDTH      740.0
#define MAX_BAR_W  48.0

static const char *const STATE_COLOURS[] = {"#D55E00", "#0072B2", "#E69F00", "#009E73",
                                            "#CC79A7", "#56B4E9", "#F0E442"};
#define N_STATE_COLOURS (sizeof(STATE_COLOURS) / sizeof(STATE_COLOURS[0]))

struct chart {
    int *months; /* the columns' months (year * 12 + month - 1), ascending */
    size_t n_months;
    bool undated;                       /* a last column for incidents without a valid `first` */
    struct ruru_html_sponsor *sponsors; /* the stacks, in drawing order */
    size_t n_sponsors;
    size_t *counts; /* n_cols x n_sponsors */
};

/* The month of an incident's `first` ("YYYY-MM..."), or -1. */
static int month_of(const json_t *inc)
{
    const char *s = json_string_value(json_object_get(inc, "first"));
    int y = 0, m;

    if (s == NULL || strlen(s) < 7 || s[4] != '-')
        return -1;
    for (int i = 0; i < 4; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        y = y * 10 + (s[i] - '0');
    }
    if (s[5] < '0' || s[5] > '1' || s[6] < '0' || s[6] > '9')
        return -1;
    m = (s[5] - '0') * 10 + (s[6] - '0');
    return m >= 1 && m <= 12 ? y * 12 + m - 1 : -1;
}

static int int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int sponsor_cmp(const void *a, const void *b)
{
    const struct ruru_html_sponsor *x = a, *y = b;
    int c;

    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    if (x->kind != RURU_HTML_STATE)
        return 0;
    c = memcmp(x->name, y->name, x->name_len < y->name_len ? x->name_len : y->name_len);
    return c != 0 ? c : (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

/* The column of month `m` (-1: undated). */
static size_t column_of(const struct chart *c, int m)
{
    const int *at;

    if (m < 0)
        return c->n_months;
    at = bsearch(&m, c->months, c->n_months, sizeof(int), int_cmp);
    return (size_t)(at - c->months);
}

static size_t sponsor_of(const struct chart *c, struct ruru_html_sponsor s)
{
    const struct ruru_html_sponsor *at =
            bsearch(&s, c->sponsors, c->n_sponsors, sizeof(s), sponsor_cmp);
    return (size_t)(at - c->sponsors);
}

/* Fills the columns, the stacks and the counts. */
static enum ruru_err chart_count(struct chart *c, const json_t *incidents)
{
    size_t n = json_array_size(incidents), i, k, n_cols;
    const json_t *inc;
    int *seen;

    seen = ruru_calloc(n, sizeof(int));
    c->sponsors = ruru_calloc(n, sizeof(*c->sponsors));
    if (seen == NULL || c->sponsors == NULL) {
        ruru_free(seen);
        return RURU_ENOMEM;
    }
    k = 0;
    json_array_foreach(incidents, i, inc)
    {
        int m = month_of(inc);
        if (m < 0)
            c->undated = true;
        else
            seen[k++] = m;
        c->sponsors[i] = ruru_html_sponsor(inc);
    }
    qsort(seen, k, sizeof(int), int_cmp);
    if (k > 0 && seen[k - 1] - seen[0] < MAX_SPAN_MONTHS) {
        c->n_months = (size_t)(seen[k - 1] - seen[0]) + 1;
        for (i = 0; i < c->n_months; i++)
            c->months[i] = seen[0] + (int)i;
    } else {
        for (i = 0; i < k; i++)
            if (c->n_months == 0 || c->months[c->n_months - 1] != seen[i])
                c->months[c->n_months++] = seen[i];
    }
    ruru_free(seen);
    /* the stacks: the distinct sponsors, sorted (states by name, then the classes) */
    qsort(c->sponsors, n, sizeof(*c->sponsors), sponsor_cmp);
    for (i = 0, k = 0; i < n; i++)
        if (k == 0 || sponsor_cmp(&c->sponsors[k - 1], &c->sponsors[i]) != 0)
            c->sponsors[k++] = c->sponsors[i];
    c->n_sponsors = k;
    n_cols = c->n_months + (c->undated ? 1 : 0);
    c->counts = ruru_calloc(n_cols * c->n_sponsors, sizeof(size_t));
    if (c->counts == NULL)
        return RURU_ENOMEM;
    json_array_foreach(incidents, i, inc)
    {
        size_t col = column_of(c, month_of(inc));
        c->counts[col * c->n_sponsors + sponsor_of(c, ruru_html_sponsor(inc))]++;
    }
    return RURU_OK;
}

const char *ruru_html_state_colour(size_t i)
{
    return STATE_COLOURS[i % N_STATE_COLOURS];
}

static const char *colour(const struct chart *c, size_t s)
{
    if (c->sponsors[s].kind == RURU_HTML_NOT_STATE)
        return RURU_HTML_GREY;
    if (c->sponsors[s].kind == RURU_HTML_UNATTRIBUTED)
        return RURU_HTML_LIGHT_GREY;
    return ruru_html_state_colour(s);
}

static void put_label(struct ruru_html *h, const struct ruru_html_label *l)
{
    ruru_html_esc(h, l->text, l->len);
}

/* A step for the counts' axis of at most six lines: 1, 2, 5, 10, 20, 50, ... */
static size_t axis_step(size_t max)
{
    size_t step = 1;

    for (;;) {
        if (max <= step * 5)
            return step;
        if (max <= step * 2 * 5)
            return step * 2;
        if (max <= step * 5 * 5)
            return step * 5;
        if (step > SIZE_MAX / 100)
            return step * 10;
        step *= 10;
    }
}

static void bars_draw(struct ruru_html *h, const struct ruru_html_bars *b)
{
    size_t n_cols = b->n_cols, top = 0, step, every;
    double height, slot = PLOT_W / (double)n_cols, bar = slot * 0.7, base = TOP + PLOT_H;

    for (size_t col = 0; col < n_cols; col++) {
        size_t total = 0;
        for (size_t s = 0; s < b->n_stacks; s++)
            total += b->counts[col * b->n_stacks + s];
        top = total > top ? total : top;
    }
    step = axis_step(top);
    top = (top + step - 1) / step * step;
    if (top == 0)
        top = step; /* nothing counted: an axis from 0 to 1 */
    bar = bar > MAX_BAR_W ? MAX_BAR_W : bar;
    height = base + 36.0;
    if (TOP + LEGEND_ROW * (double)b->n_stacks + 8.0 > height)
        height = TOP + LEGEND_ROW * (double)b->n_stacks + 8.0;
    ruru_html_putf(h,
                   "<div class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" "
                   "viewBox=\"0 0 %.0f %.0f\" role=\"img\" font-family=\"DejaVu Sans, "
                   "sans-serif\" font-size=\"11\"><title>%s</title>\n",
                   WIDTH, height, b->title);
    /* the axis of counts: a line and a label per step */
    for (size_t v = 0; v <= top; v += step) {
        double y = base - PLOT_H * (double)v / (double)top;
        ruru_html_putf(h,
                       "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                       "stroke=\"%s\" stroke-width=\"%s\"/><text x=\"%.1f\" y=\"%.1f\" "
                       "text-anchor=\"end\">%zu</text>\n",
                       LEFT, y, LEFT + PLOT_W, y, v == 0 ? "#000" : "#CCC", v == 0 ? "1" : "0.5",
                       LEFT - 6.0, y + 4.0, v);
        if (v > SIZE_MAX - step)
            break;
    }
    ruru_html_putf(h,
                   "<text x=\"12\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 "
                   "12 %.1f)\">%s</text>\n",
                   TOP + PLOT_H / 2, TOP + PLOT_H / 2, b->axis);
    /* the bars, stacked from the bottom in the order of the legend */
    every = (n_cols + 11) / 12; /* at most twelve column labels fit under the plot */
    for (size_t col = 0; col < n_cols; col++) {
        double x = LEFT + slot * (double)col + (slot - bar) / 2, y = base;
        size_t total = 0;
        for (size_t s = 0; s < b->n_stacks; s++) {
            size_t n = b->counts[col * b->n_stacks + s];
            double hgt = PLOT_H * (double)n / (double)top;
            if (n == 0)
                continue;
            y -= hgt;
            total += n;
            ruru_html_putf(h,
                           "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                           "fill=\"%s\" stroke=\"#FFF\" stroke-width=\"0.5\"><title>",
                           x, y, bar, hgt, b->stacks[s].colour);
            put_label(h, &b->cols[col]);
            ruru_html_put(h, ", ");
            put_label(h, &b->stacks[s]);
            ruru_html_putf(h, ": %zu</title></rect>\n", n);
        }
        if (total > 0)
            ruru_html_putf(h, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%zu</text>\n",
                           x + bar / 2, y - 3.0, total);
        if (col % every == 0 || col == b->always_label) {
            ruru_html_putf(h, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x + bar / 2,
                           base + 16.0);
            put_label(h, &b->cols[col]);
            ruru_html_put(h, "</text>\n");
        }
    }
    for (size_t s = 0; s < b->n_stacks; s++) {
        double y = TOP + LEGEND_ROW * (double)s;
        ruru_html_putf(h,
                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\" "
                       "stroke=\"#000\" stroke-width=\"0.5\"/><text x=\"%.1f\" "
                       "y=\"%.1f\">",
                       LEGEND_X, y, b->stacks[s].colour, LEGEND_X + 18.0, y + 10.0);
        put_label(h, &b->stacks[s]);
        ruru_html_put(h, "</text>\n");
    }
    ruru_html_put(h, "</svg></div>\n");
}

/* The same counts as a table: column by stack, with the column's total. */
static void bars_table(struct ruru_html *h, const struct ruru_html_bars *b)
{
    ruru_html_putf(h, "<table class=\"chart-data\"><thead><tr><th>%s</th>", b->col_head);
    for (size_t s = 0; s < b->n_stacks; s++) {
        ruru_html_put(h, "<th class=\"n\">");
        put_label(h, &b->stacks[s]);
        ruru_html_put(h, "</th>");
    }
    ruru_html_putf(h, "<th class=\"n\">%s</th></tr></thead><tbody>\n", b->total_head);
    for (size_t col = 0; col < b->n_cols; col++) {
        size_t total = 0;
        ruru_html_put(h, "<tr><td>");
        put_label(h, &b->cols[col]);
        ruru_html_put(h, "</td>");
        for (size_t s = 0; s < b->n_stacks; s++) {
            size_t n = b->counts[col * b->n_stacks + s];
            total += n;
            ruru_html_putf(h, "<td class=\"n\">%zu</td>", n);
        }
        ruru_html_putf(h, "<td class=\"n\">%zu</td></tr>\n", total);
    }
    ruru_html_put(h, "</tbody></table>\n");
}

void ruru_html_bars(struct ruru_html *h, const struct ruru_html_bars *b)
{
    bool plain = h->plain;

    if (b->n_cols == 0)
        return;
    h->plain = true; /* SVG text holds no HTML */
    bars_draw(h, b);
    h->plain = plain;
    bars_table(h, b);
}

/* The month columns' names ("2024-07", "undated") and the stacks' (a state, a class). */
static enum ruru_err chart_labels(const struct chart *c,
                                  char (**names)[16],
                                  struct ruru_html_label **cols,
                                  struct ruru_html_label **stacks)
{
    size_t n_cols = c->n_months + (c->undated ? 1 : 0);

    *names = ruru_calloc(n_cols, sizeof(**names));
    *cols = ruru_calloc(n_cols, sizeof(**cols));
    *stacks = ruru_calloc(c->n_sponsors, sizeof(**stacks));
    if (*names == NULL || *cols == NULL || *stacks == NULL)
        return RURU_ENOMEM;
    for (size_t col = 0; col < n_cols; col++) {
        if (col == c->n_months)
            memcpy((*names)[col], "undated", 8);
        else
            snprintf((*names)[col], sizeof((*names)[col]), "%04d-%02d",
                     (c->months[col] / 12) % 10000, c->months[col] % 12 + 1);
        (*cols)[col].text = (*names)[col];
        (*cols)[col].len = strlen((*names)[col]);
    }
    for (size_t s = 0; s < c->n_sponsors; s++) {
        const struct ruru_html_sponsor *sp = &c->sponsors[s];
        (*stacks)[s].text =
                sp->kind == RURU_HTML_STATE ? sp->name : ruru_html_sponsor_class(sp->kind);
        (*stacks)[s].len = sp->kind == RURU_HTML_STATE ? sp->name_len : strlen((*stacks)[s].text);
        (*stacks)[s].colour = colour(c, s);
    }
    return RURU_OK;
}

enum ruru_err ruru_html_chart(struct ruru_html *h, const json_t *incidents)
{
    size_t n = json_array_size(incidents);
    struct chart c;
    char(*names)[16] = NULL;
    struct ruru_html_label *cols = NULL, *stacks = NULL;
    enum ruru_err err;

    if (n == 0) {
        ruru_html_put(h, "<p>No incident in this period.</p>\n");
        return RURU_OK;
    }
    memset(&c, 0, sizeof(c));
    c.months = ruru_calloc(n < MAX_SPAN_MONTHS ? MAX_SPAN_MONTHS : n, sizeof(int));
    err = c.months == NULL ? RURU_ENOMEM : chart_count(&c, incidents);
    if (err == RURU_OK)
        err = chart_labels(&c, &names, &cols, &stacks);
    if (err == RURU_OK) {
        struct ruru_html_bars b = {
                .title = "Incidents per month, by sponsor of the judged actor",
                .axis = "incidents",
                .col_head = "Month",
                .total_head = "All incidents",
                .cols = cols,
                .stacks = stacks,
                .n_cols = c.n_months + (c.undated ? 1 : 0),
                .n_stacks = c.n_sponsors,
                .counts = c.counts,
                .always_label = c.n_months,
        };
        ruru_html_bars(h, &b);
    }
    ruru_free(names);
    ruru_free(cols);
    ruru_free(stacks);
    ruru_free(c.months);
    ruru_free(c.sponsors);
    ruru_free(c.counts);
    return err;
}
