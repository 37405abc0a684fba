/*
 * Report writers for `attend run`: a table for people, JSON lines and CSV for
 * machines (fields in docs/output.md). All three say the same things.
 */
#include "runtime/engine/penalties.h"
#include "runtime/engine/run.h"

/* The report is written by one thread only: the stream needs no lock per character
 * (putc_unlocked, fputs_unlocked), which is measurable over 100,000 pupils. */
#include "runtime/base/text.h"
#include "runtime/base/utf8.h"

#include <inttypes.h>
#include <string.h>

/* The flags every report has a column for; the statutory baseline defines them. */
#define FLAG_PERSISTENT "persistent_absence"
#define FLAG_SEVERE "severe_absence"

static int
flag_holds(const struct rt_program *prog, const struct rt_eval *ev, const char *name)
{
	for (size_t i = 0; i < prog->nrules; i++)
		if (prog->rules[i].kind == RT_RULE_FLAG && strcmp(rt_program_str(prog, prog->rules[i].name), name) == 0)
			return ev->outcomes[i];
	return 0;
}

/* Rules whose actions and letters are due: the stage reached, every flag that
 * holds, and the penalty rule when it holds. */
static int
rule_is_due(const struct rt_program *prog, const struct rt_eval *ev, size_t i)
{
	const struct rt_rule *r = &prog->rules[i];
	if (!ev->outcomes[i])
		return 0;
	if (r->kind == RT_RULE_STAGE)
		return (int)i == ev->stage_rule;
	return 1;
}

static const char *
rule_title(const struct rt_program *prog, const struct rt_rule *r)
{
	return r->title != RT_NO_STRING ? rt_program_str(prog, r->title) : rt_program_str(prog, r->name);
}

/* part / possible as a percentage, "92.37%" (or "92.37" without the sign, for
 * machines); "" when nothing was possible: there is no rate then, not 0%. */
static void
percent(const struct rt_summary *s, int64_t part, int sign, char *buf, size_t size)
{
	buf[0] = 0;
	if (!s->possible)
		return;
	struct rt_value v = { 100 * part, s->possible, RT_UNIT_PERCENT };
	rt_value_format(&v, buf, size);
	if (!sign)
		buf[strlen(buf) - 1] = 0;
}




static void
pupil_name(const struct reg_pupil *p, char *buf, size_t size)
{
	const char *sur = p->surname ? p->surname : "";
	const char *fore = p->forename ? p->forename : "";
	snprintf(buf, size, "%s%s%s", sur, *sur && *fore ? ", " : "", fore);
	base_utf8_repair(buf, strlen(buf));     /* a name cut short mid-character */
}

/* s in a column `width` characters wide (not bytes: names are UTF-8). */
static void
text_column(FILE *out, const char *s, size_t width)
{
	size_t chars = 0;
	const char *p = s;
	for (; *p; p++) {
		if (((unsigned char)*p & 0xC0) == 0x80)
			continue;
		if (chars == width)
			break;
		chars++;
	}
	fwrite_unlocked(s, 1, (size_t)(p - s), out);
	for (; chars < width; chars++)
		putc_unlocked(' ', out);
}

static void
disagreement_text(const struct rt_program *prog, const struct eng_disagreement *d, char *buf, size_t size)
{
	char date[11], t[6];
	rt_date_format(d->date, date);
	rt_time_format(d->arrival, t);
	const char *expected = d->expected == RT_NO_MARK ? "on time" : rt_program_str(prog, prog->codes[d->expected].name);
	snprintf(buf, size, "%s %s: recorded %s, arrival %s gives %s", date, d->session == RT_AM ? "AM" : "PM",
	         rt_program_str(prog, prog->codes[d->recorded].name), t, expected);
}

