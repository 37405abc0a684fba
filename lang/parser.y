/*
 * The policy grammar (docs/language.md). A pure parser: all state is in
 * struct lang_parse. Statements end at NEWLINE, so error recovery skips to
 * the end of the bad line and several errors are reported per run.
 * Conditions are one expression grammar; the checker decides which parts
 * must be truth values and which quantities, and reports units.
 */
%require "3.8"
%define api.pure full
%define api.prefix {lang_yy}
%define api.location.type {struct lang_loc}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%param {void *scanner}
%parse-param {struct lang_parse *ps}

%code requires {
#include <stdint.h>

#include "lang/ast.h"
#include "lang/groups.h"
#include "lang/parse.h"
#include "runtime/machine/date.h"

/* Locations carry their source: merge spans and keep src. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                          \
	do {                                                                 \
		if (N) {                                                     \
			(Cur) = YYRHSLOC(Rhs, 1);                            \
			(Cur).last_line = YYRHSLOC(Rhs, N).last_line;        \
			(Cur).last_column = YYRHSLOC(Rhs, N).last_column;    \
		} else {                                                     \
			(Cur) = YYRHSLOC(Rhs, 0);                            \
			(Cur).first_line = (Cur).last_line;                  \
			(Cur).first_column = (Cur).last_column;              \
		}                                                            \
	} while (0)
}

%code provides {
int lang_yylex(LANG_YYSTYPE *yylval, LANG_YYLTYPE *yylloc, void *scanner);
}

%code {
#include <string.h>

#include "lang/arena.h"
#include "runtime/machine/opcodes.h"

static void lang_yyerror(LANG_YYLTYPE *loc, void *scanner, struct lang_parse *ps, const char *msg);
static void add_decl(struct lang_parse *ps, struct lang_decl *d);
static struct lang_expr *binary(struct lang_parse *ps, enum lang_expr_kind kind, LANG_YYLTYPE loc,
                                struct lang_expr *l, struct lang_expr *r);
static struct lang_expr *compare(struct lang_parse *ps, int op, LANG_YYLTYPE loc, struct lang_expr *l,
                                 struct lang_expr *r);
static struct lang_expr *measure(struct lang_parse *ps, LANG_YYLTYPE loc, int kind, int filter,
                                 struct lang_strlist *codes);
static int64_t whole(struct lang_parse *ps, struct rt_value v, LANG_YYLTYPE loc, const char *what);
static int64_t school_weeks(struct lang_parse *ps, struct rt_value v, LANG_YYLTYPE loc, const char *phrase);
static struct lang_item *append_item(struct lang_item *list, struct lang_item *it);
#define A (ps->arena)

}

%union {
	char *str;
	struct rt_value value;
	rt_date date;
	int time;
	int num;
	struct lang_expr *expr;
	struct lang_decl *decl;
	struct lang_item *item;
	struct lang_strlist *strs;
	struct { rt_date from, until; } dates;
	struct { uint8_t period; int64_t weeks; struct lang_loc loc; int64_t stage; const char *flag; } period;
	struct { int at; int64_t stage; const char *flag; } at;
	struct lang_years years;
}

%token START_FILE START_EXPR
%token NEWLINE "end of line"
%token LEXERROR "invalid input"
%token <str> STRING "a string"
%token <str> TEXT "a text block"
%token <str> IDENT "a name"
%token <value> NUMBER "a number"
%token <value> QUANTITY "a number with a unit"
%token <date> DATE "a date"
%token <time> TIME "a time"
%token LE "<=" GE ">=" NE "!="
%token AM "AM" PM "PM" ABOVE "above" ABSENCE "absence" ABSENT "absent" ACTION "action" AFTER "after"
%token AND "and" APPROVED "approved" ARRIVING "arriving" AT "at" ATTENDANCE "attendance"
%token AUTHORISED "authorised" BELOW "below" BUILDS "builds" BY "by" CLOSES "closes" CODE "code"
%token CODED "coded" CONSECUTIVE "consecutive" CONSIDER "consider" COUNTS "counts" DAYS "days"
%token EDUCATIONAL "educational" END "end" ENTRIES "entries" FIRST "first" FLAG "flag" FROM "from"
%token HALF "half" IN "in" IS "is" LAST "last" LEAST "least" LEAVE "leave" LET "let" LETTER "letter" LETTERHEAD "letterhead"
%token MAPS "maps" MORE "more" MOST "most" NOT "not" NOTICE "notice" NOTICES "notices" ON "on"
%token OPENS "opens" OR "or" OTHERWISE "otherwise" PENALTY "penalty" POLICY "policy"
%token POSSIBLE "possible" PRESENT "present" RATE "rate" REGISTER "register" REPLACES "replaces"
%token RETAIN "retain" REVIEW "review" SCHEDULE "schedule" SECOND "second" SESSION "session"
%token SESSIONS "sessions" SOURCE "source" STAGE "stage" TARGET "target" TERM "term" THAN "than"
%token THE "the" THIS "this" TO "to" TOWARD "toward" UNAUTHORISED "unauthorised" UNTIL "until"
%token UNPAID "unpaid" VERSION "version" WHEN "when" WITHIN "within" YEAR "year"
%token SCHOOL_WEEKS_SINCE "school weeks since" SCHOOL_DAYS_SINCE "school days since"
%token NOTICE_TO_IMPROVE "notice to improve" IMPROVEMENT_PERIOD "improvement period" IMPROVED_WHEN "improved when"
%token NOT_APPROPRIATE_WHEN "support not appropriate when" SINCE "since"
%token BEGAN "began" A_YEAR_AGO "a year ago"
%token REGISTER_CLOSES_WITHIN "register closes within" OF_OPENING "of opening"
%token SAME_EVERY_SESSION "the same for every session"
%token YEAR_GROUP "year group" KEY_STAGE "key stage" PHASE "phase" FOR_YEARS "for years" SIXTH_FORM "sixth form"
%token <str> YEARNAME "a year group"
%token ADVANCE "advance" WRITING "writing" ANY "any" OF "of" LONGEST "longest" RUN "run" SCHOOL_YEAR "school year"

%left OR
%left AND
%precedence NOT
%nonassoc '<' '>' '=' LE GE NE BELOW ABOVE AT MORE
%precedence ONE_YEAR /* `year group is 2` then '-': a range of years (2-4), not a subtraction */
%left '+' '-'

%type <decl> decl decl_body code_decl
%type <expr> expr primary measure_expr longest_run
%type <item> register_items register_item schedule_items schedule_item rule_items rule_item
%type <item> letter_items letter_item penalty_items penalty_item fine letterhead_items letterhead_item
%type <item> improve_items improve_item session_head
%type <str> name opt_source opt_string opt_by opt_otherwise
%type <num> opt_same opt_in_writing opt_replaces category session_name ordinal relop since
%type <strs> codes
%type <dates> dates
%type <period> period
%type <at> at
%type <years> years opt_for_years
%type <num> year

%%

start
	: START_FILE file
	| START_EXPR expr { ps->expr = $2; }
	;

file
	: %empty
	| file decl { if ($2) add_decl(ps, $2); }
	| file error NEWLINE { yyerrok; if (lang_diags_full(ps->diags)) YYABORT; }
	;

decl
	: opt_replaces decl_body { $$ = $2; $$->replaces = $1; if ($1) $$->loc = @$; }
	;

opt_replaces
	: %empty { $$ = 0; }
	| REPLACES { $$ = 1; }
	;

opt_source
	: %empty { $$ = NULL; }
	| SOURCE STRING { $$ = $2; }
	;

opt_string
	: %empty { $$ = NULL; }
	| STRING
	;

name
	: IDENT
	| ATTENDANCE { $$ = "attendance"; }
	| ABSENCE { $$ = "absence"; }
	;

decl_body
	: POLICY STRING opt_source NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_POLICY, @1); $$->text = $2; $$->source = $3; }
	| VERSION STRING opt_source NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_VERSION, @1); $$->text = $2; $$->source = $3; }
	| APPROVED DATE opt_source NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_APPROVED, @1); $$->date = $2; $$->source = $3; }
	| REVIEW DATE opt_source NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_REVIEW, @1); $$->date = $2; $$->source = $3; }
	| BUILDS ON STRING NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_BUILDS_ON, @$); $$->loc.last_line = @3.last_line;
		  $$->loc.last_column = @3.last_column; $$->name = $3; $$->name_loc = @3; }
	| code_decl
	| REGISTER NEWLINE register_items END NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_REGISTER, @1); $$->name = "register"; $$->items = $3; }
	| LET name '=' expr dates opt_source NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_LET, @2); $$->name = $2; $$->value = $4; $$->source = $6;
		  $$->from = $5.from; $$->until = $5.until; $$->dates_loc = @5; }
	| TARGET name expr opt_source NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_TARGET, @2); $$->name = $2; $$->value = $3; $$->source = $4; }
	| SCHEDULE name opt_string NEWLINE schedule_items END NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_SCHEDULE, @2); $$->name = $2; $$->title = $3; $$->items = $5; }
	| FLAG name opt_string dates NEWLINE rule_items END NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_FLAG, @2); $$->name = $2; $$->title = $3; $$->items = $6;
		  $$->from = $4.from; $$->until = $4.until; $$->dates_loc = @4; }
	| STAGE NUMBER opt_string dates NEWLINE rule_items END NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_STAGE, @1); $$->loc.last_line = @2.last_line;
		  $$->loc.last_column = @2.last_column; $$->stage = whole(ps, $2, @2, "a stage number");
		  $$->title = $3; $$->items = $6; $$->from = $4.from; $$->until = $4.until; $$->dates_loc = @4; }
	| NOTICE_TO_IMPROVE dates NEWLINE improve_items END NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_FLAG, @1); $$->name = LANG_IMPROVE_NAME; $$->name_loc = @1;
		  $$->title = "Notice to improve"; $$->improve = 1; $$->items = $4; $$->from = $2.from;
		  $$->until = $2.until; $$->dates_loc = @2; }
	| LETTER name opt_string NEWLINE letter_items END NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_LETTER, @2); $$->name = $2; $$->title = $3; $$->items = $5; }
	| LETTERHEAD NEWLINE letterhead_items END NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_LETTERHEAD, @1); $$->name = "letterhead"; $$->items = $3; }
	| PENALTY NOTICE dates NEWLINE penalty_items END NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_PENALTY, @1); $$->loc.last_column = @2.last_column;
		  $$->name = "penalty notice"; $$->items = $5; $$->from = $3.from; $$->until = $3.until;
		  $$->dates_loc = @3; }
	| LEAVE NOTICE STRING QUANTITY opt_source NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_LEAVE_NOTICE, @3); $$->name = $3;
		  $$->value = lang_expr_new(A, LANG_E_VALUE, @4); $$->value->value = $4; $$->source = $5; }
	| LEAVE NOTICE STRING IN ADVANCE opt_in_writing opt_source NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_LEAVE_NOTICE, @3); $$->name = $3;
		  $$->text = $6 ? "in advance, in writing" : "in advance"; $$->source = $7; }
	| REGISTER_CLOSES_WITHIN QUANTITY OF_OPENING opt_same opt_source NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_REGISTER_WINDOW, @1); $$->name = "register closes within";
		  $$->value = lang_expr_new(A, LANG_E_VALUE, @2); $$->value->value = $2;
		  $$->text = $4 ? "the same for every session" : NULL; $$->source = $5; }
	| RETAIN REGISTER ENTRIES QUANTITY opt_source NEWLINE
		{ $$ = lang_decl_new(A, LANG_D_RETAIN, @1); $$->name = "retain register entries";
		  $$->value = lang_expr_new(A, LANG_E_VALUE, @4); $$->value->value = $4; $$->source = $5; }
	;

