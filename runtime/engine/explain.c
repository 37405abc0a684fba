/*
 * `attend explain`: one pupil's figures, every measure and every rule with
 * whether it held and why, in words a headteacher can read.
 */
#include "runtime/engine/run.h"
#include "runtime/engine/explain_groups.h"

#include <inttypes.h>
#include <string.h>

#include "runtime/machine/opcodes.h"

static const char *
comparison_words(uint8_t op)
{
	switch (op) {
	case RT_OP_LT: return "below";
	case RT_OP_LE: return "at most";
	case RT_OP_GT: return "more than";
	case RT_OP_GE: return "at least";
	case RT_OP_EQ: return "exactly";
	case RT_OP_NE: return "other than";
	}
	return "?";
}

static const char *
kind_words(const struct rt_rule *r)
{
	switch ((enum rt_rule_kind)r->kind) {
	case RT_RULE_FLAG: return "flag";
	case RT_RULE_STAGE: return "stage";
	case RT_RULE_PENALTY: return "penalty notice";
	}
	return "rule";
}

size_t
eng_rule_rests_on(const struct rt_program *prog, size_t i, uint32_t *rules, size_t max)
{
	size_t start = 0, n = 0;
	for (size_t pc = 0; pc < prog->ncode; pc++) {
		const struct rt_instr *in = &prog->code[pc];
		if (in->op == RT_OP_RULE) {
			if (in->operand == i)
				break;
			start = pc + 1;
		}
	}
	for (size_t pc = start; pc < prog->ncode && n < max; pc++) {
		const struct rt_instr *in = &prog->code[pc];
		if (in->op == RT_OP_RULE)
			break;
		uint32_t rule = UINT32_MAX;
		if (in->op == RT_OP_OUTCOME)
			rule = in->operand;
		else if (in->op == RT_OP_MEASURE && in->operand < prog->nmeasures &&
		         (prog->measures[in->operand].kind == RT_M_WEEKS_SINCE ||
		          prog->measures[in->operand].kind == RT_M_DAYS_SINCE ||
		          prog->measures[in->operand].period == RT_P_SINCE ||
		          (prog->measures[in->operand].flags & RT_MEASURE_AT_START)))
			rule = prog->measures[in->operand].rule;
		int seen = 0;
		for (size_t k = 0; k < n && !seen; k++)
			seen = rules[k] == rule;
		if (rule < prog->nrules && !seen)
			rules[n++] = rule;
	}
	return n;
}

/* The earlier decisions a rule rests on: the rules its condition reads, with
 * the date from which each has held by the recorded history. */
static void
explain_history(const struct rt_program *prog, const struct eng_outcome *o, size_t i, FILE *out)
{
	uint32_t rules[64];
	size_t n = eng_rule_rests_on(prog, i, rules, sizeof rules / sizeof rules[0]);
	for (size_t k = 0; k < n; k++) {
		const struct rt_rule *ref = &prog->rules[rules[k]];
		const char *title = ref->title != RT_NO_STRING ? rt_program_str(prog, ref->title) : rt_program_str(prog, ref->name);
		rt_date since = o->history ? o->history[rules[k]] : RT_DATE_MAX;
		char when[48];
		if (since != RT_DATE_MAX) {
			rt_date_format_long(since, when, sizeof when);
			fprintf(out, "      rests on the recorded decision: %s entered on %s and held since\n", title, when);
		} else {
			fprintf(out, "      rests on %s, with no earlier decision recorded for it\n", title);
		}
	}
}

/* "to 14 March 2025" reads right after a count over a period; a time since an
 * earlier decision is "as of" the date instead. */
static const char *
date_word(const struct rt_program *prog, uint32_t label)
{
	for (size_t m = 0; m < prog->nmeasures; m++)
		if (prog->measures[m].label == label &&
		    (prog->measures[m].kind == RT_M_WEEKS_SINCE || prog->measures[m].kind == RT_M_DAYS_SINCE))
			return "as of";
	return "to";
}

/* "to 14 February 2025", "as of 14 February 2025", or for a figure taken at another time the
 * date it was taken on: "on 31 July 2024" ("with no such date" when there is none). */
