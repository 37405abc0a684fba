/*
 * The compute floor for `make bench`: the core of a policy run written in
 * plain C over arrays already in memory. It loads every pupil (UPN order)
 * and their compact marks from the register first, untimed; then, timed,
 * it counts each pupil's marks up to the as-of date, works out the school
 * year's possible, present, authorised and unauthorised sessions, the
 * attendance percentage, persistent and severe absence and the unauthorised
 * sessions of the last 10 school weeks, and writes one CSV line per pupil to
 * a file. No policy, no bytecode, no SQLite in the timed part: what attend
 * could at best approach on one core.
 *
 *   floor REGISTER AS-OF OUT.csv      prints the seconds of the timed part: wall, then CPU
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/machine/calendar.h"
#include "runtime/register/store.h"

enum category { NONE, PRESENT, AUTHORISED, UNAUTHORISED, NOT_POSSIBLE };

struct pupil {
	char upn[16];
	char name[64];        /* "surname, forename", CSV-quoted when it needs to be */
	const uint8_t *marks; /* 2 * ndays store code ids */
};

static void
die(const char *what)
{
	fprintf(stderr, "floor: %s\n", what);
	exit(1);
}

/* The DfE categories, as the bench's sqlite3 baseline lists them. */
static enum category
category_of(const char *code)
{
	static const char *const present[] = { "/", "\\", "L", "B", "K", "P", "V", "W", "D" };
	static const char *const authorised[] = { "C", "C1", "C2", "E", "I", "J1", "M", "R", "S", "T" };
	static const char *const unauthorised[] = { "G", "N", "O", "U" };
	for (size_t i = 0; i < sizeof present / sizeof *present; i++)
		if (!strcmp(code, present[i]))
			return PRESENT;
	for (size_t i = 0; i < sizeof authorised / sizeof *authorised; i++)
		if (!strcmp(code, authorised[i]))
			return AUTHORISED;
	for (size_t i = 0; i < sizeof unauthorised / sizeof *unauthorised; i++)
		if (!strcmp(code, unauthorised[i]))
			return UNAUTHORISED;
	return NOT_POSSIBLE;
}

static void
load_codes(sqlite3 *db, uint8_t cat[256])
{
	sqlite3_stmt *st;
	memset(cat, NONE, 256);
	if (sqlite3_prepare_v2(db, "SELECT id, code FROM codes", -1, &st, NULL))
		die(sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW)
		cat[sqlite3_column_int(st, 0) & 255] = (uint8_t)category_of((const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
}

static void
quote_name(const char *sur, const char *fore, char *out, size_t size)
{
	char raw[64];
	snprintf(raw, sizeof raw, "%s, %s", sur, fore);
	if (!strpbrk(raw, ",\"")) {
		snprintf(out, size, "%s", raw);
		return;
	}
	size_t n = 0;
	out[n++] = '"';
	for (const char *s = raw; *s && n + 3 < size; s++) {
		if (*s == '"')
			out[n++] = '"';
		out[n++] = *s;
	}
	out[n++] = '"';
	out[n] = 0;
}

static struct pupil *
load_pupils(sqlite3 *db, size_t nbytes, size_t *n)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT p.upn, p.surname, p.forename, m.marks FROM pupils p"
	                           " JOIN pupil_marks m ON m.pupil_id = p.id ORDER BY p.upn", -1, &st, NULL))
		die(sqlite3_errmsg(db));
	size_t cap = 1024, count = 0;
	struct pupil *p = malloc(cap * sizeof *p);
	while (p && sqlite3_step(st) == SQLITE_ROW) {
		if (count == cap && !(p = realloc(p, (cap *= 2) * sizeof *p)))
			break;
		struct pupil *q = &p[count++];
		snprintf(q->upn, sizeof q->upn, "%s", (const char *)sqlite3_column_text(st, 0));
		quote_name((const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2), q->name,
		           sizeof q->name);
		uint8_t *m = calloc(1, nbytes);
		if (!m)
			die("out of memory");
		size_t have = (size_t)sqlite3_column_bytes(st, 3);
		memcpy(m, sqlite3_column_blob(st, 3), have < nbytes ? have : nbytes);
		q->marks = m;
	}
	if (!p)
		die("out of memory");
	sqlite3_finalize(st);
	*n = count;
	return p;
}

