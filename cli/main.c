/* attend: the command table and --help. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define ATTEND_VERSION "0.1.0"

static const struct cli_command commands[] = {
	{ "check", cli_cmd_check, "[-I DIR] POLICY...", "compile and report every error; write nothing" },
	{ "compile", cli_cmd_compile, "[-I DIR] POLICY -o OUT.apc", "compile to verified bytecode" },
	{ "disasm", cli_cmd_disasm, "[-I DIR] FILE", "list a .apc (or a .policy, compiled first)" },
	{ "opcodes", cli_cmd_opcodes, "[--markdown]", "the VM's instruction set" },
	{ "init", cli_cmd_init, "DB", "create an empty register database" },
	{ "import", cli_cmd_import, "DB FILE...",
	  "import CSV (marks, pupils or calendar); one transaction per file, nothing written on error" },
	{ "run", cli_cmd_run, "POLICY --db DB [--as-of DATE] [--pupil UPN] [--format text|json|csv] [-o FILE]",
	  "where every pupil stands: figures, flags, stage, actions, letters, penalty notice" },
	{ "explain", cli_cmd_explain, "POLICY --db DB --pupil UPN [--as-of DATE]",
	  "one pupil's every measure and every rule, with why" },
};

static void
print_help(FILE *out)
{
	fputs("usage: attend COMMAND [ARGS]\n\n", out);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  attend %s %s\n      %s\n", commands[i].name, commands[i].usage, commands[i].summary);
	fputs("\nPOLICY is a .policy file or a compiled .apc file. DATE is YYYY-MM-DD (default: today).\n"
	      "`builds on \"NAME\"` finds NAME.policy beside the policy, then in each -I DIR, then in\n"
	      "$ATTEND_POLICY_PATH (colon-separated), then in the installed policies folder.\n"
	      "\nExit status: 0 success; 1 the policy or the register data has problems (each reported);\n"
	      "2 usage error, a file that cannot be read, or bytecode that fails verification.\n",
	      out);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		print_help(stderr);
		return CLI_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		print_help(stdout);
		return CLI_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		puts("attend " ATTEND_VERSION);
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	return cli_usage_error("unknown command \"%s\"", cmd);
}
