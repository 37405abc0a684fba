/* replay, notice, letters, amend, history, migrate: the register over time (docs/history.md). */
#include <errno.h>
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
	const char *db, *from, *to, *as_of, *upn, *parent, *date, *session, *code, *reason, *by, *on, *out, *id, *school;
	const char *jobs;
	int decisions;
	int force;
	int la;
	int new_code;
};

#define F_INCLUDES CLI_INCLUDES(struct flags, inc)
#define F_DB CLI_VALUE("db", 0, "DB", struct flags, db, "the register (required)"), F_SCHOOL
#define F_SCHOOL CLI_SCHOOL(struct flags, school)
#define F_UPN(HELP) CLI_VALUE("upn", 0, "UPN", struct flags, upn, HELP), CLI_SYNONYM("pupil", "UPN", struct flags, upn)
#define F_DATE(HELP) CLI_VALUE("date", 0, "DATE", struct flags, date, HELP)

/* Parses argv by cmd's table, then finds the policies `builds on` names as -I says. */
static int
parse_flags(const struct cli_command *cmd, int argc, char **argv, struct flags *f, int *first)
{
	int rc = cli_parse(cmd, argc, argv, f, first);
	cli_include_finish(&f->inc);
	return rc;
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
one_argument(int argc, char **argv, int first, const char *what)
{
	if (first != argc - 1)
		return cli_usage_error("%s: give exactly one %s", argv[0], what);
	return CLI_OK;
}

static int
status_of(int r)
{
	return r < 0 ? CLI_USAGE : r > 0 ? CLI_FINDINGS : CLI_OK;
}

static const struct cli_option replay_options[] = {
	F_INCLUDES,
	F_DB,
	CLI_VALUE("from", 0, "DATE", struct flags, from, "the first day (required)"),
	CLI_VALUE("to", 0, "DATE", struct flags, to, "the last day, not after today (required)"),
	CLI_VALUE("jobs", 0, "N", struct flags, jobs,
	          "evaluate each day with N threads (default $ATTEND_JOBS, else one per processor); the same history for "
	          "any N"),
	CLI_END,
};

static int
run_replay(int argc, char **argv)
{
	struct flags f = { 0 };
	struct eng_replay_options ro = { .out = stdout, .diag = stderr };
	int first, rc = parse_flags(&cli_replay_command, argc, argv, &f, &first);
	if (rc == CLI_OK)
		rc = one_argument(argc, argv, first, "policy");
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
	if (rc == CLI_OK)
		rc = f.jobs ? cli_parse_jobs("--jobs", f.jobs, &ro.jobs) : cli_default_jobs(&ro.jobs);
	struct rt_program *p = NULL;
	struct reg_store *s = NULL;
	if (rc == CLI_OK)
		rc = cli_load_policy(argv[first], &f.inc, &p);
	if (rc == CLI_OK)
		rc = cli_open_school(f.db, 0, f.school, &s);
	if (rc == CLI_OK) {
		ro.progress = isatty(2) ? stderr : NULL;
		rc = status_of(eng_replay(p, s, &ro));
	}
	reg_close(s);
	rt_program_free(p);
	cli_include_free(&f.inc);
	return rc;
}

const struct cli_command cli_replay_command = {
	"replay", run_replay, "POLICY --db DB --from DATE --to DATE",
	"evaluate every school day in order, recording the decisions as it goes", replay_options,
	"a rerun that differs from the recorded history, or a register code the policy does not define", NULL,
};

static const struct cli_option letters_options[] = {
	F_INCLUDES,
	F_DB,
	CLI_VALUE("as-of", 0, "DATE", struct flags, as_of, "the letters due on DATE (default today)"),
	F_UPN("only this pupil's letters"),
	CLI_VALUE("out", 'o', "DIR", struct flags, out, "the folder to write them in, created if need be (required)"),
	CLI_END,
};

static int
run_letters(int argc, char **argv)
{
	struct flags f = { 0 };
	struct eng_run_params params = { .diag = stderr };
	int first, rc = parse_flags(&cli_letters_command, argc, argv, &f, &first);
	if (rc == CLI_OK)
		rc = one_argument(argc, argv, first, "policy");
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
		rc = cli_load_policy(argv[first], &f.inc, &p);
	if (rc == CLI_OK)
		rc = cli_open_school(f.db, REG_READONLY, f.school, &s);
	if (rc == CLI_OK) {
		struct eng_letter_writer letters;
		params.upn = f.upn;
		int r = eng_run(p, s, &params, eng_letters_init(&letters, f.out, stdout, stderr));
		eng_letters_abandon(&letters);
		rc = r == ENG_NO_PUPIL ? CLI_USAGE : status_of(r);
	}
	reg_close(s);
	rt_program_free(p);
	cli_include_free(&f.inc);
	return rc;
}

const struct cli_command cli_letters_command = {
	"letters", run_letters, "POLICY --db DB --out DIR",
	"write each letter due, as text and as a printable HTML page, and the print run DIR/print-run.html",
	letters_options,
	"a register code the policy does not define or uses out of its dates", NULL,
};

static const struct cli_option amend_options[] = {
	F_SCHOOL,
	F_UPN("the pupil (required)"),
	F_DATE("the date of the mark (required)"),
	CLI_CHOICE("session", "SESSION", "AM|PM", struct flags, session, "the session of the mark (required)"),
	CLI_VALUE("code", 0, "CODE", struct flags, code, "the new code (required)"),
	CLI_VALUE("reason", 0, "TEXT", struct flags, reason, "why (required)"),
	CLI_VALUE("by", 0, "NAME", struct flags, by, "who made the change (required)"),
	CLI_VALUE("on", 0, "DATE", struct flags, on, "when the change was made (default today)"),
	CLI_FLAG("new-code", 0, struct flags, new_code, "allow a code no mark in the register uses yet"),
	CLI_END,
};

static int
run_amend(int argc, char **argv)
{
	struct flags f = { 0 };
	struct reg_amendment a = { 0 };
	int first, rc = parse_flags(&cli_amend_command, argc, argv, &f, &first);
	if (rc == CLI_OK)
		rc = one_argument(argc, argv, first, "register");
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
		rc = cli_open_school(argv[first], 0, f.school, &s);
	/* A code the register has never used is most often a typing mistake, and
	 * once written it stays in the register's history: ask for confirmation. */
	if (rc == CLI_OK && !f.new_code) {
		char **names = NULL;
		size_t n = 0, known = 0;
		int failed = reg_codes(s, &names, &n) != 0;
		for (size_t i = 1; !failed && i < n; i++)
			known |= names[i] && strcmp(names[i], f.code) == 0;
		reg_free_codes(names, n);
		if (failed) {
			fprintf(stderr, "attend: amend: %s\n", reg_error(s));
			rc = CLI_USAGE;
		} else if (!known)
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

const struct cli_command cli_amend_command = {
	"amend", run_amend, "DB --upn UPN --date DATE --session AM|PM --code CODE --reason TEXT --by NAME",
	"change a mark, keeping the original, the reason, the date and who made it", amend_options, NULL, NULL,
};

static const struct cli_option history_options[] = {
	F_SCHOOL,
	F_UPN("the pupil (required)"),
	CLI_VALUE("from", 0, "DATE", struct flags, from, "marks from DATE"),
	CLI_VALUE("to", 0, "DATE", struct flags, to, "marks up to DATE"),
	CLI_FLAG("decisions", 0, struct flags, decisions, "the decisions recorded for the pupil instead of marks"),
	CLI_END,
};

static int
run_history(int argc, char **argv)
{
	struct flags f = { 0 };
	rt_date from = RT_DATE_MIN, to = RT_DATE_MAX;
	int first, rc = parse_flags(&cli_history_command, argc, argv, &f, &first);
	if (rc == CLI_OK)
		rc = one_argument(argc, argv, first, "register");
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
		rc = cli_open_school(argv[first], REG_READONLY, f.school, &s);
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

const struct cli_command cli_history_command = {
	"history", run_history, "DB --upn UPN",
	"a pupil's marks with their amendments (--decisions: the decisions recorded for them)", history_options, NULL,
	NULL,
};

static int
run_migrate(int argc, char **argv)
{
	int first, rc0 = cli_parse(&cli_migrate_command, argc, argv, NULL, &first);
	if (rc0 != CLI_OK)
		return rc0;
	if (first != argc - 1)
		return cli_usage_error("migrate: give exactly one register");
	struct reg_store *s = NULL;
	int rc = cli_open_store(argv[first], 0, &s);   /* opening for writing upgrades it */
	if (rc == CLI_OK)
		printf("%s: register schema up to date\n", argv[first]);
	reg_close(s);
	return rc;
}

const struct cli_command cli_migrate_command = {
	"migrate", run_migrate, "DB", "upgrade a register to this version's schema", NULL, NULL, NULL,
};

/* ---- notice issue | pay | withdraw | prosecute | list ---- */

static const struct cli_command cli_notice_issue_command;

static const struct cli_option notice_issue_options[] = {
	F_INCLUDES,
	F_DB,
	F_UPN("the pupil (required)"),
	CLI_VALUE("parent", 0, "ID", struct flags, parent, "the parent the notice is issued to (required)"),
	F_DATE("the date of issue, not after today (required)"),
	CLI_FLAG("force", 0, struct flags, force, "issue it even when the policy does not call for it on that date"),
	CLI_END,
};

static int
notice_issue(int argc, char **argv)
{
	struct flags flags = { 0 }, *f = &flags;
	rt_date date;
	int first, rc = parse_flags(&cli_notice_issue_command, argc, argv, f, &first);
	if (rc == CLI_OK)
		rc = one_argument(argc, argv, first, "policy");
	if (rc == CLI_OK && (!f->db || !f->upn || !f->parent))
		rc = cli_usage_error("notice issue: give --db DB, --upn UPN and --parent ID");
	if (rc == CLI_OK)
		rc = need_date("notice issue", "--date", f->date, &date);
	if (rc == CLI_OK)
		rc = cli_not_after_today("notice issue", "--date", date);
	struct rt_program *p = NULL;
	struct reg_store *s = NULL;
	if (rc == CLI_OK)
		rc = cli_load_policy(argv[first], &f->inc, &p);
	if (rc == CLI_OK)
		rc = cli_open_school(f->db, 0, f->school, &s);
	if (rc == CLI_OK)
		rc = status_of(eng_notice_issue(p, s, f->upn, f->parent, date, f->force, NULL, 0, stdout, stderr));
	reg_close(s);
	rt_program_free(p);
	cli_include_free(&f->inc);
	return rc;
}

static const struct cli_command cli_notice_issue_command = {
	"notice issue", notice_issue, "POLICY --db DB --upn UPN --parent ID --date DATE",
	"issue a penalty notice to a parent (only when the policy calls for it, unless --force)",
	notice_issue_options, "the policy does not call for a notice to that parent on that date", NULL,
};

static const struct cli_option notice_state_options[] = {
	CLI_VALUE("id", 0, "N", struct flags, id, "the notice's number, from attend notice list (required)"),
	F_DATE("the date it happened, not after today (required)"),
	CLI_END,
};

static int
notice_state(const struct cli_command *cmd, int argc, char **argv, int state)
{
	struct flags flags = { 0 }, *f = &flags;
	rt_date date;
	char *end = NULL;
	int first, rc = cli_parse(cmd, argc, argv, f, &first);
	if (rc == CLI_OK)
		rc = one_argument(argc, argv, first, "register");
	long long id = f->id ? strtoll(f->id, &end, 10) : 0;
	if (rc == CLI_OK && (!f->id || *end || id <= 0))
		rc = cli_usage_error("notice %s: give --id N (from attend notice list)", reg_notice_state_name(state));
	if (rc == CLI_OK)
		rc = need_date("notice", "--date", f->date, &date);
	if (rc == CLI_OK)
		rc = cli_not_after_today("notice", "--date", date);
	struct reg_store *s = NULL;
	if (rc == CLI_OK)
		rc = cli_open_store(argv[first], 0, &s);   /* a notice's id is the register's, whatever the school */
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

static int notice_pay(int argc, char **argv);
static int notice_withdraw(int argc, char **argv);
static int notice_prosecute(int argc, char **argv);

static const struct cli_command cli_notice_pay_command = {
	"notice pay", notice_pay, "DB --id N --date DATE", "record that a notice was paid (within its window)",
	notice_state_options, NULL, NULL,
};
static const struct cli_command cli_notice_withdraw_command = {
	"notice withdraw", notice_withdraw, "DB --id N --date DATE", "record that a notice was withdrawn",
	notice_state_options, NULL, NULL,
};
static const struct cli_command cli_notice_prosecute_command = {
	"notice prosecute", notice_prosecute, "DB --id N --date DATE",
	"record a prosecution (once a notice is unpaid after its window)", notice_state_options, NULL, NULL,
};

static int
notice_pay(int argc, char **argv)
{
	return notice_state(&cli_notice_pay_command, argc, argv, REG_NOTICE_PAID);
}

static int
notice_withdraw(int argc, char **argv)
{
	return notice_state(&cli_notice_withdraw_command, argc, argv, REG_NOTICE_WITHDRAWN);
}

static int
notice_prosecute(int argc, char **argv)
{
	return notice_state(&cli_notice_prosecute_command, argc, argv, REG_NOTICE_PROSECUTED);
}

static const struct cli_option notice_list_options[] = {
	F_SCHOOL,
	CLI_FLAG("la", 0, struct flags, la, "the operand is a manifest: the authority's notice register by school, "
	                                   "as attend la notices (and its options: --as-of, --format, -o)"),
	F_UPN("only this pupil's notices"),
	CLI_END,
};

static const struct cli_command cli_notice_list_command;

/* notice list --la MANIFEST ...: the authority's notice register, as attend
 * la notices, which parses the rest with its own options. */
static int
notice_list_la(int argc, char **argv, int at)
{
	char *rest[64];
	int n = 0;
	if (argc > (int)(sizeof rest / sizeof rest[0]))
		return cli_usage_error("notice list --la: too many arguments");
	rest[n++] = "notices";
	for (int i = 1; i < argc; i++)
		if (i != at)
			rest[n++] = argv[i];
	rest[n] = NULL;
	return cli_la_notices(n, rest);
}

static int
print_improve(const struct reg_improve_notice *n, void *ctx)
{
	int *first = ctx;
	char given[11], ended[11] = "-";
	if (*first)
		printf("\nnotices to improve (from the decision history):\n%-14s %-10s %-10s %s\n", "upn", "given",
		       "ended", "policy");
	*first = 0;
	rt_date_format(n->given, given);
	if (n->ended != RT_DATE_MAX)
		rt_date_format(n->ended, ended);
	printf("%-14s %-10s %-10s %s\n", n->upn, given, ended, n->policy);
	return 0;
}

static int
notice_list(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--la") == 0)
			return notice_list_la(argc, argv, i);
	struct flags flags = { 0 }, *f = &flags;
	int first, rc = cli_parse(&cli_notice_list_command, argc, argv, f, &first);
	if (rc == CLI_OK)
		rc = one_argument(argc, argv, first, "register");
	struct reg_store *s = NULL;
	struct reg_penalties pen = { 0 };
	if (rc == CLI_OK)
		rc = cli_open_school(argv[first], REG_READONLY, f->school, &s);
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
			rt_date_format(reg_notice_unpaid_after(n), last);
			printf("%-4" PRId64 " %-14s %-10s %-7d %-10s %5" PRId64 ".%02" PRId64 " %-10s %s", n->id, n->upn,
			       n->parent_id, n->ordinal, issued, n->pence / 100, n->pence % 100,
			       reg_notice_state_name(n->state), on);
			/* Unpaid after the window: the local authority must prosecute or withdraw. */
			if (reg_notice_overdue(n, today))
				printf("  unpaid after %s: %s", last, reg_notice_unpaid_action(n));
			putchar('\n');
		}
		int first_improve = 1;
		if (reg_improve_each(s, f->upn, print_improve, &first_improve)) {
			fprintf(stderr, "attend: %s\n", reg_error(s));
			rc = CLI_USAGE;
		}
	}
	reg_penalties_free(&pen);
	reg_close(s);
	return rc;
}


static const struct cli_command cli_notice_list_command = {
	"notice list", notice_list, "DB", "the notices, marking those unpaid after their window; then the notices to improve",
	notice_list_options,
	NULL, NULL,
};

static const struct cli_command *const notice_subcommands[] = {
	&cli_notice_issue_command, &cli_notice_pay_command, &cli_notice_withdraw_command,
	&cli_notice_prosecute_command, &cli_notice_list_command, NULL,
};

const struct cli_command cli_notice_command = {
	"notice", NULL, "issue|pay|withdraw|prosecute|list ...", "penalty notices per parent and pupil", NULL, NULL,
	notice_subcommands,
};
