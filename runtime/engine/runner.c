#include "runtime/engine/runner.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/engine/history.h"

/* Store code ids that the policy does not define translate to this; the run
 * refuses to start if any exist, so it never reaches the VM. */
#define UNMAPPED 254

int
eng_map_codes(const struct rt_program *prog, const char *which, struct reg_store *store, char **names, size_t n,
             uint8_t xlat[256], FILE *diag)
{
	int missing = 0;
	memset(xlat, RT_NO_MARK, 256);
	for (size_t id = 1; id < n && id < 256; id++) {
		if (!names[id])
			continue;
		int code = rt_program_find_code(prog, names[id]);
		/* The dictionary keeps every code ever imported; one that an amendment has
		 * since replaced everywhere does not stop a run (rarely asked: only for
		 * codes the policy lacks). */
		if (code < 0 && reg_code_in_use(store, names[id]) == 0)
			continue;
		if (code < 0) {
			fprintf(diag, "attend: the register uses code \"%s\", which %s does not define "
			              "(map it with `code \"%s\" maps to \"...\"`)\n", names[id], which, names[id]);
			xlat[id] = UNMAPPED;
			missing++;
		} else {
			xlat[id] = (uint8_t)code;
		}
	}
	return missing;
}

/* The code the policy's arrival rules give for arriving at `arrival` in `session`,
 * or RT_NO_MARK when the pupil was on time. */
static uint8_t
expected_for_arrival(const struct rt_program *prog, int session, int arrival)
{
	const struct rt_arrival_rule *best = NULL;
	for (size_t i = 0; i < prog->narrivals; i++) {
		const struct rt_arrival_rule *a = &prog->arrivals[i];
		if (a->session == session && arrival > a->after && (!best || a->after > best->after))
			best = a;
	}
	return best ? best->code : RT_NO_MARK;
}

static int
is_arrival_code(const struct rt_program *prog, int session, uint8_t code)
{
	for (size_t i = 0; i < prog->narrivals; i++)
		if (prog->arrivals[i].session == session && prog->codes[prog->arrivals[i].code].maps_to ==
		    prog->codes[code].maps_to)
			return 1;
	return 0;
}

/*
 * Compares recorded late marks with the policy's arrival rules. Only marks
 * that are present or that an arrival rule could give are checked: a
 * medical appointment (M) recorded for a late arrival is a legitimate choice.
 */
static size_t
find_disagreements(const struct rt_program *prog, const struct reg_arrival *arr, size_t narr, rt_date as_of,
                   struct eng_disagreement *out)
{
	size_t n = 0;
	for (size_t i = 0; i < narr; i++) {
		if (arr[i].date > as_of) /* not yet happened, as far as this evaluation knows */
			continue;
		int code = rt_program_find_code(prog, arr[i].code);
		if (code < 0)
			continue;
		int session = arr[i].session;
		int arrival = arr[i].arrival;
		if (arrival < 0) {
			int opens = prog->sessions[session].opens;
			if (arr[i].minutes_late < 0 || opens < 0)
				continue;
			arrival = opens + arr[i].minutes_late;
		}
		uint8_t statutory = prog->codes[code].maps_to;
		if (prog->codes[statutory].category != RT_CAT_PRESENT && !is_arrival_code(prog, session, (uint8_t)code))
			continue;
		uint8_t expected = expected_for_arrival(prog, session, arrival);
		int agrees = expected == RT_NO_MARK ? !is_arrival_code(prog, session, (uint8_t)code)
		                                    : prog->codes[expected].maps_to == statutory;
		if (agrees)
			continue;
		out[n++] = (struct eng_disagreement){ arr[i].date, (uint8_t)session, (int16_t)arrival, (uint8_t)code,
		                                     expected };
	}
	return n;
}

/* The school days on which each code may be used: [first, end) as day indexes.
 * A code with no dates in the policy gets the whole calendar. */
struct code_window {
	size_t first, end;
};

static void
code_windows(const struct rt_program *prog, const struct rt_calendar *cal, struct code_window *w)
{
	for (size_t c = 0; c < prog->ncodes; c++) {
		const struct rt_code *code = &prog->codes[c];
		w[c].first = code->valid_from == RT_DATE_MIN ? 0 : rt_calendar_upto(cal, code->valid_from - 1);
		w[c].end = code->valid_until == RT_DATE_MAX ? cal->ndays : rt_calendar_upto(cal, code->valid_until);
	}
}

/* Reports marks whose code the policy says was not in use on that date (H after
 * 18 August 2024): the figures would count them, but the register is wrong.
 * Returns how many; prints at most `room` of them. */
