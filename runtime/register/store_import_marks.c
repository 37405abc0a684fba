/*
 * Importing session marks. One pass over the file checks every row, inserts
 * it into `marks` (in file order, fastest when the file is sorted by pupil
 * and date) and sets it in the pupil's in-memory compact copy, which also
 * finds duplicates; each touched pupil's pupil_marks row is written once at
 * the end. Once a problem is found nothing more is inserted, and the caller
 * rolls back.
 */
#include "runtime/register/store_impl.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

enum { C_UPN, C_DATE, C_SESSION, C_CODE, C_MINUTES_LATE, C_ARRIVAL, C__COUNT };

/* With a policy's codes given (attend import --policy), whether `code` is one of them. */
static int
known_code(const struct reg_store *store, const char *code)
{
	for (size_t i = 0; i < store->nknown_codes; i++)
		if (strcmp(store->known_codes[i], code) == 0)
			return 1;
	return 0;
}

static const char *const columns[C__COUNT] = { "upn", "date", "session", "code", "minutes_late", "arrival" };

struct pupil {
	int64_t id;
	const char *upn;
	uint8_t *blob;            /* nblob code ids then nblob bits "set by this file"; NULL until touched */
	int owns_upn;             /* upn was copied by reg_marks_pupil */
	int timed;                /* a mark with a time was added: pupil_timed is written again */
};

/* A mark off the compact copy (a "#" on a day the school does not meet). */
struct off_mark {
	uint32_t pupil;           /* index + 1; 0 for an empty hash slot */
	rt_date date;
	uint8_t pm;
	long line;
};

/* A duplicate within the file whose first line is found by a second pass. */
struct pending {
	size_t problem;
	uint32_t pupil;
	rt_date date;
	uint8_t pm;
	long first_line;
};

/* A mark in the register whose code the file gives differently. */
struct change {
	uint32_t pupil;
	rt_date date;
	uint8_t pm;
	char code[5];
	long line;
};

struct reg_marks {
	struct reg_importer *imp;
	struct reg_store *store;
	struct reg_calendar cal;
	struct reg_codebook *book;
	struct pupil *pupils;
	size_t npupils, cap_pupils;
	char *upns;               /* every UPN, NUL-separated */
	uint32_t *slots;          /* hash of UPN -> pupil index + 1 */
	size_t nslots;
	size_t nblob;
	struct off_mark *off;     /* hash of the marks off the compact copy */
	size_t noff, cap_off;
	struct pending pending[REG_MAX_PROBLEMS];
	size_t npending;
	sqlite3_stmt *read_blob, *write_blob, *find_mark;
	struct reg_rows *rows;    /* the marks on their way into `marks` (a writer thread with two jobs) */
	uint32_t last_pupil;      /* cache: files list a pupil's marks together */
	int writing;              /* 0 once a problem was found */
	struct change *changes;   /* marks whose code the file changes (written as amendments) */
	size_t nchanges, cap_changes;
};

static uint64_t
hash_upn(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return h;
}

/* Doubles the UPN lookup. 0, or -1 out of memory. */
static int
rehash(struct reg_marks *m)
{
	size_t n = m->nslots * 2;
	uint32_t *slots = calloc(n, sizeof *slots);
	if (!slots)
		return -1;
	for (size_t i = 0; i < m->npupils; i++) {
		size_t s = hash_upn(m->pupils[i].upn, strlen(m->pupils[i].upn)) & (n - 1);
		while (slots[s])
			s = (s + 1) & (n - 1);
		slots[s] = (uint32_t)(i + 1);
	}
	free(m->slots);
	m->slots = slots;
	m->nslots = n;
	return 0;
}

