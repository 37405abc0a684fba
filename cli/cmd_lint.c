/* lint, fmt, and check --format: the authoring and CI commands on policy files (docs/lint.md). */
#include <errno.h>
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

/* Whether any finding of this run says a file could not be read. */
static int
has_input_error(const struct base_findings *f, size_t from)
{
	for (size_t i = from; i < f->n; i++)
		if (strcmp(f->items[i].rule, "io") == 0)
			return 1;
	return 0;
}

struct lint_args {
	struct cli_includes inc;
	const char *format, *as_of;
	int strict;
};

#define FINDINGS_FORMATS "text|json|sarif|github"

/* check without --format: its own output, byte for byte, as it always was. */
static int
check_plain(const struct lint_args *a, int argc, char **argv, int first)
{
	int status = CLI_OK;
	for (int i = first; status != CLI_USAGE && i < argc; i++) {
		struct rt_program *p = NULL;
		int rc = cli_load_policy(argv[i], &a->inc, &p);
		if (rc > status)
			status = rc;
		rt_program_free(p);
	}
	return status;
}

/* Compiles (and lints) every policy into findings. CLI_OK, or CLI_USAGE when a file could not be used. */
static int
collect_findings(struct lint_args *a, int lint, rt_date as_of, int argc, char **argv, int first,
                 struct base_findings *findings)
{
	int status = CLI_OK;
	struct lang_options lopt = { a->inc.dirs, a->inc.n, stderr, 0, 0 };
	struct lang_report_options rep = { findings, lint, as_of };
	for (int i = first; i < argc; i++) {
		size_t before = findings->n;
		struct rt_program *p = NULL;
		int errors = lang_compile_file_report(argv[i], &lopt, &rep, &p);
		char err[512];
		if (errors == 0 && rt_verify(p, err, sizeof err)) {
			fprintf(stderr, "attend: internal error: %s: compiled code fails verification: %s\n", argv[i], err);
			status = CLI_USAGE;
		}
		rt_program_free(p);
		if (has_input_error(findings, before))
			status = CLI_USAGE;
	}
	/* A passed review date fails --strict only on a pinned date: unpinned, an
	 * unchanged file would turn CI red the day the date passes. */
	if (a->strict)
		for (size_t i = 0; i < findings->n; i++)
			if (findings->items[i].level == BASE_FINDING_WARNING &&
			    (a->as_of || strcmp(findings->items[i].rule, "review-date-passed") != 0))
				findings->items[i].level = BASE_FINDING_ERROR;
	return status;
}

/* check --format and lint: compile every policy, collect the findings, write them once. */
static int
report_policies(const char *command, struct lint_args *a, int argc, char **argv, int first, int lint)
{
	enum base_findings_format format = BASE_FINDINGS_TEXT;
	rt_date as_of = 0;
	if (a->format)
		base_findings_format_parse(a->format, &format); /* the table allows only known names */
	if (cli_parse_date(a->as_of, &as_of) != 0)
		return cli_usage_error("%s: --as-of takes a date as YYYY-MM-DD, not \"%s\"", command, a->as_of);
	if (!lint && format == BASE_FINDINGS_TEXT)
		return check_plain(a, argc, argv, first);

	struct base_findings findings = { .tool_command = command };
	int status = collect_findings(a, lint, as_of, argc, argv, first, &findings);
	size_t nerrors = base_findings_count(&findings, BASE_FINDING_ERROR);
	size_t nwarnings = base_findings_count(&findings, BASE_FINDING_WARNING);
	if (format == BASE_FINDINGS_TEXT) {
		base_findings_write(&findings, format, cli_color(2), stderr);
		if (nerrors || nwarnings)
			fprintf(stderr, "%zu error%s, %zu warning%s\n", nerrors, nerrors == 1 ? "" : "s", nwarnings,
			        nwarnings == 1 ? "" : "s");
	} else {
		base_findings_write(&findings, format, 0, stdout);
	}
	if (status == CLI_OK && nerrors)
		status = CLI_FINDINGS;
	base_findings_free(&findings);
	return status;
}

static int
run_policies(const struct cli_command *cmd, int argc, char **argv, int lint)
{
	struct lint_args a = { 0 };
	int first, status = cli_parse(cmd, argc, argv, &a, &first);
	if (status == CLI_OK && first >= argc)
		status = cli_usage_error("%s: no policy file given", cmd->name);
	cli_include_finish(&a.inc);
	if (status == CLI_OK)
		status = report_policies(cmd->name, &a, argc, argv, first, lint);
	cli_include_free(&a.inc);
	return status;
}

static const struct cli_option check_options[] = {
	CLI_INCLUDES(struct lint_args, inc),
	CLI_CHOICE("format", "FMT", FINDINGS_FORMATS, struct lint_args, format,
	           "findings as text on standard error (the default without --format: the compiler's own "
	           "output), or as JSON, SARIF 2.1.0 or GitHub annotations on standard output (docs/formats.md)"),
	CLI_END,
};

static int
run_check(int argc, char **argv)
{
	return run_policies(&cli_check_command, argc, argv, 0);
}

const struct cli_command cli_check_command = {
	"check", run_check, "POLICY...", "compile and report every error; write nothing", check_options,
	"compile errors, each reported", NULL,
};

