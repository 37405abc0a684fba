/*
 * Replay: every school day in a range, in order, each evaluated with the
 * history recorded up to the day before, and recorded as it goes.
 *
 * For speed over a year of a large register, everything that does not change
 * from day to day is read once: the calendar, the code map, the compiled
 * program, every pupil's marks (translated to policy codes) and their rule
 * states, which are carried forward in memory rather than re-read from the
 * decisions table each day; each pupil's counts are carried forward too (a
 * tally, measures.h), so a day adds its marks instead of counting the year
 * again. Only the day's changes are written, each day a savepoint in one
 * transaction for the whole range.
 */
#include "runtime/engine/replay.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/engine/codemap.h"
#include "runtime/engine/history.h"
#include "runtime/engine/penalties.h"
#include "runtime/machine/measures.h"

struct replay_pupil {
	int64_t id;
	char *upn;
	int year;                      /* year group (years.h), for the policy's pupil groups */
	struct eng_pupil_penalties pen;
};

struct replay {
	const struct rt_program *prog;
	struct reg_store *store;
	const struct eng_replay_options *opt;
	const char *policy;
	struct rt_calendar cal;
	struct eng_history_rules rules;
	struct replay_pupil *pupils;   /* in UPN order */
	size_t npupils;
	uint8_t *marks;                /* npupils * nsessions policy code indexes */
	size_t nsessions;
	rt_date *held;                 /* npupils * nrules: held_since by the history so far */
	uint32_t *tally;               /* npupils * ntally: each pupil's running counts (measures.h) */
	size_t ntally;
	struct reg_penalties pen;
	rt_date *days;                 /* days recorded before the replay started */
	size_t ndays;
};

static int
fail(struct replay *rp, const char *what)
{
	fprintf(rp->opt->diag, "attend: %s\n", what ? what : reg_error(rp->store));
	return -1;
}

static int
load_pupils(struct replay *rp)
{
	size_t cap = 0;
	uint8_t xlat[256];
	struct reg_cursor *cur = NULL;
	struct reg_pupil p;
	int rc = eng_load_code_map(rp->prog, rp->store, xlat, rp->opt->diag);
	if (rc)
		return rc > 0 ? 1 : -1;
	if (reg_pupils_open(rp->store, NULL, &cur))
		return fail(rp, NULL);
	while ((rc = reg_pupils_next(cur, &p)) == 1) {
		if (rp->npupils == cap) {
			cap = cap ? 2 * cap : 1024;
			struct replay_pupil *pupils = realloc(rp->pupils, cap * sizeof *pupils);
			uint8_t *marks = pupils ? realloc(rp->marks, cap * rp->nsessions + 1) : NULL;
			if (pupils)
				rp->pupils = pupils;
			if (marks)
				rp->marks = marks;
			if (!pupils || !marks)
				break;
		}
		struct replay_pupil *rpp = &rp->pupils[rp->npupils];
		eng_translate_marks(xlat, NULL, p.marks, p.nmarks, rp->marks + rp->npupils * rp->nsessions, rp->nsessions);
		rpp->id = p.id;
		rpp->year = p.year_group;
		if (!(rpp->upn = strdup(p.upn)))
			break;
		rp->npupils++;
	}
	reg_pupils_close(cur);
	if (rc < 0)
		return fail(rp, NULL);
	if (rc > 0)
		return fail(rp, "out of memory");
	return 0;
}

/* Every pupil's rule states from the decisions recorded before `before`. */
static int
load_states(struct replay *rp, rt_date before)
{
	struct eng_history_book book = { 0 };
	size_t nr = rp->prog->nrules ? rp->prog->nrules : 1;
	rp->held = malloc((rp->npupils + 1) * nr * sizeof *rp->held);
	rp->ntally = rt_measure_tally_words(rp->prog);
	rp->tally = calloc(rp->npupils + 1, rp->ntally * sizeof *rp->tally);
	if (!rp->held || !rp->tally)
		return fail(rp, "out of memory");
	int loaded = eng_history_book_load(&book, rp->prog, rp->store, rp->policy, before, NULL);
	if (loaded)
		return fail(rp, loaded > 0 ? "out of memory" : NULL);
	for (size_t i = 0; i < rp->npupils; i++) {
		const rt_date *h = eng_history_book_find(&book, rp->pupils[i].id);
		if (h)
			memcpy(rp->held + i * nr, h, nr * sizeof *h);
		else
			eng_history_clear(rp->held + i * nr, nr);
		eng_penalties_of(&rp->pen, rp->pupils[i].id, &rp->pupils[i].pen);
	}
	eng_history_book_free(&book);
	return 0;
}

static int
was_recorded(const struct replay *rp, rt_date day)
{
	size_t lo = 0, hi = rp->ndays;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rp->days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < rp->ndays && rp->days[lo] == day;
}

