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

void
eng_arrival_codes(const struct rt_program *prog, const struct reg_arrival *arr, size_t narr, int16_t *codes)
{
	/* a register uses a few codes: remember each one's index once found */
	enum { SEEN = 64 };
	char seen[SEEN][sizeof arr->code];
	int16_t index[SEEN];
	size_t nseen = 0;
	for (size_t i = 0; i < narr; i++) {
		size_t k = 0;
		while (k < nseen && strcmp(seen[k], arr[i].code))
			k++;
		if (k < nseen) {
			codes[i] = index[k];
			continue;
		}
		codes[i] = (int16_t)rt_program_find_code(prog, arr[i].code);
		if (nseen < SEEN) {
			memcpy(seen[nseen], arr[i].code, sizeof arr->code);
			index[nseen++] = codes[i];
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

const struct reg_arrival *
eng_pupil_arrivals(const struct reg_arrival *arr, size_t narr, int64_t pupil_id, size_t *count)
{
	size_t lo = 0, hi = narr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (arr[mid].pupil_id < pupil_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < narr && arr[end].pupil_id == pupil_id)
		end++;
	*count = end - lo;
	return arr ? arr + lo : NULL; /* no arrival times at all: NULL + 0 is undefined */
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
