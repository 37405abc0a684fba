/*
 * Importing the calendar: half terms (numbered by their order within their
 * school year, together with those already stored) and closures (a date
 * range, one session or both, with a reason). Any change rebuilds every
 * pupil_marks blob in the same transaction, since school day indexes move.
 */
#include "runtime/register/store_impl.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

enum { C_KIND, C_START, C_END, C_SESSION, C_NAME, C__COUNT };
static const char *const columns[C__COUNT] = { "kind", "start", "end", "session", "name" };

struct half_term {
	rt_date start, end;
	int year;
	long line;                /* 0 when already in the register */
	char *name;
};

struct closure {
	rt_date date;
	int pm;
	long line;
	char *reason;
};

struct calendar_import {
	struct reg_importer *imp;
	const char *kind;         /* every row's kind (a term-dates or closures file), or NULL: a kind column */
	struct half_term *terms;
	size_t nterms, cap_terms;
	struct closure *closures;
	size_t nclosures, cap_closures;
};

static int
grow(struct reg_importer *imp, void **array, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 32;
	void *n = realloc(*array, ncap * elem);
	if (!n)
		return imp->failed = reg_fail(imp->store, "out of memory");
	*array = n;
	*cap = ncap;
	return 0;
}

static int
add_term(struct calendar_import *ci, rt_date start, rt_date end, long line, const char *name)
{
	if (grow(ci->imp, (void **)&ci->terms, &ci->cap_terms, ci->nterms + 1, sizeof *ci->terms))
		return -1;
	char *copy = name && *name ? strdup(name) : NULL;
	ci->terms[ci->nterms++] = (struct half_term){ start, end, rt_date_school_year(start), line, copy };
	return 0;
}

static int
add_closure(struct calendar_import *ci, rt_date date, int pm, long line, const char *reason)
{
	if (grow(ci->imp, (void **)&ci->closures, &ci->cap_closures, ci->nclosures + 1, sizeof *ci->closures))
		return -1;
	char *copy = strdup(reason);
	if (!copy)
		return ci->imp->failed = reg_fail(ci->imp->store, "out of memory");
	ci->closures[ci->nclosures++] = (struct closure){ date, pm, line, copy };
	return 0;
}

static int
read_stored_terms(struct calendar_import *ci)
{
	sqlite3_stmt *st;
	if (reg_prepare_scoped(ci->imp->store, "SELECT start, end, name FROM half_terms WHERE school = :school", &st))
		return ci->imp->failed = -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0), *e = (const char *)sqlite3_column_text(st, 1);
		rt_date start, end;
		if (!s || !e || rt_date_parse(s, strlen(s), &start) || rt_date_parse(e, strlen(e), &end)) {
			sqlite3_finalize(st);
			return ci->imp->failed = reg_fail(ci->imp->store, "%s: half_terms holds a bad date",
			                                       ci->imp->store->path);
		}
		if (add_term(ci, start, end, 0, (const char *)sqlite3_column_text(st, 2))) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ci->imp->failed = reg_fail_db(ci->imp->store, "cannot read half terms");
	return 0;
}

/* A term-dates row that names a holiday rather than a term. */
static int
holiday_name(const char *name)
{
	return strcasestr(name, "holiday") || strcasestr(name, "half term") || strcasestr(name, "half-term");
}

