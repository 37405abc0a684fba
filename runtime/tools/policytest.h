/*
 * Policy tests (`attend test`): files a school's attendance lead writes to
 * say what the policy must decide for a given pupil. The format is in
 * docs/tutorial.md and docs/attend.1:
 *
 *     policy "../russell-street.policy"
 *     calendar "../../examples/calendar.csv"
 *     test "Three days of illness reach Stage Two"
 *       marks from 2025-01-06: /\/\/\ III III /\
 *       as of 2025-01-10
 *       expect stage 2
 *       expect measure "consecutive days absent" = 3 days
 *       expect no penalty notice
 *     end
 *
 * Parsing needs no policy; running needs the compiled policy and the school
 * calendar (the caller compiles and loads both: the runtime does not call the
 * compiler). Problems and failures are reported as findings (findings.h).
 */
#ifndef TOOL_POLICYTEST_H
#define TOOL_POLICYTEST_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/machine/calendar.h"
#include "runtime/base/findings.h"
#include "runtime/machine/program.h"

enum tool_ptest_expect_kind {
	TOOL_PX_STAGE,     /* expect stage N | expect stage none | expect no stage */
	TOOL_PX_FLAG,      /* expect [no] flag NAME */
	TOOL_PX_PENALTY,   /* expect [no] penalty notice [£AMOUNT] */
	TOOL_PX_MEASURE    /* expect measure "LABEL" OP VALUE */
};

struct tool_ptest_expect {
	enum tool_ptest_expect_kind kind;
	int negated;           /* "no flag", "no penalty notice" */
	int stage;             /* TOOL_PX_STAGE: 0 means no stage */
	char *name;            /* flag name or measure label */
	uint8_t op;            /* RT_OP_LT .. RT_OP_NE (opcodes.h), for measures */
	int has_value;         /* measure value, or the amount of a penalty notice */
	struct rt_value value;
	unsigned line, column;
};

/* One "marks from DATE: ..." line; expanded against the policy when run. */
struct tool_ptest_marks {
	rt_date from;
	char *text;            /* everything after the colon (comments removed) */
	unsigned line, column; /* where `text` starts */
};

/* One "history ..." line: what the recorded history says before the as-of
 * date (docs/history.md), for rules that build on earlier decisions:
 *   history stage N since DATE
 *   history flag NAME since DATE
 *   history penalty notice counted until DATE */
struct tool_ptest_history {
	enum tool_ptest_expect_kind kind; /* TOOL_PX_STAGE, TOOL_PX_FLAG or TOOL_PX_PENALTY */
	int stage;
	char *name;
	rt_date date;
	unsigned line, column;
};

struct tool_ptest_case {
	char *name;
	unsigned line;
	struct tool_ptest_marks *marks;   size_t nmarks;
	struct tool_ptest_history *history; size_t nhistory;
	rt_date as_of;
	int year;              /* `year group N1`: the pupil's year group (years.h), RT_NO_YEAR when not given */
	struct tool_ptest_expect *expects; size_t nexpects;
};

struct tool_ptest_file {
	char *path;            /* the test file, as given */
	char *policy;          /* resolved against the test file's folder */
	char *calendar;        /* likewise */
	unsigned policy_line, calendar_line;
	struct tool_ptest_case *cases;    size_t ncases;
};

/* Parses a test file held in memory. Every problem is added to `errors` as
 * "file:line:col" findings with rule "test-syntax". Returns 0 when the file
 * is good, -1 otherwise (the partial result must still be freed). */
int tool_ptest_parse(const char *path, const char *text, size_t len, struct tool_ptest_file *out,
                   struct base_findings *errors);

/* Reads and parses `path`. -1 also when the file cannot be read (reported). */
int tool_ptest_read(const char *path, struct tool_ptest_file *out, struct base_findings *errors);

void tool_ptest_free(struct tool_ptest_file *f);

