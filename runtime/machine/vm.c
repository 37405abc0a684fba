/*
 * The VM: a stack machine over exact rational values. The verifier has
 * checked every operand, the stack depth at every instruction and that the
 * code ends at HALT, so the loop below indexes tables without checks.
 * What it cannot know statically (units meeting at run time, overflow in
 * ADD/SUB) is checked here and reported as an error, never undefined.
 */
#include "runtime/machine/eval.h"
#include "runtime/machine/measures.h"
#include "runtime/machine/opcodes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
rt_eval_init(struct rt_eval *ev, const struct rt_program *prog, const struct rt_calendar *cal)
{
	memset(ev, 0, sizeof *ev);
	ev->prog = prog;
	ev->cal = cal;
	ev->stage_rule = -1;
	ev->year = RT_NO_YEAR;
	ev->measures = calloc(prog->nmeasures ? prog->nmeasures : 1, sizeof *ev->measures);
	ev->outcomes = calloc(prog->nrules ? prog->nrules : 1, sizeof *ev->outcomes);
	ev->stack = calloc(prog->max_stack ? prog->max_stack : 1, sizeof *ev->stack);
	ev->plan = calloc(1, sizeof *ev->plan);
	ev->pc_rule = calloc(prog->ncode ? prog->ncode : 1, sizeof *ev->pc_rule);
	ev->held_since = calloc(prog->nrules ? prog->nrules : 1, sizeof *ev->held_since);
	ev->spans = calloc(prog->nmeasures ? prog->nmeasures : 1, sizeof *ev->spans);
	if (!ev->spans || !ev->measures || !ev->outcomes || !ev->stack || !ev->plan || !ev->pc_rule || !ev->held_since) {
		rt_eval_free(ev);
		return -1;
	}
	/* An instruction works toward the next RULE after it. */
	uint32_t rule = UINT32_MAX;
	for (size_t pc = prog->ncode; pc-- > 0;) {
		if (prog->code[pc].op == RT_OP_RULE)
			rule = prog->code[pc].operand;
		ev->pc_rule[pc] = rule;
	}
	return 0;
}

void
rt_eval_free(struct rt_eval *ev)
{
	free(ev->measures);
	free(ev->outcomes);
	free(ev->stack);
	if (ev->plan)
		rt_measure_plan_free(ev->plan);
	free(ev->plan);
	free(ev->pc_rule);
	free(ev->held_since);
	free(ev->spans);
	free(ev->trace);
	memset(ev, 0, sizeof *ev);
	ev->stage_rule = -1;
}

static int
vm_error(struct rt_eval *ev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ev->error, sizeof ev->error, fmt, ap);
	va_end(ap);
	return -1;
}

static struct rt_value
truth(int b)
{
	return (struct rt_value){ b != 0, 1, RT_UNIT_BOOL };
}

static int
holds(const struct rt_value *v)
{
	return v->unit != RT_UNIT_NONE_VALUE && v->num != 0;
}

/* On magnitudes, so that INT64_MIN cannot be negated. */
static int64_t
gcd64(int64_t a, int64_t b)
{
	uint64_t x = a < 0 ? 0 - (uint64_t)a : (uint64_t)a;
	uint64_t y = b < 0 ? 0 - (uint64_t)b : (uint64_t)b;
	while (y) {
		uint64_t t = x % y;
		x = y;
		y = t;
	}
	return x > INT64_MAX ? 1 : (int64_t)x;
}

/* a + sign*b exactly, in lowest terms; -1 on overflow. */
static int
add_values(const struct rt_value *a, const struct rt_value *b, int sign, struct rt_value *out)
{
	int64_t l, r, num, den;
	if (__builtin_mul_overflow(a->num, b->den, &l) || __builtin_mul_overflow(b->num, a->den, &r) ||
	    __builtin_mul_overflow(a->den, b->den, &den))
		return -1;
	if (sign < 0 ? __builtin_sub_overflow(l, r, &num) : __builtin_add_overflow(l, r, &num))
		return -1;
	int64_t g = gcd64(num, den);
	if (g > 1) {
		num /= g;
		den /= g;
	}
	*out = (struct rt_value){ num, den, a->unit };
	return 0;
}