/* The recorded decisions of one pupil: a slice of the day's list (sorted by pupil id). */
static const struct reg_decision *
slice_of(const struct reg_decision_list *list, int64_t pupil_id, size_t *n)
{
	size_t lo = 0, hi = list->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (list->items[mid].pupil_id < pupil_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < list->n && list->items[end].pupil_id == pupil_id)
		end++;
	*n = end - lo;
	return list->items + lo;
}

struct day_result {
	size_t decisions;
	size_t differences;
};

/*
 * One day's evaluation of a share of the pupils, [from, to). The shares of a
 * day run on threads of their own, and a day to record is evaluated while the
 * day before is written; a share touches only its pupils' states, its own list
 * and its own rt_eval, never the store. The day's decisions are the shares'
 * lists in order: the same rows in the same order for any number of shares.
 */
struct share {
	struct replay *rp;
	struct rt_eval *ev;
	rt_date *next;                         /* nrules scratch */
	size_t from, to;
	rt_date day;
	const struct reg_decision_list *stored; /* the day's record when comparing with it, else NULL */
	FILE *out;                             /* where differences from the record go */
	struct reg_decision_list *today;        /* what the evaluation decides */
	size_t differences;
	int status;                            /* 0, or -1 with error set */
	char error[400];
};

/* Evaluates the share's pupils on share->day, carrying each pupil's state forward: what
 * was decided, or for a recorded day what was recorded (differences reported). */
static void *
evaluate_share(void *arg)
{
	struct share *job = arg;
	struct replay *rp = job->rp;
	struct rt_eval *ev = job->ev;
	const struct rt_program *prog = rp->prog;
	size_t nr = prog->nrules ? prog->nrules : 1;
	rt_date day = job->day;
	int pr = rp->rules.penalty_rule;
	reg_decision_list_clear(job->today);
	job->differences = 0;
	job->status = 0;
	for (size_t i = job->from; i < job->to; i++) {
		struct replay_pupil *p = &rp->pupils[i];
		rt_date *held = rp->held + i * nr;
		struct rt_pupil_history h = { held, eng_penalties_counted_until(&p->pen, day) };
		ev->year = p->year;
		if (rt_eval_pupil_tally(ev, rp->marks + i * rp->nsessions, day, &h, rp->tally + i * rp->ntally)) {
			snprintf(job->error, sizeof job->error, "pupil %s: %s", p->upn, ev->error);
			job->status = -1;
			return NULL;
		}
		char detail[2048];
		detail[0] = '\0'; /* not `= ""`, which clears all of it for every pupil and day */
		if (pr >= 0 && ev->outcomes[pr] && held[pr] == RT_DATE_MAX)
			eng_penalties_detail(prog, &p->pen, day, detail, sizeof detail);
		size_t first = job->today->n;
		if (eng_history_decide(&rp->rules, ev, p->id, day, held, job->next, *detail ? detail : NULL, job->today)) {
			snprintf(job->error, sizeof job->error, "out of memory");
			job->status = -1;
			return NULL;
		}
		if (!job->stored) {
			memcpy(held, job->next, nr * sizeof *held);
			continue;
		}
		/* The record stands: carry forward what was recorded, not what is computed now. */
		size_t nrec;
		const struct reg_decision *rec = slice_of(job->stored, p->id, &nrec);
		job->differences += eng_history_compare(job->today->items + first, job->today->n - first, rec, nrec,
		                                       p->upn, job->out);
		for (size_t k = 0; k < nrec; k++)
			eng_history_apply(prog, held, &rec[k]);
	}
	return NULL;
}

/* A day's shares: n of them, started on threads where one can be had. */
struct day_shares {
	struct share *share;
	size_t n;
	pthread_t *thread;
	int *started;
};

static void
start_day(struct day_shares *d, rt_date day)
{
	for (size_t k = 0; k < d->n; k++) {
		d->share[k].day = day;
		d->started[k] = pthread_create(&d->thread[k], NULL, evaluate_share, &d->share[k]) == 0;
	}
}

/* Waits for the day (evaluating here any share no thread took); the first share
 * that failed, in pupil order, or NULL. */
static struct share *
finish_day(struct day_shares *d)
{
	struct share *failed = NULL;
	for (size_t k = 0; k < d->n; k++) {
		if (d->started[k])
			pthread_join(d->thread[k], NULL);
		else
			evaluate_share(&d->share[k]);
		if (d->share[k].status && !failed)
			failed = &d->share[k];
	}
	return failed;
}

static void
progress(FILE *tty, size_t done, size_t total, rt_date day)
{
	char date[11];
	rt_date_format(day, date);
	int width = 40, filled = total ? (int)(done * (size_t)width / total) : width;
	fprintf(tty, "\r%s [%.*s%*s] %zu/%zu school days", date, filled, "########################################",
	        width - filled, "", done, total);
	if (done == total)
		fputc('\n', tty);
	fflush(tty);
}

