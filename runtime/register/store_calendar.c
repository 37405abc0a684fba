/* The calendar tables (half_terms, closures) turned into school days. */
#include "runtime/register/store_impl.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
reg_calendar_free(struct reg_calendar *cal)
{
	for (size_t i = 0; i < cal->nclosures; i++) {
		free(cal->closures[i].reason[0]);
		free(cal->closures[i].reason[1]);
	}
	free(cal->half_terms);
	free(cal->closures);
	free(cal->day_of);
	rt_calendar_free(&cal->days);
	memset(cal, 0, sizeof *cal);
}

static int
column_date(sqlite3_stmt *st, int col, rt_date *out)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	return s ? rt_date_parse(s, strlen(s), out) : -1;
}

static int
read_half_terms(struct reg_store *store, struct reg_calendar *cal)
{
	sqlite3_stmt *st;
	const char *school;
	if (reg_scope(store, &school) ||
	    reg_prepare(store, "SELECT start, end, school_year, number FROM half_terms WHERE school = ? ORDER BY start", &st))
		return -1;
	sqlite3_bind_text(st, 1, school, -1, SQLITE_STATIC);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct reg_half_term h;
		if (column_date(st, 0, &h.start) || column_date(st, 1, &h.end) || h.end < h.start ||
		    (cal->nhalf_terms && h.start <= cal->half_terms[cal->nhalf_terms - 1].end)) {
			sqlite3_finalize(st);
			return reg_fail(store, "%s: the half_terms table holds bad or overlapping dates", store->path);
		}
		h.year = sqlite3_column_int(st, 2);
		h.number = sqlite3_column_int(st, 3);
		if (cal->nhalf_terms == cap) {
			cap = cap ? cap * 2 : 16;
			void *n = realloc(cal->half_terms, cap * sizeof *cal->half_terms);
			if (!n) {
				sqlite3_finalize(st);
				return reg_fail(store, "out of memory");
			}
			cal->half_terms = n;
		}
		cal->half_terms[cal->nhalf_terms++] = h;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot read half terms");
}

static int
read_closures(struct reg_store *store, struct reg_calendar *cal)
{
	sqlite3_stmt *st;
	const char *school;
	if (reg_scope(store, &school) ||
	    reg_prepare(store, "SELECT date, session, reason FROM closures WHERE school = ? ORDER BY date, session", &st))
		return -1;
	sqlite3_bind_text(st, 1, school, -1, SQLITE_STATIC);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rt_date d;
		const char *session = (const char *)sqlite3_column_text(st, 1);
		const char *reason = (const char *)sqlite3_column_text(st, 2);
		if (column_date(st, 0, &d) || !session || !reason) {
			sqlite3_finalize(st);
			return reg_fail(store, "%s: the closures table holds a bad row", store->path);
		}
		int pm = strcmp(session, "PM") == 0;
		if (!cal->nclosures || cal->closures[cal->nclosures - 1].date != d) {
			if (cal->nclosures == cap) {
				cap = cap ? cap * 2 : 16;
				void *n = realloc(cal->closures, cap * sizeof *cal->closures);
				if (!n) {
					sqlite3_finalize(st);
					return reg_fail(store, "out of memory");
				}
				cal->closures = n;
			}
			cal->closures[cal->nclosures++] = (struct reg_closure){ .date = d };
		}
		struct reg_closure *c = &cal->closures[cal->nclosures - 1];
		c->sessions |= pm ? RT_OPEN_PM : RT_OPEN_AM;
		free(c->reason[pm]);
		c->reason[pm] = strdup(reason);
		if (!c->reason[pm]) {
			sqlite3_finalize(st);
			return reg_fail(store, "out of memory");
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : reg_fail_db(store, "cannot read closures");
}

static const struct reg_closure *
find_closure(const struct reg_calendar *cal, rt_date date)
{
	size_t lo = 0, hi = cal->nclosures;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->closures[mid].date < date)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < cal->nclosures && cal->closures[lo].date == date ? &cal->closures[lo] : NULL;
}

