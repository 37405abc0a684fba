/* CSV imports: every kind of problem with its message, CSV quirks, and all-or-nothing writes. */
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

struct fixture {
	char dir[64];
	char db[128];
	struct reg_store *store;
	char *diag;               /* what the last import reported, with the folder taken out */
	struct reg_import_stats stats;
};

static const char pupils_csv[] = "upn,surname,forename\n1234,Adams,Ann\n5678,Brown,Ben\n";

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/attend-import-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof f->db, "%s/register.db", f->dir);
	if (reg_open(f->db, REG_CREATE, &f->store))
		return -1;
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
	free(f->diag);
	free(f);
	return 0;
}

/* Writes `len` bytes as file `name` in the fixture's folder and imports it. */
static int
import_bytes(struct fixture *f, const char *name, const char *text, size_t len)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", f->dir, name);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	fwrite(text, 1, len, fp);
	fclose(fp);
	free(f->diag);
	size_t size;
	FILE *diag = open_memstream(&f->diag, &size);
	int rc = reg_import(f->store, path, diag, &f->stats);
	fclose(diag);
	/* Messages name the path as given; drop the folder so tests read like the docs. */
	char prefix[80];
	snprintf(prefix, sizeof prefix, "%s/", f->dir);
	char *out = f->diag, *w = f->diag;
	while (*out) {
		if (strncmp(out, prefix, strlen(prefix)) == 0)
			out += strlen(prefix);
		else
			*w++ = *out++;
	}
	*w = '\0';
	return rc;
}

static int
import_text(struct fixture *f, const char *name, const char *text)
{
	return import_bytes(f, name, text, strlen(text));
}

static void
load_school(struct fixture *f)
{
	assert_int_equal(import_text(f, "calendar.csv", calendar_csv), 0);
	assert_int_equal(import_text(f, "pupils.csv", pupils_csv), 0);
}

static char *
read_whole(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	*len = (size_t)ftell(fp);
	rewind(fp);
	char *buf = malloc(*len + 1);
	assert_int_equal(fread(buf, 1, *len, fp), *len);
	fclose(fp);
	return buf;
}

static void
test_marks_problems_reported(void **state)
{
	struct fixture *f = *state;
	load_school(f);
	int rc = import_text(f, "marks.csv",
	                     "upn,date,session,code\n"
	                     "1234,2024-09-03,AM,/\n"          /* 2: fine */
	                     "X99,2024-09-03,AM,/\n"           /* 3 */
	                     "1234,2025-02-30,AM,/\n"          /* 4 */
	                     "1234,2024-09-04,AM,q9\n"         /* 5 */
	                     "1234,2024-09-03,AM,I\n"          /* 6: duplicate of line 2 */
	                     "1234,2024-10-29,AM,/\n"          /* 7: half-term holiday */
	                     "1234,2024-09-02,PM,/\n"          /* 8: INSET day */
	                     "1234,2024-11-05,AM,/\n"          /* 9: morning closure */
	                     "1234,2024-09-07,AM,/\n"          /* 10: Saturday */
	                     "1234,2023-09-07,AM,/\n"          /* 11: no calendar */
	                     "1234,2024-09-04,XX,/\n"          /* 12 */
	                     "1234,2024-09-04,AM,/,extra\n"    /* 13 */
	                     "1234,2024-10-29,AM,#\n"          /* 14: fine: closure code */
	                     "5678,2024-09-03,PM,-\n"          /* 15 */
	                     "1234,2024-10-29,AM,#\n");        /* 16: duplicate of line 14 */
	assert_int_equal(rc, 1);
	assert_string_equal(f->diag,
		"marks.csv:3: upn: unknown pupil \"X99\"\n"
		"marks.csv:4: date: 2025-02-30 is not a date (YYYY-MM-DD)\n"
		"marks.csv:5: code: unknown code \"q9\" (a code is 1 to 4 of A-Z 0-9 / \\ # -)\n"
		"marks.csv:6: session: duplicate mark for 1234 on 2024-09-03 AM (first on line 2)\n"
		"marks.csv:7: date: the school is closed on 2024-10-29 (half-term holiday)\n"
		"marks.csv:8: date: the school is closed on 2024-09-02 (INSET day)\n"
		"marks.csv:9: date: the school is closed on 2024-11-05 AM (polling station)\n"
		"marks.csv:10: date: the school is closed on 2024-09-07 (weekend)\n"
		"marks.csv:11: date: 2023-09-07 is outside the calendar (no half terms in school year 2023-24); import the"
		" school's term dates for 2023-24 first (attend import DB term-dates.csv; docs/import.md)\n"
		"marks.csv:12: session: \"XX\" is not AM or PM\n"
		"marks.csv:13: row: has 5 fields; the header has 4\n"
		"marks.csv:15: code: \"-\" means no mark was recorded; leave the row out\n"
		"marks.csv:16: session: duplicate mark for 1234 on 2024-10-29 AM (first on line 14)\n");
	assert_int_equal(f->stats.errors, 13);
	assert_int_equal(f->stats.rows, 0);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM marks"), 0);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM codes"), 0);
}

