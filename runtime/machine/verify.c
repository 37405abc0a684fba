/*
 * The verifier: everything the VM relies on, checked once before a program
 * runs (as libpcap's bpf_validate). After rt_verify() succeeds the VM may
 * index every table without checking, never under- or overflows its stack,
 * and always ends at HALT.
 *
 * The code is a DAG in index order (jumps go strictly forward), so one
 * forward pass computes the stack depth at every instruction.
 */
#include "runtime/machine/bytecode.h"
#include "runtime/machine/opcodes.h"
#include "runtime/base/memory.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INSTRUCTIONS 1000000
#define NO_LETTER UINT32_MAX

static int
fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (err && errsz)
		vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -1;
}

/* A string index that must name a string. */
static int
string_ok(const struct rt_program *p, uint32_t s)
{
	return s < p->nstrings && p->strings[s] != NULL;
}

/* A string index that may also be RT_NO_STRING. */
static int
opt_string_ok(const struct rt_program *p, uint32_t s)
{
	return s == RT_NO_STRING || string_ok(p, s);
}

static int
unit_ok(uint8_t unit)
{
	return unit <= RT_UNIT_NONE_VALUE;
}

static int
time_ok(int16_t minutes, int allow_unset)
{
	return (allow_unset && minutes == -1) || (minutes >= 0 && minutes < 24 * 60);
}

static int
verify_sizes(const struct rt_program *p, char *err, size_t errsz)
{
	const struct { const char *name; size_t n; } tables[] = {
		{ "strings", p->nstrings }, { "constants", p->nconstants }, { "codesets", p->ncodesets },
		{ "measures", p->nmeasures }, { "schedules", p->nschedules }, { "rules", p->nrules },
		{ "actions", p->nactions }, { "letters", p->nletters }, { "fines", p->nfines },
		{ "arrival rules", p->narrivals }, { "group sessions", p->ngroups }, { "facts", p->nfacts }, { "date ranges", p->nranges },
	};
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
		if (tables[i].n > RT_MAX_TABLE)
			return fail(err, errsz, "too many %s: %zu (at most %d)", tables[i].name, tables[i].n, RT_MAX_TABLE);
	if (p->ncodes > RT_MAX_CODES)
		return fail(err, errsz, "too many codes: %zu (at most %d)", p->ncodes, RT_MAX_CODES);
	if (p->ncode == 0)
		return fail(err, errsz, "the program has no instructions");
	if (p->ncode > MAX_INSTRUCTIONS)
		return fail(err, errsz, "too many instructions: %zu (at most %d)", p->ncode, MAX_INSTRUCTIONS);
	if (!p->code || !p->lines)
		return fail(err, errsz, "the code or its line table is missing");
	for (size_t i = 0; i < p->nstrings; i++)
		if (!p->strings[i])
			return fail(err, errsz, "string %zu is missing", i);
	return 0;
}

/* Values the VM adds, subtracts and cross-multiplies must stay far from the
 * int64 limits, where negation and products overflow. */
#define VALUE_LIMIT ((int64_t)1 << 62)

static int
magnitude_ok(int64_t v)
{
	return v > -VALUE_LIMIT && v < VALUE_LIMIT;
}

