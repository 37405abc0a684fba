/* check, compile, disasm, opcodes: commands on a policy alone. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "runtime/machine/bytecode.h"
#include "runtime/machine/opcodes.h"

/* Parses the options these commands share (-I DIR, and -o FILE where allowed). */
static int
parse_policy_options(int argc, char **argv, struct cli_includes *inc, const char **output)
{
	int opt;
	optind = 1;
	while ((opt = getopt(argc, argv, output ? "I:o:" : "I:")) != -1) {
		if (opt == 'I')
			cli_include_add(inc, optarg);
		else if (opt == 'o' && output)
			*output = optarg;
		else
			return cli_usage_error("%s: unknown option", argv[0]);
	}
	cli_include_finish(inc);
	return CLI_OK;
}

int
cli_cmd_check(int argc, char **argv)
{
	/* --format goes through findings (cmd_lint.c); without it the output is as it always was. */
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "--format", 8) == 0)
			return cli_cmd_check_report(argc, argv);
	struct cli_includes inc = { 0 };
	int status = parse_policy_options(argc, argv, &inc, NULL);
	if (status == CLI_OK && optind >= argc)
		status = cli_usage_error("check: no policy file given");
	for (int i = optind; status != CLI_USAGE && i < argc; i++) {
		struct rt_program *p = NULL;
		int rc = cli_load_policy(argv[i], &inc, &p);
		if (rc > status)
			status = rc;
		rt_program_free(p);
	}
	cli_include_free(&inc);
	return status;
}

int
cli_cmd_compile(int argc, char **argv)
{
	struct cli_includes inc = { 0 };
	const char *output = NULL;
	int rc = parse_policy_options(argc, argv, &inc, &output);
	if (rc == CLI_OK && optind != argc - 1)
		rc = cli_usage_error("compile: give exactly one policy file");
	if (rc == CLI_OK && !output)
		rc = cli_usage_error("compile: say where to write the bytecode with -o FILE");
	struct rt_program *p = NULL;
	if (rc == CLI_OK)
		rc = cli_load_policy(argv[optind], &inc, &p);
	if (rc == CLI_OK) {
		char err[512];
		if (rt_bytecode_save(p, output, err, sizeof err)) {
			fprintf(stderr, "attend: %s\n", err);
			rc = CLI_USAGE;
		}
	}
	rt_program_free(p);
	cli_include_free(&inc);
	return rc;
}

int
cli_cmd_disasm(int argc, char **argv)
{
	struct cli_includes inc = { 0 };
	int rc = parse_policy_options(argc, argv, &inc, NULL);
	if (rc == CLI_OK && optind != argc - 1)
		rc = cli_usage_error("disasm: give exactly one file");
	struct rt_program *p = NULL;
	if (rc == CLI_OK)
		rc = cli_load_policy(argv[optind], &inc, &p);
	if (rc == CLI_OK)
		rt_disasm(p, stdout);
	rt_program_free(p);
	cli_include_free(&inc);
	return rc;
}

int
cli_cmd_opcodes(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--markdown") == 0) {
		rt_opcodes_markdown(stdout);
		return CLI_OK;
	}
	if (argc != 1)
		return cli_usage_error("opcodes: the only option is --markdown");
	rt_opcodes_print(stdout);
	return CLI_OK;
}
