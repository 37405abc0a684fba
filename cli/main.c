/*
 * attend: the command line. It parses flags and calls lang/ and runtime/;
 * all behaviour lives there.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lang/lang.h"
#include "runtime/bytecode.h"
#include "runtime/opcodes.h"
#include "runtime/runner.h"
#include "runtime/store.h"

#ifndef ATTEND_POLICY_DIR
#define ATTEND_POLICY_DIR "/usr/local/share/attend/policies"
#endif
#define ATTEND_VERSION "0.1.0"

/* Exit codes (documented in --help, README.md and docs/cli.md). */
enum {
	EXIT_OK = 0,       /* done, nothing wrong */
	EXIT_FINDINGS = 1, /* the policy or the register data has problems (reported) */
	EXIT_USAGE = 2     /* bad arguments, or a file that cannot be read or used */
};

static const char usage_text[] =
	"usage: attend COMMAND [ARGS]\n"
	"\n"
	"Policies:\n"
	"  attend check POLICY...                 compile and report every error; write nothing\n"
	"  attend compile POLICY -o OUT.apc       compile to verified bytecode\n"
	"  attend disasm FILE                     list a .apc (or a .policy, compiled first)\n"
	"  attend opcodes [--markdown]            the VM's instruction set\n"
	"\n"
	"Register:\n"
	"  attend init DB                         create an empty register database\n"
	"  attend import DB FILE...               import CSV (marks, pupils or calendar; one\n"
	"                                         transaction per file, nothing written on error)\n"
	"\n"
	"Evaluation:\n"
	"  attend run POLICY --db DB [--as-of DATE] [--pupil UPN] [--format text|json|csv] [-o FILE]\n"
	"  attend explain POLICY --db DB --pupil UPN [--as-of DATE]\n"
	"\n"
	"POLICY is a .policy file or a compiled .apc file. DATE is YYYY-MM-DD (default: today).\n"
	"`builds on \"NAME\"` finds NAME.policy beside the policy, then in each -I DIR, then in\n"
	"$ATTEND_POLICY_PATH (colon-separated), then in " ATTEND_POLICY_DIR ".\n"
	"\n"
	"Exit status: 0 success; 1 the policy or the register data has problems (each reported);\n"
	"2 usage error, or a file that cannot be read, or bytecode that fails verification.\n";