/* Refuses a range that would add days before the last recorded one. */
static int
check_past(const struct replay *rp, size_t first, size_t end)
{
	if (!rp->ndays)
		return 0;
	rt_date last = rp->days[rp->ndays - 1];
	for (size_t d = first; d < end; d++) {
		rt_date day = rp->cal.days[d].date;
		if (day < last && !was_recorded(rp, day)) {
			char a[11], b[11];
			rt_date_format(day, a);
			rt_date_format(last, b);
			fprintf(rp->opt->diag,
			        "attend: %s was never recorded, and the history of %s already runs to %s; "
			        "the past is not rewritten (replay from a day after %s)\n",
			        a, rp->policy, b, b);
			return 1;
		}
	}
	return 0;
}

/* Days already recorded: evaluated again and compared with the record, share
 * after share on this thread, so that differences are written in pupil order. */
static int
compare_day(struct replay *rp, struct day_shares *dd, rt_date day, struct reg_decision_list *stored,
            struct day_result *res)
{
	reg_decision_list_clear(stored);
	if (reg_history_read_day(rp->store, rp->policy, day, stored))
		return fail(rp, NULL);
	for (size_t k = 0; k < dd->n; k++) {
		struct share *sh = &dd->share[k];
		sh->day = day;
		sh->stored = stored;
		evaluate_share(sh);
		sh->stored = NULL;
		if (sh->status)
			return fail(rp, sh->error);
		res->differences += sh->differences;
	}
	return 0;
}

/* Writes a day evaluated: its shares' lists, in order. */
static int
write_day(struct replay *rp, struct day_shares *dd, struct day_result *res)
{
	struct reg_decision_list *lists = dd->share[0].today;
	if (reg_history_record(rp->store, rp->policy, dd->share[0].day, lists, dd->n))
		return -1;
	for (size_t k = 0; k < dd->n; k++)
		res->decisions += lists[k].n;
	return 0;
}

/*
 * Days to record, [d, end), in one transaction: committing day by day wrote
 * much of the decisions table again every day. Each day after the first is
 * evaluated on other threads while the day before is written. Like an import,
 * the range is recorded whole or not at all: a day whose evaluation or writing
 * fails rolls it back, leaving the history as it was.
 */
static int
record_days(struct replay *rp, struct day_shares days[2], size_t d, size_t end, size_t first,
            struct day_result *res, size_t *recorded)
{
	const struct eng_replay_options *opt = rp->opt;
	if (reg_history_begin(rp->store, end - d))
		return fail(rp, NULL);
	int status = 0;
	start_day(&days[d & 1], rp->cal.days[d].date);
	struct share *failed = finish_day(&days[d & 1]);
	for (; d < end; d++) {
		struct day_shares *today = &days[d & 1], *next = &days[(d + 1) & 1];
		if (failed) {
			status = fail(rp, failed->error);
			break;
		}
		if (d + 1 < end)
			start_day(next, rp->cal.days[d + 1].date);
		int rc = write_day(rp, today, res);
		failed = d + 1 < end ? finish_day(next) : NULL;
		if (rc) {
			status = fail(rp, NULL);
			reg_history_end(rp->store, 0);
			return status;
		}
		(*recorded)++;
		if (opt->progress)
			progress(opt->progress, d - first + 1, end - first, today->share[0].day);
	}
	if (reg_history_end(rp->store, status == 0) && status == 0)
		status = fail(rp, NULL);
	return status;
}

/* The evaluation's working memory: per job an rt_eval and scratch, per day and job a share. */
struct workers {
	size_t n;
	struct rt_eval *ev;
	rt_date *next;
	struct share *share;              /* 2 * n */
	struct reg_decision_list *lists;  /* 2 * n */
	pthread_t *thread;                /* 2 * n */
	int *started;                     /* 2 * n */
};

static void
workers_free(struct workers *w)
{
	for (size_t k = 0; w->ev && k < w->n; k++)
		rt_eval_free(&w->ev[k]);
	for (size_t k = 0; w->lists && k < 2 * w->n; k++)
		reg_decision_list_free(&w->lists[k]);
	free(w->ev);
	free(w->next);
	free(w->share);
	free(w->lists);
	free(w->thread);
	free(w->started);
}

