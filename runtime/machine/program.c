#include "runtime/machine/program.h"
#include "runtime/base/memory.h"
#include "runtime/machine/opcodes.h"

#include "runtime/base/out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *
rt_grow(void *array, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return array;
	size_t ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	void *n = base_xrealloc(array, ncap * elem);
	*cap = ncap;
	return n;
}

/* Appends one element to a table and returns its index. */
#define APPEND(p, arr, count, cap, value)                                          \
	((p)->arr = rt_grow((p)->arr, &(p)->cap, (p)->count + 1, sizeof *(p)->arr),    \
	 (p)->arr[(p)->count] = (value), (uint32_t)(p)->count++)

struct rt_program *
rt_program_new(void)
{
	struct rt_program *p = base_xcalloc(1, sizeof *p);
	p->sessions[RT_AM].opens = p->sessions[RT_AM].closes = -1;
	p->sessions[RT_PM].opens = p->sessions[RT_PM].closes = -1;
	p->sessions[RT_AM].file = p->sessions[RT_PM].file = RT_NO_STRING;
	p->source_file = RT_NO_STRING;
	return p;
}

void
rt_program_free(struct rt_program *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nstrings; i++)
		free(p->strings[i]);
	free(p->strings);
	free(p->string_slots);
	free(p->constants);
	free(p->codes);
	free(p->codesets);
	free(p->measures);
	free(p->schedules);
	free(p->rules);
	free(p->actions);
	free(p->letters);
	free(p->fines);
	free(p->arrivals);
	free(p->groups);
	free(p->facts);
	free(p->ranges);
	free(p->code);
	free(p->lines);
	free(p);
}

static uint64_t
hash_string(const char *s)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* Places string i in the index (which has room). */
static void
index_string(struct rt_program *p, size_t i)
{
	size_t mask = p->string_slots_cap - 1;
	size_t at = (size_t)hash_string(p->strings[i]) & mask;
	while (p->string_slots[at])
		at = (at + 1) & mask;
	p->string_slots[at] = (uint32_t)i + 1;
}

/* Keeps the index at most half full and covering every string (a decoded
 * program fills strings directly, so the index may lag behind). */
static void
refresh_string_index(struct rt_program *p)
{
	if (p->strings_indexed == p->nstrings && (p->nstrings + 1) * 2 <= p->string_slots_cap)
		return;
	size_t cap = p->string_slots_cap ? p->string_slots_cap : 64;
	while ((p->nstrings + 1) * 2 > cap)
		cap *= 2;
	if (cap != p->string_slots_cap || p->strings_indexed > p->nstrings) {
		free(p->string_slots);
		p->string_slots = base_xcalloc(cap, sizeof *p->string_slots);
		p->string_slots_cap = cap;
		p->strings_indexed = 0;
	}
	for (; p->strings_indexed < p->nstrings; p->strings_indexed++)
		index_string(p, p->strings_indexed);
}

uint32_t
rt_program_string(struct rt_program *p, const char *s)
{
	refresh_string_index(p);
	size_t mask = p->string_slots_cap - 1;
	for (size_t at = (size_t)hash_string(s) & mask; p->string_slots[at]; at = (at + 1) & mask)
		if (strcmp(p->strings[p->string_slots[at] - 1], s) == 0)
			return p->string_slots[at] - 1;
	char *copy = base_xstrdup(s);
	return APPEND(p, strings, nstrings, cap_strings, copy);
}

uint32_t
rt_program_constant(struct rt_program *p, struct rt_value v)
{
	for (size_t i = 0; i < p->nconstants; i++) {
		const struct rt_value *c = &p->constants[i];
		if (c->num == v.num && c->den == v.den && c->unit == v.unit)
			return (uint32_t)i;
	}
	return APPEND(p, constants, nconstants, cap_constants, v);
}

uint32_t
rt_program_code(struct rt_program *p, const struct rt_code *c)
{
	return APPEND(p, codes, ncodes, cap_codes, *c);
}

uint32_t
rt_program_codeset(struct rt_program *p, const struct rt_codeset *s)
{
	for (size_t i = 0; i < p->ncodesets; i++)
		if (memcmp(&p->codesets[i], s, sizeof *s) == 0)
			return (uint32_t)i;
	return APPEND(p, codesets, ncodesets, cap_codesets, *s);
}

