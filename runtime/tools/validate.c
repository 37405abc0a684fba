/*
 * A school's policy against the statutory baseline in force on a date
 * (validate.h). Values are read from the compiled tables; where a rule is a
 * condition, its figure is the constant its comparison reads. Register
 * examples come from evaluating both programs on a family of registers and
 * taking the first on which they decide differently.
 */
#include "runtime/tools/validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/machine/eval.h"
#include "runtime/machine/opcodes.h"

#define EXAMPLE_WEEKS 26

struct validation {
	const struct rt_program *pol, *base;
	const struct tool_validate_options *opt;
	struct base_findings *out;
	int errors;
	/* examples: */
	struct rt_calendar cal;
	rt_date example_as_of;
	struct rt_eval ev_pol, ev_base;
	int examples_ready;
	uint8_t *marks_pol, *marks_base;
	char **names;                 /* per session of the example register: its code name */
};

static void
add(struct validation *v, uint32_t file, unsigned line, enum base_finding_level level, const char *rule,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* A finding at `line` of `file` (a string of the policy): the school's own file as the user named
 * it, or the baseline's when the line is the baseline's, never the school's file with the
 * baseline's line number. */
static void
add(struct validation *v, uint32_t file, unsigned line, enum base_finding_level level, const char *rule,
    const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	const char *path = file == RT_NO_STRING || file == v->pol->source_file ? v->opt->policy_path
	                                                                       : rt_program_str(v->pol, file);
	base_findings_add(v->out, path, line, 0, 0, level, rule, msg);
	if (level == BASE_FINDING_ERROR)
		v->errors++;
}

static void
format_date(rt_date d, char buf[11])
{
	if (d == RT_DATE_MIN || d == RT_DATE_MAX)
		snprintf(buf, 11, "open");
	else
		rt_date_format(d, buf);
}

/* When the baseline took effect: its `approved` date. */
static rt_date
baseline_date(const struct rt_program *base)
{
	const struct rt_fact *f = rt_program_find_fact(base, "identity.approved");
	return f && f->text == RT_NO_STRING && f->value.den == 1 ? (rt_date)f->value.num : RT_DATE_MIN;
}

static rt_date
later(rt_date a, rt_date b)
{
	return a > b ? a : b;
}

/* ------------------------------------------------------------------------ */
/* Example registers                                                         */

int
tool_validate_example_calendar(rt_date as_of, struct rt_calendar *cal)
{
	size_t cap = EXAMPLE_WEEKS * 7 + 7;
	cal->days = calloc(cap, sizeof *cal->days);
	cal->ndays = 0;
	if (!cal->days)
		return -1;
	for (rt_date d = as_of - EXAMPLE_WEEKS * 7 + 1; d <= as_of; d++) {
		if (rt_date_weekday(d) >= 5)
			continue;
		int y, m, day;
		rt_date_to_ymd(d, &y, &m, &day);
		/* Half terms by month, near enough for schedules: Aug-Oct 1, Nov-Dec 2, Jan-Feb 3,
		 * Mar-Apr 4, May 5, Jun-Jul 6. */
		static const uint8_t half_term[13] = { 0, 3, 3, 4, 4, 5, 6, 6, 1, 1, 1, 2, 2 };
		cal->days[cal->ndays++] = (struct rt_school_day){ .date = d, .open = RT_OPEN_AM | RT_OPEN_PM,
			                                          .half_term = half_term[m],
			                                          .year = (int16_t)rt_date_school_year(d) };
	}
	rt_calendar_number_weeks(cal);
	return 0;
}

static int
examples_prepare(struct validation *v)
{
	if (v->examples_ready)
		return v->examples_ready > 0 ? 0 : -1;
	v->examples_ready = -1;
	rt_date as_of = v->opt->on;
	while (rt_date_weekday(as_of) >= 5)
		as_of--;
	v->example_as_of = as_of;
	if (tool_validate_example_calendar(as_of, &v->cal))
		return -1;
	size_t n = v->cal.ndays * 2;
	v->marks_pol = malloc(n + 1);
	v->marks_base = malloc(n + 1);
	v->names = calloc(n + 1, sizeof *v->names);
	if (!v->marks_pol || !v->marks_base || !v->names)
		return -1;
	if (rt_eval_init(&v->ev_pol, v->pol, &v->cal))
		return -1;
	if (rt_eval_init(&v->ev_base, v->base, &v->cal)) {
		rt_eval_free(&v->ev_pol);
		return -1;
	}
	v->examples_ready = 1;
	return 0;
}

static void
examples_free(struct validation *v)
{
	if (v->examples_ready > 0) {
		rt_eval_free(&v->ev_pol);
		rt_eval_free(&v->ev_base);
	}
	free(v->marks_pol);
	free(v->marks_base);
	free(v->names);
	rt_calendar_free(&v->cal);
}

/* Writes the register in the marks syntax of test files, runs compressed:
 * "(/\)*40 (O)*10". */
static void
format_register(const struct validation *v, char *buf, size_t size)
{
	size_t n = v->cal.ndays * 2, used = 0;
	char first[11];
	rt_date_format(v->cal.days[0].date, first);
	used += (size_t)snprintf(buf + used, size - used, "marks from %s:", first);
	for (size_t i = 0; i < n && used < size;) {
		const char *c = v->names[i];
		size_t run = 1;
		if (i % 2 == 0 && i + 1 < n && strcmp(c, "/") == 0 && strcmp(v->names[i + 1], "\\") == 0) {
			while (i + 2 * run + 1 < n && strcmp(v->names[i + 2 * run], "/") == 0 &&
			       strcmp(v->names[i + 2 * run + 1], "\\") == 0)
				run++;
			used += (size_t)snprintf(buf + used, size - used, run > 1 ? " (/\\)*%zu" : " /\\", run);
			i += 2 * run;
			continue;
		}
		while (i + run < n && strcmp(v->names[i + run], c) == 0)
			run++;
		int brackets = strlen(c) > 1 || c[0] == '#';
		if (run > 1)
			used += (size_t)snprintf(buf + used, size - used, brackets ? " ([%s])*%zu" : " (%s)*%zu", c, run);
		else
			used += (size_t)snprintf(buf + used, size - used, brackets ? " [%s]" : " %s", c);
		i += run;
	}
	if (used < size) {
		char d[11];
		rt_date_format(v->example_as_of, d);
		snprintf(buf + used, size - used, ", as of %s", d);
	}
}

enum compare_what { CMP_FLAG, CMP_PENALTY, CMP_FINE, CMP_ANY };

static int
rule_index(const struct rt_program *p, enum rt_rule_kind kind, const char *name)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].kind == kind && (!name || strcmp(rt_program_str(p, p->rules[i].name), name) == 0))
			return (int)i;
	return -1;
}

