/*
 * The rules findings are reported under: one line each, and where the
 * documentation explains them, for SARIF's rule metadata (findings.c) and
 * anything else that describes a rule. A new rule name needs a row here
 * (tests/unit/test_lint.c checks lint's; tests/check-sarif.sh the rest).
 */
#include "runtime/base/findings.h"

#include <string.h>

#include "runtime/base/version.h"

enum group { COMPILER, LINT, VALIDATE, TEST, OTHER };

/* Where each group is documented, and what every rule of it has in common. */
static const struct base_rule_group groups[] = {
	[COMPILER] = { "formats.md", "rule-names-of-the-compilers-errors",
	               "An error of the policy compiler (attend check, compile and lint): the policy is not "
	               "compiled until it is corrected." },
	[LINT] = { "lint.md", "the-warnings",
	           "A warning of attend lint: the policy compiles, but this is probably not what its authors meant. "
	           "--strict makes it fail; the comment '# attend: allow NAME' on the line silences it." },
	[VALIDATE] = { "formats.md", "rule-names-of-attend-validate",
	               "A finding of attend validate: the policy departs from the statutory baseline it is checked "
	               "against, in force on the date of the check." },
	[TEST] = { "formats.md", "rule-names-of-attend-test",
	           "A finding of attend test: a policy test that fails, or a test file that cannot be read as written." },
	[OTHER] = { "formats.md", "other-rule-names", "A finding about the files attend was given rather than the policy." },
};