static void
read_row(struct calendar_import *ci)
{
	struct reg_importer *imp = ci->imp;
	long line = imp->csv.line, errors = imp->errors;
	size_t len[C__COUNT];
	const char *f[C__COUNT];
	for (int c = 0; c < C__COUNT; c++)
		f[c] = reg_import_field(imp, (size_t)c, &len[c]);
	if (ci->kind)
		f[C_KIND] = ci->kind;
	if (ci->kind && strcmp(ci->kind, "half_term") == 0 && holiday_name(f[C_NAME])) {
		reg_import_problem(imp, line, "term", "\"%s\" names a holiday: list the terms or half terms the school"
		                  " teaches (the holidays are the gaps between them)", f[C_NAME]);
		return;
	}
	int is_term = strcmp(f[C_KIND], "half_term") == 0, is_closure = strcmp(f[C_KIND], "closure") == 0;
	if (!is_term && !is_closure)
		reg_import_problem(imp, line, "kind", "\"%s\" is not half_term or closure", f[C_KIND]);
	rt_date start = 0, end = 0;
	int have_start = 0, have_end = 0;
	if (!len[C_START])
		reg_import_problem(imp, line, "start", "missing");
	else if (reg_import_date(imp, line, "start", f[C_START], len[C_START], &start) == 0)
		have_start = 1;
	if (!len[C_END] && is_closure && have_start)
		end = start, have_end = 1;   /* a one-day closure */
	else if (!len[C_END])
		reg_import_problem(imp, line, "end", "missing");
	else if (reg_import_date(imp, line, "end", f[C_END], len[C_END], &end) == 0)
		have_end = 1;
	if (have_start && have_end && end < start)
		reg_import_problem(imp, line, "end", "%s is before the start %s", f[C_END], f[C_START]);
	int sessions = RT_OPEN_AM | RT_OPEN_PM;
	if (len[C_SESSION] && is_term)
		reg_import_problem(imp, line, "session", "a half term has no session; leave it empty");
	else if (len[C_SESSION] && strcmp(f[C_SESSION], "AM") == 0)
		sessions = RT_OPEN_AM;
	else if (len[C_SESSION] && strcmp(f[C_SESSION], "PM") == 0)
		sessions = RT_OPEN_PM;
	else if (len[C_SESSION])
		reg_import_problem(imp, line, "session", "\"%s\" is not AM, PM or empty (both)", f[C_SESSION]);
	if (imp->errors != errors)
		return;
	/* A half term or a closure lies within one school year: this also bounds
	 * the sessions one closure row can close. */
	if (rt_date_school_year(start) != rt_date_school_year(end)) {
		reg_import_problem(imp, line, "end", "%s is in a later school year than %s (years start on 1 August)",
		                  f[C_END], f[C_START]);
		return;
	}
	if (is_term) {
		add_term(ci, start, end, line, f[C_NAME]);
		return;
	}
	int weekdays = 0;
	for (rt_date d = start; d <= end && !imp->failed; d++) {
		if (rt_date_weekday(d) >= 5)
			continue;
		weekdays++;
		for (int pm = 0; pm < 2; pm++)
			if (sessions & (pm ? RT_OPEN_PM : RT_OPEN_AM))
				add_closure(ci, d, pm, line, len[C_NAME] ? f[C_NAME] : "closure");
	}
	if (!weekdays)
		reg_import_problem(imp, line, "start", "%s to %s has no weekday to close", f[C_START], f[C_END]);
}

static int
compare_terms(const void *a, const void *b)
{
	const struct half_term *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Orders and numbers half terms per school year; reports overlaps and too many. */
static void
check_terms(struct calendar_import *ci)
{
	struct reg_importer *imp = ci->imp;
	if (ci->nterms)
		qsort(ci->terms, ci->nterms, sizeof *ci->terms, compare_terms);
	int number = 0;
	for (size_t i = 0; i < ci->nterms; i++) {
		struct half_term *t = &ci->terms[i], *prev = i ? &ci->terms[i - 1] : NULL;
		number = prev && prev->year == t->year ? number + 1 : 1;
		if (prev && t->start <= prev->end) {
			struct half_term *new = t->line ? t : prev, *old = t->line ? prev : t;
			char a[11], b[11];
			rt_date_format(old->start, a);
			rt_date_format(old->end, b);
			if (old->line)
				reg_import_problem(imp, new->line, "start", "this half term overlaps the one on line %ld (%s to %s)",
				                  old->line, a, b);
			else
				reg_import_problem(imp, new->line, "start",
				                  "this half term overlaps one already in the register (%s to %s)", a, b);
		}
		/* Half terms are numbered by their order in the year, so the year must
		 * start at the beginning: a register holding only the summer would
		 * otherwise call it half terms 1 and 2 (and policies that depend on the
		 * number, such as a schedule by half term, would use the wrong values). */
		if (number == 1 && t->line && rt_date_from_ymd(t->year, 11, 1) <= t->start) {
			char a[11];
			rt_date_format(t->start, a);
			reg_import_problem(imp, t->line, "start",
			                  "the first half term of school year %d-%02d starts on %s; half terms are numbered "
			                  "by their order in the year, so give the year's half terms from its first one",
			                  t->year, (t->year + 1) % 100, a);
		}
		if (number == RT_MAX_HALF_TERMS + 1)
			reg_import_problem(imp, t->line, "start", "school year %d-%02d would have more than %d half terms",
			                  t->year, (t->year + 1) % 100, RT_MAX_HALF_TERMS);
	}
}

/* For each closure, how many pupils have a mark other than "#" in that session,
 * read from the compact copies (a scan of marks would read every mark). */
static int
count_marked(struct calendar_import *ci, long *count)
{
	struct reg_importer *imp = ci->imp;
	struct reg_calendar cal;
	struct reg_codebook *book = malloc(sizeof *book);
	if (!book)
		return imp->failed = reg_fail(imp->store, "out of memory");
	if (reg_calendar_read(imp->store, &cal)) {
		free(book);
		return imp->failed = -1;
	}
	sqlite3_stmt *st = NULL;
	long *slot = calloc(ci->nclosures + 1, sizeof *slot);
	if (!slot)
		imp->failed = reg_fail(imp->store, "out of memory");
	else if (reg_codebook_load(imp->store, book) ||
	         reg_prepare_scoped(imp->store, "SELECT marks FROM pupil_marks"
	                                        " WHERE pupil_id IN (SELECT id FROM pupils WHERE school = :school)", &st))
		imp->failed = -1;
	if (!imp->failed) {
		int closed_code = reg_codebook_find(book, "#", 1);
		for (size_t i = 0; i < ci->nclosures; i++) {
			long day = reg_calendar_day(&cal, ci->closures[i].date);
			slot[i] = day < 0 ? -1 : 2 * day + ci->closures[i].pm;
		}
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const uint8_t *blob = sqlite3_column_blob(st, 0);
			long n = sqlite3_column_bytes(st, 0);
			for (size_t i = 0; i < ci->nclosures; i++)
				if (slot[i] >= 0 && slot[i] < n && blob[slot[i]] && blob[slot[i]] != closed_code)
					count[i]++;
		}
		if (rc != SQLITE_DONE)
			imp->failed = reg_fail_db(imp->store, "cannot read pupil_marks");
	}
	sqlite3_finalize(st);
	free(slot);
	free(book);
	reg_calendar_free(&cal);
	return imp->failed ? -1 : 0;
}

