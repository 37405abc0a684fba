/*
 * A buffered writer for machine output (CSV, JSON lines): text is formatted
 * straight into a buffer, without printf, and handed to the stream in large
 * writes. Write errors show on the stream (ferror) after base_out_flush.
 */
#ifndef BASE_OUT_H
#define BASE_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BASE_OUT_SIZE 32768

struct base_out {
	FILE *f;
	size_t len;
	unsigned long flushes;  /* times buf was emptied: text written since len was n is buf[n..len) if unchanged */
	char buf[BASE_OUT_SIZE];
};

void base_out_init(struct base_out *o, FILE *f);
void base_out_flush(struct base_out *o);
void base_out_mem(struct base_out *o, const char *s, size_t n);
void base_out_str(struct base_out *o, const char *s);
void base_out_char(struct base_out *o, char c);
void base_out_int(struct base_out *o, int64_t v);
/* s as one CSV text field: quoted, with quotes doubled, when it holds a comma, quote or line break;
 * an apostrophe first when it starts with = + - @, tab or CR (a spreadsheet formula). */
void base_out_csv(struct base_out *o, const char *s);
/* s as a JSON string literal, quotes included; a byte that begins no well-formed UTF-8 sequence becomes \ufffd. */
void base_out_json(struct base_out *o, const char *s);

/* num/den rounded half away from zero to `places` decimals, trailing zeros
 * dropped ("92.1", "100"); into buf (at least 48 bytes), NUL-terminated.
 * Returns the length. */
size_t base_format_decimal(int64_t num, int64_t den, int places, char *buf);

#endif
