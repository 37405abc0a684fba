/* pupil_marks: the compact per-pupil copy of marks, rebuilt when the calendar changes. */
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
};

static int
write_blob(struct rebuild *rb, int64_t pupil_id)
{
	sqlite3_bind_int64(rb->write, 1, pupil_id);
	sqlite3_bind_blob(rb->write, 2, rb->blob, (int)rb->nblob, SQLITE_STATIC);
	int rc = sqlite3_step(rb->write);
	sqlite3_reset(rb->write);
	return rc == SQLITE_DONE ? 0 : reg_fail_db(rb->store, "cannot write pupil_marks");
}

static int
rebuild_all(struct rebuild *rb)
{
	struct reg_store *store = rb->store;
	sqlite3_stmt *read;
	if (reg_exec(store, "DELETE FROM pupil_marks") ||
	    reg_prepare(store, "INSERT INTO pupil_marks (pupil_id, marks) VALUES (?, ?)", &rb->write) ||
	    reg_prepare(store, "SELECT pupil_id, date, session, code FROM marks ORDER BY pupil_id", &read))
		return -1;
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
		if (!id) {
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

int
reg_rebuild_blobs(struct reg_store *store)
{
	struct rebuild rb = { .store = store };
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
	sqlite3_finalize(rb.write);
	free(rb.blob);
	free(rb.book);
	reg_calendar_free(&rb.cal);
	return status;
}