static int
holds(const struct rt_program *p, const struct rt_eval *ev, enum rt_rule_kind kind, const char *name)
{
	int r = rule_index(p, kind, name);
	return r >= 0 && ev->outcomes[r];
}

static int64_t
fine_pence(const struct rt_program *p, const struct rt_eval *ev, rt_date as_of, int notice)
{
	if (!holds(p, ev, RT_RULE_PENALTY, NULL))
		return -1;
	const struct rt_fine *f = rt_program_fine_in_force(p, notice, as_of);
	return f ? f->pence : 0;
}

static void
money(int64_t pence, char *buf, size_t size)
{
	struct rt_value v = { pence, 1, RT_UNIT_MONEY };
	rt_value_format(&v, buf, size);
}

/* Writes how the two programs decide the register differently, or returns 0 when they agree. */
static int
differs(struct validation *v, enum compare_what what, const char *flag, char *why, size_t size)
{
	const struct rt_eval *a = &v->ev_pol, *b = &v->ev_base;
	rt_date on = v->example_as_of;
	if (what == CMP_FLAG || what == CMP_ANY) {
		static const char *const statutory_flags[] = { "persistent_absence", "severe_absence" };
		for (size_t i = 0; i < 2; i++) {
			const char *name = what == CMP_FLAG ? flag : statutory_flags[i];
			int x = holds(v->pol, a, RT_RULE_FLAG, name), y = holds(v->base, b, RT_RULE_FLAG, name);
			if (x != y) {
				snprintf(why, size, "%s %s under the policy and %s under the statute", name,
				         x ? "holds" : "does not hold", y ? "holds" : "does not hold");
				return 1;
			}
			if (what == CMP_FLAG)
				break;
		}
	}
	if (what == CMP_PENALTY || what == CMP_ANY) {
		int x = holds(v->pol, a, RT_RULE_PENALTY, NULL), y = holds(v->base, b, RT_RULE_PENALTY, NULL);
		if (x != y) {
			snprintf(why, size, "the policy %s a penalty notice and the statute %s", x ? "considers" : "does not consider",
			         y ? "does" : "does not");
			return 1;
		}
	}
	if (what == CMP_FINE) {
		int64_t x = fine_pence(v->pol, a, on, 1), y = fine_pence(v->base, b, on, 1);
		if (x != y && x >= 0 && y >= 0) {
			char mx[32], my[32];
			money(x, mx, sizeof mx);
			money(y, my, sizeof my);
			snprintf(why, size, "a first notice is %s under the policy and %s under the statute", mx, my);
			return 1;
		}
	}
	return 0;
}