static char *
put_uint(char *p, unsigned v)
{
	char tmp[12];
	int n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *
put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

/* The timed part: every pupil, one line each. */
static void
evaluate(const struct pupil *pupils, size_t n, const uint8_t cat[256], size_t upto, size_t window_begin,
         const char *as_of, FILE *out)
{
	static char buf[1 << 16];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t bins[256] = { 0 }, window = 0;
		const uint8_t *m = pupils[i].marks;
		for (size_t s = 0; s < 2 * upto; s++)
			bins[m[s]]++;
		for (size_t s = 2 * window_begin; s < 2 * upto; s++)
			window += cat[m[s]] == UNAUTHORISED;
		unsigned by[5] = { 0 };
		for (int c = 1; c < 256; c++)
			by[cat[c]] += bins[c];
		unsigned possible = by[PRESENT] + by[AUTHORISED] + by[UNAUTHORISED];
		unsigned absent = by[AUTHORISED] + by[UNAUTHORISED];
		char *p = buf + len;
		p = put_str(p, pupils[i].upn);
		*p++ = ',';
		p = put_str(p, pupils[i].name);
		*p++ = ',';
		p = put_str(p, as_of);
		const unsigned figures[4] = { possible, by[PRESENT], by[AUTHORISED], by[UNAUTHORISED] };
		for (int k = 0; k < 4; k++) {
			*p++ = ',';
			p = put_uint(p, figures[k]);
		}
		*p++ = ',';
		if (possible) {
			unsigned hundredths = (unsigned)((20000ull * by[PRESENT] / possible + 1) / 2);
			p = put_uint(p, hundredths / 100);
			*p++ = '.';
			*p++ = (char)('0' + hundredths / 10 % 10);
			*p++ = (char)('0' + hundredths % 10);
		}
		p = put_str(p, possible && 10 * absent >= possible ? ",yes" : ",no");
		p = put_str(p, possible && 2 * absent >= possible ? ",yes," : ",no,");
		p = put_uint(p, window);
		*p++ = '\n';
		len = (size_t)(p - buf);
		if (len > sizeof buf - 512) {
			fwrite(buf, 1, len, out);
			len = 0;
		}
	}
	fwrite(buf, 1, len, out);
}

int
main(int argc, char **argv)
{
	if (argc != 4)
		die("usage: floor REGISTER AS-OF OUT.csv");
	rt_date as_of;
	if (rt_date_parse(argv[2], strlen(argv[2]), &as_of))
		die("bad as-of date");
	struct reg_store *store;
	struct rt_calendar cal;
	if (reg_open(argv[1], REG_READONLY, &store) || reg_load_calendar(store, &cal))
		die("cannot read the register's calendar");
	reg_close(store);
	sqlite3 *db;
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL))
		die("cannot open the register");
	uint8_t cat[256];
	load_codes(db, cat);
	size_t n, upto = rt_calendar_upto(&cal, as_of), window_begin = upto;
	struct pupil *pupils = load_pupils(db, 2 * cal.ndays + 1, &n);
	sqlite3_close(db);
	/* the last 10 school weeks, counting as-of's week */
	while (window_begin > 0 && cal.days[upto - 1].week - cal.days[window_begin - 1].week < 10)
		window_begin--;
	FILE *out = fopen(argv[3], "w");
	if (!out)
		die("cannot create the output");

	struct timespec t0, t1, c0, c1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	fputs("upn,name,as_of,possible,present,authorised,unauthorised,attendance_percent,persistent_absence,"
	      "severe_absence,unauthorised_10_weeks\n", out);
	evaluate(pupils, n, cat, upto, window_begin, argv[2], out);
	if (fclose(out))
		die("cannot write the output");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	printf("%.4f %.4f\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9);
	return 0;
}
