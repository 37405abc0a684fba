/* compile, disasm, opcodes: commands on a policy alone. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "runtime/machine/bytecode.h"
#include "runtime/machine/opcodes.h"

struct policy_args {
	struct cli_includes inc;
	const char *output;
	int markdown;
};

static const struct cli_option compile_options[] = {
	CLI_INCLUDES(struct policy_args, inc),
	CLI_VALUE(NULL, 'o', "OUT.apc", struct policy_args, output, "where to write the bytecode (required)"),
	CLI_END,
};

static int
run_compile(int argc, char **argv)
{
	struct policy_args a = { 0 };
	int first, rc = cli_parse(&cli_compile_command, argc, argv, &a, &first);
	if (rc == CLI_OK && first != argc - 1)
		rc = cli_usage_error("compile: give exactly one policy file");
	if (rc == CLI_OK && !a.output)
		rc = cli_usage_error("compile: say where to write the bytecode with -o FILE");
	cli_include_finish(&a.inc);
	struct rt_program *p = NULL;
	if (rc == CLI_OK)
		rc = cli_load_policy(argv[first], &a.inc, &p);
	if (rc == CLI_OK) {
		char err[512];
		if (rt_bytecode_save(p, a.output, err, sizeof err)) {
			fprintf(stderr, "attend: %s\n", err);
			rc = CLI_USAGE;
		}
	}
	rt_program_free(p);
	cli_include_free(&a.inc);
	return rc;
}

const struct cli_command cli_compile_command = {
	"compile", run_compile, "POLICY -o OUT.apc", "compile to verified bytecode", compile_options,
	"compile errors, each reported", NULL,
};

static const struct cli_option disasm_options[] = {
	CLI_INCLUDES(struct policy_args, inc),
	CLI_END,
};

static int
run_disasm(int argc, char **argv)
{
	struct policy_args a = { 0 };
	int first, rc = cli_parse(&cli_disasm_command, argc, argv, &a, &first);
	if (rc == CLI_OK && first != argc - 1)
		rc = cli_usage_error("disasm: give exactly one file");
	cli_include_finish(&a.inc);
	struct rt_program *p = NULL;
	if (rc == CLI_OK)
		rc = cli_load_policy(argv[first], &a.inc, &p);
	if (rc == CLI_OK)
		rt_disasm(p, stdout);
	rt_program_free(p);
	cli_include_free(&a.inc);
	return rc;
}

const struct cli_command cli_disasm_command = {
	"disasm", run_disasm, "FILE", "list a .apc (or a .policy, compiled first)", disasm_options,
	"compile errors in a .policy, each reported", NULL,
};

static const struct cli_option opcodes_options[] = {
	CLI_FLAG("markdown", 0, struct policy_args, markdown, "as the Markdown table in docs/bytecode.md"),
	CLI_END,
};

static int
run_opcodes(int argc, char **argv)
{
	struct policy_args a = { 0 };
	int first, rc = cli_parse(&cli_opcodes_command, argc, argv, &a, &first);
	if (rc == CLI_OK && first != argc)
		rc = cli_usage_error("opcodes: takes no arguments besides --markdown");
	if (rc != CLI_OK)
		return rc;
	if (a.markdown)
		rt_opcodes_markdown(stdout);
	else
		rt_opcodes_print(stdout);
	return CLI_OK;
}

const struct cli_command cli_opcodes_command = {
	"opcodes", run_opcodes, "", "the VM's instruction set", opcodes_options, NULL, NULL,
};
