/* attend la: a local authority's schools in one command (docs/la.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "runtime/base/output.h"
#include "runtime/engine/stats.h"
#include "runtime/register/store.h"
#include "runtime/tools/la.h"

struct la_args {
	const char *sub, *manifest, *against, *on, *as_of, *from, *to, *format, *output, *school, *db, *upn, *parent, *jobs;
	int force;
	struct cli_includes inc;
	rt_date date, from_date, to_date;
};

#define LA_INCLUDES CLI_INCLUDES(struct la_args, inc)
#define LA_OUTPUT CLI_VALUE("output", 'o', "FILE", struct la_args, output, "write to FILE instead of standard output")
#define LA_SCHOOL CLI_VALUE("school", 0, "URN", struct la_args, school, "only this school")
#define LA_FROM CLI_VALUE("from", 0, "DATE", struct la_args, from, \
	"the first day of the period (default: the start of the school year of its end)")
#define LA_TO CLI_VALUE("to", 0, "DATE", struct la_args, to, "the last day of the period (default today)")
#define STATS_FORMAT CLI_CHOICE("format", "FMT", "text|csv|json", struct la_args, format, \
	"a table (default), CSV or JSON")

static const struct cli_option validate_options[] = {
	LA_INCLUDES,
	CLI_VALUE("against", 0, "BASELINE", struct la_args, against, "the statutory baseline policy (required)"),
	CLI_VALUE("on", 0, "DATE", struct la_args, on, "the statutory rules in force on DATE (default today)"),
	CLI_SYNONYM("as-of", "DATE", struct la_args, as_of),
	CLI_CHOICE("format", "FMT", "text|json|sarif|csv", struct la_args, format,
	           "a summary per school (default), one JSON object per finding, SARIF with a run per school, or CSV"),
	LA_OUTPUT,
	LA_SCHOOL,
	CLI_END,
};

static const struct cli_option run_options[] = {
	LA_INCLUDES,
	CLI_VALUE("as-of", 0, "DATE", struct la_args, as_of, "evaluate as of DATE (default today)"),
	CLI_SYNONYM("on", "DATE", struct la_args, on),
	CLI_CHOICE("format", "FMT", "text|json|csv", struct la_args, format,
	           "a heading and table per school (default), JSON lines or CSV; every record names its URN"),
	CLI_VALUE("jobs", 'j', "N", struct la_args, jobs, "schools evaluated at once, 1 to 16 (default: one per core)"),
	LA_OUTPUT,
	LA_SCHOOL,
	CLI_END,
};

static const struct cli_option la_stats_options[] = {
	LA_INCLUDES, LA_FROM, LA_TO, STATS_FORMAT, LA_OUTPUT, LA_SCHOOL, CLI_END,
};

static const struct cli_option stats_options[] = {
	LA_INCLUDES,
	CLI_VALUE("db", 0, "DB", struct la_args, db, "the register (required)"),
	CLI_SCHOOL(struct la_args, school),
	LA_FROM,
	LA_TO,
	STATS_FORMAT,
	CLI_END,
};

static const struct cli_option notice_options[] = {
	LA_INCLUDES,
	CLI_VALUE("school", 0, "URN", struct la_args, school, "the school issuing it (required)"),
	CLI_VALUE("upn", 0, "UPN", struct la_args, upn, "the pupil (required)"),
	CLI_VALUE("parent", 0, "ID", struct la_args, parent, "the parent (required)"),
	CLI_VALUE("date", 0, "DATE", struct la_args, on, "the date of issue, not after today (required)"),
	CLI_FLAG("force", 0, struct la_args, force, "issue it even when the policy does not call for it"),
	LA_OUTPUT,
	CLI_END,
};

static const struct cli_option replay_options[] = {
	LA_INCLUDES,
	CLI_VALUE("from", 0, "DATE", struct la_args, from, "the first day (required)"),
	CLI_VALUE("to", 0, "DATE", struct la_args, to, "the last day, not after today (required)"),
	CLI_VALUE("jobs", 'j', "N", struct la_args, jobs, "schools replayed at once, 1 to 16 (default: one per core)"),
	LA_OUTPUT,
	LA_SCHOOL,
	CLI_END,
};

static const struct cli_option report_options[] = {
	LA_INCLUDES,
	CLI_VALUE("as-of", 0, "DATE", struct la_args, as_of, "the last day of the period (default today)"),
	CLI_VALUE("from", 0, "DATE", struct la_args, from, "the first day (default: 1 August of the school year)"),
	CLI_VALUE("output", 'o', "FILE", struct la_args, output, "write the page to FILE.html (default: standard output)"),
	LA_SCHOOL,
	CLI_END,
};

static const struct cli_option notices_options[] = {
	LA_INCLUDES,
	CLI_VALUE("as-of", 0, "DATE", struct la_args, as_of, "overdue as of DATE (default today)"),
	CLI_CHOICE("format", "FMT", "text|csv", struct la_args, format, "a table per school (default) or CSV"),
	LA_OUTPUT,
	LA_SCHOOL,
	CLI_END,
};

static int
parse_args(const struct cli_command *cmd, int argc, char **argv, struct la_args *a)
{
	int first, rc = cli_parse(cmd, argc, argv, a, &first);
	if (rc != CLI_OK)
		return rc;
	if (first != argc - 1)
		return cli_usage_error("%s: give exactly one %s", cmd->name, a->db ? "policy" : "manifest");
	a->manifest = argv[first];
	const char *date = a->on ? a->on : a->to ? a->to : a->as_of;
	if (cli_parse_date(date, &a->date))
		return cli_usage_error("la %s: \"%s\" is not a date (YYYY-MM-DD)", a->sub, date);
	/* A period (stats, replay): --from, or the start of the school year of the end date. */
	a->to_date = a->date;
	a->from_date = rt_date_from_ymd(rt_date_school_year(a->date), 8, 1);
	if (a->from && cli_parse_date(a->from, &a->from_date))
		return cli_usage_error("la %s: --from: \"%s\" is not a date (YYYY-MM-DD)", a->sub, a->from);
	if (a->from_date > a->to_date)
		return cli_usage_error("la %s: --from %s is after the end of the period", a->sub, a->from);
	cli_include_finish(&a->inc);
	return CLI_OK;
}

