/* reg_import: opens a CSV file, tells its kind from the header, runs
 * the importer for that kind in one transaction and reports its problems. */
#include "runtime/register/store_impl.h"

#include "runtime/base/utf8.h"

#include <ctype.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void
add_problem(struct reg_importer *imp, size_t index, long line, const char *field, const char *fmt, va_list ap)
{
	char text[512];
	int n = snprintf(text, sizeof text, "%s: ", field);
	vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
	char *copy = strdup(text);
	if (!copy) {
		imp->failed = reg_fail(imp->store, "out of memory");
		return;
	}
	free(imp->problems[index].text);
	imp->problems[index] = (struct reg_import_problem){ line, copy };
}

void
reg_import_problem(struct reg_importer *imp, long line, const char *field, const char *fmt, ...)
{
	imp->errors++;
	if (imp->nproblems >= REG_MAX_PROBLEMS)
		return;
	va_list ap;
	va_start(ap, fmt);
	imp->problems[imp->nproblems] = (struct reg_import_problem){ line, NULL };
	add_problem(imp, imp->nproblems, line, field, fmt, ap);
	va_end(ap);
	imp->nproblems++;
}

void
reg_import_problem_set(struct reg_importer *imp, size_t index, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_problem(imp, index, imp->problems[index].line, field, fmt, ap);
	va_end(ap);
}

const char *
reg_import_field(struct reg_importer *imp, size_t col, size_t *len)
{
	size_t f = imp->column_of[col];
	if (f == SIZE_MAX || f >= imp->csv.nfields) {
		*len = 0;
		return "";
	}
	*len = imp->csv.field[f].len;
	return imp->csv.field[f].s;
}

int
reg_import_date(struct reg_importer *imp, long line, const char *field, const char *s, size_t len, rt_date *out)
{
	const char *want = imp->opt->date_format;
	int dmy_only = want && strcmp(want, "dd/mm/yyyy") == 0, iso_only = want && !dmy_only;
	if (!dmy_only && rt_date_parse(s, len, out) == 0)
		return 0;
	if (!iso_only && rt_date_parse_dmy(s, len, out) == 0)
		return 0;
	if (dmy_only || (!iso_only && memchr(s, '/', len)))
		reg_import_problem(imp, line, field, "%s is not a date (DD/MM/YYYY, day first)", s);
	else
		reg_import_problem(imp, line, field, "%s is not a date (YYYY-MM-DD)", s);
	return -1;
}

/* Reports each field of the current record that is not UTF-8; 1 when all are. */
static int
all_utf8(struct reg_importer *imp)
{
	int ok = 1;
	for (size_t i = 0; i < imp->csv.nfields && i < REG_CSV_MAX_FIELDS; i++) {
		const struct reg_csv_field *f = &imp->csv.field[i];
		size_t bad = base_utf8_invalid(f->s, f->len);
		if (bad == f->len)
			continue;
		reg_import_problem(imp, imp->csv.line, imp->header && i < imp->nheader ? imp->header[i] : "header",
		                  "not UTF-8 (byte 0x%02X at column %zu); save as UTF-8 or give --encoding windows-1252",
		                  (unsigned char)f->s[bad], f->column + bad);
		ok = 0;
	}
	return ok;
}

int
reg_import_next(struct reg_importer *imp)
{
	for (;;) {
		int rc = reg_csv_next(&imp->csv);
		if (rc == -2) {
			imp->failed = reg_fail(imp->store, "cannot read %s: %s", imp->name, strerror(errno));
			return -1;
		}
		if (rc == -1) {
			reg_import_problem(imp, imp->csv.line, "row", "%s", imp->csv.error);
			continue;
		}
		if (rc == 0)
			return 0;
		if (imp->csv.nfields != imp->nheader) {
			reg_import_problem(imp, imp->csv.line, "row", "has %zu fields; the header has %zu",
			                  imp->csv.nfields, imp->nheader);
			continue;
		}
		if (!all_utf8(imp))
			continue;
		return 1;
	}
}

