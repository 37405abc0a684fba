/*
 * A small CSV reader for register imports (RFC 4180 plus what school
 * systems export): quoted fields with "" escapes and embedded newlines,
 * CRLF or LF, a UTF-8 byte order mark, a missing final newline, blank lines
 * (skipped). Unquoted fields are trimmed of spaces and tabs. It reads the
 * file in large blocks and hands out fields in place, NUL-terminated.
 */
#ifndef REG_CSV_H
#define REG_CSV_H

#include <stddef.h>
#include <stdio.h>

#define REG_CSV_MAX_FIELDS 800         /* a wide register grid: a year of dates by session */
#define REG_CSV_MAX_RECORD (1 << 20) /* bytes in one record, quoted line breaks included */

struct reg_csv_field {
	char *s;                  /* NUL-terminated, valid until the next reg_csv_next */
	size_t len;
	size_t column;            /* 1-based byte column of s[0] in its line (for messages) */
};

struct reg_csv {
	FILE *fp;
	char *buf;
	size_t cap, start, end;   /* unread bytes are buf[start..end) */
	int eof;
	long line;                /* line on which the current record starts */
	long next_line;
	size_t nfields;           /* fields in the record (may exceed REG_CSV_MAX_FIELDS) */
	struct reg_csv_field field[REG_CSV_MAX_FIELDS];
	char error[128];          /* why reg_csv_next returned -1 */
	void *iconv;              /* an iconv_t converting to UTF-8 as read; NULL for UTF-8 files */
	char *raw;                /* the bytes read before conversion */
};

/* 0, or -1 with errno set. */
int reg_csv_open(struct reg_csv *csv, const char *path);
/* 1: a record; 0: end of file; -1: a malformed record (skipped; csv->error
 * says why and csv->line where); -2: a read error or out of memory (errno). */
int reg_csv_next(struct reg_csv *csv);
void reg_csv_close(struct reg_csv *csv);
/* Converts the file from `encoding` to UTF-8 as it is read (before the
 * first reg_csv_next). "windows-1252" (also "cp1252"), "latin-1" (also
 * "iso-8859-1") or "utf-8". 0, or -1 for an encoding it does not know. */
int reg_csv_set_encoding(struct reg_csv *csv, const char *encoding);

#endif