static int
verify_codes(const struct rt_program *p, char *err, size_t errsz)
{
	for (size_t i = 0; i < p->nconstants; i++) {
		const struct rt_value *v = &p->constants[i];
		if (v->den <= 0)
			return fail(err, errsz, "constant %zu has denominator %lld (must be positive)", i, (long long)v->den);
		if (!magnitude_ok(v->num) || !magnitude_ok(v->den))
			return fail(err, errsz, "constant %zu is out of range", i);
		if (!unit_ok(v->unit))
			return fail(err, errsz, "constant %zu has unknown unit %u", i, v->unit);
	}
	for (size_t i = 0; i < p->ncodes; i++) {
		const struct rt_code *c = &p->codes[i];
		if (!string_ok(p, c->name) || !opt_string_ok(p, c->meaning) || !opt_string_ok(p, c->source) ||
		    !opt_string_ok(p, c->file))
			return fail(err, errsz, "code %zu: string index out of range", i);
		if (c->category >= RT_CAT__COUNT)
			return fail(err, errsz, "code %zu: unknown category %u", i, c->category);
		if (c->flags & ~RT_CODE_PENALTY)
			return fail(err, errsz, "code %zu: unknown flags 0x%02x", i, c->flags);
		if (c->maps_to >= p->ncodes)
			return fail(err, errsz, "code %zu: maps_to %u is out of range (%zu codes)", i, c->maps_to, p->ncodes);
		if (p->codes[c->maps_to].maps_to != c->maps_to)
			return fail(err, errsz, "code %zu: maps to code %u, which is itself a sub-code", i, c->maps_to);
		if (c->valid_from > c->valid_until)
			return fail(err, errsz, "code %zu: valid from a date after its last valid date", i);
	}
	for (size_t i = 0; i < p->ncodesets; i++)
		for (unsigned k = (unsigned)p->ncodes; k < 256; k++)
			if (rt_codeset_has(&p->codesets[i], k))
				return fail(err, errsz, "codeset %zu contains code %u, but there are %zu codes", i, k, p->ncodes);
	return 0;
}

static int
verify_measures(const struct rt_program *p, char *err, size_t errsz)
{
	for (size_t i = 0; i < p->nmeasures; i++) {
		const struct rt_measure *m = &p->measures[i];
		if (m->kind >= RT_M__COUNT)
			return fail(err, errsz, "measure %zu: unknown kind %u", i, m->kind);
		if (m->period >= RT_P__COUNT)
			return fail(err, errsz, "measure %zu: unknown period %u", i, m->period);
		int any = m->period == RT_P_ANY_WEEKS_YEAR || m->period == RT_P_ANY_WEEKS_TERM;
		if ((m->period == RT_P_SCHOOL_WEEKS || any) && m->weeks < 1)
			return fail(err, errsz, "measure %zu: a window of 0 school weeks", i);
		if (any && m->kind != RT_M_SESSIONS && m->kind != RT_M_DAYS)
			return fail(err, errsz, "measure %zu: only sessions and days have a maximum over windows", i);
		if (m->kind == RT_M_LONGEST_RUN && m->period != RT_P_YEAR && m->period != RT_P_TERM &&
		    m->period != RT_P_HALF_TERM)
			return fail(err, errsz, "measure %zu: a longest run over a school-week window", i);
		int since = m->kind == RT_M_WEEKS_SINCE || m->kind == RT_M_DAYS_SINCE;
		if (m->kind != RT_M_HALF_TERM && !since && m->codeset >= p->ncodesets)
			return fail(err, errsz, "measure %zu: codeset %u is out of range (%zu codesets)", i, m->codeset,
			            p->ncodesets);
		if ((since || m->period == RT_P_SINCE) && m->rule >= p->nrules)
			return fail(err, errsz, "measure %zu: rule %u is out of range (%zu rules)", i, m->rule, p->nrules);
		if (m->period == RT_P_SINCE && (since || m->kind == RT_M_LONGEST_RUN || m->kind == RT_M_CONSECUTIVE_DAYS))
			return fail(err, errsz, "measure %zu: only sessions, days and rates are counted since a rule", i);
		if ((m->flags & RT_MEASURE_RECORDED) && m->kind != RT_M_WEEKS_SINCE && m->kind != RT_M_DAYS_SINCE)
			return fail(err, errsz, "measure %zu: only a \"since\" kind reads the recorded start", i);
		if (m->flags & ~RT_MEASURE__FLAGS)
			return fail(err, errsz, "measure %zu: unknown flags 0x%02x", i, m->flags);
		unsigned at = m->flags & RT_MEASURE_AT;
		if (at & (at - 1))
			return fail(err, errsz, "measure %zu: taken at two other times (flags 0x%02x)", i, m->flags);
		if (at && (since || m->period == RT_P_SINCE || m->kind == RT_M_HALF_TERM))
			return fail(err, errsz, "measure %zu: this kind of measure is not taken at another time", i);
		if ((at & RT_MEASURE_AT_START) && m->rule >= p->nrules)
			return fail(err, errsz, "measure %zu: rule %u is out of range (%zu rules)", i, m->rule, p->nrules);
		if (!opt_string_ok(p, m->label))
			return fail(err, errsz, "measure %zu: label string out of range", i);
	}
	for (size_t i = 0; i < p->nschedules; i++) {
		const struct rt_schedule *s = &p->schedules[i];
		if (!string_ok(p, s->name))
			return fail(err, errsz, "schedule %zu: name string out of range", i);
		if (!unit_ok(s->unit))
			return fail(err, errsz, "schedule %zu: unknown unit %u", i, s->unit);
		if (s->present & ~((1u << RT_MAX_HALF_TERMS) - 1))
			return fail(err, errsz, "schedule %zu: values for half terms beyond %d", i, RT_MAX_HALF_TERMS);
		for (int h = 0; h < RT_MAX_HALF_TERMS; h++)
			if (!magnitude_ok(s->num[h]))
				return fail(err, errsz, "schedule %zu: value for half term %d is out of range", i, h + 1);
	}
	return 0;
}

