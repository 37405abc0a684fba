/* The semantic pass: every kind of error it reports, with its location. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"

#include "lang/lang.h"

#define CODES "code \"/\" present \"Present\"\ncode \"I\" authorised \"Illness\"\n" \
              "code \"O\" unauthorised \"Unauthorised\" counts toward penalty notices\n"

struct result {
	int errors;
	char *out;
	size_t len;
};

static struct result
compile_in(const char *name, const char *text, const char *const *dirs, size_t ndirs)
{
	struct result r = { 0, NULL, 0 };
	FILE *diag = open_memstream(&r.out, &r.len);
	assert_non_null(diag);
	struct lang_options opt = { dirs, ndirs, diag, 0, 0 };
	struct rt_program *p = NULL;
	r.errors = lang_compile_string(name, text, strlen(text), &opt, &p);
	fclose(diag);
	if (r.errors == 0)
		assert_non_null(p);
	else
		assert_null(p);
	rt_program_free(p);
	return r;
}

static struct result
compile(const char *text)
{
	return compile_in("t.policy", text, NULL, 0);
}

/* Asserts one error whose first line is exactly `first_line`. */
static void
expect_error(const char *text, const char *first_line)
{
	struct result r = compile(text);
	if (r.errors != 1 || strncmp(r.out, first_line, strlen(first_line)) != 0)
		fail_msg("expected one error starting\n%s\ngot %d:\n%s", first_line, r.errors, r.out);
	free(r.out);
}

static void
test_valid_policy_has_no_errors(void **state)
{
	(void)state;
	struct result r = compile(CODES "let target_rate = 96.5%\n"
	                          "flag low \"Low\"\n  when attendance rate < target_rate\nend\n"
	                          "stage 1 \"One\"\n  when low and absent sessions >= 2 sessions\nend\n");
	assert_int_equal(r.errors, 0);
	assert_string_equal(r.out, "");
	free(r.out);
}

static void
test_unknown_name(void **state)
{
	(void)state;
	expect_error(CODES "flag x \"X\"\n  when absence rate >= limit\nend\n",
	             "t.policy:5:24: error: unknown name 'limit'");
}

static void
test_duplicates(void **state)
{
	(void)state;
	expect_error(CODES "code \"I\" authorised \"Again\"\n", "t.policy:4:6: error: duplicate code \"I\"");
	expect_error(CODES "let a = 1 day\nlet a = 2 days\n", "t.policy:5:5: error: let 'a' has a second value: give each value the dates");
	expect_error("policy \"A\"\npolicy \"B\"\n", "t.policy:2:1: error: duplicate 'policy'");
}

static void
test_subcode_mapping(void **state)
{
	(void)state;
	expect_error(CODES "code \"I01\" maps to \"Q\"\n",
	             "t.policy:4:20: error: code \"I01\" maps to unknown code \"Q\"");
	expect_error(CODES "code \"I01\" maps to \"I\"\ncode \"I02\" maps to \"I01\"\n",
	             "t.policy:5:20: error: code \"I02\" maps to \"I01\", which is itself a sub-code");
}

static void
test_units(void **state)
{
	(void)state;
	expect_error(CODES "flag x \"X\"\n  when absent days > 20 sessions\nend\n",
	             "t.policy:5:8: error: cannot compare days with sessions");
	expect_error(CODES "flag x \"X\"\n  when absence rate >= 10\nend\n",
	             "t.policy:5:8: error: cannot compare percent with number");
	expect_error(CODES "let a = absent sessions + 1 day\n",
	             "t.policy:4:9: error: cannot add days to sessions");
	expect_error(CODES "flag x \"X\"\n  when absent sessions\nend\n",
	             "t.policy:5:8: error: this is a value in sessions, not a condition");
	expect_error(CODES "flag x \"X\"\n  when absence rate >= 10% and 3 days\nend\n",
	             "t.policy:5:32: error: 'and' needs a condition on each side, but this is a value in days");
}

static void
test_stage_order_and_references(void **state)
{
	(void)state;
	expect_error(CODES "stage 1 \"A\"\n  when absence rate > 1%\nend\nstage 3 \"C\"\n  when absence rate > 3%\nend\n",
	             "t.policy:7:1: error: stages must be numbered 1, 2, 3, ... in order: expected stage 2 here, found stage 3");
	expect_error(CODES "stage 1 \"A\"\n  when stage 2\nend\nstage 2 \"B\"\n  when absence rate > 3%\nend\n",
	             "t.policy:5:8: error: stage 2 is declared later");
	expect_error(CODES "stage 1 \"A\"\n  when stage 1\nend\n",
	             "t.policy:5:8: error: stage 1 is declared by this rule itself");
	expect_error(CODES "flag x \"X\"\n  when absence rate > 1%\nend\nlet y = x\n",
	             "t.policy:7:9: error: flag 'x' is a rule");
	expect_error(CODES "stage 1 \"A\"\n  when stage 4\nend\n", "t.policy:5:8: error: there is no stage 4");
	expect_error(CODES "flag x \"X\"\n  action \"a\"\nend\n", "t.policy:4:6: error: flag 'x' has no 'when' condition");
}

