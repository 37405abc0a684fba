/*
 * pupil_timed: each pupil's marks that carry a time of arrival or minutes late, kept as one
 * record beside the compact copy (schema version 9, docs/schema.md), so that a run reads one
 * row per pupil in storage order instead of one index entry per timed mark. It is built from
 * marks by the SQL aggregate attend_timed(), registered on every connection, in the same
 * transaction as every change to the pupil's timed marks: import, amend, repair, migration.
 */
#include "runtime/register/store_impl.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* One record, little-endian: date (int32 days), session (0 AM, 1 PM), arrival and
 * minutes late (int16 minutes, -1 when not given), the code (NUL-padded). */
enum { TIMED_RECORD = 16, TIMED_CODE = 7 };

struct packer {
	uint8_t *buf;
	size_t n, cap;
	const char *error;        /* the first problem: no record after it */
};

static void
put16(uint8_t *p, int v)
{
	p[0] = (uint8_t)(v & 0xff);
	p[1] = (uint8_t)((v >> 8) & 0xff);
}

static int
get16(const uint8_t *p)
{
	return (int16_t)(uint16_t)(p[0] | p[1] << 8);
}

/* Encodes one row of marks into r; what is wrong with the row, or NULL. */
static const char *
encode(sqlite3_value **v, uint8_t *r)
{
	const char *date = (const char *)sqlite3_value_text(v[0]), *session = (const char *)sqlite3_value_text(v[1]);
	const char *code = (const char *)sqlite3_value_text(v[4]);
	rt_date d;
	if (!date || !session || !code || rt_date_parse(date, strlen(date), &d) || strlen(code) > TIMED_CODE)
		return "marks holds a bad row (date, session or code)";
	int arrival = -1;
	if (sqlite3_value_type(v[2]) != SQLITE_NULL) {
		const char *t = (const char *)sqlite3_value_text(v[2]);
		if (!t || rt_time_parse(t, strlen(t), &arrival))
			return "marks holds a bad arrival time";
	}
	int late = sqlite3_value_type(v[3]) == SQLITE_NULL ? -1 : sqlite3_value_int(v[3]);
	if (late < -1 || late > INT16_MAX)
		return "marks holds a bad minutes_late";
	uint32_t ud = (uint32_t)d;
	for (int i = 0; i < 4; i++)
		r[i] = (uint8_t)(ud >> (8 * i));
	r[4] = strcmp(session, "PM") == 0;
	put16(r + 5, arrival);
	put16(r + 7, late);
	memset(r + 9, 0, TIMED_CODE);
	memcpy(r + 9, code, strlen(code));
	return NULL;
}

static void
timed_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	struct packer *pk = sqlite3_aggregate_context(ctx, sizeof *pk);
	if (!pk) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (pk->error)
		return;
	if (pk->n + TIMED_RECORD > pk->cap) {
		size_t cap = pk->cap ? pk->cap * 2 : 16 * TIMED_RECORD;
		uint8_t *grown = sqlite3_realloc64(pk->buf, cap);
		if (!grown) {
			pk->error = "out of memory";
			return;
		}
		pk->buf = grown;
		pk->cap = cap;
	}
	if (!(pk->error = encode(argv, pk->buf + pk->n)))
		pk->n += TIMED_RECORD;
}

/* Date then session: the first five bytes, compared as numbers. */
static int64_t
record_key(const uint8_t *r)
{
	int32_t d = (int32_t)((uint32_t)r[0] | (uint32_t)r[1] << 8 | (uint32_t)r[2] << 16 | (uint32_t)r[3] << 24);
	return (int64_t)d * 2 + r[4];
}

static int
by_date_session(const void *a, const void *b)
{
	int64_t x = record_key(a), y = record_key(b);
	return (x > y) - (x < y);
}

static void
timed_final(sqlite3_context *ctx)
{
	struct packer *pk = sqlite3_aggregate_context(ctx, 0);
	if (pk && pk->error) {
		if (!strcmp(pk->error, "out of memory"))
			sqlite3_result_error_nomem(ctx);
		else
			sqlite3_result_error(ctx, pk->error, -1);
		sqlite3_free(pk->buf);
	} else if (!pk || !pk->n) {
		sqlite3_result_null(ctx);
	} else {
		/* GROUP BY gives no order within a group: the record is in date order whatever the plan */
		qsort(pk->buf, pk->n / TIMED_RECORD, TIMED_RECORD, by_date_session);
		sqlite3_result_blob64(ctx, pk->buf, pk->n, sqlite3_free);
	}
}

int
reg_timed_register(struct reg_store *store)
{
	if (sqlite3_create_function_v2(store->db, "attend_timed", 5, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, NULL,
	                               timed_step, timed_final, NULL) != SQLITE_OK)
		return reg_fail_db(store, "cannot open the register");
	return 0;
}

