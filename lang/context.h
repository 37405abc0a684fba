/*
 * One compilation: the arena, the diagnostics, the files loaded (the policy
 * and those it builds on) and, after checking, the merged declarations that
 * code generation reads.
 */
#ifndef LANG_CONTEXT_H
#define LANG_CONTEXT_H

#include <stddef.h>

#include "ast.h"
#include "diag.h"
#include "lang.h"

struct lang_arena;

struct lang_file {
	struct lang_source src;
	const char *dir;             /* folder for relative `builds on`, "." when none */
	const char *real;            /* canonical path for cycle detection, or NULL (in memory) */
	struct lang_decl *decls;     /* in source order */
	struct lang_file *base;      /* what it builds on, or NULL */
	int loading;                 /* on the `builds on` chain being loaded */
	struct lang_file *next;      /* all files of the compilation */
};

struct lang_ctx {
	struct lang_arena *arena;
	const struct lang_options *opt;
	const struct lang_report_options *report; /* NULL when the caller gave none */
	struct lang_diags diags;
	struct lang_file *files;
	struct lang_file *main;
	/* filled by lang_check: the policy with its bases merged, bases first */
	struct lang_decl **decls;
	size_t ndecls;
	size_t *index;               /* decl_index.c: open addressing, decls index + 1, 0 when empty */
	size_t index_cap;
};

/* Merges the main file with what it builds on and checks names, units and
 * order. Returns the number of errors it reported. */
int lang_check(struct lang_ctx *ctx);

/* Builds the program from checked declarations. Never fails on a program
 * that passed lang_check. */
struct rt_program *lang_codegen(struct lang_ctx *ctx);

/* The declaration a name refers to among the merged declarations, or NULL
 * (decl_index.c: constant time). lang_find_decl takes a flag, code, letter or
 * leave notice. */
struct lang_decl *lang_find_value(const struct lang_ctx *ctx, const char *name);
struct lang_decl *lang_find_decl(const struct lang_ctx *ctx, enum lang_decl_kind kind, const char *name);

/* In a register block: the `session ... for years ...` line with the session and years of `like`,
 * written before `upto` (NULL: anywhere), or NULL (check.c). */
const struct lang_item *lang_group_session(const struct lang_decl *d, const struct lang_item *like,
                                           const struct lang_item *upto);
struct lang_decl *lang_find_stage(const struct lang_ctx *ctx, int64_t n);

/* The index behind them, filled while merging: room for `total` declarations;
 * the position in decls of a declaration with d's key, or -1; add decls[i]. */
void lang_decl_index_init(struct lang_ctx *ctx, size_t total);
long lang_decl_index_find(const struct lang_ctx *ctx, const struct lang_decl *d);
void lang_decl_index_add(struct lang_ctx *ctx, size_t i);

/* The placeholders every letter may use besides measures and named values. */
int lang_builtin_placeholder(const char *name);

#endif
