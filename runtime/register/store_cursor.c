/* Reading pupils with their compact marks, and the marks that carry a time (pupil_timed). */
#include "runtime/register/store_impl.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
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
	/* The UNIQUE index on (school, upn) gives the order; pupil_marks is found by rowid. */
	const char *sql = upn ? "SELECT p.id, p.upn, p.surname, p.forename, p.year_group, m.marks"
	                        " FROM pupils p LEFT JOIN pupil_marks m ON m.pupil_id = p.id"
	                        " WHERE p.school = ?1 AND p.upn = ?2"
	                      : "SELECT p.id, p.upn, p.surname, p.forename, p.year_group, m.marks"
	                        " FROM pupils p LEFT JOIN pupil_marks m ON m.pupil_id = p.id"
	                        " WHERE p.school = ?1 ORDER BY p.upn";
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
		const uint8_t *blob = sqlite3_column_blob(st, 1);
		size_t bytes = (size_t)sqlite3_column_bytes(st, 1), k = reg_timed_count(bytes);
		if (out->n + k > out->cap) {
			size_t cap = out->cap ? out->cap : 256;
			while (cap < out->n + k)
				cap *= 2;
			void *grown = realloc(out->a, cap * sizeof *out->a);
			if (!grown)
				return reg_fail(store, "out of memory");
			out->a = grown;
			out->cap = cap;
		}
		if (reg_timed_decode(blob, bytes, pupil, out->a + out->n))
			return reg_fail(store, "%s: pupil_timed holds a bad record for pupil id %lld "
			                       "(`attend check-register --repair %s` writes it again from marks)",
			                store->path, (long long)pupil, store->path);
		out->n += k;
	}
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot read pupil_timed");
}

/* The timed marks of the pupils of `school` with ids in [lo, hi]. */
static int
read_range(struct reg_store *store, const char *school, int64_t lo, int64_t hi, struct arrivals *out)
{
	/* Bounds only where there are any: each costs a comparison per row. */
	const char *bounds = lo == INT64_MIN ? (hi == INT64_MAX ? "" : " AND t.pupil_id <= ?2")
	                     : hi == INT64_MAX ? " AND t.pupil_id >= ?1" : " AND t.pupil_id BETWEEN ?1 AND ?2";
	char sql[400];
	/* One row per pupil, in storage (= id) order: CROSS JOIN keeps pupil_timed the outer loop,
	 * each pupil's school found by rowid. */
	snprintf(sql, sizeof sql, "SELECT t.pupil_id, t.timed FROM pupil_timed t CROSS JOIN pupils p"
	                          " ON p.id = t.pupil_id WHERE p.school = ?3%s ORDER BY t.pupil_id", bounds);
	sqlite3_stmt *st;
	if (reg_prepare(store, sql, &st))
		return -1;
	if (lo != INT64_MIN)
		sqlite3_bind_int64(st, 1, lo);
	if (hi != INT64_MAX)
		sqlite3_bind_int64(st, 2, hi);
	sqlite3_bind_text(st, 3, school, -1, SQLITE_TRANSIENT);
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
		rc = read_range(store, school, INT64_MIN, INT64_MAX, &got);
	}
	if (rc) {
		free(got.a);
		return -1;
	}
	*out = got.a;
	*n = got.n;
	return 0;
}

/* One share of the pupils' timed marks, read on a connection of its own. */
struct share {
	pthread_t thread;
	const char *path;
	char school[8];           /* the store's school (reg_scope), read on the share's own connection */
	int64_t lo, hi;
	struct arrivals got;
	char error[512];
	int failed;
};

static void *
read_share(void *arg)
{
	struct share *sh = arg;
	struct reg_store *own;
	sh->failed = reg_open(sh->path, REG_READONLY, &own) || read_range(own, sh->school, sh->lo, sh->hi, &sh->got);
	if (sh->failed)
		snprintf(sh->error, sizeof sh->error, "%s", reg_error(own));
	reg_close(own);
	return NULL;
}

static int
id_span(struct reg_store *store, int64_t *lo, int64_t *hi)
{
	sqlite3_stmt *st;
	if (reg_prepare_scoped(store, "SELECT min(id), max(id) FROM pupils WHERE school = :school", &st))
		return -1;
	int rc = sqlite3_step(st);
	*lo = sqlite3_column_int64(st, 0);
	*hi = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : reg_fail_db(store, "cannot read pupils");
}

/* Joins the shares, in order, onto the end of all; frees them. */
static int
join_shares(struct reg_store *store, struct share *sh, int started, struct arrivals *all)
{
	int failed = 0;
	for (int k = 0; k < started; k++) {
		pthread_join(sh[k].thread, NULL);
		if (sh[k].failed && !failed)
			failed = reg_fail(store, "%s", sh[k].error);
		if (!failed && all->n + sh[k].got.n > all->cap) {
			void *grown = realloc(all->a, (all->n + sh[k].got.n) * sizeof *all->a);
			if (!grown)
				failed = reg_fail(store, "out of memory");
			else
				all->a = grown, all->cap = all->n + sh[k].got.n;
		}
		if (!failed && sh[k].got.n)
			memcpy(all->a + all->n, sh[k].got.a, sh[k].got.n * sizeof *all->a);
		all->n += failed ? 0 : sh[k].got.n;
		free(sh[k].got.a);
	}
	return failed ? -1 : 0;
}

int
reg_arrivals_split(struct reg_store *store, const char *upn, int jobs, struct reg_arrival **out, size_t *n)
{
	int64_t lo, hi;
	/* Other connections see only what is committed: share out only outside a transaction. */
	if (upn || jobs < 2 || !sqlite3_get_autocommit(store->db) || !strcmp(store->path, ":memory:") ||
	    !store->path[0])
		return reg_arrivals(store, upn, out, n);
	const char *school;
	if (reg_scope(store, &school) || id_span(store, &lo, &hi))
		return -1;
	if (jobs > 8)
		jobs = 8;
	struct share sh[8];
	uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;
	int started = 0;
	for (int k = 1; k < jobs; k++) {
		sh[started] = (struct share){ .path = store->path, .lo = lo + (int64_t)(span * (uint64_t)k / (uint64_t)jobs),
		                             .hi = k + 1 < jobs ? lo + (int64_t)(span * (uint64_t)(k + 1) / (uint64_t)jobs) - 1
		                                                : INT64_MAX };
		snprintf(sh[started].school, sizeof sh[started].school, "%s", school);
		if (pthread_create(&sh[started].thread, NULL, read_share, &sh[started]) == 0)
			started++;
		else
			break;
	}
	/* this thread: the first share, then any share a thread could not be started for */
	struct arrivals all = { 0 };
	int failed = read_range(store, school, INT64_MIN, lo + (int64_t)(span / (uint64_t)jobs) - 1, &all);
	failed |= join_shares(store, sh, started, &all);
	if (!failed && started < jobs - 1)
		failed = read_range(store, school, sh[started].lo, INT64_MAX, &all);
	if (failed) {
		free(all.a);
		return -1;
	}
	*out = all.a;
	*n = all.n;
	return 0;
}