opt_same
	: %empty { $$ = 0; }
	| ',' SAME_EVERY_SESSION { $$ = 1; }
	;

opt_in_writing
	: %empty { $$ = 0; }
	| IN WRITING { $$ = 1; }
	;

code_decl
	: CODE STRING category opt_string
		{ $$ = lang_decl_new(A, LANG_D_CODE, @2); $$->name = $2; $$->category = $3; $$->meaning = $4; }
	| CODE STRING MAPS TO STRING opt_string
		{ $$ = lang_decl_new(A, LANG_D_CODE, @2); $$->name = $2; $$->maps_to = $5; $$->maps_loc = @5;
		  $$->meaning = $6; }
	| code_decl COUNTS TOWARD PENALTY NOTICES { $$ = $1; $$->penalty = 1; }
	| code_decl FROM DATE { $$ = $1; $$->from = $3; }
	| code_decl UNTIL DATE { $$ = $1; $$->until = $3; }
	| code_decl SOURCE STRING { $$ = $1; $$->source = $3; }
	| code_decl NEWLINE { $$ = $1; }
	;

category
	: PRESENT { $$ = RT_CAT_PRESENT; }
	| EDUCATIONAL { $$ = RT_CAT_EDUCATIONAL; }
	| AUTHORISED { $$ = RT_CAT_AUTHORISED; }
	| UNAUTHORISED { $$ = RT_CAT_UNAUTHORISED; }
	| NOT POSSIBLE { $$ = RT_CAT_NOT_POSSIBLE; }
	;

