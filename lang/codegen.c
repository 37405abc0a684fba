/*
 * Code generation: fills a struct rt_program from checked declarations.
 * Each rule's condition is compiled to stack code ending in `RULE k`; the
 * program ends with HALT. Named values are compiled inline where used.
 */
#include <string.h>

#include "runtime/machine/opcodes.h"
#include "arena.h"
#include "context.h"
#include "lang.h"
#include "parse.h"

struct gen {
	struct lang_ctx *ctx;
	struct rt_program *p;
	int depth, max_depth;
	struct lang_loc use;   /* where a named value is used: its code gets that line */
	int inlining;
	uint8_t measure_flags;  /* RT_MEASURE_* for the measures of the condition being compiled */
};

static uint32_t
str(struct rt_program *p, const char *s)
{
	return s ? rt_program_string(p, s) : RT_NO_STRING;
}

static uint32_t
line_of(struct lang_loc loc)
{
	return loc.first_line > 0 ? (uint32_t)loc.first_line : 0;
}

/* The policy file a line is in: the school's or the baseline's. */
static uint32_t
file_of(struct gen *g, struct lang_loc loc)
{
	return loc.src && loc.src->name ? rt_program_string(g->p, loc.src->name) : RT_NO_STRING;
}

static int
is_dated(rt_date from, rt_date until)
{
	return from != RT_DATE_MIN || until != RT_DATE_MAX;
}

/* `e` in force only from `from` to `until`: (IN_FORCE and e). */
static const struct lang_expr *
dated_expr(struct gen *g, const struct lang_expr *e, rt_date from, rt_date until, struct lang_loc loc)
{
	if (!is_dated(from, until))
		return e;
	struct lang_expr *in = lang_expr_new(g->ctx->arena, LANG_E_IN_FORCE, loc);
	in->value = (struct rt_value){ from, until, RT_UNIT_DATE };
	struct lang_expr *and = lang_expr_new(g->ctx->arena, LANG_E_AND, loc);
	and->lhs = in;
	and->rhs = (struct lang_expr *)e;
	return and;
}

static struct lang_expr *
binary(struct gen *g, enum lang_expr_kind kind, struct lang_loc loc, const struct lang_expr *l,
       const struct lang_expr *r)
{
	struct lang_expr *e = lang_expr_new(g->ctx->arena, kind, loc);
	e->lhs = (struct lang_expr *)l;
	e->rhs = (struct lang_expr *)r;
	e->unit = RT_UNIT_BOOL;
	return e;
}

/* "school weeks since the notice to improve" by the recorded history, compared with the improvement period. */
static struct lang_expr *
improvement_weeks(struct gen *g, const struct lang_decl *improve, int op)
{
	const struct lang_item *period = lang_decl_item(improve, LANG_I_IMPROVEMENT);
	struct lang_expr *weeks = lang_expr_new(g->ctx->arena, LANG_E_MEASURE, period->loc);
	weeks->measure.kind = RT_M_WEEKS_SINCE;
	weeks->measure.since_flag = LANG_IMPROVE_NAME;
	weeks->measure.recorded = 1;
	weeks->ref = (struct lang_decl *)improve;
	weeks->unit = RT_UNIT_SCHOOL_WEEKS;
	struct lang_expr *value = lang_expr_new(g->ctx->arena, LANG_E_VALUE, period->loc);
	value->value = period->amount;
	value->unit = RT_UNIT_SCHOOL_WEEKS;
	struct lang_expr *cmp = binary(g, LANG_E_CMP, period->loc, weeks, value);
	cmp->op = op;
	return cmp;
}

/* The notice to improve holds while its improvement period runs (by the recorded
 * history), and when it is due: the `when` holds and either support is appropriate or
 * the period is over (it then stays while the threshold does, so that the penalty
 * notice can follow). */
static const struct lang_expr *
improve_condition(struct gen *g, const struct lang_decl *d, const struct lang_expr *due)
{
	const struct lang_item *na = lang_decl_item(d, LANG_I_NOT_APPROPRIATE);
	if (na)
		due = binary(g, LANG_E_AND, d->loc, due,
		             binary(g, LANG_E_OR, na->loc, improvement_weeks(g, d, RT_OP_GE),
		                    binary(g, LANG_E_NOT, na->loc, na->expr, NULL)));
	return binary(g, LANG_E_OR, d->loc, improvement_weeks(g, d, RT_OP_LT), due);
}

