/*
 * `attend validate`: a school's policy against the statutory baseline in force
 * on a date. What a local authority runs on each school's policy.
 *
 * Checks, each with a stable rule id:
 *   statutory-code-missing  a statutory code in force on the date is not defined
 *   code-category           a code's statistical category differs from the statute's
 *   code-penalty            a code counts (or not) toward the penalty threshold unlike the statute
 *   non-statutory-code      a code of the school's own that maps to no statutory code (warning)
 *   persistent-absence-threshold, severe-absence-threshold
 *                           the flag is missing or compares against another figure
 *   penalty-missing         the policy states no penalty-notice rule
 *   penalty-threshold, penalty-window
 *                           the sessions needed, or the rolling window of school weeks, differ
 *   penalty-codes           the codes the threshold counts differ
 *   fine-missing, fine-amount
 *                           the amounts of a first or second notice in force on the date differ
 *   penalty-cap             "at most N notices in Y years" differs
 *   penalty-unpaid          the days before an unpaid notice is acted on differ (warning)
 *   baseline-not-in-force   the date is before the baseline took effect (note)
 *
 * Each finding names the school's value, the statutory value and the date the
 * statute took effect and, where a register can show it, gives one (in the
 * marks syntax of policy tests, on a calendar of every weekday) on which the
 * policy and the statute decide differently.
 */
#ifndef TOOL_VALIDATE_H
#define TOOL_VALIDATE_H

#include "runtime/machine/calendar.h"
#include "runtime/machine/date.h"
#include "runtime/base/findings.h"
#include "runtime/machine/program.h"

struct tool_validate_options {
	rt_date on;                 /* the date whose statute applies */
	const char *policy_path;    /* named in findings */
	const char *baseline_path;
};

/* Adds a finding per disagreement. Returns the number of errors added, or -1
 * when memory ran out (reported as a finding). */
int tool_validate(const struct rt_program *policy, const struct rt_program *baseline,
                const struct tool_validate_options *opt, struct base_findings *out);

/* The calendar examples use: every weekday in the 26 weeks up to `as_of`.
 * Free with rt_calendar_free. 0 on success, -1 when memory ran out. */
int tool_validate_example_calendar(rt_date as_of, struct rt_calendar *cal);

#endif