/*
 * Searches registers "present throughout, then the last k sessions coded
 * `code`" for k = 0, 1, ... and describes the first on which the two
 * programs differ by `what`. 1 when one was found.
 */
static int
find_example(struct validation *v, const char *code, enum compare_what what, const char *flag, char *buf,
             size_t size)
{
	if (examples_prepare(v))
		return 0;
	int pol_code = rt_program_find_code(v->pol, code), base_code = rt_program_find_code(v->base, code);
	int pol_am = rt_program_find_code(v->pol, "/"), pol_pm = rt_program_find_code(v->pol, "\\");
	int base_am = rt_program_find_code(v->base, "/"), base_pm = rt_program_find_code(v->base, "\\");
	if (pol_code < 0 || base_code < 0 || pol_am < 0 || pol_pm < 0 || base_am < 0 || base_pm < 0)
		return 0;
	size_t n = v->cal.ndays * 2;
	for (size_t k = 0; k <= n; k++) {
		for (size_t i = 0; i < n; i++) {
			int absent = i >= n - k, pm = i % 2;
			v->marks_pol[i] = (uint8_t)(absent ? pol_code : pm ? pol_pm : pol_am);
			v->marks_base[i] = (uint8_t)(absent ? base_code : pm ? base_pm : base_am);
			v->names[i] = (char *)(absent ? code : pm ? "\\" : "/");
		}
		if (rt_eval_pupil(&v->ev_pol, v->marks_pol, v->example_as_of) ||
		    rt_eval_pupil(&v->ev_base, v->marks_base, v->example_as_of))
			return 0;
		char why[256];
		if (differs(v, what, flag, why, sizeof why)) {
			char reg[384];
			format_register(v, reg, sizeof reg);
			int used = snprintf(buf, size, " A register on which they disagree (every weekday a school day): %s: ",
			                    reg);
			if (used > 0 && (size_t)used < size)
				snprintf(buf + used, size - (size_t)used, "%s.", why);
			return 1;
		}
	}
	return 0;
}

/* The first code of the baseline in force on the date with this category
 * (and penalty flag) that the policy also defines the same way. */
