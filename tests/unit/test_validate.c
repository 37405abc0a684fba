/* validate: a school's policy against a statutory baseline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "runtime/tools/validate.h"
#include "tools_fixture.h"

static const struct base_finding *
find(const struct base_findings *f, const char *rule)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->items[i].rule, rule) == 0)
			return &f->items[i];
	return NULL;
}

static int
validate(const char *school_text, rt_date on, struct base_findings *out)
{
	struct rt_program *base = compile_text(BASELINE_TEXT), *school = compile_text(school_text);
	assert_non_null(base);
	assert_non_null(school);
	struct tool_validate_options opt = { on, "school.policy", "base.policy" };
	int errors = tool_validate(school, base, &opt, out);
	rt_program_free(base);
	rt_program_free(school);
	return errors;
}

static void
test_identical_policy_is_clean(void **state)
{
	(void)state;
	struct base_findings out = { 0 };
	assert_int_equal(validate(BASELINE_TEXT, rt_date_from_ymd(2025, 3, 3), &out), 0);
	assert_int_equal(out.n, 0);
	base_findings_free(&out);
}

static void
test_penalty_threshold_and_fines(void **state)
{
	(void)state;
	const char *lax = "policy \"Lax\"\n"
	                  "code \"/\" present \"am\"\n"
	                  "code \"\\\" present \"pm\"\n"
	                  "code \"I\" authorised \"ill\"\n"
	                  "code \"O\" unauthorised \"other\" counts toward penalty notices\n"
	                  "flag persistent_absence \"PA\"\n"
	                  "  when absence rate >= 15%\n"
	                  "end\n"
	                  "penalty notice\n"
	                  "  consider when penalty sessions in the last 10 school weeks >= 8 sessions\n"
	                  "  first notice £60 within 21 days, £120 within 28 days\n"
	                  "  second notice £160 within 28 days\n"
	                  "  at most 3 notices in 3 years, otherwise \"x\"\n"
	                  "  unpaid after 28 days \"y\"\n"
	                  "end\n";
	struct base_findings out = { 0 };
	int errors = validate(lax, rt_date_from_ymd(2025, 3, 3), &out);
	assert_int_equal(errors, 4);
	const struct base_finding *t = find(&out, "penalty-threshold");
	assert_non_null(t);
	assert_int_equal(t->line, 9); /* the rule's line */
	assert_non_null(strstr(t->message, ">= 8 sessions"));
	assert_non_null(strstr(t->message, ">= 10 sessions, in force since 2024-08-19"));
	/* the example: 8 unauthorised sessions at the end, a notice under the policy only */
	assert_non_null(strstr(t->message, "(O)*8, as of 2025-03-03: the policy considers a penalty notice"));
	const struct base_finding *pa = find(&out, "persistent-absence-threshold");
	assert_non_null(pa);
	assert_non_null(strstr(pa->message, "absence rate >= 15%"));
	assert_non_null(strstr(pa->message, "persistent_absence does not hold under the policy and holds under the statute"));
	const struct base_finding *fine = find(&out, "fine-amount");
	assert_non_null(fine);
	assert_non_null(strstr(fine->message, "£60.00 within 21 days"));
	assert_non_null(strstr(fine->message, "£80.00 within 21 days, £160.00 within 28 days, in force since 2024-08-19"));
	assert_non_null(strstr(fine->message, "a first notice is £60.00 under the policy and £80.00 under the statute"));
	assert_non_null(find(&out, "penalty-cap"));
	assert_null(find(&out, "penalty-window"));
	base_findings_free(&out);
}

static void
test_codes(void **state)
{
	(void)state;
	const char *school = "policy \"Codes\"\n"
	                     "code \"/\" present \"am\"\n"
	                     "code \"\\\" present \"pm\"\n"
	                     "code \"I\" unauthorised \"ill\"\n"
	                     "code \"W\" present \"own\"\n";
	struct base_findings out = { 0 };
	validate(school, rt_date_from_ymd(2025, 3, 3), &out);
	const struct base_finding *missing = find(&out, "statutory-code-missing");
	assert_non_null(missing);
	assert_non_null(strstr(missing->message, "\"O\""));
	const struct base_finding *cat = find(&out, "code-category");
	assert_non_null(cat);
	assert_int_equal(cat->line, 4);
	assert_non_null(strstr(cat->message, "the statutory category is authorised"));
	assert_non_null(find(&out, "non-statutory-code"));
	assert_non_null(find(&out, "penalty-missing"));
	base_findings_free(&out);
}

static void
test_before_the_baseline(void **state)
{
	(void)state;
	struct base_findings out = { 0 };
	assert_int_equal(validate(BASELINE_TEXT, rt_date_from_ymd(2023, 3, 3), &out), 0);
	assert_non_null(find(&out, "baseline-not-in-force"));
	base_findings_free(&out);
}

static void
test_example_calendar(void **state)
{
	(void)state;
	struct rt_calendar cal;
	assert_int_equal(tool_validate_example_calendar(rt_date_from_ymd(2025, 3, 3), &cal), 0);
	assert_int_equal(cal.ndays, 26 * 5); /* 182 days back from a Monday: 26 full weeks */
	assert_int_equal(cal.days[cal.ndays - 1].date, rt_date_from_ymd(2025, 3, 3));
	rt_calendar_free(&cal);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical_policy_is_clean),
		cmocka_unit_test(test_penalty_threshold_and_fines),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_before_the_baseline),
		cmocka_unit_test(test_example_calendar),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