/* Joins the due actions (or letters) as "text (owner); text (owner)". */
static void
join_due(const struct rt_program *prog, const struct rt_eval *ev, int letters, FILE *out, int csv)
{
	char buf[4096];
	size_t len = 0;
	buf[0] = 0;
	for (size_t i = 0; i < prog->nrules; i++) {
		if (!rule_is_due(prog, ev, i))
			continue;
		const struct rt_rule *r = &prog->rules[i];
		if (letters) {
			if (r->letter == UINT32_MAX)
				continue;
			len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", len ? "; " : "",
			                        rt_program_str(prog, prog->letters[r->letter].title));
		} else {
			for (uint32_t a = 0; a < r->action_count && len < sizeof buf; a++) {
				const struct rt_action *act = &prog->actions[r->first_action + a];
				len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s%s%s%s", len ? "; " : "",
				                        rt_program_str(prog, act->text), act->owner != RT_NO_STRING ? " (" : "",
				                        rt_program_str(prog, act->owner), act->owner != RT_NO_STRING ? ")" : "");
			}
		}
		if (len >= sizeof buf)
			len = sizeof buf - 1;
	}
	base_utf8_repair(buf, len);
	if (csv)
		base_csv_field(out, buf);
	else
		fputs_unlocked(buf, out);
}

static void
text_pupil(const struct rt_program *prog, const struct eng_outcome *o, FILE *out)
{
	const struct rt_eval *ev = o->ev;
	const struct rt_summary *s = &ev->summary;
	char name[160], att[32], stage[160];
	pupil_name(o->pupil, name, sizeof name);
	percent(s, s->present, 1, att, sizeof att);
	if (!att[0])
		snprintf(att, sizeof att, "-");
	if (ev->stage_rule >= 0)
		snprintf(stage, sizeof stage, "%d %s", ev->stage, rule_title(prog, &prog->rules[ev->stage_rule]));
	else
		snprintf(stage, sizeof stage, "-");
	fprintf(out, "%-14s ", o->pupil->upn);
	text_column(out, name, 24);
	fprintf(out, " %5" PRId64 " %5" PRId64 " %5" PRId64 " %6" PRId64 " %8s  %-3s %-3s %s\n",
	        s->possible, s->present, s->authorised, s->unauthorised, att,
	        flag_holds(prog, ev, FLAG_PERSISTENT) ? "yes" : "no", flag_holds(prog, ev, FLAG_SEVERE) ? "yes" : "no",
	        stage);
	for (size_t i = 0; i < prog->nrules; i++) {
		const struct rt_rule *r = &prog->rules[i];
		if (!rule_is_due(prog, ev, i))
			continue;
		if (r->kind == RT_RULE_FLAG) {
			const char *n = rt_program_str(prog, r->name);
			if (strcmp(n, FLAG_PERSISTENT) && strcmp(n, FLAG_SEVERE))
				fprintf(out, "%15s flag: %s\n", "", rule_title(prog, r));
		}
		for (uint32_t a = 0; a < r->action_count; a++) {
			const struct rt_action *act = &prog->actions[r->first_action + a];
			fprintf(out, "%15s action: %s", "", rt_program_str(prog, act->text));
			if (act->owner != RT_NO_STRING)
				fprintf(out, " (%s)", rt_program_str(prog, act->owner));
			putc_unlocked('\n', out);
		}
		if (r->letter != UINT32_MAX)
			fprintf(out, "%15s letter: %s\n", "", rt_program_str(prog, prog->letters[r->letter].title));
		if (r->kind == RT_RULE_PENALTY && o->nparents) {
			for (size_t p = 0; p < o->nparents; p++) {
				const struct eng_parent_notice *pn = &o->parents[p];
				char f[128] = "no amount in force on this date";
				if (pn->fine)
					eng_fine_text(pn->fine, f, sizeof f);
				if (pn->covered) {
					char d[11];
					rt_date_format(pn->covered_until, d);
					fprintf(out, "%15s penalty notice to %s (%s): none, these sessions counted toward the notice "
					             "of %s\n", "", pn->parent->name, pn->parent->parent_id, d);
				} else if (pn->capped)
					fprintf(out, "%15s penalty notice to %s (%s): none, %d already in %u years: %s\n", "",
					        pn->parent->name, pn->parent->parent_id, pn->counted, prog->penalty.cap_years,
					        o->alternative);
				else
					fprintf(out, "%15s penalty notice to %s (%s) must be considered: notice %d, %s\n", "",
					        pn->parent->name, pn->parent->parent_id, pn->ordinal, f);
			}
		} else if (r->kind == RT_RULE_PENALTY) {
			char f[128] = "no amount in force on this date";
			if (o->fine)
				eng_fine_text(o->fine, f, sizeof f);
			fprintf(out, "%15s penalty notice must be considered: %s\n", "", f);
		}
	}
	for (size_t i = 0; i < o->ndisagreements; i++) {
		char d[256];
		disagreement_text(prog, &o->disagreements[i], d, sizeof d);
		fprintf(out, "%15s register: %s\n", "", d);
	}
}