static long
report_codes_out_of_date(const struct rt_program *prog, const struct rt_calendar *cal, const struct code_window *w,
                         const char *upn, const uint8_t *marks, size_t nsessions, long room, FILE *diag)
{
	long found = 0;
	for (size_t i = 0; i < nsessions; i++) {
		uint8_t c = marks[i];
		if (c == RT_NO_MARK || c >= prog->ncodes || (i / 2 >= w[c].first && i / 2 < w[c].end))
			continue;
		if (found++ < room) {
			const struct rt_code *code = &prog->codes[c];
			char date[11], bound[11];
			rt_date_format(cal->days[i / 2].date, date);
			int after = i / 2 >= w[c].end;
			rt_date_format(after ? code->valid_until : code->valid_from, bound);
			fprintf(diag, "attend: pupil %s: %s %s: code \"%s\" is not in use on that date (in use %s %s)\n",
			        upn, date, i % 2 ? "PM" : "AM", rt_program_str(prog, code->name), after ? "until" : "from",
			        bound);
		}
	}
	return found;
}

/* The arrivals of one pupil: a slice of the array sorted by pupil id. */
static const struct reg_arrival *
pupil_arrivals(const struct reg_arrival *arr, size_t narr, int64_t pupil_id, size_t *count)
{
	size_t lo = 0, hi = narr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (arr[mid].pupil_id < pupil_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < narr && arr[end].pupil_id == pupil_id)
		end++;
	*count = end - lo;
	return arr + lo;
}

static int
find_penalty_rule(const struct rt_program *prog)
{
	for (size_t i = 0; i < prog->nrules; i++)
		if (prog->rules[i].kind == RT_RULE_PENALTY)
			return (int)i;
	return -1;
}

