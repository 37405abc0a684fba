/*
 * Register measures (docs/architecture.md "Measures"). A session counts
 * when the calendar says the school meets it and the pupil has a mark for
 * it; only days up to and including the as-of date count.
 *
 * For speed the VM does not scan per measure: rt_measure_plan_run makes one
 * backward pass per pupil from the as-of date to the earliest period start,
 * snapshotting a per-mark histogram at each start, so a measure is then a
 * sum over the codes in its set. rt_measure_compute does the same arithmetic
 * by a direct scan and is the reference the tests compare against.
 */
#include "measures.h"

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

struct rt_value
rt_measure_compute(const struct rt_program *prog, const struct rt_calendar *cal, const struct rt_measure *m,
                   const uint8_t *marks, rt_date as_of)
{
	struct rt_period_anchor a;
	rt_period_anchor_init(&a, cal, as_of);
	if (m->kind == RT_M_WEEKS_SINCE || m->kind == RT_M_DAYS_SINCE)
		return (struct rt_value){ 0, 1, RT_UNIT_NONE_VALUE }; /* needs the run's outcomes: the VM computes it */
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

static int
cmp_desc(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? 1 : x > y ? -1 : 0;
}

static uint32_t
slot_of(const struct rt_measure_plan *plan, size_t begin)
{
	for (size_t i = 0; i < plan->nbegins; i++)
		if (plan->begins[i] == begin)
			return (uint32_t)i;
	return 0; /* not reached: every begin was added */
}

int
rt_measure_plan_prepare(struct rt_measure_plan *plan, const struct rt_program *prog,
                        const struct rt_calendar *cal, rt_date as_of)
{
	if (plan->valid && plan->cal == cal && plan->anchor.as_of == as_of)
		return 0;
	plan->valid = 0;
	size_t most = prog->nmeasures + 1;
	size_t *begins = realloc(plan->begins, most * sizeof *begins);
	if (!begins)
		return -1;
	plan->begins = begins;
	uint32_t *slot = realloc(plan->slot, most * sizeof *slot);
	if (!slot)
		return -1;
	plan->slot = slot;
	uint32_t (*hist)[256] = realloc(plan->hist, most * sizeof *hist);
	if (!hist)
		return -1;
	plan->hist = hist;
	int64_t *possible = realloc(plan->possible, most * sizeof *possible);
	if (!possible)
		return -1;
	plan->possible = possible;

	plan->cal = cal;
	rt_period_anchor_init(&plan->anchor, cal, as_of);
	size_t n = 0;
	begins[n++] = plan->anchor.year_begin;
	for (size_t k = 0; k < prog->nmeasures; k++)
		begins[n++] = rt_period_begin(&plan->anchor, cal, &prog->measures[k]);
	qsort(begins, n, sizeof *begins, cmp_desc);
	size_t unique = 0;
	for (size_t i = 0; i < n; i++)
		if (unique == 0 || begins[unique - 1] != begins[i])
			begins[unique++] = begins[i];
	plan->nbegins = unique;
	for (size_t k = 0; k < prog->nmeasures; k++)
		slot[k] = slot_of(plan, rt_period_begin(&plan->anchor, cal, &prog->measures[k]));
	plan->year_slot = slot_of(plan, plan->anchor.year_begin);
	plan->valid = 1;
	return 0;
}

/* Sessions in the histogram whose mark is in the set. */
static int64_t
count_in(const uint32_t *hist, const struct rt_codeset *set)
{
	int64_t n = 0;
	for (int w = 0; w < 4; w++)
		for (uint64_t bits = set->bits[w]; bits; bits &= bits - 1)
			n += hist[w * 64 + __builtin_ctzll(bits)];
	return n;
}

static int64_t
count_possible(const struct rt_program *prog, const uint32_t *hist)
{
	int64_t n = 0;
	for (size_t k = 0; k < prog->ncodes; k++)
		if (prog->codes[k].category != RT_CAT_NOT_POSSIBLE)
			n += hist[k];
	return n;
}

void
rt_measure_plan_run(struct rt_measure_plan *plan, const struct rt_program *prog, const uint8_t *marks,
                    struct rt_value *out, struct rt_summary *summary)
{
	const struct rt_calendar *cal = plan->cal;
	uint32_t h[256] = { 0 };
	size_t i = plan->anchor.upto;
	for (size_t b = 0; b < plan->nbegins; b++) {
		for (; i > plan->begins[b]; i--) {
			const uint8_t *day = marks + 2 * (i - 1);
			uint8_t open = cal->days[i - 1].open;
			/* unmarked open sessions land in h[RT_NO_MARK] */
			if (open & RT_OPEN_AM)
				h[day[0]]++;
			if (open & RT_OPEN_PM)
				h[day[1]]++;
		}
		memcpy(plan->hist[b], h, sizeof h);
	}

	int64_t *possible = plan->possible;
	for (size_t b = 0; b < plan->nbegins; b++)
		possible[b] = count_possible(prog, plan->hist[b]);

	for (size_t k = 0; k < prog->nmeasures; k++) {
		const struct rt_measure *m = &prog->measures[k];
		uint32_t s = plan->slot[k];
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
		case RT_M__COUNT:
			out[k] = value_of(m, count_in(plan->hist[s], &prog->codesets[m->codeset]), possible[s]);
			break;
		}
	}

	const uint32_t *year = plan->hist[plan->year_slot];
	memset(summary, 0, sizeof *summary);
	summary->possible = possible[plan->year_slot];
	summary->unmarked = year[RT_NO_MARK];
	for (size_t k = 0; k < prog->ncodes; k++) {
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
rt_measure_plan_free(struct rt_measure_plan *plan)
{
	free(plan->begins);
	free(plan->slot);
	free(plan->hist);
	free(plan->possible);
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
