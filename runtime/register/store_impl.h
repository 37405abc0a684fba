/*
 * Private to runtime/store*.c: the store handle, the stored calendar and
 * code dictionary, and the import context shared by the three importers.
 */
#ifndef REG_IMPL_H
#define REG_IMPL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "runtime/machine/calendar.h"
#include "runtime/machine/date.h"
#include "runtime/machine/program.h"
#include "runtime/register/store.h"
#include "runtime/register/store_csv.h"
#include "runtime/base/text.h"

#define REG_SCHEMA_VERSION 10
#define REG_BUSY_TIMEOUT_MS 600000  /* 10 minutes: many times the largest import measured (docs/schema.md) */
#define REG_APPLICATION_ID 0x61747464 /* "attd": marks the file as an attend register */
#define REG_MAX_CODE_ID 254
#define REG_MAX_PROBLEMS 100          /* problems printed per file; the rest are counted */
/* The largest map Debian's SQLite allows (SQLITE_MAX_MMAP_SIZE, 2 GiB - 64 KiB; docs/performance.md). */
#define REG_MMAP_PRAGMA "PRAGMA mmap_size = 2147418112;"
#define REG_MAX_SHOWN 100             /* check-register: differences printed; the rest are counted */

struct sqlite3_stmt;

struct reg_store {
	struct sqlite3 *db;
	char *path;
	char error[512];
	char **known_codes;       /* when set (reg_set_known_codes), imports accept only these codes */
	size_t nknown_codes;
	char *school_wanted;      /* reg_use_school's URN, or NULL: the register's only school */
	char school[8];           /* the school scoped tables are read and written for (reg_scope) */
	int scoped;               /* school[] is resolved */
	int decisions_lifted;     /* reg_history_begin lifted the guard (1), and the pupil index (2) */
	struct sqlite3_stmt *decisions_insert[2]; /* one row, and ROWS_PER_INSERT rows (store_history.c) */
	char recorded_at[20];     /* the decisions' recorded_at, one value per transaction (reg_history_begin) */
};

/* The school whose pupils, calendar and marks the store works on: its URN, or
 * "" in a register that names no school. -1 (store error names the schools
 * present) when the register holds several and none was chosen, or the chosen
 * one is not there. Bind it to the `school` column of pupils, half_terms and
 * closures. */
int reg_scope(struct reg_store *store, const char **school);
/* Forgets the resolved school (the schools table changed). */
void reg_scope_reset(struct reg_store *store);
/* Lifts (on = 0) or puts back (on = 1) the triggers that guard and note each
 * insert into marks; only inside a transaction that keeps pupil_marks in step. */
int reg_marks_guards(struct reg_store *store, int on);
/* The same for decisions (attend replay): the trigger decisions_not_replaced, and with `index` also
 * decisions_pupil; only inside a transaction that inserts nothing but new rows. */
int reg_decisions_guards(struct reg_store *store, int on, int index);

/* pupil_timed (store_timed.c): each pupil's timed marks as one record. The aggregate
 * attend_timed() that builds it is registered on every connection (reg_open). */
int reg_timed_register(struct reg_store *store);
/* Writes one pupil's record again from marks, inside the caller's transaction;
 * a writer keeps its statements for many pupils (an import). */
struct reg_timed_writer {
	struct sqlite3_stmt *del, *ins;
};
int reg_timed_writer_open(struct reg_store *store, struct reg_timed_writer *w);
int reg_timed_writer_put(struct reg_store *store, struct reg_timed_writer *w, int64_t pupil_id);
void reg_timed_writer_close(struct reg_timed_writer *w);
int reg_timed_write(struct reg_store *store, int64_t pupil_id);
/* Writes every pupil's again (migration, repair), or compares them (check-register). */
int reg_timed_rebuild(struct reg_store *store);
int reg_timed_check(struct reg_store *store, FILE *report, long *differences);
/* How many marks a record of `bytes` holds; decodes them (-1: not a record attend wrote). */
size_t reg_timed_count(size_t bytes);
int reg_timed_decode(const uint8_t *blob, size_t bytes, int64_t pupil_id, struct reg_arrival *out);