static int
compare_closures(const void *a, const void *b)
{
	const struct closure *x = *(const struct closure *const *)a, *y = *(const struct closure *const *)b;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->pm != y->pm)
		return x->pm - y->pm;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Reports sessions closed twice in the file, each against its first line
 * (sorted, so that many closures take n log n, not n squared). */
static void
check_closed_twice(struct calendar_import *ci)
{
	struct reg_importer *imp = ci->imp;
	const struct closure **by_date = malloc((ci->nclosures + 1) * sizeof *by_date);
	if (!by_date) {
		imp->failed = reg_fail(imp->store, "out of memory");
		return;
	}
	for (size_t i = 0; i < ci->nclosures; i++)
		by_date[i] = &ci->closures[i];
	qsort(by_date, ci->nclosures, sizeof *by_date, compare_closures);
	for (size_t i = 1, first = 0; i < ci->nclosures; i++) {
		const struct closure *c = by_date[i];
		if (c->date != by_date[first]->date || c->pm != by_date[first]->pm) {
			first = i;
			continue;
		}
		char date[11];
		rt_date_format(c->date, date);
		reg_import_problem(imp, c->line, "start", "%s %s is already closed on line %ld", date, c->pm ? "PM" : "AM",
		                  by_date[first]->line);
	}
	free(by_date);
}

/* Reports closures given twice, already stored, or that would close sessions with marks. */
static int
check_closures(struct calendar_import *ci)
{
	struct reg_importer *imp = ci->imp;
	sqlite3_stmt *stored;
	long *marked = calloc(ci->nclosures + 1, sizeof *marked);
	if (!marked)
		return imp->failed = reg_fail(imp->store, "out of memory");
	if (count_marked(ci, marked) ||
	    reg_prepare_scoped(imp->store, "SELECT reason FROM closures WHERE date = ? AND session = ?"
	                                   " AND school = :school", &stored)) {
		free(marked);
		return imp->failed = -1;
	}
	for (size_t i = 0; i < ci->nclosures; i++) {
		const struct closure *c = &ci->closures[i];
		char date[11];
		rt_date_format(c->date, date);
		const char *session = c->pm ? "PM" : "AM";
		sqlite3_bind_text(stored, 1, date, 10, SQLITE_TRANSIENT);
		sqlite3_bind_text(stored, 2, session, 2, SQLITE_STATIC);
		if (sqlite3_step(stored) == SQLITE_ROW)
			reg_import_problem(imp, c->line, "start", "%s %s is already closed in the register (%s)", date, session,
			                  (const char *)sqlite3_column_text(stored, 0));
		sqlite3_reset(stored);
		if (marked[i])
			reg_import_problem(imp, c->line, "start",
			                  "%ld pupils already have a mark other than \"#\" on %s %s; amend those first",
			                  marked[i], date, session);
	}
	sqlite3_finalize(stored);
	free(marked);
	check_closed_twice(ci);
	return imp->failed ? -1 : 0;
}

