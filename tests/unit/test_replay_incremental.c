/*
 * Replay keeps each pupil's counts from one day to the next (a tally,
 * runtime/measures.h) instead of counting from the start of each period.
 * These tests prove it equal to the direct computation: random registers over
 * two school years with closures, unmarked sessions and marks outside the
 * codes, every calendar day in order and in random order (forward and back,
 * holidays and weekends included), every measure against rt_measure_compute
 * and every figure against an evaluation without a tally; and, on the example
 * register, a replay day by day against a replay of each day on its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "lang/lang.h"
#include "runtime/machine/eval.h"
#include "runtime/machine/measures.h"
#include "runtime/machine/opcodes.h"
#include "runtime/engine/engine.h"
#include "runtime/register/store.h"
#include "test_date.h"
#include "scratch_dir.h"

enum { C_PRESENT, C_LATE, C_ILL, C_UNAUTH, C_HOLIDAY, C_NOTPOSS, C_TRIP, NCODES };

/* A small deterministic generator, so that a failure can be replayed. */
static uint32_t
next_random(uint64_t *state)
{
	*state = *state * 6364136223846793005u + 1442695040888963407u;
	return (uint32_t)(*state >> 33);
}

static void
add_days(struct rt_calendar *cal, size_t *cap, rt_date from, rt_date until, int half_term, uint64_t *rng)
{
	for (rt_date d = from; d <= until; d++) {
		if (rt_date_weekday(d) >= 5)
			continue;
		if (cal->ndays == *cap) {
			*cap = *cap ? *cap * 2 : 128;
			cal->days = realloc(cal->days, *cap * sizeof *cal->days);
			assert_non_null(cal->days);
		}
		/* one day in twenty meets only in the morning or only in the afternoon */
		uint32_t r = next_random(rng) % 40;
		uint8_t open = r == 0 ? RT_OPEN_AM : r == 1 ? RT_OPEN_PM : RT_OPEN_AM | RT_OPEN_PM;
		cal->days[cal->ndays++] = (struct rt_school_day){ d, open, (uint8_t)half_term,
		                                                  (int16_t)rt_date_school_year(d), 0 };
	}
}

/* School years 2023-24 and 2024-25, six half terms each, with holidays between. */
static void
two_years(struct rt_calendar *cal, uint64_t *rng)
{
	static const int ht[6][4] = { { 9, 4, 10, 20 }, { 10, 30, 12, 20 }, { 1, 8, 2, 9 },
		                      { 2, 19, 3, 28 }, { 4, 15, 5, 24 }, { 6, 3, 7, 19 } };
	size_t cap = 0;
	memset(cal, 0, sizeof *cal);
	for (int year = 2023; year <= 2024; year++)
		for (int h = 0; h < 6; h++) {
			int y = h < 2 ? year : year + 1;
			add_days(cal, &cap, rt_date_from_ymd(y, ht[h][0], ht[h][1]), rt_date_from_ymd(y, ht[h][2], ht[h][3]),
			         h + 1, rng);
		}
	rt_calendar_number_weeks(cal);
}

/* Codes of every category, two code sets, and every counting kind over every
 * period (several school-week windows, and a window of 0 weeks, which is 1). */
static struct rt_program *
measure_program(void)
{
	struct rt_program *p = rt_program_new();
	const char *names[NCODES] = { "/", "L", "I", "O", "G", "X", "V" };
	const uint8_t cats[NCODES] = { RT_CAT_PRESENT, RT_CAT_PRESENT, RT_CAT_AUTHORISED, RT_CAT_UNAUTHORISED,
		                       RT_CAT_UNAUTHORISED, RT_CAT_NOT_POSSIBLE, RT_CAT_EDUCATIONAL };
	for (int i = 0; i < NCODES; i++) {
		struct rt_code c = { rt_program_string(p, names[i]), RT_NO_STRING, cats[i],
			             cats[i] == RT_CAT_UNAUTHORISED ? RT_CODE_PENALTY : 0, (uint8_t)i, RT_DATE_MIN,
			             RT_DATE_MAX, RT_NO_STRING, 1, RT_NO_STRING };
		rt_program_code(p, &c);
	}
	struct rt_codeset absent = { { 0 } }, unauth = { { 0 } }, attending = { { 0 } };
	rt_codeset_add(&absent, C_ILL);
	rt_codeset_add(&absent, C_UNAUTH);
	rt_codeset_add(&absent, C_HOLIDAY);
	rt_codeset_add(&unauth, C_UNAUTH);
	rt_codeset_add(&unauth, C_HOLIDAY);
	rt_codeset_add(&attending, C_PRESENT);
	rt_codeset_add(&attending, C_LATE);
	rt_codeset_add(&attending, C_TRIP);
	uint32_t sets[3] = { rt_program_codeset(p, &absent), rt_program_codeset(p, &unauth),
		             rt_program_codeset(p, &attending) };
	static const uint16_t weeks[] = { 0, 1, 3, 10, 40 };
	for (uint8_t kind = 0; kind < RT_M__COUNT; kind++) {
		if (kind == RT_M_WEEKS_SINCE || kind == RT_M_DAYS_SINCE)
			continue; /* they read the history, not the marks */
		for (uint8_t period = 0; period < RT_P__COUNT; period++)
			for (size_t w = 0; w < 5; w++) {
				if (period != RT_P_SCHOOL_WEEKS && w > 0)
					continue;
				struct rt_measure m = { kind, period, period == RT_P_SCHOOL_WEEKS ? weeks[w] : 0,
					                sets[(kind + period + w) % 3], RT_NO_STRING, 0, 0 };
				rt_program_measure(p, &m);
			}
	}
	rt_program_emit(p, RT_OP_HALT, 0, 1);
	return p;
}

