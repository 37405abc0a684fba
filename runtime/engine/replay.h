/*
 * Replay: every school day in a range, in order, each evaluated with the
 * history recorded up to the day before, and recorded as it goes
 * (docs/history.md).
 */
#ifndef ENG_REPLAY_H
#define ENG_REPLAY_H

#include <stdio.h>

#include "runtime/machine/program.h"
#include "runtime/register/store.h"

struct eng_replay_options {
	rt_date from, to;
	FILE *out;                /* the summary and any differences */
	FILE *diag;
	FILE *progress;           /* a terminal for the progress bar, or NULL */
	int jobs;                 /* threads evaluating a day (0 or 1: one); the same history for any number */
};

/*
 * Evaluates every school day from `from` to `to` in order and records each
 * day's decisions (one transaction for the whole range). A day already
 * recorded is evaluated again and compared: a difference is reported on `out`,
 * never written. A day before the last recorded one that was never recorded is
 * refused: the past is not rewritten. Returns 0, 1 (differences or refused;
 * reported), -1 failure.
 */
int eng_replay(const struct rt_program *prog, struct reg_store *store, const struct eng_replay_options *opt);

#endif