/* A penalty notice is considered only where support is not appropriate, or after
 * the notice to improve's period has ended without improvement (while it is in force). */
static const struct lang_expr *
after_improvement(struct gen *g, const struct lang_expr *consider)
{
	const struct lang_decl *d = lang_find_decl(g->ctx, LANG_D_FLAG, LANG_IMPROVE_NAME);
	if (!d || !d->improve)
		return consider;
	const struct lang_item *na = lang_decl_item(d, LANG_I_NOT_APPROPRIATE);
	const struct lang_item *improved = lang_decl_item(d, LANG_I_IMPROVED);
	struct lang_expr *holds = lang_expr_new(g->ctx->arena, LANG_E_NAME, d->loc);
	holds->name = d->name;
	holds->ref = (struct lang_decl *)d;
	holds->unit = RT_UNIT_BOOL;
	const struct lang_expr *gate =
		binary(g, LANG_E_AND, improved->loc, binary(g, LANG_E_AND, d->loc, holds, improvement_weeks(g, d, RT_OP_GE)),
		       binary(g, LANG_E_NOT, improved->loc, improved->expr, NULL));
	if (na)
		gate = binary(g, LANG_E_OR, na->loc, na->expr, gate);
	if (is_dated(d->from, d->until)) {
		struct lang_expr *in = lang_expr_new(g->ctx->arena, LANG_E_IN_FORCE, d->loc);
		in->value = (struct rt_value){ d->from, d->until, RT_UNIT_DATE };
		gate = binary(g, LANG_E_OR, d->loc, binary(g, LANG_E_NOT, d->loc, in, NULL), gate);
	}
	return binary(g, LANG_E_AND, consider->loc, consider, gate);
}

/* A rule's condition with its dates: each dated `when` line in force on its own
 * dates (one of them at most on any day), all within the block's dates. */
static const struct lang_expr *
rule_condition(struct gen *g, const struct lang_decl *d)
{
	enum lang_item_kind kind = d->kind == LANG_D_PENALTY ? LANG_I_CONSIDER : LANG_I_WHEN;
	const struct lang_expr *all = NULL;
	for (const struct lang_item *it = d->items; it; it = it->next) {
		if (it->kind != kind)
			continue;
		const struct lang_expr *e = dated_expr(g, it->expr, it->from, it->until, it->loc);
		if (all) {
			struct lang_expr *or = lang_expr_new(g->ctx->arena, LANG_E_OR, it->loc);
			or->lhs = (struct lang_expr *)all;
			or->rhs = (struct lang_expr *)e;
			e = or;
		}
		all = e;
	}
	if (d->improve)
		all = improve_condition(g, d, all);
	else if (d->kind == LANG_D_PENALTY)
		all = after_improvement(g, all);
	return dated_expr(g, all, d->from, d->until, d->loc);
}

static struct rt_codeset
codeset_for(struct gen *g, const struct lang_measure *m)
{
	struct rt_codeset set = { { 0 } };
	const struct rt_program *p = g->p;
	for (size_t i = 0; i < p->ncodes; i++) {
		const struct rt_code *c = &p->codes[i];
		int in = 0;
		switch (m->filter) {
		case LANG_F_POSSIBLE: in = c->category != RT_CAT_NOT_POSSIBLE; break;
		case LANG_F_PRESENT: in = c->category == RT_CAT_PRESENT || c->category == RT_CAT_EDUCATIONAL; break;
		case LANG_F_ABSENT: in = c->category == RT_CAT_AUTHORISED || c->category == RT_CAT_UNAUTHORISED; break;
		case LANG_F_AUTHORISED: in = c->category == RT_CAT_AUTHORISED; break;
		case LANG_F_UNAUTHORISED: in = c->category == RT_CAT_UNAUTHORISED; break;
		case LANG_F_PENALTY: in = (c->flags & RT_CODE_PENALTY) != 0; break;
		case LANG_F_CODED:
			for (const struct lang_strlist *s = m->codes; s && !in; s = s->next) {
				int k = rt_program_find_code(p, s->text);
				in = k >= 0 && ((size_t)k == i || c->maps_to == (uint8_t)k);
			}
			break;
		}
		if (in)
			rt_codeset_add(&set, (unsigned)i);
	}
	return set;
}

