/* The VM: one test per opcode on hand-built programs, plus stages, traces and the summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "runtime/machine/bytecode.h"
#include "runtime/machine/eval.h"
#include "runtime/machine/opcodes.h"

enum { C_PRESENT, C_ILL, C_UNAUTH, C_NOTPOSS, NCODES };

/* One school week, Monday 2 September 2024 to Friday 6 September, in half term 1;
 * then Monday 4 November (half term 2). */
struct fixture {
	struct rt_school_day days[6];
	struct rt_calendar cal;
	uint8_t marks[12];
};

static void
fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	for (int i = 0; i < 5; i++)
		f->days[i] = (struct rt_school_day){ rt_date_from_ymd(2024, 9, 2 + i), RT_OPEN_AM | RT_OPEN_PM, 1, 2024, 0 };
	f->days[5] = (struct rt_school_day){ rt_date_from_ymd(2024, 11, 4), RT_OPEN_AM | RT_OPEN_PM, 2, 2024, 0 };
	f->cal.days = f->days;
	f->cal.ndays = 6;
	rt_calendar_number_weeks(&f->cal);
	memset(f->marks, C_PRESENT, sizeof f->marks);
}

static struct rt_program *
base_program(void)
{
	struct rt_program *p = rt_program_new();
	const char *names[NCODES] = { "/", "I", "U", "X" };
	const uint8_t cats[NCODES] = { RT_CAT_PRESENT, RT_CAT_AUTHORISED, RT_CAT_UNAUTHORISED, RT_CAT_NOT_POSSIBLE };
	for (int i = 0; i < NCODES; i++) {
		struct rt_code c = { rt_program_string(p, names[i]), RT_NO_STRING, cats[i],
		                     i == C_UNAUTH ? RT_CODE_PENALTY : 0, (uint8_t)i, RT_DATE_MIN, RT_DATE_MAX,
		                     RT_NO_STRING, 1, RT_NO_STRING };
		rt_program_code(p, &c);
	}
	return p;
}

static uint32_t
add_rule(struct rt_program *p, const char *name, uint8_t kind, uint16_t stage)
{
	struct rt_rule r = { rt_program_string(p, name), RT_NO_STRING, kind, stage, 0, 0, UINT32_MAX, RT_NO_STRING, 1,
	                     RT_NO_STRING, RT_ALWAYS };
	return rt_program_rule(p, &r);
}

static uint32_t
konst(struct rt_program *p, int64_t num, int64_t den, uint8_t unit)
{
	return rt_program_constant(p, (struct rt_value){ num, den, unit });
}

static uint32_t
emit(struct rt_program *p, uint8_t op, uint32_t operand)
{
	return rt_program_emit(p, op, operand, 10 + (uint32_t)p->ncode);
}

/* Verifies p, evaluates it for the fixture's pupil and returns rt_eval_pupil's result. */
static int
evaluate(struct rt_program *p, struct fixture *f, rt_date as_of, struct rt_eval *ev, int tracing)
{
	char err[256];
	if (rt_verify(p, err, sizeof err) != 0)
		fail_msg("program does not verify: %s", err);
	assert_int_equal(rt_eval_init(ev, p, &f->cal), 0);
	ev->tracing = tracing;
	return rt_eval_pupil(ev, f->marks, as_of);
}

/* A program deciding rule 0 from one comparison: CONST a; CONST b; op; RULE 0; HALT. */
static int
compare_result(uint8_t op, struct rt_value a, struct rt_value b)
{
	struct fixture f;
	fixture_init(&f);
	struct rt_program *p = base_program();
	add_rule(p, "r", RT_RULE_FLAG, 0);
	p->max_stack = 2;
	emit(p, RT_OP_CONST, rt_program_constant(p, a));
	emit(p, RT_OP_CONST, rt_program_constant(p, b));
	emit(p, op, rt_program_string(p, "left"));
	emit(p, RT_OP_RULE, 0);
	emit(p, RT_OP_HALT, 0);
	struct rt_eval ev;
	assert_int_equal(evaluate(p, &f, f.days[0].date, &ev, 0), 0);
	int result = ev.outcomes[0];
	rt_eval_free(&ev);
	rt_program_free(p);
	return result;
}

static void
test_halt(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	struct rt_program *p = base_program();
	emit(p, RT_OP_HALT, 0);
	struct rt_eval ev;
	assert_int_equal(evaluate(p, &f, f.days[4].date, &ev, 0), 0);
	assert_int_equal(ev.stage, 0);
	assert_int_equal(ev.stage_rule, -1);
	rt_eval_free(&ev);
	rt_program_free(p);
}