static int
load_pupils(struct reg_marks *m)
{
	sqlite3_stmt *st;
	long count;
	if (reg_prepare_scoped(m->store, "SELECT count(*), coalesce(sum(length(CAST(upn AS BLOB)) + 1), 0) FROM pupils"
	                                 " WHERE school = :school", &st))
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return reg_fail_db(m->store, "cannot read pupils");
	}
	count = (long)sqlite3_column_int64(st, 0);
	size_t bytes = (size_t)sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	m->nslots = 64;
	while (m->nslots < (size_t)count * 2)
		m->nslots *= 2;
	m->pupils = calloc((size_t)count + 1, sizeof *m->pupils);
	m->cap_pupils = (size_t)count + 1;
	m->upns = malloc(bytes + 1);
	m->slots = calloc(m->nslots, sizeof *m->slots);
	if (!m->pupils || !m->upns || !m->slots)
		return reg_fail(m->store, "out of memory");
	if (reg_prepare_scoped(m->store, "SELECT id, upn FROM pupils WHERE school = :school", &st))
		return -1;
	size_t used = 0;
	int rc;
	/* Sized in bytes, not characters (a UPN need not be ASCII); a pupil that
	 * does not fit is an error, never silently left out of the lookup. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *upn = (const char *)sqlite3_column_text(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);
		if (!upn || m->npupils >= (size_t)count || used + len + 1 > bytes) {
			sqlite3_finalize(st);
			return reg_fail(m->store, "%s: pupils changed while they were read", m->store->path);
		}
		memcpy(m->upns + used, upn, len + 1);
		struct pupil *p = &m->pupils[m->npupils];
		p->id = sqlite3_column_int64(st, 0);
		p->upn = m->upns + used;
		used += len + 1;
		size_t s = hash_upn(upn, len) & (m->nslots - 1);
		while (m->slots[s])
			s = (s + 1) & (m->nslots - 1);
		m->slots[s] = (uint32_t)++m->npupils;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return reg_fail_db(m->store, "cannot read pupils");
	return 0;
}

/* Index + 1 of the pupil with this UPN, or 0. */
static uint32_t
find_pupil(const struct reg_marks *m, const char *upn, size_t len)
{
	if (m->last_pupil && strcmp(m->pupils[m->last_pupil - 1].upn, upn) == 0)
		return m->last_pupil;
	for (size_t s = hash_upn(upn, len) & (m->nslots - 1); m->slots[s]; s = (s + 1) & (m->nslots - 1))
		if (strcmp(m->pupils[m->slots[s] - 1].upn, upn) == 0)
			return m->slots[s];
	return 0;
}

/* Adds a pupil written during this import (a CTF) to the lookup. */
int
reg_marks_pupil(struct reg_marks *m, int64_t id, const char *upn)
{
	size_t len = strlen(upn);
	m->last_pupil = 0;
	if (find_pupil(m, upn, len))
		return 0;
	if (2 * (m->npupils + 1) > m->nslots && rehash(m))
		return m->imp->failed = reg_fail(m->store, "out of memory");
	if (m->npupils == m->cap_pupils) {
		size_t cap = m->cap_pupils ? 2 * m->cap_pupils : 1024;
		struct pupil *p = realloc(m->pupils, cap * sizeof *p);
		if (!p)
			return m->imp->failed = reg_fail(m->store, "out of memory");
		m->pupils = p;
		m->cap_pupils = cap;
	}
	char *copy = strdup(upn);
	if (!copy)
		return m->imp->failed = reg_fail(m->store, "out of memory");
	m->pupils[m->npupils] = (struct pupil){ .id = id, .upn = copy, .owns_upn = 1 };
	size_t s = hash_upn(upn, len) & (m->nslots - 1);
	while (m->slots[s])
		s = (s + 1) & (m->nslots - 1);
	m->slots[s] = (uint32_t)++m->npupils;
	return 0;
}

void
reg_marks_hold(struct reg_marks *m)
{
	reg_rows_hold(m->rows);
}

void
reg_marks_release(struct reg_marks *m)
{
	reg_rows_release(m->rows);
}

/* The pupil's compact copy, loaded from pupil_marks on first use. */
static uint8_t *
pupil_blob(struct reg_marks *m, struct pupil *p)
{
	if (p->blob)
		return p->blob;
	p->blob = calloc(1, m->nblob + m->nblob / 8 + 1);
	if (!p->blob) {
		m->imp->failed = reg_fail(m->store, "out of memory");
		return NULL;
	}
	reg_rows_hold(m->rows);
	sqlite3_bind_int64(m->read_blob, 1, p->id);
	int rc = sqlite3_step(m->read_blob);
	if (rc == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(m->read_blob, 0);
		const void *b = sqlite3_column_blob(m->read_blob, 0);
		if (b)
			memcpy(p->blob, b, n < m->nblob ? n : m->nblob);
	} else if (rc != SQLITE_DONE)
		m->imp->failed = reg_fail_db(m->store, "cannot read pupil_marks");
	sqlite3_reset(m->read_blob);
	reg_rows_release(m->rows);
	return m->imp->failed ? NULL : p->blob;
}

