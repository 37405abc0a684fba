/* test, validate, diff: policy tests, the statutory baseline, the impact of a change. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lang/lang.h"
#include "runtime/tools/diff.h"
#include "runtime/base/findings.h"
#include "runtime/tools/policytest.h"
#include "runtime/register/store.h"
#include "runtime/tools/validate.h"

#define FINDINGS_FORMATS "text|json|sarif|github"

struct tools_args {
	struct cli_includes inc;
	const char *format, *against, *on, *db, *as_of, *school;
	const char *junit, *filter, *coverage_min;
	int coverage;
};

static enum base_findings_format
findings_format(const char *name)
{
	enum base_findings_format f = BASE_FINDINGS_TEXT;
	if (name)
		base_findings_format_parse(name, &f); /* the option table allows only known names */
	return f;
}

static void
write_findings(const struct base_findings *f, enum base_findings_format format)
{
	/* Text is for people, on standard error as check and lint write it; a machine format is the output. */
	if (format == BASE_FINDINGS_TEXT)
		base_findings_write(f, format, cli_color(2), stderr);
	else
		base_findings_write(f, format, 0, stdout);
}

/* The file a policy `builds on`, found as the compiler finds it. */
static char *
find_baseline(const char *policy_path, const struct rt_program *prog, const struct cli_includes *inc)
{
	const struct rt_fact *f = rt_program_find_fact(prog, "identity.baseline");
	if (!f || f->text == RT_NO_STRING)
		return NULL;
	char dir[4096];
	const char *slash = strrchr(policy_path, '/');
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - policy_path) : 1, slash ? policy_path : ".");
	struct lang_options lo = { inc->dirs, inc->n, stderr, 0, 0 };
	return lang_find_policy(rt_program_str(prog, f->text), dir, &lo);
}

/* One policy the tests run against, with what they reached. */
struct tested_policy {
	char *path;
	struct rt_program *prog;
	struct tool_ptest_coverage cov;
	int status;                /* CLI_OK, or why it could not be used */
};

static struct tested_policy *
tested_policy(struct tested_policy **list, size_t *n, const char *path, const struct cli_includes *inc, int coverage)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i].path, path) == 0)
			return &(*list)[i];
	struct tested_policy *grown = realloc(*list, (*n + 1) * sizeof **list);
	if (!grown)
		abort();
	*list = grown;
	struct tested_policy *t = &grown[(*n)++];
	memset(t, 0, sizeof *t);
	t->path = strdup(path);
	t->status = cli_load_policy(path, inc, &t->prog);
	if (t->status == CLI_OK && coverage && tool_ptest_coverage_init(&t->cov, t->prog)) {
		fprintf(stderr, "attend: out of memory\n");
		t->status = CLI_USAGE;
	}
	return t;
}

/* `expect measure` may name any measure phrase, used by a rule or not. */
static void
add_expected_measures(const struct tool_ptest_file *tf, struct rt_program *prog)
{
	for (size_t c = 0; c < tf->ncases; c++)
		for (size_t e = 0; e < tf->cases[c].nexpects; e++)
			if (tf->cases[c].expects[e].kind == TOOL_PX_MEASURE)
				lang_measure_add(prog, tf->cases[c].expects[e].name);
}

static const struct cli_option test_options[] = {
	CLI_INCLUDES(struct tools_args, inc),
	CLI_FLAG("coverage", 0, struct tools_args, coverage,
	         "also warn of every rule and comparison the tests do not reach"),
	CLI_VALUE("coverage-min", 0, "N", struct tools_args, coverage_min,
	          "fail (exit 1) when the tests reach under N% of the rules and comparisons (implies --coverage)"),
	CLI_VALUE("filter", 0, "PATTERN", struct tools_args, filter,
	          "run only the tests whose name matches PATTERN (a shell glob: 'Stage*', '*holiday*')"),
	CLI_VALUE("junit", 0, "FILE", struct tools_args, junit, "also write the results to FILE as JUnit XML"),
	CLI_CHOICE("format", "FMT", FINDINGS_FORMATS, struct tools_args, format,
	           "findings as text (default), JSON, SARIF 2.1.0 or GitHub annotations (docs/formats.md)"),
	CLI_END,
};

/* The coverage of each policy tested, reported; their sum for --coverage-min. Frees the list. */
static void
finish_policies(struct tested_policy *policies, size_t n, int coverage, const struct cli_includes *inc,
                struct base_findings *findings, size_t *covered, size_t *total)
{
	for (size_t i = 0; i < n; i++) {
		struct tested_policy *tp = &policies[i];
		if (coverage && tp->status == CLI_OK) {
			char *base_path = find_baseline(tp->path, tp->prog, inc);
			struct rt_program *base = NULL;
			if (base_path) {
				struct lang_options lo = { inc->dirs, inc->n, stderr, 0, 0 };
				if (lang_compile_file(base_path, &lo, &base) > 0)
					base = NULL;
			}
			tool_ptest_coverage_report(&tp->cov, tp->prog, tp->path, base, base_path, findings);
			size_t c, t;
			tool_ptest_coverage_count(&tp->cov, tp->prog, &c, &t);
			*covered += c;
			*total += t;
			rt_program_free(base);
			free(base_path);
			tool_ptest_coverage_free(&tp->cov);
		}
		rt_program_free(tp->prog);
		free(tp->path);
	}
	free(policies);
}