static const char *
shared_code(const struct validation *v, enum rt_category cat, int penalty)
{
	for (size_t i = 0; i < v->base->ncodes; i++) {
		const struct rt_code *b = &v->base->codes[i];
		if (b->category != cat || !!(b->flags & RT_CODE_PENALTY) != penalty || b->valid_from > v->opt->on ||
		    b->valid_until < v->opt->on)
			continue;
		const char *name = rt_program_str(v->base, b->name);
		int p = rt_program_find_code(v->pol, name);
		if (p >= 0 && v->pol->codes[p].category == cat && !!(v->pol->codes[p].flags & RT_CODE_PENALTY) == penalty)
			return name;
	}
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Codes                                                                     */

static void
check_codes(struct validation *v)
{
	rt_date on = v->opt->on, since_base = baseline_date(v->base);
	for (size_t i = 0; i < v->base->ncodes; i++) {
		const struct rt_code *b = &v->base->codes[i];
		if (b->valid_from > on || b->valid_until < on)
			continue;
		const char *name = rt_program_str(v->base, b->name);
		char since[11];
		format_date(later(b->valid_from, since_base), since);
		int pi = rt_program_find_code(v->pol, name);
		const struct rt_code *p = pi >= 0 ? &v->pol->codes[pi] : NULL;
		if (!p || p->valid_from > on || p->valid_until < on) {
			add(v, p ? p->file : RT_NO_STRING, p ? p->line : 0, BASE_FINDING_ERROR, "statutory-code-missing",
			    "statutory code \"%s\" (%s, %s) is %s; in force since %s. A register with the mark \"%s\" "
			    "cannot be evaluated under the policy.",
			    name, rt_program_str(v->base, b->meaning), rt_category_name(b->category),
			    p ? "not in force in the policy on that date" : "not defined by the policy", since, name);
			continue;
		}
		char example[768] = "";
		if (p->category != b->category) {
			find_example(v, name, CMP_ANY, NULL, example, sizeof example);
			add(v, p->file, p->line, BASE_FINDING_ERROR, "code-category",
			    "code \"%s\": the policy's category is %s; the statutory category is %s, in force since %s.%s", name,
			    rt_category_name(p->category), rt_category_name(b->category), since, example);
		}
		if ((p->flags & RT_CODE_PENALTY) != (b->flags & RT_CODE_PENALTY)) {
			find_example(v, name, CMP_PENALTY, NULL, example, sizeof example);
			add(v, p->file, p->line, BASE_FINDING_ERROR, "code-penalty",
			    "code \"%s\": the policy %s it toward the penalty-notice threshold; the statute %s, in force "
			    "since %s.%s",
			    name, p->flags & RT_CODE_PENALTY ? "counts" : "does not count",
			    b->flags & RT_CODE_PENALTY ? "counts it" : "does not", since, example);
		}
	}
	for (size_t i = 0; i < v->pol->ncodes; i++) {
		const struct rt_code *p = &v->pol->codes[i];
		const char *name = rt_program_str(v->pol, p->name);
		if (p->maps_to != i || p->valid_from > on || p->valid_until < on)
			continue;
		int bi = rt_program_find_code(v->base, name);
		if (bi < 0)
			add(v, p->file, p->line, BASE_FINDING_WARNING, "non-statutory-code",
			    "code \"%s\" is the school's own and maps to no statutory code (write `code \"%s\" maps to "
			    "\"...\"`), so returns cannot place it",
			    name, name);
	}
}

/* ------------------------------------------------------------------------ */
/* Rules                                                                     */

/* The figure a rule's condition compares against: MEASURE m; CONST k; CMP. */
struct threshold {
	int found;
	int comparisons;      /* how many comparisons the condition makes */
	uint32_t measure;
	uint8_t op;
	struct rt_value value;
};

static struct threshold
rule_threshold(const struct rt_program *p, int rule)
{
	struct threshold t = { 0 };
	if (rule < 0)
		return t;
	size_t start = 0, end = 0;
	for (size_t pc = 0; pc < p->ncode; pc++) {
		if (p->code[pc].op != RT_OP_RULE)
			continue;
		if ((int)p->code[pc].operand == rule) {
			end = pc;
			break;
		}
		start = pc + 1;
	}
	for (size_t pc = start; pc < end; pc++) {
		uint8_t op = p->code[pc].op;
		if (op < RT_OP_LT || op > RT_OP_NE)
			continue;
		t.comparisons++;
		if (!t.found && pc >= 2 && p->code[pc - 2].op == RT_OP_MEASURE && p->code[pc - 1].op == RT_OP_CONST) {
			t.found = 1;
			t.measure = p->code[pc - 2].operand;
			t.op = op;
			t.value = p->constants[p->code[pc - 1].operand];
		}
	}
	return t;
}

static void
describe_threshold(const struct rt_program *p, const struct threshold *t, char *buf, size_t size)
{
	if (!t->found) {
		snprintf(buf, size, "a condition with no fixed figure");
		return;
	}
	char value[64];
	rt_value_format(&t->value, value, sizeof value);
	snprintf(buf, size, "%s %s %s%s", rt_program_str(p, p->measures[t->measure].label), rt_opcode_symbol(t->op), value,
	         t->comparisons > 1 ? " (among other conditions)" : "");
}

static int
same_threshold(const struct rt_program *a, const struct threshold *x, const struct rt_program *b,
               const struct threshold *y)
{
	if (!x->found || !y->found || x->comparisons != y->comparisons || x->op != y->op ||
	    rt_value_compare(&x->value, &y->value) != 0 || x->value.unit != y->value.unit)
		return 0;
	const struct rt_measure *m = &a->measures[x->measure], *n = &b->measures[y->measure];
	return m->kind == n->kind && m->period == n->period && m->weeks == n->weeks;
}

static void
check_flag(struct validation *v, const char *flag, const char *rule_id, enum base_finding_level level)
{
	int br = rule_index(v->base, RT_RULE_FLAG, flag);
	if (br < 0)
		return;
	char since[11];
	format_date(baseline_date(v->base), since);
	struct threshold bt = rule_threshold(v->base, br);
	char bdesc[256], pdesc[256], example[768] = "";
	describe_threshold(v->base, &bt, bdesc, sizeof bdesc);
	int pr = rule_index(v->pol, RT_RULE_FLAG, flag);
	const char *probe = shared_code(v, RT_CAT_AUTHORISED, 0);
	if (pr < 0) {
		if (probe)
			find_example(v, probe, CMP_FLAG, flag, example, sizeof example);
		add(v, RT_NO_STRING, 0, level, rule_id, "the policy has no flag %s; the statute's: %s, in force since %s.%s", flag, bdesc,
		    since, example);
		return;
	}
	struct threshold pt = rule_threshold(v->pol, pr);
	if (same_threshold(v->pol, &pt, v->base, &bt))
		return;
	describe_threshold(v->pol, &pt, pdesc, sizeof pdesc);
	if (probe)
		find_example(v, probe, CMP_FLAG, flag, example, sizeof example);
	add(v, v->pol->rules[pr].file, v->pol->rules[pr].line, level, rule_id, "flag %s: the policy's condition is %s; the statute's is %s, in "
	    "force since %s.%s", flag, pdesc, bdesc, since, example);
}

static void
codeset_names(const struct rt_program *p, uint32_t set, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t c = 0; c < p->ncodes && used < size; c++)
		if (rt_codeset_has(&p->codesets[set], (unsigned)c) && p->codes[c].maps_to == c)
			used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? " " : "", rt_program_str(p, p->codes[c].name));
}

