/*
 * The register store: a SQLite database (schema in docs/schema.md).
 *
 * The `marks` table is the legal record and answers plain SQL. Beside it,
 * `pupil_marks` keeps a compact copy of each pupil's marks (one byte per
 * session, in calendar order: see calendar.h) that every write to `marks`
 * updates in the same transaction; evaluation reads only the compact copy.
 *
 * Errors: functions return 0 on success and -1 on failure with a message
 * available from reg_error(). Imports report every problem in the file
 * as "file:line: field: problem" and write nothing unless the whole file is good.
 */
#ifndef REG_H
#define REG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "runtime/machine/calendar.h"
#include "runtime/machine/date.h"
#include "runtime/machine/years.h"

struct reg_store;
struct sqlite3;

enum {
	REG_CREATE = 0x01,   /* create the file and the schema if missing (attend init) */
	REG_READONLY = 0x02,
	REG_UNCHECKED = 0x04  /* open even when pupil_marks is out of step (check-register) */
};

/* On failure *out is still set (unless memory ran out, then NULL) so that
 * reg_error() can say why; close it either way. */
int reg_open(const char *path, int flags, struct reg_store **out);

/* Compares every mark with the compact copy (pupil_marks) that runs read,
 * printing each difference on `report`: 0 with *differences set, or -1
 * (reg_error). reg_repair_blobs rebuilds the copy from marks. */
int reg_check_blobs(struct reg_store *store, FILE *report, long *differences);
int reg_repair_blobs(struct reg_store *store);
/* The message for the last failure ("out of memory" for a NULL store). */
const char *reg_error(const struct reg_store *store);
void reg_close(struct reg_store *store);
struct sqlite3 *reg_db(struct reg_store *store);

struct reg_import_stats {
	const char *kind;         /* "marks", "pupils", "parents", "calendar" or "schools" */
	long rows;                /* rows written (marks: new marks) */
	long errors;              /* problems reported (nothing written if > 0) */
	long unchanged, amended, refused; /* marks: already there, changed with --amend, changed and refused */
	long pupils, warnings;    /* a CTF: pupils added or updated; warnings about its totals */
};

/*
 * Imports one CSV file; its kind comes from its header (docs/schema.md):
 *   marks:    upn,date,session,code[,minutes_late][,arrival]
 *   pupils:   upn,surname,forename[,date_of_birth][,year_group][,admitted][,left]
 *   calendar: kind,start,end[,session][,name]   (kind: half_term | closure)
 *   parents:  upn,parent_id,name[,relationship][,address]
 *   schools:  urn,name[,laestab][,phase]       (the schools the register holds)
 * Problems go to `diag` as "file:line: field: problem". Returns 0 when the
 * file was imported, 1 when it had problems (and nothing was written), -1 on
 * an I/O or database failure.
 */
int reg_import(struct reg_store *store, const char *path, FILE *diag, struct reg_import_stats *stats);

/* The school the register belongs to (store_schools.c; docs/la.md). */
struct reg_school {
	char urn[8];              /* 6 digits */
	char laestab[8];          /* 7 digits, "" when not given */
	char name[128];
	char phase[32];           /* "" when not given */
};

/* The school the store works on (reg_use_school): 1 with *out filled, 0 when
 * the register names no school, -1 on failure. */
int reg_school_get(struct reg_store *store, struct reg_school *out);

/* Chooses which of a register's schools every later call works on: its
 * pupils, calendar, marks, history and notices (attend --school URN). NULL,
 * the default, is the register's only school. Checked when first needed. */
int reg_use_school(struct reg_store *store, const char *urn);
/* 0 when the chosen school can be used; -1 with an error naming the schools
 * the register holds when there are several and none was chosen, or when the
 * chosen one is not there. */
int reg_check_school(struct reg_store *store);

/* How to read a file that is not in attend's own layout (docs/import.md). */
struct reg_import_options {
	const char *encoding;     /* "windows-1252", "latin-1"; NULL: the file must be UTF-8 */
	const char *date_format;  /* "dd/mm/yyyy" or "yyyy-mm-dd"; NULL: either (a slash date is day first) */
	const char *columns;      /* "Mark=code,Adno=-" or a file of such lines; NULL: none */
	int amend;                /* a mark whose code changed becomes an amendment (else it is refused) */
	const char *reason, *by;  /* the amendments' reason and who made them (both needed with amend) */
	rt_date on;               /* the day the amendments are made */
	const char *name;         /* what messages call the file ("-" for standard input); NULL: its path */
	int jobs;                 /* 2 or more: marks are written on a thread beside the reading; 0 or 1: none */
};

/* reg_import with options (NULL: none). A file that starts with "<" is read as
 * a DfE Common Transfer File (kind "ctf"): its pupils and attendance marks. */
int reg_import_with(struct reg_store *store, const char *path, const struct reg_import_options *opt, FILE *diag,
                    struct reg_import_stats *stats);

/* 1 when the register has half terms, 0 when it has no calendar yet, -1 on failure. */
int reg_has_calendar(struct reg_store *store);

/* From now on, imports report a mark whose code is not one of `codes` as
 * "code: unknown code" (attend import --policy: the policy's codes). Copied. */