register_items
	: %empty { $$ = NULL; }
	| register_items register_item { $$ = append_item($1, $2); }
	;

register_item
	: session_head NEWLINE { $$ = $1; $$->loc = @$; }
	| session_head OPENS TIME NEWLINE { $$ = $1; $$->loc = @$; $$->opens = $3; }
	| session_head CLOSES TIME NEWLINE { $$ = $1; $$->loc = @$; $$->closes = $3; }
	| session_head OPENS TIME CLOSES TIME NEWLINE { $$ = $1; $$->loc = @$; $$->opens = $3; $$->closes = $5; }
	| ARRIVING AFTER TIME IN session_name opt_for_years IS STRING opt_source NEWLINE
		{ $$ = lang_item_new(A, LANG_I_ARRIVAL, @$); $$->after = $3; $$->session = $5; $$->text = $8;
		  $$->text_loc = @8; $$->owner = $9; lang_item_set_years($$, $6, @6); }
	| SOURCE STRING NEWLINE { $$ = lang_item_new(A, LANG_I_SOURCE, @$); $$->text = $2; }
	| error NEWLINE { $$ = NULL; yyerrok; if (lang_diags_full(ps->diags)) YYABORT; }
	;

session_head
	: SESSION session_name opt_for_years
		{ $$ = lang_item_new(A, LANG_I_SESSION, @$); $$->session = $2; lang_item_set_years($$, $3, @3); }
	;

opt_for_years
	: %empty { $$.from = $$.until = RT_NO_YEAR; }
	| FOR_YEARS years { $$ = $2; }
	;

