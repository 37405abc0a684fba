/*
 * attend stats: the absence figures the DfE publishes (domain.md §3), per
 * school, per year group and for a local authority.
 *
 * The unit is the enrolment: a pupil on a school's roll with at least one
 * possible session in the period, in year groups 1 to 11 (compulsory school
 * age: 5 to 15 at the start of the year; reception and sixth form are left
 * out, a pupil with no year group is kept). A pupil who moved school counts
 * at each school, with the absence of their time there. Possible sessions
 * are the marked sessions whose code is not "not a possible session";
 * authorised and unauthorised absence are the sessions in those categories
 * (a sub-code counts as its statutory code). A pupil missing 10% or more of
 * their own possible sessions is persistently absent, 50% or more severely.
 */
#ifndef ENG_STATS_H
#define ENG_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "runtime/machine/program.h"
#include "runtime/register/store.h"

#define ENG_STATS_YEARS 15    /* year groups 0..14 */
#define ENG_STATS_NO_YEAR ENG_STATS_YEARS

struct eng_stats_counts {
	int64_t enrolments, possible, authorised, unauthorised, persistent, severe;
};

/* One school week of the enrolments' sessions (for charts). */
struct eng_stats_week {
	rt_date monday;
	int64_t possible, absent;
};

/* One register's figures: the whole school, and each year group (the last
 * entry: pupils with no year group); by school week when asked for. */
struct eng_stats {
	struct eng_stats_counts all;
	struct eng_stats_counts year[ENG_STATS_YEARS + 1];
	struct eng_stats_week *weeks; /* ascending; NULL unless collected with weeks */
	size_t nweeks;
};

/* Adds b to a. */
void eng_stats_add(struct eng_stats_counts *a, const struct eng_stats_counts *b);

/* The figures of every pupil's marks from `from` to `to`. 0; 1 when the
 * register uses codes the policy does not define (reported on diag); -1 on failure. */
int eng_stats_collect(const struct rt_program *prog, struct reg_store *store, rt_date from, rt_date to,
                      struct eng_stats *out, FILE *diag);
/* The same, with the figures of every school week in the period too. Free with eng_stats_free. */
int eng_stats_collect_weeks(const struct rt_program *prog, struct reg_store *store, rt_date from, rt_date to,
                            struct eng_stats *out, FILE *diag);
void eng_stats_free(struct eng_stats *s);

/* One line of the table: a school's (or the LA's) figures, for one year group
 * or all. */
struct eng_stats_row {
	const char *urn;          /* "LA" for the authority */
	const char *school;
	int year;                 /* year group, -1 for all, ENG_STATS_NO_YEAR for pupils with none */
	const struct eng_stats_counts *c;
};

/* 100 * part / whole to two decimals, rounded half up; "" when whole is 0. */
void eng_stats_percent(int64_t part, int64_t whole, char *buf, size_t size);

enum eng_stats_format { ENG_STATS_TEXT, ENG_STATS_CSV, ENG_STATS_JSON };

void eng_stats_write(const struct eng_stats_row *rows, size_t n, rt_date from, rt_date to,
                     enum eng_stats_format format, FILE *out);

/* The rows of one register's figures: all, then each year group with enrolments. Returns
 * how many were written to rows (at most ENG_STATS_YEARS + 2). */
size_t eng_stats_rows(const struct eng_stats *s, const char *urn, const char *school, struct eng_stats_row *rows);

#endif
