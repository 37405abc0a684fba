/*
 * `attend diff`: the impact of a policy change on a real register. Both
 * programs are evaluated for every pupil as of one date; the result says how
 * many pupils move between stages, which penalty notices appear or disappear,
 * which flags change, and who is affected, with totals by year group.
 */
#ifndef TOOL_DIFF_H
#define TOOL_DIFF_H

#include <stddef.h>
#include <stdio.h>

#include "runtime/machine/date.h"
#include "runtime/machine/program.h"
#include "runtime/register/store.h"

struct tool_diff_pupil {
	char *upn;
	char *name;              /* "Surname, Forename" */
	int year_group;          /* years.h; RT_NO_YEAR when not known */
	int old_stage, new_stage;/* 0 = none */
	int old_penalty, new_penalty;
	char *flags;             /* "+likely_persistent_absence -persistent_absence", or "" */
};

struct tool_diff_move {
	int from, to;            /* stages, 0 = none */
	size_t pupils;
};

struct tool_diff_year {
	int year_group;          /* RT_NO_YEAR for pupils with none */
	size_t pupils, affected, up, down, notices_appear, notices_disappear;
};

struct tool_diff {
	rt_date as_of;
	size_t pupils;
	struct tool_diff_pupil *affected;  size_t naffected, cap_affected;
	struct tool_diff_move *moves;      size_t nmoves, cap_moves;     /* from != to only, sorted */
	struct tool_diff_year *years;      size_t nyears, cap_years;     /* sorted by year group */
	size_t notices_appear, notices_disappear;
};

/*
 * Evaluates both programs over every pupil of the register. Returns 0, 1 when
 * the register holds a code one of the policies does not define (each one
 * reported on `diag`), -1 on a store or evaluation failure (reported).
 */
int tool_diff_run(const struct rt_program *old_prog, const struct rt_program *new_prog, struct reg_store *store,
                rt_date as_of, struct tool_diff *out, FILE *diag);

void tool_diff_free(struct tool_diff *d);

enum tool_diff_format { TOOL_DIFF_TEXT, TOOL_DIFF_JSON };

/* Writes the summary, the affected pupils and the totals by year group. */
void tool_diff_write(const struct tool_diff *d, const char *old_name, const char *new_name, enum tool_diff_format format,
                   FILE *out);

#endif
