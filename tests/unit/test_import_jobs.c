/* Marks imported with one job and with two (the rows written on a second thread): the same
 * register, table by table, the same messages in the same order, and after a problem late in
 * the file the register as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "runtime/machine/calendar.h"
#include "runtime/machine/date.h"
#include "runtime/register/store.h"
#include "autumn_calendar.h"
#include "store_query.h"

#define PUPILS 60

struct fixture {
	char dir[64];
	struct reg_store *store[2];   /* the same register, to import into with 1 and with 2 jobs */
	char *diag[2];
	struct reg_import_stats stats[2];
};

static void
write_file(const struct fixture *f, const char *name, const char *text, size_t len, char *path, size_t size)
{
	snprintf(path, size, "%s/%s", f->dir, name);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Imports `text` as file `name` into register k with `jobs`; reg_import_with's result. */
static int
import_with_jobs(struct fixture *f, int k, const char *name, const char *text, size_t len, int jobs)
{
	char path[256];
	write_file(f, name, text, len, path, sizeof path);
	struct reg_import_options opt = { .jobs = jobs, .name = name };
	free(f->diag[k]);
	size_t size;
	FILE *diag = open_memstream(&f->diag[k], &size);
	int rc = reg_import_with(f->store[k], path, &opt, diag, &f->stats[k]);
	fclose(diag);
	return rc;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/attend-jobs-XXXXXX");
	if (!f || !mkdtemp(f->dir))
		return -1;
	char pupils[PUPILS * 32 + 32];
	size_t n = (size_t)sprintf(pupils, "upn,surname,forename\n");
	for (int i = 0; i < PUPILS; i++)
		n += (size_t)sprintf(pupils + n, "P%04d,Surname%d,Forename\n", i, i);
	for (int k = 0; k < 2; k++) {
		char db[128];
		snprintf(db, sizeof db, "%s/register%d.db", f->dir, k + 1);
		if (reg_open(db, REG_CREATE, &f->store[k]) ||
		    import_with_jobs(f, k, "calendar.csv", calendar_csv, strlen(calendar_csv), 1) ||
		    import_with_jobs(f, k, "pupils.csv", pupils, n, 1))
			return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	for (int k = 0; k < 2; k++) {
		reg_close(f->store[k]);
		free(f->diag[k]);
	}
	int rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

/* Every table's rows, in the order SQLite keeps them, hashed with their table's name and
 * counted: two registers with the same digest hold the same data. */
static uint64_t
register_digest(struct reg_store *store, long *rows)
{
	uint64_t h = 1469598103934665603u;
	sqlite3_stmt *tables, *st;
	*rows = 0;
	assert_int_equal(sqlite3_prepare_v2(reg_db(store), "SELECT name FROM sqlite_schema WHERE type = 'table'"
	                                    " ORDER BY name", -1, &tables, NULL), SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(tables, 0);
		char sql[256];
		snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", name);
		assert_int_equal(sqlite3_prepare_v2(reg_db(store), sql, -1, &st, NULL), SQLITE_OK);
		for (const char *c = name; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211u;
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int i = 0; i < sqlite3_column_count(st); i++) {
				const unsigned char *v = sqlite3_column_blob(st, i);
				int len = sqlite3_column_bytes(st, i);
				h = (h ^ (uint64_t)sqlite3_column_type(st, i)) * 1099511628211u;
				for (int j = 0; j < len; j++)
					h = (h ^ v[j]) * 1099511628211u;
			}
			(*rows)++;
		}
		sqlite3_finalize(st);
	}
	sqlite3_finalize(tables);
	return h;
}

/* Every open session of the calendar for every pupil, pupil by pupil, with times of
 * arrival, several codes, a code the register has not seen until late in the file, and
 * "#" on the INSET day (read back from the register while the rows are being written). */
static char *
marks_csv(struct reg_store *store, size_t *len, long *rows)
{
	static const char *const codes[] = { "/", "\\", "/", "L", "I", "/", "M", "/", "O", "\\" };
	struct rt_calendar cal;
	assert_int_equal(reg_load_calendar(store, &cal), 0);
	size_t cap = 2u << 20;
	char *csv = malloc(cap);
	assert_non_null(csv);
	*len = (size_t)sprintf(csv, "upn,date,session,code,minutes_late,arrival\n");
	*rows = 0;
	for (int p = 0; p < PUPILS; p++) {
		*len += (size_t)sprintf(csv + *len, "P%04d,2024-09-02,AM,#,,\n", p);
		for (size_t d = 0; d < cal.ndays; d++) {
			char date[11];
			rt_date_format(cal.days[d].date, date);
			for (int pm = 0; pm < 2; pm++) {
				if (!(cal.days[d].open & (pm ? RT_OPEN_PM : RT_OPEN_AM)))
					continue;
				const char *code = p == PUPILS - 2 && d > cal.ndays / 2 ? "Z1" : codes[(p + d + (size_t)pm) % 10];
				int late = code[0] == 'L';
				*len += (size_t)sprintf(csv + *len, "P%04d,%s,%s,%s,%s,%s\n", p, date, pm ? "PM" : "AM", code,
				                        late ? "12" : "", late ? "09:07" : "");
				assert_true(*len + 256 < cap);
				(*rows)++;
			}
		}
		(*rows)++;
	}
	rt_calendar_free(&cal);
	return csv;
}

static void
test_same_register_with_one_and_two_jobs(void **state)
{
	struct fixture *f = *state;
	size_t len;
	long rows, rows1, rows2;
	char *csv = marks_csv(f->store[0], &len, &rows);
	assert_true(rows > 5 * 1024);   /* several of the writer's chunks */
	assert_int_equal(import_with_jobs(f, 0, "marks.csv", csv, len, 1), 0);
	assert_int_equal(import_with_jobs(f, 1, "marks.csv", csv, len, 2), 0);
	assert_int_equal(f->stats[0].rows, rows);
	assert_int_equal(f->stats[1].rows, rows);
	assert_int_equal(query_int(f->store[1], "SELECT count(*) FROM marks"), rows);
	assert_int_equal(query_int(f->store[1], "SELECT count(*) FROM pupil_marks"), PUPILS);
	assert_true(query_int(f->store[1], "SELECT count(*) FROM pupil_timed") > 0);
	assert_int_equal(query_int(f->store[1], "SELECT count(*) FROM codes WHERE code = 'Z1'"), 1);
	/* Written without the per-row foreign key check (the importer's own ids), which is back on after. */
	for (int k = 0; k < 2; k++) {
		assert_int_equal(query_int(f->store[k], "SELECT count(*) FROM pragma_foreign_key_check"), 0);
		assert_int_equal(query_int(f->store[k], "PRAGMA foreign_keys"), 1);
	}
	uint64_t one = register_digest(f->store[0], &rows1), two = register_digest(f->store[1], &rows2);
	assert_int_equal(rows1, rows2);
	assert_true(one == two);
	/* The same file again: every mark unchanged, nothing written, with either. */
	assert_int_equal(import_with_jobs(f, 1, "marks.csv", csv, len, 2), 0);
	assert_int_equal(f->stats[1].unchanged, rows);
	assert_true(register_digest(f->store[1], &rows2) == one);
	free(csv);
}

/* A problem on the last lines, after thousands of rows the writer thread has written: the
 * same messages as one job gives, and nothing of the file left in the register. */
static void
test_late_problem_with_two_jobs(void **state)
{
	struct fixture *f = *state;
	size_t len;
	long rows, rows_before, rows_after;
	char *csv = marks_csv(f->store[0], &len, &rows);
	len += (size_t)sprintf(csv + len, "P0001,2024-09-03,AM,/,,\n"            /* given before */
	                                  "P0002,2024-09-03,PM,/,75 minutes,\n"  /* not a number */
	                                  "P9999,2024-09-04,AM,/,,\n");          /* not a pupil */
	uint64_t before = register_digest(f->store[1], &rows_before);
	assert_int_equal(import_with_jobs(f, 0, "marks.csv", csv, len, 1), 1);
	assert_int_equal(import_with_jobs(f, 1, "marks.csv", csv, len, 2), 1);
	assert_string_equal(f->diag[1], f->diag[0]);
	char line[128];
	snprintf(line, sizeof line, "marks.csv:%ld: session: duplicate mark for P0001", rows + 2);
	assert_non_null(strstr(f->diag[1], line));
	assert_non_null(strstr(f->diag[1], "(first on line "));
	snprintf(line, sizeof line, "marks.csv:%ld: minutes_late: \"75 minutes\"", rows + 3);
	assert_non_null(strstr(f->diag[1], line));
	snprintf(line, sizeof line, "marks.csv:%ld: upn: unknown pupil \"P9999\"", rows + 4);
	assert_non_null(strstr(f->diag[1], line));
	assert_int_equal(f->stats[1].errors, 3);
	assert_int_equal(query_int(f->store[1], "SELECT count(*) FROM marks"), 0);
	assert_true(register_digest(f->store[1], &rows_after) == before);
	assert_int_equal(rows_after, rows_before);
	free(csv);
}

/* A write that fails (here a trigger standing in for a full disk) in a chunk handed to the writer
 * thread, and a problem on the last line found after it: one job stops at the write, and two
 * jobs report the same failure rather than the problem; the register is as it was. */
static void
test_write_failure_before_a_late_problem(void **state)
{
	struct fixture *f = *state;
	size_t len;
	long rows, rows_before, rows_after;
	char *csv = marks_csv(f->store[0], &len, &rows);
	len += (size_t)sprintf(csv + len, "P0001,2024-09-03,AM,/,,\n"); /* given before */
	for (int k = 0; k < 2; k++)
		assert_int_equal(sqlite3_exec(reg_db(f->store[k]),
		                              "CREATE TRIGGER boom BEFORE INSERT ON marks WHEN new.pupil_id ="
		                              " (SELECT id FROM pupils WHERE upn = 'P0050') BEGIN SELECT RAISE(ABORT, 'boom'); END",
		                              NULL, NULL, NULL), SQLITE_OK);
	uint64_t before = register_digest(f->store[1], &rows_before);
	assert_int_equal(import_with_jobs(f, 0, "marks.csv", csv, len, 1), -1);
	assert_int_equal(import_with_jobs(f, 1, "marks.csv", csv, len, 2), -1);
	assert_string_equal(f->diag[1], f->diag[0]);
	for (int k = 0; k < 2; k++)
		assert_non_null(strstr(reg_error(f->store[k]), "cannot write marks: boom"));
	assert_int_equal(query_int(f->store[1], "SELECT count(*) FROM marks"), 0);
	assert_true(register_digest(f->store[1], &rows_after) == before);
	free(csv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_register_with_one_and_two_jobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_problem_with_two_jobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_failure_before_a_late_problem, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