static int
record_trace(struct rt_eval *ev, uint32_t pc, const struct rt_value *l, const struct rt_value *r, int result)
{
	if (ev->ntrace == ev->cap_trace) {
		size_t ncap = ev->cap_trace ? ev->cap_trace * 2 : 32;
		struct rt_trace_entry *t = realloc(ev->trace, ncap * sizeof *t);
		if (!t)
			return vm_error(ev, "out of memory recording the trace");
		ev->trace = t;
		ev->cap_trace = ncap;
	}
	const struct rt_instr *in = &ev->prog->code[pc];
	ev->trace[ev->ntrace++] = (struct rt_trace_entry){
		.rule = ev->pc_rule[pc], .pc = pc, .op = in->op, .label = in->operand,
		.left = *l, .right = *r, .result = (uint8_t)(result != 0),
	};
	return 0;
}

/* The result of comparison `op` of a with b: false when either has no value. */
static int
compare(uint8_t op, const struct rt_value *a, const struct rt_value *b)
{
	if (a->unit == RT_UNIT_NONE_VALUE || b->unit == RT_UNIT_NONE_VALUE)
		return 0;
	int c = rt_value_compare(a, b);
	switch ((enum rt_opcode)op) {
	case RT_OP_LT: return c < 0;
	case RT_OP_LE: return c <= 0;
	case RT_OP_GT: return c > 0;
	case RT_OP_GE: return c >= 0;
	case RT_OP_EQ: return c == 0;
	case RT_OP_NE: return c != 0;
	default: return 0;
	}
}

static int
is_since(const struct rt_measure *m)
{
	return m->kind == RT_M_WEEKS_SINCE || m->kind == RT_M_DAYS_SINCE;
}

/* The date from which rule k holds, now that it is decided (see rt_eval_pupil_history). */
static rt_date
held_since(const struct rt_eval *ev, uint32_t k, int holds_now, const struct rt_pupil_history *history)
{
	if (!holds_now)
		return RT_DATE_MAX;
	rt_date as_of = ev->plan->anchor.as_of;
	if (history && history->held_since && history->held_since[k] != RT_DATE_MAX && history->held_since[k] <= as_of)
		return history->held_since[k];
	return as_of;
}

/* The date from which rule k has held by the recorded history alone (up to the day before). */
static rt_date
recorded_since(const struct rt_pupil_history *history, uint32_t k)
{
	return history && history->held_since ? history->held_since[k] : RT_DATE_MAX;
}

/* A "since" measure from its rule's outcome, which is decided before it runs (verifier),
 * or, flagged RT_MEASURE_RECORDED, from the recorded history alone. */
static struct rt_value
since_value(const struct rt_eval *ev, const struct rt_measure *m, const struct rt_pupil_history *history)
{
	if (m->rule >= ev->prog->nrules) /* only an unverified program (tests) gets here */
		return (struct rt_value){ 0, 1, RT_UNIT_NONE_VALUE };
	rt_date since = m->flags & RT_MEASURE_RECORDED ? recorded_since(history, m->rule) : ev->held_since[m->rule];
	return rt_measure_since(ev->cal, &ev->plan->anchor, m, since);
}

