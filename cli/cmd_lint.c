/* lint, fmt, and check --format: the authoring and CI commands on policy files (docs/lint.md). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "runtime/base/text.h"
#include "lang/format.h"
#include "lang/lang.h"
#include "runtime/machine/bytecode.h"
#include "runtime/base/findings.h"

enum { OPT_FORMAT = 256, OPT_STRICT, OPT_AS_OF, OPT_CHECK };

/* Whether any finding of this run says a file could not be read. */
static int
has_input_error(const struct base_findings *f, size_t from)
{
	for (size_t i = from; i < f->n; i++)
		if (strcmp(f->items[i].rule, "io") == 0)
			return 1;
	return 0;
}

/* check and lint with findings: compile every policy, collect, write once. */
static int
report_policies(const char *command, int argc, char **argv, int lint)
{
	static const struct option long_opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "as-of", required_argument, NULL, OPT_AS_OF },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_includes inc = { 0 };
	enum base_findings_format format = BASE_FINDINGS_TEXT;
	const char *as_of_text = NULL;
	int strict = 0, opt, status = CLI_OK;
	optind = 1;
	while (status == CLI_OK && (opt = getopt_long(argc, argv, "I:", long_opts, NULL)) != -1) {
		if (opt == 'I')
			cli_include_add(&inc, optarg);
		else if (opt == OPT_FORMAT && base_findings_format_parse(optarg, &format) != 0)
			status = cli_usage_error("%s: --format is text, json, sarif or github, not \"%s\"", command, optarg);
		else if (opt == OPT_STRICT && lint)
			strict = 1;
		else if (opt == OPT_AS_OF && lint)
			as_of_text = optarg;
		else if (opt != OPT_FORMAT)
			status = cli_usage_error("%s: unknown option", command);
	}
	cli_include_finish(&inc);
	rt_date as_of = 0;
	if (status == CLI_OK && cli_parse_date(as_of_text, &as_of) != 0)
		status = cli_usage_error("%s: --as-of takes a date as YYYY-MM-DD, not \"%s\"", command, as_of_text);
	if (status == CLI_OK && optind >= argc)
		status = cli_usage_error("%s: no policy file given", command);
	if (status != CLI_OK) {
		cli_include_free(&inc);
		return status;
	}

	/* Plain check keeps its own output, byte for byte. */
	if (!lint && format == BASE_FINDINGS_TEXT) {
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

	struct base_findings findings = { .tool_command = command };
	struct lang_options lopt = { inc.dirs, inc.n, stderr, 0, 0 };
	struct lang_report_options rep = { &findings, lint, as_of };
	for (int i = optind; i < argc; i++) {
		size_t before = findings.n;
		struct rt_program *p = NULL;
		int errors = lang_compile_file_report(argv[i], &lopt, &rep, &p);
		char err[512];
		if (errors == 0 && rt_verify(p, err, sizeof err)) {
			fprintf(stderr, "attend: internal error: %s: compiled code fails verification: %s\n", argv[i], err);
			status = CLI_USAGE;
		}
		rt_program_free(p);
		if (has_input_error(&findings, before))
			status = CLI_USAGE;
	}
	if (strict)
		for (size_t i = 0; i < findings.n; i++)
			if (findings.items[i].level == BASE_FINDING_WARNING)
				findings.items[i].level = BASE_FINDING_ERROR;
	size_t nerrors = base_findings_count(&findings, BASE_FINDING_ERROR);
	size_t nwarnings = base_findings_count(&findings, BASE_FINDING_WARNING);
	if (format == BASE_FINDINGS_TEXT) {
		base_findings_write(&findings, format, isatty(2), stderr);
		if (nerrors || nwarnings)
			fprintf(stderr, "%zu error%s, %zu warning%s\n", nerrors, nerrors == 1 ? "" : "s", nwarnings,
			        nwarnings == 1 ? "" : "s");
	} else {
		base_findings_write(&findings, format, 0, stdout);
	}
	if (status == CLI_OK && nerrors)
		status = CLI_FINDINGS;
	base_findings_free(&findings);
	cli_include_free(&inc);
	return status;
}