uint32_t
rt_program_measure(struct rt_program *p, const struct rt_measure *m)
{
	for (size_t i = 0; i < p->nmeasures; i++) {
		const struct rt_measure *o = &p->measures[i];
		if (o->kind == m->kind && o->period == m->period && o->weeks == m->weeks &&
		    o->codeset == m->codeset && o->label == m->label && o->rule == m->rule && o->flags == m->flags)
			return (uint32_t)i;
	}
	return APPEND(p, measures, nmeasures, cap_measures, *m);
}

uint32_t
rt_program_schedule(struct rt_program *p, const struct rt_schedule *s)
{
	return APPEND(p, schedules, nschedules, cap_schedules, *s);
}

uint32_t
rt_program_rule(struct rt_program *p, const struct rt_rule *r)
{
	return APPEND(p, rules, nrules, cap_rules, *r);
}

uint32_t
rt_program_action(struct rt_program *p, const struct rt_action *a)
{
	return APPEND(p, actions, nactions, cap_actions, *a);
}

uint32_t
rt_program_letter(struct rt_program *p, const struct rt_letter *l)
{
	return APPEND(p, letters, nletters, cap_letters, *l);
}

uint32_t
rt_program_fine(struct rt_program *p, const struct rt_fine *f)
{
	return APPEND(p, fines, nfines, cap_fines, *f);
}

uint32_t
rt_program_arrival(struct rt_program *p, const struct rt_arrival_rule *a)
{
	return APPEND(p, arrivals, narrivals, cap_arrivals, *a);
}

uint32_t
rt_program_group(struct rt_program *p, const struct rt_group_session *g)
{
	return APPEND(p, groups, ngroups, cap_groups, *g);
}

struct rt_register_times
rt_register_times(const struct rt_program *p, int session, int year)
{
	struct rt_register_times t = { p->sessions[session].opens, p->sessions[session].closes, -1, 0 };
	for (size_t g = 0; g < p->ngroups && year != RT_NO_YEAR; g++) {
		const struct rt_group_session *s = &p->groups[g];
		if (s->session != session || year < s->from || year > s->until)
			continue;
		t.group = (int)g;
		if (s->opens >= 0)
			t.opens = s->opens;
		if (s->closes >= 0)
			t.closes = s->closes;
		for (size_t i = 0; i < p->narrivals; i++)
			if (p->arrivals[i].group == g + 1)
				t.rules = (uint32_t)g + 1;
		break;
	}
	return t;
}

int
rt_program_uses_groups(const struct rt_program *p)
{
	for (size_t i = 0; i < p->ncode; i++)
		if (p->code[i].op == RT_OP_IN_YEARS)
			return 1;
	return p->ngroups > 0;
}

uint32_t
rt_program_fact(struct rt_program *p, const struct rt_fact *f)
{
	return APPEND(p, facts, nfacts, cap_facts, *f);
}

uint32_t
rt_program_range(struct rt_program *p, const struct rt_range *r)
{
	for (size_t i = 0; i < p->nranges; i++)
		if (p->ranges[i].from == r->from && p->ranges[i].until == r->until)
			return (uint32_t)i;
	return APPEND(p, ranges, nranges, cap_ranges, *r);
}

uint32_t
rt_program_emit(struct rt_program *p, uint8_t op, uint32_t operand, uint32_t line)
{
	struct rt_instr in = { op, operand };
	size_t cap = p->cap_code;
	uint32_t at = APPEND(p, code, ncode, cap_code, in);
	if (p->cap_code != cap || !p->lines) {
		p->lines = base_xrealloc(p->lines, p->cap_code * sizeof *p->lines);
	}
	p->lines[at] = line;
	return at;
}

const char *
rt_program_str(const struct rt_program *p, uint32_t index)
{
	if (index == RT_NO_STRING || index >= p->nstrings)
		return "";
	return p->strings[index];
}

int
rt_program_find_code(const struct rt_program *p, const char *name)
{
	for (size_t i = 0; i < p->ncodes; i++)
		if (strcmp(rt_program_str(p, p->codes[i].name), name) == 0)
			return (int)i;
	return -1;
}

const struct rt_fact *
rt_program_find_fact(const struct rt_program *p, const char *key)
{
	for (size_t i = 0; i < p->nfacts; i++)
		if (strcmp(rt_program_str(p, p->facts[i].key), key) == 0)
			return &p->facts[i];
	return NULL;
}

