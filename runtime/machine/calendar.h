/*
 * The school calendar as the VM sees it: the ordered list of school days
 * (days with at least one school session), each with its half term and its
 * school week. Marks are stored per pupil in the same order, two per day
 * (AM then PM), so a day's index is also its position in a pupil's marks.
 */
#ifndef RT_CALENDAR_H
#define RT_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/machine/date.h"

#define RT_OPEN_AM 0x01
#define RT_OPEN_PM 0x02

struct rt_school_day {
	rt_date date;
	uint8_t open;       /* RT_OPEN_AM | RT_OPEN_PM: which sessions the school meets */
	uint8_t half_term;  /* 1..6 within its school year */
	int16_t year;       /* school year (rt_date_school_year) */
	uint32_t week;      /* school-week ordinal over the whole calendar: consecutive
	                       school weeks have consecutive numbers, holiday weeks none */
};

struct rt_calendar {
	struct rt_school_day *days; /* ascending by date, no duplicates */
	size_t ndays;
};

/* The number of school days on or before `date` (so days[result - 1] is the last of them). */
size_t rt_calendar_upto(const struct rt_calendar *cal, rt_date date);

/* Index of `date`, or -1 if it is not a school day. */
long rt_calendar_find(const struct rt_calendar *cal, rt_date date);

/* Fills in `week` for every day from the dates (Monday-to-Sunday weeks). */
void rt_calendar_number_weeks(struct rt_calendar *cal);

void rt_calendar_free(struct rt_calendar *cal);

#endif
