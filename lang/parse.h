/*
 * State shared by the scanner (lexer.l) and the parser (parser.y) for one
 * source text. No globals: flex gets this as its extra data, bison as its
 * parse parameter.
 */
#ifndef LANG_PARSE_H
#define LANG_PARSE_H

#include <stddef.h>

#include "ast.h"
#include "diag.h"

struct lang_arena;

/* Brackets and 'not's open at once in a condition (each waits on the parser's stack). */
#define LANG_MAX_NESTING 100

enum lang_parse_mode {
	LANG_PARSE_FILE,       /* a whole policy file */
	LANG_PARSE_EXPR        /* one expression: a letter placeholder such as {attendance rate} */
};

struct lang_parse {
	struct lang_arena *arena;
	struct lang_diags *diags;
	const struct lang_source *src;
	enum lang_parse_mode mode;
	/* results */
	struct lang_decl *decls, **tail;
	struct lang_expr *expr;        /* LANG_PARSE_EXPR */
	int errors;                    /* syntax and lexical errors in this text */
	/* scanner state */
	int start_sent;
	int line, column;              /* position of the next character */
	int after_newline;             /* suppress NEWLINE for blank lines */
	int brackets;                  /* open '(' in this statement: a line break inside is a space */
	int wrapped;                   /* such a line break came just before this token */
	struct lang_loc wrap_loc;      /* where that line break was */
	int eof_newline_sent;
	int nots_on_line;              /* 'not's in this statement (with brackets: bounded nesting) */
	int too_deep;                  /* nesting reported in this statement */
	int last_was_lex_error;        /* the lexer reported this token: no syntax error on top */
	char last_text[48];            /* the last token's text, for "unexpected ..." */
	char *block;                   /* """ text being collected */
	size_t block_len, block_cap;
	struct lang_loc block_loc;
};

/* Parses ps->src. Appends declarations to ps->decls (or sets ps->expr).
 * Returns the number of errors. */
int lang_parse_run(struct lang_parse *ps);

/* Parses the text of a letter placeholder ("attendance rate") as an
 * expression, quietly; NULL when it is not one. */
struct lang_expr *lang_parse_placeholder(struct lang_arena *arena, const char *text, size_t len);

/* Reports a lexical error and remembers that the parser should not add a
 * generic syntax error for the same token. */
void lang_lex_error(struct lang_parse *ps, struct lang_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