years
	: year %prec ONE_YEAR { $$.from = $$.until = $1; }
	| year '-' year { $$ = lang_year_range(ps, $1, $3, @$); }
	;

year
	: NUMBER { $$ = lang_year_number(ps, $1, @1); }
	| YEARNAME { $$ = lang_year_name(ps, $1, @1); }
	;

session_name
	: AM { $$ = RT_AM; }
	| PM { $$ = RT_PM; }
	;

schedule_items
	: %empty { $$ = NULL; }
	| schedule_items schedule_item { $$ = append_item($1, $2); }
	;

schedule_item
	: HALF TERM NUMBER ':' expr NEWLINE
		{ $$ = lang_item_new(A, LANG_I_HALF_TERM, @$); $$->number = whole(ps, $3, @3, "a half term");
		  $$->text_loc = @3; $$->expr = $5; }
	| SOURCE STRING NEWLINE { $$ = lang_item_new(A, LANG_I_SOURCE, @$); $$->text = $2; }
	| error NEWLINE { $$ = NULL; yyerrok; if (lang_diags_full(ps->diags)) YYABORT; }
	;

rule_items
	: %empty { $$ = NULL; }
	| rule_items rule_item { $$ = append_item($1, $2); }
	;

rule_item
	: WHEN expr dates NEWLINE
		{ $$ = lang_item_new(A, LANG_I_WHEN, @1); $$->expr = $2; $$->from = $3.from; $$->until = $3.until;
		  $$->text_loc = @3; }
	| ACTION STRING opt_by NEWLINE
		{ $$ = lang_item_new(A, LANG_I_ACTION, @$); $$->text = $2; $$->owner = $3; }
	| LETTER name NEWLINE
		{ $$ = lang_item_new(A, LANG_I_LETTER, @$); $$->text = $2; $$->text_loc = @2; }

	| SOURCE STRING NEWLINE { $$ = lang_item_new(A, LANG_I_SOURCE, @$); $$->text = $2; }
	| error NEWLINE { $$ = NULL; yyerrok; if (lang_diags_full(ps->diags)) YYABORT; }
	;

improve_items
	: %empty { $$ = NULL; }
	| improve_items improve_item { $$ = append_item($1, $2); }
	;

improve_item
	: rule_item
	| NOT_APPROPRIATE_WHEN expr NEWLINE
		{ $$ = lang_item_new(A, LANG_I_NOT_APPROPRIATE, @1); $$->expr = $2; }
	| IMPROVEMENT_PERIOD QUANTITY NEWLINE
		{ $$ = lang_item_new(A, LANG_I_IMPROVEMENT, @$); $$->amount = $2; $$->text_loc = @2; }
	| IMPROVED_WHEN expr NEWLINE
		{ $$ = lang_item_new(A, LANG_I_IMPROVED, @1); $$->expr = $2; }
	;

opt_by
	: %empty { $$ = NULL; }
	| BY STRING { $$ = $2; }
	;

letter_items
	: %empty { $$ = NULL; }
	| letter_items letter_item { $$ = append_item($1, $2); }
	;

letter_item
	: TEXT NEWLINE { $$ = lang_item_new(A, LANG_I_BODY, @1); $$->text = $1; }
	| STRING NEWLINE { $$ = lang_item_new(A, LANG_I_BODY, @1); $$->text = $1; }
	| SOURCE STRING NEWLINE { $$ = lang_item_new(A, LANG_I_SOURCE, @$); $$->text = $2; }
	| error NEWLINE { $$ = NULL; yyerrok; if (lang_diags_full(ps->diags)) YYABORT; }
	;

letterhead_items
	: %empty { $$ = NULL; }
	| letterhead_items letterhead_item { $$ = append_item($1, $2); }
	;

letterhead_item
	: name STRING opt_string NEWLINE
		{ $$ = lang_item_new(A, LANG_I_FIELD, @1); $$->key = $1; $$->text = $2; $$->text_loc = @2;
		  $$->owner = $3; }
	| name TEXT NEWLINE
		{ $$ = lang_item_new(A, LANG_I_FIELD, @1); $$->key = $1; $$->text = $2; $$->text_loc = @2; }
	| SOURCE STRING NEWLINE { $$ = lang_item_new(A, LANG_I_SOURCE, @$); $$->text = $2; }
	| error NEWLINE { $$ = NULL; yyerrok; if (lang_diags_full(ps->diags)) YYABORT; }
	;

penalty_items
	: %empty { $$ = NULL; }
	| penalty_items penalty_item { $$ = append_item($1, $2); }
	;

