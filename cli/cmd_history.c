/* replay, notice, letters, amend, history, migrate: the register over time (docs/history.md). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "runtime/engine/notices.h"
#include "runtime/engine/engine.h"
#include "runtime/register/store.h"

/* Flags shared by these commands; each command says which it needs. */
struct flags {
	struct cli_includes inc;
	const char *db, *from, *to, *as_of, *upn, *parent, *date, *session, *code, *reason, *by, *on, *out, *id;
	int decisions;
	int force;
	int new_code;
};

static int
parse_flags(int argc, char **argv, struct flags *f)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },      { "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },      { "as-of", required_argument, NULL, 'a' },
		{ "upn", required_argument, NULL, 'u' },     { "pupil", required_argument, NULL, 'u' },
		{ "parent", required_argument, NULL, 'P' },  { "date", required_argument, NULL, 'D' },
		{ "session", required_argument, NULL, 's' }, { "code", required_argument, NULL, 'c' },
		{ "reason", required_argument, NULL, 'r' },  { "by", required_argument, NULL, 'b' },
		{ "on", required_argument, NULL, 'n' },      { "out", required_argument, NULL, 'o' },
		{ "id", required_argument, NULL, 'i' },      { "decisions", no_argument, NULL, 'x' },
		{ "force", no_argument, NULL, 'f' },          { "new-code", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "I:o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'I': cli_include_add(&f->inc, optarg); break;
		case 'd': f->db = optarg; break;
		case 'F': f->from = optarg; break;
		case 'T': f->to = optarg; break;
		case 'a': f->as_of = optarg; break;
		case 'u': f->upn = optarg; break;
		case 'P': f->parent = optarg; break;
		case 'D': f->date = optarg; break;
		case 's': f->session = optarg; break;
		case 'c': f->code = optarg; break;
		case 'r': f->reason = optarg; break;
		case 'b': f->by = optarg; break;
		case 'n': f->on = optarg; break;
		case 'o': f->out = optarg; break;
		case 'i': f->id = optarg; break;
		case 'x': f->decisions = 1; break;
		case 'f': f->force = 1; break;
		case 'N': f->new_code = 1; break;
		default: return cli_usage_error("%s: unknown option", argv[0]);
		}
	}
	cli_include_finish(&f->inc);
	return CLI_OK;
}

/* A required date flag. */
static int
need_date(const char *cmd, const char *flag, const char *value, rt_date *out)
{
	if (!value)
		return cli_usage_error("%s: give %s DATE", cmd, flag);
	if (cli_parse_date(value, out))
		return cli_usage_error("%s: %s: \"%s\" is not a date (YYYY-MM-DD)", cmd, flag, value);
	return CLI_OK;
}

/* The one positional argument (POLICY or DB). */
static int
one_argument(int argc, char **argv, const char *what)
{
	if (optind != argc - 1)
		return cli_usage_error("%s: give exactly one %s", argv[0], what);
	return CLI_OK;
}

static int
status_of(int r)
{
	return r < 0 ? CLI_USAGE : r > 0 ? CLI_FINDINGS : CLI_OK;
}

int
cli_cmd_replay(int argc, char **argv)
{
	struct flags f = { 0 };
	struct eng_replay_options ro = { .out = stdout, .diag = stderr };
	int rc = parse_flags(argc, argv, &f);
	if (rc == CLI_OK)
		rc = one_argument(argc, argv, "policy");
	if (rc == CLI_OK && !f.db)
		rc = cli_usage_error("replay: say which register with --db DB");
	if (rc == CLI_OK)
		rc = need_date("replay", "--from", f.from, &ro.from);
	if (rc == CLI_OK)
		rc = need_date("replay", "--to", f.to, &ro.to);
	if (rc == CLI_OK)
		rc = cli_not_after_today("replay", "--to", ro.to);
	if (rc == CLI_OK && ro.to < ro.from)
		rc = cli_usage_error("replay: --to %s is before --from %s", f.to, f.from);
	struct rt_program *p = NULL;
	struct reg_store *s = NULL;
	if (rc == CLI_OK)
		rc = cli_load_policy(argv[optind], &f.inc, &p);
	if (rc == CLI_OK)
		rc = cli_open_store(f.db, 0, &s);
	if (rc == CLI_OK) {
		ro.progress = isatty(2) ? stderr : NULL;
		rc = status_of(eng_replay(p, s, &ro));
	}
	reg_close(s);
	rt_program_free(p);
	cli_include_free(&f.inc);
	return rc;
}

