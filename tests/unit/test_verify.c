/* The verifier: hand-made bad programs and bad bytes, each rejected for the expected reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "runtime/machine/bytecode.h"
#include "runtime/machine/opcodes.h"

struct ins {
	uint8_t op;
	uint32_t operand;
};

#define T 0 /* constant 0: true */

/* Tables every case shares: 2 codes, 2 constants, a measure, a schedule, 3 rules, a letter, an action. */
static struct rt_program *
program(const struct ins *code, size_t n, uint16_t max_stack)
{
	struct rt_program *p = rt_program_new();
	rt_program_constant(p, (struct rt_value){ 1, 1, RT_UNIT_BOOL });
	rt_program_constant(p, (struct rt_value){ 10, 1, RT_UNIT_SESSIONS });
	struct rt_code present = { rt_program_string(p, "/"), RT_NO_STRING, RT_CAT_PRESENT, 0, 0, RT_DATE_MIN,
	                           RT_DATE_MAX, RT_NO_STRING, 1, RT_NO_STRING };
	struct rt_code unauth = { rt_program_string(p, "U"), RT_NO_STRING, RT_CAT_UNAUTHORISED, RT_CODE_PENALTY, 1,
	                          RT_DATE_MIN, RT_DATE_MAX, RT_NO_STRING, 2, RT_NO_STRING };
	rt_program_code(p, &present);
	rt_program_code(p, &unauth);
	struct rt_codeset set = { { 0 } };
	rt_codeset_add(&set, 1);
	struct rt_measure m = { RT_M_SESSIONS, RT_P_SCHOOL_WEEKS, 10, rt_program_codeset(p, &set),
	                        rt_program_string(p, "unauthorised sessions"), 0, 0 };
	rt_program_measure(p, &m);
	struct rt_schedule s = { rt_program_string(p, "likely"), RT_UNIT_SESSIONS, 0x1f, { 10, 22, 30, 38, 46 }, 3 };
	rt_program_schedule(p, &s);
	struct rt_action a = { rt_program_string(p, "Phone home"), rt_program_string(p, "Office") };
	rt_program_action(p, &a);
	struct rt_letter l = { rt_program_string(p, "meeting"), rt_program_string(p, "Meeting"),
	                       rt_program_string(p, "Dear {pupil}"), RT_NO_STRING, 4 };
	rt_program_letter(p, &l);
	const char *names[3] = { "one", "two", "three" };
	for (uint16_t i = 0; i < 3; i++) {
		struct rt_rule r = { rt_program_string(p, names[i]), RT_NO_STRING, RT_RULE_STAGE, (uint16_t)(i + 1), 0,
		                     i == 0, i == 0 ? 0 : UINT32_MAX, RT_NO_STRING, 5, RT_NO_STRING, RT_ALWAYS };
		rt_program_rule(p, &r);
	}
	for (size_t i = 0; i < n; i++)
		rt_program_emit(p, code[i].op, code[i].operand, (uint32_t)(20 + i));
	p->max_stack = max_stack;
	return p;
}

static const struct ins good[] = {
	{ RT_OP_CONST, T }, { RT_OP_RULE, 0 }, { RT_OP_CONST, T }, { RT_OP_RULE, 1 },
	{ RT_OP_CONST, T }, { RT_OP_RULE, 2 }, { RT_OP_HALT, 0 },
};

static struct rt_program *
good_program(void)
{
	return program(good, sizeof good / sizeof good[0], 2);
}

static void
expect_rejected(const struct rt_program *p, const char *reason)
{
	char err[256] = "";
	int rc = rt_verify(p, err, sizeof err);
	if (rc != -1 || strstr(err, reason) == NULL)
		fail_msg("expected rejection with \"%s\", got %d \"%s\"", reason, rc, err);
}

static void
expect_code_rejected(const struct ins *code, size_t n, uint16_t max_stack, const char *reason)
{
	struct rt_program *p = program(code, n, max_stack);
	expect_rejected(p, reason);
	rt_program_free(p);
}

