/*
 * The decision history: replaying a term day by day gives exactly the history
 * of replaying it in two halves; replaying again records nothing twice; an
 * amendment makes a rerun over the past report a difference and change
 * nothing; a day before the recorded history is refused. Also the penalty
 * notice cap, with withdrawn notices left out.
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
#include "runtime/engine/penalties.h"
#include "runtime/engine/engine.h"
#include "runtime/register/store.h"
#include "test_date.h"
#include "scratch_dir.h"

#define POLICY "policies/russell-street.policy"

static struct rt_program *
compile_policy(void)
{
	struct lang_options opt = { NULL, 0, stderr, 0, 0 };
	struct rt_program *p = NULL;
	assert_int_equal(lang_compile_file(POLICY, &opt, &p), 0);
	return p;
}

/* A fresh register holding the example school's term. */
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

static int
replay_jobs(const struct rt_program *p, struct reg_store *s, const char *from, const char *to, FILE *out, int jobs)
{
	struct eng_replay_options ro = { day(from), day(to), out, out, NULL, jobs };
	return eng_replay(p, s, &ro);
}

static int
replay(const struct rt_program *p, struct reg_store *s, const char *from, const char *to, FILE *out)
{
	return replay_jobs(p, s, from, to, out, 1);
}

/* The rows of a SELECT of seven columns, as text. */
static char *
rows_text(struct reg_store *s, const char *sql)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(reg_db(s), sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int c = 0; c < 7; c++)
			fprintf(out, "%s%c", sqlite3_column_text(st, c) ? (const char *)sqlite3_column_text(st, c) : "-",
			        c == 6 ? '\n' : '|');
	sqlite3_finalize(st);
	fclose(out);
	return text;
}

/* Every recorded decision, as text, without the time of recording. */
static char *
dump(struct reg_store *s)
{
	return rows_text(s, "SELECT p.upn, d.as_of, d.kind, d.event, d.name, d.stage, d.detail"
	                    " FROM decisions d JOIN pupils p ON p.id = d.pupil_id ORDER BY p.upn, d.as_of, d.id");
}

/* Every row, id included, in the order recorded. */
static char *
dump_ids(struct reg_store *s)
{
	return rows_text(s, "SELECT id, pupil_id, as_of, kind, event, name, detail FROM decisions ORDER BY id");
}

static void
day_by_day_equals_two_halves(void **state)
{
	(void)state;
	char dir[] = "/tmp/attend-replay-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct rt_program *p = compile_policy();
	struct reg_store *one = example_register(dir, "one.db"), *two = example_register(dir, "two.db");
	FILE *out = fopen("/dev/null", "w");

	assert_int_equal(replay(p, one, "2024-09-02", "2025-02-14", out), 0);
	assert_int_equal(replay(p, two, "2024-09-02", "2024-11-20", out), 0);
	assert_int_equal(replay(p, two, "2024-11-21", "2025-02-14", out), 0);
	char *a = dump(one), *b = dump(two);
	assert_true(strlen(a) > 1000);
	assert_string_equal(a, b);
	/* Stage 4 is reached in the term, and stage 5 rests on it four school weeks later. */
	assert_non_null(strstr(a, "Stage Four"));
	assert_non_null(strstr(a, "|stage|entered|"));

	/* Again: nothing recorded twice. */
	assert_int_equal(replay(p, two, "2024-09-02", "2025-02-14", out), 0);
	char *c = dump(two);
	assert_string_equal(a, c);

	/* An amendment changes what a rerun gives; the record stays as it was. */
	struct reg_amendment am = { "B999200122011", day("2024-09-04"), RT_PM, "/", "Register error", day("2024-09-20"),
		                   "J Smith" };
	assert_int_equal(reg_amend(two, &am), 0);
	assert_int_equal(replay(p, two, "2024-09-04", "2024-09-04", out), 1);
	char *d = dump(two);
	assert_string_equal(a, d);

	free(a);
	free(b);
	free(c);
	free(d);
	fclose(out);
	reg_close(one);
	reg_close(two);
	rt_program_free(p);
	remove_scratch_dir(dir);
}

/* The replay's own words: its summary, and the differences a rerun over an amended past reports. */
static char *
replay_text(const struct rt_program *p, struct reg_store *s, int jobs)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_int_equal(replay_jobs(p, s, "2024-09-02", "2025-02-14", out, jobs), 0);
	struct reg_amendment am = { "B999200122011", day("2024-09-04"), RT_PM, "/", "Register error", day("2024-09-20"),
		                   "J Smith" };
	assert_int_equal(reg_amend(s, &am), 0);
	struct reg_amendment am2 = { "Y999200123008", day("2024-09-05"), RT_AM, "G", "Register error",
		                    day("2024-09-20"), "J Smith" };
	assert_int_equal(reg_amend(s, &am2), 0);
	assert_int_equal(replay_jobs(p, s, "2024-09-02", "2024-10-04", out, jobs), 1);
	fclose(out);
	return text;
}