static int
write_calendar(struct calendar_import *ci)
{
	struct reg_importer *imp = ci->imp;
	sqlite3_stmt *term, *closure;
	if (reg_exec_scoped(imp->store, "DELETE FROM half_terms WHERE school = :school") ||
	    reg_prepare_scoped(imp->store, "INSERT INTO half_terms (school_year, number, start, end, name, school)"
	                                 " VALUES (?, ?, ?, ?, ?, :school)", &term))
		return imp->failed = -1;
	if (reg_prepare_scoped(imp->store, "INSERT INTO closures (date, session, reason, school)"
	                                   " VALUES (?, ?, ?, :school)", &closure)) {
		sqlite3_finalize(term);
		return imp->failed = -1;
	}
	int number = 0, rc = SQLITE_DONE;
	for (size_t i = 0; i < ci->nterms && rc == SQLITE_DONE; i++) {
		const struct half_term *t = &ci->terms[i];
		number = i && ci->terms[i - 1].year == t->year ? number + 1 : 1;
		char start[11], end[11];
		rt_date_format(t->start, start);
		rt_date_format(t->end, end);
		sqlite3_bind_int(term, 1, t->year);
		sqlite3_bind_int(term, 2, number);
		sqlite3_bind_text(term, 3, start, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(term, 4, end, -1, SQLITE_TRANSIENT);
		if (t->name)
			sqlite3_bind_text(term, 5, t->name, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(term, 5);
		rc = sqlite3_step(term);
		sqlite3_reset(term);
		imp->rows += t->line != 0;
	}
	for (size_t i = 0; i < ci->nclosures && rc == SQLITE_DONE; i++) {
		const struct closure *c = &ci->closures[i];
		char date[11];
		rt_date_format(c->date, date);
		sqlite3_bind_text(closure, 1, date, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(closure, 2, c->pm ? "PM" : "AM", 2, SQLITE_STATIC);
		sqlite3_bind_text(closure, 3, c->reason, -1, SQLITE_STATIC);
		rc = sqlite3_step(closure);
		sqlite3_reset(closure);
		imp->rows++;
	}
	sqlite3_finalize(term);
	sqlite3_finalize(closure);
	if (rc != SQLITE_DONE)
		return imp->failed = reg_fail_db(imp->store, "cannot write the calendar");
	return reg_rebuild_blobs(imp->store) ? (imp->failed = -1) : 0;
}

int
reg_import_calendar(struct reg_importer *imp)
{
	return reg_import_calendar_as(imp, NULL);
}

/* The columns of a file whose rows are all of one kind: the kind column is not expected. */
static int
kind_columns(struct reg_importer *imp, const char *kind)
{
	static const char *const names[C__COUNT] = { "", "start", "end", "session", "name" };
	if (reg_import_columns(imp, names, C__COUNT, 0))
		return -1;
	if (imp->column_of[C_START] == SIZE_MAX)
		reg_import_problem(imp, imp->csv.line, "header", "missing column \"start\"");
	if (imp->column_of[C_END] == SIZE_MAX && strcmp(kind, "half_term") == 0)
		reg_import_problem(imp, imp->csv.line, "header", "missing column \"end\"");
	return imp->errors ? -1 : 0;
}

int
reg_import_calendar_as(struct reg_importer *imp, const char *kind)
{
	if (kind ? kind_columns(imp, kind) : reg_import_columns(imp, columns, C__COUNT, 3))
		return 0;
	struct calendar_import ci = { .imp = imp, .kind = kind };
	if (read_stored_terms(&ci) == 0) {
		while (!imp->failed && reg_import_next(imp) == 1)
			read_row(&ci);
		if (!imp->failed)
			check_terms(&ci);
		if (!imp->failed)
			check_closures(&ci);
		if (!imp->failed && !imp->errors)
			write_calendar(&ci);
	}
	for (size_t i = 0; i < ci.nterms; i++)
		free(ci.terms[i].name);
	for (size_t i = 0; i < ci.nclosures; i++)
		free(ci.closures[i].reason);
	free(ci.terms);
	free(ci.closures);
	return imp->failed ? -1 : 0;
}
