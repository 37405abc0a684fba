/* Findings in each format: text with caret, JSON, SARIF 2.1.0 structure, GitHub annotations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/base/findings.h"
#include "runtime/base/version.h"

static char *
render(const struct base_findings *f, enum base_findings_format format)
{
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	base_findings_write(f, format, 0, m);
	fclose(m);
	return out;
}

static size_t
occurrences(const char *text, const char *what)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

static void
sample(struct base_findings *f, const char *file)
{
	f->tool_command = "lint";
	base_findings_add(f, file, 2, 3, 6, BASE_FINDING_WARNING, "unused-value", "let 'x' is never used");
	base_findings_add(f, NULL, 0, 0, 0, BASE_FINDING_ERROR, "io", "50% \"bad\"\nnews, a:b");
}

static void
test_text_with_caret(void **state)
{
	(void)state;
	char path[] = "/tmp/attend-findings-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "policy \"P\"\n\tlet x = 1 day\n", 26), 26);
	close(fd);
	struct base_findings f = { 0 };
	sample(&f, path);
	char *out = render(&f, BASE_FINDINGS_TEXT);
	char want[512];
	snprintf(want, sizeof want,
	         "%s:2:3: warning: let 'x' is never used [unused-value]\n\tlet x = 1 day\n\t ^~~~\n"
	         "attend: error: 50%% \"bad\"\nnews, a:b [io]\n", path);
	assert_string_equal(out, want);
	free(out);
	base_findings_free(&f);
	unlink(path);
}

static void
test_json(void **state)
{
	(void)state;
	struct base_findings f = { 0 };
	sample(&f, "p.policy");
	char *out = render(&f, BASE_FINDINGS_JSON);
	assert_string_equal(out,
		"{\n  \"tool\": \"attend\",\n  \"format\": 1,\n  \"command\": \"lint\",\n  \"findings\": [\n"
		"    {\"file\": \"p.policy\", \"line\": 2, \"column\": 3, \"end_column\": 6, \"level\": \"warning\", "
		"\"rule\": \"unused-value\", \"message\": \"let 'x' is never used\"},\n"
		"    {\"file\": null, \"line\": 0, \"column\": 0, \"end_column\": 0, \"level\": \"error\", "
		"\"rule\": \"io\", \"message\": \"50% \\\"bad\\\"\\nnews, a:b\"}\n  ],\n"
		"  \"counts\": {\"error\": 1, \"warning\": 1, \"note\": 0}\n}\n");
	free(out);
	base_findings_free(&f);
}

static void
test_sarif_structure(void **state)
{
	(void)state;
	struct base_findings f = { 0 };
	sample(&f, "dir/my file.policy");
	base_findings_add(&f, "dir/my file.policy", 9, 1, 1, BASE_FINDING_WARNING, "unused-value", "again");
	char *out = render(&f, BASE_FINDINGS_SARIF);
	assert_non_null(strstr(out, "\"version\": \"2.1.0\""));
	assert_non_null(strstr(out, "\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\""));
	assert_non_null(strstr(out, "\"name\": \"attend\""));
	/* Each rule once in rules[], with a description. */
	assert_int_equal(occurrences(out, "{\"id\": \"unused-value\""), 1);
	assert_non_null(strstr(out, "{\"id\": \"io\", \"name\": \"Io\", \"shortDescription\": {\"text\": "));
	/* the rule metadata GitHub and Microsoft's validator ask for, with a link into the docs */
	assert_non_null(strstr(out, "\"version\": \"" BASE_VERSION "\""));
	assert_non_null(strstr(out, "\"informationUri\": \"" BASE_DOCS_URL "README.md\""));
	assert_non_null(strstr(out, "{\"id\": \"unused-value\", \"name\": \"UnusedValue\""));
	assert_non_null(strstr(out, "\"helpUri\": \"" BASE_DOCS_URL "docs/lint.md#the-warnings\""));
	assert_non_null(strstr(out, "\"fullDescription\": {\"text\": \"A let or schedule that nothing uses. A warning of attend lint"));
	/* endColumn is one past the last column; the path is a URI reference. */
	assert_non_null(strstr(out, "\"artifactLocation\": {\"uri\": \"dir/my%20file.policy\"}, "
	                            "\"region\": {\"startLine\": 2, \"startColumn\": 3, \"endColumn\": 7}"));
	assert_non_null(strstr(out, "\"ruleId\": \"io\", \"ruleIndex\": 1, \"level\": \"error\""));
	assert_non_null(strstr(out, "\"ruleId\": \"unused-value\", \"ruleIndex\": 0, \"level\": \"warning\", "
	                            "\"message\": {\"text\": \"again\"}"));
	assert_non_null(strstr(out, "\"locations\": []"));
	free(out);
	base_findings_free(&f);
}

static void
test_github_escapes(void **state)
{
	(void)state;
	struct base_findings f = { 0 };
	sample(&f, "a,b:c.policy");
	base_findings_add(&f, "p.policy", 1, 0, 0, BASE_FINDING_NOTE, "duplicate", "first declared here");
	char *out = render(&f, BASE_FINDINGS_GITHUB);
	assert_string_equal(out,
		"::warning file=a%2Cb%3Ac.policy,line=2,col=3,endColumn=6,title=unused-value::let 'x' is never used\n"
		"::error title=io::50%25 \"bad\"%0Anews, a:b\n"
		"::notice file=p.policy,line=1,title=duplicate::first declared here\n");
	free(out);
	base_findings_free(&f);
}

static void
test_format_names_and_counts(void **state)
{
	(void)state;
	enum base_findings_format fmt;
	assert_int_equal(base_findings_format_parse("sarif", &fmt), 0);
	assert_int_equal(fmt, BASE_FINDINGS_SARIF);
	assert_int_equal(base_findings_format_parse("github", &fmt), 0);
	assert_int_equal(fmt, BASE_FINDINGS_GITHUB);
	assert_int_equal(base_findings_format_parse("xml", &fmt), -1);
	struct base_findings f = { 0 };
	sample(&f, "p");
	assert_int_equal(base_findings_count(&f, BASE_FINDING_ERROR), 1);
	assert_int_equal(base_findings_count(&f, BASE_FINDING_NOTE), 0);
	base_findings_free(&f);
	assert_int_equal(f.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_with_caret),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_sarif_structure),
		cmocka_unit_test(test_github_escapes),
		cmocka_unit_test(test_format_names_and_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
