/*
 * The decision history's layout (schema version 10): a version 9 register with recorded history is
 * migrated keeping every row, id and the `history` output byte for byte; the replay's lifted guard
 * trigger and pupil index are back after its transaction, whether it commits or rolls back, and
 * while they are lifted no other connection sees them gone.
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
#include "runtime/register/store.h"
#include "store_query.h"
#include "test_date.h"

/* The decisions table as schema versions 2 to 9 made it. */
static const char v8_sql[] =
	"DROP TRIGGER decisions_kept; DROP TRIGGER decisions_fixed; DROP TRIGGER decisions_not_replaced;"
	"DROP INDEX decisions_pupil; ALTER TABLE decisions RENAME TO decisions_v9;"
	"CREATE TABLE decisions (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  policy TEXT NOT NULL,\n"
	"  pupil_id INTEGER NOT NULL REFERENCES pupils(id),\n"
	"  as_of TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('stage', 'flag', 'penalty_notice', 'letter', 'action')),\n"
	"  event TEXT NOT NULL CHECK (event IN ('entered', 'left', 'due')),\n"
	"  name TEXT NOT NULL,\n"
	"  stage INTEGER,\n"
	"  detail TEXT,\n"
	"  recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now')),\n"
	"  UNIQUE (policy, pupil_id, as_of, kind, event, name)\n"
	");\n"
	"INSERT INTO decisions SELECT * FROM decisions_v9; DROP TABLE decisions_v9;"
	"CREATE INDEX decisions_day ON decisions (policy, as_of);\n"
	"CREATE TRIGGER decisions_kept BEFORE DELETE ON decisions\n"
	"  BEGIN SELECT RAISE(ABORT, 'the decision history is never removed'); END;\n"
	"CREATE TRIGGER decisions_fixed BEFORE UPDATE ON decisions\n"
	"  BEGIN SELECT RAISE(ABORT, 'the decision history is never rewritten'); END;\n"
	"CREATE TRIGGER decisions_not_replaced BEFORE INSERT ON decisions WHEN EXISTS (SELECT 1 FROM decisions d\n"
	"    WHERE d.id = new.id OR (d.policy = new.policy AND d.pupil_id = new.pupil_id AND d.as_of = new.as_of\n"
	"      AND d.kind = new.kind AND d.event = new.event AND d.name = new.name))\n"
	"  BEGIN SELECT RAISE(ABORT, 'the decision history is never rewritten'); END;\n"
	"PRAGMA user_version = 9;";