/* "school weeks since stage N" and "school days since FLAG": earlier rules only, in their own units. */
static void
test_since_references(void **state)
{
	(void)state;
	struct result r = compile(CODES "flag x \"X\"\n  when absence rate > 1%\nend\n"
	                          "stage 1 \"A\"\n  when absence rate > 2%\nend\n"
	                          "stage 2 \"B\"\n  when school weeks since stage 1 >= 4 school weeks and "
	                          "school days  since x > 10 days\nend\n");
	if (r.errors)
		fail_msg("%s", r.out);
	free(r.out);
	expect_error(CODES "stage 1 \"A\"\n  when school weeks since stage 2 >= 1 school weeks\nend\n"
	             "stage 2 \"B\"\n  when absence rate > 3%\nend\n",
	             "t.policy:5:8: error: stage 2 is declared later: a condition may refer only to rules declared before it");
	expect_error(CODES "flag x \"X\"\n  when school days since x > 1 days\nend\n",
	             "t.policy:5:8: error: flag 'x' is declared by this rule itself");
	expect_error(CODES "stage 1 \"A\"\n  when school weeks since stage 3 >= 1 school weeks\nend\n",
	             "t.policy:5:8: error: there is no stage 3");
	expect_error(CODES "let y = 1 sessions\nstage 1 \"A\"\n  when school days since y > 1 days\nend\n",
	             "t.policy:6:8: error: 'y' is not a flag: 'school days since' needs a flag or 'stage N'");
	expect_error(CODES "flag x \"X\"\n  when absence rate > 1%\nend\nlet y = school weeks since x\n",
	             "t.policy:7:9: error: flag 'x' is a rule");
	/* weeks are school weeks, days are days */
	expect_error(CODES "flag x \"X\"\n  when absence rate > 1%\nend\n"
	             "stage 1 \"A\"\n  when school weeks since x >= 4 weeks\nend\n",
	             "t.policy:8:8: error: cannot compare school weeks with weeks");
	expect_error(CODES "flag x \"X\"\n  when absence rate > 1%\nend\n"
	             "stage 1 \"A\"\n  when school days since x >= 4 sessions\nend\n",
	             "t.policy:8:8: error: cannot compare days with sessions");
	/* a letter cannot name a rule's history */
	expect_error(CODES "flag x \"X\"\n  when absence rate > 1%\nend\n"
	             "letter l \"L\"\n  \"\"\"\n  {school weeks since x}\n  \"\"\"\nend\n",
	             "t.policy:9:3: error: unknown placeholder '{school weeks since x}'");
}

static void
test_register_and_letters(void **state)
{
	(void)state;
	expect_error(CODES "register\n  arriving after 09:00 in AM is \"U\"\nend\n",
	             "t.policy:5:33: error: arrival rule names unknown code \"U\"");
	expect_error(CODES "register\n  arriving after 09:00 in AM is \"O\"\n  arriving after 08:30 in AM is \"O\"\nend\n",
	             "t.policy:6:3: error: arrival rules for AM must rise in time");
	expect_error(CODES "letter m \"M\"\n  \"\"\"\n  Dear {parents}\n  \"\"\"\nend\n",
	             "t.policy:6:8: error: unknown placeholder '{parents}' in letter 'm'");
	expect_error(CODES "flag x \"X\"\n  when absence rate > 1%\n  letter nope\nend\n",
	             "t.policy:6:10: error: unknown letter 'nope'");
	struct result r = compile(CODES "let goal = 96%\nletter m \"M\"\n  \"\"\"\n  {salutation}, {parent} at {parent address}:"
	                          " {pupil}: {attendance rate} vs {goal}, {sessions coded \"O\" this term}\n{figures}\n"
	                          "{signatory}, {signatory role}, {school address} {school telephone} {school email}"
	                          "\n  \"\"\"\nend\n");
	assert_int_equal(r.errors, 0);
	free(r.out);
}

