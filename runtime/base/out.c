#include "runtime/base/out.h"

#include "runtime/base/utf8.h"

#include <string.h>

void
base_out_init(struct base_out *o, FILE *f)
{
	o->f = f;
	o->len = 0;
	o->flushes = 0;
}

void
base_out_flush(struct base_out *o)
{
	if (o->len)
		fwrite_unlocked(o->buf, 1, o->len, o->f);
	o->len = 0;
	o->flushes++;
}

void
base_out_mem(struct base_out *o, const char *s, size_t n)
{
	if (o->len + n > sizeof o->buf) {
		base_out_flush(o);
		if (n > sizeof o->buf) {
			fwrite_unlocked(s, 1, n, o->f);
			return;
		}
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

void
base_out_str(struct base_out *o, const char *s)
{
	base_out_mem(o, s, strlen(s));
}

void
base_out_char(struct base_out *o, char c)
{
	if (o->len == sizeof o->buf)
		base_out_flush(o);
	o->buf[o->len++] = c;
}

void
base_out_int(struct base_out *o, int64_t v)
{
	char tmp[24];
	size_t n = sizeof tmp;
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v; /* safe for INT64_MIN */
	do
		tmp[--n] = (char)('0' + mag % 10);
	while (mag /= 10);
	if (v < 0)
		tmp[--n] = '-';
	base_out_mem(o, tmp + n, sizeof tmp - n);
}

void
base_out_csv(struct base_out *o, const char *s)
{
	/* A field that starts with = + - @ (or a tab or carriage return) is a
	 * formula to a spreadsheet (=HYPERLINK(...)): a leading apostrophe makes
	 * it text again (docs/output.md). */
	int formula = *s && strchr("=+-@\t\r", *s);
	int quoted = strpbrk(s, ",\"\n\r") != NULL;
	if (quoted)
		base_out_char(o, '"');
	if (formula)
		base_out_char(o, '\'');
	if (!quoted) {
		base_out_str(o, s);
		return;
	}
	for (const char *q; (q = strchr(s, '"')); s = q + 1) {
		base_out_mem(o, s, (size_t)(q - s) + 1);
		base_out_char(o, '"'); /* a quote is doubled */
	}
	base_out_str(o, s);
	base_out_char(o, '"');
}

/* The JSON escape of byte c, or NULL when it stands for itself. */
static const char *
json_escape(unsigned char c, char u[7])
{
	static const char hex[] = "0123456789abcdef";
	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	}
	if (c >= 0x20 && c != 0x7f)
		return NULL;
	memcpy(u, "\\u00", 4);
	u[4] = hex[c >> 4];
	u[5] = hex[c & 15];
	u[6] = 0;
	return u;
}

/* Writes the UTF-8 sequence at s[i] (len bytes in all); returns its length,
 * or writes U+FFFD and returns 1 for a byte that begins no valid sequence. */
static size_t
json_utf8(struct base_out *o, const char *s, size_t i, size_t len)
{
	unsigned char c = (unsigned char)s[i];
	size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	if (n <= len - i && base_utf8_invalid(s + i, n) == n) {
		base_out_mem(o, s + i, n);
		return n;
	}
	base_out_mem(o, "\\ufffd", 6); /* JSON must be UTF-8 */
	return 1;
}

void
base_out_json(struct base_out *o, const char *s)
{
	size_t len = strlen(s), plain = 0; /* s[plain..i) is written as it is */
	base_out_char(o, '"');
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		char u[7];
		const char *esc = c < 0x80 ? json_escape(c, u) : NULL;
		if (c < 0x80 && !esc) {
			i++;
			continue;
		}
		base_out_mem(o, s + plain, i - plain);
		if (esc) {
			base_out_str(o, esc);
			i++;
		} else {
			i += json_utf8(o, s, i, len);
		}
		plain = i;
	}
	base_out_mem(o, s + plain, len - plain);
	base_out_char(o, '"');
}

/* Writes v's decimal digits ending just before `end`; returns where they start. */
static char *
digits_before(char *end, unsigned long long v, int min_width)
{
	char *p = end;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
		min_width--;
	} while (v || min_width > 0);
	return p;
}

size_t
base_format_decimal(int64_t num, int64_t den, int places, char *buf)
{
	int neg = (num < 0) != (den < 0) && num != 0;
	__int128 n = num < 0 ? -(__int128)num : num;
	__int128 d = den < 0 ? -(__int128)den : den;
	__int128 scale = 1;
	for (int i = 0; i < places; i++)
		scale *= 10;
	__int128 scaled = (n * scale * 2 + d) / (2 * d);
	unsigned long long whole = (unsigned long long)(scaled / scale); /* a magnitude: fits for any int64 num */
	unsigned long long frac = (unsigned long long)(scaled % scale);
	while (places > 0 && frac && frac % 10 == 0) {
		frac /= 10;
		places--;
	}
	char tmp[48], *end = tmp + sizeof tmp, *p = end;
	if (frac) {
		p = digits_before(p, frac, places);
		*--p = '.';
	}
	p = digits_before(p, whole, 1);
	if (neg)
		*--p = '-';
	size_t len = (size_t)(end - p);
	memcpy(buf, p, len);
	buf[len] = 0;
	return len;
}