const struct rt_fine *
rt_program_fine_in_force(const struct rt_program *p, int notice, rt_date date)
{
	const struct rt_fine *best = NULL;
	for (size_t i = 0; i < p->nfines; i++) {
		const struct rt_fine *f = &p->fines[i];
		if (date < f->from || date > f->until || f->notice > notice)
			continue;
		if (!best || f->notice > best->notice)
			best = f;
	}
	return best;
}

const char *
rt_unit_name(enum rt_unit unit)
{
	switch (unit) {
	case RT_UNIT_NONE: return "number";
	case RT_UNIT_BOOL: return "truth value";
	case RT_UNIT_PERCENT: return "percent";
	case RT_UNIT_SESSIONS: return "sessions";
	case RT_UNIT_DAYS: return "days";
	case RT_UNIT_SCHOOL_WEEKS: return "school weeks";
	case RT_UNIT_WEEKS: return "weeks";
	case RT_UNIT_YEARS: return "years";
	case RT_UNIT_MONEY: return "money";
	case RT_UNIT_DATE: return "date";
	case RT_UNIT_TIME: return "time of day";
	case RT_UNIT_NONE_VALUE: return "no value";
	}
	return "?";
}

const char *
rt_category_name(enum rt_category cat)
{
	switch (cat) {
	case RT_CAT_PRESENT: return "present";
	case RT_CAT_EDUCATIONAL: return "educational";
	case RT_CAT_AUTHORISED: return "authorised";
	case RT_CAT_UNAUTHORISED: return "unauthorised";
	case RT_CAT_NOT_POSSIBLE: return "not possible";
	case RT_CAT__COUNT: break;
	}
	return "?";
}

/* num/den with up to `places` decimals (base_format_decimal), into a sized buffer. */
static void
format_decimal(int64_t num, int64_t den, int places, char *buf, size_t size)
{
	char tmp[48];
	base_format_decimal(num, den, places, tmp);
	snprintf(buf, size, "%s", tmp);
}

void
rt_value_format(const struct rt_value *v, char *buf, size_t size)
{
	char num[48];
	int64_t den = v->den ? v->den : 1;
	switch ((enum rt_unit)v->unit) {
	case RT_UNIT_BOOL:
		snprintf(buf, size, "%s", v->num ? "true" : "false");
		return;
	case RT_UNIT_PERCENT:
		format_decimal(v->num, den, 2, num, sizeof num);
		snprintf(buf, size, "%s%%", num);
		return;
	case RT_UNIT_MONEY: {
		int64_t pence = v->num / den;
		uint64_t mag = pence < 0 ? 0 - (uint64_t)pence : (uint64_t)pence; /* safe for INT64_MIN */
		snprintf(buf, size, "%s£%llu.%02llu", pence < 0 ? "-" : "", (unsigned long long)(mag / 100),
		         (unsigned long long)(mag % 100));
		return;
	}
	case RT_UNIT_DATE: {
		char d[11];
		rt_date_format((rt_date)(v->num / den), d);
		snprintf(buf, size, "%s", d);
		return;
	}
	case RT_UNIT_TIME: {
		char t[6];
		rt_time_format((int)(v->num / den), t);
		snprintf(buf, size, "%s", t);
		return;
	}
	case RT_UNIT_NONE_VALUE:
		snprintf(buf, size, "no value");
		return;
	case RT_UNIT_SESSIONS:
	case RT_UNIT_DAYS:
	case RT_UNIT_SCHOOL_WEEKS:
	case RT_UNIT_WEEKS:
	case RT_UNIT_YEARS: {
		format_decimal(v->num, den, 2, num, sizeof num);
		const char *unit = rt_unit_name((enum rt_unit)v->unit);
		/* "1 session", "1 day", "1 school week": singular for exactly one. */
		if (v->num == den) {
			size_t len = strlen(unit);
			snprintf(buf, size, "%s %.*s", num, (int)(len - 1), unit);
		} else {
			snprintf(buf, size, "%s %s", num, unit);
		}
		return;
	}
	case RT_UNIT_NONE:
		break;
	}
	format_decimal(v->num, den, 2, num, sizeof num);
	snprintf(buf, size, "%s", num);
}

int
rt_value_compare(const struct rt_value *a, const struct rt_value *b)
{
	__int128 l = (__int128)a->num * (b->den ? b->den : 1);
	__int128 r = (__int128)b->num * (a->den ? a->den : 1);
	/* Denominators are positive by construction; a negative one is treated as verifier-rejected. */
	return l < r ? -1 : l > r ? 1 : 0;
}
