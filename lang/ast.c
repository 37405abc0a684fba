#include "ast.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime/machine/opcodes.h"
#include "arena.h"

struct lang_expr *
lang_expr_new(struct lang_arena *a, enum lang_expr_kind kind, struct lang_loc loc)
{
	struct lang_expr *e = lang_arena_alloc(a, sizeof *e);
	e->kind = kind;
	e->loc = loc;
	return e;
}

struct lang_decl *
lang_decl_new(struct lang_arena *a, enum lang_decl_kind kind, struct lang_loc loc)
{
	struct lang_decl *d = lang_arena_alloc(a, sizeof *d);
	d->kind = kind;
	d->loc = loc;
	d->name_loc = loc;
	d->category = -1;
	d->from = RT_DATE_MIN;
	d->until = RT_DATE_MAX;
	d->index = -1;
	return d;
}

struct lang_item *
lang_item_new(struct lang_arena *a, enum lang_item_kind kind, struct lang_loc loc)
{
	struct lang_item *it = lang_arena_alloc(a, sizeof *it);
	it->kind = kind;
	it->loc = loc;
	it->text_loc = loc;
	it->opens = it->closes = -1;
	it->years_from = it->years_until = RT_NO_YEAR;
	it->from = RT_DATE_MIN;
	it->until = RT_DATE_MAX;
	return it;
}

const char *
lang_decl_kind_name(enum lang_decl_kind kind)
{
	switch (kind) {
	case LANG_D_POLICY: return "policy";
	case LANG_D_VERSION: return "version";
	case LANG_D_APPROVED: return "approved";
	case LANG_D_REVIEW: return "review";
	case LANG_D_BUILDS_ON: return "builds on";
	case LANG_D_CODE: return "code";
	case LANG_D_REGISTER: return "register";
	case LANG_D_LET: return "let";
	case LANG_D_TARGET: return "target";
	case LANG_D_SCHEDULE: return "schedule";
	case LANG_D_FLAG: return "flag";
	case LANG_D_STAGE: return "stage";
	case LANG_D_LETTER: return "letter";
	case LANG_D_PENALTY: return "penalty notice";
	case LANG_D_LEAVE_NOTICE: return "leave notice";
	case LANG_D_RETAIN: return "retain register entries";
	case LANG_D_REGISTER_WINDOW: return "register closes within";
	case LANG_D_LETTERHEAD: return "letterhead";
	}
	return "?";
}

const struct lang_item *
lang_decl_item(const struct lang_decl *d, enum lang_item_kind kind)
{
	for (const struct lang_item *it = d->items; it; it = it->next)
		if (it->kind == kind)
			return it;
	return NULL;
}

const char *
lang_decl_source(const struct lang_decl *d)
{
	if (d->source)
		return d->source;
	const struct lang_item *it = lang_decl_item(d, LANG_I_SOURCE);
	return it ? it->text : NULL;
}

/* A bounded string builder: appends never overflow, output is truncated. */
struct out {
	char *buf;
	size_t size, len;
};

