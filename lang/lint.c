/*
 * attend lint (docs/lint.md). Runs on the merged declarations after a clean
 * check and warns about the main file only: the base it builds on has its
 * own author. Every inference is sound rather than clever: a warning is only
 * given when the policy certainly has the problem (a stage is called
 * unreachable only when another stage's condition provably holds whenever
 * its own does), so a warning is worth reading.
 */
#include "lint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/machine/opcodes.h"
#include "arena.h"
#include "format.h"
#include "parse.h"

static const char *const lint_rules[] = {
	"unreachable-stage",
	"thresholds-not-rising",
	"unused-value",
	"unused-letter",
	"overlapping-triggers",
	"review-date-passed",
	"unmapped-code",
	"statutory-code-changed",
	"missing-source",
	"unknown-suppression",
	"unpaid-before-payment-window",
};

const char *
lang_lint_rule(size_t i)
{
	return i < sizeof lint_rules / sizeof lint_rules[0] ? lint_rules[i] : NULL;
}

/* "# attend: allow a, b": the names it allows and the line they apply to. */
struct allow {
	int line;
	const char *names; /* the text after "allow", in the source */
	size_t len;
	struct lang_loc loc;
};

struct lint {
	struct lang_ctx *ctx;
	const struct lang_file *main;
	struct allow *allows;
	size_t nallows;
	const struct lang_decl **used; /* lets, schedules and letters something refers to */
	size_t nused;
};

static int
in_main(const struct lint *l, struct lang_loc loc)
{
	return loc.src == &l->main->src;
}

static int
lists_name(const char *names, size_t len, const char *rule)
{
	size_t rlen = strlen(rule);
	for (size_t i = 0; i < len;) {
		while (i < len && (names[i] == ' ' || names[i] == '\t' || names[i] == ','))
			i++;
		size_t j = i;
		while (j < len && names[j] != ' ' && names[j] != '\t' && names[j] != ',')
			j++;
		if (j - i == rlen && memcmp(names + i, rule, rlen) == 0)
			return 1;
		i = j;
	}
	return 0;
}

static int
allowed(const struct lint *l, const char *rule, int line)
{
	for (size_t i = 0; i < l->nallows; i++)
		if (l->allows[i].line == line && lists_name(l->allows[i].names, l->allows[i].len, rule))
			return 1;
	return 0;
}

static void __attribute__((format(printf, 4, 5)))
warn(struct lint *l, const char *rule, struct lang_loc loc, const char *fmt, ...)
{
	if (!in_main(l, loc) || allowed(l, rule, loc.first_line))
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	lang_report(&l->ctx->diags, LANG_SEV_WARNING, rule, loc, "%s", msg);
}

/* Collects the allow comments, and warns about names in them that are no warning. */
static void
read_allows(struct lint *l)
{
	const struct lang_source *src = &l->main->src;
	struct lang_comment *comments;
	size_t n = lang_comments(src->text, src->len, &comments);
	l->allows = lang_arena_alloc(l->ctx->arena, (n + 1) * sizeof *l->allows);
	static const char marker[] = "attend: allow";
	for (size_t i = 0; i < n; i++) {
		const struct lang_comment *c = &comments[i];
		const char *m = NULL;
		for (size_t k = 0; k + sizeof marker - 1 <= c->len && !m; k++)
			if (memcmp(c->text + k, marker, sizeof marker - 1) == 0)
				m = c->text + k;
		if (!m)
			continue;
		const char *names = m + sizeof marker - 1;
		size_t len = (size_t)(c->text + c->len - names);
		/* Alone on its line it speaks for the next line; after code, for its own. */
		int line = c->own_line ? c->line + 1 : c->line;
		int col = 1;
		for (const char *p = c->text; p > src->text && p[-1] != '\n'; p--)
			if (((unsigned char)p[-1] & 0xC0) != 0x80)
				col++;
		struct lang_loc loc = { src, c->line, col, c->line, col + (int)c->len };
		l->allows[l->nallows++] = (struct allow){ line, names, len, loc };
		for (size_t k = 0; k < len;) {
			while (k < len && (names[k] == ' ' || names[k] == '\t' || names[k] == ','))
				k++;
			size_t e = k;
			while (e < len && names[e] != ' ' && names[e] != '\t' && names[e] != ',')
				e++;
			int known = 0;
			for (size_t r = 0; lang_lint_rule(r) && e > k; r++)
				known |= strlen(lang_lint_rule(r)) == e - k && memcmp(lang_lint_rule(r), names + k, e - k) == 0;
			if (e > k && !known)
				warn(l, "unknown-suppression", loc, "'%.*s' is not a lint warning: 'attend: allow' takes the "
				     "names listed by docs/lint.md", (int)(e - k), names + k);
			k = e;
		}
	}
	free(comments);
}