static void
test_const(void **state)
{
	(void)state;
	struct rt_value t = { 1, 1, RT_UNIT_BOOL }, zero = { 0, 1, RT_UNIT_BOOL };
	struct fixture f;
	fixture_init(&f);
	struct rt_program *p = base_program();
	add_rule(p, "yes", RT_RULE_FLAG, 0);
	add_rule(p, "no", RT_RULE_FLAG, 0);
	p->max_stack = 1;
	emit(p, RT_OP_CONST, rt_program_constant(p, t));
	emit(p, RT_OP_RULE, 0);
	emit(p, RT_OP_CONST, rt_program_constant(p, zero));
	emit(p, RT_OP_RULE, 1);
	emit(p, RT_OP_HALT, 0);
	struct rt_eval ev;
	assert_int_equal(evaluate(p, &f, f.days[0].date, &ev, 0), 0);
	assert_int_equal(ev.outcomes[0], 1);
	assert_int_equal(ev.outcomes[1], 0);
	rt_eval_free(&ev);
	rt_program_free(p);
}

/* MEASURE: unauthorised sessions this year >= 2 sessions. */
static void
test_measure(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	struct rt_program *p = base_program();
	struct rt_codeset set = { { 0 } };
	rt_codeset_add(&set, C_UNAUTH);
	struct rt_measure m = { RT_M_SESSIONS, RT_P_YEAR, 0, rt_program_codeset(p, &set),
	                        rt_program_string(p, "unauthorised sessions"), 0, 0 };
	add_rule(p, "r", RT_RULE_FLAG, 0);
	p->max_stack = 2;
	emit(p, RT_OP_MEASURE, rt_program_measure(p, &m));
	emit(p, RT_OP_CONST, konst(p, 2, 1, RT_UNIT_SESSIONS));
	emit(p, RT_OP_GE, m.label);
	emit(p, RT_OP_RULE, 0);
	emit(p, RT_OP_HALT, 0);
	struct rt_eval ev;
	f.marks[1] = C_UNAUTH;
	assert_int_equal(evaluate(p, &f, f.days[4].date, &ev, 0), 0);
	assert_int_equal(ev.measures[0].num, 1);
	assert_int_equal(ev.measures[0].unit, RT_UNIT_SESSIONS);
	assert_int_equal(ev.outcomes[0], 0);
	f.marks[6] = C_UNAUTH;
	assert_int_equal(rt_eval_pupil(&ev, f.marks, f.days[4].date), 0);
	assert_int_equal(ev.measures[0].num, 2);
	assert_int_equal(ev.outcomes[0], 1);
	/* as of Tuesday, Thursday morning's mark (index 6) is not counted yet */
	assert_int_equal(rt_eval_pupil(&ev, f.marks, f.days[1].date), 0);
	assert_int_equal(ev.measures[0].num, 1);
	assert_int_equal(ev.outcomes[0], 0);
	rt_eval_free(&ev);
	rt_program_free(p);
}

/* SCHEDULE: a value in half term 1 only; in half term 2 every comparison is false. */
static void
test_schedule(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	struct rt_program *p = base_program();
	struct rt_schedule s = { rt_program_string(p, "likely"), RT_UNIT_SESSIONS, 0x01, { 10 }, 3 };
	uint32_t k = rt_program_schedule(p, &s);
	add_rule(p, "eq", RT_RULE_FLAG, 0);
	add_rule(p, "ne", RT_RULE_FLAG, 0);
	p->max_stack = 2;
	uint32_t ten = konst(p, 10, 1, RT_UNIT_SESSIONS);
	emit(p, RT_OP_SCHEDULE, k);
	emit(p, RT_OP_CONST, ten);
	emit(p, RT_OP_EQ, s.name);
	emit(p, RT_OP_RULE, 0);
	emit(p, RT_OP_SCHEDULE, k);
	emit(p, RT_OP_CONST, ten);
	emit(p, RT_OP_NE, s.name);
	emit(p, RT_OP_RULE, 1);
	emit(p, RT_OP_HALT, 0);
	struct rt_eval ev;
	assert_int_equal(evaluate(p, &f, f.days[2].date, &ev, 0), 0);
	assert_int_equal(ev.outcomes[0], 1);
	assert_int_equal(ev.outcomes[1], 0);
	assert_int_equal(rt_eval_pupil(&ev, f.marks, f.days[5].date), 0);
	assert_int_equal(ev.outcomes[0], 0);
	assert_int_equal(ev.outcomes[1], 0);
	rt_eval_free(&ev);
	rt_program_free(p);
}