static void
test_header_problems(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(import_text(f, "marks.csv", "upn,date,session,code,reason,comment\n"), 1);
	assert_string_equal(f->diag,
		"marks.csv:1: header: unknown column \"reason\" (the columns are upn, date, session, code, minutes_late,"
		" arrival; map or ignore others with --columns)\n"
		"marks.csv:1: header: unknown column \"comment\" (the columns are upn, date, session, code, minutes_late,"
		" arrival; map or ignore others with --columns)\n");
	/* A register kept by lesson is refused, naming the columns that show it. */
	assert_int_equal(import_text(f, "marks.csv", "upn,date,Period,code,Teacher\n"), 1);
	assert_string_equal(f->diag, "marks.csv:1: header: this register is kept by lesson (columns \"Period\","
		" \"Teacher\"), not by session: export the statutory AM and PM session marks instead (docs/import.md)\n");
	assert_int_equal(import_text(f, "marks.csv", "upn,date,code\n"), 1);
	assert_string_equal(f->diag, "marks.csv:1: header: missing column \"session\"\n");
	assert_int_equal(import_text(f, "x.csv", "a,b\n"), 1);
	assert_non_null(strstr(f->diag, "x.csv:1: header: cannot tell what the file holds"));
	assert_int_equal(import_text(f, "empty.csv", ""), 1);
	assert_string_equal(f->diag, "empty.csv:1: header: the file is empty\n");
}

static void
test_quotes_crlf_bom(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(import_text(f, "calendar.csv", calendar_csv), 0);
	static const char pupils[] = "\xEF\xBB\xBFUPN,Surname,Forename,year_group\r\n"
	                             "1234,\"Smith, Jr\",\"Ann \"\"Annie\"\"\",7\r\n"
	                             "\r\n"
	                             "5678,Brown,Ben,R";      /* no final newline */
	assert_int_equal(import_text(f, "pupils.csv", pupils), 0);
	assert_int_equal(f->stats.rows, 2);
	assert_string_equal(f->stats.kind, "pupils");
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM pupils WHERE surname = 'Smith, Jr' AND forename = 'Ann \"Annie\"'"), 1);
	assert_int_equal(query_int(f->store, "SELECT year_group FROM pupils WHERE upn = '5678'"), 0);
	static const char marks[] = "\xEF\xBB\xBFupn,session,code,date,arrival,minutes_late\r\n"
	                            "1234,AM,L,2024-09-03,09:05,10\r\n"
	                            "\"5678\",PM,\\,2024-09-03,,\r\n";
	assert_int_equal(import_text(f, "marks.csv", marks), 0);
	assert_int_equal(f->stats.rows, 2);
	assert_int_equal(query_int(f->store, "SELECT minutes_late FROM marks WHERE code = 'L' AND arrival = '09:05'"), 10);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM marks WHERE code = '\\' AND session = 'PM'"), 1);
	/* A quoted field across lines keeps the line numbers right. */
	assert_int_equal(import_text(f, "pupils2.csv", "upn,surname,forename\n9,\"Two\nLines\",A\n,B,C\n"), 1);
	assert_string_equal(f->diag, "pupils2.csv:4: upn: missing\n");
	assert_int_equal(import_text(f, "pupils3.csv", "upn,surname,forename\n9,\"open,A\n"), 1);
	assert_string_equal(f->diag, "pupils3.csv:2: row: a quoted field is not closed\n");
}

