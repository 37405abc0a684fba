/*
 * The disassembler: a stable, readable listing of a program's tables and
 * code (golden tests compare it byte for byte, so nothing here depends on
 * addresses, locale or hash order), and the opcode table as Markdown.
 * It stays defensive about indexes so it can show a program that failed
 * verification.
 */
#include "runtime/machine/bytecode.h"
#include "runtime/machine/opcodes.h"

#include <stdio.h>
#include <string.h>

/* Prints s as a double-quoted string with C-style escapes. */
static void
print_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		switch (*c) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*c < 0x20 || *c == 0x7f)
				fprintf(out, "\\x%02x", *c);
			else
				fputc(*c, out);
		}
	}
	fputc('"', out);
}

/* A string by index: quoted, or "-" when absent. */
static void
print_str(FILE *out, const struct rt_program *p, uint32_t s)
{
	if (s == RT_NO_STRING || s >= p->nstrings)
		fputc('-', out);
	else
		print_quoted(out, p->strings[s]);
}

static void
print_date(FILE *out, rt_date d)
{
	char buf[11];
	if (d == RT_DATE_MIN || d == RT_DATE_MAX) {
		fputs("open", out);
		return;
	}
	rt_date_format(d, buf);
	fputs(buf, out);
}

static void
print_value(FILE *out, const struct rt_value *v)
{
	char buf[64];
	rt_value_format(v, buf, sizeof buf);
	fprintf(out, "%s (%s, %lld/%lld)", buf, rt_unit_name(v->unit), (long long)v->num, (long long)v->den);
}

static const char *
code_name(const struct rt_program *p, size_t code)
{
	return code < p->ncodes ? rt_program_str(p, p->codes[code].name) : "?";
}

static const char *
kind_name(uint8_t kind)
{
	static const char *const names[] = { "sessions", "days", "rate", "consecutive days", "half term",
	                                     "weeks since", "days since", "longest run" };
	return kind < RT_M__COUNT ? names[kind] : "?";
}

static const char *
rule_kind_name(uint8_t kind)
{
	static const char *const names[] = { "flag", "stage", "penalty" };
	return kind <= RT_RULE_PENALTY ? names[kind] : "?";
}

/* A measure's period in structured form; the label (as the author wrote it) follows as a comment. */
static void
print_measure_text(FILE *out, const struct rt_program *p, const struct rt_measure *m)
{
	if (m->kind != RT_M_HALF_TERM && m->kind != RT_M_WEEKS_SINCE && m->kind != RT_M_DAYS_SINCE) {
		switch ((enum rt_period)m->period) {
		case RT_P_YEAR: fputs("year  ", out); break;
		case RT_P_TERM: fputs("term  ", out); break;
		case RT_P_HALF_TERM: fputs("half term  ", out); break;
		case RT_P_SCHOOL_WEEKS: fprintf(out, "last %u school weeks  ", m->weeks); break;
		case RT_P_ANY_WEEKS_YEAR: fprintf(out, "most in any %u school weeks of the year  ", m->weeks); break;
		case RT_P_ANY_WEEKS_TERM: fprintf(out, "most in any %u school weeks of the term  ", m->weeks); break;
		case RT_P_SINCE: fprintf(out, "since rule %u  ", m->rule); break;
		case RT_P__COUNT: fputs("(unknown period)  ", out); break;
		}
	}
	if (m->flags & RT_MEASURE_AFTER_NOTICE)
		fputs("after notice  ", out);
	if (m->flags & RT_MEASURE_RECORDED)
		fputs("recorded  ", out);
	fputs("; ", out);
	fputs(m->label == RT_NO_STRING ? kind_name(m->kind) : rt_program_str(p, m->label), out);
}

static void
print_header(FILE *out, const struct rt_program *p)
{
	fprintf(out, "; attend bytecode %d.%d\n; source file: ", RT_BYTECODE_VERSION_MAJOR, RT_BYTECODE_VERSION_MINOR);
	print_str(out, p, p->source_file);
	fputc('\n', out);
	for (size_t i = 0; i < p->nfacts; i++) {
		const char *key = rt_program_str(p, p->facts[i].key);
		if (strncmp(key, "identity.", 9) != 0)
			continue;
		fprintf(out, "; %s: ", key + 9);
		if (p->facts[i].text != RT_NO_STRING)
			print_str(out, p, p->facts[i].text);
		else
			print_value(out, &p->facts[i].value);
		fputc('\n', out);
	}
}