/* --coverage-min N: an error finding, and exit 1, when the tests reach less than N%. */
static int
coverage_floor(const char *min, size_t covered, size_t total, struct base_findings *findings, int status)
{
	if (!min)
		return status;
	long n = strtol(min, NULL, 10);
	if (total == 0 || covered * 100 >= (size_t)n * total)
		return status;
	char msg[256];
	struct rt_value pct = { (int64_t)(covered * 100), (int64_t)total, RT_UNIT_PERCENT };
	char text[48];
	rt_value_format(&pct, text, sizeof text);
	snprintf(msg, sizeof msg, "the tests reach %s of the rules and comparisons (%zu of %zu); --coverage-min asks %ld%%",
	         text, covered, total, n);
	base_findings_add(findings, NULL, 0, 0, 0, BASE_FINDING_ERROR, "coverage-min", msg);
	return status == CLI_OK ? CLI_FINDINGS : status;
}

static int
write_junit(const char *path, const struct tool_ptest_totals *totals, const struct base_findings *findings, int status)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	if (!f) {
		fprintf(stderr, "attend: cannot write %s: %s\n", path, strerror(errno));
		return CLI_USAGE;
	}
	if (tool_ptest_junit(totals, findings, f)) {
		fprintf(stderr, "attend: test: out of memory writing %s\n", path);
		status = CLI_USAGE;
	}
	return cli_close_output(f, path, status);
}

static int
run_test(int argc, char **argv)
{
	struct tools_args a = { 0 };
	int first, rc = cli_parse(&cli_test_command, argc, argv, &a, &first);
	if (rc != CLI_OK)
		return rc;
	if (first >= argc)
		return cli_usage_error("test: give at least one test file");
	struct cli_includes inc = a.inc;
	enum base_findings_format format = findings_format(a.format);
	int coverage = a.coverage || a.coverage_min;
	char *end = NULL;
	if (a.coverage_min && (strtol(a.coverage_min, &end, 10) < 0 || strtol(a.coverage_min, NULL, 10) > 100 ||
	                       end == a.coverage_min || *end))
		return cli_usage_error("test: --coverage-min: \"%s\" is not a percentage from 0 to 100", a.coverage_min);
	cli_include_finish(&inc);

	struct base_findings findings = { .tool_command = "test" };
	struct tested_policy *policies = NULL;
	size_t npolicies = 0;
	struct tool_ptest_totals totals = { .filter = a.filter };
	int status = CLI_OK;
	for (int i = first; i < argc; i++) {
		struct tool_ptest_file tf;
		if (tool_ptest_read(argv[i], &tf, &findings)) {
			status = CLI_USAGE;
			tool_ptest_free(&tf);
			continue;
		}
		struct tested_policy *tp = tested_policy(&policies, &npolicies, tf.policy, &inc, coverage);
		struct rt_calendar cal = { 0 };
		if (tp->status != CLI_OK) {
			if (status == CLI_OK || tp->status == CLI_USAGE)
				status = tp->status;
		} else if (reg_calendar_from_csv(tf.calendar, &cal, stderr) != 0) {
			status = CLI_USAGE;
		} else if (add_expected_measures(&tf, tp->prog), tool_ptest_run(&tf, tp->prog, &cal, coverage ? &tp->cov : NULL, &findings, &totals)) {
			status = CLI_USAGE;
		}
		rt_calendar_free(&cal);
		tool_ptest_free(&tf);
	}
	if (a.filter && !totals.tests && totals.filtered_out)
		status = cli_usage_error("test: --filter: no test's name matches \"%s\"", a.filter);
	size_t covered = 0, total = 0;
	finish_policies(policies, npolicies, coverage, &inc, &findings, &covered, &total);
	status = coverage_floor(a.coverage_min, covered, total, &findings, status);
	write_findings(&findings, format);
	if (format == BASE_FINDINGS_TEXT)
		fprintf(stderr, "%zu test%s: %zu passed, %zu failed%s\n", totals.tests, totals.tests == 1 ? "" : "s",
		        totals.passed, totals.failed, totals.filtered_out ? " (others left out by --filter)" : "");
	if (totals.input_errors)
		status = CLI_USAGE; /* a test file that is wrong is an input error, as its syntax errors are */
	else if (status == CLI_OK && totals.failed)
		status = CLI_FINDINGS;
	if (a.junit)
		status = write_junit(a.junit, &totals, &findings, status);
	tool_ptest_totals_free(&totals);
	base_findings_free(&findings);
	cli_include_free(&inc);
	return status;
}

const struct cli_command cli_test_command = {
	"test", run_test, "TEST...", "run policy tests: a pupil's marks, a date and the outcome expected",
	test_options, "a test failed", NULL,
};