static void
test_failed_import_changes_nothing(void **state)
{
	struct fixture *f = *state;
	load_school(f);
	assert_int_equal(import_text(f, "first.csv", "upn,date,session,code\n1234,2024-09-03,AM,/\n"), 0);
	size_t before_len, after_len;
	char *before = read_whole(f->db, &before_len);
	/* Thousands of good rows (written before the problem is seen), then one bad row. */
	size_t cap = 1 << 20, len = 0;
	char *csv = malloc(cap);
	len += (size_t)sprintf(csv, "upn,date,session,code\n");
	struct rt_calendar cal;
	assert_int_equal(reg_load_calendar(f->store, &cal), 0);
	for (size_t d = 1; d < cal.ndays; d++) {
		char date[11];
		rt_date_format(cal.days[d].date, date);
		for (int pm = 0; pm < 2; pm++)
			if (cal.days[d].open & (pm ? RT_OPEN_PM : RT_OPEN_AM))
				len += (size_t)sprintf(csv + len, "5678,%s,%s,%s\n", date, pm ? "PM" : "AM", pm ? "\\" : "/");
	}
	len += (size_t)sprintf(csv + len, "1234,2024-09-03,AM,I\n");
	assert_int_equal(import_bytes(f, "marks.csv", csv, len), 1);
	assert_non_null(strstr(f->diag, "code: 1234 2024-09-03 AM is \"/\" in the register, \"I\" here (give --amend"));
	assert_int_equal(f->stats.refused, 1);
	char *after = read_whole(f->db, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM marks"), 1);
	free(before);
	free(after);
	free(csv);
	rt_calendar_free(&cal);
}

/* The daily re-import: the same marks are counted and skipped; a changed one is
 * refused, or with --amend written as an audited amendment; twice is once. */
static void
test_reimport_and_amend(void **state)
{
	struct fixture *f = *state;
	load_school(f);
	static const char day1[] = "upn,date,session,code\n1234,2024-09-03,AM,/\n1234,2024-09-03,PM,\\\n";
	static const char day2[] = "upn,date,session,code\n1234,2024-09-03,AM,I\n1234,2024-09-03,PM,\\\n"
	                           "1234,2024-09-04,AM,/\n";
	assert_int_equal(import_text(f, "day1.csv", day1), 0);
	assert_int_equal(import_text(f, "day1.csv", day1), 0);
	assert_int_equal(f->stats.rows, 0);
	assert_int_equal(f->stats.unchanged, 2);
	assert_int_equal(import_text(f, "day2.csv", day2), 1);
	assert_int_equal(f->stats.refused, 1);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM marks"), 2);

	struct reg_import_options opt = { .amend = 1, .reason = "MIS correction", .by = "Office",
	                                   .on = rt_date_from_ymd(2024, 9, 5) };
	FILE *diag = fopen("/dev/null", "w");
	char path[512];
	snprintf(path, sizeof path, "%s/day2.csv", f->dir);
	assert_int_equal(reg_import_with(f->store, path, &opt, diag, &f->stats), 0);
	assert_int_equal(f->stats.rows, 1);
	assert_int_equal(f->stats.unchanged, 1);
	assert_int_equal(f->stats.amended, 1);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM amendments WHERE original_code = '/' AND amended_code = 'I'"
	                              " AND reason = 'MIS correction' AND amended_by = 'Office'"), 1);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM marks WHERE date = '2024-09-03' AND session = 'AM'"
	                              " AND code = 'I'"), 1);
	/* The second time nothing changes: everything is unchanged. */
	assert_int_equal(reg_import_with(f->store, path, &opt, diag, &f->stats), 0);
	assert_int_equal(f->stats.rows + f->stats.amended, 0);
	assert_int_equal(f->stats.unchanged, 3);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM amendments"), 1);
	fclose(diag);
	/* The compact copy the engine reads has the amended code. */
	struct reg_cursor *cur;
	struct reg_pupil p;
	char **names;
	size_t ncodes;
	assert_int_equal(reg_codes(f->store, &names, &ncodes), 0);
	assert_int_equal(reg_pupils_open(f->store, "1234", &cur), 0);
	assert_int_equal(reg_pupils_next(cur, &p), 1);
	struct rt_calendar cal;
	assert_int_equal(reg_load_calendar(f->store, &cal), 0);
	long day = -1;
	for (size_t d = 0; d < cal.ndays; d++)
		if (cal.days[d].date == rt_date_from_ymd(2024, 9, 3))
			day = (long)d;
	assert_true(day >= 0 && p.nmarks > (size_t)(2 * day));
	assert_string_equal(names[p.marks[2 * day]], "I");
	reg_pupils_close(cur);
	reg_free_codes(names, ncodes);
	rt_calendar_free(&cal);
}