/* Mostly present, with runs of absence, unmarked sessions and marks beyond the codes. */
static void
random_marks(uint8_t *marks, size_t n, uint64_t *rng)
{
	uint8_t run = C_PRESENT;
	for (size_t i = 0; i < n; i++) {
		uint32_t r = next_random(rng) % 100;
		if (r < 4)
			run = (uint8_t)(next_random(rng) % NCODES);
		else if (r < 12)
			run = C_PRESENT;
		uint8_t m = run;
		if (r >= 95)
			m = RT_NO_MARK;
		else if (r == 94)
			m = 254; /* not a code of the program: counts nowhere */
		else if (r >= 88)
			m = (uint8_t)(next_random(rng) % NCODES);
		marks[i] = m;
	}
}

static void
assert_same_value(const struct rt_value *a, const struct rt_value *b, size_t k, rt_date as_of)
{
	if (a->unit != b->unit || a->num != b->num || a->den != b->den) {
		char date[11];
		rt_date_format(as_of, date);
		fail_msg("measure %zu on %s: %lld/%lld unit %u, directly %lld/%lld unit %u", k, date, (long long)a->num,
		         (long long)a->den, a->unit, (long long)b->num, (long long)b->den, b->unit);
	}
}

/* The tallied evaluation on `as_of` against the direct scan and an evaluation without a tally. */
static void
check_day(struct rt_eval *tallied, struct rt_eval *direct, const uint8_t *marks, uint32_t *tally, rt_date as_of)
{
	const struct rt_program *p = tallied->prog;
	assert_int_equal(rt_eval_pupil_tally(tallied, marks, as_of, NULL, tally), 0);
	assert_int_equal(rt_eval_pupil(direct, marks, as_of), 0);
	for (size_t k = 0; k < p->nmeasures; k++) {
		struct rt_value want = rt_measure_compute(p, tallied->cal, &p->measures[k], marks, as_of);
		assert_same_value(&tallied->measures[k], &want, k, as_of);
		assert_same_value(&direct->measures[k], &want, k, as_of);
	}
	assert_memory_equal(&tallied->summary, &direct->summary, sizeof tallied->summary);
}

/* Every calendar day of two school years in order (weekends and holidays
 * too, where nothing moves), for many random pupils. */
static void
every_day_in_order(void **state)
{
	(void)state;
	uint64_t rng = 20240902;
	struct rt_calendar cal;
	two_years(&cal, &rng);
	struct rt_program *p = measure_program();
	struct rt_eval tallied, direct;
	assert_int_equal(rt_eval_init(&tallied, p, &cal), 0);
	assert_int_equal(rt_eval_init(&direct, p, &cal), 0);
	size_t words = rt_measure_tally_words(p);
	uint32_t *tally = malloc(words * sizeof *tally);
	uint8_t *marks = malloc(2 * cal.ndays);
	assert_non_null(tally);
	assert_non_null(marks);
	for (int pupil = 0; pupil < 12; pupil++) {
		random_marks(marks, 2 * cal.ndays, &rng);
		memset(tally, 0, words * sizeof *tally);
		for (rt_date d = rt_date_from_ymd(2023, 8, 1); d <= rt_date_from_ymd(2025, 8, 31); d++)
			check_day(&tallied, &direct, marks, tally, d);
	}
	free(marks);
	free(tally);
	rt_eval_free(&tallied);
	rt_eval_free(&direct);
	rt_program_free(p);
	rt_calendar_free(&cal);
}

/* Dates in random order: jumps forward and back, within a period and across
 * years, from one tally. */