/* JSON: the figures, up to the severe-absence flag. */
static void
json_figures(const struct rt_program *prog, const struct eng_outcome *o, const char *urn, FILE *out)
{
	const struct rt_eval *ev = o->ev;
	const struct rt_summary *s = &ev->summary;
	char buf[256], date[11];
	rt_date_format(o->as_of, date);
	if (urn)
		fprintf(out, "{\"urn\":\"%s\",\"upn\":", urn);
	else
		fputs_unlocked("{\"upn\":", out);
	base_json_string(out, o->pupil->upn);
	pupil_name(o->pupil, buf, sizeof buf);
	fputs_unlocked(",\"name\":", out);
	base_json_string(out, buf);
	if (o->pupil->year_group >= 0)
		fprintf(out, ",\"year_group\":%d", o->pupil->year_group);
	fprintf(out, ",\"as_of\":\"%s\",\"possible\":%" PRId64 ",\"present\":%" PRId64 ",\"authorised\":%" PRId64
	             ",\"unauthorised\":%" PRId64, date, s->possible, s->present, s->authorised, s->unauthorised);
	/* null when nothing was possible: there is no rate */
	percent(s, s->present, 0, buf, sizeof buf);
	fprintf(out, buf[0] ? ",\"attendance_percent\":\"%s\"" : ",\"attendance_percent\":null%s", buf);
	percent(s, s->authorised + s->unauthorised, 0, buf, sizeof buf);
	fprintf(out, buf[0] ? ",\"absence_percent\":\"%s\"" : ",\"absence_percent\":null%s", buf);
	fprintf(out, ",\"persistent_absence\":%s,\"severe_absence\":%s",
	        flag_holds(prog, ev, FLAG_PERSISTENT) ? "true" : "false",
	        flag_holds(prog, ev, FLAG_SEVERE) ? "true" : "false");
}

/* JSON: the stage, flags, actions and letters due. */
static void
json_rules(const struct rt_program *prog, const struct rt_eval *ev, FILE *out)
{
	if (ev->stage_rule >= 0) {
		fprintf(out, ",\"stage\":{\"number\":%d,\"title\":", ev->stage);
		base_json_string(out, rule_title(prog, &prog->rules[ev->stage_rule]));
		putc_unlocked('}', out);
	} else {
		fputs_unlocked(",\"stage\":null", out);
	}
	fputs_unlocked(",\"flags\":[", out);
	int first = 1;
	for (size_t i = 0; i < prog->nrules; i++) {
		if (prog->rules[i].kind != RT_RULE_FLAG || !ev->outcomes[i])
			continue;
		if (!first)
			putc_unlocked(',', out);
		base_json_string(out, rt_program_str(prog, prog->rules[i].name));
		first = 0;
	}
	fputs_unlocked("],\"actions\":[", out);
	first = 1;
	for (size_t i = 0; i < prog->nrules; i++) {
		if (!rule_is_due(prog, ev, i))
			continue;
		const struct rt_rule *r = &prog->rules[i];
		for (uint32_t a = 0; a < r->action_count; a++) {
			const struct rt_action *act = &prog->actions[r->first_action + a];
			fputs_unlocked(first ? "{\"text\":" : ",{\"text\":", out);
			base_json_string(out, rt_program_str(prog, act->text));
			fputs_unlocked(",\"owner\":", out);
			if (act->owner != RT_NO_STRING)
				base_json_string(out, rt_program_str(prog, act->owner));
			else
				fputs_unlocked("null", out);
			fputs_unlocked(",\"rule\":", out);
			base_json_string(out, rule_title(prog, r));
			putc_unlocked('}', out);
			first = 0;
		}
	}
	fputs_unlocked("],\"letters\":[", out);
	first = 1;
	for (size_t i = 0; i < prog->nrules; i++) {
		const struct rt_rule *r = &prog->rules[i];
		if (!rule_is_due(prog, ev, i) || r->letter == UINT32_MAX)
			continue;
		if (!first)
			putc_unlocked(',', out);
		base_json_string(out, rt_program_str(prog, prog->letters[r->letter].name));
		first = 0;
	}
	putc_unlocked(']', out);
}

