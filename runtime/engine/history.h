/*
 * The escalation history in memory (docs/history.md): what each rule's
 * recorded state is for each pupil, what a day's evaluation changes in it,
 * and how a re-evaluation of a recorded day compares with what was recorded.
 *
 * A decision is an event: a rule (stage, flag, penalty notice) `entered` on
 * the first day it held or `left` on the first day it no longer held, and the
 * letters and actions of a rule `due` on the day it became due (a stage when
 * it became the pupil's stage). Replaying the events up to a day gives, per
 * rule, the date from which it has held (rt_pupil_history.held_since).
 */
#ifndef ENG_HISTORY_H
#define ENG_HISTORY_H

#include <stdio.h>

#include "runtime/machine/eval.h"
#include "runtime/machine/program.h"
#include "runtime/register/store.h"

/* Per rule: the measures its condition reads and the rules it rests on. */
struct eng_history_rules {
	const struct rt_program *prog;
	int penalty_rule;             /* -1 when the policy has none */
	uint32_t *first;              /* nrules + 1: rule r's entries are items[first[r] .. first[r+1]) */
	uint32_t *items;              /* measure indexes, then (with ENG_HISTORY_RULE_REF set) rule indexes */
};

#define ENG_HISTORY_RULE_REF 0x80000000u

int eng_history_rules_init(struct eng_history_rules *hr, const struct rt_program *prog);
void eng_history_rules_free(struct eng_history_rules *hr);

/* The rule a recorded decision is about, or -1 (a letter or action, or a rule the policy no longer has). */
int eng_history_rule_of(const struct rt_program *prog, const struct reg_decision *d);

/* The name under which a program's history is kept: its school's name, else its file. */
const char *eng_history_policy_key(const struct rt_program *prog);

/* Every pupil's rule states: held_since per rule, as the recorded events leave them. */
struct eng_history_book {
	size_t nrules;
	size_t n, cap;
	int64_t *pupil_ids;           /* ascending */
	rt_date *held;                /* n * nrules */
};

/* The book read from the register: the decisions of `policy` recorded before `before`
 * (one pupil's when upn is not NULL), in storage order. 0, -1 register error (reg_error), 1 out of memory. */
int eng_history_book_load(struct eng_history_book *book, const struct rt_program *prog, struct reg_store *store,
                         const char *policy, rt_date before, const char *upn);
/* The pupil's held_since (nrules entries), or NULL when nothing is recorded for them. */
const rt_date *eng_history_book_find(const struct eng_history_book *book, int64_t pupil_id);
void eng_history_book_free(struct eng_history_book *book);

/* All RT_DATE_MAX: nothing held. */
void eng_history_clear(rt_date *held, size_t nrules);
/* Applies one recorded decision to a pupil's held_since. */
void eng_history_apply(const struct rt_program *prog, rt_date *held, const struct reg_decision *d);

/*
 * What the evaluation in `ev` on `day` changes, given the pupil's held_since
 * by the history to the day before (`prev`): appends the events to `out` and
 * writes the new held_since to `next`. `penalty_detail` (JSON, may be NULL)
 * is added to a penalty notice's entry. 0, or -1 out of memory.
 */
int eng_history_decide(const struct eng_history_rules *hr, const struct rt_eval *ev, int64_t pupil_id, rt_date day,
                      const rt_date *prev, rt_date *next, const char *penalty_detail, struct reg_decision_list *out);

/*
 * Compares a day's decisions for one pupil as evaluated now with those
 * recorded. Writes one line per difference ("UPN DATE: recorded ...; now ...")
 * and returns their number.
 */
size_t eng_history_compare(const struct reg_decision *now, size_t nnow, const struct reg_decision *recorded,
                          size_t nrecorded, const char *upn, FILE *out);


#endif