static int
run(struct rt_eval *ev, const struct rt_pupil_history *history)
{
	const struct rt_program *p = ev->prog;
	struct rt_value *stack = ev->stack;
	size_t sp = 0; /* number of values on the stack */
	size_t pc = 0;
	while (pc < p->ncode) {
		const struct rt_instr *in = &p->code[pc];
		switch ((enum rt_opcode)in->op) {
		/* HALT: stop; the verifier proved the stack is empty here. */
		case RT_OP_HALT:
			return 0;

		/* CONST k: push constant k. */
		case RT_OP_CONST:
			stack[sp++] = p->constants[in->operand];
			break;

		/* MEASURE k: push measure k, computed before the code ran; a "since"
		 * measure now, from its rule decided earlier in this run. */
		case RT_OP_MEASURE:
			if (is_since(&p->measures[in->operand]))
				ev->measures[in->operand] = since_value(ev, &p->measures[in->operand], history);
			stack[sp++] = ev->measures[in->operand];
			break;

		/* SCHEDULE k: push schedule k's value for the as-of half term, or "no value". */
		case RT_OP_SCHEDULE: {
			const struct rt_schedule *s = &p->schedules[in->operand];
			int ht = ev->plan->anchor.half_term;
			if (ht >= 1 && ht <= RT_MAX_HALF_TERMS && (s->present >> (ht - 1) & 1))
				stack[sp++] = (struct rt_value){ s->num[ht - 1], 1, s->unit };
			else
				stack[sp++] = (struct rt_value){ 0, 1, RT_UNIT_NONE_VALUE };
			break;
		}

		/* OUTCOME k: push whether rule k (decided earlier on every path) holds. */
		case RT_OP_OUTCOME:
			stack[sp++] = truth(ev->outcomes[in->operand]);
			break;

		/* ADD, SUB: exact rational arithmetic on one unit; "no value" is contagious. */
		case RT_OP_ADD:
		case RT_OP_SUB: {
			const struct rt_value *a = &stack[sp - 2], *b = &stack[sp - 1];
			struct rt_value r;
			if (a->unit == RT_UNIT_NONE_VALUE || b->unit == RT_UNIT_NONE_VALUE)
				r = (struct rt_value){ 0, 1, RT_UNIT_NONE_VALUE };
			else if (a->unit != b->unit)
				return vm_error(ev, "instruction %zu: %s of %s and %s", pc, rt_opcode_table[in->op].name,
				                rt_unit_name(a->unit), rt_unit_name(b->unit));
			else if (add_values(a, b, in->op == RT_OP_SUB ? -1 : 1, &r))
				return vm_error(ev, "instruction %zu: %s overflows", pc, rt_opcode_table[in->op].name);
			sp--;
			stack[sp - 1] = r;
			break;
		}

		/* LT .. NE: exact comparison; false when either side has no value. */
		case RT_OP_LT:
		case RT_OP_LE:
		case RT_OP_GT:
		case RT_OP_GE:
		case RT_OP_EQ:
		case RT_OP_NE: {
			const struct rt_value *a = &stack[sp - 2], *b = &stack[sp - 1];
			if (a->unit != b->unit && a->unit != RT_UNIT_NONE_VALUE && b->unit != RT_UNIT_NONE_VALUE)
				return vm_error(ev, "instruction %zu: compares %s with %s", pc, rt_unit_name(a->unit),
				                rt_unit_name(b->unit));
			int result = compare(in->op, a, b);
			if (ev->tracing && record_trace(ev, (uint32_t)pc, a, b, result))
				return -1;
			sp--;
			stack[sp - 1] = truth(result);
			break;
		}

		/* NOT: negate a truth value ("no value" is not true, so its negation is true). */
		case RT_OP_NOT:
			stack[sp - 1] = truth(!holds(&stack[sp - 1]));
			break;

		/* JUMP k: continue at k (forward). */
		case RT_OP_JUMP:
			pc = in->operand;
			continue;

		/* AND_ELSE k: if the top is false, jump to k keeping it; else pop it. */
		case RT_OP_AND_ELSE:
			if (!holds(&stack[sp - 1])) {
				pc = in->operand;
				continue;
			}
			sp--;
			break;

		/* OR_ELSE k: if the top is true, jump to k keeping it; else pop it. */
		case RT_OP_OR_ELSE:
			if (holds(&stack[sp - 1])) {
				pc = in->operand;
				continue;
			}
			sp--;
			break;

		/* RULE k: pop rule k's outcome; a stage that holds may become the pupil's stage. */
		case RT_OP_RULE: {
			int h = holds(&stack[--sp]);
			const struct rt_rule *r = &p->rules[in->operand];
			ev->outcomes[in->operand] = (uint8_t)h;
			ev->held_since[in->operand] = held_since(ev, in->operand, h, history);
			if (h && r->kind == RT_RULE_STAGE && r->stage > ev->stage) {
				ev->stage = r->stage;
				ev->stage_rule = (int)in->operand;
			}
			break;
		}

		/* IN_FORCE k: whether the as-of date lies in date range k (a dated rule). */
		case RT_OP_IN_FORCE: {
			const struct rt_range *r = &p->ranges[in->operand];
			rt_date as_of = ev->plan->anchor.as_of;
			int in_force = r->from <= as_of && as_of <= r->until;
			struct rt_value from = { r->from, 1, RT_UNIT_DATE }, until = { r->until, 1, RT_UNIT_DATE };
			if (ev->tracing && record_trace(ev, (uint32_t)pc, &from, &until, in_force))
				return -1;
			stack[sp++] = truth(in_force);
			break;
		}

		/* CHOOSE k: the value in force (a let's dated values); the one below when not in range k. */
		case RT_OP_CHOOSE: {
			const struct rt_range *r = &p->ranges[in->operand];
			rt_date as_of = ev->plan->anchor.as_of;
			if (r->from <= as_of && as_of <= r->until)
				stack[sp - 2] = stack[sp - 1];
			sp--;
			break;
		}

		/* IN_YEARS k: whether the pupil's year group lies in years k (false with none recorded). */
		case RT_OP_IN_YEARS: {
			int from = 0, until = 0;
			rt_years_unpack(in->operand, &from, &until); /* verified */
			int in_years = ev->year != RT_NO_YEAR && from <= ev->year && ev->year <= until;
			struct rt_value year = { ev->year, 1, ev->year == RT_NO_YEAR ? RT_UNIT_NONE_VALUE : RT_UNIT_NONE };
			if (ev->tracing && record_trace(ev, (uint32_t)pc, &year, &year, in_years))
				return -1;
			stack[sp++] = truth(in_years);
			break;
		}

		case RT_OP__COUNT:
		default:
			/* A bug: the verifier rejects unknown opcodes. */
			return vm_error(ev, "instruction %zu: unknown opcode %u (program not verified?)", pc, in->op);
		}
		pc++;
	}
	return vm_error(ev, "the program ran off its end (program not verified?)");
}