size_t
reg_timed_count(size_t bytes)
{
	return bytes / TIMED_RECORD;
}

int
reg_timed_decode(const uint8_t *blob, size_t bytes, int64_t pupil_id, struct reg_arrival *out)
{
	if (bytes % TIMED_RECORD)
		return -1;
	for (size_t i = 0; i < bytes / TIMED_RECORD; i++) {
		const uint8_t *r = blob + i * TIMED_RECORD;
		struct reg_arrival *a = &out[i];
		a->pupil_id = pupil_id;
		a->date = (rt_date)((uint32_t)r[0] | (uint32_t)r[1] << 8 | (uint32_t)r[2] << 16 | (uint32_t)r[3] << 24);
		a->session = r[4] ? RT_PM : RT_AM;
		a->arrival = (int16_t)get16(r + 5);
		a->minutes_late = (int16_t)get16(r + 7);
		memcpy(a->code, r + 9, TIMED_CODE);
		a->code[TIMED_CODE] = '\0';
		if (r[4] > 1 || a->arrival < -1 || a->minutes_late < -1 || !a->code[0])
			return -1;
	}
	return 0;
}

/* The one place the aggregate's input is spelled out: the columns, and the partial index's condition. */
#define TIMED_OF(where) \
	"SELECT pupil_id, attend_timed(date, session, arrival, minutes_late, code) AS timed FROM marks" \
	" WHERE (minutes_late IS NOT NULL OR arrival IS NOT NULL) AND " where " GROUP BY pupil_id"

int
reg_timed_writer_open(struct reg_store *store, struct reg_timed_writer *w)
{
	*w = (struct reg_timed_writer){ 0 };
	if (reg_prepare(store, "DELETE FROM pupil_timed WHERE pupil_id = ?1", &w->del) ||
	    reg_prepare(store, "INSERT INTO pupil_timed (pupil_id, timed) " TIMED_OF("pupil_id = ?1"), &w->ins)) {
		reg_timed_writer_close(w);
		return -1;
	}
	return 0;
}

int
reg_timed_writer_put(struct reg_store *store, struct reg_timed_writer *w, int64_t pupil_id)
{
	sqlite3_bind_int64(w->del, 1, pupil_id);
	sqlite3_bind_int64(w->ins, 1, pupil_id);
	int rc = sqlite3_step(w->del);
	if (rc == SQLITE_DONE)
		rc = sqlite3_step(w->ins);
	sqlite3_reset(w->del);
	sqlite3_reset(w->ins);
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot write pupil_timed");
}

void
reg_timed_writer_close(struct reg_timed_writer *w)
{
	sqlite3_finalize(w->del);
	sqlite3_finalize(w->ins);
	*w = (struct reg_timed_writer){ 0 };
}

int
reg_timed_write(struct reg_store *store, int64_t pupil_id)
{
	struct reg_timed_writer w;
	if (reg_timed_writer_open(store, &w))
		return -1;
	int rc = reg_timed_writer_put(store, &w, pupil_id);
	reg_timed_writer_close(&w);
	return rc;
}

/* All of them, for the pupils of every school (migration, repair). */
int
reg_timed_rebuild(struct reg_store *store)
{
	return reg_exec(store, "DELETE FROM pupil_timed;"
	                       "INSERT INTO pupil_timed (pupil_id, timed) " TIMED_OF("1") ";");
}

/* The pupils whose record differs from what marks says, printed as check-register does. */
int
reg_timed_check(struct reg_store *store, FILE *report, long *differences)
{
	sqlite3_stmt *st;
	if (reg_prepare(store, "WITH want AS (" TIMED_OF("1") ")"
	                       " SELECT w.pupil_id, p.upn FROM want w LEFT JOIN pupil_timed t USING (pupil_id)"
	                       " LEFT JOIN pupils p ON p.id = w.pupil_id WHERE t.timed IS NOT w.timed"
	                       " UNION SELECT t.pupil_id, p.upn FROM pupil_timed t LEFT JOIN want w USING (pupil_id)"
	                       " LEFT JOIN pupils p ON p.id = t.pupil_id WHERE w.pupil_id IS NULL"
	                       " ORDER BY 1", &st))
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char text[64];
		const char *upn = reg_text(st, 1, text, sizeof text);
		if ((*differences)++ >= REG_MAX_SHOWN)
			continue;
		if (upn)
			fprintf(report, "%s: pupil %s: pupil_timed differs from the timed marks in marks\n", store->path, upn);
		else
			fprintf(report, "%s: pupil id %lld: pupil_timed differs from the timed marks in marks\n", store->path,
			        (long long)sqlite3_column_int64(st, 0));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot read pupil_timed");
}