static void
measure_when(const struct rt_program *prog, const struct rt_eval *ev, uint32_t label, const char *when, char *buf,
             size_t size)
{
	for (size_t m = 0; m < prog->nmeasures; m++) {
		if (prog->measures[m].label != label || !(prog->measures[m].flags & RT_MEASURE_AT))
			continue;
		char on[48] = "";
		if (ev->spans[m].to != RT_DATE_MAX)
			rt_date_format_long(ev->spans[m].to, on, sizeof on);
		snprintf(buf, size, "%s%s", on[0] ? "on " : "(no date recorded)", on);
		return;
	}
	snprintf(buf, size, "%s %s", date_word(prog, label), when);
}

/* The window or run that gave a maximum: " (from 4 November 2024 to 13 December 2024)". */
static void
explain_span(const struct rt_span *span, FILE *out)
{
	if (span->from == RT_DATE_MAX || span->from == 0)
		return;
	char from[48], to[48];
	rt_date_format_long(span->from, from, sizeof from);
	rt_date_format_long(span->to, to, sizeof to);
	fprintf(out, " (from %s to %s)", from, to);
}

/* A dated rule or condition: "in force from 19 August 2024 (no end date) on 14 February 2025: yes". */
static void
explain_in_force(const struct rt_trace_entry *e, const char *when, FILE *out)
{
	char from[48] = "", until[48] = "no end date";
	if (e->left.num != RT_DATE_MIN)
		rt_date_format_long((rt_date)e->left.num, from, sizeof from);
	if (e->right.num != RT_DATE_MAX)
		rt_date_format_long((rt_date)e->right.num, until, sizeof until);
	fprintf(out, "      in force from %s (%s%s) on %s: %s\n", e->left.num != RT_DATE_MIN ? from : "the start",
	        e->right.num != RT_DATE_MAX ? "until " : "", until, when, e->result ? "yes" : "no, so it does not apply");
}

static void
explain_rule(const struct rt_program *prog, const struct eng_outcome *o, size_t i, const char *when, FILE *out)
{
	const struct rt_eval *ev = o->ev;
	const struct rt_rule *r = &prog->rules[i];
	const char *title = r->title != RT_NO_STRING ? rt_program_str(prog, r->title) : rt_program_str(prog, r->name);
	if (r->kind == RT_RULE_STAGE)
		fprintf(out, "  stage %u, %s: %s\n", r->stage, title, ev->outcomes[i] ? "HOLDS" : "does not hold");
	else
		fprintf(out, "  %s, %s: %s\n", kind_words(r), title, ev->outcomes[i] ? "HOLDS" : "does not hold");
	int any = 0;
	for (size_t t = 0; t < ev->ntrace; t++) {
		const struct rt_trace_entry *e = &ev->trace[t];
		if (e->rule != i)
			continue;
		if (e->op == RT_OP_IN_FORCE) {
			explain_in_force(e, when, out);
			any = 1;
			continue;
		}
		if (e->op == RT_OP_IN_YEARS) {
			eng_explain_years(e, out);
			any = 1;
			continue;
		}
		char left[64], right[64], at[64];
		rt_value_format(&e->left, left, sizeof left);
		rt_value_format(&e->right, right, sizeof right);
		measure_when(prog, ev, e->label, when, at, sizeof at);
		fprintf(out, "      %s %s: %s; the rule needs %s %s: %s\n", rt_program_str(prog, e->label), at, left,
		        comparison_words(e->op), right, e->result ? "met" : "not met");
		any = 1;
	}
	if (!any)
		fprintf(out, "      (decided without comparing figures: it rests on other rules)\n");
	if (r->kind == RT_RULE_PENALTY && o->counted_until != RT_DATE_MIN) {
		char d[48];
		rt_date_format_long(o->counted_until, d, sizeof d);
		fprintf(out, "      sessions up to %s were counted toward an earlier notice and do not count again\n", d);
	}
	if (o->history)
		explain_history(prog, o, i, out);
	if (r->source != RT_NO_STRING)
		fprintf(out, "      source: %s (%s line %u)\n", rt_program_str(prog, r->source), eng_policy_file(prog, r->file),
		        r->line);
}

