/*
 * Running a verified policy over a register: for each pupil, translate the
 * stored marks into the policy's codes, evaluate, and hand the outcome to a
 * report writer (text, JSON lines or CSV) or to the explainer.
 */
#ifndef ENG_RUNNER_H
#define ENG_RUNNER_H

#include <stdio.h>

#include "runtime/machine/eval.h"
#include "runtime/engine/penalties.h"
#include "runtime/machine/program.h"
#include "runtime/register/store.h"

enum eng_format { ENG_FORMAT_TEXT, ENG_FORMAT_JSON, ENG_FORMAT_CSV };

struct eng_run_options {
	rt_date as_of;
	const char *upn;          /* one pupil, or NULL for all */
	enum eng_format format;
	int explain;              /* write explanations instead of the report */
	FILE *out;
	FILE *diag;               /* problems with the register data */
	int record;               /* also record the day's decisions (eng_replay of the as-of date) */
	const char *letters_dir;  /* write the letters due there instead of the report (attend letters) */
	/* attend notice issue: write nothing; set *notice_due to whether the pupil's
	 * penalty rule holds for this parent (sessions counted toward the parent's
	 * earlier notices left out). Needs upn. */
	const char *notice_parent;
	int *notice_due;
};

/* A mark whose recorded code is not what the policy's arrival rules give. */
struct eng_disagreement {
	rt_date date;
	uint8_t session;
	int16_t arrival;          /* minutes since midnight */
	uint8_t recorded;         /* policy code index of the recorded mark */
	uint8_t expected;         /* policy code index the arrival rules give */
};

/* Everything a report says about one pupil. */
struct eng_outcome {
	const struct reg_pupil *pupil;
	const struct rt_eval *ev;             /* measures, outcomes, stage, summary, trace */
	rt_date as_of;
	const struct rt_fine *fine;           /* fine in force for a first notice, if the penalty rule holds
	                                         and no parents are on record (else see parents) */
	const struct eng_parent_notice *parents; /* per parent, when the penalty rule holds */
	size_t nparents;
	const char *alternative;              /* the policy's alternative to a notice beyond the cap */
	const rt_date *history;               /* held_since per rule by the recorded history to the day
	                                         before as_of; NULL when nothing is recorded */
	const struct eng_disagreement *disagreements;
	size_t ndisagreements;
	int penalty;                          /* the penalty-notice rule holds: a notice must be considered */
	rt_date counted_until;                /* penalty sessions to this date counted toward earlier notices */
};

/*
 * Returns 0 when every pupil was evaluated, 1 when the register holds data
 * the policy cannot evaluate (a code the policy does not define; each one is
 * reported on diag), -1 on a store or evaluation failure (reported on diag).
 */
int eng_run(const struct rt_program *prog, struct reg_store *store, const struct eng_run_options *opt);

/* Builds store-id -> policy-index, reporting on diag every code in use in the
 * register that the policy (named `which` in the message: "the policy", "the
 * new policy") does not define. Returns how many it lacks. */
int eng_map_codes(const struct rt_program *prog, const char *which, struct reg_store *store, char **names, size_t n,
                 uint8_t xlat[256], FILE *diag);

/*
 * Evaluates every school day from `from` to `to` in order, each with the
 * history recorded up to the day before, and records each day's decisions
 * (one transaction for the whole range). A day already recorded is evaluated again and
 * compared: a difference is reported on `out`, never written. A day before
 * the last recorded one that was never recorded is refused: the past is not
 * rewritten. Returns 0, 1 (differences or refused; reported), -1 failure.
 */
struct eng_replay_options {
	rt_date from, to;
	FILE *out;                /* the summary and any differences */
	FILE *diag;
	FILE *progress;           /* a terminal for the progress bar, or NULL */
};

int eng_replay(const struct rt_program *prog, struct reg_store *store, const struct eng_replay_options *opt);

/* Report writers (report.c). begin/end bracket the pupils (CSV header, etc). */
void eng_report_begin(const struct rt_program *prog, enum eng_format format, FILE *out);
void eng_report_pupil(const struct rt_program *prog, enum eng_format format, const struct eng_outcome *o, FILE *out);
void eng_report_end(const struct rt_program *prog, enum eng_format format, FILE *out);

/* Writes each letter due for the pupil to DIR/UPN-LETTER.txt and .html and
 * lists it on `list`. Returns how many letters, or -1 (reported on diag). */
int eng_letters_write_due(const struct rt_program *prog, const struct eng_outcome *o, const char *dir, FILE *list,
                         FILE *diag);

/* The explanation of one pupil in words (explain.c). Needs ev->tracing. */
void eng_explain_pupil(const struct rt_program *prog, const struct eng_outcome *o, FILE *out);

#endif
