/*
 * A CTF attendance string: two characters a day from AttendanceStartDate, AM
 * then PM, "#" for no session. Only single characters whose meaning did not
 * change in 2024 are taken; in blocks from 2024/25 on, "J", "H", "Y" and
 * digits are refused, because how CTF 24/25 carries C1, J1, Y1-Y7 and sub-codes
 * could not be confirmed (docs/import.md). The file's totals are recomputed
 * from the marks and a disagreement is a warning, never a reason to change
 * the marks.
 */
#include "runtime/register/store_ctf.h"

#include <string.h>

enum { ATTENDED, AUTHORISED, UNAUTHORISED, NOT_POSSIBLE };

/* The statistical category of a code in a block of `year`, or -1 when it cannot be taken. */
static int
category(char c, int year)
{
	if (c && strchr("/\\LKVPWB", c))
		return ATTENDED;
	if (c && strchr("CEIMRST", c))
		return AUTHORISED;
	if (c && strchr("GNOU", c))
		return UNAUTHORISED;
	if (c && strchr("XZDQ#", c))
		return NOT_POSSIBLE;
	if (year <= 2023 && c == 'J')
		return ATTENDED;
	if (year <= 2023 && (c == 'H' || c == 'F'))
		return AUTHORISED;
	if (year <= 2023 && c == 'Y')
		return NOT_POSSIBLE;
	return -1;
}

static const char *
why_refused(char c)
{
	switch (c) {
	case 'J': return "in a block from 2024/25 on, \"J\" may be J1 (interview) cut to one character";
	case 'Y': return "in a block from 2024/25 on, \"Y\" stands for one of Y1 to Y7, which cannot be told apart";
	case 'H': return "\"H\" is not in use from 2024/25";
	default: return "not a one-character attendance code";
	}
}

/* Refuses a string that cannot be one pair per calendar day of its year. 0 or -1 (reported). */
static int
check_layout(struct reg_importer *imp, const struct reg_ctf_pupil *p, const struct reg_ctf_year *y, size_t len)
{
	long errors = imp->errors;
	if (y->year < 0)
		reg_import_problem(imp, y->line, "Year", "pupil %s: missing", p->upn);
	if (y->nsessions > 1)
		reg_import_problem(imp, y->line, "AttendSessions", "pupil %s: %d in one YearData; attend reads one"
		                  " (docs/import.md)", p->upn, y->nsessions);
	if (!y->have_start)
		reg_import_problem(imp, y->marks_line, "AttendanceStartDate", "pupil %s: missing", p->upn);
	if (len % 2)
		reg_import_problem(imp, y->marks_line, "AttendanceMarks", "pupil %s: %zu characters; two a day (AM then"
		                  " PM) make an even number", p->upn, len);
	if (imp->errors != errors)
		return -1;
	char date[11];
	rt_date_format(y->start, date);
	if (rt_date_school_year(y->start) != y->year) {
		reg_import_problem(imp, y->start_line, "AttendanceStartDate", "pupil %s: %s is not in %d/%02d, the"
		                  " block's Year", p->upn, date, y->year, (y->year + 1) % 100);
		return -1;
	}
	rt_date last = y->start + (rt_date)(len / 2) - 1;
	if (len && last > rt_date_from_ymd(y->year + 1, 8, 31)) {
		rt_date_format(last, date);
		reg_import_problem(imp, y->marks_line, "AttendanceMarks", "pupil %s: the marks run to %s, past"
		                  " 31 August %d: they are not one pair per calendar day", p->upn, date,
		                  y->year + 1);
		return -1;
	}
	return 0;
}

static void
warn_totals(struct reg_importer *imp, const struct reg_ctf_pupil *p, const struct reg_ctf_year *y,
            const long counted[4])
{
	static const char *const names[4] = { "SessionsPossible", "SessionsAttended", "SessionsAuthorised",
		                              "SessionsUnauthorised" };
	const long given[4] = { y->possible, y->attended, y->authorised, y->unauthorised };
	for (int i = 0; i < 4; i++) {
		if (given[i] < 0 || given[i] == counted[i])
			continue;
		imp->warnings++;
		if (imp->diag)
			fprintf(imp->diag, "%s:%ld: warning: %s: pupil %s (%s, %s), %d/%02d at %s/%s: the file says %ld,"
			        " the marks give %ld\n", imp->name, y->totals_line[i], names[i], p->upn, p->surname,
			        p->forename, y->year, (y->year + 1) % 100, y->lea, y->estab, given[i], counted[i]);
	}
}

void
reg_ctf_year_marks(struct reg_importer *imp, struct reg_marks *m, const struct reg_ctf_pupil *p,
                   const struct reg_ctf_year *y)
{
	if (!y->marks)
		return;                 /* totals only: nothing to import */
	size_t len = strlen(y->marks);
	if (check_layout(imp, p, y, len))
		return;
	long count[4] = { 0 };
	long errors = imp->errors;
	for (size_t k = 0; k < len; k++) {
		char c = y->marks[k], code[2] = { c, 0 };
		rt_date d = y->start + (rt_date)(k / 2);
		int pm = (int)(k % 2), cat = category(c, y->year);
		char date[11] = "";
		if (cat < 0 || (c != '#' && rt_date_weekday(d) >= 5))
			rt_date_format(d, date);   /* only for the message */
		if (cat < 0) {
			reg_import_problem(imp, y->marks_line, "AttendanceMarks", "pupil %s, %s %s (character %zu): \"%c\": %s;"
			                  " refused rather than guessed (docs/import.md)", p->upn, date, pm ? "PM" : "AM",
			                  k + 1, c, why_refused(c));
			continue;
		}
		if (c != '#' && rt_date_weekday(d) >= 5) {
			reg_import_problem(imp, y->marks_line, "AttendanceMarks", "pupil %s, %s %s (character %zu): \"%c\" on a"
			                  " weekend: the marks are not one pair per calendar day", p->upn, date,
			                  pm ? "PM" : "AM", k + 1, c);
			continue;
		}
		count[cat]++;
		if (c == '#')
			continue;       /* no session for this pupil: nothing to record */
		struct reg_mark_in in = { y->marks_line, "AttendanceMarks", "AttendanceMarks", p->upn, strlen(p->upn),
		                          d, pm, code, 1, -1, "", 0 };
		reg_marks_add(m, &in);
	}
	if (imp->errors == errors) {
		long counted[4] = { count[ATTENDED] + count[AUTHORISED] + count[UNAUTHORISED], count[ATTENDED],
			            count[AUTHORISED], count[UNAUTHORISED] };
		warn_totals(imp, p, y, counted);
	}
}
