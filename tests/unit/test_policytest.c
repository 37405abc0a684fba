/* Policy tests: parsing test files, compact marks, running them, coverage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "runtime/machine/opcodes.h"
#include "runtime/tools/policytest.h"
#include "tools_fixture.h"

#define SCHOOL_TEXT                                      \
	BASELINE_TEXT                                    \
	"stage 1 \"One\"\n"                              \
	"  when consecutive days absent >= 1 day\n"      \
	"end\n"                                          \
	"stage 2 \"Two\"\n"                              \
	"  when consecutive days absent >= 3 days\n"     \
	"end\n"

/* Monday 2 to Friday 13 September 2024, every session open. */
static void
two_weeks(struct rt_school_day days[10], struct rt_calendar *cal)
{
	int n = 0;
	for (int d = 2; d <= 13; d++) {
		rt_date date = rt_date_from_ymd(2024, 9, d);
		if (rt_date_weekday(date) < 5)
			days[n++] = (struct rt_school_day){ date, RT_OPEN_AM | RT_OPEN_PM, 1, 2024, 0 };
	}
	cal->days = days;
	cal->ndays = (size_t)n;
	rt_calendar_number_weeks(cal);
}

static int
parse(const char *text, struct tool_ptest_file *f, struct base_findings *errors)
{
	return tool_ptest_parse("dir/t.test", text, strlen(text), f, errors);
}

static void
test_parse_good_file(void **state)
{
	(void)state;
	const char *text = "# comment\n"
	                   "policy \"../school.policy\"\n"
	                   "calendar \"/abs/calendar.csv\"\n"
	                   "test \"Three days\"\n"
	                   "  marks from 2024-09-02: /\\ (II)*3 [I] # a comment\n"
	                   "  history stage 1 since 2024-09-01\n"
	                   "  as of 2024-09-06\n"
	                   "  expect stage 2\n"
	                   "  expect no flag persistent_absence\n"
	                   "  expect penalty notice £80\n"
	                   "  expect measure \"consecutive \\\"days\\\"\" >= 2.5 days\n"
	                   "end\n";
	struct base_findings errors = { 0 };
	struct tool_ptest_file f;
	assert_int_equal(parse(text, &f, &errors), 0);
	assert_int_equal(errors.n, 0);
	assert_string_equal(f.policy, "dir/../school.policy");
	assert_string_equal(f.calendar, "/abs/calendar.csv");
	assert_int_equal(f.ncases, 1);
	const struct tool_ptest_case *c = &f.cases[0];
	assert_string_equal(c->name, "Three days");
	assert_int_equal(c->nmarks, 1);
	assert_string_equal(c->marks[0].text, "/\\ (II)*3 [I] ");
	assert_int_equal(c->marks[0].line, 5);
	assert_int_equal(c->nhistory, 1);
	assert_int_equal(c->history[0].stage, 1);
	assert_int_equal(c->as_of, rt_date_from_ymd(2024, 9, 6));
	assert_int_equal(c->nexpects, 4);
	assert_int_equal(c->expects[0].kind, TOOL_PX_STAGE);
	assert_int_equal(c->expects[0].stage, 2);
	assert_int_equal(c->expects[1].kind, TOOL_PX_FLAG);
	assert_true(c->expects[1].negated);
	assert_int_equal(c->expects[2].value.num, 8000);
	assert_string_equal(c->expects[3].name, "consecutive \"days\"");
	assert_int_equal(c->expects[3].op, RT_OP_GE);
	assert_int_equal(c->expects[3].value.unit, RT_UNIT_DAYS);
	assert_int_equal(c->expects[3].value.num * 2, c->expects[3].value.den * 5);
	tool_ptest_free(&f);
	base_findings_free(&errors);
}