static int
codes_known(const struct rt_program *p, const struct lang_strlist *codes)
{
	for (; codes; codes = codes->next)
		if (rt_program_find_code(p, codes->text) < 0)
			return 0;
	return 1;
}

/* Measure e, labelled `label` for explanations and tests. */
static uint32_t
gen_measure_labelled(struct gen *g, const struct lang_expr *e, const char *label)
{
	struct rt_measure m = {
		.kind = e->measure.kind,
		.period = e->measure.kind == RT_M_CONSECUTIVE_DAYS ? RT_P_YEAR : e->measure.period,
		.weeks = (uint16_t)e->measure.weeks,
		.label = rt_program_string(g->p, label),
		.flags = g->measure_flags,
	};
	if (m.kind == RT_M_WEEKS_SINCE || m.kind == RT_M_DAYS_SINCE) {
		m.period = RT_P_YEAR;
		m.rule = (uint32_t)e->ref->index; /* no code set: it counts school days, not marks */
		m.flags = e->measure.recorded ? RT_MEASURE_RECORDED : 0; /* no window to restart after a notice */
	} else {
		if (m.period == RT_P_SINCE || e->measure.at == RT_MEASURE_AT_START)
			m.rule = (uint32_t)e->ref->index;
		m.flags |= (uint8_t)e->measure.at;
		struct rt_codeset set = codeset_for(g, &e->measure);
		m.codeset = rt_program_codeset(g->p, &set);
	}
	return rt_program_measure(g->p, &m);
}

static uint32_t
gen_measure(struct gen *g, const struct lang_expr *e)
{
	char label[256];
	lang_expr_format(e, label, sizeof label);
	return gen_measure_labelled(g, e, label);
}

static void
emit(struct gen *g, enum rt_opcode op, uint32_t operand, struct lang_loc loc)
{
	rt_program_emit(g->p, (uint8_t)op, operand, line_of(g->inlining ? g->use : loc));
	g->depth += rt_opcode_table[op].stack_out - rt_opcode_table[op].stack_in;
	if (g->depth > g->max_depth)
		g->max_depth = g->depth;
}

static void gen_expr(struct gen *g, const struct lang_expr *e);

/* A let with dated values: no value, replaced by each value whose dates hold on the as-of date
 * (no two overlap, so at most one does). */
static void
gen_dated_value(struct gen *g, const struct lang_decl *d, struct lang_loc loc)
{
	emit(g, RT_OP_CONST, rt_program_constant(g->p, (struct rt_value){ 0, 1, RT_UNIT_NONE_VALUE }), loc);
	for (const struct lang_decl *v = d; v; v = v->also) {
		gen_expr(g, v->value);
		struct rt_range r = { v->from, v->until };
		emit(g, RT_OP_CHOOSE, rt_program_range(g->p, &r), loc);
	}
}

