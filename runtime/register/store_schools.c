/*
 * The schools a register holds (`schools`): imported from a file
 * `urn,name[,laestab][,phase]`, chosen with --school when there are several
 * (reg_scope), and read by the local authority's tools, which check them
 * against their manifest (docs/la.md).
 */
#include "runtime/register/store_impl.h"

#include <ctype.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <string.h>
#include <strings.h>

enum { C_URN, C_NAME, C_LAESTAB, C_PHASE, C__COUNT };
static const char *const columns[C__COUNT] = { "urn", "name", "laestab", "phase" };

/* The phases of Get Information about Schools, in lower case. */
static const char *const phases[] = { "nursery", "primary", "middle", "secondary", "all-through",
	                              "special", "alternative provision", "16 plus" };

static int
all_digits(const char *s, size_t len, size_t want)
{
	if (len != want)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
known_phase(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++)
		if (strlen(phases[i]) == len && strncasecmp(phases[i], s, len) == 0)
			return 1;
	return 0;
}

/* Problems with one row's fields; 0 when it is good. */
static int
check_row(struct reg_importer *imp, const char **f, const size_t *len)
{
	long line = imp->csv.line, before = imp->errors;
	if (!all_digits(f[C_URN], len[C_URN], 6))
		reg_import_problem(imp, line, "urn", "\"%s\" is not a URN (6 digits)", f[C_URN]);
	if (!len[C_NAME])
		reg_import_problem(imp, line, "name", "is empty");
	if (len[C_LAESTAB] && !all_digits(f[C_LAESTAB], len[C_LAESTAB], 7))
		reg_import_problem(imp, line, "laestab", "\"%s\" is not a LAESTAB (7 digits: LA number and"
		                                         " establishment number)", f[C_LAESTAB]);
	if (len[C_PHASE] && !known_phase(f[C_PHASE], len[C_PHASE]))
		reg_import_problem(imp, line, "phase", "unknown phase \"%s\" (nursery, primary, middle, secondary,"
		                                       " all-through, special, alternative provision or 16 plus)",
		                   f[C_PHASE]);
	return imp->errors > before;
}

static void
import_school(struct reg_importer *imp, sqlite3_stmt *upsert)
{
	size_t len[C__COUNT];
	const char *f[C__COUNT];
	for (size_t c = 0; c < C__COUNT; c++)
		f[c] = reg_import_field(imp, c, &len[c]);
	if (check_row(imp, f, len) || imp->errors)
		return;
	sqlite3_bind_text(upsert, 1, f[C_URN], (int)len[C_URN], SQLITE_STATIC);
	sqlite3_bind_text(upsert, 2, f[C_NAME], (int)len[C_NAME], SQLITE_STATIC);
	for (int c = C_LAESTAB; c <= C_PHASE; c++)
		if (len[c])
			sqlite3_bind_text(upsert, c + 1, f[c], (int)len[c], SQLITE_STATIC);
		else
			sqlite3_bind_null(upsert, c + 1);
	int rc = sqlite3_step(upsert);
	sqlite3_reset(upsert);
	if (rc != SQLITE_DONE)
		imp->failed = reg_fail_db(imp->store, "cannot write schools");
	else
		imp->rows++;
}

static long
count(struct reg_store *store, const char *sql)
{
	sqlite3_stmt *st;
	if (reg_prepare(store, sql, &st))
		return -1;
	int rc = sqlite3_step(st);
	long n = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	if (n < 0)
		reg_fail_db(store, "cannot read schools");
	return n;
}

/* A register that named no school holds its pupils and calendar under '':
 * the first school it is told of is theirs. */
static void
adopt_unnamed(struct reg_importer *imp)
{
	static const char *const tables[] = { "pupils", "half_terms", "closures", "history_days" };
	for (size_t i = 0; i < sizeof tables / sizeof tables[0] && !imp->failed; i++) {
		char sql[160];
		snprintf(sql, sizeof sql, "UPDATE %s SET school = (SELECT min(urn) FROM schools) WHERE school = ''",
		         tables[i]);
		if (reg_exec(imp->store, sql))
			imp->failed = -1;
	}
}

