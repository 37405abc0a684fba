/*
 * Register measures on a hand-built calendar: summer half term 6 of 2023-24
 * (3 June to 19 July 2024), autumn half term 1 (2 September to 25 October),
 * the half-term holiday week, half term 2 (4 November to 20 December) and
 * spring half term 3 (6 January to 14 February 2025).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "runtime/machine/eval.h"
#include "runtime/machine/opcodes.h"

enum { C_PRESENT, C_ILL, C_UNAUTH, C_HOLIDAY, C_NOTPOSS, C_ILL_SUB, NCODES };

struct world {
	struct rt_calendar cal;
	struct rt_program *prog;
	uint8_t *marks;
	uint32_t unauth_set, absent_set;
};

static void
add_days(struct rt_calendar *cal, size_t *cap, rt_date from, rt_date until, int half_term)
{
	for (rt_date d = from; d <= until; d++) {
		if (rt_date_weekday(d) >= 5)
			continue;
		if (cal->ndays == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			cal->days = realloc(cal->days, *cap * sizeof *cal->days);
			assert_non_null(cal->days);
		}
		cal->days[cal->ndays++] = (struct rt_school_day){ d, RT_OPEN_AM | RT_OPEN_PM, (uint8_t)half_term,
		                                                  (int16_t)rt_date_school_year(d), 0 };
	}
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	size_t cap = 0;
	add_days(&w->cal, &cap, rt_date_from_ymd(2024, 6, 3), rt_date_from_ymd(2024, 7, 19), 6);
	add_days(&w->cal, &cap, rt_date_from_ymd(2024, 9, 2), rt_date_from_ymd(2024, 10, 25), 1);
	add_days(&w->cal, &cap, rt_date_from_ymd(2024, 11, 4), rt_date_from_ymd(2024, 12, 20), 2);
	add_days(&w->cal, &cap, rt_date_from_ymd(2025, 1, 6), rt_date_from_ymd(2025, 2, 14), 3);
	rt_calendar_number_weeks(&w->cal);

	struct rt_program *p = rt_program_new();
	const char *names[NCODES] = { "/", "I", "U", "G", "X", "I01" };
	const uint8_t cats[NCODES] = { RT_CAT_PRESENT, RT_CAT_AUTHORISED, RT_CAT_UNAUTHORISED, RT_CAT_UNAUTHORISED,
	                               RT_CAT_NOT_POSSIBLE, RT_CAT_AUTHORISED };
	for (int i = 0; i < NCODES; i++) {
		struct rt_code c = { rt_program_string(p, names[i]), RT_NO_STRING, cats[i],
		                     cats[i] == RT_CAT_UNAUTHORISED ? RT_CODE_PENALTY : 0,
		                     (uint8_t)(i == C_ILL_SUB ? C_ILL : i), RT_DATE_MIN, RT_DATE_MAX, RT_NO_STRING, 1,
		                     RT_NO_STRING };
		rt_program_code(p, &c);
	}
	struct rt_codeset unauth = { { 0 } }, absent = { { 0 } };
	rt_codeset_add(&unauth, C_UNAUTH);
	rt_codeset_add(&unauth, C_HOLIDAY);
	absent = unauth;
	rt_codeset_add(&absent, C_ILL);
	rt_codeset_add(&absent, C_ILL_SUB);
	w->unauth_set = rt_program_codeset(p, &unauth);
	w->absent_set = rt_program_codeset(p, &absent);
	w->prog = p;
	w->marks = malloc(2 * w->cal.ndays);
	memset(w->marks, C_PRESENT, 2 * w->cal.ndays);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;
	rt_program_free(w->prog);
	rt_calendar_free(&w->cal);
	free(w->marks);
	free(w);
	return 0;
}

static rt_date
ymd(int y, int m, int d)
{
	return rt_date_from_ymd(y, m, d);
}

/* Sets the mark of one session. */
static void
mark(struct world *w, rt_date d, int session, uint8_t code)
{
	long i = rt_calendar_find(&w->cal, d);
	assert_true(i >= 0);
	w->marks[2 * i + session] = code;
}