static void
gen_expr(struct gen *g, const struct lang_expr *e)
{
	switch (e->kind) {
	case LANG_E_VALUE:
		emit(g, RT_OP_CONST, rt_program_constant(g->p, e->value), e->loc);
		return;
	case LANG_E_MEASURE:
		emit(g, RT_OP_MEASURE, gen_measure(g, e), e->loc);
		return;
	case LANG_E_NAME:
		switch (e->ref->kind) {
		case LANG_D_FLAG:
			emit(g, RT_OP_OUTCOME, (uint32_t)e->ref->index, e->loc);
			return;
		case LANG_D_SCHEDULE:
			emit(g, RT_OP_SCHEDULE, (uint32_t)e->ref->index, e->loc);
			return;
		default:
			if (!g->inlining++)
				g->use = e->loc;
			if (is_dated(e->ref->from, e->ref->until))
				gen_dated_value(g, e->ref, e->loc);
			else
				gen_expr(g, e->ref->value);
			g->inlining--;
			return;
		}
	case LANG_E_STAGE:
		emit(g, RT_OP_OUTCOME, (uint32_t)e->ref->index, e->loc);
		return;
	case LANG_E_NOT:
		gen_expr(g, e->lhs);
		emit(g, RT_OP_NOT, 0, e->loc);
		return;
	case LANG_E_AND:
	case LANG_E_OR: {
		gen_expr(g, e->lhs);
		uint32_t jump = (uint32_t)g->p->ncode;
		emit(g, e->kind == LANG_E_AND ? RT_OP_AND_ELSE : RT_OP_OR_ELSE, 0, e->loc);
		gen_expr(g, e->rhs);
		g->p->code[jump].operand = (uint32_t)g->p->ncode;
		return;
	}
	case LANG_E_CMP: {
		char label[256];
		lang_expr_format(e->lhs, label, sizeof label);
		gen_expr(g, e->lhs);
		gen_expr(g, e->rhs);
		emit(g, (enum rt_opcode)e->op, rt_program_string(g->p, label), e->loc);
		return;
	}
	case LANG_E_ADD:
	case LANG_E_SUB:
		gen_expr(g, e->lhs);
		gen_expr(g, e->rhs);
		emit(g, e->kind == LANG_E_ADD ? RT_OP_ADD : RT_OP_SUB, 0, e->loc);
		return;
	case LANG_E_IN_FORCE: {
		struct rt_range r = { (rt_date)e->value.num, (rt_date)e->value.den };
		emit(g, RT_OP_IN_FORCE, rt_program_range(g->p, &r), e->loc);
		return;
	}
	case LANG_E_YEARS:
		emit(g, RT_OP_IN_YEARS, rt_years_pack(e->years_from, e->years_until), e->loc);
		return;
	}
}

static void
gen_codes(struct gen *g)
{
	struct lang_ctx *ctx = g->ctx;
	for (size_t i = 0; i < ctx->ndecls; i++) {
		const struct lang_decl *d = ctx->decls[i];
		if (d->kind != LANG_D_CODE)
			continue;
		struct rt_code c = {
			.name = str(g->p, d->name),
			.meaning = str(g->p, d->meaning),
			.category = (uint8_t)(d->category >= 0 ? d->category : 0),
			.flags = d->penalty ? RT_CODE_PENALTY : 0,
			.maps_to = (uint8_t)d->index,
			.valid_from = d->from,
			.valid_until = d->until,
			.source = str(g->p, d->source),
			.line = line_of(d->loc),
			.file = file_of(g, d->loc),
		};
		rt_program_code(g->p, &c);
	}
	/* Sub-codes take their statutory code's category and penalty flag. */
	for (size_t i = 0; i < ctx->ndecls; i++) {
		const struct lang_decl *d = ctx->decls[i];
		if (d->kind != LANG_D_CODE || !d->maps_to)
			continue;
		const struct lang_decl *t = lang_find_decl(ctx, LANG_D_CODE, d->maps_to);
		struct rt_code *c = &g->p->codes[d->index];
		c->maps_to = (uint8_t)t->index;
		c->category = g->p->codes[t->index].category;
		c->flags = g->p->codes[t->index].flags;
	}
}

static void
gen_arrival(struct gen *g, const struct lang_decl *d, const struct lang_item *it, uint32_t group)
{
	const struct lang_decl *code = lang_find_decl(g->ctx, LANG_D_CODE, it->text);
	struct rt_arrival_rule a = {
		.session = (uint8_t)it->session,
		.after = (int16_t)it->after,
		.code = (uint8_t)code->index,
		.source = str(g->p, it->owner ? it->owner : lang_decl_source(d)), /* owner: the line's source */
		.line = line_of(it->loc),
		.file = file_of(g, it->loc),
		.group = group,
	};
	rt_program_arrival(g->p, &a);
}

/* The group session index (1-based, as arrival rules hold it) of an arrival line's years. */
static uint32_t
group_of(const struct lang_decl *d, const struct lang_item *arrival)
{
	const struct lang_item *session = lang_group_session(d, arrival, NULL);
	uint32_t k = 0;
	for (const struct lang_item *it = d->items; it; it = it->next)
		if (it->kind == LANG_I_SESSION && it->years_from != RT_NO_YEAR) {
			k++;
			if (it == session)
				return k;
		}
	return 0;
}

