/* Small text helpers shared by the report writers, the findings and the diagnostics. */
#ifndef RT_TEXT_H
#define RT_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Writes s as a JSON string literal, quotes included. */
void rt_json_string(FILE *out, const char *s);

/* The text of line `line` (1-based) of text[0..size), without its line ending; NULL past the end. */
const char *rt_text_line(const char *text, size_t size, unsigned line, size_t *len);

#endif