struct fixture {
	char dir[64];
	char db[128];
	struct reg_store *store;
	struct rt_program *prog;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/attend-layout-XXXXXX");
	if (!f || !mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof f->db, "%s/register.db", f->dir);
	struct lang_options opt = { NULL, 0, stderr, 0, 0 };
	if (lang_compile_file("policies/russell-street.policy", &opt, &f->prog) || reg_open(f->db, REG_CREATE, &f->store) ||
	    reg_import(f->store, "examples/calendar.csv", stderr, NULL) ||
	    reg_import(f->store, "examples/pupils.csv", stderr, NULL) ||
	    reg_import(f->store, "examples/marks.csv", stderr, NULL))
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	reg_close(f->store);
	rt_program_free(f->prog);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

static void
replay(struct fixture *f, const char *from, const char *to)
{
	struct eng_replay_options ro = { day(from), day(to), stderr, stderr, NULL, 1 };
	assert_int_equal(eng_replay(f->prog, f->store, &ro), 0);
}

/* Every pupil's `attend history --decisions`, then every row with its id, as text. */
static char *
history_text(struct reg_store *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(reg_db(s), "SELECT upn FROM pupils ORDER BY upn", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		assert_int_equal(reg_write_decisions(s, (const char *)sqlite3_column_text(st, 0), out), 0);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(reg_db(s), "SELECT id, pupil_id, as_of, kind, event, name, recorded_at"
	                                    " FROM decisions ORDER BY id", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int c = 0; c < 7; c++)
			fprintf(out, "%s%c", (const char *)sqlite3_column_text(st, c), c == 6 ? '\n' : '|');
	sqlite3_finalize(st);
	fclose(out);
	return text;
}

static long
objects(struct reg_store *s, const char *name)
{
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_schema WHERE name = '%s'", name);
	return query_int(s, sql);
}

static void
test_migrates_version_9(void **state)
{
	struct fixture *f = *state;
	replay(f, "2024-09-02", "2024-10-18");
	char *before = history_text(f->store);
	assert_true(strlen(before) > 1000);
	assert_int_equal(sqlite3_exec(reg_db(f->store), "PRAGMA foreign_keys = OFF", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(reg_db(f->store), v8_sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(objects(f->store, "decisions_day"), 1);
	char *v8 = history_text(f->store);
	assert_string_equal(before, v8);
	free(v8);
	reg_close(f->store);
	assert_int_equal(reg_open(f->db, 0, &f->store), 0);
	assert_int_equal(query_int(f->store, "PRAGMA user_version"), 10);
	assert_int_equal(objects(f->store, "decisions_day"), 0);
	assert_int_equal(objects(f->store, "decisions_pupil"), 1);
	char *after = history_text(f->store);
	assert_string_equal(before, after);
	free(before);
	free(after);
	/* The guards hold after the move, and the history goes on from where it was. */
	assert_int_not_equal(sqlite3_exec(reg_db(f->store), "REPLACE INTO decisions SELECT * FROM decisions"
	                                  " WHERE id = 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(reg_db(f->store), "DELETE FROM decisions", NULL, NULL, NULL), SQLITE_OK);
	replay(f, "2024-10-21", "2024-10-25");
}

static long
guards(struct reg_store *s)
{
	return objects(s, "decisions_not_replaced") + 2 * objects(s, "decisions_pupil");
}

/* Inside the transaction the guard (and for a large replay the index) is lifted; after it, kept or
 * rolled back, both are there, and another connection never saw them go. */
static void
test_guards_lifted_inside(void **state)
{
	struct fixture *f = *state;
	struct reg_store *other = NULL;
	assert_int_equal(reg_open(f->db, REG_READONLY, &other), 0);
	assert_int_equal(reg_history_begin(f->store, 5), 0);
	assert_int_equal(guards(f->store), 0);
	assert_int_equal(guards(other), 3);
	assert_int_equal(reg_history_end(f->store, 0), 0);
	assert_int_equal(guards(f->store), 3);
	replay(f, "2024-09-02", "2024-10-18");
	assert_int_equal(guards(f->store), 3);
	assert_true(query_int(f->store, "SELECT count(*) FROM decisions") > 0);
	/* Fewer days than recorded: only the trigger is lifted; the index takes each row. */
	assert_int_equal(reg_history_begin(f->store, 1), 0);
	assert_int_equal(guards(f->store), 2);
	assert_int_equal(reg_history_end(f->store, 1), 0);
	assert_int_equal(guards(f->store), 3);
	reg_close(other);
	/* Any other writer still meets the trigger. */
	assert_int_not_equal(sqlite3_exec(reg_db(f->store), "INSERT OR REPLACE INTO decisions SELECT * FROM decisions"
	                                  " WHERE id = 1", NULL, NULL, NULL), SQLITE_OK);
}

/* Inside the replay's transaction the foreign key is not looked up (every id comes from pupils);
 * it is checked again after, kept or rolled back, and a row the unique key refuses ends the
 * transaction, leaving the history, its guards and the key check as they were. */
static void
test_transaction_checks(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(query_int(f->store, "PRAGMA foreign_keys"), 1);
	assert_int_equal(reg_history_begin(f->store, 5), 0);
	assert_int_equal(query_int(f->store, "PRAGMA foreign_keys"), 0);
	assert_int_equal(reg_history_end(f->store, 0), 0);
	assert_int_equal(query_int(f->store, "PRAGMA foreign_keys"), 1);
	replay(f, "2024-09-02", "2024-10-18");
	assert_int_equal(query_int(f->store, "PRAGMA foreign_keys"), 1);
	long rows = query_int(f->store, "SELECT count(*) FROM decisions");
	assert_true(rows > 0);
	/* one time of recording for the replay's one transaction, the days' and the rows' */
	assert_int_equal(query_int(f->store, "SELECT count(DISTINCT recorded_at) FROM decisions"), 1);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM history_days h JOIN decisions d"
	                                     " ON d.as_of = h.as_of AND d.recorded_at <> h.recorded_at"), 0);
	struct reg_decision_list twice = { 0 };
	int64_t pupil = query_int(f->store, "SELECT min(id) FROM pupils");
	for (int k = 0; k < 2; k++)
		assert_int_equal(reg_decision_add(&twice, pupil, day("2024-10-21"), "flag", REG_EVENT_ENTERED, 0, "again",
		                                  NULL), 0);
	assert_int_equal(reg_history_begin(f->store, 1), 0);
	assert_int_not_equal(reg_history_record(f->store, "Russell Street School", day("2024-10-21"), &twice, 1), 0);
	assert_int_equal(reg_history_end(f->store, 0), 0);
	reg_decision_list_free(&twice);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM decisions"), rows);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM history_days WHERE as_of = '2024-10-21'"), 0);
	assert_int_equal(guards(f->store), 3);
	assert_int_equal(query_int(f->store, "PRAGMA foreign_keys"), 1);
	assert_int_not_equal(sqlite3_exec(reg_db(f->store), "INSERT INTO decisions (policy, pupil_id, as_of, kind, event,"
	                                  " name) VALUES ('p', 999999, '2024-10-21', 'flag', 'entered', 'x')",
	                                  NULL, NULL, NULL), SQLITE_OK);
	replay(f, "2024-10-21", "2024-10-25");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrates_version_9, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guards_lifted_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transaction_checks, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