int reg_set_known_codes(struct reg_store *store, const char *const *codes, size_t n);

/* Whether any mark in the register has this code: 1, 0, or -1 on error. */
int reg_code_in_use(struct reg_store *store, const char *code);

/* The school days of a calendar CSV file (docs/schema.md), read through an
 * in-memory register so that they are exactly those an imported register would
 * have (attend test). 0, or -1 with the problems reported on diag. */
int reg_calendar_from_csv(const char *path, struct rt_calendar *cal, FILE *diag);

/* Loads the school days (with half terms and weeks numbered). */
int reg_load_calendar(struct reg_store *store, struct rt_calendar *cal);

/* The code dictionary used by the compact marks: names[id] for id 1..n-1
 * (names[0] is NULL: id 0 means "no mark"). Free with reg_free_codes. */
int reg_codes(struct reg_store *store, char ***names, size_t *n);
void reg_free_codes(char **names, size_t n);

/* A mark recorded with a time of arrival or minutes late (for the L/U check). */
struct reg_arrival {
	int64_t pupil_id;
	rt_date date;
	uint8_t session;          /* enum rt_session */
	int16_t arrival;          /* minutes since midnight, -1 if only minutes_late was given */
	int16_t minutes_late;     /* -1 if not given */
	char code[8];             /* the recorded mark */
};

struct reg_pupil {
	int64_t id;
	const char *upn;
	const char *surname;
	const char *forename;
	int year_group;           /* N1 = -2, N2 = -1, R = 0, 1 to 14 (years.h); RT_NO_YEAR when not given */
	const uint8_t *marks;     /* 2 per calendar school day, store code ids, 0 = no mark */
	size_t nmarks;            /* may be shorter than 2 * ndays: the rest have no mark */
	const struct reg_arrival *arrivals; /* its marks with a time (pupil_timed), by date and session */
	size_t narrivals;
};

struct reg_cursor;

/* Iterates pupils in UPN order; `upn` NULL for all, else just that pupil, each with
 * its timed marks decoded from its pupil_timed record as it is read.
 * Row pointers stay valid until the next call. */
int reg_pupils_open(struct reg_store *store, const char *upn, struct reg_cursor **out);
/* 1 when *out holds a pupil, 0 at the end, -1 on error. */
int reg_pupils_next(struct reg_cursor *cur, struct reg_pupil *out);
void reg_pupils_close(struct reg_cursor *cur);

/* The timed marks of every pupil (for one pupil when upn is not NULL) at once, ordered by
 * pupil, date, session: what the cursor decodes pupil by pupil, for tests to compare. */
int reg_arrivals(struct reg_store *store, const char *upn, struct reg_arrival **out, size_t *n);

/* ---- The decision history (store_history.c; docs/history.md) ---- */

enum reg_decision_event { REG_EVENT_ENTERED, REG_EVENT_LEFT, REG_EVENT_DUE };

/* One row of `decisions`: something the policy decided for a pupil on a day. */
struct reg_decision {
	int64_t pupil_id;
	rt_date as_of;
	const char *kind;         /* "stage", "flag", "penalty_notice", "letter" or "action" (a static string) */
	uint8_t event;            /* enum reg_decision_event */
	int stage;                /* the stage number for stages and their letters and actions, else 0 */
	char *name;               /* owned by the list */
	char *detail;             /* owned by the list; NULL when there is none */
};

struct reg_decision_list {
	struct reg_decision *items;
	size_t n, cap;
};

/* Appends a copy of name and detail (detail may be NULL). 0, or -1 out of memory. */
int reg_decision_add(struct reg_decision_list *list, int64_t pupil_id, rt_date as_of, const char *kind, int event,
                    int stage, const char *name, const char *detail);
void reg_decision_list_clear(struct reg_decision_list *list);
void reg_decision_list_free(struct reg_decision_list *list);
const char *reg_decision_event_name(int event);

/* The school days recorded for `policy`, ascending. Free *days. */
int reg_history_days(struct reg_store *store, const char *policy, rt_date **days, size_t *n);
/* Called with each decision of reg_history_states; name lives until the call returns, detail is NULL.
 * Nonzero stops the read and is returned. */
typedef int (*reg_decision_fn)(void *ctx, const struct reg_decision *d);
/* The `entered` and `left` decisions of `policy` recorded before `before` (for one pupil of this
 * school when upn is not NULL, else for the pupils of every school in the register), in the order
 * they were recorded (id), pupils and days mixed: what rule states are made of, read in storage
 * order without sorting or copying. 0, fn's nonzero, or -1 (error set). */
int reg_history_states(struct reg_store *store, const char *policy, rt_date before, const char *upn,
                       reg_decision_fn fn, void *ctx);
/* One notice to improve in the decision history: the day the flag notice_to_improve
 * was entered under a policy, and the day it was left (RT_DATE_MAX while it holds). */
struct reg_improve_notice {
	const char *upn;
	const char *policy;
	rt_date given, ended;
};
/* Calls `each` for every notice to improve (one pupil's when upn is not NULL), by UPN then date;
 * 0, or -1 with the store's error set. A non-zero return from `each` stops and is returned. */