static void
check_penalty(struct validation *v)
{
	int br = rule_index(v->base, RT_RULE_PENALTY, NULL);
	if (br < 0)
		return;
	char since[11];
	format_date(baseline_date(v->base), since);
	int pr = rule_index(v->pol, RT_RULE_PENALTY, NULL);
	if (pr < 0) {
		add(v, RT_NO_STRING, 0, BASE_FINDING_ERROR, "penalty-missing",
		    "the policy states no penalty-notice rule; the statute requires one to be considered, in force since %s",
		    since);
		return;
	}
	unsigned line = v->pol->rules[pr].line;
	uint32_t file = v->pol->rules[pr].file;
	struct threshold bt = rule_threshold(v->base, br), pt = rule_threshold(v->pol, pr);
	const char *probe = shared_code(v, RT_CAT_UNAUTHORISED, 1);
	char example[768] = "";
	if (!bt.found)
		return; /* a baseline written in another shape: nothing to compare against */
	if (!pt.found || pt.comparisons != bt.comparisons) {
		char pdesc[256], bdesc[256];
		describe_threshold(v->pol, &pt, pdesc, sizeof pdesc);
		describe_threshold(v->base, &bt, bdesc, sizeof bdesc);
		if (probe)
			find_example(v, probe, CMP_PENALTY, NULL, example, sizeof example);
		add(v, file, line, BASE_FINDING_ERROR, "penalty-threshold",
		    "penalty notice: the policy considers one when %s; the statute when %s, in force since %s.%s", pdesc,
		    bdesc, since, example);
		return;
	}
	const struct rt_measure *pm = &v->pol->measures[pt.measure], *bm = &v->base->measures[bt.measure];
	if (pm->kind != bm->kind || pm->period != bm->period || pm->weeks != bm->weeks) {
		if (probe)
			find_example(v, probe, CMP_PENALTY, NULL, example, sizeof example);
		add(v, file, line, BASE_FINDING_ERROR, "penalty-window",
		    "penalty notice: the policy counts \"%s\"; the statute counts \"%s\", in force since %s.%s",
		    rt_program_str(v->pol, pm->label), rt_program_str(v->base, bm->label), since, example);
	}
	if (pt.op != bt.op || rt_value_compare(&pt.value, &bt.value) != 0 || pt.value.unit != bt.value.unit) {
		char pv[64], bv[64];
		rt_value_format(&pt.value, pv, sizeof pv);
		rt_value_format(&bt.value, bv, sizeof bv);
		example[0] = '\0';
		if (probe)
			find_example(v, probe, CMP_PENALTY, NULL, example, sizeof example);
		add(v, file, line, BASE_FINDING_ERROR, "penalty-threshold",
		    "penalty notice: the policy's threshold is %s %s; the statutory threshold is %s %s, in force since "
		    "%s.%s",
		    rt_opcode_symbol(pt.op), pv, rt_opcode_symbol(bt.op), bv, since, example);
	}
	char pcodes[512], bcodes[512];
	codeset_names(v->pol, pm->codeset, pcodes, sizeof pcodes);
	codeset_names(v->base, bm->codeset, bcodes, sizeof bcodes);
	if (strcmp(pcodes, bcodes) != 0)
		add(v, file, line, BASE_FINDING_ERROR, "penalty-codes",
		    "penalty notice: the policy's threshold counts the codes %s; the statute counts %s, in force since %s",
		    pcodes, bcodes, since);
}

