/* The decision history: `decisions` and `history_days` (docs/history.md). */
#include "runtime/register/store_impl.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const kinds[] = { "stage", "flag", "penalty_notice", "letter", "action" };
static const char *const events[] = { "entered", "left", "due" };

const char *
reg_decision_event_name(int event)
{
	return event >= 0 && event <= REG_EVENT_DUE ? events[event] : "?";
}

/* The static kind string equal to `kind`, so that lists never own kinds. */
static const char *
static_kind(const char *kind)
{
	for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i], kind) == 0)
			return kinds[i];
	return NULL;
}

int
reg_decision_add(struct reg_decision_list *list, int64_t pupil_id, rt_date as_of, const char *kind, int event,
                int stage, const char *name, const char *detail)
{
	const char *k = static_kind(kind);
	if (!k)
		return -1;
	if (list->n == list->cap) {
		size_t cap = list->cap ? 2 * list->cap : 64;
		struct reg_decision *items = realloc(list->items, cap * sizeof *items);
		if (!items)
			return -1;
		list->items = items;
		list->cap = cap;
	}
	struct reg_decision *d = &list->items[list->n];
	*d = (struct reg_decision){ pupil_id, as_of, k, (uint8_t)event, stage, strdup(name),
		                   detail ? strdup(detail) : NULL };
	if (!d->name || (detail && !d->detail)) {
		free(d->name);
		free(d->detail);
		return -1;
	}
	list->n++;
	return 0;
}

void
reg_decision_list_clear(struct reg_decision_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->items[i].name);
		free(list->items[i].detail);
	}
	list->n = 0;
}

void
reg_decision_list_free(struct reg_decision_list *list)
{
	reg_decision_list_clear(list);
	free(list->items);
	memset(list, 0, sizeof *list);
}

static int
event_of(const char *s)
{
	for (int i = 0; i <= REG_EVENT_DUE; i++)
		if (s && strcmp(s, events[i]) == 0)
			return i;
	return -1;
}

static int
parse_date_column(sqlite3_stmt *st, int col, rt_date *out)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	return s ? rt_date_parse(s, strlen(s), out) : -1;
}

/* Appends the rows of a SELECT pupil_id, as_of, kind, event, stage, name, detail. */
static int
read_rows(struct reg_store *store, sqlite3_stmt *st, struct reg_decision_list *out)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rt_date day;
		const char *kind = (const char *)sqlite3_column_text(st, 2);
		int event = event_of((const char *)sqlite3_column_text(st, 3));
		char nbuf[512], dbuf[1024];
		const char *name = reg_text(st, 5, nbuf, sizeof nbuf);
		if (parse_date_column(st, 1, &day) || !kind || event < 0 || !name) {
			sqlite3_finalize(st);
			return reg_fail(store, "%s: the decisions table holds a malformed row", store->path);
		}
		if (reg_decision_add(out, sqlite3_column_int64(st, 0), day, kind, event, sqlite3_column_int(st, 4), name,
		                    reg_text(st, 6, dbuf, sizeof dbuf))) {
			sqlite3_finalize(st);
			return reg_fail(store, "out of memory");
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot read decisions");
}

/* The decisions table read in storage order (NOT INDEXED: through the unique key every row would
 * be a seek into the table). Every school's pupils: the caller looks up only its own pupils, and a
 * join to find each pupil's school would cost a seek a row. Letters and actions ("due") change no
 * state and are skipped before their columns are read. */