/* Penalty windows restart after the sessions an earlier notice counted:
 * recount each RT_MEASURE_AFTER_NOTICE measure from the day after counted_until. */
static void
recount_after_notice(struct rt_eval *ev, const uint8_t *marks, rt_date counted_until)
{
	const struct rt_program *p = ev->prog;
	const struct rt_measure_plan *plan = ev->plan;
	if (counted_until == RT_DATE_MIN)
		return;
	size_t after = rt_calendar_upto(ev->cal, counted_until);
	if (after > plan->anchor.upto)
		after = plan->anchor.upto;
	for (size_t k = 0; k < p->nmeasures; k++) {
		const struct rt_measure *m = &p->measures[k];
		if ((m->flags & RT_MEASURE_AFTER_NOTICE) && !is_since(m) && m->period != RT_P_SINCE &&
		    after > rt_period_begin(&plan->anchor, ev->cal, m))
			ev->measures[k] = rt_measure_scan(p, ev->cal, m, marks, &plan->anchor, after);
	}
}

/* Measures over "since RULE" count the school days after the rule's recorded start
 * (and after counted_until when they are penalty windows); no value without one. */
static void
count_since(struct rt_eval *ev, const uint8_t *marks, const struct rt_pupil_history *history)
{
	const struct rt_program *p = ev->prog;
	const struct rt_period_anchor *a = &ev->plan->anchor;
	for (size_t k = 0; k < p->nmeasures; k++) {
		const struct rt_measure *m = &p->measures[k];
		if (m->period != RT_P_SINCE || is_since(m))
			continue;
		rt_date since = recorded_since(history, m->rule);
		if (since == RT_DATE_MAX || since > a->as_of) {
			ev->measures[k] = (struct rt_value){ 0, 1, RT_UNIT_NONE_VALUE };
			ev->spans[k] = (struct rt_span){ RT_DATE_MAX, RT_DATE_MAX };
			continue;
		}
		size_t begin = rt_calendar_upto(ev->cal, since);
		if ((m->flags & RT_MEASURE_AFTER_NOTICE) && history && history->counted_until != RT_DATE_MIN &&
		    rt_calendar_upto(ev->cal, history->counted_until) > begin)
			begin = rt_calendar_upto(ev->cal, history->counted_until);
		if (begin > a->upto)
			begin = a->upto;
		ev->measures[k] = rt_measure_scan(p, ev->cal, m, marks, a, begin);
		if (ev->tracing) /* the school days counted, for explain */
			ev->spans[k] = begin < a->upto ? (struct rt_span){ ev->cal->days[begin].date, ev->cal->days[a->upto - 1].date }
			                               : (struct rt_span){ RT_DATE_MAX, RT_DATE_MAX };
	}
}

