/* The DfE absence figures from the compact marks (stats.h, domain.md §3). */
#include "runtime/engine/stats.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/text.h"
#include "runtime/engine/codemap.h"

void
eng_stats_add(struct eng_stats_counts *a, const struct eng_stats_counts *b)
{
	a->enrolments += b->enrolments;
	a->possible += b->possible;
	a->authorised += b->authorised;
	a->unauthorised += b->unauthorised;
	a->persistent += b->persistent;
	a->severe += b->severe;
}

/* Compulsory school age at the start of the year: years 1 to 11 (and pupils with no year group). */
static int
in_cohort(int year_group)
{
	return year_group == RT_NO_YEAR || (year_group >= 1 && year_group <= 11);
}

/* One pupil's sessions over school days [first, last), as an enrolment. */
static void
count_pupil(const struct rt_program *prog, const uint8_t xlat[256], const struct reg_pupil *p, size_t first,
            size_t last, struct eng_stats_counts *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 2 * first; i < 2 * last && i < p->nmarks; i++) {
		uint8_t code = p->marks[i] ? xlat[p->marks[i]] : RT_NO_MARK;
		if (code >= prog->ncodes)
			continue;             /* no mark: not known to be possible */
		switch (prog->codes[code].category) {
		case RT_CAT_NOT_POSSIBLE: continue;
		case RT_CAT_AUTHORISED: c->authorised++; break;
		case RT_CAT_UNAUTHORISED: c->unauthorised++; break;
		default: break;
		}
		c->possible++;
	}
	if (!c->possible)
		return;
	int64_t absent = c->authorised + c->unauthorised;
	c->enrolments = 1;
	c->persistent = 10 * absent >= c->possible;
	c->severe = 2 * absent >= c->possible;
}

static int collect(const struct rt_program *prog, struct reg_store *store, rt_date from, rt_date to, int weekly,
                   struct eng_stats *out, FILE *diag);

/* One slot per school week of days [first, last); slot_of[d - first] for each day. */
static int
make_weeks(const struct rt_calendar *cal, size_t first, size_t last, struct eng_stats *out, size_t **slot_of)
{
	*slot_of = malloc((last - first + 1) * sizeof **slot_of);
	out->weeks = calloc(last - first + 1, sizeof *out->weeks);
	if (!*slot_of || !out->weeks)
		return -1;
	for (size_t d = first; d < last; d++) {
		rt_date monday = rt_date_week_start(cal->days[d].date);
		if (!out->nweeks || out->weeks[out->nweeks - 1].monday != monday)
			out->weeks[out->nweeks++].monday = monday;
		(*slot_of)[d - first] = out->nweeks - 1;
	}
	return 0;
}

static void
count_weeks(const struct rt_program *prog, const uint8_t xlat[256], const struct reg_pupil *p, size_t first,
            size_t last, const size_t *slot_of, struct eng_stats_week *weeks)
{
	for (size_t i = 2 * first; i < 2 * last && i < p->nmarks; i++) {
		uint8_t code = p->marks[i] ? xlat[p->marks[i]] : RT_NO_MARK;
		if (code >= prog->ncodes || prog->codes[code].category == RT_CAT_NOT_POSSIBLE)
			continue;
		struct eng_stats_week *w = &weeks[slot_of[i / 2 - first]];
		w->possible++;
		w->absent += prog->codes[code].category == RT_CAT_AUTHORISED ||
		             prog->codes[code].category == RT_CAT_UNAUTHORISED;
	}
}

void
eng_stats_free(struct eng_stats *s)
{
	free(s->weeks);
	s->weeks = NULL;
	s->nweeks = 0;
}

int
eng_stats_collect(const struct rt_program *prog, struct reg_store *store, rt_date from, rt_date to,
                  struct eng_stats *out, FILE *diag)
{
	return collect(prog, store, from, to, 0, out, diag);
}

int
eng_stats_collect_weeks(const struct rt_program *prog, struct reg_store *store, rt_date from, rt_date to,
                        struct eng_stats *out, FILE *diag)
{
	return collect(prog, store, from, to, 1, out, diag);
}