static void
test_problem_report_capped(void **state)
{
	struct fixture *f = *state;
	load_school(f);
	char *csv = malloc(1 << 16);
	size_t len = (size_t)sprintf(csv, "upn,date,session,code\n");
	for (int i = 0; i < 150; i++)
		len += (size_t)sprintf(csv + len, "nobody%d,2024-09-03,AM,/\n", i);
	assert_int_equal(import_bytes(f, "marks.csv", csv, len), 1);
	assert_int_equal(f->stats.errors, 150);
	int lines = 0;
	for (const char *p = f->diag; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 101);
	assert_non_null(strstr(f->diag, "marks.csv: 50 more problems not shown\n"));
	free(csv);
}

static void
test_calendar_change_rebuilds_blobs(void **state)
{
	struct fixture *f = *state;
	load_school(f);
	assert_int_equal(import_text(f, "marks.csv",
	                             "upn,date,session,code\n"
	                             "1234,2024-09-03,AM,/\n"
	                             "1234,2024-11-04,PM,I\n"
	                             "5678,2024-12-20,PM,O\n"),
	                 0);
	/* A closure on a day with marks is refused... */
	assert_int_equal(import_text(f, "closure.csv", "kind,start,end,session,name\nclosure,2024-11-04,,PM,snow\n"), 1);
	assert_string_equal(f->diag,
		"closure.csv:2: start: 1 pupils already have a mark other than \"#\" on 2024-11-04 PM; amend those first\n");
	/* ...but one on an unmarked day moves every later day's position. */
	assert_int_equal(import_text(f, "closure.csv", "kind,start,end,session,name\nclosure,2024-09-04,,,snow\n"), 0);
	struct rt_calendar cal;
	char **names;
	size_t nnames;
	assert_int_equal(reg_load_calendar(f->store, &cal), 0);
	assert_int_equal(reg_codes(f->store, &names, &nnames), 0);
	struct reg_cursor *cur;
	struct reg_pupil p;
	assert_int_equal(reg_pupils_open(f->store, "1234", &cur), 0);
	assert_int_equal(reg_pupils_next(cur, &p), 1);
	assert_int_equal(p.nmarks, 2 * cal.ndays);
	rt_date d;
	rt_date_parse("2024-11-04", 10, &d);
	long i = rt_calendar_find(&cal, d);
	assert_true(i > 0);
	assert_string_equal(names[p.marks[2 * i + 1]], "I");
	assert_string_equal(names[p.marks[0]], "/");     /* 2024-09-03 AM, the first school day */
	int nonzero = 0;
	for (size_t k = 0; k < p.nmarks; k++)
		nonzero += p.marks[k] != 0;
	assert_int_equal(nonzero, 2);
	reg_pupils_close(cur);
	reg_free_codes(names, nnames);
	rt_calendar_free(&cal);
}

