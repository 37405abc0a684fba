/*
 * attend fmt: the canonical layout, comments kept, idempotent on every policy
 * of the repository, and meaning-preserving: the policy compiles to the same
 * bytecode before and after, once source line numbers are set aside (layout
 * moves lines; nothing else in the program may change).
 */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lang/format.h"
#include "lang/lang.h"
#include "runtime/machine/bytecode.h"
#include "runtime/base/findings.h"

static char *
format_ok(const char *text)
{
	char *out = NULL;
	size_t len = 0;
	struct base_findings problems = { 0 };
	int rc = lang_format("t.policy", text, strlen(text), &out, &len, &problems);
	if (rc != 0) {
		base_findings_write(&problems, BASE_FINDINGS_TEXT, 0, stderr);
		fail_msg("lang_format failed");
	}
	assert_int_equal(strlen(out), len);
	base_findings_free(&problems);
	return out;
}

/* in formats to want, and want is left as it is. */
static void
assert_formats_to(const char *in, const char *want)
{
	char *out = format_ok(in);
	assert_string_equal(out, want);
	char *again = format_ok(out);
	assert_string_equal(again, out);
	free(out);
	free(again);
}

static void
test_canonical_layout(void **state)
{
	(void)state;
	const char *in =
		"\n\n# A heading comment\npolicy   \"X\"    # the name\n\n\n\nversion \"1\"\n"
		"code \"O\"   unauthorised \"Other\"\n"
		"flag pa \"Persistent\"\n\n      when absence rate>=10 %   and(absent sessions >0 sessions)\n"
		"# inside the block\n\tsource \"DfE\"\n\n   end\n"
		"schedule s\n  half term 1 :10 sessions\nend\n\n\n";
	const char *want =
		"# A heading comment\npolicy \"X\"  # the name\n\nversion \"1\"\n"
		"code \"O\" unauthorised \"Other\"\n\n"
		"flag pa \"Persistent\"\n  when absence rate >= 10% and (absent sessions > 0 sessions)\n"
		"  # inside the block\n  source \"DfE\"\nend\n\n"
		"schedule s\n  half term 1: 10 sessions\nend\n";
	assert_formats_to(in, want);
}

/* A condition wrapped inside brackets: its continuation lines two levels deeper. */
static void
test_wrapped_condition_indented(void **state)
{
	(void)state;
	const char *in = "flag f\nwhen (absence rate >= 10% or\nabsent sessions at most 4 sessions)\nend\n";
	const char *want = "flag f\n  when (absence rate >= 10% or\n      absent sessions at most 4 sessions)\nend\n";
	assert_formats_to(in, want);
}

static void
test_text_block_reindented_and_kept(void **state)
{
	(void)state;
	const char *in = "letter m \"Meeting\"\n        \"\"\"\n        Dear {pupil},\n\n            indented line\n"
	                 "        \"\"\"\nend\n";
	const char *want = "letter m \"Meeting\"\n  \"\"\"\n  Dear {pupil},\n\n      indented line\n  \"\"\"\nend\n";
	char *out = format_ok(in);
	assert_string_equal(out, want);
	free(out);
}

static void
test_every_comment_kept(void **state)
{
	(void)state;
	const char *in = "# one\npolicy \"X\" # two\n#three\nflag f\n  # four\n  when absence rate >= 1% # five\nend # six\n"
	                 "# seven";
	char *out = format_ok(in);
	const char *comments[] = { "# one", "# two", "#three", "# four", "# five", "# six", "# seven" };
	for (size_t i = 0; i < sizeof comments / sizeof comments[0]; i++)
		assert_non_null(strstr(out, comments[i]));
	struct lang_comment *a, *b;
	size_t na = lang_comments(in, strlen(in), &a), nb = lang_comments(out, strlen(out), &b);
	assert_int_equal(na, 7);
	assert_int_equal(nb, 7);
	free(a);
	free(b);
	free(out);
}

static void
test_syntax_error_refused(void **state)
{
	(void)state;
	char *out = NULL;
	size_t len = 0;
	struct base_findings problems = { 0 };
	const char *text = "policy \"X\"\nflag f\n  whn absence rate >= 10%\nend\n";
	assert_int_equal(lang_format("t.policy", text, strlen(text), &out, &len, &problems), -1);
	assert_null(out);
	assert_true(problems.n >= 1);
	assert_string_equal(problems.items[0].rule, "syntax");
	assert_int_equal(problems.items[0].line, 3);
	base_findings_free(&problems);
}

