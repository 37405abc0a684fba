/* run, explain: a policy over a register. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "runtime/engine/runner.h"
#include "runtime/register/store.h"

static int
evaluate(int argc, char **argv, int explain)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },     { "as-of", required_argument, NULL, 'a' },
		{ "pupil", required_argument, NULL, 'p' },  { "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' }, { "record", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_includes inc = { 0 };
	const char *db = NULL, *as_of = NULL, *output = NULL;
	struct eng_run_options ro = { .format = ENG_FORMAT_TEXT, .explain = explain, .out = stdout, .diag = stderr };
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "I:o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'I': cli_include_add(&inc, optarg); break;
		case 'd': db = optarg; break;
		case 'a': as_of = optarg; break;
		case 'p': ro.upn = optarg; break;
		case 'o': output = optarg; break;
		case 'r':
			if (explain)
				return cli_usage_error("explain: --record belongs to attend run");
			ro.record = 1;
			break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				ro.format = ENG_FORMAT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				ro.format = ENG_FORMAT_JSON;
			else if (strcmp(optarg, "csv") == 0)
				ro.format = ENG_FORMAT_CSV;
			else
				return cli_usage_error("unknown format \"%s\" (text, json or csv)", optarg);
			break;
		default: return cli_usage_error("%s: unknown option", argv[0]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("%s: give exactly one policy", argv[0]);
	if (!db)
		return cli_usage_error("%s: say which register with --db DB", argv[0]);
	if (ro.record && ro.upn)
		return cli_usage_error("run: --record records the day for every pupil; leave out --pupil");
	if (explain && !ro.upn)
		return cli_usage_error("explain: say which pupil with --pupil UPN");
	if (cli_parse_date(as_of, &ro.as_of))
		return cli_usage_error("--as-of: \"%s\" is not a date (YYYY-MM-DD)", as_of);
	if (ro.record && cli_not_after_today("run --record", "--as-of", ro.as_of) != CLI_OK)
		return CLI_USAGE;
	cli_include_finish(&inc);

	struct rt_program *p = NULL;
	struct reg_store *s = NULL;
	FILE *out = NULL;
	int rc = cli_load_policy(argv[optind], &inc, &p);
	if (rc == CLI_OK)
		rc = cli_open_store(db, ro.record ? 0 : REG_READONLY, &s);
	if (rc == CLI_OK && output) {
		if (!(out = fopen(output, "w"))) {
			perror(output);
			rc = CLI_USAGE;
		}
		ro.out = out;
	}
	if (rc == CLI_OK) {
		/* A large buffer: a whole local authority's report is written in one go. */
		static char buffer[1 << 20];
		setvbuf(ro.out, buffer, _IOFBF, sizeof buffer);
		int r = eng_run(p, s, &ro);
		rc = r < 0 ? CLI_USAGE : r > 0 ? CLI_FINDINGS : CLI_OK;
		if (fflush(ro.out) != 0) {
			perror(output ? output : "stdout");
			rc = CLI_USAGE;
		}
	}
	if (out)
		fclose(out);
	reg_close(s);
	rt_program_free(p);
	cli_include_free(&inc);
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
