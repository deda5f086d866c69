/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time stamps: parsing the forms intel and logs use into UTC unix seconds, and printing them as
 * RFC 3339. Locale- and time-zone-free (no mktime, no TZ): a sweep must give the same answer
 * on every machine.
 */
#ifndef RURU_BASE_TIME_H
#define RURU_BASE_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "No time": absent valid_from/valid_until and the like. */
#define RURU_TIME_NONE INT64_MIN

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
int64_t ruru_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Parses, into unix seconds UTC (fractions dropped):
 *   2021-03-02T10:11:12Z, 2021-03-02T10:11:12.123456+13:00, 2021-03-02 10:11:12,
 *   2021-03-02 (midnight UTC), and plain unix seconds "1614679872" (9 to 11 digits).
 * A time without a zone is taken as UTC. Returns false when `s` is none of these, or when a
 * field is out of range. */
bool ruru_time_parse(const char *s, size_t len, int64_t *out);

/* Writes `t` as "YYYY-MM-DDTHH:MM:SSZ" into out (at least RURU_TIME_BUF bytes). */
#define RURU_TIME_BUF 32
void ruru_time_format(int64_t t, char *out);

#endif
