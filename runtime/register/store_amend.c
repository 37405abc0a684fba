/*
 * Amendments: a changed mark keeps its original in `amendments`, with the
 * reason, the day and who made it, written with the new mark and the compact
 * copy in one transaction. `attend history` lists a pupil's marks with them.
 */
#include "runtime/register/store_impl.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static const char *
session_name(int session)
{
	return session == RT_PM ? "PM" : "AM";
}

/* Refuses (1) a mark the calendar has no place for. */
static int
check_session(struct reg_store *store, const struct reg_amendment *a, long *day)
{
	struct reg_calendar cal;
	char date[11], why[96];
	if (reg_calendar_read(store, &cal))
		return -1;
	rt_date_format(a->date, date);
	*day = reg_calendar_day(&cal, a->date);
	int open = *day >= 0 && (cal.days.days[*day].open & (a->session == RT_PM ? RT_OPEN_PM : RT_OPEN_AM));
	const char *reason = open ? NULL : reg_calendar_closed_reason(&cal, a->date, a->session, why, sizeof why);
	reg_calendar_free(&cal);
	if (open)
		return 0;
	if (reason)
		reg_fail(store, "the school is closed on %s %s (%s)", date, session_name(a->session), reason);
	else
		reg_fail(store, "%s is outside the calendar", date);
	return 1;
}

/* Writes the new code into the pupil's compact copy at `slot`. */
static int
update_blob(struct reg_store *store, int64_t pupil, size_t slot, int code_id)
{
	sqlite3_stmt *st;
	if (reg_prepare(store, "SELECT marks FROM pupil_marks WHERE pupil_id = ?", &st))
		return -1;
	sqlite3_bind_int64(st, 1, pupil);
	int rc = sqlite3_step(st);
	size_t have = rc == SQLITE_ROW ? (size_t)sqlite3_column_bytes(st, 0) : 0;
	size_t size = have > slot ? have : slot + 1;
	uint8_t *blob = calloc(size, 1);
	if (blob && have)
		memcpy(blob, sqlite3_column_blob(st, 0), have);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		free(blob);
		return reg_fail_db(store, "cannot read pupil_marks");
	}
	if (!blob)
		return reg_fail(store, "out of memory");
	blob[slot] = (uint8_t)code_id;
	if (reg_prepare(store, "INSERT OR REPLACE INTO pupil_marks (pupil_id, marks) VALUES (?, ?)", &st)) {
		free(blob);
		return -1;
	}
	sqlite3_bind_int64(st, 1, pupil);
	sqlite3_bind_blob(st, 2, blob, (int)size, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	free(blob);
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot write pupil_marks");
}

static int
code_id(struct reg_store *store, const char *code)
{
	struct reg_codebook *book = malloc(sizeof *book);
	if (!book)
		return reg_fail(store, "out of memory");
	int id = -1;
	if (reg_codebook_load(store, book) == 0) {
		size_t len = strlen(code);
		id = reg_codebook_find(book, code, len);
		if (!id)
			id = reg_codebook_add(store, book, code, len);
		if (id == -1)
			reg_fail(store, "%s: more than %d different codes", store->path, REG_MAX_CODE_ID);
		if (id < 0)
			id = -1;
	}
	free(book);
	return id;
}

