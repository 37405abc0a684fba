/*
 * Any number of jobs gives the same run: the timed marks read in shares by
 * several connections equal those read by one, and a run's report (CSV and
 * JSON lines, several chunks of pupils, pupils out of id order) is the same
 * bytes for 1 to 5 jobs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lang/lang.h"
#include "runtime/engine/engine.h"
#include "runtime/register/store.h"

#define PUPILS 700 /* more than two chunks (outcome.c) */

static char dir[64];

/* A register over the example calendar: PUPILS pupils, added in an order
 * unlike their UPNs, with absences and late arrivals that vary by pupil. */
static struct reg_store *
big_register(void)
{
	char path[256];
	snprintf(dir, sizeof dir, "/tmp/attend-jobs-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/pupils.csv", dir);
	FILE *p = fopen(path, "w");
	snprintf(path, sizeof path, "%s/marks.csv", dir);
	FILE *m = fopen(path, "w");
	assert_non_null(p);
	assert_non_null(m);
	fputs("upn,surname,forename,year_group\n", p);
	fputs("upn,date,session,code,minutes_late\n", m);
	static const char *const codes[] = { "/", "/", "/", "I", "U", "N", "L", "M", "G", "O" };
	char dates[35][11];
	rt_date d0 = rt_date_from_ymd(2024, 9, 4);
	for (int d = 0; d < 35; d0++)
		if (rt_date_weekday(d0) < 5)
			rt_date_format(d0, dates[d++]);
	for (unsigned i = 0; i < PUPILS; i++) {
		unsigned n = (i * 7919u) % PUPILS; /* ids in one order, UPNs in another */
		fprintf(p, "P%05u,Surname%u,\"Fore, %u\",%u\n", n, n % 13, n, n % 6 + 1);
		for (unsigned d = 0; d < 35; d++) {
			for (int s = 0; s < 2; s++) {
				const char *code = (n + d * 3 + (unsigned)s) % (3 + n % 11) ? (s ? "\\" : "/")
				                                                              : codes[(n + d) % 10];
				int late = !strcmp(code, "L") || !strcmp(code, "U") || (n + d) % 17 == 0;
				fprintf(m, "P%05u,%s,%s,%s,", n, dates[d], s ? "PM" : "AM", code);
				if (late)
					fprintf(m, "%u", 3 + (n + d) % 50);
				fputc('\n', m);
			}
		}
	}
	fclose(p);
	fclose(m);
	struct reg_store *s = NULL;
	snprintf(path, sizeof path, "%s/register.db", dir);
	assert_int_equal(reg_open(path, REG_CREATE, &s), 0);
	assert_int_equal(reg_import(s, "examples/calendar.csv", stderr, NULL), 0);
	snprintf(path, sizeof path, "%s/pupils.csv", dir);
	assert_int_equal(reg_import(s, path, stderr, NULL), 0);
	snprintf(path, sizeof path, "%s/marks.csv", dir);
	assert_int_equal(reg_import(s, path, stderr, NULL), 0);
	return s;
}

static void
remove_register(struct reg_store *s)
{
	reg_close(s);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* The cursor decodes each pupil's timed marks as it reads the pupil (UPN order):
 * the same marks, in the same order, as all of them read at once (id order). */
static void
test_arrivals_with_pupils(void **state)
{
	(void)state;
	struct reg_store *s = big_register();
	struct reg_arrival *all;
	size_t nall, seen = 0;
	assert_int_equal(reg_arrivals(s, NULL, &all, &nall), 0);
	assert_true(nall > PUPILS);
	struct reg_cursor *cur;
	struct reg_pupil p;
	assert_int_equal(reg_pupils_open(s, NULL, &cur), 0);
	while (reg_pupils_next(cur, &p) == 1) {
		size_t at = 0;
		while (at < nall && all[at].pupil_id != p.id)
			at++;
		for (size_t i = 0; i < p.narrivals; i++, at++) {
			assert_true(at < nall);
			assert_int_equal(p.arrivals[i].pupil_id, all[at].pupil_id);
			assert_int_equal(p.arrivals[i].date, all[at].date);
			assert_int_equal(p.arrivals[i].session, all[at].session);
			assert_int_equal(p.arrivals[i].arrival, all[at].arrival);
			assert_int_equal(p.arrivals[i].minutes_late, all[at].minutes_late);
			assert_string_equal(p.arrivals[i].code, all[at].code);
		}
		assert_true(at == nall || all[at].pupil_id != p.id);
		seen += p.narrivals;
	}
	assert_int_equal(seen, nall);
	reg_pupils_close(cur);
	free(all);
	remove_register(s);
}

static char *
report(const struct rt_program *p, struct reg_store *s, enum eng_format format, int jobs, int *status)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	struct eng_report r;
	struct eng_run_params params = { .as_of = rt_date_from_ymd(2024, 10, 31), .diag = stderr, .jobs = jobs };
	*status = eng_run(p, s, &params, eng_report_init(&r, format, out));
	fclose(out);
	return text;
}

static void
test_same_report_for_any_jobs(void **state)
{
	(void)state;
	struct lang_options opt = { NULL, 0, stderr, 0, 0 };
	struct rt_program *p = NULL;
	assert_int_equal(lang_compile_file("policies/russell-street.policy", &opt, &p), 0);
	struct reg_store *s = big_register();
	for (int f = ENG_FORMAT_JSON; f <= ENG_FORMAT_CSV; f++) {
		int status1, status;
		char *one = report(p, s, (enum eng_format)f, 1, &status1);
		assert_true(status1 >= 0);
		size_t lines = 0;
		for (const char *c = one; *c; c++)
			lines += *c == '\n';
		assert_int_equal(lines, PUPILS + (f == ENG_FORMAT_CSV));
		if (f == ENG_FORMAT_JSON) /* late arrivals the policy reads differently: disagreements to carry */
			assert_non_null(strstr(one, "\"register_disagreements\":[{"));
		for (int jobs = 2; jobs <= 5; jobs++) {
			char *many = report(p, s, (enum eng_format)f, jobs, &status);
			assert_int_equal(status, status1);
			assert_string_equal(many, one);
			free(many);
		}
		free(one);
	}
	remove_register(s);
	rt_program_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arrivals_with_pupils),
		cmocka_unit_test(test_same_report_for_any_jobs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
