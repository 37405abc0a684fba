/*
 * `attend explain --format json`: the whole explanation as one JSON object
 * (docs/output.md), for systems that show it: figures, every measure with its
 * value and period, every rule with its terms, what each needed and whether it
 * held, and the decisions it rests on.
 */
#include "runtime/engine/run.h"

#include <inttypes.h>
#include <string.h>

#include "runtime/base/text.h"
#include "runtime/machine/opcodes.h"

static const char *const unit_names[] = {
	[RT_UNIT_NONE] = "number",      [RT_UNIT_BOOL] = "bool",   [RT_UNIT_PERCENT] = "percent",
	[RT_UNIT_SESSIONS] = "sessions", [RT_UNIT_DAYS] = "days",   [RT_UNIT_SCHOOL_WEEKS] = "school_weeks",
	[RT_UNIT_WEEKS] = "weeks",       [RT_UNIT_YEARS] = "years", [RT_UNIT_MONEY] = "pence",
	[RT_UNIT_DATE] = "date",         [RT_UNIT_TIME] = "minutes", [RT_UNIT_NONE_VALUE] = "none",
};

/* {"text":"10 sessions","num":10,"den":1,"unit":"sessions"}: the words and the exact value. */
static void
json_value(const struct rt_value *v, FILE *out)
{
	char text[64];
	rt_value_format(v, text, sizeof text);
	fputs("{\"text\":", out);
	base_json_string(out, text);
	fprintf(out, ",\"num\":%" PRId64 ",\"den\":%" PRId64 ",\"unit\":\"%s\"}", v->num, v->den,
	        v->unit < sizeof unit_names / sizeof unit_names[0] && unit_names[v->unit] ? unit_names[v->unit] : "?");
}

static void
json_date(rt_date d, FILE *out)
{
	if (d == RT_DATE_MIN || d == RT_DATE_MAX) {
		fputs("null", out);
		return;
	}
	char s[11];
	rt_date_format(d, s);
	fprintf(out, "\"%s\"", s);
}

static void
json_key_string(FILE *out, const char *key, const char *value)
{
	fprintf(out, "\"%s\":", key);
	if (value)
		base_json_string(out, value);
	else
		fputs("null", out);
}

static const char *
rule_title(const struct rt_program *prog, const struct rt_rule *r)
{
	return rt_program_str(prog, r->title != RT_NO_STRING ? r->title : r->name);
}

static const char *
file_name(const struct rt_program *prog, uint32_t file)
{
	return rt_program_str(prog, file != RT_NO_STRING ? file : prog->source_file);
}

static void
json_period(const struct rt_measure *m, FILE *out)
{
	static const char *const names[] = { "school_year", "term", "half_term", "school_weeks", "any_school_weeks_of_year",
	                                     "any_school_weeks_of_term", "since_rule" };
	_Static_assert(sizeof names / sizeof names[0] == RT_P__COUNT, "a name for every period");
	if (m->period < RT_P__COUNT)
		fprintf(out, "\"%s\"", names[m->period]);
	else
		fputs("null", out);
	if (m->period == RT_P_SCHOOL_WEEKS)
		fprintf(out, ",\"weeks\":%u", m->weeks);
}

static void
json_measures(const struct rt_program *prog, const struct rt_eval *ev, FILE *out)
{
	fputs(",\"measures\":[", out);
	for (size_t m = 0; m < prog->nmeasures; m++) {
		fputs(m ? ",{" : "{", out);
		json_key_string(out, "label", rt_program_str(prog, prog->measures[m].label));
		fputs(",\"value\":", out);
		json_value(&ev->measures[m], out);
		fputs(",\"period\":", out);
		json_period(&prog->measures[m], out);
		fputc('}', out);
	}
	fputc(']', out);
}

