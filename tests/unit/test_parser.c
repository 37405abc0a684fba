/* The parser: the tree built for each kind of declaration, and recovery from errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lang/arena.h"
#include "lang/parse.h"
#include "runtime/machine/opcodes.h"

struct parsed {
	struct lang_arena *arena;
	struct lang_diags diags;
	struct lang_source src;
	struct lang_parse ps;
	int errors;
};

static struct parsed *
parse(const char *text)
{
	struct parsed *p = calloc(1, sizeof *p);
	assert_non_null(p);
	p->arena = lang_arena_new();
	lang_diags_init(&p->diags, 50);
	p->src = (struct lang_source){ "t.policy", text, strlen(text) };
	p->ps = (struct lang_parse){ .arena = p->arena, .diags = &p->diags, .src = &p->src, .mode = LANG_PARSE_FILE };
	p->errors = lang_parse_run(&p->ps);
	return p;
}

static void
release(struct parsed *p)
{
	lang_diags_free(&p->diags);
	lang_arena_free(p->arena);
	free(p);
}

static const struct lang_decl *
nth(const struct parsed *p, int n)
{
	const struct lang_decl *d = p->ps.decls;
	while (d && n-- > 0)
		d = d->next;
	assert_non_null(d);
	return d;
}

static void
test_identity_and_codes(void **state)
{
	(void)state;
	struct parsed *p = parse(
		"builds on \"england-2024\"\n"
		"policy \"Russell Street School\"\n"
		"version \"2024-25\"\n"
		"approved 2024-09-01\n"
		"code \"G\" unauthorised \"Holiday\" counts toward penalty notices from 2024-08-19 source \"DfE\"\n"
		"code \"X\" not possible \"Not required\"\n"
		"code \"I01\" maps to \"I\" \"Illness\"\n");
	assert_int_equal(p->errors, 0);
	assert_int_equal(nth(p, 0)->kind, LANG_D_BUILDS_ON);
	assert_string_equal(nth(p, 0)->name, "england-2024");
	assert_int_equal(nth(p, 1)->kind, LANG_D_POLICY);
	assert_string_equal(nth(p, 1)->text, "Russell Street School");
	assert_int_equal(nth(p, 3)->date, rt_date_from_ymd(2024, 9, 1));
	const struct lang_decl *g = nth(p, 4);
	assert_int_equal(g->kind, LANG_D_CODE);
	assert_string_equal(g->name, "G");
	assert_int_equal(g->category, RT_CAT_UNAUTHORISED);
	assert_int_equal(g->penalty, 1);
	assert_int_equal(g->from, rt_date_from_ymd(2024, 8, 19));
	assert_int_equal(g->until, RT_DATE_MAX);
	assert_string_equal(g->source, "DfE");
	assert_int_equal(nth(p, 5)->category, RT_CAT_NOT_POSSIBLE);
	assert_string_equal(nth(p, 6)->maps_to, "I");
	assert_int_equal(nth(p, 6)->category, -1);
	assert_int_equal(nth(p, 6)->loc.first_line, 7);
	release(p);
}

static void
test_rule_condition_tree(void **state)
{
	(void)state;
	struct parsed *p = parse(
		"stage 3 \"Attendance meeting\"\n"
		"  when consecutive days absent >= 6 days or attendance rate below attendance_target and not stage 2\n"
		"  action \"Invite parents\" by \"Champion\"\n"
		"  letter attendance_meeting\n"
		"  source \"5. Stage Three\"\n"
		"end\n");
	assert_int_equal(p->errors, 0);
	const struct lang_decl *d = nth(p, 0);
	assert_int_equal(d->kind, LANG_D_STAGE);
	assert_int_equal(d->stage, 3);
	assert_string_equal(d->title, "Attendance meeting");
	const struct lang_item *when = lang_decl_item(d, LANG_I_WHEN);
	assert_non_null(when);
	const struct lang_expr *e = when->expr;
	/* or binds looser than and */
	assert_int_equal(e->kind, LANG_E_OR);
	assert_int_equal(e->lhs->kind, LANG_E_CMP);
	assert_int_equal(e->lhs->op, RT_OP_GE);
	assert_int_equal(e->lhs->lhs->measure.kind, RT_M_CONSECUTIVE_DAYS);
	assert_int_equal(e->lhs->rhs->value.unit, RT_UNIT_DAYS);
	assert_int_equal(e->rhs->kind, LANG_E_AND);
	assert_int_equal(e->rhs->lhs->op, RT_OP_LT);
	assert_string_equal(e->rhs->lhs->rhs->name, "attendance_target");
	assert_int_equal(e->rhs->rhs->kind, LANG_E_NOT);
	assert_int_equal(e->rhs->rhs->lhs->kind, LANG_E_STAGE);
	assert_int_equal(e->rhs->rhs->lhs->stage, 2);
	const struct lang_item *a = lang_decl_item(d, LANG_I_ACTION);
	assert_string_equal(a->text, "Invite parents");
	assert_string_equal(a->owner, "Champion");
	assert_string_equal(lang_decl_item(d, LANG_I_LETTER)->text, "attendance_meeting");
	assert_string_equal(lang_decl_source(d), "5. Stage Three");
	release(p);
}

