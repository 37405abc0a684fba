/* Opening the register: the schema, its version, and small SQLite helpers. */
#include "runtime/register/store_impl.h"

#include "runtime/base/utf8.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/*
 * Schema version 6 keyed pupils (enrolments), half terms, closures and the
 * days of the decision history by school, so that one register can hold several schools, each with its own
 * calendar; `school` is the URN, or '' in a register that names no school
 * (docs/la.md). A child who moves or is dual registered has a row per school,
 * with the same UPN. Shared by the schema and the migration to version 6.
 */
#define PUPILS_COLUMNS \
	"(\n" \
	"  id INTEGER PRIMARY KEY,\n" \
	"  upn TEXT NOT NULL,\n" \
	"  surname TEXT NOT NULL,\n" \
	"  forename TEXT NOT NULL,\n" \
	"  date_of_birth TEXT,\n" \
	"  year_group INTEGER,\n" \
	"  admitted TEXT,\n" \
	"  left TEXT,\n" \
	"  school TEXT NOT NULL DEFAULT '',\n" \
	"  UNIQUE (school, upn)\n" \
	")"
#define HALF_TERMS_COLUMNS \
	"(\n" \
	"  school_year INTEGER NOT NULL,\n" \
	"  number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 6),\n" \
	"  start TEXT NOT NULL,\n" \
	"  end TEXT NOT NULL,\n" \
	"  name TEXT,\n" \
	"  school TEXT NOT NULL DEFAULT '',\n" \
	"  PRIMARY KEY (school, school_year, number),\n" \
	"  CHECK (start <= end)\n" \
	") WITHOUT ROWID"
#define CLOSURES_COLUMNS \
	"(\n" \
	"  date TEXT NOT NULL,\n" \
	"  session TEXT NOT NULL CHECK (session IN ('AM', 'PM')),\n" \
	"  reason TEXT NOT NULL,\n" \
	"  school TEXT NOT NULL DEFAULT '',\n" \
	"  PRIMARY KEY (school, date, session)\n" \
	") WITHOUT ROWID"
#define HISTORY_DAYS_COLUMNS \
	"(\n" \
	"  policy TEXT NOT NULL,\n" \
	"  as_of TEXT NOT NULL,\n" \
	"  recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now')),\n" \
	"  school TEXT NOT NULL DEFAULT '',\n" \
	"  PRIMARY KEY (school, policy, as_of)\n" \
	") WITHOUT ROWID"
/*
 * The decision history (version 2; laid out again in version 9). A replay records a day for every
 * pupil at once, so the unique key runs by day first and each day's rows land at the end of it,
 * not all over it; reading one pupil's history goes through decisions_pupil. The CHECKs compare
 * with each value in turn: SQLite builds an IN list of more than two values as a temporary index,
 * made and cleared for every row, which was 15% of a replay's instructions (docs/performance.md).
 */
#define DECISIONS_COLUMNS \
	"(\n" \
	"  id INTEGER PRIMARY KEY,\n" \
	"  policy TEXT NOT NULL,\n" \
	"  pupil_id INTEGER NOT NULL REFERENCES pupils(id),\n" \
	"  as_of TEXT NOT NULL,\n" \
	"  kind TEXT NOT NULL CHECK (kind = 'stage' OR kind = 'flag' OR kind = 'penalty_notice' OR kind = 'letter'\n" \
	"    OR kind = 'action'),\n" \
	"  event TEXT NOT NULL CHECK (event = 'entered' OR event = 'left' OR event = 'due'),\n" \
	"  name TEXT NOT NULL,\n" \
	"  stage INTEGER,\n" \
	"  detail TEXT,\n" \
	"  recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now')),\n" \
	"  UNIQUE (policy, as_of, pupil_id, kind, event, name)\n" \
	")"
#define DECISIONS_PUPIL_SQL "CREATE INDEX decisions_pupil ON decisions (pupil_id, policy, as_of);\n"
#define DECISIONS_KEPT_SQL \
	"CREATE TRIGGER decisions_kept BEFORE DELETE ON decisions\n" \
	"  BEGIN SELECT RAISE(ABORT, 'the decision history is never removed'); END;\n" \
	"CREATE TRIGGER decisions_fixed BEFORE UPDATE ON decisions\n" \
	"  BEGIN SELECT RAISE(ABORT, 'the decision history is never rewritten'); END;\n"