/* Sets aside what layout may change: the line of every table row and instruction. */
static void
forget_lines(struct rt_program *p)
{
	for (size_t i = 0; i < p->ncodes; i++)
		p->codes[i].line = 0;
	for (size_t i = 0; i < p->nschedules; i++)
		p->schedules[i].line = 0;
	for (size_t i = 0; i < p->nrules; i++)
		p->rules[i].line = 0;
	for (size_t i = 0; i < p->nletters; i++)
		p->letters[i].line = 0;
	for (size_t i = 0; i < p->nfines; i++)
		p->fines[i].line = 0;
	for (size_t i = 0; i < p->narrivals; i++)
		p->arrivals[i].line = 0;
	for (size_t i = 0; i < p->nfacts; i++)
		p->facts[i].line = 0;
	for (size_t i = 0; i < p->ncode; i++)
		p->lines[i] = 0;
}

static void
bytecode_of(const char *name, const char *text, size_t len, uint8_t **buf, size_t *blen)
{
	const char *const dirs[] = { "policies" };
	struct lang_options opt = { dirs, 1, stderr, 0, 0 };
	struct rt_program *p = NULL;
	if (lang_compile_string(name, text, len, &opt, &p) != 0)
		fail_msg("%s does not compile", name);
	forget_lines(p);
	assert_int_equal(rt_bytecode_encode(p, buf, blen), 0);
	rt_program_free(p);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&buf, &n);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	*len = n;
	return buf;
}

static void
test_every_repository_policy_idempotent_and_same_bytecode(void **state)
{
	(void)state;
	glob_t g;
	assert_int_equal(glob("policies/*.policy", 0, NULL, &g), 0);
	assert_int_equal(glob("examples/*.policy", GLOB_APPEND | GLOB_NOCHECK, NULL, &g), 0);
	assert_int_equal(glob("tests/golden/disasm/*.policy", GLOB_APPEND, NULL, &g), 0);
	size_t checked = 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i];
		if (strchr(path, '*'))
			continue; /* GLOB_NOCHECK: examples/ has no policy */
		size_t len, olen, o2len;
		char *text = slurp(path, &len), *out, *out2;
		struct base_findings problems = { 0 };
		if (lang_format(path, text, len, &out, &olen, &problems) != 0) {
			base_findings_write(&problems, BASE_FINDINGS_TEXT, 0, stderr);
			fail_msg("%s: fmt failed", path);
		}
		assert_int_equal(lang_format(path, out, olen, &out2, &o2len, &problems), 0);
		if (olen != o2len || memcmp(out, out2, olen) != 0)
			fail_msg("%s: formatting twice changes the text", path);
		/* The same name for both, so 'builds on' finds the same base. */
		uint8_t *a, *b;
		size_t alen, blen;
		bytecode_of(path, text, len, &a, &alen);
		bytecode_of(path, out, olen, &b, &blen);
		if (alen != blen || memcmp(a, b, alen) != 0)
			fail_msg("%s: the formatted policy compiles to different bytecode", path);
		free(a);
		free(b);
		free(text);
		free(out);
		free(out2);
		base_findings_free(&problems);
		checked++;
	}
	globfree(&g);
	assert_true(checked >= 4);
}

static void
test_diff_unified(void **state)
{
	(void)state;
	const char *a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
	const char *b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n";
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_int_equal(lang_diff("a/x", a, strlen(a), "b/x", b, strlen(b), f), 2);
	fclose(f);
	assert_string_equal(out, "--- a/x\n+++ b/x\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
	free(out);
	out = NULL;
	f = open_memstream(&out, &len);
	assert_int_equal(lang_diff("a/x", a, strlen(a), "b/x", a, strlen(a), f), 0);
	fclose(f);
	assert_int_equal(len, 0);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_layout),
		cmocka_unit_test(test_wrapped_condition_indented),
		cmocka_unit_test(test_text_block_reindented_and_kept),
		cmocka_unit_test(test_every_comment_kept),
		cmocka_unit_test(test_syntax_error_refused),
		cmocka_unit_test(test_every_repository_policy_idempotent_and_same_bytecode),
		cmocka_unit_test(test_diff_unified),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