static void
test_measure_phrases_and_periods(void **state)
{
	(void)state;
	struct parsed *p = parse(
		"let a = unauthorised sessions in the last 10 school weeks\n"
		"let b = days coded \"N\", \"O\" this term\n"
		"let c = absence rate this half term\n"
		"let d = penalty sessions + 2 sessions\n");
	assert_int_equal(p->errors, 0);
	const struct lang_measure *m = &nth(p, 0)->value->measure;
	assert_int_equal(m->kind, RT_M_SESSIONS);
	assert_int_equal(m->filter, LANG_F_UNAUTHORISED);
	assert_int_equal(m->period, RT_P_SCHOOL_WEEKS);
	assert_int_equal(m->weeks, 10);
	m = &nth(p, 1)->value->measure;
	assert_int_equal(m->kind, RT_M_DAYS);
	assert_int_equal(m->filter, LANG_F_CODED);
	assert_string_equal(m->codes->text, "N");
	assert_string_equal(m->codes->next->text, "O");
	assert_null(m->codes->next->next);
	assert_int_equal(m->period, RT_P_TERM);
	assert_int_equal(nth(p, 2)->value->measure.period, RT_P_HALF_TERM);
	assert_int_equal(nth(p, 3)->value->kind, LANG_E_ADD);
	char buf[128];
	lang_expr_format(nth(p, 0)->value, buf, sizeof buf);
	assert_string_equal(buf, "unauthorised sessions in the last 10 school weeks");
	lang_expr_format(nth(p, 1)->value, buf, sizeof buf);
	assert_string_equal(buf, "days coded \"N\", \"O\" this term");
	release(p);
}

static void
test_blocks(void **state)
{
	(void)state;
	struct parsed *p = parse(
		"register\n  session AM opens 08:35 closes 09:00\n  arriving after 09:00 in AM is \"U\"\nend\n"
		"schedule likely \"By half term\"\n  half term 1: 10 sessions\n  half term 2: 22 sessions\nend\n"
		"letter meeting \"Meeting\"\n  \"\"\"\n  Dear {pupil}\n  \"\"\"\nend\n"
		"replaces penalty notice\n"
		"  consider when penalty sessions in the last 10 school weeks >= 10 sessions\n"
		"  first notice £80 within 21 days, £160 within 28 days from 2024-08-19\n"
		"  at most 2 notices in 3 years, otherwise \"Prosecution\"\n"
		"  unpaid after 28 days \"Prosecute\"\n"
		"end\n"
		"leave notice \"holiday\" 6 weeks source \"x\"\n"
		"retain register entries 6 years\n");
	assert_int_equal(p->errors, 0);
	const struct lang_item *s = nth(p, 0)->items;
	assert_int_equal(s->kind, LANG_I_SESSION);
	assert_int_equal(s->opens, 8 * 60 + 35);
	assert_int_equal(s->next->kind, LANG_I_ARRIVAL);
	assert_string_equal(s->next->text, "U");
	const struct lang_item *h = nth(p, 1)->items;
	assert_int_equal(h->number, 1);
	assert_int_equal(h->next->expr->value.num, 22);
	assert_string_equal(lang_decl_item(nth(p, 2), LANG_I_BODY)->text, "Dear {pupil}");
	const struct lang_decl *pen = nth(p, 3);
	assert_int_equal(pen->kind, LANG_D_PENALTY);
	assert_int_equal(pen->replaces, 1);
	const struct lang_item *f = lang_decl_item(pen, LANG_I_FINE);
	assert_int_equal(f->number, 1);
	assert_int_equal(f->amount.num, 8000);
	assert_int_equal(f->later_amount.num, 16000);
	assert_int_equal(f->later_window.num, 28);
	assert_int_equal(f->from, rt_date_from_ymd(2024, 8, 19));
	const struct lang_item *cap = lang_decl_item(pen, LANG_I_CAP);
	assert_int_equal(cap->number, 2);
	assert_int_equal(cap->amount.unit, RT_UNIT_YEARS);
	assert_string_equal(cap->text, "Prosecution");
	assert_int_equal(nth(p, 4)->value->value.unit, RT_UNIT_WEEKS);
	assert_int_equal(nth(p, 5)->kind, LANG_D_RETAIN);
	release(p);
}