/* Any number of jobs records the same rows with the same ids, and says the same. */
static void
any_number_of_jobs_same_history(void **state)
{
	(void)state;
	char dir[] = "/tmp/attend-replay-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct rt_program *p = compile_policy();
	static const int jobs[] = { 1, 2, 3, 64 };
	char *rows[4], *said[4];
	for (size_t k = 0; k < 4; k++) {
		char name[32];
		snprintf(name, sizeof name, "jobs%d.db", jobs[k]);
		struct reg_store *s = example_register(dir, name);
		said[k] = replay_text(p, s, jobs[k]);
		rows[k] = dump_ids(s);
		reg_close(s);
	}
	assert_true(strlen(rows[0]) > 1000);
	assert_non_null(strstr(said[0], "now, but not recorded:"));
	for (size_t k = 1; k < 4; k++) {
		assert_string_equal(rows[0], rows[k]);
		assert_string_equal(said[0], said[k]);
	}
	for (size_t k = 0; k < 4; k++) {
		free(rows[k]);
		free(said[k]);
	}
	rt_program_free(p);
	remove_scratch_dir(dir);
}

static void
past_is_not_rewritten(void **state)
{
	(void)state;
	char dir[] = "/tmp/attend-replay-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct rt_program *p = compile_policy();
	struct reg_store *s = example_register(dir, "r.db");
	FILE *out = fopen("/dev/null", "w");
	assert_int_equal(replay(p, s, "2024-10-01", "2024-10-01", out), 0);
	char *before = dump(s);
	assert_int_equal(replay(p, s, "2024-09-10", "2024-09-10", out), 1);
	char *after = dump(s);
	assert_string_equal(before, after);
	/* The database itself refuses to change or remove a decision. */
	assert_int_not_equal(sqlite3_exec(reg_db(s), "DELETE FROM decisions", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(reg_db(s), "UPDATE decisions SET name = 'x'", NULL, NULL, NULL), SQLITE_OK);
	free(before);
	free(after);
	fclose(out);
	reg_close(s);
	rt_program_free(p);
	remove_scratch_dir(dir);
}

static void
cap_leaves_out_withdrawn_notices(void **state)
{
	(void)state;
	struct rt_program *p = compile_policy();
	struct reg_parent parent = { 1, "P1", "Parent One", NULL, NULL };
	struct reg_notice notices[3] = {
		{ .id = 1, .pupil_id = 1, .parent_id = "P1", .ordinal = 1, .issued = day("2024-09-20"),
		  .state = REG_NOTICE_PAID },
		{ .id = 2, .pupil_id = 1, .parent_id = "P1", .ordinal = 2, .issued = day("2024-11-20"),
		  .state = REG_NOTICE_WITHDRAWN },
		{ .id = 3, .pupil_id = 1, .parent_id = "P1", .ordinal = 2, .issued = day("2025-01-20"),
		  .state = REG_NOTICE_ISSUED },
	};
	struct eng_pupil_penalties pp = { &parent, 1, notices, 2 };
	struct eng_parent_notice pn;

	/* One paid and one withdrawn: the next is the second, at the 2024 amount. */
	eng_penalties_next(p, &pp, "P1", day("2025-01-20"), &pn);
	assert_int_equal(pn.counted, 1);
	assert_int_equal(pn.ordinal, 2);
	assert_false(pn.capped);
	assert_non_null(pn.fine);
	assert_int_equal(pn.fine->pence, 16000);

	/* Two that count: the cap is reached, until three years after the first. */
	pp.nnotices = 3;
	eng_penalties_next(p, &pp, "P1", day("2025-03-01"), &pn);
	assert_true(pn.capped);
	assert_null(pn.fine);
	eng_penalties_next(p, &pp, "P1", day("2027-09-19"), &pn);
	assert_true(pn.capped);
	/* The period ran from the first notice (2024-09-20) for 3 years; after it a
	 * notice starts a new period and is a first notice again. */
	eng_penalties_next(p, &pp, "P1", day("2027-09-21"), &pn);
	assert_false(pn.capped);
	assert_int_equal(pn.ordinal, 1);

	/* Sessions counted toward a notice issued before the day do not count again. */
	assert_int_equal(eng_penalties_counted_until(&pp, day("2024-09-19")), RT_DATE_MIN);
	/* a notice issued today covers today's sessions: the same day cannot give a second */
	assert_int_equal(eng_penalties_counted_until(&pp, day("2024-09-20")), day("2024-09-20"));
	assert_int_equal(eng_penalties_counted_until(&pp, day("2024-12-01")), day("2024-11-20"));
	rt_program_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(day_by_day_equals_two_halves),
		cmocka_unit_test(any_number_of_jobs_same_history),
		cmocka_unit_test(past_is_not_rewritten),
		cmocka_unit_test(cap_leaves_out_withdrawn_notices),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