static struct rt_value
measure(struct world *w, uint8_t kind, uint8_t period, uint16_t weeks, uint32_t set, rt_date as_of)
{
	struct rt_measure m = { kind, period, weeks, set, RT_NO_STRING, 0, 0 };
	return rt_measure_compute(w->prog, &w->cal, &m, w->marks, as_of);
}

static void
assert_value(struct rt_value v, int64_t num, int64_t den, uint8_t unit)
{
	struct rt_value want = { num, den, unit };
	assert_int_equal(v.unit, unit);
	if (rt_value_compare(&v, &want) != 0)
		fail_msg("value %lld/%lld, expected %lld/%lld", (long long)v.num, (long long)v.den, (long long)num,
		         (long long)den);
}

/* Ten unauthorised sessions in ten school weeks, the window reaching back over the holiday week. */
static void
test_window_skips_holiday_week(void **state)
{
	struct world *w = *state;
	mark(w, ymd(2024, 9, 2), 0, C_UNAUTH);   /* first day of the window as of 13 November */
	for (int d = 0; d < 4; d++)
		mark(w, ymd(2024, 9, 16 + d), 1, C_HOLIDAY);
	for (int d = 0; d < 4; d++)
		mark(w, ymd(2024, 10, 21 + d), 0, C_UNAUTH);
	mark(w, ymd(2024, 11, 12), 1, C_UNAUTH); /* 10th */
	mark(w, ymd(2024, 11, 14), 0, C_UNAUTH); /* after the as-of date */

	rt_date as_of = ymd(2024, 11, 13);
	assert_value(measure(w, RT_M_SESSIONS, RT_P_SCHOOL_WEEKS, 10, w->unauth_set, as_of), 10, 1, RT_UNIT_SESSIONS);
	/* a week later the window starts on 9 September: 9 in the window, then 10 again with the 14 Nov one */
	assert_value(measure(w, RT_M_SESSIONS, RT_P_SCHOOL_WEEKS, 10, w->unauth_set, ymd(2024, 11, 18)), 10, 1,
	             RT_UNIT_SESSIONS);
	mark(w, ymd(2024, 11, 14), 0, C_PRESENT);
	assert_value(measure(w, RT_M_SESSIONS, RT_P_SCHOOL_WEEKS, 10, w->unauth_set, ymd(2024, 11, 18)), 9, 1,
	             RT_UNIT_SESSIONS);
	/* as of a Saturday the window ends with that week */
	assert_value(measure(w, RT_M_SESSIONS, RT_P_SCHOOL_WEEKS, 1, w->unauth_set, ymd(2024, 11, 16)), 1, 1,
	             RT_UNIT_SESSIONS);
	/* as of a day in the holiday week, the window ends with the last school week before it */
	assert_value(measure(w, RT_M_SESSIONS, RT_P_SCHOOL_WEEKS, 1, w->unauth_set, ymd(2024, 10, 30)), 4, 1,
	             RT_UNIT_SESSIONS);
}

/* A window spans the summer holiday and the start of a new school year. */
static void
test_window_crosses_year(void **state)
{
	struct world *w = *state;
	mark(w, ymd(2024, 7, 12), 0, C_UNAUTH); /* outside a 3-week window as of 11 September */
	mark(w, ymd(2024, 7, 15), 0, C_UNAUTH);
	mark(w, ymd(2024, 7, 19), 1, C_UNAUTH);
	mark(w, ymd(2024, 9, 3), 0, C_HOLIDAY);
	rt_date as_of = ymd(2024, 9, 11);
	assert_value(measure(w, RT_M_SESSIONS, RT_P_SCHOOL_WEEKS, 3, w->unauth_set, as_of), 3, 1, RT_UNIT_SESSIONS);
	assert_value(measure(w, RT_M_SESSIONS, RT_P_SCHOOL_WEEKS, 4, w->unauth_set, as_of), 4, 1, RT_UNIT_SESSIONS);
	/* this school year only has the September one */
	assert_value(measure(w, RT_M_SESSIONS, RT_P_YEAR, 0, w->unauth_set, as_of), 1, 1, RT_UNIT_SESSIONS);
}