/* The policy's declared targets (`target attendance 96.5%`). */
static void
explain_targets(const struct rt_program *prog, FILE *out)
{
	for (size_t i = 0; i < prog->nfacts; i++) {
		const char *key = rt_program_str(prog, prog->facts[i].key);
		if (strncmp(key, "target.", 7) != 0)
			continue;
		char v[64];
		if (prog->facts[i].text != RT_NO_STRING)
			snprintf(v, sizeof v, "%s", rt_program_str(prog, prog->facts[i].text));
		else
			rt_value_format(&prog->facts[i].value, v, sizeof v);
		fprintf(out, "  the policy's target for %s: %s (%s line %u)\n", key + 7, v, eng_policy_file(prog, prog->facts[i].file),
		        prog->facts[i].line);
	}
}

static void
explain_figures(const struct rt_program *prog, const struct eng_outcome *o, const char *when, FILE *out)
{
	const struct rt_summary *s = &o->ev->summary;
	char upto[64];
	snprintf(upto, sizeof upto, "to %s", when);
	const struct rt_fact *school = rt_program_find_fact(prog, "identity.school");

	fprintf(out, "Pupil %s (%s%s%s), as of %s, under %s\n", o->pupil->upn, o->pupil->forename ? o->pupil->forename : "",
	        o->pupil->forename && o->pupil->surname ? " " : "", o->pupil->surname ? o->pupil->surname : "", when,
	        school ? rt_program_str(prog, school->text) : "the policy");
	fprintf(out, "\nFigures for the school year %s:\n", upto);
	char auth[48], unauth[48];
	struct rt_value sessions = { s->authorised, 1, RT_UNIT_SESSIONS };
	rt_value_format(&sessions, auth, sizeof auth); /* "1 session", "3 sessions" */
	sessions.num = s->unauthorised;
	rt_value_format(&sessions, unauth, sizeof unauth);
	fprintf(out, "  possible sessions: %" PRId64 "\n  present (including approved educational activity): %" PRId64
	             "\n  authorised absence: %s\n  unauthorised absence: %s\n",
	        s->possible, s->present, auth, unauth);
	if (s->unmarked)
		fprintf(out, "  school sessions with no mark yet: %" PRId64 "\n", s->unmarked);
	explain_targets(prog, out);
}

/* One parent's line under "a penalty notice must be considered". */
static void
explain_parent_notice(const struct rt_program *prog, const struct eng_outcome *o, const struct eng_parent_notice *pn,
                      FILE *out)
{
	fprintf(out, "    %s (%s): ", pn->parent->name, pn->parent->parent_id);
	if (pn->covered) {
		char d[48];
		rt_date_format_long(pn->covered_until, d, sizeof d);
		fprintf(out, "no notice: the sessions that meet the threshold were counted toward this "
		             "parent's notice of %s (a session counts toward one notice only)\n", d);
	} else if (pn->capped) {
		fprintf(out, "%d notices already count in %u years (withdrawn ones do not), the most the policy "
		             "allows; instead: %s\n",
		        pn->counted, prog->penalty.cap_years, o->alternative);
	} else if (pn->fine) {
		char a[32];
		struct rt_value v = { pn->fine->pence, 1, RT_UNIT_MONEY };
		rt_value_format(&v, a, sizeof a);
		fprintf(out, "notice %d, %s if paid within %u days", pn->ordinal, a, pn->fine->days);
		if (pn->fine->later_pence) {
			v.num = pn->fine->later_pence;
			rt_value_format(&v, a, sizeof a);
			fprintf(out, ", or %s within %u days", a, pn->fine->later_days);
		}
		fputc('\n', out);
	} else {
		fprintf(out, "notice %d, no amount in force\n", pn->ordinal);
	}
}

static void
explain_penalty(const struct rt_program *prog, const struct eng_outcome *o, const char *when, FILE *out)
{
	int penalty = o->penalty;
	if (penalty && o->nparents) {
		fprintf(out, "  a penalty notice must be considered, per parent (amounts in force on %s):\n", when);
		for (size_t p = 0; p < o->nparents; p++)
			explain_parent_notice(prog, o, &o->parents[p], out);
	} else if (penalty && o->fine) {
		char a[32], b[32];
		struct rt_value v = { o->fine->pence, 1, RT_UNIT_MONEY };
		rt_value_format(&v, a, sizeof a);
		fprintf(out, "  a penalty notice must be considered: a first notice is %s if paid within %u days", a,
		        o->fine->days);
		if (o->fine->later_pence) {
			v.num = o->fine->later_pence;
			rt_value_format(&v, b, sizeof b);
			fprintf(out, ", or %s within %u days", b, o->fine->later_days);
		}
		fprintf(out, " (amounts in force on %s)\n", when);
	} else if (penalty) {
		fprintf(out, "  a penalty notice must be considered (the policy states no amount in force on %s)\n", when);
	} else {
		fprintf(out, "  no penalty notice to consider\n");
	}
	/* What follows a notice left unpaid: the policy's words, which notice list repeats. */
	if (penalty && prog->penalty.unpaid_days)
		fprintf(out, "  unpaid after %u days: %s\n", prog->penalty.unpaid_days,
		        rt_program_str(prog, prog->penalty.unpaid_action));
}