/* Version 4: INSERT OR REPLACE would remove the row it conflicts with without a DELETE trigger. */
#define DECISIONS_NOT_REPLACED_SQL \
	"CREATE TRIGGER decisions_not_replaced BEFORE INSERT ON decisions WHEN EXISTS (SELECT 1 FROM decisions d\n" \
	"    WHERE d.id = new.id OR (d.policy = new.policy AND d.pupil_id = new.pupil_id AND d.as_of = new.as_of\n" \
	"      AND d.kind = new.kind AND d.event = new.event AND d.name = new.name))\n" \
	"  BEGIN SELECT RAISE(ABORT, 'the decision history is never rewritten'); END;\n"
/* Every weekday of every half term of every school, with which sessions are open. */
#define CALENDAR_VIEWS \
	"CREATE VIEW calendar_days AS\n" \
	"  WITH RECURSIVE d(date, school_year, half_term, last, school) AS (\n" \
	"    SELECT start, school_year, number, end, school FROM half_terms\n" \
	"    UNION ALL\n" \
	"    SELECT date(date, '+1 day'), school_year, half_term, last, school FROM d WHERE date < last)\n" \
	"  SELECT d.date, d.school_year, d.half_term,\n" \
	"    NOT EXISTS (SELECT 1 FROM closures c WHERE c.school = d.school AND c.date = d.date\n" \
	"      AND c.session = 'AM') AS am_open,\n" \
	"    NOT EXISTS (SELECT 1 FROM closures c WHERE c.school = d.school AND c.date = d.date\n" \
	"      AND c.session = 'PM') AS pm_open, d.school\n" \
	"  FROM d WHERE strftime('%w', d.date) NOT IN ('0', '6');\n" \
	"CREATE VIEW school_days AS\n" \
	"  SELECT * FROM calendar_days WHERE am_open OR pm_open;\n" \
	"CREATE VIEW school_sessions AS\n" \
	"  SELECT date, school_year, half_term, 'AM' AS session, school FROM calendar_days WHERE am_open\n" \
	"  UNION ALL\n" \
	"  SELECT date, school_year, half_term, 'PM', school FROM calendar_days WHERE pm_open;\n"

/* docs/schema.md documents every table and view here; keep the two in step.
 * Version 2 added the history tables (history_sql), created after these. */
static const char schema_sql[] =
	"CREATE TABLE pupils " PUPILS_COLUMNS ";\n"
	"CREATE TABLE half_terms " HALF_TERMS_COLUMNS ";\n"
	"CREATE TABLE closures " CLOSURES_COLUMNS ";\n"
	"CREATE TABLE codes (\n"
	"  id INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 254),\n"
	"  code TEXT UNIQUE NOT NULL\n"
	");\n"
	"CREATE TABLE marks (\n"
	"  pupil_id INTEGER NOT NULL REFERENCES pupils(id),\n"
	"  date TEXT NOT NULL,\n"
	"  session TEXT NOT NULL CHECK (session IN ('AM', 'PM')),\n"
	"  code TEXT NOT NULL,\n"
	"  minutes_late INTEGER,\n"
	"  arrival TEXT,\n"
	"  PRIMARY KEY (pupil_id, date, session)\n"
	") WITHOUT ROWID;\n"
	/* Only marks with a time, covering: pupil_timed is written from just this index. */
	"CREATE INDEX marks_timed ON marks (pupil_id, date, session, code, minutes_late, arrival)\n"
	"  WHERE minutes_late IS NOT NULL OR arrival IS NOT NULL;\n"
	"CREATE TABLE pupil_marks (\n"
	"  pupil_id INTEGER PRIMARY KEY REFERENCES pupils(id),\n"
	"  marks BLOB NOT NULL\n"
	");\n"
	"CREATE TABLE amendments (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  pupil_id INTEGER NOT NULL REFERENCES pupils(id),\n"
	"  date TEXT NOT NULL,\n"
	"  session TEXT NOT NULL CHECK (session IN ('AM', 'PM')),\n"
	"  original_code TEXT,\n"
	"  amended_code TEXT NOT NULL,\n"
	"  reason TEXT NOT NULL,\n"
	"  amended_on TEXT NOT NULL,\n"
	"  amended_by TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX amendments_mark ON amendments (pupil_id, date, session);\n"
	CALENDAR_VIEWS;

/*
 * Schema version 2: the decision history, parents and penalty notices, and the
 * triggers that keep the audit trail. Also what migrating a version 1 register
 * runs (after dropping its never-written version 1 decisions table).
 */