/* ---- values and conditions ---- */

/* The constant an expression stands for: a literal, or a let/target naming one (not a let with
 * dated values, which has no value outside its dates). */
static int
constant(const struct lang_expr *e, struct rt_value *out, int depth)
{
	if (!e || depth > 32)
		return 0;
	if (e->kind == LANG_E_VALUE) {
		*out = e->value;
		return 1;
	}
	if (e->kind == LANG_E_NAME && e->ref &&
	    (e->ref->kind == LANG_D_LET || e->ref->kind == LANG_D_TARGET) && e->ref->from == RT_DATE_MIN &&
	    e->ref->until == RT_DATE_MAX)
		return constant(e->ref->value, out, depth + 1);
	return 0;
}

static int
value_cmp(struct rt_value a, struct rt_value b)
{
	__int128 x = (__int128)a.num * b.den, y = (__int128)b.num * a.den;
	return (x > y) - (x < y);
}

static int
is_known_measure(const struct lang_expr *e)
{
	return e->kind == LANG_E_MEASURE && e->measure.kind <= RT_M_HALF_TERM;
}

static int expr_equal(const struct lang_expr *a, const struct lang_expr *b, int depth);

static int
measure_equal(const struct lang_measure *a, const struct lang_measure *b)
{
	if (a->kind != b->kind || a->filter != b->filter || a->kind > RT_M_HALF_TERM)
		return 0;
	if (a->kind != RT_M_CONSECUTIVE_DAYS && a->kind != RT_M_HALF_TERM &&
	    (a->period != b->period || (a->period == RT_P_SCHOOL_WEEKS && a->weeks != b->weeks)))
		return 0;
	const struct lang_strlist *x = a->codes, *y = b->codes;
	for (; x && y; x = x->next, y = y->next)
		if (strcmp(x->text, y->text) != 0)
			return 0;
	return !x && !y;
}

/* A comparison with the operand that is not a constant on the left. */
struct cmp {
	const struct lang_expr *subject;
	int op;
	struct rt_value limit;
};

static int
flip(int op)
{
	switch (op) {
	case RT_OP_LT: return RT_OP_GT;
	case RT_OP_LE: return RT_OP_GE;
	case RT_OP_GT: return RT_OP_LT;
	case RT_OP_GE: return RT_OP_LE;
	default: return op;
	}
}

static int
as_cmp(const struct lang_expr *e, struct cmp *out)
{
	if (!e || e->kind != LANG_E_CMP)
		return 0;
	struct rt_value v;
	if (constant(e->rhs, &v, 0) && !constant(e->lhs, &(struct rt_value){ 0 }, 0)) {
		*out = (struct cmp){ e->lhs, e->op, v };
		return 1;
	}
	if (constant(e->lhs, &v, 0) && !constant(e->rhs, &(struct rt_value){ 0 }, 0)) {
		*out = (struct cmp){ e->rhs, flip(e->op), v };
		return 1;
	}
	return 0;
}

