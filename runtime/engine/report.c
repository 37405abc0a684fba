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

/* Appends s to buf[*len..size), keeping it NUL-terminated and within size. */
static void
append(char *buf, size_t size, size_t *len, const char *s)
{
	size_t n = strlen(s);
	if (n > size - 1 - *len)
		n = size - 1 - *len;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = 0;
}

/* "Surname, Forename" into buf. The cursor gives names as well-formed UTF-8
 * (reg_text), so only a name cut short can end mid-character: repaired then. */
static void
pupil_name(const struct reg_pupil *p, char *buf, size_t size)
{
	const char *sur = p->surname ? p->surname : "";
	const char *fore = p->forename ? p->forename : "";
	size_t len = 0;
	buf[0] = 0;
	append(buf, size, &len, sur);
	append(buf, size, &len, *sur && *fore ? ", " : "");
	append(buf, size, &len, fore);
	if (len == size - 1)
		base_utf8_repair(buf, len);
}

/* Joins the due actions (or letters) as "text (owner); text (owner)" into buf. */
static void
join_due(const struct rt_program *prog, const struct rt_eval *ev, int letters, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = 0;
	for (size_t i = 0; i < prog->nrules; i++) {
		if (!rule_is_due(prog, ev, i))
			continue;
		const struct rt_rule *r = &prog->rules[i];
		if (letters) {
			if (r->letter == UINT32_MAX)
				continue;
			append(buf, size, &len, len ? "; " : "");
			append(buf, size, &len, rt_program_str(prog, prog->letters[r->letter].title));
			continue;
		}
		for (uint32_t a = 0; a < r->action_count; a++) {
			const struct rt_action *act = &prog->actions[r->first_action + a];
			append(buf, size, &len, len ? "; " : "");
			append(buf, size, &len, rt_program_str(prog, act->text));
			if (act->owner != RT_NO_STRING) {
				append(buf, size, &len, " (");
				append(buf, size, &len, rt_program_str(prog, act->owner));
				append(buf, size, &len, ")");
			}
		}
	}
	base_utf8_repair(buf, len);
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

/* The as-of date, formatted once per date rather than once per pupil. */
static const char *
as_of_text(struct eng_report *r, rt_date as_of)
{
	if (!r->as_of_text[0] || r->as_of != as_of) {
		rt_date_format(as_of, r->as_of_text);
		r->as_of = as_of;
	}
	return r->as_of_text;
}

static int
rule_holds(const struct rt_eval *ev, int rule)
{
	return rule >= 0 && ev->outcomes[rule];
}

/* part / possible as a machine percentage, "92.37"; nothing when nothing was possible. */
static void
put_percent(struct base_out *b, const struct rt_summary *s, int64_t part)
{
	char num[48];
	if (s->possible)
		base_out_mem(b, num, base_format_decimal(100 * part, s->possible, 2, num));
}

static void
put_field(struct base_out *b, const char *name, int64_t value)
{
	base_out_str(b, name);
	base_out_int(b, value);
}

/* JSON: the figures, up to the severe-absence flag. */
static void
json_figures(struct eng_report *r, const struct eng_outcome *o, struct base_out *b)
{
	const struct rt_eval *ev = o->ev;
	const struct rt_summary *s = &ev->summary;
	char name[256];
	if (r->urn) {
		base_out_str(b, "{\"urn\":\"");
		base_out_str(b, r->urn);
		base_out_str(b, "\",\"upn\":");
	} else {
		base_out_str(b, "{\"upn\":");
	}
	base_out_json(b, o->pupil->upn);
	pupil_name(o->pupil, name, sizeof name);
	base_out_str(b, ",\"name\":");
	base_out_json(b, name);
	if (o->pupil->year_group != RT_NO_YEAR)
		put_field(b, ",\"year_group\":", o->pupil->year_group);
	base_out_str(b, ",\"as_of\":\"");
	base_out_str(b, as_of_text(r, o->as_of));
	put_field(b, "\",\"possible\":", s->possible);
	put_field(b, ",\"present\":", s->present);
	put_field(b, ",\"authorised\":", s->authorised);
	put_field(b, ",\"unauthorised\":", s->unauthorised);
	/* null when nothing was possible: there is no rate */
	base_out_str(b, s->possible ? ",\"attendance_percent\":\"" : ",\"attendance_percent\":null");
	put_percent(b, s, s->present);
	base_out_str(b, s->possible ? "\",\"absence_percent\":\"" : ",\"absence_percent\":null");
	put_percent(b, s, s->authorised + s->unauthorised);
	base_out_str(b, s->possible ? "\",\"persistent_absence\":" : ",\"persistent_absence\":");
	base_out_str(b, rule_holds(ev, r->persistent_rule) ? "true" : "false");
	base_out_str(b, rule_holds(ev, r->severe_rule) ? ",\"severe_absence\":true" : ",\"severe_absence\":false");
}

static void
json_actions(const struct rt_program *prog, const struct rt_eval *ev, struct base_out *b)
{
	int first = 1;
	for (size_t i = 0; i < prog->nrules; i++) {
		if (!rule_is_due(prog, ev, i))
			continue;
		const struct rt_rule *r = &prog->rules[i];
		for (uint32_t a = 0; a < r->action_count; a++) {
			const struct rt_action *act = &prog->actions[r->first_action + a];
			base_out_str(b, first ? "{\"text\":" : ",{\"text\":");
			base_out_json(b, rt_program_str(prog, act->text));
			base_out_str(b, ",\"owner\":");
			if (act->owner != RT_NO_STRING)
				base_out_json(b, rt_program_str(prog, act->owner));
			else
				base_out_str(b, "null");
			base_out_str(b, ",\"rule\":");
			base_out_json(b, rule_title(prog, r));
			base_out_char(b, '}');
			first = 0;
		}
	}
}

/* JSON: the stage, flags, actions and letters due. */
static void
json_rules(const struct rt_program *prog, const struct rt_eval *ev, struct base_out *b)
{
	if (ev->stage_rule >= 0) {
		put_field(b, ",\"stage\":{\"number\":", ev->stage);
		base_out_str(b, ",\"title\":");
		base_out_json(b, rule_title(prog, &prog->rules[ev->stage_rule]));
		base_out_char(b, '}');
	} else {
		base_out_str(b, ",\"stage\":null");
	}
	base_out_str(b, ",\"flags\":[");
	int first = 1;
	for (size_t i = 0; i < prog->nrules; i++) {
		if (prog->rules[i].kind != RT_RULE_FLAG || !ev->outcomes[i])
			continue;
		if (!first)
			base_out_char(b, ',');
		base_out_json(b, rt_program_str(prog, prog->rules[i].name));
		first = 0;
	}
	base_out_str(b, "],\"actions\":[");
	json_actions(prog, ev, b);
	base_out_str(b, "],\"letters\":[");
	first = 1;
	for (size_t i = 0; i < prog->nrules; i++) {
		const struct rt_rule *r = &prog->rules[i];
		if (!rule_is_due(prog, ev, i) || r->letter == UINT32_MAX)
			continue;
		if (!first)
			base_out_char(b, ',');
		base_out_json(b, rt_program_str(prog, prog->letters[r->letter].name));
		first = 0;
	}
	base_out_char(b, ']');
}

static void
json_fine(const struct rt_fine *f, struct base_out *b)
{
	put_field(b, ",\"amount_pence\":", f->pence);
	put_field(b, ",\"within_days\":", f->days);
	if (f->later_pence) {
		put_field(b, ",\"later_amount_pence\":", f->later_pence);
		put_field(b, ",\"later_within_days\":", f->later_days);
	}
}

static void
json_parent_notice(const struct eng_outcome *o, const struct eng_parent_notice *pn, struct base_out *b)
{
	base_out_json(b, pn->parent->parent_id);
	base_out_str(b, ",\"name\":");
	base_out_json(b, pn->parent->name);
	if (pn->covered) {
		char d[11];
		rt_date_format(pn->covered_until, d);
		base_out_str(b, ",\"covered_by_notice_of\":\"");
		base_out_str(b, d);
		base_out_char(b, '"');
	} else if (pn->capped) {
		put_field(b, ",\"notices_counted\":", pn->counted);
		base_out_str(b, ",\"alternative\":");
		base_out_json(b, o->alternative);
	} else {
		put_field(b, ",\"notice\":", pn->ordinal);
		if (pn->fine)
			json_fine(pn->fine, b);
	}
	base_out_char(b, '}');
}

static void
json_penalty(const struct eng_outcome *o, struct base_out *b)
{
	base_out_str(b, ",\"penalty_notice\":");
	if (o->nparents) {
		base_out_str(b, "{\"consider\":true,\"parents\":[");
		for (size_t p = 0; p < o->nparents; p++) {
			base_out_str(b, p ? ",{\"parent_id\":" : "{\"parent_id\":");
			json_parent_notice(o, &o->parents[p], b);
		}
		base_out_str(b, "]}");
	} else if (o->fine) {
		base_out_str(b, "{\"consider\":true,\"notice\":1");
		json_fine(o->fine, b);
		base_out_char(b, '}');
	} else {
		base_out_str(b, o->penalty ? "{\"consider\":true}" : "{\"consider\":false}");
	}
}

static void
json_disagreements(const struct rt_program *prog, const struct eng_outcome *o, struct base_out *b)
{
	base_out_str(b, ",\"register_disagreements\":[");
	for (size_t i = 0; i < o->ndisagreements; i++) {
		const struct eng_disagreement *d = &o->disagreements[i];
		char date[11], t[6];
		rt_date_format(d->date, date);
		rt_time_format(d->arrival, t);
		base_out_str(b, i ? ",{\"date\":\"" : "{\"date\":\"");
		base_out_str(b, date);
		base_out_str(b, d->session == RT_AM ? "\",\"session\":\"AM\",\"arrival\":\"" : "\",\"session\":\"PM\",\"arrival\":\"");
		base_out_str(b, t);
		base_out_str(b, "\",\"recorded\":");
		base_out_json(b, rt_program_str(prog, prog->codes[d->recorded].name));
		base_out_str(b, ",\"policy_gives\":");
		if (d->expected == RT_NO_MARK)
			base_out_str(b, "null");
		else
			base_out_json(b, rt_program_str(prog, prog->codes[d->expected].name));
		base_out_char(b, '}');
	}
	base_out_char(b, ']');
}

static void
json_pupil(struct eng_report *r, const struct rt_program *prog, const struct eng_outcome *o)
{
	json_figures(r, o, &r->buf);
	json_rules(prog, o->ev, &r->buf);
	json_penalty(o, &r->buf);
	json_disagreements(prog, o, &r->buf);
	base_out_str(&r->buf, "}\n");
}

/* stage,stage_title,actions,letters: what the rules due give. */
static void
csv_due_fields(struct base_out *b, const struct rt_program *prog, const struct rt_eval *ev, char *buf, size_t size)
{
	if (ev->stage_rule >= 0) {
		base_out_int(b, ev->stage);
		base_out_char(b, ',');
		base_out_csv(b, rule_title(prog, &prog->rules[ev->stage_rule]));
	} else {
		base_out_char(b, ',');
	}
	base_out_char(b, ',');
	join_due(prog, ev, 0, buf, size);
	base_out_csv(b, buf);
	base_out_char(b, ',');
	join_due(prog, ev, 1, buf, size);
	base_out_csv(b, buf);
}

/* csv_due_fields, from the text kept for the same rules due when there is one
 * (the fields depend on nothing else), else written and kept. */
static void
csv_due(struct eng_report *r, const struct rt_program *prog, const struct rt_eval *ev, char *buf, size_t size)
{
	struct base_out *b = &r->buf;
	uint64_t due = 0;
	for (size_t i = 0; i < prog->nrules && i < 64; i++)
		due |= (uint64_t)rule_is_due(prog, ev, i) << i;
	const size_t n = sizeof r->due_fields / sizeof r->due_fields[0];
	for (size_t k = 0; prog->nrules <= 64 && k < n; k++) {
		const struct eng_due_field *f = &r->due_fields[k];
		if (f->len && f->due == due && f->stage_rule == ev->stage_rule) {
			base_out_mem(b, f->text, f->len);
			return;
		}
	}
	size_t start = b->len;
	unsigned long flushes = b->flushes;
	csv_due_fields(b, prog, ev, buf, size);
	struct eng_due_field *f = &r->due_fields[r->next_due_field];
	if (prog->nrules > 64 || b->flushes != flushes || b->len - start > sizeof f->text)
		return;
	f->due = due;
	f->stage_rule = ev->stage_rule;
	f->len = b->len - start;
	memcpy(f->text, b->buf + start, f->len);
	r->next_due_field = (r->next_due_field + 1) % n;
}

static void
csv_pupil(struct eng_report *r, const struct rt_program *prog, const struct eng_outcome *o)
{
	const struct rt_eval *ev = o->ev;
	const struct rt_summary *s = &ev->summary;
	struct base_out *b = &r->buf;
	char buf[4096];
	if (r->urn) {
		base_out_str(b, r->urn);
		base_out_char(b, ',');
	}
	base_out_csv(b, o->pupil->upn);
	base_out_char(b, ',');
	pupil_name(o->pupil, buf, sizeof buf);
	base_out_csv(b, buf);
	base_out_char(b, ',');
	base_out_str(b, as_of_text(r, o->as_of));
	put_field(b, ",", s->possible);
	put_field(b, ",", s->present);
	put_field(b, ",", s->authorised);
	put_field(b, ",", s->unauthorised);
	base_out_char(b, ',');
	put_percent(b, s, s->present);
	base_out_str(b, rule_holds(ev, r->persistent_rule) ? ",yes" : ",no");
	base_out_str(b, rule_holds(ev, r->severe_rule) ? ",yes," : ",no,");
	csv_due(r, prog, ev, buf, sizeof buf);
	const struct rt_fine *fine = o->fine;
	for (size_t p = 0; p < o->nparents && !fine; p++)
		if (!o->parents[p].covered)
			fine = o->parents[p].fine; /* with parents on record: the first parent owed a notice */
	if (fine)
		put_field(b, ",yes,", fine->pence);
	else
		base_out_str(b, o->penalty ? ",yes," : ",no,");
	base_out_char(b, '\n');
}

static struct eng_report *
report_of(struct eng_consumer *c)
{
	return (struct eng_report *)c; /* the consumer is the first member */
}

static int
find_flag(const struct rt_program *prog, const char *name)
{
	for (size_t i = 0; i < prog->nrules; i++)
		if (prog->rules[i].kind == RT_RULE_FLAG && strcmp(rt_program_str(prog, prog->rules[i].name), name) == 0)
			return (int)i;
	return -1;
}

static int
report_begin(struct eng_consumer *c, const struct rt_program *prog)
{
	struct eng_report *r = report_of(c);
	r->persistent_rule = find_flag(prog, FLAG_PERSISTENT);
	r->severe_rule = find_flag(prog, FLAG_SEVERE);
	memset(r->due_fields, 0, sizeof r->due_fields); /* kept by rule index: for this program only */
	r->next_due_field = 0;
	base_out_init(&r->buf, r->out);
	if (r->no_header)
		return 0;
	if (r->format == ENG_FORMAT_CSV && r->urn)
		base_out_str(&r->buf, "urn,");
	if (r->format == ENG_FORMAT_CSV)
		base_out_str(&r->buf, "upn,name,as_of,possible,present,authorised,unauthorised,attendance_percent,"
		                      "persistent_absence,severe_absence,stage,stage_title,actions,letters,penalty_notice,"
		                      "penalty_amount_pence\n");
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
	case ENG_FORMAT_JSON: json_pupil(r, prog, o); break;
	case ENG_FORMAT_CSV: csv_pupil(r, prog, o); break;
	}
	/* each pupil's line reaches the stream at once: a failure later keeps what came before */
	base_out_flush(&r->buf);
	return 0;
}

static int
report_end(struct eng_consumer *c, const struct rt_program *prog)
{
	(void)prog;
	struct eng_report *r = report_of(c);
	base_out_flush(&r->buf);
	fflush(r->out);
	return 0;
}

struct eng_consumer *
eng_report_init(struct eng_report *r, enum eng_format format, FILE *out)
{
	r->consumer = (struct eng_consumer){ report_begin, report_pupil, report_end, 0, NULL };
	r->format = format;
	r->out = out;
	r->urn = NULL;
	r->no_header = 0;
	r->persistent_rule = r->severe_rule = -1;
	r->as_of_text[0] = 0;
	base_out_init(&r->buf, out);
	memset(r->due_fields, 0, sizeof r->due_fields);
	r->next_due_field = 0;
	return &r->consumer;
}