#define REJECT(reason, max_stack, ...)                                                            \
	do {                                                                                      \
		const struct ins code_[] = { __VA_ARGS__ };                                       \
		expect_code_rejected(code_, sizeof code_ / sizeof code_[0], (max_stack), (reason)); \
	} while (0)

static void
test_good_program_passes(void **state)
{
	(void)state;
	struct rt_program *p = good_program();
	char err[256] = "";
	assert_int_equal(rt_verify(p, err, sizeof err), 0);
	/* a short-circuit that balances, with OUTCOME of an earlier rule */
	const struct ins code[] = {
		{ RT_OP_CONST, T }, { RT_OP_RULE, 0 },
		{ RT_OP_OUTCOME, 0 }, { RT_OP_AND_ELSE, 7 }, { RT_OP_MEASURE, 0 }, { RT_OP_CONST, 1 }, { RT_OP_GE, 0 },
		{ RT_OP_RULE, 1 }, { RT_OP_SCHEDULE, 0 }, { RT_OP_CONST, 1 }, { RT_OP_SUB, 0 }, { RT_OP_CONST, 1 },
		{ RT_OP_LT, 0 }, { RT_OP_NOT, 0 }, { RT_OP_RULE, 2 }, { RT_OP_HALT, 0 },
	};
	struct rt_program *q = program(code, sizeof code / sizeof code[0], 2);
	if (rt_verify(q, err, sizeof err))
		fail_msg("%s", err);
	rt_program_free(q);
	rt_program_free(p);
}

static void
test_bad_operands(void **state)
{
	(void)state;
	REJECT("instruction 0: CONST operand 9 is out of range", 2, { RT_OP_CONST, 9 }, { RT_OP_RULE, 0 },
	       { RT_OP_HALT, 0 });
	REJECT("instruction 0: MEASURE operand 1 is out of range", 2, { RT_OP_MEASURE, 1 }, { RT_OP_RULE, 0 },
	       { RT_OP_HALT, 0 });
	REJECT("instruction 0: SCHEDULE operand 4 is out of range", 2, { RT_OP_SCHEDULE, 4 }, { RT_OP_RULE, 0 },
	       { RT_OP_HALT, 0 });
	REJECT("instruction 1: RULE operand 3 is out of range", 2, { RT_OP_CONST, T }, { RT_OP_RULE, 3 },
	       { RT_OP_HALT, 0 });
	REJECT("instruction 2: LT operand 999 is out of range", 2, { RT_OP_CONST, 1 }, { RT_OP_CONST, 1 },
	       { RT_OP_LT, 999 }, { RT_OP_RULE, 0 }, { RT_OP_HALT, 0 });
	REJECT("instruction 0: HALT takes no operand but has 1", 2, { RT_OP_HALT, 1 });
	REJECT("instruction 0: unknown opcode 200", 2, { 200, 0 }, { RT_OP_HALT, 0 });
}

static void
test_jumps(void **state)
{
	(void)state;
	REJECT("instruction 3: jump to 1 goes backwards", 2, { RT_OP_CONST, T }, { RT_OP_RULE, 0 }, { RT_OP_CONST, T },
	       { RT_OP_JUMP, 1 }, { RT_OP_HALT, 0 });
	REJECT("instruction 1: jump to 1 goes backwards", 2, { RT_OP_CONST, T }, { RT_OP_OR_ELSE, 1 },
	       { RT_OP_HALT, 0 });
	REJECT("instruction 0: jump to 50 is outside the program (2 instructions)", 2, { RT_OP_JUMP, 50 },
	       { RT_OP_HALT, 0 });
}