int
eng_run(const struct rt_program *prog, struct reg_store *store, const struct eng_run_options *opt)
{
	struct rt_calendar cal = { 0 };
	char **names = NULL;
	size_t nnames = 0;
	struct reg_arrival *arr = NULL;
	size_t narr = 0;
	struct reg_cursor *cur = NULL;
	struct rt_eval ev, ev_parent; /* ev_parent: the penalty rule for one parent's sessions */
	uint8_t xlat[256];
	uint8_t *marks = NULL;
	struct eng_disagreement *dis = NULL;
	struct reg_decision_list recorded = { 0 };
	struct eng_history_book book = { 0 };
	struct reg_penalties pen = { 0 };
	struct eng_parent_notice *parents = NULL;
	rt_date *no_history = NULL;
	struct code_window *windows = NULL;
	long out_of_date = 0;
	int status = -1, eval_ready = 0;

	if (reg_load_calendar(store, &cal) || reg_codes(store, &names, &nnames) ||
	    reg_arrivals(store, opt->upn, &arr, &narr) ||
	    reg_history_read(store, eng_history_policy_key(prog), opt->as_of, opt->upn, &recorded) ||
	    reg_penalties_load(store, opt->upn, &pen)) {
		fprintf(opt->diag, "attend: %s\n", reg_error(store));
		goto out;
	}
	if (eng_map_codes(prog, "the policy", store, names, nnames, xlat, opt->diag) > 0) {
		status = 1;
		goto out;
	}
	/* reg_arrivals returns them ordered by pupil id, date and session, as
	 * pupil_arrivals' binary search needs. */
	marks = malloc(cal.ndays * 2 + 1);
	dis = malloc((narr + 1) * sizeof *dis);
	parents = malloc((pen.nparents + 1) * sizeof *parents);
	no_history = malloc((prog->nrules + 1) * sizeof *no_history);
	windows = malloc((prog->ncodes + 1) * sizeof *windows);
	if (!marks || !dis || !parents || !no_history || !windows || eng_history_book_build(&book, prog, &recorded) ||
	    rt_eval_init(&ev, prog, &cal)) {
		fprintf(opt->diag, "attend: out of memory\n");
		goto out;
	}
	eval_ready = 1;
	if (rt_eval_init(&ev_parent, prog, &cal)) {
		fprintf(opt->diag, "attend: out of memory\n");
		goto out;
	}
	eval_ready = 2;
	ev.tracing = opt->explain;
	if (reg_pupils_open(store, opt->upn, &cur)) {
		fprintf(opt->diag, "attend: %s\n", reg_error(store));
		goto out;
	}

	eng_history_clear(no_history, prog->nrules);
	code_windows(prog, &cal, windows);
	uint8_t limited[256] = { 0 }; /* by policy code index; RT_NO_MARK stays 0 */
	for (size_t c = 0; c < prog->ncodes; c++)
		limited[c] = windows[c].first > 0 || windows[c].end < cal.ndays;
	int penalty_rule = find_penalty_rule(prog);
	struct reg_pupil pupil;
	int rc, seen = 0;
	int report = !opt->explain && !opt->letters_dir && !opt->notice_due;
	/* The header waits for the first pupil, so that an unknown --pupil writes no report at all. */
	int began = 0;
	while ((rc = reg_pupils_next(cur, &pupil)) == 1) {
		size_t nsessions = cal.ndays * 2;
		size_t have = pupil.nmarks < nsessions ? pupil.nmarks : nsessions;
		uint8_t suspect = 0; /* a code that is not in use on every day of the calendar */
		for (size_t i = 0; i < have; i++) {
			uint8_t c = pupil.marks[i] ? xlat[pupil.marks[i]] : RT_NO_MARK;
			marks[i] = c;
			suspect |= limited[c];
		}
		memset(marks + have, RT_NO_MARK, nsessions - have);
		/* only marks up to the as-of date: later ones are not part of this evaluation */
		if (suspect)
			out_of_date += report_codes_out_of_date(prog, &cal, windows, pupil.upn, marks,
			                                        2 * rt_calendar_upto(&cal, opt->as_of),
			                                        out_of_date < 20 ? 20 - out_of_date : 0, opt->diag);
		const rt_date *held = eng_history_book_find(&book, pupil.id);
		struct eng_pupil_penalties pp;
		eng_penalties_of(&pen, pupil.id, &pp);
		struct rt_pupil_history history = { held ? held : no_history,
			                            eng_penalties_counted_until(&pp, opt->as_of) };
		if (rt_eval_pupil_history(&ev, marks, opt->as_of, &history)) {
			fprintf(opt->diag, "attend: pupil %s: %s\n", pupil.upn, ev.error);
			goto out;
		}
		size_t npa;
		const struct reg_arrival *pa = pupil_arrivals(arr, narr, pupil.id, &npa);
		struct eng_outcome o = { .pupil = &pupil, .ev = &ev, .as_of = opt->as_of,
			                .disagreements = dis,
			                .ndisagreements = find_disagreements(prog, pa, npa, opt->as_of, dis),
			                .history = held, .parents = parents,
			                .alternative = rt_program_str(prog, prog->penalty.alternative) };
		o.penalty = penalty_rule >= 0 && ev.outcomes[penalty_rule];
		o.counted_until = history.counted_until;
		if (o.penalty) {
			/* With parents on record, each parent's next notice; else a first notice.
			 * A parent whose own notice already counted some of the sessions is owed
			 * another only if the threshold is met again without them. */
			for (size_t i = 0; i < pp.nparents; i++) {
				struct eng_parent_notice *pn = &parents[o.nparents++];
				eng_penalties_next(prog, &pp, pp.parents[i].parent_id, opt->as_of, pn);
				if (pn->covered_until > history.counted_until) {
					struct rt_pupil_history mine = { history.held_since, pn->covered_until };
					if (rt_eval_pupil_history(&ev_parent, marks, opt->as_of, &mine)) {
						fprintf(opt->diag, "attend: pupil %s: %s\n", pupil.upn, ev_parent.error);
						goto out;
					}
					pn->covered = !ev_parent.outcomes[penalty_rule];
				}
			}
			if (!pp.nparents)
				o.fine = rt_program_fine_in_force(prog, 1, opt->as_of);
		}
		if (opt->notice_due) {
			*opt->notice_due = 0;
			for (size_t i = 0; i < o.nparents; i++)
				if (strcmp(parents[i].parent->parent_id, opt->notice_parent) == 0)
					*opt->notice_due = !parents[i].covered;
		} else if (opt->letters_dir) {
			if (eng_letters_write_due(prog, &o, opt->letters_dir, opt->out, opt->diag) < 0)
				goto out;
		} else if (opt->explain) {
			eng_explain_pupil(prog, &o, opt->out);
		} else {
			if (!began++)
				eng_report_begin(prog, opt->format, opt->out);
			eng_report_pupil(prog, opt->format, &o, opt->out);
		}
		seen++;
	}
	if (rc < 0) {
		fprintf(opt->diag, "attend: %s\n", reg_error(store));
		goto out;
	}
	if (opt->upn && !seen) {
		fprintf(opt->diag, "attend: no pupil with UPN %s in the register\n", opt->upn);
		status = 1;
		goto out;
	}
	if (report) {
		if (!began)
			eng_report_begin(prog, opt->format, opt->out); /* an empty register: the header alone */
		eng_report_end(prog, opt->format, opt->out);
	}
	status = 0;
	if (out_of_date > 0) {
		if (out_of_date > 20)
			fprintf(opt->diag, "attend: ... and %ld more marks with a code not in use on their date\n",
			        out_of_date - 20);
		status = 1;
	}
	if (opt->record) {
		struct eng_replay_options ro = { opt->as_of, opt->as_of, opt->diag, opt->diag, NULL };
		reg_pupils_close(cur);
		cur = NULL;
		int replayed = eng_replay(prog, store, &ro);
		if (replayed != 0)
			status = replayed;
	}
out:
	reg_pupils_close(cur);
	eng_history_book_free(&book);
	reg_decision_list_free(&recorded);
	reg_penalties_free(&pen);
	free(parents);
	free(no_history);
	free(windows);
	if (eval_ready > 1)
		rt_eval_free(&ev_parent);
	if (eval_ready)
		rt_eval_free(&ev);
	free(dis);
	free(marks);
	free(arr);
	reg_free_codes(names, nnames);
	rt_calendar_free(&cal);
	return status;
}