/* Structural equality, with let and target names replaced by their values. */
static int
expr_equal(const struct lang_expr *a, const struct lang_expr *b, int depth)
{
	if (a == b)
		return 1;
	if (!a || !b || depth > 64)
		return 0;
	struct rt_value va, vb;
	int ca = constant(a, &va, 0), cb = constant(b, &vb, 0);
	if (ca || cb)
		return ca && cb && va.unit == vb.unit && value_cmp(va, vb) == 0;
	if (a->kind == LANG_E_CMP && b->kind == LANG_E_CMP) {
		struct cmp x, y;
		if (as_cmp(a, &x) && as_cmp(b, &y))
			return x.op == y.op && x.limit.unit == y.limit.unit && value_cmp(x.limit, y.limit) == 0 &&
			       expr_equal(x.subject, y.subject, depth + 1);
		return (a->op == b->op && expr_equal(a->lhs, b->lhs, depth + 1) && expr_equal(a->rhs, b->rhs, depth + 1)) ||
		       (a->op == flip(b->op) && expr_equal(a->lhs, b->rhs, depth + 1) &&
		        expr_equal(a->rhs, b->lhs, depth + 1));
	}
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case LANG_E_MEASURE:
		return measure_equal(&a->measure, &b->measure);
	case LANG_E_NAME:
	case LANG_E_STAGE:
		return a->ref && a->ref == b->ref;
	case LANG_E_NOT:
		return expr_equal(a->lhs, b->lhs, depth + 1);
	case LANG_E_AND:
	case LANG_E_OR:
		return (expr_equal(a->lhs, b->lhs, depth + 1) && expr_equal(a->rhs, b->rhs, depth + 1)) ||
		       (expr_equal(a->lhs, b->rhs, depth + 1) && expr_equal(a->rhs, b->lhs, depth + 1));
	case LANG_E_ADD:
		return (expr_equal(a->lhs, b->lhs, depth + 1) && expr_equal(a->rhs, b->rhs, depth + 1)) ||
		       (expr_equal(a->lhs, b->rhs, depth + 1) && expr_equal(a->rhs, b->lhs, depth + 1));
	case LANG_E_SUB:
		return expr_equal(a->lhs, b->lhs, depth + 1) && expr_equal(a->rhs, b->rhs, depth + 1);
	default:
		return 0; /* a kind this pass does not know: never call it equal */
	}
}

/* The condition of the rule a `stage N` or flag name refers to, or NULL. */
static const struct lang_expr *
rule_condition(const struct lang_decl *d)
{
	if (!d || (d->kind != LANG_D_STAGE && d->kind != LANG_D_FLAG))
		return NULL;
	const struct lang_item *w = lang_decl_item(d, LANG_I_WHEN);
	return w ? w->expr : NULL;
}

static const struct lang_expr *
referenced_condition(const struct lang_expr *e)
{
	if ((e->kind == LANG_E_STAGE || e->kind == LANG_E_NAME) && e->ref)
		return rule_condition(e->ref);
	return NULL;
}

/* The values a known measure can take: rates 0..100%, counts 0 and up. */
static int
domain(const struct lang_expr *subject, struct rt_value *lo, struct rt_value *hi, int *bounded)
{
	if (!is_known_measure(subject) || subject->measure.kind == RT_M_HALF_TERM)
		return 0;
	int rate = subject->measure.kind == RT_M_RATE;
	*lo = (struct rt_value){ 0, 1, rate ? RT_UNIT_PERCENT : subject->measure.kind == RT_M_SESSIONS
	                                                        ? RT_UNIT_SESSIONS : RT_UNIT_DAYS };
	*hi = (struct rt_value){ 100, 1, lo->unit };
	*bounded = rate;
	return 1;
}

static int always_true(const struct lang_expr *e, int depth);

/* Certainly false for every pupil on every date. */
static int
always_false(const struct lang_expr *e, int depth)
{
	if (!e || depth > 64)
		return 0;
	struct cmp c;
	struct rt_value lo, hi;
	int bounded;
	switch (e->kind) {
	case LANG_E_AND:
		return always_false(e->lhs, depth + 1) || always_false(e->rhs, depth + 1);
	case LANG_E_OR:
		return always_false(e->lhs, depth + 1) && always_false(e->rhs, depth + 1);
	case LANG_E_NOT:
		return always_true(e->lhs, depth + 1);
	case LANG_E_STAGE:
	case LANG_E_NAME:
		return always_false(referenced_condition(e), depth + 1);
	case LANG_E_CMP:
		if (!as_cmp(e, &c) || !domain(c.subject, &lo, &hi, &bounded) || c.limit.unit != lo.unit)
			return 0;
		switch (c.op) {
		case RT_OP_LT: return value_cmp(c.limit, lo) <= 0;
		case RT_OP_LE: return value_cmp(c.limit, lo) < 0;
		case RT_OP_GT: return bounded && value_cmp(c.limit, hi) >= 0;
		case RT_OP_GE: return bounded && value_cmp(c.limit, hi) > 0;
		case RT_OP_EQ: return value_cmp(c.limit, lo) < 0 || (bounded && value_cmp(c.limit, hi) > 0);
		default: return 0;
		}
	default:
		return 0;
	}
}