static int
verify_rules(const struct rt_program *p, char *err, size_t errsz)
{
	for (size_t i = 0; i < p->nrules; i++) {
		const struct rt_rule *r = &p->rules[i];
		if (!string_ok(p, r->name) || !opt_string_ok(p, r->title) || !opt_string_ok(p, r->source))
			return fail(err, errsz, "rule %zu: string index out of range", i);
		if (r->kind > RT_RULE_PENALTY)
			return fail(err, errsz, "rule %zu: unknown kind %u", i, r->kind);
		if (r->kind == RT_RULE_STAGE && r->stage < 1)
			return fail(err, errsz, "rule %zu: a stage numbered 0", i);
		if (r->first_action > p->nactions || r->action_count > p->nactions - r->first_action)
			return fail(err, errsz, "rule %zu: actions %u..%u are out of range (%zu actions)", i,
			            r->first_action, r->first_action + r->action_count, p->nactions);
		if (r->letter != NO_LETTER && r->letter >= p->nletters)
			return fail(err, errsz, "rule %zu: letter %u is out of range (%zu letters)", i, r->letter, p->nletters);
		if (!opt_string_ok(p, r->file))
			return fail(err, errsz, "rule %zu: file string out of range", i);
		if (r->in_force != RT_ALWAYS && r->in_force - 1 >= p->nranges)
			return fail(err, errsz, "rule %zu: date range %u is out of range (%zu ranges)", i, r->in_force - 1,
			            p->nranges);
	}
	for (size_t i = 0; i < p->nranges; i++)
		if (p->ranges[i].from > p->ranges[i].until)
			return fail(err, errsz, "date range %zu: from a date after its last date", i);
	for (size_t i = 0; i < p->nactions; i++)
		if (!string_ok(p, p->actions[i].text) || !opt_string_ok(p, p->actions[i].owner))
			return fail(err, errsz, "action %zu: string index out of range", i);
	for (size_t i = 0; i < p->nletters; i++) {
		const struct rt_letter *l = &p->letters[i];
		if (!string_ok(p, l->name) || !opt_string_ok(p, l->title) || !opt_string_ok(p, l->body) ||
		    !opt_string_ok(p, l->source))
			return fail(err, errsz, "letter %zu: string index out of range", i);
	}
	return 0;
}

