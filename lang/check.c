/*
 * The semantic pass: merge a policy with what it builds on, resolve names,
 * check units and the order of stages and rule references. Every problem is
 * reported with its location; checking goes on after an error so that one
 * run shows them all.
 */
#include <stdio.h>
#include <string.h>

#include "runtime/machine/opcodes.h"
#include "arena.h"
#include "context.h"
#include "parse.h"

#define UNIT_UNKNOWN (-1) /* an operand already in error: say nothing more about it */

struct checker {
	struct lang_ctx *ctx;
	struct lang_diags *d;
	int rule;                 /* index of the rule whose condition is checked, -1 outside rules */
	const struct lang_decl *in_value; /* the let or target being checked, or NULL */
};

static int
is_identity(enum lang_decl_kind k)
{
	return k == LANG_D_POLICY || k == LANG_D_VERSION || k == LANG_D_APPROVED || k == LANG_D_REVIEW ||
	       k == LANG_D_BUILDS_ON;
}

static int
is_rule(enum lang_decl_kind k)
{
	return k == LANG_D_FLAG || k == LANG_D_STAGE || k == LANG_D_PENALTY;
}

static void
describe_decl(const struct lang_decl *d, char *buf, size_t size)
{
	switch (d->kind) {
	case LANG_D_STAGE:
		snprintf(buf, size, "stage %lld", (long long)d->stage);
		break;
	case LANG_D_CODE:
	case LANG_D_LEAVE_NOTICE:
		snprintf(buf, size, "%s \"%s\"", lang_decl_kind_name(d->kind), d->name);
		break;
	case LANG_D_LET:
	case LANG_D_TARGET:
	case LANG_D_SCHEDULE:
	case LANG_D_FLAG:
	case LANG_D_LETTER:
		snprintf(buf, size, "%s '%s'", lang_decl_kind_name(d->kind), d->name);
		break;
	default:
		snprintf(buf, size, "'%s'", lang_decl_kind_name(d->kind));
		break;
	}
}

static int
decl_dated(const struct lang_decl *d)
{
	return d->from != RT_DATE_MIN || d->until != RT_DATE_MAX;
}

/* A `let` written again with other dates is a further value of the same name (the national
 * figure of each year); both must be dated, and no two in force on one day. */
static void
add_let_value(struct checker *c, struct lang_decl *first, struct lang_decl *d)
{
	if (!decl_dated(first) || !decl_dated(d)) {
		lang_error(c->d, d->name_loc, "let '%s' has a second value: give each value the dates it is in force "
		           "('from DATE until DATE'), or write 'replaces'", d->name);
		lang_note(c->d, first->name_loc, "the first value is here");
		return;
	}
	struct lang_decl **tail = &first->also;
	for (struct lang_decl *o = first; o; tail = &o->also, o = o->also) {
		if (o->from > d->until || d->from > o->until)
			continue;
		char day[11];
		rt_date_format(o->from > d->from ? o->from : d->from, day);
		lang_error(c->d, d->dates_loc, "two values of let '%s' are in force on %s", d->name, day);
		lang_note(c->d, o->name_loc, "the other is here");
		return;
	}
	*tail = d;
}

static void
merge_file(struct checker *c, struct lang_file *f, size_t *n)
{
	struct lang_ctx *ctx = c->ctx;
	if (f->base)
		merge_file(c, f->base, n);
	size_t from_base = *n;
	int first = 1;
	for (struct lang_decl *d = f->decls; d; d = d->next, first = 0) {
		if (d->kind == LANG_D_BUILDS_ON && !first)
			lang_error(c->d, d->loc, "'builds on' must be the first declaration of the file");
		if (is_identity(d->kind) && f != ctx->main) {
			/* A base's name and dates are its own; they are not the school's. */
			continue;
		}
		long found = lang_decl_index_find(ctx, d);
		size_t i = found < 0 ? *n : (size_t)found;
		char what[128];
		describe_decl(d, what, sizeof what);
		if (i < *n && d->kind == LANG_D_LET && ctx->decls[i]->kind == LANG_D_LET && !d->replaces &&
		    ctx->decls[i]->loc.src == d->loc.src) {
			add_let_value(c, ctx->decls[i], d);
			continue;
		}
		if (i < *n) {
			if (i < from_base && d->replaces && !is_identity(d->kind)) {
				ctx->decls[i] = d; /* the same key: its slot in the index stands */
				continue;
			}
			const struct lang_decl *old = ctx->decls[i];
			if (i < from_base)
				lang_error(c->d, d->name_loc, "duplicate %s: it is already declared in \"%s\"; write "
				           "'replaces' before it to replace that declaration", what, old->loc.src->name);
			else
				lang_error(c->d, d->name_loc, "duplicate %s", what);
			lang_note(c->d, old->name_loc, "first declared here");
			continue;
		}
		if (d->replaces)
			lang_error(c->d, d->loc, "%s replaces nothing: no such declaration in the policy it builds on",
			           what);
		ctx->decls[*n] = d;
		lang_decl_index_add(ctx, (*n)++);
	}
}

int
lang_builtin_placeholder(const char *name)
{
	static const char *const builtin[] = { "school", "pupil", "upn", "date", "parent", "parent address",
		                               "salutation", "figures", "signatory", "signatory role",
		                               "school address", "school telephone", "school email" };
	for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
		if (strcmp(name, builtin[i]) == 0)
			return 1;
	return 0;
}

