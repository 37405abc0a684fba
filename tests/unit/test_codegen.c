/* Code generation: the tables and instructions built for small policies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lang/lang.h"
#include "runtime/machine/bytecode.h"
#include "runtime/machine/opcodes.h"

#define CODES "code \"/\" present \"Present\"\ncode \"K\" educational \"LA provision\"\n" \
              "code \"I\" authorised \"Illness\"\ncode \"O\" unauthorised \"Unauthorised\" counts toward penalty notices\n" \
              "code \"X\" not possible \"Not required\"\ncode \"I01\" maps to \"I\" \"Illness (not covid)\"\n" \
              "code \"O1\" maps to \"O\"\n"

static struct rt_program *
build(const char *text)
{
	FILE *diag = tmpfile();
	struct lang_options opt = { NULL, 0, diag, 0, 0 };
	struct rt_program *p = NULL;
	int errors = lang_compile_string("t.policy", text, strlen(text), &opt, &p);
	if (errors) {
		char buf[2048] = "";
		rewind(diag);
		size_t n = fread(buf, 1, sizeof buf - 1, diag);
		buf[n] = '\0';
		fail_msg("%d errors:\n%s", errors, buf);
	}
	fclose(diag);
	char err[256];
	if (rt_verify(p, err, sizeof err) != 0)
		fail_msg("rt_verify: %s", err);
	return p;
}

static void
expect_code(const struct rt_program *p, const uint8_t *ops, size_t n)
{
	assert_int_equal(p->ncode, n);
	for (size_t i = 0; i < n; i++)
		if (p->code[i].op != ops[i])
			fail_msg("instruction %zu is %s, expected %s", i, rt_opcode_table[p->code[i].op].name,
			         rt_opcode_table[ops[i]].name);
}

static void
test_codes_and_subcodes(void **state)
{
	(void)state;
	struct rt_program *p = build(CODES);
	assert_int_equal(p->ncodes, 7);
	int i01 = rt_program_find_code(p, "I01"), i = rt_program_find_code(p, "I");
	int o1 = rt_program_find_code(p, "O1"), o = rt_program_find_code(p, "O");
	assert_int_equal(p->codes[i01].maps_to, i);
	assert_int_equal(p->codes[i01].category, RT_CAT_AUTHORISED);
	assert_int_equal(p->codes[o1].flags, RT_CODE_PENALTY);
	assert_int_equal(p->codes[o1].category, RT_CAT_UNAUTHORISED);
	assert_int_equal(p->codes[o].maps_to, o);
	assert_string_equal(rt_program_str(p, p->codes[i01].meaning), "Illness (not covid)");
	assert_int_equal(p->ncode, 1);
	assert_int_equal(p->code[0].op, RT_OP_HALT);
	rt_program_free(p);
}

static void
test_comparison_and_measure(void **state)
{
	(void)state;
	struct rt_program *p = build(CODES "flag pa \"Persistent absence\"\n  when absence rate >= 10%\n"
	                             "  source \"DfE\"\nend\n");
	static const uint8_t ops[] = { RT_OP_MEASURE, RT_OP_CONST, RT_OP_GE, RT_OP_RULE, RT_OP_HALT };
	expect_code(p, ops, 5);
	const struct rt_measure *m = &p->measures[p->code[0].operand];
	assert_int_equal(m->kind, RT_M_RATE);
	assert_int_equal(m->period, RT_P_YEAR);
	assert_string_equal(rt_program_str(p, m->label), "absence rate");
	const struct rt_codeset *set = &p->codesets[m->codeset];
	assert_true(rt_codeset_has(set, (unsigned)rt_program_find_code(p, "I")));
	assert_true(rt_codeset_has(set, (unsigned)rt_program_find_code(p, "I01")));
	assert_true(rt_codeset_has(set, (unsigned)rt_program_find_code(p, "O")));
	assert_false(rt_codeset_has(set, (unsigned)rt_program_find_code(p, "/")));
	assert_false(rt_codeset_has(set, (unsigned)rt_program_find_code(p, "X")));
	const struct rt_value *c = &p->constants[p->code[1].operand];
	assert_int_equal(c->num, 10);
	assert_int_equal(c->den, 1);
	assert_int_equal(c->unit, RT_UNIT_PERCENT);
	assert_string_equal(rt_program_str(p, p->code[2].operand), "absence rate");
	assert_int_equal(p->code[3].operand, 0);
	assert_int_equal(p->nrules, 1);
	assert_string_equal(rt_program_str(p, p->rules[0].name), "pa");
	assert_string_equal(rt_program_str(p, p->rules[0].source), "DfE");
	assert_int_equal(p->rules[0].kind, RT_RULE_FLAG);
	assert_int_equal(p->rules[0].line, 8);
	assert_int_equal(p->lines[0], 9);
	assert_int_equal(p->max_stack, 2);
	rt_program_free(p);
}

static void
test_short_circuit_and_references(void **state)
{
	(void)state;
	struct rt_program *p = build(CODES "let goal = 96.5%\n"
	                             "stage 1 \"One\"\n  when consecutive days absent >= 1 day\n  action \"Phone\" by \"Office\"\nend\n"
	                             "stage 2 \"Two\"\n  when stage 1 and (attendance rate < goal or "
	                             "sessions coded \"O\" in the last 10 school weeks > 4 sessions)\nend\n");
	static const uint8_t ops[] = {
		RT_OP_MEASURE, RT_OP_CONST, RT_OP_GE, RT_OP_RULE,
		RT_OP_OUTCOME, RT_OP_AND_ELSE, RT_OP_MEASURE, RT_OP_CONST, RT_OP_LT, RT_OP_OR_ELSE,
		RT_OP_MEASURE, RT_OP_CONST, RT_OP_GT, RT_OP_RULE, RT_OP_HALT,
	};
	expect_code(p, ops, 15);
	assert_int_equal(p->code[4].operand, 0);   /* OUTCOME of stage 1 */
	assert_int_equal(p->code[5].operand, 13);  /* and: false skips to RULE */
	assert_int_equal(p->code[9].operand, 13);  /* or: true skips to RULE */
	assert_int_equal(p->code[13].operand, 1);
	const struct rt_value *goal = &p->constants[p->code[7].operand];
	assert_int_equal(goal->num, 965);
	assert_int_equal(goal->den, 10);
	assert_int_equal(p->lines[7], 14); /* the named value's code carries the line where it is used */
	const struct rt_measure *m = &p->measures[p->code[10].operand];
	assert_int_equal(m->period, RT_P_SCHOOL_WEEKS);
	assert_int_equal(m->weeks, 10);
	assert_string_equal(rt_program_str(p, m->label), "sessions coded \"O\" in the last 10 school weeks");
	const struct rt_codeset *set = &p->codesets[m->codeset];
	assert_true(rt_codeset_has(set, (unsigned)rt_program_find_code(p, "O")));
	assert_true(rt_codeset_has(set, (unsigned)rt_program_find_code(p, "O1")));
	assert_false(rt_codeset_has(set, (unsigned)rt_program_find_code(p, "I")));
	assert_int_equal(p->rules[1].stage, 2);
	assert_int_equal(p->rules[0].action_count, 1);
	assert_string_equal(rt_program_str(p, p->actions[p->rules[0].first_action].owner), "Office");
	assert_int_equal(p->max_stack, 2);
	rt_program_free(p);
}

