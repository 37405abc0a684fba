/* The register store: schema, version check, calendar, cursors, compact marks and timed marks. */
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

#include "runtime/machine/calendar.h"
#include "runtime/machine/date.h"
#include "runtime/machine/program.h"
#include "runtime/register/store.h"
#include "store_query.h"
#include "test_date.h"

struct fixture {
	char dir[64];
	char db[128];
	struct reg_store *store;
};

static void
write_file(const struct fixture *f, const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", f->dir, name);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Imports `text` as file `name`; returns reg_import's result. */
static int
import_text(struct fixture *f, const char *name, const char *text)
{
	char path[256];
	write_file(f, name, text);
	snprintf(path, sizeof path, "%s/%s", f->dir, name);
	return reg_import(f->store, path, stderr, NULL);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/attend-store-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof f->db, "%s/register.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	reg_close(f->store);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
open_new(struct fixture *f)
{
	assert_int_equal(reg_open(f->db, REG_CREATE, &f->store), 0);
}

/* Two half terms of autumn 2024 around the half-term week, an INSET day and a morning closure. */
static const char calendar_csv[] =
	"kind,start,end,session,name\n"
	"half_term,2024-11-04,2024-11-15,,Autumn 2\n"
	"half_term,2024-10-14,2024-10-25,,Autumn 1\n"
	"closure,2024-11-04,,,INSET day\n"
	"closure,2024-10-16,2024-10-16,AM,polling station\n";

static const char pupils_csv[] =
	"upn,surname,forename,year_group\n"
	"C3,Cole,Cara,\n"
	"A1,Adams,Ann,7\n"
	"B2,\"Smith, Jr\",Ben,8\n";

static void
test_schema_created(void **state)
{
	struct fixture *f = *state;
	open_new(f);
	assert_int_equal(query_int(f->store, "PRAGMA user_version"), 10);
	static const char *const tables[] = { "pupils", "half_terms", "closures", "codes", "marks", "pupil_marks",
		                              "amendments", "decisions", "school_days", "calendar_days",
		                              "history_days", "parents", "notices", "schools", "marks_changed" };
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_schema WHERE name = '%s'", tables[i]);
		assert_int_equal(query_int(f->store, sql), 1);
	}
	reg_close(f->store);
	/* Reopening an existing register needs no CREATE. */
	assert_int_equal(reg_open(f->db, 0, &f->store), 0);
}

static void
test_open_rejects_other_files(void **state)
{
	struct fixture *f = *state;
	char path[160];
	/* Another version of the schema. */
	open_new(f);
	assert_int_equal(sqlite3_exec(reg_db(f->store), "PRAGMA user_version = 11", NULL, NULL, NULL), SQLITE_OK);
	reg_close(f->store);
	assert_int_equal(reg_open(f->db, 0, &f->store), -1);
	assert_non_null(strstr(reg_error(f->store), "has register schema version 11; this attend reads version 10"));
	reg_close(f->store);
	/* Some other program's SQLite database. */
	snprintf(path, sizeof path, "%s/other.db", f->dir);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(reg_open(path, REG_CREATE, &f->store), -1);
	assert_non_null(strstr(reg_error(f->store), "is not an attend register"));
	reg_close(f->store);
	/* Not a database at all. */
	write_file(f, "notes.txt", "this is not a database, just some text that is long enough to have a header\n");
	snprintf(path, sizeof path, "%s/notes.txt", f->dir);
	assert_int_equal(reg_open(path, 0, &f->store), -1);
	assert_non_null(strstr(reg_error(f->store), "is not an attend register (not an SQLite database)"));
	reg_close(f->store);
	/* Missing, without CREATE. */
	snprintf(path, sizeof path, "%s/missing.db", f->dir);
	assert_int_equal(reg_open(path, 0, &f->store), -1);
	assert_non_null(strstr(reg_error(f->store), "cannot open"));
	assert_int_equal(access(path, F_OK), -1);
}

/* What schema version 7 added: inserts and deletes of marks noted (and what 8 and 9 added). */
static const char drop_noted_sql[] = "DROP TRIGGER marks_added; DROP TRIGGER marks_removed;"
	"ALTER TABLE notices DROP COLUMN unpaid_days; ALTER TABLE notices DROP COLUMN unpaid_action;"
	"DROP TABLE pupil_timed;";

/* What schema versions 4 and 7 added: the guards against any writer. */
static const char drop_guards_sql[] =
	"DROP TRIGGER marks_added; DROP TRIGGER marks_removed;"
	"DROP TRIGGER marks_not_replaced; DROP TRIGGER marks_fixed; DROP TRIGGER marks_code_changed;"
	"DROP TRIGGER pupils_not_replaced; DROP TRIGGER pupils_fixed; DROP TRIGGER amendments_not_replaced;"
	"DROP TRIGGER decisions_not_replaced; DROP TRIGGER parents_fixed; DROP TABLE marks_changed;"
	"ALTER TABLE parents DROP COLUMN address; ALTER TABLE notices DROP COLUMN unpaid_days;"
	"ALTER TABLE notices DROP COLUMN unpaid_action; DROP TABLE pupil_timed;";

/* A version 3 register (before the guards) is upgraded in place: REPLACE is then refused. */
static void
test_migrates_version_3(void **state)
{
	struct fixture *f = *state;
	open_new(f);
	assert_int_equal(import_text(f, "pupils.csv", pupils_csv), 0);
	assert_int_equal(sqlite3_exec(reg_db(f->store), drop_guards_sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(reg_db(f->store), "PRAGMA user_version = 3", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(reg_db(f->store), "REPLACE INTO pupils (upn, surname, forename) VALUES"
	                              " ('A1', 'Other', 'Name')", NULL, NULL, NULL), SQLITE_OK);
	reg_close(f->store);
	assert_int_equal(reg_open(f->db, 0, &f->store), 0);
	assert_int_equal(query_int(f->store, "PRAGMA user_version"), 10);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM pupils"), 3);
	assert_int_not_equal(sqlite3_exec(reg_db(f->store), "REPLACE INTO pupils (upn, surname, forename) VALUES"
	                                  " ('A1', 'Third', 'Name')", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM pupils WHERE surname = 'Third'"), 0);
}

/* A version 2 register (before schools) is upgraded in place by a writing
 * open, keeping its pupils; a read-only open says to migrate. */
static void
test_migrates_version_2(void **state)
{
	struct fixture *f = *state;
	open_new(f);
	assert_int_equal(import_text(f, "pupils.csv", pupils_csv), 0);
	assert_int_equal(sqlite3_exec(reg_db(f->store), "DROP TABLE schools; PRAGMA user_version = 2", NULL, NULL,
	                              NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(reg_db(f->store), drop_guards_sql, NULL, NULL, NULL), SQLITE_OK);
	reg_close(f->store);
	assert_int_equal(reg_open(f->db, REG_READONLY, &f->store), -1);
	assert_non_null(strstr(reg_error(f->store), "has register schema version 2; this attend reads version 10"));
	reg_close(f->store);
	assert_int_equal(reg_open(f->db, 0, &f->store), 0);
	assert_int_equal(query_int(f->store, "PRAGMA user_version"), 10);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM pupils"), 3);
	struct reg_school school;
	assert_int_equal(reg_school_get(f->store, &school), 0);
}

/* A version 6 register (inserted marks not noted) gains the triggers: a mark then added
 * by hand, which pupil_marks does not hold, makes the next open refuse the register. */
static void
test_migrates_version_6(void **state)
{
	struct fixture *f = *state;
	open_new(f);
	assert_int_equal(import_text(f, "pupils.csv", pupils_csv), 0);
	assert_int_equal(sqlite3_exec(reg_db(f->store), drop_noted_sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(reg_db(f->store), "PRAGMA user_version = 6", NULL, NULL, NULL), SQLITE_OK);
	reg_close(f->store);
	assert_int_equal(reg_open(f->db, 0, &f->store), 0);
	assert_int_equal(query_int(f->store, "PRAGMA user_version"), 10);
	assert_int_equal(sqlite3_exec(reg_db(f->store), "INSERT INTO marks (pupil_id, date, session, code)"
	                              " SELECT id, '2024-09-04', 'AM', 'O' FROM pupils WHERE upn = 'A1'", NULL, NULL,
	                              NULL), SQLITE_OK);
	reg_close(f->store);
	assert_int_equal(reg_open(f->db, 0, &f->store), -1);
	assert_non_null(strstr(reg_error(f->store), "the marks of 1 pupil were changed, added or removed outside attend"));
}

/* A version 4 register (parents without addresses) gains the column and keeps its
 * parents; an address is imported with its lines, and a later file without one keeps it. */
static void
test_parent_addresses(void **state)
{
	struct fixture *f = *state;
	open_new(f);
	assert_int_equal(import_text(f, "pupils.csv", pupils_csv), 0);
	assert_int_equal(import_text(f, "p1.csv", "upn,parent_id,name\nA1,P1,Alex Adams\n"), 0);
	assert_int_equal(sqlite3_exec(reg_db(f->store), drop_noted_sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(reg_db(f->store), "ALTER TABLE parents DROP COLUMN address;"
	                              " PRAGMA user_version = 4", NULL, NULL, NULL), SQLITE_OK);
	reg_close(f->store);
	assert_int_equal(reg_open(f->db, 0, &f->store), 0);
	assert_int_equal(query_int(f->store, "PRAGMA user_version"), 10);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM parents WHERE address IS NULL"), 1);
	assert_int_equal(import_text(f, "p2.csv", "upn,parent_id,name,relationship,address\n"
	                                          "A1,P1,Alex Adams,mother,\"1 High Street\nLeeds LS1 1AA\"\n"), 0);
	assert_int_equal(import_text(f, "p3.csv", "upn,parent_id,name\nA1,P1,Alex Adams-Smith\n"), 0);
	struct reg_penalties pen = { 0 };
	assert_int_equal(reg_penalties_load(f->store, "A1", &pen), 0);
	assert_int_equal(pen.nparents, 1);
	assert_string_equal(pen.parents[0].name, "Alex Adams-Smith");
	assert_string_equal(pen.parents[0].address, "1 High Street\nLeeds LS1 1AA");
	reg_penalties_free(&pen);
}

/* A register names its schools; with several, each command says which (reg_use_school). */
static void
test_school_import(void **state)
{
	struct fixture *f = *state;
	open_new(f);
	assert_int_equal(import_text(f, "pupils.csv", pupils_csv), 0);
	assert_int_equal(import_text(f, "school.csv", "urn,laestab,name,phase\n100001,9992001,Kildwick CE,Primary\n"), 0);
	struct reg_school school;
	assert_int_equal(reg_school_get(f->store, &school), 1);
	assert_string_equal(school.urn, "100001");
	assert_string_equal(school.laestab, "9992001");
	assert_string_equal(school.name, "Kildwick CE");
	assert_string_equal(school.phase, "Primary");
	/* The pupils imported before the register named its school are that school's. */
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM pupils WHERE school = '100001'"), 3);
	/* The same school again updates it; an empty field keeps what is stored. */
	assert_int_equal(import_text(f, "school.csv", "urn,name,phase\n100001,Kildwick CE Primary,\n"), 0);
	assert_int_equal(reg_school_get(f->store, &school), 1);
	assert_string_equal(school.name, "Kildwick CE Primary");
	assert_string_equal(school.phase, "Primary");
	assert_int_equal(import_text(f, "bad.csv", "urn,name,laestab,phase\n12345,X,99,college\n"), 1);
	/* A second school: without a choice, the store names both and refuses. */
	assert_int_equal(import_text(f, "other.csv", "urn,name\n100002,Russell Street\n"), 0);
	assert_int_equal(reg_check_school(f->store), -1);
	assert_non_null(strstr(reg_error(f->store), "holds 2 schools (100001 Kildwick CE Primary, 100002 Russell Street)"));
	assert_int_equal(reg_use_school(f->store, "100003"), 0);
	assert_int_equal(reg_check_school(f->store), -1);
	assert_non_null(strstr(reg_error(f->store), "has no school 100003"));
	/* The second school's pupils and calendar are its own: the same UPN, and overlapping half terms. */
	assert_int_equal(reg_use_school(f->store, "100002"), 0);
	assert_int_equal(import_text(f, "pupils2.csv", "upn,surname,forename\nA1,Adams,Ann\n"), 0);
	assert_int_equal(import_text(f, "calendar.csv", calendar_csv), 0);
	assert_int_equal(reg_school_get(f->store, &school), 1);
	assert_string_equal(school.urn, "100002");
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM pupils WHERE upn = 'A1'"), 2);
	assert_int_equal(reg_use_school(f->store, "100001"), 0);
	assert_int_equal(reg_has_calendar(f->store), 0);
	assert_int_equal(import_text(f, "calendar.csv", calendar_csv), 0);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM half_terms"), 4);
}

static void
test_calendar_derived(void **state)
{
	struct fixture *f = *state;
	open_new(f);
	assert_int_equal(import_text(f, "calendar.csv", calendar_csv), 0);
	struct rt_calendar cal;
	assert_int_equal(reg_load_calendar(f->store, &cal), 0);
	/* 10 weekdays + 10 weekdays, minus the INSET day; the half-term week is not there. */
	assert_int_equal(cal.ndays, 19);
	assert_int_equal(cal.days[0].date, day("2024-10-14"));
	assert_int_equal(cal.days[0].half_term, 1);
	assert_int_equal(cal.days[0].year, 2024);
	assert_int_equal(cal.days[0].open, RT_OPEN_AM | RT_OPEN_PM);
	long polling = rt_calendar_find(&cal, day("2024-10-16"));
	assert_int_equal(polling, 2);
	assert_int_equal(cal.days[polling].open, RT_OPEN_PM);
	assert_int_equal(rt_calendar_find(&cal, day("2024-11-04")), -1);   /* INSET day */
	assert_int_equal(rt_calendar_find(&cal, day("2024-10-28")), -1);   /* half-term holiday */
	assert_int_equal(rt_calendar_find(&cal, day("2024-10-19")), -1);   /* Saturday */
	long tuesday = rt_calendar_find(&cal, day("2024-11-05"));
	assert_int_equal(tuesday, 10);
	assert_int_equal(cal.days[tuesday].half_term, 2);
	/* School weeks: 14 Oct is week 0, 21 Oct week 1; the holiday week has no number,
	 * so 4 Nov (from the Tuesday) is week 2 and 11 Nov week 3. */
	assert_int_equal(cal.days[0].week, 0);
	assert_int_equal(cal.days[rt_calendar_find(&cal, day("2024-10-25"))].week, 1);
	assert_int_equal(cal.days[tuesday].week, 2);
	assert_int_equal(cal.days[cal.ndays - 1].week, 3);
	/* The SQL view agrees with the C derivation. */
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM school_days"), 19);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM school_sessions"), 37);
	assert_int_equal(query_int(f->store, "SELECT number FROM half_terms WHERE start = '2024-11-04'"), 2);
	rt_calendar_free(&cal);
}

static void
test_pupils_cursor(void **state)
{
	struct fixture *f = *state;
	open_new(f);
	assert_int_equal(import_text(f, "pupils.csv", pupils_csv), 0);
	struct reg_cursor *cur;
	struct reg_pupil p;
	assert_int_equal(reg_pupils_open(f->store, NULL, &cur), 0);
	static const char *const order[] = { "A1", "B2", "C3" };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(reg_pupils_next(cur, &p), 1);
		assert_string_equal(p.upn, order[i]);
		assert_int_equal(p.nmarks, 0);
	}
	assert_int_equal(reg_pupils_next(cur, &p), 0);
	reg_pupils_close(cur);

	assert_int_equal(reg_pupils_open(f->store, "B2", &cur), 0);
	assert_int_equal(reg_pupils_next(cur, &p), 1);
	assert_string_equal(p.surname, "Smith, Jr");
	assert_string_equal(p.forename, "Ben");
	assert_int_equal(p.year_group, 8);
	assert_int_equal(reg_pupils_next(cur, &p), 0);
	reg_pupils_close(cur);

	assert_int_equal(reg_pupils_open(f->store, "C3", &cur), 0);
	assert_int_equal(reg_pupils_next(cur, &p), 1);
	assert_int_equal(p.year_group, RT_NO_YEAR);
	reg_pupils_close(cur);
}

static void
test_compact_marks_match(void **state)
{
	struct fixture *f = *state;
	open_new(f);
	assert_int_equal(import_text(f, "calendar.csv", calendar_csv), 0);
	assert_int_equal(import_text(f, "pupils.csv", pupils_csv), 0);
	assert_int_equal(import_text(f, "marks.csv",
	                             "upn,date,session,code,minutes_late,arrival\n"
	                             "A1,2024-10-14,AM,/,,\n"
	                             "A1,2024-10-14,PM,I,,\n"
	                             "A1,2024-10-16,PM,L,12,13:27\n"
	                             "B2,2024-11-15,PM,U,40,\n"
	                             "B2,2024-10-16,AM,#,,\n"
	                             "C3,2024-11-05,AM,C1,,\n"),
	                 0);
	/* The legal record cannot be changed or orphaned by plain SQL. */
	sqlite3 *db = reg_db(f->store);
	assert_int_equal(sqlite3_exec(db, "UPDATE marks SET code = '/' WHERE code = 'I'", NULL, NULL, NULL),
	                 SQLITE_CONSTRAINT);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM pupils", NULL, NULL, NULL), SQLITE_CONSTRAINT);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM marks", NULL, NULL, NULL), SQLITE_CONSTRAINT);
	char **names;
	size_t nnames;
	assert_int_equal(reg_codes(f->store, &names, &nnames), 0);
	assert_null(names[0]);
	struct rt_calendar cal;
	assert_int_equal(reg_load_calendar(f->store, &cal), 0);
	struct reg_cursor *cur;
	struct reg_pupil p;
	assert_int_equal(reg_pupils_open(f->store, NULL, &cur), 0);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(reg_db(f->store),
	                                    "SELECT code FROM marks WHERE pupil_id = ? AND date = ? AND session = ?", -1,
	                                    &st, NULL),
	                 SQLITE_OK);
	int marked = 0;
	while (reg_pupils_next(cur, &p) == 1) {
		assert_int_equal(p.nmarks, 2 * cal.ndays);
		for (size_t i = 0; i < p.nmarks; i++) {
			char date[11];
			rt_date_format(cal.days[i / 2].date, date);
			sqlite3_bind_int64(st, 1, p.id);
			sqlite3_bind_text(st, 2, date, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 3, i % 2 ? "PM" : "AM", -1, SQLITE_STATIC);
			int open = cal.days[i / 2].open & (i % 2 ? RT_OPEN_PM : RT_OPEN_AM);
			if (sqlite3_step(st) == SQLITE_ROW && open) {
				assert_true(p.marks[i] > 0 && p.marks[i] < nnames);
				assert_string_equal(names[p.marks[i]], (const char *)sqlite3_column_text(st, 0));
				marked++;
			} else
				assert_int_equal(p.marks[i], 0);
			sqlite3_reset(st);
		}
	}
	sqlite3_finalize(st);
	/* All but the "#" on a closed morning are in the compact copy (which is 0 there). */
	assert_int_equal(marked, 5);
	reg_pupils_close(cur);
	rt_calendar_free(&cal);
	reg_free_codes(names, nnames);

	struct reg_arrival *arr;
	size_t narr;
	assert_int_equal(reg_arrivals(f->store, NULL, &arr, &narr), 0);
	assert_int_equal(narr, 2);
	assert_string_equal(arr[0].code, "L");
	assert_int_equal(arr[0].date, day("2024-10-16"));
	assert_int_equal(arr[0].session, RT_PM);
	assert_int_equal(arr[0].minutes_late, 12);
	assert_int_equal(arr[0].arrival, 13 * 60 + 27);
	assert_string_equal(arr[1].code, "U");
	assert_int_equal(arr[1].arrival, -1);
	assert_int_equal(arr[1].minutes_late, 40);
	free(arr);
	assert_int_equal(reg_arrivals(f->store, "B2", &arr, &narr), 0);
	assert_int_equal(narr, 1);
	assert_string_equal(arr[0].code, "U");
	free(arr);
}

/* A version 7 register gains what the policy says of unpaid notices: an old notice keeps its payment
 * window (overdue after 28 days), a new one is overdue, and may be prosecuted, only after the policy's
 * `unpaid after 42 days`, and says what follows in the policy's words. */
static void
test_unpaid_after_policy(void **state)
{
	struct fixture *f = *state;
	open_new(f);
	assert_int_equal(import_text(f, "pupils.csv", pupils_csv), 0);
	assert_int_equal(import_text(f, "p.csv", "upn,parent_id,name\nA1,P1,Alex Adams\nB2,P2,Bo Smith\n"), 0);
	rt_date d0 = rt_date_from_ymd(2024, 10, 1);
	int64_t id;
	assert_int_equal(reg_notice_issue(f->store, "A1", "P1", 1, d0, 8000, 21, 16000, 28, NULL, &id), 0);
	assert_int_equal(sqlite3_exec(reg_db(f->store), "ALTER TABLE notices DROP COLUMN unpaid_days; ALTER TABLE"
	                              " notices DROP COLUMN unpaid_action; DROP TABLE pupil_timed;"
	                              " PRAGMA user_version = 7", NULL, NULL, NULL),
	                 SQLITE_OK);
	reg_close(f->store);
	assert_int_equal(reg_open(f->db, 0, &f->store), 0);
	assert_int_equal(query_int(f->store, "PRAGMA user_version"), 10);
	const struct reg_unpaid unpaid = { 42, "The authority starts proceedings under s444" };
	int64_t id2;
	assert_int_equal(reg_notice_issue(f->store, "B2", "P2", 1, d0, 8000, 21, 16000, 28, &unpaid, &id2), 0);
	struct reg_penalties pen = { 0 };
	assert_int_equal(reg_penalties_load(f->store, NULL, &pen), 0);
	assert_int_equal(pen.nnotices, 2);
	const struct reg_notice *old = pen.notices[0].id == id ? &pen.notices[0] : &pen.notices[1];
	const struct reg_notice *new = old == &pen.notices[0] ? &pen.notices[1] : &pen.notices[0];
	assert_int_equal(reg_notice_unpaid_after(old), d0 + 28);
	assert_string_equal(reg_notice_unpaid_action(old), "prosecute or withdraw");
	assert_int_equal(reg_notice_unpaid_after(new), d0 + 42);
	assert_string_equal(reg_notice_unpaid_action(new), "The authority starts proceedings under s444");
	assert_false(reg_notice_overdue(new, d0 + 42));
	assert_true(reg_notice_overdue(new, d0 + 43));
	reg_penalties_free(&pen);
	/* Prosecution follows the recorded 42 days, payment the 28-day window. */
	assert_int_equal(reg_notice_set_state(f->store, id2, REG_NOTICE_PAID, d0 + 29), 1);
	assert_int_equal(reg_notice_set_state(f->store, id2, REG_NOTICE_PROSECUTED, d0 + 42), 1);
	assert_non_null(strstr(reg_error(f->store), "overdue only after"));
	assert_int_equal(reg_notice_set_state(f->store, id2, REG_NOTICE_PROSECUTED, d0 + 43), 0);
	assert_int_equal(reg_notice_set_state(f->store, id, REG_NOTICE_PROSECUTED, d0 + 29), 0);
}

/* pupil_timed, each pupil's timed marks as one record: every writer keeps it in step with marks.
 * One half term; the pupils are pupils_csv's. */
static const char timed_calendar_csv[] = "kind,start,end,session,name\n"
                                         "half_term,2024-10-14,2024-10-25,,Autumn 1\n";
/* Out of date order on purpose: the record is in date order whatever order marks come in. */
static const char timed_marks_csv[] = "upn,date,session,code,minutes_late,arrival\n"
                                "A1,2024-10-17,AM,U,35,09:20\n"
                                "A1,2024-10-14,PM,L,12,13:27\n"
                                "A1,2024-10-14,AM,/,,\n"
                                "B2,2024-10-15,AM,L,,08:59\n"
                                "C3,2024-10-15,AM,/,,\n";

/* What a run reads (reg_arrivals, from pupil_timed) is what marks holds, row for row; returns the count. */
static size_t
assert_in_step(struct reg_store *store)
{
	struct reg_arrival *arr;
	size_t narr, i = 0;
	assert_int_equal(reg_arrivals(store, NULL, &arr, &narr), 0);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(reg_db(store),
	                                    "SELECT pupil_id, date, session, coalesce(arrival, ''),"
	                                    " coalesce(minutes_late, -1), code FROM marks"
	                                    " WHERE minutes_late IS NOT NULL OR arrival IS NOT NULL"
	                                    " ORDER BY pupil_id, date, session", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		assert_true(i < narr);
		const char *date = (const char *)sqlite3_column_text(st, 1), *arrival = (const char *)sqlite3_column_text(st, 3);
		rt_date d;
		int minutes = -1;
		assert_int_equal(rt_date_parse(date, strlen(date), &d), 0);
		if (*arrival)
			assert_int_equal(rt_time_parse(arrival, strlen(arrival), &minutes), 0);
		assert_int_equal(arr[i].pupil_id, sqlite3_column_int64(st, 0));
		assert_int_equal(arr[i].date, d);
		assert_int_equal(arr[i].session, strcmp((const char *)sqlite3_column_text(st, 2), "PM") ? RT_AM : RT_PM);
		assert_int_equal(arr[i].arrival, minutes);
		assert_int_equal(arr[i].minutes_late, sqlite3_column_int(st, 4));
		assert_string_equal(arr[i].code, (const char *)sqlite3_column_text(st, 5));
		i++;
	}
	sqlite3_finalize(st);
	assert_int_equal(i, narr);
	free(arr);
	return narr;
}

/* A register with the marks above (pupil_timed: test_timed_*). */
static void
open_timed(struct fixture *f)
{
	open_new(f);
	assert_int_equal(import_text(f, "calendar.csv", timed_calendar_csv), 0);
	assert_int_equal(import_text(f, "pupils.csv", pupils_csv), 0);
	assert_int_equal(import_text(f, "marks.csv", timed_marks_csv), 0);
}

static long
check(struct reg_store *store, char *out, size_t size)
{
	FILE *fp = fmemopen(out, size, "w");
	long differences = -1;
	assert_int_equal(reg_check_blobs(store, fp, &differences), 0);
	fclose(fp);
	return differences;
}

/* An import writes the records, and a second import adds to a pupil's, in date order. */
static void
test_timed_import_writes_it(void **state)
{
	struct fixture *f = *state;
	open_timed(f);
	assert_int_equal(assert_in_step(f->store), 3);
	assert_int_equal(import_text(f, "more.csv", "upn,date,session,code,minutes_late,arrival\n"
	                                            "A1,2024-10-15,AM,L,5,\nC3,2024-10-16,PM,/,0,\n"), 0);
	assert_int_equal(assert_in_step(f->store), 5);
	struct reg_arrival *arr;
	size_t narr;
	assert_int_equal(reg_arrivals(f->store, "A1", &arr, &narr), 0);
	assert_int_equal(narr, 3);
	assert_true(arr[0].date < arr[1].date && arr[1].date < arr[2].date);
	assert_int_equal(arr[1].arrival, -1);
	assert_int_equal(arr[1].minutes_late, 5);
	free(arr);
	char out[512] = "";
	assert_int_equal(check(f->store, out, sizeof out), 0);
}

/* An amendment of a timed mark changes its code in the record; the time stays. */
static void
test_timed_amend_follows(void **state)
{
	struct fixture *f = *state;
	open_timed(f);
	struct reg_amendment a = { "A1", rt_date_from_ymd(2024, 10, 14), RT_PM, "M", "doctor's letter",
	                           rt_date_from_ymd(2024, 10, 20), "office" };
	assert_int_equal(reg_amend(f->store, &a), 0);
	assert_int_equal(assert_in_step(f->store), 3);
	struct reg_arrival *arr;
	size_t narr;
	assert_int_equal(reg_arrivals(f->store, "A1", &arr, &narr), 0);
	assert_string_equal(arr[0].code, "M");
	assert_int_equal(arr[0].arrival, 13 * 60 + 27);
	free(arr);
}

/* A timed mark added by plain SQL is found by check-register and written in by the repair. */
static void
test_timed_repair_writes_it(void **state)
{
	struct fixture *f = *state;
	open_timed(f);
	assert_int_equal(sqlite3_exec(reg_db(f->store), "INSERT INTO marks (pupil_id, date, session, code, arrival)"
	                              " SELECT id, '2024-10-18', 'PM', 'L', '13:45' FROM pupils WHERE upn = 'C3'",
	                              NULL, NULL, NULL), SQLITE_OK);
	char out[1024] = "";
	assert_true(check(f->store, out, sizeof out) >= 2); /* pupil_marks and pupil_timed */
	assert_non_null(strstr(out, "pupil C3: pupil_timed differs from the timed marks in marks"));
	assert_int_equal(reg_repair_blobs(f->store), 0);
	assert_int_equal(check(f->store, out, sizeof out), 0);
	assert_int_equal(assert_in_step(f->store), 4);
	/* a record forged by hand: the run refuses it and says how to mend it */
	assert_int_equal(sqlite3_exec(reg_db(f->store), "UPDATE pupil_timed SET timed = x'0102' WHERE pupil_id ="
	                              " (SELECT id FROM pupils WHERE upn = 'B2')", NULL, NULL, NULL), SQLITE_OK);
	struct reg_arrival *arr;
	size_t narr;
	assert_int_equal(reg_arrivals(f->store, NULL, &arr, &narr), -1);
	assert_non_null(strstr(reg_error(f->store), "pupil_timed holds a bad record"));
	/* and so does the cursor, which decodes it as it reads the pupil */
	struct reg_cursor *cur;
	struct reg_pupil p;
	assert_int_equal(reg_pupils_open(f->store, "B2", &cur), 0);
	assert_int_equal(reg_pupils_next(cur, &p), -1);
	reg_pupils_close(cur);
	assert_non_null(strstr(reg_error(f->store), "pupil_timed holds a bad record"));
	assert_int_equal(check(f->store, out, sizeof out), 1);
	assert_non_null(strstr(out, "pupil B2: pupil_timed"));
}

/* A version 8 register gains the records from its marks. */
static void
test_timed_migration_writes_it(void **state)
{
	struct fixture *f = *state;
	open_timed(f);
	assert_int_equal(sqlite3_exec(reg_db(f->store), "DROP TABLE pupil_timed; PRAGMA user_version = 8", NULL, NULL,
	                              NULL), SQLITE_OK);
	reg_close(f->store);
	assert_int_equal(reg_open(f->db, 0, &f->store), 0);
	assert_int_equal(assert_in_step(f->store), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema_created, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_rejects_other_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrates_version_3, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrates_version_6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrates_version_2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unpaid_after_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_school_import, setup, teardown),
		cmocka_unit_test_setup_teardown(test_calendar_derived, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pupils_cursor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compact_marks_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timed_import_writes_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timed_amend_follows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timed_repair_writes_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timed_migration_writes_it, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
