/* Every opcode in opcodes.def: named, with a stack effect, disassembled, documented. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "runtime/machine/bytecode.h"
#include "runtime/machine/opcodes.h"

/* Runs fn(arg, stream) and returns what it printed (malloc'd). */
static char *
capture(void (*fn)(const struct rt_program *, FILE *), const struct rt_program *p)
{
	FILE *out = tmpfile();
	assert_non_null(out);
	fn(p, out);
	long size = ftell(out);
	assert_true(size >= 0);
	rewind(out);
	char *text = malloc((size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, out), (size_t)size);
	text[size] = '\0';
	fclose(out);
	return text;
}

static void
markdown(const struct rt_program *p, FILE *out)
{
	(void)p;
	rt_opcodes_markdown(out);
}

static void
test_every_opcode_is_described(void **state)
{
	(void)state;
	for (int op = 0; op < RT_OP__COUNT; op++) {
		const struct rt_opcode_info *info = &rt_opcode_table[op];
		assert_non_null(info->name);
		assert_true(strlen(info->name) > 0);
		for (const char *c = info->name; *c; c++)
			assert_true(isupper((unsigned char)*c) || *c == '_');
		for (int other = 0; other < op; other++)
			assert_string_not_equal(info->name, rt_opcode_table[other].name);
		assert_true(info->stack_in <= 2);
		assert_true(info->stack_out <= 1);
		assert_non_null(info->synopsis);
		assert_true(strlen(info->synopsis) > 10);
		assert_string_not_equal(rt_operand_kind_name(info->operand), "?");
		/* jumps have no net push: they keep or pop their operand */
		if (info->operand == RT_OPND_JUMP)
			assert_int_equal(info->stack_out, 0);
	}
	assert_string_equal(rt_opcode_table[RT_OP_HALT].name, "HALT");
	assert_int_equal(rt_opcode_table[RT_OP_AND_ELSE].stack_in, 1);
}

/* One program holding every opcode once, disassembled: each line names its mnemonic. */
static void
test_every_opcode_disassembles(void **state)
{
	(void)state;
	struct rt_program *p = rt_program_new();
	struct rt_code c = { rt_program_string(p, "U"), RT_NO_STRING, RT_CAT_UNAUTHORISED, 0, 0, RT_DATE_MIN,
	                     RT_DATE_MAX, RT_NO_STRING, 1, RT_NO_STRING };
	rt_program_code(p, &c);
	struct rt_codeset set = { { 1 } };
	struct rt_measure m = { RT_M_SESSIONS, RT_P_SCHOOL_WEEKS, 10, rt_program_codeset(p, &set),
	                        rt_program_string(p, "unauthorised sessions"), 0, 0 };
	rt_program_measure(p, &m);
	struct rt_schedule s = { rt_program_string(p, "likely"), RT_UNIT_SESSIONS, 1, { 10 }, 2 };
	rt_program_schedule(p, &s);
	struct rt_rule r = { rt_program_string(p, "pa"), RT_NO_STRING, RT_RULE_FLAG, 0, 0, 0, UINT32_MAX,
	                     RT_NO_STRING, 3, RT_NO_STRING, RT_ALWAYS };
	rt_program_rule(p, &r);
	struct rt_range since = { rt_date_from_ymd(2024, 8, 19), RT_DATE_MAX };
	rt_program_range(p, &since);
	rt_program_constant(p, (struct rt_value){ 965, 10, RT_UNIT_PERCENT });
	for (int op = 0; op < RT_OP__COUNT; op++)
		rt_program_emit(p, (uint8_t)op, rt_opcode_table[op].operand == RT_OPND_JUMP ? (uint32_t)op + 1 : 0,
		                (uint32_t)(100 + op));
	char *text = capture(rt_disasm, p);
	for (int op = 0; op < RT_OP__COUNT; op++) {
		char want[64];
		snprintf(want, sizeof want, "\n%04d  %s ", op, rt_opcode_table[op].name);
		char *line = strstr(text, want);
		if (!line)
			fail_msg("no line for %s in:\n%s", rt_opcode_table[op].name, text);
		char *end = strchr(line + 1, '\n');
		assert_non_null(end);
		char suffix[32];
		snprintf(suffix, sizeof suffix, "   (line %d)", 100 + op);
		assert_true((size_t)(end - line) > strlen(suffix));
		assert_memory_equal(end - strlen(suffix), suffix, strlen(suffix));
	}
	/* operands explained */
	assert_non_null(strstr(text, "0002  MEASURE      0      ; unauthorised sessions   (line 102)"));
	assert_non_null(strstr(text, "0001  CONST        0      ; 96.5%   (line 101)"));
	assert_non_null(strstr(text, "; schedule likely"));
	assert_non_null(strstr(text, "; flag pa"));
	assert_non_null(strstr(text, "; to 0015"));
	assert_non_null(strstr(text, "; from 2024-08-19 until open"));
	/* the listing is stable */
	char *again = capture(rt_disasm, p);
	assert_string_equal(text, again);
	free(again);
	free(text);
	rt_program_free(p);
}

static void
test_markdown_table(void **state)
{
	(void)state;
	char *text = capture(markdown, NULL);
	assert_non_null(strstr(text, "| opcode | operand | pops | pushes | synopsis |\n"));
	size_t rows = 0;
	for (const char *c = text; *c; c++)
		rows += *c == '\n';
	assert_int_equal(rows, 2 + RT_OP__COUNT);
	for (int op = 0; op < RT_OP__COUNT; op++) {
		char want[256];
		const struct rt_opcode_info *info = &rt_opcode_table[op];
		snprintf(want, sizeof want, "| `%s` | %s | %u | %u | %s |\n", info->name,
		         rt_operand_kind_name(info->operand), info->stack_in, info->stack_out, info->synopsis);
		assert_non_null(strstr(text, want));
	}
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_opcode_is_described),
		cmocka_unit_test(test_every_opcode_disassembles),
		cmocka_unit_test(test_markdown_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
