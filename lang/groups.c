#include "lang/groups.h"

#include <stdio.h>
#include <string.h>

#include "lang/arena.h"

#define YEAR_GROUPS "year groups are N1, N2, R and 1 to 14"

int
lang_year_number(struct lang_parse *ps, struct rt_value v, struct lang_loc loc)
{
	if (v.den == 1 && v.num >= 0 && v.num <= RT_YEAR_LAST)
		return (int)v.num;
	char text[32];
	rt_value_format(&v, text, sizeof text);
	lang_error(ps->diags, loc, "unknown year group '%s': " YEAR_GROUPS, text);
	ps->errors++;
	return RT_NO_YEAR;
}

int
lang_year_name(struct lang_parse *ps, const char *text, struct lang_loc loc)
{
	int year;
	if (rt_year_parse(text, strlen(text), &year) == 0)
		return year;
	lang_error(ps->diags, loc, "unknown year group '%s': " YEAR_GROUPS, text);
	ps->errors++;
	return RT_NO_YEAR;
}

struct lang_years
lang_year_range(struct lang_parse *ps, int from, int until, struct lang_loc loc)
{
	if (from == RT_NO_YEAR || until == RT_NO_YEAR)
		return (struct lang_years){ RT_NO_YEAR, RT_NO_YEAR };
	if (from > until) {
		char a[8], b[8];
		rt_year_name(from, a);
		rt_year_name(until, b);
		lang_error(ps->diags, loc, "the years %s-%s run backwards: write %s-%s (N1, N2, R, then 1 to 14)", a, b, b,
		           a);
		ps->errors++;
		return (struct lang_years){ RT_NO_YEAR, RT_NO_YEAR };
	}
	return (struct lang_years){ from, until };
}

static struct lang_expr *
years_expr(struct lang_parse *ps, struct lang_loc loc, int from, int until, const char *phrase)
{
	struct lang_expr *e = lang_expr_new(ps->arena, LANG_E_YEARS, loc);
	e->years_from = from;
	e->years_until = until;
	e->name = lang_arena_strndup(ps->arena, phrase, strlen(phrase));
	return e;
}

struct lang_expr *
lang_year_group(struct lang_parse *ps, struct lang_loc loc, struct lang_years y)
{
	char years[16], phrase[40];
	if (y.from == RT_NO_YEAR)
		y.from = y.until = 0; /* reported; any valid range keeps the checker quiet */
	rt_years_format(y.from, y.until, years);
	snprintf(phrase, sizeof phrase, "year group is %s", years);
	return years_expr(ps, loc, y.from, y.until, phrase);
}

struct lang_expr *
lang_key_stage(struct lang_parse *ps, struct lang_loc loc, struct rt_value n, struct lang_loc nloc)
{
	int from = 1, until = 2, k = n.den == 1 && n.num >= 1 && n.num <= 5 ? (int)n.num : 0;
	if (rt_key_stage_years(k, &from, &until)) {
		char text[32];
		rt_value_format(&n, text, sizeof text);
		lang_error(ps->diags, nloc, "there is no key stage %s: key stages are 1 to 5", text);
		ps->errors++;
	}
	char phrase[24];
	snprintf(phrase, sizeof phrase, "key stage %d", k ? k : 1);
	return years_expr(ps, loc, from, until, phrase);
}

struct lang_expr *
lang_phase(struct lang_parse *ps, struct lang_loc loc, const char *name, struct lang_loc nloc)
{
	int from = 0, until = 6;
	char phrase[48];
	snprintf(phrase, sizeof phrase, "phase is %.30s", name);
	if (rt_phase_years(name, &from, &until)) {
		lang_error(ps->diags, nloc, "unknown phase '%s': the phases are nursery, primary, secondary and sixth form",
		           name);
		ps->errors++;
	}
	return years_expr(ps, loc, from, until, phrase);
}

void
lang_item_set_years(struct lang_item *it, struct lang_years y, struct lang_loc loc)
{
	it->years_from = y.from;
	it->years_until = y.until;
	it->years_loc = loc;
}
