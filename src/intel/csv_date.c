/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dates as lists write them (csv.h): beyond what ruru_time_parse reads (RFC 3339, ISO 8601
 * "YYYY-MM-DD[ HH:MM[:SS]]", epoch seconds), the forms spreadsheets and vendor portals export:
 * "2/4/2022", "2/4/2022 10:15", "2/4/2022 10:15:00 PM", "13.07.2021", "2022/02/04".
 *
 * The one hard question is the order of day and month in "2/4/2022". A date alone cannot
 * say; a file can, because one writer uses one order: a file where some slash date has a first
 * part over 12 ("13/7/2021") writes day first, one where some second part is over 12
 * ("7/13/2021") month first. ruru_csv_date_order looks at every N/N/YYYY date of the file once
 * (a pass over the bytes, made only when a slash date is met) and gives the order of the
 * dates that do not show it themselves:
 *
 *     slash dates in the file          order     "2/4/2022"     "13/7/2021"   "7/13/2021"
 *     none over 12, or 7/13/2021       MDY       4 February     13 July       13 July
 *     13/7/2021 (and none like 7/13)   DMY       2 April        13 July       13 July
 *     both 13/7/2021 and 7/13/2021     MIXED     not read       13 July       13 July
 *
 * Worked example. Microsoft's ActiniumIOC.csv has only "2/4/2022": no part over 12, so no
 * evidence, and the default order is month first (the US order, which Microsoft's and Excel's
 * US exports write): 2022-02-04. DEV-0322's "7/13/2021" is month first by evidence: 2021-07-13.
 * A file holding both "13/7/2021" and "7/13/2021" has no order: its unambiguous dates are read
 * by what they show and the ambiguous ones ("2/4/2022") are not read at all. Dotted dates
 * ("04.02.2022") are always day first: no country writes month first with dots.
 */
#include <string.h>

#include "base/str.h"
#include "base/time.h"
#include "intel/csv.h"

/* Reads 1..max digits at p[*i]; false when there is none. */
static bool digits(const char *p, size_t n, size_t *i, size_t max, unsigned *out)
{
    size_t k = 0;
    unsigned v = 0;

    while (*i + k < n && k < max && ruru_is_digit(p[*i + k])) {
        v = v * 10u + (unsigned)(p[*i + k] - '0');
        k++;
    }
    if (k == 0)
        return false;
    *i += k;
    *out = v;
    return true;
}

/* "A/B/YYYY" (or with '.' / '-') at p[0..n): the two leading parts, the year, the separator,
 * and where the date ends. Also "YYYY/MM/DD" (year_first). */
struct numeric_date {
    unsigned a, b, year;
    char sep;
    bool year_first;
    size_t end;
};

static bool numeric_date(const char *p, size_t n, struct numeric_date *d)
{
    size_t i = 0, start;
    unsigned x;

    memset(d, 0, sizeof(*d));
    start = i;
    if (!digits(p, n, &i, 4, &x) || i == n)
        return false;
    d->sep = p[i];
    if (d->sep != '/' && d->sep != '.' && d->sep != '-')
        return false;
    if (i - start == 4) {
        d->year_first = true;
        d->year = x;
        i++;
        if (!digits(p, n, &i, 2, &d->a) || i == n || p[i] != d->sep)
            return false;
        i++;
        if (!digits(p, n, &i, 2, &d->b))
            return false;
    } else {
        if (i - start > 2)
            return false;
        d->a = x;
        i++;
        if (!digits(p, n, &i, 2, &d->b) || i == n || p[i] != d->sep)
            return false;
        i++;
        start = i;
        if (!digits(p, n, &i, 4, &d->year) || i - start != 4)
            return false;
    }
    if (i < n && ruru_is_digit(p[i]))
        return false;
    d->end = i;
    return true;
}

enum ruru_csv_date_order ruru_csv_date_order(const char *data, size_t len)
{
    bool day_first = false, month_first = false;
    const char *p = data, *e = data + len;