/* The register's sessions, the groups' sessions and the arrival rules. */
static int
verify_register(const struct rt_program *p, char *err, size_t errsz)
{
	for (int s = 0; s < 2; s++)
		if (!time_ok(p->sessions[s].opens, 1) || !time_ok(p->sessions[s].closes, 1) ||
		    !opt_string_ok(p, p->sessions[s].file))
			return fail(err, errsz, "register: %s session time or file out of range", s == RT_AM ? "AM" : "PM");
	for (size_t i = 0; i < p->narrivals; i++) {
		const struct rt_arrival_rule *a = &p->arrivals[i];
		if (a->session > RT_PM)
			return fail(err, errsz, "arrival rule %zu: unknown session %u", i, a->session);
		if (!time_ok(a->after, 0))
			return fail(err, errsz, "arrival rule %zu: time out of range", i);
		if (a->code >= p->ncodes)
			return fail(err, errsz, "arrival rule %zu: code %u is out of range (%zu codes)", i, a->code, p->ncodes);
		if (!opt_string_ok(p, a->source) || !opt_string_ok(p, a->file))
			return fail(err, errsz, "arrival rule %zu: source or file string out of range", i);
		if (a->group > p->ngroups || (a->group && p->groups[a->group - 1].session != a->session))
			return fail(err, errsz, "arrival rule %zu: group %u is not a session of %s", i, a->group,
			            a->session == RT_AM ? "AM" : "PM");
	}
	for (size_t g = 0; g < p->ngroups; g++) {
		const struct rt_group_session *s = &p->groups[g];
		if (s->session > RT_PM || s->from < RT_YEAR_FIRST || s->until > RT_YEAR_LAST || s->from > s->until ||
		    !time_ok(s->opens, 1) || !time_ok(s->closes, 1) || !opt_string_ok(p, s->file))
			return fail(err, errsz, "group session %zu: session, years, times or file out of range", g);
	}
	return 0;
}

static int
verify_facts(const struct rt_program *p, char *err, size_t errsz)
{
	for (size_t i = 0; i < p->nfines; i++) {
		const struct rt_fine *f = &p->fines[i];
		if (f->from > f->until)
			return fail(err, errsz, "fine %zu: in force from a date after its last date", i);
		if (f->notice < 1)
			return fail(err, errsz, "fine %zu: notice number 0", i);
		if (f->pence < 0 || f->later_pence < 0 || !magnitude_ok(f->pence) || !magnitude_ok(f->later_pence))
			return fail(err, errsz, "fine %zu: a negative amount", i);
		if (!opt_string_ok(p, f->source) || !opt_string_ok(p, f->file))
			return fail(err, errsz, "fine %zu: source or file string out of range", i);
	}
	const struct rt_penalty *pn = &p->penalty;
	if (pn->defined > 1 || !opt_string_ok(p, pn->alternative) || !opt_string_ok(p, pn->unpaid_action) ||
	    !opt_string_ok(p, pn->source))
		return fail(err, errsz, "penalty framework: bad flag or string index");
	if (verify_register(p, err, errsz))
		return -1;
	for (size_t i = 0; i < p->nfacts; i++) {
		const struct rt_fact *f = &p->facts[i];
		if (!string_ok(p, f->key) || !opt_string_ok(p, f->text) || !opt_string_ok(p, f->source) ||
		    !opt_string_ok(p, f->file))
			return fail(err, errsz, "fact %zu: string index out of range", i);
		if (f->text == RT_NO_STRING && (f->value.den <= 0 || !unit_ok(f->value.unit) ||
		                                !magnitude_ok(f->value.num) || !magnitude_ok(f->value.den)))
			return fail(err, errsz, "fact %zu: bad value (denominator %lld, unit %u)", i,
			            (long long)f->value.den, f->value.unit);
	}
	if (!opt_string_ok(p, p->source_file))
		return fail(err, errsz, "source file string out of range");
	return 0;
}

/* The size of the table an operand of this kind indexes. */
static size_t
operand_limit(const struct rt_program *p, enum rt_operand_kind kind)
{
	switch (kind) {
	case RT_OPND_NONE: return 1; /* the operand must be 0 */
	case RT_OPND_CONST: return p->nconstants;
	case RT_OPND_MEASURE: return p->nmeasures;
	case RT_OPND_SCHEDULE: return p->nschedules;
	case RT_OPND_RULE: return p->nrules;
	case RT_OPND_LABEL: return p->nstrings;
	case RT_OPND_JUMP: return p->ncode;
	case RT_OPND_RANGE: return p->nranges;
	case RT_OPND_YEARS: return (size_t)UINT32_MAX + 1; /* any; checked as a range of years */
	}
	return 0;
}