static void
test_stack(void **state)
{
	(void)state;
	REJECT("instruction 0: stack underflow (RULE needs 1, the stack holds 0)", 2, { RT_OP_RULE, 0 },
	       { RT_OP_HALT, 0 });
	REJECT("instruction 1: stack underflow (ADD needs 2, the stack holds 1)", 2, { RT_OP_CONST, 1 },
	       { RT_OP_ADD, 0 }, { RT_OP_RULE, 0 }, { RT_OP_HALT, 0 });
	REJECT("instruction 1: stack depth 2 exceeds max_stack 1", 1, { RT_OP_CONST, 1 }, { RT_OP_CONST, 1 },
	       { RT_OP_EQ, 0 }, { RT_OP_RULE, 0 }, { RT_OP_HALT, 0 });
	/* the jump path keeps the tested value (depth 1), the fall-through path pushes two */
	REJECT("instruction 4: stack depth 2 from instruction 3 does not match depth 1 on another path", 3,
	       { RT_OP_CONST, T }, { RT_OP_AND_ELSE, 4 }, { RT_OP_CONST, T }, { RT_OP_CONST, T }, { RT_OP_RULE, 0 },
	       { RT_OP_HALT, 0 });
	REJECT("instruction 1: HALT with 1 values on the stack", 2, { RT_OP_CONST, T }, { RT_OP_HALT, 0 });
}

static void
test_halt_required(void **state)
{
	(void)state;
	REJECT("instruction 5: RULE falls off the end of the program", 2, { RT_OP_CONST, T }, { RT_OP_RULE, 0 },
	       { RT_OP_CONST, T }, { RT_OP_RULE, 1 }, { RT_OP_CONST, T }, { RT_OP_RULE, 2 });
	REJECT("instruction 7: the last instruction is not HALT", 2, { RT_OP_CONST, T }, { RT_OP_RULE, 0 },
	       { RT_OP_CONST, T }, { RT_OP_RULE, 1 }, { RT_OP_CONST, T }, { RT_OP_RULE, 2 }, { RT_OP_HALT, 0 },
	       { RT_OP_CONST, T });
	struct rt_program *p = program(NULL, 0, 0);
	expect_rejected(p, "the program has no instructions");
	rt_program_free(p);
}

static void
test_rules_decided_once(void **state)
{
	(void)state;
	REJECT("instruction 3: rule 0 is decided twice (also at instruction 1)", 2, { RT_OP_CONST, T },
	       { RT_OP_RULE, 0 }, { RT_OP_CONST, T }, { RT_OP_RULE, 0 }, { RT_OP_CONST, T }, { RT_OP_RULE, 1 },
	       { RT_OP_CONST, T }, { RT_OP_RULE, 2 }, { RT_OP_HALT, 0 });
	REJECT("rule 2 is never decided", 2, { RT_OP_CONST, T }, { RT_OP_RULE, 0 }, { RT_OP_CONST, T },
	       { RT_OP_RULE, 1 }, { RT_OP_HALT, 0 });
	REJECT("instruction 0: OUTCOME reads rule 1 before it is decided", 2, { RT_OP_OUTCOME, 1 }, { RT_OP_RULE, 0 },
	       { RT_OP_CONST, T }, { RT_OP_RULE, 1 }, { RT_OP_CONST, T }, { RT_OP_RULE, 2 }, { RT_OP_HALT, 0 });
	/* rule 1 sits on the fall-through path of an OR_ELSE that jumps over it */
	REJECT("instruction 4: rule 1 is not decided on every path", 2, { RT_OP_CONST, T }, { RT_OP_CONST, T },
	       { RT_OP_OR_ELSE, 6 }, { RT_OP_CONST, T }, { RT_OP_RULE, 1 }, { RT_OP_CONST, T }, { RT_OP_RULE, 0 },
	       { RT_OP_RULE, 2 }, { RT_OP_HALT, 0 });
	/* unreachable */
	REJECT("instruction 4: rule 2 is not decided on every path", 2, { RT_OP_CONST, T }, { RT_OP_RULE, 0 },
	       { RT_OP_JUMP, 5 }, { RT_OP_CONST, T }, { RT_OP_RULE, 2 }, { RT_OP_CONST, T }, { RT_OP_RULE, 1 },
	       { RT_OP_HALT, 0 });
}

