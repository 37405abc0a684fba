#include "runtime/machine/date.h"

#include <string.h>
#include <stdio.h>

/* Howard Hinnant's days_from_civil / civil_from_days: exact for every int32 day. */
rt_date
rt_date_from_ymd(int year, int month, int day)
{
	int y = year - (month <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int mp = (month + 9) % 12;
	int doy = (153 * mp + 2) / 5 + day - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (rt_date)(era * 146097 + doe - 719468);
}

void
rt_date_to_ymd(rt_date d, int *year, int *month, int *day)
{
	int64_t z = (int64_t)d + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	*year = (int)(y + (m <= 2));
	*month = (int)m;
	*day = (int)dd;
}

static int
digits(const char *s, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
days_in_month(int year, int month)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 ? 28 + leap : dim[month - 1];
}

int
rt_date_parse(const char *s, size_t len, rt_date *out)
{
	int y, m, d;
	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
		return -1;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*out = rt_date_from_ymd(y, m, d);
	return 0;
}

int
rt_date_parse_dmy(const char *s, size_t len, rt_date *out)
{
	const char *slash1 = memchr(s, '/', len);
	const char *slash2 = slash1 ? memchr(slash1 + 1, '/', len - (size_t)(slash1 + 1 - s)) : NULL;
	if (!slash2)
		return -1;
	size_t dl = (size_t)(slash1 - s), ml = (size_t)(slash2 - slash1 - 1), yl = len - (size_t)(slash2 + 1 - s);
	int y, m, d;
	if (dl < 1 || dl > 2 || ml < 1 || ml > 2 || yl != 4)
		return -1;
	if (digits(s, dl, &d) || digits(slash1 + 1, ml, &m) || digits(slash2 + 1, 4, &y))
		return -1;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*out = rt_date_from_ymd(y, m, d);
	return 0;
}

void
rt_date_format(rt_date d, char buf[11])
{
	int y, m, dd;
	rt_date_to_ymd(d, &y, &m, &dd);
	/* By hand, not snprintf: imports format a date for every mark. */
	unsigned uy = (unsigned)(y % 10000 + 10000) % 10000, um = (unsigned)m % 100u, ud = (unsigned)dd % 100u;
	buf[0] = (char)('0' + uy / 1000);
	buf[1] = (char)('0' + uy / 100 % 10);
	buf[2] = (char)('0' + uy / 10 % 10);
	buf[3] = (char)('0' + uy % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + um / 10);
	buf[6] = (char)('0' + um % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + ud / 10);
	buf[9] = (char)('0' + ud % 10);
	buf[10] = '\0';
}

void
rt_date_format_long(rt_date d, char *buf, size_t size)
{
	static const char *months[12] = { "January", "February", "March", "April", "May", "June",
		"July", "August", "September", "October", "November", "December" };
	int y, m, dd;
	rt_date_to_ymd(d, &y, &m, &dd);
	snprintf(buf, size, "%d %s %d", dd, months[m - 1], y);
}

int
rt_date_weekday(rt_date d)
{
	/* 1970-01-01 was a Thursday (3). */
	int64_t w = ((int64_t)d + 3) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

rt_date
rt_date_week_start(rt_date d)
{
	return d - rt_date_weekday(d);
}

int
rt_date_school_year(rt_date d)
{
	int y, m, dd;
	rt_date_to_ymd(d, &y, &m, &dd);
	return m >= 8 ? y : y - 1;
}

int
rt_time_parse(const char *s, size_t len, int *minutes)
{
	int h, m;
	if (len != 5 || s[2] != ':')
		return -1;
	if (digits(s, 2, &h) || digits(s + 3, 2, &m) || h > 23 || m > 59)
		return -1;
	*minutes = h * 60 + m;
	return 0;
}

void
rt_time_format(int minutes, char buf[6])
{
	unsigned m = (unsigned)minutes;
	snprintf(buf, 6, "%02u:%02u", m / 60 % 100, m % 60);
}
