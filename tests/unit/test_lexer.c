/* The scanner: token kinds, values with units, locations and lexical errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lang/arena.h"
#include "lang/parse.h"
#include "lang/parser.h"
#include "lang/lexer.h"

#define MAX_TOKENS 64

struct lexed {
	int n;
	int tok[MAX_TOKENS];
	LANG_YYSTYPE val[MAX_TOKENS];
	LANG_YYLTYPE loc[MAX_TOKENS];
	int errors;
	struct lang_diags diags;
	struct lang_arena *arena;
};

/* Scans text to the end; tok[0] is the start token. */
static void
lex(struct lexed *out, const char *text)
{
	static struct lang_source src;
	src = (struct lang_source){ "t.policy", text, strlen(text) };
	memset(out, 0, sizeof *out);
	out->arena = lang_arena_new();
	lang_diags_init(&out->diags, 50);
	struct lang_parse ps = { .arena = out->arena, .diags = &out->diags, .src = &src, .mode = LANG_PARSE_FILE };
	ps.line = ps.column = 1;
	ps.after_newline = 1;
	yyscan_t scanner;
	assert_int_equal(lang_yylex_init_extra(&ps, &scanner), 0);
	YY_BUFFER_STATE buf = lang_yy_scan_bytes(text, (int)strlen(text), scanner);
	int t;
	do {
		assert_true(out->n < MAX_TOKENS);
		t = lang_yylex(&out->val[out->n], &out->loc[out->n], scanner);
		out->tok[out->n++] = t;
	} while (t != 0);
	lang_yy_delete_buffer(buf, scanner);
	lang_yylex_destroy(scanner);
	free(ps.block);
	out->errors = ps.errors;
}

static void
done(struct lexed *l)
{
	lang_diags_free(&l->diags);
	lang_arena_free(l->arena);
}

static void
test_keywords_and_newlines(void **state)
{
	(void)state;
	struct lexed l;
	lex(&l, "\n# comment\nflag persistent_absence \"Persistent\"\n\n  # more\nend\n");
	int want[] = { START_FILE, FLAG, IDENT, STRING, NEWLINE, END, NEWLINE, 0 };
	assert_int_equal(l.n, 8);
	for (int i = 0; i < 8; i++)
		assert_int_equal(l.tok[i], want[i]);
	assert_string_equal(l.val[2].str, "persistent_absence");
	assert_string_equal(l.val[3].str, "Persistent");
	assert_int_equal(l.loc[2].first_line, 3);
	assert_int_equal(l.loc[2].first_column, 6);
	assert_int_equal(l.loc[2].last_column, 24);
	assert_int_equal(l.loc[5].first_line, 6);
	assert_int_equal(l.errors, 0);
	done(&l);
}

static void
test_quantities_with_units(void **state)
{
	(void)state;
	struct lexed l;
	lex(&l, "96.5% 10 sessions 1 day 10 school weeks 6 weeks 3 years £80 £60.50 2 notices");
	struct { int64_t num, den; int unit; } want[] = {
		{ 965, 10, RT_UNIT_PERCENT }, { 10, 1, RT_UNIT_SESSIONS }, { 1, 1, RT_UNIT_DAYS },
		{ 10, 1, RT_UNIT_SCHOOL_WEEKS }, { 6, 1, RT_UNIT_WEEKS }, { 3, 1, RT_UNIT_YEARS },
		{ 8000, 1, RT_UNIT_MONEY }, { 6050, 1, RT_UNIT_MONEY },
	};
	for (int i = 0; i < 8; i++) {
		assert_int_equal(l.tok[i + 1], QUANTITY);
		/* 96.5% is kept exact: 965/10 reduced */
		assert_int_equal(l.val[i + 1].value.num * want[i].den, want[i].num * l.val[i + 1].value.den);
		assert_int_equal(l.val[i + 1].value.unit, want[i].unit);
	}
	/* "2 notices": a plain number, then the keyword. */
	assert_int_equal(l.tok[9], NUMBER);
	assert_int_equal(l.val[9].value.num, 2);
	assert_int_equal(l.tok[10], NOTICES);
	assert_int_equal(l.loc[10].first_column, 70);
	assert_int_equal(l.errors, 0);
	done(&l);
}

