/*
 * Private to runtime/store*.c: the store handle, the stored calendar and
 * code dictionary, and the import context shared by the three importers.
 */
#ifndef RT_STORE_IMPL_H
#define RT_STORE_IMPL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "runtime/machine/calendar.h"
#include "runtime/machine/date.h"
#include "runtime/machine/program.h"
#include "runtime/register/store.h"
#include "runtime/register/store_csv.h"

#define RT_STORE_SCHEMA_VERSION 2
#define RT_STORE_APPLICATION_ID 0x61747464 /* "attd": marks the file as an attend register */
#define RT_STORE_MAX_CODE_ID 254
#define RT_STORE_MAX_PROBLEMS 100          /* problems printed per file; the rest are counted */

struct sqlite3_stmt;

struct rt_store {
	struct sqlite3 *db;
	char *path;
	char error[512];
	char **known_codes;       /* when set (rt_store_set_known_codes), imports accept only these codes */
	size_t nknown_codes;
};

/* Sets the store's error message and returns -1. */
int rt_store_fail(struct rt_store *store, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, followed by ": " and SQLite's message. */
int rt_store_fail_db(struct rt_store *store, const char *what);
int rt_store_exec(struct rt_store *store, const char *sql);
int rt_store_prepare(struct rt_store *store, const char *sql, struct sqlite3_stmt **out);

/* The calendar as the tables hold it, with a lookup from any date in its span. */
struct rt_store_half_term {
	rt_date start, end;
	int year;                 /* rt_date_school_year(start) */
	int number;               /* 1..6 in its school year */
};

struct rt_store_closure {
	rt_date date;
	uint8_t sessions;         /* RT_OPEN_AM | RT_OPEN_PM: the sessions it closes */
	char *reason[2];          /* per session (AM, PM), NULL when that session is open */
};

struct rt_store_calendar {
	struct rt_store_half_term *half_terms; /* ascending by start */
	size_t nhalf_terms;
	struct rt_store_closure *closures;     /* ascending by date, one per date */
	size_t nclosures;
	struct rt_calendar days;               /* the school days */
	rt_date first;                         /* span covered by day_of: first..first+span-1 */
	size_t span;
	int32_t *day_of;                       /* index into days.days, or -1 */
};

int rt_store_calendar_read(struct rt_store *store, struct rt_store_calendar *cal);
void rt_store_calendar_free(struct rt_store_calendar *cal);
/* Index of the school day `date`, or -1. */
long rt_store_calendar_day(const struct rt_store_calendar *cal, rt_date date);
/* Why the school does not meet on date/session (session RT_AM or RT_PM):
 * "weekend", a closure's reason, "half-term holiday", ...; NULL when it is open
 * or when the date lies outside every school year the calendar covers. */
const char *rt_store_calendar_closed_reason(const struct rt_store_calendar *cal, rt_date date, int session,
                                            char *buf, size_t size);
/* 1 when some half term lies in the school year of `date`. */
int rt_store_calendar_covers_year(const struct rt_store_calendar *cal, rt_date date);

/* Rebuilds every pupil_marks blob from marks (inside the caller's transaction). */
int rt_store_rebuild_blobs(struct rt_store *store);

/* The code dictionary: code text <-> id 1..254. */
struct rt_store_codebook {
	char names[RT_STORE_MAX_CODE_ID + 1][8];   /* names[id], "" when unused */
	uint32_t keys[512];                        /* open addressing over packed code text */
	uint8_t ids[512];
	int next_id;
};

int rt_store_codebook_load(struct rt_store *store, struct rt_store_codebook *book);
/* A code's id, or 0 when it is not in the book. `code` is 1..4 characters. */
int rt_store_codebook_find(const struct rt_store_codebook *book, const char *code, size_t len);
/* Adds a code to the book and to the codes table: its id; -1 when all 254 ids
 * are taken; -2 on a database failure (store error set). */
int rt_store_codebook_add(struct rt_store *store, struct rt_store_codebook *book, const char *code, size_t len);
/* 1 when `code` looks like a register code: 1..4 of A-Z 0-9 / \ # - */
int rt_store_code_is_valid(const char *code, size_t len);

/* One import in progress: where problems go and how many there were. */
struct rt_import_problem {
	long line;
	char *text;               /* "field: problem" */
};

struct rt_import {
	struct rt_store *store;
	const char *path;
	struct rt_csv csv;
	size_t nheader;           /* fields in the header line */
	size_t column_of[16];     /* per importer: the field index of each known column, or SIZE_MAX */
	long rows;
	long errors;
	struct rt_import_problem *problems; /* the first RT_STORE_MAX_PROBLEMS */
	size_t nproblems;
	int failed;               /* an I/O, memory or database failure (store error is set) */
};

/* Records a problem at `line` (0 for the file as a whole). */
void rt_import_problem(struct rt_import *imp, long line, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Replaces the text of problem `index` (used to add "first on line N" afterwards). */
void rt_import_problem_set(struct rt_import *imp, size_t index, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Checks that every header field is one of `names` (count n, the first `required` of
 * them mandatory) and fills imp->column_of. Returns 0, or reports and returns -1. */
int rt_import_columns(struct rt_import *imp, const char *const *names, size_t n, size_t required);
/* The field of column `col` in the current record ("" when absent). */
const char *rt_import_field(struct rt_import *imp, size_t col, size_t *len);
/* Reads the next well-formed row, reporting malformed ones: 1, 0 at the end,
 * -1 on a read failure (imp->failed set). */
int rt_import_next(struct rt_import *imp);

int rt_import_marks(struct rt_import *imp);
int rt_import_pupils(struct rt_import *imp);
int rt_import_calendar(struct rt_import *imp);
int rt_import_parents(struct rt_import *imp);

#endif