static void
test_schedule_penalty_facts(void **state)
{
	(void)state;
	struct rt_program *p = build(
		"policy \"Kildwick\"\nversion \"2022\"\napproved 2022-03-01\n" CODES
		"target attendance 96%\n"
		"schedule likely \"By half term\"\n  half term 1: 10 sessions\n  half term 3: 30 sessions\nend\n"
		"flag lp \"Likely\"\n  when absent sessions >= likely\nend\n"
		"penalty notice\n  consider when penalty sessions in the last 10 school weeks >= 10 sessions\n"
		"  first notice £60 within 21 days, £120 within 28 days from 2013-09-01\n"
		"  at most 2 notices in 3 years, otherwise \"Prosecute\"\n  unpaid after 28 days \"Withdraw\"\nend\n"
		"leave notice \"holiday\" 6 weeks\nretain register entries 6 years\n"
		"register\n  session AM opens 08:50 closes 09:10\n  arriving after 09:10 in AM is \"O\"\nend\n");
	assert_int_equal(p->nschedules, 1);
	assert_int_equal(p->schedules[0].present, 0x5);
	assert_int_equal(p->schedules[0].num[2], 30);
	assert_int_equal(p->schedules[0].unit, RT_UNIT_SESSIONS);
	assert_int_equal(p->code[1].op, RT_OP_SCHEDULE);
	assert_int_equal(p->nrules, 2);
	assert_int_equal(p->rules[1].kind, RT_RULE_PENALTY);
	assert_int_equal(p->nfines, 1);
	assert_int_equal(p->fines[0].pence, 6000);
	assert_int_equal(p->fines[0].later_pence, 12000);
	assert_int_equal(p->fines[0].from, rt_date_from_ymd(2013, 9, 1));
	assert_int_equal(p->fines[0].until, RT_DATE_MAX);
	assert_int_equal(p->penalty.defined, 1);
	assert_int_equal(p->penalty.max_notices, 2);
	assert_int_equal(p->penalty.cap_years, 3);
	assert_int_equal(p->penalty.unpaid_days, 28);
	assert_string_equal(rt_program_str(p, p->penalty.alternative), "Prosecute");
	assert_int_equal(p->sessions[RT_AM].opens, 8 * 60 + 50);
	assert_int_equal(p->sessions[RT_PM].opens, -1);
	assert_int_equal(p->narrivals, 1);
	assert_int_equal(p->arrivals[0].code, rt_program_find_code(p, "O"));
	assert_string_equal(rt_program_str(p, rt_program_find_fact(p, "identity.school")->text), "Kildwick");
	assert_int_equal(rt_program_find_fact(p, "identity.approved")->value.num, rt_date_from_ymd(2022, 3, 1));
	assert_int_equal(rt_program_find_fact(p, "target.attendance")->value.num, 96);
	assert_int_equal(rt_program_find_fact(p, "leave_notice.holiday")->value.unit, RT_UNIT_WEEKS);
	assert_int_equal(rt_program_find_fact(p, "retention.register")->value.num, 6);
	rt_program_free(p);
}