static int
parse_session(const char *s, size_t len)
{
	if (len == 2 && (s[1] == 'M' || s[1] == 'm')) {
		if (s[0] == 'A' || s[0] == 'a')
			return RT_AM;
		if (s[0] == 'P' || s[0] == 'p')
			return RT_PM;
	}
	return -1;
}

/* The code already recorded in the database for an off-calendar mark, or NULL. */
static const char *
recorded_code(struct reg_marks *m, int64_t pupil_id, const char *date, int pm, char *buf, size_t size)
{
	const char *found = NULL;
	reg_rows_hold(m->rows);
	sqlite3_bind_int64(m->find_mark, 1, pupil_id);
	sqlite3_bind_text(m->find_mark, 2, date, -1, SQLITE_STATIC);
	sqlite3_bind_text(m->find_mark, 3, pm ? "PM" : "AM", 2, SQLITE_STATIC);
	int rc = sqlite3_step(m->find_mark);
	if (rc == SQLITE_ROW) {
		snprintf(buf, size, "%s", (const char *)sqlite3_column_text(m->find_mark, 0));
		found = buf;
	} else if (rc != SQLITE_DONE)
		m->imp->failed = reg_fail_db(m->store, "cannot read marks");
	sqlite3_reset(m->find_mark);
	reg_rows_release(m->rows);
	return found;
}

static void
duplicate_in_file(struct reg_marks *m, long line, uint32_t pupil, const char *date, rt_date d, int pm)
{
	struct reg_importer *imp = m->imp;
	size_t before = imp->nproblems;
	reg_import_problem(imp, line, "session", "duplicate mark for %s on %s %s (first earlier in the file)",
	                  m->pupils[pupil - 1].upn, date, pm ? "PM" : "AM");
	if (imp->nproblems > before)
		m->pending[m->npending++] = (struct pending){ before, pupil, d, (uint8_t)pm, 0 };
}

static uint64_t
off_key(uint32_t pupil, rt_date date, int pm)
{
	return ((uint64_t)pupil << 33) | ((uint64_t)(uint32_t)date << 1) | (uint64_t)pm;
}

/* The slot of key in the off-copy hash (m->off, m->cap_off a power of two). */
static struct off_mark *
off_slot(struct off_mark *table, size_t cap, uint32_t pupil, rt_date date, int pm)
{
	uint64_t key = off_key(pupil, date, pm);
	size_t s = (size_t)((key * 0x9E3779B97F4A7C15u) >> 20) & (cap - 1);
	while (table[s].pupil && off_key(table[s].pupil, table[s].date, table[s].pm) != key)
		s = (s + 1) & (cap - 1);
	return &table[s];
}

/* Records a mark off the compact copy: 0 new, 1 already in the register with
 * this code, or -1 when it is a duplicate or a change (reported). School
 * systems may send "#" for every pupil on every closed day: a hash, not a list. */
static int
note_off_mark(struct reg_marks *m, long line, uint32_t pupil, const char *date, rt_date d, int pm, const char *new_code)
{
	if (2 * (m->noff + 1) > m->cap_off) {
		size_t cap = m->cap_off ? m->cap_off * 2 : 1024;
		struct off_mark *n = calloc(cap, sizeof *n);
		if (!n) {
			m->imp->failed = reg_fail(m->store, "out of memory");
			return -1;
		}
		for (size_t i = 0; i < m->cap_off; i++)
			if (m->off[i].pupil)
				*off_slot(n, cap, m->off[i].pupil, m->off[i].date, m->off[i].pm) = m->off[i];
		free(m->off);
		m->off = n;
		m->cap_off = cap;
	}
	struct off_mark *o = off_slot(m->off, m->cap_off, pupil, d, pm);
	if (o->pupil) {
		reg_import_problem(m->imp, line, "session", "duplicate mark for %s on %s %s (first on line %ld)",
		                  m->pupils[pupil - 1].upn, date, pm ? "PM" : "AM", o->line);
		return -1;
	}
	char code[16];
	int unchanged = 0;
	if (recorded_code(m, m->pupils[pupil - 1].id, date, pm, code, sizeof code)) {
		if (strcmp(code, new_code) != 0) {
			m->imp->refused++;
			reg_import_problem(m->imp, line, "code",
			                  "%s %s %s is \"%s\" in the register, \"%s\" here; the school is closed then,"
			                  " so it cannot be amended", m->pupils[pupil - 1].upn, date, pm ? "PM" : "AM", code,
			                  new_code);
			return -1;
		}
		unchanged = 1;
	}
	*o = (struct off_mark){ pupil, d, (uint8_t)pm, line };
	m->noff++;
	return unchanged;
}