/* Each mutation of the good program's tables, and the reason it must be rejected for. */
static void
test_tables(void **state)
{
	(void)state;
	struct rt_program *p = good_program();
	char err[256];
#define MUTATE(reason, change, undo)              \
	do {                                      \
		change;                           \
		expect_rejected(p, (reason));     \
		undo;                             \
		assert_int_equal(rt_verify(p, err, sizeof err), 0); \
	} while (0)
	MUTATE("code 1: maps_to 7 is out of range (2 codes)", p->codes[1].maps_to = 7, p->codes[1].maps_to = 1);
	MUTATE("code 0: maps to code 1, which is itself a sub-code", (p->codes[1].maps_to = 0, p->codes[0].maps_to = 1),
	       (p->codes[1].maps_to = 1, p->codes[0].maps_to = 0));
	MUTATE("code 0: unknown category 5", p->codes[0].category = 5, p->codes[0].category = RT_CAT_PRESENT);
	MUTATE("code 0: string index out of range", p->codes[0].name = 1000, p->codes[0].name = 0);
	MUTATE("too many codes: 256", p->ncodes = 256, p->ncodes = 2);
	MUTATE("constant 1 has denominator 0", p->constants[1].den = 0, p->constants[1].den = 1);
	MUTATE("constant 1 has denominator -3", p->constants[1].den = -3, p->constants[1].den = 1);
	{
		int64_t was = p->constants[1].num;
		MUTATE("constant 1 is out of range", p->constants[1].num = INT64_MIN, p->constants[1].num = was);
		MUTATE("constant 1 is out of range", p->constants[1].num = (int64_t)1 << 62, p->constants[1].num = was);
	}
	MUTATE("constant 0 has unknown unit 12", p->constants[0].unit = 12, p->constants[0].unit = RT_UNIT_BOOL);
	MUTATE("codeset 0 contains code 9, but there are 2 codes", rt_codeset_add(&p->codesets[0], 9),
	       p->codesets[0].bits[0] = 2);
	MUTATE("measure 0: codeset 4 is out of range", p->measures[0].codeset = 4, p->measures[0].codeset = 0);
	MUTATE("measure 0: a window of 0 school weeks", p->measures[0].weeks = 0, p->measures[0].weeks = 10);
	MUTATE("measure 0: unknown kind 9", p->measures[0].kind = 9, p->measures[0].kind = RT_M_SESSIONS);
	MUTATE("measure 0: unknown period 7", p->measures[0].period = 7, p->measures[0].period = RT_P_SCHOOL_WEEKS);
	MUTATE("schedule 0: values for half terms beyond 6", p->schedules[0].present = 0x40,
	       p->schedules[0].present = 0x1f);
	MUTATE("rule 0: actions 1..2 are out of range (1 actions)", p->rules[0].first_action = 1,
	       p->rules[0].first_action = 0);
	MUTATE("rule 0: actions", p->rules[0].action_count = UINT32_MAX, p->rules[0].action_count = 1);
	MUTATE("rule 0: letter 3 is out of range (1 letters)", p->rules[0].letter = 3, p->rules[0].letter = 0);
	MUTATE("rule 1: a stage numbered 0", p->rules[1].stage = 0, p->rules[1].stage = 2);
	MUTATE("action 0: string index out of range", p->actions[0].owner = 999, p->actions[0].owner = RT_NO_STRING);
	MUTATE("rule 2: date range 0 is out of range (0 ranges)", p->rules[2].in_force = 1,
	       p->rules[2].in_force = RT_ALWAYS);
	MUTATE("rule 0: file string out of range", p->rules[0].file = 999, p->rules[0].file = RT_NO_STRING);
	struct rt_range range = { 300, 200 };
	rt_program_range(p, &range);
	MUTATE("date range 0: from a date after its last date", (void)0, p->ranges[0].until = 400);
	struct rt_fine fine = { 100, 50, 1, 8000, 21, 16000, 28, RT_NO_STRING, 9, RT_NO_STRING };
	rt_program_fine(p, &fine);
	MUTATE("fine 0: in force from a date after its last date", (void)0, p->fines[0].until = 200);
	struct rt_arrival_rule arrival = { RT_AM, 9 * 60, 5, RT_NO_STRING, 10, RT_NO_STRING, 0 };
	rt_program_arrival(p, &arrival);
	MUTATE("arrival rule 0: code 5 is out of range (2 codes)", (void)0, p->arrivals[0].code = 1);
	MUTATE("arrival rule 0: group 1 is not a session of AM", p->arrivals[0].group = 1, p->arrivals[0].group = 0);
	struct rt_group_session nursery = { RT_AM, -1, -2, 8 * 60 + 45, -1, 12, RT_NO_STRING };
	rt_program_group(p, &nursery);
	MUTATE("group session 0: session, years, times or file out of range", (void)0, p->groups[0].from = -2);
	MUTATE("group session 0: session, years, times or file out of range", p->groups[0].until = 15,
	       p->groups[0].until = -1);
	MUTATE("arrival rule 0: group 1 is not a session of PM", (p->arrivals[0].group = 1, p->arrivals[0].session = RT_PM),
	       (p->arrivals[0].group = 0, p->arrivals[0].session = RT_AM));
	struct rt_fact fact = { rt_program_string(p, "target.attendance"), RT_NO_STRING, { 965, 0, RT_UNIT_PERCENT },
	                        RT_NO_STRING, 11, RT_NO_STRING };
	rt_program_fact(p, &fact);
	MUTATE("fact 0: bad value (denominator 0", (void)0, p->facts[0].value.den = 10);
	MUTATE("register: AM session time or file out of range", p->sessions[RT_AM].opens = 24 * 60,
	       p->sessions[RT_AM].opens = -1);
	uint32_t *lines = p->lines;
	MUTATE("the code or its line table is missing", p->lines = NULL, p->lines = lines);
#undef MUTATE
	rt_program_free(p);
}