/*
 * Fills `marks` (2 * cal->ndays entries) with the test's marks translated to
 * policy code indexes: one mark per open school session, AM then PM, from
 * each line's date. 0 on success; -1 with findings at the offending column
 * (unknown code, a date that is not a school day, marks past the calendar).
 */
int tool_ptest_marks_build(const struct rt_program *prog, const struct rt_calendar *cal, const char *file,
                         const struct tool_ptest_case *c, uint8_t *marks, struct base_findings *errors);

/* What the tests reached, for --coverage. */
struct tool_ptest_coverage {
	size_t nrules, ncode;
	uint8_t *rule_held;    /* per rule: held in at least one test */
	uint8_t *rule_missed;  /* per rule: did not hold in at least one test */
	uint8_t *cmp_met;      /* per instruction: a comparison there came out true */
	uint8_t *cmp_unmet;    /* ... came out false */
};

int tool_ptest_coverage_init(struct tool_ptest_coverage *cov, const struct rt_program *prog);
void tool_ptest_coverage_free(struct tool_ptest_coverage *cov);

/* How one test ended, with the findings it gave (out->items[first .. first + n)). */
enum tool_ptest_outcome { TOOL_PT_PASSED, TOOL_PT_FAILED, TOOL_PT_ERROR };
struct tool_ptest_result {
	char *file, *name;        /* the test file as given, the test's name */
	unsigned line;
	enum tool_ptest_outcome outcome;
	size_t first, n;
};

struct tool_ptest_totals {
	size_t tests, passed, failed;
	size_t input_errors;      /* tests whose marks or history lines are wrong: an input error, not a failure */
	const char *filter;       /* set by the caller: only tests whose name matches this glob run (NULL: all) */
	size_t filtered_out;      /* tests the filter left out */
	struct tool_ptest_result *results; /* every test run, in order (for --junit); tool_ptest_totals_free */
	size_t nresults, cap_results;
};
void tool_ptest_totals_free(struct tool_ptest_totals *t);

/*
 * Runs every test of `f`. A failed expectation is an error finding (rule
 * "test-failed") at its line saying what was expected and what happened,
 * followed by a note (rule "explanation") with the pupil's explanation as
 * `attend explain` gives it. A test whose marks cannot be built fails with
 * the findings of tool_ptest_marks_build. Returns 0, or -1 when evaluation
 * itself failed (out of memory, a run-time check; reported as a finding).
 */
int tool_ptest_run(const struct tool_ptest_file *f, const struct rt_program *prog, const struct rt_calendar *cal,
                 struct tool_ptest_coverage *cov, struct base_findings *out, struct tool_ptest_totals *totals);

/*
 * Reports, as warnings, the stages, flags and penalty rule that held in no
 * test ("uncovered-rule") and the comparisons never seen both met and not met
 * ("uncovered-comparison"), by source line. A rule is placed in
 * `baseline_path` when `baseline` has a rule of the same kind, name and line,
 * otherwise in `policy_path`.
 */
void tool_ptest_coverage_report(const struct tool_ptest_coverage *cov, const struct rt_program *prog,
                              const char *policy_path, const struct rt_program *baseline,
                              const char *baseline_path, struct base_findings *out);

/* Rules and comparisons the tests reached, of all there are (what --coverage-min reads): a
 * rule counts when it held in some test, a comparison when it was seen both met and not met. */
void tool_ptest_coverage_count(const struct tool_ptest_coverage *cov, const struct rt_program *prog,
                               size_t *covered, size_t *total);

/* The results as JUnit XML (ptest_report.c), the test files as suites; the
 * findings give each failure's text. 0, or -1 (out of memory). */
int tool_ptest_junit(const struct tool_ptest_totals *t, const struct base_findings *findings, FILE *out);

/* Parses a value as tests and validate write it: "3 days", "10 sessions",
 * "96.5%", "£80", "£160.00", "4". Returns the number of bytes used, 0 if none. */
size_t tool_ptest_parse_value(const char *s, size_t len, struct rt_value *out);

#endif