static void
print_codes(FILE *out, const struct rt_program *p)
{
	fprintf(out, "\ncodes (%zu)\n", p->ncodes);
	for (size_t i = 0; i < p->ncodes; i++) {
		const struct rt_code *c = &p->codes[i];
		fprintf(out, "  %3zu  %-5s %-13s %-8s maps to %-5s valid ", i, code_name(p, i),
		        c->category < RT_CAT__COUNT ? rt_category_name(c->category) : "?",
		        c->flags & RT_CODE_PENALTY ? "penalty" : "-", code_name(p, c->maps_to));
		print_date(out, c->valid_from);
		fputs("..", out);
		print_date(out, c->valid_until);
		fputs("  ", out);
		print_str(out, p, c->meaning);
		fprintf(out, "  (line %u)\n", c->line);
	}
	fprintf(out, "\ncodesets (%zu)\n", p->ncodesets);
	for (size_t i = 0; i < p->ncodesets; i++) {
		fprintf(out, "  %3zu  {", i);
		for (unsigned k = 0; k < 256; k++)
			if (rt_codeset_has(&p->codesets[i], k))
				fprintf(out, " %s", code_name(p, k));
		fputs(" }\n", out);
	}
}

static void
print_measures(FILE *out, const struct rt_program *p)
{
	fprintf(out, "\nmeasures (%zu)\n", p->nmeasures);
	for (size_t i = 0; i < p->nmeasures; i++) {
		const struct rt_measure *m = &p->measures[i];
		if (m->kind == RT_M_WEEKS_SINCE || m->kind == RT_M_DAYS_SINCE)
			fprintf(out, "  %3zu  %-16s rule %-6u ", i, kind_name(m->kind), m->rule);
		else
			fprintf(out, "  %3zu  %-16s codeset %-3u ", i, kind_name(m->kind), m->codeset);
		print_measure_text(out, p, m);
		fputc('\n', out);
	}
	fprintf(out, "\nschedules (%zu)\n", p->nschedules);
	for (size_t i = 0; i < p->nschedules; i++) {
		const struct rt_schedule *s = &p->schedules[i];
		fprintf(out, "  %3zu  %s (%s):", i, rt_program_str(p, s->name), rt_unit_name(s->unit));
		const char *sep = " ";
		for (int h = 0; h < RT_MAX_HALF_TERMS; h++)
			if (s->present >> h & 1) {
				fprintf(out, "%shalf term %d = %lld", sep, h + 1, (long long)s->num[h]);
				sep = ", ";
			}
		fprintf(out, "  (line %u)\n", s->line);
	}
}

static void print_range(FILE *out, const struct rt_range *r);

static void
print_rules(FILE *out, const struct rt_program *p)
{
	fprintf(out, "\nrules (%zu)\n", p->nrules);
	for (size_t i = 0; i < p->nrules; i++) {
		const struct rt_rule *r = &p->rules[i];
		fprintf(out, "  %3zu  %-7s", i, rule_kind_name(r->kind));
		if (r->kind == RT_RULE_STAGE)
			fprintf(out, " %u", r->stage);
		fputc(' ', out);
		print_str(out, p, r->name);
		fputc(' ', out);
		print_str(out, p, r->title);
		fputs(" letter ", out);
		if (r->letter < p->nletters)
			fputs(rt_program_str(p, p->letters[r->letter].name), out);
		else
			fputc('-', out);
		fputs(" source ", out);
		print_str(out, p, r->source);
		fprintf(out, "  (line %u)\n", r->line);
		if (r->in_force != RT_ALWAYS && r->in_force - 1 < p->nranges) {
			fputs("         in force", out);
			print_range(out, &p->ranges[r->in_force - 1]);
			fputc('\n', out);
		}
		for (uint32_t a = 0; a < r->action_count && (size_t)r->first_action + a < p->nactions; a++) {
			const struct rt_action *act = &p->actions[r->first_action + a];
			fputs("         action ", out);
			print_str(out, p, act->text);
			fputs(" by ", out);
			print_str(out, p, act->owner);
			fputc('\n', out);
		}
	}
	fprintf(out, "\nletters (%zu)\n", p->nletters);
	for (size_t i = 0; i < p->nletters; i++) {
		const struct rt_letter *l = &p->letters[i];
		fprintf(out, "  %3zu  %s ", i, rt_program_str(p, l->name));
		print_str(out, p, l->title);
		fprintf(out, " (%zu characters) source ", strlen(rt_program_str(p, l->body)));
		print_str(out, p, l->source);
		fprintf(out, "  (line %u)\n", l->line);
	}
}

