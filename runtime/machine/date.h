/* Calendar dates and times of day, exact and timezone-free. */
#ifndef RT_DATE_H
#define RT_DATE_H

#include <stddef.h>
#include <stdint.h>

/* A date is the number of days since 1970-01-01 (proleptic Gregorian). */
typedef int32_t rt_date;

#define RT_DATE_MIN INT32_MIN /* "open" lower bound, e.g. a code valid since forever */
#define RT_DATE_MAX INT32_MAX /* "open" upper bound */

/* Days from a civil date; month 1..12, day 1..31 (not validated: see rt_date_parse). */
rt_date rt_date_from_ymd(int year, int month, int day);
void rt_date_to_ymd(rt_date d, int *year, int *month, int *day);

/* Parses exactly YYYY-MM-DD, rejecting impossible dates (2025-02-29). 0 on success, -1 on error. */
int rt_date_parse(const char *s, size_t len, rt_date *out);

/* Parses DD/MM/YYYY, day first always (03/04/2025 is 3 April), as UK school
 * systems write dates; the day and month may have one digit. 0 or -1. */
int rt_date_parse_dmy(const char *s, size_t len, rt_date *out);

/* Writes YYYY-MM-DD (11 bytes with NUL). */
void rt_date_format(rt_date d, char buf[11]);

/* Writes "14 March 2025" for explanations and letters. */
void rt_date_format_long(rt_date d, char *buf, size_t size);

/* 0 = Monday .. 6 = Sunday. */
int rt_date_weekday(rt_date d);

/* The Monday on or before d: the start of d's week (school weeks run Monday to Sunday). */
rt_date rt_date_week_start(rt_date d);

/* The school year containing d, named by the calendar year it starts in (1 August to 31 July). */
int rt_date_school_year(rt_date d);

/* Parses exactly HH:MM (00:00..23:59) into minutes since midnight. 0 on success, -1 on error. */
int rt_time_parse(const char *s, size_t len, int *minutes);

/* Writes HH:MM (6 bytes with NUL). */
void rt_time_format(int minutes, char buf[6]);

#endif
