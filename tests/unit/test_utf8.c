/* UTF-8 validity and repair (runtime/base/utf8.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/base/utf8.h"

static size_t
invalid(const char *s)
{
	return base_utf8_invalid(s, strlen(s));
}

static void
valid_text(void **state)
{
	(void)state;
	assert_int_equal(invalid("plain"), 5);
	assert_int_equal(invalid("M\xc3\xbcller"), 7);              /* ü */
	assert_int_equal(invalid("\xe2\x82\xac 5"), 5);              /* € */
	assert_int_equal(invalid("\xf0\x9f\x98\x80"), 4);            /* U+1F600 */
}

static void
ill_formed(void **state)
{
	(void)state;
	assert_int_equal(invalid("M\xfcller"), 1);                   /* Windows-1252 ü */
	assert_int_equal(invalid("ab\xc3"), 2);                      /* cut short */
	assert_int_equal(invalid("\xc0\xaf"), 0);                    /* overlong / */
	assert_int_equal(invalid("\xe0\x80\xaf"), 0);                /* overlong, 3 bytes */
	assert_int_equal(invalid("x\xed\xa0\x80"), 1);               /* a surrogate */
	assert_int_equal(invalid("\xf4\x90\x80\x80"), 0);            /* past U+10FFFF */
	assert_int_equal(invalid("\x80"), 0);                        /* a lone continuation */
	/* after and within runs of eight ASCII bytes, which are checked together */
	assert_int_equal(invalid("Abcdefgh\xfc"), 8);
	assert_int_equal(invalid("Abcdefghijklmnop q\xfc"), 18);
	assert_int_equal(invalid("Abcdefgh M\xc3\xbcller Abcdefgh\xc3"), 25);
}

static void
repair_keeps_length(void **state)
{
	(void)state;
	char s[] = "J\x80\x80 M\xc3\xbcller\xc3";
	size_t len = strlen(s);
	assert_int_equal(base_utf8_repair(s, len), 3);
	assert_string_equal(s, "J?? M\xc3\xbcller?");
	assert_int_equal(invalid(s), len);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_text),
		cmocka_unit_test(ill_formed),
		cmocka_unit_test(repair_keeps_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