static const char history_sql[] =
	"CREATE TABLE decisions " DECISIONS_COLUMNS ";\n"
	DECISIONS_PUPIL_SQL
	"CREATE TABLE history_days " HISTORY_DAYS_COLUMNS ";\n"
	"CREATE TABLE parents (\n"
	"  pupil_id INTEGER NOT NULL REFERENCES pupils(id),\n"
	"  parent_id TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  relationship TEXT,\n"
	"  PRIMARY KEY (pupil_id, parent_id)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE notices (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  pupil_id INTEGER NOT NULL,\n"
	"  parent_id TEXT NOT NULL,\n"
	"  ordinal INTEGER NOT NULL CHECK (ordinal >= 1),\n"
	"  issued TEXT NOT NULL,\n"
	"  amount_pence INTEGER NOT NULL,\n"
	"  within_days INTEGER NOT NULL,\n"
	"  later_amount_pence INTEGER,\n"
	"  later_within_days INTEGER,\n"
	"  state TEXT NOT NULL CHECK (state IN ('issued', 'paid', 'withdrawn', 'prosecuted')),\n"
	"  state_on TEXT NOT NULL,\n"
	"  FOREIGN KEY (pupil_id, parent_id) REFERENCES parents(pupil_id, parent_id)\n"
	");\n"
	"CREATE INDEX notices_pupil ON notices (pupil_id, parent_id, issued);\n"
	/* The legal record and its audit trail: nothing deletes a mark younger than
	 * six years, and amendments and decisions are never changed or removed. */
	"CREATE TRIGGER marks_retained BEFORE DELETE ON marks WHEN old.date > date('now', '-6 years')\n"
	"  BEGIN SELECT RAISE(ABORT, 'register entries are kept for six years'); END;\n"
	"CREATE TRIGGER amendments_kept BEFORE DELETE ON amendments\n"
	"  BEGIN SELECT RAISE(ABORT, 'amendments are an audit trail and are never removed'); END;\n"
	"CREATE TRIGGER amendments_fixed BEFORE UPDATE ON amendments\n"
	"  BEGIN SELECT RAISE(ABORT, 'amendments are an audit trail and are never changed'); END;\n"
	DECISIONS_KEPT_SQL
	/* A mark changes only through an amendment, written first in the same
	 * transaction (attend amend), so plain SQL cannot change the legal record
	 * without a trace; and a pupil is never deleted, which would orphan marks. */
	"CREATE TRIGGER marks_amended_only BEFORE UPDATE OF code ON marks WHEN NOT EXISTS (\n"
	"  SELECT 1 FROM amendments a WHERE a.pupil_id = new.pupil_id AND a.date = new.date\n"
	"    AND a.session = new.session AND a.amended_code = new.code)\n"
	"  BEGIN SELECT RAISE(ABORT, 'a mark changes only by an amendment (attend amend), which keeps the original');"
	" END;\n";

/*
 * Schema version 3: the schools the register holds (docs/la.md); one row at
 * most until version 6. Also what migrating a version 2 register runs.
 */
static const char schools_sql[] =
	"CREATE TABLE schools (\n"
	"  urn TEXT PRIMARY KEY CHECK (length(urn) = 6),\n"
	"  laestab TEXT CHECK (laestab IS NULL OR length(laestab) = 7),\n"
	"  name TEXT NOT NULL,\n"
	"  phase TEXT\n"
	") WITHOUT ROWID;\n";

/*
 * Schema version 4: the register keeps its promises against any writer, not
 * only attend (docs/schema.md, "What the register refuses"). SQLite removes
 * the row an INSERT OR REPLACE, REPLACE or UPDATE OR REPLACE conflicts with
 * without firing a DELETE trigger, so each kept table refuses the conflicting
 * insert before it happens, and the columns that identify a row never change.
 * A code changed by hand after an amendment leaves pupil_marks behind: the
 * pupil is noted in marks_changed, which every open checks (reg_check_open).
 */
#define MARKS_NOT_REPLACED_SQL \
	"CREATE TRIGGER marks_not_replaced BEFORE INSERT ON marks WHEN EXISTS (SELECT 1 FROM marks m\n" \
	"    WHERE m.pupil_id = new.pupil_id AND m.date = new.date AND m.session = new.session)\n" \
	"  BEGIN SELECT RAISE(ABORT, 'a mark is never replaced: it changes only by an amendment (attend amend)'); END;\n"