/* Exactly 10.0%: 38 absences in 380 possible sessions compares equal to 10%; 37 does not reach it. */
static void
test_rate_exact(void **state)
{
	struct world *w = *state;
	/* 2 September to 14 February: 21 school weeks, 105 days, 210 sessions; none absent yet */
	rt_date as_of = ymd(2025, 2, 14);
	assert_value(measure(w, RT_M_SESSIONS, RT_P_YEAR, 0, w->absent_set, as_of), 0, 1, RT_UNIT_SESSIONS);
	/* 20 not possible leaves 190 possible; 19 absences are exactly 10% */
	long first = rt_calendar_find(&w->cal, ymd(2024, 9, 2));
	for (int i = 0; i < 20; i++)
		w->marks[2 * first + i] = C_NOTPOSS;
	for (int i = 20; i < 39; i++)
		w->marks[2 * first + i] = i % 2 ? C_ILL_SUB : C_UNAUTH;
	struct rt_value rate = measure(w, RT_M_RATE, RT_P_YEAR, 0, w->absent_set, as_of);
	assert_value(rate, 10, 1, RT_UNIT_PERCENT);
	assert_int_equal(rate.den, 190);
	struct rt_value ten = { 10, 1, RT_UNIT_PERCENT }, just_below = { 999, 100, RT_UNIT_PERCENT };
	assert_int_equal(rt_value_compare(&rate, &ten), 0);
	assert_true(rt_value_compare(&rate, &just_below) > 0);
	w->marks[2 * first + 38] = C_PRESENT; /* 18 of 190 = 9.47% */
	rate = measure(w, RT_M_RATE, RT_P_YEAR, 0, w->absent_set, as_of);
	assert_true(rt_value_compare(&rate, &ten) < 0);
	/* nothing possible: no rate at all (so no rule on it can hold), not 0% and not a division by zero */
	assert_value(measure(w, RT_M_RATE, RT_P_YEAR, 0, w->absent_set, ymd(2024, 8, 20)), 0, 1, RT_UNIT_NONE_VALUE);
}

static void
test_days_are_half_sessions(void **state)
{
	struct world *w = *state;
	mark(w, ymd(2024, 9, 2), 0, C_ILL);
	mark(w, ymd(2024, 9, 2), 1, C_ILL_SUB);
	mark(w, ymd(2024, 9, 3), 0, C_UNAUTH);
	struct rt_value days = measure(w, RT_M_DAYS, RT_P_YEAR, 0, w->absent_set, ymd(2024, 9, 30));
	assert_value(days, 3, 2, RT_UNIT_DAYS);
	assert_value(days, 15, 10, RT_UNIT_DAYS);
}

