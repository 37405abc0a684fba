/* The escalation history in memory: rule states, a day's events, comparisons. */
#include "runtime/engine/history.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/machine/opcodes.h"

int
eng_history_rules_init(struct eng_history_rules *hr, const struct rt_program *prog)
{
	memset(hr, 0, sizeof *hr);
	hr->prog = prog;
	hr->penalty_rule = -1;
	hr->first = calloc(prog->nrules + 1, sizeof *hr->first);
	hr->items = malloc((prog->ncode + 1) * sizeof *hr->items);
	if (!hr->first || !hr->items) {
		eng_history_rules_free(hr);
		return -1;
	}
	for (size_t r = 0; r < prog->nrules; r++)
		if (prog->rules[r].kind == RT_RULE_PENALTY)
			hr->penalty_rule = (int)r;
	/* A rule's condition is the code since the previous RULE; rules are decided in order. */
	uint32_t n = 0, start = 0;
	for (size_t pc = 0; pc < prog->ncode; pc++) {
		const struct rt_instr *in = &prog->code[pc];
		if (in->op == RT_OP_MEASURE || in->op == RT_OP_OUTCOME) {
			uint32_t item = in->op == RT_OP_MEASURE ? in->operand : in->operand | ENG_HISTORY_RULE_REF;
			int seen = 0;
			for (uint32_t i = start; i < n; i++)
				seen |= hr->items[i] == item;
			if (!seen)
				hr->items[n++] = item;
		} else if (in->op == RT_OP_RULE && in->operand < prog->nrules) {
			hr->first[in->operand] = start;
			hr->first[in->operand + 1] = n;
			start = n;
		}
	}
	/* Rules are decided in index order, so first[] is monotone; fill any gaps. */
	for (size_t r = 1; r <= prog->nrules; r++)
		if (hr->first[r] < hr->first[r - 1])
			hr->first[r] = hr->first[r - 1];
	return 0;
}

void
eng_history_rules_free(struct eng_history_rules *hr)
{
	free(hr->first);
	free(hr->items);
	memset(hr, 0, sizeof *hr);
}

static const char *
rule_kind(const struct rt_rule *r)
{
	switch ((enum rt_rule_kind)r->kind) {
	case RT_RULE_STAGE: return "stage";
	case RT_RULE_FLAG: return "flag";
	case RT_RULE_PENALTY: return "penalty_notice";
	}
	return "flag";
}

/* Stages are known by number, flags by name, the penalty rule by its kind:
 * names that survive editing a title. */
static const char *
rule_name(const struct rt_program *prog, const struct rt_rule *r)
{
	if (r->kind == RT_RULE_PENALTY)
		return "penalty notice";
	if (r->kind == RT_RULE_STAGE && r->title != RT_NO_STRING)
		return rt_program_str(prog, r->title);
	return rt_program_str(prog, r->name);
}

int
eng_history_rule_of(const struct rt_program *prog, const struct reg_decision *d)
{
	if (d->event == REG_EVENT_DUE)
		return -1;
	for (size_t r = 0; r < prog->nrules; r++) {
		const struct rt_rule *rule = &prog->rules[r];
		if (strcmp(rule_kind(rule), d->kind) != 0)
			continue;
		if (rule->kind == RT_RULE_PENALTY || (rule->kind == RT_RULE_STAGE && rule->stage == d->stage) ||
		    (rule->kind == RT_RULE_FLAG && strcmp(rt_program_str(prog, rule->name), d->name) == 0))
			return (int)r;
	}
	return -1;
}

const char *
eng_history_policy_key(const struct rt_program *prog)
{
	const struct rt_fact *school = rt_program_find_fact(prog, "identity.school");
	if (school && school->text != RT_NO_STRING)
		return rt_program_str(prog, school->text);
	return rt_program_str(prog, prog->source_file);
}

void
eng_history_clear(rt_date *held, size_t nrules)
{
	for (size_t r = 0; r < nrules; r++)
		held[r] = RT_DATE_MAX;
}

void
eng_history_apply(const struct rt_program *prog, rt_date *held, const struct reg_decision *d)
{
	int r = eng_history_rule_of(prog, d);
	if (r < 0)
		return;
	held[r] = d->event == REG_EVENT_ENTERED ? d->as_of : RT_DATE_MAX;
}

const rt_date *
eng_history_book_find(const struct eng_history_book *book, int64_t pupil_id)
{
	size_t lo = 0, hi = book->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (book->pupil_ids[mid] < pupil_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < book->n && book->pupil_ids[lo] == pupil_id)
		return book->held + lo * (book->nrules ? book->nrules : 1);
	return NULL;
}

void
eng_history_book_free(struct eng_history_book *book)
{
	free(book->pupil_ids);
	free(book->held);
	memset(book, 0, sizeof *book);
}

/* ---- a day's events ---- */

struct text {
	char buf[4096];
	size_t len;
};

static void
put(struct text *t, const char *s)
{
	size_t n = strlen(s);
	if (t->len + n >= sizeof t->buf)
		n = sizeof t->buf - 1 - t->len;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = 0;
}

