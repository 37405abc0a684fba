/*
 * Penalty notices per parent and pupil (domain.md §4): the ordinal the next
 * notice would have, the cap on notices in a number of years (withdrawn
 * notices do not count), the amounts in force on a date, and which penalty
 * sessions earlier notices already counted.
 */
#ifndef ENG_PENALTIES_H
#define ENG_PENALTIES_H

#include "runtime/machine/program.h"
#include "runtime/register/store.h"

/* One pupil's slice of reg_penalties. */
struct eng_pupil_penalties {
	const struct reg_parent *parents; size_t nparents;
	const struct reg_notice *notices; size_t nnotices;
};

/* What a notice to one parent would be on a date. */
struct eng_parent_notice {
	const struct reg_parent *parent;
	int counted;                  /* earlier notices counted toward the cap */
	int ordinal;                  /* counted + 1 */
	int capped;                   /* the cap is reached: the policy's alternative instead */
	const struct rt_fine *fine;   /* the amounts in force for that ordinal, NULL when none */
	rt_date covered_until;        /* this parent's own "counted until" (see below) */
	int covered;                  /* the sessions that meet the threshold were already counted
	                                 toward this parent's notice of covered_until */
};

void eng_penalties_of(const struct reg_penalties *all, int64_t pupil_id, struct eng_pupil_penalties *out);

/*
 * Penalty sessions on or before the result were counted toward a notice
 * issued on or before `as_of` (withdrawn or not: a session counts toward one
 * notice only; a notice issued today covers today's sessions). Each parent is owed their own notice for the same sessions (two
 * parents, two notices), so for the pupil this is the earliest of the
 * parents' own dates: the threshold is considered while any parent could
 * still receive a notice for the sessions. With no parents on record, every
 * notice of the pupil counts.
 */
rt_date eng_penalties_counted_until(const struct eng_pupil_penalties *pp, rt_date as_of);

/* The same for one parent: their latest notice on or before `as_of`, RT_DATE_MIN if none. */
rt_date eng_penalties_parent_counted_until(const struct eng_pupil_penalties *pp, const char *parent_id, rt_date as_of);

/* The next notice to `parent_id` for this pupil if issued on `date`. The cap
 * runs from a first notice: notices issued within cap_years of it count
 * (withdrawn ones do not), and the first notice after that period starts a
 * new one (domain.md §4.2). */
void eng_penalties_next(const struct rt_program *prog, const struct eng_pupil_penalties *pp, const char *parent_id,
                       rt_date date, struct eng_parent_notice *out);

/* "notices":[{"parent":"P1","notice":1,"amount_pence":8000,...}|{"parent":"P2","alternative":"..."}]
 * for a decision's detail; an empty string when the pupil has no parents on record. */
void eng_penalties_detail(const struct rt_program *prog, const struct eng_pupil_penalties *pp, rt_date date,
                         char *buf, size_t size);

/* A fine as a parent reads it: "£80.00 within 21 days, or £160.00 within 28 days". */
void eng_fine_text(const struct rt_fine *f, char *buf, size_t size);

#endif
