#include "runtime/register/store_csv.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BLOCK (4u << 20)

int
reg_csv_open(struct reg_csv *csv, const char *path)
{
	memset(csv, 0, sizeof *csv);
	csv->next_line = 1;
	csv->fp = fopen(path, "rb");
	if (!csv->fp)
		return -1;
	csv->cap = BLOCK;
	csv->buf = malloc(csv->cap);
	if (!csv->buf) {
		fclose(csv->fp);
		csv->fp = NULL;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
reg_csv_close(struct reg_csv *csv)
{
	if (csv->fp)
		fclose(csv->fp);
	if (csv->iconv)
		iconv_close((iconv_t)csv->iconv);
	free(csv->buf);
	free(csv->raw);
	csv->fp = NULL;
	csv->buf = NULL;
	csv->raw = NULL;
	csv->iconv = NULL;
}

int
reg_csv_set_encoding(struct reg_csv *csv, const char *encoding)
{
	static const char *const names[][2] = {
		{ "windows-1252", "WINDOWS-1252" }, { "cp1252", "WINDOWS-1252" },
		{ "latin-1", "ISO-8859-1" }, { "latin1", "ISO-8859-1" }, { "iso-8859-1", "ISO-8859-1" },
		{ "utf-8", NULL }, { "utf8", NULL },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcasecmp(encoding, names[i][0]) != 0)
			continue;
		if (!names[i][1])
			return 0;
		iconv_t cd = iconv_open("UTF-8", names[i][1]);
		if (cd == (iconv_t)-1)
			return -1;
		csv->raw = malloc(BLOCK / 4);
		if (!csv->raw) {
			iconv_close(cd);
			return -1;
		}
		csv->iconv = (void *)cd;
		return 0;
	}
	return -1;
}

/* Reads up to `room` bytes of UTF-8 converted from the file's encoding. A
 * single-byte encoding needs at most 3 output bytes per input byte; a byte
 * the encoding leaves undefined (0x81 in windows-1252) becomes '?'. */
static size_t
read_converted(struct reg_csv *csv, char *out, size_t room)
{
	size_t want = room / 3 < BLOCK / 4 ? room / 3 : BLOCK / 4;
	size_t got = fread(csv->raw, 1, want, csv->fp);
	char *in = csv->raw, *o = out;
	size_t inleft = got, outleft = room;
	while (inleft > 0) {
		if (iconv((iconv_t)csv->iconv, &in, &inleft, &o, &outleft) != (size_t)-1)
			break;
		if (errno != EILSEQ && errno != EINVAL)
			break;
		*o++ = '?';
		outleft--;
		in++;
		inleft--;
	}
	return (size_t)(o - out);
}

/* Moves the unread bytes to the front and reads more; 0, or -2 on failure. */
static int
refill(struct reg_csv *csv)
{
	int first = csv->end == 0 && !csv->eof && csv->next_line == 1;
	if (csv->start > 0) {
		memmove(csv->buf, csv->buf + csv->start, csv->end - csv->start);
		csv->end -= csv->start;
		csv->start = 0;
	}
	if (csv->end + 1 >= csv->cap) {
		char *n = realloc(csv->buf, csv->cap * 2);
		if (!n) {
			errno = ENOMEM;
			return -2;
		}
		csv->buf = n;
		csv->cap *= 2;
	}
	/* One byte stays free so that the last field can be NUL-terminated. */
	size_t room = csv->cap - csv->end - 1;
	size_t got = csv->iconv ? read_converted(csv, csv->buf + csv->end, room)
	                        : fread(csv->buf + csv->end, 1, room, csv->fp);
	if (got == 0) {
		if (ferror(csv->fp))
			return -2;
		csv->eof = 1;
	}
	csv->end += got;
	if (first && csv->end >= 3 && memcmp(csv->buf, "\xEF\xBB\xBF", 3) == 0)
		csv->start = 3;
	return 0;
}

struct span {
	size_t begin, end;        /* raw bytes, offsets from the record start */
	int quoted;
};

/* Finishes field i in place: unescapes quotes or trims, and NUL-terminates. */
static void
finish_field(struct reg_csv *csv, char *rec, const struct span *sp, size_t i)
{
	char *b = rec + sp->begin, *e = rec + sp->end;
	if (sp->quoted) {
		char *dst = b, *src = b + 1;     /* e points at the closing quote */
		while (src < e) {
			if (*src == '"')
				src++;               /* the first of a "" pair */
			*dst++ = *src++;
		}
		*dst = '\0';
		csv->field[i].s = b;
		csv->field[i].len = (size_t)(dst - b);
		csv->field[i].column = sp->begin + 2;
		return;
	}
	while (b < e && (*b == ' ' || *b == '\t'))
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*e = '\0';
	csv->field[i].column = (size_t)(b - rec) + 1;
	csv->field[i].s = b;
	csv->field[i].len = (size_t)(e - b);
}

int
reg_csv_next(struct reg_csv *csv)
{
	struct span spans[REG_CSV_MAX_FIELDS];
	for (;;) {
		char *buf = csv->buf;
		size_t p = csv->start, end = csv->end;
		/* Blank lines between records are skipped. */
		while (p < end && (buf[p] == '\n' || (buf[p] == '\r' && p + 1 < end && buf[p + 1] == '\n'))) {
			if (buf[p] == '\n')
				csv->next_line++;
			p++;
		}
		csv->start = p;
		if (p == end || (end - p == 1 && buf[p] == '\r' && csv->eof)) {
			if (csv->eof) {
				csv->start = end;
				return 0;
			}
			int rc = refill(csv);
			if (rc)
				return rc;
			continue;
		}

		size_t nf = 0;
		long newlines = 0;
		const char *problem = NULL;
		int need_more = 0, done = 0;
		while (!done) {
			struct span sp = { p - csv->start, 0, 0 };
			if (buf[p] == '"') {
				sp.quoted = 1;
				p++;
				for (;;) {
					if (p >= end) {
						need_more = 1;
						break;
					}
					if (buf[p] == '"') {
						if (p + 1 >= end && !csv->eof) {
							need_more = 1;
							break;
						}
						if (p + 1 < end && buf[p + 1] == '"') {
							p += 2;
							continue;
						}
						break;
					}
					if (buf[p] == '\n')
						newlines++;
					p++;
				}
				if (need_more)
					break;
				sp.end = p - csv->start;
				p++;
				while (p < end && buf[p] == '\r')
					p++;
				if (p < end && buf[p] != ',' && buf[p] != '\n') {
					problem = "stray characters after a closing quote";
					while (p < end && buf[p] != ',' && buf[p] != '\n')
						p++;
				}
			} else {
				while (p < end && buf[p] != ',' && buf[p] != '\n')
					p++;
				sp.end = p - csv->start;
			}
			if (p >= end && !csv->eof) {
				need_more = 1;
				break;
			}
			if (nf < REG_CSV_MAX_FIELDS)
				spans[nf] = sp;
			nf++;
			if (p < end && buf[p] == ',') {
				p++;
				if (p >= end && !csv->eof) {
					need_more = 1;
					break;
				}
				if (p >= end || buf[p] == '\n' || buf[p] == '\r') {
					/* a trailing comma: one more, empty field */
					if (nf < REG_CSV_MAX_FIELDS)
						spans[nf] = (struct span){ p - csv->start, p - csv->start, 0 };
					nf++;
					while (p < end && buf[p] == '\r')
						p++;
					done = 1;
				}
				continue;
			}
			done = 1;
		}
		if (need_more) {
			/* A register row is short; a "record" this long is a broken file (an
			 * unclosed quote, binary data), and reading on would only use memory. */
			if (end - csv->start > REG_CSV_MAX_RECORD) {
				csv->line = csv->next_line;
				csv->next_line += newlines + 1;
				csv->start = csv->end = 0;
				csv->eof = 1;
				snprintf(csv->error, sizeof csv->error,
				         "a record is longer than %d bytes (an unclosed quote?); the rest of the file is not read",
				         REG_CSV_MAX_RECORD);
				return -1;
			}
			if (csv->eof) {
				/* only an unterminated quote can run off the end of the file */
				csv->line = csv->next_line;
				csv->next_line += newlines + 1;
				csv->start = end;
				snprintf(csv->error, sizeof csv->error, "a quoted field is not closed");
				return -1;
			}
			int rc = refill(csv);
			if (rc)
				return rc;
			continue;
		}
		if (p < end && buf[p] == '\n')
			p++;
		char *rec = buf + csv->start;
		csv->line = csv->next_line;
		csv->next_line += newlines + 1;
		csv->start = p;
		if (problem) {
			snprintf(csv->error, sizeof csv->error, "%s", problem);
			return -1;
		}
		csv->nfields = nf;
		for (size_t i = 0; i < nf && i < REG_CSV_MAX_FIELDS; i++) {
			finish_field(csv, rec, &spans[i], i);
			/* The rest of the store works on C strings: a NUL would silently cut a field. */
			if (memchr(csv->field[i].s, '\0', csv->field[i].len)) {
				snprintf(csv->error, sizeof csv->error, "field %zu contains a NUL byte", i + 1);
				return -1;
			}
		}
		return 1;
	}
}
