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

#include "runtime/machine/calendar.h"
#include "runtime/machine/date.h"

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
	const char *kind;         /* "marks", "pupils", "parents" or "calendar" */
	long rows;                /* rows written */
	long errors;              /* problems reported (nothing written if > 0) */
};

/*
 * Imports one CSV file; its kind comes from its header (docs/schema.md):
 *   marks:    upn,date,session,code[,minutes_late][,arrival]
 *   pupils:   upn,surname,forename[,date_of_birth][,year_group][,admitted][,left]
 *   calendar: kind,start,end[,session][,name]   (kind: half_term | closure)
 *   parents:  upn,parent_id,name[,relationship]
 * Problems go to `diag` as "file:line: field: problem". Returns 0 when the
 * file was imported, 1 when it had problems (and nothing was written), -1 on
 * an I/O or database failure.
 */
int rt_store_import(struct rt_store *store, const char *path, FILE *diag, struct rt_import_stats *stats);

/* From now on, imports report a mark whose code is not one of `codes` as
 * "code: unknown code" (attend import --policy: the policy's codes). Copied. */
int rt_store_set_known_codes(struct rt_store *store, const char *const *codes, size_t n);

/* Whether any mark in the register has this code: 1, 0, or -1 on error. */
int rt_store_code_in_use(struct rt_store *store, const char *code);

/* The school days of a calendar CSV file (docs/schema.md), read through an
 * in-memory register so that they are exactly those an imported register would
 * have (attend test). 0, or -1 with the problems reported on diag. */
int rt_store_calendar_from_csv(const char *path, struct rt_calendar *cal, FILE *diag);

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

/* ---- The decision history (store_history.c; docs/history.md) ---- */

enum rt_decision_event { RT_EVENT_ENTERED, RT_EVENT_LEFT, RT_EVENT_DUE };

/* One row of `decisions`: something the policy decided for a pupil on a day. */
struct rt_decision {
	int64_t pupil_id;
	rt_date as_of;
	const char *kind;         /* "stage", "flag", "penalty_notice", "letter" or "action" (a static string) */
	uint8_t event;            /* enum rt_decision_event */
	int stage;                /* the stage number for stages and their letters and actions, else 0 */
	char *name;               /* owned by the list */
	char *detail;             /* owned by the list; NULL when there is none */
};

struct rt_decision_list {
	struct rt_decision *items;
	size_t n, cap;
};

/* Appends a copy of name and detail (detail may be NULL). 0, or -1 out of memory. */
int rt_decision_add(struct rt_decision_list *list, int64_t pupil_id, rt_date as_of, const char *kind, int event,
                    int stage, const char *name, const char *detail);
void rt_decision_list_clear(struct rt_decision_list *list);
void rt_decision_list_free(struct rt_decision_list *list);
const char *rt_decision_event_name(int event);

/* The school days recorded for `policy`, ascending. Free *days. */
int rt_store_history_days(struct rt_store *store, const char *policy, rt_date **days, size_t *n);
/* Appends the decisions of `policy` recorded before `before` (for one pupil when
 * upn is not NULL) in pupil, date, then recording order. */
int rt_store_history_read(struct rt_store *store, const char *policy, rt_date before, const char *upn,
                          struct rt_decision_list *out);
/* Appends the decisions of `policy` recorded on `day`, by pupil then recording order. */
int rt_store_history_read_day(struct rt_store *store, const char *policy, rt_date day, struct rt_decision_list *out);
/* One transaction around many days of rt_store_history_record (attend replay);
 * end keeps (keep != 0) or rolls back everything since begin. */
int rt_store_history_begin(struct rt_store *store);
int rt_store_history_end(struct rt_store *store, int keep);
/* Records `day` as evaluated and its decisions, in one transaction (or within
 * the caller's, opened with rt_store_history_begin). Refuses
 * (store error, -1) a day already recorded: the history is never rewritten. */
int rt_store_history_record(struct rt_store *store, const char *policy, rt_date day,
                            const struct rt_decision_list *decisions);

/* Writes every decision recorded for one pupil, by policy and date. */
int rt_store_write_decisions(struct rt_store *store, const char *upn, FILE *out);

/* ---- Parents and penalty notices (store_notices.c) ---- */

enum rt_notice_state { RT_NOTICE_ISSUED, RT_NOTICE_PAID, RT_NOTICE_WITHDRAWN, RT_NOTICE_PROSECUTED };

struct rt_store_parent {
	int64_t pupil_id;
	char *parent_id;
	char *name;
	char *relationship;       /* NULL when not given */
};

struct rt_store_notice {
	int64_t id;
	int64_t pupil_id;
	char *upn;
	char *parent_id;
	int ordinal;              /* 1 = first notice to this parent for this pupil */
	rt_date issued;
	int64_t pence, later_pence;
	int days, later_days;
	uint8_t state;            /* enum rt_notice_state */
	rt_date state_on;         /* when it reached that state */
};

/* Every parent and notice (of one pupil when upn is not NULL), by pupil id, then
 * parent id, then date of issue. */
struct rt_store_penalties {
	struct rt_store_parent *parents; size_t nparents;
	struct rt_store_notice *notices; size_t nnotices;
};

int rt_store_penalties_load(struct rt_store *store, const char *upn, struct rt_store_penalties *out);
void rt_store_penalties_free(struct rt_store_penalties *p);
const char *rt_notice_state_name(int state);

/* Issues a notice (one transaction). Returns 0 and sets *id, 1 when the pupil
 * or parent is unknown (store error says which), -1 on failure. */
int rt_store_notice_issue(struct rt_store *store, const char *upn, const char *parent_id, int ordinal,
                          rt_date issued, int64_t pence, int days, int64_t later_pence, int later_days,
                          int64_t *id);
/* Moves an issued notice to paid, withdrawn or prosecuted on `date`. 1 (store
 * error says why) when there is no such notice or it is no longer issued. */
int rt_store_notice_set_state(struct rt_store *store, int64_t id, int state, rt_date date);

/* ---- Amendments (store_amend.c) ---- */

struct rt_amendment {
	const char *upn;
	rt_date date;
	int session;              /* RT_AM or RT_PM (program.h) */
	const char *code;         /* the new mark */
	const char *reason;
	rt_date on;               /* the day the amendment is made */
	const char *by;           /* who made it */
};

/* Changes one mark, keeping the original in `amendments`, and updates the
 * compact copy, all in one transaction. 0 done; 1 refused (store error says
 * why: unknown pupil, no school session then, the same code); -1 failure. */
int rt_store_amend(struct rt_store *store, const struct rt_amendment *a);

/* Writes a pupil's marks from `from` to `to` in date order, each followed by
 * its amendments. 1 (store error says so) when there is no such pupil. */
int rt_store_write_mark_history(struct rt_store *store, const char *upn, rt_date from, rt_date to, FILE *out);

#endif
