/* Reading pupils with their compact marks, and the marks that carry a time (pupil_timed). */
#include "runtime/register/store_impl.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reg_cursor {
	struct reg_store *store;
	sqlite3_stmt *st;
	char text[3][256];        /* repaired copies of text that is not UTF-8 */
	struct reg_arrival *arr;  /* the current pupil's timed marks */
	size_t cap;
};

int
reg_pupils_open(struct reg_store *store, const char *upn, struct reg_cursor **out)
{
	*out = NULL;
	struct reg_cursor *cur = calloc(1, sizeof *cur);
	if (!cur)
		return reg_fail(store, "out of memory");
	cur->store = store;
	/* The UNIQUE index on (school, upn) gives the order; pupil_marks is found by rowid. */
	/* pupil_timed beside it the same way: each pupil's timed marks come with its row. */
#define PUPIL_ROW "SELECT p.id, p.upn, p.surname, p.forename, p.year_group, m.marks, t.timed" \
	" FROM pupils p LEFT JOIN pupil_marks m ON m.pupil_id = p.id LEFT JOIN pupil_timed t ON t.pupil_id = p.id"
	const char *sql = upn ? PUPIL_ROW " WHERE p.school = ?1 AND p.upn = ?2" : PUPIL_ROW " WHERE p.school = ?1 ORDER BY p.upn";
#undef PUPIL_ROW
	const char *school;
	if (reg_scope(store, &school) || reg_prepare(store, sql, &cur->st)) {
		free(cur);
		return -1;
	}
	sqlite3_bind_text(cur->st, 1, school, -1, SQLITE_TRANSIENT);
	if (upn)
		sqlite3_bind_text(cur->st, 2, upn, -1, SQLITE_TRANSIENT);
	*out = cur;
	return 0;
}

static const char *
text_or_empty(struct reg_cursor *cur, int col)
{
	const char *s = reg_text(cur->st, col, cur->text[col - 1], sizeof cur->text[0]);
	return s ? s : "";
}

/* Room for `need` timed marks in *a (capacity *cap). */
static int
reserve(struct reg_store *store, struct reg_arrival **a, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t grown_cap = *cap ? *cap : 256;
	while (grown_cap < need)
		grown_cap *= 2;
	void *grown = realloc(*a, grown_cap * sizeof **a);
	if (!grown)
		return reg_fail(store, "out of memory");
	*a = grown;
	*cap = grown_cap;
	return 0;
}

/* Decodes column `col` of st (a pupil_timed record) into out, which has room for it. */
static int
decode_timed(struct reg_store *store, sqlite3_stmt *st, int col, int64_t pupil, struct reg_arrival *out)
{
	const uint8_t *blob = sqlite3_column_blob(st, col);
	if (blob && reg_timed_decode(blob, (size_t)sqlite3_column_bytes(st, col), pupil, out))
		return reg_fail(store, "%s: pupil_timed holds a bad record for pupil id %lld "
		                       "(`attend check-register --repair %s` writes it again from marks)",
		                store->path, (long long)pupil, store->path);
	return 0;
}

/* The pupil's timed marks, decoded into the cursor's own array. */
static int
pupil_arrivals(struct reg_cursor *cur, struct reg_pupil *out)
{
	size_t bytes = (size_t)sqlite3_column_bytes(cur->st, 6), k = reg_timed_count(bytes);
	out->arrivals = NULL;
	out->narrivals = 0;
	if (!bytes)
		return 0; /* a record shorter than one mark is still decoded: it is bad */
	if (reserve(cur->store, &cur->arr, &cur->cap, k) || decode_timed(cur->store, cur->st, 6, out->id, cur->arr))
		return -1;
	out->arrivals = cur->arr;
	out->narrivals = k;
	return 0;
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
	out->year_group = sqlite3_column_type(cur->st, 4) == SQLITE_NULL ? RT_NO_YEAR : sqlite3_column_int(cur->st, 4);
	out->marks = sqlite3_column_blob(cur->st, 5);
	out->nmarks = (size_t)sqlite3_column_bytes(cur->st, 5);
	if (!out->marks)
		out->nmarks = 0;
	return pupil_arrivals(cur, out) ? -1 : 1;
}

void
reg_pupils_close(struct reg_cursor *cur)
{
	if (!cur)
		return;
	sqlite3_finalize(cur->st);
	free(cur->arr);
	free(cur);
}

struct arrivals {
	struct reg_arrival *a;
	size_t n, cap;
};

/* Reads the rows of st (pupil id, pupil_timed record) onto the end of out. */
static int
read_arrivals(struct reg_store *store, sqlite3_stmt *st, struct arrivals *out)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t pupil = sqlite3_column_int64(st, 0);
		size_t k = reg_timed_count((size_t)sqlite3_column_bytes(st, 1));
		if (reserve(store, &out->a, &out->cap, out->n + k) || decode_timed(store, st, 1, pupil, out->a + out->n))
			return -1;
		out->n += k;
	}
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot read pupil_timed");
}

/* The timed marks of the pupils of `school`. */
static int
read_school(struct reg_store *store, const char *school, struct arrivals *out)
{
	sqlite3_stmt *st;
	/* One row per pupil, in storage (= id) order: CROSS JOIN keeps pupil_timed the outer loop,
	 * each pupil's school found by rowid. */
	if (reg_prepare(store, "SELECT t.pupil_id, t.timed FROM pupil_timed t CROSS JOIN pupils p"
	                       " ON p.id = t.pupil_id WHERE p.school = ?1 ORDER BY t.pupil_id", &st))
		return -1;
	sqlite3_bind_text(st, 1, school, -1, SQLITE_TRANSIENT);
	int rc = read_arrivals(store, st, out);
	sqlite3_finalize(st);
	return rc;
}

int
reg_arrivals(struct reg_store *store, const char *upn, struct reg_arrival **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct arrivals got = { 0 };
	const char *school;
	int rc;
	if (reg_scope(store, &school))
		return -1;
	if (upn) {
		sqlite3_stmt *st;
		if (reg_prepare_scoped(store, "SELECT t.pupil_id, t.timed FROM pupil_timed t JOIN pupils p ON p.id = t.pupil_id"
		                              " WHERE p.upn = ? AND p.school = :school", &st))
			return -1;
		sqlite3_bind_text(st, 1, upn, -1, SQLITE_TRANSIENT);
		rc = read_arrivals(store, st, &got);
		sqlite3_finalize(st);
	} else {
		rc = read_school(store, school, &got);
	}
	if (rc) {
		free(got.a);
		return -1;
	}
	*out = got.a;
	*n = got.n;
	return 0;
}