int
reg_history_states(struct reg_store *store, const char *policy, rt_date before, const char *upn,
                   reg_decision_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	char date[11];
	rt_date_format(before, date);
	int prepared = upn ? reg_prepare_scoped(store,
	                                        "SELECT d.pupil_id, d.as_of, d.kind, d.event, d.stage, d.name FROM decisions d"
	                                        " JOIN pupils p ON p.id = d.pupil_id WHERE d.policy = ?1 AND d.as_of < ?2"
	                                        " AND d.event <> 'due' AND p.upn = ?3 AND p.school = :school ORDER BY d.id",
	                                        &st)
	                   : reg_prepare(store,
	                                 "SELECT pupil_id, as_of, kind, event, stage, name FROM decisions NOT INDEXED"
	                                 " WHERE event <> 'due' AND policy = ?1 AND as_of < ?2",
	                                 &st);
	if (prepared)
		return -1;
	sqlite3_bind_text(st, 1, policy, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, date, -1, SQLITE_TRANSIENT);
	if (upn)
		sqlite3_bind_text(st, 3, upn, -1, SQLITE_STATIC);
	int rc = SQLITE_DONE, stop = 0;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct reg_decision d = { .pupil_id = sqlite3_column_int64(st, 0),
			                  .kind = static_kind((const char *)sqlite3_column_text(st, 2)),
			                  .event = (uint8_t)event_of((const char *)sqlite3_column_text(st, 3)),
			                  .stage = sqlite3_column_int(st, 4) };
		/* not repaired as UTF-8: the name is only compared with the policy's */
		const char *name = (const char *)sqlite3_column_text(st, 5);
		if (parse_date_column(st, 1, &d.as_of) || !d.kind || d.event > REG_EVENT_LEFT || !name) {
			sqlite3_finalize(st);
			return reg_fail(store, "%s: the decisions table holds a malformed row", store->path);
		}
		d.name = (char *)name;
		stop = fn(ctx, &d);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot read decisions");
}

int
reg_history_read_day(struct reg_store *store, const char *policy, rt_date day, struct reg_decision_list *out)
{
	sqlite3_stmt *st;
	char date[11];
	rt_date_format(day, date);
	if (reg_prepare_scoped(store,
	                     "SELECT pupil_id, as_of, kind, event, stage, name, detail FROM decisions"
	                     " WHERE policy = ?1 AND as_of = ?2"
	                     " AND pupil_id IN (SELECT id FROM pupils WHERE school = :school) ORDER BY pupil_id, id",
	                     &st))
		return -1;
	sqlite3_bind_text(st, 1, policy, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, date, -1, SQLITE_TRANSIENT);
	return read_rows(store, st, out);
}

int
reg_history_days(struct reg_store *store, const char *policy, rt_date **days, size_t *n)
{
	sqlite3_stmt *st;
	*days = NULL;
	*n = 0;
	if (reg_prepare_scoped(store, "SELECT as_of FROM history_days WHERE policy = ? AND school = :school"
	                              " ORDER BY as_of", &st))
		return -1;
	sqlite3_bind_text(st, 1, policy, -1, SQLITE_STATIC);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 256;
			rt_date *grown = realloc(*days, cap * sizeof *grown);
			if (!grown) {
				sqlite3_finalize(st);
				return reg_fail(store, "out of memory");
			}
			*days = grown;
		}
		if (parse_date_column(st, 0, &(*days)[*n])) {
			sqlite3_finalize(st);
			return reg_fail(store, "%s: history_days holds a malformed date", store->path);
		}
		(*n)++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot read history_days");
}

/*
 * Rows per INSERT statement: with one row each, starting and finishing the statement cost more
 * than the row. OR ROLLBACK: a row refused (the unique key) ends the whole transaction, which the
 * caller would roll back anyway, so SQLite keeps no statement journal, which copied every page a
 * statement of several rows touched, to undo just that statement.
 */
#define ROWS_PER_INSERT 32
#define DECISION_PARAMS 9

static int
prepare_insert(struct reg_store *store, size_t rows, sqlite3_stmt **st)
{
	char sql[128 + ROWS_PER_INSERT * 64];
	size_t len = (size_t)snprintf(sql, sizeof sql,
	                              "INSERT OR ROLLBACK INTO decisions (policy, pupil_id, as_of, kind, event, stage,"
	                              " name, detail, recorded_at) VALUES ");
	for (size_t r = 0; r < rows; r++) {
		int p = (int)(DECISION_PARAMS * r);
		len += (size_t)snprintf(sql + len, sizeof sql - len, "%s(?%d, ?%d, ?%d, ?%d, ?%d, ?%d, ?%d, ?%d, ?%d)",
		                        r ? ", " : "", p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7, p + 8, p + 9);
	}
	return reg_prepare(store, sql, st);
}