/* The notice to improve, when it holds: since when, and what follows it. */
static void
explain_improve(const struct rt_program *prog, const struct rt_eval *ev, FILE *out)
{
	for (size_t i = 0; i < prog->nrules; i++) {
		const struct rt_rule *r = &prog->rules[i];
		if (r->kind != RT_RULE_FLAG || strcmp(rt_program_str(prog, r->name), RT_IMPROVE_NAME) != 0 ||
		    !ev->outcomes[i])
			continue;
		char since[48];
		rt_date_format_long(ev->held_since[i], since, sizeof since);
		fprintf(out, "  notice to improve: due since %s; a penalty notice is considered only once its improvement "
		             "period has ended without improvement (see its rule above)\n", since);
	}
}

void
eng_explain_pupil(const struct rt_program *prog, const struct eng_outcome *o, FILE *out)
{
	const struct rt_eval *ev = o->ev;
	char when[48];
	rt_date_format_long(o->as_of, when, sizeof when);
	explain_figures(prog, o, when, out);
	eng_explain_groups(prog, o, out);

	fprintf(out, "\nMeasures the policy uses:\n");
	for (size_t m = 0; m < prog->nmeasures; m++) {
		char v[64], at[64];
		rt_value_format(&ev->measures[m], v, sizeof v);
		measure_when(prog, ev, prog->measures[m].label, when, at, sizeof at);
		fprintf(out, "  %s %s: %s", rt_program_str(prog, prog->measures[m].label), at, v);
		if (!(prog->measures[m].flags & RT_MEASURE_AT))
			explain_span(&ev->spans[m], out);
		fputc('\n', out);
	}

	fprintf(out, "\nRules:\n");
	for (size_t i = 0; i < prog->nrules; i++)
		explain_rule(prog, o, i, when, out);

	fprintf(out, "\nOutcome:\n");
	if (ev->stage_rule >= 0) {
		const struct rt_rule *r = &prog->rules[ev->stage_rule];
		fprintf(out, "  stage reached: %d, %s (the highest stage that holds)\n", ev->stage,
		        r->title != RT_NO_STRING ? rt_program_str(prog, r->title) : rt_program_str(prog, r->name));
	} else {
		fprintf(out, "  stage reached: none\n");
	}
	explain_improve(prog, ev, out);
	explain_penalty(prog, o, when, out);
	for (size_t i = 0; i < o->ndisagreements; i++) {
		const struct eng_disagreement *d = &o->disagreements[i];
		char date[11], t[6];
		rt_date_format(d->date, date);
		rt_time_format(d->arrival, t);
		fprintf(out, "  register: on %s %s the mark is %s, but arriving at %s the policy gives %s; "
		             "the recorded mark stands as the legal record\n",
		        date, d->session == RT_AM ? "AM" : "PM", rt_program_str(prog, prog->codes[d->recorded].name), t,
		        d->expected == RT_NO_MARK ? "an on-time mark"
		                                  : rt_program_str(prog, prog->codes[d->expected].name));
	}
}

static int
explain_one(struct eng_consumer *c, const struct rt_program *prog, const struct eng_outcome *o)
{
	struct eng_explainer *e = (struct eng_explainer *)c;
	if (e->format == ENG_EXPLAIN_JSON)
		eng_explain_json(prog, o, e->out);
	else if (e->format == ENG_EXPLAIN_HTML)
		return eng_explain_html(prog, o, e->out) ? -1 : 0;
	else
		eng_explain_pupil(prog, o, e->out);
	return 0;
}

struct eng_consumer *
eng_explain_init(struct eng_explainer *e, FILE *out, enum eng_explain_format format)
{
	*e = (struct eng_explainer){ { NULL, explain_one, NULL, 1, NULL }, out, format };
	return &e->consumer;
}