static void
test_parse_errors_have_positions(void **state)
{
	(void)state;
	const char *text = "policy \"p.policy\"\n"
	                   "test \"Bad\"\n"
	                   "  as of 2024-02-30\n"
	                   "  expect stage often\n"
	                   "  expect measure \"x\" ~ 3\n"
	                   "end\n";
	struct base_findings errors = { 0 };
	struct tool_ptest_file f;
	assert_int_equal(parse(text, &f, &errors), -1);
	/* the date, the stage, the comparison, no as-of and no expectation, no calendar */
	assert_true(errors.n >= 5);
	assert_int_equal(errors.items[0].line, 3);
	assert_int_equal(errors.items[0].column, 9);
	assert_string_equal(errors.items[0].rule, "test-syntax");
	assert_int_equal(errors.items[1].line, 4);
	assert_int_equal(errors.items[1].column, 16);
	assert_int_equal(errors.items[2].line, 5);
	assert_int_equal(errors.items[2].column, 22);
	assert_non_null(strstr(errors.items[errors.n - 1].message, "calendar"));
	tool_ptest_free(&f);
	base_findings_free(&errors);
}

static void
test_values(void **state)
{
	(void)state;
	struct rt_value v;
	assert_int_equal(tool_ptest_parse_value("96.5%", 5, &v), 5);
	assert_int_equal(v.unit, RT_UNIT_PERCENT);
	assert_int_equal(v.num, 965);
	assert_int_equal(v.den, 10);
	assert_int_equal(tool_ptest_parse_value("6 school weeks", 14, &v), 14);
	assert_int_equal(v.unit, RT_UNIT_SCHOOL_WEEKS);
	assert_int_equal(tool_ptest_parse_value("£160.50", strlen("£160.50"), &v), strlen("£160.50"));
	assert_int_equal(v.num, 16050);
	assert_int_equal(tool_ptest_parse_value("1 day", 5, &v), 5);
	assert_int_equal(v.unit, RT_UNIT_DAYS);
	assert_int_equal(tool_ptest_parse_value("days", 4, &v), 0);
}

static void
test_marks_expand_and_errors(void **state)
{
	(void)state;
	struct rt_program *p = compile_text(SCHOOL_TEXT);
	assert_non_null(p);
	struct rt_school_day days[10];
	struct rt_calendar cal;
	two_weeks(days, &cal);
	uint8_t marks[20];
	struct base_findings errors = { 0 };
	struct tool_ptest_marks ml = { rt_date_from_ymd(2024, 9, 3), (char *)"(/\\)*2 . [I]O", 7, 25 };
	struct tool_ptest_case c = { .marks = &ml, .nmarks = 1 };
	assert_int_equal(tool_ptest_marks_build(p, &cal, "t.test", &c, marks, &errors), 0);
	assert_int_equal(marks[0], RT_NO_MARK); /* Monday is before the date */
	assert_int_equal(marks[2], rt_program_find_code(p, "/"));
	assert_int_equal(marks[5], rt_program_find_code(p, "\\"));
	assert_int_equal(marks[6], RT_NO_MARK);
	assert_int_equal(marks[7], rt_program_find_code(p, "I"));
	assert_int_equal(marks[8], rt_program_find_code(p, "O"));
	assert_int_equal(marks[9], RT_NO_MARK);

	ml.text = (char *)"/\\ Z";
	assert_int_equal(tool_ptest_marks_build(p, &cal, "t.test", &c, marks, &errors), -1);
	assert_int_equal(errors.n, 1);
	assert_int_equal(errors.items[0].line, 7);
	assert_int_equal(errors.items[0].column, 28);
	assert_non_null(strstr(errors.items[0].message, "unknown code \"Z\""));

	ml.text = (char *)"(/\\)*11";
	assert_int_equal(tool_ptest_marks_build(p, &cal, "t.test", &c, marks, &errors), -1);
	assert_non_null(strstr(errors.items[1].message, "after the calendar's last school day"));

	ml.from = rt_date_from_ymd(2024, 9, 7); /* a Saturday */
	ml.text = (char *)"/";
	assert_int_equal(tool_ptest_marks_build(p, &cal, "t.test", &c, marks, &errors), -1);
	assert_non_null(strstr(errors.items[2].message, "not a school day"));
	base_findings_free(&errors);
	rt_program_free(p);
}

