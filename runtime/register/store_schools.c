/*
 * The school a register belongs to (`schools`, one row): imported from a
 * file `urn,name[,laestab][,phase]` and read by the local authority's tools,
 * which check it against their manifest (docs/la.md).
 */
#include "runtime/register/store_impl.h"

#include <ctype.h>
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

/* The register's school already on record, or another row of this file, must be the same school. */
static int
check_one_school(struct reg_importer *imp, const char *urn)
{
	struct reg_school held;
	int rc = reg_school_get(imp->store, &held);
	if (rc < 0)
		return imp->failed = -1;
	if (rc == 1 && strcmp(held.urn, urn) != 0) {
		reg_import_problem(imp, imp->csv.line, "urn",
		                   "this register is school %s (%s); a register holds one school: give school %s"
		                   " its own register and list both in the manifest (docs/la.md)",
		                   held.urn, held.name, urn);
		return 1;
	}
	return 0;
}

static void
import_school(struct reg_importer *imp, sqlite3_stmt *upsert)
{
	size_t len[C__COUNT];
	const char *f[C__COUNT];
	for (size_t c = 0; c < C__COUNT; c++)
		f[c] = reg_import_field(imp, c, &len[c]);
	if (check_row(imp, f, len) || check_one_school(imp, f[C_URN]) || imp->errors)
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
	while (!imp->failed && reg_import_next(imp) == 1)
		import_school(imp, upsert);
	sqlite3_finalize(upsert);
	return imp->failed ? -1 : 0;
}

static void
copy_column(sqlite3_stmt *st, int col, char *out, size_t size)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	snprintf(out, size, "%s", s ? s : "");
}

int
reg_school_get(struct reg_store *store, struct reg_school *out)
{
	sqlite3_stmt *st;
	memset(out, 0, sizeof *out);
	if (reg_prepare(store, "SELECT urn, name, laestab, phase FROM schools", &st))
		return -1;
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
	if (reg_prepare(store, "SELECT EXISTS (SELECT 1 FROM half_terms)", &st))
		return -1;
	int rc = sqlite3_step(st), has = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (has < 0)
		reg_fail_db(store, "cannot read half_terms");
	return has;
}
