/* The .apc format: a rich program round-trips byte for byte; hostile bytes never crash or overread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "runtime/machine/bytecode.h"
#include "runtime/machine/opcodes.h"

/* Every table filled, odd values included (negative times unset, open dates, a long letter). */
static struct rt_program *
rich_program(void)
{
	struct rt_program *p = rt_program_new();
	p->source_file = rt_program_string(p, "policies/russell-street.policy");
	const char *names[] = { "/", "\\", "I", "G", "U", "X", "I01" };
	const uint8_t cats[] = { RT_CAT_PRESENT, RT_CAT_PRESENT, RT_CAT_AUTHORISED, RT_CAT_UNAUTHORISED,
	                         RT_CAT_UNAUTHORISED, RT_CAT_NOT_POSSIBLE, RT_CAT_AUTHORISED };
	for (int i = 0; i < 7; i++) {
		struct rt_code c = { rt_program_string(p, names[i]), i == 2 ? rt_program_string(p, "Illness") : RT_NO_STRING,
		                     cats[i], (uint8_t)(i == 3 || i == 4 ? RT_CODE_PENALTY : 0),
		                     (uint8_t)(i == 6 ? 2 : i), i == 3 ? rt_date_from_ymd(2006, 9, 1) : RT_DATE_MIN,
		                     i == 5 ? rt_date_from_ymd(2024, 8, 18) : RT_DATE_MAX,
		                     rt_program_string(p, "DfE guidance"), (uint32_t)(10 + i), p->source_file };
		rt_program_code(p, &c);
	}
	struct rt_codeset absent = { { 0 } }, penalty = { { 0 } };
	rt_codeset_add(&absent, 2);
	rt_codeset_add(&absent, 3);
	rt_codeset_add(&absent, 4);
	rt_codeset_add(&absent, 6);
	rt_codeset_add(&penalty, 3);
	rt_codeset_add(&penalty, 4);
	uint32_t s_absent = rt_program_codeset(p, &absent), s_penalty = rt_program_codeset(p, &penalty);
	struct rt_measure rate = { RT_M_RATE, RT_P_YEAR, 0, s_absent, rt_program_string(p, "absence rate"), 0, 0 };
	struct rt_measure window = { RT_M_SESSIONS, RT_P_SCHOOL_WEEKS, 10, s_penalty,
	                             rt_program_string(p, "penalty sessions"), 0,
	                             RT_MEASURE_AFTER_NOTICE };
	struct rt_measure run = { RT_M_CONSECUTIVE_DAYS, RT_P_TERM, 0, s_absent,
	                          rt_program_string(p, "consecutive days absent"), 0, 0 };
	uint32_t m_rate = rt_program_measure(p, &rate), m_window = rt_program_measure(p, &window);
	uint32_t m_run = rt_program_measure(p, &run);
	/* a "since" measure of stage 2 (rule 2), in the table only: nothing runs it */
	struct rt_measure since = { RT_M_WEEKS_SINCE, RT_P_YEAR, 0, 0, rt_program_string(p, "school weeks since stage 2"),
	                            2, 0 };
	rt_program_measure(p, &since);
	struct rt_schedule sched = { rt_program_string(p, "likely_persistent_absence"), RT_UNIT_SESSIONS, 0x1f,
	                             { 10, 22, 30, 38, 46, 0 }, 40 };
	uint32_t k_sched = rt_program_schedule(p, &sched);
	struct rt_action a1 = { rt_program_string(p, "Phone every contact"), rt_program_string(p, "Office staff") };
	struct rt_action a2 = { rt_program_string(p, "Invite parents to a meeting"), RT_NO_STRING };
	rt_program_action(p, &a1);
	rt_program_action(p, &a2);
	struct rt_letter letter = { rt_program_string(p, "attendance_meeting"), rt_program_string(p, "Attendance meeting"),
	                            rt_program_string(p, "Dear parent,\n\tattendance is {attendance rate}.\n\"quoted\"\n"),
	                            rt_program_string(p, "Appendix 1"), 60 };
	rt_program_letter(p, &letter);
	struct rt_rule pa = { rt_program_string(p, "persistent_absence"), rt_program_string(p, "Persistent absence"),
	                      RT_RULE_FLAG, 0, 0, 0, UINT32_MAX, rt_program_string(p, "DfE"), 70, p->source_file, RT_ALWAYS };
	struct rt_rule stage1 = { rt_program_string(p, "Day one"), RT_NO_STRING, RT_RULE_STAGE, 1, 0, 1, UINT32_MAX,
	                          RT_NO_STRING, 75, p->source_file, RT_ALWAYS };
	struct rt_rule stage2 = { rt_program_string(p, "Attendance meeting"), RT_NO_STRING, RT_RULE_STAGE, 2, 1, 1, 0,
	                          RT_NO_STRING, 80, p->source_file, RT_ALWAYS };
	struct rt_range since_2024 = { rt_date_from_ymd(2024, 8, 19), RT_DATE_MAX };
	uint32_t k_range = rt_program_range(p, &since_2024);
	struct rt_rule pen = { rt_program_string(p, "penalty"), RT_NO_STRING, RT_RULE_PENALTY, 0, 0, 0, UINT32_MAX,
	                       RT_NO_STRING, 90, p->source_file, 1 + k_range };
	uint32_t r_pa = rt_program_rule(p, &pa), r_s1 = rt_program_rule(p, &stage1);
	uint32_t r_s2 = rt_program_rule(p, &stage2), r_pen = rt_program_rule(p, &pen);
	struct rt_fine f1 = { rt_date_from_ymd(2024, 8, 19), RT_DATE_MAX, 1, 8000, 21, 16000, 28,
	                      rt_program_string(p, "SI 2024/210"), 100, p->source_file };
	struct rt_fine f2 = { rt_date_from_ymd(2024, 8, 19), RT_DATE_MAX, 2, 16000, 28, 0, 0, RT_NO_STRING, 101, p->source_file };
	rt_program_fine(p, &f1);
	rt_program_fine(p, &f2);
	p->penalty = (struct rt_penalty){ 1, 2, 3, 28, rt_program_string(p, "Alternative action"),
	                                  rt_program_string(p, "Prosecution"), RT_NO_STRING, 1,
	                                  rt_date_from_ymd(2024, 8, 19), RT_DATE_MAX };
	p->sessions[RT_AM] = (struct rt_register_session){ 8 * 60 + 35, 9 * 60, 105, p->source_file };
	struct rt_arrival_rule late = { RT_AM, 8 * 60 + 35, 0, RT_NO_STRING, 110, p->source_file, 0 };
	struct rt_arrival_rule after = { RT_AM, 9 * 60, 4, rt_program_string(p, "3.4"), 111, p->source_file, 0 };
	rt_program_arrival(p, &late);
	rt_program_arrival(p, &after);
	/* Nursery (N1-N2) arrives by 08:45: a group session and its own arrival rule */
	struct rt_group_session nursery = { RT_AM, -2, -1, 8 * 60 + 45, -1, 112, p->source_file };
	struct rt_arrival_rule nursery_late = { RT_AM, 8 * 60 + 45, 0, RT_NO_STRING, 113, p->source_file, 1 };
	rt_program_group(p, &nursery);
	rt_program_arrival(p, &nursery_late);
	struct rt_fact school = { rt_program_string(p, "identity.school"), rt_program_string(p, "Russell Street School"),
	                          { 0, 0, 0 }, RT_NO_STRING, 1, p->source_file };
	struct rt_fact target = { rt_program_string(p, "target.attendance"), RT_NO_STRING,
	                          { 965, 10, RT_UNIT_PERCENT }, rt_program_string(p, "5. Stage Three"), 2, p->source_file };
	rt_program_fact(p, &school);
	rt_program_fact(p, &target);

	uint32_t c_ten = rt_program_constant(p, (struct rt_value){ 10, 1, RT_UNIT_PERCENT });
	uint32_t c_day = rt_program_constant(p, (struct rt_value){ 1, 1, RT_UNIT_DAYS });
	uint32_t c_sessions = rt_program_constant(p, (struct rt_value){ 10, 1, RT_UNIT_SESSIONS });
	uint32_t c_neg = rt_program_constant(p, (struct rt_value){ -(((int64_t)1 << 62) - 1), 3, RT_UNIT_SESSIONS });
	uint32_t label = rate.label;
	/* persistent_absence: absence rate >= 10% */
	rt_program_emit(p, RT_OP_MEASURE, m_rate, 71);
	rt_program_emit(p, RT_OP_CONST, c_ten, 71);
	rt_program_emit(p, RT_OP_GE, label, 71);
	rt_program_emit(p, RT_OP_RULE, r_pa, 70);
	/* stage 1: consecutive days absent >= 1 day */
	rt_program_emit(p, RT_OP_MEASURE, m_run, 76);
	rt_program_emit(p, RT_OP_CONST, c_day, 76);
	rt_program_emit(p, RT_OP_GE, run.label, 76);
	rt_program_emit(p, RT_OP_RULE, r_s1, 75);
	/* stage 2: stage 1 and (penalty sessions > schedule - (-big/3) or not persistent_absence) */
	rt_program_emit(p, RT_OP_OUTCOME, r_s1, 81);
	rt_program_emit(p, RT_OP_AND_ELSE, 19, 81);
	rt_program_emit(p, RT_OP_MEASURE, m_window, 81);
	rt_program_emit(p, RT_OP_SCHEDULE, k_sched, 81);
	rt_program_emit(p, RT_OP_CONST, c_neg, 81);
	rt_program_emit(p, RT_OP_SUB, 0, 81);
	rt_program_emit(p, RT_OP_GT, window.label, 81);
	rt_program_emit(p, RT_OP_OR_ELSE, 19, 81);
	rt_program_emit(p, RT_OP_OUTCOME, r_pa, 81);
	rt_program_emit(p, RT_OP_NOT, 0, 81);
	rt_program_emit(p, RT_OP_JUMP, 19, 81);
	rt_program_emit(p, RT_OP_RULE, r_s2, 80);
	/* penalty, from 2024-08-19: penalty sessions in the last 10 school weeks >= 10 sessions */
	rt_program_emit(p, RT_OP_IN_FORCE, k_range, 90);
	rt_program_emit(p, RT_OP_AND_ELSE, 27, 90);
	rt_program_emit(p, RT_OP_MEASURE, m_window, 91);
	rt_program_emit(p, RT_OP_CONST, c_sessions, 91);
	rt_program_emit(p, RT_OP_ADD, 0, 91);
	rt_program_emit(p, RT_OP_CONST, c_sessions, 91);
	rt_program_emit(p, RT_OP_LE, window.label, 91);
	rt_program_emit(p, RT_OP_RULE, r_pen, 90);
	rt_program_emit(p, RT_OP_HALT, 0, 99);
	p->max_stack = 3;
	return p;
}