static void
test_several_errors_recovered(void **state)
{
	(void)state;
	struct parsed *p = parse(
		"policy 12\n"
		"flag x \"X\"\n  when absence rate >= 10%\n  actoin \"Phone\"\nend\n"
		"code \"O\" sideways\n"
		"version \"ok\"\n");
	assert_int_equal(p->errors, 3);
	assert_int_equal(p->diags.n, 3);
	assert_int_equal(p->diags.items[0].loc.first_line, 1);
	assert_non_null(strstr(p->diags.items[0].message, "expected a string"));
	assert_int_equal(p->diags.items[1].loc.first_line, 4);
	assert_non_null(strstr(p->diags.items[1].message, "unexpected 'actoin', expected 'action'"));
	assert_int_equal(p->diags.items[2].loc.first_line, 6);
	/* the flag and the last line survive */
	assert_int_equal(nth(p, 0)->kind, LANG_D_FLAG);
	assert_int_equal(nth(p, 1)->kind, LANG_D_VERSION);
	release(p);
}

static void
test_error_cap(void **state)
{
	(void)state;
	struct lang_arena *arena = lang_arena_new();
	struct lang_diags diags;
	lang_diags_init(&diags, 2);
	const char *text = "x\ny\nz\nw\n";
	struct lang_source src = { "t", text, strlen(text) };
	struct lang_parse ps = { .arena = arena, .diags = &diags, .src = &src, .mode = LANG_PARSE_FILE };
	lang_parse_run(&ps);
	assert_int_equal(diags.n, 2);
	assert_true(lang_diags_full(&diags));
	lang_diags_free(&diags);
	lang_arena_free(arena);
}

static void
test_junk_does_not_crash(void **state)
{
	(void)state;
	static const char junk[] = "\x7f\x45\x4c\x46\x02\x01\x01\0\0\0\xff\xfe end end\n\"\"\" (((( 1e9999 ))";
	struct lang_arena *arena = lang_arena_new();
	struct lang_diags diags;
	lang_diags_init(&diags, 50);
	struct lang_source src = { "junk", junk, sizeof junk - 1 };
	struct lang_parse ps = { .arena = arena, .diags = &diags, .src = &src, .mode = LANG_PARSE_FILE };
	assert_true(lang_parse_run(&ps) > 0);
	assert_true(diags.nerrors > 0);
	lang_diags_free(&diags);
	lang_arena_free(arena);
	struct parsed *p = parse("");
	assert_int_equal(p->errors, 0);
	assert_null(p->ps.decls);
	release(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_and_codes),
		cmocka_unit_test(test_rule_condition_tree),
		cmocka_unit_test(test_measure_phrases_and_periods),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_several_errors_recovered),
		cmocka_unit_test(test_error_cap),
		cmocka_unit_test(test_junk_does_not_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