/* Walks every weekday of every half term; a day with an open session is a school day. */
static int
derive_days(struct reg_store *store, struct reg_calendar *cal)
{
	if (!cal->nhalf_terms)
		return 0;
	cal->first = cal->half_terms[0].start;
	cal->span = (size_t)(cal->half_terms[cal->nhalf_terms - 1].end - cal->first) + 1;
	cal->day_of = malloc(cal->span * sizeof *cal->day_of);
	/* At most five school days in any seven calendar days. */
	cal->days.days = malloc((cal->span * 5 / 7 + 5) * sizeof *cal->days.days);
	if (!cal->day_of || !cal->days.days)
		return reg_fail(store, "out of memory");
	for (size_t i = 0; i < cal->span; i++)
		cal->day_of[i] = -1;
	for (size_t h = 0; h < cal->nhalf_terms; h++) {
		const struct reg_half_term *ht = &cal->half_terms[h];
		for (rt_date d = ht->start; d <= ht->end; d++) {
			if (rt_date_weekday(d) >= 5)
				continue;
			const struct reg_closure *c = find_closure(cal, d);
			uint8_t open = (RT_OPEN_AM | RT_OPEN_PM) & ~(c ? c->sessions : 0);
			if (!open)
				continue;
			cal->day_of[d - cal->first] = (int32_t)cal->days.ndays;
			cal->days.days[cal->days.ndays++] = (struct rt_school_day){
				.date = d, .open = open, .half_term = (uint8_t)ht->number, .year = (int16_t)ht->year
			};
		}
	}
	rt_calendar_number_weeks(&cal->days);
	return 0;
}

int
reg_calendar_read(struct reg_store *store, struct reg_calendar *cal)
{
	memset(cal, 0, sizeof *cal);
	if (read_half_terms(store, cal) || read_closures(store, cal) || derive_days(store, cal)) {
		reg_calendar_free(cal);
		return -1;
	}
	return 0;
}

long
reg_calendar_day(const struct reg_calendar *cal, rt_date date)
{
	if (date < cal->first || (size_t)(date - cal->first) >= cal->span)
		return -1;
	return cal->day_of[date - cal->first];
}

int
reg_calendar_covers_year(const struct reg_calendar *cal, rt_date date)
{
	int year = rt_date_school_year(date);
	for (size_t h = 0; h < cal->nhalf_terms; h++)
		if (cal->half_terms[h].year == year)
			return 1;
	return 0;
}

const char *
reg_calendar_closed_reason(const struct reg_calendar *cal, rt_date date, int session, char *buf,
                                size_t size)
{
	int year = rt_date_school_year(date);
	const struct reg_half_term *before = NULL, *after = NULL, *in = NULL;
	for (size_t h = 0; h < cal->nhalf_terms; h++) {
		const struct reg_half_term *ht = &cal->half_terms[h];
		if (ht->year != year)
			continue;
		if (ht->end < date)
			before = ht;
		else if (ht->start > date) {
			if (!after)
				after = ht;
		} else
			in = ht;
	}
	if (!in && !before && !after)
		return NULL;                 /* no calendar for that school year */
	if (rt_date_weekday(date) >= 5)
		snprintf(buf, size, "weekend");
	else if (!in && (!before || !after))
		snprintf(buf, size, "summer holiday");
	else if (!in)
		snprintf(buf, size, before->number % 2 ? "half-term holiday" : "holiday between terms");
	else {
		const struct reg_closure *c = find_closure(cal, date);
		int pm = session == RT_PM;
		if (!c || !c->reason[pm])
			return NULL;
		snprintf(buf, size, "%s", c->reason[pm]);
	}
	return buf;
}

int
reg_load_calendar(struct reg_store *store, struct rt_calendar *cal)
{
	struct reg_calendar sc;
	if (reg_calendar_read(store, &sc))
		return -1;
	*cal = sc.days;              /* hand the school days over; free the rest */
	sc.days.days = NULL;
	sc.days.ndays = 0;
	reg_calendar_free(&sc);
	return 0;
}

int
reg_calendar_from_csv(const char *path, struct rt_calendar *cal, FILE *diag)
{
	struct reg_store *s = NULL;
	struct reg_import_stats stats = { 0 };
	int rc = -1;
	if (reg_open(":memory:", REG_CREATE, &s)) {
		fprintf(diag, "attend: %s\n", reg_error(s));
	} else {
		int r = reg_import(s, path, diag, &stats);
		if (r < 0)
			fprintf(diag, "attend: %s: %s\n", path, reg_error(s));
		else if (r == 0 && strcmp(stats.kind, "calendar") != 0)
			fprintf(diag, "attend: %s: a %s file, not a calendar (kind,start,end[,session][,name])\n", path,
			        stats.kind);
		else if (r == 0 && reg_load_calendar(s, cal) == 0)
			rc = 0;
		else if (r == 0)
			fprintf(diag, "attend: %s: %s\n", path, reg_error(s));
	}
	reg_close(s);
	return rc;
}