/* A date in a school year the calendar lacks: said once per year (the first
 * such date), with how to add it; later ones are only counted. */
static void
outside_calendar(struct reg_importer *imp, long line, const char *date, int y)
{
	for (int i = 0; i < imp->noutside; i++)
		if (imp->outside_year[i] == y) {
			imp->errors++;
			return;
		}
	if (imp->noutside < (int)(sizeof imp->outside_year / sizeof imp->outside_year[0]))
		imp->outside_year[imp->noutside++] = y;
	reg_import_problem(imp, line, "date", "%s is outside the calendar (no half terms in school year %d-%02d); import"
	                  " the school's term dates for %d-%02d first (attend import DB term-dates.csv; docs/import.md)",
	                  date, y, (y + 1) % 100, y, (y + 1) % 100);
}

/* Checks the date and session against the calendar: the school day index, -2 for an
 * allowed "#" off the calendar, or -1 (reported). */
static long
check_open(struct reg_marks *m, long line, const char *date, rt_date d, int pm, const char *code)
{
	long day = reg_calendar_day(&m->cal, d);
	if (day >= 0 && (m->cal.days.days[day].open & (pm ? RT_OPEN_PM : RT_OPEN_AM)))
		return day;
	char reason[128];
	if (!reg_calendar_closed_reason(&m->cal, d, pm ? RT_PM : RT_AM, reason, sizeof reason)) {
		outside_calendar(m->imp, line, date, rt_date_school_year(d));
		return -1;
	}
	if (strcmp(code, "#") == 0)
		return -2;
	if (day >= 0)       /* the other session of the day is open */
		reg_import_problem(m->imp, line, "date", "the school is closed on %s %s (%s)", date, pm ? "PM" : "AM",
		                  reason);
	else
		reg_import_problem(m->imp, line, "date", "the school is closed on %s (%s)", date, reason);
	return -1;
}

static int
code_id(struct reg_marks *m, long line, const char *code, size_t len)
{
	int id = reg_codebook_find(m->book, code, len);
	if (id)
		return id;
	reg_rows_hold(m->rows);
	id = reg_codebook_add(m->store, m->book, code, len);
	reg_rows_release(m->rows);
	if (id == -1)
		reg_import_problem(m->imp, line, "code", "\"%s\" would be the register's %dth different code; at most %d are kept",
		                  code, REG_MAX_CODE_ID + 1, REG_MAX_CODE_ID);
	if (id == -2)
		m->imp->failed = 1;
	return id;
}

static void
insert_mark(struct reg_marks *m, int64_t pupil_id, const char *date, const struct reg_mark_in *in)
{
	struct reg_mark_row r = { .pupil_id = pupil_id, .pm = (uint8_t)in->pm, .minutes_late = (int16_t)in->minutes_late };
	memcpy(r.date, date, 11);
	memcpy(r.code, in->code, in->code_len + 1);
	memcpy(r.arrival, in->arrival_len ? in->arrival : "", in->arrival_len + 1);
	if (reg_rows_add(m->rows, &r))
		m->imp->failed = -1;
}

/* A mark already in the register: the same code is skipped and counted; a
 * different one is refused, or with --amend kept to become an amendment. */