static const struct cli_option lint_options[] = {
	CLI_INCLUDES(struct lint_args, inc),
	CLI_FLAG("strict", 0, struct lint_args, strict,
	         "warnings are errors (exit 1); review-date-passed only with --as-of"),
	CLI_VALUE("as-of", 0, "DATE", struct lint_args, as_of,
	          "the date the review-date and code-date warnings are judged on (default today)"),
	CLI_CHOICE("format", "FMT", FINDINGS_FORMATS, struct lint_args, format,
	           "text on standard error (default), or JSON, SARIF 2.1.0 or GitHub annotations on standard "
	           "output (docs/formats.md)"),
	CLI_END,
};

static int
run_lint(int argc, char **argv)
{
	return run_policies(&cli_lint_command, argc, argv, 1);
}

const struct cli_command cli_lint_command = {
	"lint", run_lint, "POLICY...",
	"everything check reports, and warnings (docs/lint.md); --strict makes them errors", lint_options,
	"compile errors, or warnings under --strict", NULL,
};

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

struct fmt_args {
	int check, write;
	const char *format;
};

static const struct cli_option fmt_options[] = {
	CLI_FLAG("check", 0, struct fmt_args, check, "write nothing; show a diff and exit 1 when a file is not in "
	         "the canonical layout"),
	CLI_FLAG(NULL, 'w', struct fmt_args, write, "rewrite each file in place"),
	CLI_CHOICE("format", "FMT", FINDINGS_FORMATS, struct fmt_args, format,
	           "with --check: a diff (text, the default), or a finding per file at its first line out of "
	           "layout, as JSON, SARIF 2.1.0 or GitHub annotations on standard output (docs/formats.md)"),
	CLI_END,
};

/* --check: a diff on standard output, or (findings) a finding at the first line out of layout. */
static void
fmt_report(const char *path, const char *text, size_t len, const char *out, size_t olen,
           struct base_findings *findings)
{
	if (findings) {
		lang_format_finding(path, text, len, out, olen, findings);
		return;
	}
	size_t alen = strlen(path) + 3;
	char *a = malloc(alen), *b = malloc(alen);
	if (a && b) {
		snprintf(a, alen, "a/%s", path);
		snprintf(b, alen, "b/%s", path);
		lang_diff(a, text, len, b, out, olen, stdout);
	}
	free(a);
	free(b);
}

/* One file: printed, checked or rewritten. CLI_OK, CLI_FINDINGS (--check: not formatted) or CLI_USAGE. */
static int
fmt_file(const char *path, const struct fmt_args *opts, struct base_findings *findings)
{
	size_t len = 0, olen = 0;
	char *text = base_read_file(path, 0, &len), *out = NULL;
	if (!text) {
		fprintf(stderr, "attend: cannot read %s: %s\n", path, strerror(errno));
		return CLI_USAGE;
	}
	struct base_findings problems = { .tool_command = "fmt" };
	int rc = CLI_OK;
	if (lang_format(path, text, len, &out, &olen, &problems) != 0) {
		base_findings_write(&problems, BASE_FINDINGS_TEXT, cli_color(2), stderr);
		fprintf(stderr, "%s: not formatted: fix the errors above first\n", path);
		rc = CLI_USAGE;
	} else if (opts->check) {
		int same = olen == len && memcmp(out, text, len) == 0;
		if (!same)
			fmt_report(path, text, len, out, olen, findings);
		rc = same ? CLI_OK : CLI_FINDINGS;
	} else if (opts->write) {
		if ((olen != len || memcmp(out, text, len) != 0) && write_in_place(path, out, olen) != 0) {
			fprintf(stderr, "attend: cannot write %s: %s\n", path, strerror(errno));
			rc = CLI_USAGE;
		}
	} else {
		fwrite(out, 1, olen, stdout);
	}
	base_findings_free(&problems);
	free(out);
	free(text);
	return rc;
}

static int
run_fmt(int argc, char **argv)
{
	struct fmt_args opts = { 0 };
	int first, rc = cli_parse(&cli_fmt_command, argc, argv, &opts, &first);
	if (rc != CLI_OK)
		return rc;
	enum base_findings_format format = BASE_FINDINGS_TEXT;
	if (opts.format)
		base_findings_format_parse(opts.format, &format); /* the table allows only known names */
	if (opts.check && opts.write)
		return cli_usage_error("fmt: give --check or -w, not both");
	if (format != BASE_FINDINGS_TEXT && !opts.check)
		return cli_usage_error("fmt: --format goes with --check");
	if (first >= argc)
		return cli_usage_error("fmt: no policy file given");
	for (int i = first; opts.write && i < argc; i++)
		if (strcmp(argv[i], "-") == 0)
			return cli_usage_error("fmt: -w cannot rewrite standard input; leave out -w to print it");
	struct base_findings findings = { .tool_command = "fmt" };
	int status = CLI_OK;
	for (int i = first; i < argc; i++) {
		int r = fmt_file(argv[i], &opts, format == BASE_FINDINGS_TEXT ? NULL : &findings);
		if (r == CLI_USAGE || (r == CLI_FINDINGS && status == CLI_OK))
			status = r;
	}
	if (format != BASE_FINDINGS_TEXT)
		base_findings_write(&findings, format, 0, stdout);
	else if (opts.check && status == CLI_FINDINGS)
		fprintf(stderr, "attend fmt: some files are not formatted; 'attend fmt -w FILE...' formats them\n");
	base_findings_free(&findings);
	return cli_close_output(stdout, "standard output", status);
}

const struct cli_command cli_fmt_command = {
	"fmt", run_fmt, "POLICY...",
	"the canonical layout: print it, show a diff and exit 1 if different (--check), or rewrite (-w)", fmt_options,
	"a file --check would change", NULL,
};
