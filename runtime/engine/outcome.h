/*
 * The evaluation loop: a policy over a register, one pupil at a time.
 *
 * eng_pupils_open loads once what the policy needs (calendar, code map,
 * arrival times, the recorded history, penalty notices); eng_pupils_next
 * yields one complete outcome per pupil. What is done with an outcome is a
 * consumer's business (run.h), never this loop's.
 */
#ifndef ENG_OUTCOME_H
#define ENG_OUTCOME_H

#include <stdio.h>

#include "runtime/engine/penalties.h"
#include "runtime/machine/eval.h"
#include "runtime/machine/program.h"
#include "runtime/register/store.h"

/* A mark whose recorded code is not what the policy's arrival rules give. */
struct eng_disagreement {
	rt_date date;
	uint8_t session;
	int16_t arrival;          /* minutes since midnight */
	uint8_t recorded;         /* policy code index of the recorded mark */
	uint8_t expected;         /* policy code index the arrival rules give */
};

/* Everything known about one pupil as of a date. Valid until the next call. */
struct eng_outcome {
	const struct reg_pupil *pupil;
	const struct rt_eval *ev;             /* measures, outcomes, stage, summary, trace */
	const uint8_t *marks;                 /* policy code per session (2 * ev->cal->ndays), RT_NO_MARK for none */
	rt_date as_of;
	const struct rt_fine *fine;           /* fine in force for a first notice, if the penalty rule holds
	                                         and no parents are on record (else see parents) */
	const struct eng_parent_notice *parents; /* per parent, when the penalty rule holds */
	size_t nparents;
	const struct reg_parent *contacts;    /* the pupil's parents on record, by parent id (letters) */
	size_t ncontacts;
	const char *alternative;              /* the policy's alternative to a notice beyond the cap */
	const rt_date *history;               /* held_since per rule by the recorded history to the day
	                                         before as_of; NULL when nothing is recorded */
	const struct eng_disagreement *disagreements;
	size_t ndisagreements;
	int penalty;                          /* the penalty-notice rule holds: a notice must be considered */
	rt_date counted_until;                /* penalty sessions to this date counted toward earlier notices */
};

/* Penalty notices recorded in another school's register of the local
 * authority: they count toward the cap for a child who moved (docs/la.md). */
struct eng_elsewhere {
	const char *urn;
	const struct reg_penalties *pen;
};

/* What to evaluate. */
struct eng_run_params {
	rt_date as_of;
	const char *upn;          /* one pupil, or NULL for all */
	int tracing;              /* keep the VM's trace of comparisons (for explain) */
	FILE *diag;               /* problems with the register data */
	const struct eng_elsewhere *elsewhere; /* the LA's other schools' notices, or NULL */
	size_t nelsewhere;
	int jobs;                 /* threads evaluating pupils (0 or 1: this thread alone); the
	                             outcomes are the same, in the same order, for any number */
};

struct eng_pupils;

/* 0 ready; 1 the register uses codes the policy does not define (each
 * reported on diag); -1 a store failure or out of memory (reported). */
int eng_pupils_open(const struct rt_program *prog, struct reg_store *store, const struct eng_run_params *params,
                    struct eng_pupils **out);

/* 1 with *o set, 0 after the last pupil, -1 on failure (reported on diag). */
int eng_pupils_next(struct eng_pupils *it, const struct eng_outcome **o);

/* Frees the loop. Returns 1 when marks with a code not in use on their date
 * were seen (reported as they were met), else 0. */
int eng_pupils_close(struct eng_pupils *it);

#endif
