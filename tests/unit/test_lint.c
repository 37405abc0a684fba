/* attend lint: every warning fires, stays quiet on a clean policy, and can be
 * silenced on its line; every compiler error carries a stable rule name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"

#include "lang/lang.h"
#include "lang/lint.h"
#include "runtime/machine/date.h"
#include "runtime/base/findings.h"

/* (a small code set without a baseline: its unmapped-code warning is allowed on line 1) */
#define HEAD "policy \"T\"  # attend: allow unmapped-code\ncode \"/\" present\ncode \"I\" authorised\ncode \"O\" unauthorised counts toward penalty notices\n"

static struct base_findings
lint_in(const char *text, const char *const *dirs, size_t ndirs, const char *name)
{
	struct base_findings f = { 0 };
	struct lang_options opt = { dirs, ndirs, stderr, 0, 0 };
	struct lang_report_options rep = { &f, 1, rt_date_from_ymd(2025, 1, 1) };
	struct rt_program *p = NULL;
	lang_compile_string_report(name, text, strlen(text), &opt, &rep, &p);
	rt_program_free(p);
	return f;
}

static struct base_findings
lint(const char *text)
{
	return lint_in(text, NULL, 0, "t.policy");
}

/* How many findings of `rule` there are; *line gets the first one's line. */
static size_t
count(const struct base_findings *f, const char *rule, unsigned *line)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->items[i].rule, rule) == 0) {
			if (n++ == 0 && line)
				*line = f->items[i].line;
		}
	return n;
}

static void
dump(const struct base_findings *f)
{
	base_findings_write(f, BASE_FINDINGS_TEXT, 0, stderr);
}

/* The rule fires once at `line`, and not when the policy is given with `allow`
 * inserted before that line (its own line). */
static void
expect_warning(const char *text, const char *rule, unsigned line)
{
	struct base_findings f = lint(text);
	unsigned got = 0;
	if (count(&f, rule, &got) != 1 || got != line) {
		dump(&f);
		fail_msg("expected one %s at line %u, got line %u", rule, line, got);
	}
	assert_int_equal(base_findings_count(&f, BASE_FINDING_ERROR), 0);
	base_findings_free(&f);
	/* Silenced by a comment alone on the line before. */
	size_t len = strlen(text) + 128;
	char *quiet = malloc(len);
	const char *p = text;
	for (unsigned l = 1; l < line; l++)
		p = strchr(p, '\n') + 1;
	snprintf(quiet, len, "%.*s# attend: allow %s\n%s", (int)(p - text), text, rule, p);
	f = lint(quiet);
	if (count(&f, rule, NULL) != 0) {
		dump(&f);
		fail_msg("%s not silenced by the comment on the line before", rule);
	}
	assert_int_equal(count(&f, "unknown-suppression", NULL), 0);
	base_findings_free(&f);
	/* Silenced by a trailing comment on the line itself. */
	const char *eol = strchr(p, '\n');
	snprintf(quiet, len, "%.*s  # attend: allow other, %s%s", (int)(eol - text), text, rule, eol);
	f = lint(quiet);
	if (count(&f, rule, NULL) != 0) {
		dump(&f);
		fail_msg("%s not silenced by the comment on its line", rule);
	}
	base_findings_free(&f);
	free(quiet);
}

static void
test_clean_policy_has_no_warnings(void **state)
{
	(void)state;
	struct base_findings f = lint(HEAD "review 2026-01-01\n"
	                            "stage 1\n  when absence rate >= 5%\n  source \"s\"\nend\n"
	                            "stage 2\n  when absence rate >= 10%\n  letter m\n  source \"s\"\nend\n"
	                            "letter m\n  \"\"\"\n  {pupil}\n  \"\"\"\nend\n");
	if (f.n) {
		dump(&f);
		fail_msg("expected no findings");
	}
	base_findings_free(&f);
}

