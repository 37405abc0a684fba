#include "diag.h"
#include "runtime/base/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/findings.h"
#include "runtime/base/memory.h"

#define COLOR_BOLD  "\033[1m"
#define COLOR_RED   "\033[1;31m"
#define COLOR_MAG   "\033[1;35m"
#define COLOR_CYAN  "\033[1;36m"
#define COLOR_GREEN "\033[1;32m"
#define COLOR_RESET "\033[0m"

void
lang_diags_init(struct lang_diags *d, int max_errors)
{
	memset(d, 0, sizeof *d);
	d->max_errors = max_errors > 0 ? max_errors : 50;
}

void
lang_diags_free(struct lang_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->items[i].message);
	free(d->items);
	memset(d, 0, sizeof *d);
}

static void
add(struct lang_diags *d, enum lang_severity sev, const char *rule, struct lang_loc loc, const char *fmt,
    va_list ap)
{
	if (sev == LANG_SEV_ERROR) {
		d->dropping = d->nerrors >= d->max_errors;
		d->nerrors++;
	} else if (sev == LANG_SEV_WARNING) {
		d->dropping = d->nerrors >= d->max_errors;
	}
	if (d->dropping)
		return;
	char *msg;
	if (vasprintf(&msg, fmt, ap) < 0)
		base_out_of_memory();
	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 16;
		d->items = base_xrealloc(d->items, ncap * sizeof *d->items);
		d->cap = ncap;
	}
	if (!rule)
		rule = sev == LANG_SEV_NOTE ? (d->n ? d->items[d->n - 1].rule : "note") : lang_diag_rule(msg);
	d->items[d->n++] = (struct lang_diag){ sev, loc, msg, rule };
}

void
lang_report(struct lang_diags *d, enum lang_severity sev, const char *rule, struct lang_loc loc, const char *fmt,
            ...)
{
	va_list ap;
	va_start(ap, fmt);
	add(d, sev, rule, loc, fmt, ap);
	va_end(ap);
}

/* Message families, most specific first. Deriving the name here keeps the
 * call sites as they are; a new message family needs a row here (and in
 * docs/formats.md). */
static const struct {
	const char *fragment;
	const char *rule;
} rule_of_message[] = {
	{ "unexpected character", "lexical" },
	{ "unexpected byte", "lexical" },
	{ "unexpected ", "syntax" },
	{ "memory exhausted", "syntax" },
	{ "syntax error", "syntax" },
	{ "cannot find the policy", "builds-on" },
	{ "builds on itself", "builds-on" },
	{ "builds on one other policy", "builds-on" },
	{ "'builds on' must be", "builds-on" },
	{ "cannot read", "io" },
	{ "duplicate ", "duplicate" },
	{ " replaces nothing", "replaces-nothing" },
	{ "unknown name", "unknown-name" },
	{ "is a letter, not a value", "unknown-name" },
	{ "unknown placeholder", "unknown-placeholder" },
	{ "' without a closing '}'", "unknown-placeholder" },
	{ "unknown code", "unknown-code" },
	{ "letterhead", "letterhead" },
	{ "unknown letter", "letter" },
	{ "which is itself a sub-code", "invalid-code" },
	{ "takes its penalty-notice rule", "invalid-code" },
	{ "a code is 1 to 4", "invalid-code" },
	{ "this condition is too long", "limit" },
	{ "is in use from a date after", "invalid-code" },
	{ "defined in terms of itself", "cyclic-definition" },
	{ "is a rule: named values", "rule-order" },
	{ "a condition may refer only to rules declared before", "rule-order" },
	{ "there is no stage", "unknown-stage" },
	{ "cannot compare a condition", "not-a-condition" },
	{ "needs a condition", "not-a-condition" },
	{ "not a condition", "not-a-condition" },
	{ "cannot compare", "unit-mismatch" },
	{ "cannot add", "unit-mismatch" },
	{ "cannot subtract", "unit-mismatch" },
	{ "must be a whole number", "bad-value" },
	{ "expected a whole number", "bad-value" },
	{ "must be in ", "unit-mismatch" },
	{ "a notice period is in", "unit-mismatch" },
	{ "schedule values must be", "unit-mismatch" },
	{ " mixes ", "unit-mismatch" },
	{ "session ", "register" },
	{ "arrival rules for", "register" },
	{ "half term", "schedule" },
	{ "a schedule holds", "schedule" },
	{ "has a second text", "letter" },
	{ "has no text", "letter" },
	{ "sends one letter", "letter" },
	{ "has a second '", "rule-shape" },
	{ "' condition", "rule-shape" },
	{ "fine", "penalty-notice" },
	{ "a second 'at most'", "penalty-notice" },
	{ "a second 'unpaid after'", "penalty-notice" },
	{ "the number of notices", "penalty-notice" },
	{ "stages must be numbered", "stage-order" },
	{ "too many", "limit" },
};