static void
test_letters_and_placeholder_measures(void **state)
{
	(void)state;
	struct rt_program *p = build(CODES "letter meeting \"Attendance meeting\"\n  \"\"\"\n"
	                             "  {pupil} is at {attendance rate}.\n  \"\"\"\n  source \"Appendix 1\"\nend\n"
	                             "flag low \"Low\"\n  when attendance rate < 90%\n  letter meeting\nend\n");
	assert_int_equal(p->nletters, 1);
	assert_string_equal(rt_program_str(p, p->letters[0].body), "{pupil} is at {attendance rate}.");
	assert_string_equal(rt_program_str(p, p->letters[0].source), "Appendix 1");
	assert_int_equal(p->rules[0].letter, 0);
	assert_int_equal(p->nmeasures, 1); /* the placeholder reuses the condition's measure */
	assert_string_equal(rt_program_str(p, p->measures[0].label), "attendance rate");
	rt_program_free(p);
}

static void
test_base_file_first(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_codegen_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char base[256];
	snprintf(base, sizeof base, "%s/nat.policy", dir);
	FILE *f = fopen(base, "w");
	assert_non_null(f);
	fputs(CODES "flag pa \"PA\"\n  when absence rate >= 10%\nend\n", f);
	fclose(f);
	const char *const dirs[] = { dir };
	struct lang_options opt = { dirs, 1, stderr, 0, 0 };
	struct rt_program *p = NULL;
	const char *school = "builds on \"nat\"\npolicy \"School\"\ncode \"I02\" maps to \"I\"\n"
	                     "stage 1 \"One\"\n  when pa\nend\n";
	assert_int_equal(lang_compile_string("school.policy", school, strlen(school), &opt, &p), 0);
	char err[256];
	assert_int_equal(rt_verify(p, err, sizeof err), 0);
	assert_int_equal(p->ncodes, 8);
	assert_string_equal(rt_program_str(p, p->codes[7].name), "I02");
	assert_string_equal(rt_program_str(p, p->rules[0].name), "pa");
	assert_int_equal(p->rules[1].kind, RT_RULE_STAGE);
	assert_string_equal(rt_program_str(p, rt_program_find_fact(p, "identity.baseline")->text), "nat");
	rt_program_free(p);
	remove(base);
	remove(dir);
}

