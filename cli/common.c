#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lang/lang.h"
#include "runtime/base/output.h"
#include "runtime/engine/run.h"
#include "runtime/machine/bytecode.h"
#include "runtime/register/store.h"

#ifndef ATTEND_POLICY_DIR
#define ATTEND_POLICY_DIR "/usr/local/share/attend/policies"
#endif

void
cli_include_add(struct cli_includes *inc, const char *dir)
{
	if (inc->n < sizeof inc->dirs / sizeof inc->dirs[0] && *dir)
		inc->dirs[inc->n++] = dir;
}

void
cli_include_finish(struct cli_includes *inc)
{
	const char *env = getenv("ATTEND_POLICY_PATH");
	if (env && (inc->env_copy = strdup(env))) {
		char *save = NULL;
		for (char *d = strtok_r(inc->env_copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
			cli_include_add(inc, d);
	}
	/* Installed as PREFIX/bin/attend, the statutory policies are in
	 * PREFIX/share/attend/policies, whatever PREFIX was. */
	char exe[2048];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			snprintf(inc->installed, sizeof inc->installed, "%s/../share/attend/policies", exe);
			cli_include_add(inc, inc->installed);
		}
	}
	cli_include_add(inc, ATTEND_POLICY_DIR);
}

void
cli_include_free(struct cli_includes *inc)
{
	free(inc->env_copy);
	inc->env_copy = NULL;
}

int
cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("attend: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'attend --help'.\n", stderr);
	return CLI_USAGE;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int
cli_load_policy(const char *path, const struct cli_includes *inc, struct rt_program **out)
{
	char err[512];
	*out = NULL;
	/* A file that cannot be read is an input error (exit 2), not a finding in the policy. */
	if (strcmp(path, "-") != 0 && access(path, R_OK) != 0) {
		fprintf(stderr, "attend: cannot read %s: %s\n", path, strerror(errno));
		return CLI_USAGE;
	}
	if (ends_with(path, ".apc")) {
		if (rt_bytecode_load(path, out, err, sizeof err)) {
			fprintf(stderr, "attend: %s\n", err);
			return CLI_USAGE;
		}
		return CLI_OK;
	}
	struct lang_options opt = { inc->dirs, inc->n, stderr, cli_color(2), 0 };
	int errors = lang_compile_file(path, &opt, out);
	if (errors > 0) {
		fprintf(stderr, "%s: %d error%s\n", path, errors, errors == 1 ? "" : "s");
		return CLI_FINDINGS;
	}
	if (rt_verify(*out, err, sizeof err)) {
		fprintf(stderr, "attend: internal error: %s: compiled code fails verification: %s\n", path, err);
		rt_program_free(*out);
		*out = NULL;
		return CLI_USAGE;
	}
	return CLI_OK;
}

int
cli_parse_date(const char *s, rt_date *out)
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

int
cli_not_after_today(const char *cmd, const char *flag, rt_date date)
{
	rt_date today;
	cli_parse_date(NULL, &today);
	if (date <= today)
		return CLI_OK;
	char d[11], t[11];
	rt_date_format(date, d);
	rt_date_format(today, t);
	return cli_usage_error("%s: %s %s is after today (%s); what is recorded cannot be undone", cmd, flag, d, t);
}

int
cli_open_store(const char *path, int flags, struct reg_store **out)
{
	if (reg_open(path, flags, out)) {
		/* The store's open errors name the register already. */
		fprintf(stderr, "attend: %s\n", reg_error(*out));
		reg_close(*out);
		*out = NULL;
		return CLI_USAGE;
	}
	return CLI_OK;
}

int
cli_open_school(const char *path, int flags, const char *school, struct reg_store **out)
{
	int rc = cli_open_store(path, flags, out);
	if (rc != CLI_OK)
		return rc;
	if (reg_use_school(*out, school) || reg_check_school(*out)) {
		fprintf(stderr, "attend: %s\n", reg_error(*out));
		reg_close(*out);
		*out = NULL;
		return CLI_USAGE;
	}
	return CLI_OK;
}

int
cli_close_output(FILE *f, const char *name, int status)
{
	if (base_output_close(f) == 0)
		return status;
	int saved = errno;
	char buf[4096];
	if (f == stdout)
		name = base_output_name(1, name, buf, sizeof buf);
	fprintf(stderr, "attend: cannot write %s: %s\n", name, saved ? strerror(saved) : "a write failed");
	return CLI_USAGE;
}

int
cli_parse_jobs(const char *what, const char *s, int *jobs)
{
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno || end == s || *end || n < 1 || n > 64)
		return cli_usage_error("%s: \"%s\" is not a number of jobs from 1 to 64", what, s);
	*jobs = (int)n;
	return CLI_OK;
}

int
cli_default_jobs(int *jobs)
{
	const char *env = getenv("ATTEND_JOBS");
	if (env && *env)
		return cli_parse_jobs("ATTEND_JOBS", env, jobs);
	*jobs = eng_default_jobs();
	return CLI_OK;
}
