/*
 * The evaluation loop (outcome.h). Everything that does not change from pupil
 * to pupil is loaded once in eng_pupils_open; eng_pupils_next reads one
 * pupil's compact marks, translates them to the policy's codes, evaluates,
 * and works out the penalty-notice position per parent.
 */
#include "runtime/engine/outcome.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/engine/checks.h"
#include "runtime/engine/codemap.h"
#include "runtime/engine/history.h"

/* At most this many marks with out-of-date codes are listed; the rest are counted. */
#define OUT_OF_DATE_SHOWN 20

struct eng_pupils {
	const struct rt_program *prog;
	struct reg_store *store;
	struct eng_run_params params;
	struct rt_calendar cal;
	uint8_t xlat[256];                   /* store code id -> policy code index */
	uint8_t limited[256];                /* policy code index -> not in use every day */
	struct eng_code_window *windows;
	struct reg_arrival *arr;             /* ordered by pupil id, date and session */
	size_t narr;
	struct reg_decision_list recorded;
	struct eng_history_book book;
	struct reg_penalties pen;
	struct reg_cursor *cur;
	struct rt_eval ev, ev_parent;        /* ev_parent: the penalty rule for one parent's sessions */
	int evals;                           /* how many of the two are initialised */
	uint8_t *marks;                      /* the current pupil's, as policy codes */
	struct eng_disagreement *dis;
	struct eng_parent_notice *parents;
	rt_date *no_history;
	int penalty_rule;
	long out_of_date;
	struct reg_pupil pupil;
	struct eng_outcome outcome;
};

static int
fail(struct eng_pupils *it, const char *what)
{
	fprintf(it->params.diag, "attend: %s\n", what ? what : reg_error(it->store));
	return -1;
}

static int
find_penalty_rule(const struct rt_program *prog)
{
	for (size_t i = 0; i < prog->nrules; i++)
		if (prog->rules[i].kind == RT_RULE_PENALTY)
			return (int)i;
	return -1;
}

/* What the register holds that the policy needs, read once. */
static int
load_register(struct eng_pupils *it)
{
	const struct eng_run_params *p = &it->params;
	if (reg_load_calendar(it->store, &it->cal) || reg_arrivals(it->store, p->upn, &it->arr, &it->narr) ||
	    reg_history_read(it->store, eng_history_policy_key(it->prog), p->as_of, p->upn, &it->recorded) ||
	    reg_penalties_load(it->store, p->upn, &it->pen))
		return fail(it, NULL);
	for (size_t i = 0; i < p->nelsewhere; i++)
		if (reg_penalties_merge(it->store, &it->pen, p->elsewhere[i].pen, p->elsewhere[i].urn))
			return fail(it, NULL);
	int missing = eng_load_code_map(it->prog, it->store, it->xlat, p->diag);
	return missing > 0 ? 1 : missing;
}

/* Scratch for one pupil at a time, the machine, and the cursor over pupils. */
static int
prepare(struct eng_pupils *it)
{
	const struct rt_program *prog = it->prog;
	it->marks = malloc(it->cal.ndays * 2 + 1);
	it->dis = malloc((it->narr + 1) * sizeof *it->dis);
	it->parents = malloc((it->pen.nparents + 1) * sizeof *it->parents);
	it->no_history = malloc((prog->nrules + 1) * sizeof *it->no_history);
	it->windows = malloc((prog->ncodes + 1) * sizeof *it->windows);
	if (!it->marks || !it->dis || !it->parents || !it->no_history || !it->windows ||
	    eng_history_book_build(&it->book, prog, &it->recorded))
		return fail(it, "out of memory");
	for (; it->evals < 2; it->evals++)
		if (rt_eval_init(it->evals ? &it->ev_parent : &it->ev, prog, &it->cal))
			return fail(it, "out of memory");
	it->ev.tracing = it->params.tracing;
	if (reg_pupils_open(it->store, it->params.upn, &it->cur))
		return fail(it, NULL);
	eng_history_clear(it->no_history, prog->nrules);
	eng_code_windows(prog, &it->cal, it->windows, it->limited);
	it->penalty_rule = find_penalty_rule(prog);
	return 0;
}

int
eng_pupils_open(const struct rt_program *prog, struct reg_store *store, const struct eng_run_params *params,
                struct eng_pupils **out)
{
	struct eng_pupils *it = calloc(1, sizeof *it);
	*out = NULL;
	if (!it) {
		fprintf(params->diag, "attend: out of memory\n");
		return -1;
	}
	it->prog = prog;
	it->store = store;
	it->params = *params;
	int status = load_register(it);
	if (status == 0)
		status = prepare(it);
	if (status) {
		eng_pupils_close(it);
		return status;
	}
	*out = it;
	return 0;
}