/* Sets the store's error message and returns -1. */
int reg_fail(struct reg_store *store, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, followed by ": " and SQLite's message. */
int reg_fail_db(struct reg_store *store, const char *what);
int reg_exec(struct reg_store *store, const char *sql);
/* The first column of the first row of a query (0 when it returns none); -1 on a database error. */
int reg_query_long(struct reg_store *store, const char *sql, long *value);
int reg_prepare(struct reg_store *store, const char *sql, struct sqlite3_stmt **out);
/* Binds s[0..len) as text, or NULL when empty (an optional field left empty keeps what is stored). */
void reg_bind_optional(struct sqlite3_stmt *st, int index, const char *s, size_t len);
/* reg_prepare with the store's school (reg_scope) bound to `:school`, which
 * must come after every other parameter in the text. */
int reg_prepare_scoped(struct reg_store *store, const char *sql, struct sqlite3_stmt **out);
/* One statement with :school bound (reg_prepare_scoped), run once. */
int reg_exec_scoped(struct reg_store *store, const char *sql);
/* Column `col` as text that is valid UTF-8 (NULL for NULL): the column itself,
 * or, when it holds bytes that are not UTF-8 (written by other means than
 * attend), a copy in buf[0..size) with each such byte replaced by '?'. */
const char *reg_text(struct sqlite3_stmt *st, int col, char *buf, size_t size);

/* The calendar as the tables hold it, with a lookup from any date in its span. */
struct reg_half_term {
	rt_date start, end;
	int year;                 /* rt_date_school_year(start) */
	int number;               /* 1..6 in its school year */
};

struct reg_closure {
	rt_date date;
	uint8_t sessions;         /* RT_OPEN_AM | RT_OPEN_PM: the sessions it closes */
	char *reason[2];          /* per session (AM, PM), NULL when that session is open */
};

struct reg_calendar {
	struct reg_half_term *half_terms; /* ascending by start */
	size_t nhalf_terms;
	struct reg_closure *closures;     /* ascending by date, one per date */
	size_t nclosures;
	struct rt_calendar days;               /* the school days */
	rt_date first;                         /* span covered by day_of: first..first+span-1 */
	size_t span;
	int32_t *day_of;                       /* index into days.days, or -1 */
};

int reg_calendar_read(struct reg_store *store, struct reg_calendar *cal);
void reg_calendar_free(struct reg_calendar *cal);
/* Index of the school day `date`, or -1. */
long reg_calendar_day(const struct reg_calendar *cal, rt_date date);
/* Why the school does not meet on date/session (session RT_AM or RT_PM):
 * "weekend", a closure's reason, "half-term holiday", ...; NULL when it is open
 * or when the date lies outside every school year the calendar covers. */
const char *reg_calendar_closed_reason(const struct reg_calendar *cal, rt_date date, int session,
                                            char *buf, size_t size);
/* 1 when some half term lies in the school year of `date`. */
int reg_calendar_covers_year(const struct reg_calendar *cal, rt_date date);

/* Rebuilds every pupil_marks blob from marks (inside the caller's transaction). */
int reg_rebuild_blobs(struct reg_store *store);

/* The code dictionary: code text <-> id 1..254. */
struct reg_codebook {
	char names[REG_MAX_CODE_ID + 1][8];   /* names[id], "" when unused */
	uint32_t keys[512];                        /* open addressing over packed code text */
	uint8_t ids[512];
	int next_id;
};

int reg_codebook_load(struct reg_store *store, struct reg_codebook *book);
/* A code's id, or 0 when it is not in the book. `code` is 1..4 characters. */
int reg_codebook_find(const struct reg_codebook *book, const char *code, size_t len);
/* Adds a code to the book and to the codes table: its id; -1 when all 254 ids
 * are taken; -2 on a database failure (store error set). */
int reg_codebook_add(struct reg_store *store, struct reg_codebook *book, const char *code, size_t len);
/* 1 when `code` looks like a register code: 1..4 of A-Z 0-9 / \ # - */
int reg_code_is_valid(const char *code, size_t len);

/* One import in progress: where problems go and how many there were. */
struct reg_import_problem {
	long line;
	char *text;               /* "field: problem" */
};

struct reg_importer {
	struct reg_store *store;
	const char *path;         /* the file read */
	const char *name;         /* what messages call it: opt->name, or the path */
	const struct reg_import_options *opt;
	struct reg_csv csv;
	size_t nheader;           /* fields in the header line */
	long unchanged;           /* marks already in the register with the same code */
	long amended;             /* marks whose change became an amendment (--amend) */
	long refused;             /* marks whose change was refused */
	long warnings;            /* warnings written to diag (a CTF's totals) */
	long pupils;              /* pupils added or updated (a CTF) */
	FILE *diag;               /* where warnings go as they are found; NULL for none */
	int outside_year[4];      /* school years reported as outside the calendar, to say so once each */
	int noutside;
	char **header;            /* the header's names as the file spells them (for messages) */
	char **renamed;           /* the names --columns gave header fields (owned), or NULL */
	size_t column_of[16];     /* per importer: the field index of each known column, or SIZE_MAX */
	long rows;
	long errors;
	struct reg_import_problem *problems; /* the first REG_MAX_PROBLEMS */
	size_t nproblems;
	int failed;               /* an I/O, memory or database failure (store error is set) */
};

/* Records a problem at `line` (0 for the file as a whole). */
void reg_import_problem(struct reg_importer *imp, long line, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Replaces the text of problem `index` (used to add "first on line N" afterwards). */
void reg_import_problem_set(struct reg_importer *imp, size_t index, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Checks that every header field is one of `names` (count n, the first `required` of
 * them mandatory) and fills imp->column_of. Returns 0, or reports and returns -1. */
int reg_import_columns(struct reg_importer *imp, const char *const *names, size_t n, size_t required);
/* The field of column `col` in the current record ("" when absent). */
const char *reg_import_field(struct reg_importer *imp, size_t col, size_t *len);
/* Reads the next well-formed row, reporting malformed ones: 1, 0 at the end,
 * -1 on a read failure (imp->failed set). */
int reg_import_next(struct reg_importer *imp);

/* Parses a date as the options allow (ISO, or DD/MM/YYYY day first); 0, or -1 reported. */
int reg_import_date(struct reg_importer *imp, long line, const char *field, const char *s, size_t len, rt_date *out);

/* One mark from any source (a marks CSV row, a grid cell, a CTF string), with
 * the names of the fields that problems are reported against. */
struct reg_mark_in {
	long line;
	const char *upn_field, *code_field;
	const char *upn;          /* NUL-terminated */
	size_t upn_len;
	rt_date date;
	int pm;
	const char *code;         /* NUL-terminated */
	size_t code_len;
	long minutes_late;        /* -1 when not given */
	const char *arrival;      /* "" when not given */
	size_t arrival_len;
};

/* A mark as it goes into `marks`. */
struct reg_mark_row {
	int64_t pupil_id;
	char date[11];
	char code[5];
	char arrival[6];          /* "" when not given */
	uint8_t pm;
	int16_t minutes_late;     /* -1 when not given */
};

/* The rows' way into `marks` (store_marks_write.c), in the order added; with jobs > 1 on a
 * writer thread beside the caller. While it is open, the caller's own use of the connection
 * goes between reg_rows_hold and reg_rows_release. add and close: 0, or -1 (store error set:
 * a write failed); after a failure, free drops what is still queued. */
struct reg_rows;
int reg_rows_open(struct reg_store *store, int jobs, struct reg_rows **out);
int reg_rows_add(struct reg_rows *w, const struct reg_mark_row *row);
int reg_rows_close(struct reg_rows *w);
/* Stops the writer once what is queued is written, leaving the rows not yet handed over:
 * for an import that will not commit. 0, or -1 (store error set) when a write failed. */
int reg_rows_drain(struct reg_rows *w);
void reg_rows_free(struct reg_rows *w);
void reg_rows_hold(struct reg_rows *w);
void reg_rows_release(struct reg_rows *w);

/* The marks writer behind every marks format (store_import_marks.c): checks
 * each mark against the calendar, the register (the same code is counted as
 * unchanged; a changed one refused, or amended with --amend) and the rest of
 * the import, and writes them all at reg_marks_finish unless a problem was
 * found. Pupils must be in the register before begin, or added with
 * reg_marks_pupil. */
struct reg_marks;
int reg_marks_begin(struct reg_importer *imp, struct reg_marks **out);
int reg_marks_pupil(struct reg_marks *m, int64_t id, const char *upn);
void reg_marks_add(struct reg_marks *m, const struct reg_mark_in *in);
/* Around the importer's own use of the connection between begin and finish (the marks
 * may be being written on another thread). */
void reg_marks_hold(struct reg_marks *m);
void reg_marks_release(struct reg_marks *m);
int reg_marks_finish(struct reg_marks *m);
void reg_marks_free(struct reg_marks *m);

/* Amends a mark inside the caller's transaction (store_amend.c): 0, 1 refused, -1. */
int reg_amend_within(struct reg_store *store, const struct reg_amendment *a);

int reg_import_marks(struct reg_importer *imp);
int reg_import_ctf(struct reg_importer *imp);
int reg_import_grid(struct reg_importer *imp);
/* The calendar importer with every row of one kind ("half_term", "closure"). */
int reg_import_calendar_as(struct reg_importer *imp, const char *kind);
/* A term-dates (term,start,end) or closures (date,reason) header: renames its
 * columns to the calendar's and says which ("half_term", "closure"), or NULL. */
const char *reg_import_calendar_kind(struct reg_importer *imp);
int reg_import_term_dates(struct reg_importer *imp);
int reg_import_closures(struct reg_importer *imp);
/* Whether the header has a date column: a wide register grid. */
int reg_import_is_grid(const struct reg_importer *imp);
/* Renames header fields as --columns says ("-" for a column to ignore). 0, or -1 failed. */
int reg_import_map_columns(struct reg_importer *imp);
/* Refuses (reported, -1) a header with columns only a register by lesson has. */
int reg_import_refuse_lessons(struct reg_importer *imp);
int reg_import_pupils(struct reg_importer *imp);
int reg_import_calendar(struct reg_importer *imp);
int reg_import_parents(struct reg_importer *imp);
int reg_import_schools(struct reg_importer *imp);

#endif