/* Records depth d flowing from instruction `from` into `to`. */
static int
flow(int32_t *depth, size_t from, size_t to, int32_t d, char *err, size_t errsz)
{
	if (depth[to] >= 0 && depth[to] != d)
		return fail(err, errsz, "instruction %zu: stack depth %d from instruction %zu does not match depth %d on another path",
		            to, d, from, depth[to]);
	depth[to] = d;
	return 0;
}

/* Operands, jumps and the stack, in one forward pass. `skipped` gets +1/-1
 * at the ends of every reachable jump so its prefix sums say which
 * instructions some path jumps over. */
static int
verify_flow(const struct rt_program *p, int32_t *depth, int32_t *skipped, char *err, size_t errsz)
{
	for (size_t i = 0; i < p->ncode; i++)
		depth[i] = -1;
	depth[0] = 0;
	for (size_t i = 0; i < p->ncode; i++) {
		const struct rt_instr *in = &p->code[i];
		if (in->op >= RT_OP__COUNT)
			return fail(err, errsz, "instruction %zu: unknown opcode %u", i, in->op);
		const struct rt_opcode_info *info = &rt_opcode_table[in->op];
		if (info->operand == RT_OPND_JUMP && in->operand >= p->ncode)
			return fail(err, errsz, "instruction %zu: jump to %u is outside the program (%zu instructions)", i,
			            in->operand, p->ncode);
		if (info->operand == RT_OPND_NONE && in->operand != 0)
			return fail(err, errsz, "instruction %zu: %s takes no operand but has %u", i, info->name, in->operand);
		if (in->operand >= operand_limit(p, info->operand))
			return fail(err, errsz, "instruction %zu: %s operand %u is out of range (%zu %s entries)", i, info->name,
			            in->operand, operand_limit(p, info->operand), rt_operand_kind_name(info->operand));
		int from, until;
		if (info->operand == RT_OPND_YEARS && rt_years_unpack(in->operand, &from, &until))
			return fail(err, errsz, "instruction %zu: %s operand %u is not a range of year groups", i, info->name,
			            in->operand);
		if (info->operand == RT_OPND_LABEL && !string_ok(p, in->operand))
			return fail(err, errsz, "instruction %zu: %s label %u is missing", i, info->name, in->operand);
		if (info->operand == RT_OPND_JUMP && in->operand <= i)
			return fail(err, errsz, "instruction %zu: jump to %u goes backwards", i, in->operand);
		int32_t d = depth[i];
		if (d < 0)
			continue; /* unreachable: never runs */
		if (d < info->stack_in)
			return fail(err, errsz, "instruction %zu: stack underflow (%s needs %u, the stack holds %d)", i,
			            info->name, info->stack_in, d);
		int32_t after = d - info->stack_in + info->stack_out;
		if (after > p->max_stack)
			return fail(err, errsz, "instruction %zu: stack depth %d exceeds max_stack %u", i, after, p->max_stack);
		switch ((enum rt_opcode)in->op) {
		case RT_OP_HALT:
			if (d != 0)
				return fail(err, errsz, "instruction %zu: HALT with %d values on the stack", i, d);
			continue;
		case RT_OP_JUMP:
			if (flow(depth, i, in->operand, d, err, errsz))
				return -1;
			skipped[i + 1]++, skipped[in->operand]--;
			continue;
		case RT_OP_AND_ELSE:
		case RT_OP_OR_ELSE:
			/* the jump path keeps the tested value */
			if (flow(depth, i, in->operand, d, err, errsz))
				return -1;
			skipped[i + 1]++, skipped[in->operand]--;
			break;
		default:
			break;
		}
		if (i + 1 == p->ncode)
			return fail(err, errsz, "instruction %zu: %s falls off the end of the program (the last instruction must be HALT)",
			            i, info->name);
		if (flow(depth, i, i + 1, after, err, errsz))
			return -1;
	}
	if (p->code[p->ncode - 1].op != RT_OP_HALT)
		return fail(err, errsz, "instruction %zu: the last instruction is not HALT", p->ncode - 1);
	return 0;
}