int
cli_cmd_letters(int argc, char **argv)
{
	struct flags f = { 0 };
	struct eng_run_params params = { .diag = stderr };
	int rc = parse_flags(argc, argv, &f);
	if (rc == CLI_OK)
		rc = one_argument(argc, argv, "policy");
	if (rc == CLI_OK && (!f.db || !f.out))
		rc = cli_usage_error("letters: give --db DB and --out DIR");
	if (rc == CLI_OK && cli_parse_date(f.as_of, &params.as_of))
		rc = cli_usage_error("letters: --as-of: \"%s\" is not a date (YYYY-MM-DD)", f.as_of);
	if (rc == CLI_OK && mkdir(f.out, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "attend: cannot create %s: %s\n", f.out, strerror(errno));
		rc = CLI_USAGE;
	}
	struct rt_program *p = NULL;
	struct reg_store *s = NULL;
	if (rc == CLI_OK)
		rc = cli_load_policy(argv[optind], &f.inc, &p);
	if (rc == CLI_OK)
		rc = cli_open_store(f.db, REG_READONLY, &s);
	if (rc == CLI_OK) {
		struct eng_letter_writer letters;
		params.upn = f.upn;
		rc = status_of(eng_run(p, s, &params, eng_letters_init(&letters, f.out, stdout, stderr)));
	}
	reg_close(s);
	rt_program_free(p);
	cli_include_free(&f.inc);
	return rc;
}

int
cli_cmd_amend(int argc, char **argv)
{
	struct flags f = { 0 };
	struct reg_amendment a = { 0 };
	int rc = parse_flags(argc, argv, &f);
	if (rc == CLI_OK)
		rc = one_argument(argc, argv, "register");
	if (rc == CLI_OK && (!f.upn || !f.session || !f.code || !f.reason || !f.by))
		rc = cli_usage_error("amend: give --upn, --date, --session, --code, --reason and --by");
	if (rc == CLI_OK)
		rc = need_date("amend", "--date", f.date, &a.date);
	if (rc == CLI_OK && cli_parse_date(f.on, &a.on))
		rc = cli_usage_error("amend: --on: \"%s\" is not a date (YYYY-MM-DD)", f.on);
	if (rc == CLI_OK)
		rc = cli_not_after_today("amend", "--date", a.date);
	if (rc == CLI_OK)
		rc = cli_not_after_today("amend", "--on", a.on);
	if (rc == CLI_OK && a.on < a.date)
		rc = cli_usage_error("amend: --on %s is before the mark's date %s: a mark is amended after it is made",
		                     f.on, f.date);
	if (rc == CLI_OK && strcmp(f.session, "AM") != 0 && strcmp(f.session, "PM") != 0)
		rc = cli_usage_error("amend: --session is AM or PM, not \"%s\"", f.session);
	struct reg_store *s = NULL;
	if (rc == CLI_OK)
		rc = cli_open_store(argv[optind], 0, &s);
	/* A code the register has never used is most often a typing mistake, and
	 * once written it stays in the register's history: ask for confirmation. */
	if (rc == CLI_OK && !f.new_code) {
		char **names = NULL;
		size_t n = 0, known = 0;
		if (reg_codes(s, &names, &n) == 0)
			for (size_t i = 1; i < n; i++)
				known |= names[i] && strcmp(names[i], f.code) == 0;
		reg_free_codes(names, n);
		if (!known)
			rc = cli_usage_error("amend: no mark in the register uses the code \"%s\"; if it is right, "
			                     "give --new-code", f.code);
	}
	if (rc == CLI_OK) {
		a.upn = f.upn;
		a.session = strcmp(f.session, "PM") == 0 ? RT_PM : RT_AM;
		a.code = f.code;
		a.reason = f.reason;
		a.by = f.by;
		int r = reg_amend(s, &a);
		if (r)
			fprintf(stderr, "attend: amend: %s\n", reg_error(s));
		else
			printf("amended %s %s %s to %s\n", f.upn, f.date, f.session, f.code);
		rc = status_of(r);
	}
	reg_close(s);
	cli_include_free(&f.inc);
	return rc;
}

int
cli_cmd_history(int argc, char **argv)
{
	struct flags f = { 0 };
	rt_date from = RT_DATE_MIN, to = RT_DATE_MAX;
	int rc = parse_flags(argc, argv, &f);
	if (rc == CLI_OK)
		rc = one_argument(argc, argv, "register");
	if (rc == CLI_OK && !f.upn)
		rc = cli_usage_error("history: say which pupil with --upn UPN");
	if (rc == CLI_OK && f.from)
		rc = need_date("history", "--from", f.from, &from);
	if (rc == CLI_OK && f.to)
		rc = need_date("history", "--to", f.to, &to);
	if (rc == CLI_OK && from > to)
		rc = cli_usage_error("history: --from %s is after --to %s", f.from, f.to);
	struct reg_store *s = NULL;
	if (rc == CLI_OK)
		rc = cli_open_store(argv[optind], REG_READONLY, &s);
	if (rc == CLI_OK) {
		int r = f.decisions ? reg_write_decisions(s, f.upn, stdout)
		                    : reg_write_mark_history(s, f.upn, from, to, stdout);
		if (r)
			fprintf(stderr, "attend: history: %s\n", reg_error(s));
		rc = status_of(r);
	}
	reg_close(s);
	cli_include_free(&f.inc);
	return rc;
}

int
cli_cmd_migrate(int argc, char **argv)
{
	if (argc != 2)
		return cli_usage_error("migrate: give exactly one register");
	struct reg_store *s = NULL;
	int rc = cli_open_store(argv[1], 0, &s);   /* opening for writing upgrades it */
	if (rc == CLI_OK)
		printf("%s: register schema up to date\n", argv[1]);
	reg_close(s);
	return rc;
}