static void __attribute__((format(printf, 2, 3)))
put(struct out *o, const char *fmt, ...)
{
	if (o->len + 1 >= o->size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < o->size - o->len ? (size_t)n : o->size - o->len - 1;
}

/* " since stage 1", " since persistent_absence", " since the notice to improve" */
static void
put_since(struct out *o, const struct lang_measure *m)
{
	if (m->since_flag && strcmp(m->since_flag, LANG_IMPROVE_NAME) == 0)
		put(o, " since the notice to improve");
	else if (m->since_flag)
		put(o, " since %s", m->since_flag);
	else
		put(o, " since stage %lld", (long long)m->since_stage);
}

/* " when stage 1 began", " last school year", " a year ago" */
static void
put_other_time(struct out *o, const struct lang_measure *m)
{
	if (m->at == RT_MEASURE_AT_LAST_YEAR)
		put(o, " last school year");
	else if (m->at == RT_MEASURE_AT_YEAR_AGO)
		put(o, " a year ago");
	else if (m->at != RT_MEASURE_AT_START)
		return;
	else if (m->at_flag && strcmp(m->at_flag, LANG_IMPROVE_NAME) == 0)
		put(o, " when the notice to improve began");
	else if (m->at_flag)
		put(o, " when %s began", m->at_flag);
	else
		put(o, " when stage %lld began", (long long)m->at_stage);
}

static void
format_measure(const struct lang_measure *m, struct out *o)
{
	static const char *const filter[] = {
		[LANG_F_POSSIBLE] = "possible", [LANG_F_PRESENT] = "present", [LANG_F_ABSENT] = "absent",
		[LANG_F_AUTHORISED] = "authorised", [LANG_F_UNAUTHORISED] = "unauthorised",
		[LANG_F_PENALTY] = "penalty", [LANG_F_CODED] = "coded",
	};
	const char *unit = m->kind == RT_M_DAYS ? "days" : "sessions";
	switch (m->kind) {
	case RT_M_RATE:
		if (m->filter == LANG_F_PRESENT)
			put(o, "attendance rate");
		else if (m->filter == LANG_F_ABSENT)
			put(o, "absence rate");
		else if (m->filter == LANG_F_CODED)
			put(o, "rate coded");
		else
			put(o, "%s rate", filter[m->filter]);
		break;
	case RT_M_CONSECUTIVE_DAYS:
		put(o, m->filter == LANG_F_CODED ? "consecutive days coded" : "consecutive days absent");
		break;
	case RT_M_LONGEST_RUN:
		put(o, m->filter == LANG_F_CODED ? "longest run of days coded" : "longest run of days absent");
		break;
	case RT_M_HALF_TERM:
		put(o, "half term");
		break;
	case RT_M_WEEKS_SINCE:
	case RT_M_DAYS_SINCE:
		put(o, "school %s", m->kind == RT_M_WEEKS_SINCE ? "weeks" : "days");
		put_since(o, m);
		return; /* no codes, no period */
	default:
		if (m->filter == LANG_F_CODED)
			put(o, "%s coded", unit);
		else
			put(o, "%s %s", filter[m->filter], unit);
		break;
	}
	if (m->filter == LANG_F_CODED)
		for (const struct lang_strlist *c = m->codes; c; c = c->next)
			put(o, " \"%s\"%s", c->text, c->next ? "," : "");
	if (m->kind == RT_M_CONSECUTIVE_DAYS || m->kind == RT_M_HALF_TERM)
		return;
	switch (m->period) {
	case RT_P_TERM: put(o, " this term"); break;
	case RT_P_HALF_TERM: put(o, " this half term"); break;
	case RT_P_SCHOOL_WEEKS:
		put(o, " in the last %lld school week%s", (long long)m->weeks, m->weeks == 1 ? "" : "s");
		break;
	case RT_P_ANY_WEEKS_YEAR:
	case RT_P_ANY_WEEKS_TERM:
		put(o, " in any %lld school week%s of this %s", (long long)m->weeks, m->weeks == 1 ? "" : "s",
		    m->period == RT_P_ANY_WEEKS_YEAR ? "school year" : "term");
		break;
	case RT_P_SINCE:
		put_since(o, m);
		break;
	default: break;
	}
	put_other_time(o, m);
}

static void
format(const struct lang_expr *e, struct out *o, int parens)
{
	char v[64];
	switch (e->kind) {
	case LANG_E_VALUE:
		rt_value_format(&e->value, v, sizeof v);
		put(o, "%s", v);
		return;
	case LANG_E_MEASURE:
		format_measure(&e->measure, o);
		return;
	case LANG_E_NAME:
		put(o, "%s", e->name);
		return;
	case LANG_E_STAGE:
		put(o, "stage %lld", (long long)e->stage);
		return;
	case LANG_E_NOT:
		put(o, "not ");
		format(e->lhs, o, 1);
		return;
	case LANG_E_IN_FORCE:
		put(o, "in force");
		return;
	case LANG_E_YEARS:
		put(o, "%s", e->name);
		return;
	default:
		break;
	}
	const char *op = e->kind == LANG_E_AND ? "and" : e->kind == LANG_E_OR ? "or" : e->kind == LANG_E_ADD ? "+"
	               : e->kind == LANG_E_SUB ? "-" : rt_opcode_symbol(e->op);
	if (parens)
		put(o, "(");
	format(e->lhs, o, e->lhs->kind != LANG_E_CMP && e->lhs->kind != e->kind);
	put(o, " %s ", op);
	format(e->rhs, o, e->rhs->kind != LANG_E_CMP);
	if (parens)
		put(o, ")");
}

void
lang_expr_format(const struct lang_expr *e, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	if (size)
		buf[0] = '\0';
	format(e, &o, 0);
}