static void
test_rich_program_verifies(void **state)
{
	(void)state;
	struct rt_program *p = rich_program();
	char err[256] = "";
	if (rt_verify(p, err, sizeof err))
		fail_msg("%s", err);
	rt_program_free(p);
}

static void
test_round_trip_is_identical(void **state)
{
	(void)state;
	struct rt_program *p = rich_program();
	uint8_t *a, *b;
	size_t alen, blen;
	assert_int_equal(rt_bytecode_encode(p, &a, &alen), 0);
	struct rt_program *q;
	char err[256] = "";
	if (rt_bytecode_decode(a, alen, &q, err, sizeof err))
		fail_msg("%s", err);
	assert_int_equal(rt_bytecode_encode(q, &b, &blen), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	/* and the decoded tables are the built ones */
	assert_int_equal(q->nstrings, p->nstrings);
	for (size_t i = 0; i < p->nstrings; i++)
		assert_string_equal(q->strings[i], p->strings[i]);
	assert_int_equal(q->ncode, p->ncode);
	assert_memory_equal(q->lines, p->lines, p->ncode * sizeof *p->lines);
	assert_int_equal(q->constants[3].num, -(((int64_t)1 << 62) - 1));
	assert_int_equal(q->codes[3].valid_from, rt_date_from_ymd(2006, 9, 1));
	assert_int_equal(q->codes[0].valid_from, RT_DATE_MIN);
	assert_int_equal(q->sessions[RT_PM].opens, -1);
	assert_int_equal(q->sessions[RT_AM].closes, 9 * 60);
	assert_int_equal(q->fines[0].later_pence, 16000);
	assert_int_equal(q->max_stack, 3);
	assert_int_equal(q->nmeasures, 4);
	assert_int_equal(q->measures[1].flags, RT_MEASURE_AFTER_NOTICE);
	assert_int_equal(q->measures[0].flags, 0);
	assert_int_equal(q->measures[3].kind, RT_M_WEEKS_SINCE);
	assert_int_equal(q->measures[3].rule, 2);
	assert_int_equal(q->nranges, 1);
	assert_int_equal(q->ranges[0].from, rt_date_from_ymd(2024, 8, 19));
	assert_int_equal(q->rules[3].in_force, 1);
	assert_int_equal(q->rules[3].file, p->source_file);
	assert_int_equal(q->sessions[RT_AM].line, 105);
	assert_int_equal(q->penalty.cap_dated, 1);
	assert_int_equal(q->penalty.cap_from, rt_date_from_ymd(2024, 8, 19));
	assert_int_equal(q->penalty.cap_until, RT_DATE_MAX);
	assert_int_equal(q->ngroups, 1);
	assert_int_equal(q->groups[0].from, -2);
	assert_int_equal(q->groups[0].until, -1);
	assert_int_equal(q->groups[0].closes, -1);
	assert_int_equal(q->narrivals, 3);
	assert_int_equal(q->arrivals[2].group, 1);
	assert_int_equal(q->arrivals[1].group, 0);
	/* the nursery's times for a Year N2 pupil; the school's for Year R and for no year group */
	struct rt_register_times t = rt_register_times(q, RT_AM, -1);
	assert_int_equal(t.opens, 8 * 60 + 45);
	assert_int_equal(t.closes, 9 * 60);
	assert_int_equal(t.rules, 1);
	t = rt_register_times(q, RT_AM, 0);
	assert_int_equal(t.opens, 8 * 60 + 35);
	assert_int_equal(t.group, -1);
	assert_int_equal(rt_register_times(q, RT_AM, RT_NO_YEAR).rules, 0);
	/* a decoded program can still be extended with the builders */
	uint32_t s = rt_program_string(q, "new");
	assert_string_equal(rt_program_str(q, s), "new");
	rt_program_emit(q, RT_OP_HALT, 0, 1);
	assert_int_equal(q->lines[q->ncode - 1], 1);
	free(a);
	free(b);
	rt_program_free(q);
	rt_program_free(p);
}

static void
test_save_and_load(void **state)
{
	(void)state;
	struct rt_program *p = rich_program();
	char path[] = "/tmp/attend-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	char err[512] = "";
	assert_int_equal(rt_bytecode_save(p, path, err, sizeof err), 0);
	struct rt_program *q;
	if (rt_bytecode_load(path, &q, err, sizeof err))
		fail_msg("%s", err);
	assert_int_equal(q->nrules, 4);
	rt_program_free(q);
	/* a damaged file: the error names it */
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, 0, SEEK_SET);
	fputc('X', f);
	fclose(f);
	assert_int_equal(rt_bytecode_load(path, &q, err, sizeof err), -1);
	assert_null(q);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "bad magic"));
	unlink(path);
	assert_int_equal(rt_bytecode_load(path, &q, err, sizeof err), -1);
	assert_non_null(strstr(err, path));
	rt_program_free(p);
}