int
reg_import_schools(struct reg_importer *imp)
{
	if (reg_import_columns(imp, columns, C__COUNT, 2))
		return 0;
	sqlite3_stmt *upsert;
	if (reg_prepare(imp->store,
	                "INSERT INTO schools (urn, name, laestab, phase) VALUES (?, ?, ?, ?)"
	                " ON CONFLICT (urn) DO UPDATE SET name = excluded.name,"
	                " laestab = coalesce(excluded.laestab, laestab), phase = coalesce(excluded.phase, phase)",
	                &upsert))
		return imp->failed = -1;
	long before = count(imp->store, "SELECT count(*) FROM schools");
	while (before >= 0 && !imp->failed && reg_import_next(imp) == 1)
		import_school(imp, upsert);
	sqlite3_finalize(upsert);
	if (before == 0 && !imp->failed && !imp->errors)
		adopt_unnamed(imp);
	reg_scope_reset(imp->store);
	return imp->failed || before < 0 ? -1 : 0;
}

static void
copy_column(sqlite3_stmt *st, int col, char *out, size_t size)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	snprintf(out, size, "%s", s ? s : "");
}

/* "100001 Kildwick CE Primary, 100002 Russell Street School": for messages. */
static int
list_schools(struct reg_store *store, char *buf, size_t size, long *n)
{
	sqlite3_stmt *st;
	if (reg_prepare(store, "SELECT urn, name FROM schools ORDER BY urn", &st))
		return -1;
	buf[0] = '\0';
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t used = strlen(buf);
		snprintf(buf + used, size - used, "%s%s %s", *n ? ", " : "", sqlite3_column_text(st, 0),
		         sqlite3_column_text(st, 1));
		(*n)++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot read schools");
}

static int
resolve_scope(struct reg_store *store)
{
	char names[400];
	long n;
	if (list_schools(store, names, sizeof names, &n))
		return -1;
	const char *want = store->school_wanted;
	if (!want && n > 1)
		return reg_fail(store, "%s holds %ld schools (%s): say which with --school URN", store->path, n, names);
	if (want && n == 0)
		return reg_fail(store, "%s names no school, so it has no school %s (import its urn,name file first)",
		                store->path, want);
	if (want) {
		long found = 0;
		sqlite3_stmt *st;
		if (reg_prepare(store, "SELECT count(*) FROM schools WHERE urn = ?", &st))
			return -1;
		sqlite3_bind_text(st, 1, want, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			found = (long)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (!found)
			return reg_fail(store, "%s has no school %s (it holds %s)", store->path, want, names);
		snprintf(store->school, sizeof store->school, "%s", want);
	} else if (n == 1) {
		snprintf(store->school, sizeof store->school, "%.6s", names);
	} else {
		store->school[0] = '\0';
	}
	store->scoped = 1;
	return 0;
}

int
reg_scope(struct reg_store *store, const char **school)
{
	if (!store->scoped && resolve_scope(store))
		return -1;
	*school = store->school;
	return 0;
}

void
reg_scope_reset(struct reg_store *store)
{
	store->scoped = 0;
}

int
reg_use_school(struct reg_store *store, const char *urn)
{
	free(store->school_wanted);
	store->school_wanted = NULL;
	store->scoped = 0;
	if (urn && !(store->school_wanted = strdup(urn)))
		return reg_fail(store, "out of memory");
	return 0;
}

int
reg_check_school(struct reg_store *store)
{
	const char *school;
	return reg_scope(store, &school);
}

int
reg_school_get(struct reg_store *store, struct reg_school *out)
{
	sqlite3_stmt *st;
	const char *school;
	memset(out, 0, sizeof *out);
	if (reg_scope(store, &school) ||
	    reg_prepare(store, "SELECT urn, name, laestab, phase FROM schools WHERE urn = ?", &st))
		return -1;
	sqlite3_bind_text(st, 1, school, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		copy_column(st, 0, out->urn, sizeof out->urn);
		copy_column(st, 1, out->name, sizeof out->name);
		copy_column(st, 2, out->laestab, sizeof out->laestab);
		copy_column(st, 3, out->phase, sizeof out->phase);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return reg_fail_db(store, "cannot read schools");
	return rc == SQLITE_ROW;
}

int
reg_has_calendar(struct reg_store *store)
{
	sqlite3_stmt *st;
	const char *school;
	if (reg_scope(store, &school) ||
	    reg_prepare(store, "SELECT EXISTS (SELECT 1 FROM half_terms WHERE school = ?)", &st))
		return -1;
	sqlite3_bind_text(st, 1, school, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st), has = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (has < 0)
		reg_fail_db(store, "cannot read half_terms");
	return has;
}