/*
 * With parents on record, each parent's next notice; else a first notice. A
 * parent whose own notice already counted some of the sessions is owed another
 * only if the threshold is met again without them.
 */
static int
consider_notices(struct eng_pupils *it, const struct eng_pupil_penalties *pp, const struct rt_pupil_history *history)
{
	struct eng_outcome *o = &it->outcome;
	rt_date as_of = it->params.as_of;
	for (size_t i = 0; i < pp->nparents; i++) {
		struct eng_parent_notice *pn = &it->parents[o->nparents++];
		eng_penalties_next(it->prog, pp, pp->parents[i].parent_id, as_of, pn);
		if (pn->covered_until <= history->counted_until)
			continue;
		struct rt_pupil_history mine = { history->held_since, pn->covered_until };
		if (rt_eval_pupil_history(&it->ev_parent, it->marks, as_of, &mine)) {
			fprintf(it->params.diag, "attend: pupil %s: %s\n", it->pupil.upn, it->ev_parent.error);
			return -1;
		}
		pn->covered = !it->ev_parent.outcomes[it->penalty_rule];
	}
	if (!pp->nparents)
		o->fine = rt_program_fine_in_force(it->prog, 1, as_of);
	return 0;
}

/* Evaluates the pupil just read into it->pupil and fills it->outcome. */
static int
evaluate(struct eng_pupils *it)
{
	const struct rt_program *prog = it->prog;
	rt_date as_of = it->params.as_of;
	size_t nsessions = it->cal.ndays * 2;
	uint8_t suspect = eng_translate_marks(it->xlat, it->limited, it->pupil.marks, it->pupil.nmarks, it->marks,
	                                      nsessions);
	/* only marks up to the as-of date: later ones are not part of this evaluation */
	if (suspect)
		it->out_of_date += eng_report_codes_out_of_date(
			prog, &it->cal, it->windows, it->pupil.upn, it->marks, 2 * rt_calendar_upto(&it->cal, as_of),
			it->out_of_date < OUT_OF_DATE_SHOWN ? OUT_OF_DATE_SHOWN - it->out_of_date : 0, it->params.diag);
	const rt_date *held = eng_history_book_find(&it->book, it->pupil.id);
	struct eng_pupil_penalties pp;
	eng_penalties_of(&it->pen, it->pupil.id, &pp);
	struct rt_pupil_history history = { held ? held : it->no_history, eng_penalties_counted_until(&pp, as_of) };
	if (rt_eval_pupil_history(&it->ev, it->marks, as_of, &history)) {
		fprintf(it->params.diag, "attend: pupil %s: %s\n", it->pupil.upn, it->ev.error);
		return -1;
	}
	size_t npa;
	const struct reg_arrival *pa = eng_pupil_arrivals(it->arr, it->narr, it->pupil.id, &npa);
	it->outcome = (struct eng_outcome){
		.pupil = &it->pupil, .ev = &it->ev, .as_of = as_of, .disagreements = it->dis,
		.ndisagreements = eng_find_disagreements(prog, pa, npa, as_of, it->dis), .history = held,
		.parents = it->parents, .alternative = rt_program_str(prog, prog->penalty.alternative),
		.penalty = it->penalty_rule >= 0 && it->ev.outcomes[it->penalty_rule],
		.counted_until = history.counted_until,
	};
	return it->outcome.penalty ? consider_notices(it, &pp, &history) : 0;
}

int
eng_pupils_next(struct eng_pupils *it, const struct eng_outcome **o)
{
	int rc = reg_pupils_next(it->cur, &it->pupil);
	if (rc < 0)
		return fail(it, NULL);
	if (rc == 0)
		return 0;
	if (evaluate(it))
		return -1;
	*o = &it->outcome;
	return 1;
}

int
eng_pupils_close(struct eng_pupils *it)
{
	if (!it)
		return 0;
	long more = it->out_of_date - OUT_OF_DATE_SHOWN;
	if (more > 0)
		fprintf(it->params.diag, "attend: ... and %ld more marks with a code not in use on their date\n", more);
	int found = it->out_of_date > 0;
	reg_pupils_close(it->cur);
	eng_history_book_free(&it->book);
	reg_decision_list_free(&it->recorded);
	reg_penalties_free(&it->pen);
	free(it->parents);
	free(it->no_history);
	free(it->windows);
	if (it->evals > 1)
		rt_eval_free(&it->ev_parent);
	if (it->evals > 0)
		rt_eval_free(&it->ev);
	free(it->dis);
	free(it->marks);
	free(it->arr);
	rt_calendar_free(&it->cal);
	free(it);
	return found;
}