static void
test_percent_exact(void **state)
{
	(void)state;
	struct lexed l;
	lex(&l, "96.5% 10.0%");
	assert_int_equal(l.val[1].value.num, 965);
	assert_int_equal(l.val[1].value.den, 10);
	assert_int_equal(l.val[2].value.num, 100);
	assert_int_equal(l.val[2].value.den, 10);
	done(&l);
}

static void
test_dates_and_times(void **state)
{
	(void)state;
	struct lexed l;
	lex(&l, "2024-08-19 09:10 2024-02-29");
	assert_int_equal(l.tok[1], DATE);
	assert_int_equal(l.val[1].date, rt_date_from_ymd(2024, 8, 19));
	assert_int_equal(l.tok[2], TIME);
	assert_int_equal(l.val[2].time, 9 * 60 + 10);
	assert_int_equal(l.val[3].date, rt_date_from_ymd(2024, 2, 29));
	assert_int_equal(l.errors, 0);
	done(&l);
}

static void
test_bad_date_is_reported_once(void **state)
{
	(void)state;
	struct lexed l;
	lex(&l, "approved 2025-02-30\nreview 24:00\n");
	assert_int_equal(l.tok[2], DATE);  /* still a date token: no cascade */
	assert_int_equal(l.errors, 2);
	assert_int_equal(l.diags.n, 2);
	assert_non_null(strstr(l.diags.items[0].message, "invalid date '2025-02-30'"));
	assert_int_equal(l.diags.items[0].loc.first_column, 10);
	assert_non_null(strstr(l.diags.items[1].message, "invalid time '24:00'"));
	done(&l);
}

static void
test_strings_and_blocks(void **state)
{
	(void)state;
	struct lexed l;
	lex(&l, "\"\\\" \"\"\"\n    Dear {pupil},\n      indented\n\n    end\n    \"\"\" x");
	assert_int_equal(l.tok[1], STRING);
	assert_string_equal(l.val[1].str, "\\");
	assert_int_equal(l.tok[2], TEXT);
	assert_string_equal(l.val[2].str, "Dear {pupil},\n  indented\n\nend");
	assert_int_equal(l.loc[2].first_line, 1);
	assert_int_equal(l.loc[2].last_line, 6);
	assert_int_equal(l.tok[3], IDENT);
	assert_int_equal(l.loc[3].first_line, 6);
	done(&l);
}

static void
test_lexical_errors(void **state)
{
	(void)state;
	struct lexed l;
	lex(&l, "policy \"open\nx \x01 é 99999999999999999999 £1.005 Foo");
	assert_int_equal(l.tok[2], STRING); /* unterminated, still a string */
	assert_string_equal(l.val[2].str, "open");
	assert_int_equal(l.tok[5], LEXERROR);
	assert_int_equal(l.tok[6], LEXERROR);
	assert_int_equal(l.tok[7], NUMBER);
	assert_int_equal(l.tok[8], QUANTITY);
	assert_int_equal(l.tok[9], IDENT);
	assert_int_equal(l.errors, 6);
	assert_non_null(strstr(l.diags.items[0].message, "unterminated string"));
	assert_non_null(strstr(l.diags.items[1].message, "0x01"));
	assert_non_null(strstr(l.diags.items[2].message, "'é'"));
	assert_non_null(strstr(l.diags.items[3].message, "number too large"));
	assert_non_null(strstr(l.diags.items[4].message, "fractions of a penny"));
	assert_non_null(strstr(l.diags.items[5].message, "lower case"));
	done(&l);
}

static void
test_unterminated_block(void **state)
{
	(void)state;
	struct lexed l;
	lex(&l, "x \"\"\"\nnever closed\n");
	assert_int_equal(l.tok[2], TEXT);
	assert_int_equal(l.errors, 1);
	assert_int_equal(l.diags.items[0].loc.first_line, 1);
	assert_int_equal(l.diags.items[0].loc.first_column, 3);
	done(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keywords_and_newlines),
		cmocka_unit_test(test_quantities_with_units),
		cmocka_unit_test(test_percent_exact),
		cmocka_unit_test(test_dates_and_times),
		cmocka_unit_test(test_bad_date_is_reported_once),
		cmocka_unit_test(test_strings_and_blocks),
		cmocka_unit_test(test_lexical_errors),
		cmocka_unit_test(test_unterminated_block),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
