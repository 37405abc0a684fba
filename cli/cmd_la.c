/* attend la: a local authority's schools in one command (docs/la.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "runtime/engine/stats.h"
#include "runtime/register/store.h"
#include "runtime/tools/la.h"

struct la_args {
	const char *sub, *manifest, *against, *on, *as_of, *from, *to, *format, *output, *school, *upn, *parent;
	int force, jobs;
	struct cli_includes inc;
	rt_date date, from_date, to_date;
};

static int
parse_args(int argc, char **argv, struct la_args *a)
{
	static const struct option longopts[] = {
		{ "against", required_argument, NULL, 'b' }, { "on", required_argument, NULL, 'n' },
		{ "as-of", required_argument, NULL, 'a' },   { "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },  { "school", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'F' },    { "to", required_argument, NULL, 'T' },
		{ "date", required_argument, NULL, 'n' },    { "upn", required_argument, NULL, 'u' },
		{ "parent", required_argument, NULL, 'p' },  { "force", no_argument, NULL, 'x' },
		{ "jobs", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "I:o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'I': cli_include_add(&a->inc, optarg); break;
		case 'b': a->against = optarg; break;
		case 'n': a->on = optarg; break;
		case 'a': a->as_of = optarg; break;
		case 'f': a->format = optarg; break;
		case 'o': a->output = optarg; break;
		case 's': a->school = optarg; break;
		case 'F': a->from = optarg; break;
		case 'T': a->to = optarg; break;
		case 'u': a->upn = optarg; break;
		case 'p': a->parent = optarg; break;
		case 'x': a->force = 1; break;
		case 'j':
			a->jobs = atoi(optarg);
			if (a->jobs < 1 || a->jobs > 16)
				return cli_usage_error("la %s: --jobs is 1 to 16", a->sub);
			break;
		default: return cli_usage_error("la %s: unknown option", a->sub);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("la %s: give exactly one manifest", a->sub);
	a->manifest = argv[optind];
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
finish_output(FILE *out, const char *path, int rc)
{
	int bad = fflush(out) != 0;
	if (out != stdout)
		bad |= fclose(out) != 0;
	if (bad) {
		perror(path ? path : "stdout");
		return CLI_USAGE;
	}
	return rc;
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

static int
la_run(struct la_args *a, struct tool_la *la, FILE *out)
{
	static const char *const formats[] = { "text", "json", "csv" };
	int format = pick_format(a, formats, 3);
	if (format < 0)
		return CLI_USAGE;
	int rc = tool_la_run(la, a->date, format, out);
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
	if (cli_not_after_today("la replay", "--to", a->to_date) != CLI_OK)
		return CLI_USAGE;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int threads = a->jobs ? a->jobs : cores > 1 ? (int)(cores < 16 ? cores : 16) : 1;
	int rc = tool_la_replay(la, a->from_date, a->to_date, threads, out);
	return rc < 0 ? CLI_USAGE : rc ? CLI_FINDINGS : CLI_OK;
}

static const struct {
	const char *name;
	int (*run)(struct la_args *a, struct tool_la *la, FILE *out);
} subcommands[] = {
	{ "validate", la_validate },
	{ "run", la_run },
	{ "stats", la_stats },
	{ "replay", la_replay },
	{ "notice", la_notice },
	{ "notices", la_notices },
};

int
cli_cmd_la(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("la: say what to do: validate, run, replay, stats, notice or notices");
	size_t k = 0;
	while (k < sizeof subcommands / sizeof subcommands[0] && strcmp(subcommands[k].name, argv[1]) != 0)
		k++;
	if (k == sizeof subcommands / sizeof subcommands[0])
		return cli_usage_error("la: unknown command \"%s\" (validate, run, replay, stats, notice or notices)", argv[1]);
	struct la_args a = { .sub = argv[1] };
	int rc = parse_args(argc - 1, argv + 1, &a);
	struct tool_la la = { 0 };
	FILE *out = stdout;
	if (rc == CLI_OK)
		rc = open_manifest(&a, &la);
	if (rc == CLI_OK && a.output && !(out = fopen(a.output, "w"))) {
		perror(a.output);
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK)
		rc = finish_output(out, a.output, subcommands[k].run(&a, &la, out));
	tool_la_close(&la);
	cli_include_free(&a.inc);
	return rc;
}

/* attend stats POLICY --db DB: one register's figures, the same table as la stats. */
int
cli_cmd_stats(int argc, char **argv)
{
	struct la_args a = { .sub = "stats" };
	const char *db = NULL;
	/* --db is the one option la stats lacks: take it out before the shared parser. */
	for (int i = 1; i < argc - 1; i++)
		if (strcmp(argv[i], "--db") == 0) {
			db = argv[i + 1];
			memmove(&argv[i], &argv[i + 2], (size_t)(argc - i - 2) * sizeof *argv);
			argc -= 2;
			break;
		}
	int rc = parse_args(argc, argv, &a);
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
		rc = cli_open_store(db, REG_READONLY, &s);
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
		rc = finish_output(stdout, NULL, got < 0 ? CLI_USAGE : got ? CLI_FINDINGS : CLI_OK);
	}
	reg_close(s);
	rt_program_free(p);
	cli_include_free(&a.inc);
	return rc;
}