/* Offset of the first byte of a section's payload (tags are 1.. in file order). */
static size_t
section_payload(const uint8_t *buf, size_t len, uint32_t tag)
{
	size_t pos = 16;
	while (pos + 8 <= len) {
		uint32_t t = (uint32_t)buf[pos] | (uint32_t)buf[pos + 1] << 8 | (uint32_t)buf[pos + 2] << 16 |
		             (uint32_t)buf[pos + 3] << 24;
		uint32_t n = (uint32_t)buf[pos + 4] | (uint32_t)buf[pos + 5] << 8 | (uint32_t)buf[pos + 6] << 16 |
		             (uint32_t)buf[pos + 7] << 24;
		if (t == tag)
			return pos + 8;
		pos += 8 + n;
	}
	fail_msg("no section %u", tag);
	return 0;
}

static void
put32(uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static void expect_error(const uint8_t *buf, size_t len, const char *reason);

/* A file an older attend wrote (bytecode 1.x) is refused with a message that says to recompile. */
static void
test_refuses_version_1(void **state)
{
	(void)state;
	struct rt_program *p = rich_program();
	uint8_t *buf;
	size_t len;
	assert_int_equal(rt_bytecode_encode(p, &buf, &len), 0);
	assert_int_equal(buf[8], 2); /* this build writes 2.4 */
	assert_int_equal(buf[10], 4);
	buf[8] = 1;
	buf[10] = 2;
	expect_error(buf, len, "compiled by an older attend (bytecode 1.2; this build reads 2.x): recompile the policy");
	buf[8] = 3;
	expect_error(buf, len, "compiled by a newer attend");
	free(buf);
	rt_program_free(p);
}

static void
expect_error(const uint8_t *buf, size_t len, const char *reason)
{
	struct rt_program *q = NULL;
	char err[256] = "";
	int rc = rt_bytecode_decode(buf, len, &q, err, sizeof err);
	if (rc != -1 || !strstr(err, reason))
		fail_msg("expected \"%s\", got %d \"%s\"", reason, rc, err);
	assert_null(q);
}

static void
test_precise_errors(void **state)
{
	(void)state;
	struct rt_program *p = rich_program();
	uint8_t *buf;
	size_t len;
	assert_int_equal(rt_bytecode_encode(p, &buf, &len), 0);
	uint8_t *copy = malloc(len + 4);

	/* string 3's terminating NUL overwritten */
	memcpy(copy, buf, len);
	size_t pos = section_payload(copy, len, 1) + 4;
	for (int i = 0; i < 3; i++)
		pos += 4 + strlen(p->strings[i]) + 1;
	copy[pos + 4 + strlen(p->strings[3])] = 'x';
	expect_error(copy, len, "string 3 is not terminated");

	/* a count that disagrees with its section's length */
	memcpy(copy, buf, len);
	copy[section_payload(copy, len, 2)] += 1; /* constants */
	expect_error(copy, len, "counts do not match the section length");

	/* the code section's length made huge */
	memcpy(copy, buf, len);
	pos = section_payload(copy, len, 15) - 4;
	copy[pos + 3] = 0x7f;
	expect_error(copy, len, "section 'code' is too large");

	/* truncated inside the code */
	expect_error(buf, section_payload(buf, len, 15) + 9, "truncated in section 'code'");

	/* bytes after END */
	memcpy(copy, buf, len);
	memset(copy + len, 0, 4);
	expect_error(copy, len + 4, "4 bytes after the end section");

	/* a section out of order */
	memcpy(copy, buf, len);
	copy[section_payload(copy, len, 3) - 8] = 4;
	expect_error(copy, len, "expected section 'codes' but found tag 0x00000004");

	/* a string holding a NUL */
	memcpy(copy, buf, len);
	pos = section_payload(copy, len, 1) + 4;
	copy[pos + 4] = 0;
	expect_error(copy, len, "string 0 contains a NUL byte");
	free(copy);
	free(buf);
	rt_program_free(p);
}

/* Flipping any byte gives a clean error or a program that verifies (and disassembles). */
/* Rewrites the checksum of an encoding after a deliberate change. */
static void
fix_checksum(uint8_t *buf, size_t len)
{
	put32(buf + len - 4, rt_bytecode_checksum(buf, len - 12));
}

static void
test_byte_flips(void **state)
{
	(void)state;
	struct rt_program *p = rich_program();
	uint8_t *buf;
	size_t len;
	assert_int_equal(rt_bytecode_encode(p, &buf, &len), 0);
	FILE *devnull = fopen("/dev/null", "w");
	assert_non_null(devnull);
	static const uint8_t flips[] = { 0x01, 0x80, 0xff, 0x10 };
	size_t accepted = 0, rejected = 0;
	for (size_t i = 0; i < len; i++)
		for (size_t k = 0; k < sizeof flips; k++) {
			uint8_t *copy = malloc(len);
			memcpy(copy, buf, len);
			copy[i] ^= flips[k];
			struct rt_program *q = NULL;
			char err[256] = "";
			/* As it is, every flipped byte is caught (by the checksum, or before it). */
			assert_int_equal(rt_bytecode_decode(copy, len, &q, err, sizeof err), -1);
			assert_null(q);
			assert_true(err[0] != '\0');
			/* With the checksum made to fit (a hostile file), the verifier must still
			 * either reject it cleanly or accept a program that is safe to run. */
			if (i < len - 4) {
				fix_checksum(copy, len);
				err[0] = '\0';
				if (rt_bytecode_decode(copy, len, &q, err, sizeof err) == 0) {
					assert_non_null(q);
					assert_int_equal(rt_verify(q, err, sizeof err), 0);
					rt_disasm(q, devnull);
					rt_program_free(q);
					accepted++;
				} else {
					assert_null(q);
					assert_true(err[0] != '\0');
					rejected++;
				}
			}
			free(copy);
		}
	/* both outcomes happen: flips in line numbers are harmless, flips in magic are not */
	assert_true(accepted > 0);
	assert_true(rejected > 0);
	fclose(devnull);
	free(buf);
	rt_program_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rich_program_verifies),
		cmocka_unit_test(test_round_trip_is_identical),
		cmocka_unit_test(test_save_and_load),
		cmocka_unit_test(test_refuses_version_1),
		cmocka_unit_test(test_precise_errors),
		cmocka_unit_test(test_byte_flips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
