/*
 * The evaluation loop (outcome.h). Everything that does not change from pupil
 * to pupil is loaded once in eng_pupils_open; eng_pupils_next reads one
 * pupil's compact marks, translates them to the policy's codes, evaluates,
 * and works out the penalty-notice position per parent.
 *
 * With params->jobs > 1, pupils are read in chunks and each chunk is
 * evaluated by a pool of threads (pool.h) while this thread reads the next
 * chunk and hands the outcomes of the one before to the caller, in order.
 * Only this thread touches the register and the diagnostics, so the output
 * is the same for any number of jobs.
 */
#include "runtime/engine/outcome.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/engine/checks.h"
#include "runtime/engine/codemap.h"
#include "runtime/engine/history.h"
#include "runtime/engine/pool.h"

/* At most this many marks with out-of-date codes are listed; the rest are counted. */
#define OUT_OF_DATE_SHOWN 20
/* Pupils read, evaluated and handed over together when jobs > 1. */
#define CHUNK 256

/* One pupil's evaluation: its scratch and its outcome. */
struct slot {
	struct reg_pupil pupil;
	char *copy;                          /* the pupil's strings and stored marks, when read ahead */
	size_t ncopy;
	struct rt_eval ev, ev_parent;        /* ev_parent: the penalty rule for one parent's sessions */
	int evals;                           /* how many of the two are initialised */
	uint8_t *marks;                      /* as policy codes */
	struct reg_arrival *arr;             /* the pupil's timed marks, when read ahead */
	int16_t *arr_code;                   /* the policy's code index of each, or -1 */
	size_t arr_cap;                      /* room in arr, arr_code and dis */
	struct eng_disagreement *dis;
	struct eng_parent_notice *parents;
	uint8_t suspect;                     /* a mark with a code not in use every day */
	const char *error;                   /* why evaluation failed, or NULL */
	struct eng_outcome outcome;
};

struct chunk {
	struct slot *slots;
	size_t n;
	int end;                             /* the cursor ended (1) or failed (-1) while filling it */
	const struct eng_pupils *it;
	struct eng_batch batch;               /* evaluating its slots */
};

