/*
 * Importing pupils. A pupils file adds the pupils it names and updates those
 * already in the register (by UPN); optional fields that are empty or
 * missing keep what is stored.
 */
#include "runtime/register/store_impl.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

enum { C_UPN, C_SURNAME, C_FORENAME, C_DOB, C_YEAR_GROUP, C_ADMITTED, C_LEFT, C__COUNT };
static const char *const columns[C__COUNT] = { "upn", "surname", "forename", "date_of_birth", "year_group",
	                                       "admitted", "left" };

/* UPNs seen so far in the file, with their lines. */
struct seen {
	char **upn;
	long *line;
	size_t n, cap;            /* cap is a power of two */
};

static uint64_t
hash_text(const char *s)
{
	uint64_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static long *
seen_slot(struct seen *t, const char *upn, int *found)
{
	size_t s = hash_text(upn) & (t->cap - 1);
	while (t->upn[s] && strcmp(t->upn[s], upn) != 0)
		s = (s + 1) & (t->cap - 1);
	*found = t->upn[s] != NULL;
	return &t->line[s];
}

/* The line on which upn was first seen, or 0 after recording it at `line`; -1 out of memory. */
static long
seen_add(struct seen *t, const char *upn, long line)
{
	if (2 * (t->n + 1) > t->cap) {
		struct seen g = { .cap = t->cap ? t->cap * 2 : 1024 };
		g.upn = calloc(g.cap, sizeof *g.upn);
		g.line = calloc(g.cap, sizeof *g.line);
		if (!g.upn || !g.line) {
			free(g.upn);
			free(g.line);
			return -1;
		}
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->upn[i])
				continue;
			int found;
			long *slot = seen_slot(&g, t->upn[i], &found);
			*slot = t->line[i];
			g.upn[slot - g.line] = t->upn[i];
		}
		g.n = t->n;
		free(t->upn);
		free(t->line);
		*t = g;
	}
	int found;
	long *slot = seen_slot(t, upn, &found);
	if (found)
		return *slot;
	char *copy = strdup(upn);
	if (!copy)
		return -1;
	t->upn[slot - t->line] = copy;
	*slot = line;
	t->n++;
	return 0;
}

static void
seen_free(struct seen *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->upn[i]);
	free(t->upn);
	free(t->line);
}

static int
check_date(struct reg_importer *imp, long line, int col, const char *s, size_t len, rt_date *out)
{
	if (!len)
		return 0;
	if (reg_import_date(imp, line, columns[col], s, len, out))
		return -1;
	return 1;
}

static void
import_row(struct reg_importer *imp, struct seen *seen, sqlite3_stmt *const upsert[2])
{
	long line = imp->csv.line;
	size_t len[C__COUNT];
	const char *f[C__COUNT];
	for (int c = 0; c < C__COUNT; c++)
		f[c] = reg_import_field(imp, (size_t)c, &len[c]);

	if (!len[C_UPN])
		reg_import_problem(imp, line, "upn", "missing");
	else if (len[C_UPN] > 32 || strpbrk(f[C_UPN], " \t\r\n"))
		reg_import_problem(imp, line, "upn", "\"%s\" is not a UPN (at most 32 characters, no spaces)", f[C_UPN]);
	else {
		long first = seen_add(seen, f[C_UPN], line);
		if (first < 0) {
			imp->failed = reg_fail(imp->store, "out of memory");
			return;
		}
		if (first > 0)
			reg_import_problem(imp, line, "upn", "pupil %s appears twice (first on line %ld)", f[C_UPN], first);
	}
	if (!len[C_SURNAME])
		reg_import_problem(imp, line, "surname", "missing");
	if (!len[C_FORENAME])
		reg_import_problem(imp, line, "forename", "missing");
	rt_date dob, admitted = 0, left = 0;
	check_date(imp, line, C_DOB, f[C_DOB], len[C_DOB], &dob);
	int have_admitted = check_date(imp, line, C_ADMITTED, f[C_ADMITTED], len[C_ADMITTED], &admitted);
	int have_left = check_date(imp, line, C_LEFT, f[C_LEFT], len[C_LEFT], &left);
	if (have_admitted == 1 && have_left == 1 && left < admitted)
		reg_import_problem(imp, line, "left", "%s is before the admission date %s", f[C_LEFT], f[C_ADMITTED]);
	int year_group = RT_NO_YEAR;
	if (len[C_YEAR_GROUP] && rt_year_parse(f[C_YEAR_GROUP], len[C_YEAR_GROUP], &year_group))
		reg_import_problem(imp, line, "year_group", "\"%s\" is not a year group (N1, N2, R, or 0 to 14)",
		                  f[C_YEAR_GROUP]);
	if (imp->errors)
		return;              /* nothing more is written once the file has a problem */
	/* An update, then an insert when there was no such pupil: the register
	 * refuses any insert that meets an existing pupil, upserts included. */
	int rc = SQLITE_DONE;
	for (int k = 0; k < 2 && rc == SQLITE_DONE; k++) {
		sqlite3_stmt *st = upsert[k];
		sqlite3_bind_text(st, 1, f[C_UPN], (int)len[C_UPN], SQLITE_STATIC);
		sqlite3_bind_text(st, 2, f[C_SURNAME], (int)len[C_SURNAME], SQLITE_STATIC);
		sqlite3_bind_text(st, 3, f[C_FORENAME], (int)len[C_FORENAME], SQLITE_STATIC);
		reg_bind_optional(st, 4, f[C_DOB], len[C_DOB]);
		if (year_group != RT_NO_YEAR)
			sqlite3_bind_int(st, 5, year_group);
		else
			sqlite3_bind_null(st, 5);
		reg_bind_optional(st, 6, f[C_ADMITTED], len[C_ADMITTED]);
		reg_bind_optional(st, 7, f[C_LEFT], len[C_LEFT]);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (k == 0 && rc == SQLITE_DONE && sqlite3_changes(imp->store->db) > 0)
			break;
	}
	if (rc != SQLITE_DONE)
		imp->failed = reg_fail_db(imp->store, "cannot write pupils");
	else
		imp->rows++;
}

int
reg_import_pupils(struct reg_importer *imp)
{
	if (reg_import_columns(imp, columns, C__COUNT, 3))
		return 0;
	sqlite3_stmt *upsert[2] = { NULL, NULL };
	if (reg_prepare_scoped(imp->store,
	                     "UPDATE pupils SET surname = ?2, forename = ?3,"
	                     " date_of_birth = coalesce(?4, date_of_birth), year_group = coalesce(?5, year_group),"
	                     " admitted = coalesce(?6, admitted), left = coalesce(?7, left)"
	                     " WHERE upn = ?1 AND school = :school",
	                     &upsert[0]) ||
	    reg_prepare_scoped(imp->store,
	                     "INSERT INTO pupils (upn, surname, forename, date_of_birth, year_group, admitted, left, school)"
	                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, :school)", &upsert[1])) {
		sqlite3_finalize(upsert[0]);
		return imp->failed = -1;
	}
	struct seen seen = { 0 };
	while (!imp->failed && reg_import_next(imp) == 1)
		import_row(imp, &seen, upsert);
	sqlite3_finalize(upsert[0]);
	sqlite3_finalize(upsert[1]);
	seen_free(&seen);
	return imp->failed ? -1 : 0;
}
