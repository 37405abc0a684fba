/* init, import: commands on the register alone. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "runtime/register/store.h"

int
cli_cmd_init(int argc, char **argv)
{
	if (argc != 2)
		return cli_usage_error("init: give the database file to create");
	struct reg_store *s;
	int rc = cli_open_store(argv[1], REG_CREATE, &s);
	reg_close(s);
	return rc;
}

int
cli_cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' }, { NULL, 0, NULL, 0 },
	};
	struct cli_includes inc = { 0 };
	const char *policy = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "I:", longopts, NULL)) != -1) {
		if (opt == 'I')
			cli_include_add(&inc, optarg);
		else if (opt == 'p')
			policy = optarg;
		else
			return cli_usage_error("import: unknown option");
	}
	if (argc - optind < 2)
		return cli_usage_error("import: give the database and at least one CSV file");
	cli_include_finish(&inc);
	struct reg_store *s = NULL;
	struct rt_program *p = NULL;
	int status = policy ? cli_load_policy(policy, &inc, &p) : CLI_OK;
	if (status == CLI_OK)
		status = cli_open_store(argv[optind], 0, &s);
	/* A policy that does not compile, or a register that will not open, imports nothing. */
	if (status != CLI_OK) {
		rt_program_free(p);
		cli_include_free(&inc);
		return status;
	}
	/* With a policy, a mark whose code it does not define is refused at import. */
	if (p) {
		const char **codes = malloc((p->ncodes + 1) * sizeof *codes);
		for (size_t i = 0; codes && i < p->ncodes; i++)
			codes[i] = rt_program_str(p, p->codes[i].name);
		if (!codes || reg_set_known_codes(s, codes, p->ncodes)) {
			fprintf(stderr, "attend: out of memory\n");
			status = CLI_USAGE;
		}
		free(codes);
	}
	for (int i = optind + 1; status != CLI_USAGE && i < argc; i++) {
		struct reg_import_stats st = { 0 };
		int rc = reg_import(s, argv[i], stderr, &st);
		if (rc == 0) {
			fprintf(stderr, "%s: imported %ld %s rows\n", argv[i], st.rows, st.kind ? st.kind : "");
		} else if (rc > 0) {
			fprintf(stderr, "%s: %ld problem%s; nothing imported from this file\n", argv[i], st.errors,
			        st.errors == 1 ? "" : "s");
			if (status < CLI_FINDINGS)
				status = CLI_FINDINGS;
		} else {
			fprintf(stderr, "attend: %s: %s\n", argv[i], reg_error(s));
			status = CLI_USAGE;
		}
	}
	reg_close(s);
	rt_program_free(p);
	cli_include_free(&inc);
	return status;
}
