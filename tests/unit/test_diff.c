/* diff: the impact of a policy change on a register. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_util.h"

#include "runtime/tools/diff.h"
#include "runtime/register/store.h"
#include "tools_fixture.h"

static void
test_stage_and_flag_changes(void **state)
{
	(void)state;
	char dir[] = "/tmp/attend-diff-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char cal[256], pupils[256], marks[256];
	snprintf(cal, sizeof cal, "%s/calendar.csv", dir);
	snprintf(pupils, sizeof pupils, "%s/pupils.csv", dir);
	snprintf(marks, sizeof marks, "%s/marks.csv", dir);
	write_file(cal, "kind,start,end\nhalf_term,2024-09-02,2024-09-13\n");
	write_file(pupils, "upn,surname,forename,year_group\nA1,Ill,Ann,3\nB2,Well,Ben,4\n");
	write_file(marks, "upn,date,session,code\n"
	                  "A1,2024-09-12,AM,I\nA1,2024-09-12,PM,I\nA1,2024-09-13,AM,I\nA1,2024-09-13,PM,I\n"
	                  "B2,2024-09-13,AM,/\nB2,2024-09-13,PM,\\\n");
	struct reg_store *s = NULL;
	assert_int_equal(reg_open(":memory:", REG_CREATE, &s), 0);
	struct reg_import_stats st;
	FILE *devnull = fopen("/dev/null", "w");
	assert_int_equal(reg_import(s, cal, devnull, &st), 0);
	assert_int_equal(reg_import(s, pupils, devnull, &st), 0);
	assert_int_equal(reg_import(s, marks, devnull, &st), 0);

	struct rt_program *old_prog = compile_text(BASELINE_TEXT "stage 1 \"One\"\n  when consecutive days absent >= 3 days\nend\n");
	struct rt_program *new_prog = compile_text(BASELINE_TEXT "stage 1 \"One\"\n  when consecutive days absent >= 2 days\nend\n"
	                                                         "flag long \"Long\"\n  when consecutive days absent >= 2 days\nend\n");
	assert_non_null(old_prog);
	assert_non_null(new_prog);
	struct tool_diff d;
	assert_int_equal(tool_diff_run(old_prog, new_prog, s, rt_date_from_ymd(2024, 9, 13), &d, stderr), 0);
	assert_int_equal(d.pupils, 2);
	assert_int_equal(d.naffected, 1);
	assert_string_equal(d.affected[0].upn, "A1");
	assert_string_equal(d.affected[0].name, "Ill, Ann");
	assert_int_equal(d.affected[0].old_stage, 0);
	assert_int_equal(d.affected[0].new_stage, 1);
	assert_string_equal(d.affected[0].flags, "+long");
	assert_int_equal(d.nmoves, 1);
	assert_int_equal(d.moves[0].pupils, 1);
	assert_int_equal(d.nyears, 2);
	assert_int_equal(d.years[0].year_group, 3);
	assert_int_equal(d.years[0].up, 1);
	assert_int_equal(d.years[1].affected, 0);

	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	tool_diff_write(&d, "old", "new", TOOL_DIFF_JSON, out);
	fclose(out);
	assert_non_null(strstr(text, "\"stage_moves\":[{\"from\":null,\"to\":1,\"pupils\":1}]"));
	assert_non_null(strstr(text, "\"flags\":[\"+long\"]"));
	free(text);
	tool_diff_free(&d);

	/* a policy that lacks a code in the register: refused, with the code named */
	struct rt_program *no_ill = compile_text("policy \"P\"\ncode \"/\" present \"a\"\ncode \"\\\" present \"p\"\n");
	assert_non_null(no_ill);
	assert_int_equal(tool_diff_run(old_prog, no_ill, s, rt_date_from_ymd(2024, 9, 13), &d, devnull), 1);
	tool_diff_free(&d);

	rt_program_free(no_ill);
	rt_program_free(old_prog);
	rt_program_free(new_prog);
	reg_close(s);
	fclose(devnull);
	unlink(cal);
	unlink(pupils);
	unlink(marks);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stage_and_flag_changes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