static int
always_true(const struct lang_expr *e, int depth)
{
	if (!e || depth > 64)
		return 0;
	struct cmp c;
	struct rt_value lo, hi;
	int bounded;
	switch (e->kind) {
	case LANG_E_AND:
		return always_true(e->lhs, depth + 1) && always_true(e->rhs, depth + 1);
	case LANG_E_OR:
		return always_true(e->lhs, depth + 1) || always_true(e->rhs, depth + 1);
	case LANG_E_NOT:
		return always_false(e->lhs, depth + 1);
	case LANG_E_CMP:
		if (!as_cmp(e, &c) || !domain(c.subject, &lo, &hi, &bounded) || c.limit.unit != lo.unit)
			return 0;
		switch (c.op) {
		case RT_OP_GE: return value_cmp(c.limit, lo) <= 0;
		case RT_OP_LE: return bounded && value_cmp(c.limit, hi) >= 0;
		default: return 0;
		}
	default:
		return 0;
	}
}

/* x OP1 a implies x OP2 b, for the same x. */
static int
cmp_implies(const struct cmp *a, const struct cmp *b)
{
	if (a->limit.unit != b->limit.unit)
		return 0;
	int d = value_cmp(a->limit, b->limit);
	int up_a = a->op == RT_OP_GT || a->op == RT_OP_GE, up_b = b->op == RT_OP_GT || b->op == RT_OP_GE;
	int down_a = a->op == RT_OP_LT || a->op == RT_OP_LE, down_b = b->op == RT_OP_LT || b->op == RT_OP_LE;
	if (up_a && up_b) /* x > 5 implies x >= 5; x >= 5 implies x > 4 but not x > 5 */
		return d > 0 || (d == 0 && (a->op == RT_OP_GT || b->op == RT_OP_GE));
	if (down_a && down_b)
		return d < 0 || (d == 0 && (a->op == RT_OP_LT || b->op == RT_OP_LE));
	if (a->op == RT_OP_EQ) {
		switch (b->op) {
		case RT_OP_EQ: return d == 0;
		case RT_OP_GE: return d >= 0;
		case RT_OP_GT: return d > 0;
		case RT_OP_LE: return d <= 0;
		case RT_OP_LT: return d < 0;
		case RT_OP_NE: return d != 0;
		}
	}
	return 0;
}

/* Whenever a holds, b holds (a sound, incomplete test). */
static int
implies(const struct lang_expr *a, const struct lang_expr *b, int depth)
{
	if (!a || !b || depth > 64)
		return 0;
	if (always_false(a, 0) || always_true(b, 0) || expr_equal(a, b, 0))
		return 1;
	if (a->kind == LANG_E_OR)
		return implies(a->lhs, b, depth + 1) && implies(a->rhs, b, depth + 1);
	if (b->kind == LANG_E_AND)
		return implies(a, b->lhs, depth + 1) && implies(a, b->rhs, depth + 1);
	if (b->kind == LANG_E_OR && (implies(a, b->lhs, depth + 1) || implies(a, b->rhs, depth + 1)))
		return 1;
	if (a->kind == LANG_E_AND && (implies(a->lhs, b, depth + 1) || implies(a->rhs, b, depth + 1)))
		return 1;
	const struct lang_expr *ra = referenced_condition(a), *rb = referenced_condition(b);
	if (ra && implies(ra, b, depth + 1))
		return 1;
	if (rb && implies(a, rb, depth + 1))
		return 1;
	struct cmp x, y;
	return as_cmp(a, &x) && as_cmp(b, &y) && expr_equal(x.subject, y.subject, 0) && cmp_implies(&x, &y);
}

static void
describe(const struct lang_decl *d, char *buf, size_t size)
{
	if (d->kind == LANG_D_STAGE)
		snprintf(buf, size, "stage %lld", (long long)d->stage);
	else if (d->kind == LANG_D_PENALTY)
		snprintf(buf, size, "the penalty notice");
	else
		snprintf(buf, size, "%s '%s'", lang_decl_kind_name(d->kind), d->name);
}

static const struct lang_expr *
trigger(const struct lang_decl *d)
{
	const struct lang_item *it = lang_decl_item(d, d->kind == LANG_D_PENALTY ? LANG_I_CONSIDER : LANG_I_WHEN);
	return it ? it->expr : NULL;
}