static const struct {
	const char *rule;
	enum group group;
	const char *text;
} rules[] = {
	{ "lexical", COMPILER, "A character, number, date, time or string the language cannot read" },
	{ "syntax", COMPILER, "A line that does not follow the grammar of the policy language" },
	{ "builds-on", COMPILER, "A 'builds on' line that cannot be followed" },
	{ "duplicate", COMPILER, "The same thing declared twice" },
	{ "replaces-nothing", COMPILER, "'replaces' where the base policy has no such declaration" },
	{ "unknown-name", COMPILER, "A name that is not declared" },
	{ "unknown-code", COMPILER, "An attendance code that is not declared" },
	{ "invalid-code", COMPILER, "A code declaration that cannot stand" },
	{ "cyclic-definition", COMPILER, "A named value defined in terms of itself" },
	{ "rule-order", COMPILER, "A condition that refers to a rule declared after it" },
	{ "unknown-stage", COMPILER, "A reference to a stage that does not exist" },
	{ "unit-mismatch", COMPILER, "Values of different units compared, added or given" },
	{ "not-a-condition", COMPILER, "A value where a condition is needed, or the reverse" },
	{ "bad-value", COMPILER, "A number that must be whole" },
	{ "register", COMPILER, "An inconsistent register declaration" },
	{ "schedule", COMPILER, "An inconsistent schedule" },
	{ "letter", COMPILER, "A letter that is missing, empty or sent twice" },
	{ "letterhead", COMPILER, "A letterhead field that is unknown, given twice or given a role" },
	{ "unknown-placeholder", COMPILER, "A letter placeholder that names nothing" },
	{ "rule-shape", COMPILER, "A flag, stage or penalty notice without exactly one condition" },
	{ "penalty-notice", COMPILER, "An inconsistent penalty-notice framework" },
	{ "stage-order", COMPILER, "Stages not numbered 1, 2, 3, ... in order" },
	{ "limit", COMPILER, "A table larger than the bytecode allows" },
	{ "error", COMPILER, "An error of the compiler without a rule name of its own" },
	{ "unreachable-stage", LINT, "A stage that can never be the pupil's stage" },
	{ "thresholds-not-rising", LINT, "A later stage with a looser threshold on the same measure" },
	{ "unused-value", LINT, "A let or schedule that nothing uses" },
	{ "unused-letter", LINT, "A letter that no rule sends" },
	{ "overlapping-triggers", LINT, "Two rules with the same trigger, or a redundant alternative in one" },
	{ "review-date-passed", LINT, "The policy's review date has passed" },
	{ "unmapped-code", LINT, "A statistical category with no code (no baseline), or a sub-code mapped to nothing on "
	                         "some days" },
	{ "statutory-code-changed", LINT, "A statutory code replaced with another category or penalty rule" },
	{ "missing-source", LINT, "A rule without a source citation" },
	{ "unknown-suppression", LINT, "An 'attend: allow' comment naming no lint warning" },
	{ "unpaid-before-payment-window", LINT, "'unpaid after N days' is shorter than the time a fine allows to pay" },
	{ "not-formatted", LINT, "A file not in the canonical layout of attend fmt" },
	{ "statutory-code-missing", VALIDATE, "A statutory code the policy lacks or has out of force" },
	{ "code-category", VALIDATE, "A code in another category than the statute's" },
	{ "code-penalty", VALIDATE, "A code that counts toward penalty notices where the statute's does not, or the "
	                           "reverse" },
	{ "non-statutory-code", VALIDATE, "A school's own code that maps to no statutory code" },
	{ "persistent-absence-threshold", VALIDATE, "A persistent-absence flag that differs from the statute's" },
	{ "severe-absence-threshold", VALIDATE, "A severe-absence flag that differs from the statute's" },
	{ "penalty-missing", VALIDATE, "No penalty-notice rule where the statute requires one" },
	{ "penalty-threshold", VALIDATE, "A penalty-notice threshold other than the statute's" },
	{ "penalty-window", VALIDATE, "A penalty-notice window other than the statute's" },
	{ "penalty-codes", VALIDATE, "Penalty-notice codes other than the statute's" },
	{ "fine-missing", VALIDATE, "No fine in force where the statute sets one" },
	{ "fine-amount", VALIDATE, "A fine or payment period other than the statute's" },
	{ "penalty-cap", VALIDATE, "A cap on notices other than the statute's" },
	{ "penalty-unpaid", VALIDATE, "An unpaid-notice step other than the statute's" },
	{ "baseline-not-in-force", VALIDATE, "The baseline is not in force on the date of the check" },
	{ "test-failed", TEST, "A policy test whose expectation does not hold" },
	{ "test-marks", TEST, "A marks line of a test that cannot be read" },
	{ "test-syntax", TEST, "A line of a test file that does not follow its grammar" },
	{ "test-unknown-name", TEST, "A test that names a flag, stage or letter the policy does not have" },
	{ "test-unit", TEST, "A test expectation in a unit its measure does not have" },
	{ "test", TEST, "A test file that cannot be run" },
	{ "explanation", TEST, "The explanation of a failing test (a note)" },
	{ "evaluation", TEST, "A test the policy could not be evaluated on" },
	{ "uncovered-rule", TEST, "A stage, flag or penalty rule that holds in no test (--coverage)" },
	{ "uncovered-comparison", TEST, "A comparison no test sees both met and not met (--coverage)" },
	{ "coverage-min", TEST, "Tests that reach fewer rules and comparisons than --coverage-min asks" },
	{ "io", OTHER, "A file that cannot be read or written" },
	{ "fmt", OTHER, "A layout attend fmt does not know" },
	{ "validate", OTHER, "A policy or baseline attend validate cannot compare" },
	{ "internal", OTHER, "A failure inside attend (please report it)" },
};

int
base_findings_rule(const char *rule, struct base_rule_info *out)
{
	for (size_t i = 0; rule && i < sizeof rules / sizeof rules[0]; i++)
		if (strcmp(rules[i].rule, rule) == 0) {
			*out = (struct base_rule_info){ rules[i].text, &groups[rules[i].group] };
			return 1;
		}
	return 0;
}

const char *
base_findings_rule_description(const char *rule)
{
	struct base_rule_info info;
	return base_findings_rule(rule, &info) ? info.text : NULL;
}

const char *
base_findings_docs_url(void)
{
	return BASE_DOCS_URL;
}