static void
json_parent_notice(const struct eng_outcome *o, const struct eng_parent_notice *pn, FILE *out)
{
	base_json_string(out, pn->parent->parent_id);
	fputs_unlocked(",\"name\":", out);
	base_json_string(out, pn->parent->name);
	if (pn->covered) {
		char d[11];
		rt_date_format(pn->covered_until, d);
		fprintf(out, ",\"covered_by_notice_of\":\"%s\"", d);
	} else if (pn->capped) {
		fprintf(out, ",\"notices_counted\":%d,\"alternative\":", pn->counted);
		base_json_string(out, o->alternative);
	} else {
		fprintf(out, ",\"notice\":%d", pn->ordinal);
		if (pn->fine) {
			fprintf(out, ",\"amount_pence\":%" PRId64 ",\"within_days\":%u", pn->fine->pence,
			        pn->fine->days);
			if (pn->fine->later_pence)
				fprintf(out, ",\"later_amount_pence\":%" PRId64 ",\"later_within_days\":%u",
				        pn->fine->later_pence, pn->fine->later_days);
		}
	}
	putc_unlocked('}', out);
}

static void
json_penalty(const struct eng_outcome *o, FILE *out)
{
	fputs_unlocked(",\"penalty_notice\":", out);
	if (o->nparents) {
		fputs_unlocked("{\"consider\":true,\"parents\":[", out);
		for (size_t p = 0; p < o->nparents; p++) {
			fputs_unlocked(p ? ",{\"parent_id\":" : "{\"parent_id\":", out);
			json_parent_notice(o, &o->parents[p], out);
		}
		fputs_unlocked("]}", out);
	} else if (o->fine) {
		fprintf(out, "{\"consider\":true,\"notice\":1,\"amount_pence\":%" PRId64 ",\"within_days\":%u", o->fine->pence,
		        o->fine->days);
		if (o->fine->later_pence)
			fprintf(out, ",\"later_amount_pence\":%" PRId64 ",\"later_within_days\":%u", o->fine->later_pence,
			        o->fine->later_days);
		putc_unlocked('}', out);
	} else {
		fprintf(out, "{\"consider\":%s}", o->penalty ? "true" : "false");
	}
}

static void
json_disagreements(const struct rt_program *prog, const struct eng_outcome *o, FILE *out)
{
	char date[11];
	fputs_unlocked(",\"register_disagreements\":[", out);
	for (size_t i = 0; i < o->ndisagreements; i++) {
		const struct eng_disagreement *d = &o->disagreements[i];
		char t[6];
		rt_date_format(d->date, date);
		rt_time_format(d->arrival, t);
		fprintf(out, "%s{\"date\":\"%s\",\"session\":\"%s\",\"arrival\":\"%s\",\"recorded\":", i ? "," : "", date,
		        d->session == RT_AM ? "AM" : "PM", t);
		base_json_string(out, rt_program_str(prog, prog->codes[d->recorded].name));
		fputs_unlocked(",\"policy_gives\":", out);
		if (d->expected == RT_NO_MARK)
			fputs_unlocked("null", out);
		else
			base_json_string(out, rt_program_str(prog, prog->codes[d->expected].name));
		putc_unlocked('}', out);
	}
	putc_unlocked(']', out);
}