/* The school-wide sessions and arrival rules, then the groups' (so the file keeps the order). */
static void
gen_register(struct gen *g, const struct lang_decl *d)
{
	for (const struct lang_item *it = d->items; it; it = it->next) {
		if (it->kind == LANG_I_SESSION && it->years_from == RT_NO_YEAR) {
			g->p->sessions[it->session].opens = (int16_t)it->opens;
			g->p->sessions[it->session].closes = (int16_t)it->closes;
			g->p->sessions[it->session].line = line_of(it->loc);
			g->p->sessions[it->session].file = file_of(g, it->loc);
		} else if (it->kind == LANG_I_SESSION) {
			struct rt_group_session s = {
				.session = (uint8_t)it->session, .from = (int8_t)it->years_from,
				.until = (int8_t)it->years_until, .opens = (int16_t)it->opens, .closes = (int16_t)it->closes,
				.line = line_of(it->loc), .file = file_of(g, it->loc),
			};
			rt_program_group(g->p, &s);
		} else if (it->kind == LANG_I_ARRIVAL && it->years_from == RT_NO_YEAR) {
			gen_arrival(g, d, it, 0);
		}
	}
	for (const struct lang_item *it = d->items; it; it = it->next)
		if (it->kind == LANG_I_ARRIVAL && it->years_from != RT_NO_YEAR)
			gen_arrival(g, d, it, group_of(d, it));
}

static void
gen_schedule(struct gen *g, const struct lang_decl *d)
{
	struct rt_schedule s = { .name = str(g->p, d->name), .line = line_of(d->loc) };
	s.unit = (uint8_t)(d->value ? d->value->value.unit : RT_UNIT_NONE);
	for (const struct lang_item *it = d->items; it; it = it->next) {
		if (it->kind != LANG_I_HALF_TERM)
			continue;
		s.present |= (uint8_t)(1u << (it->number - 1));
		s.num[it->number - 1] = it->expr->value.num;
	}
	rt_program_schedule(g->p, &s);
}

static void
gen_letter(struct gen *g, const struct lang_decl *d)
{
	const struct lang_item *body = lang_decl_item(d, LANG_I_BODY);
	struct rt_letter l = {
		.name = str(g->p, d->name),
		.title = str(g->p, d->title ? d->title : d->name),
		.body = str(g->p, body ? body->text : ""),
		.source = str(g->p, lang_decl_source(d)),
		.line = line_of(d->loc),
	};
	rt_program_letter(g->p, &l);
}

static void
gen_penalty(struct gen *g, const struct lang_decl *d)
{
	struct rt_penalty *pen = &g->p->penalty;
	pen->defined = 1;
	pen->alternative = pen->unpaid_action = RT_NO_STRING;
	pen->source = str(g->p, lang_decl_source(d));
	for (const struct lang_item *it = d->items; it; it = it->next) {
		if (it->kind == LANG_I_FINE) {
			struct rt_fine f = {
				.from = it->from,
				.until = it->until,
				.notice = (uint8_t)it->number,
				.pence = it->amount.num,
				.days = (uint16_t)it->window.num,
				.later_pence = it->has_later ? it->later_amount.num : 0,
				.later_days = it->has_later ? (uint16_t)it->later_window.num : 0,
				.source = pen->source,
				.line = line_of(it->loc),
				.file = file_of(g, it->loc),
			};
			rt_program_fine(g->p, &f);
		} else if (it->kind == LANG_I_CAP) {
			pen->max_notices = (uint8_t)it->number;
			pen->cap_years = (uint8_t)it->amount.num;
			pen->alternative = str(g->p, it->text);
			pen->cap_dated = is_dated(it->from, it->until);
			pen->cap_from = it->from;
			pen->cap_until = it->until;
		} else if (it->kind == LANG_I_UNPAID) {
			pen->unpaid_days = (uint16_t)it->amount.num;
			pen->unpaid_action = str(g->p, it->text);
		}
	}
}