static const char guards_sql[] =
	"CREATE TABLE marks_changed (\n"
	"  pupil_id INTEGER PRIMARY KEY REFERENCES pupils(id)\n"
	");\n"
	MARKS_NOT_REPLACED_SQL
	"CREATE TRIGGER marks_fixed BEFORE UPDATE OF pupil_id, date, session, minutes_late, arrival ON marks\n"
	"  BEGIN SELECT RAISE(ABORT, 'a mark''s pupil, date, session and time never change;"
	" its code changes only by an amendment (attend amend)'); END;\n"
	"CREATE TRIGGER marks_code_changed AFTER UPDATE OF code ON marks\n"
	"  BEGIN INSERT OR IGNORE INTO marks_changed (pupil_id) VALUES (new.pupil_id); END;\n"
	"CREATE TRIGGER amendments_not_replaced BEFORE INSERT ON amendments\n"
	"  WHEN EXISTS (SELECT 1 FROM amendments a WHERE a.id = new.id)\n"
	"  BEGIN SELECT RAISE(ABORT, 'amendments are an audit trail and are never replaced'); END;\n"
	DECISIONS_NOT_REPLACED_SQL
	"CREATE TRIGGER parents_fixed BEFORE UPDATE OF pupil_id, parent_id ON parents\n"
	"  BEGIN SELECT RAISE(ABORT, 'a parent''s pupil and id never change: penalty notices refer to them'); END;\n";

/*
 * Schema version 5: a parent's postal address, for the letters (docs/history.md).
 * Also what migrating a version 4 register runs.
 */
static const char addresses_sql[] = "ALTER TABLE parents ADD COLUMN address TEXT;\n";

/* The guards on pupils (versions 2 and 4), made again with the table in version 6:
 * a pupil is one enrolment, so a UPN is unique within its school. */
static const char pupils_triggers_sql[] =
	"CREATE TRIGGER pupils_kept BEFORE DELETE ON pupils\n"
	"  BEGIN SELECT RAISE(ABORT, 'pupils are not deleted: their register entries are kept for six years'); END;\n"
	"CREATE TRIGGER pupils_not_replaced BEFORE INSERT ON pupils WHEN EXISTS (SELECT 1 FROM pupils p\n"
	"    WHERE p.id = new.id OR (p.school = new.school AND p.upn = new.upn))\n"
	"  BEGIN SELECT RAISE(ABORT, 'a pupil is never replaced: their register entries refer to them'); END;\n"
	"CREATE TRIGGER pupils_fixed BEFORE UPDATE OF id, upn ON pupils\n"
	"  BEGIN SELECT RAISE(ABORT, 'a pupil''s id and UPN never change: their register entries refer to them'); END;\n";

/*
 * Version 5 to 6: pupils, half terms, closures and history days gain their school (the
 * register's one school, or ''), and a register may hold several schools.
 * Run with foreign keys off (SQLite's way to rebuild a table others refer to);
 * the views are made again over the new tables.
 */
static const char schools_v6_sql[] =
	"DROP VIEW school_sessions; DROP VIEW school_days; DROP VIEW calendar_days;\n"
	"DROP TRIGGER IF EXISTS schools_one;\n"
	"CREATE TABLE pupils_v6 " PUPILS_COLUMNS ";\n"
	"INSERT INTO pupils_v6 (id, upn, surname, forename, date_of_birth, year_group, admitted, left, school)\n"
	"  SELECT id, upn, surname, forename, date_of_birth, year_group, admitted, left,\n"
	"    coalesce((SELECT min(urn) FROM schools), '') FROM pupils;\n"
	"DROP TABLE pupils;\n"
	"ALTER TABLE pupils_v6 RENAME TO pupils;\n"
	"CREATE TABLE half_terms_v6 " HALF_TERMS_COLUMNS ";\n"
	"INSERT INTO half_terms_v6 SELECT school_year, number, start, end, name,\n"
	"    coalesce((SELECT min(urn) FROM schools), '') FROM half_terms;\n"
	"DROP TABLE half_terms;\n"
	"ALTER TABLE half_terms_v6 RENAME TO half_terms;\n"
	"CREATE TABLE closures_v6 " CLOSURES_COLUMNS ";\n"
	"INSERT INTO closures_v6 SELECT date, session, reason,\n"
	"    coalesce((SELECT min(urn) FROM schools), '') FROM closures;\n"
	"DROP TABLE closures;\n"
	"ALTER TABLE closures_v6 RENAME TO closures;\n"
	"CREATE TABLE history_days_v6 " HISTORY_DAYS_COLUMNS ";\n"
	"INSERT INTO history_days_v6 (policy, as_of, recorded_at, school) SELECT policy, as_of, recorded_at,\n"
	"    coalesce((SELECT min(urn) FROM schools), '') FROM history_days;\n"
	"DROP TABLE history_days;\n"
	"ALTER TABLE history_days_v6 RENAME TO history_days;\n"
	CALENDAR_VIEWS;