const char *
lang_diag_rule(const char *message)
{
	for (size_t i = 0; i < sizeof rule_of_message / sizeof rule_of_message[0]; i++)
		if (strstr(message, rule_of_message[i].fragment))
			return rule_of_message[i].rule;
	return "error";
}

void
lang_error(struct lang_diags *d, struct lang_loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add(d, LANG_SEV_ERROR, NULL, loc, fmt, ap);
	va_end(ap);
}

void
lang_warning(struct lang_diags *d, struct lang_loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add(d, LANG_SEV_WARNING, NULL, loc, fmt, ap);
	va_end(ap);
}

void
lang_note(struct lang_diags *d, struct lang_loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add(d, LANG_SEV_NOTE, NULL, loc, fmt, ap);
	va_end(ap);
}

int
lang_diags_full(const struct lang_diags *d)
{
	return d->nerrors >= d->max_errors;
}

/* The text of line `line` (1-based) of src, without its newline. */
static const char *
find_line(const struct lang_source *src, int line, size_t *len)
{
	return line < 1 ? NULL : base_text_line(src->text, src->len, (unsigned)line, len);
}

/* Prints the source line and a caret line under [first_column, last_column);
 * a span over several lines is underlined to the end of its first. */
static void
print_excerpt(const struct lang_loc *loc, FILE *out, int color)
{
	size_t len;
	const char *line = loc->src && loc->src->text ? find_line(loc->src, loc->first_line, &len) : NULL;
	if (!line)
		return;
	int single = loc->last_line == loc->first_line;
	base_findings_excerpt(out, line, len, (unsigned)loc->first_column,
	                    single ? (unsigned)(loc->last_column > 0 ? loc->last_column : 1) : 0, color);
}

void
lang_diags_print(const struct lang_diags *d, FILE *out, int color)
{
	static const char *const label[] = { "error", "warning", "note" };
	static const char *const tint[] = { COLOR_RED, COLOR_MAG, COLOR_CYAN };
	for (size_t i = 0; i < d->n; i++) {
		const struct lang_diag *g = &d->items[i];
		const char *name = g->loc.src ? g->loc.src->name : "<input>";
		if (g->loc.first_line == 0) {
			/* No position: a whole file could not be read. */
			fprintf(out, "%s: %s: %s\n", name, label[g->severity], g->message);
			continue;
		}
		if (color)
			fprintf(out, COLOR_BOLD "%s:%d:%d: " COLOR_RESET "%s%s:" COLOR_RESET " " COLOR_BOLD "%s" COLOR_RESET "\n",
			        name, g->loc.first_line, g->loc.first_column, tint[g->severity], label[g->severity],
			        g->message);
		else
			fprintf(out, "%s:%d:%d: %s: %s\n", name, g->loc.first_line, g->loc.first_column,
			        label[g->severity], g->message);
		print_excerpt(&g->loc, out, color);
	}
	if (d->nerrors > d->max_errors)
		fprintf(out, "too many errors (%d); stopped after the first %d\n", d->nerrors, d->max_errors);
}

/* Characters (not bytes) on line `line` of src, for a span that runs past it. */
static int
line_chars(const struct lang_source *src, int line)
{
	size_t len;
	const char *p = src && src->text ? find_line(src, line, &len) : NULL;
	int n = 0;
	for (size_t i = 0; p && i < len; i++)
		if (((unsigned char)p[i] & 0xC0) != 0x80)
			n++;
	return n;
}

void
lang_diags_to_findings(const struct lang_diags *d, struct base_findings *out)
{
	static const enum base_finding_level level[] = { BASE_FINDING_ERROR, BASE_FINDING_WARNING, BASE_FINDING_NOTE };
	for (size_t i = 0; i < d->n; i++) {
		const struct lang_diag *g = &d->items[i];
		const char *name = g->loc.src ? g->loc.src->name : NULL;
		unsigned line = g->loc.first_line > 0 ? (unsigned)g->loc.first_line : 0;
		unsigned col = line && g->loc.first_column > 0 ? (unsigned)g->loc.first_column : 0;
		unsigned end = 0;
		if (col && g->loc.last_line == g->loc.first_line && g->loc.last_column > g->loc.first_column)
			end = (unsigned)g->loc.last_column - 1;
		else if (col && g->loc.last_line > g->loc.first_line)
			end = (unsigned)line_chars(g->loc.src, g->loc.first_line);
		if (end && end < col)
			end = col;
		base_findings_add(out, name, line, col, end, level[g->severity], g->rule, g->message);
	}
	if (d->nerrors > d->max_errors) {
		char msg[96];
		snprintf(msg, sizeof msg, "too many errors (%d); stopped after the first %d", d->nerrors,
		         d->max_errors);
		base_findings_add(out, NULL, 0, 0, 0, BASE_FINDING_NOTE, "limit", msg);
	}
}