struct eng_pupils {
	const struct rt_program *prog;
	struct reg_store *store;
	struct eng_run_params params;
	struct rt_calendar cal;
	struct rt_code_map map;              /* store code id -> policy code index */
	uint8_t limited[256];                /* policy code index -> not in use every day */
	struct eng_code_window *windows;
	struct eng_seen_codes seen;          /* the timed marks' codes looked up so far */
	struct eng_history_book book;
	struct reg_penalties pen;
	size_t max_parents;
	struct reg_cursor *cur;
	rt_date *no_history;
	int penalty_rule;
	long out_of_date;
	struct slot one;                     /* jobs <= 1: the pupil being evaluated */
	struct eng_pool *pool;               /* jobs > 1 */
	struct chunk chunks[2];
	int started, current;                /* current: the chunk being handed over */
	size_t pos;                          /* its next slot */
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

/* The most entries any one pupil has in a list ordered by pupil id. */
#define MAX_PER_PUPIL(list, n, out)                                                   \
	do {                                                                              \
		size_t run_ = 0;                                                              \
		(out) = 0;                                                                    \
		for (size_t i_ = 0; i_ < (n); i_++) {                                         \
			run_ = i_ && (list)[i_].pupil_id == (list)[i_ - 1].pupil_id ? run_ + 1 : 1; \
			if (run_ > (out))                                                         \
				(out) = run_;                                                         \
		}                                                                             \
	} while (0)

/* What the register holds that the policy needs, read once. */
static int
load_register(struct eng_pupils *it)
{
	const struct eng_run_params *p = &it->params;
	if (reg_load_calendar(it->store, &it->cal))
		return fail(it, NULL);
	int book = eng_history_book_load(&it->book, it->prog, it->store, eng_history_policy_key(it->prog), p->as_of,
	                                 p->upn);
	if (book > 0)
		return fail(it, "out of memory");
	if (book || reg_penalties_load(it->store, p->upn, &it->pen))
		return fail(it, NULL);
	for (size_t i = 0; i < p->nelsewhere; i++)
		if (reg_penalties_merge(it->store, &it->pen, p->elsewhere[i].pen, p->elsewhere[i].urn))
			return fail(it, NULL);
	MAX_PER_PUPIL(it->pen.parents, it->pen.nparents, it->max_parents);
	uint8_t xlat[256];
	int missing = eng_load_code_map(it->prog, it->store, xlat, p->diag);
	rt_code_map_init(&it->map, xlat);
	return missing > 0 ? 1 : missing;
}

/* Room for n timed marks in the slot: their copy, their codes and their disagreements. */
static int
slot_reserve(struct slot *s, size_t n)
{
	if (n <= s->arr_cap)
		return 0;
	size_t cap = s->arr_cap ? s->arr_cap : 16;
	while (cap < n)
		cap *= 2;
	void *arr = realloc(s->arr, cap * sizeof *s->arr);
	if (arr)
		s->arr = arr;
	void *codes = realloc(s->arr_code, cap * sizeof *s->arr_code);
	if (codes)
		s->arr_code = codes;
	void *dis = realloc(s->dis, cap * sizeof *s->dis);
	if (dis)
		s->dis = dis;
	if (!arr || !codes || !dis)
		return -1;
	s->arr_cap = cap;
	return 0;
}

static int
slot_init(struct eng_pupils *it, struct slot *s)
{
	const struct rt_program *prog = it->prog;
	s->marks = malloc(it->cal.ndays * 2 + 1);
	s->parents = malloc((it->max_parents + 1) * sizeof *s->parents);
	if (!s->marks || !s->parents || slot_reserve(s, 16))
		return -1;
	for (; s->evals < 2; s->evals++)
		if (rt_eval_init(s->evals ? &s->ev_parent : &s->ev, prog, &it->cal))
			return -1;
	s->ev.tracing = it->params.tracing;
	return 0;
}

static void
slot_free(struct slot *s)
{
	if (s->evals > 1)
		rt_eval_free(&s->ev_parent);
	if (s->evals > 0)
		rt_eval_free(&s->ev);
	free(s->copy);
	free(s->parents);
	free(s->dis);
	free(s->arr_code);
	free(s->arr);
	free(s->marks);
}

static void evaluate_part(void *arg, size_t from, size_t to);

/* jobs > 1: two chunks of slots and the threads that evaluate them. */
static int
prepare_chunks(struct eng_pupils *it)
{
	for (int c = 0; c < 2; c++) {
		struct chunk *ch = &it->chunks[c];
		/* Slots are set up when first filled (fill): a small register needs few. */
		ch->slots = calloc(CHUNK, sizeof *ch->slots);
		if (!ch->slots)
			return -1;
		ch->it = it;
		ch->batch = (struct eng_batch){ evaluate_part, ch, 0, 0 };
	}
	it->pool = eng_pool_start(it->params.jobs);
	return it->pool ? 0 : -1;
}

/* Scratch, the machine, and the cursor over pupils. */
static int
prepare(struct eng_pupils *it)
{
	const struct rt_program *prog = it->prog;
	it->no_history = malloc((prog->nrules + 1) * sizeof *it->no_history);
	it->windows = malloc((prog->ncodes + 1) * sizeof *it->windows);
	if (!it->no_history || !it->windows ||
	    (it->params.jobs > 1 ? prepare_chunks(it) : slot_init(it, &it->one)))
		return fail(it, "out of memory");
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
	if (it->params.upn || it->params.jobs < 1)
		it->params.jobs = 1; /* one pupil: nothing to share out */
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
consider_notices(const struct eng_pupils *it, struct slot *s, const struct eng_pupil_penalties *pp,
                 const struct rt_pupil_history *history)
{
	struct eng_outcome *o = &s->outcome;
	rt_date as_of = it->params.as_of;
	for (size_t i = 0; i < pp->nparents; i++) {
		struct eng_parent_notice *pn = &s->parents[o->nparents++];
		eng_penalties_next(it->prog, pp, pp->parents[i].parent_id, as_of, pn);
		if (pn->covered_until <= history->counted_until)
			continue;
		struct rt_pupil_history mine = { history->held_since, pn->covered_until };
		if (rt_eval_pupil_history(&s->ev_parent, s->marks, as_of, &mine)) {
			s->error = s->ev_parent.error;
			return -1;
		}
		pn->covered = !s->ev_parent.outcomes[it->penalty_rule];
	}
	if (!pp->nparents)
		o->fine = rt_program_fine_in_force(it->prog, 1, as_of);
	return 0;
}

/* Evaluates the pupil in s and fills its outcome. Reads only what is shared
 * and never changes: several threads may evaluate at once. */
static void
evaluate(const struct eng_pupils *it, struct slot *s)
{
	const struct rt_program *prog = it->prog;
	rt_date as_of = it->params.as_of;
	s->error = NULL;
	s->ev.year = s->ev_parent.year = s->pupil.year_group;
	/* one pass: translated and counted together; the evaluation counts nothing again */
	s->suspect = rt_eval_load_marks(&s->ev, as_of, &it->map, it->limited, s->pupil.marks, s->pupil.nmarks, s->marks);
	const rt_date *held = eng_history_book_find(&it->book, s->pupil.id);
	struct eng_pupil_penalties pp;
	eng_penalties_of(&it->pen, s->pupil.id, &pp);
	struct rt_pupil_history history = { held ? held : it->no_history, eng_penalties_counted_until(&pp, as_of) };
	if (rt_eval_pupil_history(&s->ev, s->marks, as_of, &history)) {
		s->error = s->ev.error;
		return;
	}
	s->outcome = (struct eng_outcome){
		.pupil = &s->pupil, .ev = &s->ev, .marks = s->marks, .as_of = as_of, .disagreements = s->dis,
		.ndisagreements = eng_find_disagreements(prog, s->pupil.arrivals, s->arr_code, s->pupil.narrivals, as_of,
		                                         s->pupil.year_group, s->dis),
		.history = held,
		.parents = s->parents, .contacts = pp.parents, .ncontacts = pp.nparents,
		.alternative = rt_program_str(prog, prog->penalty.alternative),
		.penalty = it->penalty_rule >= 0 && s->ev.outcomes[it->penalty_rule],
		.counted_until = history.counted_until,
	};
	if (s->outcome.penalty)
		consider_notices(it, s, &pp, &history);
}

static void
evaluate_part(void *arg, size_t from, size_t to)
{
	struct chunk *ch = arg;
	for (size_t i = from; i < to; i++)
		evaluate(ch->it, &ch->slots[i]);
}

/* In order, on the reading thread: what evaluation found to report. */
static int
hand_over(struct eng_pupils *it, struct slot *s, const struct eng_outcome **o)
{
	/* only marks up to the as-of date: later ones are not part of this evaluation */
	if (s->suspect)
		it->out_of_date += eng_report_codes_out_of_date(
			it->prog, &it->cal, it->windows, s->pupil.upn, s->marks,
			2 * rt_calendar_upto(&it->cal, it->params.as_of),
			it->out_of_date < OUT_OF_DATE_SHOWN ? OUT_OF_DATE_SHOWN - it->out_of_date : 0, it->params.diag);
	if (s->error) {
		fprintf(it->params.diag, "attend: pupil %s: %s\n", s->pupil.upn, s->error);
		return -1;
	}
	*o = &s->outcome;
	return 1;
}

/* Keeps a copy of what the cursor lent (valid only until its next row). */
static int
keep(struct slot *s, const struct reg_pupil *p)
{
	const char *text[3] = { p->upn, p->surname ? p->surname : "", p->forename ? p->forename : "" };
	size_t len[3], need = p->nmarks;
	for (int i = 0; i < 3; i++)
		need += (len[i] = strlen(text[i])) + 1;
	if (need > s->ncopy) {
		char *grown = realloc(s->copy, need);
		if (!grown)
			return -1;
		s->copy = grown;
		s->ncopy = need;
	}
	s->pupil = *p;
	char *at = s->copy;
	const char **to[3] = { &s->pupil.upn, &s->pupil.surname, &s->pupil.forename };
	for (int i = 0; i < 3; i++) {
		memcpy(at, text[i], len[i] + 1);
		*to[i] = at;
		at += len[i] + 1;
	}
	if (p->nmarks)
		memcpy(at, p->marks, p->nmarks);
	s->pupil.marks = (const uint8_t *)at;
	return 0;
}

/* On the reading thread, as the pupil is read: its timed marks (copied when `copy`:
 * the cursor lends them only until its next row) and their codes. */
static int
take_arrivals(struct eng_pupils *it, struct slot *s, int copy)
{
	size_t n = s->pupil.narrivals;
	if (slot_reserve(s, n))
		return -1;
	if (copy && n) {
		memcpy(s->arr, s->pupil.arrivals, n * sizeof *s->arr);
		s->pupil.arrivals = s->arr;
	}
	eng_arrival_codes(it->prog, &it->seen, s->pupil.arrivals, n, s->arr_code);
	return 0;
}

/* Reads the next chunk of pupils and has the pool evaluate it. */
static void
fill(struct eng_pupils *it, struct chunk *ch)
{
	ch->n = 0;
	ch->end = 0;
	while (ch->n < CHUNK) {
		struct reg_pupil p;
		int rc = reg_pupils_next(it->cur, &p);
		if (rc <= 0) {
			ch->end = rc == 0 ? 1 : -1;
			break;
		}
		struct slot *s = &ch->slots[ch->n];
		if ((!s->marks && slot_init(it, s)) || keep(s, &p) || take_arrivals(it, s, 1)) {
			ch->end = -2; /* out of memory */
			break;
		}
		ch->n++;
	}
	ch->batch.n = ch->n;
	eng_pool_submit(it->pool, &ch->batch);
}

static int
chunk_end(struct eng_pupils *it, const struct chunk *ch)
{
	return ch->end > 0 ? 0 : fail(it, ch->end == -2 ? "out of memory" : NULL);
}

/* jobs > 1: the outcomes of one chunk in order while the pool evaluates the next. */
static int
next_in_chunks(struct eng_pupils *it, const struct eng_outcome **o)
{
	struct chunk *ch = &it->chunks[it->current];
	if (!it->started) {
		it->started = 1;
		fill(it, ch);
		if (!ch->end)
			fill(it, &it->chunks[1]);
		eng_pool_wait(it->pool, &ch->batch);
	}
	while (it->pos == ch->n) {
		if (ch->end)
			return chunk_end(it, ch);
		struct chunk *next = &it->chunks[!it->current];
		if (!next->end)
			fill(it, ch); /* all its outcomes were handed over: read ahead into it */
		it->current = !it->current;
		it->pos = 0;
		ch = next;
		eng_pool_wait(it->pool, &ch->batch);
	}
	return hand_over(it, &ch->slots[it->pos++], o);
}

int
eng_pupils_next(struct eng_pupils *it, const struct eng_outcome **o)
{
	if (it->pool)
		return next_in_chunks(it, o);
	int rc = reg_pupils_next(it->cur, &it->one.pupil);
	if (rc < 0)
		return fail(it, NULL);
	if (rc == 0)
		return 0;
	if (take_arrivals(it, &it->one, 0))
		return fail(it, "out of memory");
	evaluate(it, &it->one);
	return hand_over(it, &it->one, o);
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
	eng_pool_stop(it->pool);
	for (int c = 0; c < 2; c++) {
		for (size_t i = 0; it->chunks[c].slots && i < CHUNK; i++)
			slot_free(&it->chunks[c].slots[i]);
		free(it->chunks[c].slots);
	}
	reg_pupils_close(it->cur);
	eng_history_book_free(&it->book);
	reg_penalties_free(&it->pen);
	free(it->no_history);
	free(it->windows);
	slot_free(&it->one);
	rt_calendar_free(&it->cal);
	free(it);
	return found;
}
