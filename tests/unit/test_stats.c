/* attend stats: the DfE figures equal an independent SQL query over the marks table. */
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
#include "runtime/engine/stats.h"
#include "runtime/register/store.h"

#define DATA "tests/scenarios/data/la/"

/* Domain.md §1a, written out again here so that the check does not share the policy's tables. */
#define NOT_POSSIBLE "('X','Q','Y1','Y2','Y3','Y4','Y5','Y6','Y7','D','Z','#')"
#define AUTHORISED "('C','C1','C2','E','I','J1','M','R','S','T')"
#define UNAUTHORISED "('G','N','O','U')"
#define KNOWN "('/','\\','L','K','V','P','W','B')"

static const char per_pupil_sql[] =
	"WITH t AS (SELECT p.year_group AS year,"
	" sum(m.code NOT IN " NOT_POSSIBLE ") AS possible,"
	" sum(m.code IN " AUTHORISED ") AS auth, sum(m.code IN " UNAUTHORISED ") AS unauth"
	" FROM marks m JOIN pupils p ON p.id = m.pupil_id"
	" WHERE m.date BETWEEN ?1 AND ?2 AND (p.year_group IS NULL OR p.year_group BETWEEN 1 AND 11)"
	" GROUP BY m.pupil_id)"
	" SELECT count(*), sum(possible), sum(auth), sum(unauth), sum(10 * (auth + unauth) >= possible),"
	" sum(2 * (auth + unauth) >= possible) FROM t WHERE possible > 0 AND (?3 < 0 OR year = ?3)";

static void
sql_counts(sqlite3 *db, const char *from, const char *to, int year, struct eng_stats_counts *c)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, per_pupil_sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, year);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t *v[] = { &c->enrolments, &c->possible, &c->authorised, &c->unauthorised, &c->persistent, &c->severe };
	for (int i = 0; i < 6; i++)
		*v[i] = sqlite3_column_int64(st, i);
	sqlite3_finalize(st);
}

static void
assert_counts_equal(const struct eng_stats_counts *a, const struct eng_stats_counts *b)
{
	assert_int_equal(a->enrolments, b->enrolments);
	assert_int_equal(a->possible, b->possible);
	assert_int_equal(a->authorised, b->authorised);
	assert_int_equal(a->unauthorised, b->unauthorised);
	assert_int_equal(a->persistent, b->persistent);
	assert_int_equal(a->severe, b->severe);
}

/* Builds one school's register from the LA scenario data, in a fresh temporary file. */
static struct reg_store *
school_register(const char *dir, char s)
{
	char db[128], file[128];
	snprintf(db, sizeof db, "%s/%c.db", dir, s);
	struct reg_store *store;
	assert_int_equal(reg_open(db, REG_CREATE, &store), 0);
	static const char *const kinds[] = { "school", "calendar", "pupils", "marks" };
	for (size_t i = 0; i < 4; i++) {
		snprintf(file, sizeof file, DATA "%s-%c.csv", kinds[i], s);
		assert_int_equal(reg_import(store, file, stderr, NULL), 0);
	}
	return store;
}

static void
check_school(const char *dir, char s, const char *policy, const char *from, const char *to)
{
	struct reg_store *store = school_register(dir, s);
	sqlite3 *db = reg_db(store);
	sqlite3_stmt *st;
	/* The SQL's code sets apply only if every code in the data is a statutory one. */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM marks WHERE code NOT IN " NOT_POSSIBLE
	                                        " AND code NOT IN " AUTHORISED " AND code NOT IN " UNAUTHORISED
	                                        " AND code NOT IN " KNOWN, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);

	struct rt_program *prog;
	struct lang_options opt = { NULL, 0, stderr, 0, 0 };
	assert_int_equal(lang_compile_file(policy, &opt, &prog), 0);
	rt_date f, t;
	assert_int_equal(rt_date_parse(from, strlen(from), &f), 0);
	assert_int_equal(rt_date_parse(to, strlen(to), &t), 0);
	struct eng_stats stats;
	assert_int_equal(eng_stats_collect(prog, store, f, t, &stats, stderr), 0);
	assert_true(stats.all.enrolments > 0);
	assert_true(stats.all.persistent > 0);    /* the data has something to count */

	struct eng_stats_counts expected;
	sql_counts(db, from, to, -1, &expected);
	assert_counts_equal(&stats.all, &expected);
	for (int y = 1; y <= 11; y++) {
		sql_counts(db, from, to, y, &expected);
		assert_counts_equal(&stats.year[y], &expected);
	}
	rt_program_free(prog);
	reg_close(store);
}

static void
test_stats_equal_sql(void **state)
{
	(void)state;
	char dir[] = "/tmp/attend-stats-XXXXXX";
	assert_non_null(mkdtemp(dir));
	/* The whole year so far, and a window that cuts through the mover's time at each school. */
	check_school(dir, 'a', "policies/kildwick.policy", "2024-08-01", "2025-02-14");
	char path[160];
	snprintf(path, sizeof path, "%s/a.db", dir);
	unlink(path);
	check_school(dir, 'a', "policies/kildwick.policy", "2024-11-11", "2024-12-13");
	unlink(path);
	check_school(dir, 'b', "policies/russell-street.policy", "2024-08-01", "2025-02-14");
	snprintf(path, sizeof path, "%s/b.db", dir);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_equal_sql),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
