/*
 * The header of a school system's export, before attend reads it: column
 * names mapped onto attend's (--columns), and a register kept by lesson
 * refused, since attend needs the two statutory session marks a day.
 */
#include "runtime/register/store_impl.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Trims spaces in place and lower-cases (header names are compared so). */
static char *
clean(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = 0;
	for (char *c = s; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return s;
}

/* Renames header field i when "FROM=TO" names it; 1 when it did. */
static int
apply_pair(struct reg_importer *imp, size_t i, char *pair)
{
	char *eq = strchr(pair, '=');
	if (!eq)
		return 0;
	*eq = 0;
	const char *from = clean(pair), *to = clean(eq + 1);
	int hit = strcmp(imp->csv.field[i].s, from) == 0;
	*eq = '=';
	if (!hit)
		return 0;
	char *copy = strdup(*to ? to : "-");
	if (!copy) {
		imp->failed = reg_fail(imp->store, "out of memory");
		return 1;
	}
	free(imp->renamed[i]);
	imp->renamed[i] = copy;
	imp->csv.field[i].s = copy;
	imp->csv.field[i].len = strlen(copy);
	return 1;
}

/* The mapping text: the option itself ("Mark=code,Date=date"), or the lines of
 * the file it names. NULL when it cannot be read (store error set). */
static char *
mapping_text(struct reg_importer *imp)
{
	const char *m = imp->opt->columns;
	if (strchr(m, '='))
		return strdup(m);
	size_t len;
	char *text = base_read_file(m, 1 << 16, &len);
	if (!text)
		reg_fail(imp->store, "cannot read the column mapping %s: %s", m, strerror(errno));
	return text;
}

int
reg_import_map_columns(struct reg_importer *imp)
{
	if (!imp->opt->columns)
		return 0;
	imp->renamed = calloc(imp->nheader, sizeof *imp->renamed);
	char *text = imp->renamed ? mapping_text(imp) : NULL;
	if (!text)
		return imp->failed = imp->renamed ? -1 : reg_fail(imp->store, "out of memory");
	for (size_t i = 0; i < imp->nheader && !imp->failed; i++) {
		char *save = NULL, *copy = strdup(text);
		if (!copy) {
			imp->failed = reg_fail(imp->store, "out of memory");
			break;
		}
		for (char *pair = strtok_r(copy, ",\n", &save); pair; pair = strtok_r(NULL, ",\n", &save))
			if (*pair != '#' && apply_pair(imp, i, pair))
				break;
		free(copy);
	}
	free(text);
	return imp->failed ? -1 : 0;
}

/* Columns that only a register kept by lesson has. */
static const char *const lesson_columns[] = { "period", "lesson", "class", "subject", "teacher", "room", "event",
	                                      "timetable" };

int
reg_import_refuse_lessons(struct reg_importer *imp)
{
	char found[256] = "";
	size_t n = 0;
	for (size_t i = 0; i < imp->nheader; i++)
		for (size_t k = 0; k < sizeof lesson_columns / sizeof lesson_columns[0]; k++)
			if (strcmp(imp->csv.field[i].s, lesson_columns[k]) == 0) {
				snprintf(found + strlen(found), sizeof found - strlen(found), "%s\"%s\"", n++ ? ", " : "",
				         imp->header[i]);
				break;
			}
	if (!n)
		return 0;
	reg_import_problem(imp, imp->csv.line, "header", "this register is kept by lesson (column%s %s), not by"
	                  " session: export the statutory AM and PM session marks instead (docs/import.md)",
	                  n == 1 ? "" : "s", found);
	return -1;
}
