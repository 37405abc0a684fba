/*
 * The policy compiler: .policy source -> struct rt_program.
 * No global state: each call owns an arena that lives for one compilation.
 */
#ifndef LANG_H
#define LANG_H

#include <stddef.h>
#include <stdio.h>

#include "../runtime/program.h"

struct lang_options {
	const char *const *include_dirs; /* where `builds on "NAME"` looks for NAME.policy, after
	                                    the importing file's own folder */
	size_t ninclude;
	FILE *diag;                      /* where diagnostics go (stderr in the CLI) */
	int color;                       /* colour diagnostics (only on a terminal) */
	int max_errors;                  /* stop after this many errors; 0 means 50 */
};

/*
 * Compiles the policy in `path` and whatever it builds on. Diagnostics are
 * printed as "file:line:col: error: message", the source line and a caret.
 * Returns the number of errors; on 0, *out holds the program (the caller runs
 * rt_verify() on it before use, as on any loaded program).
 */
int lang_compile_file(const char *path, const struct lang_options *opt, struct rt_program **out);

/* The same, from memory (`name` is used in diagnostics and for relative imports). */
int lang_compile_string(const char *name, const char *text, size_t len, const struct lang_options *opt,
                        struct rt_program **out);

#endif
