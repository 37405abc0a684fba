/*
 * The attend command line. Each cmd_*.c file implements a few commands;
 * main.c holds the table. Commands parse flags and call lang/ and runtime/:
 * no behaviour lives here.
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>
#include <stdio.h>

#include "runtime/machine/date.h"
#include "runtime/machine/program.h"
#include "cli/options.h"

struct reg_store;

/* Exit codes (documented in --help, README.md and docs/attend.1). */
enum {
	CLI_OK = 0,       /* done, nothing wrong */
	CLI_FINDINGS = 1, /* the policy or the register data has problems (each reported) */
	CLI_USAGE = 2     /* bad arguments, or a file that cannot be read or used */
};


/* Include directories for `builds on`: -I options, then $ATTEND_POLICY_PATH,
 * then the installed folder. */
struct cli_includes {
	const char *dirs[64];
	size_t n;
	char *env_copy;
	char installed[4096];  /* BIN/../share/attend/policies beside the running binary */
};

void cli_include_add(struct cli_includes *inc, const char *dir);
void cli_include_finish(struct cli_includes *inc); /* appends the environment and the default */
void cli_include_free(struct cli_includes *inc);

/* Prints "attend: MESSAGE" and a hint; returns CLI_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Compiles a .policy (reporting errors on stderr) or loads a .apc; verified either way.
 * Returns CLI_OK, CLI_FINDINGS (compile errors) or CLI_USAGE. */
int cli_load_policy(const char *path, const struct cli_includes *inc, struct rt_program **out);

/* Parses YYYY-MM-DD; NULL means today. 0 on success. */
int cli_parse_date(const char *s, rt_date *out);

/* --jobs N: a whole number from 1 to 64, else a usage error naming `what`. */
int cli_parse_jobs(const char *what, const char *s, int *jobs);
/* The jobs when --jobs is not given: $ATTEND_JOBS, else one per processor (eng_default_jobs). */
int cli_default_jobs(int *jobs);

/* The history is never rewritten, so a date in the future (a typo) recorded
 * now could never be corrected: refuse it. CLI_OK, or CLI_USAGE reported. */
int cli_not_after_today(const char *cmd, const char *flag, rt_date date);

/* Opens a register, reporting failure on stderr. Returns CLI_OK or CLI_USAGE. */
int cli_open_store(const char *path, int flags, struct reg_store **out);

/* cli_open_store, then works on school `school` (--school URN; NULL: the
 * register's only school). A register of several schools without --school,
 * or one without that school, is a usage error naming the schools it holds. */
int cli_open_school(const char *path, int flags, const char *school, struct reg_store **out);

/* The --school option of every command that opens one school of a register. */
#define CLI_SCHOOL(TYPE, FIELD) \
	CLI_VALUE("school", 0, "URN", TYPE, FIELD, "the school, when the register holds several (docs/la.md)")

/* Closes an output (stdout is flushed, and named by what it was redirected
 * to) and checks that everything written arrived: `status`, or CLI_USAGE
 * with "attend: cannot write NAME: reason" on stderr. */
int cli_close_output(FILE *f, const char *name, int status);

/* attend la notices MANIFEST ... (also `attend notice list --la MANIFEST ...`). */
int cli_la_notices(int argc, char **argv);

/* The commands, each with its option table (main.c lists them). */
extern const struct cli_command cli_check_command, cli_lint_command, cli_fmt_command, cli_compile_command,
	cli_disasm_command, cli_opcodes_command, cli_init_command, cli_import_command, cli_run_command,
	cli_explain_command, cli_replay_command, cli_notice_command, cli_letters_command, cli_amend_command,
	cli_history_command, cli_migrate_command, cli_test_command, cli_validate_command, cli_diff_command,
	cli_completion_command, cli_la_command, cli_stats_command, cli_check_register_command;

#endif
