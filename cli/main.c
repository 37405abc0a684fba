/* attend: the command table and --help. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define ATTEND_VERSION "0.1.0"

static const struct cli_command commands[] = {
	{ "check", cli_cmd_check, "[-I DIR] [--format text|json|sarif|github] POLICY...",
	  "compile and report every error; write nothing" },
	{ "lint", cli_cmd_lint, "[-I DIR] [--strict] [--as-of DATE] [--format text|json|sarif|github] POLICY...",
	  "everything check reports, and warnings (docs/lint.md); --strict makes them errors" },
	{ "fmt", cli_cmd_fmt, "[--check | -w] POLICY...",
	  "the canonical layout: print it, show a diff and exit 1 if different (--check), or rewrite (-w)" },
	{ "compile", cli_cmd_compile, "[-I DIR] POLICY -o OUT.apc", "compile to verified bytecode" },
	{ "disasm", cli_cmd_disasm, "[-I DIR] FILE", "list a .apc (or a .policy, compiled first)" },
	{ "opcodes", cli_cmd_opcodes, "[--markdown]", "the VM's instruction set" },
	{ "init", cli_cmd_init, "DB", "create an empty register database" },
	{ "import", cli_cmd_import, "[--policy POLICY] DB FILE...",
	  "import CSV (marks, pupils, calendar, parents, school); one transaction per file, nothing written on error;"
	  " with --policy, marks with a code the policy does not define are refused" },
	{ "run", cli_cmd_run, "POLICY --db DB [--as-of DATE] [--pupil UPN] [--format text|json|csv] [-o FILE] [--record]",
	  "where every pupil stands: figures, flags, stage, actions, letters, penalty notice" },
	{ "explain", cli_cmd_explain, "POLICY --db DB --pupil UPN [--as-of DATE]",
	  "one pupil's every measure and every rule, with why" },
	{ "replay", cli_cmd_replay, "POLICY --db DB --from DATE --to DATE",
	  "evaluate every school day in order, recording the decisions as it goes" },
	{ "notice", cli_cmd_notice,
	  "issue POLICY --db DB --upn UPN --parent ID --date DATE [--force] | pay|withdraw|prosecute DB --id N --date DATE"
	  " | list DB [--upn UPN]",
	  "penalty notices per parent and pupil" },
	{ "letters", cli_cmd_letters, "POLICY --db DB [--as-of DATE] [--pupil UPN] --out DIR",
	  "write each letter due, as text and as a printable HTML page" },
	{ "amend", cli_cmd_amend,
	  "DB --upn UPN --date DATE --session AM|PM --code CODE --reason TEXT --by NAME [--on DATE] [--new-code]",
	  "change a mark, keeping the original, the reason, the date and who made it" },
	{ "history", cli_cmd_history, "DB --upn UPN [--from DATE] [--to DATE] [--decisions]",
	  "a pupil's marks with their amendments (--decisions: the decisions recorded for them)" },
	{ "migrate", cli_cmd_migrate, "DB", "upgrade a register to this version's schema" },
	{ "test", cli_cmd_test, "[-I DIR] [--coverage] [--format text|json|sarif|github] TEST...",
	  "run policy tests: a pupil's marks, a date and the outcome expected" },
	{ "validate", cli_cmd_validate,
	  "[-I DIR] POLICY --against BASELINE [--on DATE] [--format text|json|sarif|github]",
	  "compare a policy with the statutory rules in force on a date" },
	{ "diff", cli_cmd_diff, "[-I DIR] OLD NEW --db DB [--as-of DATE] [--format text|json]",
	  "the impact of a policy change on a register: stage moves, notices, pupils, year groups" },
	{ "stats", cli_cmd_stats, "POLICY --db DB [--from DATE] [--to DATE] [--format text|csv|json]",
	  "the DfE absence figures (docs/la.md): overall, authorised, unauthorised, persistent and severe absence,"
	  " for the school and each year group" },
	{ "la", cli_cmd_la,
	  "validate MANIFEST --against BASELINE [--on DATE] [--format text|json|sarif|csv]"
	  " | run MANIFEST [--as-of DATE] [--format text|json|csv]"
	  " | replay MANIFEST --from DATE --to DATE [--jobs N]"
	  " | stats MANIFEST [--from DATE] [--to DATE] [--format text|csv|json]"
	  " | notice MANIFEST --school URN --upn UPN --parent ID --date DATE [--force]"
	  " | notices MANIFEST [--as-of DATE] [--format text|csv]  [--school URN] [-o FILE]",
	  "a local authority's schools (docs/la.md): every policy validated or run, the DfE figures, penalty"
	  " notices counted across a child's schools, the notice register" },
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
		puts("attend " ATTEND_VERSION);
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return cli_close_output(stdout, "standard output", commands[i].run(argc - 1, argv + 1));
	return cli_usage_error("unknown command \"%s\"", cmd);
}