static void
random_order(void **state)
{
	(void)state;
	uint64_t rng = 7;
	struct rt_calendar cal;
	two_years(&cal, &rng);
	struct rt_program *p = measure_program();
	struct rt_eval tallied, direct;
	assert_int_equal(rt_eval_init(&tallied, p, &cal), 0);
	assert_int_equal(rt_eval_init(&direct, p, &cal), 0);
	size_t words = rt_measure_tally_words(p);
	uint32_t *tally = calloc(words, sizeof *tally);
	uint8_t *marks = malloc(2 * cal.ndays);
	assert_non_null(tally);
	assert_non_null(marks);
	random_marks(marks, 2 * cal.ndays, &rng);
	rt_date first = rt_date_from_ymd(2023, 7, 1), last = rt_date_from_ymd(2025, 9, 30), d = first;
	for (int i = 0; i < 3000; i++) {
		uint32_t r = next_random(&rng) % 10;
		if (r < 6)
			d += (rt_date)(next_random(&rng) % 4); /* the next few days, or the same again */
		else if (r < 8)
			d -= (rt_date)(next_random(&rng) % 30); /* back a little */
		else
			d = first + (rt_date)(next_random(&rng) % (uint32_t)(last - first + 1)); /* anywhere */
		if (d < first || d > last)
			d = first;
		check_day(&tallied, &direct, marks, tally, d);
	}
	free(marks);
	free(tally);
	rt_eval_free(&tallied);
	rt_eval_free(&direct);
	rt_program_free(p);
	rt_calendar_free(&cal);
}

/* ---- the history: day by day against each day on its own ---- */

static struct reg_store *
example_register(const char *dir, const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	struct reg_store *s = NULL;
	assert_int_equal(reg_open(path, REG_CREATE, &s), 0);
	assert_int_equal(reg_import(s, "examples/calendar.csv", stderr, NULL), 0);
	assert_int_equal(reg_import(s, "examples/pupils.csv", stderr, NULL), 0);
	assert_int_equal(reg_import(s, "examples/marks.csv", stderr, NULL), 0);
	return s;
}

/* Every recorded decision, as text, in the order recorded, without the time of recording. */
static char *
dump(struct reg_store *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(reg_db(s),
	                                    "SELECT d.id, p.upn, d.as_of, d.kind, d.event, d.name, d.stage, d.detail"
	                                    " FROM decisions d JOIN pupils p ON p.id = d.pupil_id ORDER BY d.id",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int c = 0; c < 8; c++)
			fprintf(out, "%s%c", sqlite3_column_text(st, c) ? (const char *)sqlite3_column_text(st, c) : "-",
			        c == 7 ? '\n' : '|');
	sqlite3_finalize(st);
	fclose(out);
	return text;
}

/* A replay of a term carries tallies from day to day; a replay of one day
 * starts from nothing, so recording each day on its own is the direct
 * computation. The two histories are the same row for row, ids included. */
static void
day_by_day_equals_each_day_alone(void **state)
{
	(void)state;
	char dir[] = "/tmp/attend-incremental-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct lang_options lo = { NULL, 0, stderr, 0, 0 };
	struct rt_program *p = NULL;
	assert_int_equal(lang_compile_file("policies/russell-street.policy", &lo, &p), 0);
	struct reg_store *one = example_register(dir, "one.db"), *each = example_register(dir, "each.db");
	FILE *out = fopen("/dev/null", "w");
	struct eng_replay_options ro = { day("2024-09-02"), day("2025-02-14"), out, out, NULL, 1 };
	assert_int_equal(eng_replay(p, one, &ro), 0);
	assert_int_equal(sqlite3_get_autocommit(reg_db(one)), 1); /* its transaction is over */

	struct rt_calendar cal;
	assert_int_equal(reg_load_calendar(each, &cal), 0);
	size_t days = 0;
	for (size_t i = 0; i < cal.ndays; i++) {
		if (cal.days[i].date < ro.from || cal.days[i].date > ro.to)
			continue;
		struct eng_replay_options alone = { cal.days[i].date, cal.days[i].date, out, out, NULL, 1 };
		assert_int_equal(eng_replay(p, each, &alone), 0);
		days++;
	}
	assert_true(days > 50);
	char *a = dump(one), *b = dump(each);
	assert_true(strlen(a) > 1000);
	assert_string_equal(a, b);

	free(a);
	free(b);
	rt_calendar_free(&cal);
	fclose(out);
	reg_close(one);
	reg_close(each);
	rt_program_free(p);
	remove_scratch_dir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_day_in_order),
		cmocka_unit_test(random_order),
		cmocka_unit_test(day_by_day_equals_each_day_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