int
reg_import_columns(struct reg_importer *imp, const char *const *names, size_t n, size_t required)
{
	long errors = imp->errors;
	for (size_t j = 0; j < n; j++)
		imp->column_of[j] = SIZE_MAX;
	for (size_t i = 0; i < imp->nheader; i++) {
		const char *h = imp->csv.field[i].s;
		if (strcmp(h, "-") == 0)
			continue;         /* --columns "X=-": ignored */
		size_t j = 0;
		while (j < n && strcmp(h, names[j]) != 0)
			j++;
		if (j == n) {
			char known[256] = "";
			for (size_t k = 0; k < n; k++)
				snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", k ? ", " : "", names[k]);
			reg_import_problem(imp, imp->csv.line, "header", "unknown column \"%s\" (the columns are %s; map or"
			                  " ignore others with --columns)", h, known);
		} else if (imp->column_of[j] != SIZE_MAX)
			reg_import_problem(imp, imp->csv.line, "header", "column \"%s\" appears twice", h);
		else
			imp->column_of[j] = i;
	}
	for (size_t j = 0; j < required; j++)
		if (imp->column_of[j] == SIZE_MAX)
			reg_import_problem(imp, imp->csv.line, "header", "missing column \"%s\"", names[j]);
	return imp->errors == errors ? 0 : -1;
}

static int
has_column(const struct reg_importer *imp, const char *name)
{
	for (size_t i = 0; i < imp->nheader; i++)
		if (strcmp(imp->csv.field[i].s, name) == 0)
			return 1;
	return 0;
}

