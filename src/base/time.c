/* SPDX-License-Identifier: Apache-2.0 */
/* Civil-date arithmetic after Howard Hinnant's days_from_civil algorithm (public domain
 * description), written from the published derivation. */
#include "base/time.h"

#include <inttypes.h>
#include <ruru.h>
#include <stdio.h>
#include <string.h>

#include "base/str.h"

int64_t ruru_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    *y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y += *m <= 2;
}

/* Reads exactly `n` digits at s[*i]; advances only on success. */
static bool digits(const char *s, size_t len, size_t *i, size_t n, unsigned *out)
{
    unsigned v = 0;

    if (*i + n > len)
        return false;
    for (size_t k = 0; k < n; k++) {
        if (!ruru_is_digit(s[*i + k]))
            return false;
        v = v * 10 + (unsigned)(s[*i + k] - '0');
    }
    *i += n;
    *out = v;
    return true;
}

static bool leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool parse_epoch(const char *s, size_t len, int64_t *out)
{
    int64_t v = 0;

    /* 9 to 11 digits: 1973 to 5138. Shorter numbers are more likely counts than times. */
    if (len < 9 || len > 11)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!ruru_is_digit(s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* The date of the last time this thread read ("2021-03-01") and its days since 1970: the lines
 * of a log share their day. Zeroed, it matches no time (a date has a '-' at 4). */
static _Thread_local struct {
    char date[10];
    int64_t days;
} last_day;

bool ruru_time_parse(const char *s, size_t len, int64_t *out)
{
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y, mo, d, h = 0, mi = 0, sec = 0, oh, om;
    int64_t t, off = 0, days;
    size_t i = 0;

    while (len > 0 && ruru_is_space(s[len - 1]))
        len--;
    while (len > 0 && ruru_is_space(s[0])) {
        s++;
        len--;
    }
    if (len >= sizeof(last_day.date) && memcmp(s, last_day.date, sizeof(last_day.date)) == 0) {
        /* a day read before (seconds since 1970 hold no '-': no epoch here) */
        days = last_day.days;
        i = sizeof(last_day.date);
    } else {
        if (parse_epoch(s, len, out))
            return true;
        if (!digits(s, len, &i, 4, &y) || i >= len || s[i++] != '-' ||
            !digits(s, len, &i, 2, &mo) || i >= len || s[i++] != '-' || !digits(s, len, &i, 2, &d))
            return false;
        if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y)))
            return false;
        days = ruru_days_from_civil(y, mo, d);
        memcpy(last_day.date, s, sizeof(last_day.date));
        last_day.days = days;
    }
    if (i < len && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
        i++;
        if (!digits(s, len, &i, 2, &h) || i >= len || s[i++] != ':' || !digits(s, len, &i, 2, &mi))
            return false;
        if (i < len && s[i] == ':') {
            i++;
            if (!digits(s, len, &i, 2, &sec))
                return false;
        }
        if (i < len && (s[i] == '.' || s[i] == ',')) {
            i++;
            if (i >= len || !ruru_is_digit(s[i]))
                return false;
            while (i < len && ruru_is_digit(s[i]))
                i++;
        }
        /* 60 is a leap second; it is folded into the next minute by the arithmetic below. */
        if (h > 23 || mi > 59 || sec > 60)
            return false;
        if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
            i++;
        } else if (i < len && (s[i] == '+' || s[i] == '-')) {
            int sign = s[i] == '-' ? -1 : 1;
            i++;
            if (!digits(s, len, &i, 2, &oh))
                return false;
            if (i < len && s[i] == ':')
                i++;
            if (!digits(s, len, &i, 2, &om))
                return false;
            if (oh > 23 || om > 59)
                return false;
            off = sign * (int64_t)(oh * 3600 + om * 60);
        } else if (i + 4 <= len && ruru_str_ieq(ruru_str_make(s + i, 4), " utc")) {
            i += 4;
        }
    }
    if (i != len)
        return false;
    t = days * 86400 + h * 3600 + mi * 60 + sec;
    *out = t - off;
    return true;
}

void ruru_time_format(int64_t t, char *out)
{
    int64_t days = t / 86400, rem = t % 86400, y;
    unsigned m, d;

    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_from_days(days, &y, &m, &d);
    snprintf(out, RURU_TIME_BUF, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ", y, m, d,
             (unsigned)(rem / 3600), (unsigned)(rem % 3600 / 60), (unsigned)(rem % 60));
}

bool ruru_parse_time(const char *s, int64_t *out)
{
    return ruru_time_parse(s, strlen(s), out);
}