/* ---- notice issue | pay | withdraw | prosecute | list ---- */

static int
notice_issue(int argc, char **argv, struct flags *f)
{
	rt_date date;
	int rc = one_argument(argc, argv, "policy");
	if (rc == CLI_OK && (!f->db || !f->upn || !f->parent))
		rc = cli_usage_error("notice issue: give --db DB, --upn UPN and --parent ID");
	if (rc == CLI_OK)
		rc = need_date("notice issue", "--date", f->date, &date);
	if (rc == CLI_OK)
		rc = cli_not_after_today("notice issue", "--date", date);
	struct rt_program *p = NULL;
	struct reg_store *s = NULL;
	if (rc == CLI_OK)
		rc = cli_load_policy(argv[optind], &f->inc, &p);
	if (rc == CLI_OK)
		rc = cli_open_store(f->db, 0, &s);
	if (rc == CLI_OK)
		rc = status_of(eng_notice_issue(p, s, f->upn, f->parent, date, f->force, NULL, 0, stdout, stderr));
	reg_close(s);
	rt_program_free(p);
	return rc;
}

static int
notice_state(int argc, char **argv, struct flags *f, int state)
{
	rt_date date;
	char *end = NULL;
	int rc = one_argument(argc, argv, "register");
	long long id = f->id ? strtoll(f->id, &end, 10) : 0;
	if (rc == CLI_OK && (!f->id || *end || id <= 0))
		rc = cli_usage_error("notice %s: give --id N (from attend notice list)", reg_notice_state_name(state));
	if (rc == CLI_OK)
		rc = need_date("notice", "--date", f->date, &date);
	if (rc == CLI_OK)
		rc = cli_not_after_today("notice", "--date", date);
	struct reg_store *s = NULL;
	if (rc == CLI_OK)
		rc = cli_open_store(argv[optind], 0, &s);
	if (rc == CLI_OK) {
		int r = reg_notice_set_state(s, id, state, date);
		if (r)
			fprintf(stderr, "attend: notice: %s\n", reg_error(s));
		else
			printf("notice %lld: %s on %s\n", id, reg_notice_state_name(state), f->date);
		rc = status_of(r);
	}
	reg_close(s);
	return rc;
}

static int
notice_list(int argc, char **argv, struct flags *f)
{
	int rc = one_argument(argc, argv, "register");
	struct reg_store *s = NULL;
	struct reg_penalties pen = { 0 };
	if (rc == CLI_OK)
		rc = cli_open_store(argv[optind], REG_READONLY, &s);
	if (rc == CLI_OK && reg_penalties_load(s, f->upn, &pen)) {
		fprintf(stderr, "attend: %s\n", reg_error(s));
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK) {
		printf("%-4s %-14s %-10s %-7s %-10s %-8s %-10s %s\n", "id", "upn", "parent", "notice", "issued", "amount",
		       "state", "since");
		rt_date today;
		cli_parse_date(NULL, &today);
		for (size_t i = 0; i < pen.nnotices; i++) {
			const struct reg_notice *n = &pen.notices[i];
			char issued[11], on[11], last[11];
			rt_date_format(n->issued, issued);
			rt_date_format(n->state_on, on);
			rt_date last_day = n->issued + (n->later_days > n->days ? n->later_days : n->days);
			rt_date_format(last_day, last);
			printf("%-4" PRId64 " %-14s %-10s %-7d %-10s %5" PRId64 ".%02" PRId64 " %-10s %s", n->id, n->upn,
			       n->parent_id, n->ordinal, issued, n->pence / 100, n->pence % 100,
			       reg_notice_state_name(n->state), on);
			/* Unpaid after the window: the local authority must prosecute or withdraw. */
			if (n->state == REG_NOTICE_ISSUED && today > last_day)
				printf("  unpaid since %s: prosecute or withdraw", last);
			putchar('\n');
		}
	}
	reg_penalties_free(&pen);
	reg_close(s);
	return rc;
}

int
cli_cmd_notice(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("notice: say issue, pay, withdraw, prosecute or list");
	const char *sub = argv[1];
	struct flags f = { 0 };
	int rc = parse_flags(argc - 1, argv + 1, &f);
	argc--;
	argv++;
	if (rc == CLI_OK) {
		if (strcmp(sub, "issue") == 0)
			rc = notice_issue(argc, argv, &f);
		else if (strcmp(sub, "pay") == 0)
			rc = notice_state(argc, argv, &f, REG_NOTICE_PAID);
		else if (strcmp(sub, "withdraw") == 0)
			rc = notice_state(argc, argv, &f, REG_NOTICE_WITHDRAWN);
		else if (strcmp(sub, "prosecute") == 0)
			rc = notice_state(argc, argv, &f, REG_NOTICE_PROSECUTED);
		else if (strcmp(sub, "list") == 0)
			rc = notice_list(argc, argv, &f);
		else
			rc = cli_usage_error("notice: unknown subcommand \"%s\" (issue, pay, withdraw, prosecute, list)", sub);
	}
	cli_include_free(&f.inc);
	return rc;
}