int
cli_cmd_check_report(int argc, char **argv)
{
	return report_policies("check", argc, argv, 0);
}

int
cli_cmd_lint(int argc, char **argv)
{
	return report_policies("lint", argc, argv, 1);
}

/* Replaces path's contents atomically: a temporary file beside it, then rename.
 * A symbolic link is followed, so the link stays a link to the formatted file. */
static int
write_in_place(const char *given, const char *text, size_t len)
{
	char *path = realpath(given, NULL);
	if (!path)
		return -1;
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	if (!tmp) {
		free(path);
		return -1;
	}
	snprintf(tmp, plen + 16, "%s.fmt-XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		free(tmp);
		free(path);
		return -1;
	}
	struct stat st;
	if (stat(path, &st) == 0)
		fchmod(fd, st.st_mode & 07777);
	FILE *f = fdopen(fd, "wb");
	int ok = f && fwrite(text, 1, len, f) == len;
	ok = f && fflush(f) == 0 && fsync(fd) == 0 && ok;
	if (f)
		ok = fclose(f) == 0 && ok;
	else
		close(fd);
	if (!ok || rename(tmp, path) != 0) {
		int saved = errno;
		unlink(tmp);
		free(tmp);
		free(path);
		errno = saved;
		return -1;
	}
	free(tmp);
	free(path);
	return 0;
}

int
cli_cmd_fmt(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "check", no_argument, NULL, OPT_CHECK },
		{ NULL, 0, NULL, 0 },
	};
	int check = 0, write = 0, opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "w", long_opts, NULL)) != -1) {
		if (opt == OPT_CHECK)
			check = 1;
		else if (opt == 'w')
			write = 1;
		else
			return cli_usage_error("fmt: the options are --check and -w");
	}
	if (check && write)
		return cli_usage_error("fmt: give --check or -w, not both");
	if (optind >= argc)
		return cli_usage_error("fmt: no policy file given");
	int status = CLI_OK;
	for (int i = optind; i < argc; i++) {
		const char *path = argv[i];
		size_t len = 0, olen = 0;
		char *text = base_read_file(path, 0, &len), *out = NULL;
		if (!text) {
			fprintf(stderr, "attend: cannot read %s: %s\n", path, strerror(errno));
			status = CLI_USAGE;
			continue;
		}
		struct base_findings problems = { .tool_command = "fmt" };
		if (lang_format(path, text, len, &out, &olen, &problems) != 0) {
			base_findings_write(&problems, BASE_FINDINGS_TEXT, isatty(2), stderr);
			fprintf(stderr, "%s: not formatted: fix the errors above first\n", path);
			base_findings_free(&problems);
			free(text);
			status = CLI_USAGE;
			continue;
		}
		base_findings_free(&problems);
		int same = olen == len && memcmp(out, text, len) == 0;
		if (check) {
			if (!same) {
				size_t alen = strlen(path) + 3;
				char *a = malloc(alen), *b = malloc(alen);
				if (a && b) {
					snprintf(a, alen, "a/%s", path);
					snprintf(b, alen, "b/%s", path);
					lang_diff(a, text, len, b, out, olen, stdout);
				}
				free(a);
				free(b);
				if (status == CLI_OK)
					status = CLI_FINDINGS;
			}
		} else if (write) {
			if (!same && write_in_place(path, out, olen) != 0) {
				fprintf(stderr, "attend: cannot write %s: %s\n", path, strerror(errno));
				status = CLI_USAGE;
			}
		} else {
			fwrite(out, 1, olen, stdout);
		}
		free(out);
		free(text);
	}
	if (check && status == CLI_FINDINGS)
		fprintf(stderr, "attend fmt: some files are not formatted; 'attend fmt -w FILE...' formats them\n");
	return status;
}