/* One term of a rule's condition, as the VM traced it. */
static void
json_term(const struct rt_program *prog, const struct rt_trace_entry *e, FILE *out)
{
	if (e->op == RT_OP_IN_FORCE) {
		fputs("{\"kind\":\"in_force\",\"from\":", out);
		json_date((rt_date)e->left.num, out);
		fputs(",\"until\":", out);
		json_date((rt_date)e->right.num, out);
		fprintf(out, ",\"met\":%s}", e->result ? "true" : "false");
		return;
	}
	if (e->op == RT_OP_IN_YEARS) {
		int from = 0, until = 0;
		char years[16], name[8];
		rt_years_unpack(e->label, &from, &until);
		rt_years_format(from, until, years);
		fputs("{\"kind\":\"years\",", out);
		json_key_string(out, "years", years);
		fputc(',', out);
		json_key_string(out, "year_group",
		                e->left.unit == RT_UNIT_NONE_VALUE ? NULL : rt_year_name((int)e->left.num, name));
		fprintf(out, ",\"met\":%s}", e->result ? "true" : "false");
		return;
	}
	fputs("{\"kind\":\"comparison\",", out);
	json_key_string(out, "measure", e->label != RT_NO_STRING ? rt_program_str(prog, e->label) : NULL);
	fputs(",\"value\":", out);
	json_value(&e->left, out);
	fprintf(out, ",\"op\":\"%s\",\"needs\":", rt_opcode_symbol(e->op));
	json_value(&e->right, out);
	fprintf(out, ",\"met\":%s}", e->result ? "true" : "false");
}

static void
json_rests_on(const struct rt_program *prog, const struct eng_outcome *o, size_t i, FILE *out)
{
	uint32_t rules[64];
	size_t n = eng_rule_rests_on(prog, i, rules, sizeof rules / sizeof rules[0]);
	fputs(",\"rests_on\":[", out);
	for (size_t k = 0; k < n; k++) {
		fputs(k ? ",{" : "{", out);
		json_key_string(out, "rule", rule_title(prog, &prog->rules[rules[k]]));
		fputs(",\"held_since\":", out);
		json_date(o->history ? o->history[rules[k]] : RT_DATE_MAX, out);
		fputc('}', out);
	}
	fputc(']', out);
}

static void
json_rule(const struct rt_program *prog, const struct eng_outcome *o, size_t i, FILE *out)
{
	static const char *const kinds[] = { "flag", "stage", "penalty" };
	const struct rt_rule *r = &prog->rules[i];
	fprintf(out, "{\"kind\":\"%s\",", r->kind < 3 ? kinds[r->kind] : "?");
	json_key_string(out, "name", rt_program_str(prog, r->name));
	fputc(',', out);
	json_key_string(out, "title", rule_title(prog, r));
	if (r->kind == RT_RULE_STAGE)
		fprintf(out, ",\"stage\":%u", r->stage);
	fprintf(out, ",\"holds\":%s,\"terms\":[", o->ev->outcomes[i] ? "true" : "false");
	int first = 1;
	for (size_t t = 0; t < o->ev->ntrace; t++)
		if (o->ev->trace[t].rule == i) {
			if (!first)
				fputc(',', out);
			json_term(prog, &o->ev->trace[t], out);
			first = 0;
		}
	fputc(']', out);
	json_rests_on(prog, o, i, out);
	if (r->kind == RT_RULE_PENALTY) {
		fputs(",\"counted_until\":", out);
		json_date(o->counted_until, out);
	}
	fputs(",\"source\":{", out);
	json_key_string(out, "text", r->source != RT_NO_STRING ? rt_program_str(prog, r->source) : NULL);
	fputc(',', out);
	json_key_string(out, "file", file_name(prog, r->file));
	fprintf(out, ",\"line\":%u}}", r->line);
}

static void
json_fine(const struct rt_fine *f, FILE *out)
{
	fprintf(out, "{\"amount_pence\":%" PRId64 ",\"days\":%u", f->pence, f->days);
	if (f->later_pence)
		fprintf(out, ",\"later_amount_pence\":%" PRId64 ",\"later_days\":%u", f->later_pence, f->later_days);
	fputc('}', out);
}