penalty_item
	: CONSIDER WHEN expr dates NEWLINE
		{ $$ = lang_item_new(A, LANG_I_CONSIDER, @1); $$->expr = $3; $$->from = $4.from; $$->until = $4.until;
		  $$->text_loc = @4; }
	| fine NEWLINE
	| AT MOST NUMBER NOTICES IN QUANTITY opt_otherwise dates NEWLINE
		{ $$ = lang_item_new(A, LANG_I_CAP, @$); $$->number = whole(ps, $3, @3, "a number of notices");
		  $$->amount = $6; $$->text_loc = @6; $$->text = $7; $$->from = $8.from; $$->until = $8.until; }
	| UNPAID AFTER QUANTITY STRING NEWLINE
		{ $$ = lang_item_new(A, LANG_I_UNPAID, @$); $$->amount = $3; $$->text_loc = @3; $$->text = $4; }
	| SOURCE STRING NEWLINE { $$ = lang_item_new(A, LANG_I_SOURCE, @$); $$->text = $2; }
	| error NEWLINE { $$ = NULL; yyerrok; if (lang_diags_full(ps->diags)) YYABORT; }
	;

fine
	: ordinal NOTICE QUANTITY WITHIN QUANTITY dates
		{ $$ = lang_item_new(A, LANG_I_FINE, @$); $$->number = $1; $$->amount = $3; $$->text_loc = @3;
		  $$->window = $5; $$->from = $6.from; $$->until = $6.until; }
	| ordinal NOTICE QUANTITY WITHIN QUANTITY ',' QUANTITY WITHIN QUANTITY dates
		{ $$ = lang_item_new(A, LANG_I_FINE, @$); $$->number = $1; $$->amount = $3; $$->text_loc = @3;
		  $$->window = $5; $$->has_later = 1; $$->later_amount = $7; $$->later_window = $9;
		  $$->from = $10.from; $$->until = $10.until; }
	;

ordinal
	: FIRST { $$ = 1; }
	| SECOND { $$ = 2; }
	;

dates
	: %empty { $$.from = RT_DATE_MIN; $$.until = RT_DATE_MAX; }
	| FROM DATE { $$.from = $2; $$.until = RT_DATE_MAX; }
	| UNTIL DATE { $$.from = RT_DATE_MIN; $$.until = $2; }
	| FROM DATE UNTIL DATE { $$.from = $2; $$.until = $4; }
	;

opt_otherwise
	: %empty { $$ = NULL; }
	| ',' OTHERWISE STRING { $$ = $3; }
	| OTHERWISE STRING { $$ = $2; }
	;

expr
	: expr OR expr { $$ = binary(ps, LANG_E_OR, @$, $1, $3); }
	| expr AND expr { $$ = binary(ps, LANG_E_AND, @$, $1, $3); }
	| NOT expr { $$ = binary(ps, LANG_E_NOT, @$, $2, NULL); }
	| expr relop expr %prec '<' { $$ = compare(ps, $2, @$, $1, $3); }
	| expr '+' expr { $$ = binary(ps, LANG_E_ADD, @$, $1, $3); }
	| expr '-' expr { $$ = binary(ps, LANG_E_SUB, @$, $1, $3); }
	| primary
	;

relop
	: '<' { $$ = RT_OP_LT; }
	| LE { $$ = RT_OP_LE; }
	| '>' { $$ = RT_OP_GT; }
	| GE { $$ = RT_OP_GE; }
	| '=' { $$ = RT_OP_EQ; }
	| NE { $$ = RT_OP_NE; }
	| BELOW { $$ = RT_OP_LT; }
	| ABOVE { $$ = RT_OP_GT; }
	| AT LEAST { $$ = RT_OP_GE; }
	| AT MOST { $$ = RT_OP_LE; }
	| MORE THAN { $$ = RT_OP_GT; }
	;