/* Reads the header and picks the importer; NULL (problem reported) when it cannot tell. */
static const char *
read_header(struct reg_importer *imp, int (**importer)(struct reg_importer *))
{
	int rc = reg_csv_next(&imp->csv);
	if (rc == -2) {
		imp->failed = reg_fail(imp->store, "cannot read %s: %s", imp->name, strerror(errno));
		return NULL;
	}
	if (rc == 0) {
		reg_import_problem(imp, 1, "header", "the file is empty");
		return NULL;
	}
	if (rc == -1) {
		reg_import_problem(imp, imp->csv.line, "header", "%s", imp->csv.error);
		return NULL;
	}
	if (imp->csv.nfields > REG_CSV_MAX_FIELDS) {
		reg_import_problem(imp, imp->csv.line, "header", "has %zu columns; no register file has more than %d",
		                  imp->csv.nfields, REG_CSV_MAX_FIELDS);
		return NULL;
	}
	if (!all_utf8(imp))
		return NULL;
	imp->nheader = imp->csv.nfields;
	imp->header = calloc(imp->nheader, sizeof *imp->header);
	for (size_t i = 0; imp->header && i < imp->nheader; i++)
		if (!(imp->header[i] = strdup(imp->csv.field[i].s)))
			break;
	if (!imp->header || (imp->nheader && !imp->header[imp->nheader - 1])) {
		imp->failed = reg_fail(imp->store, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < imp->nheader; i++)
		for (char *c = imp->csv.field[i].s; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	if (reg_import_map_columns(imp) || reg_import_refuse_lessons(imp))
		return NULL;
	if (reg_import_is_grid(imp)) {
		*importer = reg_import_grid;
		return "marks";
	}
	const char *calendar_kind = reg_import_calendar_kind(imp);
	if (calendar_kind) {
		*importer = strcmp(calendar_kind, "half_term") == 0 ? reg_import_term_dates : reg_import_closures;
		return "calendar";
	}
	if (has_column(imp, "kind")) {
		*importer = reg_import_calendar;
		return "calendar";
	}
	if (has_column(imp, "date") || has_column(imp, "session") || has_column(imp, "code")) {
		*importer = reg_import_marks;
		return "marks";
	}
	if (has_column(imp, "parent_id")) {
		*importer = reg_import_parents;
		return "parents";
	}
	if (has_column(imp, "urn")) {
		*importer = reg_import_schools;
		return "schools";
	}
	if (has_column(imp, "surname") || has_column(imp, "forename")) {
		*importer = reg_import_pupils;
		return "pupils";
	}
	reg_import_problem(imp, imp->csv.line, "header",
	                  "cannot tell what the file holds: expected marks (upn,date,session,code,...),"
	                  " pupils (upn,surname,forename,...), parents (upn,parent_id,name,...),"
	                  " calendar (kind,start,end,...) or schools (urn,name,...) columns");
	return NULL;
}

static void
print_problems(struct reg_importer *imp, FILE *diag)
{
	/* Printed in line order; an insertion sort keeps problems on one line in report order. */
	for (size_t i = 1; i < imp->nproblems; i++) {
		struct reg_import_problem p = imp->problems[i];
		size_t j = i;
		while (j > 0 && imp->problems[j - 1].line > p.line) {
			imp->problems[j] = imp->problems[j - 1];
			j--;
		}
		imp->problems[j] = p;
	}
	if (!diag)
		return;
	for (size_t i = 0; i < imp->nproblems; i++)
		fprintf(diag, "%s:%ld: %s\n", imp->name, imp->problems[i].line, imp->problems[i].text);
	if (imp->errors > (long)imp->nproblems)
		fprintf(diag, "%s: %ld more problems not shown\n", imp->name, imp->errors - (long)imp->nproblems);
}

int
reg_import(struct reg_store *store, const char *path, FILE *diag, struct reg_import_stats *stats)
{
	return reg_import_with(store, path, NULL, diag, stats);
}

/* Whether the file is XML (a CTF): its first character, after a byte order mark and spaces, is '<'. */
static int
is_xml(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	unsigned char b[64];
	size_t n = fread(b, 1, sizeof b, f), i = 0;
	fclose(f);
	if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF)
		i = 3;
	while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'))
		i++;
	return i < n && b[i] == '<';
}

/* The marks importers write only pupil ids they read from `pupils` in the same transaction (or,
 * from a CTF, wrote there): the foreign key check of each row of `marks` cannot fail, and was a
 * sixth of an import's instructions. It stays on for every other import; each import sets it
 * (outside a transaction, where the pragma takes effect) before it begins. */
static int
set_foreign_keys(struct reg_store *store, int (*importer)(struct reg_importer *))
{
	int marks = importer == reg_import_marks || importer == reg_import_grid || importer == reg_import_ctf;
	return reg_exec(store, marks ? "PRAGMA foreign_keys = OFF" : "PRAGMA foreign_keys = ON");
}

int
reg_import_with(struct reg_store *store, const char *path, const struct reg_import_options *opt, FILE *diag,
                struct reg_import_stats *stats)
{
	static const struct reg_import_options none_given;
	struct reg_importer imp = { .store = store, .path = path, .opt = opt ? opt : &none_given };
	imp.name = imp.opt->name ? imp.opt->name : path;
	struct reg_import_stats none;
	if (!stats)
		stats = &none;
	*stats = (struct reg_import_stats){ .kind = NULL };
	imp.problems = calloc(REG_MAX_PROBLEMS, sizeof *imp.problems);
	if (!imp.problems)
		return reg_fail(store, "out of memory");
	if (reg_csv_open(&imp.csv, path)) {
		free(imp.problems);
		return reg_fail(store, "cannot open %s: %s", path, strerror(errno));
	}
	if (imp.opt->encoding && reg_csv_set_encoding(&imp.csv, imp.opt->encoding)) {
		reg_csv_close(&imp.csv);
		free(imp.problems);
		return reg_fail(store, "unknown encoding \"%s\" (give windows-1252, latin-1 or utf-8)", imp.opt->encoding);
	}
	int (*importer)(struct reg_importer *) = NULL;
	imp.diag = diag;
	if (is_xml(path)) {
		importer = reg_import_ctf;
		stats->kind = "ctf";
	} else
		stats->kind = read_header(&imp, &importer);
	int status = -1;
	if (importer) {
		/* The import's pages go to the WAL, and with the file mapped every page read past the
		 * page cache (each mark's foreign key check reads pupils) first searches the whole WAL,
		 * which grows with the import: quadratic in its size. The page cache keeps such pages. */
		if (reg_exec(store, "PRAGMA mmap_size = 0") == 0 && set_foreign_keys(store, importer) == 0 &&
		    reg_exec(store, "BEGIN IMMEDIATE") == 0) {
			int rc = importer(&imp);
			if (rc == 0 && !imp.failed && imp.errors == 0 && reg_exec(store, "COMMIT") == 0)
				status = 0;
			else
				sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
		}
		sqlite3_exec(store->db, REG_MMAP_PRAGMA, NULL, NULL, NULL);
		sqlite3_exec(store->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	}
	if (status != 0 && !imp.failed && imp.errors > 0)
		status = 1;
	reg_csv_close(&imp.csv);
	if (status == 1)
		print_problems(&imp, diag);
	stats->rows = status == 0 ? imp.rows : 0;
	stats->errors = imp.errors;
	stats->unchanged = imp.unchanged;
	stats->amended = status == 0 ? imp.amended : 0;
	stats->refused = imp.refused;
	stats->pupils = status == 0 ? imp.pupils : 0;
	stats->warnings = imp.warnings;
	for (size_t i = 0; i < imp.nproblems; i++)
		free(imp.problems[i].text);
	free(imp.problems);
	for (size_t i = 0; imp.header && i < imp.nheader; i++)
		free(imp.header[i]);
	for (size_t i = 0; imp.renamed && i < imp.nheader; i++)
		free(imp.renamed[i]);
	free(imp.renamed);
	free(imp.header);
	return status;
}
