/*
 * Writes a synthetic register for the benchmark: calendar.csv, pupils.csv
 * and marks.csv for N pupils over the 2024-25 school year (six half terms,
 * 190 school days, 380 sessions).
 *
 *   gen_register DIR [PUPILS]      (default 100000 pupils)
 *
 * Deterministic: the same arguments give the same files.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/machine/date.h"

static const char *const half_terms[6][3] = {
	{ "2024-09-03", "2024-10-25", "Autumn 1" }, { "2024-11-04", "2024-12-20", "Autumn 2" },
	{ "2025-01-06", "2025-02-14", "Spring 1" }, { "2025-02-24", "2025-04-04", "Spring 2" },
	{ "2025-04-22", "2025-05-23", "Summer 1" }, { "2025-06-02", "2025-07-22", "Summer 2" },
};
static const char *const closures[][2] = {
	{ "2024-11-04", "INSET day" }, { "2025-01-06", "INSET day" }, { "2025-02-24", "INSET day" },
	{ "2025-05-05", "May Day bank holiday" }, { "2025-06-02", "INSET day" },
};
#define NCLOSURES (sizeof closures / sizeof closures[0])

#include "tests/bench/gen_marks.h"

/* The 190 school days, ascending. */
static size_t
school_days(rt_date *days)
{
	size_t n = 0;
	for (int h = 0; h < 6; h++) {
		rt_date a, b;
		rt_date_parse(half_terms[h][0], 10, &a);
		rt_date_parse(half_terms[h][1], 10, &b);
		for (rt_date d = a; d <= b; d++) {
			int closed = rt_date_weekday(d) >= 5;
			for (size_t c = 0; c < NCLOSURES && !closed; c++) {
				rt_date cd;
				rt_date_parse(closures[c][0], 10, &cd);
				closed = cd == d;
			}
			if (!closed)
				days[n++] = d;
		}
	}
	return n;
}

int
main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: gen_register DIR [PUPILS]\n");
		return 2;
	}
	gen_name = "gen_register";
	const char *dir = argv[1];
	long npupils = argc == 3 ? strtol(argv[2], NULL, 10) : 100000;
	if (npupils < 1 || npupils > 99999999) {
		fprintf(stderr, "gen_register: PUPILS must be 1 to 99999999\n");
		return 2;
	}

	FILE *cal = create(dir, "calendar.csv");
	fputs("kind,start,end,session,name\n", cal);
	for (int h = 0; h < 6; h++)
		fprintf(cal, "half_term,%s,%s,,%s\n", half_terms[h][0], half_terms[h][1], half_terms[h][2]);
	for (size_t c = 0; c < NCLOSURES; c++)
		fprintf(cal, "closure,%s,%s,,%s\n", closures[c][0], closures[c][0], closures[c][1]);
	finish(cal, "calendar.csv");

	uint64_t rng = 0x9E3779B97F4A7C15u;
	FILE *pup = create(dir, "pupils.csv");
	fputs("upn,surname,forename,date_of_birth,year_group,admitted\n", pup);
	for (long i = 0; i < npupils; i++) {
		int year = 7 + (int)(i % 5);
		const char *surname = surnames[below(&rng, sizeof surnames / sizeof *surnames)];
		fprintf(pup, "A%012ld,%s%s%s,%s,%d-%02u-%02u,%d,2024-09-03\n", i, strchr(surname, ',') ? "\"" : "",
		        surname, strchr(surname, ',') ? "\"" : "", forenames[below(&rng, sizeof forenames / sizeof *forenames)],
		        2024 - year - 5, 1 + below(&rng, 12), 1 + below(&rng, 28), year);
	}
	finish(pup, "pupils.csv");

	rt_date days[200];
	size_t ndays = school_days(days);
	char dates[200][11];
	for (size_t d = 0; d < ndays; d++)
		rt_date_format(days[d], dates[d]);
	FILE *marks = create(dir, "marks.csv");
	fputs("upn,date,session,code,minutes_late,arrival\n", marks);
	char *buf = malloc(1 << 20);
	if (!buf)
		return 1;
	for (long i = 0; i < npupils; i++) {
		/* Most pupils miss a few percent; some are persistently, a few severely, absent. */
		uint32_t kind = below(&rng, 100);
		unsigned absence = kind < 2 ? 250 + below(&rng, 150) : kind < 15 ? 50 + below(&rng, 40) : below(&rng, 30);
		int streak = 0;
		char upn[16];
		int upn_len = snprintf(upn, sizeof upn, "A%012ld", i);
		char *p = buf;
		for (size_t d = 0; d < ndays; d++) {
			for (int pm = 0; pm < 2; pm++) {
				memcpy(p, upn, (size_t)upn_len);
				p += upn_len;
				*p++ = ',';
				memcpy(p, dates[d], 10);
				p += 10;
				memcpy(p, pm ? ",PM," : ",AM,", 4);
				p += 4;
				p = put_mark(p, &rng, absence, pm, &streak);
			}
		}
		fwrite(buf, 1, (size_t)(p - buf), marks);
	}
	free(buf);
	finish(marks, "marks.csv");
	return 0;
}