primary
	: '(' expr ')' { $$ = $2; }
	| QUANTITY { $$ = lang_expr_new(A, LANG_E_VALUE, @$); $$->value = $1; }
	| NUMBER { $$ = lang_expr_new(A, LANG_E_VALUE, @$); $$->value = $1; }
	| DATE { $$ = lang_expr_new(A, LANG_E_VALUE, @$); $$->value = (struct rt_value){ $1, 1, RT_UNIT_DATE }; }
	| TIME { $$ = lang_expr_new(A, LANG_E_VALUE, @$); $$->value = (struct rt_value){ $1, 1, RT_UNIT_TIME }; }
	| name { $$ = lang_expr_new(A, LANG_E_NAME, @$); $$->name = $1; }
	| STAGE NUMBER { $$ = lang_expr_new(A, LANG_E_STAGE, @$); $$->stage = whole(ps, $2, @2, "a stage number"); }
	| YEAR_GROUP IS years { $$ = lang_year_group(ps, @$, $3); }
	| KEY_STAGE NUMBER { $$ = lang_key_stage(ps, @$, $2, @2); }
	| KEY_STAGE IS NUMBER { $$ = lang_key_stage(ps, @$, $3, @3); }
	| PHASE IS name { $$ = lang_phase(ps, @$, $3, @3); }
	| PHASE IS SIXTH_FORM { $$ = lang_phase(ps, @$, "sixth form", @3); }
	| measure_expr
	| measure_expr period
		{ $$ = $1; $$->loc = @$; $$->measure.period = $2.period; $$->measure.weeks = $2.weeks;
		  $$->measure.weeks_loc = $2.loc; $$->measure.since_stage = $2.stage; $$->measure.since_flag = $2.flag; }
	| measure_expr at
		{ $$ = $1; $$->loc = @$; $$->measure.at = $2.at; $$->measure.at_stage = $2.stage;
		  $$->measure.at_flag = $2.flag; }
	| measure_expr period at
		{ $$ = $1; $$->loc = @$; $$->measure.period = $2.period; $$->measure.weeks = $2.weeks;
		  $$->measure.weeks_loc = $2.loc; $$->measure.since_stage = $2.stage; $$->measure.since_flag = $2.flag;
		  $$->measure.at = $3.at; $$->measure.at_stage = $3.stage; $$->measure.at_flag = $3.flag; }
	| CONSECUTIVE DAYS ABSENT { $$ = measure(ps, @$, RT_M_CONSECUTIVE_DAYS, LANG_F_ABSENT, NULL); }
	| CONSECUTIVE DAYS CODED codes { $$ = measure(ps, @$, RT_M_CONSECUTIVE_DAYS, LANG_F_CODED, $4); }
	| longest_run
	| longest_run period
		{ $$ = $1; $$->loc = @$; $$->measure.period = $2.period; $$->measure.weeks = $2.weeks;
		  $$->measure.weeks_loc = $2.loc; }
	| since STAGE NUMBER
		{ $$ = measure(ps, @$, $1, LANG_F_POSSIBLE, NULL);
		  $$->measure.since_stage = whole(ps, $3, @3, "a stage number"); }
	| since name { $$ = measure(ps, @$, $1, LANG_F_POSSIBLE, NULL); $$->measure.since_flag = $2; }
	| since THE NOTICE_TO_IMPROVE
		{ $$ = measure(ps, @$, $1, LANG_F_POSSIBLE, NULL); $$->measure.since_flag = LANG_IMPROVE_NAME; }
	;

longest_run
	: LONGEST RUN OF DAYS ABSENT { $$ = measure(ps, @$, RT_M_LONGEST_RUN, LANG_F_ABSENT, NULL); }
	| LONGEST RUN OF DAYS CODED codes { $$ = measure(ps, @$, RT_M_LONGEST_RUN, LANG_F_CODED, $6); }
	;

since
	: SCHOOL_WEEKS_SINCE { $$ = RT_M_WEEKS_SINCE; }
	| SCHOOL_DAYS_SINCE { $$ = RT_M_DAYS_SINCE; }
	;

measure_expr
	: POSSIBLE SESSIONS { $$ = measure(ps, @$, RT_M_SESSIONS, LANG_F_POSSIBLE, NULL); }
	| PRESENT SESSIONS { $$ = measure(ps, @$, RT_M_SESSIONS, LANG_F_PRESENT, NULL); }
	| ABSENT SESSIONS { $$ = measure(ps, @$, RT_M_SESSIONS, LANG_F_ABSENT, NULL); }
	| AUTHORISED SESSIONS { $$ = measure(ps, @$, RT_M_SESSIONS, LANG_F_AUTHORISED, NULL); }
	| UNAUTHORISED SESSIONS { $$ = measure(ps, @$, RT_M_SESSIONS, LANG_F_UNAUTHORISED, NULL); }
	| PENALTY SESSIONS { $$ = measure(ps, @$, RT_M_SESSIONS, LANG_F_PENALTY, NULL); }
	| SESSIONS CODED codes { $$ = measure(ps, @$, RT_M_SESSIONS, LANG_F_CODED, $3); }
	| POSSIBLE DAYS { $$ = measure(ps, @$, RT_M_DAYS, LANG_F_POSSIBLE, NULL); }
	| PRESENT DAYS { $$ = measure(ps, @$, RT_M_DAYS, LANG_F_PRESENT, NULL); }
	| ABSENT DAYS { $$ = measure(ps, @$, RT_M_DAYS, LANG_F_ABSENT, NULL); }
	| AUTHORISED DAYS { $$ = measure(ps, @$, RT_M_DAYS, LANG_F_AUTHORISED, NULL); }
	| UNAUTHORISED DAYS { $$ = measure(ps, @$, RT_M_DAYS, LANG_F_UNAUTHORISED, NULL); }
	| PENALTY DAYS { $$ = measure(ps, @$, RT_M_DAYS, LANG_F_PENALTY, NULL); }
	| DAYS CODED codes { $$ = measure(ps, @$, RT_M_DAYS, LANG_F_CODED, $3); }
	| ATTENDANCE RATE { $$ = measure(ps, @$, RT_M_RATE, LANG_F_PRESENT, NULL); }
	| ABSENCE RATE { $$ = measure(ps, @$, RT_M_RATE, LANG_F_ABSENT, NULL); }
	| AUTHORISED RATE { $$ = measure(ps, @$, RT_M_RATE, LANG_F_AUTHORISED, NULL); }
	| UNAUTHORISED RATE { $$ = measure(ps, @$, RT_M_RATE, LANG_F_UNAUTHORISED, NULL); }
	| PENALTY RATE { $$ = measure(ps, @$, RT_M_RATE, LANG_F_PENALTY, NULL); }
	| RATE CODED codes { $$ = measure(ps, @$, RT_M_RATE, LANG_F_CODED, $3); }
	;