int reg_improve_each(struct reg_store *store, const char *upn,
                     int (*each)(const struct reg_improve_notice *n, void *ctx), void *ctx);
/* Appends the decisions of `policy` recorded on `day`, by pupil then recording order. */
int reg_history_read_day(struct reg_store *store, const char *policy, rt_date day, struct reg_decision_list *out);
/* One transaction around many days of reg_history_record (attend replay), `days` of them;
 * end keeps (keep != 0) or rolls back everything since begin. In between, the table's guard
 * trigger is lifted, and the pupil index when the days are as many as the history holds. */
int reg_history_begin(struct reg_store *store, size_t days);
int reg_history_end(struct reg_store *store, int keep);
/* Records `day` as evaluated and its decisions (the rows of `nlists` lists, in order), in one
 * transaction (or within the caller's, opened with reg_history_begin). Refuses
 * (store error, -1) a day already recorded: the history is never rewritten. */
int reg_history_record(struct reg_store *store, const char *policy, rt_date day,
                       const struct reg_decision_list *lists, size_t nlists);

/* Writes every decision recorded for one pupil, by policy and date. */
int reg_write_decisions(struct reg_store *store, const char *upn, FILE *out);

/* ---- Parents and penalty notices (store_notices.c) ---- */

enum reg_notice_state { REG_NOTICE_ISSUED, REG_NOTICE_PAID, REG_NOTICE_WITHDRAWN, REG_NOTICE_PROSECUTED };

struct reg_parent {
	int64_t pupil_id;
	char *parent_id;
	char *name;
	char *relationship;       /* NULL when not given */
	char *address;            /* postal address, one line per line; NULL when not given */
};

struct reg_notice {
	int64_t id;
	int64_t pupil_id;
	char *upn;
	char *parent_id;
	int ordinal;              /* 1 = first notice to this parent for this pupil */
	rt_date issued;
	int64_t pence, later_pence;
	int days, later_days;
	uint8_t state;            /* enum reg_notice_state */
	rt_date state_on;         /* when it reached that state */
	char *school;             /* the URN of the school whose register holds it, when that is
	                             another register of the local authority (reg_penalties_merge); else NULL */
	int unpaid_days;          /* the policy's `unpaid after N days` when it was issued; 0 if not recorded */
	char *unpaid_action;      /* and what follows then; NULL if not recorded */
};

/* What the policy said of an unpaid notice, recorded when it is issued. */
struct reg_unpaid {
	int days;                 /* 0: the policy says nothing */
	const char *action;       /* NULL: the policy says nothing */
};

/* The last day a notice is not yet overdue: its issue date plus the policy's `unpaid after N days`
 * (never before its last payment day), or plus its payment window when that was not recorded. */
rt_date reg_notice_unpaid_after(const struct reg_notice *n);
/* Issued, and still unpaid after that day on `as_of`: the local authority acts. */
int reg_notice_overdue(const struct reg_notice *n, rt_date as_of);
/* What follows an overdue notice: the policy's text, or "prosecute or withdraw". */
const char *reg_notice_unpaid_action(const struct reg_notice *n);

/* Every parent and notice (of one pupil when upn is not NULL), by pupil id, then
 * parent id, then date of issue. */
struct reg_penalties {
	struct reg_parent *parents; size_t nparents;
	struct reg_notice *notices; size_t nnotices;
};

int reg_penalties_load(struct reg_store *store, const char *upn, struct reg_penalties *out);
void reg_penalties_free(struct reg_penalties *p);

/* Adds the notices of `from` (loaded from another school's register, school
 * `urn`) for pupils this register also holds, matched by UPN: a child who moved
 * keeps their notice history across the local authority (docs/la.md). Parents
 * match by parent_id, so the schools must share the authority's parent ids.
 * Keeps `into` in pupil, parent, issue order. 0, or -1 on failure. */
int reg_penalties_merge(struct reg_store *store, struct reg_penalties *into, const struct reg_penalties *from,
                        const char *urn);
const char *reg_notice_state_name(int state);

/* Issues a notice (one transaction). Returns 0 and sets *id, 1 when the pupil
 * or parent is unknown (store error says which), -1 on failure. */
int reg_notice_issue(struct reg_store *store, const char *upn, const char *parent_id, int ordinal,
                          rt_date issued, int64_t pence, int days, int64_t later_pence, int later_days,
                          const struct reg_unpaid *unpaid, int64_t *id);
/* Moves an issued notice to paid, withdrawn or prosecuted on `date`. 1 (store
 * error says why) when there is no such notice or it is no longer issued. */
int reg_notice_set_state(struct reg_store *store, int64_t id, int state, rt_date date);

/* ---- Amendments (store_amend.c) ---- */

struct reg_amendment {
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
int reg_amend(struct reg_store *store, const struct reg_amendment *a);

/* Writes a pupil's marks from `from` to `to` in date order, each followed by
 * its amendments. 1 (store error says so) when there is no such pupil. */
int reg_write_mark_history(struct reg_store *store, const char *upn, rt_date from, rt_date to, FILE *out);

#endif