/* Without a baseline, every statistical category needs a code. */
static void
test_code_set_without_baseline(void **state)
{
	(void)state;
	struct base_findings f = lint("policy \"Bare\"\ncode \"/\" present\ncode \"I\" authorised\n");
	unsigned line = 0;
	assert_int_equal(count(&f, "unmapped-code", &line), 3); /* educational, unauthorised, not possible */
	assert_int_equal(line, 1);
	base_findings_free(&f);
}

static void
test_unreachable_stage_constant_false(void **state)
{
	(void)state;
	expect_warning(HEAD "stage 1\n  when absence rate > 100%\n  source \"s\"\nend\n", "unreachable-stage", 6);
	expect_warning(HEAD "stage 1\n  when absent sessions < 0 sessions\n  source \"s\"\nend\n", "unreachable-stage", 6);
}

static void
test_unreachable_stage_shadowed(void **state)
{
	(void)state;
	/* Whenever stage 1 holds (>= 20%), stage 2 (>= 10%) holds too, and wins. */
	expect_warning(HEAD "stage 1\n  when absence rate >= 20%\n  source \"s\"\nend\n"
	               "stage 2\n  when absence rate >= 10% or unauthorised sessions > 4 sessions\n  source \"s\"\nend\n",
	               "unreachable-stage", 6);
}

static void
test_thresholds_not_rising(void **state)
{
	(void)state;
	expect_warning(HEAD "let goal = 95%\nstage 1\n  when attendance rate < 90% and absent sessions > 2 sessions\n"
	               "  source \"s\"\nend\n"
	               "stage 2\n  when attendance rate < goal and unauthorised sessions > 4 sessions\n  source \"s\"\nend\n",
	               "thresholds-not-rising", 11);
}

static void
test_unused_value_and_letter(void **state)
{
	(void)state;
	expect_warning(HEAD "let spare = 3 days\n", "unused-value", 5);
	expect_warning(HEAD "letter nobody\n  \"\"\"\n  Hello\n  \"\"\"\nend\n", "unused-letter", 5);
	/* Used by a letter's placeholder only: not unused. */
	struct base_findings f = lint(HEAD "let goal = 95%\nstage 1\n  when absence rate > 5%\n  letter m\n  source \"s\"\nend\n"
	                            "letter m\n  \"\"\"\n  Aim for {goal}.\n  \"\"\"\nend\n");
	assert_int_equal(count(&f, "unused-value", NULL), 0);
	base_findings_free(&f);
}

static void
test_overlapping_triggers(void **state)
{
	(void)state;
	expect_warning(HEAD "flag a\n  when absence rate >= 10%\n  source \"s\"\nend\n"
	               "flag b\n  when absence rate >= 10%\n  source \"s\"\nend\n", "overlapping-triggers", 10);
	expect_warning(HEAD "flag a\n  when absent sessions >= 10 sessions or absent sessions >= 4 sessions\n"
	               "  source \"s\"\nend\n", "overlapping-triggers", 6);
}

static void
test_review_date_passed(void **state)
{
	(void)state;
	expect_warning(HEAD "review 2024-12-31\n", "review-date-passed", 5);
}

static void
test_missing_source(void **state)
{
	(void)state;
	expect_warning(HEAD "flag a\n  when absence rate >= 10%\nend\n", "missing-source", 5);
}

/* unpaid after 28 days where a fine allows 42 days to pay; not when every fine is paid within 28 days. */
static void
test_unpaid_before_payment_window(void **state)
{
	(void)state;
	expect_warning(HEAD "penalty notice\n  consider when penalty sessions >= 10 sessions\n"
	                    "  first notice £60 within 28 days, £120 within 42 days\n  unpaid after 28 days \"act\"\n"
	                    "  source \"x\"\nend\n",
	               "unpaid-before-payment-window", 8);
	struct base_findings f = lint(HEAD "penalty notice\n  consider when penalty sessions >= 10 sessions\n"
	                                   "  first notice £60 within 21 days, £120 within 28 days\n"
	                                   "  unpaid after 28 days \"act\"\n  source \"x\"\nend\n");
	assert_int_equal(count(&f, "unpaid-before-payment-window", NULL), 0);
	base_findings_free(&f);
}