/*
 * Schema version 7: a mark added or removed by any other writer is noted in marks_changed as a
 * code changed by hand is, so the cheap check on open catches it too. attend's importer keeps
 * pupil_marks in step itself and never replaces a mark, and the two insert triggers cost it
 * as much again as the insert (docs/testing.md): it lifts them inside its own transaction and
 * puts them back before it commits (reg_marks_guards), so no other connection ever sees them gone.
 */
#define MARKS_ADDED_SQL \
	"CREATE TRIGGER marks_added AFTER INSERT ON marks\n" \
	"  BEGIN INSERT OR IGNORE INTO marks_changed (pupil_id) VALUES (new.pupil_id); END;\n"
static const char marks_noted_sql[] =
	MARKS_ADDED_SQL
	"CREATE TRIGGER marks_removed AFTER DELETE ON marks\n"
	"  BEGIN INSERT OR IGNORE INTO marks_changed (pupil_id) VALUES (old.pupil_id); END;\n";

int
reg_marks_guards(struct reg_store *store, int on)
{
	return reg_exec(store, on ? MARKS_NOT_REPLACED_SQL MARKS_ADDED_SQL
	                          : "DROP TRIGGER marks_not_replaced; DROP TRIGGER marks_added;");
}

/*
 * Schema version 8: what the policy said of an unpaid notice when it was issued (`unpaid after N
 * days "..."`): after how many days it is overdue and may be prosecuted, and what follows. NULL in
 * notices issued before: they keep the payment window and "prosecute or withdraw".
 */
static const char unpaid_sql[] =
	"ALTER TABLE notices ADD COLUMN unpaid_days INTEGER;\n"
	"ALTER TABLE notices ADD COLUMN unpaid_action TEXT;\n";

/*
 * Schema version 9: each pupil's marks with a time of arrival or minutes late, as one record
 * beside the compact copy (store_timed.c), written from marks by attend_timed() in the same
 * transaction as every change to them; a run reads one row per pupil instead of the index.
 */
static const char timed_sql[] =
	"CREATE TABLE pupil_timed (\n"
	"  pupil_id INTEGER PRIMARY KEY REFERENCES pupils(id),\n"
	"  timed BLOB NOT NULL\n"
	");\n";

/*
 * Schema version 10: the decision history laid out for recording (DECISIONS_COLUMNS), the same rows
 * with the same ids moved in the migration's one transaction; decisions_day, a prefix of the new
 * unique key, gives way to decisions_pupil. Also run after version 1's history_sql: IF EXISTS.
 */
static const char decisions_v10_sql[] =
	"DROP TRIGGER IF EXISTS decisions_kept; DROP TRIGGER IF EXISTS decisions_fixed;\n"
	"DROP TRIGGER IF EXISTS decisions_not_replaced;\n"
	"DROP INDEX IF EXISTS decisions_day; DROP INDEX IF EXISTS decisions_pupil;\n"
	"CREATE TABLE decisions_v10 " DECISIONS_COLUMNS ";\n"
	"INSERT INTO decisions_v10 (id, policy, pupil_id, as_of, kind, event, name, stage, detail, recorded_at)\n"
	"  SELECT id, policy, pupil_id, as_of, kind, event, name, stage, detail, recorded_at FROM decisions ORDER BY id;\n"
	"DROP TABLE decisions;\n"
	"ALTER TABLE decisions_v10 RENAME TO decisions;\n"
	DECISIONS_PUPIL_SQL DECISIONS_KEPT_SQL DECISIONS_NOT_REPLACED_SQL;

/*
 * attend's replay inserts only rows it has just decided, never replacing one (the unique key still
 * refuses a second), so inside its own transaction it lifts the guard trigger, which cost a quarter
 * of the writing, and, when it adds at least as many days as the history holds, the pupil index,
 * built again once at the end instead of row by row. Both are back before the commit, so no other
 * connection ever sees them gone; a rollback brings them back too.
 */
