/*
 * Importing a DfE Common Transfer File with libxml2's streaming reader
 * (xmlTextReader): one pupil at a time is held in memory, so a file of any
 * size imports in bounded memory. Each pupil (UPN, names, date of birth,
 * BasicDetails/NCyearActual) is added or updated, then every YearData's
 * attendance string goes to the marks writer; all in the caller's transaction.
 */
#include "runtime/register/store_ctf.h"

#include <libxml/xmlreader.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16

struct ctf {
	struct reg_importer *imp;
	xmlTextReaderPtr reader;
	struct reg_marks *marks;
	sqlite3_stmt *update, *insert;   /* the register refuses an insert that meets a pupil, upserts included */
	const char *path[MAX_DEPTH];  /* element names from the root (static strings from the reader's dictionary) */
	int depth;
	int in_pupil;
	struct reg_ctf_pupil pupil;
	long pupils;
};

static int
named(const struct ctf *c, int level, const char *name)
{
	return level >= 0 && level < c->depth && c->path[level] && strcmp(c->path[level], name) == 0;
}

/* Copies text into a fixed field, reporting text too long for it. */
static void
copy_field(struct ctf *c, char *dst, size_t size, const char *field, const char *text, long line)
{
	if (strlen(text) >= size) {
		reg_import_problem(c->imp, line, field, "\"%.40s...\" is longer than %zu characters", text, size - 1);
		return;
	}
	strcpy(dst, text);
}

static long
number(struct ctf *c, const char *field, const char *text, long line)
{
	char *end;
	long v = strtol(text, &end, 10);
	if (end == text || *end || v < 0) {
		reg_import_problem(c->imp, line, field, "\"%s\" is not a number of sessions", text);
		return -1;
	}
	return v;
}

static void
year_text(struct ctf *c, struct reg_ctf_year *y, const char *name, const char *text, long line)
{
	struct reg_importer *imp = c->imp;
	if (strcmp(name, "Year") == 0) {
		char *end;
		long v = strtol(text, &end, 10);
		if (end == text || *end || v < 1990 || v > 2100)
			reg_import_problem(imp, line, "Year", "\"%s\" is not a year", text);
		else
			y->year = (int)v;
	} else if (strcmp(name, "LEA") == 0)
		copy_field(c, y->lea, sizeof y->lea, "LEA", text, line);
	else if (strcmp(name, "Estab") == 0)
		copy_field(c, y->estab, sizeof y->estab, "Estab", text, line);
	else if (strcmp(name, "SessionsPossible") == 0)
		y->possible = number(c, name, text, y->totals_line[0] = line);
	else if (strcmp(name, "SessionsAttended") == 0)
		y->attended = number(c, name, text, y->totals_line[1] = line);
	else if (strcmp(name, "SessionsAuthorised") == 0)
		y->authorised = number(c, name, text, y->totals_line[2] = line);
	else if (strcmp(name, "SessionsUnauthorised") == 0)
		y->unauthorised = number(c, name, text, y->totals_line[3] = line);
}

static void
sessions_text(struct ctf *c, struct reg_ctf_year *y, const char *name, const char *text, long line)
{
	if (strcmp(name, "AttendanceStartDate") == 0) {
		y->start_line = line;
		if (rt_date_parse(text, strlen(text), &y->start))
			reg_import_problem(c->imp, line, name, "%s is not a date (YYYY-MM-DD)", text);
		else
			y->have_start = 1;
	} else if (strcmp(name, "AttendanceMarks") == 0 && !y->marks) {
		y->marks_line = line;
		if (!(y->marks = strdup(text)))
			c->imp->failed = reg_fail(c->imp->store, "out of memory");
	}
}

/* Text inside an element: placed by the element path under Pupil. */
static void
on_text(struct ctf *c, const char *text, long line)
{
	struct reg_ctf_pupil *p = &c->pupil;
	/* Deeper than the path keeps (fuzzing found 17 levels): no field attend reads is there. */
	if (!c->in_pupil || c->depth < 4 || c->depth > MAX_DEPTH)
		return;
	const char *name = c->path[c->depth - 1];
	/* CTfile/CTFpupilData/Pupil/X */
	if (c->depth == 4) {
		if (strcmp(name, "UPN") == 0)
			copy_field(c, p->upn, sizeof p->upn, "UPN", text, line);
		else if (strcmp(name, "Surname") == 0)
			copy_field(c, p->surname, sizeof p->surname, "Surname", text, line);
		else if (strcmp(name, "Forename") == 0)
			copy_field(c, p->forename, sizeof p->forename, "Forename", text, line);
		else if (strcmp(name, "DOB") == 0)
			copy_field(c, p->dob, sizeof p->dob, "DOB", text, line);
	} else if (c->depth == 5 && named(c, 3, "BasicDetails") && strcmp(name, "NCyearActual") == 0) {
		copy_field(c, p->year_group, sizeof p->year_group, "NCyearActual", text, line);
	} else if (p->nyears > 0 && named(c, 3, "Attendance") && named(c, 4, "YearData")) {
		struct reg_ctf_year *y = &p->years[p->nyears - 1];
		if (c->depth == 6)
			year_text(c, y, name, text, line);
		else if (c->depth == 7 && named(c, 5, "AttendSessions"))
			sessions_text(c, y, name, text, line);
	}
}