/* IN_YEARS carries a range of year groups, N1 (-2) to 14, that rises; nothing else. */
static void
test_in_years_operand(void **state)
{
	(void)state;
	struct ins code[] = {
		{ RT_OP_IN_YEARS, rt_years_pack(-2, 0) }, { RT_OP_RULE, 0 }, { RT_OP_CONST, T }, { RT_OP_RULE, 1 },
		{ RT_OP_CONST, T }, { RT_OP_RULE, 2 }, { RT_OP_HALT, 0 },
	};
	size_t n = sizeof code / sizeof code[0];
	struct rt_program *p = program(code, n, 1);
	char err[256] = "";
	if (rt_verify(p, err, sizeof err))
		fail_msg("%s", err);
	rt_program_free(p);
	const uint32_t bad[] = { rt_years_pack(2, 0), rt_years_pack(0, 15), rt_years_pack(-3, 1), 0x10000 | 0x202 };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		code[0].operand = bad[i];
		expect_code_rejected(code, n, 1, "is not a range of year groups");
	}
}

/* A "since" measure reads its rule's outcome: the rule must exist and be decided first on every path. */
static void
test_since_measure_reads_decided_rule(void **state)
{
	(void)state;
	const struct ins code[] = {
		{ RT_OP_CONST, T }, { RT_OP_RULE, 0 },
		{ RT_OP_MEASURE, 1 }, { RT_OP_CONST, 1 }, { RT_OP_GE, 0 }, { RT_OP_RULE, 1 },
		{ RT_OP_CONST, T }, { RT_OP_RULE, 2 }, { RT_OP_HALT, 0 },
	};
	size_t n = sizeof code / sizeof code[0];
	struct rt_program *p = program(code, n, 2);
	struct rt_measure since = { RT_M_WEEKS_SINCE, RT_P_YEAR, 0, 0, rt_program_string(p, "school weeks since stage 1"),
	                            0, 0 };
	assert_int_equal(rt_program_measure(p, &since), 1);
	char err[256] = "";
	if (rt_verify(p, err, sizeof err))
		fail_msg("%s", err);
	/* reading rule 2, decided only after the MEASURE */
	p->measures[1].rule = 2;
	expect_rejected(p, "instruction 2: MEASURE 1 reads rule 2 before it is decided");
	/* nor may it read the rule whose condition it is in */
	p->measures[1].rule = 1;
	expect_rejected(p, "instruction 2: MEASURE 1 reads rule 1 before it is decided");
	p->measures[1].rule = 3;
	expect_rejected(p, "measure 1: rule 3 is out of range (3 rules)");
	p->measures[1].rule = 0;
	p->measures[1].kind = RT_M_DAYS_SINCE;
	assert_int_equal(rt_verify(p, err, sizeof err), 0);
	p->measures[1].flags = 0x80;
	expect_rejected(p, "measure 1: unknown flags 0x80");
	p->measures[1].flags = RT_MEASURE_AFTER_NOTICE;
	assert_int_equal(rt_verify(p, err, sizeof err), 0);
	/* a register measure's rule field means nothing and is not checked */
	p->measures[0].rule = 99;
	assert_int_equal(rt_verify(p, err, sizeof err), 0);
	rt_program_free(p);
}