static void
mark_in_register(struct reg_marks *m, const struct reg_mark_in *in, uint32_t pupil, const char *date, int old_id)
{
	struct reg_importer *imp = m->imp;
	const char *old = m->book->names[old_id];
	if (strlen(old) == in->code_len && memcmp(old, in->code, in->code_len) == 0) {
		imp->unchanged++;
		return;
	}
	if (!imp->opt->amend) {
		imp->refused++;
		reg_import_problem(imp, in->line, "code", "%s %s %s is \"%s\" in the register, \"%s\" here (give --amend"
		                  " --reason TEXT --by NAME to record the change as an amendment)", m->pupils[pupil - 1].upn,
		                  date, in->pm ? "PM" : "AM", old, in->code);
		return;
	}
	if (m->nchanges == m->cap_changes) {
		size_t cap = m->cap_changes ? 2 * m->cap_changes : 64;
		struct change *c = realloc(m->changes, cap * sizeof *c);
		if (!c) {
			imp->failed = reg_fail(m->store, "out of memory");
			return;
		}
		m->changes = c;
		m->cap_changes = cap;
	}
	struct change *c = &m->changes[m->nchanges++];
	*c = (struct change){ pupil, in->date, (uint8_t)in->pm, "", in->line };
	memcpy(c->code, in->code, in->code_len + 1);
}

/* Checks one mark against the register and the rest of the file and queues it. */
void
reg_marks_add(struct reg_marks *m, const struct reg_mark_in *in)
{
	struct reg_importer *imp = m->imp;
	long errors = imp->errors, line = in->line;
	uint32_t pupil = find_pupil(m, in->upn, in->upn_len);
	if (!pupil)
		reg_import_problem(imp, line, in->upn_field, "unknown pupil \"%s\"", in->upn);
	else
		m->last_pupil = pupil;
	if (!reg_code_is_valid(in->code, in->code_len))
		reg_import_problem(imp, line, in->code_field, "unknown code \"%s\" (a code is 1 to 4 of A-Z 0-9 / \\ # -)",
		                  in->code);
	else if (imp->store->known_codes && !known_code(imp->store, in->code))
		reg_import_problem(imp, line, in->code_field, "unknown code \"%s\": the policy does not define it", in->code);
	if (imp->errors != errors)
		goto done;
	char date[11];
	rt_date_format(in->date, date);
	int pm = in->pm;
	long day = check_open(m, line, date, in->date, pm, in->code);
	if (day == -1)
		goto done;
	if (day >= 0) {
		uint8_t *blob = pupil_blob(m, &m->pupils[pupil - 1]);
		if (!blob)
			return;
		size_t slot = 2 * (size_t)day + (size_t)pm;
		uint8_t *seen = blob + m->nblob;
		if (seen[slot / 8] & (1u << (slot % 8))) {
			duplicate_in_file(m, line, pupil, date, in->date, pm);
			goto done;
		}
		seen[slot / 8] |= (uint8_t)(1u << (slot % 8));
		if (blob[slot]) {
			mark_in_register(m, in, pupil, date, blob[slot]);
			goto done;
		}
		int id = code_id(m, line, in->code, in->code_len);
		if (id < 0)
			goto done;
		blob[slot] = (uint8_t)id;
	} else {
		int off = note_off_mark(m, line, pupil, date, in->date, pm, in->code);
		if (off) {
			imp->unchanged += off > 0;
			goto done;
		}
	}
	if (m->writing) {
		insert_mark(m, m->pupils[pupil - 1].id, date, in);
		m->pupils[pupil - 1].timed |= in->minutes_late >= 0 || in->arrival_len > 0;
	}
	imp->rows++;
done:
	if (imp->errors != errors)
		m->writing = 0;
}

/* One row of a marks CSV: checks its fields and adds its mark. */
static void
import_row(struct reg_marks *m)
{
	struct reg_importer *imp = m->imp;
	long line = imp->csv.line, errors = imp->errors;
	size_t len[C__COUNT];
	const char *f[C__COUNT];
	for (int c = 0; c < C__COUNT; c++)
		f[c] = reg_import_field(imp, (size_t)c, &len[c]);
	if (!len[C_UPN])
		reg_import_problem(imp, line, "upn", "missing");
	rt_date d = 0;
	if (!len[C_DATE])
		reg_import_problem(imp, line, "date", "missing");
	else
		reg_import_date(imp, line, "date", f[C_DATE], len[C_DATE], &d);
	int pm = parse_session(f[C_SESSION], len[C_SESSION]);
	if (pm < 0)
		reg_import_problem(imp, line, "session", "\"%s\" is not AM or PM", f[C_SESSION]);
	if (!len[C_CODE])
		reg_import_problem(imp, line, "code", "missing");
	else if (len[C_CODE] == 1 && f[C_CODE][0] == '-')
		reg_import_problem(imp, line, "code", "\"-\" means no mark was recorded; leave the row out");
	long minutes_late = -1;
	if (len[C_MINUTES_LATE]) {
		char *end;
		errno = 0;
		minutes_late = strtol(f[C_MINUTES_LATE], &end, 10);
		if (*end || end == f[C_MINUTES_LATE] || f[C_MINUTES_LATE][0] == '-' || errno || minutes_late > 720) {
			reg_import_problem(imp, line, "minutes_late", "\"%s\" is not a number of minutes (0 to 720)",
			                  f[C_MINUTES_LATE]);
			minutes_late = -1;
		}
	}
	int arrival;
	if (len[C_ARRIVAL] && rt_time_parse(f[C_ARRIVAL], len[C_ARRIVAL], &arrival))
		reg_import_problem(imp, line, "arrival", "\"%s\" is not a time (HH:MM)", f[C_ARRIVAL]);
	if (imp->errors != errors) {
		m->writing = 0;
		return;
	}
	struct reg_mark_in in = { line, "upn", "code", f[C_UPN], len[C_UPN], d, pm, f[C_CODE], len[C_CODE],
	                          minutes_late, f[C_ARRIVAL], len[C_ARRIVAL] };
	reg_marks_add(m, &in);
}