static void
test_run_pass_fail_and_coverage(void **state)
{
	(void)state;
	struct rt_program *p = compile_text(SCHOOL_TEXT);
	assert_non_null(p);
	struct rt_school_day days[10];
	struct rt_calendar cal;
	two_weeks(days, &cal);
	const char *text = "policy \"s.policy\"\n"
	                   "calendar \"c.csv\"\n"
	                   "test \"One day\"\n"
	                   "  marks from 2024-09-02: (/\\)*4 II\n"
	                   "  as of 2024-09-06\n"
	                   "  expect stage 1\n"
	                   "  expect measure \"consecutive days absent\" = 1 day\n"
	                   "end\n"
	                   "test \"Wrong\"\n"
	                   "  marks from 2024-09-02: (/\\)*4 II\n"
	                   "  as of 2024-09-06\n"
	                   "  expect stage 2\n"
	                   "  expect measure \"consecutive days absent\" = 2 sessions\n"
	                   "end\n";
	struct base_findings out = { 0 };
	struct tool_ptest_file f;
	assert_int_equal(parse(text, &f, &out), 0);
	struct tool_ptest_coverage cov;
	assert_int_equal(tool_ptest_coverage_init(&cov, p), 0);
	struct tool_ptest_totals totals = { 0 };
	assert_int_equal(tool_ptest_run(&f, p, &cal, &cov, &out, &totals), 0);
	assert_int_equal(totals.tests, 2);
	assert_int_equal(totals.passed, 1);
	assert_int_equal(totals.failed, 1);
	/* two failed expectations, then the explanation */
	assert_int_equal(out.n, 3);
	assert_int_equal(out.items[0].line, 12);
	assert_non_null(strstr(out.items[0].message, "expected stage 2; actual: stage 1"));
	assert_string_equal(out.items[1].rule, "test-unit");
	assert_int_equal(out.items[2].level, BASE_FINDING_NOTE);
	assert_non_null(strstr(out.items[2].message, "consecutive days absent"));
	/* per test, for --junit: the failing one carries its three findings */
	assert_int_equal(totals.nresults, 2);
	assert_int_equal(totals.results[0].outcome, TOOL_PT_PASSED);
	assert_int_equal(totals.results[1].outcome, TOOL_PT_FAILED);
	assert_int_equal(totals.results[1].first, 0);
	assert_int_equal(totals.results[1].n, 3);
	char *xml = NULL;
	size_t xml_len = 0;
	FILE *mem = open_memstream(&xml, &xml_len);
	assert_int_equal(tool_ptest_junit(&totals, &out, mem), 0);
	fclose(mem);
	assert_non_null(strstr(xml, "<testsuites name=\"attend test\" tests=\"2\" failures=\"1\" errors=\"0\">"));
	assert_non_null(strstr(xml, "<failure message=\"test &quot;"));
	free(xml);
	tool_ptest_totals_free(&totals);
	assert_null(totals.results);

	size_t before = out.n;
	tool_ptest_coverage_report(&cov, p, "s.policy", NULL, NULL, &out);
	int stage2 = 0, pa = 0, penalty = 0;
	for (size_t i = before; i < out.n; i++) {
		stage2 |= strstr(out.items[i].message, "stage 2 \"Two\" holds in no test") != NULL;
		pa |= strstr(out.items[i].message, "persistent_absence\" holds in no test") == NULL &&
		      strstr(out.items[i].message, "absence rate >= 10%") != NULL;
		penalty |= strstr(out.items[i].message, "penalty notice rule") != NULL;
	}
	/* Stage 1 held, so it is not listed; stage 2 and the penalty rule never held. */
	assert_true(stage2);
	assert_true(penalty);
	(void)pa;
	for (size_t i = before; i < out.n; i++)
		assert_null(strstr(out.items[i].message, "stage 1 \"One\""));
	tool_ptest_coverage_free(&cov);
	tool_ptest_free(&f);
	base_findings_free(&out);
	rt_program_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good_file),
		cmocka_unit_test(test_parse_errors_have_positions),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_marks_expand_and_errors),
		cmocka_unit_test(test_run_pass_fail_and_coverage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