static void
json_pupil(const struct rt_program *prog, const struct eng_outcome *o, const char *urn, FILE *out)
{
	json_figures(prog, o, urn, out);
	json_rules(prog, o->ev, out);
	json_penalty(o, out);
	json_disagreements(prog, o, out);
	fputs_unlocked("}\n", out);
}

static void
csv_pupil(const struct rt_program *prog, const struct eng_outcome *o, const char *urn, FILE *out)
{
	const struct rt_eval *ev = o->ev;
	const struct rt_summary *s = &ev->summary;
	char buf[256], date[11];
	rt_date_format(o->as_of, date);
	if (urn)
		fprintf(out, "%s,", urn);
	base_csv_field(out, o->pupil->upn);
	putc_unlocked(',', out);
	pupil_name(o->pupil, buf, sizeof buf);
	base_csv_field(out, buf);
	fprintf(out, ",%s,%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",", date, s->possible, s->present,
	        s->authorised, s->unauthorised);
	percent(s, s->present, 0, buf, sizeof buf);
	fputs_unlocked(buf, out);
	fprintf(out, ",%s,%s,", flag_holds(prog, ev, FLAG_PERSISTENT) ? "yes" : "no",
	        flag_holds(prog, ev, FLAG_SEVERE) ? "yes" : "no");
	if (ev->stage_rule >= 0) {
		fprintf(out, "%d,", ev->stage);
		base_csv_field(out, rule_title(prog, &prog->rules[ev->stage_rule]));
	} else {
		fputs_unlocked(",", out);
	}
	putc_unlocked(',', out);
	join_due(prog, ev, 0, out, 1);
	putc_unlocked(',', out);
	join_due(prog, ev, 1, out, 1);
	putc_unlocked(',', out);
	const struct rt_fine *fine = o->fine;
	for (size_t p = 0; p < o->nparents && !fine; p++)
		if (!o->parents[p].covered)
			fine = o->parents[p].fine; /* with parents on record: the first parent owed a notice */
	if (fine) {
		fprintf(out, "yes,%" PRId64 "\n", fine->pence);
	} else {
		fprintf(out, "%s,\n", o->penalty ? "yes" : "no");
	}
}

static struct eng_report *
report_of(struct eng_consumer *c)
{
	return (struct eng_report *)c; /* the consumer is the first member */
}

static int
report_begin(struct eng_consumer *c, const struct rt_program *prog)
{
	(void)prog;
	struct eng_report *r = report_of(c);
	if (r->no_header)
		return 0;
	if (r->format == ENG_FORMAT_CSV && r->urn)
		fputs_unlocked("urn,", r->out);
	if (r->format == ENG_FORMAT_CSV)
		fputs_unlocked("upn,name,as_of,possible,present,authorised,unauthorised,attendance_percent,persistent_absence,"
		      "severe_absence,stage,stage_title,actions,letters,penalty_notice,penalty_amount_pence\n",
		      r->out);
	else if (r->format == ENG_FORMAT_TEXT)
		fprintf(r->out, "%-14s %-24s %5s %5s %5s %6s %8s  %-3s %-3s %s\n", "UPN", "Name", "Poss", "Pres", "Auth",
		        "Unauth", "Attend", "PA", "SA", "Stage");
	return 0;
}

static int
report_pupil(struct eng_consumer *c, const struct rt_program *prog, const struct eng_outcome *o)
{
	struct eng_report *r = report_of(c);
	switch (r->format) {
	case ENG_FORMAT_TEXT: text_pupil(prog, o, r->out); break;
	case ENG_FORMAT_JSON: json_pupil(prog, o, r->urn, r->out); break;
	case ENG_FORMAT_CSV: csv_pupil(prog, o, r->urn, r->out); break;
	}
	return 0;
}

static int
report_end(struct eng_consumer *c, const struct rt_program *prog)
{
	(void)prog;
	fflush(report_of(c)->out);
	return 0;
}

struct eng_consumer *
eng_report_init(struct eng_report *r, enum eng_format format, FILE *out)
{
	*r = (struct eng_report){ { report_begin, report_pupil, report_end, 0, NULL }, format, out, NULL, 0 };
	return &r->consumer;
}