/* The measure whose label is `label` and whose flags are `flags`, or fails. */
static const struct rt_measure *
measure_labelled(const struct rt_program *p, const char *label, uint8_t flags)
{
	for (size_t i = 0; i < p->nmeasures; i++)
		if (strcmp(rt_program_str(p, p->measures[i].label), label) == 0 && p->measures[i].flags == flags)
			return &p->measures[i];
	fail_msg("no measure \"%s\" with flags %u", label, flags);
	return NULL;
}

static void
test_since_measures_and_penalty_windows(void **state)
{
	(void)state;
	struct rt_program *p = build(
		CODES "flag pa \"PA\"\n  when absence rate >= 10%\nend\n"
		"stage 1 \"One\"\n  when penalty sessions this term >= 4 sessions\nend\n"
		"stage 2 \"Two\"\n  when school weeks since stage 1 >= 4 school weeks and school days since pa > 10 days\nend\n"
		"let threshold = penalty sessions this term\n"
		"penalty notice\n  consider when threshold >= 10 sessions or penalty rate >= 20%\nend\n");
	const struct rt_measure *weeks = measure_labelled(p, "school weeks since stage 1", 0);
	assert_int_equal(weeks->kind, RT_M_WEEKS_SINCE);
	assert_int_equal(weeks->rule, 1); /* rules: pa, stage 1, stage 2, penalty */
	const struct rt_measure *days = measure_labelled(p, "school days since pa", 0);
	assert_int_equal(days->kind, RT_M_DAYS_SINCE);
	assert_int_equal(days->rule, 0);
	/* the same phrase in a stage and (through a let) in the penalty condition: two measures,
	 * only the penalty one restarting after a notice */
	const struct rt_measure *stage = measure_labelled(p, "penalty sessions this term", 0);
	const struct rt_measure *pen = measure_labelled(p, "penalty sessions this term", RT_MEASURE_AFTER_NOTICE);
	assert_ptr_not_equal(stage, pen);
	assert_int_equal(pen->codeset, stage->codeset);
	assert_int_equal(measure_labelled(p, "penalty rate", RT_MEASURE_AFTER_NOTICE)->kind, RT_M_RATE);
	assert_int_equal(measure_labelled(p, "absence rate", 0)->kind, RT_M_RATE);
	/* stage 2 reads its since-measures after RULE 1 and RULE 0 */
	size_t rule1 = 0;
	while (!(p->code[rule1].op == RT_OP_RULE && p->code[rule1].operand == 1))
		rule1++;
	assert_int_equal(p->code[rule1 + 1].op, RT_OP_MEASURE);
	assert_ptr_equal(&p->measures[p->code[rule1 + 1].operand], weeks);
	assert_int_equal(p->constants[p->code[rule1 + 2].operand].unit, RT_UNIT_SCHOOL_WEEKS);
	rt_program_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes_and_subcodes),
		cmocka_unit_test(test_comparison_and_measure),
		cmocka_unit_test(test_short_circuit_and_references),
		cmocka_unit_test(test_schedule_penalty_facts),
		cmocka_unit_test(test_letters_and_placeholder_measures),
		cmocka_unit_test(test_base_file_first),
		cmocka_unit_test(test_since_measures_and_penalty_windows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
