/*
 * The register store: a SQLite database (schema in docs/schema.md).
 *
 * The `marks` table is the legal record and answers plain SQL. Beside it,
 * `pupil_marks` keeps a compact copy of each pupil's marks (one byte per
 * session, in calendar order: see calendar.h) that every write to `marks`
 * updates in the same transaction; evaluation reads only the compact copy.
 *
 * Errors: functions return 0 on success and -1 on failure with a message
 * available from rt_store_error(). Imports report every problem in the file
 * as "file:line: field: problem" and write nothing unless the whole file is good.
 */
#ifndef RT_STORE_H
#define RT_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "calendar.h"
#include "date.h"

struct rt_store;
struct sqlite3;

enum {
	RT_STORE_CREATE = 0x01,   /* create the file and the schema if missing (attend init) */
	RT_STORE_READONLY = 0x02
};

/* On failure *out is still set (unless memory ran out, then NULL) so that
 * rt_store_error() can say why; close it either way. */
int rt_store_open(const char *path, int flags, struct rt_store **out);
/* The message for the last failure ("out of memory" for a NULL store). */
const char *rt_store_error(const struct rt_store *store);
void rt_store_close(struct rt_store *store);
struct sqlite3 *rt_store_db(struct rt_store *store);

struct rt_import_stats {
	const char *kind;         /* "marks", "pupils" or "calendar" */
	long rows;                /* rows written */
	long errors;              /* problems reported (nothing written if > 0) */
};

/*
 * Imports one CSV file; its kind comes from its header (docs/schema.md):
 *   marks:    upn,date,session,code[,minutes_late][,arrival]
 *   pupils:   upn,surname,forename[,date_of_birth][,year_group][,admitted][,left]
 *   calendar: kind,start,end[,session][,name]   (kind: half_term | closure)
 * Problems go to `diag` as "file:line: field: problem". Returns 0 when the
 * file was imported, 1 when it had problems (and nothing was written), -1 on
 * an I/O or database failure.
 */
int rt_store_import(struct rt_store *store, const char *path, FILE *diag, struct rt_import_stats *stats);

/* Loads the school days (with half terms and weeks numbered). */
int rt_store_load_calendar(struct rt_store *store, struct rt_calendar *cal);

/* The code dictionary used by the compact marks: names[id] for id 1..n-1
 * (names[0] is NULL: id 0 means "no mark"). Free with rt_store_free_codes. */
int rt_store_codes(struct rt_store *store, char ***names, size_t *n);
void rt_store_free_codes(char **names, size_t n);

struct rt_store_pupil {
	int64_t id;
	const char *upn;
	const char *surname;
	const char *forename;
	int year_group;           /* -1 when not given */
	const uint8_t *marks;     /* 2 per calendar school day, store code ids, 0 = no mark */
	size_t nmarks;            /* may be shorter than 2 * ndays: the rest have no mark */
};

struct rt_store_cursor;

/* Iterates pupils in UPN order; `upn` NULL for all, else just that pupil.
 * Row pointers stay valid until the next call. */
int rt_store_pupils_open(struct rt_store *store, const char *upn, struct rt_store_cursor **out);
/* 1 when *out holds a pupil, 0 at the end, -1 on error. */
int rt_store_pupils_next(struct rt_store_cursor *cur, struct rt_store_pupil *out);
void rt_store_pupils_close(struct rt_store_cursor *cur);

/* A mark recorded with a time of arrival or minutes late (for the L/U check). */
struct rt_store_arrival {
	int64_t pupil_id;
	rt_date date;
	uint8_t session;          /* enum rt_session */
	int16_t arrival;          /* minutes since midnight, -1 if only minutes_late was given */
	int16_t minutes_late;     /* -1 if not given */
	char code[8];             /* the recorded mark */
};

/* All such marks (for one pupil when upn is not NULL), ordered by pupil, date, session. */
int rt_store_arrivals(struct rt_store *store, const char *upn, struct rt_store_arrival **out, size_t *n);

#endif
