#include "runtime/base/utf8.h"

#include <stdint.h>
#include <string.h>

/* The length of the well-formed sequence at s[0..len), or 0 (RFC 3629 table). */
static size_t
sequence_length(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;        /* no overlongs */
		if (c == 0xED)
			hi = 0x9F;        /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		if (c == 0xF4)
			hi = 0x8F;        /* nothing past U+10FFFF */
	} else
		return 0;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

size_t
base_utf8_invalid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		/* eight ASCII bytes at a time: names and codes are mostly ASCII, and
		 * every pupil's are checked on every run */
		uint64_t w;
		if (len - i >= 8 && (memcpy(&w, p + i, 8), !(w & 0x8080808080808080u))) {
			i += 8;
			continue;
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		size_t n = sequence_length(p + i, len - i);
		if (!n)
			return i;
		i += n;
	}
	return len;
}

size_t
base_utf8_repair(char *s, size_t len)
{
	size_t replaced = 0, i = 0;
	while ((i += base_utf8_invalid(s + i, len - i)) < len) {
		s[i++] = '?';
		replaced++;
	}
	return replaced;
}
