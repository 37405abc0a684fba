/*
 * The policy compiler: .policy source -> struct rt_program.
 * No global state: each call owns an arena that lives for one compilation.
 */
#ifndef LANG_H
#define LANG_H

#include <stddef.h>
#include <stdio.h>

#include "runtime/machine/program.h"

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

struct base_findings;

/* For check, lint and fmt: diagnostics as findings, and the lint checks. */
struct lang_report_options {
	struct base_findings *findings; /* diagnostics are added here instead of printed (each with its
	                                 stable rule name); NULL prints them as lang_compile_file does */
	int lint;                     /* after a clean check, add the warnings of docs/lint.md */
	rt_date as_of;                /* the date review-date-passed compares with */
};

/* lang_compile_file and lang_compile_string with report options (rep may be NULL). */
int lang_compile_file_report(const char *path, const struct lang_options *opt, const struct lang_report_options *rep,
                             struct rt_program **out);
int lang_compile_string_report(const char *name, const char *text, size_t len, const struct lang_options *opt,
                               const struct lang_report_options *rep, struct rt_program **out);

/* The measure written as `phrase` ("possible sessions", "unauthorised sessions this term", any
 * measure phrase of docs/language.md except the "since" ones), added to p when p has no measure
 * labelled so: for `expect measure` in policy tests. Its index, or -1 when the phrase is not a
 * measure or names a code p does not declare. */
int lang_measure_add(struct rt_program *p, const char *phrase);

/* Where `builds on "NAME"` in a policy in folder `dir` finds NAME.policy: that
 * folder, then opt->include_dirs. A malloc'd path, or NULL when there is none. */
char *lang_find_policy(const char *name, const char *dir, const struct lang_options *opt);

#endif