static void
test_consecutive_days(void **state)
{
	struct world *w = *state;
	/* Monday to Wednesday absent; Thursday not registered yet */
	for (int d = 0; d < 3; d++) {
		mark(w, ymd(2024, 11, 11 + d), 0, C_ILL);
		mark(w, ymd(2024, 11, 11 + d), 1, C_UNAUTH);
	}
	mark(w, ymd(2024, 11, 14), 0, RT_NO_MARK);
	mark(w, ymd(2024, 11, 14), 1, RT_NO_MARK);
	assert_value(measure(w, RT_M_CONSECUTIVE_DAYS, RT_P_YEAR, 0, w->absent_set, ymd(2024, 11, 14)), 3, 1,
	             RT_UNIT_DAYS);
	/* only the unauthorised codes: every day had an I, so no run */
	assert_value(measure(w, RT_M_CONSECUTIVE_DAYS, RT_P_YEAR, 0, w->unauth_set, ymd(2024, 11, 14)), 0, 1,
	             RT_UNIT_DAYS);
	/* a not-possible day in the middle neither counts nor breaks */
	mark(w, ymd(2024, 11, 12), 0, C_NOTPOSS);
	mark(w, ymd(2024, 11, 12), 1, C_NOTPOSS);
	assert_value(measure(w, RT_M_CONSECUTIVE_DAYS, RT_P_YEAR, 0, w->absent_set, ymd(2024, 11, 14)), 2, 1,
	             RT_UNIT_DAYS);
	/* an unmarked day in the middle breaks the run */
	mark(w, ymd(2024, 11, 12), 0, RT_NO_MARK);
	mark(w, ymd(2024, 11, 12), 1, RT_NO_MARK);
	assert_value(measure(w, RT_M_CONSECUTIVE_DAYS, RT_P_YEAR, 0, w->absent_set, ymd(2024, 11, 14)), 1, 1,
	             RT_UNIT_DAYS);
	/* a present morning ends it */
	mark(w, ymd(2024, 11, 13), 0, C_PRESENT);
	assert_value(measure(w, RT_M_CONSECUTIVE_DAYS, RT_P_YEAR, 0, w->absent_set, ymd(2024, 11, 14)), 0, 1,
	             RT_UNIT_DAYS);
	/* school days either side of the holiday week are consecutive */
	mark(w, ymd(2024, 10, 25), 0, C_ILL);
	mark(w, ymd(2024, 10, 25), 1, C_ILL);
	mark(w, ymd(2024, 11, 4), 0, C_ILL);
	mark(w, ymd(2024, 11, 4), 1, C_ILL);
	assert_value(measure(w, RT_M_CONSECUTIVE_DAYS, RT_P_YEAR, 0, w->absent_set, ymd(2024, 11, 4)), 2, 1,
	             RT_UNIT_DAYS);
}

/* A run of absence carries over the summer holiday into the new school year. */
static void
test_consecutive_days_cross_year(void **state)
{
	struct world *w = *state;
	for (int d = 0; d < 5; d++) {
		mark(w, ymd(2024, 7, 15 + d), 0, C_UNAUTH);
		mark(w, ymd(2024, 7, 15 + d), 1, C_UNAUTH);
	}
	for (int d = 0; d < 3; d++) {
		mark(w, ymd(2024, 9, 2 + d), 0, C_UNAUTH);
		mark(w, ymd(2024, 9, 2 + d), 1, C_UNAUTH);
	}
	assert_value(measure(w, RT_M_CONSECUTIVE_DAYS, RT_P_YEAR, 0, w->absent_set, ymd(2024, 9, 4)), 8, 1,
	             RT_UNIT_DAYS);
	mark(w, ymd(2024, 7, 17), 1, C_PRESENT);
	assert_value(measure(w, RT_M_CONSECUTIVE_DAYS, RT_P_YEAR, 0, w->absent_set, ymd(2024, 9, 4)), 5, 1,
	             RT_UNIT_DAYS);
}