    while (p < e && (p = memchr(p, '/', (size_t)(e - p))) != NULL) {
        /* Back to the start of the digits before the slash; then read a date there. */
        const char *s = p;
        struct numeric_date d;
        while (s > data && ruru_is_digit(s[-1]) && p - s < 4)
            s--;
        if (s < p && (s == data || !ruru_is_digit(s[-1])) && numeric_date(s, (size_t)(e - s), &d) &&
            !d.year_first && d.sep == '/') {
            day_first |= d.a > 12 && d.b <= 12;
            month_first |= d.b > 12 && d.a <= 12;
            p = s + d.end;
            continue;
        }
        p++;
    }
    if (day_first && month_first)
        return RURU_CSV_DATE_MIXED;
    return day_first ? RURU_CSV_DATE_DMY : RURU_CSV_DATE_MDY;
}

/* " 10:15", "T10:15:00", " 10:15:00 PM", with "Z" / " UTC" / " GMT" after. Seconds of day. */
static bool clock(const char *p, size_t n, int64_t *secs)
{
    size_t i = 0;
    unsigned h, m, s = 0;
    struct ruru_str rest;

    if (n == 0) {
        *secs = 0;
        return true;
    }
    if (p[0] != ' ' && p[0] != 'T' && p[0] != 't')
        return false;
    while (i < n && (p[i] == ' ' || p[i] == 'T' || p[i] == 't'))
        i++;
    if (!digits(p, n, &i, 2, &h) || i == n || p[i] != ':')
        return false;
    i++;
    if (!digits(p, n, &i, 2, &m))
        return false;
    if (i < n && p[i] == ':') {
        i++;
        if (!digits(p, n, &i, 2, &s))
            return false;
        if (i < n && p[i] == '.') /* fractions dropped, as ruru_time_parse does */
            for (i++; i < n && ruru_is_digit(p[i]); i++)
                ;
    }
    rest = ruru_str_trim(ruru_str_make(p + i, n - i));
    if (rest.len >= 2 && (ruru_lower(rest.ptr[0]) == 'a' || ruru_lower(rest.ptr[0]) == 'p') &&
        ruru_lower(rest.ptr[1]) == 'm' && (rest.len == 2 || rest.ptr[2] == ' ')) {
        if (h < 1 || h > 12)
            return false;
        h = h % 12 + (ruru_lower(rest.ptr[0]) == 'p' ? 12u : 0u);
        rest = ruru_str_trim(ruru_str_make(rest.ptr + 2, rest.len - 2));
    }
    if (rest.len > 0 && !ruru_str_ieq(rest, "z") && !ruru_str_ieq(rest, "utc") &&
        !ruru_str_ieq(rest, "gmt"))
        return false;
    if (h > 23 || m > 59 || s > 60)
        return false;
    *secs = (int64_t)h * 3600 + (int64_t)m * 60 + (int64_t)(s > 59 ? 59 : s);
    return true;
}

bool ruru_csv_date(const char *p, size_t n, enum ruru_csv_date_order order, int64_t *out)
{
    struct ruru_str s = ruru_str_trim(ruru_str_make(p, n));
    struct numeric_date d;
    unsigned day, month;
    int64_t secs;
    static const unsigned char mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (ruru_time_parse(s.ptr, s.len, out))
        return true;
    if (!numeric_date(s.ptr, s.len, &d) || !clock(s.ptr + d.end, s.len - d.end, &secs))
        return false;
    if (d.year_first) {
        month = d.a;
        day = d.b;
    } else if (d.sep == '.' || (d.a > 12 && d.b <= 12)) {
        day = d.a; /* dots, or a first part that can only be a day */
        month = d.b;
    } else if (d.b > 12 && d.a <= 12) {
        month = d.a;
        day = d.b;
    } else if (order == RURU_CSV_DATE_MIXED) {
        return false; /* both orders in one file: "2/4/2022" could be either */
    } else if (order == RURU_CSV_DATE_DMY) {
        day = d.a;
        month = d.b;
    } else {
        month = d.a;
        day = d.b;
    }
    if (month < 1 || month > 12 || day < 1 || day > mdays[month - 1] || d.year < 1900)
        return false;
    if (month == 2 && day == 29 && !(d.year % 4 == 0 && (d.year % 100 != 0 || d.year % 400 == 0)))
        return false;
    *out = ruru_days_from_civil(d.year, month, day) * 86400 + secs;
    return true;
}