/* Index of `name` in `names` (n of them), or -1 reported as a usage error. */
static int
pick_format(const struct la_args *a, const char *const *names, int n)
{
	if (!a->format)
		return 0;
	for (int i = 0; i < n; i++)
		if (strcmp(a->format, names[i]) == 0)
			return i;
	cli_usage_error("la %s: unknown format \"%s\"", a->sub, a->format);
	return -1;
}

static int
load_policy(void *ctx, const char *path, struct rt_program **out)
{
	return cli_load_policy(path, ctx, out) == CLI_OK ? 0 : 1;
}

/* The manifest, narrowed to --school; CLI_OK, or a usage error reported. */
static int
open_manifest(struct la_args *a, struct tool_la *la)
{
	if (tool_la_open(a->manifest, load_policy, &a->inc, stderr, la))
		return CLI_USAGE;
	if (a->school && tool_la_only(la, a->school))
		return CLI_USAGE;
	return CLI_OK;
}

static int
la_validate(struct la_args *a, struct tool_la *la, FILE *out)
{
	static const char *const formats[] = { "text", "json", "sarif", "csv" };
	int format = pick_format(a, formats, 4);
	if (format < 0)
		return CLI_USAGE;
	if (!a->against)
		return cli_usage_error("la validate: say which statutory baseline with --against BASELINE");
	struct rt_program *baseline = NULL;
	int rc = cli_load_policy(a->against, &a->inc, &baseline);
	if (rc != CLI_OK)
		return rc;
	rc = tool_la_validate(la, baseline, a->against, a->date, (enum tool_la_findings_format)format, out);
	rt_program_free(baseline);
	return rc < 0 ? CLI_USAGE : rc ? CLI_FINDINGS : CLI_OK;
}

/* --jobs N (1 to 16), else one thread per core; -1 when N is out of range (reported). */
static int
la_threads(const struct la_args *a, const char *cmd)
{
	int jobs = a->jobs ? atoi(a->jobs) : 0;
	if (a->jobs && (jobs < 1 || jobs > 16)) {
		cli_usage_error("%s: --jobs is 1 to 16", cmd);
		return -1;
	}
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	return jobs ? jobs : cores > 1 ? (int)(cores < 16 ? cores : 16) : 1;
}

static int
la_run(struct la_args *a, struct tool_la *la, FILE *out)
{
	static const char *const formats[] = { "text", "json", "csv" };
	int format = pick_format(a, formats, 3);
	if (format < 0)
		return CLI_USAGE;
	int threads = la_threads(a, "la run");
	if (threads < 0)
		return CLI_USAGE;
	int rc = tool_la_run(la, a->date, format, threads, out);
	return rc < 0 ? CLI_USAGE : rc ? CLI_FINDINGS : CLI_OK;
}