static void
xml_error(void *arg, const char *msg, xmlParserSeverities severity, xmlTextReaderLocatorPtr locator)
{
	struct ctf *c = arg;
	if (severity == XML_PARSER_SEVERITY_WARNING || severity == XML_PARSER_SEVERITY_VALIDITY_WARNING)
		return;
	char text[256];
	snprintf(text, sizeof text, "%s", msg ? msg : "malformed XML");
	size_t n = strlen(text);
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = 0;
	reg_import_problem(c->imp, xmlTextReaderLocatorLineNumber(locator), "xml", "%s", text);
}

/* NCyearActual: N1, N2, R, 1 to 14 (and X, not following the National Curriculum: none). */
static int
year_group(const char *s)
{
	int y;
	return rt_year_parse(s, strlen(s), &y) == 0 ? y : RT_NO_YEAR;
}

/* Adds or updates the pupil; its id, or 0 (reported). */
static int64_t
save_pupil(struct ctf *c)
{
	const struct reg_ctf_pupil *p = &c->pupil;
	struct reg_importer *imp = c->imp;
	rt_date dob;
	int has_dob = p->dob[0] && rt_date_parse(p->dob, strlen(p->dob), &dob) == 0;
	if (p->dob[0] && !has_dob)
		reg_import_problem(imp, p->line, "DOB", "pupil %s: %s is not a date (YYYY-MM-DD)", p->upn, p->dob);
	if (!p->surname[0])
		reg_import_problem(imp, p->line, "Surname", "pupil %s: missing", p->upn);
	int yg = year_group(p->year_group);
	int64_t id = 0;
	reg_marks_hold(c->marks);
	for (int k = 0; k < 2 && !id; k++) {
		sqlite3_stmt *st = k ? c->insert : c->update;
		sqlite3_bind_text(st, 1, p->upn, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, p->surname, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, p->forename, -1, SQLITE_STATIC);
		if (has_dob)
			sqlite3_bind_text(st, 4, p->dob, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 4);
		if (yg != RT_NO_YEAR)
			sqlite3_bind_int(st, 5, yg);
		else
			sqlite3_bind_null(st, 5);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
		else if (rc != SQLITE_DONE)
			k = 2;
		sqlite3_reset(st);
	}
	if (!id)
		imp->failed = reg_fail_db(imp->store, "cannot write pupils");
	reg_marks_release(c->marks);
	return id;
}

static void
finish_pupil(struct ctf *c)
{
	struct reg_ctf_pupil *p = &c->pupil;
	c->in_pupil = 0;
	if (!p->upn[0])
		reg_import_problem(c->imp, p->line, "UPN", "a pupil without a UPN");
	else {
		int64_t id = save_pupil(c);
		if (id && reg_marks_pupil(c->marks, id, p->upn) == 0) {
			c->pupils++;
			for (int i = 0; i < p->nyears && !c->imp->failed; i++)
				reg_ctf_year_marks(c->imp, c->marks, p, &p->years[i]);
		}
	}
	for (int i = 0; i < p->nyears; i++)
		free(p->years[i].marks);
	p->nyears = 0;
}

static void
start_pupil(struct ctf *c, long line)
{
	memset(&c->pupil, 0, sizeof c->pupil);
	c->pupil.line = line;
	c->in_pupil = 1;
}

static void
start_year(struct ctf *c, long line)
{
	struct reg_ctf_pupil *p = &c->pupil;
	if (p->nyears == REG_CTF_MAX_YEARS) {
		reg_import_problem(c->imp, line, "YearData", "pupil %s: more than %d", p->upn, REG_CTF_MAX_YEARS);
		return;
	}
	struct reg_ctf_year *y = &p->years[p->nyears++];
	*y = (struct reg_ctf_year){ .line = line, .year = -1, .possible = -1, .attended = -1, .authorised = -1,
		                    .unauthorised = -1 };
}

