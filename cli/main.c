/* attend: the command table and --help. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "runtime/base/version.h"


const struct cli_command *const cli_commands[] = {
	&cli_check_command,  &cli_lint_command,    &cli_fmt_command,     &cli_compile_command, &cli_disasm_command,
	&cli_opcodes_command, &cli_init_command,   &cli_import_command,  &cli_run_command,     &cli_explain_command,
	&cli_replay_command, &cli_notice_command,  &cli_letters_command, &cli_amend_command,   &cli_history_command,
	&cli_migrate_command, &cli_check_register_command, &cli_test_command,   &cli_validate_command, &cli_diff_command,   &cli_la_command,
	&cli_stats_command,
	&cli_completion_command,
	NULL,
};

static void
print_help(FILE *out)
{
	fputs("usage: attend COMMAND [OPTION]... [ARG]...\n\n", out);
	for (const struct cli_command *const *c = cli_commands; *c; c++)
		fprintf(out, "  attend %s %s\n      %s\n", (*c)->name, (*c)->operands, (*c)->summary);
	fputs("\n'attend COMMAND --help' lists a command's options and exit statuses.\n"
	      "POLICY is a .policy file or a compiled .apc file; - reads one from standard input.\n"
	      "DATE is YYYY-MM-DD (default: today).\n"
	      "`builds on \"NAME\"` finds NAME.policy beside the policy, then in each -I DIR, then in\n"
	      "$ATTEND_POLICY_PATH (colon-separated), then in the installed policies folder.\n"
	      "\nExit status:\n"
	      "  0  success: nothing found\n"
	      "  1  findings, each reported: compile errors; lint warnings under --strict; a file fmt --check\n"
	      "     would change; failing policy tests; validation findings; a rejected import; a register\n"
	      "     code the policy does not define or uses out of its dates; a rerun that differs from the\n"
	      "     recorded history; a notice the policy does not call for; diff: pupils affected\n"
	      "  2  a usage error, a file that cannot be read, a test file or bytecode that is not valid,\n"
	      "     or output that could not be written (a full disk: the message names the file)\n",
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
		return cli_close_output(stdout, "standard output", CLI_OK);
	}
	if (strcmp(cmd, "--version") == 0) {
		puts("attend " BASE_VERSION);
		return CLI_OK;
	}
	/* For tests/update-docs.sh: the man page's generated section. */
	if (strcmp(cmd, "--man-options") == 0) {
		cli_write_man_options(stdout);
		return cli_close_output(stdout, "standard output", CLI_OK);
	}
	for (const struct cli_command *const *c = cli_commands; *c; c++)
		if (strcmp(cmd, (*c)->name) == 0) {
			int rc = cli_dispatch(*c, argc - 1, argv + 1);
			return cli_close_output(stdout, "standard output", rc == CLI_HELP ? CLI_OK : rc);
		}
	return cli_usage_error("unknown command \"%s\"", cmd);
}