static void
print_money(FILE *out, int64_t pence)
{
	struct rt_value v = { pence, 1, RT_UNIT_MONEY };
	char buf[32];
	rt_value_format(&v, buf, sizeof buf);
	fputs(buf, out);
}

static void
print_penalty(FILE *out, const struct rt_program *p)
{
	fprintf(out, "\nfines (%zu)\n", p->nfines);
	for (size_t i = 0; i < p->nfines; i++) {
		const struct rt_fine *f = &p->fines[i];
		fprintf(out, "  %3zu  notice %u from ", i, f->notice);
		print_date(out, f->from);
		fputs(" until ", out);
		print_date(out, f->until);
		fputs(": ", out);
		print_money(out, f->pence);
		fprintf(out, " within %u days", f->days);
		if (f->later_pence) {
			fputs(", ", out);
			print_money(out, f->later_pence);
			fprintf(out, " within %u days", f->later_days);
		}
		fputs(" source ", out);
		print_str(out, p, f->source);
		fprintf(out, "  (line %u)\n", f->line);
	}
	const struct rt_penalty *pn = &p->penalty;
	fputs("\npenalty framework: ", out);
	if (!pn->defined) {
		fputs("none\n", out);
	} else {
		fprintf(out, "at most %u notices in %u years, otherwise ", pn->max_notices, pn->cap_years);
		print_str(out, p, pn->alternative);
		if (pn->cap_dated) {
			struct rt_range cap = { pn->cap_from, pn->cap_until };
			print_range(out, &cap);
		}
		fprintf(out, "; unpaid after %u days ", pn->unpaid_days);
		print_str(out, p, pn->unpaid_action);
		fputs("; source ", out);
		print_str(out, p, pn->source);
		fputc('\n', out);
	}
}

static void
print_time(FILE *out, int16_t minutes)
{
	char buf[6];
	if (minutes < 0) {
		fputc('-', out);
		return;
	}
	rt_time_format(minutes, buf);
	fputs(buf, out);
}

static void
print_register(FILE *out, const struct rt_program *p)
{
	fputs("\nregister\n", out);
	for (int s = 0; s < 2; s++) {
		fprintf(out, "  %s opens ", s == RT_AM ? "AM" : "PM");
		print_time(out, p->sessions[s].opens);
		fputs(" closes ", out);
		print_time(out, p->sessions[s].closes);
		fputc('\n', out);
	}
	for (size_t g = 0; g < p->ngroups; g++) {
		const struct rt_group_session *gs = &p->groups[g];
		char years[16];
		rt_years_format(gs->from, gs->until, years);
		fprintf(out, "  %s for years %s opens ", gs->session == RT_AM ? "AM" : "PM", years);
		print_time(out, gs->opens);
		fputs(" closes ", out);
		print_time(out, gs->closes);
		fprintf(out, "  (group %zu, line %u)\n", g + 1, gs->line);
	}
	fprintf(out, "\narrival rules (%zu)\n", p->narrivals);
	for (size_t i = 0; i < p->narrivals; i++) {
		const struct rt_arrival_rule *a = &p->arrivals[i];
		fprintf(out, "  %3zu  %s after ", i, a->session == RT_AM ? "AM" : "PM");
		print_time(out, a->after);
		if (a->group)
			fprintf(out, " for group %u", a->group);
		fprintf(out, " is %s source ", code_name(p, a->code));
		print_str(out, p, a->source);
		fprintf(out, "  (line %u)\n", a->line);
	}
	fprintf(out, "\nfacts (%zu)\n", p->nfacts);
	for (size_t i = 0; i < p->nfacts; i++) {
		const struct rt_fact *f = &p->facts[i];
		fprintf(out, "  %3zu  %s = ", i, rt_program_str(p, f->key));
		if (f->text != RT_NO_STRING)
			print_str(out, p, f->text);
		else
			print_value(out, &f->value);
		fputs(" source ", out);
		print_str(out, p, f->source);
		fprintf(out, "  (line %u)\n", f->line);
	}
	fprintf(out, "\nconstants (%zu)\n", p->nconstants);
	for (size_t i = 0; i < p->nconstants; i++) {
		fprintf(out, "  %3zu  ", i);
		print_value(out, &p->constants[i]);
		fputc('\n', out);
	}
}