/* OUTCOME reads an earlier rule; NOT negates it. */
static void
test_outcome_and_not(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	struct rt_program *p = base_program();
	add_rule(p, "first", RT_RULE_FLAG, 0);
	add_rule(p, "copy", RT_RULE_FLAG, 0);
	add_rule(p, "negated", RT_RULE_FLAG, 0);
	p->max_stack = 1;
	emit(p, RT_OP_CONST, konst(p, 1, 1, RT_UNIT_BOOL));
	emit(p, RT_OP_RULE, 0);
	emit(p, RT_OP_OUTCOME, 0);
	emit(p, RT_OP_RULE, 1);
	emit(p, RT_OP_OUTCOME, 0);
	emit(p, RT_OP_NOT, 0);
	emit(p, RT_OP_RULE, 2);
	emit(p, RT_OP_HALT, 0);
	struct rt_eval ev;
	assert_int_equal(evaluate(p, &f, f.days[0].date, &ev, 0), 0);
	assert_int_equal(ev.outcomes[0], 1);
	assert_int_equal(ev.outcomes[1], 1);
	assert_int_equal(ev.outcomes[2], 0);
	rt_eval_free(&ev);
	rt_program_free(p);
}

/* ADD or SUB of a and b, compared EQ with `expect`; returns rt_eval_pupil's result. */
static int
arith(uint8_t op, struct rt_value a, struct rt_value b, struct rt_value expect, int *holds, char *error)
{
	struct fixture f;
	fixture_init(&f);
	struct rt_program *p = base_program();
	add_rule(p, "r", RT_RULE_FLAG, 0);
	p->max_stack = 2;
	emit(p, RT_OP_CONST, rt_program_constant(p, a));
	emit(p, RT_OP_CONST, rt_program_constant(p, b));
	emit(p, op, 0);
	emit(p, RT_OP_CONST, rt_program_constant(p, expect));
	emit(p, RT_OP_EQ, rt_program_string(p, "sum"));
	emit(p, RT_OP_RULE, 0);
	emit(p, RT_OP_HALT, 0);
	struct rt_eval ev;
	int rc = evaluate(p, &f, f.days[0].date, &ev, 0);
	*holds = ev.outcomes[0];
	strcpy(error, ev.error);
	rt_eval_free(&ev);
	rt_program_free(p);
	return rc;
}

static void
test_add(void **state)
{
	(void)state;
	int holds;
	char error[256];
	assert_int_equal(arith(RT_OP_ADD, (struct rt_value){ 1, 2, RT_UNIT_DAYS }, (struct rt_value){ 1, 3, RT_UNIT_DAYS },
	                       (struct rt_value){ 5, 6, RT_UNIT_DAYS }, &holds, error), 0);
	assert_int_equal(holds, 1);
	assert_int_equal(arith(RT_OP_ADD, (struct rt_value){ 1, 2, RT_UNIT_DAYS }, (struct rt_value){ 1, 3, RT_UNIT_DAYS },
	                       (struct rt_value){ 4, 6, RT_UNIT_DAYS }, &holds, error), 0);
	assert_int_equal(holds, 0);
	/* overflow is an error, not undefined behaviour */
	/* (the verifier bounds constants to 2^62, so overflow comes from cross-multiplying) */
	assert_int_equal(arith(RT_OP_ADD, (struct rt_value){ (int64_t)1 << 61, 3, RT_UNIT_MONEY },
	                       (struct rt_value){ 1, 5, RT_UNIT_MONEY }, (struct rt_value){ 0, 1, RT_UNIT_MONEY }, &holds,
	                       error), -1);
	assert_non_null(strstr(error, "instruction 2: ADD overflows"));
	/* different units meeting at run time are an error */
	assert_int_equal(arith(RT_OP_ADD, (struct rt_value){ 1, 1, RT_UNIT_DAYS }, (struct rt_value){ 1, 1, RT_UNIT_SESSIONS },
	                       (struct rt_value){ 2, 1, RT_UNIT_DAYS }, &holds, error), -1);
	assert_non_null(strstr(error, "ADD of days and sessions"));
}