static struct lang_loc
trigger_loc(const struct lang_decl *d)
{
	const struct lang_item *it = lang_decl_item(d, d->kind == LANG_D_PENALTY ? LANG_I_CONSIDER : LANG_I_WHEN);
	return it ? it->loc : d->loc;
}

/* ---- the checks ---- */

static void
check_stages(struct lint *l)
{
	struct lang_ctx *ctx = l->ctx;
	for (size_t i = 0; i < ctx->ndecls; i++) {
		const struct lang_decl *d = ctx->decls[i];
		const struct lang_expr *cond = d->kind == LANG_D_STAGE ? trigger(d) : NULL;
		if (!cond)
			continue;
		if (always_false(cond, 0)) {
			warn(l, "unreachable-stage", trigger_loc(d), "stage %lld can never be reached: its condition "
			     "cannot hold (a rate is between 0%% and 100%%, a count is never below 0)",
			     (long long)d->stage);
			continue;
		}
		for (size_t j = i + 1; j < ctx->ndecls; j++) {
			const struct lang_decl *h = ctx->decls[j];
			const struct lang_expr *hc = h->kind == LANG_D_STAGE ? trigger(h) : NULL;
			/* Equal triggers are overlapping-triggers' to report. */
			if (!hc || expr_equal(cond, hc, 0) || !implies(cond, hc, 0))
				continue;
			warn(l, "unreachable-stage", trigger_loc(d), "stage %lld can never be a pupil's stage: whenever "
			     "its condition holds, so does the condition of stage %lld (line %d), and the highest stage "
			     "that holds wins", (long long)d->stage, (long long)h->stage, trigger_loc(h).first_line);
			break;
		}
	}
}

/* The comparisons a condition certainly depends on positively (not under 'not'). */
static void
collect_cmps(const struct lang_expr *e, struct cmp *out, const struct lang_expr **where, size_t *n, size_t cap)
{
	if (!e || *n >= cap)
		return;
	if (e->kind == LANG_E_AND || e->kind == LANG_E_OR) {
		collect_cmps(e->lhs, out, where, n, cap);
		collect_cmps(e->rhs, out, where, n, cap);
		return;
	}
	struct cmp c;
	if (as_cmp(e, &c) && c.op != RT_OP_EQ && c.op != RT_OP_NE) {
		where[*n] = e;
		out[(*n)++] = c;
	}
}

static int
is_up(int op)
{
	return op == RT_OP_GT || op == RT_OP_GE;
}

static void
check_thresholds(struct lint *l)
{
	enum { MAX = 32 };
	struct lang_ctx *ctx = l->ctx;
	for (size_t j = 0; j < ctx->ndecls; j++) {
		const struct lang_decl *later = ctx->decls[j];
		if (later->kind != LANG_D_STAGE || !trigger(later))
			continue;
		struct cmp lc[MAX];
		const struct lang_expr *lw[MAX];
		size_t nl = 0;
		collect_cmps(trigger(later), lc, lw, &nl, MAX);
		for (size_t a = 0; a < nl; a++) {
			/* The nearest earlier stage that compares the same thing the same way. */
			for (size_t i = j; i-- > 0;) {
				const struct lang_decl *earlier = ctx->decls[i];
				if (earlier->kind != LANG_D_STAGE || !trigger(earlier))
					continue;
				struct cmp ec[MAX];
				const struct lang_expr *ew[MAX];
				size_t ne = 0, found = 0;
				collect_cmps(trigger(earlier), ec, ew, &ne, MAX);
				for (size_t b = 0; b < ne && !found; b++) {
					if (is_up(ec[b].op) != is_up(lc[a].op) || ec[b].limit.unit != lc[a].limit.unit ||
					    !expr_equal(ec[b].subject, lc[a].subject, 0))
						continue;
					found = 1;
					int d = value_cmp(lc[a].limit, ec[b].limit);
					if (is_up(lc[a].op) ? d >= 0 : d <= 0)
						continue;
					char subject[256], was[64], now[64];
					lang_expr_format(lc[a].subject, subject, sizeof subject);
					rt_value_format(&ec[b].limit, was, sizeof was);
					rt_value_format(&lc[a].limit, now, sizeof now);
					warn(l, "thresholds-not-rising", lw[a]->loc, "stage %lld triggers on %s %s %s, a looser "
					     "threshold than stage %lld's %s (line %d): thresholds should get stricter as the "
					     "stages rise", (long long)later->stage, subject, is_up(lc[a].op) ? "above" : "below",
					     now, (long long)earlier->stage, was, ew[b]->loc.first_line);
				}
				if (found)
					break;
			}
		}
	}
}