static int
la_stats(struct la_args *a, struct tool_la *la, FILE *out)
{
	static const char *const formats[] = { "text", "csv", "json" };
	int format = pick_format(a, formats, 3);
	if (format < 0)
		return CLI_USAGE;
	int rc = tool_la_stats(la, a->from_date, a->to_date, format, out);
	return rc < 0 ? CLI_USAGE : rc ? CLI_FINDINGS : CLI_OK;
}

/* One notice at one school, the child's notices at the other schools counted. */
static int
la_notice(struct la_args *a, struct tool_la *la, FILE *out)
{
	if (!a->school || !a->upn || !a->parent || !a->on)
		return cli_usage_error("la notice: give --school URN --upn UPN --parent ID --date DATE");
	if (cli_not_after_today("la notice", "--date", a->date) != CLI_OK)
		return CLI_USAGE;
	int rc = tool_la_notice_issue(la, a->school, a->upn, a->parent, a->date, a->force, out);
	return rc < 0 ? CLI_USAGE : rc ? CLI_FINDINGS : CLI_OK;
}

static int
la_notices(struct la_args *a, struct tool_la *la, FILE *out)
{
	static const char *const formats[] = { "text", "csv" };
	int format = pick_format(a, formats, 2);
	if (format < 0)
		return CLI_USAGE;
	int rc = tool_la_notices(la, a->date, format, out);
	return rc < 0 ? CLI_USAGE : rc ? CLI_FINDINGS : CLI_OK;
}

/* Both cores by default: each school's replay is independent of the others'. */
static int
la_replay(struct la_args *a, struct tool_la *la, FILE *out)
{
	if (!a->from || !a->to)
		return cli_usage_error("la replay: give the days to replay with --from DATE --to DATE");
	int threads = la_threads(a, "la replay");
	if (threads < 0 || cli_not_after_today("la replay", "--to", a->to_date) != CLI_OK)
		return CLI_USAGE;
	int rc = tool_la_replay(la, a->from_date, a->to_date, threads, out);
	return rc < 0 ? CLI_USAGE : rc ? CLI_FINDINGS : CLI_OK;
}

static int
la_report(struct la_args *a, struct tool_la *la, FILE *out)
{
	int rc = tool_la_report(la, a->from_date, a->to_date, out);
	return rc < 0 ? CLI_USAGE : rc ? CLI_FINDINGS : CLI_OK;
}

static const struct cli_command la_validate_command, la_run_command, la_stats_command, la_replay_command,
	la_report_command, la_notice_command, la_notices_command;

static int
la_command(const struct cli_command *cmd, int argc, char **argv,
           int (*run)(struct la_args *a, struct tool_la *la, FILE *out))
{
	struct la_args a = { .sub = argv[0] };
	int rc = parse_args(cmd, argc, argv, &a);
	struct tool_la la = { 0 };
	FILE *out = stdout;
	if (rc == CLI_OK)
		rc = open_manifest(&a, &la);
	if (rc == CLI_OK && a.output && !(out = base_output_open(a.output))) {
		fprintf(stderr, "attend: cannot write %s: %s\n", a.output, strerror(errno));
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK)
		rc = cli_close_output(out, a.output ? a.output : "standard output", run(&a, &la, out));
	tool_la_close(&la);
	cli_include_free(&a.inc);
	return rc;
}

static int
run_la_validate(int argc, char **argv)
{
	return la_command(&la_validate_command, argc, argv, la_validate);
}

static int
run_la_run(int argc, char **argv)
{
	return la_command(&la_run_command, argc, argv, la_run);
}

static int
run_la_stats(int argc, char **argv)
{
	return la_command(&la_stats_command, argc, argv, la_stats);
}

static int
run_la_replay(int argc, char **argv)
{
	return la_command(&la_replay_command, argc, argv, la_replay);
}

static int
run_la_report(int argc, char **argv)
{
	return la_command(&la_report_command, argc, argv, la_report);
}

static int
run_la_notice(int argc, char **argv)
{
	return la_command(&la_notice_command, argc, argv, la_notice);
}

static int
run_la_notices(int argc, char **argv)
{
	return la_command(&la_notices_command, argc, argv, la_notices);
}

int
cli_la_notices(int argc, char **argv)
{
	return run_la_notices(argc, argv);
}