static void
test_sub(void **state)
{
	(void)state;
	int holds;
	char error[256];
	assert_int_equal(arith(RT_OP_SUB, (struct rt_value){ 965, 10, RT_UNIT_PERCENT },
	                       (struct rt_value){ 1, 2, RT_UNIT_PERCENT }, (struct rt_value){ 96, 1, RT_UNIT_PERCENT },
	                       &holds, error), 0);
	assert_int_equal(holds, 1);
	assert_int_equal(arith(RT_OP_SUB, (struct rt_value){ -((int64_t)1 << 61), 3, RT_UNIT_MONEY },
	                       (struct rt_value){ 1, 7, RT_UNIT_MONEY }, (struct rt_value){ 0, 1, RT_UNIT_MONEY }, &holds,
	                       error), -1);
	assert_non_null(strstr(error, "SUB overflows"));
	/* "no value" stays "no value", so the comparison after it is false */
	assert_int_equal(arith(RT_OP_SUB, (struct rt_value){ 0, 1, RT_UNIT_NONE_VALUE },
	                       (struct rt_value){ 2, 1, RT_UNIT_MONEY }, (struct rt_value){ -2, 1, RT_UNIT_MONEY }, &holds,
	                       error), 0);
	assert_int_equal(holds, 0);
}

/* Each comparison on the exact-rate cases: 38 of 380 is 10%, 9.99% is below it. */
static void
test_comparisons(void **state)
{
	(void)state;
	struct rt_value ten = { 10, 1, RT_UNIT_PERCENT };
	struct rt_value rate = { 3800, 380, RT_UNIT_PERCENT };
	struct rt_value lower = { 999, 100, RT_UNIT_PERCENT };
	struct rt_value none = { 0, 1, RT_UNIT_NONE_VALUE };
	struct { uint8_t op; int eq, less, greater; } cases[] = {
		{ RT_OP_LT, 0, 1, 0 }, { RT_OP_LE, 1, 1, 0 }, { RT_OP_GT, 0, 0, 1 },
		{ RT_OP_GE, 1, 0, 1 }, { RT_OP_EQ, 1, 0, 0 }, { RT_OP_NE, 0, 1, 1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(compare_result(cases[i].op, rate, ten), cases[i].eq);
		assert_int_equal(compare_result(cases[i].op, lower, ten), cases[i].less);
		assert_int_equal(compare_result(cases[i].op, ten, lower), cases[i].greater);
		assert_int_equal(compare_result(cases[i].op, none, ten), 0);
		assert_int_equal(compare_result(cases[i].op, ten, none), 0);
	}
}

static void
test_compare_units_must_match(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	struct rt_program *p = base_program();
	add_rule(p, "r", RT_RULE_FLAG, 0);
	p->max_stack = 2;
	emit(p, RT_OP_CONST, konst(p, 1, 1, RT_UNIT_DAYS));
	emit(p, RT_OP_CONST, konst(p, 1, 1, RT_UNIT_SESSIONS));
	emit(p, RT_OP_LT, rt_program_string(p, "x"));
	emit(p, RT_OP_RULE, 0);
	emit(p, RT_OP_HALT, 0);
	struct rt_eval ev;
	assert_int_equal(evaluate(p, &f, f.days[0].date, &ev, 0), -1);
	assert_string_equal(ev.error, "instruction 2: compares days with sessions");
	rt_eval_free(&ev);
	rt_program_free(p);
}

static void
test_jump(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	struct rt_program *p = base_program();
	add_rule(p, "r", RT_RULE_FLAG, 0);
	p->max_stack = 2;
	emit(p, RT_OP_CONST, konst(p, 1, 1, RT_UNIT_BOOL));
	emit(p, RT_OP_JUMP, 3);
	emit(p, RT_OP_CONST, konst(p, 0, 1, RT_UNIT_BOOL)); /* skipped */
	emit(p, RT_OP_RULE, 0);
	emit(p, RT_OP_HALT, 0);
	struct rt_eval ev;
	assert_int_equal(evaluate(p, &f, f.days[0].date, &ev, 0), 0);
	assert_int_equal(ev.outcomes[0], 1);
	rt_eval_free(&ev);
	rt_program_free(p);
}

/* a AND_ELSE/OR_ELSE b: CONST a; op 3; CONST b; RULE 0; HALT. */
static int
short_circuit(uint8_t op, int a, int b, size_t *ntrace)
{
	struct fixture f;
	fixture_init(&f);
	struct rt_program *p = base_program();
	add_rule(p, "r", RT_RULE_FLAG, 0);
	p->max_stack = 2;
	uint32_t one = konst(p, 1, 1, RT_UNIT_SESSIONS);
	uint32_t label = rt_program_string(p, "l");
	/* each operand is a comparison, so the trace shows which ran */
	emit(p, RT_OP_CONST, one);
	emit(p, RT_OP_CONST, konst(p, a ? 1 : 2, 1, RT_UNIT_SESSIONS));
	emit(p, RT_OP_EQ, label);
	emit(p, op, 7);
	emit(p, RT_OP_CONST, one);
	emit(p, RT_OP_CONST, konst(p, b ? 1 : 2, 1, RT_UNIT_SESSIONS));
	emit(p, RT_OP_EQ, label);
	emit(p, RT_OP_RULE, 0);
	emit(p, RT_OP_HALT, 0);
	struct rt_eval ev;
	assert_int_equal(evaluate(p, &f, f.days[0].date, &ev, 1), 0);
	int result = ev.outcomes[0];
	*ntrace = ev.ntrace;
	rt_eval_free(&ev);
	rt_program_free(p);
	return result;
}

static void
test_and_else(void **state)
{
	(void)state;
	size_t n;
	assert_int_equal(short_circuit(RT_OP_AND_ELSE, 0, 1, &n), 0);
	assert_int_equal(n, 1); /* b never ran */
	assert_int_equal(short_circuit(RT_OP_AND_ELSE, 1, 0, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(short_circuit(RT_OP_AND_ELSE, 1, 1, &n), 1);
	assert_int_equal(n, 2);
}

static void
test_or_else(void **state)
{
	(void)state;
	size_t n;
	assert_int_equal(short_circuit(RT_OP_OR_ELSE, 1, 0, &n), 1);
	assert_int_equal(n, 1);
	assert_int_equal(short_circuit(RT_OP_OR_ELSE, 0, 1, &n), 1);
	assert_int_equal(n, 2);
	assert_int_equal(short_circuit(RT_OP_OR_ELSE, 0, 0, &n), 0);
	assert_int_equal(n, 2);
}

/* RULE records outcomes; the stage is the highest stage number that holds, not the last. */
static void
test_rule_and_stage(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	struct rt_program *p = base_program();
	add_rule(p, "one", RT_RULE_STAGE, 1);
	add_rule(p, "two", RT_RULE_STAGE, 2);
	add_rule(p, "three", RT_RULE_STAGE, 3);
	add_rule(p, "flag", RT_RULE_FLAG, 0);
	p->max_stack = 1;
	uint32_t t = konst(p, 1, 1, RT_UNIT_BOOL), no = konst(p, 0, 1, RT_UNIT_BOOL);
	emit(p, RT_OP_CONST, t);
	emit(p, RT_OP_RULE, 0);
	emit(p, RT_OP_CONST, t);
	emit(p, RT_OP_RULE, 1);
	emit(p, RT_OP_CONST, no);
	emit(p, RT_OP_RULE, 2);
	emit(p, RT_OP_CONST, t);
	emit(p, RT_OP_RULE, 3);
	emit(p, RT_OP_HALT, 0);
	struct rt_eval ev;
	assert_int_equal(evaluate(p, &f, f.days[0].date, &ev, 0), 0);
	assert_int_equal(ev.stage, 2);
	assert_int_equal(ev.stage_rule, 1);
	assert_int_equal(ev.outcomes[2], 0);
	assert_int_equal(ev.outcomes[3], 1);
	rt_eval_free(&ev);
	rt_program_free(p);
}

static void
test_trace_entries(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	struct rt_program *p = base_program();
	add_rule(p, "a", RT_RULE_FLAG, 0);
	add_rule(p, "b", RT_RULE_FLAG, 0);
	p->max_stack = 2;
	uint32_t label = rt_program_string(p, "absence rate");
	emit(p, RT_OP_CONST, konst(p, 3800, 380, RT_UNIT_PERCENT));
	emit(p, RT_OP_CONST, konst(p, 10, 1, RT_UNIT_PERCENT));
	emit(p, RT_OP_GE, label);
	emit(p, RT_OP_RULE, 0);
	emit(p, RT_OP_CONST, konst(p, 1, 1, RT_UNIT_DAYS));
	emit(p, RT_OP_CONST, konst(p, 2, 1, RT_UNIT_DAYS));
	emit(p, RT_OP_GT, label);
	emit(p, RT_OP_RULE, 1);
	emit(p, RT_OP_HALT, 0);
	struct rt_eval ev;
	assert_int_equal(evaluate(p, &f, f.days[0].date, &ev, 1), 0);
	assert_int_equal(ev.ntrace, 2);
	assert_int_equal(ev.trace[0].rule, 0);
	assert_int_equal(ev.trace[0].pc, 2);
	assert_int_equal(ev.trace[0].op, RT_OP_GE);
	assert_int_equal(ev.trace[0].label, label);
	assert_int_equal(ev.trace[0].left.num, 3800);
	assert_int_equal(ev.trace[0].right.num, 10);
	assert_int_equal(ev.trace[0].result, 1);
	assert_int_equal(ev.trace[1].rule, 1);
	assert_int_equal(ev.trace[1].op, RT_OP_GT);
	assert_int_equal(ev.trace[1].result, 0);
	/* without tracing nothing is kept; a new pupil starts a new trace */
	ev.tracing = 0;
	assert_int_equal(rt_eval_pupil(&ev, f.marks, f.days[0].date), 0);
	assert_int_equal(ev.ntrace, 0);
	rt_eval_free(&ev);
	rt_program_free(p);
}

static void
test_summary(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	struct rt_program *p = base_program();
	emit(p, RT_OP_HALT, 0);
	f.marks[0] = C_ILL;
	f.marks[1] = C_UNAUTH;
	f.marks[2] = C_NOTPOSS;
	f.marks[3] = RT_NO_MARK;
	f.days[4].open = RT_OPEN_AM; /* Friday afternoon closed: its mark does not count */
	struct rt_eval ev;
	assert_int_equal(evaluate(p, &f, f.days[4].date, &ev, 0), 0);
	/* 9 open sessions: I, U, X, one unmarked and 5 present */
	assert_int_equal(ev.summary.possible, 7);
	assert_int_equal(ev.summary.present, 5);
	assert_int_equal(ev.summary.authorised, 1);
	assert_int_equal(ev.summary.unauthorised, 1);
	assert_int_equal(ev.summary.unmarked, 1);
	rt_eval_free(&ev);
	rt_program_free(p);
}

/* An opcode the verifier would reject makes rt_eval_pupil fail cleanly, not crash. */
static void
test_unknown_opcode_is_an_error(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	struct rt_program *p = base_program();
	emit(p, RT_OP__COUNT + 3, 0);
	emit(p, RT_OP_HALT, 0);
	char err[256];
	assert_int_equal(rt_verify(p, err, sizeof err), -1);
	struct rt_eval ev;
	assert_int_equal(rt_eval_init(&ev, p, &f.cal), 0);
	assert_int_equal(rt_eval_pupil(&ev, f.marks, f.days[0].date), -1);
	assert_non_null(strstr(ev.error, "instruction 0: unknown opcode"));
	rt_eval_free(&ev);
	rt_program_free(p);
}

/* ---- building on the recorded history ---- */

/* Four school weeks around the autumn half-term holiday (28 October to 1 November 2024 is no school). */
struct term_fixture {
	struct rt_school_day days[20];
	struct rt_calendar cal;
	uint8_t marks[40];
};

static void
term_fixture_init(struct term_fixture *f)
{
	memset(f, 0, sizeof *f);
	const rt_date mondays[4] = { rt_date_from_ymd(2024, 10, 14), rt_date_from_ymd(2024, 10, 21),
	                             rt_date_from_ymd(2024, 11, 4), rt_date_from_ymd(2024, 11, 11) };
	for (int w = 0; w < 4; w++)
		for (int d = 0; d < 5; d++)
			f->days[5 * w + d] = (struct rt_school_day){ mondays[w] + d, RT_OPEN_AM | RT_OPEN_PM,
			                                              (uint8_t)(w < 2 ? 1 : 2), 2024, 0 };
	f->cal.days = f->days;
	f->cal.ndays = 20;
	rt_calendar_number_weeks(&f->cal);
	memset(f->marks, C_PRESENT, sizeof f->marks);
}

/* Rule 0 is a flag decided by constant `holds`; rule 1 compares "school weeks since"
 * rule 0 with 3 school weeks; measure 0 is that, measure 1 "school days since" rule 0. */
static struct rt_program *
since_program(int holds)
{
	struct rt_program *p = base_program();
	add_rule(p, "concern", RT_RULE_FLAG, 0);
	add_rule(p, "escalate", RT_RULE_STAGE, 1);
	struct rt_measure weeks = { RT_M_WEEKS_SINCE, RT_P_YEAR, 0, 0, rt_program_string(p, "school weeks since concern"),
	                            0, 0 };
	struct rt_measure days = { RT_M_DAYS_SINCE, RT_P_YEAR, 0, 0, rt_program_string(p, "school days since concern"),
	                           0, 0 };
	uint32_t m_weeks = rt_program_measure(p, &weeks);
	rt_program_measure(p, &days);
	p->max_stack = 2;
	emit(p, RT_OP_CONST, konst(p, holds, 1, RT_UNIT_BOOL));
	emit(p, RT_OP_RULE, 0);
	emit(p, RT_OP_MEASURE, m_weeks);
	emit(p, RT_OP_CONST, konst(p, 3, 1, RT_UNIT_SCHOOL_WEEKS));
	emit(p, RT_OP_GE, weeks.label);
	emit(p, RT_OP_RULE, 1);
	emit(p, RT_OP_HALT, 0);
	char err[256];
	if (rt_verify(p, err, sizeof err) != 0)
		fail_msg("program does not verify: %s", err);
	return p;
}

static void
assert_value_is(struct rt_value v, int64_t num, uint8_t unit)
{
	assert_int_equal(v.unit, unit);
	assert_int_equal(v.num, num);
	assert_int_equal(v.den, 1);
}

static void
test_since_with_history(void **state)
{
	(void)state;
	struct term_fixture f;
	term_fixture_init(&f);
	struct rt_program *p = since_program(1);
	struct rt_eval ev;
	assert_int_equal(rt_eval_init(&ev, p, &f.cal), 0);
	rt_date as_of = rt_date_from_ymd(2024, 11, 13);      /* Wednesday of the fourth school week */
	rt_date held[2] = { rt_date_from_ymd(2024, 10, 16), RT_DATE_MAX }; /* Wednesday of the first */
	struct rt_pupil_history h = { held, RT_DATE_MIN };
	assert_int_equal(rt_eval_pupil_history(&ev, f.marks, as_of, &h), 0);
	/* 3 school weeks (4 calendar weeks, less the holiday week) */
	assert_value_is(ev.measures[0], 3, RT_UNIT_SCHOOL_WEEKS);
	/* 17, 18 October; 21-25 October; 4-8 November; 11-13 November */
	assert_value_is(ev.measures[1], 15, RT_UNIT_DAYS);
	assert_int_equal(ev.outcomes[1], 1);
	assert_int_equal(ev.held_since[0], held[0]);
	assert_int_equal(ev.held_since[1], as_of); /* starts holding now */
	assert_int_equal(ev.stage, 1);

	/* a holiday date in the history counts from the first school week after it */
	held[0] = rt_date_from_ymd(2024, 10, 30);
	assert_int_equal(rt_eval_pupil_history(&ev, f.marks, as_of, &h), 0);
	assert_value_is(ev.measures[0], 1, RT_UNIT_SCHOOL_WEEKS);
	assert_value_is(ev.measures[1], 8, RT_UNIT_DAYS);
	assert_int_equal(ev.outcomes[1], 0);

	/* without history, or when it did not hold on the last recorded day, it starts today */
	assert_int_equal(rt_eval_pupil(&ev, f.marks, as_of), 0);
	assert_value_is(ev.measures[0], 0, RT_UNIT_SCHOOL_WEEKS);
	assert_value_is(ev.measures[1], 0, RT_UNIT_DAYS);
	assert_int_equal(ev.held_since[0], as_of);
	assert_int_equal(ev.outcomes[1], 0);
	held[0] = RT_DATE_MAX;
	assert_int_equal(rt_eval_pupil_history(&ev, f.marks, as_of, &h), 0);
	assert_value_is(ev.measures[0], 0, RT_UNIT_SCHOOL_WEEKS);
	assert_int_equal(ev.held_since[0], as_of);
	/* started earlier in the same week: 0 weeks, but 2 school days */
	held[0] = rt_date_from_ymd(2024, 11, 11);
	assert_int_equal(rt_eval_pupil_history(&ev, f.marks, as_of, &h), 0);
	assert_value_is(ev.measures[0], 0, RT_UNIT_SCHOOL_WEEKS);
	assert_value_is(ev.measures[1], 2, RT_UNIT_DAYS);
	rt_eval_free(&ev);
	rt_program_free(p);
}

/* A rule that does not hold now gives "no value", whatever the history says. */
static void
test_since_rule_not_holding(void **state)
{
	(void)state;
	struct term_fixture f;
	term_fixture_init(&f);
	struct rt_program *p = since_program(0);
	struct rt_eval ev;
	assert_int_equal(rt_eval_init(&ev, p, &f.cal), 0);
	ev.tracing = 1;
	rt_date held[2] = { rt_date_from_ymd(2024, 10, 14), rt_date_from_ymd(2024, 10, 14) };
	struct rt_pupil_history h = { held, RT_DATE_MIN };
	assert_int_equal(rt_eval_pupil_history(&ev, f.marks, rt_date_from_ymd(2024, 11, 13), &h), 0);
	assert_int_equal(ev.measures[0].unit, RT_UNIT_NONE_VALUE);
	assert_int_equal(ev.measures[1].unit, RT_UNIT_NONE_VALUE);
	assert_int_equal(ev.outcomes[1], 0);
	assert_int_equal(ev.ntrace, 1);
	assert_int_equal(ev.trace[0].left.unit, RT_UNIT_NONE_VALUE);
	assert_int_equal(ev.held_since[0], RT_DATE_MAX);
	assert_int_equal(ev.held_since[1], RT_DATE_MAX);
	rt_eval_free(&ev);
	rt_program_free(p);
}

/* Penalty windows start after the sessions an earlier notice counted. */
static void
test_after_notice_window(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	f.marks[0] = C_UNAUTH;  /* Mon 2 Sep AM */
	f.marks[3] = C_UNAUTH;  /* Tue 3 Sep PM */
	f.marks[6] = C_UNAUTH;  /* Thu 5 Sep AM */
	f.marks[10] = C_UNAUTH; /* Mon 4 Nov AM */
	struct rt_program *p = base_program();
	struct rt_codeset set = { { 0 } };
	rt_codeset_add(&set, C_UNAUTH);
	uint32_t cs = rt_program_codeset(p, &set), label = rt_program_string(p, "penalty sessions");
	struct rt_measure plain = { RT_M_SESSIONS, RT_P_YEAR, 0, cs, label, 0, 0 };
	struct rt_measure after = { RT_M_SESSIONS, RT_P_YEAR, 0, cs, label, 0, RT_MEASURE_AFTER_NOTICE };
	struct rt_measure rate = { RT_M_RATE, RT_P_YEAR, 0, cs, label, 0, RT_MEASURE_AFTER_NOTICE };
	assert_int_equal(rt_program_measure(p, &plain), 0);
	assert_int_equal(rt_program_measure(p, &after), 1); /* flags keep equal measures apart */
	assert_int_equal(rt_program_measure(p, &rate), 2);
	emit(p, RT_OP_HALT, 0);
	struct rt_eval ev;
	rt_date as_of = f.days[5].date;
	assert_int_equal(evaluate(p, &f, as_of, &ev, 0), 0);
	assert_value_is(ev.measures[1], 4, RT_UNIT_SESSIONS);

	struct rt_pupil_history h = { NULL, rt_date_from_ymd(2024, 9, 3) };
	assert_int_equal(rt_eval_pupil_history(&ev, f.marks, as_of, &h), 0);
	assert_value_is(ev.measures[0], 4, RT_UNIT_SESSIONS);
	assert_value_is(ev.measures[1], 2, RT_UNIT_SESSIONS); /* 2 and 3 September were counted */
	/* 2 of the 8 possible sessions from 4 September */
	assert_int_equal(ev.measures[2].unit, RT_UNIT_PERCENT);
	assert_int_equal(ev.measures[2].num * 8, ev.measures[2].den * 2 * 100);
	/* counted up to a date before the window: nothing changes */
	h.counted_until = rt_date_from_ymd(2024, 8, 1);
	assert_int_equal(rt_eval_pupil_history(&ev, f.marks, as_of, &h), 0);
	assert_value_is(ev.measures[1], 4, RT_UNIT_SESSIONS);
	/* counted up to the as-of date: nothing left */
	h.counted_until = as_of;
	assert_int_equal(rt_eval_pupil_history(&ev, f.marks, as_of, &h), 0);
	assert_value_is(ev.measures[1], 0, RT_UNIT_SESSIONS);
	/* the next pupil without history is not affected */
	assert_int_equal(rt_eval_pupil_history(&ev, f.marks, as_of, NULL), 0);
	assert_value_is(ev.measures[1], 4, RT_UNIT_SESSIONS);
	rt_eval_free(&ev);
	rt_program_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_halt),
		cmocka_unit_test(test_const),
		cmocka_unit_test(test_measure),
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_outcome_and_not),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_sub),
		cmocka_unit_test(test_comparisons),
		cmocka_unit_test(test_compare_units_must_match),
		cmocka_unit_test(test_jump),
		cmocka_unit_test(test_and_else),
		cmocka_unit_test(test_or_else),
		cmocka_unit_test(test_rule_and_stage),
		cmocka_unit_test(test_trace_entries),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_unknown_opcode_is_an_error),
		cmocka_unit_test(test_since_with_history),
		cmocka_unit_test(test_since_rule_not_holding),
		cmocka_unit_test(test_after_notice_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
