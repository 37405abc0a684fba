/* What the fuzz targets share: a calendar, /dev/null, failing loudly. */
#include "fuzz.h"

#include <stdlib.h>

#include "runtime/machine/date.h"

FILE *
fuzz_devnull(void)
{
	static FILE *f;
	if (!f && !(f = fopen("/dev/null", "w")))
		abort();
	return f;
}

const struct rt_calendar *
fuzz_calendar(void)
{
	static struct rt_school_day days[60];
	static struct rt_calendar cal = { days, 0 };
	if (cal.ndays)
		return &cal;
	rt_date d = rt_date_from_ymd(2024, 9, 2);
	for (size_t n = 0; n < 60; d++) {
		if (rt_date_weekday(d) >= 5)
			continue;
		days[n] = (struct rt_school_day){ .date = d, .open = RT_OPEN_AM | RT_OPEN_PM, .half_term = 1,
		                                  .year = 2024, .week = (uint32_t)(n / 5) };
		n++;
	}
	cal.ndays = 60;
	return &cal;
}

void
fuzz_fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz: invariant broken: %s: %s\n", what, detail ? detail : "");
	abort();
}