/* What every row of a day shares, its texts' lengths given so SQLite need not count them. */
struct day_row {
	const char *policy, *date, *recorded_at;
	int policy_len;
};

/* Binds decision d as row r of an INSERT from prepare_insert. */
static void
bind_decision(sqlite3_stmt *st, size_t r, const struct day_row *day, const struct reg_decision *d)
{
	int p = (int)(DECISION_PARAMS * r);
	sqlite3_bind_text(st, p + 1, day->policy, day->policy_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, p + 2, d->pupil_id);
	sqlite3_bind_text(st, p + 3, day->date, 10, SQLITE_STATIC);
	sqlite3_bind_text(st, p + 4, d->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, p + 5, reg_decision_event_name(d->event), -1, SQLITE_STATIC);
	if (d->stage)
		sqlite3_bind_int(st, p + 6, d->stage);
	else
		sqlite3_bind_null(st, p + 6);
	sqlite3_bind_text(st, p + 7, d->name, -1, SQLITE_STATIC);
	if (d->detail)
		sqlite3_bind_text(st, p + 8, d->detail, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, p + 8);
	sqlite3_bind_text(st, p + 9, day->recorded_at, 19, SQLITE_STATIC);
}

/* The rows of several lists, one after the other. */
struct rows {
	const struct reg_decision_list *lists;
	size_t nlists, list, at;
};

static const struct reg_decision *
next_row(struct rows *r)
{
	while (r->list < r->nlists && r->at == r->lists[r->list].n) {
		r->list++;
		r->at = 0;
	}
	return r->list < r->nlists ? &r->lists[r->list].items[r->at++] : NULL;
}

/* Binds the next `n` rows to st, a statement of n rows, and runs it. */
static int
insert_rows(struct reg_store *store, sqlite3_stmt *st, size_t n, const struct day_row *day, struct rows *from)
{
	for (size_t r = 0; r < n; r++)
		bind_decision(st, r, day, next_row(from));
	int status = sqlite3_step(st) == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot record a decision");
	sqlite3_reset(st);
	return status;
}

/* Inserts the lists' rows in order, ROWS_PER_INSERT rows a statement, then the rest one by one.
 * The statements are prepared once a transaction (preparing one of 32 rows cost as much
 * as inserting some 70 rows), and finalized by forget_inserts. */
static int
insert_decisions(struct reg_store *store, const struct day_row *day, const struct reg_decision_list *lists,
                 size_t nlists)
{
	size_t total = 0;
	for (size_t k = 0; k < nlists; k++)
		total += lists[k].n;
	struct rows rows = { lists, nlists, 0, 0 };
	for (size_t i = 0; i < total;) {
		size_t n = total - i >= ROWS_PER_INSERT ? ROWS_PER_INSERT : 1;
		sqlite3_stmt **st = &store->decisions_insert[n > 1];
		if ((!*st && prepare_insert(store, n, st)) || insert_rows(store, *st, n, day, &rows))
			return -1;
		i += n;
	}
	return 0;
}

static void
forget_inserts(struct reg_store *store)
{
	for (int k = 0; k < 2; k++) {
		sqlite3_finalize(store->decisions_insert[k]);
		store->decisions_insert[k] = NULL;
	}
}

/* Now, as SQLite's strftime('%Y-%m-%dT%H:%M:%S', 'now') writes it (UTC). */
static void
stamp_now(char out[20])
{
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) || strftime(out, 20, "%Y-%m-%dT%H:%M:%S", &tm) != 19)
		memcpy(out, "1970-01-01T00:00:00", 20);
}

/* Inside a transaction the caller opened (reg_history_begin), a day adds
 * to it, and if it fails the caller rolls the transaction back: a savepoint
 * per day would copy every index page the day touches once more. */