static void
put_json(struct text *t, const char *s)
{
	put(t, "\"");
	for (; *s; s++) {
		char c[8] = { *s, 0 };
		if (*s == '"' || *s == '\\')
			snprintf(c, sizeof c, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			snprintf(c, sizeof c, "\\u%04x", (unsigned char)*s);
		put(t, c);
	}
	put(t, "\"");
}

/* {"figures":{"attendance rate":"95.07%",...}[,"notices":...]}: the figures that made the rule hold. */
static void
figures(const struct eng_history_rules *hr, const struct rt_eval *ev, size_t r, const char *extra, struct text *t)
{
	const struct rt_program *prog = hr->prog;
	put(t, "{\"figures\":{");
	int first = 1;
	for (uint32_t i = hr->first[r]; i < hr->first[r + 1]; i++) {
		uint32_t item = hr->items[i];
		if (item & ENG_HISTORY_RULE_REF)
			continue;
		char v[64];
		rt_value_format(&ev->measures[item], v, sizeof v);
		if (!first)
			put(t, ",");
		put_json(t, rt_program_str(prog, prog->measures[item].label));
		put(t, ":");
		put_json(t, v);
		first = 0;
	}
	put(t, "}");
	if (extra) {
		put(t, ",");
		put(t, extra);
	}
	put(t, "}");
}

/* Stage rules are due only as the pupil's stage: the highest one that holds. */
static int
highest_stage(const struct rt_program *prog, const rt_date *held)
{
	int best = -1;
	for (size_t r = 0; r < prog->nrules; r++)
		if (prog->rules[r].kind == RT_RULE_STAGE && held[r] != RT_DATE_MAX &&
		    (best < 0 || prog->rules[r].stage > prog->rules[best].stage))
			best = (int)r;
	return best;
}

static int
add_due(const struct rt_program *prog, const struct rt_rule *r, int64_t pupil, rt_date day,
        struct reg_decision_list *out)
{
	int stage = r->kind == RT_RULE_STAGE ? r->stage : 0;
	if (r->letter != UINT32_MAX &&
	    reg_decision_add(out, pupil, day, "letter", REG_EVENT_DUE, stage,
	                    rt_program_str(prog, prog->letters[r->letter].name), NULL))
		return -1;
	for (uint32_t a = 0; a < r->action_count; a++) {
		const struct rt_action *act = &prog->actions[r->first_action + a];
		if (reg_decision_add(out, pupil, day, "action", REG_EVENT_DUE, stage, rt_program_str(prog, act->text),
		                    act->owner != RT_NO_STRING ? rt_program_str(prog, act->owner) : NULL))
			return -1;
	}
	return 0;
}

int
eng_history_decide(const struct eng_history_rules *hr, const struct rt_eval *ev, int64_t pupil_id, rt_date day,
                  const rt_date *prev, rt_date *next, const char *penalty_detail, struct reg_decision_list *out)
{
	const struct rt_program *prog = hr->prog;
	for (size_t r = 0; r < prog->nrules; r++) {
		const struct rt_rule *rule = &prog->rules[r];
		int held = prev[r] != RT_DATE_MAX, holds = ev->outcomes[r] != 0;
		next[r] = holds ? (held ? prev[r] : day) : RT_DATE_MAX;
		int stage = rule->kind == RT_RULE_STAGE ? rule->stage : 0;
		if (held && !holds &&
		    reg_decision_add(out, pupil_id, day, rule_kind(rule), REG_EVENT_LEFT, stage, rule_name(prog, rule), NULL))
			return -1;
		if (!held && holds) {
			struct text t = { .len = 0 };
			t.buf[0] = 0;
			figures(hr, ev, r, (int)r == hr->penalty_rule ? penalty_detail : NULL, &t);
			if (reg_decision_add(out, pupil_id, day, rule_kind(rule), REG_EVENT_ENTERED, stage,
			                    rule_name(prog, rule), t.buf))
				return -1;
		}
	}
	int was_stage = highest_stage(prog, prev);
	for (size_t r = 0; r < prog->nrules; r++) {
		const struct rt_rule *rule = &prog->rules[r];
		int was_due = prev[r] != RT_DATE_MAX && (rule->kind != RT_RULE_STAGE || (int)r == was_stage);
		int is_due = ev->outcomes[r] && (rule->kind != RT_RULE_STAGE || (int)r == ev->stage_rule);
		if (is_due && !was_due && add_due(prog, rule, pupil_id, day, out))
			return -1;
	}
	return 0;
}

/* ---- comparing a re-evaluation with the record ---- */

static int
same(const struct reg_decision *a, const struct reg_decision *b)
{
	return strcmp(a->kind, b->kind) == 0 && a->event == b->event && a->stage == b->stage &&
	       strcmp(a->name, b->name) == 0 &&
	       ((!a->detail && !b->detail) || (a->detail && b->detail && strcmp(a->detail, b->detail) == 0));
}

static void
describe(const struct reg_decision *d, FILE *out)
{
	fprintf(out, "%s \"%s\" %s", d->kind, d->name, reg_decision_event_name(d->event));
	if (d->detail && d->event != REG_EVENT_DUE)
		fprintf(out, " %s", d->detail);
}

static size_t
missing_from(const struct reg_decision *a, size_t na, const struct reg_decision *b, size_t nb, const char *upn,
             const char *what, FILE *out)
{
	size_t count = 0;
	for (size_t i = 0; i < na; i++) {
		size_t j = 0;
		while (j < nb && !same(&a[i], &b[j]))
			j++;
		if (j < nb)
			continue;
		char date[11];
		rt_date_format(a[i].as_of, date);
		fprintf(out, "%s %s: %s ", upn, date, what);
		describe(&a[i], out);
		fputc('\n', out);
		count++;
	}
	return count;
}

size_t
eng_history_compare(const struct reg_decision *now, size_t nnow, const struct reg_decision *recorded, size_t nrecorded,
                   const char *upn, FILE *out)
{
	return missing_from(recorded, nrecorded, now, nnow, upn, "recorded, but not so now:", out) +
	       missing_from(now, nnow, recorded, nrecorded, upn, "now, but not recorded:", out);
}