static const struct cli_option validate_options[] = {
	CLI_INCLUDES(struct tools_args, inc),
	CLI_VALUE("against", 0, "BASELINE", struct tools_args, against, "the statutory baseline policy (required)"),
	CLI_VALUE("on", 0, "DATE", struct tools_args, on, "the statutory rules in force on DATE (default today)"),
	CLI_SYNONYM("as-of", "DATE", struct tools_args, on),
	CLI_CHOICE("format", "FMT", FINDINGS_FORMATS, struct tools_args, format,
	           "findings as text (default), JSON, SARIF 2.1.0 or GitHub annotations (docs/formats.md)"),
	CLI_END,
};

static int
run_validate(int argc, char **argv)
{
	struct tools_args a = { 0 };
	int first, rc0 = cli_parse(&cli_validate_command, argc, argv, &a, &first);
	if (rc0 != CLI_OK)
		return rc0;
	struct cli_includes inc = a.inc;
	enum base_findings_format format = findings_format(a.format);
	const char *against = a.against, *on = a.on;
	if (first != argc - 1)
		return cli_usage_error("validate: give exactly one policy");
	if (!against)
		return cli_usage_error("validate: say which statutory baseline with --against BASELINE");
	struct tool_validate_options vo = { .policy_path = argv[first], .baseline_path = against };
	if (cli_parse_date(on, &vo.on))
		return cli_usage_error("--on: \"%s\" is not a date (YYYY-MM-DD)", on);
	cli_include_finish(&inc);

	struct rt_program *policy = NULL, *baseline = NULL;
	int rc = cli_load_policy(argv[first], &inc, &policy);
	if (rc == CLI_OK)
		rc = cli_load_policy(against, &inc, &baseline);
	if (rc == CLI_OK) {
		struct base_findings findings = { .tool_command = "validate" };
		int errors = tool_validate(policy, baseline, &vo, &findings);
		write_findings(&findings, format);
		rc = errors < 0 ? CLI_USAGE : base_findings_count(&findings, BASE_FINDING_ERROR) ||
		                                      base_findings_count(&findings, BASE_FINDING_WARNING)
		                                  ? CLI_FINDINGS
		                                  : CLI_OK;
		base_findings_free(&findings);
	}
	rt_program_free(policy);
	rt_program_free(baseline);
	cli_include_free(&inc);
	return rc;
}

const struct cli_command cli_validate_command = {
	"validate", run_validate, "POLICY --against BASELINE",
	"compare a policy with the statutory rules in force on a date", validate_options,
	"findings (errors or warnings), each reported", NULL,
};

static const struct cli_option diff_options[] = {
	CLI_INCLUDES(struct tools_args, inc),
	CLI_VALUE("db", 0, "DB", struct tools_args, db, "the register (required)"),
	CLI_SCHOOL(struct tools_args, school),
	CLI_VALUE("as-of", 0, "DATE", struct tools_args, as_of, "evaluate both policies as of DATE (default today)"),
	CLI_CHOICE("format", "FMT", "text|json", struct tools_args, format, "a report (default) or one JSON object"),
	CLI_END,
};

static int
run_diff(int argc, char **argv)
{
	struct tools_args a = { 0 };
	int first, rc0 = cli_parse(&cli_diff_command, argc, argv, &a, &first);
	if (rc0 != CLI_OK)
		return rc0;
	struct cli_includes inc = a.inc;
	enum tool_diff_format format = a.format && strcmp(a.format, "json") == 0 ? TOOL_DIFF_JSON : TOOL_DIFF_TEXT;
	const char *db = a.db, *as_of = a.as_of;
	if (first != argc - 2)
		return cli_usage_error("diff: give the old policy and the new policy");
	if (!db)
		return cli_usage_error("diff: say which register with --db DB");
	rt_date date;
	if (cli_parse_date(as_of, &date))
		return cli_usage_error("--as-of: \"%s\" is not a date (YYYY-MM-DD)", as_of);
	cli_include_finish(&inc);

	struct rt_program *old_prog = NULL, *new_prog = NULL;
	struct reg_store *store = NULL;
	int rc = cli_load_policy(argv[first], &inc, &old_prog);
	if (rc == CLI_OK)
		rc = cli_load_policy(argv[first + 1], &inc, &new_prog);
	if (rc == CLI_OK)
		rc = cli_open_school(db, REG_READONLY, a.school, &store);
	if (rc == CLI_OK) {
		struct tool_diff d;
		int r = tool_diff_run(old_prog, new_prog, store, date, &d, stderr);
		if (r == 0) {
			tool_diff_write(&d, argv[first], argv[first + 1], format, stdout);
			/* As diff(1): 1 when the change affects anyone. */
			rc = d.naffected ? CLI_FINDINGS : CLI_OK;
		} else {
			rc = r > 0 ? CLI_FINDINGS : CLI_USAGE;
		}
		tool_diff_free(&d);
	}
	reg_close(store);
	rt_program_free(old_prog);
	rt_program_free(new_prog);
	cli_include_free(&inc);
	return rc;
}

const struct cli_command cli_diff_command = {
	"diff", run_diff, "OLD NEW --db DB",
	"the impact of a policy change on a register: stage moves, notices, pupils, year groups", diff_options,
	"pupils affected (as diff(1))", NULL,
};
