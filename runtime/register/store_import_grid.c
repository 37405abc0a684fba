/*
 * The wide register grid a school system prints: one row per pupil, one
 * column per date ("09/09/2024": two characters a day, AM then PM, as the
 * MIS prints "/\") or per date and session ("09/09/2024 AM": one code).
 * Names and summary columns are ignored by name; every mark goes to the
 * marks writer as if it had its own row.
 */
#include "runtime/register/store_impl.h"

#include <stdlib.h>
#include <string.h>

/* Columns a grid may have besides the UPN and the dates: names, groups and totals. */
static const char *const ignored[] = {
	"-", "surname", "forename", "name", "legal surname", "legal forename", "preferred surname",
	"preferred forename", "adno", "admission number", "dob", "date of birth", "gender", "sex", "year",
	"year group", "reg group", "registration group", "form", "tutor group", "possible", "present", "attended",
	"aea", "authorised", "unauthorised", "late", "attendance", "attendance %", "% attendance", "absence %",
	"unexplained", "sessions possible", "sessions attended", "total",
};

enum { NOT_A_DATE = -2, WHOLE_DAY = 2 };

/* A date column: its date and AM (0), PM (1) or WHOLE_DAY; NOT_A_DATE otherwise. */
static int
date_column(const struct reg_importer *imp, const char *name, rt_date *d)
{
	size_t len = strlen(name);
	int session = WHOLE_DAY;
	if (len > 3 && name[len - 3] == ' ' && name[len - 1] == 'm' && (name[len - 2] == 'a' || name[len - 2] == 'p')) {
		session = name[len - 2] == 'p';
		len -= 3;
	}
	const char *want = imp->opt->date_format;
	if ((!want || strcmp(want, "dd/mm/yyyy") != 0) && rt_date_parse(name, len, d) == 0)
		return session;
	if ((!want || strcmp(want, "yyyy-mm-dd") != 0) && rt_date_parse_dmy(name, len, d) == 0)
		return session;
	return NOT_A_DATE;
}

int
reg_import_is_grid(const struct reg_importer *imp)
{
	rt_date d;
	for (size_t i = 0; i < imp->nheader; i++)
		if (date_column(imp, imp->csv.field[i].s, &d) != NOT_A_DATE)
			return 1;
	return 0;
}

struct grid {
	size_t upn;               /* field index of the UPN */
	rt_date *date;            /* per field */
	int *session;             /* per field: 0, 1, WHOLE_DAY, or NOT_A_DATE (ignored) */
};

static int
read_columns(struct reg_importer *imp, struct grid *g)
{
	long errors = imp->errors;
	g->upn = SIZE_MAX;
	for (size_t i = 0; i < imp->nheader; i++) {
		const char *h = imp->csv.field[i].s;
		g->session[i] = date_column(imp, h, &g->date[i]);
		if (g->session[i] != NOT_A_DATE)
			continue;
		if (strcmp(h, "upn") == 0) {
			g->upn = i;
			continue;
		}
		size_t k = 0;
		while (k < sizeof ignored / sizeof ignored[0] && strcmp(h, ignored[k]) != 0)
			k++;
		if (k == sizeof ignored / sizeof ignored[0])
			reg_import_problem(imp, imp->csv.line, "header", "unknown column \"%s\" in a register grid (map it with"
			                  " --columns \"%s=-\" to ignore it, or to upn)", imp->header[i], imp->header[i]);
	}
	if (g->upn == SIZE_MAX)
		reg_import_problem(imp, imp->csv.line, "header", "missing column \"upn\" (map yours with --columns \"UPN"
		                  " column=upn\")");
	return imp->errors == errors ? 0 : -1;
}

static void
add(struct reg_importer *imp, struct reg_marks *m, const struct grid *g, size_t i, int pm, const char *code,
    size_t len)
{
	const struct reg_csv_field *u = &imp->csv.field[g->upn];
	struct reg_mark_in in = { imp->csv.line, imp->header[g->upn], imp->header[i], u->s, u->len, g->date[i], pm,
		                  code, len, -1, "", 0 };
	reg_marks_add(m, &in);
}

/* One cell: "" no mark; a whole day is two characters ("/\", "N-"; "-" or a
 * space is no mark for that session); a session column holds one code. */
static void
cell(struct reg_importer *imp, struct reg_marks *m, const struct grid *g, size_t i)
{
	const struct reg_csv_field *f = &imp->csv.field[i];
	if (!f->len)
		return;
	if (g->session[i] != WHOLE_DAY) {
		if (!(f->len == 1 && f->s[0] == '-'))
			add(imp, m, g, i, g->session[i], f->s, f->len);
		return;
	}
	if (f->len != 2) {
		reg_import_problem(imp, imp->csv.line, imp->header[i], "\"%s\" is not two characters, AM then PM (for"
		                  " codes longer than one character, export a column per session)", f->s);
		return;
	}
	for (int pm = 0; pm < 2; pm++) {
		char code[2] = { f->s[pm], 0 };
		if (code[0] != '-' && code[0] != ' ')
			add(imp, m, g, i, pm, code, 1);
	}
}

int
reg_import_grid(struct reg_importer *imp)
{
	struct grid g = { 0 };
	g.date = calloc(imp->nheader, sizeof *g.date);
	g.session = calloc(imp->nheader, sizeof *g.session);
	struct reg_marks *m = NULL;
	int rc = -1;
	if (!g.date || !g.session)
		imp->failed = reg_fail(imp->store, "out of memory");
	else if (read_columns(imp, &g))
		rc = 0;
	else if (reg_marks_begin(imp, &m) == 0) {
		while (!imp->failed && reg_import_next(imp) == 1)
			for (size_t i = 0; i < imp->nheader; i++)
				if (g.session[i] != NOT_A_DATE)
					cell(imp, m, &g, i);
		rc = reg_marks_finish(m);
	}
	reg_marks_free(m);
	free(g.date);
	free(g.session);
	return rc;
}