static const struct cli_command la_validate_command = {
	"la validate", run_la_validate, "MANIFEST --against BASELINE",
	"every school's policy against the statute in force on a date, in one report", validate_options,
	"findings, or a school that could not be checked (reported as MANIFEST:LINE)", NULL,
};

static const struct cli_command la_run_command = {
	"la run", run_la_run, "MANIFEST", "every school's policy over its register, in one report", run_options,
	"a school that could not be run (reported as MANIFEST:LINE), or register data the policy cannot use", NULL,
};

static const struct cli_command la_stats_command = {
	"la stats", run_la_stats, "MANIFEST",
	"the DfE absence figures per school, per year group and for the authority", la_stats_options,
	"a school that could not be counted (reported as MANIFEST:LINE)", NULL,
};

static const struct cli_command la_replay_command = {
	"la replay", run_la_replay, "MANIFEST --from DATE --to DATE",
	"every school replayed and recorded under its own policy, several schools at once", replay_options,
	"a rerun that differs from a school's recorded history, or a school that could not be replayed", NULL,
};

static const struct cli_command la_report_command = {
	"la report", run_la_report, "MANIFEST -o FILE.html",
	"one self-contained HTML page: the authority's and each school's figures, notices, stages and weekly chart",
	report_options, "a school that could not be reported on (reported as MANIFEST:LINE)", NULL,
};

static const struct cli_command la_notice_command = {
	"la notice", run_la_notice, "MANIFEST --school URN --upn UPN --parent ID --date DATE",
	"issue a penalty notice at one school, counting the child's notices at the authority's other schools",
	notice_options, "the policy does not call for a notice to that parent on that date", NULL,
};

static const struct cli_command la_notices_command = {
	"la notices", run_la_notices, "MANIFEST", "the authority's notice register by school, with overdue notices",
	notices_options, "a school that could not be read (reported as MANIFEST:LINE)", NULL,
};

static const struct cli_command *const la_subcommands[] = {
	&la_validate_command, &la_run_command, &la_replay_command, &la_report_command, &la_stats_command,
	&la_notice_command, &la_notices_command, NULL,
};

const struct cli_command cli_la_command = {
	"la", NULL, "validate|run|replay|report|stats|notice|notices MANIFEST ...",
	"a local authority's schools (docs/la.md): every policy validated, run or replayed, an HTML report, the"
	" DfE figures, penalty notices counted across a child's schools, the notice register", NULL, NULL,
	la_subcommands,
};

/* attend stats POLICY --db DB: one register's figures, the same table as la stats. */
static int
run_stats(int argc, char **argv)
{
	struct la_args a = { .sub = "stats" };
	int rc = parse_args(&cli_stats_command, argc, argv, &a);
	const char *db = a.db;
	static const char *const formats[] = { "text", "csv", "json" };
	int format = rc == CLI_OK ? pick_format(&a, formats, 3) : 0;
	if (rc == CLI_OK && format < 0)
		rc = CLI_USAGE;
	if (rc == CLI_OK && !db)
		rc = cli_usage_error("stats: say which register with --db DB");
	struct rt_program *p = NULL;
	struct reg_store *s = NULL;
	if (rc == CLI_OK)
		rc = cli_load_policy(a.manifest, &a.inc, &p);
	if (rc == CLI_OK)
		rc = cli_open_school(db, REG_READONLY, a.school, &s);
	if (rc == CLI_OK) {
		struct eng_stats st;
		struct reg_school school;
		int found = reg_school_get(s, &school);
		int got = found < 0 ? -1 : eng_stats_collect(p, s, a.from_date, a.to_date, &st, stderr);
		if (got == 0) {
			struct eng_stats_row rows[ENG_STATS_YEARS + 2];
			size_t n = eng_stats_rows(&st, found ? school.urn : "-", found ? school.name : db, rows);
			eng_stats_write(rows, n, a.from_date, a.to_date, (enum eng_stats_format)format, stdout);
		}
		rc = cli_close_output(stdout, "standard output", got < 0 ? CLI_USAGE : got ? CLI_FINDINGS : CLI_OK);
	}
	reg_close(s);
	rt_program_free(p);
	cli_include_free(&a.inc);
	return rc;
}

const struct cli_command cli_stats_command = {
	"stats", run_stats, "POLICY --db DB",
	"one register's DfE absence figures per year group and for the school (the table of la stats)",
	stats_options, "register data the policy cannot use", NULL,
};