/* The date a measure taken at another time is taken on, or RT_DATE_MAX when there is none. */
static rt_date
other_time(const struct rt_measure *m, rt_date as_of, const struct rt_pupil_history *history)
{
	int y, mo, d;
	if (m->flags & RT_MEASURE_AT_START) {
		rt_date start = recorded_since(history, m->rule);
		return start != RT_DATE_MAX && start > as_of ? as_of : start;
	}
	if (m->flags & RT_MEASURE_AT_LAST_YEAR)
		return rt_date_from_ymd(rt_date_school_year(as_of), 7, 31);
	rt_date_to_ymd(as_of, &y, &mo, &d);
	return rt_date_from_ymd(y - 1, mo, mo == 2 && d == 29 ? 28 : d);
}

/* Figures at other times: each such measure counted with the anchor of its own date; no
 * value when that date is unknown or before the calendar begins. */
static void
count_at_other_times(struct rt_eval *ev, const uint8_t *marks, const struct rt_pupil_history *history)
{
	const struct rt_program *p = ev->prog;
	for (size_t k = 0; k < p->nmeasures; k++) {
		const struct rt_measure *m = &p->measures[k];
		if (!(m->flags & RT_MEASURE_AT))
			continue;
		rt_date on = other_time(m, ev->plan->anchor.as_of, history);
		ev->spans[k] = (struct rt_span){ on, on };
		if (on == RT_DATE_MAX || ev->cal->ndays == 0 || on < ev->cal->days[0].date) {
			ev->measures[k] = (struct rt_value){ 0, 1, RT_UNIT_NONE_VALUE };
			continue;
		}
		struct rt_period_anchor a;
		rt_period_anchor_init(&a, ev->cal, on);
		size_t begin = rt_period_begin(&a, ev->cal, m);
		ev->measures[k] = rt_measure_scan(p, ev->cal, m, marks, &a, begin);
		/* No sessions then (not on roll, or no register kept): no figure, rather than a rate of 0%. */
		if (rt_measure_possible(p, ev->cal, marks, begin, a.upto) == 0)
			ev->measures[k] = (struct rt_value){ 0, 1, RT_UNIT_NONE_VALUE };
	}
}

int
rt_eval_pupil(struct rt_eval *ev, const uint8_t *marks, rt_date as_of)
{
	return rt_eval_pupil_history(ev, marks, as_of, NULL);
}

int
rt_eval_pupil_history(struct rt_eval *ev, const uint8_t *marks, rt_date as_of,
                      const struct rt_pupil_history *history)
{
	return rt_eval_pupil_tally(ev, marks, as_of, history, NULL);
}

int
rt_eval_pupil_tally(struct rt_eval *ev, const uint8_t *marks, rt_date as_of, const struct rt_pupil_history *history,
                    uint32_t *tally)
{
	const struct rt_program *p = ev->prog;
	ev->error[0] = '\0';
	ev->stage = 0;
	ev->stage_rule = -1;
	ev->ntrace = 0;
	memset(ev->outcomes, 0, p->nrules ? p->nrules : 1);
	for (size_t k = 0; k < p->nrules; k++)
		ev->held_since[k] = RT_DATE_MAX;
	if (rt_measure_plan_prepare(ev->plan, p, ev->cal, as_of))
		return vm_error(ev, "out of memory");
	rt_measure_plan_run(ev->plan, p, marks, tally, ev->measures, &ev->summary);
	for (size_t k = 0; ev->tracing && k < p->nmeasures; k++) /* explain names the window or run */
		if (rt_measure_spans(&p->measures[k]))
			rt_measure_scan_span(p, ev->cal, &p->measures[k], marks, &ev->plan->anchor,
			                     rt_period_begin(&ev->plan->anchor, ev->cal, &p->measures[k]), &ev->spans[k]);
	if (history)
		recount_after_notice(ev, marks, history->counted_until);
	count_since(ev, marks, history);
	count_at_other_times(ev, marks, history);
	if (run(ev, history))
		return -1;
	/* "since" measures no MEASURE reached (short-circuited) get their values too, for reports */
	for (size_t k = 0; k < p->nmeasures; k++)
		if (is_since(&p->measures[k]))
			ev->measures[k] = since_value(ev, &p->measures[k], history);
	return 0;
}