static const char *
unit_name(int unit)
{
	return rt_unit_name((enum rt_unit)unit);
}

static void
check_codes_listed(struct checker *c, const struct lang_strlist *codes)
{
	for (const struct lang_strlist *s = codes; s; s = s->next)
		if (!lang_find_decl(c->ctx, LANG_D_CODE, s->text))
			lang_error(c->d, s->loc, "unknown code \"%s\"", s->text);
}

static int check_expr(struct checker *c, struct lang_expr *e);

static int
check_value_decl(struct checker *c, struct lang_decl *d)
{
	if (d->checked)
		return d->value ? d->value->unit : UNIT_UNKNOWN;
	if (d->resolving) {
		lang_error(c->d, d->name_loc, "'%s' is defined in terms of itself", d->name);
		return UNIT_UNKNOWN;
	}
	d->resolving = 1;
	struct checker inner = { c->ctx, c->d, -1, d };
	int unit = check_expr(&inner, d->value);
	d->value->unit = unit;
	for (struct lang_decl *v = d->also; v; v = v->also) {
		int u = check_expr(&inner, v->value);
		v->value->unit = u;
		if (u != unit && u != UNIT_UNKNOWN && unit != UNIT_UNKNOWN)
			lang_error(c->d, v->value->loc, "the values of let '%s' must be in one unit: this one is in %s, the "
			           "first in %s", d->name, rt_unit_name((enum rt_unit)u), rt_unit_name((enum rt_unit)unit));
	}
	d->resolving = 0;
	d->checked = 1;
	return unit;
}

/* A reference from a rule's condition to another rule must point back. */
static void
check_rule_order(struct checker *c, const struct lang_expr *e, const struct lang_decl *target, const char *what)
{
	if (c->in_value) {
		lang_error(c->d, e->loc, "%s is a rule: named values ('%s') cannot refer to rules; use it in "
		           "the rule's 'when' instead", what, c->in_value->name);
		return;
	}
	if (c->rule >= 0 && target->index >= c->rule) {
		lang_error(c->d, e->loc, "%s is declared %s: a condition may refer only to rules declared before it",
		           what, target->index == c->rule ? "by this rule itself" : "later");
		lang_note(c->d, target->name_loc, "%s is declared here", what);
	}
}

/* "school weeks since stage 4", "school days since persistent_absence": the
 * rule must be declared before the one whose condition uses it. */
static int
check_since(struct checker *c, struct lang_expr *e)
{
	const struct lang_measure *m = &e->measure;
	char what[96];
	struct lang_decl *d;
	if (m->since_flag) {
		d = lang_find_decl(c->ctx, LANG_D_FLAG, m->since_flag);
		if (!d) {
			lang_error(c->d, e->loc, "'%s' is not a flag: 'school %s since' needs a flag or 'stage N'",
			           m->since_flag, m->kind == RT_M_WEEKS_SINCE ? "weeks" : "days");
			return UNIT_UNKNOWN;
		}
		snprintf(what, sizeof what, "flag '%s'", d->name);
	} else {
		d = lang_find_stage(c->ctx, m->since_stage);
		if (!d) {
			lang_error(c->d, e->loc, "there is no stage %lld", (long long)m->since_stage);
			return UNIT_UNKNOWN;
		}
		snprintf(what, sizeof what, "stage %lld", (long long)m->since_stage);
	}
	e->ref = d;
	check_rule_order(c, e, d, what);
	return m->kind == RT_M_WEEKS_SINCE ? RT_UNIT_SCHOOL_WEEKS : RT_UNIT_DAYS;
}

/* "unauthorised sessions since stage 1": the rule whose recorded start begins the period. It
 * reads only the recorded history, so any rule may be named, even the one being decided. */
/* The stage or flag whose recorded start a measure reads (any rule: it reads only the history). */
static struct lang_decl *
history_rule(struct checker *c, const struct lang_expr *e, int64_t stage, const char *flag, const char *phrase)
{
	struct lang_decl *d = flag ? lang_find_decl(c->ctx, LANG_D_FLAG, flag) : lang_find_stage(c->ctx, stage);
	if (!d && flag)
		lang_error(c->d, e->loc, "'%s' is not a flag: '%s' needs a flag, 'stage N' or 'the notice to improve'",
		           flag, phrase);
	else if (!d)
		lang_error(c->d, e->loc, "there is no stage %lld", (long long)stage);
	return d;
}

static void
check_since_period(struct checker *c, struct lang_expr *e)
{
	const struct lang_measure *m = &e->measure;
	if (m->kind != RT_M_SESSIONS && m->kind != RT_M_DAYS && m->kind != RT_M_RATE) {
		lang_error(c->d, e->loc, "only sessions, days and rates are counted since a stage or flag");
		return;
	}
	e->ref = history_rule(c, e, m->since_stage, m->since_flag, "since");
}

/* Figures at another time: "attendance rate when stage 1 began", "... last school year", "... a
 * year ago". The rule named reads only the recorded history, so any rule may be named. */
