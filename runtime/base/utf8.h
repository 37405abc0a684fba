/* UTF-8 validity: imports refuse text that is not UTF-8, and every output
 * repairs what a database written by other means may hold. */
#ifndef BASE_UTF8_H
#define BASE_UTF8_H

#include <stddef.h>

/* The offset of the first byte of s[0..len) that does not begin or continue a
 * well-formed UTF-8 sequence (overlongs, surrogates and values past U+10FFFF
 * are ill-formed), or len when all of it is UTF-8. */
size_t base_utf8_invalid(const char *s, size_t len);

/* Replaces each byte of an ill-formed sequence in s[0..len) with '?', in
 * place (the length stays the same); the number replaced. */
size_t base_utf8_repair(char *s, size_t len);

#endif