/* Whether measure k is of a "since" kind that reads its rule's outcome today
 * (one flagged RT_MEASURE_RECORDED reads only the recorded history). */
static int
measure_reads_rule(const struct rt_program *p, uint32_t k)
{
	return (p->measures[k].kind == RT_M_WEEKS_SINCE || p->measures[k].kind == RT_M_DAYS_SINCE) &&
	       !(p->measures[k].flags & RT_MEASURE_RECORDED);
}

/*
 * Each rule is decided by exactly one RULE instruction, which every path
 * runs. Because paths only go forward, "every path runs instruction r"
 * means no reachable jump leaps over r and no reachable HALT comes before
 * it; then OUTCOME k at instruction i reads a decided rule exactly when the
 * rule's RULE instruction comes before i.
 */
static int
verify_rules_decided(const struct rt_program *p, const int32_t *depth, int32_t *skipped, char *err, size_t errsz)
{
	size_t first_halt = p->ncode;
	for (size_t i = 0; i < p->ncode; i++)
		if (depth[i] >= 0 && p->code[i].op == RT_OP_HALT) {
			first_halt = i;
			break;
		}
	uint32_t *decided_at = base_xcalloc(p->nrules ? p->nrules : 1, sizeof *decided_at);
	for (size_t k = 0; k < p->nrules; k++)
		decided_at[k] = UINT32_MAX;
	int rc = 0;
	int32_t jumped_over = 0;
	for (size_t i = 0; i < p->ncode && rc == 0; i++) {
		jumped_over += skipped[i];
		const struct rt_instr *in = &p->code[i];
		if (in->op == RT_OP_RULE) {
			if (decided_at[in->operand] != UINT32_MAX)
				rc = fail(err, errsz, "instruction %zu: rule %u is decided twice (also at instruction %u)", i,
				          in->operand, decided_at[in->operand]);
			else if (depth[i] < 0 || jumped_over > 0 || i > first_halt)
				rc = fail(err, errsz, "instruction %zu: rule %u is not decided on every path", i, in->operand);
			else
				decided_at[in->operand] = (uint32_t)i;
		} else if (in->op == RT_OP_OUTCOME && depth[i] >= 0 && decided_at[in->operand] == UINT32_MAX) {
			rc = fail(err, errsz, "instruction %zu: OUTCOME reads rule %u before it is decided", i, in->operand);
		} else if (in->op == RT_OP_MEASURE && depth[i] >= 0 && measure_reads_rule(p, in->operand) &&
		           decided_at[p->measures[in->operand].rule] == UINT32_MAX) {
			/* a "since" measure is computed when it runs, from the rule's outcome */
			rc = fail(err, errsz, "instruction %zu: MEASURE %u reads rule %u before it is decided", i,
			          in->operand, p->measures[in->operand].rule);
		}
	}
	for (size_t k = 0; k < p->nrules && rc == 0; k++)
		if (decided_at[k] == UINT32_MAX)
			rc = fail(err, errsz, "rule %zu is never decided", k);
	free(decided_at);
	return rc;
}

int
rt_verify(const struct rt_program *p, char *err, size_t errsz)
{
	if (verify_sizes(p, err, errsz) || verify_codes(p, err, errsz) || verify_measures(p, err, errsz) ||
	    verify_rules(p, err, errsz) || verify_facts(p, err, errsz))
		return -1;
	/* out of memory ends the process (runtime/base/memory.h): never "fails verification" */
	int32_t *depth = base_xcalloc(p->ncode ? p->ncode : 1, sizeof *depth);
	int32_t *skipped = base_xcalloc(p->ncode + 1, sizeof *skipped);
	int rc = verify_flow(p, depth, skipped, err, errsz) || verify_rules_decided(p, depth, skipped, err, errsz) ? -1 : 0;
	free(depth);
	free(skipped);
	return rc;
}
