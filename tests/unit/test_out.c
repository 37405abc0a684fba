/* The buffered writer for machine output: the same text printf would give, through a full buffer and beyond. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "runtime/base/out.h"

/* Writes through fn into a memory stream and returns what arrived. */
static char *
written(void (*fn)(struct base_out *, const void *), const void *arg, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	assert_non_null(f);
	struct base_out *o = malloc(sizeof *o);
	assert_non_null(o);
	base_out_init(o, f);
	fn(o, arg);
	base_out_flush(o);
	free(o);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void
csv_fields(struct base_out *o, const void *arg)
{
	(void)arg;
	const char *fields[] = { "plain", "Smith, Jr", "say \"hi\"", "\"", "a\nb", "", "=1+2", "-3, x", "\r" };
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		base_out_csv(o, fields[i]);
		base_out_char(o, '|');
	}
}

static void
test_csv_quotes_only_when_needed(void **state)
{
	(void)state;
	size_t len;
	char *t = written(csv_fields, NULL, &len);
	assert_string_equal(t, "plain|\"Smith, Jr\"|\"say \"\"hi\"\"\"|\"\"\"\"|\"a\nb\"||'=1+2|\"'-3, x\"|\"'\r\"|");
	free(t);
}

static void
json_strings(struct base_out *o, const void *arg)
{
	(void)arg;
	base_out_json(o, "tab\there \"q\" back\\slash\x01\x7f é");
}

static void
test_json_escapes(void **state)
{
	(void)state;
	size_t len;
	char *t = written(json_strings, NULL, &len);
	assert_string_equal(t, "\"tab\\there \\\"q\\\" back\\\\slash\\u0001\\u007f é\"");
	free(t);
}

static void
json_not_utf8(struct base_out *o, const void *arg)
{
	(void)arg;
	/* a Latin-1 e-acute, an overlong slash, a valid euro sign, a 4-byte emoji, a sequence cut short */
	base_out_json(o, "caf\xe9|\xc0\xaf|\xe2\x82\xac|\xf0\x9f\x98\x80|\xe2\x82");
}

static void
test_json_replaces_bytes_that_are_not_utf8(void **state)
{
	(void)state;
	size_t len;
	char *t = written(json_not_utf8, NULL, &len);
	assert_string_equal(t, "\"caf\\ufffd|\\ufffd\\ufffd|\xe2\x82\xac|\xf0\x9f\x98\x80|\\ufffd\\ufffd\"");
	free(t);
}

static void
integers(struct base_out *o, const void *arg)
{
	(void)arg;
	const int64_t v[] = { 0, 7, -7, 1234567890123, INT64_MAX, INT64_MIN };
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		base_out_int(o, v[i]);
		base_out_char(o, ' ');
	}
}

static void
test_integers_as_printf(void **state)
{
	(void)state;
	size_t len;
	char *t = written(integers, NULL, &len);
	char want[256];
	snprintf(want, sizeof want, "0 7 -7 1234567890123 %lld %lld ", (long long)INT64_MAX, (long long)INT64_MIN);
	assert_string_equal(t, want);
	free(t);
}

/* More than the buffer holds, in pieces small and larger than the buffer: nothing lost or reordered. */
static void
long_text(struct base_out *o, const void *arg)
{
	const char *big = arg;
	for (int i = 0; i < 3000; i++)
		base_out_int(o, i % 10);
	base_out_str(o, big);
	base_out_char(o, '!');
}

static void
test_beyond_the_buffer(void **state)
{
	(void)state;
	size_t n = 3 * BASE_OUT_SIZE, len;
	char *big = malloc(n + 1);
	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	big[n] = 0;
	char *t = written(long_text, big, &len);
	assert_int_equal(len, 3000 + n + 1);
	for (int i = 0; i < 3000; i++)
		assert_int_equal(t[i], '0' + i % 10);
	assert_memory_equal(t + 3000, big, n);
	assert_int_equal(t[len - 1], '!');
	free(t);
	free(big);
}

static void
test_decimals_round_half_away_and_drop_zeros(void **state)
{
	(void)state;
	char buf[48];
	const struct { int64_t num, den; int places; const char *want; } cases[] = {
		{ 35000, 380, 2, "92.11" }, { 100, 1, 2, "100" }, { 921, 10, 2, "92.1" }, { 1, 8, 2, "0.13" },
		{ -1, 8, 2, "-0.13" }, { 1, -8, 2, "-0.13" }, { 2, 3, 0, "1" }, { 1, 200, 2, "0.01" },
		{ 1, 201, 2, "0" }, { INT64_MAX, 1, 2, "9223372036854775807" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t len = base_format_decimal(cases[i].num, cases[i].den, cases[i].places, buf);
		assert_string_equal(buf, cases[i].want);
		assert_int_equal(len, strlen(cases[i].want));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_quotes_only_when_needed),
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_json_replaces_bytes_that_are_not_utf8),
		cmocka_unit_test(test_integers_as_printf),
		cmocka_unit_test(test_beyond_the_buffer),
		cmocka_unit_test(test_decimals_round_half_away_and_drop_zeros),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