static void
describe_fine(const struct rt_fine *f, char *buf, size_t size)
{
	if (!f) {
		snprintf(buf, size, "no amount");
		return;
	}
	char a[32], b[32];
	money(f->pence, a, sizeof a);
	if (f->later_pence) {
		money(f->later_pence, b, sizeof b);
		snprintf(buf, size, "%s within %u days, %s within %u days", a, f->days, b, f->later_days);
	} else {
		snprintf(buf, size, "%s within %u days", a, f->days);
	}
}

static int
same_fine(const struct rt_fine *a, const struct rt_fine *b)
{
	return a->pence == b->pence && a->days == b->days && a->later_pence == b->later_pence &&
	       a->later_days == b->later_days;
}

static void
check_fines(struct validation *v)
{
	rt_date on = v->opt->on;
	char when[11];
	rt_date_format(on, when);
	static const char *const ordinal[] = { "", "first", "second" };
	const char *probe = shared_code(v, RT_CAT_UNAUTHORISED, 1);
	for (int notice = 1; notice <= 2; notice++) {
		const struct rt_fine *b = rt_program_fine_in_force(v->base, notice, on);
		if (!b || b->notice != notice)
			continue;
		const struct rt_fine *p = rt_program_fine_in_force(v->pol, notice, on);
		char since[11], pdesc[128], bdesc[128], example[768] = "";
		format_date(b->from, since);
		describe_fine(p, pdesc, sizeof pdesc);
		describe_fine(b, bdesc, sizeof bdesc);
		if (!p) {
			add(v, RT_NO_STRING, 0, BASE_FINDING_ERROR, "fine-missing",
			    "%s notice: the policy states no amount in force on %s; the statutory amount is %s, in force "
			    "since %s",
			    ordinal[notice], when, bdesc, since);
			continue;
		}
		if (same_fine(p, b))
			continue;
		if (notice == 1 && probe)
			find_example(v, probe, CMP_FINE, NULL, example, sizeof example);
		add(v, p->file, p->line, BASE_FINDING_ERROR, "fine-amount",
		    "%s notice: the policy's amount on %s is %s; the statutory amount is %s, in force since %s.%s",
		    ordinal[notice], when, pdesc, bdesc, since, example);
	}
}