int
reg_decisions_guards(struct reg_store *store, int on, int index)
{
	if (on)
		return reg_exec(store, index ? DECISIONS_NOT_REPLACED_SQL DECISIONS_PUPIL_SQL : DECISIONS_NOT_REPLACED_SQL);
	return reg_exec(store, index ? "DROP TRIGGER decisions_not_replaced; DROP INDEX decisions_pupil;"
	                             : "DROP TRIGGER decisions_not_replaced;");
}

/* The guard triggers, by name: an open refuses a register that lacks one. */
static const char *const guard_names[] = {
	"marks_retained", "amendments_kept", "amendments_fixed", "decisions_kept", "decisions_fixed",
	"marks_amended_only", "pupils_kept", "marks_not_replaced", "marks_fixed", "marks_code_changed",
	"pupils_not_replaced", "pupils_fixed", "amendments_not_replaced", "decisions_not_replaced", "parents_fixed",
	"marks_added", "marks_removed",
};

int
reg_fail(struct reg_store *store, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(store->error, sizeof store->error, fmt, ap);
	va_end(ap);
	return -1;
}

int
reg_fail_db(struct reg_store *store, const char *what)
{
	return reg_fail(store, "%s: %s: %s", store->path, what, sqlite3_errmsg(store->db));
}