static void
test_fines(void **state)
{
	(void)state;
	expect_error(CODES "penalty notice\n  consider when penalty sessions >= 10 sessions\n"
	             "  first notice £80 within 21 days from 2024-08-19\n"
	             "  first notice £60 within 21 days from 2013-09-01 until 2024-08-19\nend\n",
	             "t.policy:7:3: error: two fines for the first notice are in force on 2024-08-19");
	struct result r = compile(CODES "penalty notice\n  consider when penalty sessions >= 10 sessions\n"
	                          "  first notice £80 within 21 days from 2024-08-19\n"
	                          "  first notice £60 within 21 days from 2013-09-01 until 2024-08-18\n"
	                          "  second notice £160 within 28 days from 2024-08-19\nend\n");
	assert_int_equal(r.errors, 0);
	free(r.out);
	expect_error(CODES "penalty notice\n  consider when penalty sessions >= 10 sessions\n"
	             "  first notice £80 within 3 weeks\nend\n", "t.policy:6:3: error: a payment period must be in days, not weeks");
}

static void
test_all_errors_reported(void **state)
{
	(void)state;
	struct result r = compile(CODES "code \"I\" authorised\ncode \"X1\" maps to \"Z\"\n"
	                          "flag x \"X\"\n  when absent days > 2 sessions or bogus\nend\n");
	assert_int_equal(r.errors, 4);
	assert_non_null(strstr(r.out, "t.policy:4:"));
	assert_non_null(strstr(r.out, "t.policy:5:"));
	assert_non_null(strstr(r.out, "cannot compare days with sessions"));
	assert_non_null(strstr(r.out, "unknown name 'bogus'"));
	free(r.out);
}

static void
test_builds_on(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_check_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char base[256], school[256], loop[256];
	snprintf(base, sizeof base, "%s/base.policy", dir);
	snprintf(school, sizeof school, "%s/school.policy", dir);
	snprintf(loop, sizeof loop, "%s/loop.policy", dir);
	write_file(base, CODES "flag pa \"PA\"\n  when absence rate >= 10%\nend\n");
	write_file(loop, "builds on \"loop\"\n");

	const char *const dirs[] = { dir };
	/* Found through the include folders; replaces works; a plain duplicate does not. */
	struct result r = compile_in("school.policy", "builds on \"base\"\ncode \"I01\" maps to \"I\"\n"
	                             "replaces flag pa \"PA\"\n  when absence rate >= 12%\nend\n"
	                             "stage 1 \"S\"\n  when pa\nend\n", dirs, 1);
	assert_int_equal(r.errors, 0);
	free(r.out);
	r = compile_in("school.policy", "builds on \"base\"\ncode \"O\" unauthorised\n", dirs, 1);
	assert_int_equal(r.errors, 1);
	assert_non_null(strstr(r.out, "school.policy:2:6: error: duplicate code \"O\": it is already declared in"));
	assert_non_null(strstr(r.out, "base.policy:3:6: note: first declared here"));
	free(r.out);
	r = compile_in("school.policy", "builds on \"base\"\nreplaces code \"Q\" authorised\n", dirs, 1);
	assert_int_equal(r.errors, 1);
	assert_non_null(strstr(r.out, "replaces nothing"));
	free(r.out);
	/* Missing base, and a cycle, are errors at the builds on line. */
	r = compile_in("school.policy", "builds on \"nowhere\"\n", dirs, 1);
	assert_int_equal(r.errors, 1);
	assert_non_null(strstr(r.out, "school.policy:1:11: error: cannot find the policy \"nowhere\""));
	free(r.out);
	write_file(school, "builds on \"loop\"\n");
	FILE *diag = tmpfile();
	struct lang_options opt = { NULL, 0, diag, 0, 0 };
	struct rt_program *p = NULL;
	assert_int_equal(lang_compile_file(school, &opt, &p), 1);
	assert_null(p);
	fclose(diag);
	r = compile_in("x.policy", "builds on \"loop\"\n", dirs, 1);
	assert_int_equal(r.errors, 1);
	assert_non_null(strstr(r.out, "builds on itself"));
	free(r.out);
	/* A missing file is an error, not a crash. */
	diag = tmpfile();
	opt.diag = diag;
	assert_int_equal(lang_compile_file("/nonexistent/x.policy", &opt, &p), 1);
	fclose(diag);
	unlink(base);
	unlink(school);
	unlink(loop);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_policy_has_no_errors),
		cmocka_unit_test(test_unknown_name),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_subcode_mapping),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_stage_order_and_references),
		cmocka_unit_test(test_since_references),
		cmocka_unit_test(test_register_and_letters),
		cmocka_unit_test(test_fines),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_builds_on),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