/* Splits the pupils into `jobs` shares (fewer when there are fewer pupils), for two days. */
static int
workers_init(struct workers *w, struct replay *rp, int jobs, struct day_shares days[2])
{
	size_t n = jobs > 1 ? (size_t)jobs : 1, nr = rp->prog->nrules ? rp->prog->nrules : 1;
	if (n > rp->npupils && rp->npupils)
		n = rp->npupils;
	*w = (struct workers){ .n = n };
	w->ev = calloc(n, sizeof *w->ev);
	w->next = malloc(n * nr * sizeof *w->next);
	w->share = calloc(2 * n, sizeof *w->share);
	w->lists = calloc(2 * n, sizeof *w->lists);
	w->thread = calloc(2 * n, sizeof *w->thread);
	w->started = calloc(2 * n, sizeof *w->started);
	if (!w->ev || !w->next || !w->share || !w->lists || !w->thread || !w->started)
		return -1;
	for (size_t k = 0; k < n; k++)
		if (rt_eval_init(&w->ev[k], rp->prog, &rp->cal)) {
			w->n = k;
			return -1;
		}
	for (size_t k = 0; k < 2 * n; k++)
		w->share[k] = (struct share){ .rp = rp, .ev = &w->ev[k % n], .next = w->next + (k % n) * nr,
			                      .from = rp->npupils * (k % n) / n, .to = rp->npupils * (k % n + 1) / n,
			                      .out = rp->opt->out, .today = &w->lists[k] };
	for (size_t i = 0; i < 2; i++)
		days[i] = (struct day_shares){ w->share + i * n, n, w->thread + i * n, w->started + i * n };
	return 0;
}

static void
summary(const struct replay *rp, size_t recorded, size_t compared, const struct day_result *res)
{
	const struct eng_replay_options *opt = rp->opt;
	char a[11], b[11];
	rt_date_format(opt->from, a);
	rt_date_format(opt->to, b);
	fprintf(opt->out, "%s, %s to %s: %zu school day%s recorded (%zu decision%s)", rp->policy, a, b, recorded,
	        recorded == 1 ? "" : "s", res->decisions, res->decisions == 1 ? "" : "s");
	if (compared)
		fprintf(opt->out, ", %zu already recorded: %s", compared,
		        res->differences ? "the record differs from a new evaluation (above); it is kept as it was"
		                         : "the same again, nothing recorded twice");
	fputc('\n', opt->out);
}

static int
replay_range(struct replay *rp)
{
	const struct eng_replay_options *opt = rp->opt;
	size_t first = rt_calendar_upto(&rp->cal, opt->from - 1), end = rt_calendar_upto(&rp->cal, opt->to);
	if (first >= end) {
		char a[11], b[11];
		rt_date_format(opt->from, a);
		rt_date_format(opt->to, b);
		fprintf(opt->out, "no school days from %s to %s: nothing recorded\n", a, b);
		return 0;
	}
	if (check_past(rp, first, end))
		return 1;
	int status = load_states(rp, rp->cal.days[first].date);
	if (status)
		return status;
	struct workers w;
	struct day_shares days[2];
	if (workers_init(&w, rp, opt->jobs, days)) {
		workers_free(&w);
		return fail(rp, "out of memory");
	}
	struct reg_decision_list stored = { 0 };
	struct day_result res = { 0, 0 };
	size_t recorded = 0, compared = 0, d = first;
	/* check_past leaves the recorded days of the range all before the others */
	for (; d < end && status == 0 && was_recorded(rp, rp->cal.days[d].date); d++) {
		status = compare_day(rp, &days[0], rp->cal.days[d].date, &stored, &res);
		compared++;
		if (opt->progress)
			progress(opt->progress, d - first + 1, end - first, rp->cal.days[d].date);
	}
	if (status == 0 && d < end)
		status = record_days(rp, days, d, end, first, &res, &recorded);
	reg_decision_list_free(&stored);
	workers_free(&w);
	if (status < 0)
		return -1;
	summary(rp, recorded, compared, &res);
	return res.differences ? 1 : 0;
}

int
eng_replay(const struct rt_program *prog, struct reg_store *store, const struct eng_replay_options *opt)
{
	struct replay rp = { .prog = prog, .store = store, .opt = opt, .policy = eng_history_policy_key(prog) };
	int status;
	if (reg_load_calendar(store, &rp.cal) || reg_penalties_load(store, NULL, &rp.pen) ||
	    reg_history_days(store, rp.policy, &rp.days, &rp.ndays))
		status = fail(&rp, NULL);
	else if (eng_history_rules_init(&rp.rules, prog))
		status = fail(&rp, "out of memory");
	else {
		rp.nsessions = rp.cal.ndays * 2;
		status = load_pupils(&rp);
		if (status == 0)
			status = replay_range(&rp);
	}
	for (size_t i = 0; i < rp.npupils; i++)
		free(rp.pupils[i].upn);
	free(rp.pupils);
	free(rp.marks);
	free(rp.held);
	free(rp.tally);
	free(rp.days);
	reg_penalties_free(&rp.pen);
	eng_history_rules_free(&rp.rules);
	rt_calendar_free(&rp.cal);
	return status;
}