static void
test_half_term_number_and_periods(void **state)
{
	struct world *w = *state;
	struct { rt_date as_of; int half_term; } cases[] = {
		{ ymd(2024, 11, 13), 2 }, { ymd(2024, 10, 30), 1 }, /* holiday: the half term before it */
		{ ymd(2024, 9, 2), 1 },   { ymd(2025, 1, 20), 3 },
		{ ymd(2024, 8, 20), 0 },  /* new school year, before its first day */
		{ ymd(2024, 7, 19), 6 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_value(measure(w, RT_M_HALF_TERM, RT_P_YEAR, 0, 0, cases[i].as_of), cases[i].half_term, 1,
		             RT_UNIT_NONE);

	mark(w, ymd(2024, 9, 10), 0, C_UNAUTH);  /* half term 1 */
	mark(w, ymd(2024, 11, 5), 0, C_UNAUTH);  /* half term 2 */
	mark(w, ymd(2025, 1, 7), 0, C_UNAUTH);   /* half term 3: the spring term */
	mark(w, ymd(2024, 7, 1), 0, C_UNAUTH);   /* last school year */
	rt_date nov = ymd(2024, 11, 20), jan = ymd(2025, 1, 20);
	assert_value(measure(w, RT_M_SESSIONS, RT_P_HALF_TERM, 0, w->unauth_set, nov), 1, 1, RT_UNIT_SESSIONS);
	assert_value(measure(w, RT_M_SESSIONS, RT_P_TERM, 0, w->unauth_set, nov), 2, 1, RT_UNIT_SESSIONS);
	assert_value(measure(w, RT_M_SESSIONS, RT_P_YEAR, 0, w->unauth_set, nov), 2, 1, RT_UNIT_SESSIONS);
	assert_value(measure(w, RT_M_SESSIONS, RT_P_TERM, 0, w->unauth_set, jan), 1, 1, RT_UNIT_SESSIONS);
	assert_value(measure(w, RT_M_SESSIONS, RT_P_YEAR, 0, w->unauth_set, jan), 3, 1, RT_UNIT_SESSIONS);
}

/* A session the school does not meet is not counted, even with a mark. */
static void
test_closed_sessions_not_counted(void **state)
{
	struct world *w = *state;
	long i = rt_calendar_find(&w->cal, ymd(2024, 9, 6));
	w->cal.days[i].open = RT_OPEN_AM;
	mark(w, ymd(2024, 9, 6), 1, C_UNAUTH);
	mark(w, ymd(2024, 9, 5), 1, RT_NO_MARK);
	rt_date as_of = ymd(2024, 9, 6);
	assert_value(measure(w, RT_M_SESSIONS, RT_P_YEAR, 0, w->unauth_set, as_of), 0, 1, RT_UNIT_SESSIONS);
	/* 5 days, 9 open sessions, one unmarked: 8 possible */
	struct rt_codeset all = { { 0 } };
	for (int c = 0; c < NCODES; c++)
		rt_codeset_add(&all, (unsigned)c);
	uint32_t all_set = rt_program_codeset(w->prog, &all);
	assert_value(measure(w, RT_M_SESSIONS, RT_P_YEAR, 0, all_set, as_of), 8, 1, RT_UNIT_SESSIONS);
	w->cal.days[i].open = RT_OPEN_AM | RT_OPEN_PM;
}

/* A measure of every kind over every period, and a program that stops at once. */
static void
add_every_measure(struct world *w)
{
	static const uint16_t weeks[] = { 1, 3, 10, 40 };
	for (uint8_t kind = 0; kind < RT_M__COUNT; kind++)
		for (uint8_t period = 0; period < RT_P__COUNT; period++)
			for (size_t k = 0; k < 4; k++) {
				if (period != RT_P_SCHOOL_WEEKS && k > 0)
					continue;
				struct rt_measure m = { kind, period, period == RT_P_SCHOOL_WEEKS ? weeks[k] : 0,
				                        k % 2 ? w->unauth_set : w->absent_set, RT_NO_STRING, 0, 0 };
				rt_program_measure(w->prog, &m);
			}
	rt_program_emit(w->prog, RT_OP_HALT, 0, 1);
}

/* The VM's one-pass histograms give the same values as the direct scan, for every kind and period. */
static void
test_eval_matches_direct_scan(void **state)
{
	struct world *w = *state;
	srand(7);
	for (size_t i = 0; i < 2 * w->cal.ndays; i++) {
		int r = rand() % 20;
		w->marks[i] = r < NCODES ? (uint8_t)r : r == 19 ? RT_NO_MARK : C_PRESENT;
	}
	struct rt_program *p = w->prog;
	add_every_measure(w);
	struct rt_eval ev;
	assert_int_equal(rt_eval_init(&ev, p, &w->cal), 0);
	const rt_date dates[] = { ymd(2024, 6, 3), ymd(2024, 8, 20), ymd(2024, 9, 11), ymd(2024, 10, 30),
	                          ymd(2024, 11, 16), ymd(2025, 1, 6), ymd(2025, 3, 1) };
	for (size_t d = 0; d < sizeof dates / sizeof dates[0]; d++) {
		assert_int_equal(rt_eval_pupil(&ev, w->marks, dates[d]), 0);
		for (size_t k = 0; k < p->nmeasures; k++) {
			struct rt_value direct = rt_measure_compute(p, &w->cal, &p->measures[k], w->marks, dates[d]);
			assert_int_equal(ev.measures[k].unit, direct.unit);
			assert_int_equal(ev.measures[k].num, direct.num);
			assert_int_equal(ev.measures[k].den, direct.den);
		}
	}
	rt_eval_free(&ev);
}

/* Translating and counting stored marks in one pass (rt_eval_load_marks) gives
 * the translation and every value of translating first and counting after:
 * codes the policy lacks, unknown ids, a short record and a half-closed day. */
static void
test_load_marks_matches_translate_then_count(void **state)
{
	struct world *w = *state;
	size_t n = 2 * w->cal.ndays;
	uint8_t xlat[256], flags[256] = { 0 }, *stored = malloc(n), *mine = malloc(n);
	memset(xlat, RT_NO_MARK, sizeof xlat);
	for (int c = 0; c < NCODES; c++)
		xlat[c + 1] = (uint8_t)c;
	xlat[NCODES + 1] = 254; /* a code the policy lacks: counts nowhere */
	flags[C_HOLIDAY] = 4;
	srand(11);
	for (size_t i = 0; i < n; i++)
		stored[i] = (uint8_t)(rand() % (NCODES + 4)); /* 0 no mark; the last two unknown ids */
	long am_only = rt_calendar_find(&w->cal, ymd(2024, 10, 2)), pm_only = rt_calendar_find(&w->cal, ymd(2024, 9, 6));
	w->cal.days[am_only].open = RT_OPEN_AM;
	w->cal.days[pm_only].open = RT_OPEN_PM;
	stored[2 * am_only + 1] = stored[2 * pm_only] = C_UNAUTH + 1; /* marked, but not to be counted */
	add_every_measure(w);
	struct rt_code_map map;
	rt_code_map_init(&map, xlat);
	struct rt_eval a, b;
	assert_int_equal(rt_eval_init(&a, w->prog, &w->cal), 0);
	assert_int_equal(rt_eval_init(&b, w->prog, &w->cal), 0);
	const rt_date dates[] = { ymd(2024, 9, 11), ymd(2024, 10, 30), ymd(2025, 1, 6), ymd(2025, 3, 1) };
	for (size_t have = n - 41; have <= n; have += 41)
		for (size_t d = 0; d < sizeof dates / sizeof dates[0]; d++) {
			uint8_t seen = 0;
			for (size_t i = 0; i < n; i++) {
				w->marks[i] = i < have ? xlat[stored[i]] : RT_NO_MARK;
				seen |= flags[w->marks[i]];
			}
			assert_int_equal(rt_eval_load_marks(&a, dates[d], &map, flags, stored, have, mine), seen);
			assert_memory_equal(mine, w->marks, n);
			assert_int_equal(rt_eval_pupil(&a, mine, dates[d]), 0);
			assert_int_equal(rt_eval_pupil(&b, w->marks, dates[d]), 0);
			assert_memory_equal(&a.summary, &b.summary, sizeof a.summary);
			for (size_t k = 0; k < w->prog->nmeasures; k++) {
				assert_int_equal(a.measures[k].num, b.measures[k].num);
				assert_int_equal(a.measures[k].den, b.measures[k].den);
			}
		}
	/* a pupil with no marks stored at all */
	memset(w->marks, RT_NO_MARK, n);
	assert_int_equal(rt_eval_load_marks(&a, dates[1], &map, flags, NULL, 0, mine), 0);
	assert_memory_equal(mine, w->marks, n);
	assert_int_equal(rt_eval_pupil(&a, mine, dates[1]), 0);
	assert_int_equal(rt_eval_pupil(&b, w->marks, dates[1]), 0);
	assert_memory_equal(&a.summary, &b.summary, sizeof a.summary);
	rt_eval_free(&a);
	rt_eval_free(&b);
	free(stored);
	free(mine);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_window_skips_holiday_week, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_crosses_year, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_days_are_half_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_consecutive_days, setup, teardown),
		cmocka_unit_test_setup_teardown(test_consecutive_days_cross_year, setup, teardown),
		cmocka_unit_test_setup_teardown(test_half_term_number_and_periods, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_sessions_not_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eval_matches_direct_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_marks_matches_translate_then_count, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
