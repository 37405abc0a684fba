/* run, explain: a policy over a register. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "runtime/base/output.h"
#include "runtime/engine/engine.h"
#include "runtime/register/store.h"

struct run_args {
	struct cli_includes inc;
	const char *db, *as_of, *output, *format, *jobs, *school;
	struct eng_run_params params;
	int explain, record;
};

#define RUN_OPTION_DB CLI_VALUE("db", 0, "DB", struct run_args, db, "the register (required)")
#define RUN_OPTION_AS_OF \
	CLI_VALUE("as-of", 0, "DATE", struct run_args, as_of, "evaluate as of DATE (default today)")

static const struct cli_option run_options[] = {
	CLI_INCLUDES(struct run_args, inc),
	RUN_OPTION_DB,
	CLI_SCHOOL(struct run_args, school),
	RUN_OPTION_AS_OF,
	CLI_VALUE("pupil", 0, "UPN", struct run_args, params.upn, "only this pupil"),
	CLI_CHOICE("format", "FMT", "text|json|csv", struct run_args, format,
	           "a table (default), one JSON object per pupil per line, or CSV (docs/output.md)"),
	CLI_VALUE("output", 'o', "FILE", struct run_args, output, "write to FILE instead of standard output"),
	CLI_FLAG("record", 0, struct run_args, record, "also record the day's decisions in the register's history"),
	CLI_VALUE("jobs", 0, "N", struct run_args, jobs,
	          "evaluate with N threads (default $ATTEND_JOBS, else one per processor); the same output for any N"),
	CLI_END,
};

static const struct cli_option explain_options[] = {
	CLI_INCLUDES(struct run_args, inc),
	RUN_OPTION_DB,
	CLI_SCHOOL(struct run_args, school),
	CLI_VALUE("pupil", 0, "UPN", struct run_args, params.upn, "the pupil (required)"),
	RUN_OPTION_AS_OF,
	CLI_CHOICE("format", "FMT", "text|json|html", struct run_args, format,
	           "words (the default), one JSON object: figures, measures, rules with their terms, outcome "
	           "(docs/output.md), or one HTML page with the school year drawn as a strip of sessions"),
	CLI_VALUE("output", 'o', "FILE", struct run_args, output, "write to FILE instead of standard output"),
	CLI_END,
};

static enum eng_format
report_format(const char *name)
{
	if (name && strcmp(name, "json") == 0)
		return ENG_FORMAT_JSON;
	if (name && strcmp(name, "csv") == 0)
		return ENG_FORMAT_CSV;
	return ENG_FORMAT_TEXT;
}

static int
check_args(int argc, char **argv, int first, struct run_args *a)
{
	if (first != argc - 1)
		return cli_usage_error("%s: give exactly one policy", argv[0]);
	if (!a->db)
		return cli_usage_error("%s: say which register with --db DB", argv[0]);
	if (a->record && a->params.upn)
		return cli_usage_error("run: --record records the day for every pupil; leave out --pupil");
	if (a->explain && !a->params.upn)
		return cli_usage_error("explain: say which pupil with --pupil UPN");
	if (cli_parse_date(a->as_of, &a->params.as_of))
		return cli_usage_error("--as-of: \"%s\" is not a date (YYYY-MM-DD)", a->as_of);
	if (a->record && cli_not_after_today("run --record", "--as-of", a->params.as_of) != CLI_OK)
		return CLI_USAGE;
	return CLI_OK;
}

/* The report or the explanation to out, then (--record) the day recorded. */
static int
run(const struct rt_program *p, struct reg_store *s, const struct run_args *a, FILE *out)
{
	struct eng_report report;
	struct eng_explainer explainer;
	struct eng_recorder recorder;
	enum eng_explain_format ef = !a->format                 ? ENG_EXPLAIN_TEXT
	                             : strcmp(a->format, "json") == 0 ? ENG_EXPLAIN_JSON
	                             : strcmp(a->format, "html") == 0 ? ENG_EXPLAIN_HTML
	                                                               : ENG_EXPLAIN_TEXT;
	struct eng_consumer *c = a->explain ? eng_explain_init(&explainer, out, ef)
	                                    : eng_report_init(&report, report_format(a->format), out);
	if (a->record)
		c->next = eng_recorder_init(&recorder, s, a->params.as_of, stderr);
	int r = eng_run(p, s, &a->params, c);
	return r < 0 || r == ENG_NO_PUPIL ? CLI_USAGE : r > 0 ? CLI_FINDINGS : CLI_OK;
}

static int
evaluate(const struct cli_command *cmd, int argc, char **argv, int explain)
{
	struct run_args a = { .params = { .diag = stderr }, .explain = explain };
	int first, rc = cli_parse(cmd, argc, argv, &a, &first);
	if (rc != CLI_OK)
		return rc;
	if ((rc = check_args(argc, argv, first, &a)) != CLI_OK)
		return rc;
	rc = a.jobs ? cli_parse_jobs("--jobs", a.jobs, &a.params.jobs) : cli_default_jobs(&a.params.jobs);
	if (rc != CLI_OK)
		return rc;
	cli_include_finish(&a.inc);

	struct rt_program *p = NULL;
	struct reg_store *s = NULL;
	FILE *out = NULL;
	char name[4096];
	const char *to = a.output ? a.output : base_output_name(STDOUT_FILENO, "standard output", name, sizeof name);
	rc = cli_load_policy(argv[first], &a.inc, &p);
	if (rc == CLI_OK)
		rc = cli_open_school(a.db, a.record ? 0 : REG_READONLY, a.school, &s);
	/* Standard output too goes through a stream of our own, which keeps the reason a write failed. */
	if (rc == CLI_OK && !(out = a.output ? base_output_open(a.output) : base_output_fd(dup(STDOUT_FILENO)))) {
		fprintf(stderr, "attend: cannot write %s: %s\n", to, strerror(errno));
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK) {
		/* A large buffer: a whole local authority's report is written in one go. */
		static char buffer[1 << 20];
		setvbuf(out, buffer, _IOFBF, sizeof buffer);
		rc = run(p, s, &a, out);
	}
	if (out)
		rc = cli_close_output(out, to, rc);
	reg_close(s);
	rt_program_free(p);
	cli_include_free(&a.inc);
	return rc;
}

static int
run_run(int argc, char **argv)
{
	return evaluate(&cli_run_command, argc, argv, 0);
}

const struct cli_command cli_run_command = {
	"run", run_run, "POLICY --db DB",
	"where every pupil stands: figures, flags, stage, actions, letters, penalty notice", run_options,
	"a register code the policy does not define or uses out of its dates; with --record, a rerun that "
	"differs from the recorded history", NULL,
};

static int
run_explain(int argc, char **argv)
{
	return evaluate(&cli_explain_command, argc, argv, 1);
}

const struct cli_command cli_explain_command = {
	"explain", run_explain, "POLICY --db DB --pupil UPN", "one pupil's every measure and every rule, with why",
	explain_options, "a register code the policy does not define or uses out of its dates", NULL,
};
