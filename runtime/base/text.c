#include "runtime/base/text.h"

#include "runtime/base/out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void
base_json_string(FILE *out, const char *s)
{
	struct base_out o;
	base_out_init(&o, out);
	base_out_json(&o, s);
	base_out_flush(&o);
}

const char *
base_text_line(const char *text, size_t size, unsigned line, size_t *len)
{
	const char *p = text, *end = text + size;
	for (unsigned l = 1; l < line; l++) {
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

char *
base_read_file(const char *path, size_t max, size_t *len)
{
	int is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			if (max && cap >= max) {
				free(buf);
				if (!is_stdin)
					fclose(f);
				errno = EFBIG;
				return NULL;
			}
			cap = cap ? cap * 2 : 8192;
			char *b = realloc(buf, cap + 1);
			if (!b) {
				free(buf);
				if (!is_stdin)
					fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = b;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int failed = ferror(f);
	if (!is_stdin)
		fclose(f);
	if (failed || (max && n > max)) {
		free(buf);
		errno = failed ? EIO : EFBIG;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

void
base_csv_field(FILE *out, const char *s)
{
	struct base_out o;
	base_out_init(&o, out);
	base_out_csv(&o, s);
	base_out_flush(&o);
}

void
base_html_text(FILE *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(s[i], out);
		}
	}
}
