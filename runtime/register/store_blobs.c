/* pupil_marks: the compact per-pupil copy of marks, rebuilt when the calendar
 * changes, and compared with marks (attend check-register), with pupil_timed. */
#include "runtime/register/store_impl.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

struct rebuild {
	struct reg_store *store;
	struct reg_calendar cal;
	struct reg_codebook *book;
	sqlite3_stmt *write;
	uint8_t *blob;
	size_t nblob;
	/* comparing instead of writing (check-register) */
	FILE *report;
	sqlite3_stmt *stored, *upn;
	long differences;
};

/* "pupil UPN" as the school knows them, or "pupil id N" for a row that names no pupil. */
static const char *
pupil_name(struct rebuild *rb, int64_t pupil_id, char *buf, size_t size)
{
	char text[64];
	const char *upn = NULL;
	sqlite3_bind_int64(rb->upn, 1, pupil_id);
	if (sqlite3_step(rb->upn) == SQLITE_ROW)
		upn = reg_text(rb->upn, 0, text, sizeof text);
	if (upn)
		snprintf(buf, size, "pupil %s", upn);
	else
		snprintf(buf, size, "pupil id %lld", (long long)pupil_id);
	sqlite3_reset(rb->upn);
	return buf;
}

static void
report_difference(struct rebuild *rb, int64_t pupil_id, size_t slot, int want, int have)
{
	if (rb->differences++ >= REG_MAX_SHOWN)
		return;
	char date[11], who[96];
	rt_date_format(rb->cal.days.days[slot / 2].date, date);
	const char *w = want ? rb->book->names[want] : "no mark", *h = have && have <= REG_MAX_CODE_ID ? rb->book->names[have] : "";
	fprintf(rb->report, "%s: %s, %s %s: marks has %s%s%s, pupil_marks has %s%s%s\n", rb->store->path,
	        pupil_name(rb, pupil_id, who, sizeof who), date, slot % 2 ? "PM" : "AM", want ? "\"" : "", w,
	        want ? "\"" : "", have ? "\"" : "", have ? (*h ? h : "an unknown code") : "no mark", have ? "\"" : "");
}

/* Compares the blob built from marks with the stored one. */
static int
compare_blob(struct rebuild *rb, int64_t pupil_id)
{
	char who[96];
	sqlite3_bind_int64(rb->stored, 1, pupil_id);
	int rc = sqlite3_step(rb->stored);
	const uint8_t *have = rc == SQLITE_ROW ? sqlite3_column_blob(rb->stored, 0) : NULL;
	size_t nhave = rc == SQLITE_ROW ? (size_t)sqlite3_column_bytes(rb->stored, 0) : 0;
	for (size_t i = 0; i < rb->nblob || i < nhave; i++) {
		int want = i < rb->nblob ? rb->blob[i] : 0, got = i < nhave ? have[i] : 0;
		if (want != got && i < rb->nblob)
			report_difference(rb, pupil_id, i, want, got);
		else if (want != got && rb->differences++ < REG_MAX_SHOWN)
			fprintf(rb->report, "%s: %s: pupil_marks is longer than the calendar\n", rb->store->path,
			        pupil_name(rb, pupil_id, who, sizeof who));
	}
	sqlite3_reset(rb->stored);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : reg_fail_db(rb->store, "cannot read pupil_marks");
}

static int
write_blob(struct rebuild *rb, int64_t pupil_id)
{
	if (rb->report)
		return compare_blob(rb, pupil_id);
	sqlite3_bind_int64(rb->write, 1, pupil_id);
	sqlite3_bind_blob(rb->write, 2, rb->blob, (int)rb->nblob, SQLITE_STATIC);
	int rc = sqlite3_step(rb->write);
	sqlite3_reset(rb->write);
	return rc == SQLITE_DONE ? 0 : reg_fail_db(rb->store, "cannot write pupil_marks");
}