/* Second pass, only after duplicates within the file: finds where each was first given. */
static int
find_first_lines(struct reg_marks *m)
{
	struct reg_importer *imp = m->imp;
	struct reg_csv csv;
	long last = 0;
	for (size_t i = 0; i < m->npending; i++)
		if (imp->problems[m->pending[i].problem].line > last)
			last = imp->problems[m->pending[i].problem].line;
	if (reg_csv_open(&csv, imp->path))
		return imp->failed = reg_fail(m->store, "cannot reopen %s: %s", imp->name, strerror(errno));
	if (imp->opt->encoding && reg_csv_set_encoding(&csv, imp->opt->encoding)) {
		reg_csv_close(&csv);
		return imp->failed = reg_fail(m->store, "out of memory");
	}
	int rc = reg_csv_next(&csv); /* the header */
	while (rc >= -1 && (rc = reg_csv_next(&csv)) != 0 && csv.line < last) {
		if (rc != 1 || csv.nfields != imp->nheader)
			continue;
		const struct reg_csv_field *fu = &csv.field[imp->column_of[C_UPN]];
		const struct reg_csv_field *fd = &csv.field[imp->column_of[C_DATE]];
		const struct reg_csv_field *fs = &csv.field[imp->column_of[C_SESSION]];
		uint32_t pupil = find_pupil(m, fu->s, fu->len);
		rt_date d;
		int pm = parse_session(fs->s, fs->len);
		if (!pupil || pm < 0 || rt_date_parse(fd->s, fd->len, &d))
			continue;
		for (size_t i = 0; i < m->npending; i++) {
			struct pending *p = &m->pending[i];
			if (!p->first_line && p->pupil == pupil && p->date == d && p->pm == pm)
				p->first_line = csv.line;
		}
	}
	reg_csv_close(&csv);
	for (size_t i = 0; i < m->npending; i++) {
		const struct pending *p = &m->pending[i];
		char date[11];
		rt_date_format(p->date, date);
		if (p->first_line)
			reg_import_problem_set(imp, p->problem, "session", "duplicate mark for %s on %s %s (first on line %ld)",
			                      m->pupils[p->pupil - 1].upn, date, p->pm ? "PM" : "AM", p->first_line);
	}
	return 0;
}

static int
write_blobs(struct reg_marks *m)
{
	for (size_t i = 0; i < m->npupils; i++) {
		const struct pupil *p = &m->pupils[i];
		if (!p->blob)
			continue;
		sqlite3_bind_int64(m->write_blob, 1, p->id);
		sqlite3_bind_blob(m->write_blob, 2, p->blob, (int)m->nblob, SQLITE_STATIC);
		int rc = sqlite3_step(m->write_blob);
		sqlite3_reset(m->write_blob);
		if (rc != SQLITE_DONE)
			return m->imp->failed = reg_fail_db(m->store, "cannot write pupil_marks");
	}
	return 0;
}