int
reg_exec(struct reg_store *store, const char *sql)
{
	if (sqlite3_exec(store->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return reg_fail_db(store, "database error");
	return 0;
}

const char *
reg_text(sqlite3_stmt *st, int col, char *buf, size_t size)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	if (!s)
		return NULL;
	size_t len = (size_t)sqlite3_column_bytes(st, col);
	if (base_utf8_invalid(s, len) == len)
		return s;
	size_t n = len < size ? len : size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	base_utf8_repair(buf, n);
	return buf;
}

int
reg_prepare(struct reg_store *store, const char *sql, sqlite3_stmt **out)
{
	if (sqlite3_prepare_v2(store->db, sql, -1, out, NULL) != SQLITE_OK) {
		*out = NULL;
		return reg_fail_db(store, "database error");
	}
	return 0;
}

void
reg_bind_optional(sqlite3_stmt *st, int index, const char *s, size_t len)
{
	if (len)
		sqlite3_bind_text(st, index, s, (int)len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, index);
}

int
reg_prepare_scoped(struct reg_store *store, const char *sql, sqlite3_stmt **out)
{
	const char *school;
	if (reg_scope(store, &school) || reg_prepare(store, sql, out))
		return -1;
	int at = sqlite3_bind_parameter_index(*out, ":school");
	/* Numbered after every other parameter, so that none of them moves (or
	 * shares its number, as a later ?1 would when :school came first). */
	if (at == 0 || at != sqlite3_bind_parameter_count(*out) || (at == 1 && strchr(sql, '?'))) {
		sqlite3_finalize(*out);
		*out = NULL;
		return reg_fail(store, "internal error: :school must be the last parameter of %s", sql);
	}
	sqlite3_bind_text(*out, at, school, -1, SQLITE_TRANSIENT);
	return 0;
}

int
reg_exec_scoped(struct reg_store *store, const char *sql)
{
	sqlite3_stmt *st;
	if (reg_prepare_scoped(store, sql, &st))
		return -1;
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : reg_fail_db(store, "database error");
}

int
reg_query_long(struct reg_store *store, const char *sql, long *value)
{
	sqlite3_stmt *st;
	if (reg_prepare(store, sql, &st))
		return -1;
	int rc = sqlite3_step(st);
	*value = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int
create_schema(struct reg_store *store)
{
	char pragmas[128];
	snprintf(pragmas, sizeof pragmas, "PRAGMA application_id = %d; PRAGMA user_version = %d;",
	         REG_APPLICATION_ID, REG_SCHEMA_VERSION);
	if (reg_exec(store, "BEGIN IMMEDIATE"))
		return -1;
	if (reg_exec(store, schema_sql) || reg_exec(store, history_sql) || reg_exec(store, schools_sql) ||
	    reg_exec(store, guards_sql) || reg_exec(store, addresses_sql) || reg_exec(store, pupils_triggers_sql) ||
	    reg_exec(store, marks_noted_sql) || reg_exec(store, unpaid_sql) || reg_exec(store, timed_sql) ||
	    reg_exec(store, pragmas) ||
	    reg_exec(store, "COMMIT")) {
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

/* Version 1 to 2: the history tables. Version 1 had a decisions table that
 * nothing wrote; it is replaced, unless someone filled it by hand. */
static int
migrate_1_to_2(struct reg_store *store)
{
	long rows;
	if (reg_query_long(store, "SELECT count(*) FROM decisions", &rows))
		return -1;
	if (rows > 0)
		return reg_fail(store, "%s: cannot upgrade from schema version 1: its decisions table holds %ld rows "
		                       "(attend never wrote them; move them elsewhere first)", store->path, rows);
	return reg_exec(store, "DROP TABLE decisions") || reg_exec(store, history_sql) ? -1 : 0;
}

/* Every step from `version` to this one, in one transaction: all or nothing. */
static int
migrate(struct reg_store *store, long version)
{
	char pragma[64];
	snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d;", REG_SCHEMA_VERSION);
	/* Foreign keys can only be turned off outside a transaction. */
	if (reg_exec(store, "PRAGMA foreign_keys = OFF") || reg_exec(store, "BEGIN IMMEDIATE"))
		return -1;
	int failed = (version < 2 && migrate_1_to_2(store)) || (version < 3 && reg_exec(store, schools_sql)) ||
	             (version < 4 && reg_exec(store, guards_sql)) || (version < 5 && reg_exec(store, addresses_sql)) ||
	             (version < 6 && (reg_exec(store, schools_v6_sql) || reg_exec(store, pupils_triggers_sql))) ||
	             (version < 7 && reg_exec(store, marks_noted_sql)) || (version < 8 && reg_exec(store, unpaid_sql)) ||
	             (version < 9 && (reg_exec(store, timed_sql) || reg_timed_rebuild(store))) ||
	             (version < 10 && reg_exec(store, decisions_v10_sql)) ||
	             reg_exec(store, pragma) || reg_exec(store, "COMMIT");
	if (failed)
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	return reg_exec(store, "PRAGMA foreign_keys = ON") || failed ? -1 : 0;
}

/* Tells an attend register (of this version) from any other file. */
static int
check_schema(struct reg_store *store, int flags)
{
	long app, version, objects;
	if (reg_query_long(store, "PRAGMA application_id", &app) ||
	    reg_query_long(store, "SELECT count(*) FROM sqlite_schema", &objects)) {
		if (sqlite3_errcode(store->db) == SQLITE_NOTADB)
			return reg_fail(store, "%s is not an attend register (not an SQLite database)", store->path);
		return reg_fail_db(store, "cannot read the database");
	}
	if (app == 0 && objects == 0) {
		if (flags & REG_CREATE)
			return create_schema(store);
		return reg_fail(store, "%s is empty, not an attend register (create one with attend init)",
		                     store->path);
	}
	if (app != REG_APPLICATION_ID)
		return reg_fail(store, "%s is not an attend register (an SQLite database of another program)",
		                     store->path);
	if (reg_query_long(store, "PRAGMA user_version", &version))
		return reg_fail_db(store, "cannot read the database");
	if (version >= 1 && version < REG_SCHEMA_VERSION && !(flags & REG_READONLY))
		return migrate(store, version);
	if (version >= 1 && version < REG_SCHEMA_VERSION)
		return reg_fail(store, "%s has register schema version %ld; this attend reads version %d "
		                            "(upgrade it, keeping everything, with `attend migrate %s`)",
		                     store->path, version, REG_SCHEMA_VERSION, store->path);
	if (version != REG_SCHEMA_VERSION)
		return reg_fail(store, "%s has register schema version %ld; this attend reads version %d",
		                     store->path, version, REG_SCHEMA_VERSION);
	return 0;
}

/* Opens the file. A read-only open cannot roll back the journal a crashed
 * writer left behind ("attempt to write a readonly database"): a read-write
 * connection opened for a moment rolls it back first. */
static int
open_db(struct reg_store *store, int flags)
{
	int oflags = SQLITE_OPEN_NOMUTEX | (flags & REG_READONLY ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
	if (flags & REG_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	if (flags & REG_READONLY) {
		sqlite3 *rw = NULL;
		if (sqlite3_open_v2(store->path, &rw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK) {
			sqlite3_busy_timeout(rw, REG_BUSY_TIMEOUT_MS);
			sqlite3_exec(rw, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
		}
		sqlite3_close(rw);
	}
	if (sqlite3_open_v2(store->path, &store->db, oflags, NULL) != SQLITE_OK)
		return reg_fail(store, "cannot open %s: %s", store->path,
		                store->db ? sqlite3_errmsg(store->db) : "out of memory");
	return 0;
}

/* The cheap check made on every open: the guard triggers are all there, and
 * no mark was changed, added or removed behind pupil_marks' back. */
static int
check_guards(struct reg_store *store, int flags)
{
	long present = 0, changed = 0;
	char sql[1024] = "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name IN (";
	for (size_t i = 0; i < sizeof guard_names / sizeof guard_names[0]; i++)
		snprintf(sql + strlen(sql), sizeof sql - strlen(sql), "%s'%s'", i ? ", " : "", guard_names[i]);
	snprintf(sql + strlen(sql), sizeof sql - strlen(sql), ")");
	if (reg_query_long(store, sql, &present) || reg_query_long(store, "SELECT count(*) FROM marks_changed", &changed))
		return reg_fail_db(store, "cannot read the database");
	if (present != (long)(sizeof guard_names / sizeof guard_names[0]))
		return reg_fail(store, "%s: %ld of the register's %zu guard triggers are missing (dropped by hand?): "
		                       "it no longer keeps the legal record safe", store->path,
		                (long)(sizeof guard_names / sizeof guard_names[0]) - present,
		                sizeof guard_names / sizeof guard_names[0]);
	if (changed && !(flags & REG_UNCHECKED))
		return reg_fail(store, "%s: the marks of %ld pupil%s were changed, added or removed outside attend "
		                       "(import, amend), and the compact "
		                       "copy runs read is out of step: `attend check-register %s` shows the differences "
		                       "and `attend check-register --repair %s` rebuilds it", store->path, changed,
		                changed == 1 ? "" : "s", store->path, store->path);
	return 0;
}

int
reg_open(const char *path, int flags, struct reg_store **out)
{
	struct reg_store *store = calloc(1, sizeof *store);
	*out = store;
	if (!store)
		return -1;
	store->path = strdup(path);
	if (!store->path)
		return reg_fail(store, "out of memory");
	/* A store is used by one thread at a time: SQLite's own locking would only cost time. */
	if (open_db(store, flags) || reg_timed_register(store))
		return -1;
	/* The busy timeout outlasts the largest import (docs/schema.md); WAL lets
	 * readers run while an import writes; foreign keys hold on every connection. */
	char pragmas[96];
	snprintf(pragmas, sizeof pragmas, "PRAGMA busy_timeout = %d; PRAGMA foreign_keys = ON;", REG_BUSY_TIMEOUT_MS);
	if (reg_exec(store, pragmas) || check_schema(store, flags))
		return -1;
	if (!(flags & REG_READONLY) && reg_exec(store, "PRAGMA journal_mode = WAL"))
		return -1;
	if (check_guards(store, flags))
		return -1;
	/* The largest map SQLite is built to allow (2 GiB - 64 KiB): a register of
	 * 100,000 pupils is read without a copy into the page cache (docs/performance.md). */
	return reg_exec(store, "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; " REG_MMAP_PRAGMA);
}

const char *
reg_error(const struct reg_store *store)
{
	return store ? store->error : "out of memory";
}

void
reg_close(struct reg_store *store)
{
	if (!store)
		return;
	for (int k = 0; k < 2; k++)
		sqlite3_finalize(store->decisions_insert[k]);
	sqlite3_close(store->db);
	for (size_t i = 0; i < store->nknown_codes; i++)
		free(store->known_codes[i]);
	free(store->known_codes);
	free(store->path);
	free(store->school_wanted);
	free(store);
}

int
reg_set_known_codes(struct reg_store *store, const char *const *codes, size_t n)
{
	char **copy = calloc(n + 1, sizeof *copy);
	if (!copy)
		return reg_fail(store, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (!(copy[i] = strdup(codes[i]))) {
			for (size_t k = 0; k < i; k++)
				free(copy[k]);
			free(copy);
			return reg_fail(store, "out of memory");
		}
	for (size_t i = 0; i < store->nknown_codes; i++)
		free(store->known_codes[i]);
	free(store->known_codes);
	store->known_codes = copy;
	store->nknown_codes = n;
	return 0;
}

int
reg_code_in_use(struct reg_store *store, const char *code)
{
	sqlite3_stmt *st;
	if (reg_prepare(store, "SELECT EXISTS (SELECT 1 FROM marks WHERE code = ?)", &st))
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	int used = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (used < 0)
		reg_fail_db(store, "cannot read marks");
	return used;
}

struct sqlite3 *
reg_db(struct reg_store *store)
{
	return store->db;
}