static void
test_unknown_suppression(void **state)
{
	(void)state;
	struct base_findings f = lint(HEAD "# attend: allow unused-vaule\nlet spare = 3 days\n");
	assert_int_equal(count(&f, "unknown-suppression", NULL), 1);
	assert_int_equal(count(&f, "unused-value", NULL), 1);
	base_findings_free(&f);
}

static void
test_codes_against_the_base(void **state)
{
	(void)state;
	char dir[] = "/tmp/attend-lint-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char base[64], school[64];
	snprintf(base, sizeof base, "%s/base.policy", dir);
	snprintf(school, sizeof school, "%s/school.policy", dir);
	write_file(base, "policy \"Base\"\ncode \"/\" present\ncode \"O\" unauthorised counts toward penalty notices\n"
	                 "code \"H\" authorised until 2024-08-18\n");
	const char *text = "builds on \"base\"\npolicy \"S\"\nreplaces code \"O\" authorised\ncode \"H1\" maps to \"H\"\n";
	struct base_findings f = lint_in(text, NULL, 0, school);
	unsigned line = 0;
	assert_int_equal(count(&f, "statutory-code-changed", &line), 1);
	assert_int_equal(line, 3);
	assert_int_equal(count(&f, "unmapped-code", &line), 1);
	assert_int_equal(line, 4);
	assert_int_equal(base_findings_count(&f, BASE_FINDING_ERROR), 0);
	base_findings_free(&f);
	unlink(base);
	rmdir(dir);
}

static void
test_errors_have_stable_rule_names(void **state)
{
	(void)state;
	static const struct {
		const char *text, *rule;
	} cases[] = {
		{ "policy \"x\"\nversion 2024\n", "syntax" },
		{ "policy \"x\"\nreview 2025-02-30\n", "lexical" },
		{ HEAD "flag f\n  when nobody >= 1%\nend\n", "unknown-name" },
		{ HEAD "flag f\n  when absent days > 2 sessions\nend\n", "unit-mismatch" },
		{ HEAD "code \"I\" authorised\n", "duplicate" },
		{ HEAD "stage 2\n  when absence rate > 1%\nend\n", "stage-order" },
		{ HEAD "flag f\n  when absent sessions coded \"Q\" > 1 session\nend\n", "syntax" },
		{ HEAD "flag f\n  when sessions coded \"Q\" > 1 session\nend\n", "unknown-code" },
		{ HEAD "flag f\n  when absence rate\nend\n", "not-a-condition" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct base_findings f = lint(cases[i].text);
		if (f.n == 0 || f.items[0].level != BASE_FINDING_ERROR || strcmp(f.items[0].rule, cases[i].rule) != 0) {
			dump(&f);
			fail_msg("case %zu: expected an error of rule %s", i, cases[i].rule);
		}
		base_findings_free(&f);
	}
}

static void
test_rule_names_listed(void **state)
{
	(void)state;
	size_t n = 0;
	while (lang_lint_rule(n)) {
		assert_non_null(base_findings_rule_description(lang_lint_rule(n)));
		n++;
	}
	assert_int_equal(n, 11);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_policy_has_no_warnings),
		cmocka_unit_test(test_code_set_without_baseline),
		cmocka_unit_test(test_unreachable_stage_constant_false),
		cmocka_unit_test(test_unreachable_stage_shadowed),
		cmocka_unit_test(test_thresholds_not_rising),
		cmocka_unit_test(test_unused_value_and_letter),
		cmocka_unit_test(test_overlapping_triggers),
		cmocka_unit_test(test_review_date_passed),
		cmocka_unit_test(test_missing_source),
		cmocka_unit_test(test_unknown_suppression),
		cmocka_unit_test(test_codes_against_the_base),
		cmocka_unit_test(test_errors_have_stable_rule_names),
		cmocka_unit_test(test_rule_names_listed),
		cmocka_unit_test(test_unpaid_before_payment_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
