/*
 * What the two importer targets share (fuzz_import.c: CSV; fuzz_ctf.c: the
 * Common Transfer File): any file imported into a register that already holds
 * a calendar and pupils either succeeds or leaves the register as it was (all
 * or nothing), and pupil_marks always agrees with marks.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "runtime/register/store.h"
#include <sqlite3.h>

static struct reg_store *store;
static char dir[] = "/tmp/attend-fuzz-XXXXXX";
static char csv[64];

static void
write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		fuzz_fail("cannot write", path);
}

/* The scratch register goes when the process ends. */
static void
remove_register(void)
{
	static const char *const files[] = { "r.db", "r.db-wal", "r.db-shm", "r.db-journal", "calendar.csv",
		                             "pupils.csv", "input.csv" };
	reg_close(store);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[96];
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void
open_register(const char *calendar_csv)
{
	if (!mkdtemp(dir))
		fuzz_fail("cannot make a folder", dir);
	atexit(remove_register);
	char db[64], cal[64], pupils[64];
	snprintf(db, sizeof db, "%s/r.db", dir);
	snprintf(cal, sizeof cal, "%s/calendar.csv", dir);
	snprintf(pupils, sizeof pupils, "%s/pupils.csv", dir);
	snprintf(csv, sizeof csv, "%s/input.csv", dir);
	static const char pupils_csv[] = "upn,surname,forename,year_group\nA1,Adams,Ann,5\nB2,Brown,Bo,6\n";
	write_file(cal, calendar_csv, strlen(calendar_csv));
	write_file(pupils, pupils_csv, sizeof pupils_csv - 1);
	if (reg_open(db, REG_CREATE, &store) || reg_import(store, cal, NULL, NULL) ||
	    reg_import(store, pupils, NULL, NULL))
		fuzz_fail("cannot set up the register", reg_error(store));
}

/* Everything an import could change, summed up. */
static void
state(char *out, size_t size)
{
	sqlite3_stmt *st;
	out[0] = 0;
	if (sqlite3_prepare_v2(reg_db(store),
	                       "SELECT (SELECT count(*) || ':' || total(unicode(code)) FROM marks) || '/' ||"
	                       " (SELECT count(*) || ':' || group_concat(surname) FROM pupils) || '/' ||"
	                       " (SELECT count(*) FROM closures) || '/' || (SELECT group_concat(start) FROM half_terms)"
	                       " || '/' || (SELECT count(*) FROM parents) || '/' || (SELECT count(*) FROM schools)",
	                       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

void
fuzz_import_check(const uint8_t *data, size_t size, const char *calendar_csv)
{
	if (!store)
		open_register(calendar_csv);
	write_file(csv, data, size);
	char before[512], after[512];
	state(before, sizeof before);
	int rc = reg_import(store, csv, NULL, NULL);
	state(after, sizeof after);
	if (rc != 0 && strcmp(before, after) != 0)
		fuzz_fail("a failed import changed the register", after);
	long differences = 0;
	if (reg_check_blobs(store, fuzz_devnull(), &differences) || differences)
		fuzz_fail("pupil_marks disagrees with marks", reg_error(store));
}
