/* init, import: commands on the register alone. */
#include <stdio.h>

#include "cli.h"
#include "runtime/store.h"

int
cli_cmd_init(int argc, char **argv)
{
	if (argc != 2)
		return cli_usage_error("init: give the database file to create");
	struct rt_store *s;
	int rc = cli_open_store(argv[1], RT_STORE_CREATE, &s);
	rt_store_close(s);
	return rc;
}

int
cli_cmd_import(int argc, char **argv)
{
	if (argc < 3)
		return cli_usage_error("import: give the database and at least one CSV file");
	struct rt_store *s;
	int status = cli_open_store(argv[1], 0, &s);
	if (status)
		return status;
	for (int i = 2; i < argc; i++) {
		struct rt_import_stats st = { 0 };
		int rc = rt_store_import(s, argv[i], stderr, &st);
		if (rc == 0) {
			fprintf(stderr, "%s: imported %ld %s rows\n", argv[i], st.rows, st.kind ? st.kind : "");
		} else if (rc > 0) {
			fprintf(stderr, "%s: %ld problem%s; nothing imported from this file\n", argv[i], st.errors,
			        st.errors == 1 ? "" : "s");
			if (status < CLI_FINDINGS)
				status = CLI_FINDINGS;
		} else {
			fprintf(stderr, "attend: %s: %s\n", argv[i], rt_store_error(s));
			status = CLI_USAGE;
		}
	}
	rt_store_close(s);
	return status;
}
