/*
 * attend fmt: one canonical layout for policy files (docs/lint.md, "fmt").
 *
 * The formatter works on tokens, not on the syntax tree, so it reprints every
 * token and every comment of the input whatever the grammar grows: it cannot
 * drop text it does not understand. The parser is used only to find where
 * each declaration starts (and to refuse a file that does not parse); a block
 * is a declaration whose last line is a lone `end`.
 */
#ifndef LANG_FORMAT_H
#define LANG_FORMAT_H

#include <stddef.h>
#include <stdio.h>

struct base_findings;

/*
 * Formats `text`. On success returns 0 and sets *out (malloc'd, NUL-terminated)
 * and *out_len. Returns -1 when the text does not parse or has a layout the
 * formatter does not know; the reasons are added to `problems` (may be NULL)
 * as findings against `name`.
 */
int lang_format(const char *name, const char *text, size_t len, char **out, size_t *out_len,
                struct base_findings *problems);

/*
 * `text` is not in the layout `formatted` (lang_format's output): adds one
 * "not-formatted" error to `findings` against `name`, at the first line that
 * differs, quoting what that line should read.
 */
void lang_format_finding(const char *name, const char *text, size_t len, const char *formatted, size_t formatted_len,
                         struct base_findings *findings);

/* A `#` comment of a policy text (not inside a string or text block). */
struct lang_comment {
	int line;          /* 1-based */
	int own_line;      /* nothing but the comment on its line */
	const char *text;  /* from the '#', without the newline */
	size_t len;
};

/* Every comment of a text, in order; *out is malloc'd (free it). */
size_t lang_comments(const char *text, size_t len, struct lang_comment **out);

/*
 * A unified diff of two texts, line by line (longest common subsequence),
 * with 3 lines of context, headed by "--- a_name" and "+++ b_name". Writes
 * nothing when they are equal. Returns the number of changed lines.
 */
size_t lang_diff(const char *a_name, const char *a, size_t alen, const char *b_name, const char *b, size_t blen,
                 FILE *out);

#endif