static void
on_element(struct ctf *c, const char *name, long line)
{
	int d = c->depth;
	if (d == 0 && strcmp(name, "CTfile") != 0)
		reg_import_problem(c->imp, line, "xml", "not a Common Transfer File: the root element is <%s>, not <CTfile>",
		                  name);
	else if (d == 2 && named(c, 1, "Header") && strcasecmp(name, "CTFversion") == 0 &&
	         strcmp(name, "CTFversion") != 0)
		reg_import_problem(c->imp, line, name, "the CTF element is spelt <CTFversion>");
	else if (d == 2 && named(c, 1, "CTFpupilData") && strcmp(name, "Pupil") == 0)
		start_pupil(c, line);
	else if (d == 4 && c->in_pupil && named(c, 3, "Attendance") && strcmp(name, "YearData") == 0)
		start_year(c, line);
	else if (d == 5 && c->in_pupil && named(c, 4, "YearData") && strcmp(name, "AttendSessions") == 0 &&
	         c->pupil.nyears > 0)
		c->pupil.years[c->pupil.nyears - 1].nsessions++;
}

/* One node of the document. */
static void
on_node(struct ctf *c)
{
	xmlTextReaderPtr r = c->reader;
	int type = xmlTextReaderNodeType(r);
	xmlNodePtr node = xmlTextReaderCurrentNode(r);
	long line = node ? xmlGetLineNo(node) : xmlTextReaderGetParserLineNumber(r);
	if (type == XML_READER_TYPE_ELEMENT) {
		const char *name = (const char *)xmlTextReaderConstName(r);
		on_element(c, name, line);
		if (xmlTextReaderIsEmptyElement(r))
			return;
		if (c->depth < MAX_DEPTH)
			c->path[c->depth] = name;
		c->depth++;
	} else if (type == XML_READER_TYPE_END_ELEMENT) {
		c->depth--;
		if (c->depth == 2 && c->in_pupil && strcmp(c->path[2], "Pupil") == 0)
			finish_pupil(c);
	} else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) {
		const char *v = (const char *)xmlTextReaderConstValue(r);
		while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
			v++;
		char text[1024];
		size_t n = strlen(v);
		if (n >= sizeof text) {
			char *big = strdup(v);
			if (!big) {
				c->imp->failed = reg_fail(c->imp->store, "out of memory");
				return;
			}
			while (n && strchr(" \t\r\n", big[n - 1]))
				big[--n] = 0;
			on_text(c, big, line);
			free(big);
			return;
		}
		memcpy(text, v, n + 1);
		while (n && strchr(" \t\r\n", text[n - 1]))
			text[--n] = 0;
		on_text(c, text, line);
	}
}

int
reg_import_ctf(struct reg_importer *imp)
{
	struct ctf c = { .imp = imp };
	int rc = -1;
	if (reg_marks_begin(imp, &c.marks) ||
	    reg_prepare_scoped(imp->store,
	                "UPDATE pupils SET surname = ?2, forename = ?3, date_of_birth = coalesce(?4, date_of_birth),"
	                " year_group = coalesce(?5, year_group) WHERE upn = ?1 AND school = :school RETURNING id",
	                &c.update) ||
	    reg_prepare_scoped(imp->store,
	                "INSERT INTO pupils (upn, surname, forename, date_of_birth, year_group, school)"
	                " VALUES (?1, ?2, ?3, ?4, ?5, :school) RETURNING id", &c.insert))
		goto done;
	/* No network and no entity expansion: a CTF is data, never a fetcher of other documents. */
	c.reader = xmlReaderForFile(imp->path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	if (!c.reader) {
		imp->failed = reg_fail(imp->store, "cannot read %s as XML", imp->name);
		goto done;
	}
	xmlTextReaderSetErrorHandler(c.reader, xml_error, &c);
	int r;
	while (!imp->failed && (r = xmlTextReaderRead(c.reader)) == 1)
		on_node(&c);
	if (c.in_pupil)
		for (int i = 0; i < c.pupil.nyears; i++)
			free(c.pupil.years[i].marks);
	imp->pupils = c.pupils;
	rc = reg_marks_finish(c.marks);
done:
	if (c.reader)
		xmlFreeTextReader(c.reader);
	reg_marks_free(c.marks); /* first: it stops the writer thread, which shares the connection */
	sqlite3_finalize(c.update);
	sqlite3_finalize(c.insert);
	return rc;
}
