/* Shared by the unit tests: a date written as YYYY-MM-DD, failing the test when it is not one. */
#ifndef TEST_DATE_H
#define TEST_DATE_H

#include <string.h>

#include "runtime/machine/date.h"

static inline rt_date
day(const char *s)
{
	rt_date d;
	assert_int_equal(rt_date_parse(s, strlen(s), &d), 0);
	return d;
}

#endif