/* "; from 2024-08-19 until open" */
static void
print_range(FILE *out, const struct rt_range *r)
{
	char from[11] = "open", until[11] = "open";
	if (r->from != RT_DATE_MIN)
		rt_date_format(r->from, from);
	if (r->until != RT_DATE_MAX)
		rt_date_format(r->until, until);
	fprintf(out, " from %s until %s", from, until);
}

/* The comment after an instruction: what its operand means. */
static void
print_operand_comment(FILE *out, const struct rt_program *p, const struct rt_instr *in)
{
	char buf[64];
	if (in->op >= RT_OP__COUNT)
		return;
	switch (rt_opcode_table[in->op].operand) {
	case RT_OPND_NONE:
		return;
	case RT_OPND_CONST:
		if (in->operand < p->nconstants) {
			rt_value_format(&p->constants[in->operand], buf, sizeof buf);
			fprintf(out, "; %s", buf);
		}
		return;
	case RT_OPND_MEASURE:
		if (in->operand < p->nmeasures) {
			fprintf(out, "; %s", rt_program_str(p, p->measures[in->operand].label));
		}
		return;
	case RT_OPND_SCHEDULE:
		if (in->operand < p->nschedules)
			fprintf(out, "; schedule %s", rt_program_str(p, p->schedules[in->operand].name));
		return;
	case RT_OPND_RULE:
		if (in->operand < p->nrules) {
			const struct rt_rule *r = &p->rules[in->operand];
			if (r->kind == RT_RULE_STAGE)
				fprintf(out, "; stage %u %s", r->stage, rt_program_str(p, r->name));
			else
				fprintf(out, "; %s %s", rule_kind_name(r->kind), rt_program_str(p, r->name));
		}
		return;
	case RT_OPND_LABEL:
		if (in->operand < p->nstrings)
			fprintf(out, "; %s", p->strings[in->operand]);
		return;
	case RT_OPND_JUMP:
		fprintf(out, "; to %04u", in->operand);
		return;
	case RT_OPND_RANGE:
		if (in->operand < p->nranges) {
			fputc(';', out);
			print_range(out, &p->ranges[in->operand]);
		}
		return;
	case RT_OPND_YEARS: {
		int from, until;
		char years[16];
		if (rt_years_unpack(in->operand, &from, &until) == 0) {
			rt_years_format(from, until, years);
			fprintf(out, "; years %s", years);
		}
		return;
	}
	}
}

static void
print_code(FILE *out, const struct rt_program *p)
{
	fprintf(out, "\ncode (%zu instructions, max stack %u)\n", p->ncode, p->max_stack);
	for (size_t i = 0; i < p->ncode; i++) {
		const struct rt_instr *in = &p->code[i];
		char line[512];
		FILE *mem = fmemopen(line, sizeof line - 1, "w");
		if (!mem)
			return;
		if (in->op < RT_OP__COUNT)
			fprintf(mem, "%04zu  %-12s ", i, rt_opcode_table[in->op].name);
		else
			fprintf(mem, "%04zu  ?%-11u ", i, in->op);
		if (in->op < RT_OP__COUNT && rt_opcode_table[in->op].operand == RT_OPND_NONE && in->operand == 0)
			fprintf(mem, "%-6s ", "");
		else
			fprintf(mem, "%-6u ", in->operand);
		print_operand_comment(mem, p, in);
		fclose(mem);
		line[sizeof line - 1] = '\0';
		/* trailing blanks would make golden files fragile */
		size_t n = strlen(line);
		while (n > 0 && line[n - 1] == ' ')
			line[--n] = '\0';
		fputs(line, out);
		if (p->lines)
			fprintf(out, "   (line %u)", p->lines[i]);
		fputc('\n', out);
	}
}

void
rt_disasm(const struct rt_program *p, FILE *out)
{
	print_header(out, p);
	print_codes(out, p);
	print_measures(out, p);
	print_rules(out, p);
	print_penalty(out, p);
	print_register(out, p);
	print_code(out, p);
}

void
rt_opcodes_markdown(FILE *out)
{
	fputs("| opcode | operand | pops | pushes | synopsis |\n", out);
	fputs("|---|---|---|---|---|\n", out);
	for (int op = 0; op < RT_OP__COUNT; op++) {
		const struct rt_opcode_info *info = &rt_opcode_table[op];
		fprintf(out, "| `%s` | %s | %u | %u | ", info->name, rt_operand_kind_name(info->operand), info->stack_in,
		        info->stack_out);
		for (const char *c = info->synopsis; *c; c++) {
			if (*c == '|')
				fputc('\\', out);
			fputc(*c, out);
		}
		fputs(" |\n", out);
	}
}