period
	: THIS YEAR { $$.period = RT_P_YEAR; $$.weeks = 0; $$.loc = @$; $$.stage = 0; $$.flag = NULL; }
	| THIS TERM { $$.period = RT_P_TERM; $$.weeks = 0; $$.loc = @$; $$.stage = 0; $$.flag = NULL; }
	| THIS HALF TERM { $$.period = RT_P_HALF_TERM; $$.weeks = 0; $$.loc = @$; $$.stage = 0; $$.flag = NULL; }
	| THIS SCHOOL_YEAR { $$.period = RT_P_YEAR; $$.weeks = 0; $$.loc = @$; $$.stage = 0; $$.flag = NULL; }
	| IN THE LAST QUANTITY
		{ $$.period = RT_P_SCHOOL_WEEKS; $$.loc = @4; $$.weeks = school_weeks(ps, $4, @4, "in the last"); $$.stage = 0; $$.flag = NULL; }
	| IN ANY QUANTITY OF THIS year_word
		{ $$.period = RT_P_ANY_WEEKS_YEAR; $$.loc = @3; $$.weeks = school_weeks(ps, $3, @3, "in any"); $$.stage = 0; $$.flag = NULL; }
	| IN ANY QUANTITY OF THIS TERM
		{ $$.period = RT_P_ANY_WEEKS_TERM; $$.loc = @3; $$.weeks = school_weeks(ps, $3, @3, "in any"); $$.stage = 0; $$.flag = NULL; }
	| SINCE STAGE NUMBER
		{ $$.period = RT_P_SINCE; $$.loc = @$; $$.weeks = 0; $$.stage = whole(ps, $3, @3, "a stage number");
		  $$.flag = NULL; }
	| SINCE name { $$.period = RT_P_SINCE; $$.loc = @$; $$.weeks = 0; $$.stage = 0; $$.flag = $2; }
	| SINCE THE NOTICE_TO_IMPROVE
		{ $$.period = RT_P_SINCE; $$.loc = @$; $$.weeks = 0; $$.stage = 0; $$.flag = LANG_IMPROVE_NAME; }
	;

at
	: WHEN STAGE NUMBER BEGAN
		{ $$.at = RT_MEASURE_AT_START; $$.stage = whole(ps, $3, @3, "a stage number"); $$.flag = NULL; }
	| WHEN name BEGAN { $$.at = RT_MEASURE_AT_START; $$.stage = 0; $$.flag = $2; }
	| WHEN THE NOTICE_TO_IMPROVE BEGAN { $$.at = RT_MEASURE_AT_START; $$.stage = 0; $$.flag = LANG_IMPROVE_NAME; }
	| LAST SCHOOL_YEAR { $$.at = RT_MEASURE_AT_LAST_YEAR; $$.stage = 0; $$.flag = NULL; }
	| A_YEAR_AGO { $$.at = RT_MEASURE_AT_YEAR_AGO; $$.stage = 0; $$.flag = NULL; }
	;

year_word
	: YEAR
	| SCHOOL_YEAR
	;

codes
	: STRING { $$ = lang_arena_alloc(A, sizeof *$$); $$->text = $1; $$->loc = @1; }
	| codes ',' STRING
		{ struct lang_strlist *s = lang_arena_alloc(A, sizeof *s), *t = $1;
		  s->text = $3; s->loc = @3;
		  while (t->next) t = t->next;
		  t->next = s; $$ = $1; }
	;

%%

static void
lang_yyerror(LANG_YYLTYPE *loc, void *scanner, struct lang_parse *ps, const char *msg)
{
	(void)scanner;
	ps->errors++;
	lang_error(ps->diags, *loc, "%s", msg);
}

/* A token as authors know it: 'when' for keywords, "a date" for the rest. */
static void
describe(yysymbol_kind_t sym, char *buf, size_t size)
{
	const char *name = yysymbol_name(sym);
	size_t len = strlen(name);
	if (len >= 2 && name[0] == '"') {
		name++;
		len -= 2;
	} else if (len == 3 && name[0] == '\'') {
		snprintf(buf, size, "%s", name); /* a character token: '+' */
		return;
	}
	int word = len > 0 && (name[0] != 'a' || (len > 1 && name[1] != ' ')) && strncmp(name, "end of", 6) != 0
	           && strncmp(name, "invalid", 7) != 0;
	if (sym == YYSYMBOL_YYEOF)
		snprintf(buf, size, "end of file");
	else if (word)
		snprintf(buf, size, "'%.*s'", (int)len, name);
	else
		snprintf(buf, size, "%.*s", (int)len, name);
}

