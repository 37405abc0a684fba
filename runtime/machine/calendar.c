#include "runtime/machine/calendar.h"

#include <stdlib.h>

size_t
rt_calendar_upto(const struct rt_calendar *cal, rt_date date)
{
	size_t lo = 0, hi = cal->ndays;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->days[mid].date <= date)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long
rt_calendar_find(const struct rt_calendar *cal, rt_date date)
{
	size_t n = rt_calendar_upto(cal, date);
	if (n == 0 || cal->days[n - 1].date != date)
		return -1;
	return (long)(n - 1);
}

void
rt_calendar_number_weeks(struct rt_calendar *cal)
{
	uint32_t week = 0;
	for (size_t i = 0; i < cal->ndays; i++) {
		if (i > 0 && rt_date_week_start(cal->days[i].date) != rt_date_week_start(cal->days[i - 1].date))
			week++;
		cal->days[i].week = week;
	}
}

void
rt_calendar_free(struct rt_calendar *cal)
{
	free(cal->days);
	cal->days = NULL;
	cal->ndays = 0;
}
