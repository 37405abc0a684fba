/*
 * Diagnostics: queued while compiling, printed once at the end as
 *   file:line:col: error: message
 *   <the source line>
 *   <caret line: ^~~~ under the span>
 * in the manner of nftables' error records.
 */
#ifndef LANG_DIAG_H
#define LANG_DIAG_H

#include <stddef.h>
#include <stdio.h>

/* A loaded policy text; locations point into it. */
struct lang_source {
	const char *name;  /* as given: the path, or the name passed to lang_compile_string */
	const char *text;
	size_t len;
};

/* Lines and columns count from 1; columns count characters, not bytes;
 * last_column is one past the span's last character. */
struct lang_loc {
	const struct lang_source *src;
	int first_line, first_column;
	int last_line, last_column;
};

enum lang_severity { LANG_SEV_ERROR, LANG_SEV_WARNING, LANG_SEV_NOTE };

struct lang_diag {
	enum lang_severity severity;
	struct lang_loc loc;
	char *message;
	const char *rule;  /* stable kebab-case name ("syntax", "unknown-name"; lang_diag_rule) */
};

struct lang_diags {
	struct lang_diag *items;
	size_t n, cap;
	int nerrors;       /* errors reported, including those past the cap */
	int max_errors;
	int dropping;      /* the last error was past the cap: drop its notes too */
};

void lang_diags_init(struct lang_diags *d, int max_errors);
void lang_diags_free(struct lang_diags *d);

void lang_error(struct lang_diags *d, struct lang_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void lang_warning(struct lang_diags *d, struct lang_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A note belongs to the error or warning reported just before it. */
void lang_note(struct lang_diags *d, struct lang_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* True once max_errors errors have been reported: stop compiling. */
int lang_diags_full(const struct lang_diags *d);

void lang_diags_print(const struct lang_diags *d, FILE *out, int color);

/* Reports with an explicit stable rule name (a static string); lang_error and
 * lang_warning derive it from the message (lang_diag_rule), notes take the
 * rule of the diagnostic they belong to. */
void lang_report(struct lang_diags *d, enum lang_severity sev, const char *rule, struct lang_loc loc,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The stable rule name of a compiler error message: each message family the
 * compiler emits maps to one name (docs/formats.md); "error" when none does. */
const char *lang_diag_rule(const char *message);

struct base_findings;
/* Appends every diagnostic as a finding (end_column inclusive, spans over
 * several lines end at the end of their first line). */
void lang_diags_to_findings(const struct lang_diags *d, struct base_findings *out);

#endif