static void
check_overlaps(struct lint *l)
{
	struct lang_ctx *ctx = l->ctx;
	for (size_t j = 0; j < ctx->ndecls; j++) {
		const struct lang_decl *d = ctx->decls[j];
		const struct lang_expr *cond = d->kind == LANG_D_STAGE || d->kind == LANG_D_FLAG ||
		                               d->kind == LANG_D_PENALTY ? trigger(d) : NULL;
		if (!cond)
			continue;
		for (size_t i = 0; i < j; i++) {
			const struct lang_decl *o = ctx->decls[i];
			const struct lang_expr *oc = o->kind == LANG_D_STAGE || o->kind == LANG_D_FLAG ||
			                             o->kind == LANG_D_PENALTY ? trigger(o) : NULL;
			/* The notice to improve shares the penalty notice's threshold by design: it comes first. */
			int improve_pair = (o->improve && d->kind == LANG_D_PENALTY) || (d->improve && o->kind == LANG_D_PENALTY);
			if (!oc || improve_pair || !expr_equal(cond, oc, 0))
				continue;
			char a[96], b[96];
			describe(d, a, sizeof a);
			describe(o, b, sizeof b);
			warn(l, "overlapping-triggers", trigger_loc(d), "%s has the same trigger as %s (line %d)%s", a, b,
			     trigger_loc(o).first_line, d->kind == LANG_D_STAGE && o->kind == LANG_D_STAGE
			     ? ": the lower stage can never be a pupil's stage" : "");
			break;
		}
		/* One alternative of an 'or' that another already covers. */
		enum { MAX = 32 };
		const struct lang_expr *alt[MAX];
		size_t n = 0;
		const struct lang_expr *stack[MAX];
		size_t sp = 0;
		stack[sp++] = cond;
		while (sp && n < MAX) {
			const struct lang_expr *e = stack[--sp];
			if (e->kind == LANG_E_OR && sp + 2 <= MAX) {
				stack[sp++] = e->rhs;
				stack[sp++] = e->lhs;
			} else {
				alt[n++] = e;
			}
		}
		for (size_t a = 0; a < n; a++)
			for (size_t b = 0; b < n; b++) {
				if (a == b || !implies(alt[a], alt[b], 0) || (expr_equal(alt[a], alt[b], 0) && a < b))
					continue;
				char x[256], y[256], what[96];
				lang_expr_format(alt[a], x, sizeof x);
				lang_expr_format(alt[b], y, sizeof y);
				describe(d, what, sizeof what);
				warn(l, "overlapping-triggers", alt[a]->loc, "in %s, '%s' adds nothing: whenever it holds, "
				     "'%s' in the same 'or' holds too", what, x, y);
				break;
			}
	}
}

static void
mark_used(struct lint *l, const struct lang_decl *d)
{
	for (size_t i = 0; i < l->nused; i++)
		if (l->used[i] == d)
			return;
	if (l->nused < l->ctx->ndecls)
		l->used[l->nused++] = d;
}

static int
is_used(const struct lint *l, const struct lang_decl *d)
{
	for (size_t i = 0; i < l->nused; i++)
		if (l->used[i] == d)
			return 1;
	return 0;
}

static void
mark_names(struct lint *l, const struct lang_expr *e, int depth)
{
	if (!e || depth > 256)
		return;
	if (e->kind == LANG_E_NAME && e->ref)
		mark_used(l, e->ref);
	mark_names(l, e->lhs, depth + 1);
	mark_names(l, e->rhs, depth + 1);
}