/* ---- bytes ---- */

static void
expect_decode_error(const uint8_t *buf, size_t len, const char *reason)
{
	struct rt_program sentinel;
	struct rt_program *p = &sentinel; /* must be reset to NULL */
	char err[256] = "";
	int rc = rt_bytecode_decode(buf, len, &p, err, sizeof err);
	if (rc != -1 || strstr(err, reason) == NULL)
		fail_msg("expected \"%s\", got %d \"%s\"", reason, rc, err);
	assert_null(p);
}

static void
test_bad_header(void **state)
{
	(void)state;
	struct rt_program *p = good_program();
	uint8_t *buf;
	size_t len;
	assert_int_equal(rt_bytecode_encode(p, &buf, &len), 0);
	expect_decode_error((const uint8_t *)"hello", 5, "bad magic: not an attend bytecode file");
	buf[1] = 'B';
	expect_decode_error(buf, len, "bad magic: not an attend bytecode file");
	buf[1] = 'A';
	buf[8] = 3; /* major */
	buf[10] = 0; /* minor */
	expect_decode_error(buf, len, "unsupported version 3.0");
	buf[8] = 1;
	expect_decode_error(buf, len, "recompile the policy");
	buf[10] = RT_BYTECODE_VERSION_MINOR;
	buf[8] = RT_BYTECODE_VERSION_MAJOR;
	buf[12] = 1; /* flags */
	expect_decode_error(buf, len, "unsupported flags 0x00000001");
	buf[12] = 0;
	struct rt_program *q;
	char err[256];
	assert_int_equal(rt_bytecode_decode(buf, len, &q, err, sizeof err), 0);
	rt_program_free(q);
	free(buf);
	rt_program_free(p);
}

/* A program that decodes but fails verification is not returned. */
static void
test_decode_runs_verifier(void **state)
{
	(void)state;
	static const struct ins code[] = { { RT_OP_CONST, T }, { RT_OP_RULE, 0 }, { RT_OP_HALT, 0 } };
	struct rt_program *p = program(code, 3, 1);
	uint8_t *buf;
	size_t len;
	assert_int_equal(rt_bytecode_encode(p, &buf, &len), 0);
	expect_decode_error(buf, len, "rule 1 is never decided");
	free(buf);
	rt_program_free(p);
}

static void
test_every_truncation(void **state)
{
	(void)state;
	struct rt_program *p = good_program();
	uint8_t *buf;
	size_t len;
	assert_int_equal(rt_bytecode_encode(p, &buf, &len), 0);
	for (size_t n = 0; n < len; n++) {
		/* a fresh copy of exactly n bytes, so ASan catches any read past it */
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, buf, n);
		struct rt_program *q = NULL;
		char err[256] = "";
		assert_int_equal(rt_bytecode_decode(cut, n, &q, err, sizeof err), -1);
		assert_null(q);
		assert_true(strstr(err, "truncated") != NULL || strstr(err, "bad magic") != NULL);
		free(cut);
	}
	free(buf);
	rt_program_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_program_passes),
		cmocka_unit_test(test_bad_operands),
		cmocka_unit_test(test_jumps),
		cmocka_unit_test(test_stack),
		cmocka_unit_test(test_halt_required),
		cmocka_unit_test(test_rules_decided_once),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_since_measure_reads_decided_rule),
		cmocka_unit_test(test_in_years_operand),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_decode_runs_verifier),
		cmocka_unit_test(test_every_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
