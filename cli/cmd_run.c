/* run, explain: a policy over a register. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "runtime/engine/engine.h"
#include "runtime/register/store.h"

struct run_args {
	struct cli_includes inc;
	const char *db, *as_of, *output;
	struct eng_run_params params;
	enum eng_format format;
	int explain, record;
};

static int
parse_format(const char *name, enum eng_format *format)
{
	static const char *const names[] = { [ENG_FORMAT_TEXT] = "text", [ENG_FORMAT_JSON] = "json",
		                             [ENG_FORMAT_CSV] = "csv" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0) {
			*format = (enum eng_format)i;
			return CLI_OK;
		}
	return cli_usage_error("unknown format \"%s\" (text, json or csv)", name);
}

static int
parse_args(int argc, char **argv, struct run_args *a)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },     { "as-of", required_argument, NULL, 'a' },
		{ "pupil", required_argument, NULL, 'p' },  { "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' }, { "record", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc = CLI_OK;
	optind = 1;
	while (rc == CLI_OK && (opt = getopt_long(argc, argv, "I:o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'I': cli_include_add(&a->inc, optarg); break;
		case 'd': a->db = optarg; break;
		case 'a': a->as_of = optarg; break;
		case 'p': a->params.upn = optarg; break;
		case 'o': a->output = optarg; break;
		case 'r':
			if (a->explain)
				return cli_usage_error("explain: --record belongs to attend run");
			a->record = 1;
			break;
		case 'f': rc = parse_format(optarg, &a->format); break;
		default: return cli_usage_error("%s: unknown option", argv[0]);
		}
	}
	return rc;
}

static int
check_args(int argc, char **argv, struct run_args *a)
{
	if (optind != argc - 1)
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
	struct eng_consumer *c = a->explain ? eng_explain_init(&explainer, out) : eng_report_init(&report, a->format, out);
	if (a->record)
		c->next = eng_recorder_init(&recorder, s, a->params.as_of, stderr);
	int r = eng_run(p, s, &a->params, c);
	return r < 0 ? CLI_USAGE : r > 0 ? CLI_FINDINGS : CLI_OK;
}

static int
evaluate(int argc, char **argv, int explain)
{
	struct run_args a = { .params = { .diag = stderr }, .format = ENG_FORMAT_TEXT, .explain = explain };
	int rc = parse_args(argc, argv, &a);
	if (rc != CLI_OK)
		return rc;
	if ((rc = check_args(argc, argv, &a)) != CLI_OK)
		return rc;
	cli_include_finish(&a.inc);

	struct rt_program *p = NULL;
	struct reg_store *s = NULL;
	FILE *out = stdout;
	rc = cli_load_policy(argv[optind], &a.inc, &p);
	if (rc == CLI_OK)
		rc = cli_open_store(a.db, a.record ? 0 : REG_READONLY, &s);
	if (rc == CLI_OK && a.output && !(out = fopen(a.output, "w"))) {
		fprintf(stderr, "attend: cannot write %s: %s\n", a.output, strerror(errno));
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK) {
		/* A large buffer: a whole local authority's report is written in one go. */
		static char buffer[1 << 20];
		setvbuf(out, buffer, _IOFBF, sizeof buffer);
		rc = run(p, s, &a, out);
	}
	if (out && out != stdout)
		rc = cli_close_output(out, a.output, rc);
	reg_close(s);
	rt_program_free(p);
	cli_include_free(&a.inc);
	return rc;
}

int
cli_cmd_run(int argc, char **argv)
{
	return evaluate(argc, argv, 0);
}

int
cli_cmd_explain(int argc, char **argv)
{
	return evaluate(argc, argv, 1);
}