/* The school's compact copies, before they are written again. */
static int
delete_blobs(struct reg_store *store, const char *school)
{
	sqlite3_stmt *st;
	if (reg_prepare(store, "DELETE FROM pupil_marks WHERE pupil_id IN (SELECT id FROM pupils WHERE school = ?)",
	                &st))
		return -1;
	sqlite3_bind_text(st, 1, school, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot write pupil_marks");
}

static int
rebuild_all(struct rebuild *rb)
{
	struct reg_store *store = rb->store;
	sqlite3_stmt *read;
	const char *school;
	if (reg_scope(store, &school))
		return -1;
	if (rb->report ? reg_prepare(store, "SELECT marks FROM pupil_marks WHERE pupil_id = ?", &rb->stored) ||
	                 reg_prepare(store, "SELECT upn FROM pupils WHERE id = ?", &rb->upn)
	               : delete_blobs(store, school) ||
	                 reg_prepare(store, "INSERT INTO pupil_marks (pupil_id, marks) VALUES (?, ?)", &rb->write))
		return -1;
	if (reg_prepare(store, "SELECT pupil_id, date, session, code FROM marks"
	                       " WHERE pupil_id IN (SELECT id FROM pupils WHERE school = ?) ORDER BY pupil_id", &read))
		return -1;
	sqlite3_bind_text(read, 1, school, -1, SQLITE_STATIC);
	int64_t current = 0;
	int have = 0, rc;
	while ((rc = sqlite3_step(read)) == SQLITE_ROW) {
		int64_t pupil = sqlite3_column_int64(read, 0);
		if (have && pupil != current && write_blob(rb, current))
			break;
		if (!have || pupil != current)
			memset(rb->blob, 0, rb->nblob);
		current = pupil;
		have = 1;
		const char *date = (const char *)sqlite3_column_text(read, 1);
		const char *session = (const char *)sqlite3_column_text(read, 2);
		const char *code = (const char *)sqlite3_column_text(read, 3);
		rt_date d;
		if (!date || !session || !code || rt_date_parse(date, strlen(date), &d))
			continue;
		long day = reg_calendar_day(&rb->cal, d);
		int pm = strcmp(session, "PM") == 0;
		if (day < 0 || !(rb->cal.days.days[day].open & (pm ? RT_OPEN_PM : RT_OPEN_AM)))
			continue;        /* the school does not meet then: not in the compact copy */
		size_t len = strlen(code);
		int id = reg_codebook_find(rb->book, code, len);
		if (!id && rb->report) {
			id = REG_MAX_CODE_ID + 1; /* not in the dictionary: cannot be in pupil_marks either */
		} else if (!id) {
			if (!reg_code_is_valid(code, len)) {
				reg_fail(store, "%s: marks holds a bad code \"%s\"", store->path, code);
				break;
			}
			id = reg_codebook_add(store, rb->book, code, len);
			if (id == -1)
				reg_fail(store, "%s: more than %d different codes", store->path, REG_MAX_CODE_ID);
			if (id < 0)
				break;
		}
		rb->blob[2 * (size_t)day + (size_t)pm] = (uint8_t)id;
	}
	int ok = rc == SQLITE_DONE;
	if (!ok && rc != SQLITE_ROW)
		reg_fail_db(store, "cannot read marks");
	sqlite3_finalize(read);
	if (ok && have && write_blob(rb, current))
		ok = 0;
	return ok ? 0 : -1;
}

/* A compact copy for a pupil with no marks at all must be empty. */
static int
check_orphans(struct rebuild *rb)
{
	sqlite3_stmt *st;
	const char *school;
	if (reg_scope(rb->store, &school) ||
	    reg_prepare(rb->store, "SELECT pupil_id FROM pupil_marks p"
	                           " WHERE NOT EXISTS (SELECT 1 FROM marks m WHERE m.pupil_id = p.pupil_id)"
	                           " AND pupil_id IN (SELECT id FROM pupils WHERE school = ?)", &st))
		return -1;
	sqlite3_bind_text(st, 1, school, -1, SQLITE_STATIC);
	int rc;
	memset(rb->blob, 0, rb->nblob);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (compare_blob(rb, sqlite3_column_int64(st, 0)))
			break;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : reg_fail_db(rb->store, "cannot read pupil_marks");
}

static int
run_rebuild(struct reg_store *store, FILE *report, long *differences)
{
	struct rebuild rb = { .store = store, .report = report };
	int status = -1;
	rb.book = malloc(sizeof *rb.book);
	if (!rb.book)
		return reg_fail(store, "out of memory");
	if (reg_calendar_read(store, &rb.cal)) {
		free(rb.book);
		return -1;
	}
	rb.nblob = 2 * rb.cal.days.ndays;
	rb.blob = malloc(rb.nblob + 1);
	if (!rb.blob)
		reg_fail(store, "out of memory");
	else if (reg_codebook_load(store, rb.book) == 0)
		status = rebuild_all(&rb);
	if (status == 0 && report)
		status = check_orphans(&rb);
	sqlite3_finalize(rb.write);
	sqlite3_finalize(rb.stored);
	sqlite3_finalize(rb.upn);
	free(rb.blob);
	free(rb.book);
	reg_calendar_free(&rb.cal);
	if (differences)
		*differences = rb.differences;
	return status;
}

int
reg_rebuild_blobs(struct reg_store *store)
{
	return run_rebuild(store, NULL, NULL);
}

/* Rebuilds (or with `report`, checks) the compact copies of every school the
 * register holds pupils or a calendar for, each against its own calendar,
 * then restores the store's own choice of school. */
static int
each_school(struct reg_store *store, FILE *report, long *differences)
{
	sqlite3_stmt *st;
	if (reg_prepare(store, "SELECT school FROM pupils UNION SELECT school FROM half_terms", &st))
		return -1;
	char saved[sizeof store->school];
	int saved_scoped = store->scoped, rc, failed = 0;
	memcpy(saved, store->school, sizeof saved);
	while (!failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		long found = 0;
		snprintf(store->school, sizeof store->school, "%s", (const char *)sqlite3_column_text(st, 0));
		store->scoped = 1;
		failed = run_rebuild(store, report, report ? &found : NULL);
		if (differences)
			*differences += found;
	}
	if (!failed && rc != SQLITE_DONE)
		failed = reg_fail_db(store, "cannot read pupils");
	sqlite3_finalize(st);
	memcpy(store->school, saved, sizeof saved);
	store->scoped = saved_scoped;
	return failed ? -1 : 0;
}

int
reg_check_blobs(struct reg_store *store, FILE *report, long *differences)
{
	*differences = 0;
	int rc = each_school(store, report, differences) || reg_timed_check(store, report, differences) ? -1 : 0;
	if (rc == 0 && *differences > REG_MAX_SHOWN)
		fprintf(report, "%s: %ld more differences not shown\n", store->path, *differences - REG_MAX_SHOWN);
	return rc;
}

int
reg_repair_blobs(struct reg_store *store)
{
	if (reg_exec(store, "BEGIN IMMEDIATE"))
		return -1;
	if (each_school(store, NULL, NULL) || reg_timed_rebuild(store) || reg_exec(store, "DELETE FROM marks_changed") ||
	    reg_exec(store, "COMMIT")) {
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}
