#include "runtime/machine/years.h"

#include <stdio.h>
#include <string.h>

int
rt_year_parse(const char *s, size_t len, int *out)
{
	if (len == 2 && s[0] == 'N' && (s[1] == '1' || s[1] == '2')) {
		*out = s[1] == '1' ? -2 : -1;
		return 0;
	}
	if (len == 1 && s[0] == 'R') {
		*out = 0;
		return 0;
	}
	if (len < 1 || len > 2 || s[0] < '0' || s[0] > '9' || (len == 2 && (s[1] < '0' || s[1] > '9')))
		return -1;
	int v = len == 2 ? (s[0] - '0') * 10 + (s[1] - '0') : s[0] - '0';
	if (v > RT_YEAR_LAST)
		return -1;
	*out = v;
	return 0;
}

const char *
rt_year_name(int year, char buf[8])
{
	if (year < RT_YEAR_FIRST || year > RT_YEAR_LAST)
		return strcpy(buf, "none");
	if (year < 0)
		snprintf(buf, 8, "N%d", (year + 3) % 10);
	else if (year == 0)
		strcpy(buf, "R");
	else
		snprintf(buf, 8, "%d", year % 100);
	return buf;
}

uint32_t
rt_years_pack(int from, int until)
{
	return (uint32_t)(from + 2) | (uint32_t)(until + 2) << 8;
}

int
rt_years_unpack(uint32_t operand, int *from, int *until)
{
	int f = (int)(operand & 0xff) - 2, u = (int)(operand >> 8 & 0xff) - 2;
	if (operand >> 16 || f < RT_YEAR_FIRST || u > RT_YEAR_LAST || f > u)
		return -1;
	*from = f;
	*until = u;
	return 0;
}

void
rt_years_format(int from, int until, char buf[16])
{
	char a[8], b[8];
	if (from == until)
		snprintf(buf, 16, "%s", rt_year_name(from, a));
	else
		snprintf(buf, 16, "%s-%s", rt_year_name(from, a), rt_year_name(until, b));
}

/* Key stages (Education Act 2002 s.82 and the national curriculum): 1 = Years 1-2,
 * 2 = 3-6, 3 = 7-9, 4 = 10-11; 5, the name schools give the sixth form, = 12-14. */
static const struct { int from, until; } key_stages[] = { { 1, 2 }, { 3, 6 }, { 7, 9 }, { 10, 11 }, { 12, 14 } };

/* Phases of education, as DfE's Get Information about Schools names them: nursery
 * (N1-N2), primary (R-6), secondary (7-11) and "16 plus", here sixth form (12-14). */
static const struct { const char *name; int from, until; } phases[] = {
	{ "nursery", -2, -1 }, { "primary", 0, 6 }, { "secondary", 7, 11 }, { "sixth form", 12, 14 },
};

int
rt_key_stage_years(int k, int *from, int *until)
{
	if (k < 1 || k > (int)(sizeof key_stages / sizeof key_stages[0]))
		return -1;
	*from = key_stages[k - 1].from;
	*until = key_stages[k - 1].until;
	return 0;
}

int
rt_key_stage_of(int year)
{
	for (size_t k = 0; k < sizeof key_stages / sizeof key_stages[0]; k++)
		if (year >= key_stages[k].from && year <= key_stages[k].until)
			return (int)k + 1;
	return 0;
}

int
rt_phase_years(const char *name, int *from, int *until)
{
	for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++)
		if (strcmp(phases[i].name, name) == 0) {
			*from = phases[i].from;
			*until = phases[i].until;
			return 0;
		}
	return -1;
}

const char *
rt_phase_of(int year)
{
	for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++)
		if (year >= phases[i].from && year <= phases[i].until)
			return phases[i].name;
	return NULL;
}