static int
collect(const struct rt_program *prog, struct reg_store *store, rt_date from, rt_date to, int weekly,
        struct eng_stats *out, FILE *diag)
{
	memset(out, 0, sizeof *out);
	uint8_t xlat[256];
	int missing = eng_load_code_map(prog, store, xlat, diag);
	if (missing)
		return missing < 0 ? -1 : 1;
	struct rt_calendar cal;
	struct reg_cursor *cur = NULL;
	if (reg_load_calendar(store, &cal) || reg_pupils_open(store, NULL, &cur)) {
		fprintf(diag, "attend: %s\n", reg_error(store));
		return -1;
	}
	size_t first = from > RT_DATE_MIN ? rt_calendar_upto(&cal, from - 1) : 0, last = rt_calendar_upto(&cal, to);
	size_t *slot_of = NULL;
	if (last < first)
		last = first;
	struct reg_pupil p;
	int oom = weekly && make_weeks(&cal, first, last, out, &slot_of), rc = -1;
	while (!oom && (rc = reg_pupils_next(cur, &p)) == 1) {
		if (!in_cohort(p.year_group))
			continue;
		struct eng_stats_counts c;
		count_pupil(prog, xlat, &p, first, last, &c);
		if (!c.enrolments)
			continue;
		eng_stats_add(&out->all, &c);
		eng_stats_add(&out->year[p.year_group == RT_NO_YEAR ? ENG_STATS_NO_YEAR : p.year_group], &c);
		if (weekly)
			count_weeks(prog, xlat, &p, first, last, slot_of, out->weeks);
	}
	if (oom)
		fprintf(diag, "attend: out of memory\n");
	else if (rc < 0)
		fprintf(diag, "attend: %s\n", reg_error(store));
	free(slot_of);
	reg_pupils_close(cur);
	rt_calendar_free(&cal);
	return rc < 0 ? -1 : 0;
}

size_t
eng_stats_rows(const struct eng_stats *s, const char *urn, const char *school, struct eng_stats_row *rows)
{
	size_t n = 0;
	rows[n++] = (struct eng_stats_row){ urn, school, -1, &s->all };
	for (int y = 0; y <= ENG_STATS_YEARS; y++)
		if (s->year[y].enrolments)
			rows[n++] = (struct eng_stats_row){ urn, school, y, &s->year[y] };
	return n;
}

void
eng_stats_percent(int64_t part, int64_t whole, char *buf, size_t size)
{
	if (!whole) {
		buf[0] = 0;
		return;
	}
	int64_t hundredths = (20000 * part + whole) / (2 * whole);
	snprintf(buf, size, "%" PRId64 ".%02" PRId64, hundredths / 100, hundredths % 100);
}

static void
year_text(int year, char *buf, size_t size)
{
	if (year < 0)
		snprintf(buf, size, "all");
	else if (year == ENG_STATS_NO_YEAR)
		snprintf(buf, size, "none");
	else if (year == 0)
		snprintf(buf, size, "R");
	else
		snprintf(buf, size, "%d", year);
}

struct rates {
	char overall[24], authorised[24], unauthorised[24], persistent[24], severe[24];
};

static void
rates_of(const struct eng_stats_counts *c, struct rates *r)
{
	eng_stats_percent(c->authorised + c->unauthorised, c->possible, r->overall, sizeof r->overall);
	eng_stats_percent(c->authorised, c->possible, r->authorised, sizeof r->authorised);
	eng_stats_percent(c->unauthorised, c->possible, r->unauthorised, sizeof r->unauthorised);
	eng_stats_percent(c->persistent, c->enrolments, r->persistent, sizeof r->persistent);
	eng_stats_percent(c->severe, c->enrolments, r->severe, sizeof r->severe);
}

