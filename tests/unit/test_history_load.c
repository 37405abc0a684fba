/*
 * The book of rule states read from the register in storage order
 * (eng_history_book_load) equals the states the recorded events leave when
 * applied one by one in pupil, date and recording order (plain SQL here, and
 * eng_history_apply): after a replay, and with rows recorded out of date order
 * and two events of one rule on one day, as of several days, for every pupil
 * and for one.
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
#include "runtime/engine/engine.h"
#include "runtime/engine/history.h"
#include "runtime/register/store.h"

#include "store_query.h"
#include "test_date.h"
#include "scratch_dir.h"

/* Pupil `id`'s held_since in `book`, nothing held when it has no entry. */
static void
held_of(const struct eng_history_book *book, size_t nrules, int64_t id, rt_date *out)
{
	const rt_date *h = eng_history_book_find(book, id);
	for (size_t r = 0; r < nrules; r++)
		out[r] = h ? h[r] : RT_DATE_MAX;
}

/* The reference: pupil `id`'s events of `policy` before `before` (none unless the pupil is `upn`,
 * when given), read in date then recording order and applied one by one. */
static void
applied_in_order(const struct rt_program *p, struct reg_store *s, const char *policy, const char *before,
                 const char *upn, int64_t id, rt_date *held)
{
	static const char *const events[] = { "entered", "left", "due" };
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(reg_db(s),
	                                    "SELECT d.as_of, d.kind, d.event, d.stage, d.name FROM decisions d"
	                                    " JOIN pupils p ON p.id = d.pupil_id WHERE d.policy = ?1 AND d.as_of < ?2"
	                                    " AND d.pupil_id = ?3 AND (?4 IS NULL OR p.upn = ?4) ORDER BY d.as_of, d.id",
	                                    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, policy, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, before, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id);
	if (upn)
		sqlite3_bind_text(st, 4, upn, -1, SQLITE_STATIC);
	eng_history_clear(held, p->nrules);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct reg_decision d = { .pupil_id = id, .as_of = day((const char *)sqlite3_column_text(st, 0)),
			                  .kind = (const char *)sqlite3_column_text(st, 1), .event = 255,
			                  .stage = sqlite3_column_int(st, 3), .name = (char *)sqlite3_column_text(st, 4) };
		for (uint8_t e = 0; e < 3; e++)
			if (strcmp((const char *)sqlite3_column_text(st, 2), events[e]) == 0)
				d.event = e;
		assert_true(d.event != 255);
		eng_history_apply(p, held, &d);
	}
	sqlite3_finalize(st);
}

/* The loaded book against the reference, as of `before` (of one pupil when upn); returns how
 * many rule states are held. */
static size_t
same_books(const struct rt_program *p, struct reg_store *s, const char *before, const char *upn)
{
	const char *policy = eng_history_policy_key(p);
	struct eng_history_book loaded;
	assert_int_equal(eng_history_book_load(&loaded, p, s, policy, day(before), upn), 0);
	rt_date a[64], b[64];
	assert_true(p->nrules <= 64);
	size_t held = 0;
	long pupils = query_int(s, "SELECT max(id) FROM pupils");
	for (int64_t id = 1; id <= pupils; id++) {
		applied_in_order(p, s, policy, before, upn, id, a);
		held_of(&loaded, p->nrules, id, b);
		assert_memory_equal(a, b, p->nrules * sizeof *a);
		for (size_t r = 0; r < p->nrules; r++)
			held += a[r] != RT_DATE_MAX;
	}
	eng_history_book_free(&loaded);
	return held;
}

static void
insert(struct reg_store *s, const char *as_of, const char *kind, const char *event, const char *name, int stage)
{
	char sql[512];
	snprintf(sql, sizeof sql,
	         "INSERT INTO decisions (policy, pupil_id, as_of, kind, event, name, stage)"
	         " VALUES ('Russell Street School', 1, '%s', '%s', '%s', '%s', %d)",
	         as_of, kind, event, name, stage);
	assert_int_equal(sqlite3_exec(reg_db(s), sql, NULL, NULL, NULL), SQLITE_OK);
}

static void
loaded_equals_applied_in_order(void **state)
{
	(void)state;
	char dir[] = "/tmp/attend-history-load-XXXXXX", path[256];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/r.db", dir);
	struct lang_options opt = { NULL, 0, stderr, 0, 0 };
	struct rt_program *p = NULL;
	assert_int_equal(lang_compile_file("policies/russell-street.policy", &opt, &p), 0);
	struct reg_store *s = NULL;
	assert_int_equal(reg_open(path, REG_CREATE, &s), 0);
	assert_int_equal(reg_import(s, "examples/calendar.csv", stderr, NULL), 0);
	assert_int_equal(reg_import(s, "examples/pupils.csv", stderr, NULL), 0);
	assert_int_equal(reg_import(s, "examples/marks.csv", stderr, NULL), 0);
	FILE *out = fopen("/dev/null", "w");
	struct eng_replay_options ro = { day("2024-09-02"), day("2024-12-20"), out, out, NULL, 1 };
	assert_int_equal(eng_replay(p, s, &ro), 0);
	fclose(out);
	assert_true(same_books(p, s, "2024-12-21", NULL) > 0);
	assert_true(same_books(p, s, "2024-10-15", NULL) > 0);

	/* Recorded out of date order (a later day first), and a rule entered and left on one
	 * day: the later row of the day wins, whichever order the rows are read in. */
	insert(s, "2025-01-10", "flag", "entered", "persistent_absence", 0);
	insert(s, "2025-01-08", "flag", "left", "persistent_absence", 0);
	insert(s, "2025-01-09", "stage", "entered", "Stage Three: attendance meeting", 3);
	insert(s, "2025-01-09", "stage", "left", "Stage Three: attendance meeting", 3);
	insert(s, "2025-01-07", "stage", "entered", "Stage Three: attendance meeting", 3);
	const char *days[] = { "2025-01-08", "2025-01-09", "2025-01-10", "2025-01-11", "2026-01-01" };
	char upn[32];
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(reg_db(s), "SELECT upn FROM pupils WHERE id = 1", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(upn, sizeof upn, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
		same_books(p, s, days[i], NULL);
		same_books(p, s, days[i], upn);
	}
	reg_close(s);
	rt_program_free(p);
	remove_scratch_dir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loaded_equals_applied_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