static void
json_notices(const struct rt_program *prog, const struct eng_outcome *o, FILE *out)
{
	fprintf(out, ",\"penalty\":%s,\"notices\":[", o->penalty ? "true" : "false");
	for (size_t p = 0; o->penalty && p < o->nparents; p++) {
		const struct eng_parent_notice *pn = &o->parents[p];
		fputs(p ? ",{" : "{", out);
		json_key_string(out, "parent", pn->parent->parent_id);
		fputc(',', out);
		json_key_string(out, "name", pn->parent->name);
		fprintf(out, ",\"notice\":%d,\"covered_until\":", pn->ordinal);
		json_date(pn->covered ? pn->covered_until : RT_DATE_MAX, out);
		fprintf(out, ",\"capped\":%s,\"fine\":", pn->capped ? "true" : "false");
		if (pn->fine && !pn->capped && !pn->covered)
			json_fine(pn->fine, out);
		else
			fputs("null", out);
		fputc('}', out);
	}
	fputs("],\"first_notice_fine\":", out);
	if (o->penalty && !o->nparents && o->fine)
		json_fine(o->fine, out);
	else
		fputs("null", out);
	(void)prog;
}

static void
json_header(const struct rt_program *prog, const struct eng_outcome *o, FILE *out)
{
	const struct rt_fact *school = rt_program_find_fact(prog, "identity.school");
	const struct rt_summary *s = &o->ev->summary;
	fputs("{", out);
	json_key_string(out, "upn", o->pupil->upn);
	fputc(',', out);
	json_key_string(out, "forename", o->pupil->forename);
	fputc(',', out);
	json_key_string(out, "surname", o->pupil->surname);
	fputs(",\"as_of\":", out);
	json_date(o->as_of, out);
	fputc(',', out);
	json_key_string(out, "school", school ? rt_program_str(prog, school->text) : NULL);
	fputc(',', out);
	json_key_string(out, "policy_file", rt_program_str(prog, prog->source_file));
	fprintf(out,
	        ",\"figures\":{\"possible\":%" PRId64 ",\"present\":%" PRId64 ",\"authorised\":%" PRId64
	        ",\"unauthorised\":%" PRId64 ",\"unmarked\":%" PRId64 "}",
	        s->possible, s->present, s->authorised, s->unauthorised, s->unmarked);
}

void
eng_explain_json(const struct rt_program *prog, const struct eng_outcome *o, FILE *out)
{
	const struct rt_eval *ev = o->ev;
	json_header(prog, o, out);
	json_measures(prog, ev, out);
	fputs(",\"rules\":[", out);
	for (size_t i = 0; i < prog->nrules; i++) {
		if (i)
			fputc(',', out);
		json_rule(prog, o, i, out);
	}
	fputs("],\"outcome\":{\"stage\":", out);
	if (ev->stage_rule >= 0) {
		fprintf(out, "%d,", ev->stage);
		json_key_string(out, "stage_title", rule_title(prog, &prog->rules[ev->stage_rule]));
	} else {
		fputs("null,\"stage_title\":null", out);
	}
	json_notices(prog, o, out);
	fputs(",\"register_disagreements\":[", out);
	for (size_t i = 0; i < o->ndisagreements; i++) {
		const struct eng_disagreement *d = &o->disagreements[i];
		fprintf(out, "%s{\"date\":", i ? "," : "");
		json_date(d->date, out);
		fprintf(out, ",\"session\":\"%s\",", d->session == RT_AM ? "AM" : "PM");
		json_key_string(out, "recorded", rt_program_str(prog, prog->codes[d->recorded].name));
		fputc(',', out);
		json_key_string(out, "expected",
		                d->expected == RT_NO_MARK ? NULL : rt_program_str(prog, prog->codes[d->expected].name));
		fputc('}', out);
	}
	fputs("]}}\n", out);
}
