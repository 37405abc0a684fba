#include "runtime/engine/checks.h"

#include <string.h>

/* The code the arrival rules that apply (`t`: the pupil's group's or the school's)
 * give for arriving at `arrival` in `session`, or RT_NO_MARK when the pupil was on time. */
static uint8_t
expected_for_arrival(const struct rt_program *prog, const struct rt_register_times *t, int session, int arrival)
{
	const struct rt_arrival_rule *best = NULL;
	for (size_t i = 0; i < prog->narrivals; i++) {
		const struct rt_arrival_rule *a = &prog->arrivals[i];
		if (a->session == session && a->group == t->rules && arrival > a->after && (!best || a->after > best->after))
			best = a;
	}
	return best ? best->code : RT_NO_MARK;
}

static int
is_arrival_code(const struct rt_program *prog, const struct rt_register_times *t, int session, uint8_t code)
{
	for (size_t i = 0; i < prog->narrivals; i++)
		if (prog->arrivals[i].session == session && prog->arrivals[i].group == t->rules &&
		    prog->codes[prog->arrivals[i].code].maps_to == prog->codes[code].maps_to)
			return 1;
	return 0;
}

static uint64_t
code_key(const char code[8])
{
	uint64_t k;
	memcpy(&k, code, sizeof k);
	return k;
}

void
eng_arrival_codes(const struct rt_program *prog, struct eng_seen_codes *seen, const struct reg_arrival *arr,
                  size_t narr, int16_t *codes)
{
	_Static_assert(sizeof arr->code == sizeof(uint64_t), "a recorded code is 8 bytes");
	for (size_t i = 0; i < narr; i++) {
		uint64_t key = code_key(arr[i].code);
		size_t k = 0;
		while (k < seen->n && seen->key[k] != key)
			k++;
		if (k < seen->n) {
			codes[i] = seen->index[k];
			continue;
		}
		codes[i] = (int16_t)rt_program_find_code(prog, arr[i].code);
		if (seen->n < ENG_SEEN_CODES) {
			seen->key[seen->n] = key;
			seen->index[seen->n++] = codes[i];
		}
	}
}

/*
 * Only marks that are present or that an arrival rule could give are checked:
 * a medical appointment (M) recorded for a late arrival is a legitimate choice.
 */
size_t
eng_find_disagreements(const struct rt_program *prog, const struct reg_arrival *arr, const int16_t *codes,
                       size_t narr, rt_date as_of, int year, struct eng_disagreement *out)
{
	const struct rt_register_times times[2] = { rt_register_times(prog, RT_AM, year),
	                                            rt_register_times(prog, RT_PM, year) };
	size_t n = 0;
	for (size_t i = 0; i < narr; i++) {
		if (arr[i].date > as_of) /* not yet happened, as far as this evaluation knows */
			continue;
		int code = codes[i];
		if (code < 0)
			continue;
		int session = arr[i].session;
		const struct rt_register_times *t = &times[session & 1];
		int arrival = arr[i].arrival;
		if (arrival < 0) {
			int opens = t->opens;
			if (arr[i].minutes_late < 0 || opens < 0)
				continue;
			arrival = opens + arr[i].minutes_late;
		}
		uint8_t statutory = prog->codes[code].maps_to;
		if (prog->codes[statutory].category != RT_CAT_PRESENT && !is_arrival_code(prog, t, session, (uint8_t)code))
			continue;
		uint8_t expected = expected_for_arrival(prog, t, session, arrival);
		int agrees = expected == RT_NO_MARK ? !is_arrival_code(prog, t, session, (uint8_t)code)
		                                    : prog->codes[expected].maps_to == statutory;
		if (agrees)
			continue;
		out[n++] = (struct eng_disagreement){ arr[i].date, (uint8_t)session, (int16_t)arrival, (uint8_t)code,
		                                      expected };
	}
	return n;
}

void
eng_code_windows(const struct rt_program *prog, const struct rt_calendar *cal, struct eng_code_window *w,
                 uint8_t limited[256])
{
	for (size_t c = 0; c < 256; c++)
		limited[c] = 0; /* RT_NO_MARK stays 0 */
	for (size_t c = 0; c < prog->ncodes; c++) {
		const struct rt_code *code = &prog->codes[c];
		w[c].first = code->valid_from == RT_DATE_MIN ? 0 : rt_calendar_upto(cal, code->valid_from - 1);
		w[c].end = code->valid_until == RT_DATE_MAX ? cal->ndays : rt_calendar_upto(cal, code->valid_until);
		limited[c] = w[c].first > 0 || w[c].end < cal->ndays;
	}
}

long
eng_report_codes_out_of_date(const struct rt_program *prog, const struct rt_calendar *cal,
                             const struct eng_code_window *w, const char *upn, const uint8_t *marks,
                             size_t nsessions, long room, FILE *diag)
{
	long found = 0;
	for (size_t i = 0; i < nsessions; i++) {
		uint8_t c = marks[i];
		if (c == RT_NO_MARK || c >= prog->ncodes || (i / 2 >= w[c].first && i / 2 < w[c].end))
			continue;
		if (found++ < room) {
			const struct rt_code *code = &prog->codes[c];
			char date[11], bound[11];
			rt_date_format(cal->days[i / 2].date, date);
			int after = i / 2 >= w[c].end;
			rt_date_format(after ? code->valid_until : code->valid_from, bound);
			fprintf(diag, "attend: pupil %s: %s %s: code \"%s\" is not in use on that date (in use %s %s)\n",
			        upn, date, i % 2 ? "PM" : "AM", rt_program_str(prog, code->name), after ? "until" : "from",
			        bound);
		}
	}
	return found;
}