static void
check_other_time(struct checker *c, struct lang_expr *e)
{
	const struct lang_measure *m = &e->measure;
	if (m->period == RT_P_SINCE) {
		lang_error(c->d, e->loc, "a measure counted since a rule is not taken at another time");
		return;
	}
	if (m->at == RT_MEASURE_AT_LAST_YEAR && m->period != RT_P_YEAR) {
		lang_error(c->d, e->loc, "'last school year' is the whole of the last school year: it takes no period");
		return;
	}
	if (m->at != RT_MEASURE_AT_START)
		return;
	e->ref = history_rule(c, e, m->at_stage, m->at_flag, "when ... began");
}

/* Maxima over windows count sessions or days; a longest run is over a year, term or half term. */
static void
check_window(struct checker *c, const struct lang_expr *e)
{
	const struct lang_measure *m = &e->measure;
	int any = m->period == RT_P_ANY_WEEKS_YEAR || m->period == RT_P_ANY_WEEKS_TERM;
	if (any && m->kind == RT_M_RATE)
		lang_error(c->d, e->loc, "a rate cannot be taken 'in any N school weeks': count sessions or days");
	if (m->kind == RT_M_LONGEST_RUN && (any || m->period == RT_P_SCHOOL_WEEKS))
		lang_error(c->d, e->loc, "a longest run is taken over this year, this term or this half term");
}

static int
check_expr(struct checker *c, struct lang_expr *e)
{
	int l, r;
	switch (e->kind) {
	case LANG_E_VALUE:
		return e->unit = e->value.unit;
	case LANG_E_IN_FORCE: /* made by codegen after checking */
	case LANG_E_YEARS:    /* the parser checked the years */
		return e->unit = RT_UNIT_BOOL;
	case LANG_E_MEASURE:
		if (e->measure.filter == LANG_F_CODED)
			check_codes_listed(c, e->measure.codes);
		check_window(c, e);
		if (e->measure.period == RT_P_SINCE)
			check_since_period(c, e);
		if (e->measure.at)
			check_other_time(c, e);
		switch (e->measure.kind) {
		case RT_M_SESSIONS: return e->unit = RT_UNIT_SESSIONS;
		case RT_M_RATE: return e->unit = RT_UNIT_PERCENT;
		case RT_M_WEEKS_SINCE:
		case RT_M_DAYS_SINCE: return e->unit = check_since(c, e);
		default: return e->unit = RT_UNIT_DAYS;
		}
	case LANG_E_NAME: {
		struct lang_decl *d = lang_find_value(c->ctx, e->name);
		if (!d) {
			if (lang_find_decl(c->ctx, LANG_D_LETTER, e->name))
				lang_error(c->d, e->loc, "'%s' is a letter, not a value", e->name);
			else
				lang_error(c->d, e->loc, "unknown name '%s'", e->name);
			return e->unit = UNIT_UNKNOWN;
		}
		e->ref = d;
		if (d->kind == LANG_D_FLAG) {
			char what[96];
			snprintf(what, sizeof what, "flag '%s'", d->name);
			check_rule_order(c, e, d, what);
			return e->unit = RT_UNIT_BOOL;
		}
		if (d->kind == LANG_D_SCHEDULE)
			return e->unit = d->value ? d->value->unit : UNIT_UNKNOWN;
		return e->unit = check_value_decl(c, d);
	}
	case LANG_E_STAGE: {
		struct lang_decl *d = lang_find_stage(c->ctx, e->stage);
		if (!d) {
			lang_error(c->d, e->loc, "there is no stage %lld", (long long)e->stage);
			return e->unit = UNIT_UNKNOWN;
		}
		e->ref = d;
		char what[64];
		snprintf(what, sizeof what, "stage %lld", (long long)e->stage);
		check_rule_order(c, e, d, what);
		return e->unit = RT_UNIT_BOOL;
	}
	case LANG_E_NOT:
		l = check_expr(c, e->lhs);
		if (l != UNIT_UNKNOWN && l != RT_UNIT_BOOL)
			lang_error(c->d, e->lhs->loc, "'not' needs a condition, but this is a value in %s", unit_name(l));
		return e->unit = RT_UNIT_BOOL;
	case LANG_E_AND:
	case LANG_E_OR: {
		const char *op = e->kind == LANG_E_AND ? "and" : "or";
		l = check_expr(c, e->lhs);
		r = check_expr(c, e->rhs);
		if (l != UNIT_UNKNOWN && l != RT_UNIT_BOOL)
			lang_error(c->d, e->lhs->loc, "'%s' needs a condition on each side, but this is a value in %s",
			           op, unit_name(l));
		if (r != UNIT_UNKNOWN && r != RT_UNIT_BOOL)
			lang_error(c->d, e->rhs->loc, "'%s' needs a condition on each side, but this is a value in %s",
			           op, unit_name(r));
		return e->unit = RT_UNIT_BOOL;
	}
	case LANG_E_CMP:
		l = check_expr(c, e->lhs);
		r = check_expr(c, e->rhs);
		if (l == UNIT_UNKNOWN || r == UNIT_UNKNOWN)
			return e->unit = RT_UNIT_BOOL;
		if (l == RT_UNIT_BOOL || r == RT_UNIT_BOOL)
			lang_error(c->d, l == RT_UNIT_BOOL ? e->lhs->loc : e->rhs->loc,
			           "cannot compare a condition: comparisons are between values such as "
			           "'absence rate >= 10%%'");
		else if (l != r)
			lang_error(c->d, e->loc, "cannot compare %s with %s", unit_name(l), unit_name(r));
		return e->unit = RT_UNIT_BOOL;
	case LANG_E_ADD:
	case LANG_E_SUB:
		l = check_expr(c, e->lhs);
		r = check_expr(c, e->rhs);
		if (l == UNIT_UNKNOWN || r == UNIT_UNKNOWN)
			return e->unit = UNIT_UNKNOWN;
		if (l == RT_UNIT_BOOL || r == RT_UNIT_BOOL || l == RT_UNIT_DATE || l == RT_UNIT_TIME) {
			lang_error(c->d, e->loc, "cannot %s %s values", e->kind == LANG_E_ADD ? "add" : "subtract",
			           unit_name(l == RT_UNIT_BOOL || r != RT_UNIT_BOOL ? l : r));
			return e->unit = UNIT_UNKNOWN;
		}
		if (l != r) {
			if (e->kind == LANG_E_ADD)
				lang_error(c->d, e->loc, "cannot add %s to %s", unit_name(r), unit_name(l));
			else
				lang_error(c->d, e->loc, "cannot subtract %s from %s", unit_name(r), unit_name(l));
			return e->unit = UNIT_UNKNOWN;
		}
		return e->unit = l;
	}
	return UNIT_UNKNOWN;
}