static void
write_text(const struct eng_stats_row *rows, size_t n, rt_date from, rt_date to, FILE *out)
{
	char f[11], t[11];
	rt_date_format(from, f);
	rt_date_format(to, t);
	fprintf(out, "Absence from %s to %s (DfE methodology: enrolments in years 1 to 11 with a possible session)\n", f,
	        t);
	fprintf(out, "%-8s %-28s %-4s %10s %9s %8s %8s %8s %6s %7s %6s %7s\n", "URN", "School", "Year", "Enrolments",
	        "Possible", "Overall%", "Auth%", "Unauth%", "PA", "PA%", "SA", "SA%");
	for (size_t i = 0; i < n; i++) {
		const struct eng_stats_counts *c = rows[i].c;
		struct rates r;
		char year[16];
		rates_of(c, &r);
		year_text(rows[i].year, year, sizeof year);
		fprintf(out, "%-8s %-28.28s %-4s %10" PRId64 " %9" PRId64 " %8s %8s %8s %6" PRId64 " %7s %6" PRId64 " %7s\n",
		        rows[i].urn, rows[i].school, year, c->enrolments, c->possible, r.overall, r.authorised,
		        r.unauthorised, c->persistent, r.persistent, c->severe, r.severe);
	}
}

static void
write_csv(const struct eng_stats_row *rows, size_t n, rt_date from, rt_date to, FILE *out)
{
	char f[11], t[11];
	rt_date_format(from, f);
	rt_date_format(to, t);
	fputs("urn,school,year_group,from,to,enrolments,possible_sessions,authorised_sessions,unauthorised_sessions,"
	      "overall_absence_percent,authorised_absence_percent,unauthorised_absence_percent,persistent_absentees,"
	      "persistent_absence_percent,severe_absentees,severe_absence_percent\n", out);
	for (size_t i = 0; i < n; i++) {
		const struct eng_stats_counts *c = rows[i].c;
		struct rates r;
		char year[16];
		rates_of(c, &r);
		year_text(rows[i].year, year, sizeof year);
		fprintf(out, "%s,", rows[i].urn);
		base_csv_field(out, rows[i].school);
		fprintf(out, ",%s,%s,%s,%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%s,%s,%s,%" PRId64 ",%s,%" PRId64 ",%s\n",
		        year, f, t, c->enrolments, c->possible, c->authorised, c->unauthorised, r.overall, r.authorised,
		        r.unauthorised, c->persistent, r.persistent, c->severe, r.severe);
	}
}

static void
write_json(const struct eng_stats_row *rows, size_t n, rt_date from, rt_date to, FILE *out)
{
	char f[11], t[11];
	rt_date_format(from, f);
	rt_date_format(to, t);
	for (size_t i = 0; i < n; i++) {
		const struct eng_stats_counts *c = rows[i].c;
		struct rates r;
		char year[16];
		rates_of(c, &r);
		year_text(rows[i].year, year, sizeof year);
		fprintf(out, "{\"urn\":\"%s\",\"school\":", rows[i].urn);
		base_json_string(out, rows[i].school);
		fprintf(out, ",\"year_group\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"enrolments\":%" PRId64
		             ",\"possible_sessions\":%" PRId64 ",\"authorised_sessions\":%" PRId64
		             ",\"unauthorised_sessions\":%" PRId64 ",\"overall_absence_percent\":\"%s\","
		             "\"authorised_absence_percent\":\"%s\",\"unauthorised_absence_percent\":\"%s\","
		             "\"persistent_absentees\":%" PRId64 ",\"persistent_absence_percent\":\"%s\","
		             "\"severe_absentees\":%" PRId64 ",\"severe_absence_percent\":\"%s\"}\n",
		        year, f, t, c->enrolments, c->possible, c->authorised, c->unauthorised, r.overall, r.authorised,
		        r.unauthorised, c->persistent, r.persistent, c->severe, r.severe);
	}
}

void
eng_stats_write(const struct eng_stats_row *rows, size_t n, rt_date from, rt_date to, enum eng_stats_format format,
                FILE *out)
{
	switch (format) {
	case ENG_STATS_TEXT: write_text(rows, n, from, to, out); break;
	case ENG_STATS_CSV: write_csv(rows, n, from, to, out); break;
	case ENG_STATS_JSON: write_json(rows, n, from, to, out); break;
	}
}