static int
yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, struct lang_parse *ps)
{
	(void)scanner;
	enum { MAX_EXPECTED = 6 };
	yysymbol_kind_t expected[MAX_EXPECTED];
	yysymbol_kind_t got = yypcontext_token(ctx);
	ps->errors++;
	if (ps->last_was_lex_error || got == YYSYMBOL_LEXERROR)
		return 0; /* the scanner already said what is wrong here */
	char what[96], msg[512];
	if (got == YYSYMBOL_IDENT)
		snprintf(what, sizeof what, "'%s'", ps->last_text);
	else if (got == YYSYMBOL_STRING)
		snprintf(what, sizeof what, "string \"%s\"", ps->last_text[0] == '"' ? ps->last_text + 1 : ps->last_text);
	else if (got == YYSYMBOL_NUMBER || got == YYSYMBOL_QUANTITY || got == YYSYMBOL_DATE || got == YYSYMBOL_TIME)
		snprintf(what, sizeof what, "'%s'", ps->last_text);
	else
		describe(got, what, sizeof what);
	size_t len = (size_t)snprintf(msg, sizeof msg, "unexpected %s", what);
	if (len > sizeof msg - 1)
		len = sizeof msg - 1;
	/* A string token's text ends with its quote; drop the doubled one. */
	if (got == YYSYMBOL_STRING && len >= 2 && msg[len - 1] == '"' && msg[len - 2] == '"')
		msg[--len] = '\0';
	int n = yypcontext_expected_tokens(ctx, expected, MAX_EXPECTED);
	for (int i = 0; i < n && len < sizeof msg - 1; i++) {
		char tok[64];
		describe(expected[i], tok, sizeof tok);
		len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s", i == 0 ? ", expected " : i == n - 1 ? " or " : ", ", tok);
		if (len > sizeof msg - 1)
			len = sizeof msg - 1;
	}
	lang_error(ps->diags, *yypcontext_location(ctx), "%s", msg);
	return 0;
}

static void
add_decl(struct lang_parse *ps, struct lang_decl *d)
{
	*ps->tail = d;
	ps->tail = &d->next;
}

static struct lang_item *
append_item(struct lang_item *list, struct lang_item *it)
{
	if (!it)
		return list;
	if (!list)
		return it;
	struct lang_item *t = list;
	while (t->next)
		t = t->next;
	t->next = it;
	return list;
}

static struct lang_expr *
binary(struct lang_parse *ps, enum lang_expr_kind kind, LANG_YYLTYPE loc, struct lang_expr *l, struct lang_expr *r)
{
	struct lang_expr *e = lang_expr_new(ps->arena, kind, loc);
	e->lhs = l;
	e->rhs = r;
	int dl = l ? l->depth : 0, dr = r ? r->depth : 0;
	e->depth = 1 + (dl > dr ? dl : dr);
	if (e->depth > LANG_MAX_EXPR_DEPTH) {
		/* Report once, where the limit is crossed, and keep a leaf so nothing deeper is built. */
		if (dl <= LANG_MAX_EXPR_DEPTH && dr <= LANG_MAX_EXPR_DEPTH) {
			lang_error(ps->diags, loc, "this condition is too long or too deeply nested (more than %d "
			           "operators); split it into named flags", LANG_MAX_EXPR_DEPTH);
			ps->errors++;
		}
		e->lhs = e->rhs = NULL;
		e->kind = LANG_E_VALUE;
		e->value = (struct rt_value){ 0, 1, RT_UNIT_BOOL };
		e->depth = LANG_MAX_EXPR_DEPTH + 1;
	}
	return e;
}

static struct lang_expr *
compare(struct lang_parse *ps, int op, LANG_YYLTYPE loc, struct lang_expr *l, struct lang_expr *r)
{
	struct lang_expr *e = binary(ps, LANG_E_CMP, loc, l, r);
	e->op = op;
	return e;
}

static struct lang_expr *
measure(struct lang_parse *ps, LANG_YYLTYPE loc, int kind, int filter, struct lang_strlist *codes)
{
	struct lang_expr *e = lang_expr_new(ps->arena, LANG_E_MEASURE, loc);
	e->measure.kind = (uint8_t)kind;
	e->measure.filter = (uint8_t)filter;
	e->measure.period = RT_P_YEAR;
	e->measure.codes = codes;
	return e;
}

/* The N of "in the last N school weeks" / "in any N school weeks": 1 to 520. */
static int64_t
school_weeks(struct lang_parse *ps, struct rt_value v, LANG_YYLTYPE loc, const char *phrase)
{
	if (v.unit != RT_UNIT_SCHOOL_WEEKS || v.den != 1 || v.num < 1 || v.num > 520) {
		lang_error(ps->diags, loc, "expected a whole number of school weeks (1 to 520), as in '%s 10 school weeks'",
		           phrase);
		return 1;
	}
	return v.num;
}

static int64_t
whole(struct lang_parse *ps, struct rt_value v, LANG_YYLTYPE loc, const char *what)
{
	if (v.den != 1 || v.num > 1000000) {
		lang_error(ps->diags, loc, "%s must be a whole number", what);
		ps->errors++;
		return 0;
	}
	return v.num;
}