static void
check_condition(struct checker *c, struct lang_expr *e)
{
	int unit = check_expr(c, e);
	if (unit != UNIT_UNKNOWN && unit != RT_UNIT_BOOL)
		lang_error(c->d, e->loc, "this is a value in %s, not a condition: compare it, as in "
		           "'absence rate >= 10%%'", unit_name(unit));
}

static void
expect_unit(struct checker *c, struct lang_loc loc, struct rt_value v, enum rt_unit unit, const char *what)
{
	if (v.unit != unit)
		lang_error(c->d, loc, "%s must be in %s, not %s", what, unit_name(unit), unit_name(v.unit));
	else if (v.den != 1)
		lang_error(c->d, loc, "%s must be a whole number of %s", what, unit_name(unit));
}

static void
check_code(struct checker *c, struct lang_decl *d)
{
	if (d->from != RT_DATE_MIN && d->until != RT_DATE_MAX && d->from > d->until)
		lang_error(c->d, d->loc, "code \"%s\" is in use from a date after its 'until' date", d->name);
	/* The same shape the register accepts (runtime/store_codes.c), so every code a
	 * policy declares can appear in a register. */
	size_t len = strlen(d->name);
	int shape_ok = len >= 1 && len <= 4;
	for (size_t i = 0; shape_ok && i < len; i++) {
		char ch = d->name[i];
		shape_ok = (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '/' || ch == '\\' ||
		           ch == '#' || ch == '-';
	}
	if (!shape_ok)
		lang_error(c->d, d->name_loc, "a code is 1 to 4 characters from A-Z, 0-9, / \\ # and -, as in "
		           "\"I\" or \"I01\"");
	if (!d->maps_to)
		return;
	struct lang_decl *t = lang_find_decl(c->ctx, LANG_D_CODE, d->maps_to);
	if (!t) {
		lang_error(c->d, d->maps_loc, "code \"%s\" maps to unknown code \"%s\"", d->name, d->maps_to);
	} else if (t->maps_to) {
		lang_error(c->d, d->maps_loc, "code \"%s\" maps to \"%s\", which is itself a sub-code: map it to a "
		           "statutory code", d->name, d->maps_to);
		lang_note(c->d, t->name_loc, "\"%s\" is declared here", t->name);
	} else if (d->penalty) {
		lang_error(c->d, d->loc, "sub-code \"%s\" takes its penalty-notice rule from \"%s\"; "
		           "'counts toward penalty notices' belongs on \"%s\"", d->name, d->maps_to, d->maps_to);
	}
}

/* Finds "{name}" on the source lines of a letter's text, for a caret. */
static struct lang_loc
placeholder_loc(const struct lang_item *body, const char *open, size_t len)
{
	struct lang_loc loc = body->loc;
	const struct lang_source *src = loc.src;
	if (!src || !src->text)
		return loc;
	const char *p = src->text, *end = src->text + src->len;
	int line = 1;
	while (p < end && line < loc.first_line)
		if (*p++ == '\n')
			line++;
	for (; p < end && line <= loc.last_line; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		for (const char *q = p; q + len <= e; q++) {
			if (memcmp(q, open, len) != 0)
				continue;
			int col = 1;
			for (const char *r = p; r < q; r++)
				if ((*r & 0xC0) != 0x80)
					col++;
			return (struct lang_loc){ src, line, col, line, col + (int)len };
		}
		p = e + 1;
	}
	return loc;
}

static void
check_placeholders(struct checker *c, const struct lang_decl *letter, const struct lang_item *body)
{
	const char *s = body->text;
	while ((s = strchr(s, '{')) != NULL) {
		const char *close = strchr(s, '}');
		if (!close) {
			lang_error(c->d, placeholder_loc(body, s, 1), "'{' without a closing '}' in letter '%s'",
			           letter->name);
			return;
		}
		struct lang_loc loc = placeholder_loc(body, s, (size_t)(close - s) + 1);
		char *inner = lang_arena_strndup(c->ctx->arena, s + 1, (size_t)(close - s) - 1);
		s = close + 1;
		if (lang_builtin_placeholder(inner))
			continue;
		const struct lang_expr *e = lang_parse_placeholder(c->ctx->arena, inner, strlen(inner));
		/* "since" measures name a rule, which a letter cannot resolve */
		int ok = e && ((e->kind == LANG_E_MEASURE && e->measure.kind != RT_M_WEEKS_SINCE &&
		                e->measure.kind != RT_M_DAYS_SINCE && e->measure.period != RT_P_SINCE &&
		                e->measure.at != RT_MEASURE_AT_START) ||
		                          (e->kind == LANG_E_NAME && lang_find_value(c->ctx, e->name) &&
		                           lang_find_value(c->ctx, e->name)->kind != LANG_D_FLAG &&
		                           !decl_dated(lang_find_value(c->ctx, e->name))));
		if (ok && e->kind == LANG_E_MEASURE && e->measure.filter == LANG_F_CODED)
			for (const struct lang_strlist *k = e->measure.codes; k; k = k->next)
				ok = ok && lang_find_decl(c->ctx, LANG_D_CODE, k->text);
		if (!ok)
			lang_error(c->d, loc, "unknown placeholder '{%s}' in letter '%s': use a measure such as "
			           "{attendance rate}, a 'let' or 'target' name, or one of attend's own (docs/language.md, "
			           "Letters), such as {pupil} or {salutation}",
			           inner, letter->name);
	}
}

static int
dated(const struct lang_item *it)
{
	return it->from != RT_DATE_MIN || it->until != RT_DATE_MAX;
}

/* A rule may have several conditions only when each says when it is in force
 * (`when ... from D until D`) and no two are in force on the same day. */
static void
check_dated_conditions(struct checker *c, const char *what, const char *cond_name, const struct lang_item *first,
                       const struct lang_item *it)
{
	if (!dated(first) || !dated(it)) {
		lang_error(c->d, it->loc, "%s has a second '%s': combine the conditions with 'or', or give each "
		           "the dates it is in force ('from DATE until DATE')", what, cond_name);
		lang_note(c->d, first->loc, "the first '%s' is here", cond_name);
		return;
	}
	for (const struct lang_item *o = first; o && o != it; o = o->next) {
		if (o->kind != it->kind || o->from > it->until || it->from > o->until)
			continue;
		char day[11];
		rt_date_format(o->from > it->from ? o->from : it->from, day);
		lang_error(c->d, it->text_loc, "two '%s' conditions of %s are in force on %s", cond_name, what, day);
		lang_note(c->d, o->loc, "the other is here");
		return;
	}
}

/* The lines only a `notice to improve` block has: one improvement period in
 * school weeks, one `improved when`, at most one `support not appropriate when`. */
static void
check_improve_items(struct checker *c, const struct lang_decl *d)
{
	const struct lang_item *seen[3] = { NULL, NULL, NULL };
	static const char *const names[] = { "support not appropriate when", "improvement period", "improved when" };
	for (const struct lang_item *it = d->items; it; it = it->next) {
		if (it->kind < LANG_I_NOT_APPROPRIATE || it->kind > LANG_I_IMPROVED)
			continue;
		int k = it->kind - LANG_I_NOT_APPROPRIATE;
		if (!d->improve) {
			lang_error(c->d, it->loc, "'%s' belongs in a 'notice to improve' block", names[k]);
			continue;
		}
		if (seen[k]) {
			lang_error(c->d, it->loc, "a second '%s' line", names[k]);
			lang_note(c->d, seen[k]->loc, "the first is here");
		}
		seen[k] = it;
		if (it->kind == LANG_I_IMPROVEMENT) {
			expect_unit(c, it->text_loc, it->amount, RT_UNIT_SCHOOL_WEEKS, "an improvement period");
			if (it->amount.num < 1 || it->amount.num > 520)
				lang_error(c->d, it->text_loc, "an improvement period is 1 to 520 school weeks");
		} else {
			check_condition(c, it->expr);
		}
	}
	if (d->improve && !seen[1])
		lang_error(c->d, d->loc, "the notice to improve has no 'improvement period'");
	if (d->improve && !seen[2])
		lang_error(c->d, d->loc, "the notice to improve has no 'improved when' condition");
}

static void
check_rule(struct checker *c, struct lang_decl *d)
{
	enum lang_item_kind cond = d->kind == LANG_D_PENALTY ? LANG_I_CONSIDER : LANG_I_WHEN;
	const char *cond_name = d->kind == LANG_D_PENALTY ? "consider when" : "when";
	const struct lang_item *first_cond = NULL, *first_letter = NULL;
	char what[96];
	describe_decl(d, what, sizeof what);
	c->rule = d->index;
	if (d->from > d->until)
		lang_error(c->d, d->dates_loc, "%s is in force from a date after its 'until' date", what);
	for (const struct lang_item *it = d->items; it; it = it->next) {
		if (it->kind == cond) {
			if (first_cond)
				check_dated_conditions(c, what, cond_name, first_cond, it);
			else
				first_cond = it;
			if (it->from > it->until)
				lang_error(c->d, it->text_loc, "this '%s' is in force from a date after its 'until' date",
				           cond_name);
			check_condition(c, it->expr);
		} else if (it->kind == LANG_I_LETTER) {
			if (first_letter) {
				lang_error(c->d, it->loc, "%s sends one letter; this is a second", what);
				lang_note(c->d, first_letter->loc, "the first letter is here");
			} else {
				first_letter = it;
			}
			if (!lang_find_decl(c->ctx, LANG_D_LETTER, it->text))
				lang_error(c->d, it->text_loc, "unknown letter '%s'", it->text);
		}
	}
	check_improve_items(c, d);
	c->rule = -1;
	if (!first_cond)
		lang_error(c->d, d->loc, "%s has no '%s' condition", what, cond_name);
}

/* The penalty notice reads the notice to improve's outcome, so it is decided first. */
static void
check_improve_order(struct checker *c)
{
	const struct lang_decl *improve = lang_find_decl(c->ctx, LANG_D_FLAG, LANG_IMPROVE_NAME);
	const struct lang_decl *penalty = NULL;
	for (size_t i = 0; i < c->ctx->ndecls && !penalty; i++)
		if (c->ctx->decls[i]->kind == LANG_D_PENALTY)
			penalty = c->ctx->decls[i];
	if (improve && !improve->improve)
		lang_error(c->d, improve->name_loc, "'%s' is the name of the notice to improve: write it as a "
		           "'notice to improve' block", LANG_IMPROVE_NAME);
	else if (improve && penalty && improve->index > penalty->index) {
		lang_error(c->d, improve->loc, "the notice to improve must come before the penalty notice it leads to");
		lang_note(c->d, penalty->loc, "the penalty notice is here");
	}
}

static const char *
session_word(int session)
{
	return session == RT_AM ? "AM" : "PM";
}

static int
for_years(const struct lang_item *it)
{
	return it->years_from != RT_NO_YEAR;
}

/* The group session `session AM for years ...` with exactly these years, before `upto` (NULL: anywhere). */
const struct lang_item *
lang_group_session(const struct lang_decl *d, const struct lang_item *like, const struct lang_item *upto)
{
	for (const struct lang_item *it = d->items; it && it != upto; it = it->next)
		if (it->kind == LANG_I_SESSION && for_years(it) && it->session == like->session &&
		    it->years_from == like->years_from && it->years_until == like->years_until)
			return it;
	return NULL;
}

/* Year groups have one set of times per session: group sessions do not overlap. */
static void
check_group_session(struct checker *c, const struct lang_decl *d, const struct lang_item *g)
{
	char mine[16], theirs[16];
	rt_years_format(g->years_from, g->years_until, mine);
	for (const struct lang_item *it = d->items; it && it != g; it = it->next) {
		if (it->kind != LANG_I_SESSION || !for_years(it) || it->session != g->session ||
		    it->years_until < g->years_from || g->years_until < it->years_from)
			continue;
		rt_years_format(it->years_from, it->years_until, theirs);
		if (strcmp(mine, theirs) == 0)
			lang_error(c->d, g->loc, "session %s for years %s is declared twice", session_word(g->session), mine);
		else
			lang_error(c->d, g->years_loc, "session %s for years %s overlaps session %s for years %s: a year "
			           "group has one set of register times", session_word(g->session), mine,
			           session_word(it->session), theirs);
		lang_note(c->d, it->loc, "first declared here");
		return;
	}
}

static void
check_arrival(struct checker *c, const struct lang_decl *d, const struct lang_item *a)
{
	if (!lang_find_decl(c->ctx, LANG_D_CODE, a->text))
		lang_error(c->d, a->text_loc, "arrival rule names unknown code \"%s\"", a->text);
	char years[16];
	if (for_years(a) && !lang_group_session(d, a, NULL)) {
		rt_years_format(a->years_from, a->years_until, years);
		lang_error(c->d, a->years_loc, "no 'session %s for years %s' is declared: arrival times for some years "
		           "need a session line for those years", session_word(a->session), years);
	}
	const struct lang_item *before = NULL; /* the last arrival line of the same session and years */
	for (const struct lang_item *it = d->items; it && it != a; it = it->next)
		if (it->kind == LANG_I_ARRIVAL && it->session == a->session && it->years_from == a->years_from &&
		    it->years_until == a->years_until)
			before = it;
	if (before && a->after <= before->after) {
		char t[6];
		rt_time_format(a->after, t);
		lang_error(c->d, a->loc, "arrival rules for %s%s must rise in time: %s is not after the rule before it",
		           session_word(a->session), for_years(a) ? " (for those years)" : "", t);
	}
}

static void
check_register(struct checker *c, struct lang_decl *d)
{
	const struct lang_item *seen[2] = { NULL, NULL };
	for (const struct lang_item *it = d->items; it; it = it->next) {
		const char *sname = session_word(it->session);
		if (it->kind == LANG_I_SESSION) {
			if (for_years(it)) {
				check_group_session(c, d, it);
			} else {
				if (seen[it->session]) {
					lang_error(c->d, it->loc, "session %s is declared twice", sname);
					lang_note(c->d, seen[it->session]->loc, "first declared here");
				}
				seen[it->session] = it;
			}
			if (it->opens >= 0 && it->closes >= 0 && it->closes <= it->opens)
				lang_error(c->d, it->loc, "session %s closes before it opens", sname);
		} else if (it->kind == LANG_I_ARRIVAL) {
			check_arrival(c, d, it);
		}
	}
}

static void
check_schedule(struct checker *c, struct lang_decl *d)
{
	const struct lang_item *seen[RT_MAX_HALF_TERMS + 1] = { NULL };
	const struct lang_item *first = NULL;
	for (const struct lang_item *it = d->items; it; it = it->next) {
		if (it->kind != LANG_I_HALF_TERM)
			continue;
		if (it->number < 1 || it->number > RT_MAX_HALF_TERMS) {
			lang_error(c->d, it->text_loc, "half terms are numbered 1 to %d", RT_MAX_HALF_TERMS);
			continue;
		}
		if (seen[it->number]) {
			lang_error(c->d, it->loc, "half term %lld appears twice in schedule '%s'",
			           (long long)it->number, d->name);
			lang_note(c->d, seen[it->number]->loc, "first given here");
		}
		seen[it->number] = it;
		if (it->expr->kind != LANG_E_VALUE) {
			lang_error(c->d, it->expr->loc, "a schedule holds plain values, such as '10 sessions'");
			continue;
		}
		struct rt_value v = it->expr->value;
		it->expr->unit = v.unit;
		if (v.den != 1 || v.unit == RT_UNIT_DATE || v.unit == RT_UNIT_TIME || v.unit == RT_UNIT_PERCENT)
			lang_error(c->d, it->expr->loc, "schedule values must be whole numbers of sessions or days");
		if (!first) {
			first = it;
			d->value = it->expr; /* carries the schedule's unit */
		} else if (v.unit != first->expr->value.unit) {
			lang_error(c->d, it->expr->loc, "schedule '%s' mixes %s with %s", d->name,
			           unit_name(first->expr->value.unit), unit_name(v.unit));
		}
	}
	if (!first)
		lang_error(c->d, d->name_loc, "schedule '%s' has no 'half term' values", d->name);
}

static void
check_letter(struct checker *c, struct lang_decl *d)
{
	const struct lang_item *body = NULL;
	for (const struct lang_item *it = d->items; it; it = it->next) {
		if (it->kind != LANG_I_BODY)
			continue;
		if (body) {
			lang_error(c->d, it->loc, "letter '%s' has a second text", d->name);
			continue;
		}
		body = it;
		check_placeholders(c, d, it);
	}
	if (!body)
		lang_error(c->d, d->name_loc, "letter '%s' has no text: add it between \"\"\" and \"\"\"", d->name);
}

/* The letterhead's fields: each known, once, and only a signatory has a role. */
static void
check_letterhead(struct checker *c, const struct lang_decl *d)
{
	static const char *const fields[] = { "address", "telephone", "email", "signatory" };
	for (const struct lang_item *it = d->items; it; it = it->next) {
		if (it->kind != LANG_I_FIELD)
			continue;
		size_t k = 0;
		while (k < sizeof fields / sizeof fields[0] && strcmp(it->key, fields[k]) != 0)
			k++;
		if (k == sizeof fields / sizeof fields[0]) {
			lang_error(c->d, it->loc, "unknown letterhead field '%s': use address, telephone, email or signatory",
			           it->key);
			continue;
		}
		if (it->owner && strcmp(it->key, "signatory") != 0)
			lang_error(c->d, it->text_loc, "letterhead field '%s' takes one text; only a signatory has a second (the role)",
			           it->key);
		for (const struct lang_item *o = d->items; o != it; o = o->next)
			if (o->kind == LANG_I_FIELD && strcmp(o->key, it->key) == 0) {
				lang_error(c->d, it->loc, "the letterhead gives '%s' twice (first on line %d)", it->key,
				           o->loc.first_line);
				break;
			}
	}
}

static int
fines_overlap(const struct lang_item *a, const struct lang_item *b)
{
	return a->number == b->number && a->from <= b->until && b->from <= a->until;
}

static void
check_penalty(struct checker *c, struct lang_decl *d)
{
	check_rule(c, d);
	const struct lang_item *cap = NULL, *unpaid = NULL;
	for (const struct lang_item *it = d->items; it; it = it->next) {
		switch (it->kind) {
		case LANG_I_FINE:
			expect_unit(c, it->text_loc, it->amount, RT_UNIT_MONEY, "a fine");
			expect_unit(c, it->loc, it->window, RT_UNIT_DAYS, "a payment period");
			if (it->has_later) {
				expect_unit(c, it->loc, it->later_amount, RT_UNIT_MONEY, "a fine");
				expect_unit(c, it->loc, it->later_window, RT_UNIT_DAYS, "a payment period");
			}
			if (it->from > it->until)
				lang_error(c->d, it->loc, "this fine starts after it ends");
			for (const struct lang_item *o = d->items; o != it; o = o->next) {
				if (o->kind != LANG_I_FINE || !fines_overlap(o, it))
					continue;
				char day[11];
				rt_date_format(it->from > o->from ? it->from : o->from, day);
				lang_error(c->d, it->loc, "two fines for the %s notice are in force on %s: give them "
				           "'from' and 'until' dates that do not overlap",
				           it->number == 1 ? "first" : "second", it->from == RT_DATE_MIN && o->from == RT_DATE_MIN
				           ? "the same dates" : day);
				lang_note(c->d, o->loc, "the other fine is here");
				break;
			}
			break;
		case LANG_I_CAP:
			if (cap)
				lang_error(c->d, it->loc, "a second 'at most' line");
			cap = it;
			expect_unit(c, it->text_loc, it->amount, RT_UNIT_YEARS, "the period of the limit");
			if (it->number < 1 || it->number > 255)
				lang_error(c->d, it->loc, "the number of notices must be 1 to 255");
			if (it->from > it->until)
				lang_error(c->d, it->loc, "the limit on notices is in force from a date after its 'until' date");
			break;
		case LANG_I_UNPAID:
			if (unpaid)
				lang_error(c->d, it->loc, "a second 'unpaid after' line");
			unpaid = it;
			expect_unit(c, it->text_loc, it->amount, RT_UNIT_DAYS, "the time to pay");
			break;
		default:
			break;
		}
	}
}

static void
check_stage_numbers(struct checker *c)
{
	int64_t expect = 1;
	for (size_t i = 0; i < c->ctx->ndecls; i++) {
		const struct lang_decl *d = c->ctx->decls[i];
		if (d->kind != LANG_D_STAGE)
			continue;
		if (d->stage > RT_MAX_STAGE) {
			lang_error(c->d, d->loc, "stage %lld: a policy has at most %d stages", (long long)d->stage,
			           RT_MAX_STAGE);
			return;
		}
		if (d->stage != expect)
			lang_error(c->d, d->loc, "stages must be numbered 1, 2, 3, ... in order: expected stage %lld "
			           "here, found stage %lld", (long long)expect, (long long)d->stage);
		expect = d->stage + 1;
	}
}

int
lang_check(struct lang_ctx *ctx)
{
	struct checker c = { ctx, &ctx->diags, -1, NULL };
	int before = ctx->diags.nerrors;
	size_t total = 0;
	for (struct lang_file *f = ctx->files; f; f = f->next)
		for (struct lang_decl *d = f->decls; d; d = d->next)
			total++;
	ctx->decls = lang_arena_alloc(ctx->arena, (total + 1) * sizeof *ctx->decls);
	ctx->ndecls = 0;
	lang_decl_index_init(ctx, total);
	merge_file(&c, ctx->main, &ctx->ndecls);

	int rules = 0, codes = 0, letters = 0, schedules = 0;
	for (size_t i = 0; i < ctx->ndecls; i++) {
		struct lang_decl *d = ctx->decls[i];
		if (is_rule(d->kind))
			d->index = rules++;
		else if (d->kind == LANG_D_CODE)
			d->index = codes++;
		else if (d->kind == LANG_D_LETTER)
			d->index = letters++;
		else if (d->kind == LANG_D_SCHEDULE)
			d->index = schedules++;
	}
	if (codes > RT_MAX_CODES - 1)
		lang_error(&ctx->diags, ctx->main->decls ? ctx->main->decls->loc : (struct lang_loc){ 0 },
		           "too many codes: at most %d", RT_MAX_CODES - 1);
	check_stage_numbers(&c);
	check_improve_order(&c);
	/* Schedules first: their unit is known before any condition uses them. */
	for (size_t i = 0; i < ctx->ndecls; i++)
		if (ctx->decls[i]->kind == LANG_D_SCHEDULE)
			check_schedule(&c, ctx->decls[i]);
	for (size_t i = 0; i < ctx->ndecls && !lang_diags_full(&ctx->diags); i++) {
		struct lang_decl *d = ctx->decls[i];
		switch (d->kind) {
		case LANG_D_CODE:
			check_code(&c, d);
			break;
		case LANG_D_REGISTER:
			check_register(&c, d);
			break;
		case LANG_D_LET:
		case LANG_D_TARGET:
			check_value_decl(&c, d);
			break;
		case LANG_D_FLAG:
		case LANG_D_STAGE:
			check_rule(&c, d);
			break;
		case LANG_D_PENALTY:
			check_penalty(&c, d);
			break;
		case LANG_D_LETTER:
			check_letter(&c, d);
			break;
		case LANG_D_LETTERHEAD:
			check_letterhead(&c, d);
			break;
		case LANG_D_LEAVE_NOTICE:
			if (d->value && d->value->value.unit != RT_UNIT_DAYS && d->value->value.unit != RT_UNIT_WEEKS &&
			    d->value->value.unit != RT_UNIT_SCHOOL_WEEKS)
				lang_error(&ctx->diags, d->value->loc, "a notice period is in days or weeks, not %s",
				           unit_name(d->value->value.unit));
			break;
		case LANG_D_REGISTER_WINDOW:
			expect_unit(&c, d->value->loc, d->value->value, RT_UNIT_TIME, "how long a register stays open");
			break;
		case LANG_D_RETAIN:
			expect_unit(&c, d->value->loc, d->value->value, RT_UNIT_YEARS, "a retention period");
			break;
		default:
			break;
		}
	}
	return ctx->diags.nerrors - before;
}