/* pupil_timed follows marks in the same transaction, for the pupils given a timed mark. */
static int
write_timed(struct reg_marks *m)
{
	struct reg_timed_writer w;
	if (reg_timed_writer_open(m->store, &w))
		return m->imp->failed = -1;
	for (size_t i = 0; i < m->npupils; i++)
		if (m->pupils[i].timed && reg_timed_writer_put(m->store, &w, m->pupils[i].id)) {
			m->imp->failed = -1;
			break;
		}
	reg_timed_writer_close(&w);
	return m->imp->failed;
}

/* Each queued change becomes an amendment, as `attend amend` writes one. */
static int
write_amendments(struct reg_marks *m)
{
	const struct reg_import_options *o = m->imp->opt;
	for (size_t i = 0; i < m->nchanges; i++) {
		const struct change *c = &m->changes[i];
		struct reg_amendment a = { m->pupils[c->pupil - 1].upn, c->date, c->pm ? RT_PM : RT_AM, c->code,
		                           o->reason, o->on, o->by };
		int rc = reg_amend_within(m->store, &a);
		if (rc < 0)
			return m->imp->failed = -1;
		if (rc > 0)
			reg_import_problem(m->imp, c->line, "code", "%s", reg_error(m->store));
		else
			m->imp->amended++;
	}
	return 0;
}

int
reg_marks_begin(struct reg_importer *imp, struct reg_marks **out)
{
	struct reg_marks *m = calloc(1, sizeof *m);
	*out = m;
	if (!m || !(m->book = malloc(sizeof *m->book)))
		return imp->failed = reg_fail(imp->store, "out of memory");
	m->imp = imp;
	m->store = imp->store;
	/* This transaction keeps pupil_marks in step and never replaces a mark: the per-row
	 * guards are lifted until reg_marks_finish puts them back (docs/schema.md). */
	if (reg_marks_guards(m->store, 0) || load_pupils(m) || reg_calendar_read(m->store, &m->cal) || reg_codebook_load(m->store, m->book) ||
	    reg_prepare(m->store, "SELECT marks FROM pupil_marks WHERE pupil_id = ?", &m->read_blob) ||
	    reg_prepare(m->store, "INSERT OR REPLACE INTO pupil_marks (pupil_id, marks) VALUES (?, ?)",
	                     &m->write_blob) ||
	    reg_prepare(m->store, "SELECT code FROM marks WHERE pupil_id = ? AND date = ? AND session = ?",
	                     &m->find_mark) ||
	    reg_rows_open(m->store, imp->opt->jobs, &m->rows))
		return imp->failed = -1;
	m->nblob = 2 * m->cal.days.ndays;
	m->writing = 1;
	return 0;
}

int
reg_marks_finish(struct reg_marks *m)
{
	if (m->imp->failed)
		return -1;
	/* With one job every full chunk is written as it fills, and a failed write stops the import
	 * before any later problem is found; with two, the rows already handed to the writer are
	 * written first, so that its failure is reported the same way, never lost behind a problem. */
	if (m->imp->errors)
		return reg_rows_drain(m->rows) ? (m->imp->failed = -1) : 0;
	if (reg_rows_close(m->rows))
		return m->imp->failed = -1;
	return write_blobs(m) || write_timed(m) || write_amendments(m) || reg_marks_guards(m->store, 1) ? -1 : 0;
}

void
reg_marks_free(struct reg_marks *m)
{
	if (!m)
		return;
	reg_rows_free(m->rows);
	sqlite3_finalize(m->read_blob);
	sqlite3_finalize(m->write_blob);
	sqlite3_finalize(m->find_mark);
	for (size_t i = 0; i < m->npupils; i++) {
		free(m->pupils[i].blob);
		if (m->pupils[i].owns_upn)
			free((char *)m->pupils[i].upn);
	}
	free(m->pupils);
	free(m->upns);
	free(m->slots);
	free(m->off);
	free(m->book);
	free(m->changes);
	reg_calendar_free(&m->cal);
	free(m);
}

int
reg_import_marks(struct reg_importer *imp)
{
	struct reg_marks *m;
	if (reg_import_columns(imp, columns, C__COUNT, 4))
		return 0;
	int rc = -1;
	if (reg_marks_begin(imp, &m) == 0) {
		while (!imp->failed && reg_import_next(imp) == 1)
			import_row(m);
		if (!imp->failed && imp->errors && m->npending)
			find_first_lines(m);
		rc = reg_marks_finish(m);
	}
	reg_marks_free(m);
	return rc;
}