static void
test_calendar_problems(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(import_text(f, "calendar.csv", calendar_csv), 0);
	assert_int_equal(import_text(f, "more.csv",
	                             "kind,start,end,session,name\n"
	                             "half_term,2025-01-06,2025-02-14,,\n"
	                             "half_term,2025-02-24,2025-04-04,,\n"
	                             "half_term,2025-04-22,2025-05-23,,\n"
	                             "half_term,2025-06-02,2025-07-18,,\n"
	                             "half_term,2025-07-21,2025-07-25,,\n"
	                             "half_term,2024-12-16,2024-12-18,,\n"
	                             "holiday,2024-12-16,2024-12-18,,\n"
	                             "closure,2024-09-02,,,again\n"
	                             "closure,2024-09-07,2024-09-08,,weekend\n"
	                             "half_term,2025-07-01,2025-08-10,,\n"),
	                 1);
	assert_string_equal(f->diag,
		"more.csv:5: start: school year 2024-25 would have more than 6 half terms\n" /* the overlapping one on line 7 counts */
		"more.csv:7: start: this half term overlaps one already in the register (2024-11-04 to 2024-12-20)\n"
		"more.csv:8: kind: \"holiday\" is not half_term or closure\n"
		"more.csv:9: start: 2024-09-02 AM is already closed in the register (INSET day)\n"
		"more.csv:9: start: 2024-09-02 PM is already closed in the register (INSET day)\n"
		"more.csv:10: start: 2024-09-07 to 2024-09-08 has no weekday to close\n"
		"more.csv:11: end: 2025-08-10 is in a later school year than 2025-07-01 (years start on 1 August)\n");
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM half_terms"), 2);
	/* Half terms are numbered by their order in the year, whatever the file order. */
	assert_int_equal(import_text(f, "spring.csv",
	                             "kind,start,end\nhalf_term,2025-02-24,2025-04-04\nhalf_term,2025-01-06,2025-02-14\n"),
	                 0);
	assert_int_equal(query_int(f->store, "SELECT number FROM half_terms WHERE start = '2025-02-24'"), 4);
	/* A year given from its summer would number summer as half terms 1 and 2: refused. */
	f->diag[0] = 0;
	assert_int_equal(import_text(f, "summer.csv",
	                             "kind,start,end\nhalf_term,2026-04-13,2026-05-22\nhalf_term,2026-06-01,2026-07-17\n"),
	                 1);
	assert_string_equal(f->diag, "summer.csv:2: start: the first half term of school year 2025-26 starts on 2026-04-13; "
	                             "half terms are numbered by their order in the year, so give the year's half terms "
	                             "from its first one\n");
}

static void
test_pupils_updated_and_duplicates(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(import_text(f, "pupils.csv", "upn,surname,forename,year_group\n1234,Adams,Ann,7\n"), 0);
	assert_int_equal(import_text(f, "pupils.csv", "upn,surname,forename,admitted,left\n1234,Adams-Lee,Ann,,\n"), 0);
	assert_int_equal(query_int(f->store, "SELECT count(*) FROM pupils WHERE surname = 'Adams-Lee' AND year_group = 7"), 1);
	assert_int_equal(import_text(f, "pupils.csv",
	                             "upn,surname,forename,admitted,left,year_group\n"
	                             "1,A,B,2024-09-03,2024-09-01,\n"
	                             "1,A,B,,,15\n"),
	                 1);
	assert_string_equal(f->diag,
		"pupils.csv:2: left: 2024-09-01 is before the admission date 2024-09-03\n"
		"pupils.csv:3: upn: pupil 1 appears twice (first on line 2)\n"
		"pupils.csv:3: year_group: \"15\" is not a year group (N1, N2, R, or 0 to 14)\n");
	/* nursery and reception, as the Common Transfer File writes them */
	assert_int_equal(import_text(f, "pupils.csv", "upn,surname,forename,year_group\n"
	                                              "2001,Nur,Nia,N1\n2002,Nur,Ned,N2\n2003,Rec,Rae,R\n2004,One,Oli,01\n"), 0);
	assert_int_equal(query_int(f->store, "SELECT year_group FROM pupils WHERE upn = '2001'"), -2);
	assert_int_equal(query_int(f->store, "SELECT year_group FROM pupils WHERE upn = '2002'"), -1);
	assert_int_equal(query_int(f->store, "SELECT year_group FROM pupils WHERE upn = '2003'"), 0);
	assert_int_equal(query_int(f->store, "SELECT year_group FROM pupils WHERE upn = '2004'"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_marks_problems_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_problems, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quotes_crlf_bom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_import_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reimport_and_amend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_problem_report_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_calendar_change_rebuilds_blobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_calendar_problems, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pupils_updated_and_duplicates, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