int
reg_history_record(struct reg_store *store, const char *policy, rt_date day, const struct reg_decision_list *lists,
                   size_t nlists)
{
	char date[11];
	rt_date_format(day, date);
	sqlite3_stmt *st = NULL;
	int own = sqlite3_get_autocommit(store->db);
	if (own && reg_exec(store, "BEGIN IMMEDIATE"))
		return -1;
	if (own)
		stamp_now(store->recorded_at);
	if (reg_prepare_scoped(store, "INSERT INTO history_days (policy, as_of, recorded_at, school)"
	                              " VALUES (?, ?, ?, :school)", &st))
		goto fail;
	sqlite3_bind_text(st, 1, policy, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, store->recorded_at, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT) {
		reg_fail(store, "%s is already recorded for %s; the history is never rewritten", date, policy);
		goto fail;
	}
	if (rc != SQLITE_DONE) {
		reg_fail_db(store, "cannot record the day");
		goto fail;
	}
	struct day_row row = { policy, date, store->recorded_at, (int)strlen(policy) };
	int status = insert_decisions(store, &row, lists, nlists);
	if (own)
		forget_inserts(store);
	if (status == 0 && (!own || reg_exec(store, "COMMIT") == 0))
		return 0;
fail:
	if (own)
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/*
 * Pupils are never deleted nor renumbered (the triggers pupils_kept and pupils_fixed, present on every
 * open), and a replay records only ids it read from pupils, so inside its transaction the foreign key
 * of decisions proves nothing, yet looked each row's pupil up, every page of it searched for in a WAL
 * that grows to the size of the year. PRAGMA foreign_keys does nothing inside a transaction: it is
 * turned off before BEGIN and on again after COMMIT or ROLLBACK.
 */
static int
begin_unchecked(struct reg_store *store)
{
	if (reg_exec(store, "PRAGMA foreign_keys = OFF"))
		return -1;
	if (reg_exec(store, "BEGIN IMMEDIATE") == 0)
		return 0;
	sqlite3_exec(store->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return -1;
}

/* COMMIT (keep) or ROLLBACK, then the foreign keys checked again; 0 when committed as asked. */
static int
end_unchecked(struct reg_store *store, int keep)
{
	int status = keep && reg_exec(store, "COMMIT") == 0 ? 0 : -1;
	if (status)
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	if (reg_exec(store, "PRAGMA foreign_keys = ON"))
		status = -1;
	return status;
}

int
reg_history_begin(struct reg_store *store, size_t days)
{
	long recorded;
	if (begin_unchecked(store))
		return -1;
	stamp_now(store->recorded_at);
	/* Rebuilding the pupil index costs about what the history holds: worth it when the days added are as many. */
	int failed = reg_query_long(store, "SELECT count(*) FROM history_days", &recorded);
	if (failed)
		reg_fail_db(store, "cannot read history_days");
	int index = !failed && (long)days >= recorded;
	if (failed || reg_decisions_guards(store, 0, index)) {
		end_unchecked(store, 0);
		return -1;
	}
	store->decisions_lifted = index ? 3 : 1;
	return 0;
}

int
reg_history_end(struct reg_store *store, int keep)
{
	int lifted = store->decisions_lifted;
	store->decisions_lifted = 0;
	forget_inserts(store);
	if (keep && lifted && reg_decisions_guards(store, 1, lifted & 2))
		keep = -1;
	int status = end_unchecked(store, keep == 1);
	return keep ? status : 0;
}

int
reg_write_decisions(struct reg_store *store, const char *upn, FILE *out)
{
	sqlite3_stmt *st;
	if (reg_prepare_scoped(store,
	                     "SELECT d.policy, d.as_of, d.kind, d.event, d.name, d.detail FROM decisions d"
	                     " JOIN pupils p ON p.id = d.pupil_id WHERE p.upn = ? AND p.school = :school"
	                     " ORDER BY d.policy, d.as_of, d.id",
	                     &st))
		return -1;
	sqlite3_bind_text(st, 1, upn, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char b[3][512];
		const char *detail = reg_text(st, 5, b[0], sizeof b[0]);
		fprintf(out, "%s %s: %s \"%s\" %s%s%s\n", sqlite3_column_text(st, 1), reg_text(st, 0, b[1], sizeof b[1]),
		        sqlite3_column_text(st, 2), reg_text(st, 4, b[2], sizeof b[2]), sqlite3_column_text(st, 3),
		        detail ? " " : "", detail ? detail : "");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot read decisions");
}
