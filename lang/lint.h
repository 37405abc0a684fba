/*
 * attend lint: warnings on a policy that compiles (docs/lint.md). Each has a
 * stable kebab-case name; a comment "# attend: allow NAME[, NAME...]" on the
 * line itself or alone on the line before silences it there.
 */
#ifndef LANG_LINT_H
#define LANG_LINT_H

#include <stddef.h>

#include "context.h"

/* Adds the warnings about the main file of a checked compilation (no errors)
 * to ctx->diags, as of ctx->report->as_of. */
void lang_lint(struct lang_ctx *ctx);

/* The warning names, in the order of docs/lint.md: the i-th, or NULL past the last. */
const char *lang_lint_rule(size_t i);

#endif
