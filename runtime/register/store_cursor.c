/* Reading pupils with their compact marks, and the marks that carry a time. */
#include "runtime/register/store_impl.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

struct reg_cursor {
	struct reg_store *store;
	sqlite3_stmt *st;
	char text[3][256];        /* repaired copies of text that is not UTF-8 */
};

int
reg_pupils_open(struct reg_store *store, const char *upn, struct reg_cursor **out)
{
	*out = NULL;
	struct reg_cursor *cur = calloc(1, sizeof *cur);
	if (!cur)
		return reg_fail(store, "out of memory");
	cur->store = store;
	/* The UNIQUE index on upn gives the order; pupil_marks is found by rowid. */
	const char *sql = upn ? "SELECT p.id, p.upn, p.surname, p.forename, p.year_group, m.marks"
	                        " FROM pupils p LEFT JOIN pupil_marks m ON m.pupil_id = p.id WHERE p.upn = ?"
	                      : "SELECT p.id, p.upn, p.surname, p.forename, p.year_group, m.marks"
	                        " FROM pupils p LEFT JOIN pupil_marks m ON m.pupil_id = p.id ORDER BY p.upn";
	if (reg_prepare(store, sql, &cur->st)) {
		free(cur);
		return -1;
	}
	if (upn)
		sqlite3_bind_text(cur->st, 1, upn, -1, SQLITE_TRANSIENT);
	*out = cur;
	return 0;
}

static const char *
text_or_empty(struct reg_cursor *cur, int col)
{
	const char *s = reg_text(cur->st, col, cur->text[col - 1], sizeof cur->text[0]);
	return s ? s : "";
}

int
reg_pupils_next(struct reg_cursor *cur, struct reg_pupil *out)
{
	int rc = sqlite3_step(cur->st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return reg_fail_db(cur->store, "cannot read pupils");
	out->id = sqlite3_column_int64(cur->st, 0);
	out->upn = text_or_empty(cur, 1);
	out->surname = text_or_empty(cur, 2);
	out->forename = text_or_empty(cur, 3);
	out->year_group = sqlite3_column_type(cur->st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(cur->st, 4);
	out->marks = sqlite3_column_blob(cur->st, 5);
	out->nmarks = (size_t)sqlite3_column_bytes(cur->st, 5);
	if (!out->marks)
		out->nmarks = 0;
	return 1;
}

void
reg_pupils_close(struct reg_cursor *cur)
{
	if (!cur)
		return;
	sqlite3_finalize(cur->st);
	free(cur);
}

static int
parse_arrival(struct reg_store *store, sqlite3_stmt *st, struct reg_arrival *a)
{
	const char *date = (const char *)sqlite3_column_text(st, 1);
	const char *session = (const char *)sqlite3_column_text(st, 2);
	const char *code = (const char *)sqlite3_column_text(st, 5);
	if (!date || !session || !code || rt_date_parse(date, strlen(date), &a->date) || strlen(code) >= sizeof a->code)
		return reg_fail(store, "%s: marks holds a bad row for pupil %lld", store->path,
		                     (long long)sqlite3_column_int64(st, 0));
	a->pupil_id = sqlite3_column_int64(st, 0);
	a->session = strcmp(session, "PM") == 0 ? RT_PM : RT_AM;
	a->arrival = -1;
	if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
		const char *t = (const char *)sqlite3_column_text(st, 3);
		int minutes;
		if (!t || rt_time_parse(t, strlen(t), &minutes))
			return reg_fail(store, "%s: marks holds a bad arrival time \"%s\"", store->path, t ? t : "");
		a->arrival = (int16_t)minutes;
	}
	a->minutes_late = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : (int16_t)sqlite3_column_int(st, 4);
	strcpy(a->code, code);
	return 0;
}

int
reg_arrivals(struct reg_store *store, const char *upn, struct reg_arrival **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	/* The condition matches the partial index marks_timed, so only timed marks are read. */
	const char *sql = upn ? "SELECT m.pupil_id, m.date, m.session, m.arrival, m.minutes_late, m.code"
	                        " FROM marks m JOIN pupils p ON p.id = m.pupil_id WHERE p.upn = ?"
	                        " AND (m.minutes_late IS NOT NULL OR m.arrival IS NOT NULL)"
	                        " ORDER BY m.pupil_id, m.date, m.session"
	                      : "SELECT pupil_id, date, session, arrival, minutes_late, code FROM marks"
	                        " WHERE minutes_late IS NOT NULL OR arrival IS NOT NULL"
	                        " ORDER BY pupil_id, date, session";
	sqlite3_stmt *st;
	if (reg_prepare(store, sql, &st))
		return -1;
	if (upn)
		sqlite3_bind_text(st, 1, upn, -1, SQLITE_TRANSIENT);
	struct reg_arrival *arr = NULL;
	size_t count = 0, cap = 0;
	int rc, failed = 0;
	while (!failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 256;
			void *grown = realloc(arr, cap * sizeof *arr);
			if (!grown) {
				failed = reg_fail(store, "out of memory");
				break;
			}
			arr = grown;
		}
		failed = parse_arrival(store, st, &arr[count]);
		count++;
	}
	if (!failed && rc != SQLITE_DONE)
		failed = reg_fail_db(store, "cannot read marks");
	sqlite3_finalize(st);
	if (failed) {
		free(arr);
		return -1;
	}
	*out = arr;
	*n = count;
	return 0;
}
