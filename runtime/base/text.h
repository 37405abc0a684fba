/* Small text helpers shared by the report writers, the findings and the diagnostics. */
#ifndef BASE_TEXT_H
#define BASE_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Writes s as a JSON string literal, quotes included. */
void base_json_string(FILE *out, const char *s);

/* Writes s as one CSV text field: quoted (with "" for a quote) when it holds a comma, quote or line
 * break; an apostrophe first when it starts with = + - @, tab or CR (a spreadsheet formula). */
void base_csv_field(FILE *out, const char *s);

/* Writes s[0..len) as HTML text, escaping & < > " and '. */
void base_html_text(FILE *out, const char *s, size_t len);

/* The text of line `line` (1-based) of text[0..size), without its line ending; NULL past the end. */
const char *base_text_line(const char *text, size_t size, unsigned line, size_t *len);

/* Reads a whole file into a malloc'd buffer with a NUL after the last byte.
 * NULL with errno set on failure; EFBIG when it is longer than `max` bytes
 * (0: no limit). The path "-" is standard input. */
char *base_read_file(const char *path, size_t max, size_t *len);

#endif
