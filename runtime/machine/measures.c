/*
 * Register measures (docs/architecture.md "Measures"). A session counts
 * when the calendar says the school meets it and the pupil has a mark for
 * it; only days up to and including the as-of date count.
 *
 * For speed the VM does not scan per measure: rt_measure_plan_run makes one
 * backward pass per pupil from the as-of date to the earliest period start,
 * snapshotting a per-mark histogram at each start, so a measure is then a
 * sum over the codes in its set. Replay, evaluating day after day, keeps the
 * histograms per pupil instead (a tally) and only adds the day's marks and
 * takes away those leaving a period. rt_measure_compute does the same
 * arithmetic by a direct scan and is the reference the tests compare against.
 */
#include "runtime/machine/measures.h"

#include <stdlib.h>
#include <string.h>

/* The first index in [0, upto) whose school week is >= week (weeks ascend with days). */
static size_t
first_day_of_week(const struct rt_calendar *cal, size_t upto, int64_t week)
{
	size_t lo = 0, hi = upto;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((int64_t)cal->days[mid].week < week)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
rt_period_anchor_init(struct rt_period_anchor *a, const struct rt_calendar *cal, rt_date as_of)
{
	memset(a, 0, sizeof *a);
	a->as_of = as_of;
	a->upto = rt_calendar_upto(cal, as_of);
	int year = rt_date_school_year(as_of);
	a->year_begin = rt_calendar_upto(cal, rt_date_from_ymd(year, 8, 1) - 1);

	/* The half term is that of the last school day on or before as_of in
	 * the same school year, so a holiday belongs to the half term before it. */
	a->half_begin = a->term_begin = a->upto;
	if (a->upto > a->year_begin) {
		int ht = cal->days[a->upto - 1].half_term;
		if (ht >= 1 && ht <= RT_MAX_HALF_TERMS) {
			a->half_term = ht;
			size_t i = a->upto - 1;
			while (i > a->year_begin && cal->days[i - 1].half_term == ht)
				i--;
			a->half_begin = i;
			while (i > a->year_begin && (cal->days[i - 1].half_term + 1) / 2 == (ht + 1) / 2)
				i--;
			a->term_begin = i;
		}
	}

	/* Windows end with as_of's week when the school meets in it at all
	 * (even later that week), else with the last school week before it. */
	a->window_week = -1;
	if (a->upto < cal->ndays && rt_date_week_start(cal->days[a->upto].date) == rt_date_week_start(as_of))
		a->window_week = cal->days[a->upto].week;
	else if (a->upto > 0)
		a->window_week = cal->days[a->upto - 1].week;
}

size_t
rt_period_begin(const struct rt_period_anchor *a, const struct rt_calendar *cal, const struct rt_measure *m)
{
	switch ((enum rt_period)m->period) {
	case RT_P_YEAR:
		return a->year_begin;
	case RT_P_TERM:
		return a->term_begin;
	case RT_P_HALF_TERM:
		return a->half_begin;
	case RT_P_ANY_WEEKS_YEAR:
		return a->year_begin;
	case RT_P_ANY_WEEKS_TERM:
		return a->term_begin;
	case RT_P_SINCE: /* from the recorded history, which only the VM has: it recounts these */
		return a->upto;
	case RT_P_SCHOOL_WEEKS:
		if (a->window_week < 0)
			return a->upto;
		return first_day_of_week(cal, a->upto, a->window_week - (int64_t)(m->weeks ? m->weeks : 1) + 1);
	case RT_P__COUNT:
		break;
	}
	return a->upto;
}

/* A measure's value from the sessions in its set and the possible sessions of its period. */
static struct rt_value
value_of(const struct rt_measure *m, int64_t count, int64_t possible)
{
	switch ((enum rt_measure_kind)m->kind) {
	case RT_M_SESSIONS:
		return (struct rt_value){ count, 1, RT_UNIT_SESSIONS };
	case RT_M_DAYS:
		return (struct rt_value){ count, 2, RT_UNIT_DAYS };
	case RT_M_RATE:
		/* No possible session yet (before the first school day, a new pupil):
		 * there is no rate, and no rule comparing one may hold. */
		if (possible == 0)
			return (struct rt_value){ 0, 1, RT_UNIT_NONE_VALUE };
		return (struct rt_value){ 100 * count, possible, RT_UNIT_PERCENT };
	case RT_M_CONSECUTIVE_DAYS:
	case RT_M_HALF_TERM:
	case RT_M_WEEKS_SINCE:
	case RT_M_DAYS_SINCE:
	case RT_M_LONGEST_RUN:
	case RT_M__COUNT:
		break;
	}
	return (struct rt_value){ 0, 1, RT_UNIT_NONE_VALUE };
}

static int
is_possible(const struct rt_program *prog, uint8_t mark)
{
	return mark < prog->ncodes && prog->codes[mark].category != RT_CAT_NOT_POSSIBLE;
}

int64_t
rt_measure_possible(const struct rt_program *prog, const struct rt_calendar *cal, const uint8_t *marks, size_t begin,
                    size_t upto)
{
	int64_t possible = 0;
	for (size_t i = begin; i < upto; i++)
		for (int s = 0; s < 2; s++)
			possible += (cal->days[i].open & (1 << s)) && is_possible(prog, marks[2 * i + (size_t)s]);
	return possible;
}

/*
 * Consecutive days, walking back from the last school day on or before the
 * as-of date within the period. A day counts when it has at least one
 * possible marked session and all of them are in the set. Days with no
 * possible session (closures, not-possible codes) neither count nor break
 * the run. Unmarked days at the end are skipped (not registered yet); an
 * unmarked day after the run has started breaks it.
 */
static int64_t
consecutive_days(const struct rt_program *prog, const struct rt_calendar *cal, const struct rt_codeset *set,
                 const uint8_t *marks, size_t begin, size_t upto)
{
	int64_t run = 0;
	int seen_mark = 0;
	for (size_t i = upto; i-- > begin;) {
		uint8_t open = cal->days[i].open;
		int possible = 0, in_set = 0, marked = 0;
		for (int s = 0; s < 2; s++) {
			if (!(open & (1 << s)))
				continue;
			uint8_t mark = marks[2 * i + (size_t)s];
			if (mark == RT_NO_MARK || mark >= prog->ncodes)
				continue;
			marked = 1;
			if (!is_possible(prog, mark))
				continue;
			possible++;
			in_set += rt_codeset_has(set, mark);
		}
		if (!marked) {
			if (seen_mark)
				break;
			continue;
		}
		seen_mark = 1;
		if (possible == 0)
			continue;
		if (in_set != possible)
			break;
		run++;
	}
	return run;
}

static struct rt_value
days_value(int64_t days)
{
	return (struct rt_value){ days, 1, RT_UNIT_DAYS };
}

/* Day i's marked open sessions: how many are possible, and how many of those are in the set. */
static void
day_counts(const struct rt_program *prog, const struct rt_calendar *cal, const struct rt_codeset *set,
           const uint8_t *marks, size_t i, int *possible, int *in_set)
{
	*possible = *in_set = 0;
	for (int s = 0; s < 2; s++) {
		uint8_t mark = marks[2 * i + (size_t)s];
		if (!(cal->days[i].open & (1 << s)) || mark == RT_NO_MARK || !is_possible(prog, mark))
			continue;
		(*possible)++;
		*in_set += rt_codeset_has(set, mark);
	}
}

int
rt_measure_spans(const struct rt_measure *m)
{
	int any = m->period == RT_P_ANY_WEEKS_YEAR || m->period == RT_P_ANY_WEEKS_TERM;
	return m->kind == RT_M_LONGEST_RUN || (any && (m->kind == RT_M_SESSIONS || m->kind == RT_M_DAYS));
}

/* The longest run of days in [begin, upto) with an absence in the set; a day
 * with no possible marked session neither extends nor breaks a run. */
static int64_t
longest_run(const struct rt_program *prog, const struct rt_calendar *cal, const struct rt_codeset *set,
            const uint8_t *marks, size_t begin, size_t upto, struct rt_span *span)
{
	int64_t run = 0, best = 0;
	size_t start = begin;
	for (size_t i = begin; i < upto; i++) {
		int possible, in_set;
		day_counts(prog, cal, set, marks, i, &possible, &in_set);
		if (possible == 0)
			continue;
		if (in_set == 0) {
			run = 0;
			continue;
		}
		if (run++ == 0)
			start = i;
		if (run > best) {
			best = run;
			*span = (struct rt_span){ cal->days[start].date, cal->days[i].date };
		}
	}
	return best;
}

/* The most sessions in the set in any `weeks` consecutive school weeks ending
 * in [begin, upto), counting only days of that range (two pointers over days). */
static int64_t
max_window(const struct rt_program *prog, const struct rt_calendar *cal, const struct rt_codeset *set,
           const uint8_t *marks, size_t begin, size_t upto, uint32_t weeks, struct rt_span *span)
{
	int64_t sum = 0, best = 0;
	size_t left = begin;
	for (size_t i = begin; i < upto; i++) {
		int possible, in_set;
		day_counts(prog, cal, set, marks, i, &possible, &in_set);
		sum += in_set;
		for (; cal->days[left].week + weeks <= cal->days[i].week; left++) {
			day_counts(prog, cal, set, marks, left, &possible, &in_set);
			sum -= in_set;
		}
		if (sum > best) {
			best = sum;
			*span = (struct rt_span){ cal->days[left].date, cal->days[i].date };
		}
	}
	return best;
}

struct rt_value
rt_measure_scan_span(const struct rt_program *prog, const struct rt_calendar *cal, const struct rt_measure *m,
                     const uint8_t *marks, const struct rt_period_anchor *a, size_t begin, struct rt_span *span)
{
	struct rt_span none = { RT_DATE_MAX, RT_DATE_MAX }, scratch;
	if (!span)
		span = &scratch;
	*span = none;
	const struct rt_codeset *set = &prog->codesets[m->codeset];
	if (m->kind == RT_M_LONGEST_RUN)
		return days_value(longest_run(prog, cal, set, marks, begin, a->upto, span));
	int64_t n = max_window(prog, cal, set, marks, begin, a->upto, m->weeks ? m->weeks : 1, span);
	return m->kind == RT_M_DAYS ? (struct rt_value){ n, 2, RT_UNIT_DAYS } : (struct rt_value){ n, 1, RT_UNIT_SESSIONS };
}

struct rt_value
rt_measure_compute(const struct rt_program *prog, const struct rt_calendar *cal, const struct rt_measure *m,
                   const uint8_t *marks, rt_date as_of)
{
	struct rt_period_anchor a;
	rt_period_anchor_init(&a, cal, as_of);
	if (m->kind == RT_M_WEEKS_SINCE || m->kind == RT_M_DAYS_SINCE || m->period == RT_P_SINCE ||
	    (m->flags & RT_MEASURE_AT))
		return (struct rt_value){ 0, 1, RT_UNIT_NONE_VALUE }; /* needs the run or its history: the VM computes it */
	return rt_measure_scan(prog, cal, m, marks, &a, rt_period_begin(&a, cal, m));
}

struct rt_value
rt_measure_scan(const struct rt_program *prog, const struct rt_calendar *cal, const struct rt_measure *m,
                const uint8_t *marks, const struct rt_period_anchor *anchor, size_t begin)
{
	const struct rt_period_anchor a = *anchor;
	if (m->kind == RT_M_HALF_TERM)
		return (struct rt_value){ a.half_term, 1, RT_UNIT_NONE };
	if (m->kind == RT_M_WEEKS_SINCE || m->kind == RT_M_DAYS_SINCE)
		return (struct rt_value){ 0, 1, RT_UNIT_NONE_VALUE };
	if (rt_measure_spans(m))
		return rt_measure_scan_span(prog, cal, m, marks, &a, begin, NULL);
	const struct rt_codeset *set = &prog->codesets[m->codeset];
	/* A run of absence does not stop at a term or year boundary. */
	if (m->kind == RT_M_CONSECUTIVE_DAYS)
		return days_value(consecutive_days(prog, cal, set, marks, 0, a.upto));
	int64_t count = 0, possible = 0;
	for (size_t i = begin; i < a.upto; i++)
		for (int s = 0; s < 2; s++) {
			if (!(cal->days[i].open & (1 << s)))
				continue;
			uint8_t mark = marks[2 * i + (size_t)s];
			if (mark == RT_NO_MARK || mark >= prog->ncodes)
				continue;
			possible += is_possible(prog, mark);
			count += rt_codeset_has(set, mark);
		}
	return value_of(m, count, possible);
}

/* ---- the plan: once per calendar and as-of date ---- */

/* Counted from a period's histogram (a maximum over windows is scanned instead). */
static int
counts_sessions(const struct rt_measure *m)
{
	return (m->kind == RT_M_SESSIONS || m->kind == RT_M_DAYS || m->kind == RT_M_RATE) && !rt_measure_spans(m);
}

static int
same_period(const struct rt_measure *a, const struct rt_measure *b)
{
	if (a->period != b->period)
		return 0;
	return a->period != RT_P_SCHOOL_WEEKS || (a->weeks ? a->weeks : 1) == (b->weeks ? b->weeks : 1);
}

/* Whether measure k has a key of its own: counting over a period other than
 * the year (key 0), and no earlier such measure with the same period. Else,
 * when it counts, *same is the earlier measure whose key it shares. */
static int
new_key(const struct rt_program *prog, size_t k, size_t *same)
{
	const struct rt_measure *m = &prog->measures[k];
	*same = k;
	if (!counts_sessions(m) || m->period == RT_P_YEAR)
		return 0;
	for (size_t e = 0; e < k; e++)
		if (counts_sessions(&prog->measures[e]) && same_period(&prog->measures[e], m)) {
			*same = e;
			return 0;
		}
	return 1;
}

static size_t
count_keys(const struct rt_program *prog)
{
	size_t n = 1, same;
	for (size_t k = 0; k < prog->nmeasures; k++)
		n += (size_t)new_key(prog, k, &same);
	return n;
}

size_t
rt_measure_tally_words(const struct rt_program *prog)
{
	/* upto, then per key: begin and the histogram */
	return 1 + count_keys(prog) * (1 + prog->ncodes + 2);
}

/* Keys, bins and scratch: once per program. */
static int
plan_program(struct rt_measure_plan *plan, const struct rt_program *prog)
{
	size_t nkeys = count_keys(prog), nbins = prog->ncodes + 2;
	uint32_t *key = calloc(prog->nmeasures ? prog->nmeasures : 1, sizeof *key);
	uint32_t *key_measure = calloc(nkeys, sizeof *key_measure);
	size_t *begin = calloc(nkeys, sizeof *begin);
	uint32_t *order = calloc(nkeys, sizeof *order);
	uint32_t *hist = calloc(nkeys * nbins, sizeof *hist);
	int64_t *possible = calloc(nkeys, sizeof *possible);
	if (!key || !key_measure || !begin || !order || !hist || !possible) {
		free(possible);
		free(key);
		free(key_measure);
		free(begin);
		free(order);
		free(hist);
		return -1;
	}
	rt_measure_plan_free(plan);
	size_t n = 1, same;
	for (size_t k = 0; k < prog->nmeasures; k++) {
		if (new_key(prog, k, &same)) {
			key_measure[n] = (uint32_t)k;
			key[k] = (uint32_t)n++;
		} else {
			key[k] = same < k ? key[same] : 0;
		}
	}
	plan->prog = prog;
	plan->nkeys = nkeys;
	plan->key = key;
	plan->key_measure = key_measure;
	plan->begin = begin;
	plan->order = order;
	plan->hist = hist;
	plan->possible = possible;
	plan->nbins = nbins;
	for (size_t c = 0; c < 256; c++)
		plan->bin[c] = (uint16_t)(c < prog->ncodes ? c : c == RT_NO_MARK ? prog->ncodes : prog->ncodes + 1);
	memset(&plan->possible_codes, 0, sizeof plan->possible_codes);
	for (size_t c = 0; c < prog->ncodes; c++)
		if (is_possible(prog, (uint8_t)c))
			plan->possible_codes.bits[c / 64] |= (uint64_t)1 << (c % 64);
	return 0;
}

/* The days the school does not meet for both sessions, ascending, and how many lie before upto. */
static int
find_half_days(struct rt_measure_plan *plan, const struct rt_calendar *cal)
{
	size_t *days = realloc(plan->half_days, (cal->ndays + 1) * sizeof *days);
	if (!days)
		return -1;
	plan->half_days = days;
	plan->nhalf_days = plan->nhalf_upto = 0;
	for (size_t d = 0; d < cal->ndays; d++)
		if (cal->days[d].open != (RT_OPEN_AM | RT_OPEN_PM)) {
			days[plan->nhalf_days++] = d;
			plan->nhalf_upto += d < plan->anchor.upto;
		}
	return 0;
}

int
rt_measure_plan_prepare(struct rt_measure_plan *plan, const struct rt_program *prog,
                        const struct rt_calendar *cal, rt_date as_of)
{
	if (plan->prog != prog && plan_program(plan, prog))
		return -1;
	if (plan->valid && plan->cal == cal && plan->anchor.as_of == as_of)
		return 0;
	plan->counted = NULL; /* counted for other periods */
	plan->valid = 0;
	plan->cal = cal;
	rt_period_anchor_init(&plan->anchor, cal, as_of);
	if (find_half_days(plan, cal))
		return -1;
	for (size_t j = 0; j < plan->nkeys; j++) {
		plan->begin[j] = j ? rt_period_begin(&plan->anchor, cal, &prog->measures[plan->key_measure[j]])
		                   : plan->anchor.year_begin;
		if (plan->begin[j] > plan->anchor.upto)
			plan->begin[j] = plan->anchor.upto;
	}
	/* latest begin first: a few keys, insertion sort */
	for (size_t j = 0; j < plan->nkeys; j++) {
		size_t i = j;
		for (; i > 0 && plan->begin[plan->order[i - 1]] < plan->begin[j]; i--)
			plan->order[i] = plan->order[i - 1];
		plan->order[i] = (uint32_t)j;
	}
	plan->valid = 1;
	return 0;
}

/* Sessions in the histogram whose mark is in the set, visiting only the codes
 * the pupil has (`present`, within the program's codes): a few, where a set
 * such as "possible" names dozens. */
static int64_t
count_in(const uint32_t *hist, const struct rt_codeset *set, const struct rt_codeset *present)
{
	int64_t n = 0;
	for (int w = 0; w < 4; w++)
		for (uint64_t bits = set->bits[w] & present->bits[w]; bits; bits &= bits - 1)
			n += hist[(size_t)w * 64 + (size_t)__builtin_ctzll(bits)];
	return n;
}

/* The codes with a session in any key's histogram (hist, keys `stride` apart). */
static void
find_present(struct rt_measure_plan *plan, const uint32_t *hist, size_t stride)
{
	size_t ncodes = plan->prog->ncodes;
	memset(&plan->present, 0, sizeof plan->present);
	for (size_t j = 0; j < plan->nkeys; j++)
		for (size_t c = 0; c < ncodes; c++)
			if (hist[j * stride + c])
				rt_codeset_add(&plan->present, (unsigned)c);
}

/* The histograms of every key by one pass back from the as-of date. */
static void
scan_keys(struct rt_measure_plan *plan, const struct rt_program *prog, const uint8_t *marks)
{
	const struct rt_calendar *cal = plan->cal;
	uint32_t h[256] = { 0 };
	size_t i = plan->anchor.upto;
	for (size_t o = 0; o < plan->nkeys; o++) {
		uint32_t j = plan->order[o];
		for (; i > plan->begin[j]; i--) {
			const uint8_t *day = marks + 2 * (i - 1);
			uint8_t open = cal->days[i - 1].open;
			if (open & RT_OPEN_AM)
				h[day[0]]++;
			if (open & RT_OPEN_PM)
				h[day[1]]++;
		}
		uint32_t *out = plan->hist + j * plan->nbins;
		memcpy(out, h, prog->ncodes * sizeof *out);
		out[prog->ncodes] = h[RT_NO_MARK];
		out[prog->ncodes + 1] = 0; /* marks beyond the codes count nowhere */
	}
}

/* Adds (delta 1) or takes away (delta -1, modulo 2^32) the open sessions of days [from, to). */
static void
tally_days(const struct rt_measure_plan *plan, const uint8_t *marks, uint32_t *hist, size_t from, size_t to,
           uint32_t delta)
{
	const struct rt_school_day *days = plan->cal->days;
	for (size_t i = from; i < to; i++) {
		if (days[i].open & RT_OPEN_AM)
			hist[plan->bin[marks[2 * i]]] += delta;
		if (days[i].open & RT_OPEN_PM)
			hist[plan->bin[marks[2 * i + 1]]] += delta;
	}
}

/*
 * Moves each key's histogram from the days it counted, [old begin, old upto),
 * to the plan's [begin, upto): only the days at either end that differ are
 * added or taken away. Periods only move forward as the as-of date does, so
 * over a year of days each day is added and taken away at most once per key.
 */
static void
tally_advance(const struct rt_measure_plan *plan, const uint8_t *marks, uint32_t *tally)
{
	size_t ou = tally[0], nu = plan->anchor.upto, stride = 1 + plan->nbins;
	for (size_t j = 0; j < plan->nkeys; j++) {
		uint32_t *t = tally + 1 + j * stride, *hist = t + 1;
		size_t ob = t[0], nb = plan->begin[j];
		if (nu <= ob || nb >= ou) {
			memset(hist, 0, plan->nbins * sizeof *hist);
			tally_days(plan, marks, hist, nb, nu, 1);
		} else {
			if (nb < ob)
				tally_days(plan, marks, hist, nb, ob, 1);
			else
				tally_days(plan, marks, hist, ob, nb, UINT32_MAX);
			if (nu > ou)
				tally_days(plan, marks, hist, ou, nu, 1);
			else
				tally_days(plan, marks, hist, nu, ou, UINT32_MAX);
		}
		t[0] = (uint32_t)nb;
	}
	tally[0] = (uint32_t)nu;
}

void
rt_measure_plan_run(struct rt_measure_plan *plan, const struct rt_program *prog, const uint8_t *marks,
                    uint32_t *tally, struct rt_value *out, struct rt_summary *summary)
{
	const struct rt_calendar *cal = plan->cal;
	const uint32_t *hist = plan->hist;
	size_t stride = plan->nbins;
	if (tally) {
		tally_advance(plan, marks, tally);
		hist = tally + 2;
		stride = 1 + plan->nbins;
	} else if (plan->counted != marks) {
		scan_keys(plan, prog, marks);
	}
	if (tally || plan->counted != marks)
		find_present(plan, hist, stride);
	plan->counted = NULL; /* the next pupil's marks may sit at the same address */
	const struct rt_codeset *present = &plan->present;

	int64_t *possible = plan->possible;
	for (size_t j = 0; j < plan->nkeys; j++)
		possible[j] = count_in(hist + j * stride, &plan->possible_codes, present);

	for (size_t k = 0; k < prog->nmeasures; k++) {
		const struct rt_measure *m = &prog->measures[k];
		const uint32_t *h = hist + plan->key[k] * stride;
		if (rt_measure_spans(m)) {
			out[k] = rt_measure_scan_span(prog, cal, m, marks, &plan->anchor,
			                              rt_period_begin(&plan->anchor, cal, m), NULL);
			continue;
		}
		switch ((enum rt_measure_kind)m->kind) {
		case RT_M_HALF_TERM:
			out[k] = (struct rt_value){ plan->anchor.half_term, 1, RT_UNIT_NONE };
			break;
		case RT_M_CONSECUTIVE_DAYS:
			/* runs of absence cross term and year boundaries (see rt_measure_scan) */
			out[k] = days_value(consecutive_days(prog, cal, &prog->codesets[m->codeset], marks, 0,
			                                     plan->anchor.upto));
			break;
		case RT_M_WEEKS_SINCE:
		case RT_M_DAYS_SINCE:
			/* filled in by the VM once the rule is decided */
			out[k] = (struct rt_value){ 0, 1, RT_UNIT_NONE_VALUE };
			break;
		case RT_M_SESSIONS:
		case RT_M_DAYS:
		case RT_M_RATE:
		case RT_M_LONGEST_RUN: /* spans: above */
		case RT_M__COUNT:
			out[k] = value_of(m, count_in(h, &prog->codesets[m->codeset], present), possible[plan->key[k]]);
			break;
		}
	}

	const uint32_t *year = hist; /* key 0 */
	memset(summary, 0, sizeof *summary);
	summary->possible = possible[0];
	summary->unmarked = year[prog->ncodes];
	for (int w = 0; w < 4; w++)
		for (uint64_t bits = present->bits[w]; bits; bits &= bits - 1) {
			size_t k = (size_t)w * 64 + (size_t)__builtin_ctzll(bits);
			switch ((enum rt_category)prog->codes[k].category) {
			case RT_CAT_PRESENT:
			case RT_CAT_EDUCATIONAL:
				summary->present += year[k];
				break;
			case RT_CAT_AUTHORISED:
				summary->authorised += year[k];
				break;
			case RT_CAT_UNAUTHORISED:
				summary->unauthorised += year[k];
				break;
			case RT_CAT_NOT_POSSIBLE:
			case RT_CAT__COUNT:
				break;
			}
		}
}

void
rt_measure_plan_fill(struct rt_measure_plan *plan, size_t key, const struct rt_code_map *map, const uint32_t h[256],
                     const uint32_t shut[256], uint32_t open)
{
	uint32_t *out = plan->hist + key * plan->nbins;
	size_t ncodes = plan->prog->ncodes;
	uint32_t marked = 0;
	memset(out, 0, plan->nbins * sizeof *out);
	for (size_t u = 0; u < map->nused; u++) {
		uint8_t b = map->used[u], c = map->xlat[b];
		uint32_t n = h[b] - (shut ? shut[b] : 0);
		marked += n;
		if (c < ncodes)
			out[c] += n; /* other values (a code the policy lacks) count nowhere */
	}
	out[ncodes] = open - marked; /* unmarked */
}

void
rt_measure_plan_free(struct rt_measure_plan *plan)
{
	free(plan->key);
	free(plan->key_measure);
	free(plan->begin);
	free(plan->order);
	free(plan->hist);
	free(plan->possible);
	free(plan->raw);
	free(plan->half_days);
	memset(plan, 0, sizeof *plan);
}

/* The school week of `date` for counting weeks since it: the week containing
 * it if the school meets that week, else the next school week (a rule that
 * starts holding in a holiday starts counting when school resumes). -1 if no
 * school week is on or after it. */
static int64_t
week_from(const struct rt_calendar *cal, rt_date date)
{
	size_t upto = rt_calendar_upto(cal, date);
	if (upto > 0 && rt_date_week_start(cal->days[upto - 1].date) == rt_date_week_start(date))
		return cal->days[upto - 1].week;
	return upto < cal->ndays ? (int64_t)cal->days[upto].week : -1;
}

struct rt_value
rt_measure_since(const struct rt_calendar *cal, const struct rt_period_anchor *a, const struct rt_measure *m,
                 rt_date since)
{
	if (since == RT_DATE_MAX)
		return (struct rt_value){ 0, 1, RT_UNIT_NONE_VALUE };
	if (since > a->as_of)
		since = a->as_of; /* a history from after the as-of date: it cannot have held longer than now */
	if (m->kind == RT_M_DAYS_SINCE) {
		size_t before = rt_calendar_upto(cal, since);
		return (struct rt_value){ (int64_t)(a->upto - (before < a->upto ? before : a->upto)), 1, RT_UNIT_DAYS };
	}
	int64_t from = week_from(cal, since), weeks = 0;
	if (from >= 0 && a->window_week > from)
		weeks = a->window_week - from;
	return (struct rt_value){ weeks, 1, RT_UNIT_SCHOOL_WEEKS };
}
