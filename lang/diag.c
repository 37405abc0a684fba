#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
add(struct lang_diags *d, enum lang_severity sev, struct lang_loc loc, const char *fmt, va_list ap)
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
	if (vasprintf(&msg, fmt, ap) < 0) {
		fputs("attend: out of memory\n", stderr);
		abort();
	}
	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 16;
		struct lang_diag *n = realloc(d->items, ncap * sizeof *n);
		if (!n) {
			fputs("attend: out of memory\n", stderr);
			abort();
		}
		d->items = n;
		d->cap = ncap;
	}
	d->items[d->n++] = (struct lang_diag){ sev, loc, msg };
}

void
lang_error(struct lang_diags *d, struct lang_loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add(d, LANG_SEV_ERROR, loc, fmt, ap);
	va_end(ap);
}

void
lang_warning(struct lang_diags *d, struct lang_loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add(d, LANG_SEV_WARNING, loc, fmt, ap);
	va_end(ap);
}

void
lang_note(struct lang_diags *d, struct lang_loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add(d, LANG_SEV_NOTE, loc, fmt, ap);
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
	const char *p = src->text, *end = src->text + src->len;
	for (int l = 1; l < line && p < end; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return NULL;
		p = nl + 1;
	}
	if (p >= end && line > 1)
		return NULL;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	*len = (size_t)((nl ? nl : end) - p);
	if (*len && p[*len - 1] == '\r')
		(*len)--;
	return p;
}

static int
is_continuation(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

/* Prints the source line and a caret line under [first_column, last_column),
 * copying tabs so that the carets line up whatever the tab width. */
static void
print_excerpt(const struct lang_loc *loc, FILE *out, int color)
{
	size_t len;
	const char *line = loc->src && loc->src->text ? find_line(loc->src, loc->first_line, &len) : NULL;
	if (!line)
		return;
	for (size_t i = 0; i < len; i++)
		fputc(line[i] == '\0' ? ' ' : line[i], out);
	fputc('\n', out);
	int col = 1, last = loc->last_line == loc->first_line ? loc->last_column : col;
	size_t i = 0;
	for (; i < len && col < loc->first_column; i++) {
		if (is_continuation((unsigned char)line[i]))
			continue;
		fputc(line[i] == '\t' ? '\t' : ' ', out);
		col++;
	}
	if (loc->last_line != loc->first_line) {
		/* A span over several lines: underline to the end of the first. */
		last = col;
		for (size_t j = i; j < len; j++)
			if (!is_continuation((unsigned char)line[j]))
				last++;
	}
	if (color)
		fputs(COLOR_GREEN, out);
	fputc('^', out);
	for (int c = col + 1; c < last; c++)
		fputc('~', out);
	if (color)
		fputs(COLOR_RESET, out);
	fputc('\n', out);
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