static void
gen_rule(struct gen *g, const struct lang_decl *d)
{
	struct rt_rule r = {
		.kind = d->kind == LANG_D_FLAG ? RT_RULE_FLAG : d->kind == LANG_D_STAGE ? RT_RULE_STAGE : RT_RULE_PENALTY,
		.stage = d->kind == LANG_D_STAGE ? (uint16_t)d->stage : 0,
		.first_action = (uint32_t)g->p->nactions,
		.letter = UINT32_MAX,
		.source = str(g->p, lang_decl_source(d)),
		.line = line_of(d->loc),
		.file = file_of(g, d->loc),
		.in_force = RT_ALWAYS,
	};
	if (is_dated(d->from, d->until)) {
		struct rt_range range = { d->from, d->until };
		r.in_force = 1 + rt_program_range(g->p, &range);
	}
	char name[32];
	if (d->kind == LANG_D_FLAG) {
		r.name = str(g->p, d->name);
	} else if (d->kind == LANG_D_STAGE) {
		snprintf(name, sizeof name, "stage %lld", (long long)d->stage);
		r.name = str(g->p, d->title ? d->title : name);
	} else {
		r.name = str(g->p, "penalty notice");
	}
	r.title = str(g->p, d->kind == LANG_D_PENALTY ? "Penalty notice" : d->title);
	for (const struct lang_item *it = d->items; it; it = it->next) {
		if (it->kind == LANG_I_ACTION) {
			struct rt_action a = { str(g->p, it->text), str(g->p, it->owner) };
			rt_program_action(g->p, &a);
			r.action_count++;
		} else if (it->kind == LANG_I_LETTER) {
			r.letter = (uint32_t)lang_find_decl(g->ctx, LANG_D_LETTER, it->text)->index;
		}
	}
	rt_program_rule(g->p, &r);
}

static void
fact(struct gen *g, const char *key, const char *text, struct rt_value value, const struct lang_decl *d)
{
	struct rt_fact f = {
		.key = str(g->p, key),
		.text = str(g->p, text),
		.value = text ? (struct rt_value){ 0, 1, RT_UNIT_NONE } : value,
		.source = str(g->p, d ? lang_decl_source(d) : NULL),
		.line = d ? line_of(d->loc) : 0,
		.file = d ? file_of(g, d->loc) : RT_NO_STRING,
	};
	rt_program_fact(g->p, &f);
}

static void
value_fact(struct gen *g, const char *prefix, const struct lang_decl *d)
{
	char key[256], text[256];
	snprintf(key, sizeof key, "%s.%s", prefix, d->name);
	if (d->value->kind == LANG_E_VALUE) {
		fact(g, key, NULL, d->value->value, d);
	} else {
		lang_expr_format(d->value, text, sizeof text);
		fact(g, key, text, (struct rt_value){ 0, 1, 0 }, d);
	}
}

/* The letterhead as facts "letterhead.address", ... and "letterhead.role". */
static void
letterhead_facts(struct gen *g, const struct lang_decl *d)
{
	for (const struct lang_item *it = d->items; it; it = it->next) {
		if (it->kind != LANG_I_FIELD)
			continue;
		char key[64];
		snprintf(key, sizeof key, "letterhead.%s", it->key);
		fact(g, key, it->text, (struct rt_value){ 0, 1, 0 }, d);
		if (it->owner)
			fact(g, "letterhead.role", it->owner, (struct rt_value){ 0, 1, 0 }, d);
	}
}

static void
gen_facts(struct gen *g)
{
	struct lang_ctx *ctx = g->ctx;
	for (size_t i = 0; i < ctx->ndecls; i++) {
		const struct lang_decl *d = ctx->decls[i];
		struct rt_value date = { d->date, 1, RT_UNIT_DATE };
		switch (d->kind) {
		case LANG_D_POLICY: fact(g, "identity.school", d->text, date, d); break;
		case LANG_D_VERSION: fact(g, "identity.version", d->text, date, d); break;
		case LANG_D_APPROVED: fact(g, "identity.approved", NULL, date, d); break;
		case LANG_D_REVIEW: fact(g, "identity.review", NULL, date, d); break;
		case LANG_D_BUILDS_ON: fact(g, "identity.baseline", d->name, date, d); break;
		case LANG_D_TARGET: value_fact(g, "target", d); break;
		case LANG_D_LET: value_fact(g, "let", d); break;
		case LANG_D_LEAVE_NOTICE:
			if (d->value) {
				value_fact(g, "leave_notice", d);
			} else {
				char key[256];
				snprintf(key, sizeof key, "leave_notice.%s", d->name);
				fact(g, key, d->text, date, d);
			}
			break;
		case LANG_D_RETAIN: fact(g, "retention.register", NULL, d->value->value, d); break;
		case LANG_D_REGISTER_WINDOW:
			fact(g, "register.closes_within", NULL, d->value->value, d);
			if (d->text)
				fact(g, "register.same_window", d->text, date, d);
			break;
		case LANG_D_LETTERHEAD: letterhead_facts(g, d); break;
		default: break;
		}
	}
}