static void
check_unused(struct lint *l)
{
	struct lang_ctx *ctx = l->ctx;
	for (size_t i = 0; i < ctx->ndecls; i++) {
		const struct lang_decl *d = ctx->decls[i];
		mark_names(l, d->value, 0);
		for (const struct lang_item *it = d->items; it; it = it->next) {
			mark_names(l, it->expr, 0);
			if (it->kind == LANG_I_LETTER) {
				const struct lang_decl *letter = lang_find_decl(ctx, LANG_D_LETTER, it->text);
				if (letter)
					mark_used(l, letter);
			}
			if (it->kind != LANG_I_BODY || !it->text)
				continue;
			/* Placeholders name values too: {attendance_target}. */
			for (const char *s = it->text; (s = strchr(s, '{')) != NULL;) {
				const char *close = strchr(s, '}');
				if (!close)
					break;
				struct lang_expr *e = lang_parse_placeholder(ctx->arena, s + 1, (size_t)(close - s) - 1);
				if (e && e->kind == LANG_E_NAME) {
					const struct lang_decl *v = lang_find_value(ctx, e->name);
					if (v)
						mark_used(l, v);
				}
				s = close + 1;
			}
		}
	}
	for (size_t i = 0; i < ctx->ndecls; i++) {
		const struct lang_decl *d = ctx->decls[i];
		if (is_used(l, d))
			continue;
		if (d->kind == LANG_D_LET || d->kind == LANG_D_SCHEDULE)
			warn(l, "unused-value", d->name_loc, "%s '%s' is never used: no condition, value or letter "
			     "refers to it", lang_decl_kind_name(d->kind), d->name);
		else if (d->kind == LANG_D_LETTER)
			warn(l, "unused-letter", d->name_loc, "letter '%s' is never sent: no stage, flag or penalty "
			     "notice names it with 'letter %s'", d->name, d->name);
	}
}

static void
check_identity(struct lint *l, rt_date as_of)
{
	for (const struct lang_decl *d = l->main->decls; d; d = d->next) {
		if (d->kind != LANG_D_REVIEW || d->date >= as_of)
			continue;
		char when[11], today[11];
		rt_date_format(d->date, when);
		rt_date_format(as_of, today);
		warn(l, "review-date-passed", d->loc, "the review date %s has passed (as of %s): review the policy "
		     "and set the next date", when, today);
	}
}

static void
check_sources(struct lint *l)
{
	struct lang_ctx *ctx = l->ctx;
	for (size_t i = 0; i < ctx->ndecls; i++) {
		const struct lang_decl *d = ctx->decls[i];
		if ((d->kind != LANG_D_FLAG && d->kind != LANG_D_STAGE && d->kind != LANG_D_PENALTY) ||
		    lang_decl_source(d))
			continue;
		char what[96];
		describe(d, what, sizeof what);
		what[0] = (char)(what[0] == 't' ? 'T' : what[0]); /* "The penalty notice" */
		warn(l, "missing-source", d->loc, "%s has no source: add a line 'source \"...\"' citing the "
		     "section of the written policy or the regulation", what);
	}
}

/* The days a fine allows to pay: its later period when it has one. */
static int64_t
payment_days(const struct lang_item *fine)
{
	const struct rt_value *w = fine->has_later ? &fine->later_window : &fine->window;
	return w->den ? w->num / w->den : 0;
}

/* `unpaid after N days` shorter than a fine's time to pay: the notice cannot be overdue then (attend
 * counts it overdue only once the payment window closes), so the line does not say what happens. */
static void
check_unpaid(struct lint *l)
{
	struct lang_ctx *ctx = l->ctx;
	for (size_t i = 0; i < ctx->ndecls; i++) {
		const struct lang_decl *d = ctx->decls[i];
		const struct lang_item *unpaid = d->kind == LANG_D_PENALTY ? lang_decl_item(d, LANG_I_UNPAID) : NULL;
		if (!unpaid || !unpaid->amount.den)
			continue;
		int64_t days = unpaid->amount.num / unpaid->amount.den;
		const struct lang_item *longest = NULL;
		for (const struct lang_item *it = d->items; it; it = it->next)
			if (it->kind == LANG_I_FINE && payment_days(it) > days && (!longest || payment_days(it) > payment_days(longest)))
				longest = it;
		if (!longest)
			continue;
		char from[11] = "", until[11] = "";
		if (longest->from != RT_DATE_MIN)
			rt_date_format(longest->from, from);
		if (longest->until != RT_DATE_MAX)
			rt_date_format(longest->until, until);
		warn(l, "unpaid-before-payment-window", unpaid->loc, "'unpaid after %lld days' is shorter than the %lld days "
		     "the %s notice%s%s%s%s may be paid within (line %d): such a notice is overdue only once that window "
		     "closes", (long long)days, (long long)payment_days(longest), longest->number == 1 ? "first" : "second",
		     *from ? " from " : "", from, *until ? " until " : "", until, longest->loc.first_line);
	}
}

