/*
 * The calendar as schools have it: a term-dates file as local authorities
 * publish them (a name, a start and an end date per term or half term) and a
 * closures file (INSET days, bank holidays: a date or a range and a reason).
 * Their columns are renamed onto the calendar importer's, which does the rest.
 */
#include "runtime/register/store_impl.h"

#include <string.h>

static const char *const term_names[] = { "term", "half term", "half_term", "term name", NULL };
static const char *const reason_names[] = { "reason", "closure", "description", NULL };
static const char *const start_names[] = { "start", "start date", "starts", "first day", NULL };
static const char *const date_names[] = { "date", "start", "start date", "first day", NULL };
static const char *const end_names[] = { "end", "end date", "ends", "last day", NULL };

static int
one_of(const char *s, const char *const *names)
{
	for (; *names; names++)
		if (strcmp(s, *names) == 0)
			return 1;
	return 0;
}

/* The field index of the first header column in names, or -1. */
static long
find(const struct reg_importer *imp, const char *const *names)
{
	for (size_t i = 0; i < imp->nheader; i++)
		if (one_of(imp->csv.field[i].s, names))
			return (long)i;
	return -1;
}

static void
rename_all(struct reg_importer *imp, const char *const *names, const char *to)
{
	for (size_t i = 0; i < imp->nheader; i++)
		if (one_of(imp->csv.field[i].s, names)) {
			imp->csv.field[i].s = (char *)to;   /* the header is only read from now on */
			imp->csv.field[i].len = strlen(to);
		}
}

const char *
reg_import_calendar_kind(struct reg_importer *imp)
{
	if (find(imp, (const char *const[]){ "kind", "upn", NULL }) >= 0)
		return NULL;
	if (find(imp, term_names) >= 0 && find(imp, start_names) >= 0) {
		rename_all(imp, term_names, "name");
		rename_all(imp, start_names, "start");
		rename_all(imp, end_names, "end");
		return "half_term";
	}
	if (find(imp, reason_names) >= 0 && find(imp, date_names) >= 0) {
		rename_all(imp, reason_names, "name");
		rename_all(imp, date_names, "start");
		rename_all(imp, end_names, "end");
		return "closure";
	}
	return NULL;
}

int
reg_import_term_dates(struct reg_importer *imp)
{
	return reg_import_calendar_as(imp, "half_term");
}

int
reg_import_closures(struct reg_importer *imp)
{
	return reg_import_calendar_as(imp, "closure");
}