/* Letters show measures by name ({attendance rate}): put them in the measure
 * table, labelled as written, so that the VM computes them. */
static void
gen_placeholder_measures(struct gen *g, const struct lang_decl *d)
{
	const struct lang_item *body = lang_decl_item(d, LANG_I_BODY);
	for (const char *s = body ? body->text : ""; (s = strchr(s, '{')) != NULL;) {
		const char *close = strchr(s, '}');
		if (!close)
			return;
		const struct lang_expr *e = lang_parse_placeholder(g->ctx->arena, s + 1, (size_t)(close - s) - 1);
		if (e && e->kind == LANG_E_MEASURE)
			gen_measure(g, e);
		s = close + 1;
	}
}

struct rt_program *
lang_codegen(struct lang_ctx *ctx)
{
	struct rt_program *p = rt_program_new();
	struct gen g = { .ctx = ctx, .p = p };
	p->source_file = rt_program_string(p, ctx->main->src.name);
	gen_codes(&g);
	gen_facts(&g);
	for (size_t i = 0; i < ctx->ndecls; i++) {
		const struct lang_decl *d = ctx->decls[i];
		switch (d->kind) {
		case LANG_D_REGISTER: gen_register(&g, d); break;
		case LANG_D_SCHEDULE: gen_schedule(&g, d); break;
		case LANG_D_LETTER: gen_letter(&g, d); break;
		case LANG_D_PENALTY: gen_penalty(&g, d); break;
		default: break;
		}
	}
	for (size_t i = 0; i < ctx->ndecls; i++)
		if (ctx->decls[i]->kind == LANG_D_FLAG || ctx->decls[i]->kind == LANG_D_STAGE ||
		    ctx->decls[i]->kind == LANG_D_PENALTY)
			gen_rule(&g, ctx->decls[i]);
	for (size_t i = 0; i < ctx->ndecls; i++) {
		const struct lang_decl *d = ctx->decls[i];
		if (d->kind != LANG_D_FLAG && d->kind != LANG_D_STAGE && d->kind != LANG_D_PENALTY)
			continue;
		/* Sessions that led to an earlier notice do not count toward the next one, nor
		 * toward a new notice to improve. */
		g.measure_flags = d->kind == LANG_D_PENALTY || d->improve ? RT_MEASURE_AFTER_NOTICE : 0;
		gen_expr(&g, rule_condition(&g, d));
		g.measure_flags = 0;
		emit(&g, RT_OP_RULE, (uint32_t)d->index, d->loc);
	}
	emit(&g, RT_OP_HALT, 0, ctx->main->decls ? ctx->main->decls->loc : (struct lang_loc){ 0 });
	p->max_stack = (uint16_t)g.max_depth;
	for (size_t i = 0; i < ctx->ndecls; i++)
		if (ctx->decls[i]->kind == LANG_D_LETTER)
			gen_placeholder_measures(&g, ctx->decls[i]);
	return p;
}

int
lang_measure_add(struct rt_program *p, const char *phrase)
{
	for (size_t i = 0; i < p->nmeasures; i++)
		if (strcmp(rt_program_str(p, p->measures[i].label), phrase) == 0)
			return (int)i;
	struct lang_arena *arena = lang_arena_new();
	const struct lang_expr *e = lang_parse_placeholder(arena, phrase, strlen(phrase));
	int index = -1;
	/* The "since" kinds name a rule the checker would have to resolve: not here. */
	if (e && e->kind == LANG_E_MEASURE && e->measure.kind != RT_M_WEEKS_SINCE && e->measure.kind != RT_M_DAYS_SINCE &&
	    e->measure.period != RT_P_SINCE && e->measure.at != RT_MEASURE_AT_START && codes_known(p, e->measure.codes)) {
		struct gen g = { .p = p };
		/* labelled as written, so that the test finds it whatever the canonical spelling */
		index = (int)gen_measure_labelled(&g, e, phrase);
	}
	lang_arena_free(arena);
	return index;
}