static void
check_cap(struct validation *v)
{
	const struct rt_penalty *p = &v->pol->penalty, *b = &v->base->penalty;
	if (!b->defined)
		return;
	char since[11];
	format_date(baseline_date(v->base), since);
	if (!p->defined || p->max_notices != b->max_notices || p->cap_years != b->cap_years) {
		char pdesc[64];
		if (!p->defined || !p->max_notices)
			snprintf(pdesc, sizeof pdesc, "sets no limit");
		else
			snprintf(pdesc, sizeof pdesc, "allows at most %u notices in %u years", p->max_notices, p->cap_years);
		add(v, RT_NO_STRING, 0, BASE_FINDING_ERROR, "penalty-cap",
		    "penalty notices: the policy %s; the statute allows at most %u notices in %u years of the "
		    "first, in force since %s",
		    pdesc, b->max_notices, b->cap_years, since);
	}
	if (b->unpaid_days && p->unpaid_days != b->unpaid_days) {
		char pdesc[64];
		if (p->unpaid_days)
			snprintf(pdesc, sizeof pdesc, "acts on an unpaid notice after %u days", p->unpaid_days);
		else
			snprintf(pdesc, sizeof pdesc, "says nothing of unpaid notices");
		add(v, RT_NO_STRING, 0, BASE_FINDING_WARNING, "penalty-unpaid",
		    "penalty notices: the policy %s; the statute acts after %u days, in force since %s", pdesc,
		    b->unpaid_days, since);
	}
}

/* The minutes a session's register stays open, or -1 when the policy does not say. */
static int
window_of(const struct rt_register_session *s)
{
	return s->opens >= 0 && s->closes >= 0 ? s->closes - s->opens : -1;
}

/* The same rules for register times per year group: each group's window, at the line where the group's
 * session is written, and the same window for every session of those pupils (their AM and PM). */
static void
check_group_registers(struct validation *v, const struct rt_fact *within, const struct rt_fact *same,
                      const char *base_file)
{
	static const char *const names[2] = { "AM", "PM" };
	for (size_t i = 0; i < v->pol->ngroups; i++) {
		const struct rt_group_session *g = &v->pol->groups[i];
		struct rt_register_times t = rt_register_times(v->pol, g->session, g->from);
		struct rt_register_times other = rt_register_times(v->pol, !g->session, g->from);
		struct rt_register_session mine = { t.opens, t.closes, g->line, g->file };
		struct rt_register_session theirs = { other.opens, other.closes, 0, RT_NO_STRING };
		char years[16], open[6], close[6];
		rt_years_format(g->from, g->until, years);
		if (within && window_of(&mine) > within->value.num) {
			rt_time_format(t.opens, open);
			rt_time_format(t.closes, close);
			add(v, g->file, g->line, BASE_FINDING_ERROR, "register-closes-late",
			    "session %s for years %s: the register closes %d minutes after it opens (%s to %s); the statute "
			    "allows at most %lld minutes (%s line %u)", names[g->session], years, window_of(&mine), open, close,
			    (long long)within->value.num, base_file, within->line);
		}
		if (same && window_of(&mine) >= 0 && window_of(&theirs) >= 0 && window_of(&mine) != window_of(&theirs))
			add(v, g->file, g->line, BASE_FINDING_ERROR, "register-window-differs",
			    "session %s for years %s: the register closes %d minutes after it opens, but %d in %s for the same "
			    "pupils; the statute requires the same time for every session (%s line %u)", names[g->session], years,
			    window_of(&mine), window_of(&theirs), names[!g->session], base_file, same->line);
	}
}