int
reg_amend_within(struct reg_store *store, const struct reg_amendment *a)
{
	char date[11], on[11];
	rt_date_format(a->date, date);
	rt_date_format(a->on, on);
	sqlite3_stmt *st;
	if (reg_prepare_scoped(store,
	                     "SELECT p.id, m.code FROM pupils p LEFT JOIN marks m"
	                     " ON m.pupil_id = p.id AND m.date = ?2 AND m.session = ?3 WHERE p.upn = ?1"
	                     " AND p.school = :school",
	                     &st))
		return -1;
	sqlite3_bind_text(st, 1, a->upn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, session_name(a->session), -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	int64_t pupil = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	char original[8] = "";
	int had_mark = rc == SQLITE_ROW && sqlite3_column_type(st, 1) != SQLITE_NULL;
	if (had_mark)
		snprintf(original, sizeof original, "%s", (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return reg_fail_db(store, "cannot read marks");
	if (rc == SQLITE_DONE) {
		reg_fail(store, "no pupil with UPN %s in the register", a->upn);
		return 1;
	}
	if (had_mark && strcmp(original, a->code) == 0) {
		reg_fail(store, "the mark for %s on %s %s is already %s", a->upn, date, session_name(a->session),
		              a->code);
		return 1;
	}
	long day;
	int status = check_session(store, a, &day);
	if (status)
		return status;
	int id = code_id(store, a->code);
	if (id < 0)
		return -1;
	if (reg_prepare(store,
	                     "INSERT INTO amendments (pupil_id, date, session, original_code, amended_code, reason,"
	                     " amended_on, amended_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	                     &st))
		return -1;
	sqlite3_bind_int64(st, 1, pupil);
	sqlite3_bind_text(st, 2, date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, session_name(a->session), -1, SQLITE_STATIC);
	if (had_mark)
		sqlite3_bind_text(st, 4, original, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, a->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, on, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, a->by, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return reg_fail_db(store, "cannot record the amendment");
	/* The time of arrival, if any, stays: it is a fact about the arrival, not the code. */
	/* An update, or an insert when the session had no mark: the register
	 * refuses any insert that meets an existing mark, upserts included. */
	static const char *const write[2] = {
		"UPDATE marks SET code = ?4 WHERE pupil_id = ?1 AND date = ?2 AND session = ?3",
		"INSERT INTO marks (pupil_id, date, session, code) VALUES (?1, ?2, ?3, ?4)",
	};
	for (int k = 0; k < 2; k++) {
		if (reg_prepare(store, write[k], &st))
			return -1;
		sqlite3_bind_int64(st, 1, pupil);
		sqlite3_bind_text(st, 2, date, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, session_name(a->session), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, a->code, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return reg_fail_db(store, "cannot write the mark");
		if (k == 0 && sqlite3_changes(store->db) > 0)
			break;
	}
	/* pupil_marks and pupil_timed (the mark may carry a time) follow in the same transaction. */
	if (update_blob(store, pupil, 2 * (size_t)day + (a->session == RT_PM), id) ||
	    (had_mark && reg_timed_write(store, pupil)))
		return -1;
	if (reg_prepare(store, "DELETE FROM marks_changed WHERE pupil_id = ?", &st))
		return -1;
	sqlite3_bind_int64(st, 1, pupil);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot write the mark");
}

int
reg_amend(struct reg_store *store, const struct reg_amendment *a)
{
	if (!reg_code_is_valid(a->code, strlen(a->code)) || strcmp(a->code, "-") == 0) {
		reg_fail(store, "\"%s\" is not a register code (1 to 4 of A-Z 0-9 / \\ # -)", a->code);
		return 1;
	}
	if (!*a->reason || !*a->by) {
		reg_fail(store, "an amendment needs a reason and who made it");
		return 1;
	}
	if (reg_exec(store, "BEGIN IMMEDIATE"))
		return -1;
	int status = reg_amend_within(store, a);
	if (status == 0 && reg_exec(store, "COMMIT") == 0)
		return 0;
	sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	return status ? status : -1;
}

int
reg_write_mark_history(struct reg_store *store, const char *upn, rt_date from, rt_date to, FILE *out)
{
	char a[11], b[11];
	rt_date_format(from == RT_DATE_MIN ? rt_date_from_ymd(1900, 1, 1) : from, a);
	rt_date_format(to == RT_DATE_MAX ? rt_date_from_ymd(9999, 12, 31) : to, b);
	sqlite3_stmt *st;
	if (reg_prepare_scoped(store, "SELECT surname, forename FROM pupils WHERE upn = ? AND school = :school", &st))
		return -1;
	sqlite3_bind_text(st, 1, upn, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		char fore[256], sur[256];
		fprintf(out, "Marks of %s (%s %s)", upn, reg_text(st, 1, fore, sizeof fore), reg_text(st, 0, sur, sizeof sur));
		if (from != RT_DATE_MIN || to != RT_DATE_MAX) /* the dates only when a range was asked for */
			fprintf(out, ", %s to %s", a, b);
		fputc('\n', out);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		reg_fail(store, "no pupil with UPN %s in the register", upn);
		return 1;
	}
	if (rc != SQLITE_ROW)
		return reg_fail_db(store, "cannot read pupils");
	/* Marks, and amendments of sessions whose mark is gone (none today: marks
	 * are never deleted, but the audit trail is listed whatever happens). */
	const char *school;
	if (reg_scope(store, &school) ||
	    reg_prepare(store,
	                     "WITH p AS (SELECT id FROM pupils WHERE upn = ?1 AND school = ?4),"
	                     " s AS (SELECT date, session FROM marks WHERE pupil_id = (SELECT id FROM p)"
	                     "       UNION SELECT date, session FROM amendments WHERE pupil_id = (SELECT id FROM p))"
	                     " SELECT s.date, s.session, m.code, a.original_code, a.amended_code, a.reason, a.amended_on,"
	                     " a.amended_by FROM s"
	                     " LEFT JOIN marks m ON m.pupil_id = (SELECT id FROM p) AND m.date = s.date"
	                     "   AND m.session = s.session"
	                     " LEFT JOIN amendments a ON a.pupil_id = (SELECT id FROM p) AND a.date = s.date"
	                     "   AND a.session = s.session"
	                     " WHERE s.date BETWEEN ?2 AND ?3 ORDER BY s.date, s.session, a.id",
	                     &st))
		return -1;
	sqlite3_bind_text(st, 1, upn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, b, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, school, -1, SQLITE_STATIC);
	char last[16] = "";
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *date = (const char *)sqlite3_column_text(st, 0);
		const char *session = (const char *)sqlite3_column_text(st, 1);
		const char *code = (const char *)sqlite3_column_text(st, 2);
		char key[16];
		snprintf(key, sizeof key, "%s%s", date, session);
		if (strcmp(key, last) != 0)
			fprintf(out, "%s %s  %s\n", date, session, code ? code : "(no mark)");
		snprintf(last, sizeof last, "%s", key);
		if (sqlite3_column_type(st, 4) == SQLITE_NULL)
			continue;
		const char *orig = (const char *)sqlite3_column_text(st, 3);
		char by[256], reason[1024];
		fprintf(out, "    amended on %s by %s: %s -> %s; reason: %s\n", sqlite3_column_text(st, 6),
		        reg_text(st, 7, by, sizeof by), orig ? orig : "(no mark)", sqlite3_column_text(st, 4),
		        reg_text(st, 5, reason, sizeof reason));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot read marks");
}