static int
usage_error(const char *fmt, const char *arg)
{
	fputs("attend: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'attend --help'.\n", stderr);
	return EXIT_USAGE;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Include directories for `builds on`: -I options, then ATTEND_POLICY_PATH, then the installed folder. */
struct include_path {
	const char *dirs[64];
	size_t n;
	char *env_copy;
};

static void
include_add(struct include_path *ip, const char *dir)
{
	if (ip->n < sizeof ip->dirs / sizeof ip->dirs[0] && *dir)
		ip->dirs[ip->n++] = dir;
}

static void
include_finish(struct include_path *ip)
{
	const char *env = getenv("ATTEND_POLICY_PATH");
	if (env && (ip->env_copy = strdup(env))) {
		char *save = NULL;
		for (char *d = strtok_r(ip->env_copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
			include_add(ip, d);
	}
	include_add(ip, ATTEND_POLICY_DIR);
}

/* Compiles a .policy (reporting errors) or loads a .apc; either way verified. */
static int
load_policy(const char *path, const struct include_path *ip, struct rt_program **out)
{
	char err[512];
	if (ends_with(path, ".apc")) {
		if (rt_bytecode_load(path, out, err, sizeof err)) {
			fprintf(stderr, "attend: %s\n", err);
			return EXIT_USAGE;
		}
		return EXIT_OK;
	}
	struct lang_options opt = { ip->dirs, ip->n, stderr, isatty(2), 0 };
	int errors = lang_compile_file(path, &opt, out);
	if (errors > 0) {
		fprintf(stderr, "%s: %d error%s\n", path, errors, errors == 1 ? "" : "s");
		return EXIT_FINDINGS;
	}
	if (rt_verify(*out, err, sizeof err)) {
		fprintf(stderr, "attend: internal error: %s: compiled code fails verification: %s\n", path, err);
		rt_program_free(*out);
		*out = NULL;
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int
parse_as_of(const char *s, rt_date *out)
{
	if (!s) {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		*out = rt_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		return 0;
	}
	return rt_date_parse(s, strlen(s), out);
}

static int
cmd_check(int argc, char **argv)
{
	struct include_path ip = { 0 };
	int opt, status = EXIT_OK;
	optind = 1;
	while ((opt = getopt(argc, argv, "I:")) != -1) {
		if (opt == 'I')
			include_add(&ip, optarg);
		else
			return usage_error("check: unknown option%s", "");
	}
	if (optind >= argc)
		return usage_error("check: no policy file given%s", "");
	include_finish(&ip);
	for (int i = optind; i < argc; i++) {
		struct rt_program *p = NULL;
		int rc = load_policy(argv[i], &ip, &p);
		if (rc > status)
			status = rc;
		rt_program_free(p);
	}
	free(ip.env_copy);
	return status;
}

static int
cmd_compile(int argc, char **argv)
{
	struct include_path ip = { 0 };
	const char *output = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt(argc, argv, "I:o:")) != -1) {
		if (opt == 'I')
			include_add(&ip, optarg);
		else if (opt == 'o')
			output = optarg;
		else
			return usage_error("compile: unknown option%s", "");
	}
	if (optind != argc - 1)
		return usage_error("compile: give exactly one policy file%s", "");
	if (!output)
		return usage_error("compile: say where to write the bytecode with -o FILE%s", "");
	include_finish(&ip);
	struct rt_program *p = NULL;
	int rc = load_policy(argv[optind], &ip, &p);
	if (rc == EXIT_OK) {
		char err[512];
		if (rt_bytecode_save(p, output, err, sizeof err)) {
			fprintf(stderr, "attend: %s\n", err);
			rc = EXIT_USAGE;
		}
	}
	rt_program_free(p);
	free(ip.env_copy);
	return rc;
}

static int
cmd_disasm(int argc, char **argv)
{
	struct include_path ip = { 0 };
	int opt;
	optind = 1;
	while ((opt = getopt(argc, argv, "I:")) != -1) {
		if (opt == 'I')
			include_add(&ip, optarg);
		else
			return usage_error("disasm: unknown option%s", "");
	}
	if (optind != argc - 1)
		return usage_error("disasm: give exactly one file%s", "");
	include_finish(&ip);
	struct rt_program *p = NULL;
	int rc = load_policy(argv[optind], &ip, &p);
	if (rc == EXIT_OK)
		rt_disasm(p, stdout);
	rt_program_free(p);
	free(ip.env_copy);
	return rc;
}

static int
cmd_opcodes(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--markdown") == 0) {
		rt_opcodes_markdown(stdout);
		return EXIT_OK;
	}
	if (argc != 1)
		return usage_error("opcodes: the only option is --markdown%s", "");
	rt_opcodes_print(stdout);
	return EXIT_OK;
}

static int
open_store(const char *path, int flags, struct rt_store **out)
{
	if (rt_store_open(path, flags, out)) {
		fprintf(stderr, "attend: %s: %s\n", path, rt_store_error(*out));
		rt_store_close(*out);
		*out = NULL;
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int
cmd_init(int argc, char **argv)
{
	if (argc != 2)
		return usage_error("init: give the database file to create%s", "");
	struct rt_store *s;
	int rc = open_store(argv[1], RT_STORE_CREATE, &s);
	rt_store_close(s);
	return rc;
}

static int
cmd_import(int argc, char **argv)
{
	if (argc < 3)
		return usage_error("import: give the database and at least one CSV file%s", "");
	struct rt_store *s;
	int status = open_store(argv[1], 0, &s);
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
			if (status < EXIT_FINDINGS)
				status = EXIT_FINDINGS;
		} else {
			fprintf(stderr, "attend: %s: %s\n", argv[i], rt_store_error(s));
			status = EXIT_USAGE;
		}
	}
	rt_store_close(s);
	return status;
}

/* run and explain share their options. */
static int
cmd_evaluate(int argc, char **argv, int explain)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },    { "as-of", required_argument, NULL, 'a' },
		{ "pupil", required_argument, NULL, 'p' }, { "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' }, { NULL, 0, NULL, 0 },
	};
	struct include_path ip = { 0 };
	const char *db = NULL, *as_of = NULL, *output = NULL;
	struct rt_run_options ro = { .format = RT_FORMAT_TEXT, .explain = explain, .out = stdout, .diag = stderr };
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "I:o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'I': include_add(&ip, optarg); break;
		case 'd': db = optarg; break;
		case 'a': as_of = optarg; break;
		case 'p': ro.upn = optarg; break;
		case 'o': output = optarg; break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				ro.format = RT_FORMAT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				ro.format = RT_FORMAT_JSON;
			else if (strcmp(optarg, "csv") == 0)
				ro.format = RT_FORMAT_CSV;
			else
				return usage_error("unknown format \"%s\" (text, json or csv)", optarg);
			break;
		default: return usage_error("%s: unknown option", explain ? "explain" : "run");
		}
	}
	if (optind != argc - 1)
		return usage_error("%s: give exactly one policy", explain ? "explain" : "run");
	if (!db)
		return usage_error("%s: say which register with --db DB", explain ? "explain" : "run");
	if (explain && !ro.upn)
		return usage_error("explain: say which pupil with --pupil UPN%s", "");
	if (parse_as_of(as_of, &ro.as_of))
		return usage_error("--as-of: \"%s\" is not a date (YYYY-MM-DD)", as_of);
	include_finish(&ip);

	struct rt_program *p = NULL;
	struct rt_store *s = NULL;
	int rc = load_policy(argv[optind], &ip, &p);
	if (rc == EXIT_OK)
		rc = open_store(db, RT_STORE_READONLY, &s);
	FILE *out = NULL;
	if (rc == EXIT_OK && output) {
		out = fopen(output, "w");
		if (!out) {
			perror(output);
			rc = EXIT_USAGE;
		}
		ro.out = out;
	}
	if (rc == EXIT_OK) {
		/* A large buffer: the report of a whole local authority is written in one go. */
		static char buffer[1 << 20];
		setvbuf(ro.out, buffer, _IOFBF, sizeof buffer);
		int r = rt_run(p, s, &ro);
		rc = r < 0 ? EXIT_USAGE : r > 0 ? EXIT_FINDINGS : EXIT_OK;
		if (fflush(ro.out) != 0) {
			perror(output ? output : "stdout");
			rc = EXIT_USAGE;
		}
	}
	if (out)
		fclose(out);
	rt_store_close(s);
	rt_program_free(p);
	free(ip.env_copy);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("no command given%s", "");
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		puts("attend " ATTEND_VERSION);
		return EXIT_OK;
	}
	argc--;
	argv++;
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc, argv);
	if (strcmp(cmd, "compile") == 0)
		return cmd_compile(argc, argv);
	if (strcmp(cmd, "disasm") == 0)
		return cmd_disasm(argc, argv);
	if (strcmp(cmd, "opcodes") == 0)
		return cmd_opcodes(argc, argv);
	if (strcmp(cmd, "init") == 0)
		return cmd_init(argc, argv);
	if (strcmp(cmd, "import") == 0)
		return cmd_import(argc, argv);
	if (strcmp(cmd, "run") == 0)
		return cmd_evaluate(argc, argv, 0);
	if (strcmp(cmd, "explain") == 0)
		return cmd_evaluate(argc, argv, 1);
	return usage_error("unknown command \"%s\"", cmd);
}