/* The register rules the statute sets (domain.md §5.1), as the baseline states them
 * (`register closes within 30 minutes of opening, the same for every session`): each
 * session's window, reported where that session is written. */
static void
check_register(struct validation *v)
{
	const struct rt_fact *within = rt_program_find_fact(v->base, "register.closes_within");
	const struct rt_fact *same = rt_program_find_fact(v->base, "register.same_window");
	const struct rt_fact *rule = within ? within : same;
	if (!rule)
		return;
	const char *base_file = rule->file == RT_NO_STRING || rule->file == v->base->source_file
	                                ? v->opt->baseline_path : rt_program_str(v->base, rule->file);
	const struct rt_register_session *s = v->pol->sessions;
	static const char *const names[2] = { "AM", "PM" };
	char open[6], close[6];
	for (int k = 0; k < 2 && within; k++) {
		if (window_of(&s[k]) <= within->value.num)
			continue;
		rt_time_format(s[k].opens, open);
		rt_time_format(s[k].closes, close);
		add(v, s[k].file, s[k].line, BASE_FINDING_ERROR, "register-closes-late",
		    "session %s: the register closes %d minutes after it opens (%s to %s); the statute allows at most "
		    "%lld minutes (%s line %u)", names[k], window_of(&s[k]), open, close, (long long)within->value.num,
		    base_file, within->line);
	}
	if (same && window_of(&s[0]) >= 0 && window_of(&s[1]) >= 0 && window_of(&s[0]) != window_of(&s[1]))
		add(v, s[1].file, s[1].line, BASE_FINDING_ERROR, "register-window-differs",
		    "the register closes %d minutes after it opens in the afternoon but %d in the morning (line %u); the "
		    "statute requires the same time for every session (%s line %u)", window_of(&s[1]), window_of(&s[0]),
		    s[0].line, base_file, same->line);
	check_group_registers(v, within, same, base_file);
}

int
tool_validate(const struct rt_program *policy, const struct rt_program *baseline,
            const struct tool_validate_options *opt, struct base_findings *out)
{
	struct validation v = { .pol = policy, .base = baseline, .opt = opt, .out = out };
	check_codes(&v);
	rt_date since = baseline_date(baseline);
	if (since != RT_DATE_MIN && opt->on < since) {
		char d[11], s[11];
		rt_date_format(opt->on, d);
		rt_date_format(since, s);
		char msg[512];
		snprintf(msg, sizeof msg, "the baseline took effect on %s; on %s only its dated codes and fines "
		         "applied, so thresholds and the notice limit are not checked", s, d);
		base_findings_add(out, opt->baseline_path, 0, 0, 0, BASE_FINDING_NOTE, "baseline-not-in-force", msg);
	} else {
		check_flag(&v, "persistent_absence", "persistent-absence-threshold", BASE_FINDING_ERROR);
		check_flag(&v, "severe_absence", "severe-absence-threshold", BASE_FINDING_WARNING);
		check_penalty(&v);
		check_cap(&v);
		check_register(&v);
	}
	check_fines(&v);
	int failed = v.examples_ready < 0 && v.cal.days == NULL;
	examples_free(&v);
	if (failed) {
		base_findings_add(out, opt->policy_path, 0, 0, 0, BASE_FINDING_ERROR, "internal", "out of memory");
		return -1;
	}
	return v.errors;
}
