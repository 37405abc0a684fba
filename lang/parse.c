#include "parse.h"

#include <stdarg.h>
#include <stdlib.h>

#include "lang/arena.h"
#include "runtime/base/memory.h"
#include "lang/parser.h"
#include "lang/lexer.h"

int
lang_parse_run(struct lang_parse *ps)
{
	yyscan_t scanner;
	if (lang_yylex_init_extra(ps, &scanner) != 0)
		base_out_of_memory();
	ps->tail = &ps->decls;
	ps->line = ps->column = 1;
	ps->after_newline = 1;
	YY_BUFFER_STATE buf = lang_yy_scan_bytes(ps->src->text, (int)ps->src->len, scanner);
	if (lang_yyparse(scanner, ps) != 0 && ps->errors == 0)
		ps->errors++; /* stopped at the error limit */
	lang_yy_delete_buffer(buf, scanner);
	lang_yylex_destroy(scanner);
	free(ps->block);
	ps->block = NULL;
	ps->block_len = ps->block_cap = 0;
	return ps->errors;
}

void
lang_lex_error(struct lang_parse *ps, struct lang_loc loc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ps->errors++;
	ps->last_was_lex_error = 1;
	lang_report(ps->diags, LANG_SEV_ERROR, "lexical", loc, "%s", msg);
}

struct lang_expr *
lang_parse_placeholder(struct lang_arena *arena, const char *text, size_t len)
{
	struct lang_diags quiet;
	lang_diags_init(&quiet, 1);
	struct lang_source *src = lang_arena_alloc(arena, sizeof *src);
	*src = (struct lang_source){ "placeholder", lang_arena_strndup(arena, text, len), len };
	struct lang_parse ps = { .arena = arena, .diags = &quiet, .src = src, .mode = LANG_PARSE_EXPR };
	int errors = lang_parse_run(&ps);
	lang_diags_free(&quiet);
	return errors ? NULL : ps.expr;
}