/* The declaration of a code in the files the main file builds on. */
static const struct lang_decl *
base_code(const struct lint *l, const char *name)
{
	const struct lang_decl *found = NULL;
	for (const struct lang_file *f = l->main->base; f; f = f->base)
		for (const struct lang_decl *d = f->decls; d && !found; d = d->next)
			if (d->kind == LANG_D_CODE && strcmp(d->name, name) == 0)
				found = d;
	return found;
}

static void
check_codes(struct lint *l)
{
	struct lang_ctx *ctx = l->ctx;
	for (size_t i = 0; i < ctx->ndecls; i++) {
		const struct lang_decl *d = ctx->decls[i];
		if (d->kind != LANG_D_CODE)
			continue;
		if (d->replaces) {
			const struct lang_decl *old = base_code(l, d->name);
			if (old && !old->maps_to && (d->maps_to || d->category != old->category ||
			                             d->penalty != old->penalty)) {
				warn(l, "statutory-code-changed", d->name_loc, "code \"%s\" of the statutory set is replaced "
				     "with %s%s%s; \"%s\" has it %s%s", d->name,
				     d->maps_to ? "a sub-code of " : rt_category_name((enum rt_category)(d->category < 0 ? 0 : d->category)),
				     d->maps_to ? d->maps_to : "", !d->maps_to && d->penalty ? ", counting toward penalty notices" : "",
				     old->loc.src->name, rt_category_name((enum rt_category)old->category),
				     old->penalty ? ", counting toward penalty notices" : "");
			}
		}
		if (!d->maps_to)
			continue;
		const struct lang_decl *t = lang_find_decl(ctx, LANG_D_CODE, d->maps_to);
		if (!t)
			continue;
		char day[11];
		if (t->until < d->until) {
			rt_date_format(t->until, day);
			warn(l, "unmapped-code", d->name_loc, "sub-code \"%s\" maps to \"%s\", which is in use only "
			     "until %s; after that \"%s\" is left unmapped: give it an 'until' date or map it to a code "
			     "in force", d->name, d->maps_to, day, d->name);
		} else if (t->from > d->from) {
			rt_date_format(t->from, day);
			warn(l, "unmapped-code", d->name_loc, "sub-code \"%s\" maps to \"%s\", which is in use only "
			     "from %s; before that \"%s\" is left unmapped: give it a 'from' date", d->name,
			     d->maps_to, day, d->name);
		}
	}
}

/* A policy that builds on no baseline brings the statutory code set itself: it
 * needs at least one code of every statistical category, or marks of that
 * category could not be recorded at all. */
static void
check_code_set(struct lint *l)
{
	struct lang_ctx *ctx = l->ctx;
	if (ctx->main->base)
		return;
	int have[RT_CAT__COUNT] = { 0 };
	for (size_t i = 0; i < ctx->ndecls; i++) {
		const struct lang_decl *d = ctx->decls[i];
		if (d->kind == LANG_D_CODE && d->category >= 0 && d->category < RT_CAT__COUNT)
			have[d->category] = 1;
	}
	struct lang_loc loc = { &ctx->main->src, 1, 1, 1, 1 };
	for (int c = 0; c < RT_CAT__COUNT; c++)
		if (!have[c])
			warn(l, "unmapped-code", loc, "the policy builds on no statutory baseline and has no code for "
			     "%s sessions: the statutory code set is incomplete (start with builds on \"england-2024\")",
			     rt_category_name((enum rt_category)c));
}

void
lang_lint(struct lang_ctx *ctx)
{
	if (!ctx->main || !ctx->main->src.text)
		return;
	struct lint l = { ctx, ctx->main, NULL, 0, NULL, 0 };
	l.used = lang_arena_alloc(ctx->arena, (ctx->ndecls + 1) * sizeof *l.used);
	read_allows(&l);
	check_stages(&l);
	check_thresholds(&l);
	check_overlaps(&l);
	check_unused(&l);
	if (ctx->report)
		check_identity(&l, ctx->report->as_of);
	check_codes(&l);
	check_code_set(&l);
	check_sources(&l);
	check_unpaid(&l);
}
